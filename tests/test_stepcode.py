"""A step's code is derived from its imports: an edit rebuilds exactly the steps whose code it is."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from censorstats import build, pipeline, stepcode

PACKAGE = Path(stepcode.__file__).resolve().parent
ALL = {step.name for step in pipeline.STEPS}
FIGURES = {"fig_campaign_scale", "fig_scale_vs_reach", "fig_reach_over_time", "fig_discrepancies"}
TABLES = ALL - FIGURES - {"datapackage", "report"}  # the steps that write processed tables (datapackage describes them)
RAW_READERS = {"sources", "reports", "reach", "reconcile", "compare"}  # steps with a data/raw/ input


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the package's source, to edit."""
    copy = tmp_path / "src" / "censorstats"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _hashes(package: Path, cache: Path) -> dict[str, str]:
    code = stepcode.PackageCode(cache, package)
    return {step.name: code.hash(step) for step in pipeline.STEPS}


def _stale_after(package: Path, cache: Path, rel: str, edit) -> set[str]:
    before = _hashes(package, cache)
    path = package / rel
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    after = _hashes(package, cache)
    return {name for name in before if before[name] != after[name]}


@pytest.fixture(scope="module")
def import_cache(tmp_path_factory) -> Path:
    """One cache of parsed imports for the editing tests: it is keyed by each file's content, so an
    edited file is parsed again and the others need not be, test after test."""
    return tmp_path_factory.mktemp("import-cache")


def _add_line(text: str) -> str:
    return text + "\n# edited\n"


@pytest.mark.parametrize(
    "rel, stale",
    [
        # imported through parse/__init__ by every table step (in_output_order, the parsers); no figure reads it
        ("parse/numbers.py", TABLES),
        ("schemas.py", TABLES | {"datapackage"}),  # the package descriptor is generated from the schemas
        ("datapackage.py", {"datapackage"}),
        # the field registry: column order and keys of every table, read by in_output_order (parse/__init__) and validate
        ("fields.py", TABLES | {"datapackage"}),
        ("dates.py", TABLES | {"datapackage"}),  # publication dates as intervals: parse, periods, claims, validate (via schemas)
        ("paths.py", ALL),  # steps.py imports it at its top
        ("steps.py", ALL),
        # imported lazily inside build_figure only
        ("figures.py", FIGURES | {"report"}),  # the report's notebooks draw with it
        # imported inside _write_processed, which the table steps call; figures.py states ratios in
        # prose with its rounding (per_million_interval), so the figure steps and the report too
        ("write.py", TABLES | FIGURES | {"report"}),
        # reads the raw tables every step with a raw input gets (pipeline.RAW_READER)
        ("validate.py", RAW_READERS),
        ("claims.py", {"reconcile"}),
        ("discrepancies.py", {"reconcile"}),
        ("readings.py", {"reconcile", "compare", "report"} | FIGURES),  # the figures' power-of-ten rule (powers_of_ten)
        ("compare.py", {"compare"}),  # the figures read its reach_series table, never its code
        # the engine and the command line are no step's code
        ("build.py", set()),
        ("publish.py", set()),
        ("cli.py", set()),
        ("stepcode.py", set()),
    ],
)
def test_editing_a_module_makes_exactly_the_steps_that_import_it_stale(package, import_cache, rel, stale):
    assert _stale_after(package, import_cache, rel, _add_line) == stale


def _edit_docstring(text: str) -> str:
    assert '"""The pipeline, declared in one place' in text
    return text.replace('"""The pipeline, declared in one place', '"""The pipeline, declared once', 1)


def test_editing_the_pipeline_docstring_rebuilds_nothing(package, tmp_path):
    assert _stale_after(package, tmp_path / "cache", "pipeline.py", _edit_docstring) == set()


def test_a_changed_step_declaration_changes_that_steps_code_hash_only(tmp_path):
    code = stepcode.PackageCode(tmp_path / "cache")
    sources = pipeline.step_named("sources")
    assert code.hash(dataclasses.replace(sources, inputs=pipeline.raw("sources", "authorities"))) != code.hash(sources)
    figure = pipeline.step_named("fig_campaign_scale")
    assert code.hash(dataclasses.replace(figure, params=(("figure", "other"),))) != code.hash(figure)


def test_a_new_import_is_seen_through_the_cache(package, tmp_path):
    cache = tmp_path / "cache"
    before = stepcode.PackageCode(cache, package)
    assert "trace.py" not in before.files(pipeline.step_named("fig_discrepancies"))
    assert (cache / stepcode.CACHE_NAME).is_file()
    figures = package / "figures.py"
    figures.write_text(figures.read_text(encoding="utf-8") + "\n\ndef _later():\n    from censorstats import trace\n", encoding="utf-8")
    after = stepcode.PackageCode(cache, package)
    assert "trace.py" in after.files(pipeline.step_named("fig_discrepancies"))
    assert "trace.py" not in after.files(pipeline.step_named("reports"))


