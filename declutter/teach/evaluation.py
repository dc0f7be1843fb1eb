"""Score a model on labeled documents: line P/R/F1, token F1, per group, worst documents.

Shared by training/ (held-out scores for the model card), the benchmarks and
`declutter eval`, so every figure in the project is computed one way.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from ..config import Config
from ..document import Document
from ..pipeline import Cleaner
from .documents import LabeledDoc
from .metrics import line_scores, token_f1

__all__ = ["as_document", "evaluate", "evaluate_files", "format_report", "predict_kept", "score"]

# Datasets whose gold text starts with the headline: the output text keeps the
# title line there and leaves it out elsewhere (for token F1 only).
TITLE_IN_GOLD = {"big9_news", "chaos_web", "dragnet", "l3s_gn1", "cleaneval", "cleanportaleval", "seeds"}


def as_document(lines: Sequence[str]) -> Document:
    """A labeled document's lines as the Cleaner reads them: as they are, no header, no blank lines."""
    return Document.of_lines(lines)


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
    report: dict[str, Any] = {"all": score([docs[i] for i in range(len(docs))], predictions)}
    report["groups"] = {
        g: score([docs[i] for i in idx], [predictions[i] for i in idx]) for g, idx in sorted(groups.items())
    }
    f1s = []
    for d, (kept, text) in zip(docs, predictions):
        gold = d.meta.get("gold")
        if gold:
            f1s.append((token_f1(text, gold)["f1"], d.meta.get("id") or d.group))
    report["worst"] = sorted(f1s)[:worst]
    return report


def score(docs: Sequence[LabeledDoc], predictions: Sequence[tuple[list[bool], str]]) -> dict[str, Any]:
    """Line scores and mean token F1 of `docs` given each one's (kept lines, output text)."""
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


def evaluate_files(
    model: Any, docs: list[Any], by: str, worst: int, threshold: float | None
) -> dict[str, Any]:
    """Scores overall and per group x shape, plus the worst documents by token F1."""
    cleaner = Cleaner(Config(threshold=threshold), model=model)
    attr = "group" if by == "outlet" else by
    report = evaluate(cleaner, docs, by=attr, worst=worst)
    shapes = sorted({d.shape for d in docs})
    if len(shapes) > 1 and by != "shape":
        report["by_shape"] = {
            s: evaluate(cleaner, [d for d in docs if d.shape == s], by=attr, worst=0)
            for s in shapes
        }
    report["model"] = model.name
    report["threshold"] = cleaner.threshold
    return report


def _row(name: str, s: dict[str, Any]) -> str:
    b, a = s["boilerplate"], s["article"]
    tok = "-" if s.get("token_f1") is None else f"{s['token_f1']:.3f}"
    return (
        f"{name[:38]:<38} {s['documents']:>5} {int(s['lines']['n']):>7}  {b['precision']:.3f} {b['recall']:.3f} {b['f1']:.3f}"
        f"  {a['precision']:.3f} {a['recall']:.3f} {a['f1']:.3f}  {tok:>6}"
    )


def format_report(report: dict[str, Any], by: str) -> str:
    """An `evaluate_files` report as a text table."""
    head = f"{by:<38} {'docs':>5} {'lines':>7}  {'boilerplate P/R/F1':<17}  {'article P/R/F1':<17}  {'tokF1':>6}"
    rows = [
        f"model {report['model']}, threshold {report['threshold']}",
        head,
        _row("all", report["all"]),
    ]
    for shape, sub in report.get("by_shape", {}).items():
        rows.append(_row(f"all / {shape}", sub["all"]))
    for group, s in report["groups"].items():
        rows.append(_row(group, s))
    if len(report.get("by_shape", {})) > 1:
        for shape, sub in report["by_shape"].items():
            for group, s in sub["groups"].items():
                rows.append(_row(f"{group} / {shape}", s))
    if report.get("worst"):
        rows.append("worst documents (token F1):")
        rows += [f"  {f1:.3f}  {doc_id}" for f1, doc_id in report["worst"]]
    return "\n".join(rows) + "\n"
