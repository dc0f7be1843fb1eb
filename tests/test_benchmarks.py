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
    assert "pubF1 C4" in printed and "pubF1 jusText" in printed and "declutter: NOT RUN" in printed
    assert "cleaneval.jsonl.gz" in printed  # reported missing, not fatal
    report = json.loads(out.read_text())
    residue = report["results"]["residue"]["wcxb_dev"]
    assert residue["docs"] == 3 and report["results"]["page"]["wcxb_dev"]["docs"] == 2
    assert set(residue["systems"]) == {"no cleaning", "C4 rules", "jusText", "guide labels"}
    guide = residue["systems"]["guide labels"]  # the labels as a cleaner: exact on them by construction
    assert guide["article"]["recall"] == 1.0 and guide["boilerplate"]["f1"] == 1.0
    nothing = residue["systems"]["no cleaning"]
    assert nothing["boilerplate"]["recall"] == 0.0
    assert nothing["wrecked"] == 0.0 and nothing["structured"]["all"]["recall"] in (None, 1.0)  # keeping all loses nothing
    assert report["justext_mapping"]["no_paragraph"] == 0


def test_quality_scores_the_published_gold_first_and_the_mapped_gold_as_a_second_view(tmp_path):
    lines_dir = tmp_path / "lines"
    _write_seed_lines(lines_dir, published_extra="Caption words only the published gold holds")
    out = tmp_path / "q.json"
    assert quality.main(["--lines", str(lines_dir), "--datasets", "wcxb_dev", "--no-declutter",
                         "--json", str(out)]) == 0
    systems = json.loads(out.read_text())["results"]["residue"]["wcxb_dev"]["systems"]
    nothing = systems["no cleaning"]
    assert nothing["pub_f1"] < nothing["guide_f1"]
    # Following the guide exactly drops what only the published gold keeps: the yardstick shows it.
    assert systems["guide labels"]["pub_f1"] < systems["guide labels"]["guide_f1"]


def test_score_outputs_counts_what_the_guide_keeps_of_a_published_gold():
    from benchmarks.cico import score_outputs

    published = [("a", "Title\nThe story's only paragraph, long enough to count.\nPhoto: Jane Doe")]
    mapped = ["Title\nThe story's only paragraph, long enough to count."]
    result = score_outputs(published, mapped)
    assert result["lines"] == 3 and result["kept"] == round(2 / 3, 4)
    assert result["lost_most_often"] == [("Photo: Jane Doe", 1)]


def test_write_docs_replaces_its_own_section_and_keeps_the_rest(tmp_path):
    from benchmarks import report

    path = tmp_path / "benchmarks.md"
    report.write_docs(path, "## Quality\n\nfirst run")
    path.write_text(path.read_text() + "\n## Throughput\n\nkept\n")
    report.write_docs(path, "## Quality\n\nsecond run")
    text = path.read_text()
    assert "second run" in text and "first run" not in text and "## Throughput" in text
    assert text.count(report.DOCS_BEGIN) == 1


# --- the measures that do not lean on our labels (benchmarks/measures.py) ----------------


@pytest.mark.parametrize("module", ["measures", "report", "scoring", "cico", "heldout"])
def test_new_benchmark_modules_doctests(module):
    import importlib

    result = doctest.testmod(importlib.import_module(f"benchmarks.{module}"))
    assert result.failed == 0


# 20 gold words: 4 in the headline, 14 in the body line, 2 in the fee line
GOLD = "Storm hits the coast\nThe storm hit the coast on Monday and cut power to 20,000 homes.\nFee: $20"


@pytest.mark.parametrize(
    "output, wrecked",
    [
        (GOLD, False),  # everything kept
        (GOLD.replace("\nFee: $20", ""), False),  # recall 0.9, as the input's: nothing lost
        (GOLD.replace("Storm hits the coast\n", ""), True),  # 0.8 < 0.95 x 0.9
        ("", True),
    ],
)
def test_a_document_is_wrecked_when_its_output_keeps_less_than_95_percent_of_the_inputs_gold_recall(output, wrecked):
    from benchmarks.measures import gold_recall, is_wrecked

    noisy_input = "\n".join(GOLD.split("\n")[:2])  # the input itself lacks "Fee: $20"
    r_in = gold_recall(noisy_input, GOLD)
    assert r_in == 0.9
    assert is_wrecked(r_in, gold_recall(output, GOLD)) is wrecked


