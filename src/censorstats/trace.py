"""The whole path of a number, for `censorstats trace`: page, printed text, interval, claim, figures.

Reads only data/processed/ and reports/figures/ (what a colleague receives), never the raw files.
Which figures show a number comes from what each figure drew, recorded by the build beside it
(reports/figures/NAME.drawn.csv): a figure is listed only if it draws the claim's value (and the
report is part of that value) or the report itself.
"""

from __future__ import annotations

import polars as pl

from censorstats.paths import Project


def _n(x) -> str:
    return "unbounded" if x is None else f"{x:,}"


def _interval(low, high) -> str:
    if low is None and high is None:
        return "not read"
    return f"{_n(low)} to {_n(high)}"


def _period(start, end) -> str:
    """A period whose one end may be open: a phrase like "since 2015" or "so far" prints only the other."""
    if end is None:
        return f"{start} onwards, no end printed"
    if start is None:
        return f"up to {end}, no start printed"
    return f"{start} to {end}"


def _value(c: dict) -> str:
    """The claim's value in its official wording; a value_text without a number is said so, not printed as None."""
    if c["value_text"] is None:
        return "none"
    number = "no number" if c["value"] is None else f"{c['value']:,}"
    return f'"{c["value_text"]}" ({number}), chosen as: {c["value_rule"]}'


def _best(c: dict) -> str:
    """The best page printing the claim's value: a claim none of whose reports could be read has no value, so none."""
    if c["best_report_id"] is None:
        return "none: no report of this claim could be read, so no page prints its value"
    return f"{c['best_report_id']}, {c['best_outlet']} {c['best_url']}"


def _drawn(project: Project) -> dict[str, pl.DataFrame]:
    """For each figure built, the claim and report ids it drew."""
    return {
        path.name.removesuffix(".drawn.csv"): pl.read_csv(path, infer_schema=False)
        for path in sorted(project.figures.glob("*.drawn.csv"))
    }


def figures_drawing(
    project: Project, claim_id: str | None, report_id: str | None = None, role: str | None = None
) -> list[str]:
    """Figures that draw this report (itself, or its claim's value when the report is part of it) or this claim."""
    found = []
    for name, drawn in _drawn(project).items():
        whole_claim = drawn.filter((pl.col("claim_id") == claim_id) & pl.col("report_id").is_null()).height > 0
        if report_id is None:
            shown = drawn.filter(pl.col("claim_id") == claim_id).height > 0
        else:
            shown = drawn.filter(pl.col("report_id") == report_id).height > 0 or (whole_claim and role == "consensus")
        if shown:
            found.append(f"reports/figures/{name}.svg")
    return found


def _corrected_reading(text: str) -> str:
    from censorstats.parse.numbers import read_figures

    r = read_figures(pl.DataFrame({"text": [text]}), "text").collect().row(0, named=True)
    return f"{r['qualifier']}, {_interval(r['low'], r['high'])}" if r["status"] == "ok" else f"not read: {r['reason']}"


def _correction_lines(cr: dict) -> list[str]:
    """A correction as decided: the reading, the reason, who decided and when (claim_reports)."""
    if cr["role"] == "excluded":
        lines = ["  corrected: excluded from its claim"]
    elif cr["read_as"] is not None and cr["read_as"] != cr["value_text"]:
        lines = [f'  corrected: read as "{cr["read_as"]}" → {_corrected_reading(cr["read_as"])}']
    else:
        return []
    lines.append(f"  reason:    {cr['correction_reason']}")
    lines.append(
        f"  decided:   by {cr['correction_decided_by'] or 'not recorded'}, "
        f"on {cr['correction_decided_on'] or 'not recorded'}"
    )
    return lines


def _report_lines(r: dict, cr: dict | None) -> list[str]:
    lines = [
        f"report {r['report_id']}",
        f"  page:      {r['outlet']}, published {r['published'] or 'date unknown'} ({r['source_type']}) {r['url']}",
        f'  printed:   "{r["value_text"]}" ({r["metric"]}, campaign {r["campaign_id"]})',
    ]
    if cr and cr.get("correction_reason"):
        lines += _correction_lines(cr)
    if r["parse_status"] == "ok":
        lines.append(f"  parsed:    {r['qualifier'] or 'no qualifier'}, {_interval(r['value_low'], r['value_high'])}")
    else:
        lines.append(f"  parsed:    not read: {r['parse_reason'] or 'no reason recorded'}")
    if r["period_start"] or r["period_end"]:
        lines.append(
            f"  period:    {_period(r['period_start'], r['period_end'])} "
            f'({r["period_status"]}, from "{r["period_text"] or "explicit dates"}")'
        )
    elif r["period_text"]:
        lines.append(f'  period:    "{r["period_text"]}" not resolved: {r["period_reason"] or "no reason recorded"}')
    if cr:
        lines.append(
            f"  claim:     {cr['claim_id']} as {cr['role']}; "
            f"implied by its printed precision: {_interval(cr['implied_low'], cr['implied_high'])}"
        )
    return lines


def _claim_lines(c: dict) -> list[str]:
    return [
        f"claim {c['claim_id']} ({c['metric']}, campaign {c['campaign_id']})",
        f"  consensus: {_interval(c['consensus_low'], c['consensus_high'])} "
        f"from {c['n_consensus']} of {c['n_reports']} reports, {c['n_outlets']} outlets",
        f"  kind:      {c['claim_kind']}",
        f"  value:     {_value(c)}",
        f"  why:       {c['value_note']}",
        f"  best:      {_best(c)}",
    ]


def trace_lines(project: Project, wanted: str) -> list[str] | None:
    read = lambda name: pl.read_parquet(project.processed / f"{name}.parquet")  # noqa: E731
    reports, claim_reports, claims, found = (
        read("reports"),
        read("claim_reports"),
        read("claims"),
        read("discrepancies"),
    )
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
            lines.append(
                f'    {m["report_id"]} {m["role"]:<9} {r["outlet"]}: "{r["value_text"]}" '
                f"→ {_interval(m['implied_low'], m['implied_high'])}"
            )
    for d in involved.iter_rows(named=True):
        lines.append(f"  {d['type']}: {d['sentence']}")
    if report.height:
        shown = figures_drawing(project, cr["claim_id"] if cr else None, wanted, cr["role"] if cr else None)
    else:
        shown = figures_drawing(project, wanted)
    lines.append("  figures:   " + (", ".join(shown) or "none"))
    return lines
