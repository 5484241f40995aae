"""Model-based ("modelled") area estimates where direct ones are unreliable: Fay-Herriot.

For each area with respondents, the direct estimate of mean group size and of the share of
rooms meeting the EYFS under-2 ratio is shrunk toward a regression on area covariates
(:func:`baby_room.areas.fay_herriot.fay_herriot`, EBLUP with Prasad-Rao MSE). The sampling
variance of each direct estimate is smoothed, psi_i = S^2 / n_i, with S^2 the weighted
variance of the room values over England (for a share, p(1 - p)) and n_i the area's rooms:
a direct variance from 1-5 rooms is itself too noisy (often 0) to enter the model (Rao &
Molina 2015, section 6.4.1, on smoothing the sampling variances). Covariates are supplied
by the user, one row per area; without them the model uses the area's region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room.areas.fay_herriot import fay_herriot

__all__ = ["MODELLED_INDICATORS", "modelled_estimates"]

#: Indicators with a modelled estimate: (indicator, room column).
MODELLED_INDICATORS = (("mean_group_size", "group_size"),
                       ("share_meeting_eyfs_ratio", "meets_eyfs_ratio"))


def modelled_estimates(data: pd.DataFrame, direct: pd.DataFrame, *, level: str,
                       design=None, covariates: pd.DataFrame | None = None,
                       region_of: dict | None = None) -> pd.DataFrame:
    """Fay-Herriot estimates of the modelled indicators for every area with rooms.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table (the one the direct estimates came from).
    direct : pandas.DataFrame
        :func:`baby_room.areas.estimates.area_estimates` of ``data``.
    level : {"local_authority", "region"}
    design : SurveyDesign, optional
    covariates : pandas.DataFrame, optional
        One row per area: an ``area`` column and numeric or text covariates. None: the
        area's region (``region_of``), or a common mean at region level.
    region_of : dict, optional
        Area -> region, for the default covariate.

    Returns
    -------
    pandas.DataFrame
        ``area, indicator, direct, n, estimate, se, gamma, covariates`` (``estimate`` the
        EBLUP, ``se`` the root of its MSE).

    Examples
    --------
    >>> import baby_room as br
    >>> from baby_room.areas.estimates import area_estimates
    >>> s = br.synthetic.survey()
    >>> m = modelled_estimates(s, area_estimates(s, level="region"), level="region")
    >>> sorted(m["indicator"].unique())
    ['mean_group_size', 'share_meeting_eyfs_ratio']
    """
    from baby_room.survey._common import room_level

    table, rdesign = room_level(data, design, function="modelled_estimates")
    w = np.asarray(rdesign.weights, dtype=float)
    parts = []
    for indicator, column in MODELLED_INDICATORS:
        rows = direct[(direct["indicator"] == indicator) & (direct["area_n"] > 0)]
        y = pd.to_numeric(table[column].astype("Float64"), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        ok = ~np.isnan(y)
        mean = np.sum(w[ok] * y[ok]) / np.sum(w[ok])
        k = int(ok.sum())
        s2 = np.sum(w[ok] * (y[ok] - mean) ** 2) / np.sum(w[ok]) * k / (k - 1)
        frame = pd.DataFrame({
            "area": rows["area"].astype(str).to_numpy(),
            "estimate": rows["area_estimate"].to_numpy(dtype=float),
            "variance": s2 / rows["area_n"].to_numpy(dtype=float),
            "n": rows["area_n"].to_numpy(dtype=int),
        })
        if covariates is not None:
            frame = frame.merge(covariates, on="area", how="left")
            names = [c for c in covariates.columns if c != "area"]
        elif region_of and level == "local_authority":
            frame["region"] = frame["area"].map(region_of)
            names = ["region"]
        else:
            names = []
        try:
            fh = fay_herriot(frame, covariates=names)
        except Exception:  # too few areas for the covariates: fall back to a common mean
            names = []
            fh = fay_herriot(frame)
        parts.append(pd.DataFrame({
            "area": fh["area"], "indicator": indicator, "direct": fh["direct"],
            "n": frame["n"], "estimate": fh["estimate"], "se": fh["se"],
            "gamma": fh["gamma"], "covariates": ", ".join(names) or "none (common mean)",
        }))
    out = pd.concat(parts, ignore_index=True)
    out.attrs["method"] = ("Fay-Herriot EBLUP (REML), Prasad-Rao MSE; sampling variances "
                           "smoothed as S^2/n")
    return out
