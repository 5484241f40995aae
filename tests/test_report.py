"""The report build on small test notebooks: cache, incremental rebuilds, atomic failure,
the output folder's safety, partial data folders, special files, locking and leftovers.

The notebooks are executed once for the module (``base``); each test copies that
workspace with its cache, so only what a test changes is executed again. The full build of
the project's own notebooks is tested in test_report_build.py.
"""

import hashlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from baby_room import synthetic
from baby_room.cli import main
from baby_room.errors import FileFormatError, RowsSetAsideWarning
from baby_room.report import MARKER, ReportError, build_report, notebook_reads

# one xdist worker runs every test of this group (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_small_notebooks")


def _notebook(path, *code):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("DATA_DIR = None\nOUTPUT_DIR = None")
    params.metadata["tags"] = ["parameters"]
    setup = "import baby_room as br\nproject = br.load_project(DATA_DIR)\nout = br.Outputs(OUTPUT_DIR)"
    nb.cells = [nbformat.v4.new_markdown_cell("# test"), params, nbformat.v4.new_code_cell(setup),
                *[nbformat.v4.new_code_cell(c) for c in code]]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


FIGURE = ("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
          "ax.bar(t['region'].astype(str), t['n'])\nout.figure(fig, 'survey-regions')")


def _build(ws, **kw):
    return build_report(data_dir=ws["data"], out_dir=ws["out"], notebooks_dir=ws["notebooks"],
                        cache_dir=ws["cache"], progress=False, **kw)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("report-base")
    nbs = root / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "01-survey.ipynb",
              "t = project.survey.groupby('region', observed=False).size().reset_index(name='n')\n"
              "out.table(t, 'survey-regions')", FIGURE)
    _notebook(nbs / "02-evidence.ipynb",
              "t = project.evidence['publication_type'].value_counts().rename_axis('type')"
              ".reset_index(name='n')\nout.table(t, 'evidence-types')")
    data = root / "data"
    synthetic.write_all(data)
    ws = {"root": root, "notebooks": nbs, "data": data, "out": root / "reports",
          "cache": root / "cache"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("baby_room.report.package_source_hash", lambda: "pinned")
        ws["result"] = _build(ws)
    return ws


@pytest.fixture
def workspace(base, tmp_path, monkeypatch):
    # the cache key includes the package source; pin it so the tests see only the
    # changes they make
    monkeypatch.setattr("baby_room.report.package_source_hash", lambda: "pinned")
    ws = {}
    for key in ("notebooks", "data", "out", "cache"):
        ws[key] = tmp_path / key
        shutil.copytree(base[key], ws[key], symlinks=True)
    return ws


def _tree(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_notebook_reads_is_detected_from_code(base):
    nb = nbformat.read(base["notebooks"] / "02-evidence.ipynb", as_version=4)
    assert notebook_reads(nb) == ["evidence"]


def test_first_build_executed_every_notebook_and_marked_the_folder(base):
    assert base["result"].executed == ["01-survey.ipynb", "02-evidence.ipynb"]
    assert (base["out"] / MARKER).is_file()


def test_rebuild_with_nothing_changed_executes_nothing(workspace):
    before = _tree(workspace["out"])
    second = _build(workspace)
    assert second.executed == [] and second.reused == ["01-survey.ipynb", "02-evidence.ipynb"]
    assert _tree(workspace["out"]) == before


def test_rebuild_elsewhere_is_byte_identical(base, tmp_path, monkeypatch):
    # every notebook executed again, from a data folder, cache and report folder in other
    # places: the same bytes (pages do not show where they were built)
    monkeypatch.setattr("baby_room.report.package_source_hash", lambda: "pinned")
    ws = {"notebooks": base["notebooks"], "data": tmp_path / "elsewhere" / "input",
          "out": tmp_path / "x" / "y" / "other-report", "cache": tmp_path / "c2"}
    shutil.copytree(base["data"], ws["data"])
    result = _build(ws, force=True)
    assert result.executed == ["01-survey.ipynb", "02-evidence.ipynb"]
    first, second = _tree(base["out"]), _tree(ws["out"])
    assert first.pop("index.html") != second.pop("index.html")  # names the data folder
    first.pop("manifest.json"), second.pop("manifest.json")
    assert first == second


def test_changed_input_reexecutes_only_its_readers(workspace, monkeypatch):
    """Only the notebook reading the changed file runs again. The Word report is then
    written by a child of the fork server once that notebook has executed (while the
    parent converts it to HTML), and shows the figures of the reused notebook too."""
    import docx

    from baby_room import report

    started = []
    real = report._start_figure_files

    def spy(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(report, "_start_figure_files", spy)
    ev = pd.read_csv(workspace["data"] / "evidence.csv", dtype=str, keep_default_na=False)
    ev.loc[0, "title"] = "A corrected title"
    ev.to_csv(workspace["data"] / "evidence.csv", index=False)
    again = _build(workspace)
    assert again.executed == ["02-evidence.ipynb"]
    assert again.reused == ["01-survey.ipynb"]  # 01 has the figure
    assert [job.step for job in started] == ["figures"]
    document = docx.Document(workspace["out"] / "report.docx")
    assert len(document.inline_shapes) == len(list((workspace["out"] / "figures").glob(
        "*.png"))) == 1


def test_changed_notebook_reexecutes_it(workspace):
    path = workspace["notebooks"] / "02-evidence.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(nb, path)
    assert _build(workspace).executed == ["02-evidence.ipynb"]


def test_failing_notebook_names_cell_and_keeps_previous_report(workspace):
    index = (workspace["out"] / "index.html").read_bytes()
    _notebook(workspace["notebooks"] / "03-broken.ipynb", "x = 1", "1 / 0")
    with pytest.raises(ReportError) as info:
        _build(workspace)
    # cells: markdown 0, parameters 1, injected 2, setup 3, "x = 1" 4, "1 / 0" 5
    assert str(info.value) == (
        "notebook 03-broken.ipynb failed in cell 5: ZeroDivisionError: division by zero")
    assert (workspace["out"] / "index.html").read_bytes() == index
    assert not list(workspace["out"].parent.glob(f".{workspace['out'].name}.building-*"))


def test_manifest_records_inputs_and_outputs(base):
    manifest = json.loads((base["out"] / "manifest.json").read_text())
    for entry in manifest["inputs"]:
        data = (base["data"] / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    for rel, digest in _tree(base["out"]).items():
        if rel != "manifest.json":
            assert listed[rel] == digest
    assert manifest["synthetic"] is False  # a data folder, even of synthetic files
    assert manifest["dependencies"]["pandas"] == pd.__version__
    assert manifest["absent"] == []


def test_threshold_is_passed_to_the_notebooks(workspace):
    (workspace["notebooks"] / "02-evidence.ipynb").unlink()  # only the notebook checked runs
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
    # the build says so (the page step loaded the data in its own process)
    with pytest.warns(RowsSetAsideWarning, match=r"set aside 1 row\(s\) and 0 cell"):
        result = _build(workspace)
    aside = pd.read_csv(result.out_dir / "tables" / "rows-set-aside.csv")
    assert aside.values.tolist() == [
        ["survey", "survey.csv", 6, "setting_id: required value missing"]]
    page = (result.out_dir / "index.html").read_text()
    assert "1 row failed validation and\nwas set aside" in page


def test_cli_report_exit_codes(workspace, capsys):
    args = ["report", "--data", str(workspace["data"]), "--out", str(workspace["out"])]
    assert main(args + ["--threshold", "0"]) == 1
    assert "threshold must be a whole number of at least 1" in capsys.readouterr().err


def test_no_notebooks(tmp_path):
    with pytest.raises(ReportError, match="no notebooks named NN-"):
        build_report(out_dir=tmp_path / "r", notebooks_dir=tmp_path, progress=False)


# ---------------------------------------------------------------- the output folder


@pytest.mark.parametrize("target", ["own-files", "data", "notebooks", "a-file", "cwd",
                                    "parent-of-data"])
def test_refuses_an_out_it_did_not_make_and_changes_nothing(workspace, target, capsys,
                                                            monkeypatch):
    root = workspace["data"].parent
    own = root / "own-files"
    own.mkdir()
    (own / "thesis.docx").write_bytes(b"my work")
    (root / "a-file").write_text("keep me")
    (root / "cwd").mkdir()
    (root / "cwd" / "notes.txt").write_text("mine")
    monkeypatch.chdir(root / "cwd" if target == "cwd" else root)
    out = {"own-files": own, "data": workspace["data"], "notebooks": workspace["notebooks"],
           "a-file": root / "a-file", "cwd": root / "cwd", "parent-of-data": root}[target]
    before = _tree(root)
    args = ["report", "--data", str(workspace["data"]), "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"report failed: refusing to write the report into {out}" in err
    assert _tree(root) == before
    assert not list(root.rglob(".*.building-*")) and not list(root.rglob(".*.old-*"))


def test_refusal_reasons_are_named(workspace):
    cases = {workspace["data"]: "it is the data folder",
             workspace["notebooks"]: "it is the notebooks folder",
             workspace["data"].parent: "it holds the data folder"}
    for out, why in cases.items():
        with pytest.raises(ReportError, match=why):
            build_report(data_dir=workspace["data"], out_dir=out,
                         notebooks_dir=workspace["notebooks"], cache_dir=workspace["cache"],
                         progress=False)


def test_empty_folder_accepted(workspace):
    shutil.rmtree(workspace["out"])
    workspace["out"].mkdir()
    assert _build(workspace).reused == ["01-survey.ipynb", "02-evidence.ipynb"]


def test_a_killed_builds_leftovers_are_removed(workspace):
    parent, name = workspace["out"].parent, workspace["out"].name
    (parent / f".{name}.building-999999" / "figures").mkdir(parents=True)
    (parent / f".{name}.old-999998").mkdir()
    (workspace["cache"] / ".work" / "01-survey" / "out").mkdir(parents=True)
    _build(workspace)
    assert not list(parent.glob(f".{name}.building-*"))
    assert not list(parent.glob(f".{name}.old-*"))
    assert not (workspace["cache"] / ".work").exists()


def test_a_second_build_waits_for_the_first(workspace, monkeypatch):
    import fcntl

    finished, waiting = [], threading.Event()
    flock = fcntl.flock

    def watched_flock(fh, op):
        # the build asks for the cache's lock without blocking first; a blocking request
        # for a lock this test holds means the build has found it taken and waits
        if op == fcntl.LOCK_EX and Path(fh.name) == workspace["cache"] / ".lock":
            waiting.set()
        return flock(fh, op)

    def build():
        result = _build(workspace)
        finished.append((time.monotonic(), result))

    with open(workspace["cache"] / ".lock", "a+b") as held:
        flock(held, fcntl.LOCK_EX)  # a build in progress
        monkeypatch.setattr(fcntl, "flock", watched_flock)
        thread = threading.Thread(target=build)
        thread.start()
        assert waiting.wait(timeout=120)
        thread.join(timeout=0.5)
        assert thread.is_alive() and not finished
        released = time.monotonic()
        flock(held, fcntl.LOCK_UN)
        thread.join(timeout=120)
    assert finished and finished[0][0] >= released
    assert finished[0][1].reused == ["01-survey.ipynb", "02-evidence.ipynb"]


# ---------------------------------------------------------------- the inputs


def test_builds_from_evidence_only_and_says_what_is_absent(workspace):
    for name in ("survey.csv", "coding.csv", "codebook.csv"):
        (workspace["data"] / name).unlink()
    result = _build(workspace)
    assert result.absent == ["survey", "coding", "codebook"]
    assert result.skipped == ["01-survey.ipynb"] and result.reused == ["02-evidence.ipynb"]
    page = (workspace["out"] / "index.html").read_text()
    assert "Sources absent:" in page and "survey, coding, codebook file" in page
    assert "01-survey.ipynb" in page and "only 12" in page
    manifest = json.loads((workspace["out"] / "manifest.json").read_text())
    assert [i["dataset"] for i in manifest["inputs"]] == ["evidence"]


def test_builds_from_a_qualtrics_export_and_its_mapping_alone(workspace):
    """Issue 10: a folder holding only a Qualtrics export, under the name Qualtrics gave it,
    and its mapping file builds a report; the survey read through the mapping equals the
    canonical data the export was generated from (tests/survey_exports.py); editing the
    mapping file re-executes the survey notebook.

    The mapping declares ``[design] weights = "Weight"`` (a Qualtrics embedded-data field),
    and the survey notebook builds its design as notebook 01 does
    (``design_from(survey)`` into ``group_size_summary``): the weighted mean group size in
    the built report's table must equal numpy's weighted mean of the generating data,
    each room counted once through the respondent the codebook's rule names (manager, then
    room leader, then educator; the first in the file among equals) with that respondent's
    weight."""
    import importlib.util
    import warnings

    import numpy as np

    spec = importlib.util.spec_from_file_location(
        "survey_exports", Path(__file__).with_name("survey_exports.py"))
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    for name in ("survey.csv", "coding.csv", "codebook.csv", "evidence.csv"):
        (workspace["data"] / name).unlink()
    made, expected, _ = ex.qualtrics_three_rows(workspace["data"], weights=True)
    export = made.rename(workspace["data"] / "Baby Room Survey_December 3, 2026_10.15.csv")
    mapping = export.with_name(f"{export.stem}.mapping.toml")
    mapping.write_text(ex.qualtrics_mapping_toml(weights=True), encoding="utf-8")
    _notebook(workspace["notebooks"] / "01-survey.ipynb",
              "t = project.survey.groupby('region', observed=False).size().reset_index(name='n')\n"
              "out.table(t, 'survey-regions')", FIGURE,
              "from baby_room import survey as sv\nfrom baby_room.mapping import design_from\n"
              "summary = sv.group_size_summary(project.survey, design=design_from(project.survey))"
              "\nout.table(summary, 'survey-group-size-summary')")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _build(workspace)
    assert result.absent == ["coding", "codebook", "evidence"]
    assert result.executed == ["01-survey.ipynb"]
    regions = pd.read_csv(workspace["out"] / "tables" / "survey-regions.csv")
    want = expected.groupby("region", observed=False).size()
    assert dict(zip(regions["region"], regions["n"], strict=True)) == {
        str(k): (v if v >= 5 else pytest.approx(float("nan"), nan_ok=True))
        for k, v in want.items()}
    summary = pd.read_csv(workspace["out"] / "tables" / "survey-group-size-summary.csv")
    mean = summary.set_index("measure").loc["mean"]
    rank = expected["role"].astype(str).map({"manager": 0, "room_leader": 1, "educator": 2})
    rooms = (expected.assign(rank=rank, order=np.arange(len(expected)))
             .sort_values(["rank", "order"]).drop_duplicates(["setting_id", "room_id"]))
    rooms = rooms[rooms["group_size"].notna()]
    weights = rooms["weight"].to_numpy(float)
    assert weights.min() < weights.max()  # the weights are not all equal
    assert mean["estimate"] == pytest.approx(
        np.average(rooms["group_size"].to_numpy(float), weights=weights), rel=1e-12)
    assert mean["estimate"] != pytest.approx(rooms["group_size"].mean(), rel=1e-4)
    assert mean["n"] == len(rooms)
    manifest = json.loads((workspace["out"] / "manifest.json").read_text())
    assert [i["dataset"] for i in manifest["inputs"]] == ["survey"]
    mapping.write_text(mapping.read_text() + "\n# checked by the survey team\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = _build(workspace)
    assert again.executed == ["01-survey.ipynb"]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_special_files_are_refused_before_opening(workspace, kind):
    path = workspace["data"] / "survey.csv"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # hashing it would never end
    else:
        path.mkdir()
    what = {"fifo": "is a FIFO", "device": "is a device", "folder": "is a folder"}[kind]
    with pytest.raises(FileFormatError, match=f"survey.csv {what}"):
        _build(workspace)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_named(workspace):
    path = workspace["data"] / "coding.csv"
    path.chmod(0)
    try:
        with pytest.raises(FileFormatError, match="coding.csv permission denied"):
            _build(workspace)
    finally:
        path.chmod(0o644)

