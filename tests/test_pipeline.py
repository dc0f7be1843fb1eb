"""Cleaner behaviour: batching, titles, duplicates, thresholds, clean text passing through."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, SEEDS
from declutter import Cleaner, Config, clean, clean_and_explain

TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]


def test_a_batch_gives_the_same_results_as_one_document_at_a_time():
    cleaner = Cleaner()
    batch = cleaner.explain_many(TEXTS)
    for text, result in zip(TEXTS, batch):
        alone = cleaner.explain(text)
        assert result.text == alone.text
        assert [(ln.label, ln.score) for ln in result.lines] == [(ln.label, ln.score) for ln in alone.lines]


@pytest.mark.parametrize("config", [Config(), Config(keep_title=False), Config(repair=False), Config(cut_notices=False)])
def test_batch_summaries_say_what_the_explanations_say(config):
    """`summarize_many` (batch mode) skips the per-line records, not a decision."""
    texts = [*TEXTS, "", "   \n\n", "One line.", " date 2022-07-04 \n\nBody after a bare header.\n"]
    cleaner = Cleaner(config)
    for summary, result in zip(cleaner.summarize_many(texts), cleaner.explain_many(texts)):
        assert summary.text == result.text
        assert summary.lines == len(result.lines)
        dropped: dict[str, int] = {}
        for line in result.lines:
            if not line.kept:
                dropped[line.reason] = dropped.get(line.reason, 0) + 1
        assert summary.dropped == dropped
        assert summary.repairs == len(result.repairs)
        assert summary.model == result.model == cleaner.model.name


def test_at_most_one_title_per_document():
    for result in Cleaner().explain_many(TEXTS):
        assert sum(ln.label == "title" for ln in result.lines) <= 1


def test_every_line_has_a_label_score_and_reason():
    result = clean_and_explain(TEXTS[0])
    for line in result.lines:
        assert line.label in ("article", "title", "boilerplate")
        assert 0.0 <= line.score <= 1.0
        assert line.reason in ("model", "context", "between_boilerplate", "duplicate", "headline", "own_text", "inside_article",
                               "reclean", "header")
        assert (line.output is not None) == line.kept


def test_a_repeated_sentence_is_dropped_as_duplicate():
    sentence = "The council agreed on Monday to extend the ceasefire by another week, officials said."
    text = f"{sentence}\n\nThe vote passed with a large majority after a long debate in the chamber.\n\n{sentence}\n"
    result = clean_and_explain(text)
    assert result.lines[2].reason == "duplicate" and result.lines[2].label == "boilerplate"
    assert result.text.count(sentence) == 1


def test_threshold_moves_the_cut():
    strict = Cleaner(Config(threshold=0.05)).clean(TEXTS[0])
    lenient = Cleaner(Config(threshold=0.99)).clean(TEXTS[0])
    assert len(strict) < len(lenient)


def test_already_clean_articles_pass_through_unchanged():
    """The expected outputs of the seeds are clean text: cleaning them changes nothing."""
    for path in sorted((FIXTURES / "seeds").glob("*.json")):
        fx = json.loads(path.read_text(encoding="utf-8"))
        if fx.get("known_failures"):
            continue
        assert clean(fx["expected"]) == fx["expected"], path.stem


def test_empty_and_blank_inputs():
    assert clean("") == ""
    assert clean(" \n\n\t\n") == ""
    assert clean_and_explain("").lines == []


def test_header_only_input_keeps_metadata():
    result = clean_and_explain(" date 2022-07-04 ")
    assert result.metadata == {"date": "2022-07-04"} and result.text == ""


def test_a_cleaner_loads_its_model_once(tiny_model):
    model, path = tiny_model
    cleaner = Cleaner(model=str(path))
    assert cleaner.model is cleaner.model
    assert cleaner.model.name == "tiny"


def test_cuts_are_recorded_on_the_line():
    text = (FIXTURES / "seeds" / "004_3130723b1c172c41.txt").read_text(encoding="utf-8")
    result = clean_and_explain(text)
    last = [ln for ln in result.lines if ln.kept][-1]
    assert last.cuts == [" (© Telegraph Media Group Ltd 2022)"]
    assert "©" not in result.text


@pytest.mark.parametrize("skip", [("mixed_pair",)])
def test_skipping_a_repair(skip):
    text = (FIXTURES / "seeds" / "002_a35c219f1e7b7b2a.txt").read_text(encoding="utf-8")
    assert "war,” he said" in Cleaner(Config(skip_repairs=skip)).clean(text)
    assert 'war," he said' in clean(text)


def test_a_doubtful_line_between_dropped_lines_of_a_page_like_text_is_dropped():
    """Seed 000: an appeal between two 'Contribute today' buttons, a teaser headline in the 'Read more' block."""
    lines = clean_and_explain(TEXTS[0]).lines
    for i in (2, 18):
        assert (lines[i].label, lines[i].reason) == ("boilerplate", "between_boilerplate"), lines[i]
        assert lines[i - 1].label == lines[i + 1].label == "boilerplate"
    unrevised = Cleaner(Config(between_floor=None)).explain(TEXTS[0]).lines
    assert all(ln.reason != "between_boilerplate" for ln in unrevised)
    assert unrevised[2].kept and unrevised[18].kept


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_each_model_decision_is_its_score_against_the_threshold_it_shows(index):
    """--explain shows P(boilerplate) and the threshold it met: for the lines the
    thresholds decide ("model", "context"), dropped means score >= threshold.
    (Scores are shown rounded to 4 places, so a line within 1e-4 is skipped.)"""
    lines = clean_and_explain(TEXTS[index]).lines
    decided = [ln for ln in lines if ln.reason in ("model", "context") and ln.label != "title"]
    assert decided
    for ln in decided:
        if abs(ln.score - ln.threshold) > 1e-4:
            assert (ln.label == "boilerplate") == (ln.score >= ln.threshold), ln


def _labels_for(p_boiler: list[float], shape: str = "auto") -> list[str]:
    """Labels `decide` gives lines with these stage-2 P(boilerplate), threshold 0.9."""
    import numpy as np

    from declutter.decide import Rules, decide

    stage2 = np.array([[1 - p, 0.0, p] for p in p_boiler])
    texts = [f"line {i}" for i in range(len(p_boiler))]
    labels, reasons, _ = decide(texts, np.array([0, len(texts)]), stage2, stage2, Rules(0.9, 0.9, shape=shape))
    return [reason if reason == "between_boilerplate" else label for label, reason in zip(labels, reasons)]


def test_repeated_sentences_do_not_make_a_text_page_like():
    """Residue holding its article two more times: stage 1 reads each repeat as boilerplate, and
    counted, they made the text page-like, its last paragraphs cut at the page threshold."""
    import numpy as np

    from declutter.decide import SPAN_ANCHOR_CHARS, Rules, decide

    sentence = ("Paragraph {} of the report on the city budget, which the council debated for a long"
                " time on Monday night before it passed the plan with a large majority and went home.")
    assert len(sentence.format(0)) >= SPAN_ANCHOR_CHARS  # each paragraph anchors the story stretch
    body = [sentence.format(i) for i in range(6)]
    tail = [f"Closing remark number {i} on what the vote means for the city." for i in range(3)]
    texts = body + body + body + tail
    p1 = np.array([0.05] * 6 + [0.99] * 12 + [0.05] * 3)
    # The tail sits between the page cut (0.7) and the residue cut (0.9).
    p2 = np.array([0.05] * 6 + [0.99] * 12 + [0.8] * 3)
    scores = [np.stack([1 - p, np.zeros_like(p), p], axis=1) for p in (p1, p2)]
    labels = decide(texts, np.array([0, len(texts)]), *scores, Rules(0.9, 0.7)).labels
    assert labels == ["article"] * 6 + ["boilerplate"] * 12 + ["article"] * 3


def test_the_between_rule_acts_on_page_like_texts_only():
    page = [0.95, 0.6, 0.95] * 7  # 21 lines, mean 0.83: page-like (said so: it has no story stretch)
    assert _labels_for(page, shape="page")[:3] == ["boilerplate", "between_boilerplate", "boilerplate"]
    residue = [0.95, 0.6, 0.95, 0.1, 0.1, 0.1]  # extractor residue: the recall threshold alone decides
    assert _labels_for(residue)[:3] == ["boilerplate", "article", "boilerplate"]
    confident = [0.95, 0.3, 0.95] * 7  # below the 0.5 floor: kept even on a page
    assert _labels_for(confident)[1] == "article"


def test_decisions_in_a_batch_stay_within_each_document():
    """A page-like document's edge is not 'enclosed' by its neighbour document's lines; one title each."""
    import numpy as np

    from declutter.decide import Rules, decide

    p = [0.95] * 20 + [0.6] + [0.95, 0.1, 0.1]  # doc 1 (page-like) ends with a doubtful line; doc 2 opens dropped
    stage2 = np.array([[1 - x, 0.0, x] for x in p])
    stage2[22] = [0.2, 0.7, 0.1]  # doc 2's headline
    texts = [f"line {i}" for i in range(len(p))]
    labels, reasons, _ = decide(texts, np.array([0, 21, 24]), stage2, stage2, Rules(0.9, 0.9))
    assert (labels[20], reasons[20]) == ("article", "model")
    assert labels[21:] == ["boilerplate", "title", "article"] and labels.count("title") == 1


def _page_decisions(p_boiler: list[float], long_anchors: bool = True):
    """`decide` on one page-like text: lines at P < 0.1 are long paragraphs (anchors) unless told not.

    The cuts alone: the rule that keeps short lines between paragraphs is off (tests/test_inner_short.py)."""
    import numpy as np

    from declutter.decide import SPAN_ANCHOR_CHARS, Rules, decide

    paragraph = "x" * SPAN_ANCHOR_CHARS
    texts = [paragraph if x < 0.1 and long_anchors else f"line {i}" for i, x in enumerate(p_boiler)]
    stage2 = np.array([[1 - x, 0.0, x] for x in p_boiler])
    return decide(texts, np.array([0, len(p_boiler)]), stage2, stage2, Rules(0.9, 0.65, keep_inner_short=False))


def test_a_page_like_text_judges_its_story_stretch_at_the_residue_threshold():
    """A table between two long article paragraphs of a page is kept at P 0.8;
    the same doubtful line after the last paragraph (a teaser) is dropped."""
    p = [0.99] * 12 + [0.02, 0.8, 0.8, 0.02] + [0.8] + [0.99] * 8  # 25 lines: page-like
    labels, _, thresholds = _page_decisions(p)
    assert labels[12:16] == ["article"] * 4
    assert labels[16] == "boilerplate"
    assert thresholds[12:16].tolist() == [0.9] * 4 and thresholds[11] == thresholds[16] == 0.65
    # The anchors must be long: the same scores on short lines give no stretch,
    # and a text with no story to set apart is judged as residue (0.9) throughout.
    labels, _, thresholds = _page_decisions(p, long_anchors=False)
    assert set(thresholds.tolist()) == {0.9}
    assert labels[13:15] == ["article"] * 2 and labels[:12] == ["boilerplate"] * 12


def test_config_shape_says_whether_a_document_is_page_like():
    """`Config.shape`: "residue" never lowers the threshold, "page" always does
    outside the story stretch, "auto" judges each document from its scores."""
    import dataclasses

    import numpy as np

    from declutter.decide import Rules, decide

    p = [0.8] * 5  # five doubtful lines: too short to be judged page-like
    stage2 = np.array([[1 - x, 0.0, x] for x in p])
    texts = [f"line {i}" for i in range(len(p))]
    for shape, threshold in [("auto", 0.9), ("residue", 0.9), ("page", 0.65)]:
        rules = dataclasses.replace(Rules(0.9, 0.65), shape=shape)
        _, _, thresholds = decide(texts, np.array([0, len(p)]), stage2, stage2, rules)
        assert np.asarray(thresholds).tolist() == [threshold] * len(p), shape
    page_like = [0.99] * 12 + [0.02, 0.8, 0.8, 0.02] + [0.8] + [0.99] * 8
    stage2 = np.array([[1 - x, 0.0, x] for x in page_like])
    rules = dataclasses.replace(Rules(0.9, 0.65), shape="residue")
    _, _, thresholds = decide(["x" * 200] * len(page_like), np.array([0, len(page_like)]), stage2, stage2, rules)
    assert set(thresholds) == {0.9}
    with pytest.raises(ValueError, match="Config.shape"):
        Config(shape="html")
    assert Cleaner(Config(shape="residue")).rules.shape == "residue"


def test_only_a_repeated_sentence_is_a_duplicate():
    """LABELING.md: a schedule's repeated "Fee: $155" or a "Pros" heading recurs by nature and is no duplicate."""
    import numpy as np

    from declutter.decide import repeated_lines

    texts = ["Pros", "Fee: $155", "Location: Rm. 111, Shah Center", "});",
             "Pros", "Fee: $155", "Location: Rm. 111, Shah Center", "});",
             "The mayor opened the bridge.", "the mayor opened the bridge."]
    assert repeated_lines(texts, np.zeros(len(texts), int)).tolist() == [False] * 9 + [True]


