"""JSON records, read and written with orjson where it is exact, with `json` where it is not.

orjson reads and writes a record several times faster than the standard
library. But it differs from `json` in corners a batch must not change:

* an integer of more than 64 bits becomes a float (an id would silently
  lose digits): lines holding a run of 19 or more digits go to `json`;
* NaN, Infinity and lone surrogates (`"\\ud800"`), which `json` accepts, are
  refused: such a line goes to `json` too, and so do lines that are not
  JSON at all, so their error messages stay `json`'s.

A record is written back by the library that read it, so a value orjson
never saw is never written by it (orjson would write NaN as null).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dumps", "loads"]

# 2**63 has 19 digits: every run of 18 digits or fewer fits in 64 bits. Runs
# are found by mapping every digit to "0" and every other byte to " " and
# searching for 19 zeros at C speed (a regex has no literal to scan for).
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_NINETEEN_DIGITS = b"0" * 19


def _has_long_number(raw: bytes) -> bool:
    """A run of 19 or more digits anywhere in the line (inside a string too: then `json` reads it, no harm)."""
    return _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZEROS)


def loads(raw: bytes) -> tuple[Any, bool, bool]:
    """(value, read by orjson, invalid UTF-8 replaced) for one JSON line.

    orjson reads the bytes themselves and checks they are UTF-8, so only a
    line it cannot read exactly is decoded (invalid UTF-8 as U+FFFD) for `json`.

    >>> loads(b'{"id": 12345678901234567890}')
    ({'id': 12345678901234567890}, False, False)
    >>> loads(b'{"a": 1}')
    ({'a': 1}, True, False)
    >>> value, by_orjson, replaced = loads(b'{"a": "caf\\xe9"}')  # not UTF-8
    >>> value == {"a": "caf\\uFFFD"}, by_orjson, replaced
    (True, False, True)
    """
    if not _has_long_number(raw):
        try:
            return orjson.loads(raw), True, False
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(raw.decode("utf-8")), False, False
    except UnicodeDecodeError:
        return json.loads(raw.decode("utf-8", errors="replace")), False, True


def dumps(record: Any, by_orjson: bool) -> bytes:
    """One JSONL line (UTF-8, newline included), written by the library that read `record`.

    >>> dumps({"text": "Tschüss"}, True), dumps({"text": "Tschüss"}, False)
    (b'{"text":"Tsch\\xc3\\xbcss"}\\n', b'{"text": "Tsch\\xc3\\xbcss"}\\n')
    """
    if by_orjson:
        try:
            return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:  # a value a caller put in that orjson cannot write
            pass
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in another field: escape it, as the input did
        return (json.dumps(record) + "\n").encode("ascii")
