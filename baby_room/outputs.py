"""Safe export of figures and tables: the only way notebooks write results.

:class:`Outputs` is what a notebook calls to save a figure or a table. When its
folder is None (interactive use) it only returns what it would write. Every table
goes through the same checks:

- **no personal data**: a table holding a personal or identifier column of the
  codebook (free text, speaker names, respondent/setting/segment identifiers)
  is refused with an error;
- **disclosure control**: counts below a threshold (default 5) are suppressed,
  with secondary suppression so that a suppressed cell cannot be recovered from
  a row or column total (see :func:`suppress_small_counts`);
- **spreadsheet-formula safety**: text cells beginning with ``=``, ``+``, ``-`` or
  ``@`` (and tab or carriage return) are prefixed with ``'`` so Excel does not run them,
  and control characters a spreadsheet cannot hold are removed;
- **paths stay inside the output folder**: names are plain file stems.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room.codebook import SCHEMAS
from baby_room.errors import BabyRoomError

#: Column names treated as counts for disclosure control unless told otherwise.
COUNT_COLUMN_PATTERN = re.compile(r"^(n|count|rooms|respondents|items|participants|n_.*|.*_n)$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def private_columns() -> set[str]:
    """Canonical columns that must never be exported (personal data and identifiers).

    Examples
    --------
    >>> sorted(private_columns())[:4]
    ['comments', 'respondent_id', 'room_id', 'segment_id']
    """
    return {name for s in SCHEMAS.values() for name in s.private}


def check_no_private_columns(table: pd.DataFrame, name: str = "table") -> None:
    """Raise when a table about to be exported holds a personal or identifier column.

    Examples
    --------
    >>> import pandas as pd
    >>> check_no_private_columns(pd.DataFrame({"region": ["London"], "n": [7]}))
    >>> check_no_private_columns(pd.DataFrame({"comments": ["..."]}))
    Traceback (most recent call last):
    ...
    baby_room.errors.BabyRoomError: table: refusing to export personal or identifier columns: comments
    """
    cols = {str(c) for c in table.columns}
    if isinstance(table.index, pd.MultiIndex):
        cols |= {str(n) for n in table.index.names if n}
    elif table.index.name:
        cols.add(str(table.index.name))
    bad = sorted(cols & private_columns())
    if bad:
        raise BabyRoomError(
            f"{name}: refusing to export personal or identifier columns: {', '.join(bad)}"
        )


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'``.

    Only text cells change; numbers (including negative numbers) are left alone.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"a": ["=cmd|' /C calc'!A0", "ok", "-1+2"], "b": [-1, 2, 3]}))
                        a  b
    0  '=cmd|' /C calc'!A0 -1
    1                  ok  2
    2               '-1+2  3
    """
    out = table.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            # only text cells: a number in a mixed object column is left as it is
            risky = np.array([isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in s],
                             dtype=bool)
            if risky.any():
                s = s.astype(object).copy()
                s[risky] = ["'" + v for v in s[risky]]
                out[col] = s
    return out


def strip_control_characters(table: pd.DataFrame) -> pd.DataFrame:
    """Remove control characters that a spreadsheet file cannot hold from text cells.

    Tab, line feed and carriage return are kept; the others (``\\x00``-``\\x08``,
    ``\\x0b``, ``\\x0c``, ``\\x0e``-``\\x1f``) are illegal in Excel's XML and are dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> strip_control_characters(pd.DataFrame({"a": ["a\\x01b", "ok"]}))["a"].tolist()
    ['ab', 'ok']
    """
    out = table.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            dirty = np.array([isinstance(v, str) and bool(_CONTROL.search(v)) for v in s],
                             dtype=bool)
            if dirty.any():
                s = s.astype(object).copy()
                s[dirty] = [_CONTROL.sub("", v) for v in s[dirty]]
                out[col] = s
    return out


def suppress_small_counts(table: pd.DataFrame, *, count_columns=None, threshold: int = 5,
                          secondary: bool = True) -> pd.DataFrame:
    """Suppress counts below ``threshold`` (primary) and enough others to protect them (secondary).

    Primary suppression: a count ``0 < n < threshold`` is replaced by missing. Zero is
    not disclosive and is kept. Secondary suppression (for tables with two or more
    count columns read as a grid, or one count column with a total row): when a row
    or column holds exactly one suppressed cell, the smallest other positive count in
    that row or column is suppressed too, repeated until every row and column has
    none or at least two suppressed cells, so no suppressed value can be recovered by
    subtraction from a published total. Every non-count float column (``share``,
    ``percent``, ``ci_low``, ...) on a row with a suppressed count is suppressed with it,
    since it could reveal the count.
    A boolean column ``suppressed`` marks the rows affected.

    Parameters
    ----------
    table : pandas.DataFrame
    count_columns : list of str, optional
        Columns holding counts; default: columns whose names look like counts
        (``n``, ``count``, ``rooms``, ``respondents``, ``items``, ``n_*``).
    threshold : int, default 5
        Smallest count that may be published.
    secondary : bool, default True
        Apply secondary suppression.

    Returns
    -------
    pandas.DataFrame
        A copy with suppressed cells set to missing (``Float64``/``Int64``).

    References
    ----------
    Office for National Statistics (2021), *Statistical Disclosure Control policy for
    tables*; Hundepool et al. (2012), *Statistical Disclosure Control*, ch. 4.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"region": ["A", "B", "C"], "n": [12, 3, 40], "share": [0.2, 0.05, 0.75]})
    >>> suppress_small_counts(t)
      region     n  share  suppressed
    0      A  <NA>   <NA>        True
    1      B  <NA>   <NA>        True
    2      C    40   0.75       False
    """
    if count_columns is None:
        count_columns = [c for c in table.columns if COUNT_COLUMN_PATTERN.match(str(c))
                         and pd.api.types.is_numeric_dtype(table[c].dtype)]
    out = table.copy()
    if not count_columns:
        out["suppressed"] = False
        return out
    counts = out[count_columns].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    mask = (counts > 0) & (counts < threshold)
    if secondary and mask.any():
        mask = _secondary(counts, mask)
    row_hit = mask.any(axis=1)
    derived = [c for c in out.columns if c not in count_columns
               and pd.api.types.is_float_dtype(out[c].dtype)]
    for j, col in enumerate(count_columns):
        out[col] = out[col].astype("Float64" if pd.api.types.is_float_dtype(out[col].dtype)
                                   else "Int64").mask(mask[:, j])
    for col in derived:  # shares, percentages and CIs could reveal a suppressed count
        out[col] = out[col].astype("Float64").mask(row_hit)
    out["suppressed"] = row_hit
    return out


