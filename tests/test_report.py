"""The report build on small test notebooks: cache, incremental rebuilds, atomic failure.

The full build of the project's own notebooks is tested in test_report_build.py.
"""

import json

import nbformat
import pandas as pd
import pytest

from baby_room import synthetic
from baby_room.cli import main
from baby_room.report import ReportError, build_report, notebook_reads


def _notebook(path, *code):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("DATA_DIR = None\nOUTPUT_DIR = None")
    params.metadata["tags"] = ["parameters"]
    setup = "import baby_room as br\nproject = br.load_project(DATA_DIR)\nout = br.Outputs(OUTPUT_DIR)"
    nb.cells = [nbformat.v4.new_markdown_cell("# test"), params, nbformat.v4.new_code_cell(setup),
                *[nbformat.v4.new_code_cell(c) for c in code]]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    # the cache key includes the package source; pin it so the tests see only the
    # changes they make (another test process may be editing nothing, but be safe)
    monkeypatch.setattr("baby_room.report.package_source_hash", lambda: "pinned")
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "01-survey.ipynb",
              "t = project.survey.groupby('region', observed=False).size().reset_index(name='n')\n"
              "out.table(t, 'survey-regions')")
    _notebook(nbs / "02-evidence.ipynb",
              "t = project.evidence['publication_type'].value_counts().rename_axis('type')"
              ".reset_index(name='n')\nout.table(t, 'evidence-types')")
    data = tmp_path / "data"
    synthetic.write_all(data)
    return {"notebooks": nbs, "data": data, "out": tmp_path / "reports",
            "cache": tmp_path / "cache"}


def _build(ws, **kw):
    return build_report(data_dir=ws["data"], out_dir=ws["out"], notebooks_dir=ws["notebooks"],
                        cache_dir=ws["cache"], progress=False, **kw)


def test_notebook_reads_is_detected_from_code(workspace):
    nb = nbformat.read(workspace["notebooks"] / "02-evidence.ipynb", as_version=4)
    assert notebook_reads(nb) == ["evidence"]


def test_rebuild_with_nothing_changed_executes_nothing(workspace):
    first = _build(workspace)
    assert first.executed == ["01-survey.ipynb", "02-evidence.ipynb"]
    before = {p.name: p.read_bytes() for p in first.files}
    second = _build(workspace)
    assert second.executed == [] and second.reused == ["01-survey.ipynb", "02-evidence.ipynb"]
    assert {p.name: p.read_bytes() for p in second.files} == before


def test_changed_input_reexecutes_only_its_readers(workspace):
    _build(workspace)
    ev = pd.read_csv(workspace["data"] / "evidence.csv", dtype=str, keep_default_na=False)
    ev.loc[0, "title"] = "A corrected title"
    ev.to_csv(workspace["data"] / "evidence.csv", index=False)
    again = _build(workspace)
    assert again.executed == ["02-evidence.ipynb"]
    assert again.reused == ["01-survey.ipynb"]


def test_changed_notebook_reexecutes_it(workspace):
    _build(workspace)
    path = workspace["notebooks"] / "01-survey.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(nb, path)
    assert _build(workspace).executed == ["01-survey.ipynb"]


def test_failing_notebook_names_cell_and_keeps_previous_report(workspace):
    _build(workspace)
    index = (workspace["out"] / "index.html").read_bytes()
    _notebook(workspace["notebooks"] / "03-broken.ipynb", "x = 1", "1 / 0")
    with pytest.raises(ReportError) as info:
        _build(workspace)
    # cells: markdown 0, parameters 1, injected 2, setup 3, "x = 1" 4, "1 / 0" 5
    assert str(info.value) == (
        "notebook 03-broken.ipynb failed in cell 5: ZeroDivisionError: division by zero")
    assert (workspace["out"] / "index.html").read_bytes() == index
    assert not list(workspace["out"].parent.glob(".reports.building-*"))


def test_manifest_records_inputs_and_outputs(workspace):
    result = _build(workspace)
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    import hashlib

    for entry in manifest["inputs"]:
        data = (workspace["data"] / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    for path in result.files:
        rel = str(path.relative_to(result.out_dir))
        if rel != "manifest.json":
            assert listed[rel] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["synthetic"] is False  # a data folder, even of synthetic files
    assert manifest["dependencies"]["pandas"] == pd.__version__
    assert set(manifest) >= {"version", "git", "random_seed", "inputs", "outputs"}


def test_threshold_is_passed_to_the_notebooks(workspace):
    _build(workspace, threshold=60)
    t = pd.read_csv(workspace["out"] / "tables" / "survey-regions.csv")
    counts = synthetic.survey()["region"].value_counts()
    assert (counts < 60).any()
    assert t.loc[t["region"].isin(counts.index[counts < 60]), "n"].isna().all()


def test_set_aside_rows_are_published_with_reasons(workspace):
    survey = pd.read_csv(workspace["data"] / "survey.csv", dtype=str, keep_default_na=False)
    # a bad identifier sets the row aside (a bad answer only makes its cell missing, issue 10)
    survey.loc[4, "setting_id"] = ""
    survey.to_csv(workspace["data"] / "survey.csv", index=False)
    with pytest.warns(UserWarning):
        result = _build(workspace)
    aside = pd.read_csv(result.out_dir / "tables" / "rows-set-aside.csv")
    assert aside.values.tolist() == [
        ["survey", "survey.csv", 6, "setting_id: required value missing"]]
    assert "1 row failed validation and\nwas set aside" in (result.out_dir / "index.html").read_text()


def test_cli_report_exit_codes(workspace, capsys):
    args = ["report", "--data", str(workspace["data"]), "--out", str(workspace["out"])]
    assert main(args + ["--threshold", "0"]) == 1
    assert "threshold must be a whole number of at least 1" in capsys.readouterr().err


def test_no_notebooks(tmp_path):
    with pytest.raises(ReportError, match="no notebooks named NN-"):
        build_report(out_dir=tmp_path / "r", notebooks_dir=tmp_path, progress=False)
