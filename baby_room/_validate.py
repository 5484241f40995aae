"""Codebook-driven conversion and validation shared by the three loaders.

``canonicalise`` turns a :class:`~baby_room._io.RawTable` into a typed canonical
DataFrame and collects *every* problem in one pass: missing required columns,
values of the wrong type, out-of-range numbers, unknown categories, missing
required values, duplicate identifiers, and the data set's own cross-field rules.
Nothing is coerced to missing silently: a value that cannot be converted is a
failure. ``finish`` then raises one :class:`~baby_room.errors.DataValidationError`
or, when asked, sets the failing rows aside (kept, with their reasons).
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from baby_room._io import RawTable
from baby_room.codebook import LIKERT_LEVELS, Column, Schema, normalise_header, normalise_label
from baby_room.errors import FAILURE_COLUMNS, DataValidationError, RowsSetAsideWarning

ON_ERROR = ("raise", "set_aside")

_TRUE = {"yes", "y", "true", "t", "1", "1_0"}
_FALSE = {"no", "n", "false", "f", "0", "0_0"}


class Failures:
    """Collects failures as small vectorised DataFrames (file, row, column, value, check)."""

    def __init__(self, file: str):
        self.file = file
        self.parts: list[pd.DataFrame] = []

    def add(self, rows, column, values, check: str) -> None:
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        values = list(values) if not np.isscalar(values) else [values] * rows.size
        self.parts.append(
            pd.DataFrame(
                {
                    "file": self.file,
                    "row": pd.array(rows, dtype="Int64"),
                    "column": column,
                    "value": pd.Series(values, dtype=object),
                    "check": check,
                }
            )
        )

    def add_column(self, column: str, check: str) -> None:
        self.parts.append(
            pd.DataFrame(
                {"file": [self.file], "row": pd.array([None], dtype="Int64"), "column": [column],
                 "value": pd.Series([None], dtype=object), "check": [check]}
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS}).astype(
                {"row": "Int64"}
            )
        out = pd.concat(self.parts, ignore_index=True)
        return out.sort_values(["row", "column"], na_position="first", kind="stable").reset_index(
            drop=True
        )


def rename_columns(raw: RawTable, schema: Schema, columns: Mapping[str, str] | None,
                   failures: Failures) -> tuple[pd.DataFrame, list[str]]:
    """Map the file's headers to canonical names.

    The user's ``columns`` mapping ({their header: canonical name}) is applied first;
    remaining headers are matched to canonical names and aliases after
    :func:`~baby_room.codebook.normalise_header`. Returns the renamed frame (only
    canonical columns) and the headers that were not used.
    """
    frame = raw.data
    mapping: dict[str, str] = {}
    if columns:
        for theirs, ours in columns.items():
            if ours not in schema:
                failures.add_column(
                    str(ours),
                    f"column mapping: {ours!r} is not a canonical {schema.kind} column "
                    f"(allowed: {', '.join(schema.names)})",
                )
            elif theirs not in frame.columns:
                failures.add_column(
                    str(theirs),
                    f"column mapping names {theirs!r}, which is not in the file "
                    f"(columns: {', '.join(map(str, frame.columns))})",
                )
            else:
                mapping[theirs] = ours
    lookup = schema.header_lookup()
    taken = set(mapping.values())
    for header in frame.columns:
        if header in mapping:
            continue
        canonical = lookup.get(normalise_header(header))
        if canonical and canonical not in taken:
            mapping[header] = canonical
            taken.add(canonical)
    unused = [str(h) for h in frame.columns if h not in mapping]
    renamed = frame[list(mapping)].rename(columns=mapping)
    for name in schema.required:
        if name not in renamed.columns:
            failures.add_column(name, "required column missing")
    return renamed, unused


def _as_text(s: pd.Series) -> pd.Series:
    """Values as stripped strings, with blanks and None as missing (vectorised)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    text = s.astype("string").str.strip()
    return text.mask(text == "")


