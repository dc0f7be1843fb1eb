"""Outlet memory: repeated lines of one outlet are boilerplate evidence, never a reason to drop a short line alone."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import SEEDS

from declutter.model.outlet import STRENGTH_UNLABELED, OutletMemory, line_hashes, normalize_line

STORIES = [
    "The council voted on Monday to extend the ceasefire by one more week.",
    "Fire crews were called to the old mill at noon and found it empty.",
    "Schools will reopen next week after the long holiday, the mayor said.",
    "A new bridge over the river is to be finished by the end of the year.",
]
APPEAL = "Support The Moscow Times! Contribute today"


def outlet_docs(extra: list[str] | None = None, labels: bool = True):
    docs = []
    for story in STORIES:
        lines = [APPEAL, story, "Share", "Score 2-1", *(extra or [])]
        lab = [
            "boilerplate",
            "article",
            "boilerplate",
            "article",
            *(["article"] * len(extra or [])),
        ]
        docs.append(("themoscowtimes.com", lines, lab if labels else None))
    return docs


def test_normalisation_folds_case_digits_punctuation_and_accents():
    assert normalize_line("Updated 12:45 — Café, 2024!") == normalize_line(
        "updated 03:10 - cafe 1999"
    )
    assert (
        line_hashes(["Read more", "READ MORE!", "...", ""]).tolist()[:2]
        == line_hashes(["read more"] * 2).tolist()
    )
    assert line_hashes(["...", ""]).tolist() == [0, 0]


def test_a_labeled_repeated_long_line_is_strong_evidence():
    memory = OutletMemory.from_documents(outlet_docs())
    strength = memory.strength(
        [APPEAL.upper(), STORIES[0], "A line never seen before today at all"]
    )
    assert strength[0] >= 0.9 and strength[1] == 0 and strength[2] == 0


def test_a_line_ever_labeled_article_is_not_remembered():
    docs = outlet_docs()
    docs[0][2][0] = "article"  # one document kept the appeal
    assert OutletMemory.from_documents(docs).strength([APPEAL])[0] == 0


def test_a_short_repeated_line_is_never_dropped_only_for_being_short_and_repeated():
    # "Score 2-1" repeats in every document but is article: not remembered.
    labeled = OutletMemory.from_documents(outlet_docs())
    assert labeled.strength(["Score 7-0"])[0] == 0
    # Without labels, no short line counts at all, however often it repeats.
    unlabeled = OutletMemory.from_documents(outlet_docs(labels=False), labeled=False)
    assert unlabeled.strength(["Share", "Score 2-1"]).tolist() == [0.0, 0.0]
    assert unlabeled.strength([APPEAL])[0] > 0.5
    # A short line labeled boilerplate counts at half strength: a line the
    # model is sure is article stays below any sensible threshold.
    p = np.array([[0.9, 0.0, 0.1]])
    adjusted = labeled.adjust(["Share"], p)
    assert 0.1 < adjusted[0, 2] < 0.6
    # A long labeled line is dropped whatever the model said, even at the
    # shipped model's threshold of 0.99.
    assert labeled.adjust([APPEAL], np.array([[0.99, 0.0, 0.01]]))[0, 2] >= 0.99


def test_a_layout_tables_row_repeated_across_a_sites_pages_is_template_however_short():
    """An old page's layout table comes out of the extractor as rows ("| BUSINESS |"); the line
    model reads a row as a table. Repeated across the site, it counts as a long line would;
    a data row with its cells filled, and a short plain line, still do not count."""
    rows = ["| BUSINESS |", "|  | 1 of 1 |  |", "| Interface | Bluetooth |", "BUSINESS"]
    memory = OutletMemory.from_documents(outlet_docs(extra=rows, labels=False), labeled=False)
    strength = memory.strength(rows).tolist()
    assert strength[0] > 0.9 and strength[1] > 0.9
    assert strength[2:] == [0.0, 0.0]
    # The row the model reads as article (P(boilerplate) 0.3) goes over any drop threshold.
    assert memory.adjust(["| BUSINESS |"], np.array([[0.7, 0.0, 0.3]]))[0, 2] > 0.99


def test_adjust_keeps_probabilities_summing_to_one_and_only_touches_known_lines():
    memory = OutletMemory.from_documents(outlet_docs())
    p = np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1]])
    out = memory.adjust([APPEAL, STORIES[1]], p)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert out[0, 2] > 0.9
    np.testing.assert_array_equal(out[1], p[1])
    np.testing.assert_allclose(out[0, 0] / out[0, 1], 0.7 / 0.2)


def test_min_share_scales_with_the_number_of_documents():
    docs = [
        ("x.com", [f"story number {w} is here today", "Subscribe to our newsletter now"], None)
        for w in "abcdefghijklmnopqrst"
    ]
    docs += [("x.com", ["Rare promo line seen twice only here"], None)] * 2
    memory = OutletMemory.from_documents(docs, labeled=False, min_share=0.2)
    assert memory.strength(
        ["Subscribe to our newsletter now", "Rare promo line seen twice only here"]
    ).tolist() == [
        pytest.approx(STRENGTH_UNLABELED),
        0.0,
    ]


def test_memories_merge_and_survive_plain_arrays():
    a = OutletMemory.from_documents(outlet_docs())
    b = OutletMemory.from_documents(
        [
            ("y.com", ["Follow us on all the networks", f"{w} is a distinct line here"], None)
            for w in ("alpha", "beta", "gamma")
        ],
        labeled=False,
    )
    assert len(b) == 1
    merged = a.merge(b)
    assert len(merged) == len(a) + len(b)
    again = OutletMemory.from_arrays(merged.to_arrays())
    np.testing.assert_array_equal(again.hashes, merged.hashes)
    assert again.strength(["Follow us on all the networks"])[0] == pytest.approx(STRENGTH_UNLABELED)


def test_a_model_with_memory_applies_it_and_keeps_it_in_its_file(tiny_model, tmp_path):
    from declutter.model import load_model

    model, _ = tiny_model
    docs = [[APPEAL, STORIES[0]]]
    _, before = model.predict(docs)
    extended = copy.copy(model)  # the session fixture stays untouched
    extended.memory = OutletMemory.from_documents(outlet_docs())
    _, after = extended.predict(docs)
    assert after[0, 2] >= max(before[0, 2], 0.9)
    np.testing.assert_allclose(after[1], before[1])
    path = extended.save(tmp_path / "with_memory.skops")
    loaded = load_model(path)
    assert len(loaded.memory) == len(extended.memory)
    np.testing.assert_allclose(loaded.predict(docs)[1], after, rtol=1e-6)


def test_a_batch_run_can_remember_an_outlet_without_labels(tiny_model):
    from declutter.config import Config
    from declutter.model.outlet import with_memory
    from declutter.pipeline import Cleaner

    model, _ = tiny_model
    batch = [[story, "Become a Bugle member for just one dollar a week"] for story in STORIES]
    memory = OutletMemory.from_documents(
        (("bugle.example", doc, None) for doc in batch), labeled=False
    )
    texts = ["\n".join(doc) for doc in batch]
    plain = Cleaner(Config(threshold=0.99), model=model).explain_many(texts)
    remembered = Cleaner(Config(threshold=0.99), model=with_memory(model, memory)).explain_many(
        texts
    )
    for before, after in zip(plain, remembered):
        assert after.lines[0].score == before.lines[0].score
        assert after.lines[1].score >= 0.99 and not after.lines[1].kept
    assert model.memory is None  # the shared model is untouched


def test_a_batch_memory_leaves_a_headline_alone_but_a_labeled_one_does_not():
    # A story's headline comes back as a teaser on the outlet's other pages: unlabeled evidence
    # does not drop it where the model reads it as this page's title; labeled evidence does.
    headline = "Council extends the ceasefire by one more week"
    docs = [("x.com", [headline, story], None) for story in STORIES[:3]]
    unlabeled = OutletMemory.from_documents(docs, labeled=False)
    labeled = OutletMemory.from_documents(
        [(o, lines, ["boilerplate", "article"]) for o, lines, _ in docs]
    )
    proba = np.array([[0.1, 0.8, 0.1], [0.8, 0.1, 0.1]])  # article, title, boilerplate
    kept = unlabeled.adjust([headline, headline], proba, boilerplate=2, title=1)
    assert kept[0, 2] == pytest.approx(0.1) and kept[1, 2] > 0.98
    assert labeled.adjust([headline], proba[:1], boilerplate=2, title=1)[0, 2] > 0.99


def test_a_batch_memory_raises_the_residue_cut_so_the_model_alone_drops_only_sure_lines(tiny_model):
    from dataclasses import replace

    from declutter.config import Config
    from declutter.model.card import ModelCard
    from declutter.model.outlet import MEMORY_THRESHOLD, with_memory
    from declutter.pipeline import Cleaner

    model, _ = tiny_model
    docs = (("x.example", [story, "Donate now"], None) for story in STORIES)
    memory = OutletMemory.from_documents(docs, labeled=False)
    text = SEEDS[0].read_text(encoding="utf-8")
    plain = Cleaner(Config(shape="residue"), model=model).explain(text)
    doubtful = [
        i for i, line in enumerate(plain.lines)
        if not line.kept and line.reason == "model" and line.score < MEMORY_THRESHOLD
    ]
    assert doubtful, "the tiny model drops some seed line it is not sure of"
    remembered = Cleaner(Config(shape="residue"), model=with_memory(model, memory)).explain(text)
    assert all(remembered.lines[i].kept for i in doubtful)
    unsure = [line for line in remembered.lines if line.reason == "model" and line.score < MEMORY_THRESHOLD]
    assert all(line.kept for line in unsure)
    assert model.card.threshold < MEMORY_THRESHOLD  # the shared model is untouched
    stricter = replace(model, card=ModelCard({**model.card, "threshold": 0.995}))
    assert with_memory(stricter, memory).card.threshold == 0.995  # a higher cut is never lowered


def test_a_run_of_short_lines_a_site_repeats_is_its_navigation_but_one_short_line_is_not():
    nav = ["Home", "World News", "Sport"]
    docs = [("x.com", [*nav, story, "Share", f"Step {i}: mix", f"Step {i + 1}: bake"], None) for i, story in enumerate(STORIES)]
    memory = OutletMemory.from_documents(docs, labeled=False)
    assert len(memory.runs) == 1 and len(memory.hashes) == 0  # short lines alone never count
    page = ["Sport", "World News", "Home", "Share", *nav, "Step 1: mix", "Step 2: bake", "Serves four"]
    proba = np.tile([0.8, 0.05, 0.15], (len(page), 1))  # article, title, boilerplate
    adjusted = memory.adjust(page, proba, boilerplate=2, title=1)
    assert adjusted[4:7, 2].min() >= STRENGTH_UNLABELED  # the run, in the site's order
    assert adjusted[[0, 1, 2, 3, 7, 8, 9], 2].tolist() == pytest.approx([0.15] * 7)  # reordered, alone, a list
    np.testing.assert_allclose(adjusted.sum(axis=1), 1.0, rtol=1e-6)


def test_runs_survive_merging_and_plain_arrays_and_change_the_digest():
    nav = ["Home", "World News", "Sport"]
    with_runs = OutletMemory.from_documents([("x.com", [*nav, story], None) for story in STORIES], labeled=False)
    plain = OutletMemory.from_documents(outlet_docs())
    merged = plain.merge(with_runs)
    again = OutletMemory.from_arrays(merged.to_arrays())
    np.testing.assert_array_equal(again.runs, with_runs.runs)
    assert "runs" not in plain.to_arrays()  # a model file without runs keeps its arrays
    assert again.digest() == merged.digest() != plain.merge(OutletMemory.empty()).digest()
