"""Outlet memory: lines an outlet repeats across its documents are its boilerplate.

Every outlet has its own banners, appeals and footers ("Support The Moscow
Times!", "With reporting by ..."), and they come back page after page, where
article sentences almost never do. CCNet's idea: normalise each line (case,
digits, punctuation, spacing), hash it, and count in how many documents of
one outlet it occurs. A line seen in many documents is strong evidence of
boilerplate.

Evidence raises the model's P(boilerplate); it never replaces the model:

* a long line (>= `SHORT_TOKENS` words) the memory knows is pushed far
  towards boilerplate: `p' = 1 - (1 - p) * (1 - strength)`;
* a short line ("Share", "0-0", a table header, a schedule row) repeats by
  chance as often as by template, so it is never dropped only for being
  short and repeated: only a line *labeled* boilerplate in an outlet's
  training documents counts, with at most half the strength, and only a line
  the model already leans on dropping goes over the threshold;
* except a layout table's row (`features.is_layout_row`: "| BUSINESS |",
  "|  | 1 of 1 |  |"): a site's page layout, counted and pushed like a long
  line however short. The line model reads a row as a table and a table as
  article; across a site's pages the row is its template;
* and except a run of `RUN_LINES` short lines without a number in the same
  order ("Privacy Policy |", "Terms of Service", "Advertise |"): one short
  line repeats by chance, a sequence of them is a site's menu. An unlabeled
  memory counts runs as it counts long lines and pushes each of their lines
  as hard.

A memory built from labeled documents (`declutter train`) keeps a line only
if it was never labeled article or title; a memory built from unlabeled
documents (a batch run, `from_documents(..., labeled=False)`) keeps lines by
document frequency alone and so is weaker.

>>> stories = ["The council voted on Monday", "Fire crews were called at noon", "Schools reopen next week"]
>>> docs = [("x.com", [story, "Support Us Today Please Donate", "Home"], None) for story in stories]
>>> memory = OutletMemory.from_documents(docs, labeled=False)
>>> [round(float(s), 3) for s in memory.strength(["support us today, please donate!", "Home", "Schools reopen next week"])]
[0.995, 0.0, 0.0]
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ..document import SHORT_TOKENS
from ..features import is_layout_row
from .card import ModelCard
from .line_keys import RUN_LINES, in_runs, line_hashes, norm_hashes, normalize_line, run_keys

__all__ = [
    "OutletMemory", "normalize_line", "line_hashes", "with_memory", "SHORT_TOKENS", "MEMORY_THRESHOLD",
    "STRENGTH_UNLABELED",
]

#: Strength of the evidence, by how the line came into memory: either reaches past the highest drop
#: threshold (0.99, `MEMORY_THRESHOLD`) whatever the model's own P(boilerplate): a line an outlet
#: repeats page after page is its template even where the model reads it as a sentence of the story.
STRENGTH_LABELED = 0.999
STRENGTH_UNLABELED = 0.995
#: Short lines: labeled evidence only, at this fraction of its strength, so
#: p' = 1 - (1 - p) * 0.5: below any threshold > 0.5 unless the model leans
#: to boilerplate already.
SHORT_FACTOR = 0.5
#: The memory leaves a line alone that the model reads as the document's title with this P(title).
TITLE_KEEPS = 0.5
#: The residue cut of a model cleaning with a batch's memory (`with_memory`): the highest cut a card's
#: rule gives (`teach.fit.tune_threshold`'s cap). With the outlet's repeats dropped by the memory, the
#: line model alone drops only lines it is sure of (LABELING.md: when in doubt, keep); measured against
#: the card's own cut in docs/experiments.md (round 15).
MEMORY_THRESHOLD = 0.99
#: How many recent lines' lookups a memory keeps (about 100 bytes each): many chunks of a
#: batch, whose sites share lines (200,000: cleaning +14% with the memory, 50,000: +24%).
RECENT_LINES = 200_000


def _short(norms: Sequence[str], lines: Sequence[str]) -> list[bool]:
    """Which lines count as short (under `SHORT_TOKENS` words, and not a layout row): what counting a
    batch and looking lines up must agree on."""
    return [len(norm.split()) < SHORT_TOKENS and not is_layout_row(line) for norm, line in zip(norms, lines)]


class _OutletCounts:
    """One outlet's documents, counted: in how many each line hash occurs, and how it was labeled."""

    def __init__(self) -> None:
        self.documents = 0
        self.doc_count: dict[int, int] = defaultdict(int)
        self.run_count: dict[int, int] = defaultdict(int)
        self.boiler: dict[int, int] = defaultdict(int)
        self.kept: set[int] = set()

    def add(self, lines: Sequence[str], labels: Sequence[str | None] | None, *, count_short: bool) -> None:
        """Count one document. Without `count_short`, short lines (layout rows aside) are left
        out: an unlabeled memory never uses them (`OutletMemory.strength`), and they are most
        of a page's hashes."""
        self.documents += 1
        norms = [normalize_line(line) for line in lines]
        if count_short:
            hashes = norm_hashes(norms)
        else:
            short = _short(norms, lines)
            long = [i for i, is_short in enumerate(short) if not is_short]
            hashes = norm_hashes([norms[i] for i in long])
            labels = None if labels is None else [labels[i] for i in long]
            short_hashes = np.array(norm_hashes(list(map(in_runs, norms, short))), np.uint64)
            for h in set(run_keys(short_hashes)) - {0}:
                self.run_count[h] += 1
        for h in set(hashes) - {0}:
            self.doc_count[h] += 1
        if labels is not None:
            for h, lab in zip(hashes, labels):
                if lab == "boilerplate":
                    self.boiler[h] += 1
                elif lab in ("article", "title"):
                    self.kept.add(h)


