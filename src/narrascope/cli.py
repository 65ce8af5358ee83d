"""The ``narrascope`` command line.

Every user-facing failure is one line on stderr (``narrascope: error: FILE[:LINE]: problem``) and exit code 2;
set ``NARRASCOPE_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console

from narrascope.errors import InputError, NarrascopeError

app = typer.Typer(
    name="narrascope",
    help="Analyse propaganda narratives in news articles — offline, on CPU.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
predict_app = typer.Typer(help="Write predictions in the official SemEval-2025 Task 10 formats.", no_args_is_help=True)
eval_app = typer.Typer(
    help="Score predictions against gold annotations with the official metrics.", no_args_is_help=True
)
train_app = typer.Typer(help="Train models from the SemEval-2025 Task 10 data.", no_args_is_help=True)
app.add_typer(predict_app, name="predict")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")

stdout = Console(soft_wrap=False)
stderr = Console(stderr=True)

EXIT_INPUT_ERROR = 2


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


def _fail(message: str) -> None:
    stderr.print(f"narrascope: error: {message}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Article files (.txt, .html, .jsonl) or folders of them.")],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="text: readable report; json: one Analysis per line.")
    ] = ReportFormat.text,
) -> None:
    """Find the narratives each article pushes, with confidence and evidence quotes.

    Bad files are reported on stderr and skipped; the exit code is then 2.
    """
    from narrascope import pipeline
    from narrascope.io import iter_articles
    from narrascope.report import print_analysis

    errors: list[InputError] = []
    count = 0
    for analysis in pipeline.load().pipe(iter_articles(paths, errors)):
        count += 1
        if output_format is ReportFormat.json:
            sys.stdout.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
        else:
            print_analysis(stdout, analysis)
    for error in errors:
        _fail(str(error))
    if errors or count == 0:
        if count == 0 and not errors:
            _fail("no articles found")
        stderr.print(f"{count} article(s) analysed, {len(errors)} input(s) skipped", style="dim")
        raise typer.Exit(EXIT_INPUT_ERROR)


@predict_app.command("narratives")
def predict_narratives(
    docs: Annotated[Path, typer.Option(help="Folder of article files (e.g. subtask-2-documents).")],
    out: Annotated[Path, typer.Option(help="Output file: id<TAB>narratives<TAB>sub-narratives.")],
) -> None:
    """Predict narratives for every article in DOCS, in the subtask-2 format (written only if all succeed)."""
    from narrascope.io import iter_articles
    from narrascope.io.semeval import NarrativeAnnotation, write_narrative_annotations
    from narrascope.progress import progress_bar
    from narrascope.tasks.narratives import NarrativeTagger

    articles = list(iter_articles([docs]))
    tagger = NarrativeTagger.load_shipped()
    rows = []
    with progress_bar(stderr, "Predicting narratives", total=len(articles)) as advance:
        for start in range(0, len(articles), 64):
            batch = articles[start : start + 64]
            for article, (coarse, fine) in zip(batch, tagger.classifier.predict([a.text for a in batch]), strict=True):
                rows.append(NarrativeAnnotation(article.id, tuple(coarse), tuple(fine)))
            advance(len(batch))
    write_narrative_annotations(out, rows)
    stderr.print(f"Wrote {len(rows)} predictions to {out}", style="dim")


@eval_app.command("narratives")
def eval_narratives(
    gold: Annotated[list[Path], typer.Option(help="Gold subtask-2 file; repeat for several languages.")],
    pred: Annotated[list[Path], typer.Option(help="Predicted subtask-2 file(s) covering all gold articles.")],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.text,
) -> None:
    """Samples-F1 on sub-narratives (official ranking metric) and narratives, plus macro-F1, per gold file."""
    from narrascope.evaluate.narratives import evaluate_files
    from narrascope.evaluate.report import print_score_table

    results = evaluate_files(gold, pred)
    if output_format is ReportFormat.json:
        sys.stdout.write(json.dumps({name: scores.to_dict() for name, scores in results.items()}, indent=1) + "\n")
    else:
        print_score_table(stdout, results)


@train_app.command("narratives")
def train_narratives(
    data: Annotated[Path, typer.Option(help="SemEval-2025 Task 10 folder with <LANG>/train sub-folders.")],
    out: Annotated[Path, typer.Option(help="Folder for the trained model (created).")],
) -> None:
    """Train the narrative classifier on every language's train split and write it with its model card."""
    from narrascope.tasks.narratives import train_and_save

    train_and_save(data, out, console=stderr)


@app.command()
def taxonomy(
    name: Annotated[str, typer.Argument(help="narratives or roles")] = "narratives",
) -> None:
    """Print a label taxonomy as a tree, with descriptions."""
    from narrascope.taxonomy import load
    from narrascope.taxonomy.render import render_taxonomy

    if name not in ("narratives", "roles"):
        raise NarrascopeError(f"unknown taxonomy {name!r} (choose narratives or roles)")
    stdout.print(render_taxonomy(load(name)))


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: runs the app and turns every failure into a one-line message."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="narrascope", standalone_mode=False)
    except NarrascopeError as error:
        _fail(str(error))
        return EXIT_INPUT_ERROR
    except click.exceptions.Abort:
        _fail("aborted")
        return 130
    except click.ClickException as error:
        error.show()
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: never a traceback unless asked for
        if os.environ.get("NARRASCOPE_DEBUG"):
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (set NARRASCOPE_DEBUG=1 for details)")
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
