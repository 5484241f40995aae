"""Breakdowns of the evidence review: where, when, what and how the included items studied.

Every function takes the extraction table (one row per included item, as returned
by :func:`baby_room.load_evidence`) and returns one tidy DataFrame that reconciles
with the number of items. Several columns are multi-valued — an item may name
several countries, instruments or quality dimensions — so each function says how
such items are counted, in the ``counting`` column and in ``attrs["counting"]``:

``count="item"`` (default)
    An item is counted once in every category it names. ``count`` is the number of
    items naming the category, ``n`` the number of items (the base, the same on
    every row) and ``share = count / n``. Because an item can name several
    categories, ``count`` sums to *at least* ``n`` (exactly ``n`` for single-valued
    columns such as year).

``count="fractional"``
    As above, plus: an item naming *k* distinct categories adds ``1/k`` to each, so
    ``count_fractional`` sums to exactly ``n``, and ``share_fractional =
    count_fractional / n`` sums to 1.

Nothing is dropped: an item with no country is the row ``"No country given"``,
country strings that could not be matched are pooled in the row ``"Unmatched"``
(their spellings are in ``attrs["unmatched"]`` and in the
:class:`~baby_room.errors.UnmatchedValueWarning` from
:func:`baby_room.evidence.countries.normalise_countries`), and likewise ``"No
instrument given"``, ``"No dimension given"``, ``"Not given"``.

Results keep ``docs/result-contract.md``: ``n`` is the unweighted base (items), counts
are in ``count``, shares run 0-1; ``attrs`` hold scalars only: the input's ``source`` and
``synthetic``, ``unit="items"``, ``counting``, ``n_items`` (the base, as ``n``) and
``facet``.

Checked against hand counts of small item tables (``tests/test_evidence_breakdowns.py``)
and, for reconciliation, by property tests: ``count_fractional`` sums to the number of items
for any mix of multi-valued cells. Fractional counting is the "fractional counting" of
bibliometrics (e.g. Waltman & van Eck, *J. Informetrics* 2015, 9:872-894), applied to
countries, instruments and dimensions instead of authors.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd

from baby_room._args import as_columns, check_frame, one_of, result_attrs
from baby_room.codebook import AGE_FOCUS, PUBLICATION_TYPES, QUALITY_DIMENSIONS, STUDY_DESIGNS
from baby_room.errors import ArgumentError

__all__ = [
    "COUNTING",
    "FACETS",
    "CATEGORY_ORDERS",
    "SPECIAL_ROWS",
    "UNMATCHED",
    "NO_COUNTRY",
    "normalise_instruments",
    "by_country",
    "by_continent",
    "by_un_region",
    "uk_vs_rest",
    "by_uk_nation",
    "by_year",
    "by_decade",
    "by_publication_type",
    "by_design",
    "by_instrument_family",
    "by_instrument",
    "by_age_focus",
    "by_dimension",
    "gap_map",
    "breakdown",
    "item_categories",
]

#: Allowed values of ``count``.
COUNTING = ("item", "fractional")
#: Label of the row that pools country strings normalise_countries could not match.
UNMATCHED = "Unmatched"
#: Label of the row for items whose country cell is empty.
NO_COUNTRY = "No country given"
NO_INSTRUMENT = "No instrument given"
NO_DIMENSION = "No dimension given"
NOT_GIVEN = "Not given"
NOT_SPECIFIC = "Several or unspecified (region)"
UK_NATION_NOT_STATED = "UK, nation not stated"
#: Rows that are not categories (no value, unmatched, regions): listed last, in this order.
SPECIAL_ROWS = _TRAILING = (NOT_SPECIFIC, UK_NATION_NOT_STATED, UNMATCHED, NO_COUNTRY, NO_INSTRUMENT,
             NO_DIMENSION, NOT_GIVEN)


# --------------------------------------------------------------------------- helpers


def _check_data(data, columns, function):
    check_frame(data, function=function, columns=columns,
                what="a pandas DataFrame of included items (baby_room.load_evidence)")


def _attrs(data, **extra) -> dict:
    """Scalar attrs of a result (contract section 3) plus the breakdown's own scalars."""
    out = result_attrs(data, unit="items")
    out.update(extra)
    return out


def _check_count(count, function):
    one_of(count, COUNTING, function=function, parameter="count")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\s\-\u2010-\u2015_.]+", "", text)


def _split_multi(series: pd.Series, sep: str = ";") -> pd.DataFrame:
    """Long frame (position, value) of a ``sep``-separated column; empty cells give no rows."""
    rows_pos, rows_val = [], []
    for pos, cell in enumerate(series.tolist()):
        if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
            continue
        for part in str(cell).split(sep):
            part = " ".join(part.split())
            if part:
                rows_pos.append(pos)
                rows_val.append(part)
    return pd.DataFrame({"position": np.asarray(rows_pos, dtype=np.int64),
                         "value": pd.array(rows_val, dtype="string")})


def _fill_missing(long: pd.DataFrame, n_items: int, keys: dict) -> pd.DataFrame:
    """Add a row with ``keys`` for every item position absent from ``long``."""
    absent = np.setdiff1d(np.arange(n_items), long["position"].to_numpy())
    if len(absent) == 0:
        return long
    extra = pd.DataFrame({"position": absent.astype(np.int64)})
    for col in long.columns:
        if col != "position":
            extra[col] = pd.array([keys.get(col)] * len(absent), dtype="string")
    return pd.concat([long, extra], ignore_index=True)


