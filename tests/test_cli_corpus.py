"""The corpus commands end to end on a SQLite file: ingest → analyze --db → search, trends, alerts, export."""

from __future__ import annotations

import json

from .conftest import EXAMPLES
from .test_cli import run


def test_corpus_workflow_from_files_to_charts(capsys, tmp_path):
    db = str(tmp_path / "corpus.db")
    code, _, err = run(capsys, "ingest", str(EXAMPLES), "--db", db, "--source", "examples")  # 5 .txt + 10 in JSONL
    assert code == 0 and "15 new article(s), 0 already stored" in err
    code, _, err = run(capsys, "ingest", str(EXAMPLES), "--db", db)
    assert code == 0 and "0 new article(s), 15 already stored" in err

    code, out, err = run(capsys, "analyze", "--db", db, "--workers", "1")
    assert code == 0, err
    assert "15 article(s) analysed" in err and "15 of 15 analysed" in err
    assert "URW: Amplifying war-related fears" in out
    assert "3 article(s) not about the war or climate (no narrative); 0 in languages" in " ".join(out.split())

    code, out, _ = run(capsys, "search", "troops", "--db", db, "--format", "json")
    hits = [json.loads(line) for line in out.splitlines()]
    nato = next(hit for hit in hits if hit["id"] == "nato-troops-escalation.txt")
    assert code == 0 and nato["source"] == "examples"
    assert {hit["source"] for hit in hits} >= {"examples", "The Northern Courier"}  # a file's own source wins
    code, out, _ = run(capsys, "search", "--db", db, "--narrative", "amplifying war-related fears", "--format", "json")
    assert code == 0 and "nato-troops-escalation.txt" in out

    chart = tmp_path / "trends.png"
    code, out, err = run(capsys, "trends", "--db", db, "--by", "month", "--plot", str(chart), "--format", "json")
    assert code == 0, err
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sum(point["count"] for point in json.loads(out) if point["label"] == "Other") >= 1
    # The five .txt examples have no publication date: left out, and said so, unless asked for.
    assert "5 article(s) without a publication date left out (--include-undated counts them" in err
    assert sum({point["period"]: point["total"] for point in json.loads(out)}.values()) == 10  # the JSONL ones
    code, out, _ = run(capsys, "trends", "--db", db, "--format", "json")  # no --by: days, for 5 weeks of articles
    assert code == 0 and "2025-01-08" in {point["period"] for point in json.loads(out)}
    code, out, err = run(capsys, "trends", "--db", db, "--by", "month", "--include-undated", "--format", "json")
    assert code == 0 and "5 article(s) without a publication date counted on the day they were ingested" in err
    assert sum({point["period"]: point["total"] for point in json.loads(out)}.values()) == 15

    code, _, err = run(capsys, "alerts", "--db", db)
    assert code == 0 and "5 article(s) without a publication date left out" in err

    out_file = tmp_path / "export.csv"
    code, _, err = run(capsys, "export", "--db", db, "--format", "csv", "--out", str(out_file), "--lang", "ru")
    assert code == 0 and "Exported 1 article(s)" in err
    assert "sanktsii-evropa.txt" in out_file.read_text(encoding="utf-8")


def test_corpus_commands_reject_bad_options_in_one_line(capsys, tmp_path):
    db = str(tmp_path / "corpus.db")
    code, _, err = run(capsys, "search", "x", "--db", db, "--since", "yesterday")
    assert code == 2 and "'yesterday' is not a date" in err
    code, _, err = run(capsys, "alerts", "--db", db, "--z", "nan")
    assert code == 2 and "nan is not a number" in err
    code, _, err = run(capsys, "search", "🙂 *", "--db", db)
    assert code == 2 and "has no words to search for" in err
    code, _, err = run(capsys, "search", "x", "--db", db, "--narrative", "no such narrative")
    assert code == 2 and "is not a label" in err
    code, _, err = run(capsys, "search", "x", "--db", db, "--narrative", "Discrediting")
    assert code == 2 and "matches" in err and "give more of the name" in err
    code, _, err = run(capsys, "trends", "--db", str(tmp_path / "nope" / "x.db"))
    assert code == 2 and err.startswith("narrascope: error: ") and "x.db: no such database" in err
    code, _, err = run(capsys, "ingest", "--db", str(tmp_path / "nope" / "x.db"), str(tmp_path))
    assert code == 2 and err.startswith("narrascope: error: sqlite:///") and "does not exist" in err


def test_reading_commands_refuse_a_missing_database_instead_of_creating_one(capsys, tmp_path):
    typo = tmp_path / "corpsu.db"
    for command in (["search", "x"], ["trends"], ["alerts"], ["export", "-f", "jsonl", "--out", str(tmp_path / "o")]):
        code, _, err = run(capsys, *command, "--db", str(typo))
        assert code == 2 and "corpsu.db: no such database" in err, command
    assert list(tmp_path.iterdir()) == []
    code, _, err = run(capsys, "search", "x", "--db", "")
    assert code == 2 and "the database name is empty" in err


