"""The line classifier: two scikit-learn stages, stored safely with a readable card.

Stage 1 (`text_model`, logistic regression) sees one line at a time: its
n-grams and shape. Stage 2 (`context_model`, gradient-boosted trees) revises
that label with the neighbours' stage-1 scores, markers and document zones.
Both labels are kept, so an explanation can say when context changed a line.

On disk a model is three files (format 3):
* `NAME.npz`: everything prediction needs, as NumPy arrays (`stages.py`):
  read with `allow_pickle=False`, without importing scikit-learn or skops;
* `NAME.skops`: the scikit-learn estimators themselves, for training and
  extending (loaded with skops, so nothing in it is executed; stage 1's
  coefficient matrix is in the `.npz` only, not stored twice);
* `NAME.json`, the card: versions, training sets and licences, the data
  hash, held-out scores, the tuned thresholds and the files' SHA-256;
* optionally `NAME.onnx`: stage 2's trees for onnxruntime, made from the
  same arrays (`onnx_trees.py`); written when the `onnx` package is
  installed, read when onnxruntime is, ignored otherwise.
Formats 1 and 2 (`.skops` and `.json` only) are still read.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

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
from .onnx_trees import OnnxTrees, onnxruntime_installed
from .stages import LinearStage, TreeStage, in_order

__all__ = ["CLASSES", "MODEL_FORMAT", "LineModel", "add_onnx", "default_model_path", "load_model", "model_card", "model_name"]

CLASSES = ("article", "title", "boilerplate")
#: 3: prediction reads NAME.npz (arrays only; 0.5-0.6 s instead of 3.5-4.7 s to start
#: the filter, as skops imports all of scikit-learn to vet a file).
#: 2: the vocabulary is one "\n"-joined string (skops makes a node of every
#: list item: 29,000 of them took 0.47 s of a 0.66 s load). 1: a list.
MODEL_FORMAT = 3
_READABLE_FORMATS = (1, 2, 3)

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
    #: LogisticRegression over [token n-grams, scaled own features]; None
    #: when loaded for prediction only (`load_model(..., estimators=False)`).
    text_model: Any
    context_model: Any  # HistGradientBoostingClassifier over context_features; None likewise
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
    #: (LinearStage, TreeStage): read from NAME.npz, or taken from the
    #: estimators on first use (again if one of them is replaced).
    _stages: tuple[LinearStage, TreeStage] | None = field(default=None, repr=False)
    _stages_of: tuple[Any, ...] = field(default=(), repr=False)  # what they were taken from

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
            stage2 = self.memory.adjust(feats.texts, stage2, CLASSES.index("boilerplate"))
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
        card = dict(self.card)
        card.pop("onnx_sha256", None)
        path.with_suffix(".onnx").unlink(missing_ok=True)  # a stale one would not match the new trees
        if importlib.util.find_spec("onnx") is not None:
            card["onnx_sha256"] = _write_onnx(self.stages[1], path.with_suffix(".onnx"))
        card.update(
            format=MODEL_FORMAT,
            feature_version=FEATURE_VERSION,
            classes=list(CLASSES),
            sha256=_sha256(path),
            arrays_sha256=_sha256(arrays_path),
            library_versions=_library_versions(),
        )
        self.card = card
        _write_card(path, card)
        return path

    def to_arrays(self) -> dict[str, np.ndarray]:
        """What NAME.npz holds: every number prediction needs, no Python objects."""
        text_stage, tree_stage = self.stages
        arrays = {
            "vocabulary": np.frombuffer(_joined_vocabulary(self.vocabulary).encode("utf-8"), dtype=np.uint8),
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


def _write_card(path: Path, card: dict[str, Any]) -> None:
    """NAME.json next to NAME.skops: indented, UTF-8, readable without loading the model."""
    path.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_onnx(stage: TreeStage, path: Path) -> str:
    """Write stage 2 as NAME.onnx (needs the `onnx` package); returns the file's SHA-256."""
    from .onnx_trees import tree_ensemble

    path.write_bytes(tree_ensemble(stage))
    return _sha256(path)


