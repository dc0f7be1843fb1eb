"""Compare declutter with its peers on held-out labeled lines, all in one run.

    python benchmarks/quality.py [--lines build/lines] [--datasets NAME ...]
        [--model PATH] [--lodo-models DIR] [--threshold P] [--max-docs N]
        [--threads N] [--wcxb-types TYPE ...] [--no-declutter] [--json OUT]

Every system sees the same documents (`build/lines/<dataset>.jsonl.gz`, made
by `training/build_lines.py`) and returns a keep/drop decision per line plus
an output text. Systems: no cleaning, C4's line rules, jusText, declutter
(see `baselines.py` and README.md). Per dataset x shape x system we report
line P/R/F1 of the `boilerplate` class and of the `article` class (article +
title), the mean token F1 of the output against the gold text (as
training/build_lines.py maps it onto LABELING.md: the captions, reference
lists and repeated text the line labels call boilerplate are out of it;
`--published-gold` scores against the dataset's own), and ms per
document; then macro averages over the held-out datasets and over the
modern ones (wcxb_dev, readability). Of wcxb_dev only the `article` pages
are scored by default (the news-like type; `--wcxb-types all` adds shops,
forums, docs, listings). Scores come from `declutter.metrics`, as everywhere
else in the project.

A dataset the model was trained on is never reported as held out: it is
scored with the leave-one-dataset-out model `DIR/<dataset>.skops` when one
exists, else marked "in training" and left out of every average.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.baselines import Decision, c4_rules, justext_rules, keep_all, kept_text
from declutter.config import Config
from declutter.document import Result
from declutter.errors import ModelError
from declutter.teach.evaluation import TITLE_IN_GOLD, predict_kept
from declutter.teach.metrics import line_scores, token_f1
from declutter.model import LineModel, default_model_path, load_model
from declutter.pipeline import Cleaner
from declutter.teach.documents import LabeledDoc, load_labeled

__all__ = ["give_main_thresholds", "main", "parse_args", "run_baseline", "run_declutter", "sample", "score"]

DATASETS = (
    "big9_news", "l3s_gn1", "dragnet", "cleanportaleval", "chaos_web", "cleaneval",
    "wcxb_dev", "readability",
)
MODERN = ("wcxb_dev", "readability")  # the closest to today's pages
SHAPES = ("residue", "page")
SHAPE_NOTE = {
    "residue": "trafilatura's recall extraction, mostly article; 'no cleaning' here = trafilatura alone",
    "page": "all visible page text, mostly boilerplate",
}
SYSTEMS = ("no cleaning", "C4 rules", "jusText", "declutter")
HELD_OUT, LODO, IN_TRAINING = "held out", "LODO model", "in training"
Baseline = Callable[[LabeledDoc], list[Decision]]
BASELINES: dict[str, Baseline] = {
    "no cleaning": lambda d: keep_all(d.lines),
    "C4 rules": lambda d: c4_rules(d.lines),
    # stats are collected in run_baseline through JUSTEXT_STATS
    "jusText": lambda d: justext_rules(d.lines, d.meta.get("lang"), JUSTEXT_STATS),
}
JUSTEXT_STATS: dict[str, int] = {}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/quality.py",
        description=__doc__.split("\n")[0],
    )
    parser.add_argument("--lines", type=Path, default=ROOT / "build" / "lines",
                        help="directory of <dataset>.jsonl.gz labeled line documents (default: build/lines)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), metavar="NAME",
                        help=f"datasets to score (default: {' '.join(DATASETS)})")
    parser.add_argument("--model", type=Path, default=None,
                        help="a NAME.skops declutter model (default: the shipped model)")
    parser.add_argument("--lodo-models", type=Path, default=ROOT / "build" / "lodo", metavar="DIR",
                        help="DIR/<dataset>.skops: leave-one-dataset-out models, used for datasets in the model's "
                        "training_sets (default: build/lodo)")
    parser.add_argument("--max-docs", type=int, default=150, metavar="N",
                        help="documents per dataset and shape (sorted by id, every k-th); 0 = all (default: 150)")
    parser.add_argument("--threshold", type=float, default=None, metavar="P",
                        help="declutter drops a line at P(boilerplate) >= P (default: each model card's tuned threshold)")
    parser.add_argument("--between-floor", type=float, default=Config().between_floor, metavar="P",
                        help="Config.between_floor: drop a short kept run enclosed by dropped lines when each of "
                        "its lines has P(boilerplate) >= P; a negative P switches the rule off (default: %(default)s)")
    parser.add_argument("--between-max-run", type=int, default=Config().between_max_run, metavar="N",
                        help="Config.between_max_run: longest enclosed run (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="limit OpenMP/BLAS threads (threadpoolctl) for every system; 0 = the libraries' default (default: 1)")
    parser.add_argument("--wcxb-types", nargs="+", default=["article"], metavar="TYPE",
                        help="wcxb_dev page types to score (article, service, forum, documentation, listing, "
                        "product, collection) or 'all'; default: article, its news-like pages")
    parser.add_argument("--published-gold", action="store_true",
                        help="token F1 against each dataset's gold text as published, not as training/build_lines.py "
                        "maps it onto LABELING.md (captions, reference lists and repeated text out)")
    parser.add_argument("--no-declutter", action="store_true", help="run the baselines only")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write every number to OUT")
    return parser.parse_args(argv)


# --- data ------------------------------------------------------------------------------


def sample(docs: Sequence[LabeledDoc], max_docs: int) -> list[LabeledDoc]:
    """A deterministic spread-out sample: sorted by id, every k-th, at most `max_docs`.

    >>> docs = [LabeledDoc([], [], "g", meta={"id": f"{i:02d}"}) for i in range(10)]
    >>> [d.meta["id"] for d in sample(docs, 4)]
    ['00', '02', '05', '07']
    """
    ordered = sorted(docs, key=lambda d: str(d.meta.get("id") or ""))
    if max_docs <= 0 or len(ordered) <= max_docs:
        return ordered
    # every k-th with a fractional k = n / max_docs: exactly max_docs, spread over all ids
    return [ordered[i * len(ordered) // max_docs] for i in range(max_docs)]


def _page_type_scored(doc: LabeledDoc, types: Sequence[str]) -> bool:
    """wcxb_dev labels each page with a type; declutter is for news, its `article` pages.

    >>> _page_type_scored(LabeledDoc([], [], "g", meta={"page_type": "forum"}), ["article"])
    False
    """
    page_type = doc.meta.get("page_type")
    return page_type is None or "all" in types or page_type in types


# --- systems ---------------------------------------------------------------------------


@dataclass
class Run:
    """One system on one set of documents: line decisions, output texts, wall time."""

    kept: list[list[bool]]
    texts: list[str]
    seconds: float  # wall time
    reasons: Counter = field(default_factory=Counter)
    cpu_seconds: float = 0.0  # process CPU time (all threads), less sensitive to a busy machine


def run_baseline(baseline: Baseline, docs: Sequence[LabeledDoc]) -> Run:
    t0, c0 = time.perf_counter(), time.process_time()
    decisions = [baseline(d) for d in docs]
    texts = [kept_text(d.lines, ds) for d, ds in zip(docs, decisions)]
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    reasons = Counter(x.reason for ds in decisions for x in ds if not x.kept)
    return Run([[x.kept for x in ds] for ds in decisions], texts, seconds, reasons, cpu)


class _RecordingCleaner(Cleaner):
    """A Cleaner that keeps its Results, to see which kept line it split off as the title."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.results: list[Result] = []

    def explain_documents(self, docs: Sequence[Any]) -> list[Result]:
        results = super().explain_documents(docs)
        self.results.extend(results)
        return results


