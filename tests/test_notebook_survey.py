"""notebooks/01-survey-group-size-and-ratios.ipynb, as the report build executed it.

The notebook is thin (load, call, show), so this checks that the survey functions work
together on the bundled synthetic data as a reader would run them; the numbers themselves are
tested against independent references in tests/test_survey_*.py. The executed page comes from
the session's one report build (``report_build`` in conftest.py).
"""

from pathlib import Path

import nbformat
import pytest

import baby_room as br

# one xdist worker runs every test of this group (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_build")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01-survey-group-size-and-ratios.ipynb"


def test_notebook_is_committed_without_outputs_and_has_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source.strip().splitlines() == ["DATA_DIR = None", "OUTPUT_DIR = None"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    source = "\n".join(c.source for c in code)
    assert "br.load_project(DATA_DIR)" in source and "br.Outputs(OUTPUT_DIR)" in source


def test_page_shows_the_data_and_the_published_figures(report_build, pages):
    page = (report_build.out_dir / "notebooks" / f"{NOTEBOOK.stem}.html").read_text()
    text = pages.text(page)
    assert "Traceback" not in text and "Error" not in text.split("DATA_DIR")[0]
    # the respondent count printed by the notebook, counted here from the bundled file
    assert f"{len(br.synthetic.raw('survey'))} respondents" in text
    assert "mean_group_size" in text and "babies_in_rooms" in text
    assert page.count("data:image/png;base64") >= 7


def test_figures_and_tables_saved(report_build):
    out = report_build.out_dir
    for name in ("survey-group-size-distribution", "survey-group-size-by-region",
                 "survey-ratio-compliance", "survey-staffing-rules", "survey-cpd-share",
                 "survey-likert-by-role"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5000, name
    for name in ("survey-published-figures", "survey-group-size-summary",
                 "survey-group-size-by-region", "survey-workforce", "survey-compare-area"):
        assert (out / "tables" / f"{name}.csv").exists(), name
