"""Plain text -> Document: physical lines, the blank-line layout, a metadata header.

A *line* is one physical, non-blank line of the input (LABELING.md, "The unit").
Blank lines only separate paragraphs, so each line remembers whether a blank
line stood before it; rendering uses that to give the input's layout back.

A `Document` is columnar (texts, blank-line flags, metadata): that is all
cleaning needs. `Line` objects, one per line with every decision on it, are
made only to explain a result (`Cleaner.explain`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import compress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "BOILERPLATE",
    "LABELS",
    "SHAPES",
    "SHORT_TOKENS",
    "TITLE",
    "ARTICLE",
    "Document",
    "Line",
    "Repair",
    "Result",
    "lines_document",
    "render",
    "resplit",
    "split_document",
]

#: A line's labels; a probability matrix has one column per label, in this order.
LABELS = ("article", "title", "boilerplate")
#: The columns of a probability matrix: `proba[:, BOILERPLATE]` is every line's P(boilerplate).
ARTICLE, TITLE, BOILERPLATE = range(len(LABELS))
#: The two shapes of input declutter meets: an extractor's residue (mostly article) and all of a page's text.
SHAPES = ("residue", "page")
#: A line with fewer words is "short": alignment places it by position, outlet memory trusts it less.
SHORT_TOKENS = 4

# A metadata header glued to the first line, as some scrapers write it:
# " date 1999-07-04 Support The Moscow Times!". Only well-formed values are
# taken, so a story that opens with the word "date" is left alone. Zero-width
# characters and soft hyphens count as space here: the repair layer deletes
# them, and a header it would uncover must be taken now, not by the next
# clean (clean(clean(x)) == clean(x)).
_GAP = r"[\s\u200b\ufeff\u2060\u00ad]"
_NOT_GAP = r"[^\s\u200b\ufeff\u2060\u00ad]"
_HEADER_FIELD = re.compile(
    rf"{_GAP}*(?:"
    rf"(?P<date>date){_GAP}+(?P<date_v>\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?{_NOT_GAP}*)?)"
    rf"|(?P<url>url){_GAP}+(?P<url_v>https?://{_NOT_GAP}+)"
    rf"|(?P<lang>lang){_GAP}+(?P<lang_v>[a-z]{{2,3}}(?:-[A-Za-z]{{2,4}})?)"
    rf")(?={_GAP}|$)"
)
_LEADING_GAP = re.compile(f"{_GAP}*")


@dataclass(slots=True)
class Repair:
    """One repair applied to one kept line: what rule, and the line before/after it."""

    line: int
    name: str
    before: str
    after: str


@dataclass(slots=True)
class Line:
    """One physical line and every decision taken on it."""

    index: int
    text: str
    blank_before: bool = False
    score: float | None = None  # model P(boilerplate)
    title_score: float | None = None  # model P(title)
    # The P(boilerplate) from which this line is dropped: the residue threshold,
    # or the lower page threshold in a page-like document outside its story stretch.
    threshold: float | None = None
    label: str | None = None  # "article" | "title" | "boilerplate"
    reason: str | None = None  # "model", "context:...", "duplicate", "empty", ...
    output: str | None = None  # kept text after cuts and repairs; None when dropped
    cuts: list[str] = field(default_factory=list)  # sub-line pieces cut away

    @property
    def kept(self) -> bool:
        return self.label in ("article", "title")


@dataclass(slots=True)
class Document:
    """One text as the Cleaner reads it: its lines, where blank lines stood, and the metadata header.

    >>> Document.of_lines(["Headline", "Body."]).lines[1]
    Line(index=1, text='Body.', blank_before=False, score=None, title_score=None, threshold=None, label=None, reason=None, output=None, cuts=[])
    """

    texts: list[str]
    blank_before: list[bool]
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_lines(cls, texts: Sequence[str]) -> Document:
        """Lines taken as they are (labeled documents): no header, no blank lines."""
        return cls(list(texts), [False] * len(texts), {})

    @property
    def lines(self) -> list[Line]:
        """A fresh `Line` per line, before any decision."""
        return list(map(Line, range(len(self.texts)), self.texts, self.blank_before))


@dataclass(slots=True)
class Result:
    """What `clean_and_explain` returns: the clean text and why each line went where it did."""

    text: str
    title: str | None
    metadata: dict[str, str]
    lines: list[Line]
    repairs: list[Repair]
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "metadata": self.metadata,
            "model": self.model,
            "lines": [asdict(line) for line in self.lines],
            "repairs": [asdict(r) for r in self.repairs],
        }


def parse_header(first_line: str) -> tuple[dict[str, str], str]:
    """Split a leading metadata header off the first line.

    >>> parse_header(" date 1999-07-04 Support The Moscow Times!")
    ({'date': '1999-07-04'}, 'Support The Moscow Times!')
    >>> parse_header(" date\\u200b 1999-07-04\\u200b Support")
    ({'date': '1999-07-04'}, 'Support')
    >>> parse_header("date night ideas")
    ({}, 'date night ideas')
    """
    metadata: dict[str, str] = {}
    pos = 0
    while True:
        match = _HEADER_FIELD.match(first_line, pos)
        if not match:
            break
        key = match.lastgroup or ""
        key = key.removesuffix("_v")
        metadata[key] = match.group(key + "_v")
        pos = match.end()
    if not metadata:
        return {}, first_line
    return metadata, first_line[_LEADING_GAP.match(first_line, pos).end() :]  # type: ignore[union-attr]


def split_document(text: str) -> Document:
    """Split text into non-blank physical lines, remembering blank-line gaps and the header.

    >>> doc = split_document(" date 1999-07-04 Title\\n\\nBody one.\\nBody two.\\n")
    >>> doc.metadata, doc.texts, doc.blank_before
    ({'date': '1999-07-04'}, ['Title', 'Body one.', 'Body two.'], [False, True, False])
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return lines_document(text.split("\n"))


