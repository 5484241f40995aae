"""Benchmarks of the report build on the bundled data.

1. A full build (every notebook executed, side by side up to the number of cores), each in
   a fresh process with an empty cache, as a first ``make report`` is — target within 3x
   the baseline measured in the same run: the floor of any notebook-based build, starting a
   Jupyter kernel and running one empty cell, once per notebook, one after the other. Both
   are best of several runs (a kernel start now and then takes seconds longer); the CPU
   row is the machine's busy CPU-seconds during the best build (all its processes).
2. A rebuild with nothing changed, end to end as a user runs it (``baby-room report`` in a
   fresh process: Python start, imports, checks, hashing, copying, manifest) — target under
   1 s. Baseline: a fresh process that only imports ``baby_room`` (the floor of any command).

Run: ``.venv/bin/python benchmarks/bench_report.py`` from the repository root.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import best_of, print_table, row  # noqa: E402

from baby_room.report import build_report  # noqa: E402

NOTEBOOKS = HERE.parent / "notebooks"
CLI = Path(sys.executable).with_name("baby-room")

#: Run in a fresh process: one forced build into a new folder; prints its wall seconds and
#: the machine's busy CPU-seconds (from /proc/stat) meanwhile.
FULL_BUILD = """
import os, sys, time
from pathlib import Path
from baby_room.report import build_report
def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
out = Path(sys.argv[1])
b0, t0 = busy(), time.perf_counter()
build_report(out_dir=out / "reports", notebooks_dir=Path(sys.argv[2]), cache_dir=out / "cache",
             force=True, progress=False)
print(time.perf_counter() - t0, busy() - b0)
"""


def _kernel_floor(n: int) -> float:
    import nbformat
    from nbclient import NotebookClient

    t0 = time.perf_counter()
    for _ in range(n):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        NotebookClient(nb, kernel_name="python3").execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _run(*args) -> None:
    subprocess.run(args, check=True, capture_output=True, cwd=HERE.parent)


def _full_build() -> tuple[float, float]:
    """(wall seconds, machine CPU-seconds) of one forced build in a fresh process."""
    with tempfile.TemporaryDirectory() as d:
        done = subprocess.run([sys.executable, "-c", FULL_BUILD, d, str(NOTEBOOKS)],
                              check=True, capture_output=True, text=True, cwd=HERE.parent)
    wall, cpu = map(float, done.stdout.split()[-2:])
    return wall, cpu


def run() -> list[dict]:
    n = len(list(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")))
    full, full_cpu = min(_full_build() for _ in range(2))
    with tempfile.TemporaryDirectory() as d:
        out, cache = Path(d) / "reports", Path(d) / "cache"
        # a report and its cache for the no-change rebuild
        build_report(out_dir=out, notebooks_dir=NOTEBOOKS, cache_dir=cache, progress=False)
        command = [str(CLI), "report", "--out", str(out)]
        # the CLI's default cache is beside --out: point it at the one just filled
        (Path(d) / ".report-cache").symlink_to(cache)
        _run(*command)  # warm the file cache once
        rebuild = best_of(lambda: _run(*command), repeat=5)
    floor = min(_kernel_floor(n) for _ in range(3))
    start = best_of(lambda: _run(sys.executable, "-c", "import baby_room"), repeat=5)
    return [
        row(f"full report build ({n} notebooks), fresh process", full,
            f"start a kernel + empty cell x {n}", floor, target="<= 3x baseline"),
        row("same build, CPU-seconds of the whole machine", full_cpu,
            "its wall time x cores", full * (os.cpu_count() or 1)),
        row("no-change rebuild, `baby-room report` end to end", rebuild,
            "`python -c 'import baby_room'`", start, target="< 1 s"),
    ]


if __name__ == "__main__":
    print_table(run())
