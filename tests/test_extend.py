"""Extending a model with a new outlet: it learns the outlet, keeps the rest, and stays a safe model file."""

from __future__ import annotations

import copy
import json
import random

import numpy as np
import pytest

from declutter.config import Config
from declutter.teach.evaluation import as_document
from declutter.teach.extend import compute_anchor, extend
from declutter.features import line_features
from declutter.io.labeled import LabeledLine, LabeledText
from declutter.teach.documents import to_labeled_docs
from declutter.io.labeled_files import write_labeled
from declutter.model import load_model
from declutter.pipeline import Cleaner
from declutter.teach.documents import LabeledDoc

WORDS = (
    "council minister river village school budget election storm harbour bridge farmers police "
    "hospital museum court train festival water energy market union forest mayor doctors"
).split()
VERBS = "approved rejected discussed announced delayed opened closed reviewed".split()
BOILER = [
    "Support The Daily Bugle: become a member today",
    "Sign up for the Bugle Morning Briefing newsletter",
    "The Daily Bugle is funded by readers like you. Donate",
    "Follow the Bugle on every network you use",
]


def sentence(rng: random.Random) -> str:
    w = rng.sample(WORDS, 6)
    return (
        f"The {w[0]} {rng.choice(VERBS)} a plan for the {w[1]} on Monday, while the {w[2]} and "
        f"the {w[3]} said the {w[4]} would wait for the {w[5]} to decide."
    )


def bugle_doc(i: int, labeled: bool = True) -> LabeledText:
    rng = random.Random(i)
    lines = [
        LabeledLine(f"What the {rng.choice(WORDS)} plan means for the {rng.choice(WORDS)}", "title")
    ]
    lines += [LabeledLine(sentence(rng), "article") for _ in range(3)]
    lines.insert(2, LabeledLine(BOILER[i % 2], "boilerplate"))
    lines += [LabeledLine(b, "boilerplate") for b in BOILER[2:]]
    lines += [LabeledLine(sentence(rng), "article") for _ in range(2)]
    return LabeledText(f"bugle-{i}", lines, "dailybugle.example", {"shape": "residue"})


def bugle_docs(ids) -> list[LabeledDoc]:
    return to_labeled_docs([bugle_doc(i) for i in ids])


def p_boiler(model, docs: list[LabeledDoc]) -> tuple[np.ndarray, np.ndarray]:
    _, stage2 = model.predict([d.lines for d in docs])
    labels = np.array([lab for d in docs for lab in d.labels])
    return stage2[:, 2], labels


