"""Rebuild the bad-input corpus in this folder, byte for byte.

Run ``.venv/bin/python tests/bad_inputs/make_corpus.py`` from the repository root.
Every file is made from a fixed recipe (the bundled synthetic data, literal bytes
or a fixed random seed), zip and Excel timestamps are pinned, so a rebuild gives
the same bytes. ``MANIFEST.csv`` (written here too) says for each file which
loader reads it, with which arguments, and what must happen: the documented
error type (``FileFormatError`` or ``DataValidationError``) with a fragment of its
message, or ``ok`` (the file is odd but valid, e.g. formulas that are data).

The 5 MB single-line file is not committed: ``tests/test_bad_inputs.py`` makes it
at test time.
"""

from __future__ import annotations

import csv
import io
import json
import random
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NS = "urn:QDA-XML:project:1.0"
INJECTION = "=cmd|' /C calc'!A0"
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)

ENTRIES: list[dict] = []


def entry(file, loader, expected, message, note, **kwargs):
    ENTRIES.append({"file": file, "loader": loader, "kwargs": json.dumps(kwargs, sort_keys=True),
                    "expected": expected, "message": message, "note": note})


# --------------------------------------------------------------------------- helpers


def _raw(kind, n=6):
    from baby_room import synthetic

    frame = synthetic.raw(kind).head(n).reset_index(drop=True)
    return frame.astype(object).where(frame.notna(), "").astype(str)


def _csv_text(frame, sep=",", lineterminator="\n") -> str:
    return frame.to_csv(index=False, sep=sep, lineterminator=lineterminator)


def _write(name, data: bytes | str, encoding="utf-8"):
    path = HERE / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def _pin_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times (openpyxl stamps the time of writing)."""
    import re

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<3>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, body)
    return out.getvalue()


def _xlsx_bytes(rows: list[list], *, string_cells: bool = True) -> bytes:
    """An .xlsx from rows (first row = header). ``string_cells``: text starting with '='
    is stored as text (as a spreadsheet does for a cell typed with a leading apostrophe),
    otherwise openpyxl stores it as a formula (with no cached value)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if string_cells and isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return _pin_zip(buf.getvalue())


def _frame_rows(frame) -> list[list]:
    return [list(frame.columns), *frame.to_numpy().tolist()]


def _zip(members: list[tuple[str, bytes]], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members:
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = compression
            z.writestr(zi, body)
    return out.getvalue()


def _qde(*, text_path="internal://s1.txt", extra="") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="bad">'
        '<Users><User guid="u1" name="Ana"/></Users>'
        '<CodeBook><Codes><Code guid="c1" name="Ratios" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="s1" name="YOR-2" plainTextPath="{text_path}">'
        '<PlainTextSelection guid="p1" startPosition="0" endPosition="5">'
        '<Coding guid="k1" creatingUser="u1"><CodeRef targetGUID="c1"/></Coding>'
        f'</PlainTextSelection></TextSource></Sources>{extra}</Project>'
    ).encode()


def _good_qdpx_members():
    return [("bad.qde", _qde()), ("sources/s1.txt", b"Never enough adults in the room.")]


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Set the uncompressed size that the zip's local header and central directory declare."""
    buf = bytearray(data)
    enc = name.encode()
    # central directory header: signature PK\1\2, uncompressed size at offset 24
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46:pos + 46 + n]) == enc:
            struct.pack_into("<I", buf, pos + 24, size)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    pos = buf.find(b"PK\x03\x04")
    while pos >= 0:
        n = struct.unpack_from("<H", buf, pos + 26)[0]
        if bytes(buf[pos + 30:pos + 30 + n]) == enc:
            struct.pack_into("<I", buf, pos + 22, size)
        pos = buf.find(b"PK\x03\x04", pos + 4)
    return bytes(buf)


def _junk(n, seed) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


# --------------------------------------------------------------------------- survey


