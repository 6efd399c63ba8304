"""The strict raw reader on broken copies of real files (the full corpus grows with issue 7)."""

from __future__ import annotations

from censorstats.validate import validate_raw


def _problems(project, name: str, data: bytes):
    project.raw_file(name).write_bytes(data)
    return [(p.line, p.column, p.code, p.severity) for p in validate_raw(project).problems if p.path.endswith(f"{name}.csv")]


def _original(project, name: str) -> bytes:
    return project.raw_file(name).read_bytes()


def test_gbk_file_names_line_and_encoding(project):
    text = _original(project, "authorities").decode("utf-8")
    assert _problems(project, "authorities", text.encode("gb18030")) == [(2, "", "encoding", "error")]  # first Chinese name is on line 2


def test_semicolon_delimited_file(project):
    data = _original(project, "metrics").replace(b",", b";")
    assert _problems(project, "metrics", data) == [(1, "", "delimiter", "error")]


def test_duplicate_and_unknown_header_names(project):
    lines = _original(project, "platforms").split(b"\n")
    lines[0] = lines[0].replace(b"operator", b"name") + b",extra"
    lines[1:] = [line + b"," if line else line for line in lines[1:]]
    codes = {(line, col, code) for line, col, code, _ in _problems(project, "platforms", b"\n".join(lines))}
    assert codes == {(1, "name", "duplicate_header"), (1, "extra", "unknown_column")}  # operator is optional


def test_missing_required_column(project):
    lines = _original(project, "metrics").split(b"\n")
    cut = [b",".join(line.split(b",")[:2]) if line else line for line in lines]  # descriptions have no commas
    assert _problems(project, "metrics", b"\n".join(cut)) == [(1, "description", "missing_column", "error")]


def test_short_row_and_blank_row(project):
    lines = _original(project, "metrics").split(b"\n")
    lines[3] = b"apps_removed,apps"
    lines.insert(5, b"")
    lines.insert(5, b",,")
    problems = _problems(project, "metrics", b"\n".join(lines))
    assert (4, "", "row_length", "error") in problems
    assert (6, "", "blank_row", "warning") in problems


def test_unclosed_quote_is_reported_where_it_opens(project):
    lines = _original(project, "authorities").split(b"\n")
    lines[2] = lines[2].replace(b",", b',"', 1)
    assert _problems(project, "authorities", b"\n".join(lines)) == [(3, "", "unclosed_quote", "error")]


def test_embedded_newline_keeps_line_numbers_right(project):
    lines = _original(project, "metrics").split(b"\n")
    lines[2] = lines[2].rsplit(b",", 1)[0] + b',"two\nlines"'
    lines[5] = b"Bad Id,accounts,x"
    problems = _problems(project, "metrics", b"\n".join(lines))
    assert problems == [(7, "metric_id", "bad_id", "error")]


def test_crlf_is_fine_and_bare_cr_is_not(project):
    crlf = _original(project, "metrics").replace(b"\n", b"\r\n")
    assert _problems(project, "metrics", crlf) == []
    assert _problems(project, "metrics", crlf.replace(b"\r\n", b"\r"))[0][2] == "bare_cr"


def test_formula_cell_is_a_warning(project):
    data = _original(project, "metrics").replace(b"Accounts closed, shut down or deleted", b"=HYPERLINK(1)")
    assert _problems(project, "metrics", data) == [(2, "description", "formula_cell", "warning")]


def test_symlink_outside_the_project_and_directory(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "metrics.csv"
    outside.write_bytes(_original(project, "metrics"))
    project.raw_file("metrics").unlink()
    project.raw_file("metrics").symlink_to(outside)
    assert [p.code for p in validate_raw(project).problems if p.path.endswith("metrics.csv")] == ["path_outside"]
    project.raw_file("metrics").unlink()
    project.raw_file("metrics").mkdir()
    assert [p.code for p in validate_raw(project).problems if p.path.endswith("metrics.csv")] == ["not_a_file"]


def test_empty_and_header_only_files(project):
    assert _problems(project, "metrics", b"") == [(1, "", "empty_file", "error")]
    assert _problems(project, "metrics", b"metric_id,unit,description\n") == [(1, "", "no_records", "error")]