def seed_docs() -> list[LabeledDoc]:
    from tests.conftest import FIXTURES

    docs = []
    for path in sorted((FIXTURES / "seeds").glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        docs.append(
            LabeledDoc(
                [ln["text"] for ln in rec["lines"]],
                [ln["label"] for ln in rec["lines"]],
                group=path.stem,
            )
        )
    return docs


@pytest.fixture(scope="module")
def anchored(tiny_model):
    """The tiny seed model with its anchor (as training/add_anchor.py stores it)."""
    base = copy.copy(tiny_model[0])
    base.anchor = compute_anchor(base, seed_docs())
    return base


def test_extending_teaches_the_outlets_boilerplate_on_unseen_pages(anchored):
    unseen = bugle_docs(range(100, 104))
    before, labels = p_boiler(anchored, unseen)
    model = extend(anchored, bugle_docs(range(8)), log=lambda *_: None)
    after, _ = p_boiler(model, unseen)
    boiler, body = labels == "boilerplate", labels == "article"
    assert after[boiler].mean() > before[boiler].mean() + 0.2
    assert after[boiler].min() >= model.threshold
    assert after[body].max() < model.threshold


def test_the_base_is_left_unchanged(anchored):
    coef = anchored.text_model.coef_.copy()
    vocab, anchor = list(anchored.vocabulary), anchored.anchor.copy()
    extend(anchored, bugle_docs(range(4)), log=lambda *_: None)
    np.testing.assert_array_equal(anchored.text_model.coef_, coef)
    assert anchored.vocabulary == vocab and anchored.memory is None
    np.testing.assert_array_equal(anchored.anchor, anchor)


def test_the_outlets_own_words_get_columns_and_the_shapes_line_up(anchored):
    model = extend(anchored, bugle_docs(range(8)), log=lambda *_: None)
    assert "bugle" in model.vocab_index and "bugle" not in anchored.vocab_index
    assert model.text_model.coef_.shape[1] == model.stage1_inputs(line_features([["x"]])).shape[1]
    assert len(model.anchor) == len(model.vocabulary) + (
        len(anchored.anchor) - len(anchored.vocabulary)
    )


def test_other_outlets_keep_their_decisions(anchored):
    seeds = seed_docs()
    model = extend(anchored, bugle_docs(range(8)), log=lambda *_: None)
    before = Cleaner(Config(), model=anchored).explain_documents(
        [as_document(d.lines) for d in seeds]
    )
    after = Cleaner(Config(), model=model).explain_documents([as_document(d.lines) for d in seeds])
    changed = sum(
        a.label != b.label for ra, rb in zip(before, after) for a, b in zip(ra.lines, rb.lines)
    )
    total = sum(len(r.lines) for r in before)
    assert changed <= 0.02 * total, f"{changed} of {total} seed lines changed label"


def test_the_anchor_is_what_keeps_other_outlets_still(anchored, tiny_model):
    seeds = seed_docs()
    teach = bugle_docs(range(8))
    base_p, _ = p_boiler(anchored, seeds)
    with_anchor = extend(anchored, teach, memory=False, log=lambda *_: None)
    without = extend(anchored, teach, memory=False, anchor=False, alpha=1e-3, log=lambda *_: None)
    moved_with = np.abs(p_boiler(with_anchor, seeds)[0] - base_p).mean()
    moved_without = np.abs(p_boiler(without, seeds)[0] - base_p).mean()
    assert moved_with < moved_without


def test_an_extended_model_is_a_safe_model_file_with_a_card(anchored, tmp_path):
    model = extend(anchored, bugle_docs(range(6)), log=lambda *_: None)
    base_path = anchored.save(tmp_path / "base.skops")
    path = model.save(tmp_path / "bugle.skops")
    loaded = load_model(path)  # allowlisted types and card hash only
    docs = bugle_docs([200])
    np.testing.assert_allclose(
        loaded.predict([d.lines for d in docs])[1],
        model.predict([d.lines for d in docs])[1],
        rtol=1e-6,
    )
    card = json.loads(path.with_suffix(".json").read_text())
    ext = card["extensions"][-1]
    assert (
        ext["outlets"] == {"dailybugle.example": 6}
        and ext["anchor"] is True
        and ext["memory_lines"] > 0
    )
    assert card["extended_from"]["name"] == anchored.name
    assert path.stat().st_size < base_path.stat().st_size * 1.2


def test_extending_twice_keeps_both_outlets(anchored):
    first = extend(anchored, bugle_docs(range(6)), log=lambda *_: None)
    other = [
        LabeledText(
            f"gz-{i}",
            [
                LabeledLine("Gazette readers: take our survey and win a prize", "boilerplate"),
                LabeledLine(sentence(random.Random(i)), "article"),
                LabeledLine(sentence(random.Random(i + 50)), "article"),
            ],
            "gazette.example",
        )
        for i in range(4)
    ]
    second = extend(first, to_labeled_docs(other), log=lambda *_: None)
    assert len(second.card["extensions"]) == 2
    assert (
        second.memory.strength(
            [BOILER[2], "Gazette readers: take our survey and win a prize"]
        ).min()
        > 0.5
    )
    assert (
        second.anchor[: len(first.vocabulary)] >= first.anchor[: len(first.vocabulary)] - 1e-3
    ).all()


def test_unlabeled_documents_alone_cannot_extend(anchored):
    doc = to_labeled_docs([LabeledText("u", [LabeledLine("Some line", None)], "x")])
    with pytest.raises(ValueError, match="labeled lines"):
        extend(anchored, doc, log=lambda *_: None)


# ----------------------------------------------------------------- CLI


def test_train_extends_a_model_and_writes_heldout_scores_by_outlet(anchored, tmp_path, capsys):
    from declutter.cli.teach import main

    base = anchored.save(tmp_path / "base.skops")
    data = tmp_path / "bugle.marked"
    write_labeled([bugle_doc(i) for i in range(9)], data)
    out = tmp_path / "bugle.skops"
    assert (
        main(["train", str(data), "--base", str(base), "-o", str(out), "--holdout-folds", "3"]) == 0
    )
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["name"] == "bugle" and card["trained_on"]["outlets"] == {"dailybugle.example": 9}
    scores = card["heldout_scores"]["scores"]["dailybugle.example / residue"]
    assert scores["documents"] == 9 and scores["boilerplate"]["f1"] > 0.6
    assert "held out dailybugle.example / residue" in capsys.readouterr().err

    test = tmp_path / "test.jsonl"
    write_labeled([bugle_doc(i) for i in range(300, 303)], test)
    assert main(["eval", str(test), "--model", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["groups"]["dailybugle.example"]["documents"] == 3
    assert report["all"]["boilerplate"]["f1"] > 0.75 and report["all"]["token_f1"] > 0.9
    assert main(["eval", str(test), "--model", str(out)]) == 0
    text = capsys.readouterr().out
    assert "dailybugle.example" in text and "worst documents" in text


def test_train_from_scratch_and_errors_are_one_line(tmp_path, capsys):
    from declutter.cli.teach import main

    data = tmp_path / "bugle.jsonl"
    write_labeled([bugle_doc(i) for i in range(6)], data)
    out = tmp_path / "scratch.skops"
    assert main(["train", str(data), "-o", str(out), "--holdout-folds", "0", "--quiet"]) == 0
    model = load_model(out)
    assert model.memory is not None and len(model.memory) > 0 and model.anchor is not None
    assert main(["train", str(data), "-o", str(tmp_path / "bad.pkl")]) == 1
    assert capsys.readouterr().err.strip().startswith("declutter: error: ")
    bad = tmp_path / "bad.marked"
    bad.write_text('@@ {"id": "a"}\n* nope\n')
    assert main(["train", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and err.count("\n") == 1
    assert main(["eval", str(data), "--model", str(tmp_path / "missing.skops")]) == 1


def test_register_adds_the_three_subcommands_to_a_parser():
    import argparse

    from declutter.cli.teach import register

    parser = argparse.ArgumentParser(prog="declutter")
    register(parser.add_subparsers(dest="command"))
    for argv in (["label", "pages/"], ["train", "x.marked", "-o", "m.skops"], ["eval", "x.marked"]):
        args = parser.parse_args(argv)
        assert callable(args.run) and args.command == argv[0]


def test_a_base_without_anchor_learns_only_its_new_words_and_says_so(tiny_model):
    base = tiny_model[0]
    assert base.anchor is None
    notes = []
    model = extend(base, bugle_docs(range(6)), log=notes.append)
    assert any("no anchor" in n for n in notes)
    n_old, k = len(base.vocabulary), len(model.vocabulary) - len(base.vocabulary)
    old, new = base.text_model.coef_, model.text_model.coef_
    np.testing.assert_array_equal(new[:, :n_old], old[:, :n_old])
    np.testing.assert_array_equal(new[:, n_old + k :], old[:, n_old:])
    assert np.abs(new[:, n_old : n_old + k]).sum() > 0
