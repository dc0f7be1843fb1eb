"""An evaluation that cannot flatter: declutter and its peers on held-out sets, against the published gold.

    python benchmarks/quality.py [--lines build/lines] [--datasets NAME ...]
        [--model PATH] [--lodo-models DIR] [--max-docs N] [--threads N]
        [--data ../shared/data] [--no-cico] [--json OUT] [--write-docs]

Every system (no cleaning, C4's line rules, jusText, declutter; see
`baselines.py`) sees the same documents, `<lines>/<set>.jsonl.gz` made by
`training/build_lines.py`, in both shapes (extractor residue, all page text),
and returns a keep/drop decision per line and an output text. So does the
yardstick **guide labels**: our labels as a cleaner, what following
LABELING.md exactly scores against the published gold (its aRec and bF1 are
1 by construction). Per set x shape
x system:

* **pubF1** (the headline): mean token F1 of the output against the set's
  gold text *as published* (`gold_published` where build_lines mapped the
  gold onto LABELING.md, else `gold`); **guideF1** against the mapped gold,
  a second view.
* **wrecked%**: share of documents whose output keeps less than 0.95 x the
  published gold's token recall their input had (`measures.is_wrecked`): no
  line label of ours enters it. The ten worst are listed with their lost lines.
* **aRec**, **bF1**: article-line recall and boilerplate-line F1 on our labels.
* **structRec**: article recall on the labeled article/title lines that are
  list items, table rows, code or under 5 words (`measures.structure_of`:
  the line's HTML `kind` when the data has it, else its text's shape).
* a **non-English slice**: article recall over docs whose `lang` is not
  en/la/none, from readability and trafilatura_eval (labeled lines only).
* **CICO kept%**: each set's published gold text fed alone (`cico.py`),
  share of its lines kept.
* **lost article lines**: declutter's dropped article/title lines by the
  reason and cut that dropped them, pooled over the held-out sets.

Held out means held out. A set in the model card's `training_sets` is
scored with the leave-one-dataset-out model `<lodo-models>/<set>.skops`,
with the thresholds *of that model's card* (tuned without the set); with no
such model, or one without thresholds of its own, the set is "in training":
its declutter figures are marked * and are in no mean. Of wcxb_dev only the
`article` pages are scored (`--wcxb-types` to change).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks import report
from benchmarks.baselines import Decision, c4_rules, guide_labels, justext_rules, keep_all, kept_text
from benchmarks.cico import sample_gold, score_cico, score_outputs
from benchmarks.heldout import Models, describe_models, resolve_models, shown
from benchmarks.scoring import (
    ENGLISH,
    NON_ENGLISH_SETS,
    Run,
    cico_mean,
    input_recalls,
    mean_row,
    score,
    slices,
    worst_ten,
)
from declutter.config import Config
from declutter.document import Result
from declutter.errors import ModelError
from declutter.teach.evaluation import TITLE_IN_GOLD, predict_kept
from declutter.model import LineModel
from declutter.model.outlet import OutletMemory, with_memory
from declutter.pipeline import Cleaner
from declutter.teach.documents import LabeledDoc

__all__ = ["BASELINES", "SHAPES", "YARDSTICKS", "Run", "load_docs", "main", "parse_args", "resolve_models", "run_baseline",
           "run_declutter", "sample", "score", "warm_up"]

DATASETS = (
    "big9_news", "l3s_gn1", "dragnet", "cleanportaleval", "chaos_web", "cleaneval",
    "wcxb_dev", "readability",
)
SHAPES = ("residue", "page")
SYSTEMS = ("no cleaning", "C4 rules", "jusText", "guide labels", "declutter")
Baseline = Callable[[LabeledDoc], list[Decision]]
BASELINES: dict[str, Baseline] = {
    "no cleaning": lambda d: keep_all(d.lines),
    "C4 rules": lambda d: c4_rules(d.lines),
    "jusText": lambda d: justext_rules(d.lines, d.meta.get("lang"), JUSTEXT_STATS),
}
# Not a peer but a yardstick, scored like one: LABELING.md followed exactly (our labels as a cleaner).
YARDSTICKS: dict[str, Baseline] = {"guide labels": lambda d: guide_labels(d.labels)}
JUSTEXT_STATS: dict[str, int] = {}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/quality.py", description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=Path, default=ROOT / "build" / "lines",
                        help="directory of <set>.jsonl.gz labeled line documents (default: build/lines)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), metavar="NAME",
                        help=f"sets to score (default: {' '.join(DATASETS)}); trafilatura_eval, when its file is "
                        "there, always feeds the non-English slice")
    parser.add_argument("--model", type=Path, default=None,
                        help="a NAME.skops declutter model (default: the shipped model)")
    parser.add_argument("--lodo-models", type=Path, default=ROOT / "build" / "lodo", metavar="DIR",
                        help="DIR/<set>.skops: leave-one-dataset-out models, with their own tuned thresholds, for "
                        "the sets in the model's training_sets (default: build/lodo)")
    parser.add_argument("--max-docs", type=int, default=150, metavar="N",
                        help="documents per set and shape (sorted by id, every k-th), and gold texts per set for "
                        "clean-in-clean-out; 0 = all (default: 150)")
    parser.add_argument("--threshold", type=float, default=None, metavar="P",
                        help="a sensitivity check: drop at P(boilerplate) >= P for every model, overriding the cards")
    parser.add_argument("--between-floor", type=float, default=Config().between_floor, metavar="P",
                        help="Config.between_floor; negative switches the rule off (default: %(default)s)")
    parser.add_argument("--between-max-run", type=int, default=Config().between_max_run, metavar="N",
                        help="Config.between_max_run (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="OpenMP/BLAS threads for every system; 0 = the libraries' default (default: 1)")
    parser.add_argument("--wcxb-types", nargs="+", default=["article"], metavar="TYPE",
                        help="wcxb_dev page types to score, or 'all' (default: article, its news-like pages)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                        help="the shared data sets, for clean-in-clean-out's gold texts (default: ../shared/data)")
    parser.add_argument("--text-shape", choices=("auto", "residue"), default=Config().shape,
                        help="Config.shape for text input (residue documents, clean in clean out): what `declutter` "
                        "on text does (default: %(default)s)")
    parser.add_argument("--page-shape", choices=("auto", "page"), default=Config().shape,
                        help="Config.shape for all-page-text documents: the default is what `declutter --html` "
                        "does (default: %(default)s)")
    parser.add_argument("--outlet-memory", action="store_true",
                        help="score declutter as `declutter batch --outlet-memory` runs: with a memory of the long "
                        "lines each site repeats, built from all of the set's inputs of that shape (unlabeled; for "
                        "clean-in-clean-out, from the gold texts fed); --write-docs then writes its own section")
    parser.add_argument("--no-cico", action="store_true", help="skip clean-in-clean-out")
    parser.add_argument("--no-declutter", action="store_true", help="run the baselines only")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write every number to OUT")
    parser.add_argument("--write-docs", nargs="?", const=ROOT / "docs" / "benchmarks.md", default=None, type=Path,
                        metavar="PATH", help="write this run's section of docs/benchmarks.md (or PATH)")
    return parser.parse_args(argv)


# --- data ------------------------------------------------------------------------------


def load_docs(path: Path) -> list[LabeledDoc]:
    """build_lines documents, as `declutter.teach.documents.load_labeled` reads them plus each line's
    HTML element `kind` (`meta["kinds"]`, None when the data has no such field)."""
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for raw in fh:
            rec = json.loads(raw)
            lines = rec["lines"]
            has_kind = bool(lines) and all("kind" in ln for ln in lines)
            meta = {k: rec.get(k) for k in ("id", "lang", "page_type", "gold", "gold_published")}
            meta["kinds"] = [ln["kind"] or "" for ln in lines] if has_kind else None
            docs.append(LabeledDoc(
                lines=[ln["text"] for ln in lines], labels=[ln.get("label") for ln in lines],
                group=str(rec.get("site") or rec.get("id")), dataset=str(rec.get("dataset", "")),
                shape=str(rec.get("shape") or "residue"), meta=meta))
    return docs


def sample(docs: Sequence[LabeledDoc], max_docs: int) -> list[LabeledDoc]:
    """A deterministic spread-out sample: sorted by id, every k-th, at most `max_docs`.

    >>> docs = [LabeledDoc([], [], "g", meta={"id": f"{i:02d}"}) for i in range(10)]
    >>> [d.meta["id"] for d in sample(docs, 4)]
    ['00', '02', '05', '07']
    """
    ordered = sorted(docs, key=lambda d: str(d.meta.get("id") or ""))
    if max_docs <= 0 or len(ordered) <= max_docs:
        return ordered
    return [ordered[i * len(ordered) // max_docs] for i in range(max_docs)]


def _keep_doc(doc: LabeledDoc, name: str, types: Sequence[str]) -> bool:
    """wcxb_dev: its page types asked for; trafilatura_eval: only the non-English slice."""
    if name == "trafilatura_eval":
        return doc.meta.get("lang") not in ENGLISH
    page_type = doc.meta.get("page_type")
    return page_type is None or "all" in types or page_type in types


# --- systems ---------------------------------------------------------------------------


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
    """declutter through `evaluation.predict_kept` (the headline left out of the text where the
    set's gold leaves it out; counted as kept in line scores), timed with the model loaded."""
    cleaner = _RecordingCleaner(config or Config(), model=model)
    t0, c0 = time.perf_counter(), time.process_time()
    predicted = predict_kept(cleaner, docs)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    kept = [[ln.kept for ln in r.lines] for r in cleaner.results]
    for d, k in zip(docs, kept):
        assert len(k) == len(d.lines), "declutter changed the line count"
    reasons = Counter(f"declutter_{ln.reason}" for r in cleaner.results for ln in r.lines if not ln.kept)
    lost = Counter(f"{ln.reason} at {ln.threshold:g}"
                   for d, r in zip(docs, cleaner.results) for ln, label in zip(r.lines, d.labels)
                   if label in ("article", "title") and ln.label == "boilerplate")
    return Run(kept, [text for _, text in predicted], seconds, reasons, cpu, lost)


def outlet_memory(docs: Iterable[tuple[str, Sequence[str]]]) -> OutletMemory:
    """What `declutter batch --outlet-memory` learns from its input: the long lines each site repeats."""
    return OutletMemory.from_documents(((site, lines, None) for site, lines in docs), labeled=False)


def warm_up(model: LineModel, docs: Sequence[LabeledDoc]) -> None:
    """One untimed call, so lazy set-up (vocabulary index, imports) is not billed to a set."""
    if docs:
        predict_kept(Cleaner(Config(), model=model), list(docs[:2]))


# --- one set ---------------------------------------------------------------------------


def score_dataset(name: str, docs: Sequence[LabeledDoc], systems: Sequence[str], models: Models,
                  warmed: set[int], shape: str = "auto", memory: OutletMemory | None = None) -> dict[str, Any]:
    """One table row: every system on the same documents (declutter with `memory` when given)."""
    recall_in = input_recalls(docs)
    row: dict[str, Any] = {
        "status": models.status(name), "docs": len(docs), "lines": sum(len(d.lines) for d in docs),
        "labeled_lines": sum(lab is not None for d in docs for lab in d.labels),
        "title_in_gold": name in TITLE_IN_GOLD, "systems": {},
    }
    for system in systems:
        if system == "declutter":
            model, config = models.for_dataset(name)
            config = config.with_changes(shape=shape)
            if memory is not None:
                model = with_memory(model, memory)
            if id(model) not in warmed:
                warm_up(model, docs)
                warmed.add(id(model))
            run = run_declutter(model, docs, config)
        else:
            run = run_baseline({**BASELINES, **YARDSTICKS}[system], docs)
        row["systems"][system] = score(docs, run, recall_in)
    sy = row["systems"]
    if "declutter" in sy:
        for key, col in (("delta", "pub_f1"), ("guide_delta", "guide_f1")):
            a, b = sy["declutter"][col], sy["no cleaning"][col]
            row[key] = round(a - b, 4) if a is not None and b is not None else None
    return row


def run_cico(args: argparse.Namespace, models: Models, names: Sequence[str],
             guide: dict[str, dict[str, str]], sites: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Clean in, clean out on each set's published gold texts, with the model that set is scored with;
    then, as a second view, on the same documents' gold as build_lines maps it onto LABELING.md
    (`guide`: set -> id -> text), where the published gold keeps what the guide calls boilerplate."""
    out: dict[str, dict[str, Any]] = {}
    if models.main is None or args.no_cico:
        return out
    for name in names:
        path = args.data / f"{name}.jsonl.gz"
        if not path.exists():
            print(f"  clean-in-clean-out: no {path}", file=sys.stderr)
            continue
        model, config = models.for_dataset(name)
        config = config.with_changes(shape=args.text_shape)
        published = sample_gold(path, args.max_docs)
        onto_guide = guide.get(name, {})
        with_mapped = [(i, t) for i, t in published if i in onto_guide]  # the published golds the guide maps
        mapped = [(i, onto_guide[i]) for i, _ in with_mapped]
        if args.outlet_memory:  # a batch of clean texts: the memory is made of what is fed
            model = with_memory(model, outlet_memory((sites.get(i, i), t.splitlines()) for i, t in published))
        with _thread_limit(args.threads):
            result = score_cico(Cleaner(config, model=model), published)
            result["guide"] = score_cico(Cleaner(config, model=model), mapped) if mapped else None
        # What following LABELING.md exactly keeps of the same published golds: the mapped gold as the output.
        result["guide_keeps"] = score_outputs(with_mapped, [t for _, t in mapped]) if mapped else None
        out[name] = {"status": models.status(name), **result}
    return out


def render(args: argparse.Namespace, header: list[str], results: dict[str, Any], means: dict[str, Any],
           systems: Sequence[str], cico: dict[str, Any], sl: dict[str, Any], worst: list[dict[str, Any]]) -> str:
    """The run's whole report in markdown: what is printed and what --write-docs writes."""
    out = header + ["",
        ("pubF1 = mean token F1 against each set's gold as published (the headline); decl−none = declutter's pubF1 "
        "minus no cleaning's; aRec = article+title lines kept; structRec = the same on list, table, code and "
        "under-5-word lines; wrecked% = docs whose output keeps < 0.95 × the gold-token recall of its input; "
        "bF1 = F1 of dropping boilerplate lines; CICO kept% = lines of the gold text fed alone that come back. "
        "aRec, structRec, wrecked%, bF1 are declutter's. * = declutter trained on the set: in no mean.")]
    for shape in SHAPES:
        rows = {n: r for n, r in results[shape].items() if n != "trafilatura_eval"}
        if not rows:
            continue
        note = ("trafilatura's recall extraction, mostly article; 'none' = trafilatura alone" if shape == "residue"
                else "all visible page text, mostly boilerplate")
        out += ["", f"### {shape}: {note}", "", report.main_table(shape, rows, means[shape], systems, cico)]
    out += ["", ("Second view: token F1 against the gold mapped onto LABELING.md by build_lines (captions, "
            "reference lists, repeats out).")]
    for shape in SHAPES:
        rows = {n: r for n, r in results[shape].items() if n != "trafilatura_eval"}
        if rows:
            out += ["", f"{shape}:", "", report.guide_table(shape, rows, means[shape], systems)]
    out += ["", report.slices_section(sl, systems), "", report.lost_section(sl), "",
            report.worst_section(worst), "",
            report.cico_section(cico, cico_mean(cico)), "", report.yardstick_section(means, cico_mean(cico))]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    t_start = time.perf_counter()
    JUSTEXT_STATS.clear()
    try:
        models = resolve_models(args, NON_ENGLISH_SETS)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    systems = [s for s in SYSTEMS if s != "declutter" or models.main is not None]
    load_before = _load_average()
    threads = f"{args.threads} thread(s)" if args.threads > 0 else "default threading"
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = [(f"declutter quality benchmark, {when}, commit {_git_commit()}: {shown(args.lines)}, "
              f"{f'at most {args.max_docs}' if args.max_docs > 0 else 'all'} docs per set and shape (wcxb_dev: {' '.join(args.wcxb_types)} pages); "
              f"{threads}; load average {load_before}; shapes: text {args.text_shape}, page {args.page_shape}"
              + ("; declutter with outlet memory (each set's inputs, unlabeled)" if args.outlet_memory else ""))]
    header += describe_models(models, args, NON_ENGLISH_SETS)
    print("\n".join(header), flush=True)

    results: dict[str, dict[str, Any]] = {shape: {} for shape in SHAPES}
    missing, has_kinds, warmed = [], False, set()  # type: ignore[var-annotated]
    guide: dict[str, dict[str, str]] = {}  # set -> id -> the gold mapped onto LABELING.md
    sites: dict[str, str] = {}  # document id -> its site, for --outlet-memory
    names = list(dict.fromkeys([*args.datasets, *NON_ENGLISH_SETS[1:]]))
    for name in names:
        path = args.lines / f"{name}.jsonl.gz"
        if not path.exists():
            missing.append(name)
            continue
        docs = load_docs(path)
        guide[name] = {d.meta["id"]: d.meta["gold"] for d in docs if d.meta.get("gold")}
        sites.update((d.meta["id"], d.group) for d in docs)
        docs = [d for d in docs if _keep_doc(d, name, args.wcxb_types)]
        has_kinds = has_kinds or any(d.meta["kinds"] is not None for d in docs)
        for shape in SHAPES:
            of_shape = [d for d in docs if d.shape == shape]
            subset = sample(of_shape, args.max_docs)
            memory = outlet_memory((d.group, d.lines) for d in of_shape) if args.outlet_memory else None
            if subset:
                with _thread_limit(args.threads):
                    results[shape][name] = score_dataset(
                        name, subset, systems, models, warmed, args.page_shape if shape == "page" else args.text_shape,
                        memory)
                print(f"  scored {name}/{shape}: {len(subset)} docs ({time.perf_counter() - t_start:.0f}s)",
                      file=sys.stderr, flush=True)
    if missing:
        print("missing (build them with training/build_lines.py): "
              + ", ".join(f"{args.lines}/{m}.jsonl.gz" for m in missing))
    if not any(results.values()):
        print(f"error: no labeled documents found under {args.lines}", file=sys.stderr)
        return 1
    cico = run_cico(args, models, [n for n in args.datasets if n not in missing], guide, sites)
    print(f"  clean-in-clean-out done ({time.perf_counter() - t_start:.0f}s)", file=sys.stderr, flush=True)
    means = {shape: mean_row({n: r for n, r in results[shape].items() if n != "trafilatura_eval"}, systems, cico)
             for shape in SHAPES}
    sl = {shape: slices(results[shape], systems, has_kinds) for shape in SHAPES if results[shape]}
    worst = worst_ten(results)
    seconds = time.perf_counter() - t_start
    text = render(args, header, results, means, systems, cico, sl, worst)
    print("\n" + text.split("\n", len(header))[-1].lstrip("\n"))
    print(f"\ntotal {seconds:.0f}s; load average {load_before} at start, {_load_average()} at end")

    command = "python benchmarks/quality.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.json:
        dump = {
            "command": command, "date": when, "commit": _git_commit(), "max_docs": args.max_docs,
            "lines_dir": str(args.lines), "has_kinds": has_kinds, "systems": systems,
            "model": None if models.main is None else {
                "name": models.main.name, "path": str(models.path), "sha256": models.main.card.get("sha256"),
                "threshold": models.main.threshold, "page_threshold": models.main.page_threshold,
                "threshold_override": models.threshold, "training_sets": sorted(models.training_sets),
                "lodo_models": {n: {"path": str(p), "threshold": m.threshold, "page_threshold": m.page_threshold}
                                for n, (m, p) in models.lodo.items()},
                "lodo_refused": models.refused,
            },
            "model_note": models.note, "results": results, "means": means, "slices": sl, "worst": worst,
            "cico": cico, "cico_mean": cico_mean(cico), "justext_mapping": dict(JUSTEXT_STATS),
            "missing_datasets": missing, "threads": args.threads, "seconds": round(seconds, 1),
            "load_average": [load_before, _load_average()],
            "platform": {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(dump, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    if args.write_docs:
        command_shown = re.sub(r" --json \S+", "", command)  # where the JSON went does not change a figure
        variant = _variant(args)  # each way of running declutter keeps its own section
        batch = ", a batch with outlet memory" if args.outlet_memory else ""
        shapes = f", text read as {args.text_shape}" if args.text_shape != Config().shape else ""
        section = (f"## Quality on held-out sets{batch}{shapes} (benchmarks/quality.py)\n\n```\n{command_shown}\n```\n\n"
                   f"Run in {seconds:.0f} s.\n\n{text}\n")
        report.write_docs(args.write_docs, section, " ".join(["quality.py", *variant]))
        print(f"wrote {args.write_docs}")
    return 0


def _variant(args: argparse.Namespace) -> list[str]:
    """The options that change how declutter runs, as given: what names a run's docs section."""
    out = ["--outlet-memory"] if args.outlet_memory else []
    default = Config().shape
    out += [f"--text-shape {args.text_shape}"] if args.text_shape != default else []
    out += [f"--page-shape {args.page_shape}"] if args.page_shape != default else []
    return out


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, check=False,
                             text=True, timeout=10)
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _thread_limit(threads: int) -> contextlib.AbstractContextManager[Any]:
    """Cap OpenMP/BLAS threads. declutter's gradient-boosted stage opens an OpenMP
    region per tree, which on a busy machine can cost 100x its one-thread time."""
    if threads <= 0:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


if __name__ == "__main__":
    sys.exit(main())
