"""`declutter label | train | eval`: teach declutter a new outlet, one command each.

    declutter label pages/ -o silver.marked          silver labels from HTML, for review
    declutter train silver.marked --base default -o mysite.skops
    declutter eval test.marked --model mysite.skops
    declutter --model mysite.skops < story.txt

`register(subparsers)` adds the three subcommands to the main CLI's
argparse subparsers; `main(argv)` runs them on their own (for tests, and
until the main CLI has subcommands). Each subcommand's function takes the
parsed arguments and returns the exit status; library errors become one
`declutter: error: ...` line here, at the edge.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import DeclutterError
from .options import EXIT_OK, add_model_options, guarded, model_path, probability, progress_printer

__all__ = ["build_parser", "main", "register", "run_eval", "run_label", "run_train"]

LABEL_EXAMPLES = """\
examples:
  declutter label pages/ -o silver.marked            a folder of .html files -> marked text to edit
  declutter label crawl.jsonl.gz -o silver.jsonl     JSONL records with an "html" field
  declutter label page.html --shape page --no-model  all page text, reference extraction only

Each page gives two documents: "residue" (an extractor's text, what most
scraped news looks like) and "page" (all visible text). Lines marked with
"!" are where the reference extraction and the model disagree: check those
first, fix the marks, then `declutter train FILE --base default -o NAME.skops`.
"""

TRAIN_EXAMPLES = """\
examples:
  declutter train silver.marked --base default -o mysite.skops     extend the shipped model
  declutter train a.marked b.jsonl --base mysite.skops -o both.skops
  declutter train big.jsonl.gz -o scratch.skops                    a new model from labeled files only

