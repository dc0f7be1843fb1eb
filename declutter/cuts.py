"""Sub-line cuts: a notice glued to a paragraph is cut, the paragraph kept.

Two places only, because that is where scrapers glue them: a copyright or
credit notice at the end of the last paragraph ("... Donetsk. (© Telegraph
Media Group Ltd 2022)") and an outlet tag at the start of the first one
("Shafaq News/ President Vladimir Putin ..."). Both matchers are anchored and
bounded, so they run in linear time on any line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["cut_trailing_notice", "cut_leading_tag"]

# The notice: an optional bracket, a copyright sign or word, then at most 100
# characters without sentence structure, optionally closed by a bracket.
_NOTICE = re.compile(
    r"\s*[(\[]?\s*(?:©|\(c\)|copyright\b|all rights reserved)[^()\[\]\n]{0,100}[)\]]?\s*",
    re.IGNORECASE,
)
_NOTICE_START = re.compile(r"©|\(c\)|copyright|all rights reserved", re.IGNORECASE)
_SENTENCE_END = tuple('.!?"”’»)…')
# An outlet tag: one to four capitalised words and a slash with a space after
# it ("Shafaq News/ "); "AC/DC" and "24/7" have no space and stay.
_TAG = re.compile(r"(?:[A-Z][\w&'.-]{0,20}\s){0,3}[A-Z][\w&'.-]{0,20}\s?/\s+(?=[\"“„«\w])")


def cut_trailing_notice(line: str) -> tuple[str, str]:
    """Split the copyright notices glued after the last sentence: (kept, cut).

    Every notice is cut, not only the last one: what is kept must have none
    left, or cleaning the output again would cut the next one
    (clean(clean(x)) == clean(x)).

    >>> cut_trailing_notice("almost certainly switch focus. (© Telegraph Media Group Ltd 2022)")
    ('almost certainly switch focus.', ' (© Telegraph Media Group Ltd 2022)')
    >>> cut_trailing_notice("switch focus. Now to the west. (© Reuters 2022) © AFP")
    ('switch focus. Now to the west.', ' (© Reuters 2022) © AFP')
    >>> cut_trailing_notice("He cited the copyright law of 2019 in court.")
    ('He cited the copyright law of 2019 in court.', '')
    """
    return _repeated(_cut_one_notice, line, at_end=True)


def cut_leading_tag(line: str) -> tuple[str, str]:
    """Split the outlet tags glued before the first sentence: (kept, cut).

    >>> cut_leading_tag("Shafaq News/ President Vladimir Putin on Monday congratulated troops.")
    ('President Vladimir Putin on Monday congratulated troops.', 'Shafaq News/ ')
    >>> cut_leading_tag("Shafaq News/ AFP/ President Vladimir Putin on Monday congratulated troops.")
    ('President Vladimir Putin on Monday congratulated troops.', 'Shafaq News/ AFP/ ')
    >>> cut_leading_tag("AC/DC played in Kyiv on Monday, and thousands came to listen.")
    ('AC/DC played in Kyiv on Monday, and thousands came to listen.', '')
    """
    return _repeated(_cut_one_tag, line, at_end=False)


def _repeated(cut_one: Callable[[str], tuple[str, str]], line: str, *, at_end: bool) -> tuple[str, str]:
    """Apply `cut_one` until it cuts nothing more: (kept, every piece cut, in the line's order).

    Each cut shortens the line, so this ends.
    """
    kept = line
    while True:
        shorter, piece = cut_one(kept)
        if not piece:
            break
        kept = shorter
    return kept, line[len(kept) :] if at_end else line[: len(line) - len(kept)]


def _cut_one_notice(line: str) -> tuple[str, str]:
    """The last notice of `line` (the earliest start that reaches the end), if one is glued there."""
    tail_start = max(0, len(line) - 130)
    match = None
    for candidate in _NOTICE_START.finditer(line, tail_start):
        start = candidate.start()
        # Take in the opening bracket and spaces just before the notice.
        while start > 0 and line[start - 1] in " ([":
            start -= 1
        if _NOTICE.fullmatch(line, start):
            match = start
            break
    if match is None:
        return line, ""
    kept = line[:match].rstrip()
    if len(kept) < 20 or not kept.endswith(_SENTENCE_END):
        return line, ""
    return kept, line[len(kept) :]


def _cut_one_tag(line: str) -> tuple[str, str]:
    """The first outlet tag of `line`, if one is glued there."""
    match = _TAG.match(line, 0, 80)
    if not match:
        return line, ""
    kept = line[match.end() :]
    if len(kept.split()) < 5:
        return line, ""
    return kept, line[: match.end()]
