"""JSONL streams at scale: records in, cleaned records out, on every core or a cluster.

A stream is read in *chunks* of records (at most `chunk_size` records and
`chunk_bytes` bytes each). A chunk is one task: a worker parses its JSON lines,
cleans all their texts with one model call (`Cleaner.summarize_many`) and hands
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

import gc
import json
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from . import jsonl
from .config import Config
from .errors import DeclutterError, InputError

if TYPE_CHECKING:
    from .pipeline import Summary

__all__ = [
    "ERROR_REASONS",
    "BatchOptions",
    "BatchStats",
    "RecordError",
    "clean_records",
    "read_chunks",
    "run_batch",
]

#: Why a record was not cleaned (the `reason` of a RecordError).
ERROR_REASONS = {
    "not_json": "the line is not valid JSON",
    "not_object": "the JSON value is not an object",
    "missing_field": "the object has no text field",
    "not_string": "the text field is not a string",
    "too_large": "the text (or the whole line) is over --max-chars",
    "failed": "cleaning raised an unexpected error (a bug: please report it)",
}

# Chunk size, measured on 2,000 extractor-residue documents (6.3 KB, 34 lines
# each) on one core: 543 / 602 / 526 docs per CPU-second at 64 / 256 / 1,024
# records per chunk. 256 records make a stage-2 model call of ~8,700 rows,
# inside the 4,096-16,384 rows where the tree ensemble ran fastest per row
# (one call on 100,000 rows ran 2x slower: its input falls out of cache), a
# chunk takes ~0.5 s, and the last chunk of a run stays short.
DEFAULT_CHUNK_SIZE = 256
DEFAULT_CHUNK_BYTES = 4 << 20
DEFAULT_MAX_CHARS = 5_000_000
_UTF8_BOM = b"\xef\xbb\xbf"
# json.loads joins escaped surrogate pairs; what is left is a lone half, which
# no UTF-8 text can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")


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

    def add(self, other: _ChunkResult) -> None:
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


# --------------------------------------------------------------------------- reading


@dataclass(slots=True)
class _Chunk:
    """Consecutive records (possibly from several files): raw bytes for the workers, plus
    what stays in the parent."""

    where: list[tuple[str | None, int]]  # (file, line number) of each record
    raws: list[bytes | None]  # None: an oversized line, kept in `spools`
    spools: dict[int, tuple[IO[bytes], int]]  # index in chunk -> (temp file with the oversized line, its size)


def read_chunks(
    inputs: Iterable[tuple[str | None, BinaryIO]],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_line_bytes: int = 6 * DEFAULT_MAX_CHARS + (1 << 20),
) -> Iterator[_Chunk]:
    """The lines of JSONL byte streams, one stream after the other, in chunks of at most
    `chunk_size` records and about `chunk_bytes` bytes (a chunk may span files, so many
    small files still make full chunks). Blank lines are not records and are left out.

    A line longer than `max_line_bytes` is never held in memory: it is spooled
    to a temporary file and passed through (or skipped) by the parent.

    >>> import io
    >>> [c.raws for c in read_chunks([("a", io.BytesIO(b'{"a": 1}\\n\\n{"a": 2}\\n'))], chunk_size=1)]
    [[b'{"a": 1}\\n'], [b'{"a": 2}\\n']]
    """
    chunk = _Chunk([], [], {})
    size = 0
    for name, stream in inputs:
        try:
            for line_no, raw, spool in _lines(stream, max_line_bytes):
                if spool is not None:
                    chunk.spools[len(chunk.raws)] = spool
                    size += spool[1]
                else:
                    size += len(raw)
                chunk.where.append((name, line_no))
                chunk.raws.append(None if spool is not None else raw)
                if len(chunk.raws) >= chunk_size or size >= chunk_bytes:
                    yield chunk
                    chunk, size = _Chunk([], [], {}), 0
        except (OSError, EOFError, ValueError) as exc:  # a truncated or corrupt .gz, an I/O error
            raise InputError(f"cannot read {name or 'stdin'}: {exc}") from None
    if chunk.raws:
        yield chunk


def _lines(stream: BinaryIO, max_line_bytes: int) -> Iterator[tuple[int, bytes, tuple[IO[bytes], int] | None]]:
    """(line number, raw line, spool or None) for each non-blank line of one stream."""
    line_no = 0
    while True:
        raw = stream.readline(max_line_bytes)
        if not raw:
            return
        line_no += 1
        if line_no == 1:
            raw = raw.removeprefix(_UTF8_BOM)
        if len(raw) >= max_line_bytes and not raw.endswith(b"\n"):
            yield line_no, b"", _spool_rest(stream, raw, max_line_bytes)
        elif not raw.isspace():
            yield line_no, raw, None


def _spool_rest(stream: BinaryIO, head: bytes, piece: int) -> tuple[IO[bytes], int]:
    """Copy an oversized line (its head already read) to a temporary file, ending with a newline."""
    spool = tempfile.TemporaryFile(prefix="declutter-")  # noqa: SIM115 - closed once copied out
    spool.write(head)
    last = head
    while not last.endswith(b"\n"):
        last = stream.readline(piece)
        if not last:
            spool.write(b"\n")
            break
        spool.write(last)
    size = spool.tell()
    spool.seek(0)
    return spool, size


# --------------------------------------------------------------------------- cleaning


@dataclass(slots=True)
class _ChunkResult:
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


# One Cleaner per worker process and options: the model is loaded once per
# process, on the first chunk, and reused for every later chunk.
_CLEANERS: dict[tuple[str | None, bool, Config], Any] = {}


def _worker_cleaner(options: BatchOptions) -> Any:
    from .pipeline import Cleaner

    key = (options.model, options.trust_model, options.config)
    cleaner = _CLEANERS.get(key)
    if cleaner is None:
        cleaner = Cleaner(options.config, model=options.model, trust_model=options.trust_model)
        _ = cleaner.model  # load now: a missing or refused model fails the first chunk, clearly
        _CLEANERS[key] = cleaner
    return cleaner


@contextmanager
def fewer_collections(young_threshold: int = 10_000) -> Iterator[None]:
    """Run the block with the cyclic garbage collector at rest.

    Cleaning a chunk makes tens of thousands of short-lived objects (strings,
    lists and tuples per line and document) and no reference cycles, yet every 700 of them
    start a collection, and the older collections walk every object of the
    process, the model's included: 5-10% of cleaning time. For the block, the
    objects made before it are frozen (left out of collections) and the
    youngest generation is collected every `young_threshold` allocations; both
    are restored after, so a caller's process is left as it was.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young_threshold, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _clean_chunk(options: BatchOptions, raws: Sequence[bytes | None]) -> _ChunkResult:
    """Parse, clean and re-serialise one chunk of JSONL lines (runs in a worker)."""
    result = _ChunkResult(outputs=[None] * len(raws), errors=[], warnings=[])
    began = time.time()
    parsed: list[tuple[int, dict[str, Any], str, bool]] = []
    for i, raw in enumerate(raws):
        if raw is None:  # oversized: the parent reports it and copies it through
            continue
        result.bytes_in += len(raw)
        record, text, problem, by_orjson = _parse(raw, options)
        if problem is not None:
            reason, message = problem
            if reason == "invalid_utf8":
                result.warnings.append((i, message))
            else:
                result.errors.append((i, reason, message))
                result.outputs[i] = _passthrough(raw) if options.on_error == "pass" else None
                continue
        assert record is not None and text is not None
        parsed.append((i, record, text, by_orjson))
    result.documents = len(raws)
    if parsed:
        start = time.process_time()
        cleaner = _worker_cleaner(options)
        result.load_seconds = time.process_time() - start
        with fewer_collections():
            _clean_parsed(cleaner, options, parsed, result, raws)
        result.cpu_seconds = time.process_time() - start - result.load_seconds
    result.worker = (os.getpid(), began, time.time())
    return result


