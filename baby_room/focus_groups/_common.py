"""Helpers shared by the focus-group modules (private: import only inside the package).

Units of counting, code and conference order, theme lookup, position checks, and the
canonical long-table finishing step shared by every reader. Nothing here is public API.
"""

from __future__ import annotations

import re
import warnings
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
    empty = [col for col in dict.fromkeys(columns) if col in ("conference", "group_id", "role",
                                                              "speaker")
             and len(coding) and coding[col].isna().all()]
    if empty:
        names = ", ".join(map(repr, empty))
        raise ArgumentError(
            func, "data", f"a coding table with values in {names}{why}", coding,
            hint=f"data has no {', '.join(empty)} for any coding (a QDA export without "
                 f"cases or attributes?). To supply them, {HOW_TO_SUPPLY}.")


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


def coding_error(coding: pd.DataFrame, column: str, value, check: str) -> DataValidationError:
    """A :class:`DataValidationError` about the coding as a whole (no one row is at fault).

    ``file`` is the coding's source file (``<DataFrame>`` when it has none), ``row`` is
    missing, ``value`` says what the column holds and ``check`` names the function and
    what it needs.
    """
    failures = pd.DataFrame([{"file": coding.attrs.get("file", "<DataFrame>"), "row": pd.NA,
                              "column": column, "value": value, "check": check}])
    return DataValidationError(failures, kind="focus-group coding")


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


# --------------------------------------------------------------------------- long coding table

#: Canonical long-format columns, in order (see ``baby_room.codebook.CODING``).
LONG_COLUMNS = ("segment_id", "conference", "group_id", "speaker", "role", "theme", "code",
                "coder", "start", "end", "text")
#: The four attributes a QDA file does not hold as columns, and the names (normalised) that
#: are read as each of them in case/document variables and in an ``attributes=`` sheet.
ATTRIBUTE_ALIASES = {
    "conference": ("conference", "event", "location", "conference_name"),
    "group_id": ("group_id", "group", "focus_group", "groupid", "focus_group_id"),
    "role": ("role", "job_role", "position", "job_title"),
    "speaker": ("speaker", "pseudonym", "speaker_pseudonym", "participant"),
}
#: Key columns of an ``attributes=`` sheet: a document (source) name or a case name.
DOCUMENT_KEYS = ("document", "document_name", "source", "source_name", "file", "transcript")
CASE_KEYS = ("case", "case_name")
HOW_TO_SUPPLY = (
    "give them as case or document variables in the QDA project (variables named "
    "conference, group_id, role, speaker), or pass attributes= a CSV/XLSX sheet with a "
    "column 'document' (or 'case') and any of 'conference', 'group_id', 'role', 'speaker'")


