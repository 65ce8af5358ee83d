"""Analysis memory grows linearly with the article (``benchmarks/bench_memory.py`` measures real 4 MB articles).

Memory is what numpy, scipy and Python allocate (tracemalloc), on distinct text whose vocabulary keeps growing as
news does: a repeated paragraph would hide work that grows with the square of the number of sentences.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np

from narrascope.api.limits import MB_PER_MILLION_CHARS
from narrascope.document import Article
from narrascope.pipeline import load

from .conftest import EXAMPLES


def distinct_text(chars: int, seed: int = 0) -> str:
    """Paragraphs of sentences over a vocabulary that grows with the text (Heaps' law), with capitalised names,
    built from the words of the example articles and made-up ones."""
    rng = np.random.default_rng(seed)
    found = {word.strip(".,;:!?\"'()«»") for path in EXAMPLES.glob("*.txt") for word in path.read_text().split()}
    words = sorted(word for word in found if word.isalpha())
    syllables = ["ka", "ro", "mi", "ten", "sa", "vol", "dri", "an", "pe", "lu", "gor", "ist"]
    paragraphs, size = [], 0
    while size < chars:
        sentences = []
        for _ in range(int(rng.integers(2, 6))):
            if rng.random() < 0.3:  # a new word enters the vocabulary
                words.append("".join(rng.choice(syllables, size=int(rng.integers(2, 4)))))
            chosen = [words[int(len(words) * rng.random() ** 2)] for _ in range(int(rng.integers(8, 20)))]
            chosen[int(rng.integers(len(chosen)))] = chosen[0].capitalize() + " " + words[-1].capitalize()
            sentences.append(" ".join(chosen).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 1
    return "Title of a long report\n" + "\n".join(paragraphs)[:chars]


def peak_bytes(text: str) -> int:
    pipeline = load(engine="fast")
    tracemalloc.start()
    try:
        pipeline(Article("long", text))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_analysis_memory_grows_linearly_with_the_article():
    load(engine="fast")(Article("warm-up", distinct_text(5_000, seed=1)))  # models and caches loaded first
    short, long = peak_bytes(distinct_text(60_000)), peak_bytes(distinct_text(240_000))
    # Four times the text, at most 4.5 times the memory; and within what the server budgets per character (pairwise
    # sentence work made it 1 kB a character).
    assert long / short <= 4.5, (short, long)
    assert long <= MB_PER_MILLION_CHARS * 240_000, long


def test_dense_heads_score_many_rows_without_float64_copies_of_them_all():
    """A 4 MB article has ~47,000 mention candidates: scoring them standardised all rows in float64 at once (two
    copies, each twice the float32 input), which was most of the default engine's peak on long articles."""
    from narrascope.ml.dense import SCORE_ROWS, DenseLogistic

    rng = np.random.default_rng(0)
    model = DenseLogistic(C=1.0).fit(rng.normal(size=(200, 768)), rng.integers(0, 2, size=(200, 2)))
    rows = rng.normal(size=(8 * SCORE_ROWS, 768)).astype(np.float32)
    expected = np.concatenate([model.linear_scores(row[None]) for row in rows[:: SCORE_ROWS // 2]])
    tracemalloc.start()
    scores = model.linear_scores(rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert np.allclose(scores[:: SCORE_ROWS // 2], expected)
    # One float64 block at a time (a quarter of the input here); all rows at once peaked at four times the input, and
    # a new block allocated while the last one lived at half of it.
    assert peak < 0.3 * rows.nbytes


def test_features_built_per_block_score_like_all_rows_at_once():
    """Heads that build features from the encoder's pass score a long article's rows a block at a time; the result
    is the same as scoring all rows, in order, and no block is ever larger than asked."""
    from narrascope.ml.dense import score_in_blocks

    values = np.arange(10_001, dtype=float)
    seen = []

    def score(rows: slice) -> np.ndarray:
        seen.append(len(values[rows]))
        return values[rows] * 2

    assert np.array_equal(score_in_blocks(len(values), score, block=4096), values * 2)
    assert seen == [4096, 4096, 1809]
    assert score_in_blocks(0, score).shape == (0,)


def test_a_long_batch_gives_freed_memory_back_after_every_step(monkeypatch):
    """What one step of a long analysis freed must not stay in the process's heap into the next step's peak."""
    import narrascope.pipeline as pipeline_module
    from narrascope.heap import LONG_BATCH_CHARS

    released = []
    monkeypatch.setattr(pipeline_module, "release_free_memory", lambda: released.append(True))

    class Step:
        name, version = "step", "1"

        def annotate(self, analyses):
            pass

    pipeline = pipeline_module.Pipeline([Step(), Step(), Step()])
    pipeline(Article("short", "A short text."))
    assert released == []  # trimming takes milliseconds: not for every small article
    pipeline(Article("long", "word " * (LONG_BATCH_CHARS // 5 + 1)))
    assert len(released) == 3


def test_release_free_memory_runs_where_the_c_library_has_malloc_trim():
    from narrascope.heap import _malloc_trim, release_free_memory

    release_free_memory()  # never raises, with or without glibc
    assert _malloc_trim() is not None or not Path("/proc/self/maps").exists()


def test_long_text_tokens_are_read_from_offsets_not_kept_as_tuples():
    """The mention detector's tokens of a long article: the same ``(start, end, token)`` as ``token_spans``, at a
    fraction of the memory (tuples of ints and strings took about 180 bytes a token)."""
    from narrascope.text.tokens import TokenSpans, token_spans

    text = distinct_text(200_000, seed=3) + " Россия, भारत — x\nend"
    expected = token_spans(text)
    tracemalloc.start()
    tokens = TokenSpans(text)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert list(tokens) == expected and len(tokens) == len(expected)
    assert [tokens[i] for i in (0, 7, len(expected) - 1, -1)] == [expected[i] for i in (0, 7, len(expected) - 1, -1)]
    assert tokens[5:9] == expected[5:9]
    assert held < 40 * len(expected)  # two 8-byte offsets a token (arrays grow by up to an eighth)
