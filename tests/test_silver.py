"""Silver labels: pages rendered as in training, labeled by a precision extraction and the model, disagreements flagged."""

from __future__ import annotations

import gzip
import json

import pytest

from declutter.config import Config
from declutter.errors import InputError
from declutter.io.labeled_files import read_labeled
from declutter.pipeline import Cleaner
from declutter.teach.silver import Page, combine, iter_pages, label_page

PARAGRAPHS = [
    "The city council voted on Monday evening to extend the ceasefire agreement for another full week, officials said after the meeting.",
    "The decision followed three days of talks between the two parties, who had disagreed over the release of prisoners and the opening of roads.",
    "“We have taken a small step, but an important one,” said the mayor, who had chaired the talks in the old town hall since Friday morning.",
    "Residents of the eastern districts said they hoped the extension would allow aid convoys to reach them before the winter weather arrives.",
    "The council will meet again next Monday to decide whether the agreement can be made permanent, according to a statement it released.",
]


def page_html(n: int = 0, host: str = "bugle.example") -> str:
    body = "".join(f"<p>{p} (Report {n}.)</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html><head><title>Ceasefire extended | The Bugle</title>
<link rel="canonical" href="https://www.{host}/news/{n}">
<meta property="og:title" content="Ceasefire extended"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="banner">Support The Bugle! Become a member today</div>
<main><article><h1>Ceasefire extended</h1>
<figure><img src="a.jpg"><figcaption>Photo: Bugle staff</figcaption></figure>
{body}
</article>
<aside><h3>Read more</h3><ul><li><a href="/1">Storm hits the coast again</a></li><li><a href="/2">Markets fall on Friday</a></li></ul></aside>
</main><footer><p>© 2024 The Bugle. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer></body></html>"""


def labels_of(doc) -> dict[str, str | None]:
    return {line.text: line.label for line in doc.lines}


def test_a_page_gives_both_shapes_labeled_against_the_precision_extraction():
    docs = label_page(
        Page("p0", page_html(), "bugle.example", "https://bugle.example/news/0"), cleaner=None
    )
    assert [d.meta["shape"] for d in docs] == ["residue", "page"]
    page = labels_of(docs[1])
    assert (
        page["Home"]
        == page["Sport"]
        == page["Read more"]
        == page["Markets fall on Friday"]
        == "boilerplate"
    )
    assert page["Support The Bugle! Become a member today"] == "boilerplate"
    assert (
        page["Photo: Bugle staff"] == "boilerplate"
    )  # a caption (LABELING.md), whatever the reference says
    assert page["© 2024 The Bugle. All rights reserved."] == "boilerplate"
    for p in PARAGRAPHS:
        assert page[f"{p} (Report 0.)"] == "article"
    assert page["Ceasefire extended"] == "title"
    residue = labels_of(docs[0])
    assert all(residue[f"{p} (Report 0.)"] == "article" for p in PARAGRAPHS)
    assert all(d.outlet == "bugle.example" and d.id == "p0" for d in docs)


def test_the_models_opinion_is_combined_and_disagreements_are_flagged(tiny_model):
    model, _ = tiny_model
    docs = label_page(
        Page("p0", page_html(), "bugle.example"),
        cleaner=Cleaner(Config(), model=model),
        shapes=("page",),
    )
    (doc,) = docs
    for line in doc.lines:
        if line.flag is not None:
            assert line.flag.startswith("reference: ") and "model: " in line.flag
    # Lines where both agree carry no flag; the tiny model disagrees somewhere on a page like this.
    assert any(line.flag is None for line in doc.lines)


@pytest.mark.parametrize(
    "reference, model, p, label, flagged, shape",
    [
        ("article", "article", 0.1, "article", False, "page"),
        ("title", "article", 0.1, "title", False, "page"),  # both keep the line
        ("boilerplate", "boilerplate", 0.999, "boilerplate", False, "page"),
        (
            "article",
            "article",
            0.7,
            "article",
            True,
            "page",
        ),  # the model leans to boilerplate below its threshold
        ("article", "boilerplate", 0.6, "article", True, "page"),  # the reference decides ...
        ("boilerplate", "article", 0.3, "boilerplate", True, "page"),
        (
            "boilerplate",
            "boilerplate",
            0.3,
            "boilerplate",
            True,
            "page",
        ),  # its label at a low threshold: it leans to keep
        (
            "article",
            "boilerplate",
            0.999,
            "boilerplate",
            True,
            "page",
        ),  # ... unless the model is sure
        ("boilerplate", "article", 0.001, "article", True, "page"),
        (None, "article", 0.4, "article", True, "page"),  # no reference: the model's label, flagged
        (None, None, None, None, True, "page"),
        ("article", None, None, "article", False, "page"),
        (
            "article",
            "article",
            0.7,
            "boilerplate",
            True,
            "residue",
        ),  # residue: the model decides from 0.5
        ("article", "article", 0.3, "article", False, "residue"),
    ],
)
def test_combine(reference, model, p, label, flagged, shape):
    got, flag = combine(reference, model, p, shape)
    assert got == label and (flag is not None) == flagged


def test_pages_come_from_folders_html_files_and_jsonl(tmp_path):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text(page_html(1), encoding="utf-8")
    (folder / "sub" / "b.htm").write_text(page_html(2, host="other.example"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a page")
    pages = list(iter_pages([folder]))
    assert [(p.id, p.outlet) for p in pages] == [("a", "bugle.example"), ("sub/b", "other.example")]
    assert [p.outlet for p in iter_pages([folder], outlet="mine")] == ["mine", "mine"]
    jsonl = tmp_path / "crawl.jsonl.gz"
    with gzip.open(jsonl, "wt", encoding="utf-8") as fh:
        fh.write(
            json.dumps({"id": "x1", "html": page_html(3), "url": "https://www.site.example/x"})
            + "\n"
        )
        fh.write(json.dumps({"html": page_html(4), "outlet": "given.example"}) + "\n")
    assert [(p.id, p.outlet) for p in iter_pages([jsonl])] == [
        ("x1", "site.example"),
        ("crawl.jsonl:2", "given.example"),
    ]


@pytest.mark.parametrize(
    "content, what",
    [
        ('{"id": "a"}\n', 'needs an "html" string'),
        ("not json\n", "not a JSON line"),
    ],
)
def test_bad_jsonl_pages_name_file_and_line(tmp_path, content, what):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(InputError, match=f"{path}:1: .*{what}"):
        list(iter_pages([path]))


def test_an_empty_folder_or_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no .html"):
        list(iter_pages([tmp_path]))
    with pytest.raises(InputError, match="no such file"):
        list(iter_pages([tmp_path / "missing"]))


def test_label_command_writes_a_marked_file_that_train_reads_back(tiny_model, tmp_path, capsys):
    from declutter.cli.teach import main

    _, model_path = tiny_model
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(4):
        (folder / f"p{n}.html").write_text(page_html(n), encoding="utf-8")
    out = tmp_path / "silver.marked"
    assert main(["label", str(folder), "-o", str(out), "--model", str(model_path)]) == 0
    err = capsys.readouterr().err
    assert "8 documents" in err and "flagged for review" in err and "declutter train" in err
    docs = read_labeled(out)
    assert len(docs) == 8 and {d.outlet for d in docs} == {"bugle.example"}
    assert out.read_text(encoding="utf-8").startswith("# declutter marked text")
    # The walkthrough: train on the (reviewed) file, extending the model.
    model_out = tmp_path / "bugle.skops"
    assert (
        main(
            [
                "train",
                str(out),
                "--base",
                str(model_path),
                "-o",
                str(model_out),
                "--holdout-folds",
                "2",
                "--quiet",
            ]
        )
        == 0
    )
    assert model_out.exists() and model_out.with_suffix(".json").exists()


def test_label_to_stdout_without_a_model(tmp_path, capsys):
    from declutter.cli.teach import main

    page = tmp_path / "one.html"
    page.write_text(page_html(), encoding="utf-8")
    assert main(["label", str(page), "--no-model", "--shape", "page", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n@@ ") + out.startswith("@@ ") <= 1 and '"shape": "page"' in out
    assert "- Home\n" in out and f"+ {PARAGRAPHS[0]} (Report 0.)" in out


def test_one_folder_is_one_outlet_even_where_a_page_has_no_link(tmp_path):
    for n in range(2):
        (tmp_path / f"p{n}.html").write_text(page_html(n), encoding="utf-8")
    (tmp_path / "p2.html").write_text(
        page_html(2).replace('<link rel="canonical"', "<link"), encoding="utf-8"
    )
    (tmp_path / "p3.html").write_text(
        page_html(3, host="web.archive.org/web/2013/http://www.bugle.example"), encoding="utf-8"
    )
    assert {p.outlet for p in iter_pages([tmp_path])} == {"bugle.example"}


def test_label_names_every_page_after_its_own_host_by_one_rule(tmp_path):
    """--outlet NAME if given; else the page's host; a page without one takes its folder's most common host."""
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.html").write_text(page_html(0), encoding="utf-8")
    (folder / "b.html").write_text(page_html(1), encoding="utf-8")
    (folder / "c.html").write_text(page_html(2, host="other.example"), encoding="utf-8")
    (folder / "d.html").write_text(page_html(3).replace('<link rel="canonical"', "<link"), encoding="utf-8")
    expected = [("a", "bugle.example"), ("b", "bugle.example"), ("c", "other.example"), ("d", "bugle.example")]
    assert [(p.id, p.outlet) for p in iter_pages([folder])] == expected
    assert [p.outlet for p in iter_pages([folder / "c.html", folder / "d.html"])] == ["other.example", "crawl"]
    assert {p.outlet for p in iter_pages([folder], outlet="mine")} == {"mine"}
