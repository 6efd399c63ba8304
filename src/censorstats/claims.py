"""Claims: the official figure behind the reports that relay it, chosen by weight of evidence.

Input: the processed reports and the analyst's corrections. Output: claims (one row per official
figure: its consensus interval, its value in the official wording, and why) and claim_reports
(the role each report played). The discrepancies stage reads both.

**Which reports relay one figure.** Reports that share campaign, metric and platform, unless an
analyst gave a claim_id in reports.csv (to split a campaign's sub-figures apart or join reports
by hand). Periods do not split claims; the discrepancies stage flags reports that disagree on them.

**Consensus, by weight of evidence.** Each readable report stands for its implied interval (see
readings.py). The consensus is the largest-weighted set of reports whose implied intervals share
a point; its interval is the intersection of theirs, so it is never wider than what any of its
reports implies. The weight of a set of reports:
1. Evidence: the sum, over the distinct readings among its body reports (a reading is a printed
   number with its qualifier), of the reading's significant digits, doubled where an official or
   company source prints it. Copies of one text (a wire relayed by many outlets, a mirror, a
   scraper) print the same reading, so they count once; a figure printed with more digits counts
   for more than a round one; a headline never counts against body figures.
2. Ties: the number of independent voices (a page's credited original, such as Reuters for a
   page carrying Reuters text, else its outlet); then the weight of headline readings; then the
   best voice's kind of source (official, company, wire, press, ...); then the lower point.
A report outside the consensus is an outlier, and the discrepancies stage says why.

**The claim's value, in the official wording.** Among the consensus readings (body before headline):
the one with the most significant digits; among those of one number, the reading an official or
company source prints, then the reading a Chinese text prints (authorities announce in Chinese, and
translations drop 余, 多 and 近), then the one more voices print, then a hedged before an exact one.
`value` is its printed number and `value_text` the words of the best page printing it (official,
company, wire, press, ...; earlier first), which is `best_report_id`, so `best_url` always prints
the value. `value_rule` names the step that decided and `value_note` says it in a sentence.

**Two dates, never confused.** The period the figure counts (period_start, period_end,
period_precision) is that of the best consensus report stating one (dates given in reports.csv
first, then an original page's phrase before a republication's, finer precision first), named in
period_report_id; where none of its reports states one, the period all the other claims of its
campaign (one announcement) state, where they state the same one (period_basis says which); a
consensus report stating no period takes it, marked `inferred` with that report as its evidence
(claim_reports); so does an unread report (another language), never an outlier. The day the figure
was first public, `announced_on`, is the earliest publication date among the claim's consensus
reports on original pages (a page dated only to a month or year counts as its last day); a
republication (mirror, aggregator, or repost = yes in sources.csv) sets it only through the date of
the original it carries, where known, so a repost never dates an old figure. announced_report_id
names the report.

**Kinds of claims.** A claim is an `outlet_figure` when all its consensus reports are headlines
that match no figure in the body of their own page (an outlet's own sum or misprint, such as
the seed article's "over 11.000"); every other claim is `official`. Only official claims are
counted as official figures and compared with platform reach.

**Corrections** (data/raw/corrections.csv) apply first: `exclude` leaves a report out of its
claim, `override` reads it as the correction's value_text. Both are listed in the outputs with
the reason, who decided and when.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from censorstats.dates import published_bounds
from censorstats.fields import PRECISIONS, PROCESSED, RAW, REPORT_ROLES
from censorstats.parse.numbers import read_figures
from censorstats.readings import (
    ANNOUNCEMENT_LANGUAGE,
    AUTHORITATIVE,
    commas,
    implied_interval,
    printed_number,
    rounds_to_expr,
    significant_digits,
    source_rank,
)

CORRECTION_COLUMNS = tuple(c for c in RAW["corrections"].column_names if c != "report_id")


def _ids(where: pl.Expr) -> pl.Expr:
    """The ids of a group's reports that satisfy `where`, sorted, space-separated; null when none."""
    ids = pl.col("report_id").filter(where).sort().str.join(" ")
    return pl.when(ids == "").then(None).otherwise(ids)