def _parse(raw: bytes, options: BatchOptions) -> tuple[dict[str, Any] | None, str | None, tuple[str, str] | None, bool]:
    """(record, text, problem, by_orjson): problem is (reason, message) or None; see `jsonl.loads`."""
    try:
        record, by_orjson, replaced = jsonl.loads(raw)
    except ValueError as exc:  # JSONDecodeError, or a number too long to convert
        return None, None, ("not_json", str(exc)), False
    except RecursionError:
        return None, None, ("not_json", "nested too deeply"), False
    if not isinstance(record, dict):
        kind = type(record).__name__.replace("dict", "object")
        return None, None, ("not_object", f"a JSON {kind}, not an object"), False
    if options.field not in record:
        return None, None, ("missing_field", f"no {options.field!r} field"), False
    text = record[options.field]
    if not isinstance(text, str):
        kind = "null" if text is None else type(text).__name__
        return None, None, ("not_string", f"{options.field!r} is {kind}, not a string"), False
    if len(text) > options.max_chars:
        return None, None, ("too_large", f"{len(text):,} characters (limit {options.max_chars:,}, see --max-chars)"), False
    warning = ("invalid_utf8", "invalid UTF-8 replaced with U+FFFD") if replaced else None
    return record, text, warning, by_orjson


def _passthrough(raw: bytes) -> bytes:
    return raw if raw.endswith(b"\n") else raw + b"\n"