def run_declutter(model: LineModel, docs: Sequence[LabeledDoc], config: Config | None = None) -> Run:
    """declutter through `evaluation.predict_kept`, timed with the model already loaded.

    The text follows predict_kept's per-dataset title convention (the
    headline is dropped where the gold leaves it out). The line decisions
    count a headline declutter split off as `title` as kept, as
    `metrics.line_scores` does for gold titles: it is article text the
    pipeline returns apart, and the baselines, which cannot split it off, keep it.
    """
    cleaner = _RecordingCleaner(config or Config(), model=model)
    t0, c0 = time.perf_counter(), time.process_time()
    predicted = predict_kept(cleaner, docs)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(cleaner.results) == len(docs)
    kept = [[ln.kept for ln in r.lines] for r in cleaner.results]
    for d, k, (k2, _) in zip(docs, kept, predicted):
        assert len(k) == len(k2) == len(d.lines), "declutter changed the line count"
    reasons = Counter(
        f"declutter_{ln.reason}" for r in cleaner.results for ln in r.lines if not ln.kept
    )
    return Run(kept, [text for _, text in predicted], seconds, reasons, cpu)


def warm_up(model: LineModel, docs: Sequence[LabeledDoc]) -> None:
    """One untimed call, so lazy set-up (vocabulary index, imports) is not billed to a dataset."""
    if docs:
        predict_kept(Cleaner(Config(), model=model), list(docs[:2]))


