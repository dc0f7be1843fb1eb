"""Score a long document in windows of lines the size the model was trained on.

Stage 2 reads a line with inputs that describe its whole document: its
length, the line's position, the share of long and of article-like lines.
It learned them on documents of up to a few hundred lines (19 in 20 of the
documents of its training sets have fewer than `WINDOW_LINES`), and most
of its long training documents were pages whose tail is comments and
footer. In a longer text those inputs are outside what it saw, and deep in
a 1,000-line forum thread it read paragraph after paragraph of prose as
boilerplate (docs/experiments.md). So a document of more than
`WINDOW_LINES` lines is scored a window at a time: each window is the
model's document, with `WINDOW_OVERLAP` lines of context on either side,
and each line takes the scores of the window whose middle holds it. The
decisions after the scores (`decide`) still see the whole document.

Windows also bound memory: the model's per-line intermediates (features,
the token matrix, context features: about 1.5 KB a line) are made for one
model call, and one call holds at most `CALL_LINES` lines of windows (a
million-line document once took 1.7 GB scored whole). Only the scores (6
single-precision floats a line) are kept for the whole document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["CALL_LINES", "WINDOW_LINES", "WINDOW_OVERLAP", "predict_in_windows"]

#: Lines of the longest document scored whole; longer ones go in windows of this many.
#: About the 95th percentile of the training documents' lengths (486 lines over
#: wcxb_dev, readability and trafilatura_eval, both shapes).
WINDOW_LINES = 500
#: Lines of context on each side of a window: the context stage reads at most
#: 30 lines around a line, and runs since a marker or an article line up to 99.
WINDOW_OVERLAP = 100
#: Lines of one model call at most once a batch holds a windowed document (memory follows it).
CALL_LINES = 10_000

Predict = Callable[[Sequence[Sequence[str]]], tuple[np.ndarray, np.ndarray]]


def predict_in_windows(
    predict: Predict,
    docs: Sequence[Sequence[str]],
    window: int = WINDOW_LINES,
    overlap: int = WINDOW_OVERLAP,
    call_lines: int = CALL_LINES,
) -> tuple[np.ndarray, np.ndarray]:
    """`predict(docs)`, with every document longer than `window` lines scored a window at a time.

    A batch of documents up to `window` lines is one call, as before. Once
    a batch holds a longer one, its windows and the other documents go to
    `predict` in calls of at most `call_lines` lines (one piece may be
    longer), in order.

    >>> calls = []
    >>> def predict(docs):  # a line's "score" is the line itself, to show where it lands
    ...     calls.append([list(d) for d in docs])
    ...     scores = np.array([[float(x)] for d in docs for x in d])
    ...     return scores, scores
    >>> docs = [[0, 1], [10, 11, 12, 13, 14], [20]]
    >>> stage1, _ = predict_in_windows(predict, docs, window=2, overlap=1, call_lines=6)
    >>> stage1[:, 0].astype(int).tolist()
    [0, 1, 10, 11, 12, 13, 14, 20]
    >>> calls
    [[[0, 1], [10, 11, 12]], [[11, 12, 13, 14], [13, 14]], [[20]]]
    """
    if all(len(doc) <= window for doc in docs):
        return predict(docs)
    # Pieces: (document, the rows the model reads, the rows whose scores are kept), sliced only
    # when their call is made, so memory follows the call.
    pieces: list[tuple[Sequence[str], range, range]] = []
    for doc in docs:
        if len(doc) <= window:
            pieces.append((doc, range(len(doc)), range(len(doc))))
            continue
        for start in range(0, len(doc), window):
            end = min(len(doc), start + window)
            read = range(max(0, start - overlap), min(len(doc), end + overlap))
            pieces.append((doc, read, range(start, end)))
    # Calls of at most `call_lines` lines, in order (a piece longer than that goes alone).
    calls: list[list[tuple[Sequence[str], range, range]]] = [[]]
    size = 0
    for piece in pieces:
        if calls[-1] and size + len(piece[1]) > call_lines:
            calls.append([])
            size = 0
        calls[-1].append(piece)
        size += len(piece[1])
    total = sum(map(len, docs))
    stage1 = stage2 = np.zeros(0)
    filled = 0
    for call in calls:
        s1, s2 = predict([doc[read.start : read.stop] if len(read) < len(doc) else doc
                          for doc, read, _ in call])
        if not filled:  # single precision: a million lines' two score arrays take 24 MB, not 48
            stage1 = np.empty((total, *s1.shape[1:]), dtype=np.float32)
            stage2 = np.empty((total, *s2.shape[1:]), dtype=np.float32)
        row = 0
        for _, read, kept in call:
            first = row + kept.start - read.start
            stage1[filled : filled + len(kept)] = s1[first : first + len(kept)]
            stage2[filled : filled + len(kept)] = s2[first : first + len(kept)]
            filled += len(kept)
            row += len(read)
    return stage1, stage2
