"""Token n-grams of each line's head and tail: the vocabulary and the sparse matrix stage 1 reads."""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Mapping, Sequence

import numpy as np
from scipy import sparse

from .arrays import pick

__all__ = ["BIGRAM_BUCKETS", "Vocabulary", "build_vocabulary", "by_count", "clipped_lower", "line_tokens", "token_matrix"]

# Token features look at the head and tail of a line only: boilerplate shows
# itself in its first words ("Read more", "Photo:", "Sign up") or its last
# ("... 2022)", "(AP)"), and this bounds the cost of a 5,000-character line.
_HEAD_CHARS = 80
_TAIL_CHARS = 30
BIGRAM_BUCKETS = 1 << 17

_BOUNDARY = "\x00"


def clipped_lower(texts: list[str]) -> str:
    """Head and tail of every line, lower-cased, joined by "\n" (one `lower()` for the batch)."""
    clipped = [
        t if len(t) <= _HEAD_CHARS + _TAIL_CHARS else t[:_HEAD_CHARS] + " \u2026 " + t[-_TAIL_CHARS:]
        for t in texts
    ]
    return "\n".join(clipped).lower()


def line_tokens(texts: list[str], lowered: str | None = None) -> list[str]:
    """Whitespace tokens of all lines (head and tail only), each line closed by a boundary token.

    `str.split` runs at C speed, where a Unicode-aware regex costs far more;
    punctuation stays attached ("more:", "(ap)"), which is itself a signal.
    `lowered` is `clipped_lower(texts)` when the caller has it already.
    """
    joined = (clipped_lower(texts) if lowered is None else lowered).replace(_BOUNDARY, "")
    return (joined.replace("\n", " \x00 ") + " \x00").split()


def by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """(token, count) pairs, most frequent first, ties broken by the token.

    Not `Counter.most_common`: it keeps ties in first-seen order, and tokens
    counted from a set come in the order of the process's string-hash seed,
    so the words kept at a cut and every column number (the bigram buckets
    hash them) would change from one training run to the next.

    >>> by_count({"b": 2, "a": 2, "c": 3})
    [('c', 3), ('a', 2), ('b', 2)]
    """
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def build_vocabulary(line_texts: Sequence[str], size: int = 40000, min_count: int = 5) -> list[str]:
    """The most frequent tokens of the training lines (counted once per line).

    Index 0 is reserved for out-of-vocabulary tokens, 1 for the line
    boundary (so start/end-of-line bigrams like "\\n read" exist) and 2 for
    any number.
    """
    from collections import Counter

    counts: Counter[str] = Counter()
    for i in range(0, len(line_texts), 20000):
        chunk = list(line_texts[i : i + 20000])
        for toks in (set(line_tokens([t])) for t in chunk):
            counts.update(toks)
    ranked = by_count(counts)[:size]
    vocab = [tok for tok, c in ranked if c >= min_count and not tok[:1].isdigit() and tok != _BOUNDARY]
    return ["<oov>", _BOUNDARY, "<num>", *vocab]


class Vocabulary(dict):
    """Token -> column; unknown tokens map to column 0 without being added."""

    def __init__(self, tokens: Sequence[str]):
        super().__init__((t, i) for i, t in enumerate(tokens))

    def __missing__(self, key: str) -> int:
        return 2 if key[:1].isdigit() else 0


def token_matrix(
    texts: list[str], vocabulary: "Sequence[str] | Vocabulary", lowered: str | None = None
) -> sparse.csr_matrix:
    """Binary unigram + hashed bigram features, one row per line.

    Bigrams are built from unigram ids in NumPy, so the only per-token Python
    work is one dictionary look-up.
    """
    index = vocabulary if isinstance(vocabulary, Vocabulary) else Vocabulary(vocabulary)
    n_vocab = len(index)
    n = len(texts)
    if n == 0:
        return sparse.csr_matrix((0, n_vocab + BIGRAM_BUCKETS), dtype=np.float32)
    tokens = line_tokens(texts, lowered or None)
    # dict.get at C speed; the few unknown tokens are sorted out after (a number or not).
    ids = np.fromiter(map(index.get, tokens, repeat(0)), dtype=np.int64, count=len(tokens))
    unknown = np.flatnonzero(ids == 0)
    if len(unknown):
        # Vocabulary.__missing__ without a Python call per token: a number or not.
        firsts = map(itemgetter(0), pick(tokens, unknown))
        ids[unknown] = np.where(np.fromiter(map(str.isdigit, firsts), dtype=bool, count=len(unknown)), 2, 0)
    boundary = ids == 1
    # Line number of each token: the "\n" token closes its line.
    line_of = np.cumsum(boundary) - boundary
    word = ~boundary
    # Bigrams over the stream with the boundary kept: (prev, cur) pairs within
    # a line plus "\n"-first / "\n"-last pairs for line starts and ends.
    prev = np.concatenate([[1], ids[:-1]])
    prev_line = np.concatenate([[0], line_of[:-1]])
    pair_ok = (prev_line == line_of) | boundary | (prev == 1)
    bigram = (prev * 1_000_003 + ids) % BIGRAM_BUCKETS + n_vocab
    rows = np.concatenate([line_of[word], line_of[pair_ok]])
    cols = np.concatenate([ids[word], bigram[pair_ok]])
    return _binary_csr(rows, cols, (n, n_vocab + BIGRAM_BUCKETS))


def _binary_csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """A float32 CSR matrix with a 1 at each (row, col) pair, a repeated pair counted once.

    Sorting the pairs' flat positions and dropping repeats gives the matrix in
    canonical form at once: scipy's COO -> CSR conversion followed by
    `sum_duplicates` took twice as long.
    """
    width = shape[1]
    cells = rows * width + cols
    cells.sort()
    first = np.ones(len(cells), dtype=bool)
    np.not_equal(cells[1:], cells[:-1], out=first[1:])
    cells = cells[first]
    row_of = cells // width
    index_dtype = np.int32 if max(len(cells), width) < 2**31 else np.int64  # as scipy picks
    indices = (cells - row_of * width).astype(index_dtype)
    indptr = np.zeros(shape[0] + 1, dtype=index_dtype)
    np.cumsum(np.bincount(row_of, minlength=shape[0]), out=indptr[1:])
    matrix = sparse.csr_matrix((np.ones(len(cells), dtype=np.float32), indices, indptr), shape=shape)
    matrix.has_canonical_format = True
    return matrix
