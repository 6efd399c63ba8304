"""The HTML report (`make report`): built by the engine only on request, self-contained, deterministic,
and loaded in a real browser (headless Chromium from Debian's packages) with every image shown
and nothing logged to the console.

The report is built once for this module, on a scratch copy of the live data and notebooks
(about 10 s: three Jupyter kernels).
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading

import pytest

from censorstats import build, pipeline, report
from censorstats.paths import Project
from conftest import ROOT

PAGES = pipeline.REPORT_NOTEBOOKS
FIGURE_CALL = re.compile(r"figures\.(campaign_scale|scale_vs_reach|reach_over_time|discrepancies)\(")
DATA_PNG = re.compile(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
INSTALL = "install it with `sudo apt-get install chromium` (Debian/Ubuntu); CI's .ci/run installs it before `make test`"


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> dict:
    """A scratch project after a plain build, then after `censorstats build report`; what each did."""
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    project = Project(root)
    plain = build.build(project)
    html_after_plain = (root / "reports" / "html").exists()
    with_report = build.build(project, ["report"])
    return {"project": project, "plain": plain, "html_after_plain": html_after_plain, "with_report": with_report}


def _figure_cells(name: str) -> int:
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return sum(1 for cell in nb.cells if cell.cell_type == "code" and FIGURE_CALL.search(cell.source))


def _page(reported, name: str) -> str:
    return (reported["project"].root / "reports" / "html" / f"{name}.html").read_text(encoding="utf-8")


def test_a_plain_build_leaves_the_report_alone_and_build_report_makes_it(reported):
    assert "report" not in reported["plain"].rebuilt and not reported["html_after_plain"]
    assert reported["with_report"].rebuilt == ["report"]
    files = sorted(p.name for p in (reported["project"].root / "reports" / "html").iterdir())
    assert files == sorted([f"{n}.html" for n in PAGES] + ["index.html", "provenance.json"])


def test_status_names_the_report_as_built_on_request_and_says_why(reported, monkeypatch, capsys, tmp_path):
    import nbformat

    from censorstats.cli import main

    project = reported["project"]
    assert all(not v.stale for v in build.status(project, on_request=True))
    scratch = tmp_path / "p"  # a copy, so the module's built report stays as built
    shutil.copytree(project.root, scratch, symlinks=True)
    nb_path = scratch / "notebooks" / "discrepancies.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].source += "\n\nOne more sentence."
    nbformat.write(nb, nb_path)
    monkeypatch.setenv("CENSORSTATS_ROOT", str(scratch))
    assert main(["status", "--why"]) == 0
    out = capsys.readouterr().out
    assert "reports/html/index.html: stale (built on request: censorstats build report)" in out
    assert "  reports/html/index.html: input notebooks/discrepancies.ipynb changed (sha256 " in out
    assert "data/processed/claims.parquet: up to date" in out
    assert build.build(Project(scratch)).rebuilt == []  # a plain build still does not run it


def test_a_new_nbconvert_makes_the_report_stale_and_no_other_step(reported, tmp_path):
    """The pages are nbconvert's rendering of what nbclient ran in an ipykernel: their versions are the
    report's own (pipeline.Step.libraries), beside polars, pandera and matplotlib, which every step has."""
    scratch = tmp_path / "p"
    shutil.copytree(reported["project"].root, scratch, symlinks=True)
    manifest_path = scratch / build.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert set(manifest["steps"]["report"]["versions"]) == {*build.LIBRARIES, "nbconvert", "nbclient", "ipykernel"}
    assert set(manifest["steps"]["reach"]["versions"]) == set(build.LIBRARIES)
    manifest["steps"]["report"]["versions"]["nbconvert"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    stale = {v.step.name: v.reasons for v in build.status(Project(scratch), on_request=True) if v.stale}
    assert list(stale) == ["report"] and "library versions changed" in stale["report"][0]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_embeds_its_figures_as_png_and_shows_tables_and_computed_prose(reported, name):
    page = _page(reported, name)
    images = DATA_PNG.findall(page)
    assert len(images) == _figure_cells(name) >= 1
    for data in images:
        png = base64.b64decode(data)
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and width >= 1000 and height >= 600, (width, height)
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert len(alts) == len(images) and all(alts), "every figure is described by its title"
    assert "No description has been provided" not in page
    assert "<table" in page and 'href="index.html"' in page
    assert "Traceback" not in page
    computed = {"campaign_scale": "claims in all", "scale_vs_reach": "comparisons of", "discrepancies": "discrepancies in"}[name]
    assert computed in page  # a sentence a code cell wrote from the data


@pytest.mark.parametrize("name", [*PAGES, "index"])
def test_pages_are_self_contained(reported, name):
    """No script, and nothing fetched from elsewhere: the report opens offline, from a file or an e-mail."""
    page = _page(reported, name)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    fetched = re.findall(r'src="([^"]{0,40})', page)
    assert all(url.startswith("data:image/png;base64,") for url in fetched), fetched


def test_the_index_links_every_page_under_its_title(reported):
    import nbformat

    index = _page(reported, "index")
    for name in PAGES:
        title = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        assert f'<a href="{name}.html">{html.escape(title)}</a>' in index
    linked = re.findall(r'href="([^"]*)"', index)
    assert sorted(linked) == sorted(f"{n}.html" for n in PAGES)


def test_rebuilding_the_report_gives_the_same_bytes(reported):
    folder = reported["project"].root / "reports" / "html"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert build.build(reported["project"], ["report"], force=True).rebuilt[-1] == "report"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def _notebook(*sources: str):
    import nbformat

    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])).encode()


