"""Run every benchmark, print one table, write benchmarks/latest.csv (git-ignored).

The table is not written into reports/: that folder belongs to the report build, which
replaces it as a whole and refuses a folder holding files it did not make.

Each benchmark measures its baseline in the same run and reports the ratio; none is a
pass/fail test. Run with ``make bench``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import COLUMNS, print_table  # noqa: E402


def main() -> int:
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        for r in module.run():
            rows.append({"file": path.name, **{c: r.get(c) for c in COLUMNS}})
    print_table(rows)
    path = HERE / "latest.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
