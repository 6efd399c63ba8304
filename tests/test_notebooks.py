"""The notebooks: each runs top to bottom, draws its figures as images, and states no number by hand.

They run on data built from a scratch copy of the raw tables, through the same kernel JupyterLab
uses (python3 of the project's environment). `test_lab_serves_the_notebooks` starts the real
JupyterLab server, as `make lab` does, and asks it for the notebooks.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from censorstats import build
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIGURE_CALL = re.compile(r"figures\.(campaign_scale|scale_vs_reach|reach_over_time|discrepancies)\(")
# A number in prose goes stale when the data changes: digits other than a year, or a count in words.
STATED_NUMBER = re.compile(
    r"(?<![\w-])(?!(?:19|20)\d\d(?!\d|[,.]\d))\d[\d,.]*|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty)\b",
    re.IGNORECASE,
)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) == 3


def test_the_number_pattern_sees_stated_figures_and_lets_years_and_names_pass():
    assert STATED_NUMBER.findall('"9,800" accounts, eighteen reports, 1.34 billion, 2,018') == ["9,800", "eighteen", "1.34", "2,018"]
    assert STATED_NUMBER.findall("a two-quarter window, the 21st Century") == ["two", "21"]
    assert STATED_NUMBER.findall("The 2018 CAC self-media clean-up (2014–2025), as of late 2018, per million users.") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_prose_states_no_number_by_hand(path: Path):
    """Numbers belong in code cells (computed, e.g. as Markdown output), so the text stays true when data is added."""
    nb = nbformat.read(path, as_version=4)
    stated = {m for cell in nb.cells if cell.cell_type == "markdown" for m in STATED_NUMBER.findall(cell.source)}
    assert stated == set(), f"{path.name}: numbers written by hand in the prose: {sorted(stated)}; compute them in a cell instead"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_shows_each_figure_as_an_image(path: Path, live_project, monkeypatch):
    """On the live data: a notebook must work on whatever data/raw/ holds."""
    project = live_project
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # as if freshly opened: a notebook saved with outputs must not change the outcome
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    build.build(project)
    monkeypatch.setenv("CENSORSTATS_ROOT", str(project.root))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(project.root)}}).execute()
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    figure_cells = [cell for cell in nb.cells if cell.cell_type == "code" and FIGURE_CALL.search(cell.source)]
    assert figure_cells, f"{path.name} draws no figure"
    for cell in figure_cells:
        images = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, f"{path.name}: figure cell shows {len(images)} images:\n{cell.source}"
        png = base64.b64decode(images[0])
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert width >= 1000 and height >= 600, (width, height)
    computed_prose = [o for cell in nb.cells for o in cell.get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert computed_prose, f"{path.name} states no computed number in its prose"


def test_the_notebooks_draw_all_four_figures():
    drawn = {m for path in NOTEBOOKS for m in FIGURE_CALL.findall(path.read_text(encoding="utf-8"))}
    assert drawn == {"campaign_scale", "scale_vs_reach", "reach_over_time", "discrepancies"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_lab_serves_the_notebooks(tmp_path):
    """`make lab`'s server: the JupyterLab page loads and the three notebooks are listed, with a python3 kernel."""
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--notebook-dir={ROOT / 'notebooks'}", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # CI runs as root; `make lab` passes the same flag there
        command.append("--allow-root")
    env = {"HOME": str(tmp_path), "PATH": str(Path(sys.executable).parent), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = tmp_path / "lab.log"
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                status, page = _get(f"{base}/lab", token)
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            pytest.fail("JupyterLab did not answer within 30 s")
        assert status == 200 and b"JupyterLab" in page
        _, listing = _get(f"{base}/api/contents/", token)
        names = sorted(item["name"] for item in json.loads(listing)["content"] if item["type"] == "notebook")
        assert names == [p.name for p in NOTEBOOKS]
        _, specs = _get(f"{base}/api/kernelspecs", token)
        assert "python3" in json.loads(specs)["kernelspecs"]
    finally:
        server.terminate()
        server.wait(timeout=20)
