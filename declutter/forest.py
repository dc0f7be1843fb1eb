"""Stage 2's trees merged into one, for documents too short to pay for 180 predictor calls.

scikit-learn's HistGradientBoostingClassifier predicts tree by tree: 180
calls (60 rounds x 3 classes) of about 7-10 µs each however few rows there
are, which is most of the time of one short document through
`Cleaner.clean`. `MergedTrees` hangs every tree under a small binary search
on an extra "which tree" column and repeats each row once per tree, so one
call of scikit-learn's own predictor returns every tree's leaf for every
row. Leaves are summed in scikit-learn's order and turned into
probabilities by the model's own loss, so the result is identical to
`predict_proba` (a test holds it to that). The repeated rows cost memory
and time in proportion to rows x trees, so it only pays below a few dozen
rows (`LineModel.predict` decides).

It reads fitted attributes scikit-learn keeps private (`_predictors`,
`_baseline_prediction`, `_bin_mapper`, `_loss`), the same ones skops relies
on to store the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MergedTrees"]


class MergedTrees:
    """All trees of a fitted HistGradientBoostingClassifier as one TreePredictor.

    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> X = np.random.default_rng(0).normal(size=(300, 4))
    >>> y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    >>> model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    >>> bool(np.array_equal(MergedTrees(model).predict_proba(X[:20]), model.predict_proba(X[:20])))
    True
    """

    def __init__(self, estimator: Any) -> None:
        from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

        self.estimator = estimator
        trees = [tree for round_ in estimator._predictors for tree in round_]
        self.n_trees = len(trees)
        self.n_features = int(estimator.n_features_in_)
        nodes = _merged_nodes([tree.nodes for tree in trees], column=self.n_features)
        self._predictor = TreePredictor(nodes, trees[0].binned_left_cat_bitsets, trees[0].raw_left_cat_bitsets)
        known, f_idx_map = estimator._bin_mapper.make_known_categories_bitsets()
        self._known = known
        self._f_idx_map = np.append(f_idx_map, 0).astype(f_idx_map.dtype)  # the extra column is not categorical

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """As `estimator.predict_proba(X)`, in one predictor call."""
        est = self.estimator
        n, k = len(X), int(est.n_trees_per_iteration_)
        rows = np.empty((self.n_trees, n, self.n_features + 1))
        rows[:, :, : self.n_features] = X
        rows[:, :, self.n_features] = np.arange(self.n_trees)[:, None]
        leaves = self._predictor.predict(rows.reshape(-1, self.n_features + 1), self._known, self._f_idx_map, 1)
        leaves = leaves.reshape(len(est._predictors), k, n)
        # As _raw_predict: the baseline, then each round's leaves added in turn.
        raw = np.zeros((n, k), dtype=est._baseline_prediction.dtype, order="F")
        raw += est._baseline_prediction
        for round_leaves in leaves:
            raw += round_leaves.T
        return est._loss.predict_proba(raw)


def _merged_nodes(trees: list[np.ndarray], column: int) -> np.ndarray:
    """One node array: a balanced binary search on `column` (the tree number), then every tree.

    Each dispatch node sends tree numbers below its threshold left; its last
    children are the trees' roots. Child indices of the trees are shifted by
    where each tree now starts (a leaf's children are unused and left as they are).
    """
    searches: list[tuple[float, int, int]] = []  # (threshold, left, right); a child < 0 is tree -(child + 1)

    def build(lo: int, hi: int) -> int:
        if hi - lo == 1:
            return -(lo + 1)
        at = len(searches)
        searches.append((0.0, 0, 0))
        mid = (lo + hi) // 2
        searches[at] = (mid - 0.5, build(lo, mid), build(mid, hi))
        return at

    build(0, len(trees))
    starts = len(searches) + np.concatenate([[0], np.cumsum([len(nodes) for nodes in trees])[:-1]]).astype(np.int64)

    def child(ref: int) -> int:
        return ref if ref >= 0 else int(starts[-ref - 1])

    head = np.zeros(len(searches), dtype=trees[0].dtype)
    head["feature_idx"] = column
    head["num_threshold"] = [threshold for threshold, _, _ in searches]
    head["left"] = [child(left) for _, left, _ in searches]
    head["right"] = [child(right) for _, _, right in searches]
    bodies = []
    for nodes, start in zip(trees, starts):
        body = nodes.copy()
        inner = body["is_leaf"] == 0
        body["left"][inner] += np.uint32(start)
        body["right"][inner] += np.uint32(start)
        bodies.append(body)
    return np.concatenate([head, *bodies])
