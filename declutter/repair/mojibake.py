"""The one repair that changes letters: undo mojibake and HTML entities, with ftfy, only where needed."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .chardata import CONTROL_CHARS, HTML_ENTITY, MOJIBAKE_PAIRS, SEPARATOR_SPLIT
from .facts import DEFAULT_FACTS, DocFacts

__all__ = ["may_need_ftfy", "mojibake", "mojibake_clue"]


def may_need_ftfy(text: str) -> bool:
    """The cheap precheck that decides whether ftfy is called at all."""
    if "&" in text and _ftfy_decodes_an_entity(text):
        return True
    # Every control character but U+FFFC is non-printable, and isprintable() is
    # much cheaper than the regex.
    if not text.isprintable() and CONTROL_CHARS.search(text):
        return True
    return not text.isascii() and mojibake_clue(text)


def _ftfy_decodes_an_entity(text: str) -> bool:
    """Does `text` hold an HTML entity ftfy would decode: a numeric one, or a name in its table?

    Entity-shaped strings that are none ("S&P; 500", "&emdash;") are common
    in scraped text, and ftfy is slow on a long line: most of its calls were
    for such strings, and changed nothing.
    """
    for match in HTML_ENTITY.finditer(text):
        entity = match.group()
        if entity.startswith("&#") or entity in _ftfy_entities():
            return True
    return False


def _ftfy_entities() -> dict[str, str]:
    from ftfy.chardata import HTML_ENTITIES  # what ftfy.fixes.unescape_html decodes by name

    return HTML_ENTITIES


def mojibake_clue(text: str) -> bool:
    """The part of `may_need_ftfy` that looks at non-ASCII characters.

    A two-character test with a space in it scans much slower than a test for
    one rare character, so "Ã " is only looked for where there is an "Ã".
    """
    return (
        MOJIBAKE_PAIRS.search(text) is not None
        or "\ufffc" in text
        or ("Ã" in text and "Ã " in text)  # ftfy's "lost no-break space" (voilÃ le travail)
        or ("Â" in text and "Â " in text)
    )


@lru_cache(maxsize=1)
def _ftfy() -> tuple[Callable[..., str], Any]:
    import ftfy  # imported lazily: slow to import, and most lines never need it

    config = ftfy.TextFixerConfig(
        unescape_html=True,  # &amp; &#8220; &nbsp; -> & “ NBSP
        uncurl_quotes=False,  # curly quotes are text, not damage
        fix_latin_ligatures=False,  # "ﬁ" is a letter: leave it
        fix_character_width=False,  # fullwidth "Ａ" is a letter: leave it
        fix_line_breaks=False,  # a line must stay one line
        normalization=None,  # NFC would change the bytes of clean text
        explain=False,
    )
    return ftfy.fix_text, config


def mojibake(text: str, facts: DocFacts = DEFAULT_FACTS) -> str:
    """Undo mojibake and HTML entities with ftfy, configured to change nothing else.

    >>> mojibake("MoscowÃ¢â‚¬â„¢s forces &amp; their &#8220;allies&#8221;")
    'Moscow’s forces & their “allies”'

    Clean text is not even shown to ftfy (and so never normalized or uncurled):

    >>> mojibake("AT&T, Q&A, “café” — ﬁne")
    'AT&T, Q&A, “café” — ﬁne'
    """
    if not may_need_ftfy(text):
        return text
    fix_text, config = _ftfy()
    if SEPARATOR_SPLIT.search(text):
        parts = SEPARATOR_SPLIT.split(text)  # separators at odd indices, kept as they are
        fixed = "".join(part if k % 2 else fix_text(part, config) for k, part in enumerate(parts))
    else:
        fixed = fix_text(text, config)
    # An entity such as &#10; decodes to a line break; inside one line it was
    # only ever a space.
    return fixed.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
