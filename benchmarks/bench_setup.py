"""`make` in a fresh clone: creating .venv from the locks and the first full build, as a new user
would run it.

Each run clones the repository's committed state (HEAD, or --ref) into a temporary folder and
times `make` there, wall clock and the CPU time of every process it ran. By default uv and pip use
their usual download caches, as on a machine that has installed these packages before; --cold
gives each run empty caches, so every wheel is downloaded.

    python3 benchmarks/bench_setup.py [--runs N] [--cold] [--ref COMMIT]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def children_cpu_seconds() -> float:
    """User and system CPU time of all waited-for child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_make_in_fresh_clone(ref: str, cold: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `make` in a new clone checked out at `ref`."""
    with tempfile.TemporaryDirectory(prefix="censorstats-setup-") as tmp:
        clone = Path(tmp) / "censorstats"
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", ref], check=True)
        env = dict(os.environ)
        if cold:
            env |= {"UV_CACHE_DIR": f"{tmp}/uv-cache", "PIP_NO_CACHE_DIR": "1"}
        cpu0, t0 = children_cpu_seconds(), time.perf_counter()
        subprocess.run(["make", "-C", str(clone)], check=True, capture_output=True, env=env)
        return time.perf_counter() - t0, children_cpu_seconds() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="empty download caches for each run")
    parser.add_argument("--ref", default="HEAD", help="commit to clone (default HEAD: commit your changes first)")
    args = parser.parse_args()
    ref = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.ref], check=True, capture_output=True, text=True).stdout.strip()
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time_make_in_fresh_clone(ref, args.cold)
        walls.append(wall)
        cpus.append(cpu)
        print(f"make in a fresh clone of {ref}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    caches = "empty caches" if args.cold else "warm caches"
    print(
        f"median of {args.runs} ({caches}): {statistics.median(walls):.1f} s wall "
        f"(min {min(walls):.1f}, max {max(walls):.1f}), {statistics.median(cpus):.1f} s CPU; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
