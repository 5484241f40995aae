"""Helpers shared by the focus-group modules (private: import only inside the package).

Units of counting, code and conference order, theme lookup, position checks, and the
canonical long-table finishing step shared by every reader. Nothing here is public API.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from baby_room._args import as_columns, check_frame
from baby_room.errors import ArgumentError, DataValidationError

#: Column(s) identifying one unit of counting, per ``unit``.
UNIT_KEYS = {
    "segment": ("segment_id",),
    "speaker": ("group_id", "speaker"),
    "group": ("group_id",),
    "conference": ("conference",),
}
#: Columns that hold personal data and may never be used as a ``by`` column.
PERSONAL_COLUMNS = ("speaker", "text")
#: Row label used for the pooled ("all codes") row of agreement tables.
ALL_CODES = "(all codes)"

LEVELS = ("code", "theme")


def check_codebook(codebook, func: str) -> pd.DataFrame | None:
    """Check an optional codebook (theme, code[, definition]); return it or None."""
    if codebook is None:
        return None
    return check_frame(codebook, function=func, parameter="codebook", columns=["theme", "code"],
                       what="a codebook table (theme, code, definition) or None")


def require_columns(coding: pd.DataFrame, columns: Sequence[str], func: str, why: str = "") -> None:
    """Raise ArgumentError naming every column ``func`` needs that ``coding`` lacks."""
    missing = [col for col in dict.fromkeys(columns) if col not in coding.columns]
    if missing:
        raise ArgumentError(
            func, "data", f"a coding table with column(s) {', '.join(map(repr, missing))}{why}",
            coding)


def select_coders(coding: pd.DataFrame, coders, func: str) -> pd.DataFrame:
    """Keep the rows of the given coder(s); ``None`` keeps every coder."""
    if coders is None:
        return coding
    wanted = as_columns(coders, function=func, parameter="coders")
    present = sorted(set(coding["coder"].dropna().astype(str)))
    unknown = [c for c in wanted if c not in present]
    if unknown:
        raise ArgumentError(func, "coders", "coder names present in data", coders,
                            hint=f"Coders present: {', '.join(map(repr, present))}")
    return coding[coding["coder"].astype(str).isin(wanted)]


def natural_key(text) -> tuple:
    """Sort key putting "YOR-2" before "YOR-10"."""
    parts = re.split(r"(\d+)", str(text))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p != "")


def code_order(coding: pd.DataFrame, codebook: pd.DataFrame | None, level: str) -> list[str]:
    """Codes (or themes) in presentation order: codebook order, else sorted by theme then code."""
    col = level
    if codebook is not None:
        order = list(dict.fromkeys(codebook[col].dropna().astype(str)))
        extra = sorted(set(map(str, coding[col].dropna().unique())) - set(order))
        return order + extra
    series = coding[col]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.cat.categories]
    if level == "code" and "theme" in coding.columns:
        pairs = coding[["theme", "code"]].dropna(subset=["code"]).drop_duplicates()
        pairs = pairs.astype(str).drop_duplicates().sort_values(["theme", "code"])
        return list(dict.fromkeys(pairs["code"]))
    return sorted(set(map(str, series.dropna().unique())))


def theme_of(coding: pd.DataFrame, codebook: pd.DataFrame | None) -> dict[str, str]:
    """Map code -> theme from the codebook, else from the coding frame's theme column."""
    mapping: dict[str, str] = {}
    if "theme" in coding.columns:
        pairs = coding[["code", "theme"]].dropna().drop_duplicates("code")
        pairs = pairs.astype(str).drop_duplicates("code")
        mapping.update(zip(pairs["code"], pairs["theme"], strict=True))
    if codebook is not None and {"code", "theme"} <= set(codebook.columns):
        pairs = codebook[["code", "theme"]].dropna().astype(str).drop_duplicates("code")
        mapping.update(zip(pairs["code"], pairs["theme"], strict=True))
    return mapping


def with_theme(coding: pd.DataFrame, codebook: pd.DataFrame | None, func: str) -> pd.DataFrame:
    """Return ``coding`` with a string ``theme`` column (from the codebook where given)."""
    if codebook is None:
        require_columns(coding, ["theme"], func, " at level='theme' (or pass codebook=)")
        return coding
    mapping = theme_of(coding, codebook)
    out = coding.copy()
    out["theme"] = out["code"].astype(str).map(mapping).astype("string")
    return out


def conference_order(coding: pd.DataFrame) -> list[str]:
    col = coding["conference"]
    if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered:
        return [str(c) for c in col.cat.categories]
    from baby_room.codebook import CONFERENCES

    present = list(dict.fromkeys(col.dropna().astype(str)))
    known = [c for c in CONFERENCES if c in present]
    return known + sorted(c for c in present if c not in known)


def refuse_personal(by_cols: list[str], func: str) -> None:
    """Refuse personal-data columns (speaker, text) as ``by`` groups."""
    bad = [c for c in by_cols if c in PERSONAL_COLUMNS]
    if bad:
        raise ArgumentError(
            func, "by", "columns other than speaker and text (personal data)", bad,
            hint="Count participants with unit='speaker' instead.")


def positions(df: pd.DataFrame, func: str) -> pd.DataFrame:
    """Validated integer start/end; raises DataValidationError listing bad rows."""
    start = pd.to_numeric(df["start"], errors="coerce")
    end = pd.to_numeric(df["end"], errors="coerce")
    bad_missing = start.isna() | end.isna()
    bad_order = ~bad_missing & (end < start)
    if bad_missing.any() or bad_order.any():
        rows = []
        for i in df.index[bad_missing]:
            rows.append((i, "start/end", f"{df.at[i, 'start']}-{df.at[i, 'end']}",
                         f"{func}: positional analysis needs start and end"))
        for i in df.index[bad_order]:
            rows.append((i, "end", int(end[i]), f"{func}: end must not be before start"))
        failures = pd.DataFrame(rows, columns=["row", "column", "value", "check"])
        failures.insert(0, "file", df.attrs.get("file"))
        raise DataValidationError(failures, kind="focus-group coding positions")
    return df.assign(start=start.astype("int64"), end=end.astype("int64"))


def merge_intervals(iv: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Union of [start, end) intervals within each key group (disjoint, sorted)."""
    iv = iv.sort_values([*keys, "start", "end"]).reset_index(drop=True)
    if iv.empty:
        return iv
    new_group = (iv[keys] != iv[keys].shift()).any(axis=1).to_numpy()
    prev_end = iv.groupby(keys, sort=False)["end"].cummax().shift().to_numpy()
    starts = iv["start"].to_numpy()
    brk = new_group | ~(starts <= np.nan_to_num(prev_end.astype("float64"), nan=-1))
    run = np.cumsum(brk)
    merged = iv.groupby(run).agg(
        **{k: (k, "first") for k in keys}, start=("start", "min"), end=("end", "max")
    )
    return merged.reset_index(drop=True)



def coder_labels(coders) -> dict[str, str]:
    """Pseudonyms for coder names: ``"Coder 1"``, ``"Coder 2"``, ... in sorted name order.

    Coder names are personal data (issue 16): agreement tables and figures show these
    labels unless the caller asks for names.

    Examples
    --------
    >>> coder_labels(["Bea", "Ana", "Bea"])
    {'Ana': 'Coder 1', 'Bea': 'Coder 2'}
    """
    names = sorted({str(c) for c in coders if c is not None and not pd.isna(c)})
    return {name: f"Coder {i}" for i, name in enumerate(names, 1)}