def lines_document(raw_lines: Sequence[str]) -> Document:
    """A Document of physical lines already split (an HTML page's rendered lines): what
    `split_document` makes of them joined by newlines (none holds a line break), without
    joining and splitting again.

    >>> lines_document(["date 1999-07-04 Title", "", "Body."]).texts
    ['Title', 'Body.']
    """
    raw_lines = list(raw_lines)
    metadata: dict[str, str] = {}
    # The header can only be glued to the first non-blank line.
    first = next((k for k, raw in enumerate(raw_lines) if raw.strip()), len(raw_lines))
    if first < len(raw_lines):
        metadata, raw_lines[first] = parse_header(raw_lines[first])
    texts: list[str] = []
    blank_before: list[bool] = []
    blank = False
    for raw in raw_lines[first:]:
        if raw.isspace() or not raw:
            blank = True
            continue
        blank_before.append(blank and bool(texts))
        texts.append(raw.rstrip())
        blank = False
    return Document(texts, blank_before, metadata)


def resplit(outputs: Sequence[str | None], blank_before: Sequence[bool]) -> tuple[list[str], list[bool], np.ndarray] | None:
    """What cleaning the rendered outputs again would start from: its lines, their blank-line flags, and
    the index in `outputs` each line came from; None when an output holds a line break.

    The same as `split_document(render(outputs, blank_before))`, so a
    Cleaner can clean its own output again (`Cleaner`, "Cleaning to a fixed
    point") without rendering it and making every line again: each output
    is one line, unless the first one is a metadata header only, which
    splitting takes off.

    >>> outputs, blank = ["date 1999-01-01 Title", None, "Body. ", "More."], [False, True, True, False]
    >>> texts, blank_flags, kept = resplit(outputs, blank)
    >>> texts, blank_flags, kept.tolist()
    (['Title', 'Body.', 'More.'], [False, True, False], [0, 2, 3])
    >>> doc = split_document(render(outputs, blank))
    >>> resplit(outputs, blank)[:2] == (doc.texts, doc.blank_before)
    True
    >>> texts, blank_flags, kept = resplit(["date 1999-01-01", "Body."], [False, False])
    >>> texts, blank_flags, kept.tolist()
    (['Body.'], [False], [1])
    """
    import numpy as np

    # Flags and an index array, not a list of ints (a million kept lines' ints took 36 MB).
    flags = [output is not None for output in outputs]
    texts = [output.rstrip() for output in compress(outputs, flags)]  # type: ignore[union-attr]
    if any("\n" in text or "\r" in text for text in texts):
        return None
    blank = list(compress(blank_before, flags))
    kept = np.flatnonzero(np.array(flags, dtype=bool)) if flags else np.zeros(0, dtype=np.int64)
    if texts:
        texts[0] = parse_header(texts[0])[1]
        if texts[0].isspace() or not texts[0]:
            del texts[0], blank[0]
            kept = kept[1:]
    if blank:
        blank[0] = False
    return texts, blank, kept


def render(outputs: Sequence[str | None], blank_before: Sequence[bool]) -> str:
    """Join the lines' outputs (None: dropped) with the input's layout: a blank line wherever the input had one.

    A line whose predecessor was dropped keeps its own blank-line flag, so a
    document of blank-separated paragraphs stays one.

    >>> render(["Title", None, "Body."], [False, True, True])
    'Title\\n\\nBody.\\n'
    """
    parts: list[str] = []
    for output, blank in zip(outputs, blank_before):
        if output is None:
            continue
        if parts:
            parts.append("\n\n" if blank else "\n")
        parts.append(output)
    if parts:
        parts.append("\n")
    return "".join(parts)
