"""Foreign keys between processed tables, checked after each build before anything is published.

Each step checks its own table's schema, but a reference crosses steps (claim_reports.claim_id
must name a claim; scale_vs_reach, built by another step, too), so the engine checks them all
once the steps have run, on the tables about to be published. The keys are the registry's
(fields.PROCESSED[...].foreign_keys); a breach stops the build in one line naming the table,
the column and the first value that refers to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from censorstats.fields import PROCESSED
from censorstats.problems import BuildError


def _parquet(name: str) -> str:
    return f"data/processed/{name}.parquet"


def dangling_reference(locate: Callable[[str], Path]) -> str | None:
    """The first processed foreign key that names a missing row, as one line; None when every one holds.

    `locate` maps a path relative to the project to the file to read (the staged one where rebuilt).
    Tables not built (yet) are skipped.
    """
    import polars as pl

    for name, table in PROCESSED.items():
        for column, target, target_column in table.foreign_keys:
            here, there = locate(_parquet(name)), locate(_parquet(target))
            if not (here.exists() and there.exists()):
                continue
            known = pl.read_parquet(there, columns=[target_column])[target_column]
            values = pl.read_parquet(here, columns=[column])[column].drop_nulls()
            bad = values.filter(~values.is_in(known.implode()))
            if bad.len():
                more = f" (and {bad.len() - 1} more)" if bad.len() > 1 else ""
                return (
                    f'{_parquet(name)}: column "{column}": {bad[0]!r} '
                    f"is not in {target}.{target_column}{more} [foreign_key]"
                )
    return None


def check_foreign_keys(locate: Callable[[str], Path]) -> None:
    """Stop the build, before publication, on the first dangling reference."""
    problem = dangling_reference(locate)
    if problem:
        raise BuildError(problem.replace(" [foreign_key]", "; nothing was published [foreign_key]"))
