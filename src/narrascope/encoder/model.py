"""The reading engine: multilingual-e5-small run with ONNX Runtime on the CPU, one pass per article.

An article is read in windows of whole sentences (up to ``WINDOW_TOKENS`` tokens each, every token in exactly one
window, so nothing is truncated and nothing is read twice); a sentence longer than a window is cut into window-size
pieces. Each window is ``<s> passage: … </s>``, as multilingual-e5 was trained to read passages.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from narrascope.encoder.encoding import Encoding
from narrascope.encoder.graph import cached_graph
from narrascope.encoder.tokenizer import UnigramTokenizer
from narrascope.encoder.version import OUTPUT_LAYERS, VERSION, WINDOW_TOKENS
from narrascope.encoder.weights import WEIGHTS_SHA256, E5Weights
from narrascope.errors import ModelError

PASSAGE_PREFIX = "passage:"
#: Articles over this many tokens (about 250 kB of text) keep their token vectors as int8 (see :class:`Encoding`):
#: float16 would take 1.5 kB a token, 1.4 GB for a 4 MB article.
COMPACT_TOKENS = 65_536


class Encoder:
    """``encode(texts, sentence_spans)`` → one :class:`Encoding` per text."""

    name = "encoder"
    version = VERSION

    def __init__(self, weights: E5Weights | None = None, *, threads: int | None = None) -> None:
        import onnxruntime

        self.weights = weights or E5Weights()
        self.tokenizer = UnigramTokenizer(self.weights.vocabulary)
        vocabulary = self.weights.vocabulary
        self._bos, self._eos = vocabulary.bos, vocabulary.eos
        self._prefix = self.tokenizer.encode([PASSAGE_PREFIX])[0].ids
        self._content = WINDOW_TOKENS - 2 - len(self._prefix)
        config = self.weights.config
        self._hidden = config.hidden
        self._positions = self.weights.dense("emb.pos", (config.positions, config.hidden))
        self._type = self.weights.dense("emb.type", (config.token_types, config.hidden))[0]
        self._norm = (self.weights.dense("emb.ln.w"), self.weights.dense("emb.ln.b"), config.eps)
        options = onnxruntime.SessionOptions()
        # One thread per process: two threads per worker collapse under contention (analyze --workers scales out).
        options.intra_op_num_threads = threads or int(os.environ.get("NARRASCOPE_ENCODER_THREADS", "1"))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No arena: it keeps a window's activations (~15 MB) for the process's life, at no measured speed gain.
        options.enable_cpu_mem_arena = False
        self._session = self._open_session(options)
        self._outputs = [output.name for output in self._session.get_outputs()]

    def encode(self, texts: Sequence[str], sentence_spans: Sequence[Sequence[tuple[int, int]]]) -> list[Encoding]:
        """Token vectors of each text, read sentence by sentence (``sentence_spans``: offsets into the text), with
        the sentences' vectors pooled once for every head."""
        encodings = []
        for text, spans in zip(texts, sentence_spans, strict=True):
            spans = list(spans) or [(0, len(text))]
            pieces = self.tokenizer.encode([text[start:end] for start, end in spans])
            ids = np.concatenate([piece.ids for piece in pieces]) if pieces else np.zeros(0, np.int64)
            offsets = np.concatenate(
                [piece.offsets + start for piece, (start, _) in zip(pieces, spans, strict=True)]
            ).reshape(-1, 2)
            windows = self._windows([len(piece.ids) for piece in pieces], ids)
            compact = len(ids) > COMPACT_TOKENS
            encodings.append(self._read(offsets, windows, compact=compact).with_sentences(spans))
            if compact:
                self.weights.release_pages()
        return encodings

    def _read(self, offsets: np.ndarray, windows: list[np.ndarray], *, compact: bool) -> Encoding:
        """Every window's hidden states written into arrays sized for the whole article as they arrive (a list of
        windows and its concatenation would hold the article twice); ``compact``: int8 with a float32 scale per
        window and dimension (the largest magnitude of the dimension in the window maps to 127)."""
        size = sum(len(window) for window in windows)
        layers = {layer: np.empty((size, self._hidden), np.int8 if compact else np.float16) for layer in OUTPUT_LAYERS}
        scales = {layer: np.ones((len(windows), self._hidden), np.float32) for layer in OUTPUT_LAYERS}
        start = 0
        for number, window in enumerate(windows):
            for layer, states in zip(OUTPUT_LAYERS, self._run(window), strict=True):
                if compact:
                    peak = np.abs(states).max(axis=0)
                    scales[layer][number] = np.where(peak > 0, peak / 127, 1.0)
                    states = np.rint(states / scales[layer][number])
                layers[layer][start : start + len(window)] = states
            start += len(window)
        if not compact:
            return Encoding(offsets, layers)
        return Encoding(offsets, layers, scales, np.repeat(np.arange(len(windows)), [len(w) for w in windows]))

    def _windows(self, sentence_sizes: Sequence[int], ids: np.ndarray) -> list[np.ndarray]:
        """Consecutive whole sentences packed into windows of at most ``self._content`` tokens."""
        windows, start, size = [], 0, 0
        for sentence in sentence_sizes:
            if size and size + sentence > self._content:
                windows.append(ids[start : start + size])
                start, size = start + size, 0
            size += sentence
            while size > self._content:  # a sentence longer than a window: cut it
                windows.append(ids[start : start + self._content])
                start, size = start + self._content, size - self._content
        if size:
            windows.append(ids[start : start + size])
        return windows

    def _open_session(self, options: Any) -> Any:
        """The ONNX Runtime session of the cached graph; a cached file that does not load is rebuilt once."""
        import onnxruntime

        path = cached_graph(self.weights, WEIGHTS_SHA256)
        for attempt in range(2):
            try:
                return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            except Exception as error:  # onnxruntime raises its own classes for every kind of bad file
                if attempt:
                    raise ModelError(
                        f"{path}: the encoder graph does not load ({error}); delete it to rebuild"
                    ) from None
                path.unlink(missing_ok=True)
                path = cached_graph(self.weights, WEIGHTS_SHA256)
        raise AssertionError("unreachable")

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        """The graph's input: word + position + token-type embeddings, layer-normalised (tokens × hidden)."""
        x = self.weights.embed_words(ids) + self._positions[: len(ids)] + self._type
        weight, bias, eps = self._norm
        x = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) * weight + bias
        return x.astype(np.float32)

    def _run(self, content: np.ndarray) -> list[np.ndarray]:
        """Hidden states (float32) of the window's content tokens (without ``<s>``, the prefix and ``</s>``)."""
        ids = np.concatenate([[self._bos], self._prefix, content, [self._eos]]).astype(np.int64)
        states = self._session.run(self._outputs, {"embeddings": self._embed(ids)})
        first = 1 + len(self._prefix)
        return [state[first : first + len(content)] for state in states]