# ---------------------------------------------------------------------------------------------
# Reports as the claims stage sees them
# ---------------------------------------------------------------------------------------------


def with_corrections(reports: pl.LazyFrame, corrections: pl.DataFrame | None) -> pl.LazyFrame:
    """Apply the analyst's decisions: overrides are re-read by the same parser, exclusions marked."""
    if corrections is None:
        corrections = pl.DataFrame(schema={"report_id": pl.String, "action": pl.String, "reason": pl.String})
    present = [c for c in CORRECTION_COLUMNS if c in corrections.columns]
    fixes = corrections.lazy().select(
        "report_id",
        *[pl.col(c).alias(f"correction_{c}") for c in present],
        *[pl.lit(None, pl.String).alias(f"correction_{c}") for c in CORRECTION_COLUMNS if c not in present],
    )
    fixes = read_figures(fixes, "correction_value_text", prefix="c_")
    lf = reports.join(fixes, on="report_id", how="left", maintain_order="left")
    override = pl.col("correction_action") == "override"
    return lf.with_columns(
        pl.when(override).then(pl.col("correction_value_text")).otherwise(pl.col("value_text")).alias("read_as"),
        *[
            pl.when(override).then(pl.col(f"c_{c}")).otherwise(pl.col(o)).alias(o)
            for c, o in (
                ("low", "value_low"),
                ("high", "value_high"),
                ("qualifier", "qualifier"),
                ("status", "parse_status"),
            )
        ],
    ).drop(pl.selectors.starts_with("c_"))


def with_readings(lf: pl.LazyFrame) -> pl.LazyFrame:
    """The printed number, its precision and implied interval, its reading, voice and placement."""
    lf = lf.with_columns(printed_number().alias("printed_number"))
    low, high = implied_interval(pl.col("printed_number"))
    voice_type = pl.coalesce(pl.col("original_type"), pl.col("source_type"))
    return lf.with_columns(
        significant_digits(pl.col("printed_number")).alias("significant_digits"),
        low.alias("implied_low"),
        high.alias("implied_high"),
        pl.format(
            "{} {}-{}", pl.col("qualifier"), pl.col("value_low").fill_null(-1), pl.col("value_high").fill_null(-1)
        ).alias("reading"),
        pl.coalesce(pl.col("original_outlet"), pl.col("outlet")).alias("voice"),
        source_rank().alias("source_rank"),
        source_rank(voice_type).alias("voice_rank"),
        voice_type.is_in(AUTHORITATIVE).alias("is_authoritative"),
        (pl.col("placement") == "headline").fill_null(False).alias("is_headline"),
    )


