"""Teach a trained model new outlets from a handful of labeled documents.

`extend(base, docs)` returns a model that knows the new outlets' boilerplate
and still behaves like `base` everywhere else. It is an ordinary `LineModel`
(same two stages, same file format), changed in three places:

1. **Vocabulary.** Words the new documents use that the base never saw
   (the outlet's name, its appeal's wording) get their own n-gram columns.
2. **Stage 1, a penalised correction.** The boilerplate logit of the text
   model moves by a delta over the n-gram columns the new lines use, fitted
   on the new lines with the base's scores as the starting point: the
   new lines' log loss plus `1/2 * sum_j (alpha + F_j) * delta_j^2`. `F`
   is the base's *anchor* (`compute_anchor`: the diagonal Fisher
   information of its own training data, EWC): a column the old data
   pinned down ("the", "said", a number) hardly moves, a column the old
   data never used (the outlet's name, its appeal's wording) moves freely.
   That approximates refitting on old and new data together, without
   shipping the old data. Shape features, intercepts and the title/article
   split stay as they are. A base without an anchor (an older model file)
   moves only the columns of the outlet's new words: safe, but it learns
   less (see the benchmark).
3. **Outlet memory** (`declutter.model.outlet`): lines the new documents repeat
   and label boilerplate are remembered by hash.

Stage 2 (context) is left as it is: it learned how to use stage-1 scores and
the neighbours' on many outlets, and a better stage 1 on the new outlet is
what it needs. benchmarks/learning_curve.py (`--variants`) measures this
design against no anchor, no memory, memory alone and no penalty. The
model file grows by the new words and the memory only.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections import Counter
from typing import Any, Sequence

import numpy as np
from scipy import optimize, sparse

from ..errors import ModelError
from ..features import BIGRAM_BUCKETS, by_count, line_features, line_tokens
from ..model import LineModel, ModelCard
from ..model.outlet import OutletMemory
from .documents import LabeledDoc
from .fit import label_array, line_weights

__all__ = ["extend", "compute_anchor", "EXTEND_DEFAULTS"]

#: alpha: the penalty on the stage-1 delta of a column the base's training data never used, per unit of
#: line weight; chosen on the big9_news leave-one-outlet-out runs of benchmarks/learning_curve.py --variants.
EXTEND_DEFAULTS: dict[str, Any] = {
    "alpha": 1.0,
    "anchor_weight": 1.0,
    "new_token_min_lines": 3,
    "max_new_tokens": 5000,
    "memory": True,
}
#: Without an anchor, a column's penalty grows with the share of new lines it
#: occurs in: alpha * (1 + COMMON_PENALTY * share). Common words ("the",
#: "news") are what the base knows best; the outlet's own phrases are rare.
COMMON_PENALTY = 50.0


def extend(
    base: LineModel,
    docs: Sequence[LabeledDoc],
    *,
    alpha: float = EXTEND_DEFAULTS["alpha"],
    new_token_min_lines: int = EXTEND_DEFAULTS["new_token_min_lines"],
    max_new_tokens: int = EXTEND_DEFAULTS["max_new_tokens"],
    memory: bool = EXTEND_DEFAULTS["memory"],
    anchor: bool = True,
    anchor_weight: float = EXTEND_DEFAULTS["anchor_weight"],
    log: Any = print,
) -> LineModel:
    """A copy of `base` that also knows the outlets of `docs` (see the module docstring).

    `base` is not changed. The card records the base, the documents per
    outlet and the settings; `declutter train` adds held-out scores.
    """
    if not base.has_estimators:
        raise ModelError(f"{base.name} was loaded for prediction only: extend a model loaded with load_model(path)")
    t0 = time.time()
    labels = label_array(docs)
    known = labels >= 0
    if not known.any():
        raise ValueError(
            "extending needs labeled lines: every line of the given documents is unknown"
        )
    feats = line_features([d.lines for d in docs])
    new_tokens = _new_tokens(
        [t for t, k in zip(feats.texts, known) if k], base, new_token_min_lines, max_new_tokens
    )
    model = _with_vocabulary(base, new_tokens)
    est = model.text_model
    X = model.stage1_inputs(feats)[known]
    classes = [str(c) for c in est.classes_]
    names = np.asarray(["article", "title", "boilerplate"])[labels[known]]
    y = np.searchsorted(np.asarray(classes), names)
    w = line_weights(docs)[known]
    w = w / max(w.mean(), 1e-12)
    active, share = _movable_columns(X, model)
    if model.anchor is not None and anchor:
        penalty = alpha + anchor_weight * model.anchor[active]
    elif anchor:
        # No anchor: nothing says which columns the old outlets rely on, so
        # only the columns the base never had (the new words) may move.
        log(
            f"note: {base.name} has no anchor (training/add_anchor.py adds one): "
            "only the outlet's new words and the outlet memory are learned"
        )
        new = (active >= len(base.vocabulary)) & (active < len(model.vocabulary))
        active, penalty = active[new], np.full(int(new.sum()), alpha)
    else:  # anchor=False: a penalty growing with how common a column is (for comparison)
        penalty = alpha * (1.0 + COMMON_PENALTY * share)
    if len(active):
        Xa = X[:, active].tocsr()
        z0 = np.asarray(X @ est.coef_.T) + est.intercept_
        delta = _fit_delta(Xa, z0, y, w, penalty, classes.index("boilerplate"))
        est.coef_[classes.index("boilerplate"), active] += delta
    if model.anchor is not None:
        # The new outlet's lines now pin the coefficients too, so a later
        # extension keeps this one's knowledge.
        model.anchor = (model.anchor + _fisher(model, X, w)).astype(np.float32)
    if memory:
        found = OutletMemory.from_documents(
            ((d.group, d.lines, d.labels) for d in docs), labeled=True
        )
        model.memory = found if base.memory is None else base.memory.merge(found)
    outlets = Counter(d.group for d in docs)
    model.card = _card(base, docs, outlets, new_tokens, alpha, memory, model)
    model.card["extensions"][-1]["anchor"] = bool(anchor and base.anchor is not None)
    log(
        f"extended {base.name} with {len(docs)} documents of {len(outlets)} outlet(s): "
        f"{int(known.sum())} labeled lines, {len(new_tokens)} new words, {len(active)} n-gram columns moved, "
        f"{len(model.memory) if model.memory is not None else 0} remembered lines ({time.time() - t0:.1f}s)"
    )
    return model


def _new_tokens(texts: list[str], base: LineModel, min_lines: int, limit: int) -> list[str]:
    """Words of the new lines (counted once per line) that the base has no column for."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(line_tokens([text])))
    vocab = base.vocab_index
    fresh = [
        tok
        for tok, c in by_count(counts)
        if c >= min_lines and tok not in vocab and tok != "\x00" and not tok[:1].isdigit()
    ]
    return fresh[:limit]


