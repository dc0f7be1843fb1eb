"""Cleaner: document -> classify -> revise in context -> cut -> repair -> render.

A Cleaner loads its model once and classifies many documents in one model
call (`explain_many`), which is how batch mode keeps per-document overhead
small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .config import Config
from .cuts import cut_leading_tag, cut_trailing_notice
from .document import Document, Repair, Result, render, split_document
from .model import LineModel, cached_model, load_model

__all__ = ["Cleaner"]

# A repeated line is boilerplate by LABELING.md; below this many words the
# rule is left to the model, so a repeated short table cell ("0", "Yes") is not
# dropped for being short and repeated alone.
_DUPLICATE_MIN_WORDS = 3

# A document is page-like (all the text of a web page) when at least half its
# lines look like boilerplate on average AND it is long enough to be a page:
# a 3-line story with one repeated line is not a page. Measured with
# benchmarks' held-out sets (mean token F1, residue / page): no length rule
# 0.9313 / 0.8725, >= 20 lines 0.9316 / 0.8730, >= 40 lines 0.9324 / 0.8711.
_PAGE_LIKE_MEAN = 0.5
_PAGE_LIKE_MIN_LINES = 20



def between_dropped(dropped: np.ndarray, p_boiler: np.ndarray, floor: float, max_run: int = 1) -> np.ndarray:
    """Kept lines to drop because dropped lines enclose them and they are doubtful.

    A maximal run of at most `max_run` kept lines, with a dropped line right
    before and right after it, is selected when every line of the run has
    P(boilerplate) >= `floor`. Lines at the document's edges are never
    enclosed.

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
    # Boundaries of runs of kept lines: a run starts after a dropped line and
    # ends before one (document edges do not count).
    edges = np.diff(np.concatenate([[0], (~dropped).astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # exclusive
    enclosed = (starts > 0) & (ends < dropped.size) & (ends - starts <= max_run)
    doubtful = p_boiler >= floor
    for start, end in zip(starts[enclosed].tolist(), ends[enclosed].tolist()):
        if doubtful[start:end].all():
            out[start:end] = True
    return out


class Cleaner:
    """Reusable cleaner: holds a Config and a model, loaded lazily on first use.

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
        self._model_arg = model
        self._trust = trust_model
        self._model: LineModel | None = model if isinstance(model, LineModel) else None

    @property
    def model(self) -> LineModel:
        if self._model is None:
            arg = self._model_arg
            if arg is None:
                self._model = cached_model(None)
            else:
                self._model = load_model(arg, trust=self._trust)  # type: ignore[arg-type]
        return self._model

    @property
    def threshold(self) -> float:
        """The residue threshold in force (see `threshold_for`)."""
        return self.config.threshold if self.config.threshold is not None else self.model.threshold

    def threshold_for(self, p_boiler: np.ndarray) -> float:
        """The drop threshold for one document, given its lines' P(boilerplate).

        Extractor residue (mostly article) and all page text (mostly
        boilerplate) need different cuts: the model card holds one tuned for
        >= 98% article recall on residue and one tuned for F1 on page text. A
        document of at least 20 lines whose mean P(boilerplate) is at least
        one half is page-like.
        `Config.threshold` overrides both.
        """
        if self.config.threshold is not None:
            return self.config.threshold
        return self.model.page_threshold if self.page_like(p_boiler) else self.model.threshold

    @staticmethod
    def page_like(p_boiler: np.ndarray) -> bool:
        """All the text of a page rather than extractor residue: >= 20 lines, mean P(boilerplate) >= 0.5."""
        return p_boiler.size >= _PAGE_LIKE_MIN_LINES and float(p_boiler.mean()) >= _PAGE_LIKE_MEAN

    def clean(self, text: str) -> str:
        """The article text of one document."""
        return self.explain(text).text

    def explain(self, text: str) -> Result:
        """The article text plus every line's score, label and reason, and every repair."""
        return self.explain_many([text])[0]

    def clean_many(self, texts: Iterable[str]) -> list[str]:
        return [r.text for r in self.explain_many(list(texts))]

    def explain_many(self, texts: Sequence[str]) -> list[Result]:
        """Clean a batch with one model call for all its lines."""
        return self.explain_documents([split_document(t) for t in texts])

    def explain_documents(self, docs: Sequence[Document]) -> list[Result]:
        """Like `explain_many` for documents already split into lines (evaluation, HTML)."""
        line_texts = [d.texts for d in docs]
        if any(line_texts):
            stage1, stage2 = self.model.predict(line_texts)
        else:
            stage1 = stage2 = np.zeros((0, 3))
        results = []
        offset = 0
        for doc in docs:
            n = len(doc.lines)
            self._label(doc, stage1[offset : offset + n], stage2[offset : offset + n])
            offset += n
            results.append(self._finish(doc))
        return results

    def _label(self, doc: Document, stage1: np.ndarray, stage2: np.ndarray) -> None:
        """Labels from the model's scores: drop at P(boilerplate) >= threshold, one title at most.

        The decisions are NumPy over the whole document; Python only writes
        them onto the Line objects (this runs for every line of every input).
        """
        threshold = self.threshold_for(stage2[:, 2])
        dropped = stage2[:, 2] >= threshold
        by_context = (stage1[:, 2] >= threshold) != dropped
        duplicate = self._duplicates(doc) if self.config.drop_duplicates else None
        if self.config.between_floor is None or not self.page_like(stage2[:, 2]):
            between = np.zeros_like(dropped)
        else:
            enclosing = dropped if duplicate is None else dropped | duplicate
            between = between_dropped(enclosing, stage2[:, 2], self.config.between_floor, self.config.between_max_run)
        dropped |= between
        # A title candidate: kept, and more title than article by stage 2.
        candidate = ~dropped & (stage2[:, 1] > stage2[:, 0])
        if duplicate is not None:
            candidate &= ~duplicate
        title_index = int(np.argmax(np.where(candidate, stage2[:, 1], -1.0))) if candidate.any() else -1
        scores = np.round(stage2[:, 2], 4).tolist()
        title_scores = np.round(stage2[:, 1], 4).tolist()
        labels = np.where(dropped, "boilerplate", "article").tolist()
        reasons = np.where(between, "between_boilerplate", np.where(by_context, "context", "model")).tolist()
        if duplicate is not None and duplicate.any():
            for i in np.flatnonzero(duplicate).tolist():
                labels[i], reasons[i] = "boilerplate", "duplicate"
        if title_index >= 0:
            labels[title_index] = "title"
        for line, score, title_score, label, reason in zip(doc.lines, scores, title_scores, labels, reasons):
            line.score, line.title_score, line.label, line.reason = score, title_score, label, reason

    @staticmethod
    def _duplicates(doc: Document) -> np.ndarray:
        """True for a line of >= _DUPLICATE_MIN_WORDS words repeating an earlier one (case and edges aside)."""
        seen: set[str] = set()
        out = np.zeros(len(doc.lines), dtype=bool)
        for i, line in enumerate(doc.lines):
            key = line.text.strip().casefold()
            if key in seen:
                out[i] = key.count(" ") >= _DUPLICATE_MIN_WORDS - 1 and len(key.split()) >= _DUPLICATE_MIN_WORDS
            else:
                seen.add(key)
        return out

    def _finish(self, doc: Document) -> Result:
        """Cut glued notices, repair the kept lines and render the text."""
        config = self.config
        kept = [line for line in doc.lines if line.kept and (config.keep_title or line.label != "title")]
        for line in kept:
            line.output = line.text
        body = [line for line in kept if line.label == "article"]
        if config.cut_notices and body:
            first, last = body[0], body[-1]
            first.output, cut = cut_leading_tag(first.output or "")
            if cut:
                first.cuts.append(cut)
            last.output, cut = cut_trailing_notice(last.output or "")
            if cut:
                last.cuts.append(cut)
        repairs: list[Repair] = []
        if config.repair and kept:
            from .repair import repair_lines

            fixed, found = repair_lines([line.output or "" for line in kept], skip=config.skip_repairs)
            for line, new in zip(kept, fixed):
                line.output = new
            repairs = [Repair(kept[r.line].index, r.name, r.before, r.after) for r in found]
        else:
            for line in kept:
                line.output = (line.output or "").rstrip()
        for line in kept:
            if not (line.output or "").strip():
                line.output = None
        title = next((line.output or line.text for line in doc.lines if line.label == "title"), None)
        return Result(
            text=render(doc.lines),
            title=title,
            metadata=dict(doc.metadata),
            lines=doc.lines,
            repairs=repairs,
            model=self.model.name if self._model is not None else "",
        )
