"""Period phrases resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from censorstats.parse.periods import resolve_periods

D = dt.date


@pytest.mark.parametrize(
    "text, published, start, end, precision",
    [
        ("since the start of the year", "2018-12-09", D(2018, 1, 1), D(2018, 12, 9), "day"),
        ("今年以來", "2018-12-09", D(2018, 1, 1), D(2018, 12, 9), "day"),
        ("since October 20", "2018-11-12", D(2018, 10, 20), D(2018, 11, 12), "day"),
        ("since October", "2019-01-10", D(2018, 10, 1), D(2019, 1, 10), "month"),
        ("since late October", "2018-11-12", D(2018, 10, 21), D(2018, 11, 12), "month"),
        ("10月下旬以来", "2018-11-12", D(2018, 10, 21), D(2018, 11, 12), "month"),
        ("in the second quarter", "2017-07-23", D(2017, 4, 1), D(2017, 6, 30), "quarter"),
        ("一季度", "2020-05-09", D(2020, 1, 1), D(2020, 3, 31), "quarter"),
        ("from April to June", "2017-07-23", D(2017, 4, 1), D(2017, 6, 30), "month"),
        ("between 10 March and 22 May", "2023-05-28", D(2023, 3, 10), D(2023, 5, 22), "day"),
        ("over the past three years", "2018-11-12", D(2015, 11, 12), D(2018, 11, 12), "year"),
        ("in the past three weeks", "2018-11-13", D(2018, 10, 23), D(2018, 11, 13), "day"),
        ("last year", "2025-02-26", D(2024, 1, 1), D(2024, 12, 31), "year"),
        ("2023年", "2024-02-01", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("2024年", "2024-11-24", D(2024, 1, 1), D(2024, 11, 24), "year"),
        ("since 2015", "2017-12-24", D(2015, 1, 1), D(2017, 12, 24), "day"),
        ("as of Jan. 21", "2019-01-23", None, D(2019, 1, 21), "day"),
        ("since the start of the year", "2018-12", D(2018, 1, 1), D(2018, 12, 31), "month"),
    ],
)
def test_resolved(text, published, start, end, precision):
    df = pl.DataFrame({"t": [text], "p": [published]})
    r = resolve_periods(df, "t", "p").collect().row(0, named=True)
    assert (r["period_start"], r["period_end"], r["period_precision"], r["period_status"]) == (start, end, precision, "resolved")


@pytest.mark.parametrize(
    "text, published, reason",
    [
        ("since the start of the year", None, "publication date is unknown"),
        ("during the campaign", "2020-09-04", "campaign dates not known"),
        ("全年", "2024-07-31", "which year is not clear"),
        ("a lo largo de 2024", "2025-09-10", "not understood"),
        ("since February 30", "2020-05-01", "does not exist"),
        ("in 2026", "2025-05-01", "after the page was published"),
    ],
)
def test_unresolved_phrases_are_reported_not_guessed(text, published, reason):
    df = pl.DataFrame({"t": [text], "p": [published]}, schema={"t": pl.String, "p": pl.String})
    r = resolve_periods(df, "t", "p").collect().row(0, named=True)
    assert r["period_status"] == "unresolved" and r["period_start"] is None and r["period_end"] is None
    assert reason in r["period_reason"]
