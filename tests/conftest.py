"""Shared fixtures: a scratch copy of the project, so tests never touch the real data/processed/."""

from __future__ import annotations

import shutil
from pathlib import Path

import os

import pytest
from hypothesis import settings

from censorstats.paths import Project

# CI explores the same examples every run, so that a red build always means a code change;
# locally Hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
# Tests of code run on a frozen copy of the raw tables, so that adding data never breaks them
FIXTURE_RAW = ROOT / "tests" / "fixtures" / "raw"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project whose data/raw/ is a copy of the frozen test tables (tests/fixtures/raw/)."""
    shutil.copytree(FIXTURE_RAW, tmp_path / "data" / "raw")
    return Project(tmp_path)


@pytest.fixture
def live_project(tmp_path: Path) -> Project:
    """A project whose data/raw/ is a copy of the live tables (data/raw/): for checks that hold on any data."""
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw")
    return Project(tmp_path)


def set_cell(path: Path, row_id: str, column: str, value: str) -> int:
    """Change one cell of a raw CSV by id (first column); returns the record's line number."""
    import csv
    import io

    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for i, row in enumerate(rows):
        if row[0] == row_id:
            row[header.index(column)] = value
            line = i + 1  # shipped raw files have no embedded newlines
            break
    else:
        raise KeyError(row_id)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return line
