"""Must-keep and must-drop snippets of trafilatura's own evaluation set, per language.

    python benchmarks/snippets.py [--lines build/lines] [--data ../shared/data]
        [--lodo-model build/lodo_te/trafilatura_eval.skops] [--max-docs N] [--json OUT]

`trafilatura_eval` (990 pages, 17 languages, most of them German) has no gold
text: each page lists snippets the main text must contain (`with`) and
snippets it must not (`without`: navigation, teasers, comments). trafilatura
scores itself this way, and so does this script, on the same line documents
as `quality.py` (`build/lines/trafilatura_eval.jsonl.gz`, both shapes): a
snippet counts as found when it occurs in a system's output text, both sides
compared with quote marks and spaces normalised (declutter's repairs change
quote marks; a snippet is not wrong for that).

Per system and shape: precision TP / (TP + FP), recall TP / (TP + FN) and
F1, TP being must-keep snippets found, FN must-keep ones missed and FP
must-drop ones found; F1 per language (de, en, the rest); and the share of
must-drop snippets removed. In the residue shape "no
cleaning" is trafilatura's recall extraction alone: a must-keep snippet it
lost is lost for every system, so compare systems with each other.

The shipped model was trained on trafilatura_eval's lines, so declutter is
scored with a leave-one-dataset-out model (`training/train_default.py
--lodo trafilatura_eval`) with its own card's thresholds (the shipped card's if it has none); without one,
declutter is left out rather than scored on its training data.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.quality import BASELINES, SHAPES, Run, run_baseline, run_declutter, warm_up
from declutter.config import Config
from declutter.model import LineModel, default_model_path, load_model, read_card
from declutter.teach.documents import LabeledDoc, load_labeled

__all__ = ["main", "normalise", "scores", "snippet_counts"]

DATASET = "trafilatura_eval"
LANGUAGES = ("de", "en")  # the rest are grouped as "other"
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2018": "'", "\u2019": "'", "\u201a": "'"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Quote marks to straight ones, runs of whitespace to one space.

    >>> normalise("“Ja”, sagte\\u00a0er.\\n  Gut")
    '"Ja", sagte er. Gut'
    """
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


def snippet_counts(text: str, keep: Sequence[str], drop: Sequence[str]) -> dict[str, int]:
    """TP / FN over the must-keep snippets, FP / TN over the must-drop ones.

    >>> snippet_counts("A story. Read more", ["A story."], ["Read more", "Sign up"])
    {'tp': 1, 'fn': 0, 'fp': 1, 'tn': 1}
    """
    out = normalise(text)
    found_keep = sum(normalise(s) in out for s in keep)
    found_drop = sum(normalise(s) in out for s in drop)
    return {"tp": found_keep, "fn": len(keep) - found_keep, "fp": found_drop, "tn": len(drop) - found_drop}


def scores(counts: dict[str, int]) -> dict[str, float | None]:
    """Precision, recall and F1 of the must-keep snippets (trafilatura's definitions).

    >>> scores({"tp": 8, "fn": 2, "fp": 2, "tn": 8})
    {'precision': 0.8, 'recall': 0.8, 'f1': 0.8, 'drop_rate': 0.8}
    """
    tp, fn, fp, tn = counts["tp"], counts["fn"], counts["fp"], counts["tn"]
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    drop_rate = tn / (tn + fp) if tn + fp else None  # share of must-drop snippets removed
    return {k: None if v is None else round(v, 4) for k, v in
            {"precision": precision, "recall": recall, "f1": f1, "drop_rate": drop_rate}.items()}


