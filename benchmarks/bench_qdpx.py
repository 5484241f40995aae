"""Benchmark: reading a REFI-QDA project with 10,000 codings.

Target: ``read_qdpx(path).to_long()`` on a .qdpx with 10,000 text codings (20
sources, two coders, CRLF text with UTF-16 offsets, so every offset interpretation
is scored) in under 2 s. Baseline, measured in the same run: what any reader must
do at least - open the zip, read the .qde and every source text, and parse the XML
with the standard library's ElementTree (no safety checks, no offsets, no tables).

Run: ``.venv/bin/python benchmarks/bench_qdpx.py``
"""

from __future__ import annotations

import gc
import importlib.util
import sys
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from baby_room.focus_groups.qdpx import read_qdpx  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "qdpx_builders", HERE.parent / "tests" / "fixtures" / "qdpx" / "builders.py")
B = importlib.util.module_from_spec(_spec)
sys.modules["qdpx_builders"] = B
_spec.loader.exec_module(B)

N_CODINGS = 10_000
TARGET_SECONDS = 2.0


def _baseline(path):
    with zipfile.ZipFile(path) as z:
        root = None
        for info in z.infolist():
            data = z.read(info)
            if info.filename.endswith(".qde"):
                root = ET.fromstring(data)
    return root


def _ours(path):
    return read_qdpx(path).to_long()


def _best_of(fn, path, repeat=3):
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t0)
    return min(times)


def _peak_mb(fn, path):
    gc.collect()
    tracemalloc.start()
    fn(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024**2


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "large.qdpx"
        B.large(path, n_codings=N_CODINGS)
        long = _ours(path)
        if len(long) != N_CODINGS:
            raise RuntimeError(f"expected {N_CODINGS} codings, read {len(long)}")
        ours = _best_of(_ours, path)
        base = _best_of(_baseline, path)
        peak = _peak_mb(_ours, path)
    return [{
        "benchmark": f"read_qdpx + to_long, {N_CODINGS:,} codings",
        "seconds": ours,
        "baseline": "zipfile read + xml.etree parse (no checks, no processing)",
        "baseline_seconds": base,
        "ratio": ours / base,
        "target": f"< {TARGET_SECONDS:g} s",
        "peak_mb": peak,
    }]


def main():
    rows = run()
    print(f"{'benchmark':45} {'seconds':>8} {'baseline_s':>10} {'ratio':>6} {'target':>8} "
          f"{'peak_mb':>8}")
    for r in rows:
        print(f"{r['benchmark']:45} {r['seconds']:8.3f} {r['baseline_seconds']:10.3f} "
              f"{r['ratio']:6.2f} {r['target']:>8} {r['peak_mb']:8.1f}")
        print(f"  baseline: {r['baseline']}")
        status = "OK" if r["seconds"] < TARGET_SECONDS else "SLOWER THAN TARGET"
        print(f"  {status}")


if __name__ == "__main__":
    main()
