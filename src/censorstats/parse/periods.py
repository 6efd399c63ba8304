"""Resolving printed period phrases ("since late October", "10月20日至11月12日", "so far") to dates.

A phrase becomes period_start / period_end with a precision (day, month, quarter, year). The
rules are regexes over the normal form of the phrase, tried in order; the first that matches
the whole phrase decides. What is read:

- Named dates and spans, with the year when printed: "in 2021", "2021全年", "一季度",
  "in January this year", "from April to June", "October 20-November 12", "10月20日至11月12日",
  "2018年10月20日至11月12日", "from October 20 to November 12, 2018", "between 10 March and 22
  May". A span that crosses the new year ("December 20 to January 10") ends in the next year.
- Starts up to publication: "since October 20", "10月下旬以来", "今年以来", "since 2015", "over the
  past three weeks", "this month", "since launching a crackdown this month".
- Ends without a start: "as of Jan. 21", "截至5月22日", and "so far" / "to date" / "截至目前" /
  "至今", which end on the publication date.
- A weekday ("on Monday", "周一"): the latest such day not after publication; a day of the month
  ("14日下午"): the latest 14th not after publication. Both need a page dated to the day.
- "全年" / "the whole year" on a page of January to March: the year before (a year-end review);
  later in the year which year is meant is not clear, and it stays unresolved.
- The campaign's own dates, when the caller passes them (campaign_start / campaign_end columns):
  "during the campaign", "during this action", "行动期间" take both; "since the campaign started",
  "专项整治以来" run from its start to publication; "in the six months since the launch" from its
  start for six months. Without them the phrase is unresolved: "campaign dates not known".

Relative phrases are resolved against the publication date of the page that printed them
("since the start of the year" on a page of 2018-12-09 is 2018-01-01 to 2018-12-09); a month,
quarter or day named without a year is the latest one not after publication. An end at
publication has the precision of the publication date when that is coarser. A named period
still running at publication is counted up to publication. A period is never after its page: a
resolved period starts and ends on or before the publication date.

What is not read stays `unresolved` with the reason, never guessed: a phrase that fits no rule,
a relative phrase on a page of unknown date, a date that does not exist (February 30), a
period that would end after publication, a phrase that points elsewhere ("in the same period":
the period is named elsewhere on the page), a bare length ("six months", "20天"), a running
total without dates ("累计"), "recently" ("近期"), and text in a script the reader does not read.

Note for analysts: a repost resolves relative phrases against the date it is given. Where that
is wrong, give period_start / period_end in reports.csv; they win over the phrase.
`censorstats parse --period "TEXT" --published YYYY-MM-DD` shows how a phrase is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from censorstats.dates import published_bounds
from censorstats.fields import PRECISIONS
from censorstats.parse.text import normalise

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
WEEKDAYS = {w: i for i, w in enumerate("monday tuesday wednesday thursday friday saturday sunday".split(), start=1)}
WEEKDAYS |= {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
SMALL_NUMBERS = {
    w: i for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), start=1)
}
SMALL_NUMBERS |= {
    "a": 1,
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
NUMW = r"(?:[0-9]{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|[一两二三四五六七八九十])"
ORDINAL_QUARTERS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
}
UNITS = {"hour": "h", "day": "d", "天": "d", "week": "w", "周": "w", "month": "mo", "月": "mo", "year": "y", "年": "y"}
PART_OF_MONTH = {"early": 1, "上旬": 1, "mid": 11, "中旬": 11, "late": 21, "下旬": 21}

SINCE = r"(?:since|began|begun|beginning|launched|started|starting)"
Y, D = r"(?:19|20)[0-9]{2}", r"[0-9]{1,2}"
TO = r"(?: to | and | through | until |-)"  # dashes and tildes are "-" in the normal form
CN_TO = r"(?:至|到|-)"
CAMPAIGN = r"(?:campaign|action|crackdown|operation|drive)"
# Words around "since" in "since it launched its anti-pornography campaign in April": no digits,
# and none of FILLER_VETO, so that "in the six months since the launch in October" is not "since October".
WORDS, WORDS2 = r"(?P<pre>[a-z' -]*?\b)?", r"(?P<mid>[a-z' -]*?\b)?"
FILLER_VETO = (
    r"\b(?:years?|months?|weeks?|days?|quarters?|hours?|past|last|next|first|second|third|fourth|to|until|through|and|"
    r"before|after|ago|end|as of|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|"
    r"october|november|december)\b"
)
CN_CAMPAIGN = r"(?:本次|此次|这次)?(?:专项整治|专项行动|集中整治|整治|行动|活动)"


@dataclass(frozen=True)
class Rule:
    """One form of phrase. Named groups are fields ("y", "m2", ...); a suffix after "_" tells the
    alternatives of one pattern apart ("m_c" is the month of the Chinese form). A rule with a
    `reason` (and precision "unresolved") recognises a phrase that names no dates of its own: it
    stays unresolved with that reason."""

    kind: str
    pattern: str
    precision: str
    reason: str | None = None


# Tried in order; the first rule whose pattern matches the whole phrase decides.
RULES = [
    Rule(
        "ytd",
        r"^(?:since |from )?(?:the )?(?:start|beginning) of (?:this|the) year$|^(?:since |in )?this year$"
        r"|^so far this year$|^今年(?:以来)?$",
        "day",
    ),
    Rule(
        "since_year",
        rf"^{SINCE} (?:the (?:start|beginning) of )?(?P<y>{Y})$|^(?:自|从)?(?P<y_c>{Y})年(?:以来|至今)$",
        "day",
    ),
    Rule("year", rf"^(?:in |during |throughout |for )?(?P<y>{Y})(?: alone)?$|^(?P<y_c>{Y})年?(?:全年|年度)?$", "year"),
    Rule("last_year", r"^(?:in |during )?last year$|^去年(?:全年)?$", "year"),
    Rule(
        "whole_year",
        r"^(?:in |during |throughout |for |over )?(?:the )?(?:whole|entire|full) year$|^throughout the year$|^全年$",
        "year",
    ),
    Rule(
        "quarter",
        rf"^(?:in |during )?(?:the )?(?P<q>first|second|third|fourth) quarter(?: of (?P<y>{Y}))?$"
        rf"|^(?:(?P<y_c>{Y})年?)?第?(?P<q_c>[一二三四])季度$|^q(?P<q_a>[1-4]) (?P<y_a>{Y})$"
        rf"|^(?P<y_b>{Y})年?q(?P<q_b>[1-4])$",
        "quarter",
    ),
    Rule(
        "month_span",
        rf"^(?:from |between )?(?P<m>{MONTH})(?: (?P<y>{Y}))?{TO}(?P<m2>{MONTH})(?: (?P<y2>{Y})| (?P<ty>this year))?$"
        rf"|^(?:从|自)?(?:(?P<y_c>{Y})年|(?P<ty_c>今年))?(?P<m_c>{D})月份?{CN_TO}(?:(?P<y2_c>{Y})年)?(?P<m2_c>{D})月份?$",
        "month",
    ),
    Rule(
        "day_span",
        rf"^(?:from |between )?(?P<m>{MONTH}) (?P<d>{D})(?: (?P<y>{Y}))?{TO}"
        rf"(?:(?P<m2>{MONTH}) )?(?P<d2>{D})(?: (?P<y2>{Y})| (?P<ty>this year))?$"
        rf"|^(?:from |between )?(?P<d_a>{D})(?: (?P<m_a>{MONTH}))?(?: (?P<y_a>{Y}))?{TO}"
        rf"(?P<d2_a>{D}) (?P<m2_a>{MONTH})(?: (?P<y2_a>{Y}))?$"
        rf"|^(?:从|自)?(?:(?P<y_c>{Y})年|(?P<ty_c>今年))?(?P<m_c>{D})月(?P<d_c>{D})日?{CN_TO}(?:(?P<y2_c>{Y})年)?(?:(?P<m2_c>{D})月)?(?P<d2_c>{D})日$",
        "day",
    ),
    Rule(
        "since_day",
        rf"^{WORDS}{SINCE}\b{WORDS2}(?:on )?(?P<m>{MONTH}) (?P<d>{D})(?: (?P<y>{Y})| (?P<ty>this year))?$"
        rf"|^{SINCE} (?P<d_a>{D}) (?P<m_a>{MONTH})(?: (?P<y_a>{Y}))?$"
        rf"|^(?:从|自)?(?:(?P<y_c>{Y})年)?(?P<m_c>{D})月(?P<d_c>{D})日(?:以来|至今|起至今)$",
        "day",
    ),
    Rule(
        "this_month",
        r"^(?:in |during )?this month(?: so far)?$|^(?:since |from )?(?:the )?(?:start|beginning) of this month$"
        r"|^本月(?:以来)?$",
        "day",
    ),
    Rule("since_this_month", rf"^{WORDS}{SINCE}\b{WORDS2}this month$", "month"),
    Rule(
        "since_month",
        rf"^{WORDS}{SINCE}\b{WORDS2}(?:in )?(?:(?P<part>late|early|mid)[- ])?(?P<m>{MONTH})(?: (?P<y>{Y}))?$"
        rf"|^(?:从|自)?(?:(?P<y_c>{Y})年)?(?P<m_c>{D})月(?P<part_c>上旬|中旬|下旬)?(?:以来|至今)$",
        "month",
    ),
    Rule(
        "month",
        rf"^(?:in |during )?(?P<m>{MONTH})(?: (?P<y>{Y})| (?P<ty>this year))?$"
        rf"|^(?:(?P<y_c>{Y})年|(?P<ty_c>今年))?(?P<m_c>{D})月份?$",
        "month",
    ),
    Rule(
        "as_of",
        rf"^(?:as of|as at|by|up to|until) (?P<m>{MONTH}) (?P<d>{D})(?: (?P<y>{Y}))?$"
        rf"|^(?:as of|as at|by|up to|until) (?P<d_a>{D}) (?P<m_a>{MONTH})(?: (?P<y_a>{Y}))?$"
        rf"|^(?:截至|截止)到?(?:(?P<y_c>{Y})年)?(?P<m_c>{D})月(?P<d_c>{D})日$",
        "day",
    ),
    Rule(
        "to_date",
        r"^(?:so far|to date|thus far|until now|up to now|as of now|by now|as of today)$"
        r"|^(?:截至|截止)到?(?:目前|现在|今天|当前)$|^(?:至今|迄今|迄今为止|到目前为止)$",
        "day",
    ),
    Rule(
        "weekday",
        r"^(?:on )?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)$"
        r"|^(?:周|星期|礼拜)(?P<wd_c>[一二三四五六日天])$",
        "day",
    ),
    Rule("day_of_month", rf"^(?P<d_c>{D})日(?:上午|下午|晚间|晚上|晚|凌晨|早上|中午)?$", "day"),
    Rule(
        "past",
        rf"^(?:over |in |during |for )?the (?:past|last) (?:(?P<n>{NUMW}) )?(?P<unit>hour|day|week|month|year)s?$"
        rf"|^in (?P<n_a>{NUMW}) (?P<unit_a>week|month|day)s?(?:'s)? time$"
        # "19年以来" is also "since (20)19": a count of years in digits needs 近 or 过去
        rf"|^(?:近|过去)(?P<n_c>{NUMW})个?(?P<unit_c>天|周|月|年)(?:以来|来)?$|^(?P<n_d>{NUMW})个?(?P<unit_d>天|周|月)(?:以来|来)$"
        r"|^(?P<n_e>[一两二三四五六七八九十])(?P<unit_e>年)(?:以来|来)$",
        "day",
    ),
    Rule(
        "campaign",
        rf"^(?:during|in|throughout|over) (?:the|this|that|a [0-9]+-day|the [0-9]+-day) {CAMPAIGN}$"
        rf"|^{CN_CAMPAIGN}期间$",
        "day",
    ),
    Rule(
        "since_campaign",
        rf"^since (?:the |this )?{CAMPAIGN} (?:started|began|was launched|launched)$"
        rf"|^since the (?:launch|start) of the {CAMPAIGN}$|^(?:自|从)?{CN_CAMPAIGN}(?:开展|启动)?以来$",
        "day",
    ),
    Rule(
        "after_launch",
        rf"^(?:in |during |over )?the (?P<n>{NUMW}) (?P<unit>day|week|month|year)s? (?:since|after) "
        rf"(?:the |its )?(?:launch|start)(?: of the {CAMPAIGN})?$"
        rf"|^{CN_CAMPAIGN}?(?:开展|启动)(?P<n_c>{NUMW})个?(?P<unit_c>天|周|月|年)(?:以来|来)$",
        "day",
    ),
    Rule(
        "elsewhere",
        r"^(?:during|in|over) the same (?:period|time)$|^同期$|^同一时期$",
        "unresolved",
        "refers to a period named elsewhere on the page",
    ),
    Rule(
        "bare_length",
        rf"^(?:for |over )?(?:about )?{NUMW} (?:hour|day|week|month|year)s?$"
        rf"|^(?:近|约)?(?:[0-9]+|{NUMW})个?(?:天|周|月|年)$",
        "unresolved",
        "a length of time with no start or end",
    ),
    Rule(
        "running_total",
        r"^(?:累计|总计|共计|in total|cumulatively|in all)$",
        "unresolved",
        "a running total: no start or end is printed",
    ),
    Rule(
        "recently",
        r"^(?:近期|最近|日前|近日|recently|lately|in recent (?:days|weeks|months))$",
        "unresolved",
        "'recently' names no dates",
    ),
    Rule(
        "script",
        r"[^\p{Latin}\p{Han}\p{Common}\p{Inherited}]",
        "unresolved",
        "written in a script the reader does not read",
    ),
]
# A period these need is not the page's: they run on the campaign's dates.
CAMPAIGN_KINDS = ["campaign", "since_campaign", "after_launch"]
# Their end is the publication date.
ENDS_AT_PUBLICATION = [
    "ytd",
    "since_year",
    "since_day",
    "since_month",
    "since_this_month",
    "this_month",
    "past",
    "to_date",
    "since_campaign",
]
# Resolved against the publication date whatever they print. ("since 2015" on an undated page
# still has its start, and no end; "since the campaign started" there is refused with its own reason.)
ALWAYS_RELATIVE = [
    "ytd",
    "since_this_month",
    "this_month",
    "past",
    "to_date",
    "last_year",
    "whole_year",
    "weekday",
    "day_of_month",
]
# Relative unless they print a year.
RELATIVE_WITHOUT_YEAR = ["quarter", "month_span", "day_span", "month", "as_of", "since_day", "since_month"]
FIELDS = ["y", "y2", "ty", "m", "m2", "d", "d2", "q", "n", "unit", "part", "wd", "pre", "mid"]


def _normalise(text: pl.Expr) -> pl.Expr:
    """The shared normal form, without commas ("October 20, 2018") or a final full stop; any dash
    or tilde between two dates is "-" without spaces, so "Oct 20 – Nov 12" reads as "oct 20-nov 12"."""
    return (
        normalise(text)
        .str.replace_all(",", "", literal=True)
        .str.replace_all(r"\s+", " ")
        .str.replace_all(r" ?[-‐‑‒–—―~〜] ?", "-")
        .str.strip_chars(" .")
    )


def _month_number(m: pl.Expr) -> pl.Expr:
    named = m.str.slice(0, 3).replace_strict(MONTHS, default=None, return_dtype=pl.Int32)
    return pl.when(m.str.contains(r"^[0-9]+$")).then(m.cast(pl.Int32, strict=False)).otherwise(named)


def _day(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A calendar date, or null when y-m-d is not a real day (no guessing of Feb 30)."""
    return pl.format("{}-{}-{}", y, m.cast(pl.String).str.zfill(2), d.cast(pl.String).str.zfill(2)).str.to_date(
        "%Y-%m-%d", strict=False
    )


