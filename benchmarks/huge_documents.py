"""Peak memory of `declutter FILE` on two huge single documents (issue 22, item 5).

    python benchmarks/huge_documents.py [--out build/huge_documents]

* `million_lines`: one document of 1,000,000 short lines (2-5 words, ~20 MB);
* `one_line`: one document that is a single 50 MB line.

Each runs as `python -m declutter FILE > /dev/null` in a fresh child
process; its peak RSS is the child's own `ru_maxrss` (`os.wait4`), so no
other process of the run counts. A seed article gives the start-up figure
(interpreter, imports and the model), and the report shows what a document
costs above it as a multiple of its size: the target is about 10x.
`benchmarks/throughput.py --memory` puts the same table in its report.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "seeds" / "000_5a06a0e3c1417ea0.txt"
_WORDS = [
    "the", "council", "met", "on", "monday", "and", "agreed", "to", "extend", "ceasefire", "for", "another",
    "week", "officials", "said", "home", "news", "sport", "read", "more", "share", "this",
]


def million_lines(path: Path, lines: int = 1_000_000) -> Path:
    """One document of `lines` short lines (2-5 words each), written once."""
    if not path.exists():
        rng = random.Random(22)
        with path.open("w", encoding="utf-8") as fh:
            for _ in range(lines):
                fh.write(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 5))) + "\n")
    return path


def one_line(path: Path, chars: int = 50_000_000) -> Path:
    """One document that is a single line of `chars` characters, written once."""
    if not path.exists():
        rng = random.Random(22)
        parts, size = [], 0
        while size < chars:
            word = rng.choice(_WORDS)
            parts.append(word)
            size += len(word) + 1
        path.write_text(" ".join(parts) + "\n", encoding="utf-8")
    return path


def peak_rss(path: Path, model: str | None = None) -> dict[str, Any]:
    """Run `declutter FILE` in a child process: its peak RSS (MB), seconds and exit status."""
    argv = [sys.executable, "-m", "declutter", str(path)] + (["--model", model] if model else [])
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(argv, stdout=devnull, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        error = proc.stderr.read().decode("utf-8", "replace")[-300:] if proc.stderr else ""
    return {
        "input_mb": path.stat().st_size / 1e6,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # kB on Linux
        "seconds": time.perf_counter() - started,
        "exit": proc.returncode,
        "stderr": error,
    }


def measure(out: Path, model: str | None = None) -> dict[str, Any]:
    """The start-up figure and both huge documents."""
    out.mkdir(parents=True, exist_ok=True)
    results = {"start_up": peak_rss(SEED, model)}
    for name, make in (("million_lines", million_lines), ("one_line", one_line)):
        print(f"huge documents: {name} ...", file=sys.stderr)
        results[name] = peak_rss(make(out / f"{name}.txt"), model)
    return results


def report(results: dict[str, Any]) -> str:
    base = results["start_up"]["peak_rss_mb"]
    rows = [
        (f"Peak RSS of `declutter FILE`, one child process each; start-up (a seed article: interpreter, "
         f"imports, model) {base:,.0f} MB."),
        "",
        "| document | input | peak RSS | above start-up | per input MB | seconds | exit |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("million_lines", "one_line"):
        r = results[name]
        above = r["peak_rss_mb"] - base
        rows.append(
            f"| {name} | {r['input_mb']:.0f} MB | {r['peak_rss_mb']:,.0f} MB | {above:,.0f} MB | "
            f"{above / r['input_mb']:.1f}x | {r['seconds']:.0f} | {r['exit']} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "huge_documents")
    args = parser.parse_args(argv)
    print(report(measure(args.out, args.model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