class _Distinct:
    """A column seen as its distinct values (stripped text) and each row's code.

    Conversions and checks run once per distinct value and are expanded to the rows
    with one ``take``: a million-row survey has only a few dozen distinct group sizes.
    The last slot of every per-value array stands for a missing cell.
    """

    def __init__(self, raw: pd.Series):
        try:
            codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        except TypeError:  # unhashable cells (lists, arrays, dicts): judged by their text
            as_text = raw.map(lambda v: None if v is None else str(v))
            codes, uniques = pd.factorize(as_text, use_na_sentinel=True)
        text = []
        for u in uniques:
            t = str(u).strip()
            text.append(t or None)
        self.size = len(text)
        self.codes = np.where(codes < 0, self.size, codes)
        self.text = np.array([*text, None], dtype=object)

    def per_value(self, values, missing=None) -> np.ndarray:
        return np.asarray([*values, missing], dtype=object)

    def expand(self, per_value: np.ndarray) -> np.ndarray:
        return np.asarray(per_value)[self.codes]

    @property
    def present(self) -> np.ndarray:
        return self.expand(np.array([t is not None for t in self.text]))

    def report(self, mask_per_value: np.ndarray, rows, failures: Failures, column: str,
               check: str) -> None:
        mask = self.expand(mask_per_value)
        if mask.any():
            failures.add(rows[mask], column, self.text[self.codes[mask]], check)


def convert_column(raw: pd.Series, col: Column, rows: np.ndarray, failures: Failures) -> pd.Series:
    """Convert one raw column to its codebook type, recording values that break a rule.

    Nothing is coerced to missing silently: a value that cannot be converted is a
    failure (and is missing in the converted column).
    """
    if col.dtype == "string":
        if raw.dtype == object:  # lists, dicts or arrays (Parquet, DataFrames) are not text
            nested = raw.map(lambda v: isinstance(v, list | tuple | dict | set | np.ndarray))
            nested = nested.to_numpy(dtype=bool)
            failures.add(rows[nested], col.name, raw[nested].map(str), "type: expected text")
            raw = raw.mask(nested, None)
        out = _as_text(raw)
        present = out.notna().to_numpy()
    else:
        d = _Distinct(raw)
        present = d.present
        text = d.text
        if col.dtype in {"int", "float"}:
            cleaned = pd.Series([t.replace(",", "") if t is not None else None for t in text],
                                dtype=object)
            num = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
            d.report((text != None) & np.isnan(num), rows, failures, col.name,  # noqa: E711
                     "type: expected a number" if col.dtype == "float"
                     else "type: expected a whole number")
            if col.dtype == "int":
                huge = np.isfinite(num) & (np.abs(num) >= 2**53) | np.isinf(num)
                d.report(huge, rows, failures, col.name, "range: number too large")
                num = np.where(huge, np.nan, num)
                frac = np.isfinite(num) & (num % 1 != 0)
                d.report(frac, rows, failures, col.name, "type: expected a whole number")
                num = np.where(frac, np.nan, num)
            _check_range(num, col, d, rows, failures)
            values = d.expand(num).astype(float)
            out = pd.array(values, dtype="Float64")
            out = pd.Series(out if col.dtype == "float" else out.round().astype("Int64"),
                            name=col.name)
        elif col.dtype == "bool":
            keys = [normalise_label(t) if t is not None else None for t in text]
            truth = [True if k in _TRUE else False if k in _FALSE else None for k in keys]
            d.report(np.array([t is not None and v is None for t, v in zip(text, truth,
                                                                              strict=True)]),
                     rows, failures, col.name, "type: expected yes/no (true/false, 1/0)")
            out = pd.Series(pd.array(d.expand(np.array(truth, dtype=object)), dtype="boolean"),
                            name=col.name)
        elif col.dtype == "category":
            out = _to_category(d, col, rows, failures)
        elif col.dtype == "date":
            parsed = pd.to_datetime(pd.Series(text, dtype=object), format="ISO8601",
                                    errors="coerce")
            d.report((text != None) & parsed.isna().to_numpy(), rows, failures,  # noqa: E711
                     col.name, "type: expected a date as YYYY-MM-DD")
            out = pd.Series(parsed.to_numpy()[d.codes], name=col.name)
        else:  # pragma: no cover - codebook is fixed
            raise ValueError(f"unknown dtype {col.dtype!r} in codebook for {col.name}")
    if not col.nullable:
        missing = ~present
        failures.add(rows[missing], col.name, [None] * int(missing.sum()), "required value missing")
    return out


