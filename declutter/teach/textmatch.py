"""Text matching for alignment: normalised tokens, headline variants, lines that look like boilerplate.

What `align.py` compares lines and gold texts with, written once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from ..sentences import WORD_TOKEN

__all__ = [
    "TitleMatcher",
    "WORD_TOKEN",
    "boilerplate_reason",
    "looks_like_boilerplate",
    "matches_title",
    "normalize",
    "tokenize",
    "tokenize_lines",
]

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
    }
)
_MOJIBAKE = re.compile("[ÂÃâ][\u0080-\u00bf\u2018-\u203a\u20ac]")


def normalize(text: str) -> str:
    """Fold the differences a gold text and a rendering disagree on without
    changing words: compatibility forms, quotes, dashes, invisible characters,
    case, UTF-8 read as Latin-1.

    >>> normalize("It’s  a “Test” — ﬁne")
    'it\\'s  a "test" - fine'
    """
    if _MOJIBAKE.search(text):
        import ftfy  # only for the rare mojibake line

        text = ftfy.fix_encoding(text)
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()


def tokenize(text: str) -> list[str]:
    """Word tokens of the normalised text (each CJK character is one).

    >>> tokenize("Don’t stop — 東京都")
    ['don', 't', 'stop', '東', '京', '都']
    """
    return WORD_TOKEN.findall(normalize(text))


def tokenize_lines(lines: Sequence[str]) -> list[list[str]]:
    """`tokenize` over many lines at once: one normalisation pass over the
    joined text instead of one per line (it dominates on 3,000-line pages)."""
    folded = normalize("\n".join(lines)).split("\n")
    if len(folded) != len(lines):  # a line held a newline: go line by line
        return [tokenize(line) for line in lines]
    return [WORD_TOKEN.findall(line) for line in folded]


# --------------------------------------------------------------------- title

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]+\s+|\s*[|»]\s*|::")


def _title_variants(text: str) -> list[tuple[str, ...]]:
    """The whole title and each part of "Headline | Site" / "Headline - Site"."""
    variants = [tuple(tokenize(text))]
    parts = _TITLE_SEPARATORS.split(text)
    if len(parts) > 1:
        variants += [tuple(tokenize(part)) for part in parts]
    return [v for v in variants if v]


def _similar(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or min(len(a), len(b)) < 0.8 * max(len(a), len(b)):
        return False
    common = sum((Counter(a) & Counter(b)).values())
    return common >= 0.8 * max(len(a), len(b))


def matches_title(line: str, title: str) -> bool:
    """Is `line` the headline that `title` names? Page titles carry the site
    ("Headline | Site"); the on-page headline is the headline part.

    >>> matches_title("Putin Orders Offensive to Continue", "Putin orders offensive to continue | The Moscow Times")
    True
    >>> matches_title("The Moscow Times", "Putin orders offensive to continue | The Moscow Times")
    False
    """
    return TitleMatcher(title).match(line)


class TitleMatcher:
    """A title's variants, tokenised once for all the lines of a page."""

    def __init__(self, title: str) -> None:
        variants = _title_variants(title)
        whole = variants[0] if variants else ()
        # a part of the title only counts when it is the longest part (the headline)
        longest = max(variants[1:], key=len, default=whole)
        self.candidates = {v for v in (whole, longest) if len(v) >= (1 if v == whole else 2)}
        self.max_len = max(map(len, self.candidates), default=0)

    def match(self, line: str, tokens: Sequence[str] | None = None) -> bool:
        whole = tuple(tokenize(line) if tokens is None else tokens)
        if not whole or len(whole) > 40 or len(whole) > 2 * self.max_len + 4:
            return False
        if any(_similar(whole, c) for c in self.candidates):
            return True
        parts = _title_variants(line)[1:] if _TITLE_SEPARATORS.search(line) else []
        return any(p in self.candidates and len(p) >= 3 for p in parts)


# -------------------------------------------------------- credits and dates

