"""Output-side failures, for real: a full disk, a reader that goes away, an unwritable directory, the umask.

Each test runs the CLI as a subprocess, so the failure is the operating
system's own (/dev/full, a closed pipe, a directory the process may not
write), not a mock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

SEED = SEEDS[0]
RECORDS = b"".join(
    json.dumps({"id": i, "text": f"The council met on Monday, meeting number {i}, and agreed to extend the ceasefire."}).encode() + b"\n"
    for i in range(20)
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _declutter(argv: list[str], stdin: bytes = b"", *, umask: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "declutter", *argv], input=stdin, capture_output=True, env=_env(),
        umask=-1 if umask is None else umask, timeout=300,
    )


def _one_error_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert "Traceback" not in text
    (line,) = text.splitlines()
    assert line.startswith("declutter: error: ")
    return line


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "argv, stdin",
    [([], SEED.read_bytes()), (["--jsonl", "-q", "--jobs", "1"], RECORDS), (["batch", "-", "-o", "-", "-q", "--jobs", "1"], RECORDS)],
    ids=["filter", "jsonl", "batch"],
)
def test_a_full_disk_is_one_error_line_and_status_1(argv, stdin):
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "declutter", *argv], input=stdin, stdout=full, stderr=subprocess.PIPE, env=_env(), timeout=300
        )
    assert proc.returncode == 1
    assert _one_error_line(proc.stderr) == "declutter: error: cannot write standard output: No space left on device"


def _text_of_many_distinct_lines(n: int) -> bytes:
    words = "the council met on monday and agreed to extend a ceasefire for another week officials said".split()
    return "\n\n".join(
        " ".join(words[(i * 7 + j * 3) % len(words)] for j in range(20)).capitalize() + f" {i}." for i in range(n)
    ).encode()


@pytest.mark.parametrize(
    "argv, stdin",
    [
        (["--threshold", "1"], _text_of_many_distinct_lines(20_000)),  # ~2.6 MB of output: far over a pipe's buffer
        (["batch", "-", "-o", "-", "--jobs", "1", "--no-meta"], RECORDS * 2_000),
    ],
    ids=["filter", "batch"],
)
def test_a_reader_that_closes_the_pipe_ends_declutter_quietly_with_status_141(argv, stdin, tmp_path):
    """`declutter < big | head -1`: no traceback, no message, the status of a process SIGPIPE ended."""
    source = tmp_path / "in"
    source.write_bytes(stdin)
    with open(source, "rb") as src:
        proc = subprocess.Popen(
            [sys.executable, "-m", "declutter", *argv], stdin=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as `head -1` does
        stderr = proc.stderr.read()
        code = proc.wait(timeout=300)
    assert first.strip()
    assert (code, stderr.decode()) == (141, "")


@pytest.fixture
def unwritable_dir(tmp_path):
    """A directory this process may not create files in: chmod 0555, and for root (whom modes do not stop)
    the immutable attribute too."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        immutable = chattr is not None and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
        if not immutable:
            folder.chmod(0o755)
            pytest.skip("running as root, and chattr +i is not available to lock a directory")
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


@pytest.mark.parametrize("flag", ["-o", "--errors"])
def test_an_unwritable_output_path_is_one_error_line_and_status_1(unwritable_dir, tmp_path, flag):
    target = unwritable_dir / "out.jsonl"
    argv = ["batch", "-", "-q", "--jobs", "1"]
    argv += ["-o", str(target)] if flag == "-o" else ["-o", str(tmp_path / "out.jsonl"), "--errors", str(target)]
    proc = _declutter(argv, RECORDS)
    assert proc.returncode == 1
    assert _one_error_line(proc.stderr).startswith(f"declutter: error: cannot write {target}: ")
    assert list(unwritable_dir.iterdir()) == []