def load_snippets(data: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Page id -> (must-keep, must-drop) snippets; comment snippets must go too (LABELING.md)."""
    snippets = {}
    with gzip.open(data / f"{DATASET}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for raw in fh:
            page = json.loads(raw)
            meta = page.get("meta") or {}
            drop = list(meta.get("without") or []) + list(meta.get("comments_snippets") or [])
            snippets[page["id"]] = (list(meta.get("with") or []), drop)
    return snippets


def language_group(doc: LabeledDoc) -> str:
    lang = doc.meta.get("lang")
    return lang if lang in LANGUAGES else "other"


def tally(docs: Sequence[LabeledDoc], run: Run, snippets: dict[str, tuple[list[str], list[str]]]) -> dict[str, Any]:
    """Counts summed overall and per language group, with their scores."""
    groups: dict[str, dict[str, int]] = {}
    for doc, text in zip(docs, run.texts):
        keep, drop = snippets[str(doc.meta["id"])]
        counts = snippet_counts(text, keep, drop)
        for group in ("all", language_group(doc)):
            total = groups.setdefault(group, {"tp": 0, "fn": 0, "fp": 0, "tn": 0, "documents": 0})
            for key, value in counts.items():
                total[key] += value
            total["documents"] += 1
    return {group: {**counts, **scores(counts)} for group, counts in groups.items()}


def _declutter_model(args: argparse.Namespace) -> tuple[LineModel | None, str]:
    """The LODO model with its own card's thresholds (else the shipped card's), or why declutter is not scored."""
    if not args.lodo_model.exists():
        return None, (f"declutter not scored: {args.lodo_model} is missing (benchmarks/README.md, "
                      "'Snippets', has the command that makes it)")
    model = load_model(args.lodo_model)
    if DATASET in (model.card.get("training_sets") or {}):
        return None, f"declutter not scored: {args.lodo_model} was trained on {DATASET}"
    if "threshold" in model.card and "page_threshold" in model.card:
        return model, f"declutter: {args.lodo_model} (never saw {DATASET}), thresholds of its own card"
    # An older LODO card without thresholds of its own: the shipped card's, which may
    # have been tuned with this set among the training mix (the output says so).
    main_card = read_card(default_model_path())
    for key in ("threshold", "page_threshold"):
        if key in main_card:
            model.card[key] = main_card[key]
    return model, f"declutter: {args.lodo_model} (never saw {DATASET}), thresholds of the shipped card (its own has none)"


def _table(shape: str, results: dict[str, dict[str, Any]]) -> str:
    """P / R / F1 over all documents, F1 per language group, share of must-drop snippets removed."""
    groups = [*LANGUAGES, "other"]
    first = results[next(iter(results))]
    sizes = ", ".join(f"{g} {first[g]['documents']}" for g in groups if g in first)
    header = f"{'system':<12} |   P   |   R   |  F1   |" + "".join(f" {g + ' F1':>8} |" for g in groups) + " drop removed"
    lines = [f"\n{shape} ({first['all']['documents']} documents: {sizes})", header, "-" * len(header)]

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for system, by_group in results.items():
        row = by_group["all"]
        per_group = "".join(f" {cell(by_group.get(g, {}).get('f1')):>8} |" for g in groups)
        lines.append(f"{system:<12} | {cell(row['precision'])} | {cell(row['recall'])} | {cell(row['f1'])} |"
                     f"{per_group} {cell(row['drop_rate'])}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/snippets.py", description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=Path, default=ROOT / "build" / "lines")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--lodo-model", type=Path, default=ROOT / "build" / "lodo_te" / f"{DATASET}.skops")
    parser.add_argument("--max-docs", type=int, default=0, metavar="N", help="documents per shape; 0 = all")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    source = args.lines / f"{DATASET}.jsonl.gz"
    if not source.exists():
        print(f"error: {source} is missing; run `python training/build_lines.py` first", file=sys.stderr)
        return 2
    snippets = load_snippets(args.data)
    model, note = _declutter_model(args)
    print(note)
    everything: dict[str, Any] = {"note": note}
    for shape in SHAPES:
        docs = [d for d in load_labeled([str(source)], shape=[shape]) if str(d.meta["id"]) in snippets]
        docs.sort(key=lambda d: str(d.meta["id"]))
        if args.max_docs:
            docs = docs[: args.max_docs]
        if not docs:
            print(f"\n{shape}: no documents")
            continue
        results: dict[str, dict[str, Any]] = {}
        for system, baseline in BASELINES.items():
            results[system] = tally(docs, run_baseline(baseline, docs), snippets)
        if model is not None:
            warm_up(model, docs)
            results["declutter"] = tally(docs, run_declutter(model, docs, Config()), snippets)
        print(_table(shape, results))
        everything[shape] = results
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
