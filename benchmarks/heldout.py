"""Which model scores which set, so that no set is scored by a model that saw it.

A set in the main model's card `training_sets` is scored with the
leave-one-dataset-out model `<lodo-models>/<set>.skops` and *that model's
own* tuned thresholds (its card's `threshold` and `page_threshold`, tuned
without the set: training/train_default.py). Handing it the main model's
thresholds instead would tune on the scored set. With no such model, or one
without thresholds of its own or trained on the set, the set is "in training".
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from declutter.config import Config
from declutter.errors import ModelError
from declutter.model import LineModel, default_model_path, load_model

__all__ = ["HELD_OUT", "IN_TRAINING", "LODO", "Models", "describe_models", "resolve_models"]

HELD_OUT, LODO, IN_TRAINING = "held out", "LODO model", "in training"


@dataclass
class Models:
    """The main model, and leave-one-dataset-out models (with their own thresholds) for its training sets."""

    main: LineModel | None
    path: Path | None
    note: str
    training_sets: set[str] = field(default_factory=set)
    lodo: dict[str, tuple[LineModel, Path]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # set -> why its LODO model is not used
    threshold: float | None = None
    context: dict[str, Any] = field(default_factory=dict)

    def status(self, dataset: str) -> str:
        if self.main is None:
            return "-"
        if dataset not in self.training_sets:
            return HELD_OUT
        return LODO if dataset in self.lodo else IN_TRAINING

    def for_dataset(self, dataset: str) -> tuple[LineModel, Config]:
        assert self.main is not None
        model = self.lodo[dataset][0] if dataset in self.lodo else self.main
        return model, Config(threshold=self.threshold, **self.context)


def resolve_models(args: argparse.Namespace, extra: Sequence[str] = ()) -> Models:
    """Load --model (or the shipped one) and the LODO models for the sets it was trained on.

    A LODO model is used only with thresholds of its own card: the main
    model's were tuned on its training sets, the scored set among them.
    `extra`: sets scored besides --datasets (the non-English slice's).
    """
    if args.no_declutter:
        return Models(None, None, "--no-declutter")
    path = args.model or default_model_path()
    try:
        main = load_model(path)
    except ModelError as exc:
        if args.model is not None:
            raise
        return Models(None, path, str(exc))
    context = {"between_floor": None if args.between_floor < 0 else args.between_floor,
               "between_max_run": args.between_max_run}
    models = Models(main, path, "", set(main.card.get("training_sets") or {}), threshold=args.threshold,
                    context=context)
    wanted = set(args.datasets) | set(extra)
    for name in sorted(models.training_sets & wanted):
        candidate = args.lodo_models / f"{name}.skops"
        if not candidate.exists():
            continue
        lodo = load_model(candidate)
        if name in (lodo.card.get("training_sets") or {}):
            models.refused[name] = f"{candidate} lists {name} among its training sets"
        elif "threshold" not in lodo.card or "page_threshold" not in lodo.card:
            models.refused[name] = f"{candidate} has no thresholds of its own (tuned without {name})"
        else:
            models.lodo[name] = (lodo, candidate)
    return models


_ROOT = Path(__file__).resolve().parents[1]


def shown(path: object) -> str:
    """A path as the report shows it: relative to the checkout when inside it, so docs/benchmarks.md names no machine.

    >>> shown(_ROOT / "build" / "lines"), shown("/elsewhere/lines")
    ('build/lines', '/elsewhere/lines')
    """
    p = Path(str(path)).absolute()
    return str(p.relative_to(_ROOT)) if p.is_relative_to(_ROOT) else str(path)


def describe_models(models: Models, args: argparse.Namespace, extra: Sequence[str] = ()) -> list[str]:
    if models.main is None:
        return [f"declutter: NOT RUN ({models.note}); baselines only"]
    m = models.main
    override = f"; --threshold {models.threshold} overrides every card" if models.threshold is not None else ""
    out = [(f"declutter: model {m.name} ({shown(models.path)}, sha256 {str(m.card.get('sha256', '?'))[:12]}), thresholds "
           f"{m.threshold} / page {m.page_threshold}{override}; trained on "
           f"{', '.join(sorted(models.training_sets)) or 'unknown'}")]
    for name in sorted(models.training_sets & (set(args.datasets) | set(extra))):
        if name in models.lodo:
            lodo = models.lodo[name][0]
            out.append(f"  {name}: LODO model {shown(models.lodo[name][1])}, its own thresholds {lodo.threshold} / page "
                       f"{lodo.page_threshold}")
        else:
            why = models.refused.get(name, f"no {shown(args.lodo_models)}/{name}.skops")
            out.append(f"  {name}: IN TRAINING ({why}): declutter's figures marked *, in no mean")
    return out
