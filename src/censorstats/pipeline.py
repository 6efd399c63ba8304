"""The pipeline, declared in one place: each step's inputs, outputs and the function that runs it.

Data flows one way: raw -> validated -> parsed -> reconciled -> compared -> figures.
This module is read on every `censorstats status` and no-op build, so it imports nothing heavy;
a step's `run` names the function that does the work, imported only when the step runs. The
package files a step's outputs depend on are derived from that function's imports (stepcode.py).
"""

from __future__ import annotations

from dataclasses import dataclass

# The module that reads and validates the raw tables a step gets in ctx.tables: part of the code
# of every step with a raw input.
RAW_READER = "censorstats.validate"


@dataclass(frozen=True)
class Step:
    name: str
    inputs: tuple[str, ...]  # files relative to the project root: raw tables or other steps' outputs
    outputs: tuple[str, ...]
    run: str  # "module:function", called as function(context)
    params: tuple[tuple[str, str], ...] = ()
    on_request: bool = False  # built only when named (`censorstats build report`), never by a plain `censorstats build`
    # libraries whose version the outputs depend on, beyond those of every step (build.LIBRARIES)
    libraries: tuple[str, ...] = ()


def raw(*tables: str) -> tuple[str, ...]:
    return tuple(f"data/raw/{t}.csv" for t in tables)


def table_outputs(name: str) -> tuple[str, ...]:
    return (f"data/processed/{name}.parquet", f"data/processed/{name}.csv")


def figure_step(name: str, inputs: tuple[str, ...]) -> Step:
    """A report figure: drawn by figures.NAME from the processed tables it names, saved as SVG and PNG, with the
    claim and report ids it drew (NAME.drawn.csv, read by `censorstats trace`)."""
    outputs = (f"reports/figures/{name}.svg", f"reports/figures/{name}.png", f"reports/figures/{name}.drawn.csv")
    return Step(f"fig_{name}", inputs, outputs, "censorstats.steps:build_figure", params=(("figure", name),))


REPORT_NOTEBOOKS = ("campaign_scale", "scale_vs_reach", "discrepancies")
# What the notebooks read: the kernel sees these tables only, so a notebook that reads another fails the step
REPORT_TABLES = ("claims", "claim_reports", "discrepancies", "reports", "reach_series", "scale_vs_reach")


def report_step() -> Step:
    """The HTML report: each notebook executed on the processed tables and rendered with its figures, tables and prose.

    On request only: it starts a Jupyter kernel per notebook (seconds), which a plain build must not pay.
    """
    inputs = tuple(f"notebooks/{n}.ipynb" for n in REPORT_NOTEBOOKS) + tuple(
        f"data/processed/{t}.parquet" for t in REPORT_TABLES
    )
    outputs = tuple(f"reports/html/{n}.html" for n in REPORT_NOTEBOOKS) + ("reports/html/index.html",)
    # the pages are nbconvert's rendering of what nbclient ran in an ipykernel
    libraries = ("nbconvert", "nbclient", "ipykernel")
    return Step("report", inputs, outputs, "censorstats.steps:build_report", on_request=True, libraries=libraries)


STEPS: tuple[Step, ...] = (
    Step("sources", raw("sources"), table_outputs("sources"), "censorstats.steps:build_sources"),
    Step(
        "reports",
        raw("sources", "campaigns", "authorities", "metrics", "reports"),
        table_outputs("reports"),
        "censorstats.steps:build_reports",
    ),
    Step("reach", raw("sources", "platforms", "reach"), table_outputs("reach"), "censorstats.steps:build_reach"),
    Step(
        "reconcile",
        ("data/processed/reports.parquet", *raw("corrections", "campaigns", "authorities", "metrics")),
        table_outputs("claims") + table_outputs("claim_reports") + table_outputs("discrepancies"),
        "censorstats.steps:build_reconciled",
    ),
    Step(
        "compare",
        ("data/processed/claims.parquet", "data/processed/reach.parquet", *raw("campaigns", "authorities", "metrics")),
        table_outputs("reach_series") + table_outputs("scale_vs_reach"),
        "censorstats.steps:build_compared",
    ),
    figure_step("campaign_scale", ("data/processed/claims.parquet",)),
    figure_step("scale_vs_reach", ("data/processed/scale_vs_reach.parquet",)),
    figure_step("reach_over_time", ("data/processed/reach_series.parquet", "data/processed/claims.parquet")),
    figure_step(
        "discrepancies",
        ("data/processed/claim_reports.parquet", "data/processed/claims.parquet", "data/processed/reports.parquet"),
    ),
    report_step(),
)
# The Frictionless descriptor of every processed CSV the steps above write (datapackage.py).
STEPS = (
    *STEPS,
    Step(
        "datapackage",
        tuple(o for step in STEPS for o in step.outputs if o.startswith("data/processed/") and o.endswith(".csv")),
        ("data/processed/datapackage.json",),
        "censorstats.steps:build_datapackage",
    ),
)


def target_names() -> str:
    """Every step a build or status can be asked for, for both the --help and the error naming an unknown one."""
    return ", ".join(step.name for step in STEPS)


def step_named(name: str) -> Step:
    for step in STEPS:
        if step.name == name or name in step.outputs or any(o.endswith("/" + name) for o in step.outputs):
            return step
    raise KeyError(name)


def producer_of(path: str) -> Step | None:
    for step in STEPS:
        if path in step.outputs:
            return step
    return None
