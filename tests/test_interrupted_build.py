"""A build killed with SIGKILL at any moment leaves a complete version, and the next build repairs itself.

Two kinds of moment: immediately before file-system changes the build makes (every rename,
replace and folder exchange, and the first, middle and last of the hard links that complete a
staged folder; all listed by a first run), and at times spread evenly over a whole build, which
land in start-up, validation and the steps.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from censorstats import build
from censorstats.paths import Project
from conftest import set_cell

OUTPUT_DIRS = ("data/processed", "reports/figures")
TIMED_KILLS = 12

# Runs `censorstats build`, and kills itself with SIGKILL just before its K-th file-system change
# (K = 0: never); the kind of each change it made is written to the file named by COUNT_FILE.
CHILD = """
import atexit, os, signal, sys
from censorstats import publish
from censorstats.cli import main

kill_at, changes = int(sys.argv[1]), []
def killing_before(fn):
    def wrapper(*args, **kwargs):
        changes.append(fn.__name__)
        if len(changes) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return wrapper
for name in ("replace", "rename", "link"):
    setattr(os, name, killing_before(getattr(os, name)))
publish._exchange = killing_before(publish._exchange)
atexit.register(lambda: open(os.environ["COUNT_FILE"], "w").write(" ".join(changes)))
sys.exit(main(["build"]))
"""


def _folder(project: Project, rel: str) -> dict[str, bytes]:
    root = project.root / rel
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _snapshot(project: Project) -> dict[str, dict[str, bytes]]:
    return {rel: _folder(project, rel) for rel in OUTPUT_DIRS}


def _edit(project: Project) -> None:
    """A change that touches both output folders (reach and scale_vs_reach, two figures), and not all steps."""
    set_cell(project.raw_file("reach"), "p023", "value_text", "1.084 billion")


def _start_build(project: Project, kill_at: int = 0) -> subprocess.Popen:
    env = {**os.environ, "CENSORSTATS_ROOT": str(project.root), "COUNT_FILE": str(project.root / "changes")}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(kill_at)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The shipped data built (old), the edited data built from it (new), and that build's time and changes."""
    old = Project(tmp_path_factory.mktemp("old"))
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "raw", old.raw)
    build.build(old)
    new = Project(tmp_path_factory.mktemp("new"))
    shutil.copytree(old.root, new.root, dirs_exist_ok=True)
    _edit(new)
    started = time.perf_counter()
    assert _start_build(new).wait() == 0
    seconds = time.perf_counter() - started
    changes = (new.root / "changes").read_text().split()
    (new.root / "changes").unlink()
    return old, new, seconds, changes


def _moments(seconds: float, changes: list[str]):
    links = [k for k, kind in enumerate(changes, start=1) if kind == "link"]
    chosen = sorted({k for k, kind in enumerate(changes, start=1) if kind != "link"} | {links[0], links[len(links) // 2], links[-1]})
    for k in chosen:
        yield f"before file-system change {k} of {len(changes)} ({changes[k - 1]})", k, None
    for k in range(TIMED_KILLS):
        delay = seconds * (k + 0.5) / TIMED_KILLS
        yield f"after {delay:.2f} s", 0, delay


def test_sigkill_at_any_moment_leaves_old_or_new_outputs_and_the_next_build_repairs(versions, tmp_path):
    old, new, seconds, changes = versions
    old_outputs, new_outputs = _snapshot(old), _snapshot(new)
    assert all(old_outputs[rel] != new_outputs[rel] for rel in OUTPUT_DIRS)
    moments = list(_moments(seconds, changes))
    assert len(moments) >= 20
    seen = {rel: set() for rel in OUTPUT_DIRS}
    for i, (moment, kill_at, delay) in enumerate(moments):
        work = Project(tmp_path / f"run{i}")
        shutil.copytree(old.root, work.root)
        _edit(work)
        raw_before = {p.name: p.read_bytes() for p in work.raw.iterdir()}
        proc = _start_build(work, kill_at)
        if delay is not None:
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        (work.root / "changes").unlink(missing_ok=True)
        for rel in OUTPUT_DIRS:
            now = _folder(work, rel)
            assert now in (old_outputs[rel], new_outputs[rel]), f"{rel} is neither the old nor the new version when killed {moment}"
            seen[rel].add("old" if now == old_outputs[rel] else "new")
        assert {p.name: p.read_bytes() for p in work.raw.iterdir()} == raw_before
        build.build(work)
        assert _snapshot(work) == new_outputs, f"the build after a kill {moment} differs from a clean build"
        assert build.build(work).rebuilt == [], f"a second build after a kill {moment} still finds work"
        assert not list(work.build_state.glob("staging-*")) and not list(work.build_state.glob("*.pending"))
        shutil.rmtree(work.root)
    assert seen == {rel: {"old", "new"} for rel in OUTPUT_DIRS}
