"""What the quote repairs need to know about a whole document, counted once: `DocFacts`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .chardata import CLOSE_CURLY, CURLY_RE, LOW_CURLY, OPEN, OPEN_CURLY, STRAIGHT
from .marks import mark_position

__all__ = ["DEFAULT_FACTS", "DocFacts", "count_facts", "document_facts"]


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What the quote repairs need to know about the whole document.

    >>> DocFacts().style, DocFacts().english
    ('curly', True)
    """

    #: Dominant double-quote style: "straight" when straight marks outnumber
    #: curly ones in the document, else "curly" (ties go to curly: a pair that
    #: mixes styles usually comes from a CMS that "smartened" part of the text,
    #: and the curly marks keep the open/close information the straight ones lost).
    style: Literal["curly", "straight"] = "curly"
    #: Quotes follow the “…” convention, where “ only opens and ” only closes.
    #: False for „…“ / „…” (German, Polish, ...) and ”…” (Swedish, Finnish):
    #: there the curly-quote repairs stand aside rather than guess.
    english: bool = True
    #: Language of the document, for word frequencies (`glued_words`).
    lang: str = "en"
    #: All lines of the document, for the one repair that must look beyond its
    #: line: `glued_words` stands aside in a document that loses spaces.
    lines: tuple[str, ...] = field(default=(), repr=False, compare=False)


DEFAULT_FACTS = DocFacts()


def document_facts(lines: Iterable[str], lang: str = "en") -> DocFacts:
    """What the quote repairs need to know about the whole document, computed once.

    >>> document_facts(['"Yes," he said.', '"No,” she said.']).style
    'straight'
    >>> document_facts(["„Ja“, sagte er."]).english
    False
    """
    lines = tuple(lines)
    return count_facts(lines, lines, lang)


def count_facts(quoted: Iterable[str], lines: tuple[str, ...], lang: str) -> DocFacts:
    """`document_facts` of `lines`, counting the marks of `quoted` only.

    `repair_lines` passes the lines its gate let through as `quoted`: the
    others hold no quote mark of any kind, so they add nothing to the counts.
    """
    text = "\n".join(quoted)
    straight = text.count(STRAIGHT)
    curly = text.count(OPEN_CURLY) + text.count(CLOSE_CURLY)
    style: Literal["curly", "straight"] = "straight" if straight > curly else "curly"
    english = LOW_CURLY not in text
    if english and CLOSE_CURLY in text and OPEN_CURLY not in text:
        # ”…” (Swedish, Finnish): a ” that opens is the convention, not damage.
        english = not any(mark_position(text, m.start()) == OPEN for m in CURLY_RE.finditer(text))
    return DocFacts(style=style, english=english, lang=lang, lines=lines)