# --- scores ----------------------------------------------------------------------------


def score(docs: Sequence[LabeledDoc], run: Run) -> dict[str, Any]:
    """Line scores over all labeled lines, mean token F1 over docs with gold, ms per doc."""
    gold = [lab for d in docs for lab in d.labels]
    kept = [k for ks in run.kept for k in ks]
    assert len(gold) == len(kept), "a system returned a decision count different from the line count"
    lines = line_scores(gold, kept)
    f1s = [token_f1(text, d.meta["gold"])["f1"] for d, text in zip(docs, run.texts) if d.meta.get("gold")]
    return {
        "boilerplate": lines["boilerplate"],
        "article": lines["article"],
        "token_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
        "gold_docs": len(f1s),
        "ms_per_doc": round(1000 * run.seconds / max(len(docs), 1), 2),
        "cpu_ms_per_doc": round(1000 * run.cpu_seconds / max(len(docs), 1), 2),
        "kept_share": round(sum(kept) / max(len(kept), 1), 4),
        "drop_reasons": dict(run.reasons.most_common(12)),
    }


METRICS = {  # table column -> how to read it from a score
    "bF1": lambda s: s["boilerplate"]["f1"],
    "aRec": lambda s: s["article"]["recall"],
    "tokF1": lambda s: s["token_f1"],
    "ms": lambda s: s["ms_per_doc"],
}


def average(rows: dict[str, dict[str, Any]], names: Sequence[str], system: str) -> dict[str, float | None]:
    """Macro average of the table's metrics over `names` (None when a value is missing)."""
    out: dict[str, float | None] = {}
    for col, get in METRICS.items():
        values = [get(rows[n]["systems"][system]) for n in names if system in rows[n]["systems"]]
        ok = len(values) == len(names) and names and all(v is not None for v in values)
        out[col] = round(sum(values) / len(values), 4) if ok else None  # type: ignore[arg-type]
    return out


# --- output ----------------------------------------------------------------------------

_COL_W = {"bF1": 6, "aRec": 6, "tokF1": 6, "ms": 7}
_NAME_W = 17


def _cell(col: str, value: float | None, mark: str = "") -> str:
    if value is None:
        text = "-"
    elif col == "ms":
        text = f"{value:.1f}" if value < 1000 else f"{value:.0f}"
    else:
        text = f"{value:.3f}"
    return (text + mark).rjust(_COL_W[col] + 1)


