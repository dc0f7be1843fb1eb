"""Store a model's anchor: what its training data says about each n-gram column.

    python training/add_anchor.py [--model declutter/models/default.skops] [--lines build/lines]
        [--sets NAME ...] [--out PATH]

`declutter train --base MODEL` extends a model with new outlets by moving
its stage-1 coefficients as little as the old training data allows
(`declutter/teach/extend.py`). The anchor -- the diagonal Fisher information of
the model's own training lines, one float per n-gram column -- is that
allowance; without it an extension costs other outlets more. It is
computed from the training sets named in the model card (`training_sets`:
datasets in build/lines, plus "seeds" from fixtures/) and adds ~0.4 MB to
the file. Run it after training/train_default.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from declutter.teach.extend import compute_anchor  # noqa: E402
from declutter.model import LineModel, default_model_path, load_model  # noqa: E402
from declutter.teach.documents import LabeledDoc, load_labeled  # noqa: E402

DEFAULT_SETS = ("wcxb_dev", "readability", "trafilatura_eval", "seeds")


def training_docs(names: Sequence[str], lines_dir: Path) -> list[LabeledDoc]:
    """The documents of the named training sets, as train_default.py reads them."""
    docs: list[LabeledDoc] = []
    for name in names:
        if name == "seeds":
            sys.path.insert(0, str(ROOT / "training"))
            from train_default import seed_docs

            docs += seed_docs()
        else:
            path = lines_dir / f"{name}.jsonl.gz"
            if not path.exists():
                raise SystemExit(
                    f"add_anchor: {path} is missing: run training/build_lines.py first"
                )
            docs += load_labeled([str(path)])
    return docs


def add_anchor(model: LineModel, names: Sequence[str], lines_dir: Path) -> LineModel:
    docs = training_docs(names, lines_dir)
    model.anchor = compute_anchor(model, docs)
    model.card["anchor"] = {
        "what": "diagonal Fisher information of stage 1's boilerplate logit over the training lines (EWC), for `declutter train --base`",
        "training_sets": list(names),
        "documents": len(docs),
    }
    return model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--lines", type=Path, default=ROOT / "build" / "lines")
    parser.add_argument(
        "--sets", nargs="+", default=None, help="training sets (default: the card's training_sets)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="where to write (default: over --model)"
    )
    args = parser.parse_args(argv)
    t0 = time.time()
    model = load_model(args.model)
    names = args.sets or list(model.card.get("training_sets") or DEFAULT_SETS)
    add_anchor(model, names, args.lines)
    path = model.save(args.out or args.model)
    print(
        f"anchor from {', '.join(names)}: {int((model.anchor > 0).sum())} columns; "
        f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) in {time.time() - t0:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