def _prepare_text(text: str, options: BatchOptions) -> str:
    """Lone surrogates (legal in JSON, "\\ud800") become U+FFFD; HTML is rendered to lines."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _SURROGATE.sub("\ufffd", text)
    from .textio import looks_like_html

    if options.html or (options.html is None and looks_like_html(text)):
        from .html import html_to_lines

        text = "\n".join(html_to_lines(text))
    return text


def _clean_parsed(
    cleaner: Any,
    options: BatchOptions,
    parsed: list[tuple[int, dict[str, Any], str, bool]],
    result: _ChunkResult,
    raws: Sequence[bytes | None],
) -> None:
    texts = [_prepare_text(text, options) for _, _, text, _ in parsed]
    try:
        summaries = cleaner.summarize_many(texts)
    except DeclutterError:
        raise  # a model problem: every chunk would fail the same way
    except Exception:  # noqa: BLE001 - isolated below, record by record
        # A bug hit by some record: find it by cleaning one at a time, so the
        # rest of the chunk is still cleaned.
        summaries = []
        for (i, _, _, _), text in zip(parsed, texts):
            try:
                summaries.append(cleaner.summarize_many([text])[0])
            except DeclutterError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported per record, never sinks the batch
                summaries.append(None)
                result.errors.append((i, "failed", f"{type(exc).__name__}: {exc}"))
    for (i, record, text, by_orjson), summary in zip(parsed, summaries):
        if summary is None:
            raw = raws[i]
            assert raw is not None
            result.outputs[i] = _passthrough(raw) if options.on_error == "pass" else None
            continue
        _annotate(record, text, summary, options)
        result.outputs[i] = jsonl.dumps(record, by_orjson)
        result.cleaned += 1
        result.lines += summary.lines
        result.dropped += sum(summary.dropped.values())
        result.reasons.update(summary.dropped)


def _annotate(record: dict[str, Any], text: str, summary: Summary, options: BatchOptions) -> None:
    """Put the cleaned text and the summary of what was done into the record."""
    cleaned = summary.text
    if cleaned.endswith("\n") and not text.endswith("\n"):
        cleaned = cleaned[:-1]  # keep the input's convention: JSON text fields rarely end in "\n"
    record[options.output_field or options.field] = cleaned
    if options.meta_field:
        record[options.meta_field] = {
            "model": summary.model,
            "lines": summary.lines,
            "dropped": sum(summary.dropped.values()),
            "reasons": summary.dropped,
            "repairs": summary.repairs,
        }


# --------------------------------------------------------------------------- running


def _parallel_tasks(
    chunks: Iterable[_Chunk],
    options: BatchOptions,
    side: deque[_Chunk],
    lock: threading.Lock,
) -> Iterator[Any]:
    from joblib import delayed

    for chunk in chunks:
        with lock:
            side.append(chunk)
        yield delayed(_clean_chunk)(options, chunk.raws)


def _results(
    chunks: Iterator[_Chunk], options: BatchOptions, jobs: int, backend: str, scheduler: str | None
) -> Iterator[tuple[_Chunk, _ChunkResult]]:
    """(chunk, result) in input order, cleaned in-process or by joblib workers."""
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None and backend == "loky":
        jobs = 1  # a single chunk: starting worker processes would cost more than it saves
    rest: Iterator[_Chunk] = _chain(first, second, chunks)
    if backend == "loky" and jobs == 1:
        for chunk in rest:
            yield chunk, _clean_chunk(options, chunk.raws)
        return

    from joblib import Parallel, parallel_config

    side: deque[_Chunk] = deque()
    lock = threading.Lock()
    tasks = _parallel_tasks(rest, options, side, lock)
    with ExitStack() as stack:
        if backend == "dask":
            stack.enter_context(_dask_client(scheduler))
            stack.enter_context(parallel_config(backend="dask"))
        else:
            stack.enter_context(parallel_config(backend=backend))
        parallel = Parallel(n_jobs=jobs, return_as="generator", batch_size=1, pre_dispatch="2*n_jobs")
        results = parallel(tasks)
        try:
            for res in results:
                with lock:
                    chunk = side.popleft()
                yield chunk, res
        except DeclutterError:
            raise
        except Exception as exc:
            if type(exc).__name__ in ("TerminatedWorkerError", "BrokenProcessPool"):
                raise DeclutterError(
                    f"a worker process died ({exc.__class__.__name__}): out of memory? "
                    "Try fewer --jobs or a lower --max-chars"
                ) from None
            raise
        finally:
            # Stopped early (a closed pipe, an error): cancel the rest quietly;
            # joblib would warn that finished tasks went unused.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.close()


def _chain(first: _Chunk, second: _Chunk | None, rest: Iterator[_Chunk]) -> Iterator[_Chunk]:
    yield first
    if second is not None:
        yield second
        yield from rest


class _dask_client:
    """Connect to a Dask scheduler for the duration of a run (dask is an optional extra)."""

    def __init__(self, address: str | None) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise DeclutterError(
                "the dask backend needs dask.distributed: pip install 'declutter[dask]'"
            ) from None
        try:
            self.client = Client(address, timeout="20s", set_as_default=True)
        except (OSError, TimeoutError) as exc:
            raise DeclutterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


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
) -> BatchStats:
    """Clean JSONL streams into `output`, in input order; returns the counts.

    `inputs` are (name, binary stream) pairs read one after the other (name
    None for stdin: errors then carry no file). Bad records go to
    `on_record_error` and never raise; a model or read problem raises
    DeclutterError.
    """
    if backend not in ("loky", "dask"):
        raise DeclutterError(f"unknown backend {backend!r}: use loky or dask")
    if backend == "dask" and not scheduler:
        raise DeclutterError("--backend dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    jobs = _effective_jobs(jobs) if backend == "loky" else jobs
    stats = BatchStats()
    started = time.perf_counter()

    chunks = read_chunks(inputs, chunk_size=chunk_size, chunk_bytes=chunk_bytes, max_line_bytes=options.max_line_bytes)
    for chunk, res in _results(chunks, options, jobs, backend, scheduler):
        stats.add(res)
        errors = {i: (reason, message) for i, reason, message in res.errors}
        for i in chunk.spools:
            errors[i] = ("too_large", f"the line is over {options.max_line_bytes:,} bytes (see --max-chars)")
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
        stats.seconds = time.perf_counter() - started
        if not stats.first_result_seconds:
            stats.first_result_seconds, stats.first_result_documents = stats.seconds, stats.documents
        if progress is not None:
            progress(stats)
    output.flush()
    stats.seconds = time.perf_counter() - started
    return stats


def _effective_jobs(jobs: int) -> int:
    """joblib's meaning: -1 all cores, -2 all but one; never less than 1."""
    if jobs > 0:
        return jobs
    from joblib import cpu_count

    return max(1, cpu_count() + 1 + jobs)


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
        from .pipeline import Cleaner

        cleaner = Cleaner()
    index = 0
    it = iter(records)
    while True:
        block = [rec for _, rec in zip(range(chunk_size), it)]
        if not block:
            return
        todo: list[tuple[int, dict[str, Any], str]] = []
        for j, rec in enumerate(block):
            problem = _check_record(rec, options)
            if problem is None:
                todo.append((j, rec, _prepare_text(rec[field], options)))
            elif on_error is not None:
                on_error(index + j, *problem)
        if todo:
            results = cleaner.summarize_many([text for _, _, text in todo])
            for (j, rec, text), res in zip(todo, results):
                out = dict(rec)
                _annotate(out, rec[field], res, options)
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
