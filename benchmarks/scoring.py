"""The figures of benchmarks/quality.py from each system's decisions: one set, the means, the slices.

See quality.py's docstring for what each figure means; the label-free
measures themselves are in `measures.py`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.heldout import IN_TRAINING
from benchmarks.measures import gold_recall, is_wrecked, lost_lines, structure_of
from declutter.teach.metrics import line_scores, token_f1
from declutter.teach.documents import LabeledDoc

__all__ = ["ENGLISH", "NON_ENGLISH_SETS", "Run", "cico_mean", "input_recalls", "mean_row", "published_gold", "score",
           "slices", "worst_ten"]

NON_ENGLISH_SETS = ("readability", "trafilatura_eval")  # the slice's sources; trafilatura_eval only for it
ENGLISH = {"en", "la", None, ""}  # la = readability's lorem ipsum fixtures
_WORD = re.compile(r"\w+")  # declutter.teach.metrics' token


@dataclass
class Run:
    """One system on one set of documents: line decisions, output texts, wall time."""

    kept: list[list[bool]]
    texts: list[str]
    seconds: float
    reasons: Counter = field(default_factory=Counter)
    cpu_seconds: float = 0.0
    # declutter only: the labeled article/title lines it dropped, by "reason at cut"
    # ("context at 0.92").
    article_lost: Counter = field(default_factory=Counter)


def published_gold(doc: LabeledDoc) -> str:
    return doc.meta.get("gold_published") or doc.meta.get("gold") or ""


def _recall_counts(pairs: Sequence[tuple[str, bool]]) -> dict[str, dict[str, Any]]:
    """{group: {n, kept, recall}} from (group, kept) pairs, plus "all"."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group, kept in pairs:
        for g in (group, "all"):
            counts[g][0] += 1
            counts[g][1] += kept
    return {g: {"n": n, "kept": k, "recall": round(k / n, 4) if n else None} for g, (n, k) in counts.items()}


def input_recalls(docs: Sequence[LabeledDoc]) -> list[float | None]:
    """Each document's published-gold token recall before cleaning (None without a gold)."""
    return [gold_recall("\n".join(d.lines), published_gold(d)) if published_gold(d) else None for d in docs]


def score(docs: Sequence[LabeledDoc], run: Run, recall_in: Sequence[float | None] | None = None) -> dict[str, Any]:
    """Every figure of one system on one set x shape (see quality.py's docstring).

    `recall_in`: `input_recalls(docs)`, computed once for all systems by
    the caller (here when not given). `token_f1` is `guide_f1` under the
    name the quality gate (tests/test_quality_gate.py) reads.
    """
    if recall_in is None:
        recall_in = input_recalls(docs)
    gold = [lab for d in docs for lab in d.labels]
    kept = [k for ks in run.kept for k in ks]
    assert len(gold) == len(kept), "a system returned a decision count different from the line count"
    pub_f1, guide_f1, wrecked, structured, langs = [], [], [], [], []
    for d, text, ks, r_in in zip(docs, run.texts, run.kept, recall_in):
        pub = published_gold(d)
        if pub:
            pub_f1.append(token_f1(text, pub)["f1"])
        if d.meta.get("gold"):
            guide_f1.append(token_f1(text, d.meta["gold"])["f1"])
        if r_in is not None:
            r_out = gold_recall(text, pub)
            if is_wrecked(r_in, r_out):
                lost = lost_lines(d.lines, ks, pub, text, top=len(d.lines))
                gold_words = len(_WORD.findall(pub))
                wrecked.append({"id": d.meta.get("id"), "shape": d.shape, "recall_in": r_in, "recall_out": r_out,
                                "gold_words": gold_words, "words_lost": round((r_in - r_out) * gold_words),
                                "lost_lines": len(lost), "lost": lost_lines(d.lines, ks, pub, text, top=3)})
        kinds = d.meta.get("kinds") or [None] * len(d.lines)
        lang = d.meta.get("lang")
        for line, label, kind, k in zip(d.lines, d.labels, kinds, ks):
            if label not in ("article", "title"):
                continue
            category = structure_of(line, kind)
            if category:
                structured.append((category, k))
            if lang not in ENGLISH:
                langs.append((lang, k))
    n_recall = sum(r is not None for r in recall_in)
    return {
        "boilerplate": (lines := line_scores(gold, kept))["boilerplate"],
        "article": lines["article"],
        "pub_f1": round(sum(pub_f1) / len(pub_f1), 4) if pub_f1 else None,
        "guide_f1": round(sum(guide_f1) / len(guide_f1), 4) if guide_f1 else None,
        "token_f1": round(sum(guide_f1) / len(guide_f1), 4) if guide_f1 else None,
        "gold_docs": len(pub_f1),
        "wrecked": round(len(wrecked) / n_recall, 4) if n_recall else None,
        "wrecked_docs": sorted(wrecked, key=_worst_first),
        "structured": _recall_counts(structured) or {"all": {"n": 0, "kept": 0, "recall": None}},
        "languages": _recall_counts(langs) if langs else {},
        "ms_per_doc": round(1000 * run.seconds / max(len(docs), 1), 2),
        "cpu_ms_per_doc": round(1000 * run.cpu_seconds / max(len(docs), 1), 2),
        "kept_share": round(sum(kept) / max(len(kept), 1), 4),
        "drop_reasons": dict(run.reasons.most_common(12)),
        "article_lost_by": dict(run.article_lost.most_common()),
    }


