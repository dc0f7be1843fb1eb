"""Where each double quote mark stands in a line (open, close, glued, lone) and the role that gives it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .chardata import (
    CLOSE,
    CLOSE_CURLY,
    CLOSING_SCORE,
    GLUED,
    LONE,
    OPEN,
    OPEN_CURLY,
    OPENING_SCORE,
    STRAIGHT,
)

__all__ = ["Mark", "mark_position", "marks_of", "spaced_letter"]


def mark_position(text: str, i: int) -> str:
    """Where the mark at `i` stands: OPEN (space before, a word after), CLOSE
    (a word before, space or punctuation after), GLUED (words on both sides) or
    LONE (space on both sides).

    >>> [mark_position(s, s.index(q)) for s, q in [(' “a', '“'), ('a“,', '“'), ('a”b', '”'), (' ” ', '”')]]
    ['open', 'close', 'glued', 'lone']
    """
    p = text[i - 1] if i > 0 else " "
    n = text[i + 1] if i + 1 < len(text) else " "
    before = 2 if p.isspace() else OPENING_SCORE.get(p, 0)
    after = 2 if n.isspace() else CLOSING_SCORE.get(n, 0)
    if before > after:
        return OPEN
    if after > before:
        return CLOSE
    return LONE if before else GLUED


def spaced_letter(ch: str) -> bool:
    """A letter of a script written with spaces between words, where a quote
    mark glued between two letters is a sure error: Latin, Greek, Cyrillic.
    Not CJK, Thai, Arabic or Hebrew, where marks and prefixes touch letters."""
    if not ch.isalpha():
        return False
    code = ord(ch)
    return code < 0x0530 or 0x1E00 <= code < 0x2000


_STRING_PREFIX = re.compile(r"(?<![^\W\d_])(?:[fFrRbBuU]|[rR][bBfF]|[bBfF][rR])\Z")


def _fixable_glue(text: str, i: int) -> bool:
    """A GLUED mark we may space out: between two letters (`forces”must`), or
    after a word's sentence punctuation and before a letter (`said,“Hello`).

    Not a plural or possessive "s" after a quotation (`two "L"s`), and not a
    programming-language string prefix (`print(f"hello")`).
    """
    if i == 0 or i + 1 >= len(text) or not spaced_letter(text[i + 1]):
        return False
    if text[i + 1] in "sS" and not text[i + 2 : i + 3].isalpha():
        return False
    before = text[i - 1]
    if spaced_letter(before):
        return not (text[i] == STRAIGHT and _STRING_PREFIX.search(text, max(0, i - 3), i))
    return before in ".,;:!?" and i >= 2 and (text[i - 2].isalnum() or text[i - 2] in ")]’")


class Mark(NamedTuple):
    """One double quote mark in a line: where it is, which it is, where it stands, the role that gives it."""

    index: int
    char: str
    position: str  # OPEN | CLOSE | GLUED | LONE
    role: str | None  # "open" | "close" | "glue" (to be decided) | None (unknown)


@lru_cache(maxsize=64)
def marks_of(text: str) -> tuple[Mark, ...]:
    """Each double quote mark with its position and the role that position gives it.

    A straight mark after a digit is left unknown (`6'2"` is an inch mark), and
    so is a straight mark whose position says nothing (space on both sides, or
    glued where it cannot be fixed). A curly mark whose position says nothing
    is trusted to mean what its shape says.

    Cached: the quote repairs all look at the same, usually unchanged, line.
    `str.find` is used because it beats a regex scan at finding a few marks.
    """
    indices = []
    for char in (STRAIGHT, OPEN_CURLY, CLOSE_CURLY):
        i = text.find(char)
        while i != -1:
            indices.append(i)
            i = text.find(char, i + 1)
    indices.sort()
    marks = []
    for i in indices:
        char = text[i]
        position = mark_position(text, i)
        role: str | None
        if position == OPEN:
            role = "open"
        elif position == CLOSE:
            role = None if char == STRAIGHT and text[i - 1].isdigit() else "close"
        elif position == GLUED and _fixable_glue(text, i):
            role = "glue"
        elif char == OPEN_CURLY:
            role = "open"
        elif char == CLOSE_CURLY:
            role = "close"
        else:
            role = None
        marks.append(Mark(i, char, position, role))
    return tuple(marks)
