"""Dates as this project writes them: a day as YYYY-MM-DD, and a date of day, month or year precision.

Sources record a publication date as precisely as the page gives it (2019-01-23, 2019-01 or
2019), so a date is an interval of days. Used wherever dates are read: the schemas' plausibility
check, validation against publication dates, the parse stage and the claims stage.
"""

from __future__ import annotations

import polars as pl

DAY_FORMAT = "%Y-%m-%d"


def published_bounds(published: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """First and last day a publication date of precision day, month or year can stand for."""
    first = (
        pl.when(published.str.len_chars() == 4)
        .then(published + "-01-01")
        .when(published.str.len_chars() == 7)
        .then(published + "-01")
        .otherwise(published)
        .str.to_date(DAY_FORMAT, strict=False)
    )
    last = (
        pl.when(published.str.len_chars() == 4)
        .then(first.dt.offset_by("1y").dt.offset_by("-1d"))
        .when(published.str.len_chars() == 7)
        .then(first.dt.month_end())
        .otherwise(first)
    )
    return first, last