def norm_key(text) -> str:
    """A heading or value normalised for matching: ASCII, lower case, ``_`` between words.

    Examples
    --------
    >>> norm_key("Document  Name"), norm_key("Début"), norm_key("Room-Leader")
    ('document_name', 'debut', 'room_leader')
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


def stem(name):
    """A document name without a document-file extension (``YOR-2.docx`` -> ``YOR-2``)."""
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return pd.NA
    base, dot, ext = str(name).rpartition(".")
    if dot and base and ext.lower() in {"txt", "docx", "doc", "rtf", "pdf", "odt", "md", "html",
                                         "htm"}:
        return base
    return str(name)


def read_attributes(attributes, *, function: str) -> pd.DataFrame:
    """An ``attributes=`` sheet as a DataFrame (a DataFrame, or a CSV/TSV/XLSX path)."""
    if isinstance(attributes, pd.DataFrame):
        return attributes
    from os import PathLike

    if isinstance(attributes, str | PathLike):
        from baby_room._io import read_table

        return read_table(attributes).data
    raise ArgumentError(function, "attributes", "a DataFrame or the path of a CSV/XLSX sheet",
                        attributes)


def apply_attributes(attributes, documents: pd.Series, cases: pd.Series | None, attrs: dict,
                     *, function: str) -> dict:
    """Overlay an ``attributes=`` sheet on ``attrs`` (target -> Series, one per coding).

    The sheet's key column is a document name (``document``, ``document_name``,
    ``source``, ...; matched with or without a file extension) or a case name (``case``).
    Columns named like the four attributes (see :data:`ATTRIBUTE_ALIASES`) fill those;
    every other column is added as an attribute of its own (normalised name). Sheet
    values take precedence over the project's own variables.
    """
    sheet = read_attributes(attributes, function=function)
    cols = {norm_key(c): c for c in sheet.columns}
    doc_col = next((cols[k] for k in DOCUMENT_KEYS if k in cols), None)
    case_col = next((cols[k] for k in CASE_KEYS if k in cols), None)
    key_col = doc_col or case_col
    if key_col is None:
        raise ArgumentError(
            function, "attributes", "a sheet with a column 'document' (or 'case') naming each "
            "document or case", list(map(str, sheet.columns)))
    if key_col is case_col and cases is None:
        raise ArgumentError(function, "attributes", "a sheet keyed by 'document' (this file "
                            "has no cases)", list(map(str, sheet.columns)))
    keys = sheet[key_col].astype(str).str.strip()
    dupes = sorted(set(keys[keys.duplicated()]))
    if dupes:
        raise ArgumentError(function, "attributes", "a sheet naming each document or case once",
                            dupes, hint="Listed more than once: " + ", ".join(dupes))
    alias_to_target = {a: t for t, names in ATTRIBUTE_ALIASES.items() for a in names}
    targets = {}
    for k, c in cols.items():
        if c in (doc_col, case_col):
            continue
        targets.setdefault(alias_to_target.get(k, k), c)
    lookup = (documents if key_col is doc_col else cases).astype("object")
    lookup = lookup.map(lambda v: None if v is None or v is pd.NA else str(v).strip())
    stems = lookup.map(stem)
    attrs = dict(attrs)
    for target, col in targets.items():
        table = pd.Series(sheet[col].to_numpy(dtype=object), index=keys.to_numpy())
        table = table[table.notna()]
        vals = lookup.map(table)
        vals = vals.where(vals.notna(), stems.map(table))
        base = attrs.get(target, pd.Series(pd.NA, index=documents.index, dtype="object"))
        attrs[target] = vals.where(vals.notna(), base)
    return attrs


def _to_category(values: pd.Series, levels, name, *, source) -> pd.Categorical:
    by_key = {norm_key(v): v for v in levels}
    raw = values.astype("object")
    present = raw.notna()
    mapped = raw[present].map(lambda v: by_key.get(norm_key(v)))
    bad = sorted({str(v) for v, m in zip(raw[present], mapped, strict=True) if m is None})
    if bad:
        from baby_room.errors import UnmatchedValueWarning

        shown = ", ".join(repr(b) for b in bad[:10])
        warnings.warn(
            f"{source}: {name} values not recognised and set to missing: {shown}"
            f"{' ...' if len(bad) > 10 else ''} (allowed: {', '.join(levels)})",
            UnmatchedValueWarning, stacklevel=4)
    result = pd.Series(pd.NA, index=values.index, dtype="object")
    result[present] = mapped
    return pd.Categorical(result.where(result.notna(), None), categories=list(levels),
                          ordered=True)


def finalise_long(out: pd.DataFrame, *, source: str, warn_missing: bool = True) -> pd.DataFrame:
    """Give a long coding table read from a QDA export the canonical dtypes and order.

    ``conference`` becomes an ordered category (conference date order) and ``role`` a
    category; values matching neither (after case and spacing are ignored) become
    missing with an UnmatchedValueWarning. Attributes with no value at all (a file
    without cases or variables) give one warning saying how to supply them. Columns
    beyond the canonical ones (other attributes) are kept after them.
    """
    from baby_room.codebook import CONFERENCES, ROLES
    from baby_room.errors import UnmatchedValueWarning

    out = out.reset_index(drop=True)
    for col in ("segment_id", "group_id", "speaker", "theme", "code", "coder", "text"):
        out[col] = out[col].astype("string")
    for col in ("start", "end"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    empty = [c for c in ("conference", "group_id", "role", "speaker") if out[c].isna().all()]
    out["conference"] = _to_category(out["conference"], tuple(CONFERENCES), "conference",
                                     source=source)
    out["role"] = _to_category(out["role"], tuple(ROLES), "role", source=source)
    if warn_missing and empty and len(out):
        warnings.warn(
            f"{source}: no {', '.join(empty)} for any coding; these columns are left missing "
            f"and analyses by them will say so. To supply them, {HOW_TO_SUPPLY}",
            UnmatchedValueWarning, stacklevel=4)
    extra = [c for c in out.columns if c not in LONG_COLUMNS]
    for c in extra:
        out[c] = out[c].astype("string")
    out = out[[*LONG_COLUMNS, *extra]]
    out.attrs["source"] = source
    out.attrs["synthetic"] = False
    return out


def finish(result: pd.DataFrame, data: pd.DataFrame, **attrs) -> pd.DataFrame:
    """Give a result the contract's attrs (scalars only: source, synthetic, and ``attrs``)."""
    from baby_room._args import result_attrs

    result.attrs = result_attrs(data, **attrs)
    return result
