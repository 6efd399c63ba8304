"""No-op rebuild and status as whole processes, against `python -c "import polars"`, in one run.

Run after `make`: `.venv/bin/python benchmarks/bench_noop.py [repeats]`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def median_seconds(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(repeats: int = 15) -> None:
    subprocess.run([str(BIN / "censorstats"), "build"], capture_output=True, check=True)  # make sure the next ones are no-ops
    polars = median_seconds([sys.executable, "-c", "import polars"], repeats)
    for name, cmd in (("no-op build", ["build"]), ("status", ["status"])):
        t = median_seconds([str(BIN / "censorstats"), *cmd], repeats)
        print(f"{name}: {t * 1000:.0f} ms; import polars: {polars * 1000:.0f} ms; ratio {t / polars:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