def format_table(shape: str, rows: dict[str, dict[str, Any]], averages: dict[str, Any], systems: Sequence[str]) -> str:
    group_w = sum(w + 1 for w in _COL_W.values())
    out = [f"== {shape}: {SHAPE_NOTE[shape]}"]
    out.append(" " * (_NAME_W + 12) + "".join(f" | {s:<{group_w - 1}}" for s in systems))
    out.append(
        f"{'dataset':<{_NAME_W}}{'docs':>5}{'lines':>7}"
        + "".join(" |" + "".join(c.rjust(w + 1) for c, w in _COL_W.items()) for _ in systems)
        + "  declutter model"
    )
    for name, row in rows.items():
        mark = "*" if row["status"] == IN_TRAINING else ""
        cells = []
        for s in systems:
            sc = row["systems"].get(s)
            m = mark if s == "declutter" else ""
            cells.append(" |" + "".join(_cell(c, get(sc) if sc else None, m) for c, get in METRICS.items()))
        out.append(f"{name:<{_NAME_W}}{row['docs']:>5}{row['lines']:>7}" + "".join(cells) + f"  {row['status']}")
    for label, avg in averages.items():
        names = avg["datasets"]
        title = f"{label} ({len(names)})"
        cells = []
        for s in systems:
            v = avg["systems"].get(s) or {}
            cells.append(" |" + "".join(_cell(c, v.get(c)) for c in METRICS))
        out.append(f"{title:<{_NAME_W}}{avg['docs']:>5}{avg['lines']:>7}" + "".join(cells) + "  " + avg["note"])
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------


@dataclass
class Models:
    """The declutter model(s) of a run: the main one, and LODO models for its training sets."""

    main: LineModel | None
    path: Path | None
    note: str  # why declutter is not run, when main is None
    training_sets: set[str] = field(default_factory=set)
    lodo: dict[str, tuple[LineModel, Path]] = field(default_factory=dict)
    threshold: float | None = None  # --threshold: overrides every card
    context: dict[str, Any] = field(default_factory=dict)  # --between-*: Config fields of the rule

    def status(self, dataset: str) -> str:
        if self.main is None:
            return "-"
        if dataset not in self.training_sets:
            return HELD_OUT
        return LODO if dataset in self.lodo else IN_TRAINING

    def for_dataset(self, dataset: str) -> tuple[LineModel, Config]:
        """The model to score `dataset` with (thresholds from its card, see `resolve_models`)."""
        assert self.main is not None
        model = self.lodo[dataset][0] if dataset in self.lodo else self.main
        return model, Config(threshold=self.threshold, **self.context)


def give_main_thresholds(lodo: LineModel, main_card: dict[str, Any]) -> None:
    """A LODO model's card has no tuned thresholds: it gets the main model's
    residue AND page thresholds, as training/train_default.py scores it.
    (A Config threshold instead would be one cut for every document, and
    page-like documents would never see the page threshold.)"""
    for key in ("threshold", "page_threshold"):
        if key not in lodo.card and key in main_card:
            lodo.card[key] = main_card[key]


def resolve_models(args: argparse.Namespace) -> Models:
    """Load --model (or the shipped one) and the LODO models for the datasets it was trained on."""
    if args.no_declutter:
        return Models(None, None, "--no-declutter")
    path = args.model or default_model_path()
    try:
        main = load_model(path)
    except ModelError as exc:
        if args.model is not None:  # asked for explicitly: an error, not a silent baselines-only run
            raise
        return Models(None, path, str(exc))
    context = {
        "between_floor": None if args.between_floor < 0 else args.between_floor,
        "between_max_run": args.between_max_run,
    }
    models = Models(main, path, "", set(main.card.get("training_sets") or {}), threshold=args.threshold,
                    context=context)
    for name in sorted(models.training_sets & set(args.datasets)):
        candidate = args.lodo_models / f"{name}.skops"
        if not candidate.exists():
            continue
        lodo = load_model(candidate)
        if name in (lodo.card.get("training_sets") or {}):
            print(f"warning: {candidate} lists {name} among its training sets: not used", file=sys.stderr)
            continue
        give_main_thresholds(lodo, main.card)
        models.lodo[name] = (lodo, candidate)
    return models


