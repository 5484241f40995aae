"""Figures for focus-group coding.

Each function takes the canonical coding frame first, computes its numbers with
:mod:`baby_room.focus_groups.analysis` / :mod:`~baby_room.focus_groups.agreement`,
draws on ``ax`` (a new one when ``None``) and returns it. Only codes, themes,
roles, conferences and focus-group identifiers are drawn: never speaker
pseudonyms or segment text. Every figure names its data source under the axes
(:func:`baby_room.style.label_source`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from baby_room._args import one_of
from baby_room.errors import ArgumentError
from baby_room.focus_groups.agreement import LANDIS_KOCH, intercoder_agreement
from baby_room.focus_groups.analysis import (
    code_cooccurrence,
    code_frequencies,
    saturation_curve,
)
from baby_room.style import PALETTE, label_source, title_at_top

_UNIT_WORDS = {
    "segment": "segments",
    "speaker": "participants",
    "group": "focus groups",
    "conference": "conferences",
}
_VALUE_LABELS = {
    "row_share": "% of the code's {units} falling in each {by} (row %)",
    "col_share": "% of code occurrences within the {by} (column %)",
    "share": "% of the {by}'s {units} with the code",
    "count": "{units} with the code (count)",
}


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _nice(name) -> str:
    """Display form of a code, theme or category name ("just_babysitters" -> "just babysitters")."""
    return str(name).replace("_", " ")


def _cells(ax, values: np.ndarray, *, cmap, vmin: float, vmax: float, square: bool = False):
    """Draw ``values`` as coloured cells centred on whole-number positions, row 0 at the top
    (the layout of ``imshow``), as one ``QuadMesh``; NaN cells are left blank.

    Each cell's colour is mapped once (``cmap(norm(value))``) and drawn as a rectangle:
    an image would be resampled and colour-mapped at the output resolution (0.3-0.6 s per
    heatmap at 200 dpi) and embedded in the SVG as a PNG.
    """
    rows, cols = values.shape
    mesh = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5,
                         np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    if square:
        ax.set_aspect("equal")
    return mesh


def _cell_text(ax, x, y, text: str, **kwargs):
    """Write ``text`` at the centre of cell (x, y); left out of the layout and the tight
    bounding box, which the cell, inside the axes, never extends."""
    label = ax.text(x, y, text, ha="center", va="center", **kwargs)
    label.set_in_layout(False)
    return label


def _theme_axis(ax, labels: list[str], themes: list[str]) -> None:
    """Separator lines between themes and theme names on a right-hand secondary axis."""
    blocks: list[tuple[str, int, int]] = []
    for i, t in enumerate(themes):
        if blocks and blocks[-1][0] == t:
            blocks[-1] = (t, blocks[-1][1], i)
        else:
            blocks.append((t, i, i))
    if len(blocks) < 2 or len(blocks) == len(labels):
        return
    for _, lo, _hi in blocks[1:]:
        ax.axhline(lo - 0.5, color="white", linewidth=2.5)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    widest = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0)
    pad_points = widest * 72 / fig.dpi + 10
    sec = ax.secondary_yaxis("left")
    sec.set_yticks([(lo + hi) / 2 for _, lo, hi in blocks])
    sec.set_yticklabels([_nice(t) for t, _, _ in blocks], fontweight="bold", fontsize=8.5)
    sec.tick_params(axis="y", length=0, pad=pad_points)
    sec.spines["left"].set_visible(False)


def plot_code_heatmap(
    data: pd.DataFrame,
    *,
    by: str = "role",
    unit: str = "segment",
    level: str = "code",
    value: str = "row_share",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
    annotate: bool = True,
    cmap: str = "Blues",
    ax=None,
):
    """Heatmap of codes (rows) by role, conference or another column (columns).

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    by : str, default "role"
        Column for the heatmap's columns (``"role"``, ``"conference"``, ...).
    unit, level, coders, codebook
        As in :func:`~baby_room.focus_groups.analysis.code_frequencies`.
    value : {"row_share", "col_share", "share", "count"}, default "row_share"
        What the colour shows. Row % (default) reads along a row: how one code's
        occurrences split across the columns. Row % depends on how many units each
        column contributed; ``"share"`` corrects for that. Shares are shown as percentages.
    annotate : bool, default True
        Write the value in each cell (rounded for display only).
    cmap : str, default "Blues"
        Matplotlib colour map.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure when omitted).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from baby_room.focus_groups.plots import plot_code_heatmap
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "conference": "York",
    ...     "group_id": "YOR-1", "role": ["educator", "manager", "educator"],
    ...     "theme": "rooms", "code": ["noise", "noise", "ratio"], "coder": "A"})
    >>> ax = plot_code_heatmap(coding, by="role")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['educator', 'manager']
    """
    func = "plot_code_heatmap"
    value = one_of(value, tuple(_VALUE_LABELS), function=func, parameter="value")
    freq = code_frequencies(data, by=by, unit=unit, level=level, coders=coders,
                            codebook=codebook)
    item = level
    rows = list(dict.fromkeys(freq[item].astype(str)))
    cols = list(dict.fromkeys(freq[by].astype(str))) if not isinstance(
        freq[by].dtype, pd.CategoricalDtype) else [str(c) for c in freq[by].cat.categories]
    mat = (
        freq.assign(**{by: freq[by].astype(str), item: freq[item].astype(str)})
        .pivot(index=item, columns=by, values=value)
        .reindex(index=rows, columns=cols)
    )
    ax = _axes(ax, (1.6 + 1.1 * len(cols), 1.5 + 0.32 * len(rows)))
    values = mat.to_numpy(dtype="float64")
    if value != "count":  # shares (0-1) are presented as percentages
        values = 100 * values
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    vmax = min(100.0, 10 * np.ceil(top / 10)) if value != "count" else max(top, 1.0)
    im = _cells(ax, values, cmap=cmap, vmin=0, vmax=vmax)
    ax.set_xticks(range(len(cols)), labels=[_nice(c) for c in cols])
    ax.set_yticks(range(len(rows)), labels=[_nice(r) for r in rows])
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="x", length=0, rotation=30 if len(cols) > 4 else 0)
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if np.isnan(v):
                _cell_text(ax, j, i, "-", fontsize=7.5, color="#777777")
                continue
            dark = v > 0.6 * vmax
            _cell_text(ax, j, i, f"{v:.0f}", fontsize=7.5, color="white" if dark else "#222222")
    if level == "code" and "theme" in freq.columns:
        themes = freq.drop_duplicates(item).set_index(item)["theme"].astype(str)
        _theme_axis(ax, rows, [themes.get(r, "") for r in rows])
    units = _UNIT_WORDS[unit]
    bylabel = by.replace("_", " ")
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(_VALUE_LABELS[value].format(units=units, by=bylabel), fontsize=8)
    cbar.outline.set_visible(False)
    ax.set_xlabel(bylabel.capitalize())
    # matplotlib's automatic title height: the column labels are above the Axes
    ax.set_title(f"{'Themes' if level == 'theme' else 'Codes'} by {bylabel}", pad=12, loc="left")
    label_source(ax, freq)
    return ax


def plot_cooccurrence(
    data: pd.DataFrame,
    *,
    within: str = "segment",
    value: str = "jaccard",
    level: str = "code",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
    annotate: bool | None = None,
    ax=None,
):
    """Heatmap of code co-occurrence (Jaccard index or counts); the diagonal is left blank.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    within, level, coders, codebook
        As in :func:`~baby_room.focus_groups.analysis.code_cooccurrence` (where the
        definitions of "together" are documented).
    value : {"jaccard", "count"}, default "jaccard"
        Colour by Jaccard index (0-1) or by the number of units with both codes.
    annotate : bool, optional
        Write values in the cells (default: when there are at most 12 codes).
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from baby_room.focus_groups.plots import plot_cooccurrence
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s1", "s2"], "conference": "York",
    ...     "group_id": "YOR-1", "code": ["noise", "ratio", "ratio"], "coder": "A"})
    >>> ax = plot_cooccurrence(coding)
    >>> ax.get_title(loc="left")
    'Code co-occurrence (Jaccard index, same segment)'
    """
    func = "plot_cooccurrence"
    value = one_of(value, ("jaccard", "count"), function=func, parameter="value")
    co = code_cooccurrence(data, within=within, level=level, coders=coders, codebook=codebook)
    c1, c2 = f"{level}_1", f"{level}_2"
    items = list(dict.fromkeys(co[c1].astype(str)))
    mat = co.assign(**{c1: co[c1].astype(str), c2: co[c2].astype(str)}).pivot(
        index=c1, columns=c2, values=value).reindex(index=items, columns=items)
    values = mat.to_numpy(dtype="float64", copy=True)
    np.fill_diagonal(values, np.nan)
    size = 2.5 + 0.3 * len(items)
    ax = _axes(ax, (size + 1.5, size))
    vmax = 1.0 if value == "jaccard" else max(1.0, np.nanmax(values) if values.size > 1 else 1.0)
    if value == "jaccard" and np.isfinite(values).any():
        top = float(np.nanmax(values))
        vmax = next((v for v in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0) if top <= v), 1.0)
    im = _cells(ax, values, cmap="magma_r", vmin=0, vmax=vmax, square=True)
    ax.set_xticks(range(len(items)), labels=[_nice(i) for i in items], rotation=90)
    ax.set_yticks(range(len(items)), labels=[_nice(i) for i in items])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.xaxis.tick_top()
    if annotate is None:
        annotate = len(items) <= 12
    if annotate:
        fmt = "{:.2f}" if value == "jaccard" else "{:.0f}"
        for (i, j), v in np.ndenumerate(values):
            if not np.isnan(v):
                _cell_text(ax, j, i, fmt.format(v), fontsize=7,
                           color="white" if v > 0.6 * vmax else "#222222")
    where = {"segment": "same segment", "overlap": "overlapping text",
             "speaker": "same participant", "group": "same focus group"}[within]
    what = "Jaccard index" if value == "jaccard" else "count"
    cbar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label(
        "Jaccard index: units with both / units with either" if value == "jaccard"
        else ("pairs of overlapping codings" if within == "overlap"
              else f"{where.split(' ', 1)[1]}s with both codes (count)"),
        fontsize=8,
    )
    cbar.outline.set_visible(False)
    noun = "Theme" if level == "theme" else "Code"
    # matplotlib's automatic title height: the column labels are above the Axes
    ax.set_title(f"{noun} co-occurrence ({what}, {where})", loc="left", pad=12)
    label_source(ax, co)
    return ax


def plot_themes(
    data: pd.DataFrame,
    *,
    unit: str = "segment",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
    ax=None,
):
    """Horizontal bar chart: percentage of units in which each theme occurs.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    unit : {"segment", "speaker", "group", "conference"}, default "segment"
        What a percentage is of (``"speaker"``: % of participants who raised the theme).
    coders, codebook
        As in :func:`~baby_room.focus_groups.analysis.code_frequencies`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from baby_room.focus_groups.plots import plot_themes
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "conference": "York",
    ...     "group_id": "YOR-1", "theme": ["rooms", "rooms", "status"],
    ...     "code": ["noise", "ratio", "valued"], "coder": "A"})
    >>> ax = plot_themes(coding)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['rooms', 'status']
    """
    freq = code_frequencies(data, unit=unit, level="theme", coders=coders, codebook=codebook)
    freq = freq.sort_values(["share", "theme"], ascending=[False, True]).reset_index(drop=True)
    pct_of_units = 100 * freq["share"]
    ax = _axes(ax, (6.5, 1.2 + 0.45 * len(freq)))
    y = np.arange(len(freq))
    ax.barh(y, pct_of_units, color=PALETTE["primary"], height=0.65)
    ax.set_yticks(y, labels=[_nice(t) for t in freq["theme"]])
    ax.invert_yaxis()
    xmax = float(pct_of_units.max()) if len(freq) else 100.0
    ax.set_xlim(0, min(100.0, xmax * 1.18 + 1))
    for yi, (pct, cnt) in enumerate(zip(pct_of_units, freq["count"], strict=True)):
        ax.text(pct + xmax * 0.01, yi, f"{pct:.0f}% ({cnt})", va="center", fontsize=8)
    units = _UNIT_WORDS[unit]
    n = int(freq["n"].iloc[0]) if len(freq) else 0
    phrase = {"segment": "Segments coded with the theme",
              "speaker": "Participants who raised the theme",
              "group": "Focus groups in which the theme came up",
              "conference": "Conferences at which the theme came up"}[unit]
    ax.set_xlabel(f"{phrase} (% of {n} {units})")
    title_at_top(ax, "Themes in the focus groups", loc="left")
    ax.tick_params(axis="y", length=0)
    label_source(ax, freq)
    return ax


def plot_agreement(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    unit: str = "segment",
    statistics: Sequence[str] = ("cohen_kappa", "krippendorff_alpha"),
    codebook: pd.DataFrame | None = None,
    show_ci: bool = True,
    conf_level: float = 0.95,
    ax=None,
):
    """Dot plot of agreement per code, with Landis & Koch bands and 0.6 / 0.8 reference lines.

    Codes are sorted by the first statistic. Shaded bands mark Landis & Koch's (1977)
    labels for kappa (slight, fair, moderate, substantial, almost perfect); a dashed
    line at 0.6 marks "substantial" agreement and a solid line at 0.8 Krippendorff's
    (2019) threshold for reliable coding (0.667 being the lowest for tentative
    conclusions). Codes whose kappa is undefined (nobody used them on the
    double-coded units) are listed as "undefined" at the left.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    coders : sequence of str, optional
        The two coders (needed when more than one pair shares segments).
    unit : {"segment", "character"}, default "segment"
        As in :func:`~baby_room.focus_groups.agreement.intercoder_agreement`.
    statistics : sequence of str, default ("cohen_kappa", "krippendorff_alpha")
        Columns of the agreement table to plot (also ``"brennan_prediger_kappa"``).
    codebook : pandas.DataFrame, optional
        Code order and unused codes.
    show_ci : bool, default True
        Draw the interval of Cohen's kappa at ``conf_level`` (asymptotic, capped at 1).
    conf_level : float, default 0.95
        Confidence level of that interval.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from baby_room.focus_groups.plots import plot_agreement
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3"],
    ...     "conference": "York", "group_id": "YOR-1",
    ...     "code": ["x", "x", "y", "x", "y", "y"], "coder": ["A", "B"] * 3})
    >>> ax = plot_agreement(coding)
    >>> ax.get_xlabel()
    'Agreement coefficient (1 = perfect, 0 = chance)'
    """
    func = "plot_agreement"
    allowed = ("cohen_kappa", "krippendorff_alpha", "brennan_prediger_kappa")
    stats = [statistics] if isinstance(statistics, str) else list(statistics)
    if not stats:
        raise ArgumentError(func, "statistics", f"at least one of {', '.join(allowed)}", stats)
    for s in stats:
        one_of(s, allowed, function=func, parameter="statistics")
    res = intercoder_agreement(data, coders=coders, unit=unit, codebook=codebook,
                               conf_level=conf_level)
    pairs = res[["coder_1", "coder_2"]].drop_duplicates()
    if len(pairs) > 1:
        listed = ", ".join(f"({a!r}, {b!r})" for a, b in pairs.itertuples(index=False))
        raise ArgumentError(func, "coders", "one pair of coders [c1, c2] when several pairs share "
                            "segments", coders, hint=f"Pairs sharing segments: {listed}")
    per_code = res[res["code"] != "(all codes)"]
    pooled = res[res["code"] == "(all codes)"].iloc[0]
    per_code = per_code.sort_values(stats[0], ascending=True, na_position="first")
    codes = list(per_code["code"].astype(str))
    ax = _axes(ax, (7.0, 1.6 + 0.3 * len(codes)))
    shown = [*stats, *(["cohen_kappa_ci_low"] if show_ci and "cohen_kappa" in stats else [])]
    lo = min(-0.2, float(np.nanmin(per_code[shown].to_numpy(dtype="float64"), initial=0)) - 0.05)
    bands = [*(b for b, _ in LANDIS_KOCH[1:]), 1.0]
    shades = ["#F7F7F7", "#EFEFEF", "#E4E4E4", "#D7D7D7", "#C9C9C9"]
    for (x0, x1), shade, (_, name) in zip(zip(bands[:-1], bands[1:], strict=True), shades,
                                          LANDIS_KOCH[1:], strict=True):
        ax.axvspan(x0, x1, color=shade, zorder=0, linewidth=0)
        ax.text((x0 + x1) / 2, 1.0, name, transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=7, color="#555555")
    ax.axvline(0.6, color="#444444", linestyle="--", linewidth=1, zorder=1)
    ax.axvline(0.8, color="#444444", linestyle="-", linewidth=1, zorder=1)
    colours = [PALETTE["primary"], PALETTE["secondary"], PALETTE["accent"]]
    markers = ["o", "D", "s"]
    names = {"cohen_kappa": "Cohen's kappa", "krippendorff_alpha": "Krippendorff's alpha",
             "brennan_prediger_kappa": "Brennan-Prediger kappa"}
    y = np.arange(len(codes))
    offsets = np.linspace(-0.15, 0.15, len(stats)) if len(stats) > 1 else [0.0]
    for k, (stat, off) in enumerate(zip(stats, offsets, strict=True)):
        vals = per_code[stat].to_numpy(dtype="float64")
        if stat == "cohen_kappa" and show_ci:
            lo_ci = per_code["cohen_kappa_ci_low"].to_numpy(dtype="float64")
            hi_ci = np.minimum(per_code["cohen_kappa_ci_high"].to_numpy(dtype="float64"), 1.0)
            ax.hlines(y + off, lo_ci, hi_ci, color=colours[k], linewidth=1, alpha=0.6, zorder=2)
        ax.scatter(vals, y + off, color=colours[k], marker=markers[k], s=26, zorder=3,
                   label=f"{names[stat]} (all codes: {pooled[stat]:.2f})"
                   + (f", {100 * conf_level:g}% CI" if stat == "cohen_kappa" and show_ci else ""))
    undefined = per_code[stats[0]].isna().to_numpy()
    for yi in np.flatnonzero(undefined):
        ax.text(lo + 0.02, yi, "undefined (code unused)", va="center", fontsize=7,
                color="#777777", style="italic")
    ax.set_yticks(y, labels=[_nice(c) for c in codes])
    ax.set_xlim(lo, 1.02)
    ax.set_ylim(-0.7, len(codes) - 0.3)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Agreement coefficient (1 = perfect, 0 = chance)")
    n = int(pooled["n"] // max(1, len(codes)))
    unit_word = "double-coded segments" if unit == "segment" else "character positions"
    c1, c2 = pairs.iloc[0]
    title_at_top(ax, f"Agreement per code\n{c1} vs {c2}, {n} {unit_word}", loc="left",
                 pad=16)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.09), ncol=len(stats), fontsize=7.5,
              handletextpad=0.3)
    ax.annotate("Bands: Landis & Koch (1977). Lines: 0.6 (dashed), 0.8 (solid; Krippendorff's "
                "threshold for reliable coding).", xy=(0, 0), xycoords="axes fraction",
                xytext=(0, -74), textcoords="offset points", fontsize=7, color="#555555",
                va="top")
    label_source(ax, res)
    return ax


def plot_saturation(
    data: pd.DataFrame,
    *,
    order: str | Sequence[str] = "conference",
    level: str = "code",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
    ax=None,
):
    """Saturation curve: new codes per focus group (bars) and cumulative codes (line).

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    order, level, coders, codebook
        As in :func:`~baby_room.focus_groups.analysis.saturation_curve`.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from baby_room.focus_groups.plots import plot_saturation
    >>> coding = pd.DataFrame({"segment_id": ["a", "b", "c"],
    ...     "conference": ["London", "York", "York"], "group_id": ["LON-1", "YOR-1", "YOR-2"],
    ...     "code": ["x", "y", "x"], "coder": "A"})
    >>> ax = plot_saturation(coding)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['LON-1', 'YOR-1', 'YOR-2']
    """
    sat = saturation_curve(data, order=order, level=level, coders=coders, codebook=codebook)
    ax = _axes(ax, (max(6.0, 0.28 * len(sat) + 2), 4.0))
    x = sat["step"].to_numpy()
    confs = [str(c) for c in sat["conference"]]
    conf_order = list(dict.fromkeys(confs))
    palette = list(PALETTE.values())
    colour = {c: palette[i % len(palette)] for i, c in enumerate(conf_order)}
    noun = "themes" if level == "theme" else "codes"
    for c in conf_order:
        m = np.array([ci == c for ci in confs])
        ax.bar(x[m], sat["new_codes"].to_numpy()[m], color=colour[c], width=0.75,
               label=f"new {noun}, {c}")
    ax.plot(x, sat["cumulative_codes"], color="#222222", marker="o", markersize=3,
            linewidth=1.5, label=f"cumulative {noun}")
    total = (sat["cumulative_codes"] / sat["share_of_codes"]).dropna()
    if len(total):
        ax.axhline(float(total.iloc[0]), color="#777777", linestyle=":", linewidth=1)
        ax.text(x[0], float(total.iloc[0]), f"all {int(round(total.iloc[0]))} "
                f"{'themes' if level == 'theme' else 'codes'}", va="bottom", fontsize=7.5,
                color="#555555")
    ax.set_xticks(x, labels=list(sat["group_id"].astype(str)), rotation=90, fontsize=7)
    ax.set_xlim(x.min() - 0.6 if len(x) else 0, x.max() + 0.6 if len(x) else 1)
    ax.set_ylabel(f"Distinct {noun} (count)")
    ax.set_xlabel("Focus group, in conference date order")
    title_at_top(ax, f"Saturation: new {noun} per focus group", loc="left")
    ax.legend(fontsize=7.5, ncol=1, loc="center left", bbox_to_anchor=(1.0, 0.5))
    label_source(ax, sat)
    return ax


def plot_case_codes(
    data: pd.DataFrame,
    *,
    case: str = "speaker",
    level: str = "theme",
    coders: str | Sequence[str] | None = None,
    ax=None,
):
    """Case x code grid: a filled cell where the code (or theme) occurs for the case.

    Numbers from :func:`baby_room.focus_groups.matrix.case_code_table`. Cases are shown
    as "Case 1", "Case 2", ... (speaker pseudonyms and group ids are personal data),
    sorted by how many codes they raised.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the long format.
    case : {"speaker", "group"}, default "speaker"
    level : {"code", "theme"}, default "theme"
    coders : str or list of str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s2"], "group_id": "G1",
    ...                        "speaker": ["Ann", "Bo"], "theme": ["pay", "ratio"],
    ...                        "code": ["low", "high"], "coder": "X"})
    >>> ax = plot_case_codes(coding)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Case 1', 'Case 2']
    """
    from baby_room.focus_groups.matrix import case_code_table

    table = case_code_table(data, case=case, level=level, coders=coders)
    keys = ["group_id", "speaker"] if case == "speaker" else ["group_id"]
    wide = table.pivot_table(index=keys, columns=level, values="present", aggfunc="max",
                             observed=True)
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    values = wide.to_numpy(dtype="float64")
    ax = _axes(ax, (1.8 + 0.45 * values.shape[1], 1.4 + 0.22 * values.shape[0]))
    ax.imshow(values, aspect="auto", cmap="Greys", vmin=0, vmax=1.4, interpolation="nearest")
    ax.set_xticks(np.arange(values.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(values.shape[0] + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(values.shape[1]), labels=[_nice(c) for c in wide.columns],
                  rotation=45, ha="left")
    ax.xaxis.tick_top()
    ax.set_yticks(range(values.shape[0]), labels=[f"Case {i}" for i in range(1, len(wide) + 1)])
    ax.tick_params(length=0, labelsize=7.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    what = "participants" if case == "speaker" else "focus groups"
    # matplotlib's automatic title height: the column labels are above the Axes
    ax.set_title(f"Which {what} raised each {level} ({len(wide)} {what})", loc="left",
                 fontsize=10)
    label_source(ax, table)
    return ax


def plot_code_overlaps(
    data: pd.DataFrame,
    *,
    code_1: str,
    code_2: str,
    same_coder: bool = True,
    ax=None,
):
    """Bars: passages where two codes overlap, per conference.

    Numbers from :func:`baby_room.focus_groups.matrix.code_overlaps` (one passage per
    overlapping pair of codings), counted per conference of the focus group.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> coding = pd.DataFrame({"segment_id": ["a", "b"], "group_id": "G1",
    ...                        "conference": "York", "code": ["pay", "ratio"], "coder": "X",
    ...                        "start": [0, 5], "end": [10, 20]})
    >>> ax = plot_code_overlaps(coding, code_1="pay", code_2="ratio")
    >>> [float(p.get_height()) for p in ax.patches]
    [1.0]
    """
    from baby_room.focus_groups.matrix import code_overlaps

    pairs = code_overlaps(data, code_1=code_1, code_2=code_2, same_coder=same_coder)
    if "conference" in data.columns and data["conference"].notna().any():
        conf = data.dropna(subset=["group_id"]).drop_duplicates("group_id").set_index(
            "group_id")["conference"].astype("object")
        where = pairs["group_id"].map(conf).fillna("(unknown)").astype(str)
    else:
        where = pd.Series("all focus groups", index=pairs.index)
    counts = where.value_counts().sort_index()
    if isinstance(data.get("conference", pd.Series(dtype=object)).dtype, pd.CategoricalDtype):
        order = [str(c) for c in data["conference"].cat.categories]
        counts = counts.reindex([c for c in order if c in counts.index]
                                + [c for c in counts.index if c not in order])
    ax = _axes(ax, (6.0, 3.2))
    ax.bar(range(len(counts)), counts.to_numpy(dtype="float64"), color=PALETTE["primary"])
    ax.set_xticks(range(len(counts)), labels=list(counts.index))
    ax.set_ylabel("Overlapping passages")
    title_at_top(ax, f"Where \u201c{_nice(code_1)}\u201d and \u201c{_nice(code_2)}\u201d overlap "
                     f"({len(pairs)} passages)", loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    label_source(ax, pairs)
    return ax
