"""Labeled files: JSONL and marked text hold the same thing, round-trip losslessly, and fail clearly."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declutter.document import Line, Result
from declutter.io.labeled import LabeledFormatError, LabeledLine, LabeledText, dumps_jsonl, from_result, loads_jsonl
from declutter.io.marked import dumps_marked, loads_marked, to_marked
from declutter.io.labeled_files import read_labeled, write_labeled
from declutter.teach.documents import to_labeled_docs

DOC = LabeledText(
    "p1",
    [
        LabeledLine("Big news", "title"),
        LabeledLine("  The council met on Monday.  ", "article"),
        LabeledLine(
            "Read more", "boilerplate", flag="reference: article; model: boilerplate (p_boil 0.97)"
        ),
        LabeledLine("# not a comment, a line", None, flag=""),
        LabeledLine("@@ not a header", "article", extra={"score": 0.25}),
        LabeledLine("", "boilerplate"),
        LabeledLine("Tab\tand\u2028separator and “quotes”", "article"),
    ],
    outlet="example.com",
    meta={"shape": "page", "gold": "line one\nline two", "url": "https://example.com/a"},
)


def test_marked_text_reads_back_to_the_same_documents():
    text = dumps_marked([DOC, LabeledText("p2", [], None)])
    assert loads_marked(text) == [DOC, LabeledText("p2", [], None)]


def test_jsonl_reads_back_to_the_same_documents():
    assert loads_jsonl(dumps_jsonl([DOC])) == [DOC]


def test_jsonl_to_marked_to_jsonl_is_byte_identical():
    jsonl = dumps_jsonl([DOC])
    assert dumps_jsonl(loads_marked(dumps_marked(loads_jsonl(jsonl)))) == jsonl


def test_build_lines_records_round_trip_unchanged():
    record = {
        "id": "big9/1",
        "dataset": "big9_news",
        "site": "cnn.com",
        "lang": "en",
        "shape": "residue",
        "page_type": None,
        "gold": "Body.",
        "lines": [{"text": "Body.", "label": "article"}, {"text": "x", "label": None}],
    }
    doc = LabeledText.from_dict(record)
    assert doc.group == "cnn.com"
    assert doc.to_dict() == record
    assert loads_marked(dumps_marked([doc]))[0].to_dict() == record


def test_marks_flags_and_comments_as_a_person_writes_them():
    text = (
        "# my review\n"
        '@@ {"id": "a", "outlet": "x.com"}\n'
        "T Headline\r\n"
        "\n"
        "#! model says boilerplate\n"
        "+! Kept after checking\n"
        "#! I looked at this and unflagged it\n"
        "- Subscribe now\n"
        "?\n"
        "-!\n"
    )
    (doc,) = loads_marked(text)
    assert [(ln.text, ln.label, ln.flag) for ln in doc.lines] == [
        ("Headline", "title", None),
        ("Kept after checking", "article", "model says boilerplate"),
        ("Subscribe now", "boilerplate", None),
        ("", None, None),
        ("", "boilerplate", ""),
    ]


def test_marks_before_any_header_make_one_document_named_after_the_file():
    (doc,) = loads_marked("+ Body one.\n- Share this\n", name="notes.marked")
    assert doc.id == "notes-0" and [ln.label for ln in doc.lines] == ["article", "boilerplate"]


@pytest.mark.parametrize(
    "text, where, what",
    [
        ('@@ {"id": "a"}\n+ ok\n* what\n', ":3:", "expected a mark"),
        ('@@ {"id": "a"}\n+ok\n', ":2:", "one space between the mark"),
        ("@@ {id: a}\n", ":1:", "JSON object"),
        ("@@ [1, 2]\n", ":1:", "JSON object"),
        ('@@ {"id": "a"}\n#= not json\n+ x\n', ":2:", "JSON object"),
        ('@@ {"id": "a"}\n#! why\n@@ {"id": "b"}\n', ":3:", "right above a document line"),
    ],
)
def test_a_malformed_marked_file_names_file_and_line(tmp_path, text, where, what):
    path = tmp_path / "bad.marked"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LabeledFormatError) as err:
        read_labeled(path)
    assert str(path) + where in str(err.value) and what in str(err.value)


@pytest.mark.parametrize(
    "line, what",
    [
        ("{not json}", "not a JSON line"),
        ("[]", "expected a JSON object"),
        ('{"id": "a"}', 'no "lines" list'),
        ('{"lines": []}', 'no "id"'),
        ('{"id": "a", "lines": [{"text": "x", "label": "junk"}]}', "label 'junk'"),
        ('{"id": "a", "lines": ["x"]}', "line 0 of the record"),
    ],
)
def test_a_malformed_jsonl_file_names_file_and_line(tmp_path, line, what):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "lines": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(LabeledFormatError) as err:
        read_labeled(path)
    assert f"{path}:2:" in str(err.value) and what in str(err.value)


def test_a_line_break_inside_a_line_cannot_be_marked_and_says_to_use_jsonl():
    with pytest.raises(LabeledFormatError, match="write JSONL instead"):
        dumps_marked([LabeledText("a", [LabeledLine("one\ntwo", "article")])])


@pytest.mark.parametrize("name", ["docs.marked", "docs.jsonl", "docs.jsonl.gz", "docs.marked.gz"])
def test_files_of_every_form_round_trip(tmp_path, name):
    path = tmp_path / name
    write_labeled([DOC], path)
    assert read_labeled(path) == [DOC]
    if name.endswith(".gz"):
        gzip.open(path).read()  # really gzip


def test_the_form_is_sniffed_when_the_extension_says_nothing(tmp_path):
    path = tmp_path / "labels.data"
    path.write_text(dumps_jsonl([DOC]), encoding="utf-8")
    assert read_labeled(path) == [DOC]
    path.write_text(dumps_marked([DOC]), encoding="utf-8")
    assert read_labeled(path) == [DOC]


def test_to_marked_writes_a_result_as_the_model_labeled_it():
    result = Result(
        "Body.\n",
        "Head",
        {"date": "2022-07-04"},
        [
            Line(0, "Head", label="title", reason="model", score=0.1),
            Line(1, "Body.", label="article", reason="model", score=0.05),
            Line(2, "Support us!", label="boilerplate", reason="context", score=0.91),
        ],
        [],
        model="tiny",
    )
    text = to_marked(result)
    assert text.splitlines() == [
        '@@ {"id": "doc-0", "metadata": {"date": "2022-07-04"}, "model": "tiny"}',
        "T Head",
        "+ Body.",
        "#! context changed the line's own label (p_boil 0.91)",
        "-! Support us!",
    ]
    assert loads_marked(text) == [from_result(result, id="doc-0")]


def test_to_marked_accepts_records_and_training_documents():
    (train_doc,) = to_labeled_docs([DOC])
    assert loads_marked(to_marked([DOC.to_dict()])) == [DOC]
    (back,) = loads_marked(to_marked(train_doc))
    assert [(ln.text, ln.label) for ln in back.lines] == [(ln.text, ln.label) for ln in DOC.lines]
    assert back.outlet == "example.com" and back.meta["shape"] == "page"


def test_training_documents_get_a_gold_text_from_their_article_lines():
    doc = LabeledText(
        "a",
        [
            LabeledLine("Head", "title"),
            LabeledLine("Body.", "article"),
            LabeledLine("Ad", "boilerplate"),
        ],
        "x.com",
    )
    (train_doc,) = to_labeled_docs([doc])
    assert (
        train_doc.meta["gold"] == "Body."
        and train_doc.group == "x.com"
        and train_doc.shape == "residue"
    )


_text = st.text(
    st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=30
)
_line = st.builds(
    LabeledLine,
    _text,
    st.sampled_from(["article", "title", "boilerplate", None]),
    st.one_of(st.none(), _text),
    st.dictionaries(st.sampled_from(["score", "why"]), st.integers(0, 9), max_size=1),
)
_doc = st.builds(
    LabeledText,
    _text.filter(bool),
    st.lists(_line, max_size=6),
    st.one_of(st.none(), _text),
    st.dictionaries(st.sampled_from(["shape", "gold", "url"]), st.text(max_size=20), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_doc, max_size=4))
def test_any_documents_round_trip_through_both_forms(docs):
    assert loads_marked(dumps_marked(docs)) == docs
    assert loads_jsonl(dumps_jsonl(docs)) == docs
    assert json.loads(json.dumps([d.to_dict() for d in docs])) == [d.to_dict() for d in docs]


def test_build_lines_scores_against_the_gold_read_by_the_guide_and_keeps_the_published_one():
    """A page whose gold kept its photo caption, a reference list and the story
    twice: the labels and the gold written for token F1 both leave them out."""
    import sys
    from pathlib import Path

    training = str(Path(__file__).resolve().parent.parent / "training")
    if training not in sys.path:
        sys.path.insert(0, training)
    import build_lines

    body = [
        "The harbour bridge will close to cars on Monday after engineers found cracks in two supports.",
        "Cyclists and pedestrians can still cross it, the council said in a statement on Tuesday.",
    ]
    reference = "^ Smith, Jane (2001). Bridges of the north coast. Harbour Press. Retrieved 2020."
    caption = "The bridge at dusk, seen from the east bank of the harbour"
    html = (
        "<html><body><h1>Bridge closes</h1>" + "".join(f"<p>{p}</p>" for p in body)
        + f"<figure><img src=a.jpg><figcaption>{caption}</figcaption></figure>"
        + f"<h2>References</h2><ol class='references'><li>{reference}</li></ol></body></html>"
    )
    gold = "\n".join([*body, caption, reference, body[0]])
    page = {"id": "readability/x", "dataset": "readability", "url": "https://example.org/x", "lang": "en",
            "html": html, "text": gold, "meta": {"title": "Bridge closes"}}
    docs, _ = build_lines.build_page(page)
    page_doc = next(d for d in docs if d["shape"] == "page")
    labels = {line["text"]: line["label"] for line in page_doc["lines"]}
    assert labels[caption] == labels[reference] == "boilerplate"
    assert labels[body[0]] == labels[body[1]] == "article"
    assert page_doc["gold"] == "\n".join(body)
    assert page_doc["gold_published"] == gold


def test_load_labeled_reads_build_lines_records_through_the_one_reader(tmp_path):
    """A build_lines record: grouped by site, gold kept as the dataset gave it (None stays None)."""
    import gzip
    import json

    from declutter.teach.documents import load_labeled

    records = [
        {"id": "d/1", "dataset": "d", "site": "a.com", "lang": "en", "shape": "page", "page_type": None, "gold": None,
         "lines": [{"text": "Home", "label": "boilerplate"}, {"text": "Body.", "label": "article"}]},
        {"id": "d/2", "dataset": "d", "site": "b.com", "outlet": "B", "lang": "en", "shape": "residue",
         "page_type": "article", "gold": "Body.", "gold_published": "Body!", "lines": [{"text": "Body.", "label": None}]},
    ]
    path = tmp_path / "d.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    first, second = load_labeled([str(path)])
    assert (first.lines, first.labels, first.group, first.shape, first.meta["gold"]) == (
        ["Home", "Body."], ["boilerplate", "article"], "a.com", "page", None
    )
    assert second.group == "b.com"  # the site first, as build_lines' folds need
    assert second.meta == {"id": "d/2", "lang": "en", "page_type": "article", "gold": "Body.", "gold_published": "Body!"}
    assert [d.meta["id"] for d in load_labeled([str(path)], shape=["residue"])] == ["d/2"]