def describe_models(models: Models, args: argparse.Namespace) -> list[str]:
    if models.main is None:
        return [f"declutter: NOT RUN ({models.note}); baselines only"]
    trained_on = ", ".join(sorted(models.training_sets)) or "unknown (no training_sets in its card)"
    threshold = (f"threshold {models.threshold} (--threshold; the card says {models.main.threshold})"
                 if models.threshold is not None else f"threshold {models.main.threshold} (from its card)")
    rule = models.context
    between = ("off" if rule.get("between_floor") is None
               else f"floor {rule['between_floor']}, runs of <= {rule['between_max_run']}")
    out = [f"declutter: model {models.main.name} ({models.path}), {threshold}, trained on {trained_on}; "
           f"between-boilerplate rule: {between}"]
    for name in sorted(models.training_sets & set(args.datasets)):
        if name in models.lodo:
            model, config = models.for_dataset(name)
            out.append(f"  {name}: scored with the leave-one-dataset-out model {models.lodo[name][1]} "
                       f"(threshold {config.threshold if config.threshold is not None else model.threshold}, "
                       f"page threshold {config.threshold if config.threshold is not None else model.page_threshold})")
        else:
            out.append(f"  {name}: IN TRAINING, and no {args.lodo_models}/{name}.skops: "
                       "its declutter scores are marked * and left out of every average")
    out.append("  declutter ms/doc: timed with the model loaded and warmed up; covers features, "
               "both stages, cuts and repairs")
    return out


def score_dataset(name: str, docs: Sequence[LabeledDoc], systems: Sequence[str], models: Models,
                  warmed: set[int]) -> dict[str, Any]:
    """One table row: every system on the same documents."""
    row: dict[str, Any] = {
        "status": models.status(name),
        "docs": len(docs),
        "lines": sum(len(d.lines) for d in docs),
        "labeled_lines": sum(lab is not None for d in docs for lab in d.labels),
        "title_in_gold": name in TITLE_IN_GOLD,
        "systems": {},
    }
    for system in systems:
        if system == "declutter":
            model, config = models.for_dataset(name)
            if id(model) not in warmed:
                warm_up(model, docs)
                warmed.add(id(model))
            run = run_declutter(model, docs, config)
        else:
            run = run_baseline(BASELINES[system], docs)
        row["systems"][system] = score(docs, run)
    return row


