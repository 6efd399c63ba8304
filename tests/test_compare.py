"""Campaign scale against reach: the as-of join, its tolerance, and the 2018 CAC claim by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from censorstats.compare import REACH_TOLERANCE_DAYS, claims_against_reach, reach_series


@pytest.fixture(scope="module")
def comparisons(frozen_tables) -> pl.DataFrame:
    return frozen_tables("scale_vs_reach")


def test_2018_cac_claim_against_wechat_and_weibo_by_hand(comparisons):
    rows = {r["platform_id"]: r for r in comparisons.filter(pl.col("claim_id") == "2018-self-media-clean-up/accounts_closed").iter_rows(named=True)}
    # The claim: 9800多个, "more than 9,800": 9,801 to 9,899 accounts, public by 13 November 2018.
    wechat, weibo = rows["wechat"], rows["weibo"]
    assert (wechat["consensus_low"], wechat["consensus_high"], wechat["announced_on"]) == (9801, 9899, date(2018, 11, 13))
    # WeChat: 1.083 billion MAU at 30 September 2018 (BloombergQuint, reach p023); Weibo: 446 million in September 2018 (its release, p183).
    assert (wechat["reach_id"], wechat["reach_low"], wechat["reach_as_of"], wechat["reach_gap_days"]) == ("p023", 1_083_000_000, date(2018, 9, 30), 44)
    assert (weibo["reach_id"], weibo["reach_low"], weibo["reach_as_of"]) == ("p183", 446_000_000, date(2018, 9, 30))
    assert "bloombergquint" in wechat["reach_url"] and "epicos" in weibo["reach_url"]
    # 9,801 / 1,083 million users = 9.0499 per million; 9,899 / 1,083 million = 9.1404.
    assert wechat["per_million_low"] == pytest.approx(9.0499, abs=1e-4) and wechat["per_million_high"] == pytest.approx(9.1404, abs=1e-4)
    # 9,801 / 446 million = 21.9753; 9,899 / 446 million = 22.1951.
    assert weibo["per_million_low"] == pytest.approx(21.9753, abs=1e-4) and weibo["per_million_high"] == pytest.approx(22.1951, abs=1e-4)
    assert wechat["reach_definition"] == "Weixin and WeChat combined monthly active accounts (last month of the quarter)"
    # Against the sum of the platforms matched, the ratio is smaller: a lower bound.
    assert rows["all"]["per_million_high"] < wechat["per_million_low"]


CLAIM = {"claim_id": "c/accounts_closed", "claim_kind": "official", "campaign_id": "c", "campaign_name": "C", "authority_id": "cac",
         "authority_name": "CAC", "authority_name_zh": None, "metric": "accounts_closed", "metric_description": "Accounts closed", "unit": "accounts",
         "platform_id": None, "announced_on": date(2020, 6, 1), "consensus_low": 950, "consensus_high": 1049, "value": 1000,
         "value_text": "1,000", "value_qualifier": "exact", "best_outlet": "X", "n_consensus": 2}


def scale_vs_reach(claims: pl.LazyFrame, reach: pl.LazyFrame) -> pl.LazyFrame:
    """The compare step on these frames: the reach series, then the claims against it."""
    return claims_against_reach(claims, reach_series(reach))


def _reach(rows):
    base = {"measure": "mau", "parse_status": "ok", "is_estimate": False, "qualifier": "exact", "source_type": "company",
            "outlet": "O", "url": "https://example.org/", "definition": "monthly active users"}
    full = [base | {"reach_id": f"p{i}", "platform": r["platform_id"].title(), "value_text": str(r["value_low"]),
                    "value_high": r.get("value_high", r["value_low"])} | r for i, r in enumerate(rows)]
    return pl.DataFrame(full, schema_overrides={"definition": pl.String, "value_high": pl.Int64}).lazy()


def test_reach_is_taken_as_of_the_claim_within_the_tolerance_and_estimates_are_left_out():
    reach = _reach([
        {"platform_id": "wechat", "as_of": date(2019, 12, 31), "value_low": 1_000_000_000},
        {"platform_id": "wechat", "as_of": date(2020, 3, 31), "value_low": 2_000_000_000},
        {"platform_id": "wechat", "as_of": date(2020, 6, 30), "value_low": 4_000_000_000},   # after the claim: not used
        {"platform_id": "weibo", "as_of": date(2019, 6, 30), "value_low": 500_000_000},      # too old: no row
        {"platform_id": "qq", "as_of": date(2020, 3, 31), "value_low": 100_000_000, "is_estimate": True},  # estimate: left out
    ])
    out = scale_vs_reach(pl.DataFrame([CLAIM]).lazy(), reach).collect()
    assert out["platform_id"].to_list() == ["wechat"]
    row = out.row(0, named=True)
    assert (row["reach_low"], row["reach_as_of"], row["reach_gap_days"], row["reach_tolerance_days"]) == (
        2_000_000_000, date(2020, 3, 31), 62, REACH_TOLERANCE_DAYS)
    assert row["per_million_low"] == pytest.approx(950 * 1e6 / 2e9) and row["per_million_high"] == pytest.approx(1049 * 1e6 / 2e9)


def test_an_open_ended_claim_or_reach_leaves_that_end_of_the_ratio_empty():
    reach = _reach([{"platform_id": "wechat", "as_of": date(2020, 3, 31), "value_low": 1_000_000_000, "value_high": None}])
    out = scale_vs_reach(pl.DataFrame([CLAIM | {"consensus_high": None}]).lazy(), reach).collect().row(0, named=True)
    assert out["per_million_low"] is None and out["per_million_high"] is None and out["per_million_at_values"] == pytest.approx(1.0)


def test_one_series_per_platform_and_each_row_names_its_definition():
    """QQ's figures change definition over time: only the series most of them carry is compared."""
    reach = _reach([
        {"platform_id": "qq", "as_of": date(2019, 12, 31), "value_low": 800_000_000, "definition": "all terminals"},
        {"platform_id": "qq", "as_of": date(2020, 3, 31), "value_low": 700_000_000, "definition": "smart devices"},
        {"platform_id": "qq", "as_of": date(2019, 9, 30), "value_low": 650_000_000, "definition": "smart devices"},
        {"platform_id": "weibo", "as_of": date(2020, 3, 31), "value_low": 500_000_000, "definition": None},
    ])
    out = scale_vs_reach(pl.DataFrame([CLAIM | {"announced_on": date(2020, 1, 15)}]).lazy(), reach).collect()
    rows = {r["platform_id"]: r for r in out.iter_rows(named=True)}
    assert (rows["qq"]["reach_low"], rows["qq"]["reach_definition"]) == (650_000_000, "smart devices")
    assert "weibo" not in rows  # its only figure is after the claim
    out = scale_vs_reach(pl.DataFrame([CLAIM]).lazy(), reach).collect()
    assert {r["platform_id"]: r["reach_definition"] for r in out.iter_rows(named=True)}["weibo"] == "definition not stated"


def test_an_outlet_figure_is_not_compared():
    reach = _reach([{"platform_id": "wechat", "as_of": date(2020, 3, 31), "value_low": 1_000_000_000}])
    assert scale_vs_reach(pl.DataFrame([CLAIM | {"claim_kind": "outlet_figure"}]).lazy(), reach).collect().height == 0
