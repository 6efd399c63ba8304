"""Claims and discrepancies on small inline frames (one rule at a time) and on the frozen dataset in tests/fixtures/raw."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorstats.claims import claims as reconcile_claims
from censorstats.discrepancies import discrepancies
from censorstats.parse.numbers import read_figures

DEFAULTS = {
    "source_id": None, "outlet": None, "url": "https://example.org/", "published": "2018-12-01", "source_type": "press",
    "language": "en", "original_outlet": None, "original_type": None, "is_republication": False, "original_published": None,
    "campaign_id": "c", "authority_id": "cac", "metric": "accounts_closed", "unit": "accounts", "platform_id": None,
    "period_text": None, "period_start": None, "period_end": None, "period_precision": None, "period_status": "none", "placement": None,
    "claim_id": None, "note": None,
}


@pytest.fixture(autouse=True)
def _in_memory_engine():
    """As the build does: these small frames run several times faster on polars' in-memory engine."""
    with pl.Config(engine_affinity="in-memory"):
        yield


def _reports(*rows: dict) -> pl.LazyFrame:
    """Reports as the parse stage would give them; each row needs report_id and value_text."""
    full = [DEFAULTS | {"source_id": f"src-{r['report_id']}", "outlet": f"Outlet {r['report_id']}"} | r for r in rows]
    df = pl.DataFrame(full, schema_overrides={"period_start": pl.Date, "period_end": pl.Date, "original_outlet": pl.String,
                                              "original_type": pl.String, "original_published": pl.String,
                                              "period_precision": pl.String}, infer_schema_length=None)
    parsed = read_figures(df, "value_text").rename({"low": "value_low", "high": "value_high", "status": "parse_status", "reason": "parse_reason"})
    return parsed


def _run(*rows: dict, corrections: pl.DataFrame | None = None):
    claims, claim_reports, with_roles = reconcile_claims(_reports(*rows), corrections)
    return claims.collect(), claim_reports.collect(), discrepancies(with_roles, claims).collect()


def _types(found: pl.DataFrame) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rec in found.iter_rows(named=True):
        out.setdefault(rec["type"], set()).add(rec["report_ids"].split()[0])
    return out


def _texts(*texts: str, **common) -> list[dict]:
    return [{"report_id": f"r{i}", "value_text": t} | common for i, t in enumerate(texts)]


# ---------------------------------------------------------------------------------------------
# Implied intervals and consensus
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, low, high", [
    ("9,800", 9750, 9899),                       # a rounding or a cut-down at its last digit
    ("more than 9,800", 9801, 9899),             # more than, but below the next step of its last digit
    ("9800多个", 9801, 9899),
    ("81万余", 810001, 819999),
    ("nearly 10,000", 9000, 10000),              # a little under: a single digit's place is capped at a tenth
    ("近1.1万", 10000, 11000),
    ("10,000", 9000, 10999),
    ("about 7.1 million", 7000000, 7200000),
    ("10家", 10, 10),                            # small counts are copied, not rounded
    ("Up to 316 cases", 315, 316),
    ("more than 1 million", 1000001, 1999999),   # wide by nature
    ("5,000-6,000", 5000, 6000),
])
def test_implied_interval_of_a_printed_figure(text, low, high):
    _, roles, _ = _run({"report_id": "a", "value_text": text})
    assert roles.select("implied_low", "implied_high").row(0) == (low, high)


def test_roundings_of_9800_are_one_claim_in_the_official_wording():
    texts = ["9,800", "more than 9,800", "around 9,800", "nearly 10,000", "almost 10,000", "10,000", "9800多个"]
    claims, roles, found = _run(*_texts(*texts[:-1]), {"report_id": "zh", "value_text": texts[-1], "language": "zh"})
    assert claims.height == 1
    c = claims.row(0, named=True)
    assert (c["consensus_low"], c["consensus_high"]) == (9801, 9899)
    assert c["value"] == 9800 and c["value_qualifier"] == "at_least" and c["value_text"] in {"more than 9,800", "9800多个"}
    assert c["n_consensus"] == len(texts) and c["outlier_report_ids"] is None
    # the reports that changed the official wording, and only they, are flagged
    assert _types(found) == {"qualifier_dropped": {"r0"}, "qualifier_changed": {"r2"}}


