"""Resolving printed period phrases ("since late October", "今年以来", "from April to June") to dates.

A phrase becomes period_start / period_end with a precision (day, month, quarter, year).
Relative phrases are resolved against the publication date of the page that printed them
("since the start of the year" on a page of 2018-12-09 is 2018-01-01 to 2018-12-09); a month
or quarter named without a year is the latest one not after publication. A phrase that fits no
rule, or a relative phrase on a page of unknown date, is `unresolved` with the reason: the
period is reported, never guessed.

Note for analysts: a repost resolves relative phrases against its own date. Where that is
wrong, give period_start / period_end in reports.csv; they win over the phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from censorstats.parse.text import normalise
from censorstats.schemas import published_bounds

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
SMALL_NUMBERS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), start=1)}
SMALL_NUMBERS |= {"a": 1, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
NUMW = r"(?:[0-9]{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|[一两二三四五六七八九十])"
ORDINAL_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "一": 1, "二": 2, "三": 3, "四": 4,
                    "1": 1, "2": 2, "3": 3, "4": 4}
UNITS = {"hour": "h", "day": "d", "天": "d", "week": "w", "周": "w", "month": "mo", "月": "mo", "year": "y", "年": "y"}
PART_OF_MONTH = {"early": 1, "上旬": 1, "mid": 11, "中旬": 11, "late": 21, "下旬": 21}
PRECISION_ORDER = ["day", "month", "quarter", "year"]

SINCE = r"(?:since|began|begun|beginning|launched|started|starting)"


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: str
    precision: str


# Tried in order; the first rule whose pattern matches the whole phrase decides.
RULES = [
    Rule("ytd", r"^(?:since |from )?(?:the )?(?:start|beginning) of (?:this|the) year$|^(?:since |in )?this year$|^今年(?:以来)?$", "day"),
    Rule("since_year", rf"^{SINCE} (?:the (?:start|beginning) of )?(?P<y>[0-9]{{4}})$|^(?P<y2>[0-9]{{4}})年以来$", "day"),
    Rule("year", r"^(?:in |during |throughout |for )?(?P<y>[0-9]{4})(?: alone)?$|^(?P<y2>[0-9]{4})年?(?:全年|年度)?$", "year"),
    Rule("last_year", r"^(?:in |during )?last year$|^去年(?:全年)?$", "year"),
    Rule("quarter", r"^(?:in |during )?(?:the )?(?P<q>first|second|third|fourth) quarter(?: of (?P<y>[0-9]{4}))?$"
                    r"|^(?:(?P<y2>[0-9]{4})年?)?第?(?P<q2>[一二三四])季度$|^q(?P<q3>[1-4]) (?P<y3>[0-9]{4})$|^(?P<y4>[0-9]{4})年?q(?P<q4>[1-4])$", "quarter"),
    Rule("month_span", rf"^(?:from |between )?(?P<m>{MONTH}) (?:to|and|-) (?P<m2>{MONTH})(?: this year| (?P<y>[0-9]{{4}}))?$"
                       r"|^(?P<mc>[0-9]{1,2})月(?:至|到|-)(?P<m2c>[0-9]{1,2})月$", "month"),
    Rule("day_span", rf"^(?:from |between )?(?P<m>{MONTH}) (?P<d>[0-9]{{1,2}}) (?:to|and|-) (?P<m2>{MONTH}) (?P<d2>[0-9]{{1,2}})$"
                     rf"|^(?:from |between )?(?P<da>[0-9]{{1,2}}) (?P<ma>{MONTH}) (?:to|and|-) (?P<d2a>[0-9]{{1,2}}) (?P<m2a>{MONTH})$", "day"),
    Rule("since_day", rf"^(?:.*?\b)?{SINCE}\b(?:.*?\b)?(?:on )?(?P<m>{MONTH}) (?P<d>[0-9]{{1,2}})(?: this year)?$"
                      rf"|^{SINCE} (?P<da>[0-9]{{1,2}}) (?P<ma>{MONTH})$"
                      r"|^从?(?P<mc>[0-9]{1,2})月(?P<dc>[0-9]{1,2})日(?:以来|至今)$", "day"),
    Rule("since_month", rf"^(?:.*?\b)?{SINCE}\b(?:.*?\b)?(?:in )?(?:(?P<part>late|early|mid)[- ])?(?P<m>{MONTH})(?: (?P<y>[0-9]{{4}}))?$"
                        r"|^(?P<mc>[0-9]{1,2})月(?P<partc>上旬|中旬|下旬)?以来$", "month"),
    Rule("month", rf"^(?:in |during )?(?P<m>{MONTH})(?: this year| (?P<y>[0-9]{{4}}))?$|^(?:(?P<yc>[0-9]{{4}})年)?(?P<mc>[0-9]{{1,2}})月(?:份)?$", "month"),
    Rule("as_of", rf"^(?:as of|as at|by|up to) (?P<m>{MONTH}) (?P<d>[0-9]{{1,2}})$|^(?:截至|截止)(?:(?P<yc>[0-9]{{4}})年)?(?P<mc>[0-9]{{1,2}})月(?P<dc>[0-9]{{1,2}})日$", "day"),
    Rule("past", rf"^(?:over |in |during |for )?the (?:past|last) (?:(?P<n>{NUMW}) )?(?P<unit>hour|day|week|month|year)s?$"
                 rf"|^in (?P<n2>{NUMW}) (?P<unit2>week|month|day)s?(?:'s)? time$"
                 rf"|^(?:近|过去)?(?P<nc>{NUMW})个?(?P<unitc>天|周|月|年)(?:以来|来)$", "day"),
]

_FIELD_ALIASES = {
    "y": ["y", "y2", "y3", "y4", "yc"], "m": ["m", "mc", "ma"], "d": ["d", "dc", "da"], "m2": ["m2", "m2c", "m2a"],
    "d2": ["d2", "d2a"], "q": ["q", "q2", "q3", "q4"], "n": ["n", "n2", "nc"], "unit": ["unit", "unit2", "unitc"],
    "part": ["part", "partc"],
}


def _normalise(text: pl.Expr) -> pl.Expr:
    """The shared normal form, without commas ("October 20, 2018") or a final full stop."""
    return normalise(text).str.replace_all(",", "", literal=True).str.replace_all(r"\s+", " ").str.strip_chars(" .")


def _month_number(m: pl.Expr) -> pl.Expr:
    named = m.str.slice(0, 3).replace_strict(MONTHS, default=None, return_dtype=pl.Int32)
    return pl.when(m.str.contains(r"^[0-9]+$")).then(m.cast(pl.Int32, strict=False)).otherwise(named)


def _day(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A calendar date, or null when y-m-d is not a real day (no guessing of Feb 30)."""
    return pl.format("{}-{}-{}", y, m.cast(pl.String).str.zfill(2), d.cast(pl.String).str.zfill(2)).str.to_date("%Y-%m-%d", strict=False)


