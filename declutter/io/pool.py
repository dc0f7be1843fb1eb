"""Chunks on worker processes, in input order: small inputs stay in-process, and a dead worker costs one chunk.

Two things joblib's `Parallel` cannot do, hence a process pool driven here:

* **Small inputs are never slower with workers.** The parent cleans the
  first two chunks itself, estimates from the second how long the rest would
  take in one process, and starts workers only when that is worth it
  (`START_WORKERS_SECONDS`). On Linux the workers are forked from the parent
  after those chunks, so they start with its imports and its loaded
  model (a fresh interpreter, loky's way, spent ~1 s of CPU a worker
  importing and loading, which a busy 2-core machine never won back on a
  2,000-document input). The parent keeps cleaning chunks itself until a
  worker is ready, so no start-up is spent idle.
* **A dead worker costs its chunk, not the run.** When a worker dies (the
  out-of-memory killer, a pre-empted node), the executor (the standard
  library's or loky's) breaks and fails every pending future. Finished results are kept; the chunks that
  were running in a worker (each writes a marker file when it starts) are
  retried once each, alone, in a fresh pool -- alone, so an innocent chunk
  that ran beside the killer is not blamed for it; a chunk that kills its
  worker again becomes `worker_died` errors for its records; the rest are
  resubmitted.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DeclutterError
from .chunks import Chunk
from .stats import ChunkResult
from .workers import clean_chunk, passthrough, worker_cleaner

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .records import BatchOptions

__all__ = ["START_WORKERS_SECONDS", "TEST_KILL_ENV", "died_result", "effective_jobs", "pool_results"]

#: Start worker processes only when the chunks read ahead would take longer than this
#: in one process (CPU seconds at the second chunk's pace); calibrated on 2,000 residue
#: documents on a busy 2-core machine (docs/batch.md).
START_WORKERS_SECONDS = 3.0
#: Clean in the parent while the workers start (tests turn it off to send every chunk to a worker).
HEAD_START = True
#: Start workers by forking the parent (Linux): they inherit its imports and loaded model, so a
#: worker is ready in milliseconds instead of the ~1 s of CPU a fresh interpreter (loky) spends
#: importing and loading; elsewhere loky's fresh interpreters.
FORK = sys.platform == "linux"
#: At most this many chunks are read ahead to make that decision (bounded memory).
MAX_LOOKAHEAD_CHUNKS = 16
#: Pool restarts in a row that finish no chunk before we give up (workers that die on start).
MAX_FRUITLESS_RESTARTS = 3
#: A worker with nothing to do for this long exits (loky starts another when needed).
IDLE_WORKER_SECONDS = 30
#: Test hook: "SEQ" kills the worker running chunk SEQ (0-based, in input order) every time, "SEQ:1" on the first attempt only.
TEST_KILL_ENV = "DECLUTTER_TEST_KILL_CHUNK"
# Thread pools of native libraries: one thread a worker, parallelism comes from processes.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(slots=True)
class _Slot:
    """One chunk in the window: submitted (future) or finished (result)."""

    seq: int
    chunk: Chunk
    future: Future[ChunkResult] | None = None
    result: ChunkResult | None = None
    attempts: int = 0


def _task(options: BatchOptions, raws: list[bytes | None], marker: str, die: bool) -> ChunkResult:
    """A chunk in a worker: mark it running (so a death can be pinned on it), clean, unmark."""
    with open(marker, "w") as fh:
        fh.write(str(os.getpid()))
    if die:  # the test hook: die the way the out-of-memory killer kills
        os.kill(os.getpid(), signal.SIGKILL)
    result = clean_chunk(options, raws)
    os.unlink(marker)
    return result


def _warm(options: BatchOptions) -> int:
    """Load the model in a worker before it gets a chunk (a forked one has it already): the parent
    cleans until one is ready."""
    worker_cleaner(options)
    return os.getpid()


def died_result(chunk: Chunk, options: BatchOptions, message: str) -> ChunkResult:
    """A chunk whose worker died twice: every record a `worker_died` error, passed or skipped."""
    result = ChunkResult(outputs=[None] * len(chunk.raws), errors=[], warnings=[], documents=len(chunk.raws))
    for i, raw in enumerate(chunk.raws):
        if raw is None:
            continue  # an oversized line: the parent reports and copies it as always
        result.bytes_in += len(raw)
        result.errors.append((i, "worker_died", message))
        if options.on_error == "pass":
            result.outputs[i] = passthrough(raw)
    return result


class _Pool:
    """A process pool (forked workers on Linux, else loky's) that is replaced when a dead worker breaks it."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.markers = tempfile.mkdtemp(prefix="declutter-chunks-")
        self.kill = _parse_kill_hook(os.environ.get(TEST_KILL_ENV))
        self.executor = self._new()

    def _new(self) -> Any:
        if FORK:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor as Stdlib

            return Stdlib(max_workers=self.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent)
        from joblib.externals.loky import ProcessPoolExecutor

        env = {var: os.environ.get(var, "1") for var in _THREAD_VARS}
        # timeout: idle workers exit, so a parent killed outright does not leave them behind for long
        return ProcessPoolExecutor(max_workers=self.jobs, env=env, timeout=IDLE_WORKER_SECONDS)

    def _shutdown(self) -> None:
        if FORK:
            processes = list((getattr(self.executor, "_processes", None) or {}).values())
            self.executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.kill()
            for process in processes:
                process.join(5)
        else:
            self.executor.shutdown(wait=False, kill_workers=True)

    def restart(self) -> None:
        self._shutdown()
        self.executor = self._new()

    def submit(self, slot: _Slot, options: BatchOptions) -> None:
        slot.attempts += 1
        die = self.kill is not None and self.kill[0] == slot.seq and (self.kill[1] is None or self.kill[1] == slot.attempts)
        slot.future = self.executor.submit(_task, options, slot.chunk.raws, self.marker(slot.seq), die)

    def marker(self, seq: int) -> str:
        return os.path.join(self.markers, str(seq))

    def close(self) -> None:
        self._shutdown()
        shutil.rmtree(self.markers, ignore_errors=True)


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the parent dies, even by SIGKILL (no orphans left behind)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _parse_kill_hook(value: str | None) -> tuple[int, int | None] | None:
    if not value:
        return None
    seq, _, attempt = value.partition(":")
    return int(seq), int(attempt) if attempt else None


def pool_results(chunks: Iterator[Chunk], options: BatchOptions, jobs: int) -> Iterator[tuple[Chunk, ChunkResult]]:
    """(chunk, result) in input order: in-process while it pays, on `jobs` workers when not
    (joblib's meaning: -1 every core, -2 all but one)."""
    from concurrent.futures.process import BrokenProcessPool

    # The first two chunks in-process: the second one's pace is the steady one (a process's
    # first chunk also pays for lazy imports), and forked workers inherit what they loaded.
    rate = 0.0
    for _ in range(2):
        chunk = next(chunks, None)
        if chunk is None:
            return
        result = clean_chunk(options, chunk.raws)
        yield chunk, result
        rate = result.cpu_seconds / result.bytes_in if result.bytes_in else rate
    # Read ahead until the rest is known to be worth starting workers for, or ends.
    ahead: deque[Chunk] = deque()
    work = 0.0
    for chunk in chunks:
        ahead.append(chunk)
        work += rate * sum(len(raw) for raw in chunk.raws if raw is not None)
        if work >= START_WORKERS_SECONDS or len(ahead) >= MAX_LOOKAHEAD_CHUNKS:
            break
    else:  # the whole input is read: not worth a worker
        while ahead:
            chunk = ahead.popleft()
            yield chunk, clean_chunk(options, chunk.raws)
        return

    rest = _chain(ahead, chunks)
    done = 2
    jobs = effective_jobs(jobs)
    if jobs == 1:  # one core: no worker could run beside this process
        for chunk in rest:
            yield chunk, clean_chunk(options, chunk.raws)
        return
    pool = _Pool(jobs)
    try:
        # Head start: clean here until a worker has loaded the model.
        warm = [pool.executor.submit(_warm, options) for _ in range(jobs)]
        while HEAD_START and not any(w.done() for w in warm):
            chunk = next(rest, None)
            if chunk is None:
                return
            yield chunk, clean_chunk(options, chunk.raws)
            done += 1
        for w in warm:
            if w.done() and not isinstance(w.exception(), BrokenProcessPool):
                w.result()  # a model that fails to load in a worker fails here, clearly
        yield from _in_order(pool, rest, options, 2 * jobs, done)
    finally:
        pool.close()


def _chain(ahead: deque[Chunk], rest: Iterator[Chunk]) -> Iterator[Chunk]:
    while ahead:
        yield ahead.popleft()
    yield from rest


def _in_order(
    pool: _Pool, chunks: Iterator[Chunk], options: BatchOptions, window_size: int, seq: int
) -> Iterator[tuple[Chunk, ChunkResult]]:
    """Results in input order with at most `window_size` chunks submitted; survives dead workers.

    `seq` numbers the chunks (the first one given here is chunk `seq` of the input).
    """
    from concurrent.futures.process import BrokenProcessPool

    window: deque[_Slot] = deque()
    fruitless = 0
    while True:
        while len(window) < window_size:
            chunk = next(chunks, None)
            if chunk is None:
                break
            slot = _Slot(seq, chunk)
            seq += 1
            pool.submit(slot, options)
            window.append(slot)
        if not window:
            return
        head = window[0]
        if head.result is None:
            assert head.future is not None
            try:
                head.result = head.future.result()
            except BrokenProcessPool:
                fruitless += 1
                if fruitless > MAX_FRUITLESS_RESTARTS:
                    raise DeclutterError(
                        "worker processes keep dying before they clean anything: out of memory? "
                        "Try fewer --jobs, or --jobs 1"
                    ) from None
                _recover(pool, window, options)
                continue
        fruitless = 0
        window.popleft()
        yield head.chunk, head.result


def _recover(pool: _Pool, window: deque[_Slot], options: BatchOptions) -> None:
    """After a worker died: keep finished results, retry the running chunks alone, resubmit the rest."""
    from concurrent.futures.process import BrokenProcessPool

    pending = []
    for slot in window:
        if slot.result is not None:
            continue
        assert slot.future is not None
        if slot.future.done() and slot.future.exception() is None:
            slot.result = slot.future.result()
        else:
            pending.append(slot)
    running = {slot.seq for slot in pending if os.path.exists(pool.marker(slot.seq))}
    pool.restart()
    for slot in pending:
        if slot.seq not in running:
            continue
        os.unlink(pool.marker(slot.seq))
        if slot.attempts >= 2:
            slot.result = died_result(slot.chunk, options, "its worker process died twice (out of memory?)")
            continue
        pool.submit(slot, options)  # alone: nothing else runs in the fresh pool yet
        assert slot.future is not None
        try:
            slot.result = slot.future.result()
        except BrokenProcessPool:
            slot.result = died_result(slot.chunk, options, "its worker process died twice (out of memory?)")
            pool.restart()
            if os.path.exists(pool.marker(slot.seq)):
                os.unlink(pool.marker(slot.seq))
    for slot in pending:
        if slot.result is None:
            slot.attempts -= 1  # not blamed: it was only queued when the pool broke
            pool.submit(slot, options)


def effective_jobs(jobs: int) -> int:
    """joblib's meaning: -1 all cores, -2 all but one; never less than 1."""
    if jobs > 0:
        return jobs
    from joblib import cpu_count

    return max(1, cpu_count() + 1 + jobs)