def test_consensus_is_the_intersection_of_implied_intervals():
    texts = ["67,000", "66,000", "more than 66,600", "6.66万余", "66,600"]
    claims, roles, found = _run(*_texts(*texts))
    c = claims.row(0, named=True)
    consensus = roles.filter(pl.col("role") == "consensus")
    assert (c["consensus_low"], c["consensus_high"]) == (consensus["implied_low"].max(), consensus["implied_high"].min()) == (66601, 66699)
    assert c["n_consensus"] == 5 and c["value"] == 66600 and c["value_qualifier"] == "at_least"
    assert not {"magnitude", "conflict"} & set(_types(found))


def test_a_headline_misprint_never_outvotes_open_ended_bodies():
    """The "around 3 million" case: a x10 headline beside bodies that say "more than 308,000"."""
    claims, roles, found = _run(
        {"report_id": "head", "value_text": "around 3 million", "placement": "headline", "source_id": "cdr"},
        {"report_id": "body", "value_text": "more than 308,000", "placement": "body", "source_id": "cdr"},
        {"report_id": "cd", "value_text": "more than 308,000", "outlet": "China Daily"},
        {"report_id": "ecns", "value_text": "30,000", "outlet": "ECNS"},
    )
    c = claims.row(0, named=True)
    assert c["value"] == 308000 and c["value_text"] == "more than 308,000" and (c["consensus_low"], c["consensus_high"]) == (308001, 308999)
    assert set(c["outlier_report_ids"].split()) == {"head", "ecns"}
    by_type = {r["report_ids"].split()[0]: r for r in found.iter_rows(named=True)}
    assert by_type["head"]["type"] == "magnitude" and by_type["head"]["power_of_ten"] == 1
    assert by_type["ecns"]["type"] == "magnitude" and "10 times less" in by_type["ecns"]["sentence"]
    assert "body" not in by_type and "cd" not in by_type


def test_a_misprint_copied_as_often_as_the_right_figure_loses_to_more_significant_digits():
    claims, roles, found = _run(
        *_texts("more than 308,000", "more than 308,000"),
        {"report_id": "m1", "value_text": "30,000"}, {"report_id": "m2", "value_text": "30,000"},
    )
    assert claims["value"].to_list() == [308000]
    assert _types(found) == {"magnitude": {"m1", "m2"}}


def test_copies_of_one_text_weigh_as_one_voice():
    """Ten relays of a wire's round figure do not outweigh one more precise reading; more outlets break ties only."""
    relays = [{"report_id": f"w{i}", "value_text": "almost 187,000", "original_outlet": "Reuters", "original_type": "wire"} for i in range(10)]
    claims, _, found = _run(*relays, {"report_id": "gt", "value_text": "187,500", "outlet": "Global Times"})
    assert claims["value_text"].to_list() == ["187,500"]
    assert _types(found) == {"conflict": {f"w{i}" for i in range(10)}}
    claims, _, _ = _run({"report_id": "a", "value_text": "9,800"}, {"report_id": "b", "value_text": "9,800"},
                        {"report_id": "c", "value_text": "98,000"})
    assert claims["value"].to_list() == [9800]


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
    _, _, found = _run(*_texts("about 7.1 million", "more than 7.09 million", "over 700 million"))
    assert found.filter(pl.col("type") == "magnitude")["power_of_ten"].to_list() == [2]


def test_intervals_that_cannot_both_be_true_are_a_conflict():
    _, _, found = _run(*_texts("nearly 430,000", "more than 443,500", "more than 443,500"))
    assert _types(found) == {"conflict": {"r0"}}


def test_one_number_with_opposite_qualifiers_is_a_conflict_decided_by_the_better_voice():
    _, _, found = _run({"report_id": "a", "value_text": "nearly 430,000"}, {"report_id": "b", "value_text": "over 430,000", "source_type": "wire"})
    assert _types(found) == {"conflict": {"a"}}
    claims, _, found = _run({"report_id": "a", "value_text": "over 430,000", "original_outlet": "Reuters", "original_type": "wire"},
                            {"report_id": "b", "value_text": "nearly 430,000"})
    assert claims["value_text"].to_list() == ["over 430,000"] and _types(found) == {"conflict": {"b"}}


