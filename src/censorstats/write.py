"""Writing outputs so that they are byte-identical for the same inputs and safe to open.

CSV exports are for people with spreadsheets; Parquet keeps every value exactly. So a CSV:
- begins with a UTF-8 byte-order mark, without which Excel on Windows reads UTF-8 as the local
  code page and garbles 近1.1万 (polars, pandas and Python's csv with encoding="utf-8-sig" skip it);
- gives decimal numbers (the per-million ratios) to 4 significant digits: the reach figures they
  are divided by are printed with 3 or 4, so more digits would be noise (Parquet has them all).
  An interval's ends are rounded outwards (a `_low` column down, a `_high` column up), so the
  CSV's interval always holds the exact one; any other decimal goes to the nearest;
- neutralises cells that a spreadsheet would run as formulas: such a cell is quoted and prefixed
  with a single quote.
The CSV text is built with Polars expressions.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
BOM = "\ufeff"
SIGNIFICANT_DIGITS = 4


def rounded_outwards(c: pl.Expr, up: bool) -> pl.Expr:
    """`c` to SIGNIFICANT_DIGITS, rounded down (or up). Scaled by an exact power of ten either way,
    and the product rounded to 9 decimals first, so that float noise (2219.0000000000005) cannot
    push a value that is already exact a step outwards."""
    shift = SIGNIFICANT_DIGITS - 1 - c.abs().log10().floor().cast(pl.Int64)
    ten = pl.lit(10.0).pow(shift.abs())
    scaled = pl.when(shift >= 0).then(c * ten).otherwise(c / ten).round(9)
    whole = scaled.ceil() if up else scaled.floor()
    return pl.when(c == 0).then(c).otherwise(pl.when(shift >= 0).then(whole / ten).otherwise(whole * ten))


def _significant(c: pl.Expr, col: str) -> pl.Expr:
    if col.endswith("_low"):
        return rounded_outwards(c, up=False)
    if col.endswith("_high"):
        return rounded_outwards(c, up=True)
    return c.round_sig_figs(SIGNIFICANT_DIGITS)


def _cell(col: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col)
    if dtype == pl.Date:
        text = c.dt.strftime("%Y-%m-%d")
    elif dtype.is_float():
        text = _significant(c, col).cast(pl.String)
    elif dtype == pl.Boolean:
        text = pl.when(c).then(pl.lit("true")).otherwise(pl.lit("false"))
    else:
        text = c.cast(pl.String)
    if dtype == pl.String:
        formula = text.str.contains(FORMULA_START)
        text = pl.when(formula).then(pl.lit("'") + text).otherwise(text)
        needs_quotes = formula | text.str.contains(r'[",\r\n]') | (text != text.str.strip_chars())
        text = (
            pl.when(needs_quotes)
            .then(pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"'))
            .otherwise(text)
        )
    return text.fill_null("")


def csv_text(df: pl.DataFrame) -> str:
    """RFC 4180 CSV with LF line endings, formula-like cells neutralised."""
    header = ",".join(df.columns)
    if df.height == 0:
        return header + "\n"
    lines = df.select(pl.concat_str([_cell(c, t) for c, t in df.schema.items()], separator=",").alias("line"))["line"]
    return header + "\n" + "\n".join(lines.to_list()) + "\n"


def write_table(df: pl.DataFrame, parquet: Path, csv: Path) -> None:
    parquet.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(parquet, compression="zstd", statistics=False)
    csv.write_text(BOM + csv_text(df), encoding="utf-8", newline="")
