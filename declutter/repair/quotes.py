"""Repairs of double quote marks: reversed pairs, marks glued to words, pairs of mixed styles."""

from __future__ import annotations

from .chardata import CLOSE, CLOSE_CURLY, CURLY_RE, OPEN, OPEN_CURLY, STRAIGHT
from .facts import DEFAULT_FACTS, DocFacts
from .marks import Mark, marks_of, spaced_letter

__all__ = ["glued_quote", "mixed_pair", "reversed_pair"]


def reversed_pair(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Turn round curly quotes used backwards: a “ where a quotation closes, a ” where one opens.

    Open or close is read off the neighbours: after a word and before space,
    punctuation or the end = closing; after space or the start and before a
    word = opening. Marks glued between words are `glued_quote`'s business.

    >>> reversed_pair("as it happened in Lugansk“, he added")
    'as it happened in Lugansk”, he added'
    >>> reversed_pair("”Heroes of Russia“")
    '“Heroes of Russia”'

    Then the pairing gets a say: when turning the mark round would leave two
    closing (or two opening) marks in a row, it is the space that sits on the
    wrong side of the mark. The space moves instead, or, between anything
    but two words, the mark is left as it is:

    >>> reversed_pair("He said“ we will win” and left.")
    'He said “we will win” and left.'
    >>> reversed_pair("see my earlier posts—linked “ here ” and “ here ”—for the setup")
    'see my earlier posts—linked “ here ” and “ here ”—for the setup'

    Not in documents that quote „like this“ or ”like this” (`DocFacts.english`):

    >>> reversed_pair("„Das ist gut“, sagte er.", DocFacts(english=False))
    '„Das ist gut“, sagte er.'
    """
    if not facts.english or (OPEN_CURLY not in text and CLOSE_CURLY not in text):
        return text  # only a curly mark can point the wrong way
    marks = marks_of(text)
    if not any(_backwards(mark) for mark in marks):
        return text  # the common case: every mark already points the right way
    chars = list(text)
    inside: bool | None = False  # inside a quotation? None: cannot tell
    for k, mark in enumerate(marks):
        i = mark.index
        following = marks[k + 1].role if k + 1 < len(marks) else "end"
        if mark.char == OPEN_CURLY and mark.position == CLOSE:
            if inside is False and following == "close":  # the pairing says: it opens
                if _space_after_belongs_before(text, i):
                    chars[i - 1] += " "  # `said“ we` -> `said “we`
                    chars[i + 1] = ""
                inside = True
            else:
                chars[i] = CLOSE_CURLY
                inside = False
        elif mark.char == CLOSE_CURLY and mark.position == OPEN:
            if inside is True and following in ("open", "end"):  # the pairing says: it closes
                if _space_before_belongs_after(text, i):
                    chars[i - 1] = ""  # `win ”and` -> `win” and`
                    chars[i] += " "
                inside = False
            else:
                chars[i] = OPEN_CURLY
                inside = True
        else:
            inside = True if mark.role == "open" else False if mark.role == "close" else None
    return "".join(chars)


def _backwards(mark: Mark) -> bool:
    if mark.char == OPEN_CURLY:
        return mark.position == CLOSE
    return mark.char == CLOSE_CURLY and mark.position == OPEN


def _space_after_belongs_before(text: str, i: int) -> bool:
    """`word“ word`: one space after the mark, a word of a spaced script on both sides."""
    return (
        text[i + 1 : i + 2] == " "
        and i + 2 < len(text)
        and spaced_letter(text[i + 2])
        and i > 0
        and (spaced_letter(text[i - 1]) or text[i - 1] in ".,;:!?")
    )


def _space_before_belongs_after(text: str, i: int) -> bool:
    """`word ”word`: one space before the mark, a word of a spaced script on both sides."""
    return (
        i >= 2
        and text[i - 1] == " "
        and (spaced_letter(text[i - 2]) or text[i - 2] in ".,;:!?")
        and i + 1 < len(text)
        and spaced_letter(text[i + 1])
    )


def glued_quote(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Space out a quote mark glued between two words, on the side the pairing proves.

    With no quotation open before it and a closing mark after it, the glued mark
    opens (space before it); inside an open quotation, with no closing mark
    after it, it closes (space after it). Anything else stays as it is.

    >>> glued_quote("Russian forces”must carry out the plans already approved”, he said")
    'Russian forces “must carry out the plans already approved”, he said'
    >>> glued_quote("He called it “a victory”and left.")
    'He called it “a victory” and left.'
    >>> glued_quote('"It is over,"he said.')
    '"It is over," he said.'
    >>> glued_quote("A lone”glued mark proves nothing.")
    'A lone”glued mark proves nothing.'
    """
    marks = marks_of(text)
    if not any(mark.role == "glue" for mark in marks):
        return text
    if not facts.english and CURLY_RE.search(text):
        return text
    fixes: dict[int, str] = {}
    inside: bool | None = False  # inside a quotation? None: cannot tell
    for k, mark in enumerate(marks):
        if mark.role == "glue":
            following = marks[k + 1].role if k + 1 < len(marks) else "end"
            if inside is True and following in ("open", "end"):
                fixes[mark.index] = CLOSE
                inside = False
            elif inside is False and following == "close":
                fixes[mark.index] = OPEN
                inside = True
            else:
                inside = None
        elif mark.role == "open":
            inside = True
        elif mark.role == "close":
            inside = False
        else:
            inside = None
    for i in sorted(fixes, reverse=True):
        char = text[i]
        if fixes[i] == OPEN:
            new = " " + (OPEN_CURLY if char != STRAIGHT else STRAIGHT)
        else:
            new = (CLOSE_CURLY if char != STRAIGHT else STRAIGHT) + " "
        text = text[:i] + new + text[i + 1 :]
    return text


def mixed_pair(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Give a pair of quotes that mixes straight and curly marks the document's dominant style.

    Pairs of one style, either style, are left alone; so are single quotes and
    apostrophes.

    >>> s = '"It hurts a lot, but it is not losing the war,” he said'
    >>> mixed_pair(s, DocFacts(style="straight"))
    '"It hurts a lot, but it is not losing the war," he said'
    >>> mixed_pair(s, DocFacts(style="curly"))
    '“It hurts a lot, but it is not losing the war,” he said'
    """
    if (
        STRAIGHT not in text
        or (OPEN_CURLY not in text and CLOSE_CURLY not in text)  # on ASCII, `in` answers at once
        or not facts.english
    ):
        return text
    chars = list(text)
    opener: Mark | None = None
    for mark in marks_of(text):
        if mark.role == "open":
            opener = mark
            continue
        mixed = opener is not None and (opener.char == STRAIGHT) != (mark.char == STRAIGHT)
        if mark.role == "close" and opener is not None and mixed:
            if facts.style == "straight":
                chars[opener.index] = chars[mark.index] = STRAIGHT
            else:
                chars[opener.index], chars[mark.index] = OPEN_CURLY, CLOSE_CURLY
        opener = None  # paired, or a mark we cannot read: start afresh
    return "".join(chars)
