"""Structure the article holds stays: short lines between its paragraphs, a block a paragraph announces, records
(`declutter.inner`, `Config.keep_inner_short`)."""

from __future__ import annotations

import numpy as np

from declutter import Cleaner, Config
from declutter.decide import Rules, decide
from declutter.inner import announced_blocks, inner_short_lines, record_blocks

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


SURVEY = [
    "Fewer than a hundred days before the election, the latest survey of battleground voters finds the incumbents "
    "barely ahead of challengers they have outspent by two to one, and losing ground among independents and older voters.",
    "The survey covered the most competitive districts, where the president now leads among registered voters by four "
    "points, a swing of nine points since the spring and the largest shift the pollsters have recorded in a decade.",
    "Most of these members won their seats in the wave of 2010, and several now trail candidates who have never held "
    "office before, according to the memo released by the group on Sunday morning to reporters and campaign staff.",
]


def _districts(rows: int) -> list[str]:
    states = ["CA", "CO", "IL", "MI", "NJ", "NY", "WI", "FL", "MN", "OH", "PA", "TX", "VA", "IA"]
    table = ["District", "Incumbent", "Margin"]
    for i in range(rows):
        table += [f"{states[i % len(states)]}-{i + 1}", f"Member {chr(65 + i % 26)}. Smith", f"Obama +{i % 9 + 1}"]
    return table


def test_a_table_the_last_paragraph_announces_survives_in_a_text_read_as_a_page():
    """126 one-cell lines after the story make the text page-like; the shipped model alone drops the table."""
    text = "\n".join([*SURVEY, "Battleground districts:", *_districts(42)]) + "\n"
    alone = Cleaner(Config(keep_inner_short=False)).explain(text)
    ruled = Cleaner().explain(text)
    assert sum(line.kept for line in alone.lines) < 20
    assert all(line.kept for line in ruled.lines)
    assert Cleaner().clean(ruled.text) == ruled.text  # still a fixed point


def test_an_announced_block_needs_a_paragraph_a_colon_two_short_lines_and_no_boilerplate_form():
    para = SURVEY[0]
    texts = [para, "Districts:", "CA-10", "Obama +12",  # a block: header and two cells
             para, "Districts:", "CA-10", para,  # one short line is no block
             para, "Related:", "Home", "News",  # the header's form says boilerplate
             "Menu", "Districts:", "CA-10", "Obama +12"]  # no paragraph announces it
    dropped = np.array([False, True, True, True] * 4)
    dropped[[4, 7, 8]] = False
    assert announced_blocks(texts, np.zeros(len(texts), int), dropped).tolist() == [1, 2, 3]


def test_an_announced_block_keeps_its_kept_cells_in_the_run_and_stops_at_the_document():
    para = SURVEY[0]
    texts = [para, "Districts:", "CA-10", "Obama +12", "CO-6", para, "Scores:", "12", "14"]
    dropped = np.array([False, True, True, False, True, False, True, True, True])
    doc_ids = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    assert announced_blocks(texts, doc_ids, dropped).tolist() == [1, 2, 4, 6, 7, 8]
    doc_ids = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1])  # "Scores:" ends its document
    assert announced_blocks(texts, doc_ids, dropped).tolist() == [1, 2, 4]


def _records(n: int) -> list[str]:
    """A bibliography database's entries, as an ERIC search result lists them."""
    lines = []
    for i in range(n):
        lines += [f"Title: Grade Configuration and Student Achievement, Part {i + 1}", f"Author(s): Hough, David {chr(65 + i)}.",
                  "Publication Date: 199" + str(i % 10), "Descriptors:", f"Middle Schools; *Grade {i % 8 + 1}; Achievement",
                  "Document Type: Reports--Research (143)", f"Geographic Source: U.S.; State {i + 1}"]
    return lines


def test_a_list_of_records_after_the_story_survives_in_a_text_read_as_a_page():
    """Field lines ("Document Type: ...") read as navigation, and 84 of them make the text page-like."""
    text = "\n".join([*SURVEY, *_records(12)]) + "\n"
    alone = Cleaner(Config(keep_inner_short=False)).explain(text)
    ruled = Cleaner().explain(text)
    field_lines = [i for i, line in enumerate(ruled.lines) if line.text.startswith("Document Type:")]
    assert sum(not alone.lines[i].kept for i in field_lines) >= 6
    assert all(line.kept for line in ruled.lines)
    assert Cleaner().clean(ruled.text) == ruled.text  # still a fixed point


def test_a_record_block_needs_recurring_field_names_and_a_kept_paragraph_before_it():
    para = SURVEY[0]
    weather = ["HI: 70°", "LO: 47°"] * 3  # two recurring names: a widget, not records
    records = ["Date: May 4", "Location: Rm. 111", "Fee: $95"] * 3
    texts = [para, *weather, para, *records, "Menu", *records]
    doc_ids = np.array([0] * (1 + len(weather)) + [1] * (1 + len(records)) + [2] * (1 + len(records)))
    dropped = np.ones(len(texts), bool)
    dropped[[0, 1 + len(weather)]] = False  # the paragraphs; document 2 has none
    kept = record_blocks(texts, doc_ids, dropped)
    first = 2 + len(weather)
    assert kept.tolist() == list(range(first, first + len(records)))


def test_a_record_block_ends_where_field_lines_stop_and_keeps_no_boilerplate_form():
    para = SURVEY[0]
    records = ["Date: May 4", "Location: Rm. 111", "Read more", "Fee: $95"] * 3
    texts = [para, *records, "Home", "News", "Sports", "Weather", "Contact", "Date: May 9"]
    dropped = np.ones(len(texts), bool)
    dropped[0] = False
    kept = record_blocks(texts, np.zeros(len(texts), int), dropped).tolist()
    assert kept == [i for i in range(1, 1 + len(records)) if texts[i] != "Read more"]


def test_records_laid_out_as_table_rows_are_records_too():
    """A course schedule as an old layout table: the field name alone in a row's first cell."""
    para = SURVEY[0]
    course = ["| Class ID: |  |  | NTG S37 001 |", "| Instructor: |  |  | Jennifer Purkey |",
              "| Location: |  |  | Rm. 111, Shah Center |", "| Fee: |  |  | $95 |"]
    texts = [para, *course * 3]
    dropped = np.ones(len(texts), bool)
    dropped[0] = False
    assert record_blocks(texts, np.zeros(len(texts), int), dropped).tolist() == list(range(1, len(texts)))
