"""Figures of the evidence review: countries, years, instruments, gap map and world map.

Each function takes the extraction table (one row per included item), computes
its numbers with :mod:`baby_room.evidence.breakdowns`, draws on ``ax`` (a new
figure when None) and returns ``ax``. Every figure names its data source, and
says SYNTHETIC DATA when it applies, through :func:`baby_room.style.label_source`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import one_of
from baby_room.errors import ArgumentError
from baby_room.evidence import breakdowns as bd

__all__ = [
    "plot_countries",
    "plot_items_per_year",
    "plot_instrument_families",
    "plot_gap_map",
    "plot_world_map",
]

_SPECIAL = set(bd.SPECIAL_ROWS)
_COUNT_NOTE = {
    "item": "an item set in several countries counts once in each",
    "fractional": "an item set in k countries counts 1/k in each",
}


def _source(ax, table):
    """label_source for the evidence figures."""
    from baby_room.style import label_source

    return label_source(ax, table)


def _note(ax, text):
    """A grey note inside the Axes, bottom right (where ranked bars leave space)."""
    return ax.text(0.98, 0.02, text, transform=ax.transAxes, ha="right", va="bottom",
                   fontsize=7.5, color="#555555")


def _value_column(count: str, function: str) -> str:
    one_of(count, bd.COUNTING, function=function, parameter="count")
    return "count" if count == "item" else "count_fractional"


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def plot_countries(data: pd.DataFrame, *, count: str = "item", top: int | None = 20,
                   ax=None):
    """Ranked horizontal bar chart of items by country, the UK highlighted.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        Counting of multi-country items (see :func:`baby_room.evidence.breakdowns.by_country`).
    top : int or None, default 20
        Show the ``top`` countries with most items (None: all); how many were left
        out is written under the chart. Region words ("Europe"), unmatched strings
        and items with no country are shown after the countries, in grey.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> items = pd.DataFrame({"countries": ["England", "USA", "USA; Canada"]})
    >>> ax = plot_countries(items)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['United States', 'Canada', 'United Kingdom']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from baby_room.style import PALETTE, title_at_top

    col = _value_column(count, "plot_countries")
    table = bd.by_country(data, count=count)
    countries = table[table["iso3"].notna()]
    others = table[table["iso3"].isna()]
    hidden, hidden_max = 0, 0.0
    if top is not None:
        if int(top) < 1:
            raise ArgumentError("plot_countries", "top", "a positive whole number or None", top)
        hidden = max(len(countries) - int(top), 0)
        if hidden:
            hidden_max = float(countries[col].iloc[int(top):].max())
        countries = countries.head(int(top))
    shown = pd.concat([countries, others], ignore_index=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, max(3.0, 0.28 * len(shown) + 1.4)))
    y = np.arange(len(shown))
    colours = [PALETTE["highlight"] if c == "GBR" else
               PALETTE["primary"] if isinstance(c, str) else PALETTE["muted"]
               for c in shown["iso3"].astype(object).where(shown["iso3"].notna(), None)]
    values = shown[col].to_numpy(dtype=float)
    ax.barh(y, values, color=colours, height=0.72)
    labels = [f"{c} (region)" if iso is None and c not in _SPECIAL else c
              for c, iso in zip(shown["country"].tolist(),
                                shown["iso3"].astype(object).where(shown["iso3"].notna(), None),
                                strict=True)]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    vmax = values.max() if len(values) else 1.0
    for yi, v in zip(y, values, strict=True):
        ax.text(v + vmax * 0.01, yi, _fmt(v), va="center", ha="left", fontsize=8)
    ax.set_xlim(0, vmax * 1.12 if vmax > 0 else 1)
    ax.set_xlabel(f"Number of items ({_COUNT_NOTE[count]})")
    title_at_top(ax, "Where the research took place")
    for label in ax.get_yticklabels():
        if label.get_text() == "United Kingdom":
            label.set_fontweight("bold")
            label.set_color(PALETTE["highlight"])
    notes = [f"{table.attrs['n_items']} items"]
    if hidden:
        notes.append(f"{hidden} further countr{'y' if hidden == 1 else 'ies'} not shown "
                     f"(at most {_fmt(hidden_max)} items each)")
    notes.append("grey: regions, unmatched or no country")
    _note(ax, "\n".join(notes))
    _source(ax, table)
    return ax


