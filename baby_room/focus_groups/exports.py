"""Read QualCoder's coded-text export and Taguette's highlights export (CSV or XLSX).

* **QualCoder** (Reports > Coding reports, exported as CSV/XLSX): one row per coded text,
  columns ``Id``, ``File``, ``Codename``, ``Category`` (the code's category, its theme),
  ``Coded`` (the coded text; also written ``Coded text``), ``Coder``, and when positions
  are exported ``Pos0``/``Pos1`` (character offsets, code points).
* **Taguette** (Project > Export highlights, CSV or XLSX): columns ``id`` (the highlight),
  ``document``, ``tag`` (hierarchy written with ``.``: ``staffing.ratios``) and
  ``content``; one row per highlight and tag, a highlight without tags once with an
  empty tag. Taguette does not record positions or who highlighted.

Both become the long coding format. Headings are matched ignoring case, spacing and
punctuation.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room.errors import DataValidationError, FileFormatError, UnmatchedValueWarning
from baby_room.focus_groups._common import apply_attributes, finalise_long, norm_key, stem

__all__ = ["read_qualcoder_codings", "read_taguette_highlights", "QUALCODER_HEADINGS",
           "TAGUETTE_HEADINGS", "NOT_RECORDED"]

#: Headings (normalised) of QualCoder's coded-text export, per field.
QUALCODER_HEADINGS = {
    "id": ("id", "ctid"),
    "file": ("file", "filename", "file_name"),
    "code": ("codename", "code_name", "code"),
    "category": ("category", "category_name"),
    "text": ("coded", "coded_text", "text", "codedtext"),
    "coder": ("coder", "owner"),
    "start": ("pos0", "start"),
    "end": ("pos1", "end"),
}
#: Headings of Taguette's highlights export.
TAGUETTE_HEADINGS = {"id": ("id",), "document": ("document",), "tag": ("tag",),
                     "content": ("content",)}
#: Coder recorded when the export names none (Taguette never does).
NOT_RECORDED = "not recorded"


def _frame(path, sheet) -> pd.DataFrame:
    from baby_room._io import read_table

    return read_table(path, sheet=sheet).data


def _fields(frame: pd.DataFrame, headings: dict, required, path, what) -> dict:
    found = {}
    for col in frame.columns:
        k = norm_key(col)
        for field, names in headings.items():
            if k in names and field not in found:
                found[field] = col
    missing = [f for f in required if f not in found]
    if missing:
        raise FileFormatError(path, f"is not a {what}: no column for {', '.join(missing)} "
                              f"(columns: {', '.join(map(str, frame.columns))})")
    return found


def _text(series: pd.Series) -> pd.Series:
    s = series.astype("object")
    return s.where(s.notna() & (s.astype(str).str.strip() != ""), None)


def _required_failures(path, frame, fields, required, kind):
    failures = []
    for f in required:
        col = fields[f]
        for i in np.flatnonzero(_text(frame[col]).isna().to_numpy()):
            failures.append((str(path), int(i) + 2, str(col), None,
                             "required: a coding needs a value here"))
    if failures:
        raise DataValidationError(
            pd.DataFrame(failures, columns=["file", "row", "column", "value", "check"]),
            kind=kind)


def _segment_ids(doc: pd.Series, text: pd.Series, start, end, code, coder) -> pd.Series:
    """``<document>:<start>-<end>`` when positions are known, else ``<document>:<SHA-1 of
    the text, 8 hex digits>``; a coder's repeat of a code on one segment gets ``#2`` ..."""
    digest = text.map(lambda s: hashlib.sha1(str(s or "").encode()).hexdigest()[:8])
    if start is not None and end is not None:
        pos = start.astype("string") + "-" + end.astype("string")
        where = pos.where(start.notna() & end.notna(), digest)
    else:
        where = digest
    seg = doc.astype(str) + ":" + where.astype(str)
    rep = pd.DataFrame({"s": seg, "c": code, "k": coder}).astype(str)
    nth = rep.groupby(["s", "c", "k"], sort=False).cumcount().to_numpy()
    return seg.where(nth == 0, seg + "#" + pd.Series(nth + 1, index=seg.index).astype(str))


def _long(doc, seg, theme, code, coder, start, end, text, attributes, source, function,
          warn_missing=True):
    attrs = {"conference": pd.Series(pd.NA, index=doc.index, dtype="object"),
             "group_id": doc.map(stem),
             "role": pd.Series(pd.NA, index=doc.index, dtype="object"),
             "speaker": pd.Series(pd.NA, index=doc.index, dtype="object")}
    if attributes is not None:
        attrs = apply_attributes(attributes, doc, None, attrs, function=function)
    out = pd.DataFrame({
        "segment_id": seg, "conference": attrs["conference"], "group_id": attrs["group_id"],
        "speaker": attrs["speaker"], "role": attrs["role"], "theme": theme, "code": code,
        "coder": coder, "start": start, "end": end, "text": text,
        **{k: v for k, v in attrs.items() if k not in ("conference", "group_id", "role",
                                                        "speaker")},
    })
    return finalise_long(out, source=source, warn_missing=warn_missing)


