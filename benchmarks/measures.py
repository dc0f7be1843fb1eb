"""The measures of benchmarks/quality.py that do not lean on our own line labels.

Each one is a small pure function on texts and keep/drop decisions, so the
tests can check it on a few inline lines:

* `gold_recall` / `is_wrecked`: a document is *wrecked* when cleaning loses
  more than 5% of the article words the input had: the output's token recall
  of the dataset's published gold falls below 0.95 x the input's. The gold is
  the dataset's, not ours, so a line our labels wrongly call boilerplate
  still counts when it is dropped.
* `lost_lines`: the dropped lines that carried gold words, to show what a
  wrecked document lost.
* `structure_of`: which structured kind a line is (list item, table row,
  code, short), from the HTML element kind when the data has it, else from
  the text's shape.
* `norm` / `gold_line_kept`: the matching rule of clean-in-clean-out
  (`../shared/tools/clean_in_clean_out.py`), the same letters-and-digits
  comparison with an 80% containment allowance for a line cut short.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from declutter.teach.metrics import token_f1

__all__ = [
    "STRUCTURE_KINDS",
    "WRECKED_RATIO",
    "gold_line_kept",
    "gold_lines_kept",
    "gold_recall",
    "is_wrecked",
    "lost_lines",
    "norm",
    "structure_of",
]

#: A document is wrecked when its output keeps less than this share of the
#: gold recall its input had (the issue's "loses more than 5% of its article words").
WRECKED_RATIO = 0.95

_WORD = re.compile(r"\w+")


def gold_recall(text: str, gold: str) -> float:
    """Token recall of `gold` in `text` (bag of case-folded \\w+ tokens, `declutter.teach.metrics.token_f1`).

    >>> gold_recall("the cat sat", "the cat sat down")
    0.75
    """
    return token_f1(text, gold)["recall"]


def is_wrecked(recall_in: float, recall_out: float, ratio: float = WRECKED_RATIO) -> bool:
    """Whether cleaning lost more than (1 - ratio) of the gold words the input had.

    A document whose input holds no gold word (recall 0) cannot be wrecked.

    >>> is_wrecked(1.0, 0.96), is_wrecked(1.0, 0.94), is_wrecked(0.8, 0.76), is_wrecked(0.0, 0.0)
    (False, True, False, False)
    """
    return recall_in > 0 and recall_out < ratio * recall_in


def lost_lines(lines: Sequence[str], kept: Sequence[bool], gold: str, output: str, top: int = 3) -> list[str]:
    """The dropped lines that carried the most gold words the output lacks, `top` of them in document order.

    The gold words missing from the output are handed out to dropped lines
    in document order; a line that got none (its words are in the output
    elsewhere, or not in the gold) is not a loss.

    >>> lines = ["Read more", "The mayor resigned on Monday.", "Tel: 555", "Mayor"]
    >>> lost_lines(lines, [False, False, True, False], "The mayor resigned on Monday.", "")
    ['The mayor resigned on Monday.']
    """
    missing = Counter(_WORD.findall(gold.casefold())) - Counter(_WORD.findall(output.casefold()))
    carried = []
    for i, (line, k) in enumerate(zip(lines, kept)):
        if k:
            continue
        n = 0
        for token in _WORD.findall(line.casefold()):
            if missing[token] > 0:
                missing[token] -= 1
                n += 1
        if n:
            carried.append((-n, i, line))
    return [line for _, _, line in sorted(sorted(carried)[:top], key=lambda c: c[1])]


# --- structured lines ------------------------------------------------------------------

#: Line kinds (the `kind` field of build_lines' lines_v1: declutter.io.html's "list" / "table" /
#: "code" / "h1".."h6" / "caption" / "references" / "") -> structured slice category.
STRUCTURE_KINDS = {
    "list": "list", "table": "table", "code": "code",  # what declutter.io.html's render_html says
    "li": "list", "dt": "list", "dd": "list", "ul": "list", "ol": "list",  # raw element names, should a build use them
    "td": "table", "th": "table", "tr": "table",
    "pre": "code",
}
SHORT_WORDS = 5  # a line of fewer words is in the slice whatever its kind
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦‣–—►✓✔]\s*\S|\(?\d{1,3}[.):]\s|\(?[a-zA-Z][.)]\s)")
_CODE = re.compile(r"^\s*(?:[{}()\[\];<>/#]|def |class |import |return\b|function\b|\w+\s*[:=]\s*[\[{(\"'])")


def structure_of(line: str, kind: str | None = None) -> str | None:
    """The structured-slice category of an article line, or None for a prose line.

    With the line's element `kind` (lines_v1 data), the kind decides
    list/table/code; without it (`kind` None: older data; or "": a line
    build_lines could not trace to a list, table, code or heading element,
    often a paragraph, sometimes a residue line it could not match) the
    text's shape does: a bullet or number prefix is a list item, `|` or tab separated
    cells a table row, a line with no letter, or that opens like code or
    ends in a brace or semicolon, is code.
    Either way a line of fewer than 5 words is `short`.

    >>> [structure_of(s) for s in ["- Pros: cheap", "| Interface | Bluetooth |", "}", "Fee: $20",
    ...                             "The council met on Monday and agreed."]]
    ['list', 'table', 'code', 'short', None]
    >>> structure_of("The council met on Monday and agreed.", "li"), structure_of("1. The council met on Monday.", "p")
    ('list', None)
    """
    if kind:
        category = STRUCTURE_KINDS.get(kind)
        if category:
            return category
    else:
        stripped = line.strip()
        if _BULLET.match(stripped):
            return "list"
        if "\t" in stripped or stripped.count("|") >= 2:
            return "table"
        if not any(c.isalpha() for c in stripped) or _CODE.match(stripped) or stripped.endswith(("{", "}", ";")):
            return "code"
    if len(line.split()) < SHORT_WORDS:
        return "short"
    return None


# --- clean in, clean out ---------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def norm(text: str) -> str:
    """Letters and digits only, lower-cased: quote and spacing repairs do not count.

    >>> norm("“Heroes of Russia” — 2022!")
    'heroesofrussia2022'
    """
    return _NOT_ALNUM.sub("", text).lower()


def gold_line_kept(gold: str, outs: Counter) -> bool:
    """Whether the normalised gold line survives among the normalised output lines (consumed).

    An output line matches one gold line: equal, or (a line cut short, a
    glued notice removed) contained in it and at least 80% of its length.
    The rule of `../shared/tools/clean_in_clean_out.py`.

    >>> outs = Counter(["thecatsat", "thedogbarkedloudlyatnight"])
    >>> gold_line_kept("thecatsat", outs), gold_line_kept("thecatsat", outs)
    (True, False)
    >>> gold_line_kept("thedogbarkedloudlyatnightcopyright", outs)  # 25 of 34 characters: < 80%
    False
    >>> gold_line_kept("thedogbarkedloudlyatnight2", outs)
    True
    """
    if outs[gold] > 0:
        outs[gold] -= 1
        return True
    for out, count in outs.items():
        if count > 0 and out and len(out) >= 0.8 * len(gold) and out in gold:
            outs[out] -= 1
            return True
    return False


def gold_lines_kept(gold_text: str, output_text: str) -> list[tuple[str, bool]]:
    """Each non-blank gold line and whether the output kept it (`gold_line_kept`).

    >>> gold_lines_kept("Title\\nFee: $20\\nLocation: Hall 2", "Title\\nLocation: Hall 2")
    [('Title', True), ('Fee: $20', False), ('Location: Hall 2', True)]
    """
    outs = Counter(norm(x) for x in output_text.split("\n") if x.strip())
    return [(g, gold_line_kept(norm(g), outs)) for g in gold_text.split("\n") if g.strip()]
