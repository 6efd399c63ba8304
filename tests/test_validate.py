"""`censorstats validate` on the shipped data and on broken copies of it."""

from __future__ import annotations

import csv

import json

from censorstats.cli import main
from censorstats.validate import validate_raw
from conftest import set_cell


def test_shipped_data_is_valid_with_all_rows(project):
    result = validate_raw(project)
    assert [p.format() for p in result.problems if p.severity == "error"] == []
    for table in ("reports", "reach", "sources"):  # every record, as Python's csv module counts them
        with project.raw_file(table).open(encoding="utf-8", newline="") as f:
            assert result.tables[table].height == sum(1 for _ in csv.reader(f)) - 1


def test_unknown_source_id_is_reported_with_file_line_column_and_value(project, monkeypatch, capsys):
    line = set_cell(project.raw_file("reports"), "r214", "source_id", "gt-2018-1127")
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert f'data/raw/reports.csv:{line}: column "source_id": "gt-2018-1127" is not in sources.csv [unknown_reference]' in err
    assert not any(project.processed.glob("*"))  # nothing was written to data/processed/
    copy = json.loads((project.build_state / "problems.json").read_text())
    errors = [p for p in copy if p["severity"] == "error"]
    assert [(p["path"], p["line"], p["column"], p["code"]) for p in errors] == [("data/raw/reports.csv", line, "source_id", "unknown_reference")]


def test_all_problems_are_reported_at_once(project):
    set_cell(project.raw_file("reports"), "r100", "metric", "accounts_zapped")
    set_cell(project.raw_file("reach"), "p023", "as_of", "2018-09-31")
    set_cell(project.raw_file("sources"), "cnet-undated", "url", "ftp://example.org/x")
    codes = {(p.path.rsplit("/", 1)[-1], p.column, p.code) for p in validate_raw(project).problems if p.severity == "error"}
    assert codes == {("reports.csv", "metric", "unknown_reference"), ("reach.csv", "as_of", "bad_date"), ("sources.csv", "url", "bad_url")}


def test_date_after_publication_is_an_error(project):
    line = set_cell(project.raw_file("reach"), "p075", "as_of", "2019-09-30")  # page published 2019-08-20
    errors = [p for p in validate_raw(project).problems if p.severity == "error"]
    assert [(p.line, p.column, p.code) for p in errors] == [(line, "as_of", "after_published")]


def test_parse_failures_are_listed_as_warnings(project, monkeypatch, capsys):
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert 'column "value_text": warning: "2200缺家" was not read as a number: unknown character(s): 缺 [unparsed_value]' in err
    assert "0 error(s)" in err


def test_an_override_that_cannot_be_read_is_a_warning_at_its_line(project, monkeypatch, capsys):
    from censorstats.cli import main

    project.raw_file("corrections").write_text(
        "report_id,action,value_text,reason\nr078,override,2200缺家,copied the garble by mistake\n", encoding="utf-8")
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert 'data/raw/corrections.csv:2: column "value_text": warning: "2200缺家" (the override for r078) was not read' in err