The model is NAME.skops (the estimators), NAME.npz (what prediction reads)
and its card NAME.json (what it was trained on, held-out scores by outlet,
both files' SHA-256). Use it with `declutter --model NAME.skops`.
"""

EVAL_EXAMPLES = """\
examples:
  declutter eval test.marked --model mysite.skops
  declutter eval test.marked --model default --json
  declutter eval labeled.jsonl.gz --by dataset --worst 10
"""


def _add_label(sub: Any) -> None:
    p = sub.add_parser(
        "label",
        help="silver labels for a new outlet's HTML pages, for review",
        description="Render HTML pages to text lines and label every line from a precision-oriented "
        "extraction (trafilatura) combined with the model's opinion; flag the lines where they disagree.",
        epilog=LABEL_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="PATH",
        help='folders of .html/.htm files, .html files, or JSONL(.gz) with an "html" field',
    )
    p.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="FILE.marked (to edit), FILE.jsonl or FILE.jsonl.gz; - = marked text on stdout (default)",
    )
    p.add_argument(
        "--outlet",
        default=None,
        help="outlet name for every page (default: the page's host, from its canonical or og:url link or "
        "a JSONL record's url; a page without one takes the host most pages of its folder have, else the folder's name)",
    )
    p.add_argument(
        "--shape",
        choices=["both", "residue", "page"],
        default="both",
        help="which renderings to label (default: both)",
    )
    add_model_options(
        p, help_="the model whose opinion is combined with the reference: a NAME.skops or 'default'"
    )
    p.add_argument(
        "--no-model",
        action="store_true",
        help="label by the reference extraction alone (flags every line it leaves unknown)",
    )
    p.add_argument("--quiet", action="store_true", help="no summary on stderr")
    p.set_defaults(run=run_label)


def _add_train(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="train a model on labeled files, or extend one with new outlets",
        description="Train a line model from labeled files (marked text or JSONL), or extend an existing "
        "model (--base) with new outlets' documents so it is good on both old and new outlets.",
        epilog=TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE",
        help="labeled files: .marked or .jsonl(.gz) (- = stdin)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="NAME.skops",
        help="where to write the model (and NAME.json, its card)",
    )
    p.add_argument(
        "--base",
        default=None,
        metavar="MODEL",
        help="extend this model: 'default' (the shipped one) or a NAME.skops; without it, train from scratch",
    )
    p.add_argument("--name", default=None, help="model name for the card")
    p.add_argument(
        "--threshold",
        type=probability,
        default=None,
        metavar="P",
        help="drop threshold stored in the card (default: the base's; 0.5 from scratch)",
    )
    p.add_argument(
        "--holdout-folds",
        type=int,
        default=3,
        metavar="K",
        help="score each outlet on its own unseen documents by K-fold over its pages, for the card (0: skip; default 3)",
    )
    p.add_argument(
        "--alpha",
        type=float,
        default=None,
        help="extension only: penalty keeping the model close to the base; larger changes it less (default: EXTEND_DEFAULTS in declutter/teach/extend.py)",
    )
    p.add_argument(
        "--no-memory",
        action="store_true",
        help="do not store an outlet memory of repeated boilerplate lines",
    )
    p.add_argument(
        "--trust-model",
        action="store_true",
        help="load a base model whose card hash or content types do not check out",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run_train)


def _add_eval(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="score a model on labeled files",
        description="Line precision/recall/F1 (boilerplate and article), token F1 of the kept text against "
        "the labeled article text, per outlet, and the worst documents.",
        epilog=EVAL_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE",
        help="labeled files: .marked or .jsonl(.gz) (- = stdin)",
    )
    add_model_options(p)
    p.add_argument(
        "--by",
        choices=["outlet", "dataset", "shape"],
        default="outlet",
        help="breakdown (default: outlet)",
    )
    p.add_argument(
        "--worst",
        type=int,
        default=5,
        metavar="N",
        help="list the N documents with the lowest token F1",
    )
    p.add_argument(
        "--threshold",
        type=probability,
        default=None,
        metavar="P",
        help="override the model's drop threshold",
    )
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(run=run_eval)


def register(subparsers: Any) -> None:
    """Add `label`, `train` and `eval` to an argparse subparsers object."""
    _add_label(subparsers)
    _add_train(subparsers)
    _add_eval(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """`declutter label|train|eval` on their own (`main`)."""
    parser = argparse.ArgumentParser(
        prog="declutter",
        description="Label, train and evaluate declutter models.",
        epilog=__doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    register(parser.add_subparsers(dest="command", required=True, metavar="{label,train,eval}"))
    return parser


# ------------------------------------------------------------------ label


@guarded
def run_label(args: argparse.Namespace) -> int:
    """declutter label: HTML pages -> silver-labeled documents (marked text or JSONL)."""
    from ..io.labeled_files import write_labeled
    from ..teach.silver import SHAPES, iter_pages, label_page

    info = progress_printer(args)
    cleaner = None
    if not args.no_model:
        from ..config import Config
        from ..pipeline import Cleaner

        cleaner = Cleaner(Config(), model=model_path(args.model), trust_model=args.trust_model)
        _ = cleaner.model  # load now: a bad model fails before any page is rendered
    shapes = SHAPES if args.shape == "both" else (args.shape,)
    docs = []
    started = time.time()
    for page in iter_pages(args.inputs, outlet=args.outlet):
        docs.extend(label_page(page, cleaner, shapes))
    if not docs:
        raise DeclutterError("no pages found in the inputs")
    write_labeled(docs, args.output)
    lines = sum(len(d.lines) for d in docs)
    flagged = sum(line.flag is not None for d in docs for line in d.lines)
    counts = Counter(line.label for d in docs for line in d.lines)
    outlets = Counter(d.outlet for d in docs)
    info(
        f"declutter label: {len(docs)} documents ({', '.join(f'{o} {n}' for o, n in outlets.most_common(5))}), "
        f"{lines} lines: {counts['article']} article, {counts['title']} title, {counts['boilerplate']} boilerplate, "
        f"{counts[None]} unknown; {flagged} flagged for review ({time.time() - started:.1f}s)"
    )
    if args.output != "-":
        info(
            f"next: check the {flagged} lines marked '!' in {args.output}, then "
            f"`declutter train {args.output} --base default -o MODEL.skops`"
        )
    return EXIT_OK


# ------------------------------------------------------------------ train


def _read_all(paths: Sequence[str]) -> list[Any]:
    from ..io.labeled_files import read_labeled

    docs = []
    for path in paths:
        docs.extend(read_labeled(path))
    if not docs:
        raise DeclutterError(f"no documents in {', '.join(paths)}")
    return docs


@guarded
def run_train(args: argparse.Namespace) -> int:
    """declutter train: labeled files -> NAME.skops + NAME.json (from scratch, or extending --base)."""
    from ..model import load_model
    from ..teach.documents import to_labeled_docs
    from ..teach.recipe import heldout_by_outlet, page_key, train_model

    info = progress_printer(args)
    output = Path(args.output)
    if output.suffix != ".skops":
        raise DeclutterError(
            f"{output}: a model file name must end in .skops (its card is written beside it as .json)"
        )
    labeled = _read_all(args.inputs)
    docs = to_labeled_docs(labeled)
    outlets = Counter(d.group for d in docs)
    n_lines = sum(lab is not None for d in docs for lab in d.labels)
    info(
        f"declutter train: {len(docs)} documents, {n_lines} labeled lines, outlets: "
        + ", ".join(f"{o} ({n})" for o, n in outlets.most_common(10))
    )
    base = None if args.base is None else load_model(model_path(args.base), trust=args.trust_model)
    recipe = {"base": base, "alpha": args.alpha, "memory": not args.no_memory}

    def train(subset: list[Any]) -> Any:
        return train_model(subset, anchor=False, **recipe)

    model = train_model(docs, log=info, **recipe)
    if base is None:
        model.card["training_sets"] = {o: f"{n} documents" for o, n in sorted(outlets.items())}
        model.card["threshold"] = 0.5
    if args.threshold is not None:
        model.card["threshold"] = args.threshold
    model.card["name"] = args.name or output.stem
    model.card["trained_on"] = {
        "files": [str(p) for p in args.inputs],
        "documents": len(docs),
        "labeled_lines": n_lines,
        "outlets": dict(sorted(outlets.items())),
    }
    pages = len({page_key(d) for d in docs})
    if args.holdout_folds >= 2 and pages >= args.holdout_folds:
        info(f"held-out scores: {args.holdout_folds} folds over {pages} pages")
        model.card["heldout_scores"] = heldout_by_outlet(
            train, docs, args.holdout_folds, args.threshold, info
        )
    elif args.holdout_folds:
        info(
            f"held-out scores skipped: {pages} pages, fewer than --holdout-folds {args.holdout_folds}"
        )
    path = model.save(output)
    written = [p for p in (path, path.with_suffix(".npz"), path.with_suffix(".onnx")) if p.exists()]
    size = sum(p.stat().st_size for p in written) / 1e6
    info(f"wrote {', '.join(map(str, written))} ({size:.1f} MB) and {path.with_suffix('.json')}")
    scores = model.card.get("heldout_scores", {}).get("scores", {})
    for group, s in scores.items():
        info(
            f"  held out {group}: boilerplate F1 {s['boilerplate']['f1']:.3f}, article recall "
            f"{s['article']['recall']:.3f}, token F1 {s['token_f1'] if s['token_f1'] is not None else '-'}"
        )
    return EXIT_OK


# ------------------------------------------------------------------- eval


@guarded
def run_eval(args: argparse.Namespace) -> int:
    """declutter eval: a model's scores on labeled files."""
    from ..model import load_model
    from ..teach.documents import to_labeled_docs
    from ..teach.evaluation import evaluate_files, format_report

    model = load_model(model_path(args.model), trust=args.trust_model, estimators=False)
    docs = to_labeled_docs(_read_all(args.inputs))
    report = evaluate_files(model, docs, args.by, args.worst, args.threshold)
    from .filter import write_stdout  # a failed write is one error line (OutputError), as for the filter

    text = json.dumps(report, ensure_ascii=False, indent=1) + "\n" if args.json else format_report(report, args.by)
    write_stdout(sys.stdout.buffer, text)
    return EXIT_OK


# ------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """`declutter label|train|eval ...` on their own (`python -m declutter.cli.teach`); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error
        return int(exc.code or 0)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
