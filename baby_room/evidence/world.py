"""World choropleth of where the reviewed research took place, drawn offline.

The country shapes are Natural Earth 1:110m admin-0 countries (public domain), bundled in
``baby_room/data/naturalearth_110m/``; they are read with ``pyogrio`` and ``shapely`` (imported
inside the functions) and projected with the Equal Earth projection implemented here in
numpy. Nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from baby_room.errors import ArgumentError, FileFormatError

__all__ = ["equal_earth", "world_shapes", "plot_world_choropleth"]

# Equal Earth constants (Šavrič, Patterson & Jenny 2018, eq. 2)
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = np.sqrt(3.0) / 2.0

#: Natural Earth rows whose ``iso_a3`` is -99, matched by name. France and Norway are
#: themselves; Northern Cyprus and Somaliland are drawn as part of Cyprus and Somalia
#: (the ISO 3166 / UN convention); Kosovo uses the user-assigned code XKX.
_NE_ISO3_BY_NAME = {
    "France": "FRA",
    "Norway": "NOR",
    "Kosovo": "XKX",
    "N. Cyprus": "CYP",
    "Somaliland": "SOM",
}

#: Colour of countries with no items.
ZERO_COLOUR = "#E3E3E3"
_EDGE_COLOUR = "#FFFFFF"
_SHAPES_DIR = "naturalearth_110m"
_SHAPES_FILE = "naturalearth_lowres.shp"
#: Source line for the map's shapes, appended to the data source label.
SHAPES_CREDIT = "Natural Earth 1:110m (public domain)"


def equal_earth(lon, lat, *, lon_0: float = 0.0, radius: float = 1.0):
    """Project longitude/latitude (degrees) with the Equal Earth projection on a sphere.

    Formula (Šavrič, Patterson & Jenny 2018, eq. 2), with
    :math:`\\theta = \\arcsin(\\tfrac{\\sqrt 3}{2}\\sin\\varphi)`:

    .. math::

        x = R\\,\\frac{2\\sqrt 3\\,\\lambda\\cos\\theta}
            {3\\,(9A_4\\theta^8 + 7A_3\\theta^6 + 3A_2\\theta^2 + A_1)}, \\qquad
        y = R\\,(A_4\\theta^9 + A_3\\theta^7 + A_2\\theta^3 + A_1\\theta)

    with :math:`A_1 = 1.340264`, :math:`A_2 = -0.081106`, :math:`A_3 = 0.000893`,
    :math:`A_4 = 0.003796` and :math:`\\lambda` the longitude from ``lon_0`` in radians.
    Longitudes are wrapped to [-180, 180] around ``lon_0`` (180 stays on the east edge).

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude in degrees (any matching shapes).
    lon_0 : float, default 0
        Central meridian in degrees.
    radius : float, default 1
        Sphere radius; the result is in the same unit.

    Returns
    -------
    x, y : numpy.ndarray
        Projected coordinates.

    References
    ----------
    Šavrič, B., Patterson, T. & Jenny, B. (2018). The Equal Earth map projection.
    *International Journal of Geographical Information Science* 33(3), 454–465.
    https://doi.org/10.1080/13658816.2018.1504949

    Checked against PROJ's ``+proj=eqearth +R=1`` (pyproj 3.7) to 1e-9 in
    ``tests/test_world_map.py``.

    Examples
    --------
    >>> x, y = equal_earth([0, 180, 0], [0, 0, 90])
    >>> x.round(6).tolist(), y.round(6).tolist()
    ([0.0, 2.70663, 0.0], [0.0, 0.0, 1.317363])
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    d = lon - lon_0
    # wrap into [-180, 180], keeping +180 (and rounding noise such as 180.00000000000006)
    # on the eastern edge so that shapes cut at the antimeridian stay on their own side
    d = np.clip(np.where(np.abs(d) <= 180.0 + 1e-6, d, (d + 180.0) % 360.0 - 180.0), -180, 180)
    lam = np.deg2rad(d)
    theta = np.arcsin(_M * np.sin(np.deg2rad(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = radius * lam * np.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = radius * theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


@lru_cache(maxsize=1)
def _read_shapes() -> pd.DataFrame:
    import pyogrio
    import shapely

    ref = resources.files("baby_room") / "data" / _SHAPES_DIR / _SHAPES_FILE
    with resources.as_file(ref) as path:
        try:
            _, _, wkb, fields = pyogrio.raw.read(path, columns=["name", "iso_a3"])
        except Exception as exc:  # pragma: no cover - damaged installation
            raise FileFormatError(path, f"the bundled world shapes cannot be read ({exc})") from exc
    names = [str(n) for n in fields[0]]
    iso = [str(c) for c in fields[1]]
    iso3 = [_NE_ISO3_BY_NAME.get(n, c) if c in ("-99", "", "None") else c for n, c in zip(
        names, iso, strict=True)]
    geoms = shapely.orient_polygons(shapely.from_wkb(wkb))
    return pd.DataFrame(
        {
            "iso3": pd.array(iso3, dtype="string"),
            "name": pd.array(names, dtype="string"),
            "geometry": np.asarray(geoms, dtype=object),
        }
    )


def world_shapes() -> pd.DataFrame:
    """Return the bundled Natural Earth 1:110m country shapes (longitude/latitude, WGS84).

    Read once with pyogrio and cached in memory; each call returns a copy of the table.
    Natural Earth rows without an ISO code (``iso_a3`` of -99) are matched by name:
    France (FRA), Norway (NOR), Kosovo (XKX), and Northern Cyprus and Somaliland, drawn
    as part of Cyprus (CYP) and Somalia (SOM) following ISO 3166 and the UN.

    Returns
    -------
    pandas.DataFrame
        177 rows, columns ``iso3`` (string, ISO 3166-1 alpha-3), ``name`` (string, the
        Natural Earth name) and ``geometry`` (shapely Polygon or MultiPolygon in degrees,
        exterior rings counter-clockwise). Two rows share CYP and two share SOM.

    Examples
    --------
    >>> shapes = world_shapes()
    >>> shapes.loc[shapes["name"].isin(["France", "Norway"]), "iso3"].tolist()
    ['NOR', 'FRA']
    """
    return _read_shapes().copy()


@lru_cache(maxsize=4)
def _projected_paths(include_antarctica: bool):
    """Matplotlib Paths of every shape in Equal Earth coordinates (cached)."""
    import shapely
    from matplotlib.path import Path

    shapes = _read_shapes()
    keep = shapes if include_antarctica else shapes[shapes["iso3"] != "ATA"]
    paths = []
    for geom in keep["geometry"]:
        verts, codes = [], []
        for poly in shapely.get_parts(geom):
            for ring in [poly.exterior, *poly.interiors]:
                xy = shapely.get_coordinates(ring)
                x, y = equal_earth(xy[:, 0], xy[:, 1])
                ring_codes = np.full(len(x), Path.LINETO, dtype=Path.code_type)
                ring_codes[0] = Path.MOVETO
                ring_codes[-1] = Path.CLOSEPOLY
                verts.append(np.column_stack([x, y]))
                codes.append(ring_codes)
        paths.append(Path(np.concatenate(verts), np.concatenate(codes)))
    return tuple(keep["iso3"].tolist()), tuple(keep["name"].tolist()), tuple(paths)


def _bins(vmax: float) -> np.ndarray:
    """Bin edges 1, 2, 5, 10, 20, 50, ... covering counts up to ``vmax`` (lower edges)."""
    edges = [1.0]
    steps = (2.0, 5.0, 10.0)
    base = 1.0
    while edges[-1] <= vmax:
        for s in steps:
            edges.append(base * s)
            if edges[-1] > vmax:
                break
        base *= 10.0
    return np.array(edges)


def _range_label(lo: float, hi: float) -> str:
    lo_i, hi_i = int(lo), int(hi) - 1
    return f"{lo_i}" if hi_i <= lo_i else f"{lo_i}–{hi_i}"


def plot_world_choropleth(
    data: pd.DataFrame,
    *,
    iso3: str = "iso3",
    value: str = "count",
    ax=None,
    cmap: str = "Blues",
    title: str | None = "Geographical spread of research",
    label: str = "Number of items",
    annotate=("GBR",),
    antarctica: bool = False,
):
    """Draw a world choropleth of counts per country, offline, in the Equal Earth projection.

    Countries are coloured by ``value`` on a sequential, binned colour scale (bins 1, 2–4,
    5–9, 10–19, 20–49, ...; a colourbar labelled ``label``); countries with zero items,
    or absent from ``data``, are light grey. The countries in ``annotate`` (by default the
    UK, small at this scale) get a label with their count, e.g. "UK: 12". Rows of
    ``data`` with no ISO code (region-level entries such as "Europe") and countries too
    small to appear at 1:110m (e.g. Singapore, Malta) are not drawn: they are listed in a
    note under the map, so no count is silently left out. The data source (from
    ``data.attrs``) and the shapes' source are written under the map.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per country: an ISO 3166-1 alpha-3 column and a count column, e.g. the
        result of :func:`baby_room.evidence.by_country`. A ``country`` column, if present,
        names the region-level rows in the note.
    iso3 : str, default "iso3"
        Column of ISO alpha-3 codes (missing for region-level rows).
    value : str, default "count"
        Column of non-negative counts.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new 10 x 5.4 inch figure is created when None.
    cmap : str, default "Blues"
        Sequential matplotlib colour map.
    title : str or None, default "Geographical spread of research"
        Axes title.
    label : str, default "Number of items"
        Colourbar label.
    annotate : sequence of str, default ("GBR",)
        ISO alpha-3 codes to label with their count.
    antarctica : bool, default False
        Draw Antarctica.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes. Each country is a ``PathPatch`` with gid ``"country:<ISO3>"``; the
        colourbar is an inset Axes of ``ax``.

    Raises
    ------
    baby_room.errors.ArgumentError
        When a column is missing, counts are negative or not numeric, or a country has
        several rows.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> counts = pd.DataFrame({"iso3": ["GBR", "USA", "NOR"], "count": [12, 5, 2]})
    >>> ax = plot_world_choropleth(counts)
    >>> [p.get_gid() for p in ax.patches if p.get_gid() == "country:GBR"]
    ['country:GBR']
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path

    from baby_room.style import label_source, source_of, title_at_top

    counts = data
    table = _check_counts(counts, iso3=iso3, value=value)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5.4))

    codes, names, paths = _projected_paths(bool(antarctica))
    code_set = set(codes)
    by_code = dict(zip(table["iso3"], table["value"], strict=True))

    vmax = max([v for v in by_code.values() if v > 0], default=1.0)
    edges = _bins(vmax)
    base = colormaps[cmap]
    colours = base(np.linspace(0.3, 1.0, len(edges) - 1))
    listed = ListedColormap(colours)
    norm = BoundaryNorm(edges, listed.N)

    # add_artist, not add_patch: the limits are set below, and add_patch would measure
    # every country's outline for data limits no one reads (0.3 s for the 177 countries)
    for code, path in zip(codes, paths, strict=True):
        v = by_code.get(code, 0.0)
        face = ZERO_COLOUR if not v > 0 else listed(norm(v))
        ax.add_artist(
            PathPatch(path, facecolor=face, edgecolor=_EDGE_COLOUR, linewidth=0.3,
                      gid=f"country:{code}")
        )

    # the edge of the world (the +-180 meridians) as a faint outline
    edge_lat = np.linspace(-90.0, 90.0, 181)
    ex, ey = equal_earth(np.r_[np.full(181, -180.0), np.full(181, 180.0)],
                         np.r_[edge_lat, edge_lat[::-1]])
    ax.add_patch(PathPatch(Path(np.column_stack([np.r_[ex, ex[0]], np.r_[ey, ey[0]]]),
                                closed=True),
                           facecolor="none", edgecolor="#BBBBBB", linewidth=0.6, zorder=0,
                           gid="world_outline"))
    xmax, _ = equal_earth(180.0, 0.0)
    _, ymax = equal_earth(0.0, 90.0)
    _, ymin = equal_earth(0.0, -90.0 if antarctica else -58.0)
    ax.set_xlim(-xmax * 1.005, xmax * 1.005)
    ax.set_ylim(ymin, ymax * 1.01)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        title_at_top(ax, title)

    # colourbar inset in the empty South-East Pacific, with a "no items" key beside it
    cax = ax.inset_axes([0.05, 0.2, min(0.26, 0.045 * (len(edges) - 1)), 0.032])
    sm = ScalarMappable(norm=norm, cmap=listed)
    cbar = ax.figure.colorbar(sm, cax=cax, orientation="horizontal")
    centres = (edges[:-1] + edges[1:]) / 2
    cbar.set_ticks(centres)
    cbar.set_ticklabels([_range_label(lo, hi) for lo, hi in zip(edges[:-1], edges[1:],
                                                                  strict=True)])
    cbar.ax.tick_params(labelsize=7, length=0)
    cbar.set_label(label, fontsize=8.5)
    cbar.outline.set_linewidth(0.4)
    ax.legend(
        handles=[Patch(facecolor=ZERO_COLOUR, edgecolor="#BBBBBB", label="No items")],
        loc="lower left", bbox_to_anchor=(0.04, 0.255), fontsize=7.5, handlelength=1.2,
        frameon=False,
    )

    for code in annotate:
        _annotate_country(ax, code, by_code.get(code, 0.0), codes, names, paths)

    source, synthetic = source_of(counts)
    shown = f"{source or 'not recorded'}; map: {SHAPES_CREDIT}"
    label = label_source(ax, counts, source=shown, synthetic=synthetic)
    note = _not_drawn_note(table, code_set)
    if note:  # under the source label
        ax.annotate(note, xy=(0, 0), xycoords=label, xytext=(0, -3),
                    textcoords="offset points", ha="left", va="top", fontsize=7.5,
                    color="#555555", gid="baby_room_map_note")
    return ax


def _annotate_country(ax, code, v, codes, names, paths):
    import shapely

    if code not in codes:
        return
    shapes = _read_shapes()
    parts = shapely.get_parts(shapes.loc[shapes["iso3"] == code, "geometry"].to_numpy())
    largest = parts[np.argmax(shapely.area(parts))]  # Great Britain, not Northern Ireland
    point = largest.representative_point()
    cx, cy = equal_earth(point.x, point.y)
    name = "UK" if code == "GBR" else names[codes.index(code)]
    count = f"{v:g}" if float(v).is_integer() else f"{v:.1f}"
    ax.annotate(
        f"{name}: {count}",
        xy=(cx, cy),
        xytext=(-50, -20) if code == "GBR" else (-40, 22),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=9,
        fontweight="bold",
        color="#222222",
        arrowprops={"arrowstyle": "-", "color": "#444444", "linewidth": 0.7,
                    "shrinkA": 1, "shrinkB": 2},
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#888888",
              "linewidth": 0.5},
        gid=f"annotation:{code}",
    )


def _not_drawn_note(table: pd.DataFrame, code_set: set) -> str:
    shown = table[table["value"] > 0]
    parts = []
    no_code = shown[shown["iso3"].isna()]
    if len(no_code):
        listed = [f"{lab} {val:g}" for lab, val in zip(no_code["label"], no_code["value"],
                                                      strict=True)]
        parts.append("Not a single country (not mapped): " + ", ".join(listed))
    small = shown[shown["iso3"].notna() & ~shown["iso3"].isin(code_set)]
    if len(small):
        listed = [f"{lab} {val:g}" for lab, val in zip(small["label"], small["value"],
                                                      strict=True)]
        parts.append("Too small to draw at 1:110m: " + ", ".join(listed))
    return ". ".join(parts)


def _check_counts(counts, *, iso3: str, value: str) -> pd.DataFrame:
    fn = "plot_world_choropleth"
    if not isinstance(counts, pd.DataFrame):
        raise ArgumentError(fn, "data", f"a DataFrame with one row per country (columns "
                            f"{iso3!r} and {value!r})", counts)
    for param, col in (("iso3", iso3), ("value", value)):
        if col not in counts.columns:
            raise ArgumentError(fn, param, "a column of data", col,
                                hint=f"The columns are {list(counts.columns)!r}.")
    vals = pd.to_numeric(counts[value], errors="coerce")
    bad = counts[value].notna() & vals.isna()
    if bad.any():
        raise ArgumentError(fn, "value", "a column of numbers", value,
                            hint="Non-numeric values: "
                                 f"{counts.loc[bad, value].astype(str).unique()[:5].tolist()!r}.")
    vals = vals.fillna(0).astype(float)
    if (vals < 0).any():
        raise ArgumentError(fn, "value", "a column of non-negative counts", value,
                            hint=f"Negative values: {vals[vals < 0].unique()[:5].tolist()!r}.")
    codes = counts[iso3].astype("string").str.strip().str.upper()
    dup = codes[codes.notna() & codes.duplicated(keep=False)].unique().tolist()
    if dup:
        raise ArgumentError(
            fn, "data", "a table with one row per country", counts,
            hint=f"{dup!r} occur more than once in column {iso3!r}. Aggregate first (for "
                 "example count distinct items per iso3, as by_country does) so that an item "
                 "naming England and Wales is counted once for the UK.")
    if "country" in counts.columns:
        labels = counts["country"].astype("string").fillna(codes).fillna("(no country)")
    else:
        labels = codes.fillna("(no country code)")
    return pd.DataFrame(
        {"iso3": codes.to_numpy(), "value": vals.to_numpy(), "label": labels.to_numpy()}
    )
