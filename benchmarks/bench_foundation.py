"""Benchmarks of the foundation: import time, and loading + validating surveys at scale.

1. ``import baby_room`` in a fresh interpreter against ``import pandas`` (target: within
   1.3x). Best of 5 fresh processes each.
2. Loading and validating the bundled survey (434 rows) from CSV with ``load_survey``
   against ``pandas.read_csv`` of the same file (no validation): target well under 1 s.
3. The same at 100,000 and 1,000,000 rows (the synthetic survey repeated with fresh
   identifiers), with the peak resident memory of a fresh process that imports
   baby_room and loads the file (VmHWM; it counts pyarrow's buffers, which
   tracemalloc does not see) — target for 1,000,000 rows: under 5 s and 1.5 GB.

Run: ``.venv/bin/python benchmarks/bench_foundation.py``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import best_of, print_table, row  # noqa: E402

import baby_room as br  # noqa: E402
from baby_room import synthetic  # noqa: E402


def _import_seconds(module: str, repeat: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(repeat)]
    return min(times)


def _peak_rss_mb(path: Path) -> float:
    # VmHWM is the peak resident memory of this process image (it starts afresh at exec,
    # unlike ru_maxrss, which inherits the parent's peak across fork)
    code = ("import baby_room as br; "
            f"br.load_survey({str(path)!r}); "
            "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout) * 1024 / 1e6  # VmHWM is in KiB; MB = 1e6 bytes (_common.py)


def _survey_file(n: int, folder: Path) -> Path:
    base = synthetic.survey_raw()
    reps = int(np.ceil(n / len(base)))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:n].copy()
    big["respondent_id"] = [f"R{i:07d}" for i in range(n)]
    big["setting_id"] = big["setting_id"] + "-" + (np.arange(n) // len(base)).astype(str)
    path = folder / f"survey_{n}.csv"
    big.to_csv(path, index=False)
    return path


def run() -> list[dict]:
    rows = []
    ours, pandas_ = _import_seconds("baby_room"), _import_seconds("pandas")
    rows.append(row("import baby_room", ours, "import pandas", pandas_, target="<= 1.3x pandas"))
    with tempfile.TemporaryDirectory() as d:
        for n, target, repeat in ((434, "< 1 s", 5), (100_000, None, 3),
                                  (1_000_000, "< 5 s, < 1.5 GB", 1)):
            path = _survey_file(n, Path(d))
            seconds = best_of(lambda p=path: br.load_survey(p), repeat)
            base = best_of(lambda p=path: pd.read_csv(p), repeat)
            peak = _peak_rss_mb(path) if n >= 100_000 else None
            rows.append(row(f"load_survey + validate, {n:,} rows", seconds,
                            "pandas.read_csv (no validation)", base, target=target, peak=peak))
    return rows


if __name__ == "__main__":
    print_table(run())
