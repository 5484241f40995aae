"""Load and validate focus-group coding in the long format, and its codebook."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._loading import load
from baby_room._validate import Failures
from baby_room.codebook import CODEBOOK, CODING
from baby_room.errors import FileFormatError, UnmatchedValueWarning
from baby_room.focus_groups._common import norm_key

#: The coding schema for QDA exports: no QDA tool records the conference, so it may be
#: missing (with the one warning of ``finalise_long``) instead of failing every row.
_QDA_CODING = replace(CODING, columns=tuple(
    replace(c, required=False) if c.name == "conference" else c for c in CODING.columns))


#: The formats :func:`load_coding` recognises, by the name it gives them in messages.
CODING_FORMATS = {
    "canonical": "the canonical long table (segment_id, conference, group_id, code, coder, ...)",
    "qdpx": "a REFI-QDA project (.qdpx, also renamed .zip; NVivo, ATLAS.ti, MAXQDA, "
            "QualCoder, qc)",
    "qde": "a bare REFI-QDA project file (.qde)",
    "qdc": "a REFI-QDA codebook (.qdc)",
    "maxqda": "a MAXQDA Coded Segments export (.xlsx, .xls, .csv; any interface language)",
    "qualcoder": "a QualCoder coded-text export (Id, File, Codename, Category, Coded, Coder)",
    "taguette": "a Taguette highlights export (id, document, tag, content)",
}
#: Headings (normalised) that mark each tabular format, for detection and for naming the
#: closest format when none matches.
_SIGNATURES = {
    "canonical": (("segment_id", "segment"), ("conference",), ("group_id", "group"), ("code",),
                  ("coder",)),
    "qualcoder": (("codename", "code_name"), ("file", "filename"), ("coded", "coded_text"),
                  ("coder",), ("category",)),
    "taguette": (("id",), ("document",), ("tag",), ("content",)),
    "maxqda": (("document_name", "document"), ("code",), ("segment",), ("beginning", "begin"),
               ("end",)),
}
_CODING_NAMES = [c.name for c in CODING.columns]
_QDA_KINDS = ("qdpx", "qde", "qdc", "maxqda", "qualcoder", "taguette")


def load_coding(path, *, columns: Mapping[str, str] | None = None, on_error: str = "raise",
                sheet=0, format: str | None = None, attributes=None, coder: str | None = None,
                source_dir=None, source: str = "Baby Room Project focus groups"):
    """Load focus-group coding from any export a QDA tool writes, or the long format.

    The format is detected from the file's content, not its name: a REFI-QDA project
    (``.qdpx``, a ``.qdpx`` renamed ``.zip``, or a bare ``.qde``), a REFI-QDA codebook
    (``.qdc``: no codings, an empty table and a warning), a MAXQDA Coded Segments export
    (``.xlsx``, ``.xls`` or ``.csv``, headings in any interface language), QualCoder's
    coded-text and Taguette's highlights exports, or the canonical long table (one row
    per coded segment per coder, the columns of :data:`baby_room.codebook.CODING`).

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame
        The file (or a DataFrame in the long format).
    columns : mapping, optional
        ``{your header: canonical name}`` (long table) or ``{heading: field}`` (MAXQDA).
    on_error : {"raise", "set_aside"}, default "raise"
        As in :func:`baby_room.load_survey`.
    sheet : int or str, default 0
        Excel sheet.
    format : str, optional
        Force a reader: one of ``qdpx``, ``qde``, ``maxqda``, ``qualcoder``,
        ``taguette``, or a table format (``csv``, ``xlsx``, ...) for the long table.
    attributes : pandas.DataFrame or path, optional
        For QDA exports: a sheet mapping documents (or cases) to ``conference``,
        ``group_id``, ``role``, ``speaker`` and other attributes (see
        :meth:`baby_room.focus_groups.QdaProject.to_long`).
    coder : str, optional
        REFI-QDA: which user is the coder (``"auto"``, ``"selection"``, ``"coding"``;
        see :mod:`baby_room.focus_groups.qdpx`). MAXQDA, QualCoder, Taguette: the coder
        recorded where the export names none.
    source_dir : str or os.PathLike, optional
        REFI-QDA: folder of sources linked from outside the project.
    source : str
        Data source written under every figure.

    Returns
    -------
    pandas.DataFrame
        The canonical coding table (``segment_id, conference, group_id, speaker, role,
        theme, code, coder, start, end, text``), then any other attributes of a QDA
        export; ``conference`` is ordered by date. ``attrs["format"]`` names the
        format read and ``attrs["position_unit"]`` what ``start``/``end`` count
        (``"character"``, MAXQDA's ``"paragraph"``, or None).

    Raises
    ------
    baby_room.FileFormatError
        The file cannot be read, or is a table of no known format (the message lists
        the formats and names the closest).
    baby_room.DataValidationError
        Values that break the rules (every one listed).

    Warns
    -----
    baby_room.UnmatchedValueWarning
        Once when a QDA export gives no conference, group, role or speaker, saying how
        to supply them (those columns stay missing; analyses that need one say so).

    Notes
    -----
    Checks: required columns and values, conference and role categories, offsets
    non-negative with ``end >= start``, and no segment given the same code twice by
    the same coder. ``conference`` may be missing in QDA exports (no tool records it).

    Examples
    --------
    >>> import baby_room as br
    >>> coding = br.load_coding(br.synthetic.raw("coding"))
    >>> list(coding["conference"].cat.categories)[:2]
    ['London', 'York']
    """
    if isinstance(path, pd.DataFrame):
        kind = format if format in _QDA_KINDS else "canonical"
    else:
        kind = format if format in _QDA_KINDS else detect_coding_format(path, sheet=sheet)
    if kind == "canonical":
        out = load(path, CODING, columns=columns, on_error=on_error, sheet=sheet,
                   format=format, cross_checks=_coding_checks, source_label=source)
        out.attrs.update(format="canonical", position_unit="character")
        return out
    frame = _read_qda(kind, path, columns=columns, sheet=sheet, attributes=attributes,
                      coder=coder, source_dir=source_dir)
    unit = frame.attrs.get("position_unit")
    extra = [c for c in frame.columns if c not in _CODING_NAMES]
    out = load(frame[list(_CODING_NAMES)], _QDA_CODING, columns=None, on_error=on_error,
               sheet=0, format=None, cross_checks=_coding_checks, source_label=source,
               name=str(path))
    if extra and len(out) == len(frame):
        for c in extra:
            out[c] = frame[c].to_numpy()
    elif extra:  # rows set aside: join the attributes back on the row key
        key = list(CODING.key)
        out = out.merge(frame[[*key, *extra]].astype({k: "string" for k in key}), on=key,
                        how="left")
    out.attrs.update(format=kind, position_unit=unit)
    return out


def _read_qda(kind, path, *, columns, sheet, attributes, coder, source_dir) -> pd.DataFrame:
    if kind in ("qdpx", "qde"):
        from baby_room.focus_groups.qdpx import read_qdpx

        return read_qdpx(path, source_dir=source_dir).to_long(attributes=attributes,
                                                              coder=coder or "auto")
    if kind == "qdc":
        from baby_room.focus_groups.qdpx import read_qdc

        book = read_qdc(path)
        warnings.warn(
            f"{path}: a REFI-QDA codebook holds codes ({len(book)}) but no codings; the coding "
            "table is empty (read the codes with baby_room.read_qdc)",
            UnmatchedValueWarning, stacklevel=3)
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in _CODING_NAMES})
        empty.attrs["position_unit"] = "character"
        return empty
    if kind == "maxqda":
        from baby_room.focus_groups.maxqda import read_maxqda_segments

        return read_maxqda_segments(path, attributes=attributes, coder=coder, sheet=sheet,
                                    columns=columns)
    from baby_room.focus_groups import exports

    reader = {"qualcoder": exports.read_qualcoder_codings,
              "taguette": exports.read_taguette_highlights}[kind]
    return reader(path, attributes=attributes, coder=coder, sheet=sheet)


def detect_coding_format(path, *, sheet=0) -> str:
    """Which coding format a file holds, from its content (see :data:`CODING_FORMATS`).

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    sheet : int or str, default 0
        Excel sheet whose headings are examined.

    Returns
    -------
    str
        A key of :data:`CODING_FORMATS`.

    Raises
    ------
    baby_room.FileFormatError
        Missing, unreadable or special file; a zip or XML file of no known kind; a table
        whose headings match no known format (the message lists the formats and names
        the closest, with the headings it lacks).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "export.csv")
    ...     _ = open(p, "w", encoding="utf-8").write("id,document,tag,content\\n1,A,x,hi\\n")
    ...     detect_coding_format(p)
    'taguette'
    """
    from baby_room.focus_groups._refi_archive import check_regular_file

    p = check_regular_file(path, "coding file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = _zip_names(p)
        if any("/" not in n and n.lower().endswith(".qde") for n in names):
            return "qdpx"
        if not any(n.startswith("xl/") for n in names):
            raise FileFormatError(
                path, "is a zip archive but neither a REFI-QDA project (no .qde at its root) "
                "nor an Excel workbook; " + _known())
    elif _is_xml(head):
        root = _xml_root(head)
        if root == "Project":
            return "qde"
        if root == "CodeBook":
            return "qdc"
        raise FileFormatError(path, f"is XML with root <{root}>, not a REFI-QDA project or "
                              f"codebook; {_known()}")
    elif head.startswith(b"PAR1"):
        return "canonical"
    return _classify_table(p, _heading_rows(p, head, sheet))


def _known() -> str:
    return "formats read: " + "; ".join(CODING_FORMATS.values())


def _zip_names(p: Path) -> list[str]:
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            return z.namelist()[:20_000]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError(p, f"is a damaged zip archive ({exc})") from None


def _is_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", "ignore").lstrip("\ufeff \t\r\n").startswith("<")
        except UnicodeError:
            return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _xml_root(head: bytes) -> str:
    import re

    text = head.decode("utf-16", "ignore") if head.startswith((b"\xff\xfe", b"\xfe\xff")) \
        else head.decode("utf-8", "ignore")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    m = re.search(r"<\s*(?:[\w.-]+:)?([\w.-]+)", text)
    return m.group(1) if m else "?"


def _heading_rows(p: Path, head: bytes, sheet) -> list[list]:
    """The first 20 rows of a table (Excel or delimited text), as cells."""
    from baby_room.focus_groups.maxqda import read_rows

    return read_rows(p, sheet, limit=20)


def _classify_table(p: Path, rows: list[list]) -> str:
    from baby_room.focus_groups.maxqda import header_fields

    best, best_score, best_missing = None, -1.0, ()
    for row in rows:
        keys = {norm_key(c) for c in row[:1000] if c is not None and str(c).strip()}
        if not keys:
            continue
        if {"segment_id", "code", "coder"} <= keys or {"segment", "code", "coder",
                                                       "group_id"} <= keys:
            return "canonical"
        if {"id", "document", "tag"} <= keys:
            return "taguette"
        if "codename" in keys and keys & {"file", "filename"}:
            return "qualcoder"
        fields = header_fields(row)
        if "document" in fields and "code" in fields:
            return "maxqda"
        for kind, sig in _SIGNATURES.items():
            have = keys | set(fields if kind == "maxqda" else ())
            score = sum(bool(have & set(s)) for s in sig) / len(sig)
            if score > best_score:
                best, best_score = kind, score
                best_missing = tuple(s[0] for s in sig if not have & set(s))
    if best == "canonical" and best_score >= 0.6:
        return "canonical"  # the long table with a column missing: its checks say which
    first = next((r for r in rows if any(c is not None and str(c).strip() for c in r)), [])
    shown = ", ".join(repr(str(c)) for c in first[:20] if c is not None and str(c).strip())[:200]
    closest = (f" The closest is {best} ({CODING_FORMATS[best]}), which would need the "
               f"column(s) {', '.join(best_missing)}." if best else "")
    raise FileFormatError(
        p, f"is a table of no known coding format (headings: {shown or 'none'}). "
        f"{_known()}.{closest}")


def _coding_checks(frame: pd.DataFrame, rows: np.ndarray, failures: Failures) -> None:
    """Cross-field rule of the coding table: a segment ends after it starts."""
    bad = (frame["end"] < frame["start"]).fillna(False).to_numpy()
    values = frame.loc[bad, "start"].astype(str) + " > " + frame.loc[bad, "end"].astype(str)
    failures.add(rows[bad], "start + end", values, "consistency: end must not be before start")


def load_codebook(path, *, columns: Mapping[str, str] | None = None, on_error: str = "raise",
                  sheet=0, format: str | None = None,
                  source: str = "Baby Room Project focus-group codebook"):
    """Load a focus-group codebook: one row per code with its theme and definition.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame
        File with the columns ``theme, code, definition``.
    columns, on_error, sheet, format, source
        As in :func:`load_coding`.

    Returns
    -------
    pandas.DataFrame
        Columns ``theme, code, definition``.

    Examples
    --------
    >>> import baby_room as br
    >>> book = br.load_codebook(br.synthetic.raw("codebook"))
    >>> book["theme"].nunique()
    6
    """
    return load(path, CODEBOOK, columns=columns, on_error=on_error, sheet=sheet, format=format,
                cross_checks=None, source_label=source)
