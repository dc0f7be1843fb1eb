"""Fit a LineModel from labeled documents (used by training/ and `declutter train`).

Stage 2 must learn how far to trust stage 1 on outlets it has not seen, so it
is trained on *out-of-fold* stage-1 scores: stage 1 is refitted on folds
grouped by site, and each line gets the score of the fold that did not see
its site. Lines without a label (None) are not learned from but still give
their neighbours context.
"""

from __future__ import annotations

import time
import zlib
from typing import Any, Sequence

import numpy as np

from ..document import BOILERPLATE
from ..features import CONTEXT_NAMES, OWN_NAMES, build_vocabulary, context_features, line_features
from ..model import CLASSES, LineModel, ordered_proba
from .documents import LabeledDoc

__all__ = ["fit", "label_array", "line_weights", "tune_threshold"]


def label_array(docs: Sequence[LabeledDoc]) -> np.ndarray:
    """Class index per line, -1 for unlabeled."""
    lookup = {c: i for i, c in enumerate(CLASSES)}
    return np.fromiter((lookup.get(lab, -1) if lab else -1 for d in docs for lab in d.labels), dtype=np.int64)


#: Share of the training weight on extractor residue, the rest on all page text (`line_weights`); chosen on
#: held-out refits with wcxb_dev's article pages held out and on benchmarks/quality.py (docs/experiments.md).
RESIDUE_SHARE: float | None = 0.5


def line_weights(docs: Sequence[LabeledDoc], residue_share: float | None = RESIDUE_SHARE) -> np.ndarray:
    """Per-line weights with a mean of 1: within a shape a document weighs
    sqrt(lines), so a 3,000-line page does not drown a 30-line residue.

    Between shapes, a number gives extractor residue that share of the total
    and all page text the rest; `residue_share=None` gives every line the
    same mean weight whatever its shape (a shape's total then follows its
    line count).
    """
    if residue_share is not None and not 0.0 <= residue_share <= 1.0:
        raise ValueError(f"residue_share must be between 0 and 1 (or None), not {residue_share}")
    weights = []
    for d in docs:
        n = max(len(d.lines), 1)
        weights.append(np.full(len(d.lines), d.weight / np.sqrt(n)))
    w = np.concatenate(weights) if weights else np.zeros(0)
    shapes = np.repeat([d.shape for d in docs], [len(d.lines) for d in docs])
    present = set(shapes.tolist())
    split = residue_share is not None and present == {"residue", "page"}
    for shape in present:
        mask = shapes == shape
        if split:
            total = len(w) * (residue_share if shape == "residue" else 1.0 - residue_share)
        else:
            total = mask.sum()
        w[mask] *= total / max(w[mask].sum(), 1e-9)
    return w


def _text_model(C: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=300, tol=1e-3, random_state=seed)


#: Stage 2's size (rounds, learning rate, leaves a tree): the smallest that kept held-out scores with
#: wcxb_dev held out and on benchmarks/quality.py; predicting the trees is the largest cost of cleaning.
CONTEXT_ROUNDS = 60
CONTEXT_LEARNING_RATE = 0.25
CONTEXT_LEAVES = 63


def _context_model(
    seed: int, rounds: int = CONTEXT_ROUNDS, learning_rate: float = CONTEXT_LEARNING_RATE, leaves: int = CONTEXT_LEAVES
) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=rounds, learning_rate=learning_rate, max_leaf_nodes=leaves, min_samples_leaf=40,
        l2_regularization=1.0, early_stopping=False, random_state=seed,
    )


