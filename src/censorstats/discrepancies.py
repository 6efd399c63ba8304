"""Discrepancies: each report that changed the official figure, pinned on that report, with a sentence.

Input: the reports with their claims and roles, and the claims (claims.py). Output: one row per
disagreement, the flagged report first in `report_ids`, then the report it is measured against.

**Outside the consensus** (each such report once):
- loose_bound: literally true of the claim only because it is open-ended, while its printed
  precision says it is another figure ("over 500" beside 34,000: most likely a sub-tally, which
  then needs its own claim_id);
- magnitude: a power of ten or more away from the claim's value (readings.power_of_ten: about
  3.16 times apart or more), likely a misprint or a dropped or added digit;
- conflict: any other report that cannot be true if the consensus is ("almost 187,000" beside
  187,500; "nearly 10 million" beside "over 10 million").

**Inside the consensus, against the official wording** (the claim's value reading, where it is
established: printed in Chinese or by an official source, or by more independent voices than the
report's own wording): a report printing the claim's very number with another qualifier changed
the figure. qualifier_dropped:
it prints exactly what the official wording hedges ("1,100" for 1100余个); qualifier_added: it
hedges what the official wording prints exactly ("over 1.34 billion" for 13.4亿个);
qualifier_changed: it swaps one hedge for another ("around 9,800" for 9800多个). A rounding to
fewer digits ("1.4 million" or "more than 1.4 million" for 141.09万余) is faithful and not flagged.

**period**: reports printing the same number with the same qualifier for periods that start or
end more than a month apart. **headline_body**: a headline that is no rounding of any body figure
for the same metric on the same page, with its likely readings (a power of ten of a body figure,
the sum of the body figures, different periods).
"""

from __future__ import annotations

import math

import polars as pl

from censorstats.readings import commas, power_of_ten, rounds_to

SAME_PERIOD_DAYS = 31
COLUMNS = ["type", "claim_id", "campaign_id", "metric", "report_id", "report_ids", "power_of_ten", "sentence"]


def _quoted(prefix: str = "") -> pl.Expr:
    return pl.format('{} "{}"', pl.col(f"{prefix}outlet"), pl.col(f"{prefix}value_text"))


