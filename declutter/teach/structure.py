"""Structure inside an article, as alignment labels it (LABELING.md).

Lists, tables, code, schedules and "Label: value" lines are article however
short their lines, and only a repeated *sentence or paragraph* is
boilerplate as a repeat. What a sentence is comes from the cleaning side
(`declutter.sentences`); here the page's markup (`RenderedLine.kind`) says
more about a line, and lines without word tokens (`}`, `});`, `|---|`) are
located in the gold by their characters. Where the markup knows better than
a gold (a caption, a list of cited works), LABELING.md wins
(`relabel_by_kind`, with `kinds_for` finding each line's element kind).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from .. import sentences
from ..sentences import PARAGRAPH_WORDS, is_code, is_label_value, table_cells
from .textmatch import normalize, tokenize

__all__ = [
    "STRUCTURE_KINDS",
    "is_sentence",
    "is_structure",
    "kinds_for",
    "locate_symbols",
    "neighbours",
    "relabel_by_kind",
    "structure_keeps",
]

ARTICLE, BOILERPLATE = "article", "boilerplate"  # align.ARTICLE, align.BOILERPLATE

#: Element kinds (`declutter.io.html.RenderedLine.kind`) of structure inside a text.
STRUCTURE_KINDS = frozenset({"list", "table", "code"})
#: AP photo captions run to ~40 words; a longer "caption" is a slideshow's story text.
MAX_CAPTION_WORDS = 50
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
# Words that make a date line a stamp ("Posted on ...", "Last updated ...")
# rather than a date inside the article (a schedule, a timeline heading).
_STAMP_WORDS = frozenset(
    {"updated", "posted", "published", "modified", "aktualisiert", "veröffentlicht", "publié", "stand"}
)


def is_structure(text: str, tokens: Sequence[str] | None = None, kind: str = "") -> bool:
    """A line of a list, table or code block, a "Label: value" line or a
    line without word characters: structure that recurs by nature
    (LABELING.md). Prose in a table cell or list item may still be a
    sentence (`is_sentence`).

    >>> [is_structure(t) for t in ["| Interface | Bluetooth |", "});", "Location: Rm. 111, Shah Center",
    ...  "SELECT name, price FROM products WHERE price > 10;", "The storm hit the coast overnight."]]
    [True, True, True, True, False]
    """
    if kind in STRUCTURE_KINDS:
        return True
    tokens = tokenize(text) if tokens is None else tokens
    if not tokens or len(table_cells(text)) > 1:
        return True
    return is_code(text) or (is_label_value(text) and len(tokens) < 2 * PARAGRAPH_WORDS)


def is_sentence(text: str, tokens: Sequence[str] | None = None, kind: str = "") -> bool:
    """A sentence or paragraph (`declutter.sentences.is_sentence`, the rule
    the cleaner's `duplicate` rule uses), told apart further by the line's
    element kind: a code line never is one, and a table cell or list item
    only when it is long and ends like a sentence.

    >>> [is_sentence(t) for t in ["The storm hit the coast overnight.", "Pros", "Fee: $155"]]
    [True, False, False]
    >>> is_sentence("Battery life is excellent."), is_sentence("Battery life is excellent.", kind="list")
    (True, False)
    """
    if kind == "code":
        return False
    tokens = tokenize(text) if tokens is None else tokens
    if not sentences.is_sentence(text, tokens):
        return False
    if kind in STRUCTURE_KINDS:  # prose inside structure
        cell = table_cells(text)[0]
        return sentences.word_count(cell, tokens) >= PARAGRAPH_WORDS and sentences.ends_like_sentence(cell)
    return True


def neighbours(labels: Sequence[str | None], tokens: Sequence[Sequence[str]], i: int) -> tuple[str | None, str | None]:
    """The labels of the nearest lines with words before and after line i."""
    before = next((labels[j] for j in range(i - 1, -1, -1) if tokens[j]), None)
    after = next((labels[j] for j in range(i + 1, len(labels)) if tokens[j]), None)
    return before, after


def structure_keeps(
    reason: str,
    i: int,
    lines: Sequence[str],
    tokens: Sequence[Sequence[str]],
    kinds: Sequence[str],
    labels: Sequence[str | None],
) -> bool:
    """`looks_like_boilerplate` must not hit structure: a code line keeps its
    label, and so does a date inside the article (a schedule's "Sept. 12", a
    timeline's heading) -- between article lines, past the first two, with no
    "posted"/"updated" stamp word and no clock time (a forum post's
    "06-29-2004, 08:44 AM" is a stamp). Table cells get no pass: old pages lay the
    whole page out in a table, bylines and date stamps included."""
    if kinds[i] == "code":
        return True
    if reason != "date" or any(t in _STAMP_WORDS for t in tokens[i]) or _CLOCK.search(lines[i]):
        return False
    return (
        neighbours(labels, tokens, i) == (ARTICLE, ARTICLE)
        and sum(label == ARTICLE for label in labels[:i]) >= 2
    )


def locate_symbols(
    lines: Sequence[str],
    tokens: Sequence[Sequence[str]],
    labels: list[str | None],
    located: dict[int, tuple[int, int]],
    gold_text: str,
    starts: Sequence[int],
    ends: Sequence[int],
) -> None:
    """Lines without word tokens (`}`, `});`, `*`, `|---|---|`): article where
    their characters (whitespace aside) sit in the gold between the lines
    placed before and after them; else unknown between two article lines
    (a gold that dropped the bullets or brackets), else boilerplate. In place.

    `located` maps a placed line to its span of gold tokens; `gold_text` is
    the normalised gold and `starts`/`ends` each gold token's character
    offsets in it (empty: not known).

    >>> labels = ["article", "boilerplate", "article"]
    >>> text = "if x {\\n}\\nend"
    >>> locate_symbols(["if x {", "}", "end"], [["if", "x"], [], ["end"]], labels, {0: (0, 2), 2: (2, 3)},
    ...                text, [0, 3, 10], [2, 4, 13])
    >>> labels
    ['article', 'article', 'article']
    """
    symbols = [i for i, toks in enumerate(tokens) if not toks and lines[i].strip()]
    if not symbols:
        return
    order = sorted(located)
    char_cursor = 0
    for i in symbols:
        k = bisect_left(order, i)
        prev_end = ends[located[order[k - 1]][1] - 1] if k > 0 and ends else 0
        next_start = starts[located[order[k]][0]] if k < len(order) and ends else len(gold_text)
        chars = [c for c in normalize(lines[i]) if not c.isspace()]
        pattern = re.compile(r"\s*".join(map(re.escape, chars)))
        found = pattern.search(gold_text, max(prev_end, char_cursor), next_start) if gold_text else None
        if found is not None:
            labels[i] = ARTICLE
            char_cursor = found.end()
        elif neighbours(labels, tokens, i) == (ARTICLE, ARTICLE):
            labels[i] = None


def relabel_by_kind(lines: Sequence[str], labels: list[str | None], kinds: Sequence[str]) -> None:
    """Where the element kind (`declutter.io.html.RenderedLine.kind`) knows better
    than a gold, LABELING.md wins: a photo caption or an entry of a list of
    cited works is boilerplate even where the gold kept it. In place.

    >>> labels = ["article", "article", "article"]
    >>> relabel_by_kind(["Photo: AP", "^ Smith (2001). Title.", "Body."], labels, ["caption", "references", ""])
    >>> labels
    ['boilerplate', 'boilerplate', 'article']
    """
    for i, kind in enumerate(kinds):
        if labels[i] != ARTICLE:
            continue
        if kind == "references" or (kind == "caption" and len(lines[i].split()) <= MAX_CAPTION_WORDS):
            labels[i] = BOILERPLATE


def kinds_for(lines: Sequence[str], rendered: Sequence[tuple[str, str]]) -> list[str]:
    """The element kind of each line, found by its tokens: the kind of the
    rendered line it equals, else of the reference entry it is a piece of
    (trafilatura splits an entry at its inline markup), else "". `rendered`
    holds (text, kind) pairs, `declutter.io.html.RenderedLine`s.

    >>> kinds_for(["Body.", '"Title"', "Other"], [("Body.", ""), ('^ "Title". Press.', "references")])
    ['', 'references', '']
    """
    kind_of: dict[tuple[str, ...], str] = {}
    for text, kind in rendered:
        kind_of.setdefault(tuple(tokenize(text)), kind)
    entries = [f" {' '.join(t)} " for t, kind in kind_of.items() if kind == "references"]
    kinds = []
    for line in lines:
        tokens = tuple(tokenize(line))
        kind = kind_of.get(tokens)
        if kind is None and tokens and entries:
            piece = f" {' '.join(tokens)} "
            kind = "references" if any(piece in entry for entry in entries) else ""
        kinds.append(kind or "")
    return kinds
