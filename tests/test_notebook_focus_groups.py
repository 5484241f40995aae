"""notebooks/03-focus-groups.ipynb, as the report build executed it: it runs, saves its
outputs, and shows no personal data. The executed page comes from the session's one report
build (``report_build`` in conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

# one xdist worker runs every test of this group (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_build")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03-focus-groups.ipynb"


def _page(report_build) -> str:
    return (report_build.out_dir / "notebooks" / f"{NOTEBOOK.stem}.html").read_text()


def test_notebook_conventions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    assert first.source.strip().splitlines() == ["DATA_DIR = None", "OUTPUT_DIR = None"]
    # committed with outputs stripped
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


def test_notebook_runs_and_saves_outputs(report_build, pages):
    from baby_room import synthetic

    text = pages.text(_page(report_build))
    conferences = synthetic.raw("coding")["conference"].nunique()  # counted from the file
    assert f"{conferences} conferences" in text
    out = report_build.out_dir
    figures = {p.name for p in (out / "figures").iterdir()}
    tables = {p.name for p in (out / "tables").iterdir()}
    assert {"fg-themes.png", "fg-codes-by-role.png", "fg-agreement.png",
            "fg-saturation.png"} <= figures
    assert {"fg-code-frequencies.csv", "fg-agreement.csv", "fg-saturation.csv",
            "fg-overview.csv"} <= tables


def test_page_shows_participant_count_over_200(report_build, pages):
    m = re.search(r"(\d+) participants", pages.text(_page(report_build)))
    assert m and int(m.group(1)) > 200  # REFERENCE.md: "over 200 educators and managers"


def test_page_and_tables_have_no_speaker_names_or_text(report_build, pages):
    from baby_room import synthetic

    coding = synthetic.coding()
    shown = pages.text(_page(report_build))
    for path in (report_build.out_dir / "tables").glob("*.csv"):
        shown += path.read_text(encoding="utf-8")
    speakers = {s for s in coding["speaker"].dropna().unique() if len(s) > 2}
    leaked = sorted(s for s in speakers if re.search(rf"\b{re.escape(s)}\b", shown))
    assert not leaked, f"speaker names in notebook output: {leaked[:5]}"
    some_text = coding["text"].dropna().iloc[0][:40]
    assert some_text not in shown
