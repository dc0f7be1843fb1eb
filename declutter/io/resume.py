"""A batch output file written so that an interrupted run can be resumed, and appears only when complete.

`declutter batch IN... -o OUT` writes `OUT.part` and, beside it, `OUT.progress`:
a small JSON file saying which inputs (paths, sizes, modification times) and
options the run was for, how many input records are done, and how many
bytes of `OUT.part` (and of the `--errors` file) hold them. It is rewritten
(temp file + rename, after an fsync of the data) every `COMMIT_RECORDS`
records or `COMMIT_BYTES` output bytes, at a chunk boundary. When the run
ends, `OUT.part` is renamed to `OUT` and `OUT.progress` removed, so `OUT`
only ever exists complete.

After a crash, a Ctrl-C or a lost node, `--resume` checks the progress file
against the inputs and options given, cuts `OUT.part` back to the last
commit, skips that many input records and appends. A `.gz` output is a
series of gzip members, one per commit (every gzip reader reads them as one
stream); commits fall at the same records in every run, so a resumed run
writes the same bytes as an uninterrupted one.

Files are created with mode 0666 less the umask, like any other program's
(an existing OUT's mode is kept). A run that reads stdin cannot be resumed:
it still writes OUT.part and renames it, but leaves the `--errors` file to
the CLI, which writes it whole (`output.AtomicOutput`). A failed write is an
OutputError naming OUT, which the CLI prints as one line.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import IO, Any

from ..errors import InputError, OutputError
from .output import file_mode

__all__ = ["COMMIT_BYTES", "COMMIT_RECORDS", "ResumableOutput", "input_identity"]

#: Commit (fsync the output, rewrite OUT.progress) every this many input records ...
COMMIT_RECORDS = 2048
#: ... or this many bytes of (uncompressed) output, whichever comes first. A few seconds
#: of two workers' output on extractor residue: a crash loses little, an fsync is rare.
COMMIT_BYTES = 32 << 20
_VERSION = 1


def input_identity(names: Sequence[str]) -> list[dict[str, Any]]:
    """What makes the inputs the same ones next time: absolute path, size and mtime of each
    (stdin, "-", cannot be read again: a run that reads it is not resumable)."""
    identity: list[dict[str, Any]] = []
    for name in names:
        if name == "-":
            identity.append({"path": "-"})
            continue
        try:
            st = os.stat(name)
        except OSError as exc:
            raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
        identity.append({"path": os.path.abspath(name), "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return identity


@dataclass(slots=True)
class _Progress:
    """The content of OUT.progress."""

    run: dict[str, Any]  # inputs and options: must match to resume
    records: int = 0  # input records done (written, skipped or reported)
    output_bytes: int = 0  # of OUT.part (compressed, for .gz)
    errors_bytes: int = 0  # of the --errors file
    errors: int = 0  # records reported so far (for the exit status)


class _Sink:
    """What run_batch writes to: counts the bytes, and for .gz ends a gzip member at each commit
    (the file is then a valid gzip stream up to there). A failed write raises OutputError naming OUT."""

    def __init__(self, raw: IO[bytes], gzip_name: str | None, where: str) -> None:
        self.raw, self.gzip_name, self.where = raw, gzip_name, where
        self.member: gzip.GzipFile | None = None
        self.written = 0  # bytes given to write() since the last commit

    def write(self, data: bytes) -> int:
        self.written += len(data)
        try:
            if self.gzip_name is None:
                return self.raw.write(data)
            if self.member is None:
                self.member = gzip.GzipFile(filename=self.gzip_name, fileobj=self.raw, mode="wb", compresslevel=6, mtime=0)
            return self.member.write(data)
        except OSError as exc:
            raise _write_error(self.where, exc) from None

    def flush(self) -> None:
        """Make what was written durable, up to here (ends the gzip member)."""
        try:
            if self.member is not None:
                self.member.close()  # writes the trailer; the raw file stays open
                self.member = None
            self.raw.flush()
            os.fsync(self.raw.fileno())
        except OSError as exc:
            raise _write_error(self.where, exc) from None


class ResumableOutput:
    """OUT written as OUT.part with OUT.progress beside it; `finish()` renames it to OUT.

    >>> import pathlib, tempfile
    >>> out = ResumableOutput(str(pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"), {"inputs": []})
    >>> skip = out.start(resume=False)
    >>> _ = out.stream.write(b"{}\\n")
    >>> out.finish()
    >>> pathlib.Path(out.name).read_bytes()
    b'{}\\n'
    """

    def __init__(self, name: str, run: dict[str, Any], errors_path: str | None = None) -> None:
        self.name = name
        self.part = name + ".part"
        self.progress_path = name + ".progress"
        self.errors_path = errors_path
        self.progress = _Progress(run=json.loads(json.dumps(run)))  # as it will read back
        self.replaced_partial = False  # a run without --resume found and replaced a partial output
        self.prior_errors = 0  # errors reported by the runs this one resumes
        self._raw: IO[bytes] | None = None
        self.stream: _Sink | None = None

    def start(self, resume: bool) -> int:
        """Open OUT.part (cut back to the last commit when resuming); returns the records to skip.

        Raises InputError when --resume finds a progress file for other inputs or options
        (touching nothing), OutputError when OUT.part, OUT.progress or the errors file cannot
        be written (a fresh start then leaves neither OUT.part nor OUT.progress behind).
        """
        if resume and not self.resumable:
            raise InputError("--resume needs input files: stdin cannot be read again")
        previous = self._read_progress()
        if previous is not None and resume:
            if previous.run != self.progress.run:
                raise InputError(
                    f"{self.progress_path} is for {self._difference(previous.run)}: "
                    "resume with the same inputs and options, or run without --resume to start over"
                )
            self._open_part(previous.output_bytes)
            if self.errors_path:
                _cut(self.errors_path, previous.errors_bytes)
            self.progress = previous
            self.prior_errors = previous.errors
            return self.progress.records
        self.replaced_partial = previous is not None
        try:
            self._open_part(None)
            if self.errors_path and self.resumable:  # else the CLI writes the errors file whole
                _cut(self.errors_path, 0)
            self._write_progress()
        except OutputError:
            self.abandon()
            raise
        return 0

    @property
    def resumable(self) -> bool:
        """False when an input is stdin: its records cannot be read again."""
        return all(item.get("path") != "-" for item in self.progress.run.get("inputs", []))

    def _open_part(self, size: int | None) -> None:
        try:
            if size is None:
                fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
                if os.path.exists(self.name):  # an OUT written before keeps its mode, as with any rewrite
                    try:
                        os.fchmod(fd, file_mode(self.name))
                    except OSError:
                        pass  # a file system without modes
            else:
                fd = os.open(self.part, os.O_WRONLY)
                if os.fstat(fd).st_size < size:
                    os.close(fd)
                    raise InputError(
                        f"{self.part} is shorter than {self.progress_path} says: run without --resume to start over"
                    )
                os.ftruncate(fd, size)
                os.lseek(fd, size, os.SEEK_SET)
        except OSError as exc:
            if size is not None and isinstance(exc, FileNotFoundError):
                raise InputError(f"{self.part} is missing: run without --resume to start over") from None
            raise _write_error(self.name, exc) from None  # e.g. -o into a folder that does not exist
        self._raw = os.fdopen(fd, "wb", buffering=1 << 20)
        gzip_name = os.path.basename(self.name).removesuffix(".gz") if self.name.endswith(".gz") else None
        self.stream = _Sink(self._raw, gzip_name, self.name)

    def written(self, records: int, errors: int, errors_file: IO[Any] | None = None) -> None:
        """A chunk is written: `records` input records done in all, `errors` reported by this run.

        Commits every COMMIT_RECORDS records or COMMIT_BYTES bytes, at the same records in
        every run: fsyncs the data (ending the gzip member), then rewrites OUT.progress, so
        the progress file never claims more than is on disk.
        """
        assert self.stream is not None and self._raw is not None
        if records - self.progress.records < COMMIT_RECORDS and self.stream.written < COMMIT_BYTES:
            return
        self.stream.flush()
        self.stream.written = 0
        self.progress.output_bytes = self._raw.tell()
        if errors_file is not None:
            errors_file.flush()
            self.progress.errors_bytes = os.fstat(errors_file.fileno()).st_size
        self.progress.records = records
        self.progress.errors = self.prior_errors + errors
        self._write_progress()

    def finish(self) -> None:
        """Close OUT.part and rename it to OUT; OUT.progress goes."""
        assert self.stream is not None and self._raw is not None
        self.stream.flush()
        try:
            self._raw.close()
            os.replace(self.part, self.name)
        except OSError as exc:
            raise _write_error(self.name, exc) from None
        _unlink(self.progress_path)

    def abandon(self) -> bool:
        """After a failure: keep OUT.part and OUT.progress when a commit holds records
        (True: resumable), else remove both."""
        if self._raw is not None:
            try:
                self._raw.close()  # an unfinished gzip member stays unfinished: resuming cuts it off
            except OSError:
                pass
        if self.progress.records > 0 and self.resumable:
            return True
        _unlink(self.part)
        _unlink(self.progress_path)
        return False

    def _read_progress(self) -> _Progress | None:
        try:
            with open(self.progress_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {self.progress_path}: {exc}: run without --resume to start over") from None
        if data.get("version") != _VERSION:
            raise InputError(f"{self.progress_path} was written by another declutter: run without --resume to start over")
        data.pop("version")
        return _Progress(**data)

    def _write_progress(self) -> None:
        tmp = self.progress_path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"version": _VERSION, **asdict(self.progress)}, fh, indent=1)
                fh.write("\n")
            os.replace(tmp, self.progress_path)
        except OSError as exc:
            _unlink(tmp)
            raise _write_error(self.progress_path, exc) from None

    def _difference(self, previous: dict[str, Any]) -> str:
        for key in sorted(set(previous) | set(self.progress.run)):
            if previous.get(key) != self.progress.run.get(key):
                return f"other {key} ({_short(previous.get(key))}, now {_short(self.progress.run.get(key))})"
        return "another run"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _cut(path: str, size: int) -> None:
    """Truncate (or create) a file to `size` bytes: what a resumed run appends to."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(where: str, exc: OSError) -> OSError | OutputError:
    """The error a failed write raises: OutputError naming `where`, but a closed pipe stays itself."""
    if isinstance(exc, BrokenPipeError):
        return exc
    return OutputError(f"cannot write {where}: {exc.strerror or exc}")


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
