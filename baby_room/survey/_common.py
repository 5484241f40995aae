"""Private helpers of :mod:`baby_room.survey`: designs for the indicators, and tidy results.

One design through everything: every public survey function takes ``design=`` and gets
its respondent-level design from :func:`respondent_design` and its room-level design from
:func:`room_level` (both check that the design was built on ``data``), and shapes its
result with :func:`tidy`, :func:`share` and :func:`finish` (``docs/result-contract.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import check_frame, result_attrs
from baby_room.errors import ArgumentError, DesignError
from baby_room.survey._rooms import build_rooms

#: The estimate block of a survey result, then the design effect.
EST_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "df", "n", "deff")


def survey_design_class():
    from baby_room.survey.design import SurveyDesign

    return SurveyDesign


def check_design(data, design, *, function: str):
    """``design`` when it is a SurveyDesign built on ``data`` (or None); else an error.

    ``data`` matches when it is the design's own table, or a table with the same index
    whose columns in common with the design's table are equal (e.g. ``design.data``
    with columns added). A design on other rows (a subset, another survey, the room
    table of these respondents) is a :class:`~baby_room.errors.DesignError`: results
    would silently describe the design's rows, not ``data``.

    Examples
    --------
    >>> from baby_room.survey.design import SurveyDesign
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0]})
    >>> d = SurveyDesign(df)
    >>> check_design(df.assign(z=1), d, function="f") is d
    True
    >>> try:
    ...     check_design(df.iloc[:2], d, function="f")
    ... except DesignError as e:
    ...     print(str(e).splitlines()[1])
    data has 2 rows, design.data has 4. Estimate subgroups from the full design with by=, or call f(design.data, design=design)
    """
    if design is None:
        return None
    cls = survey_design_class()
    if not isinstance(design, cls):
        raise ArgumentError(function, "design", "a baby_room.survey.SurveyDesign or None",
                            design)
    check_frame(data, function=function)
    own = design.data
    if data is own:
        return design
    common = [c for c in data.columns if c in own.columns]
    same = (len(data) == len(own) and data.index.equals(own.index) and bool(common)
            and all(data[c].equals(own[c]) for c in common))
    if not same:
        raise DesignError(
            function, "design", "a SurveyDesign built on data itself (the same rows)", design,
            hint=f"data has {len(data)} rows, design.data has {len(own)}"
                 + ("" if len(data) != len(own) else " (different rows or values)")
                 + ". Estimate subgroups from the full design with by=, or call "
                   f"{function}(design.data, design=design)",
        )
    return design


def describe_design(design) -> str:
    """One-line summary of a design for ``attrs["design"]``.

    Examples
    --------
    >>> describe_design(None)
    'SRS, equal weights'
    """
    if design is None:
        return "SRS, equal weights"
    spec = design.spec
    parts = [f"{k}={spec[k]}" for k in ("weights", "strata", "cluster", "fpc")
             if spec[k] is not None]
    for call in design.rake_calls:
        parts.append("raked on " + ", ".join(call["margins"]))
    return "; ".join(parts) or "SRS, equal weights"


def respondent_design(data, design=None, *, extra: dict | None = None, function: str):
    """The respondent-level design on ``data``, optionally with extra derived columns.

    ``SurveyDesign(data)`` (equal weights, SRS) when ``design`` is None; otherwise the same
    design (weights, raking, strata, clusters) with the extra columns
    (``DataFrame.assign`` semantics).

    Examples
    --------
    >>> df = pd.DataFrame({"group_size": [9, 12, 6, 13]})
    >>> d = respondent_design(df, extra={"big": lambda t: t["group_size"] > 10}, function="f")
    >>> float(d.proportion("big")["estimate"].iloc[0])
    0.5
    """
    design = check_design(data, design, function=function)
    if design is None:
        check_frame(data, function=function)
        return survey_design_class()(data.assign(**extra) if extra else data)
    if not extra:
        return design
    return design.with_data(design.data.assign(**extra))


def room_level(data, design=None, *, function: str):
    """The room table of ``data`` and the room-level design that carries ``design``.

    * ``design`` None: ``SurveyDesign(rooms)``, equal weights.
    * ``data`` already has one row per room (each respondent describes a different room):
      the design itself, weights, raking and all, on the room table.
    * Otherwise the design's weights *before raking*, strata, clusters and fpc are carried
      to the room table through the respondent chosen for each room, and every
      :meth:`~baby_room.survey.SurveyDesign.rake` call of the design is applied again, to
      the room table: raking margins are population totals of baby rooms, so the room
      weights meet them and the standard errors are those of R's ``rake()`` on the room
      design.

    Examples
    --------
    >>> from baby_room.survey.design import SurveyDesign
    >>> df = pd.DataFrame({"setting_id": ["S1", "S1", "S2", "S3"], "room_id": ["R1"] * 4,
    ...                    "region": ["A", "A", "A", "B"], "group_size": [9, 9, 6, 12],
    ...                    "staff_in_room": [3, 3, 2, 4]})
    >>> raked = SurveyDesign(df).rake({"region": {"A": 30, "B": 10}})
    >>> raked.weights.tolist()                        # respondents meet the margins
    [10.0, 10.0, 10.0, 10.0]
    >>> table, room = room_level(df, raked, function="f")
    >>> room.weights.tolist()                         # and so do the three rooms
    [15.0, 15.0, 10.0]
    """
    design = check_design(data, design, function=function)
    cls = survey_design_class()
    if design is None:
        table = build_rooms(data, function=function)
        return table, cls(table)
    resp = design.data
    if not resp.columns.is_unique:
        raise DesignError(function, "design", "a design on a table with unique column names",
                          design)
    table = build_rooms(resp.assign(design_weight=design.base_weights), function=function)
    table.attrs.update(result_attrs(data))
    if len(table) == len(resp):
        # one row per room already: the design is the room design
        table.index = resp.index
        return table, design.with_data(table)
    spec = design.spec
    spec["weights"] = "design_weight"
    room = cls(table, **spec)
    for call in design.rake_calls:
        try:
            room = room.rake(call["margins"], max_iter=call["max_iter"], tol=call["tol"],
                             trim=call["trim"])
        except DesignError as exc:
            raise DesignError(
                f"{function}: the design is raked, and raking the room table to the same "
                f"margins failed: {exc}"
            ) from exc
    return table, room


def domain_estimates(design, kind: str, cols, *, by: str, conf_level: float,
                     ci_method: str | None = None) -> pd.DataFrame:
    """One indicator per domain of ``by`` from the full design, indexed by domain.

    ``kind`` is ``"mean"`` (of ``cols``), ``"ratio"`` (``cols[0]`` / ``cols[1]``) or
    ``"proportion"`` (of ``cols``; ``ci_method`` when given, else the design's default).
    """
    if kind == "mean":
        res = design.mean(cols, by=by, conf_level=conf_level)
    elif kind == "ratio":
        res = design.ratio(cols[0], cols[1], by=by, conf_level=conf_level)
    else:
        options = {} if ci_method is None else {"ci_method": ci_method}
        res = design.proportion(cols, by=by, conf_level=conf_level, **options)
    return res.assign(**{by: res[by].astype("string")}).set_index(by)


def tidy(result: pd.DataFrame, by: list[str], **ids) -> pd.DataFrame:
    """Keep by columns + the estimate block; identifier columns go right after ``by``.

    Built as one frame from the columns' arrays (no attrs; index 0..n-1): column by
    column insertion cost about a millisecond per column, and the survey notebook makes
    some 180 of these.
    """
    n = len(result)
    columns = {b: result[b].array for b in by}
    for name, value in ids.items():
        # a scalar's dtype as insert() infers it, also for no rows
        columns[name] = (pd.Series([value] * max(n, 1)).array[:n] if np.ndim(value) == 0
                         else value)
    for c in EST_COLUMNS:
        columns[c] = result[c].array if c in result.columns else np.full(n, np.nan)
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def share(design, var: str, by: list[str], *, conf_level: float, ci_method: str,
          **ids) -> pd.DataFrame:
    """Tidy ``design.proportion(var)`` per ``by`` group."""
    res = design.proportion(var, by=by or None, ci_method=ci_method, conf_level=conf_level)
    return tidy(res, by, **ids)


def complete(out: pd.DataFrame, table: pd.DataFrame, by: list[str], ids: list[str]):
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


def finish(parts: list[pd.DataFrame], table, by, ids, data, **attrs) -> pd.DataFrame:
    """Stack tidy parts, complete empty groups, set dtypes and the contract's attrs."""
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out = complete(out, table, by, ids)
    for c in ("estimate", "se", "ci_low", "ci_high", "df", "deff"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["n"] = pd.to_numeric(out["n"], errors="coerce").fillna(0).astype("int64")
    for c in ids:
        if out[c].dtype == object:
            out[c] = out[c].astype("string")
    if "threshold" in out.columns:
        out["threshold"] = out["threshold"].astype("Int64")
    out = out.reset_index(drop=True)
    out.attrs = result_attrs(data, **attrs)
    return out