def test_a_report_that_contradicts_the_consensus_is_outside_it():
    claims, roles, found = _run(*_texts("nearly 10 million", "nearly 10 million", "almost 10 million", "some 10 million", "over 10 million"))
    c = claims.row(0, named=True)
    assert c["value_text"] == "nearly 10 million" and (c["consensus_low"], c["consensus_high"]) == (9000000, 10000000)
    assert c["outlier_report_ids"] == "r4"
    assert _types(found) == {"conflict": {"r4"}, "qualifier_changed": {"r3"}}


def test_a_different_figure_for_a_sub_group_is_kept_apart_by_claim_id():
    rows = [{"report_id": "t1", "value_text": "66,600"}, {"report_id": "t2", "value_text": "67,000"},
            {"report_id": "s1", "value_text": "nearly 8,000"}]
    assert "magnitude" in _types(_run(*rows)[2])
    rows[2]["claim_id"] = "fake-news-subset"
    claims, _, found = _run(*rows)
    assert claims.height == 2 and found.height == 0


def test_an_open_bound_far_below_the_claim_is_flagged_until_given_its_own_claim():
    rows = [{"report_id": "a", "value_text": "34,000"}, {"report_id": "b", "value_text": "34,000"},
            {"report_id": "sub", "value_text": "over 500 accounts"},
            {"report_id": "c", "value_text": "fewer than 50,000", "metric": "cases"},
            {"report_id": "d", "value_text": "1,100", "metric": "cases"}, {"report_id": "e", "value_text": "1,100", "metric": "cases"}]
    claims, roles, found = _run(*rows)
    assert _types(found) == {"loose_bound": {"sub", "c"}}
    assert roles.filter(pl.col("report_id") == "sub")["role"].to_list() == ["outlier"]  # literally true, but not this figure
    assert claims.filter(pl.col("metric") == "accounts_closed")["consensus_low"].to_list() == [33500]
    rec = found.filter(pl.col("report_ids").str.starts_with("sub")).row(0, named=True)
    assert '"over 500 accounts"' in rec["sentence"] and "34,000" in rec["sentence"] and "claim_id" in rec["sentence"]
    rows[2]["claim_id"] = "cyber-violence-subtally"
    rows[3]["claim_id"] = "a-cap"
    assert "loose_bound" not in _types(_run(*rows)[2])


def test_an_open_bound_that_rounds_the_claim_is_in_the_consensus():
    claims, _, found = _run({"report_id": "r0", "value_text": "13.4亿个", "language": "zh"},                             {"report_id": "r2", "value_text": "about 1.34 billion"}, {"report_id": "r1", "value_text": "over 1 billion"})
    assert claims["n_consensus"].to_list() == [3] and claims["value_text"].to_list() == ["13.4亿个"]
    assert _types(found) == {"qualifier_added": {"r2"}}


def test_qualifier_changes_are_pinned_on_the_report_that_changed_the_official_wording():
    _, _, found = _run(
        {"report_id": "a", "value_text": "1,100"}, {"report_id": "b", "value_text": "1,100"},
        {"report_id": "zh1", "value_text": "1100余个", "language": "zh"}, {"report_id": "zh2", "value_text": "1100餘個", "language": "zh"},
    )
    assert _types(found) == {"qualifier_dropped": {"a", "b"}}
    _, _, found = _run(
        {"report_id": "a", "value_text": "1,100"}, {"report_id": "b", "value_text": "1,100"},
        {"report_id": "o", "value_text": "1100余个", "source_type": "official"},
    )
    assert _types(found) == {"qualifier_dropped": {"a", "b"}}


def test_roundings_to_fewer_digits_are_faithful():
    claims, _, found = _run(*_texts("141.09萬余條", "more than 1.41 million", "more than 1.4 million", "approximately 1.4 million",
                                     "1.4 million", "1.4 million"))
    assert claims["value_text"].to_list() == ["141.09萬余條"] and found.height == 0


def test_two_hedges_printed_equally_often_are_not_flagged():
    _, _, found = _run(*_texts("nearly 8,000", "nearly 8,000", "about 8,000", "approximately 8,000"))
    assert found.height == 0


def test_an_outlet_headline_total_is_not_an_official_claim():
    claims, _, found = _run(*HEADLINE)
    kinds = dict(zip(claims["campaign_id"], claims["claim_kind"]))
    assert kinds == {"total": "outlet_figure", "mps": "official", "cac": "official"}


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


