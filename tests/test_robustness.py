"""Inputs that must never break declutter: a table of hostile inputs, linear time, and fuzzing.

Every case runs the real CLI in process (single-document mode) with the small
seed-trained model and `--threshold 1`, so every line is kept and every
repair runs on it -- the slowest path. A case passes when it gives a sensible
output or exactly one-line messages (`declutter: ...`), never a traceback,
within its time budget.

Sizes are scaled down to keep the suite quick (a 50 MB line becomes 2-5 MB, a
million short lines 40,000). Linear time is checked without a wall-clock
budget: the same input at two sizes 4x apart must take less than 8x the CPU
time (linear work takes ~4x, quadratic ~16x), a ratio a busy machine does
not distort much. The full-size figures are in docs/batch.md.

Known failures stay in the table, marked xfail with the module to fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD = "The council met on Monday and agreed to extend the ceasefire for another week, officials said."
BODY = (GOOD + "\n\n") * 3


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[], bytes]
    expect: str  # "empty" | "text" | "error"
    contains: str = ""  # the output contains this (expect == "text")
    message: str = ""  # stderr contains this
    argv: tuple[str, ...] = ()


def _html_page() -> bytes:
    nav = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(50))
    return (
        "<!DOCTYPE html><html><head><title>A story</title><style>p{color:red}</style>"
        "<script>var tracking = {id: 1};</script></head><body>"
        f"<nav><ul>{nav}</ul></nav><article><h1>A story</h1><p>{GOOD}</p><p>{GOOD}</p></article>"
        "<footer>© 2024 Example Media. All rights reserved.</footer></body></html>"
    ).encode()


CASES = [
    Case("empty input", lambda: b"", "empty"),
    Case("whitespace only", lambda: b" \n\t\r\n  \n\x0c\n", "empty"),
    Case("binary data", lambda: bytes(range(256)) * 256, "error", message="binary data"),
    Case("a PNG header", lambda: b"\x89PNG\r\n\x1a\n" + bytes(200) + b"IHDR" * 50, "error", message="binary data"),
    Case("NUL bytes inside text", lambda: BODY.encode().replace(b"council", b"coun\x00cil"), "text", "council", "NUL"),
    Case("invalid UTF-8", lambda: BODY.encode() + b"caf\xe9 \xff\xfe\xc3", "text", GOOD, "not valid UTF-8"),
    Case("UTF-8 with a cp1252 byte", lambda: ("Zürich und Genève. " * 20).encode() + b"caf\xe9", "text", "café", "1 byte(s) read as cp1252"),
    Case("UTF-8 with a sequence cut short", lambda: ("Zürich und Genève. " * 20).encode() + b"caf\xe2\x80.", "text", "caf\ufffd", "replaced with U+FFFD"),
    Case("CESU-8 surrogate bytes", lambda: BODY.encode() + b"\xed\xa0\x80", "text", GOOD, "not valid UTF-8"),
    Case("UTF-8 with a BOM", lambda: b"\xef\xbb\xbf" + BODY.encode(), "text", GOOD),
    Case("UTF-16 with a BOM", lambda: BODY.encode("utf-16"), "text", GOOD),
    Case("UTF-16-BE with a BOM", lambda: b"\xfe\xff" + BODY.encode("utf-16-be"), "text", GOOD),
    Case("UTF-32 with a BOM", lambda: BODY.encode("utf-32"), "text", GOOD),
    Case("UTF-16 without a BOM", lambda: BODY.encode("utf-16-le"), "text", GOOD, "no byte-order mark"),
    Case("Latin-1 text", lambda: ("Le conseil s'est réuni à Genève. " * 20).encode("latin-1"), "text", "Genève", "decoded as cp1252"),
    Case("Shift-JIS text", lambda: ("東京都は月曜日、新しい防災計画を発表した。" * 20).encode("shift_jis"), "text", "防災計画", "decoded as cp932"),
    Case("CRLF and lone CR line ends", lambda: BODY.replace("\n", "\r\n").encode() + b"One more line.\rAnd another.", "text", "And another."),
    Case("Unicode line and paragraph separators", lambda: (GOOD + "\u2028" + GOOD + "\u2029" + GOOD).encode(), "text", GOOD),
    Case("terminal escapes and control characters", lambda: b"\x1b[31m" + GOOD.encode() + b"\x1b[0m\x07\x08\n", "text", "ceasefire"),
    Case("only punctuation and symbols", lambda: b"!!! ??? ... --- *** ### @@@ \xe2\x80\x9c\xe2\x80\x9d\n" * 50, "text", "!!!"),
    Case("emoji and astral characters", lambda: ("😀🎉 " * 1000 + GOOD).encode(), "text", "😀"),
    Case("right-to-left and combining marks", lambda: ("\u202eabc\u202c e\u0301\u0301\u0301 " * 500).encode(), "text", "abc"),
    Case("an HTML page given as text", _html_page, "text", GOOD),
    Case("an HTML page forced to plain text", _html_page, "text", "<p>", argv=("--text",)),
    Case("HTML nested 10,000 deep", lambda: b"<html><body>" + b"<div>" * 10_000 + GOOD.encode() + b"</div>" * 10_000, "text", GOOD),
    Case("a 2 MB single line", lambda: (GOOD + " ") .encode() * 21_000, "text", "ceasefire"),
    Case("a 2 MB line without spaces", lambda: b"x" * 2_000_000, "text", "xxx"),
    Case("40,000 short lines", lambda: "".join(f"Item {i}: {i % 7}\n" for i in range(40_000)).encode(), "text", "Item 39999"),
    Case("40,000 blank lines around a story", lambda: b"\n" * 20_000 + BODY.encode() + b"\n" * 20_000, "text", GOOD),
    Case("200,000 quote marks", lambda: ('"' * 200_000).encode(), "text", '"'),
    Case("a metadata header and nothing else", lambda: b" date 2022-07-04 ", "empty"),
]


pytestmark = pytest.mark.usefixtures("load_each_model_file_once")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gives_output_or_one_line_messages(run_cli, model_path, case):
    data = case.make()
    result = run_cli(["--model", model_path, "--threshold", "1", *case.argv], data)
    assert "Traceback" not in result.stderr
    assert all(line.startswith("declutter: ") for line in result.stderr.splitlines()), result.stderr
    assert case.message in result.stderr
    if case.expect == "error":
        assert result.code == 1 and result.stdout == b""
        assert len(result.stderr.splitlines()) == 1
    else:
        assert result.code == 0, result.stderr
        text = result.stdout.decode("utf-8")  # always valid UTF-8
        if case.expect == "empty":
            assert text == ""
        else:
            assert case.contains in text and text.endswith("\n")


# ---------------------------------------------------------------- linear time


def _cpu_seconds(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


@pytest.fixture(scope="module")
def keep_all_cleaner(tiny_model):
    from declutter import Cleaner, Config

    cleaner = Cleaner(Config(threshold=1.0), model=tiny_model[0])
    cleaner.clean(BODY)  # one-off costs (tables, lazy imports) outside the timings
    return cleaner


LINEAR = [
    # make(n) -> a text of about n characters; the test also runs 4n
    pytest.param(lambda n: (GOOD + " ") * (n // (len(GOOD) + 1)), 300_000, id="one long line"),
    pytest.param(lambda n: "".join(f"Item {i}: {i % 7}\n" for i in range(n // 12)), 120_000, id="short lines"),
    pytest.param(lambda n: "He said “it will” happen, and ‘so’ it \"did\". \n\n" * (n // 48), 50_000, id="quotes"),
    pytest.param(lambda n: "“heroes of russiafor " * (n // 21), 4_000, id="many open quotations with glued words"),
]


@pytest.mark.parametrize("make, n", LINEAR)
def test_time_is_linear_in_the_input(keep_all_cleaner, make, n):
    small, big = make(n), make(4 * n)
    # Fastest of a few runs on both sides: one slow run on a busy CI machine
    # once took the short-lines case past 8x (its ratio is 4.5-6x, idle).
    t_small = min(_cpu_seconds(lambda: keep_all_cleaner.clean(small)) for _ in range(3))
    t_big = min(_cpu_seconds(lambda: keep_all_cleaner.clean(big)) for _ in range(2))
    # Linear: ~4x. Quadratic: ~16x. The floor keeps timer noise on tiny inputs out.
    assert t_big < 8 * max(t_small, 0.05), f"{t_small:.3f}s for {len(small):,} chars, {t_big:.3f}s for 4x"


def test_html_rendering_time_is_linear_in_nesting_depth():
    from declutter.io.html import html_to_lines

    def page(depth: int) -> str:
        return "<html><body>" + "<div>" * depth + GOOD + "</div>" * depth

    small, big = page(10_000), page(40_000)
    t_small = min(_cpu_seconds(lambda: html_to_lines(small)) for _ in range(3))
    t_big = min(_cpu_seconds(lambda: html_to_lines(big)) for _ in range(2))
    assert t_big < 8 * max(t_small, 0.05), f"{t_small:.3f}s for depth 10,000, {t_big:.3f}s for 40,000"
    assert html_to_lines(big) == [GOOD]  # the text of the deepest element is still there


# ---------------------------------------------------------------- fuzzing


@pytest.fixture(scope="module")
def default_cleaner_is_tiny(tiny_model):
    """`declutter.clean()` with the tiny model standing in for the shipped one.

    The properties fuzzed here hold for any model, and the shipped one may
    not exist (or not match the current features) while it is retrained.
    """
    import declutter
    from declutter import pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "cached_model", lambda path: tiny_model[0])
        declutter._cleaner.cache_clear()
        yield
    declutter._cleaner.cache_clear()


LINES = [
    "Read more", "SEE ALSO:", "Support The Moscow Times!", "© 2022 Reuters", "kremlin.ru", "Photo: AP",
    GOOD, "“We will not give up,” she said.", "He called it \"a disaster\" , adding:", " date 2022-07-04 Title here",
    "1. Mix the flour", "Monday: 10-12", "", "   ", "\t", "Ã©tÃ© à Paris", "a\u00a0b\u200bc\u00ad", "Shafaq News/ Iraq said",
]
documents = st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=80)), max_size=25).flatmap(
    lambda lines: st.sampled_from(["\n", "\n\n", "\r\n"]).map(lambda sep: sep.join(lines))
)
texts = st.one_of(st.text(max_size=400), documents)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text=texts)
def test_clean_returns_tidy_text_for_any_input(default_cleaner_is_tiny, text):
    import declutter

    out = declutter.clean(text)
    assert isinstance(out, str)
    assert out == "" or (out.endswith("\n") and not out.startswith("\n"))
    assert "\n\n\n" not in out and "\r" not in out
    assert out == declutter.clean(text)  # deterministic


@FUZZ
@given(text=texts)
def test_without_repairs_every_output_line_is_an_input_line_in_order(default_cleaner_is_tiny, text):
    import declutter
    from declutter.document import split_document

    out = declutter.clean(text, declutter.Config(repair=False, cut_notices=False))
    source = iter(split_document(text).texts)
    for line in (line for line in out.split("\n") if line):
        assert any(line == candidate for candidate in source), line  # consumes `source`: order kept


@FUZZ
@given(batch=st.lists(texts, max_size=6))
def test_cleaning_a_batch_equals_cleaning_each_document(tiny_model, batch):
    """Batch mode's premise: one model call over many documents leaks nothing between them."""
    from declutter import Cleaner

    cleaner = Cleaner(model=tiny_model[0])
    assert cleaner.clean_many(batch) == [cleaner.clean(t) for t in batch]


@FUZZ
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-16")))
def test_decoding_any_bytes_gives_text_or_an_input_error(data):
    from declutter.errors import InputError
    from declutter.io.textio import decode_bytes

    try:
        text, warnings = decode_bytes(data)
    except InputError as exc:
        assert "binary" in str(exc)
        return
    assert isinstance(text, str) and "\x00" not in text
    text.encode("utf-8")  # no lone surrogates reach the library
    assert all(isinstance(w, str) for w in warnings)


def test_a_lone_surrogate_in_a_python_string(default_cleaner_is_tiny):
    import declutter

    out = declutter.clean("A story \ud800 with a lone surrogate in it, which JSON can carry.\n")
    assert isinstance(out, str)
