"""A closing quote mark lost between two words ("russiafor"): put it back, when word frequencies are sure."""

from __future__ import annotations

import re
from functools import lru_cache

from .chardata import CLOSE, CLOSE_CURLY, CURLY_RE, OPEN, OPEN_CURLY, STRAIGHT
from .facts import DEFAULT_FACTS, DocFacts
from .marks import Mark, marks_of

__all__ = ["glued_words"]


# Calibrated with wordfreq 3.1 (English) on the seed glue "russiafor" and rare real words (docs/experiments.md);
# word frequencies alone cannot tell a lost quote from a lost space or a compound: hence the structural conditions.
GLUED_MIN_LENGTH = 8  # lowercase letters; shorter tokens are too often real words
# The glued word must be among the first words of the quotation (scare quotes and titles are short);
# calibrated on the shared gold texts.
QUOTE_HEAD_WORDS = 5
GLUED_MAX_ZIPF = 1.5  # the glued token must be (almost) unseen
HALF_MIN_ZIPF = 3.0  # each half must be an everyday word
# Two-letter halves are allowed only if they are function words: fragments such
# as "re", "al", "er" have zipf > 4 in English and would split real words.
_SHORT_HALVES = {
    "en": frozenset(
        ["of", "to", "in", "on", "at", "by", "as", "is", "it", "an", "or"]
        + ["be", "he", "we", "if", "so", "no", "up", "my", "me", "us", "do"]
    ),
}
_SENTENCE_END = re.compile(r"[.!?]\s")
_LONG_LOWER = re.compile(
    r"(?<![\w@#/.\-'’])[^\W\d_]{" + str(GLUED_MIN_LENGTH) + r",}(?![\w@/\-'’]|\.\w)"
)


@lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency  # imported lazily: slow, and rarely needed

    return float(zipf_frequency(word, lang))


@lru_cache(maxsize=64)
def _has_word_frequencies(lang: str) -> bool:
    """wordfreq has no list for some languages, and needs extra packages for others (zh, ja)."""
    try:
        _zipf("the", lang)
    except (LookupError, ImportError):
        return False
    return True


@lru_cache(maxsize=65536)
def _glue_split(token: str, lang: str) -> int | None:
    """Where a glued token splits into two frequent words, when there is exactly one such place.

    Cached: the same rare words (names, words of another language) come back
    line after line, and each costs a frequency look-up per cut.

    >>> _glue_split("russiafor", "en"), _glue_split("government", "en")
    (6, None)
    """
    if not token.islower() or not _has_word_frequencies(lang):
        return None
    if _zipf(token, lang) >= GLUED_MAX_ZIPF:
        return None
    short = _SHORT_HALVES.get(lang, frozenset())
    n = len(token)
    splits = [
        cut
        for cut in range(2, n - 1)
        # Halves of three letters or more, or two-letter function words.
        if (cut >= 3 or token[:cut] in short)
        and (n - cut >= 3 or token[cut:] in short)
        and _zipf(token[:cut], lang) >= HALF_MIN_ZIPF
        and _zipf(token[cut:], lang) >= HALF_MIN_ZIPF
    ]
    return splits[0] if len(splits) == 1 else None


