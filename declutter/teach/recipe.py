"""The training recipe: what `declutter train` and `training/train_default.py` both run.

`train_model` fits a model from labeled documents -- or extends a base
model with them -- and gives it what later use needs: the anchor that lets
it be extended without forgetting (`extend.compute_anchor`) and, if asked,
an outlet memory. `heldout_by_outlet` scores such a recipe on pages its
model did not see, for the card.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from ..config import Config
from ..model import LineModel
from ..model.outlet import OutletMemory
from ..pipeline import Cleaner
from .documents import LabeledDoc
from .evaluation import predict_kept, score
from .extend import EXTEND_DEFAULTS, compute_anchor, extend
from .fit import fit

__all__ = ["heldout_by_outlet", "page_key", "train_model"]


def _quiet(*_: Any) -> None:
    pass


def train_model(
    docs: Sequence[LabeledDoc],
    *,
    base: LineModel | None = None,
    alpha: float | None = None,
    memory: bool = True,
    anchor: bool = True,
    log: Callable[..., None] = _quiet,
    **fit_options: Any,
) -> LineModel:
    """A model from `docs`: fitted from scratch, or `base` extended with them.

    From scratch, `fit_options` go to `fit`; `anchor` adds the anchor (so
    the model can be extended later) and `memory` an outlet memory of the
    lines each outlet repeats. Extending keeps the base's anchor and merges
    the memory (`extend`).
    """
    if base is not None:
        return extend(base, docs, log=log, alpha=EXTEND_DEFAULTS["alpha"] if alpha is None else alpha, memory=memory)
    model = fit(docs, log=log, **fit_options)
    if anchor:
        model.anchor = compute_anchor(model, docs)
    if memory:
        model.memory = OutletMemory.from_documents((d.group, d.lines, d.labels) for d in docs)
    return model


def page_key(doc: LabeledDoc) -> str:
    """Documents of one page (its residue and page shapes) share a fold."""
    return str(doc.meta.get("id") or id(doc))


def heldout_by_outlet(
    train: Callable[[list[Any]], Any],
    docs: list[Any],
    folds: int,
    threshold: float | None,
    log: Callable[..., None],
) -> dict[str, Any]:
    """Each outlet scored on pages its model did not see: K folds over pages,
    each fold's pages predicted by a model trained on everything else."""
    fold_of = [zlib.crc32(page_key(d).encode()) % folds for d in docs]
    predictions: list[Any] = [None] * len(docs)
    for k in range(folds):
        held = [i for i, f in enumerate(fold_of) if f == k]
        rest = [docs[i] for i, f in enumerate(fold_of) if f != k]
        if not held or not rest:
            continue
        try:
            model = train(rest)
        except ValueError as exc:  # a fold without two classes
            log(f"  held-out fold {k + 1}/{folds} skipped: {exc}")
            continue
        cleaner = Cleaner(Config(threshold=threshold, keep_title=True), model=model)
        for i, pred in zip(held, predict_kept(cleaner, [docs[i] for i in held])):
            predictions[i] = pred
        log(f"  held-out fold {k + 1}/{folds} done")
    by: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        if predictions[i] is not None:
            by[f"{d.group} / {d.shape}"].append(i)
    scores = {
        g: score([docs[i] for i in idx], [predictions[i] for i in idx])
        for g, idx in sorted(by.items())
    }
    return {
        "method": f"{folds}-fold over each outlet's pages: every page scored by a model that did not see it",
        "scores": scores,
    }