def test_the_lost_lines_are_the_dropped_ones_that_carried_missing_gold_words():
    from benchmarks.measures import lost_lines

    lines = ["Home", "Storm hits the coast", "The storm hit the coast on Monday and cut power to 20,000 homes.",
             "Coast news", "Fee: $20"]
    kept = [False, True, False, False, True]
    output = "Storm hits the coast\nFee: $20"
    # "Home" is no gold word; "Coast news": the body line took the one missing "coast"
    assert lost_lines(lines, kept, GOLD, output) == [lines[2]]


@pytest.mark.parametrize(
    "line, kind, category",
    [
        ("• Breakfast: oatmeal with berries and a scoop of whey", None, "list"),
        ("3. Hey Jude (7:11) from the 1968 single", None, "list"),
        ("  - name: install nginx and start the service", None, "list"),
        ("| Interface | Bluetooth 5.3 |", None, "table"),
        ("Runs\t12\t45\t0.267", None, "table"),
        ("}", None, "code"),
        ("type Query { user(id: ID!): User }", None, "code"),
        ("Location: Room 101", None, "short"),
        ("Sources:", None, "short"),
        ("The council met on Monday and agreed to extend the ceasefire.", None, None),
        # with the element kind, the kind decides, not the text's shape
        ("The council met on Monday and agreed to extend the ceasefire.", "li", "list"),
        ("Interface Bluetooth version 5.3 with low energy", "table", "table"),
        ("The council met on Monday and agreed to extend the ceasefire.", "list", "list"),
        ("The council met on Monday and agreed to extend the ceasefire.", "h2", None),
        ("SELECT name FROM users WHERE id = 1", "code", "code"),
        ("SELECT name FROM users WHERE id = 1", "pre", "code"),
        ("1. The council met on Monday and agreed to extend it.", "p", None),
        ("Fee: $20", "p", "short"),
        ("| a | b | c | d | e |", "", "table"),  # an empty kind is no kind: the text decides
    ],
)
def test_structured_slice_detection(line, kind, category):
    from benchmarks.measures import structure_of

    assert structure_of(line, kind) == category


@pytest.mark.parametrize(
    "gold, output, kept",
    [
        ("Fee: $20\nLocation: Hall 2", "Fee: $20", [True, False]),
        ("“Heroes of Russia”, he said.", '"Heroes of Russia," he said.', [True]),  # quote repairs do not count
        ("The body ends here. (© Telegraph Media Group Ltd 2022)", "The body ends here.", [False]),  # < 80%
        ("The body of the story ends here. ©2022", "The body of the story ends here.", [True]),  # >= 80%
        ("Fee: $20\nFee: $20", "Fee: $20", [True, False]),  # one output line matches one gold line
    ],
)
def test_clean_in_clean_out_matching(gold, output, kept):
    from benchmarks.measures import gold_lines_kept

    assert [k for _, k in gold_lines_kept(gold, output)] == kept


