"""Shared fixtures: a scratch copy of the project, so tests never touch the real data/processed/.

Two tiers: tests of the whole build (the modules in INTEGRATION_MODULES, any test using the
built shipped data, and the few others marked by hand because they build a whole project) are
marked `integration`, long property tests `slow`; `make test-fast` leaves both out, `make test`
runs everything.

nbformat and frictionless are imported inside the tests that use them: both import jsonschema,
0.7 s that every worker would otherwise pay while collecting, whichever tests it then runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import os

import polars as pl
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from censorstats.paths import Project

# The build runs its queries on polars' in-memory engine (build._in_memory_engine), and so do the
# tests: on the parsers' long expressions over a few rows it is about 4x faster than polars 2's
# default streaming engine (15 ms against 57-65 ms a call here). test_numbers.py checks that the
# streaming engine gives the same readings.
pl.Config.set_engine_affinity("in-memory")

# CI explores the same examples every run, so that a red build always means a code change;
# locally Hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Properties of the Polars readers: each example runs one query (about 35 ms, whatever its length),
# so each draws a batch. Hypothesis draws lists of about 6 unless given a minimum: 20 batches of
# 20-50 check about 700 generated texts for the price of 20 queries.
BATCHES = settings(max_examples=20, deadline=None)


def batches(elements: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(elements, min_size=20, max_size=50)


ROOT = Path(__file__).resolve().parents[1]
# Tests of code run on a frozen copy of the raw tables, so that adding data never breaks them
FIXTURE_RAW = ROOT / "tests" / "fixtures" / "raw"

INTEGRATION_MODULES = {"test_build.py", "test_interrupted_build.py", "test_notebooks.py", "test_report.py", "test_bad_inputs.py", "test_faults.py",
                       "test_live_data.py"}


# Modules whose tests (with their module fixtures) take 10 s or more on one worker. They start
# first: a 20 s test that one worker starts last leaves the other idle for most of it.
LONGEST_FIRST = ("test_interrupted_build.py", "test_report.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tiers here, by rule, so that no test file needs editing for it (and none is forgotten)."""
    for item in items:
        if item.path.name in INTEGRATION_MODULES or "shipped_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
        if hasattr(getattr(item, "obj", None), "hypothesis"):  # a @given property test
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # stable: the rest keep their order


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


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> Path:
    """The frozen raw tables (tests/fixtures/raw/) built once per test process (2-3 s); copy it before changing anything."""
    from censorstats import build, pipeline

    root = tmp_path_factory.mktemp("shipped-build")
    shutil.copytree(FIXTURE_RAW, root / "data" / "raw")
    assert build.build(Project(root)).rebuilt == [step.name for step in pipeline.STEPS if not step.on_request]
    return root


@pytest.fixture(scope="session")
def frozen_tables(tmp_path_factory):
    """The frozen raw tables through the table steps (no figures), once per test process (0.6 s): a reader
    of each processed table, for tests of code that reads them (figures, comparisons)."""
    from censorstats import build

    root = tmp_path_factory.mktemp("frozen-tables")
    shutil.copytree(FIXTURE_RAW, root / "data" / "raw")
    project = Project(root)
    build.build(project, ["reconcile", "compare"])
    return lambda name: pl.read_parquet(project.processed / f"{name}.parquet")


@pytest.fixture
def built(shipped_build: Path, tmp_path: Path) -> Project:
    """A project with the shipped raw tables, built: a copy of `shipped_build`, so tests may change it."""
    shutil.copytree(shipped_build, tmp_path / "built", symlinks=True)
    return Project(tmp_path / "built")


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
