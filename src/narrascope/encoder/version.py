"""What identifies the encoder's output, for the heads trained on it (import-light: no ONNX, no tokenizer)."""

from __future__ import annotations

from typing import Any

WINDOW_TOKENS = 256
OUTPUT_LAYERS = (8, 12)  # hidden states after these layers (1-based); heads pool from them
VERSION = f"e5-small-q4-w{WINDOW_TOKENS}-l{'-'.join(map(str, OUTPUT_LAYERS))}"


def check_encoder(manifest: dict[str, Any]) -> None:
    """Heads read the encoder's vectors: a head trained on another encoder version would misread them."""
    if manifest.get("encoder") != VERSION:
        raise ValueError(f"trained on encoder {manifest.get('encoder')}, this narrascope runs {VERSION}")