def _tally(long: pd.DataFrame, keys: list[str], n_items: int, count: str, attrs: dict,
           order: list | None = None, sort: str = "n", complete: list | None = None
           ) -> pd.DataFrame:
    """Count items per key combination with item or fractional counting."""
    long = long.drop_duplicates(["position", *keys])
    if count == "fractional":
        k = long.groupby("position")["position"].transform("size")
        long = long.assign(_w=1.0 / k)
        grouped = long.groupby(keys, sort=False, dropna=False)
        out = grouped.agg(count=("position", "size"),
                          count_fractional=("_w", "sum")).reset_index()
    else:  # the fractional sums are not shown: only the sizes
        out = long.groupby(keys, sort=False, dropna=False).size().rename("count").reset_index()
    if complete is not None:  # every category of the list, in its order (others dropped)
        found = out[keys[0]].tolist()
        grid = {keys[0]: pd.array(complete, dtype=out[keys[0]].dtype)}
        for column, zero in (("count", 0), ("count_fractional", 0.0)):
            if column in out.columns:
                given = dict(zip(found, out[column].tolist(), strict=True))
                grid[column] = np.array([given.get(v, zero) for v in complete],
                                        dtype=out[column].dtype)
        out = pd.DataFrame(grid)
    out["count"] = out["count"].astype(np.int64)
    out = _order(out, keys[-1] if sort == "n" else keys[0], order, sort)
    return _finish(out.reset_index(drop=True), keys, n_items, count, attrs)


def _finish(out: pd.DataFrame, keys: list[str], n_items, count: str, attrs: dict):
    """Columns of a breakdown: keys, share, n, count, [share_fractional, count_fractional]."""
    base = np.asarray(n_items, dtype=np.int64) * np.ones(len(out), dtype=np.int64)
    columns = {key: out[key].array for key in keys}
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["share"] = np.where(base > 0, out["count"] / np.maximum(base, 1), np.nan)
        columns["n"] = base
        columns["count"] = out["count"].array
        if count == "fractional":
            columns["share_fractional"] = np.where(
                base > 0, out["count_fractional"] / np.maximum(base, 1), np.nan)
            columns["count_fractional"] = out["count_fractional"].array
    columns["counting"] = pd.array([count] * len(out), dtype="string")
    result = pd.DataFrame(columns)  # a new frame: the columns above, a RangeIndex
    result.attrs = dict(attrs)
    return result


def _order(out: pd.DataFrame, label: str, order, sort: str) -> pd.DataFrame:
    labels = out[label].astype(object).tolist()
    trailing = {t: i for i, t in enumerate(_TRAILING)}
    if order is not None:
        rank = {v: i for i, v in enumerate(order)}
        key = [(1, trailing[v], 0, "") if v in trailing else
               (0, rank.get(v, len(rank)), 0, str(v)) for v in labels]
    elif sort == "n":
        key = [(1, trailing[v], 0, "") if v in trailing else
               (0, 0, -int(n), str(v)) for v, n in zip(labels, out["count"], strict=True)]
    else:  # natural order of the key (years)
        key = [(1, 0, 0, "") if pd.isna(v) else (0, 0, v, "") for v in labels]
    idx = sorted(range(len(out)), key=lambda i: key[i])
    return out.iloc[idx]


# --------------------------------------------------------------------------- facets
# A facet turns the items into a long frame: position (0-based item row) + key columns.


def _countries_long(data: pd.DataFrame, column: str = "countries") -> tuple[pd.DataFrame, dict]:
    from baby_room.evidence.countries import normalise_countries

    long = normalise_countries(data[column].reset_index(drop=True))
    matched = long["matched"].astype(str)
    unmatched = sorted(set(long.loc[matched == "unmatched", "country"].dropna().tolist()))
    country = long["country"].astype(object).where(matched != "unmatched", UNMATCHED)
    country = country.where(matched != "missing", NO_COUNTRY)
    long = long.assign(country=pd.array(country.tolist(), dtype="string"), kind=matched)
    return long, {"unmatched": "; ".join(unmatched)}


def _facet_country(data, column="countries"):
    long, extra = _countries_long(data, column)
    return long[["position", "iso3", "country"]], extra


def _region_label(long, level):
    label = long[level].astype(object)
    kind = long["kind"]
    label = label.where(~(label.isna() & (kind == "region")), NOT_SPECIFIC)
    label = label.where(~(label.isna() & (kind == "country")), NOT_SPECIFIC)
    label = label.where(kind != "unmatched", UNMATCHED)
    label = label.where(kind != "missing", NO_COUNTRY)
    return pd.array(label.tolist(), dtype="string")


def _facet_continent(data, column="countries"):
    long, extra = _countries_long(data, column)
    return pd.DataFrame({"position": long["position"],
                         "continent": _region_label(long, "continent")}), extra


def _facet_un_region(data, column="countries"):
    long, extra = _countries_long(data, column)
    return pd.DataFrame({"position": long["position"],
                         "un_region": _region_label(long, "un_region")}), extra


def _facet_uk(data, column="countries"):
    long, extra = _countries_long(data, column)
    kind = long["kind"]
    label = np.where(long["iso3"].fillna("").astype(str) == "GBR", "UK", "Rest of world")
    label = np.where(kind == "unmatched", UNMATCHED, label)
    label = np.where(kind == "missing", NO_COUNTRY, label)
    return pd.DataFrame({"position": long["position"],
                         "uk_vs_rest": pd.array(label.tolist(), dtype="string")}), extra


