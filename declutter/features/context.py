"""Stage 2's inputs: each line's own features plus its neighbours' stage-1 scores, markers and zones.

Stage 2 revises stage 1's context-free label in context (jusText's idea,
learned); these arrays shift within document boundaries.
"""

from __future__ import annotations

import numpy as np

from ..document import BOILERPLATE, TITLE
from .lines import OWN_NAMES, LineFeatures

__all__ = ["CONTEXT_NAMES", "context_features"]


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
    p_boiler = stage1[:, BOILERPLATE].astype(np.float32)
    p_title = stage1[:, TITLE].astype(np.float32)
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