def test_the_same_figure_for_periods_months_apart_is_a_period_discrepancy():
    from datetime import date

    _, _, found = _run(
        {"report_id": "a", "value_text": "9,800", "period_start": date(2018, 10, 21), "period_end": date(2018, 12, 9), "period_status": "resolved"},
        {"report_id": "b", "value_text": "9,800", "period_start": date(2018, 1, 1), "period_end": date(2018, 12, 9), "period_status": "resolved",
         "source_type": "blog"},
        {"report_id": "c", "value_text": "9,800"},
    )
    assert _types(found) == {"period": {"b"}}


def test_corrections_exclude_and_override_are_applied_and_listed():
    corrections = pl.DataFrame({"report_id": ["bad", "garbled"], "action": ["exclude", "override"],
                                "value_text": [None, "2200余家"], "reason": ["dropped digit, checked", "缺 is 余"],
                                "decided_by": ["an analyst", None], "decided_on": ["2026-11-25", None]})
    claims, roles, found = _run(
        {"report_id": "ok1", "value_text": "more than 308,000"}, {"report_id": "ok2", "value_text": "308,000"},
        {"report_id": "bad", "value_text": "30,000"},
        {"report_id": "garbled", "value_text": "2200缺家", "metric": "websites_summoned"},
        corrections=corrections,
    )
    assert found.height == 0
    by_claim = {c["metric"]: c for c in claims.iter_rows(named=True)}
    assert by_claim["accounts_closed"]["excluded_report_ids"] == "bad"
    assert by_claim["websites_summoned"]["corrected_report_ids"] == "garbled"
    assert (by_claim["websites_summoned"]["consensus_low"], by_claim["websites_summoned"]["value"]) == (2201, 2200)
    g = roles.filter(pl.col("report_id") == "garbled").row(0, named=True)
    assert (g["value_text"], g["read_as"], g["role"], g["correction_reason"]) == ("2200缺家", "2200余家", "consensus", "缺 is 余")
    b = roles.filter(pl.col("report_id") == "bad").row(0, named=True)
    assert (b["role"], b["correction_action"], b["correction_decided_by"], b["correction_decided_on"]) == ("excluded", "exclude", "an analyst", "2026-11-25")


FIGURE = st.tuples(st.sampled_from(["", "more than ", "nearly ", "about "]), st.integers(1, 99), st.integers(0, 6))


@settings(max_examples=20, deadline=None)  # each example runs the whole claims stage (about 0.4 s)
@given(st.lists(FIGURE, min_size=1, max_size=6))
def test_consensus_is_never_wider_than_what_its_reports_imply(figures):
    texts = [f"{q}{m * 10 ** z:,}" for q, m, z in figures]
    claims, roles, _ = _run(*_texts(*texts))
    c = claims.row(0, named=True)
    consensus = roles.filter(pl.col("role") == "consensus")
    assert consensus.height >= 1
    assert c["consensus_low"] == consensus["implied_low"].max() and c["consensus_high"] == consensus["implied_high"].min()
    assert c["consensus_low"] <= c["consensus_high"]
    best = roles.filter(pl.col("report_id") == c["best_report_id"]).row(0, named=True)
    assert (best["read_as"], best["printed_number"], best["role"]) == (c["value_text"], c["value"], "consensus")


# ---------------------------------------------------------------------------------------------
# The frozen dataset (tests/fixtures/raw): the cases a careful reader checked
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frozen(shipped_build):
    """The frozen data built whole (figures too: trace lists the figures that drew a number); read only."""
    from censorstats.paths import Project

    project = Project(shipped_build)
    read = lambda name: pl.read_parquet(project.processed / f"{name}.parquet")  # noqa: E731
    return read("claims"), read("claim_reports"), read("discrepancies"), project


def _claim(claims: pl.DataFrame, claim_id: str) -> dict:
    return claims.filter(pl.col("claim_id") == claim_id).row(0, named=True)


def _flagged(found: pl.DataFrame) -> dict[str, str]:
    return {ids.split()[0]: kind for ids, kind in zip(found["report_ids"], found["type"])}


