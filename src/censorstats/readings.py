"""What a printed figure tells a careful reader, beyond what its words literally guarantee.

The parser gives each printed figure its *literal* interval: "more than 810,000" is at least
810,000 and has no upper end. A reader infers more from how the figure is printed. The place of
its last significant digit, u (100 for 9,800; 10,000 for 810,000; 10,000,000 for "10 million"),
says how precisely the writer knew it, and the qualifier says which way it leans. The *implied*
interval of a printed number N:

| printed            | implied interval                              | why                                       |
|--------------------|-----------------------------------------------|-------------------------------------------|
| exact, N < 1,000   | N to N                                        | small counts are copied, not rounded      |
| exact, N ≥ 1,000   | N - min(u/2, N/10) to N + min(u, N/10) - 1    | a rounding to nearest, or a cut-down, of the \
official figure |
| about N            | N - min(u, N/10) to N + min(u, N/10)          | rounded either way                        |
| more than N        | N + 1 to N + max(u, 10) - 1                   | more than N, but below the next step of its \
last digit (81万余: 810,001 to 819,999) |
| nearly N, up to N  | N - min(u, N/10) to N                         | a little under N                          |
| a range            | its two ends as printed                       |                                           |

A single-digit figure's place is the number itself ("10,000", "nearly 10 million"), which would
allow anything from half to double: N/10 caps the allowance there, so "nearly 10,000" is 9,000
to 10,000 and "10,000" is 9,000 to 10,999. "more than N" is not capped: "over 1 billion" for
1.34 billion is a true, if loose, rounding, and a round "more than 1 million" is wide by nature
(1,000,001 to 1,999,999). Known exceptions, to be settled by an override in corrections.csv:
"less than N" and "under N" are read like "nearly N" (the parser gives them one qualifier); "at
least N" and "no fewer than N" allow N itself, which the implied interval of "more than N" does not.

Two reports can relay one official figure only if their implied intervals overlap. So "nearly
10 million" and "over 10 million" cannot both be right, nor can "almost 187,000" and 187,500,
while 9,800, "more than 9,800", "nearly 10,000" and "10,000" all fit 9800多个.

This module also holds the two rules every later stage shares: how sources rank, and when two
figures are a power of ten apart.
"""

from __future__ import annotations

import math

import polars as pl

SOURCE_RANK = {
    "official": 0,
    "company": 1,
    "wire": 2,
    "press": 3,
    "blog": 4,
    "aggregator": 5,
    "mirror": 6,
    "estimate": 7,
}
AUTHORITATIVE = ("official", "company")
ROUNDED_FROM = 1_000  # exact figures below this are taken as printed
ANNOUNCEMENT_LANGUAGE = "zh"  # every authority in scope announces in Chinese: its text keeps 余, 多, 近


def source_rank(source_type: pl.Expr | str = "source_type") -> pl.Expr:
    """The rank of a source type in SOURCE_RANK; a type not listed ranks after every listed one."""
    column = pl.col(source_type) if isinstance(source_type, str) else source_type
    return column.replace_strict(SOURCE_RANK, default=len(SOURCE_RANK), return_dtype=pl.Int64)


def _trailing_zeros(n: pl.Expr) -> pl.Expr:
    text = n.cast(pl.String)
    return (text.str.len_chars() - text.str.strip_chars_end("0").str.len_chars()).clip(upper_bound=18)


def digit_place(n: pl.Expr) -> pl.Expr:
    """The place of the last significant digit: 100 for 9,800, 1 for 9,382 (and for 0)."""
    return (
        pl.when(n == 0).then(pl.lit(1, pl.Int64)).otherwise(pl.lit(10, pl.Int64).pow(_trailing_zeros(n).cast(pl.Int64)))
    )


def significant_digits(n: pl.Expr) -> pl.Expr:
    """Digits the writer committed to: 2 for 9,800, 4 for 92.76万, 1 for "10 million"."""
    return n.cast(pl.String).str.strip_chars_end("0").str.len_chars().cast(pl.Int64).clip(lower_bound=1)


def printed_number(qualifier: str = "qualifier") -> pl.Expr:
    """The number the words print: the upper end of "nearly N", else the lower end (a range's first number)."""
    return pl.when(pl.col(qualifier) == "at_most").then(pl.col("value_high")).otherwise(pl.col("value_low"))


def implied_interval(n: pl.Expr, qualifier_column: str = "qualifier") -> tuple[pl.Expr, pl.Expr]:
    """(low, high) a careful reader infers from the printed number n and its qualifier (module doc)."""
    qualifier = pl.col(qualifier_column)
    u, tenth = digit_place(n), n // 10
    near = pl.min_horizontal(u, tenth)
    step = pl.max_horizontal(u, pl.lit(10, pl.Int64))
    small = n < ROUNDED_FROM
    low = (
        pl.when(qualifier == "range")
        .then(pl.col("value_low"))
        .when(qualifier == "at_least")
        .then(n + 1)
        .when(qualifier.is_in(["approx", "at_most"]))
        .then(n - near)
        .when(small)
        .then(n)
        .otherwise(n - pl.min_horizontal(u // 2, tenth))
    )
    high = (
        pl.when(qualifier == "range")
        .then(pl.col("value_high"))
        .when(qualifier == "at_least")
        .then(n + step - 1)
        .when(qualifier == "approx")
        .then(n + near)
        .when(qualifier == "at_most")
        .then(n)
        .when(small)
        .then(n)
        .otherwise(n + pl.max_horizontal(near, pl.lit(1, pl.Int64)) - 1)
    )
    return low.clip(lower_bound=0), high


def power_of_ten(ratio: pl.Expr) -> pl.Expr:
    """How many powers of ten a ratio of two figures is: log10 rounded (from about 3.16 times apart, 1)."""
    return ratio.log10().round(0).cast(pl.Int64)


def powers_of_ten(ratio: float) -> int:
    """power_of_ten for one ratio, for code that draws rather than tabulates."""
    if ratio <= 0:
        return 0
    x = math.log10(ratio)
    return int(math.copysign(math.floor(abs(x) + 0.5), x))  # half away from zero, as Polars rounds


def rounds_to(printed: int, true: int) -> bool:
    """Could `printed` be `true` rounded to nearest, or cut down, at printed's last significant digit?"""
    u = 10 ** (len(str(printed)) - len(str(printed).rstrip("0"))) if printed else 1
    return printed - u // 2 <= true < printed + u


def rounds_to_expr(printed: pl.Expr, true: pl.Expr) -> pl.Expr:
    """rounds_to for columns: the same rule, for the claims stage's headline check."""
    u = digit_place(printed)
    return (printed - u // 2 <= true) & (true < printed + u)


def commas(n: pl.Expr) -> pl.Expr:
    """12345678 -> "12,345,678"."""
    return n.cast(pl.String).str.reverse().str.replace_all(r"([0-9]{3})", "$1,").str.strip_chars_end(",").str.reverse()
