"""The line classifier: two scikit-learn stages, stored safely with a readable card.

Stage 1 (`text_model`, logistic regression) sees one line at a time: its
n-grams and shape. Stage 2 (`context_model`, gradient-boosted trees) revises
that label with the neighbours' stage-1 scores, markers and document zones.
Both labels are kept, so an explanation can say when context changed a line.

On disk a model is two files: `NAME.skops` (plain sklearn objects and NumPy
arrays, loaded with skops so nothing in it is executed) and `NAME.json`, the
card: versions, training sets and licences, the data hash, held-out scores,
the tuned threshold and the SHA-256 of the `.skops` file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy import sparse

from .errors import ModelError
from .features import (
    BIGRAM_BUCKETS,
    CONTEXT_NAMES,
    FEATURE_VERSION,
    LineFeatures,
    Vocabulary,
    context_features,
    line_features,
    token_matrix,
)

__all__ = ["LineModel", "load_model", "default_model_path", "CLASSES", "MODEL_FORMAT"]

CLASSES = ("article", "title", "boilerplate")
#: 2: the vocabulary is one "\n"-joined string (skops makes a node of every
#: list item: 29,000 of them took 0.47 s of a 0.66 s load). 1: a list; still read.
MODEL_FORMAT = 2
_READABLE_FORMATS = (1, 2)
#: Stage 2 predicts this many lines per call (see `LineModel.predict`).
_BLOCK_ROWS = 8192
#: Up to this many lines, stage 2 runs as one merged tree (`forest.py`):
#: measured 2.6 -> 1.0 ms at 30 lines, even at ~90, slower beyond.
_MERGED_MAX_ROWS = 64

# The only types a declutter model file may contain; skops refuses the rest.
_TRUSTED_TYPES = [
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.link.Interval",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn.utils._bunch.Bunch",
    "numpy.dtype",
    "builtins.slice",
    "collections.OrderedDict",
]


@dataclass
class LineModel:
    """A trained classifier plus everything needed to run and describe it."""

    vocabulary: list[str]
    own_mean: np.ndarray
    own_scale: np.ndarray
    text_model: Any  # LogisticRegression over [token n-grams, scaled own features]
    context_model: Any  # HistGradientBoostingClassifier over context_features
    card: dict[str, Any] = field(default_factory=dict)
    #: Optional outlet memory (`declutter.outlet.OutletMemory`): lines an outlet
    #: repeats raise P(boilerplate) after stage 2. None for the shipped model.
    memory: Any = None
    #: Optional float32 vector over stage 1's n-gram columns: how strongly the
    #: training data pinned each coefficient (the diagonal Fisher information
    #: of its boilerplate logit, EWC). `declutter.extend` uses it to keep an
    #: extended model close to this one where the old data said most.
    anchor: np.ndarray | None = None
    _vocab_index: Vocabulary | None = field(default=None, repr=False)
    _merged_trees: Any = field(default=None, repr=False)  # forest.MergedTrees of context_model, made on first use

    @property
    def threshold(self) -> float:
        """Drop threshold for extractor residue (mostly article text)."""
        return float(self.card.get("threshold", 0.5))

    @property
    def page_threshold(self) -> float:
        """Drop threshold for page-like documents (mostly boilerplate)."""
        return float(self.card.get("page_threshold", self.threshold))

    @property
    def name(self) -> str:
        return str(self.card.get("name", "unnamed"))

    @property
    def vocab_index(self) -> Vocabulary:
        if self._vocab_index is None:
            self._vocab_index = Vocabulary(self.vocabulary)
        return self._vocab_index

    def stage1_inputs(self, feats: LineFeatures) -> sparse.csr_matrix:
        own = (feats.own - self.own_mean) / self.own_scale
        tokens = token_matrix(feats.texts, self.vocab_index, feats.lowered)
        return sparse.hstack([tokens, sparse.csr_matrix(own)], format="csr")

    def predict(self, docs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Stage-1 and stage-2 class probabilities (columns = CLASSES) for every line of every doc."""
        feats = line_features(docs)
        if feats.n_lines == 0:
            empty = np.zeros((0, len(CLASSES)))
            return empty, empty
        tokens = token_matrix(feats.texts, self.vocab_index, feats.lowered)
        own = (feats.own - self.own_mean) / self.own_scale
        stage1 = _in_class_order(self.text_model, _linear_proba(self.text_model, tokens, own))
        X2 = context_features(feats, stage1)
        # One thread: the trees predict in hundreds of tiny OpenMP steps, and
        # on a busy machine (or inside joblib workers) extra threads only
        # wait on each other -- measured 13.5 s vs 0.05 s for 20 documents.
        with _openmp_controller().limit(limits=1, user_api="openmp"):
            stage2 = self._stage2(X2)
        if self.memory is not None and len(self.memory):
            # Evidence from other documents of the outlet is context too: it
            # revises stage 2, so a line it drops shows reason "context".
            stage2 = self.memory.adjust(feats.texts, stage2, CLASSES.index("boilerplate"))
        return stage1, stage2

    def _stage2(self, X2: np.ndarray) -> np.ndarray:
        """Stage 2's probabilities: merged trees for a short input, else scikit-learn in row blocks."""
        if len(X2) <= _MERGED_MAX_ROWS:
            if self._merged_trees is None or self._merged_trees.estimator is not self.context_model:
                from .forest import MergedTrees

                self._merged_trees = MergedTrees(self.context_model)
            return _in_class_order(self.context_model, self._merged_trees.predict_proba(X2))
        # In row blocks: each tree walks the block while it is in cache (one
        # call over a million-line document ran 2x slower per line).
        return np.vstack(
            [_ordered_proba(self.context_model, X2[i : i + _BLOCK_ROWS]) for i in range(0, len(X2), _BLOCK_ROWS)]
        )

    def save(self, path: str | Path) -> Path:
        """Write NAME.skops and its card NAME.json (with the file's SHA-256)."""
        import skops.io

        path = Path(path).with_suffix(".skops")
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": MODEL_FORMAT,
            "feature_version": FEATURE_VERSION,
            "vocabulary": _joined_vocabulary(self.vocabulary),
            "own_mean": np.asarray(self.own_mean, dtype=np.float32),
            "own_scale": np.asarray(self.own_scale, dtype=np.float32),
            "text_model": self.text_model,
            "context_model": self.context_model,
        }
        if self.memory is not None and len(self.memory):
            payload["memory"] = self.memory.to_arrays()
        if self.anchor is not None:
            # float16 halves it on disk; past 65,000 a column is frozen anyway.
            payload["anchor"] = np.minimum(np.asarray(self.anchor), 65000.0).astype(np.float16)
        skops.io.dump(payload, path, compression=8, compresslevel=9)  # zipfile.ZIP_DEFLATED
        card = dict(self.card)
        card.update(
            format=MODEL_FORMAT,
            feature_version=FEATURE_VERSION,
            classes=list(CLASSES),
            sha256=_sha256(path),
            library_versions=_library_versions(),
        )
        self.card = card
        path.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        return path