def _facet_uk_nation(data, column="countries"):
    long, extra = _countries_long(data, column)
    uk = long[long["iso3"].fillna("").astype(str) == "GBR"]
    nation = uk["uk_nation"].astype(object).where(uk["uk_nation"].notna(), UK_NATION_NOT_STATED)
    return pd.DataFrame({"position": uk["position"].to_numpy(),
                         "uk_nation": pd.array(nation.tolist(), dtype="string")}), extra


def _facet_single(column, missing=NOT_GIVEN, to_str=str):
    def facet(data):
        values = data[column].reset_index(drop=True)
        labels = [missing if v is None or (not isinstance(v, str) and pd.isna(v)) else to_str(v)
                  for v in values.tolist()]
        return pd.DataFrame({"position": np.arange(len(values), dtype=np.int64),
                             column: pd.array(labels, dtype="string")}), {}
    return facet


def _facet_year(data, column="year"):
    years = pd.to_numeric(data[column].reset_index(drop=True), errors="coerce").astype("Int64")
    return pd.DataFrame({"position": np.arange(len(years), dtype=np.int64), "year": years}), {}


def _facet_decade(data, column="year"):
    years = pd.to_numeric(data[column].reset_index(drop=True), errors="coerce")
    labels = [NOT_GIVEN if pd.isna(y) else f"{int(y) // 10 * 10}s" for y in years.tolist()]
    return pd.DataFrame({"position": np.arange(len(years), dtype=np.int64),
                         "decade": pd.array(labels, dtype="string")}), {}


def _facet_dimension(data, column="dimensions"):
    long = _split_multi(data[column].reset_index(drop=True))
    canon = {_key(d): d for d in QUALITY_DIMENSIONS}
    values = long["value"].tolist()
    named = {v: canon.get(_key(v), v.lower()) for v in set(values)}  # once per spelling
    long["dimension"] = pd.array([named[v] for v in values], dtype="string")
    long = _fill_missing(long[["position", "dimension"]], len(data), {"dimension": NO_DIMENSION})
    return long, {}


def _facet_instrument(data, column="instruments", *, level="instrument_family"):
    long = normalise_instruments(data[column].reset_index(drop=True))
    long = _fill_missing(long[["position", "instrument", "instrument_family"]], len(data),
                         {"instrument": NO_INSTRUMENT, "instrument_family": NO_INSTRUMENT})
    if level == "instrument_family":
        return long[["position", "instrument_family"]], {}
    return long[["position", "instrument", "instrument_family"]], {}


#: Facets known to :func:`breakdown` and :func:`gap_map`: name -> (input column, key columns).
FACETS = {
    "country": ("countries", ["iso3", "country"]),
    "continent": ("countries", ["continent"]),
    "un_region": ("countries", ["un_region"]),
    "uk_vs_rest": ("countries", ["uk_vs_rest"]),
    "uk_nation": ("countries", ["uk_nation"]),
    "year": ("year", ["year"]),
    "decade": ("year", ["decade"]),
    "publication_type": ("publication_type", ["publication_type"]),
    "design": ("design", ["design"]),
    "age_focus": ("age_focus", ["age_focus"]),
    "instrument_family": ("instruments", ["instrument_family"]),
    "instrument": ("instruments", ["instrument", "instrument_family"]),
    "dimension": ("dimensions", ["dimension"]),
}

_FACET_FUNCS = {
    "country": _facet_country,
    "continent": _facet_continent,
    "un_region": _facet_un_region,
    "uk_vs_rest": _facet_uk,
    "uk_nation": _facet_uk_nation,
    "year": _facet_year,
    "decade": _facet_decade,
    "publication_type": _facet_single("publication_type"),
    "design": _facet_single("design"),
    "age_focus": _facet_single("age_focus"),
    "instrument_family": _facet_instrument,
    "instrument": lambda data: _facet_instrument(data, level="instrument"),
    "dimension": _facet_dimension,
}

#: The codebook order of the categories of the categorical facets.
CATEGORY_ORDERS = _ORDERS = {
    "publication_type": list(PUBLICATION_TYPES),
    "design": list(STUDY_DESIGNS),
    "age_focus": list(AGE_FOCUS),
    "dimension": list(QUALITY_DIMENSIONS),
    "uk_vs_rest": ["UK", "Rest of world"],
    "uk_nation": ["England", "Scotland", "Wales", "Northern Ireland"],
}
#: Facets whose table lists every category, with zero counts.
_COMPLETE = {"publication_type", "age_focus", "dimension", "uk_vs_rest", "design"}


def _facet(data, facet, function):
    one_of(facet, tuple(FACETS), function=function, parameter="facet")
    column, _ = FACETS[facet]
    _check_data(data, [column], function)
    return _FACET_FUNCS[facet](data)


# --------------------------------------------------------------------------- public API


