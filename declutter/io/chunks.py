"""Reading JSONL streams in chunks of records, spooling a line too long to hold in memory to a temporary file."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO

from ..errors import InputError

__all__ = ["DEFAULT_CHUNK_BYTES", "DEFAULT_CHUNK_SIZE", "DEFAULT_MAX_CHARS", "Chunk", "read_chunks"]

DEFAULT_CHUNK_SIZE = 256  # records a task; timed per CPU-second on extractor residue, one core
DEFAULT_CHUNK_BYTES = 4 << 20
DEFAULT_MAX_CHARS = 5_000_000
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Chunk:
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
    skip: int = 0,
) -> Iterator[Chunk]:
    """The lines of JSONL byte streams, one stream after the other, in chunks of at most
    `chunk_size` records and about `chunk_bytes` bytes (a chunk may span files, so many
    small files still make full chunks). Blank lines are not records and are left out.

    A line longer than `max_line_bytes` is never held in memory: it is spooled
    to a temporary file and passed through (or skipped) by the parent.
    The first `skip` records are read and dropped (a resumed run has written them).

    >>> import io
    >>> [c.raws for c in read_chunks([("a", io.BytesIO(b'{"a": 1}\\n\\n{"a": 2}\\n'))], chunk_size=1)]
    [[b'{"a": 1}\\n'], [b'{"a": 2}\\n']]
    """
    chunk = Chunk([], [], {})
    size = 0
    for name, stream in inputs:
        try:
            for line_no, raw, spool in _lines(stream, max_line_bytes):
                if skip:
                    skip -= 1
                    if spool is not None:
                        spool[0].close()
                    continue
                if spool is not None:
                    chunk.spools[len(chunk.raws)] = spool
                    size += spool[1]
                else:
                    size += len(raw)
                chunk.where.append((name, line_no))
                chunk.raws.append(None if spool is not None else raw)
                if len(chunk.raws) >= chunk_size or size >= chunk_bytes:
                    yield chunk
                    chunk, size = Chunk([], [], {}), 0
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
