"""Augmented training input: leaky residue, and gold bodies fed alone.

`add_leaks` -- extractor output with a few of the page's own header/footer lines glued on.

Real scraped text (../shared/seeds) is extractor residue whose edges leaked:
a donation banner above the headline, a credit, a teaser block or an appeal
below the last paragraph. trafilatura's output of the training pages rarely
has such leaks, so the model saw few of them. For a share of the residue
documents we add the page's *own* boilerplate lines that stand right above
its headline (or first article line) and right below its last article line
in the all-page-text rendering, labeled boilerplate. Nothing is invented: the
lines and their labels come from the same page and its gold alignment.

`add_clean_bodies` -- each residue document's gold text alone, every line article.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from declutter.teach.documents import LabeledDoc

__all__ = ["add_clean_bodies", "add_leaks"]

MAX_LEAK = 4  # lines per edge; the seeds leak 1 to 4 lines at the top


def _edge_boilerplate(page: LabeledDoc) -> tuple[list[str], list[str]]:
    """Up to MAX_LEAK boilerplate lines just above the first kept line and just below the last."""
    kept = [i for i, lab in enumerate(page.labels) if lab in ("article", "title")]
    if not kept:
        return [], []
    first, last = kept[0], kept[-1]
    above: list[str] = []
    for i in range(first - 1, max(-1, first - 1 - MAX_LEAK), -1):
        if page.labels[i] != "boilerplate":
            break
        above.insert(0, page.lines[i])
    below: list[str] = []
    for i in range(last + 1, min(len(page.lines), last + 1 + MAX_LEAK)):
        if page.labels[i] != "boilerplate":
            break
        below.append(page.lines[i])
    return above, below


def add_leaks(docs: list[LabeledDoc], share: float = 0.5) -> list[LabeledDoc]:
    """`docs` plus, for about `share` of the residue documents, a copy with leaked edges.

    The choice and the number of leaked lines (1..MAX_LEAK per edge) are
    fixed by a hash of the document id, so runs are reproducible.
    """
    pages = {d.meta.get("id"): d for d in docs if d.shape == "page"}
    out = list(docs)
    for doc in docs:
        page = pages.get(doc.meta.get("id"))
        if doc.shape != "residue" or page is None:
            continue
        h = zlib.crc32(str(doc.meta.get("id")).encode())
        if (h % 1000) / 1000 >= share:
            continue
        above, below = _edge_boilerplate(page)
        above = above[len(above) - 1 - (h >> 10) % MAX_LEAK :] if above else []
        below = below[: 1 + (h >> 14) % MAX_LEAK]
        if not above and not below:
            continue
        out.append(
            replace(
                doc,
                lines=above + doc.lines + below,
                labels=["boilerplate"] * len(above) + list(doc.labels) + ["boilerplate"] * len(below),
                meta={**doc.meta, "id": f"{doc.meta.get('id')}#leaky"},
            )
        )
    return out


def add_clean_bodies(docs: list[LabeledDoc], weight: float = 0.5) -> list[LabeledDoc]:
    """`docs` plus, for each residue document with a gold text, that gold body alone, every line article.

    LABELING.md's first rule: text that is already clean must come out
    whole. Extractor residue is mostly article, but its short structured
    lines (a schedule, a code block, a table) often failed to align and the
    rest of the training mix is page text, where a short line is nearly
    always navigation. A gold body fed alone shows the model such lines
    inside an article, labeled as the guide says. Each body weighs `weight`
    of a residue document; its group is the page's site, so site-grouped
    folds keep it with its residue.
    """
    out = list(docs)
    for doc in docs:
        gold = doc.meta.get("gold")
        if doc.shape != "residue" or not gold:
            continue
        lines = [line.strip() for line in gold.split("\n") if line.strip()]
        if lines:
            out.append(
                replace(
                    doc,
                    lines=lines,
                    labels=["article"] * len(lines),
                    weight=doc.weight * weight,
                    meta={**doc.meta, "id": f"{doc.meta.get('id')}#clean"},
                )
            )
    return out
