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
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._files import regular_file
from baby_room._limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_INFLATED_BYTES,
    MAX_TEXT_BYTES,
    check_limit,
)
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
    questions : dict
        Header -> question text: a Qualtrics export's second header row, an SPSS
        variable label. Mapping files and the codebook match headers by it too.
    import_ids : dict
        Header -> Qualtrics ImportId (``QID8``, ``QID10_1``) from the third header row.
    user_missing : dict
        For SPSS files: column -> the values (labels, or codes as text) the file declares
        user-missing. They are *kept* as values: only a mapping file's ``[missing]`` makes
        a value missing (see ``docs/mapping.md``).
    """

    data: pd.DataFrame
    rows: np.ndarray
    path: str
    format: str
    encoding: str | None = None
    value_labels: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    import_ids: dict = field(default_factory=dict)
    user_missing: dict = field(default_factory=dict)

    def find(self, name: str) -> str | None:
        """The header whose name or question text is ``name`` (compared normalised), or None."""
        key = _norm_header(name)
        for header in self.data.columns:
            if _norm_header(header) == key:
                return header
        for header, text in self.questions.items():
            if _norm_header(text) == key:
                return header
        return None


def _norm_header(text) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def read_table(path, *, sheet=0, format: str | None = None) -> RawTable:
    """Read a CSV/TSV/Qualtrics/Excel/Parquet/SPSS file without coercing values.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.
    sheet : int or str, default 0
        Excel sheet: a sheet name, or a 0-based index when no sheet has that name
        (``"2023"`` is the sheet called 2023 when there is one).
    format : str, optional
        Force a format (``"csv"``, ``"tsv"``, ``"qualtrics"``, ``"xlsx"``, ``"parquet"``,
        ``"sav"``) instead of using the file extension.

    Returns
    -------
    RawTable

    Raises
    ------
    baby_room.FileFormatError
        Missing, empty, truncated, binary-where-text-expected, undecodable,
        unsupported, unreadable (permissions) or special (FIFO, device, folder) file,
        or a file over a limit of :mod:`baby_room._limits`.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.csv")
    ...     _ = open(p, "w", encoding="utf-8").write("a,b\\n1,2\\n\\n3,4\\n")
    ...     t = read_table(p)
    >>> t.data.to_dict("records"), t.rows.tolist()
    ([{'a': '1', 'b': '2'}, {'a': '3', 'b': '4'}], [2, 4])
    """
    p = Path(path)
    size = check_regular_file(p)
    fmt = (format or _format_from_suffix(p)).lower()
    try:
        if fmt in {"csv", "tsv", "txt", "qualtrics"}:
            check_limit(p, "bytes", size, MAX_TEXT_BYTES)
            return _read_text(p, fmt, size)
        if fmt in {"xlsx", "xlsm", "excel"}:
            return _read_excel(p, sheet)
        if fmt in {"parquet", "pq"}:
            return _read_parquet(p)
        if fmt in {"sav", "zsav", "spss"}:
            return _read_sav(p)
    except OSError as exc:
        raise FileFormatError(p, f"cannot be read: {exc.strerror or exc}") from None
    raise FileFormatError(
        path, f"format {fmt!r} is not supported; use one of: csv, tsv, qualtrics, xlsx, parquet, sav"
    )


def check_regular_file(p: Path) -> int:
    """Refuse anything but a readable, non-empty regular file, before opening it; return its
    size (:func:`baby_room._files.regular_file`).

    Examples
    --------
    >>> check_regular_file(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    baby_room.errors.FileFormatError: /dev/null: is a device, not a regular file: refused without reading it
    """
    return regular_file(p).st_size


def read_bytes(p: Path) -> bytes:
    """The bytes of a file; OS errors become FileFormatError naming it."""
    try:
        return p.read_bytes()
    except PermissionError:
        raise FileFormatError(p, "permission denied: the file cannot be read") from None
    except IsADirectoryError:
        raise FileFormatError(p, "is a folder, not a file") from None
    except OSError as exc:
        raise FileFormatError(p, f"cannot be read: {exc.strerror or exc}") from None


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


_HEAD_BYTES = 1 << 20
_BLOCK_BYTES = 1 << 24


class _FileBytes:
    """The bytes of a text file, without holding a large UTF-8 file in memory.

    ``data`` is the whole file when it was read (small files, files decoded as a whole);
    otherwise (``data=None``) every question about the bytes (line ends, NUL bytes, blank
    lines) is answered block by block and the parser reads the file itself, so a
    450 MB export never has its bytes in memory next to the parsed columns.
    :meth:`blocks` and :meth:`head` read the file.
    """

    def __init__(self, path: Path, data: bytes | None = None):
        self.path, self.data = path, data

    def blocks(self, start: int = 0):
        """The file's bytes from ``start`` on, read in blocks of at most 16 MiB."""
        try:
            with open(self.path, "rb") as fh:
                fh.seek(start)
                while block := fh.read(_BLOCK_BYTES):
                    yield block
        except OSError as exc:
            raise FileFormatError(self.path, f"cannot be read: {exc.strerror or exc}") from None

    def head(self, size: int) -> bytes:
        """The file's first ``size`` bytes."""
        try:
            with open(self.path, "rb") as fh:
                return fh.read(size)
        except OSError as exc:
            raise FileFormatError(self.path, f"cannot be read: {exc.strerror or exc}") from None

    def count(self, byte: bytes) -> int:
        if self.data is not None:
            return self.data.count(byte)
        return sum(block.count(byte) for block in self.blocks())

    def contains(self, byte: bytes) -> bool:
        if self.data is not None:
            return self.data.find(byte) >= 0
        return any(block.find(byte) >= 0 for block in self.blocks())

    def whole(self) -> bytes:
        """All the bytes (read now when they were not)."""
        return self.data if self.data is not None else read_bytes(self.path)


def _utf8_head(source: _FileBytes, size: int, p: Path) -> tuple[str, str] | None:
    """The first ~1 MB of a UTF-8 file as text (whole lines), or None to decode it all.

    A large UTF-8 file is never decoded as a whole, nor held in memory: the parser reads
    it from the file and checks the UTF-8 itself; a file that is not UTF-8 after all is
    then read and decoded in full.
    """
    if size <= _HEAD_BYTES:
        return None
    first = source.head(_HEAD_BYTES)
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or source.contains(b"\x00"):
        return None
    cut = max(first.rfind(b"\n"), first.rfind(b"\r"))  # whole lines: no character cut
    if cut < 0:
        return None
    head, encoding = decode_text(first[:cut + 1], p)
    return (head, encoding) if encoding in {"utf-8", "utf-8-sig"} else None


def _read_text(p: Path, fmt: str, size: int) -> RawTable:
    streamed = _FileBytes(p)
    fast = _utf8_head(streamed, size, p)
    if fast is not None:
        try:
            return _read_decoded(p, fmt, streamed, *fast, full=False)
        except _NotUtf8:
            pass
    raw = read_bytes(p)
    text, encoding = decode_text(raw, p)
    return _read_decoded(p, fmt, _FileBytes(p, raw), text, encoding, full=True)


class _NotUtf8(Exception):
    """The bytes after the head are not UTF-8: decode the whole file instead."""


def _read_decoded(p: Path, fmt: str, raw: _FileBytes, text: str, encoding: str, *,
                  full: bool) -> RawTable:
    """Parse delimited text whose head (``full=False``, the parser then reads the UTF-8
    file itself) or whole (``full=True``) is ``text``."""
    if not text or text.isspace():
        if full:
            raise FileFormatError(p, "file has no content (only blank space)")
        raise _NotUtf8
    lead_match = _LEADING_BLANK.match(text)
    lead_chars = lead_match.end() if lead_match else 0
    lead_lines = len(_NEWLINE.findall(text, 0, lead_chars))
    newline = _NEWLINE.search(text, lead_chars)
    first_line = text[lead_chars:] if newline is None else text[lead_chars:newline.start()]
    sep = _sniff_delimiter(first_line, TEXT_FORMATS.get(f".{fmt}") if fmt != "qualtrics" else ",")
    try:
        head = _first_records(p, text[lead_chars:], sep, 3)
    except FileFormatError:
        if full:
            raise
        raise _NotUtf8 from None
    if not full and len(head) < 3:
        raise _NotUtf8
    header = [h.strip() for h in head[0]]
    check_limit(p, "columns", len(header), MAX_COLUMNS)
    n_line_ends = raw.count(b"\n")
    line_end = b"\n" if n_line_ends else b"\r"
    if not n_line_ends:
        n_line_ends = raw.count(line_end)
    check_limit(p, "cells", (n_line_ends + 1) * len(header), MAX_CELLS)
    check_header(p, header)
    layout = qualtrics_layout(header, head[1:])
    if fmt == "qualtrics" and not layout:
        raise FileFormatError(
            p, "is not a Qualtrics export: its second and third rows should hold the question "
            "text and the {\"ImportId\": ...} row (or, in the older layout, the second row the "
            "question text with ResponseID, StartDate, Finished ...)"
        )
    skip = layout - 1 if layout else 0
    questions, import_ids = {}, {}
    if layout:
        fmt = "qualtrics"
        questions = {h: q.strip() for h, q in zip(header, head[1], strict=False) if q.strip()}
        if layout == 3:
            import_ids = {h: _import_id(c) for h, c in zip(header, head[2], strict=False)
                          if _import_id(c)}
    first_row = lead_lines + 2 + skip
    # leading blank lines are ASCII, so their characters are their bytes
    start = lead_chars + (3 if encoding == "utf-8-sig" else 0)
    if not full:  # a large UTF-8 file: the parser reads it from the file
        utf8 = _Utf8Input(p, start, None)
    elif encoding in {"utf-8", "utf-8-sig"}:  # the bytes read, no second copy
        utf8 = _Utf8Input(p, start, memoryview(raw.data)[start:])
    else:
        utf8 = _Utf8Input(p, 0, memoryview(text[lead_chars:].encode("utf-8")))

    def whole_text() -> str:
        return text if full else decode_text(raw.whole(), p)[0]

    try:
        frame = _parse_delimited(p, utf8, sep, header, skip_after_header=skip,
                                 first_row=first_row, text=whole_text)
    except FileFormatError as exc:
        if not full and "UTF8" in str(exc).upper().replace("-", ""):
            raise _NotUtf8 from None
        raise
    if frame.empty:
        raise FileFormatError(p, "has a header but no data rows")
    records = 1 + skip + len(frame)
    # as many line ends as records (the last line may lack one): no blank line, no
    # multi-line cell, so rows count on from the header; else look closer
    if n_line_ends - lead_lines in (records, records - 1) or not utf8.has_blank_line():
        rows = np.arange(first_row, first_row + len(frame))
    else:
        rows = _record_rows(p, _lines(text) if full else utf8.lines(encoding), sep)[1 + skip:]
    if len(rows) != len(frame):  # pragma: no cover - both count the same records
        raise FileFormatError(p, "the records could not be numbered consistently")
    return RawTable(frame, rows, str(p), "tsv" if sep == "\t" and fmt != "qualtrics" else fmt,
                    encoding, questions=questions, import_ids=import_ids)


_LEADING_BLANK = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))+")


