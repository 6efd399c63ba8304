"""A full build of the shipped data from scratch, as a whole process, against importing its libraries.

Each run builds a scratch copy of data/raw/ with no data/processed/, no figures and no build state,
so every step runs and every output is written, as on a fresh clone after `make` set up .venv.

Run after `make`: `.venv/bin/python benchmarks/bench_build.py [repeats]`.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def seconds(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run: CPU time shows the work when a noisy
    neighbour on the machine stretches the wall clock."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def full_build(scratch: Path) -> tuple[float, float]:
    for leftover in ("data/processed", "reports", "data/.build"):
        shutil.rmtree(scratch / leftover, ignore_errors=True)
    return seconds([str(BIN / "censorstats"), "build"], env=os.environ | {"CENSORSTATS_ROOT": str(scratch)})


def main(repeats: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        shutil.copytree(ROOT / "data" / "raw", scratch / "data" / "raw")
        builds = [full_build(scratch) for _ in range(repeats)]
    imports = [seconds([sys.executable, "-c", "import polars, pandera.polars, matplotlib.pyplot"]) for _ in range(repeats)]
    for name, runs in (("full build from scratch", builds),
                       ("python -c 'import polars, pandera.polars, matplotlib.pyplot'", imports)):
        wall, cpu = [run[0] for run in runs], [run[1] for run in runs]
        print(f"{name}: wall median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max {max(wall):.2f}); "
              f"CPU median {statistics.median(cpu):.2f} s ({repeats} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
