"""Scores -> labels for a whole batch at once: thresholds, context rule, repeats, one title.

The model gives every line P(article), P(title) and P(boilerplate). This
module turns them into a label and a reason per line with NumPy over all the
lines of a batch (it runs for every line of every input, so the per-line
Python work is only writing the result down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import seen_before_in_document

__all__ = [
    "Rules", "decide", "page_like_documents", "between_dropped", "repeated_lines",
    "PAGE_LIKE_MEAN", "PAGE_LIKE_MIN_LINES",
]

# A document is page-like (all the text of a web page) when at least half its
# lines look like boilerplate on average AND it is long enough to be a page:
# a 3-line story with one repeated line is not a page. Measured with
# benchmarks' held-out sets (mean token F1, residue / page): no length rule
# 0.9313 / 0.8725, >= 20 lines 0.9316 / 0.8730, >= 40 lines 0.9324 / 0.8711.
# Counting confident lines instead (share with P >= 0.9 at least 0.5 / 0.4)
# kept more residue article lines (recall 0.977 / 0.975 against 0.969) but
# cost page-text token F1 (0.867 / 0.871 against 0.874); asking for both
# (mean >= 0.5 and a share >= 0.3 / 0.2 with P >= 0.9) gave recall 0.975 /
# 0.971 for residue boilerplate F1 0.560 / 0.569 against 0.576: the mean stays.
PAGE_LIKE_MEAN = 0.5
PAGE_LIKE_MIN_LINES = 20

# A repeated line is boilerplate by LABELING.md; below this many words the
# rule is left to the model, so a repeated short table cell ("0", "Yes") is not
# dropped for being short and repeated alone.
_DUPLICATE_MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Rules:
    """What `decide` needs from the Config and the model card."""

    threshold: float  # residue: drop at P(boilerplate) >= this
    page_threshold: float  # page-like documents
    override: float | None = None  # Config.threshold: one cut for every document
    between_floor: float | None = 0.5  # Config.between_floor
    between_max_run: int = 1
    drop_duplicates: bool = True


def decide(
    texts: list[str], doc_starts: np.ndarray, stage1: np.ndarray, stage2: np.ndarray, rules: Rules
) -> tuple[list[str], list[str]]:
    """Label and reason of every line of a batch; documents are `texts[doc_starts[k]:doc_starts[k+1]]`.

    >>> p = np.array([[0.1, 0.8, 0.1], [0.9, 0.0, 0.1], [0.0, 0.0, 1.0]])
    >>> decide(["Headline", "Body text of the story.", "Read more"], np.array([0, 3]), p, p, Rules(0.9, 0.7))
    (['title', 'article', 'boilerplate'], ['model', 'model', 'model'])
    """
    n = len(texts)
    p_boiler = stage2[:, 2]
    lengths = np.diff(doc_starts)
    doc_ids = np.repeat(np.arange(len(lengths)), lengths)
    page_like = page_like_documents(p_boiler, doc_ids, lengths)
    if rules.override is not None:
        cut = np.full(n, rules.override)
    else:
        cut = np.where(page_like, rules.page_threshold, rules.threshold)[doc_ids]
    dropped = p_boiler >= cut
    by_context = (stage1[:, 2] >= cut) != dropped
    duplicate = repeated_lines(texts, doc_ids) if rules.drop_duplicates else np.zeros(n, dtype=bool)
    between = np.zeros(n, dtype=bool)
    if rules.between_floor is not None:
        enclosing = dropped | duplicate
        for k in np.flatnonzero(page_like).tolist():
            a, b = doc_starts[k], doc_starts[k + 1]
            between[a:b] = between_dropped(enclosing[a:b], p_boiler[a:b], rules.between_floor, rules.between_max_run)
    dropped |= between | duplicate
    labels = np.where(dropped, "boilerplate", "article")
    # One title at most per document: the kept line most likely a title, if
    # stage 2 finds it more title than article.
    title_p = np.where(~dropped & (stage2[:, 1] > stage2[:, 0]), stage2[:, 1], -1.0)
    nonempty = lengths > 0
    if n:
        # Within each document, the highest P(title) first (ties: the earliest line).
        order = np.lexsort((-title_p, doc_ids))
        best = order[doc_starts[:-1][nonempty]]
        labels[best[title_p[best] >= 0]] = "title"
    reasons = np.where(by_context, "context", "model").astype(object)
    reasons[between] = "between_boilerplate"
    reasons[duplicate] = "duplicate"
    return labels.tolist(), reasons.tolist()


def page_like_documents(p_boiler: np.ndarray, doc_ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which documents are all the text of a page rather than extractor residue.

    >>> page_like_documents(np.array([0.9] * 20 + [0.1] * 3), np.repeat([0, 1], [20, 3]), np.array([20, 3])).tolist()
    [True, False]
    """
    means = np.bincount(doc_ids, weights=p_boiler, minlength=len(lengths)) / np.maximum(lengths, 1)
    return (lengths >= PAGE_LIKE_MIN_LINES) & (means >= PAGE_LIKE_MEAN)


