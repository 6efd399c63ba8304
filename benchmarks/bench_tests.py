"""Wall and CPU time of `make test` (the whole suite, what CI runs) and `make test-fast`.

Run after `make`, from the project root: `python3 benchmarks/bench_tests.py [--runs N] [TARGET ...]`
(targets default to test-fast and test). The CPU time counts every process the run started, so
it says how much of the wall time was waiting for a machine shared with others.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_make(target: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, pytest's closing line) of one `make TARGET`."""
    cpu0, t0 = children_cpu_seconds(), time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), target], capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu_seconds() - cpu0
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"make {target} failed:\n" + "\n".join(lines[-20:]) + done.stderr[-2000:])
    return wall, cpu, next((line.strip("= ") for line in reversed(lines) if " passed" in line), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("targets", nargs="*", default=["test-fast", "test"])
    args = parser.parse_args()
    for target in args.targets:
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu, summary = time_make(target)
            walls.append(wall)
            cpus.append(cpu)
            print(f"make {target}: {wall:.1f} s wall, {cpu:.1f} s CPU ({summary}); load average {os.getloadavg()[0]:.2f}", flush=True)
        print(f"make {target}: median of {args.runs} {statistics.median(walls):.1f} s wall "
              f"(min {min(walls):.1f}, max {max(walls):.1f}), {statistics.median(cpus):.1f} s CPU")


if __name__ == "__main__":
    main()