class _Utf8Input:
    """The UTF-8 text the parser reads: ``data`` in memory, or ``path`` from byte ``start`` on."""

    def __init__(self, path: Path, start: int, data: memoryview | None):
        self.path, self.start, self.data = path, start, data

    def stream(self):
        """A fresh pyarrow input stream over the text."""
        import pyarrow as pa

        if self.data is not None:
            return pa.BufferReader(pa.py_buffer(self.data))
        handle = pa.OSFile(str(self.path))
        handle.seek(self.start)
        return handle

    def __len__(self) -> int:
        return len(self.data) if self.data is not None else \
            self.path.stat().st_size - self.start

    def lines(self, encoding: str):
        """The lines of the whole file (from its first byte) with their endings, read lazily."""
        try:
            with open(self.path, encoding=encoding, newline="") as fh:
                yield from fh
        except OSError as exc:
            raise FileFormatError(self.path, f"cannot be read: {exc.strerror or exc}") from None

    def has_blank_line(self) -> bool:
        """True when an empty line follows the header somewhere (then rows are counted one
        by one): LF LF or LF CR LF, or CR CR in a file whose lines end with CR alone."""
        if self.data is not None:
            return _has_blank_line(self.data)
        blocks = _FileBytes(self.path).blocks(self.start)
        lf = any(block.find(b"\n") >= 0 for block in blocks)
        patterns = (b"\n\n", b"\n\r\n") if lf else (b"\r\r",)
        tail = b""
        for block in _FileBytes(self.path).blocks(self.start):
            window = tail + block
            if any(window.find(pattern) >= 0 for pattern in patterns):
                return True
            tail = window[-2:]
        return False