def test_frozen_npc_accounts_claim_is_nearly_10_million_without_the_contradicting_report(frozen):
    claims, roles, found, _ = frozen
    c = _claim(claims, "npcsc-cybersecurity-law-inspection-report-since-2015/accounts_closed")
    assert c["value_text"] == "nearly 10 million" and (c["consensus_low"], c["consensus_high"]) == (9_000_000, 10_000_000)
    assert "r071" in c["outlier_report_ids"] and _flagged(found)["r071"] == "conflict"
    assert _flagged(found)["r064"] == "qualifier_changed"  # "some 10 million" for the official "nearly 10 million"


def test_frozen_professional_advice_claim_does_not_take_its_upper_end_from_the_contradicting_report(frozen):
    claims, _, found, _ = frozen
    c = _claim(claims, "2023-ql-self-media-punished-professional-advice")
    assert c["value_text"] == "over 430,000" and c["consensus_low"] > 430_000 and c["outlier_report_ids"] == "r313"


@pytest.mark.parametrize("claim_id, wordings", [
    ("2018-self-media-clean-up/accounts_closed", {"more than 9,800", "More than 9,800", "9800多个", "9800 多个"}),
    ("2018-mps-self-media-water-army-extortion-crackdown/accounts_closed", {"1100餘個", "1100余個"}),
    ("npcsc-cybersecurity-law-inspection-report-since-2015/websites_closed", {"more than 13,000", "13000多家"}),
    ("2023-qinglang-self-media-rectification/accounts_closed", {"6.66萬余個", "more than 66,600"}),
    ("2023-qinglang-self-media-rectification/accounts_punished", {"92.76萬余個"}),
])
def test_frozen_claims_show_the_official_wording_and_link_a_page_printing_it(frozen, claim_id, wordings):
    claims, roles, _, project = frozen
    c = _claim(claims, claim_id)
    assert c["value_text"] in wordings
    reports = pl.read_parquet(project.processed / "reports.parquet")
    best = reports.filter(pl.col("report_id") == c["best_report_id"]).row(0, named=True)
    assert (best["url"], best["value_text"]) == (c["best_url"], c["value_text"])


def test_frozen_best_url_always_prints_the_value(frozen):
    claims, _, _, project = frozen
    reports = pl.read_parquet(project.processed / "reports.parquet").select("report_id", "url", "value_text")
    corrections = pl.read_csv(project.raw / "corrections.csv", infer_schema=False)
    joined = claims.filter(pl.col("value").is_not_null()).join(reports, left_on="best_report_id", right_on="report_id", suffix="_page")
    corrected = set(corrections["report_id"])
    wrong = joined.filter((pl.col("url") != pl.col("best_url"))
                          | ((pl.col("value_text_page") != pl.col("value_text")) & ~pl.col("best_report_id").is_in(corrected)))
    assert wrong.height == 0 and joined.height == claims.filter(pl.col("value").is_not_null()).height
    fake_news = _claim(claims, "2023-ql-self-media-punished-fake-news-media")
    assert (fake_news["value"], fake_news["value_text"]) == (187_500, "187,500")


def test_frozen_seed_headline_is_flagged_and_not_an_official_figure(frozen):
    claims, _, found, project = frozen
    seed = claims.filter(pl.col("consensus_report_ids") == "s001").row(0, named=True)
    assert seed["claim_kind"] == "outlet_figure" and _flagged(found)["s001"] == "headline_body"
    comparisons = pl.read_parquet(project.processed / "scale_vs_reach.parquet")
    assert seed["claim_id"] not in set(comparisons["claim_id"])
    from censorstats import figures

    assert seed["claim_id"] not in set(figures.campaign_scale_data(claims)["claim_id"])


def test_frozen_discrepancies_blame_the_report_that_changed_the_figure(frozen):
    found = _flagged(frozen[2])
    assert not {"r112", "r117", "r266", "r292"} & set(found)
    assert {found[r] for r in ("r100", "r105", "r109", "s002")} == {"qualifier_dropped"}
    assert {found[r] for r in ("r295", "r309", "r318")} == {"conflict"}
    assert found["r082"] == "qualifier_changed"  # "around 9,800" for more than 9,800
    rec = frozen[2].filter(pl.col("report_ids").str.starts_with("r140")).row(0, named=True)
    assert rec["type"] == "magnitude" and rec["power_of_ten"] == -1


