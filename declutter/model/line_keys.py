"""How the outlet memory keys a line and a run of lines: CCNet's normalisation, 64-bit hashes, run keys.

Kept apart from the memory itself (`outlet`) because both of its passes, counting a batch and
looking lines up, must key a line the same way.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence

import numpy as np

__all__ = ["RUN_LINES", "in_runs", "line_hashes", "norm_hashes", "normalize_line", "run_keys"]


class _FoldTable(dict):  # type: ignore[type-arg]
    """str.translate table doing what `normalize_line` does after NFKD, in one C-level pass:
    combining marks dropped, decimal digits to 0, other non-word characters (`[\\W_]`) to spaces.
    Filled as characters are first seen; regular expressions over the text were most of a
    batch's first pass."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        folded = None if unicodedata.combining(ch) else 48 if ch.isdecimal() else code if ch.isalnum() else 32
        self[code] = folded
        return folded


_UNICODE_FOLD = _FoldTable()
#: ASCII bytes as `normalize_line` folds them: letters to lower case, digits to 0, the rest to spaces.
_ASCII_FOLD = bytes(
    c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 48 if 48 <= c <= 57 else 32 for c in range(256)
)


def normalize_line(text: str) -> str:
    """CCNet's normalisation: case-folded, accents and punctuation removed, digits to 0.

    >>> normalize_line("  Updated: 12:45 PM, Jan. 3 — ÉDITION   ")
    'updated 00 00 pm jan 0 edition'
    """
    if text.isascii():  # most lines: one table lookup per byte does all of the below
        return b" ".join(text.encode("ascii").translate(_ASCII_FOLD).split()).decode("ascii")
    return " ".join(unicodedata.normalize("NFKD", text.casefold()).translate(_UNICODE_FOLD).split())


def line_hashes(texts: Sequence[str]) -> np.ndarray:
    """64-bit hash of each normalised line (0 for a line with no word at all)."""
    return np.array(norm_hashes([normalize_line(text) for text in texts]), dtype=np.uint64)


def norm_hashes(norms: Sequence[str]) -> list[int]:
    """64-bit hash of each already normalised line, 0 for an empty one."""
    return [
        int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "little") | 1 if norm else 0
        for norm in norms
    ]


#: Lines in a run (`run_keys` mixes exactly three): navigation is short lines in a fixed order, which a
#: site repeats page after page where one short line alone ("Share", "0-0", a schedule row) repeats by chance.
RUN_LINES = 3
_RUN_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))


def in_runs(norm: str, short: bool) -> str:
    """The normalised line if it may be part of a run, else "": short, and without a number (digits are
    0 after `normalize_line`): navigation is words, while "Serves 4", "Prep: 10 min" or a schedule's
    "Fee: $40" are an article's values, however alike a site's pages print them."""
    return norm if short and "0" not in norm else ""


def run_keys(short_hashes: np.ndarray) -> np.ndarray:
    """A key for every window of `RUN_LINES` consecutive short lines (0 where a window holds a line that is
    not short: `short_hashes` is each line's hash where the line is short, else 0); one entry per window start.

    >>> keys = run_keys(np.array([5, 7, 9, 0, 5, 7, 9], dtype=np.uint64))
    >>> bool(keys[0] == keys[4] != 0), keys[1:4].tolist()
    (True, [0, 0, 0])
    """
    h = np.asarray(short_hashes, dtype=np.uint64)
    if len(h) < RUN_LINES:
        return np.zeros(0, dtype=np.uint64)
    a, b, c = h[:-2], h[1:-1], h[2:]
    with np.errstate(over="ignore"):
        key = ((a * _RUN_MIX[0]) ^ (b * _RUN_MIX[1]) ^ ((c << np.uint64(17)) | (c >> np.uint64(47)))) | np.uint64(1)
    return np.where((a != 0) & (b != 0) & (c != 0), key, np.uint64(0))
