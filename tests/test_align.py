"""declutter.teach.align turns a gold text into per-line labels, strictly."""

from __future__ import annotations

from declutter.teach.align import (
    align_labels,
    kinds_for,
    label_by_snippets,
    looks_like_boilerplate,
    matches_title,
    normalize,
    relabel_by_kind,
    tokenize,
)

GOLD_LINES = [
    "The city council voted on Tuesday to close the old harbour bridge to cars.",
    "Engineers found cracks in two of the main supports last year.",
    "What happens next",
    "Cyclists and pedestrians can still use the bridge, a spokesperson said.",
    "The council will decide on repairs in the spring after the home ministry reports.",
]
GOLD = "\n".join(GOLD_LINES)


def test_article_lines_match_despite_quote_and_dash_differences() -> None:
    gold = "He said the plan was “dead on arrival” — and he meant it, officials said."
    line = 'He said the plan was "dead on arrival" -- and he meant it, officials said.'
    assert align_labels([line], gold) == ["article"]


def test_menu_word_found_in_the_gold_is_not_article() -> None:
    lines = ["Home", "News", *GOLD.splitlines(), "Home", "Sport"]
    labels = align_labels(lines, GOLD)
    assert labels[:2] == ["boilerplate", "boilerplate"]
    assert labels[-2:] == ["boilerplate", "boilerplate"]  # "home" occurs in the gold's last line


def test_short_intertitle_between_article_lines_is_article() -> None:
    labels = align_labels(GOLD.splitlines(), GOLD)
    assert labels == ["article"] * 5


def test_title_line_is_title_and_its_repeats_are_boilerplate() -> None:
    lines = [
        "Home > Bridge to close to cars",  # breadcrumb: a repeat of the headline
        "Menu",
        "Bridge to close to cars",
        *GOLD.splitlines(),
        "Bridge to close to cars",
    ]
    labels = align_labels(lines, GOLD, title="Bridge to close to cars | Harbour Gazette")
    assert labels[:3] == ["boilerplate", "boilerplate", "title"]
    assert labels[-1] == "boilerplate"


def test_title_is_the_match_nearest_above_the_article() -> None:
    lines = ["Bridge to close to cars", "Menu", "Bridge to close to cars!", GOLD.splitlines()[0]]
    assert align_labels(lines, GOLD, title="Bridge to close to cars")[:3] == [
        "boilerplate",
        "boilerplate",
        "title",
    ]


def test_a_line_repeated_verbatim_is_boilerplate() -> None:
    first = GOLD.splitlines()[0]
    assert align_labels([first, "Share", first], GOLD) == ["article", "boilerplate", "boilerplate"]


def test_teaser_repeating_the_story_out_of_order_is_not_article() -> None:
    gold_lines = GOLD.splitlines()
    teaser = gold_lines[3][:-1] + " (more)"  # a near copy shown below the story
    labels = align_labels([*gold_lines, teaser], GOLD)
    assert labels[-1] != "article"


def test_half_matching_line_is_unknown() -> None:
    line = (
        GOLD.splitlines()[1]
        + " Subscribe now to get unlimited access to every story we publish online."
    )
    assert align_labels([line], GOLD) == [None]


def test_bylines_dates_and_credits_are_boilerplate_even_in_the_gold() -> None:
    gold = "By Jane Doe\nJuly 24, 2012 12:11 AM\nThe storm hit the coast overnight, cutting power to thousands.\nREUTERS/John Smith"
    assert align_labels(gold.splitlines(), gold) == [
        "boilerplate",
        "boilerplate",
        "article",
        "boilerplate",
    ]


def test_unrelated_long_line_is_boilerplate() -> None:
    assert align_labels(["Sign up for our newsletter to get the best stories daily"], GOLD) == [
        "boilerplate"
    ]


def test_cjk_text_aligns_per_character() -> None:
    gold = "宇航员在太空中喝酒会怎么样？后果很严重。"
    assert tokenize("宇航员") == ["宇", "航", "员"]
    assert align_labels(["宇航员在太空中喝酒会怎么样？", "首页"], gold) == [
        "article",
        "boilerplate",
    ]


def test_normalize_folds_typography_only() -> None:
    assert normalize("“Ｑuote” ‘x’ – y\u00ad z") == "\"quote\" 'x' - y z"
    assert normalize("Itâ€™s") == "it's"  # UTF-8 read as cp1252


def test_matches_title_uses_the_headline_part() -> None:
    assert matches_title("Putin orders offensive", "Putin orders offensive - The Moscow Times")
    assert not matches_title("The Moscow Times", "Putin orders offensive - The Moscow Times")
    assert not matches_title("Putin", "Putin orders offensive")


def test_looks_like_boilerplate_spares_sentences() -> None:
    assert looks_like_boilerplate("Read more: Ukraine war")
    assert looks_like_boilerplate("(© Telegraph Media Group Ltd 2022)")
    assert not looks_like_boilerplate("By the end of the week the river had risen two metres.")
    assert not looks_like_boilerplate("Related research points the other way.")


def test_snippets_label_lines_they_cover() -> None:
    lines = [
        "Home",
        "He went home late that night after the vote.",
        "Share this",
        "Other line here",
    ]
    labels = label_by_snippets(
        lines, positive=["went home late that night"], negative=["Home", "Share this"]
    )
    assert labels == ["boilerplate", "article", "boilerplate", None]
    # a snippet of a few words only decides a line it mostly covers
    assert label_by_snippets(lines[1:2], positive=["the vote"]) == [None]


def test_a_big_page_with_menus_and_footers_aligns_its_article_block() -> None:
    gold = "\n".join(
        f"Paragraph {i} tells part {i * 7} of the long story about item {i % 13}."
        for i in range(400)
    )
    lines = (
        [f"Menu entry {i}" for i in range(2000)]
        + gold.splitlines()
        + [f"Footer {i}" for i in range(600)]
    )
    labels = align_labels(lines, gold)
    assert labels.count("article") == 400


def test_relabel_by_kind_only_turns_kept_captions_and_references_into_boilerplate() -> None:
    slideshow = " ".join(["word"] * 51)  # a "caption" this long is story text
    lines = ["Photo: AP", slideshow, "^ Doe (1999). Cited.", "^ Doe (1999). Cited.", "Body.", "Unsure caption"]
    labels: list[str | None] = ["article", "article", "article", "title", "article", None]
    relabel_by_kind(lines, labels, ["caption", "caption", "references", "references", "", "caption"])
    assert labels == ["boilerplate", "article", "boilerplate", "title", "article", None]


def test_a_piece_of_a_reference_entry_has_the_entry_s_kind() -> None:
    rendered = [("Body of the story.", ""), ('^ Hartl, J. (1998). "Disney Will Distribute". The Times.', "references")]
    kinds = kinds_for(["Body of the story.", '- ^ Hartl, J. (1998). "Disney', 'Will Distribute"', "Body"], rendered)
    assert kinds == ["", "references", "references", ""]  # "Body" is in no entry
