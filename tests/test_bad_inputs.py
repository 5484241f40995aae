"""Every file of the bad-input corpus (tests/bad_inputs/) gets its documented outcome.

``tests/bad_inputs/MANIFEST.csv`` lists each file with the loader that reads it, the
keyword arguments, and what must happen: ``FileFormatError`` or ``DataValidationError``
(both ``ValueError``) with a message naming the file and containing a given fragment
(for a DataValidationError the fragment holds the failing column, value and check),
or ``ok`` (odd but valid input, e.g. formulas that are data). For every call:

* it finishes within 20 s (run in a worker thread; the test fails if it is still running);
* nothing is written: the call runs with the working directory in an empty temporary
  folder that must stay empty, and the corpus file (and the corpus folder) are unchanged;
* no other exception type escapes (a raw pandas/numpy/zipfile/openpyxl error fails).

Known library defects are marked ``xfail(strict=True)`` in ``DEFECTS`` with what
should happen, so the suite stays green and a fix turns them into failures to unmark.
The corpus is rebuilt by ``tests/bad_inputs/make_corpus.py``.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import threading
import warnings
from pathlib import Path

import pandas as pd
import pytest

import baby_room as br
from baby_room.errors import FAILURE_COLUMNS
from baby_room.evidence import read_bibliography, read_bibtex, read_rayyan, read_ris

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
TIME_LIMIT = 20.0
INJECTION = "=cmd|' /C calc'!A0"

LOADERS = {
    "survey": br.load_survey,
    "coding": br.load_coding,
    "codebook": br.load_codebook,
    "evidence": br.load_evidence,
    "qdpx": br.read_qdpx,
    "ris": read_ris,
    "bibtex": read_bibtex,
    "rayyan": read_rayyan,
    "bibliography": read_bibliography,
    "maxqda": br.read_maxqda_segments,
}
EXPECTED = {"FileFormatError": br.FileFormatError,
            "DataValidationError": br.DataValidationError}

#: (file, kwargs JSON) -> what is wrong in the library and what should happen.
DEFECTS: dict = {}  # (file, kwargs) -> "defect: ..." for a library defect not yet fixed


def _manifest() -> list[dict]:
    with open(CORPUS / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


MANIFEST = _manifest()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if "__pycache__" not in p.parts)


def run_guarded(func, *args, **kwargs):
    """Call ``func`` in a worker thread; fail the test if it runs longer than TIME_LIMIT.

    Returns ``(result, exception)``; warnings raised by the call are silenced.
    """
    box = {}

    def target():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                box["result"] = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(TIME_LIMIT)
    if worker.is_alive():
        pytest.fail(f"{getattr(func, '__name__', func)} did not finish within {TIME_LIMIT} s")
    return box.get("result"), box.get("error")


def check_outcome(path: Path, loader: str, kwargs: dict, expected: str, fragment: str,
                  cwd: Path):
    """Run one call with the corpus contract; return the result when ``expected == 'ok'``."""
    before_sha, before_listing = _sha(path), _listing(path.parent)
    result, error = run_guarded(LOADERS[loader], path, **kwargs)
    assert _listing(cwd) == [], f"the call wrote into the working directory: {_listing(cwd)}"
    assert _sha(path) == before_sha, "the input file was changed"
    assert _listing(path.parent) == before_listing, "files appeared beside the input"
    if expected == "ok":
        if error is not None:
            raise AssertionError(f"expected the file to load; got {error!r}") from error
        return result
    if error is None:
        pytest.fail(f"expected {expected}; the call returned {type(result).__name__}")
    if not isinstance(error, EXPECTED[expected]):
        raise AssertionError(
            f"expected {expected}, got {type(error).__module__}.{type(error).__name__}: "
            f"{error}") from error
    assert isinstance(error, ValueError)
    message = str(error)
    assert str(path) in message, f"message does not name the file: {message}"
    assert fragment in message, f"{fragment!r} not in message: {message}"
    if isinstance(error, br.DataValidationError):
        failures = error.failures
        assert tuple(failures.columns) == FAILURE_COLUMNS
        assert len(failures) >= 1
        assert set(failures["file"].astype(str)) == {str(path)}
    return None


# --------------------------------------------------------------------------- checks of "ok" files


def _base(kind, n=6):
    from baby_room import synthetic

    return synthetic.raw(kind).head(n).reset_index(drop=True)


def _same_survey(result):
    expected = br.load_survey(_base("survey"))
    pd.testing.assert_frame_equal(result.reset_index(drop=True), expected, check_like=False)


FORMULA_TEXT = [INJECTION, '=HYPERLINK("http://x.invalid","click")', "@SUM(A1:A9)",
                "+44 20 7946 0000", "-2+3", "Tabbed"]  # the loader strips the leading tab


def _formulas_loaded_as_text(result):
    assert result["local_authority"].tolist() == FORMULA_TEXT
    assert result["comments"].iloc[0] == "=1+1"


def _all_set_aside(result):
    # every row's answers fail, no identifier does: the respondents are kept, the cells
    # made missing and recorded (issue 10, cell-level setting aside)
    assert len(result) == 6 and len(br.set_aside_rows(result)) == 0
    cells = br.set_aside_cells(result)
    assert cells["row"].tolist() == [2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]
    assert set(cells["column"]) == {"group_size", "region"}
    assert (cells.loc[cells["column"] == "group_size", "reason"]
            == "type: expected a whole number").all()
    assert cells.loc[cells["column"] == "region", "reason"].str.startswith("category").all()
    assert result["group_size"].isna().all() and result["region"].isna().all()


def _cp1252(result):
    assert result["local_authority"].iloc[0] == "Rhondda Cynon Taf – Pontypridd"


def _coding_utf16(result):
    expected = br.load_coding(_base("coding"))
    pd.testing.assert_frame_equal(result, expected)


def _evidence_formulas(result):
    assert result["title"].iloc[0] == INJECTION
    assert result["authors"].iloc[1] == "-Smith, J."
    assert result["countries"].iloc[2] == "=UK"


def _ris_cp1252(result):
    assert result["authors"].tolist() == ["Müller, J."]


def _ris_nul(result):
    assert result["title"].tolist() == ["Baby\x00rooms"]


def _ris_bom_crlf(result):
    assert result[["title", "authors"]].iloc[0].tolist() == ["Baby rooms", "Smith, J."]
    assert int(result["year"].iloc[0]) == 2019


def _excel_text_cells(result):
    # hand-written: the cells as typed in the workbook, none turned into missing
    assert result["local_authority"].tolist() == ["NA", "N/A", "NULL", "#N/A", "None", "nan"]
    assert result.loc[0, "settling_in"] == "none" and result.loc[1, "own_qualification"] == "none"
    assert result.loc[2, "comments"] == "#DIV/0!"
    expected = br.load_survey(_base("survey"))
    pd.testing.assert_series_equal(result["group_size"], expected["group_size"])


def _same_survey_loaded(result):
    _same_survey(result)


def _stray_import_id(result):
    assert len(result) == 6 and result.attrs["format"] == "csv"
    assert result.loc[1, "comments"] == '{"ImportId":"QID1"}'


def _index_column(result):
    assert result["respondent_id"].tolist() == _base("survey")["respondent_id"].tolist()


def _qualtrics_previews(result):
    assert len(result) == 4
    aside = br.set_aside_rows(result)
    assert aside["row"].tolist() == [5, 8]
    assert aside["reasons"].tolist()[0].startswith(
        "Qualtrics survey preview (Status = Survey Preview), not a real response")
    assert aside["reasons"].tolist()[1].startswith("unfinished response (Finished = False)")


#: Extra checks for the files that must load: (file, kwargs JSON) -> check(result).
CHECKS = {
    ("survey_utf16le_nobom.csv", "{}"): _same_survey,
    ("survey_utf16_bom.tsv", "{}"): _same_survey,
    ("survey_bom_crlf.csv", "{}"): _same_survey,
    ("survey_mac_cr_line_ends.csv", "{}"): _same_survey,
    ("survey_semicolon.csv", "{}"): _same_survey,
    ("survey_utf16be_nobom.csv", "{}"): _same_survey,
    ("survey_cp1252.csv", "{}"): _cp1252,
    ("survey_formulas.csv", "{}"): _formulas_loaded_as_text,
    ("survey_formulas_as_text.xlsx", "{}"): _formulas_loaded_as_text,
    ("survey_formula_cells.xlsx", "{}"): _formulas_loaded_as_text,
    ("survey_every_row_bad.csv", '{"on_error": "set_aside"}'): _all_set_aside,
    ("coding_utf16le_nobom.tsv", "{}"): _coding_utf16,
    ("evidence_formulas.csv", "{}"): _evidence_formulas,
    ("ris_cp1252.ris", '{"encoding": "cp1252"}'): _ris_cp1252,
    ("ris_nul.ris", "{}"): _ris_nul,
    ("ris_crlf_bom.ris", "{}"): _ris_bom_crlf,
    ("survey_excel_text_cells.xlsx", "{}"): _excel_text_cells,
    ("survey_sheet_named_2023.xlsx", '{"sheet": "2023"}'): _same_survey_loaded,
    ("survey_one_import_id_cell.csv", "{}"): _stray_import_id,
    ("survey_index_column.parquet", "{}"): _index_column,
    ("survey_qualtrics_previews.csv", '{"on_error": "set_aside"}'): _qualtrics_previews,
    ("ris_text_outside.ris", "{}"): _ris_bom_crlf,  # the same record after a stray line
}


def _corpus_checks(name: str) -> dict:
    """The CHECKS of a ``tests/bad_inputs/corpus_<helper>.py`` module."""
    spec = importlib.util.spec_from_file_location(name, CORPUS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHECKS


CHECKS.update(_corpus_checks("corpus_bibliography"))


def _params():
    out = []
    for e in MANIFEST:
        key = (e["file"], e["kwargs"])
        marks = [pytest.mark.xfail(strict=True, reason=DEFECTS[key])] if key in DEFECTS else []
        ident = e["file"] + ("" if e["kwargs"] == "{}" else f"-{e['kwargs']}")
        out.append(pytest.param(e, id=ident, marks=marks))
    return out


@pytest.mark.parametrize("entry", _params())
def test_corpus_file(entry, tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    key = (entry["file"], entry["kwargs"])
    result = check_outcome(CORPUS / entry["file"], entry["loader"], json.loads(entry["kwargs"]),
                           entry["expected"], entry["message"], cwd)
    if entry["expected"] == "ok":
        assert key in CHECKS, "every file that must load has a check of what it loaded"
        CHECKS[key](result)


# --------------------------------------------------------------------------- the manifest itself


def test_manifest_covers_every_file_and_is_well_formed():
    files = {p.name for p in CORPUS.iterdir() if p.is_file()} - {"MANIFEST.csv", "make_corpus.py"}
    files = {f for f in files if not (f.startswith("corpus_") and f.endswith(".py"))}
    listed = {e["file"] for e in MANIFEST}
    assert files == listed
    assert len(MANIFEST) >= 40
    for e in MANIFEST:
        assert e["loader"] in LOADERS
        assert isinstance(json.loads(e["kwargs"]), dict)
        assert e["expected"] in (*EXPECTED, "ok")
        assert (e["message"] == "") == (e["expected"] == "ok"), e
        assert e["note"]
    assert {e["loader"] for e in MANIFEST} == set(LOADERS)
    suffixes = {Path(e["file"]).suffix for e in MANIFEST}
    assert {".csv", ".tsv", ".xlsx", ".parquet", ".sav", ".qdpx", ".ris", ".bib"} <= suffixes
    assert any(json.loads(e["kwargs"]).get("format") == "qualtrics" for e in MANIFEST)


def test_corpus_is_small():
    total = sum(p.stat().st_size for p in CORPUS.iterdir() if p.is_file())
    assert total < 2 * 1024**2


def test_make_corpus_writes_the_committed_manifest(tmp_path):
    """The script rebuilds the same entries (bytes of Excel/Parquet files depend on library
    versions, so the manifest and the text files are compared)."""
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entries = module.main(tmp_path)
    assert entries == MANIFEST
    assert (tmp_path / "MANIFEST.csv").read_bytes() == (CORPUS / "MANIFEST.csv").read_bytes()
    for e in MANIFEST:
        if Path(e["file"]).suffix in {".csv", ".tsv", ".ris", ".bib"}:
            assert _sha(tmp_path / e["file"]) == _sha(CORPUS / e["file"]), e["file"]


# --------------------------------------------------------------------------- made at test time


def _one_line_fields(path):
    path.write_text("x," * 2_500_000, encoding="utf-8")  # 5 MB, no line end


def _one_line_names(path):
    path.write_text(",".join(f"c{i}" for i in range(650_000)), encoding="utf-8")  # ~5 MB


def _one_quoted_cell(path):
    path.write_text('respondent_id,"' + "y" * 5_000_000 + '"', encoding="utf-8")


def _one_ris_line(path):
    path.write_text("TY  - JOUR " + "y" * 5_000_000, encoding="utf-8")


SINGLE_LINE = [
    pytest.param(_one_line_fields, "big.csv", "survey", "FileFormatError",
                 "the limit is 5,000 columns", id="csv-5MB-one-line-of-fields"),
    pytest.param(_one_line_names, "big.csv", "survey", "FileFormatError",
                 "the limit is 5,000 columns", id="csv-5MB-one-header-line"),
    pytest.param(_one_quoted_cell, "big.csv", "survey", "FileFormatError", "field larger",
                 id="csv-5MB-one-quoted-cell"),
    pytest.param(_one_quoted_cell, "big.tsv", "coding", "FileFormatError", "field larger",
                 id="tsv-5MB-one-quoted-cell"),
    pytest.param(_one_line_fields, "big.csv", "maxqda", "FileFormatError",
                 "is not a MAXQDA coded-segments export", id="maxqda-5MB-one-line"),
    pytest.param(_one_ris_line, "big.ris", "ris", "FileFormatError", "not closed",
                 id="ris-5MB-one-line"),
    pytest.param(_one_line_fields, "big.bib", "bibtex", "FileFormatError",
                 "no BibTeX entries found", id="bib-5MB-one-line"),
]


@pytest.mark.parametrize(("make", "name", "loader", "expected", "fragment"), SINGLE_LINE)
def test_five_megabyte_single_line(make, name, loader, expected, fragment, tmp_path,
                                   monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    path = data / name
    make(path)
    assert path.stat().st_size >= 5_000_000
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    check_outcome(path, loader, {}, expected, fragment, cwd)


# --------------------------------------------------------------------------- formulas on export


def _read_xlsx_cells(path):
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)], [
        [c.data_type for c in row] for row in ws.iter_rows(min_row=2)]


@pytest.mark.parametrize("file", ["survey_formulas.csv", "survey_formulas_as_text.xlsx"])
def test_formulas_load_as_text_and_are_neutralised_on_export(file, tmp_path):
    survey = br.load_survey(CORPUS / file)
    table = pd.DataFrame({"local_authority": survey["local_authority"],
                          "n": [10, 11, 12, 13, 14, -15]})
    out = br.Outputs(tmp_path)
    published = out.table(table, "formulas", suppress=False)
    # what is returned for display is the data, unchanged
    assert published["local_authority"].tolist() == FORMULA_TEXT
    csv_path, xlsx_path = out.written
    assert all(p.parent == tmp_path / "tables" for p in out.written)
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    # hand-written expectation: a ' before every text starting with = + - @
    expected = ["'" + INJECTION, "'" + FORMULA_TEXT[1], "'@SUM(A1:A9)", "'+44 20 7946 0000",
                "'-2+3", "Tabbed"]
    assert [r[0] for r in rows] == expected
    assert [r[1] for r in rows] == ["10", "11", "12", "13", "14", "-15"]
    values, types = _read_xlsx_cells(xlsx_path)
    assert [v[0] for v in values] == expected
    assert all(t[0] == "s" for t in types), "no exported cell is a formula"
    assert [v[1] for v in values] == [10, 11, 12, 13, 14, -15]
    assert [t[1] for t in types] == ["n"] * 6


def test_evidence_formulas_neutralised_by_neutralise_formulas():
    from baby_room.outputs import neutralise_formulas

    items = br.load_evidence(CORPUS / "evidence_formulas.csv")
    safe = neutralise_formulas(items[["title", "authors", "countries", "year"]])
    assert safe["title"].iloc[0] == "'" + INJECTION
    assert safe["authors"].iloc[1] == "'-Smith, J."
    assert safe["countries"].iloc[2] == "'=UK"
    assert safe["year"].tolist() == items["year"].tolist()
    # the loaded table itself is untouched
    assert items["title"].iloc[0] == INJECTION


# --------------------------------------------------------------------------- DataFrames as input


def test_dataframe_with_duplicate_columns():
    frame = _base("survey")
    frame.columns = ["group_size" if c == "setting_type" else c for c in frame.columns]
    _, error = run_guarded(br.load_survey, frame)
    assert isinstance(error, EXPECTED["FileFormatError"] | EXPECTED["DataValidationError"]), error
    assert "group_size" in str(error)


def test_dataframe_with_list_cells():
    frame = _base("survey")
    frame["group_size"] = [[12], [9], [10], [11], [8], [7]]
    _, error = run_guarded(br.load_survey, frame)
    assert isinstance(error, br.DataValidationError), error
    assert "column group_size" in str(error)


def test_dataframe_with_bad_values_lists_every_problem():
    # hand count: three bad cells, each reported once with its row (header = row 1)
    frame = _base("survey")
    frame["group_size"] = [1.5, None, 2.0**70, -0.0, "x", 12]
    _, error = run_guarded(br.load_survey, frame)
    assert isinstance(error, br.DataValidationError)
    got = error.failures[["row", "column", "check"]].astype(str).values.tolist()
    assert got == [
        ["2", "group_size", "type: expected a whole number"],
        ["4", "group_size", "range: number too large"],
        ["5", "group_size", "range: must be at least 1"],
        ["6", "group_size", "type: expected a whole number"],
    ]
