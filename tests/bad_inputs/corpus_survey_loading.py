"""Bad-input corpus cases of issue 16 for the generic readers (helper survey-loading).

Values never changed silently (Excel "None"/"NA"/"#N/A" and error cells, decimal commas,
ambiguous headers, one stray ImportId cell, blank lines, Parquet index columns, invisible
characters in ids, a sheet named 2023) and bounded work (a cell at XFD1048576, 70,000 cell
formats, a zip part declaring 600 MB, 6,000 columns, a Parquet footer declaring 120 million
rows). Workbooks are written here as raw Office Open XML parts with pinned zip times, so a
rebuild gives the same bytes. ``make_corpus.py`` calls :func:`build`.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile

FIXED = (2000, 1, 1, 0, 0, 0)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


def _col(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _sheet_xml(rows, *, dimension: str | None = None) -> bytes:
    """rows: list of (row number, [cell, ...]); a cell is str (inline string), int/float,
    ("e", "#DIV/0!") for an error cell, or None."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">']
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for number, cells in rows:
        parts.append(f'<row r="{number}">')
        for j, cell in enumerate(cells):
            ref = f"{_col(j)}{number}"
            if cell is None:
                continue
            if isinstance(cell, tuple):
                parts.append(f'<c r="{ref}" t="{cell[0]}"><v>{_esc(cell[1])}</v></c>')
            elif isinstance(cell, int | float):
                parts.append(f'<c r="{ref}"><v>{cell}</v></c>')
            else:
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{_esc(cell)}</t></is></c>')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def _styles(n_xf: int = 1, *, declare: bool = True) -> bytes:
    count = f' count="{n_xf}"' if declare else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
            f'<cellXfs{count}>' + '<xf numFmtId="0"/>' * n_xf + "</cellXfs></styleSheet>"
            ).encode()


def _xlsx(sheets: list[tuple[str, bytes]], *, styles: bytes | None = None) -> bytes:
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                f'xmlns:r="{REL}"><sheets>' + "".join(
                    f'<sheet name="{_esc(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, (name, _) in enumerate(sheets)) + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">' + "".join(
                f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
            + "</Relationships>")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
             '.org/package/2006/content-types"><Default Extension="xml" '
             'ContentType="application/xml"/></Types>')
    members = [("[Content_Types].xml", types.encode()), ("xl/workbook.xml", workbook.encode()),
               ("xl/_rels/workbook.xml.rels", rels.encode()),
               ("xl/styles.xml", styles or _styles())]
    members += [(f"xl/worksheets/sheet{i + 1}.xml", body) for i, (_, body) in enumerate(sheets)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return out.getvalue()


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """Set the uncompressed size the zip's central directory declares for one part."""
    buf, enc = bytearray(data), name.encode()
    pos = buf.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46:pos + 46 + n]) == enc:
            struct.pack_into("<I", buf, pos + 24, size)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def _survey_rows():
    """Six synthetic respondents as text (header first)."""
    from baby_room import synthetic

    frame = synthetic.raw("survey").head(6).reset_index(drop=True)
    frame = frame.astype(object).where(frame.notna(), "").astype(str)
    return [list(frame.columns), *frame.to_numpy().tolist()]