def survey():
    base = _raw("survey")
    text = _csv_text(base)

    _write("survey_empty.csv", b"")
    entry("survey_empty.csv", "survey", "FileFormatError", "file is empty (0 bytes)", "0 bytes")

    _write("survey_binary_junk.csv", _junk(3000, 1))
    entry("survey_binary_junk.csv", "survey", "FileFormatError", "binary file",
          "random bytes with a .csv name")

    _write("survey_png_named.csv", b"\x89PNG\r\n\x1a\n" + _junk(800, 2))
    entry("survey_png_named.csv", "survey", "FileFormatError", "binary file",
          "a PNG image renamed .csv")

    _write("survey_blank.csv", "\n  \n\t\n\n")
    entry("survey_blank.csv", "survey", "FileFormatError", "no content",
          "only blank space")

    good_xlsx = _xlsx_bytes(_frame_rows(base))
    _write("survey_truncated.xlsx", good_xlsx[:700])
    entry("survey_truncated.xlsx", "survey", "FileFormatError", "not a valid .xlsx file",
          "an .xlsx cut after 700 bytes (download interrupted)")

    _write("survey_csv_renamed.xlsx", text)
    entry("survey_csv_renamed.xlsx", "survey", "FileFormatError", "not a valid .xlsx file",
          "CSV text saved with an .xlsx name")

    _write("survey_old_excel.xls", _junk(512, 3))
    entry("survey_old_excel.xls", "survey", "FileFormatError", "old Excel .xls files",
          "old binary Excel format")

    _write("survey_sheet_missing.xlsx", good_xlsx)
    entry("survey_sheet_missing.xlsx", "survey", "FileFormatError",
          "cannot read sheet 'Responses'", "asks for a sheet the workbook does not have",
          sheet="Responses")

    _write("survey_unknown_ext.json", '{"a": 1}')
    entry("survey_unknown_ext.json", "survey", "FileFormatError", "unsupported file extension",
          "extension no reader knows")

    _write("survey_commas_in.tsv", text)
    entry("survey_commas_in.tsv", "survey", "DataValidationError",
          "column respondent_id: value <missing> - required column missing",
          "wrong delimiter: comma-separated text in a .tsv, so the whole header is one column")

    _write("survey_semicolon.csv", _csv_text(base, sep=";"))
    entry("survey_semicolon.csv", "survey", "ok", "",
          "semicolon-separated .csv (European Excel): the delimiter is sniffed from the "
          "header line, so it loads like the comma file")

    mixed = base.copy()
    mixed.loc[0, "local_authority"] = "Café Town"
    mixed.loc[1, "local_authority"] = "Crème Borough"
    lines = _csv_text(mixed).split("\n")
    half = "\n".join(lines[:2]).encode("utf-8") + b"\n" + "\n".join(lines[2:]).encode("cp1252")
    _write("survey_mixed_utf8_cp1252.csv", half)
    entry("survey_mixed_utf8_cp1252.csv", "survey", "FileFormatError", "encoding",
          "first record UTF-8 ('Café'), the rest Windows-1252 ('Crème'): no single encoding "
          "reads it right")

    _write("survey_utf16le_nobom.csv", text.encode("utf-16-le"))
    entry("survey_utf16le_nobom.csv", "survey", "ok", "",
          "UTF-16 little-endian without a BOM (recognised from the zero bytes)")

    _write("survey_utf16be_nobom.csv", text.encode("utf-16-be"))
    entry("survey_utf16be_nobom.csv", "survey", "ok", "",
          "UTF-16 big-endian without a BOM (recognised from the zero bytes)")

    _write("survey_utf16_bom.tsv", _csv_text(base, sep="\t").encode("utf-16"))
    entry("survey_utf16_bom.tsv", "survey", "ok", "", "UTF-16 with BOM, tab-separated")

    cp = base.copy()
    cp.loc[0, "local_authority"] = "Rhondda Cynon Taf – Pontypridd"
    _write("survey_cp1252.csv", _csv_text(cp).encode("cp1252"))
    entry("survey_cp1252.csv", "survey", "ok", "",
          "Windows-1252 with an en dash (byte 0x96), not valid UTF-8")

    header = text.split("\n", 1)[0]
    dup = header.replace("setting_type", "group_size")
    _write("survey_duplicate_headers.csv", dup + "\n" + text.split("\n", 1)[1])
    entry("survey_duplicate_headers.csv", "survey", "FileFormatError",
          "duplicate column headers: 'group_size'", "two columns called group_size")

    dup_rows = _frame_rows(base)
    dup_rows[0] = [("group_size" if h == "setting_type" else h) for h in dup_rows[0]]
    _write("survey_duplicate_headers.xlsx", _xlsx_bytes(dup_rows))
    entry("survey_duplicate_headers.xlsx", "survey", "FileFormatError",
          "duplicate column headers: 'group_size'", "duplicate headers in Excel")

    _write("survey_header_only.csv", header + "\n")
    entry("survey_header_only.csv", "survey", "FileFormatError",
          "has a header but no data rows", "header line only")

    _write("survey_header_only.xlsx", _xlsx_bytes([list(base.columns)]))
    entry("survey_header_only.xlsx", "survey", "FileFormatError",
          "has a header but no data rows", "header row only, in Excel")

    formulas = base.copy()
    formulas.loc[0, "local_authority"] = INJECTION
    formulas.loc[1, "local_authority"] = "=HYPERLINK(\"http://x.invalid\",\"click\")"
    formulas.loc[2, "local_authority"] = "@SUM(A1:A9)"
    formulas.loc[3, "local_authority"] = "+44 20 7946 0000"
    formulas.loc[4, "local_authority"] = "-2+3"
    formulas.loc[5, "local_authority"] = "\tTabbed"
    formulas.loc[0, "comments"] = "=1+1"
    _write("survey_formulas.csv", _csv_text(formulas))
    entry("survey_formulas.csv", "survey", "ok", "",
          "formula-like text in cells: data, loaded as text (neutralised only on export)")

    _write("survey_formulas_as_text.xlsx", _xlsx_bytes(_frame_rows(formulas)))
    entry("survey_formulas_as_text.xlsx", "survey", "ok", "",
          "the same formula-like text stored as text cells in Excel")

    _write("survey_formula_cells.xlsx",
           _xlsx_bytes(_frame_rows(formulas), string_cells=False))
    entry("survey_formula_cells.xlsx", "survey", "ok", "",
          "real Excel formula cells (no cached value, as openpyxl/LibreOffice-less tools "
          "write them): their text must be read, not silently become missing")

    huge = base.copy()
    huge.loc[0, "group_size"] = "1e308"
    huge.loc[1, "group_size"] = "99999999999999999999"
    huge.loc[2, "years_experience"] = "inf"
    huge.loc[3, "staff_in_room"] = "-3"
    huge.loc[4, "group_size"] = "0"
    huge.loc[5, "years_experience"] = "1e400"
    _write("survey_huge_negative_numbers.csv", _csv_text(huge))
    entry("survey_huge_negative_numbers.csv", "survey", "DataValidationError",
          "column group_size: value '99999999999999999999' - range: number too large",
          "huge (1e308, 20 digits, inf, 1e400), negative and zero counts")

    neg = base.copy()
    neg.loc[2, "staff_in_room"] = "-1"
    import pandas as pd

    pq = neg.copy()
    for col in ("group_size", "staff_in_room", "staff_level3", "staff_level2",
                "staff_baby_trained", "years_experience"):
        pq[col] = pd.to_numeric(pq[col].replace("", None)).astype("Int64")
    _parquet("survey_negative_staff.parquet", pq)
    entry("survey_negative_staff.parquet", "survey", "DataValidationError",
          "column staff_in_room: value '-1' - range: must be at least 1",
          "negative integer in a typed Parquet column")

    nested = pq.copy()
    nested["group_size"] = [[12], [9, 3], [], [14], [8], [10]]
    _parquet("survey_list_column.parquet", nested)
    entry("survey_list_column.parquet", "survey", "DataValidationError",
          "column group_size", "a Parquet list column where whole numbers belong")

    _write("survey_not_parquet.parquet", text)
    entry("survey_not_parquet.parquet", "survey", "FileFormatError",
          "not a readable Parquet file", "CSV text with a .parquet name")

    good_pq = (HERE / "survey_negative_staff.parquet").read_bytes()
    _write("survey_truncated.parquet", good_pq[: len(good_pq) // 2])
    entry("survey_truncated.parquet", "survey", "FileFormatError",
          "not a readable Parquet file", "Parquet cut in half (no footer)")

    _parquet("survey_no_rows.parquet", pq.iloc[0:0])
    entry("survey_no_rows.parquet", "survey", "FileFormatError", "has no data rows",
          "Parquet with a schema and zero rows")

    qualtrics_missing = text  # a plain CSV, forced through the Qualtrics reader
    _write("survey_qualtrics_no_extra_rows.csv", qualtrics_missing)
    entry("survey_qualtrics_no_extra_rows.csv", "survey", "FileFormatError",
          "is not a Qualtrics export", "Qualtrics export without its two extra header rows",
          format="qualtrics")

    _write("survey_qualtrics_header_only.csv",
           header + "\n" + ",".join(f'"Q{i}"' for i in range(len(base.columns))) + "\n"
           + ",".join(f'"{{""ImportId"":""QID{i}""}}"' for i in range(len(base.columns)))
           + "\n")
    entry("survey_qualtrics_header_only.csv", "survey", "FileFormatError",
          "has a header but no data rows",
          "a Qualtrics export with its three header rows and no responses", format="qualtrics")

    _sav_unknown_labels()
    entry("survey_unknown_value_labels.sav", "survey", "DataValidationError",
          "column role: value '7' - category: must be one of educator, room_leader, manager",
          "SPSS code 7 has no value label: reported, not silently missing")

    _write("survey_junk.sav", b"$FL2@(#) " + _junk(600, 4))
    entry("survey_junk.sav", "survey", "FileFormatError", "not a readable SPSS .sav file",
          "an SPSS magic number followed by junk")

    good_sav = (HERE / "survey_unknown_value_labels.sav").read_bytes()
    _write("survey_truncated.sav", good_sav[:300])
    entry("survey_truncated.sav", "survey", "FileFormatError", "not a readable SPSS .sav file",
          "an SPSS file cut after 300 bytes")

    allbad = base.copy()
    allbad["group_size"] = "lots"
    allbad["region"] = "Atlantis"
    _write("survey_every_row_bad.csv", _csv_text(allbad))
    entry("survey_every_row_bad.csv", "survey", "DataValidationError",
          "column group_size: value 'lots' - type: expected a whole number",
          "every row fails (two rules each): all listed in one error")
    entry("survey_every_row_bad.csv", "survey", "ok", "",
          "every row's answers fail, on_error='set_aside': respondents kept, cells made missing",
          on_error="set_aside")

    _write("survey_bom_crlf.csv", b"\xef\xbb\xbf" + _csv_text(base, lineterminator="\r\n")
           .encode("utf-8"))
    entry("survey_bom_crlf.csv", "survey", "ok", "", "UTF-8 BOM and Windows CRLF line ends")

    _write("survey_header_on_line3.csv",
           "Baby Room Project survey export\nDownloaded 2025-09-01 by admin\n" + text)
    entry("survey_header_on_line3.csv", "survey", "FileFormatError",
          "different number of fields from the header",
          "two junk title lines before the header")

    nul_early = text.replace("SYNTHETIC DATA", "SYNTHETIC\x00 DATA", 1)  # row 1, any data
    _write("survey_nul_early.csv", nul_early)
    entry("survey_nul_early.csv", "survey", "FileFormatError", "binary file",
          "a NUL byte inside a cell near the start of the file")

    big = _raw("survey", 60)
    big_text = _csv_text(big)
    cut = big_text.index("\n", 6000)
    big_text = big_text[:cut] + big_text[cut:].replace(",R1,", ",R\x001,", 1)
    _write("survey_nul_late.csv", big_text)
    entry("survey_nul_late.csv", "survey", "FileFormatError", "NUL",
          "a NUL byte in a cell after the first 4 KB of the file (the binary sniff "
          "only looks at the start)")

    _write("survey_only_delimiters.csv", ",,,,\n,,,,\n,,,,\n")
    entry("survey_only_delimiters.csv", "survey", "FileFormatError", "header",
          "an empty sheet saved as CSV: lines of commas and nothing else")

    _write("survey_lone_quote.csv", '"')
    entry("survey_lone_quote.csv", "survey", "FileFormatError", "survey_lone_quote.csv",
          "a file holding one double quote")

    _write("survey_mac_cr_line_ends.csv", _csv_text(base, lineterminator="\r"))
    entry("survey_mac_cr_line_ends.csv", "survey", "ok", "",
          "classic Mac line ends (CR only), as Excel's 'CSV (Macintosh)' writes")

    late = _csv_text(base).split("\n")
    late[5] = late[5].replace(",R1,", ",R\r1,", 1) if ",R1," in late[5] else late[5] + "\r"
    _write("survey_bare_cr_in_cell.csv", "\n".join(late))
    entry("survey_bare_cr_in_cell.csv", "survey", "FileFormatError",
          "survey_bare_cr_in_cell.csv",
          "a stray carriage return inside an unquoted cell after the first three records")

    ragged = text.split("\n")
    ragged[2] = ragged[2] + ",extra,cells"
    ragged[4] = ragged[4].rsplit(",", 3)[0]
    _write("survey_ragged.csv", "\n".join(ragged))
    entry("survey_ragged.csv", "survey", "FileFormatError", "row 3 has",
          "rows with more and fewer fields than the header")

    unclosed = text.split("\n")
    unclosed[2] = unclosed[2].replace(",RESP", ',"RESP', 1) if ",RESP" in unclosed[2] else \
        '"' + unclosed[2]
    _write("survey_unclosed_quote.csv", "\n".join(unclosed))
    entry("survey_unclosed_quote.csv", "survey", "FileFormatError", "row 3 has 1 fields",
          "an opening quote never closed: must not swallow the following rows")


def _parquet(name, frame):
    frame.to_parquet(HERE / name, index=False, compression="snappy")


def _sav_unknown_labels():
    import pandas as pd
    import pyreadstat

    base = _raw("survey")
    frame = pd.DataFrame({
        "respondent_id": base["respondent_id"],
        "role": [1.0, 2.0, 7.0, 3.0, 1.0, 2.0],
        "setting_id": base["setting_id"],
        "room_id": base["room_id"],
        "region": [1.0, 9.0, 3.0, 7.0, 2.0, 5.0],
        "group_size": pd.to_numeric(base["group_size"]).astype(float),
        "staff_in_room": pd.to_numeric(base["staff_in_room"]).astype(float),
    })
    from baby_room.codebook import REGIONS, ROLES

    labels = {"role": {i + 1: r for i, r in enumerate(ROLES)},
              "region": {i + 1: r for i, r in enumerate(REGIONS)}}
    path = HERE / "survey_unknown_value_labels.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    _pin_sav(path)


def _pin_sav(path):
    """Pin the creation date and time that a .sav header carries (bytes 92-108)."""
    data = bytearray(path.read_bytes())
    data[92:109] = b"01 Jan 0000:00:00"
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- coding & codebook


def coding():
    base = _raw("coding")

    _write("coding_empty.tsv", b"")
    entry("coding_empty.tsv", "coding", "FileFormatError", "file is empty (0 bytes)",
          "0 bytes")

    swapped = base.copy()
    swapped.loc[1, "start"], swapped.loc[1, "end"] = "300", "12"
    _write("coding_end_before_start.csv", _csv_text(swapped))
    entry("coding_end_before_start.csv", "coding", "DataValidationError",
          "column start + end: value '300 > 12' - consistency: end must not be before start",
          "a segment that ends before it starts")

    conf = base.copy()
    conf.loc[0, "conference"] = "Glasgow"
    _write("coding_bad_conference.tsv", _csv_text(conf, sep="\t"))
    entry("coding_bad_conference.tsv", "coding", "DataValidationError",
          "column conference: value 'Glasgow' - category: must be one of London",
          "a conference that did not happen")

    dkey = base.copy()
    dkey.loc[1, ["segment_id", "code", "coder"]] = dkey.loc[0, ["segment_id", "code", "coder"]]
    _write("coding_duplicate_key.csv", _csv_text(dkey))
    entry("coding_duplicate_key.csv", "coding", "DataValidationError",
          "duplicate identifier", "same segment, code and coder twice")

    _write("coding_no_coder_column.csv", _csv_text(base.drop(columns="coder")))
    entry("coding_no_coder_column.csv", "coding", "DataValidationError",
          "column coder: value <missing> - required column missing",
          "required column absent")

    _write("coding_utf16le_nobom.tsv", _csv_text(base, sep="\t").encode("utf-16-le"))
    entry("coding_utf16le_nobom.tsv", "coding", "ok", "", "UTF-16 LE without BOM, TSV")

    huge = base.copy()
    huge.loc[0, "start"] = "1e20"
    huge.loc[1, "end"] = "-4"
    huge.loc[2, "start"] = "12.5"
    _write("coding_bad_offsets.csv", _csv_text(huge))
    entry("coding_bad_offsets.csv", "coding", "DataValidationError",
          "column start: value '1e20' - range: number too large",
          "offsets too large, negative and fractional")

    pq = base.copy()
    pq.loc[3, "start"] = "abc"
    _parquet("coding_text_offset.parquet", pq)
    entry("coding_text_offset.parquet", "coding", "DataValidationError",
          "column start: value 'abc' - type: expected a whole number",
          "a word in the offsets column of a Parquet file")

    good = _xlsx_bytes(_frame_rows(base))
    _write("coding_truncated.xlsx", good[: len(good) - 200])
    entry("coding_truncated.xlsx", "coding", "FileFormatError", ".xlsx",
          "an .xlsx missing its last 200 bytes (zip directory gone)")

    _write("codebook_junk.csv", _junk(2000, 5))
    entry("codebook_junk.csv", "codebook", "FileFormatError", "binary file",
          "random bytes named .csv")

    book = _raw("codebook")
    dcode = book.copy()
    dcode.loc[2, "code"] = dcode.loc[0, "code"]
    _write("codebook_duplicate_code.csv", _csv_text(dcode))
    entry("codebook_duplicate_code.csv", "codebook", "DataValidationError",
          "column code: value '" + str(book.loc[0, "code"]) + "' - duplicate identifier",
          "the same code defined twice")

    notheme = book.copy()
    notheme.loc[1, "theme"] = None
    _write("codebook_missing_theme.xlsx", _xlsx_bytes(_frame_rows(notheme)))
    entry("codebook_missing_theme.xlsx", "codebook", "DataValidationError",
          "column theme: value <missing> - required value missing",
          "an empty theme cell in Excel")

    _write("codebook_header_only.tsv", "theme\tcode\tdefinition\r\n")
    entry("codebook_header_only.tsv", "codebook", "FileFormatError",
          "has a header but no data rows", "header only, CRLF")


# --------------------------------------------------------------------------- evidence


def evidence():
    base = _raw("evidence")

    years = base.copy()
    years.loc[0, "year"] = "03/2019"
    years.loc[1, "year"] = "1 March 2019"
    years.loc[2, "year"] = "2019-03-01"
    _write("evidence_year_date_formats.csv", _csv_text(years))
    entry("evidence_year_date_formats.csv", "evidence", "DataValidationError",
          "column year: value '03/2019' - type: expected a whole number",
          "publication year typed as dates in other formats")

    import datetime as dt

    rows = _frame_rows(base)
    y = rows[0].index("year")
    rows[1][y] = dt.datetime(2019, 3, 1)
    rows[2][y] = dt.datetime(2021, 12, 31)
    _write("evidence_year_as_excel_date.xlsx", _xlsx_bytes(rows))
    entry("evidence_year_as_excel_date.xlsx", "evidence", "DataValidationError",
          "column year: value '2019-03-01",
          "Excel date cells in the year column")

    rng = base.copy()
    rng.loc[0, "year"] = "1066"
    rng.loc[1, "year"] = "-2019"
    rng.loc[2, "year"] = "2999"
    _write("evidence_year_out_of_range.tsv", _csv_text(rng, sep="\t"))
    entry("evidence_year_out_of_range.tsv", "evidence", "DataValidationError",
          "column year: value '-2019' - range: must be at least 1950",
          "years before 1950, negative and in the future")

    ptype = base.copy()
    ptype.loc[0, "publication_type"] = "peer-reviewed"
    _parquet("evidence_bad_publication_type.parquet", ptype)
    entry("evidence_bad_publication_type.parquet", "evidence", "DataValidationError",
          "column publication_type: value 'peer-reviewed' - category: must be one of academic",
          "unknown category in Parquet")

    struct = base.copy()
    struct["countries"] = [{"name": "UK"}, {"name": "USA"}, {"name": "Norway"}, {"name": "UK"},
                           {"name": "Chile"}, {"name": "Japan"}]
    _parquet("evidence_struct_column.parquet", struct)
    entry("evidence_struct_column.parquet", "evidence", "DataValidationError", "column countries",
          "a Parquet struct (record) column where text belongs")

    inj = base.copy()
    inj.loc[0, "title"] = INJECTION
    inj.loc[1, "authors"] = "-Smith, J."
    inj.loc[2, "countries"] = "=UK"
    _write("evidence_formulas.csv", _csv_text(inj))
    entry("evidence_formulas.csv", "evidence", "ok", "",
          "formula-like title, authors and countries: data")

    noitem = base.drop(columns=["item_id", "title"])
    _write("evidence_missing_columns.csv", _csv_text(noitem))
    entry("evidence_missing_columns.csv", "evidence", "DataValidationError",
          "column item_id: value <missing> - required column missing",
          "two required columns absent")


# --------------------------------------------------------------------------- qdpx


def qdpx():
    _write("qdpx_empty.qdpx", b"")
    entry("qdpx_empty.qdpx", "qdpx", "FileFormatError", "file is empty (0 bytes)", "0 bytes")

    _write("qdpx_not_zip.qdpx", "<Project/>")
    entry("qdpx_not_zip.qdpx", "qdpx", "FileFormatError", "not a zip archive",
          "plain XML with a .qdpx name")

    good = _zip(_good_qdpx_members())
    _write("qdpx_truncated.qdpx", good[: len(good) // 2])
    entry("qdpx_truncated.qdpx", "qdpx", "FileFormatError", "not a zip archive",
          "a project cut in half")

    _write("qdpx_path_traversal.qdpx",
           _zip([*_good_qdpx_members(), ("../../evil.txt", b"pwned")]))
    entry("qdpx_path_traversal.qdpx", "qdpx", "FileFormatError", "path traversal",
          "an entry named ../../evil.txt")

    _write("qdpx_absolute_path.qdpx", _zip([*_good_qdpx_members(), ("/etc/evil", b"x")]))
    entry("qdpx_absolute_path.qdpx", "qdpx", "FileFormatError", "absolute path",
          "an entry with an absolute path")

    _write("qdpx_drive_letter.qdpx", _zip([*_good_qdpx_members(),
                                           ("C:/Windows/evil.txt", b"x")]))
    entry("qdpx_drive_letter.qdpx", "qdpx", "FileFormatError", "path traversal",
          "an entry with a Windows drive letter")

    lol = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else
                                                      b"&lol;") * 10) for i in range(1, 10))
           + b']>\n<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>')
    _write("qdpx_billion_laughs.qdpx", _zip([("bad.qde", lol)]))
    entry("qdpx_billion_laughs.qdpx", "qdpx", "FileFormatError", "entit",
          "entity-expansion bomb in the project XML")

    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
    _write("qdpx_external_entity.qdpx", _zip([("bad.qde", xxe)]))
    entry("qdpx_external_entity.qdpx", "qdpx", "FileFormatError", "external entity",
          "XXE: an entity pointing at /etc/passwd")

    _write("qdpx_missing_source.qdpx", _zip([("bad.qde", _qde())]))
    entry("qdpx_missing_source.qdpx", "qdpx", "FileFormatError", "has no such file",
          "the coded source's text file is not in the archive")

    _write("qdpx_relative_source_escape.qdpx",
           _zip([("bad.qde", _qde(text_path="relative://../../../etc/passwd"))]))
    entry("qdpx_relative_source_escape.qdpx", "qdpx", "FileFormatError", "has no such file",
          "a linked source path climbing out of the archive: never read from disk")

    big = _zip(_good_qdpx_members())
    _write("qdpx_oversized_entry.qdpx", _patch_declared_size(big, "sources/s1.txt",
                                                              300 * 1024**2))
    entry("qdpx_oversized_entry.qdpx", "qdpx", "FileFormatError",
          "bytes uncompressed, more than the 268,435,456 allowed",
          "an entry whose header declares 300 MiB")

    bomb = _zip([("bad.qde", _qde()), ("sources/s1.txt", b"A" * 2_000_000)])
    _write("qdpx_compression_bomb.qdpx", bomb)
    entry("qdpx_compression_bomb.qdpx", "qdpx", "FileFormatError", "allowed for one entry",
          "2 MB of one letter compressed to a few KB, read with a 1 MB entry limit",
          max_entry_bytes=1_000_000)

    _write("qdpx_lying_size.qdpx", _patch_declared_size(
        _zip([("bad.qde", _qde()), ("sources/s1.txt", b"Never enough adults. " * 200)]),
        "sources/s1.txt", 10))
    entry("qdpx_lying_size.qdpx", "qdpx", "FileFormatError", "sources/s1.txt",
          "an entry decompressing to more bytes than its header declares")

    _write("qdpx_too_many_entries.qdpx",
           _zip([*_good_qdpx_members(), *[(f"extra/{i}.txt", b"") for i in range(8)]]))
    entry("qdpx_too_many_entries.qdpx", "qdpx", "FileFormatError",
          "entries, more than the 5 allowed", "10 entries read with max_entries=5",
          max_entries=5)

    _write("qdpx_no_project.qdpx", _zip([("sources/s1.txt", b"text")]))
    entry("qdpx_no_project.qdpx", "qdpx", "FileFormatError", "no project file (*.qde)",
          "a zip without its .qde")

    _write("qdpx_two_projects.qdpx", _zip([("a.qde", _qde()), ("b.qde", _qde())]))
    entry("qdpx_two_projects.qdpx", "qdpx", "FileFormatError", "several project files",
          "two .qde files at the root")

    _write("qdpx_bad_xml.qdpx", _zip([("bad.qde", _qde()[:-20])]))
    entry("qdpx_bad_xml.qdpx", "qdpx", "FileFormatError", "XML syntax error",
          "project XML cut short")

    _write("qdpx_wrong_root.qdpx", _zip([("bad.qde", b"<html><body/></html>")]))
    entry("qdpx_wrong_root.qdpx", "qdpx", "FileFormatError", "expected <Project>",
          "an HTML file as the project")

    _write("qdpx_binary_source.qdpx",
           _zip([("bad.qde", _qde()), ("sources/s1.txt", b"\x81\x8d\x8f\x90\x9d" * 20)]))
    entry("qdpx_binary_source.qdpx", "qdpx", "FileFormatError", "sources/s1.txt",
          "source text in no supported encoding (bytes undefined in Windows-1252)")


