"""Benchmark: saving the report's figures (PNG at 200 dpi and SVG) with ``save_figure``.

The three notebooks run in this process on the bundled data, as the report runs them,
with ``baby_room.style.save_figure`` replaced by one of the methods below, each method in
a fresh process as in a report build (one kernel per notebook), and each method's CPU time
(``time.process_time``: the figures use one core, and CPU time is steadier than wall time
on a shared machine) is added up over the figures. Two passes, the methods in the
opposite order in the second; per figure the smaller time of each method counts.

1. ``save_figure``. Baseline: plain ``fig.savefig(path, dpi=200, bbox_inches="tight")``
   for the PNG and the SVG, what a notebook would otherwise call (it lays out and draws
   every figure twice per format).
2. Same, against the previous ``save_figure`` (before 2026-12-04): one layout pass and one
   tight box, then ``savefig`` PNG (Pillow, level 6) and SVG with that box.

The files' total sizes are printed too. Run: ``.venv/bin/python benchmarks/bench_figures.py``
from the repository root.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from _common import print_table, row  # noqa: E402

import baby_room.style as style  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SVG_RC = {"svg.hashsalt": "baby_room", "svg.fonttype": "none"}
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def _savefig_tight(fig, base: Path, dpi: int) -> None:
    with matplotlib.rc_context(SVG_RC):
        for fmt in ("png", "svg"):
            fig.savefig(base.with_suffix(f".{fmt}"), format=fmt, dpi=dpi, bbox_inches="tight",
                        metadata=METADATA[fmt])


def _previous_save_figure(fig, base: Path, dpi: int) -> None:
    engine, screen_dpi = fig.get_layout_engine(), fig.dpi
    try:
        fig.dpi = dpi
        fig.draw_without_rendering()
        bbox = fig.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])
        fig.set_layout_engine("none")
        with matplotlib.rc_context(SVG_RC):
            for fmt in ("png", "svg"):
                fig.savefig(base.with_suffix(f".{fmt}"), format=fmt, dpi=dpi, bbox_inches=bbox,
                            metadata=METADATA[fmt])
    finally:
        fig.dpi = screen_dpi
        if engine is not None:
            fig.set_layout_engine(engine)


def _run_notebooks(save, out_dir: Path) -> None:
    """Execute every code cell of the report's notebooks, saving figures with ``save``."""
    import matplotlib.pyplot as plt

    original = style.save_figure
    style.save_figure = save  # Outputs.figure imports it from baby_room.style when called
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        for path in NOTEBOOKS:
            cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
            scope = {"__name__": "__main__", "display": lambda *a, **k: None}
            for cell in cells:
                source = "".join(cell["source"])
                if source.startswith("DATA_DIR = None"):  # the parameters cell
                    source = f"DATA_DIR = 'data/synthetic'\nOUTPUT_DIR = {str(out_dir)!r}"
                exec(compile(source.replace("plt.show()", "pass"), path.name, "exec"), scope)
            plt.close("all")
    finally:
        os.chdir(cwd)
        style.save_figure = original


_SAVE_FIGURE = style.save_figure  # before _run_notebooks replaces it
METHODS = {
    "save_figure": lambda fig, base, dpi: _SAVE_FIGURE(fig, base, dpi=dpi),
    "savefig tight": _savefig_tight,
    "previous": _previous_save_figure,
}


def _child(method: str, folder: Path) -> dict:
    """In this (fresh) process: run the notebooks saving with ``method``; CPU s per figure."""
    import warnings

    save = METHODS[method]
    spent: dict[str, float] = {}

    def record(fig, path, *, formats=("png", "svg"), dpi=200):
        name = Path(path).name
        t0 = time.process_time()
        save(fig, folder / name, dpi)
        spent[name] = time.process_time() - t0
        return [folder / f"{name}.{f}" for f in formats]

    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _run_notebooks(record, folder.parent / "notebook-output")
    return spent


def measure(passes: int = 2):
    """``{method: {figure: best CPU seconds}}`` and ``{method: {"png"|"svg": total bytes}}``.

    Each method runs in a fresh process, as each notebook's kernel is one in a report build
    (a process that has drawn figures before draws the next ones faster: memory it freed
    is reused without page faults, fonts are loaded).
    """
    import subprocess

    best: dict[str, dict[str, float]] = {m: {} for m in METHODS}
    sizes: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(passes):
            for method in list(METHODS) if k % 2 == 0 else list(reversed(METHODS)):
                folder = Path(tmp) / method.replace(" ", "-")
                done = subprocess.run(
                    [sys.executable, __file__, "--child", method, str(folder)], check=True,
                    capture_output=True, text=True, cwd=ROOT)
                spent = json.loads(done.stdout.strip().splitlines()[-1])
                for name, t in spent.items():
                    best[method][name] = min(best[method].get(name, t), t)
        for method in METHODS:
            folder = Path(tmp) / method.replace(" ", "-")
            sizes[method] = {ext: sum(p.stat().st_size for p in folder.glob(f"*.{ext}"))
                             for ext in ("png", "svg")}
    return best, sizes


def run() -> list[dict]:
    best, sizes = measure()
    n = len(best["save_figure"])
    total = {m: sum(t.values()) for m, t in best.items()}
    for method, size in sizes.items():
        print(f"{method}: {n} figures, {total[method]:.2f} CPU s, PNG {size['png'] / 1e6:.2f} MB, "
              f"SVG {size['svg'] / 1e6:.2f} MB", file=sys.stderr)
    what = f"`save_figure`, the report's {n} figures, PNG 200 dpi + SVG (CPU s)"
    return [
        row(what, total["save_figure"], "`savefig(bbox_inches='tight')` PNG + SVG",
            total["savefig tight"]),
        row("same", total["save_figure"], "previous `save_figure` (layout once, savefig PNG + SVG)",
            total["previous"]),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # the notebooks print
            spent = _child(sys.argv[2], Path(sys.argv[3]))
        print(json.dumps(spent))
    elif "--per-figure" in sys.argv:
        best, _ = measure(passes=int(os.environ.get("PASSES", "2")))
        for name in best["save_figure"]:
            print(f"{name:40s}", "  ".join(f"{m} {t[name]:.3f}" for m, t in best.items()))
    else:
        print_table(run())
