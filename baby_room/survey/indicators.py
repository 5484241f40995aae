"""Baby-room indicators: group size, ratios, workforce, CPD, area comparisons.

Two units of analysis
---------------------
The survey has one row per **respondent**, but each respondent describes one baby **room**
(identified by ``setting_id`` and ``room_id``), and two respondents from one nursery may
describe the same room. Room-level figures (group size, babies per adult, the EYFS rules)
count each room once: :func:`rooms` builds the room table, taking the room's values from
one respondent chosen in the priority manager > room_leader > educator (ties broken by row
order, i.e. the first such respondent in the file). How many rooms had several respondents
and how many of those disagreed is in ``rooms(data).attrs`` and in :func:`count_room_conflicts`.
Respondent-level figures (baby-specific CPD, Likert items) use every respondent.

One design through everything
-----------------------------
Every estimator takes ``design=None``: the table is then analysed as a simple random
sample with equal weights. A :class:`~baby_room.survey.SurveyDesign` must be built on
``data`` itself (``f(design.data, design=design)``); a design on other rows (a subset,
the room table) is a :class:`~baby_room.errors.DesignError`, never silently used:
subgroups are estimated from the full design with ``by=``. Room-level functions use
:func:`room_design`: the design's weights before raking, strata, clusters and fpc are
carried to the room table through the chosen respondent, and the design's raking is
applied again to the room table, so that room weights meet the margins (population
totals of rooms) and standard errors are those of R's ``rake()`` on the room design.
When each respondent describes a different room the design is used as it is.

Results follow ``docs/result-contract.md``: ``by`` columns first, then identifiers
(``measure``, ``threshold`` ...), then ``estimate, se, ci_low, ci_high, df, n`` and
``deff``; ``n`` is the unweighted number of rooms (or respondents) in the base; a ``by``
category with no rooms gives a row with ``n = 0`` and missing estimates. Every function
takes ``conf_level=`` and, where it estimates proportions, ``ci_method=`` (default
``"logit"``, Korn-Graubard at 0 or 1); ``attrs`` holds ``source``, ``synthetic``,
``conf_level``, ``ci_method``, ``design`` and ``unit``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import (
    as_columns,
    check_ci_method,
    check_conf_level,
    check_frame,
    one_of,
    result_attrs,
)
from baby_room.errors import ArgumentError
from baby_room.reference import (
    EYFS_UNDER2_CHILDREN_PER_ADULT,
    GROUP_SIZE_THRESHOLDS,
)
from baby_room.survey._common import (
    describe_design,
    domain_estimates,
    finish,
    respondent_design,
    room_level,
    share,
    tidy,
)
from baby_room.survey._intervals import t_quantile, t_sf
from baby_room.survey._rooms import CONFLICT_COLUMNS, ROLE_PRIORITY, ROOM_KEY, build_rooms
from baby_room.survey._tests import wald_means

__all__ = [
    "ROLE_PRIORITY",
    "ROOM_KEY",
    "association_test",
    "compare_area",
    "count_room_conflicts",
    "group_size_summary",
    "means_test",
    "published_figures",
    "ratio_summary",
    "room_design",
    "rooms",
    "workforce_summary",
]


def _weights_of(design) -> pd.Series:
    return pd.Series(np.asarray(design.weights, dtype=float), index=design.data.index)


def _options(conf_level, ci_method, function):
    return (check_conf_level(conf_level, function=function),
            check_ci_method(ci_method, function=function))


# --------------------------------------------------------------------------- rooms


def rooms(data: pd.DataFrame) -> pd.DataFrame:
    """Build the room-level table: one row per baby room (``setting_id``, ``room_id``).

    When several respondents describe one room, the room's values are those of the first
    respondent in the priority manager > room_leader > educator (:data:`ROLE_PRIORITY`);
    among respondents of the same role, the first in row order. Respondents with another or
    missing role come last. Values are not combined across respondents: a missing answer of
    the chosen respondent stays missing.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table with at least ``setting_id``, ``room_id``, ``group_size`` and
        ``staff_in_room`` (``role`` is used when present).

    Returns
    -------
    pandas.DataFrame
        One row per room, in order of first appearance: the chosen respondent's columns
        (free-text ``comments`` dropped; respondent-level columns such as ``role`` are the
        chosen respondent's), plus

        - ``n_respondents``: respondents describing the room;
        - ``babies_per_adult``: group_size / staff_in_room (missing when no staff);
        - ``meets_eyfs_ratio``: group_size <= 3 x staff_in_room (EYFS under-2 ratio 1:3);
        - ``over_eyfs_ratio``: the complement;
        - ``rule_level3``, ``rule_half_others_level2``, ``rule_half_baby_trained``: the EYFS
          under-2 staffing rules, operationalised as in
          :func:`baby_room.reference.eyfs_under2_staffing_rules` (present when the staff
          columns are);
        - ``rule_all``: all three rules met, **complete case**: missing unless all three
          rules are known for the room, then ``rule_level3 & rule_half_others_level2 &
          rule_half_baby_trained``. Its share is therefore
          sum w_i 1[all three met] / sum w_i over rooms with all three rules known
          (as R's ``svymean(~I(r1 & r2 & r3), design, na.rm = TRUE)`` on a variable
          that is NA whenever any rule is NA).

        ``attrs`` (scalars only) holds ``source``/``synthetic`` from the input,
        ``unit`` (``"rooms"``) and ``room_priority``,
        ``n_respondents``, ``n_rooms``, ``n_rooms_shared`` (rooms with more than one
        respondent), ``n_rooms_conflicting`` (shared rooms whose respondents gave
        different non-missing values in any of ``group_size``, ``staff_in_room``,
        ``staff_level3``, ``staff_level2``, ``staff_baby_trained``) and
        ``n_rooms_conflicting_<column>`` for each of those columns present.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "setting_id": ["S1", "S1", "S2"], "room_id": ["R1", "R1", "R1"],
    ...     "role": ["educator", "manager", "educator"],
    ...     "group_size": [12, 10, 6], "staff_in_room": [3, 3, 2]})
    >>> r = rooms(df)
    >>> r[["group_size", "n_respondents", "meets_eyfs_ratio"]].to_numpy().tolist()
    [[10, 2, False], [6, 1, True]]
    >>> r.attrs["n_rooms_conflicting"]
    1
    """
    return build_rooms(data, function="rooms")


def count_room_conflicts(data: pd.DataFrame) -> pd.DataFrame:
    """Count the rooms described by several respondents with conflicting answers, by column.

    For publication: counts only. :func:`baby_room.survey.load.list_room_conflicts` lists
    the rooms themselves, with their identifiers, for checking a data file.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.

    Returns
    -------
    pandas.DataFrame
        One row per room-level column (``group_size``, ``staff_in_room``, ``staff_level3``,
        ``staff_level2``, ``staff_baby_trained``, present ones only) and a final row
        ``any``; columns ``column``, ``rooms``, ``rooms_shared`` (rooms with more than one
        respondent) and ``rooms_conflicting`` (shared rooms with two different non-missing
        values). No identifiers are returned.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "setting_id": ["S1", "S1", "S2"], "room_id": ["R1", "R1", "R1"],
    ...     "role": ["educator", "manager", "educator"],
    ...     "group_size": [12, 10, 6], "staff_in_room": [3, 3, 2]})
    >>> count_room_conflicts(df)[["column", "rooms_conflicting"]].to_numpy().tolist()
    [['group_size', 1], ['staff_in_room', 0], ['any', 1]]
    """
    table = build_rooms(data, function="count_room_conflicts")
    a = table.attrs
    rows = [
        {"column": c, "rooms": a["n_rooms"], "rooms_shared": a["n_rooms_shared"],
         "rooms_conflicting": a[f"n_rooms_conflicting_{c}"]}
        for c in CONFLICT_COLUMNS if f"n_rooms_conflicting_{c}" in a
    ]
    rows.append({"column": "any", "rooms": a["n_rooms"], "rooms_shared": a["n_rooms_shared"],
                 "rooms_conflicting": a["n_rooms_conflicting"]})
    out = pd.DataFrame(rows)
    out["column"] = out["column"].astype("string")
    out.attrs = result_attrs(data, unit="rooms")
    return out


def room_design(data: pd.DataFrame, *, design=None):
    """The room table and the room-level design that carries ``design``.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    design : SurveyDesign, optional
        A design built on ``data``. Its weights before raking, strata, clusters and fpc
        are carried to the room table through the respondent chosen for each room
        (:func:`rooms`; column ``design_weight``), and each of its raking calls
        (:attr:`SurveyDesign.rake_calls`) is applied again to the room table. Raking
        margins are taken to be population totals of **rooms** (e.g. baby rooms per
        region): the room weights meet them, and SEs are those of R's ``rake()`` on
        the room design, whether the design was raked on respondents or built and
        raked on a table with one row per room. When each respondent describes a
        different room, ``design`` is the room design as it is.

    Returns
    -------
    (pandas.DataFrame, SurveyDesign)
        The room table and the design on it (equal weights, SRS, when ``design`` is None).

    Notes
    -----
    Using the chosen respondent's weight as the room's weight is exact when weights
    were built for rooms and an approximation when they are respondent inclusion
    weights. Room-level raking agrees with R ``survey`` 4.1.1 ``rake()`` on the room
    design (``tests/reference/survey_rooms.R``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": ["S1", "S1", "S2"], "room_id": ["R1", "R1", "R1"],
    ...                    "group_size": [12, 12, 6], "staff_in_room": [3, 3, 2]})
    >>> table, d = room_design(df)
    >>> len(table), len(d)
    (2, 2)
    """
    return room_level(data, design, function="room_design")


# --------------------------------------------------------------------------- indicators


def _plain(by: list[str], table: pd.DataFrame, func, **ids) -> pd.DataFrame:
    """A descriptive statistic (no CI) per by group: func(group) -> (estimate, n)."""
    rows = []
    if by:
        groups = table.groupby(by, observed=True, sort=True, dropna=True)
        items = [((k,) if not isinstance(k, tuple) else k, g) for k, g in groups]
    else:
        items = [((), table)]
    for key, g in items:
        est, n = func(g)
        rows.append({**dict(zip(by, key, strict=True)), "estimate": est, "n": n})
    return tidy(pd.DataFrame(rows, columns=[*by, "estimate", "n"]), by, **ids)


def group_size_summary(
    data: pd.DataFrame,
    *,
    by=None,
    design=None,
    thresholds=GROUP_SIZE_THRESHOLDS,
    conf_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """Distribution of baby-room group size (babies per room), each room counted once.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table (one row per respondent; :func:`rooms` makes the room table).
    by : str or list of str, optional
        Subgroup column(s) of the room table (e.g. ``"region"``, ``"setting_type"``).
    design : SurveyDesign, optional
        Design built on ``data`` (see :func:`room_design`); default equal weights, SRS.
    thresholds : sequence of int, default :data:`baby_room.reference.GROUP_SIZE_THRESHOLDS`
        Group sizes for the shares of rooms at or below / above (6-8 is the size the
        evidence review recommends: :data:`baby_room.reference.RECOMMENDED_GROUP_SIZE`).
    conf_level : float, default 0.95
        Confidence level of every interval.
    ci_method : str, default "logit"
        Interval of the shares (:data:`baby_room._args.CI_METHODS`, see
        :meth:`SurveyDesign.proportion`).

    Returns
    -------
    pandas.DataFrame
        Long format, one row per ``by`` group and measure; columns ``by...``,
        ``measure``, ``threshold`` (Int64, for the shares only), ``estimate, se, ci_low,
        ci_high, df, n, deff``. ``n`` is the number of rooms with a known group size.
        Measures:

        - ``rooms``: number of rooms (estimate = n);
        - ``mean``: design-based mean with t-interval (``SurveyDesign.mean``);
        - ``sd``: weighted standard deviation,
          sqrt(sum w (y - ybar)^2 / sum w * n / (n - 1)) (the sample SD with equal weights);
        - ``q1``, ``median``, ``q3``: ``SurveyDesign.quantile`` (Woodruff interval);
        - ``min``, ``max``: smallest and largest group size observed;
        - ``share_at_or_below``, ``share_above``: share of rooms with group_size <= t and > t
          for each threshold t, with ``SurveyDesign.proportion`` intervals.

    Notes
    -----
    Checked against ``scipy.stats.t.interval`` and ``statsmodels`` ``DescrStatsW`` (mean),
    ``statsmodels.stats.proportion.proportion_confint`` (shares) and R ``survey`` 4.1.1 on
    raked room designs (``tests/reference/survey_rooms.R``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEF"), "room_id": ["R1"] * 6,
    ...                    "group_size": [6, 8, 12, 14, 20, 18],
    ...                    "staff_in_room": [2, 3, 4, 4, 5, 6]})
    >>> t = group_size_summary(df, thresholds=(8,))
    >>> t.set_index("measure").loc["mean", "estimate"].round(2)
    np.float64(13.0)
    >>> t["measure"].tolist()[:4]
    ['rooms', 'mean', 'sd', 'q1']
    """
    fn = "group_size_summary"
    conf_level, ci_method = _options(conf_level, ci_method, fn)
    by = as_columns(by, function=fn)
    table, design_ = room_level(data, design, function=fn)
    as_columns(by, function=fn, data=table)
    try:
        thresholds = [int(t) for t in thresholds]
    except (TypeError, ValueError):
        raise ArgumentError(fn, "thresholds", "a sequence of whole numbers",
                            thresholds) from None
    g = table["group_size"].astype("Float64")
    extra = {}
    for t in thresholds:
        extra[f"_le_{t}"] = (g <= t).astype("boolean")
        extra[f"_gt_{t}"] = (g > t).astype("boolean")
    design_x = design_.with_data(table.assign(**extra))
    table_x = design_x.data
    w_all = _weights_of(design_x)

    def n_rooms(gr):
        k = int(gr["group_size"].notna().sum())
        return float(k), k

    def sd(gr):
        y = gr["group_size"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        w = w_all.loc[gr.index].to_numpy(dtype=float)
        ok = ~np.isnan(y) & ~np.isnan(w)
        y, w = y[ok], w[ok]
        k = len(y)
        if k < 2:
            return np.nan, k
        m = np.sum(w * y) / np.sum(w)
        return float(np.sqrt(np.sum(w * (y - m) ** 2) / np.sum(w) * k / (k - 1))), k

    def ext(fn_):
        def f(gr):
            y = gr["group_size"].dropna()
            return (float(fn_(y)) if len(y) else np.nan), int(len(y))

        return f

    na = pd.NA
    parts = [
        _plain(by, table_x, n_rooms, measure="rooms", threshold=na),
        tidy(design_x.mean("group_size", by=by or None, conf_level=conf_level), by,
             measure="mean", threshold=na),
        _plain(by, table_x, sd, measure="sd", threshold=na),
    ]
    for name, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
        res = design_x.quantile("group_size", q, by=by or None, conf_level=conf_level)
        parts.append(tidy(res, by, measure=name, threshold=na))
    parts += [
        _plain(by, table_x, ext(np.min), measure="min", threshold=na),
        _plain(by, table_x, ext(np.max), measure="max", threshold=na),
    ]
    opts = {"conf_level": conf_level, "ci_method": ci_method}
    for t in thresholds:
        parts.append(share(design_x, f"_le_{t}", by, measure="share_at_or_below",
                           threshold=t, **opts))
        parts.append(share(design_x, f"_gt_{t}", by, measure="share_above", threshold=t,
                           **opts))
    out = finish(parts, table, by, ["measure", "threshold"], data,
                 design=describe_design(design), unit="rooms", **opts)
    out.attrs.update({k: table.attrs[k] for k in ("n_rooms", "n_rooms_conflicting",
                                                   "room_priority")})
    return out


def ratio_summary(data: pd.DataFrame, *, by=None, design=None, conf_level: float = 0.95,
                  ci_method: str = "logit") -> pd.DataFrame:
    """Babies per adult and the share of rooms meeting the EYFS under-2 ratio (1:3).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    by : str or list of str, optional
        Subgroup column(s) of the room table.
    design : SurveyDesign, optional
        Design built on ``data`` (see :func:`room_design`).
    conf_level : float, default 0.95
        Confidence level.
    ci_method : str, default "logit"
        Interval of the shares (see :meth:`SurveyDesign.proportion`).

    Returns
    -------
    pandas.DataFrame
        Columns ``by...``, ``measure``, ``estimate, se, ci_low, ci_high, df, n, deff``;
        measures:

        - ``babies_per_adult``: ratio estimator sum(w * group_size) / sum(w * staff_in_room)
          (``SurveyDesign.ratio``, linearised SE);
        - ``share_meeting_eyfs_ratio``: share of rooms with group_size <= 3 x staff_in_room
          (:data:`baby_room.reference.EYFS_UNDER2_CHILDREN_PER_ADULT`);
        - ``share_over_eyfs_ratio``: share of rooms with more than 3 babies per adult.

        Rooms missing group size or staff are left out of each measure.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCD"), "room_id": ["R1"] * 4,
    ...                    "group_size": [6, 9, 12, 13], "staff_in_room": [2, 3, 3, 4]})
    >>> r = ratio_summary(df).set_index("measure")["estimate"]
    >>> round(float(r["babies_per_adult"]), 3), float(r["share_meeting_eyfs_ratio"])
    (3.333, 0.5)
    """
    fn = "ratio_summary"
    conf_level, ci_method = _options(conf_level, ci_method, fn)
    by = as_columns(by, function=fn)
    table, design_ = room_level(data, design, function=fn)
    as_columns(by, function=fn, data=table)
    opts = {"conf_level": conf_level, "ci_method": ci_method}
    parts = [
        tidy(design_.ratio("group_size", "staff_in_room", by=by or None,
                           conf_level=conf_level), by, measure="babies_per_adult"),
        share(design_, "meets_eyfs_ratio", by, measure="share_meeting_eyfs_ratio", **opts),
        share(design_, "over_eyfs_ratio", by, measure="share_over_eyfs_ratio", **opts),
    ]
    out = finish(parts, table, by, ["measure"], data, design=describe_design(design),
                 unit="rooms", **opts)
    out.attrs["eyfs_under2_children_per_adult"] = EYFS_UNDER2_CHILDREN_PER_ADULT
    return out


def workforce_summary(data: pd.DataFrame, *, by=None, design=None, conf_level: float = 0.95,
                      ci_method: str = "logit") -> pd.DataFrame:
    """Qualification mix, EYFS under-2 staffing rules met, and baby-specific CPD.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table with ``staff_in_room``, ``staff_level3``, ``staff_level2``,
        ``staff_baby_trained`` and ``cpd_baby_past_year``.
    by : str or list of str, optional
        Subgroup column(s) (in the room table for room measures, in the respondent table
        for CPD).
    design : SurveyDesign, optional
        Design built on ``data`` (see :func:`room_design`).
    conf_level : float, default 0.95
        Confidence level.
    ci_method : str, default "logit"
        Interval of the shares (see :meth:`SurveyDesign.proportion`).

    Returns
    -------
    pandas.DataFrame
        Columns ``by...``, ``measure``, ``unit`` (``staff``, ``room`` or ``respondent``:
        what the estimate is a share of), ``estimate, se, ci_low, ci_high, df, n, deff``;
        ``n`` counts rooms, except for ``cpd_baby_past_year`` (respondents). Measures:

        - ``share_staff_level3``, ``share_staff_level2``, ``share_staff_below_level2``
          (unit ``staff``): ratio estimators sum(level count) / sum(staff_in_room) over rooms
          (below Level 2 = staff_in_room - staff_level3 - staff_level2);
        - ``rule_level3``, ``rule_half_others_level2``, ``rule_half_baby_trained``
          (unit ``room``): share of rooms meeting each EYFS under-2 staffing rule
          (:func:`baby_room.reference.eyfs_under2_staffing_rules`);
        - ``rule_all`` (unit ``room``): share of rooms meeting all three among rooms where
          all three are known (complete case; see :func:`rooms`);
        - ``cpd_baby_past_year`` (unit ``respondent``): share of respondents with baby-specific
          CPD in the past 12 months (every respondent counted).

    Notes
    -----
    ``rule_all`` and the raked-design results agree with R ``survey`` 4.1.1
    (``tests/reference/survey_rooms.R``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCD"), "room_id": ["R1"] * 4,
    ...                    "group_size": [6, 9, 12, 13], "staff_in_room": [2, 3, 4, 4],
    ...                    "staff_level3": [1, 0, 2, 1], "staff_level2": [1, 2, 1, 0],
    ...                    "staff_baby_trained": [1, 1, 2, 3],
    ...                    "cpd_baby_past_year": [True, False, False, True]})
    >>> w = workforce_summary(df).set_index("measure")["estimate"]
    >>> float(w["rule_level3"]), float(w["rule_half_baby_trained"]), float(w["cpd_baby_past_year"])
    (0.75, 0.75, 0.5)
    """
    fn = "workforce_summary"
    conf_level, ci_method = _options(conf_level, ci_method, fn)
    by = as_columns(by, function=fn)
    check_frame(data, function=fn, columns=["staff_level3", "staff_level2",
                                            "staff_baby_trained", "cpd_baby_past_year"])
    table, design_ = room_level(data, design, function=fn)
    as_columns(by, function=fn, data=table)
    s = table["staff_in_room"].astype("Float64")
    below = s - table["staff_level3"].astype("Float64") - table["staff_level2"].astype("Float64")
    design_x = design_.with_data(table.assign(_staff_below_level2=below))
    opts = {"conf_level": conf_level, "ci_method": ci_method}
    parts = []
    for name, col in (
        ("share_staff_level3", "staff_level3"),
        ("share_staff_level2", "staff_level2"),
        ("share_staff_below_level2", "_staff_below_level2"),
    ):
        parts.append(tidy(design_x.ratio(col, "staff_in_room", by=by or None,
                                         conf_level=conf_level), by,
                          measure=name, unit="staff"))
    for rule in ("rule_level3", "rule_half_others_level2", "rule_half_baby_trained", "rule_all"):
        parts.append(share(design_x, rule, by, measure=rule, unit="room", **opts))
    attrs = {"design": describe_design(design), **opts}
    out_rooms = finish(parts, table, by, ["measure", "unit"], data, **attrs)
    resp = respondent_design(data, design, function=fn)
    cpd = finish([share(resp, "cpd_baby_past_year", by, measure="cpd_baby_past_year",
                        unit="respondent", **opts)],
                 resp.data, by, ["measure", "unit"], data, **attrs)
    out = pd.concat([out_rooms, cpd], ignore_index=True)
    for b in by:
        if isinstance(table[b].dtype, pd.CategoricalDtype):
            out[b] = pd.Categorical(out[b], categories=table[b].cat.categories,
                                    ordered=table[b].cat.ordered)
    out.attrs = result_attrs(data, unit="rooms; respondents for cpd_baby_past_year", **attrs)
    return out


# --------------------------------------------------------------------------- comparisons

#: Units of analysis of the tests.
UNITS = ("respondent", "room")


def _unit_design(data, design, unit, function):
    one_of(unit, UNITS, function=function, parameter="unit")
    if unit == "room":
        return room_level(data, design, function=function)[1]
    return respondent_design(data, design, function=function)


def association_test(data: pd.DataFrame, var1: str, var2: str, *, design=None,
                     unit: str = "respondent") -> pd.DataFrame:
    """Rao-Scott test of association between two categorical variables.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    var1, var2 : str
        Categorical columns.
    design : SurveyDesign, optional
        Design built on ``data``.
    unit : {"respondent", "room"}
        Analyse respondents, or rooms (each counted once, :func:`room_design`).

    Returns
    -------
    pandas.DataFrame
        One row: ``variable1``, ``variable2``, ``statistic`` (Rao-Scott F), ``df_num``,
        ``df_den``, ``p_value``, ``test``, ``n`` (units with both answers), then
        ``chisq`` (Pearson X^2 of the weighted table scaled to n) and ``mean_deff``.

    Notes
    -----
    Second-order Rao & Scott (1984) correction as R ``survey``'s ``svychisq(statistic="F")``
    (``SurveyDesign.chisq``, checked against R 4.1.1 in ``tests/test_survey_design.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEFGH"), "room_id": ["R1"] * 8,
    ...     "group_size": [6, 9, 12, 13, 7, 8, 20, 15], "staff_in_room": [2] * 8,
    ...     "cpd_baby_past_year": [True, False] * 4, "role": ["educator", "manager"] * 4})
    >>> list(association_test(df, "cpd_baby_past_year", "role").columns[:6])
    ['variable1', 'variable2', 'statistic', 'df_num', 'df_den', 'p_value']
    """
    fn = "association_test"
    d = _unit_design(data, design, unit, fn)
    check_frame(d.data, function=fn, columns=[var1, var2])
    res = d.chisq(var1, var2)
    out = pd.DataFrame({
        "variable1": pd.array([var1], dtype="string"),
        "variable2": pd.array([var2], dtype="string"),
        "statistic": res["statistic"].to_numpy(float),
        "df_num": res["ndf"].to_numpy(float),
        "df_den": res["ddf"].to_numpy(float),
        "p_value": res["p_value"].to_numpy(float),
        "test": pd.array(["Rao-Scott F (second-order)"], dtype="string"),
        "n": res["n"].to_numpy("int64"),
        "chisq": res["chisq"].to_numpy(float),
        "mean_deff": res["mean_deff"].to_numpy(float),
    })
    out.attrs = result_attrs(data, design=describe_design(design), unit=f"{unit}s")
    return out


def means_test(data: pd.DataFrame, var: str, group: str, *, design=None,
               unit: str = "room", conf_level: float = 0.95) -> pd.DataFrame:
    """Design-based Wald test that the mean of ``var`` is equal across the groups of ``group``.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    var : str
        Numeric column (e.g. ``"group_size"``).
    group : str
        Column whose groups are compared (e.g. ``"region"``).
    design : SurveyDesign, optional
        Design built on ``data``.
    unit : {"room", "respondent"}
        Analyse rooms (each counted once) or respondents.
    conf_level : float, default 0.95
        Confidence level of the differences.

    Returns
    -------
    pandas.DataFrame
        One row per group after the first (the reference, first in sort or category
        order): ``variable``, ``contrast`` (``"b - a"``), ``estimate, se, ci_low, ci_high,
        df`` (difference of the group's mean from the reference mean, from the full design,
        with a t interval on the test's denominator df), ``n`` (units of the two groups),
        then the joint test of equal means, the same on every row: ``statistic`` (Wald F
        of all differences), ``df_num``, ``df_den``, ``p_value``, ``test``.

    Notes
    -----
    With two groups F is the square of R ``svyttest``'s t; with more, R's
    ``regTermTest(svyglm(var ~ group), ~group)`` (``SurveyDesign.wald_test_means``, checked
    against R ``survey`` 4.1.1).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEFGH"), "room_id": ["R1"] * 8,
    ...     "group_size": [6, 9, 12, 13, 7, 8, 20, 15], "staff_in_room": [2] * 8,
    ...     "setting_type": ["private", "voluntary"] * 4})
    >>> t = means_test(df, "group_size", "setting_type")
    >>> t["contrast"].iloc[0], float(t["estimate"].iloc[0])
    ('voluntary - private', 0.0)
    """
    fn = "means_test"
    conf_level = check_conf_level(conf_level, function=fn)
    d = _unit_design(data, design, unit, fn)
    check_frame(d.data, function=fn, columns=[var, group])
    res = wald_means(d, var, group, conf_level=conf_level, contrasts=True)
    out = pd.DataFrame({
        "variable": pd.array([var] * len(res), dtype="string"),
        "contrast": pd.array(res["contrast"].tolist(), dtype="string"),
        "estimate": res["estimate"].to_numpy(float),
        "se": res["se"].to_numpy(float),
        "ci_low": res["ci_low"].to_numpy(float),
        "ci_high": res["ci_high"].to_numpy(float),
        "df": res["ddf"].to_numpy(float),
        "n": res["n"].to_numpy("int64"),
        "statistic": res["statistic"].to_numpy(float),
        "df_num": res["ndf"].to_numpy(float),
        "df_den": res["ddf"].to_numpy(float),
        "p_value": res["p_value"].to_numpy(float),
        "test": pd.array(["Design-based Wald F"] * len(res), dtype="string"),
    })
    out.attrs = result_attrs(data, conf_level=conf_level, design=describe_design(design),
                             unit=f"{unit}s")
    return out


# --------------------------------------------------------------------------- compare_area

#: Indicators compared by :func:`compare_area`: (indicator, unit, kind, column(s)).
AREA_INDICATORS = (
    ("mean_group_size", "room", "mean", "group_size"),
    ("share_rooms_12_or_fewer", "room", "share", "_le_12"),
    ("babies_per_adult", "room", "ratio", ("group_size", "staff_in_room")),
    ("share_meeting_eyfs_ratio", "room", "share", "meets_eyfs_ratio"),
    ("rule_level3", "room", "share", "rule_level3"),
    ("rule_half_others_level2", "room", "share", "rule_half_others_level2"),
    ("rule_half_baby_trained", "room", "share", "rule_half_baby_trained"),
    ("rule_all", "room", "share", "rule_all"),
    ("cpd_baby_past_year", "respondent", "share", "cpd_baby_past_year"),
)

#: Levels an area can be taken from.
AREA_LEVELS = ("local_authority", "region")


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.astype("Float64"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)


def _domain_contrast(design, table, domain: pd.Series, kind: str, cols, ests):
    """Linearised SE of (area - rest) from the full design, via the total of a score.

    For domain means, z_i = d_a,i (y_i - m_a) / N_a - d_b,i (y_i - m_b) / N_b; for ratios
    z_i = d_a,i (y_i - R_a x_i) / X_a - d_b,i (y_i - R_b x_i) / X_b. The SE of the design's
    estimated total of z is the SE of the difference, Var(a) + Var(b) - 2 Cov(a, b).
    """
    w = _weights_of(design).to_numpy()
    if kind == "ratio":
        y, x = _num(table[cols[0]]), _num(table[cols[1]])
        ok = ~np.isnan(y) & ~np.isnan(x)
    else:
        y = _num(table[cols])
        x = np.ones_like(y)
        ok = ~np.isnan(y)
    z = np.zeros(len(table))
    for label, sign in (("area", 1.0), ("rest", -1.0)):
        d = ok & (domain == label).to_numpy()
        denom = np.sum(w[d] * x[d])
        if denom == 0 or np.isnan(ests[label]):
            return np.nan, np.nan
        z[d] += sign * (y[d] - ests[label] * x[d]) / denom
    tot = design.with_data(table.assign(_contrast_score=z)).total("_contrast_score")
    return float(tot["se"].iloc[0]), float(tot["df"].iloc[0])


def compare_area(
    data: pd.DataFrame,
    *,
    area: str,
    level: str = "local_authority",
    design=None,
    conf_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """The indicators for one local authority or region beside the rest of England.

    For local-authority teams running the survey in their own area: each indicator is
    estimated in the area and in the rest of the sample (both as domains of the full
    design), with the difference area - rest and its confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    area : str
        The local authority or region (a value of ``level``).
    level : {"local_authority", "region"}
        The column that identifies the area.
    design : SurveyDesign, optional
        Design built on ``data`` (room indicators use :func:`room_design`).
    conf_level : float, default 0.95
        Confidence level of every interval.
    ci_method : str, default "logit"
        Interval of the area's and the rest's shares (see
        :meth:`SurveyDesign.proportion`); the difference always has a t interval.

    Returns
    -------
    pandas.DataFrame
        One row per indicator (see :data:`AREA_INDICATORS`): ``indicator``, ``unit``, then
        for the difference (area - rest) ``estimate, se, ci_low, ci_high, df``, ``n``
        (units in the area or the rest), ``p_value``, then ``area_estimate``,
        ``area_ci_low``, ``area_ci_high``, ``area_n``, ``rest_estimate``, ``rest_ci_low``,
        ``rest_ci_high``, ``rest_n``.

    Notes
    -----
    The SE of the difference is design-based from the full design: with d_a and d_b the
    domain indicators, the difference is linearised as the total of
    z_i = d_a,i (y_i - m_a) / N_a - d_b,i (y_i - m_b) / N_b (for babies per adult
    y_i - R x_i over the domain's total staff), whose variance, estimated with the design's
    strata, clusters and fpc, is Var(a) + Var(b) - 2 Cov(a, b). Under simple random sampling
    the covariance is zero and this reduces to the independent-samples SE, sqrt(s_a^2/n_a +
    s_b^2/n_b) up to the factor n/(n-1). CI: difference +/- t(df) SE; two-sided p-value from
    the same t distribution. Rows whose ``level`` is missing belong to neither domain.
    Checked against a hand computation in ``tests/test_survey_indicators.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEFGH"), "room_id": ["R1"] * 8,
    ...     "region": ["London"] * 4 + ["South West"] * 4,
    ...     "group_size": [6, 9, 12, 13, 7, 8, 20, 15], "staff_in_room": [2, 3, 4, 4, 3, 3, 6, 5],
    ...     "staff_level3": [1] * 8, "staff_level2": [1] * 8, "staff_baby_trained": [1] * 8,
    ...     "cpd_baby_past_year": [True, False] * 4})
    >>> c = compare_area(df, area="London", level="region").set_index("indicator")
    >>> float(c.loc["mean_group_size", "estimate"])
    -2.5
    """
    fn = "compare_area"
    conf_level, ci_method = _options(conf_level, ci_method, fn)
    one_of(level, AREA_LEVELS, function=fn, parameter="level")
    table, rdesign = room_level(data, design, function=fn)
    resp = respondent_design(data, design, function=fn)
    check_frame(resp.data, function=fn, columns=[level])
    values = resp.data[level].astype("string")
    if not (values == area).any():
        avail = sorted(values.dropna().unique().tolist())
        shown = ", ".join(avail[:40]) + (" ..." if len(avail) > 40 else "")
        raise ArgumentError(fn, "area", f"a value of {level!r}", area,
                            hint=f"Values of {level!r}: {shown}")

    def domain_of(frame):
        v = frame[level].astype("string")
        return pd.Series(np.where(v.isna(), None, np.where(v == area, "area", "rest")),
                         index=frame.index, dtype="string")

    g = table["group_size"].astype("Float64")
    room_t = table.assign(_le_12=(g <= 12).astype("boolean"), _domain=domain_of(table))
    resp_t = resp.data.assign(_domain=domain_of(resp.data))
    designs = {"room": (rdesign.with_data(room_t), room_t),
               "respondent": (resp.with_data(resp_t), resp_t)}
    rows = []
    for name, unit, kind, cols in AREA_INDICATORS:
        d, t = designs[unit]
        needed = list(cols) if isinstance(cols, tuple) else [cols]
        if any(c not in t.columns for c in needed):
            continue
        res = domain_estimates(d, kind, cols, by="_domain", conf_level=conf_level,
                               ci_method=ci_method)
        est = {k: (float(res.loc[k, "estimate"]) if k in res.index else np.nan)
               for k in ("area", "rest")}
        se, df_ = _domain_contrast(d, t, t["_domain"], kind, cols, est)
        diff = est["area"] - est["rest"]
        if np.isfinite(se) and se > 0 and np.isfinite(df_) and df_ > 0:
            tq = t_quantile(0.5 + conf_level / 2, df_)
            lo, hi = diff - tq * se, diff + tq * se
            p = float(2 * t_sf(abs(diff / se), df_))
        else:
            lo = hi = p = np.nan
        row = {"indicator": name, "unit": unit, "estimate": diff, "se": se, "ci_low": lo,
               "ci_high": hi, "df": df_}
        ns = {k: (int(res.loc[k, "n"]) if k in res.index else 0) for k in ("area", "rest")}
        row.update(n=ns["area"] + ns["rest"], p_value=p)
        for k in ("area", "rest"):
            for c in ("estimate", "ci_low", "ci_high"):
                row[f"{k}_{c}"] = res.loc[k, c] if k in res.index else np.nan
            row[f"{k}_n"] = ns[k]
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("indicator", "unit"):
        out[c] = out[c].astype("string")
    for c in ("n", "area_n", "rest_n"):
        out[c] = pd.to_numeric(out[c]).astype("int64")
    out.attrs = result_attrs(data, conf_level=conf_level, ci_method=ci_method,
                             design=describe_design(design), unit="rooms or respondents")
    out.attrs.update(area=str(area), level=level)
    return out


# --------------------------------------------------------------------------- published


def published_figures(data: pd.DataFrame) -> pd.DataFrame:
    """The figures the Baby Room Project published about its survey, recomputed from data.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.

    Returns
    -------
    pandas.DataFrame
        Columns ``measure``, ``estimate`` (float), ``published`` (the report's words, from
        :func:`baby_room.reference.published_survey_figures`). Measures: ``respondents``,
        ``rooms`` (distinct rooms), ``babies_in_rooms`` (sum of group size over distinct
        rooms), ``mean_group_size`` and ``max_group_size`` (over rooms),
        ``rooms_12_or_fewer`` (count), ``share_cpd_baby_past_year`` (respondents answering,
        unweighted). Unweighted, as published.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABC"), "room_id": ["R1"] * 3,
    ...     "group_size": [12, 13, 14], "staff_in_room": [4, 4, 5],
    ...     "cpd_baby_past_year": [True, False, False]})
    >>> published_figures(df).set_index("measure").loc["babies_in_rooms", "estimate"]
    np.float64(39.0)
    """
    from baby_room.reference import published_survey_figures

    table = build_rooms(data, function="published_figures")
    g = table["group_size"].astype("Float64").dropna()
    values = {
        "respondents": float(len(data)),
        "rooms": float(len(table)),
        "babies_in_rooms": float(g.sum()),
        "mean_group_size": float(g.mean()) if len(g) else np.nan,
        "max_group_size": float(g.max()) if len(g) else np.nan,
        "rooms_12_or_fewer": float((g <= 12).sum()),
    }
    if "cpd_baby_past_year" in data.columns:
        cpd = data["cpd_baby_past_year"].astype("boolean").dropna()
        values["share_cpd_baby_past_year"] = float(cpd.mean()) if len(cpd) else np.nan
    pub = published_survey_figures().rename(columns={"statistic": "measure"})
    out = pd.DataFrame({"measure": list(values), "estimate": list(values.values())})
    out["measure"] = out["measure"].astype("string")
    out = out.merge(pub[["measure", "published"]], on="measure", how="left")
    out.attrs = result_attrs(data, design="unweighted, as published")
    return out
