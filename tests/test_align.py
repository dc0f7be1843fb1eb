"""declutter.teach.align turns a gold text into per-line labels, strictly."""

from __future__ import annotations

import pytest

from declutter.teach.align import (
    align_labels,
    boilerplate_reason,
    is_sentence,
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


# ------------------------------------------------- structure (issue 21 part 1)
# LABELING.md: structure inside the article is article however short its
# lines, and only a repeated *sentence or paragraph* is boilerplate as a
# repeat. Each case: page lines, gold, optional kinds, expected labels.

INTRO = "The evening school publishes its winter programme of computer courses for adults."
OUTRO = "Registration opens on Monday at the front desk of the Shah Center and online."
SCHEDULE_GOLD = "\n".join(
    [
        INTRO,
        "QuickBooks for Your Business",
        "Scheduled: Mon., Jan 22",
        "1 - 4 p.m.",
        "Location: Rm. 111, Shah Center",
        "Fee: $155",
        "QuickBooks for Your Business",
        "Scheduled: Mon., Mar 26",
        "1 - 4 p.m.",
        "Location: Rm. 111, Shah Center",
        "Fee: $155",
        OUTRO,
    ]
)
SQL_GOLD = "\n".join(
    [
        "To list the cheap products and then the customers, run two queries against the shop database.",
        "SELECT",
        "name, price",
        "FROM",
        "products;",
        "SELECT",
        "name",
        "FROM",
        "customers;",
        "Both queries return their rows in the order the database stores them on disk.",
    ]
)
CODE_GOLD = "\n".join(
    [
        "Register the logging middleware when the application starts, before any route is mapped.",
        "app.use((req, res, next) => {",
        "log(req.url);",
        "next();",
        "});",
        "The callback runs once for every request that reaches the server.",
    ]
)
TABLE_GOLD = "\n".join(
    [
        "The headphones pair quickly and the battery easily lasts a long working week.",
        "Interface | Bluetooth 5.3",
        "Battery | 40 hours",
        "Weight | 250 g",
        "Charging | USB-C",
        "We would buy them again at the current price, though the case feels cheap.",
    ]
)
SUBHEADING_GOLD = "\n".join(
    [
        "We tested two budget laptops for a month of daily office work and travel.",
        "Pros",
        "Bright screen",
        "Cons",
        "Loud fan",
        "The second laptop is lighter but costs a little more than the first one.",
        "Pros",
        "Long battery life",
        "Cons",
        "Dim screen",
        "Either is a sound choice for students who mostly write and browse the web.",
    ]
)
TEASER = "Read our full guide to the best budget laptops of the year here."
TEASER_GOLD = "\n".join([TEASER, *SUBHEADING_GOLD.splitlines(), TEASER])

STRUCTURE_CASES = {
    "schedule lines repeated in the gold are article each time": (
        SCHEDULE_GOLD.splitlines(),
        SCHEDULE_GOLD,
        None,
        ["article"] * 12,
    ),
    "a schedule line the gold has twice, shown a third time in a sidebar, is boilerplate": (
        [*SCHEDULE_GOLD.splitlines(), "Fee: $155"],
        SCHEDULE_GOLD,
        None,
        ["article"] * 12 + ["boilerplate"],
    ),
    "SQL keywords on their own lines": (
        SQL_GOLD.splitlines(),
        SQL_GOLD,
        None,
        ["article"] * 10,
    ),
    "code brackets located by their characters": (
        CODE_GOLD.splitlines(),
        CODE_GOLD,
        ["", "code", "code", "code", "code", ""],
        ["article"] * 6,
    ),
    "markdown table rows against a gold with other separators": (
        [
            TABLE_GOLD.splitlines()[0],
            "| Interface | Bluetooth 5.3 |",
            "| Battery | 40 hours |",
            "| Weight | 250 g |",
            "| Charging | USB-C |",
            TABLE_GOLD.splitlines()[-1],
        ],
        TABLE_GOLD,
        None,
        ["article"] * 6,
    ),
    "a table's separator row the gold lacks is unknown, not boilerplate": (
        [TABLE_GOLD.splitlines()[0], "| Spec | Value |", "|---|---|", *TABLE_GOLD.splitlines()[1:]],
        "\n".join([TABLE_GOLD.splitlines()[0], "Spec | Value", *TABLE_GOLD.splitlines()[1:]]),
        None,
        ["article", "article", None, "article", "article", "article", "article", "article"],
    ),
    "repeated subheadings and list items": (
        SUBHEADING_GOLD.splitlines(),
        SUBHEADING_GOLD,
        ["", "h3", "list", "h3", "list", "", "h3", "list", "h3", "list", ""],
        ["article"] * 11,
    ),
    "a repeated teaser sentence stays boilerplate, even where the gold has it twice": (
        TEASER_GOLD.splitlines(),
        TEASER_GOLD,
        None,
        ["article"] * 12 + ["boilerplate"],
    ),
    "a symbol line outside the article stays boilerplate": (
        ["Home", "|", "About", *CODE_GOLD.splitlines()[:1], "»", "Share"],
        CODE_GOLD,
        None,
        ["boilerplate", "boilerplate", "boilerplate", "article", "boilerplate", "boilerplate"],
    ),
    "a bracket between article lines that the gold does not have is unknown": (
        [CODE_GOLD.splitlines()[0], "}", CODE_GOLD.splitlines()[-1]],
        "\n".join([CODE_GOLD.splitlines()[0], CODE_GOLD.splitlines()[-1]]),
        None,
        ["article", None, "article"],
    ),
}


@pytest.mark.parametrize("case", list(STRUCTURE_CASES))
def test_structure_aligns_with_the_gold(case: str) -> None:
    lines, gold, kinds, expected = STRUCTURE_CASES[case]
    assert align_labels(lines, gold, kinds=kinds) == expected


@pytest.mark.parametrize(
    ("line", "kind", "sentence"),
    [
        ("Subscribe to our newsletter to get the best stories every morning", "", True),
        ("The photo shows the mayor at the opening.", "", True),
        ("Pros", "h3", False),
        ("Step 2", "", False),
        ("Location: Rm. 111, Shah Center", "", False),
        ("Fee: $155", "", False),
        ("| Interface | Bluetooth |", "", False),
        ("SELECT name, price FROM products WHERE price > 10;", "", False),
        ("});", "code", False),
        ("for (let i = 0; i < rows.length; i++) {", "", False),
        ("Battery life is excellent.", "list", False),
        ("The battery lasts two full working days on a single overnight charge.", "list", True),
        ("| The battery lasts two full working days on a single overnight charge. |", "", True),
        ("Вы можете записаться на курс по телефону или на сайте школы.", "", True),
        ("QuickBooks 2006 Computerized Accounting for Your Business", "", False),
        ("Step 2: Mix the flour and the sugar in a large bowl until smooth.", "", True),
        ("''When you see this FACE- :D. That means I've scored and I am happy''", "", True),
    ],
)
def test_is_sentence_tells_prose_from_structure(line: str, kind: str, sentence: bool) -> None:
    assert is_sentence(line, kind=kind) is sentence


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("By Jane Doe", "byline"),
        ("Posted on July 5, 2012", "date"),
        ("REUTERS/Alexander Ermochenko", "credit"),
        ("Source: Reuters", "credit"),
        ("Sources:", None),  # a heading: the article's own list follows
        ("kremlin.ru", "domain"),
        ("package.json", None),  # a file name in a code article
        ("Related: Chicago is America's most segregated city", "teaser"),
        ("Text Messaging", None),  # a feature heading, not a "Text: NAME" credit
        ("Text: Jane Doe", "byline"),
        ("frame.report(", None),  # a code line, not a domain
        ("Neu im Sortiment (Bestellung gilt für das Wake News © Angebot):", "credit"),
        ("(Writing by Miral Fahmy; Editing by Valerie Lee)", "credit"),
        ("Photos by", "credit"),  # the name follows on the next line
        ("[Images via Getty; Justin Bieber image via AP]", "credit"),
        ("Via MacRumors", "credit"),
        ("Copyright Business Wire 2008", "credit"),
        ("저작권자 © 연합뉴스 무단전재 및 재배포 금지", "credit"),
        ("Все права защищены.", "credit"),
        ("Follow Steven Mazie on Twitter: @stevenmazie", "prompt"),
        ("Folgen Sie uns auf Facebook", "prompt"),
        ("Follow the money.", None),  # no network, no handle: prose
        ("Copyright law changed in 1998.", None),  # a sentence about copyright
        ("Copyright, Property, or Business matters", None),  # a heading
        ("edited by A. Leko, P. Jovanovic and M. Mokranjac, as well as by the", None),  # a wrapped line of prose
        ("Via the new route, trucks reach the port in an hour.", None),
    ],
)
def test_boilerplate_reason_names_what_it_fires_on(line: str, reason: str | None) -> None:
    assert boilerplate_reason(line) == reason


