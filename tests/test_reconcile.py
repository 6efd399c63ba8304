"""Reconciliation on small inline frames (one rule at a time) and on the shipped data."""

from __future__ import annotations

import polars as pl
import pytest

from censorstats import build
from censorstats.parse.numbers import read_figures
from censorstats.reconcile import reconcile

DEFAULTS = {
    "source_id": None, "outlet": None, "url": "https://example.org/", "published": "2018-12-01", "source_type": "press",
    "campaign_id": "c", "authority_id": "cac", "metric": "accounts_closed", "unit": "accounts", "platform_id": None,
    "period_text": None, "period_start": None, "period_end": None, "period_status": "none", "placement": None,
    "claim_id": None, "note": None,
}


def _reports(*rows: dict) -> pl.LazyFrame:
    """Reports as the parse stage would give them; each row needs report_id and value_text."""
    full = [DEFAULTS | {"source_id": f"src-{r['report_id']}", "outlet": f"Outlet {r['report_id']}"} | r for r in rows]
    df = pl.DataFrame(full, schema_overrides={"period_start": pl.Date, "period_end": pl.Date}, infer_schema_length=None)
    parsed = read_figures(df, "value_text").rename({"low": "value_low", "high": "value_high", "status": "parse_status", "reason": "parse_reason"})
    return parsed


def _run(*rows: dict, corrections: pl.DataFrame | None = None):
    claims, claim_reports, found = reconcile(_reports(*rows), corrections)
    return claims.collect(), claim_reports.collect(), found.collect()


def _types(found: pl.DataFrame) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rec in found.iter_rows(named=True):
        out.setdefault(rec["type"], set()).add(rec["report_ids"].split()[0])
    return out


def test_roundings_of_9800_are_one_claim_without_misprint_or_conflict():
    texts = ["9,800", "more than 9,800", "around 9,800", "nearly 10,000", "almost 10,000", "10,000", "9800多个"]
    claims, roles, found = _run(*({"report_id": f"r{i}", "value_text": t} for i, t in enumerate(texts)))
    assert claims.height == 1
    c = claims.row(0, named=True)
    assert c["value"] == 9800 and c["consensus_low"] <= 9800 <= c["consensus_high"]
    assert c["n_consensus"] == len(texts) and c["outlier_report_ids"] is None
    assert not {"magnitude", "conflict"} & set(_types(found))


def test_roundings_of_66600_are_not_flagged():
    texts = ["67,000", "66,000", "more than 66,600", "6.66万余", "66,600"]
    claims, _, found = _run(*({"report_id": f"r{i}", "value_text": t} for i, t in enumerate(texts)))
    c = claims.row(0, named=True)
    assert c["n_consensus"] == 5 and c["value"] == 66600 and c["value_rule"].startswith("most precise exact")
    assert not {"magnitude", "conflict"} & set(_types(found))


def test_a_dropped_digit_is_a_magnitude_discrepancy():
    claims, roles, found = _run(
        {"report_id": "cd", "value_text": "more than 308,000", "outlet": "China Daily"},
        {"report_id": "cdr", "value_text": "more than 308,000"},
        {"report_id": "ecns", "value_text": "30,000", "outlet": "ECNS", "source_type": "wire"},
    )
    assert claims["value"].to_list() == [308000]
    rec = found.filter(pl.col("type") == "magnitude").row(0, named=True)
    assert rec["report_ids"].split()[0] == "ecns" and rec["power_of_ten"] == -1
    assert "10 times less" in rec["sentence"] and '"30,000"' in rec["sentence"]
    assert roles.filter(pl.col("report_id") == "ecns")["role"].to_list() == ["outlier"]


def test_a_hundredfold_figure_is_a_magnitude_discrepancy():
    _, _, found = _run(
        {"report_id": "a", "value_text": "about 7.1 million"},
        {"report_id": "b", "value_text": "more than 7.09 million"},
        {"report_id": "c", "value_text": "over 700 million"},
    )
    assert found.filter(pl.col("type") == "magnitude")["power_of_ten"].to_list() == [2]


