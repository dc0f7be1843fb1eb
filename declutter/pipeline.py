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
from .decide import Rules, decide
from .document import Document, Repair, Result, render, split_document
from .model import LineModel, cached_model, load_model

__all__ = ["Cleaner"]


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
        )

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
        texts = [t for lines in line_texts for t in lines]
        doc_starts = np.concatenate([[0], np.cumsum([len(lines) for lines in line_texts])]).astype(np.int64)
        if texts:
            stage1, stage2 = self._predict(line_texts)
        else:
            stage1 = stage2 = np.zeros((0, 3))
        labels, reasons, thresholds = decide(texts, doc_starts, stage1, stage2, self.rules)
        scores = np.round(stage2[:, 2], 4).tolist()
        title_scores = np.round(stage2[:, 1], 4).tolist()
        lines = [line for doc in docs for line in doc.lines]
        for line, score, title_score, label, reason, threshold in zip(
            lines, scores, title_scores, labels, reasons, thresholds
        ):
            line.score, line.title_score, line.label, line.reason = score, title_score, label, reason
            line.threshold = threshold
        return [self._finish(doc) for doc in docs]

    def _predict(self, line_texts: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Both stages' scores; a Cleaner's first call walks stage 2's trees in NumPy.

        A process that cleans once -- the CLI, a batch of one chunk, a
        notebook's first `clean()` -- then imports neither onnxruntime
        (0.15 s) nor scikit-learn (~1 s). Later calls run stage 2 on
        onnxruntime when the model has it, else give more than 128 lines to
        scikit-learn's predictor: 2-3x faster a line than the NumPy walk,
        with the same scores (`TreeStage.proba`).
        """
        if self._predicted:
            return self.model.predict(line_texts)
        from .stages import ONE_SHOT_NUMPY_MAX_ROWS

        scores = self.model.predict(line_texts, numpy_max_rows=ONE_SHOT_NUMPY_MAX_ROWS)
        self._predicted = True
        return scores

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