def test_boilerplate_overrides_spare_schedule_dates_and_code_but_not_stamps() -> None:
    gold = "\n".join(
        [
            "The festival returns to the old harbour with three evenings of music.",
            "Tickets are sold at the gate and cost less than last year.",
            "Sept. 12, 2026",
            "The opening night features a brass band from the north of the country.",
            "Sept. 13, 2026",
            "The second night belongs to the choirs of the harbour district schools.",
        ]
    )
    lines = ["Posted on July 5, 2026", *gold.splitlines()]
    labels = align_labels(lines, gold)
    assert labels == ["boilerplate", "article", "article", "article", "article", "article", "article"]
    # a date stamp opening the article stays boilerplate, even where the gold kept it
    stamped = "July 5, 2026\n" + gold
    assert align_labels(stamped.splitlines(), stamped)[0] == "boilerplate"
    # a date in a code block is the code's; a table cell gets no pass (layout tables)
    assert align_labels(["2024-01-05"], "2024-01-05", kinds=["code"]) == ["article"]
    assert align_labels(["2024-01-05"], "2024-01-05", kinds=["table"]) == ["boilerplate"]


def test_guide_gold_drops_repeated_sentences_only() -> None:
    import sys

    from tests.conftest import ROOT

    if str(ROOT / "training") not in sys.path:
        sys.path.insert(0, str(ROOT / "training"))
    from build_lines import guide_gold

    assert guide_gold(SCHEDULE_GOLD, []) == SCHEDULE_GOLD
    assert guide_gold(SUBHEADING_GOLD, []) == SUBHEADING_GOLD
    assert guide_gold(TEASER_GOLD, []) == "\n".join(TEASER_GOLD.splitlines()[:-1])


def test_a_forum_post_timestamp_inside_the_article_stays_boilerplate() -> None:
    gold = "\n".join(
        [
            "I have been running the same setup for a year and it works fine for me.",
            "The trick is to update the firmware before you pair the two devices.",
            "06-29-2004, 08:44 AM",
            "Thanks, that fixed it for me as well after a long weekend of trying.",
        ]
    )
    assert align_labels(gold.splitlines(), gold)[2] == "boilerplate"