_BY_WORDS = frozenset(
    {"by", "von", "par", "por", "door", "di", "af", "av", "przez", "autor", "autorin"}
)
# Words that make a credit only with their colon ("Text: Jane Doe", not "Text Messaging").
_BY_COLON_WORDS = frozenset({"text:", "texte:", "words:"})
_CREDIT = re.compile(
    r"^\W*(?:photo|image|picture|foto|bild|credit|source|quelle|fotó|zdjęcie)s?\s*(?:credit)?\s*[:/|©]"
    r"|getty images|reuters/|\bap photo\b|\bafp/|/afp\b|/ap\b|/reuters\b|shutterstock|©|\(c\) \d{4}"
    r"|all rights reserved|^\W*(?:with )?(?:additional )?reporting by\b|^\W*powered by\b"
    r"|\b(?:first published|last updated|last modified)\b|^\W*(?:图注|图片来源|来源|作者|责任编辑)\s*[:：︱|]"
    r"|^\W*copyright\b[^.!?]*\b(?:19|20)\d\d[^\w.]*$"  # "Copyright Business Wire 2008"
    # "all rights reserved" in the languages of the sets and seeds
    r"|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados|tutti i diritti riservati"
    r"|todos os direitos reservados|все права защищены|wszelkie prawa zastrzeżone|版权所有|版權所有"
    r"|무단\s?전재|無断転載|جميع الحقوق محفوظة",
    re.IGNORECASE,
)
# Who made it or where it came from: "(Writing by ...; Editing by ...)", "Photos by", "Top image by",
# "[Images via Getty]", "Via MacRumors" (the source a post took its story from).
_MADE_BY = re.compile(
    r"^\W*(?:writing|written|editing|edited|reporting|compiled|produced|translated|translation|graphics?"
    r"|illustrations?|photos?|photographs?|photography|images?|pictures?|videos?|top image)\s+(?:by|via)\b"
    r"|^\W*via\s+\S+(?:\s+\S+){0,2}\W*$",
    re.IGNORECASE,
)
# Such a credit never ends in the middle of a sentence: "edited by A. Leko, ... as well as by the"
# is a hard-wrapped line of prose.
_WRAPPED = re.compile(r"(?:,|\b(?:the|a|an|of|and|or|to|in|as|with|for))\s*$", re.IGNORECASE)
# LABELING: share / follow prompts. A follow prompt names where to follow: a network or a handle.
_FOLLOW = re.compile(
    r"^\W*(?:follow|folgen sie|folge|suivez|suivre|síguenos|sigue|seguici|segui|siga)\b.{0,80}?"
    r"(?:\b(?:twitter|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon|pinterest|telegram)\b"
    r"|\bx\.com\b|@\w)",
    re.IGNORECASE,
)
# LABELING: "Read more", "Related:", "SEE ALSO – ...", "Watch:" and the like
# announce links to other stories; with their separator they never open a
# paragraph of the story itself.
_TEASER = re.compile(
    r"^\W*(?:related(?: (?:articles?|stories|content|coverage|posts?|news|links?|topics?))?|read (?:more|also|next)"
    r"(?: about)?|see also|also read|more (?:from|on|about)|watch|video|listen|lire aussi|à lire aussi|voir aussi"
    r"|mehr zum thema|lesen sie auch|lesen sie mehr|auch interessant|leer más|lee también|ver también|leia também"
    r"|czytaj (?:też|także|więcej)|zobacz (?:też|także)|leggi anche)\s*[:\-–—|>»]"
    r"|^\W*(?:read more|more|continue reading|weiterlesen|lire la suite|leer más|mehr)\W*$",
    re.IGNORECASE,
)

# fmt: off
_MONTHS_DAYS = frozenset(
    {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "january", "february", "march", "april", "june", "july", "august", "september", "october",
        "november", "december", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday",
        "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "januar", "februar",
        "märz", "mai", "juni", "juli", "oktober", "dezember",
    }
)
# fmt: on
# words of a date stamp besides month and day names ("Posted on ... at 5:30 PM ET")
# fmt: off
_DATE_WORDS = _MONTHS_DAYS | {
    "am", "pm", "a", "m", "p", "et", "est", "edt", "pst", "pdt", "cst", "cdt", "gmt", "bst", "utc",
    "cet", "cest", "ist", "updated", "posted", "published", "last", "modified", "on", "at", "by",
    "date", "time", "uhr", "stand", "aktualisiert", "veröffentlicht", "um", "de", "publié", "le",
    "mis", "à", "jour",
}
# fmt: on
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b\d{1,2}:\d{2}\b")


