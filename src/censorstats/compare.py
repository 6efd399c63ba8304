"""Campaign scale against platform reach: accounts actioned per million monthly users.

For each claim about accounts, the platform reach it is compared with is the latest monthly-user
figure published for that platform's period ending on or before the day the claim was public
(`announced_on`), found with an as-of join, and at most REACH_TOLERANCE_DAYS older. A claim that
names a platform is compared with that platform only; a claim that names none is compared with
each platform that has such a figure, and with their sum (claims.py says how announced_on is
derived: never from a repost's own date). The sum counts people on several
platforms more than once, so against it the ratio is a lower bound.

Only official claims are compared (claims.py: an outlet's own headline total is not one).

The ratio is an interval, never a bare number: [consensus_low / reach_high,
consensus_high / reach_low] per million users, where an unbounded end stays empty. Each row
carries the reach figure's date, the gap in days, its page and its definition.

**One series per platform** (the reach_series table, which the reach figure also draws). Operators
change what they count (Tencent's QQ figures were all-terminal, then smart-device, then
mobile-device accounts; Kuaishou's prospectus counted the WeChat mini-program, its later reports the
app alone), and a ratio over time is only honest within one series. A platform's series is the
definition (reach.csv `definition`) that most of its dated, non-estimate monthly figures carry
(ties: alphabetical); figures of other definitions are left out of the comparison. Where no figure
of a platform states a definition, its figures are used as they are, named "definition not stated".

Which reach figure stands for a platform's period when several pages print one: the operator's
own (company, official), then wire, press and the rest (the same ranking as for claims),
exact before hedged; third-party estimates are left out.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from censorstats.fields import PROCESSED
from censorstats.readings import source_rank

REACH_TOLERANCE_DAYS = 184  # two quarters: filings come quarterly
MEASURE = "mau"
ALL_PLATFORMS = "all"


NOT_STATED = "definition not stated"


def platform_series(usable: pl.LazyFrame) -> pl.LazyFrame:
    """Per platform, the definition most of its usable figures carry (module doc)."""
    return (
        usable.filter(pl.col("definition").is_not_null())
        .group_by("platform_id", "definition")
        .agg(pl.len().alias("n"))
        .sort(["platform_id", "n", "definition"], descending=[False, True, False])
        .group_by("platform_id", maintain_order=True)
        .first()
        .select("platform_id", pl.col("definition").alias("series"))
    )


def reach_series(reach: pl.LazyFrame, measure: str = MEASURE) -> pl.LazyFrame:
    """One reach figure per platform and period end, from the best page printing it, within the platform's series."""
    usable = reach.filter(
        (pl.col("measure") == measure)
        & pl.col("as_of").is_not_null()
        & (pl.col("parse_status") == "ok")
        & ~pl.col("is_estimate")
        & pl.col("value_low").is_not_null()
    )
    in_series = pl.col("series").is_null() | (pl.col("definition") == pl.col("series"))
    return (
        usable.join(platform_series(usable), on="platform_id", how="left")
        .filter(in_series)
        .with_columns(pl.col("definition").fill_null(NOT_STATED))
        .sort(["platform_id", "as_of", source_rank(), pl.col("qualifier") != "exact", "reach_id"])
        .group_by("platform_id", "as_of", maintain_order=True)
        .first()
        .select(PROCESSED["reach_series"].column_names)
    )


def _assert_sorted(df: pl.DataFrame, by: str, on: str) -> None:
    """join_asof cannot check sortedness within `by` groups itself (see TRAPS)."""
    unsorted = df.group_by(by).agg(pl.col(on).is_sorted().alias("ok")).filter(~pl.col("ok"))
    assert unsorted.height == 0, f"not sorted by {on} within {by}: {unsorted[by].to_list()}"


# The claim's columns the comparison table shows beside each reach figure
CLAIM_COLUMNS = [c for c in PROCESSED["scale_vs_reach"].column_names if c in PROCESSED["claims"].column_names]


