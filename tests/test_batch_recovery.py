"""Batch runs that survive: a worker process killed mid-run, a run interrupted and resumed, small inputs
that never wait for workers, and output files made like any other program's (umask, atomic rename).

The worker deaths are real: the worker running a chosen chunk SIGKILLs itself
(`pool.TEST_KILL_ENV`), as the out-of-memory killer would kill it.
"""

from __future__ import annotations

import gzip
import json
import os

import pytest
from conftest import SEEDS

DOCS = [p.read_text(encoding="utf-8") for p in SEEDS]

pytestmark = pytest.mark.usefixtures("load_each_model_file_once")


def _jsonl(n: int, bad_at: int | None = None) -> bytes:
    lines = [json.dumps({"id": i, "text": DOCS[i % len(DOCS)]}).encode() + b"\n" for i in range(n)]
    if bad_at is not None:
        lines.insert(bad_at, b"not json\n")
    return b"".join(lines)


@pytest.fixture
def workers_for_every_chunk(monkeypatch):
    """Send every chunk to a worker: no in-process head start, workers even for a tiny input."""
    from declutter.io import pool

    monkeypatch.setattr(pool, "START_WORKERS_SECONDS", 0.0)
    monkeypatch.setattr(pool, "HEAD_START", False)
    return pool


# ---------------------------------------------------------------- a dead worker


def test_a_killed_worker_costs_its_chunk_and_every_other_record_is_written_in_order(
    run_cli, model_path, tmp_path, monkeypatch, workers_for_every_chunk
):
    src, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "bad.jsonl"
    src.write_bytes(_jsonl(24))
    argv = ["batch", str(src), "--model", model_path, "--chunk-size", "3"]
    reference = run_cli([*argv, "-o", str(tmp_path / "ref.jsonl"), "--jobs", "1"])
    assert reference.code == 0
    monkeypatch.setenv(workers_for_every_chunk.TEST_KILL_ENV, "2")  # chunk 2 (records 7-9) kills its worker, twice
    result = run_cli([*argv, "-o", str(out), "--jobs", "2", "--errors", str(errors)])
    assert result.code == 1, result.stderr
    got = out.read_bytes().splitlines(keepends=True)
    want = (tmp_path / "ref.jsonl").read_bytes().splitlines(keepends=True)
    original = src.read_bytes().splitlines(keepends=True)
    assert got == want[:6] + original[6:9] + want[9:]  # passed through unchanged, in place
    reported = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["line"], e["reason"]) for e in reported] == [(7, "worker_died"), (8, "worker_died"), (9, "worker_died")]
    assert "in.jsonl:7: worker_died" in result.stderr and "3 errors" in result.stderr


def test_a_worker_killed_once_is_retried_and_nothing_is_lost(model_path, monkeypatch, workers_for_every_chunk):
    import io

    from declutter.io.batch import BatchOptions, run_batch

    def run(jobs: int) -> tuple[bytes, list]:
        out, errors = io.BytesIO(), []
        run_batch([(None, io.BytesIO(_jsonl(15)))], out, BatchOptions(model=model_path, on_error="skip"),
                  jobs=jobs, chunk_size=3, on_record_error=errors.append)
        return out.getvalue(), errors

    expected = run(1)
    monkeypatch.setenv(workers_for_every_chunk.TEST_KILL_ENV, "1:1")  # chunk 1's first worker dies
    assert run(2) == expected == (expected[0], [])


# ---------------------------------------------------------------- small inputs never wait for workers


def test_a_small_input_is_cleaned_in_process_without_starting_workers(model_path, monkeypatch):
    import io

    from declutter.io import pool
    from declutter.io.batch import BatchOptions, run_batch

    def no_pool(jobs):
        raise AssertionError("worker processes started for a small input")

    monkeypatch.setattr(pool, "_Pool", no_pool)
    out = io.BytesIO()
    stats = run_batch([(None, io.BytesIO(_jsonl(20)))], out, BatchOptions(model=model_path), jobs=2, chunk_size=4)
    assert stats.cleaned == 20 and len(out.getvalue().splitlines()) == 20


# ---------------------------------------------------------------- resume