def fit(
    docs: Sequence[LabeledDoc],
    *,
    vocabulary_size: int = 30000,
    text_C: float = 0.5,
    folds: int = 3,
    page_boilerplate_share: float = 0.35,
    residue_share: float | None = RESIDUE_SHARE,
    context_rounds: int = CONTEXT_ROUNDS,
    context_learning_rate: float = CONTEXT_LEARNING_RATE,
    context_leaves: int = CONTEXT_LEAVES,
    seed: int = 0,
    log: Any = print,
) -> LineModel:
    """Train both stages on `docs` and return the model (threshold still at 0.5).

    All-page-text documents are mostly menus and footers: only
    `page_boilerplate_share` of their boilerplate lines are fitted on (with
    their weight scaled up to match): the fit gets ~3x fewer rows, and
    those lines are the easiest to learn.
    """
    t0 = time.time()
    labels = label_array(docs)
    weights = line_weights(docs, residue_share)
    known = labels >= 0
    known &= _subsample_page_boilerplate(docs, labels, weights, page_boilerplate_share, seed)
    if len(set(labels[known].tolist())) < 2:
        raise ValueError("training needs at least two classes among the labeled lines")
    feats = line_features([d.lines for d in docs])
    vocabulary = build_vocabulary([t for t, k in zip(feats.texts, known) if k], size=vocabulary_size)
    model = LineModel(
        vocabulary=vocabulary,
        own_mean=feats.own.mean(axis=0),
        own_scale=feats.own.std(axis=0) + 1e-3,
        text_model=None,
        context_model=None,
    )
    X1 = model.stage1_inputs(feats)
    log(f"features: {feats.n_lines} lines, {X1.shape[1]} columns ({time.time() - t0:.0f}s)")

    # Out-of-fold stage-1 scores, folds grouped by site.
    groups = np.repeat([zlib.crc32(d.group.encode()) % folds for d in docs], [len(d.lines) for d in docs])
    oof = np.zeros((feats.n_lines, len(CLASSES)))
    for fold in range(folds):
        train = known & (groups != fold)
        if len(set(labels[train].tolist())) < 2 or not (groups == fold).any():
            oof[groups == fold] = 1.0 / len(CLASSES)
            continue
        est = _text_model(text_C, seed).fit(X1[train], labels_to_names(labels[train]), sample_weight=weights[train])
        oof[groups == fold] = ordered_proba(est, X1[groups == fold])
        log(f"stage 1 fold {fold + 1}/{folds} ({time.time() - t0:.0f}s)")
    model.text_model = _text_model(text_C, seed).fit(
        X1[known], labels_to_names(labels[known]), sample_weight=weights[known]
    )
    X2 = context_features(feats, oof)
    model.context_model = _context_model(seed, context_rounds, context_learning_rate, context_leaves).fit(
        X2[known], labels_to_names(labels[known]), sample_weight=weights[known]
    )
    log(f"stage 2 fitted ({time.time() - t0:.0f}s)")
    model.card.update(
        feature_names={"own": list(OWN_NAMES), "context": list(CONTEXT_NAMES)},
        training_lines=int(known.sum()),
        training_documents=len(docs),
        hyperparameters={
            "vocabulary_size": vocabulary_size, "text_C": text_C, "folds": folds, "seed": seed,
            "context_rounds": context_rounds, "context_learning_rate": context_learning_rate,
            "context_leaves": context_leaves, "residue_share": residue_share,
        },
    )
    return model


def _subsample_page_boilerplate(
    docs: Sequence[LabeledDoc], labels: np.ndarray, weights: np.ndarray, share: float, seed: int
) -> np.ndarray:
    """Row mask keeping all lines but a random `share` of page-shape boilerplate; reweights in place."""
    if share >= 1.0:
        return np.ones(len(labels), dtype=bool)
    page = np.repeat([d.shape == "page" for d in docs], [len(d.lines) for d in docs])
    candidates = page & (labels == BOILERPLATE)
    drop = candidates & (np.random.default_rng(seed).random(len(labels)) >= share)
    weights[candidates & ~drop] /= share
    return ~drop


def labels_to_names(idx: np.ndarray) -> np.ndarray:
    """Class indices -> label names."""
    return np.asarray(CLASSES)[idx]


def tune_threshold(
    is_article: np.ndarray, p_boiler: np.ndarray, target_recall: float = 0.98
) -> float:
    """The lowest drop threshold that keeps `target_recall` of the article lines.

    >>> tune_threshold(np.array([1, 1, 1, 0]), np.array([0.1, 0.2, 0.6, 0.9]), 0.66)
    0.21
    """
    scores = np.sort(p_boiler[is_article.astype(bool)])
    if scores.size == 0:
        return 0.5
    # Keep a line when p < t: t must exceed the score at the target quantile.
    k = int(np.ceil(target_recall * scores.size)) - 1
    return float(min(0.99, round(scores[k] + 0.01, 2)))
