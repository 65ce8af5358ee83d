"""Peak memory and time of analysing one long article: 100 KB, 1 MB and 4 MB, with the default and the fast engine.

    python benchmarks/bench_memory.py [--sizes 0.1 1 4] [--engines default fast] [--data ../shared/data] [--json F]

Each article is distinct text — whole SemEval-2025 training articles and ordinary news (``offtopic-news``) one
after another, Latin-script languages first (more characters per byte), cut at a line end to the size in UTF-8
bytes — never one paragraph repeated, which would hide work that grows with the square of the sentences. Each
measurement runs in a fresh process on one core (``os.wait4`` gives that child's own peak RSS): the models' load,
then one ``narrascope.analyze``. Targets (issue 19): peak RSS at 4 MB < 2 GB, and at most 4.5× the 1 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import REPO, pin_one_core, print_checks, write_figures

#: Where the article's text comes from, in order (under ``--data``).
SOURCES = (
    "semeval2025-t10/EN/train/raw-documents",
    "offtopic-news/en",
    "semeval2025-t10/PT/train/raw-documents",
    "offtopic-news/pt",
    "offtopic-news/de",
    "offtopic-news/fr",
    "semeval2025-t10/BG/train/raw-documents",
    "offtopic-news/bg",
    "semeval2025-t10/RU/train/raw-documents",
    "offtopic-news/ru",
    "semeval2025-t10/HI/train/raw-documents",
    "offtopic-news/hi",
)
MB = 1024 * 1024


def long_article(data: Path, size: int) -> str:
    """``size`` bytes (UTF-8) of distinct news text: whole articles in :data:`SOURCES` order, cut at a line end."""
    parts, total = [], 0
    for folder in SOURCES:
        for path in sorted((data / folder).glob("*.txt")):
            text = path.read_text(encoding="utf-8").strip() + "\n\n"
            parts.append(text)
            total += len(text.encode("utf-8"))
            if total >= size:
                encoded = "".join(parts).encode("utf-8")[:size]
                return encoded[: encoded.rfind(b"\n")].decode("utf-8")
    raise SystemExit(f"{data}: only {total / MB:.1f} MB of articles, {size / MB:.1f} MB wanted")


def child(data: Path, size: int, engine: str) -> None:
    """One measurement (in its own process): load the models, analyse the article, print the figures as JSON."""
    pin_one_core()
    import narrascope
    from narrascope.pipeline import load

    text = long_article(data, size)
    started = time.perf_counter()
    load(engine=engine)
    loaded = time.perf_counter()
    analysis = narrascope.analyze(text, article_id="long", engine=engine)
    done = time.perf_counter()
    figures = {
        "chars": len(text),
        "sentences": len(analysis.sentences),
        "mentions": len(analysis.mentions),
        "load_s": round(loaded - started, 1),
        "analysis_s": round(done - loaded, 1),
    }
    print(json.dumps(figures))


def measure(data: Path, size: int, engine: str) -> dict:
    """Run :func:`child` in a fresh interpreter; its own peak RSS from ``wait4``."""
    command = [sys.executable, __file__, "--child", str(size), engine, "--data", str(data)]
    environment = {**os.environ, "NARRASCOPE_ENCODER_THREADS": "1", "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=environment, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the {engine} engine on {size / MB:g} MB failed (exit {process.returncode})")
    return {**json.loads(output.strip().splitlines()[-1]), "peak_mb": round(usage.ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 1, 4], help="article sizes in MB")
    parser.add_argument("--engines", nargs="+", default=["default", "fast"], choices=["default", "fast"])
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--child", nargs=2, metavar=("BYTES", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.data, int(args.child[0]), args.child[1])
        return
    print(f"{'engine':<8}{'size':>7}{'chars':>11}{'sentences':>10}{'mentions':>9}{'load s':>8}{'analysis s':>11}"
          f"{'peak RSS MB':>12}")  # fmt: skip
    figures: dict[str, dict[str, dict]] = {}
    for engine in args.engines:
        for size in args.sizes:
            row = measure(args.data, int(size * MB), engine)
            figures.setdefault(engine, {})[f"{size:g}"] = row
            print(
                f"{engine:<8}{size:>5g}MB{row['chars']:>11,}{row['sentences']:>10,}{row['mentions']:>9,}"
                f"{row['load_s']:>8}{row['analysis_s']:>11}{row['peak_mb']:>12,}",
                flush=True,
            )
    checks = []
    for engine, rows in figures.items():
        if "4" in rows:
            checks.append((f"{engine}: peak RSS at 4 MB (MB)", rows["4"]["peak_mb"], "<", 2048))
        if "4" in rows and "1" in rows:
            growth = round(rows["4"]["peak_mb"] / rows["1"]["peak_mb"], 2)
            checks.append((f"{engine}: peak RSS 4 MB / 1 MB (x)", growth, "<=", 4.5))
    print_checks(checks)
    write_figures(args.json, figures)


if __name__ == "__main__":
    main()
