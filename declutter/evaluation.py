"""Score a model on labeled documents: line P/R/F1, token F1, per group, worst documents.

Shared by training/ (held-out scores for the model card), the benchmarks and
`declutter eval`, so every figure in the project is computed one way.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from .document import Document, Line
from .metrics import line_scores, token_f1
from .pipeline import Cleaner
from .train import LabeledDoc

__all__ = ["predict_kept", "evaluate", "as_document"]

# Datasets whose gold text starts with the headline: the output text keeps the
# title line there and leaves it out elsewhere (for token F1 only).
TITLE_IN_GOLD = {"big9_news", "chaos_web", "dragnet", "l3s_gn1", "cleaneval", "cleanportaleval", "seeds"}


def as_document(lines: Sequence[str]) -> Document:
    return Document(lines=[Line(index=i, text=t) for i, t in enumerate(lines)], metadata={})


def predict_kept(cleaner: Cleaner, docs: Sequence[LabeledDoc], batch: int = 256) -> list[tuple[list[bool], str]]:
    """For each doc: which lines the cleaner keeps, and its output text.

    The title is article text (LABELING.md), so it counts as kept in line
    scores; it is left out of the text only where the dataset's gold leaves
    the headline out, so token F1 compares like with like.
    """
    out: list[tuple[list[bool], str]] = []
    for start in range(0, len(docs), batch):
        chunk = docs[start : start + batch]
        for doc, result in zip(chunk, cleaner.explain_documents([as_document(d.lines) for d in chunk])):
            keep_title = doc.dataset in TITLE_IN_GOLD
            kept = [ln.kept for ln in result.lines]
            text = "\n".join(
                ln.output or "" for ln in result.lines if ln.kept and (keep_title or ln.label != "title")
            )
            out.append((kept, text))
    return out


def evaluate(
    cleaner: Cleaner, docs: Sequence[LabeledDoc], by: str = "dataset", worst: int = 5
) -> dict[str, Any]:
    """Line scores over all labeled lines, mean token F1 against each doc's gold, per group."""
    # Title lines are kept here and dropped per dataset in predict_kept.
    predictions = predict_kept(Cleaner(cleaner.config.with_changes(keep_title=True), model=cleaner.model), docs)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        groups[str(getattr(d, by, None) or d.meta.get(by) or "all")].append(i)
    report: dict[str, Any] = {"all": _score([docs[i] for i in range(len(docs))], predictions)}
    report["groups"] = {
        g: _score([docs[i] for i in idx], [predictions[i] for i in idx]) for g, idx in sorted(groups.items())
    }
    f1s = []
    for d, (kept, text) in zip(docs, predictions):
        gold = d.meta.get("gold")
        if gold:
            f1s.append((token_f1(text, gold)["f1"], d.meta.get("id") or d.group))
    report["worst"] = sorted(f1s)[:worst]
    return report


def _score(docs: Sequence[LabeledDoc], predictions: Sequence[tuple[list[bool], str]]) -> dict[str, Any]:
    gold_labels: list[str | None] = []
    kept_all: list[bool] = []
    f1: list[float] = []
    for d, (kept, text) in zip(docs, predictions):
        gold_labels += d.labels
        kept_all += kept
        if d.meta.get("gold"):
            f1.append(token_f1(text, d.meta["gold"])["f1"])
    scores = line_scores(gold_labels, kept_all)
    scores["token_f1"] = round(sum(f1) / len(f1), 4) if f1 else None
    scores["documents"] = len(docs)
    return scores