def _secondary(counts: np.ndarray, mask: np.ndarray) -> np.ndarray:
    mask = mask.copy()
    if counts.shape[1] == 1:
        # one count column: the column total would reveal a single suppressed cell
        col = counts[:, 0]
        if mask[:, 0].sum() == 1:
            candidates = np.where(~mask[:, 0] & (col > 0), col, np.inf)
            if np.isfinite(candidates).any():
                mask[np.argmin(candidates), 0] = True
        return mask
    for _ in range(counts.size):
        changed = False
        for axis in (0, 1):
            lines = mask.sum(axis=axis)
            for k in np.flatnonzero(lines == 1):
                vals = counts[:, k] if axis == 0 else counts[k, :]
                line_mask = mask[:, k] if axis == 0 else mask[k, :]
                candidates = np.where(~line_mask & (vals > 0), vals, np.inf)
                if np.isfinite(candidates).any():
                    i = int(np.argmin(candidates))
                    if axis == 0:
                        mask[i, k] = True
                    else:
                        mask[k, i] = True
                    changed = True
        if not changed:
            break
    return mask


def safe_name(name: str) -> str:
    """Check an output name is a plain file stem (no folders, no ``..``); return it.

    Examples
    --------
    >>> safe_name("survey-group-size")
    'survey-group-size'
    >>> safe_name("../x")
    Traceback (most recent call last):
    ...
    baby_room.errors.BabyRoomError: output name must be a plain file name of letters, digits, '-', '_' or '.'; got '../x'
    """
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise BabyRoomError(
            f"output name must be a plain file name of letters, digits, '-', '_' or '.'; got {name!r}"
        )
    return name


class Outputs:
    """Where a notebook saves its figures and tables (nothing is written when ``folder`` is None).

    Parameters
    ----------
    folder : str or os.PathLike, optional
        Output folder; figures go to ``folder/figures``, tables to ``folder/tables``.
    threshold : int, optional
        Disclosure-control threshold for counts in tables; default: the environment
        variable ``BABY_ROOM_MIN_CELL_COUNT`` (set by the report build), else 5.

    Examples
    --------
    >>> import pandas as pd
    >>> out = Outputs(None)
    >>> out.table(pd.DataFrame({"region": ["A", "B"], "n": [10, 2]}), "demo")["n"].tolist()
    [<NA>, <NA>]
    """

    def __init__(self, folder=None, *, threshold: int | None = None):
        self.folder = Path(folder) if folder is not None else None
        if threshold is None:
            threshold = int(os.environ.get("BABY_ROOM_MIN_CELL_COUNT", "5"))
        self.threshold = threshold
        self.written: list[Path] = []

    def figure(self, fig, name: str) -> list[Path]:
        """Save ``fig`` as ``figures/<name>.png`` (200 dpi) and ``.svg``; return the paths."""
        from baby_room.style import save_figure

        safe_name(name)
        if self.folder is None:
            return []
        paths = save_figure(fig, self.folder / "figures" / name)
        self.written += paths
        return paths

    def table(self, table: pd.DataFrame, name: str, *, count_columns=None,
              suppress: bool = True, index: bool = False) -> pd.DataFrame:
        """Check, suppress small counts, neutralise formulas, and save as CSV and Excel.

        Returns the table as published (after suppression), for display.
        """
        safe_name(name)
        check_no_private_columns(table, name)
        published = (suppress_small_counts(table, count_columns=count_columns,
                                           threshold=self.threshold) if suppress else table.copy())
        published.attrs = dict(table.attrs)
        if self.folder is None:
            return published
        folder = self.folder / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        export = neutralise_formulas(strip_control_characters(published))
        csv_path = folder / f"{name}.csv"
        # RFC 4180 line ends: the writer then also quotes a text cell holding a bare CR
        export.to_csv(csv_path, index=index, lineterminator="\r\n")
        xlsx_path = folder / f"{name}.xlsx"
        _write_xlsx(export, xlsx_path, index=index)
        self.written += [csv_path, xlsx_path]
        return published


def _write_xlsx(frame: pd.DataFrame, path: Path, *, index: bool) -> None:
    """Write an Excel file with fixed metadata so rebuilds are byte-identical."""
    import datetime as dt
    import zipfile

    frame.to_excel(path, index=index, engine="openpyxl")
    # openpyxl stamps creation/modification times and zip entry times: normalise them
    fixed = dt.datetime(2000, 1, 1).isoformat() + "Z"
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for filename, data in entries:
            if filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms)",
                              rb"\g<1>" + fixed.encode() + rb"\g<3>", data)
            info = zipfile.ZipInfo(filename, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
