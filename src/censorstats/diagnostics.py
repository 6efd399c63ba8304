"""What an analyst sees after editing data/raw/: every problem, named by its row's id, and which are new.

Validation finds errors and warnings in the raw tables; parsing adds warnings for figures and
periods it could not read. Here they become one list, each problem named by the id of its row
(`data/raw/reports.csv:11 (r004): ...`), so that `censorstats validate | grep r004` finds it and
a problem keeps its identity when rows are added above it. A row settled by a correction
(data/raw/corrections.csv) no longer warns about what the correction settles.

The build records the problems it ended with (data/.build/problems-at-build.json); the next build
and `censorstats validate --new` name the problems that were not there then.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from censorstats.paths import Project
from censorstats.problems import Problem

if TYPE_CHECKING:
    import polars as pl

# The columns load.py adds to every raw table (named here so that a no-op build imports no polars)
LINE_COLUMN, ROW_COLUMN = "_line", "_row"

AT_BUILD = "problems-at-build.json"


def named_by_row(problems: list[Problem], tables: dict[str, pl.DataFrame], project: Project) -> list[Problem]:
    """Each problem with the id of the row at its line (the table's first column), where there is one."""
    ids: dict[tuple[str, int], str] = {}
    for name, frame in tables.items():
        path = project.relative(project.raw_file(name))
        key = frame.columns[0]
        for line, row_id in frame.select(LINE_COLUMN, key).drop_nulls().iter_rows():
            ids[(path, line)] = row_id
    return [dataclasses.replace(p, row_id=ids.get((p.path, p.line))) for p in problems]


def settled_by_corrections(problems: list[Problem], tables: dict[str, pl.DataFrame], project: Project) -> list[Problem]:
    """Drop the warnings a recorded decision answers: all of an excluded report's, an overridden report's value_text."""
    corrections = tables.get("corrections")
    if corrections is None or "report_id" not in corrections.columns:
        return problems
    reports_path = project.relative(project.raw_file("reports"))
    decided = dict(corrections.select("report_id", "action").drop_nulls().iter_rows())

    def settled(p: Problem) -> bool:
        action = decided.get(p.row_id) if p.path == reports_path and p.severity == "warning" else None
        return action == "exclude" or (action == "override" and p.column == "value_text")

    return [p for p in problems if not settled(p)]


def _with_lines(processed: pl.DataFrame, raw: pl.DataFrame, key: str) -> pl.DataFrame:
    return processed.join(raw.select(key, LINE_COLUMN, ROW_COLUMN), on=key, how="left")


def parse_warnings_from_processed(project: Project, tables: dict[str, pl.DataFrame]) -> list[Problem]:
    """The parser's warnings, read from the built tables (the build has already parsed every row)."""
    import polars as pl

    from censorstats.parse import parse_problems

    reports = _with_lines(pl.read_parquet(project.processed / "reports.parquet"), tables["reports"], "report_id")
    reach = _with_lines(pl.read_parquet(project.processed / "reach.parquet"), tables["reach"], "reach_id")
    paths = {t: project.relative(project.raw_file(t)) for t in ("reports", "reach", "corrections")}
    return parse_problems(reports, reach, paths, tables.get("corrections"))


def parse_warnings_from_raw(project: Project, tables: dict[str, pl.DataFrame]) -> list[Problem]:
    """The parser's warnings, parsing the raw tables afresh (for `validate`, which builds nothing)."""
    from censorstats.parse import parse_problems, parsed_reach, parsed_reports

    paths = {t: project.relative(project.raw_file(t)) for t in ("reports", "reach", "corrections")}
    return parse_problems(
        parsed_reports(tables).collect(), parsed_reach(tables).collect(), paths, tables.get("corrections")
    )


def finished(problems: list[Problem], tables: dict[str, pl.DataFrame], project: Project) -> list[Problem]:
    """Named by row, without what corrections settle."""
    return settled_by_corrections(named_by_row(problems, tables, project), tables, project)


def identity(p: Problem) -> tuple:
    """What makes a problem the same one after rows are added or moved: its row id, not its line."""
    return (p.path, p.row_id or p.line, p.column, p.code, p.message)


def at_last_build(project: Project) -> list[dict] | None:
    """The problems the last build ended with (None before the first build)."""
    try:
        return json.loads((project.build_state / AT_BUILD).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def new_since_last_build(problems: list[Problem], project: Project) -> list[Problem] | None:
    """The problems not there at the end of the last build; None when no build has recorded any."""
    previous = at_last_build(project)
    if previous is None:
        return None
    known = {identity(Problem(**d)) for d in previous}
    return [p for p in problems if identity(p) not in known]


def record_at_build(problems: list[Problem], project: Project) -> None:
    from censorstats.problems import write_problems

    write_problems(problems, project.build_state / AT_BUILD)


def summary_line(problems: list[Problem], new: list[Problem] | None) -> str:
    """`124 warning(s), 2 new since the last build: reports.csv r472 unresolved_period, ...` (one line)."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    counts = (f"{errors} error(s), " if errors else "") + f"{warnings} warning(s)"
    if new is None:
        return f"{counts} (first build here: list them with censorstats validate)"
    if not new:
        return f"{counts}, none new since the last build"
    named = ", ".join(f"{p.path.rsplit('/', 1)[-1]} {p.row_id or 'line ' + str(p.line)} {p.code}" for p in new[:10])
    more = f" and {len(new) - 10} more" if len(new) > 10 else ""
    return f"{counts}, {len(new)} new since the last build: {named}{more}"
