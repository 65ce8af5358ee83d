"""Shared benchmark plumbing: one-core pinning, distinct test articles, cold start, target checks."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "semeval2025-t10"


def throughput_arguments(description: str | None, articles: int) -> argparse.Namespace:
    """The options of the model benchmarks: ``--data``, ``--articles`` (the throughput run) and ``--json``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=articles, help="articles in the throughput run")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return parser.parse_args()


def write_figures(path: Path | None, figures: dict[str, Any]) -> None:
    """The figures as a JSON file when ``--json`` asked for one, to compare runs."""
    if path:
        path.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


def pin_one_core() -> None:
    """Measure on one core, as a laptop process competing with others would get (BLAS threads too)."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def to_words(text: str, count: int) -> str:
    """The text cut or repeated to ``count`` words, keeping its lines."""
    words, lines = 0, []
    while words < count:
        for line in text.splitlines():
            take = line.split()[: count - words]
            if take:
                lines.append(" ".join(take))
                words += len(take)
            if words >= count:
                break
    return "\n".join(lines)


def distinct_articles(texts: Sequence[str], count: int, words: int = 600) -> list:
    """``count`` articles of ``words`` words cycled from ``texts`` (distinct ids, so no cache flatters speed)."""
    from narrascope.document import Article

    return [Article(id=f"bench-{i}", text=to_words(texts[i % len(texts)], words)) for i in range(count)]


def measure_cold_start(runs: int = 5) -> float:
    """Median wall time of a fresh interpreter importing narrascope and loading the shipped models."""
    code = "import narrascope; narrascope.pipeline.load()"
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def print_checks(checks: Sequence[tuple[str, float, str, float]]) -> None:
    """One line per target: name, measured value, target and whether it is met."""
    for name, value, operator, target in checks:
        met = {">=": value >= target, "<=": value <= target, "<": value < target}[operator]
        print(f"{name:<46}{value:>9}   target {operator} {target:<6} {'ok' if met else 'MISSED'}")
