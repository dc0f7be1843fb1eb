"""How many real documents change when cleaned again: clean(clean(x)) == clean(x) (LABELING.md, "Repairs").

    python benchmarks/idempotence.py [--docs 200] [--show 5]

Documents come from every `../shared/data/*.jsonl.gz`, the ones with the
smallest SHA-256 of their id (a stable sample over all datasets), in three
shapes: `html`, the page through `declutter --html`'s path
(`html_to_lines`, then the cleaner); `gold`, the dataset's own clean text;
and `residue`, the cached trafilatura residue of `benchmarks/same_outputs.py`
when its cache is there. Each output is cleaned again (and a third time):
the counts are the documents whose second (third) pass differs, and
`--show` prints the first differing lines of a few.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.same_outputs import sample

DATA = ROOT.parent / "shared" / "data"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="pages sampled")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", type=int, default=5, help="differing documents printed per shape")
    return parser.parse_args(argv)


def passes(texts: list[str], n: int = 3) -> list[list[str]]:
    """`texts` cleaned `n` times over: [first pass, second pass, ...]."""
    from declutter import Cleaner

    cleaner = Cleaner()
    out, runs = texts, []
    for _ in range(n):
        out = [cleaner.clean(t) for t in out]
        runs.append(out)
    return runs


def report(name: str, ids: list[str], runs: list[list[str]], show: int) -> dict[str, int]:
    changed2 = [k for k, (a, b) in enumerate(zip(runs[0], runs[1])) if a != b]
    changed3 = [k for k, (a, b) in enumerate(zip(runs[1], runs[2])) if a != b]
    print(f"{name}: {len(ids)} documents; second pass changes {len(changed2)}, third pass {len(changed3)}")
    for k in changed2[:show]:
        diff = difflib.unified_diff(runs[0][k].splitlines(), runs[1][k].splitlines(), lineterm="", n=0)
        print(f"  -- {ids[k]}")
        for line in list(diff)[2:8]:
            print("    " + line[:160])
    return {"documents": len(ids), "second_pass_changes": len(changed2), "third_pass_changes": len(changed3)}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from declutter.io.html import html_to_lines

    pages = sample(args.data, args.docs)
    ids = [p["id"] for p in pages]
    figures = {
        "html": report("html", ids, passes(["\n".join(html_to_lines(p["html"])) for p in pages]), args.show),
        "gold": report("gold", ids, passes([p["text"] for p in pages]), args.show),
    }
    cache = ROOT / "build" / "same_outputs" / "inputs.jsonl.gz"
    if cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            cached = [json.loads(line) for _, line in zip(range(args.docs), fh)]
        residues = [(c["id"], c["residue"]) for c in cached if c.get("residue")]
        figures["residue"] = report(
            "residue", [i for i, _ in residues], passes([r for _, r in residues]), args.show
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
