"""Which legacy encoding non-UTF-8 bytes are in: decided once here, so no letter is lost.

Scraped corpora hold cp1252, Latin-1, Shift-JIS, GB18030, KOI8-R and more;
decoding them as UTF-8 with replacement turns "président" into "pr�sident".
`guess_encoding` decides, in this order:

1. a page's own `<meta charset>` (or `http-equiv` content type), when the
   bytes decode under it without an error;
2. a Latin single-byte code page (cp1252 first, then cp1250, ISO-8859-2,
   cp1254, cp1257) whose decoding is *one language's letters*: every
   non-ASCII letter belongs to one alphabet of `ALPHABETS` and no symbol or
   control character sits inside a word. charset-normalizer alone cannot
   tell these apart: on a French cp1252 article it picks cp1257
   ("franēais", "déją"), on Czech cp1250 and cp1252 it scores a tie;
3. a Cyrillic or Greek single-byte code page (cp1251, KOI8-R, ISO-8859-5,
   cp866, cp1253, ISO-8859-7) whose decoding is letters of that one script
   with words cased as words are (`lower`, `Title`, `UPPER`): KOI8-R read
   as cp1251 is Cyrillic too, but "пПЕЪХДЕОР"; charset-normalizer
   reads a sentence of KOI8-R as Shift-JIS;
4. charset-normalizer's best guess, when it is an encoding of
   `WELL_KNOWN` (CJK, Cyrillic, Greek, Hebrew, Arabic, Thai, Vietnamese):
   on short inputs it otherwise offers EBCDIC or UTF-16-BE for "Caf\\xe9";
5. cp1252, the web's most common legacy encoding (WHATWG decodes a page
   labelled Latin-1 as cp1252 too), flagged as a fallback so the caller's
   warning can say it was not detected.

Only bytes that are not valid UTF-8 reach this module (`textio.decode_bytes`).
"""

from __future__ import annotations

import codecs
import re
import string
import unicodedata
from typing import NamedTuple

__all__ = ["ALPHABETS", "CASED_CODEPAGES", "FALLBACK", "LATIN_CODEPAGES", "MIN_DETECTION_BYTES", "SAMPLE_BYTES", "WELL_KNOWN", "Guess", "guess_encoding", "normal_name"]

FALLBACK = "cp1252"
#: The guess is made on the first 256 KB: enough text for any detector, and
#: a 50 MB input is not decoded eleven times over.
SAMPLE_BYTES = 1 << 18

#: Latin single-byte code pages tried in turn, most common on the web first.
LATIN_CODEPAGES = ("cp1252", "cp1250", "iso8859_2", "cp1254", "cp1257")

#: Single-byte code pages of cased non-Latin scripts, tried after the Latin ones.
CASED_CODEPAGES = ("cp1251", "koi8_r", "iso8859_5", "cp866", "cp1253", "iso8859_7")
# Share of a decoding's non-ASCII words that must be cased as words are.
_CASED_WORDS = 0.9

#: The non-ASCII lower-case letters of the languages written in those code
#: pages. A decoding whose non-ASCII letters all fit one of these is taken;
#: a wrong decoding mixes alphabets (cp1251 Russian read as cp1252 gives
#: "ïðåçèäåíò": ð and å are no French, Danish or Icelandic word's mix).
ALPHABETS: dict[str, str] = {
    "fr": "àâæçéèêëîïôœùûüÿ",
    "es": "áéíñóúü",
    "pt": "áâãàçéêíóôõú",
    "it": "àèéìíîòóù",
    "ca": "àçèéíïòóúü",
    "de": "äöüß",
    "nl": "áéëèïóöü",
    "da_no": "æøåéó",
    "sv_fi": "åäöé",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșțşţ",
    "hr_sl": "čćđšž",
    "tr": "çğıöşüâî",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
}

#: charset-normalizer is asked only about inputs with at least this many
#: non-ASCII bytes (three CJK characters): below it, it names an encoding
#: for any bytes at all ("x\x98\x81y" is cp949 to it), so cp1252 it is.
MIN_DETECTION_BYTES = 6
_HIGH_BYTES = bytes(range(0x80, 0x100))

#: Encodings charset-normalizer's guess is trusted for (Python codec names).
WELL_KNOWN = frozenset(
    """cp932 shift_jis shift_jis_2004 shift_jisx0213 euc_jp euc_jis_2004 iso2022_jp
    gb18030 gbk gb2312 hz big5 big5hkscs cp950 euc_kr cp949 johab iso2022_kr
    cp1251 koi8_r koi8_u iso8859_5 cp866 mac_cyrillic cp1253 iso8859_7 cp1255 iso8859_8
    cp1256 iso8859_6 cp874 tis_620 iso8859_11 cp1258 cp1252 cp1250 iso8859_2 cp1254 cp1257
    latin_1 iso8859_1 iso8859_15 iso8859_13 iso8859_9""".split()
)