@dataclass
class OutletMemory:
    """Hashes of remembered lines, sorted, with the strength of each."""

    hashes: np.ndarray  # uint64, sorted, unique
    strengths: np.ndarray  # float32 in (0, 1]: how sure the memory is that the line is boilerplate
    labeled: (
        np.ndarray
    )  # bool: a person (or gold) labeled it boilerplate; only these count for short lines
    #: uint64, sorted, unique: `run_keys` of runs of short lines an outlet repeats (unlabeled memories only)
    runs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    #: hash(text) -> (strength, negative where labeled; the line's hash where it is short, else 0) of
    #: recently looked-up lines; not part of the contents.
    _recent: dict[int, tuple[float, int]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.hashes) + len(self.runs)

    @classmethod
    def empty(cls) -> "OutletMemory":
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.float32), np.zeros(0, bool))

    @classmethod
    def from_documents(
        cls,
        docs: Iterable[tuple[str, Sequence[str], Sequence[str | None] | None]],
        *,
        labeled: bool = True,
        min_docs: int | None = None,
        min_share: float = 0.05,
    ) -> "OutletMemory":
        """Memory from (outlet, lines, labels or None) triples.

        A line enters when it occurs in at least `min_docs` documents
        (default: 2 with labels, 3 without) and `min_share` of its outlet's
        documents (counted once per document); with labels, also only if
        every labeled occurrence is boilerplate and at least one is.
        """
        if min_docs is None:
            min_docs = 2 if labeled else 3
        # Counted as the documents stream past, none of them held: a batch's first pass.
        outlets: dict[str, _OutletCounts] = defaultdict(_OutletCounts)
        for outlet, lines, labels in docs:
            outlets[outlet].add(lines, labels, count_short=labeled)
        found: dict[int, tuple[float, bool]] = {}
        runs: set[int] = set()
        for counts in outlets.values():
            need = max(min_docs, int(np.ceil(min_share * counts.documents)))
            runs.update(h for h, count in counts.run_count.items() if count >= need)
            for h, count in counts.doc_count.items():
                if count < need or h in counts.kept:
                    continue
                if labeled and counts.boiler.get(h, 0) == 0:
                    continue
                strength = STRENGTH_LABELED if labeled else STRENGTH_UNLABELED
                old = found.get(h)
                found[h] = (max(strength, old[0] if old else 0.0), labeled or bool(old and old[1]))
        return cls._from_dict(found, runs)

    @classmethod
    def _from_dict(cls, found: dict[int, tuple[float, bool]], runs: Iterable[int] = ()) -> "OutletMemory":
        keys = np.array(sorted(found), dtype=np.uint64)
        return cls(
            keys,
            np.array([found[int(k)][0] for k in keys], dtype=np.float32),
            np.array([found[int(k)][1] for k in keys], dtype=bool),
            np.array(sorted(runs), dtype=np.uint64),
        )

    def merge(self, other: "OutletMemory") -> "OutletMemory":
        """Union of two memories (the stronger evidence wins)."""
        found = {
            int(h): (float(s), bool(lab))
            for h, s, lab in zip(self.hashes, self.strengths, self.labeled)
        }
        for h, s, lab in zip(other.hashes, other.strengths, other.labeled):
            old = found.get(int(h))
            found[int(h)] = (
                max(float(s), old[0] if old else 0.0),
                bool(lab) or bool(old and old[1]),
            )
        return self._from_dict(found, set(self.runs.tolist()) | set(other.runs.tolist()))

    def strength(self, texts: Sequence[str]) -> np.ndarray:
        """Evidence strength per line, 0 where the memory does not know the line
        (short lines but layout rows: labeled evidence only, at SHORT_FACTOR of its strength)."""
        return self._lookup(texts)[0]

    def _lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(strength, whether that evidence was labeled, the line's hash where it is short else 0)
        per line, from the recent lookups where it can: a fixed-point pass asks again about the
        lines the pass before kept, a site's pages share lines, and normalising them is most of the
        memory's cost. Recent lines are keyed by the process's string hash, so the lines themselves
        are not kept alive."""
        recent = self._recent
        keys = [hash(text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts) if key not in recent}
        if missing:
            if len(recent) + len(missing) > RECENT_LINES:
                recent.clear()
            strength, labeled, short_hashes = self._compute(list(missing.values()))
            # The strength is negative where the evidence was labeled (then never 0).
            recent.update(zip(missing, zip(np.where(labeled, -strength, strength).tolist(), short_hashes.tolist())))
        found = [recent[key] for key in keys]
        signed = np.fromiter((f[0] for f in found), np.float32, len(texts))
        short_hashes = np.fromiter((f[1] for f in found), np.uint64, len(texts))
        return np.abs(signed), signed < 0, short_hashes

    def _compute(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = np.zeros(len(texts), dtype=np.float32)
        if not len(self) or not len(texts):
            return out, np.zeros(len(texts), dtype=bool), np.zeros(len(texts), dtype=np.uint64)
        norms = [normalize_line(text) for text in texts]
        hashes = np.array(norm_hashes(norms), dtype=np.uint64)
        short = np.array(_short(norms, texts), dtype=bool)
        short_hashes = np.zeros(len(texts), dtype=np.uint64)
        if len(self.runs):  # a memory without runs (a labeled one) never reads them
            runnable = np.fromiter(map(bool, map(in_runs, norms, short)), bool, len(norms))
            short_hashes = np.where(runnable, hashes, short_hashes)
        if not len(self.hashes):
            return out, np.zeros(len(texts), dtype=bool), short_hashes
        pos = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        hit = (self.hashes[pos] == hashes) & (hashes != 0)
        strength = self.strengths[pos] * hit
        strength = np.where(
            short, np.where(self.labeled[pos], strength * SHORT_FACTOR, 0.0), strength
        )
        return strength.astype(np.float32), self.labeled[pos] & hit, short_hashes

    def _run_strength(self, short_hashes: np.ndarray) -> np.ndarray:
        """`STRENGTH_UNLABELED` for every line of a window of short lines whose run the memory knows."""
        out = np.zeros(len(short_hashes), dtype=np.float32)
        keys = run_keys(short_hashes)
        if not len(self.runs) or not len(keys):
            return out
        pos = np.minimum(np.searchsorted(self.runs, keys), len(self.runs) - 1)
        starts = np.flatnonzero((self.runs[pos] == keys) & (keys != 0))
        for offset in range(RUN_LINES):
            out[starts + offset] = STRENGTH_UNLABELED
        return out

    def adjust(self, texts: Sequence[str], proba: np.ndarray, boilerplate: int = 2, title: int | None = None) -> np.ndarray:
        """Class probabilities with P(boilerplate) raised where the memory knows the line.

        The mass moves from the other classes in proportion, so rows still sum to 1.
        Unlabeled evidence (a batch's own repeats) leaves alone a line the model
        reads as this document's headline (P(title) >= TITLE_KEEPS, with a
        `title` column given): a story's headline comes back on the outlet's
        other pages as a teaser, and is still its title here. A line a person
        labeled boilerplate is boilerplate wherever it stands.
        """
        strength, labeled, short_hashes = self._lookup(texts)
        if len(self.runs):  # a run a site repeats: its short lines are its navigation
            strength = np.maximum(strength, self._run_strength(short_hashes))
        if title is not None:
            strength = np.where((proba[:, title] >= TITLE_KEEPS) & ~labeled, 0.0, strength).astype(np.float32)
        if not strength.any():
            return proba
        out = proba.copy()
        hit = np.flatnonzero(strength)
        p = out[hit, boilerplate]
        new_p = 1.0 - (1.0 - p) * (1.0 - strength[hit])
        rest = 1.0 - p
        scale = np.where(rest > 0, (1.0 - new_p) / np.maximum(rest, 1e-12), 0.0)
        for j in range(out.shape[1]):
            if j != boilerplate:
                out[hit, j] *= scale
        out[hit, boilerplate] = new_p
        return out

    def digest(self) -> str:
        """A short fingerprint of the contents: what a batch's resume record and worker cache compare."""
        h = hashlib.sha256()
        for array in (self.hashes, self.strengths, self.labeled, self.runs):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()[:16]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays for a model file."""
        arrays = {"hashes": self.hashes, "strengths": self.strengths, "labeled": self.labeled}
        return {**arrays, "runs": self.runs} if len(self.runs) else arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "OutletMemory":
        return cls(
            np.asarray(arrays["hashes"], dtype=np.uint64),
            np.asarray(arrays["strengths"], dtype=np.float32),
            np.asarray(arrays["labeled"], dtype=bool),
            np.asarray(arrays.get("runs", np.zeros(0)), dtype=np.uint64),
        )


def with_memory(model: Any, memory: OutletMemory) -> Any:
    """A shallow copy of a `LineModel` that also uses `memory` (merged with its own), at `MEMORY_THRESHOLD`.

    For a batch run: build a memory from the batch's documents of each
    outlet (unlabeled, so long lines only) and clean with the copy. The
    memory drops what an outlet repeats, so the copy's line model drops an
    extractor-residue line on its own only when it is sure: its residue cut
    rises to `MEMORY_THRESHOLD` (never falls; page-like documents keep the
    card's page cut).

    >>> from types import SimpleNamespace
    >>> model = SimpleNamespace(memory=None, card=ModelCard({"threshold": 0.92}))
    >>> copy = with_memory(model, OutletMemory.empty())
    >>> copy.memory is not None, copy.card.threshold
    (True, 0.99)
    """
    import copy

    out = copy.copy(model)
    out.memory = memory if model.memory is None else model.memory.merge(memory)
    out.card = ModelCard({**model.card, "threshold": max(model.card.threshold, MEMORY_THRESHOLD)})
    return out
