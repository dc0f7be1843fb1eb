"""Both classifier stages as plain NumPy arrays, and prediction from them.

A fitted model is two scikit-learn estimators, but predicting needs only
their numbers: stage 1's coefficients and stage 2's tree nodes. Kept as
arrays they load from an `.npz` file with `allow_pickle=False` (nothing in
it can run), without importing scikit-learn or skops, the slowest part of
starting `declutter < story.txt`. The arithmetic is scikit-learn's own: stage
2's probabilities are identical to `predict_proba` (onnxruntime's within
1e-12: it adds the same leaves in another order), stage 1's equal up to the
order of a sum (within 1e-6 with float32 coefficients); tests hold them to
that.

Stage 2 runs on onnxruntime when the model has its NAME.onnx and
onnxruntime is installed (`onnx_trees.py`). Otherwise it walks its trees
in NumPy for few rows (all rows and trees in lock-step, one level a step)
and with scikit-learn's compiled tree predictor for more. A Cleaner's
first call walks in NumPy either way (importing a compiled predictor
costs more than it saves on one document).

Reading the trees out of the estimator uses fitted attributes scikit-learn
keeps private (`_predictors`, `_baseline_prediction`, the node record), the
same ones skops relies on to store the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .onnx_trees import OnnxTrees

__all__ = [
    "NUMPY_MAX_ROWS",
    "ONE_SHOT_NUMPY_MAX_ROWS",
    "LinearStage",
    "TreeStage",
    "in_order",
]

#: Up to this many rows stage 2 walks its trees in NumPy when onnxruntime does not run it; timed on the default model.
NUMPY_MAX_ROWS = 128
#: A Cleaner's first call walks in NumPy up to this many rows, sparing the scikit-learn and onnxruntime imports.
ONE_SHOT_NUMPY_MAX_ROWS = 50_000
#: Larger inputs go to scikit-learn in blocks of this many rows, each walked while it is in cache.
_BLOCK_ROWS = 8192
#: The NumPy walk goes 256 rows at a time (see `TreeStage._numpy_leaves`).
_WALK_ROWS = 256
#: The node fields prediction reads, with their types in scikit-learn's node
#: record; the rest of it (gain, count, depth, binned thresholds) is for
#: training only.
_NODE_DTYPES = {
    "feature_idx": np.int64,
    "num_threshold": np.float64,
    "missing_go_to_left": np.uint8,
    "left": np.uint32,
    "right": np.uint32,
    "is_leaf": np.uint8,
    "value": np.float64,
}
_NODE_FIELDS = tuple(_NODE_DTYPES)


def _classes(values: Any) -> tuple[str, ...]:
    return tuple(str(c) for c in values)


def _expit(x: np.ndarray) -> np.ndarray:
    """scipy's expit, as scikit-learn's binary models use (a formula written out differs in the last bit)."""
    from scipy.special import expit  # slow to import; only two-class models need it

    return expit(x)


def in_order(proba: np.ndarray, classes: tuple[str, ...], order: tuple[str, ...]) -> np.ndarray:
    """Columns of `proba` (in `classes` order) moved to `order`; zeros for a class never seen."""
    out = np.zeros((proba.shape[0], len(order)))
    for j, cls in enumerate(classes):
        out[:, order.index(cls)] = proba[:, j]
    return out


@dataclass(frozen=True, eq=False)
class LinearStage:
    """Stage 1: a logistic regression over [token n-grams | scaled shape features]."""

    coef: np.ndarray  # (1 or n_classes, n_columns)
    intercept: np.ndarray
    classes: tuple[str, ...]

    @classmethod
    def from_estimator(cls, lr: Any) -> LinearStage:
        return cls(np.asarray(lr.coef_), np.asarray(lr.intercept_), _classes(lr.classes_))

    def proba(
        self, tokens: sparse.csr_matrix, own: np.ndarray, order: tuple[str, ...]
    ) -> np.ndarray:
        """LogisticRegression.predict_proba over [tokens, own], columns in `order`.

        The same arithmetic (softmax of the decision function; expit for two
        classes), with the coefficients split at the token/own border:
        stacking the two blocks into one sparse matrix cost more than the
        product itself.
        """
        k = tokens.shape[1]
        coef = self.coef
        decision = np.asarray(tokens @ coef[:, :k].T) + own @ coef[:, k:].T + self.intercept
        if coef.shape[0] == 1:  # two classes: one logit, as sklearn's _predict_proba_lr
            p = _expit(decision[:, 0])
            return in_order(np.column_stack([1.0 - p, p]), self.classes, order)
        decision -= decision.max(axis=1, keepdims=True)
        np.exp(decision, out=decision)
        decision /= decision.sum(axis=1, keepdims=True)
        return in_order(decision, self.classes, order)


class TreeStage:
    """Stage 2: the trees of a HistGradientBoostingClassifier, round by round."""

    def __init__(
        self,
        nodes: dict[str, np.ndarray],
        tree_sizes: np.ndarray,
        baseline: np.ndarray,
        classes: tuple[str, ...],
        n_features: int,
    ) -> None:
        self.nodes = nodes  # _NODE_FIELDS, every tree's nodes one after another; children index within a tree
        self.tree_sizes = np.asarray(tree_sizes)  # its type is checked by problem()
        self.baseline = np.asarray(baseline, dtype=np.float64).reshape(1, -1)
        self.classes = classes
        self.n_features = int(n_features)
        self.per_round = self.baseline.shape[1]
        # Made on first use, each assigned whole: threads may share a stage.
        self._walk: tuple[np.ndarray, ...] | None = None
        self._predictors: list[Any] | None = None
        #: The same trees for onnxruntime (`onnx_trees.py`), when the model
        #: has its NAME.onnx and onnxruntime is installed; set by the loader.
        self.onnx: OnnxTrees | None = None

    @classmethod
    def from_estimator(cls, hgb: Any) -> TreeStage:
        trees = [tree.nodes for round_ in hgb._predictors for tree in round_]
        if any((t["is_categorical"][t["is_leaf"] == 0] != 0).any() for t in trees):
            raise ValueError(
                "stage 2 splits on a categorical feature, which declutter never trains"
            )
        nodes = {name: np.concatenate([t[name] for t in trees]) for name in _NODE_FIELDS}
        return cls(
            nodes,
            np.array([len(t) for t in trees]),
            hgb._baseline_prediction,
            _classes(hgb.classes_),
            hgb.n_features_in_,
        )

    def problem(self) -> str | None:
        """What, if anything, would make a walk index out of bounds or loop.

        A model file is data: a tree's child and feature indices are used
        without bounds checks (by scikit-learn's predictor and by the walk
        here), so a crafted file could crash the process. Every index is
        checked once, at load time; children must come after their parent,
        as scikit-learn writes them, so no walk can loop.
        """
        if self.per_round < 1 or self.n_features < 1:
            return "stage 2 has no classes or reads no features"
        nodes, sizes = self.nodes, self.tree_sizes
        n_nodes = len(nodes["value"])
        for name in _NODE_FIELDS:
            kind = "f" if name in ("num_threshold", "value") else "iu"
            if nodes[name].ndim != 1 or len(nodes[name]) != n_nodes or nodes[name].dtype.kind not in kind:
                return f"stage 2's node field {name} has the wrong shape or type"
        if sizes.ndim != 1 or sizes.dtype.kind not in "iu" or not len(sizes) or len(sizes) % self.per_round:
            return "stage 2 has no trees, or a round with a tree missing"
        if (sizes < 1).any() or (sizes > n_nodes).any():  # first: a sum of huge sizes could wrap around
            return "stage 2's tree sizes do not add up to its nodes"
        sizes = sizes.astype(np.int64)
        if int(sizes.sum()) != n_nodes:
            return "stage 2's tree sizes do not add up to its nodes"
        for flag in ("is_leaf", "missing_go_to_left"):
            if ((nodes[flag] != 0) & (nodes[flag] != 1)).any():
                return f"stage 2's {flag} holds a value other than 0 and 1"
        own = np.repeat(np.arange(len(sizes)), sizes)
        local = np.arange(n_nodes) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        inner = nodes["is_leaf"] == 0
        size = sizes[own[inner]]
        for side in ("left", "right"):
            child = nodes[side][inner].astype(np.int64)
            bad = (child <= local[inner]) | (child >= size)
            if bad.any():
                return f"stage 2 tree {int(own[inner][bad][0])} has a child index out of bounds"
        feature = nodes["feature_idx"][inner]
        if ((feature < 0) | (feature >= self.n_features)).any():
            return "stage 2 has a split on a feature it does not read"
        return None

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {f"node_{name}": values for name, values in self.nodes.items()}
        arrays.update(
            tree_sizes=self.tree_sizes,
            baseline=self.baseline.ravel(),
            classes=np.array(self.classes),
            n_features=np.array(self.n_features),
        )
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Any) -> TreeStage:
        return cls(
            {name: np.asarray(arrays[f"node_{name}"]) for name in _NODE_FIELDS},
            arrays["tree_sizes"],
            arrays["baseline"],
            _classes(arrays["classes"]),
            int(arrays["n_features"]),
        )

    def proba(self, X: np.ndarray, order: tuple[str, ...], numpy_max_rows: int | None = None) -> np.ndarray:
        """HistGradientBoostingClassifier.predict_proba(X), columns in `order`.

        Up to `numpy_max_rows` rows the trees are walked in NumPy, beyond
        that by onnxruntime when the stage has it and no value is NaN, else
        by scikit-learn's predictor: the same numbers every way. The default
        is NUMPY_MAX_ROWS without onnxruntime and none with it (it is faster
        at any size).
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"stage 2 reads {self.n_features} features a row, got an array of shape {X.shape}")
        if not len(X):
            return np.zeros((0, len(order)))
        # As scikit-learn's _raw_predict: the baseline, then each round's leaves added in turn.
        raw = np.zeros((len(X), self.per_round), order="F")
        raw += self.baseline
        onnx = self.onnx if self.onnx is not None and not self.onnx.failed else None
        if numpy_max_rows is None:
            numpy_max_rows = 0 if onnx is not None else NUMPY_MAX_ROWS
        if len(X) <= numpy_max_rows:
            for round_leaves in self._numpy_leaves(X).reshape(len(X), -1, self.per_round).transpose(1, 0, 2):
                raw += round_leaves
        elif onnx is not None and not np.isnan(X).any() and onnx.ready():  # imports onnxruntime on first use
            raw += onnx.raw(X)  # its trees do not track missing values (`tree_ensemble`)
        else:
            for i in range(0, len(X), _BLOCK_ROWS):
                self._add_sklearn_leaves(X[i : i + _BLOCK_ROWS], raw[i : i + _BLOCK_ROWS])
        if self.per_round == 1:  # two classes: HalfBinomialLoss, expit of the one logit
            p = _expit(raw[:, 0])
            proba = np.column_stack([1.0 - p, p])
        else:  # HalfMultinomialLoss: scipy's softmax, written out
            shifted = raw - raw.max(axis=1, keepdims=True)
            proba = np.exp(shifted)
            proba /= proba.sum(axis=1, keepdims=True)
        return in_order(proba, self.classes, order)

    def _numpy_leaves(self, X: np.ndarray) -> np.ndarray:
        """(rows, trees) leaf values: every (row, tree) walks one level a step, 256 rows at a time.

        256 rows of every tree keep the walk's arrays in cache.
        """
        return np.vstack([self._walk_block(X[i : i + _WALK_ROWS]) for i in range(0, len(X), _WALK_ROWS)])

    def _walk_block(self, X: np.ndarray) -> np.ndarray:
        """The walk of `_numpy_leaves` over one block of rows.

        A node is addressed as 2 x its index, so that its child is
        `children[at + went_right]`, and a leaf's children are itself: a
        finished walk needs no masking, and the walks still running are
        gathered out every 4 levels. A NaN feature takes the side the node's
        `missing_go_to_left` says, as in scikit-learn.
        """
        feature, threshold, children, leaf, missing_left, roots, values = self._walk_arrays()
        n, t = len(X), len(roots)
        flat = X.ravel()
        has_nan = bool(np.isnan(flat).any())
        at = np.tile(roots, n)  # where each running walk is
        row_start = np.repeat(np.arange(n, dtype=np.intp) * self.n_features, t)
        node = at  # where every walk is, written back every 4 levels
        running = None  # positions in `node` of the walks in `at`; None: all of them
        level = 0
        while len(at):
            x = flat[row_start + feature[at]]
            right = x > threshold[at]
            if has_nan:
                right = np.where(np.isnan(x), ~missing_left[at], right)
            at = children[at + right]
            level += 1
            if level % 4 == 0:
                if running is None:
                    node = at
                else:
                    node[running] = at
                still = np.flatnonzero(~leaf[at])
                running = still if running is None else running[still]
                at, row_start = at[still], row_start[still]
        return values[node // 2].reshape(n, t)

    def _walk_arrays(self) -> tuple[np.ndarray, ...]:
        """Node arrays over all trees, each entry twice (see `_walk_block`); leaves read feature 0."""
        if self._walk is None:
            nodes, sizes = self.typed_nodes(), self.tree_sizes.astype(np.int64)
            starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
            leaf = nodes["is_leaf"].astype(bool)
            here = np.arange(len(leaf))
            left = np.where(leaf, here, nodes["left"] + starts)
            right = np.where(leaf, here, nodes["right"] + starts)
            self._walk = (
                np.repeat(np.where(leaf, 0, nodes["feature_idx"]).astype(np.intp), 2),
                np.repeat(nodes["num_threshold"], 2),
                (2 * np.column_stack([left, right]).ravel()).astype(np.intp),
                np.repeat(leaf, 2),
                np.repeat(nodes["missing_go_to_left"].astype(bool), 2),
                (2 * (np.cumsum(sizes) - sizes)).astype(np.intp),
                nodes["value"],
            )
        return self._walk

    def typed_nodes(self) -> dict[str, np.ndarray]:
        """The node fields in scikit-learn's types (exact once `problem()` found nothing)."""
        return {name: self.nodes[name].astype(dtype, copy=False) for name, dtype in _NODE_DTYPES.items()}

    def _add_sklearn_leaves(self, X: np.ndarray, raw: np.ndarray) -> None:
        """Add every tree's leaf values to `raw`, with scikit-learn's compiled predictor, on one thread.

        Straight into the (rows, classes) sums, as scikit-learn does: a
        (rows, trees) matrix of leaves would be 12 MB a block, out of cache.
        One thread: the predictor opens an OpenMP region per tree, and on a
        busy machine (or inside joblib workers) extra threads only wait on
        each other.
        """
        no_categories = np.zeros((0, 8), dtype=np.uint32)
        f_idx_map = np.zeros(self.n_features, dtype=np.uint32)
        for j, predictor in enumerate(self._sklearn_predictors()):
            raw[:, j % self.per_round] += predictor.predict(X, no_categories, f_idx_map, 1)

    def _sklearn_predictors(self) -> list[Any]:
        if self._predictors is None:
            from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
            from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

            no_bitsets = np.zeros((0, 8), dtype=np.uint32)
            sizes = self.tree_sizes.astype(np.int64)
            nodes, ends = self.typed_nodes(), np.cumsum(sizes)
            predictors = []
            for start, end in zip(ends - sizes, ends):
                record = np.zeros(end - start, dtype=PREDICTOR_RECORD_DTYPE)
                for name in _NODE_FIELDS:
                    record[name] = nodes[name][start:end]
                predictors.append(TreePredictor(record, no_bitsets, no_bitsets))
            self._predictors = predictors
        return self._predictors
