"""How many lines change label between two builds of `training/build_lines.py`.

    python training/label_diff.py OLD_DIR NEW_DIR [--examples N] [--seed S]

For every dataset file present in both directories, documents are paired by
(id, shape) and lines by position (the two builds render the same pages, so
the texts must agree; a document whose lines differ is counted apart, never
compared). Prints one table per dataset and shape of old -> new transitions
over article / title / boilerplate / None, the kinds of the changed lines
(the `kind` field of NEW, where it has one), and with `--examples` a random
sample of changed lines with a line of context either side, to check by eye
against ../shared/LABELING.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

LABELS = ("article", "title", "boilerplate", "None")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--examples", type=int, default=0, help="changed lines to print")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def read_docs(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def diff_dataset(old: Path, new: Path) -> tuple[dict[str, Counter[Any]], list[tuple[Any, ...]]]:
    """Per shape: Counter of (old, new) label pairs, plus "docs", "lines",
    "unpaired" and ("kind", kind) of changed lines; and every changed line
    as (dataset, id, shape, index, old, new, kind, before, text, after)."""
    olds = {(d["id"], d["shape"]): d for d in read_docs(old)}
    counts: dict[str, Counter[Any]] = {}
    changed: list[tuple[Any, ...]] = []
    for doc in read_docs(new):
        c = counts.setdefault(doc["shape"], Counter())
        before = olds.pop((doc["id"], doc["shape"]), None)
        if before is None or [x["text"] for x in before["lines"]] != [x["text"] for x in doc["lines"]]:
            c["unpaired"] += 1
            continue
        c["docs"] += 1
        lines = doc["lines"]
        for i, (a, b) in enumerate(zip(before["lines"], lines)):
            pair = (str(a["label"]), str(b["label"]))
            c[pair] += 1
            c["lines"] += 1
            if pair[0] != pair[1]:
                kind = b.get("kind", "")
                c[("kind", kind or "-")] += 1
                context = (
                    lines[i - 1]["text"] if i else "",
                    lines[i + 1]["text"] if i + 1 < len(lines) else "",
                )
                changed.append(
                    (doc["dataset"], doc["id"], doc["shape"], i, *pair, kind, context[0], b["text"], context[1])
                )
    for (_, shape), _doc in olds.items():  # in OLD only
        counts.setdefault(shape, Counter())["unpaired"] += 1
    return counts, changed


def format_table(name: str, shape: str, c: Counter[Any]) -> str:
    moved = sum(n for k, n in c.items() if isinstance(k, tuple) and len(k) == 2
                and k[0] in LABELS and k[0] != k[1])
    lines = max(c["lines"], 1)
    rows = [
        f"{name} / {shape}: {c['docs']} docs, {c['lines']} lines, changed {moved} "
        f"({moved / lines:.2%}); unpaired docs {c['unpaired']}",
        "  old \\ new    " + "".join(f"{lab:>13}" for lab in LABELS),
    ]
    for a in LABELS:
        rows.append(f"  {a:12} " + "".join(f"{c[(a, b)]:>13}" for b in LABELS))
    kinds = sorted(((k[1], n) for k, n in c.items() if isinstance(k, tuple) and k[0] == "kind"),
                   key=lambda x: -x[1])
    if kinds:
        rows.append("  changed lines by kind: " + ", ".join(f"{k} {n}" for k, n in kinds))
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = sorted(p.name for p in args.new.glob("*.jsonl.gz") if (args.old / p.name).exists())
    if not names:
        print(f"label_diff: no dataset file in both {args.old} and {args.new}", file=sys.stderr)
        return 2
    total: dict[str, Counter[Any]] = {}
    changed: list[tuple[Any, ...]] = []
    for name in names:
        counts, moved = diff_dataset(args.old / name, args.new / name)
        changed += moved
        for shape in ("residue", "page"):
            if shape in counts:
                print(format_table(name.removesuffix(".jsonl.gz"), shape, counts[shape]), "\n")
                total.setdefault(shape, Counter()).update(counts[shape])
    for shape, c in total.items():
        print(format_table("ALL", shape, c), "\n")
    if args.examples:
        sample = random.Random(args.seed).sample(changed, min(args.examples, len(changed)))
        for dataset, doc_id, shape, i, a, b, kind, before, text, after in sample:
            print(f"--- {doc_id} {shape} line {i} [{kind or '-'}]: {a} -> {b}")
            print(f"      {before[:110]}\n   >> {text[:200]}\n      {after[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