def plot_items_per_year(data: pd.DataFrame, *, by: str = "publication_type", ax=None):
    """Items per publication year as stacked bars, academic and grey literature.

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with ``year`` and ``by`` columns.
    by : str, default "publication_type"
        Column whose categories are stacked.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> items = pd.DataFrame({"year": [2019, 2020, 2020],
    ...                       "publication_type": ["academic", "academic", "grey"]})
    >>> ax = plot_items_per_year(items)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Academic (n = 2)', 'Grey literature (n = 1)']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from baby_room.style import PALETTE, title_at_top

    table = bd.by_year(data, by=by)
    dated = table[table["year"].notna()]
    undated = int(table.loc[table["year"].isna(), "count"].sum())
    wide = dated.pivot_table(index="year", columns=by, values="count", aggfunc="sum",
                             sort=False, observed=False).fillna(0)
    order = [c for c in (bd.CATEGORY_ORDERS.get(by) or []) if c in wide.columns]
    order += [c for c in wide.columns if c not in order]
    wide = wide[order].sort_index()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    names = {"academic": "Academic", "grey": "Grey literature"}
    colours = [PALETTE["primary"], PALETTE["secondary"], PALETTE["accent"], PALETTE["warning"],
               PALETTE["highlight"], PALETTE["muted"]]
    bottom = np.zeros(len(wide))
    years = wide.index.to_numpy(dtype=int)
    for i, cat in enumerate(wide.columns):
        vals = wide[cat].to_numpy(dtype=float)
        ax.bar(years, vals, bottom=bottom, width=0.8, color=colours[i % len(colours)],
               label=f"{names.get(cat, cat)} (n = {int(table.loc[table[by] == cat, 'count'].sum())})")
        bottom += vals
    ax.set_xlabel("Year of publication")
    ax.set_ylabel("Number of items")
    title_at_top(ax, "Items per year of publication")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    if len(years):
        ax.set_xlim(years.min() - 0.8, years.max() + 0.8)
    ax.legend(loc="upper left")
    if undated:
        ax.text(0.02, 0.72, f"{undated} item{'s' if undated != 1 else ''} with no year "
                f"not shown", transform=ax.transAxes, fontsize=7.5, color="#555555")
    _source(ax, table)
    return ax


def plot_instrument_families(data: pd.DataFrame, *, count: str = "item",
                             show_missing: bool = False, ax=None):
    """Horizontal bars of items by quality-instrument family (ITERS, CLASS, others by name).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with an ``instruments`` column.
    count : {"item", "fractional"}, default "item"
        Counting of items that used instruments of several families.
    show_missing : bool, default False
        Draw the "No instrument given" bar; when False its count is written under
        the chart instead.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> items = pd.DataFrame({"instruments": ["ITERS-R", "ITERS-3; CLASS Infant", None]})
    >>> ax = plot_instrument_families(items)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['ITERS', 'CLASS']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from baby_room.style import PALETTE, title_at_top

    col = _value_column(count, "plot_instrument_families")
    table = bd.by_instrument_family(data, count=count)
    missing = table[table["instrument_family"] == bd.NO_INSTRUMENT]
    shown = table if show_missing else table[table["instrument_family"] != bd.NO_INSTRUMENT]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, max(2.5, 0.34 * len(shown) + 1.3)))
    y = np.arange(len(shown))
    values = shown[col].to_numpy(dtype=float)
    colours = [PALETTE["muted"] if f == bd.NO_INSTRUMENT else
               PALETTE["primary"] if f in ("ITERS", "CLASS") else PALETTE["accent"]
               for f in shown["instrument_family"]]
    ax.barh(y, values, color=colours, height=0.7)
    ax.set_yticks(y, shown["instrument_family"].tolist())
    ax.invert_yaxis()
    vmax = values.max() if len(values) else 1.0
    n_items = table.attrs["n_items"]
    for yi, v in zip(y, values, strict=True):
        ax.text(v + vmax * 0.01, yi, f"{_fmt(v)} ({v / max(n_items, 1):.0%})", va="center",
                ha="left", fontsize=8)
    ax.set_xlim(0, vmax * 1.22 if vmax > 0 else 1)
    ax.set_xlabel("Number of items (share of all items)")
    title_at_top(ax, "Quality instruments used, by family")
    note = ["ITERS: ITERS, ITERS-R, ITERS-3", "CLASS: CLASS Infant, CLASS Toddler",
            f"{n_items} items"]
    if not show_missing and len(missing):
        note.append(f"{int(missing['count'].sum())} used no named instrument")
    _note(ax, "\n".join(note))
    _source(ax, table)
    return ax