# --------------------------------------------------------------------------- bibliographic


RIS_OK = "TY  - JOUR\nTI  - Baby rooms\nAU  - Smith, J.\nPY  - 2019\nER  - \n"


def bibliographic():
    _write("ris_broken_tag.ris", RIS_OK.replace("AU  - ", "AU - "))
    entry("ris_broken_tag.ris", "ris", "FileFormatError",
          "malformed RIS tag line 'AU - Smith, J.' on line 3",
          "'AU - ' with one space in the only record")

    _write("ris_unclosed_record.ris", RIS_OK + "TY  - JOUR\nTI  - Second\n")
    entry("ris_unclosed_record.ris", "ris", "FileFormatError",
          "line 6: the record is not closed", "last record has no ER (truncated)",
          on_error="raise")

    _write("ris_empty.ris", b"")
    entry("ris_empty.ris", "ris", "FileFormatError", "file is empty", "0 bytes")

    _write("ris_binary.ris", b"\xff\xd8\xff\xe0" + _junk(400, 6))
    entry("ris_binary.ris", "ris", "FileFormatError", "cannot decode byte",
          "a JPEG renamed .ris")

    _write("ris_cp1252.ris", RIS_OK.replace("Smith", "Müller").encode("cp1252"))
    entry("ris_cp1252.ris", "ris", "FileFormatError", "pass encoding='cp1252'",
          "Windows-1252 file read as UTF-8: the error says what to do")
    entry("ris_cp1252.ris", "ris", "ok", "", "the same file with encoding='cp1252'",
          encoding="cp1252")

    _write("ris_text_outside.ris", "Exported from EndNote\n" + RIS_OK)
    entry("ris_text_outside.ris", "ris", "ok", "",
          "a title line before the first record: a warning, the record loads")

    _write("ris_nul.ris", RIS_OK.replace("Baby rooms", "Baby\x00rooms"))
    entry("ris_nul.ris", "ris", "ok", "",
          "a NUL byte inside a title: RIS has no binary check; kept as data")

    _write("ris_crlf_bom.ris", b"\xef\xbb\xbf" + RIS_OK.replace("\n", "\r\n").encode())
    entry("ris_crlf_bom.ris", "ris", "ok", "", "BOM and CRLF")

    _write("bib_unclosed_entry.bib",
           "@article{k1, title={Baby rooms}, year=2019}\n\n"
           "@article{k2, title={Second, year=2020\n\n@book{k3, title={Third}, year=2021}\n")
    entry("bib_unclosed_entry.bib", "bibtex", "FileFormatError", "line 3",
          "entry k2 never closes its title brace", on_error="raise")

    _write("bib_duplicate_key.bib",
           "@article{k1, title={A}, year=2019}\n@article{k1, title={B}, year=2020}\n")
    entry("bib_duplicate_key.bib", "bibtex", "FileFormatError",
          "duplicate citation key 'k1'", "two entries with one key", on_error="raise")

    _write("bib_no_entries.bib", "This is not BibTeX at all.\nJust prose.\n")
    entry("bib_no_entries.bib", "bibtex", "FileFormatError", "no BibTeX entries found",
          "prose with a .bib name")

    _write("bib_empty.bib", b"")
    entry("bib_empty.bib", "bibtex", "FileFormatError", "file is empty", "0 bytes")

    _write("bib_binary.bib", _junk(500, 7))
    entry("bib_binary.bib", "bibtex", "FileFormatError", "cannot decode byte", "random bytes")

    _write("rayyan_no_notes.csv", "key,title,year\n1,Baby rooms,2019\n")
    entry("rayyan_no_notes.csv", "rayyan", "FileFormatError", "no 'notes' column",
          "a CSV that is not a Rayyan export")

    _write("rayyan_unclosed_quote.csv",
           'key,title,year,notes\n1,"Baby rooms,2019,x\n2,Other,2020,y\n')
    entry("rayyan_unclosed_quote.csv", "rayyan", "FileFormatError", "not a readable CSV",
          "a quote never closed")

    _write("rayyan_empty.csv", b"")
    entry("rayyan_empty.csv", "rayyan", "FileFormatError", "file is empty", "0 bytes")

    _write("maxqda_no_header.csv", "a,b,c\n1,2,3\n")
    entry("maxqda_no_header.csv", "maxqda", "FileFormatError",
          "is not a MAXQDA coded-segments export", "no Document name / Code header")

    _write("maxqda_header_only.csv", "Document name,Code,Segment,Beginning,End\n")
    entry("maxqda_header_only.csv", "maxqda", "FileFormatError",
          "has a header row but no coded segments", "header only")

    _write("maxqda_bad_positions.xlsx", _xlsx_bytes([
        ["Document name", "Code", "Segment", "Beginning", "End", "Author"],
        ["YOR-2", "Staffing > Ratios", "one to three", "four", 4, "Ana"],
        ["YOR-2", "Staffing > Ratios", "one to three", 4, -1, "Bea"],
    ]))
    entry("maxqda_bad_positions.xlsx", "maxqda", "DataValidationError",
          "column Beginning: value 'four' - type: a whole number (position) >= 0 is expected",
          "positions that are words or negative")

    _write("maxqda_binary.tsv", _junk(1500, 8))
    entry("maxqda_binary.tsv", "maxqda", "FileFormatError", "binary file", "random bytes")

    _write("maxqda_empty.csv", b"")
    entry("maxqda_empty.csv", "maxqda", "FileFormatError", "file is empty (0 bytes)", "0 bytes")


