"""The line classifier: two scikit-learn stages, stored safely with a readable card.

Stage 1 (logistic regression) sees one line at a time: its n-grams and
shape. Stage 2 (gradient-boosted trees) revises that label with the
neighbours' stage-1 scores, markers and document zones.

* `linemodel.py`: `LineModel`, prediction, saving;
* `card.py`: `ModelCard`, the card (NAME.json) with typed fields;
* `files.py`: the files of a model, reading the card, hashes and trusted types;
* `loading.py`: `load_model` with every check, `cached_model`;
* `stages.py`: both stages as plain arrays, and prediction from them;
* `onnx_trees.py` / `onnx_export.py`: stage 2 on onnxruntime, and writing it;
* `outlet.py`: optional outlet memory (lines an outlet repeats).

The shipped model's files are in `declutter/models/`.
"""

from __future__ import annotations

from .card import ModelCard
from .files import MODEL_FORMAT, default_model_path, model_card, model_name, read_card
from .linemodel import CLASSES, LineModel, ordered_proba
from .loading import add_onnx, cached_model, load_model

__all__ = [
    "CLASSES",
    "MODEL_FORMAT",
    "LineModel",
    "ModelCard",
    "add_onnx",
    "cached_model",
    "default_model_path",
    "load_model",
    "model_card",
    "model_name",
    "ordered_proba",
    "read_card",
]