def _targets(claims: pl.LazyFrame, platforms: list[str]) -> pl.LazyFrame:
    """(claim, platform) pairs: the named platform, or every platform when the claim names none."""
    account = claims.filter(
        (pl.col("claim_kind") == "official")
        & (pl.col("unit") == "accounts")
        & pl.col("announced_on").is_not_null()
        & pl.col("value").is_not_null()
    )
    account = account.select(CLAIM_COLUMNS).with_columns(pl.col("platform_id").cast(pl.String))
    named = account.filter(pl.col("platform_id").is_not_null()).with_columns(
        pl.lit(True).alias("platform_named_by_claim")
    )
    every = (
        account.filter(pl.col("platform_id").is_null())
        .drop("platform_id")
        .join(pl.LazyFrame({"platform_id": platforms}), how="cross")
        .with_columns(pl.lit(False).alias("platform_named_by_claim"))
    )
    return pl.concat([named, every.select(named.collect_schema().names())])


def _per_million(accounts: pl.Expr, users: pl.Expr) -> pl.Expr:
    return pl.when(users > 0).then(accounts.cast(pl.Float64) * 1_000_000 / users.cast(pl.Float64))


def _with_ratios(lf: pl.LazyFrame) -> pl.LazyFrame:
    return lf.with_columns(
        _per_million(pl.col("consensus_low"), pl.col("reach_high")).alias("per_million_low"),
        _per_million(pl.col("consensus_high"), pl.col("reach_low")).alias("per_million_high"),
        _per_million(pl.col("value"), pl.col("reach_value")).alias("per_million_at_values"),
    )


def claims_against_reach(claims: pl.LazyFrame, series: pl.LazyFrame) -> pl.LazyFrame:
    """The scale_vs_reach table: each account claim against its platforms' reach_series figure of its day."""
    points = series.collect().sort("platform_id", "as_of")
    _assert_sorted(points, "platform_id", "as_of")
    targets = (
        _targets(claims, sorted(points["platform_id"].unique().to_list())).collect().sort("platform_id", "announced_on")
    )
    _assert_sorted(targets, "platform_id", "announced_on")
    matched = targets.join_asof(
        points.rename(
            {
                "as_of": "reach_as_of",
                "value_text": "reach_value_text",
                "value_low": "reach_low",
                "value_high": "reach_high",
                "outlet": "reach_outlet",
                "url": "reach_url",
                "source_type": "reach_source_type",
                "definition": "reach_definition",
                "platform": "reach_platform",
            }
        ),
        left_on="announced_on",
        right_on="reach_as_of",
        by="platform_id",
        strategy="backward",
        tolerance=timedelta(days=REACH_TOLERANCE_DAYS),
        check_sortedness=False,
    ).filter(pl.col("reach_id").is_not_null())
    matched = matched.with_columns(
        pl.col("reach_low").alias("reach_value"),
        (pl.col("announced_on") - pl.col("reach_as_of")).dt.total_days().alias("reach_gap_days"),
    )
    summed = (
        matched.filter(~pl.col("platform_named_by_claim"))
        .sort("claim_id", "platform_id")
        .group_by("claim_id", maintain_order=True)
        .agg(
            pl.exclude("platform_id", "^reach_.*$").first(),  # the reach_* columns are summed below
            pl.lit(ALL_PLATFORMS).alias("platform_id"),
            pl.format("sum of {} platforms (counts people on several platforms more than once)", pl.len()).alias(
                "reach_platform"
            ),
            pl.col("reach_id").str.join(" "),
            pl.col("reach_low").sum(),
            pl.when(pl.col("reach_high").is_null().any())
            .then(None)
            .otherwise(pl.col("reach_high").sum())
            .alias("reach_high"),
            pl.col("reach_low").sum().alias("reach_value"),
            pl.col("reach_as_of").min(),
            pl.col("reach_gap_days").max(),
            pl.col("reach_value_text").str.join(" + "),
            pl.col("reach_outlet").unique(maintain_order=True).str.join("; "),
            pl.col("reach_url").unique(maintain_order=True).str.join(" "),
            pl.col("reach_source_type").unique(maintain_order=True).str.join(" "),
            pl.lit("sum of the platforms' own definitions").alias("reach_definition"),
        )
        .filter(pl.col("reach_id").str.contains(" "))  # a sum of one platform says nothing new
    )
    rows = pl.concat([matched, summed.select(matched.columns)])
    return _with_ratios(rows.lazy()).with_columns(
        pl.concat_str([pl.col("claim_id"), pl.col("platform_id")], separator="@").alias("comparison_id"),
        pl.lit(REACH_TOLERANCE_DAYS, pl.Int64).alias("reach_tolerance_days"),
    )
