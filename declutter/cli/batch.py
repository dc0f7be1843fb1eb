"""JSONL runs: `declutter --jsonl` and `declutter batch`, with per-record errors, a progress bar and a summary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

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

Each output record is the input record with the cleaned text in --field (or
--output-field) and a "declutter" object: {"model", "lines", "dropped",
"reasons", "repairs"}. Output order is input order. A record that is not
JSON, not an object, has no string --field, or is over --max-chars is
reported on stderr and in --errors FILE as {"line", "reason", "error"}, and
passed through unchanged (--on-error pass, the default) or left out
(--on-error skip).

Input and output are UTF-8, as the JSONL spec says (invalid bytes in a line
become U+FFFD, with a warning). With --html, --field defaults to "html" and
--output-field to "text".

exit status: 0 every record cleaned, 1 some record failed (or the input or
model could not be read, or the output written), 2 bad usage; 141 when the
reader of standard output closed the pipe.
"""


class _Reporter:
    """Per-record errors to stderr (capped) and to --errors FILE; progress bar; final summary."""

    def __init__(self, errors_path: str | None, quiet: bool) -> None:
        self.quiet = quiet
        self.shown = 0
        self.hidden = 0
        self.errors_file: Any = None
        self._errors_output: Any = None
        if errors_path:
            from ..io.output import AtomicOutput

            # Written whole on close (also after a failed run: the errors found so far), with the umask's mode.
            self._errors_output = AtomicOutput(errors_path)
            self.errors_file = self._errors_output.__enter__()
        self.bar: Any = None
        if not quiet and _isatty(sys.stderr):
            from tqdm import tqdm

            self.bar = tqdm(file=sys.stderr, unit=" docs", dynamic_ncols=True, desc="declutter")
            self.done = 0

    def record_error(self, err: Any) -> None:
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
    from ..io.batch import BatchOptions, run_batch
    from ..io.output import AtomicOutput
    from ..io.textio import open_input

    options = BatchOptions(
        field=args.field, output_field=args.output_field, meta_field=None if args.no_meta else "declutter",
        on_error=args.on_error, max_chars=args.max_chars, html=args.html, model=args.model,
        trust_model=args.trust_model, config=config_from_args(args),
    )
    check_model(options)
    reporter = _Reporter(args.errors, args.quiet)
    stats = None
    streams = []
    try:
        with AtomicOutput(output) as out:
            for name in inputs:
                streams.append((None if name == "-" else name, open_input(name)))
            stats = run_batch(
                streams, out, options, jobs=args.jobs, backend=args.backend, scheduler=args.scheduler,
                chunk_size=args.chunk_size, on_record_error=reporter.record_error,
                on_warning=reporter.warning, progress=reporter.progress,
            )
    finally:
        for name, stream in streams:
            if name is not None:
                stream.close()
        reporter.close(stats)
    return EXIT_OK if stats.errors == 0 else EXIT_ERROR


def check_model(options: Any) -> None:
    """Fail before starting workers when the model file or its card is missing (cheap: no unpickling)."""
    from ..model import model_card

    model_card(options.model)


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
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="output JSONL file (.gz is compressed); - writes stdout")
    add_cleaning_options(parser)
    add_batch_options(parser)
    parser.set_defaults(run=lambda args: run_jsonl(args, args.inputs, args.output))
