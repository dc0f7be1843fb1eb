"""Quality gate: the shipped model on pages it never saw, against pinned floors.

As trafilatura's `tests/eval_gate.py`: a change to the model, the features or
the decision rules that makes declutter worse on held-out outlets fails here,
not only in a benchmark run someone has to remember. The first 20 usable
pages of each of the six datasets the default model was never trained on
are read from `../shared/data` and rendered both ways by
`training/build_lines.py` (trafilatura's recall extraction, and all visible
text; 120 documents a shape), then scored with `benchmarks/quality.py`'s own
functions (about 10 s).
Skipped where `../shared/data` is absent; CI has it.

Floors are data, in `tests/quality_floors.json` (trafilatura's
`eval_baseline.json` idea): each with the figure measured (token F1 against
the gold as build_lines maps it onto LABELING.md) and the SHA-256 of the
data files it was measured on. The floors sit a margin below, so a new
trafilatura release within the pinned range does not trip them. Doing
nothing is a floor with no margin: declutter must never be worse than it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
FLOORS = json.loads((Path(__file__).resolve().parent / "quality_floors.json").read_text(encoding="utf-8"))
HELD_OUT = tuple(name.removesuffix(".jsonl.gz") for name in FLOORS["data"]["files_sha256"])
PAGES_PER_SET = FLOORS["data"]["pages_per_set"]

pytestmark = pytest.mark.skipif(not all((DATA / f"{n}.jsonl.gz").exists() for n in HELD_OUT),
                                reason="../shared/data is not beside this checkout")


@pytest.fixture(scope="module")
def held_out_docs():
    for path in (ROOT, ROOT / "training"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import build_lines

    from declutter.model import read_card, default_model_path
    from declutter.teach.documents import LabeledDoc

    trained_on = set(read_card(default_model_path()).get("training_sets") or {})
    assert not trained_on & set(HELD_OUT), "the gate must score pages the model never saw"
    docs = []
    for name in HELD_OUT:
        used = 0
        for page in build_lines.read_pages(DATA / f"{name}.jsonl.gz", limit=None):
            built, _ = build_lines.build_page(page)
            for rec in built:
                docs.append(LabeledDoc(
                    [ln["text"] for ln in rec["lines"]], [ln["label"] for ln in rec["lines"]],
                    group=rec["site"], dataset=name, shape=rec["shape"], meta={"id": rec["id"], "gold": rec["gold"]},
                ))
            used += bool(built)
            if used == PAGES_PER_SET:
                break
    return docs


@pytest.fixture(scope="module")
def scores(held_out_docs):
    from benchmarks.quality import BASELINES, run_baseline, run_declutter, score
    from declutter.model import load_model

    model = load_model()
    out = {}
    for shape in ("residue", "page"):
        docs = [d for d in held_out_docs if d.shape == shape]
        out[shape] = {
            "no cleaning": score(docs, run_baseline(BASELINES["no cleaning"], docs)),
            "C4 rules": score(docs, run_baseline(BASELINES["C4 rules"], docs)),
            "declutter": score(docs, run_declutter(model, docs)),
        }
    return out


def test_the_gate_sees_both_shapes_of_every_held_out_set(held_out_docs):
    for shape in ("residue", "page"):
        assert {d.dataset for d in held_out_docs if d.shape == shape} == set(HELD_OUT)


def test_the_floors_were_measured_on_this_data():
    for name, sha in FLOORS["data"]["files_sha256"].items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == sha, (
            f"{name} is not the file the floors were measured on: re-measure them (tests/quality_floors.json)"
        )


def _value(scores: dict, metric: str) -> float:
    for key in metric.split("."):
        scores = scores[key]
    return float(scores)  # type: ignore[arg-type]


def _check(shape_scores: dict, floors: list[dict]) -> list[str]:
    """The floors `shape_scores` falls below, one message each."""
    failed = []
    ours = shape_scores["declutter"]
    for floor in floors:
        value = _value(ours, floor["metric"])
        if "floor" in floor:
            limit, what = floor["floor"], "its floor"
        else:
            limit = _value(shape_scores[floor["above"]], floor["metric"]) + floor["margin"]
            what = f"{floor['above']} + {floor['margin']}"
        if not value >= limit:
            failed.append(f"{floor['metric']} {value} < {limit} ({what}; measured {floor['measured']})")
    return failed


def test_extractor_residue_keeps_its_article_lines_and_is_no_worse_than_doing_nothing(scores):
    assert _check(scores["residue"], FLOORS["floors"]["residue"]) == []


def test_all_page_text_is_cleaned_better_than_by_c4_rules(scores):
    assert _check(scores["page"], FLOORS["floors"]["page"]) == []
