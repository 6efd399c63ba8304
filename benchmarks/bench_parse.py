"""Throughput of the figure parser: `python benchmarks/bench_parse.py [N]` (default 1,000,000).

The phrases are the forms printed in the shipped data (every value_text of data/raw/reports.csv
and reach.csv) with every digit replaced by a random one, so their mix of qualifiers,
separators, multipliers, Chinese and English is the real one while almost every phrase is
distinct (the parser reads each distinct text once, so repeats would flatter it).

Prints phrases per second for the Polars parser and for the same rules applied row by row in
Python (benchmarks/rowwise_parser.py, which the tests check gives identical readings), and
their ratio.
"""

from __future__ import annotations

import csv
import random
import sys
import time
from pathlib import Path

import polars as pl

from censorstats.parse.numbers import read_figures

sys.path.insert(0, str(Path(__file__).parent))
import rowwise_parser  # noqa: E402

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def shipped_forms() -> list[str]:
    forms = []
    for table in ("reports", "reach"):
        with (RAW / f"{table}.csv").open(encoding="utf-8-sig", newline="") as f:
            forms += [row["value_text"] for row in csv.DictReader(f)]
    return forms


def with_random_digits(form: str, rng: random.Random) -> str:
    """The same form with other digits; a leading digit stays non-zero so that "0.5" stays a decimal."""
    out, previous = [], ""
    for ch in form:
        if "0" <= ch <= "9":
            ch = str(rng.randrange(0 if "0" <= previous <= "9" else 1, 10))
        out.append(ch)
        previous = ch
    return "".join(out)


def phrases(n: int, seed: int = 42) -> list[str]:
    rng = random.Random(seed)
    forms = shipped_forms()
    return [with_random_digits(rng.choice(forms), rng) for _ in range(n)]


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n: int = 1_000_000) -> None:
    texts = phrases(n)
    df = pl.DataFrame({"text": texts})
    distinct = df["text"].n_unique()
    polars_s = best_of(3, lambda: read_figures(df, "text").collect())
    out = read_figures(df, "text").collect()
    read = int((out["status"] == "ok").sum())
    unique = df.unique(maintain_order=True)
    unique_s = best_of(3, lambda: read_figures(unique, "text").collect())
    python_s = best_of(1, lambda: [rowwise_parser.read_figure(t) for t in texts])
    print(f"{n:,} phrases, {distinct:,} distinct, {read:,} read as numbers")
    print(f"polars parser:  {polars_s:6.2f} s = {n / polars_s:12,.0f} phrases/s (best of 3)")
    print(f"  on the {distinct:,} distinct phrases alone: {unique_s:.2f} s = {distinct / unique_s:,.0f} phrases/s")
    print(f"row-by-row:     {python_s:6.2f} s = {n / python_s:12,.0f} phrases/s")
    print(f"ratio: {python_s / polars_s:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