def breakdown(data: pd.DataFrame, *, facet: str, count: str = "item") -> pd.DataFrame:
    """Count included items by one facet (the engine behind every ``by_*`` function).

    Parameters
    ----------
    data : pandas.DataFrame
        The extraction table, one row per included item.
    facet : str
        One of :data:`FACETS`: ``"country"``, ``"continent"``, ``"un_region"``,
        ``"uk_vs_rest"``, ``"uk_nation"``, ``"year"``, ``"decade"``,
        ``"publication_type"``, ``"design"``, ``"age_focus"``,
        ``"instrument_family"``, ``"instrument"``, ``"dimension"``.
    count : {"item", "fractional"}, default "item"
        How items naming several categories are counted (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        The facet's key column(s), then ``share`` (``count / n``), ``n`` (the number
        of items, the base), ``count`` (items naming the category); with
        ``count="fractional"`` also ``share_fractional`` and ``count_fractional``
        (sum of ``1/k`` over items naming *k* distinct categories); then
        ``counting``. Rows by descending ``count`` (categorical facets in their
        codebook order, years in time order), the "no value" and "unmatched" rows
        last. ``attrs``: ``source``, ``synthetic``, ``unit``, ``counting``,
        ``n_items`` (as ``n``) and ``facet``.

    Examples
    --------
    >>> items = pd.DataFrame({"dimensions": ["ratio; group size", "ratio", None]})
    >>> breakdown(items, facet="dimension")[["dimension", "share", "n", "count"]].head(2)
        dimension     share  n  count
    0  group size  0.333333  3      1
    1       ratio  0.666667  3      2
    """
    return _breakdown(data, facet, count, "breakdown")


def _breakdown(data, facet, count, function):
    _check_count(count, function)
    long, extra = _facet(data, facet, function)
    return _from_long(data, long, extra, facet, count)


def _from_long(data, long, extra, facet, count):
    keys = FACETS[facet][1]
    n_items = len(data)
    if facet == "uk_nation":
        n_items = int(long["position"].nunique())
    sort = "natural" if facet == "year" else "n"
    order = _ORDERS.get(facet)
    complete = None
    if facet in _COMPLETE:
        present = [v for v in long[keys[0]].dropna().unique().tolist() if v not in order]
        complete = list(order) + sorted(present)
    attrs = _attrs(data, counting=count, n_items=int(n_items), facet=facet, **extra)
    return _tally(long, keys, n_items, count, attrs, order=order, sort=sort,
                  complete=complete)


def item_categories(data: pd.DataFrame, *, facet: str) -> pd.DataFrame:
    """Which items fall in which category of a facet: the membership behind every count.

    One row per (item, category), duplicates removed, so that for any facet
    ``item_categories(data, facet=f).groupby(<key>).size()`` equals the ``count``
    column of ``breakdown(data, facet=f)`` (and a join of two facets on ``position``
    gives the cells of :func:`gap_map`). Items with no value are in the "no value"
    row (``"No country given"``, ...), as in the breakdowns.

    Parameters
    ----------
    data : pandas.DataFrame
        The extraction table, one row per included item.
    facet : str
        One of :data:`FACETS`.

    Returns
    -------
    pandas.DataFrame
        ``position`` (0-based row of ``data``), then the facet's key column(s).

    Examples
    --------
    >>> items = pd.DataFrame({"instruments": ["ITERS-R; ITERS-3", "CLASS", None]})
    >>> item_categories(items, facet="instrument_family")
       position    instrument_family
    0         0                ITERS
    1         1                CLASS
    2         2  No instrument given
    """
    long, _ = _facet(data, facet, "item_categories")
    keys = FACETS[facet][1]
    long = long[["position", *keys]].drop_duplicates(["position", *keys])
    return long.sort_values("position", kind="stable").reset_index(drop=True)


def by_country(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items by country of study, from the free-text ``countries`` column.

    Countries are normalised with
    :func:`baby_room.evidence.countries.normalise_countries` (its
    :class:`~baby_room.errors.UnmatchedValueWarning` is passed on). An item naming
    England and Scotland counts once for the United Kingdom.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        ``"item"``: once per country an item names; ``"fractional"``: ``1/k`` to
        each of its *k* countries, so ``count_fractional`` sums to the number of items.

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (missing for regions and the special rows), ``country`` (short
        English name; a region word such as "Nordic countries" as its own row;
        ``"Unmatched"`` pooling strings that matched nothing, listed in
        ``attrs["unmatched"]``; ``"No country given"``), ``share``, ``n``, ``count``,
        [``share_fractional``, ``count_fractional``], ``counting``. Sorted by ``n`` descending, special rows last.

    Examples
    --------
    >>> items = pd.DataFrame({"countries": ["England", "UK; USA", "Norway and Sweden", None]})
    >>> t = by_country(items, count="fractional")
    >>> t[["country", "count", "count_fractional"]].round(2)
                country  count  count_fractional
    0    United Kingdom      2               1.5
    1            Norway      1               0.5
    2            Sweden      1               0.5
    3     United States      1               0.5
    4  No country given      1               1.0
    >>> float(t["count_fractional"].sum())
    4.0
    """
    return _breakdown(data, "country", count, "by_country")


def by_continent(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items by continent of study (Africa, Asia, Europe, North/South America, Oceania).

    Region words with a continent ("Europe", "Nordic countries") count there;
    region words spanning several ("International", "OECD") are pooled as
    ``"Several or unspecified (region)"``.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        An item in two European countries counts once for Europe either way.

    Returns
    -------
    pandas.DataFrame
        ``continent``, ``share``, ``n``, ``count``, [``share_fractional``, ``count_fractional``], ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"countries": ["England; France", "USA; Japan"]})
    >>> by_continent(items)[["continent", "count"]]
           continent  count
    0           Asia      1
    1         Europe      1
    2  North America      1
    """
    return _breakdown(data, "continent", count, "by_continent")


def by_un_region(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items by UN M49 sub-region (Northern Europe, Northern America, Eastern Asia, ...).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        See :func:`by_country`.

    Returns
    -------
    pandas.DataFrame
        ``un_region``, ``share``, ``n``, ``count``, [``share_fractional``, ``count_fractional``], ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"countries": ["England", "Norway", "USA"]})
    >>> by_un_region(items)[["un_region", "count"]]
              un_region  count
    0   Northern Europe      2
    1  Northern America      1
    """
    return _breakdown(data, "un_region", count, "by_un_region")


def uk_vs_rest(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items from the UK versus the rest of the world.

    With ``count="item"`` an item set in the UK and elsewhere counts in both rows,
    so ``n`` of the ``"UK"`` row is the number of items involving the UK.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        See :func:`by_country`.

    Returns
    -------
    pandas.DataFrame
        ``uk_vs_rest`` (``"UK"``, ``"Rest of world"``, then ``"Unmatched"`` and
        ``"No country given"`` when present), ``share``, ``n``, ``count``,
        [``share_fractional``, ``count_fractional``], ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"countries": ["Wales", "UK; Ireland", "USA"]})
    >>> uk_vs_rest(items)[["uk_vs_rest", "count"]]
          uk_vs_rest  count
    0             UK      2
    1  Rest of world      2
    """
    return _breakdown(data, "uk_vs_rest", count, "uk_vs_rest")


