"""A build killed with SIGKILL at any moment leaves a complete version, and the next build repairs itself.

Two kinds of moment: immediately before file-system changes the build makes (every rename,
replace and folder exchange, and the first, middle and last of the hard links that complete a
staged folder; all listed by a first run), and at times spread evenly over a whole build, which
land in start-up, validation and the steps.

Each build runs in a process forked from a server that has already imported the package and its
libraries, as a `censorstats build` process has once its imports are done: the same build and the
same kill moments, without paying 0.5-0.8 s of imports thirty times. (A kill during the imports
themselves is not tried: nothing is written before they finish.)
"""

from __future__ import annotations

import shutil
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

# A build server: imports every censorstats module (and so polars, pandera and matplotlib), then
# for each line "ROOT K DELAY" on stdin forks a `censorstats build` of ROOT, waits for it and
# prints its exit status. The child kills itself with SIGKILL just before its K-th file-system
# change (K = 0: never) and writes the kind of each change it made to ROOT/changes; with a DELAY
# (seconds, or "-"), the server sends it SIGKILL after that long. The server has not reaped the
# child by then, so its pid cannot belong to another process. No polars query runs before a fork.
SERVER = """
import importlib, os, pkgutil, signal, sys, time
import censorstats
from censorstats import publish
from censorstats.cli import main

for module in pkgutil.walk_packages(censorstats.__path__, "censorstats."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
kill_at, changes = 0, []
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

for line in sys.stdin:
    root, kill_at, delay = line.split()
    kill_at = int(kill_at)
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.environ["CENSORSTATS_ROOT"] = root
        status = 1
        try:
            status = main(["build"])
        finally:
            with open(os.path.join(root, "changes"), "w") as out:
                out.write(" ".join(changes))
            os._exit(status)
    if delay != "-":
        time.sleep(float(delay))
        os.kill(pid, signal.SIGKILL)  # a build that has already finished is a zombie: no effect
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


def _folder(project: Project, rel: str) -> dict[str, bytes]:
    root = project.root / rel
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _snapshot(project: Project) -> dict[str, dict[str, bytes]]:
    return {rel: _folder(project, rel) for rel in OUTPUT_DIRS}


def _edit(project: Project) -> None:
    """A change that touches both output folders (the reach table, the reach figure), and not all steps.

    QQ's reach in one quarter, outside every comparison with a claim: one figure to redraw, so each
    build after a kill costs half what it would if scale_vs_reach were drawn again too.
    """
    set_cell(project.raw_file("reach"), "p057", "value_text", "6.175亿")


@pytest.fixture(scope="module")
def server():
    """The build server (SERVER above), stopped by closing its input."""
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield proc
    proc.stdin.close()
    proc.wait(timeout=30)


def _build(server: subprocess.Popen, project: Project, kill_at: int = 0, kill_after: float | None = None) -> int:
    """Exit status of a forked build of `project`, killed before change `kill_at` or after `kill_after` s."""
    server.stdin.write(f"{project.root} {kill_at} {'-' if kill_after is None else kill_after}\n")
    server.stdin.flush()
    return int(server.stdout.readline())


@pytest.fixture(scope="module")
def versions(tmp_path_factory, server):
    """The shipped data built (old), the edited data built from it (new), and that build's time and changes."""
    old = Project(tmp_path_factory.mktemp("old"))
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "raw", old.raw)
    build.build(old)
    new = Project(tmp_path_factory.mktemp("new"))
    shutil.copytree(old.root, new.root, dirs_exist_ok=True)
    _edit(new)
    started = time.perf_counter()
    assert _build(server, new) == 0
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


def test_sigkill_at_any_moment_leaves_old_or_new_outputs_and_the_next_build_repairs(versions, server, tmp_path):
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
        _build(server, work, kill_at, delay)
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
