"""Marked text: a labeled document as a person edits it, one mark per line.

>>> doc = LabeledText("p1", [LabeledLine("Big news", "title"), LabeledLine("Read more", "boilerplate", flag="")], outlet="x.com")
>>> print(dumps_marked([doc]), end="")
@@ {"id": "p1", "outlet": "x.com"}
T Big news
-! Read more
>>> loads_marked(dumps_marked([doc])) == [doc]
True
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from .labeled import MARKS, LabeledFormatError, LabeledLine, LabeledText, from_result

__all__ = ["MARKED_PREAMBLE", "dumps_marked", "loads_marked", "to_marked"]

_LABEL_OF = {mark: label for label, mark in MARKS.items()}
_FLAG = "!"
_HEADER = "@@"

MARKED_PREAMBLE = (
    '# declutter marked text: one document line per line. "+ " article, "T " title, '
    '"- " boilerplate, "? " unknown.\n'
    '# "!" after a mark flags a line to check ("#! why" above it). Change marks, not text; '
    '"@@ {...}" starts a document.\n'
)


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
    """The documents of marked text; `name` prefixes errors."""
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
