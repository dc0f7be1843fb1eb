"""Clean in, clean out: a dataset's gold article bodies fed alone to declutter.

Text that is already clean must come back whole (LABELING.md, "The first
rule of the cleaner"). The documents are the published gold `text` of
`../shared/data/<set>.jsonl.gz`, sampled as `../shared/tools/clean_in_clean_out.py`
samples them (the first N by SHA-1 of the id, every page type), so the
figures can be checked against that tool; lines are matched with its rule
(`benchmarks.measures.gold_lines_kept`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.measures import WRECKED_RATIO, gold_lines_kept
from declutter.pipeline import Cleaner

__all__ = ["sample_gold", "score_cico", "score_outputs"]


def sample_gold(path: Path, n: int) -> list[tuple[str, str]]:
    """(id, gold text) of up to `n` records with a gold text (0 = all), by a stable hash of the id."""
    recs = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for raw in fh:
            rec = json.loads(raw)
            text = rec.get("text")
            if text and text.strip():
                recs.append((hashlib.sha1(rec["id"].encode()).hexdigest(), rec["id"], text))
    recs.sort()
    if n > 0:
        recs = recs[:n]
    return [(i, t) for _, i, t in recs]


def score_cico(cleaner: Cleaner, docs: Sequence[tuple[str, str]], show: int = 5) -> dict[str, Any]:
    """Share of gold lines kept (pooled, as the shared tool counts, and the mean of each document's share),
    share of documents wrecked (> 5% of their words lost), lines lost most often.

    The output is every line declutter keeps, the headline included (it is
    article text declutter returns apart; the CLI's text keeps it).
    """
    results = cleaner.explain_many([t for _, t in docs])
    outputs = ["\n".join(ln.output or "" for ln in result.lines if ln.kept) for result in results]
    return score_outputs(docs, outputs, show)


def score_outputs(docs: Sequence[tuple[str, str]], outputs: Sequence[str], show: int = 5) -> dict[str, Any]:
    """`score_cico`'s figures for any outputs, one per (id, gold text): also what LABELING.md itself
    keeps of a published gold (the gold as build_lines maps it onto the guide, as the output)."""
    n_lines = n_kept = wrecked = 0
    doc_shares: list[float] = []  # each document's share of lines kept: one long document cannot dominate
    lost: Counter[str] = Counter()
    worst: list[tuple[float, str]] = []
    for (doc_id, gold), output in zip(docs, outputs):
        words = kept_words = 0
        verdicts = gold_lines_kept(gold, output)
        doc_shares.append(sum(k for _, k in verdicts) / len(verdicts) if verdicts else 1.0)
        for line, kept in verdicts:
            n_lines += 1
            n_kept += kept
            w = len(line.split())
            words += w
            kept_words += w * kept
            if not kept:
                lost[line.strip()[:100]] += 1
        share = kept_words / words if words else 1.0
        wrecked += share < WRECKED_RATIO
        worst.append((share, doc_id))
    return {
        "docs": len(docs),
        "lines": n_lines,
        "kept": round(n_kept / n_lines, 4) if n_lines else None,
        "kept_doc_mean": round(sum(doc_shares) / len(doc_shares), 4) if doc_shares else None,
        "wrecked": round(wrecked / len(docs), 4) if docs else None,
        "lost_most_often": lost.most_common(show),
        "worst": [(doc_id, round(share, 3)) for share, doc_id in sorted(worst)[:3] if share < 1.0],
    }

