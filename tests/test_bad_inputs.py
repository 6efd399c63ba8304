"""The bad-input corpus: each case breaks a copy of the shipped raw files the way spreadsheets and
people do, runs `censorstats build`, and checks the exact outcome.

For every case: the problems in data/.build/problems.json are exactly the expected ones
(severity, file, line, column, code), every one is printed in the `path:line: column "x": ...`
form, the exit status is 1 on errors and 0 on warnings only, raw files are untouched, and on
errors data/processed/ and reports/figures/ are byte-identical to before.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from censorstats.cli import main
from censorstats.paths import Project
from conftest import set_cell

OUTPUT_DIRS = ("data/processed", "reports/figures")
R, S, X, M, P, A = ("data/raw/reports.csv", "data/raw/sources.csv", "data/raw/reach.csv", "data/raw/metrics.csv",
                    "data/raw/platforms.csv", "data/raw/authorities.csv")


def error(path, line, column, code):
    return ("error", path, line, column, code)


def warning(path, line, column, code):
    return ("warning", path, line, column, code)


# ---------------------------------------------------------------------------------------------
# Helpers that break files
# ---------------------------------------------------------------------------------------------


def _file(p: Project, rel: str) -> Path:
    return p.root / rel


def _text(p: Project, rel: str) -> str:
    return _file(p, rel).read_text(encoding="utf-8")


def _write(p: Project, rel: str, text: str, encoding: str = "utf-8") -> None:
    _file(p, rel).write_bytes(text.encode(encoding))


def _line_of(p: Project, rel: str, row_id: str) -> int:
    for number, line in enumerate(_text(p, rel).split("\n"), start=1):
        if line.startswith(row_id + ","):
            return number
    raise KeyError(row_id)


def _set(p: Project, rel: str, row_id: str, column: str, value: str) -> int:
    return set_cell(_file(p, rel), row_id, column, value)


def _replace_in_line(p: Project, rel: str, line: int, old: str, new: str) -> None:
    lines = _text(p, rel).split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    _write(p, rel, "\n".join(lines))


def _insert_line(p: Project, rel: str, after: int, content: str) -> int:
    lines = _text(p, rel).split("\n")
    lines.insert(after, content)
    _write(p, rel, "\n".join(lines))
    return after + 1


def _append_line(p: Project, rel: str, content: str) -> int:
    text = _text(p, rel)
    _write(p, rel, text + content + "\n")
    return text.count("\n") + 1


def _header_cells(p: Project, rel: str) -> int:
    return len(_text(p, rel).split("\n", 1)[0].split(","))


def _day_source(p: Project) -> tuple[str, str]:
    """A source published on a known day, and a reach row citing it."""
    import csv

    sources = {r["source_id"]: r["published"] for r in csv.DictReader(_text(p, S).splitlines())}
    for r in csv.DictReader(_text(p, X).splitlines()):
        if len(sources.get(r["source_id"], "")) == 10:
            return r["reach_id"], sources[r["source_id"]]
    raise AssertionError("no reach row cites a page with a known day")


# ---------------------------------------------------------------------------------------------
# The cases. Each breaks the project and returns the problems that must be reported, exactly.
# ---------------------------------------------------------------------------------------------


def encoding_gbk(p):
    _write(p, A, _text(p, A), "gb18030")
    return [error(A, 2, "", "encoding")]  # the first Chinese name is on line 2


def encoding_utf16(p):
    _write(p, A, _text(p, A), "utf-16")
    return [error(A, 1, "", "encoding")]


def encoding_cp1252(p):
    line = _set(p, M, "accounts_closed", "description", "Accounts closed (café owners' too)")
    _write(p, M, _text(p, M), "cp1252")
    return [error(M, line, "", "encoding")]


def encoding_utf8_with_bom_is_fine(p):
    _write(p, S, "\ufeff" + _text(p, S))
    return []


def delimiter_semicolons(p):
    _write(p, M, _text(p, M).replace(",", ";"))
    return [error(M, 1, "", "delimiter")]


def delimiter_tabs(p):
    _write(p, A, _text(p, A).replace(",", "\t"))
    return [error(A, 1, "", "delimiter")]


def line_endings_crlf_are_fine(p):
    _write(p, R, _text(p, R).replace("\n", "\r\n"))
    return []


def line_endings_bare_cr_file(p):
    _write(p, P, _text(p, P).replace("\n", "\r"))
    return [error(P, 1, "", "bare_cr")]


def line_endings_one_bare_cr(p):
    line = 10
    lines = _text(p, R).split("\n")
    _write(p, R, "\n".join(lines[: line - 1]) + "\n" + lines[line - 1] + "\r" + "\n".join(lines[line:]))
    return [error(R, line, "", "bare_cr")]


def header_duplicate(p):
    _write(p, P, _text(p, P).replace("operator", "name", 1))
    return [error(P, 1, "name", "duplicate_header")]


def header_unknown_column(p):
    lines = _text(p, M).split("\n")
    _write(p, M, "\n".join([lines[0] + ",comment"] + [ln + "," if ln else ln for ln in lines[1:]]))
    return [error(M, 1, "comment", "unknown_column")]


def header_blank_cell(p):
    _write(p, P, _text(p, P).replace("operator", "", 1))
    return [error(P, 1, "#4", "blank_header")]


def header_missing_required_column(p):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(_text(p, A))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[0], r[2]] for r in rows])  # name dropped
    _write(p, A, out.getvalue())
    return [error(A, 1, "name", "missing_column")]


def header_trailing_space(p):
    _write(p, S, _text(p, S).replace(",note\n", ",note \n", 1))
    return [error(S, 1, "note ", "unknown_column")]  # note is optional, so it is not missing


def header_wrong_case(p):
    _write(p, A, _text(p, A).replace("authority_id", "Authority_ID", 1))
    return [error(A, 1, "Authority_ID", "unknown_column"), error(A, 1, "authority_id", "missing_column")]


def row_too_short(p):
    line = _line_of(p, R, "s002")
    lines = _text(p, R).split("\n")
    lines[line - 1] = lines[line - 1].rsplit(",", 1)[0]
    _write(p, R, "\n".join(lines))
    return [error(R, line, "", "row_length")]


def row_too_long(p):
    line = _line_of(p, R, "s003")
    _replace_in_line(p, R, line, "s003,", "s003,,")
    return [error(R, line, "", "row_length")]


def quote_never_closed(p):
    n = _header_cells(p, R)
    line = _append_line(p, R, "s999," + "," * (n - 3) + '"a note that never ends')
    return [error(R, line, "", "unclosed_quote")]


def quote_text_after_closing_quote(p):
    line = _set(p, R, "s002", "note", "MARKER")
    _replace_in_line(p, R, line, "MARKER", '"official"figure')
    return [error(R, line, "", "stray_quote")]


def quote_inside_unquoted_cell(p):
    line = _set(p, R, "s002", "note", "MARKER")
    _replace_in_line(p, R, line, "MARKER", 'the 9"800 figure')
    return [error(R, line, "", "stray_quote")]


def embedded_newline_keeps_lines_right(p):
    _set(p, R, "s002", "note", "first line\nsecond line")
    line = _set(p, R, "s003", "period_start", "2018-13-01") + 1  # one physical line more above it
    assert _line_of(p, R, "s003") == line
    return [error(R, line, "period_start", "bad_date")]


def blank_row_is_skipped_with_a_warning(p):
    line = _insert_line(p, R, _line_of(p, R, "s005"), "")
    return [warning(R, line, "", "blank_row")]


def row_of_empty_cells_is_skipped_with_a_warning(p):
    line = _insert_line(p, X, _line_of(p, X, "s101"), "," * (_header_cells(p, X) - 1))
    return [warning(X, line, "", "blank_row")]


def date_not_in_calendar(p):
    return [error(S, _set(p, S, "21cir-201812", "published", "2018-02-30"), "published", "bad_date")]


def date_in_another_form(p):
    return [error(S, _set(p, S, "21cir-201812", "published", "12/09/2018"), "published", "bad_date")]


def date_as_of_in_words(p):
    return [error(X, _set(p, X, "s101", "as_of", "yesterday"), "as_of", "bad_date")]


def date_after_publication_in_reports(p):
    return [error(R, _set(p, R, "s002", "period_end", "2019-01-15"), "period_end", "after_published")]


def date_after_publication_in_reach(p):
    from datetime import date, timedelta

    reach_id, published = _day_source(p)
    later = (date.fromisoformat(published) + timedelta(days=1)).isoformat()
    return [error(X, _set(p, X, reach_id, "as_of", later), "as_of", "after_published")]


def id_uppercase(p):
    return [error(R, _set(p, R, "s002", "report_id", "S002"), "report_id", "bad_id")]


def id_trailing_space(p):
    return [error(R, _set(p, R, "s002", "report_id", "s002 "), "report_id", "whitespace")]


def id_no_break_space(p):
    return [error(R, _set(p, R, "s002", "report_id", "s002\u00a0"), "report_id", "whitespace")]


def id_empty(p):
    return [error(R, _set(p, R, "s002", "report_id", ""), "report_id", "required")]


def metric_id_in_words(p):
    line = _set(p, R, "s002", "metric", "Accounts Closed")
    return [error(R, line, "metric", "bad_id"), error(R, line, "metric", "unknown_reference")]


def reference_unknown_source(p):
    return [error(R, _set(p, R, "s002", "source_id", "gt-2018-1127"), "source_id", "unknown_reference")]


def reference_unknown_campaign(p):
    return [error(R, _set(p, R, "s002", "campaign_id", "2018-no-such-campaign"), "campaign_id", "unknown_reference")]


def reference_unknown_platform(p):
    return [error(X, _set(p, X, "s101", "platform_id", "myspace"), "platform_id", "unknown_reference")]


def duplicate_report_id(p):
    first = _line_of(p, R, "s002")
    second = _set(p, R, "s003", "report_id", "s002")
    return [error(R, first, "report_id", "duplicate_id"), error(R, second, "report_id", "duplicate_id")]


def duplicate_source_id(p):
    first = _line_of(p, S, "21cir-201812")
    import csv

    second_id = list(csv.DictReader(_text(p, S).splitlines()))[1]["source_id"]
    second = _set(p, S, second_id, "source_id", "21cir-201812")
    # The renamed page's reports now point to a source id that no longer exists.
    missing = [(rel, ln) for rel in (R, X) for ln, row in _rows_citing(p, rel, second_id)]
    return [error(S, first, "source_id", "duplicate_id"), error(S, second, "source_id", "duplicate_id")] + [
        error(rel, ln, "source_id", "unknown_reference") for rel, ln in missing
    ]


def _rows_citing(p, rel, source_id):
    import csv

    lines = _text(p, rel).split("\n")
    header = next(csv.reader([lines[0]]))
    col = header.index("source_id")
    for number, line in enumerate(lines[1:], start=2):
        if line and next(csv.reader([line]))[col] == source_id:
            yield number, line


def value_not_allowed(p):
    return [error(S, _set(p, S, "21cir-201812", "source_type", "tweet"), "source_type", "not_allowed")]


def placement_not_allowed(p):
    return [error(R, _set(p, R, "s002", "placement", "footer"), "placement", "not_allowed")]


def language_in_words(p):
    return [error(S, _set(p, S, "21cir-201812", "language", "english"), "language", "bad_language")]


def formula_equals(p):
    return [warning(R, _set(p, R, "s002", "note", "=HYPERLINK(\"http://x\")"), "note", "formula_cell")]


def formula_at_sign(p):
    return [warning(S, _set(p, S, "21cir-201812", "note", "@SUM(A1:A9)"), "note", "formula_cell")]


def formula_minus_in_value_text(p):
    return [warning(R, _set(p, R, "s002", "value_text", "-1,100"), "value_text", "formula_cell")]


def formula_plus_in_reach_note(p):
    return [warning(X, _set(p, X, "s101", "note", "+41% y/y"), "note", "formula_cell")]


def formula_tab(p):
    return [warning(R, _set(p, R, "s002", "note", "\tindented note"), "note", "formula_cell")]


def url_ftp(p):
    return [error(S, _set(p, S, "21cir-201812", "url", "ftp://www.21cir.com/2018/12/x"), "url", "bad_url")]


def url_javascript(p):
    return [error(S, _set(p, S, "21cir-201812", "url", "javascript:alert(1)"), "url", "bad_url")]


def url_without_scheme(p):
    return [error(S, _set(p, S, "21cir-201812", "url", "www.21cir.com/2018/12/x"), "url", "bad_url")]


def cell_too_long(p):
    return [error(R, _set(p, R, "s002", "note", "x" * 40_000), "note", "cell_too_long")]


def file_missing(p):
    _file(p, M).unlink()
    return [error(M, 0, "", "missing_file")]


def file_is_a_directory(p):
    _file(p, M).unlink()
    _file(p, M).mkdir()
    return [error(M, 0, "", "not_a_file")]


def file_symlink_outside_project(p):
    outside = p.root.parent / "outside-metrics.csv"
    shutil.copy(_file(p, M), outside)
    _file(p, M).unlink()
    _file(p, M).symlink_to(outside)
    return [error(M, 0, "", "path_outside")]


def file_empty(p):
    _write(p, A, "")
    return [error(A, 1, "", "empty_file")]


def file_header_only(p):
    _write(p, A, _text(p, A).split("\n", 1)[0] + "\n")
    return [error(A, 1, "", "no_records")]


CASES = [
    encoding_gbk, encoding_utf16, encoding_cp1252, encoding_utf8_with_bom_is_fine,
    delimiter_semicolons, delimiter_tabs,
    line_endings_crlf_are_fine, line_endings_bare_cr_file, line_endings_one_bare_cr,
    header_duplicate, header_unknown_column, header_blank_cell, header_missing_required_column,
    header_trailing_space, header_wrong_case,
    row_too_short, row_too_long,
    quote_never_closed, quote_text_after_closing_quote, quote_inside_unquoted_cell, embedded_newline_keeps_lines_right,
    blank_row_is_skipped_with_a_warning, row_of_empty_cells_is_skipped_with_a_warning,
    date_not_in_calendar, date_in_another_form, date_as_of_in_words, date_after_publication_in_reports,
    date_after_publication_in_reach,
    id_uppercase, id_trailing_space, id_no_break_space, id_empty, metric_id_in_words,
    reference_unknown_source, reference_unknown_campaign, reference_unknown_platform,
    duplicate_report_id, duplicate_source_id,
    value_not_allowed, placement_not_allowed, language_in_words,
    formula_equals, formula_at_sign, formula_minus_in_value_text, formula_plus_in_reach_note, formula_tab,
    url_ftp, url_javascript, url_without_scheme,
    cell_too_long,
    file_missing, file_is_a_directory, file_symlink_outside_project, file_empty, file_header_only,
]


def _tree(root: Path, rels) -> dict[str, object]:
    """Bytes of every file (and the target of every link) under the given folders."""
    out: dict[str, object] = {}
    for rel in rels:
        base = root / rel
        for path in sorted(base.rglob("*")) + [base]:
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[key] = ("link", os.readlink(path))
            elif path.is_file():
                out[key] = path.read_bytes()
            elif path.is_dir():
                out[key] = "dir"
    return out


@pytest.fixture
def built_copy(shipped_build) -> Path:
    """The shipped data built (once per test process, conftest.py); each case copies it before breaking it."""
    return shipped_build


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 40 and len({c.__name__ for c in CASES}) == len(CASES)


def _row_id(work: Path, path: str, line: int | None) -> str | None:
    """The first cell of a record's line in a raw file (the shipped files have one record per line)."""
    if not line or line < 2 or not path.endswith(".csv"):
        return None
    lines = (work / path).read_text(encoding="utf-8", errors="replace").splitlines()
    return lines[line - 1].split(",", 1)[0] if line <= len(lines) else None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_bad_input_gets_its_exact_outcome_and_damages_nothing(case, built_copy, tmp_path, monkeypatch, capsys):
    work = tmp_path / "project"
    shutil.copytree(built_copy, work, symlinks=True)
    project = Project(work)
    expected = case(project)
    raw_before = _tree(work, ["data/raw"])
    outputs_before = _tree(work, OUTPUT_DIRS)
    monkeypatch.setenv("CENSORSTATS_ROOT", str(work))

    status = main(["build"])

    report = work / "data" / ".build" / "problems.json"
    problems = json.loads(report.read_text(encoding="utf-8")) if report.exists() else []
    got = sorted((p["severity"], p["path"], p["line"], p["column"], p["code"]) for p in problems)
    assert got == sorted(expected)
    errors = any(e[0] == "error" for e in expected)
    assert status == (1 if errors else 0)
    printed = capsys.readouterr().err.splitlines()
    for p in problems:  # each on one line of its own: path:line (id, spreadsheet row N): column "name": message [code]
        where = f'{p["path"]}:{p["line"]}' if p["line"] else p["path"]
        # the row's id, to find it by (the build names it on screen; problems.json keeps it for errors)
        row_id = p.get("row_id") or (_row_id(work, p["path"], p["line"]) if p["severity"] == "warning" else None)
        named = [row_id] if row_id else []
        if p["row"] is not None and p["row"] != p["line"]:
            named.append(f'spreadsheet row {p["row"]}')
        if named:
            where += f' ({", ".join(named)})'
        column = f' column "{p["column"]}":' if p["column"] else ""
        label = "warning: " if p["severity"] == "warning" else ""
        assert f'{where}:{column} {label}{p["message"]} [{p["code"]}]' in printed
    assert _tree(work, ["data/raw"]) == raw_before
    if errors:
        assert _tree(work, OUTPUT_DIRS) == outputs_before