_BARE_DOMAIN = re.compile(r"^\W*(?:[Hh][Tt][Tt][Pp][Ss]?://)?(?:[\w-]+\.)+[a-z]{2,24}(?:/\S*)?[^\w(]*$")  # lower-case TLD: not "ASP.NET"
# File names in a code or docs article ("package.json", "main.py"): not a domain.
# fmt: off
_FILE_SUFFIXES = frozenset(
    {
        "js", "ts", "py", "json", "yml", "yaml", "md", "txt", "html", "htm", "css", "sh", "xml", "csv",
        "pdf", "jpg", "jpeg", "png", "gif", "svg", "php", "rb", "go", "rs", "java", "cpp", "h", "c",
        "log", "ini", "toml", "cfg", "conf", "lock", "zip", "gz", "exe", "sql", "jsx", "tsx", "vue",
    }
)
# fmt: on


def boilerplate_reason(text: str, tokens: Sequence[str] | None = None) -> str | None:
    """Why a line on its own is boilerplate by LABELING.md whatever a gold
    says ("byline", "credit", "prompt", "teaser", "domain", "date"), or None.

    A short heading that ends in a colon ("Sources:") is not a credit: the
    article's own list follows it.

    >>> [boilerplate_reason(t) for t in ["By Jane Doe", "Sources:", "package.json", "Sept. 12, 2006",
    ...  "Text Messaging", "Text: Jane Doe", "frame.report("]]
    ['byline', None, None, 'date', None, 'byline', None]
    """
    words = text.split()
    if not words or len(words) > 25:
        return None
    if len(words) == 1 and _BARE_DOMAIN.match(text):  # "kremlin.ru": a photo credit or a link
        suffix = text.strip().rstrip("/.,;:!?)").rsplit(".", 1)[-1]
        if "/" in text or suffix not in _FILE_SUFFIXES:
            return "domain"
    first = words[0].casefold()
    is_by = 2 <= len(words) <= 14 and (first.strip(":") in _BY_WORDS or first in _BY_COLON_WORDS)
    if is_by and all(w[:1].isupper() for w in words[1:3]):  # a name, not "By Tuesday, the ..."
        return "byline"
    heading = len(words) <= 3 and text.rstrip().endswith(":")  # "Sources:", "Photo credits:"
    if len(words) <= 15 and not heading and (
        _CREDIT.search(text) or (_MADE_BY.search(text) and not _WRAPPED.search(text))
    ):
        return "credit"
    if len(words) <= 15 and _FOLLOW.search(text):
        return "prompt"
    if _TEASER.search(text):
        return "teaser"
    if len(words) > 12:
        return None
    tokens = tokenize(text) if tokens is None else tokens
    # a date stamp: date words and numbers only, with a month or weekday name
    # or a numeric date/time; bare numbers are prices, scores, counts
    if (
        0 < len(tokens) <= 10
        and any(t.isdigit() for t in tokens)
        and all(t.isdigit() or t in _DATE_WORDS or _is_ordinal(t) for t in tokens)
        and (any(t in _MONTHS_DAYS for t in tokens) or _NUMERIC_DATE.search(text) is not None)
    ):
        return "date"
    return None


def looks_like_boilerplate(text: str, tokens: Sequence[str] | None = None) -> bool:
    """A byline, a date stamp, a credit, a copyright line, a follow prompt or a
    "Related:" teaser on its own line: boilerplate by LABELING.md even where a
    dataset's gold keeps it (`boilerplate_reason` says which).

    >>> [looks_like_boilerplate(t) for t in ["By Jane Doe", "July 24, 2012 12:11 AM",
    ...  "REUTERS/Alexander Ermochenko", "Related: Chicago is America's most segregated city",
    ...  "By 2030 the plant will close.", "By Tuesday, the storm had passed.",
    ...  "Related research points the other way.", "$7.95 - $179.95", "kremlin.ru", "U.S."]]
    [True, True, True, True, False, False, False, False, True, False]
    """
    return boilerplate_reason(text, tokens) is not None


def _is_ordinal(token: str) -> bool:
    return token[:-2].isdigit() and token[-2:] in ("st", "nd", "rd", "th")
