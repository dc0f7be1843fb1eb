"""Each line's own features: its shape, marks and place in its document, for stage 1.

Everything is vectorised over the batch: the lines of all documents are
joined into one string, its code points go through a character-class table,
and per-line counts come from one `np.bincount`. Per line, Python does only
a slice and a few pattern matches on short lines.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple, Sequence

import numpy as np

from .arrays import pick, seen_before_in_document
from .forms import (
    BULLET,
    COPYRIGHT_NEEDLES,
    CREDIT_AGENCY,
    CREDIT_LINE,
    DOMAIN_LINE,
    MARKER,
    TRAILING_CREDIT,
)
from .tokens import clipped_lower

__all__ = ["LineFeatures", "OWN_NAMES", "line_features"]


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
    #: Every line's head and tail, lower-cased, joined by "\n" (`clipped_lower`):
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
    char_lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(char_lens + 1)[:-1]])
    nonempty = char_lens > 0
    chars_pass = _character_pass(joined, starts, char_lens)
    cells, slash_or_paren, owner = chars_pass.cells, chars_pass.slash_or_paren, chars_pass.owner
    first_cls = np.where(nonempty, chars_pass.first_cls, _OTHER)
    last_cls = np.where(nonempty, chars_pass.last_cls, _OTHER)
    last_cp = np.where(nonempty, chars_pass.last_cp, 0)
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
    lowered = clipped_lower(texts)
    lowered_lines = lowered.split("\n")
    marker = np.fromiter(map(bool, map(MARKER.match, lowered_lines, repeat(0), repeat(60))), dtype=bool, count=n)
    short = np.flatnonzero((words <= 15) & (char_lens < 200))
    credit = np.zeros(n, dtype=bool)
    short_texts = pick(texts, short)
    credit[short] = np.fromiter(map(bool, map(CREDIT_LINE.match, short_texts)), dtype=bool, count=len(short))
    credit[short] |= np.fromiter(map(bool, map(CREDIT_AGENCY.search, short_texts)), dtype=bool, count=len(short))
    # Only lines with a "/" or "(" among their last 70 characters can end in a credit.
    copyright_ = _lines_containing(joined, COPYRIGHT_NEEDLES, starts)
    copyright_[chars_pass.c_marked] = True
    near_end = owner[starts[owner] + char_lens[owner] - slash_or_paren <= 70]
    ends_credit = np.zeros(n, dtype=bool)
    for i in np.unique(near_end).tolist():
        text = texts[i]
        ends_credit[i] = TRAILING_CREDIT.search(text, max(len(text) - 70, 0)) is not None
    short_single = np.flatnonzero((words == 1) & (char_lens < 80))
    domain = np.zeros(n, dtype=bool)
    domain[short_single] = np.fromiter(
        map(bool, map(DOMAIN_LINE.match, pick(texts, short_single))), dtype=bool, count=len(short_single)
    )
    # A bullet opens with punctuation, a symbol or a digit: only those lines are matched.
    bullet = np.zeros(n, dtype=bool)
    maybe_bullet = np.flatnonzero(_OPENS_BULLET[first_cls])
    bullet[maybe_bullet] = np.fromiter(
        map(bool, map(BULLET.match, pick(texts, maybe_bullet), repeat(0), repeat(6))), dtype=bool, count=len(maybe_bullet)
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


#: Characters of a batch classified at a time (`_character_pass`): the
#: per-character arrays (code points, classes, bincount cells: 14 bytes a
#: character) stay a few tens of MB however long the batch or its lines are.
CHAR_CHUNK = 1 << 21


class _CharacterCounts(NamedTuple):
    """What `line_features` reads from every character of a batch (`_character_pass`)."""

    cells: np.ndarray  # (n_lines, 2, _N_CLASSES): characters of each class, not at / at a word start
    first_cls: np.ndarray  # class of each line's first character (junk for an empty line)
    last_cls: np.ndarray  # ... of its last character
    last_cp: np.ndarray  # code point of its last character
    slash_or_paren: np.ndarray  # positions in the batch of "/" and "(" (classes >= _SLASH)
    owner: np.ndarray  # the line of each of those
    c_marked: np.ndarray  # lines where "(c) " or "(C) " starts at a "("


def _character_pass(joined: str, starts: np.ndarray, char_lens: np.ndarray) -> _CharacterCounts:
    """Classify the batch's characters, CHAR_CHUNK at a time, and count them per line.

    One bincount over cells (line, class, word start) counts each line's
    characters of every class, its words and its capitalised words at once.
    Done chunk by chunk, with the class of the character before a chunk
    carried over for word starts, the counts are those of one pass over
    the whole batch; memory is bounded by the chunk, not by the longest
    line (a 50 MB line took 1 GB in one pass).
    """
    n = len(starts)
    table = _class_table()
    ends = starts + char_lens  # each line's "\n"
    last_pos = starts + np.maximum(char_lens - 1, 0)
    cells = np.zeros((n, 2, _N_CLASSES), dtype=np.int64)
    first_cls = np.zeros(n, dtype=np.uint8)
    last_cls = np.zeros(n, dtype=np.uint8)
    last_cp = np.zeros(n, dtype=np.uint32)
    positions: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    marked: list[np.ndarray] = []
    before_is_space = True  # the batch's first character starts a word unless it is a space
    total = len(joined)
    for c0 in range(0, total, CHAR_CHUNK):
        c1 = min(c0 + CHAR_CHUNK, total)
        # surrogatepass: a lone surrogate (JSON can carry one) is a code point like any other here.
        # Three characters more: "(c) " may start at the chunk's end.
        cps = np.frombuffer(joined[c0 : c1 + 3].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        classes = np.take(table, cps[: c1 - c0], mode="clip")
        is_space = classes <= _NL
        word_start = ~is_space
        word_start[1:] &= is_space[:-1]
        word_start[0] &= before_is_space
        before_is_space = bool(is_space[-1])
        # The lines this chunk touches, and how many of their characters (with the "\n") it holds.
        l0 = int(np.searchsorted(starts, c0, side="right")) - 1
        l1 = int(np.searchsorted(starts, c1 - 1, side="right"))
        held = np.minimum(ends[l0:l1] + 1, c1) - np.maximum(starts[l0:l1], c0)
        line_of_char = np.repeat(np.arange(l1 - l0, dtype=np.int64), held)
        kind = classes + np.uint8(_N_CLASSES) * word_start  # uint8: < _N_CELLS
        cells[l0:l1] += np.bincount(
            line_of_char * _N_CELLS + kind, minlength=(l1 - l0) * _N_CELLS
        ).reshape(l1 - l0, 2, _N_CLASSES)
        for at, out_cls, out_cp in ((starts, first_cls, None), (last_pos, last_cls, last_cp)):
            lines = np.arange(l0, l1)[(at[l0:l1] >= c0) & (at[l0:l1] < c1)]
            out_cls[lines] = classes[at[lines] - c0]
            if out_cp is not None:
                out_cp[lines] = cps[at[lines] - c0]
        local = np.flatnonzero(classes >= _SLASH)
        owner = line_of_char[local] + l0
        positions.append(local + c0)
        owners.append(owner)
        marked.append(_lines_with_c_mark(cps, local, owner))
    join = (lambda parts: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64))
    return _CharacterCounts(cells, first_cls, last_cls, last_cp, join(positions), join(owners), join(marked))


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
