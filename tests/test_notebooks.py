"""Every notebook runs, top to bottom, on data built from the shipped raw tables."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_is_stored_without_outputs(path: Path, built, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "strip outputs before committing"
    project = built
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(project.root)}}).execute()
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
