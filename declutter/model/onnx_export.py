"""Stage 2's trees written as an ONNX model (NAME.onnx), for `onnx_trees.OnnxTrees`.

Needs the optional `onnx` package (`pip install "declutter[fast]"`); a model
saved without it has no NAME.onnx and runs stage 2 without onnxruntime.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .files import sha256
from .stages import TreeStage

__all__ = ["ML_OPSET", "tree_ensemble", "write_onnx"]

#: ai.onnx.ml opset 5 is the first whose TreeEnsemble takes double splits
#: and leaves (TreeEnsembleRegressor rounds them to float32, 2e-5 off).
ML_OPSET = 5
_BRANCH_LEQ = 0  # nodes_modes: go to the "true" child when x <= split, as scikit-learn goes left
_SUM, _NO_TRANSFORM = 1, 0


def tree_ensemble(stage: TreeStage) -> bytes:
    """The trees of `stage` as a serialized ONNX model: X (rows, features) -> raw sums (rows, per round).

    The baseline is left out (`TreeStage.proba` adds it), so the sums are
    the trees' leaves only. For rows without NaN only: a NaN goes to each
    split's "false" side, where scikit-learn follows `missing_go_to_left`.
    Needs the `onnx` package.

    Node arrays hold each tree's nodes in order with children indexed within
    the tree; TreeEnsemble wants split nodes and leaves in two global lists,
    each child named by its list and index there.
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes = stage.typed_nodes()
    sizes = stage.tree_sizes.astype(np.int64)
    leaf = nodes["is_leaf"].astype(bool)
    tree = np.repeat(np.arange(len(sizes)), sizes)
    first = np.cumsum(sizes) - sizes  # global index of each tree's root
    split_number = np.cumsum(~leaf) - 1  # position in the split list, for split nodes
    leaf_number = np.cumsum(leaf) - 1  # position in the leaf list, for leaves

    def children(side: str) -> tuple[np.ndarray, np.ndarray]:
        child = (first[tree] + nodes[side].astype(np.int64))[~leaf]
        is_leaf = leaf[child]
        return np.where(is_leaf, leaf_number[child], split_number[child]), is_leaf

    true_ids, true_leafs = children("left")
    false_ids, false_leafs = children("right")
    features = nodes["feature_idx"][~leaf].astype(np.int64)
    splits = nodes["num_threshold"][~leaf].astype(np.float64)
    # No node tracks missing values: stage 2's features are never NaN, and
    # `TreeStage.proba` sends a batch holding one to the other walks; tracking them is slower.
    missing_true = np.zeros(len(splits), dtype=np.int64)
    roots = split_number[first]
    # A tree that is one leaf (a class a small model never splits on) gets a
    # split whose two sides are that leaf: TreeEnsemble starts at a split.
    lone = np.flatnonzero(leaf[first])
    if len(lone):
        roots[lone] = len(splits) + np.arange(len(lone))
        lone_leaves = leaf_number[first[lone]]
        true_ids, false_ids = np.concatenate([true_ids, lone_leaves]), np.concatenate([false_ids, lone_leaves])
        true_leafs = np.concatenate([true_leafs, np.ones(len(lone), dtype=bool)])
        false_leafs = np.concatenate([false_leafs, np.ones(len(lone), dtype=bool)])
        features = np.concatenate([features, np.zeros(len(lone), dtype=np.int64)])
        splits = np.concatenate([splits, np.zeros(len(lone))])
        missing_true = np.concatenate([missing_true, np.zeros(len(lone), dtype=np.int64)])
    node = helper.make_node(
        "TreeEnsemble",
        ["X"],
        ["Y"],
        domain="ai.onnx.ml",
        aggregate_function=_SUM,
        post_transform=_NO_TRANSFORM,
        n_targets=stage.per_round,
        tree_roots=roots.tolist(),
        nodes_featureids=features.tolist(),
        nodes_splits=numpy_helper.from_array(splits),
        nodes_modes=numpy_helper.from_array(np.full(len(splits), _BRANCH_LEQ, dtype=np.uint8)),
        nodes_truenodeids=true_ids.tolist(),
        nodes_trueleafs=true_leafs.astype(np.int64).tolist(),
        nodes_falsenodeids=false_ids.tolist(),
        nodes_falseleafs=false_leafs.astype(np.int64).tolist(),
        nodes_missing_value_tracks_true=missing_true.tolist(),
        leaf_targetids=(tree[leaf] % stage.per_round).tolist(),
        leaf_weights=numpy_helper.from_array(nodes["value"][leaf].astype(np.float64)),
    )
    graph = helper.make_graph(
        [node],
        "declutter_stage2",
        [helper.make_tensor_value_info("X", TensorProto.DOUBLE, [None, stage.n_features])],
        [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [None, stage.per_round])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", ML_OPSET)]
    )
    model.ir_version = 10  # what onnxruntime >= 1.20 reads
    return bytes(model.SerializeToString())


def write_onnx(stage: TreeStage, path: Path) -> str:
    """Write stage 2 as NAME.onnx (needs the `onnx` package); returns the file's SHA-256."""
    path.write_bytes(tree_ensemble(stage))
    return sha256(path)
