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

>>> doc = LabeledText("p1", [LabeledLine("Big news", "title"), LabeledLine("Read more", "boilerplate", flag="")], outlet="x.com")
>>> print(dumps_marked([doc]), end="")
@@ {"id": "p1", "outlet": "x.com"}
T Big news
-! Read more
>>> loads_marked(dumps_marked([doc])) == [doc]
True
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, TextIO

from .errors import InputError

__all__ = [
    "LabeledLine",
    "LabeledText",
    "LabeledFormatError",
    "MARKS",
    "MARKED_PREAMBLE",
    "dumps_jsonl",
    "dumps_marked",
    "from_result",
    "loads_jsonl",
    "loads_marked",
    "read_labeled",
    "to_labeled_docs",
    "to_marked",
    "write_labeled",
]

#: Label -> mark at the start of a marked line (None = unknown, not learned from).
MARKS: dict[str | None, str] = {"article": "+", "title": "T", "boilerplate": "-", None: "?"}
_LABEL_OF = {mark: label for label, mark in MARKS.items()}
_FLAG = "!"
_HEADER = "@@"

MARKED_PREAMBLE = (
    '# declutter marked text: one document line per line. "+ " article, "T " title, '
    '"- " boilerplate, "? " unknown.\n'
    '# "!" after a mark flags a line to check ("#! why" above it). Change marks, not text; '
    '"@@ {...}" starts a document.\n'
)


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
        record["lines"] = [_line_dict(line) for line in self.lines]
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


def _line_dict(line: LabeledLine) -> dict[str, Any]:
    out: dict[str, Any] = {"text": line.text, "label": line.label}
    if line.flag is not None:
        out["flag"] = line.flag
    out.update(line.extra)
    return out


# --------------------------------------------------------------------- JSONL


def dumps_jsonl(docs: Iterable[LabeledText]) -> str:
    return "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs)


def loads_jsonl(text: str, name: str = "<string>") -> list[LabeledText]:
    return list(_iter_jsonl(io.StringIO(text), name))


