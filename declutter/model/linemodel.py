"""The line classifier: two scikit-learn stages, stored safely with a readable card.

Stage 1 (`text_model`, logistic regression) sees one line at a time: its
n-grams and shape. Stage 2 (`context_model`, gradient-boosted trees) revises
that label with the neighbours' stage-1 scores, markers and document zones.
Both labels are kept, so an explanation can say when context changed a line.

How a model is stored and checked is in `files.py`; loading in `loading.py`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from ..document import BOILERPLATE, LABELS
from ..errors import ModelError
from ..features import (
    FEATURE_VERSION,
    LineFeatures,
    Vocabulary,
    context_features,
    line_features,
    token_matrix,
)
from .card import ModelCard
from .files import MODEL_FORMAT, joined_vocabulary, library_versions, sha256
from .onnx_export import write_onnx
from .stages import LinearStage, TreeStage, in_order

__all__ = ["CLASSES", "LineModel", "ordered_proba"]

#: The model's output columns: the labels, in `document.LABELS` order.
CLASSES = LABELS


@dataclass
class LineModel:
    """A trained classifier plus everything needed to run and describe it."""

    vocabulary: list[str]
    own_mean: np.ndarray
    own_scale: np.ndarray
    #: LogisticRegression over [token n-grams, scaled own features]; None
    #: when loaded for prediction only (`load_model(..., estimators=False)`).
    text_model: Any
    context_model: Any  # HistGradientBoostingClassifier over context_features; None likewise
    card: ModelCard = field(default_factory=ModelCard)
    #: Optional outlet memory (`outlet.OutletMemory`): lines an outlet
    #: repeats raise P(boilerplate) after stage 2. None for the shipped model.
    memory: Any = None
    #: Optional float32 vector over stage 1's n-gram columns: how strongly the
    #: training data pinned each coefficient (the diagonal Fisher information
    #: of its boilerplate logit, EWC). `declutter.teach.extend` uses it to keep an
    #: extended model close to this one where the old data said most.
    anchor: np.ndarray | None = None
    _vocab_index: Vocabulary | None = field(default=None, repr=False)
    #: (LinearStage, TreeStage): read from NAME.npz, or taken from the
    #: estimators on first use (again if one of them is replaced).
    _stages: tuple[LinearStage, TreeStage] | None = field(default=None, repr=False)
    _stages_of: tuple[Any, ...] = field(default=(), repr=False)  # what they were taken from

    def __post_init__(self) -> None:
        if not isinstance(self.card, ModelCard):
            self.card = ModelCard(self.card)

    @property
    def threshold(self) -> float:
        """Drop threshold for extractor residue (mostly article text)."""
        return self.card.threshold

    @property
    def page_threshold(self) -> float:
        """Drop threshold for page-like documents (mostly boilerplate)."""
        return self.card.page_threshold

    @property
    def name(self) -> str:
        return self.card.name

    @property
    def vocab_index(self) -> Vocabulary:
        if self._vocab_index is None:
            self._vocab_index = Vocabulary(self.vocabulary)
        return self._vocab_index

    @property
    def stages(self) -> tuple[LinearStage, TreeStage]:
        """Both stages as arrays, what `predict` runs on."""
        if self.text_model is not None and self.context_model is not None:
            # The objects themselves (not ids, which can be reused): a refit
            # or a new coefficient matrix replaces one of them.
            of = self._estimators()
            if self._stages is None or len(of) != len(self._stages_of) or any(a is not b for a, b in zip(of, self._stages_of)):
                self._stages = (LinearStage.from_estimator(self.text_model), TreeStage.from_estimator(self.context_model))
                self._stages_of = of
        if self._stages is None:
            raise ModelError("this model has neither its estimators nor its arrays")
        return self._stages

    def use_stages(self, text_stage: LinearStage, tree_stage: TreeStage) -> None:
        """Predict with these arrays (read from NAME.npz)."""
        self._stages = (text_stage, tree_stage)

    def adopt_estimators(self, text_model: Any, context_model: Any) -> None:
        """Attach the estimators the current stages were read beside (NAME.skops): the stages stay
        in use (with their NAME.onnx) until an estimator is replaced."""
        self.text_model, self.context_model = text_model, context_model
        self._stages_of = self._estimators()

    def _estimators(self) -> tuple[Any, ...]:
        return (self.text_model, self.text_model.coef_, self.context_model, self.context_model._predictors)

    @property
    def has_estimators(self) -> bool:
        return self.text_model is not None and self.context_model is not None

    def stage1_inputs(self, feats: LineFeatures) -> sparse.csr_matrix:
        own = (feats.own - self.own_mean) / self.own_scale
        tokens = token_matrix(feats.texts, self.vocab_index, feats.lowered)
        return sparse.hstack([tokens, sparse.csr_matrix(own)], format="csr")

    def predict(
        self, docs: Sequence[Sequence[str]], *, numpy_max_rows: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stage-1 and stage-2 class probabilities (columns = CLASSES) for every line of every doc.

        `numpy_max_rows`: see `TreeStage.proba` (how many lines stage 2 walks in NumPy).
        """
        feats = line_features(docs)
        if feats.n_lines == 0:
            empty = np.zeros((0, len(CLASSES)))
            return empty, empty
        text_stage, tree_stage = self.stages
        tokens = token_matrix(feats.texts, self.vocab_index, feats.lowered)
        own = (feats.own - self.own_mean) / self.own_scale
        stage1 = text_stage.proba(tokens, own, CLASSES)
        stage2 = tree_stage.proba(context_features(feats, stage1), CLASSES, numpy_max_rows)
        if self.memory is not None and len(self.memory):
            # Evidence from other documents of the outlet is context too: it
            # revises stage 2, so a line it drops shows reason "context".
            stage2 = self.memory.adjust(feats.texts, stage2, BOILERPLATE, title=LABELS.index("title"))
        return stage1, stage2

    def save(self, path: str | Path) -> Path:
        """Write NAME.npz, NAME.skops, NAME.onnx (if `onnx` is installed) and the card NAME.json with their SHA-256."""
        import copy

        import skops.io

        if not self.has_estimators:
            raise ModelError(f"{self.name} was loaded for prediction only; load it with its estimators to save it")
        path = Path(path).with_suffix(".skops")
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays_path = path.with_suffix(".npz")
        np.savez_compressed(arrays_path, **self.to_arrays())
        # The coefficient matrix (most of the model) is in the .npz; load_model puts it back.
        text_model = copy.copy(self.text_model)
        text_model.coef_ = None
        payload = {
            "format": MODEL_FORMAT,
            "feature_version": FEATURE_VERSION,
            "text_model": text_model,
            "context_model": self.context_model,
        }
        if self.anchor is not None:
            # float16 halves it on disk; past 65,000 a column is frozen anyway.
            payload["anchor"] = np.minimum(np.asarray(self.anchor), 65000.0).astype(np.float16)
        skops.io.dump(payload, path, compression=8, compresslevel=9)  # zipfile.ZIP_DEFLATED
        path.with_suffix(".onnx").unlink(missing_ok=True)  # a stale one would not match the new trees
        onnx_sha256 = None
        if importlib.util.find_spec("onnx") is not None:
            onnx_sha256 = write_onnx(self.stages[1], path.with_suffix(".onnx"))
        card = ModelCard(self.card)
        card.seal(
            format=MODEL_FORMAT,
            feature_version=FEATURE_VERSION,
            classes=list(CLASSES),
            sha256=sha256(path),
            arrays_sha256=sha256(arrays_path),
            onnx_sha256=onnx_sha256,
            library_versions=library_versions(),
        )
        self.card = card
        card.write(path)
        return path

    def to_arrays(self) -> dict[str, np.ndarray]:
        """What NAME.npz holds: every number prediction needs, no Python objects."""
        text_stage, tree_stage = self.stages
        arrays = {
            "vocabulary": np.frombuffer(joined_vocabulary(self.vocabulary).encode("utf-8"), dtype=np.uint8),
            "own_mean": np.asarray(self.own_mean, dtype=np.float32),
            "own_scale": np.asarray(self.own_scale, dtype=np.float32),
            "stage1_coef": text_stage.coef,
            "stage1_intercept": text_stage.intercept,
            "stage1_classes": np.array(text_stage.classes),
        }
        arrays.update({f"stage2_{name}": values for name, values in tree_stage.to_arrays().items()})
        if self.memory is not None and len(self.memory):
            arrays.update({f"memory_{name}": values for name, values in self.memory.to_arrays().items()})
        return arrays


def ordered_proba(estimator: Any, X: Any) -> np.ndarray:
    """predict_proba with columns in CLASSES order, zeros for a class the model never saw."""
    return in_order(estimator.predict_proba(X), tuple(str(c) for c in estimator.classes_), CLASSES)
