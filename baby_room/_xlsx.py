"""A bounded, text-exact reader of one ``.xlsx`` worksheet (Office Open XML, ECMA-376 Part 1).

Why not ``pandas.read_excel``: it turns the text cells "None", "NA", "N/A", "NULL" and
"#N/A" into missing values (a valid answer "None" would vanish), reads error cells and
numbers through floats, and lays a sparse sheet out densely (a 2 KB workbook with one
cell at XFD1048576 asks for 17 billion cells). This reader streams the sheet's XML and
returns every cell as the text it holds:

* shared and inline strings as written (rich-text runs joined), error cells as their
  code (``"#DIV/0!"``), booleans as ``"True"``/``"False"``;
* numbers as the decimal text stored in the file (``"2.5"``, never through a float),
  ``"12.0"`` shortened to ``"12"``; numbers formatted as dates (built-in formats 14-22,
  27-36, 45-47, 50-58, or a custom format with d, m, y, h or s outside quotes) as ISO
  dates (``2025-03-01`` or ``2025-03-01T09:14:03``), in the 1900 or 1904 date system;
* a formula cell as its cached value, or as ``"=" + formula`` when no value was cached;
* each row with its row number in the sheet (``<row r=...>``), so blank rows never shift
  the numbers.

Before reading, the declared uncompressed sizes of the parts read, the number of cell
formats and the sheet's declared dimension are checked against :mod:`baby_room._limits`;
while reading, every cell reference and the clock are checked too.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from xml.etree.ElementTree import ParseError, iterparse

from baby_room._limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_INFLATED_BYTES,
    MAX_STYLES,
    Deadline,
    check_limit,
)
from baby_room.errors import FileFormatError

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DATE_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def column_index(letters: str) -> int:
    """0-based column index of a column name (``"A"`` -> 0, ``"XFD"`` -> 16383).

    Examples
    --------
    >>> column_index("A"), column_index("AA"), column_index("XFD")
    (0, 26, 16383)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    """Column name of a 0-based index (``0`` -> ``"A"``).

    Examples
    --------
    >>> column_letters(0), column_letters(26), column_letters(16383)
    ('A', 'AA', 'XFD')
    """
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


