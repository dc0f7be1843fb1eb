"""Throughput of batch mode: documents/s and MB/s with 1 and 2 jobs, peak memory, and peers.

    python benchmarks/throughput.py [--model PATH] [--docs 10000] [--jobs 1 2] [--repeat 3]
        [--lines build/lines] [--data ../shared/data] [--out build/throughput]
        [--profile-docs 2000] [--justext-docs N] [--skip-baselines] [--without-onnx]
        [--memory | --memory-only]

1. **Corpus.** `--docs` documents of each shape, from `../shared/data`:
   `residue` (trafilatura's recall-oriented extraction of a page, what
   scraped news text looks like) and `page` (all visible text of the page,
   `declutter.html.html_to_lines`). The lines written by
   `training/build_lines.py` (`build/lines/<dataset>.jsonl.gz`) are used when
   present, else pages are extracted here (`--pages` per dataset). There are
   fewer pages than `--docs`, so documents are replicated to reach it (the
   report says how many are distinct). Written as JSONL to `--out`.
2. **declutter batch**, the real code path (`declutter.batch.run_batch`, as
   `declutter batch` runs it), in a fresh process per configuration so every
   run pays its own start-up: worker processes, imports, model load. Reported:
   docs/s and MB/s end to end and for the batch alone, CPU seconds per
   document summed over workers (the per-core cost, which a busy machine
   does not distort), and the peak RSS of the process tree. Stage 2 runs
   on onnxruntime when the model has NAME.onnx and onnxruntime is
   installed (`declutter[fast]`); `--without-onnx` also times a copy of
   the model without it, i.e. scikit-learn's predictor, in the same run.
3. **Peers on the same documents, in the same run**, one process: C4-style
   line rules and jusText (`benchmarks/baselines.py`).
4. **Where the time goes**: one process, `--profile-docs` documents, for
   each stage-2 engine timed: each pipeline stage timed (split, features,
   tokens, stage 1, context features, stage 2, labels, cuts, repair,
   render, JSON), then cProfile's top functions.

5. **Huge documents** (`--memory`, or `--memory-only` for this alone):
   the peak RSS of `declutter FILE` on one document of a million short
   lines and on one 50 MB line, each in its own child process
   (`benchmarks/huge_documents.py`), against the start-up figure.

Results are printed as Markdown and saved to `<out>/results.json`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:  # run as a script from a checkout
        sys.path.insert(0, str(path))

SHAPES = ("residue", "page")
DATASETS = (
    "big9_news", "chaos_web", "cleaneval", "cleanportaleval", "dragnet",
    "l3s_gn1", "readability", "trafilatura_eval", "wcxb_dev",
)


# --------------------------------------------------------------------------- corpus


def _from_lines(lines_dir: Path) -> dict[str, list[dict[str, Any]]]:
    docs: dict[str, list[dict[str, Any]]] = {s: [] for s in SHAPES}
    for path in sorted(lines_dir.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                rec = json.loads(raw)
                shape = rec.get("shape")
                if shape in docs and rec.get("lines"):
                    text = "\n".join(line["text"] for line in rec["lines"])
                    docs[shape].append({"id": rec["id"], "lang": rec.get("lang"), "text": text})
    return docs


def _from_pages(data_dir: Path, pages_per_dataset: int) -> dict[str, list[dict[str, Any]]]:
    import trafilatura

    from declutter.io.html import html_to_lines

    docs: dict[str, list[dict[str, Any]]] = {s: [] for s in SHAPES}
    for name in DATASETS:
        path = data_dir / f"{name}.jsonl.gz"
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for i, raw in enumerate(fh):
                if i >= pages_per_dataset:
                    break
                rec = json.loads(raw)
                html = rec["html"]
                if len(html) > 3_000_000:
                    continue
                residue = trafilatura.extract(html, favor_recall=True) or ""
                page = "\n".join(html_to_lines(html))
                for shape, text in (("residue", residue), ("page", page)):
                    if text.strip():
                        docs[shape].append({"id": rec["id"], "lang": rec.get("lang"), "text": text})
        print(f"  extracted {name}", file=sys.stderr)
    return docs


def build_corpus(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Write <out>/<shape>.jsonl with --docs documents each; returns what was built."""
    lines_dir = Path(args.lines)
    if any(lines_dir.glob("*.jsonl.gz")):
        source = f"{lines_dir} (training/build_lines.py output)"
        docs = _from_lines(lines_dir)
    else:
        source = f"{args.data} (extracted here: trafilatura favor_recall / html_to_lines, {args.pages} pages per dataset)"
        docs = _from_pages(Path(args.data), args.pages)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    built = {}
    for shape in SHAPES:
        distinct = docs[shape]
        if not distinct:
            raise SystemExit(f"no {shape} documents found in {source}")
        chosen = [distinct[i % len(distinct)] for i in range(args.docs)]
        path = out / f"{shape}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps({"id": f"{i}:{doc['id']}", "lang": doc["lang"], "text": doc["text"]}, ensure_ascii=False) + "\n" for i, doc in enumerate(chosen))
        chars = [len(d["text"]) for d in chosen]
        lines = [d["text"].count("\n") + 1 for d in chosen]
        built[shape] = {
            "path": str(path),
            "documents": len(chosen),
            "distinct": min(len(distinct), len(chosen)),
            "replicated": len(chosen) > len(distinct),
            "mb": path.stat().st_size / 1e6,
            "mean_chars": sum(chars) / len(chars),
            "mean_lines": sum(lines) / len(lines),
        }
    return {"source": source, "shapes": built}