def test_the_between_rule_leaves_a_page_like_texts_story_stretch_alone():
    """Inside the stretch lines are judged as in residue: a doubtful line between
    two dropped ones stays (outside it, the same scores drop it)."""
    p = [0.99] * 12 + [0.02, 0.95, 0.6, 0.95, 0.02] + [0.95, 0.6, 0.95] + [0.99] * 6  # 26 lines: page-like
    labels, reasons, _ = _page_decisions(p)
    assert (labels[14], reasons[14]) == ("article", "model")
    assert labels[13] == labels[15] == "boilerplate"
    assert (labels[18], reasons[18]) == ("boilerplate", "between_boilerplate")  # outside the stretch


def _first_line_decision(stage2_rows: list[list[float]], rules_changes: dict | None = None) -> tuple[str, str]:
    """Label and reason of line 0 when stage 1 reads it as a title and stage 2 as `stage2_rows[0]`."""
    import dataclasses

    import numpy as np

    from declutter.decide import Rules, decide

    stage2 = np.array(stage2_rows, dtype=float)
    stage1 = stage2.copy()
    stage1[0] = [0.2, 0.7, 0.1]  # the line on its own: a headline
    rules = dataclasses.replace(Rules(0.9, 0.65), **(rules_changes or {}))
    labels, reasons, _ = decide([f"line {i}" for i in range(len(stage2))], np.array([0, len(stage2)]), stage1, stage2, rules)
    assert labels.count("title") <= 1
    return labels[0], reasons[0]


