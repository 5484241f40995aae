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
import difflib
import re
import warnings
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from baby_room._io import RawTable, release_parser_memory
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

    def add(self, rows, column, values, check) -> None:
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        values = list(values) if not np.isscalar(values) else [values] * rows.size
        check = check if isinstance(check, str) else pd.Series(list(check), dtype=object)
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


@dataclass(frozen=True)
class Rules:
    """Value rules of a mapping file, applied to each column before its type is checked.

    ``missing_all`` and ``missing[column]`` hold label keys (:func:`label_key`) that mean
    "no answer"; ``values[column]`` maps a label key to the canonical value;
    ``decimal`` is the decimal mark of the file's numbers (``"."`` or ``","``).
    ``missing_all`` is not applied to identifier columns.
    """

    missing_all: frozenset = frozenset()
    missing: Mapping[str, frozenset] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    decimal: str = "."

    def for_column(self, col: Column) -> tuple[frozenset, Mapping[str, str]]:
        missing = frozenset(self.missing.get(col.name, frozenset()))
        if not col.identifier:
            missing = missing | self.missing_all
        return missing, self.values.get(col.name, {})


def label_key(text) -> str:
    """How answer labels are compared: outer and repeated spaces ignored, case folded.

    Examples
    --------
    >>> label_key("  Private  day Nursery ")
    'private day nursery'
    """
    return " ".join(str(text).split()).casefold()


def _header_key(text) -> str:
    return " ".join(str(text).split())


def rename_columns(raw: RawTable, schema: Schema, columns: Mapping[str, str] | None,
                   failures: Failures) -> tuple[pd.DataFrame, list[str]]:
    """Map the file's headers to canonical names.

    The ``columns`` mapping ({their header: canonical name}) is applied first; a key may
    be the header, the question text of the column (a Qualtrics export's second header
    row, an SPSS variable label) or its Qualtrics ImportId. Remaining headers are matched
    to canonical names and aliases after :func:`~baby_room.codebook.normalise_header`,
    by the header, then by the question text. Two headers that would become one canonical
    column, or a mapping that sends two headers to one, are failures naming both.
    Returns the renamed frame (only canonical columns) and the headers that were not used.
    """
    frame = raw.data
    headers = list(frame.columns)
    mapping: dict[str, str] = {}
    if columns:
        by_key = {}
        for h in headers:
            for key in (h, raw.questions.get(h), raw.import_ids.get(h)):
                if key is not None:
                    by_key.setdefault(_header_key(key), h)
                    by_key.setdefault(_header_key(key).casefold(), h)
        targets: dict[str, str] = {}
        for theirs, ours in columns.items():
            header = by_key.get(_header_key(theirs), by_key.get(_header_key(theirs).casefold()))
            if not isinstance(ours, str) or ours not in schema:
                failures.add_column(
                    str(ours),
                    f"column mapping: {ours!r} is not a canonical {schema.kind} column "
                    f"(allowed: {', '.join(schema.names)})",
                )
            elif header is None:
                failures.add_column(
                    str(theirs),
                    f"column mapping names {theirs!r}, which is not in the file "
                    f"(columns: {_show_headers(headers)})",
                )
            elif ours in targets and targets[ours] != header:
                failures.add_column(
                    ours, f"column mapping sends two headers to {ours}: {targets[ours]!r} and "
                          f"{header!r}; map only one of them")
            elif header in mapping and mapping[header] != ours:
                failures.add_column(
                    str(theirs), f"column mapping sends {header!r} to two columns: "
                                 f"{mapping[header]} and {ours}")
            else:
                mapping[header] = ours
                targets[ours] = header
    lookup = schema.header_lookup()
    explicit = set(mapping.values())
    auto: dict[str, list[str]] = {}
    for header in headers:
        if header in mapping:
            continue
        canonical = lookup.get(normalise_header(header))
        if canonical is None and header in raw.questions:
            canonical = lookup.get(normalise_header(raw.questions[header]))
        if canonical and canonical not in explicit:
            auto.setdefault(canonical, []).append(header)
    for canonical, found in auto.items():
        if len(found) > 1:
            failures.add_column(
                canonical, f"ambiguous headers: {' and '.join(map(repr, found))} all mean "
                           f"{canonical}; rename or delete all but one, or map one of them "
                           "(columns= or the mapping file)")
        else:
            mapping[found[0]] = canonical
    unused = [str(h) for h in headers if h not in mapping]
    renamed = frame[list(mapping)].rename(columns=mapping)
    for name in schema.required:
        if name not in renamed.columns and name not in auto:
            failures.add_column(name, f"required column missing; the file's columns are: "
                                      f"{_show_headers(headers)}")
    return renamed, unused


