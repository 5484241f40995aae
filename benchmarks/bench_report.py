"""Benchmarks of the report build on the bundled data.

1. A full build (every notebook executed, side by side up to the number of cores), each in
   a fresh process with an empty cache, as a first ``make report`` is — target within 3x
   the baseline measured in the same run: the floor of any notebook-based build, starting a
   Jupyter kernel and running one empty cell, once per notebook, one after the other. Both
   are best of several runs (a kernel start now and then takes seconds longer); the CPU
   row is the machine's busy CPU-seconds during the best build (all its processes).
2. What the notebooks themselves cost, the floor of any build of them on this machine: in a
   fresh process, the modules a build's kernels share are imported once, then each
   notebook's code cells run in a forked child (plain ``exec``: no kernel, no messages, no
   report), reading the bundled data as files and saving their tables and figures. Its
   CPU-seconds (the imports and every child) over the number of cores is the shortest any
   build of these notebooks can take here, whatever it schedules; against the kernel floor
   of row 1 it shows how much of the 3x that the notebooks' own work leaves.
3. A rebuild with nothing changed, end to end as a user runs it (``baby-room report`` in a
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


#: Run in a fresh process: import what a build's kernels share (the fork server's stack and
#: the notebooks' imports), then run each notebook's code cells in a forked child; prints
#: the CPU-seconds of the imports and of the children.
NOTEBOOK_WORK = """
import importlib, os, sys, tempfile, time, traceback
from pathlib import Path
from IPython.display import display  # as a kernel has it
os.environ["MPLBACKEND"] = "Agg"
t0 = time.process_time()
from baby_room import _fork_server, report, synthetic
notebooks = sorted(Path(sys.argv[1]).glob("[0-9][0-9]-*.ipynb"))
for name in dict.fromkeys([*_fork_server.DATA_STACK, *_fork_server.KERNEL_STACK,
                           *report.notebook_imports(notebooks)]):
    try:
        importlib.import_module(name)
    except ImportError:  # ``from a import b`` names a.b, which may not be a module
        pass
imports = time.process_time() - t0
children = 0.0
with tempfile.TemporaryDirectory() as d:
    synthetic.write_all(Path(d) / "data")
    for path in notebooks:
        # the parameters as a build gives them, in a cell after the one tagged "parameters"
        nb = report._nbformat().read(path, as_version=4)
        nb.metadata["_name"] = path.name
        report._inject_parameters(nb, {"DATA_DIR": str(Path(d) / "data"),
                                       "OUTPUT_DIR": str(Path(d) / path.stem)})
        cells = [c.source for c in nb.cells if c.cell_type == "code"]
        pid = os.fork()
        if pid == 0:  # the child: never returns to the loop
            status = 1
            try:
                sys.stdout = open(os.devnull, "w")  # the cells' prints
                namespace = {"display": display}
                for code in cells:
                    exec(compile(code, path.name, "exec"), namespace)
                status = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(status)
        _, status, usage = os.wait4(pid, 0)
        if status:
            raise SystemExit(f"{path.name} failed")
        children += usage.ru_utime + usage.ru_stime
print(imports, children)
"""


def _notebook_work() -> tuple[float, float]:
    """(CPU-seconds of the shared imports, CPU-seconds of the notebooks' cells)."""
    done = subprocess.run([sys.executable, "-c", NOTEBOOK_WORK, str(NOTEBOOKS)], check=True,
                          capture_output=True, text=True, cwd=HERE.parent)
    imports, cells = map(float, done.stdout.split()[-2:])
    return imports, cells


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
    imports, cells = min((_notebook_work() for _ in range(2)), key=sum)
    floor = min(_kernel_floor(n) for _ in range(3))
    start = best_of(lambda: _run(sys.executable, "-c", "import baby_room"), repeat=5)
    return [
        row(f"full report build ({n} notebooks), fresh process", full,
            f"start a kernel + empty cell x {n}", floor, target="<= 3x baseline"),
        row("same build, CPU-seconds of the whole machine", full_cpu,
            "its wall time x cores", full * (os.cpu_count() or 1)),
        row(f"the notebooks' own work (imports {imports:.1f} + cells {cells:.1f} CPU-s) "
            f"/ {os.cpu_count() or 1} cores", (imports + cells) / (os.cpu_count() or 1),
            f"start a kernel + empty cell x {n}", floor, target="(floor of any build)"),
        row("no-change rebuild, `baby-room report` end to end", rebuild,
            "`python -c 'import baby_room'`", start, target="< 1 s"),
    ]


if __name__ == "__main__":
    print_table(run())