def _latest_not_after(start: pl.Expr, reference: pl.Expr) -> pl.Expr:
    """Move a date named without its year back one year when it would fall after publication."""
    return pl.when(start > reference).then(start.dt.offset_by("-1y")).otherwise(start)


def _coarser(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    rank = {p: i for i, p in enumerate(PRECISIONS)}
    ra = a.replace_strict(rank, default=None, return_dtype=pl.Int8)
    rb = b.replace_strict(rank, default=None, return_dtype=pl.Int8)
    return pl.max_horizontal(ra, rb).replace_strict(
        {v: k for k, v in rank.items()}, default=None, return_dtype=pl.String
    )


def _date_precision(date_text: pl.Expr) -> pl.Expr:
    return date_text.str.len_chars().replace_strict(
        {10: "day", 7: "month", 4: "year"}, default=None, return_dtype=pl.String
    )


def _match_rules(lf: pl.LazyFrame, norm: str) -> pl.LazyFrame:
    """Add __rule (the first rule that matches) and one __FIELD string column per field of FIELDS."""
    first_match = pl.lit(None, pl.Int32)
    for i, rule in reversed(list(enumerate(RULES))):
        first_match = pl.when(pl.col(norm).str.contains(rule.pattern)).then(pl.lit(i, pl.Int32)).otherwise(first_match)
    lf = lf.with_columns(first_match.alias("__rule"))
    # Each rule's groups are read from its own rows only, once (a struct column per rule).
    with_groups = [(i, re.findall(r"\?P<(\w+)>", rule.pattern)) for i, rule in enumerate(RULES)]
    with_groups = [(i, names) for i, names in with_groups if names]
    lf = lf.with_columns(
        pl.when(pl.col("__rule") == i).then(pl.col(norm)).str.extract_groups(RULES[i].pattern).alias(f"__g{i}")
        for i, _ in with_groups
    )
    fields: dict[str, list[pl.Expr]] = {k: [] for k in FIELDS}
    for i, names in with_groups:
        for name in names:
            fields[name.split("_")[0]].append(pl.col(f"__g{i}").struct.field(name))
    return lf.with_columns(
        pl.coalesce(e).alias(f"__{k}") if e else pl.lit(None, pl.String).alias(f"__{k}") for k, e in fields.items()
    )


def _dates_column(lf: pl.LazyFrame, column: str | None, prefix: str) -> pl.LazyFrame:
    """First day, last day and precision of a date column (Date, or text YYYY-MM-DD / YYYY-MM / YYYY);
    null when the column is not given or absent."""
    schema = lf.collect_schema()
    if column is None or column not in schema:
        return lf.with_columns(
            pl.lit(None, pl.Date).alias(f"{prefix}first"),
            pl.lit(None, pl.Date).alias(f"{prefix}last"),
            pl.lit(None, pl.String).alias(f"{prefix}prec"),
        )
    text = pl.col(column).dt.strftime("%Y-%m-%d") if schema[column] == pl.Date else pl.col(column).cast(pl.String)
    first, last = published_bounds(text)
    return lf.with_columns(
        first.alias(f"{prefix}first"), last.alias(f"{prefix}last"), _date_precision(text).alias(f"{prefix}prec")
    )


def _typed_fields(lf: pl.LazyFrame) -> pl.LazyFrame:
    """The matched text fields as numbers (month, day, quarter, weekday...)."""
    kind = pl.col("__rule").replace_strict(
        {i: r.kind for i, r in enumerate(RULES)}, default=None, return_dtype=pl.String
    )
    return lf.with_columns(
        pl.when(pl.concat_str("__pre", "__mid", separator=" ", ignore_nulls=True).str.contains(FILLER_VETO))
        .then(None)
        .otherwise(kind)
        .alias("__kind"),
        pl.when(pl.col("__ty").is_not_null())
        .then(pl.col("__pfirst").dt.year())
        .otherwise(pl.col("__y").cast(pl.Int32, strict=False))
        .alias("__year"),
        pl.col("__y2").cast(pl.Int32, strict=False).alias("__year2"),
        _month_number(pl.col("__m")).alias("__mon"),
        _month_number(pl.col("__m2")).alias("__mon2"),
        pl.col("__d").cast(pl.Int32, strict=False).alias("__dd"),
        pl.col("__d2").cast(pl.Int32, strict=False).alias("__dd2"),
        pl.col("__q").replace_strict(ORDINAL_QUARTERS, default=None, return_dtype=pl.Int32).alias("__qq"),
        pl.col("__n")
        .fill_null("1")
        .replace_strict({**{str(i): i for i in range(100)}, **SMALL_NUMBERS}, default=None, return_dtype=pl.Int32)
        .alias("__nn"),
        pl.col("__unit").replace_strict(UNITS, default=None, return_dtype=pl.String).alias("__uu"),
        pl.col("__part").replace_strict(PART_OF_MONTH, default=1, return_dtype=pl.Int32).alias("__day1"),
        pl.col("__wd").replace_strict(WEEKDAYS, default=None, return_dtype=pl.Int32).alias("__wday"),
    ).with_columns(
        # A span with one month ("March 10-22", "10月20日至25日") ends in the month it starts in.
        pl.coalesce("__mon", "__mon2").alias("__mon"),
        pl.coalesce("__mon2", "__mon").alias("__mon2"),
    )


def _span(kind: pl.Expr, P: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Start and end of a month or day span. A year printed at either end dates the other: the
    span crosses the new year when its end comes before its start within a year."""
    d1, d2 = pl.coalesce(pl.col("__dd"), pl.lit(1)), pl.coalesce(pl.col("__dd2"), pl.lit(1))
    wraps = (pl.col("__mon") * 100 + d1 > pl.col("__mon2") * 100 + d2).cast(pl.Int32)
    unnamed = _latest_not_after(_day(pl.col("__pfirst").dt.year(), pl.col("__mon"), d1), P)
    start = (
        pl.when(pl.col("__year").is_not_null())
        .then(_day(pl.col("__year"), pl.col("__mon"), d1))
        .when(pl.col("__year2").is_not_null())
        .then(_day(pl.col("__year2") - wraps, pl.col("__mon"), d1))
        .otherwise(unnamed)
    )
    end_year = pl.coalesce(pl.col("__year2"), start.dt.year() + wraps)
    end = _day(end_year, pl.col("__mon2"), d2)
    return start, pl.when(kind == "month_span").then(end.dt.month_end()).otherwise(end)


def _on_or_before(P: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The latest day with the printed weekday, and the latest day with the printed day of the month, not after P."""
    weekday = P - pl.duration(days=(P.dt.weekday().cast(pl.Int32) - pl.col("__wday") + 7) % 7)
    this_month = _day(P.dt.year(), P.dt.month(), pl.col("__dd"))
    last_month = P.dt.offset_by("-1mo")
    day_of_month = (
        pl.when(this_month <= P)
        .then(this_month)
        .otherwise(_day(last_month.dt.year(), last_month.dt.month(), pl.col("__dd")))
    )
    return weekday, day_of_month


def _start_end(kind: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The period's first and last day, before the checks on publication."""
    P, year, explicit = (
        pl.col("__plast"),
        pl.coalesce(pl.col("__year"), pl.col("__pfirst").dt.year()),
        pl.col("__year").is_not_null(),
    )

    def dated(start: pl.Expr) -> pl.Expr:
        return pl.when(explicit).then(start).otherwise(_latest_not_after(start, P))

    quarter_start = dated(_day(year, (pl.col("__qq") - 1) * 3 + 1, pl.lit(1)))
    month_start = dated(_day(year, pl.col("__mon"), pl.lit(1)))
    span_start, span_end = _span(kind, P)
    named_day = dated(_day(year, pl.col("__mon"), pl.col("__dd")))
    since_month = dated(_day(year, pl.col("__mon"), pl.col("__day1")))
    weekday, day_of_month = _on_or_before(P)
    length = pl.format("{}{}", pl.col("__nn"), pl.col("__uu"))
    previous_year = pl.col("__pfirst").dt.year() - 1
    cs, ce = pl.col("__csfirst"), pl.col("__celast")
    start = (
        pl.when(kind == "ytd")
        .then(_day(year, pl.lit(1), pl.lit(1)))
        .when(kind.is_in(["since_year", "year"]))
        .then(_day(pl.col("__year"), pl.lit(1), pl.lit(1)))
        .when(kind.is_in(["last_year", "whole_year"]))
        .then(_day(previous_year, pl.lit(1), pl.lit(1)))
        .when(kind == "quarter")
        .then(quarter_start)
        .when(kind.is_in(["month_span", "day_span"]))
        .then(span_start)
        .when(kind == "since_day")
        .then(named_day)
        .when(kind == "since_month")
        .then(since_month)
        .when(kind.is_in(["this_month", "since_this_month"]))
        .then(P.dt.month_start())
        .when(kind == "month")
        .then(month_start)
        .when(kind == "past")
        .then(P.dt.offset_by(pl.format("-{}", length)))
        .when(kind == "weekday")
        .then(weekday)
        .when(kind == "day_of_month")
        .then(day_of_month)
        .when(kind.is_in(CAMPAIGN_KINDS))
        .then(cs)
    )
    end = (
        pl.when(kind.is_in(ENDS_AT_PUBLICATION))
        .then(P)
        .when(kind == "year")
        .then(_day(pl.col("__year"), pl.lit(12), pl.lit(31)))
        .when(kind.is_in(["last_year", "whole_year"]))
        .then(_day(previous_year, pl.lit(12), pl.lit(31)))
        .when(kind == "quarter")
        .then(quarter_start.dt.offset_by("3mo").dt.offset_by("-1d"))
        .when(kind.is_in(["month_span", "day_span"]))
        .then(span_end)
        .when(kind == "month")
        .then(month_start.dt.month_end())
        .when(kind == "as_of")
        .then(named_day)
        .when(kind == "weekday")
        .then(weekday)
        .when(kind == "day_of_month")
        .then(day_of_month)
        .when(kind == "campaign")
        .then(ce)
        .when(kind == "after_launch")
        .then(cs.dt.offset_by(length).dt.offset_by("-1d"))
    )
    return start, end


def _precision(kind: pl.Expr) -> pl.Expr:
    """The rule's precision; a length in months or years is counted to that unit; the campaign's
    dates bring their own; an end at publication is no more precise than the publication date."""
    rule = pl.col("__rule").replace_strict(
        {i: r.precision for i, r in enumerate(RULES)}, default=None, return_dtype=pl.String
    )
    unit = pl.col("__uu").replace_strict({"mo": "month", "y": "year"}, default="day", return_dtype=pl.String)
    precision = (
        pl.when(kind.is_in(["past", "after_launch"]))
        .then(unit)
        .when(kind == "campaign")
        .then(_coarser(pl.col("__csprec"), pl.col("__ceprec")))
        .when(kind == "since_campaign")
        .then(pl.col("__csprec"))
        .otherwise(rule)
    )
    precision = pl.when(kind == "after_launch").then(_coarser(precision, pl.col("__csprec"))).otherwise(precision)
    return pl.when(kind.is_in(ENDS_AT_PUBLICATION)).then(_coarser(precision, pl.col("__pprec"))).otherwise(precision)


def _reason(kind: pl.Expr, start: pl.Expr, end: pl.Expr, empty: pl.Expr) -> pl.Expr:
    """Why a phrase is not resolved, or null when it is (or when there is no phrase)."""
    P = pl.col("__plast")
    fixed = pl.col("__rule").replace_strict(
        {i: r.reason for i, r in enumerate(RULES)}, default=None, return_dtype=pl.String
    )
    relative = kind.is_in(ALWAYS_RELATIVE) | (
        kind.is_in(RELATIVE_WITHOUT_YEAR) & pl.col("__year").is_null() & pl.col("__year2").is_null()
    )
    needs_day = kind.is_in(["weekday", "day_of_month"])
    campaign_unknown = (kind.is_in(CAMPAIGN_KINDS) & pl.col("__csfirst").is_null()) | (
        (kind == "campaign") & pl.col("__celast").is_null()
    )
    # A whole year is over only in the next year; a year-end review appears in its first months.
    whole_year_unclear = (kind == "whole_year") & ~(
        (pl.col("__pfirst").dt.month() <= 3)
        & (pl.col("__plast").dt.month() <= 3)
        & (pl.col("__pfirst").dt.year() == P.dt.year())
    )
    has_no_start = kind.is_in(["as_of", "to_date"])
    return (
        pl.when(empty)
        .then(None)
        .when(kind.is_null())
        .then(pl.lit("phrase not understood"))
        .when(fixed.is_not_null())
        .then(fixed)
        .when(relative & P.is_null())
        .then(pl.lit("relative phrase, but the page's publication date is unknown"))
        .when(needs_day & (pl.col("__pprec") != "day"))
        .then(pl.lit("a weekday or a day of the month needs the day the page was published"))
        .when(campaign_unknown)
        .then(pl.lit("campaign dates not known"))
        .when((kind == "since_campaign") & P.is_null())
        .then(pl.lit("runs to publication, but the page's publication date is unknown"))
        .when(whole_year_unclear)
        .then(pl.lit("'the whole year' on a page not published in January to March: which year is not clear"))
        .when((start.is_null() & ~has_no_start) | (end.is_null() & has_no_start))
        .then(pl.lit("phrase names a date that does not exist"))
        .when(start.is_not_null() & end.is_not_null() & (start > end))
        .then(pl.lit("period would end before it starts"))
        .when(start.is_not_null() & P.is_not_null() & (start > P))
        .then(pl.lit("period would start after the page was published"))
        .when(end.is_not_null() & P.is_not_null() & (end > P))
        .then(pl.lit("period would end after the page was published"))
    )


def resolve_periods(
    lf: pl.LazyFrame | pl.DataFrame,
    text: str,
    published: str,
    campaign_start: str | None = None,
    campaign_end: str | None = None,
) -> pl.LazyFrame:
    """Add period_start, period_end, period_precision, period_status, period_reason.

    `text` holds the phrase as printed; `published` the page's date (YYYY-MM-DD, YYYY-MM or YYYY).
    `campaign_start` / `campaign_end` name optional columns with the dates of the report's
    campaign (Date, or text as `published`); "during the campaign" and its kin resolve to them,
    and stay unresolved ("campaign dates not known") when the columns are not given or null.
    period_status is "resolved", "unresolved" (with period_reason) or "none" (no phrase).
    """
    lf = lf.lazy()
    norm = "__pnorm"
    p_first, p_last = published_bounds(pl.col(published))
    lf = lf.with_columns(
        _normalise(pl.col(text)).alias(norm),
        p_first.alias("__pfirst"),
        p_last.alias("__plast"),
        _date_precision(pl.col(published)).alias("__pprec"),
    )
    lf = _dates_column(_dates_column(lf, campaign_start, "__cs"), campaign_end, "__ce")
    lf = _typed_fields(_match_rules(lf, norm))
    kind, P = pl.col("__kind"), pl.col("__plast")
    start, end = _start_end(kind)
    lf = lf.with_columns(start.alias("__start"), end.alias("__end"), _precision(kind).alias("__prec"))
    start, end, precision = pl.col("__start"), pl.col("__end"), pl.col("__prec")
    # A named period still running at publication can only be counted up to that day.
    running = end.is_not_null() & P.is_not_null() & (end > P) & start.is_not_null() & (start <= P)
    lf = lf.with_columns(
        pl.when(running).then(P).otherwise(end).alias("__end"),
        pl.when(running).then(_coarser(precision, pl.col("__pprec"))).otherwise(precision).alias("__prec"),
    )
    empty = pl.col(text).is_null() | (pl.col(norm) == "")
    lf = lf.with_columns(_reason(kind, start, pl.col("__end"), empty).alias("__reason"))
    resolved = pl.col("__reason").is_null() & ~empty
    return lf.with_columns(
        pl.when(resolved).then(pl.col("__start")).alias("period_start"),
        pl.when(resolved).then(pl.col("__end")).alias("period_end"),
        pl.when(resolved).then(pl.col("__prec")).alias("period_precision"),
        pl.when(empty)
        .then(pl.lit("none"))
        .when(resolved)
        .then(pl.lit("resolved"))
        .otherwise(pl.lit("unresolved"))
        .alias("period_status"),
        pl.col("__reason").alias("period_reason"),
    ).drop(pl.selectors.starts_with("__"))
