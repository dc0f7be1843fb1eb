"""Documents to learn from: `LabeledDoc`, and reading them from labeled files.

A `LabeledDoc` is what fitting, extending and evaluating read: lines, a
label per line (or None), the group (site or outlet) folds never split, the
shape and a gold text. Labeled files (`declutter.io.labeled`) become
LabeledDocs through `to_labeled_docs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..io.labeled import LabeledText

__all__ = ["LabeledDoc", "load_labeled", "to_labeled_docs"]


@dataclass(slots=True)
class LabeledDoc:
    """One training document: its lines, a label per line (or None), and where it came from."""

    lines: list[str]
    labels: list[str | None]
    group: str  # site or outlet: folds never split one
    dataset: str = ""
    shape: str = "residue"  # "residue" (extractor output) or "page" (all page text)
    weight: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)


def to_labeled_docs(docs: Iterable[LabeledText], weight: float = 1.0) -> list[LabeledDoc]:
    """`LabeledDoc`s for `fit` / `extend` / `evaluate`.

    A document without a gold text gets one from its labels (the article
    lines), so token F1 can be computed for hand-labeled files too.
    """
    out = []
    for doc in docs:
        gold = doc.meta.get("gold")
        if not gold:
            gold = "\n".join(line.text for line in doc.lines if line.label == "article")
        meta = {
            "id": doc.id,
            "gold": gold,
            "lang": doc.meta.get("lang"),
            "page_type": doc.meta.get("page_type"),
        }
        out.append(
            LabeledDoc(
                lines=[line.text for line in doc.lines],
                labels=[line.label for line in doc.lines],
                group=doc.group,
                dataset=str(doc.meta.get("dataset") or ""),
                shape=str(doc.meta.get("shape") or "residue"),
                weight=weight,
                meta=meta,
            )
        )
    return out


def load_labeled(paths: Iterable[str], **filters: Any) -> list[LabeledDoc]:
    """Read build_lines / `declutter train` JSONL(.gz) documents into LabeledDocs."""
    import gzip
    import json

    docs = []
    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                rec = json.loads(raw)
                if any(rec.get(k) not in v for k, v in filters.items() if v):
                    continue
                lines = [ln["text"] for ln in rec["lines"]]
                docs.append(
                    LabeledDoc(
                        lines=lines,
                        labels=[ln.get("label") for ln in rec["lines"]],
                        group=str(rec.get("site") or rec.get("outlet") or rec.get("id")),
                        dataset=str(rec.get("dataset", "")),
                        shape=str(rec.get("shape") or "residue"),
                        meta={k: rec.get(k) for k in ("id", "lang", "page_type", "gold", "gold_published")},
                    )
                )
    return docs
