"""Running chunks in parallel: loky processes on one machine (`pool.py`), or a Dask cluster through joblib, results in input order."""

from __future__ import annotations

import threading
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from ..errors import DeclutterError
from .chunks import Chunk
from .pool import effective_jobs, pool_results
from .stats import ChunkResult
from .workers import clean_chunk

if TYPE_CHECKING:
    from .records import BatchOptions

__all__ = ["DaskClient", "effective_jobs", "ordered_results"]


def _parallel_tasks(
    chunks: Iterable[Chunk],
    options: BatchOptions,
    side: deque[Chunk],
    lock: threading.Lock,
) -> Iterator[Any]:
    from joblib import delayed

    for chunk in chunks:
        with lock:
            side.append(chunk)
        yield delayed(clean_chunk)(options, chunk.raws)


def ordered_results(
    chunks: Iterator[Chunk], options: BatchOptions, jobs: int, backend: str, scheduler: str | None
) -> Iterator[tuple[Chunk, ChunkResult]]:
    """(chunk, result) in input order: in-process, on loky workers (`pool.pool_results`), or on Dask."""
    if backend == "loky":
        if jobs == 1:
            for chunk in chunks:
                yield chunk, clean_chunk(options, chunk.raws)
        else:
            yield from pool_results(chunks, options, jobs)
        return
    yield from _joblib_results(chunks, options, jobs, backend, scheduler)


def _joblib_results(
    chunks: Iterator[Chunk], options: BatchOptions, jobs: int, backend: str, scheduler: str | None
) -> Iterator[tuple[Chunk, ChunkResult]]:
    """Through joblib's Parallel (the Dask backend): Dask itself reruns the tasks of a lost worker."""
    first = next(chunks, None)
    if first is None:
        return
    from joblib import Parallel, parallel_config

    side: deque[Chunk] = deque()
    lock = threading.Lock()
    tasks = _parallel_tasks(_chain(first, chunks), options, side, lock)
    with ExitStack() as stack:
        stack.enter_context(DaskClient(scheduler))
        stack.enter_context(parallel_config(backend=backend))
        parallel = Parallel(n_jobs=jobs, return_as="generator", batch_size=1, pre_dispatch="2*n_jobs")
        results = parallel(tasks)
        try:
            for res in results:
                with lock:
                    chunk = side.popleft()
                yield chunk, res
        finally:
            # Stopped early (a closed pipe, an error): cancel the rest quietly;
            # joblib would warn that finished tasks went unused.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.close()


def _chain(first: Chunk, rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield first
    yield from rest


class DaskClient:
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