def test_context_does_not_overrule_a_first_line_that_reads_as_a_headline():
    """Empty table cells after an old page's headline made stage 2 call it boilerplate (l3s_gn1, big9_news)."""
    body = [[0.95, 0.0, 0.05]] * 6
    another_title = [[0.3, 0.6, 0.1]]  # a line stage 2 would otherwise pick as the title
    decision = _first_line_decision([[0.0, 0.0, 1.0]] + another_title + body)
    assert decision == ("title", "headline")
    assert _first_line_decision([[0.0, 0.0, 1.0]] + body, {"first_line_title": False}) == ("boilerplate", "context")


def test_the_headline_rule_leaves_page_like_text_alone():
    """In all the text of a page the first line is navigation."""
    page = [[0.0, 0.0, 1.0]] * 25
    assert _first_line_decision(page) == ("boilerplate", "context")


def test_the_headline_rule_can_be_switched_off_from_the_config():
    assert Cleaner(Config(first_line_title=False)).rules.first_line_title is False
    assert Cleaner().rules.first_line_title is True


def test_page_like_documents_matches_the_per_document_rule():
    """The batch computation (one sort for all documents) equals the rule
    written out one document at a time with np.median."""
    import numpy as np

    from declutter.decide import (
        PAGE_LIKE_CONFIDENT,
        PAGE_LIKE_CONFIDENT_RATIO,
        PAGE_LIKE_MEDIAN,
        PAGE_LIKE_MIN_LINES,
        page_like_documents,
    )

    rng = np.random.default_rng(1)
    lengths = rng.integers(0, 60, 400)
    doc_ids = np.repeat(np.arange(400), lengths)
    # Scores skewed high in some documents, so both answers occur often.
    p = rng.random(lengths.sum()) ** rng.choice([0.3, 1.0, 3.0], 400)[doc_ids]
    starts = np.concatenate([[0], np.cumsum(lengths)])
    expected = []
    for d in range(400):
        q = p[starts[d] : starts[d + 1]]
        doubtful = ((q >= 0.5) & (q < PAGE_LIKE_CONFIDENT)).sum()
        expected.append(
            bool(len(q) >= PAGE_LIKE_MIN_LINES and np.median(q) >= PAGE_LIKE_MEDIAN
                 and (q >= PAGE_LIKE_CONFIDENT).sum() >= PAGE_LIKE_CONFIDENT_RATIO * doubtful)
        )
    assert 20 < sum(expected) < 380
    assert page_like_documents(p, doc_ids, lengths).tolist() == expected


