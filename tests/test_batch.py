"""JSONL batch mode: `declutter --jsonl`, `declutter batch`, the joblib and Dask paths, bad records.

Plumbing tests: they run the small seed-trained `tiny_model`, never the
shipped model, and check what batch mode promises -- records kept in order
with their other fields, the cleaned text equal to the single-document
output, bad records reported and passed through (or skipped), bounded
reading, and the same bytes whatever the chunking, job count or backend.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

DOCS = [p.read_text(encoding="utf-8") for p in SEEDS]
GOOD = "The council met on Monday and agreed to extend the ceasefire for another week, officials said."


def _records(n: int = 12) -> list[dict]:
    return [{"id": i, "text": DOCS[i % len(DOCS)], "lang": "en"} for i in range(n)]


def _jsonl(records: list) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)


def _expected(cleaner, text: str) -> str:
    """The single-document output, with the input's trailing-newline convention."""
    out = cleaner.clean(text)
    return out if text.endswith("\n") else out.removesuffix("\n")


def _parse(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


pytestmark = pytest.mark.usefixtures("load_each_model_file_once")


@pytest.fixture(scope="module")
def cleaner(tiny_model):
    from declutter import Cleaner

    return Cleaner(model=tiny_model[0])


# ---------------------------------------------------------------- the happy path


def test_jsonl_keeps_order_and_other_fields_and_matches_single_document_output(run_cli, model_path, cleaner):
    records = _records()
    result = run_cli(["--jsonl", "--model", model_path, "--jobs", "1"], _jsonl(records))
    assert result.code == 0, result.stderr
    out = _parse(result.stdout)
    assert [r["id"] for r in out] == [r["id"] for r in records]
    for rec, got in zip(records, out):
        assert got["lang"] == "en"
        assert got["text"] == _expected(cleaner, rec["text"])
        meta = got["declutter"]
        assert set(meta) == {"model", "lines", "dropped", "reasons", "repairs"}
        assert meta["model"] == "tiny"
        assert meta["dropped"] == sum(meta["reasons"].values())
        assert 0 <= meta["dropped"] <= meta["lines"]


def test_output_field_keeps_the_original_text(run_cli, model_path):
    records = _records(3)
    result = run_cli(["--jsonl", "--model", model_path, "--output-field", "clean", "--no-meta"], _jsonl(records))
    assert result.code == 0, result.stderr
    for rec, got in zip(records, _parse(result.stdout)):
        assert got["text"] == rec["text"]
        assert isinstance(got["clean"], str) and len(got["clean"]) <= len(rec["text"])
        assert "declutter" not in got


def test_field_option_reads_another_field(run_cli, model_path):
    result = run_cli(["--jsonl", "--model", model_path, "--field", "body", "--threshold", "1"], _jsonl([{"body": GOOD}]))
    assert result.code == 0, result.stderr
    (got,) = _parse(result.stdout)
    assert "text" not in got and GOOD in got["body"]


def test_empty_text_is_a_valid_record_with_empty_output(run_cli, model_path):
    result = run_cli(["--jsonl", "--model", model_path], _jsonl([{"text": ""}, {"text": " \n\n "}]))
    assert result.code == 0, result.stderr
    assert [(r["text"], r["declutter"]["lines"]) for r in _parse(result.stdout)] == [("", 0), ("", 0)]


def test_text_ending_in_newline_keeps_it(run_cli, model_path, cleaner):
    result = run_cli(["--jsonl", "--model", model_path], _jsonl([{"text": GOOD + "\n"}]))
    assert _parse(result.stdout)[0]["text"] == cleaner.clean(GOOD + "\n")


def test_options_of_the_filter_apply_to_each_record(run_cli, model_path):
    seed = {"text": DOCS[0]}
    everything = run_cli(["--jsonl", "--model", model_path, "--threshold", "1", "--no-repair"], _jsonl([seed]))
    nothing = run_cli(["--jsonl", "--model", model_path, "--threshold", "0"], _jsonl([seed]))
    assert "Support The Moscow Times!" in _parse(everything.stdout)[0]["text"]
    assert _parse(nothing.stdout)[0]["text"] == ""


def test_html_records_are_rendered_to_lines(run_cli, model_path):
    page = f"<!DOCTYPE html><html><head><title>T</title><script>var x = 1;</script></head><body><p>{GOOD}</p></body></html>"
    result = run_cli(["--jsonl", "--model", model_path, "--threshold", "1"], _jsonl([{"text": page}]))
    text = _parse(result.stdout)[0]["text"]
    assert GOOD in text and "<p>" not in text and "var x" not in text


def test_utf8_bom_and_crlf_and_blank_lines_in_the_stream(run_cli, model_path):
    data = b"\xef\xbb\xbf" + _jsonl([{"id": 1, "text": GOOD}]).replace(b"\n", b"\r\n") + b"\n   \n" + _jsonl([{"id": 2, "text": GOOD}])
    result = run_cli(["--jsonl", "--model", model_path], data)
    assert result.code == 0, result.stderr
    assert [r["id"] for r in _parse(result.stdout)] == [1, 2]


# ---------------------------------------------------------------- bad records

BAD_RECORDS = [
    # (input line, reason)
    (b"this is not json", "not_json"),
    (b'{"text": "unterminated', "not_json"),
    (b"[1, 2, 3]", "not_object"),
    (b'"just a string"', "not_object"),
    (b"null", "not_object"),
    (b'{"id": 9}', "missing_field"),
    (b'{"text": null}', "not_string"),
    (b'{"text": 42}', "not_string"),
    (b'{"text": ["a", "b"]}', "not_string"),
    (b'{"text": "' + b"x" * 500 + b'"}', "too_large"),  # with --max-chars 400
    (b"[" * 100_000 + b"]" * 100_000, "not_json"),  # nested too deeply for the JSON parser
]


def test_bad_records_are_reported_and_passed_through_unchanged(run_cli, model_path, tmp_path):
    good = _jsonl([{"id": "first", "text": GOOD}])
    lines = [good] + [raw + b"\n" for raw, _ in BAD_RECORDS] + [_jsonl([{"id": "last", "text": GOOD}])]
    errors = tmp_path / "errors.jsonl"
    result = run_cli(
        ["--jsonl", "--model", model_path, "--max-chars", "400", "--errors", str(errors)], b"".join(lines)
    )
    assert result.code == 1
    out = result.stdout.splitlines(keepends=True)
    assert len(out) == len(lines)
    assert out[1:-1] == lines[1:-1]  # byte for byte
    assert json.loads(out[0])["id"] == "first" and json.loads(out[-1])["id"] == "last"
    reported = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [(e["line"], e["reason"]) for e in reported] == [(i + 2, reason) for i, (_, reason) in enumerate(BAD_RECORDS)]
    assert all(set(e) == {"line", "reason", "error"} and e["error"] for e in reported)
    for e in reported:
        assert f"line {e['line']}: {e['reason']}: " in result.stderr
    assert "Traceback" not in result.stderr
    assert f" {len(BAD_RECORDS)} errors, " in result.stderr.splitlines()[-1]


def test_on_error_skip_leaves_bad_records_out(run_cli, model_path):
    data = _jsonl([{"id": 1, "text": GOOD}]) + b"oops\n" + _jsonl([{"id": 3, "text": GOOD}])
    result = run_cli(["--jsonl", "--model", model_path, "--on-error", "skip"], data)
    assert result.code == 1
    assert [r["id"] for r in _parse(result.stdout)] == [1, 3]
    assert "1 skipped" in result.stderr


def test_per_record_messages_are_capped(run_cli, model_path):
    from declutter.cli.batch import MAX_ERRORS_SHOWN

    result = run_cli(["--jsonl", "--model", model_path], b"bad\n" * (MAX_ERRORS_SHOWN + 7))
    assert result.code == 1
    assert result.stderr.count("not_json") == MAX_ERRORS_SHOWN
    assert "... 7 more errors" in result.stderr


def test_quiet_prints_nothing_but_keeps_the_exit_status_and_errors_file(run_cli, model_path, tmp_path):
    errors = tmp_path / "e.jsonl"
    result = run_cli(["--jsonl", "--model", model_path, "-q", "--errors", str(errors)], b"bad\n" + _jsonl([{"text": GOOD}]))
    assert (result.code, result.stderr) == (1, "")
    assert json.loads(errors.read_text())["reason"] == "not_json"


def test_summary_line_counts_documents_lines_errors_and_time(run_cli, model_path):
    result = run_cli(["--jsonl", "--model", model_path], _jsonl(_records(4)))
    assert result.code == 0
    (summary,) = result.stderr.splitlines()
    assert re.fullmatch(r"declutter: 4 documents, \d+ of \d+ lines dropped, 0 errors, [\d.]+ s \(.* docs/s, .* MB/s\)", summary)


def test_invalid_utf8_in_a_record_is_replaced_with_a_warning_not_an_error(run_cli, model_path):
    data = b'{"text": "' + GOOD.encode() + b' caf\xe9."}\n'
    result = run_cli(["--jsonl", "--model", model_path, "--threshold", "1"], data)
    assert result.code == 0, result.stderr
    assert "warning: line 1: invalid UTF-8" in result.stderr
    assert "caf\ufffd" in _parse(result.stdout)[0]["text"]


def test_lone_surrogates_in_json_do_not_break_the_record(run_cli, model_path):
    data = b'{"text": "' + GOOD.encode() + b' \\ud800 end.", "other": "\\udc00"}\n'
    result = run_cli(["--jsonl", "--model", model_path, "--threshold", "1"], data)
    assert result.code == 0, result.stderr
    (got,) = _parse(result.stdout)
    assert "\ufffd end." in got["text"] and got["other"] == "\udc00"


def test_other_fields_come_back_with_the_values_json_gives_them(run_cli, model_path):
    """Records are read by orjson where it is exact (declutter/jsonl.py): an id
    over 64 bits, NaN and Infinity must still come back as the input had them."""
    data = (
        b'{"id": 123456789012345678901234567890, "text": "Hi there."}\n'
        b'{"id": 7, "score": NaN, "big": 1e400, "text": "Hi there."}\n'
        b'{"id": 8, "nested": {"a": [1, 2.5, null, true]}, "text": "Hi there."}\n'
    )
    result = run_cli(["--jsonl", "--model", model_path, "--threshold", "1"], data)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(b'{"id": 123456789012345678901234567890,')
    assert b'"score": NaN, "big": Infinity' in lines[1]
    got = [json.loads(line) for line in lines]
    assert got[2]["nested"] == {"a": [1, 2.5, None, True]}
    assert [r["text"] for r in got] == ["Hi there."] * 3


def test_a_line_too_long_to_hold_is_spooled_and_passed_through(model_path, tmp_path):
    from declutter.io.batch import BatchOptions, run_batch

    options = BatchOptions(model=model_path, max_chars=10)  # lines over 6*10 + 1 MiB bytes are spooled
    huge = b'{"text": "' + b"a" * (options.max_line_bytes + 10) + b'"}\n'
    data = _jsonl([{"id": 1, "text": "Hi there."}]) + huge + _jsonl([{"id": 3, "text": "short"}])
    out, errors = io.BytesIO(), []
    stats = run_batch([("in.jsonl", io.BytesIO(data))], out, options, jobs=1, on_record_error=errors.append)
    lines = out.getvalue().splitlines(keepends=True)
    assert lines[1] == huge and json.loads(lines[0])["id"] == 1 and json.loads(lines[2])["id"] == 3
    assert [(e.file, e.line, e.reason) for e in errors] == [("in.jsonl", 2, "too_large")]
    assert stats.errors == 1 and stats.documents == 3


# ---------------------------------------------------------------- files and usage


def test_batch_reads_and_writes_gzip_and_names_the_file_in_errors(run_cli, model_path, tmp_path):
    a = tmp_path / "a.jsonl.gz"
    b = tmp_path / "b.jsonl"
    a.write_bytes(gzip.compress(_jsonl(_records(3))))
    b.write_bytes(b"nope\n" + _jsonl([{"id": "b", "text": GOOD}]))
    out = tmp_path / "out.jsonl.gz"
    errors = tmp_path / "errors.jsonl"
    result = run_cli(["batch", str(a), str(b), "-o", str(out), "--model", model_path, "--errors", str(errors)])
    assert result.code == 1, result.stderr
    lines = gzip.decompress(out.read_bytes()).splitlines()
    assert lines[3] == b"nope"
    assert [json.loads(line)["id"] for i, line in enumerate(lines) if i != 3] == [0, 1, 2, "b"]
    assert json.loads(errors.read_text()) == {"file": str(b), "line": 1, "reason": "not_json", "error": "Expecting value: line 1 column 1 (char 0)"}
    assert f"{b}:1: not_json" in result.stderr


def test_batch_stdin_and_stdout_with_dashes(run_cli, model_path):
    result = run_cli(["batch", "-", "-o", "-", "--model", model_path], _jsonl(_records(2)))
    assert result.code == 0 and len(_parse(result.stdout)) == 2


def test_gzip_on_stdin_is_recognised_by_its_magic_bytes(monkeypatch):
    import sys

    from declutter.io.textio import open_input

    data = gzip.compress(b'{"a": 1}\n')
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    assert open_input("-").read() == b'{"a": 1}\n'


def test_a_failed_run_leaves_no_output_file(run_cli, model_path, tmp_path):
    out = tmp_path / "out.jsonl"
    bad_gz = tmp_path / "broken.jsonl.gz"
    bad_gz.write_bytes(gzip.compress(_jsonl(_records(50)))[:-40])  # truncated
    result = run_cli(["batch", str(bad_gz), "-o", str(out), "--model", model_path, "--jobs", "2", "--chunk-size", "5"])
    assert result.code == 1
    assert result.stderr.count("declutter: error:") == 1 and "cannot read" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was committed (fewer records than resume.COMMIT_RECORDS): no OUT, no OUT.part, no OUT.progress.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.jsonl.gz"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--field", "body"], "--field applies to JSONL input only"),
        (["--jobs", "2"], "--jobs applies to JSONL input only"),
        (["--jsonl", "--explain"], "not allowed with"),
        (["--jsonl", "--jobs", "0"], "0 jobs"),
        (["--jsonl", "--on-error", "ignore"], "invalid choice"),
        (["--jsonl", "--scheduler", "tcp://x:1"], "--scheduler needs --backend dask"),
        (["batch", "in.jsonl"], "-o/--output"),
    ],
)
def test_usage_errors_exit_2(run_cli, argv, message):
    result = run_cli(argv, b"")
    assert result.code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_model_or_input_is_one_line_and_exit_1(run_cli, model_path, tmp_path):
    missing_model = run_cli(["--jsonl", "--model", str(tmp_path / "none.skops")], _jsonl([{"text": GOOD}]))
    missing_input = run_cli(["batch", str(tmp_path / "none.jsonl"), "-o", "-", "--model", model_path])
    for result, message in ((missing_model, "does not exist"), (missing_input, "cannot read")):
        assert result.code == 1 and message in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_filter_still_takes_a_file_named_like_nothing_special(run_cli, model_path, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(GOOD + "\n", encoding="utf-8")
    assert run_cli([str(story), "--model", model_path, "--threshold", "1"]).text == GOOD + "\n"


def test_progress_bar_only_on_a_terminal(run_cli, model_path, monkeypatch):
    from declutter.cli import batch as cli

    argv = ["--jsonl", "--model", model_path]
    piped = run_cli(argv, _jsonl(_records(3)))
    assert len(piped.stderr.splitlines()) == 1  # the summary line only
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    tty = run_cli(argv, _jsonl(_records(3)))
    bar = tty.stderr.rsplit("\n", 2)[0]
    assert "3 docs" in bar and "MB/s" in bar
    assert run_cli([*argv, "--quiet"], _jsonl(_records(3))).stderr == ""


# ---------------------------------------------------------------- chunking, jobs, backends


def _run(model_path: str, data: bytes, **kwargs) -> bytes:
    from declutter.io.batch import BatchOptions, run_batch

    out = io.BytesIO()
    run_batch([(None, io.BytesIO(data))], out, BatchOptions(model=model_path), **kwargs)
    return out.getvalue()


def test_chunk_size_does_not_change_the_output(model_path):
    data = _jsonl(_records(9)) + b"bad\n" + _jsonl([{"text": GOOD}])
    outputs = {size: _run(model_path, data, jobs=1, chunk_size=size) for size in (1, 4, 1000)}
    assert outputs[1] == outputs[4] == outputs[1000]


@pytest.mark.parametrize("head_start", [True, False])
def test_two_worker_processes_give_the_same_bytes_as_one(model_path, monkeypatch, head_start):
    from declutter.io import pool

    monkeypatch.setattr(pool, "START_WORKERS_SECONDS", 0.0)  # workers even for this small input
    monkeypatch.setattr(pool, "HEAD_START", head_start)  # the parent cleans chunks while they start, or not
    data = _jsonl(_records(40)) + b"bad\n" + _jsonl(_records(5))
    assert _run(model_path, data, jobs=2, chunk_size=4) == _run(model_path, data, jobs=1)


def test_reading_is_streamed_not_whole_file(model_path):
    """When the first chunk is written, only a couple of chunks have been read."""
    from declutter.io.batch import BatchOptions, run_batch

    record = json.dumps({"text": GOOD}).encode() + b"\n"
    size, n_chunks = 5, 40

    class CountingInput(io.BytesIO):
        def readline(self, limit=-1):  # type: ignore[override]
            line = super().readline(limit)
            self.lines_read = getattr(self, "lines_read", 0) + bool(line)
            return line

    source = CountingInput(record * (size * n_chunks))
    seen_at_first_write = []

    class Out(io.BytesIO):
        def write(self, b):  # type: ignore[override]
            if not seen_at_first_write:
                seen_at_first_write.append(source.lines_read)
            return super().write(b)

    run_batch([(None, source)], Out(), BatchOptions(model=model_path), jobs=1, chunk_size=size)
    assert seen_at_first_write[0] <= 2 * size


def test_chunks_are_bounded_in_bytes_too():
    from declutter.io.batch import read_chunks

    line = b'{"text": "' + b"a" * 1000 + b'"}\n'
    chunks = list(read_chunks([("a", io.BytesIO(line * 100))], chunk_size=1000, chunk_bytes=10_000))
    assert max(len(c.raws) for c in chunks) == 10
    assert sum(len(c.raws) for c in chunks) == 100
    assert [n for c in chunks for _, n in c.where] == list(range(1, 101))


def test_chunks_span_files_so_small_files_make_full_chunks():
    from declutter.io.batch import read_chunks

    files = [(f"f{i}", io.BytesIO(b'{"text": "a"}\n\n{"text": "b"}\n')) for i in range(5)]
    (chunk,) = read_chunks(files, chunk_size=100)
    assert chunk.where == [(f"f{i}", n) for i in range(5) for n in (1, 3)]


def test_dask_backend_against_a_local_cluster(run_cli, model_path):
    distributed = pytest.importorskip("dask.distributed")
    data = _jsonl(_records(10)) + b"bad\n"
    expected = _run(model_path, data, jobs=1)
    # Two worker threads: with a single one joblib runs the tasks itself, in-process.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as observer, distributed.get_task_stream(observer) as stream:
        result = run_cli(
            ["--jsonl", "--model", model_path, "--backend", "dask", "--scheduler", cluster.scheduler_address,
             "--chunk-size", "3"],
            data,
        )
    assert result.code == 1, result.stderr  # the "bad" line
    assert result.stdout == expected
    assert len(stream.data) >= 4, stream.data  # 11 records in chunks of 3 ran as tasks on the cluster


def test_dask_backend_without_scheduler_or_without_dask(run_cli, model_path, monkeypatch):
    import sys

    no_scheduler = run_cli(["--jsonl", "--model", model_path, "--backend", "dask"], _jsonl(_records(1)))
    assert no_scheduler.code == 2 and "--backend dask needs --scheduler" in no_scheduler.stderr  # bad usage
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if the extra were not installed
    missing = run_cli(
        ["--jsonl", "--model", model_path, "--backend", "dask", "--scheduler", "tcp://127.0.0.1:1"], _jsonl(_records(1))
    )
    assert missing.code == 1 and "pip install 'declutter[dask]'" in missing.stderr


# ---------------------------------------------------------------- library API


def test_clean_records_for_engines_that_bring_their_own_parallelism(cleaner):
    from declutter.io.batch import clean_records

    errors = []
    records = [{"text": DOCS[0], "id": 1}, {"id": 2}, {"text": 3}]
    out = list(clean_records(records, cleaner=cleaner, chunk_size=2, on_error=lambda *e: errors.append(e)))
    assert out[0]["text"] == _expected(cleaner, DOCS[0]) and out[0]["id"] == 1
    assert out[1:] == records[1:]
    assert [(i, reason) for i, reason, _ in errors] == [(1, "missing_field"), (2, "not_string")]
    assert records[0]["text"] == DOCS[0]  # inputs are not modified


# ---------------------------------------------------------------- docs


def test_every_batch_option_is_documented():
    from declutter.cli import subcommands, build_command_parser

    doc = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    parser = subcommands(build_command_parser())["batch"]
    flags = {opt for action in parser._actions for opt in action.option_strings if opt.startswith("--")}
    missing = sorted(f for f in flags - {"--help"} if f not in doc)
    assert not missing, f"not in docs/batch.md: {missing}"


def test_spark_recipe_in_the_docs_uses_the_public_api():
    doc = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    assert "mapPartitions" in doc and "clean_records" in doc
    from declutter.io.batch import clean_records  # noqa: F401 - the name the recipe uses


def test_readme_example_paths_exist():
    assert Path(ROOT / "benchmarks" / "throughput.py").exists()


def test_the_garbage_collector_rests_during_a_chunk_and_is_restored_after():
    import gc

    from declutter.io.workers import fewer_collections

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with fewer_collections(young_threshold=12_345):
        assert gc.get_threshold()[0] == 12_345
        assert gc.get_freeze_count() > frozen  # what existed before the chunk is left out
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a failing chunk")
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


# ---------------------------------------------------------------- rough edges (issue 22)


def test_jsonl_html_reads_the_html_field_and_writes_text_by_default(run_cli, model_path):
    page = f"<!DOCTYPE html><html><body><nav>Home</nav><article><p>{GOOD}</p></article></body></html>"
    argv = ["--jsonl", "--html", "--model", model_path, "--threshold", "1", "-q", "--jobs", "1"]
    result = run_cli(argv, _jsonl([{"id": 1, "html": page}]))
    assert result.code == 0, result.stderr
    (record,) = _parse(result.stdout)
    assert record["html"] == page and GOOD in record["text"]


def test_dask_without_a_scheduler_is_bad_usage(run_cli, model_path):
    result = run_cli(["--jsonl", "--backend", "dask", "--model", model_path], _jsonl([{"text": GOOD}]))
    assert result.code == 2
    assert result.stderr == "declutter: error: --backend dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)\n"


def test_a_line_too_long_to_hold_is_reported_in_characters_the_unit_of_max_chars(model_path):
    from declutter.io.batch import BatchOptions, run_batch

    options = BatchOptions(model=model_path, max_chars=10)
    huge = b'{"text": "' + b"a" * (options.max_line_bytes + 10) + b'"}\n'
    errors: list = []
    run_batch([("in.jsonl", io.BytesIO(huge))], io.BytesIO(), options, jobs=1, on_record_error=errors.append)
    (error,) = errors
    assert error.error.startswith("too long for --max-chars 10 characters: ")


# Shapes where the two paths kept different lines before surrogates were replaced in one place:
# clean() classified the surrogates and its mojibake repair replaced them after (or, for
# "\udc00\ud800\udc00\ud800", paired the middle two into U+10000); JSONL replaced them first.
SURROGATE_DOCS = [
    "\ud800\ud800 News\n\n" + GOOD + "\n",
    "\udc00\ud800\n\n" + GOOD + "\n",
    "\udc00\ud800\udc00\ud800 News\n\n" + GOOD + "\n",
    "The council met on Monday \ud800 and agreed to extend the ceasefire for another week, officials said.\n",
]


@pytest.mark.parametrize("text", SURROGATE_DOCS)
def test_jsonl_and_clean_treat_lone_surrogates_alike(run_cli, text):
    """The JSONL path and `clean()` keep the same lines, each lone surrogate a U+FFFD (declutter.inputs)."""
    import declutter

    line = json.dumps({"text": text}).encode() + b"\n"  # JSON carries a lone surrogate as "\ud800"
    result = run_cli(["--jsonl", "-q", "--jobs", "1"], line)
    assert result.code == 0, result.stderr
    (record,) = _parse(result.stdout)
    carried = json.loads(line)["text"]  # JSON joins an escaped pair ("\ud800\udc00" is U+10000): the rest stay lone
    assert record["text"] == declutter.clean(carried)
    assert "\ufffd" in declutter.clean(carried, declutter.Config(threshold=1.0, repair=False))
