"""What a batch run counts: per chunk (`ChunkResult`, sent back by a worker) and per run (`BatchStats`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dc_field

__all__ = ["BatchStats", "ChunkResult"]


@dataclass(slots=True)
class BatchStats:
    """What a run did; `summary()` is the line printed at the end."""

    documents: int = 0  # records read (cleaned or not)
    cleaned: int = 0
    errors: int = 0
    skipped: int = 0
    lines: int = 0
    dropped: int = 0
    reasons: Counter[str] = dc_field(default_factory=Counter)
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time spent cleaning, summed over workers
    load_seconds: float = 0.0  # CPU time spent loading the model, summed over workers
    first_result_seconds: float = 0.0  # when the first chunk came back (start-up included)
    first_result_documents: int = 0
    warnings: int = 0

    def add(self, other: ChunkResult) -> None:
        self.documents += other.documents
        self.cleaned += other.cleaned
        self.lines += other.lines
        self.dropped += other.dropped
        self.reasons.update(other.reasons)
        self.bytes_in += other.bytes_in
        self.cpu_seconds += other.cpu_seconds
        self.load_seconds += other.load_seconds

    def summary(self) -> str:
        rate = ""
        if self.seconds > 0:
            rate = f" ({self.documents / self.seconds:,.0f} docs/s, {self.bytes_in / self.seconds / 1e6:,.1f} MB/s)"
        skipped = f", {self.skipped:,} skipped" if self.skipped else ""
        return (
            f"{self.documents:,} documents, {self.dropped:,} of {self.lines:,} lines dropped, "
            f"{self.errors:,} errors{skipped}, {self.seconds:.1f} s{rate}"
        )


@dataclass(slots=True)
class ChunkResult:
    """What a worker sends back for a chunk: finished output lines and counts (cheap to pickle)."""

    outputs: list[bytes | None]  # one per record; None: skipped
    errors: list[tuple[int, str, str]]  # (index in chunk, reason, message)
    warnings: list[tuple[int, str]]
    documents: int = 0
    cleaned: int = 0
    lines: int = 0
    dropped: int = 0
    reasons: Counter[str] = dc_field(default_factory=Counter)
    bytes_in: int = 0
    cpu_seconds: float = 0.0  # cleaning only
    load_seconds: float = 0.0  # loading the model, on a worker's first chunk
    worker: tuple[int, float, float] = (0, 0.0, 0.0)  # (pid, wall clock at start, at end)