def _check_range(num: np.ndarray, col: Column, d: _Distinct, rows, failures: Failures) -> None:
    hi = col.max
    if col.name == "year" and hi is None:
        hi = _dt.date.today().year
    with np.errstate(invalid="ignore"):
        if col.min is not None:
            d.report(num < col.min, rows, failures, col.name, f"range: must be at least {col.min:g}")
        if hi is not None:
            d.report(num > hi, rows, failures, col.name, f"range: must be at most {hi:g}")


def _to_category(d: _Distinct, col: Column, rows, failures: Failures) -> pd.Series:
    cats = list(col.categories or ())
    lookup = {normalise_label(c): i for i, c in enumerate(cats)}
    if tuple(cats) == LIKERT_LEVELS:
        lookup.update({str(i + 1): i for i in range(len(cats))})
        lookup.update({f"{i + 1}_0": i for i in range(len(cats))})
    code_of = np.array([lookup.get(normalise_label(t), -2) if t is not None else -1
                        for t in d.text])
    d.report(code_of == -2, rows, failures, col.name, f"category: must be one of {', '.join(cats)}")
    codes = np.where(code_of < 0, -1, code_of)[d.codes]
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=col.ordered),
                     name=col.name)


def canonicalise(raw: RawTable, schema: Schema, *, columns: Mapping[str, str] | None = None,
                 cross_checks: Callable[[pd.DataFrame, np.ndarray, Failures], None] | None = None,
                 source: str | None = None, synthetic: bool = False):
    """Rename, type and validate a raw table against a schema.

    Returns
    -------
    frame : pandas.DataFrame
        Canonical columns in codebook order (absent optional columns are added as missing).
    failures : pandas.DataFrame
        Columns ``file, row, column, value, check``.
    unused : list of str
        File headers that did not map to a canonical column (not loaded).
    """
    failures = Failures(raw.path)
    renamed, unused = rename_columns(raw, schema, columns, failures)
    out = {}
    for col in schema.columns:
        if col.name in renamed.columns:
            out[col.name] = convert_column(renamed[col.name], col, raw.rows, failures)
        else:
            out[col.name] = _empty(col, len(renamed))
    frame = pd.DataFrame(out)
    if schema.key and all(k in renamed.columns for k in schema.key):
        dup = frame.duplicated(list(schema.key), keep=False).to_numpy()
        dup = dup & frame[list(schema.key)].notna().all(axis=1).to_numpy()
        keyvals = frame.loc[dup, list(schema.key)].astype(str).agg(" / ".join, axis=1)
        failures.add(raw.rows[dup], " + ".join(schema.key), keyvals,
                     "duplicate identifier: the same key appears in more than one row")
    if cross_checks is not None:
        cross_checks(_without_failed_cells(frame, raw.rows, failures.frame()), raw.rows, failures)
    frame.attrs.update(
        source=source or schema.title, synthetic=synthetic, file=raw.path, format=raw.format
    )
    return frame, failures.frame(), unused


def _without_failed_cells(frame: pd.DataFrame, rows: np.ndarray, failed: pd.DataFrame):
    """A copy with the cells that already failed a check set to missing.

    Cross-field rules then judge only valid values (a negative staff count is
    reported once, by its range check, not again by every rule that uses it).
    """
    cell = failed[failed["row"].notna() & failed["column"].isin(frame.columns)]
    if cell.empty:
        return frame
    out = frame.copy()
    positions = pd.Index(rows).get_indexer(cell["row"].to_numpy(dtype="int64"))
    for column, pos in pd.Series(positions, index=cell.index).groupby(cell["column"]):
        out.iloc[pos.to_numpy(), out.columns.get_loc(column)] = None
    return out


