"""Cleaner: document -> classify -> revise in context -> cut -> repair -> render.

A Cleaner loads its model once and classifies many documents in one model
call, which is how batch mode keeps per-document overhead small. There is
one path: every line's score, label and reason are columns over the batch
(`_run`); `explain_documents` turns them into a `Line` per line, and
`summarize_documents` into counts, which is what batch mode writes.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from .config import Config
from .cuts import cut_leading_tag, cut_trailing_notice
from .decide import Decisions, Rules, decide
from .document import (
    BOILERPLATE,
    LABELS,
    TITLE,
    Document,
    Line,
    Repair,
    Result,
    render,
    split_document,
)
from .inputs import as_text
from .model import LineModel, cached_model, load_model, model_card

__all__ = ["Cleaner", "Summary"]


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
            first_line_title=config.first_line_title,
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
        """Clean a batch with one model call for all its lines."""
        return self.explain_documents([split_document(as_text(t)) for t in texts])

    def summarize_many(self, texts: Sequence[str]) -> list[Summary]:
        """`summarize_documents` of texts."""
        return self.summarize_documents([split_document(as_text(t)) for t in texts])

    def explain_documents(self, docs: Sequence[Document]) -> list[Result]:
        """Like `explain_many` for documents already split into lines (HTML, labeled documents)."""
        batch = self._run(docs)
        labels, reasons, thresholds = batch.decisions
        scores = np.round(batch.stage2[:, BOILERPLATE], 4).tolist()
        title_scores = np.round(batch.stage2[:, TITLE], 4).tolist()
        name = self.model.name
        results = []
        for doc, a, finished in zip(docs, batch.starts, batch.finished):
            lines = [
                Line(i, text, blank, scores[a + i], title_scores[a + i], thresholds[a + i], labels[a + i], reasons[a + i], output)
                for i, (text, blank, output) in enumerate(zip(doc.texts, doc.blank_before, finished.outputs))
            ]
            for i, cut in finished.cuts:
                lines[i].cuts.append(cut)
            text = render(finished.outputs, doc.blank_before)
            results.append(Result(text, finished.title, dict(doc.metadata), lines, finished.repairs, name))
        return results

    def summarize_documents(self, docs: Sequence[Document]) -> list[Summary]:
        """The clean text of each document and counts of what was done: what batch mode writes.

        The same decisions as `explain_documents`, without a `Line` per line:
        making and filling those cost a tenth of cleaning a residue document.
        """
        batch = self._run(docs)
        labels, reasons, _ = batch.decisions
        name = self.model.name
        summaries = []
        for doc, a, finished in zip(docs, batch.starts, batch.finished):
            b = a + len(doc.texts)
            dropped = Counter(compress(reasons[a:b], map(LABELS[BOILERPLATE].__eq__, labels[a:b])))
            text = render(finished.outputs, doc.blank_before)
            summaries.append(Summary(text, len(doc.texts), dict(dropped), len(finished.repairs), name))
        return summaries

    def _run(self, docs: Sequence[Document]) -> _Batch:
        """Every line's decision (columns over the batch), then each document's cuts and repairs."""
        decisions, stage2, doc_starts = self._decide([d.texts for d in docs])
        labels = decisions.labels
        starts = doc_starts.tolist()
        finished = [self._finish(d.texts, labels[a:b]) for d, a, b in zip(docs, starts[:-1], starts[1:])]
        return _Batch(decisions, stage2, starts[:-1], finished)

    def _decide(self, line_texts: list[list[str]]) -> tuple[Decisions, np.ndarray, np.ndarray]:
        """Every line's decision, stage 2's scores and where each document starts, for a batch."""
        texts = [t for lines in line_texts for t in lines]
        doc_starts = np.concatenate([[0], np.cumsum([len(lines) for lines in line_texts])]).astype(np.int64)
        if texts:
            stage1, stage2 = self._predict(line_texts)
        else:
            stage1 = stage2 = np.zeros((0, len(LABELS)))
        return decide(texts, doc_starts, stage1, stage2, self.rules), stage2, doc_starts

    def _predict(self, line_texts: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Both stages' scores; a Cleaner's first call walks stage 2's trees in NumPy.

        A process that cleans once -- the CLI, a batch of one chunk, a
        notebook's first `clean()` -- then imports neither onnxruntime
        nor scikit-learn. Later calls run stage 2 on
        onnxruntime when the model has it, else give more than 128 lines to
        scikit-learn's predictor: faster a line than the NumPy walk,
        with the same scores (`TreeStage.proba`).
        """
        if self._predicted:
            return self.model.predict(line_texts)
        from .model.stages import ONE_SHOT_NUMPY_MAX_ROWS

        scores = self.model.predict(line_texts, numpy_max_rows=ONE_SHOT_NUMPY_MAX_ROWS)
        self._predicted = True
        return scores

    def _finish(self, texts: list[str], labels: list[str]) -> _Finished:
        """Cut glued notices off one document's kept lines, and repair them."""
        config = self.config
        keep_title = config.keep_title
        kept = [i for i, label in enumerate(labels) if label == "article" or (keep_title and label == "title")]
        values = [texts[i] for i in kept]
        cuts: list[tuple[int, str]] = []
        body = [k for k, i in enumerate(kept) if labels[i] == "article"] if config.cut_notices else []
        if body:
            first, last = body[0], body[-1]
            values[first], cut = cut_leading_tag(values[first])
            if cut:
                cuts.append((kept[first], cut))
            values[last], cut = cut_trailing_notice(values[last])
            if cut:
                cuts.append((kept[last], cut))
        repairs: list[Repair] = []
        if config.repair and kept:
            from .repair import repair_lines

            values, found = repair_lines(values, skip=config.skip_repairs)
            repairs = [Repair(kept[r.line], r.name, r.before, r.after) for r in found]
        else:
            values = [value.rstrip() for value in values]
        outputs: list[str | None] = [None] * len(texts)
        for i, value in zip(kept, values):
            if value.strip():
                outputs[i] = value
        title = None
        if "title" in labels:
            i = labels.index("title")
            title = outputs[i] or texts[i]
        return _Finished(outputs, cuts, repairs, title)


class _Batch(NamedTuple):
    """A batch after `decide`: columns over all its lines, and each document finished."""

    decisions: Decisions
    stage2: np.ndarray  # stage 2's probabilities, one column per label (`document.LABELS`)
    starts: list[int]  # index of each document's first line
    finished: list[_Finished]


class _Finished(NamedTuple):
    """One document after cuts and repairs."""

    outputs: list[str | None]  # per line: the kept text after cuts and repairs; None when dropped
    cuts: list[tuple[int, str]]  # (line, the piece cut off it)
    repairs: list[Repair]  # `Repair.line` is the line's index in the document
    title: str | None


class Summary(NamedTuple):
    """What batch mode records of one cleaned document (`Cleaner.summarize_documents`)."""

    text: str
    lines: int
    dropped: dict[str, int]  # lines dropped, by reason
    repairs: int
    model: str
