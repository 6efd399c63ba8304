"""Writing outputs so that they are byte-identical for the same inputs and safe to open.

CSV exports are for people with spreadsheets; Parquet keeps every value exactly. So a CSV:
- begins with a UTF-8 byte-order mark, without which Excel on Windows reads UTF-8 as the local
  code page and garbles 近1.1万 (polars, pandas and Python's csv with encoding="utf-8-sig" skip it);
- gives decimal numbers (the per-million ratios) to 4 significant digits: the reach figures they
  are divided by are printed with 3 or 4, so more digits would be noise (Parquet has them all);
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


def _cell(col: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col)
    if dtype == pl.Date:
        text = c.dt.strftime("%Y-%m-%d")
    elif dtype.is_float():
        text = c.round_sig_figs(SIGNIFICANT_DIGITS).cast(pl.String)
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