def _csv(rows, sep=",", end="\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=end).writerows(rows)
    return buf.getvalue()


def _cells(rows):
    return [[(v if v != "" else None) for v in r] for r in rows]


def build(entry, write):
    """Write the cases with ``write(name, data)`` and list them with ``entry(...)``."""
    rows = _survey_rows()
    header, body = rows[0], rows[1:]
    col = {name: j for j, name in enumerate(header)}

    # --- Excel text cells that pandas would turn into missing, and an error cell
    xl = [list(r) for r in body]
    xl[0][col["settling_in"]] = "None"
    xl[1][col["own_qualification"]] = "None"
    for i, text in enumerate(["NA", "N/A", "NULL", "#N/A", "None", "nan"]):
        xl[i][col["local_authority"]] = text
    cells = _cells(xl)
    cells[2][col["comments"]] = ("e", "#DIV/0!")
    write("survey_excel_text_cells.xlsx", _xlsx([("Sheet1", _sheet_xml(
        [(1, header)] + [(i + 2, r) for i, r in enumerate(cells)]))]))
    entry("survey_excel_text_cells.xlsx", "survey", "ok", "",
          'Excel cells "None", "NA", "N/A", "NULL", "#N/A", "nan" and an error cell #DIV/0! '
          "are text, as in a CSV")

    bad = _cells(body)
    bad[1][col["group_size"]] = ("e", "#DIV/0!")
    write("survey_excel_error_cell.xlsx", _xlsx([("Sheet1", _sheet_xml(
        [(1, header)] + [(i + 2, r) for i, r in enumerate(bad)]))]))
    entry("survey_excel_error_cell.xlsx", "survey", "DataValidationError",
          "row 3, column group_size: value '#DIV/0!' - type: expected a whole number",
          "an Excel error cell where a number belongs: reported, not missing")

    # --- blank rows in a sheet, and above its header: the sheet's own row numbers
    blank = _cells(body)
    blank[4][col["group_size"]] = "lots"
    sheet_rows = [(3, header)] + [(i + 4 + (3 if i >= 2 else 0), r)
                                  for i, r in enumerate(blank)]
    write("survey_excel_blank_rows.xlsx", _xlsx([("Sheet1", _sheet_xml(sheet_rows))]))
    entry("survey_excel_blank_rows.xlsx", "survey", "DataValidationError",
          "row 11, column group_size: value 'lots'",
          "two blank rows above the header and three inside: rows keep the sheet's numbers")

    # --- a sheet called 2023 (not the index 2023)
    write("survey_sheet_named_2023.xlsx", _xlsx([
        ("Notes", _sheet_xml([(1, ["read me"])])),
        ("2023", _sheet_xml([(1, header)] + [(i + 2, r) for i, r in enumerate(_cells(body))]))]))
    entry("survey_sheet_named_2023.xlsx", "survey", "ok", "",
          "sheet='2023' is the sheet named 2023", sheet="2023")

    # --- bounded work: one cell at XFD1048576; 70,000 cell formats; a 600 MB part
    write("survey_xlsx_far_cell.xlsx", _xlsx([("Sheet1", _sheet_xml(
        [(1, ["respondent_id"]), (1048576, [None] * 16383 + ["x"])],
        dimension="A1:XFD1048576"))]))
    entry("survey_xlsx_far_cell.xlsx", "survey", "FileFormatError",
          "limit is 5,000 columns (baby_room._limits.MAX_COLUMNS)",
          "a 2 KB workbook whose one cell sits at XFD1048576 (a dense reader takes 3.5 GB)")

    write("survey_xlsx_many_styles.xlsx", _xlsx(
        [("Sheet1", _sheet_xml([(1, header)]))], styles=_styles(70_000, declare=False)))
    entry("survey_xlsx_many_styles.xlsx", "survey", "FileFormatError",
          "the limit is 64,000 cell formats (baby_room._limits.MAX_STYLES)",
          "70,000 cell formats (Excel's own limit is 64,000)")

    small = _xlsx([("Sheet1", _sheet_xml([(1, header)] + [(i + 2, r)
                                                          for i, r in enumerate(_cells(body))]))])
    write("survey_xlsx_inflated_part.xlsx",
          _declare_size(small, "xl/worksheets/sheet1.xml", 600 * 1024**2))
    entry("survey_xlsx_inflated_part.xlsx", "survey", "FileFormatError",
          "(baby_room._limits.MAX_INFLATED_BYTES)",
          "a sheet part declaring 600 MB uncompressed: refused before inflating it")

    # --- CSV: too many columns; decimal commas; ambiguous headers; blank lines; ImportId
    write("survey_6000_columns.csv", ",".join(f"c{i}" for i in range(6000)) + "\n"
          + ",".join("1" for _ in range(6000)) + "\n")
    entry("survey_6000_columns.csv", "survey", "FileFormatError",
          "has 6,000 columns; the limit is 5,000 columns",
          "6,000 columns: refused before parsing")

    comma = [list(r) for r in body]
    comma[0][col["years_experience"]] = "2,5"
    comma[1][col["years_experience"]] = "0,5"
    write("survey_decimal_comma.csv", _csv([header, *comma], sep=";"))
    entry("survey_decimal_comma.csv", "survey", "DataValidationError",
          "row 2, column years_experience: value '2,5' - type: a number with a comma",
          "European Excel ';' CSV with decimal commas: refused, never read as 25")

    amb = [header + ["id"]] + [r + [f"X{i}"] for i, r in enumerate(body)]
    write("survey_ambiguous_headers.csv", _csv(amb))
    entry("survey_ambiguous_headers.csv", "survey", "DataValidationError",
          "ambiguous headers: 'respondent_id' and 'id' all mean respondent_id",
          "two headers normalising to one canonical column: an error naming both")

    two_to_one = [header + ["babies"]] + [r + ["12"] for r in body]
    write("survey_columns_two_to_one.csv", _csv(two_to_one))
    entry("survey_columns_two_to_one.csv", "survey", "DataValidationError",
          "column mapping sends two headers to group_size: 'babies' and 'group_size'",
          "columns= maps two headers to one column",
          columns={"babies": "group_size", "group_size": "group_size"})

    bad_blank = [list(r) for r in body]
    bad_blank[3][col["group_size"]] = "lots"
    lines = _csv([header, *bad_blank]).splitlines(keepends=True)
    write("survey_blank_lines.csv", "\n\n" + lines[0] + lines[1] + "\n" + "".join(lines[2:4])
          + "\n\n" + "".join(lines[4:]))
    entry("survey_blank_lines.csv", "survey", "DataValidationError",
          "row 10, column group_size: value 'lots'",
          "blank lines before the header and between records: exact row numbers")

    stray = [list(r) for r in body]
    stray[1][col["comments"]] = '{"ImportId":"QID1"}'
    write("survey_one_import_id_cell.csv", _csv([header, *stray]))
    entry("survey_one_import_id_cell.csv", "survey", "ok", "",
          'one cell of the third row holds {"ImportId"...}: not a Qualtrics export, '
          "no respondent lost")

    ids = [list(r) for r in body]
    ids[1][col["respondent_id"]] = ids[0][col["respondent_id"]] + "\u200b"
    ids[2][col["respondent_id"]] = "\uff32ESP0003"
    ids[3][col["respondent_id"]] = "RESP\x1b[2J0004"
    write("survey_invisible_ids.csv", _csv([header, *ids]))
    entry("survey_invisible_ids.csv", "survey", "DataValidationError",
          "identifier: holds invisible, control or full-width characters",
          "zero-width space, full-width R and an escape sequence in ids: refused before the "
          "duplicate check")

    # --- Parquet: columns saved as the index; a footer declaring 120 million rows
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame(body, columns=header).set_index("respondent_id")
    buf = io.BytesIO()
    frame.to_parquet(buf)  # respondent_id is stored as the pandas index
    write("survey_index_column.parquet", buf.getvalue())
    entry("survey_index_column.parquet", "survey", "ok", "",
          "respondent_id saved as the pandas index: kept as a column")

    # written one row group (pyarrow's default 1,048,576 rows) at a time from one small
    # array: the same bytes as one 120-million-row table, without building its 480 MB
    buf, group, left = io.BytesIO(), 1024 * 1024, 120_000_000
    nulls = pa.table({"respondent_id": pa.nulls(group, pa.string())})
    with pq.ParquetWriter(buf, nulls.schema, compression="zstd") as writer:
        while left:
            writer.write_table(nulls.slice(0, min(group, left)))
            left -= min(group, left)
    write("survey_huge_declared_rows.parquet", buf.getvalue())
    entry("survey_huge_declared_rows.parquet", "survey", "FileFormatError",
          "(baby_room._limits.MAX_CELLS)",
          "a small Parquet file whose footer declares 120 million rows")

    # --- Qualtrics: a preview and an unfinished response are set aside with reasons
    q_header = ["StartDate", "Status", "Finished", "ResponseId"] + header[1:]
    second = ["Start Date", "Response Type", "Finished", "Response ID"] + header[1:]
    third = ['{"ImportId":"startDate"}', '{"ImportId":"status"}', '{"ImportId":"finished"}',
             '{"ImportId":"_recordId"}'] + [json.dumps({"ImportId": f"QID{i}"})
                                            for i in range(1, len(header))]
    records = []
    for i, r in enumerate(body):
        status = "Survey Preview" if i == 1 else "IP Address"
        finished = "False" if i == 4 else "True"
        records.append(["2025-03-08 10:00:00", status, finished, r[0]] + r[1:])
    write("survey_qualtrics_previews.csv",
          "\ufeff" + _csv([q_header, second, third, *records], end="\r\n"))
    entry("survey_qualtrics_previews.csv", "survey", "ok", "",
          "Qualtrics export with a Survey Preview and an unfinished response: set aside "
          "with reasons", on_error="set_aside")
