"""Output at the edges: files appear whole or not at all, with the mode the umask gives; write errors are OutputErrors.

Files the CLI writes whole (`label -o`, and `--errors FILE` of a batch
that cannot be resumed) go through `AtomicOutput`: a temporary file in the
target's own directory (so the rename cannot cross file systems), renamed
over the target only when everything was written. `tempfile.mkstemp` makes
that file 0600 whatever the umask, so its mode is set as `open()` would
have made it (0666 less the umask; an existing target keeps its mode:
`file_mode`). `batch -o OUT` is written the same way but resumably, as
OUT.part renamed to OUT (`resume.py`).

A failed write (a full disk, /dev/full, an unwritable directory) raises
`OutputError` naming the output, which the CLI prints as one line. A closed
pipe stays `BrokenPipeError`: the CLI ends quietly on it, as `cat` does.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
import sys
import tempfile
from typing import BinaryIO

from ..errors import OutputError

__all__ = ["AtomicOutput", "GuardedWriter", "file_mode", "new_file_mode"]


def new_file_mode() -> int:
    """The mode `open(name, "w")` gives a new file: 0666 less the process's umask.

    >>> old = os.umask(0o022); mode = new_file_mode(); _ = os.umask(old)
    >>> oct(mode)
    '0o644'
    """
    umask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return 0o666 & ~umask


class GuardedWriter:
    """A binary stream whose write errors (other than a closed pipe) are OutputErrors naming `where`.

    >>> GuardedWriter(open(os.devnull, "wb"), "nowhere").write(b"x")
    1
    """

    def __init__(self, stream: BinaryIO, where: str) -> None:
        self.stream = stream
        self.where = where

    def write(self, data: bytes) -> int:
        """Write all of `data`. A large write to a pipe whose reader has gone returns a short
        count instead of raising (CPython's BufferedWriter): writing the rest raises, as it should."""
        view = memoryview(data)
        done = 0
        try:
            while done < len(view):
                n = self.stream.write(view[done:])
                if not n:
                    raise OSError(errno.EIO, "nothing was written")
                done += n
            return done
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self.error(exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self.error(exc) from None

    def fileno(self) -> int:
        """The descriptor of the stream written to (a resumed batch measures its --errors file by it)."""
        return self.stream.fileno()

    def error(self, exc: OSError) -> OutputError:
        return OutputError(f"cannot write {self.where}: {exc.strerror or exc}")


class AtomicOutput:
    """Write to NAME through a temporary file renamed over NAME on success ("-": stdout).

    A run that fails leaves no half-written file behind; `.gz` names are compressed.

    >>> import pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> with AtomicOutput(str(path)) as out:
    ...     _ = out.write(b"{}\\n")
    >>> path.read_bytes()
    b'{}\\n'
    """

    def __init__(self, name: str, *, compresslevel: int = 6) -> None:
        self.name = name
        self.compresslevel = compresslevel
        self._tmp: str | None = None
        self._raw: BinaryIO | None = None
        self._stream: BinaryIO | None = None
        self.stream: GuardedWriter

    def __enter__(self) -> GuardedWriter:
        if self.name == "-":
            self.stream = GuardedWriter(sys.stdout.buffer, "standard output")
            return self.stream
        directory = os.path.dirname(os.path.abspath(self.name))
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=".declutter-", suffix=".part", dir=directory)
        except OSError as exc:
            raise OutputError(f"cannot write {self.name}: {exc.strerror or exc}") from None
        try:
            os.fchmod(fd, file_mode(self.name))
        except OSError:
            pass  # a file system without modes (some network mounts): keep mkstemp's
        self._raw = os.fdopen(fd, "wb", buffering=1 << 20)
        self._stream = self._raw
        if self.name.endswith(".gz"):
            self._stream = gzip.GzipFile(
                filename=os.path.basename(self.name).removesuffix(".gz"), fileobj=self._raw, mode="wb",
                compresslevel=self.compresslevel, mtime=0,
            )  # type: ignore[assignment]
        self.stream = GuardedWriter(self._stream, self.name)  # type: ignore[arg-type]
        return self.stream

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.name == "-":
            if exc_type is None:
                self.stream.flush()
            return
        assert self._raw is not None and self._tmp is not None and self._stream is not None
        committed = False
        try:
            try:
                if self._stream is not self._raw:
                    self._stream.close()
                self._raw.close()  # a full disk often shows only here, when the buffer is flushed
                if exc_type is None:
                    os.replace(self._tmp, self.name)
                    committed = True
            except OSError as error:
                if exc_type is None:
                    raise self.stream.error(error) from None
        finally:
            if not committed:
                try:
                    os.unlink(self._tmp)
                except OSError:
                    pass


def file_mode(name: str) -> int:
    """The mode an output file written anew gets: the existing file's, else what the umask allows."""
    try:
        return stat.S_IMODE(os.stat(name).st_mode)
    except OSError:
        return new_file_mode()
