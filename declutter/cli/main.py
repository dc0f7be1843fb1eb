"""The `declutter` command: a filter from stdin (or a file) to clean text on stdout, plus subcommands.

    declutter [FILE|-] [options]          one document (the filter)
    declutter --jsonl [FILE|-] [options]  a JSONL stream, stdin to stdout
    declutter batch IN... -o OUT          JSONL files (.gz too), on every core

A first argument naming a subcommand runs it; anything else is the filter,
so `declutter story.txt` keeps working (a file literally named `batch` is
`./batch`). Subcommands come from `REGISTRARS`: functions that add their
parsers to argparse subparsers, each with `set_defaults(run=fn)` where
`fn(args)` returns the exit status (`batch` here; `label`, `train` and `eval`
from `teach.register`).

`parse_args(argv)` is apart from `main(argv)` so tests can run the CLI in
process. Library errors become one `declutter: error: ...` line and a
non-zero exit here, at the edge; nothing below this module exits.
Heavy modules (scikit-learn, joblib, tqdm, selectolax) are imported only on
the paths that use them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .. import __version__
from ..errors import DeclutterError
from .batch import UsageError, register_batch, run_jsonl
from .filter import EXAMPLES, add_filter_arguments, run_clean
from .options import (
    BATCH_DEFAULTS,
    EXIT_BROKEN_PIPE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    error,
    report,
    silence_stdout,
)
from .teach import register as register_teaching

__all__ = ["REGISTRARS", "build_command_parser", "build_parser", "main", "parse_args", "subcommands"]

#: Functions that add subcommands to argparse subparsers (see the module docstring).
REGISTRARS: list[Callable[[Any], None]] = [register_batch, register_teaching]


def build_parser() -> argparse.ArgumentParser:
    """The filter: `declutter [FILE|-]`."""
    parser = argparse.ArgumentParser(
        prog="declutter",
        description="Strip boilerplate lines (banners, teasers, credits, captions) from scraped "
        "news text and repair quotes, spacing and invisible characters in what is kept. "
        "Subcommands: " + ", ".join(subcommands(build_command_parser())) + " (declutter COMMAND -h).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_filter_arguments(parser)
    parser.add_argument("--version", action="version", version=f"declutter {__version__}")
    return parser


def build_command_parser() -> argparse.ArgumentParser:
    """`declutter COMMAND ...`: every registered subcommand."""
    parser = argparse.ArgumentParser(prog="declutter", formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in REGISTRARS:
        register(subparsers)
    return parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommand parsers of `parser`, by name."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse a command line; `args.command` is "clean" for the filter or a subcommand's name."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-"):
        commands = build_command_parser()
        if argv[0] in subcommands(commands):
            return commands.parse_args(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.command = "clean"
    if args.jsonl and args.encoding:
        parser.error("--encoding applies to text and HTML input: JSONL is UTF-8 by its spec")
    if not args.jsonl:
        given = [name for name in BATCH_DEFAULTS if getattr(args, name) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            parser.error(f"{flag} applies to JSONL input only: add --jsonl, or use `declutter batch`")
    return args


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
        return report(exc)
    except UsageError as exc:
        print(f"declutter: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except MemoryError:
        error("out of memory: the input is too large for this machine (with --jsonl, lower --max-chars)")
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
