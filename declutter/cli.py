"""The `declutter` command: a filter from stdin (or a file) to clean text on stdout, plus subcommands.

    declutter [FILE|-] [options]          one document (the filter)
    declutter --jsonl [FILE|-] [options]  a JSONL stream, stdin to stdout
    declutter batch IN... -o OUT          JSONL files (.gz too), on every core

A first argument naming a subcommand runs it; anything else is the filter,
so `declutter story.txt` keeps working (a file literally named `batch` is
`./batch`). Subcommands come from `REGISTRARS`: functions that add their
parsers to argparse subparsers, each with `set_defaults(run=fn)` where
`fn(args)` returns the exit status (`batch` here; `label`, `train` and `eval`
from `cli_model.register`).

`parse_args(argv)` is apart from `main(argv)` so tests can run the CLI in
process. Library errors become one `declutter: error: ...` line and a
non-zero exit here, at the edge; nothing below this module exits.
Heavy modules (scikit-learn, joblib, tqdm, selectolax) are imported only on
the paths that use them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from . import __version__
from .config import Config
from .errors import DeclutterError, InputError

__all__ = ["REGISTRARS", "build_command_parser", "build_parser", "main", "parse_args"]

EXAMPLES = """\
examples:
  declutter < story.txt > clean.txt        clean one story (stdin to stdout)
  declutter story.txt --explain            every line with label, P(boilerplate), threshold, reason; every repair
  declutter story.txt --explain --format marked > story.marked   labels to correct and feed to `declutter train`
  declutter story.txt --json               {"title", "text", "metadata", "lines": [...]}
  declutter page.html                      an HTML page: rendered to text lines first
  declutter story.txt --no-title --threshold 0.7
  declutter story.txt --model my.skops     a model made by `declutter train`
  declutter --jsonl < docs.jsonl > clean.jsonl
                                           JSONL: clean each record's "text" field, on every core
  declutter batch a.jsonl.gz b.jsonl -o clean.jsonl.gz --errors bad.jsonl
                                           JSONL files (see `declutter batch -h`)

exit status: 0 ok, 1 bad input or model (with --jsonl: also when any record failed), 2 bad usage.
"""

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

exit status: 0 every record cleaned, 1 some record failed (or the input or
model could not be read), 2 bad usage.
"""

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
# Errors printed one per line on stderr before the rest are only counted.
MAX_ERRORS_SHOWN = 20


# --------------------------------------------------------------------------- options


def _probability(value: str) -> float:
    try:
        p = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"{p} is not between 0 and 1")
    return p


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not positive")
    return n


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n == 0:
        raise argparse.ArgumentTypeError("0 jobs: use 1 for one process, -1 for all cores")
    return n


def add_cleaning_options(parser: argparse.ArgumentParser) -> None:
    """Options that decide what a Cleaner keeps (shared by the filter and `batch`)."""
    parser.add_argument("--no-title", action="store_true", help="drop the headline from the text")
    parser.add_argument(
        "--threshold", type=_probability, default=None, metavar="P",
        help="drop a line when P(boilerplate) >= P (default: the model card's tuned value; lower drops more)",
    )
    parser.add_argument("--no-repair", action="store_true", help="keep kept lines exactly as they came (no quote/space repairs)")
    parser.add_argument("--html", dest="html", action="store_true", default=None, help="treat the input as an HTML page (default: detect)")
    parser.add_argument("--text", dest="html", action="store_false", help="treat the input as plain text even if it looks like HTML")
    parser.add_argument("--model", metavar="PATH", default=None, help="a NAME.skops model with its NAME.json card (default: the shipped model)")
    parser.add_argument("--trust-model", action="store_true", help="load a model whose card hash or content types do not check out (only for files you made)")


