"""Baby-room indicators: group size, ratios, workforce, CPD, area comparisons.

Two units of analysis
---------------------
The survey has one row per **respondent**, but each respondent describes one baby **room**
(identified by ``setting_id`` and ``room_id``), and two respondents from one nursery may
describe the same room. Room-level figures (group size, babies per adult, the EYFS rules)
count each room once: :func:`rooms` builds the room table, taking the room's values from
one respondent chosen in the priority manager > room_leader > educator (ties broken by row
order, i.e. the first such respondent in the file). How many rooms had several respondents
and how many of those disagreed is in ``rooms(data).attrs`` and in :func:`room_conflicts`.
Respondent-level figures (baby-specific CPD, Likert items) use every respondent.

Survey designs
--------------
Every estimator takes ``design=None``: the room (or respondent) table is then analysed as a
simple random sample with equal weights, ``SurveyDesign(table)``. When a
:class:`~baby_room.survey.design.SurveyDesign` is given it must be built on the respondent
table (its ``data``); room-level functions then build a **room-level design** by carrying the
design's weights, strata, clusters and fpc to the room table through the chosen respondent
(:func:`room_design`). The chosen respondent's weight is used as the room's weight: this is
exact when weights were built for rooms (e.g. raked to the population of baby rooms) and an
approximation when they are respondent inclusion weights. A design built on a table that has
one row per room already is used as it is.

All results are tidy DataFrames: ``by`` columns first, then identifiers (``statistic``,
``threshold`` ...), then ``estimate, se, ci_low, ci_high, df, n`` (+ ``deff``), and they
carry ``attrs["source"]`` / ``attrs["synthetic"]`` from the input. A ``by`` category with no
rooms gives a row with ``n = 0`` and missing estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room.errors import DesignError
from baby_room.reference import (
    EYFS_UNDER2_CHILDREN_PER_ADULT,
    GROUP_SIZE_THRESHOLDS,
)
from baby_room.style import carry_source
from baby_room.survey.likert import cronbach_alpha, likert_summary
from baby_room.survey.models import fit_group_size_model

__all__ = [
    "ROLE_PRIORITY",
    "ROOM_KEY",
    "association_test",
    "compare_area",
    "cronbach_alpha",
    "fit_group_size_model",
    "group_size_summary",
    "likert_summary",
    "means_test",
    "published_figures",
    "ratio_summary",
    "room_conflicts",
    "room_design",
    "rooms",
    "workforce_summary",
]

#: The room is identified by these two columns.
ROOM_KEY = ("setting_id", "room_id")
#: Whose answers describe a room when several respondents describe it (first wins).
ROLE_PRIORITY = ("manager", "room_leader", "educator")
#: Room-level columns compared between respondents describing the same room.
CONFLICT_COLUMNS = (
    "group_size",
    "staff_in_room",
    "staff_level3",
    "staff_level2",
    "staff_baby_trained",
)
#: Columns never carried into the room table (personal data).
_PERSONAL = ("comments",)
#: Columns derived by :func:`rooms`.
DERIVED_ROOM_COLUMNS = (
    "n_respondents",
    "babies_per_adult",
    "meets_eyfs_ratio",
    "over_eyfs_ratio",
    "rule_level3",
    "rule_half_others_level2",
    "rule_half_baby_trained",
    "rule_all",
)
EST_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "df", "n", "deff")


# --------------------------------------------------------------------------- helpers


def _canonical_columns() -> list[str]:
    try:
        from baby_room.codebook import SURVEY

        return list(SURVEY.names())
    except Exception:  # pragma: no cover - codebook always present in the package
        return []


def require_columns(data, columns, *, where: str, parameter: str = "data") -> None:
    """Raise :class:`DesignError` naming every missing column and listing the available ones.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : iterable of str
        Columns the caller needs.
    where : str
        Function name, used in the message.
    parameter : str
        Parameter that named the columns (``data``, ``by``, ``items`` ...).

    Examples
    --------
    >>> import pandas as pd
    >>> try:
    ...     require_columns(pd.DataFrame({"group_size": [1]}), ["staff_in_room"], where="f")
    ... except DesignError as e:
    ...     print(str(e).splitlines()[0])
    f: column 'staff_in_room' (from data) is not in the data.
    """
    if not isinstance(data, pd.DataFrame):
        raise DesignError(
            f"{where}: data must be a pandas DataFrame; got {type(data).__name__}"
        )
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if not missing:
        return
    names = ", ".join(repr(c) for c in missing)
    canonical = _canonical_columns()
    present = [c for c in canonical if c in data.columns]
    other = [str(c) for c in data.columns if c not in canonical]
    plural = "s" if len(missing) > 1 else ""
    verb = "are" if len(missing) > 1 else "is"
    msg = (
        f"{where}: column{plural} {names} (from {parameter}) {verb} not in the data.\n"
        f"Available canonical columns: {', '.join(present) or '(none)'}"
    )
    if other:
        msg += f"\nOther columns: {', '.join(other)}"
    raise DesignError(msg)


def _as_list(by) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    try:
        out = list(by)
    except TypeError:
        raise DesignError(
            f"by must be a column name, a list of column names or None; got {by!r}"
        ) from None
    if not all(isinstance(b, str) for b in out):
        raise DesignError(f"by must be a column name, a list of column names or None; got {by!r}")
    return out




def _design_class():
    from baby_room.survey.design import SurveyDesign

    return SurveyDesign


def _design_spec(design) -> dict:
    """Constructor arguments of a SurveyDesign (column names and lonely_psu)."""
    spec = getattr(design, "spec", None)
    if spec is None:
        spec = getattr(design, "_spec", None)
    if spec is None:  # pragma: no cover - every SurveyDesign records its specification
        raise DesignError("design does not record its specification (weights, strata, ...)")
    return dict(spec)


def _check_design(design, where: str):
    cls = _design_class()
    if not isinstance(design, cls):
        raise DesignError(
            f"{where}: design must be a baby_room.survey.SurveyDesign or None; "
            f"got {type(design).__name__}"
        )
    return design


def _with_columns(design, data: pd.DataFrame):
    """The same design (weights, raking, strata, clusters) on its rows with extra columns.

    ``data`` must hold the design's rows in the same order (``design.data.assign(...)``).
    """
    if hasattr(design, "with_data"):
        return design.with_data(data)
    if len(data) == len(design.data) and data.index.equals(design.data.index):
        import copy

        new = copy.copy(design)
        new._data = data
        return new
    return _design_class()(data, **_design_spec(design))  # pragma: no cover


def _weights_of(design) -> pd.Series:
    return pd.Series(np.asarray(design.weights, dtype=float), index=design.data.index)


def respondent_design(data, design=None, *, extra: dict | None = None, where: str = "survey"):
    """The respondent-level design, optionally with extra derived columns.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table (used when ``design`` is None).
    design : SurveyDesign, optional
        Design on the respondent table; its ``data`` is used.
    extra : dict of str to callable, optional
        New columns, each computed from the table (``DataFrame.assign`` semantics).
    where : str
        Caller name for error messages.

    Returns
    -------
    SurveyDesign
        ``SurveyDesign(data)`` (equal weights, SRS) when ``design`` is None; otherwise the same
        design (weights, raking, strata, clusters) on its rows with the extra columns.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group_size": [9, 12, 6, 13]})
    >>> d = respondent_design(df, extra={"big": lambda t: t["group_size"] > 10})
    >>> float(d.proportion("big")["estimate"].iloc[0])
    0.5
    """
    if design is None:
        base = data
        if not isinstance(base, pd.DataFrame):
            raise DesignError(f"{where}: data must be a pandas DataFrame; got {type(data).__name__}")
        table = base.assign(**extra) if extra else base
        return _design_class()(table)
    _check_design(design, where)
    if not extra:
        return design
    return _with_columns(design, design.data.assign(**extra))


# --------------------------------------------------------------------------- rooms


def _role_rank(data: pd.DataFrame) -> pd.Series:
    if "role" not in data.columns:
        return pd.Series(0, index=data.index)
    rank = {r: i for i, r in enumerate(ROLE_PRIORITY)}
    role = data["role"].astype("string")
    return role.map(rank).astype("Float64").fillna(len(ROLE_PRIORITY)).astype(int)


def _derive(table: pd.DataFrame) -> pd.DataFrame:
    """Add the EYFS ratio and staffing-rule columns to a room table."""
    out = table.copy()
    g = out["group_size"].astype("Float64")
    s = out["staff_in_room"].astype("Float64")
    out["babies_per_adult"] = (g / s).where(s > 0)
    meets = g <= EYFS_UNDER2_CHILDREN_PER_ADULT * s
    out["meets_eyfs_ratio"] = meets.astype("boolean")
    out["over_eyfs_ratio"] = (~meets).astype("boolean")
    rules = []
    if "staff_level3" in out.columns:
        l3 = out["staff_level3"].astype("Float64")
        out["rule_level3"] = (l3 >= 1).astype("boolean")
        rules.append("rule_level3")
        if "staff_level2" in out.columns:
            l2 = out["staff_level2"].astype("Float64")
            lead = l3.clip(upper=1)
            others = s - lead
            others_l2 = l2 + l3 - lead
            out["rule_half_others_level2"] = (2 * others_l2 >= others).astype("boolean")
            rules.append("rule_half_others_level2")
    if "staff_baby_trained" in out.columns:
        bt = out["staff_baby_trained"].astype("Float64")
        out["rule_half_baby_trained"] = (2 * bt >= s).astype("boolean")
        rules.append("rule_half_baby_trained")
    if len(rules) == 3:
        allr = out[rules[0]] & out[rules[1]] & out[rules[2]]
        out["rule_all"] = allr.astype("boolean")
    return out


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
        - ``rule_level3``, ``rule_half_others_level2``, ``rule_half_baby_trained``,
          ``rule_all``: the EYFS under-2 staffing rules, operationalised as in
          :func:`baby_room.reference.eyfs_under2_staffing_rules` (present when the staff
          columns are).

        ``attrs`` holds ``source``/``synthetic`` from the input and ``room_priority``,
        ``n_respondents``, ``n_rooms``, ``n_rooms_shared`` (rooms with more than one
        respondent) and ``n_rooms_conflicting`` (shared rooms whose respondents gave
        different non-missing values in any of ``group_size``, ``staff_in_room``,
        ``staff_level3``, ``staff_level2``, ``staff_baby_trained``).

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
    require_columns(data, [*ROOM_KEY, "group_size", "staff_in_room"], where="rooms")
    for col in CONFLICT_COLUMNS:
        if col in data.columns:
            dt = data[col].dtype
            if isinstance(dt, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dt):
                raise DesignError(
                    f"rooms: column {col!r} must hold whole numbers (a count of babies or "
                    f"staff); it has dtype {dt}. Load the survey with baby_room.load_survey, "
                    f"or convert with pd.to_numeric"
                )
    df = data.drop(columns=[c for c in _PERSONAL if c in data.columns])
    # rows with a missing setting or room id cannot be matched: each is its own room
    key = df[list(ROOM_KEY)].astype("string")
    unmatched = key.isna().any(axis=1)
    pos = pd.Series(np.arange(len(df)), index=df.index)
    room_key = key["setting_id"].fillna("") + "\x1f" + key["room_id"].fillna("")
    room_key = room_key.where(~unmatched, "\x1e" + pos.astype(str))
    order = pd.DataFrame(
        {"_room": room_key.to_numpy(), "_rank": _role_rank(df).to_numpy(), "_pos": pos.to_numpy()},
        index=df.index,
    )
    first_pos = order.groupby("_room", sort=False)["_pos"].transform("min")
    order = order.assign(_first=first_pos)
    ordered = order.sort_values(["_first", "_rank", "_pos"], kind="mergesort")
    chosen_idx = ordered.drop_duplicates("_room", keep="first").index
    counts = order.groupby("_room", sort=False).size()

    conflict_cols = [c for c in CONFLICT_COLUMNS if c in df.columns]
    shared = counts[counts > 1].index
    conflicting = pd.Series(False, index=shared)
    by_column = {}
    if len(shared):
        sub = df.loc[order["_room"].isin(shared)].assign(_room=order["_room"])
        for c in conflict_cols:
            nun = sub.groupby("_room", sort=False)[c].nunique(dropna=True)
            bad = nun.reindex(shared).fillna(0) > 1
            by_column[c] = int(bad.sum())
            conflicting |= bad
    table = df.loc[chosen_idx].copy()
    table["n_respondents"] = counts.reindex(order.loc[chosen_idx, "_room"]).to_numpy()
    table = _derive(table.reset_index(drop=True))
    carry_source(table, data)
    table.attrs.update(
        room_priority=" > ".join(ROLE_PRIORITY),
        n_respondents=len(df),
        n_rooms=len(table),
        n_rooms_shared=len(shared),
        n_rooms_conflicting=int(conflicting.sum()),
        conflicts_by_column=by_column,
    )
    return table


def room_conflicts(data: pd.DataFrame) -> pd.DataFrame:
    """How many rooms described by several respondents had conflicting answers, by column.

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
    >>> room_conflicts(df)[["column", "rooms_conflicting"]].to_numpy().tolist()
    [['group_size', 1], ['staff_in_room', 0], ['any', 1]]
    """
    table = rooms(data)
    a = table.attrs
    rows = [
        {"column": c, "rooms": a["n_rooms"], "rooms_shared": a["n_rooms_shared"],
         "rooms_conflicting": n}
        for c, n in a["conflicts_by_column"].items()
    ]
    if not rows:
        rows = [
            {"column": c, "rooms": a["n_rooms"], "rooms_shared": a["n_rooms_shared"],
             "rooms_conflicting": 0}
            for c in CONFLICT_COLUMNS
            if c in table.columns
        ]
    rows.append({"column": "any", "rooms": a["n_rooms"], "rooms_shared": a["n_rooms_shared"],
                 "rooms_conflicting": a["n_rooms_conflicting"]})
    out = pd.DataFrame(rows)
    out["column"] = out["column"].astype("string")
    return carry_source(out, data)


def room_design(data: pd.DataFrame | None = None, design=None, *, where: str = "room_design"):
    """The room table and a room-level design.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Respondent table (used when ``design`` is None).
    design : SurveyDesign, optional
        A design on the respondent table. Its weights, strata, clusters and fpc columns are
        carried to the room table through the chosen respondent (see :func:`rooms`); the same
        specification is then applied to the room table.
    where : str
        Caller name for error messages.

    Returns
    -------
    (pandas.DataFrame, SurveyDesign)
        The room table (:func:`rooms`) and the design on it (equal weights, SRS, when
        ``design`` is None).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": ["S1", "S1", "S2"], "room_id": ["R1", "R1", "R1"],
    ...                    "group_size": [12, 12, 6], "staff_in_room": [3, 3, 2]})
    >>> table, d = room_design(df)
    >>> len(table)
    2
    """
    if design is None:
        table = rooms(data)
        return table, _design_class()(table)
    _check_design(design, where)
    table = rooms(design.data.assign(design_weight=np.asarray(design.weights, dtype=float)))
    if data is not None:
        carry_source(table, data)
    spec = _design_spec(design)
    spec["weights"] = "design_weight"
    return table, _design_class()(table, **spec)


# --------------------------------------------------------------------------- tidy helpers


def _tidy(result: pd.DataFrame, by: list[str], **ids) -> pd.DataFrame:
    """Keep by columns + standard estimate columns, add identifier columns after by."""
    res = result.copy()
    res.attrs = {}  # the design copies data.attrs (which may hold frames); set again at the end
    if "level" in res.columns and "level" not in by and "level" not in ids:
        res = res.drop(columns="level")
    for c in EST_COLUMNS:
        if c not in res.columns:
            res[c] = np.nan
    out = res[[*by, *EST_COLUMNS]].copy()
    for pos, (name, value) in enumerate(ids.items()):
        out.insert(len(by) + pos, name, value)
    return out.reset_index(drop=True)


def _complete(out: pd.DataFrame, table: pd.DataFrame, by: list[str], ids: list[str]):
    """Add rows (n = 0, missing estimates) for categories of ``by`` with no data."""
    if not by:
        return out
    levels = []
    for b in by:
        col = table[b]
        if isinstance(col.dtype, pd.CategoricalDtype):
            levels.append(list(col.cat.categories))
        else:
            levels.append(list(pd.unique(col.dropna())))
    if len(by) == 1:
        full = pd.DataFrame({by[0]: levels[0]})
    else:
        full = pd.MultiIndex.from_product(levels, names=by).to_frame(index=False)
    id_frame = out[ids].drop_duplicates() if ids else pd.DataFrame(index=[0])
    grid = full.merge(id_frame, how="cross")
    key = [*by, *ids]
    left = out.copy()
    for b in by:
        left[b] = left[b].astype(object)
        grid[b] = grid[b].astype(object)
    merged = grid.merge(left, on=key, how="left")
    merged["n"] = merged["n"].fillna(0)
    for b in by:
        col = table[b]
        if isinstance(col.dtype, pd.CategoricalDtype):
            merged[b] = pd.Categorical(merged[b], categories=col.cat.categories,
                                       ordered=col.cat.ordered)
        else:
            merged[b] = merged[b].astype(col.dtype)
    return merged


def _finish(parts: list[pd.DataFrame], table, by, ids, data) -> pd.DataFrame:
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out = _complete(out, table, by, ids)
    for c in ("estimate", "se", "ci_low", "ci_high", "df", "deff"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["n"] = pd.to_numeric(out["n"], errors="coerce").fillna(0).astype("int64")
    for c in ids:
        if out[c].dtype == object:
            out[c] = out[c].astype("string")
    if "threshold" in out.columns:
        out["threshold"] = out["threshold"].astype("Int64")
    return carry_source(out.reset_index(drop=True), data)


def _share(design, var: str, by: list[str], **ids) -> pd.DataFrame:
    res = design.proportion(var, by=by or None)
    return _tidy(res, by, **ids)


def _plain(by: list[str], table: pd.DataFrame, func, **ids) -> pd.DataFrame:
    """A descriptive statistic (no CI) per by group: func(values, weights) -> (estimate, n)."""
    rows = []
    if by:
        groups = table.groupby(by, observed=True, sort=True, dropna=True)
        items = [((k,) if not isinstance(k, tuple) else k, g) for k, g in groups]
    else:
        items = [((), table)]
    for key, g in items:
        est, n = func(g)
        rows.append({**dict(zip(by, key, strict=True)), "estimate": est, "n": n})
    res = pd.DataFrame(rows, columns=[*by, "estimate", "n"])
    return _tidy(res, by, **ids)


# --------------------------------------------------------------------------- indicators


def group_size_summary(
    data: pd.DataFrame,
    *,
    by=None,
    design=None,
    thresholds=GROUP_SIZE_THRESHOLDS,
) -> pd.DataFrame:
    """Distribution of baby-room group size (babies per room), each room counted once.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table (one row per respondent; :func:`rooms` makes the room table).
    by : str or list of str, optional
        Subgroup column(s) of the room table (e.g. ``"region"``, ``"setting_type"``).
    design : SurveyDesign, optional
        Design on the respondent table (see :func:`room_design`); default equal weights, SRS.
    thresholds : sequence of int, default :data:`baby_room.reference.GROUP_SIZE_THRESHOLDS`
        Group sizes for the shares of rooms at or below / above (6-8 is the size the
        evidence review recommends: :data:`baby_room.reference.RECOMMENDED_GROUP_SIZE`).

    Returns
    -------
    pandas.DataFrame
        Long format, one row per ``by`` group and statistic; columns ``by...``,
        ``statistic``, ``threshold`` (Int64, for the shares only), ``estimate, se, ci_low,
        ci_high, df, n, deff``. ``n`` is the number of rooms with a known group size.
        Statistics:

        - ``rooms``: number of rooms (estimate = n);
        - ``mean``: design-based mean with t-interval (``SurveyDesign.mean``);
        - ``sd``: weighted standard deviation,
          sqrt(sum w (y - ybar)^2 / sum w * n / (n - 1)) (the sample SD with equal weights);
        - ``q1``, ``median``, ``q3``: ``SurveyDesign.quantile`` (CI as that method gives it);
        - ``min``, ``max``: smallest and largest group size observed;
        - ``share_at_or_below``, ``share_above``: share of rooms with group_size <= t and > t
          for each threshold t, with ``SurveyDesign.proportion`` CIs (logit).

    Notes
    -----
    Checked against ``scipy.stats.t.interval`` and ``statsmodels`` ``DescrStatsW`` (mean)
    and ``statsmodels.stats.proportion.proportion_confint`` (shares) on the room table in
    ``tests/test_survey_indicators.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEF"), "room_id": ["R1"] * 6,
    ...                    "group_size": [6, 8, 12, 14, 20, 18],
    ...                    "staff_in_room": [2, 3, 4, 4, 5, 6]})
    >>> t = group_size_summary(df, thresholds=(8,))
    >>> t.set_index("statistic").loc["mean", "estimate"].round(2)
    np.float64(13.0)
    >>> t["statistic"].tolist()[:4]
    ['rooms', 'mean', 'sd', 'q1']
    """
    by = _as_list(by)
    table, design_ = room_design(data, design, where="group_size_summary")
    require_columns(table, by, where="group_size_summary", parameter="by")
    try:
        thresholds = [int(t) for t in thresholds]
    except (TypeError, ValueError):
        raise DesignError(
            f"group_size_summary: thresholds must be a sequence of whole numbers; "
            f"got {thresholds!r}"
        ) from None
    g = table["group_size"].astype("Float64")
    extra = {}
    for t in thresholds:
        extra[f"_le_{t}"] = (g <= t).astype("boolean")
        extra[f"_gt_{t}"] = (g > t).astype("boolean")
    table_x = table.assign(**extra)
    design_x = _with_columns(design_, table_x)
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

    def ext(fn):
        def f(gr):
            y = gr["group_size"].dropna()
            return (float(fn(y)) if len(y) else np.nan), int(len(y))

        return f

    parts = [
        _plain(by, table_x, n_rooms, statistic="rooms", threshold=pd.NA),
        _tidy(design_x.mean("group_size", by=by or None), by, statistic="mean",
              threshold=pd.NA),
        _plain(by, table_x, sd, statistic="sd", threshold=pd.NA),
    ]
    for name, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
        res = design_x.quantile("group_size", q, by=by or None)
        if "q" in res.columns or "quantile" in res.columns:
            res = res.drop(columns=[c for c in ("q", "quantile") if c in res.columns])
        parts.append(_tidy(res, by, statistic=name, threshold=pd.NA))
    parts += [
        _plain(by, table_x, ext(np.min), statistic="min", threshold=pd.NA),
        _plain(by, table_x, ext(np.max), statistic="max", threshold=pd.NA),
    ]
    for t in thresholds:
        parts.append(_share(design_x, f"_le_{t}", by, statistic="share_at_or_below", threshold=t))
        parts.append(_share(design_x, f"_gt_{t}", by, statistic="share_above", threshold=t))
    out = _finish(parts, table, by, ["statistic", "threshold"], data)
    out.attrs.update({k: table.attrs[k] for k in ("n_rooms", "n_rooms_conflicting",
                                                   "room_priority")})
    return out


def ratio_summary(data: pd.DataFrame, *, by=None, design=None) -> pd.DataFrame:
    """Babies per adult and the share of rooms meeting the EYFS under-2 ratio (1:3).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    by : str or list of str, optional
        Subgroup column(s) of the room table.
    design : SurveyDesign, optional
        Design on the respondent table (see :func:`room_design`).

    Returns
    -------
    pandas.DataFrame
        Columns ``by...``, ``statistic``, ``estimate, se, ci_low, ci_high, df, n, deff``;
        statistics:

        - ``babies_per_adult``: ratio estimator sum(w * group_size) / sum(w * staff_in_room)
          (``SurveyDesign.ratio``, linearised SE);
        - ``share_meeting_eyfs_ratio``: share of rooms with group_size <= 3 x staff_in_room
          (:data:`baby_room.reference.EYFS_UNDER2_CHILDREN_PER_ADULT`);
        - ``share_over_eyfs_ratio``: share of rooms with more than 3 babies per adult.

        Rooms missing group size or staff are left out of each statistic.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCD"), "room_id": ["R1"] * 4,
    ...                    "group_size": [6, 9, 12, 13], "staff_in_room": [2, 3, 3, 4]})
    >>> r = ratio_summary(df).set_index("statistic")["estimate"]
    >>> round(float(r["babies_per_adult"]), 3), float(r["share_meeting_eyfs_ratio"])
    (3.333, 0.5)
    """
    by = _as_list(by)
    table, design_ = room_design(data, design, where="ratio_summary")
    require_columns(table, by, where="ratio_summary", parameter="by")
    parts = [
        _tidy(design_.ratio("group_size", "staff_in_room", by=by or None), by,
              statistic="babies_per_adult"),
        _share(design_, "meets_eyfs_ratio", by, statistic="share_meeting_eyfs_ratio"),
        _share(design_, "over_eyfs_ratio", by, statistic="share_over_eyfs_ratio"),
    ]
    out = _finish(parts, table, by, ["statistic"], data)
    out.attrs["eyfs_under2_children_per_adult"] = EYFS_UNDER2_CHILDREN_PER_ADULT
    return out


def workforce_summary(data: pd.DataFrame, *, by=None, design=None) -> pd.DataFrame:
    """Qualification mix, EYFS under-2 staffing rules met, and baby-specific CPD.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table with ``staff_in_room``, ``staff_level3``, ``staff_level2``,
        ``staff_baby_trained`` and ``cpd_baby_past_year``.
    by : str or list of str, optional
        Subgroup column(s) (in the room table for room statistics, in the respondent table
        for CPD).
    design : SurveyDesign, optional
        Design on the respondent table (see :func:`room_design`).

    Returns
    -------
    pandas.DataFrame
        Columns ``by...``, ``statistic``, ``unit`` (``staff``, ``room`` or ``respondent``),
        ``estimate, se, ci_low, ci_high, df, n, deff``; statistics:

        - ``share_staff_level3``, ``share_staff_level2``, ``share_staff_below_level2``
          (unit ``staff``): ratio estimators sum(level count) / sum(staff_in_room) over rooms
          (below Level 2 = staff_in_room - staff_level3 - staff_level2);
        - ``rule_level3``, ``rule_half_others_level2``, ``rule_half_baby_trained``,
          ``rule_all`` (unit ``room``): share of rooms meeting each EYFS under-2 staffing rule
          (:func:`baby_room.reference.eyfs_under2_staffing_rules`) and all three;
        - ``cpd_baby_past_year`` (unit ``respondent``): share of respondents with baby-specific
          CPD in the past 12 months (every respondent counted).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCD"), "room_id": ["R1"] * 4,
    ...                    "group_size": [6, 9, 12, 13], "staff_in_room": [2, 3, 4, 4],
    ...                    "staff_level3": [1, 0, 2, 1], "staff_level2": [1, 2, 1, 0],
    ...                    "staff_baby_trained": [1, 1, 2, 3],
    ...                    "cpd_baby_past_year": [True, False, False, True]})
    >>> w = workforce_summary(df).set_index("statistic")["estimate"]
    >>> float(w["rule_level3"]), float(w["rule_half_baby_trained"]), float(w["cpd_baby_past_year"])
    (0.75, 0.75, 0.5)
    """
    by = _as_list(by)
    table, design_ = room_design(data, design, where="workforce_summary")
    require_columns(
        table, ["staff_level3", "staff_level2", "staff_baby_trained", *by],
        where="workforce_summary",
    )
    s = table["staff_in_room"].astype("Float64")
    below = s - table["staff_level3"].astype("Float64") - table["staff_level2"].astype("Float64")
    design_x = _with_columns(design_, table.assign(_staff_below_level2=below))
    parts = []
    for name, col in (
        ("share_staff_level3", "staff_level3"),
        ("share_staff_level2", "staff_level2"),
        ("share_staff_below_level2", "_staff_below_level2"),
    ):
        parts.append(_tidy(design_x.ratio(col, "staff_in_room", by=by or None), by,
                           statistic=name, unit="staff"))
    for rule in ("rule_level3", "rule_half_others_level2", "rule_half_baby_trained", "rule_all"):
        parts.append(_share(design_x, rule, by, statistic=rule, unit="room"))
    out_rooms = _finish(parts, table, by, ["statistic", "unit"], data)
    resp = respondent_design(data, design, where="workforce_summary")
    require_columns(resp.data, ["cpd_baby_past_year", *by], where="workforce_summary")
    cpd = _finish(
        [_share(resp, "cpd_baby_past_year", by, statistic="cpd_baby_past_year",
                unit="respondent")],
        resp.data, by, ["statistic", "unit"], data,
    )
    out = pd.concat([out_rooms, cpd], ignore_index=True)
    for b in by:
        if isinstance(table[b].dtype, pd.CategoricalDtype):
            out[b] = pd.Categorical(out[b], categories=table[b].cat.categories,
                                    ordered=table[b].cat.ordered)
    return carry_source(out, data)


# --------------------------------------------------------------------------- comparisons


def association_test(data: pd.DataFrame, var1: str, var2: str, *, design=None,
                     unit: str = "respondent") -> pd.DataFrame:
    """Rao-Scott test of association between two categorical variables.

    A thin wrapper around ``SurveyDesign.chisq`` that picks the unit of analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    var1, var2 : str
        Categorical columns.
    design : SurveyDesign, optional
        Design on the respondent table.
    unit : {"respondent", "room"}
        Analyse respondents, or rooms (each counted once, :func:`room_design`).

    Returns
    -------
    pandas.DataFrame
        The table ``SurveyDesign.chisq`` returns (statistic, df, p-value ...).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEFGH"), "room_id": ["R1"] * 8,
    ...     "group_size": [6, 9, 12, 13, 7, 8, 20, 15], "staff_in_room": [2] * 8,
    ...     "cpd_baby_past_year": [True, False] * 4, "role": ["educator", "manager"] * 4})
    >>> t = association_test(df, "cpd_baby_past_year", "role")
    >>> len(t)
    1
    """
    d = _unit_design(data, design, unit, "association_test")
    require_columns(d.data, [var1, var2], where="association_test")
    return carry_source(d.chisq(var1, var2).copy(), data)


def means_test(data: pd.DataFrame, var: str, by: str, *, design=None,
               unit: str = "room") -> pd.DataFrame:
    """Design-based Wald test that the mean of ``var`` is equal across the groups of ``by``.

    A thin wrapper around ``SurveyDesign.wald_test_means``.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    var : str
        Numeric column (e.g. ``"group_size"``).
    by : str
        Grouping column (e.g. ``"region"``).
    design : SurveyDesign, optional
        Design on the respondent table.
    unit : {"room", "respondent"}
        Analyse rooms (each counted once) or respondents.

    Returns
    -------
    pandas.DataFrame
        The table ``SurveyDesign.wald_test_means`` returns.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": list("ABCDEFGH"), "room_id": ["R1"] * 8,
    ...     "group_size": [6, 9, 12, 13, 7, 8, 20, 15], "staff_in_room": [2] * 8,
    ...     "setting_type": ["private", "voluntary"] * 4})
    >>> len(means_test(df, "group_size", "setting_type"))
    1
    """
    d = _unit_design(data, design, unit, "means_test")
    require_columns(d.data, [var, by], where="means_test")
    return carry_source(d.wald_test_means(var, by).copy(), data)


def _unit_design(data, design, unit, where):
    if unit == "room":
        return room_design(data, design, where=where)[1]
    if unit == "respondent":
        return respondent_design(data, design, where=where)
    raise DesignError(f"{where}: unit must be 'respondent' or 'room'; got {unit!r}")


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
    d_z = _with_columns(design, table.assign(_contrast_score=z))
    tot = d_z.total("_contrast_score")
    return float(tot["se"].iloc[0]), float(tot["df"].iloc[0])


def compare_area(
    data: pd.DataFrame,
    *,
    area: str,
    level: str = "local_authority",
    design=None,
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
        Design on the respondent table (room indicators use :func:`room_design`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator (see :data:`AREA_INDICATORS`): ``indicator``, ``unit``,
        ``area_estimate``, ``area_ci_low``, ``area_ci_high``, ``area_n``,
        ``rest_estimate``, ``rest_ci_low``, ``rest_ci_high``, ``rest_n``, then for the
        difference (area - rest) ``estimate, se, ci_low, ci_high, df, p_value``.

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
    from scipy import stats

    if level not in ("local_authority", "region"):
        raise DesignError(
            f"compare_area: level must be 'local_authority' or 'region'; got {level!r}"
        )
    table, rdesign = room_design(data, design, where="compare_area")
    resp = respondent_design(data, design, where="compare_area")
    require_columns(resp.data, [level], where="compare_area", parameter="level")
    values = resp.data[level].astype("string")
    if not (values == area).any():
        avail = sorted(values.dropna().unique().tolist())
        shown = ", ".join(avail[:40]) + (" ..." if len(avail) > 40 else "")
        raise DesignError(
            f"compare_area: area {area!r} is not a value of {level!r}. Available: {shown}"
        )

    def domain_of(frame):
        v = frame[level].astype("string")
        return pd.Series(np.where(v.isna(), None, np.where(v == area, "area", "rest")),
                         index=frame.index, dtype="string")

    g = table["group_size"].astype("Float64")
    room_t = table.assign(_le_12=(g <= 12).astype("boolean"), _domain=domain_of(table))
    resp_t = resp.data.assign(_domain=domain_of(resp.data))
    designs = {"room": (_with_columns(rdesign, room_t), room_t),
               "respondent": (_with_columns(resp, resp_t), resp_t)}
    rows = []
    for name, unit, kind, cols in AREA_INDICATORS:
        d, t = designs[unit]
        needed = list(cols) if isinstance(cols, tuple) else [cols]
        if any(c not in t.columns for c in needed):
            continue
        if kind == "mean":
            res = d.mean(cols, by="_domain")
        elif kind == "ratio":
            res = d.ratio(cols[0], cols[1], by="_domain")
        else:
            res = d.proportion(cols, by="_domain")
        res = res.assign(_domain=res["_domain"].astype("string")).set_index("_domain")
        est = {k: (float(res.loc[k, "estimate"]) if k in res.index else np.nan)
               for k in ("area", "rest")}
        se, df_ = _domain_contrast(d, t, t["_domain"], kind, cols, est)
        diff = est["area"] - est["rest"]
        if np.isfinite(se) and se > 0 and np.isfinite(df_) and df_ > 0:
            tq = stats.t.ppf(0.975, df_)
            lo, hi = diff - tq * se, diff + tq * se
            p = float(2 * stats.t.sf(abs(diff / se), df_))
        else:
            lo = hi = p = np.nan
        row = {"indicator": name, "unit": unit}
        for k in ("area", "rest"):
            for c in ("estimate", "ci_low", "ci_high", "n"):
                row[f"{k}_{c}"] = res.loc[k, c] if k in res.index else (0 if c == "n" else np.nan)
        row.update(estimate=diff, se=se, ci_low=lo, ci_high=hi, df=df_, p_value=p)
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("indicator", "unit"):
        out[c] = out[c].astype("string")
    for c in ("area_n", "rest_n"):
        out[c] = pd.to_numeric(out[c]).astype("int64")
    out.attrs.update(area=area, level=level)
    return carry_source(out, data)


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
        Columns ``statistic``, ``value`` (float), ``published`` (the report's words, from
        :func:`baby_room.reference.published_survey_figures`). Statistics: ``respondents``,
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
    >>> published_figures(df).set_index("statistic").loc["babies_in_rooms", "value"]
    np.float64(39.0)
    """
    from baby_room.reference import published_survey_figures

    table = rooms(data)
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
    pub = published_survey_figures()
    out = pd.DataFrame({"statistic": list(values), "value": list(values.values())})
    out["statistic"] = out["statistic"].astype("string")
    out = out.merge(pub[["statistic", "published"]], on="statistic", how="left")
    return carry_source(out, data)
