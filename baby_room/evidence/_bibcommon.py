"""What every bibliographic reader shares: safe file reading, DOI/title/year normalising,
the canonical columns, set-aside records and the finishing step.

Private to :mod:`baby_room.evidence`; the public names (:func:`normalise_doi`,
:func:`normalise_title`, :func:`flag_years`, :data:`EARLIEST_YEAR`) are re-exported by
:mod:`baby_room.evidence.bibliography`.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import numbers
import os
import re
import unicodedata
import warnings
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

from baby_room._args import check_column, check_frame, one_of, result_attrs
from baby_room._files import regular_file
from baby_room._validate import SetAside
from baby_room.errors import ArgumentError, FileFormatError, RowsSetAsideWarning

#: Years before this are flagged as implausible for the evidence review.
EARLIEST_YEAR = 1950

#: Largest bibliographic file read (bytes); a bigger file is refused before it is read.
MAX_FILE_BYTES = 1 << 30

#: Columns every bibliographic reader returns (after its own identifier columns).
CANONICAL_COLUMNS = (
    "record_line", "record_type", "title", "authors", "year", "journal", "volume", "issue",
    "pages", "doi", "abstract", "keywords", "language", "database", "affiliations", "url",
    "extra",
)

ON_ERROR = ("set_aside", "raise")

_DOI_PREFIX = re.compile(
    r"^(?:https?://)?(?:(?:dx\.)?doi\.org/|doi\.org/)|^(?:doi|DOI)\s*[:=]?\s*", re.IGNORECASE)
_DOI_BODY = re.compile(r"10\.\d+(?:\.\d+)*/\S+")
_DOI_TRAILING = ".,;:'\"]>}"


# --------------------------------------------------------------------------- normalising


def isna(value) -> bool:
    """True for None, NaN, pd.NA and NaT (never raises)."""
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def normalise_doi(value) -> str | None:
    """Normalise a DOI for matching: the bare, lower-case ``10.prefix/suffix`` or None.

    Removes ``https://doi.org/``, ``http://dx.doi.org/``, ``doi:`` and ``DOI`` prefixes
    (repeated ones too), decodes URL escapes (``%2F``), keeps the first DOI of a cell
    that holds several or trailing junk (Rayyan's ``"10.1/x     LK  - https://..."``,
    PubMed's ``"10.1/x [doi]"``), strips trailing punctuation and an unbalanced closing
    parenthesis. DOIs are case-insensitive (DOI Handbook, section 2.4), so lower-casing
    loses nothing. Text with no ``10.<digits>/<suffix>`` in it gives None.

    Parameters
    ----------
    value : str or None
        A DOI as typed or exported.

    Returns
    -------
    str or None

    Examples
    --------
    >>> normalise_doi(" https://doi.org/10.1016/J.ECRESQ.2019.01.002 ")
    '10.1016/j.ecresq.2019.01.002'
    >>> normalise_doi("doi:10.1/X") == normalise_doi("http://dx.doi.org/10.1%2Fx")
    True
    >>> normalise_doi("10.1038/nature12373     LK  - https://example.org/x")
    '10.1038/nature12373'
    >>> normalise_doi("10.1016/0140-6736(90)90001-X.") , normalise_doi("not a DOI")
    ('10.1016/0140-6736(90)90001-x', None)
    """
    if isna(value):
        return None
    text = str(value).strip()
    if not text:
        return None
    if "%" in text:
        text = unquote(text)
    previous = None
    while previous != text:  # "doi: https://doi.org/..." has two prefixes
        previous = text
        text = _DOI_PREFIX.sub("", text).strip()
    match = _DOI_BODY.search(text)
    if match is None:
        return None
    doi = match.group(0).rstrip(_DOI_TRAILING)
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(_DOI_TRAILING)
    return doi.lower() or None


_TITLE_TABLE = None


def normalise_title(value) -> str | None:
    """Normalise a title for matching: casefold, drop diacritics, punctuation and whitespace.

    Parameters
    ----------
    value : str or None
        A title.

    Returns
    -------
    str or None
        Letters and digits only, casefolded (``"Étude: Baby-Rooms!"`` becomes
        ``"etudebabyrooms"``); None when nothing is left.

    Examples
    --------
    >>> normalise_title("Étude:  Baby-Rooms in   England!")
    'etudebabyroomsinengland'
    >>> normalise_title("{Quality} in baby rooms") == normalise_title("QUALITY IN BABY ROOMS.")
    True
    """
    if isna(value):
        return None
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch for ch in text.casefold() if ch.isalnum())
    return text or None


def year_from_text(value):
    """First four-digit run in a date-like string (``"2019///"``, ``"2019-05"``), else NA."""
    if isna(value):
        return pd.NA
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", str(value))
    return int(match.group(1)) if match else pd.NA


def join(values, sep: str = "; "):
    """Join non-blank values with ``sep``; NA when nothing is left."""
    if values is None or (not isinstance(values, (list, tuple)) and isna(values)):
        return pd.NA
    if isinstance(values, str):
        values = [values]
    parts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return sep.join(parts) if parts else pd.NA


def flag_years(data: pd.DataFrame, *, year: str = "year", earliest: int = EARLIEST_YEAR,
               latest: int | None = None) -> pd.DataFrame:
    """Add a ``year_flag`` column naming implausible publication years, and warn.

    Rows are kept; a year before ``earliest`` or after ``latest`` (default: the
    current calendar year) gets a flag such as ``"before 1950"``.

    Parameters
    ----------
    data : pandas.DataFrame
        Frame with a year column.
    year : str, default "year"
        Name of the year column (integer or missing).
    earliest, latest : int
        The plausible range, inclusive. ``latest`` defaults to this year.

    Returns
    -------
    pandas.DataFrame
        A copy with the string column ``year_flag`` (missing where the year is
        plausible or absent). ``attrs``: ``source`` and ``synthetic`` of ``data`` (a
        reader's set-aside records stay on ``data``: ``baby_room.set_aside_rows(data)``).

    Warns
    -----
    UserWarning
        Naming how many rows were flagged.

    Examples
    --------
    >>> import warnings
    >>> df = pd.DataFrame({"year": pd.array([1890, 2019, None], dtype="Int64")})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     flag_years(df, latest=2025)["year_flag"].tolist()
    ['before 1950', <NA>, <NA>]
    """
    check_frame(data, function="flag_years")
    check_column(year, function="flag_years", parameter="year", data=data)
    for name, value in (("earliest", earliest), ("latest", latest)):
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, numbers.Integral)):
            raise ArgumentError("flag_years", name, "a whole number (a year)", value)
    latest = _dt.date.today().year if latest is None else int(latest)
    out = data.copy()
    out["year_flag"] = year_flag(out[year], earliest=earliest, latest=latest)
    # scalars only (contract section 3): a loader's set-aside records stay on ``data``
    out.attrs = result_attrs(data)
    message = year_flag_warning(out["year_flag"], earliest=earliest, latest=latest)
    if message:
        warnings.warn(message, UserWarning, stacklevel=2)
    return out


def year_flag(years: pd.Series, *, earliest: int, latest: int) -> pd.Series:
    """``"before <earliest>"`` / ``"after <latest>"`` per year; missing where plausible."""
    years = pd.to_numeric(years, errors="coerce")
    flag = pd.Series(pd.NA, index=years.index, dtype="string")
    flag[(years < earliest).fillna(False)] = f"before {earliest}"
    flag[(years > latest).fillna(False)] = f"after {latest}"
    return flag


def year_flag_warning(flag: pd.Series, *, earliest: int, latest: int) -> str:
    """The warning naming how many rows :func:`year_flag` flagged ("" when none)."""
    n = int(flag.notna().sum())
    if not n:
        return ""
    return (f"{n} row(s) have a year outside {earliest}..{latest}; they are kept and "
            f"flagged in the 'year_flag' column")


# --------------------------------------------------------------------------- file reading


def check_reader_options(*, function: str, on_error: str, encoding: str | None = None) -> None:
    """Check a reader's ``on_error=`` (one of :data:`ON_ERROR`) and ``encoding=`` (a
    Python codec name); errors are :class:`baby_room.ArgumentError` naming ``function``."""
    one_of(on_error, ON_ERROR, function=function, parameter="on_error")
    if encoding is not None:
        check_encoding(encoding, function=function)


def check_encoding(encoding, *, function: str) -> str:
    """Check that ``encoding`` is a Python codec name; return it."""
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ArgumentError(
            function, "encoding", "a Python codec name such as 'utf-8', 'cp1252' or 'latin-1'",
            encoding) from None
    return encoding


def read_bytes(path) -> bytes:
    """The bytes of a regular file; every OS failure and special file is a FileFormatError.

    FIFOs, devices and sockets are refused from ``stat`` before they are opened (reading
    a FIFO would block for ever, ``/dev/zero`` never ends); so is a file over
    :data:`MAX_FILE_BYTES`.
    """
    p = os.fspath(path)
    info = regular_file(p, empty_ok=True)
    if info.st_size > MAX_FILE_BYTES:
        raise FileFormatError(
            p, f"is {info.st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for a "
               f"bibliographic export; split the export")
    try:
        with open(p, "rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise FileFormatError(p, "permission denied: the file cannot be read") from None
    except OSError as exc:
        raise FileFormatError(p, f"cannot read the file ({exc.strerror or exc})") from None


def decode(raw: bytes, path, encoding: str) -> str:
    """Decode bytes (UTF-8 with or without BOM by default), errors naming file and line.

    ``encoding`` is checked first by the public reader (:func:`check_reader_options`).
    """
    enc = encoding.lower().replace("_", "-")
    codec = "utf-8-sig" if enc in {"utf-8", "utf8"} else encoding
    if enc in {"utf-8", "utf8"} and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        codec = "utf-16"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileFormatError(
            path,
            f"line {line}: cannot decode byte {raw[exc.start:exc.start + 1]!r} as {encoding}; "
            f"pass encoding='cp1252' or 'latin-1' if the file came from older Windows software",
        ) from None
    if not text or text.isspace():  # no copy of a large text, unlike strip()
        raise FileFormatError(path, "file is empty")
    return text


def read_text(path, encoding: str = "utf-8") -> str:
    """Read a whole text file, turning every failure into a FileFormatError."""
    return decode(read_bytes(path), os.fspath(path), encoding)


def split_lines(text: str) -> list[str]:
    """Lines of a text with any line ending (``\\r\\n``, ``\\r``, ``\\n``)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# --------------------------------------------------------------------------- finishing


def warn_outside(path, outside: list[tuple[int, str]], what: str = "a record") -> None:
    """One warning listing the lines found outside records (numbered records, headers)."""
    if not outside:
        return
    shown = ", ".join(f"line {n} {text[:30]!r}" for n, text in outside[:5])
    more = f" and {len(outside) - 5} more" if len(outside) > 5 else ""
    warnings.warn(
        f"{os.fspath(path)}: {len(outside)} line(s) outside {what} were ignored "
        f"({shown}{more})",
        UserWarning,
        stacklevel=4,
    )


def set_aside(frame: pd.DataFrame, path, aside: list[dict], on_error: str) -> pd.DataFrame:
    """Attach set-aside records (``row``, ``text``, ``reasons``), or raise them all (with
    ``on_error="raise"``, or when no record at all could be read)."""
    if aside and (on_error == "raise" or len(frame) == 0):
        listed = "; ".join(f"line {a['row']}: {a['reasons']}" for a in aside[:10])
        more = f" (and {len(aside) - 10} more)" if len(aside) > 10 else ""
        lead = "no record could be read: " if len(frame) == 0 else ""
        raise FileFormatError(path, f"{lead}{listed}{more}")
    table = pd.DataFrame(aside, columns=["row", "text", "reasons"])
    table["row"] = table["row"].astype("int64")
    for col in ("text", "reasons"):
        table[col] = table[col].astype("string")
    frame.attrs["set_aside"] = SetAside(table)
    if aside:
        warnings.warn(
            f"{os.fspath(path)}: {len(aside)} malformed record(s) were set aside (see "
            f"baby_room.set_aside_rows(result) for their lines and reasons)",
            RowsSetAsideWarning,
            stacklevel=4,
        )
    return frame


def frame_from_records(records: list[dict], columns) -> pd.DataFrame:
    """A DataFrame of record dicts in ``columns`` order (missing keys are NA)."""
    cols = list(columns)
    data = {c: [r.get(c, pd.NA) for r in records] for c in cols}
    if "extra" in data:
        data["extra"] = [e if isinstance(e, dict) else {} for e in data["extra"]]
    return pd.DataFrame(data, columns=cols)


def finish(frame: pd.DataFrame, path, kind: str, *, fmt: str) -> pd.DataFrame:
    """Types (Int64 year and lines, string text), the year flag, and the attrs."""
    if "year" in frame.columns:
        codes, distinct = pd.factorize(frame["year"])  # once per distinct value
        years = [v if isinstance(v, int) else year_from_text(v) for v in distinct]
        frame["year"] = pd.array(years + [pd.NA], dtype="Int64").take(codes)
        # in place, so the reader's attrs (its set-aside records) stay on the frame
        latest = _dt.date.today().year
        frame["year_flag"] = year_flag(frame["year"], earliest=EARLIEST_YEAR, latest=latest)
        message = year_flag_warning(frame["year_flag"], earliest=EARLIEST_YEAR, latest=latest)
        if message:
            warnings.warn(f"{os.fspath(path)}: {message}", UserWarning, stacklevel=4)
    if "record_line" in frame.columns:
        frame["record_line"] = frame["record_line"].astype("Int64")
    for col in frame.columns:
        if col == "extra":
            continue
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype):
            frame[col] = frame[col].astype("string")
    frame.attrs["source"] = f"{kind} file {Path(os.fspath(path)).name}"
    frame.attrs["synthetic"] = False
    frame.attrs["path"] = os.fspath(path)
    frame.attrs["format"] = fmt
    return frame


def pick_doi(*candidates) -> tuple[str | None, str | None]:
    """The first candidate holding a valid DOI: ``(normalised DOI, raw text)``."""
    for value in candidates:
        if value is None or isna(value):
            continue
        doi = normalise_doi(value)
        if doi:
            return doi, str(value)
    return None, None
