"""Faults and hostile file systems (issue 16): inputs fixed at the start of a build, no path out
of the project, nothing that blocks, every failure one line, terminal-safe output.

Each test builds its fault in a scratch copy of the project and checks the exact outcome.
"""

from __future__ import annotations

import polars as pl

from censorstats import build
from conftest import set_cell


def test_a_raw_file_edited_while_the_build_runs_is_reported_changed_afterwards(project):
    """The build's progress hook edits reports.csv after the first step: what was built and
    recorded is the file as read at the start, and `status` then says the file changed."""
    edits = []

    def edit_during_build(message: str) -> None:
        if not edits:
            set_cell(project.raw_file("reports"), "s001", "value_text", "over 12.000")
            edits.append(message)

    build.build(project, progress=edit_during_build)
    assert edits and edits[0].startswith("[1/9] sources")
    reports = pl.read_parquet(project.processed / "reports.parquet").filter(pl.col("report_id") == "s001")
    assert reports["value_text"].to_list() == ["over 11.000"]  # built from the bytes read at the start
    reasons = {v.step.name: v.reasons for v in build.status(project) if v.stale}
    assert any(r.startswith("input data/raw/reports.csv changed") for r in reasons["reports"])
    assert "data/raw/reports.csv" in build.unvalidated_raw(project)
    assert build.build(project).rebuilt[:1] == ["reports"]
