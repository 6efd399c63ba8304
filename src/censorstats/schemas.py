"""The Pandera schemas of every raw and processed table, generated from the field registry (fields.py).

Nothing about a column is written here: its type, nullability, uniqueness (the primary key),
allowed values, bounds and raw text form all come from fields.py. What stays here as code are
the checks that a declaration cannot say: real calendar dates, plausible dates, a period that
does not end before it starts, an override that needs its value, an interval in order. A table
or field names them; this module attaches them.

Raw tables are read as text (a spreadsheet's cells), so raw schemas check text; processed
schemas check the typed values the pipeline derives.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from censorstats import fields
from censorstats.dates import DAY_FORMAT, published_bounds

EARLIEST_DATE = "1990-01-01"  # before the Chinese internet: a date this early is a typing error
PLAUSIBLE_DATE = f"is outside the dates this dataset can hold ({EARLIEST_DATE} to today)"

DTYPES = {"string": pl.String, "int64": pl.Int64, "float64": pl.Float64, "date": pl.Date, "bool": pl.Boolean}


def _is_day(col: str) -> pl.Expr:
    """A real calendar date written YYYY-MM-DD (2019-02-30 is not)."""
    c = pl.col(col)
    return c.is_null() | (
        c.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & c.str.to_date(DAY_FORMAT, strict=False).is_not_null()
    )


def _is_partial_date(col: str) -> pl.Expr:
    """YYYY-MM-DD, or YYYY-MM / YYYY when only that much is known."""
    c = pl.col(col)
    padded = (
        pl.when(c.str.len_chars() == 4).then(c + "-01-01").when(c.str.len_chars() == 7).then(c + "-01").otherwise(c)
    )
    return c.is_null() | (
        c.str.contains(r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$")
        & padded.str.to_date(DAY_FORMAT, strict=False).is_not_null()
    )


def _is_plausible(col: str) -> pl.Expr:
    """A date (of any precision) from EARLIEST_DATE to today; unreadable dates are left to the format check.

    Dates such as 0000-01-01 or 9999-12-31 are real calendar dates that no source prints for
    these campaigns, and later stages (periods, figures) cannot place them.
    """
    first, last = published_bounds(pl.col(col))
    return first.is_null() | ((last >= dt.date.fromisoformat(EARLIEST_DATE)) & (first <= dt.date.today()))


def _column_check(kind, name: str, error: str) -> pa.Check:
    return pa.Check(lambda data: data.lazyframe.select(kind(data.key)), name=name, error=error)


# Checks of a raw column's text, by the name fields.py gives them.
COLUMN_CHECKS = {
    "day_date": lambda: _column_check(_is_day, "day_date", "is not a real date written YYYY-MM-DD"),
    "partial_date": lambda: _column_check(
        _is_partial_date, "partial_date", "is not a real date written YYYY-MM-DD, YYYY-MM or YYYY"
    ),
    "plausible_date": lambda: _column_check(_is_plausible, "plausible_date", PLAUSIBLE_DATE),
}


def _period_order(data) -> pl.LazyFrame:
    present = data.lazyframe.collect_schema().names()
    if not {"period_start", "period_end"} <= set(present):
        return data.lazyframe.select(pl.lit(True).alias("ok"))  # optional columns left out: nothing to compare
    return data.lazyframe.select(
        pl.col("period_start").is_null()
        | pl.col("period_end").is_null()
        | (pl.col("period_start") <= pl.col("period_end"))
    )


def _override_needs_value(data) -> pl.LazyFrame:
    if "value_text" not in data.lazyframe.collect_schema().names():
        return data.lazyframe.select(pl.col("action") != "override")
    return data.lazyframe.select((pl.col("action") != "override") | pl.col("value_text").is_not_null())


def _interval_order(data) -> pl.LazyFrame:
    return data.lazyframe.select(
        pl.col("value_low").is_null() | pl.col("value_high").is_null() | (pl.col("value_low") <= pl.col("value_high"))
    )


def _value_has_wording(data) -> pl.LazyFrame:
    return data.lazyframe.select(
        pl.col("value").is_null() | (pl.col("value_text").is_not_null() & pl.col("best_url").is_not_null())
    )


# Checks across the columns of a row: (function, the rule as the codebook states it, the error a
# breach reports, the columns a problem is reported at, the first named).
ROW_CHECKS = {
    "period_order": (
        _period_order,
        "period_start is on or before period_end",
        "period_start is after period_end",
        ("period_start", "period_end"),
    ),
    "override_needs_value": (
        _override_needs_value,
        "an override gives value_text",
        "an override needs value_text",
        ("value_text", "action"),
    ),
    "interval_order": (
        _interval_order,
        "value_low is at most value_high",
        "value_low is greater than value_high",
        ("value_low", "value_high"),
    ),
    "value_has_wording": (
        _value_has_wording,
        "a claim with a value has its value_text and a best page (best_url)",
        "a claim with a value has no value_text or best report",
        ("value", "value_text"),
    ),
}
# Row checks by the error Pandera reports, with the columns they are about.
ROW_CHECK_COLUMNS = {error: columns for _, _, error, columns in ROW_CHECKS.values()}


def _column(table: fields.Table, col: fields.Col) -> pa.Column:
    f = col.field
    raw = table.layer == "raw"
    checks = []
    if raw:
        checks += [COLUMN_CHECKS[name]() for name in f.text_checks]
        if f.pattern:
            checks.append(pa.Check.str_matches(f.pattern))
    if f.allowed:
        checks.append(pa.Check.isin(list(f.allowed)))
    if f.ge is not None:
        checks.append(pa.Check.ge(f.ge))
    if f.gt is not None:
        checks.append(pa.Check.gt(f.gt))
    return pa.Column(
        pl.String if raw else DTYPES[f.dtype],
        checks=checks,
        nullable=col.nullable,
        unique=col.name == table.primary_key,
        required=not col.optional,
        description=f.description,
    )


def schema_of(table: fields.Table) -> pa.DataFrameSchema:
    """The Pandera schema of a registry table: unknown columns are errors, nothing is coerced behind anyone's back."""
    checks = [pa.Check(ROW_CHECKS[name][0], name=name, error=ROW_CHECKS[name][2]) for name in table.row_checks]
    return pa.DataFrameSchema(
        {c.name: _column(table, c) for c in table.columns},
        checks=checks,
        strict=True,
        coerce=False,
        name=table.name,
        description=table.description,
    )


RAW_SCHEMAS: dict[str, pa.DataFrameSchema] = {name: schema_of(t) for name, t in fields.RAW.items()}
PROCESSED_SCHEMAS: dict[str, pa.DataFrameSchema] = {name: schema_of(t) for name, t in fields.PROCESSED.items()}


def columns_of(schema: pa.DataFrameSchema) -> tuple[list[str], list[str]]:
    """(required, optional) column names of a schema, in order."""
    required = [name for name, col in schema.columns.items() if col.required]
    optional = [name for name, col in schema.columns.items() if not col.required]
    return required, optional
