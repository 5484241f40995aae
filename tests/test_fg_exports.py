"""QualCoder's coded-text and Taguette's highlights exports, read by load_coding.

The files are written here in the layouts the tools write (QualCoder: Id, File, Codename,
Category, Coded, Coder, as REAL_FORMATS.md records; Taguette: id, document, tag, content,
as its export code writes them). Expected values are the cells written.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from baby_room.errors import DataValidationError, UnmatchedValueWarning
from baby_room.focus_groups.exports import read_qualcoder_codings, read_taguette_highlights
from baby_room.focus_groups.load import detect_coding_format, load_coding


def test_qualcoder_csv_through_load_coding(tmp_path):
    """Imitates QualCoder 3.x's coded-text CSV export."""
    p = tmp_path / "coded_text.csv"
    p.write_text("Id,File,Codename,Category,Coded,Coder\n"
                 "12,YOR-2.txt,Ratios,Staffing,one to three,Ana\n"
                 "13,YOR-2.txt,Ratios,Staffing,one to three,Bea\n"
                 "14,YOR-2.txt,Feeding,,feeds take time,Ana\n", encoding="utf-8")
    assert detect_coding_format(p) == "qualcoder"
    sheet = pd.DataFrame({"document": ["YOR-2"], "conference": ["York"]})
    long = load_coding(p, attributes=sheet)
    assert len(long) == 3  # no coding lost
    assert list(long["theme"]) == ["Staffing", "Staffing", "Feeding"]
    assert list(long["coder"]) == ["Ana", "Bea", "Ana"]
    assert long.loc[0, "segment_id"] == long.loc[1, "segment_id"]  # same words, two coders
    assert set(long["conference"].astype(str)) == {"York"}
    assert long.attrs["format"] == "qualcoder"


def test_taguette_xlsx_and_untagged_highlights(tmp_path):
    """Imitates Taguette's highlights export (one row per highlight and tag)."""
    wb = Workbook()
    ws = wb.active
    for row in (["id", "document", "tag", "content"],
                [7, "LON-1", "staffing.ratios", "one to three"],
                [7, "LON-1", "status", "one to three"],
                [8, "LON-1", None, "an untagged note"]):
        ws.append(row)
    p = tmp_path / "highlights.xlsx"
    wb.save(p)
    assert detect_coding_format(p) == "taguette"
    with pytest.warns(UnmatchedValueWarning, match="1 highlight row"):
        long = load_coding(p, coder="Ana")
    assert long[["segment_id", "theme", "code", "coder"]].values.tolist() == [
        ["7", "staffing", "ratios", "Ana"], ["7", "status", "status", "Ana"]]
    assert long["start"].isna().all() and long.attrs["position_unit"] is None


def test_missing_document_is_listed(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("id,document,tag,content\n1,,x,hi\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="row 2, column document"):
        read_taguette_highlights(p)
    q = tmp_path / "q.csv"
    q.write_text("Id,File,Codename,Coded\n1,a.txt,,hi\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="row 2, column Codename"):
        read_qualcoder_codings(q)
