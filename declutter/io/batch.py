"""JSONL streams at scale: records in, cleaned records out, on every core or a cluster.

A stream is read in *chunks* of records (at most `chunk_size` records and
`chunk_bytes` bytes each). A chunk is one task: a worker parses its JSON lines,
cleans all their texts with one model call (`Cleaner.summarize_documents`) and hands
back the finished output lines as bytes, so the parent only reads, writes and
counts. Tasks go through joblib (`loky` processes on one machine, or Dask on a
cluster); results come back in input order through
`Parallel(return_as="generator")`, with at most `pre_dispatch` chunks
dispatched ahead of the oldest unfinished one. Memory is therefore bounded by
a few chunks, whatever the size of the input.

A record that cannot be cleaned -- not JSON, not an object, no text field, a
field that is not a string, a text over `max_chars` -- never stops the batch:
it is reported as a `RecordError` and, per `on_error`, passed through
unchanged ("pass") or left out ("skip").

>>> list(clean_records([{"id": 1}], cleaner=object()))  # no "text" field: passed through
[{'id': 1}]
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from ..document import Document
from ..errors import DeclutterError
from .chunks import DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_SIZE, DEFAULT_MAX_CHARS, read_chunks
from .parallel import ordered_results
from .records import ERROR_REASONS, BatchOptions, RecordError
from .stats import BatchStats
from .workers import annotate, prepare

__all__ = [
    "ERROR_REASONS",
    "BatchOptions",
    "BatchStats",
    "RecordError",
    "clean_records",
    "read_chunks",
    "run_batch",
]


def run_batch(
    inputs: Sequence[tuple[str | None, BinaryIO]],
    output: BinaryIO,
    options: BatchOptions = BatchOptions(),
    *,
    jobs: int = -1,
    backend: str = "loky",
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    on_record_error: Callable[[RecordError], None] | None = None,
    on_warning: Callable[[RecordError], None] | None = None,
    progress: Callable[[BatchStats], None] | None = None,
    skip_records: int = 0,
    on_written: Callable[[int], None] | None = None,
) -> BatchStats:
    """Clean JSONL streams into `output`, in input order; returns the counts.

    `inputs` are (name, binary stream) pairs read one after the other (name
    None for stdin: errors then carry no file). Bad records go to
    `on_record_error` and never raise; a model or read problem raises
    DeclutterError.

    For resuming (`resume.py`): the first `skip_records` records are read but
    neither cleaned nor written, and `on_written(records)` is called after
    each chunk's output is written, with the input records done so far
    (skipped ones included) -- a safe point to resume from.
    """
    if backend not in ("loky", "dask"):
        raise DeclutterError(f"unknown backend {backend!r}: use loky or dask")
    if backend == "dask" and not scheduler:
        raise DeclutterError("--backend dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    # loky: -1 (all cores) is resolved only if workers start; importing joblib for it costs 0.3 s
    stats = BatchStats()
    started = time.perf_counter()

    chunks = read_chunks(
        inputs, chunk_size=chunk_size, chunk_bytes=chunk_bytes, max_line_bytes=options.max_line_bytes, skip=skip_records
    )
    done = skip_records
    for chunk, res in ordered_results(chunks, options, jobs, backend, scheduler):
        stats.add(res)
        errors = {i: (reason, message) for i, reason, message in res.errors}
        for i, (_, size) in chunk.spools.items():
            errors[i] = ("too_large", _too_long_line(size, options))
        for i in sorted(errors):
            reason, message = errors[i]
            stats.errors += 1
            if on_record_error is not None:
                file, line = chunk.where[i]
                on_record_error(RecordError(line, reason, message, file))
        for i, message in res.warnings:
            stats.warnings += 1
            if on_warning is not None:
                file, line = chunk.where[i]
                on_warning(RecordError(line, "invalid_utf8", message, file))
        for i, out in enumerate(res.outputs):
            if i in chunk.spools:
                spool, size = chunk.spools[i]
                stats.bytes_in += size
                if options.on_error == "pass":
                    shutil.copyfileobj(spool, output, 1 << 20)
                    stats.bytes_out += size
                else:
                    stats.skipped += 1
                spool.close()
            elif out is None:
                stats.skipped += 1
            else:
                output.write(out)
                stats.bytes_out += len(out)
        done += len(chunk.raws)
        if on_written is not None:
            on_written(done)
        stats.seconds = time.perf_counter() - started
        if not stats.first_result_seconds:
            stats.first_result_seconds, stats.first_result_documents = stats.seconds, stats.documents
        if progress is not None:
            progress(stats)
    output.flush()
    stats.seconds = time.perf_counter() - started
    return stats


def _too_long_line(size: int, options: BatchOptions) -> str:
    """Why a spooled line was not read, with the limit in characters, the unit --max-chars counts.

    >>> _too_long_line(31_500_000, BatchOptions())
    "too long for --max-chars 5,000,000 characters: the line's 31,500,000 bytes are more than a record with a text of 5,000,000 characters takes"
    """
    limit = f"{options.max_chars:,}"
    return (
        f"too long for --max-chars {limit} characters: the line's {size:,} bytes are more than "
        f"a record with a text of {limit} characters takes"
    )


def clean_records(
    records: Iterable[Any],
    *,
    field: str = "text",
    output_field: str | None = None,
    meta_field: str | None = "declutter",
    cleaner: Any = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_error: Callable[[int, str, str], None] | None = None,
) -> Iterator[Any]:
    """Clean an iterable of dicts (in-process, one model call per chunk), yielding them in order.

    The building block for engines that bring their own parallelism, such as
    Spark's `mapPartitions` (see docs/batch.md). A record
    that cannot be cleaned is yielded unchanged and reported to
    `on_error(index, reason, message)`.
    """
    options = BatchOptions(field=field, output_field=output_field, meta_field=meta_field, max_chars=max_chars)
    if cleaner is None:
        from ..pipeline import Cleaner

        cleaner = Cleaner()
    index = 0
    it = iter(records)
    while True:
        block = [rec for _, rec in zip(range(chunk_size), it)]
        if not block:
            return
        todo: list[tuple[int, dict[str, Any], Document]] = []
        for j, rec in enumerate(block):
            problem = _check_record(rec, options)
            if problem is None:
                todo.append((j, rec, prepare(rec[field], options)))
            elif on_error is not None:
                on_error(index + j, *problem)
        if todo:
            results = cleaner.summarize_documents([doc for _, _, doc in todo])
            for (j, rec, _), res in zip(todo, results):
                out = dict(rec)
                annotate(out, rec[field], res, options)
                block[j] = out
        yield from block
        index += len(block)


def _check_record(rec: Any, options: BatchOptions) -> tuple[str, str] | None:
    if not isinstance(rec, dict):
        return ("not_object", f"a {type(rec).__name__}, not a dict")
    if options.field not in rec:
        return ("missing_field", f"no {options.field!r} field")
    if not isinstance(rec[options.field], str):
        return ("not_string", f"{options.field!r} is {type(rec[options.field]).__name__}, not a string")
    if len(rec[options.field]) > options.max_chars:
        return ("too_large", f"{len(rec[options.field]):,} characters (limit {options.max_chars:,})")
    return None
