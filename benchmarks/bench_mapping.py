"""Benchmark: mapping + loading + validating a 1,000,000-row Qualtrics export (issue 10).

The export is the canonical synthetic survey repeated to 1,000,000 responses with fresh
ResponseIds, written as Qualtrics writes it (three header rows, every cell quoted,
answer labels such as "Private day nursery", a 1% sprinkling of previews and partial
responses), with a mapping file recoding the labels and naming the questions by export
tag and question text. Measured in the same run:

* ``load_survey(path)`` (finds the mapping file, sets previews aside, recodes, validates)
  — target under 5 s;
* the baseline ``pandas.read_csv(path, skiprows=[1, 2])`` (no mapping, no validation);
* the peak resident memory of a fresh process that imports baby_room and loads the file
  (VmHWM, which counts pyarrow's buffers) — target under 1.5 GB.

Run: ``.venv/bin/python benchmarks/bench_mapping.py``
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import best_of, print_table, row  # noqa: E402

import baby_room as br  # noqa: E402

ROWS = 1_000_000


def _exports():
    spec = importlib.util.spec_from_file_location(
        "survey_exports", HERE.parent / "tests" / "survey_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_export(folder: Path, n: int = ROWS) -> Path:
    """A Qualtrics three-row export of ``n`` responses and its mapping file; returns the path."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    ex = _exports()
    small, _, _ = ex.qualtrics_three_rows(folder, previews=3, unfinished=4)
    lines = small.read_bytes().decode("utf-8-sig").split("\r\n")
    head = "\r\n".join(lines[:3]) + "\r\n"
    body = pd.read_csv(small, skiprows=[1, 2], dtype=str, keep_default_na=False)
    reps = -(-n // len(body))
    big = pd.concat([body] * reps, ignore_index=True).iloc[:n]
    big["ResponseId"] = [f"R_{i:015X}" for i in range(n)]
    table = pa.Table.from_pandas(big, preserve_index=False)
    path = folder / "qualtrics_1m.csv"
    with open(path, "wb") as fh:
        fh.write(("\ufeff" + head).encode("utf-8"))
        pa_csv.write_csv(table, fh, pa_csv.WriteOptions(include_header=False,
                                                        quoting_style="all_valid"))
    path.with_name(f"{path.stem}.mapping.toml").write_text(ex.qualtrics_mapping_toml(),
                                                           encoding="utf-8")
    return path


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", br.RowsSetAsideWarning)
        return br.load_survey(path)


def _peak_rss_mb(path: Path) -> float:
    code = ("import warnings, baby_room as br; warnings.simplefilter('ignore'); "
            f"br.load_survey({str(path)!r}); "
            "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout) * 1024 / 1e6  # VmHWM is in KiB; MB = 1e6 bytes (_common.py)


def run(n: int = ROWS) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(Path(tmp), n)
        got = _load(path)
        aside = len(br.set_aside_rows(got))
        assert len(got) + aside == n, (len(got), aside)
        seconds = best_of(lambda: _load(path), repeat=2)
        baseline = best_of(lambda: pd.read_csv(path, skiprows=[1, 2]), repeat=2)
        peak = _peak_rss_mb(path)
    return [row(f"map+load+validate Qualtrics export, {n:,} rows ({aside:,} set aside)",
                seconds, "pandas.read_csv (no mapping, no validation)", baseline,
                target="< 5 s, < 1.5 GB", peak=peak)]


if __name__ == "__main__":
    print_table(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS))

