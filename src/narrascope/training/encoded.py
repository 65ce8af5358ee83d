"""Encoder vectors of training articles, cached on disk: training the heads is resumable and cheap to repeat.

Reading the ~2,300 training articles through the encoder takes about ten minutes on one core; every head trains
from the same vectors, so each article is encoded once per encoder version and kept under the user's cache folder
(``<cache>/features/<encoder version>/``). An interrupted run keeps what it finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from rich.console import Console

from narrascope.document import Article, content_hash
from narrascope.encoder.encoding import Encoding
from narrascope.encoder.graph import cache_dir
from narrascope.progress import progress_bar
from narrascope.text.segment import sentences


@dataclass(frozen=True, slots=True)
class EncodedArticle:
    """An article's vector (mean of its tokens) and its sentences' vectors, with the sentences' offsets."""

    vector: np.ndarray
    sentence_spans: np.ndarray  # sentences × 2
    sentence_vectors: np.ndarray  # sentences × dimensions


def encode_articles(articles: Sequence[Article], console: Console | None = None) -> list[EncodedArticle]:
    """The encoded articles, from the cache where it has them, else by running the encoder (with a progress bar)."""

    def write(stream: BinaryIO, encoding: Encoding, sentence_spans: list[tuple[int, int]], _: int) -> None:
        np.savez(
            stream,
            vector=encoding.mean(),
            sentence_spans=np.asarray(sentence_spans, dtype=np.int64),
            sentence_vectors=encoding.sentence_vectors(sentence_spans).astype(np.float16),
        )

    keys = [content_hash(article.text) for article in articles]
    return [_load(path) for path in _cached(articles, keys, "", ".npz", write, console)]


def encode_spans(
    articles: Sequence[Article], spans: Sequence[Sequence[tuple[int, int]]], console: Console | None = None
) -> list[np.ndarray]:
    """Pooled encoder vectors (spans × dimensions) of the given character spans of each article, cached.

    For heads that read mentions rather than sentences: each article is read exactly as the pipeline reads it (its
    sentences, the same windows), then the spans are pooled; the cache key covers the spans too.
    """

    def write(stream: BinaryIO, encoding: Encoding, _: list[tuple[int, int]], index: int) -> None:
        np.save(stream, encoding.pool(list(spans[index])).astype(np.float16))

    keys = [
        content_hash(article.text + "\0" + ";".join(f"{start},{end}" for start, end in chosen))
        for article, chosen in zip(articles, spans, strict=True)
    ]
    paths = _cached(articles, keys, "spans", ".npy", write, console)
    return [np.load(path).astype(np.float32) for path in paths]


def encode_tokens(articles: Sequence[Article], console: Console | None = None) -> list[Path]:
    """Cache files of each article's whole encoding (token offsets and every output layer as the encoder keeps it),
    for heads that read single tokens (the mention tagger); load one with :func:`load_tokens`. About 1.5 kB per
    token on disk."""

    def write(stream: BinaryIO, encoding: Encoding, _: list[tuple[int, int]], __: int) -> None:
        arrays = {f"layer{n}": vectors for n, vectors in encoding.layers.items()}
        if encoding.scales is not None and encoding.window_of is not None:  # a compact (int8) encoding
            arrays.update({f"scale{n}": scales for n, scales in encoding.scales.items()}, window_of=encoding.window_of)
        np.savez(stream, offsets=encoding.offsets, **arrays)

    return _cached(articles, [content_hash(article.text) for article in articles], "tokens", ".npz", write, console)


def load_tokens(path: Path) -> Encoding:
    """An :class:`Encoding` cached by :func:`encode_tokens`."""
    with np.load(path) as stored:
        layers = {int(name[len("layer") :]): stored[name] for name in stored.files if name.startswith("layer")}
        if "window_of" not in stored.files:
            return Encoding(stored["offsets"], dict(sorted(layers.items())))
        scales = {n: stored[f"scale{n}"] for n in layers}
        return Encoding(stored["offsets"], dict(sorted(layers.items())), scales, stored["window_of"])


def _cached(
    articles: Sequence[Article],
    keys: Sequence[str],
    kind: str,
    suffix: str,
    write: Callable[[BinaryIO, Encoding, list[tuple[int, int]], int], None],
    console: Console | None,
) -> list[Path]:
    """The cache files of ``articles``: the missing ones are made by encoding the article as the pipeline does (its
    sentences) and ``write``-ing what a head needs, each file renamed into place only when complete."""
    from narrascope.encoder.component import shared_encoder

    encoder = shared_encoder()
    folder = cache_dir() / "features" / encoder.version / kind
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{key}{suffix}" for key in keys]
    missing = [i for i, path in enumerate(paths) if not path.is_file()]
    if missing and console is not None:
        console.print(f"Encoding {len(missing)} of {len(articles)} articles (cached in {folder})…")
    with progress_bar(console or Console(stderr=True, quiet=True), "Encoding", len(missing)) as advance:
        for i in missing:
            text = articles[i].text
            sentence_spans = [(span.start, span.end) for span in sentences(text)] or [(0, len(text))]
            staging = paths[i].with_name(f"{paths[i].name}.{os.getpid()}.part")  # processes may share the cache
            with staging.open("wb") as stream:
                write(stream, encoder.encode([text], [sentence_spans])[0], sentence_spans, i)
            os.replace(staging, paths[i])
            advance(1)
    return paths


def _load(path: Path) -> EncodedArticle:
    with np.load(path) as stored:
        return EncodedArticle(
            stored["vector"].astype(np.float32),
            stored["sentence_spans"],
            stored["sentence_vectors"].astype(np.float32),
        )