def _has_blank_line(utf8: memoryview) -> bool:
    """True when an empty line follows the header somewhere (then rows are counted one by one)."""
    arr = np.frombuffer(utf8, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)  # LF (and the LF of CRLF)
    if ends.size == 0:  # old Mac files end lines with CR alone
        ends = np.flatnonzero(arr == 13)
        return bool((np.diff(ends) == 1).any())
    gaps = np.diff(ends)
    if (gaps == 1).any():
        return True
    two = ends[1:][gaps == 2]
    return bool((arr[two - 1] == 13).any())


def _record_rows(p: Path, lines, sep: str) -> np.ndarray:
    """Row numbers (as a spreadsheet shows them) of the non-empty records of delimited text
    given as its lines with their endings.

    An empty line is a row of its own in a spreadsheet, so it counts, and is then skipped.
    """
    reader = csv.reader(lines, delimiter=sep)
    out = []
    try:
        for number, record in enumerate(reader, start=1):
            if record:
                out.append(number)
    except csv.Error as exc:
        raise FileFormatError(p, f"is not valid delimited text (line {reader.line_num}): "
                                 f"{exc}") from None
    return np.asarray(out, dtype=np.int64)


def release_parser_memory() -> None:
    """Give the memory pyarrow's allocator keeps from freed columns back to the system.

    The allocator keeps freed blocks for reuse; once a loader has converted and dropped
    a large file's text columns (hundreds of MB), the pandas/numpy work that follows
    cannot use them.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _parse_delimited(p: Path, utf8: _Utf8Input, sep: str, header: list[str], *,
                     skip_after_header: int, first_row: int, text) -> pd.DataFrame:
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
            utf8.stream(),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1,
                                            skip_rows_after_names=skip_after_header,
                                            block_size=block_size),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                              invalid_row_handler=on_bad_row),
            convert_options=pa_csv.ConvertOptions(
                # large_string is what pandas keeps text in: no copy when converting
                column_types=dict.fromkeys(names, pa.large_string()), strings_can_be_null=False,
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
        _raise_ragged(p, text(), sep, len(header), skip_after_header)
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


def _raise_ragged(p: Path, text: str, sep: str, width: int, skip: int):
    """List every record whose number of fields differs from the header's, then raise."""
    reader = csv.reader(_lines(text), delimiter=sep)
    bad, seen = [], 0
    try:
        for number, record in enumerate(reader, start=1):
            if not record:
                continue
            seen += 1
            if seen > 1 + skip and len(record) != width:
                bad.append((number, len(record)))
    except csv.Error as exc:
        raise FileFormatError(p, f"is not valid delimited text (line {reader.line_num}): "
                                 f"{exc}") from None
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