def add_onnx(path: str | Path | None = None) -> Path:
    """Give a saved model its NAME.onnx, so onnxruntime can run its stage 2; returns the file.

    For models saved before NAME.onnx existed, or without the `onnx`
    package. Only NAME.onnx and the card's `onnx_sha256` are written: the
    other files, and their hashes, stay as they are.
    """
    model = load_model(path, estimators=False)
    name = model_name(path)
    card = read_card(name)
    card["onnx_sha256"] = _write_onnx(model.stages[1], name.with_suffix(".onnx"))
    _write_card(name, card)
    return name.with_suffix(".onnx")


def _joined_vocabulary(vocabulary: Sequence[str]) -> str:
    """The vocabulary as one string; a token never holds "\n" (tokens are split on whitespace)."""
    if any("\n" in token for token in vocabulary):
        raise ValueError("a vocabulary token contains a line break")
    return "\n".join(vocabulary)


def _ordered_proba(estimator: Any, X: Any) -> np.ndarray:
    """predict_proba with columns in CLASSES order, zeros for a class the model never saw."""
    return in_order(estimator.predict_proba(X), tuple(str(c) for c in estimator.classes_), CLASSES)


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
        raise ModelError(
            f"no model card {card_path}: a declutter model is NAME.json with NAME.npz and NAME.skops (NAME.skops in formats 1-2)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model card {card_path}: {exc}") from None


def model_name(path: str | Path | None) -> Path:
    """NAME.skops for a model given as NAME.skops or NAME.npz (None: the default), once one of them exists."""
    given = Path(path) if path is not None else default_model_path()
    if given.suffix not in (".skops", ".npz"):
        raise ModelError(
            f"{given} is not a declutter model: declutter never unpickles model files; "
            "train one with `declutter train` or pass NAME.skops (or NAME.npz) with its NAME.json card"
        )
    if not given.exists() and not given.with_suffix(".npz").exists():
        raise ModelError(f"model file {given} does not exist")
    return given.with_suffix(".skops")  # the name the card and the other files go by


def model_card(path: str | Path | None) -> dict[str, Any]:
    """The card of a model this declutter can read, once the files cleaning with it needs are there (nothing is loaded)."""
    path = model_name(path)
    card = read_card(path)
    if card.get("format") not in _READABLE_FORMATS or card.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"{path} was made for model format {card.get('format')} / feature version "
            f"{card.get('feature_version')}; this declutter reads formats "
            f"{', '.join(map(str, _READABLE_FORMATS))} / feature version {FEATURE_VERSION}: retrain it"
        )
    needed = path.with_suffix(".npz" if card["format"] >= 3 else ".skops")
    if not needed.exists():
        raise ModelError(f"{needed} is missing: a format-{card.get('format')} model cleans with it")
    return card


def load_model(path: str | Path | None = None, *, trust: bool = False, estimators: bool = True) -> LineModel:
    """Load a model after checking its card: format, feature version and file hashes.

    `path` is NAME.skops or NAME.npz. `estimators=False` reads only
    NAME.npz and the card, what prediction needs (no scikit-learn or skops
    import, and NAME.skops need not be there); training and extending need
    the estimators from NAME.skops too. A file whose hash does not match its
    card, or a `.skops` with any type outside the short list a declutter
    model uses, is refused unless `trust=True` (the CLI's `--trust-model`).
    """
    card = model_card(path)
    path = model_name(path)
    try:
        if card["format"] >= 3:
            model = _from_arrays(_read_arrays(path.with_suffix(".npz"), card, trust), card)
            model.stages[1].onnx = _read_onnx(path.with_suffix(".onnx"), card, trust)
            if estimators:
                if not path.exists():
                    raise ModelError(f"{path} is missing: training or extending from a model needs its estimators")
                payload = _read_skops(path, card, trust)
                payload["text_model"].coef_ = model.stages[0].coef
                model.text_model, model.context_model = payload["text_model"], payload["context_model"]
                model._stages_of = model._estimators()  # the arrays' stages are theirs (and have NAME.onnx)
                model.anchor = _anchor(payload)
        else:  # formats 1 and 2: everything in the .skops
            model = _from_skops(_read_skops(path, card, trust), card)
        problem = _shape_problem(model)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ModelError(f"{path} is not a declutter model this version can read ({type(exc).__name__}: {exc})") from None
    if problem:
        raise ModelError(f"{path} is malformed: {problem}; refusing it")
    return model


