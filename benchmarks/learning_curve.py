"""Teaching declutter a new outlet: the learning curve, leave one outlet out.

    python benchmarks/learning_curve.py [--model PATH] [--outlets HOST ...]
        [--sizes 5 10 20] [--labels gold silver] [--variants] [--jobs 2] [--json OUT]

For each held-out outlet (big9_news sites with >= 30 pages; the default
model never saw big9_news):

1. its pages are split once, by a hash of the page id, into a pool of 20
   teaching pages and the rest, the unseen test pages;
2. the base model (the shipped default unless --model) is scored on the
   test pages, in both shapes (extractor residue, all page text);
3. the base is extended (`declutter.extend.extend`, what
   `declutter train --base` runs) with the first 5, 10 and 20 pool pages,
   labeled three ways: *gold* (the labels build/lines derived from the
   dataset's gold text), *silver* (`declutter label` on the pages' HTML:
   precision extraction + the base model, no person involved) and
   *reviewed* (silver after a person checked only the lines it flagged,
   simulated with the gold labels), and scored again on the same test pages;
4. every extended model is also scored on a fixed sample of other
   outlets' pages (other datasets: wcxb_dev, which the default was trained
   on, and l3s_gn1 / dragnet news sites it never saw): the cost elsewhere.

Scores (declutter.metrics, as everywhere): line F1 of the boilerplate
class, recall of article lines (article + title), token F1 of the output
against the gold text. `--variants` also compares the design choices of
`extend` (penalty strength, outlet memory, no penalty) with gold labels.

Runs in ~3 minutes on 2 cores with the defaults (8 on a busy machine);
`--variants` adds ~3 (measured 2026-11-21).
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from declutter.config import Config  # noqa: E402
from declutter.teach.evaluation import evaluate  # noqa: E402
from declutter.model import LineModel, default_model_path, load_model  # noqa: E402
from declutter.pipeline import Cleaner  # noqa: E402
from declutter.teach.documents import LabeledDoc, load_labeled  # noqa: E402

OUTLETS = ("arstechnica.com", "foxnews.com", "latimes.com", "nymag.com", "nypost.com")
SIZES = (5, 10, 20)
POOL = 20
OTHERS = {"wcxb_dev": 30, "l3s_gn1": 30, "dragnet": 30}  # pages per dataset (both shapes of each)
SHAPES = ("residue", "page")
METRICS = ("bp_f1", "art_r", "tok_f1")
# Design variants for --variants (keyword arguments of extend()).
VARIANTS: dict[str, dict[str, Any]] = {
    "chosen: anchor (EWC) + memory": {},
    "anchor, no memory": {"memory": False},
    "memory only (no stage-1 delta)": {"alpha": 1e12},
    "base without anchor: new words only + memory": {"base_without_anchor": True},
    "frequency penalty instead of anchor + memory": {"anchor": False},
    "anchor x0.1 + memory": {"anchor_weight": 0.1},
    "no penalty (alpha 0.001, no anchor), no memory": {
        "alpha": 1e-3,
        "anchor": False,
        "memory": False,
    },
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/learning_curve.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--lines", type=Path, default=ROOT / "build" / "lines")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--model", type=Path, default=None, help="base model (default: the shipped one)"
    )
    parser.add_argument("--outlets", nargs="+", default=list(OUTLETS))
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument(
        "--labels",
        nargs="+",
        default=["gold", "silver", "reviewed"],
        choices=["gold", "silver", "reviewed"],
        help="gold: labels from the dataset's gold text; silver: `declutter label` as it is; "
        "reviewed: silver with only the flagged lines corrected (from gold)",
    )
    parser.add_argument(
        "--others", type=int, default=None, help="pages per other dataset (default 30)"
    )
    parser.add_argument(
        "--variants",
        action="store_true",
        help="also compare extend() design variants (gold, 5 and 20 pages)",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="write all scores here")
    return parser.parse_args(argv)


def _key(doc_id: str) -> str:
    return hashlib.sha1(doc_id.encode()).hexdigest()


def split_outlet(docs: list[LabeledDoc]) -> tuple[list[str], list[str]]:
    """Page ids of the teaching pool (first POOL by hash) and of the test pages."""
    ids = sorted({d.meta["id"] for d in docs}, key=_key)
    return ids[:POOL], ids[POOL:]


def scores(report: dict[str, Any]) -> dict[str, float]:
    a = report["all"]
    return {
        "bp_f1": a["boilerplate"]["f1"],
        "art_r": a["article"]["recall"],
        "tok_f1": a["token_f1"] or 0.0,
    }


def score_docs(model: LineModel, docs: list[LabeledDoc]) -> dict[str, dict[str, float]]:
    """Scores per shape (and per dataset x shape for the 'others' sample)."""
    cleaner = Cleaner(Config(), model=model)
    out: dict[str, dict[str, float]] = {}
    by: dict[str, list[LabeledDoc]] = defaultdict(list)
    for d in docs:
        by[d.shape].append(d)
    for shape, subset in by.items():
        out[shape] = scores(evaluate(cleaner, subset))
    return out


def load_pages_html(data: Path, ids: set[str]) -> dict[str, dict[str, Any]]:
    found = {}
    with gzip.open(data / "big9_news.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in ids:
                found[rec["id"]] = rec
    return found


def silver_docs(
    base: LineModel, pages: list[dict[str, Any]], outlet: str, gold: list[LabeledDoc]
) -> tuple[list[LabeledDoc], list[LabeledDoc], dict[str, int]]:
    """What `declutter label` gives for these pages: as it is (*silver*), and
    after a person checked the flagged lines only (*reviewed*: a flagged
    line takes the gold label of the same line of the same page and shape)."""
    from declutter.teach.documents import to_labeled_docs
    from declutter.teach.silver import Page, label_page

    gold_of = {(d.meta["id"], d.shape): dict(zip(d.lines, d.labels)) for d in gold}
    cleaner = Cleaner(Config(), model=base)
    silver, reviewed = [], []
    counts = {"lines": 0, "flagged": 0, "corrected": 0}
    for rec in pages:
        labeled = label_page(Page(rec["id"], rec["html"], outlet, rec.get("url")), cleaner)
        for d in to_labeled_docs(labeled):
            d.meta["id"] = rec["id"]
            silver.append(d)
        for doc in labeled:
            truth = gold_of.get((rec["id"], doc.meta["shape"]), {})
            for line in doc.lines:
                counts["lines"] += 1
                if line.flag is not None:
                    counts["flagged"] += 1
                    if truth.get(line.text, line.label) != line.label:
                        line.label = truth[line.text]
                        counts["corrected"] += 1
        for d in to_labeled_docs(labeled):
            d.meta["id"] = rec["id"]
            reviewed.append(d)
    return silver, reviewed, counts


def run_outlet(
    base_path: str | None,
    outlet: str,
    docs: list[LabeledDoc],
    html: dict[str, dict[str, Any]],
    others: list[LabeledDoc],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Every row of one held-out outlet (runs in a worker)."""
    from declutter.teach.extend import extend

    base = load_model(base_path) if base_path else load_model()
    pool, test = split_outlet(docs)
    test_set = set(test)
    test_docs = [d for d in docs if d.meta["id"] in test_set]
    pool_docs = {label: [] for label in args.labels}
    t0 = time.time()
    rows: list[dict[str, Any]] = [
        {"outlet": outlet, "labels": "-", "pages": 0, "test": score_docs(base, test_docs)}
    ]
    if "gold" in args.labels:
        order = {pid: i for i, pid in enumerate(pool)}
        pool_docs["gold"] = sorted(
            (d for d in docs if d.meta["id"] in order), key=lambda d: order[d.meta["id"]]
        )
    review: dict[str, int] = {}
    if "silver" in args.labels or "reviewed" in args.labels:
        pages = [html[pid] for pid in pool if pid in html]
        pool_docs["silver"], pool_docs["reviewed"], review = silver_docs(base, pages, outlet, docs)
    silent = lambda *_: None  # noqa: E731
    for label in args.labels:
        for n in args.sizes:
            chosen = set(pool[:n])
            teach = [d for d in pool_docs[label] if d.meta["id"] in chosen]
            model = extend(base, teach, log=silent)
            rows.append(
                {
                    "outlet": outlet,
                    "labels": label,
                    "pages": n,
                    "test": score_docs(model, test_docs),
                    "others": score_docs(model, others),
                    "memory_lines": len(model.memory) if model.memory is not None else 0,
                }
            )
    if args.variants:
        gold = pool_docs.get("gold") or sorted(
            (d for d in docs if d.meta["id"] in set(pool)), key=lambda d: d.meta["id"]
        )
        for name, options in VARIANTS.items():
            kwargs = dict(options)
            start = base
            if kwargs.pop("base_without_anchor", False):
                start = copy.copy(base)
                start.anchor = None
            for n in (5, 20):
                chosen = set(pool[:n])
                model = extend(
                    start, [d for d in gold if d.meta["id"] in chosen], log=silent, **kwargs
                )
                rows.append(
                    {
                        "outlet": outlet,
                        "labels": "gold",
                        "pages": n,
                        "variant": name,
                        "test": score_docs(model, test_docs),
                        "others": score_docs(model, others),
                    }
                )
    return {
        "outlet": outlet,
        "pool": len(pool),
        "test_pages": len(test),
        "rows": rows,
        "review": review,
        "seconds": round(time.time() - t0),
    }


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def _delta(x: float) -> str:
    return f"{x:+.3f}"


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def table(
    results: list[dict[str, Any]],
    base_others: dict[str, dict[str, float]],
    labels: Sequence[str],
    sizes: Sequence[int],
) -> str:
    """Markdown: mean over held-out outlets, per shape; and the change on the other outlets."""
    out = []
    for shape in SHAPES:
        out.append(
            f"\n**{shape}** ({'extractor residue: mostly article' if shape == 'residue' else 'all page text: mostly boilerplate'})\n"
        )
        out.append(
            "| labels | pages | new outlet: boilerplate F1 | article recall | token F1 | other outlets: Δ boilerplate F1 | Δ article recall | Δ token F1 |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        base_rows = [r for res in results for r in res["rows"] if r["pages"] == 0]
        b = {
            m: mean([r["test"][shape][m] for r in base_rows if shape in r["test"]]) for m in METRICS
        }
        out.append(
            f"| (default model) | 0 | {_fmt(b['bp_f1'])} | {_fmt(b['art_r'])} | {_fmt(b['tok_f1'])} | | | |"
        )
        for label in labels:
            for n in sizes:
                rows = [
                    r
                    for res in results
                    for r in res["rows"]
                    if r["labels"] == label and r["pages"] == n and "variant" not in r
                ]
                if not rows:
                    continue
                t = {
                    m: mean([r["test"][shape][m] for r in rows if shape in r["test"]])
                    for m in METRICS
                }
                d = {
                    m: mean([r["others"][shape][m] - base_others[shape][m] for r in rows])
                    for m in METRICS
                }
                out.append(
                    f"| {label} | {n} | {_fmt(t['bp_f1'])} | {_fmt(t['art_r'])} | {_fmt(t['tok_f1'])} | "
                    f"{_delta(d['bp_f1'])} | {_delta(d['art_r'])} | {_delta(d['tok_f1'])} |"
                )
    return "\n".join(out)


def per_outlet_table(
    results: list[dict[str, Any]], labels: Sequence[str], sizes: Sequence[int]
) -> str:
    """Markdown: token F1 (boilerplate F1) per outlet and shape."""
    head = ["outlet", "test pages", "shape", "default"] + [
        f"{lab} {n}" for lab in labels for n in sizes
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * (len(head) - 3)]
    for res in results:
        for shape in SHAPES:
            cells = [res["outlet"], str(res["test_pages"]), shape]
            base = next(r for r in res["rows"] if r["pages"] == 0)
            cells.append(
                f"{base['test'][shape]['tok_f1']:.3f} ({base['test'][shape]['bp_f1']:.2f})"
            )
            for lab in labels:
                for n in sizes:
                    r = next(
                        (
                            r
                            for r in res["rows"]
                            if r["labels"] == lab and r["pages"] == n and "variant" not in r
                        ),
                        None,
                    )
                    cells.append(
                        f"{r['test'][shape]['tok_f1']:.3f} ({r['test'][shape]['bp_f1']:.2f})"
                        if r
                        else ""
                    )
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def variants_table(results: list[dict[str, Any]], base_others: dict[str, dict[str, float]]) -> str:
    out = [
        "| variant (gold labels) | pages | new outlet tok F1 residue | page | new outlet bp F1 residue | page | others Δ tok F1 residue | page | others Δ art R residue | page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in VARIANTS:
        for n in (5, 20):
            rows = [
                r
                for res in results
                for r in res["rows"]
                if r.get("variant") == name and r["pages"] == n
            ]
            if not rows:
                continue
            cells = [name, str(n)]
            for metric in ("tok_f1", "bp_f1"):
                cells += [_fmt(mean([r["test"][s][metric] for r in rows])) for s in SHAPES]
            for metric in ("tok_f1", "art_r"):
                cells += [
                    _delta(mean([r["others"][s][metric] - base_others[s][metric] for r in rows]))
                    for s in SHAPES
                ]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.time()
    from joblib import Parallel, delayed

    base_path = str(args.model) if args.model else None
    base = load_model(base_path) if base_path else load_model()
    print(
        f"base model: {base.name} ({base_path or default_model_path()}), threshold {base.threshold}",
        flush=True,
    )
    if base.anchor is None:
        # What training/add_anchor.py stores in the model file; computed here
        # so the benchmark measures what `declutter train --base` does with it.
        sys.path.insert(0, str(ROOT / "training"))
        from add_anchor import DEFAULT_SETS, add_anchor

        sets = list(base.card.get("training_sets") or DEFAULT_SETS)
        t = time.time()
        add_anchor(base, sets, args.lines)
        out = (
            ROOT
            / "build"
            / "learning_curve"
            / f"{Path(base_path or 'default').stem}-anchored.skops"
        )
        base_path = str(base.save(out))
        print(
            f"the base has no anchor: computed it from {', '.join(sets)} ({time.time() - t:.0f}s) -> {base_path}",
            flush=True,
        )
    big9 = load_labeled([str(args.lines / "big9_news.jsonl.gz")])
    by_outlet: dict[str, list[LabeledDoc]] = defaultdict(list)
    for d in big9:
        by_outlet[d.group].append(d)
    missing = [
        o for o in args.outlets if len({d.meta["id"] for d in by_outlet.get(o, [])}) < POOL + 5
    ]
    if missing:
        print(f"error: too few pages for {missing}", file=sys.stderr)
        return 2
    others: list[LabeledDoc] = []
    per_dataset = dict(OTHERS) if args.others is None else {k: args.others for k in OTHERS}
    for name, n in per_dataset.items():
        docs = load_labeled([str(args.lines / f"{name}.jsonl.gz")])
        ids = sorted({d.meta["id"] for d in docs if d.meta.get("gold")}, key=_key)[:n]
        chosen = set(ids)
        others += [d for d in docs if d.meta["id"] in chosen]
    base_others = score_docs(base, others)
    print(
        f"other outlets: {len(others)} documents of {sum(per_dataset.values())} pages; default model {json.dumps(base_others)}",
        flush=True,
    )
    html: dict[str, dict[str, Any]] = {}
    if "silver" in args.labels or "reviewed" in args.labels:
        pool_ids = {pid for o in args.outlets for pid in split_outlet(by_outlet[o])[0]}
        html = load_pages_html(args.data, pool_ids)
    tasks = (
        delayed(run_outlet)(
            base_path,
            o,
            by_outlet[o],
            {k: v for k, v in html.items() if k in set(split_outlet(by_outlet[o])[0])},
            others,
            args,
        )
        for o in args.outlets
    )
    results = []
    for res in Parallel(n_jobs=args.jobs, return_as="generator")(tasks):
        print(
            f"  {res['outlet']}: {res['pool']} pool pages, {res['test_pages']} test pages ({res['seconds']}s)",
            flush=True,
        )
        results.append(res)
    results.sort(key=lambda r: args.outlets.index(r["outlet"]))
    print(
        f"\n## Teaching a new outlet: mean over {len(results)} held-out big9_news outlets ({', '.join(args.outlets)})"
    )
    print(table(results, base_others, args.labels, args.sizes))
    review = {
        k: sum(r.get("review", {}).get(k, 0) for r in results)
        for k in ("lines", "flagged", "corrected")
    }
    if review["lines"]:
        print(
            f"\n*silver*: `declutter label` output as it is; *reviewed*: the same with only the flagged lines "
            f"checked ({review['flagged']} of {review['lines']} lines, {review['flagged'] / review['lines']:.1%}, "
            f"over {POOL} pages x 2 shapes per outlet; {review['corrected']} of them were wrong and took the gold label)."
        )
    print("\nToken F1 (boilerplate-line F1) per held-out outlet, on its unseen pages:\n")
    print(per_outlet_table(results, args.labels, args.sizes))
    if args.variants:
        print("\nDesign variants of `extend` (mean over outlets):\n")
        print(variants_table(results, base_others))
    print(
        f"\n{len(others)} other-outlet documents ({', '.join(f'{k} {v} pages' for k, v in per_dataset.items())}, both shapes); "
        f"machine: {os.cpu_count()} cores; {time.time() - t0:.0f} s"
    )
    if args.json:
        args.json.write_text(json.dumps({"base_others": base_others, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