def test_intervals_that_cannot_both_be_true_are_a_conflict():
    _, _, found = _run(
        {"report_id": "a", "value_text": "nearly 430,000"},
        {"report_id": "b", "value_text": "more than 443,500"},
        {"report_id": "c", "value_text": "more than 443,500"},
    )
    types = _types(found)
    assert types == {"conflict": {"a"}}


def test_one_number_with_opposite_qualifiers_is_a_conflict():
    _, _, found = _run({"report_id": "a", "value_text": "nearly 430,000"}, {"report_id": "b", "value_text": "over 430,000", "source_type": "wire"})
    assert _types(found) == {"conflict": {"a"}}


def test_a_different_figure_for_a_sub_group_is_kept_apart_by_claim_id():
    rows = [{"report_id": "t1", "value_text": "66,600"}, {"report_id": "t2", "value_text": "67,000"},
            {"report_id": "s1", "value_text": "nearly 8,000"}]
    assert "magnitude" in _types(_run(*rows)[2])
    rows[2]["claim_id"] = "fake-news-subset"
    claims, _, found = _run(*rows)
    assert claims.height == 2 and found.height == 0


def test_an_open_bound_far_from_the_claim_is_a_loose_bound_until_given_its_own_claim():
    rows = [{"report_id": "a", "value_text": "34,000"}, {"report_id": "b", "value_text": "34,000"},
            {"report_id": "sub", "value_text": "over 500 accounts"},
            {"report_id": "c", "value_text": "fewer than 50,000", "metric": "cases"},
            {"report_id": "d", "value_text": "1,100", "metric": "cases"}, {"report_id": "e", "value_text": "1,100", "metric": "cases"}]
    claims, roles, found = _run(*rows)
    assert _types(found) == {"loose_bound": {"sub", "c"}}
    assert roles.filter(pl.col("report_id") == "sub")["role"].to_list() == ["consensus"]  # true, only flagged
    rec = found.filter(pl.col("report_ids").str.starts_with("sub")).row(0, named=True)
    assert '"over 500 accounts"' in rec["sentence"] and "34,000" in rec["sentence"] and "claim_id" in rec["sentence"]
    rows[2]["claim_id"] = "cyber-violence-subtally"
    rows[3]["claim_id"] = "a-cap"
    assert "loose_bound" not in _types(_run(*rows)[2])


def test_an_open_bound_near_the_claim_is_not_loose():
    texts = ["9,800", "more than 9,800", "over 5,000", "nearly 10,000", "less than 19,000"]
    _, _, found = _run(*({"report_id": f"r{i}", "value_text": t} for i, t in enumerate(texts)))
    assert "loose_bound" not in _types(found)


def test_qualifier_added_and_dropped_follow_the_majority_or_the_official_source():
    _, _, found = _run(
        {"report_id": "a", "value_text": "1,100"}, {"report_id": "b", "value_text": "1,100"},
        {"report_id": "c", "value_text": "more than 1,100"},
        {"report_id": "d", "value_text": "nearly 10,000", "metric": "posts_deleted"},
        {"report_id": "e", "value_text": "nearly 10,000", "metric": "posts_deleted"},
        {"report_id": "f", "value_text": "10,000", "metric": "posts_deleted"},
    )
    assert _types(found) == {"qualifier_added": {"c"}, "qualifier_dropped": {"f"}}
    _, _, found = _run(
        {"report_id": "a", "value_text": "1,100"}, {"report_id": "b", "value_text": "1,100"},
        {"report_id": "o", "value_text": "1100余个", "source_type": "official"},
    )
    assert _types(found) == {"qualifier_dropped": {"a", "b"}}