def between_dropped(dropped: np.ndarray, p_boiler: np.ndarray, floor: float, max_run: int = 1) -> np.ndarray:
    """Kept lines to drop because dropped lines enclose them and they are doubtful.

    A maximal run of at most `max_run` kept lines, with a dropped line right
    before and right after it, is selected when every line of the run has
    P(boilerplate) >= `floor` (jusText's context rule). Lines at the
    document's edges are never enclosed.

    >>> dropped = np.array([True, False, True, False, False, True])
    >>> between_dropped(dropped, np.array([0.9, 0.6, 0.9, 0.6, 0.7, 0.9]), 0.5).tolist()
    [False, True, False, False, False, False]
    >>> between_dropped(dropped, np.array([0.9, 0.6, 0.9, 0.6, 0.7, 0.9]), 0.5, max_run=2).tolist()
    [False, True, False, True, True, False]
    >>> between_dropped(dropped, np.array([0.9, 0.2, 0.9, 0.6, 0.7, 0.9]), 0.5, max_run=2).tolist()
    [False, False, False, True, True, False]
    """
    out = np.zeros(dropped.shape, dtype=bool)
    if dropped.size < 3 or max_run < 1:
        return out
    # Runs of kept lines: one starts after a dropped line and ends before one.
    edges = np.diff(np.concatenate([[0], (~dropped).astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # exclusive
    enclosed = (starts > 0) & (ends < dropped.size) & (ends - starts <= max_run)
    doubtful = p_boiler >= floor
    for start, end in zip(starts[enclosed].tolist(), ends[enclosed].tolist()):
        if doubtful[start:end].all():
            out[start:end] = True
    return out


def repeated_lines(texts: list[str], doc_ids: np.ndarray) -> np.ndarray:
    """True for a line of >= 3 words repeating an earlier line of its document (case and edges aside).

    >>> repeated_lines(["Share this story now", "Body.", "share this story now ", "Body."], np.zeros(4, int)).tolist()
    [False, False, True, False]
    """
    out = np.zeros(len(texts), dtype=bool)
    if not texts:
        return out
    # One casefold() for the batch (it maps each character on its own, so the
    # joined string splits back into the lines' keys).
    keys = list(map(str.strip, "\n".join(texts).casefold().split("\n")))
    if len(keys) != len(texts):  # a caller's line held a "\n" after all
        keys = [t.strip().casefold() for t in texts]
    repeat = seen_before_in_document(np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys)), doc_ids)
    for i in np.flatnonzero(repeat).tolist():
        key = keys[i]
        out[i] = key.count(" ") >= _DUPLICATE_MIN_WORDS - 1 and len(key.split()) >= _DUPLICATE_MIN_WORDS
    return out
