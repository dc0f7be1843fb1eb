"""The benchmark baselines (benchmarks/baselines.py) and the quality script, on the seeds.

Fast and model-free: C4 rules and jusText on the five hand-labeled seed
documents, and `benchmarks/quality.py --no-declutter` end to end on a tiny
lines directory made from them.
"""

from __future__ import annotations

import doctest
import gzip
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest.importorskip("justext")

from benchmarks import baselines, quality
from benchmarks.baselines import c4_line, c4_rules, justext_rules, keep_all, kept_text
from declutter.teach.metrics import line_scores
from declutter.teach.documents import LabeledDoc

SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.json"))


def _seed(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _lines(fx: dict) -> list[str]:
    return [ln["text"] for ln in fx["lines"]]


def _labels(fx: dict) -> list[str]:
    return [ln["label"] for ln in fx["lines"]]


@pytest.fixture(params=SEEDS, ids=[p.stem for p in SEEDS])
def seed(request) -> dict:
    return _seed(request.param)


def test_baselines_doctests():
    result = doctest.testmod(baselines)
    assert result.attempted > 5 and result.failed == 0


def test_quality_doctests():
    result = doctest.testmod(quality)
    assert result.attempted >= 1 and result.failed == 0


def test_every_baseline_gives_one_decision_per_line(seed):
    lines = _lines(seed)
    for decisions in (keep_all(lines), c4_rules(lines), justext_rules(lines, "en")):
        assert len(decisions) == len(lines)
        assert all(d.kept == (d.reason is None) for d in decisions)


def test_keep_all_output_is_the_input(seed):
    lines = _lines(seed)
    assert kept_text(lines, keep_all(lines)) == "\n".join(lines)


def test_c4_drops_read_more_teasers_and_credits():
    fx = _seed(SEEDS[0])  # 000: Moscow Times, with a "Read more" teaser section
    by_text = dict(zip(_lines(fx), c4_rules(_lines(fx))))
    for line in ("Read more", "Read more about: Ukraine war", "kremlin.ru", "Contribute today"):
        assert by_text[line].reason == "no_terminal_punct", line
    # ...and, being punctuation-based, keeps a donation appeal that ends in "!"
    assert by_text["Support The Moscow Times!"].kept


def test_c4_keeps_the_body_of_a_clean_story():
    fx = _seed(SEEDS[3])  # 003: body only, every line a full sentence
    assert all(d.kept for d in c4_rules(_lines(fx)))


@pytest.mark.parametrize(
    "line, reason",
    [
        ("Photo: AP", "no_terminal_punct"),
        ("Subscribe to our newsletter...", "no_terminal_punct"),
        ("Sign up!", "too_few_words"),
        ("You need to enable JavaScript to run this app.", "javascript"),
        ("This site uses cookies to improve your experience.", "policy"),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "lorem_ipsum"),
        ("function() { return 1; } is the callback.", "curly_bracket"),
        ("The town was founded in 1820.[3]", None),
        ("他说：这场战争还没有结束。", "too_few_words"),  # C4 counts whitespace words
        ("« Nous resterons ici », a-t-il déclaré à la presse. »", None),
    ],
)
def test_c4_reasons(line, reason):
    assert c4_line(line).reason == reason


def test_justext_maps_every_line_by_position(seed):
    lines = _lines(seed)
    stats: dict[str, int] = {}
    justext_rules(lines, "en", stats)
    assert stats["lines"] == stats["mapped_by_xpath"] == len(lines)
    assert stats["mapped_by_text"] == stats["no_paragraph"] == 0


def test_justext_survives_markup_and_control_characters():
    lines = ["<p>not a tag</p> & more", "tab\there\x0bvertical", "   ", "Body " * 60]
    stats: dict[str, int] = {}
    decisions = justext_rules(lines, "en", stats)
    assert len(decisions) == 4
    assert decisions[2].reason == "justext_no_paragraph"  # blank: no paragraph to map
    assert decisions[0].reason and decisions[0].reason.startswith("justext_")
    assert stats["mapped_by_xpath"] == 3


def test_justext_keeps_a_clean_story_and_drops_appeals():
    fx = _seed(SEEDS[2])  # 002: RFE/RL story, a credit line at the end
    decisions = justext_rules(_lines(fx), "en")
    scores = line_scores(_labels(fx), [d.kept for d in decisions])
    assert scores["article"]["recall"] >= 0.95
    assert not decisions[-1].kept  # "With reporting by Reuters, AP, TASS, and dpa"
    fx0 = _seed(SEEDS[0])
    kept0 = dict(zip(_lines(fx0), justext_rules(_lines(fx0), "en")))
    assert not kept0["Contribute today"].kept


