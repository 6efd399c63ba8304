"""A no-op of doit with one task, against censorstats' no-op build, as whole processes.

The README compares the engine with doit; this is how that comparison is measured. doit is not
a dependency: give the Python of an environment that has it, e.g.

    python3 -m venv --without-pip /tmp/doit
    .venv/bin/uv pip install --compile-bytecode --python /tmp/doit/bin/python doit
    .venv/bin/python benchmarks/bench_doit.py /tmp/doit/bin/python [repeats]

The doit task reads one file (data/raw/reports.csv, by content: doit's default MD5 check) and
writes one; after a first run, both tools have nothing to do.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

DODO = '''
def task_copy():
    return {
        "file_dep": ["reports.csv"],
        "targets": ["out.csv"],
        "actions": ["cp reports.csv out.csv"],
    }
'''


def median_ms(cmd: list[str], repeats: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=cwd)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(doit_python: str, repeats: int = 21) -> None:
    with tempfile.TemporaryDirectory(prefix="censorstats-doit-") as tmp:
        work = Path(tmp)
        (work / "dodo.py").write_text(DODO, encoding="utf-8")
        shutil.copy(ROOT / "data" / "raw" / "reports.csv", work / "reports.csv")
        doit = [doit_python, "-m", "doit"]
        subprocess.run(doit, capture_output=True, check=True, cwd=work)  # the first run does the work
        doit_ms = median_ms(doit, repeats, cwd=work)
    subprocess.run([str(BIN / "censorstats"), "build"], capture_output=True, check=True)
    ours_ms = median_ms([str(BIN / "censorstats"), "build"], repeats)
    print(f"no-op, median of {repeats}: doit (1 task) {doit_ms:.0f} ms; censorstats build (9 steps) {ours_ms:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 21)
