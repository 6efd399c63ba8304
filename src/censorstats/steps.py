"""What each pipeline step does. Heavy libraries are imported here, only when a step runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from censorstats.paths import Project

if TYPE_CHECKING:  # not imported at run time: pipeline.py is not the code of any step (stepcode.py)
    from censorstats.pipeline import Step


@dataclass
class Context:
    """What a running step may use: the validated raw tables, and where to read and write files."""

    project: Project
    staging: Path
    tables: dict = field(default_factory=dict)
    step: Step | None = None  # the step being run, set by the engine

    def output(self, relative: str) -> Path:
        path = self.staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def input(self, relative: str) -> Path:
        """An upstream output: the one rebuilt in this run if there is one, else the published one."""
        staged = self.staging / relative
        return staged if staged.exists() else self.project.root / relative


def _write_processed(ctx: Context, name: str, lf, key: str) -> None:
    from censorstats import schemas
    from censorstats.parse import finish
    from censorstats.write import write_table

    df = finish(lf, name, key).collect()
    schemas.PROCESSED_MODELS[name].validate(df, lazy=True)
    write_table(df, ctx.output(f"data/processed/{name}.parquet"), ctx.output(f"data/processed/{name}.csv"))


def build_sources(ctx: Context) -> None:
    from censorstats.parse import parsed_sources

    _write_processed(ctx, "sources", parsed_sources(ctx.tables), "source_id")


def build_reports(ctx: Context) -> None:
    from censorstats.parse import parsed_reports

    _write_processed(ctx, "reports", parsed_reports(ctx.tables), "report_id")


def build_reach(ctx: Context) -> None:
    from censorstats.parse import parsed_reach

    _write_processed(ctx, "reach", parsed_reach(ctx.tables), "reach_id")


def build_reconciled(ctx: Context) -> None:
    import polars as pl

    from censorstats.reconcile import reconcile

    reports = pl.scan_parquet(ctx.input("data/processed/reports.parquet"))
    claims, claim_reports, discrepancies = reconcile(reports, ctx.tables.get("corrections"))
    _write_processed(ctx, "claims", claims, "claim_id")
    _write_processed(ctx, "claim_reports", claim_reports, "report_id")
    _write_processed(ctx, "discrepancies", discrepancies, "discrepancy_id")


def build_scale_vs_reach(ctx: Context) -> None:
    import polars as pl

    from censorstats.compare import scale_vs_reach

    claims = pl.scan_parquet(ctx.input("data/processed/claims.parquet"))
    reach = pl.scan_parquet(ctx.input("data/processed/reach.parquet"))
    _write_processed(ctx, "scale_vs_reach", scale_vs_reach(claims, reach), "comparison_id")


def build_figure(ctx: Context) -> None:
    """Draw figures.NAME from the step's input tables (in the order the function takes them) and save it."""
    import polars as pl

    from censorstats import figures

    step = ctx.step
    assert step is not None, "the engine sets ctx.step before running a step"
    name = dict(step.params)["figure"]
    tables = [pl.read_parquet(ctx.input(path)) for path in step.inputs]
    version = figures.data_version([ctx.input(path) for path in step.inputs])
    fig = getattr(figures, name)(*tables, version)
    figures.save(fig, ctx.output(f"reports/figures/{name}.svg"), ctx.output(f"reports/figures/{name}.png"))
