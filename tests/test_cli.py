"""The command line end to end: reports, official formats, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from narrascope.cli import main
from narrascope.document import Analysis
from narrascope.io import iter_articles

from .conftest import EXAMPLES

NATO_ARTICLE = EXAMPLES / "nato-troops-escalation.txt"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_analyze_prints_a_readable_report(capsys):
    code, out, err = run(capsys, "analyze", str(NATO_ARTICLE))
    assert code == 0, err
    assert "Brussels edges towards sending troops to Ukraine" in out
    assert "language en" in out
    assert "URW: Amplifying war-related fears" in out
    assert "“" in out  # evidence quotes


def test_analyze_json_emits_analyses_with_valid_evidence_offsets(capsys):
    code, out, err = run(capsys, "analyze", str(EXAMPLES), "--format", "json")
    assert code == 0, err
    analyses = [Analysis.from_dict(json.loads(line)) for line in out.splitlines()]
    feed_lines = (EXAMPLES / "wire-feed.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(analyses) == len(list(EXAMPLES.glob("*.txt"))) + len(feed_lines)
    off_topic = {analysis.article.id for analysis in analyses if not analysis.scope.on_topic}
    assert "town-library-reopens.txt" in off_topic and "nato-troops-escalation.txt" not in off_topic
    for analysis in analyses:
        text = analysis.article.text
        on_topic = analysis.article.id not in off_topic
        assert bool(analysis.narratives) == bool(analysis.subnarratives) == on_topic  # off topic: no label at all
        for label in (*analysis.narratives, *analysis.subnarratives):
            assert 0.0 <= label.confidence <= 1.0
            assert len(label.evidence) <= 3
            for span in label.evidence:
                assert text[span.start : span.end] == span.text
        for span in analysis.sentences:
            assert text[span.start : span.end] == span.text
    languages = {analysis.article.id: analysis.language for analysis in analyses}
    assert languages["sanktsii-evropa.txt"] == "ru" and languages["calor-extremo.txt"] == "pt"


def test_the_neutral_article_gets_no_narrative(capsys):
    code, out, _ = run(capsys, "analyze", str(EXAMPLES / "town-library-reopens.txt"), "--format", "json")
    assert code == 0
    analysis = Analysis.from_dict(json.loads(out))
    assert analysis.narratives == [] and not analysis.scope.on_topic  # off topic: not even "Other"
    code, out, _ = run(capsys, "analyze", str(EXAMPLES / "town-library-reopens.txt"), "--format", "json", "--fast")
    assert [label.name for label in Analysis.from_dict(json.loads(out)).narratives] == ["Other"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "file is empty"), (b"\x00\x01\x02binary\x00" * 50, "binary"), (b"\xff\xfe\xfa" * 3, "")],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(capsys, tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, out, err = run(capsys, "analyze", str(path))
    assert code == 2
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"narrascope: error: {path}: ") and problem in first
    assert "Traceback" not in err


def test_one_bad_file_does_not_stop_the_others(capsys, tmp_path):
    (tmp_path / "good.txt").write_text(NATO_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = run(capsys, "analyze", str(tmp_path), "--format", "json")
    assert code == 2
    assert len(out.splitlines()) == 1
    assert "empty.txt: file is empty" in err


def test_console_script_reports_errors_without_traceback(tmp_path):
    missing = tmp_path / "missing.txt"
    result = subprocess.run(
        [sys.executable, "-m", "narrascope", "analyze", str(missing)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"narrascope: error: {missing}: no such file or folder"


def test_messages_are_one_line_whatever_the_path_length_and_width(tmp_path):
    """Scripts and log readers read stderr line by line: nothing wraps, even with no terminal and no COLUMNS."""
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / ("and-another-one-" * 4)
    deep.mkdir(parents=True)
    db, chart = deep / "corpus.db", deep / "chart.png"
    environment = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}

    def narrascope(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "narrascope", *args], capture_output=True, text=True, env=environment, check=False
        )

    assert narrascope("ingest", str(NATO_ARTICLE), "--db", str(db)).returncode == 0
    plotted = narrascope("trends", "--db", str(db), "--plot", str(chart))
    assert plotted.returncode == 0
    assert f"No chart written to {chart}: nothing to plot." in plotted.stderr.splitlines()
    refused = narrascope("export", "--db", str(db), "-f", "jsonl", "--out", str(db))
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith("narrascope: error: ") and str(db) in refused.stderr


def test_usage_errors_exit_2(capsys):
    code, _, err = run(capsys, "analyze")
    assert code == 2 and "give article files or folders, or --db" in err
    code, _, err = run(capsys, "predict", "entities", "--docs", "x")
    assert code == 2 and "Missing option '--out'" in err
    code, _, err = run(capsys, "search", "x", "--since", "2024-13-01")
    assert code == 2 and err == (
        "narrascope: error: Invalid value for '--since': '2024-13-01' is not a date (YYYY-MM-DD) "
        "(see `narrascope search --help`)\n"
    )


def test_predict_then_eval_narratives(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("nato-troops-escalation.txt", "town-library-reopens.txt"):
        (docs / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    out_file = tmp_path / "pred.txt"
    code, _, err = run(capsys, "predict", "narratives", "--docs", str(docs), "--out", str(out_file))
    assert code == 0, err
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == ["nato-troops-escalation.txt", "town-library-reopens.txt"]
    assert all(len(line.split("\t")) == 3 for line in lines)
    assert "town-library-reopens.txt\tOther\tOther" in lines

    gold = tmp_path / "gold.txt"
    gold.write_text(
        "nato-troops-escalation.txt\tURW: Amplifying war-related fears\t"
        "URW: Amplifying war-related fears: NATO should/will directly intervene\n"
        "town-library-reopens.txt\tOther\tOther\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "eval", "narratives", "--gold", str(gold), "--pred", str(out_file), "--format", "json")
    assert code == 0, err
    scores = json.loads(out)["gold"]
    assert scores["documents"] == 2
    assert 0.5 <= scores["f1_coarse"] <= 1.0  # the Other article is right, the war article has its narrative


def test_eval_scores_by_hand(capsys, tmp_path):
    gold = tmp_path / "EN" / "gold.txt"
    gold.parent.mkdir()
    gold.write_text(
        "a\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Ukraine is a puppet of the West;"
        "URW: Discrediting Ukraine: Discrediting Ukrainian military\n"
        "b\tOther\tOther\n",
        encoding="utf-8",
    )
    pred = tmp_path / "pred.txt"
    pred.write_text(
        "b\tCC: Amplifying Climate Fears\tCC: Amplifying Climate Fears: Other\n"
        "a\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Ukraine is a puppet of the West\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "eval", "narratives", "--gold", str(gold), "--pred", str(pred), "--format", "json")
    assert code == 0, err
    scores = json.loads(out)["EN"]
    assert scores["f1_fine"] == pytest.approx((2 / 3 + 0) / 2)
    assert scores["f1_coarse"] == pytest.approx((1 + 0) / 2)
    pred.write_bytes(b"\xef\xbb\xbf" + pred.read_bytes())  # saved by an editor that adds a byte-order mark
    code, again, err = run(capsys, "eval", "narratives", "--gold", str(gold), "--pred", str(pred), "--format", "json")
    assert code == 0 and json.loads(again) == json.loads(out), err


@pytest.mark.parametrize(
    ("gold_line", "problem"),
    [
        ("a\tURW: Discrediting Ukraine\n", "expected 3 tab-separated columns, found 2"),
        ("a\tURW: Made-up narrative\tOther\n", "unknown narrative 'URW: Made-up narrative'"),
        ("a\tOther\tURW: Discrediting Ukraine: Nonsense\n", "unknown sub-narrative"),
    ],
)
def test_malformed_annotation_files_name_file_and_line(capsys, tmp_path, gold_line, problem):
    gold = tmp_path / "gold.txt"
    gold.write_text("b\tOther\tOther\n" + gold_line, encoding="utf-8")
    pred = tmp_path / "pred.txt"
    pred.write_text("a\tOther\tOther\nb\tOther\tOther\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", "narratives", "--gold", str(gold), "--pred", str(pred))
    assert code == 2 and out == ""
    assert err.strip() == f"narrascope: error: {gold}:2: {problem}" or (
        err.startswith(f"narrascope: error: {gold}:2: ") and problem in err
    )


def test_eval_refuses_predictions_that_miss_articles(capsys, tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("a\tOther\tOther\nb\tOther\tOther\n", encoding="utf-8")
    pred = tmp_path / "pred.txt"
    pred.write_text("a\tOther\tOther\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", "narratives", "--gold", str(gold), "--pred", str(pred))
    assert code == 2 and "have no prediction (e.g. b)" in err


def test_predict_writes_nothing_when_an_input_is_bad(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("Title\n\nSome body text about the war.", encoding="utf-8")
    (docs / "bad.txt").write_bytes(b"\x00\x00\x00")
    out_file = tmp_path / "pred.txt"
    code, _, err = run(capsys, "predict", "narratives", "--docs", str(docs), "--out", str(out_file))
    assert code == 2 and "bad.txt" in err
    assert not out_file.exists()
    assert list(tmp_path.iterdir()) == [docs]


def _entity_docs(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "nato.txt").write_text(NATO_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    text = (docs / "nato.txt").read_text(encoding="utf-8")
    return docs, text


def _mention_line(text: str, name: str, shift: int = 0) -> str:
    start = text.index(name) + shift
    return f"nato.txt\t{name}\t{start}\t{start + len(name) - 1}\n"  # end inclusive, as in SemEval files


def test_predict_entities_classifies_every_given_mention_in_input_order(capsys, tmp_path):
    docs, text = _entity_docs(tmp_path)
    names = ["Ukraine", "NATO", "Brussels"]
    mentions = tmp_path / "mentions.txt"
    mentions.write_text("".join(_mention_line(text, name) for name in names), encoding="utf-8")
    out_file = tmp_path / "roles.txt"
    code, _, err = run(
        capsys, "predict", "entities", "--docs", str(docs), "--mentions", str(mentions), "--out", str(out_file)
    )
    assert code == 0, err
    rows = [line.split("\t") for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [row[1] for row in rows] == names
    for row, name in zip(rows, names, strict=True):
        assert text[int(row[2]) : int(row[3]) + 1] == name
        assert row[4] in ("Protagonist", "Antagonist", "Innocent") and len(row) >= 6


def test_predict_entities_refuses_offsets_that_do_not_match_unless_lenient(capsys, tmp_path):
    docs, text = _entity_docs(tmp_path)
    mentions = tmp_path / "mentions.txt"
    mentions.write_text(_mention_line(text, "NATO") + _mention_line(text, "Ukraine", shift=2), encoding="utf-8")
    out_file = tmp_path / "roles.txt"
    args = ["predict", "entities", "--docs", str(docs), "--mentions", str(mentions), "--out", str(out_file)]
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith(f"narrascope: error: {mentions}:2: mention 'Ukraine' does not match")
    assert not out_file.exists()

    code, _, err = run(capsys, *args, "--lenient")
    assert code == 0 and "moved 'Ukraine'" in err
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 2


def test_lenient_predict_entities_writes_every_input_line_with_its_own_offsets_in_input_order(capsys, tmp_path):
    docs, text = _entity_docs(tmp_path)
    lines = [
        _mention_line(text, "Ukraine", shift=2),  # drifted, as when an official file counts an emoji as two
        _mention_line(text, "NATO"),
        "nato.txt\tKremlin\t5\t11\n",  # not in the article: read at its given offsets
        "missing.txt\tMoscow\t0\t5\n",  # no such article: read alone
    ]
    mentions = tmp_path / "mentions.txt"
    mentions.write_text("".join(lines), encoding="utf-8")
    out_file = tmp_path / "roles.txt"
    code, _, err = run(
        capsys, "predict", "entities", "--docs", str(docs), "--mentions", str(mentions), "--out", str(out_file),
        "--lenient",
    )  # fmt: skip
    assert code == 0, err
    assert "moved 'Ukraine'" in err and "2 mention(s) not located" in err
    rows = [line.split("\t") for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [row[:4] for row in rows] == [line.rstrip("\n").split("\t") for line in lines]
    assert all(row[4] in ("Protagonist", "Antagonist", "Innocent") and len(row) >= 6 for row in rows)


def test_predict_entities_from_raw_text_then_eval(capsys, tmp_path):
    docs, text = _entity_docs(tmp_path)
    out_file = tmp_path / "roles.txt"
    code, _, err = run(capsys, "predict", "entities", "--docs", str(docs), "--out", str(out_file))
    assert code == 0, err
    rows = [line.split("\t") for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert {"NATO", "Ukraine"} <= {row[1] for row in rows}
    for row in rows:
        assert text[int(row[2]) : int(row[3]) + 1].split() == row[1].split()

    gold = tmp_path / "gold.txt"
    nato = text.index("NATO")
    gold.write_text(f"nato.txt\tNATO\t{nato}\t{nato + 3}\tAntagonist\tInstigator\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", "entities", "--gold", str(gold), "--pred", str(out_file), "--format", "json")
    assert code == 0, err
    scores = json.loads(out)["gold"]
    assert scores["mentions"] == 1 and scores["mention_recall"] == 1.0
    assert 0 < scores["mention_precision"] < 1


def test_predict_explanations_for_given_narratives_then_eval(capsys, tmp_path):
    docs, _ = _entity_docs(tmp_path)
    narratives_file = tmp_path / "dominant.txt"
    narratives_file.write_text(
        "nato.txt\tURW: Amplifying war-related fears\t"
        "URW: Amplifying war-related fears: NATO should/will directly intervene\n",
        encoding="utf-8",
    )
    out_file = tmp_path / "explanations.txt"
    args = [
        "predict",
        "explanations",
        "--docs",
        str(docs),
        "--narratives",
        str(narratives_file),
        "--out",
        str(out_file),
    ]
    code, _, err = run(capsys, *args)
    assert code == 0, err
    (line,) = out_file.read_text(encoding="utf-8").splitlines()
    article_id, explanation = line.split("\t")
    assert article_id == "nato.txt" and len(explanation.split()) <= 80
    assert explanation.startswith("The text ") and "that NATO should/will directly intervene: “" in explanation

    gold = tmp_path / "gold.txt"
    gold.write_text(
        "nato.txt\tURW: Amplifying war-related fears\tnone\t"
        "The text claims NATO troops in Ukraine mean war with Russia.\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "eval", "explanations", "--gold", str(gold), "--pred", str(out_file), "--docs", str(docs),
        "--no-bertscore", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    scores = json.loads(out)["gold"]
    assert 0.1 < scores["token_f1"] < 1 and scores["over_80_words"] == 0 and scores["ungrounded_quotes"] == 0

    evaluate = ["eval", "explanations", "--pred", str(out_file), "--no-bertscore"]
    code, _, err = run(capsys, *evaluate, "--gold", str(gold), "--docs", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere: no such folder" in err  # else every quote would count as invented
    code, _, err = run(capsys, *evaluate, "--gold", str(narratives_file), "--docs", str(docs))
    assert code == 2 and "has no explanation column" in err


def test_predict_explanations_refuses_unknown_articles(capsys, tmp_path):
    docs, _ = _entity_docs(tmp_path)
    narratives_file = tmp_path / "dominant.txt"
    narratives_file.write_text("other.txt\tURW: Discrediting Ukraine\tnone\n", encoding="utf-8")
    args = ["predict", "explanations", "--docs", str(docs), "--narratives", str(narratives_file)]
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "o.txt"))
    assert code == 2 and "not in" in err and not (tmp_path / "o.txt").exists()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("nato.txt\tBogus narrative\tnone\n", "unknown narrative 'Bogus narrative'"),
        (
            "nato.txt\tURW: Discrediting Ukraine\tURW: Amplifying war-related fears: There is a real possibility that "
            "nuclear weapons will be employed\n",
            "is not a sub-narrative of 'URW: Discrediting Ukraine'",
        ),
    ],
)
def test_predict_explanations_refuses_labels_outside_the_taxonomy(capsys, tmp_path, line, problem):
    docs, _ = _entity_docs(tmp_path)
    narratives_file = tmp_path / "dominant.txt"
    narratives_file.write_text(line, encoding="utf-8")
    args = ["predict", "explanations", "--docs", str(docs), "--narratives", str(narratives_file)]
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "o.txt"))
    assert code == 2 and "dominant.txt:1: " in err and problem in err


def test_outputs_never_overwrite_inputs(capsys, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    article = docs / "nato.txt"
    article.write_bytes(NATO_ARTICLE.read_bytes())
    code, _, err = run(capsys, "predict", "narratives", "--docs", str(article), "--out", str(article))
    assert code == 2 and "the output file is also an input" in err
    code, _, err = run(capsys, "predict", "narratives", "--docs", str(docs), "--out", str(docs / "pred.txt"))
    assert code == 2 and "would be read as an article" in err
    code, _, err = run(capsys, "predict", "techniques", "--docs", str(article), "--out", str(article))
    assert code == 2 and "the output file is also an input" in err
    assert article.read_bytes() == NATO_ARTICLE.read_bytes() and sorted(docs.iterdir()) == [article]
    code, _, _ = run(capsys, "predict", "narratives", "--docs", str(docs), "--out", str(docs / "subtask-2-pred.txt"))
    assert code == 0  # SemEval annotation names are not read as articles
    code, _, _ = run(capsys, "predict", "techniques", "--docs", str(article), "--out", str(tmp_path / "t.txt"))
    assert code == 0 and (tmp_path / "t.txt").read_text(encoding="utf-8").startswith("nato\t1\t")


def test_an_unwritable_output_is_one_line_and_new_files_follow_the_umask(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "predict", "narratives", "--docs", str(NATO_ARTICLE), "--out", str(blocker / "out.txt"))
    assert code == 2 and err.count("\n") == 1 and "out.txt: cannot write here" in err
    code, _, err = run(capsys, "predict", "narratives", "--docs", str(NATO_ARTICLE), "--out", "")
    assert code == 2 and "the name is empty" in err
    previous = os.umask(0o022)
    try:
        out = tmp_path / "pred.txt"
        assert run(capsys, "predict", "narratives", "--docs", str(NATO_ARTICLE), "--out", str(out))[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # readable by the team, as any file the shell would make


def test_eval_refuses_predictions_for_articles_no_gold_file_has(capsys, tmp_path):
    gold, pred = tmp_path / "gold.txt", tmp_path / "pred.txt"
    gold.write_text("a.txt\tNATO\t0\t3\tAntagonist\tInstigator\n", encoding="utf-8")
    pred.write_text(
        "a.txt\tNATO\t0\t3\tAntagonist\tInstigator\nNOPE.txt\tKyiv\t5\t8\tInnocent\tVictim\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "eval", "entities", "--gold", str(gold), "--pred", str(pred))
    assert code == 2 and "1 predicted article(s) are not in any gold file (e.g. NOPE.txt)" in err
    pred.write_text(
        "a.txt\tNATO\t0\t3\tAntagonist\tInstigator\na.txt\tNATO\t0\t3\tInnocent\tVictim\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "eval", "entities", "--gold", str(gold), "--pred", str(pred))
    assert code == 2 and "pred.txt:2: mention 'NATO' at 0 is predicted twice" in err

    gold.write_text("7\t1\tDoubt\n7\t3\t\n", encoding="utf-8")
    pred.write_text("7\t1\tDoubt\nZZZ\t1\tDoubt\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", "techniques", "--gold", str(gold), "--pred", str(pred))
    assert code == 2 and "(e.g. ZZZ)" in err


def test_a_byte_order_mark_stays_out_of_explanation_quotes(capsys, tmp_path):
    article = tmp_path / "bom.txt"
    article.write_bytes(b"\xef\xbb\xbf" + NATO_ARTICLE.read_bytes())
    code, out, err = run(capsys, "analyze", str(article), "--format", "json")
    analysis = json.loads(out)
    explanation, title = analysis["explanation"], analysis["article"]["title"]
    assert code == 0 and explanation["evidence"], err
    assert all(span["start"] > len(title) for span in explanation["evidence"])  # never the title, mark or not
    assert "\ufeff" not in explanation["text"] and explanation["language"] == "en"


def test_train_checks_its_output_folder_before_training(capsys, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    other_model = tmp_path / "explanations-model"
    other_model.mkdir()
    (other_model / "manifest.json").write_text('{"name": "explanations"}', encoding="utf-8")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "notes.txt").write_text("mine", encoding="utf-8")
    for out, problem in [
        (other_model, "holds another model (explanations), not a narratives model"),
        (papers, "is not a model folder"),
        (data / "model", "is inside the training data"),
        (tmp_path / "blocked" / "model", "cannot write here"),
    ]:
        if out.parent.name == "blocked":
            out.parent.write_text("a file where a folder would go", encoding="utf-8")
        code, _, err = run(capsys, "train", "narratives", "--data", str(data), "--out", str(out))
        assert code == 2 and problem in err, err
    assert (papers / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_model_folder_changes_only_when_training_succeeds(tmp_path):
    from narrascope.training import staged_model_folder

    out = tmp_path / "model"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "narratives", "v": 1}', encoding="utf-8")
    with pytest.raises(RuntimeError), staged_model_folder(out, "narratives", tmp_path / "data") as staging:
        (staging / "manifest.json").write_text('{"name": "narratives", "v": 2}', encoding="utf-8")
        raise RuntimeError("training failed half-way")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["v"] == 1
    with staged_model_folder(out, "narratives", tmp_path / "data") as staging:
        (staging / "manifest.json").write_text('{"name": "narratives", "v": 2}', encoding="utf-8")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["v"] == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model"]  # no staging or previous folder left


@pytest.mark.parametrize("fast", [False, True])
def test_predict_entities_reads_with_the_encoder_unless_fast(capsys, tmp_path, fast):
    """The default engine's roles (and, on raw text, its mention tagger) read the encoder's pass, as `analyze`
    does; --fast, the n-gram models alone. The file equals what the entity model gives for that engine."""
    from narrascope.io.semeval import write_entity_annotations
    from narrascope.pipeline import reading_components
    from narrascope.tasks.entities import EntityTagger

    docs, text = _entity_docs(tmp_path)
    out_file = tmp_path / "roles.txt"
    code, _, err = run(capsys, "predict", "entities", "--docs", str(docs), "--out", str(out_file), *["--fast"] * fast)
    assert code == 0, err
    analysis = Analysis(article=next(iter_articles([docs])), engine="fast" if fast else "default")
    for component in reading_components(analysis.engine):
        component.annotate([analysis])
    assert (analysis.encoding is None) == fast
    expected = EntityTagger.load_shipped().model.predict_annotations(
        [("nato.txt", text, analysis.language)], None, None if fast else [analysis.encoding]
    )
    write_entity_annotations(tmp_path / "expected.txt", expected)
    assert out_file.read_text(encoding="utf-8") == (tmp_path / "expected.txt").read_text(encoding="utf-8")
    assert expected
