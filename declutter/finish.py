"""One pass's end for one document: cut glued notices off its kept lines, and repair them.

What the Cleaner does after the decisions (`decide`) of each pass
(`Cleaner`, "Cleaning to a fixed point"): the outputs it returns are what
rendering joins, and what the next pass starts from (`document.resplit`).
"""

from __future__ import annotations

from itertools import compress
from typing import NamedTuple

import numpy as np

from .config import Config
from .cuts import cut_leading_tag, cut_trailing_notice
from .document import Repair

__all__ = ["Finished", "finish"]


class Finished(NamedTuple):
    """One document after cuts and repairs."""

    outputs: list[str | None]  # per line: the kept text after cuts and repairs; None when dropped
    cuts: list[tuple[int, str]]  # (line, the piece cut off it)
    repairs: list[Repair]  # `Repair.line` is the line's index in the document
    title: str | None


def finish(texts: list[str], labels: list[str], config: Config) -> Finished:
    """Cut glued notices off one document's kept lines, and repair them.

    The title is finished even when `Config.keep_title` is off: the next
    pass must see the document with its title, or it would take the
    next line for one (the Cleaner leaves the title out at the end).

    >>> finish(["Headline", "Body text.", "Read more"], ["title", "article", "boilerplate"], Config())
    Finished(outputs=['Headline', 'Body text.', None], cuts=[], repairs=[], title='Headline')
    """
    # Flags and an index array, not a list of ints: a million kept lines' ints took 36 MB.
    flags = [label == "article" or label == "title" for label in labels]
    kept = np.flatnonzero(np.array(flags, dtype=bool)) if flags else np.zeros(0, dtype=np.int64)
    values = list(compress(texts, flags))
    cuts: list[tuple[int, str]] = []
    body = (
        np.flatnonzero(np.fromiter(map("article".__eq__, compress(labels, flags)), bool, len(values)))
        if config.cut_notices
        else ()
    )
    if len(body):
        first, last = int(body[0]), int(body[-1])
        values[first], cut = cut_leading_tag(values[first])
        if cut:
            cuts.append((int(kept[first]), cut))
        values[last], cut = cut_trailing_notice(values[last])
        if cut:
            cuts.append((int(kept[last]), cut))
    repairs: list[Repair] = []
    if config.repair and values:
        from .repair import repair_lines

        values, found = repair_lines(values, skip=config.skip_repairs)
        repairs = [Repair(int(kept[r.line]), r.name, r.before, r.after) for r in found]
    else:
        values = [value.rstrip() for value in values]
    kept_values = iter(values)
    outputs: list[str | None] = [
        (value if (value := next(kept_values)).strip() else None) if flag else None for flag in flags
    ]
    title = None
    if "title" in labels:
        i = labels.index("title")
        title = outputs[i] or texts[i]
    return Finished(outputs, cuts, repairs, title)