_IMPORT_ID = re.compile(r"""^\{\s*["']ImportId["']\s*:\s*["']([^"']*)["']""")
#: Qualtrics meta columns: export tag -> its text in the question-text row.
_QUALTRICS_META = {"StartDate": "Start Date", "EndDate": "End Date", "Status": "Response Type",
                   "IPAddress": "IP Address", "Progress": "Progress",
                   "Duration (in seconds)": "Duration (in seconds)", "Finished": "Finished",
                   "RecordedDate": "Recorded Date", "ResponseId": "Response ID",
                   "DistributionChannel": "Distribution Channel",
                   "UserLanguage": "User Language"}
#: Legacy (pre-2017) exports: headers V1..V10, the second row names them.
_QUALTRICS_LEGACY = {"ResponseID", "ResponseSet", "Name", "ExternalDataReference",
                     "EmailAddress", "IPAddress", "Status", "StartDate", "EndDate", "Finished"}


def _import_id(cell: str) -> str | None:
    match = _IMPORT_ID.match(cell.strip())
    if not match:
        return None
    try:
        return str(json.loads(cell.strip()).get("ImportId"))
    except (ValueError, AttributeError):
        return match.group(1)


def qualtrics_layout(header: list[str], body: list[list[str]]) -> int:
    """3 for a Qualtrics export with three header rows, 2 for the older two-row layout, else 0.

    One cell is never enough: the three-row layout needs a third row whose every
    non-empty cell (at least two) is ``{"ImportId": ...}``; the two-row layout needs at
    least two meta columns whose second-row text is what Qualtrics writes there
    (``ResponseId`` / "Response ID", ``Finished`` / "Finished", or the legacy ``V1`` ...
    ``V10`` / ``ResponseID`` ... ``Finished``).

    Examples
    --------
    >>> qualtrics_layout(["ResponseId", "Q1"], [["Response ID", "Age?"], ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}']])
    3
    >>> qualtrics_layout(["V1", "V10", "Q1"], [["ResponseID", "Finished", "Age?"], ["R_1", "1", "30"]])
    2
    >>> qualtrics_layout(["id", "note"], [["1", "x"], ["2", '{"ImportId":"QID1"}']])
    0
    """
    if len(body) >= 2:
        third = [c for c in body[1] if c.strip()]
        if len(third) >= 2 and all(_IMPORT_ID.match(c.strip()) for c in third) and \
                not any(_IMPORT_ID.match(c.strip()) for c in body[0]):
            return 3
    if body:
        second = body[0]
        matches = 0
        for h, q in zip(header, second, strict=False):
            q = q.strip()
            if _QUALTRICS_META.get(h) == q and q or (q in _QUALTRICS_LEGACY and
                                                    (h == q or re.fullmatch(r"V\d+", h))):
                matches += 1
        if matches >= 2:
            return 2
    return 0


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
    """Read one worksheet with :mod:`baby_room._xlsx`: every cell as the text it holds."""
    from baby_room._xlsx import Workbook, column_letters

    with Workbook(p) as book:
        rows_iter = book.rows(sheet)
        first = next(rows_iter, None)
        if first is None:
            raise FileFormatError(p, "the first row (header) is empty")
        _, cells = first
        width = max(cells) + 1
        header = [cells.get(j, "").strip() or f"(column {column_letters(j)})"
                  for j in range(width)]
        check_header(p, header)
        numbers, records, beyond = [], [], []
        for number, cells in rows_iter:
            if max(cells) >= width:
                beyond.append((number, column_letters(max(cells))))
                continue
            numbers.append(number)
            records.append([cells.get(j) for j in range(width)])
    if beyond:
        shown = "; ".join(f"row {r}, column {c}" for r, c in beyond[:10])
        raise FileFormatError(p, f"has values in columns without a header ({shown}"
                                 f"{' ...' if len(beyond) > 10 else ''}): give them a header "
                                 "or delete them")
    if not records:
        raise FileFormatError(p, "has a header but no data rows")
    frame = pd.DataFrame(records, columns=header, dtype=object)
    # the sheet's own row numbers, as the spreadsheet shows them (blank rows never shift them)
    rows = np.asarray(numbers, dtype=np.int64)
    return RawTable(frame, rows, str(p), "xlsx")


