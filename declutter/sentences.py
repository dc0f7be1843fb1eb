"""What a sentence is: the one kind of line that is boilerplate as a verbatim repeat.

LABELING.md drops "a sentence or paragraph repeated verbatim from elsewhere
in the same document", but not "short structural lines that recur by
nature": a table cell, a list item, a code line, a recipe step, a repeated
subheading. One definition serves both sides: the `duplicate` rule when
cleaning (`decide.repeated_lines`) and the labels a model is taught from
(`declutter.teach.structure.is_sentence`, which adds what the page's markup
says about a line). It was checked against the lines of real pages that
repeat: schedules, spec tables, code blocks, captions shown twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "PARAGRAPH_WORDS",
    "SENTENCE_WORDS",
    "WORD_TOKEN",
    "ends_like_sentence",
    "is_code",
    "is_label_value",
    "is_sentence",
    "table_cells",
    "word_count",
]

#: A line with fewer word tokens (not numbers) is never a sentence.
SENTENCE_WORDS = 4
#: ... and from this many words on a line is prose even without a full stop.
PARAGRAPH_WORDS = 8

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Word tokens; CJK scripts do not separate words, so each ideograph is a token.
WORD_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’»)\]]*\s*$")
# "Location: Rm. 111", "Step 2: Mix ...": a label of up to four words, its colon, a value
_LABEL_VALUE = re.compile(r"^\W*[^\W\d][\w.'/&()-]*(?: [\w.'/&()-]+){0,3}:\s+\S")
_CODE_CHARS = frozenset("{}[];=<>|\\`")  # not "()/$&": prose has parentheses, URLs, prices
_CODE_END = re.compile(r"[{};,(\[]\s*$|^\s*[}\])]")


def table_cells(text: str) -> list[str]:
    """The non-empty cells of a "| a | b |" table row (one: the line itself).

    >>> table_cells("| Interface | Bluetooth |"), table_cells("Plain text")
    (['Interface', 'Bluetooth'], ['Plain text'])
    """
    return [c.strip() for c in text.split("|") if c.strip()] if "|" in text else [text.strip()]


def is_code(text: str) -> bool:
    """A line of code: it opens or closes a bracket, or code characters are dense.

    >>> [is_code(t) for t in ["});", "x = {'a': 1}", "He said (quietly) no."]]
    [True, True, False]
    """
    chars = [c for c in text if not c.isspace()]
    code = sum(c in _CODE_CHARS for c in chars)
    return _CODE_END.search(text) is not None or (code >= 2 and code >= 0.08 * len(chars))


def is_label_value(text: str) -> bool:
    """A "Label: value" line, as schedules and spec sheets list them.

    >>> is_label_value("Location: Rm. 111, Shah Center"), is_label_value("He said: no.")
    (True, True)
    >>> is_label_value("12:30 lunch")
    False
    """
    return _LABEL_VALUE.match(text) is not None


def ends_like_sentence(text: str) -> bool:
    """Ends in sentence punctuation, closing quotes or brackets aside.

    >>> ends_like_sentence('He left.”'), ends_like_sentence("Pros")
    (True, False)
    """
    return _SENTENCE_END.search(text) is not None


def word_count(text: str, tokens: Sequence[str] | None = None) -> int:
    """Word tokens of `text` that are not numbers (`tokens`: already made ones)."""
    tokens = WORD_TOKEN.findall(text.casefold()) if tokens is None else tokens
    return sum(not t.isdigit() for t in tokens)


def is_sentence(text: str, tokens: Sequence[str] | None = None) -> bool:
    """A sentence or paragraph: at least 8 words, or 4 ending like a sentence.

    A table row of several cells and a code line never are; a "Label: value"
    line only when it is long and ends like one. `tokens`, if given, are
    the line's word tokens (`WORD_TOKEN`, normalised).

    >>> [is_sentence(t) for t in ["Click here to read the full story about the floods",
    ...  "The storm hit the coast overnight.", "Pros", "QuickBooks 2006 for Your Business",
    ...  "Fee: $155", "(Begins 1/22/2007; ends 1/22/2007)", "Battery life is excellent.",
    ...  "| Interface | Bluetooth 5.0 with low energy support and a range of ten metres |",
    ...  "| This is an overview of QuickBooks so that you can see what it can do. |  |"]]
    [True, True, False, False, False, False, True, False, True]
    """
    cells = table_cells(text)
    if len(cells) != 1:
        return False
    text = cells[0]
    words = word_count(text, tokens)
    if words < SENTENCE_WORDS or is_code(text):
        return False
    if is_label_value(text):  # prose inside structure
        return words >= PARAGRAPH_WORDS and ends_like_sentence(text)
    return words >= PARAGRAPH_WORDS or ends_like_sentence(text)