def _mean(values: Sequence[float | None]) -> float | None:
    return round(sum(values) / len(values), 4) if values and all(v is not None for v in values) else None  # type: ignore[arg-type]


def mean_row(rows: dict[str, dict[str, Any]], systems: Sequence[str], cico: dict[str, Any]) -> dict[str, Any]:
    """Macro means over the sets that are not in training, the same sets for every system."""
    names = [n for n, r in rows.items() if r["status"] != IN_TRAINING and n != "trafilatura_eval"]
    sy = {s: {"pub_f1": _mean([rows[n]["systems"][s]["pub_f1"] for n in names]),
              "guide_f1": _mean([rows[n]["systems"][s]["guide_f1"] for n in names]),
              "aRec": _mean([rows[n]["systems"][s]["article"]["recall"] for n in names]),
              "structRec": _mean([rows[n]["systems"][s]["structured"]["all"]["recall"] for n in names]),
              "wrecked": _mean([rows[n]["systems"][s]["wrecked"] for n in names]),
              "bF1": _mean([rows[n]["systems"][s]["boilerplate"]["f1"] for n in names])} for s in systems}
    has_decl = "declutter" in systems
    return {
        "datasets": names, "excluded": [n for n in rows if n not in names],
        "docs": sum(rows[n]["docs"] for n in names), "systems": sy,
        "delta": _mean([rows[n].get("delta") for n in names]) if has_decl else None,
        "guide_delta": _mean([rows[n].get("guide_delta") for n in names]) if has_decl else None,
        "cico_kept": _mean([cico[n]["kept"] for n in names]) if has_decl and all(n in cico for n in names) else None,
    }


def slices(rows: dict[str, dict[str, Any]], systems: Sequence[str], has_kinds: bool) -> dict[str, Any]:
    """Pooled line counts: the structured slice over held-out sets, the non-English one over its sources."""
    held = [n for n, r in rows.items() if r["status"] != IN_TRAINING and n != "trafilatura_eval"]
    ne_sets = [n for n in NON_ENGLISH_SETS if n in rows]
    out: dict[str, Any] = {"structured_sets": held, "non_english_sets": ne_sets,
                           "non_english_in_training": [n for n in ne_sets if rows[n]["status"] == IN_TRAINING],
                           "kind_source": "the lines' HTML kind" if has_kinds else "the text's shape (no kind field)",
                           "structured": {}, "non_english": {}, "article_lost": {}}
    for s in systems:
        pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for n in held:
            for cat, c in rows[n]["systems"][s]["structured"].items():
                pooled[cat][0] += c["n"]
                pooled[cat][1] += c["kept"]
        out["structured"][s] = {c: {"n": n, "recall": round(k / n, 4) if n else None} for c, (n, k) in pooled.items() if n}
        langs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for n in ne_sets:
            for lang, c in rows[n]["systems"][s]["languages"].items():
                langs[lang][0] += c["n"]
                langs[lang][1] += c["kept"]
        out["non_english"][s] = {g: {"n": n, "recall": round(k / n, 4) if n else None} for g, (n, k) in langs.items()}
        lost: Counter[str] = Counter()
        for n in held:
            lost.update(rows[n]["systems"][s].get("article_lost_by", {}))
        out["article_lost"][s] = dict(lost.most_common())
    return out


def worst_ten(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """declutter's wrecked documents on sets it did not train on, the most gold recall lost first
    (recall_in - recall_out: the share of the article it lost; a ratio would put first a document
    whose input held almost none of the article), then the most gold words lost (`_worst_first`)."""
    docs = [w for rows in results.values() for n, r in rows.items()
            if r["status"] != IN_TRAINING and n != "trafilatura_eval" and "declutter" in r["systems"]
            for w in r["systems"]["declutter"]["wrecked_docs"]]
    return sorted(docs, key=_worst_first)[:10]


def _worst_first(w: dict[str, Any]) -> tuple[float, int, str]:
    """The largest share of the article lost first, to a tenth (so a 4-word gold lost whole does not
    outrank 1,125 of 1,131 words lost); of equal tenths, the most gold words lost.

    >>> tiny = {"id": "a", "recall_in": 1.0, "recall_out": 0.0, "words_lost": 4}
    >>> big = {"id": "b", "recall_in": 1.0, "recall_out": 0.005, "words_lost": 1125}
    >>> half = {"id": "c", "recall_in": 1.0, "recall_out": 0.5, "words_lost": 2000}
    >>> [w["id"] for w in sorted([tiny, half, big], key=_worst_first)]
    ['b', 'a', 'c']
    """
    return (-round(w["recall_in"] - w["recall_out"], 1), -w.get("words_lost", 0), str(w["id"]))


def cico_mean(cico: dict[str, dict[str, Any]]) -> dict[str, Any]:
    names = [n for n, c in cico.items() if c["status"] != IN_TRAINING]
    guide = [cico[n].get("guide") or {} for n in names]
    return {"datasets": names, "kept": _mean([cico[n]["kept"] for n in names]),
            "wrecked": _mean([cico[n]["wrecked"] for n in names]),
            "kept_doc_mean": _mean([cico[n].get("kept_doc_mean") for n in names]),
            "guide_kept": _mean([g.get("kept") for g in guide]), "guide_wrecked": _mean([g.get("wrecked") for g in guide]),
            "labeling_keeps": _mean([(cico[n].get("guide_keeps") or {}).get("kept") for n in names])}