def test_frozen_consensus_is_the_intersection_of_its_reports_implied_intervals(frozen):
    claims, roles, _, _ = frozen
    bounds = roles.filter(pl.col("role") == "consensus").group_by("claim_id").agg(
        pl.col("implied_low").max().alias("low"), pl.col("implied_high").min().alias("high"))
    joined = claims.join(bounds, on="claim_id")
    assert joined.height == claims.filter(pl.col("n_consensus") > 0).height
    assert joined.filter((pl.col("consensus_low") != pl.col("low")) | (pl.col("consensus_high") != pl.col("high"))).height == 0


def test_frozen_cac_2018_figure_against_wechat_and_weibo(frozen):
    comparisons = pl.read_parquet(frozen[3].processed / "scale_vs_reach.parquet")
    rows = {r["platform_id"]: r for r in comparisons.filter(pl.col("claim_id") == "2018-self-media-clean-up/accounts_closed").iter_rows(named=True)}
    wechat, weibo = rows["wechat"], rows["weibo"]
    assert wechat["value_text"] in {"more than 9,800", "9800多个"}
    assert (wechat["reach_value_text"], weibo["reach_value_text"]) == ("1.083 billion", "446 million")
    assert 9.0 <= wechat["per_million_low"] <= wechat["per_million_high"] <= 9.2
    assert 21.8 <= weibo["per_million_low"] <= weibo["per_million_high"] <= 22.6


def test_discrepancies_and_trace_commands(frozen, monkeypatch, capsys):
    from censorstats.cli import main

    monkeypatch.setenv("CENSORSTATS_ROOT", str(frozen[3].root))
    assert main(["discrepancies", "--type", "magnitude"]) == 0
    out = capsys.readouterr().out
    assert "2019-cac-six-month-ecology-governance-campaign\n  magnitude [r140 r133]: ECNS \"30,000\"" in out
    assert main(["trace", "r078"]) == 0
    out = capsys.readouterr().out
    assert 'printed:   "2200缺家"' in out and 'corrected: read as "2200余家" → at_least, 2,200 to unbounded' in out and "as consensus" in out
    assert "reason:    缺 is a text-spinner garble of 余" in out and "decided:   by censorstats maintainers, on 2026-11-25" in out
    assert out.splitlines()[-1] == "  figures:   none"  # a count of websites: drawn in no figure
    assert main(["trace", "r140"]) == 0  # ECNS's misprinted 30,000: a point of its own in the discrepancies figure only
    assert capsys.readouterr().out.splitlines()[-1] == "  figures:   reports/figures/discrepancies.svg"
    assert main(["trace", "2018-self-media-clean-up/accounts_closed"]) == 0
    figures = capsys.readouterr().out.splitlines()[-1]
    assert "campaign_scale.svg" in figures and "scale_vs_reach.svg" in figures
    with pytest.raises(SystemExit) as exit:  # a usage error, as an unknown target or --id is
        main(["trace", "no-such-id"])
    assert exit.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == "censorstats trace: error: no report or claim with id 'no-such-id'"


def test_trace_says_what_an_empty_field_means(frozen, monkeypatch, capsys):
    """An open-ended period, a claim nobody could read: plain words, never Python's None."""
    from censorstats.cli import main

    monkeypatch.setenv("CENSORSTATS_ROOT", str(frozen[3].root))
    shown = {}
    for report_id in ("r078", "r275", "r468"):
        assert main(["trace", report_id]) == 0
        shown[report_id] = capsys.readouterr().out
        assert "None" not in shown[report_id], shown[report_id]
    assert '  period:    2015-01-01 onwards, no end printed (resolved, from "2015年以来")' in shown["r078"]
    assert '  period:    up to 2023-05-22, no start printed (resolved, from "as of May 22")' in shown["r275"]
    assert "  best:      none: no report of this claim could be read, so no page prints its value" in shown["r468"]


@pytest.mark.parametrize("parse_status", ["ok", "unparsed"])
@pytest.mark.parametrize("period", [("2015-01-01", None), (None, "2023-05-22"), (None, None)])
def test_trace_prints_no_none_for_any_empty_column(parse_status, period):
    """Every column the schemas let be empty, empty at once: no line shows None or null."""
    from censorstats.fields import PROCESSED
    from censorstats.trace import _claim_lines, _report_lines

    def row(table: str, **given) -> dict:
        return {c.name: None if c.nullable else "x" for c in PROCESSED[table].columns} | given

    report = row("reports", parse_status=parse_status, period_start=period[0], period_end=period[1])
    lines = _report_lines(report, row("claim_reports", correction_reason="x")) + _claim_lines(row("claims"))
    assert not [line for line in lines if "None" in line or "null" in line], lines