def _range_text(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    return pl.when(low == high).then(commas(low)).otherwise(pl.format("{} to {}", commas(low), commas(high)))


def _against_value(lf: pl.LazyFrame, claims: pl.LazyFrame, role: str) -> pl.LazyFrame:
    """Reports in `role` beside their claim's value and the best report printing it."""
    best = lf.select(
        pl.col("report_id").alias("best_report_id"),
        pl.col("outlet").alias("b_outlet"),
        pl.col("read_as").alias("b_value_text"),
        pl.col("reading_voices").alias("b_voices"),
        (pl.col("reading_in_chinese") | pl.col("reading_authoritative")).alias("b_original"),
    )
    c = claims.select("claim_id", "value", "value_qualifier", "consensus_low", "consensus_high", "best_report_id").join(
        best, on="best_report_id", how="left"
    )
    return (
        lf.filter(pl.col("role") == role)
        .join(c, on="claim_id", how="left")
        .with_columns(pl.concat_str([pl.col("report_id"), pl.col("best_report_id")], separator=" ").alias("report_ids"))
    )


def outlier_discrepancies(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    out = _against_value(lf, claims, "outlier")
    k = power_of_ten(pl.col("printed_number").cast(pl.Float64) / pl.col("value").cast(pl.Float64))
    out = out.with_columns(
        pl.when((pl.col("value") > 0) & (pl.col("printed_number") > 0)).then(k).alias("power_of_ten")
    )
    literally_true = (pl.col("value_low").fill_null(0) <= pl.col("consensus_low")) & (
        pl.col("value_high").is_null() | (pl.col("value_high") >= pl.col("consensus_high"))
    )
    loose = literally_true & pl.col("qualifier").is_in(["at_least", "at_most"])
    magnitude = ~loose & (pl.col("power_of_ten").abs() >= 1)
    times = pl.lit(10, pl.Int64).pow(pl.col("power_of_ten").abs())
    direction = pl.when(pl.col("power_of_ten") > 0).then(pl.lit("more")).otherwise(pl.lit("less"))
    reference = pl.format('{} "{}"', pl.col("b_outlet"), pl.col("b_value_text"))
    consensus = _range_text(pl.col("consensus_low"), pl.col("consensus_high"))
    sentence = (
        pl.when(loose)
        .then(
            pl.format(
                "{} is true of the claim ({}, {}) only because it is open-ended; "
                "its printed precision says it is another "
                "figure (a sub-tally or an earlier count): if so, give it its own claim_id.",
                _quoted(),
                consensus,
                reference,
            )
        )
        .when(magnitude)
        .then(
            pl.format(
                "{} reads {}, about {} times {} than the claim's {} ({}): "
                "likely a misprint or a dropped or added digit.",
                _quoted(),
                commas(pl.col("printed_number")),
                commas(times),
                direction,
                commas(pl.col("value")),
                reference,
            )
        )
        .otherwise(
            pl.format(
                "{} cannot be true if the consensus of the other reports ({}) is: {}.", _quoted(), consensus, reference
            )
        )
    )
    kind = (
        pl.when(loose)
        .then(pl.lit("loose_bound"))
        .when(magnitude)
        .then(pl.lit("magnitude"))
        .otherwise(pl.lit("conflict"))
    )
    return out.with_columns(
        kind.alias("type"),
        sentence.alias("sentence"),
        pl.when(magnitude).then(pl.col("power_of_ten")).alias("power_of_ten"),
    )


def qualifier_discrepancies(lf: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    """Consensus reports that print the claim's number with another qualifier than its official wording.

    Only where that wording is established: printed in Chinese or by an official source, or by more
    independent voices than the report's own wording. Two hedges printed equally often ("nearly
    8,000", "about 8,000") leave no way to tell which one changed the figure.
    """
    out = (
        _against_value(lf, claims, "consensus")
        .filter(
            (pl.col("printed_number") == pl.col("value"))
            & (pl.col("qualifier") != pl.col("value_qualifier"))
            & (pl.col("qualifier") != "range")
            & (pl.col("value_qualifier") != "range")
        )
        .filter(pl.col("b_original") | (pl.col("b_voices") > pl.col("reading_voices")))
    )
    q, ref = pl.col("qualifier"), pl.col("value_qualifier")
    kind = (
        pl.when(q == "exact")
        .then(pl.lit("qualifier_dropped"))
        .when(ref == "exact")
        .then(pl.lit("qualifier_added"))
        .otherwise(pl.lit("qualifier_changed"))
    )
    reference = pl.format('the official wording, {} "{}"', pl.col("b_outlet"), pl.col("b_value_text"))
    sentence = (
        pl.when(q == "exact")
        .then(pl.format("{} prints exactly what {} qualifies.", _quoted(), reference))
        .when(ref == "exact")
        .then(pl.format("{} hedges what {} prints exactly.", _quoted(), reference))
        .otherwise(pl.format("{} qualifies the figure otherwise than {}.", _quoted(), reference))
    )
    return out.with_columns(
        kind.alias("type"), sentence.alias("sentence"), pl.lit(None, pl.Int64).alias("power_of_ten")
    )


def period_discrepancies(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Reports of one reading whose periods are more than a month apart from the best-ranked report of it."""
    dated = lf.filter(
        pl.col("role").is_in(["consensus", "outlier"]) & pl.col("period_status").is_in(["resolved", "explicit"])
    )
    refs = (
        dated.sort(["claim_id", "reading", "source_rank", pl.col("published").fill_null("9999"), "report_id"])
        .group_by("claim_id", "reading", maintain_order=True)
        .first()
        .select(
            "claim_id",
            "reading",
            pl.col("report_id").alias("r_report_id"),
            pl.col("outlet").alias("r_outlet"),
            pl.col("value_text").alias("r_value_text"),
            pl.col("period_start").alias("r_start"),
            pl.col("period_end").alias("r_end"),
            pl.col("period_text").alias("r_period_text"),
        )
    )
    pairs = dated.join(refs, on=["claim_id", "reading"]).filter(pl.col("report_id") != pl.col("r_report_id"))
    apart = ((pl.col("period_start") - pl.col("r_start")).dt.total_days().abs() > SAME_PERIOD_DAYS) | (
        (pl.col("period_end") - pl.col("r_end")).dt.total_days().abs() > SAME_PERIOD_DAYS
    )
    sentence = pl.format(
        '{} gives the same figure for {} to {} ("{}") as {} for {} to {} ("{}").',
        _quoted(),
        pl.col("period_start"),
        pl.col("period_end"),
        pl.col("period_text").fill_null(""),
        _quoted("r_"),
        pl.col("r_start"),
        pl.col("r_end"),
        pl.col("r_period_text").fill_null(""),
    )
    return pairs.filter(apart).with_columns(
        pl.lit("period").alias("type"),
        sentence.alias("sentence"),
        pl.lit(None, pl.Int64).alias("power_of_ten"),
        pl.concat_str([pl.col("report_id"), pl.col("r_report_id")], separator=" ").alias("report_ids"),
    )


def _explain_headline(head: dict, body: list[dict]) -> list[str]:
    """Likely readings of a headline number that is no rounding of any body number."""
    n = head["printed_number"]
    found = []
    for b in body:
        for k in (1, 2, 3, -1, -2, -3):
            scaled = b["printed_number"] * 10**k if k > 0 else b["printed_number"] // 10**-k
            if b["printed_number"] and rounds_to(n, scaled) and (k > 0 or b["printed_number"] % 10**-k == 0):
                factor = f"{10**k:,} ×" if k > 0 else f"1/{10**-k:,} of"
                body_figure = f'{b["printed_number"]:,} ("{b["value_text"]}")'
                found.append(f"{n:,} is {factor} the body's {body_figure}: a slipped digit or separator")
    if len(body) >= 2:
        low = sum(b["value_low"] or 0 for b in body)
        bounded = all(b["value_high"] is not None for b in body)
        high = sum(b["value_high"] for b in body) if bounded else None
        total = f"{low:,}" if high == low else f"{low:,} to {high:,}" if bounded else f"at least {low:,}"
        fits = head["implied_low"] <= (high if bounded else math.inf) and low <= head["implied_high"]
        periods = sorted({b["period_text"] or "period not stated" for b in body})
        found.append(
            f"the body figures add up to {total}, which {'fits' if fits else 'does not fit'} the headline"
            + (f", but over different periods ({'; '.join(periods)})" if len(periods) > 1 else "")
        )
    return found


def headline_discrepancies(lf: pl.DataFrame) -> pl.DataFrame:
    """Headline figures that are not a rounding of any body figure of the same page and metric."""
    readable = lf.filter(pl.col("printed_number").is_not_null() & (pl.col("role") != "excluded"))
    heads = readable.filter(pl.col("headline_stands_alone").fill_null(False))
    rows = []
    for head in heads.sort("report_id").iter_rows(named=True):
        body = (
            readable.filter(
                (pl.col("source_id") == head["source_id"])
                & (pl.col("metric") == head["metric"])
                & ~pl.col("is_headline")
            )
            .sort("report_id")
            .to_dicts()
        )
        listed = ", ".join(
            f'"{b["value_text"]}"' + (f" ({b['period_text']})" if b["period_text"] else "") for b in body
        )
        period = f" ({head['period_text']})" if head["period_text"] else ""
        sentence = (
            f'{head["outlet"]} headline "{head["value_text"]}"{period} is no rounding of the body\'s {head["metric"]} '
            f"figures: {listed}."
        )
        explanations = _explain_headline(head, body)
        if explanations:
            sentence += " Possible readings: " + "; ".join(explanations) + "."
        rows.append(
            {
                "type": "headline_body",
                "claim_id": head["claim_id"],
                "campaign_id": head["campaign_id"],
                "metric": head["metric"],
                "report_id": head["report_id"],
                "report_ids": " ".join([head["report_id"], *(b["report_id"] for b in body)]),
                "power_of_ten": None,
                "sentence": sentence,
            }
        )
    schema = {c: pl.String for c in COLUMNS} | {"power_of_ten": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def discrepancies(reports: pl.LazyFrame, claims: pl.LazyFrame) -> pl.LazyFrame:
    """Every discrepancy from the reports with their roles (claims.claims' third output) and the claims."""
    found = pl.concat(
        [
            outlier_discrepancies(reports, claims).select(COLUMNS),
            qualifier_discrepancies(reports, claims).select(COLUMNS),
            period_discrepancies(reports).select(COLUMNS),
            headline_discrepancies(reports.collect()).lazy().select(COLUMNS),
        ]
    )
    return (
        found.with_columns(
            pl.concat_str([pl.col("type"), pl.col("report_ids").str.replace_all(" ", ":")], separator=":").alias(
                "discrepancy_id"
            ),
        )
        .drop("report_id")
        .unique(subset="discrepancy_id", keep="first", maintain_order=True)
        .sort("discrepancy_id")
    )