def with_headline_checks(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Mark headlines that are no rounding of any body figure of the same metric on their own page.

    `headline_stands_alone` is null where the page prints no body figure for the metric to check against.
    """
    body = lf.filter(~pl.col("is_headline") & pl.col("printed_number").is_not_null()).select(
        "source_id", "metric", pl.col("printed_number").alias("body_number")
    )
    heads = lf.filter(pl.col("is_headline") & pl.col("printed_number").is_not_null()).select(
        "report_id", "source_id", "metric", "printed_number"
    )
    rounding = rounds_to_expr(pl.col("printed_number"), pl.col("body_number"))
    checked = (
        heads.join(body, on=["source_id", "metric"])
        .group_by("report_id")
        .agg((~rounding.any()).alias("headline_stands_alone"))
    )
    return lf.join(checked, on="report_id", how="left", maintain_order="left")


def _claim_key(lf: pl.LazyFrame) -> pl.LazyFrame:
    default = pl.concat_str(
        [pl.col("campaign_id"), pl.col("metric"), pl.col("platform_id")], separator="/", ignore_nulls=True
    )
    return lf.with_columns(pl.coalesce(pl.col("claim_id"), default).alias("claim_id"))


def prepared(reports: pl.LazyFrame, corrections: pl.DataFrame | None) -> pl.LazyFrame:
    lf = _claim_key(with_headline_checks(with_readings(with_corrections(reports, corrections))))
    role = (
        pl.when(pl.col("correction_action") == "exclude")
        .then(pl.lit("excluded"))
        .when((pl.col("parse_status") != "ok") | pl.col("printed_number").is_null())
        .then(pl.lit("unread"))
    )
    return lf.with_columns(role.alias("role"))


# ---------------------------------------------------------------------------------------------
# Consensus
# ---------------------------------------------------------------------------------------------


def _covers(point: pl.Expr) -> pl.Expr:
    return (pl.col("implied_low") <= point) & (point <= pl.col("implied_high"))


def _reading_weight() -> pl.Expr:
    """A reading's evidence: its significant digits, doubled where an official or company voice prints it."""
    return pl.col("significant_digits").first() * pl.when(pl.col("is_authoritative").any()).then(2).otherwise(1)


def consensus_points(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Per claim, the point the weightiest set of reports allows, with that set's evidence (module doc)."""
    readable = lf.filter(pl.col("role").is_null())
    points = readable.select("claim_id", pl.col("implied_low").alias("point")).unique()
    covering = points.join(readable, on="claim_id").filter(_covers(pl.col("point")))
    per_reading = covering.group_by("claim_id", "point", "reading").agg(
        (~pl.col("is_headline")).any().alias("in_body"), _reading_weight().alias("weight")
    )
    evidence = per_reading.group_by("claim_id", "point").agg(
        pl.col("weight").filter(pl.col("in_body")).sum().alias("evidence"),
        pl.col("weight").filter(~pl.col("in_body")).sum().alias("headline_evidence"),
    )
    voices = (
        covering.filter(~pl.col("is_headline"))
        .group_by("claim_id", "point")
        .agg(pl.col("voice").n_unique().alias("voices"), pl.col("voice_rank").min().alias("best_voice_rank"))
    )
    return (
        evidence.join(voices, on=["claim_id", "point"], how="left")
        .with_columns(pl.col("voices").fill_null(0), pl.col("best_voice_rank").fill_null(99))
        .sort(
            ["claim_id", "evidence", "voices", "headline_evidence", "best_voice_rank", "point"],
            descending=[False, True, True, True, False, False],
        )
        .group_by("claim_id", maintain_order=True)
        .first()
        .select("claim_id", "point", "evidence")
    )


def with_roles(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Mark each readable report consensus or outlier."""
    lf = lf.join(consensus_points(lf), on="claim_id", how="left", maintain_order="left")
    role = (
        pl.when(pl.col("role").is_not_null())
        .then(pl.col("role"))
        .when(_covers(pl.col("point")))
        .then(pl.lit("consensus"))
        .otherwise(pl.lit("outlier"))
    )
    return lf.with_columns(role.alias("role")).drop("point")


def with_reading_support(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Beside each report, who prints its reading among its claim's consensus reports.

    The value's choice ranks readings by these (VALUE_STEPS), and the discrepancies stage reads
    them to tell an established official wording from one more relay's, so they are computed once.
    """
    consensus, by = pl.col("role") == "consensus", ["claim_id", "reading"]
    return lf.with_columns(
        pl.col("voice").filter(consensus).n_unique().over(by).alias("reading_voices"),
        pl.col("is_authoritative").filter(consensus).any().over(by).alias("reading_authoritative"),
        (pl.col("language") == ANNOUNCEMENT_LANGUAGE).filter(consensus).any().over(by).alias("reading_in_chinese"),
    )


# ---------------------------------------------------------------------------------------------
# The claim's value
# ---------------------------------------------------------------------------------------------

# Each step of the value's choice, in order: (column, descending, what `value_rule` says when it decided).
VALUE_STEPS = (
    ("body", True, "the body's reading over a headline's"),
    ("significant_digits", True, "most precise reading in the consensus"),
    ("authoritative", True, "wording of an official or company source"),
    ("in_chinese", True, "wording of the Chinese text (the announcement's language)"),
    ("voices", True, "wording more voices print"),
    ("hedged", True, "hedged wording over the exact one"),
    ("best_rank", False, "wording of the best source"),
)


def value_readings(consensus: pl.LazyFrame) -> pl.LazyFrame:
    """Each claim's consensus readings, best first, with the keys VALUE_STEPS compares."""
    return (
        consensus.group_by("claim_id", "reading")
        .agg(
            (~pl.col("is_headline")).any().alias("body"),
            pl.col("significant_digits").first(),
            pl.col("reading_authoritative").first().alias("authoritative"),
            pl.col("reading_in_chinese").first().alias("in_chinese"),
            pl.col("reading_voices").first().alias("voices"),
            (pl.col("qualifier").first() != "exact").alias("hedged"),
            pl.col("source_rank").min().alias("best_rank"),
            pl.col("printed_number").first().alias("value"),
            pl.col("qualifier").first().alias("value_qualifier"),
            pl.len().alias("n_printing"),
        )
        .sort(
            ["claim_id", *[c for c, _, _ in VALUE_STEPS], "value", "reading"],
            descending=[False, *[d for _, d, _ in VALUE_STEPS], False, False],
        )
    )


def chosen_values(consensus: pl.LazyFrame) -> pl.LazyFrame:
    """Per claim: the chosen reading, why, and the best page printing it."""
    readings = value_readings(consensus)
    decided = readings.group_by("claim_id", maintain_order=True).agg(
        pl.col("reading").first(),
        pl.col("value").first(),
        pl.col("value_qualifier").first(),
        pl.col("significant_digits").first().alias("value_digits"),
        pl.col("n_printing").first(),
        pl.col("reading").get(1, null_on_oob=True).alias("runner_up"),
        pl.len().alias("n_readings"),
        *[pl.col(c) for c, _, _ in VALUE_STEPS],
    )
    decided = decided.with_columns(
        pl.when(pl.col("runner_up").is_null())
        .then(pl.lit("only reading in the consensus"))
        .otherwise(_first_difference())
        .alias("value_rule")
    ).select(
        "claim_id", "reading", "value", "value_qualifier", "value_digits", "n_printing", "n_readings", "value_rule"
    )
    best = (
        consensus.join(decided.select("claim_id", "reading"), on=["claim_id", "reading"])
        .sort(["claim_id", "is_headline", "source_rank", pl.col("published").fill_null("9999"), "report_id"])
        .group_by("claim_id", maintain_order=True)
        .first()
        .select(
            "claim_id",
            pl.col("report_id").alias("best_report_id"),
            pl.col("read_as").alias("value_text"),
            pl.col("outlet").alias("best_outlet"),
            pl.col("url").alias("best_url"),
        )
    )
    return decided.join(best, on="claim_id", how="left")


def _first_difference() -> pl.Expr:
    """The first VALUE_STEPS key that differs between the chosen reading (index 0) and the runner-up (1)."""
    rule: Any = pl.when(False).then(pl.lit(""))  # a when-chain: Then, then ChainedThen
    for column, _, said in VALUE_STEPS:
        rule = rule.when(pl.col(column).list.get(0) != pl.col(column).list.get(1)).then(pl.lit(said))
    return rule.otherwise(pl.lit("lowest number, then reading, among equals"))


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


def announcements(consensus: pl.LazyFrame) -> pl.LazyFrame:
    """Per claim, the day the figure was first public, and the report that shows it (module doc).

    A page dated to a month or a year counts as its last day: the figure was certainly public by then.
    A republication counts only through the date of the original it carries, where that is known.
    """
    _, page_last = published_bounds(pl.col("published"))
    _, original_last = published_bounds(pl.col("original_published"))
    dated = consensus.with_columns(
        pl.when(pl.col("is_republication")).then(original_last).otherwise(page_last).alias("public_on")
    )
    return (
        dated.filter(pl.col("public_on").is_not_null())
        .sort(["claim_id", "public_on", "source_rank", "report_id"])
        .group_by("claim_id", maintain_order=True)
        .first()
        .select("claim_id", pl.col("public_on").alias("announced_on"), pl.col("report_id").alias("announced_report_id"))
    )


PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}  # finest first


def _best_stated_period(stated: pl.LazyFrame, by: str) -> pl.LazyFrame:
    """Per `by`, the period of the best report stating one: dates given in reports.csv first, then an
    original page's phrase before a republication's, a finer precision, the better source, the earlier page."""
    return (
        stated.sort(
            [
                by,
                pl.col("period_status") != "explicit",
                "is_republication",
                pl.col("period_precision").replace_strict(PRECISION_RANK, default=9, return_dtype=pl.Int64),
                "source_rank",
                pl.col("published").fill_null("9999"),
                "report_id",
            ]
        )
        .group_by(by, maintain_order=True)
        .first()
        .select(by, "period_start", "period_end", "period_precision", pl.col("report_id").alias("period_report_id"))
    )


def claim_periods(consensus: pl.LazyFrame) -> pl.LazyFrame:
    """Per claim, the period its figure counts, and where that period comes from (`period_basis`).

    `claim`: the best consensus report of the claim that states one. `campaign`: for a claim whose
    reports state none, the period (with both ends) the other claims of its campaign (one announcement)
    state, where they all state the same one; where they differ, the claim has no period.
    """
    stated = consensus.filter(pl.col("period_status").is_in(["explicit", "resolved"]))
    own = _best_stated_period(stated, "claim_id").with_columns(pl.lit("claim").alias("period_basis"))
    # Only periods with both ends count here: "so far" (an end alone) fits any period ending on that day.
    per_campaign = own.filter(pl.col("period_start").is_not_null() & pl.col("period_end").is_not_null()).join(
        consensus.select("claim_id", "campaign_id").unique(), on="claim_id"
    )
    agreed = (
        per_campaign.group_by("campaign_id")
        .agg(
            pl.struct("period_start", "period_end").n_unique().alias("n_periods"),
            pl.col("period_start").first(),
            pl.col("period_end").first(),
            pl.col("period_precision").sort_by("period_report_id").first(),
            pl.col("period_report_id").min(),
        )
        .filter(pl.col("n_periods") == 1)
        .drop("n_periods")
    )
    borrowed = (
        consensus.select("claim_id", "campaign_id")
        .unique()
        .join(own.select("claim_id"), on="claim_id", how="anti")
        .join(agreed, on="campaign_id")
        .drop("campaign_id")
        .with_columns(pl.lit("campaign").alias("period_basis"))
    )
    return pl.concat([own, borrowed.select(own.collect_schema().names())])


def with_inferred_periods(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    """A report of a claim's figure that states no period of its own takes the claim's, marked inferred, naming
    the report it came from. Consensus reports, and unread ones (another language: the figure is the claim's,
    the words could not be read); never an outlier, which may be another figure."""
    claim_period = claims.select(
        "claim_id",
        pl.col("period_start").alias("c_start"),
        pl.col("period_end").alias("c_end"),
        pl.col("period_precision").alias("c_precision"),
        "period_report_id",
    )
    inferred = (
        pl.col("role").is_in(["consensus", "unread"])
        & ~pl.col("period_status").is_in(["explicit", "resolved"])
        & pl.col("period_report_id").is_not_null()
    )
    return lf.join(claim_period, on="claim_id", how="left", maintain_order="left").with_columns(
        pl.when(inferred).then(pl.col("c_start")).otherwise(pl.col("period_start")).alias("period_start"),
        pl.when(inferred).then(pl.col("c_end")).otherwise(pl.col("period_end")).alias("period_end"),
        pl.when(inferred).then(pl.col("c_precision")).otherwise(pl.col("period_precision")).alias("period_precision"),
        pl.when(inferred).then(pl.lit("inferred")).otherwise(pl.col("period_status")).alias("period_status"),
        pl.when(inferred).then(pl.col("period_report_id")).alias("period_evidence"),
    )


def _counted(n: pl.Expr, noun: str) -> pl.Expr:
    """'1 independent voice', '3 independent voices'."""
    return pl.format("{} {}", n, pl.when(n == 1).then(pl.lit(noun)).otherwise(pl.lit(noun + "s")))


def _value_note() -> pl.Expr:
    """One sentence a reader can check: who agrees, on what, what was chosen and what was left out."""
    interval = (
        pl.when(pl.col("consensus_low") == pl.col("consensus_high"))
        .then(commas(pl.col("consensus_low")))
        .otherwise(pl.format("{} to {}", commas(pl.col("consensus_low")), commas(pl.col("consensus_high"))))
    )
    agree = (
        pl.when(pl.col("n_readable") == 1)
        .then(pl.format("The one readable report gives {}", interval))
        .otherwise(
            pl.format(
                "{} of {} readable reports agree ({}, {}), on {}",
                pl.col("n_consensus"),
                pl.col("n_readable"),
                _counted(pl.col("n_voices"), "independent voice"),
                _counted(pl.col("n_readings"), "distinct reading"),
                interval,
            )
        )
    )
    chosen = pl.format(
        '; the value is "{}" ({}, {}, printed by {})',
        pl.col("value_text"),
        pl.col("value_rule"),
        _counted(pl.col("value_digits"), "significant digit"),
        _counted(pl.col("n_printing"), "report"),
    )
    left_out = (
        pl.when(pl.col("outlier_report_ids").is_not_null())
        .then(pl.format("; outside the consensus: {} (see discrepancies)", pl.col("outlier_report_ids")))
        .otherwise(pl.lit(""))
    )
    return (
        pl.when(pl.col("n_consensus") == 0)
        .then(pl.lit("No report of this claim could be read as a number."))
        .otherwise(pl.concat_str([agree, chosen, left_out, pl.lit(".")]))
    )


def claims_table(lf: pl.LazyFrame) -> pl.LazyFrame:
    consensus = lf.filter(pl.col("role") == "consensus")
    bounds = consensus.group_by("claim_id").agg(
        pl.col("implied_low").max().alias("consensus_low"),
        pl.col("implied_high").min().alias("consensus_high"),
        pl.col("voice").filter(~pl.col("is_headline")).n_unique().alias("n_voices"),
        pl.col("headline_stands_alone").fill_null(False).all().alias("outlet_only"),
    )
    per_role = lf.group_by("claim_id").agg(
        pl.col("campaign_id").first(),
        pl.col("authority_id").first(),
        pl.col("metric").first(),
        pl.col("unit").first(),
        pl.col("platform_id").first(),
        pl.len().cast(pl.Int64).alias("n_reports"),
        pl.col("role").is_in(["consensus", "outlier"]).sum().cast(pl.Int64).alias("n_readable"),
        (pl.col("role") == "consensus").sum().cast(pl.Int64).alias("n_consensus"),
        pl.col("outlet").filter(pl.col("role") == "consensus").n_unique().cast(pl.Int64).alias("n_outlets"),
        *[_ids(pl.col("role") == role).alias(f"{role}_report_ids") for role in REPORT_ROLES],
        _ids(pl.col("correction_action") == "override").alias("corrected_report_ids"),
    )
    out = (
        per_role.join(bounds, on="claim_id", how="left")
        .join(announcements(consensus), on="claim_id", how="left")
        .join(claim_periods(consensus), on="claim_id", how="left")
        .join(chosen_values(consensus), on="claim_id", how="left")
        .with_columns(
            pl.col("value_rule").fill_null("no readable report"),
            pl.col("n_voices").fill_null(0).cast(pl.Int64),
            pl.col("n_readings").fill_null(0).cast(pl.Int64),
            pl.when(pl.col("outlet_only").fill_null(False))
            .then(pl.lit("outlet_figure"))
            .otherwise(pl.lit("official"))
            .alias("claim_kind"),
        )
    )
    return out.with_columns(_value_note().alias("value_note"))


def claim_reports_table(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    return with_inferred_periods(lf, claims).select(PROCESSED["claim_reports"].column_names)


def claims(reports: pl.LazyFrame, corrections: pl.DataFrame | None) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """(claims, claim_reports, reports with roles) from the processed reports and the corrections.

    The third is what the discrepancies stage reads: every report with its claim, role, readings
    and its reading's support (with_reading_support).
    """
    # Materialised where a frame is read several times: the consensus reads the prepared reports
    # four times over (planning that query unmaterialised took 0.35 s even on one row, against
    # 0.09 s), and both outputs and the discrepancies stage read every report with its role.
    lf = with_reading_support(with_roles(prepared(reports, corrections).collect().lazy())).collect().lazy()
    claimed = claims_table(lf).collect().lazy()
    return claimed, claim_reports_table(lf, claimed), lf
