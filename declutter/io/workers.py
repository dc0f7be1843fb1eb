"""Cleaning one chunk of JSONL lines, in a worker process: parse, clean with one model call, re-serialise."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..document import Document, lines_document, split_document
from ..errors import DeclutterError
from ..inputs import as_text
from . import jsonl
from .stats import ChunkResult

if TYPE_CHECKING:
    from ..pipeline import Summary
    from .records import BatchOptions

__all__ = ["annotate", "clean_chunk", "fewer_collections", "parse_record", "passthrough", "prepare", "worker_cleaner"]


# One Cleaner per worker process and options: the model is loaded once per
# process, on the first chunk, and reused for every later chunk.
_CLEANERS: dict[tuple[str | None, bool, Config, str | None], Any] = {}


def worker_cleaner(options: BatchOptions) -> Any:
    """This process's Cleaner for `options`, made (and its model loaded) on first use."""
    from ..pipeline import Cleaner

    memory = options.outlet_memory
    key = (options.model, options.trust_model, options.config, None if memory is None else memory.digest())
    cleaner = _CLEANERS.get(key)
    if cleaner is None:
        cleaner = Cleaner(options.config, model=options.model, trust_model=options.trust_model)
        _ = cleaner.model  # load now: a missing or refused model fails the first chunk, clearly
        if memory is not None:
            from ..model.outlet import with_memory

            cleaner = Cleaner(options.config, model=with_memory(cleaner.model, memory))
        _CLEANERS[key] = cleaner
    return cleaner


@contextmanager
def fewer_collections(young_threshold: int = 10_000) -> Iterator[None]:
    """Run the block with the cyclic garbage collector at rest.

    Cleaning a chunk makes tens of thousands of short-lived objects (strings,
    lists and tuples per line and document) and no reference cycles, yet every 700 of them
    start a collection, and the older collections walk every object of the
    process, the model's included. For the block, the
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


def clean_chunk(options: BatchOptions, raws: Sequence[bytes | None]) -> ChunkResult:
    """Parse, clean and re-serialise one chunk of JSONL lines (runs in a worker)."""
    result = ChunkResult(outputs=[None] * len(raws), errors=[], warnings=[])
    began = time.time()
    parsed: list[tuple[int, dict[str, Any], str, bool]] = []
    for i, raw in enumerate(raws):
        if raw is None:  # oversized: the parent reports it and copies it through
            continue
        result.bytes_in += len(raw)
        record, text, problem, by_orjson = parse_record(raw, options)
        if problem is not None:
            reason, message = problem
            if reason == "invalid_utf8":
                result.warnings.append((i, message))
            else:
                result.errors.append((i, reason, message))
                result.outputs[i] = passthrough(raw) if options.on_error == "pass" else None
                continue
        assert record is not None and text is not None
        parsed.append((i, record, text, by_orjson))
    result.documents = len(raws)
    if parsed:
        start = time.process_time()
        cleaner = worker_cleaner(options)
        result.load_seconds = time.process_time() - start
        with fewer_collections():
            _clean_parsed(cleaner, options, parsed, result, raws)
        result.cpu_seconds = time.process_time() - start - result.load_seconds
    result.worker = (os.getpid(), began, time.time())
    return result


def parse_record(raw: bytes, options: BatchOptions) -> tuple[dict[str, Any] | None, str | None, tuple[str, str] | None, bool]:
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


def passthrough(raw: bytes) -> bytes:
    """A raw input line as an output line, newline-terminated."""
    return raw if raw.endswith(b"\n") else raw + b"\n"


def prepare(text: str, options: BatchOptions) -> Document:
    """A record's text as a Document, HTML rendered to its lines. Lone surrogates
    (legal in JSON, "\\ud800") become U+FFFD by `declutter.inputs.as_text`, the rule
    `clean()` follows: documents reach the Cleaner already split, past its own check."""
    from .textio import looks_like_html

    text = as_text(text)
    if options.html or (options.html is None and looks_like_html(text)):
        from .html import html_to_lines

        return lines_document(html_to_lines(text))
    return split_document(text)


def _clean_parsed(
    cleaner: Any,
    options: BatchOptions,
    parsed: list[tuple[int, dict[str, Any], str, bool]],
    result: ChunkResult,
    raws: Sequence[bytes | None],
) -> None:
    docs = [prepare(text, options) for _, _, text, _ in parsed]
    try:
        summaries = cleaner.summarize_documents(docs)
    except DeclutterError:
        raise  # a model problem: every chunk would fail the same way
    except Exception:  # noqa: BLE001 - isolated below, record by record
        # A bug hit by some record: find it by cleaning one at a time, so the
        # rest of the chunk is still cleaned.
        summaries = []
        for (i, _, _, _), doc in zip(parsed, docs):
            try:
                summaries.append(cleaner.summarize_documents([doc])[0])
            except DeclutterError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported per record, never sinks the batch
                summaries.append(None)
                result.errors.append((i, "failed", f"{type(exc).__name__}: {exc}"))
    for (i, record, text, by_orjson), summary in zip(parsed, summaries):
        if summary is None:
            raw = raws[i]
            assert raw is not None
            result.outputs[i] = passthrough(raw) if options.on_error == "pass" else None
            continue
        annotate(record, text, summary, options)
        result.outputs[i] = jsonl.dumps(record, by_orjson)
        result.cleaned += 1
        result.lines += summary.lines
        result.dropped += sum(summary.dropped.values())
        result.reasons.update(summary.dropped)


def annotate(record: dict[str, Any], text: str, summary: Summary, options: BatchOptions) -> None:
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
