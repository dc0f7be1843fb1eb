"""Repairs of spaces: invisible and odd characters, a space before punctuation, trailing whitespace."""

from __future__ import annotations

import re

from .chardata import ODD_CHAR, ODD_RUN, SPACES
from .facts import DEFAULT_FACTS, DocFacts

__all__ = ["invisible", "space_before_punct", "whitespace"]


def invisible(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Remove zero-width characters and soft hyphens; no-break spaces (and
    whitespace control characters) become spaces.

    A run of spaces that held one of these collapses to one space (or to nothing
    at the start of the line, where it was indentation); a trailing one is left
    to `whitespace`.

    >>> invisible("Lugansk region.\\u00a0")
    'Lugansk region. '
    >>> invisible("co\\u00adoperate, zero\\u200bwidth, 10\\u202f000 and \\u00a0 more")
    'cooperate, zerowidth, 10 000 and more'
    >>> invisible("C.\\x1dBed linens")
    'C. Bed linens'
    >>> s = "👨\\u200d👩\\u200d👧 می\\u200cخواهم"   # ZWJ and ZWNJ are spelling: kept
    >>> invisible(s) == s
    True
    """
    # Every odd character is non-printable: isprintable() is the cheap gate.
    if text.isprintable() or not ODD_CHAR.search(text):
        return text
    parts: list[str] = []
    end = 0  # where the last run ended: never a space, as the run took those in
    for match in ODD_RUN.finditer(text):
        before = text[end : match.start()].rstrip(" ")
        parts.append(before)
        run_start = end + len(before)
        if run_start > 0 and any(c == " " or c in SPACES for c in text[run_start : match.end()]):
            parts.append(" ")
        end = match.end()
    parts.append(text[end:])
    return "".join(parts)


# A space before , or . (at the end, or before space or a closing mark), or
# before ). Only after a word or a closing mark: "said ," but not " , " lists.
# The pattern starts with its literal space so the regex engine scans for it
# at C speed; what may come before the run is checked in `replace` (a leading
# look-behind made the engine try it at every position).
# "  *" rather than " +": the same runs, but only a leading literal is scanned
# for at C speed (" +" was slower on the recorded workload).
_SPACE_BEFORE_PUNCT = re.compile(r"  *(?=[,.](?:[\s\"”’)\]]|\Z)|\))")
_CLOSING_MARKS = "\"”’)]"


def space_before_punct(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Remove a space before a comma, full stop or closing parenthesis: `word ,` -> `word,`.

    Nothing else: a space before ; : ! ? is French typography, a spaced dash is
    a dash, `. . .` is an ellipsis, and an ellipsis after a space is one too
    (AP style writes `word ...`). A line that spaces out its brackets, `( like
    this )` or `[ this ]`, is tokenized text or code and is left alone, and a
    full stop is only taken for one when a sentence or the line ends there
    (not `console . log`).

    >>> space_before_punct("the Luhansk region , Shoigu said (on Monday ) .")
    'the Luhansk region, Shoigu said (on Monday).'
    >>> space_before_punct("« Bonjour ! » dit-il ; c’est fini . . . - ou – pas")
    '« Bonjour ! » dit-il ; c’est fini . . . - ou – pas'
    >>> space_before_punct("console . log ( count ) ;")
    'console . log ( count ) ;'
    >>> space_before_punct("see console . log and Next . Then end .")
    'see console . log and Next. Then end.'
    """
    if " ," not in text and " ." not in text and " )" not in text:
        return text
    if "( " in text or "[ " in text:
        return text

    def replace(match: re.Match[str]) -> str:
        source = match.string
        start, at = match.start(), match.end()
        before = source[start - 1] if start else ""
        after_word = before.isalnum()  # [^\W_]: a word character but "_"
        after_mark = before in _CLOSING_MARKS and start >= 2 and not source[start - 2].isspace()
        if not (after_word or after_mark):
            return match.group()
        if source[at] == "." and not _sentence_ends_at(source, at):
            return match.group()
        return ""

    # Removing one space can expose the next ("word ) ." -> "word) ." -> "word).").
    while True:
        fixed = _SPACE_BEFORE_PUNCT.sub(replace, text)
        if fixed == text:
            return text
        text = fixed


def _sentence_ends_at(text: str, at: int) -> bool:
    """The full stop at `at` ends the line, a quotation, or a sentence (a capital follows)."""
    if text.startswith(". .", at):
        return False  # a spaced ellipsis: ". . ."
    rest = text[at + 1 :]
    if not rest or rest[0] in '"”’)]':
        return True
    if not rest[0].isspace():
        return False
    follower = rest.lstrip()[:1]
    return not follower or follower in '"“‘([' or follower.isupper()


def whitespace(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Drop trailing whitespace; the pipeline renders line breaks and blank lines itself.

    Runs of spaces left by removed characters are collapsed where they are made
    (`invisible`); other internal spacing of the text is left as it is.

    >>> whitespace("Lugansk region. \\t")
    'Lugansk region.'
    >>> whitespace("Two  spaces stay.")
    'Two  spaces stay.'
    """
    return text.rstrip()
