"""A model's card, NAME.json: what it is, what it was trained on, how it scored, and its files' hashes.

The card is a JSON object anyone can read without loading the model
(scikit-learn's advice: keep the versions, the data hash and the held-out
scores next to the model). `ModelCard` is that object with typed access to
the keys declutter itself reads, and `seal` writes the keys that describe
the files, in one place, when a model is saved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ModelCard"]


class ModelCard(dict[str, Any]):
    """The card as a dict (JSON object), plus the typed fields declutter reads.

    >>> card = ModelCard({"name": "m", "threshold": 0.9})
    >>> card.name, card.threshold, card.page_threshold, card.format
    ('m', 0.9, 0.9, None)
    """

    @property
    def name(self) -> str:
        return str(self.get("name", "unnamed"))

    @property
    def threshold(self) -> float:
        """Drop threshold for extractor residue (mostly article text)."""
        return float(self.get("threshold", 0.5))

    @property
    def page_threshold(self) -> float:
        """Drop threshold for page-like documents (mostly boilerplate)."""
        return float(self.get("page_threshold", self.threshold))

    @property
    def format(self) -> int | None:
        """The model file format (`files.MODEL_FORMAT`), None on a card not written by `save`."""
        return self.get("format")

    @property
    def feature_version(self) -> int | None:
        return self.get("feature_version")

    def seal(
        self,
        *,
        format: int,
        feature_version: int,
        classes: list[str],
        sha256: str,
        arrays_sha256: str,
        onnx_sha256: str | None,
        library_versions: Mapping[str, str],
    ) -> None:
        """Record the saved files: format, feature version, classes, each file's SHA-256, library versions."""
        self.pop("onnx_sha256", None)
        if onnx_sha256 is not None:
            self["onnx_sha256"] = onnx_sha256
        self.update(
            format=format,
            feature_version=feature_version,
            classes=list(classes),
            sha256=sha256,
            arrays_sha256=arrays_sha256,
            library_versions=dict(library_versions),
        )

    def write(self, path: str | Path) -> None:
        """NAME.json next to NAME.skops: indented, UTF-8, readable without loading the model."""
        Path(path).with_suffix(".json").write_text(json.dumps(self, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
