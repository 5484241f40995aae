"""Unreadable files raise FileFormatError naming the file and what is wrong."""

import zipfile

import pytest

import baby_room as br
from baby_room._io import write_table
from baby_room.synthetic import raw


def _message(path, loader=br.load_survey, **kw):
    with pytest.raises(br.FileFormatError) as info:
        loader(path, **kw)
    assert str(path) in str(info.value)
    return str(info.value)


def test_missing_path(tmp_path):
    assert _message(tmp_path / "nope.csv").endswith("file not found")


def test_empty_file(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_bytes(b"")
    assert _message(p).endswith("file is empty (0 bytes)")


def test_blank_file(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_text("\n\n  \n")
    assert "no content" in _message(p)


def test_header_only(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_text("respondent_id,role\n")
    assert _message(p).endswith("has a header but no data rows")


def test_binary_junk_named_csv(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_bytes(bytes(range(256)) * 20)
    assert "binary file" in _message(p)


def test_duplicate_headers(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_text("respondent_id,group_size,group_size\nA,1,2\n")
    assert _message(p).endswith("duplicate column headers: 'group_size'")


def test_ragged_rows_name_the_rows(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_text("a,b,c\n1,2,3\n1,2\n1,2,3,4\n")
    msg = _message(p)
    assert "row 3 has 2 fields; row 4 has 4 fields" in msg


def test_wrong_delimiter_is_a_validation_problem_not_a_crash(tmp_path):
    p = tmp_path / "survey.tsv"
    p.write_text(raw("survey").head(3).to_csv(index=False))  # commas in a .tsv
    with pytest.raises(br.DataValidationError, match="required column missing"):
        br.load_survey(p)


def test_truncated_xlsx(tmp_path):
    good = write_table(raw("codebook"), tmp_path / "codebook.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:500])
    assert "not a valid .xlsx file" in _message(bad, loader=br.load_codebook)


def test_xlsx_with_damaged_member(tmp_path):
    good = write_table(raw("codebook"), tmp_path / "codebook.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            zout.writestr(info, data)
    assert "not a readable .xlsx file" in _message(bad, loader=br.load_codebook)


def test_unknown_excel_sheet(tmp_path):
    p = write_table(raw("codebook"), tmp_path / "codebook.xlsx")
    assert "cannot read sheet 'Codes'" in _message(p, loader=br.load_codebook, sheet="Codes")


def test_parquet_garbage(tmp_path):
    p = tmp_path / "survey.parquet"
    p.write_bytes(b"PAR1 not really")
    assert "not a readable Parquet file" in _message(p)


def test_sav_garbage(tmp_path):
    p = tmp_path / "survey.sav"
    p.write_bytes(b"$FL2 junk" * 10)
    assert "not a readable SPSS .sav file" in _message(p)


def test_unsupported_extension(tmp_path):
    p = tmp_path / "survey.json"
    p.write_text("{}")
    assert "unsupported file extension '.json'" in _message(p)


def test_old_xls(tmp_path):
    p = tmp_path / "survey.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0junk")
    assert "old Excel .xls files are not supported" in _message(p)


def test_folder_instead_of_file(tmp_path):
    assert _message(tmp_path).endswith("is a folder, not a file")


def test_qualtrics_forced_on_plain_csv(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_text(raw("survey").head(3).to_csv(index=False))
    assert "is not a Qualtrics export" in _message(p, format="qualtrics")


def test_sav_unknown_value_label_is_reported_not_dropped(tmp_path):
    import pandas as pd
    import pyreadstat

    frame = raw("codebook").head(3)[["theme", "code"]].copy()
    frame["role_code"] = [1.0, 2.0, 7.0]
    path = tmp_path / "codebook.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"role_code": {1: "a", 2: "b"}})
    from baby_room._io import read_table

    t = read_table(path)
    assert t.data["role_code"].astype(str).tolist() == ["a", "b", "7"]
    assert isinstance(t.data["role_code"].dtype, pd.CategoricalDtype)


# ---------------------------------------------------------------- special files, OS errors


def test_fifo_is_refused_before_it_is_opened(tmp_path):
    import os

    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)  # opening it for reading would block for ever
    assert _message(fifo).endswith("is a FIFO (named pipe), not a regular file: refused "
                                   "without reading it")


def test_link_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "survey.csv"
    link.symlink_to("/dev/zero")
    assert _message(link).endswith("is a device, not a regular file: refused "
                                   "without reading it")


def test_folder_named_like_a_data_file(tmp_path):
    folder = tmp_path / "survey.csv"
    folder.mkdir()
    assert _message(folder) == f"{folder}: is a folder, not a file"


def test_unreadable_file_names_it(tmp_path, monkeypatch):
    # the tests run as root, for whom chmod 000 still reads: the refusal is simulated
    import baby_room._io as io_module

    p = write_table(raw("survey").head(3), tmp_path / "survey.csv")
    monkeypatch.setattr(io_module.os, "access", lambda *_: False)
    assert _message(p) == f"{p}: permission denied: the file cannot be read"


def test_os_error_while_reading_is_wrapped(tmp_path, monkeypatch):
    from pathlib import Path

    p = write_table(raw("survey").head(3), tmp_path / "survey.csv")

    def fail(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", fail)
    assert _message(p) == f"{p}: permission denied: the file cannot be read"


def test_validate_never_prints_terminal_escape_sequences(tmp_path, capsys):
    from baby_room.cli import main

    frame = raw("survey").head(4).astype(object)
    frame.loc[1, "setting_id"] = "S1\x1b[2J\x1b]0;pwned\x07"
    frame.loc[2, "local_authority"] = "Leeds\x1b[31m"
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "identifier: holds invisible, control or full-width characters" in out


def test_validate_sheet_2023_is_the_sheet_named_2023(tmp_path, capsys):
    from pathlib import Path

    from baby_room.cli import main

    corpus = Path(__file__).resolve().parent / "bad_inputs" / "survey_sheet_named_2023.xlsx"
    assert main(["validate", str(corpus), "--sheet", "2023", "--kind", "survey"]) == 0
    assert "6 rows" in capsys.readouterr().out
