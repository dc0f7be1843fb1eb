"""Documents to learn from: `LabeledDoc`, and reading them from labeled files.

A `LabeledDoc` is what fitting, extending and evaluating read: lines, a
label per line (or None), the group (site or outlet) folds never split, the
shape and a gold text. Labeled files (`declutter.io.labeled`) become
LabeledDocs through `to_labeled_docs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..io.labeled import LabeledText
from ..io.labeled_files import iter_labeled_jsonl

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


def load_labeled(paths: Iterable[str | Path], **filters: Any) -> list[LabeledDoc]:
    """LabeledDocs of labeled JSONL(.gz) files (`training/build_lines.py`'s, `declutter label`'s).

    Read with the one reader of labeled files (`io.labeled_files`), one
    record at a time. `filters` keep the records whose field is among the
    values given (`shape=["page"]`). A build_lines record's group is its
    site; its gold is the dataset's, never made up from the labels.
    """
    docs = []
    for path in paths:
        for text in iter_labeled_jsonl(path):
            if any(_field(text, key) not in values for key, values in filters.items() if values):
                continue
            docs.append(
                LabeledDoc(
                    lines=[line.text for line in text.lines],
                    labels=[line.label for line in text.lines],
                    group=str(text.meta.get("site") or text.outlet or text.id),
                    dataset=str(text.meta.get("dataset", "")),
                    shape=str(text.meta.get("shape") or "residue"),
                    meta={"id": text.id, **{k: text.meta.get(k) for k in ("lang", "page_type", "gold", "gold_published")}},
                )
            )
    return docs


def _field(text: LabeledText, key: str) -> Any:
    """A top-level field of the record `text` was read from."""
    if key == "id":
        return text.id
    if key == "outlet":
        return text.outlet
    return text.meta.get(key)
