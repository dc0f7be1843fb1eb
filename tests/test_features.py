"""Feature extraction: batch invariance (no leaks across documents) and the signals it must see."""

from __future__ import annotations

import numpy as np
import pytest

from declutter.features import CONTEXT_NAMES, OWN_NAMES, Vocabulary, build_vocabulary, context_features, line_features, token_matrix

DOCS = [
    ["Support us!", "Read more", "Putin said on Monday that the troops would rest before the next push.", "kremlin.ru"],
    ["Der Kanzler sagte am Montag, die Gespräche würden fortgesetzt.", "Lesen Sie auch", "Mehr zum Thema"],
    ["一个很长的中文句子，没有空格，但仍然是文章的一部分。"],
    [],
    ["Same line here", "Same line here"],
]


def _features(docs):
    f = line_features(docs)
    rng = np.random.default_rng(0)
    stage1 = rng.dirichlet([1, 1, 1], size=f.n_lines)
    return f, stage1


def test_features_of_a_batch_equal_features_of_each_document_alone():
    batch, stage1 = _features(DOCS)
    ctx = context_features(batch, stage1)
    offset = 0
    for doc in DOCS:
        alone = line_features([doc])
        n = len(doc)
        np.testing.assert_allclose(alone.own, batch.own[offset : offset + n], rtol=1e-6)
        np.testing.assert_allclose(
            context_features(alone, stage1[offset : offset + n]), ctx[offset : offset + n], rtol=1e-6
        )
        offset += n


def test_shapes_match_the_declared_names():
    f, stage1 = _features(DOCS)
    assert f.own.shape == (f.n_lines, len(OWN_NAMES))
    assert context_features(f, stage1).shape == (f.n_lines, len(CONTEXT_NAMES))


def test_markers_domains_and_duplicates_are_seen():
    f = line_features(DOCS)
    col = {name: f.own[:, i] for i, name in enumerate(OWN_NAMES)}
    texts = f.texts
    assert col["is_marker"][texts.index("Read more")] == 1
    assert col["is_marker"][texts.index("Lesen Sie auch")] == 1
    assert col["is_domain"][texts.index("kremlin.ru")] == 1
    assert col["is_duplicate"].tolist()[-2:] == [0, 1]
    cjk = texts.index(DOCS[2][0])
    assert col["log_words"][cjk] > np.log1p(5)  # a caseless script still counts as a long line


def test_token_matrix_rows_follow_lines_and_mark_line_starts():
    texts = ["Read more about: war", "", "read more"]
    vocab = Vocabulary(build_vocabulary(texts, min_count=1))
    m = token_matrix(texts, vocab)
    assert m.shape[0] == 3
    assert m[1].nnz == 1  # an empty line still has its start/end bigram
    shared = set(m[0].indices) & set(m[2].indices)
    assert len(shared) >= 3  # "read", "more" and the line-start bigram "\0 read"


def test_empty_batch():
    f = line_features([])
    assert f.n_lines == 0 and f.own.shape == (0, len(OWN_NAMES))


def test_credits_and_bylines_are_seen_but_not_sentences_that_look_like_them():
    lines = [
        "With reporting by Reuters, AP, TASS, and dpa",
        "By Jane Doe",
        "Photo: AP",
        "A resident walks past a destroyed building in Lysychansk, July 4, 2022. REUTERS/Alexander Ermochenko",
        "The president waves to supporters (AP Photo/Evan Vucci)",
        "By Tuesday, the storm had passed.",
        "The hotline is open 24/7 and answers in and/or out of hours.",
        "Photographs by the river show the flood.",
    ]
    f = line_features([lines])
    credit = f.own[:, OWN_NAMES.index("is_credit")].tolist()
    ends_credit = f.own[:, OWN_NAMES.index("ends_credit")].tolist()
    assert credit == [1, 1, 1, 1, 1, 0, 0, 0]
    assert ends_credit == [0, 0, 0, 1, 1, 0, 0, 0]


def test_duplicates_ignore_case_but_not_a_different_middle():
    head, tail = "A" * 90, "z" * 40
    lines = ["Same Line here", "same line HERE", head + " one middle " + tail, head + " another middle " + tail]
    dup = line_features([lines]).own[:, OWN_NAMES.index("is_duplicate")].tolist()
    assert dup == [0, 1, 0, 0]


def test_the_vocabulary_breaks_count_ties_by_token_so_training_is_reproducible():
    # Tokens of equal count come out in token order, not in the order a set
    # happened to hold them: with the old first-seen order the words kept at
    # the size cut, and every column number, followed the process's
    # string-hash seed (PYTHONHASHSEED), so two runs trained two models.
    texts = ["delta alpha charlie bravo echo", "echo bravo delta charlie alpha"] * 3
    # size=4: the line-boundary token ties too and takes one of the four (it has index 1 anyway)
    assert build_vocabulary(texts, size=4, min_count=1)[3:] == ["alpha", "bravo", "charlie"]


def test_the_vocabulary_is_the_same_under_any_string_hash_seed():
    import os
    import subprocess
    import sys

    code = (
        "from declutter.features import build_vocabulary;"
        "words = [f'w{i}' for i in range(200)];"
        "print(build_vocabulary([' '.join(words[i:] + words[:i]) for i in range(0, 200, 7)], size=50, min_count=1))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_features_counted_in_small_character_chunks_are_the_same(monkeypatch, chunk):
    """`_character_pass` classifies a batch CHAR_CHUNK characters at a time (bounded memory for
    a 50 MB line): chunk edges inside words, lines and "(c) " change no feature."""
    from conftest import SEEDS

    from declutter.features import lines as line_module

    docs = [p.read_text(encoding="utf-8").splitlines() for p in SEEDS[:3]]
    docs.append(["", "(c) 2022 Reuters", "A (C) mark / and AP Photo/Evan Vucci", "\ud800 lone", "Emoji 👍🏽 ok.", ""])
    docs.append(["x"])
    whole = line_module.line_features(docs)
    monkeypatch.setattr(line_module, "CHAR_CHUNK", chunk)
    chunked = line_module.line_features(docs)
    np.testing.assert_array_equal(whole.own, chunked.own)
    for name in ("long", "marker", "duplicate"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(chunked, name))


def test_a_long_line_costs_memory_by_the_chunk_not_by_its_length():
    """An 8 MB line made 136 MB of per-character arrays in one pass; in CHAR_CHUNK pieces the
    peak is the chunk's arrays plus the line's own copies (the joined batch, its lower-cased head)."""
    import tracemalloc

    from declutter.features import lines as line_module

    line = "a b " * 2_000_000
    tracemalloc.start()
    try:
        line_features([[line]])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(line) + 30 * line_module.CHAR_CHUNK
