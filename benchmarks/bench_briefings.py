"""Benchmark of the area briefings: 150 local authorities, HTML and Word — target under 60 s.

The bundled survey (434 respondents) with its settings spread over 150 of the 153 English
local authorities (region taken from the ONS lookup), so every briefing path runs:
published, indicative, suppressed, modelled. Timed: ``write_area_briefings`` for all 150
(estimates for every area from the full design, Fay-Herriot, 300 files, index). This is
the cost "beyond the main report": the report build does not change. Baseline in the same
run: one ``compare_area`` call, the per-area cost of the notebook path it replaces
(150 of them would be the naive build).

Run: ``.venv/bin/python benchmarks/bench_briefings.py`` from the repository root.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import print_table, row, timed  # noqa: E402

import baby_room as br  # noqa: E402
from baby_room.areas.briefings import write_area_briefings  # noqa: E402
from baby_room.areas.lookup import local_authorities  # noqa: E402
from baby_room.survey.indicators import compare_area  # noqa: E402

N_AREAS = 150


def survey_over_areas(n_areas: int = N_AREAS):
    """The bundled survey with each setting in one of ``n_areas`` authorities."""
    survey = br.synthetic.survey()
    las = local_authorities().iloc[:n_areas]
    settings = survey["setting_id"].unique()
    rng = np.random.default_rng(150)
    pick = np.concatenate([np.arange(n_areas),
                           rng.integers(0, n_areas, len(settings) - n_areas)])
    rng.shuffle(pick)
    la_of = dict(zip(settings, las["la_name"].to_numpy()[pick], strict=True))
    region_of = dict(zip(las["la_name"], las["region_name"], strict=True))
    out = survey.assign(local_authority=survey["setting_id"].map(la_of).astype("string"))
    out["region"] = out["local_authority"].map(region_of).astype(survey["region"].dtype)
    out.attrs = dict(survey.attrs)
    return out


def run() -> list[dict]:
    data = survey_over_areas()
    base, _ = timed(lambda: compare_area(data, area=data["local_authority"].iloc[0]), repeat=3)
    with tempfile.TemporaryDirectory() as d:
        seconds, index = timed(lambda: write_area_briefings(data, Path(d), level="local_authority"),
                               repeat=1)
        files = sum(1 for _ in Path(d).rglob("briefing.*"))
    assert len(index) == N_AREAS and files == 2 * N_AREAS
    return [row(f"briefings, {N_AREAS} local authorities (HTML + Word)", seconds,
                "compare_area, one area", base, target="< 60 s")]


if __name__ == "__main__":
    print_table(run())
