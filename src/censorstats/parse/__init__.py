"""The parse stage: validated raw tables in, processed sources/reports/reach tables out.

Each processed row keeps the text exactly as printed beside what was read from it, so every
number can be traced to its page. Texts that could not be read are kept, marked unparsed,
and listed as warnings with their file and line.
"""

from __future__ import annotations

import polars as pl

from censorstats import fields
from censorstats.dates import DAY_FORMAT, published_bounds
from censorstats.load import LINE_COLUMN, ROW_COLUMN
from censorstats.parse.numbers import read_figures
from censorstats.parse.periods import resolve_periods
from censorstats.problems import Problem


def _complete(tables: dict[str, pl.DataFrame], table: str) -> pl.DataFrame:
    """The raw table with every column the registry lists: optional ones left out of its header are empty."""
    frame = tables[table]
    missing = [c.name for c in fields.RAW[table].columns if c.optional and c.name not in frame.columns]
    return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)


def in_output_order(lf: pl.LazyFrame, table: str) -> pl.LazyFrame:
    """The table's columns in registry order (its key first), rows sorted by the key."""
    definition = fields.PROCESSED[table]
    return lf.select(definition.column_names).sort(definition.primary_key)


def parsed_sources(tables: dict[str, pl.DataFrame]) -> pl.LazyFrame:
    """One row per page, with its publication date as the first and last day it can mean."""
    first, last = published_bounds(pl.col("published"))
    lf = _complete(tables, "sources").lazy()
    return lf.with_columns(
        first.alias("published_first"), last.alias("published_last"), _is_republication().alias("is_republication")
    )


REPUBLISHING_TYPES = ("mirror", "aggregator")


def _is_republication() -> pl.Expr:
    """Mirrors and aggregators always carry others' texts; other pages where sources.csv says repost = yes."""
    return pl.col("source_type").is_in(REPUBLISHING_TYPES) | (pl.col("repost") == "yes").fill_null(False)


def _source_columns(tables: dict[str, pl.DataFrame]) -> pl.LazyFrame:
    return (
        _complete(tables, "sources")
        .lazy()
        .select(
            "source_id",
            "outlet",
            "url",
            "published",
            "source_type",
            "language",
            "original_outlet",
            "original_type",
            _is_republication().alias("is_republication"),
            "original_published",
        )
    )


def _figures(lf: pl.LazyFrame) -> pl.LazyFrame:
    return read_figures(lf, "value_text").rename(
        {"low": "value_low", "high": "value_high", "status": "parse_status", "reason": "parse_reason"}
    )


def parsed_reports(tables: dict[str, pl.DataFrame]) -> pl.LazyFrame:
    """One row per printed figure: its page, campaign, interval and period."""
    raw = _complete(tables, "reports")
    lf = (
        raw.lazy()
        .join(_source_columns(tables), on="source_id", how="left", maintain_order="left")
        .join(
            _complete(tables, "campaigns")
            .lazy()
            .select(
                "campaign_id",
                "authority_id",
                pl.col("start").alias("campaign_start"),
                pl.col("end").alias("campaign_end"),
            ),
            on="campaign_id",
            how="left",
            maintain_order="left",
        )
        .join(
            tables["metrics"].lazy().select(pl.col("metric_id").alias("metric"), "unit"),
            on="metric",
            how="left",
            maintain_order="left",
        )
    )
    lf = _figures(lf).rename({"period_start": "explicit_start", "period_end": "explicit_end"})
    # A republished text's "since October" counts from the original's date, never from the repost's.
    lf = lf.with_columns(
        pl.when(pl.col("is_republication"))
        .then(pl.col("original_published"))
        .otherwise(pl.col("published"))
        .alias("dated_by")
    )
    lf = (
        resolve_periods(lf, "period_text", "dated_by", "campaign_start", "campaign_end")
        .with_columns(
            pl.when(
                pl.col("is_republication")
                & pl.col("dated_by").is_null()
                & pl.col("period_reason").str.contains("publication date is unknown")
            )
            .then(pl.lit("relative phrase on a page that republishes an earlier text whose date is unknown"))
            .otherwise(pl.col("period_reason"))
            .alias("period_reason")
        )
        .drop("dated_by", "campaign_start", "campaign_end")
    )
    explicit = pl.col("explicit_start").is_not_null() | pl.col("explicit_end").is_not_null()
    lf = lf.with_columns(
        pl.when(explicit)
        .then(pl.col("explicit_start").str.to_date(DAY_FORMAT))
        .otherwise(pl.col("period_start"))
        .alias("period_start"),
        pl.when(explicit)
        .then(pl.col("explicit_end").str.to_date(DAY_FORMAT))
        .otherwise(pl.col("period_end"))
        .alias("period_end"),
        pl.when(explicit).then(pl.lit("day")).otherwise(pl.col("period_precision")).alias("period_precision"),
        pl.when(explicit).then(pl.lit("explicit")).otherwise(pl.col("period_status")).alias("period_status"),
        pl.when(explicit).then(None).otherwise(pl.col("period_reason")).alias("period_reason"),
    )
    return lf


def parsed_reach(tables: dict[str, pl.DataFrame]) -> pl.LazyFrame:
    """One row per printed user count, with the operator's definition and whether it is an estimate."""
    raw = _complete(tables, "reach")
    platforms = (
        _complete(tables, "platforms")
        .lazy()
        .select("platform_id", pl.col("name").alias("platform"), pl.col("note").alias("platform_note"))
    )
    lf = (
        raw.lazy()
        .join(_source_columns(tables), on="source_id", how="left", maintain_order="left")
        .join(platforms, on="platform_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("as_of").str.to_date(DAY_FORMAT),
            (
                (pl.col("source_type") == "estimate") | pl.col("note").str.contains("(?i)third-party").fill_null(False)
            ).alias("is_estimate"),
        )
    )
    return _figures(lf)


def _unparsed_value(path: str, rec: dict, msg: str) -> Problem:
    return Problem(path, rec[LINE_COLUMN], "value_text", msg, "unparsed_value", "warning", row=rec[ROW_COLUMN])


def parse_problems(
    reports: pl.DataFrame, reach: pl.DataFrame, raw_paths: dict[str, str], corrections: pl.DataFrame | None = None
) -> list[Problem]:
    """Warnings for texts the parser could not read (also corrections' overrides), at their file and line."""
    problems = []
    for table, frame in (("reports", reports), ("reach", reach)):
        bad = frame.filter(pl.col("parse_status") == "unparsed")
        for rec in bad.iter_rows(named=True):
            msg = f'"{rec["value_text"]}" was not read as a number: {rec["parse_reason"]}'
            problems.append(_unparsed_value(raw_paths[table], rec, msg))
    if corrections is not None and "value_text" in corrections.columns:
        overrides = read_figures(corrections.filter(pl.col("action") == "override"), "value_text").collect()
        for rec in overrides.filter(pl.col("status") == "unparsed").iter_rows(named=True):
            msg = (
                f'"{rec["value_text"]}" (the override for {rec["report_id"]}) was not read as a number: {rec["reason"]}'
            )
            problems.append(_unparsed_value(raw_paths["corrections"], rec, msg))
    bad = reports.filter(pl.col("period_status") == "unresolved")
    for rec in bad.iter_rows(named=True):
        msg = f'"{rec["period_text"]}" was not resolved to dates: {rec["period_reason"]}'
        problems.append(
            Problem(
                raw_paths["reports"],
                rec[LINE_COLUMN],
                "period_text",
                msg,
                "unresolved_period",
                "warning",
                row=rec[ROW_COLUMN],
            )
        )
    return problems
