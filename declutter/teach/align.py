"""Label text lines against a reference text: the training signal of declutter.

Public datasets give a page and its gold main text, not per-line labels; the
labels come from aligning each line of a rendering (the page's visible text,
or an extractor's output) with the gold. The same aligner makes silver labels
when the reference is a precision-oriented extraction (`declutter label`).

Precision of the labels matters more than recall, so the aligner is strict:

* a long line (>= 4 words) is `article` when most of its word 3-grams sit on
  one diagonal of the gold (same words, same order), and the article lines
  keep the gold's order (a weighted longest increasing subsequence);
  out-of-order or half-matching lines get `None` (unknown) rather than a guess;
* a short line ("Home", "Read more", an intertitle) is `article` only where it
  fills a gap of the gold between its neighbouring article lines, or matches a
  whole gold line that occurs once: a menu word that merely occurs somewhere
  in a long gold stays boilerplate;
* a line without word tokens (`}`, `});`, `|---|`) is located by its
  characters in the gold gap between its placed neighbours; unlocated
  between two article lines it is unknown, not boilerplate;
* the headline is `title`; its repeats, and every sentence or paragraph that
  repeats an earlier line word for word, are `boilerplate` (LABELING.md);
  structure that recurs by nature (list items, table cells, code lines,
  "Pros", "Fee: $95") is aligned like any short line, the page's k-th copy
  against the gold's k-th; standalone bylines, date stamps, photo credits,
  copyright lines and "Related:" teasers are `boilerplate` even where a
  gold kept them, but not in a code block, nor a date inside the article
  (a schedule) -- `structure.py`.

Everything is dictionary look-ups over token 3-grams.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..document import SHORT_TOKENS
from .structure import is_sentence, is_structure, kinds_for, locate_symbols, relabel_by_kind, structure_keeps
from .textmatch import (
    WORD_TOKEN,
    TitleMatcher,
    boilerplate_reason,
    looks_like_boilerplate,
    matches_title,
    normalize,
    tokenize,
    tokenize_lines,
)

__all__ = [
    "ARTICLE",
    "BOILERPLATE",
    "TITLE",
    "align_labels",
    "boilerplate_reason",
    "drop_by_guide",
    "is_sentence",
    "is_structure",
    "kinds_for",
    "label_by_snippets",
    "looks_like_boilerplate",
    "matches_title",
    "normalize",
    "relabel_by_kind",
    "tokenize",
]

ARTICLE, TITLE, BOILERPLATE = "article", "title", "boilerplate"

#: Share of a long line's 3-grams on the best gold diagonal to call it article; the score is bimodal on
#: the page lines of dragnet, wcxb_dev, l3s_gn1 and big9_news, and from UNKNOWN_MIN up a line is left unknown.
ARTICLE_MIN = 0.6
UNKNOWN_MIN = 0.3
#: 3-grams occurring more often than this in the gold do not vote for a position.
_MAX_POSITIONS = 32

# ------------------------------------------------------------------ the gold


@dataclass(slots=True)
class _Gold:
    tokens: list[str]
    grams: dict[tuple[str, str, str], list[int]]
    firsts: dict[str, list[int]]
    lines: Counter[tuple[str, ...]]
    text: str  # the normalised gold, where lines without word tokens are located
    starts: list[int]  # character offset of each token in `text` (empty: not known)
    ends: list[int]


def _index(gold: str) -> _Gold:
    gold_lines = gold.splitlines()
    folded = normalize("\n".join(gold_lines))
    tokens: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    lines: Counter[tuple[str, ...]] = Counter()
    if folded.count("\n") == max(len(gold_lines) - 1, 0):
        offset = 0
        for line in folded.split("\n"):
            found = list(WORD_TOKEN.finditer(line))
            tokens += [m.group() for m in found]
            starts += [offset + m.start() for m in found]
            ends += [offset + m.end() for m in found]
            if found:
                lines[tuple(m.group() for m in found)] += 1
            offset += len(line) + 1
    else:  # a line held a newline: no character offsets
        folded = ""
        for line_tokens in tokenize_lines(gold_lines):
            tokens += line_tokens
            if line_tokens:
                lines[tuple(line_tokens)] += 1
    grams: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    firsts: dict[str, list[int]] = defaultdict(list)
    for i, token in enumerate(tokens):
        firsts[token].append(i)
        if i + 2 < len(tokens):
            grams[(token, tokens[i + 1], tokens[i + 2])].append(i)
    return _Gold(tokens, grams, firsts, lines, folded, starts, ends)


@dataclass(slots=True)
class _Match:
    score: float  # share of the line's 3-grams on the best diagonal
    start: int  # gold span of those 3-grams
    end: int
    weight: int  # matched 3-grams


def _diagonal(tokens: Sequence[str], gold: _Gold, cursor: int = 0) -> _Match | None:
    """Where in the gold a long line sits: the gold offset most of its 3-grams
    agree on (small insertions and deletions tolerated). Between equally good
    places (text the gold repeats) the first one after `cursor` wins."""
    n = len(tokens) - 2
    found: list[list[int] | None] = []
    votes: Counter[int] = Counter()
    for i in range(n):
        positions = gold.grams.get((tokens[i], tokens[i + 1], tokens[i + 2]))
        found.append(positions)
        if positions and len(positions) <= _MAX_POSITIONS:
            votes.update(p - i for p in positions)
    if not votes:
        return None
    slack = 3 + n // 8
    # the offset most 3-grams vote for; ties: the first one after the cursor
    diagonal = max(votes, key=lambda d: (votes[d], d >= cursor - slack, -d))
    matched, start, end = 0, len(gold.tokens), 0
    for i, positions in enumerate(found):
        if not positions:
            continue
        target = diagonal + i
        j = bisect_left(positions, target)
        near = min(positions[max(j - 1, 0) : j + 1], key=lambda p: abs(p - target))
        if abs(near - target) <= slack:
            matched += 1
            start, end = min(start, near), max(end, near + 3)
    return _Match(matched / n, start, end, matched) if matched else None


def _increasing(matches: list[tuple[int, _Match]]) -> set[int]:
    """Line indices of the heaviest subsequence with increasing gold starts:
    article lines must keep the gold's order (a teaser that repeats the first
    paragraph, or a pull quote, falls out)."""
    if not matches:
        return set()
    ranks = {s: r for r, s in enumerate(sorted({m.start for _, m in matches}), start=1)}
    size = len(ranks)
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)  # Fenwick tree of (best weight, item)
    best: list[int] = []
    back: list[int] = []
    for k, (_, match) in enumerate(matches):
        r = ranks[match.start] - 1  # best chain ending strictly before this start
        prev = (0, -1)
        while r > 0:
            prev = max(prev, tree[r])
            r -= r & -r
        best.append(prev[0] + match.weight)
        back.append(prev[1])
        r = ranks[match.start]
        while r <= size:
            tree[r] = max(tree[r], (best[k], k))
            r += r & -r
    k = max(range(len(matches)), key=best.__getitem__)
    chosen: set[int] = set()
    while k >= 0:
        chosen.add(matches[k][0])
        k = back[k]
    return chosen


def _find(short: Sequence[str], gold: _Gold, lo: int, hi: int, used: bytearray) -> int:
    """First position in [lo, hi) where the short token run occurs on unused gold tokens."""
    positions = gold.firsts.get(short[0], [])
    j = bisect_left(positions, lo)
    n = len(short)
    while j < len(positions) and positions[j] + n <= hi:
        p = positions[j]
        if tuple(gold.tokens[p : p + n]) == tuple(short) and not any(used[p : p + n]):
            return p
        j += 1
    return -1


# ----------------------------------------------------------------- labeling


def align_labels(
    lines: Sequence[str],
    gold: str,
    title: str | None = None,
    kinds: Sequence[str] | None = None,
) -> list[str | None]:
    """Label each line "article", "title" or "boilerplate" (None: unknown) by
    aligning it with `gold`, the reference main text (without the headline).
    `kinds` (`declutter.io.html.RenderedLine.kind` of each line, optional) marks
    list, table and code lines: structure, never a repeated sentence.

    >>> gold = "Rain fell on the city for three days.\\nFlooding\\nThe river rose two metres by Friday."
    >>> lines = ["Home", "Floods hit the city | Daily", "Rain fell on the city for three days.",
    ...          "Flooding", "The river rose two metres by Friday.", "Home", "Flooding news"]
    >>> align_labels(lines, gold, title="Floods hit the city - Daily News")
    ['boilerplate', 'title', 'article', 'article', 'article', 'boilerplate', 'boilerplate']
    """
    tokens = tokenize_lines(lines)
    kinds = list(kinds) if kinds is not None else [""] * len(lines)
    labels: list[str | None] = [BOILERPLATE] * len(lines)
    index = _index(gold)

    matcher = TitleMatcher(title) if title else None
    title_lines = [i for i, line in enumerate(lines) if matcher and matcher.match(line, tokens[i])]
    # LABELING: only a repeated sentence or paragraph is boilerplate as a
    # repeat; structure that recurs ("Pros", "Fee: $95", "}") is placed after
    # the first copies, on the gold's own repeats: its k-th copy on the k-th
    seen: set[tuple[str, ...]] = set()
    repeated: set[int] = set(title_lines)
    recurring: set[int] = set()
    for i, toks in enumerate(tokens):
        key = tuple(toks)
        if key in seen:
            (repeated if is_sentence(lines[i], toks, kinds[i]) else recurring).add(i)
        seen.add(key)

    # long lines: best diagonal, then the gold order
    matches: list[tuple[int, _Match]] = []
    unplaced: set[int] = set()  # no 3-gram votes: text the gold repeats too often to place
    cursor = 0
    for i, toks in enumerate(tokens):
        if i in repeated or i in recurring or len(toks) < SHORT_TOKENS:
            continue
        match = _diagonal(toks, index, cursor)
        if match is None:
            unplaced.add(i)
        elif match.score >= ARTICLE_MIN:
            matches.append((i, match))
            cursor = match.end
        elif match is not None and match.score >= UNKNOWN_MIN:
            labels[i] = None
    ordered = _increasing(matches)
    used = bytearray(len(index.tokens))
    spans: dict[int, tuple[int, int]] = {}
    for i, match in matches:
        if i in ordered:
            labels[i] = ARTICLE
            spans[i] = (match.start, match.end)
            used[match.start : match.end] = b"\x01" * (match.end - match.start)
        else:
            labels[i] = None

    # short lines, recurring structure, and long lines the gold repeats too
    # often to vote for one place (a schedule's "Location: Rm. 111, Shah
    # Center"): fill the unused gold gaps between their article neighbours, in order
    anchors = sorted(spans)
    page_counts = Counter(tuple(t) for t in tokens)
    located = dict(spans)  # every line placed in the gold, long or short
    cursor, a = 0, 0
    for i, toks in enumerate(tokens):
        while a < len(anchors) and anchors[a] < i:
            cursor = max(cursor, spans[anchors[a]][1])
            a += 1
        if not toks or i in repeated or (len(toks) >= SHORT_TOKENS and i not in unplaced and i not in recurring):
            continue
        hi = spans[anchors[a]][0] if a < len(anchors) else len(index.tokens)
        p = _find(toks, index, max(0, cursor - 2), hi + 2, used)
        if p >= 0:
            labels[i] = ARTICLE
            used[p : p + len(toks)] = b"\x01" * len(toks)
            cursor = p + len(toks)
            located[i] = (p, cursor)
        elif index.lines[tuple(toks)] == page_counts[tuple(toks)]:
            labels[i] = ARTICLE  # as often in the page as in the gold, each a whole gold line

    locate_symbols(lines, tokens, labels, located, index.text, index.starts, index.ends)

    if title_lines:
        labels[_pick_title(title_lines, labels)] = TITLE
    drop_by_guide(lines, tokens, kinds, labels)
    return labels


def drop_by_guide(
    lines: Sequence[str],
    tokens: Sequence[Sequence[str]],
    kinds: Sequence[str],
    labels: list[str | None],
    among: tuple[str | None, ...] = (ARTICLE, None),
) -> None:
    """Label `boilerplate`, in place, the lines among `among` that LABELING.md drops whatever a gold says
    (`boilerplate_reason`: bylines, credits, prompts, teasers, bare domains, date stamps), unless
    `structure_keeps` them. The line labels and the guide-adjusted gold (`training/build_lines.py`)
    read the guide through this one function."""
    for i, label in enumerate(labels):
        if label in among:
            reason = boilerplate_reason(lines[i], tokens[i])
            if reason is not None and not structure_keeps(reason, i, lines, tokens, kinds, labels):
                labels[i] = BOILERPLATE


def _pick_title(candidates: list[int], labels: Sequence[str | None]) -> int:
    """The headline is the title match nearest above the article (a breadcrumb
    or a "now reading" bar above it repeats it), else the first match."""
    first_article = next((i for i, label in enumerate(labels) if label == ARTICLE), len(labels))
    above = [i for i in candidates if i < first_article]
    return above[-1] if above else candidates[0]


# ----------------------------------------------------------------- snippets


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    first = needle[0]
    return any(
        haystack[i] == first and list(haystack[i : i + n]) == list(needle)
        for i in range(len(haystack) - n + 1)
    )


def label_by_snippets(
    lines: Sequence[str],
    positive: Iterable[str] = (),
    negative: Iterable[str] = (),
    title: str | None = None,
) -> list[str | None]:
    """Labels from snippet annotations (trafilatura's eval set): a line holding
    a positive snippet is article, a negative one boilerplate, else unknown.

    A snippet of one to three words only decides a line it mostly covers, so
    a negative "Home" does not condemn a paragraph that says "went home".

    >>> label_by_snippets(["Home", "He went home late that night.", "Menu"],
    ...                   positive=["went home late"], negative=["Home", "Menu"])
    ['boilerplate', 'article', 'boilerplate']
    """
    tokens = tokenize_lines(lines)
    pos = [t for t in map(tokenize, positive) if t]
    neg = [t for t in map(tokenize, negative) if t]

    def hit(line: list[str], snippets: list[list[str]]) -> bool:
        for snip in snippets:
            if len(line) >= SHORT_TOKENS and len(snip) >= len(line) and _contains(snip, line):
                return True  # the line is a part of a long snippet
            decisive = len(snip) >= SHORT_TOKENS or 2 * len(snip) >= len(line)
            if decisive and len(line) >= len(snip) and _contains(line, snip):
                return True
        return False

    labels: list[str | None] = []
    seen: set[tuple[str, ...]] = set()
    matcher = TitleMatcher(title) if title else None
    title_done = False
    for line, toks in zip(lines, tokens):
        key = tuple(toks)
        label: str | None = None
        is_title = matcher is not None and matcher.match(line, toks)
        if is_title and not title_done:
            label, title_done = TITLE, True
        elif key in seen or is_title:
            label = BOILERPLATE
        else:
            is_pos, is_neg = hit(toks, pos), hit(toks, neg)
            if is_pos != is_neg:
                label = ARTICLE if is_pos else BOILERPLATE
            if looks_like_boilerplate(line, toks):
                label = BOILERPLATE
        seen.add(key)
        labels.append(label)
    return labels
