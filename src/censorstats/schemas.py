"""The tables of censorstats: columns, types, checks and descriptions, in one place.

Every raw table (data/raw/*.csv) and every processed table (data/processed/) has a Pandera
model here. The CSV reader takes its header rules from these models, `censorstats validate`
checks against them, and docs/codebook.md is generated from them: nothing is written twice.

Raw tables are read as text (a spreadsheet's cells), so raw models check text; processed
models check the typed values the pipeline derives. A field's `metadata` may name the table
and column it refers to (`references`), which `validate` checks across tables.
"""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
METRIC_SLUG = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
LANGUAGE = r"^[a-z]{2}$"
URL = r"^https?://[^\s]+$"
SOURCE_TYPES = ["official", "wire", "press", "company", "aggregator", "mirror", "blog", "estimate"]
MEASURES = ["mau", "dau"]
PLACEMENTS = ["headline", "body"]
QUALIFIERS = ["exact", "at_least", "at_most", "approx", "range"]
PARSE_STATUSES = ["ok", "unparsed"]
PRECISIONS = ["day", "month", "quarter", "year"]
PERIOD_STATUSES = ["explicit", "resolved", "unresolved", "none"]
PERIOD_STATUSES_WITH_INFERRED = [*PERIOD_STATUSES, "inferred"]
CORRECTION_ACTIONS = ["exclude", "override"]
DISCREPANCY_TYPES = ["magnitude", "conflict", "loose_bound", "headline_body", "period", "qualifier_added", "qualifier_dropped",
                     "qualifier_changed"]
REPORT_ROLES = ["consensus", "outlier", "excluded", "unread"]
CLAIM_KINDS = ["official", "outlet_figure"]

DAY_FORMAT = "%Y-%m-%d"


def references(table: str, column: str) -> dict:
    return {"references": (table, column)}


def _is_day(col: str) -> pl.Expr:
    """A real calendar date written YYYY-MM-DD (2019-02-30 is not)."""
    c = pl.col(col)
    return c.is_null() | (c.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & c.str.to_date(DAY_FORMAT, strict=False).is_not_null())


