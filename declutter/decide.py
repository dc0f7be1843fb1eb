"""Scores -> labels for a whole batch at once: thresholds, context rule, repeats, one title.

The model gives every line P(article), P(title) and P(boilerplate). This
module turns them into a label and a reason per line with NumPy over all the
lines of a batch (it runs for every line of every input, so the per-line
Python work is only writing the result down).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from .document import ARTICLE, BOILERPLATE, TITLE
from .features import first_to_last, pick, recurs_in_document, seen_before_in_document, teaser_lines
from .inner import announced_blocks, inner_short_lines, line_lengths, record_blocks
from .sentences import is_sentence

__all__ = [
    "Rules", "Decisions", "REASONS", "decide", "page_like_documents", "article_spans", "context_overruled", "first_line_titles",
    "between_dropped", "CONTEXT_OVERRULE_P",
    "repeated_lines", "PAGE_LIKE_MEDIAN", "PAGE_LIKE_MIN_LINES", "PAGE_LIKE_CONFIDENT",
    "PAGE_LIKE_CONFIDENT_RATIO", "SPAN_ANCHOR_P", "SPAN_ANCHOR_CHARS",
]

# Page-like documents (`page_like_documents`, on stage 1's scores); each value tuned with benchmarks/quality.py on held-out
# documents of both shapes, on stage 2's scores, and kept when the test moved to stage 1's (docs/experiments.md).
PAGE_LIKE_MEDIAN = 0.5  # median P(boilerplate) from which a document may be page-like
PAGE_LIKE_MIN_LINES = 20  # lines of the shortest page-like document
PAGE_LIKE_CONFIDENT = 0.9  # P(boilerplate) of a line the model is sure of
PAGE_LIKE_CONFIDENT_RATIO = 0.3  # confident lines >= this x doubtful (0.5 <= P < 0.9) ones

# The story stretch of a page-like document (`article_spans`): from its first to its last anchor, a long
# line the model is sure is article; inside it lines are cut at the residue threshold. Tuned with
# benchmarks/quality.py on held-out documents of both shapes.
SPAN_ANCHOR_P = 0.1  # an anchor's P(boilerplate) is below this
SPAN_ANCHOR_CHARS = 160  # an anchor has at least this many characters (works without spaces between words)

CONTEXT_OVERRULE_P = 0.05  # stage 1's P(boilerplate) under which context may not drop a long line; tuned with benchmarks/quality.py

# Lines are first compared by this many casefolded characters (`repeated_lines`).
_HEAD_KEY_CHARS = 24
# Lines whose indices `repeated_lines` turns into Python ints at a time.
_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class Rules:
    """What `decide` needs from the Config and the model card."""

    threshold: float  # residue: drop at P(boilerplate) >= this
    page_threshold: float  # page-like documents
    override: float | None = None  # Config.threshold: one cut for every document
    between_floor: float | None = 0.5  # Config.between_floor
    between_max_run: int = 1
    drop_duplicates: bool = True
    drop_teasers: bool = True  # Config.drop_teasers
    first_line_title: bool = True  # Config.first_line_title
    keep_inner_short: bool = True  # Config.keep_inner_short
    shape: str = "auto"  # Config.shape: "residue", "page" or "auto" (`page_like_documents` decides)


class Decisions(NamedTuple):
    """One entry per line of a batch."""

    labels: list[str]
    reasons: list[str]
    thresholds: np.ndarray  # the P(boilerplate) from which the line is dropped (which cut applied)


_LABELS = np.array(["article", "boilerplate", "title"], dtype=object)
#: Why `decide` labels a line as it does, in code order.
REASONS = ("model", "context", "between_boilerplate", "duplicate", "headline", "own_text", "inside_article", "teaser")
_REASONS = np.array(REASONS, dtype=object)


def decide(
    texts: list[str], doc_starts: np.ndarray, stage1: np.ndarray, stage2: np.ndarray, rules: Rules
) -> Decisions:
    """Label, reason and threshold of every line of a batch; documents are `texts[doc_starts[k]:doc_starts[k+1]]`.

    >>> p = np.array([[0.1, 0.8, 0.1], [0.9, 0.0, 0.1], [0.0, 0.0, 1.0]])
    >>> decide(["Headline", "Body text of the story.", "Read more"], np.array([0, 3]), p, p, Rules(0.9, 0.7))
    Decisions(labels=['title', 'article', 'boilerplate'], reasons=['model', 'model', 'model'], thresholds=array([0.9, 0.9, 0.9]))
    """
    n = len(texts)
    p_boiler = stage2[:, BOILERPLATE]
    lengths = np.diff(doc_starts)
    doc_ids = np.repeat(np.arange(len(lengths)), lengths)
    needed = rules.drop_duplicates or rules.shape == "auto"
    repeated = repeated_lines(texts, doc_ids) if needed else np.zeros(n, dtype=bool)
    if rules.shape == "residue":
        page_like = np.zeros(len(lengths), dtype=bool)
    elif rules.shape == "page":
        page_like = lengths > 0
    else:
        # On stage 1's scores: why is in `page_like_documents`. A repeated sentence is no
        # evidence: stage 1 reads it as boilerplate because it repeats, so a residue holding its
        # article twice read as page text and lost its body to the page cut. The repeat goes by
        # its own rule.
        first = ~repeated
        first_ids = doc_ids[first]
        page_like = page_like_documents(
            stage1[first, BOILERPLATE], first_ids, np.bincount(first_ids, minlength=len(lengths))
        )
    story = article_spans(texts, p_boiler, doc_ids, page_like)
    reads_as_page = page_like.copy()  # the first line of a page's text is navigation, story or not
    if rules.shape == "auto":
        # The lower cut sets a page's navigation apart from its story. A text
        # with no story stretch has nothing to set apart (a course schedule, a
        # directory, an extractor's table): it is judged as residue.
        page_like &= np.bincount(doc_ids[story], minlength=len(lengths)) > 0
    if rules.override is not None:
        cut = np.full(n, rules.override)
    else:
        cut = np.where(page_like, rules.page_threshold, rules.threshold)[doc_ids]
        cut[story] = rules.threshold
    dropped = p_boiler >= cut
    overruled = np.zeros(0, dtype=np.int64)
    if rules.override is None:
        overruled = context_overruled(texts, stage1, dropped)
        dropped[overruled] = False
    nonempty = lengths > 0
    headline = np.zeros(0, dtype=np.int64)
    if rules.first_line_title and n:
        headline = first_line_titles(doc_starts, nonempty & ~reads_as_page, dropped, stage1)
        dropped[headline] = False
    inner = np.zeros(0, dtype=np.int64)
    if rules.keep_inner_short and rules.override is None:
        # Structure the article holds (`declutter.inner`); in a page-like document only its story stretch.
        chars = line_lengths(texts)
        inner = inner_short_lines(texts, doc_ids, dropped, ~page_like[doc_ids] | story, chars)
        dropped[inner] = False
        announced = announced_blocks(texts, doc_ids, dropped, chars)
        dropped[announced] = False
        records = record_blocks(texts, doc_ids, dropped, chars)
        dropped[records] = False
        inner = np.unique(np.concatenate([inner, announced, records]))
    by_context = (stage1[:, BOILERPLATE] >= cut) != dropped
    duplicate = repeated if rules.drop_duplicates else np.zeros(n, dtype=bool)
    between = np.zeros(n, dtype=bool)
    if rules.between_floor is not None:
        enclosing = dropped | duplicate
        for k in np.flatnonzero(page_like).tolist():
            a, b = doc_starts[k], doc_starts[k + 1]
            between[a:b] = between_dropped(enclosing[a:b], p_boiler[a:b], rules.between_floor, rules.between_max_run)
    between &= ~story  # the story stretch is judged as residue, where the rule does not apply
    # A link to another story that carries its headline, in any language: whatever the scores say.
    teaser = teaser_lines(texts) if rules.drop_teasers else np.zeros(n, dtype=bool)
    teaser &= ~(dropped | between | duplicate)  # only the lines the rule drops carry its reason
    dropped |= between | duplicate | teaser
    labels = dropped.astype(np.int8)  # an index into _LABELS
    # One title at most per document: the kept line most likely a title, if
    # stage 2 finds it more title than article.
    title_p = np.where(~dropped & (stage2[:, TITLE] > stage2[:, ARTICLE]), stage2[:, TITLE], -1.0)
    title_p[headline] = 2.0  # the headline rule's line is the title
    if n:
        # Within each document, the highest P(title) first (ties: the earliest line).
        order = np.lexsort((-title_p, doc_ids))
        best = order[doc_starts[:-1][nonempty]]
        labels[best[title_p[best] >= 0]] = 2
    reasons = by_context.astype(np.int8)  # an index into _REASONS
    reasons[between] = 2
    reasons[duplicate] = 3
    reasons[headline] = 4
    reasons[overruled[~dropped[overruled]]] = 5  # own_text, unless the duplicate or between rule dropped it
    reasons[inner[~dropped[inner]]] = 6  # inside_article, likewise
    reasons[teaser] = 7
    # Lists of the same few str objects: 8 bytes a line (a str each took 60).
    return Decisions(_LABELS[labels].tolist(), _REASONS[reasons].tolist(), cut)


def context_overruled(texts: list[str], stage1: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """Indices of dropped lines to keep: long (>= SPAN_ANCHOR_CHARS) and sure article on their own text.

    Stage 2 reads position and zone, and deep in a long document it can
    drop paragraph after paragraph of prose that stage 1 reads as article
    at P(boilerplate) < 0.01 (a 243-line parliamentary debate in cleaneval).
    Teasers and link lists are short or doubtful on their own text, so
    they are still dropped.

    >>> long = "The minister said the bill would be debated again next week in the upper house. " * 2
    >>> s1 = np.array([[0.97, 0.0, 0.03], [0.97, 0.0, 0.03], [0.3, 0.0, 0.7]])
    >>> context_overruled([long, "Read more", long], s1, np.array([True, True, True])).tolist()
    [0]
    """
    sure = np.flatnonzero(dropped & (stage1[:, BOILERPLATE] < CONTEXT_OVERRULE_P))
    if not len(sure):
        return sure
    return sure[np.fromiter(map(len, pick(texts, sure)), np.int64, len(sure)) >= SPAN_ANCHOR_CHARS]


def first_line_titles(
    doc_starts: np.ndarray, eligible: np.ndarray, dropped: np.ndarray, stage1: np.ndarray
) -> np.ndarray:
    """The first lines to keep as the title: dropped, yet read as a title by stage 1 alone.

    A headline is where a document starts. When the line on its own looks
    like one, the context stage's "boilerplate" comes from what follows it --
    an old table layout's empty cells, a byline, a date -- which is what
    follows a headline too. Only `eligible` documents (not page-like: there
    the first line is navigation) are considered.

    >>> s1 = np.array([[0.2, 0.7, 0.1], [0.9, 0.0, 0.1], [0.1, 0.1, 0.8]])
    >>> first_line_titles(np.array([0, 2, 3]), np.array([True, True]), np.array([True, False, True]), s1).tolist()
    [0]
    """
    firsts = doc_starts[:-1][eligible]
    return firsts[dropped[firsts] & (stage1[firsts].argmax(axis=1) == 1)]


def page_like_documents(p_boiler: np.ndarray, doc_ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which documents are all the text of a page rather than extractor residue.

    `p_boiler` is stage 1's P(boilerplate), each line read on its own text.
    Stage 2's context drifts deep into long texts (a parliamentary record
    read as navigation) and with the lines around, so a text whose footer a
    first pass dropped could read as more page-like than before and lose its
    body to the fixed point's next pass (docs/experiments.md).
    `doc_ids` must be sorted (each document's lines contiguous, as in a batch).

    >>> page_like_documents(np.array([0.95] * 20 + [0.1] * 3), np.repeat([0, 1], [20, 3]), np.array([20, 3])).tolist()
    [True, False]

    Twenty lines the model only doubts are not a page:

    >>> page_like_documents(np.array([0.7] * 20), np.zeros(20, int), np.array([20])).tolist()
    [False]
    """
    k = len(lengths)
    if not len(p_boiler):
        return np.zeros(k, dtype=bool)
    # Medians of all documents at once: sort each document's scores in place.
    ordered = np.sort(p_boiler) if k == 1 else p_boiler[np.lexsort((p_boiler, doc_ids))]  # one: no index array
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    last = len(ordered) - 1
    upper = ordered[np.minimum(starts + lengths // 2, last)]
    lower = ordered[np.minimum(starts + np.maximum(lengths // 2 - 1, 0), last)]
    medians = np.where(lengths % 2 == 1, upper, (upper + lower) / 2)
    confident = np.bincount(doc_ids, weights=p_boiler >= PAGE_LIKE_CONFIDENT, minlength=k)
    doubtful = np.bincount(doc_ids, weights=(p_boiler >= 0.5) & (p_boiler < PAGE_LIKE_CONFIDENT), minlength=k)
    return (
        (lengths >= PAGE_LIKE_MIN_LINES)
        & (medians >= PAGE_LIKE_MEDIAN)
        & (confident >= PAGE_LIKE_CONFIDENT_RATIO * doubtful)
    )


def article_spans(texts: list[str], p_boiler: np.ndarray, doc_ids: np.ndarray, page_like: np.ndarray) -> np.ndarray:
    """True for the lines of a page-like document from its first to its last anchor (see SPAN_ANCHOR_P).

    `doc_ids` must be sorted. Documents that are not page-like, or have no
    anchor, get no stretch.

    >>> long = "A long paragraph of the story. " * 6
    >>> texts = ["Home", long, "- Schedule", "| 1 | 2 |", long, "Related stories", "Home", long]
    >>> p = np.array([0.99, 0.02, 0.8, 0.7, 0.05, 0.9, 0.99, 0.02])
    >>> article_spans(texts, p, np.repeat([0, 1], [6, 2]), np.array([True, False])).astype(int).tolist()
    [0, 1, 1, 1, 1, 0, 0, 0]
    """
    candidates = np.flatnonzero(page_like[doc_ids] & (p_boiler < SPAN_ANCHOR_P))
    long_enough = np.fromiter(map(len, pick(texts, candidates)), np.int64, len(candidates)) >= SPAN_ANCHOR_CHARS
    return first_to_last(candidates[long_enough], doc_ids, len(p_boiler))


def between_dropped(dropped: np.ndarray, p_boiler: np.ndarray, floor: float, max_run: int = 1) -> np.ndarray:
    """Kept lines to drop because dropped lines enclose them and they are doubtful.

    A maximal run of at most `max_run` kept lines, with a dropped line right
    before and right after it, is selected when every line of the run has
    P(boilerplate) >= `floor` (jusText's context rule). Lines at the
    document's edges are never enclosed.

    >>> dropped = np.array([True, False, True, False, False, True])
    >>> between_dropped(dropped, np.array([0.9, 0.6, 0.9, 0.6, 0.7, 0.9]), 0.5).tolist()
    [False, True, False, False, False, False]
    >>> between_dropped(dropped, np.array([0.9, 0.6, 0.9, 0.6, 0.7, 0.9]), 0.5, max_run=2).tolist()
    [False, True, False, True, True, False]
    >>> between_dropped(dropped, np.array([0.9, 0.2, 0.9, 0.6, 0.7, 0.9]), 0.5, max_run=2).tolist()
    [False, False, False, True, True, False]
    """
    out = np.zeros(dropped.shape, dtype=bool)
    if dropped.size < 3 or max_run < 1:
        return out
    # Runs of kept lines: one starts after a dropped line and ends before one.
    edges = np.diff(np.concatenate([[0], (~dropped).astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # exclusive
    enclosed = (starts > 0) & (ends < dropped.size) & (ends - starts <= max_run)
    doubtful = p_boiler >= floor
    for start, end in zip(starts[enclosed].tolist(), ends[enclosed].tolist()):
        if doubtful[start:end].all():
            out[start:end] = True
    return out


def repeated_lines(texts: list[str], doc_ids: np.ndarray) -> np.ndarray:
    """True for a sentence or paragraph repeating an earlier line of its document (case and edges aside).

    LABELING.md drops a repeated sentence (`sentences.is_sentence`: at least
    8 words, or 4 ending in sentence punctuation); short structural lines
    that recur by nature (a table cell, "Fee: $155", "Step 2") stay.

    >>> repeated_lines(["The photo shows the mayor.", "Fee: $155", "the photo shows the mayor. ", "Fee: $155"], np.zeros(4, int)).tolist()
    [False, False, True, False]
    >>> repeated_lines(["Die Straße ist heute gesperrt.", "DIE STRASSE IST HEUTE GESPERRT."], np.zeros(2, int)).tolist()
    [False, True]
    """
    out = np.zeros(len(texts), dtype=bool)
    if not texts:
        return out
    # Two lines equal after casefold() share their first _HEAD_KEY_CHARS
    # casefolded characters, and casefolding a line's head gives those (a
    # character folds to one or more). So only lines whose head key recurs in
    # their document are casefolded whole: casefolding every line cost a
    # third of `decide` (long non-ASCII lines fold slowly).
    # Lines are stripped as they are read, not kept stripped: a list of a million lines is 8 MB.
    head = itemgetter(slice(_HEAD_KEY_CHARS))
    heads = map(head, map(str.casefold, map(head, map(str.strip, texts))))
    head_keys = np.fromiter(map(hash, heads), dtype=np.int64, count=len(texts))
    recurring = np.flatnonzero(recurs_in_document(head_keys, doc_ids))
    del head_keys
    if not len(recurring):
        return out
    # Hashed as they are made, not kept: in a dump of a million short lines nearly every line recurs.
    # A chunk of lines at a time: their indices as ints (36 bytes each) only for that chunk.
    chunks = range(0, len(recurring), _CHUNK)
    picked = chain.from_iterable(pick(texts, recurring[lo : lo + _CHUNK]) for lo in chunks)
    keys = np.fromiter(map(hash, map(str.casefold, map(str.strip, picked))), dtype=np.int64, count=len(recurring))
    repeat = recurring[seen_before_in_document(keys, doc_ids[recurring])]
    for lo in range(0, len(repeat), _CHUNK):
        for i in repeat[lo : lo + _CHUNK].tolist():
            out[i] = is_sentence(texts[i].strip().casefold())
    return out


