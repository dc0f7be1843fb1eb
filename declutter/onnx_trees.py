"""Stage 2's trees as an ONNX model, run by onnxruntime: the same sums, twice as fast.

scikit-learn's predictor walks one tree at a time over every row, through a
60-byte node record; onnxruntime's TreeEnsemble walks every tree for one
row while the row is in cache. On the default model that is 5.4 against
11.3 µs a line (60,000 residue lines, one thread), and it beats the NumPy
walk at any row count. With double-precision splits and leaves the sums
are scikit-learn's up to the order of the additions (measured within
5e-14), so every decision is the same.

Both libraries are optional (`pip install "declutter[fast]"`): `onnx`
writes NAME.onnx when a model is saved (`tree_ensemble`), onnxruntime
reads it (`OnnxTrees`). Without them stage 2 runs as before. The ONNX file
is made from the same node arrays as NAME.npz and its SHA-256 is in the
card, like the other files'.
"""

from __future__ import annotations

import importlib.util
import threading
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .stages import TreeStage

__all__ = ["OnnxTrees", "onnxruntime_installed", "tree_ensemble"]

#: ai.onnx.ml opset 5 is the first whose TreeEnsemble takes double splits
#: and leaves (TreeEnsembleRegressor rounds them to float32, 2e-5 off).
ML_OPSET = 5
_BRANCH_LEQ = 0  # nodes_modes: go to the "true" child when x <= split, as scikit-learn goes left
_SUM, _NO_TRANSFORM = 1, 0


def onnxruntime_installed() -> bool:
    """Whether onnxruntime can be imported, without importing it (~0.15 s)."""
    return importlib.util.find_spec("onnxruntime") is not None


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

    nodes = stage._typed_nodes()
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
    # `TreeStage.proba` sends a batch holding one to the other walks. A
    # session whose nodes track them took ~10% longer for the same sums
    # (0.475 against 0.427 ms a residue document, medians of six alternated
    # passes over 102,509 lines; scratch timing, 2026-12-01).
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


class OnnxTrees:
    """An onnxruntime session over `tree_ensemble` bytes, made on first use, one thread.

    One thread for the reason scikit-learn's predictor gets one: batch
    workers already fill the cores. Sessions are not picklable, so a copy
    sent to another process makes its own.
    """

    def __init__(self, model: bytes) -> None:
        self.model = model
        self._session: Any = None
        self.failed = False  # the session could not be made (`ready`)
        self._lock = threading.Lock()

    def ready(self) -> bool:
        """Whether the session is (or can now be) made.

        An onnxruntime too old for TreeEnsemble, or any other failure to
        make the session, is warned about once; stage 2 then runs as if
        onnxruntime were not installed, with the same results.
        """
        if self._session is None and not self.failed:
            with self._lock:
                if self._session is None and not self.failed:
                    try:
                        self._session = _session(self.model)
                    except Exception as exc:  # ImportError, onnxruntime's own errors
                        self.failed = True
                        warnings.warn(
                            f"onnxruntime cannot run stage 2 ({type(exc).__name__}: {exc}); "
                            "using scikit-learn's predictor instead (same results, slower)",
                            RuntimeWarning,
                            stacklevel=2,
                        )
        return self._session is not None

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The trees' summed leaves for float64 rows `X`, (rows, per round); call `ready()` first."""
        return self._session.run(None, {"X": X})[0]

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["model"])  # type: ignore[misc]


def _session(model: bytes) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no start-up chatter on stderr
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
