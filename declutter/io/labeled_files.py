"""Labeled files of either form: JSONL(.gz) for machines, marked text for people, chosen by name."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError, OutputError
from .labeled import LabeledFormatError, LabeledText, dumps_jsonl, iter_jsonl, loads_jsonl
from .marked import MARKED_PREAMBLE, dumps_marked, loads_marked
from .output import AtomicOutput

__all__ = ["iter_labeled_jsonl", "read_labeled", "write_labeled"]


def _is_marked_name(name: str) -> bool | None:
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith((".jsonl", ".json", ".ndjson")):
        return False
    if lowered.endswith((".marked", ".txt", ".md")):
        return True
    return None


def read_labeled(path: str | Path) -> list[LabeledText]:
    """Documents of a labeled file (`-` = stdin): JSONL(.gz) or marked text,
    by extension (.jsonl / .marked), else by the first character."""
    name = str(path)
    try:
        if name == "-":
            text = sys.stdin.read()
        elif name.endswith(".gz"):
            with gzip.open(name, "rt", encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
        else:  # utf-8-sig: a file saved by a Windows editor starts with a BOM
            with open(name, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise LabeledFormatError(
            f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    marked = _is_marked_name(name)
    if marked is None:
        first = text.lstrip()[:1]
        marked = first != "{"
    return loads_marked(text, name) if marked else loads_jsonl(text, name)


def write_labeled(docs: Iterable[LabeledText], path: str | Path, *, preamble: bool = True) -> None:
    """Write documents as marked text or JSONL(.gz), by extension (`-`: marked, stdout)."""
    name = str(path)
    marked = _is_marked_name(name) is not False
    text = dumps_marked(docs, MARKED_PREAMBLE if preamble else "") if marked else dumps_jsonl(docs)
    if name != "-":
        try:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write {name}: {exc.strerror or exc}") from None
    with AtomicOutput(name) as out:  # whole or not at all, with the umask's mode; .gz compressed
        out.write(text.encode("utf-8"))


def iter_labeled_jsonl(path: str | Path) -> Iterator[LabeledText]:
    """The documents of a labeled JSONL(.gz) file, one at a time: training sets run to gigabytes.

    The same records `read_labeled` reads, checked the same way, without
    holding the file in memory.
    """
    name = str(path)
    try:
        if name.endswith(".gz"):
            with gzip.open(name, "rt", encoding="utf-8-sig") as fh:
                yield from iter_jsonl(fh, name)
        else:
            with open(name, encoding="utf-8-sig") as fh:
                yield from iter_jsonl(fh, name)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise LabeledFormatError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