# Typographic marks that may stand between two letters (in `_ODD`): apostrophes
# (l’état), the Catalan middle dot (col·lecció), hyphens, the soft hyphen.
_WORD = re.compile(r"[^\W\d_]+")  # a run of letters
# Non-ASCII characters that are neither letters nor marks allowed inside a word.
_ODD = re.compile(r"[^\x00-\x7f\w’‘·‐‑\u00ad]|[\x80-\x9f]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)


class Guess(NamedTuple):
    """An encoding (Python's codec name) and how it was found: "declared", "detected" or "fallback"."""

    encoding: str
    how: str


def normal_name(name: str) -> str | None:
    """Python's codec name for an encoding label, or None when Python has no such codec.

    >>> normal_name("Shift-JIS"), normal_name("latin-1"), normal_name("klingon")
    ('shift_jis', 'iso8859_1', None)
    """
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except (LookupError, ValueError):
        return None


def guess_encoding(data: bytes) -> Guess:
    """The encoding of bytes that are not UTF-8 (see the module docstring for the order).

    >>> guess_encoding("Le président français a démissionné.".encode("cp1252"))
    Guess(encoding='cp1252', how='detected')
    >>> guess_encoding("Президент России провёл совещание в среду.".encode("koi8-r")).encoding
    'koi8_r'
    >>> guess_encoding(b"x\\x98\\x81y")  # too short to tell
    Guess(encoding='cp1252', how='fallback')
    """
    data = data[:SAMPLE_BYTES]
    declared = _declared(data)
    if declared is not None:
        return Guess(declared, "declared")
    latin = _one_language_latin(data)
    if latin is not None:
        return Guess(latin, "detected")
    cased = _one_script_cased(data)
    if cased is not None:
        return Guess(cased, "detected")
    detected = _charset_normalizer(data)
    if detected is not None:
        return Guess(detected, "detected")
    return Guess(FALLBACK, "fallback")


def _declared(data: bytes) -> str | None:
    """The charset an HTML page declares in its head, if the bytes decode under it."""
    match = _CHARSET.search(data, 0, 4096)
    if match is None:
        return None
    name = normal_name(match.group(1).decode("ascii"))
    if name is None or name.startswith("utf"):  # a page that says UTF-8 and is not: detect instead
        return None
    if name == "iso8859_1":
        name = "cp1252"  # as browsers do: the labels mean windows-1252
    try:
        codecs.getincrementaldecoder(name)().decode(data, final=False)  # the sample may end mid-character
    except UnicodeDecodeError:
        return None
    return name


def _one_language_latin(data: bytes) -> str | None:
    for encoding in LATIN_CODEPAGES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _is_one_alphabet(text):
            return encoding
    return None


def _is_one_alphabet(text: str) -> bool:
    """True when the non-ASCII letters all come from one alphabet and no odd character sits in a word.

    >>> _is_one_alphabet("déjà vu, l’été"), _is_one_alphabet("président franēais"), _is_one_alphabet("s±d")
    (True, False, False)
    """
    if _odd_inside_words(text):
        return False
    # "İ".lower() is "i" and a combining dot: the "i" is ASCII, left out like every ASCII letter.
    letters = {ch.lower()[0] for ch in text if not ch.isascii() and ch.isalpha()} - set(string.ascii_lowercase)
    # Only punctuation and symbols (“ ” — €) is text too: cp1252 reads them.
    return not letters or any(letters <= set(alphabet) for alphabet in ALPHABETS.values())


def _odd_inside_words(text: str) -> bool:
    """A C1 control character anywhere, or a symbol between two letters ("s±d"): bytes decoded wrongly.

    >>> _odd_inside_words("l’état, 20 €"), _odd_inside_words("s±d"), _odd_inside_words("a\x85b")
    (False, True, True)
    """
    for match in _ODD.finditer(text):
        ch, i = match.group(), match.start()
        if unicodedata.category(ch) == "Cc":
            return True
        if 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            return True
    return False


def _one_script_cased(data: bytes) -> str | None:
    """The one of CASED_CODEPAGES whose non-ASCII words are most often cased as words are (over 90%)."""
    best, best_share = None, _CASED_WORDS
    for encoding in CASED_CODEPAGES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _odd_inside_words(text):
            continue
        words = [w for w in _WORD.findall(text) if not w.isascii()]
        scripts = {unicodedata.name(ch, "?").split()[0] for w in words for ch in w if not ch.isascii()}
        if len(scripts) != 1 or not any(ch.islower() for w in words for ch in w):
            continue  # no words, two scripts, or CAPITALS only: "東京" in Shift-JIS is cp866 "УМЛЮ"
        share = sum(w.islower() or w.isupper() or (w[0].isupper() and w[1:].islower()) for w in words) / len(words)
        if share > best_share:
            best, best_share = encoding, share
    return best


def _charset_normalizer(data: bytes) -> str | None:
    if len(data) - len(data.translate(None, _HIGH_BYTES)) < MIN_DETECTION_BYTES:
        return None  # too little to go on: "x\x98\x81y" comes back as Korean
    from charset_normalizer import from_bytes  # imported lazily: only non-UTF-8 input needs it

    for match in from_bytes(data):
        name = normal_name(match.encoding)
        if name is not None and name in WELL_KNOWN:
            return name
    return None
