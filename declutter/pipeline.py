"""Cleaner: document -> classify -> revise in context -> cut -> repair -> render, to a fixed point.

A Cleaner loads its model once and classifies many documents in one model
call, which is how batch mode keeps per-document overhead small. There is
one path: every line's score, label and reason are columns over the batch
(`_settle`); `explain_documents` turns them into a `Line` per line, and
`summarize_documents` into counts, which is what batch mode writes.

Cleaning to a fixed point. LABELING.md promises clean(clean(x)) ==
clean(x), but the model judges a line in its context: once a page's
navigation is gone, a byline or a "Related story" line that passed among
the menus can look like boilerplate among the paragraphs, and a second
clean would drop it. So a pass is not the whole of cleaning: the kept
lines, as they would be rendered (cut, repaired, split again: `resplit`),
are cleaned again as a document of their own until a pass keeps every
line unchanged, and that output is the result. Cleaning it again then
starts from the very lines of that last pass and decides the same, which is
the promise. A pass only drops lines or shortens and repairs them, so the
passes end; `MAX_PASSES` bounds them all the same. A document whose first
pass keeps every line unchanged (clean text) takes one pass, as before;
others take one more pass on their kept lines, rarely more. A line dropped
by a later pass has the reason `reclean`, and the score and threshold of
that pass; a kept line keeps the first pass's, its reading in the whole
document.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from .config import Config
from .decide import REASONS, Decisions, Rules, decide
from .document import (
    BOILERPLATE,
    LABELS,
    TITLE,
    Document,
    Line,
    Repair,
    Result,
    parse_header,
    render,
    resplit,
    split_document,
)
from .finish import finish
from .inputs import as_text
from .model import LineModel, cached_model, load_model, model_card
from .windows import predict_in_windows

__all__ = ["Cleaner", "Summary", "MAX_PASSES"]

_NO_SCORES = np.zeros(0)  # `_settle(scores=False)`: no per-line scores kept

# A settled line's label and reason are kept as codes, one byte each, not as
# a list of names: a million lines' two lists were 16 MB held across passes.
_LABEL_NAMES = np.array(LABELS, dtype=object)
_LABEL_CODES = {name: code for code, name in enumerate(LABELS)}
# `decide`'s reasons, then those of later passes: dropped on a re-clean, a header left alone on a kept line.
_REASON_NAMES = np.array([*REASONS, "reclean", "header"], dtype=object)
_REASON_CODES = {name: code for code, name in enumerate(_REASON_NAMES)}
_RECLEAN, _HEADER = _REASON_CODES["reclean"], _REASON_CODES["header"]

#: Passes over one document at most (see "Cleaning to a fixed point" above).
#: Each pass after the first runs on the lines the previous one kept; most
#: real pages reach the fixed point in two or three, but a text whose top is
#: read as navigation on every pass (a product listing) loses a few lines a
#: pass, for tens of passes (counted in docs/experiments.md). A bound they
#: reach breaks clean(clean(x)) == clean(x) on such pages.
MAX_PASSES = 64
#: Lines whose indices `_settle` turns into Python ints at a time.
_CHUNK = 65_536


class Cleaner:
    """Reusable cleaner: holds a Config and a model, loaded lazily on first use.

    A model given by path is checked at construction (its files and card are
    there, in a format this declutter reads: `ModelError` naming the path
    otherwise); its arrays are loaded on first use. Texts are `str`
    (`declutter.inputs.as_text`: bytes and None are TypeErrors).

    >>> cleaner = Cleaner()
    >>> story = ("Photo: AP\\n\\n"
    ...          "The council met on Monday and agreed to extend the ceasefire for another week, officials said.\\n\\n"
    ...          "The vote passed with a large majority after a long debate in the chamber on Sunday night.\\n\\n"
    ...          "Read more\\n\\nShare this article\\n")
    >>> print(cleaner.clean(story))
    The council met on Monday and agreed to extend the ceasefire for another week, officials said.
    <BLANKLINE>
    The vote passed with a large majority after a long debate in the chamber on Sunday night.
    <BLANKLINE>
    >>> [line.label for line in cleaner.explain(story).lines]
    ['boilerplate', 'article', 'article', 'boilerplate', 'boilerplate']
    """

    def __init__(
        self,
        config: Config | None = None,
        model: LineModel | str | Path | None = None,
        *,
        trust_model: bool = False,
    ) -> None:
        self.config = config or Config()
        if isinstance(model, (str, Path)):
            model_card(model)  # a missing or unreadable model fails here, naming the path, not on the first call
        self._model_arg = model
        self._trust = trust_model
        self._model: LineModel | None = model if isinstance(model, LineModel) else None
        self._predicted = False  # has this Cleaner scored a batch yet? (`_predict`)

    @property
    def model(self) -> LineModel:
        if self._model is None:
            arg = self._model_arg
            if arg is None:
                self._model = cached_model(None)
            else:
                self._model = load_model(arg, trust=self._trust, estimators=False)  # type: ignore[arg-type]
        return self._model

    @property
    def threshold(self) -> float:
        """The residue threshold in force (page-like documents use the card's `page_threshold`; see `decide`)."""
        return self.config.threshold if self.config.threshold is not None else self.model.threshold

    @property
    def rules(self) -> Rules:
        """The decision rules in force: the card's thresholds, the Config's overrides."""
        config, model = self.config, self.model
        return Rules(
            threshold=model.threshold,
            page_threshold=model.page_threshold,
            override=config.threshold,
            between_floor=config.between_floor,
            between_max_run=config.between_max_run,
            drop_duplicates=config.drop_duplicates,
            drop_teasers=config.drop_teasers,
            first_line_title=config.first_line_title,
            keep_inner_short=config.keep_inner_short,
            shape=config.shape,
        )

    def clean(self, text: str) -> str:
        """The article text of one document."""
        return self.clean_many([text])[0]

    def explain(self, text: str) -> Result:
        """The article text plus every line's score, label and reason, and every repair."""
        return self.explain_many([text])[0]

    def clean_many(self, texts: Iterable[str]) -> list[str]:
        """The article text of each document, with one model call for all their lines."""
        return [summary.text for summary in self.summarize_many(list(texts))]

    def explain_many(self, texts: Sequence[str]) -> list[Result]:
        """Clean a batch with one model call for all its lines (a pass)."""
        return self.explain_documents([split_document(as_text(t)) for t in texts])

    def summarize_many(self, texts: Sequence[str]) -> list[Summary]:
        """`summarize_documents` of texts."""
        return self.summarize_documents([split_document(as_text(t)) for t in texts])

    def explain_documents(self, docs: Sequence[Document]) -> list[Result]:
        """Like `explain_many` for documents already split into lines (HTML, labeled documents)."""
        settled = self._settle(docs)
        name = self.model.name
        results = []
        for doc, done in zip(docs, settled):
            lines = [
                Line(i, *line)
                for i, line in enumerate(
                    zip(
                        doc.texts, doc.blank_before, done.scores.tolist(), done.title_scores.tolist(),
                        done.thresholds.tolist(), _LABEL_NAMES[done.labels].tolist(),
                        _REASON_NAMES[done.reasons].tolist(), done.outputs,
                    )
                )
            ]
            for i, cut in done.cuts:
                lines[i].cuts.append(cut)
            text = render(done.outputs, doc.blank_before)
            results.append(Result(text, done.title, {**doc.metadata, **done.metadata}, lines, done.repairs, name))
        return results

    def summarize_documents(self, docs: Sequence[Document]) -> list[Summary]:
        """The clean text of each document and counts of what was done: what batch mode writes.

        The same decisions as `explain_documents`, without a `Line` per line:
        making and filling those cost a tenth of cleaning a residue document.
        """
        settled = self._settle(docs, scores=False)
        name = self.model.name
        summaries = []
        for doc, done in zip(docs, settled):
            text = render(done.outputs, doc.blank_before)
            summaries.append(Summary(text, len(doc.texts), _dropped(done), len(done.repairs), name))
        return summaries

    def _settle(self, docs: Sequence[Document], scores: bool = True) -> list[_Settled]:
        """Each document cleaned to a fixed point: see "Cleaning to a fixed point".

        Every pass classifies the documents still unsettled in one model call.
        `scores=False` (`summarize_documents`) keeps no per-line score or
        threshold (empty arrays): three float arrays a line, held across
        every pass of a huge document, that the text and counts never read.
        """
        if not docs:
            return []
        one_shot = not self._predicted
        settled: list[_Settled] = []
        # Each unsettled document: (its index, this pass's lines, their blank flags, their lines' indices in the document).
        todo = [(k, doc.texts, doc.blank_before, range(len(doc.texts))) for k, doc in enumerate(docs)]
        passes = MAX_PASSES if self.config.fixed_point else 1
        for n in range(1, passes + 1):
            decisions, stage2, starts = self._decide([texts for _, texts, _, _ in todo], one_shot)
            labels, reasons, thresholds = decisions
            label_codes = _codes(labels, _LABEL_CODES)
            reason_codes = _codes(reasons, _REASON_CODES) if n == 1 else None  # later passes: "reclean"
            reasons = None  # the names go now; only their codes are kept
            if scores and n == 1:
                line_scores, title_scores = np.round(stage2[:, BOILERPLATE], 4), np.round(stage2[:, TITLE], 4)
            else:  # a later pass records a score only for the lines it drops (below)
                line_scores = title_scores = thresholds = _NO_SCORES
            unsettled = []
            for (k, texts, blank, where), a, b in zip(todo, starts[:-1].tolist(), starts[1:].tolist()):
                doc_labels = labels if (a, b) == (0, len(labels)) else labels[a:b]  # one document: no copy
                finished = finish(texts, doc_labels, self.config)
                if n == 1:
                    done = _Settled(
                        label_codes[a:b], reason_codes[a:b],  # type: ignore[index]
                        thresholds[a:b], line_scores[a:b], title_scores[a:b],
                        finished.outputs, finished.cuts, finished.repairs, finished.title, {},
                    )
                    settled.append(done)
                else:
                    done = settled[k]._replace(title=finished.title)
                    done.labels[where] = label_codes[a:b]  # article or title may swap
                    gone = where[label_codes[a:b] == BOILERPLATE]
                    done.reasons[gone] = _RECLEAN
                    if scores:  # why it goes: this pass's score against its threshold
                        dropped = np.flatnonzero(label_codes[a:b] == BOILERPLATE) + a
                        done.thresholds[gone] = decisions.thresholds[dropped]
                        done.scores[gone] = np.round(stage2[dropped, BOILERPLATE], 4)
                        done.title_scores[gone] = np.round(stage2[dropped, TITLE], 4)
                    for lo in range(0, len(where), _CHUNK):  # a chunk's indices at a time, not a million ints
                        for j, i in enumerate(where[lo : lo + _CHUNK].tolist(), lo):
                            done.outputs[i] = finished.outputs[j]
                    done.cuts.extend((int(where[j]), cut) for j, cut in finished.cuts)
                    done.repairs.extend(Repair(int(where[r.line]), r.name, r.before, r.after) for r in finished.repairs)
                    settled[k] = done
                again = resplit(finished.outputs, blank) if n < passes else None
                if again is not None and again[0] != texts:
                    texts2, blank2, origins = again
                    first = next((j for j, output in enumerate(finished.outputs) if output is not None), None)
                    if first is not None and (not len(origins) or int(origins[0]) != first):
                        # A kept first line that is only a metadata header (" date 1999-01-02" once the
                        # line above it went): the next clean would take it off, so it goes now.
                        i = int(where[first])
                        done.metadata.update(parse_header(done.outputs[i] or "")[0])
                        done.outputs[i], done.labels[i], done.reasons[i] = None, BOILERPLATE, _HEADER
                    unsettled.append((k, texts2, blank2, np.asarray(where)[origins]))
                    del origins, texts2, blank2
                again = None  # its list of indices would outlive this pass
            # This pass's arrays go before the next pass makes its own (the kept ones are views),
            # and so do the loop's names, which would hold this pass's lines through the next.
            del decisions, labels, label_codes, reason_codes, thresholds, stage2, line_scores, title_scores, finished
            del texts, blank, where, doc_labels, done
            todo = unsettled
            if not todo:
                break
        if one_shot:
            self._predicted = True
        if not self.config.keep_title:
            for done in settled:
                titles = set(np.flatnonzero(done.labels == TITLE).tolist())
                for i in titles:
                    done.outputs[i] = None
                if titles:
                    done.repairs[:] = [r for r in done.repairs if r.line not in titles]
        return settled

    def _decide(self, line_texts: list[list[str]], one_shot: bool = False) -> tuple[Decisions, np.ndarray, np.ndarray]:
        """Every line's decision, stage 2's scores and where each document starts, for a batch."""
        texts = [t for lines in line_texts for t in lines]
        doc_starts = np.concatenate([[0], np.cumsum([len(lines) for lines in line_texts])]).astype(np.int64)
        if texts:
            stage1, stage2 = self._predict(line_texts, one_shot)
        else:
            stage1 = stage2 = np.zeros((0, len(LABELS)))
        return decide(texts, doc_starts, stage1, stage2, self.rules), stage2, doc_starts

    def _predict(self, line_texts: list[list[str]], one_shot: bool) -> tuple[np.ndarray, np.ndarray]:
        """Both stages' scores; a Cleaner's first call (`one_shot`, all its passes) walks stage 2's trees in NumPy.

        A process that cleans once -- the CLI, a batch of one chunk, a
        notebook's first `clean()` -- then imports neither onnxruntime
        nor scikit-learn. Later calls run stage 2 on
        onnxruntime when the model has it, else give more than 128 lines to
        scikit-learn's predictor: faster a line than the NumPy walk,
        with the same scores (`TreeStage.proba`).
        """
        predict = self.model.predict
        if one_shot:
            from .model.stages import ONE_SHOT_NUMPY_MAX_ROWS

            predict = partial(predict, numpy_max_rows=ONE_SHOT_NUMPY_MAX_ROWS)
        return predict_in_windows(predict, line_texts)  # a long document a window at a time


def _codes(names: list[str], codes: dict[str, int]) -> np.ndarray:
    """The code of each name, one byte each."""
    return np.fromiter(map(codes.__getitem__, names), dtype=np.int8, count=len(names))


def _dropped(done: _Settled) -> dict[str, int]:
    """Lines dropped, by reason, in the order each reason first drops a line."""
    codes, first, counts = np.unique(done.reasons[done.labels == BOILERPLATE], return_index=True, return_counts=True)
    order = np.argsort(first)
    return {str(_REASON_NAMES[codes[k]]): int(counts[k]) for k in order.tolist()}


class _Settled(NamedTuple):
    """One document cleaned to a fixed point: per line of the document, what its last pass decided."""

    labels: np.ndarray  # int8 codes into LABELS
    reasons: np.ndarray  # int8 codes into _REASON_NAMES
    thresholds: np.ndarray
    scores: np.ndarray  # P(boilerplate), rounded
    title_scores: np.ndarray
    outputs: list[str | None]
    cuts: list[tuple[int, str]]
    repairs: list[Repair]
    title: str | None
    metadata: dict[str, str]  # a header found on a kept line by a later pass (reason "header")


class Summary(NamedTuple):
    """What batch mode records of one cleaned document (`Cleaner.summarize_documents`)."""

    text: str
    lines: int
    dropped: dict[str, int]  # lines dropped, by reason
    repairs: int
    model: str