def glued_words(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Put back a lost closing quote where its loss glued two words together.

    A quotation opens and never closes. Among its first few words is a rare
    token that splits, in exactly one way, into two frequent words. The
    document glues no other words (where the source loses spaces, a glued word
    says "lost space", not "lost quote"). Then the missing mark goes at the
    split. Anything less certain is left alone.

    >>> glued_words("will be made “heroes of russiafor their role in the fighting")
    'will be made “heroes of russia” for their role in the fighting'
    >>> glued_words("“A quotation may run on into the next paragraph")
    '“A quotation may run on into the next paragraph'

    A quotation that closes without opening is left alone, even with a glued
    word in it: that is how the last paragraph of a quotation spread over
    several paragraphs looks, and a glued word is as often a real compound
    (`linkworthy`) or a lost space. In the shared gold texts, every such split
    was wrong:

    >>> glued_words("these two men had directlyreport on the operations”.")
    'these two men had directlyreport on the operations”.'

    ... unless the document shows elsewhere that its source loses quote marks
    between words (`_lost_opening_quote`):

    >>> doc = ("made “heroes of russiafor their role", "these two men had directlyreport on the operations”.")
    >>> glued_words(doc[1], DocFacts(lines=doc))
    'these two men had directly “report on the operations”.'
    """
    marks = marks_of(text)
    if not marks or (not facts.english and CURLY_RE.search(text)):
        return text
    gaps = _quote_gaps(text)
    if gaps is None:
        return text
    for start, end, missing in reversed(gaps):
        if missing == CLOSE:
            at = _lost_closing_quote(text, start, end, facts)
            if at is not None:
                closer = STRAIGHT if text[start - 1] == STRAIGHT else CLOSE_CURLY
                text = text[:at] + closer + " " + text[at:]
        else:
            at = _lost_opening_quote(text, start, end, facts)
            if at is not None:
                opener = STRAIGHT if text[end] == STRAIGHT else OPEN_CURLY
                text = text[:at] + " " + opener + text[at:]
    return text


def _quote_gaps(text: str) -> list[tuple[int, int, str]] | None:
    """Stretches of the line where a quote mark is missing: (start, end, missing role).

    An opener left open is followed by a gap up to the next opener or the end of
    the line (a CLOSE is missing). A closer that never opened is preceded by one
    from the previous mark or the start (an OPEN is missing). None when a mark's
    role cannot be read.
    """
    marks = marks_of(text)
    if any(mark.role not in ("open", "close") for mark in marks):
        return None
    gaps: list[tuple[int, int, str]] = []
    opener: Mark | None = None
    start = 0
    for mark in marks:
        if mark.role == "open":
            if opener is not None:
                gaps.append((opener.index + 1, mark.index, CLOSE))
            opener = mark
        else:
            if opener is None:
                gaps.append((start, mark.index, OPEN))
            opener = None
        start = mark.index + 1
    if opener is not None:
        gaps.append((opener.index + 1, len(text), CLOSE))
    return gaps


def _only_glued_word(text: str, start: int, end: int, lang: str, head_only: bool) -> tuple[str, int] | None:
    """The one glued token in text[start:end] and where it splits, when there is exactly one.

    `head_only`: look among the first words of a quotation opened at `start`
    only (scare quotes and titles are short), and not past a sentence end.
    """
    found = []
    for match in _LONG_LOWER.finditer(text, start, end):
        if head_only:
            head = text[start : match.start()]
            if len(head.split()) >= QUOTE_HEAD_WORDS or _SENTENCE_END.search(head):
                break
        cut = _glue_split(match.group(), lang)
        if cut is not None:
            found.append((match.group(), match.start() + cut))
    return found[0] if len(found) == 1 else None


def _lost_closing_quote(text: str, start: int, end: int, facts: DocFacts) -> int | None:
    """Where the closing mark of the quotation opened at `start` was lost, if that is certain."""
    glued = _only_glued_word(text, start, end, facts.lang, head_only=True)
    if glued is None or _glued_elsewhere(facts.lines or (text,), facts.lang, glued[0]):
        return None
    return glued[1]


def _lost_opening_quote(text: str, start: int, end: int, facts: DocFacts) -> int | None:
    """Where the opening mark of a quotation that closes at `end` was lost, if that is certain.

    On its own this shape is how the last paragraph of a quotation spread
    over several paragraphs looks, and its glued word is as often a compound
    (`linkworthy`): on the shared gold texts every such split was wrong. It
    is taken only where the document itself shows a source that loses quote
    marks between words: another glued word inside a quotation that lacks a
    mark (`“heroes of russiafor their role`), and no glued word outside one.
    """
    glued = _only_glued_word(text, start, end, facts.lang, head_only=False)
    lines = facts.lines or (text,)
    if glued is None or _glued_elsewhere(lines, facts.lang, glued[0]):
        return None
    others = {word for word, outside in _glued_words_of(lines, facts.lang) if not outside} - {glued[0]}
    if not others:  # this word alone: no other sign that the source loses quotes
        return None
    return glued[1]


def _glued_elsewhere(lines: tuple[str, ...], lang: str, token: str) -> bool:
    """Does the document glue words anywhere else? Then it loses spaces, not quotes.

    A glued word inside a quotation that lacks a mark (seed 001's
    "directlyreport ... operations”") does not count: a lost quote explains
    it as well as a lost space.
    """
    glued = _glued_words_of(lines, lang)
    first = next((k for k, (word, _) in enumerate(glued) if word == token), -1)  # the candidate itself, once
    return any(outside for k, (_, outside) in enumerate(glued) if k != first)


@lru_cache(maxsize=8)
def _glued_words_of(lines: tuple[str, ...], lang: str) -> tuple[tuple[str, bool], ...]:
    """Every glued word of a document in reading order, and whether it lies outside a quote gap.

    Computed once per document: asked once per open quotation, it made a line
    of thousands of unclosed quotations cubic.
    """
    found: list[tuple[str, bool]] = []
    for line in lines:
        gaps: list[tuple[int, int, str]] | None = None
        for match in _LONG_LOWER.finditer(line):
            if _glue_split(match.group(), lang) is None:
                continue
            if gaps is None:
                gaps = _quote_gaps(line) or []
            found.append((match.group(), not any(start <= match.start() < end for start, end, _ in gaps)))
    return tuple(found)
