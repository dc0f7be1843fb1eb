"""Load a model after its checks: card, format, hashes, trusted types, array shapes.

`load_model` is the one way in; `cached_model` keeps one per path and
process for prediction (batch workers load it once).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..features import BIGRAM_BUCKETS, CONTEXT_NAMES
from .files import check_files, model_card, model_name, read_arrays, read_card, read_onnx, read_skops, write_card
from .linemodel import CLASSES, LineModel
from .onnx_export import write_onnx
from .outlet import OutletMemory
from .stages import LinearStage, TreeStage

__all__ = ["add_onnx", "cached_model", "load_model"]


def load_model(path: str | Path | None = None, *, trust: bool = False, estimators: bool = True) -> LineModel:
    """Load a model after checking its card: format, feature version and file hashes.

    `path` is NAME.skops or NAME.npz. `estimators=False` reads only
    NAME.npz and the card, what prediction needs (no scikit-learn or skops
    import, and NAME.skops need not be there); training and extending need
    the estimators from NAME.skops too. Any of the model's files whose hash
    does not match its card (`check_files`: all that are there, whether this
    load reads them or not), or a `.skops` with any type outside the short list a declutter
    model uses, is refused unless `trust=True` (the CLI's `--trust-model`).
    """
    card = model_card(path)
    path = model_name(path)
    if not trust:
        check_files(path, card)
    try:
        if card["format"] >= 3:
            model = from_arrays(read_arrays(path.with_suffix(".npz")), card)
            model.stages[1].onnx = read_onnx(path.with_suffix(".onnx"), card)
            if estimators:
                if not path.exists():
                    raise ModelError(f"{path} is missing: training or extending from a model needs its estimators")
                payload = read_skops(path, trust)
                payload["text_model"].coef_ = model.stages[0].coef
                model.adopt_estimators(payload["text_model"], payload["context_model"])
                model.anchor = anchor_of(payload)
        else:  # formats 1 and 2: everything in the .skops
            model = from_skops(read_skops(path, trust), card)
        problem = shape_problem(model)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ModelError(f"{path} is not a declutter model this version can read ({type(exc).__name__}: {exc})") from None
    if problem:
        raise ModelError(f"{path} is malformed: {problem}; refusing it")
    return model


def from_arrays(arrays: dict[str, np.ndarray], card: dict[str, Any]) -> LineModel:
    """A LineModel for prediction from NAME.npz (no estimators)."""
    memory = None
    if "memory_hashes" in arrays:
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
    model.use_stages(text_stage, tree_stage)
    return model


def from_skops(payload: dict[str, Any], card: dict[str, Any]) -> LineModel:
    """A LineModel from a format 1 or 2 .skops payload, which holds everything."""
    memory = None
    if payload.get("memory") is not None:
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
        anchor=anchor_of(payload),
    )


def anchor_of(payload: dict[str, Any]) -> np.ndarray | None:
    """The anchor stored in a .skops payload, as float32, or None."""
    return None if payload.get("anchor") is None else np.asarray(payload["anchor"], dtype=np.float32)


def shape_problem(model: LineModel) -> str | None:
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


def add_onnx(path: str | Path | None = None) -> Path:
    """Give a saved model its NAME.onnx, so onnxruntime can run its stage 2; returns the file.

    For models saved before NAME.onnx existed, or without the `onnx`
    package. Only NAME.onnx and the card's `onnx_sha256` are written: the
    other files, and their hashes, stay as they are.
    """
    model = load_model(path, estimators=False)
    name = model_name(path)
    card = read_card(name)
    card["onnx_sha256"] = write_onnx(model.stages[1], name.with_suffix(".onnx"))
    write_card(name, card)
    return name.with_suffix(".onnx")
