"""Benchmark: reading and loading a REFI-QDA project with 100,000 codings and 50 MB of text.

Target (issue 11): ``load_coding(path)`` — detect the format, read the .qdpx, decide each
source's position unit, build and validate the canonical table — on a .qdpx with
100,000 text codings (20 sources, two coders, CRLF text with UTF-16 offsets, so every
reading of the positions is scored) and 50 MB of source text, in under 5 s. Baseline,
measured in the same run: what any reader must do at least - open the zip, read the
.qde and every source text, and parse the XML with the standard library's ElementTree
(no safety checks, no offsets, no tables).

Run: ``.venv/bin/python benchmarks/bench_qdpx.py``
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _common import best_of, peak_mb, print_table, row  # noqa: E402

from baby_room.focus_groups.load import load_coding  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "qdpx_builders", HERE.parent / "tests" / "fixtures" / "qdpx" / "builders.py")
B = importlib.util.module_from_spec(_spec)
sys.modules["qdpx_builders"] = B
_spec.loader.exec_module(B)

N_CODINGS = 100_000
SOURCE_BYTES = 50_000_000
TARGET_SECONDS = 5.0


def _baseline(path):
    with zipfile.ZipFile(path) as z:
        root = None
        for info in z.infolist():
            data = z.read(info)
            if info.filename.endswith(".qde"):
                root = ET.fromstring(data)
    return root


def _ours(path):
    import warnings

    with warnings.catch_warnings():  # no conference in a generated project: one warning
        warnings.simplefilter("ignore")
        return load_coding(path)


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "large.qdpx"
        B.large(path, n_codings=N_CODINGS, source_bytes=SOURCE_BYTES)
        long = _ours(path)
        if len(long) != N_CODINGS:
            raise RuntimeError(f"expected {N_CODINGS} codings, read {len(long)}")
        ours = best_of(lambda: _ours(path), repeat=2)
        base = best_of(lambda: _baseline(path), repeat=2)
        peak = peak_mb(lambda: _ours(path))
    return [row(f"load_coding(.qdpx), {N_CODINGS:,} codings, "
                f"{SOURCE_BYTES / 1e6:.0f} MB of sources", ours,
                "zipfile read + xml.etree parse (no checks, no processing)", base,
                f"< {TARGET_SECONDS:g} s", peak)]


if __name__ == "__main__":
    print_table(run())
