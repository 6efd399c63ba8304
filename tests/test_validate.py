"""`censorstats validate` on the shipped data and on broken copies of it."""

from __future__ import annotations

import csv
import json

import pytest

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
    out, err = capsys.readouterr()
    assert f'data/raw/reports.csv:{line} (r214): column "source_id": "gt-2018-1127" is not in sources.csv [unknown_reference]' in out
    assert err.startswith("1 error(s); figures and periods are read, and their warnings counted, once the errors are fixed")
    assert not any(project.processed.glob("*"))  # nothing was written to data/processed/
    copy = json.loads((project.build_state / "problems.json").read_text())
    errors = [p for p in copy if p["severity"] == "error"]
    assert [(p["path"], p["line"], p["column"], p["code"]) for p in errors] == [("data/raw/reports.csv", line, "source_id", "unknown_reference")]


def test_with_an_error_the_count_states_only_the_warnings_that_were_counted(project):
    """A blank row warns at validation; the figures are read (and warn) only once no error is left."""
    from censorstats.problems import summary

    with project.raw_file("metrics").open("a", encoding="utf-8") as f:
        f.write(",,\n")
    set_cell(project.raw_file("reports"), "r214", "source_id", "no-such-page")
    assert summary(validate_raw(project).problems) == (
        "1 error(s), 1 warning(s) from the table checks; "
        "figures and periods are read, and their warnings counted, once the errors are fixed"
    )


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


def test_parse_failures_are_listed_as_warnings_on_stdout_with_the_row_id(project, monkeypatch, capsys):
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate"]) == 0
    out, err = capsys.readouterr()
    assert 'data/raw/reports.csv:12 (r008): column "value_text": warning: "نحو 1.8مليون" was not read as a number' in out
    assert all(line.startswith("data/raw/") and line.endswith("]") for line in out.splitlines())
    assert len(out.splitlines()) == 109  # every one, uncapped: 12 figures and 97 periods not read (frozen data)
    assert "0 error(s), 109 warning(s)" in err


def test_a_row_settled_by_a_correction_no_longer_warns(project, monkeypatch, capsys):
    """r078's "2200缺家" cannot be read, and corrections.csv overrides it: its value_text no longer warns."""
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate", "--id", "r078"]) == 0
    assert capsys.readouterr().out == ""
    project.raw_file("corrections").unlink()
    assert main(["validate", "--id", "r078"]) == 0
    assert '(r078): column "value_text": warning: "2200缺家" was not read as a number: unknown character(s): 缺' in capsys.readouterr().out
    project.raw_file("corrections").write_text("report_id,action,value_text,reason\nr008,exclude,,Arabic relay\n", encoding="utf-8")
    assert main(["validate", "--id", "r008"]) == 0  # an excluded report: none of its warnings
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("ids,named", [(["r99999"], "the id 'r99999'"), (["r078", "r99999", "p9"], "the ids 'r99999', 'p9'")])
def test_an_id_no_raw_table_has_is_a_usage_error(ids, named, project, monkeypatch, capsys):
    """A mistyped --id would otherwise show nothing, as a row without problems does (r078, p023 and cac are real)."""
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate", "--id", "r078", "--id", "p023", "--id", "cac"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit:
        main(["validate", *[a for i in ids for a in ("--id", i)]])
    out, err = capsys.readouterr()
    assert exit.value.code == 2 and out == ""
    assert err.splitlines()[-1] == f"censorstats validate: error: no row of any table in data/raw/ has {named}"


def test_validate_selects_by_id_by_severity_and_by_what_is_new(built, monkeypatch, capsys):
    project = built  # --new compares with the problems of the last build
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate", "--id", "r004", "--id", "r008"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert [line.split(":")[1] for line in shown] == ["11 (r004)", "12 (r008)", "12 (r008)"]
    assert main(["validate", "--new"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "0 shown" in err
    set_cell(project.raw_file("reports"), "r214", "period_text", "in the fortnight before")
    assert main(["validate", "--new"]) == 0
    new = capsys.readouterr().out.splitlines()
    assert [(line.split(":")[1].split(" ")[1], line.split('"')[1]) for line in new] == [("(r214)", "period_text")]
    set_cell(project.raw_file("reports"), "r215", "source_id", "no-such-page")  # an error: parsing waits for it
    assert main(["validate", "--new"]) == 1
    assert [line.split(":")[1].split(" ")[1] for line in capsys.readouterr().out.splitlines()] == ["(r215)"]
    assert main(["validate", "--errors-only"]) == 1
    assert [line.split(":")[1].split(" ")[1] for line in capsys.readouterr().out.splitlines()] == ["(r215)"]


def test_an_override_that_cannot_be_read_is_a_warning_at_its_line(project, monkeypatch, capsys):
    from censorstats.cli import main

    project.raw_file("corrections").write_text(
        "report_id,action,value_text,reason\nr078,override,2200缺家,copied the garble by mistake\n", encoding="utf-8")
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert 'data/raw/corrections.csv:2 (r078): column "value_text": warning: "2200缺家" (the override for r078) was not read' in out