def test_label_to_an_unwritable_path_is_one_error_line(unwritable_dir, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>" + "The council met on Monday. " * 10 + "</p></article></body></html>")
    proc = _declutter(["label", str(page), "--no-model", "--quiet", "-o", str(unwritable_dir / "silver.marked")])
    assert proc.returncode == 1
    assert "cannot write" in _one_error_line(proc.stderr)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)], ids=["022", "027", "002"])
def test_files_the_cli_writes_get_the_mode_the_umask_gives(tmp_path, umask, mode):
    out, errors, silver = tmp_path / "out.jsonl.gz", tmp_path / "bad.jsonl", tmp_path / "silver.marked"
    proc = _declutter(["batch", "-", "-o", str(out), "--errors", str(errors), "-q", "--jobs", "1"], RECORDS + b"not json\n", umask=umask)
    assert proc.returncode == 1, proc.stderr  # the bad line: --errors gets written
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>" + "The council met on Monday. " * 10 + "</p></article></body></html>")
    assert _declutter(["label", str(page), "--no-model", "--quiet", "-o", str(silver)], umask=umask).returncode == 0
    for path in (out, errors, silver):
        assert oct(path.stat().st_mode & 0o777) == oct(mode), path
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".declutter-")]  # no temporary file left


def test_rewriting_an_existing_output_keeps_its_mode_and_a_failed_run_leaves_it_whole(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    out.chmod(0o600)
    assert _declutter(["batch", "-", "-o", str(out), "-q", "--jobs", "1"], RECORDS, umask=0o022).returncode == 0
    assert oct(out.stat().st_mode & 0o777) == oct(0o600) and out.read_bytes().count(b"\n") == 20
    before = out.read_bytes()
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"not gzip\n")
    proc = _declutter(["batch", str(bad), "-o", str(out), "-q", "--jobs", "1"])
    assert proc.returncode == 1 and out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".declutter-")]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_eval_to_a_full_disk_is_one_error_line(tmp_path):
    marked = tmp_path / "seed.marked"
    made = _declutter(["--explain", "--format", "marked", str(SEED)])
    assert made.returncode == 0
    marked.write_bytes(made.stdout)
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "declutter", "eval", str(marked)], stdout=full, stderr=subprocess.PIPE, env=_env(), timeout=300
        )
    assert proc.returncode == 1
    assert _one_error_line(proc.stderr) == "declutter: error: cannot write standard output: No space left on device"


def _file_size_limit(limit: int):
    """A preexec_fn: files this process writes may not grow past `limit` bytes (EFBIG, "File too large").

    A real write failure for a file that is not /dev/full (Python ignores SIGXFSZ, so the write fails
    instead of killing the process). RLIMIT_FSIZE binds root too.
    """
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs preexec_fn and resource limits")
@pytest.mark.parametrize("failing", ["-o", "--errors"])
def test_a_resumable_batch_whose_file_cannot_grow_is_one_error_line(tmp_path, failing):
    """`batch FILE -o OUT --errors BAD` writes OUT.part and appends to BAD (resume.py): their write
    failures are one error line too, and a run with nothing committed leaves no OUT.part behind."""
    src, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "bad.jsonl"
    # 1,000 records (under a commit's 2,048) of ~300 bytes of output each, or 3,000 bad lines of ~150 bytes of errors each
    src.write_bytes(RECORDS * 50 if failing == "-o" else b"not json\n" * 3_000)
    limit = 64 << 10
    proc = subprocess.run(
        [sys.executable, "-m", "declutter", "batch", str(src), "-o", str(out), "--errors", str(errors), "-q", "--jobs", "1"],
        capture_output=True, env=_env(), timeout=300, preexec_fn=_file_size_limit(limit),
    )
    assert proc.returncode == 1
    target = out if failing == "-o" else errors
    assert _one_error_line(proc.stderr) == f"declutter: error: cannot write {target}: File too large"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.jsonl", "bad.jsonl"])  # no OUT, OUT.part or .progress
