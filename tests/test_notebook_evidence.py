"""notebooks/02-evidence-review.ipynb, as the report build executed it: no error, figures saved.

The published numbers it must show (185 items, 165 academic, 20 grey, 12 UK, ITERS and
CLASS first, 21 on professional learning) are those of the project's report 1 (January
2025), quoted in shared/REFERENCE.md. The executed page comes from the session's one report
build (``report_build`` in conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

# one xdist worker runs every test of this group (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_build")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02-evidence-review.ipynb"


def test_committed_without_outputs_and_with_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    first = code[0]
    assert "parameters" in first.metadata.get("tags", [])
    assert first.source.strip().splitlines() == ["DATA_DIR = None", "OUTPUT_DIR = None"]
    text = "\n".join(c.source for c in code)
    assert "br.load_project(DATA_DIR)" in text and "project.evidence" in text
    assert "br.Outputs(OUTPUT_DIR)" in text


def test_page_shows_published_figures(report_build, pages):
    page = (report_build.out_dir / "notebooks" / f"{NOTEBOOK.stem}.html").read_text()
    text = " ".join(pages.text(page).split())
    assert "185 included items" in text
    comparison = next(t for t in pages.tables(page) if t[0][:3] == ["", "dataset", "figure"])
    shown = {row[2]: row[3:] for row in comparison[1:]}
    # figure -> published statement, computed value, the same as text, consistent
    # (values: report 1, January 2025)
    assert shown == {
        "items": ["185", "185.0", "185", "True"],
        "academic articles": ["165", "165.0", "165", "True"],
        "grey literature": ["20", "20.0", "20", "True"],
        "items from the UK": ["only 12", "12.0", "12", "True"],
        "most used instrument families": ["ITERS and CLASS", "NaN", "ITERS, CLASS", "True"],
        "items on professional learning": ["21", "21.0", "21", "True"],
    }
    assert "PRISMA included: {'databases': 165, 'other': 20, 'total': 185}" in text
    assert "count_fractional sums to 185.0" in text


def test_notebook_writes_figures_and_tables(report_build):
    out_dir = report_build.out_dir
    for name in ("evidence-world-map", "evidence-prisma", "evidence-countries",
                 "evidence-per-year", "evidence-instrument-families",
                 "evidence-gap-map-instruments", "evidence-gap-map-countries"):
        assert (out_dir / "figures" / f"{name}.png").stat().st_size > 5000, name
    for name in ("evidence-by-country", "evidence-prisma-counts", "evidence-by-dimension",
                 "evidence-gap-map-instruments", "evidence-uk-vs-rest"):
        assert (out_dir / "tables" / f"{name}.csv").exists(), name
    by_country = (out_dir / "tables" / "evidence-by-country.csv").read_text()
    assert by_country.splitlines()[0] == "iso3,country,share,n,count,counting"
    assert ",United Kingdom,0.0648" in by_country and ",185,12,item" in by_country
