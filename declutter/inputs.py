"""What the library accepts as a document: `str`, with any lone surrogate made U+FFFD.

Decided once, here, and applied where text enters the library -- a
Cleaner's `explain_many` / `summarize_many` (so `clean()` and `clean_many()`),
a JSONL record's text before it is split into a Document (`io.workers.prepare`,
batch mode) and HTML rendering (`io.html.render_html`) -- so the JSONL path
and `clean()` see the same characters and keep the same lines.

Why U+FFFD: a lone surrogate ("\\ud800", which JSON and Python strings can
carry) is no character at all; UTF-8 output cannot hold one; and U+FFFD is
what a broken byte of input becomes too (`io.textio`). Removing it instead
would join the characters on either side.

Bytes are refused with a TypeError that says what to do: decoding belongs at
the edges, where the CLI detects the encoding (`io.textio.decode_bytes`).
"""

from __future__ import annotations

import re

__all__ = ["as_text"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def as_text(text: object, *, what: str = "clean()") -> str:
    """`text` ready for cleaning: a str with lone surrogates replaced by U+FFFD.

    >>> as_text("caf\\u00e9"), as_text("a\\ud800b")
    ('café', 'a\\ufffdb')
    >>> as_text(b"caf\\xc3\\xa9")
    Traceback (most recent call last):
    ...
    TypeError: clean() takes a str, not bytes: decode the bytes first (data.decode("utf-8"), or declutter.io.textio.decode_bytes(data) to detect the encoding)
    >>> as_text(None)
    Traceback (most recent call last):
    ...
    TypeError: clean() takes a str, not None
    """
    if isinstance(text, str):
        if text.isascii():
            return text
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", text)
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"{what} takes a str, not {type(text).__name__}: decode the bytes first (data.decode(\"utf-8\"), "
            "or declutter.io.textio.decode_bytes(data) to detect the encoding)"
        )
    raise TypeError(f"{what} takes a str, not {'None' if text is None else type(text).__name__}")
