"""Score a huge document in windows of lines, so memory follows the window, not the document.

The model's per-line intermediates (features, the token matrix, context
features: about 1.5 KB a line) were made for the whole batch at once, and a
single document of a million short lines took 1.7 GB. A document of more
than `WINDOW_LINES` lines is therefore scored a window at a time: each
window is the model's document, with `WINDOW_OVERLAP` lines of context on
either side, and each line takes the scores of the window whose middle
holds it. Only the scores (6 single-precision floats a line) are kept for
the whole document; the decisions after them (`decide`) still see the whole
document.

Documents up to `WINDOW_LINES` lines -- every real article and page seen so
far (the longest page text in `../shared/data` has a few thousand lines) --
are scored exactly as before, in one call. In a windowed document the
features that describe the whole document (its length, a line's position,
its share of long lines) describe the window instead: such a document is a
dump, not an article, and nothing is tuned on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["WINDOW_LINES", "WINDOW_OVERLAP", "predict_in_windows"]

#: Lines of the longest document scored in one model call; longer ones go in windows of this many.
WINDOW_LINES = 10_000
#: Lines of context on each side of a window: the context stage reads at most
#: 30 lines around a line, and runs since a marker or an article line up to 99.
WINDOW_OVERLAP = 200

Predict = Callable[[Sequence[Sequence[str]]], tuple[np.ndarray, np.ndarray]]


def predict_in_windows(
    predict: Predict, docs: Sequence[Sequence[str]], window: int = WINDOW_LINES, overlap: int = WINDOW_OVERLAP
) -> tuple[np.ndarray, np.ndarray]:
    """`predict(docs)`, with every document longer than `window` lines scored a window at a time.

    Documents up to `window` lines go to `predict` together, in runs
    between the long ones, so a batch of ordinary documents is still one call.

    >>> calls = []
    >>> def predict(docs):  # a line's "score" is the line itself, to show where it lands
    ...     calls.append([list(d) for d in docs])
    ...     scores = np.array([[float(x)] for d in docs for x in d])
    ...     return scores, scores
    >>> stage1, _ = predict_in_windows(predict, [[0, 1], [10, 11, 12, 13, 14], [20]], window=2, overlap=1)
    >>> stage1[:, 0].astype(int).tolist()
    [0, 1, 10, 11, 12, 13, 14, 20]
    >>> calls
    [[[0, 1]], [[10, 11, 12]], [[11, 12, 13, 14]], [[13, 14]], [[20]]]
    """
    if all(len(doc) <= window for doc in docs):
        return predict(docs)
    total = sum(map(len, docs))
    stage1 = stage2 = np.zeros(0)
    filled = 0

    def put(scores: tuple[np.ndarray, np.ndarray], rows: slice) -> None:
        nonlocal stage1, stage2, filled
        s1, s2 = scores[0][rows], scores[1][rows]
        if not filled:  # single precision: a million lines' two score arrays take 24 MB, not 48
            stage1 = np.empty((total, *s1.shape[1:]), dtype=np.float32)
            stage2 = np.empty((total, *s2.shape[1:]), dtype=np.float32)
        stage1[filled : filled + len(s1)] = s1
        stage2[filled : filled + len(s2)] = s2
        filled += len(s1)

    run: list[Sequence[str]] = []  # ordinary documents waiting for one call
    for doc in [*docs, None]:
        if doc is not None and len(doc) <= window:
            run.append(doc)
            continue
        if run and sum(map(len, run)):
            put(predict(run), slice(None))
        run = []
        if doc is None:
            break
        for start in range(0, len(doc), window):
            lo, end = max(0, start - overlap), min(len(doc), start + window)
            put(predict([doc[lo : min(len(doc), end + overlap)]]), slice(start - lo, end - lo))
    return stage1, stage2