def _read_arrays(path: Path, card: dict[str, Any], trust: bool) -> dict[str, np.ndarray]:
    """NAME.npz as a dict of arrays; object arrays (pickles) are refused by NumPy itself."""
    if not trust and card.get("arrays_sha256") != _sha256(path):
        raise ModelError(f"{path} does not match the SHA-256 in its card: refusing it (use --trust-model to override)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except Exception as exc:  # not a zip, a truncated member, an object array, ...
        raise ModelError(f"cannot load model arrays {path}: {exc}") from None


def _read_onnx(path: Path, card: dict[str, Any], trust: bool) -> OnnxTrees | None:
    """Stage 2 for onnxruntime, when the card names NAME.onnx, the file is there and onnxruntime is installed.

    Nothing is imported here: the session is made on first use. A file
    that does not match its card is refused, as the other files are.
    """
    if "onnx_sha256" not in card or not path.exists() or not onnxruntime_installed():
        return None
    if not trust and card["onnx_sha256"] != _sha256(path):
        raise ModelError(
            f"{path} does not match the SHA-256 in its card: refusing it "
            "(delete it to run stage 2 with scikit-learn, or use --trust-model)"
        )
    return OnnxTrees(path.read_bytes())


def _read_skops(path: Path, card: dict[str, Any], trust: bool) -> dict[str, Any]:
    """The .skops payload, after its hash check; skops refuses any type outside the list."""
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    if not trust and card.get("sha256") != _sha256(path):
        raise ModelError(f"{path} does not match the SHA-256 in its card: refusing it (use --trust-model to override)")
    try:
        # One parse: skops refuses any type outside the list. Only then is the
        # file read again, to name the types in the message (or to trust them).
        try:
            return skops.io.load(path, trusted=_TRUSTED_TYPES)
        except UntrustedTypesFoundException:
            untrusted = [t for t in skops.io.get_untrusted_types(file=path) if t not in _TRUSTED_TYPES]
            if not trust:
                raise ModelError(
                    f"{path} contains types a declutter model never uses ({', '.join(untrusted[:5])}): "
                    "refusing to load it (use --trust-model only for a file you made)"
                ) from None
            return skops.io.load(path, trusted=_TRUSTED_TYPES + untrusted)
    except ModelError:
        raise
    except Exception as exc:  # a corrupt zip, an incompatible sklearn, ...
        raise ModelError(f"cannot load model {path}: {exc}") from None


def _from_arrays(arrays: dict[str, np.ndarray], card: dict[str, Any]) -> LineModel:
    """A LineModel for prediction from NAME.npz (no estimators)."""
    memory = None
    if "memory_hashes" in arrays:
        from .outlet import OutletMemory

        memory = OutletMemory.from_arrays({k[len("memory_") :]: v for k, v in arrays.items() if k.startswith("memory_")})
    if arrays["vocabulary"].dtype != np.uint8 or arrays["vocabulary"].ndim != 1:
        raise ValueError("the vocabulary is not UTF-8 bytes")
    text = bytes(arrays["vocabulary"]).decode("utf-8")
    model = LineModel(
        vocabulary=text.split("\n") if text else [],
        own_mean=np.asarray(arrays["own_mean"]),
        own_scale=np.asarray(arrays["own_scale"]),
        text_model=None,
        context_model=None,
        card=card,
        memory=memory,
    )
    text_stage = LinearStage(
        np.asarray(arrays["stage1_coef"]),
        np.asarray(arrays["stage1_intercept"]),
        tuple(str(c) for c in arrays["stage1_classes"]),
    )
    tree_stage = TreeStage.from_arrays({k[len("stage2_") :]: v for k, v in arrays.items() if k.startswith("stage2_")})
    model._stages = (text_stage, tree_stage)
    return model


def _from_skops(payload: dict[str, Any], card: dict[str, Any]) -> LineModel:
    """A LineModel from a format 1 or 2 .skops payload, which holds everything."""
    memory = None
    if payload.get("memory") is not None:
        from .outlet import OutletMemory

        memory = OutletMemory.from_arrays(payload["memory"])
    vocabulary = payload["vocabulary"]
    return LineModel(
        vocabulary=vocabulary.split("\n") if card["format"] >= 2 else list(vocabulary),
        own_mean=np.asarray(payload["own_mean"]),
        own_scale=np.asarray(payload["own_scale"]),
        text_model=payload["text_model"],
        context_model=payload["context_model"],
        card=card,
        memory=memory,
        anchor=_anchor(payload),
    )


def _anchor(payload: dict[str, Any]) -> np.ndarray | None:
    return None if payload.get("anchor") is None else np.asarray(payload["anchor"], dtype=np.float32)


def _shape_problem(model: LineModel) -> str | None:
    """What, if anything, would make this model index out of bounds, or fail, when it runs.

    skops checks the types in a file and NumPy refuses object arrays, but
    neither checks their contents: here every array's type and shape, and in
    `TreeStage.problem` every tree index, once, at load time.
    """
    text_stage, tree_stage = model.stages
    floats = (model.own_mean, model.own_scale, text_stage.coef, text_stage.intercept)
    if any(np.asarray(a).dtype.kind != "f" for a in floats):
        return "a coefficient or scale is not a floating-point number"
    n_own = len(model.own_mean)
    if np.ndim(model.own_mean) != 1 or np.shape(model.own_scale) != (n_own,):
        return "own_mean and own_scale differ in shape"
    n_stage1 = len(model.vocabulary) + BIGRAM_BUCKETS + n_own
    if text_stage.coef.ndim != 2:
        return "stage 1's coefficients are not a matrix"
    if text_stage.coef.shape[-1] != n_stage1:
        return f"stage 1 has {text_stage.coef.shape[-1]} coefficients a class, its features need {n_stage1}"
    rows = 1 if len(text_stage.classes) == 2 else len(text_stage.classes)
    if text_stage.intercept.shape != (len(text_stage.coef),) or len(text_stage.coef) != rows:
        return "stage 1's coefficients, intercepts and classes do not match"
    if tree_stage.n_features != len(CONTEXT_NAMES):
        return f"stage 2 reads {tree_stage.n_features} features, this declutter writes {len(CONTEXT_NAMES)}"
    trees_a_round = 1 if len(tree_stage.classes) == 2 else len(tree_stage.classes)
    if tree_stage.per_round != trees_a_round or not set(tree_stage.classes) <= set(CLASSES):
        return "stage 2's classes do not match its trees"
    if not set(text_stage.classes) <= set(CLASSES):
        return "stage 1 has a class declutter does not know"
    if len(set(text_stage.classes)) != len(text_stage.classes) or len(set(tree_stage.classes)) != len(tree_stage.classes):
        return "a stage names a class twice"
    return tree_stage.problem()


@lru_cache(maxsize=4)
def cached_model(path: str | None) -> LineModel:
    """One loaded model per path and process (workers load it once), for prediction."""
    return load_model(path, estimators=False)