def _joined_vocabulary(vocabulary: Sequence[str]) -> str:
    """The vocabulary as one string; a token never holds "\n" (tokens are split on whitespace)."""
    if any("\n" in token for token in vocabulary):
        raise ValueError("a vocabulary token contains a line break")
    return "\n".join(vocabulary)


def _ordered_proba(estimator: Any, X: Any) -> np.ndarray:
    """predict_proba with columns in CLASSES order, zeros for a class the model never saw."""
    return _in_class_order(estimator, estimator.predict_proba(X))


def _linear_proba(lr: Any, tokens: sparse.csr_matrix, own: np.ndarray) -> np.ndarray:
    """Stage 1's `predict_proba` over [tokens, own] without building that matrix.

    The same arithmetic as LogisticRegression.predict_proba (softmax of the
    decision function; expit for two classes), with the coefficients split
    at the token/own border: stacking the two blocks into one sparse matrix
    cost more than the product itself.
    """
    k = tokens.shape[1]
    coef = lr.coef_
    decision = np.asarray(tokens @ coef[:, :k].T) + own @ coef[:, k:].T + lr.intercept_
    if coef.shape[0] == 1:  # two classes: one logit, as sklearn's _predict_proba_lr
        p = 1.0 / (1.0 + np.exp(-decision[:, 0]))
        return np.column_stack([1.0 - p, p])
    decision -= decision.max(axis=1, keepdims=True)
    np.exp(decision, out=decision)
    decision /= decision.sum(axis=1, keepdims=True)
    return decision


@lru_cache(maxsize=1)
def _openmp_controller() -> Any:
    """One threadpoolctl controller per process, made after scikit-learn is imported.

    `threadpool_limits()` rescans the process's shared libraries on every call:
    1.8 ms, more than cleaning a whole document, for each `Cleaner.clean()`. A
    kept controller only sets and restores the thread count (35 us).
    """
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _in_class_order(estimator: Any, proba: np.ndarray) -> np.ndarray:
    """Columns of `proba` (in `estimator.classes_` order) moved to CLASSES order."""
    out = np.zeros((proba.shape[0], len(CLASSES)))
    for j, cls in enumerate(estimator.classes_):
        out[:, CLASSES.index(str(cls))] = proba[:, j]
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _library_versions() -> dict[str, str]:
    import sklearn
    import skops

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "skops": skops.__version__}


def default_model_path() -> Path:
    """The model shipped inside the package."""
    return Path(str(resources.files("declutter") / "models" / "default.skops"))


def read_card(path: str | Path) -> dict[str, Any]:
    """The JSON card next to a model file, readable without loading the model."""
    card_path = Path(path).with_suffix(".json")
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no model card {card_path}: a declutter model is NAME.skops plus NAME.json") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model card {card_path}: {exc}") from None