def _interrupt_after(monkeypatch, records: int) -> None:
    """Ctrl-C once `records` input records are committed (as if pressed right then)."""
    from declutter.io import resume

    monkeypatch.setattr(resume, "COMMIT_RECORDS", 6)
    original = resume.ResumableOutput.written

    def written(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.progress.records >= records:
            raise KeyboardInterrupt

    monkeypatch.setattr(resume.ResumableOutput, "written", written)


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_an_interrupted_run_resumes_to_the_same_bytes_as_an_uninterrupted_one(run_cli, model_path, tmp_path, monkeypatch, name):
    from declutter.io import resume

    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(30, bad_at=4) + _jsonl(3, bad_at=1))  # errors before and after the interruption
    (tmp_path / "whole").mkdir()
    (tmp_path / "parts").mkdir()
    whole, parts = tmp_path / "whole" / name, tmp_path / "parts" / name

    def argv(out, *extra):
        return ["batch", str(src), "-o", str(out), "--model", model_path, "--chunk-size", "2", "--jobs", "1",
                "--errors", str(out.parent / "bad.jsonl"), *extra]

    with monkeypatch.context() as m:
        m.setattr(resume, "COMMIT_RECORDS", 6)
        assert run_cli(argv(whole)).code == 1
    with monkeypatch.context() as m:
        _interrupt_after(m, 12)
        stopped = run_cli(argv(parts))
    assert stopped.code == 130
    assert not parts.exists() and (tmp_path / "parts" / (name + ".part")).exists()
    assert "12 records are done in" in stopped.stderr and "--resume" in stopped.stderr
    with monkeypatch.context() as m:
        m.setattr(resume, "COMMIT_RECORDS", 6)
        resumed = run_cli(argv(parts, "--resume"))
    assert resumed.code == 1, resumed.stderr  # the bad record before the interruption still counts
    assert "resuming: 12 records were done" in resumed.stderr
    assert parts.read_bytes() == whole.read_bytes()
    assert (tmp_path / "parts" / "bad.jsonl").read_bytes() == (tmp_path / "whole" / "bad.jsonl").read_bytes()
    assert sorted(p.name for p in parts.parent.iterdir()) == sorted(["bad.jsonl", name])  # no .part, no .progress
    if name.endswith(".gz"):
        assert gzip.decompress(parts.read_bytes()).count(b"\n") == 35


def test_resume_refuses_other_inputs_or_options_and_stdin(run_cli, model_path, tmp_path, monkeypatch):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_jsonl(20))
    argv = ["batch", str(src), "-o", str(out), "--model", model_path, "--chunk-size", "2", "--jobs", "1"]
    with monkeypatch.context() as m:
        _interrupt_after(m, 6)
        assert run_cli(argv).code == 130
    other_options = run_cli([*argv, "--no-title", "--resume"])
    assert other_options.code == 1
    assert other_options.stderr.startswith("declutter: error: ") and "other options" in other_options.stderr
    src.write_bytes(_jsonl(21))
    other_input = run_cli([*argv, "--resume"])
    assert other_input.code == 1 and "other inputs" in other_input.stderr
    assert (tmp_path / "out.jsonl.part").exists()  # refusing touches nothing
    assert run_cli(["batch", "-", "-o", str(out), "--resume", "--model", model_path]).code == 1
    stdout = run_cli(["batch", str(src), "-o", "-", "--resume", "--model", model_path])
    assert stdout.code == 2 and "--resume needs an output file" in stdout.stderr
    fresh = run_cli(argv)  # without --resume: starts over
    assert fresh.code == 0 and "starting over" in fresh.stderr and out.exists()


# ---------------------------------------------------------------- files like any other program's


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_respect_the_umask(run_cli, model_path, tmp_path, umask, mode):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(3, bad_at=1))
    old = os.umask(umask)
    try:
        result = run_cli(["batch", str(src), "-o", str(tmp_path / "out.jsonl.gz"), "--errors", str(tmp_path / "bad.jsonl"),
                          "--model", model_path, "--jobs", "1"])
    finally:
        os.umask(old)
    assert result.code == 1
    assert (tmp_path / "out.jsonl.gz").stat().st_mode & 0o777 == mode
    assert (tmp_path / "bad.jsonl").stat().st_mode & 0o777 == mode
