"""A model on disk: its files, its card, and the checks made before anything is loaded.

On disk a model is (format 3):

* `NAME.npz`: everything prediction needs, as NumPy arrays (`stages.py`):
  read with `allow_pickle=False`, without importing scikit-learn or skops;
* `NAME.skops`: the scikit-learn estimators themselves, for training and
  extending (loaded with skops, so nothing in it is executed; stage 1's
  coefficient matrix is in the `.npz` only, not stored twice);
* `NAME.json`, the card: versions, training sets and licences, the data
  hash, held-out scores, the tuned thresholds and the files' SHA-256;
* optionally `NAME.onnx`: stage 2's trees for onnxruntime, made from the
  same arrays (`onnx_export.py`); read when onnxruntime is installed.

Formats 1 and 2 (`.skops` and `.json` only) are still read. A file whose
SHA-256 does not match its card, or a `.skops` holding any type outside
`TRUSTED_TYPES`, is refused unless the caller trusts it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..features import FEATURE_VERSION
from .card import ModelCard
from .onnx_trees import OnnxTrees, onnxruntime_installed

__all__ = [
    "MODEL_FORMAT",
    "READABLE_FORMATS",
    "TRUSTED_TYPES",
    "default_model_path",
    "joined_vocabulary",
    "library_versions",
    "model_card",
    "model_name",
    "read_arrays",
    "read_card",
    "read_onnx",
    "read_skops",
    "check_files",
    "sha256",
    "write_card",
]

#: 3: prediction reads NAME.npz (arrays only: no scikit-learn import to vet a file);
#: 2: the vocabulary is one "\n"-joined string (skops made a node of every list item); 1: a list.
MODEL_FORMAT = 3
READABLE_FORMATS = (1, 2, 3)

#: The only types a declutter model file may contain; skops refuses the rest.
TRUSTED_TYPES = [
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


def write_card(path: Path, card: Mapping[str, Any]) -> None:
    """NAME.json next to NAME.skops (`ModelCard.write`)."""
    ModelCard(card).write(path)


def joined_vocabulary(vocabulary: Sequence[str]) -> str:
    """The vocabulary as one string; a token never holds "\n" (tokens are split on whitespace)."""
    if any("\n" in token for token in vocabulary):
        raise ValueError("a vocabulary token contains a line break")
    return "\n".join(vocabulary)


def sha256(path: Path) -> str:
    """The SHA-256 of a file, as the card records it."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


#: The card's hash field of each file a model may have; the card names a file by having its field.
CARD_HASHES = {".npz": "arrays_sha256", ".skops": "sha256", ".onnx": "onnx_sha256"}


def check_files(path: Path, card: dict[str, Any]) -> None:
    """Refuse the model unless every file its card names that is there matches its SHA-256.

    Checked on every load, prediction too, and not only the files that
    load then reads: a truncated or swapped NAME.skops beside an intact card
    and NAME.npz means the model on disk is not the one its card describes,
    and the next `train --base` or `add_onnx` would build on it. A file
    may be absent when a load does not need it (a cluster cleans with
    NAME.npz and NAME.json alone); whoever needs a file says so when it is
    missing (`model_card`, `load_model`). Hashing the shipped model's three
    files costs a few milliseconds of start-up.
    """
    for suffix, field in CARD_HASHES.items():
        file = path.with_suffix(suffix)
        if field not in card or not file.exists():
            continue
        try:
            digest = sha256(file)
        except OSError as exc:
            raise ModelError(f"cannot read model file {file}: {exc}") from None
        if digest != card[field]:
            remedy = "delete it to run stage 2 with scikit-learn, or " if suffix == ".onnx" else ""
            raise ModelError(
                f"{file} does not match the SHA-256 in its card {path.with_suffix('.json').name}: refusing the model "
                f"(the file is truncated or replaced; {remedy}copy the model's files again together, "
                "or use --trust-model for a file you made)"
            )


def library_versions() -> dict[str, str]:
    """The versions a saved model was made with, for its card."""
    import sklearn
    import skops

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "skops": skops.__version__}


def default_model_path() -> Path:
    """The model shipped inside the package."""
    return Path(str(resources.files("declutter") / "models" / "default.skops"))


def read_card(path: str | Path) -> ModelCard:
    """The JSON card next to a model file, readable without loading the model."""
    card_path = Path(path).with_suffix(".json")
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"no model card {card_path}: a declutter model is NAME.json with NAME.npz and NAME.skops (NAME.skops in formats 1-2)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model card {card_path}: {exc}") from None
    if not isinstance(data, dict):
        raise ModelError(f"cannot read model card {card_path}: it is not a JSON object")
    return ModelCard(data)


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


def model_card(path: str | Path | None) -> ModelCard:
    """The card of a model this declutter can read, once the files cleaning with it needs are there (nothing is loaded)."""
    path = model_name(path)
    card = read_card(path)
    if card.get("format") not in READABLE_FORMATS or card.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"{path} was made for model format {card.get('format')} / feature version "
            f"{card.get('feature_version')}; this declutter reads formats "
            f"{', '.join(map(str, READABLE_FORMATS))} / feature version {FEATURE_VERSION}: retrain it"
        )
    needed = path.with_suffix(".npz" if card["format"] >= 3 else ".skops")
    if not needed.exists():
        raise ModelError(f"{needed} is missing: a format-{card.get('format')} model cleans with it")
    return card


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """NAME.npz as a dict of arrays (hash checked by `check_files`); object arrays (pickles) are refused by NumPy itself."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except Exception as exc:  # not a zip, a truncated member, an object array, ...
        raise ModelError(f"cannot load model arrays {path}: {exc}") from None


def read_onnx(path: Path, card: dict[str, Any]) -> OnnxTrees | None:
    """Stage 2 for onnxruntime, when the card names NAME.onnx, the file is there and onnxruntime is installed.

    Nothing is imported here: the session is made on first use. Its hash
    is checked with the other files' (`check_files`), onnxruntime or not.
    """
    if "onnx_sha256" not in card or not path.exists() or not onnxruntime_installed():
        return None
    return OnnxTrees(path.read_bytes())


def read_skops(path: Path, trust: bool) -> dict[str, Any]:
    """The .skops payload (hash checked by `check_files`); skops refuses any type outside the list unless `trust`."""
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        # One parse: skops refuses any type outside the list. Only then is the
        # file read again, to name the types in the message (or to trust them).
        try:
            return skops.io.load(path, trusted=TRUSTED_TYPES)
        except UntrustedTypesFoundException:
            untrusted = [t for t in skops.io.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
            if not trust:
                raise ModelError(
                    f"{path} contains types a declutter model never uses ({', '.join(untrusted[:5])}): "
                    "refusing to load it (use --trust-model only for a file you made)"
                ) from None
            return skops.io.load(path, trusted=TRUSTED_TYPES + untrusted)
    except ModelError:
        raise
    except Exception as exc:  # a corrupt zip, an incompatible sklearn, ...
        raise ModelError(f"cannot load model {path}: {exc}") from None
