"""Reconciling the reports of one official figure into a claim, and finding what disagrees.

Input: the processed reports table and the analyst's corrections. Output: claims (one number per
official figure, with the rule that chose it and every report behind it), claim_reports (the role
each report played) and discrepancies (each with the reports involved and a sentence).

**Claims.** Reports relay the same official figure when they share campaign, metric and platform,
unless an analyst gave a claim_id in reports.csv (to split a campaign's sub-figures apart or to
join reports by hand). Periods do not split claims: outlets resolve "since October" against
their own dates; reports of one claim that disagree about the period are flagged instead.

**Rounding, the rule that tells a rounding from a misprint.** Outlets round: "10,000" for 9,800,
"67,000" or "66,000" for 6.66万余. A printed number N whose last non-zero digit is in the place u
(u = 100 for 9,800, 10,000 for 10,000) is taken to stand for a true value rounded to nearest or
cut down to that digit: anything from N - u/2 up to just below N + u. Qualifiers then bound one
side ("more than N": from N - u/2 up; "nearly N": up to N + u), "about N" allows N - u to N + u,
and a range its two ends so widened. Two reports agree when these tolerant intervals overlap.
So 10,000 and "nearly 10,000" agree with 9,800, and 66,000, 67,000 and "more than 66,600" agree
with each other, while 30,000 and "more than 308,000", or "nearly 430,000" and "more than
443,500", do not. The same number printed with opposite qualifiers ("nearly N", "over N") is
taken literally: those two cannot both be true.

**Consensus.** The largest set of a claim's readable reports that all agree (the point covered by
the most tolerant intervals; ties go to the point more two-sided figures cover, then to the
better sources); its intersection is the consensus interval. The claim's value is the most
precise exact figure printed inside the consensus, else the most precise hedged one, else the
consensus' lower bound; `value_rule` says which. The best report is the consensus report from the
best kind of source (official, company, wire, press, blog, aggregator, mirror, estimate), exact
before hedged, more significant digits first.

**Discrepancies.** magnitude: a report outside the consensus whose number is a power of ten or
more away from the claim's value (ratio rounded in log10 at least 1: likely a misprint or a
dropped digit); conflict: any other report outside the consensus, or the same number with
opposite qualifiers; qualifier_added / qualifier_dropped: among reports printing the same number,
one that hedges a figure the reference prints exactly, or prints exactly what the reference
hedges (the reference is what official sources say, else what most reports say); period: the
same figure given for periods that start more than a month apart; loose_bound: a report in the
consensus only because it is open-ended, its bound more than twice away from the claim's value
("over 500" beside 34,000: true, but most likely a different, smaller figure such as a sub-tally,
which then needs its own claim_id); headline_body: a headline
figure that is not a rounding of any body figure for the same metric on the same page, with the
likely explanations (a power of ten of a body figure, the sum of the body figures, different
periods).

**Corrections** (data/raw/corrections.csv) are applied first: `exclude` leaves a report out of its
claim, `override` reads it as the correction's value_text. Both are listed in the outputs.
"""

from __future__ import annotations

import math

import polars as pl

from censorstats.parse.numbers import read_figures
from censorstats.schemas import published_bounds

SOURCE_RANK = {"official": 0, "company": 1, "wire": 2, "press": 3, "blog": 4, "aggregator": 5, "mirror": 6, "estimate": 7}
AUTHORITATIVE = ("official", "company")
SAME_PERIOD_DAYS = 31
LOOSE_BOUND_FACTOR = 2  # an open bound this many times off the claim's value is flagged as loose_bound
TWO_SIDED = ("exact", "approx", "range")


def source_rank() -> pl.Expr:
    """The rank of each row's source_type in SOURCE_RANK; a type not listed ranks after every listed one."""
    return pl.col("source_type").replace_strict(SOURCE_RANK, default=len(SOURCE_RANK), return_dtype=pl.Int64)


def _ids(where: pl.Expr) -> pl.Expr:
    """The ids of a group's reports that satisfy `where`, sorted, space-separated."""
    return pl.col("report_id").filter(where).sort().str.join(" ")


# ---------------------------------------------------------------------------------------------
# Reports as the reconciler sees them
# ---------------------------------------------------------------------------------------------