def test_a_db_file_that_is_not_a_database_is_refused_unless_empty_and_named_as_one(capsys, tmp_path):
    article, hint = str(EXAMPLES / "nato-troops-escalation.txt"), "(the database comes after --db)"
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.db").write_text("my notes", encoding="utf-8")
    for name in ("empty.txt", "notes.db"):
        code, _, err = run(capsys, "ingest", article, "--db", str(tmp_path / name))
        assert code == 2 and err == f"narrascope: error: {tmp_path / name}: not a SQLite database {hint}\n"
    assert (tmp_path / "empty.txt").read_bytes() == b"" and (tmp_path / "notes.db").read_text() == "my notes"
    for name in ("touched.db", "touched.SQLITE3"):  # an empty file named as a database becomes one
        (tmp_path / name).write_bytes(b"")
        assert run(capsys, "ingest", article, "--db", str(tmp_path / name))[0] == 0
        assert run(capsys, "search", "troops", "--db", str(tmp_path / name))[0] == 0  # and is one from then on


def test_ingest_and_analyze_count_the_files_skipped_for_their_extension(capsys, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_text("NATO troops head east\n\nTroops were sent to the border.", encoding="utf-8")
    (folder / "story.pdf").write_bytes(b"%PDF-1.4")
    (folder / "notes.md").write_text("# notes", encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(folder), "--db", str(tmp_path / "corpus.db"))
    assert code == 0 and err.endswith("; 2 file(s) with other extensions skipped (.md, .pdf)\n")
    code, _, err = run(capsys, "analyze", str(folder), "--format", "json")
    assert code == 0 and err == "1 article(s) analysed, 2 file(s) with other extensions skipped (.md, .pdf)\n"


def test_export_refuses_to_overwrite_its_database(capsys, tmp_path):
    db = tmp_path / "corpus.db"
    assert run(capsys, "ingest", str(EXAMPLES / "nato-troops-escalation.txt"), "--db", str(db))[0] == 0
    before = db.read_bytes()
    for out in (db, tmp_path / "corpus.db-wal"):  # SQLite deletes its -wal file on close: the export would vanish
        code, _, err = run(capsys, "export", "--db", str(db), "-f", "jsonl", "--out", str(out))
        assert code == 2 and "the output file is also an input" in err
    assert db.read_bytes() == before
    chart = tmp_path / "chart.png"
    code, _, err = run(capsys, "trends", "--db", str(db), "--plot", str(chart))  # stored but not analysed yet
    assert code == 0 and "nothing to plot" in err and not chart.exists()


def test_analyze_db_analyses_the_good_files_when_some_are_bad(capsys, tmp_path):
    db = tmp_path / "corpus.db"
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    code, _, err = run(
        capsys, "analyze", str(tmp_path / "empty.txt"), str(EXAMPLES / "nato-troops-escalation.txt"), "--db", str(db)
    )
    assert code == 2 and "empty.txt: file is empty" in err
    assert "1 of 1 analysed" in " ".join(err.split())


def test_narrascope_db_applies_to_analyze_only_with_a_bare_db_flag(capsys, tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("NARRASCOPE_DB", str(db))
    code, out, _ = run(capsys, "analyze", str(EXAMPLES / "nato-troops-escalation.txt"), "--format", "json")
    assert code == 0 and json.loads(out)["article"]["id"] == "nato-troops-escalation.txt" and not db.exists()
    code, _, err = run(capsys, "analyze", str(EXAMPLES / "nato-troops-escalation.txt"), "--db")
    assert code == 0 and db.exists() and "1 of 1 analysed" in " ".join(err.split())
    code, _, err = run(capsys, "analyze", "--db", "--format", "json")
    assert code == 2 and "narrascope export" in err


def test_source_names_are_shown_verbatim_and_a_bad_scheduler_is_one_line(capsys, tmp_path):
    db = str(tmp_path / "corpus.db")
    article = str(EXAMPLES / "nato-troops-escalation.txt")
    assert run(capsys, "ingest", article, "--db", db, "--source", "[Wire] a[/]b")[0] == 0
    code, _, err = run(capsys, "analyze", "--db", db, "--engine", "dask", "--scheduler", "no-port-here")
    assert code == 2 and "no-port-here: not a Dask scheduler address" in err and err.count("\n") == 1
    assert run(capsys, "analyze", "--db", db, "--workers", "1")[0] == 0
    code, out, err = run(capsys, "trends", "--db", db, "--per", "source", "--include-undated")
    assert code == 0 and "[Wire] a[/]b" in out, err
