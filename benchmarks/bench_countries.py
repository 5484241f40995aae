"""Benchmarks: country normalisation and the offline world map.

1. ``normalise_countries`` on 100,000 messy country cells drawn from 600 distinct spellings
   (single countries, UK nations, own-language names, "A and B" / "A; B; C" cells, region
   words, unknown strings, empty cells). Target: under 0.2 s. Baseline in the same run: the
   same cells normalised one by one without de-duplication (the cell parser called 100,000
   times).
2. The distinct cells alone against a plain ``pycountry.countries.lookup`` loop over them
   (what a naive implementation would call; it handles none of the messy cases).
3. ``plot_world_choropleth`` rendered to PNG with ``baby_room.style.save_figure``, shapes
   read afresh from the bundled shapefile each time. Target: under 2 s. Baseline: an empty
   figure of the same size saved to PNG the same way.

Run: ``.venv/bin/python benchmarks/bench_countries.py``
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import matplotlib  # noqa: E402
from _common import best_of, peak_mb, print_table, row  # noqa: E402

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from baby_room.errors import UnmatchedValueWarning  # noqa: E402
from baby_room.evidence import countries as C  # noqa: E402
from baby_room.evidence import world as W  # noqa: E402

N_CELLS = 100_000
N_DISTINCT = 600
TARGET_NORMALISE = 0.2
TARGET_MAP = 2.0

_NAMES = [
    "UK", "U.K.", "England", "Scotland", "Wales", "Northern Ireland", "Great Britain", "USA",
    "U.S.A.", "United States", "America", "Canada", "Australia", "New Zealand", "Norway",
    "Sweden", "Denmark", "Finland", "Iceland", "Germany", "Deutschland", "France", "Italia",
    "España", "Portugal", "Holland", "The Netherlands", "Belgium", "Ireland", "Éire",
    "Korea", "South Korea", "Korea, Republic of", "Japan", "Nihon", "China", "Zhongguo",
    "Singapore", "Hong Kong", "Taiwan", "India", "Brazil", "Brasil", "Chile", "Mexico",
    "South Africa", "Kenya", "Turkey", "Türkiye", "Israel", "Österreich", "Schweiz",
    "Polska", "Trinidad and Tobago", "Bosnia and Herzegovina", "Congo, Democratic Republic of the",
    "Europe", "International", "Nordic countries", "Scandinavia", "OECD", "Global",
    "Narnia", "Westeros",
]
_SEPS = ["; ", " and ", ", ", " / ", " & "]


def messy_cells(n: int = N_CELLS, n_distinct: int = N_DISTINCT, seed: int = 2024) -> list:
    """``n`` cells drawn (with a Zipf-like skew) from ``n_distinct`` messy spellings."""
    rng = np.random.default_rng(seed)
    distinct: list = [None, ""]
    seen = set(distinct)
    while len(distinct) < n_distinct:
        k = rng.choice([1, 1, 1, 2, 2, 3])
        parts = list(rng.choice(_NAMES, size=k, replace=False))
        cell = str(rng.choice(_SEPS)).join(parts)
        cell = [cell, cell.upper(), cell.lower(), f"  {cell} "][rng.integers(0, 4)]
        if cell not in seen:
            seen.add(cell)
            distinct.append(cell)
    weights = 1.0 / np.arange(1, len(distinct) + 1)
    idx = rng.choice(len(distinct), size=n, p=weights / weights.sum())
    return [distinct[i] for i in idx]


def _quiet(fn):
    def wrapped():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnmatchedValueWarning)
            return fn()

    return wrapped


def bench_normalise() -> list[dict]:
    import pycountry

    cells = messy_cells()
    series = pd.Series(cells, dtype="string")
    lookup = C._lookup()  # built once per process (pycountry's tables loaded)
    def _cold(fn):  # clear the per-process cache of match keys: time a cold parse
        def wrapped():
            C._key.cache_clear()
            return fn()

        return wrapped

    ours = _cold(_quiet(lambda: C.normalise_countries(series)))
    out = ours()
    if out["position"].nunique() != N_CELLS:
        raise RuntimeError("an input position was lost")

    @_cold
    def no_dedup():
        return [C._normalise_one(v, lookup) for v in cells]

    distinct = list(dict.fromkeys(c for c in cells if c))

    @_cold
    def ours_distinct():
        return C.normalise_countries(distinct)

    def pycountry_loop():
        found = []
        for v in distinct:
            try:
                found.append(pycountry.countries.lookup(v.strip()).alpha_3)
            except LookupError:
                found.append(None)
        return found

    t_ours = best_of(ours)
    t_base = best_of(no_dedup, repeat=1)
    t_distinct = best_of(_quiet(ours_distinct))
    t_pyc = best_of(pycountry_loop)
    return [
        row(f"normalise_countries, {N_CELLS:,} cells ({len(distinct)} distinct)", t_ours,
             "same cells parsed one by one (no de-duplication)", t_base,
             f"< {TARGET_NORMALISE} s", peak_mb(ours)),
        row(f"normalise_countries, the {len(distinct)} distinct cells", t_distinct,
             "pycountry.countries.lookup loop over them (no splitting/aliases)", t_pyc,
             "-", None),
    ]


def bench_map() -> list[dict]:
    import matplotlib.pyplot as plt

    from baby_room.style import figure_style, save_figure

    counts = pd.DataFrame({
        "iso3": ["GBR", "USA", "AUS", "NOR", "SWE", "FRA", "DEU", "NZL", "CAN", "SGP", None],
        "count": [41, 18, 7, 6, 5, 3, 2, 4, 3, 1, 4],
    })
    counts.attrs.update(source="benchmark", synthetic=True)
    with tempfile.TemporaryDirectory() as d:
        def ours():
            W._read_shapes.cache_clear()
            W._projected_paths.cache_clear()
            with figure_style():
                ax = W.plot_world_choropleth(counts)
                save_figure(ax.figure, Path(d) / "world", formats=("png",))
            plt.close(ax.figure)

        def empty():
            with figure_style():
                fig, _ = plt.subplots(figsize=(10, 5.4))
                save_figure(fig, Path(d) / "empty", formats=("png",))
            plt.close(fig)

        ours()  # warm up matplotlib's font cache and imports
        empty()
        t_ours = best_of(ours)
        t_empty = best_of(empty)
    return [row("world choropleth to PNG (shapes read afresh)", t_ours,
                 "empty figure of the same size to PNG", t_empty, f"< {TARGET_MAP} s", None)]


def run() -> list[dict]:
    return bench_normalise() + bench_map()


if __name__ == "__main__":
    print_table(run())