def test_the_same_figure_for_periods_months_apart_is_a_period_discrepancy():
    from datetime import date

    _, _, found = _run(
        {"report_id": "a", "value_text": "9,800", "period_start": date(2018, 10, 21), "period_end": date(2018, 12, 9), "period_status": "resolved"},
        {"report_id": "b", "value_text": "9,800", "period_start": date(2018, 1, 1), "period_end": date(2018, 12, 9), "period_status": "resolved",
         "source_type": "blog"},
        {"report_id": "c", "value_text": "9,800"},
    )
    assert _types(found) == {"period": {"b"}}


HEADLINE = [
    {"report_id": "h", "source_id": "21cir", "value_text": "over 11.000", "placement": "headline", "period_text": "since October",
     "campaign_id": "total"},
    {"report_id": "m", "source_id": "21cir", "value_text": "1,100", "placement": "body", "period_text": "since the start of the year",
     "campaign_id": "mps"},
    {"report_id": "c", "source_id": "21cir", "value_text": "more than 9,800", "placement": "body", "period_text": "since late October",
     "campaign_id": "cac"},
]


def test_a_headline_matching_no_body_figure_is_explained():
    _, _, found = _run(*HEADLINE)
    rec = found.filter(pl.col("type") == "headline_body").row(0, named=True)
    assert rec["report_ids"] == "h c m"
    assert "11,000 is 10 × the body's 1,100" in rec["sentence"]
    assert "add up to at least 10,900" in rec["sentence"] and "different periods" in rec["sentence"]


def test_a_headline_that_rounds_a_body_figure_is_not_flagged():
    rows = [dict(r) for r in HEADLINE]
    rows[0]["value_text"] = "nearly 10,000"
    assert _run(*rows)[2].filter(pl.col("type") == "headline_body").height == 0


def test_corrections_exclude_and_override_are_applied_and_listed():
    corrections = pl.DataFrame({"report_id": ["bad", "garbled"], "action": ["exclude", "override"],
                                "value_text": [None, "2200余家"], "reason": ["dropped digit, checked", "缺 is 余"]})
    claims, roles, found = _run(
        {"report_id": "ok1", "value_text": "more than 308,000"}, {"report_id": "ok2", "value_text": "308,000"},
        {"report_id": "bad", "value_text": "30,000"},
        {"report_id": "garbled", "value_text": "2200缺家", "metric": "websites_summoned"},
        corrections=corrections,
    )
    assert found.height == 0 or "magnitude" not in set(found["type"])
    by_claim = {c["metric"]: c for c in claims.iter_rows(named=True)}
    assert by_claim["accounts_closed"]["excluded_report_ids"] == "bad"
    assert by_claim["websites_summoned"]["corrected_report_ids"] == "garbled"
    assert by_claim["websites_summoned"]["consensus_low"] == 2150 and by_claim["websites_summoned"]["value"] == 2200
    g = roles.filter(pl.col("report_id") == "garbled").row(0, named=True)
    assert (g["value_text"], g["read_as"], g["role"], g["correction_reason"]) == ("2200缺家", "2200余家", "consensus", "缺 is 余")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    import shutil

    from censorstats.paths import Project
    from conftest import FIXTURE_RAW

    project = Project(tmp_path_factory.mktemp("shipped"))
    shutil.copytree(FIXTURE_RAW, project.raw)
    build.build(project)  # figures too: trace lists the figures that drew a number
    read = lambda name: pl.read_parquet(project.processed / f"{name}.parquet")  # noqa: E731
    return read("claims"), read("claim_reports"), read("discrepancies"), project


def test_shipped_ecns_figures_are_magnitude_discrepancies(shipped):
    found = shipped[2].with_columns(pl.col("report_ids").str.split(" ").list.first().alias("flagged"))
    magnitude = found.filter(pl.col("type") == "magnitude")
    assert {"r140", "r141"} <= set(magnitude["flagged"])  # ECNS 30,000 and "over 700 million"
    assert magnitude.filter(pl.col("flagged") == "r141")["power_of_ten"].to_list() == [2]