def _module(name: str):
    """A ``corpus_<helper>.py`` module of this folder (cases added by each helper)."""
    import importlib.util

    path = Path(__file__).resolve().parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out: Path | None = None) -> list[dict]:
    """Write the corpus and MANIFEST.csv into ``out`` (default: this folder)."""
    global HERE
    HERE = Path(out) if out is not None else Path(__file__).resolve().parent
    ENTRIES.clear()
    for old in HERE.iterdir():
        if old.is_file() and old.name not in {"make_corpus.py", "MANIFEST.csv"} \
                and not (old.name.startswith("corpus_") and old.suffix == ".py"):
            old.unlink()
    survey()
    coding()
    evidence()
    qdpx()
    bibliographic()
    __import__("runpy").run_path(str(Path(__file__).with_name("corpus_survey_loading.py")))["build"](entry, _write)  # noqa: E501 - issue 16 readers
    __import__("runpy").run_path(str(Path(__file__).with_name("corpus_qda.py")))["build"](entry, _write)
    _module("corpus_bibliography").build(entry, _write)
    with open(HERE / "MANIFEST.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["file", "loader", "kwargs", "expected", "message", "note"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(ENTRIES)
    total = sum(p.stat().st_size for p in HERE.iterdir() if p.is_file())
    print(f"{len(ENTRIES)} entries, {total:,} bytes")
    return list(ENTRIES)


if __name__ == "__main__":
    main()
