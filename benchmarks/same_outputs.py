"""Proof that a refactor changed nothing: the shipped model's outputs on thousands of documents, digested.

    python benchmarks/same_outputs.py [--pages 1600] [--out build/same_outputs/digest.jsonl]
    python benchmarks/same_outputs.py --check build/same_outputs/reference.jsonl

The sample is stable: pages from every `../shared/data/*.jsonl.gz` ordered by
the SHA-256 of their id, the first `--pages` of them (HTML up to
`MAX_HTML_CHARS`). Each page gives two documents, the two shapes declutter
meets: `page`, all visible text (declutter's own HTML rendering), and
`residue`, trafilatura's recall-oriented extraction (as
`training/build_lines.py` makes it). trafilatura is slow, so the HTML and the
residue are cached in `build/same_outputs/inputs.jsonl.gz`; the page text is
rendered afresh on every run, so a change in the HTML path shows too.

Each document goes through the public paths and every output is digested:

* `explain`: `Cleaner().explain_many` -> `Result.to_dict()` (scores, title
  scores, thresholds, labels, reasons, cuts, outputs, repairs, title, metadata);
* `clean`: `Cleaner().clean_many`, and with `Config(keep_title=False,
  repair=False)`;
* `records`: the batch path, `clean_records` on `{"id", "text"}` records
  holding the raw HTML (rendered inside) or the residue;
* `run_batch`: the `declutter batch` path, one process, on the same records
  as JSONL bytes;
* `cli`: `declutter --json FILE` in process, on the first `--cli-docs` pages
  and residues.

`--check FILE` compares the new digests with FILE and prints every
document and path that differs; exit status 1 if any does.

It imports only public names, and finds the HTML and batch modules where
they live (`declutter.io.*` after issue 20's move, `declutter.*` before).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import heapq
import importlib
import io
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "build" / "same_outputs"
MAX_HTML_CHARS = 1_000_000  # bigger pages are left out: trafilatura takes seconds on them
EXTRACT_SECONDS = 10  # trafilatura's time limit per page, as in training/build_lines.py
CHUNK = 64  # documents per Cleaner call


def _module(*names: str) -> ModuleType:
    """The first of `names` that imports (a module's home before or after the move)."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
    raise ModuleNotFoundError(names[-1])


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1600, help="pages sampled (two documents each)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path, default=CACHE / "inputs.jsonl.gz")
    parser.add_argument("--out", type=Path, default=CACHE / "digest.jsonl")
    parser.add_argument("--cli-docs", type=int, default=40, help="pages (and as many residues) also run through the CLI")
    parser.add_argument("--check", type=Path, default=None, help="a digest file to compare with")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- inputs


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def extract_residue(html: str) -> str | None:
    """trafilatura's recall-oriented text, one paragraph a line (None: failed or slow)."""
    import trafilatura

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(EXTRACT_SECONDS)
    try:
        text = trafilatura.extract(
            html, favor_recall=True, include_comments=False, include_tables=True,
            output_format="txt", with_metadata=False,
        )
    except _Timeout:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "\n".join(lines) if lines else None


def sample(data: Path, pages: int) -> list[dict[str, Any]]:
    """The `pages` pages with the smallest SHA-256 of their id, over every dataset: {"id", "html", "text"}."""
    heap: list[tuple[str, str, str, str]] = []  # max-heap by negated order: (neg key, id, html, gold text)
    for path in sorted(data.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                page = json.loads(raw)
                html = page.get("html") or ""
                if not html or len(html) > MAX_HTML_CHARS:
                    continue
                key = hashlib.sha256(page["id"].encode()).hexdigest()
                item = (_neg(key), page["id"], html, page.get("text") or "")
                if len(heap) < pages:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
    chosen = sorted(heap, reverse=True)
    return [{"id": doc_id, "html": html, "text": text} for _, doc_id, html, text in chosen]


def _neg(hexdigest: str) -> str:
    """A key that sorts the other way round (so heapq's min-heap keeps the smallest digests)."""
    return hexdigest.translate(str.maketrans("0123456789abcdef", "fedcba9876543210"))


def load_inputs(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Cached pages with their residue; made (slowly) the first time."""
    if args.cache.exists():
        with gzip.open(args.cache, "rt", encoding="utf-8") as fh:
            pages = [json.loads(line) for line in fh]
        if len(pages) >= args.pages:
            return pages[: args.pages]
    import trafilatura

    print(f"sampling {args.pages} pages from {args.data} ...", file=sys.stderr)
    pages = sample(args.data, args.pages)
    started = time.time()
    for n, page in enumerate(pages, 1):
        page["residue"] = extract_residue(page["html"])
        if n % 100 == 0:
            print(f"  trafilatura: {n}/{len(pages)} pages, {time.time() - started:.0f} s", file=sys.stderr)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.cache, "wt", encoding="utf-8") as fh:
        for page in pages:
            page["trafilatura"] = trafilatura.__version__
            fh.write(json.dumps(page, ensure_ascii=False) + "\n")
    return pages


# --------------------------------------------------------------------------- outputs


def _digest(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def digests(pages: list[dict[str, Any]], cli_docs: int) -> dict[tuple[str, str], str]:
    """(document key, path) -> digest of that path's output for that document."""
    import declutter

    html_mod = _module("declutter.io.html", "declutter.html")
    batch_mod = _module("declutter.io.batch", "declutter.batch")

    docs: list[tuple[str, str, str]] = []  # (key, text given to the Cleaner, text of a record)
    for page in pages:
        docs.append((f"page:{page['id']}", "\n".join(html_mod.html_to_lines(page["html"])), page["html"]))
        if page.get("residue"):
            docs.append((f"residue:{page['id']}", page["residue"], page["residue"]))
    keys = [key for key, _, _ in docs]
    texts = [text for _, text, _ in docs]
    out: dict[tuple[str, str], str] = {}

    cleaner = declutter.Cleaner()
    for chunk_keys, chunk in zip(_chunks(keys), _chunks(texts)):
        for key, result in zip(chunk_keys, cleaner.explain_many(list(chunk))):
            out[key, "explain"] = _digest(result.to_dict())
        for key, text in zip(chunk_keys, cleaner.clean_many(chunk)):
            out[key, "clean"] = _digest(text)
    bare = declutter.Cleaner(declutter.Config(keep_title=False, repair=False))
    for chunk_keys, chunk in zip(_chunks(keys), _chunks(texts)):
        for key, text in zip(chunk_keys, bare.clean_many(chunk)):
            out[key, "clean_bare"] = _digest(text)

    records = [{"id": key, "text": record_text} for key, _, record_text in docs]
    for record in batch_mod.clean_records(records, cleaner=declutter.Cleaner()):
        out[record["id"], "records"] = _digest(record)

    raw = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
    output = io.BytesIO()
    batch_mod.run_batch([("in.jsonl", io.BytesIO(raw))], output, jobs=1)
    for key, line in zip(keys, output.getvalue().splitlines()):
        out[key, "run_batch"] = _digest(line.decode("utf-8", "surrogateescape"))

    cli = _module("declutter.cli")
    chosen = [d for d in docs if d[0].startswith("page:")][:cli_docs]
    chosen += [d for d in docs if d[0].startswith("residue:")][:cli_docs]
    with tempfile.TemporaryDirectory() as tmp:
        for key, _, record_text in chosen:
            path = os.path.join(tmp, "doc.html" if key.startswith("page:") else "doc.txt")
            Path(path).write_text(record_text, encoding="utf-8")
            out[key, "cli_json"] = _digest(_run_cli(cli, ["--json", path]))
    return out


def _run_cli(cli: ModuleType, argv: list[str]) -> str:
    """Run `declutter ARGV` in process and return its stdout."""
    buffer = io.BytesIO()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8")
    with contextlib.redirect_stdout(wrapper):
        status = cli.main(argv)
        wrapper.flush()
    return f"{status}\n" + buffer.getvalue().decode("utf-8", "replace")


def write(path: Path, found: dict[tuple[str, str], str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for (key, what), value in sorted(found.items()):
            fh.write(json.dumps({"doc": key, "path": what, "sha": value}) + "\n")


def read(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {(row["doc"], row["path"]): row["sha"] for row in rows}


def compare(reference: dict[tuple[str, str], str], found: dict[tuple[str, str], str]) -> list[str]:
    """One message per (document, path) that differs, is new or is missing."""
    problems = []
    for key in sorted(set(reference) | set(found)):
        doc, what = key
        if key not in found:
            problems.append(f"{doc} [{what}]: missing from this run")
        elif key not in reference:
            problems.append(f"{doc} [{what}]: not in the reference")
        elif reference[key] != found[key]:
            problems.append(f"{doc} [{what}]: differs")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pages = load_inputs(args)
    started = time.time()
    found = digests(pages, args.cli_docs)
    write(args.out, found)
    documents = len({doc for doc, _ in found})
    shapes = {shape: sum(1 for doc in {d for d, _ in found} if doc.startswith(shape + ":")) for shape in ("page", "residue")}
    print(
        f"{documents} documents ({shapes['page']} page, {shapes['residue']} residue), "
        f"{len(found)} outputs digested in {time.time() - started:.0f} s -> {args.out}"
    )
    if args.check is None:
        return 0
    problems = compare(read(args.check), found)
    for problem in problems:
        print(problem)
    differing = len({p.split(" [")[0] for p in problems})
    print(f"check against {args.check}: {differing} documents differ ({len(problems)} outputs)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
