"""Lines the article holds that the line model alone would drop: structure between and after its paragraphs.

LABELING.md: lists, tables, code, schedules, Q&A and headings inside the
article are article. The line model learned from page text, where a short
line is nearly always navigation, and is sure of it: a meal plan, a spec
table, a speaker's name in an interview go at P(boilerplate) 0.99. Where
such a line sits says more than its text: between two paragraphs the model
keeps, in a block a kept paragraph announces with a colon, or in a list of
records whose field names recur after a kept paragraph. No rule keeps a line
whose own form says boilerplate whatever its context
(`features.announces_boilerplate`: a "Read more" marker, a credit, a bare
domain, a copyright line) or an empty table row.
"""

from __future__ import annotations

import re
from collections import Counter
from operator import methodcaller

import numpy as np

from .features import announces_boilerplate, first_to_last, in_ranges, pick

__all__ = [
    "INNER_SHORT_CHARS", "INNER_ANCHOR_CHARS", "HEADER_MAX_CHARS", "RECORD_FIELD_MIN_LINES", "RECORD_MIN_FIELDS",
    "RECORD_MAX_GAP", "announced_blocks", "inner_short_lines", "line_lengths", "record_blocks",
]

# A dropped line shorter than INNER_SHORT_CHARS stays when kept lines of at least INNER_ANCHOR_CHARS
# (paragraphs) come before and after it. The rules, not these values, move the figures
# (docs/experiments.md, "Short lines inside the article").
INNER_SHORT_CHARS = 30
INNER_ANCHOR_CHARS = 50
#: The longest line that may announce a block ("2012 Battleground Districts:").
HEADER_MAX_CHARS = 120

# A table row with no cell content ("|  |  |", "|---|---|"): a layout table's empty row.
_EMPTY_ROW = re.compile(r"[\s|:-]*\|[\s|:-]*")
_RSTRIP = methodcaller("rstrip")
_ENDS_COLON = methodcaller("endswith", (":", "："))


def line_lengths(texts: list[str]) -> np.ndarray:
    """Characters of every line (`len` at C speed: no tokenizer, and a CJK line counts like any other)."""
    return np.fromiter(map(len, texts), np.int32, len(texts))  # 4 bytes a line: a million-line document holds it


def _not_boilerplate_by_form(texts: list[str], rows: np.ndarray) -> np.ndarray:
    """The rows whose line neither announces boilerplate nor is an empty table row."""
    of_rows = pick(texts, rows)
    empty = np.fromiter(map(bool, map(_EMPTY_ROW.fullmatch, of_rows)), dtype=bool, count=len(rows))
    return rows[~empty & ~announces_boilerplate(of_rows)]


def inner_short_lines(
    texts: list[str], doc_ids: np.ndarray, dropped: np.ndarray, scope: np.ndarray, chars: np.ndarray | None = None
) -> np.ndarray:
    """Indices of dropped short lines to keep: kept paragraphs of their document come before and after them.

    Only lines in `scope` count, as paragraphs or as candidates (in a
    page-like document, its story stretch); `doc_ids` must be sorted;
    `chars`: `line_lengths(texts)` when the caller has it.

    >>> long = "The minister said the bill would be debated again."
    >>> texts = ["Home", long, "Fee: $95", "Read more", "|  |", long, "Share"]
    >>> dropped = np.array([True, False, True, True, True, False, True])
    >>> inner_short_lines(texts, np.zeros(7, int), dropped, np.ones(7, bool)).tolist()
    [2]
    """
    n = len(texts)
    chars = line_lengths(texts) if chars is None else chars
    paragraphs = np.flatnonzero(scope & ~dropped & (chars >= INNER_ANCHOR_CHARS))
    # From the first to the last paragraph: those are kept, so only the lines between are candidates.
    between = first_to_last(paragraphs, doc_ids, n)
    return _not_boilerplate_by_form(texts, np.flatnonzero(between & scope & dropped & (chars < INNER_SHORT_CHARS)))


def announced_blocks(
    texts: list[str], doc_ids: np.ndarray, dropped: np.ndarray, chars: np.ndarray | None = None
) -> np.ndarray:
    """Indices of dropped lines to keep: a block of short lines that a kept paragraph announces.

    An article often ends in the table or list its last paragraph leads
    to: a paragraph, a line ending in a colon ("2012 Battleground
    Districts:", "Ingredients:"), then one short line a cell or item. That
    block sits after the last paragraph, where `inner_short_lines` does not
    reach, and page text rarely has it: its menus follow a heading of
    their own, not an article's paragraph. The header and the run of short
    lines right after it (at least two) are kept; a header whose form says
    boilerplate ("Related:", "Photo:") keeps nothing.

    >>> para = "The survey covered the fifty-four most competitive districts."
    >>> texts = [para, "Battleground districts:", "CA-10", "Obama +12", "Read more", para, "Related:", "Home", "News"]
    >>> dropped = np.array([False, True, True, True, True, False, True, True, True])
    >>> announced_blocks(texts, np.zeros(9, int), dropped).tolist()
    [1, 2, 3]
    """
    n = len(texts)
    if n < 3:
        return np.zeros(0, dtype=np.int64)
    chars = line_lengths(texts) if chars is None else chars
    same_doc = doc_ids[1:] == doc_ids[:-1]
    after_paragraph = np.zeros(n, dtype=bool)
    after_paragraph[1:] = ~dropped[:-1] & (chars[:-1] >= INNER_ANCHOR_CHARS) & same_doc
    maybe = np.flatnonzero(after_paragraph & (chars < HEADER_MAX_CHARS))
    colon = np.fromiter(map(_ENDS_COLON, map(_RSTRIP, pick(texts, maybe))), dtype=bool, count=len(maybe))
    headers = maybe[colon]
    headers = headers[~announces_boilerplate(pick(texts, headers))]
    # For every line, where the run of short lines starting there ends (cut at its document's end below).
    # Kept lines belong to the run too: the model may keep a cell or two of a table it drops.
    stops = np.append(np.where(chars < INNER_SHORT_CHARS, n, np.arange(n)), n)
    run_end = np.minimum.accumulate(stops[::-1])[::-1]  # first line at or after i that is not short (n + 1 entries)
    starts = headers + 1
    ends = np.minimum(run_end[starts], np.searchsorted(doc_ids, doc_ids[headers], side="right"))
    blocks = ends - starts >= 2
    block = in_ranges(starts[blocks], ends[blocks], n)
    kept = _not_boilerplate_by_form(texts, np.flatnonzero(block & dropped))
    announced = headers[blocks]
    return np.union1d(kept, announced[dropped[announced]])


