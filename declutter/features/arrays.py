"""Array helpers shared by the feature code and the decision rules: picking lines, repeats, stretches of a document."""

from __future__ import annotations

from operator import itemgetter

import numpy as np

__all__ = ["first_to_last", "in_ranges", "pick", "recurs_in_document", "seen_before_in_document"]


def pick(texts: list[str], rows: np.ndarray) -> list[str]:
    """texts[i] for each i in rows, without a Python loop."""
    if len(rows) == 0:
        return []
    picked = itemgetter(*rows.tolist())(texts)
    return [picked] if len(rows) == 1 else list(picked)


def seen_before_in_document(keys: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """True where a line's int64 key occurred earlier in the same document.

    The document number is folded into the key, so one stable sort of plain
    integers finds the repeats (a record array sorts slower); a 64-bit
    collision is not a concern here.

    >>> seen_before_in_document(np.array([7, 8, 7, 7]), np.array([0, 0, 0, 1])).tolist()
    [False, False, True, False]
    """
    order, same = _sorted_neighbours(keys, doc_ids)
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[1:] = same  # stable: of equal keys, the first in line order comes first
    out = np.empty(len(keys), dtype=bool)
    out[order] = repeat
    return out


def recurs_in_document(keys: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """True where a line's int64 key occurs more than once in its document (the first time too).

    >>> recurs_in_document(np.array([7, 8, 7, 7]), np.array([0, 0, 0, 1])).tolist()
    [True, False, True, False]
    """
    order, same = _sorted_neighbours(keys, doc_ids)
    recurs = np.zeros(len(keys), dtype=bool)
    recurs[1:] = same
    recurs[:-1] |= same
    out = np.empty(len(keys), dtype=bool)
    out[order] = recurs
    return out


def _sorted_neighbours(keys: np.ndarray, doc_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable order of the lines' document keys, and whether each key in that order equals the next.

    One sort serves both questions above, and a huge document holds one
    sorted copy of its keys at a time.
    """
    combined = _document_keys(keys, doc_ids)
    order = np.argsort(combined, kind="stable")
    ordered = combined[order]
    del combined
    return order, ordered[1:] == ordered[:-1]


def _document_keys(keys: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Each line's key with its document number folded in (a 64-bit collision is not a concern here)."""
    folded = doc_ids.astype(np.int64)  # a copy, so the in-place steps below leave the caller's arrays be
    folded *= np.int64(-0x61C8864680B583EB)  # 2^64 / golden ratio
    folded ^= keys.astype(np.int64, copy=False)
    return folded


def in_ranges(starts: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    """True for the lines in any of the ranges [starts[k], ends[k]) (+1 where one opens, -1 where it closes, a running sum).

    >>> in_ranges(np.array([1, 4]), np.array([3, 6]), 7).astype(int).tolist()
    [0, 1, 1, 0, 1, 1, 0]
    """
    edges = np.zeros(n + 1, dtype=np.int64)
    np.add.at(edges, starts, 1)
    np.add.at(edges, ends, -1)
    return np.cumsum(edges[:-1]) > 0


def first_to_last(rows: np.ndarray, doc_ids: np.ndarray, n: int) -> np.ndarray:
    """True for the lines from each document's first to its last line in `rows` (sorted, as `doc_ids`).

    >>> first_to_last(np.array([1, 3, 5]), np.array([0, 0, 0, 0, 1, 1, 1]), 7).astype(int).tolist()
    [0, 1, 1, 1, 0, 1, 0]
    """
    if not len(rows):
        return np.zeros(n, dtype=bool)
    docs = doc_ids[rows]
    new_doc = docs[1:] != docs[:-1]
    return in_ranges(rows[np.concatenate([[True], new_doc])], rows[np.concatenate([new_doc, [True]])] + 1, n)
