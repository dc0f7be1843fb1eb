"""What the subcommands share: exit statuses, option validators, the cleaning and batch options, messages.

Options that mean the same in several subcommands are added by one function
here (sqlite-utils' shared decorators, in argparse), so they are spelled and
documented once.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from ..config import SHAPE_CHOICES, Config
from ..errors import DeclutterError

__all__ = [
    "BATCH_DEFAULTS", "EXIT_BROKEN_PIPE", "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE",
    "add_batch_options", "add_cleaning_options", "add_model_options", "encoding_name", "error", "guarded",
    "jobs_count", "model_path", "positive_int", "probability", "progress_printer", "report", "silence_stdout", "warn",
]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
#: A reader that closed the pipe early (`declutter ... | head -1`): the status a shell
#: reports for a process ended by SIGPIPE (128 + 13), what `cat big | head -1` gives.
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE if hasattr(signal, "SIGPIPE") else EXIT_ERROR


# --------------------------------------------------------------------------- options


def probability(value: str) -> float:
    """argparse type: a number between 0 and 1."""
    try:
        p = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"{p} is not between 0 and 1")
    return p


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not positive")
    return n


def jobs_count(value: str) -> int:
    """argparse type: a number of jobs, joblib's way (-1 all cores; never 0)."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n == 0:
        raise argparse.ArgumentTypeError("0 jobs: use 1 for one process, -1 for all cores")
    return n


def encoding_name(value: str) -> str:
    """An encoding Python can decode with, by any of its names ("latin-1", "Shift-JIS")."""
    from ..io.encodings import normal_name

    name = normal_name(value)
    if name is None:
        raise argparse.ArgumentTypeError(
            f"unknown encoding {value!r}: give a name Python knows, e.g. cp1252, latin-1, shift_jis, gb18030, koi8-r"
        )
    return name


def add_cleaning_options(parser: argparse.ArgumentParser) -> None:
    """Options that decide what a Cleaner keeps (shared by the filter and `batch`)."""
    parser.add_argument("--no-title", action="store_true", help="drop the headline from the text")
    parser.add_argument(
        "--threshold", type=probability, default=None, metavar="P",
        help="drop a line when P(boilerplate) >= P (default: the model card's tuned value; lower drops more)",
    )
    parser.add_argument("--no-repair", action="store_true", help="keep kept lines exactly as they came (no quote/space repairs)")
    parser.add_argument(
        "--single-pass", action="store_true",
        help="clean each document in one pass, about half the CPU; the output may change if cleaned again "
        "(default: clean to a fixed point, so cleaning the output again changes nothing)",
    )
    parser.add_argument(
        "--shape", choices=SHAPE_CHOICES, default=Config().shape,
        help="what the input is: 'residue' (an extractor's output: one cut for every line, keeps more lists, "
        "tables and short lines), 'page' (all of a page's text: the lower page cut outside the story), or "
        "'auto' (judged per document from its scores; default)",
    )
    kind = parser.add_mutually_exclusive_group()  # both at once is refused (exit 2), not the last one winning
    kind.add_argument(
        "--html", dest="html", action="store_true", default=None,
        help="treat the input as an HTML page (default: detect); with JSONL, --field defaults to html and --output-field to text",
    )
    kind.add_argument("--text", dest="html", action="store_false", help="treat the input as plain text even if it looks like HTML")
    parser.add_argument("--model", metavar="PATH", default=None, help="a NAME.skops model with its NAME.json card (default: the shipped model)")
    parser.add_argument("--trust-model", action="store_true", help="load a model whose card hash or content types do not check out (only for files you made)")


