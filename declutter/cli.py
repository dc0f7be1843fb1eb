"""The `declutter` command: a filter from stdin (or a file) to clean text on stdout.

`parse_args(argv)` is apart from `main(argv)` so tests can run the CLI in
process. Library errors become one `declutter: error: ...` line and a
non-zero exit here, at the edge; nothing below this module exits.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO, Sequence

from . import __version__
from .config import Config
from .errors import DeclutterError, InputError

__all__ = ["main", "parse_args", "build_parser"]

EXAMPLES = """\
examples:
  declutter < story.txt > clean.txt        clean one story (stdin to stdout)
  declutter story.txt --explain            every line with label, P(boilerplate), reason; every repair
  declutter story.txt --json               {"title", "text", "metadata", "lines": [...]}
  declutter page.html                      an HTML page: rendered to text lines first
  declutter story.txt --no-title --threshold 0.7
  declutter story.txt --model my.skops     a model made by `declutter train`

exit status: 0 ok, 1 bad input or model, 2 bad usage.
"""

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="declutter",
        description="Strip boilerplate lines (banners, teasers, credits, captions) from scraped "
        "news text and repair quotes, spacing and invisible characters in what is kept.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", default="-", help="text or HTML file to clean; - or nothing reads stdin")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--explain", action="store_true", help="print every line with its label, score and reason, then the repairs")
    out.add_argument("--json", action="store_true", help='print {"title", "text", "metadata", "lines": [...], "repairs": [...]}')
    parser.add_argument("--no-title", action="store_true", help="drop the headline from the text")
    parser.add_argument(
        "--threshold", type=_probability, default=None, metavar="P",
        help="drop a line when P(boilerplate) >= P (default: the model card's tuned value; lower drops more)",
    )
    parser.add_argument("--model", metavar="PATH", default=None, help="a NAME.skops model with its NAME.json card (default: the shipped model)")
    parser.add_argument("--trust-model", action="store_true", help="load a model whose card hash or content types do not check out (only for files you made)")
    parser.add_argument("--no-repair", action="store_true", help="keep kept lines exactly as they came (no quote/space repairs)")
    parser.add_argument("--html", dest="html", action="store_true", default=None, help="treat the input as an HTML page (default: detect)")
    parser.add_argument("--text", dest="html", action="store_false", help="treat the input as plain text even if it looks like HTML")
    parser.add_argument("--version", action="version", version=f"declutter {__version__}")
    return parser


def _probability(value: str) -> float:
    try:
        p = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"{p} is not between 0 and 1")
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        with open(name, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def _warn(message: str) -> None:
    print(f"declutter: warning: {message}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"declutter: error: {message}", file=sys.stderr)


def format_explanation(result: "Result") -> str:  # noqa: F821 - imported lazily
    """jusText-style debug view: one row per line, then the repairs."""
    rows = [f"{'#':>4}  {'label':<11} {'p_boil':>6}  {'reason':<9} text"]
    for line in result.lines:
        score = "" if line.score is None else f"{line.score:.3f}"
        rows.append(f"{line.index:>4}  {line.label or '-':<11} {score:>6}  {line.reason or '-':<9} {line.text}")
        for cut in line.cuts:
            rows.append(f"{'':>4}  {'':<11} {'':>6}  {'cut':<9} {cut.strip()!r}")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version or a usage error
        return int(exc.code or 0)
    try:
        data = _read_input(args.file)
        from .textio import decode_bytes, looks_like_html

        text, warnings = decode_bytes(data)
        for w in warnings:
            _warn(w)
        is_html = looks_like_html(text) if args.html is None else args.html
        if is_html:
            from .html import html_to_lines

            text = "\n".join(html_to_lines(text))
        from .pipeline import Cleaner

        config = Config(threshold=args.threshold, keep_title=not args.no_title, repair=not args.no_repair)
        cleaner = Cleaner(config, model=args.model, trust_model=args.trust_model)
        result = cleaner.explain(text)
        if args.json:
            output = json.dumps(result.to_dict(), ensure_ascii=False) + "\n"
        elif args.explain:
            output = format_explanation(result)
        else:
            output = result.text
        _write(sys.stdout.buffer, output)
    except DeclutterError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
