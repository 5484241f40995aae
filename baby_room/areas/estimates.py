"""Every area's indicators beside the rest of England, in one pass over the full design.

:func:`area_estimates` gives, for every local authority (or region) at once, what
:func:`baby_room.survey.indicators.compare_area` gives for one: the area's estimate with its
interval and unweighted base, the rest of England's estimate, and the difference
area - rest with its design-based interval. The area estimates are the design's domain
estimates (``SurveyDesign.mean`` / ``ratio`` / ``proportion`` with ``by=`` the area); the
difference is linearised as in ``compare_area``: with d_a and d_r the area and rest
indicators, z_i = d_a,i (y_i - m_a x_i) / X_a - d_r,i (y_i - m_r x_i) / X_r (x_i = 1 for
means and shares), and Var(difference) = Var(sum_i w_i z_i) estimated by the design's own
``total`` (so strata, clusters, fpc and raking are respected; Var(a) + Var(r) - 2 Cov(a, r)).
One ``total`` per area and indicator instead of a full ``compare_area`` call makes 150
areas take seconds; ``tests/test_areas.py`` checks the numbers equal ``compare_area``'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import check_conf_level, check_frame, one_of
from baby_room.codebook import LIKERT_LEVELS, SURVEY

__all__ = ["ATTITUDE_ITEMS", "INDICATORS", "area_estimates"]

#: (indicator, unit, kind, column(s), label, format) in the order a briefing shows them.
INDICATORS = (
    ("mean_group_size", "room", "mean", "group_size", "Mean group size (babies per room)",
     "number"),
    ("share_rooms_12_or_fewer", "room", "share", "_le_12", "Rooms with 12 or fewer babies",
     "percent"),
    ("babies_per_adult", "room", "ratio", ("group_size", "staff_in_room"), "Babies per adult",
     "ratio"),
    ("share_meeting_eyfs_ratio", "room", "share", "meets_eyfs_ratio",
     "Rooms meeting the EYFS under-2 ratio (1:3)", "percent"),
    ("rule_level3", "room", "share", "rule_level3",
     "Rooms with at least one Level 3 practitioner", "percent"),
    ("rule_half_others_level2", "room", "share", "rule_half_others_level2",
     "Rooms where half of the other staff hold Level 2", "percent"),
    ("rule_half_baby_trained", "room", "share", "rule_half_baby_trained",
     "Rooms where half of the staff are trained for babies", "percent"),
    ("rule_all", "room", "share", "rule_all", "Rooms meeting all three staffing rules",
     "percent"),
    ("cpd_baby_past_year", "respondent", "share", "cpd_baby_past_year",
     "Respondents with baby-specific CPD in the past year", "percent"),
)
#: Likert items reported as the share who agree or strongly agree.
ATTITUDE_ITEMS = ("valued_by_manager", "valued_by_parents", "valued_by_society",
                  "confident_with_babies", "want_baby_training", "group_size_too_large")


def _indicators():
    rows = list(INDICATORS)
    for item in ATTITUDE_ITEMS:
        rows.append((f"agree_{item}", "respondent", "share", f"_agree_{item}",
                     f"Agree: {SURVEY[item].description.rstrip('.')}", "percent"))
    return rows


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.astype("Float64"), errors="coerce").to_numpy(dtype=float,
                                                                        na_value=np.nan)


def _yx(table, kind, cols):
    if kind == "ratio":
        y, x = _num(table[cols[0]]), _num(table[cols[1]])
        ok = ~np.isnan(y) & ~np.isnan(x)
    else:
        y = _num(table[cols])
        x = np.ones_like(y)
        ok = ~np.isnan(y)
    return np.where(ok, y, 0.0), np.where(ok, x, 0.0), ok


def area_estimates(data: pd.DataFrame, *, level: str = "local_authority", design=None,
                   conf_level: float = 0.95) -> pd.DataFrame:
    """Each area's indicators, the rest of England's, and the difference, from the full design.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table; ``level`` names the area column (rows where it is missing are in
        the rest of England of every area).
    level : {"local_authority", "region"}
        The area column.
    design : SurveyDesign, optional
        Design on ``data``; None: simple random sample, equal weights.
    conf_level : float, default 0.95
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per area and indicator (:data:`INDICATORS` and the agreement shares of
        :data:`ATTITUDE_ITEMS`): ``area, indicator, label, unit, format, area_estimate,
        area_ci_low, area_ci_high, area_n, rest_estimate, rest_n``, then for the difference
        area - rest ``estimate, se, ci_low, ci_high, df, p_value``.

    Examples
    --------
    >>> import baby_room as br
    >>> e = area_estimates(br.synthetic.survey(), level="region")
    >>> row = e[(e["area"] == "London") & (e["indicator"] == "mean_group_size")].iloc[0]
    >>> round(float(row["area_estimate"]), 2), int(row["area_n"])
    (12.81, 54)
    """
    from baby_room.survey._common import domain_estimates, respondent_design, room_level
    from baby_room.survey._intervals import t_quantile, t_sf

    fn = "area_estimates"
    check_frame(data, function=fn, columns=[level])
    one_of(level, ("local_authority", "region"), function=fn, parameter="level")
    conf_level = check_conf_level(conf_level, function=fn)
    room_t, rdesign = room_level(data, design, function=fn)
    resp = respondent_design(data, design, function=fn)
    g = room_t["group_size"].astype("Float64")
    room_t = room_t.assign(_le_12=(g <= 12).astype("boolean"),
                           _area=room_t[level].astype("string"))
    extra = {"_area": resp.data[level].astype("string")}
    agree = set(LIKERT_LEVELS[-2:])
    for item in ATTITUDE_ITEMS:
        if item in resp.data.columns:
            v = resp.data[item]
            extra[f"_agree_{item}"] = v.astype(object).isin(agree).astype("boolean").mask(v.isna())
    resp_t = resp.data.assign(**extra)
    designs = {"room": (rdesign.with_data(room_t), room_t),
               "respondent": (resp.with_data(resp_t), resp_t)}
    areas = sorted(pd.concat([room_t["_area"], resp_t["_area"]]).dropna().unique())
    rows = []
    for name, unit, kind, cols, label, fmt in _indicators():
        d, t = designs[unit]
        needed = list(cols) if isinstance(cols, tuple) else [cols]
        if any(c not in t.columns for c in needed):
            continue
        res = domain_estimates(d, kind, cols, by="_area", conf_level=conf_level)
        y, x, ok = _yx(t, kind, cols)
        w = np.asarray(d.weights, dtype=float)
        codes, uniques = pd.factorize(t["_area"])  # missing area: -1, in every rest
        code_of = {u: i for i, u in enumerate(uniques)}
        scores, meta = {}, []
        for a in areas:
            in_a = codes == code_of.get(a, -2)
            d_a, d_r = ok & in_a, ok & ~in_a
            xa, xr = np.sum(w[d_a] * x[d_a]), np.sum(w[d_r] * x[d_r])
            est_a = np.sum(w[d_a] * y[d_a]) / xa if xa > 0 else np.nan
            est_r = np.sum(w[d_r] * y[d_r]) / xr if xr > 0 else np.nan
            k = len(meta)
            if np.isfinite(est_a) and np.isfinite(est_r):
                z = np.zeros(len(t))
                z[d_a] += (y[d_a] - est_a * x[d_a]) / xa
                z[d_r] -= (y[d_r] - est_r * x[d_r]) / xr
                scores[f"_z{k}"] = z
            meta.append((a, est_a, est_r, int(d_r.sum())))
        dz = d.with_data(pd.concat([t, pd.DataFrame(scores, index=t.index)], axis=1))
        se = np.full(len(meta), np.nan)
        df_ = np.full(len(meta), np.nan)
        for k in range(len(meta)):
            if f"_z{k}" in scores:
                tot = dz.total(f"_z{k}")
                se[k], df_[k] = float(tot["se"].iloc[0]), float(tot["df"].iloc[0])
        diff = np.array([m[1] - m[2] for m in meta], dtype=float)
        good = np.isfinite(se) & (se > 0) & np.isfinite(df_) & (df_ > 0)
        dfs = np.where(good, df_, 1.0)
        tq = np.where(good, t_quantile(0.5 + conf_level / 2, dfs), np.nan)
        lo, hi = diff - tq * se, diff + tq * se
        with np.errstate(divide="ignore", invalid="ignore"):
            pv = np.where(good, 2 * t_sf(np.abs(diff / se), dfs), np.nan)
        lo, hi = np.where(good, lo, np.nan), np.where(good, hi, np.nan)
        res_rows = res.to_dict("index")
        for k, (a, _est_a, est_r, n_r) in enumerate(meta):
            r = res_rows.get(a)
            rows.append({
                "area": a, "indicator": name, "label": label, "unit": unit, "format": fmt,
                "area_estimate": np.nan if r is None else float(r["estimate"]),
                "area_ci_low": np.nan if r is None else float(r["ci_low"]),
                "area_ci_high": np.nan if r is None else float(r["ci_high"]),
                "area_n": 0 if r is None else int(r["n"]),
                "rest_estimate": est_r, "rest_n": n_r,
                "estimate": diff[k], "se": se[k], "ci_low": lo[k], "ci_high": hi[k],
                "df": df_[k], "p_value": float(pv[k]),
            })
    out = pd.DataFrame(rows)
    for c in ("area", "indicator", "label", "unit", "format"):
        out[c] = out[c].astype("string")
    out.attrs.update(level=level, conf_level=conf_level)
    return out
