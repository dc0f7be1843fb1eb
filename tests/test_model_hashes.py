"""Every file a model card names is checked against its SHA-256 on every load.

Prediction reads only NAME.npz (and NAME.onnx with onnxruntime), yet a
truncated or swapped NAME.skops beside them still means the model on disk is
not the one its card describes: it is refused for prediction as for
`train --base`, with one line saying which file and what to do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS

from declutter.errors import ModelError
from declutter.io.labeled import LabeledLine, LabeledText
from declutter.io.labeled_files import write_labeled
from declutter.model import default_model_path, load_model

SUFFIXES = (".npz", ".skops", ".onnx")


def _copy_model(path: Path, to: Path) -> Path:
    for suffix in (*SUFFIXES, ".json"):
        if path.with_suffix(suffix).exists():
            to.with_suffix(suffix).write_bytes(path.with_suffix(suffix).read_bytes())
    return to.with_suffix(".skops")


def _damage(file: Path, how: str) -> None:
    """Truncate `file`, or swap it for the shipped model's file of the same kind."""
    if how == "truncated":
        file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    else:
        file.write_bytes(default_model_path().with_suffix(file.suffix).read_bytes())


@pytest.fixture(params=[(s, how) for s in SUFFIXES for how in ("truncated", "swapped")], ids=lambda p: f"{p[1]}{p[0]}")
def damaged(request, tiny_model, tmp_path) -> tuple[Path, Path]:
    """(model, the damaged file): a copy of the tiny model with one named file truncated or swapped."""
    suffix, how = request.param
    model = _copy_model(tiny_model[1], tmp_path / "damaged")
    if not model.with_suffix(suffix).exists():
        pytest.skip(f"the tiny model has no {suffix} (onnx not installed)")
    _damage(model.with_suffix(suffix), how)
    return model, model.with_suffix(suffix)


def test_a_damaged_file_is_refused_for_prediction_by_name(damaged):
    model, file = damaged
    for estimators in (False, True):
        with pytest.raises(ModelError, match="does not match the SHA-256") as refused:
            load_model(model, estimators=estimators)
        assert str(file) in str(refused.value) and "copy the model's files again" in str(refused.value)


def test_the_cli_refuses_a_damaged_model_in_one_line(damaged, run_cli):
    model, file = damaged
    result = run_cli(["--model", str(model), str(SEEDS[0])])
    assert result.code == 1 and result.stdout == b""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("declutter: error: ")
    assert str(file) in result.stderr


def test_train_base_refuses_a_damaged_model(damaged, run_cli, tmp_path):
    model, file = damaged
    data = tmp_path / "few.jsonl"
    lines = [LabeledLine("The council agreed on Monday to extend the ceasefire by a week.", "article")]
    write_labeled([LabeledText("doc1", lines, outlet="example.org")], data)
    result = run_cli(["train", str(data), "--base", str(model), "-o", str(tmp_path / "out.skops")])
    error = result.stderr.splitlines()[-1]  # after train's progress line
    assert result.code == 1 and error.startswith("declutter: error: ") and str(file) in error
    assert not (tmp_path / "out.skops").exists()


def test_trust_model_overrides_the_check(tiny_model, tmp_path):
    model = _copy_model(tiny_model[1], tmp_path / "mine")
    _damage(model, "truncated")  # the .skops: prediction does not read it
    load_model(model, estimators=False, trust=True)


def test_a_file_prediction_does_not_need_may_be_absent_but_not_wrong(tiny_model, tmp_path):
    model = _copy_model(tiny_model[1], tmp_path / "light")
    model.unlink()
    model.with_suffix(".onnx").unlink(missing_ok=True)
    load_model(model, estimators=False)  # NAME.npz and NAME.json clean alone


def test_the_shipped_model_passes_its_checks():
    load_model(None, estimators=False)
    load_model(None, estimators=True)