# --------------------------------------------------------------------------- one batch run


def run_one(path: str, jobs: int, model: str | None, chunk_size: int) -> dict[str, Any]:
    """Child process: one `run_batch` over a file; prints its stats as JSON."""
    started = time.perf_counter()
    from declutter.io.batch import BatchOptions, run_batch

    with open(path, "rb") as fh, open(os.devnull, "wb") as out:
        stats = run_batch([(path, fh)], out, BatchOptions(model=model), jobs=jobs, chunk_size=chunk_size)
    return {
        "documents": stats.documents,
        "errors": stats.errors,
        "lines": stats.lines,
        "dropped": stats.dropped,
        "mb": stats.bytes_in / 1e6,
        "batch_seconds": stats.seconds,
        "cpu_seconds": stats.cpu_seconds,
        "load_cpu_seconds": stats.load_seconds,
        "first_result_seconds": stats.first_result_seconds,
        "first_result_documents": stats.first_result_documents,
        "process_seconds": time.perf_counter() - started,
        "parent_cpu_seconds": time.process_time(),  # this process, all its threads
    }


class _TreeRSS:
    """Samples the summed RSS of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval = pid, interval
        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> Iterator[int]:
        yield pid
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    for child in fh.read().split():
                        yield from self._tree(int(child))
        except OSError:
            return

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = [self._rss(p) for p in self._tree(self.pid)]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def stage2_variants(model: str, out: Path, without_onnx: bool) -> list[tuple[str, str | None]]:
    """(name, model path) of each stage-2 engine to time: the model as installed,
    and with `without_onnx` a copy without NAME.onnx (scikit-learn's predictor)."""
    from declutter.model import load_model

    has_onnx = load_model(model, estimators=False).stages[1].onnx is not None
    if not has_onnx:
        return [("stage 2 on scikit-learn", model)]
    import onnxruntime

    variants: list[tuple[str, str | None]] = [(f"stage 2 on onnxruntime {onnxruntime.__version__}", model)]
    if without_onnx:
        plain = out / "model_without_onnx" / Path(model).with_suffix(".skops").name
        plain.parent.mkdir(parents=True, exist_ok=True)
        for suffix in (".skops", ".npz", ".json"):
            plain.with_suffix(suffix).write_bytes(Path(model).with_suffix(suffix).read_bytes())
        plain.with_suffix(".onnx").unlink(missing_ok=True)
        variants.append(("stage 2 on scikit-learn", str(plain)))
    return variants


def measure(path: str, jobs: int, model: str | None, chunk_size: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--run-one", path, str(jobs), model or "", str(chunk_size)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = _TreeRSS(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    rss.stop()
    if proc.returncode != 0:
        raise SystemExit(f"batch run failed ({proc.returncode}):\n{stderr}")
    res = json.loads(stdout.strip().splitlines()[-1])
    res.update(jobs=jobs, wall_seconds=wall, peak_rss_mb=rss.peak_total / 1e6, peak_rss_process_mb=rss.peak_single / 1e6)
    return res


# --------------------------------------------------------------------------- peers


def _read_docs(path: str, limit: int | None = None) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    return docs[:limit] if limit else docs


def run_baselines(path: str, justext_docs: int | None) -> list[dict[str, Any]]:
    try:
        from baselines import c4_rules, justext_rules  # benchmarks/baselines.py
    except ImportError:  # pragma: no cover - written by the quality benchmark
        raise SystemExit("benchmarks/baselines.py is missing (c4_rules, justext_rules)") from None
    out = []
    for name, limit, fn in (
        ("C4 line rules", None, lambda lines, lang: c4_rules(lines)),
        ("jusText", justext_docs, lambda lines, lang: justext_rules(lines, lang)),
    ):
        docs = _read_docs(path, limit)
        mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
        started, cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            fn(doc["text"].split("\n"), doc.get("lang"))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        out.append({"name": name, "documents": len(docs), "mb": mb, "wall_seconds": wall, "cpu_seconds": cpu})
    return out


# --------------------------------------------------------------------------- profile


class StageTimer:
    """Wraps named functions in place and adds up the time spent in each (exclusive of nothing:
    the stages chosen do not nest)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[Callable[[], None]] = []

    def wrap(self, stage: str, owner: Any, attr: str) -> None:
        original = getattr(owner, attr)
        seconds = self.seconds
        perf = time.perf_counter

        def timed(*a: Any, **k: Any) -> Any:
            t = perf()
            try:
                return original(*a, **k)
            finally:
                seconds[stage] += perf() - t

        setattr(owner, attr, timed)
        self._undo.append(lambda: setattr(owner, attr, original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()


def spread_sample(path: str, n_docs: int) -> bytes:
    """Every k-th record of the corpus, `n_docs` in all, as one JSONL byte string.

    The corpus is written dataset by dataset, so its first records are not
    typical: the first 3,000 residue documents hold 26 lines each, the next
    3,000 51 (the whole corpus 34), and cost per document follows lines.
    """
    with open(path, "rb") as fh:
        records = fh.readlines()
    if n_docs >= len(records):
        return b"".join(records)
    return b"".join(records[i * len(records) // n_docs] for i in range(n_docs))


def profile(path: str, model: str | None, n_docs: int, chunk_size: int) -> dict[str, Any]:
    """Per-stage time on one core, through run_batch's in-process path."""
    import cProfile
    import io
    import pstats

    from declutter import finish, pipeline, repair
    from declutter.io import jsonl, workers
    from declutter.model import linemodel as model_mod
    from declutter.model import stages as stages_mod
    from declutter.io.batch import BatchOptions, run_batch
    from declutter.io.workers import worker_cleaner

    data = spread_sample(path, n_docs)
    options = BatchOptions(model=model)
    _ = worker_cleaner(options).model  # load (and cache) the model outside the timings
    # A first full pass pays the one-off costs (lazy imports, word lists, tables).
    run_batch([(None, io.BytesIO(data))], io.BytesIO(), options, jobs=1, chunk_size=chunk_size)

    timer = StageTimer()
    timer.wrap("split", workers, "split_document")
    timer.wrap("features", model_mod, "line_features")
    timer.wrap("tokens", model_mod, "token_matrix")
    timer.wrap("stage 1 model", stages_mod.LinearStage, "proba")
    timer.wrap("context features", model_mod, "context_features")
    timer.wrap("stage 2 model", stages_mod.TreeStage, "proba")
    timer.wrap("labels", pipeline, "decide")
    timer.wrap("cuts", finish, "cut_leading_tag")
    timer.wrap("cuts", finish, "cut_trailing_notice")
    timer.wrap("repair", repair, "repair_lines")
    timer.wrap("render", pipeline, "render")
    timer.wrap("JSON parse", workers, "parse_record")
    timer.wrap("JSON write", jsonl, "dumps")
    started = time.perf_counter()
    stats = run_batch([(None, io.BytesIO(data))], io.BytesIO(), options, jobs=1, chunk_size=chunk_size)
    total = time.perf_counter() - started
    timer.restore()
    stages = dict(timer.seconds)
    stages["other (batch loop, model glue)"] = total - sum(stages.values())

    prof = cProfile.Profile()
    prof.enable()
    run_batch([(None, io.BytesIO(data))], io.BytesIO(), options, jobs=1, chunk_size=chunk_size)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
    top = [line for line in buf.getvalue().splitlines() if line.strip()][-16:]
    return {"documents": stats.documents, "lines": stats.lines, "seconds": total, "stages": stages,
            "cprofile_top": top}


def chunk_sweep(path: str, model: str | None, n_docs: int, sizes: list[int]) -> dict[int, float]:
    import io

    from declutter.io.batch import BatchOptions, run_batch
    from declutter.io.workers import worker_cleaner

    data = spread_sample(path, n_docs)
    options = BatchOptions(model=model)
    worker_cleaner(options)
    out = {}
    for size in sizes:
        cpu = time.process_time()
        run_batch([(None, io.BytesIO(data))], io.BytesIO(), options, jobs=1, chunk_size=size)
        out[size] = n_docs / (time.process_time() - cpu)
    return out


# --------------------------------------------------------------------------- report


def _steady(r: dict[str, Any]) -> float:
    """Documents per second once the first chunk is back (workers started, model loaded)."""
    span = r["batch_seconds"] - r["first_result_seconds"]
    return (r["documents"] - r["first_result_documents"]) / span if span > 0 else float("nan")


def _all_walls(results: dict[str, Any]) -> str:
    return "; ".join(
        f"{shape} {r['jobs']} job(s) {r.get('all_wall_seconds')} s"
        for shape, runs in results["runs"].items() for r in runs
    )


def _startup(r: dict[str, Any]) -> float:
    return r["wall_seconds"] - r["batch_seconds"] + r["first_result_seconds"]


def report(results: dict[str, Any]) -> str:
    rows = [
        f"Model: `{results['model']}`. Corpus: {results['corpus']['source']}.",
        f"Machine: {os.cpu_count()} cores; load average at start {results['load_start']}, at end {results['load_end']}.",
        "",
    ]
    for shape, info in results["corpus"]["shapes"].items():
        rep = f", replicated from {info['distinct']:,} distinct" if info["replicated"] else ""
        rows.append(
            f"* `{shape}`: {info['documents']:,} documents{rep}, {info['mb']:.1f} MB, "
            f"{info['mean_chars']:,.0f} chars and {info['mean_lines']:.1f} lines per document on average"
        )
    rows += [
        "",
        ("docs/s and MB/s: wall clock of the whole process (start-up, imports and model load included); "
        "steady: after the first chunk came back; per CPU-s: documents per CPU-second of cleaning, "
        "summed over workers (the per-core cost, which a busy machine does not distort); "
        "start-up: process start to first result."),
        "",
        "| shape | engine | jobs | docs/s | MB/s | docs/s steady | docs per CPU-s | start-up | parent CPU | peak RSS (tree) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for shape, runs in results["runs"].items():
        for r in runs:
            rows.append(
                f"| {shape} | declutter batch, {r.get('stage2', 'stage 2')} | {r['jobs']} | {r['documents'] / r['wall_seconds']:,.0f} | "
                f"{r['mb'] / r['wall_seconds']:.2f} | {_steady(r):,.0f} | "
                f"{r['documents'] / r['cpu_seconds']:,.0f} | {_startup(r):.1f} s | "
                f"{r.get('parent_cpu_seconds', float('nan')):.1f} s | {r['peak_rss_mb']:,.0f} MB |"
            )
        by_variant: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in runs:
            by_variant[r.get("stage2", "")].append(r)
        for variant, same in by_variant.items():
            if len(same) >= 2:
                one, two = same[0], same[1]
                rows.append(
                    f"| {shape} | speed-up, {two['jobs']} vs {one['jobs']} jobs ({variant}) | | "
                    f"{one['wall_seconds'] / two['wall_seconds']:.2f}x | | {_steady(two) / _steady(one):.2f}x | | | | |"
                )
        for b in results.get("baselines", {}).get(shape, []):
            rows.append(
                f"| {shape} | {b['name']} ({b['documents']:,} docs) | 1 | {b['documents'] / b['wall_seconds']:,.0f} | "
                f"{b['mb'] / b['wall_seconds']:.2f} | | {b['documents'] / b['cpu_seconds']:,.0f} | | | |"
            )
    for shape, prof in results.get("profile", {}).items():
        per_doc = f", {prof['lines'] / prof['documents']:.1f} lines each" if prof.get("lines") else ""
        rows += ["", (f"Where one core's time goes, `{shape}` ({prof['documents']:,} documents spread over "
                 f"the corpus{per_doc}, {prof['documents'] / prof['seconds']:,.0f} docs/s in this run):"), "",
                 "| stage | ms per document | share |", "|---|---:|---:|"]
        total = sum(prof["stages"].values())
        for stage, sec in sorted(prof["stages"].items(), key=lambda kv: -kv[1]):
            rows.append(f"| {stage} | {1000 * sec / prof['documents']:.3f} | {100 * sec / total:.0f}% |")
    if results.get("chunk_sweep"):
        rows += ["", "Chunk size (records per task), one core, docs per CPU-second: "
                 + ", ".join(f"{k}: {v:,.0f}" for k, v in results["chunk_sweep"].items())]
    if results.get("huge_documents"):
        import huge_documents

        rows += ["", huge_documents.report(results["huge_documents"])]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model path (default: the shipped model)")
    parser.add_argument("--docs", type=int, default=10_000, help="documents per shape (default 10,000)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--lines", default=str(ROOT / "build" / "lines"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--pages", type=int, default=400, help="pages per dataset when extracting here")
    parser.add_argument("--out", default=str(ROOT / "build" / "throughput"))
    parser.add_argument("--chunk-size", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration, interleaved; the fastest is reported")
    parser.add_argument("--profile-docs", type=int, default=2000)
    parser.add_argument("--justext-docs", type=int, default=None, help="jusText on the first N documents only (default: all)")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--without-onnx", action="store_true",
                        help="also time a copy of the model without NAME.onnx (stage 2 on scikit-learn)")
    parser.add_argument("--chunk-sweep", type=int, nargs="*", default=None, help="also time these chunk sizes on one core")
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS on two huge documents")
    parser.add_argument("--memory-only", action="store_true", help="only the huge documents' peak RSS")
    parser.add_argument("--run-one", nargs=4, metavar=("PATH", "JOBS", "MODEL", "CHUNK"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_one:
        path, jobs, model, chunk = args.run_one
        print(json.dumps(run_one(path, int(jobs), model or None, int(chunk))))
        return 0

    if args.memory_only:
        import huge_documents

        memory = huge_documents.measure(Path(args.out) / "huge", args.model)
        print(huge_documents.report(memory))
        return 0

    from declutter.model import default_model_path

    model = args.model or str(default_model_path())
    if not Path(model).exists():
        raise SystemExit(f"no model at {model}: train the default model or pass --model")
    results: dict[str, Any] = {
        "model": model, "load_start": os.getloadavg(), "repeat": args.repeat, "runs": {}, "baselines": {}, "profile": {},
    }
    print("building the corpus ...", file=sys.stderr)
    results["corpus"] = build_corpus(args)
    variants = stage2_variants(model, Path(args.out), args.without_onnx)
    results["stage2"] = [name for name, _ in variants]
    for shape in args.shapes:
        path = results["corpus"]["shapes"][shape]["path"]
        # Interleaved repeats (1, 2, 1, 2, ...), the fastest of each kept: on a
        # shared machine the other load comes and goes, and the best run is the
        # one it disturbed least.
        tries: dict[tuple[str, int], list[dict[str, Any]]] = {(v, j): [] for v, _ in variants for j in args.jobs}
        for rep in range(args.repeat):
            for variant, variant_model in variants:
                for jobs in args.jobs:
                    print(f"declutter batch ({variant}): {shape}, {jobs} job(s), run {rep + 1}/{args.repeat} ...", file=sys.stderr)
                    tries[variant, jobs].append(measure(path, jobs, variant_model, args.chunk_size))
        runs = []
        for variant, jobs in tries:
            best = min(tries[variant, jobs], key=lambda r: r["wall_seconds"])
            best["all_wall_seconds"] = [round(r["wall_seconds"], 1) for r in tries[variant, jobs]]
            best["stage2"] = variant
            runs.append(best)
        results["runs"][shape] = runs
        if not args.skip_baselines:
            print(f"peers: {shape} ...", file=sys.stderr)
            results["baselines"][shape] = run_baselines(path, args.justext_docs)
        if args.profile_docs:
            for variant, variant_model in variants:
                print(f"profile ({variant}): {shape} ...", file=sys.stderr)
                key = shape if len(variants) == 1 else f"{shape}, {variant}"
                results["profile"][key] = profile(path, variant_model, args.profile_docs, args.chunk_size)
    if args.chunk_sweep:
        path = results["corpus"]["shapes"]["residue"]["path"]
        results["chunk_sweep"] = chunk_sweep(path, args.model, args.profile_docs, args.chunk_sweep)
    if args.memory:
        import huge_documents

        results["huge_documents"] = huge_documents.measure(Path(args.out) / "huge", args.model)
    results["load_end"] = os.getloadavg()
    out = Path(args.out) / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    for shape, prof in results["profile"].items():
        print(f"\ncProfile top functions ({shape}):\n" + "\n".join(prof["cprofile_top"]))
    print(f"\n(saved {out})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
