"""Readers and writers: plain text, HTML, JSONL, folders and the SemEval-2025 Task 10 formats."""

from narrascope.io.files import atomic_writer, read_text
from narrascope.io.readers import (
    ARTICLE_SUFFIXES,
    TEXT_SUFFIXES,
    article_files,
    iter_articles,
    refuse_overwriting_inputs,
)

__all__ = [
    "ARTICLE_SUFFIXES",
    "TEXT_SUFFIXES",
    "article_files",
    "atomic_writer",
    "iter_articles",
    "read_text",
    "refuse_overwriting_inputs",
]