def _with_vocabulary(base: LineModel, new_tokens: list[str]) -> LineModel:
    """A deep copy of `base` whose stage 1 has columns for `new_tokens` (coefficient 0).

    Token columns are [vocabulary | bigram buckets | shape features]: the
    new words go at the end of the vocabulary, so the bigram and shape
    coefficients shift right by len(new_tokens).
    """
    text_model = copy.deepcopy(base.text_model)
    n_old, k = len(base.vocabulary), len(new_tokens)
    if k:
        coef = text_model.coef_
        text_model.coef_ = np.hstack(
            [coef[:, :n_old], np.zeros((coef.shape[0], k)), coef[:, n_old:]]
        )
        text_model.n_features_in_ = text_model.coef_.shape[1]
    anchor = base.anchor
    if anchor is not None and k:
        anchor = np.concatenate([anchor[:n_old], np.zeros(k, dtype=anchor.dtype), anchor[n_old:]])
    return LineModel(
        anchor=anchor,
        vocabulary=list(base.vocabulary) + list(new_tokens),
        own_mean=base.own_mean,
        own_scale=base.own_scale,
        text_model=text_model,
        context_model=base.context_model,
        card=dict(base.card),
        memory=base.memory,
    )


def compute_anchor(model: LineModel, docs: Sequence[LabeledDoc], batch: int = 2000) -> np.ndarray:
    """The diagonal Fisher information of stage 1's boilerplate logit over `docs`
    (the model's own training documents), one float per n-gram column.

    With it, `extend` approximates training on old and new documents
    together (a Laplace approximation of the old data's loss, EWC): a column
    the old lines pinned down hardly moves, a column they never used moves
    freely. Line weights as in `fit`, scaled to a mean of 1 per line.
    """
    n_tokens = len(model.vocabulary) + BIGRAM_BUCKETS
    total = np.zeros(n_tokens)
    for start in range(0, len(docs), batch):
        chunk = docs[start : start + batch]
        known = label_array(chunk) >= 0
        if not known.any():
            continue
        feats = line_features([d.lines for d in chunk])
        X = model.stage1_inputs(feats)[known]
        w = line_weights(chunk)[known]
        total += _fisher(model, X, w / max(w.mean(), 1e-12))
    return total.astype(np.float32)


