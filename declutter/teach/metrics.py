"""Scores used by training, `declutter eval` and the benchmarks, defined once.

Line scores treat `title` as kept text (it is article text a pipeline may
split off); token F1 compares bags of word tokens, as the extraction
benchmarks of trafilatura and ScrapingHub do.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

__all__ = ["line_scores", "token_f1", "prf"]

_WORD = re.compile(r"\w+")


def prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    """Precision, recall and F1 from counts (1.0 where nothing was to be found or found).

    >>> prf(8, 2, 0)
    {'precision': 0.8, 'recall': 1.0, 'f1': 0.8889}
    """
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def line_scores(gold: Sequence[str | None], kept: Sequence[bool]) -> dict[str, dict[str, float]]:
    """P/R/F1 of the `boilerplate` and `article` (article + title) classes over labeled lines.

    >>> line_scores(["article", "boilerplate", "title", None], [True, True, True, False])["boilerplate"]
    {'precision': 1.0, 'recall': 0.0, 'f1': 0.0}
    """
    counts = Counter()
    for g, k in zip(gold, kept):
        if g is None:
            continue
        counts[(g != "boilerplate", bool(k))] += 1
    tp_a, fn_a = counts[(True, True)], counts[(True, False)]
    fp_a, tn_a = counts[(False, True)], counts[(False, False)]
    return {
        "article": prf(tp_a, fp_a, fn_a),
        "boilerplate": prf(tn_a, fn_a, fp_a),
        "lines": {"n": float(sum(counts.values())), "boilerplate_share": round((fp_a + tn_a) / max(sum(counts.values()), 1), 4)},
    }


def token_f1(candidate: str, reference: str) -> dict[str, float]:
    """Bag-of-words precision/recall/F1 of a text against a reference (case-folded \\w+ tokens).

    >>> token_f1("the cat sat", "the cat sat down")["recall"]
    0.75
    """
    cand = Counter(_WORD.findall(candidate.casefold()))
    ref = Counter(_WORD.findall(reference.casefold()))
    overlap = sum((cand & ref).values())
    return prf(overlap, sum(cand.values()) - overlap, sum(ref.values()) - overlap)
