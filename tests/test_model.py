"""Model files: round trip, and refusal of anything that is not a declutter model we can check."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from declutter.errors import ModelError
from declutter.model import load_model, read_card

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def test_round_trip_gives_the_same_predictions(tiny_model):
    model, path = tiny_model
    loaded = load_model(path)
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    for a, b in zip(model.predict(docs), loaded.predict(docs)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert read_card(path)["name"] == "tiny"


def test_default_model_card_is_readable_json_with_provenance():
    from declutter.model import default_model_path

    card = read_card(default_model_path())
    for key in ("feature_version", "library_versions", "training_sets", "training_data_sha256", "heldout_scores", "threshold", "sha256"):
        assert key in card, key
    assert default_model_path().stat().st_size <= 5_000_000


def test_a_pickle_is_refused_without_unpickling(tmp_path):
    evil = tmp_path / "model.pkl"
    evil.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelError, match="never unpickles"):
        load_model(evil)


def test_a_tampered_file_is_refused(tiny_model, tmp_path):
    _, path = tiny_model
    copy = tmp_path / "tampered.skops"
    copy.write_bytes(path.read_bytes() + b"\0")
    copy.with_suffix(".json").write_text(path.with_suffix(".json").read_text())
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(copy)


def test_a_model_with_foreign_types_is_refused_even_with_a_matching_card(tiny_model, tmp_path):
    import hashlib
    from collections import Counter

    import skops.io

    _, path = tiny_model
    bad = tmp_path / "foreign.skops"
    skops.io.dump({"vocabulary": ["x"], "payload": Counter("abc")}, bad)
    card = json.loads(path.with_suffix(".json").read_text())
    card["sha256"] = hashlib.sha256(bad.read_bytes()).hexdigest()
    bad.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="types a declutter model never uses"):
        load_model(bad)


def test_an_other_feature_version_is_refused(tiny_model, tmp_path):
    _, path = tiny_model
    copy = tmp_path / "old.skops"
    copy.write_bytes(path.read_bytes())
    card = json.loads(path.with_suffix(".json").read_text())
    card["feature_version"] = -1
    copy.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="retrain"):
        load_model(copy)


def test_a_format_1_file_with_its_vocabulary_as_a_list_still_loads(tiny_model, tmp_path):
    import hashlib

    import skops.io

    from declutter.model import _TRUSTED_TYPES

    model, path = tiny_model
    payload = skops.io.load(path, trusted=_TRUSTED_TYPES)
    assert isinstance(payload["vocabulary"], str)  # format 2: one joined string
    payload["vocabulary"] = list(model.vocabulary)
    old = tmp_path / "format1.skops"
    skops.io.dump(payload, old)
    card = json.loads(path.with_suffix(".json").read_text())
    card.update(format=1, sha256=hashlib.sha256(old.read_bytes()).hexdigest())
    old.with_suffix(".json").write_text(json.dumps(card))
    loaded = load_model(old)
    assert loaded.vocabulary == list(model.vocabulary)
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    for a, b in zip(model.predict(docs), loaded.predict(docs)):
        np.testing.assert_array_equal(a, b)
    card["format"] = 3  # a format from a newer declutter
    old.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="reads formats 1 and 2"):
        load_model(old)


def test_a_model_without_card_is_refused(tiny_model, tmp_path):
    _, path = tiny_model
    lonely = tmp_path / "lonely.skops"
    lonely.write_bytes(path.read_bytes())
    with pytest.raises(ModelError, match="no model card"):
        load_model(lonely)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_stage1_without_the_stacked_matrix_matches_sklearn(n_classes):
    """`_linear_proba` splits the coefficients instead of stacking [tokens, own]:
    it must give what LogisticRegression.predict_proba gives on the stack."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from declutter.model import _linear_proba

    rng = np.random.default_rng(0)
    tokens = sparse.random(400, 50, density=0.1, format="csr", random_state=1, dtype=np.float32)
    tokens.data[:] = 1.0
    own = rng.normal(size=(400, 6)).astype(np.float32)
    y = rng.integers(0, n_classes, 400)
    stacked = sparse.hstack([tokens, sparse.csr_matrix(own)], format="csr")
    lr = LogisticRegression(max_iter=200).fit(stacked, y)
    np.testing.assert_allclose(_linear_proba(lr, tokens, own), lr.predict_proba(stacked), rtol=0, atol=1e-6)


