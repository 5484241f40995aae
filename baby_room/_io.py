"""Read any supported tabular file into a raw DataFrame (bytes to table, nothing more).

Supported: CSV and TSV (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252),
Qualtrics CSV exports (their two extra header rows are recognised and skipped),
Excel ``.xlsx``, Parquet and SPSS ``.sav`` (value labels become ordered categories).

The reader never coerces values: text files are read as strings so that the
validation step can report every value that breaks a rule. It returns a
:class:`RawTable` with the row number of each record *as numbered in the source
file* (the header is row 1, the first record row 2, as a spreadsheet shows it;
for a Qualtrics export the first response is row 4).
Every failure to read raises :class:`baby_room.errors.FileFormatError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room.errors import FileFormatError

# None: the delimiter is sniffed from the header line ("," ";" tab "|"): European Excel
# writes ";"-separated .csv files
TEXT_FORMATS = {".csv": None, ".tsv": "\t", ".txt": None, ".tab": "\t"}
EXCEL_FORMATS = {".xlsx", ".xlsm"}
SUPPORTED = (*TEXT_FORMATS, *EXCEL_FORMATS, ".parquet", ".pq", ".sav", ".zsav")


@dataclass
class RawTable:
    """A file read as it is.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per record, original headers, values as read (strings for text files).
    rows : numpy.ndarray
        Row number of each record in the source file (header = row 1).
    path : str
        The file read.
    format : str
        ``"csv"``, ``"tsv"``, ``"qualtrics"``, ``"xlsx"``, ``"parquet"`` or ``"sav"``.
    encoding : str or None
        Text encoding detected for text files.
    value_labels : dict
        For SPSS files: column -> {code: label}.
    """

    data: pd.DataFrame
    rows: np.ndarray
    path: str
    format: str
    encoding: str | None = None
    value_labels: dict = field(default_factory=dict)


def read_table(path, *, sheet=0, format: str | None = None) -> RawTable:
    """Read a CSV/TSV/Qualtrics/Excel/Parquet/SPSS file without coercing values.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.
    sheet : int or str, default 0
        Excel sheet (index or name).
    format : str, optional
        Force a format (``"csv"``, ``"tsv"``, ``"qualtrics"``, ``"xlsx"``, ``"parquet"``,
        ``"sav"``) instead of using the file extension.

    Returns
    -------
    RawTable

    Raises
    ------
    baby_room.FileFormatError
        Missing, empty, truncated, binary-where-text-expected, undecodable or
        unsupported file.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.csv")
    ...     _ = open(p, "w", encoding="utf-8").write("a,b\\n1,2\\n")
    ...     t = read_table(p)
    >>> t.data.to_dict("records"), t.rows.tolist()
    ([{'a': '1', 'b': '2'}], [2])
    """
    p = Path(path)
    if not p.exists():
        raise FileFormatError(path, "file not found")
    if p.is_dir():
        raise FileFormatError(path, "is a folder, not a file")
    if p.stat().st_size == 0:
        raise FileFormatError(path, "file is empty (0 bytes)")
    fmt = (format or _format_from_suffix(p)).lower()
    if fmt in {"csv", "tsv", "txt", "qualtrics"}:
        return _read_text(p, fmt)
    if fmt in {"xlsx", "xlsm", "excel"}:
        return _read_excel(p, sheet)
    if fmt in {"parquet", "pq"}:
        return _read_parquet(p)
    if fmt in {"sav", "zsav", "spss"}:
        return _read_sav(p)
    raise FileFormatError(
        path, f"format {fmt!r} is not supported; use one of: csv, tsv, qualtrics, xlsx, parquet, sav"
    )


def _format_from_suffix(p: Path) -> str:
    suffix = p.suffix.lower()
    if suffix in TEXT_FORMATS:
        return suffix[1:]
    if suffix in EXCEL_FORMATS:
        return "xlsx"
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    if suffix in {".sav", ".zsav"}:
        return "sav"
    if suffix == ".xls":
        raise FileFormatError(p, "old Excel .xls files are not supported: save as .xlsx or .csv")
    raise FileFormatError(
        p, f"unsupported file extension {suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}"
    )


# ---------------------------------------------------------------- text files


def decode_bytes(raw: bytes, path, *, what: str = "the file") -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), UTF-16 (BOM, or little-endian without) or Windows-1252.

    Parameters
    ----------
    raw : bytes
    path : str or os.PathLike
        The file, for the error message.
    what : str
        What the bytes are, for the error message (e.g. ``"source interview.txt"``).

    Returns
    -------
    tuple of (str, str)
        The text without a byte-order mark, and the encoding used.

    Raises
    ------
    baby_room.FileFormatError
        The bytes are none of those encodings.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", raw
    elif len(raw) >= 4 and raw[1:4:2] == b"\x00\x00" and raw[0] != 0:
        encoding, body = "utf-16-le", raw  # UTF-16 without BOM, little-endian
    elif len(raw) >= 4 and raw[0:4:2] == b"\x00\x00" and raw[1] != 0:
        encoding, body = "utf-16-be", raw  # UTF-16 without BOM, big-endian
    else:
        encoding, body = "utf-8", raw
        _refuse_binary(body, path, what)
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise FileFormatError(path, f"{what} cannot be decoded as {encoding}") from None
        if _UTF8_MULTIBYTE.search(body):
            bad = _first_non_utf8(body)
            raise FileFormatError(
                path, f"{what} mixes encodings: it holds UTF-8 characters, but byte {bad} is "
                "not UTF-8 (save the file again as UTF-8)"
            ) from None
        try:
            text, encoding = body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                path, f"{what} is not text in UTF-8, UTF-16 or Windows-1252 "
                f"(byte {exc.start}): a binary file?"
            ) from None
    return text.removeprefix("\ufeff"), encoding


def _refuse_binary(body: bytes, path, what: str) -> None:
    """8-bit text never holds NUL bytes and few control characters; binary files do."""
    nul = body.find(b"\x00")
    if nul >= 0:
        raise FileFormatError(path, f"{what} holds NUL bytes (first at byte {nul}): a binary "
                                    "file, not text (CSV/TSV expected)")
    sample = body[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    if controls > max(3, len(sample) // 50):
        raise FileFormatError(path, f"{what} looks like a binary file, not text "
                                    "(CSV/TSV expected)")


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _first_non_utf8(body: bytes) -> int:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return -1  # pragma: no cover - only called after a failed decode


def decode_text(raw: bytes, path) -> tuple[str, str]:
    """Decode a text table (see :func:`decode_bytes`); binary content raises FileFormatError."""
    text, encoding = decode_bytes(raw, path)
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text:
        raise FileFormatError(path, f"holds NUL bytes (first at character {text.index(chr(0))}): "
                                    "a binary file, not text (CSV/TSV expected)")
    if controls > max(3, len(sample) // 50):
        raise FileFormatError(path, "looks like a binary file, not text (CSV/TSV expected)")
    return text, encoding


def _sniff_delimiter(header_line: str, default: str | None) -> str:
    if default:
        return default
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_text(p: Path, fmt: str) -> RawTable:
    raw = p.read_bytes()
    text, encoding = decode_text(raw, p)
    if not text or text.isspace():
        raise FileFormatError(p, "file has no content (only blank space)")
    newline = text.find("\n")
    first_line = text if newline < 0 else text[:newline]
    sep = _sniff_delimiter(first_line, TEXT_FORMATS.get(f".{fmt}") if fmt != "qualtrics" else ",")
    head = _first_records(p, text, sep, 3)
    header = [h.strip() for h in head[0]]
    check_header(p, header)
    body_head = head[1:]
    skip, first_row = [], 2
    if fmt == "qualtrics" or _looks_like_qualtrics(body_head):
        if not _looks_like_qualtrics(body_head):
            raise FileFormatError(
                p, "is not a Qualtrics export: its second and third rows should hold the question "
                "text and the {\"ImportId\": ...} row"
            )
        skip, first_row, fmt = [1, 2], 4, "qualtrics"
    # UTF-8 files go to the parser as the bytes read (no second copy of a large file)
    if encoding == "utf-8":
        utf8 = memoryview(raw)
    elif encoding == "utf-8-sig":
        utf8 = memoryview(raw)[3:]
    else:
        utf8 = memoryview(text.encode("utf-8"))
    del text
    frame = _parse_delimited(p, utf8, sep, header, skip_after_header=len(skip), first_row=first_row)
    if frame.empty:
        raise FileFormatError(p, "has a header but no data rows")
    rows = np.arange(first_row, first_row + len(frame))
    return RawTable(frame, rows, str(p), "tsv" if sep == "\t" else fmt, encoding)


def _parse_delimited(p: Path, utf8: memoryview, sep: str, header: list[str], *,
                     skip_after_header: int, first_row: int) -> pd.DataFrame:
    """Parse delimited text into string columns with pyarrow's multi-threaded CSV reader.

    Every cell stays text (empty cells are ""), so validation sees each value as written.
    Records with the wrong number of fields are collected, then reported all at once.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    ragged = []

    def on_bad_row(row):
        ragged.append(row)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]

    def parse(block_size: int):
        return pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8)),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1,
                                            skip_rows_after_names=skip_after_header,
                                            block_size=block_size),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                              invalid_row_handler=on_bad_row),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )

    try:
        try:
            table = parse(1 << 22)
        except pa.ArrowInvalid as exc:
            if "block size" not in str(exc):
                raise
            ragged.clear()
            table = parse(len(utf8) + 1)  # a record longer than a block: one block
    except (pa.ArrowInvalid, ValueError) as exc:
        if "Could not skip initial" in str(exc):  # nothing after the header line
            raise FileFormatError(p, "has a header but no data rows") from None
        raise FileFormatError(p, f"is not valid delimited text: {exc}") from None
    if ragged:
        _raise_ragged(p, bytes(utf8).decode("utf-8"), sep, len(header), first_row)
    frame = table.to_pandas()
    frame.columns = header
    return frame


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _lines(text: str):
    """The lines of ``text`` with their endings (LF, CRLF or CR), lazily and without a copy."""
    start = 0
    for match in _NEWLINE.finditer(text):
        yield text[start:match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _records(p: Path, text: str, sep: str):
    """Records of delimited text (empty lines skipped); a csv error names the file and line."""
    reader = csv.reader(_lines(text), delimiter=sep)
    try:
        for record in reader:
            if record:
                yield record
    except csv.Error as exc:
        raise FileFormatError(p, f"is not valid delimited text (line {reader.line_num}): "
                                 f"{exc}") from None


def _raise_ragged(p: Path, text: str, sep: str, width: int, first_row: int):
    """List every record whose number of fields differs from the header's, then raise."""
    records = _records(p, text, sep)
    next(records, None)  # header
    if first_row == 4:
        next(records, None), next(records, None)
    bad = [(i + first_row, len(r)) for i, r in enumerate(records) if len(r) != width]
    shown = "; ".join(f"row {r} has {n} fields" for r, n in bad[:10])
    more = f" (and {len(bad) - 10} more rows)" if len(bad) > 10 else ""
    hint = " — is the delimiter right?" if width == 1 else ""
    raise FileFormatError(
        p, f"rows have a different number of fields from the header ({width}): "
           f"{shown}{more}{hint}"
    )


def _first_records(p: Path, text: str, sep: str, n: int) -> list[list[str]]:
    """The first ``n`` records of delimited text (quoted newlines and any line ends handled)."""
    out = []
    for record in _records(p, text, sep):
        out.append(record)
        if len(out) == n:
            break
    if not out:
        raise FileFormatError(p, "has no records (only line breaks)")
    return out


def _looks_like_qualtrics(body: list[list[str]]) -> bool:
    return len(body) >= 2 and any('"ImportId"' in c or "{'ImportId'" in c for c in body[1])


def check_header(p: Path, header: list[str]) -> None:
    if not any(header):
        raise FileFormatError(p, "the first row (header) is empty")
    seen, dupes = set(), []
    for h in header:
        if h in seen and h not in dupes:
            dupes.append(h)
        seen.add(h)
    if dupes:
        raise FileFormatError(p, f"duplicate column headers: {', '.join(map(repr, dupes))}")


# ---------------------------------------------------------------- binary formats


def _read_excel(p: Path, sheet) -> RawTable:
    if not zipfile.is_zipfile(p):
        raise FileFormatError(p, "is not a valid .xlsx file (not a zip archive: truncated or renamed?)")
    try:
        frame = pd.read_excel(p, sheet_name=sheet, dtype=object, engine="openpyxl")
    except ValueError as exc:  # unknown sheet
        raise FileFormatError(p, f"cannot read sheet {sheet!r}: {exc}") from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileFormatError(p, f"is not a readable .xlsx file ({type(exc).__name__}: {exc})") from None
    header = [str(c).strip() for c in frame.columns]
    mangled = [h for h in header if h.startswith("Unnamed:")]
    if len(mangled) == len(header):
        raise FileFormatError(p, "the first row (header) is empty")
    check_header(p, _unmangle(header))
    frame.columns = header
    if frame.empty:
        raise FileFormatError(p, "has a header but no data rows")
    _formula_text(p, sheet, frame)
    frame = frame.dropna(how="all")
    rows = frame.index.to_numpy() + 2
    frame = frame.reset_index(drop=True)
    frame = frame.map(_excel_cell)
    return RawTable(frame, rows, str(p), "xlsx")


def _formula_text(p: Path, sheet, frame: pd.DataFrame) -> None:
    """Fill cells that hold a formula but no cached value with the formula's text.

    Excel stores a formula's last result beside it and that is what is read; a file
    written by a script often has no result, and the cell would otherwise be missing.
    The text (e.g. ``=SUM(A1:A3)`` or ``=cmd|...``) is kept as data: it is validated like
    any value and neutralised on export.
    """
    if not frame.isna().any(axis=None):
        return
    from openpyxl import load_workbook

    wb = load_workbook(p, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
        for i, values in enumerate(ws.iter_rows(min_row=2, max_col=frame.shape[1],
                                                values_only=True)):
            if i >= len(frame):
                break
            for j, value in enumerate(values):
                if isinstance(value, str) and value.startswith("=") and pd.isna(frame.iat[i, j]):
                    frame.iat[i, j] = value
    finally:
        wb.close()


def _unmangle(header: list[str]) -> list[str]:
    # pandas renames duplicates "x", "x.1"; report them as duplicates
    out = []
    for h in header:
        base, dot, tail = h.rpartition(".")
        out.append(base if dot and tail.isdigit() and base in header else h)
    return out


def _excel_cell(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value)


def _read_parquet(p: Path) -> RawTable:
    try:
        frame = pd.read_parquet(p)
    except Exception as exc:
        raise FileFormatError(p, f"is not a readable Parquet file ({type(exc).__name__})") from None
    if frame.empty:
        raise FileFormatError(p, "has no data rows")
    frame = frame.reset_index(drop=True)
    return RawTable(frame, np.arange(2, len(frame) + 2), str(p), "parquet")


def _read_sav(p: Path) -> RawTable:
    try:
        import pyreadstat
    except ImportError as exc:  # pragma: no cover - dependency declared
        raise FileFormatError(p, "reading .sav files needs the pyreadstat package") from exc
    try:
        frame, meta = pyreadstat.read_sav(os.fspath(p))
    except Exception as exc:
        raise FileFormatError(p, f"is not a readable SPSS .sav file ({type(exc).__name__})") from None
    if frame.empty:
        raise FileFormatError(p, "has no data rows")
    labels = dict(meta.variable_value_labels or {})
    for col, mapping in labels.items():
        frame[col] = _apply_value_labels(frame[col], mapping)
    return RawTable(frame, np.arange(2, len(frame) + 2), str(p), "sav", value_labels=labels)


# ---------------------------------------------------------------- writing


def _apply_value_labels(codes: pd.Series, mapping: dict) -> pd.Series:
    """SPSS codes to their labels, as an ordered categorical (order of the codes).

    A code without a label is kept as its own text (e.g. ``"7"``) so that validation
    reports it; it never becomes missing silently.
    """
    order = list(dict.fromkeys(mapping[k] for k in sorted(mapping)))
    def label(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if v in mapping:
            return mapping[v]
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    values = codes.map(label)
    unknown = sorted({v for v in values.dropna().unique() if v not in order})
    return pd.Series(pd.Categorical(values, categories=order + unknown, ordered=not unknown),
                     index=codes.index, name=codes.name)


def write_table(frame: pd.DataFrame, path, *, format: str | None = None) -> Path:
    """Write a DataFrame in one of the supported formats (used by the synthetic data and tests).

    Categoricals are written as their labels; SPSS files carry value labels for
    ordered categories.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or os.PathLike
    format : str, optional
        ``csv``, ``tsv``, ``xlsx``, ``parquet``, ``sav``, ``qualtrics``; default from the extension.

    Returns
    -------
    pathlib.Path
    """
    p = Path(path)
    fmt = (format or _format_from_suffix(p)).lower()
    p.parent.mkdir(parents=True, exist_ok=True)
    if fmt in {"csv", "tsv"}:
        frame.to_csv(p, index=False, sep="\t" if fmt == "tsv" else ",", lineterminator="\n")
    elif fmt == "qualtrics":
        header = ",".join(frame.columns)
        questions = ",".join(f'"{c.replace("_", " ").capitalize()}"' for c in frame.columns)
        imports = ",".join(f'"{{""ImportId"":""QID{i}""}}"' for i in range(len(frame.columns)))
        body = frame.to_csv(index=False, header=False, lineterminator="\n")
        p.write_text(f"{header}\n{questions}\n{imports}\n{body}", encoding="utf-8-sig")
    elif fmt == "xlsx":
        frame.to_excel(p, index=False, engine="openpyxl")
    elif fmt == "parquet":
        frame.to_parquet(p, index=False)
    elif fmt == "sav":
        import pyreadstat

        out, labels = frame.copy(), {}
        for col in out.columns:
            s = out[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                cats = list(s.cat.categories)
                labels[col] = {i + 1: str(c) for i, c in enumerate(cats)}
                out[col] = (s.cat.codes + 1).where(s.notna()).astype("float64")
            elif pd.api.types.is_bool_dtype(s.dtype):
                out[col] = s.astype("Float64").astype("float64")
            elif pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype):
                out[col] = s.astype("Float64").astype("float64")
            else:
                out[col] = s.astype(object).where(s.notna(), "")
        pyreadstat.write_sav(out, os.fspath(p), variable_value_labels=labels)
    else:
        raise FileFormatError(p, f"cannot write format {fmt!r}")
    return p
