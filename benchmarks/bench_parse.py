"""Throughput of the figure parser on generated phrases: `python benchmarks/bench_parse.py [N]`.

Phrases are drawn from the styles outlets print (qualifiers, separators, multipliers, Chinese
forms, words), with random numbers, so most phrases are distinct.
"""

from __future__ import annotations

import random
import sys
import time

import polars as pl

from censorstats.parse.numbers import read_figures

PREFIXES = ["", "more than ", "over ", "nearly ", "about ", "近", "逾", "约", "at least ", "up to "]
SUFFIXES = ["", " accounts", "个", "余个", "多家", "+", " websites", "左右"]


def phrase(rng: random.Random) -> str:
    n = rng.randrange(1, 10**7)
    style = rng.randrange(6)
    if style == 0:
        body = f"{n:,}"
    elif style == 1:
        body = f"{n:,}".replace(",", ".")
    elif style == 2:
        body = f"{n / 10_000:.2f}万"
    elif style == 3:
        body = f"{n / 1000:.1f} million"
    elif style == 4:
        body = str(n)
    else:
        body = f"{n:,}".replace(",", " ")
    return rng.choice(PREFIXES) + body + rng.choice(SUFFIXES)


def main(n: int = 1_000_000) -> None:
    rng = random.Random(42)
    df = pl.DataFrame({"text": [phrase(rng) for _ in range(n)]})
    distinct = df["text"].n_unique()
    t0 = time.perf_counter()
    out = read_figures(df, "text").collect()
    seconds = time.perf_counter() - t0
    ok = (out["status"] == "ok").sum()
    print(f"polars parser: {n:,} phrases ({distinct:,} distinct) in {seconds:.2f} s = {n / seconds:,.0f} phrases/s; {ok:,} read")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