# "Document Type: Reports", "Fee: $95", "| Location: |  | Rm. 111 |": a field name of one to four words
# (letters, no digit: "10:30" is a time), alone in a table row's first cell or not, a colon, then its
# value or nothing. Not a URL's "http://".
_FIELD = re.compile(r"\s*(?:\|\s*)?([^\W\d_][^:：\d|]{0,39}?)\s*[:：](?!//)")
_COLON = re.compile("[:：]")
#: A field name that recurs on at least this many lines of a document is a record's field.
RECORD_FIELD_MIN_LINES = 3
#: A block of records holds at least this many distinct recurring fields (a weather widget's "HI:"/"LO:" has two).
RECORD_MIN_FIELDS = 3
#: Lines between two field lines that still belong to the same block (a field's value wrapped onto its own lines).
RECORD_MAX_GAP = 4


def _field_names(lines: list[str]) -> list[str | None]:
    """Each line's field name, casefolded, or None when the line is not "Name: value"."""
    names: list[str | None] = []
    for text in lines:
        m = _FIELD.match(text)
        name = m.group(1).casefold() if m else None
        names.append(name if name and len(name.split()) <= 4 else None)
    return names


def record_blocks(texts: list[str], doc_ids: np.ndarray, dropped: np.ndarray, chars: np.ndarray | None = None) -> np.ndarray:
    """Indices of dropped lines to keep: a block of records the article lists after a paragraph it keeps.

    A bibliography database's entries ("Title:", "Author(s):", "Document
    Type:"), a course schedule ("Location:", "Fee:", also as table rows
    "| Fee: |  | $95 |"), a spec sheet: the same few field names recur
    record after record. The line model reads each field line as
    navigation and, in a long list, the whole document as a page, so it
    drops all of them. A block is a run of field lines whose
    names recur (>= RECORD_FIELD_MIN_LINES lines each, >= RECORD_MIN_FIELDS
    names in the block), with at most RECORD_MAX_GAP other lines between two
    of them; it stays, with the lines between, when a kept paragraph of its
    document comes before it. Field lines are at most HEADER_MAX_CHARS
    long. A sidebar of records after a story ("Status:", "Pension:") or a
    forum's "Join Date:"/"Posts:" stays as well: when in doubt, keep.

    >>> para = "The search returned the following reports on grade configuration."
    >>> rec = ["Title: Middle Schools", "Author(s): Hough, David", "Descriptors:", "Grade 6; Grade 7",
    ...        "Document Type: Report"]
    >>> texts = ["Menu", para] + rec * 3 + ["Home"]
    >>> dropped = np.array([True, False] + [True] * 15 + [True])
    >>> record_blocks(texts, np.zeros(18, int), dropped).tolist() == list(range(2, 17))
    True
    """
    n = len(texts)
    chars = line_lengths(texts) if chars is None else chars
    short = np.flatnonzero(chars < HEADER_MAX_CHARS)
    lines = pick(texts, short)
    has_colon = np.fromiter(map(bool, map(_COLON.search, lines)), dtype=bool, count=len(short))
    colon = short[has_colon]
    if len(colon) < RECORD_FIELD_MIN_LINES * RECORD_MIN_FIELDS:
        return np.zeros(0, dtype=np.int64)
    names = _field_names([line for line, c in zip(lines, has_colon.tolist()) if c])
    keys = list(zip(doc_ids[colon].tolist(), names))
    counts = Counter(keys)
    fields = np.array([key[1] is not None and counts[key] >= RECORD_FIELD_MIN_LINES for key in keys], dtype=bool)
    rows = colon[fields]
    row_names = [name for name, f in zip(names, fields.tolist()) if f]
    if len(rows) < RECORD_MIN_FIELDS:
        return np.zeros(0, dtype=np.int64)
    # Blocks: field lines of one document at most RECORD_MAX_GAP lines apart.
    breaks = np.flatnonzero((np.diff(rows) > RECORD_MAX_GAP + 1) | (np.diff(doc_ids[rows]) != 0)) + 1
    paragraphs = np.flatnonzero(~dropped & (chars >= INNER_ANCHOR_CHARS))
    keep_starts, keep_ends = [], []
    for block, block_names in zip(np.split(rows, breaks), np.split(np.array(row_names, dtype=object), breaks)):
        first = block[0]
        at = np.searchsorted(paragraphs, first)  # the kept paragraphs before the block
        if len(set(block_names)) >= RECORD_MIN_FIELDS and at and doc_ids[paragraphs[at - 1]] == doc_ids[first]:
            keep_starts.append(first)
            keep_ends.append(block[-1] + 1)
    if not keep_starts:
        return np.zeros(0, dtype=np.int64)
    block = in_ranges(np.array(keep_starts), np.array(keep_ends), n)
    return _not_boilerplate_by_form(texts, np.flatnonzero(block & dropped))