def _iter_jsonl(fh: TextIO, name: str) -> Iterator[LabeledText]:
    for number, raw in enumerate(fh, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            raise LabeledFormatError(f"{name}:{number}: not a JSON line ({exc})") from None
        yield LabeledText.from_dict(record, f"{name}:{number}")


# --------------------------------------------------------------- marked text


def dumps_marked(docs: Iterable[LabeledText], preamble: str = "") -> str:
    """Marked text of documents (optionally after a comment preamble)."""
    parts = [preamble] if preamble else []
    for n, doc in enumerate(docs):
        header = {k: v for k, v in doc.to_dict().items() if k != "lines"}
        if n:
            parts.append("\n")
        parts.append(f"{_HEADER} {json.dumps(header, ensure_ascii=False)}\n")
        for i, line in enumerate(doc.lines):
            if "\n" in line.text or "\r" in line.text:
                raise LabeledFormatError(
                    f"document {doc.id!r}, line {i}: a line break inside a line cannot be marked; write JSONL instead"
                )
            if line.extra:
                parts.append(f"#= {json.dumps(line.extra, ensure_ascii=False)}\n")
            mark = MARKS[line.label]
            if line.flag is not None:
                if "\n" in line.flag or "\r" in line.flag:
                    raise LabeledFormatError(
                        f"document {doc.id!r}, line {i}: a flag must be one line"
                    )
                if line.flag:
                    parts.append(f"#! {line.flag}\n")
                mark += _FLAG
            parts.append(f"{mark} {line.text}\n")
    return "".join(parts)


def loads_marked(text: str, name: str = "<string>") -> list[LabeledText]:
    return list(_iter_marked(io.StringIO(text, newline=""), name))


def _iter_marked(fh: TextIO, name: str) -> Iterator[LabeledText]:
    doc: LabeledText | None = None
    pending_flag: str | None = None
    pending_extra: dict[str, Any] | None = None
    implicit = 0
    for number, raw in enumerate(_physical_lines(fh), 1):
        where = f"{name}:{number}"
        if raw.startswith(_HEADER):
            if pending_flag is not None or pending_extra is not None:
                raise LabeledFormatError(
                    f"{where}: a '#!' or '#=' line must stand right above a document line"
                )
            if doc is not None:
                yield doc
            doc = _parse_header(raw[len(_HEADER) :], where, implicit)
            implicit += 1
            continue
        if raw.startswith("#!"):
            pending_flag = raw[2:].removeprefix(" ")
            continue
        if raw.startswith("#="):
            try:
                pending_extra = json.loads(raw[2:])
            except ValueError as exc:
                raise LabeledFormatError(
                    f"{where}: '#=' must be followed by a JSON object ({exc})"
                ) from None
            if not isinstance(pending_extra, dict):
                raise LabeledFormatError(f"{where}: '#=' must be followed by a JSON object")
            continue
        if raw.startswith("#") or not raw.strip():
            continue
        label, flagged, line_text = _parse_mark(raw, where)
        if doc is None:  # marks before any header: one document named after the file
            doc = LabeledText(f"{Path(name).stem}-{implicit}", [])
            implicit += 1
        flag = (pending_flag if pending_flag is not None else "") if flagged else None
        doc.lines.append(LabeledLine(line_text, label, flag, pending_extra or {}))
        pending_flag = pending_extra = None
    if pending_flag is not None or pending_extra is not None:
        raise LabeledFormatError(f"{name}: the file ends after a '#!' or '#=' line")
    if doc is not None:
        yield doc


def _physical_lines(fh: TextIO) -> Iterator[str]:
    """Lines split on "\\n" only (a line's text may hold U+2028 and the like);
    a trailing "\\r" (a file saved with CRLF) is dropped."""
    rest = ""
    while True:
        chunk = fh.read(1 << 16)
        if not chunk:
            break
        rest += chunk
        *complete, rest = rest.split("\n")
        for line in complete:
            yield line.removesuffix("\r")
    if rest:
        yield rest.removesuffix("\r")


def _parse_header(raw: str, where: str, implicit: int) -> LabeledText:
    raw = raw.strip()
    if not raw:
        return LabeledText(f"doc-{implicit}", [])
    try:
        record = json.loads(raw)
    except ValueError as exc:
        raise LabeledFormatError(
            f"{where}: '@@' must be followed by a JSON object ({exc})"
        ) from None
    if not isinstance(record, dict):
        raise LabeledFormatError(f"{where}: '@@' must be followed by a JSON object")
    record.setdefault("id", f"doc-{implicit}")
    return LabeledText.from_dict({**record, "lines": []}, where)


def _parse_mark(raw: str, where: str) -> tuple[str | None, bool, str]:
    mark = raw[:1]
    if mark not in _LABEL_OF:
        raise LabeledFormatError(
            f"{where}: expected a mark ('+ ' article, 'T ' title, '- ' boilerplate, '? ' unknown), "
            f"'@@' or '#', got {raw[:20]!r}"
        )
    rest = raw[1:]
    flagged = rest.startswith(_FLAG)
    if flagged:
        rest = rest[1:]
    if rest and not rest.startswith(" "):
        raise LabeledFormatError(
            f"{where}: put one space between the mark {raw[: 1 + flagged]!r} and the text"
        )
    return _LABEL_OF[mark], flagged, rest[1:]


# ---------------------------------------------------------------- files


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
    if name == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".gz"):
            with gzip.open(name, "wt", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            with open(name, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
    except OSError as exc:
        raise InputError(f"cannot write {name}: {exc.strerror or exc}") from None


# ------------------------------------------------------- other objects


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


def _as_labeled_text(obj: Any, n: int) -> LabeledText:
    if isinstance(obj, LabeledText):
        return obj
    if isinstance(obj, dict):
        return LabeledText.from_dict(obj)
    if hasattr(obj, "repairs") and hasattr(obj, "lines"):  # a Result
        return from_result(obj, id=f"doc-{n}")
    if hasattr(obj, "labels") and hasattr(obj, "lines"):  # a train.LabeledDoc
        meta = {k: v for k, v in obj.meta.items() if k != "id" and v is not None}
        for key in ("dataset", "shape"):
            if getattr(obj, key, None):
                meta[key] = getattr(obj, key)
        return LabeledText(
            str(obj.meta.get("id") or f"doc-{n}"),
            [LabeledLine(t, lab) for t, lab in zip(obj.lines, obj.labels)],
            obj.group,
            meta,
        )
    raise TypeError(
        f"cannot mark {type(obj).__name__}: give a Result, LabeledText, LabeledDoc or dict"
    )


def to_marked(result_or_doc: Any, preamble: bool = False) -> str:
    """Marked text of a `Result`, a `LabeledText`, a `LabeledDoc`, a JSONL record, or a list of them.

    >>> from declutter.document import Line, Result
    >>> r = Result("x", None, {}, [Line(0, "Read more", label="boilerplate", reason="model"), Line(1, "Body.", label="article", reason="model")], [])
    >>> print(to_marked(r), end="")
    @@ {"id": "doc-0"}
    - Read more
    + Body.
    """
    items = result_or_doc if isinstance(result_or_doc, (list, tuple)) else [result_or_doc]
    docs = [_as_labeled_text(obj, n) for n, obj in enumerate(items)]
    return dumps_marked(docs, MARKED_PREAMBLE if preamble else "")


def to_labeled_docs(docs: Iterable[LabeledText], weight: float = 1.0) -> list[Any]:
    """`train.LabeledDoc`s for `fit` / `extend` / `evaluate`.

    A document without a gold text gets one from its labels (the article
    lines), so token F1 can be computed for hand-labeled files too.
    """
    from .train import LabeledDoc

    out = []
    for doc in docs:
        gold = doc.meta.get("gold")
        if not gold:
            gold = "\n".join(line.text for line in doc.lines if line.label == "article")
        meta = {
            "id": doc.id,
            "gold": gold,
            "lang": doc.meta.get("lang"),
            "page_type": doc.meta.get("page_type"),
        }
        out.append(
            LabeledDoc(
                lines=[line.text for line in doc.lines],
                labels=[line.label for line in doc.lines],
                group=doc.group,
                dataset=str(doc.meta.get("dataset") or ""),
                shape=str(doc.meta.get("shape") or "residue"),
                weight=weight,
                meta=meta,
            )
        )
    return out
