"""Read MAXQDA's "Coded Segments" export (Excel or CSV) into the long coding format.

MAXQDA exports the coded segments it lists (Overview of Coded Segments, or
Reports > Export > Coded Segments) as a table with one row per coded segment:
``Color``, ``Document group``, ``Document name``, ``Code`` (the code path, levels
joined by ``" > "``), ``Segment`` (the coded text), ``Beginning`` and ``End`` (the
position: paragraph numbers for text documents), ``Author`` (or ``Created by``),
``Created``, ``Weight score``, ``Comment``, and further columns depending on the
version and settings (``Area``, ``Coverage %``, ``Modified by``, document
variables, ...). Headings are matched ignoring case, spacing and punctuation;
extra columns are ignored; the header may be preceded by a few title rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room.errors import DataValidationError, FileFormatError
from baby_room.focus_groups.qdpx import _apply_documents, _finalise_long, _key, _stem

__all__ = ["read_maxqda_segments", "MAXQDA_HEADINGS"]

#: Accepted headings (normalised: lower case, words joined by ``_``) for each field.
MAXQDA_HEADINGS = {
    "color": ("color", "colour"),
    "document_group": ("document_group", "document_set"),
    "document": ("document_name", "document", "document_title"),
    "code": ("code", "code_path", "code_name"),
    "segment": ("segment", "coded_segment", "text", "segment_text"),
    "start": ("beginning", "begin", "start", "position_start", "start_position"),
    "end": ("end", "position_end", "end_position"),
    "coder": ("author", "created_by", "creator", "coder", "user"),
    "created": ("created", "creation_date", "created_on", "date_created"),
    "weight": ("weight_score", "weight"),
    "comment": ("comment", "comments"),
}
_REQUIRED = ("document", "code")
_HEADER_SEARCH_ROWS = 20
_EXTRA = ("document", "document_group", "color", "created", "weight", "comment")


def read_maxqda_segments(path, *, documents: pd.DataFrame | None = None, coder: str | None = None,
                         sheet=0, keep_extra: bool = False) -> pd.DataFrame:
    """Read a MAXQDA "Coded Segments" export into the long coding format.

    Parameters
    ----------
    path : str or os.PathLike
        The export: ``.xlsx`` (as MAXQDA writes it) or ``.csv`` / ``.tsv`` / ``.txt``
        (UTF-8 with or without BOM, UTF-16, Windows-1252; comma, semicolon or tab).
    documents : pandas.DataFrame, optional
        Maps each document name to ``conference``, ``group_id``, ``role`` and/or
        ``speaker``: a column ``document`` (or ``document_name``) and any of those.
    coder : str, optional
        Coder to record where the export has no ``Author``/``Created by`` column or
        the cell is empty (an export made by one coder often leaves it out).
    sheet : int or str, default 0
        Excel sheet to read.
    keep_extra : bool, default False
        Append ``document``, ``document_group``, ``color``, ``created``, ``weight``
        and ``comment`` after the canonical columns.

    Returns
    -------
    pandas.DataFrame
        ``segment_id, conference, group_id, speaker, role, theme, code, coder, start,
        end, text``, one row per exported segment. ``theme`` is the first level of the
        code path and ``code`` the last. ``group_id`` is the document name (without a
        ``.docx``/``.txt``/... extension) unless ``documents`` gives one;
        ``conference``, ``speaker`` and ``role`` are missing unless ``documents`` gives
        them. ``start`` and ``end`` are MAXQDA's ``Beginning`` and ``End``: for text
        documents these are *paragraph numbers*, not character offsets
        (``attrs["position_unit"] == "paragraph"``). ``segment_id`` is
        ``[<document group>/]<document>:<beginning>-<end>``, so two coders who coded
        the same paragraphs of a document share it. ``attrs["source"]`` names the file.

    Raises
    ------
    baby_room.FileFormatError
        The file cannot be read, or no header row with at least ``Document name`` and
        ``Code`` is found in its first 20 rows.
    baby_room.DataValidationError
        Rows without a document or code, or with a ``Beginning``/``End`` that is not a
        whole number (every such row is listed, with its row number in the file).

    Examples
    --------
    >>> import tempfile, os
    >>> csv_text = (
    ...     "Color,Document group,Document name,Code,Segment,Beginning,End,Author,Weight score\\n"
    ...     "#ff0000,York,YOR-2,Staffing > Ratios,one to three,4,4,Ana,0\\n"
    ...     "#ff0000,York,YOR-2,Staffing > Ratios,one to three,4,4,Bea,0\\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "coded segments.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(csv_text)
    ...     seg = read_maxqda_segments(p)
    >>> seg[["segment_id", "group_id", "theme", "code", "coder", "start"]].to_dict("records")
    [{'segment_id': 'York/YOR-2:4-4', 'group_id': 'YOR-2', 'theme': 'Staffing', 'code': 'Ratios', 'coder': 'Ana', 'start': 4}, {'segment_id': 'York/YOR-2:4-4', 'group_id': 'YOR-2', 'theme': 'Staffing', 'code': 'Ratios', 'coder': 'Bea', 'start': 4}]
    """
    p = Path(path)
    rows = _read_rows(p, sheet)
    header_at, fields = _find_header(p, rows)
    body = rows[header_at + 1:]
    file_rows = np.arange(header_at + 2, header_at + 2 + len(body))
    keep = [i for i, r in enumerate(body) if any(_clean(c) is not None for c in r)]
    body = [body[i] for i in keep]
    file_rows = file_rows[keep]
    if not body:
        raise FileFormatError(path, "has a header row but no coded segments")
    width = max(len(r) for r in body)
    body = [list(r) + [None] * (width - len(r)) for r in body]

    def column(field):
        if field not in fields:
            return pd.Series([None] * len(body), dtype="object")
        j = fields[field]
        return pd.Series([_clean(r[j]) if j < len(r) else None for r in body], dtype="object")

    data = {f: column(f) for f in MAXQDA_HEADINGS}
    failures = []
    heading = {f: rows[header_at][j] for f, j in fields.items()}
    for f in _REQUIRED:
        for i in np.flatnonzero(data[f].isna().to_numpy()):
            failures.append((str(path), int(file_rows[i]), heading[f], None,
                             "required: a coded segment needs a value here"))
    positions = {}
    for f in ("start", "end"):
        num = pd.to_numeric(data[f].map(_numeric_text), errors="coerce")
        bad = data[f].notna() & (num.isna() | (num % 1 != 0) | (num < 0))
        for i in np.flatnonzero(bad.to_numpy()):
            failures.append((str(path), int(file_rows[i]), heading[f], data[f].iloc[i],
                             "type: a whole number (position) >= 0 is expected"))
        positions[f] = num.where(~bad).astype("Float64").astype("Int64")
    if failures:
        frame = pd.DataFrame(failures, columns=["file", "row", "column", "value", "check"])
        raise DataValidationError(frame, kind="MAXQDA coded segments")

    parts = data["code"].map(lambda v: [s.strip() for s in str(v).split(" > ") if s.strip()]
                             or [str(v).strip()])
    theme = parts.map(lambda x: x[0])
    leaf = parts.map(lambda x: x[-1])
    doc = data["document"].astype(str)
    group = data["document_group"]
    start, end = positions["start"], positions["end"]
    pos = start.astype("string").fillna("") + "-" + end.astype("string").fillna("")
    no_pos = start.isna() & end.isna()
    pos = pos.where(~no_pos, pd.Series([f"row{r}" for r in file_rows], dtype="string"))
    prefix = group.map(lambda g: f"{g}/" if g is not None else "").astype(str)
    segment_id = prefix + doc + ":" + pos.astype(str)

    coders = data["coder"]
    if coder is not None:
        coders = coders.where(coders.notna(), coder)

    attrs = {
        "conference": pd.Series(pd.NA, index=doc.index, dtype="object"),
        "group_id": doc.map(_stem),
        "role": pd.Series(pd.NA, index=doc.index, dtype="object"),
        "speaker": pd.Series(pd.NA, index=doc.index, dtype="object"),
    }
    if documents is not None:
        attrs = _apply_documents(documents, doc, attrs)
    out = pd.DataFrame({
        "segment_id": segment_id, "conference": attrs["conference"],
        "group_id": attrs["group_id"], "speaker": attrs["speaker"], "role": attrs["role"],
        "theme": theme, "code": leaf, "coder": coders, "start": start, "end": end,
        "text": data["segment"],
    })
    out = _finalise_long(out, source=f"MAXQDA coded segments {p.name}")
    if keep_extra:
        extra = {
            "document": doc, "document_group": group, "color": data["color"],
            "created": data["created"],
            "weight": pd.to_numeric(data["weight"].map(_numeric_text), errors="coerce"),
            "comment": data["comment"],
        }
        for k in _EXTRA:
            v = extra[k]
            out[k] = v.to_numpy() if k == "weight" else pd.array(v.to_numpy(dtype=object),
                                                                 dtype="string")
    out.attrs["position_unit"] = "paragraph"
    return out


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _numeric_text(value):
    if value is None:
        return None
    return str(value).replace(",", ".").strip()


def _read_rows(p: Path, sheet) -> list[list]:
    if not p.exists():
        raise FileFormatError(p, "file not found")
    if p.is_dir():
        raise FileFormatError(p, "is a folder, not a file")
    if p.stat().st_size == 0:
        raise FileFormatError(p, "file is empty (0 bytes)")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(p):
            raise FileFormatError(p, "is not a valid .xlsx file (not a zip archive: truncated or "
                                  "renamed?)")
        try:
            frame = pd.read_excel(p, sheet_name=sheet, header=None, dtype=object,
                                  engine="openpyxl")
        except ValueError as exc:
            raise FileFormatError(p, f"cannot read sheet {sheet!r}: {exc}") from None
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise FileFormatError(
                p, f"is not a readable .xlsx file ({type(exc).__name__}: {exc})") from None
        return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    if suffix == ".xls":
        raise FileFormatError(p, "old Excel .xls files are not supported: export from MAXQDA "
                              "as .xlsx, or save the file as .xlsx")
    if suffix in (".csv", ".tsv", ".txt", ".tab", ""):
        from baby_room._io import decode_text

        text, _enc = decode_text(p.read_bytes(), p)
        if not text.strip():
            raise FileFormatError(p, "file has no content (only blank space)")
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        counts = {d: first.count(d) for d in ("\t", ";", ",")}
        sep = "\t" if suffix in (".tsv", ".tab") else max(counts, key=counts.get)
        if not counts.get(sep):
            sep = ","
        try:
            return list(csv.reader(io.StringIO(text), delimiter=sep))
        except csv.Error as exc:
            raise FileFormatError(p, f"is not valid delimited text: {exc}") from None
    raise FileFormatError(p, f"format {suffix!r} is not supported for a MAXQDA export; use .xlsx "
                          "or .csv")


def _find_header(p: Path, rows: list[list]) -> tuple[int, dict]:
    lookup = {alias: field for field, aliases in MAXQDA_HEADINGS.items() for alias in aliases}
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        fields = {}
        for j, cell in enumerate(row):
            if cell is None:
                continue
            field = lookup.get(_key(cell))
            if field is not None and field not in fields:
                fields[field] = j
        if all(f in fields for f in _REQUIRED):
            return i, fields
    first = next((r for r in rows if any(_clean(c) for c in r)), [])
    shown = ", ".join(repr(str(c)) for c in first if _clean(c) is not None)[:300]
    raise FileFormatError(
        p, "is not a MAXQDA coded-segments export: no header row with 'Document name' and "
        f"'Code' in its first {_HEADER_SEARCH_ROWS} rows (first row: {shown or 'empty'})")