def averages_for(rows: dict[str, dict[str, Any]], systems: Sequence[str]) -> dict[str, Any]:
    """The held-out macro average and the modern one, over the same datasets for every system."""
    held = [n for n, r in rows.items() if r["status"] != IN_TRAINING]
    excluded = [n for n in rows if n not in held]
    modern = [n for n in MODERN if n in rows]
    modern_in_training = any(rows[n]["status"] == IN_TRAINING for n in modern)
    avgs: dict[str, Any] = {
        "avg held out": {"datasets": held, "note": f"excl. {', '.join(excluded)} (in training)" if excluded else ""},
        "avg modern": {"datasets": modern, "note": "declutter: n/a (in training)" if modern_in_training else ""},
    }
    avgs = {label: avg for label, avg in avgs.items() if avg["datasets"]}
    for avg in avgs.values():
        names = avg["datasets"]
        avg["docs"] = sum(rows[n]["docs"] for n in names)
        avg["lines"] = sum(rows[n]["lines"] for n in names)
        avg["systems"] = {
            s: {c: None for c in METRICS}
            if s == "declutter" and any(rows[n]["status"] == IN_TRAINING for n in names)
            else average(rows, names, s)
            for s in systems
        }
    return avgs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    t_start = time.perf_counter()
    JUSTEXT_STATS.clear()
    try:
        models = resolve_models(args)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    systems = [s for s in SYSTEMS if s != "declutter" or models.main is not None]
    load_before = _load_average()
    threads = f"{args.threads} thread(s) per system" if args.threads > 0 else "default threading"
    print(f"declutter quality benchmark: {', '.join(args.datasets)} (wcxb_dev page types: {' '.join(args.wcxb_types)}); "
          f"at most {args.max_docs or 'all'} docs per dataset and shape; {threads}; load average {load_before}")
    print("\n".join(describe_models(models, args)))

    results: dict[str, dict[str, Any]] = {shape: {} for shape in SHAPES}
    missing = []
    warmed: set[int] = set()
    for name in args.datasets:
        path = args.lines / f"{name}.jsonl.gz"
        if not path.exists():
            missing.append(name)
            continue
        docs = [d for d in load_labeled([str(path)]) if _page_type_scored(d, args.wcxb_types)]
        if args.published_gold:
            for d in docs:
                d.meta["gold"] = d.meta.get("gold_published") or d.meta.get("gold")
        for shape in SHAPES:
            subset = sample([d for d in docs if d.shape == shape], args.max_docs)
            if subset:
                with _thread_limit(args.threads):
                    results[shape][name] = score_dataset(name, subset, systems, models, warmed)
                print(f"  scored {name}/{shape}: {len(subset)} docs ({time.perf_counter() - t_start:.0f}s)",
                      file=sys.stderr, flush=True)
    if missing:
        print("missing (build them with training/build_lines.py): "
              + ", ".join(f"{args.lines}/{m}.jsonl.gz" for m in missing))
    if not any(results.values()):
        print(f"error: no labeled documents found under {args.lines}", file=sys.stderr)
        return 1
    averages = {shape: averages_for(results[shape], systems) for shape in SHAPES if results[shape]}

    print()
    print("bF1 = F1 of dropping boilerplate lines; aRec = share of article+title lines kept;")
    print("tokF1 = mean bag-of-words F1 of the output against the gold text "
          f"({'as published' if args.published_gold else 'mapped onto LABELING.md by training/build_lines.py'}); "
          "ms = wall ms per document.")
    for shape, shape_averages in averages.items():
        print()
        print(format_table(shape, results[shape], shape_averages, systems))
    if any(r["status"] == IN_TRAINING for rows in results.values() for r in rows.values()):
        print("\n* in training: declutter's score on data it was trained on, NOT held out; in no average.")
    if JUSTEXT_STATS:
        s = JUSTEXT_STATS
        print(f"\njusText line mapping: {s.get('mapped_by_xpath', 0)} lines by <p> position, "
              f"{s.get('mapped_by_text', 0)} by text, {s.get('no_paragraph', 0)} without a paragraph "
              f"(of {s.get('lines', 0)}); {s.get('stoplist_fallback_docs', 0)} docs fell back to the English stoplist")
    seconds = time.perf_counter() - t_start
    print(f"total {seconds:.0f}s; load average {load_before} at start, {_load_average()} at end "
          f"(ms/doc is wall time: compare systems within one run)")

    if args.json:
        report = {
            "command": "python benchmarks/quality.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "max_docs": args.max_docs,
            "lines_dir": str(args.lines),
            "systems": systems,
            "model": None if models.main is None else {
                "name": models.main.name,
                "path": str(models.path),
                "threshold": models.main.threshold,
                "threshold_override": models.threshold,
                "training_sets": sorted(models.training_sets),
                "lodo_models": {n: str(p) for n, (_, p) in models.lodo.items()},
            },
            "model_note": models.note,
            "results": results,
            "averages": averages,
            "justext_mapping": dict(JUSTEXT_STATS),
            "missing_datasets": missing,
            "threads": args.threads,
            "seconds": round(seconds, 1),
            "load_average": [load_before, _load_average()],
            "platform": {"python": platform.python_version(), "machine": platform.machine(),
                         "cpus": os.cpu_count()},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


def _thread_limit(threads: int) -> contextlib.AbstractContextManager[Any]:
    """Cap OpenMP/BLAS threads. The baselines are single-threaded; declutter's
    gradient-boosted stage opens an OpenMP region per tree, which on a busy
    machine can cost 100x its one-thread time (measured: 20 residue docs,
    13 s at 2 threads under load average 8, 0.05 s at 1 thread)."""
    if threads <= 0:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every platform
        return None


if __name__ == "__main__":
    sys.exit(main())
