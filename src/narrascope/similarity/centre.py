"""The directions every article vector of an encoder shares, taken out before articles are compared.

multilingual-e5's article vectors have a large common component: among the SemEval war and climate articles any
two have cosine 0.84 on average, and two on the same topic about 0.92 — as close as two reports of one event — and
what is left still leans towards articles of the same language. Subtracting the mean vector of ordinary news in the
article's language (the ``offtopic-news`` articles: en, ru, bg, pt, hi, de, fr; other languages take the mean of
them all) and normalising again brings the average cosine to about 0.16, so a story stands out from its topic and
its translation from its language (benchmarks/bench_stories.py measures both). The means are kept per encoder
version (``means-<version>.npz`` beside this module, written by :func:`write_means`); vectors of an encoder without
them are compared as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
#: Key of the mean over every language, for articles in a language without a mean of its own.
ALL = "all"


def means_file(encoder: str) -> Path:
    return HERE / f"means-{encoder}.npz"


@cache
def encoder_means(encoder: str) -> dict[str, np.ndarray] | None:
    """Language → the shared direction of ``encoder``'s vectors (and :data:`ALL`), or None when there are none."""
    file = means_file(encoder)
    if not file.exists():
        return None
    with np.load(file) as stored:
        return {name: stored[name].astype(np.float32) for name in stored.files}


def centred(vectors: np.ndarray, encoder: str, languages: Sequence[str | None] | str | None = None) -> np.ndarray:
    """Unit vectors (float32) with the mean of ``encoder``'s vectors in each one's language taken out (``languages``:
    one per row, or one for all); what similar articles and stories compare."""
    vectors = np.asarray(vectors, np.float32)
    means = encoder_means(encoder)
    if means is None:
        return vectors
    if languages is None or isinstance(languages, str):
        shift = means.get(languages or ALL, means[ALL])
    else:
        shift = np.stack([means.get(language or ALL, means[ALL]) for language in languages])
    shifted = vectors - shift
    norms = np.linalg.norm(shifted, axis=-1, keepdims=True)
    return shifted / np.where(norms > 0, norms, 1)


def centre_version(encoder: str) -> str:
    """A short digest of the means in use (part of the story parameters: other means regroup the stories)."""
    means = encoder_means(encoder)
    if means is None:
        return "none"
    return hashlib.sha256(b"".join(name.encode() + means[name].tobytes() for name in sorted(means))).hexdigest()[:8]


def write_means(encoder: str, vectors: np.ndarray, languages: Sequence[str]) -> Path:
    """Keep the mean of ``vectors`` (article vectors of ordinary news by ``encoder``) per language and over all."""
    vectors = np.asarray(vectors, np.float64)
    codes = np.array(languages)
    means = {language: vectors[codes == language].mean(axis=0) for language in sorted(set(languages))}
    file = means_file(encoder)
    np.savez(file, **{ALL: vectors.mean(axis=0)}, **means)
    encoder_means.cache_clear()
    return file