def test_trace_shows_who_decided_a_correction_and_when():
    from censorstats.trace import _correction_lines

    row = {"role": "consensus", "value_text": "2200缺家", "read_as": "2200余家", "correction_reason": "a garble of 余",
           "correction_decided_by": "censorstats maintainers", "correction_decided_on": "2026-11-25"}
    assert _correction_lines(row) == ['  corrected: read as "2200余家" → at_least, 2,200 to unbounded', "  reason:    a garble of 余",
                                      "  decided:   by censorstats maintainers, on 2026-11-25"]
    excluded = _correction_lines({"role": "excluded", "value_text": "10,000", "read_as": "10,000", "correction_reason": "a relay of a relay",
                                  "correction_decided_by": None, "correction_decided_on": None})
    assert excluded == ["  corrected: excluded from its claim", "  reason:    a relay of a relay", "  decided:   by not recorded, on not recorded"]


def test_a_repost_never_dates_a_figure_and_periods_are_inferred_with_their_evidence():
    from datetime import date

    claims, roles, _ = _run(
        {"report_id": "orig", "value_text": "more than 9,800", "published": "2018-11-13", "period_start": date(2018, 10, 20),
         "period_end": date(2018, 11, 12), "period_precision": "day", "period_status": "resolved"},
        {"report_id": "month", "value_text": "9,800", "published": "2018-11"},
        {"report_id": "repost", "value_text": "9800多个", "published": "2018-10-01", "is_republication": True, "source_type": "mirror"},
        {"report_id": "undated", "value_text": "nearly 10,000", "published": None},
    )
    c = claims.row(0, named=True)
    assert (c["announced_on"], c["announced_report_id"]) == (date(2018, 11, 13), "orig")  # the repost's earlier date is not used
    assert (c["period_start"], c["period_end"], c["period_report_id"]) == (date(2018, 10, 20), date(2018, 11, 12), "orig")
    inferred = roles.filter(pl.col("period_status") == "inferred")
    assert sorted(inferred["report_id"]) == ["month", "repost", "undated"] and set(inferred["period_evidence"]) == {"orig"}
    claims, _, _ = _run({"report_id": "r", "value_text": "9,800", "published": "2020-02-29", "is_republication": True})
    assert claims["announced_on"].to_list() == [None]
    claims, _, _ = _run({"report_id": "r", "value_text": "9,800", "published": "2020-02-29", "is_republication": True,
                         "original_published": "2018-12"})
    assert claims["announced_on"].to_list() == [date(2018, 12, 31)]  # a month counts as its last day: public by then


def test_frozen_reposts_no_longer_date_old_figures(frozen):
    from datetime import date

    claims, roles, _, project = frozen
    reposted = claims.filter(pl.col("claim_id").str.starts_with("jingwang-2018-mps-six-month-results")
                             | (pl.col("claim_id") == "2021-qinglang-financial-self-media-rectification/accounts_closed/weibo"))
    assert reposted.height == 8 and reposted["announced_on"].null_count() == 8
    reports = pl.read_parquet(project.processed / "reports.parquet").filter(pl.col("report_id").is_in(["r097", "r409", "r410", "r411", "r412"]))
    ends = dict(zip(reports["report_id"], reports["period_end"]))
    assert ends["r097"] is None and {ends[r] for r in ("r409", "r410", "r411", "r412")} == {date(2024, 9, 19)}
    late = claims.join(roles.filter(pl.col("role") == "consensus").select("claim_id", "report_id"), on="claim_id").join(
        pl.read_parquet(project.processed / "reports.parquet").select("report_id", "published", "is_republication"), on="report_id")
    originals = late.filter(~pl.col("is_republication") & (pl.col("published").str.len_chars() == 10)).with_columns(
        pl.col("published").str.to_date())
    assert originals.filter(pl.col("announced_on") > pl.col("published")).height == 0  # never later than an original report