def read_qualcoder_codings(path, *, attributes=None, coder: str | None = None,
                           sheet=0, warn_missing: bool = True) -> pd.DataFrame:
    """Read QualCoder's coded-text export (CSV or XLSX) into the long coding format.

    Parameters
    ----------
    path : str or os.PathLike
        The export.
    attributes : pandas.DataFrame or path, optional
        Document (file) name -> ``conference``, ``group_id``, ``role``, ``speaker``, ...
        (as in :meth:`baby_room.focus_groups.QdaProject.to_long`).
    coder : str, optional
        Coder for rows whose ``Coder`` cell is empty (default ``"not recorded"``).
    sheet : int or str, default 0
        Excel sheet.
    warn_missing : bool, default True
        Warn once when conference, group, role or speaker has no value at all.

    Returns
    -------
    pandas.DataFrame
        The canonical columns, one row per exported coding. ``theme`` is ``Category``
        (the code itself when it has none), ``group_id`` the file name without
        extension, ``start``/``end`` ``Pos0``/``Pos1`` when exported (code points,
        ``attrs["position_unit"] == "character"``). ``segment_id`` is
        ``<file>:<pos0>-<pos1>``, or ``<file>:<SHA-1 of the text>`` without positions.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "codings.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(
    ...         "Id,File,Codename,Category,Coded,Coder,Pos0,Pos1\\n"
    ...         "1,YOR-2.txt,Ratios,Staffing,one to three,Ana,10,22\\n")
    ...     long = read_qualcoder_codings(p)
    >>> long[["segment_id", "group_id", "theme", "code", "coder", "start"]].to_dict("records")
    [{'segment_id': 'YOR-2.txt:10-22', 'group_id': 'YOR-2', 'theme': 'Staffing', 'code': 'Ratios', 'coder': 'Ana', 'start': 10}]
    """
    frame = _frame(path, sheet)
    fields = _fields(frame, QUALCODER_HEADINGS, ("file", "code"), path,
                     "QualCoder coded-text export")
    _required_failures(path, frame, fields, ("file", "code"), "QualCoder coded text")
    doc = _text(frame[fields["file"]]).astype(str).str.strip()
    code = _text(frame[fields["code"]]).astype(str).str.strip()
    theme = _text(frame[fields["category"]]) if "category" in fields else pd.Series(
        None, index=frame.index, dtype="object")
    theme = theme.where(theme.notna(), code)
    text = _text(frame[fields["text"]]) if "text" in fields else pd.Series(
        None, index=frame.index, dtype="object")
    who = _text(frame[fields["coder"]]) if "coder" in fields else pd.Series(
        None, index=frame.index, dtype="object")
    who = who.where(who.notna(), coder or NOT_RECORDED)
    start = end = None
    if "start" in fields and "end" in fields:
        start = pd.to_numeric(frame[fields["start"]], errors="coerce").astype("Int64")
        end = pd.to_numeric(frame[fields["end"]], errors="coerce").astype("Int64")
    seg = _segment_ids(doc, text, start, end, code, who)
    out = _long(doc, seg, theme, code, who, start, end, text, attributes,
                f"QualCoder coded text {Path(path).name}", "read_qualcoder_codings", warn_missing)
    out.attrs["position_unit"] = "character"
    return out


def read_taguette_highlights(path, *, attributes=None, coder: str | None = None,
                             sheet=0, warn_missing: bool = True) -> pd.DataFrame:
    """Read Taguette's highlights export (CSV or XLSX) into the long coding format.

    Parameters
    ----------
    path : str or os.PathLike
        The export (``id, document, tag, content``).
    attributes : pandas.DataFrame or path, optional
        Document name -> ``conference``, ``group_id``, ``role``, ``speaker``, ...
    coder : str, optional
        The coder to record (Taguette does not record one; default ``"not recorded"``).
    sheet : int or str, default 0
        Excel sheet.
    warn_missing : bool, default True
        Warn once when conference, group, role or speaker has no value at all.

    Returns
    -------
    pandas.DataFrame
        The canonical columns, one row per highlight and tag. ``segment_id`` is the
        highlight ``id`` (one highlight with two tags is one segment with two codes);
        the tag path's first level (before ``.``) is ``theme``, its last level ``code``;
        ``start``/``end`` are missing (``attrs["position_unit"]`` is None). Highlights
        without a tag are not codings: they are left out with a warning giving their
        number.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "highlights.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(
    ...         "id,document,tag,content\\n7,LON-1,staffing.ratios,one to three\\n"
    ...         "7,LON-1,status,one to three\\n")
    ...     long = read_taguette_highlights(p, coder="Ana")
    >>> long[["segment_id", "theme", "code", "coder"]].to_dict("records")
    [{'segment_id': '7', 'theme': 'staffing', 'code': 'ratios', 'coder': 'Ana'}, {'segment_id': '7', 'theme': 'status', 'code': 'status', 'coder': 'Ana'}]
    """
    frame = _frame(path, sheet)
    fields = _fields(frame, TAGUETTE_HEADINGS, ("id", "document", "tag"), path,
                     "Taguette highlights export")
    _required_failures(path, frame, fields, ("id", "document"), "Taguette highlights")
    tag = _text(frame[fields["tag"]])
    untagged = tag.isna()
    if untagged.any():
        warnings.warn(
            f"{path}: {int(untagged.sum())} highlight row(s) carry no tag and are not codings; "
            "they are left out", UnmatchedValueWarning, stacklevel=2)
    frame, tag = frame[~untagged], tag[~untagged].astype(str)
    parts = tag.map(lambda v: [s.strip() for s in v.split(".") if s.strip()] or [v])
    doc = _text(frame[fields["document"]]).astype(str).str.strip()
    ident = frame[fields["id"]].map(lambda v: str(int(v)) if isinstance(v, float)
                                    and float(v).is_integer() else str(v).strip())
    content = _text(frame[fields["content"]]) if "content" in fields else pd.Series(
        None, index=frame.index, dtype="object")
    who = pd.Series(coder or NOT_RECORDED, index=frame.index, dtype="object")
    none = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    out = _long(doc, ident, parts.map(lambda x: x[0]), parts.map(lambda x: x[-1]), who, none,
                none, content, attributes, f"Taguette highlights {Path(path).name}",
                "read_taguette_highlights", warn_missing)
    out.attrs["position_unit"] = None
    return out