def _show_headers(headers, limit: int = 40) -> str:
    shown = ", ".join(repr(str(h)) for h in headers[:limit])
    return shown + (f" ... ({len(headers)} in all)" if len(headers) > limit else "")


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

    def recode(self, missing_keys, value_map) -> None:
        """Labels listed as missing become missing; mapped labels become their target."""
        for i, t in enumerate(self.text[:-1]):
            if t is None:
                continue
            key = label_key(t)
            if key in missing_keys:
                self.text[i] = None
            elif key in value_map:
                self.text[i] = str(value_map[key])

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


#: Characters an identifier may not hold: controls, invisible (zero-width, bidi, BOM,
#: soft hyphen) and full-width forms. Two ids that print alike must be alike.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufeff\u3000\uff01-\uff5e]")
_COMMA_NUMBER = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+$")


def convert_column(raw: pd.Series, col: Column, rows: np.ndarray, failures: Failures,
                   rules: Rules | None = None) -> pd.Series:
    """Convert one raw column to its codebook type, recording values that break a rule.

    Nothing is coerced to missing silently: a value that cannot be converted is a
    failure (and is missing in the converted column). ``rules`` (from a mapping file)
    first turn the labels it lists as missing into missing values and recode the labels
    it maps.
    """
    missing_keys, value_map = (rules.for_column(col) if rules is not None
                               else (frozenset(), {}))
    decimal = rules.decimal if rules is not None else "."
    if col.dtype == "string":
        if raw.dtype == object:  # lists, dicts or arrays (Parquet, DataFrames) are not text
            nested = raw.map(lambda v: isinstance(v, list | tuple | dict | set | np.ndarray))
            nested = nested.to_numpy(dtype=bool)
            failures.add(rows[nested], col.name, raw[nested].map(str), "type: expected text")
            raw = raw.mask(nested, None)
        out = _as_text(raw)
        if missing_keys or value_map:
            out = _recode_text(out, missing_keys, value_map)
        if col.identifier:
            bad = out.str.contains(_INVISIBLE, na=False).to_numpy(dtype=bool)
            if bad.any():
                failures.add(rows[bad], col.name, out[bad].map(_codepoints),
                             "identifier: holds invisible, control or full-width characters "
                             "(retype it: two ids that look alike must be alike)")
        present = out.notna().to_numpy()
    else:
        d = _Distinct(raw)
        if missing_keys or value_map:
            d.recode(missing_keys, value_map)
        present = d.present
        text = d.text
        if col.dtype in {"int", "float"}:
            cleaned, comma = [], []
            for t in text:
                if t is not None and "," in t:
                    if decimal == "," and _COMMA_NUMBER.match(t):
                        t = t.replace(".", "").replace(",", ".")
                    else:
                        comma.append(True)
                        cleaned.append(None)
                        continue
                comma.append(False)
                cleaned.append(t)
            comma = np.array(comma, dtype=bool)
            d.report(comma, rows, failures, col.name,
                     "type: a number with a comma: a decimal comma or a thousands separator? "
                     "write 2.5 (or declare [numbers] decimal = \",\" in the mapping file)")
            num = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(dtype=float)
            d.report((text != None) & np.isnan(num) & ~comma, rows, failures,  # noqa: E711
                     col.name, "type: expected a number" if col.dtype == "float"
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
            out = _to_category(d, col, rows, failures, hint=rules is not None)
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


def _codepoints(text: str) -> str:
    """The text with its invisible characters shown as U+XXXX."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _recode_text(out: pd.Series, missing_keys: frozenset, value_map: Mapping[str, str]):
    """Apply missing labels and value recodes to a text column, once per distinct value."""
    codes, uniques = pd.factorize(out, use_na_sentinel=True)
    keys = [label_key(u) for u in uniques]
    if not any(k in missing_keys or k in value_map for k in keys):
        return out
    new = np.array([None if k in missing_keys else value_map.get(k, u)
                    for k, u in zip(keys, uniques, strict=True)] + [None], dtype=object)
    return pd.Series(new[codes], index=out.index, dtype="string", name=out.name)


def _check_range(num: np.ndarray, col: Column, d: _Distinct, rows, failures: Failures) -> None:
    hi = col.max
    if col.name == "year" and hi is None:
        hi = _dt.date.today().year
    with np.errstate(invalid="ignore"):
        if col.min is not None:
            d.report(num < col.min, rows, failures, col.name, f"range: must be at least {col.min:g}")
        if hi is not None:
            d.report(num > hi, rows, failures, col.name, f"range: must be at most {hi:g}")


def _to_category(d: _Distinct, col: Column, rows, failures: Failures,
                 hint: bool = False) -> pd.Series:
    cats = list(col.categories or ())
    lookup = {normalise_label(c): i for i, c in enumerate(cats)}
    if tuple(cats) == LIKERT_LEVELS:
        lookup.update({str(i + 1): i for i in range(len(cats))})
        lookup.update({f"{i + 1}_0": i for i in range(len(cats))})
    code_of = np.array([lookup.get(normalise_label(t), -2) if t is not None else -1
                        for t in d.text])
    bad = code_of == -2
    if bad.any():  # one check text per distinct unknown label, with the nearest category
        checks = np.array([_category_check(col, t, hint) if b else None
                           for t, b in zip(d.text, bad, strict=True)], dtype=object)
        mask = d.expand(bad)
        failures.add(rows[mask], col.name, d.text[d.codes[mask]], checks[d.codes[mask]])
    codes = np.where(code_of < 0, -1, code_of)[d.codes]
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=col.ordered),
                     name=col.name)


def _category_check(col: Column, label: str, hint: bool) -> str:
    cats = list(col.categories or ())
    check = f"category: must be one of {', '.join(cats)}"
    keys = {normalise_label(c): c for c in cats}
    near = difflib.get_close_matches(normalise_label(label), list(keys), n=1, cutoff=0.6)
    if not near:  # "Private day nursery" -> private: a category that is a word of the label
        words = set(normalise_label(label).split("_"))
        near = [k for k in keys if k in words][:1]
    if near:
        check += f"; nearest: {keys[near[0]]!r}"
    return check + (f" — map it under [values.{col.name}] in the mapping file" if hint else "")


def canonicalise(raw: RawTable, schema: Schema, *, columns: Mapping[str, str] | None = None,
                 cross_checks: Callable[[pd.DataFrame, np.ndarray, Failures], None] | None = None,
                 source: str | None = None, synthetic: bool = False,
                 rules: Rules | None = None, keep_raw: Collection[str] | None = None):
    """Rename, type and validate a raw table against a schema.

    ``rules`` (a mapping file's ``[missing]``, ``[values]`` and ``[numbers]``) are applied
    to each column before its type is checked. With ``keep_raw`` (headers the caller
    still needs) the raw table is consumed: every other column leaves ``raw.data`` as soon
    as it is converted or found unused, so that a large file's text is never held beside
    all of its converted columns.

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
    loaded, n = set(renamed.columns), len(renamed)
    if keep_raw is not None:
        raw.data = raw.data[[h for h in raw.data.columns if h in keep_raw]]
    out = {}
    for col in schema.columns:
        if col.name in loaded:
            text = renamed.pop(col.name) if keep_raw is not None else renamed[col.name]
            out[col.name] = convert_column(text, col, raw.rows, failures, rules)
            del text
        else:
            out[col.name] = _empty(col, n)
    if keep_raw is not None:
        release_parser_memory()
    frame = pd.DataFrame(out)
    if schema.key and all(k in loaded for k in schema.key):
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
           on_error: str, excluded: Mapping[int, str] | None = None,
           cell_level: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Raise all failures at once, or set failing rows (or cells) aside with their reasons.

    ``excluded`` ({source row: reason}, e.g. Qualtrics previews) are set aside whatever
    ``on_error`` says, and their own failures never raise.

    With ``on_error="set_aside"`` the returned frame keeps the clean rows and
    ``frame.attrs["set_aside"]`` (a :class:`SetAside`; read it with :func:`set_aside_rows`)
    holds the failing rows (canonical values, the source ``row`` and the ``reasons``).
    When ``cell_level`` is given (the columns that identify a row: failures there set the
    row aside), a failure in any other column only makes that cell missing: the row is kept
    and the cell is recorded (``file, row, column, value, reason``; read it with
    :func:`set_aside_cells`). A :class:`RowsSetAsideWarning` gives the counts.
    Column-level failures (a required column missing) cannot be set aside and always raise.
    """
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}; got {on_error!r}")
    frame.attrs["set_aside"] = _empty_set_aside(frame)
    frame.attrs["set_aside_cells"] = SetAside(_empty_cells())
    excluded = dict(excluded or {})
    if excluded and len(failures):
        failures = failures[~failures["row"].isin(list(excluded))].reset_index(drop=True)
    if failures.empty and not excluded:
        return frame
    column_level = failures["row"].isna()
    if (on_error == "raise" and len(failures)) or column_level.any():
        raise DataValidationError(failures, kind=kind)
    cells = _empty_cells()
    if cell_level is not None and len(failures):
        parts = failures["column"].astype(str).str.split(" + ", regex=False)
        is_cell = parts.map(lambda cols: all(c in frame.columns and c not in cell_level
                                             for c in cols)).to_numpy(dtype=bool)
        cells = failures[is_cell].rename(columns={"check": "reason"}).reset_index(drop=True)
        failures = failures[~is_cell].reset_index(drop=True)
        if len(cells):
            frame = frame.copy()
            positions = pd.Index(rows).get_indexer(cells["row"].to_numpy(dtype="int64"))
            per_cell = pd.DataFrame({"pos": positions, "col": parts[is_cell].to_numpy()})
            per_cell = per_cell.explode("col")
            for column, pos in per_cell.groupby("col")["pos"]:
                frame.iloc[pos.to_numpy(dtype="int64"), frame.columns.get_loc(column)] = None
    reasons = (
        failures.assign(reason=failures["column"].astype(str) + ": " + failures["check"])
        .groupby("row")["reason"]
        .agg("; ".join)
    )
    if excluded:
        extra = pd.Series(excluded, dtype=object)
        reasons = pd.concat([reasons[~reasons.index.isin(extra.index)], extra])
    bad = np.isin(rows, reasons.index.to_numpy(dtype="int64"))
    aside = frame.loc[bad].copy()
    aside.insert(0, "row", rows[bad])
    aside["reasons"] = aside["row"].map(reasons).astype("string")
    aside.attrs = {}
    kept = frame.loc[~bad].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    kept.attrs["set_aside"] = SetAside(aside.reset_index(drop=True))
    kept.attrs["set_aside_cells"] = SetAside(cells)
    n_excluded = int(np.isin(rows, list(excluded)).sum())
    n_failed = int(bad.sum()) - n_excluded
    said = []
    if n_excluded:
        said.append(f"{n_excluded} rows were set aside by the row rules (e.g. Qualtrics "
                    "previews and unfinished responses)")
    if n_failed:
        said.append(f"{n_failed} of {len(frame)} {kind} rows failed validation and were set aside")
    if len(cells):
        said.append(f"{len(cells)} cells failed validation and were made missing (their rows "
                    "kept; see baby_room.set_aside_cells(result))")
    if said:
        warnings.warn("; ".join(said) + " (see baby_room.set_aside_rows(result) for the rows "
                      "and reasons)", RowsSetAsideWarning, stacklevel=3)
    return kept


def _empty_cells() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype="Int64"),
                         "column": pd.Series(dtype=object), "value": pd.Series(dtype=object),
                         "reason": pd.Series(dtype=object)})


_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    r"""Text with control characters (escape sequences, bidi overrides) shown as ``\\xNN``.

    Values in a file (an id holding ``ESC[2J``) must never act on the user's terminal.

    Examples
    --------
    >>> print(terminal_safe("R1\x1b[2J"))
    R1\x1b[2J
    """
    return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                 else f"\\u{ord(m.group()):04x}", text)


def set_aside_cells(data: pd.DataFrame) -> pd.DataFrame:
    """The cells a loader made missing because they failed validation (the rows were kept).

    ``load_survey(..., on_error="set_aside")`` keeps a respondent whose answer to one
    question breaks a rule (``"about 12"`` babies): that cell becomes missing and is
    recorded here. Failures in the columns that identify a row set the whole row aside
    instead (:func:`set_aside_rows`).

    Parameters
    ----------
    data : pandas.DataFrame
        A table returned by a loader.

    Returns
    -------
    pandas.DataFrame
        ``file, row, column, value, reason``: the source file, its row number (header =
        row 1), the canonical column, the value as read and the rule it broke.

    Examples
    --------
    >>> import warnings
    >>> import baby_room as br
    >>> frame = br.synthetic.raw("survey").head(3).assign(group_size=["12", "about 12", "9"])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     survey = br.load_survey(frame, on_error="set_aside")
    >>> len(survey), survey["group_size"].tolist()
    (3, [12, <NA>, 9])
    >>> br.set_aside_cells(survey)[["row", "column", "value", "reason"]].to_dict("records")
    [{'row': 3, 'column': 'group_size', 'value': 'about 12', 'reason': 'type: expected a whole number'}]
    """
    holder = data.attrs.get("set_aside_cells")
    if holder is None:
        return _empty_cells()
    return holder.frame


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
