"""Character tables the repairs share: quote marks, odd spaces, invisible characters, mojibake clues.

As ftfy keeps its tables in `chardata.py`: data here, the repairs that read
it in their own modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "CLOSE", "CLOSE_CURLY", "CLOSING_SCORE", "CONTROL_CHARS", "CURLY_RE", "GLUED", "HTML_ENTITY", "LONE",
    "LOW_CURLY", "MARK_RE", "MOJIBAKE_PAIRS", "NO_BREAK_SPACES", "ODD", "ODD_CHAR", "ODD_RUN", "OPEN",
    "OPEN_CURLY", "OPENING_SCORE", "SEPARATOR_SPACES", "SEPARATOR_SPLIT", "SPACES", "STRAIGHT", "ZERO_WIDTH",
]

OPEN_CURLY = "\u201c"  # “
CLOSE_CURLY = "\u201d"  # ”
LOW_CURLY = "\u201e"  # „ (German, Polish, Czech, ... open with it)
STRAIGHT = '"'

#: No-break spaces that become a plain space: NBSP, narrow NBSP, figure space.
NO_BREAK_SPACES = "\u00a0\u202f\u2007"
#: Whitespace control characters that separate words inside a line (vertical
#: tab, form feed, the information separators, line / paragraph separator):
#: they become a plain space too. ftfy would delete the first ones, gluing the
#: words they separated, so `mojibake` leaves them to `invisible`.
SEPARATOR_SPACES = "\x0b\x0c\x1c\x1d\x1e\x1f\u2028\u2029"
#: Characters removed outright: zero-width space, BOM / zero-width no-break
#: space, word joiner, soft hyphen. ZWNJ and ZWJ (U+200C, U+200D) are *not*
#: here: emoji sequences and Indic / Persian spelling need them.
ZERO_WIDTH = "\u200b\ufeff\u2060\u00ad"

# The double quote marks the quote repairs reason about.
MARK_RE = re.compile('["\u201c\u201d]')
CURLY_RE = re.compile("[\u201c\u201d]")

# Neighbours of a quote mark, by how strongly they say "a quotation opens here"
# (for the character before the mark) or "one closes here" (after it).
_OPENING_PUNCT = frozenset("([{<«‹‘¿¡（［｛〔【《〈「『")
_CLOSING_PUNCT = frozenset(".,;:!?)]}>»›’…）］｝〕】》〉」』，。、；：！？")
# Dashes and slashes lean towards whichever side has no space.
_NEUTRAL_PUNCT = frozenset("—–-/")

OPEN, CLOSE, GLUED, LONE = "open", "close", "glued", "lone"


# How strongly the character before a mark says "opens here" (after: "closes
# here"); any space counts 2, as does the start or end of the line.
OPENING_SCORE = dict.fromkeys(_OPENING_PUNCT, 2) | dict.fromkeys(_NEUTRAL_PUNCT, 1)
CLOSING_SCORE = dict.fromkeys(_CLOSING_PUNCT, 2) | dict.fromkeys(_NEUTRAL_PUNCT, 1)


def _build_mojibake_pairs() -> re.Pattern[str]:
    """A lead-byte character followed by a continuation-byte character.

    UTF-8 decoded as a single-byte encoding always leaves such a pair. Both sets
    are listed for the encodings ftfy knows how to undo. This is the same idea
    as ftfy's UTF8_CLUES, but built here from the codecs, so importing this
    module does not import ftfy.
    """
    encodings = ("latin-1", "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257")
    leads: set[str] = set()
    continuations: set[str] = set()
    for encoding in encodings:
        leads.update(bytes(range(0xC2, 0xF5)).decode(encoding, errors="ignore"))
        continuations.update(bytes(range(0x80, 0xC0)).decode(encoding, errors="ignore"))

    def char_class(chars: Iterable[str]) -> str:
        return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"

    return re.compile(char_class(leads) + char_class(continuations))


MOJIBAKE_PAIRS = _build_mojibake_pairs()
# What ftfy removes or decodes besides mojibake: C0 and C1 controls (terminal
# escapes start with one), deprecated format characters, lone surrogates.
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u206a-\u206f\ufff9-\ufffc\ud800-\udfff]"
)
HTML_ENTITY = re.compile("&#?[0-9A-Za-z]{1,24};")  # as ftfy.chardata.HTML_ENTITY_RE


SPACES = NO_BREAK_SPACES + SEPARATOR_SPACES
ODD = SPACES + ZERO_WIDTH
ODD_CHAR = re.compile(f"[{ODD}]")
# A run of odd characters and spaces, from its first odd character: a
# pattern that opens with a character class is scanned for at C speed, where
# one that opens with `[ ...]*` is tried at every position (much slower on a
# long line). The spaces before the run are taken in by `invisible`.
ODD_RUN = re.compile(f"[{ODD}][ {ODD}]*")
SEPARATOR_SPLIT = re.compile(f"([{SEPARATOR_SPACES}])")
