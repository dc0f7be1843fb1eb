"""Bytes at the edges: decode any input to text without crashing, and say what was guessed.

The library works on `str`; only the CLI and file readers see bytes. A BOM
picks UTF-8/16/32, UTF-16 without a BOM is recognised by its NUL bytes, other
NUL bytes are dropped, and input that is mostly control bytes is refused as
binary. Bytes that are not UTF-8 are decoded in the encoding `encodings.py`
finds (a page's declared charset, a Latin code page, charset-normalizer's
guess, else cp1252), with a warning naming it; UTF-8 with a few bytes that
are not, among more good multi-byte characters, stays UTF-8 (`_mixed_utf8`).
A caller can force an encoding (`declutter --encoding NAME`).
Files whose name ends in `.gz` are (de)compressed on the fly.
"""

from __future__ import annotations

import codecs
import gzip
import re
import sys
from typing import BinaryIO

from ..errors import InputError

__all__ = ["decode_bytes", "looks_like_html", "open_input"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control bytes that never occur in text (tab, LF, CR, FF, ESC aside).
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)?<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE | re.DOTALL)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, list[str]]:
    """Text and warnings for raw input bytes; `encoding` (a codec name) forces one.

    >>> decode_bytes("caf\\u00e9".encode("utf-16"))
    ('café', [])
    >>> decode_bytes(b"caf\\xe9 au lait")
    ('café au lait', ['input is not valid UTF-8: decoded as cp1252 (detected; --encoding NAME to choose)'])
    >>> decode_bytes(b"caf\\xe9", encoding="latin-1")
    ('café', [])
    """
    warnings: list[str] = []
    text = _decode(data, warnings) if encoding is None else _forced(data, encoding, warnings)
    if "\x00" in text:
        warnings.append(f"dropped {text.count(chr(0))} NUL character(s)")
        text = text.replace("\x00", "")
    return text, warnings


def _decode(data: bytes, warnings: list[str]) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sample = data[:65536]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        warnings.append(f"input has no byte-order mark but looks like {utf16.upper()}: decoded as such")
        return data.decode(utf16, errors="replace")
    if sample and len(_BINARY.findall(sample)) > max(8, len(sample) // 20):
        raise InputError("input looks like binary data, not text (many control bytes); give declutter UTF-8 text or HTML")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = sum(not ch.isascii() for ch in text) - text.count("\ufffd")
    if good > bad:  # UTF-8 with a few bytes that are not: another decoding would garble the good ones
        return _mixed_utf8(data, bad, warnings)
    from .encodings import guess_encoding

    guess = guess_encoding(data)
    text = data.decode(guess.encoding, errors="replace")
    if guess.how == "fallback":
        warnings.append(
            f"input is not valid UTF-8 and its encoding could not be told: decoded as {guess.encoding}"
            + _replaced(text, data) + " (--encoding NAME to choose)"
        )
    else:
        warnings.append(f"input is not valid UTF-8: decoded as {guess.encoding} ({guess.how}; --encoding NAME to choose)")
    return text


def _mixed_utf8(data: bytes, errors: int, warnings: list[str]) -> str:
    """Mostly UTF-8 with `errors` stretches that are not: a single stray byte is read as cp1252, the rest U+FFFD.

    Scraped pages mix encodings: a cp1252 "é" or "’" pasted into a UTF-8
    template is one byte that starts or continues no UTF-8 sequence, and
    cp1252 gives it its letter back. A run of two or more bytes (a UTF-8
    sequence cut short) is no letter of any encoding: U+FFFD.

    >>> _mixed_utf8("Zürich: caf".encode() + b"\\xe9, l\\x92\\xe2\\x80 x", 3, [])
    'Zürich: café, l’\\ufffd x'
    """
    text = data.decode("utf-8", errors=_STRAY_AS_CP1252)
    replaced = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    read = errors - replaced
    parts = [f"{read} byte(s) read as cp1252"] if read else []
    parts += [f"{replaced} undecodable sequence(s) replaced with U+FFFD"] if replaced else []
    warnings.append("input is not all valid UTF-8: " + ", ".join(parts))
    return text


def _stray_byte_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler of `_mixed_utf8` (stateless: registered once, safe in threads)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    if exc.end - exc.start == 1:
        return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end
    return "\ufffd", exc.end


_STRAY_AS_CP1252 = "declutter-stray-cp1252"
codecs.register_error(_STRAY_AS_CP1252, _stray_byte_as_cp1252)


def _forced(data: bytes, encoding: str, warnings: list[str]) -> str:
    """`data` in the encoding the caller named; undecodable bytes become U+FFFD, with a warning."""
    text = data.decode(encoding, errors="replace").removeprefix("\ufeff")
    if "\ufffd" in text:
        warnings.append(f"input is not all valid {encoding}:" + _replaced(text, data).removeprefix(","))
    return text


def _replaced(text: str, data: bytes) -> str:
    """", N undecodable byte(s) replaced with U+FFFD" when decoding replaced any, else "".

    A U+FFFD that the input itself held (as UTF-8 bytes) is not counted.
    """
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    return f", {bad} undecodable byte(s) replaced with U+FFFD" if bad > 0 else ""


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs fill one byte of most pairs (Latin text in UTF-16).

    >>> _utf16_without_bom("Hello, world".encode("utf-16-le")), _utf16_without_bom(b"Hello")
    ('utf-16-le', None)
    """
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    pairs = len(odd)
    even_nul, odd_nul = even.count(0), odd.count(0)
    if odd_nul > 0.6 * pairs and even_nul < 0.05 * pairs:
        return "utf-16-le"
    if even_nul > 0.6 * pairs and odd_nul < 0.05 * pairs:
        return "utf-16-be"
    return None


def looks_like_html(text: str) -> bool:
    """True for a whole HTML page (doctype, <html>, <head> or <body> first).

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>"), looks_like_html("a < b")
    (True, False)
    """
    return bool(_HTML_START.match(text, 0, 4096))


def open_input(name: str) -> BinaryIO:
    """A binary stream for a file name, "-" meaning stdin; gzip is undone by name or magic bytes.

    Raises InputError with the reason when the file cannot be opened.
    """
    if name == "-":
        stream: BinaryIO = sys.stdin.buffer
        peek = getattr(stream, "peek", None)
        if peek is not None and peek(2)[:2] == b"\x1f\x8b":
            return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
        return stream
    try:
        if name.endswith(".gz"):
            return gzip.open(name, "rb")  # type: ignore[return-value]
        return open(name, "rb", buffering=1 << 20)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