def test_page_like_reads_each_lines_own_text_not_its_context():
    """A long text that context alone calls navigation (stage 2 at 0.8 on
    every line, as it drifts deep into a long record) is still cut as
    residue when its lines on their own read as article; the same lines read
    as navigation on their own make a page."""
    import numpy as np

    from declutter.decide import Rules, decide

    texts = [f"Speaker {i}: the member asked the minister about the bill." for i in range(30)]
    texts[5] = "The minister said the bill would be debated again next week in the upper house. " * 3
    starts = np.array([0, 30])
    context = np.tile([0.2, 0.0, 0.8], (30, 1))  # stage 2: doubtful boilerplate, the page cut (0.65) would drop it
    context[5] = [0.98, 0.0, 0.02]  # the story's anchor
    own_article = np.tile([0.9, 0.0, 0.1], (30, 1))
    own_navigation = np.tile([0.02, 0.0, 0.98], (30, 1))
    own_navigation[5] = own_article[5]
    rules = Rules(threshold=0.92, page_threshold=0.65)
    as_residue = decide(texts, starts, own_article, context, rules)
    assert set(as_residue.labels) <= {"article", "title"}
    assert as_residue.thresholds.tolist() == [0.92] * 30
    as_page = decide(texts, starts, own_navigation, context, rules)
    assert as_page.labels[6:] == ["boilerplate"] * 24  # after the story stretch, at the page cut


