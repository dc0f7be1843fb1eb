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
    for key in ("feature_version", "library_versions", "training_sets", "training_data_sha256", "heldout_scores", "threshold", "sha256", "arrays_sha256"):
        assert key in card, key
    path = default_model_path()
    assert sum(path.with_suffix(s).stat().st_size for s in (".skops", ".npz", ".json")) <= 5_000_000


def test_a_pickle_is_refused_without_unpickling(tmp_path):
    evil = tmp_path / "model.pkl"
    evil.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelError, match="never unpickles"):
        load_model(evil)


def _copy_model(path: Path, to: Path) -> Path:
    """The files of a model under a new name."""
    for suffix in (".skops", ".npz", ".onnx", ".json"):
        if path.with_suffix(suffix).exists():
            to.with_suffix(suffix).write_bytes(path.with_suffix(suffix).read_bytes())
    return to.with_suffix(".skops")


def _reseal(path: Path, **card_changes) -> None:
    """Write the card again with both files' current hashes (a tamperer who also edits the card)."""
    import hashlib

    card = json.loads(path.with_suffix(".json").read_text())
    card.update(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        arrays_sha256=hashlib.sha256(path.with_suffix(".npz").read_bytes()).hexdigest(),
        **card_changes,
    )
    path.with_suffix(".json").write_text(json.dumps(card))


def _resealed_arrays(path: Path, to: Path, change) -> Path:
    """A copy of the model whose .npz `change(arrays)` edited, with a card that matches again."""
    bad = _copy_model(path, to)
    with np.load(bad.with_suffix(".npz")) as npz:
        arrays = {name: npz[name] for name in npz.files}
    change(arrays)
    np.savez(bad.with_suffix(".npz"), **arrays)
    _reseal(bad)
    return bad


def _first_inner(arrays) -> int:
    return int(np.flatnonzero(arrays["stage2_node_is_leaf"] == 0)[0])