def _fisher(model: LineModel, X: sparse.csr_matrix, w: np.ndarray) -> np.ndarray:
    """sum_i w_i x_ij p_i (1 - p_i) over the n-gram columns (x is 0/1)."""
    est = model.text_model
    target = [str(c) for c in est.classes_].index("boilerplate")
    p = est.predict_proba(X)[:, target]
    n_tokens = len(model.vocabulary) + BIGRAM_BUCKETS
    return np.asarray(X[:, :n_tokens].T @ (w * p * (1.0 - p))).ravel()


def _movable_columns(X: sparse.csr_matrix, model: LineModel) -> tuple[np.ndarray, np.ndarray]:
    """N-gram columns the delta may move, and the share of new lines each occurs in.

    Not movable: the shape features, and the tokens every kind of line has
    (out-of-vocabulary, number, line boundary, the "…" that joins the head
    and tail of a long line): moving those would move every line of every
    outlet.
    """
    n_tokens = len(model.vocabulary) + BIGRAM_BUCKETS
    counts = np.bincount(X.indices, minlength=X.shape[1])[:n_tokens]
    frozen = [0, 1, 2]
    index = model.vocab_index
    if "…" in index:
        frozen.append(index["…"])
    counts[frozen] = 0
    active = np.flatnonzero(counts)
    return active, counts[active] / max(X.shape[0], 1)


def _fit_delta(
    X: sparse.csr_matrix,
    z0: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    penalty: np.ndarray,
    target: int,
) -> np.ndarray:
    """argmin_d  sum_i w_i * logloss(softmax(z0_i + e_target * X_i d), y_i) + 1/2 sum_j penalty_j d_j^2

    The delta moves the boilerplate logit only: whether a line is the title
    or body text stays the base's call (datasets disagree on titles; the
    outlet's boilerplate is what a few pages teach). L-BFGS, exact gradient.
    """
    n, d = X.shape
    is_target = (y == target).astype(float)
    XT = X.T.tocsr()

    def objective(delta: np.ndarray) -> tuple[float, np.ndarray]:
        z = z0.copy()
        z[:, target] += X @ delta
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -(w * logp[np.arange(n), y]).sum() + 0.5 * float(penalty @ (delta * delta))
        grad = XT @ (w * (np.exp(logp[:, target]) - is_target)) + penalty * delta
        return float(loss), np.asarray(grad).ravel()

    result = optimize.minimize(
        objective, np.zeros(d), jac=True, method="L-BFGS-B", options={"maxiter": 300}
    )
    return result.x


def _card(
    base: LineModel,
    docs: Sequence[LabeledDoc],
    outlets: Counter[str],
    new_tokens: list[str],
    alpha: float,
    memory: bool,
    model: LineModel,
) -> ModelCard:
    card = {
        k: v
        for k, v in base.card.items()
        if k not in ("sha256", "extended_from", "extensions", "heldout_scores")
    }
    digest = hashlib.sha256()
    for d in docs:
        digest.update("\x1f".join(d.lines).encode())
        digest.update("\x1e".join(str(x) for x in d.labels).encode())
    extension = {
        "outlets": {o: n for o, n in sorted(outlets.items())},
        "documents": len(docs),
        "labeled_lines": int(sum(lab is not None for d in docs for lab in d.labels)),
        "data_sha256": digest.hexdigest(),
        "method": "stage-1 boilerplate-logit delta on n-gram columns, penalised towards the base by its anchor (EWC); stage 2 unchanged; outlet memory",
        "alpha": alpha,
        "new_words": len(new_tokens),
        "memory_lines": len(model.memory) if (memory and model.memory is not None) else 0,
    }
    card["extended_from"] = {
        "name": base.name,
        "sha256": base.card.get("sha256"),
        "training_sets": base.card.get("training_sets"),
        "heldout_scores": base.card.get("heldout_scores"),
    }
    card["extensions"] = [*base.card.get("extensions", []), extension]
    card["name"] = f"{base.name}+" + ",".join(sorted(outlets))[:80]
    return ModelCard(card)
