"""Lines -> feature matrices, for a whole batch of documents at once.

Everything here is vectorised over the batch: the lines of all documents are
joined into one string, its code points go through a character-class table,
and per-line counts come from one `np.bincount`. Per line, Python does only
a slice and one dictionary look-up per token. Context features shift these
arrays within document boundaries.

Two groups of features feed two model stages (see `model.py`):

* `LineFeatures.own` (dense) and `token_matrix` (sparse n-grams): what the
  line itself says -- stage 1, a context-free label;
* `context_features`: the neighbours' stage-1 scores, markers such as "Read
  more" above the line, the zone of the document it sits in -- stage 2, which
  revises the label in context (jusText's idea, learned).

Bump FEATURE_VERSION whenever a feature changes meaning: models store it and
refuse to run with another.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Mapping, Sequence

import numpy as np
from scipy import sparse

__all__ = [
    "FEATURE_VERSION",
    "LineFeatures",
    "OWN_NAMES",
    "CONTEXT_NAMES",
    "line_features",
    "token_matrix",
    "context_features",
    "build_vocabulary",
    "by_count",
    "Vocabulary",
    "seen_before_in_document",
]

FEATURE_VERSION = 3

# Character classes of the code-point table.
# The numbering saves passes over the batch: the two spaces come first
# (`classes <= _NL`), the two credit openers last (`classes >= _SLASH`).
# _COMMA and _PAREN are punctuation, _SLASH a symbol, for the shares.
_SPACE, _NL, _OTHER, _UPPER, _LOWER, _CASELESS, _DIGIT, _END, _PUNCT, _QUOTE, _SYMBOL, _COMMA, _SLASH, _PAREN = range(14)
_N_CLASSES = 14
_N_CELLS = 2 * _N_CLASSES  # per line: each class, at a word start or not
# Class -> bool tables: one take per line where np.isin sorts (a fifth of
# line_features for one short document).
_OPENS_BULLET = np.isin(np.arange(_N_CLASSES), (_PUNCT, _SYMBOL, _DIGIT, _COMMA, _SLASH, _PAREN))
_ENDS_SENTENCE = np.isin(np.arange(_N_CLASSES), (_END, _QUOTE))
_COMMA_CHARS = ",，、"
_END_CHARS = ".!?。！？…"
_QUOTE_CHARS = "\"'“”„‟«»‘’‚‛「」『』"
_SYMBOL_CHARS = "|•·►▶»«>©®™/\\#@*+=~^_"

# Words that announce links to other stories, in the languages of the training
# data. They feed context ("the lines after a marker are teasers"); the n-gram
# features learn the wording of everything else. Matched against the
# lower-cased line heads (`_clipped_lower`) without IGNORECASE: a
# case-insensitive alternation tries every branch at every line, where a
# case-sensitive one skips a branch on its first letter (2.4x faster; the
# same lines matched on all 1.35 million lines of build/lines).
_MARKER = re.compile(
    r"^\W{0,3}(?:read (?:more|next|also)|see also|related(?: (?:articles?|stories|content|coverage|posts?|news|topics?))?"
    r"|more (?:from|on|stories|news|about)|also read|recommended(?: for you)?|trending|most (?:read|popular|viewed)"
    r"|you (?:may|might) (?:also )?like|top stories|latest (?:news|stories)|further reading"
    r"|lire aussi|à lire (?:aussi|également)|voir aussi|sur le même sujet|mehr zum thema|lesen sie auch|lesen sie mehr|weiterlesen"
    r"|auch interessant|das könnte sie auch interessieren|leer más|lee también|ver también|te puede interesar|noticias relacionadas"
    r"|leia (?:também|mais)|veja também|czytaj (?:też|także|więcej)|zobacz (?:też|także)|leggi anche|potrebbe interessarti)\b",
)
# Needles for copyright lines, searched case-sensitively in the raw batch text
# (memchr-fast; lower-casing 1.6 MB of Unicode cost more than all of them).
_COPYRIGHT_NEEDLES = ("©", "opyright", "OPYRIGHT", "ll rights reserved", "ll Rights Reserved", "LL RIGHTS RESERVED")
# "(c) " and "(C) " are looked for at the batch's "(" only (`_lines_with_c_mark`): str.find
# skips poorly past a needle that ends in a space, and these two took 45% of the search.
# A credit or byline on its own line (LABELING.md: "photo and video credits",
# "bylines and source credits on their own line"): checked on short lines only.
_CREDIT_LINE = re.compile(
    r"\W{0,3}(?:(?i:(?:photo|image|picture|video|foto|bild|credit|source|quelle|fuente|zdjęcie)s?\s*(?:credit)?\s*[:/|©]"
    r"|(?:with )?(?:additional )?(?:reporting|writing|editing|photos?|text|words) by\b)"
    r"|(?:[Bb]y|BY|[Vv]on|[Pp]ar|[Pp]or)\s+[A-ZÀ-Ý][\w.'’-]+(?:\s+[A-ZÀ-Ý][\w.'’-]+))"
)
# Picture agencies named anywhere in a line.
_CREDIT_NEEDLES = ("Getty Images", "Shutterstock", "AP Photo", "AFP Photo", "EPA-EFE", "Reuters/", "REUTERS/")
_CREDIT_AGENCY = re.compile("|".join(map(re.escape, _CREDIT_NEEDLES)))
# A caption's credit at the end of a line: "... July 4, 2022. REUTERS/Alexander
# Ermochenko", "(AP Photo/Evan Vucci)", "(Photo: Jane Doe)".
_TRAILING_CREDIT = re.compile(
    r"(?:\b[A-Z][A-Za-z]+(?: [Pp]hoto)?/ ?[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
    r"|\((?i:photo|image|picture|foto|credit)s?\s*[:/][^)]{0,50})\)?\W{0,3}$"
)
_DOMAIN_LINE = re.compile(r"^\W*(?:https?://)?(?:[\w-]+\.)+[a-z]{2,24}(?:/\S*)?\W*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–—•*·►▶]|\d{1,3}[.)])\s")

# Token features look at the head and tail of a line only: boilerplate shows
# itself in its first words ("Read more", "Photo:", "Sign up") or its last
# ("... 2022)", "(AP)"), and this bounds the cost of a 5,000-character line.
_HEAD_CHARS = 80
_TAIL_CHARS = 30
BIGRAM_BUCKETS = 1 << 17

OWN_NAMES = (
    "log_chars", "log_words", "upper_share", "caseless_share", "digit_share", "punct_share",
    "symbol_share", "quote_count", "quote_odd", "sentence_ends", "ends_sentence", "ends_colon",
    "starts_upper", "starts_lower", "capitalised_share", "mean_word_len", "comma_count",
    "is_marker", "has_copyright", "is_domain", "is_bullet", "is_duplicate", "is_credit", "ends_credit",
    "position", "log_index", "log_index_from_end", "doc_log_lines", "doc_long_share",
    "doc_mean_log_words",
)


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """Character class of every code point in the Basic Multilingual Plane, plus
    one last entry, _SYMBOL, for all code points above it (emoji, rare scripts):
    `np.take(..., mode="clip")` sends those there without a pass of its own."""
    table = np.full(0x10001, _OTHER, dtype=np.uint8)
    table[0x10000] = _SYMBOL
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat == "Lu" or cat == "Lt":
            table[cp] = _UPPER
        elif cat == "Ll":
            table[cp] = _LOWER
        elif cat[0] == "L" or cat[0] == "M":
            table[cp] = _CASELESS
        elif cat[0] == "N":
            table[cp] = _DIGIT
        elif cat[0] == "Z" or cp in (9, 11, 12):
            table[cp] = _SPACE
        elif cat[0] == "P":
            table[cp] = _PUNCT
        elif cat[0] == "S":
            table[cp] = _SYMBOL
    for ch in _END_CHARS:
        table[ord(ch)] = _END
    for ch in _QUOTE_CHARS:
        table[ord(ch)] = _QUOTE
    for ch in _SYMBOL_CHARS:
        if table[ord(ch)] not in (_QUOTE,):
            table[ord(ch)] = _SYMBOL
    table[ord("\n")] = _NL
    for ch in _COMMA_CHARS:
        table[ord(ch)] = _COMMA
    table[ord("/")] = _SLASH
    table[ord("(")] = _PAREN
    return table


@dataclass(slots=True)
class LineFeatures:
    """Features of a batch of documents, one row per line, in document order."""

    texts: list[str]
    doc_starts: np.ndarray  # index of each document's first line; len = n_docs + 1
    doc_ids: np.ndarray  # document number of each line
    own: np.ndarray  # (n_lines, len(OWN_NAMES)) float32
    long: np.ndarray  # bool: a line of >= 10 words, the article's typical shape
    marker: np.ndarray  # bool: "Read more", "SEE ALSO", "Related" ...
    duplicate: np.ndarray  # bool: same normalised text seen earlier in the document
    #: Every line's head and tail, lower-cased, joined by "\n" (`_clipped_lower`):
    #: computed once for duplicates and the token n-grams.
    lowered: str = ""

    @property
    def n_lines(self) -> int:
        return len(self.texts)


def line_features(docs: Sequence[Sequence[str]]) -> LineFeatures:
    """Per-line features of a batch of documents (each a sequence of line texts).

    >>> f = line_features([["Read more", "Putin said on Monday that troops should rest."]])
    >>> f.own.shape == (2, len(OWN_NAMES)), bool(f.marker[0]), bool(f.long[1])
    (True, True, False)
    """
    texts: list[str] = [t for doc in docs for t in doc]
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    doc_starts = np.concatenate([[0], np.cumsum(lengths)])
    doc_ids = np.repeat(np.arange(len(docs)), lengths)
    n = len(texts)
    own = np.zeros((n, len(OWN_NAMES)), dtype=np.float32)
    empty = np.zeros(n, dtype=bool)
    if n == 0:
        return LineFeatures(texts, doc_starts, doc_ids, own, empty, empty, empty, "")

    # One string for the batch; "\n" cannot occur inside a line.
    joined = "\n".join(texts) + "\n"
    # surrogatepass: a lone surrogate (JSON can carry one) is a code point like any other here.
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = np.take(_class_table(), cps, mode="clip")
    char_lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(char_lens + 1)[:-1]])
    nonempty = char_lens > 0
    last_pos = starts + np.maximum(char_lens - 1, 0)
    first_cls = np.where(nonempty, classes[starts], _OTHER)
    last_cls = np.where(nonempty, classes[last_pos], _OTHER)
    last_cp = np.where(nonempty, cps[last_pos], 0)

    # Words: a non-space character after a space or at a line start.
    is_space = classes <= _NL
    word_start = ~is_space
    word_start[1:] &= is_space[:-1]
    cell_of_char = _line_class_cells(classes, word_start, char_lens)
    cells = np.bincount(cell_of_char, minlength=n * _N_CELLS).reshape(n, 2, _N_CLASSES)
    counts = cells.sum(axis=1).astype(np.float32)
    words = cells[:, 1].sum(axis=1).astype(np.float32)
    capitalised = cells[:, 1, _UPPER].astype(np.float32)
    commas = counts[:, _COMMA]

    letters = counts[:, _UPPER] + counts[:, _LOWER] + counts[:, _CASELESS]
    chars = np.maximum(char_lens, 1).astype(np.float32)
    wordsafe = np.maximum(words, 1)
    # A caseless script (CJK, Thai) has no spaces: count its characters as words / 2.
    eff_words = np.maximum(words, counts[:, _CASELESS] / 2)

    # map() keeps these per-line regex calls at C speed (no Python frame per line).
    lowered = _clipped_lower(texts)
    lowered_lines = lowered.split("\n")
    marker = np.fromiter(map(bool, map(_MARKER.match, lowered_lines, repeat(0), repeat(60))), dtype=bool, count=n)
    short = np.flatnonzero((words <= 15) & (char_lens < 200))
    credit = np.zeros(n, dtype=bool)
    short_texts = _pick(texts, short)
    credit[short] = np.fromiter(map(bool, map(_CREDIT_LINE.match, short_texts)), dtype=bool, count=len(short))
    credit[short] |= np.fromiter(map(bool, map(_CREDIT_AGENCY.search, short_texts)), dtype=bool, count=len(short))
    # Only lines with a "/" or "(" among their last 70 characters can end in a credit.
    slash_or_paren = np.flatnonzero(classes >= _SLASH)
    owner = cell_of_char[slash_or_paren] // _N_CELLS
    copyright_ = _lines_containing(joined, _COPYRIGHT_NEEDLES, starts)
    copyright_[_lines_with_c_mark(cps, slash_or_paren, owner)] = True
    near_end = owner[starts[owner] + char_lens[owner] - slash_or_paren <= 70]
    ends_credit = np.zeros(n, dtype=bool)
    for i in np.unique(near_end).tolist():
        text = texts[i]
        ends_credit[i] = _TRAILING_CREDIT.search(text, max(len(text) - 70, 0)) is not None
    short_single = np.flatnonzero((words == 1) & (char_lens < 80))
    domain = np.zeros(n, dtype=bool)
    domain[short_single] = np.fromiter(
        map(bool, map(_DOMAIN_LINE.match, _pick(texts, short_single))), dtype=bool, count=len(short_single)
    )
    # A bullet opens with punctuation, a symbol or a digit: only those lines are matched.
    bullet = np.zeros(n, dtype=bool)
    maybe_bullet = np.flatnonzero(_OPENS_BULLET[first_cls])
    bullet[maybe_bullet] = np.fromiter(
        map(bool, map(_BULLET.match, _pick(texts, maybe_bullet), repeat(0), repeat(6))), dtype=bool, count=len(maybe_bullet)
    )
    duplicate = _duplicates(lowered_lines, char_lens, doc_ids)

    index = np.arange(n) - doc_starts[doc_ids]
    doc_len = lengths[doc_ids]
    long = eff_words >= 10
    long_share = _doc_mean(long.astype(np.float32), doc_ids, len(docs))
    mean_log_words = _doc_mean(np.log1p(eff_words), doc_ids, len(docs))

    columns = {
        "log_chars": np.log1p(char_lens),
        "log_words": np.log1p(eff_words),
        "upper_share": counts[:, _UPPER] / np.maximum(letters, 1),
        "caseless_share": counts[:, _CASELESS] / np.maximum(letters, 1),
        "digit_share": counts[:, _DIGIT] / chars,
        "punct_share": (counts[:, _PUNCT] + counts[:, _END] + counts[:, _COMMA] + counts[:, _PAREN]) / chars,
        "symbol_share": (counts[:, _SYMBOL] + counts[:, _SLASH]) / chars,
        "quote_count": np.log1p(counts[:, _QUOTE]),
        "quote_odd": counts[:, _QUOTE] % 2,
        "sentence_ends": np.log1p(counts[:, _END]),
        "ends_sentence": _ENDS_SENTENCE[last_cls] | (last_cp == 0x29),
        "ends_colon": (last_cp == 0x3A) | (last_cp == 0xFF1A),
        "starts_upper": first_cls == _UPPER,
        "starts_lower": first_cls == _LOWER,
        "capitalised_share": capitalised / wordsafe,
        "mean_word_len": letters / wordsafe,
        "comma_count": np.log1p(commas),
        "is_marker": marker,
        "has_copyright": copyright_,
        "is_domain": domain,
        "is_bullet": bullet,
        "is_duplicate": duplicate,
        "is_credit": credit,
        "ends_credit": ends_credit,
        "position": index / np.maximum(doc_len - 1, 1),
        "log_index": np.log1p(index),
        "log_index_from_end": np.log1p(doc_len - 1 - index),
        "doc_log_lines": np.log1p(doc_len),
        "doc_long_share": long_share,
        "doc_mean_log_words": mean_log_words,
    }
    for j, name in enumerate(OWN_NAMES):
        own[:, j] = columns[name]
    return LineFeatures(texts, doc_starts, doc_ids, own, long, marker, duplicate, lowered)


def _line_class_cells(classes: np.ndarray, word_start: np.ndarray, char_lens: np.ndarray) -> np.ndarray:
    """Each character's bincount cell: its line, its class, and whether it starts a word.

    One bincount over these cells counts each line's characters of every
    class, its words and its capitalised words at once: separate bincounts
    took three more passes over the batch, plus one to widen int32 line
    numbers to the int64 that bincount reads.
    """
    kind = classes + np.uint8(_N_CLASSES) * word_start  # uint8: < _N_CELLS
    line_cells = np.arange(0, len(char_lens) * _N_CELLS, _N_CELLS)
    cells = np.repeat(line_cells, char_lens + 1)  # + 1: the "\n" closing each line
    cells += kind
    return cells


def _pick(texts: list[str], rows: np.ndarray) -> list[str]:
    """texts[i] for each i in rows, without a Python loop."""
    if len(rows) == 0:
        return []
    picked = itemgetter(*rows.tolist())(texts)
    return [picked] if len(rows) == 1 else list(picked)


def _lines_containing(haystack: str, needles: Sequence[str], starts: np.ndarray) -> np.ndarray:
    """Lines of the joined text that contain any needle (str.find is memchr-fast)."""
    hits: list[int] = []
    for needle in needles:
        pos = haystack.find(needle)
        while pos >= 0:
            hits.append(pos)
            pos = haystack.find(needle, pos + 1)
    out = np.zeros(len(starts), dtype=bool)
    if hits:
        out[np.searchsorted(starts, np.asarray(hits), side="right") - 1] = True
    return out


def _lines_with_c_mark(cps: np.ndarray, positions: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """The lines (`lines[k]` holds `positions[k]`) where "(c) " or "(C) " starts at one of `positions`.

    `cps` are the batch's code points; they end in "\n", so a look past the
    end may read that "\n" instead.
    """
    after = cps[np.minimum(positions[:, None] + np.arange(4), len(cps) - 1)]
    is_mark = (after[:, 0] == ord("(")) & ((after[:, 1] == ord("c")) | (after[:, 1] == ord("C")))
    is_mark &= (after[:, 2] == ord(")")) & (after[:, 3] == ord(" "))
    return lines[is_mark]


def _doc_mean(values: np.ndarray, doc_ids: np.ndarray, n_docs: int) -> np.ndarray:
    """Each line gets the mean of `values` over its document."""
    sums = np.bincount(doc_ids, weights=values, minlength=n_docs)
    sizes = np.maximum(np.bincount(doc_ids, minlength=n_docs), 1)
    return (sums / sizes)[doc_ids]


def _duplicates(lowered_lines: list[str], char_lens: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """True for a line whose text (case aside) occurred earlier in its document.

    Lines are compared by length and their lower-cased head and tail (what
    the n-grams read): two different lines alike in all three are, for a
    feature, the same line, and a 5,000-character paragraph costs no more to
    compare than a short one.
    """
    keys = np.fromiter(map(hash, lowered_lines), dtype=np.int64, count=len(doc_ids))
    keys ^= char_lens.astype(np.int64) * np.int64(0x27D4EB2F165667C5)
    return seen_before_in_document(keys, doc_ids)


def seen_before_in_document(keys: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """True where a line's int64 key occurred earlier in the same document.

    The document number is folded into the key, so np.unique sorts plain
    integers (a record array sorted ~3x slower); a 64-bit collision is not a
    concern here.

    >>> seen_before_in_document(np.array([7, 8, 7, 7]), np.array([0, 0, 0, 1])).tolist()
    [False, False, True, False]
    """
    combined = keys.astype(np.int64) ^ (doc_ids.astype(np.int64) * np.int64(-0x61C8864680B583EB))  # 2^64 / golden ratio
    _, first = np.unique(combined, return_index=True)
    out = np.ones(len(keys), dtype=bool)
    out[first] = False
    return out


_BOUNDARY = "\x00"


def _clipped_lower(texts: list[str]) -> str:
    """Head and tail of every line, lower-cased, joined by "\n" (one `lower()` for the batch)."""
    clipped = [
        t if len(t) <= _HEAD_CHARS + _TAIL_CHARS else t[:_HEAD_CHARS] + " \u2026 " + t[-_TAIL_CHARS:]
        for t in texts
    ]
    return "\n".join(clipped).lower()


def _tokens(texts: list[str], lowered: str | None = None) -> list[str]:
    """Whitespace tokens of all lines (head and tail only), each line closed by a boundary token.

    `str.split` runs at C speed, where a Unicode-aware regex costs ~10x more;
    punctuation stays attached ("more:", "(ap)"), which is itself a signal.
    `lowered` is `_clipped_lower(texts)` when the caller has it already.
    """
    joined = (_clipped_lower(texts) if lowered is None else lowered).replace(_BOUNDARY, "")
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
        for toks in (set(_tokens([t])) for t in chunk):
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
    tokens = _tokens(texts, lowered or None)
    # dict.get at C speed; the few unknown tokens are sorted out after (a number or not).
    ids = np.fromiter(map(index.get, tokens, repeat(0)), dtype=np.int64, count=len(tokens))
    unknown = np.flatnonzero(ids == 0)
    if len(unknown):
        # Vocabulary.__missing__ without a Python call per token: a number or not.
        firsts = map(itemgetter(0), _pick(tokens, unknown))
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


CONTEXT_NAMES: tuple[str, ...] = ()  # filled below


def _shift(values: np.ndarray, k: int, doc_ids: np.ndarray, pad: float) -> np.ndarray:
    """values[i + k] where that line is in the same document, else `pad`."""
    n = len(values)
    out = np.full(values.shape, pad, dtype=np.float32)
    if k > 0 and k < n:
        same = doc_ids[k:] == doc_ids[:-k]
        out[:-k][same] = values[k:][same]
    elif k < 0 and -k < n:
        k = -k
        same = doc_ids[:-k] == doc_ids[k:]
        out[k:][same] = values[:-k][same]
    return out


def _window_mean(values: np.ndarray, doc_starts: np.ndarray, doc_ids: np.ndarray, before: int, after: int) -> np.ndarray:
    """Mean of values[i-before .. i+after] (excluding i) clipped to the document."""
    n = len(values)
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    idx = np.arange(n)
    lo = np.maximum(idx - before, doc_starts[doc_ids])
    hi = np.minimum(idx + after + 1, doc_starts[doc_ids + 1])
    total = csum[hi] - csum[lo] - values
    count = hi - lo - 1
    return np.where(count > 0, total / np.maximum(count, 1), -1.0).astype(np.float32)


def _last_index(flag: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Index of the last line at or before i (same document) where flag is set, else -1."""
    n = len(flag)
    idx = np.arange(n)
    start_here = np.ones(n, dtype=bool)
    start_here[1:] = doc_ids[1:] != doc_ids[:-1]
    mark = np.where(flag | start_here, idx, 0)
    last = np.maximum.accumulate(mark) if n else mark
    return np.where(flag[last], last, -1)


