"""load_project: the bundled data, a data folder, lazy loading and set-aside rows."""

import warnings

import pandas as pd
import pandas.testing as pdt
import pytest

import baby_room as br
from baby_room import synthetic


def test_bundled_equals_the_committed_files(tmp_path):
    synthetic.write_all(tmp_path)
    from_files = br.load_project(tmp_path)
    bundled = br.load_project()
    for kind in ("survey", "coding", "codebook", "evidence"):
        pdt.assert_frame_equal(getattr(from_files, kind), getattr(bundled, kind))
    assert from_files.synthetic and bundled.synthetic


def test_tables_load_lazily(tmp_path):
    synthetic.write_all(tmp_path)
    (tmp_path / "evidence.csv").write_text("not,a,valid\nfile\n")
    project = br.load_project(tmp_path)
    assert len(project.survey) == 434  # the broken evidence file is never opened
    with pytest.raises(br.FileFormatError, match="evidence.csv"):
        _ = project.evidence


def test_missing_and_ambiguous_files_are_named(tmp_path):
    synthetic.write_all(tmp_path)
    (tmp_path / "coding.csv").unlink()
    (tmp_path / "survey.xlsx").write_bytes(b"")
    with pytest.raises(br.FileFormatError) as info:
        br.load_project(tmp_path, require=["coding"])
    msg = str(info.value)
    assert "no coding file (coding.csv, .xlsx, .parquet, .sav, ...)" in msg
    assert "several survey files: survey.csv, survey.xlsx" in msg


def test_a_folder_with_some_of_the_data(tmp_path):
    synthetic.write_all(tmp_path)
    for name in ("coding.csv", "codebook.csv"):
        (tmp_path / name).unlink()
    project = br.load_project(tmp_path)
    assert project.absent == ("coding", "codebook") and project.present == ("survey", "evidence")
    assert len(project.survey) == 434 and project.codebook is None  # the codebook is optional
    with pytest.raises(br.FileFormatError, match="no coding file .* absent from the data folder"):
        _ = project.coding
    assert sorted(project.tables()) == ["evidence", "survey"]


def test_an_empty_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(br.FileFormatError, match="no data file in it"):
        br.load_project(tmp_path)


def test_a_fifo_is_refused_before_it_is_opened(tmp_path):
    import os

    synthetic.write_all(tmp_path)
    (tmp_path / "evidence.csv").unlink()
    os.mkfifo(tmp_path / "evidence.csv")
    with pytest.raises(br.FileFormatError, match="evidence.csv is a FIFO"):
        br.load_project(tmp_path)


def test_set_aside_rows_are_listed_without_personal_data(tmp_path):
    synthetic.write_all(tmp_path)
    survey = pd.read_csv(tmp_path / "survey.csv", dtype=str, keep_default_na=False)
    survey.loc[10, "group_size"] = "-4"
    survey.to_csv(tmp_path / "survey.csv", index=False)
    project = br.load_project(tmp_path)
    # a bad answer makes only its cell missing (issue 10): the respondent is kept
    with pytest.warns(br.RowsSetAsideWarning, match="survey: 1 cells failed validation"):
        n = len(project.survey)
    assert n == 434
    aside = project.set_aside
    assert list(aside.columns) == ["dataset", "file", "row", "reasons"]
    assert aside[["dataset", "row", "reasons"]].values.tolist() == [
        ["survey", 12, "group_size: range: must be at least 1 (cell made missing; row kept)"]]


def test_raise_mode(tmp_path):
    synthetic.write_all(tmp_path)
    survey = pd.read_csv(tmp_path / "survey.csv", dtype=str, keep_default_na=False)
    survey.loc[0, "region"] = "Wessex"
    survey.to_csv(tmp_path / "survey.csv", index=False)
    project = br.load_project(tmp_path, on_error="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(br.DataValidationError, match="value 'Wessex' - category"):
            _ = project.survey


def test_missing_folder():
    with pytest.raises(br.FileFormatError, match="data folder not found"):
        br.load_project("/nonexistent/folder")
