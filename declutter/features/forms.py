"""What a line's form alone says: the word lists and patterns of markers, credits,
copyright lines, domains, bullets and layout-table rows, and the rules built on
them that hold whatever a line's context (`announces_boilerplate`, `teaser_lines`).

`lines.line_features` turns the same patterns into model features.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter

import numpy as np

__all__ = [
    "BULLET", "COPYRIGHT_NEEDLES", "CREDIT_AGENCY", "CREDIT_LINE", "DOMAIN_LINE", "MARKER", "TRAILING_CREDIT",
    "TEASER_REST", "announces_boilerplate", "is_layout_row", "teaser_lines",
]

# Words that announce links to other stories, in the languages of the training
# data and in the scripts it lacks (Cyrillic, Arabic, Persian, Hebrew, Greek,
# Devanagari, Thai, Chinese, Japanese, Korean), where the n-grams have no
# wording to learn from. They feed context ("the lines after a marker are
# teasers"); the n-gram features learn the wording of everything else.
# Matched against the lower-cased line heads (`clipped_lower`) without
# IGNORECASE: a case-insensitive alternation tries every branch at every
# line, where a case-sensitive one skips a branch on its first letter
# (faster, and the same lines matched on build/lines). Scripts without
# spaces between words, and Devanagari (its last sign is no word character),
# end a marker without a word boundary.
MARKER = re.compile(
    r"^\W{0,3}(?:(?:read (?:more|next|also)|see also|related(?: (?:articles?|stories|content|coverage|posts?|news|topics?))?"
    r"|more (?:from|on|stories|news|about)|also read|recommended(?: for you)?|trending|most (?:read|popular|viewed)"
    r"|you (?:may|might) (?:also )?like|top stories|latest (?:news|stories)|further reading"
    r"|lire aussi|à lire (?:aussi|également)|voir aussi|sur le même sujet|mehr zum thema|lesen sie auch|lesen sie mehr|weiterlesen"
    r"|auch interessant|das könnte sie auch interessieren|leer más|lee también|ver también|te puede interesar|noticias relacionadas"
    r"|leia (?:também|mais)|veja também|czytaj (?:też|także|więcej)|zobacz (?:też|także)|leggi anche|potrebbe interessarti"
    r"|lees (?:ook|meer)|läs (?:också|mer)|læs også|les også|baca juga|xem thêm|tin liên quan|ayrıca okuyun|ilginizi çekebilir"
    r"|ilgili haberler|čtěte také|přečtěte si také|citește și|читайте (?:также|ещё|еще|також)|смотрите также|дивіться також"
    r"|также читайте|(?:ещё|еще) по теме|материалы по теме|новости по теме|διαβάστε (?:επίσης|ακόμα)"
    r"|[اإ]قرأ (?:أيضا|أيضاً|المزيد)|أخبار ذات صلة|مواضيع ذات صلة|شاهد أيضا|بیشتر بخوانید|مطالب مرتبط|קראו עוד|כתבות נוספות)\b"
    r"|(?:यह|ये) भी पढ़ें|相关阅读|延伸阅读|推荐阅读|相关新闻|相关文章|相关报道|阅读更多|更多阅读|相關閱讀|延伸閱讀|推薦閱讀|相關新聞|相關報導"
    r"|関連記事|関連ニュース|あわせて読みたい|合わせて読みたい|こちらもおすすめ|관련\s?기사|추천\s?기사|함께 보면 좋은"
    r"|อ่านเพิ่มเติม|ข่าวที่เกี่ยวข้อง)",
)
# Needles for copyright lines, searched case-sensitively in the raw batch text
# (memchr-fast; lower-casing the batch's Unicode cost more than all of them).
COPYRIGHT_NEEDLES = ("©", "opyright", "OPYRIGHT", "ll rights reserved", "ll Rights Reserved", "LL RIGHTS RESERVED")
# "(c) " and "(C) " are looked for at the batch's "(" only (`lines._lines_with_c_mark`): str.find
# skips poorly past a needle that ends in a space, and these two took most of the search.
# A credit or byline on its own line (LABELING.md: "photo and video credits",
# "bylines and source credits on their own line"): checked on short lines only.
CREDIT_LINE = re.compile(
    r"\W{0,3}(?:(?i:(?:photo|image|picture|video|foto|bild|credit|source|quelle|fuente|zdjęcie)s?\s*(?:credit)?\s*[:/|©]"
    r"|(?:with )?(?:additional )?(?:reporting|writing|editing|photos?|text|words) by\b)"
    r"|(?:[Bb]y|BY|[Vv]on|[Pp]ar|[Pp]or)\s+[A-ZÀ-Ý][\w.'’-]+(?:\s+[A-ZÀ-Ý][\w.'’-]+))"
)
# Picture agencies named anywhere in a line.
_CREDIT_NEEDLES = ("Getty Images", "Shutterstock", "AP Photo", "AFP Photo", "EPA-EFE", "Reuters/", "REUTERS/")
CREDIT_AGENCY = re.compile("|".join(map(re.escape, _CREDIT_NEEDLES)))
# A caption's credit at the end of a line: "... July 4, 2022. REUTERS/Alexander
# Ermochenko", "(AP Photo/Evan Vucci)", "(Photo: Jane Doe)".
TRAILING_CREDIT = re.compile(
    r"(?:\b[A-Z][A-Za-z]+(?: [Pp]hoto)?/ ?[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
    r"|\((?i:photo|image|picture|foto|credit)s?\s*[:/][^)]{0,50})\)?\W{0,3}$"
)
DOMAIN_LINE = re.compile(r"^\W*(?:https?://)?(?:[\w-]+\.)+[a-z]{2,24}(?:/\S*)?\W*$", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-–—•*·►▶]|\d{1,3}[.)])\s")


def announces_boilerplate(texts: Sequence[str]) -> np.ndarray:
    """True for lines whose form says boilerplate, whatever their context: a
    "Read more"-type marker (in any of its languages), a credit or byline, a
    bare domain, a copyright line.

    >>> announces_boilerplate(["Read more", "kremlin.ru", "© AFP 2024", "Photo: Jane Doe", "Fee: $95"]).tolist()
    [True, True, True, True, False]
    >>> announces_boilerplate(["Читайте также: ...", "相关阅读"]).tolist()
    [True, True]
    """
    def one(text: str) -> bool:
        lowered = text.lower()
        return bool(
            MARKER.match(lowered) or CREDIT_LINE.match(text) or CREDIT_AGENCY.search(text)
            or DOMAIN_LINE.match(text) or any(n in text for n in COPYRIGHT_NEEDLES) or "(c) " in lowered
        )

    return np.fromiter(map(one, texts), dtype=bool, count=len(texts))


# After a marker, what makes the line a teaser: a separator (a closing bracket too: "【関連記事】..."),
# then a headline of at least five characters (scripts without spaces count too).
_HEAD = itemgetter(slice(60))  # a marker starts within a line's first 60 characters (`line_features` reads as many)
TEASER_REST = re.compile(r"\s*(?:[:：|»›>–—\-】」』\])]|\.{3}|…)\s*\S.{4}")


def teaser_lines(texts: Sequence[str]) -> np.ndarray:
    """True for a link to another story that carries its headline: a "Read more"-type
    marker, a separator, then the headline ("Read also: Putin signs the budget law",
    "Читайте также: ...", "相关阅读：..."). LABELING.md drops these in any language;
    a lone marker ("See also" heading a reference list) is left to the model.

    >>> teaser_lines(["READ MORE: Canadian family freed", "See also", "Related: 71 percent of visits",
    ...               "Trending stocks rose on Monday.", "Читайте также: Путин подписал закон", "相关阅读：北京发布新规",
    ...               "Read more: x"]).tolist()
    [True, False, True, False, True, True, False]
    """
    # The marker first, on every line's head at C speed (map, no Python frame per line); the rest
    # of the pattern only on the few lines that open with one.
    hits = np.fromiter(map(bool, map(MARKER.match, map(str.lower, map(_HEAD, texts)))), dtype=bool, count=len(texts))
    for i in np.flatnonzero(hits).tolist():
        head = texts[i][:120].lower()
        marker = MARKER.match(head, 0, 60)
        hits[i] = marker is not None and TEASER_REST.match(head, marker.end()) is not None
    return hits


# A cell separator of a table row as extractors write it ("| a | b |"); "\\|" is a pipe inside a cell.
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def is_layout_row(text: str) -> bool:
    """A table row that lays out a page rather than holding data: at most one cell
    with text, or at least half its cells empty ("| BUSINESS |", "|  | 1 of 1 |  |").
    A data row fills its cells ("| Interface | Bluetooth |").

    >>> [is_layout_row(t) for t in ["| BUSINESS |", "|  | Free Trial Issue |  | Gift |  |", "| Interface | Bluetooth |", "BUSINESS"]]
    [True, True, False, False]
    """
    row = text.strip()
    if len(row) < 3 or row[0] != "|" or row[-1] != "|":
        return False
    cells = _CELL_SPLIT.split(row[1:-1])
    filled = sum(1 for cell in cells if cell.strip())
    return filled <= 1 or 2 * filled <= len(cells)
