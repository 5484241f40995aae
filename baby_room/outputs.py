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
_FIGURE_COUNT = re.compile(r"\bn\s*=\s*(\d[\d,]*)")
#: ``attrs["disclosure"]`` of a table that went through :meth:`Outputs.table`: "suppressed"
#: on the published copy, "not suppressed" on a table its author published without
#: suppression (counts of documents, not people). Displayed tables without it are suppressed.
DISCLOSURE_ATTR = "disclosure"


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
    not disclosive and is kept. Secondary suppression considers every margin that may be
    published anywhere (in this table, another table, the key findings or a figure): a
    *line* is a count column along one label dimension — the rows that share the values of
    every other label column (the non-count, non-float columns: group, statistic,
    threshold, ...) — and, with two or more count columns, a row across them. A group
    repeated on many rows of a long table is one cell of its line. When a line holds
    exactly one suppressed cell, the cell with the smallest other positive count is
    suppressed too, repeated until every line has none or at least two suppressed cells,
    so no suppressed value can be recovered by subtraction from a total. Every non-count float column (``share``,
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

    A long table repeats each group on several rows; the group is still one cell:

    >>> long = pd.DataFrame({"region": ["A", "A", "B", "B", "C", "C"],
    ...                      "statistic": ["mean", "sd"] * 3, "n": [2, 2, 30, 30, 40, 40]})
    >>> suppress_small_counts(long)["n"].isna().tolist()
    [True, True, True, True, False, False]
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
        mask = _secondary(counts, mask, out[_label_columns(out, count_columns)])
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


def _label_columns(table: pd.DataFrame, count_columns) -> list:
    """Columns that name the cells of a table (group, statistic, threshold, ...): every
    column that is neither a count nor a float (floats are estimates derived from counts)."""
    return [c for c in table.columns if c not in count_columns and c != "suppressed"
            and not pd.api.types.is_float_dtype(table[c].dtype)]


def _lines(labels: pd.DataFrame):
    """Every line along which a published total could be formed: for each label column g,
    the rows sharing the values of the other label columns, keyed by the value of g.
    A table without labels is one line of rows."""
    n = len(labels)
    if labels.shape[1] == 0:
        yield np.arange(n), np.arange(n)
        return
    codes = np.column_stack([pd.factorize(labels[c].astype(object), use_na_sentinel=False)[0]
                             for c in labels.columns])
    for g in range(codes.shape[1]):
        others = np.delete(codes, g, axis=1)
        if others.shape[1]:
            _, line_of = np.unique(others, axis=0, return_inverse=True)
            line_of = line_of.ravel()
        else:
            line_of = np.zeros(n, dtype=int)
        for line in np.unique(line_of):
            rows = np.flatnonzero(line_of == line)
            yield rows, codes[rows, g]


def _protect_line(vals: np.ndarray, line_mask: np.ndarray, keys: np.ndarray) -> np.ndarray | None:
    """Rows of a line to suppress so that its total cannot reveal a lone suppressed cell.

    Cells are the distinct ``keys`` (a group repeated on several rows of a long table is one
    cell). When exactly one cell is suppressed, the cell with the smallest positive published
    count is suppressed too; None when nothing needs to change or nothing can.
    """
    hidden = set(keys[line_mask].tolist())
    if len(hidden) != 1:
        return None
    open_cells = {}
    for k, v, m in zip(keys.tolist(), vals.tolist(), line_mask.tolist(), strict=True):
        if k not in hidden and not m and v > 0:
            open_cells[k] = min(v, open_cells.get(k, np.inf))
    if not open_cells:
        return None
    pick = min(open_cells, key=lambda k: (open_cells[k], k))
    return np.flatnonzero(keys == pick)


def _secondary(counts: np.ndarray, mask: np.ndarray, labels: pd.DataFrame | None = None
               ) -> np.ndarray:
    """Secondary suppression: repeat until no line holds exactly one suppressed cell.

    Lines are each count column along each label dimension (:func:`_lines`) and, with two
    or more count columns, each row across the count columns (a grid whose row total may be
    published).
    """
    mask = mask.copy()
    if labels is None:
        labels = pd.DataFrame(index=range(counts.shape[0]))
    lines = list(_lines(labels.reset_index(drop=True)))
    for _ in range(counts.size + 1):
        changed = False
        for j in range(counts.shape[1]):
            for rows, keys in lines:
                pick = _protect_line(counts[rows, j], mask[rows, j], keys)
                if pick is not None:
                    mask[rows[pick], j] = True
                    changed = True
        if counts.shape[1] > 1:
            cols = np.arange(counts.shape[1])
            for i in range(counts.shape[0]):
                pick = _protect_line(counts[i], mask[i], cols)
                if pick is not None:
                    mask[i, pick] = True
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
        building = os.environ.get("BABY_ROOM_MIN_CELL_COUNT")
        if threshold is None:
            threshold = int(building or "5")
        self.threshold = threshold
        self.written: list[Path] = []
        if building:  # a report build: the executed notebook is published too
            install_display_guard(threshold)

    def figure(self, fig, name: str) -> list[Path]:
        """Save ``fig`` as ``figures/<name>.png`` (200 dpi) and ``.svg``; return the paths."""
        from baby_room.style import save_figure

        safe_name(name)
        suppress_figure_counts(fig, threshold=self.threshold)
        if self.folder is None:
            return []
        paths = save_figure(fig, self.folder / "figures" / name)
        self.written += paths
        if os.environ.get("BABY_ROOM_MIN_CELL_COUNT"):  # a report build
            _show_saved_png(fig, paths[0])
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
        published.attrs[DISCLOSURE_ATTR] = "suppressed" if suppress else "not suppressed"
        if not suppress:  # its author says its counts are not about people: show them as they are
            table.attrs[DISCLOSURE_ATTR] = "not suppressed"
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


def suppress_figure_counts(fig, *, threshold: int = 5) -> int:
    """Suppress small ``n=K`` labels in a figure's tick labels and texts, with their margins.

    In each axes the ``n=K`` labels form one line of counts (the groups of one chart): a
    count below ``threshold`` becomes ``n<threshold``, and when only one is suppressed the
    smallest other becomes ``n suppressed``, so the total of the groups (published elsewhere)
    cannot reveal it. Returns the number of labels changed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_yticks([0, 1, 2], ["A (n=2)", "B (n=40)", "C (n=9)"])
    >>> suppress_figure_counts(fig)
    2
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A (n<5)', 'B (n=40)', 'C (n suppressed)']
    >>> plt.close(fig)
    """
    changed = 0
    for ax in fig.get_axes():
        sources = []  # (setter, texts)
        for axis, getter in (("x", ax.get_xticklabels), ("y", ax.get_yticklabels)):
            texts = [t.get_text() for t in getter()]
            if any(_FIGURE_COUNT.search(t) for t in texts):
                sources.append((axis, texts))
        loose = [t for t in ax.texts if _FIGURE_COUNT.search(t.get_text())]
        entries = [(src, i, m) for src in sources for i, text in enumerate(src[1])
                   for m in [_FIGURE_COUNT.search(text)] if m]
        entries += [(None, t, _FIGURE_COUNT.search(t.get_text())) for t in loose]
        if not entries:
            continue
        counts = np.array([[float(m.group(1).replace(",", ""))] for _, _, m in entries])
        primary = (counts > 0) & (counts < threshold)
        if not primary.any():
            continue
        mask = _secondary(counts, primary)[:, 0]
        for (src, where, _m), hidden, first in zip(entries, mask, primary[:, 0], strict=True):
            if not hidden:
                continue
            label = f"n<{threshold}" if first else "n suppressed"
            if src is None:
                where.set_text(_FIGURE_COUNT.sub(label, where.get_text(), count=1))
            else:
                src[1][where] = _FIGURE_COUNT.sub(label, src[1][where], count=1)
            changed += 1
        for axis, texts in sources:
            ticks = ax.get_xticks() if axis == "x" else ax.get_yticks()
            (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks, texts)
    return changed


def _show_saved_png(fig, png: Path) -> None:
    """In a report build's kernel, show the PNG just saved instead of drawing the figure a
    third time for the page (at half its 200 dpi width, the size the inline backend shows),
    and close the figure so the inline backend does not draw it again."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is None or png.suffix != ".png":
        return
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    data = png.read_bytes()
    width = int.from_bytes(data[16:20], "big")  # the PNG header's IHDR width
    display(Image(data=data, width=max(1, width // 2)))
    plt.close(fig)


def install_display_guard(threshold: int) -> bool:
    """Make an IPython kernel show every displayed table with small counts suppressed.

    Installed by :class:`Outputs` during a report build, so the executed notebook pages
    publish no count that the tables suppress. Tables that went through
    :meth:`Outputs.table` are shown as published (see :data:`DISCLOSURE_ATTR`). Returns
    False outside IPython.

    Examples
    --------
    >>> install_display_guard(5)
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook machinery
        return False
    shell = get_ipython()
    if shell is None:
        return False

    def published(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.attrs.get(DISCLOSURE_ATTR):
            return frame
        shown = suppress_small_counts(frame, threshold=threshold)
        return shown.drop(columns="suppressed") if not shown["suppressed"].any() else shown

    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(pd.DataFrame, lambda f: published(f)._repr_html_())
    formatters["text/plain"].for_type(pd.DataFrame,
                                      lambda f, p, cycle: p.text(repr(published(f))))
    return True


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
