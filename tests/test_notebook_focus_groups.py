"""Execute notebooks/03-focus-groups.ipynb: it runs, saves its outputs, and shows no personal data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "03-focus-groups.ipynb"


def _execute(output_dir=None):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = nb.cells[[c.cell_type for c in nb.cells].index("code")]
    if output_dir is not None:
        params.source = params.source.replace("OUTPUT_DIR = None",
                                              f"OUTPUT_DIR = {str(output_dir)!r}")
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on any error
    return nb


def _output_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            if "text" in out:
                parts.append(out["text"])
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def test_notebook_conventions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    assert first.source.strip().splitlines() == ["DATA_DIR = None", "OUTPUT_DIR = None"]
    # committed with outputs stripped
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("fg-report")
    return _execute(out), out


def test_notebook_runs_and_saves_outputs(executed):
    nb, out = executed
    text = _output_text(nb)
    assert "6 conferences" in text
    figures = {p.name for p in (out / "figures").iterdir()}
    tables = {p.name for p in (out / "tables").iterdir()}
    assert {"fg-themes.png", "fg-codes-by-role.png", "fg-agreement.png",
            "fg-saturation.png"} <= figures
    assert {"fg-code-frequencies.csv", "fg-agreement.csv", "fg-saturation.csv",
            "fg-overview.csv"} <= tables


def test_notebook_shows_participant_count_over_200(executed):
    nb, _ = executed
    m = re.search(r"(\d+) participants", _output_text(nb))
    assert m and int(m.group(1)) > 200  # REFERENCE.md: "over 200 educators and managers"


def test_notebook_output_has_no_speaker_names_or_text(executed):
    from baby_room import synthetic

    nb, out = executed
    coding = synthetic.coding()
    shown = _output_text(nb)
    for path in (out / "tables").glob("*.csv"):
        shown += path.read_text(encoding="utf-8")
    speakers = {s for s in coding["speaker"].dropna().unique() if len(s) > 2}
    leaked = sorted(s for s in speakers if re.search(rf"\b{re.escape(s)}\b", shown))
    assert not leaked, f"speaker names in notebook output: {leaked[:5]}"
    some_text = coding["text"].dropna().iloc[0][:40]
    assert some_text not in shown