def plot_gap_map(data: pd.DataFrame, *, rows: str = "instrument_family",
                 columns: str = "dimension", top: int | None = 12, count: str = "item",
                 show_missing: bool = False, ax=None):
    """Evidence gap map: a bubble matrix of items per (row category × quality dimension).

    Bubble *area* is proportional to the number of items; the count is written in
    (or beside) each bubble; empty cells are the gaps.

    Parameters
    ----------
    data : pandas.DataFrame
        The extraction table.
    rows : str, default "instrument_family"
        Row facet, e.g. ``"instrument_family"``, ``"country"``, ``"continent"``,
        ``"age_focus"`` (see :func:`baby_room.evidence.breakdowns.gap_map`).
    columns : str, default "dimension"
        Column facet.
    top : int or None, default 12
        Keep the ``top`` row categories with most items.
    count : {"item", "fractional"}, default "item"
        Cell counting (see :func:`~baby_room.evidence.breakdowns.gap_map`).
    show_missing : bool, default False
        Keep "No ... given" / "Unmatched" rows and columns.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> items = pd.DataFrame({"instruments": ["ITERS-R", "CLASS Infant"],
    ...                       "dimensions": ["ratio", "interactions"]})
    >>> ax = plot_gap_map(items)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['CLASS', 'ITERS']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from baby_room.style import PALETTE, title_at_top

    col = _value_column(count, "plot_gap_map")
    table = bd.gap_map(data, rows=rows, columns=columns, count=count)
    rkey = "country" if rows == "country" else bd.FACETS[rows][1][0]
    ckey = bd.FACETS[columns][1][0]
    if not show_missing:
        table = table[~table[rkey].isin(_SPECIAL) & ~table[ckey].isin(_SPECIAL)]
    row_totals = bd.breakdown(data, facet=rows) if rows not in ("year",) else None
    row_order = [r for r in (row_totals[rkey].tolist() if row_totals is not None
                             else table[rkey].unique().tolist())
                 if r in set(table[rkey].tolist())]
    if top is not None:
        row_order = row_order[: int(top)]
    col_order = list(dict.fromkeys(table[ckey].tolist()))
    table = table[table[rkey].isin(row_order)]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.5, 0.62 * len(col_order) + 2.8),
                                      max(3.0, 0.42 * len(row_order) + 2.2)))
    ri = {r: i for i, r in enumerate(row_order)}
    ci = {c: i for i, c in enumerate(col_order)}
    xs = np.array([ci[c] for c in table[ckey]], dtype=float)
    ys = np.array([ri[r] for r in table[rkey]], dtype=float)
    vals = table[col].to_numpy(dtype=float)
    vmax = vals.max() if len(vals) and vals.max() > 0 else 1.0
    max_area = 900.0  # points^2 for the largest cell
    sizes = vals / vmax * max_area
    ax.scatter(xs[vals > 0], ys[vals > 0], s=sizes[vals > 0], color=PALETTE["primary"],
               alpha=0.55, edgecolors=PALETTE["primary"], linewidths=0.6, zorder=3)
    for x, y_, v, size in zip(xs, ys, vals, sizes, strict=True):
        if v > 0:
            inside = size > 260
            ax.text(x if inside else x + 0.16, y_, _fmt(v), ha="center" if inside else "left",
                    va="center", fontsize=7.5, color="white" if inside else "#222222",
                    zorder=4)
    ax.set_xticks(range(len(col_order)), col_order, rotation=40, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(len(row_order)), row_order)
    ax.set_xlim(-0.6, len(col_order) - 0.4)
    ax.set_ylim(len(row_order) - 0.5, -0.5)
    ax.set_axisbelow(True)
    ax.grid(True, color="#E5E5E5", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    names = {"instrument_family": "Instrument family", "country": "Country",
             "dimension": "Quality dimension", "continent": "Continent",
             "age_focus": "Age focus", "un_region": "UN region", "design": "Study design"}
    ax.set_xlabel(names.get(ckey, ckey))
    ax.set_ylabel(names.get(rkey, rkey))
    title_at_top(ax, f"Evidence gap map: {names.get(rkey, rkey).lower()} × "
                     f"{names.get(ckey, ckey).lower()}")
    what = ("bubble area ∝ number of items; an item counts in every cell it belongs to"
            if count == "item" else "bubble area ∝ fractional item count")
    label = _source(ax, table)
    ax.annotate(what, xy=(0, 0), xycoords=label, xytext=(0, -3),  # under the source label
                textcoords="offset points", ha="left", va="top", fontsize=7.5,
                color="#555555")
    return ax


def plot_world_map(data: pd.DataFrame, *, count: str = "item", ax=None, **kwargs):
    """World choropleth of items by country: "Geographical spread of research".

    Computes :func:`baby_room.evidence.breakdowns.by_country` and draws it with
    :func:`baby_room.evidence.world.plot_world_choropleth` (offline shapes, Equal
    Earth projection; the UK labelled with its count; region-level rows, unmatched
    strings and items with no country listed in a note under the map).

    Parameters
    ----------
    data : pandas.DataFrame
        Extraction table with a ``countries`` column.
    count : {"item", "fractional"}, default "item"
        Counting of multi-country items.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to :func:`~baby_room.evidence.world.plot_world_choropleth` (``cmap``,
        ``annotate``, ``title``, ...).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> items = pd.DataFrame({"countries": ["England", "USA", "USA; Canada"]})
    >>> ax = plot_world_map(items)
    >>> ax.get_title()
    'Geographical spread of research'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from baby_room.evidence.world import plot_world_choropleth

    col = _value_column(count, "plot_world_map")
    table = bd.by_country(data, count=count)
    kwargs.setdefault("title", "Geographical spread of research")
    kwargs.setdefault("label", "Number of items" if count == "item"
                      else "Number of items (fractional)")
    return plot_world_choropleth(table, iso3="iso3", value=col, ax=ax, **kwargs)
