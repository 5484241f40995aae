"""Benchmarks of the report build on the bundled data.

1. A full build (every notebook executed) — target under 60 s on 2 cores. Baseline in
   the same run: the floor of any notebook-based build, starting a Jupyter kernel and
   running one empty cell per notebook.
2. A rebuild with nothing changed (every notebook reused from the cache) — target under
   5 s. Baseline: the full build just measured.

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

from _common import print_table, row  # noqa: E402

from baby_room.report import build_report  # noqa: E402

NOTEBOOKS = HERE.parent / "notebooks"


def _kernel_floor(n: int) -> float:
    import nbformat
    from nbclient import NotebookClient

    t0 = time.perf_counter()
    for _ in range(n):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        NotebookClient(nb, kernel_name="python3").execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run() -> list[dict]:
    n = len(list(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")))
    with tempfile.TemporaryDirectory() as d:
        kw = dict(notebooks_dir=NOTEBOOKS, cache_dir=Path(d) / "cache", progress=False)
        t0 = time.perf_counter()
        build_report(out_dir=Path(d) / "reports", force=True, **kw)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = build_report(out_dir=Path(d) / "reports", **kw)
        rebuild = time.perf_counter() - t0
        if again.executed:  # pragma: no cover - would mean the cache is broken
            raise RuntimeError(f"no-change rebuild executed {again.executed}")
    floor = _kernel_floor(n)
    return [
        row(f"full report build ({n} notebooks)", full,
            f"start a kernel + empty cell x {n}", floor, target="< 60 s"),
        row("no-change rebuild", rebuild, "full build", full, target="< 5 s"),
    ]


if __name__ == "__main__":
    print_table(run())
