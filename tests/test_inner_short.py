"""Short lines inside the article stay (`decide.inner_short_lines`, `Config.keep_inner_short`)."""

from __future__ import annotations

import numpy as np

from declutter import Cleaner, Config
from declutter.decide import Rules, decide, inner_short_lines

LONG = "The regional council voted on Tuesday to delay the new bus timetable until spring."
EXCERPT = """The regional council voted on Tuesday to delay the new bus timetable until the spring, citing driver shortages.
Council members said the delay would give the operator time to recruit and train at least forty new drivers.
[...]
The operator's chief executive told members that recruitment had improved since wages were raised in October.
[...]
Passenger groups welcomed the delay but asked the council to publish monthly figures on cancelled services.
Follow us on Twitter
"""


def _sure_boilerplate(texts: list[str], article: set[int]) -> np.ndarray:
    p = np.array([[0.01, 0.0, 0.99]] * len(texts))
    p[sorted(article)] = [0.98, 0.0, 0.02]
    return p


def test_an_excerpts_elisions_survive_where_the_model_alone_drops_them():
    """The shipped model reads "[...]" between paragraphs as boilerplate at P >= 0.98; a line after the last paragraph stays dropped."""
    alone = Cleaner(Config(keep_inner_short=False)).explain(EXCERPT)
    ruled = Cleaner().explain(EXCERPT)
    elisions = [i for i, line in enumerate(ruled.lines) if line.text == "[...]"]
    assert [alone.lines[i].label for i in elisions] == ["boilerplate", "boilerplate"]
    assert [(ruled.lines[i].label, ruled.lines[i].reason) for i in elisions] == [("article", "inside_article")] * 2
    assert ruled.text.count("[...]") == 2
    assert ruled.lines[-1].text == "Follow us on Twitter" and ruled.lines[-1].label == "boilerplate"


def test_only_lines_between_kept_paragraphs_without_a_boilerplate_form_come_back():
    texts = ["Menu", LONG, "Fee: $95", "- 2 eggs", "Read more", "Photo: Jane Doe", "kremlin.ru", "|  |  |", LONG, "Share"]
    dropped = np.array([True, False, True, True, True, True, True, True, False, True])
    kept = inner_short_lines(texts, np.zeros(len(texts), int), dropped, np.ones(len(texts), bool))
    assert kept.tolist() == [2, 3]


def test_each_document_has_its_own_paragraphs_and_scope_limits_them():
    texts = [LONG, "Fee: $95", LONG, "Fee: $95", LONG]
    doc_ids = np.array([0, 0, 0, 1, 1])  # document 1 has no paragraph before its short line
    dropped = np.array([False, True, False, True, False])
    assert inner_short_lines(texts, doc_ids, dropped, np.ones(5, bool)).tolist() == [1]
    out_of_scope = np.array([True, False, True, True, True])
    assert inner_short_lines(texts, doc_ids, dropped, out_of_scope).tolist() == []


def test_decide_marks_the_rule_and_config_or_a_fixed_threshold_switches_it_off():
    texts = [LONG, "Q: Why now?", LONG]
    stage = _sure_boilerplate(texts, {0, 2})
    starts = np.array([0, 3])
    on = decide(texts, starts, stage, stage, Rules(0.92, 0.65))
    assert (on.labels[1], on.reasons[1]) == ("article", "inside_article")
    off = decide(texts, starts, stage, stage, Rules(0.92, 0.65, keep_inner_short=False))
    assert off.labels[1] == "boilerplate"
    fixed = decide(texts, starts, stage, stage, Rules(0.92, 0.65, override=0.92))
    assert fixed.labels[1] == "boilerplate"  # --threshold means what it says