def test_imports_for_type_checkers_only_are_not_code():
    source = b"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from censorstats import pipeline\nelse:\n    import censorstats.paths\n"
    assert stepcode.analyse(source, "censorstats.steps", False)["all"] == ["censorstats.paths"]


def test_relative_imports_are_followed():
    info = stepcode.analyse(b"from . import schemas\nfrom .numbers import read_figures\n", "censorstats.parse.x", False)
    assert info["top"] == ["censorstats.parse", "censorstats.parse.numbers", "censorstats.parse.numbers.read_figures",
                           "censorstats.parse.schemas"]
    assert stepcode.analyse(b"from .. import paths\n", "censorstats.parse", True)["top"] == ["censorstats", "censorstats.paths"]


def test_the_engine_sees_an_edited_helper_and_ignores_an_edited_docstring(built, package, monkeypatch):
    monkeypatch.setattr(stepcode, "PACKAGE_DIR", package)
    assert [v.step.name for v in build.status(built) if v.stale] == []  # the copy is the same code
    numbers = package / "parse" / "numbers.py"
    numbers.write_text(_add_line(numbers.read_text(encoding="utf-8")), encoding="utf-8")
    verdicts = build.status(built)
    own = {v.step.name for v in verdicts if "code of the step changed" in v.reasons}
    assert own == TABLES, [(v.step.name, v.reasons) for v in verdicts if v.step.name in FIGURES]  # the figures do not read the parser
    for v in verdicts:  # a figure (or the package descriptor) is stale only because a table it reads will be rebuilt
        assert v.stale and (v.reasons == ["code of the step changed"] if v.step.name in TABLES else v.reasons), (v.step.name, v.reasons)
    numbers.write_text(numbers.read_text(encoding="utf-8").removesuffix("\n# edited\n"), encoding="utf-8")
    pipeline_py = package / "pipeline.py"
    pipeline_py.write_text(_edit_docstring(pipeline_py.read_text(encoding="utf-8")), encoding="utf-8")
    assert [v.step.name for v in build.status(built) if v.stale] == []


# Runs each step of pipeline.STEPS on the built project at argv[1], each in a process forked from
# one that has imported only the pipeline and the run modules, and prints, per step, the package
# modules loaded by running it (the validation of raw tables included, as the engine does first).
RUN_EACH_STEP = """
import importlib, json, os, sys, tempfile
from pathlib import Path
from censorstats import pipeline
from censorstats.paths import Project

project = Project(Path(sys.argv[1]))
for step in pipeline.STEPS:
    importlib.import_module(step.run.split(":")[0])
before = {m for m in sys.modules if m.startswith("censorstats")}
loaded = {}
for step in (s for s in pipeline.STEPS if not s.on_request):  # the report runs notebooks from the project's notebooks/: test_report
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        from censorstats.steps import Context
        tables = {}
        if any(p.startswith("data/raw/") for p in step.inputs):
            from censorstats.validate import validate_raw
            tables = validate_raw(project).tables
        module, function = step.run.split(":")
        ctx = Context(project, Path(tempfile.mkdtemp()), tables, step)
        getattr(importlib.import_module(module), function)(ctx)
        os.write(write_end, json.dumps(sorted(m for m in sys.modules if m.startswith("censorstats"))).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        loaded[step.name] = json.loads(f.read() or "null")
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0, step.name
print(json.dumps({"before": sorted(before), "loaded": loaded}))
"""


def test_every_module_a_step_loads_when_it_runs_is_in_its_derived_code(shipped_build, tmp_path):
    """The derived lists against what really runs: a dynamic import the analysis missed shows here."""
    import json
    import subprocess
    import sys

    work = tmp_path / "built"
    shutil.copytree(shipped_build, work, symlinks=True)
    out = subprocess.run([sys.executable, "-c", RUN_EACH_STEP, str(work)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    code = stepcode.PackageCode(tmp_path / "cache")
    harness = {code.module_file[m] for m in result["before"] if m in code.module_file}  # the run modules, pipeline, paths
    assert {"pipeline.py", "steps.py"} <= harness
    for step in (s for s in pipeline.STEPS if not s.on_request):
        loaded = {code.module_file[m] for m in result["loaded"][step.name] if m in code.module_file}
        assert loaded - harness, step.name  # the step really ran and imported something of its own
        assert loaded - {"pipeline.py"} <= set(code.files(step)), step.name  # pipeline.py: the harness's own
