"""Checks of the live data (data/raw/ as it is now): what must hold however many rows an analyst adds.

Tests of code use the frozen copy in tests/fixtures/raw/ and may pin exact counts; these may not.
"""

from __future__ import annotations

import csv

import polars as pl
import pytest

from censorstats import build
from censorstats.validate import validate_raw


@pytest.fixture(scope="module")
def live_built(tmp_path_factory):
    import shutil

    from censorstats.paths import Project
    from conftest import ROOT

    project = Project(tmp_path_factory.mktemp("live"))
    shutil.copytree(ROOT / "data" / "raw", project.raw)
    build.build(project)
    return project


def _records(path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_live_data_has_no_errors_and_every_reference_resolves(live_project):
    errors = [p.format() for p in validate_raw(live_project).problems if p.severity == "error"]
    assert errors == []


def test_every_raw_row_reaches_the_processed_tables(live_built):
    for table in ("sources", "reports", "reach"):
        built = pl.read_parquet(live_built.processed / f"{table}.parquet")
        assert built.height == _records(live_built.raw_file(table)), table


def test_every_figure_is_read_or_says_why(live_built):
    for table in ("reports", "reach"):
        df = pl.read_parquet(live_built.processed / f"{table}.parquet")
        assert set(df["parse_status"].unique()) <= {"ok", "unparsed"}
        unexplained = df.filter((pl.col("parse_status") == "unparsed") & pl.col("parse_reason").fill_null("").eq(""))
        assert unexplained.height == 0, unexplained
        read = df.filter(pl.col("parse_status") == "ok")
        assert read.filter(pl.col("value_low").is_null() & pl.col("value_high").is_null()).height == 0


def test_every_period_is_resolved_or_says_why(live_built):
    reports = pl.read_parquet(live_built.processed / "reports.parquet")
    unresolved = reports.filter(pl.col("period_status") == "unresolved")
    assert unresolved.filter(pl.col("period_reason").fill_null("") == "").height == 0


def test_every_report_has_one_role_in_one_claim(live_built):
    reports = pl.read_parquet(live_built.processed / "reports.parquet")
    claim_reports = pl.read_parquet(live_built.processed / "claim_reports.parquet")
    assert sorted(claim_reports["report_id"]) == sorted(reports["report_id"])
    claims = pl.read_parquet(live_built.processed / "claims.parquet")
    assert set(claim_reports["claim_id"]) == set(claims["claim_id"])


def test_corrections_name_existing_reports_with_a_reason(live_built):
    corrections = pl.read_csv(live_built.raw_file("corrections"), infer_schema=False)
    reports = pl.read_parquet(live_built.processed / "reports.parquet")
    assert set(corrections["report_id"]) <= set(reports["report_id"])
    assert corrections.filter(pl.col("reason").fill_null("").str.strip_chars() == "").height == 0


def test_the_seed_figures_are_present(live_built):
    """The figures this project started from: the 21cir headline "over 11.000" and the 2018 CAC clean-up's 9,800."""
    reports = pl.read_parquet(live_built.processed / "reports.parquet")
    seed = reports.filter(pl.col("report_id") == "s001").row(0, named=True)
    assert (seed["value_text"], seed["value_low"], seed["value_high"], seed["qualifier"]) == ("over 11.000", 11000, None, "at_least")
    claims = pl.read_parquet(live_built.processed / "claims.parquet")
    cac = claims.filter(pl.col("claim_id") == "2018-self-media-clean-up/accounts_closed").row(0, named=True)
    assert (cac["value"], cac["value_qualifier"]) == (9800, "at_least")  # 9800多个, "more than 9,800"
    assert 9800 < cac["consensus_low"] <= cac["consensus_high"] < 10000