def load_model(path: str | Path | None = None, *, trust: bool = False) -> LineModel:
    """Load a model after checking its card: format, feature version and file hash.

    A file whose hash does not match its card, or which contains any type
    outside the short list a declutter model uses, is refused unless
    `trust=True` (the CLI's `--trust-model`).
    """
    import skops.io

    path = Path(path) if path is not None else default_model_path()
    if not path.exists():
        raise ModelError(f"model file {path} does not exist")
    if path.suffix != ".skops":
        raise ModelError(
            f"{path} is not a .skops model: declutter never unpickles model files; "
            "train one with `declutter train` or pass a NAME.skops with its NAME.json card"
        )
    card = read_card(path)
    if card.get("format") not in _READABLE_FORMATS or card.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"{path} was made for model format {card.get('format')} / feature version "
            f"{card.get('feature_version')}; this declutter reads formats "
            f"{' and '.join(map(str, _READABLE_FORMATS))} / feature version {FEATURE_VERSION}: retrain it"
        )
    if not trust and card.get("sha256") != _sha256(path):
        raise ModelError(f"{path} does not match the SHA-256 in its card: refusing it (use --trust-model to override)")
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        # One parse: skops refuses any type outside the list. Only then is the
        # file read again, to name the types in the message (or to trust them).
        try:
            payload = skops.io.load(path, trusted=_TRUSTED_TYPES)
        except UntrustedTypesFoundException:
            untrusted = [t for t in skops.io.get_untrusted_types(file=path) if t not in _TRUSTED_TYPES]
            if not trust:
                raise ModelError(
                    f"{path} contains types a declutter model never uses ({', '.join(untrusted[:5])}): "
                    "refusing to load it (use --trust-model only for a file you made)"
                ) from None
            payload = skops.io.load(path, trusted=_TRUSTED_TYPES + untrusted)
    except ModelError:
        raise
    except Exception as exc:  # a corrupt zip, an incompatible sklearn, ...
        raise ModelError(f"cannot load model {path}: {exc}") from None
    try:
        memory = None
        if payload.get("memory") is not None:
            from .outlet import OutletMemory

            memory = OutletMemory.from_arrays(payload["memory"])
        vocabulary = payload["vocabulary"]
        model = LineModel(
            vocabulary=vocabulary.split("\n") if card["format"] >= 2 else list(vocabulary),
            own_mean=np.asarray(payload["own_mean"]),
            own_scale=np.asarray(payload["own_scale"]),
            text_model=payload["text_model"],
            context_model=payload["context_model"],
            card=card,
            memory=memory,
            anchor=None if payload.get("anchor") is None else np.asarray(payload["anchor"], dtype=np.float32),
        )
        problem = _shape_problem(model)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path} is not a declutter model: missing {exc}") from None
    if problem:
        raise ModelError(f"{path} is malformed: {problem}; refusing it")
    return model


def _shape_problem(model: LineModel) -> str | None:
    """What, if anything, would make this model index out of bounds when it runs.

    skops checks the types in a file, not their contents. scikit-learn walks
    a tree's `nodes` by the child and feature indices stored in it, without
    bounds checks, so a crafted file could crash the process (skops's own
    note on TreePredictor). Every index is checked here, once, at load time;
    children must come after their parent, as scikit-learn writes them, so
    no walk can loop.
    """
    n_own = len(model.own_mean)
    if len(model.own_scale) != n_own:
        return "own_mean and own_scale differ in length"
    n_stage1 = len(model.vocabulary) + BIGRAM_BUCKETS + n_own
    if np.shape(model.text_model.coef_)[-1] != n_stage1:
        return f"stage 1 has {np.shape(model.text_model.coef_)[-1]} coefficients a class, its features need {n_stage1}"
    n_features = len(CONTEXT_NAMES)
    if model.context_model.n_features_in_ != n_features:
        return f"stage 2 reads {model.context_model.n_features_in_} features, this declutter writes {n_features}"
    for k, tree in enumerate(p for round_ in model.context_model._predictors for p in round_):
        nodes = tree.nodes
        if nodes.ndim != 1 or not len(nodes):
            return f"stage 2 tree {k} has no nodes"
        inner = np.flatnonzero(nodes["is_leaf"] == 0)
        children = np.concatenate([nodes["left"][inner], nodes["right"][inner]]).astype(np.int64)
        parents = np.concatenate([inner, inner])
        if (
            (children <= parents).any()
            or (children >= len(nodes)).any()
            or (nodes["feature_idx"][inner] < 0).any()
            or (nodes["feature_idx"][inner] >= n_features).any()
        ):
            return f"stage 2 tree {k} has a node index out of bounds"
        if (nodes["is_categorical"][inner] != 0).any():  # never trained; its bitset index goes unchecked
            return f"stage 2 tree {k} splits on a categorical feature"
    return None


@lru_cache(maxsize=4)
def cached_model(path: str | None) -> LineModel:
    """One loaded model per path and process (workers load it once)."""
    return load_model(path)