def test_default_model_stage1_matches_sklearn_on_real_lines():
    from conftest import SEEDS

    from declutter.document import split_document
    from declutter.features import line_features
    from declutter.model import _ordered_proba

    model = load_model()
    docs = [split_document(p.read_text(encoding="utf-8")).texts for p in SEEDS]
    assert len(docs) == 5
    stage1, _ = model.predict(docs)
    expected = _ordered_proba(model.text_model, model.stage1_inputs(line_features(docs)))
    np.testing.assert_allclose(stage1, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "field, value, message",
    [("left", 10**6, "out of bounds"), ("right", 0, "out of bounds"), ("feature_idx", 500, "out of bounds"),
     ("is_categorical", 1, "categorical")],
)
def test_a_tree_that_would_index_out_of_bounds_is_refused(tiny_model, tmp_path, field, value, message):
    """skops trusts TreePredictor by type; scikit-learn walks its nodes without
    bounds checks. A file with a bad index, even one whose card matches, is
    refused at load time instead of crashing the process when it runs."""
    import copy

    model, _ = tiny_model
    bad = copy.deepcopy(model)
    tree = bad.context_model._predictors[0][0]
    inner = np.flatnonzero(tree.nodes["is_leaf"] == 0)[0]
    tree.nodes[field][inner] = value
    path = bad.save(tmp_path / "bad.skops")
    with pytest.raises(ModelError, match=message):
        load_model(path)


def test_stage1_coefficients_must_fit_the_features(tiny_model, tmp_path):
    import copy

    model, _ = tiny_model
    bad = copy.deepcopy(model)
    bad.vocabulary = bad.vocabulary[:-1]
    with pytest.raises(ModelError, match="coefficients"):
        load_model(bad.save(tmp_path / "short.skops"))


def test_the_trees_predict_on_one_openmp_thread_and_the_setting_is_restored(tiny_model, monkeypatch):
    from threadpoolctl import threadpool_info

    from declutter import model as model_module

    def openmp_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "openmp"]

    model, _ = tiny_model
    before = openmp_threads()
    if not before:
        pytest.skip("scikit-learn runs without an OpenMP runtime here")
    seen: list[list[int]] = []
    stage2 = model_module.LineModel._stage2

    def spy(self, X):
        seen.append(openmp_threads())
        return stage2(self, X)

    monkeypatch.setattr(model_module.LineModel, "_stage2", spy)
    short = [["Read more", "The council agreed on Monday to extend the ceasefire by a week."]]
    long = [[f"Line {i} of a long list." for i in range(200)]]  # past the merged trees' limit
    for docs in (short, short, long):  # the second call reuses the kept controller
        model.predict(docs)
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    assert openmp_threads() == before


def _stage2_inputs(model, docs):
    from declutter.features import context_features, line_features, token_matrix
    from declutter.model import _in_class_order, _linear_proba

    feats = line_features(docs)
    tokens = token_matrix(feats.texts, model.vocab_index, feats.lowered)
    own = (feats.own - model.own_mean) / model.own_scale
    return context_features(feats, _in_class_order(model.text_model, _linear_proba(model.text_model, tokens, own)))


def test_merged_trees_give_exactly_sklearns_probabilities_on_real_lines():
    from declutter.forest import MergedTrees
    from declutter.model import default_model_path

    model = load_model(default_model_path())
    docs = [[ln["text"] for ln in json.loads(p.read_text())["lines"]] for p in sorted(SEEDS.glob("*.json"))]
    X = _stage2_inputs(model, docs)
    merged = MergedTrees(model.context_model)
    for rows in (X[:1], X[:7], X[:64], X):
        np.testing.assert_array_equal(merged.predict_proba(rows), model.context_model.predict_proba(rows))
    # A missing value goes where each tree sends missing values, as in scikit-learn.
    holes = X[:20].copy()
    holes[::3, ::4] = np.nan
    np.testing.assert_array_equal(merged.predict_proba(holes), model.context_model.predict_proba(holes))


def test_a_short_document_takes_the_merged_trees_and_a_replaced_stage_2_is_not_served_stale(tiny_model):
    import dataclasses

    from declutter.model import _ordered_proba

    model, _ = tiny_model
    model = dataclasses.replace(model)
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    _, stage2 = model.predict(docs)
    assert model._merged_trees is not None and model._merged_trees.estimator is model.context_model
    np.testing.assert_array_equal(stage2, _ordered_proba(model.context_model, _stage2_inputs(model, docs)))
    other = dataclasses.replace(model, context_model=copy.deepcopy(model.context_model))
    other.predict(docs)
    assert other._merged_trees.estimator is other.context_model