@pytest.mark.parametrize("suffix, estimators", [(".skops", True), (".npz", False), (".npz", True)])
def test_a_tampered_file_is_refused(tiny_model, tmp_path, suffix, estimators):
    _, path = tiny_model
    copy = _copy_model(path, tmp_path / "tampered")
    changed = copy.with_suffix(suffix)
    changed.write_bytes(changed.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(copy, estimators=estimators)


def test_a_model_with_foreign_types_is_refused_even_with_a_matching_card(tiny_model, tmp_path):
    from collections import Counter

    import skops.io

    _, path = tiny_model
    bad = _copy_model(path, tmp_path / "foreign")
    skops.io.dump({"vocabulary": ["x"], "payload": Counter("abc")}, bad)
    _reseal(bad)
    load_model(bad, estimators=False)  # prediction never opens the .skops
    with pytest.raises(ModelError, match="types a declutter model never uses"):
        load_model(bad)


def test_arrays_holding_a_pickle_are_refused_even_with_a_matching_card(tiny_model, tmp_path):
    _, path = tiny_model
    bad = _resealed_arrays(path, tmp_path / "pickled", lambda a: a.update(own_mean=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(ModelError, match="cannot load model arrays"):
        load_model(bad, estimators=False)


def test_arrays_without_a_stage_are_refused_by_name(tiny_model, tmp_path):
    _, path = tiny_model
    bad = _resealed_arrays(path, tmp_path / "short", lambda a: a.pop("stage1_coef"))
    with pytest.raises(ModelError, match="KeyError: 'stage1_coef'"):
        load_model(bad, estimators=False)


def test_a_model_loaded_for_prediction_predicts_as_the_full_one_and_cannot_be_saved(tiny_model, tmp_path):
    model, path = tiny_model
    light = load_model(path, estimators=False)
    assert light.text_model is None and light.context_model is None and light.anchor is None
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    for a, b in zip(model.predict(docs), light.predict(docs)):
        # light runs stage 2 on onnxruntime when installed: sums added in another order
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    with pytest.raises(ModelError, match="prediction only"):
        light.save(tmp_path / "again.skops")
    from declutter.teach.extend import extend

    with pytest.raises(ModelError, match="prediction only"):
        extend(light, [])


def test_prediction_needs_only_the_arrays_and_the_card(tiny_model, tmp_path):
    model, path = tiny_model
    copy = _copy_model(path, tmp_path / "light")
    copy.unlink()  # no .skops: what a cluster needs to clean is NAME.npz and NAME.json
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    for name in (copy, copy.with_suffix(".npz")):
        light = load_model(name, estimators=False)
        np.testing.assert_allclose(light.predict(docs)[1], model.predict(docs)[1], rtol=0, atol=1e-12)
    with pytest.raises(ModelError, match="needs its estimators"):
        load_model(copy.with_suffix(".npz"))


def test_a_saved_model_has_its_onnx_trees_and_a_tampered_onnx_file_is_refused(tiny_model, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    _, path = tiny_model
    copy = _copy_model(path, tmp_path / "onnx")
    card = json.loads(copy.with_suffix(".json").read_text())
    assert len(card["onnx_sha256"]) == 64
    assert load_model(copy, estimators=False).stages[1].onnx is not None
    onnx_file = copy.with_suffix(".onnx")
    onnx_file.write_bytes(onnx_file.read_bytes()[:-1] + b"\0")
    with pytest.raises(ModelError, match="delete it to run stage 2 with scikit-learn"):
        load_model(copy, estimators=False)
    assert load_model(copy, estimators=False, trust=True).stages[1].onnx is not None


def test_without_onnxruntime_the_onnx_file_is_not_read_and_stage_2_is_the_same(tiny_model, monkeypatch):
    """What a plain `pip install .` (no declutter[fast]) runs."""
    from declutter.model import files as model_files

    model, path = tiny_model
    monkeypatch.setattr(model_files, "onnxruntime_installed", lambda: False)
    plain = load_model(path, estimators=False)
    assert plain.stages[1].onnx is None
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    np.testing.assert_array_equal(plain.predict(docs)[1], model.predict(docs)[1])


def test_an_onnx_file_onnxruntime_cannot_run_is_warned_about_once_and_cleaning_goes_on(tiny_model, tmp_path):
    pytest.importorskip("onnxruntime")
    model, path = tiny_model
    copy = _copy_model(path, tmp_path / "broken")
    copy.with_suffix(".onnx").write_bytes(b"not an onnx model")
    light = load_model(copy, estimators=False, trust=True)
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    with pytest.warns(RuntimeWarning, match="onnxruntime cannot run stage 2"):
        got = light.predict(docs)[1]
    np.testing.assert_array_equal(got, model.predict(docs)[1])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        light.predict(docs)  # once is enough


def test_onnx_trees_survive_pickling_without_their_session(tiny_model):
    """joblib and Dask may pickle a model: the session stays behind and is made again."""
    import pickle

    pytest.importorskip("onnxruntime")
    _, path = tiny_model
    light = load_model(path, estimators=False)
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    expected = light.predict(docs)[1]
    again = pickle.loads(pickle.dumps(light))
    assert again.stages[1].onnx is not None and again.stages[1].onnx._session is None
    np.testing.assert_array_equal(again.predict(docs)[1], expected)
    options = again.stages[1].onnx._session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)  # workers fill the cores


def _imported_heavy_modules(run: str, arg: Path) -> list[str]:
    """Which of scikit-learn, skops, trafilatura and onnxruntime a fresh interpreter imported running `run`."""
    import subprocess
    import sys

    code = (
        f"import sys\n{run}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skops', 'trafilatura', 'onnxruntime'}), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(arg)], capture_output=True, text=True, check=True)
    return json.loads(out.stderr.strip().splitlines()[-1].replace("'", '"'))


def _jsonl_of_long_records(path: Path, records: int) -> Path:
    """`records` JSONL records of 40 paragraphs each: more lines than a short input's NumPy walk takes."""
    text = "\n\n".join(f"Paragraph {i} of a long report on the harbour." for i in range(40))
    path.write_text("".join(json.dumps({"id": k, "text": text}) + "\n" for k in range(records)))
    return path


@pytest.mark.parametrize("how", ["api", "api on a long document", "cli on a long document", "a batch of one chunk"])
def test_cleaning_with_the_default_model_imports_neither_scikit_learn_nor_skops(how, tmp_path):
    """What keeps `declutter < story.txt` at well under a second: see model.py.
    A Cleaner's first call walks even a long input's trees in NumPy
    (Cleaner._predict): the CLI's one document, a batch process's first chunk."""
    if how == "api":
        story = min(SEEDS.glob("*.txt"))
        run = "import declutter; declutter.clean(open(sys.argv[1], encoding='utf-8').read())"
    elif how == "api on a long document":
        story = tmp_path / "long.txt"
        story.write_text("\n\n".join(f"Paragraph {i} of a long report on the harbour." for i in range(600)))
        run = "import declutter; declutter.clean(open(sys.argv[1], encoding='utf-8').read())"
    elif how == "cli on a long document":
        story = tmp_path / "long.txt"
        story.write_text("\n\n".join(f"Paragraph {i} of a long report on the harbour." for i in range(600)))
        run = "from declutter.cli import main; main([sys.argv[1]])"
    else:
        story = _jsonl_of_long_records(tmp_path / "docs.jsonl", 20)  # 800 lines, one chunk
        run = "from declutter.cli import main; main(['batch', sys.argv[1], '-o', sys.argv[1] + '.out', '--quiet'])"
    assert _imported_heavy_modules(run, story) == []


def test_a_cleaners_first_call_leaves_the_shared_walk_limit_alone():
    """The first call's NumPy walk is an argument, not a module setting that
    threads entering and leaving out of order could leave raised for every later call."""
    from concurrent.futures import ThreadPoolExecutor

    from declutter import Cleaner
    from declutter.model import stages

    limit = stages.NUMPY_MAX_ROWS
    text = "\n\n".join(f"Paragraph {i} of a long report on the harbour." for i in range(200))
    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(lambda _: Cleaner().clean(text), range(8)))
    assert stages.NUMPY_MAX_ROWS == limit
    assert len(set(outputs)) == 1


@pytest.mark.parametrize("onnx_file", [True, False])
def test_a_batch_process_takes_a_compiled_predictor_from_its_second_chunk(onnx_file, tmp_path):
    """Only a Cleaner's first call walks in NumPy: on long runs a compiled
    predictor is 2-4x faster a line. That is onnxruntime when the model has
    its NAME.onnx (and onnxruntime is installed), else scikit-learn's."""
    pytest.importorskip("onnxruntime")
    from declutter.model import default_model_path

    model = default_model_path()
    if not onnx_file:
        model = _copy_model(model, tmp_path / "plain")
        model.with_suffix(".onnx").unlink()  # the card names it, but a model cleans without it
    docs = _jsonl_of_long_records(tmp_path / "docs.jsonl", 8)  # two chunks of 160 lines
    run = (
        "from declutter.cli import main\n"
        "main(['batch', sys.argv[1], '-o', sys.argv[1] + '.out', '--quiet', '--jobs', '1', '--chunk-size', '4',"
        f" '--model', {str(model)!r}])"
    )
    assert _imported_heavy_modules(run, docs) == (["onnxruntime"] if onnx_file else ["sklearn"])


def test_an_other_feature_version_is_refused(tiny_model, tmp_path):
    _, path = tiny_model
    copy = tmp_path / "old.skops"
    copy.write_bytes(path.read_bytes())
    card = json.loads(path.with_suffix(".json").read_text())
    card["feature_version"] = -1
    copy.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="retrain"):
        load_model(copy)


def _write_old_format(model, path: Path, fmt: int) -> Path:
    """`model` as a format 1 or 2 file: everything in the .skops (vocabulary a list in 1, a string in 2)."""
    import hashlib

    import skops.io

    from declutter.features import FEATURE_VERSION

    payload = {
        "format": fmt,
        "feature_version": FEATURE_VERSION,
        "vocabulary": list(model.vocabulary) if fmt == 1 else "\n".join(model.vocabulary),
        "own_mean": np.asarray(model.own_mean, dtype=np.float32),
        "own_scale": np.asarray(model.own_scale, dtype=np.float32),
        "text_model": model.text_model,
        "context_model": model.context_model,
    }
    skops.io.dump(payload, path)
    card = dict(model.card, format=fmt, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    card.pop("arrays_sha256", None)
    path.with_suffix(".json").write_text(json.dumps(card))
    return path


@pytest.mark.parametrize("fmt", [1, 2])
def test_format_1_and_2_files_still_load(tiny_model, tmp_path, fmt):
    model, _ = tiny_model
    old = _write_old_format(model, tmp_path / f"format{fmt}.skops", fmt)
    for estimators in (True, False):
        loaded = load_model(old, estimators=estimators)
        assert loaded.vocabulary == list(model.vocabulary)
        docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
        for a, b in zip(model.predict(docs), loaded.predict(docs)):
            np.testing.assert_array_equal(a, b)
    card = json.loads(old.with_suffix(".json").read_text())
    card["format"] = 4  # a format from a newer declutter
    old.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="reads formats 1, 2, 3"):
        load_model(old)


def test_a_model_without_card_is_refused(tiny_model, tmp_path):
    _, path = tiny_model
    lonely = tmp_path / "lonely.skops"
    lonely.write_bytes(path.read_bytes())
    with pytest.raises(ModelError, match="no model card"):
        load_model(lonely)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_stage1_without_the_stacked_matrix_matches_sklearn(n_classes):
    """`LinearStage.proba` splits the coefficients instead of stacking [tokens, own]:
    it must give what LogisticRegression.predict_proba gives on the stack."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from declutter.model.stages import LinearStage

    rng = np.random.default_rng(0)
    tokens = sparse.random(400, 50, density=0.1, format="csr", random_state=1, dtype=np.float32)
    tokens.data[:] = 1.0
    own = rng.normal(size=(400, 6)).astype(np.float32)
    y = rng.integers(0, n_classes, 400)
    stacked = sparse.hstack([tokens, sparse.csr_matrix(own)], format="csr")
    lr = LogisticRegression(max_iter=200).fit(stacked, y)
    order = tuple(str(c) for c in lr.classes_)
    got = LinearStage.from_estimator(lr).proba(tokens, own, order)
    np.testing.assert_allclose(got, lr.predict_proba(stacked), rtol=0, atol=1e-6)


def test_default_model_stage1_matches_sklearn_on_real_lines():
    from conftest import SEEDS

    from declutter.document import split_document
    from declutter.features import line_features
    from declutter.model import ordered_proba

    model = load_model()
    docs = [split_document(p.read_text(encoding="utf-8")).texts for p in SEEDS]
    assert len(docs) == 5
    stage1, _ = model.predict(docs)
    expected = ordered_proba(model.text_model, model.stage1_inputs(line_features(docs)))
    np.testing.assert_allclose(stage1, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "field, value, message",
    [("left", 10**6, "out of bounds"), ("right", 0, "out of bounds"), ("feature_idx", 500, "feature it does not read")],
)
def test_a_tree_that_would_index_out_of_bounds_is_refused(tiny_model, tmp_path, field, value, message):
    """Neither NumPy nor skops checks what a tree's indices point at, and the
    walk (ours and scikit-learn's) follows them without bounds checks. A file
    with a bad index, even one whose card matches, is refused at load time
    instead of crashing the process when it runs: in the arrays and in the
    estimators of an older format."""
    model, path = tiny_model

    def bad_index(arrays):
        arrays[f"stage2_node_{field}"][_first_inner(arrays)] = value

    with pytest.raises(ModelError, match=message):
        load_model(_resealed_arrays(path, tmp_path / "bad", bad_index), estimators=False)

    old = copy.deepcopy(model)
    tree = old.context_model._predictors[0][0]
    tree.nodes[field][np.flatnonzero(tree.nodes["is_leaf"] == 0)[0]] = value
    with pytest.raises(ModelError, match=message):
        load_model(_write_old_format(old, tmp_path / "bad2.skops", 2))


def test_a_tree_splitting_on_a_category_is_refused(tiny_model, tmp_path):
    model, _ = tiny_model
    old = copy.deepcopy(model)
    tree = old.context_model._predictors[0][0]
    tree.nodes["is_categorical"][np.flatnonzero(tree.nodes["is_leaf"] == 0)[0]] = 1
    with pytest.raises(ModelError, match="categorical"):
        load_model(_write_old_format(old, tmp_path / "categorical.skops", 2))


def test_stage1_coefficients_must_fit_the_features(tiny_model, tmp_path):
    import copy

    model, _ = tiny_model
    bad = copy.deepcopy(model)
    bad.vocabulary = bad.vocabulary[:-1]
    with pytest.raises(ModelError, match="coefficients"):
        load_model(bad.save(tmp_path / "short.skops"))


def test_the_trees_predict_on_one_openmp_thread(tiny_model, monkeypatch):
    """One thread: the predictor opens an OpenMP region per tree, and on a busy
    machine (or in joblib workers) extra threads only wait on each other."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    from declutter.model import stages

    seen: list[int] = []
    predict = TreePredictor.predict

    def spy(self, X, known_cat_bitsets, f_idx_map, n_threads):
        seen.append(n_threads)
        return predict(self, X, known_cat_bitsets, f_idx_map, n_threads)

    monkeypatch.setattr(TreePredictor, "predict", spy)
    model, _ = tiny_model
    model.predict([[f"Line {i} of a long list." for i in range(stages.NUMPY_MAX_ROWS + 1)]])
    assert seen and set(seen) == {1}


def _stage2_inputs(model, docs):
    from declutter.features import context_features, line_features, token_matrix
    from declutter.model import CLASSES

    feats = line_features(docs)
    tokens = token_matrix(feats.texts, model.vocab_index, feats.lowered)
    own = (feats.own - model.own_mean) / model.own_scale
    return context_features(feats, model.stages[0].proba(tokens, own, CLASSES))


@pytest.mark.parametrize("walk", ["numpy", "sklearn", "onnx"])
def test_every_tree_walk_gives_sklearns_probabilities_on_real_lines(walk, monkeypatch):
    """NumPy's and scikit-learn's walks give predict_proba exactly; onnxruntime
    adds the same leaves in another order (within 1e-12)."""
    from declutter.model import stages
    from declutter.model import ordered_proba, default_model_path

    model = load_model(default_model_path())
    tree_stage = model.stages[1]
    if walk == "onnx":
        pytest.importorskip("onnxruntime")
        assert tree_stage.onnx is not None  # the shipped model has its NAME.onnx
    else:
        monkeypatch.setattr(tree_stage, "onnx", None)
        monkeypatch.setattr(stages, "NUMPY_MAX_ROWS", 10**9 if walk == "numpy" else 0)
    docs = [[ln["text"] for ln in json.loads(p.read_text())["lines"]] for p in sorted(SEEDS.glob("*.json"))]
    X = _stage2_inputs(model, docs)
    order = ("article", "title", "boilerplate")

    def same(got, expected):
        if walk == "onnx":
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
        else:
            np.testing.assert_array_equal(got, expected)

    for rows in (X[:1], X[:7], X[:64], X):
        same(tree_stage.proba(rows, order), ordered_proba(model.context_model, rows))
    # A missing value goes where each tree sends missing values, as in scikit-learn.
    holes = X[:20].copy()
    holes[::3, ::4] = np.nan
    same(tree_stage.proba(holes, order), ordered_proba(model.context_model, holes))


def test_a_replaced_stage_2_is_not_served_stale(tiny_model):
    import dataclasses

    from declutter.model import ordered_proba

    model, _ = tiny_model
    model = dataclasses.replace(model)
    docs = [["Read more", "The council agreed on Monday to extend the ceasefire by a week, officials said."]]
    _, stage2 = model.predict(docs)
    np.testing.assert_array_equal(stage2, ordered_proba(model.context_model, _stage2_inputs(model, docs)))
    changed = copy.deepcopy(model.context_model)
    changed._baseline_prediction = changed._baseline_prediction + np.array([[2.0, 0.0, -2.0]])
    other = dataclasses.replace(model, context_model=changed)
    _, stage2_other = other.predict(docs)
    assert not np.allclose(stage2_other, stage2)
    np.testing.assert_array_equal(stage2_other, ordered_proba(changed, _stage2_inputs(other, docs)))


def _set(arrays, key, value, at=None):
    values = arrays[key] if at is None else arrays[key].astype(type(value))
    if at is None:
        arrays[key] = value
    else:
        values[at] = value
        arrays[key] = values


@pytest.mark.parametrize(
    "change, message",
    [
        # a flag neither 0 nor 1 is a leaf to a != 0 test and inner to scikit-learn's uint8 record
        (lambda a: _set(a, "stage2_node_is_leaf", np.int64(256), _first_inner(a)), "other than 0 and 1"),
        (lambda a: _set(a, "stage2_node_feature_idx", np.float64("nan"), _first_inner(a)), "wrong shape or type"),
        # four sizes of 2**62 wrap around to the real node count when summed
        (lambda a: _set(a, "stage2_tree_sizes", np.array([2**62] * 4 + [int(a["stage2_tree_sizes"].sum())] * (len(a["stage2_tree_sizes"]) - 4))), "sizes"),
        (lambda a: _set(a, "stage2_baseline", np.zeros(0)), "classes"),
        (lambda a: _set(a, "vocabulary", np.array(10**11)), "not UTF-8 bytes"),
        (lambda a: _set(a, "stage1_coef", a["stage1_coef"].astype(str)), "floating-point"),
    ],
)
def test_crafted_arrays_with_a_matching_card_are_refused_not_crashed_on(tiny_model, tmp_path, change, message):
    """Each of these crashed the process (segfault) or raised something other than ModelError."""
    _, path = tiny_model
    bad = _resealed_arrays(path, tmp_path / "crafted", change)
    with pytest.raises(ModelError, match=message):
        load_model(bad, estimators=False)


@pytest.mark.parametrize("walk", ["numpy", "sklearn"])
def test_a_two_class_model_predicts_exactly_as_sklearn(walk, monkeypatch):
    """Two classes: one logit, turned into probabilities by scipy's expit, as scikit-learn does."""
    from scipy import sparse
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from declutter.model import stages

    monkeypatch.setattr(stages, "NUMPY_MAX_ROWS", 10**9 if walk == "numpy" else 0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 5))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "article", "boilerplate")
    order = ("article", "boilerplate")
    hgb = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    np.testing.assert_array_equal(stages.TreeStage.from_estimator(hgb).proba(X, order), hgb.predict_proba(X))
    lr = LogisticRegression().fit(X, y)
    got = stages.LinearStage.from_estimator(lr).proba(sparse.csr_matrix((600, 0)), X, order)
    np.testing.assert_allclose(got, lr.predict_proba(X), rtol=0, atol=1e-15)


def _without_onnx(model):
    model.stages[1].onnx = None  # stage 2 on scikit-learn's predictor, as without declutter[fast]
    return model


def test_threads_sharing_a_model_make_one_onnx_session(monkeypatch):
    """The session is made on first use, under a lock: four threads at once
    make it once (making it is slowed down here, so the threads do overlap)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    pytest.importorskip("onnxruntime")
    from declutter.model import onnx_trees

    docs = [[f"Line {i} of a long list, with some words." for i in range(300)]]
    expected = load_model(estimators=False).predict(docs)[1]
    made = []
    make = onnx_trees._session

    def slow_session(model):
        time.sleep(0.05)
        made.append(1)
        return make(model)

    monkeypatch.setattr(onnx_trees, "_session", slow_session)
    fresh = load_model(estimators=False)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: fresh.predict(docs)[1], range(4)))
    assert len(made) == 1
    for got in results:
        np.testing.assert_array_equal(got, expected)


def test_threads_sharing_a_model_get_every_tree(monkeypatch):
    """The predictors are built on first use; a thread must never see half of them
    (building each is slowed down here, so the threads do overlap)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    docs = [[f"Line {i} of a long list, with some words." for i in range(300)]]
    expected = _without_onnx(load_model(estimators=False)).predict(docs)[1]
    build = TreePredictor.__init__

    def slow_build(self, *args):
        time.sleep(0.0005)
        build(self, *args)

    monkeypatch.setattr(TreePredictor, "__init__", slow_build)
    for _ in range(2):
        fresh = _without_onnx(load_model(estimators=False))
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _, model=fresh: model.predict(docs)[1], range(4)))
        for got in results:
            np.testing.assert_array_equal(got, expected)