def _next_index(flag: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Index of the first line at or after i (same document) where flag is set, else -1."""
    n = len(flag)
    rev = _last_index(flag[::-1], doc_ids[::-1])[::-1]
    return np.where(rev >= 0, n - 1 - rev, -1)


_NEIGHBOURS = (-3, -2, -1, 1, 2, 3)


def context_features(feats: LineFeatures, stage1: np.ndarray) -> np.ndarray:
    """Stage-2 inputs: own features, stage-1 scores of the line and its neighbours, zones, markers.

    `stage1` holds the context-free P(article), P(title), P(boilerplate) per line.
    """
    n = feats.n_lines
    doc_ids, doc_starts = feats.doc_ids, feats.doc_starts
    p_boiler = stage1[:, 2].astype(np.float32)
    p_title = stage1[:, 1].astype(np.float32)
    log_words = feats.own[:, OWN_NAMES.index("log_words")]
    ends_sentence = feats.own[:, OWN_NAMES.index("ends_sentence")]
    cols: list[np.ndarray] = [feats.own, stage1.astype(np.float32)]
    for k in _NEIGHBOURS:
        cols.append(_shift(p_boiler, k, doc_ids, -1.0)[:, None])
        cols.append(_shift(p_title, k, doc_ids, -1.0)[:, None])
    for k in (-2, -1, 1, 2):
        cols.append(_shift(log_words, k, doc_ids, -1.0)[:, None])
        cols.append(_shift(ends_sentence, k, doc_ids, -1.0)[:, None])
    cols.append(_window_mean(p_boiler, doc_starts, doc_ids, 8, 0)[:, None])
    cols.append(_window_mean(p_boiler, doc_starts, doc_ids, 0, 8)[:, None])
    cols.append(_window_mean(p_boiler, doc_starts, doc_ids, 30, 30)[:, None])

    idx = np.arange(n)
    # Markers: "Read more" (by wording) or a short line the text model is sure
    # is boilerplate; the lines after one, up to the next article-like
    # paragraph, are teasers.
    article_like = feats.long & (p_boiler < 0.5)
    last_marker = _last_index(feats.marker, doc_ids)
    last_article = _last_index(article_like, doc_ids)
    has_marker = last_marker >= 0
    since_marker = np.where(has_marker, idx - last_marker, 99)
    article_since_marker = has_marker & (last_article > last_marker)
    cols.append(np.log1p(since_marker)[:, None])
    cols.append(has_marker[:, None])
    cols.append(article_since_marker[:, None])
    # Zones: before the first / after the last article-like paragraph (header, footer).
    cum_article = np.cumsum(article_like)
    doc_first = doc_starts[doc_ids]
    before_count = cum_article - article_like - np.where(doc_first > 0, cum_article[np.maximum(doc_first - 1, 0)], 0)
    doc_total = np.bincount(doc_ids, weights=article_like, minlength=len(doc_starts) - 1)[doc_ids]
    after_count = doc_total - before_count - article_like
    cols.append((before_count == 0)[:, None])
    cols.append((after_count == 0)[:, None])
    cols.append(np.log1p(before_count)[:, None])
    cols.append(np.log1p(after_count)[:, None])
    cols.append((doc_total / np.maximum(np.bincount(doc_ids, minlength=len(doc_starts) - 1)[doc_ids], 1))[:, None])
    since_article = np.where(last_article >= 0, idx - last_article, 99)
    next_article = _next_index(article_like, doc_ids)
    until_article = np.where(next_article >= 0, next_article - idx, 99)
    cols.append(np.log1p(since_article)[:, None])
    cols.append(np.log1p(until_article)[:, None])
    # Runs of short lines: a list, table or schedule inside the body sits
    # between article paragraphs; a menu or teaser block sits at an edge.
    last_long = _last_index(feats.long, doc_ids)
    next_long = _next_index(feats.long, doc_ids)
    run_start = np.where(last_long >= 0, last_long + 1, doc_first)
    run_end = np.where(next_long >= 0, next_long, doc_starts[doc_ids + 1])
    run_len = np.where(feats.long, 0, run_end - run_start)
    cols.append(np.log1p(run_len)[:, None])
    cols.append(((last_article >= 0) & (next_article >= 0))[:, None])
    # Title evidence: is this the line the text model likes most as a title?
    best_title = np.zeros(n, dtype=bool)
    if n:
        order = np.lexsort((-p_title, doc_ids))
        firsts = order[np.concatenate([[True], doc_ids[order][1:] != doc_ids[order][:-1]])]
        best_title[firsts] = True
    cols.append(best_title[:, None])
    return np.hstack([c.astype(np.float32) if c.ndim == 2 else c[:, None].astype(np.float32) for c in cols])


def _context_names() -> tuple[str, ...]:
    names = [*OWN_NAMES, "s1_article", "s1_title", "s1_boiler"]
    for k in _NEIGHBOURS:
        names += [f"boiler{k:+d}", f"title{k:+d}"]
    for k in (-2, -1, 1, 2):
        names += [f"log_words{k:+d}", f"ends_sentence{k:+d}"]
    names += ["boiler_mean_before8", "boiler_mean_after8", "boiler_mean_around30"]
    names += ["log_since_marker", "after_marker", "article_since_marker"]
    names += ["header_zone", "footer_zone", "log_articles_before", "log_articles_after", "doc_article_share"]
    names += ["log_since_article", "log_until_article", "log_short_run", "between_articles", "best_title"]
    return tuple(names)


CONTEXT_NAMES = _context_names()