def test_build_lists_at_most_50_lines_per_rule_and_file_then_a_count_and_all_in_json(built_copy, tmp_path, monkeypatch, capsys):
    import csv
    import io

    work = tmp_path / "project"
    shutil.copytree(built_copy, work, symlinks=True)
    project = Project(work)
    rows = list(csv.reader(io.StringIO(_text(project, R))))
    col = rows[0].index("placement")
    for row in rows[1:61]:
        row[col] = "footer"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    _write(project, R, out.getvalue())
    _set(project, S, "21cir-201812", "url", "ftp://example.org/")  # another file, another rule: listed in full
    monkeypatch.setenv("CENSORSTATS_ROOT", str(work))

    assert main(["build"]) == 1

    printed = capsys.readouterr().err.splitlines()
    listed = [line for line in printed if line.startswith(f"{R}:") and line[len(R) + 1].isdigit() and "[not_allowed]" in line]
    assert len(listed) == 50
    assert [int(line.split(":")[1].split()[0]) for line in listed] == list(range(2, 52))  # sorted by line
    assert f"{R}: ... and 10 more [not_allowed] problems not shown" in printed
    assert any(line.startswith(f"{S}:2 (21cir-201812): column \"url\":") and line.endswith("[bad_url]") for line in printed)
    assert printed.index(next(line for line in printed if line.startswith(R))) < printed.index(
        next(line for line in printed if line.startswith(S)))  # sorted by file
    problems = json.loads((work / "data" / ".build" / "problems.json").read_text(encoding="utf-8"))
    assert sum(p["code"] == "not_allowed" for p in problems) == 60
    assert main(["validate", "--errors-only"]) == 1  # validate, like a linter, lists every one on stdout
    assert sum("[not_allowed]" in line for line in capsys.readouterr().out.splitlines()) == 60
