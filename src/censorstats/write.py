"""Writing outputs so that they are byte-identical for the same inputs and safe to open.

CSV exports neutralise cells that a spreadsheet would run as formulas: such a cell is quoted
and prefixed with a single quote. The CSV text is built with Polars expressions.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"


def _cell(col: str, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col)
    if dtype == pl.Date:
        text = c.dt.strftime("%Y-%m-%d")
    elif dtype == pl.Boolean:
        text = pl.when(c).then(pl.lit("true")).otherwise(pl.lit("false"))
    else:
        text = c.cast(pl.String)
    if dtype == pl.String:
        formula = text.str.contains(FORMULA_START)
        text = pl.when(formula).then(pl.lit("'") + text).otherwise(text)
        needs_quotes = formula | text.str.contains(r'[",\r\n]') | (text != text.str.strip_chars())
        text = pl.when(needs_quotes).then(pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"')).otherwise(text)
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
    csv.write_text(csv_text(df), encoding="utf-8", newline="")
