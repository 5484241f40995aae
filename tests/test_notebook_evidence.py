"""Execute notebooks/02-evidence-review.ipynb on the bundled data: no error, figures saved.

The notebook is run as the report build runs it: with nbclient, kernel "python3",
cwd notebooks/, and DATA_DIR / OUTPUT_DIR injected after the cell tagged "parameters".
The published numbers it must show (185 items, 165 academic, 20 grey, 12 UK, ITERS and
CLASS first, 21 on professional learning) are those of the project's report 1 (January
2025), quoted in shared/REFERENCE.md.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

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


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("evidence-report")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    index = next(i for i, c in enumerate(nb.cells)
                 if "parameters" in c.get("metadata", {}).get("tags", []))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(
        f"DATA_DIR = None\nOUTPUT_DIR = {str(out_dir)!r}"))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on any error
    return nb, out_dir


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            if "text" in output:
                parts.append(output["text"])
            data = output.get("data", {})
            parts.append(data.get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_runs_and_shows_published_figures(executed):
    nb, _ = executed
    text = _outputs_text(nb)
    assert "185 included items" in text
    headline = next(c for c in nb.cells if "published_comparison(evidence=items)" in c.source)
    shown = " ".join(headline.outputs[0]["data"]["text/plain"].split())
    # figure, published statement, computed value (values: report 1, January 2025)
    for row in ("items 185 185.0", "academic articles 165 165.0", "grey literature 20 20.0",
                "items from the UK only 12 12.0", "most used instrument families ITERS and CLASS",
                "items on professional learning 21 21.0"):
        assert row in shown, row
    assert shown.count("True") == 6 and "False" not in shown  # every figure consistent
    assert "PRISMA included: {'databases': 165, 'other': 20, 'total': 185}" in text
    assert "count_fractional sums to 185.0" in text


def test_notebook_writes_figures_and_tables(executed):
    _, out_dir = executed
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