def _latest_not_after(start: pl.Expr, reference: pl.Expr) -> pl.Expr:
    """Move a date named without its year back one year when it would fall after publication."""
    return pl.when(start > reference).then(start.dt.offset_by("-1y")).otherwise(start)


def _coarser(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    rank = {p: i for i, p in enumerate(PRECISION_ORDER)}
    ra = a.replace_strict(rank, default=None, return_dtype=pl.Int8)
    rb = b.replace_strict(rank, default=None, return_dtype=pl.Int8)
    return pl.max_horizontal(ra, rb).replace_strict({v: k for k, v in rank.items()}, default=None, return_dtype=pl.String)


def resolve_periods(lf: pl.LazyFrame | pl.DataFrame, text: str, published: str) -> pl.LazyFrame:
    """Add period_start, period_end, period_precision, period_status, period_reason.

    `text` holds the phrase as printed; `published` the page's date (YYYY-MM-DD, YYYY-MM or YYYY).
    """
    lf = lf.lazy()
    norm = "__pnorm"
    lf = lf.with_columns(_normalise(pl.col(text)).alias(norm))
    first_match = pl.lit(None, pl.Int32)
    for i, rule in reversed(list(enumerate(RULES))):
        first_match = pl.when(pl.col(norm).str.contains(rule.pattern)).then(pl.lit(i, pl.Int32)).otherwise(first_match)
    lf = lf.with_columns(first_match.alias("__rule"))
    fields: dict[str, list[pl.Expr]] = {k: [] for k in _FIELD_ALIASES}
    for i, rule in enumerate(RULES):
        groups = pl.col(norm).str.extract_groups(rule.pattern)
        names = set(re.findall(r"\?P<(\w+)>", rule.pattern))
        for field, aliases in _FIELD_ALIASES.items():
            for alias in aliases:
                if alias in names:
                    fields[field].append(pl.when(pl.col("__rule") == i).then(groups.struct.field(alias)))
    lf = lf.with_columns(
        [pl.coalesce(exprs).alias(f"__{k}") if exprs else pl.lit(None, pl.String).alias(f"__{k}") for k, exprs in fields.items()]
    )
    p_first, p_last = published_bounds(pl.col(published))
    p_precision = pl.col(published).str.len_chars().replace_strict({10: "day", 7: "month", 4: "year"}, default=None, return_dtype=pl.String)
    lf = lf.with_columns(
        p_first.alias("__pfirst"), p_last.alias("__plast"), p_precision.alias("__pprec"),
        pl.col("__rule").replace_strict({i: r.kind for i, r in enumerate(RULES)}, default=None, return_dtype=pl.String).alias("__kind"),
        pl.col("__y").cast(pl.Int32, strict=False).alias("__year"),
        _month_number(pl.col("__m")).alias("__mon"),
        _month_number(pl.col("__m2")).alias("__mon2"),
        pl.col("__d").cast(pl.Int32, strict=False).alias("__dd"),
        pl.col("__d2").cast(pl.Int32, strict=False).alias("__dd2"),
        pl.col("__q").replace_strict(ORDINAL_QUARTERS, default=None, return_dtype=pl.Int32).alias("__qq"),
        pl.col("__n").fill_null("1").replace_strict({**{str(i): i for i in range(100)}, **SMALL_NUMBERS}, default=None, return_dtype=pl.Int32).alias("__nn"),
        pl.col("__unit").replace_strict(UNITS, default=None, return_dtype=pl.String).alias("__uu"),
        pl.col("__part").replace_strict(PART_OF_MONTH, default=1, return_dtype=pl.Int32).alias("__day1"),
    )
    kind, P = pl.col("__kind"), pl.col("__plast")
    year = pl.coalesce(pl.col("__year"), pl.col("__pfirst").dt.year())
    explicit_year = pl.col("__year").is_not_null()

    def dated(start: pl.Expr) -> pl.Expr:
        return pl.when(explicit_year).then(start).otherwise(_latest_not_after(start, P))

    quarter_start = dated(_day(year, (pl.col("__qq") - 1) * 3 + 1, pl.lit(1)))
    month_start = dated(_day(year, pl.col("__mon"), pl.lit(1)))
    span_start = dated(_day(year, pl.col("__mon"), pl.coalesce(pl.col("__dd"), pl.lit(1))))
    span_end_same_year = _day(span_start.dt.year(), pl.col("__mon2"), pl.coalesce(pl.col("__dd2"), pl.lit(1)))
    span_end = pl.when(kind == "month_span").then(span_end_same_year.dt.month_end()).otherwise(span_end_same_year)
    since_day = dated(_day(year, pl.col("__mon"), pl.col("__dd")))
    since_month = dated(_day(year, pl.col("__mon"), pl.col("__day1")))
    as_of = dated(_day(year, pl.col("__mon"), pl.col("__dd")))
    past_start = P.dt.offset_by(pl.format("-{}{}", pl.col("__nn"), pl.col("__uu")))
    start = (
        pl.when(kind == "ytd").then(_day(year, pl.lit(1), pl.lit(1)))
        .when(kind.is_in(["since_year", "year"])).then(_day(pl.col("__year"), pl.lit(1), pl.lit(1)))
        .when(kind == "last_year").then(_day(pl.col("__pfirst").dt.year() - 1, pl.lit(1), pl.lit(1)))
        .when(kind == "quarter").then(quarter_start)
        .when(kind.is_in(["month_span", "day_span"])).then(span_start)
        .when(kind == "since_day").then(since_day)
        .when(kind == "since_month").then(since_month)
        .when(kind == "month").then(month_start)
        .when(kind == "past").then(past_start)
    )
    end: pl.Expr = (
        pl.when(kind.is_in(["ytd", "since_year", "since_day", "since_month", "past"])).then(P)
        .when(kind == "year").then(_day(pl.col("__year"), pl.lit(12), pl.lit(31)))
        .when(kind == "last_year").then(_day(pl.col("__pfirst").dt.year() - 1, pl.lit(12), pl.lit(31)))
        .when(kind == "quarter").then(quarter_start.dt.offset_by("3mo").dt.offset_by("-1d"))
        .when(kind.is_in(["month_span", "day_span"])).then(span_end)
        .when(kind == "month").then(month_start.dt.month_end())
        .when(kind == "as_of").then(as_of)
    )
    relative = kind.is_in(["ytd", "since_day", "since_month", "past", "last_year"]) | (
        kind.is_in(["quarter", "month_span", "day_span", "month", "as_of"]) & ~explicit_year
    )
    rule_precision: pl.Expr = pl.col("__rule").replace_strict({i: r.precision for i, r in enumerate(RULES)}, default=None, return_dtype=pl.String)
    rule_precision = pl.when((kind == "past") & pl.col("__uu").is_in(["mo", "y"])).then(
        pl.col("__uu").replace_strict({"mo": "month", "y": "year"}, default=None, return_dtype=pl.String)).otherwise(rule_precision)
    ends_at_publication = kind.is_in(["ytd", "since_year", "since_day", "since_month", "past"])
    precision = pl.when(ends_at_publication).then(_coarser(rule_precision, pl.col("__pprec"))).otherwise(rule_precision)
    # A named year, quarter or month still running at publication can only be counted up to that day.
    running = end.is_not_null() & P.is_not_null() & (end > P) & start.is_not_null() & (start <= P)
    end = pl.when(running).then(P).otherwise(end)
    precision = pl.when(running).then(_coarser(precision, pl.col("__pprec"))).otherwise(precision)
    empty = pl.col(text).is_null() | (pl.col(norm) == "")
    reason = (
        pl.when(empty).then(None)
        .when(kind.is_null()).then(pl.lit("phrase not understood"))
        .when(relative & P.is_null()).then(pl.lit("relative phrase, but the page's publication date is unknown"))
        .when((start.is_null() & (kind != "as_of")) | end.is_null() & (kind == "as_of")).then(pl.lit("phrase names a date that does not exist"))
        .when(start.is_not_null() & end.is_not_null() & (start > end)).then(pl.lit("period would end before it starts"))
        .when(end.is_not_null() & P.is_not_null() & (end > P) & ~ends_at_publication).then(pl.lit("period would end after the page was published"))
    )
    lf = lf.with_columns(reason.alias("__reason"), start.alias("__start"), end.alias("__end"), precision.alias("__prec"))
    resolved = pl.col("__reason").is_null() & ~empty
    return lf.with_columns(
        pl.when(resolved).then(pl.col("__start")).alias("period_start"),
        pl.when(resolved).then(pl.col("__end")).alias("period_end"),
        pl.when(resolved).then(pl.col("__prec")).alias("period_precision"),
        pl.when(empty).then(pl.lit("none")).when(resolved).then(pl.lit("resolved")).otherwise(pl.lit("unresolved")).alias("period_status"),
        pl.col("__reason").alias("period_reason"),
    ).drop(pl.selectors.starts_with("__"))