class Workbook:
    """An open ``.xlsx``: sheet names, shared strings, date formats; read sheets by name or index."""

    def __init__(self, path):
        self.path = path
        self.deadline = Deadline(path)
        self.inflated = 0  # declared uncompressed bytes of the parts opened so far
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FileFormatError(path, f"is not a valid .xlsx file (not a zip archive: "
                                        f"truncated or renamed?) ({exc})") from None
        self.members = {i.filename: i for i in self.zip.infolist()}
        if "xl/workbook.xml" not in self.members:
            raise FileFormatError(path, "is not a valid .xlsx file (no xl/workbook.xml: a "
                                        "renamed zip or another kind of Office file?)")
        self.sheets, self.date1904 = self._workbook()
        self._strings = None
        self._date_styles = None

    def close(self) -> None:
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ parts

    def _open(self, name: str):
        info = self.members.get(name)
        if info is None:
            return None
        self.inflated += info.file_size
        check_limit(self.path, "inflated bytes", self.inflated, MAX_INFLATED_BYTES)
        try:
            return self.zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise FileFormatError(self.path, f"is not a readable .xlsx file (part {name}: "
                                             f"{exc})") from None

    def _iter(self, name: str, events=("end",)):
        handle = self._open(name)
        if handle is None:
            return
        try:
            with handle:
                yield from iterparse(handle, events=events)
        except ParseError as exc:
            raise FileFormatError(self.path, f"is not a readable .xlsx file (part {name}: "
                                             f"XML error {exc})") from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise FileFormatError(self.path, f"is not a readable .xlsx file (part {name}: "
                                             f"{type(exc).__name__}: {exc})") from None

    def _workbook(self):
        rels = {}
        for _, el in self._iter("xl/_rels/workbook.xml.rels"):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                rels[el.get("Id")] = target
        sheets, date1904 = [], False
        for _, el in self._iter("xl/workbook.xml"):
            tag = _local(el.tag)
            if tag == "sheet":
                rid = el.get(f"{{{_REL}}}id") or el.get("id")
                sheets.append((el.get("name", ""), rels.get(rid, "")))
            elif tag == "workbookPr":
                date1904 = el.get("date1904", "0").lower() in {"1", "true"}
        if not sheets:
            raise FileFormatError(self.path, "is not a valid .xlsx file (the workbook lists no "
                                             "sheets)")
        return sheets, date1904

    def strings(self) -> list[str]:
        if self._strings is None:
            out, parts, in_phonetic = [], [], 0
            for event, el in self._iter("xl/sharedStrings.xml", events=("start", "end")):
                tag = _local(el.tag)
                if tag == "rPh":
                    in_phonetic += 1 if event == "start" else -1
                elif event == "end" and tag == "t" and not in_phonetic:
                    parts.append(el.text or "")
                elif event == "end" and tag == "si":
                    out.append("".join(parts))
                    parts = []
                    el.clear()
                    if len(out) % 65536 == 0:
                        check_limit(self.path, "cells", len(out), MAX_CELLS)
                        self.deadline.check()
            self._strings = out
        return self._strings

    def date_styles(self) -> set[int]:
        """Indexes of the cell formats (``cellXfs``) that show numbers as dates."""
        if self._date_styles is None:
            custom, xfs, in_xfs = {}, [], False
            for event, el in self._iter("xl/styles.xml", events=("start", "end")):
                tag = _local(el.tag)
                if event == "start" and tag == "cellXfs":
                    in_xfs = True
                    declared = el.get("count")
                    if declared and declared.isdigit():
                        check_limit(self.path, "cell formats", int(declared), MAX_STYLES)
                elif event == "end" and tag == "cellXfs":
                    in_xfs = False
                elif event == "end" and tag == "numFmt":
                    fid = el.get("numFmtId", "")
                    if fid.isdigit():
                        custom[int(fid)] = _is_date_format(el.get("formatCode", ""))
                elif event == "end" and tag == "xf" and in_xfs:
                    fid = el.get("numFmtId", "0")
                    xfs.append(int(fid) if fid.isdigit() else 0)
                    check_limit(self.path, "cell formats", len(xfs), MAX_STYLES)
                if event == "end" and tag not in {"cellXfs", "numFmts", "styleSheet"}:
                    el.clear()
            self._date_styles = {i for i, fid in enumerate(xfs)
                                 if custom.get(fid, fid in _DATE_IDS)}
        return self._date_styles

    # ------------------------------------------------------------------ sheets

    def sheet_part(self, sheet) -> str:
        """The zip part of a sheet given by name, or by 0-based index when no sheet has that name."""
        names = [n for n, _ in self.sheets]
        if isinstance(sheet, str) and sheet in names:
            return self.sheets[names.index(sheet)][1]
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.strip().isdigit()):
            i = int(sheet)
            if 0 <= i < len(self.sheets):
                return self.sheets[i][1]
        raise FileFormatError(self.path, f"cannot read sheet {sheet!r}: the workbook's sheets "
                                         f"are {', '.join(map(repr, names))}")

    def rows(self, sheet=0):
        """Yield ``(row_number, {column_index: text})`` for every row with a value."""
        part = self.sheet_part(sheet)
        if part not in self.members:
            raise FileFormatError(self.path, f"is not a valid .xlsx file (sheet part {part} "
                                             "missing)")
        strings = None
        dates = self.date_styles()
        row_no, cells, col = 0, {}, -1
        value = formula = ctype = style = None
        inline = []
        seen = 0
        for event, el in self._iter(part, events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag == "row":
                    r = el.get("r")
                    row_no = int(r) if r and r.isdigit() else row_no + 1
                    cells, col = {}, -1
                elif tag == "c":
                    ref = el.get("r")
                    if ref:
                        m = _CELL_REF.match(ref)
                        if not m:
                            raise FileFormatError(self.path, f"is not a valid .xlsx file (cell "
                                                             f"reference {ref!r})")
                        col = column_index(m.group(1))
                    else:
                        col += 1
                    if col >= MAX_COLUMNS:
                        raise FileFormatError(
                            self.path, f"has a cell in column {column_letters(col)} (row "
                                       f"{row_no}); the limit is {MAX_COLUMNS:,} columns "
                                       "(baby_room._limits.MAX_COLUMNS)")
                    ctype, style = el.get("t", "n"), el.get("s")
                    value = formula = None
                    inline = []
                elif tag == "dimension":
                    _check_dimension(self.path, el.get("ref", ""))
                continue
            if tag == "v":
                value = el.text or ""
            elif tag == "f":
                formula = el.text
            elif tag == "t" and ctype == "inlineStr":
                inline.append(el.text or "")
            elif tag == "c":
                seen += 1
                if seen % 100_000 == 0:
                    self.deadline.check()
                    check_limit(self.path, "cells", seen, MAX_CELLS)
                if strings is None and ctype == "s":
                    strings = self.strings()
                text = _cell_text(ctype, value, formula, inline, style, dates, strings,
                                  self.date1904)
                if text is not None and text != "":
                    cells[col] = text
                el.clear()
            elif tag == "row":
                if cells:
                    yield row_no, cells
                el.clear()


def _check_dimension(path, ref: str) -> None:
    last = ref.split(":")[-1]
    m = _CELL_REF.match(last)
    if not m:
        return
    cols, rows = column_index(m.group(1)) + 1, int(m.group(2))
    if cols > MAX_COLUMNS:
        raise FileFormatError(path, f"declares a sheet {ref!r} of {cols:,} columns; the limit is "
                                    f"{MAX_COLUMNS:,} columns (baby_room._limits.MAX_COLUMNS)")
    check_limit(path, "cells", rows * cols, MAX_CELLS)


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    return bool(re.search(r"[dmyhs]", code, re.IGNORECASE)) and "General" not in code


def _cell_text(ctype, value, formula, inline, style, dates, strings, date1904):
    if ctype == "inlineStr":
        return "".join(inline)
    if value is None or (value == "" and formula):
        return "=" + formula if formula else None
    if ctype == "s":
        try:
            return strings[int(value)]
        except (ValueError, IndexError):
            return value
    if ctype == "b":
        return "True" if value.strip() in {"1", "true"} else "False"
    if ctype in {"e", "str"}:
        return value
    value = value.strip()
    if style is not None and style.isdigit() and int(style) in dates:
        return _excel_date(value, date1904) or value
    if value.endswith(".0") and value[:-2].lstrip("-").isdigit():
        return value[:-2]
    return value


def _excel_date(value: str, date1904: bool) -> str | None:
    """ISO text of an Excel date serial (days since 1899-12-30, or 1904-01-01)."""
    try:
        serial = float(value)
    except ValueError:
        return None
    if not -1e6 < serial < 3e6:
        return None
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    stamp = base + dt.timedelta(milliseconds=round(serial * 86_400_000))
    return stamp.date().isoformat() if stamp.time() == dt.time() else stamp.isoformat()