def with_corrections(reports: pl.LazyFrame, corrections: pl.DataFrame | None) -> pl.LazyFrame:
    """Apply the analyst's decisions: overrides are re-read by the same parser, exclusions marked."""
    if corrections is None or corrections.height == 0:
        corrections = pl.DataFrame(schema={"report_id": pl.String, "action": pl.String, "value_text": pl.String, "reason": pl.String})
    fixes = corrections.lazy().select(
        "report_id", pl.col("action").alias("correction_action"),
        pl.col("value_text").alias("corrected_text") if "value_text" in corrections.columns else pl.lit(None, pl.String).alias("corrected_text"),
        pl.col("reason").alias("correction_reason"),
    )
    fixes = read_figures(fixes, "corrected_text", prefix="c_")
    lf = reports.join(fixes, on="report_id", how="left", maintain_order="left")
    override = pl.col("correction_action") == "override"
    return lf.with_columns(
        pl.when(override).then(pl.col("corrected_text")).otherwise(pl.col("value_text")).alias("read_as"),
        *[pl.when(override).then(pl.col(f"c_{c}")).otherwise(pl.col(o)).alias(o)
          for c, o in (("low", "value_low"), ("high", "value_high"), ("qualifier", "qualifier"), ("status", "parse_status"))],
    ).drop(pl.selectors.starts_with("c_"), "corrected_text")


def _trailing_zeros(n: pl.Expr) -> pl.Expr:
    text = n.cast(pl.String)
    return (text.str.len_chars() - text.str.strip_chars_end("0").str.len_chars()).clip(upper_bound=18)


def with_tolerance(lf: pl.LazyFrame) -> pl.LazyFrame:
    """printed_number, its significant digits, and the tolerant interval (see the module doc)."""
    q = pl.col("qualifier")
    number = pl.when(q == "at_most").then(pl.col("value_high")).otherwise(pl.col("value_low"))
    lf = lf.with_columns(number.alias("printed_number"))
    n, top = pl.col("printed_number"), pl.col("value_high")
    place = pl.lit(10, pl.Int64).pow(_trailing_zeros(n).cast(pl.Int64))
    top_place = pl.lit(10, pl.Int64).pow(_trailing_zeros(top).cast(pl.Int64))
    lf = lf.with_columns(
        pl.when(n == 0).then(1).otherwise(place).alias("_u"),
        pl.when(top == 0).then(1).otherwise(top_place).alias("_u_top"),
        n.cast(pl.String).str.strip_chars_end("0").str.len_chars().cast(pl.Int64).alias("significant_digits"),
    )
    u, half = pl.col("_u"), pl.col("_u") // 2
    low = (
        pl.when(q == "approx").then(n - u)
        .when(q == "at_most").then(pl.lit(0, pl.Int64))
        .otherwise(n - half)
    ).clip(lower_bound=0)
    high = (
        pl.when(q == "approx").then(n + u)
        .when(q == "at_least").then(None)
        .when(q == "range").then(top + pl.col("_u_top") - 1)
        .otherwise(n + u - 1)
    )
    return lf.with_columns(low.alias("tolerant_low"), high.alias("tolerant_high")).drop("_u", "_u_top")


def _claim_key(lf: pl.LazyFrame) -> pl.LazyFrame:
    default = pl.concat_str([pl.col("campaign_id"), pl.col("metric"), pl.col("platform_id")], separator="/", ignore_nulls=True)
    return lf.with_columns(pl.coalesce(pl.col("claim_id"), default).alias("claim_id"))


def prepared(reports: pl.LazyFrame, corrections: pl.DataFrame | None) -> pl.LazyFrame:
    lf = _claim_key(with_tolerance(with_corrections(reports, corrections)))
    role = (
        pl.when(pl.col("correction_action") == "exclude").then(pl.lit("excluded"))
        .when(pl.col("parse_status") != "ok").then(pl.lit("unread"))
    )
    return lf.with_columns(
        role.alias("role"),
        source_rank().alias("source_rank"),
    )


# ---------------------------------------------------------------------------------------------
# Consensus
# ---------------------------------------------------------------------------------------------


def _covers(point: pl.Expr) -> pl.Expr:
    return (pl.col("tolerant_low") <= point) & (pl.col("tolerant_high").is_null() | (point <= pl.col("tolerant_high")))


