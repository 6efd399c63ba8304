"""The report a reader opens without Python: each notebook executed on the processed tables and
rendered to one self-contained HTML page (figures as embedded PNG, tables, prose), plus an index.

Run by the `report` step (`censorstats build report`, `make report`). The notebooks are the
story; this module only runs them and turns them into pages, so the report says exactly what the
notebooks say. nbclient and nbconvert are imported here, when the step runs.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from censorstats.problems import BuildError

CELL_TIMEOUT_SECONDS = 300

# nbconvert's JupyterLab template, made self-contained: its require.js, MathJax and Mermaid come
# from a CDN, which an offline reader (or CI) cannot reach and which would log errors. The code of
# each cell stays one click away, folded, for a reader who wants to check a number.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; padding: 1em 2em; }
.jp-OutputArea-output { overflow-x: auto; }  /* a wide table scrolls instead of being cut at the page's edge */
nav.cs-nav { font-family: var(--jp-ui-font-family); margin-bottom: 1em; }
details.cs-code > summary { cursor: pointer; color: var(--jp-ui-font-color2); font-family: var(--jp-ui-font-family); \
font-size: 0.85em; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="cs-nav"><a href="index.html">censorstats report: all notebooks</a></nav>
{%- endblock body_header -%}
{% block data_png scoped -%}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- if alt %} alt="{{ alt | escape_html }}"{% endif %}>
</div>
{%- endblock data_png %}
{% block input_group -%}
<details class="cs-code"><summary>code</summary>
{{ super() }}
</details>
{%- endblock input_group %}
"""


class ReportError(BuildError):
    """A notebook that could not be run or rendered: one line naming it and the failing cell."""


@dataclass
class Page:
    name: str  # the notebook's stem, and the page's file name without .html
    title: str
    summary: str  # the first paragraph of the notebook's introduction, as Markdown


def table_view(folder: Path, tables: dict[str, Path]) -> Path:
    """A project root holding only the tables the step declares (hard links, else copies).

    The kernel reads its data here, so a notebook that reads a table the step does not list
    fails the step instead of making a report that the engine would not rebuild when it changes.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for relative, source in tables.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return folder


@contextmanager
def _kernel_environment(root: Path):
    """The python3 kernel of this Python's environment (.venv), reading the project at `root`.

    JUPYTER_PATH is searched before the user's folders, so a python3 kernel installed elsewhere
    (~/.local/share/jupyter) cannot stand in; the spec's `python` is then this interpreter.
    MPLBACKEND is dropped: a backend set outside (Agg) would turn each figure into a line of text.
    """
    saved = {name: os.environ.get(name) for name in ("CENSORSTATS_ROOT", "JUPYTER_PATH", "MPLBACKEND")}
    ours = str(Path(sys.prefix) / "share" / "jupyter")
    os.environ["CENSORSTATS_ROOT"] = str(root)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (ours, saved["JUPYTER_PATH"]) if p)
    os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def execute(shown: str, source: bytes, root: Path):
    """The notebook run top to bottom as if freshly opened (saved outputs dropped); a failing cell stops the step."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.reads(source.decode("utf-8"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    # The kernel app's own log stops at errors: its warning about TCP on 127.0.0.1 would show on every build.
    # What a cell prints (its warnings included) is in the notebook's outputs, whatever this level.
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        record_timing=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(root)}},
    )
    with _kernel_environment(root):
        try:
            client.execute()
        except CellExecutionError as exc:
            cell = next(
                (
                    i
                    for i, c in enumerate(nb.cells, start=1)
                    if any(o.get("output_type") == "error" for o in c.get("outputs", []))
                ),
                "?",
            )
            raise ReportError(
                f"{shown}: cell {cell} failed: {exc.ename}: {exc.evalue}; nothing was published [notebook_error]"
            ) from None
    return nb


def page_of(name: str, nb) -> Page:
    """Title and summary from the notebook's first Markdown cell ('# Title', then a paragraph)."""
    intro = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    blocks = [b.strip() for b in intro.split("\n\n") if b.strip()]
    title = blocks[0].lstrip("#").strip() if blocks and blocks[0].startswith("#") else name
    summary = next((b for b in blocks if not b.startswith("#")), "")
    return Page(name, title, summary)


def to_html(nb, page: Page) -> str:
    """One self-contained page: figures as data: URIs, tables and prose, code folded, no prompts."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        template_file="censorstats_report.html.j2",
        extra_loaders=[DictLoader({"censorstats_report.html.j2": TEMPLATE})],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": page.title}})
    return body


def data_version(paths: list[Path]) -> str:
    """A short hash of the tables the report was made from: the same tables, the same version."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def index_html(pages: list[Page], version: str) -> str:
    """The page a reader opens first: one link per notebook with its opening paragraph."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    items = "\n".join(
        f'<li><h2><a href="{html.escape(p.name)}.html">{html.escape(p.title)}</a></h2>\n'
        f"{markdown2html_mistune(p.summary)}</li>"
        for p in pages
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>censorstats report</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; max-width: 900px; margin: 2em auto; padding: 0 1em; \
color: #222; }}
ul {{ list-style: none; padding: 0; }}
li {{ margin-bottom: 1.5em; }}
h2 {{ margin-bottom: 0.2em; font-size: 1.25em; }}
footer {{ color: #666; font-size: 0.9em; border-top: 1px solid #ddd; padding-top: 0.5em; }}
</style>
</head>
<body>
<h1>censorstats report</h1>
<p>China's campaigns against online accounts, as the figures outlets printed about them, reconciled
and set against the platforms' reach. Each page is a notebook of the project, run on the built tables:
every figure, table and number in its text is computed from the data.</p>
<ul>
{items}
</ul>
<footer>Made by <code>make report</code> from the tables in data/processed/ (data version {version}).
Each number can be traced to the page that printed it with <code>censorstats trace ID</code>.</footer>
</body>
</html>
"""