def read_xlsx_rows(path, *, sheet=0) -> list[tuple[int, list]]:
    """Every non-empty row of a worksheet as ``(row number, [cell text or None, ...])``.

    The bounded, text-exact reader of :mod:`baby_room._xlsx`, for readers that find
    their own header (the MAXQDA export). Limits of :mod:`baby_room._limits` apply.
    """
    from baby_room._xlsx import Workbook

    p = Path(path)
    check_regular_file(p)
    with Workbook(p) as book:
        out = []
        for number, cells in book.rows(sheet):
            out.append((number, [cells.get(j) for j in range(max(cells) + 1)]))
    return out


def _read_parquet(p: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(p)
        meta = handle.metadata
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for damaged files
        raise FileFormatError(p, f"is not a readable Parquet file ({type(exc).__name__})") from None
    check_limit(p, "columns", meta.num_columns, MAX_COLUMNS)
    check_limit(p, "cells", meta.num_rows * max(meta.num_columns, 1), MAX_CELLS)
    inflated = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    check_limit(p, "inflated bytes", inflated, MAX_INFLATED_BYTES)
    try:
        frame = handle.read().to_pandas()
    except MemoryError:
        raise FileFormatError(p, "needs more memory than there is to read: a Parquet file "
                                 "whose values inflate far beyond its size") from None
    except Exception as exc:  # noqa: BLE001
        raise FileFormatError(p, f"is not a readable Parquet file ({type(exc).__name__})") from None
    if frame.empty:
        raise FileFormatError(p, "has no data rows")
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
            and frame.index.step == 1 and frame.index.name is None):
        # columns saved as the pandas index (DataFrame.to_parquet keeps them there) are data
        frame = frame.reset_index()
    frame.columns = [str(c).strip() for c in frame.columns]
    check_header(p, list(frame.columns))
    return RawTable(frame, np.arange(2, len(frame) + 2), str(p), "parquet")


