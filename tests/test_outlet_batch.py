"""`declutter batch --outlet-memory`: a first pass learns the long lines each outlet repeats, and the
cleaning pass drops them; stories, short lines and small outlets are left to the model."""

from __future__ import annotations

import json

import pytest

from declutter.io.outlets import memory_from_inputs, outlet_of
from declutter.io.records import BatchOptions
from declutter.model.outlet import STRENGTH_UNLABELED

STORIES = [
    "The council voted on Monday to extend the ceasefire by one more week, officials said.",
    "Fire crews were called to the old mill at noon and found the building empty and cold.",
    "Schools will reopen next week after the long holiday, the mayor told reporters.",
    "A new bridge over the river is to be finished by the end of the year, builders say.",
    "Farmers in the valley expect a late harvest after the wettest spring in decades.",
    "The museum's new wing opens to visitors on Saturday with a show of local painters.",
]
APPEAL = "This story was produced in partnership with the Valley Reporting Project, a nonprofit newsroom."
SHORT = "Share this"


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _outlet_records(host: str = "news.example.org", n: int = len(STORIES)):
    return [
        {"id": i, "url": f"https://www.{host}/2026/{i}",
         "text": f"{STORIES[i]}\n\n{APPEAL}\n\n{STORIES[(i + 1) % len(STORIES)]}\n\n{SHORT}"}
        for i in range(n)
    ]


def _texts(result) -> list[str]:
    return [json.loads(line)["text"] for line in result.stdout.decode("utf-8").splitlines()]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_line_an_outlet_repeats_is_dropped_and_its_stories_are_kept(run_cli, tmp_path, jobs):
    path = _write(tmp_path / "in.jsonl", _outlet_records())
    plain = run_cli(["batch", path, "-o", "-", "--jobs", jobs])
    learned = run_cli(["batch", path, "-o", "-", "--jobs", jobs, "--outlet-memory"])
    assert plain.code == 0 and learned.code == 0, learned.stderr
    assert all(APPEAL in text for text in _texts(plain)), _texts(plain)  # the model alone keeps the appeal
    for story, text in zip(STORIES, _texts(learned)):
        assert story in text and APPEAL not in text
    assert "outlet memory: 1 repeated lines from 6 documents" in learned.stderr


def test_an_outlet_seen_twice_teaches_nothing_and_short_lines_never_count():
    memory_records = _outlet_records(n=2)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        small = _write(Path(tmp) / "small.jsonl", memory_records)
        big = _write(Path(tmp) / "big.jsonl", _outlet_records())
        assert len(memory_from_inputs([small], BatchOptions())[0]) == 0
        memory, documents = memory_from_inputs([big], BatchOptions())
    assert documents == len(STORIES)
    assert memory.strength([APPEAL, SHORT, STORIES[0]]).tolist() == pytest.approx([STRENGTH_UNLABELED, 0.0, 0.0])


def test_outlets_are_told_apart_by_url_host_or_a_named_field(tmp_path):
    # Three documents of each of two sites, each site repeating its own line: both are learned;
    # read as one outlet through a field they share, the same lines are still each in >= 3 documents.
    a = [dict(r, url=f"https://a.example/{i}") for i, r in enumerate(_outlet_records(n=3))]
    b = [dict(r, id=10 + i, url=f"https://b.example/{i}", text=STORIES[3 + i] + "\n\n" + APPEAL.upper())
         for i, r in enumerate(_outlet_records(n=3))]
    path = _write(tmp_path / "two.jsonl", a + b)
    memory, _ = memory_from_inputs([path], BatchOptions())
    assert len(memory) == 1  # APPEAL and APPEAL.upper() normalise to one line, repeated by both sites
    assert outlet_of(a[0]) == "a.example" and outlet_of({"site": "A"}, "site") == "A"


def test_outlet_memory_needs_files_not_stdin(run_cli, model_path):
    result = run_cli(["batch", "-", "-o", "-", "--model", model_path, "--outlet-memory"], b'{"text": "x"}\n')
    assert result.code == 2 and "give files, not -" in result.stderr and "Traceback" not in result.stderr


def test_bad_records_are_left_to_the_cleaning_pass(run_cli, tmp_path):
    records = _outlet_records()
    path = tmp_path / "mixed.jsonl"
    path.write_text("not json\n" + "".join(json.dumps(r) + "\n" for r in records) + '{"id": 99}\n', encoding="utf-8")
    result = run_cli(["batch", str(path), "-o", "-", "--outlet-memory"])
    assert result.code == 1  # the two bad records are reported by the cleaning pass, once each
    assert result.stderr.count("not_json") + result.stderr.count("not valid JSON") >= 1
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()[1:-1]]
    assert [APPEAL in r["text"] for r in out] == [False] * len(STORIES)
