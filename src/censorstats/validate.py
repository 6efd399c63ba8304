"""Checking raw tables against their schemas and against each other, reporting every problem at once.

Input: the text cells read by `load`. Output: the same tables as Polars frames (still text,
with their _line and _row) and the list of problems. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from censorstats import fields, schemas
from censorstats.dates import DAY_FORMAT, published_bounds
from censorstats.load import LINE_COLUMN, ROW_COLUMN, RawBytes, read_raw, snapshot
from censorstats.paths import Project
from censorstats.problems import Problem

PATTERN_WORDS = {  # pattern: (what a failing value is not, code)
    fields.SLUG: ("is not a lowercase slug (a-z, 0-9 and single hyphens, e.g. 'chinadaily-20190123')", "bad_id"),
    fields.METRIC_SLUG: (
        "is not a metric id (lowercase words joined by underscores, e.g. 'accounts_closed')",
        "bad_id",
    ),
    fields.URL: ("is not an http:// or https:// address", "bad_url"),
    fields.LANGUAGE: ("is not a two-letter ISO 639-1 language code", "bad_language"),
}


@dataclass
class Validated:
    tables: dict[str, pl.DataFrame]
    problems: list[Problem]


def _describe(check: str, value, column: str) -> tuple[str, str]:
    """(message, code) for one Pandera failure, in words an analyst can act on."""
    shown = f'"{value}"' if value is not None else "empty value"
    if check == "field_uniqueness":
        return f"{shown} is used more than once", "duplicate_id"
    if check == "not_nullable":
        return "is empty but a value is required", "required"
    if check.startswith("str_matches("):
        pattern = check[len("str_matches('") : -2]
        if isinstance(value, str) and (value != value.strip() or "\u00a0" in value):
            return f"{shown} has leading, trailing or no-break spaces", "whitespace"
        words, code = PATTERN_WORDS.get(pattern, (f"does not match {pattern}", "pattern"))
        return f"{shown} {words}", code
    if check.startswith("isin("):
        return f"{shown} is not one of the allowed values {check[5:-1]}", "not_allowed"
    if "date" in check:
        return f"{shown} {check}", "bad_date"
    return f"{shown}: {check}", "check"


def _schema_problems(model, frame: pl.DataFrame, path: str) -> list[Problem]:
    data = frame.drop(LINE_COLUMN, ROW_COLUMN)
    try:
        model.validate(data, lazy=True)
        return _blank_required(model, frame, path)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    lines, rows = frame[LINE_COLUMN].to_list(), frame[ROW_COLUMN].to_list()
    problems = []
    for case in cases.iter_rows(named=True):
        if (
            case["check"] == "column_in_dataframe"
            or case["schema_context"] == "DataFrameSchema"
            and case["index"] is None
        ):
            continue  # header problems are reported by the reader, with the header's line
        index = case["index"]
        line = lines[index] if index is not None else 1
        row = rows[index] if index is not None else None
        if case["check"] in schemas.ROW_CHECK_COLUMNS and index is not None:
            columns = schemas.ROW_CHECK_COLUMNS[case["check"]]
            values = ", ".join(
                f'{c} "{frame[c][index]}"' if frame[c][index] is not None else f"{c} empty"
                for c in columns
                if c in frame.columns
            )
            problems.append(Problem(path, line, columns[0], f"{case['check']} ({values})", "row_check", row=row))
            continue
        message, code = _describe(case["check"], case["failure_case"], case["column"])
        problems.append(Problem(path, line, case["column"] or "", message, code, row=row))
    return problems + _blank_required(model, frame, path)


def _blank_required(model, frame: pl.DataFrame, path: str) -> list[Problem]:
    """Required free-text cells holding only white space: present to the schema, empty to a reader."""
    problems = []
    for name, col in model.columns.items():
        if col.nullable or col.checks or name not in frame.columns:
            continue  # patterns and allowed values already refuse blanks
        blank = frame.filter(pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() == ""))
        for rec in blank.iter_rows(named=True):
            problems.append(
                Problem(
                    path,
                    rec[LINE_COLUMN],
                    name,
                    "is only white space but a value is required",
                    "required",
                    row=rec[ROW_COLUMN],
                )
            )
    return problems


def _reference_problems(name: str, frame: pl.DataFrame, tables: dict[str, pl.DataFrame], path: str) -> list[Problem]:
    problems = []
    for column, target, target_column in fields.RAW[name].foreign_keys:
        if column not in frame.columns or target not in tables:
            continue  # a missing column or an unreadable target table is reported on its own
        known = tables[target][target_column].drop_nulls()
        missing = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode()))
        for rec in missing.iter_rows(named=True):
            problems.append(
                Problem(
                    path,
                    rec[LINE_COLUMN],
                    column,
                    f'"{rec[column]}" is not in {target}.csv',
                    "unknown_reference",
                    row=rec[ROW_COLUMN],
                )
            )
    return problems


def _after_published_problems(name: str, frame: pl.DataFrame, sources: pl.DataFrame, path: str) -> list[Problem]:
    date_columns = [c for c in ("period_start", "period_end", "as_of") if c in frame.columns]
    if not date_columns or "source_id" not in frame.columns:
        return []
    _, last = published_bounds(pl.col("published"))
    pub = sources.select("source_id", "published", last.alias("_published_last"))
    joined = frame.join(pub, on="source_id", how="left")
    problems = []
    for column in date_columns:
        day = pl.col(column).str.to_date(DAY_FORMAT, strict=False)
        late = joined.filter(
            day.is_not_null() & pl.col("_published_last").is_not_null() & (day > pl.col("_published_last"))
        )
        for rec in late.iter_rows(named=True):
            msg = f'"{rec[column]}" is after the publication date of {rec["source_id"]} ({rec["published"]})'
            problems.append(Problem(path, rec[LINE_COLUMN], column, msg, "after_published", row=rec[ROW_COLUMN]))
    return problems


def validate_raw(project: Project, files: dict[str, RawBytes] | None = None) -> Validated:
    """Check every raw table; keep going after each problem so all are reported at once.

    `files` are the raw files as a build read them (load.snapshot); without them they are read here.
    """
    files = files or snapshot(project, fields.REQUIRED_RAW + fields.OPTIONAL_RAW)
    file_of = {
        name: files[project.relative(project.raw_file(name))] for name in fields.REQUIRED_RAW + fields.OPTIONAL_RAW
    }
    problems: list[Problem] = []
    tables: dict[str, pl.DataFrame] = {}
    present_optional = [t for t in fields.OPTIONAL_RAW if getattr(file_of[t].problem, "code", None) != "missing_file"]
    for name in fields.REQUIRED_RAW + tuple(present_optional):
        model = schemas.RAW_SCHEMAS[name]
        raw, read_problems = read_raw(project, name, schemas.columns_of(model), file_of[name])
        problems += read_problems
        if raw is None:
            continue
        known = set(sum(schemas.columns_of(model), []))
        frame = raw.frame().select([c for c in raw.header if c in known] + [LINE_COLUMN, ROW_COLUMN])
        problems += _schema_problems(model, frame, raw.path)
        tables[name] = frame
    for name, frame in tables.items():
        path = project.relative(project.raw_file(name))
        problems += _reference_problems(name, frame, tables, path)
        if "sources" in tables and name in ("reports", "reach"):
            problems += _after_published_problems(name, frame, tables["sources"], path)
    return Validated(tables, problems)