def test_justext_stoplist_fallback():
    assert baselines.justext_stoplist_name("pt") == ("Portuguese", False)
    assert baselines.justext_stoplist_name("ja") == ("English", True)


def test_score_uses_project_metrics(seed):
    docs = [LabeledDoc(_lines(seed), _labels(seed), "seed", "seeds", meta={"gold": seed["expected"]})]
    s = quality.score(docs, quality.run_baseline(quality.BASELINES["no cleaning"], docs))
    assert s["article"]["recall"] == 1.0 and s["kept_share"] == 1.0
    assert s["gold_docs"] == 1 and 0 < s["token_f1"] <= 1


def _write_seed_lines(lines_dir, published_extra=None):
    """The seeds as a build_lines wcxb_dev file; `published_extra` adds a
    line to each gold as published (gold_published), as a caption would be."""
    lines_dir.mkdir()
    with gzip.open(lines_dir / "wcxb_dev.jsonl.gz", "wt", encoding="utf-8") as fh:
        for i, path in enumerate(SEEDS):
            fx = _seed(path)
            rec = {
                "id": path.stem, "dataset": "wcxb_dev", "site": f"site{i}", "lang": "en",
                "shape": "residue" if i % 2 == 0 else "page", "page_type": "article",
                "gold": fx["expected_no_title"],
                "lines": [{"text": ln["text"], "label": ln["label"]} for ln in fx["lines"]],
            }
            if published_extra:
                rec["gold_published"] = fx["expected_no_title"] + "\n" + published_extra
            fh.write(json.dumps(rec) + "\n")