def _is_partial_date(col: str) -> pl.Expr:
    """YYYY-MM-DD, or YYYY-MM / YYYY when only that much is known."""
    c = pl.col(col)
    padded = (
        pl.when(c.str.len_chars() == 4).then(c + "-01-01")
        .when(c.str.len_chars() == 7).then(c + "-01")
        .otherwise(c)
    )
    return c.is_null() | (
        c.str.contains(r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$") & padded.str.to_date(DAY_FORMAT, strict=False).is_not_null()
    )


EARLIEST_DATE = "1990-01-01"  # before the Chinese internet: a date this early is a typing error
PLAUSIBLE_DATE = f"is outside the dates this dataset can hold ({EARLIEST_DATE} to today)"


def _is_plausible(col: str) -> pl.Expr:
    """A date (of any precision) from EARLIEST_DATE to today; unreadable dates are left to the format check.

    Dates such as 0000-01-01 or 9999-12-31 are real calendar dates that no source prints for
    these campaigns, and later stages (periods, figures) cannot place them.
    """
    import datetime as dt

    first, last = published_bounds(pl.col(col))
    return first.is_null() | ((last >= dt.date.fromisoformat(EARLIEST_DATE)) & (first <= dt.date.today()))


def published_bounds(published: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """First and last day a publication date of precision day, month or year can stand for."""
    first = (
        pl.when(published.str.len_chars() == 4).then(published + "-01-01")
        .when(published.str.len_chars() == 7).then(published + "-01")
        .otherwise(published)
        .str.to_date(DAY_FORMAT, strict=False)
    )
    last = (
        pl.when(published.str.len_chars() == 4).then(first.dt.offset_by("1y").dt.offset_by("-1d"))
        .when(published.str.len_chars() == 7).then(first.dt.month_end())
        .otherwise(first)
    )
    return first, last


def _date_check(data, kind) -> pl.LazyFrame:
    return data.lazyframe.select(kind(data.key))


# ----------------------------------------------------------------------------------------------
# Raw tables: what analysts edit. Columns typed `Optional[...]` may be left out of the header.
# ----------------------------------------------------------------------------------------------


class RawTable(pa.DataFrameModel):
    """Shared settings: unknown columns are errors, and no value is coerced behind anyone's back."""

    class Config:
        strict = True
        coerce = False


class Sources(RawTable):
    """One row per page that was read: where a figure was printed."""

    source_id: str = pa.Field(unique=True, str_matches=SLUG, description="Stable id of the page, a lowercase slug (outlet and date).")
    url: str = pa.Field(str_matches=URL, description="Address of the page that was read (http or https).")
    outlet: str = pa.Field(description="Who published the page; mirrors, reprints and scraper sites are named as such.")
    published: str = pa.Field(nullable=True, description="Publication date as YYYY-MM-DD, or YYYY-MM / YYYY when only that is known; empty if unknown.")
    language: str = pa.Field(str_matches=LANGUAGE, description="Language of the page, ISO 639-1 code (en, zh, es, ...).")
    source_type: str = pa.Field(isin=SOURCE_TYPES, description="Kind of source: " + ", ".join(SOURCE_TYPES) + ".")
    original_outlet: Optional[str] = pa.Field(nullable=True, description="Whose text the page carries, where the page or its record credits one (Reuters, Xinhua, China News Service, ...): copies of one text weigh as one voice in a claim; empty if the page is its own.")
    original_type: Optional[str] = pa.Field(nullable=True, isin=SOURCE_TYPES, description="Kind of source of original_outlet: " + ", ".join(SOURCE_TYPES) + ".")
    repost: Optional[str] = pa.Field(nullable=True, isin=["yes"], description="yes where the page republishes an earlier text or sums up an earlier announcement (mirrors and aggregators always count as such): its own date never dates a figure.")
    original_published: Optional[str] = pa.Field(nullable=True, description="Date of the text a republishing page carries, YYYY-MM-DD, YYYY-MM or YYYY, where the page or its record prints it with its year; relative periods on the page resolve against it.")
    note: Optional[str] = pa.Field(nullable=True, description="Free text: how the date was found, other names of the outlet, caveats.")

    @pa.check("published", "original_published", name="partial_date", error="is not a real date written YYYY-MM-DD, YYYY-MM or YYYY")
    def _published(cls, data):
        return _date_check(data, _is_partial_date)

    @pa.check("published", name="plausible_date", error=PLAUSIBLE_DATE)
    def _published_plausible(cls, data):
        return _date_check(data, _is_plausible)


class Authorities(RawTable):
    """Who announced figures: ministries, regulators, platforms."""

    authority_id: str = pa.Field(unique=True, str_matches=SLUG, description="Stable id of the authority, a lowercase slug.")
    name: str = pa.Field(description="English name.")
    name_zh: Optional[str] = pa.Field(nullable=True, description="Chinese name, where there is one.")


class Campaigns(RawTable):
    """Campaigns or announcements that figures belong to."""

    campaign_id: str = pa.Field(unique=True, str_matches=SLUG, description="Stable id of the campaign or announcement, a lowercase slug.")
    authority_id: str = pa.Field(str_matches=SLUG, metadata=references("authorities", "authority_id"), description="Authority that announced it (authorities.csv).")
    name: str = pa.Field(description="Short English label.")
    start: Optional[str] = pa.Field(nullable=True, description="First day of the campaign, YYYY-MM-DD, where a source states it.")
    end: Optional[str] = pa.Field(nullable=True, description="Last day of the campaign, YYYY-MM-DD, where a source states it.")
    note: Optional[str] = pa.Field(nullable=True, description="Free text.")

    @pa.check("start", "end", name="day_date", error="is not a real date written YYYY-MM-DD")
    def _dates(cls, data):
        return _date_check(data, _is_day)

    @pa.check("start", "end", name="plausible_date", error=PLAUSIBLE_DATE)
    def _dates_plausible(cls, data):
        return _date_check(data, _is_plausible)


class Platforms(RawTable):
    """Online platforms that figures or reach refer to."""

    platform_id: str = pa.Field(unique=True, str_matches=SLUG, description="Stable id of the platform, a lowercase slug.")
    name: str = pa.Field(description="English name.")
    name_zh: Optional[str] = pa.Field(nullable=True, description="Chinese name.")
    operator: Optional[str] = pa.Field(nullable=True, description="Company that runs it.")
    note: Optional[str] = pa.Field(nullable=True, description="How the operator defines its user counts, and other caveats.")


class Metrics(RawTable):
    """What was counted."""

    metric_id: str = pa.Field(unique=True, str_matches=METRIC_SLUG, description="Stable id of the quantity, lowercase words joined by underscores (accounts_closed).")
    unit: str = pa.Field(str_matches=r"^[a-z]+$", description="What one unit of the count is (accounts, websites, items, cases, people, organizations, apps, ...).")
    description: str = pa.Field(description="What the count covers.")


class Reports(RawTable):
    """One row per figure as one page printed it: the raw material of every number."""

    report_id: str = pa.Field(unique=True, str_matches=SLUG, description="Stable id of the printed figure.")
    source_id: str = pa.Field(str_matches=SLUG, metadata=references("sources", "source_id"), description="Page that printed it (sources.csv).")
    campaign_id: str = pa.Field(str_matches=SLUG, metadata=references("campaigns", "campaign_id"), description="Campaign or announcement it belongs to (campaigns.csv).")
    metric: str = pa.Field(str_matches=METRIC_SLUG, metadata=references("metrics", "metric_id"), description="What was counted (metrics.csv).")
    platform_id: Optional[str] = pa.Field(nullable=True, str_matches=SLUG, metadata=references("platforms", "platform_id"), description="The one platform the figure is about, if any (platforms.csv).")
    value_text: str = pa.Field(description="The figure exactly as printed, qualifier and misprints included ('more than 9,800', 'over 11.000', '近1.1万').")
    period_text: Optional[str] = pa.Field(nullable=True, description="The period phrase printed near the figure, as printed ('since late October', '今年以来').")
    period_start: Optional[str] = pa.Field(nullable=True, description="First day of the period, YYYY-MM-DD, when known for certain; wins over period_text.")
    period_end: Optional[str] = pa.Field(nullable=True, description="Last day of the period, YYYY-MM-DD, when known for certain; wins over period_text.")
    placement: Optional[str] = pa.Field(nullable=True, isin=PLACEMENTS, description="Where on the page: headline or body; empty if not recorded.")
    claim_id: Optional[str] = pa.Field(nullable=True, str_matches=SLUG, description="Optional hand grouping: reports with the same claim_id relay one official figure.")
    note: Optional[str] = pa.Field(nullable=True, description="Cluster tags, misprints noticed, the official wording where known.")

    @pa.check("period_start", "period_end", name="day_date", error="is not a real date written YYYY-MM-DD")
    def _dates(cls, data):
        return _date_check(data, _is_day)

    @pa.check("period_start", "period_end", name="plausible_date", error=PLAUSIBLE_DATE)
    def _dates_plausible(cls, data):
        return _date_check(data, _is_plausible)

    @pa.dataframe_check(name="period_order", error="period_start is after period_end")
    def _order(cls, data):
        present = data.lazyframe.collect_schema().names()
        if not {"period_start", "period_end"} <= set(present):
            return data.lazyframe.select(pl.lit(True).alias("ok"))  # optional columns left out: nothing to compare
        return data.lazyframe.select(
            pl.col("period_start").is_null() | pl.col("period_end").is_null() | (pl.col("period_start") <= pl.col("period_end"))
        )


class Reach(RawTable):
    """One row per platform user count as one page printed it."""

    reach_id: str = pa.Field(unique=True, str_matches=SLUG, description="Stable id of the printed user count.")
    source_id: str = pa.Field(str_matches=SLUG, metadata=references("sources", "source_id"), description="Page that printed it (sources.csv).")
    platform_id: str = pa.Field(str_matches=SLUG, metadata=references("platforms", "platform_id"), description="Platform counted (platforms.csv).")
    measure: str = pa.Field(isin=MEASURES, description="mau (monthly active users) or dau (daily active users).")
    value_text: str = pa.Field(description="The count exactly as printed ('1.083 billion', '10.825亿').")
    as_of: str = pa.Field(nullable=True, description="Last day of the period the count refers to, YYYY-MM-DD; empty where the page does not say.")
    period_text: Optional[str] = pa.Field(nullable=True, description="The period phrase as printed ('September quarter', '2018年第三季度').")
    definition: Optional[str] = pa.Field(nullable=True, description="Which users the figure counts, where the page or its record says ('QQ monthly active accounts, smart devices'; 'Kuaishou app and WeChat mini-program, average monthly active users'); one wording per series, so figures of one series can be compared over time; empty where not stated.")
    note: Optional[str] = pa.Field(nullable=True, description="Third-party estimates, conflicts, how the figure was found.")

    @pa.check("as_of", name="day_date", error="is not a real date written YYYY-MM-DD")
    def _as_of(cls, data):
        return _date_check(data, _is_day)

    @pa.check("as_of", name="plausible_date", error=PLAUSIBLE_DATE)
    def _as_of_plausible(cls, data):
        return _date_check(data, _is_plausible)


class Corrections(RawTable):
    """An analyst's decisions about printed figures (optional file). Raw reports stay as printed."""

    report_id: str = pa.Field(unique=True, str_matches=SLUG, metadata=references("reports", "report_id"), description="The printed figure the decision is about (reports.csv).")
    action: str = pa.Field(isin=CORRECTION_ACTIONS, description="exclude (leave the report out of its claim) or override (read it as value_text instead).")
    value_text: Optional[str] = pa.Field(nullable=True, description="For override: the figure as it should be read, in any form the parser reads ('more than 2,200', '2200余家').")
    reason: str = pa.Field(description="Why, in a sentence another analyst can check.")
    decided_by: Optional[str] = pa.Field(nullable=True, description="Who decided.")
    decided_on: Optional[str] = pa.Field(nullable=True, description="When, YYYY-MM-DD.")

    @pa.check("decided_on", name="day_date", error="is not a real date written YYYY-MM-DD")
    def _decided_on(cls, data):
        return _date_check(data, _is_day)

    @pa.check("decided_on", name="plausible_date", error=PLAUSIBLE_DATE)
    def _decided_on_plausible(cls, data):
        return _date_check(data, _is_plausible)

    @pa.dataframe_check(name="override_needs_value", error="an override needs value_text")
    def _override_value(cls, data):
        present = data.lazyframe.collect_schema().names()
        if "value_text" not in present:
            return data.lazyframe.select(pl.col("action") != "override")
        return data.lazyframe.select((pl.col("action") != "override") | pl.col("value_text").is_not_null())


# Row checks (dataframe_check) by their error, with the columns they are about: a problem is
# reported at the first of them, never at the model's name.
ROW_CHECK_COLUMNS = {
    "period_start is after period_end": ("period_start", "period_end"),
    "an override needs value_text": ("value_text", "action"),
}

RAW_MODELS: dict[str, type[RawTable]] = {
    "sources": Sources,
    "authorities": Authorities,
    "campaigns": Campaigns,
    "platforms": Platforms,
    "metrics": Metrics,
    "reports": Reports,
    "reach": Reach,
    "corrections": Corrections,
}

# ----------------------------------------------------------------------------------------------
# Processed tables: what the build writes to data/processed/.
# ----------------------------------------------------------------------------------------------


class ProcessedTable(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False


class SourcesOut(ProcessedTable):
    """Pages read, with their publication date as an interval of days."""

    source_id: str = pa.Field(unique=True, description="Stable id of the page.")
    url: str = pa.Field(description="Address of the page that was read.")
    outlet: str = pa.Field(description="Who published the page.")
    published: str = pa.Field(nullable=True, description="Publication date as printed in sources.csv (YYYY-MM-DD, YYYY-MM or YYYY).")
    published_first: pl.Date = pa.Field(nullable=True, description="Earliest day the page can have been published (first day of a month or year given alone).")
    published_last: pl.Date = pa.Field(nullable=True, description="Latest day the page can have been published (last day of a month or year given alone).")
    language: str = pa.Field(description="ISO 639-1 language code.")
    source_type: str = pa.Field(isin=SOURCE_TYPES, description="Kind of source.")
    original_outlet: str = pa.Field(nullable=True, description="Whose text the page carries, where credited.")
    original_type: str = pa.Field(nullable=True, isin=SOURCE_TYPES, description="Kind of source of original_outlet.")
    repost: str = pa.Field(nullable=True, description="repost as recorded in sources.csv.")
    is_republication: bool = pa.Field(description="True where the page republishes an earlier text: a mirror, an aggregator, or repost = yes in sources.csv.")
    original_published: str = pa.Field(nullable=True, description="Date of the text a republishing page carries, where known.")
    note: str = pa.Field(nullable=True, description="Free text from sources.csv.")


class _ParsedValue(ProcessedTable):
    value_text: str = pa.Field(description="The figure exactly as printed.")
    value_low: pl.Int64 = pa.Field(nullable=True, gt=0, description="Lowest count the printed words allow (never zero or negative, whatever the parser says); empty where unbounded below or unparsed.")
    value_high: pl.Int64 = pa.Field(nullable=True, gt=0, description="Highest count the printed words allow (never zero or negative); empty where unbounded above or unparsed.")
    qualifier: str = pa.Field(nullable=True, isin=QUALIFIERS, description="What the words say about certainty: " + ", ".join(QUALIFIERS) + ".")
    parse_status: str = pa.Field(isin=PARSE_STATUSES, description="ok, or unparsed when the text could not be read in full.")
    parse_reason: str = pa.Field(nullable=True, description="Why the text was not read (unparsed rows only).")

    @pa.dataframe_check(name="interval_order", error="value_low is greater than value_high")
    def _order(cls, data):
        return data.lazyframe.select(
            pl.col("value_low").is_null() | pl.col("value_high").is_null() | (pl.col("value_low") <= pl.col("value_high"))
        )


class _Sourced(_ParsedValue):
    """A parsed printed value with the page it was printed on, so every number can be traced."""

    source_id: str = pa.Field(description="Page that printed it.")
    outlet: str = pa.Field(description="Who published the page.")
    url: str = pa.Field(description="Address of the page.")
    published: str = pa.Field(nullable=True, description="Publication date of the page as recorded.")
    source_type: str = pa.Field(isin=SOURCE_TYPES, description="Kind of source.")
    language: str = pa.Field(description="ISO 639-1 language code of the page.")
    original_outlet: str = pa.Field(nullable=True, description="Whose text the page carries, where credited (sources.csv).")
    original_type: str = pa.Field(nullable=True, isin=SOURCE_TYPES, description="Kind of source of original_outlet.")
    is_republication: bool = pa.Field(description="True where the page republishes an earlier text (sources.parquet): its own date never dates a figure.")
    original_published: str = pa.Field(nullable=True, description="Date of the text a republishing page carries, where known (sources.csv).")


class ReportsOut(_Sourced):
    """One row per printed figure, with its parsed interval and period, traceable to its page."""

    report_id: str = pa.Field(unique=True, description="Id of the printed figure (reports.csv).")
    campaign_id: str = pa.Field(description="Campaign or announcement.")
    campaign_name: str = pa.Field(description="The campaign's name (campaigns.csv).")
    authority_id: str = pa.Field(description="Authority that announced the campaign.")
    authority_name: str = pa.Field(description="The authority's English name (authorities.csv).")
    authority_name_zh: str = pa.Field(nullable=True, description="The authority's Chinese name, where there is one (authorities.csv).")
    metric: str = pa.Field(description="What was counted.")
    metric_description: str = pa.Field(description="What the count covers (metrics.csv).")
    unit: str = pa.Field(description="Unit of the count.")
    platform_id: str = pa.Field(nullable=True, description="The one platform the figure is about, if any.")
    period_text: str = pa.Field(nullable=True, description="The period phrase as printed.")
    period_start: pl.Date = pa.Field(nullable=True, description="First day of the period the figure covers, where known.")
    period_end: pl.Date = pa.Field(nullable=True, description="Last day of the period the figure covers, where known.")
    period_precision: str = pa.Field(nullable=True, isin=PRECISIONS, description="How finely the period is known: " + ", ".join(PRECISIONS) + ".")
    period_status: str = pa.Field(isin=PERIOD_STATUSES, description="explicit (dates given in reports.csv), resolved (read from period_text), unresolved (phrase not read) or none (no phrase).")
    period_reason: str = pa.Field(nullable=True, description="Why the period phrase was not resolved.")
    placement: str = pa.Field(nullable=True, description="headline or body, where recorded.")
    claim_id: str = pa.Field(nullable=True, description="Hand grouping from reports.csv, if any.")
    note: str = pa.Field(nullable=True, description="Notes from reports.csv.")


class ReachOut(_Sourced):
    """One row per printed platform user count, parsed, with the definition it was counted under."""

    reach_id: str = pa.Field(unique=True, description="Id of the printed user count (reach.csv).")
    is_estimate: bool = pa.Field(description="True where the count is a third-party estimate, not the company's own figure.")
    platform_id: str = pa.Field(description="Platform counted.")
    platform: str = pa.Field(description="Platform name.")
    measure: str = pa.Field(isin=MEASURES, description="mau or dau.")
    as_of: pl.Date = pa.Field(nullable=True, description="Last day of the period the count refers to.")
    period_text: str = pa.Field(nullable=True, description="The period phrase as printed.")
    definition: str = pa.Field(nullable=True, description="Which users this figure counts (reach.csv); empty where not stated.")
    platform_note: str = pa.Field(nullable=True, description="How the platform's operator defines its counts in general (platforms.csv).")
    note: str = pa.Field(nullable=True, description="Notes from reach.csv.")


class ClaimsOut(ProcessedTable):
    """One row per figure, reconciled from every report that relays it (rules: claims.py, in the codebook)."""

    claim_id: str = pa.Field(unique=True, description="The claim: reports.csv claim_id where given, else campaign/metric[/platform].")
    claim_kind: str = pa.Field(isin=CLAIM_KINDS, description="official, or outlet_figure: only headlines that match no body figure of their page print it (an outlet's own sum or misprint); not an official figure.")
    campaign_id: str = pa.Field(description="Campaign or announcement.")
    campaign_name: str = pa.Field(description="The campaign's name (campaigns.csv).")
    authority_id: str = pa.Field(description="Authority that announced the campaign.")
    authority_name: str = pa.Field(description="The authority's English name (authorities.csv).")
    authority_name_zh: str = pa.Field(nullable=True, description="The authority's Chinese name, where there is one (authorities.csv).")
    metric: str = pa.Field(description="What was counted.")
    metric_description: str = pa.Field(description="What the count covers (metrics.csv).")
    unit: str = pa.Field(description="Unit of the count.")
    platform_id: str = pa.Field(nullable=True, description="The one platform the figure is about, if any.")
    announced_on: pl.Date = pa.Field(nullable=True, description="The day the figure was first public: the earliest publication date among its consensus reports on original pages, or of the original a republication carries (a month or year counts as its last day); never a repost's own date. Empty where no such date is known.")
    announced_report_id: str = pa.Field(nullable=True, description="The report whose page (or original) sets announced_on.")
    consensus_low: pl.Int64 = pa.Field(nullable=True, ge=0, description="Lowest value every consensus report implies (the intersection of their implied intervals); empty if nothing was read.")
    consensus_high: pl.Int64 = pa.Field(nullable=True, ge=0, description="Highest value every consensus report implies; empty if nothing was read.")
    value: pl.Int64 = pa.Field(nullable=True, ge=0, description="The number value_text prints (for 'more than 9,800': 9,800; the truth is in consensus_low..consensus_high).")
    value_text: str = pa.Field(nullable=True, description="The claim in its official wording: the words of the best page printing the chosen reading ('9800多个', 'more than 13,000').")
    value_qualifier: str = pa.Field(nullable=True, isin=QUALIFIERS, description="The qualifier of value_text.")
    value_rule: str = pa.Field(description="The step that chose value_text among the consensus readings (claims.py: VALUE_STEPS).")
    value_note: str = pa.Field(description="The consensus and the choice of value, in one sentence.")
    n_reports: pl.Int64 = pa.Field(ge=0, description="Reports in the claim, all roles.")
    n_readable: pl.Int64 = pa.Field(ge=0, description="Reports read as a number and not excluded.")
    n_consensus: pl.Int64 = pa.Field(ge=0, description="Reports that agree and form the consensus.")
    n_outlets: pl.Int64 = pa.Field(ge=0, description="Distinct outlets among the consensus reports.")
    n_voices: pl.Int64 = pa.Field(ge=0, description="Independent voices among the consensus body reports (a credited original counts once for all its copies).")
    n_readings: pl.Int64 = pa.Field(ge=0, description="Distinct readings (number and qualifier) among the consensus reports.")
    best_report_id: str = pa.Field(nullable=True, description="The report value_text is taken from: the best page printing the chosen reading (body first; official, company, wire, press, blog, aggregator, mirror, estimate; earlier first).")
    best_outlet: str = pa.Field(nullable=True, description="Outlet of the best report.")
    best_url: str = pa.Field(nullable=True, description="Page of the best report; it prints value_text.")
    period_start: pl.Date = pa.Field(nullable=True, description="First day of the period the figure counts: that of the best consensus report stating one (claims.py); empty where none does.")
    period_end: pl.Date = pa.Field(nullable=True, description="Last day of the period the figure counts.")
    period_precision: str = pa.Field(nullable=True, isin=PRECISIONS, description="How finely that period is known: " + ", ".join(PRECISIONS) + ".")
    period_report_id: str = pa.Field(nullable=True, description="The report the claim's period comes from (of this claim, or of another claim of its campaign: period_basis).")
    period_basis: str = pa.Field(nullable=True, isin=["claim", "campaign"], description="claim: a report of this claim states the period; campaign: none does, and every other claim of its campaign (one announcement) states this one.")
    consensus_report_ids: str = pa.Field(nullable=True, description="Ids of the consensus reports, space-separated; empty where no report could be read.")
    outlier_report_ids: str = pa.Field(nullable=True, description="Ids of readable reports left out of the consensus (see discrepancies).")
    excluded_report_ids: str = pa.Field(nullable=True, description="Ids excluded by data/raw/corrections.csv.")
    unread_report_ids: str = pa.Field(nullable=True, description="Ids whose text could not be read as a number.")
    corrected_report_ids: str = pa.Field(nullable=True, description="Ids read through an override in data/raw/corrections.csv.")

    @pa.dataframe_check(name="value_has_wording", error="a claim with a value has no value_text or best report")
    def _worded(cls, data):
        return data.lazyframe.select(pl.col("value").is_null() | (pl.col("value_text").is_not_null() & pl.col("best_url").is_not_null()))


class ClaimReportsOut(ProcessedTable):
    """Which claim each report joined, in which role, and the intervals it was compared with."""

    report_id: str = pa.Field(unique=True, description="Id of the printed figure.")
    claim_id: str = pa.Field(description="The claim it joined.")
    role: str = pa.Field(isin=REPORT_ROLES, description="consensus, outlier (readable but disagreeing), excluded (by a correction) or unread.")
    value_text: str = pa.Field(description="The figure exactly as printed.")
    read_as: str = pa.Field(nullable=True, description="The text the interval was read from: value_text, or a correction's value_text.")
    qualifier: str = pa.Field(nullable=True, isin=QUALIFIERS, description="Qualifier of read_as.")
    value_low: pl.Int64 = pa.Field(nullable=True, ge=0, description="Literal interval of read_as, low end; empty where unbounded below.")
    value_high: pl.Int64 = pa.Field(nullable=True, ge=0, description="Literal interval of read_as, high end; empty where unbounded above.")
    printed_number: pl.Int64 = pa.Field(nullable=True, ge=0, description="The number printed (for 'nearly N', N; for a range, its lower end).")
    significant_digits: pl.Int64 = pa.Field(nullable=True, ge=1, description="Significant digits of printed_number: how precisely the writer knew it.")
    implied_low: pl.Int64 = pa.Field(nullable=True, ge=0, description="Lowest value a careful reader infers from the printed precision and qualifier (readings.py).")
    implied_high: pl.Int64 = pa.Field(nullable=True, ge=0, description="Highest value a careful reader infers from the printed precision and qualifier.")
    voice: str = pa.Field(nullable=True, description="Whose text it is: the credited original (sources.csv original_outlet), else the outlet.")
    is_headline: bool = pa.Field(description="True where the figure was printed in a headline.")
    period_start: pl.Date = pa.Field(nullable=True, description="First day of the period the report's figure counts: its own, or its claim's where inferred.")
    period_end: pl.Date = pa.Field(nullable=True, description="Last day of that period.")
    period_precision: str = pa.Field(nullable=True, isin=PRECISIONS, description="How finely the period is known.")
    period_status: str = pa.Field(isin=PERIOD_STATUSES_WITH_INFERRED, description="explicit, resolved, unresolved or none as in reports; inferred where a consensus report without a period of its own takes its claim's.")
    period_evidence: str = pa.Field(nullable=True, description="For an inferred period: the report it came from.")
    correction_action: str = pa.Field(nullable=True, isin=CORRECTION_ACTIONS, description="exclude or override, where corrections.csv decides about the report.")
    correction_reason: str = pa.Field(nullable=True, description="Reason recorded in corrections.csv, where a correction applies.")
    correction_decided_by: str = pa.Field(nullable=True, description="Who decided the correction.")
    correction_decided_on: str = pa.Field(nullable=True, description="When the correction was decided, YYYY-MM-DD.")


class DiscrepanciesOut(ProcessedTable):
    """Disagreements between reports, each with the reports involved and a sentence to read."""

    discrepancy_id: str = pa.Field(unique=True, description="type:first report id[:second report id].")
    type: str = pa.Field(isin=DISCREPANCY_TYPES, description="One of: " + ", ".join(DISCREPANCY_TYPES) + ".")
    claim_id: str = pa.Field(description="The claim of the (first) report involved.")
    campaign_id: str = pa.Field(description="Campaign of the claim.")
    campaign_name: str = pa.Field(description="The campaign's name (campaigns.csv).")
    metric: str = pa.Field(description="What was counted.")
    metric_description: str = pa.Field(description="What the count covers (metrics.csv).")
    report_ids: str = pa.Field(description="The reports involved, space-separated; the first is the one flagged.")
    power_of_ten: pl.Int64 = pa.Field(nullable=True, description="For magnitude: how many powers of ten the report is off (positive: too large).")
    sentence: str = pa.Field(description="What is wrong, in words.")


class ScaleVsReachOut(ProcessedTable):
    """Each account claim against the platform reach of its day: accounts actioned per million monthly users."""

    comparison_id: str = pa.Field(unique=True, description="claim_id@platform_id ('all' for the sum of platforms).")
    claim_id: str = pa.Field(description="The claim (claims.parquet).")
    campaign_id: str = pa.Field(description="Campaign or announcement.")
    campaign_name: str = pa.Field(description="The campaign's name (campaigns.csv).")
    authority_id: str = pa.Field(description="Authority that announced it.")
    authority_name: str = pa.Field(description="The authority's English name (authorities.csv).")
    authority_name_zh: str = pa.Field(nullable=True, description="The authority's Chinese name, where there is one (authorities.csv).")
    metric: str = pa.Field(description="What was counted (an account metric).")
    metric_description: str = pa.Field(description="What the count covers (metrics.csv).")
    platform_id: str = pa.Field(description="Platform compared with, or 'all' for the sum of the platforms matched.")
    platform_named_by_claim: bool = pa.Field(description="True where the claim itself is about this platform.")
    announced_on: pl.Date = pa.Field(description="The day the claim was first public (claims.announced_on); reach is taken as of it.")
    consensus_low: pl.Int64 = pa.Field(nullable=True, ge=0, description="Claim's consensus, low end (accounts).")
    consensus_high: pl.Int64 = pa.Field(nullable=True, ge=0, description="Claim's consensus, high end (accounts); empty if unbounded.")
    value: pl.Int64 = pa.Field(ge=0, description="Claim's value (accounts).")
    value_text: str = pa.Field(nullable=True, description="The printed text the claim's value comes from.")
    best_outlet: str = pa.Field(nullable=True, description="Outlet of the claim's best report.")
    n_consensus: pl.Int64 = pa.Field(ge=0, description="Reports in the claim's consensus.")
    reach_platform: str = pa.Field(description="Platform name, or how the sum was made.")
    reach_id: str = pa.Field(description="The reach figure(s) used (reach.parquet), space-separated for a sum.")
    reach_value_text: str = pa.Field(description="The reach figure(s) as printed.")
    reach_low: pl.Int64 = pa.Field(ge=0, description="Monthly users, low end.")
    reach_high: pl.Int64 = pa.Field(nullable=True, ge=0, description="Monthly users, high end; empty if printed as a lower bound.")
    reach_value: pl.Int64 = pa.Field(ge=0, description="Monthly users used for the ratio at values.")
    reach_as_of: pl.Date = pa.Field(description="End of the period the reach figure counts (the earliest one, for a sum).")
    reach_gap_days: pl.Int64 = pa.Field(ge=0, description="Days from reach_as_of to announced_on (the largest, for a sum).")
    reach_tolerance_days: pl.Int64 = pa.Field(description="Largest gap allowed; claims with no reach figure that recent get no row.")
    reach_outlet: str = pa.Field(description="Page(s) the reach figure comes from.")
    reach_url: str = pa.Field(description="Address(es) of those pages.")
    reach_source_type: str = pa.Field(description="Kind of source of the reach figure(s).")
    reach_definition: str = pa.Field(nullable=True, description="How the operator defines its monthly users (platforms.csv).")
    per_million_low: pl.Float64 = pa.Field(nullable=True, ge=0, description="Accounts per million monthly users, low end: consensus_low / reach_high.")
    per_million_high: pl.Float64 = pa.Field(nullable=True, ge=0, description="Accounts per million monthly users, high end: consensus_high / reach_low; empty if unbounded.")
    per_million_at_values: pl.Float64 = pa.Field(nullable=True, ge=0, description="value / reach_value per million: for ordering and labels, never alone.")


PROCESSED_MODELS: dict[str, type[ProcessedTable]] = {
    "sources": SourcesOut,
    "reports": ReportsOut,
    "reach": ReachOut,
    "claims": ClaimsOut,
    "claim_reports": ClaimReportsOut,
    "discrepancies": DiscrepanciesOut,
    "scale_vs_reach": ScaleVsReachOut,
}


def columns_of(model: type[pa.DataFrameModel]) -> tuple[list[str], list[str]]:
    """(required, optional) column names of a model, in declaration order."""
    schema = model.to_schema()
    required = [name for name, col in schema.columns.items() if col.required]
    optional = [name for name, col in schema.columns.items() if not col.required]
    return required, optional


def references_of(model: type[pa.DataFrameModel]) -> list[tuple[str, str, str]]:
    """(column, table, column) for every cross-table reference a model declares."""
    out = []
    for name, col in model.to_schema().columns.items():
        ref = (col.metadata or {}).get("references")
        if ref:
            out.append((name, *ref))
    return out
