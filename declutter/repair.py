"""The rule layer: repair the kept lines of a document, never rewrite them.

LABELING.md ("Repairs") is the contract. A repair may change quote marks,
invisible or odd characters and whitespace; it changes no letter and no digit.
The one deliberate exception is `mojibake`, whose whole job is to turn wrongly
decoded text back into the letters that were meant (``MoscowÃ¢â‚¬â„¢s`` ->
``Moscow’s``) and HTML entities into the character they name (``&amp;`` -> ``&``).
Text that is already clean comes out byte-for-byte the same, and repairing
twice gives the same result as repairing once.

Each repair is one small pure function ``fix(text, facts) -> text`` with a
doctest, registered by name in `REPAIRS` and applied in that order.
`repair_lines` records every step that changed a line as a `Repair`, so the
output can say which repairs applied and why a line changed. What a repair
needs to know about the whole document (its dominant quote style, its quotation
convention, its language) is computed once over all kept lines as `DocFacts`.

>>> repair_text('Russian forces”must carry out the plans already approved“, he said.')
'Russian forces “must carry out the plans already approved”, he said.'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from declutter.document import Repair
from declutter.errors import DeclutterError

__all__ = [
    "REPAIRS",
    "DocFacts",
    "document_facts",
    "glued_quote",
    "glued_words",
    "invisible",
    "mixed_pair",
    "mojibake",
    "repair_lines",
    "repair_text",
    "reversed_pair",
    "space_before_punct",
    "whitespace",
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

#: A fixed point is normally reached in one round (a second round confirms it);
#: more rounds are needed only when one repair exposes work for an earlier one,
#: e.g. removing a zero-width space from the middle of a mojibake sequence.
MAX_ROUNDS = 4


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


_DEFAULT_FACTS = DocFacts()


# --- character classes -------------------------------------------------------

# The double quote marks the quote repairs reason about.
_MARK_RE = re.compile('["\u201c\u201d]')
_CURLY_RE = re.compile("[\u201c\u201d]")

# Neighbours of a quote mark, by how strongly they say "a quotation opens here"
# (for the character before the mark) or "one closes here" (after it).
_OPENING_PUNCT = frozenset("([{<«‹‘¿¡（［｛〔【《〈「『")
_CLOSING_PUNCT = frozenset(".,;:!?)]}>»›’…）］｝〕】》〉」』，。、；：！？")
# Dashes and slashes lean towards whichever side has no space.
_NEUTRAL_PUNCT = frozenset("—–-/")

OPEN, CLOSE, GLUED, LONE = "open", "close", "glued", "lone"


# How strongly the character before a mark says "opens here" (after: "closes
# here"); any space counts 2, as does the start or end of the line.
_OPENING_SCORE = dict.fromkeys(_OPENING_PUNCT, 2) | dict.fromkeys(_NEUTRAL_PUNCT, 1)
_CLOSING_SCORE = dict.fromkeys(_CLOSING_PUNCT, 2) | dict.fromkeys(_NEUTRAL_PUNCT, 1)


def _position(text: str, i: int) -> str:
    """Where the mark at `i` stands: OPEN (space before, a word after), CLOSE
    (a word before, space or punctuation after), GLUED (words on both sides) or
    LONE (space on both sides).

    >>> [_position(s, s.index(q)) for s, q in [(' “a', '“'), ('a“,', '“'), ('a”b', '”'), (' ” ', '”')]]
    ['open', 'close', 'glued', 'lone']
    """
    p = text[i - 1] if i > 0 else " "
    n = text[i + 1] if i + 1 < len(text) else " "
    before = 2 if p.isspace() else _OPENING_SCORE.get(p, 0)
    after = 2 if n.isspace() else _CLOSING_SCORE.get(n, 0)
    if before > after:
        return OPEN
    if after > before:
        return CLOSE
    return LONE if before else GLUED


def _spaced_letter(ch: str) -> bool:
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
    if i == 0 or i + 1 >= len(text) or not _spaced_letter(text[i + 1]):
        return False
    if text[i + 1] in "sS" and not text[i + 2 : i + 3].isalpha():
        return False
    before = text[i - 1]
    if _spaced_letter(before):
        return not (text[i] == STRAIGHT and _STRING_PREFIX.search(text, max(0, i - 3), i))
    return before in ".,;:!?" and i >= 2 and (text[i - 2].isalnum() or text[i - 2] in ")]’")


class _Mark(NamedTuple):
    index: int
    char: str
    position: str  # OPEN | CLOSE | GLUED | LONE
    role: str | None  # "open" | "close" | "glue" (to be decided) | None (unknown)


@lru_cache(maxsize=64)
def _marks(text: str) -> tuple[_Mark, ...]:
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
        position = _position(text, i)
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
        marks.append(_Mark(i, char, position, role))
    return tuple(marks)


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


_MOJIBAKE_PAIRS = _build_mojibake_pairs()
# What ftfy removes or decodes besides mojibake: C0 and C1 controls (terminal
# escapes start with one), deprecated format characters, lone surrogates.
_CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u206a-\u206f\ufff9-\ufffc\ud800-\udfff]"
)
_HTML_ENTITY = re.compile("&#?[0-9A-Za-z]{1,24};")  # as ftfy.chardata.HTML_ENTITY_RE


def _may_need_ftfy(text: str) -> bool:
    """The cheap precheck that decides whether ftfy is called at all."""
    if "&" in text and _ftfy_decodes_an_entity(text):
        return True
    # Every control character but U+FFFC is non-printable, and isprintable() is
    # much cheaper than the regex.
    if not text.isprintable() and _CONTROL_CHARS.search(text):
        return True
    return not text.isascii() and _mojibake_clue(text)


def _ftfy_decodes_an_entity(text: str) -> bool:
    """Does `text` hold an HTML entity ftfy would decode: a numeric one, or a name in its table?

    Entity-shaped strings that are none ("S&P; 500", "&emdash;") are common
    in scraped text, and ftfy costs ~1.5 ms on a long line: on 2,000 residue
    documents they were 19 of its 23 calls, none of which changed a thing.
    """
    for match in _HTML_ENTITY.finditer(text):
        entity = match.group()
        if entity.startswith("&#") or entity in _ftfy_entities():
            return True
    return False


def _ftfy_entities() -> dict[str, str]:
    from ftfy.chardata import HTML_ENTITIES  # what ftfy.fixes.unescape_html decodes by name

    return HTML_ENTITIES


def _mojibake_clue(text: str) -> bool:
    """The part of `_may_need_ftfy` that looks at non-ASCII characters.

    A two-character test with a space in it scans much slower than a test for
    one rare character, so "Ã " is only looked for where there is an "Ã".
    """
    return (
        _MOJIBAKE_PAIRS.search(text) is not None
        or "\ufffc" in text
        or ("Ã" in text and "Ã " in text)  # ftfy's "lost no-break space" (voilÃ le travail)
        or ("Â" in text and "Â " in text)
    )


_SPACES = NO_BREAK_SPACES + SEPARATOR_SPACES
_ODD = _SPACES + ZERO_WIDTH
_ODD_CHAR = re.compile(f"[{_ODD}]")
# A run of odd characters and spaces, from its first odd character: a
# pattern that opens with a character class is scanned for at C speed, where
# one that opens with `[ ...]*` is tried at every position (5x slower on a
# long line). The spaces before the run are taken in by `invisible`.
_ODD_RUN = re.compile(f"[{_ODD}][ {_ODD}]*")
_SEPARATOR_SPLIT = re.compile(f"([{SEPARATOR_SPACES}])")


def _needs_repair(line: str) -> bool:
    """The per-line gate: False means no repair would change this line.

    Most lines need nothing, so this is the hot path. It uses C-speed string
    tests only, plus one regex for non-ASCII lines. It must say True for
    everything any repair's own precheck accepts (a property test checks this).
    `isprintable()` is False for controls, tabs and every no-break, zero-width
    and format character.
    """
    if not line:
        return False
    if (
        not line.isprintable()
        or '"' in line
        or "&" in line
        or line[-1] == " "
        or " ," in line
        or " ." in line
        or " )" in line
    ):
        return True
    if line.isascii():
        return False
    # A printable line without "&" leaves `_may_need_ftfy` only its clue test.
    return OPEN_CURLY in line or CLOSE_CURLY in line or LOW_CURLY in line or _mojibake_clue(line)


# --- the repairs -------------------------------------------------------------


@lru_cache(maxsize=1)
def _ftfy() -> tuple[Callable[..., str], Any]:
    import ftfy  # imported lazily: ~50 ms, and most lines never need it

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


def mojibake(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
    """Undo mojibake and HTML entities with ftfy, configured to change nothing else.

    >>> mojibake("MoscowÃ¢â‚¬â„¢s forces &amp; their &#8220;allies&#8221;")
    'Moscow’s forces & their “allies”'

    Clean text is not even shown to ftfy (and so never normalized or uncurled):

    >>> mojibake("AT&T, Q&A, “café” — ﬁne")
    'AT&T, Q&A, “café” — ﬁne'
    """
    if not _may_need_ftfy(text):
        return text
    fix_text, config = _ftfy()
    if _SEPARATOR_SPLIT.search(text):
        parts = _SEPARATOR_SPLIT.split(text)  # separators at odd indices, kept as they are
        fixed = "".join(part if k % 2 else fix_text(part, config) for k, part in enumerate(parts))
    else:
        fixed = fix_text(text, config)
    # An entity such as &#10; decodes to a line break; inside one line it was
    # only ever a space.
    return fixed.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def invisible(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
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
    if text.isprintable() or not _ODD_CHAR.search(text):
        return text
    parts: list[str] = []
    end = 0  # where the last run ended: never a space, as the run took those in
    for match in _ODD_RUN.finditer(text):
        before = text[end : match.start()].rstrip(" ")
        parts.append(before)
        run_start = end + len(before)
        if run_start > 0 and any(c == " " or c in _SPACES for c in text[run_start : match.end()]):
            parts.append(" ")
        end = match.end()
    parts.append(text[end:])
    return "".join(parts)


def reversed_pair(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
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
    marks = _marks(text)
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


def _backwards(mark: _Mark) -> bool:
    if mark.char == OPEN_CURLY:
        return mark.position == CLOSE
    return mark.char == CLOSE_CURLY and mark.position == OPEN


def _space_after_belongs_before(text: str, i: int) -> bool:
    """`word“ word`: one space after the mark, a word of a spaced script on both sides."""
    return (
        text[i + 1 : i + 2] == " "
        and i + 2 < len(text)
        and _spaced_letter(text[i + 2])
        and i > 0
        and (_spaced_letter(text[i - 1]) or text[i - 1] in ".,;:!?")
    )


def _space_before_belongs_after(text: str, i: int) -> bool:
    """`word ”word`: one space before the mark, a word of a spaced script on both sides."""
    return (
        i >= 2
        and text[i - 1] == " "
        and (_spaced_letter(text[i - 2]) or text[i - 2] in ".,;:!?")
        and i + 1 < len(text)
        and _spaced_letter(text[i + 1])
    )


def glued_quote(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
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
    marks = _marks(text)
    if not any(mark.role == "glue" for mark in marks):
        return text
    if not facts.english and _CURLY_RE.search(text):
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


def mixed_pair(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
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
    opener: _Mark | None = None
    for mark in _marks(text):
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


# A space before , or . (at the end, or before space or a closing mark), or
# before ). Only after a word or a closing mark: "said ," but not " , " lists.
# The pattern starts with its literal space so the regex engine scans for it
# at C speed; what may come before the run is checked in `replace` (a leading
# look-behind made the engine try it at every position: 200 µs per line).
# "  *" rather than " +": the same runs, but only a leading literal is scanned
# for at C speed (" +" took 1.5-2 times as long on the recorded workload).
_SPACE_BEFORE_PUNCT = re.compile(r"  *(?=[,.](?:[\s\"”’)\]]|\Z)|\))")
_CLOSING_MARKS = "\"”’)]"


def space_before_punct(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
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


# glued_words. Calibrated with wordfreq 3.1 (English) on the seed glue
# "russiafor": zipf 0.0, halves russia 4.93 / for 7.01. Rare but real lowercase
# words measured alongside: upskilling 1.49, preapproved 1.70, counteroffensive
# 2.22, cyberattack 2.32, goldschmidt 2.55; these stay whole. Word frequencies
# alone cannot tell a lost quote from a lost space or a compound, though:
# universitysince, nonmonetary and linkworthy all look like russiafor (zipf 0,
# two frequent halves). Hence the structural conditions in `glued_words`.
GLUED_MIN_LENGTH = 8  # lowercase letters; shorter tokens are too often real words
# The glued word must be among the first words of the quotation: scare quotes
# and titles are short. The seed's "russiafor" is the 3rd word; on the shared
# gold texts (255k lines) every wrong split was 6 or more words in.
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


def glued_words(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
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
    marks = _marks(text)
    if not marks or (not facts.english and _CURLY_RE.search(text)):
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
    marks = _marks(text)
    if any(mark.role not in ("open", "close") for mark in marks):
        return None
    gaps: list[tuple[int, int, str]] = []
    opener: _Mark | None = None
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


def whitespace(text: str, facts: DocFacts = _DEFAULT_FACTS) -> str:
    """Drop trailing whitespace; the pipeline renders line breaks and blank lines itself.

    Runs of spaces left by removed characters are collapsed where they are made
    (`invisible`); other internal spacing of the text is left as it is.

    >>> whitespace("Lugansk region. \\t")
    'Lugansk region.'
    >>> whitespace("Two  spaces stay.")
    'Two  spaces stay.'
    """
    return text.rstrip()


Fix = Callable[[str, DocFacts], str]

#: Every repair by name, in the order they are applied.
REPAIRS: dict[str, Fix] = {
    "mojibake": mojibake,
    "invisible": invisible,
    "reversed_pair": reversed_pair,
    "glued_quote": glued_quote,
    "mixed_pair": mixed_pair,
    "space_before_punct": space_before_punct,
    "glued_words": glued_words,
    "whitespace": whitespace,
}

# Repairs that read DocFacts. The facts are counted just before the first of
# them runs, so they see the text after mojibake and entities are undone.
_READS_FACTS = frozenset({"reversed_pair", "glued_quote", "mixed_pair", "glued_words"})
# The repairs that read `DocFacts.lines`: the others read only their own line
# and the style, convention and language of the document.
_READS_LINES = frozenset({"glued_words"})


def document_facts(lines: Iterable[str], lang: str = "en") -> DocFacts:
    """What the quote repairs need to know about the whole document, computed once.

    >>> document_facts(['"Yes," he said.', '"No,” she said.']).style
    'straight'
    >>> document_facts(["„Ja“, sagte er."]).english
    False
    """
    lines = tuple(lines)
    return _count_facts(lines, lines, lang)


def _count_facts(quoted: Iterable[str], lines: tuple[str, ...], lang: str) -> DocFacts:
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
        english = not any(_position(text, m.start()) == OPEN for m in _CURLY_RE.finditer(text))
    return DocFacts(style=style, english=english, lang=lang, lines=lines)


def repair_lines(
    lines: list[str], skip: Collection[str] = (), *, lang: str = "en"
) -> tuple[list[str], list[Repair]]:
    """Repair the kept lines of ONE document.

    Document-level facts such as the dominant quote style are computed over all
    of the lines. Returns the new lines and one `Repair(line, name, before,
    after)` per repair that changed a line, `line` being an index into `lines`.

    >>> new, repairs = repair_lines(["Lugansk region.\\u00a0", "Clean line."])
    >>> new
    ['Lugansk region.', 'Clean line.']
    >>> [(r.line, r.name) for r in repairs]
    [(0, 'invisible'), (0, 'whitespace')]
    """
    unknown = set(skip) - REPAIRS.keys()
    if unknown:
        raise DeclutterError(
            f"unknown repair(s) {', '.join(sorted(unknown))}; choose from: {', '.join(REPAIRS)}"
        )
    steps = [(name, fix) for name, fix in REPAIRS.items() if name not in skip]
    # Two phases: the repairs before the first one that reads DocFacts run over
    # every line, then the facts are counted, then the rest run line by line
    # (so the quote repairs share one cached `_marks` per line).
    first_reader = next(
        (k for k, (name, _) in enumerate(steps) if name in _READS_FACTS), len(steps)
    )
    phases = [steps[:first_reader], steps[first_reader:]]
    # The first step that reads the other lines of the document
    # (`DocFacts.lines`); it reads the facts too, so it is in phase 1.
    first_lines_reader = next(
        (k for k, (name, _) in enumerate(steps) if name in _READS_LINES), len(steps)
    )
    out = list(lines)
    todo = [i for i, line in enumerate(out) if _needs_repair(line)]
    repairs: list[Repair] = []
    # Lines no step changed in the last round. Given the same text, a step
    # gives the same answer again, unless what it reads of the document
    # changed; so such a line skips phase 0, and in phase 1 runs only the steps
    # from the first one that reads the other lines (which did change), or all
    # of phase 1 if the facts the quote repairs read changed.
    settled: set[int] = set()
    last_facts: DocFacts | None = None
    # Lines outside `todo` hold nothing any repair acts on, quote marks
    # included, so neither they nor the facts they add to can change anything.
    for _ in range(MAX_ROUNDS if todo else 0):
        changed = False
        facts = _DEFAULT_FACTS
        count = len(repairs)
        for phase_number, phase in enumerate(phases):
            if phase_number == 1 and phase:
                facts = _count_facts((out[i] for i in todo), tuple(out), lang)
            if phase_number == 0:
                again: list[tuple[str, Fix]] = []
            elif facts == last_facts:
                again = steps[first_lines_reader:]
            else:
                again = phase
            for i in todo:
                text = _apply(again if i in settled else phase, i, out[i], facts, repairs)
                if text != out[i]:
                    out[i] = text
                    changed = True
        if not changed:
            break
        settled = set(todo).difference(repair.line for repair in repairs[count:])
        last_facts = facts
    return out, repairs


def _apply(
    steps: list[tuple[str, Fix]], i: int, text: str, facts: DocFacts, repairs: list[Repair]
) -> str:
    """Run `steps` over line `i`, recording each one that changes it."""
    for name, fix in steps:
        fixed = fix(text, facts)
        if fixed != text:
            repairs.append(Repair(line=i, name=name, before=text, after=fixed))
            text = fixed
    return text


def repair_text(text: str, skip: Collection[str] = ()) -> str:
    """Repair a string as one document, line by line.

    >>> repair_text('"It hurts a lot, but it’s not losing the war,” he said.')
    '“It hurts a lot, but it’s not losing the war,” he said.'
    >>> repair_text("Lugansk region.\\u00a0\\nMore ,text here")
    'Lugansk region.\\nMore ,text here'
    """
    lines, _ = repair_lines(text.split("\n"), skip)
    return "\n".join(lines)
