"""The whole path of a number, for `censorstats trace`: page, printed text, interval, claim, figures.

Reads only data/processed/ (what a colleague receives), never the raw files.
"""

from __future__ import annotations

import polars as pl

from censorstats import pipeline
from censorstats.paths import Project


def _n(x) -> str:
    return "unbounded" if x is None else f"{x:,}"


def _interval(low, high) -> str:
    if low is None and high is None:
        return "not read"
    return f"{_n(low)} to {_n(high)}"


def _figures_using(table: str) -> list[str]:
    """Figure files whose step reads `table`, directly or through upstream steps."""
    def reads(step: pipeline.Step) -> bool:
        return any(p == table or ((up := pipeline.producer_of(p)) is not None and reads(up)) for p in step.inputs)

    return [o for step in pipeline.STEPS for o in step.outputs if o.startswith("reports/figures/") and reads(step)]


def _report_lines(r: dict, cr: dict | None) -> list[str]:
    lines = [
        f"report {r['report_id']}",
        f"  page:      {r['outlet']}, published {r['published'] or 'date unknown'} ({r['source_type']}) {r['url']}",
        f"  printed:   \"{r['value_text']}\" ({r['metric']}, campaign {r['campaign_id']})",
    ]
    if cr and cr["read_as"] != r["value_text"]:
        lines.append(f"  corrected: read as \"{cr['read_as']}\" because {cr['correction_reason']}")
    if r["parse_status"] == "ok":
        lines.append(f"  parsed:    {r['qualifier']}, {_interval(r['value_low'], r['value_high'])}")
    else:
        lines.append(f"  parsed:    not read: {r['parse_reason']}")
    if r["period_start"] or r["period_end"]:
        lines.append(f"  period:    {r['period_start']} to {r['period_end']} ({r['period_status']}, from \"{r['period_text'] or 'explicit dates'}\")")
    elif r["period_text"]:
        lines.append(f"  period:    \"{r['period_text']}\" not resolved: {r['period_reason']}")
    if cr:
        lines.append(f"  claim:     {cr['claim_id']} as {cr['role']}; with rounding allowed for: {_interval(cr['tolerant_low'], cr['tolerant_high'])}")
    return lines


def _claim_lines(c: dict) -> list[str]:
    return [
        f"claim {c['claim_id']} ({c['metric']}, campaign {c['campaign_id']})",
        f"  consensus: {_interval(c['consensus_low'], c['consensus_high'])} from {c['n_consensus']} of {c['n_reports']} reports, {c['n_outlets']} outlets",
        f"  value:     {_n(c['value'])} by rule: {c['value_rule']}" + (f" (\"{c['value_text']}\")" if c["value_text"] else ""),
        f"  best:      {c['best_report_id']}, {c['best_outlet']} {c['best_url']}",
    ]


def trace_lines(project: Project, wanted: str) -> list[str] | None:
    read = lambda name: pl.read_parquet(project.processed / f"{name}.parquet")  # noqa: E731
    reports, claim_reports, claims, found = read("reports"), read("claim_reports"), read("claims"), read("discrepancies")
    report = reports.filter(pl.col("report_id") == wanted)
    claim = claims.filter(pl.col("claim_id") == wanted)
    if report.height:
        roles = claim_reports.filter(pl.col("report_id") == wanted).to_dicts()
        cr = roles[0] if roles else None
        lines = _report_lines(report.row(0, named=True), cr)
        claim = claims.filter(pl.col("claim_id") == (cr["claim_id"] if cr else None))
        involved = found.filter(pl.col("report_ids").str.split(" ").list.contains(wanted))
    elif claim.height:
        lines = []
        members = claim_reports.filter(pl.col("claim_id") == wanted).sort("role", "report_id")
        involved = found.filter(pl.col("claim_id") == wanted)
    else:
        return None
    if claim.height:
        lines += _claim_lines(claim.row(0, named=True))
    if not report.height:
        for m in members.iter_rows(named=True):
            r = reports.filter(pl.col("report_id") == m["report_id"]).row(0, named=True)
            lines.append(f"    {m['report_id']} {m['role']:<9} {r['outlet']}: \"{r['value_text']}\" → {_interval(m['tolerant_low'], m['tolerant_high'])}")
    for d in involved.iter_rows(named=True):
        lines.append(f"  {d['type']}: {d['sentence']}")
    lines.append("  figures:   " + (", ".join(_figures_using("data/processed/claims.parquet" if not report.height else "data/processed/reports.parquet")) or "none"))
    return lines
