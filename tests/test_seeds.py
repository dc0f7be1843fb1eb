"""The five seed documents (fixtures/seeds/): line split, labels, clean output.

`test_split_*` and `test_fixture_*` check the splitter and the fixtures themselves;
the others check the cleaner against the hand labels and expected texts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from declutter.document import split_document

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
FIXTURES = sorted(SEEDS.glob("*.json"))
KEPT = ("article", "title")
# What a repair may change (LABELING.md, "Repairs"): quote marks, invisible characters, whitespace.
QUOTES = set("\"'\u201c\u201d\u2018\u2019\u201e\u201f\u00ab\u00bb")
INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def _load(path: Path) -> tuple[dict, str]:
    fx = json.loads(path.read_text(encoding="utf-8"))
    text = (SEEDS / fx["source"]).read_text(encoding="utf-8")
    return fx, text


@pytest.fixture(params=FIXTURES, ids=[p.stem for p in FIXTURES])
def seed(request) -> tuple[dict, str]:
    return _load(request.param)


def test_fixture_files_present():
    assert len(FIXTURES) == 5, [p.name for p in FIXTURES]


# (a) ------------------------------------------------------------------------------


def test_split_document_matches_fixture(seed):
    fx, text = seed
    doc = split_document(text)
    assert doc.metadata == fx["metadata"]
    assert doc.texts == [line["text"] for line in fx["lines"]]


# (b)-(d): the cleaner ----------------------------------------------------------------


def test_labels(seed):
    import declutter

    fx, text = seed
    result = declutter.clean_and_explain(text)
    assert len(result.lines) == len(fx["lines"])
    known = {k["line"]: k for k in fx.get("known_label_failures", [])}
    still_wrong = [i for i in known if result.lines[i].label == known[i]["got"]]
    assert still_wrong == list(known), f"known label failure fixed? remove it from the fixture: {known}"
    wrong = [
        f"  line {i}: want {want['label']} ({want['why']}), got {got.label}"
        f" ({got.reason}): {want['text'][:70]!r}"
        for i, (want, got) in enumerate(zip(fx["lines"], result.lines))
        if got.label != want["label"] and i not in known
    ]
    assert not wrong, f"{len(wrong)} of {len(fx['lines'])} labels differ:\n" + "\n".join(wrong)


def _known_failures_undone(fx: dict, output: str) -> str:
    """Put the expected text where a known failure (fixture `known_failures`) leaves other text.

    Each known failure must still occur: when the code starts getting it
    right, this fails, and the entry comes out of the fixture.
    """
    for known in fx.get("known_label_failures", []):
        # A line wrongly kept: take it (and the separator before it) out again.
        text = fx["lines"][known["line"]]["text"].strip()
        lines = output.split("\n")
        at = lines.index(text)
        del lines[at]
        if at > 0 and lines[at - 1] == "":
            del lines[at - 1]
        elif at == 0 and lines and lines[0] == "":
            del lines[0]
        output = "\n".join(lines)
    for known in fx.get("known_failures", []):
        assert known["actual"] in output, f"known failure fixed? {known['why']}: remove it from the fixture"
        output = output.replace(known["actual"], known["expected"])
    return output


def test_clean(seed):
    import declutter

    fx, text = seed
    assert _known_failures_undone(fx, declutter.clean(text)) == fx["expected"]


def test_clean_without_title(seed):
    import declutter
    from declutter.config import Config

    fx, text = seed
    result = declutter.clean_and_explain(text, config=Config(keep_title=False))
    assert _known_failures_undone(fx, result.text) == fx["expected_no_title"]


# (e): the fixture itself, independent of the cleaner -----------------------------------


def _alnum(s: str) -> str:
    return "".join(c for c in s if c.isalnum())


def _skeleton(s: str) -> str:
    """`s` without what a repair may change."""
    return "".join(c for c in s if not (c.isspace() or c in QUOTES or c in INVISIBLE))


def _raw_blank_before(text: str) -> list[bool]:
    """Per non-blank physical line: did a blank line stand before it (after the first)?"""
    flags, seen, blank = [], False, False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            blank = seen
            continue
        flags.append(blank)
        seen, blank = True, False
    return flags


def _check_expected(fx: dict, text: str, out: str, labels: tuple[str, ...]) -> list[str]:
    problems = []
    if not out.endswith("\n") or out.endswith("\n\n"):
        problems.append("does not end with exactly one newline")
    blank_before = _raw_blank_before(text)
    assert len(blank_before) == len(fx["lines"])
    cuts: dict[int, list[str]] = {}
    for c in fx["cuts"]:
        cuts.setdefault(c["line"], []).append(c["cut"])
    kept = []
    for i, line in enumerate(fx["lines"]):
        if line["label"] not in labels:
            continue
        src = line["text"]
        for cut in cuts.get(i, []):
            assert src.count(cut) == 1, f"cut {cut!r} not found once in line {i}"
            src = src.replace(cut, "", 1)
        kept.append((i, src))
    # Output lines, each with "a blank line stood before it".
    chunks = out[:-1].split("\n") if out else []
    got, blank = [], False
    for chunk in chunks:
        if chunk == "":
            blank = True
            continue
        got.append((chunk, blank))
        blank = False
    if len(got) != len(kept):
        return problems + [f"{len(got)} output lines for {len(kept)} kept lines"]
    if _alnum(out) != "".join(_alnum(src) for _, src in kept):
        problems.append("letters/digits of the whole text differ from the kept lines minus cuts")
    for n, ((i, src), (line_out, blank)) in enumerate(zip(kept, got)):
        if _alnum(line_out) != _alnum(src):
            problems.append(f"line {i}: letters/digits changed")
        if _skeleton(line_out) != _skeleton(src):
            problems.append(f"line {i}: changed more than quotes/whitespace")
        if line_out != line_out.strip():
            problems.append(f"line {i}: leading/trailing whitespace")
        if n and blank != blank_before[i]:
            problems.append(f"line {i}: blank line before is {blank}, input has {blank_before[i]}")
    return problems


def test_fixture_expected_keeps_letters(seed):
    fx, text = seed
    assert {line["label"] for line in fx["lines"]} <= {"article", "title", "boilerplate"}
    assert sum(line["label"] == "title" for line in fx["lines"]) <= 1
    for c in fx["cuts"]:
        assert fx["lines"][c["line"]]["label"] in KEPT, c
    problems = _check_expected(fx, text, fx["expected"], KEPT)
    problems += [
        "no_title: " + p for p in _check_expected(fx, text, fx["expected_no_title"], ("article",))
    ]
    assert not problems, "\n".join(problems)
