"""Tests of baby_room.focus_groups.maxqda.read_maxqda_segments.

The exports are written here with openpyxl / plain text in MAXQDA's "Coded
Segments" layout (headings as MAXQDA prints them in English: Color, Document
group, Document name, Code, Segment, Beginning, End, Author or Created by,
Created, Weight score, Comment, plus Area and Coverage %). Expected values are
the cells written, so the reference is the file itself.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from baby_room.errors import ArgumentError, DataValidationError, FileFormatError
from baby_room.focus_groups.load import load_coding
from baby_room.focus_groups.maxqda import read_maxqda_segments

HEAD = ["Color", "Document group", "Document name", "Code", "Segment", "Beginning", "End",
        "Area", "Coverage %", "Author", "Created", "Weight score", "Comment", "Setting type"]
ROWS = [
    ["#ff0000", "Manchester", "MAN-1.docx", "Staffing > Ratios", "one adult to three babies",
     4, 4, 120, 2.5, "Ana", "2025-06-20 10:00:00", 0, "", "private"],
    ["#ff0000", "Manchester", "MAN-1.docx", "Staffing > Ratios", "one adult to three babies",
     4, 4, 120, 2.5, "Bea", "2025-06-21 11:00:00", 50, "agree", "private"],
    ["#00ff00", "Bristol", "BRI-2.docx", "Care routines > Sleep > Own rhythm",
     "each baby sleeps when tired", 7, 9, 300, 6.1, "Ana", "2025-07-20 09:00:00", 0, None,
     "voluntary"],
]


def _xlsx(path, head=HEAD, rows=ROWS, title=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "Coded segments"
    if title:
        ws.append(["Coded segments exported from MAXQDA 24"])
        ws.append([])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_with_title_rows_and_extra_columns(tmp_path):
    seg = read_maxqda_segments(_xlsx(tmp_path / "segments.xlsx"))
    assert list(seg.columns) == ["segment_id", "conference", "group_id", "speaker", "role",
                                 "theme", "code", "coder", "start", "end", "text"]
    # document, paragraph range and the text's SHA-1: the two coders of row 1-2 share it
    assert list(seg["segment_id"]) == ["Manchester/MAN-1.docx:4-4:700bd06e",
                                       "Manchester/MAN-1.docx:4-4:700bd06e",
                                       "Bristol/BRI-2.docx:7-9:0bb08716"]
    assert list(seg["group_id"]) == ["MAN-1", "MAN-1", "BRI-2"]
    assert list(seg["theme"]) == ["Staffing", "Staffing", "Care routines"]
    assert list(seg["code"]) == ["Ratios", "Ratios", "Own rhythm"]
    assert list(seg["coder"]) == ["Ana", "Bea", "Ana"]
    assert list(seg["start"]) == [4, 4, 7] and list(seg["end"]) == [4, 4, 9]
    assert str(seg["start"].dtype) == "Int64"
    assert seg.loc[2, "text"] == "each baby sleeps when tired"
    assert seg["conference"].isna().all() and seg["speaker"].isna().all()
    assert seg.attrs["source"] == "MAXQDA coded segments segments.xlsx"
    assert seg.attrs["position_unit"] == "paragraph"
    # the canonical validator accepts it once conference is known
    docs = pd.DataFrame({"document": ["MAN-1", "BRI-2"], "conference": ["Manchester", "Bristol"]})
    checked = load_coding(tmp_path / "segments.xlsx", attributes=docs)
    assert list(checked["conference"].astype(str)) == ["Manchester", "Manchester", "Bristol"]
    assert checked.attrs["position_unit"] == "paragraph"  # kept through load_coding


def test_documents_mapping_gives_conference_role_speaker(tmp_path):
    docs = pd.DataFrame({"Document name": ["MAN-1.docx", "BRI-2"],
                         "conference": ["manchester", "Bristol"],
                         "group_id": ["MAN-1", "BRI-2"], "role": ["Educator", "room leader"],
                         "speaker": ["P1", "P2"]})
    seg = read_maxqda_segments(_xlsx(tmp_path / "s.xlsx"), attributes=docs)
    assert list(seg["conference"].astype(str)) == ["Manchester", "Manchester", "Bristol"]
    assert list(seg["role"].astype(str)) == ["educator", "educator", "room_leader"]
    assert list(seg["speaker"]) == ["P1", "P1", "P2"]
    with pytest.raises(ArgumentError, match="attributes must be a sheet with a column 'document'"):
        read_maxqda_segments(tmp_path / "s.xlsx", attributes=pd.DataFrame({"role": ["manager"]}))


def test_csv_semicolon_bom_created_by_and_coder_fill(tmp_path):
    text = ("Document group;Document name;Code;Segment;Beginning;End;Created by;Modified by\n"
            "London;LON-1;Status > Pay;low pay drives people away;12;13;;Zed\n"
            "London;LON-1;Status;we feel invisible;15;15;Cy;Zed\n")
    p = tmp_path / "segments.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    seg = read_maxqda_segments(p, coder="Ana")
    assert list(seg["coder"]) == ["Ana", "Cy"]  # fill only where Created by is empty
    assert list(seg["theme"]) == ["Status", "Status"]
    assert list(seg["code"]) == ["Pay", "Status"]  # a top-level code is its own theme
    assert list(seg["segment_id"]) == ["London/LON-1:12-13:eab50268", "London/LON-1:15-15:91a4ec15"]


def test_keep_extra(tmp_path):
    seg = read_maxqda_segments(_xlsx(tmp_path / "s.xlsx"), keep_extra=True)
    assert list(seg.columns)[11:] == ["document", "document_group", "color", "created", "weight",
                                      "comment"]
    assert list(seg["weight"]) == [0, 50, 0]
    assert seg.loc[1, "comment"] == "agree" and pd.isna(seg.loc[0, "comment"])


def test_bad_rows_listed_with_file_row_numbers(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][3] = None  # no code
    rows[2][5] = "seven"  # Beginning not a number
    path = _xlsx(tmp_path / "bad.xlsx", rows=rows)
    with pytest.raises(DataValidationError) as err:
        read_maxqda_segments(path)
    f = err.value.failures
    # title row 1, blank row 2, header row 3: the first segment is spreadsheet row 4
    assert f[["row", "column"]].values.tolist() == [[4, "Code"], [6, "Beginning"]]
    assert pd.isna(f["value"].iloc[0]) and f["value"].iloc[1] == "seven"
    msg = str(err.value)
    assert msg.startswith(f"2 problems found in {path} (MAXQDA coded segments):")
    assert "row 6, column Beginning: value 'seven' - type: a whole number (position) >= 0" in msg


def test_not_an_export(tmp_path):
    p = tmp_path / "other.csv"
    p.write_text("respondent_id,role\nR1,manager\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as err:
        read_maxqda_segments(p)
    assert str(err.value) == (f"{p}: is not a MAXQDA coded-segments export: no header row with "
                              "'Document name' and 'Code' in its first 20 rows (first row: "
                              "'respondent_id', 'role')")
    with pytest.raises(FileFormatError, match="file not found"):
        read_maxqda_segments(tmp_path / "missing.xlsx")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileFormatError, match=r"old.xls: is not a readable .xls file"):
        read_maxqda_segments(old)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not excel", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"is not a valid .xlsx file"):
        read_maxqda_segments(fake)
    only_head = tmp_path / "head.csv"
    only_head.write_text("Document name,Code,Segment\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="has a header row but no coded segments"):
        read_maxqda_segments(only_head)


# ------------------------------------------------------------------ issue 11: languages, identity


def test_polish_and_german_headings(tmp_path):
    """Imitates MAXQDA 24's Coded Segments export with a Polish interface (Nazwa dokumentu,
    Kod, Początek, Koniec, Fragment, Autor; REAL_FORMATS.md) and a German one."""
    pl = ["Kolor", "Grupa dokumentów", "Nazwa dokumentu", "Kod", "Początek", "Koniec",
          "Fragment", "Autor"]
    rows = [["#f00", "York", "YOR-1", "Kadra > Proporcje", 3, 3, "jeden do trzech", "Ana"]]
    seg = read_maxqda_segments(_xlsx(tmp_path / "pl.xlsx", head=pl, rows=rows))
    assert seg[["group_id", "theme", "code", "coder", "start", "end", "text"]].values.tolist() \
        == [["YOR-1", "Kadra", "Proporcje", "Ana", 3, 3, "jeden do trzech"]]
    de = tmp_path / "de.csv"
    de.write_text("Dokumentgruppe;Dokumentname;Code;Segment;Anfang;Ende;Autor\n"
                  "York;YOR-1;Personal > Schlüssel;eine Bezugsperson;2;2;Bea\n",
                  encoding="utf-8")
    seg = read_maxqda_segments(de)
    assert seg[["code", "coder", "start"]].values.tolist() == [["Schlüssel", "Bea", 2]]


def test_every_row_is_a_segment_of_its_own(tmp_path):
    """Imitates a real MAXQDA export: Begin/End are paragraphs, so several segments share
    one document + Begin + End. No row is lost and load_coding raises no duplicate key."""
    rows = [
        ["#f00", "York", "YOR-1", "Staffing > Ratios", "one to three", 4, 4, 1, 1, "Ana", "", 0,
         "", ""],
        ["#f00", "York", "YOR-1", "Staffing > Ratios", "feeds take time", 4, 4, 1, 1, "Ana",
         "", 0, "", ""],
        ["#f00", "York", "YOR-1", "Staffing > Ratios", "one to three", 4, 4, 1, 1, "Ana", "", 0,
         "", ""],
        ["#f00", "York", "YOR-1", "Staffing > Ratios", "one to three", 4, 4, 1, 1, "Bea", "", 0,
         "", ""],
    ]
    path = _xlsx(tmp_path / "s.xlsx", rows=rows)
    with pytest.warns(UserWarning, match="no conference"):
        loaded = load_coding(path)
    assert len(loaded) == 4 and loaded["segment_id"].nunique() == 3
    ids = list(loaded["segment_id"])
    assert ids[2] == ids[0] + "#2" and ids[3] == ids[0]  # Bea shares Ana's segment
    assert loaded.attrs["position_unit"] == "paragraph" and loaded.attrs["format"] == "maxqda"


def test_xls_export(tmp_path):
    """Imitates MAXQDA's old-Excel (.xls) export, written with xlwt."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Coded segments")
    for j, h in enumerate(HEAD[:7] + ["Author"]):
        ws.write(0, j, h)
    for j, v in enumerate(["#ff0000", "York", "YOR-2", "Staffing > Ratios", "one to three",
                           4.0, 5.0, "Ana"]):
        ws.write(1, j, v)
    p = tmp_path / "segments.xls"
    wb.save(str(p))
    seg = read_maxqda_segments(p)
    assert seg[["code", "start", "end", "coder"]].values.tolist() == [["Ratios", 4, 5, "Ana"]]


def test_positions_never_wrap_or_lose_digits(tmp_path):
    """Issue 16: 1e30 became -9223372036854775808 and "1,000" became 1."""
    rows = [list(r) for r in ROWS]
    rows[0][5] = 1e30
    rows[1][5] = "1,000"
    rows[2][6] = "2.5"
    with pytest.raises(DataValidationError) as err:
        read_maxqda_segments(_xlsx(tmp_path / "big.xlsx", rows=rows))
    f = err.value.failures
    assert f[["row", "column"]].values.tolist() == [[4, "Beginning"], [5, "Beginning"],
                                                    [6, "End"]]
    assert list(f["value"])[1:] == ["1,000", "2.5"]
