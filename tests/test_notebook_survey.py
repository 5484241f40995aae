"""Execute notebooks/01-survey-group-size-and-ratios.ipynb on the bundled data.

The notebook is thin (load, call, show), so this checks that the survey functions work
together on the bundled synthetic data as a reader would run them; the numbers themselves are
tested against independent references in tests/test_survey_*.py.
"""

from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01-survey-group-size-and-ratios.ipynb"


def test_notebook_is_committed_without_outputs_and_has_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source.strip().splitlines() == ["DATA_DIR = None", "OUTPUT_DIR = None"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    source = "\n".join(c.source for c in code)
    assert "br.load_project(DATA_DIR)" in source and "br.Outputs(OUTPUT_DIR)" in source
    assert 'out.figure(ax.figure, "survey-group-size-distribution")' in source
    assert 'out.table(summary, "survey-group-size-summary")' in source


def test_notebook_runs_on_bundled_data(monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.delenv("MPLBACKEND", raising=False)  # let the kernel use its inline backend
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
    # the published-figures cell shows the recomputed values
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in nb.cells[4].outputs)
    assert "mean_group_size" in text and "babies_in_rooms" in text
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 7
