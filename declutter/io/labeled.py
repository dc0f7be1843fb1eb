"""Labeled documents on disk: JSONL for machines, marked text for people.

A labeled document is a text split into lines, each with a label
(`article`, `title`, `boilerplate`, or unknown). `declutter label` writes
them, a person corrects the marks, `declutter train` and `declutter eval`
read them back. Both forms hold exactly the same information, so either can
be turned into the other and back without loss.

JSONL, one document per line (extra keys are kept as they are)::

    {"id": "p1", "outlet": "example.com", "lines": [{"text": "Big news", "label": "title"},
     {"text": "Read more", "label": "boilerplate", "flag": "reference: article; model: boilerplate (0.97)"}]}

Marked text, one document line per line, prefixed by its mark::

    # declutter marked text ...        comment (ignored)
    @@ {"id": "p1", "outlet": "example.com"}
    T Big news                          title
    + The council met on Monday.        article
    #! reference: article; model: boilerplate (0.97)
    -! Read more                        boilerplate, flagged: check it
    ? 12 comments                       unknown (not learned from)

A `!` right after the mark flags the line for review; a `#! ...` line just
above it says why. Remove the `!` once a line is checked, or leave it: the
flag never changes what is learned. `#= {...}` above a line holds any other
per-line fields as JSON. Blank lines are ignored; a document starts at each
`@@` header (a JSON object with the document's fields).

Marked text is read and written by `marked.py`, files of either kind by
`labeled_files.py`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..errors import InputError

__all__ = [
    "LabeledFormatError",
    "LabeledLine",
    "LabeledText",
    "MARKS",
    "dumps_jsonl",
    "from_result",
    "iter_jsonl",
    "line_dict",
    "loads_jsonl",
]

#: Label -> mark at the start of a marked line (None = unknown, not learned from).
MARKS: dict[str | None, str] = {"article": "+", "title": "T", "boilerplate": "-", None: "?"}


class LabeledFormatError(InputError):
    """A labeled file that cannot be read; the message names the file and line."""


@dataclass(slots=True)
class LabeledLine:
    """One line of a labeled document."""

    text: str
    label: str | None  # "article" | "title" | "boilerplate" | None (unknown)
    flag: str | None = None  # why a person should check this line; None: not flagged
    extra: dict[str, Any] = field(default_factory=dict)  # any other per-line fields


@dataclass(slots=True)
class LabeledText:
    """One labeled document: an id, its outlet, its lines, and any other fields.

    `meta` keeps every other top-level field of the JSONL record (shape,
    dataset, gold, url, ...) in order, so a record round-trips unchanged.
    """

    id: str
    lines: list[LabeledLine]
    outlet: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """The outlet, else the `site` of build_lines records, else the id."""
        return str(self.outlet or self.meta.get("site") or self.id)

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"id": self.id}
        if self.outlet is not None:
            record["outlet"] = self.outlet
        record.update(self.meta)
        record["lines"] = [line_dict(line) for line in self.lines]
        return record

    @classmethod
    def from_dict(cls, record: Any, where: str = "") -> "LabeledText":
        """Validate and convert one JSONL record; `where` ("file:line") prefixes errors."""
        prefix = f"{where}: " if where else ""
        if not isinstance(record, dict):
            raise LabeledFormatError(
                f'{prefix}expected a JSON object with "id" and "lines", got {type(record).__name__}'
            )
        lines = record.get("lines")
        if not isinstance(lines, list):
            raise LabeledFormatError(f'{prefix}the record has no "lines" list')
        doc_id = record.get("id")
        if doc_id is None:
            raise LabeledFormatError(f'{prefix}the record has no "id"')
        outlet = record.get("outlet")
        if outlet is not None and not isinstance(outlet, str):
            raise LabeledFormatError(f'{prefix}"outlet" must be a string')
        meta = {k: v for k, v in record.items() if k not in ("id", "outlet", "lines")}
        parsed = []
        for i, line in enumerate(lines):
            if not isinstance(line, dict) or not isinstance(line.get("text"), str):
                raise LabeledFormatError(
                    f'{prefix}line {i} of the record is not {{"text": str, "label": ...}}'
                )
            label = line.get("label")
            if label not in MARKS:
                raise LabeledFormatError(
                    f"{prefix}line {i} of the record has label {label!r}; use article, title, boilerplate or null"
                )
            flag = line.get("flag")
            if flag is not None and not isinstance(flag, str):
                raise LabeledFormatError(f'{prefix}line {i} of the record: "flag" must be a string')
            extra = {k: v for k, v in line.items() if k not in ("text", "label", "flag")}
            parsed.append(LabeledLine(line["text"], label, flag, extra))
        return cls(str(doc_id), parsed, outlet, meta)


def line_dict(line: LabeledLine) -> dict[str, Any]:
    """One line as its JSONL object: text, label, the flag if any, then any other fields."""
    out: dict[str, Any] = {"text": line.text, "label": line.label}
    if line.flag is not None:
        out["flag"] = line.flag
    out.update(line.extra)
    return out


# --------------------------------------------------------------------- JSONL


def dumps_jsonl(docs: Iterable[LabeledText]) -> str:
    """Documents as JSONL text, one record a line."""
    return "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs)


def loads_jsonl(text: str, name: str = "<string>") -> list[LabeledText]:
    """The documents of JSONL text; `name` prefixes errors."""
    return list(iter_jsonl(io.StringIO(text), name))


def iter_jsonl(fh: TextIO, name: str) -> Iterator[LabeledText]:
    """The documents of a labeled JSONL stream, one at a time; `name` prefixes errors."""
    for number, raw in enumerate(fh, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            raise LabeledFormatError(f"{name}:{number}: not a JSON line ({exc})") from None
        yield LabeledText.from_dict(record, f"{name}:{number}")


# --------------------------------------------------------- from a Result


def from_result(
    result: Any, id: str = "stdin", outlet: str | None = None, flag_context: bool = True
) -> LabeledText:
    """A labeled document from a `Result` (the model's opinion), for a person to correct.

    Lines whose label the context stage changed (reason `context`) are
    flagged: those are the model's least obvious calls.
    """
    lines = []
    for line in result.lines:
        flag = None
        if flag_context and line.reason == "context":
            flag = (
                f"context changed the line's own label (p_boil {line.score:.2f})"
                if line.score is not None
                else "context"
            )
        lines.append(LabeledLine(line.text, line.label, flag))
    meta: dict[str, Any] = {}
    if result.metadata:
        meta["metadata"] = dict(result.metadata)
    if result.model:
        meta["model"] = result.model
    return LabeledText(id, lines, outlet, meta)
