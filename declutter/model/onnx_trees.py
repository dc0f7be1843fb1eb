"""Stage 2's trees run by onnxruntime: the same sums, twice as fast.

scikit-learn's predictor walks one tree at a time over every row, through a
60-byte node record; onnxruntime's TreeEnsemble walks every tree for one
row while the row is in cache, and it beats the NumPy walk at any row
count. With double-precision splits and leaves the sums are
scikit-learn's up to the order of the additions, so every decision is the
same.

onnxruntime is optional (`pip install "declutter[fast]"`): without it stage
2 runs on the NumPy walk or scikit-learn's predictor. NAME.onnx is written
by `onnx_export.py`, from the same node arrays as NAME.npz, and its SHA-256
is in the card like the other files'.
"""

from __future__ import annotations

import importlib.util
import threading
import warnings
from typing import Any

import numpy as np

__all__ = ["OnnxTrees", "onnxruntime_installed"]


def onnxruntime_installed() -> bool:
    """Whether onnxruntime can be imported, without importing it (an import costs start-up time)."""
    return importlib.util.find_spec("onnxruntime") is not None


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
