"""JSONL runs: `declutter --jsonl` and `declutter batch`, with per-record errors, a progress bar and a summary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import OutputError
from .filter import config_from_args
from .options import BATCH_DEFAULTS, EXIT_ERROR, EXIT_OK, add_batch_options, add_cleaning_options

__all__ = ["BATCH_EXAMPLES", "MAX_ERRORS_SHOWN", "UsageError", "register_batch", "run_jsonl"]

# Errors printed one per line on stderr before the rest are only counted.
MAX_ERRORS_SHOWN = 20

BATCH_EXAMPLES = """\
examples:
  declutter batch docs.jsonl.gz -o clean.jsonl.gz
  declutter batch part-*.jsonl -o - --field body --output-field clean_body | head
  declutter batch docs.jsonl -o clean.jsonl --jobs 2 --errors bad.jsonl --on-error skip
  declutter batch docs.jsonl -o clean.jsonl --backend dask --scheduler tcp://10.0.0.5:8786
  declutter batch big/*.jsonl.gz -o clean.jsonl.gz --resume      # continue after a crash or Ctrl-C

Each output record is the input record with the cleaned text in --field (or
--output-field) and a "declutter" object: {"model", "lines", "dropped",
"reasons", "repairs"}. Output order is input order. A record that is not
JSON, not an object, has no string --field, or is over --max-chars is
reported on stderr and in --errors FILE as {"line", "reason", "error"}, and
passed through unchanged (--on-error pass, the default) or left out
(--on-error skip). So are the records of a chunk whose worker process died
twice (reason worker_died: out of memory?); every other record is written.

OUT appears only when the run is complete: until then the output is in
OUT.part, and OUT.progress (inputs, options, records done) lets --resume
continue an interrupted run (a crash, Ctrl-C, a lost node) from the last
commit, every 2,048 records, instead of starting over; a .gz OUT is then a
series of gzip members, which every gzip reader reads as one stream.

Input and output are UTF-8, as the JSONL spec says (invalid bytes in a line
become U+FFFD, with a warning). With --html, --field defaults to "html" and
--output-field to "text".

exit status: 0 every record cleaned, 1 some record failed (or the input or
model could not be read, or the output written), 2 bad usage, 130 interrupted
(--resume continues); 141 when the reader of standard output closed the pipe.
"""


class _Reporter:
    """Per-record errors to stderr (capped) and to --errors FILE; progress bar; final summary."""

    def __init__(self, errors_path: str | None, quiet: bool, append: bool = False) -> None:
        self.quiet = quiet
        self.shown = 0
        self.hidden = 0
        self.errors = 0
        self.appending = append
        self.errors_file: Any = None  # a GuardedWriter: bytes in, a failed write is one OutputError
        self._errors_output: Any = None
        self._errors_raw: Any = None
        if errors_path:
            from ..io.output import AtomicOutput, GuardedWriter

            if append:  # a resumable run: resume.py has cut the file back to its last commit
                try:
                    self._errors_raw = open(errors_path, "ab")  # noqa: SIM115 - closed in close()
                except OSError as exc:
                    raise OutputError(f"cannot write {errors_path}: {exc.strerror or exc}") from None
                self.errors_file = GuardedWriter(self._errors_raw, errors_path)
            else:
                # Written whole on close (also after a failed run: the errors found so far), with the umask's mode.
                self._errors_output = AtomicOutput(errors_path)
                self.errors_file = self._errors_output.__enter__()
        self.bar: Any = None
        if not quiet and _isatty(sys.stderr):
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
            self.bar = tqdm(file=sys.stderr, unit=" docs", dynamic_ncols=True, desc="declutter")
            self.done = 0

    def record_error(self, err: Any) -> None:
        self.errors += 1
        if self.errors_file is not None:
            self.errors_file.write((err.to_json() + "\n").encode("utf-8"))
        self._show(f"declutter: {err}")

    def warning(self, err: Any) -> None:
        self._show(f"declutter: warning: {err.file + ':' if err.file else 'line '}{err.line}: {err.error}")

    def _show(self, message: str) -> None:
        if self.quiet:
            return
        if self.shown < MAX_ERRORS_SHOWN:
            self.shown += 1
            if self.bar is not None:
                self.bar.write(message, file=sys.stderr)
            else:
                print(message, file=sys.stderr)
        else:
            self.hidden += 1

    def progress(self, stats: Any) -> None:
        if self.bar is not None:
            self.bar.update(stats.documents - self.done)
            self.done = stats.documents
            if stats.seconds > 0:
                self.bar.set_postfix_str(f"{stats.bytes_in / stats.seconds / 1e6:.1f} MB/s", refresh=False)

    def close(self, stats: Any = None) -> None:
        if self.bar is not None:
            self.bar.close()
        if self._errors_output is not None:
            self._errors_output.__exit__(None, None, None)
            self._errors_output = None
        if self._errors_raw is not None:
            raw, self._errors_raw = self._errors_raw, None
            try:
                self.errors_file.flush()
            finally:
                try:
                    raw.close()
                except OSError:
                    pass  # what could not be written: flush() has just raised it as one OutputError
        if self.hidden:
            print(f"declutter: ... {self.hidden:,} more errors or warnings"
                  + (" (all errors are in --errors FILE)" if self.errors_file else " (use --errors FILE to keep them)"),
                  file=sys.stderr)
        if stats is not None and not self.quiet:
            print(f"declutter: {stats.summary()}", file=sys.stderr)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def run_jsonl(args: argparse.Namespace, inputs: Sequence[str], output: str) -> int:
    """JSONL records from `inputs` (files or "-") to `output`: the shared body of --jsonl and `batch`."""
    if args.html and args.field is None:  # an HTML batch: pages in "html", clean text to "text"
        args.field = "html"
        if args.output_field is None:
            args.output_field = "text"
    for name, default in BATCH_DEFAULTS.items():
        if getattr(args, name, None) is None:
            setattr(args, name, default)
    if args.backend != "dask" and args.scheduler:
        raise UsageError("--scheduler needs --backend dask")
    if args.backend == "dask" and not args.scheduler:
        raise UsageError("--backend dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    resume = bool(getattr(args, "resume", False))
    if resume and output == "-":
        raise UsageError("--resume needs an output file (-o OUT), not stdout")
    from ..io.batch import BatchOptions, run_batch
    from ..io.output import GuardedWriter
    from ..io.textio import open_input

    options = BatchOptions(
        field=args.field, output_field=args.output_field, meta_field=None if args.no_meta else "declutter",
        on_error=args.on_error, max_chars=args.max_chars, html=args.html, model=args.model,
        trust_model=args.trust_model, config=config_from_args(args),
    )
    card = check_model(options)
    if getattr(args, "outlet_memory", False):
        options = _with_outlet_memory(options, inputs, args)
    sink = _output_file(output, inputs, options, card, args.errors) if output != "-" else None
    skip = sink.start(resume) if sink is not None else 0
    if sink is not None and not args.quiet:
        if sink.replaced_partial:
            print(f"declutter: starting over: {sink.part} of an earlier run is replaced (--resume continues it)", file=sys.stderr)
        if skip:
            print(f"declutter: resuming: {skip:,} records were done by an earlier run", file=sys.stderr)
    reporter = None
    stats = None
    streams = []
    finished = False
    try:
        # The errors file of a resumable run is appended to (and cut back by --resume); otherwise written whole.
        reporter = _Reporter(args.errors, args.quiet, append=sink is not None and sink.resumable)
        for name in inputs:
            streams.append((None if name == "-" else name, open_input(name)))
        on_written = None
        if sink is not None:
            on_written = _committer(sink, reporter)
        out = sink.stream if sink is not None else GuardedWriter(sys.stdout.buffer, "standard output")
        stats = run_batch(
            streams, out, options, jobs=args.jobs,
            backend=args.backend, scheduler=args.scheduler, chunk_size=args.chunk_size,
            on_record_error=reporter.record_error, on_warning=reporter.warning, progress=reporter.progress,
            skip_records=skip, on_written=on_written,
        )
        if sink is not None:
            sink.finish()
        finished = True
    finally:
        for name, stream in streams:
            if name is not None:
                stream.close()
        if sink is not None and not finished and sink.abandon():
            print(
                f"declutter: {sink.progress.records:,} records are done in {sink.part}: "
                "run the same command with --resume to continue",
                file=sys.stderr,
            )
        if reporter is not None:
            reporter.close(stats)
    prior = sink.prior_errors if sink is not None else 0
    return EXIT_OK if stats.errors + prior == 0 else EXIT_ERROR


def _with_outlet_memory(options: Any, inputs: Sequence[str], args: argparse.Namespace) -> Any:
    """`options` with the memory of a first pass over `inputs` (which must be files: read twice)."""
    from dataclasses import replace

    from ..io.outlets import memory_from_inputs

    if "-" in inputs:
        raise UsageError("--outlet-memory reads the input twice: give files, not - (stdin)")
    memory, documents = memory_from_inputs(inputs, options, args.outlet_field)
    if not args.quiet:
        runs = f" and {len(memory.runs):,} runs of short lines" if len(memory.runs) else ""
        print(f"declutter: outlet memory: {len(memory.hashes):,} repeated lines{runs} from {documents:,} documents",
              file=sys.stderr)
    return replace(options, outlet_memory=memory)


def _committer(sink: Any, reporter: _Reporter) -> Any:
    """After each chunk: let the output commit (with the errors reported so far and their file)."""
    errors_file = reporter.errors_file if reporter.appending else None  # only an appended file is cut back
    return lambda records: sink.written(records, reporter.errors, errors_file)


def _output_file(output: str, inputs: Sequence[str], options: Any, card: dict[str, Any], errors: str | None) -> Any:
    """OUT written resumably: what identifies the run is the inputs, the options and the model."""
    from dataclasses import asdict, replace

    from .. import __version__
    from ..io.resume import ResumableOutput, input_identity

    memory = options.outlet_memory
    run = {
        "inputs": input_identity(inputs),
        "options": {**asdict(replace(options, outlet_memory=None)),
                    "outlet_memory": None if memory is None else memory.digest()},
        "model": {"name": card.get("name"), "arrays_sha256": card.get("arrays_sha256")},
        "declutter": __version__,
    }
    return ResumableOutput(output, run, errors)


def check_model(options: Any) -> dict[str, Any]:
    """Fail before starting workers when the model file or its card is missing (cheap: no unpickling)."""
    from ..model import model_card

    return model_card(options.model)


class UsageError(Exception):
    """A bad combination of options found after parsing: exit 2 like argparse."""


def register_batch(subparsers: Any) -> None:
    """Add `declutter batch` to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "batch", help="clean JSONL files on every core (or a Dask cluster)",
        description="Clean JSONL files: each record's text field, in input order, on every core (or a Dask cluster).",
        epilog=BATCH_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="IN", help="JSONL files (.gz is decompressed); - reads stdin")
    parser.add_argument(
        "-o", "--output", metavar="OUT", required=True,
        help="output JSONL file (.gz is compressed); written as OUT.part (+ OUT.progress) and renamed to OUT when complete; - writes stdout",
    )
    parser.add_argument(
        "--resume", action="store_true",
        help="continue an interrupted run from OUT.part and OUT.progress (same inputs and options); starts afresh if there is none",
    )
    add_cleaning_options(parser)
    add_batch_options(parser)
    parser.set_defaults(run=lambda args: run_jsonl(args, args.inputs, args.output))
