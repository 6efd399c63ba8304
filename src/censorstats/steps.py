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


# Names beside ids, from the raw tables: (id column, raw table, its key, its column, output column)
NAMES = (
    ("campaign_id", "campaigns", "campaign_id", "name", "campaign_name"),
    ("authority_id", "authorities", "authority_id", "name", "authority_name"),
    ("authority_id", "authorities", "authority_id", "name_zh", "authority_name_zh"),
    ("metric", "metrics", "metric_id", "description", "metric_description"),
)


def with_names(lf, tables: dict, wanted: list[str]):
    """The campaign, authority and metric names a reader needs beside their ids (where the schema lists them
    and the stage did not carry them from a processed table)."""
    import polars as pl

    present = set(lf.collect_schema().names())
    for id_column, table, key, column, output in NAMES:
        if output in wanted and output not in present and table in tables:
            names = (
                tables[table].select(pl.col(key).alias(id_column), pl.col(column).alias(output))
                if column in tables[table].columns
                else tables[table].select(pl.col(key).alias(id_column), pl.lit(None, pl.String).alias(output))
            )
            lf = lf.join(names.lazy(), on=id_column, how="left")
    return lf


def _write_processed(ctx: Context, name: str, lf) -> None:
    from censorstats.fields import PROCESSED
    from censorstats.parse import in_output_order
    from censorstats.write import write_table

    lf = with_names(lf, ctx.tables, PROCESSED[name].column_names)
    df = in_output_order(lf, name).collect()
    _check_processed(name, df)
    write_table(df, ctx.output(f"data/processed/{name}.parquet"), ctx.output(f"data/processed/{name}.csv"))


def _check_processed(name: str, df) -> None:
    """The processed table's schema, whatever the stages before it did: a breach stops the build in one line."""
    import pandera.polars as pa

    from censorstats import schemas
    from censorstats.problems import BuildError

    try:
        schemas.PROCESSED_SCHEMAS[name].validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.row(0, named=True)
        raise BuildError(
            f'data/processed/{name}.parquet: column "{first["column"]}": '
            f"{first['failure_case']!r} fails {first['check']}"
            f"{f' (and {cases.height - 1} more)' if cases.height > 1 else ''}; nothing was published [processed_schema]"
        ) from None


def build_sources(ctx: Context) -> None:
    from censorstats.parse import parsed_sources

    _write_processed(ctx, "sources", parsed_sources(ctx.tables))


def build_reports(ctx: Context) -> None:
    from censorstats.parse import parsed_reports

    _write_processed(ctx, "reports", parsed_reports(ctx.tables))


def build_reach(ctx: Context) -> None:
    from censorstats.parse import parsed_reach

    _write_processed(ctx, "reach", parsed_reach(ctx.tables))


def build_reconciled(ctx: Context) -> None:
    import polars as pl

    from censorstats.claims import claims
    from censorstats.discrepancies import discrepancies

    reports = pl.scan_parquet(ctx.input("data/processed/reports.parquet"))
    claimed, claim_reports, with_roles = claims(reports, ctx.tables.get("corrections"))
    _write_processed(ctx, "claims", claimed)
    _write_processed(ctx, "claim_reports", claim_reports)
    _write_processed(ctx, "discrepancies", discrepancies(with_roles, claimed))


def build_compared(ctx: Context) -> None:
    import polars as pl

    from censorstats.compare import claims_against_reach, reach_series

    claims = pl.scan_parquet(ctx.input("data/processed/claims.parquet"))
    series = reach_series(pl.scan_parquet(ctx.input("data/processed/reach.parquet"))).collect().lazy()
    _write_processed(ctx, "reach_series", series)
    _write_processed(ctx, "scale_vs_reach", claims_against_reach(claims, series))


def build_datapackage(ctx: Context) -> None:
    """data/processed/datapackage.json, describing the CSVs this build wrote (datapackage.py)."""
    from censorstats.datapackage import write_descriptor
    from censorstats.fields import PROCESSED

    csvs = {name: ctx.input(f"data/processed/{name}.csv") for name in PROCESSED}
    write_descriptor(
        csvs,
        {name: table.primary_key for name, table in PROCESSED.items()},
        ctx.output("data/processed/datapackage.json"),
    )


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
    # What the figure drew, for `censorstats trace`: which figures show a given number
    fig.drawn.write_csv(ctx.output(f"reports/figures/{name}.drawn.csv"))


def build_report(ctx: Context) -> None:
    """Execute each notebook on exactly the tables the step declares, render it to HTML, and write the index."""
    from censorstats import figures, paths, report  # noqa: F401  figures and paths: what the notebooks import, so part of this step's code

    assert ctx.step is not None, "the engine sets the step it runs"
    tables = [p for p in ctx.step.inputs if p.startswith("data/processed/")]
    view = report.table_view(ctx.staging / "report-view", {p: ctx.input(p) for p in tables})
    pages = []
    for notebook in (p for p in ctx.step.inputs if p.startswith("notebooks/")):
        nb = report.execute(notebook, ctx.project.read_regular(ctx.project.root / notebook), view)
        page = report.page_of(Path(notebook).stem, nb)
        ctx.output(f"reports/html/{page.name}.html").write_bytes(report.to_html(nb, page).encode("utf-8"))
        pages.append(page)
    version = report.data_version([ctx.input(p) for p in tables])
    ctx.output("reports/html/index.html").write_bytes(report.index_html(pages, version).encode("utf-8"))
