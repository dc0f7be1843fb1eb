"""Shared test helpers: paths to the fixtures and a CLI runner."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


class CliResult:
    def __init__(self, code: int, stdout: bytes, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


@pytest.fixture
def run_cli(monkeypatch):
    """Run `declutter.cli.main(argv)` in process with the given stdin bytes."""
    from declutter.cli import main

    def run(argv: list[str], stdin: bytes = b"") -> CliResult:
        out, err = io.BytesIO(), io.StringIO()
        fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        fake_stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
        monkeypatch.setattr(sys, "stdin", fake_stdin)
        monkeypatch.setattr(sys, "stdout", fake_stdout)
        monkeypatch.setattr(sys, "stderr", err)
        code = main(argv)
        fake_stdout.flush()
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """(model, path): a small model trained on the seed fixtures in seconds, saved to a temp dir.

    For tests of plumbing (files, batch, CLI options) that must not depend on
    the shipped model's quality.
    """
    import json

    from declutter.teach.documents import LabeledDoc
    from declutter.teach.fit import fit

    docs = []
    for path in sorted((FIXTURES / "seeds").glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        labels = [ln["label"] for ln in rec["lines"]]
        docs.append(LabeledDoc([ln["text"] for ln in rec["lines"]], labels, group=path.stem))
    model = fit(docs, vocabulary_size=2000, log=lambda *_: None)
    model.card["name"] = "tiny"
    path = model.save(tmp_path_factory.mktemp("model") / "tiny.skops")
    return model, path


@pytest.fixture(scope="module")
def load_each_model_file_once():
    """Each in-process CLI run loads --model again; loading it once keeps a module quick."""
    from functools import lru_cache

    from declutter import pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "load_model", lru_cache(maxsize=4)(pipeline.load_model))
        yield


@pytest.fixture(scope="module")
def model_path(tiny_model) -> str:
    """Path of the tiny seed-trained model (see `tiny_model`)."""
    return str(tiny_model[1])
