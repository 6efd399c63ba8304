"""The field registry: every column of every table, defined once, and every table as a list of them.

Why one place: a column's type, description, unit and allowed values were written in several
schema models, the raw table list in three modules, primary keys as literals in steps. Here, as in
Catalyst Cooperative's PUDL (`FIELD_METADATA`), each field is defined once and each table is the
list of its fields (in output order), its primary key and its foreign keys. Generated from it:
the Pandera schemas (schemas.py), the raw table lists, each output's column order and key, the
codebook, the CLI's choices, and the foreign-key check after each build (keys.py).

Plain Python only (no polars, no pandera): the CLI's --help and a no-op build read it.

A field's `dtype` is the type it has in processed tables; raw tables hold every cell as text
(what a spreadsheet saved), so a raw column is text whatever its field's dtype, and only raw
tables check a field's text form (`pattern`, `text_checks`). Allowed values and bounds are checked
in every table that has the field. Where a table gives a field a narrower meaning, its `Col`
says so (description or allowed values); every description is stated once (tests/test_fields.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# ---------------------------------------------------------------------------------------------
# Allowed values: the logic, the schemas and the CLI (`choices=`) use these tuples.
# ---------------------------------------------------------------------------------------------
SOURCE_TYPES = ("official", "wire", "press", "company", "aggregator", "mirror", "blog", "estimate")
MEASURES = ("mau", "dau")
PLACEMENTS = ("headline", "body")
QUALIFIERS = ("exact", "at_least", "at_most", "approx", "range")
PARSE_STATUSES = ("ok", "unparsed")
PRECISIONS = ("day", "month", "quarter", "year")  # finest first: parse/periods.py ranks by it
PERIOD_STATUSES = ("explicit", "resolved", "unresolved", "none")
PERIOD_STATUSES_WITH_INFERRED = (*PERIOD_STATUSES, "inferred")
PERIOD_BASES = ("claim", "campaign")
CORRECTION_ACTIONS = ("exclude", "override")
DISCREPANCY_TYPES = (
    "magnitude",
    "conflict",
    "loose_bound",
    "headline_body",
    "period",
    "qualifier_added",
    "qualifier_dropped",
    "qualifier_changed",
)
REPORT_ROLES = ("consensus", "outlier", "excluded", "unread")  # claims.py: one ids column per role, in this order
CLAIM_KINDS = ("official", "outlet_figure")
REPOST_VALUES = ("yes",)

# The text forms raw cells must take (checked in raw tables only).
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
METRIC_SLUG = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
LANGUAGE = r"^[a-z]{2}$"
URL = r"^https?://[^\s]+$"
UNIT_WORD = r"^[a-z]+$"

# Custom checks by name; the code is in schemas.py (COLUMN_CHECKS, ROW_CHECKS).
DAY = ("day_date", "plausible_date")
PARTIAL_DAY = ("partial_date", "plausible_date")


@dataclass(frozen=True)
class Field:
    """One quantity, under one name in every table."""

    dtype: str  # string, int64, float64, date or bool: its type in processed tables
    description: str
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None  # the raw text form
    text_checks: tuple[str, ...] = ()  # named checks of the raw text (schemas.COLUMN_CHECKS)
    ge: int | None = None
    gt: int | None = None


def _f(dtype: str, description: str, **kw) -> Field:
    return Field(dtype, description, **kw)


def _s(description: str, **kw) -> Field:
    return Field("string", description, **kw)


FIELDS: dict[str, Field] = {
    # ids
    "source_id": _s(
        "The page a figure was printed on: a lowercase slug of outlet and date (sources.csv).", pattern=SLUG
    ),
    "authority_id": _s("The authority that announced a campaign: a lowercase slug (authorities.csv).", pattern=SLUG),
    "campaign_id": _s(
        "The campaign or announcement a figure belongs to: a lowercase slug (campaigns.csv).", pattern=SLUG
    ),
    "platform_id": _s(
        "The platform a figure is about (empty if none) or a user count counts: a lowercase slug (platforms.csv).",
        pattern=SLUG,
    ),
    "metric_id": _s(
        "Stable id of the quantity, lowercase words joined by underscores (accounts_closed).", pattern=METRIC_SLUG
    ),
    "metric": _s("What was counted: a metric_id of metrics.csv.", pattern=METRIC_SLUG),
    "report_id": _s("The printed figure: one row of reports.csv.", pattern=SLUG),
    "reach_id": _s("The printed user count: one row of reach.csv.", pattern=SLUG),
    "claim_id": _s(
        "The claim: campaign/metric[/platform], unless the analyst groups the report otherwise in "
        "reports.csv. In the reports tables (raw and processed) it holds only that hand grouping and is "
        "empty where the default applies; claim_reports.claim_id is every report's claim.",
        pattern=SLUG,
    ),
    "discrepancy_id": _s("type:first report id[:second report id]."),
    "comparison_id": _s("claim_id@platform_id ('all' for the sum of platforms)."),
    # pages
    "url": _s("Address of the page that was read (http or https).", pattern=URL),
    "outlet": _s("Who published the page; mirrors, reprints and scraper sites are named as such."),
    "published": _s(
        "Publication date of the page as YYYY-MM-DD, or YYYY-MM / YYYY when only that is known; empty if unknown.",
        text_checks=PARTIAL_DAY,
    ),
    "published_first": _f(
        "date", "Earliest day the page can have been published (first day of a month or year given alone)."
    ),
    "published_last": _f(
        "date", "Latest day the page can have been published (last day of a month or year given alone)."
    ),
    "language": _s("Language of the page, ISO 639-1 code (en, zh, es, ...).", pattern=LANGUAGE),
    "source_type": _s("Kind of source: " + ", ".join(SOURCE_TYPES) + ".", allowed=SOURCE_TYPES),
    "original_outlet": _s(
        "Whose text the page carries, where the page or its record credits one (Reuters, Xinhua, China News "
        "Service, ...): copies of one text weigh as one voice in a claim; empty if the page is its own."
    ),
    "original_type": _s("Kind of source of original_outlet.", allowed=SOURCE_TYPES),
    "repost": _s(
        "yes where the page republishes an earlier text or sums up an earlier announcement (mirrors and aggregators "
        "always count as such): its own date never dates a figure.",
        allowed=REPOST_VALUES,
    ),
    "is_republication": _f(
        "bool",
        "True where the page republishes an earlier text: a mirror, an aggregator, or repost = yes in "
        "sources.csv; its own date never dates a figure.",
    ),
    "original_published": _s(
        "Date of the text a republishing page carries, YYYY-MM-DD, YYYY-MM or YYYY, where the page or its "
        "record prints it with its year; relative periods on the page resolve against it.",
        text_checks=("partial_date",),
    ),
    "note": _s(
        "Free text: caveats, how a value was found, misprints noticed (copied from the raw table in processed tables)."
    ),
    # names
    "name": _s("English name (a campaign's: a short label)."),
    "name_zh": _s("Chinese name, where there is one."),
    "campaign_name": _s("The campaign's name (campaigns.csv)."),
    "authority_name": _s("The authority's English name (authorities.csv)."),
    "authority_name_zh": _s("The authority's Chinese name, where there is one (authorities.csv)."),
    "operator": _s("Company that runs the platform."),
    "unit": _s(
        "What one unit of the count is (accounts, websites, items, cases, people, organizations, apps, ...).",
        pattern=UNIT_WORD,
    ),
    "description": _s("What the count covers."),
    "metric_description": _s("What the count covers (metrics.csv)."),
    "platform": _s("Platform name (platforms.csv)."),
    "platform_note": _s("How the platform's operator defines its counts in general (platforms.csv)."),
    # campaigns
    "start": _s("First day of the campaign, YYYY-MM-DD, where a source states it.", text_checks=DAY),
    "end": _s("Last day of the campaign, YYYY-MM-DD, where a source states it.", text_checks=DAY),
    # printed figures
    "value_text": _s(
        "The figure exactly as printed, qualifier and misprints included ('more than 9,800', 'over 11.000', "
        "'近1.1万', '1.083 billion')."
    ),
    "value_low": _f(
        "int64",
        "Lowest count the printed words allow (never zero or negative, whatever the parser says); empty where "
        "unbounded below or unparsed.",
        unit="the table's unit",
        gt=0,
    ),
    "value_high": _f(
        "int64",
        "Highest count the printed words allow (never zero or negative); empty where unbounded above or unparsed.",
        unit="the table's unit",
        gt=0,
    ),
    "qualifier": _s("What the words say about certainty: " + ", ".join(QUALIFIERS) + ".", allowed=QUALIFIERS),
    "parse_status": _s("ok, or unparsed when the text could not be read in full.", allowed=PARSE_STATUSES),
    "parse_reason": _s("Why the text was not read (unparsed rows only)."),
    "placement": _s("Where on the page: headline or body; empty if not recorded.", allowed=PLACEMENTS),
    # periods
    "period_text": _s(
        "The period phrase printed near the figure, as printed ('since late October', '今年以来', 'September quarter')."
    ),
    "period_start": _f(
        "date",
        "First day of the period the figure counts, where known (raw: YYYY-MM-DD, when known for certain; "
        "wins over period_text).",
        text_checks=DAY,
    ),
    "period_end": _f(
        "date",
        "Last day of the period the figure counts, where known (raw: YYYY-MM-DD, when known for certain; "
        "wins over period_text).",
        text_checks=DAY,
    ),
    "period_precision": _s("How finely the period is known: " + ", ".join(PRECISIONS) + ".", allowed=PRECISIONS),
    "period_status": _s(
        "explicit (dates given in reports.csv), resolved (read from period_text), unresolved (phrase not read) or "
        "none (no phrase).",
        allowed=PERIOD_STATUSES,
    ),
    "period_reason": _s("Why the period phrase was not resolved."),
    # reach
    "measure": _s("mau (monthly active users) or dau (daily active users).", allowed=MEASURES),
    "as_of": _f(
        "date",
        "Last day of the period the count refers to, YYYY-MM-DD; empty where the page does not say.",
        text_checks=DAY,
    ),
    "definition": _s(
        "Which users the figure counts, where the page or its record says ('QQ monthly active accounts, smart "
        "devices'); one wording per series, so figures of one series can be compared over time; empty where not "
        "stated."
    ),
    "is_estimate": _f("bool", "True where the count is a third-party estimate, not the company's own figure."),
    # corrections
    "action": _s(
        "exclude (leave the report out of its claim) or override (read it as value_text instead).",
        allowed=CORRECTION_ACTIONS,
    ),
    "reason": _s("Why, in a sentence another analyst can check."),
    "decided_by": _s("Who decided."),
    "decided_on": _s("When, YYYY-MM-DD.", text_checks=DAY),
    # claims
    "claim_kind": _s(
        "official, or outlet_figure: only headlines that match no body figure of their page print it (an outlet's "
        "own sum or misprint); not an official figure.",
        allowed=CLAIM_KINDS,
    ),
    "announced_on": _f(
        "date",
        "The day the figure was first public: the earliest publication date among its consensus reports on "
        "original pages, or of the original a republication carries (a month or year counts as its last day); "
        "never a repost's own date. Empty where no such date is known.",
    ),
    "announced_report_id": _s("The report whose page (or original) sets announced_on."),
    "consensus_low": _f(
        "int64",
        "Lowest value every consensus report implies (the intersection of their implied intervals); empty "
        "if nothing was read.",
        unit="the claim's unit",
        ge=0,
    ),
    "consensus_high": _f(
        "int64",
        "Highest value every consensus report implies; empty if nothing was read or unbounded.",
        unit="the claim's unit",
        ge=0,
    ),
    "value": _f(
        "int64",
        "The number the claim's value_text prints (for 'more than 9,800': 9,800; the truth is in "
        "consensus_low..consensus_high).",
        unit="the claim's unit",
        ge=0,
    ),
    "value_qualifier": _s("The qualifier of the claim's value_text.", allowed=QUALIFIERS),
    "value_rule": _s("The step that chose value_text among the consensus readings (claims.py: VALUE_STEPS)."),
    "value_note": _s("The consensus and the choice of value, in one sentence."),
    "n_reports": _f("int64", "Reports in the claim, all roles.", unit="reports", ge=0),
    "n_readable": _f("int64", "Reports read as a number and not excluded.", unit="reports", ge=0),
    "n_consensus": _f("int64", "Reports that agree and form the claim's consensus.", unit="reports", ge=0),
    "n_outlets": _f("int64", "Distinct outlets among the consensus reports.", unit="outlets", ge=0),
    "n_voices": _f(
        "int64",
        "Independent voices among the consensus body reports (a credited original counts once for all its copies).",
        unit="voices",
        ge=0,
    ),
    "n_readings": _f(
        "int64", "Distinct readings (number and qualifier) among the consensus reports.", unit="readings", ge=0
    ),
    "best_report_id": _s(
        "The report value_text is taken from: the best page printing the chosen reading (body first; official, "
        "company, wire, press, blog, aggregator, mirror, estimate; earlier first)."
    ),
    "best_outlet": _s("Outlet of the claim's best report."),
    "best_url": _s("Page of the claim's best report; it prints value_text."),
    "period_report_id": _s(
        "The report the claim's period comes from (of this claim, or of another claim of its campaign: period_basis)."
    ),
    "period_basis": _s(
        "claim: a report of this claim states the period; campaign: none does, and every other claim of its "
        "campaign (one announcement) states this one.",
        allowed=PERIOD_BASES,
    ),
    "consensus_report_ids": _s("Ids of the consensus reports, space-separated; empty where no report could be read."),
    "outlier_report_ids": _s("Ids of readable reports left out of the consensus (see discrepancies)."),
    "excluded_report_ids": _s("Ids excluded by data/raw/corrections.csv."),
    "unread_report_ids": _s("Ids whose text could not be read as a number."),
    "corrected_report_ids": _s("Ids read through an override in data/raw/corrections.csv."),
    # claim_reports
    "role": _s(
        "consensus, outlier (readable but disagreeing), excluded (by a correction) or unread.", allowed=REPORT_ROLES
    ),
    "read_as": _s("The text the interval was read from: value_text, or a correction's value_text."),
    "printed_number": _f(
        "int64", "The number printed (for 'nearly N', N; for a range, its lower end).", unit="the claim's unit", ge=0
    ),
    "significant_digits": _f(
        "int64", "Significant digits of printed_number: how precisely the writer knew it.", unit="digits", ge=1
    ),
    "implied_low": _f(
        "int64",
        "Lowest value a careful reader infers from the printed precision and qualifier (readings.py).",
        unit="the claim's unit",
        ge=0,
    ),
    "implied_high": _f(
        "int64",
        "Highest value a careful reader infers from the printed precision and qualifier.",
        unit="the claim's unit",
        ge=0,
    ),
    "voice": _s("Whose text it is: the credited original (sources.csv original_outlet), else the outlet."),
    "is_headline": _f("bool", "True where the figure was printed in a headline."),
    "period_evidence": _s("For an inferred period: the report it came from."),
    "correction_action": _s(
        "exclude or override, where corrections.csv decides about the report.", allowed=CORRECTION_ACTIONS
    ),
    "correction_reason": _s("Reason recorded in corrections.csv, where a correction applies."),
    "correction_decided_by": _s("Who decided the correction."),
    "correction_decided_on": _s("When the correction was decided, YYYY-MM-DD."),
    # discrepancies
    "type": _s("One of: " + ", ".join(DISCREPANCY_TYPES) + ".", allowed=DISCREPANCY_TYPES),
    "report_ids": _s("The reports involved, space-separated; the first is the one flagged."),
    "power_of_ten": _f(
        "int64", "For magnitude: how many powers of ten the report is off (positive: too large).", unit="powers of ten"
    ),
    "sentence": _s("What is wrong, in words."),
    # scale_vs_reach
    "platform_named_by_claim": _f("bool", "True where the claim itself is about this platform."),
    "reach_platform": _s("Platform name, or how the sum was made."),
    "reach_value_text": _s("The reach figure(s) as printed."),
    "reach_low": _f("int64", "Monthly users, low end.", unit="users", ge=0),
    "reach_high": _f("int64", "Monthly users, high end; empty if printed as a lower bound.", unit="users", ge=0),
    "reach_value": _f("int64", "Monthly users used for the ratio at values.", unit="users", ge=0),
    "reach_as_of": _f("date", "End of the period the reach figure counts (the earliest one, for a sum)."),
    "reach_gap_days": _f("int64", "Days from reach_as_of to announced_on (the largest, for a sum).", unit="days", ge=0),
    "reach_tolerance_days": _f(
        "int64", "Largest gap allowed; claims with no reach figure that recent get no row.", unit="days"
    ),
    "reach_outlet": _s("Page(s) the reach figure comes from."),
    "reach_url": _s("Address(es) of those pages."),
    "reach_source_type": _s("Kind of source of the reach figure(s)."),
    "reach_definition": _s("Which users the reach figure counts (reach.csv definition)."),
    "per_million_low": _f(
        "float64",
        "Accounts per million monthly users, low end: consensus_low / reach_high.",
        unit="accounts per million users",
        ge=0,
    ),
    "per_million_high": _f(
        "float64",
        "Accounts per million monthly users, high end: consensus_high / reach_low; empty if unbounded.",
        unit="accounts per million users",
        ge=0,
    ),
    "per_million_at_values": _f(
        "float64",
        "value / reach_value per million: for ordering and labels, never alone.",
        unit="accounts per million users",
        ge=0,
    ),
}


@dataclass(frozen=True)
class Col:
    """A field as one table holds it: whether it may be empty or (raw tables) left out of the header."""

    name: str
    nullable: bool = False
    optional: bool = False  # raw tables only: the column may be left out of the header
    description: str | None = None  # only where this table narrows the field's meaning
    allowed: tuple[str, ...] | None = None  # likewise

    @property
    def field(self) -> Field:
        """The registry's field, with this table's narrower description or allowed values."""
        base = FIELDS[self.name]
        return replace(base, description=self.description or base.description, allowed=self.allowed or base.allowed)


def _cols(spec: str, **override: dict[str, Any]) -> tuple[Col, ...]:
    """Columns from a compact spec: names separated by spaces, `?` nullable, `+` optional (raw), `*` both."""
    out = []
    for token in spec.split():
        name = token.rstrip("?+*")
        mark = token[len(name) :]
        out.append(
            Col(
                name,
                nullable=bool(set(mark) & {"?", "*"}),
                optional=bool(set(mark) & {"+", "*"}),
                **override.get(name, {}),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Table:
    """A table: its fields in output order (the key first), primary key, and foreign keys."""

    name: str
    layer: str  # raw (data/raw/NAME.csv) or processed (data/processed/NAME.parquet and .csv)
    description: str
    columns: tuple[Col, ...]
    primary_key: str
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, table of the same layer, its column)
    row_checks: tuple[str, ...] = ()  # named checks across columns (schemas.ROW_CHECKS)
    optional_file: bool = False  # raw tables only: the file may be absent

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


_PAGE = (
    "source_id outlet url published? source_type language original_outlet? original_type? is_republication "
    "original_published?"
)
_PARSED = "value_text value_low? value_high? qualifier? parse_status parse_reason?"
_NAMES = "campaign_name authority_id authority_name authority_name_zh?"

RAW: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            "raw",
            "One row per page that was read: where a figure was printed.",
            _cols(
                "source_id url outlet published? language source_type original_outlet* original_type* repost* "
                "original_published* note*",
                note={"description": "Free text: how the date was found, other names of the outlet, caveats."},
            ),
            "source_id",
        ),
        Table(
            "authorities",
            "raw",
            "Who announced figures: ministries, regulators, platforms.",
            _cols("authority_id name name_zh*"),
            "authority_id",
        ),
        Table(
            "campaigns",
            "raw",
            "Campaigns or announcements that figures belong to.",
            _cols("campaign_id authority_id name start* end* note*"),
            "campaign_id",
            foreign_keys=(("authority_id", "authorities", "authority_id"),),
        ),
        Table(
            "platforms",
            "raw",
            "Online platforms that figures or reach refer to.",
            _cols(
                "platform_id name name_zh* operator* note*",
                note={"description": "How the operator defines its user counts, and other caveats."},
            ),
            "platform_id",
        ),
        Table("metrics", "raw", "What was counted.", _cols("metric_id unit description"), "metric_id"),
        Table(
            "reports",
            "raw",
            "One row per figure as one page printed it: the raw material of every number.",
            _cols(
                "report_id source_id campaign_id metric platform_id* value_text period_text* period_start* period_end* "
                "placement* claim_id* note*",
                note={"description": "Cluster tags, misprints noticed, the official wording where known."},
            ),
            "report_id",
            row_checks=("period_order",),
            foreign_keys=(
                ("source_id", "sources", "source_id"),
                ("campaign_id", "campaigns", "campaign_id"),
                ("metric", "metrics", "metric_id"),
                ("platform_id", "platforms", "platform_id"),
            ),
        ),
        Table(
            "reach",
            "raw",
            "One row per platform user count as one page printed it.",
            _cols(
                "reach_id source_id platform_id measure value_text as_of? period_text* definition* note*",
                note={"description": "Third-party estimates, conflicts, how the figure was found."},
            ),
            "reach_id",
            foreign_keys=(("source_id", "sources", "source_id"), ("platform_id", "platforms", "platform_id")),
        ),
        Table(
            "corrections",
            "raw",
            "An analyst's decisions about printed figures (optional file). Raw reports stay as printed.",
            _cols(
                "report_id action value_text* reason decided_by* decided_on*",
                value_text={
                    "description": "For override: the figure as it should be read, in any form the parser reads "
                    "('more than 2,200', '2200余家')."
                },
            ),
            "report_id",
            row_checks=("override_needs_value",),
            optional_file=True,
            foreign_keys=(("report_id", "reports", "report_id"),),
        ),
    )
}

PROCESSED: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "sources",
            "processed",
            "Pages read, with their publication date as an interval of days.",
            _cols(
                "source_id url outlet published? published_first? published_last? language source_type "
                "original_outlet? original_type? repost? is_republication original_published? note?"
            ),
            "source_id",
        ),
        Table(
            "reports",
            "processed",
            "One row per printed figure, with its parsed interval and period, traceable to its page.",
            _cols(
                f"report_id {_PARSED} {_PAGE} campaign_id {_NAMES} metric metric_description unit platform_id? "
                "period_text? period_start? period_end? period_precision? period_status period_reason? placement? "
                "claim_id? note?"
            ),
            "report_id",
            row_checks=("interval_order",),
            foreign_keys=(("source_id", "sources", "source_id"),),
        ),
        Table(
            "reach",
            "processed",
            "One row per printed platform user count, parsed, with the definition it was counted under.",
            _cols(
                f"reach_id {_PARSED} {_PAGE} is_estimate platform_id platform measure as_of? period_text? definition? "
                "platform_note? note?"
            ),
            "reach_id",
            row_checks=("interval_order",),
            foreign_keys=(("source_id", "sources", "source_id"),),
        ),
        Table(
            "claims",
            "processed",
            "One row per figure, reconciled from every report that relays it (rules: claims.py, in the codebook).",
            _cols(
                f"claim_id claim_kind campaign_id {_NAMES} metric metric_description unit platform_id? announced_on? "
                "announced_report_id? consensus_low? consensus_high? value? value_text? value_qualifier? value_rule "
                "value_note n_reports n_readable n_consensus n_outlets n_voices n_readings best_report_id? "
                "best_outlet? best_url? period_start? period_end? period_precision? period_report_id? period_basis? "
                "consensus_report_ids? outlier_report_ids? excluded_report_ids? unread_report_ids? "
                "corrected_report_ids?",
                value_text={
                    "description": "The claim in its official wording: the words of the best page printing the "
                    "chosen reading ('9800多个', 'more than 13,000')."
                },
            ),
            "claim_id",
            row_checks=("value_has_wording",),
            foreign_keys=(
                ("announced_report_id", "reports", "report_id"),
                ("best_report_id", "reports", "report_id"),
                ("period_report_id", "reports", "report_id"),
            ),
        ),
        Table(
            "claim_reports",
            "processed",
            "Which claim each report joined, in which role, and the intervals it was compared with.",
            _cols(
                "report_id claim_id role value_text read_as? qualifier? value_low? value_high? printed_number? "
                "significant_digits? implied_low? implied_high? voice? is_headline period_start? period_end? "
                "period_precision? period_status period_evidence? correction_action? correction_reason? "
                "correction_decided_by? correction_decided_on?",
                period_status={
                    "allowed": PERIOD_STATUSES_WITH_INFERRED,
                    "description": "explicit, resolved, unresolved or none as in reports; inferred where a consensus "
                    "report without a period of its own takes its claim's.",
                },
            ),
            "report_id",
            foreign_keys=(
                ("report_id", "reports", "report_id"),
                ("claim_id", "claims", "claim_id"),
                ("period_evidence", "reports", "report_id"),
            ),
        ),
        Table(
            "discrepancies",
            "processed",
            "Disagreements between reports, each with the reports involved and a sentence to read.",
            _cols(
                "discrepancy_id type claim_id campaign_id campaign_name metric metric_description report_ids "
                "power_of_ten? sentence"
            ),
            "discrepancy_id",
            foreign_keys=(("claim_id", "claims", "claim_id"),),
        ),
        Table(
            "reach_series",
            "processed",
            "The reach figures the comparison and the reach figure use: per platform and period end, the best page's "
            "monthly users within the platform's series (compare.py).",
            _cols(
                "reach_id platform_id platform as_of value_text value_low value_high? outlet url source_type "
                "definition",
                as_of={"description": "Last day of the period the count refers to, YYYY-MM-DD (dated figures only)."},
                value_low={"description": "Lowest count the printed words allow (figures read as a number only)."},
                definition={
                    "description": "The platform's series: the definition most of its figures carry, or "
                    "'definition not stated' where none states one."
                },
            ),
            "reach_id",
            foreign_keys=(("reach_id", "reach", "reach_id"),),
        ),
        Table(
            "scale_vs_reach",
            "processed",
            "Each account claim against the platform reach of its day: accounts actioned per million monthly users.",
            _cols(
                f"comparison_id claim_id campaign_id {_NAMES} metric metric_description platform_id "
                "platform_named_by_claim announced_on consensus_low? consensus_high? value value_text? "
                "value_qualifier? best_outlet? "
                "n_consensus reach_platform reach_id reach_value_text reach_low reach_high? reach_value reach_as_of "
                "reach_gap_days reach_tolerance_days reach_outlet reach_url reach_source_type reach_definition? "
                "per_million_low? per_million_high? per_million_at_values?",
                platform_id={"description": "Platform compared with, or 'all' for the sum of the platforms matched."},
                announced_on={
                    "description": "The day the claim was first public (claims.announced_on); only dated claims are "
                    "compared."
                },
            ),
            "comparison_id",
            foreign_keys=(("claim_id", "claims", "claim_id"),),
        ),
    )
}

# The raw files every build reads (in this order), and those that may be absent.
REQUIRED_RAW = tuple(name for name, t in RAW.items() if not t.optional_file)
OPTIONAL_RAW = tuple(name for name, t in RAW.items() if t.optional_file)