def _empty(col: Column, n: int) -> pd.Series:
    if col.dtype == "category":
        return pd.Series(pd.Categorical([None] * n, categories=list(col.categories or ()),
                                        ordered=col.ordered), name=col.name)
    dtype = {"string": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
             "date": "datetime64[ns]"}[col.dtype]
    return pd.Series([None] * n, dtype=dtype, name=col.name)


def finish(frame: pd.DataFrame, failures: pd.DataFrame, rows: np.ndarray, *, kind: str,
           on_error: str) -> pd.DataFrame:
    """Raise all failures at once, or set failing rows aside with their reasons.

    With ``on_error="set_aside"`` the returned frame keeps the clean rows and
    ``frame.attrs["set_aside"]`` (a :class:`SetAside`; read it with :func:`set_aside_rows`)
    holds the failing rows (canonical values, the source ``row`` and the ``reasons``); a :class:`RowsSetAsideWarning` gives the count.
    Column-level failures (a required column missing) cannot be set aside and always raise.
    """
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}; got {on_error!r}")
    frame.attrs["set_aside"] = _empty_set_aside(frame)
    if failures.empty:
        return frame
    column_level = failures["row"].isna()
    if on_error == "raise" or column_level.any():
        raise DataValidationError(failures, kind=kind)
    reasons = (
        failures.assign(reason=failures["column"].astype(str) + ": " + failures["check"])
        .groupby("row")["reason"]
        .agg("; ".join)
    )
    bad = np.isin(rows, reasons.index.to_numpy(dtype="int64"))
    aside = frame.loc[bad].copy()
    aside.insert(0, "row", rows[bad])
    aside["reasons"] = aside["row"].map(reasons)
    aside.attrs = {}
    kept = frame.loc[~bad].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    kept.attrs["set_aside"] = SetAside(aside.reset_index(drop=True))
    warnings.warn(
        f"{int(bad.sum())} of {len(frame)} {kind} rows failed validation and were set aside "
        f"(see baby_room.set_aside_rows(result) for the rows and reasons)",
        RowsSetAsideWarning,
        stacklevel=3,
    )
    return kept


class SetAside:
    """Rows set aside by validation, kept in ``frame.attrs["set_aside"]`` of the loaded table.

    ``.frame`` is a DataFrame of the failing rows (canonical values) with their source
    ``row`` and ``reasons``. The holder compares by identity and is shared, not copied,
    when pandas copies ``attrs`` — so the loaded table can be concatenated, sliced and
    recombined freely. Use :func:`set_aside_rows` to get the DataFrame.
    """

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"<{len(self.frame)} rows set aside by validation; see .frame>"


def set_aside_rows(data: pd.DataFrame) -> pd.DataFrame:
    """The rows a loader set aside (``on_error="set_aside"``), with ``row`` and ``reasons``.

    Parameters
    ----------
    data : pandas.DataFrame
        A table returned by a loader.

    Returns
    -------
    pandas.DataFrame
        The failing rows: ``row`` (as numbered in the source file), the canonical
        columns, ``reasons``. Empty when nothing was set aside.

    Examples
    --------
    >>> import baby_room as br
    >>> len(br.set_aside_rows(br.synthetic.survey()))
    0
    """
    holder = data.attrs.get("set_aside")
    if holder is None:
        return pd.DataFrame(columns=["row", "reasons"])
    return holder.frame


def _empty_set_aside(frame: pd.DataFrame) -> SetAside:
    empty = frame.iloc[0:0].copy()
    empty.insert(0, "row", pd.Series(dtype="int64"))
    empty["reasons"] = pd.Series(dtype="string")
    empty.attrs = {}
    return SetAside(empty)