def test_the_kernel_is_this_environments_python(tmp_path):
    nb = report.execute("probe.ipynb", _notebook("import sys; print(sys.executable)"), tmp_path)
    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable


def test_a_notebook_reading_an_undeclared_table_fails_the_step_in_one_line(tmp_path):
    view = report.table_view(tmp_path / "view", {})
    source = _notebook("x = 1", "import polars as pl; from censorstats.paths import Project\n"
                                "pl.read_parquet(Project.default().processed / 'discrepancies.parquet')")
    with pytest.raises(report.ReportError) as caught:
        report.execute("notebooks/probe.ipynb", source, view)
    message = str(caught.value)
    assert message.startswith("notebooks/probe.ipynb: cell 2 failed: FileNotFoundError: ") and "\n" not in message
    assert message.endswith("[notebook_error]")


# ---------------------------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------------------------

# Loads one page in a frame of the same origin and writes what it found into the DOM, which
# `chromium --dump-dom` prints: how many images, which did not load, the page's title.
HARNESS = """<!DOCTYPE html><html><body><pre id="result">no answer</pre>
<iframe id="page" src="{page}" width="1280" height="2000"></iframe>
<script>
document.getElementById("page").addEventListener("load", () => {{
  const doc = document.getElementById("page").contentDocument;
  const images = [...doc.images];
  document.getElementById("result").textContent = JSON.stringify({{
    title: doc.title, images: images.length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src.slice(0, 80))}});
}});
</script></body></html>
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.fail(f"Chromium is needed to check the report in a real browser and was not found; {INSTALL}")


@pytest.fixture(scope="module")
def browser(reported, tmp_path_factory):
    """Open a page of the report (or any page put in the served folder) in headless Chromium: (result, console lines)."""
    chromium = _chromium()
    served = tmp_path_factory.mktemp("served")
    shutil.copytree(reported["project"].root / "reports" / "html", served, dirs_exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def open_page(page: str) -> tuple[dict, list[str]]:
        (served / f"harness-{page}").write_text(HARNESS.format(page=page), encoding="utf-8")
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start; only our own pages are loaded
        done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
                               "--enable-logging=stderr", "--v=0", "--dump-dom",
                               f"http://127.0.0.1:{server.server_address[1]}/harness-{page}"],
                              capture_output=True, text=True, timeout=120)
        found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
        assert done.returncode == 0 and found, f"chromium exit {done.returncode}:\n{done.stderr[-2000:]}"
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
        return json.loads(html.unescape(found.group(1))), console

    (served / "broken.html").write_text('<!DOCTYPE html><title>broken</title><img src="missing.png">'
                                        '<script>console.error("boom"); notDefined();</script>', encoding="utf-8")
    yield open_page
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_the_browser_check_sees_a_broken_image_and_console_errors(browser):
    """The check itself: a page with a missing image, a console.error and an uncaught error fails it."""
    result, console = browser("broken.html")
    assert result["images"] == 1 and len(result["broken"]) == 1
    assert any('"boom"' in line for line in console) and any("Uncaught ReferenceError" in line for line in console)


@pytest.mark.parametrize("name", [*PAGES, "index"])
def test_each_page_loads_in_chromium_with_every_image_and_no_console_message(browser, name):
    result, console = browser(f"{name}.html")
    expected_images = 0 if name == "index" else _figure_cells(name)
    assert result["title"] != "no answer" and "rror" not in result["title"], result
    assert result["images"] == expected_images and result["broken"] == [], result
    assert console == []