def test_clean_in_clean_out_matching_agrees_with_the_shared_tool():
    """Same verdicts as ../shared/tools/clean_in_clean_out.py's `kept`, where that file is here."""
    import collections
    import importlib.util

    tool = ROOT.parent / "shared" / "tools" / "clean_in_clean_out.py"
    if not tool.exists():
        pytest.skip("no ../shared/tools here")
    spec = importlib.util.spec_from_file_location("cico_tool", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from benchmarks.measures import gold_line_kept, norm

    outs = ["The body of the story ends here.", "Fee: $20", "x"]
    golds = ["Fee: $20", "The body of the story ends here. ©2022", "Fee: $20", "Location", "x"]
    ours, theirs = collections.Counter(map(norm, outs)), collections.Counter(map(module.norm, outs))
    assert [gold_line_kept(norm(g), ours) for g in golds] == [module.kept(module.norm(g), theirs) for g in golds]


def test_score_finds_a_wrecked_document_that_our_labels_call_intact():
    """Our labels call the fee line boilerplate; the published gold has it: the document is wrecked."""
    from benchmarks.scoring import Run, score

    lines = ["Storm hits the coast", "The storm hit the coast on Monday and cut power to 20,000 homes.",
             "Fee: $20", "Share this"]
    doc = LabeledDoc(lines, ["title", "article", "boilerplate", "boilerplate"], "site", "big9_news",
                     meta={"id": "d1", "gold": "\n".join(lines[:2]), "gold_published": GOLD, "kinds": None})
    run = Run(kept=[[True, True, False, False]], texts=["\n".join(lines[:2])], seconds=0.0)
    s = score([doc], run)
    assert s["article"]["recall"] == 1.0 and s["guide_f1"] == 1.0  # by our labels nothing was lost
    assert s["wrecked"] == 1.0  # input recall 1.0, output 0.9
    assert s["wrecked_docs"][0]["lost"] == ["Fee: $20"]
    assert s["structured"]["short"] == {"n": 1, "kept": 1, "recall": 1.0}  # the 4-word headline


def test_the_worst_list_puts_the_most_article_lost_first_and_skips_sets_in_training():
    from benchmarks.scoring import worst_ten

    def row(status, wrecked):
        return {"status": status, "systems": {"declutter": {"wrecked_docs": wrecked}}}

    tiny = {"id": "a", "recall_in": 0.04, "recall_out": 0.0}  # its input held almost none of the article
    big = {"id": "b", "recall_in": 1.0, "recall_out": 0.5}
    seen = {"id": "c", "recall_in": 1.0, "recall_out": 0.0}
    results = {"residue": {"x": row("held out", [tiny, big]), "wcxb_dev": row("in training", [seen])}}
    assert [w["id"] for w in worst_ten(results)] == ["b", "a"]


def test_load_docs_keeps_the_element_kind_when_the_data_has_it(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i, kinds in enumerate([["li", "p"], None]):
            lines = [{"text": "a b", "label": "article"}, {"text": "c d e f g h", "label": "article"}]
            for ln, k in zip(lines, kinds or []):
                ln["kind"] = k
            fh.write(json.dumps({"id": f"x/{i}", "dataset": "x", "shape": "residue", "lines": lines}) + "\n")
    docs = quality.load_docs(path)
    assert docs[0].meta["kinds"] == ["li", "p"] and docs[1].meta["kinds"] is None


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


def _lodo_setup(tmp_path, tiny_model, lodo_card):
    import argparse
    import dataclasses

    model, _ = tiny_model
    main = dataclasses.replace(model, card={"name": "main", "threshold": 0.8, "page_threshold": 0.6,
                                            "training_sets": {"wcxb_dev": "test"}})
    main_path = main.save(tmp_path / "main.skops")
    lodo = dataclasses.replace(model, card={"name": "lodo", "training_sets": [], **lodo_card})
    lodo.save(tmp_path / "lodo" / "wcxb_dev.skops")
    return argparse.Namespace(no_declutter=False, model=main_path, between_floor=0.5, between_max_run=1,
                              threshold=None, datasets=["wcxb_dev"], lodo_models=tmp_path / "lodo")


def test_a_leave_one_out_model_is_scored_with_its_own_thresholds_not_the_main_cards(tmp_path, tiny_model):
    """The main card's thresholds were tuned with the left-out set in the mix: tuning on the scored set."""
    args = _lodo_setup(tmp_path, tiny_model, {"threshold": 0.9, "page_threshold": 0.7})
    models = quality.resolve_models(args)
    scored, config = models.for_dataset("wcxb_dev")
    assert scored.name == "lodo" and models.status("wcxb_dev") == "LODO model"
    assert config.threshold is None
    assert (scored.threshold, scored.page_threshold) == (0.9, 0.7)
    args.threshold = 0.75  # --threshold still overrides every card
    assert quality.resolve_models(args).for_dataset("wcxb_dev")[1].threshold == 0.75


def test_a_leave_one_out_model_without_thresholds_of_its_own_leaves_the_set_in_training(tmp_path, tiny_model):
    args = _lodo_setup(tmp_path, tiny_model, {})
    models = quality.resolve_models(args)
    assert models.status("wcxb_dev") == "in training"
    assert "no thresholds of its own" in models.refused["wcxb_dev"]
    assert models.for_dataset("wcxb_dev")[0].name == "main"


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


def test_lost_article_lines_are_counted_by_reason_and_cut_and_pooled_over_held_out_sets():
    """A labeled article line declutter drops is counted under the rule and cut that dropped it."""
    from benchmarks.scoring import slices
    from declutter.decide import REASONS
    from declutter.model import default_model_path, load_model

    fx = _seed(SEEDS[0])
    lines, labels = _lines(fx), _labels(fx)
    gone = labels.index("boilerplate")
    labels[gone] = "article"  # a line declutter drops, labeled article: one lost article line
    doc = LabeledDoc(lines, labels, "site", "big9_news", meta={"id": "d1", "kinds": None})
    run = quality.run_declutter(load_model(default_model_path()), [doc])
    assert not run.kept[0][gone]
    assert sum(run.article_lost.values()) == 1
    ((why, _),) = run.article_lost.items()
    reason, cut = why.split(" at ")
    assert reason in (*REASONS, "reclean")  # a decide reason, or a later pass of the fixed point
    assert float(cut) in (0.92, 0.65)  # the shipped card's residue or page cut
    row = {"status": "held out", "systems": {"declutter": quality.score([doc], run)}}
    pooled = slices({"a": row, "b": row}, ["declutter"], False)["article_lost"]["declutter"]
    assert pooled == {why: 2}
