"""Figures of the baby-room survey indicators.

Each function takes the respondent table (and optionally a design built on it), takes its
numbers from the public functions of :mod:`baby_room.survey.indicators` or
:mod:`baby_room.survey.likert` (a figure never shows a number no function returns), draws on ``ax`` (a new
Axes when None) and returns ``ax``. Every figure names its data source and says
"SYNTHETIC DATA" when it applies (:func:`baby_room.style.label_source`). Nothing here changes
global matplotlib state, shows or saves a figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import check_ci_method, check_conf_level
from baby_room.reference import (
    EYFS_UNDER2_CHILDREN_PER_ADULT,
    RECOMMENDED_GROUP_SIZE,
)
from baby_room.style import LIKERT_COLOURS, PALETTE, label_source, title_at_top

__all__ = [
    "plot_cpd_share",
    "plot_group_size_by",
    "plot_group_size_distribution",
    "plot_likert",
    "plot_ratio_compliance",
    "plot_workforce_rules",
]

_LABELS = {
    "region": "Region",
    "setting_type": "Setting type",
    "role": "Respondent role",
    "local_authority": "Local authority",
}
_VALUE_LABELS = {
    "room_leader": "Room leader",
    "educator": "Educator",
    "manager": "Manager",
    "private": "Private",
    "voluntary": "Voluntary",
    "independent": "Independent",
    "maintained": "Maintained",
}
_RULE_LABELS = {
    "rule_level3": "At least one Level 3",
    "rule_half_others_level2": "At least half of others Level 2",
    "rule_half_baby_trained": "At least half baby-trained",
    "rule_all": "All three rules",
}


def _axes(ax, figsize=(7, 4.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _label(ax, data):
    """The source label (placed by label_source under the tick labels and axis label)."""
    return label_source(ax, data)


def _nice(value) -> str:
    s = str(value)
    return _VALUE_LABELS.get(s, s)


def _recommended_band(ax, *, orientation="vertical", label=True, pad=0.0):
    lo, hi = RECOMMENDED_GROUP_SIZE
    kw = dict(color=PALETTE["accent"], alpha=0.15, lw=0, zorder=0)
    text = f"Recommended {lo}\u2013{hi} babies (evidence review)" if label else None
    lo, hi = lo - pad, hi + pad
    if orientation == "vertical":
        return ax.axvspan(lo, hi, label=text, **kw)
    return ax.axhspan(lo, hi, label=text, **kw)


def _ci(conf_level: float) -> str:
    """``"95% CI"`` for conf_level 0.95 (``"97.5% CI"`` for 0.975)."""
    return f"{100 * conf_level:.10g}% CI"


def _options(function, conf_level, ci_method=None):
    conf_level = check_conf_level(conf_level, function=function)
    if ci_method is not None:
        check_ci_method(ci_method, function=function)
    return conf_level


def _percent_axis(ax, axis="x"):
    from matplotlib.ticker import PercentFormatter

    fmt = PercentFormatter(xmax=1, decimals=0)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _hbar_with_ci(ax, labels, est, lo, hi, n, *, color):
    y = np.arange(len(labels))[::-1]
    est = np.asarray(est, dtype=float)
    ok = np.isfinite(est)
    ax.barh(y[ok], est[ok], color=color, height=0.6, zorder=2)
    err = np.vstack([est - np.asarray(lo, float), np.asarray(hi, float) - est])
    err = np.where(np.isfinite(err), err, 0.0)
    ax.errorbar(est[ok], y[ok], xerr=err[:, ok], fmt="none", ecolor="#333333",
                elinewidth=1, capsize=3, zorder=3)
    ax.set_yticks(y, [f"{lab} (n={int(k)})" for lab, k in zip(labels, n, strict=True)])
    for yy, e, k in zip(y, est, n, strict=True):
        if not np.isfinite(e):
            ax.text(0.01, yy, "no data" if k == 0 else "not estimable", va="center",
                    fontsize=8, color=PALETTE["muted"])
    ax.set_xlim(0, 1)
    _percent_axis(ax)
    return y


def plot_group_size_distribution(data: pd.DataFrame, *, design=None, bins=None,
                                 conf_level: float = 0.95, ax=None):
    """Histogram of babies per room, with the mean (and its CI) and the recommended 6-8 band.

    Each room is counted once (:func:`baby_room.survey.indicators.rooms`); bars count rooms
    in the sample. The mean and its confidence interval (95% by default) come from
    :func:`~baby_room.survey.indicators.group_size_summary` (with ``design`` if given).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    design : SurveyDesign, optional
        Design on the respondent table, used for the mean.
    bins : int or sequence, optional
        Histogram bins; default one bar per group size.
    conf_level : float, default 0.95
        Confidence level of the intervals (:func:`~baby_room.survey.group_size_summary`).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEF"), "room_id": ["R1"] * 6,
    ...                    "group_size": [6, 8, 12, 14, 20, 18],
    ...                    "staff_in_room": [2, 3, 4, 4, 5, 6]})
    >>> ax = plot_group_size_distribution(df)
    >>> ax.get_xlabel()
    'Babies in the room (group size)'
    >>> plt.close("all")
    """
    from baby_room.survey.indicators import group_size_summary, room_design

    conf_level = _options("plot_group_size_distribution", conf_level)
    table, _ = room_design(data, design=design)
    summary = group_size_summary(data, design=design, thresholds=(),
                                 conf_level=conf_level).set_index("measure")
    ax = _axes(ax)
    g = table["group_size"].astype("Float64").dropna().to_numpy(dtype=float)
    if bins is None and len(g):
        bins = np.arange(np.floor(g.min()) - 0.5, np.ceil(g.max()) + 1.5, 1.0)
    # bars are centred on whole numbers: the band covers the bars for 6, 7 and 8 babies
    _recommended_band(ax, pad=0.5)
    ax.hist(g, bins=bins if bins is not None else 10, color=PALETTE["primary"],
            edgecolor="white", linewidth=0.5, zorder=2, label="Rooms")
    m = summary.loc["mean"]
    if np.isfinite(m["estimate"]):
        ax.axvspan(m["ci_low"], m["ci_high"], color=PALETTE["secondary"], alpha=0.3, lw=0,
                   zorder=1)
        ax.axvline(m["estimate"], color=PALETTE["secondary"], lw=2, zorder=3,
                   label=(f"Mean {m['estimate']:.1f} babies "
                          f"({_ci(conf_level)} {m['ci_low']:.1f}\u2013{m['ci_high']:.1f})"))
    ax.set_xlabel("Babies in the room (group size)")
    ax.set_ylabel("Rooms (number in sample)")
    title_at_top(ax, f"Baby-room group size ({int(summary.loc['rooms', 'n'])} rooms)")
    ax.legend(loc="upper right", fontsize=8)
    _label(ax, data)
    return ax


def plot_group_size_by(data: pd.DataFrame, *, by: str = "region", design=None,
                       conf_level: float = 0.95, ax=None):
    """Mean babies per room with CIs (95% by default) by subgroup, with the 6-8 band.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    by : str, default "region"
        Subgroup column of the room table (``"region"``, ``"setting_type"`` ...).
    design : SurveyDesign, optional
    conf_level : float, default 0.95
        Confidence level of the intervals (:func:`~baby_room.survey.group_size_summary`).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEF"), "room_id": ["R1"] * 6,
    ...                    "setting_type": ["private", "voluntary"] * 3,
    ...                    "group_size": [6, 8, 12, 14, 20, 18],
    ...                    "staff_in_room": [2, 3, 4, 4, 5, 6]})
    >>> ax = plot_group_size_by(df, by="setting_type")
    >>> ax.get_xlabel()
    'Mean babies per room (95% CI)'
    >>> plt.close("all")
    """
    from baby_room.survey.indicators import group_size_summary

    conf_level = _options("plot_group_size_by", conf_level)
    s = group_size_summary(data, by=by, design=design, thresholds=(), conf_level=conf_level)
    s = s[s["measure"] == "mean"].reset_index(drop=True)
    overall = group_size_summary(data, design=design, thresholds=(), conf_level=conf_level)
    overall = overall.set_index("measure").loc["mean"]
    ax = _axes(ax, figsize=(9.5, 0.4 * len(s) + 1.8))
    y = np.arange(len(s))[::-1]
    est = s["estimate"].to_numpy(float)
    ok = np.isfinite(est)
    _recommended_band(ax)
    ax.axvline(overall["estimate"], color=PALETTE["muted"], ls="--", lw=1, zorder=1,
               label=f"All rooms: {overall['estimate']:.1f}")
    err = np.vstack([est - s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float) - est])
    err = np.where(np.isfinite(err), err, 0.0)
    ax.errorbar(est[ok], y[ok], xerr=err[:, ok], fmt="o", color=PALETTE["primary"],
                ecolor=PALETTE["primary"], capsize=3, zorder=3,
                label=f"Mean ({_ci(conf_level)})")
    labels = [f"{_nice(v)} (n={int(k)})" for v, k in zip(s[by], s["n"], strict=True)]
    ax.set_yticks(y, labels)
    for yy, e in zip(y, est, strict=True):
        if not np.isfinite(e):
            ax.text(0.02, yy, "no rooms", transform=ax.get_yaxis_transform(), va="center",
                    fontsize=8, color=PALETTE["muted"])
    hi = np.nanmax(np.r_[s["ci_high"].to_numpy(float), RECOMMENDED_GROUP_SIZE[1]])
    ax.set_xlim(0, np.ceil(hi * 1.1))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Mean babies per room ({_ci(conf_level)})")
    ax.set_ylabel(_LABELS.get(by, by))
    title_at_top(ax, f"Baby-room group size by {_LABELS.get(by, by).lower()}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    _label(ax, data)
    return ax


def plot_ratio_compliance(data: pd.DataFrame, *, by: str | None = None, design=None,
                          conf_level: float = 0.95, ci_method: str = "logit", ax=None):
    """Share of rooms meeting the EYFS under-2 ratio (1:3), with CIs (95% by default).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    by : str, optional
        Subgroup column of the room table; None shows all rooms.
    design : SurveyDesign, optional
    conf_level : float, default 0.95
        Confidence level of the intervals (:func:`~baby_room.survey.ratio_summary`).
    ci_method : str, default "logit"
        Interval method of the shares (``baby_room._args.CI_METHODS``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEF"), "room_id": ["R1"] * 6,
    ...                    "group_size": [6, 8, 12, 14, 20, 18],
    ...                    "staff_in_room": [2, 3, 4, 4, 5, 6]})
    >>> plot_ratio_compliance(df).get_xlabel()
    'Rooms meeting the ratio (%, 95% CI)'
    >>> plt.close("all")
    """
    from baby_room.survey.indicators import ratio_summary

    conf_level = _options("plot_ratio_compliance", conf_level, ci_method)
    opts = {"design": design, "conf_level": conf_level, "ci_method": ci_method}
    parts = [ratio_summary(data, **opts).assign(_g="All rooms")]
    if by is not None:
        sub = ratio_summary(data, by=by, **opts)
        parts.append(sub.assign(_g=[_nice(v) for v in sub[by]]))
    s = pd.concat([p[p["measure"] == "share_meeting_eyfs_ratio"] for p in parts],
                  ignore_index=True)
    ax = _axes(ax, figsize=(7, 0.4 * len(s) + 1.8))
    _hbar_with_ci(ax, s["_g"].tolist(), s["estimate"], s["ci_low"], s["ci_high"], s["n"],
                  color=PALETTE["primary"])
    ax.set_xlabel(f"Rooms meeting the ratio (%, {_ci(conf_level)})")
    if by is not None:
        ax.set_ylabel(_LABELS.get(by, by))
    k = EYFS_UNDER2_CHILDREN_PER_ADULT
    title_at_top(ax, f"Rooms meeting the EYFS under-2 ratio (1 adult : {k} babies)")
    _label(ax, data)
    return ax


def plot_workforce_rules(data: pd.DataFrame, *, design=None, conf_level: float = 0.95,
                         ci_method: str = "logit", ax=None):
    """Share of rooms meeting each EYFS under-2 staffing rule, with CIs (95% by default).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table with the staff columns.
    design : SurveyDesign, optional
    conf_level : float, default 0.95
        Confidence level of the intervals (:func:`~baby_room.survey.workforce_summary`).
    ci_method : str, default "logit"
        Interval method of the shares (``baby_room._args.CI_METHODS``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCD"), "room_id": ["R1"] * 4,
    ...     "group_size": [6, 9, 12, 13], "staff_in_room": [2, 3, 4, 4],
    ...     "staff_level3": [1, 0, 2, 1], "staff_level2": [1, 2, 1, 0],
    ...     "staff_baby_trained": [1, 1, 2, 3], "cpd_baby_past_year": [True, False, False, True]})
    >>> len(plot_workforce_rules(df).patches)
    4
    >>> plt.close("all")
    """
    from baby_room.survey.indicators import workforce_summary

    conf_level = _options("plot_workforce_rules", conf_level, ci_method)
    w = workforce_summary(data, design=design, conf_level=conf_level, ci_method=ci_method)
    w = w[w["unit"] == "room"].reset_index(drop=True)
    ax = _axes(ax, figsize=(7, 3.2))
    labels = [_RULE_LABELS.get(r, r) for r in w["measure"]]
    _hbar_with_ci(ax, labels, w["estimate"], w["ci_low"], w["ci_high"], w["n"],
                  color=PALETTE["accent"])
    ax.set_xlabel(f"Rooms meeting the rule (%, {_ci(conf_level)})")
    title_at_top(ax, "EYFS under-2 staffing rules met")
    _label(ax, data)
    return ax


def plot_cpd_share(data: pd.DataFrame, *, by: str | None = "role", design=None,
                   conf_level: float = 0.95, ci_method: str = "logit", ax=None):
    """Share of respondents with baby-specific CPD in the past year, with CIs (95% default).

    A dashed line marks one third (the project reported "fewer than a third").

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table with ``cpd_baby_past_year`` and the staff columns (the shares come
        from :func:`~baby_room.survey.indicators.workforce_summary`).
    by : str, optional, default "role"
        Subgroup column of the respondent table; the overall share is always shown first.
    design : SurveyDesign, optional
    conf_level : float, default 0.95
        Confidence level of the intervals (:func:`~baby_room.survey.workforce_summary`).
    ci_method : str, default "logit"
        Interval method of the shares (``baby_room._args.CI_METHODS``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCD"), "room_id": ["R1"] * 4,
    ...     "group_size": [6, 9, 12, 13], "staff_in_room": [2, 3, 4, 4],
    ...     "staff_level3": [1, 0, 2, 1], "staff_level2": [1, 2, 1, 0],
    ...     "staff_baby_trained": [1, 1, 2, 3], "cpd_baby_past_year": [True, False, False, True],
    ...     "role": ["educator", "manager"] * 2})
    >>> plot_cpd_share(df).get_xlabel()
    'Respondents with baby-specific CPD in the past year (%, 95% CI)'
    >>> plt.close("all")
    """
    from baby_room.survey.indicators import workforce_summary

    def cpd(table):
        return table[table["measure"] == "cpd_baby_past_year"].reset_index(drop=True)

    conf_level = _options("plot_cpd_share", conf_level, ci_method)
    opts = {"design": design, "conf_level": conf_level, "ci_method": ci_method}
    parts = [cpd(workforce_summary(data, **opts)).assign(_g="All respondents")]
    if by is not None:
        sub = cpd(workforce_summary(data, by=by, **opts))
        parts.append(sub.assign(_g=[_nice(v) for v in sub[by]]))
    s = pd.concat(parts, ignore_index=True)
    ax = _axes(ax, figsize=(7, 0.45 * len(s) + 1.8))
    _hbar_with_ci(ax, s["_g"].tolist(), s["estimate"], s["ci_low"], s["ci_high"], s["n"],
                  color=PALETTE["highlight"])
    ax.axvline(1 / 3, color="#333333", ls="--", lw=1, zorder=4,
               label="One third (published: fewer than a third)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel(f"Respondents with baby-specific CPD in the past year (%, {_ci(conf_level)})")
    if by is not None:
        ax.set_ylabel(_LABELS.get(by, by))
    title_at_top(ax, "Baby-specific CPD in the past 12 months")
    _label(ax, data)
    return ax


def _checked_likert_summary(summary, items, by) -> pd.DataFrame:
    """``summary`` when it is a ``likert_summary`` frame holding ``items`` split by ``by``
    (and no other split); else an ArgumentError of ``plot_likert``."""
    from baby_room._args import check_frame
    from baby_room.errors import ArgumentError

    needed = {"item", "measure", "level", "estimate", "n"}
    split = {by} if by is not None else set()
    check_frame(summary, function="plot_likert", parameter="summary",
                columns=sorted(needed | split), what="a frame likert_summary returned")
    if not set(items) <= set(summary["item"]):
        raise ArgumentError("plot_likert", "summary",
                            f"the frame likert_summary returned for items {list(items)!r} "
                            f"and by={by!r}", summary,
                            hint="Pass the same items and by to both, or leave summary out.")
    other = set(summary.columns) - needed - split - {"se", "ci_low", "ci_high", "df", "deff"}
    if other:
        raise ArgumentError("plot_likert", "summary",
                            f"a likert_summary frame split by {by!r} only",
                            f"a frame also split by {sorted(other)!r}")
    return summary


def plot_likert(data: pd.DataFrame, items=None, *, by: str | None = "role", design=None,
                summary: pd.DataFrame | None = None, ax=None):
    """Weighted diverging stacked bars of Likert items, one bar per item and group.

    Bars are centred on the middle of "Neither agree nor disagree": disagreement extends
    left, agreement right. Shares are weighted by the design (equal weights by default) and
    come from :func:`baby_room.survey.likert.likert_summary`.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    items : sequence of str, optional
        Likert columns; default the six survey items
        (:data:`baby_room.codebook.SURVEY_LIKERT_ITEMS`) present in ``data``.
    by : str, optional, default "role"
        Subgroup column; None draws one bar per item.
    design : SurveyDesign, optional
    summary : pandas.DataFrame, optional
        What :func:`baby_room.survey.likert.likert_summary` returned for ``data``,
        ``items``, ``by`` and ``design`` (a table already shown, say): drawn instead of
        being computed again.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    baby_room.ArgumentError
        ``summary`` is not a ``likert_summary`` frame of ``items`` split by ``by``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from baby_room.codebook import LIKERT_LEVELS
    >>> x = pd.Categorical(["Agree", "Agree", "Disagree", "Strongly agree"],
    ...                    categories=LIKERT_LEVELS, ordered=True)
    >>> df = pd.DataFrame({"confident_with_babies": x})
    >>> ax = plot_likert(df, ["confident_with_babies"], by=None)
    >>> ax.get_xlabel()
    'Share of respondents (%)'
    >>> plt.close("all")
    """
    from baby_room.codebook import LIKERT_LEVELS, SURVEY, SURVEY_LIKERT_ITEMS
    from baby_room.survey.likert import likert_summary

    if items is None:
        items = [c for c in SURVEY_LIKERT_ITEMS if c in data.columns]
    if isinstance(items, str):
        items = [items]
    s = (likert_summary(data, items, by=by, design=design) if summary is None
         else _checked_likert_summary(summary, items, by))
    s = s[s["measure"] == "share"]
    groups = [None] if by is None else list(
        s[by].cat.categories if isinstance(s[by].dtype, pd.CategoricalDtype)
        else pd.unique(s[by]))
    rows = []  # (y, label, shares, n)
    y = 0.0
    yticks, ylabels, heads = [], [], []
    for item in items:
        heads.append((y, SURVEY[item].description if item in SURVEY else item))
        y -= 0.8
        for gval in groups:
            sub = s[s["item"] == item]
            if gval is not None:
                sub = sub[sub[by].astype(object) == gval]
            shares = sub.set_index("level").reindex(list(LIKERT_LEVELS))["estimate"]
            n = int(sub["n"].max()) if len(sub) else 0
            rows.append((y, shares.to_numpy(float), n))
            yticks.append(y)
            ylabels.append(f"{_nice(gval) if gval is not None else 'All'} (n={n})")
            y -= 1.0
        y -= 0.4
    ax = _axes(ax, figsize=(8, 0.32 * len(rows) + 0.35 * len(items) + 1.8))
    for yy, shares, _n in rows:
        if not np.all(np.isfinite(shares)):
            ax.text(0, yy, "no answers", ha="center", va="center", fontsize=8,
                    color=PALETTE["muted"])
            continue
        left = -(shares[0] + shares[1] + shares[2] / 2)
        for k, sh in enumerate(shares):
            ax.barh(yy, sh, left=left, height=0.8, color=LIKERT_COLOURS[k],
                    edgecolor="white", linewidth=0.4,
                    label=LIKERT_LEVELS[k] if yy == rows[0][0] else None)
            left += sh
    for yy, text in heads:
        ax.text(-0.99, yy, text, ha="left", va="center", fontsize=9, fontweight="bold")
    ax.set_yticks(yticks, ylabels, fontsize=8)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_xlim(-1.0, 1.0)
    ax.set_ylim(y + 0.6, 0.6)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{abs(v) * 100:.0f}%"))
    ax.set_xlabel("Share of respondents (%)")
    title_at_top(ax, "Attitudes of baby-room staff" + (f" by {_LABELS.get(by, by).lower()}"
                                                       if by else ""), pad=24)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, fontsize=7.5,
              handlelength=1.2)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    _label(ax, data)
    return ax
