"""The ``narrascope`` command line.

Every user-facing failure is one line on stderr (``narrascope: error: FILE[:LINE]: problem``) and exit code 2;
set ``NARRASCOPE_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from narrascope.errors import InputError, NarrascopeError

EXIT_INPUT_ERROR = 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}

stdout = Console(soft_wrap=False)
stderr = Console(stderr=True)

existing_path = click.Path(exists=False, path_type=Path)
output_format_option = click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a readable report; json: machine-readable output.",
)


def _fail(message: str) -> None:
    stderr.print(f"narrascope: error: {message}", highlight=False, markup=False, soft_wrap=True)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="narrascope")
def app() -> None:
    """Analyse propaganda narratives in news articles — offline, on CPU.

    \b
    Examples:
      narrascope analyze examples/
      narrascope analyze article.html --format json
      narrascope predict narratives --docs EN/dev/subtask-2-documents --out pred.txt
      narrascope eval narratives --gold EN/dev/subtask-2-annotations.txt --pred pred.txt
    """


@app.group(context_settings=CONTEXT)
def predict() -> None:
    """Write predictions in the official SemEval-2025 Task 10 formats."""


@app.group(name="eval", context_settings=CONTEXT)
def evaluate() -> None:
    """Score predictions against gold annotations with the official metrics."""


@app.group(context_settings=CONTEXT)
def train() -> None:
    """Train models from the SemEval-2025 Task 10 data."""


@app.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=existing_path)
@output_format_option
def analyze(paths: tuple[Path, ...], output_format: str) -> None:
    """Find the narratives each article in PATHS pushes, with confidence and evidence quotes.

    PATHS are article files (.txt with the title on line 1, .html, .jsonl) or folders of them. With --format json,
    each article's Analysis is printed as one JSON object per line. Bad files are reported on stderr and skipped;
    the exit code is then 2.
    """
    from narrascope import pipeline
    from narrascope.io import iter_articles
    from narrascope.report import print_analysis

    errors: list[InputError] = []
    count = 0
    for analysis in pipeline.load().pipe(iter_articles(paths, errors)):
        count += 1
        if output_format == "json":
            sys.stdout.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
        else:
            print_analysis(stdout, analysis)
    for error in errors:
        _fail(str(error))
    if errors and count:
        stderr.print(f"{count} article(s) analysed, {len(errors)} input(s) skipped", style="dim")
    if errors or count == 0:
        raise click.exceptions.Exit(EXIT_INPUT_ERROR)


@predict.command("narratives", context_settings=CONTEXT)
@click.option("--docs", required=True, type=existing_path, help="Folder of article files (e.g. subtask-2-documents).")
@click.option("--out", required=True, type=existing_path, help="Output file: id<TAB>narratives<TAB>sub-narratives.")
def predict_narratives(docs: Path, out: Path) -> None:
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


@evaluate.command("narratives", context_settings=CONTEXT)
@click.option("--gold", required=True, multiple=True, type=existing_path, help="Gold subtask-2 file; repeatable.")
@click.option("--pred", required=True, multiple=True, type=existing_path, help="Predicted subtask-2 file(s).")
@output_format_option
def eval_narratives(gold: tuple[Path, ...], pred: tuple[Path, ...], output_format: str) -> None:
    """Samples-F1 on sub-narratives (official ranking metric) and narratives, plus macro-F1, per gold file."""
    from narrascope.evaluate.narratives import evaluate_files
    from narrascope.evaluate.report import print_score_table

    results = evaluate_files(gold, pred)
    if output_format == "json":
        sys.stdout.write(json.dumps({name: scores.to_dict() for name, scores in results.items()}, indent=1) + "\n")
    else:
        print_score_table(stdout, results)


@train.command("narratives", context_settings=CONTEXT)
@click.option("--data", required=True, type=existing_path, help="SemEval-2025 Task 10 data folder.")
@click.option("--out", required=True, type=existing_path, help="Folder for the trained model (created).")
def train_narratives(data: Path, out: Path) -> None:
    """Train the narrative classifier on every language's train split and write it with its model card."""
    from narrascope.training.narratives import train_and_save

    train_and_save(data, out, console=stderr)


@app.command(context_settings=CONTEXT)
@click.argument("name", type=click.Choice(["narratives", "roles"]), default="narratives")
def taxonomy(name: str) -> None:
    """Print the NAME taxonomy (narratives or roles) as a tree, with descriptions."""
    from narrascope.taxonomy import load
    from narrascope.taxonomy.render import render_taxonomy

    stdout.print(render_taxonomy(load(name)))


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: runs the app and turns every failure into a one-line message."""
    try:
        result = app.main(args=argv, prog_name="narrascope", standalone_mode=False)
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
