"""The filter, `declutter [FILE|-]`: one document from a file or stdin to clean text (or an explanation) on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, BinaryIO

from ..config import Config
from ..errors import InputError
from .options import EXIT_OK, add_batch_options, add_cleaning_options, encoding_name, warn

if TYPE_CHECKING:
    from ..document import Result

__all__ = ["EXAMPLES", "add_filter_arguments", "config_from_args", "format_explanation", "run_clean"]

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

exit status: 0 ok, 1 bad input, model or output (with --jsonl: also when any record failed),
2 bad usage, 141 when the reader of standard output closed the pipe (`declutter ... | head`).
"""


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filter's arguments: the input, the output form, and the cleaning and batch options."""
    parser.add_argument("file", nargs="?", default="-", help="text or HTML file to clean (with --jsonl: a JSONL file, .gz too); - or nothing reads stdin")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--explain", action="store_true", help="print every line with its label, score, threshold and reason, then the repairs")
    out.add_argument("--json", action="store_true", help='print {"title", "text", "metadata", "lines": [...], "repairs": [...]}')
    parser.add_argument(
        "--format", choices=("table", "marked"), default="table",
        help="with --explain: 'table' (default) or 'marked', the editable labeled-text form that `declutter train` reads",
    )
    out.add_argument(
        "--jsonl", action="store_true",
        help='read JSONL records and write them back with the "text" field cleaned (see JSONL batch options); '
        "JSONL is read and written as UTF-8, as its spec says",
    )
    parser.add_argument(
        "--encoding", type=encoding_name, metavar="NAME", default=None,
        help="decode the input as NAME (e.g. cp1252, shift_jis, gb18030, koi8-r). Default: UTF-8 (a BOM picks "
        "UTF-16/32); input that is not UTF-8 is decoded in the encoding detected, named in a warning. "
        "Not with --jsonl: JSONL is UTF-8 by its spec",
    )
    add_cleaning_options(parser)
    add_batch_options(parser)


def format_explanation(result: Result) -> str:
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


def write_stdout(stream: BinaryIO, text: str) -> None:
    """UTF-8 to `stream`; a failed write is an OutputError (a closed pipe stays BrokenPipeError)."""
    from ..io.output import GuardedWriter

    out = GuardedWriter(stream, "standard output")
    out.write(text.encode("utf-8", errors="replace"))
    out.flush()


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        with open(name, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def config_from_args(args: argparse.Namespace) -> Config:
    """The Config the cleaning options ask for."""
    return Config(
        threshold=args.threshold, keep_title=not args.no_title, repair=not args.no_repair,
        fixed_point=not args.single_pass, shape=args.shape,
    )


def run_clean(args: argparse.Namespace) -> int:
    """One document from a file or stdin to stdout."""
    data = _read_input(args.file)
    from ..io.textio import decode_bytes, looks_like_html

    text, warnings = decode_bytes(data, encoding=args.encoding)
    del data
    for w in warnings:
        warn(w)
    from ..document import lines_document, split_document

    is_html = looks_like_html(text) if args.html is None else args.html
    if is_html:
        from ..io.html import html_to_lines

        doc = lines_document(html_to_lines(text))
    else:
        doc = split_document(text)
    del text
    from ..pipeline import Cleaner

    cleaner = Cleaner(config_from_args(args), model=args.model, trust_model=args.trust_model)
    # A Cleaner's first call: no scikit-learn import (Cleaner._predict).
    if not (args.json or args.explain):
        # The text only: no record a line (a million-line document's records took 200 MB).
        write_stdout(sys.stdout.buffer, cleaner.summarize_documents([doc])[0].text)
        return EXIT_OK
    (result,) = cleaner.explain_documents([doc])
    if args.json:
        output = json.dumps(result.to_dict(), ensure_ascii=False) + "\n"
    elif args.format == "marked":
        from ..io.marked import to_marked

        output = to_marked(result, preamble=True)
    else:
        output = format_explanation(result)
    write_stdout(sys.stdout.buffer, output)
    return EXIT_OK