def with_roles(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Mark each readable report consensus or outlier: the consensus is the point most reports allow."""
    readable = lf.filter(pl.col("role").is_null()).select(
        "claim_id", "report_id", "tolerant_low", "tolerant_high", "qualifier", "source_rank"
    )
    points = readable.select("claim_id", pl.col("tolerant_low").alias("point")).unique()
    scored = (
        points.join(readable, on="claim_id")
        .filter(_covers(pl.col("point")))
        .group_by("claim_id", "point")
        .agg(
            pl.len().alias("n"),
            pl.col("qualifier").is_in(TWO_SIDED).sum().alias("two_sided"),
            pl.col("source_rank").sort().head(3).sum().alias("rank"),
        )
        .sort(["claim_id", "n", "two_sided", "rank", "point"], descending=[False, True, True, False, False])
        .group_by("claim_id", maintain_order=True)
        .first()
        .select("claim_id", "point")
    )
    lf = lf.join(scored, on="claim_id", how="left", maintain_order="left")
    role = pl.when(pl.col("role").is_not_null()).then(pl.col("role")).when(_covers(pl.col("point"))).then(pl.lit("consensus")).otherwise(pl.lit("outlier"))
    return lf.with_columns(role.alias("role")).drop("point")


def _best_first() -> list[pl.Expr]:
    return [pl.col("source_rank"), pl.col("qualifier") != "exact", -pl.col("significant_digits"), pl.col("published").fill_null("9999"), pl.col("report_id")]


def claims_table(lf: pl.LazyFrame) -> pl.LazyFrame:
    consensus = lf.filter(pl.col("role") == "consensus")
    bounds = consensus.group_by("claim_id").agg(
        pl.col("tolerant_low").max().alias("consensus_low"),
        pl.when(pl.col("tolerant_high").is_null().all()).then(None).otherwise(pl.col("tolerant_high").min()).alias("consensus_high"),
    )
    inside = (
        consensus.join(bounds, on="claim_id")
        .filter((pl.col("printed_number") >= pl.col("consensus_low"))
                & (pl.col("consensus_high").is_null() | (pl.col("printed_number") <= pl.col("consensus_high"))))
        .sort(["claim_id", pl.col("qualifier") != "exact", -pl.col("significant_digits"), *_best_first()])
        .group_by("claim_id", maintain_order=True)
        .first()
        .select("claim_id", pl.col("printed_number").alias("chosen"), pl.col("read_as").alias("chosen_text"),
                pl.col("qualifier").alias("chosen_qualifier"))
    )
    best = (
        consensus.sort(["claim_id", *_best_first()], nulls_last=True)
        .group_by("claim_id", maintain_order=True)
        .first()
        .select("claim_id", pl.col("report_id").alias("best_report_id"), pl.col("outlet").alias("best_outlet"),
                pl.col("url").alias("best_url"), "period_start", "period_end")
    )
    _, published_last = published_bounds(pl.col("published"))
    public_by = pl.coalesce(pl.col("period_end"), published_last).filter(pl.col("role") == "consensus").min()
    per_role = lf.group_by("claim_id").agg(
        pl.col("campaign_id").first(), pl.col("authority_id").first(), pl.col("metric").first(), pl.col("unit").first(),
        pl.col("platform_id").first(), public_by.alias("announced_by"),
        pl.len().cast(pl.Int64).alias("n_reports"),
        (pl.col("role") == "consensus").sum().cast(pl.Int64).alias("n_consensus"),
        pl.col("outlet").filter(pl.col("role") == "consensus").n_unique().cast(pl.Int64).alias("n_outlets"),
        *[_ids(pl.col("role") == role).alias(f"{role}_report_ids") for role in ("consensus", "outlier", "excluded", "unread")],
        _ids(pl.col("correction_action") == "override").alias("corrected_report_ids"),
    )
    out = per_role.join(bounds, on="claim_id", how="left").join(inside, on="claim_id", how="left").join(best, on="claim_id", how="left")
    rule = (
        pl.when(pl.col("n_consensus") == 0).then(pl.lit("no readable report"))
        .when(pl.col("chosen_qualifier") == "exact").then(pl.lit("most precise exact figure in the consensus"))
        .when(pl.col("chosen").is_not_null()).then(pl.lit("most precise hedged figure in the consensus (no exact one)"))
        .otherwise(pl.lit("lower bound of the consensus"))
    )
    empty_to_null = [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                     for c in ("outlier_report_ids", "excluded_report_ids", "unread_report_ids", "corrected_report_ids")]
    return out.with_columns(
        pl.coalesce(pl.col("chosen"), pl.col("consensus_low")).alias("value"),
        rule.alias("value_rule"),
        pl.col("chosen_text").alias("value_text"),
        *empty_to_null,
    ).drop("chosen", "chosen_text", "chosen_qualifier")


def claim_reports_table(lf: pl.LazyFrame) -> pl.LazyFrame:
    return lf.select("report_id", "claim_id", "role", "value_text", "read_as", "printed_number", "tolerant_low", "tolerant_high", "correction_reason")


# ---------------------------------------------------------------------------------------------
# Discrepancies
# ---------------------------------------------------------------------------------------------

DISCREPANCY_COLUMNS = ["discrepancy_id", "type", "claim_id", "campaign_id", "metric", "report_ids", "power_of_ten", "sentence"]


def _commas(n: pl.Expr) -> pl.Expr:
    """12345678 -> "12,345,678"."""
    return n.cast(pl.String).str.reverse().str.replace_all(r"([0-9]{3})", "$1,").str.strip_chars_end(",").str.reverse()


def _quoted(prefix: str = "") -> pl.Expr:
    return pl.format('{} "{}"', pl.col(f"{prefix}outlet"), pl.col(f"{prefix}value_text"))


def _against_best(lf: pl.LazyFrame, claims: pl.LazyFrame, role: str) -> pl.LazyFrame:
    """Reports in `role` beside their claim's value and best report."""
    best = lf.select(pl.col("report_id").alias("best_report_id"), pl.col("outlet").alias("b_outlet"), pl.col("value_text").alias("b_value_text"))
    c = claims.select("claim_id", "value", "consensus_low", "consensus_high", "best_report_id").join(best, on="best_report_id", how="left")
    return lf.filter(pl.col("role") == role).join(c, on="claim_id", how="left")


def _range_text(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    return pl.when(high.is_null()).then(pl.format("at least {}", _commas(low))).otherwise(pl.format("{} to {}", _commas(low), _commas(high)))


def outlier_discrepancies(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    out = _against_best(lf, claims, "outlier")
    k = (pl.col("printed_number").cast(pl.Float64) / pl.col("value").cast(pl.Float64)).log10().round(0).cast(pl.Int64)
    out = out.with_columns(pl.when(pl.col("value") > 0).then(k).alias("power_of_ten"))
    magnitude = pl.col("power_of_ten").abs() >= 1
    times = pl.lit(10, pl.Int64).pow(pl.col("power_of_ten").abs())
    direction = pl.when(pl.col("power_of_ten") > 0).then(pl.lit("more")).otherwise(pl.lit("less"))
    sentence = (
        pl.when(magnitude).then(pl.format(
            '{} reads {}, about {} times {} than the claim\'s {} ({} "{}"): likely a misprint or a dropped or added digit.',
            _quoted(), _commas(pl.col("printed_number")), _commas(times), direction, _commas(pl.col("value")), pl.col("b_outlet"), pl.col("b_value_text")))
        .otherwise(pl.format(
            '{} cannot be true if the consensus of the other reports ({}) is: {} prints "{}".',
            _quoted(), _range_text(pl.col("consensus_low"), pl.col("consensus_high")), pl.col("b_outlet"), pl.col("b_value_text")))
    )
    kind = pl.when(magnitude).then(pl.lit("magnitude")).otherwise(pl.lit("conflict"))
    return out.with_columns(kind.alias("type"), sentence.alias("sentence"),
                            pl.concat_str([pl.col("report_id"), pl.col("best_report_id")], separator=" ").alias("report_ids"),
                            pl.when(magnitude).then(pl.col("power_of_ten")).alias("power_of_ten"))


def loose_bound_discrepancies(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    """Open-ended reports that agree with their claim only because they are open ("over 500" beside 34,000)."""
    out = _against_best(lf, claims, "consensus").filter(pl.col("report_id") != pl.col("best_report_id"))
    n, value = pl.col("printed_number"), pl.col("value")
    below = (pl.col("qualifier") == "at_least") & (n * LOOSE_BOUND_FACTOR < value)
    above = (pl.col("qualifier") == "at_most") & (n > value * LOOSE_BOUND_FACTOR)
    sentence = pl.format(
        '{} is true of the claim\'s {} ({} "{}") only because it is open-ended: most likely a different figure '
        '(a sub-tally or an earlier count); if so, give it its own claim_id.',
        _quoted(), _commas(value), pl.col("b_outlet"), pl.col("b_value_text"))
    return out.filter(below | above).with_columns(
        pl.lit("loose_bound").alias("type"), sentence.alias("sentence"),
        pl.concat_str([pl.col("report_id"), pl.col("best_report_id")], separator=" ").alias("report_ids"),
        pl.lit(None, pl.Int64).alias("power_of_ten"),
    )


def _same_number_references(lf: pl.LazyFrame) -> pl.LazyFrame:
    """For each claim and printed number, the reference report: authoritative sources, then the majority qualifier."""
    readable = lf.filter(pl.col("role").is_in(["consensus", "outlier"]) & (pl.col("qualifier") != "range"))
    counts = readable.group_by("claim_id", "printed_number", "qualifier").agg(pl.len().cast(pl.Int64).alias("votes"))
    ranked = readable.join(counts, on=["claim_id", "printed_number", "qualifier"]).sort(
        ["claim_id", "printed_number", ~pl.col("source_type").is_in(AUTHORITATIVE), -pl.col("votes"), *_best_first()], nulls_last=True)
    refs = ranked.group_by("claim_id", "printed_number", maintain_order=True).first().select(
        "claim_id", "printed_number", pl.col("report_id").alias("r_report_id"), pl.col("qualifier").alias("r_qualifier"),
        pl.col("outlet").alias("r_outlet"), pl.col("value_text").alias("r_value_text"),
        pl.col("period_start").alias("r_period_start"), pl.col("period_end").alias("r_period_end"),
        pl.col("period_text").alias("r_period_text"), pl.col("period_status").alias("r_period_status"),
    )
    return readable.join(refs, on=["claim_id", "printed_number"]).filter(pl.col("report_id") != pl.col("r_report_id"))


def same_number_discrepancies(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Qualifiers added, dropped or reversed, and periods that differ, among reports printing one number."""
    pairs = _same_number_references(lf)
    q, rq = pl.col("qualifier"), pl.col("r_qualifier")
    opposite = ((q == "at_least") & (rq == "at_most")) | ((q == "at_most") & (rq == "at_least"))
    added = (rq == "exact") & q.is_in(["at_least", "at_most", "approx"])
    dropped = rq.is_in(["at_least", "at_most", "approx"]) & (q == "exact")
    dated = pl.col("period_status").is_in(["resolved", "explicit"]) & pl.col("r_period_status").is_in(["resolved", "explicit"])
    apart = dated & (q == rq) & (
        ((pl.col("period_start") - pl.col("r_period_start")).dt.total_days().abs() > SAME_PERIOD_DAYS)
        | ((pl.col("period_end") - pl.col("r_period_end")).dt.total_days().abs() > SAME_PERIOD_DAYS)
    )
    kind = (
        pl.when(opposite).then(pl.lit("conflict"))
        .when(added).then(pl.lit("qualifier_added"))
        .when(dropped).then(pl.lit("qualifier_dropped"))
        .when(apart).then(pl.lit("period"))
    )
    reference = pl.format('{} "{}"', pl.col("r_outlet"), pl.col("r_value_text"))
    sentence = (
        pl.when(opposite).then(pl.format("{} and {} cannot both be true.", _quoted(), reference))
        .when(added).then(pl.format("{} hedges a figure that {} prints exactly.", _quoted(), reference))
        .when(dropped).then(pl.format("{} prints exactly what {} qualifies.", _quoted(), reference))
        .when(apart).then(pl.format('{} gives the same figure for {} to {} ("{}") as {} for {} to {} ("{}").', _quoted(),
                                     pl.col("period_start"), pl.col("period_end"), pl.col("period_text").fill_null(""),
                                     reference, pl.col("r_period_start"), pl.col("r_period_end"), pl.col("r_period_text").fill_null("")))
    )
    return pairs.with_columns(kind.alias("type"), sentence.alias("sentence"),
                              pl.concat_str([pl.col("report_id"), pl.col("r_report_id")], separator=" ").alias("report_ids"),
                              pl.lit(None, pl.Int64).alias("power_of_ten")).filter(pl.col("type").is_not_null())


def _rounds_to(printed: int, true: int) -> bool:
    u = 10 ** (len(str(printed)) - len(str(printed).rstrip("0"))) if printed else 1
    return printed - u // 2 <= true < printed + u


def _explain_headline(head: dict, body: list[dict]) -> list[str]:
    """Likely readings of a headline number that is no rounding of any body number."""
    n = head["printed_number"]
    found = []
    for b in body:
        for k in (1, 2, 3, -1, -2, -3):
            scaled = b["printed_number"] * 10**k if k > 0 else b["printed_number"] // 10**-k
            if b["printed_number"] and _rounds_to(n, scaled) and (k > 0 or b["printed_number"] % 10**-k == 0):
                factor = f"{10**k:,} ×" if k > 0 else f"1/{10**-k:,} of"
                found.append(f'{n:,} is {factor} the body\'s {b["printed_number"]:,} ("{b["value_text"]}"): a slipped digit or separator')
    if len(body) >= 2:
        low = sum(b["value_low"] or 0 for b in body)
        bounded = all(b["value_high"] is not None for b in body)
        high = sum(b["value_high"] for b in body) if bounded else None
        total = f"{low:,}" if high == low else f"{low:,} to {high:,}" if bounded else f"at least {low:,}"
        fits = head["tolerant_low"] <= (high if bounded else math.inf) and (head["tolerant_high"] is None or low <= head["tolerant_high"])
        periods = sorted({b["period_text"] or "period not stated" for b in body})
        found.append(f"the body figures add up to {total}, which {'fits' if fits else 'does not fit'} the headline"
                     + (f", but over different periods ({'; '.join(periods)})" if len(periods) > 1 else ""))
    return found


def headline_discrepancies(lf: pl.DataFrame) -> pl.DataFrame:
    """Headline figures that are not a rounding of any body figure of the same page and metric."""
    readable = lf.filter(pl.col("printed_number").is_not_null() & (pl.col("role") != "excluded"))
    heads = readable.filter(pl.col("placement") == "headline")
    rows = []
    for head in heads.sort("report_id").iter_rows(named=True):
        body = readable.filter((pl.col("source_id") == head["source_id"]) & (pl.col("metric") == head["metric"])
                               & (pl.col("placement").fill_null("body") != "headline")).sort("report_id").to_dicts()
        if not body or any(_rounds_to(head["printed_number"], b["printed_number"]) for b in body):
            continue
        listed = ", ".join(f'"{b["value_text"]}"' + (f' ({b["period_text"]})' if b["period_text"] else "") for b in body)
        period = f' ({head["period_text"]})' if head["period_text"] else ""
        sentence = (f'{head["outlet"]} headline "{head["value_text"]}"{period} is no rounding of the body\'s {head["metric"]} '
                    f"figures: {listed}.")
        explanations = _explain_headline(head, body)
        if explanations:
            sentence += " Possible readings: " + "; ".join(explanations) + "."
        rows.append({"type": "headline_body", "claim_id": head["claim_id"], "campaign_id": head["campaign_id"], "metric": head["metric"],
                     "report_id": head["report_id"], "report_ids": " ".join([head["report_id"], *(b["report_id"] for b in body)]),
                     "power_of_ten": None, "sentence": sentence})
    schema = {"type": pl.String, "claim_id": pl.String, "campaign_id": pl.String, "metric": pl.String, "report_id": pl.String,
              "report_ids": pl.String, "power_of_ten": pl.Int64, "sentence": pl.String}
    return pl.DataFrame(rows, schema=schema)


def discrepancies_table(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    columns = ["type", "claim_id", "campaign_id", "metric", "report_id", "report_ids", "power_of_ten", "sentence"]
    found = pl.concat([
        outlier_discrepancies(lf, claims).select(columns),
        loose_bound_discrepancies(lf, claims).select(columns),
        same_number_discrepancies(lf).select(columns),
        headline_discrepancies(lf.collect()).lazy().select(columns),
    ])
    # A report outside the consensus is reported once, as magnitude or conflict.
    found = found.unique(subset=["type", "report_ids"], keep="first", maintain_order=True)
    return found.with_columns(
        pl.concat_str([pl.col("type"), pl.col("report_ids").str.replace_all(" ", ":")], separator=":").alias("discrepancy_id"),
    ).select(DISCREPANCY_COLUMNS).unique(subset="discrepancy_id", keep="first", maintain_order=True).sort("discrepancy_id")


def reconcile(reports: pl.LazyFrame, corrections: pl.DataFrame | None) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """(claims, claim_reports, discrepancies) from the processed reports and the corrections."""
    # Materialised once: all three outputs, and the headline check, read every report.
    lf = with_roles(prepared(reports, corrections)).collect().lazy()
    claims = claims_table(lf).collect().lazy()
    return claims, claim_reports_table(lf), discrepancies_table(lf, claims)