def _read_sav(p: Path) -> RawTable:
    try:
        import pyreadstat
    except ImportError as exc:  # pragma: no cover - dependency declared
        raise FileFormatError(p, "reading .sav files needs the pyreadstat package") from exc
    try:
        _, head = pyreadstat.read_sav(os.fspath(p), metadataonly=True)
        check_limit(p, "columns", head.number_columns or 0, MAX_COLUMNS)
        check_limit(p, "cells", (head.number_rows or 0) * (head.number_columns or 0), MAX_CELLS)
        frame, meta = pyreadstat.read_sav(os.fspath(p), user_missing=True)
    except FileFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises several types
        raise FileFormatError(p, f"is not a readable SPSS .sav file ({type(exc).__name__})") from None
    if frame.empty:
        raise FileFormatError(p, "has no data rows")
    labels = dict(meta.variable_value_labels or {})
    user_missing = _sav_user_missing(meta, labels)
    for col, mapping in labels.items():
        frame[col] = _apply_value_labels(frame[col], mapping)
    questions = {c: str(t) for c, t in (meta.column_names_to_labels or {}).items() if t}
    return RawTable(frame, np.arange(2, len(frame) + 2), str(p), "sav", value_labels=labels,
                    questions=questions, user_missing=user_missing)


def _sav_user_missing(meta, labels: dict) -> dict:
    """column -> the user-missing values the .sav declares, as their labels (or code text)."""
    out = {}
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        values = []
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            codes = [lo] if lo == hi else [k for k in labels.get(col, {}) if lo <= k <= hi]
            for code in codes:
                label = labels.get(col, {}).get(code)
                values.append(label if label is not None else _code_text(code))
        if values:
            out[col] = values
    for col, codes in (getattr(meta, "missing_user_values", None) or {}).items():
        out.setdefault(col, [str(c) for c in codes])
    return out


def _code_text(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


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