def test_shipped_2018_cac_figure_is_one_claim_without_magnitude_or_conflict(shipped):
    claims, roles, found, _ = shipped
    members = roles.filter(pl.col("report_id").is_in(["r080", "r083", "r084", "r091", "r093", "r096"]))
    assert members["claim_id"].n_unique() == 1 and set(members["role"]) == {"consensus"}
    claim = members["claim_id"][0]
    assert claims.filter(pl.col("claim_id") == claim)["value"].to_list() == [9800]
    assert found.filter((pl.col("claim_id") == claim) & pl.col("type").is_in(["magnitude", "conflict"])).height == 0


def test_shipped_21cir_headline_is_flagged_with_both_readings(shipped):
    rec = shipped[2].filter((pl.col("type") == "headline_body") & pl.col("report_ids").str.starts_with("s001")).row(0, named=True)
    assert "10 × the body's 1,100" in rec["sentence"] and "add up to at least 10,900" in rec["sentence"]


def test_shipped_2023_roundings_are_not_flagged(shipped):
    claims, roles, found, _ = shipped
    claim = roles.filter(pl.col("report_id") == "r265")["claim_id"][0]  # 6.66萬余個
    members = roles.filter(pl.col("claim_id") == claim)
    assert {"r273", "r280", "r268"} <= set(members.filter(pl.col("role") == "consensus")["report_id"])  # 66,000; 67,000; more than 66,600
    assert found.filter((pl.col("claim_id") == claim) & pl.col("type").is_in(["magnitude", "conflict"])).height == 0


def test_discrepancies_and_trace_commands(shipped, monkeypatch, capsys):
    from censorstats.cli import main

    monkeypatch.setenv("CENSORSTATS_ROOT", str(shipped[3].root))
    assert main(["discrepancies", "--type", "magnitude"]) == 0
    out = capsys.readouterr().out
    assert "2019-cac-six-month-ecology-governance-campaign\n  magnitude [r140 r133]: ECNS \"30,000\"" in out
    assert main(["trace", "r078"]) == 0
    out = capsys.readouterr().out
    assert 'printed:   "2200缺家"' in out and 'corrected: read as "2200余家" → at_least, 2,200 to unbounded' in out and "as consensus" in out
    assert "reason:    缺 is a text-spinner garble of 余" in out and "decided:   " in out
    assert out.splitlines()[-1] == "  figures:   none"  # a count of websites: drawn in no figure
    assert main(["trace", "r140"]) == 0  # ECNS's misprinted 30,000: a point of its own in the discrepancies figure only
    assert capsys.readouterr().out.splitlines()[-1] == "  figures:   reports/figures/discrepancies.svg"
    assert main(["trace", "2018-self-media-clean-up/accounts_closed"]) == 0
    figures = capsys.readouterr().out.splitlines()[-1]
    assert "campaign_scale.svg" in figures and "scale_vs_reach.svg" in figures
    assert main(["trace", "no-such-id"]) == 1


def test_trace_shows_who_decided_a_correction_and_when_where_claim_reports_carries_it():
    from censorstats.trace import _correction_lines

    row = {"role": "consensus", "value_text": "2200缺家", "read_as": "2200余家", "correction_reason": "a garble of 余"}
    with_decision = _correction_lines(row | {"decided_by": "censorstats maintainers", "decided_on": "2026-11-25"})
    assert with_decision == ['  corrected: read as "2200余家" → at_least, 2,200 to unbounded', "  reason:    a garble of 余",
                             "  decided:   by censorstats maintainers, on 2026-11-25"]
    assert "no decided_by, decided_on columns" in _correction_lines(row)[-1]
    excluded = _correction_lines({"role": "excluded", "value_text": "10,000", "read_as": "10,000", "correction_reason": "a relay of a relay",
                                  "decided_by": None, "decided_on": None})
    assert excluded == ["  corrected: excluded from its claim", "  reason:    a relay of a relay", "  decided:   by not recorded, on not recorded"]