def test_context_does_not_drop_long_prose_its_own_text_calls_article():
    """A long line stage 1 reads as article (P < 0.05) stays, whatever stage 2 says; `--threshold` still cuts it."""
    import numpy as np

    from declutter.decide import Rules, decide

    prose = "The committee heard that the bill would leave farmers without any appeal against a licence. " * 2
    texts = [prose, "Read more about gene technology", prose.replace("committee", "council")]
    stage1 = np.array([[0.98, 0.0, 0.02], [0.5, 0.0, 0.5], [0.97, 0.0, 0.03]])
    stage2 = np.array([[0.02, 0.0, 0.98], [0.01, 0.0, 0.99], [0.5, 0.0, 0.5]])
    labels, reasons, _ = decide(texts, np.array([0, 3]), stage1, stage2, Rules(0.92, 0.65))
    assert (labels[0], reasons[0]) == ("article", "own_text")
    assert labels[1] == "boilerplate"  # short, and doubtful on its own text
    assert (labels[2], reasons[2]) == ("article", "model")
    labels, reasons, _ = decide(texts, np.array([0, 3]), stage1, stage2, Rules(0.92, 0.65, override=0.92))
    assert labels[0] == "boilerplate"


def test_a_missing_model_fails_when_the_cleaner_is_made_naming_the_path(tmp_path):
    from declutter import ModelError

    missing = tmp_path / "missing.skops"
    with pytest.raises(ModelError, match=f"{missing} does not exist"):
        Cleaner(model=str(missing))


@pytest.mark.parametrize(
    "value, message",
    [
        (b"Some text.", r"clean\(\) takes a str, not bytes: decode the bytes first"),
        (bytearray(b"Some text."), r"not bytearray: decode the bytes first"),
        (None, r"clean\(\) takes a str, not None$"),
        (42, r"clean\(\) takes a str, not int$"),
    ],
)
def test_clean_of_anything_but_str_is_a_type_error_saying_what_to_do(value, message):
    with pytest.raises(TypeError, match=message):
        clean(value)
    with pytest.raises(TypeError, match=message):
        Cleaner().clean_many([value])


def test_a_long_text_is_scored_in_windows_of_the_length_the_model_was_trained_on():
    """Deep in a text longer than WINDOW_LINES, a line's scores are those of its window read as a document.

    Scored whole, stage 2 read a long report's later paragraphs with
    document-level inputs (length, position) beyond its training documents
    and dropped them (docs/experiments.md).
    """
    import numpy as np

    from declutter.windows import WINDOW_LINES, WINDOW_OVERLAP

    subjects = ["The council", "The minister", "Local residents", "The court", "Researchers", "The mayor"]
    claims = ["the budget would be cut next year", "the bridge needed urgent repairs",
              "wages had not kept up with prices", "the school would reopen in March", "the plan lacked support"]
    lines = [
        f"{subjects[i % 6]} said on day {i} that {claims[i % 5]}, and {claims[(i // 5) % 5]}."
        for i in range(3 * WINDOW_LINES)
    ]
    cleaner = Cleaner()
    stage1, stage2 = cleaner._predict([lines], one_shot=False)
    start = WINDOW_LINES  # the second window: its lines and WINDOW_OVERLAP lines of context on each side
    window = lines[start - WINDOW_OVERLAP : start + WINDOW_LINES + WINDOW_OVERLAP]
    alone1, alone2 = cleaner.model.predict([window])
    middle = slice(WINDOW_OVERLAP, WINDOW_OVERLAP + WINDOW_LINES)
    assert np.allclose(stage2[start : start + WINDOW_LINES], alone2[middle], atol=1e-5)
    assert np.allclose(stage1[start : start + WINDOW_LINES], alone1[middle], atol=1e-5)
