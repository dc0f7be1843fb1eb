"""Legacy encodings: input that is not UTF-8 comes out with every letter it had.

The cases are in `fixtures/encodings.json` (schema: `fixtures/README-encodings.md`):
multi-sentence articles in thirteen legacy encodings, cleaned by the CLI with
the shipped model, and short inputs where detection has little to go on.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import FIXTURES

TABLE = json.loads((FIXTURES / "encodings.json").read_text(encoding="utf-8"))
ARTICLES = TABLE["articles"]
SHORT = TABLE["short"]
_NAMED = re.compile(r"decoded as (\S+) \((\w+)")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("case", ARTICLES, ids=[c["name"] for c in ARTICLES])
def test_legacy_encoded_article_comes_out_with_every_letter(run_cli, case):
    data = case["text"].encode(case["encoding"])
    result = run_cli([], data)
    assert result.code == 0, result.stderr
    assert "\ufffd" not in result.text
    kept = _lines(result.text)
    assert kept and set(kept) <= set(_lines(case["text"])), result.text  # the article's own lines, letter for letter
    (warning,) = result.stderr.splitlines()  # one line, naming the encoding chosen
    named, how = _NAMED.search(warning).groups()
    assert how == "detected" and data.decode(named) == case["text"]


@pytest.mark.parametrize("case", ARTICLES, ids=[c["name"] for c in ARTICLES])
def test_encoding_flag_forces_the_named_encoding_without_a_warning(run_cli, case):
    result = run_cli(["--encoding", case["encoding"]], case["text"].encode(case["encoding"]))
    assert (result.code, result.stderr) == (0, "")
    assert set(_lines(result.text)) <= set(_lines(case["text"]))


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c["known_failure"])) if "known_failure" in c else c for c in SHORT],
    ids=[c["name"] for c in SHORT],
)
def test_short_input_is_utf8_then_detected_then_cp1252(case):
    from declutter.io.textio import decode_bytes

    text, warnings = decode_bytes(bytes.fromhex(case["bytes_hex"]))
    assert text == case["expect"]
    (warning,) = warnings
    if case["how"] == "utf-8":
        assert warning.startswith("input is not all valid UTF-8: ")
    elif case["how"] == "fallback":
        assert "could not be told: decoded as cp1252" in warning
    else:
        assert f"({case['how']};" in warning


def test_a_page_is_decoded_in_the_charset_it_declares():
    from declutter.io.textio import decode_bytes

    page = '<html><head><meta charset="windows-1251"><title>Новости</title></head><body><p>Москва</p></body></html>'
    text, warnings = decode_bytes(page.encode("cp1251"))
    assert text == page and warnings == ["input is not valid UTF-8: decoded as cp1251 (declared; --encoding NAME to choose)"]


def test_an_unknown_encoding_name_is_bad_usage(run_cli):
    result = run_cli(["--encoding", "klingon"], b"text\n")
    assert result.code == 2
    assert "declutter: error: argument --encoding: unknown encoding 'klingon'" in result.stderr


def test_jsonl_is_utf8_so_encoding_with_jsonl_is_bad_usage(run_cli):
    result = run_cli(["--jsonl", "--encoding", "cp1252"], b'{"text": "x"}\n')
    assert result.code == 2
    assert "JSONL is UTF-8 by its spec" in result.stderr