def by_uk_nation(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """UK items by nation (England, Scotland, Wales, Northern Ireland).

    Only items involving the UK are counted; ``share`` and ``attrs["n_items"]``
    refer to the number of UK items. An item that says "UK" without a nation is
    the row ``"UK, nation not stated"``.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        An item set in England and Scotland counts once in each, or ½ in each.

    Returns
    -------
    pandas.DataFrame
        ``uk_nation``, ``share``, ``n``, ``count``, [``share_fractional``, ``count_fractional``] (of UK items),
        ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"countries": ["England", "England; Scotland", "UK", "USA"]})
    >>> by_uk_nation(items)[["uk_nation", "count", "n", "share"]].round(3)
                   uk_nation  count  n  share
    0                England      2  3  0.667
    1               Scotland      1  3  0.333
    2  UK, nation not stated      1  3  0.333
    """
    return _breakdown(data, "uk_nation", count, "by_uk_nation")


def by_year(data: pd.DataFrame, *, by: str | list[str] | None = None,
            complete: bool = True) -> pd.DataFrame:
    """Items per publication year, optionally in groups (e.g. per publication type).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``year`` column (and the ``by`` columns).
    by : str or list of str, optional
        Grouping columns (single-valued), such as ``"publication_type"``: one set of
        rows per group, the ``by`` columns first; ``n`` and ``share`` are then within
        the group (``n`` = items in the group).
    complete : bool, default True
        List every year from the first to the last (in every group, and every
        codebook category of a single ``by`` column) with zero counts where there
        were no items, so the table plots as a time series.

    Returns
    -------
    pandas.DataFrame
        [``by``], ``year`` (Int64; missing for items with no year, listed last),
        ``share`` (``count / n``), ``n`` (items, in the group with ``by``),
        ``count`` (items of that year), ``counting`` (``"item"``: one year per item,
        so ``count`` sums to ``n``). A group with no items has ``n = 0`` and a
        missing ``share``.

    Examples
    --------
    >>> items = pd.DataFrame({"year": [2019, 2021, 2021],
    ...                       "publication_type": ["academic", "academic", "grey"]})
    >>> by_year(items)[["year", "n", "count"]]
       year  n  count
    0  2019  3      1
    1  2020  3      0
    2  2021  3      2
    >>> t = by_year(items, by="publication_type")
    >>> t.loc[t["count"] > 0, ["publication_type", "year", "share", "n", "count"]]
      publication_type  year  share  n  count
    0         academic  2019    0.5  2      1
    2         academic  2021    0.5  2      1
    5             grey  2021    1.0  1      1
    """
    return _by_time(data, "year", by=by, complete=complete, function="by_year")


def by_decade(data: pd.DataFrame, *, by: str | list[str] | None = None) -> pd.DataFrame:
    """Items per decade of publication (``"1990s"``, ``"2000s"``, ...), optionally in groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``year`` column.
    by : str or list of str, optional
        Grouping columns (single-valued); ``n`` and ``share`` are within the group.

    Returns
    -------
    pandas.DataFrame
        [``by``], ``decade`` (string, in time order; ``"Not given"`` last),
        ``share``, ``n``, ``count``, ``counting``. With ``by``, every (group, decade)
        pair is listed, zero where there were no items.

    Examples
    --------
    >>> items = pd.DataFrame({"year": [1998, 2003, 2009, None]})
    >>> by_decade(items)[["decade", "share", "n", "count"]]
          decade  share  n  count
    0      1990s   0.25  4      1
    1      2000s   0.50  4      2
    2  Not given   0.25  4      1
    """
    return _by_time(data, "decade", by=by, complete=False, function="by_decade")


def _by_time(data, facet, *, by, complete, function):
    _check_data(data, ["year"], function)
    by = as_columns(by, function=function, parameter="by", data=data)
    if facet in by or "year" in by:
        raise ArgumentError(function, "by", "grouping columns other than year", by)
    long, _ = _FACET_FUNCS[facet](data)
    for col in by:
        labels = [NOT_GIVEN if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                  for v in data[col].tolist()]
        long[col] = pd.array(labels, dtype="string")
    keys = [*by, facet]
    out = long.groupby(keys, dropna=False, sort=False).size().rename("count").reset_index()
    if by:
        if len(by) == 1:
            cats = _ORDERS.get(by[0]) or sorted(out[by[0]].dropna().unique().tolist())
            cats = list(cats) + sorted(set(out[by[0]].dropna().tolist()) - set(cats))
            groups = pd.DataFrame({by[0]: pd.array(cats, dtype="string")})
        else:
            groups = out[by].drop_duplicates().reset_index(drop=True)
    if facet == "year" and complete:
        years = out["year"].dropna()
        grid_years = (list(range(int(years.min()), int(years.max()) + 1)) if len(years) else [])
        if out["year"].isna().any():
            grid_years = grid_years + [pd.NA]
        grid = pd.DataFrame({"year": pd.array(grid_years, dtype="Int64")})
        if by:
            grid = groups.merge(grid, how="cross")
        out = grid.merge(out, on=keys, how="left")
    if facet == "decade" and by:  # every (group, decade) pair, zeros kept
        grid = groups.merge(out[[facet]].drop_duplicates(), how="cross")
        out = grid.merge(out, on=keys, how="left")
    out["count"] = out["count"].fillna(0).astype(np.int64)
    # order: by group (codebook order of a single column), then time
    if facet == "year":
        tkey = [(1, 0) if pd.isna(v) else (0, int(v)) for v in out["year"].tolist()]
    else:
        tkey = [(1, 0) if v == NOT_GIVEN else (0, int(v[:4])) for v in out["decade"].tolist()]
    if len(by) == 1:
        order = {v: i for i, v in enumerate(_ORDERS.get(by[0]) or [])}
        bkey = [(order.get(v, len(order)), str(v)) for v in out[by[0]].tolist()]
    elif by:
        bkey = [tuple(map(str, t)) for t in out[by].itertuples(index=False, name=None)]
    else:
        bkey = [(0, "")] * len(out)
    idx = sorted(range(len(out)), key=lambda i: (bkey[i], tkey[i]))
    out = out.iloc[idx].reset_index(drop=True)
    n_items = (out.groupby(by, sort=False, dropna=False)["count"].transform("sum").to_numpy()
               if by else len(data))
    attrs = _attrs(data, counting="item", n_items=len(data), facet=facet)
    return _finish(out, keys, n_items, "item", attrs)


def by_publication_type(data: pd.DataFrame) -> pd.DataFrame:
    """Items by publication type (academic article, grey literature).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``publication_type`` column.

    Returns
    -------
    pandas.DataFrame
        ``publication_type`` (``"academic"``, ``"grey"``, then any other value and
        ``"Not given"``), ``share``, ``n``, ``count``, ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"publication_type": ["academic", "grey", "academic"]})
    >>> by_publication_type(items)[["publication_type", "count"]]
      publication_type  count
    0         academic      2
    1             grey      1
    """
    return _breakdown(data, "publication_type", "item", "by_publication_type")


def by_design(data: pd.DataFrame) -> pd.DataFrame:
    """Items by study design (codebook order: cross_sectional, longitudinal, ...).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``design`` column.

    Returns
    -------
    pandas.DataFrame
        ``design``, ``share``, ``n``, ``count``, ``counting``; every design listed.

    Examples
    --------
    >>> items = pd.DataFrame({"design": ["qualitative", "qualitative", "review"]})
    >>> t = by_design(items)
    >>> t.loc[t["count"] > 0, ["design", "count"]]
            design  count
    3  qualitative      2
    5       review      1
    """
    return _breakdown(data, "design", "item", "by_design")


def by_age_focus(data: pd.DataFrame) -> pd.DataFrame:
    """Items by age focus (0-12m, 12-24m, 0-24m, 0-36m).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with an ``age_focus`` column.

    Returns
    -------
    pandas.DataFrame
        ``age_focus`` (codebook order, every band listed, ``"Not given"`` last when
        present), ``share``, ``n``, ``count``, ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"age_focus": ["0-24m", "0-12m", "0-24m", None]})
    >>> by_age_focus(items)[["age_focus", "count"]]
       age_focus  count
    0      0-12m      1
    1     12-24m      0
    2      0-24m      2
    3      0-36m      0
    4  Not given      1
    """
    return _breakdown(data, "age_focus", "item", "by_age_focus")


def by_instrument_family(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items by quality-instrument family (ITERS, CLASS, then others by name).

    Instruments are read from the ``;``-separated ``instruments`` column and
    normalised with :func:`normalise_instruments`. An item using ITERS-R and
    ITERS-3 counts once for ITERS.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with an ``instruments`` column.
    count : {"item", "fractional"}, default "item"
        See the module docstring.

    Returns
    -------
    pandas.DataFrame
        ``instrument_family``, ``share``, ``n``, ``count``, [``share_fractional``, ``count_fractional``], ``counting``;
        by descending ``n``, ``"No instrument given"`` last.

    Examples
    --------
    >>> items = pd.DataFrame({"instruments": ["ITERS-R; iters 3", "CLASS Infant", None]})
    >>> by_instrument_family(items)[["instrument_family", "count"]]
         instrument_family  count
    0                CLASS      1
    1                ITERS      1
    2  No instrument given      1
    """
    return _breakdown(data, "instrument_family", count, "by_instrument_family")


def by_instrument(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items by individual instrument (ITERS-R, ITERS-3, CLASS Infant, ...), with its family.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with an ``instruments`` column.
    count : {"item", "fractional"}, default "item"
        See the module docstring.

    Returns
    -------
    pandas.DataFrame
        ``instrument``, ``instrument_family``, ``share``, ``n``, ``count``,
        [``share_fractional``, ``count_fractional``], ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"instruments": ["ITERS-R; CLASS toddler", "ITERS R"]})
    >>> by_instrument(items)[["instrument", "instrument_family", "count"]]
          instrument instrument_family  count
    0        ITERS-R             ITERS      2
    1  CLASS Toddler             CLASS      1
    """
    return _breakdown(data, "instrument", count, "by_instrument")


def by_dimension(data: pd.DataFrame, *, count: str = "item") -> pd.DataFrame:
    """Items by quality dimension studied (group size, ratio, qualifications, ...).

    ``dimensions`` is ``;``-separated; values are matched to the codebook's
    dimensions ignoring case, spacing and hyphens, and any other value is kept
    as its own row.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``dimensions`` column.
    count : {"item", "fractional"}, default "item"
        ``"item"``: ``n`` = items examining the dimension, ``share`` = share of
        items; ``"fractional"``: ``1/k`` per dimension of an item with *k*.

    Returns
    -------
    pandas.DataFrame
        ``dimension`` (every codebook dimension, in codebook order, zero where no
        item examined it; then other values; ``"No dimension given"`` last), ``n``,
        ``count``, [``share_fractional``, ``count_fractional``], ``counting``.

    Examples
    --------
    >>> items = pd.DataFrame({"dimensions": ["Ratio; group-size", "ratio", ""]})
    >>> t = by_dimension(items)
    >>> t.loc[t["count"] > 0, ["dimension", "count", "share"]].round(3)
                 dimension  count  share
    0           group size      1  0.333
    1                ratio      2  0.667
    10  No dimension given      1  0.333
    """
    return _breakdown(data, "dimension", count, "by_dimension")


def gap_map(data: pd.DataFrame, *, rows: str = "instrument_family", columns: str = "dimension",
            count: str = "item", complete: bool = True) -> pd.DataFrame:
    """Evidence gap map: items in each (row category × column category) cell, in long form.

    Parameters
    ----------
    data : pandas.DataFrame
        The extraction table.
    rows, columns : str
        Facets (see :func:`breakdown`); typically ``rows="instrument_family"`` or
        ``"country"`` and ``columns="dimension"``.
    count : {"item", "fractional"}, default "item"
        ``"item"``: a cell counts the items naming both categories. ``"fractional"``:
        an item naming *r* row categories and *c* column categories adds ``1/(r c)``
        to each of its *r c* cells, so ``count_fractional`` sums to the number of items.
    complete : bool, default True
        List every (row, column) pair, zero where no item falls (the gaps).

    Returns
    -------
    pandas.DataFrame
        The row facet's key column(s), the column facet's key column(s), ``share``
        (``count / n``), ``n`` (all items, the base), ``count`` (items in the cell),
        [``share_fractional``, ``count_fractional``], ``counting``. Row categories
        in :func:`breakdown` order, column categories likewise. Pivot with
        ``df.pivot(index=<row key>, columns=<column key>, values="count")``.

    Examples
    --------
    >>> items = pd.DataFrame({"instruments": ["ITERS-R", "ITERS-3; CLASS Infant", "CLASS"],
    ...                       "dimensions": ["ratio", "ratio; interactions", "interactions"]})
    >>> g = gap_map(items)
    >>> g.pivot(index="instrument_family", columns="dimension", values="count").loc[
    ...     ["CLASS", "ITERS"], ["ratio", "interactions"]]
    dimension          ratio  interactions
    instrument_family
    CLASS                  1             2
    ITERS                  2             1
    """
    _check_count(count, "gap_map")
    row_long, extra_r = _facet(data, rows, "gap_map")
    if rows == columns:
        raise ArgumentError("gap_map", "columns", f"a facet other than rows ({rows!r})", columns)
    col_long, extra_c = _facet(data, columns, "gap_map")
    rkeys, ckeys = FACETS[rows][1], FACETS[columns][1]
    row_long = row_long.drop_duplicates(["position", *rkeys])
    col_long = col_long.drop_duplicates(["position", *ckeys])
    long = row_long.merge(col_long, on="position", how="inner")
    grouped_by = [*rkeys, *ckeys]
    if count == "fractional":
        k = long.groupby("position")["position"].transform("size")
        long = long.assign(_w=1.0 / k)
        out = (long.groupby(grouped_by, dropna=False, sort=False)
               .agg(count=("position", "size"), count_fractional=("_w", "sum")).reset_index())
    else:  # the fractional sums are not shown: only the sizes
        out = (long.groupby(grouped_by, dropna=False, sort=False).size().rename("count")
               .reset_index())
    row_order = _from_long(data, row_long, {}, rows, "item") if rows != "year" else None
    col_order = _from_long(data, col_long, {}, columns, "item") if columns != "year" else None
    if complete:
        rgrid = (row_order[rkeys] if row_order is not None
                 else out[rkeys].drop_duplicates()).reset_index(drop=True)
        cgrid = (col_order[ckeys] if col_order is not None
                 else out[ckeys].drop_duplicates()).reset_index(drop=True)
        grid = rgrid.merge(cgrid, how="cross")
        out = grid.merge(out, on=[*rkeys, *ckeys], how="left")
        out["count"] = out["count"].fillna(0)
        if count == "fractional":
            out["count_fractional"] = out["count_fractional"].fillna(0.0)
    out["count"] = out["count"].astype(np.int64)
    # order rows and columns as their one-way breakdowns
    if row_order is not None and col_order is not None:
        rrank = {tuple(r): i for i, r in enumerate(row_order[rkeys].astype(object)
                                                    .itertuples(index=False, name=None))}
        crank = {tuple(r): i for i, r in enumerate(col_order[ckeys].astype(object)
                                                    .itertuples(index=False, name=None))}
        rk = [rrank.get(tuple(r), len(rrank)) for r in out[rkeys].astype(object)
              .itertuples(index=False, name=None)]
        ck = [crank.get(tuple(r), len(crank)) for r in out[ckeys].astype(object)
              .itertuples(index=False, name=None)]
        idx = sorted(range(len(out)), key=lambda i: (rk[i], ck[i]))
        out = out.iloc[idx].reset_index(drop=True)
    attrs = _attrs(data, counting=count, n_items=len(data), facet=f"{rows} x {columns}",
                   rows=rkeys[0] if rows != "country" else "country", columns=ckeys[0])
    unmatched = "; ".join(u for u in (extra_r.get("unmatched"), extra_c.get("unmatched")) if u)
    if "unmatched" in extra_r or "unmatched" in extra_c:
        attrs["unmatched"] = unmatched
    return _finish(out, [*rkeys, *ckeys], len(data), count, attrs)


# --------------------------------------------------------------------------- instruments

_ITERS_SUFFIX = {"": "ITERS", "r": "ITERS-R", "revised": "ITERS-R", "3": "ITERS-3",
                 "iii": "ITERS-3", "third": "ITERS-3", "thirdedition": "ITERS-3",
                 "3rdedition": "ITERS-3"}
_CLASS_SUFFIX = {"": "CLASS", "infant": "CLASS Infant", "toddler": "CLASS Toddler",
                 "prek": "CLASS Pre-K", "k3": "CLASS K-3"}
_ITERS_LONG = "infanttoddlerenvironmentratingscale"
_CLASS_LONG = "classroomassessmentscoringsystem"


def _canonical(key: str):
    """(instrument, family) for ITERS and CLASS spellings, else None."""
    key = re.sub(r"[^0-9a-z]", "", key)
    for prefix in ("iters", _ITERS_LONG):
        if key.startswith(prefix):
            name = _ITERS_SUFFIX.get(key[len(prefix):])
            if name:
                return name, "ITERS"
    for prefix in ("class", _CLASS_LONG):
        if key.startswith(prefix):
            rest = key[len(prefix):]
            if rest in _CLASS_SUFFIX:
                return _CLASS_SUFFIX[rest], "CLASS"
    return None


def normalise_instruments(values, *, sep: str = ";") -> pd.DataFrame:
    """Split and normalise instrument names: one row per (item position, instrument).

    Families: **ITERS** (ITERS, ITERS-R, ITERS-3, also the spelled-out "Infant/Toddler
    Environment Rating Scale") and **CLASS** (CLASS Infant, CLASS Toddler, CLASS Pre-K,
    CLASS). Matching ignores case, spaces, hyphens (any dash) and dots, so
    ``"iters r"``, ``"ITERS–R"`` and ``"Iters-R"`` are one instrument. Any other
    instrument is its own family, named by its most frequent spelling (ties: the
    alphabetically first) among spellings that differ only in case, spacing or
    hyphens.

    Parameters
    ----------
    values : sequence of str or pandas.Series
        The ``instruments`` column.
    sep : str, default ";"
        Separator between instruments in a cell.

    Returns
    -------
    pandas.DataFrame
        Columns ``position`` (0-based cell position), ``input`` (the piece as
        typed, whitespace collapsed), ``instrument``, ``instrument_family``.
        Empty cells give no row; an instrument repeated within a cell gives one.

    Examples
    --------
    >>> normalise_instruments(["ITERS-R; iters 3", "CLASS infant", "CIS; cis"])
       position       input    instrument instrument_family
    0         0     ITERS-R       ITERS-R             ITERS
    1         0    iters 3       ITERS-3             ITERS
    2         1  CLASS infant  CLASS Infant             CLASS
    3         2         CIS           CIS               CIS
    """
    series = pd.Series(values).reset_index(drop=True) if not isinstance(values, pd.Series) \
        else values.reset_index(drop=True)
    long = _split_multi(series, sep)
    pieces = long["value"].tolist()
    key_of = {p: _key(p) for p in set(pieces)}  # once per spelling
    keys = [key_of[p] for p in pieces]
    spellings: dict[str, Counter] = {}
    for k, p in zip(keys, pieces, strict=True):
        spellings.setdefault(k, Counter())[p] += 1
    display = {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
               for k, c in spellings.items()}
    instrument, family = [], []
    for k in keys:
        hit = _canonical(k)
        if hit is None:
            hit = (display[k], display[k])
        instrument.append(hit[0])
        family.append(hit[1])
    out = pd.DataFrame({
        "position": long["position"].to_numpy(),
        "input": long["value"],
        "instrument": pd.array(instrument, dtype="string"),
        "instrument_family": pd.array(family, dtype="string"),
    })
    return out.drop_duplicates(["position", "instrument"]).reset_index(drop=True)
