"""The notebooks: they state no number by hand, draw all four figures, and JupyterLab serves them.

That each runs top to bottom on the live data, as if freshly opened, through the kernel JupyterLab
uses, and shows each figure as an image, is checked on the report (test_report.py): the report
step runs every notebook exactly so, and fails on any error in a cell; running them again here
cost 11 s of the suite and checked nothing more. `test_lab_serves_the_notebooks` starts the real
JupyterLab server, as `make lab` does, and asks it for the notebooks.
"""

from __future__ import annotations

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

import pytest

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
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]  # nbformat 4: a cell's source is a list of lines
    stated = {m for cell in cells if cell["cell_type"] == "markdown" for m in STATED_NUMBER.findall("".join(cell["source"]))}
    assert stated == set(), f"{path.name}: numbers written by hand in the prose: {sorted(stated)}; compute them in a cell instead"


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
