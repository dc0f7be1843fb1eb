"""What a batch does to each record (`BatchOptions`), and a record it could not clean (`RecordError`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from ..config import Config
from .chunks import DEFAULT_MAX_CHARS

__all__ = ["ERROR_REASONS", "BatchOptions", "RecordError"]

#: Why a record was not cleaned (the `reason` of a RecordError).
ERROR_REASONS = {
    "not_json": "the line is not valid JSON",
    "not_object": "the JSON value is not an object",
    "missing_field": "the object has no text field",
    "not_string": "the text field is not a string",
    "too_large": "the text (or the whole line) is over --max-chars",
    "failed": "cleaning raised an unexpected error (a bug: please report it)",
    "worker_died": "the worker process cleaning its chunk died, and again on a retry (out of memory?)",
}


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """What a batch does to each record; frozen and small, so it is cheap to send to workers."""

    #: The field holding the text to clean.
    field: str = "text"
    #: Where the cleaned text goes (None: replaces `field`).
    output_field: str | None = None
    #: The field that gets the {"model", "lines", "dropped", "reasons", "repairs"} summary (None: none).
    meta_field: str | None = "declutter"
    #: A record that cannot be cleaned is passed through unchanged ("pass") or left out ("skip").
    on_error: str = "pass"
    #: Texts longer than this (characters) are reported as too_large, not cleaned.
    max_chars: int = DEFAULT_MAX_CHARS
    #: True: the field holds HTML; False: plain text; None: detect per record.
    html: bool | None = None
    #: Model path (None: the shipped default) and whether to trust it unchecked.
    model: str | None = None
    trust_model: bool = False
    config: Config = dc_field(default_factory=Config)
    #: The long lines each outlet repeats, from a first pass over the batch
    #: (`outlets.memory_from_inputs`), added to the model; None: the model alone.
    outlet_memory: Any = dc_field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.on_error not in ("pass", "skip"):
            raise ValueError(f"on_error must be 'pass' or 'skip', not {self.on_error!r}")
        if self.max_chars < 1:
            raise ValueError("max_chars must be positive")

    @property
    def max_line_bytes(self) -> int:
        """Longest input line read into memory: up to 4 UTF-8 bytes a character (or a 6-byte
        JSON escape per character, for ASCII-escaped text), plus room for the other fields."""
        return 6 * self.max_chars + (1 << 20)


@dataclass(slots=True)
class RecordError:
    """One record that was not cleaned: where it is, why (a key of ERROR_REASONS), and the detail."""

    line: int
    reason: str
    error: str
    file: str | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"line": self.line, "reason": self.reason, "error": self.error}
        if self.file is not None:
            data = {"file": self.file, **data}
        return json.dumps(data, ensure_ascii=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file is not None else f"line {self.line}"
        return f"{where}: {self.reason}: {self.error}"
