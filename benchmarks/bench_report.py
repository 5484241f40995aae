"""Benchmarks of the report build on the bundled data.

1. A full build (every notebook executed, side by side up to the number of cores) — target
   within 3x the baseline measured in the same run: the floor of any notebook-based build,
   starting a Jupyter kernel and running one empty cell, once per notebook, one after the
   other.
2. A rebuild with nothing changed, end to end as a user runs it (``baby-room report`` in a
   fresh process: Python start, imports, checks, hashing, copying, manifest) — target under
   1 s. Baseline: a fresh process that only imports ``baby_room`` (the floor of any command).

Run: ``.venv/bin/python benchmarks/bench_report.py`` from the repository root.
"""

from __future__ import annotations

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


def run() -> list[dict]:
    n = len(list(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")))
    with tempfile.TemporaryDirectory() as d:
        out, cache = Path(d) / "reports", Path(d) / "cache"
        t0 = time.perf_counter()
        build_report(out_dir=out, notebooks_dir=NOTEBOOKS, cache_dir=cache, force=True,
                     progress=False)
        full = time.perf_counter() - t0
        command = [str(CLI), "report", "--out", str(out)]
        # the CLI's default cache is beside --out: point it at the one just filled
        (Path(d) / ".report-cache").symlink_to(cache)
        _run(*command)  # warm the file cache once
        rebuild = best_of(lambda: _run(*command), repeat=5)
    floor = _kernel_floor(n)
    start = best_of(lambda: _run(sys.executable, "-c", "import baby_room"), repeat=5)
    return [
        row(f"full report build ({n} notebooks)", full,
            f"start a kernel + empty cell x {n}", floor, target="<= 3x baseline"),
        row("no-change rebuild, `baby-room report` end to end", rebuild,
            "`python -c 'import baby_room'`", start, target="< 1 s"),
    ]


if __name__ == "__main__":
    print_table(run())
