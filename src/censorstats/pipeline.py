"""The pipeline, declared in one place: each step's inputs, outputs and code.

Data flows one way: raw -> validated -> parsed -> reconciled -> compared -> figures.
This module is read on every `censorstats status` and no-op build, so it imports nothing heavy;
a step's `run` names the function that does the work, imported only when the step runs.
"""

from __future__ import annotations

from dataclasses import dataclass

# Modules every step depends on: reading and checking raw tables, and the table definitions.
COMMON_CODE = ("paths.py", "problems.py", "load.py", "validate.py", "schemas.py", "write.py")
PARSE_CODE = ("parse/__init__.py", "parse/text.py", "parse/numbers.py", "parse/periods.py")


@dataclass(frozen=True)
class Step:
    name: str
    inputs: tuple[str, ...]  # files relative to the project root: raw tables or other steps' outputs
    outputs: tuple[str, ...]
    code: tuple[str, ...]  # files of the package (relative to src/censorstats) whose source the outputs depend on
    run: str  # "module:function", called as function(context)
    params: tuple[tuple[str, str], ...] = ()
    on_request: bool = False  # built only when named (`censorstats build report`), never by a plain `censorstats build`


def raw(*tables: str) -> tuple[str, ...]:
    return tuple(f"data/raw/{t}.csv" for t in tables)


def table_outputs(name: str) -> tuple[str, ...]:
    return (f"data/processed/{name}.parquet", f"data/processed/{name}.csv")


FIGURE_CODE = ("figures.py", "compare.py", "readings.py", "steps.py", "write.py")


def figure_step(name: str, inputs: tuple[str, ...]) -> Step:
    """A report figure: drawn by figures.NAME from the processed tables it names, saved as SVG and PNG, with the
    claim and report ids it drew (NAME.drawn.csv, read by `censorstats trace`)."""
    outputs = (f"reports/figures/{name}.svg", f"reports/figures/{name}.png", f"reports/figures/{name}.drawn.csv")
    return Step(f"fig_{name}", inputs, outputs, FIGURE_CODE,
                "censorstats.steps:build_figure", params=(("figure", name),))


REPORT_NOTEBOOKS = ("campaign_scale", "scale_vs_reach", "discrepancies")
# What the notebooks read: the kernel sees these tables only, so a notebook that reads another fails the step
REPORT_TABLES = ("claims", "claim_reports", "discrepancies", "reports", "reach", "scale_vs_reach")


def report_step() -> Step:
    """The HTML report: each notebook executed on the processed tables and rendered with its figures, tables and prose.

    On request only: it starts a Jupyter kernel per notebook (seconds), which a plain build must not pay.
    """
    inputs = tuple(f"notebooks/{n}.ipynb" for n in REPORT_NOTEBOOKS) + tuple(f"data/processed/{t}.parquet" for t in REPORT_TABLES)
    outputs = tuple(f"reports/html/{n}.html" for n in REPORT_NOTEBOOKS) + ("reports/html/index.html",)
    return Step("report", inputs, outputs, FIGURE_CODE + ("paths.py", "report.py"), "censorstats.steps:build_report", on_request=True)


STEPS: tuple[Step, ...] = (
    Step("sources", raw("sources"), table_outputs("sources"), COMMON_CODE + PARSE_CODE + ("steps.py",), "censorstats.steps:build_sources"),
    Step(
        "reports",
        raw("sources", "campaigns", "authorities", "metrics", "reports"),
        table_outputs("reports"),
        COMMON_CODE + PARSE_CODE + ("steps.py",),
        "censorstats.steps:build_reports",
    ),
    Step("reach", raw("sources", "platforms", "reach"), table_outputs("reach"), COMMON_CODE + PARSE_CODE + ("steps.py",), "censorstats.steps:build_reach"),
    Step(
        "reconcile",
        ("data/processed/reports.parquet", *raw("corrections", "campaigns", "authorities", "metrics")),
        table_outputs("claims") + table_outputs("claim_reports") + table_outputs("discrepancies"),
        COMMON_CODE + PARSE_CODE + ("readings.py", "claims.py", "discrepancies.py", "steps.py"),
        "censorstats.steps:build_reconciled",
    ),
    Step(
        "compare",
        ("data/processed/claims.parquet", "data/processed/reach.parquet", *raw("campaigns", "authorities", "metrics")),
        table_outputs("scale_vs_reach"),
        COMMON_CODE + ("compare.py", "readings.py", "steps.py"),
        "censorstats.steps:build_scale_vs_reach",
    ),
    figure_step("campaign_scale", ("data/processed/claims.parquet",)),
    figure_step("scale_vs_reach", ("data/processed/scale_vs_reach.parquet",)),
    figure_step("reach_over_time", ("data/processed/reach.parquet", "data/processed/claims.parquet")),
    figure_step("discrepancies", ("data/processed/claim_reports.parquet", "data/processed/claims.parquet", "data/processed/reports.parquet")),
    report_step(),
)

# Every raw table is validated before any step runs, so a change to any of them is worth a look.
ALL_RAW = raw("sources", "authorities", "campaigns", "platforms", "metrics", "reports", "reach", "corrections")


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