# Batch options and their defaults. The filter accepts them only with --jsonl,
# so their parser defaults are None and the real defaults are applied here.
BATCH_DEFAULTS: dict[str, Any] = {
    "field": "text", "output_field": None, "jobs": -1, "backend": "loky", "scheduler": None,
    "chunk_size": 256, "max_chars": 5_000_000, "on_error": "pass", "errors": None, "quiet": False,
    "no_meta": False, "outlet_memory": False, "outlet_field": None,
}


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    """Options of JSONL runs (`--jsonl` and `declutter batch`)."""
    group = parser.add_argument_group("JSONL batch options")
    group.add_argument("--field", metavar="NAME", default=None, help="the field holding the text (default: text; with --html: html)")
    group.add_argument(
        "--output-field", metavar="NAME", default=None,
        help="put the cleaned text here instead of replacing --field (default with --html and no --field: text)",
    )
    group.add_argument("--no-meta", action="store_true", default=None, help='do not add the "declutter" object to each record')
    group.add_argument("-j", "--jobs", type=jobs_count, metavar="N", default=None, help="worker processes (default: -1, all cores; 1: no workers); an input under ~3 s of work stays in one process")
    group.add_argument(
        "--backend", choices=("loky", "dask"), default=None,
        help="loky: processes on this machine (default); dask: a Dask cluster (needs --scheduler, pip install 'declutter[dask]')",
    )
    group.add_argument("--scheduler", metavar="ADDRESS", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    group.add_argument("--chunk-size", type=positive_int, metavar="N", default=None, help="records per task (default: 256)")
    group.add_argument(
        "--max-chars", type=positive_int, metavar="N", default=None,
        help="a text of more characters than this is an error (too_large), not cleaned (default: 5,000,000)",
    )
    group.add_argument(
        "--on-error", choices=("pass", "skip"), default=None,
        help="a record that fails: pass it through unchanged (default) or skip it",
    )
    group.add_argument(
        "--outlet-memory", action="store_true", default=None,
        help="read the input files once first and drop the long lines an outlet repeats across its documents "
        "(in >= 3 and >= 5%% of them); the outlet is --outlet-field, else the host of the record's url",
    )
    group.add_argument("--outlet-field", metavar="NAME", default=None, help="the field naming a record's outlet (default: the host of its url field)")
    group.add_argument("--errors", metavar="FILE", default=None, help='write each failed record as JSONL {"line", "reason", "error"} to FILE')
    group.add_argument("-q", "--quiet", action="store_true", default=None, help="no progress bar, no summary, no per-record messages")


def add_model_options(parser: argparse.ArgumentParser, help_: str = "") -> None:
    """--model and --trust-model as the teaching subcommands take them ('default' names the shipped model)."""
    parser.add_argument(
        "--model",
        metavar="PATH",
        default="default",
        help=help_ or "a NAME.skops model, or 'default' (the shipped model)",
    )
    parser.add_argument(
        "--trust-model",
        action="store_true",
        help="load a model whose card hash or content types do not check out (only for files you made)",
    )


def model_path(value: str) -> str | None:
    """'default' -> None (the shipped model), else a path."""
    return None if value == "default" else value


def warn(message: str) -> None:
    """One `declutter: warning: ...` line on stderr."""
    print(f"declutter: warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    """One `declutter: error: ...` line on stderr."""
    print(f"declutter: error: {message}", file=sys.stderr)


def report(exc: DeclutterError) -> int:
    """One error line for a library error; after an output error stdout is silenced, so the
    interpreter's last flush of what could not be written prints nothing more."""
    from ..errors import OutputError

    error(str(exc))
    if isinstance(exc, OutputError):
        silence_stdout()
    return EXIT_ERROR


def silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def progress_printer(args: argparse.Namespace) -> Callable[..., None]:
    """print() to stderr for a subcommand's progress, or nothing with --quiet."""
    if getattr(args, "quiet", False):
        return lambda *_: None
    return lambda *parts: print(*parts, file=sys.stderr, flush=True)


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A subcommand whose library errors become one error line and exit status 1."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except DeclutterError as exc:
            return report(exc)
        except ValueError as exc:  # e.g. training data with one class only
            error(str(exc))
            return EXIT_ERROR
        except BrokenPipeError:
            silence_stdout()
            return EXIT_BROKEN_PIPE
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED

    wrapped.__name__ = run.__name__
    wrapped.__doc__ = run.__doc__
    return wrapped
