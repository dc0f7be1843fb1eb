"""Bytes at the edges: decode any input to text without crashing, and say what was guessed.

The library works on `str`; only the CLI and file readers see bytes. Invalid
UTF-8 is decoded with U+FFFD replacements (and a warning), a BOM picks
UTF-8/16/32, NUL bytes are dropped, and input that is mostly control bytes is
refused as binary.
"""

from __future__ import annotations

import codecs
import re

from .errors import InputError

__all__ = ["decode_bytes", "looks_like_html"]

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


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Text and warnings for raw input bytes.

    >>> decode_bytes("caf\\u00e9".encode("utf-16"))
    ('café', [])
    >>> decode_bytes(b"caf\\xe9 au lait")
    ('caf\\ufffd au lait', ['input is not valid UTF-8: 1 undecodable byte(s) replaced with U+FFFD'])
    """
    warnings: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), warnings
    sample = data[:65536]
    if sample and len(_BINARY.findall(sample)) > max(8, len(sample) // 20):
        raise InputError("input looks like binary data, not text (many control bytes); give declutter UTF-8 text or HTML")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
        warnings.append(f"input is not valid UTF-8: {bad} undecodable byte(s) replaced with U+FFFD")
    if "\x00" in text:
        warnings.append(f"dropped {text.count(chr(0))} NUL character(s)")
        text = text.replace("\x00", "")
    return text, warnings


def looks_like_html(text: str) -> bool:
    """True for a whole HTML page (doctype, <html>, <head> or <body> first).

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>"), looks_like_html("a < b")
    (True, False)
    """
    return bool(_HTML_START.match(text, 0, 4096))