# Batch options and their defaults. The filter accepts them only with --jsonl,
# so their parser defaults are None and the real defaults are applied here.
_BATCH_DEFAULTS: dict[str, Any] = {
    "field": "text", "output_field": None, "jobs": -1, "backend": "loky", "scheduler": None,
    "chunk_size": 256, "max_chars": 5_000_000, "on_error": "pass", "errors": None, "quiet": False,
    "no_meta": False,
}


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    """Options of JSONL runs (`--jsonl` and `declutter batch`)."""
    group = parser.add_argument_group("JSONL batch options")
    group.add_argument("--field", metavar="NAME", default=None, help="the field holding the text (default: text)")
    group.add_argument("--output-field", metavar="NAME", default=None, help="put the cleaned text here instead of replacing --field")
    group.add_argument("--no-meta", action="store_true", default=None, help='do not add the "declutter" object to each record')
    group.add_argument("-j", "--jobs", type=_jobs, metavar="N", default=None, help="worker processes (default: -1, all cores; 1: no workers)")
    group.add_argument(
        "--backend", choices=("loky", "dask"), default=None,
        help="loky: processes on this machine (default); dask: a Dask cluster (needs --scheduler, pip install 'declutter[dask]')",
    )
    group.add_argument("--scheduler", metavar="ADDRESS", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    group.add_argument("--chunk-size", type=_positive_int, metavar="N", default=None, help="records per task (default: 256)")
    group.add_argument(
        "--max-chars", type=_positive_int, metavar="N", default=None,
        help="a text longer than this is an error (too_large), not cleaned (default: 5,000,000)",
    )
    group.add_argument(
        "--on-error", choices=("pass", "skip"), default=None,
        help="a record that fails: pass it through unchanged (default) or skip it",
    )
    group.add_argument("--errors", metavar="FILE", default=None, help='write each failed record as JSONL {"line", "reason", "error"} to FILE')
    group.add_argument("-q", "--quiet", action="store_true", default=None, help="no progress bar, no summary, no per-record messages")


def build_parser() -> argparse.ArgumentParser:
    """The filter: `declutter [FILE|-]`."""
    parser = argparse.ArgumentParser(
        prog="declutter",
        description="Strip boilerplate lines (banners, teasers, credits, captions) from scraped "
        "news text and repair quotes, spacing and invisible characters in what is kept. "
        "Subcommands: " + ", ".join(_subcommands(build_command_parser())) + " (declutter COMMAND -h).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", default="-", help="text or HTML file to clean (with --jsonl: a JSONL file, .gz too); - or nothing reads stdin")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--explain", action="store_true", help="print every line with its label, score, threshold and reason, then the repairs")
    out.add_argument("--json", action="store_true", help='print {"title", "text", "metadata", "lines": [...], "repairs": [...]}')
    parser.add_argument(
        "--format", choices=("table", "marked"), default="table",
        help="with --explain: 'table' (default) or 'marked', the editable labeled-text form that `declutter train` reads",
    )
    out.add_argument("--jsonl", action="store_true", help='read JSONL records and write them back with the "text" field cleaned (see JSONL batch options)')
    add_cleaning_options(parser)
    add_batch_options(parser)
    parser.add_argument("--version", action="version", version=f"declutter {__version__}")
    return parser


def build_command_parser() -> argparse.ArgumentParser:
    """`declutter COMMAND ...`: every registered subcommand."""
    parser = argparse.ArgumentParser(prog="declutter", formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in REGISTRARS:
        register(subparsers)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse a command line; `args.command` is "clean" for the filter or a subcommand's name."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-"):
        commands = build_command_parser()
        if argv[0] in _subcommands(commands):
            return commands.parse_args(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.command = "clean"
    if not args.jsonl:
        given = [name for name in _BATCH_DEFAULTS if getattr(args, name) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            parser.error(f"{flag} applies to JSONL input only: add --jsonl, or use `declutter batch`")
    return args


# --------------------------------------------------------------------------- output helpers


def _warn(message: str) -> None:
    print(f"declutter: warning: {message}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"declutter: error: {message}", file=sys.stderr)


def format_explanation(result: Result) -> str:  # noqa: F821 - imported lazily
    """jusText-style debug view: one row per line, then the repairs."""
    width = max([9] + [len(line.reason) + 1 for line in result.lines if line.reason])  # "between_boilerplate"
    rows = [f"{'#':>4}  {'label':<11} {'p_boil':>6} {'thresh':>6}  {'reason':<{width}} text"]
    for line in result.lines:
        score = "" if line.score is None else f"{line.score:.3f}"
        threshold = "" if line.threshold is None else f"{line.threshold:.2f}"
        rows.append(
            f"{line.index:>4}  {line.label or '-':<11} {score:>6} {threshold:>6}  {line.reason or '-':<{width}} {line.text}"
        )
        for cut in line.cuts:
            rows.append(f"{'':>4}  {'':<11} {'':>6} {'':>6}  {'cut':<{width}} {cut.strip()!r}")
    if result.metadata:
        rows.append("metadata: " + json.dumps(result.metadata, ensure_ascii=False))
    if result.repairs:
        rows.append("repairs:")
        for r in result.repairs:
            rows.append(f"  line {r.line} {r.name}: {r.before!r}")
            rows.append(f"  {'':>{len(str(r.line)) + 5}} {'':<{len(r.name)}}  -> {r.after!r}")
    return "\n".join(rows) + "\n"


def _write(stream: BinaryIO, text: str) -> None:
    stream.write(text.encode("utf-8", errors="replace"))
    stream.flush()


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


# --------------------------------------------------------------------------- the filter


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        with open(name, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def _config(args: argparse.Namespace) -> Config:
    return Config(threshold=args.threshold, keep_title=not args.no_title, repair=not args.no_repair)


def run_clean(args: argparse.Namespace) -> int:
    """One document from a file or stdin to stdout."""
    data = _read_input(args.file)
    from .textio import decode_bytes, looks_like_html

    text, warnings = decode_bytes(data)
    del data
    for w in warnings:
        _warn(w)
    is_html = looks_like_html(text) if args.html is None else args.html
    if is_html:
        from .html import html_to_lines

        text = "\n".join(html_to_lines(text))
    from .pipeline import Cleaner

    cleaner = Cleaner(_config(args), model=args.model, trust_model=args.trust_model)
    result = cleaner.explain(text)  # a Cleaner's first call: no scikit-learn import (Cleaner._predict)
    if args.json:
        output = json.dumps(result.to_dict(), ensure_ascii=False) + "\n"
    elif args.explain and args.format == "marked":
        from .labeled import to_marked

        output = to_marked(result, preamble=True)
    elif args.explain:
        output = format_explanation(result)
    else:
        output = result.text
    _write(sys.stdout.buffer, output)
    return EXIT_OK


# --------------------------------------------------------------------------- JSONL batch


class _Reporter:
    """Per-record errors to stderr (capped) and to --errors FILE; progress bar; final summary."""

    def __init__(self, errors_path: str | None, quiet: bool) -> None:
        self.quiet = quiet
        self.shown = 0
        self.hidden = 0
        self.errors_file = None
        if errors_path:
            try:
                self.errors_file = open(errors_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise InputError(f"cannot write {errors_path}: {exc.strerror or exc}") from None
        self.bar: Any = None
        if not quiet and _isatty(sys.stderr):
            from tqdm import tqdm

            self.bar = tqdm(file=sys.stderr, unit=" docs", dynamic_ncols=True, desc="declutter")
            self.done = 0

    def record_error(self, err: Any) -> None:
        if self.errors_file is not None:
            self.errors_file.write(err.to_json() + "\n")
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
        if self.errors_file is not None:
            self.errors_file.close()
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
    for name, default in _BATCH_DEFAULTS.items():
        if getattr(args, name, None) is None:
            setattr(args, name, default)
    if args.backend != "dask" and args.scheduler:
        raise _Usage("--scheduler needs --backend dask")
    from .batch import BatchOptions, run_batch
    from .textio import AtomicOutput, open_input

    options = BatchOptions(
        field=args.field, output_field=args.output_field, meta_field=None if args.no_meta else "declutter",
        on_error=args.on_error, max_chars=args.max_chars, html=args.html, model=args.model,
        trust_model=args.trust_model, config=_config(args),
    )
    _check_model(options)
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


def _check_model(options: Any) -> None:
    """Fail before starting workers when the model file or its card is missing (cheap: no unpickling)."""
    from .model import model_card

    model_card(options.model)


class _Usage(Exception):
    """A bad combination of options found after parsing: exit 2 like argparse."""


def _register_batch(subparsers: Any) -> None:
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


def _register_model_commands(subparsers: Any) -> None:
    """`label`, `train` and `eval` (declutter.cli_model), when that module is present."""
    try:
        from .cli_model import register
    except ModuleNotFoundError as exc:  # pragma: no cover - only before cli_model lands
        if exc.name != f"{__package__}.cli_model":
            raise
        return
    register(subparsers)


#: Functions that add subcommands to argparse subparsers (see the module docstring).
REGISTRARS: list[Callable[[Any], None]] = [_register_batch, _register_model_commands]


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version or a usage error
        return int(exc.code or 0)
    try:
        if args.command != "clean":
            return int(args.run(args))
        if args.jsonl:
            return run_jsonl(args, [args.file], "-")
        return run_clean(args)
    except DeclutterError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except _Usage as exc:
        print(f"declutter: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except MemoryError:
        _error("out of memory: the input is too large for this machine (with --jsonl, lower --max-chars)")
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