def test_quality_script_runs_baselines_end_to_end(tmp_path, capsys):
    lines_dir = tmp_path / "lines"
    _write_seed_lines(lines_dir)
    out = tmp_path / "q.json"
    code = quality.main(["--lines", str(lines_dir), "--datasets", "wcxb_dev", "cleaneval",
                         "--no-declutter", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "C4 rules" in printed and "jusText" in printed and "declutter: NOT RUN" in printed
    assert "cleaneval.jsonl.gz" in printed  # reported missing, not fatal
    report = json.loads(out.read_text())
    residue = report["results"]["residue"]["wcxb_dev"]
    assert residue["docs"] == 3 and report["results"]["page"]["wcxb_dev"]["docs"] == 2
    assert set(residue["systems"]) == {"no cleaning", "C4 rules", "jusText"}
    assert residue["systems"]["no cleaning"]["boilerplate"]["recall"] == 0.0
    assert report["justext_mapping"]["no_paragraph"] == 0


def test_quality_scores_token_f1_against_the_mapped_gold_unless_asked_for_the_published_one(tmp_path):
    lines_dir = tmp_path / "lines"
    _write_seed_lines(lines_dir, published_extra="Caption words only the published gold holds")
    f1 = {}
    for flag in ([], ["--published-gold"]):
        out = tmp_path / f"q{len(flag)}.json"
        assert quality.main(["--lines", str(lines_dir), "--datasets", "wcxb_dev", "--no-declutter",
                             "--json", str(out), *flag]) == 0
        f1[bool(flag)] = json.loads(out.read_text())["results"]["residue"]["wcxb_dev"]["systems"]["no cleaning"]["token_f1"]
    assert f1[True] < f1[False]


def test_throughput_profile_times_every_stage(tmp_path, model_path):
    """The per-stage profile wraps pipeline functions by name: a renamed one must fail here, not mid-benchmark."""
    from benchmarks import throughput

    path = tmp_path / "docs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for seed in SEEDS:
            fh.write(json.dumps({"text": "\n".join(_lines(_seed(seed)))}, ensure_ascii=False) + "\n")
    result = throughput.profile(str(path), model_path, n_docs=5, chunk_size=2)
    assert result["documents"] == 5
    for stage in ("split", "features", "stage 2 model", "labels", "repair", "JSON write"):
        assert result["stages"][stage] > 0, stage


def test_the_profile_samples_the_whole_corpus_not_its_head(tmp_path):
    """The corpus is written dataset by dataset; a profile of its first records measured other documents."""
    from benchmarks import throughput

    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"".join(b'{"i": %d}\n' % i for i in range(10)))
    picked = [json.loads(raw)["i"] for raw in throughput.spread_sample(str(path), 4).splitlines()]
    assert picked == [0, 2, 5, 7]
    assert throughput.spread_sample(str(path), 50).count(b"\n") == 10


def test_a_leave_one_out_model_is_scored_with_both_thresholds_of_the_main_card(tmp_path, tiny_model):
    """A LODO card has no tuned thresholds; the main card's residue and page
    thresholds apply, not one cut for every document (which would keep
    page-like documents from ever seeing the page threshold)."""
    import argparse
    import dataclasses

    model, _ = tiny_model
    main = dataclasses.replace(model, card={"name": "main", "threshold": 0.8, "page_threshold": 0.6,
                                            "training_sets": {"wcxb_dev": "test"}})
    main_path = main.save(tmp_path / "main.skops")
    lodo = dataclasses.replace(model, card={"name": "lodo", "training_sets": []})
    lodo.save(tmp_path / "lodo" / "wcxb_dev.skops")
    args = argparse.Namespace(no_declutter=False, model=main_path, between_floor=0.5, between_max_run=1,
                              threshold=None, datasets=["wcxb_dev"], lodo_models=tmp_path / "lodo")
    models = quality.resolve_models(args)
    scored, config = models.for_dataset("wcxb_dev")
    assert scored.name == "lodo"
    assert config.threshold is None
    assert (scored.threshold, scored.page_threshold) == (0.8, 0.6)
    args.threshold = 0.7  # --threshold still overrides every card
    assert quality.resolve_models(args).for_dataset("wcxb_dev")[1].threshold == 0.7


def test_snippets_doctests():
    from benchmarks import snippets

    result = doctest.testmod(snippets)
    assert result.attempted >= 3 and result.failed == 0


def _snippet_data(tmp_path: Path) -> tuple[Path, Path]:
    """A lines directory and a data directory in trafilatura_eval's shape, made from the seeds.

    Must-keep snippets: each seed's first article line; must-drop: its boilerplate lines.
    """
    lines_dir, data_dir = tmp_path / "lines", tmp_path / "data"
    lines_dir.mkdir()
    data_dir.mkdir()
    with gzip.open(lines_dir / "trafilatura_eval.jsonl.gz", "wt", encoding="utf-8") as lines_fh, \
            gzip.open(data_dir / "trafilatura_eval.jsonl.gz", "wt", encoding="utf-8") as data_fh:
        for i, path in enumerate(SEEDS):
            fx = _seed(path)
            page_id = f"trafilatura_eval/{path.stem}"
            keep = next(ln["text"] for ln in fx["lines"] if ln["label"] == "article")
            drop = [ln["text"] for ln in fx["lines"] if ln["label"] == "boilerplate"]
            data_fh.write(json.dumps({"id": page_id, "meta": {"with": [keep], "without": drop}}) + "\n")
            rec = {"id": page_id, "dataset": "trafilatura_eval", "site": f"site{i}", "lang": "de" if i % 2 else "en",
                   "shape": "residue", "lines": [{"text": ln["text"], "label": None} for ln in fx["lines"]]}
            lines_fh.write(json.dumps(rec) + "\n")
    return lines_dir, data_dir


def _run_snippets(tmp_path: Path, tiny_model, capsys, training_sets: dict) -> tuple[dict, str]:
    """snippets.py on the seed-made set, declutter being the tiny model with this card's training_sets."""
    import dataclasses

    from benchmarks import snippets

    lines_dir, data_dir = _snippet_data(tmp_path)
    model, _ = tiny_model
    lodo = dataclasses.replace(model, card={"name": "lodo", "training_sets": training_sets})
    lodo_path = lodo.save(tmp_path / "lodo" / "trafilatura_eval.skops")
    out = tmp_path / "s.json"
    code = snippets.main(["--lines", str(lines_dir), "--data", str(data_dir), "--lodo-model", str(lodo_path),
                          "--json", str(out)])
    assert code == 0
    return json.loads(out.read_text()), capsys.readouterr().out


def test_snippets_script_scores_every_system_with_a_leave_one_out_model(tmp_path, tiny_model, capsys):
    report, printed = _run_snippets(tmp_path, tiny_model, capsys, {"seeds": "test"})
    residue = report["residue"]
    assert set(residue) == {"no cleaning", "C4 rules", "jusText", "declutter"}
    kept_all = residue["no cleaning"]["all"]
    n_drop = sum(ln["label"] == "boilerplate" for path in SEEDS for ln in _seed(path)["lines"])
    # Keeping every line finds every snippet: all must-keep ones, and all must-drop ones too.
    assert (kept_all["tp"], kept_all["fn"], kept_all["fp"], kept_all["tn"]) == (5, 0, n_drop, 0)
    assert kept_all["documents"] == 5 and residue["no cleaning"]["de"]["documents"] == 2
    # The seeds are the tiny model's training data: it drops their boilerplate.
    assert residue["declutter"]["all"]["drop_rate"] > 0.5
    assert "never saw trafilatura_eval" in printed


def test_snippets_script_refuses_a_model_trained_on_the_set(tmp_path, tiny_model, capsys):
    report, printed = _run_snippets(tmp_path, tiny_model, capsys, {"trafilatura_eval": "test"})
    assert "declutter" not in report["residue"]
    assert "was trained on trafilatura_eval" in printed
