"""Area-level Fay-Herriot model: EBLUP of area means with Prasad-Rao MSE (REML).

For a local authority with few respondents the direct estimate is too noisy to read. The
Fay-Herriot model borrows strength from the other areas:

    direct_i = theta_i + e_i,   e_i ~ N(0, psi_i)  (psi_i the known sampling variance)
    theta_i  = x_i' beta + v_i, v_i ~ N(0, sigma2_v)

The EBLUP is the direct estimate shrunk toward the regression prediction,

    theta_i = gamma_i direct_i + (1 - gamma_i) x_i' beta,   gamma_i = sigma2_v / (sigma2_v + psi_i),

with beta the GLS estimate and sigma2_v estimated by REML with Fisher scoring, truncated
at 0. Its MSE is the Prasad-Rao second-order approximation for REML,
mse_i = g1_i + g2_i + 2 g3_i, with g1 = gamma psi, g2 = (1 - gamma)^2 x' (X' V^-1 X)^-1 x,
g3 = (1 - gamma)^2 / (sigma2_v + psi) * 2 / sum_j (sigma2_v + psi_j)^-2.

Reference: Rao, J.N.K. and Molina, I. (2015), *Small Area Estimation*, 2nd ed., Wiley,
sections 6.1-6.2 (eqs. 6.1.10-6.1.13 for REML Fisher scoring, 6.2.1-6.2.3 for the MSE).
Checked against ``samplics`` 0.6.1 (``EblupAreaModel(method="REML")``) in
``tests/test_fay_herriot.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import check_frame
from baby_room.errors import ArgumentError, ConvergenceError

__all__ = ["fay_herriot"]


def _design_matrix(frame: pd.DataFrame, covariates) -> np.ndarray:
    """Intercept plus covariates; a text/categorical covariate becomes dummy columns."""
    cols = [np.ones(len(frame))]
    for c in covariates:
        s = frame[c]
        if pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype):
            cols.append(s.to_numpy(dtype=float))
        else:
            levels = sorted(pd.Series(s, dtype="string").dropna().unique())
            for lev in levels[1:]:
                cols.append((s.astype("string") == lev).to_numpy(dtype=float))
    x = np.column_stack(cols)
    # drop columns that are all zero (a level with no area) and keep full rank
    x = x[:, np.abs(x).sum(axis=0) > 0]
    return x


def _reml(y, x, psi, *, tol=1e-10, max_iter=200):
    """REML estimate of sigma2_v by Fisher scoring (Rao & Molina 2015, eq. 6.1.10)."""
    sigma2 = max(float(np.var(y, ddof=x.shape[1]) - np.mean(psi)), 1e-6 * np.mean(psi) + 1e-12)
    for it in range(1, max_iter + 1):
        vinv = 1.0 / (sigma2 + psi)
        xv = x * vinv[:, None]
        a = np.linalg.inv(x.T @ xv)
        p = np.diag(vinv) - xv @ a @ xv.T
        py = p @ y
        score = -0.5 * np.trace(p) + 0.5 * py @ py
        info = 0.5 * np.sum(p * p.T)
        new = sigma2 + score / info
        if new <= 0:
            new = 0.0
        if abs(new - sigma2) <= tol * max(1.0, abs(sigma2)):
            return new, it
        if new == 0.0 and sigma2 == 0.0:
            return 0.0, it
        sigma2 = new
    raise ConvergenceError(f"fay_herriot: REML did not converge in {max_iter} iterations")


def fay_herriot(data: pd.DataFrame, *, estimate: str = "estimate", variance: str = "variance",
                covariates=(), area: str = "area") -> pd.DataFrame:
    """Fay-Herriot EBLUP of each area's value with its Prasad-Rao MSE ("modelled" estimates).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per area: the direct estimate, its sampling variance (> 0) and the area
        covariates.
    estimate, variance : str
        Columns of the direct estimate and of its sampling variance psi_i.
    covariates : sequence of str
        Area-level covariates (numeric, or text/categorical as dummies, e.g. ``region``);
        an intercept is always included. Empty: the model is a common mean.
    area : str
        Column naming the area.

    Returns
    -------
    pandas.DataFrame
        ``area, direct, direct_variance, estimate, mse, se, gamma, synthetic, g1, g2, g3``
        (``estimate`` the EBLUP, ``se`` = sqrt(mse), ``synthetic`` = x' beta), with attrs
        ``sigma2_v``, ``iterations``, ``method`` ("REML Fisher scoring; Prasad-Rao MSE").

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"area": list("ABCDEF"), "estimate": [10., 12, 15, 11, 14, 9],
    ...                   "variance": [4., 1, 9, 2, 1, 6]})
    >>> fh = fay_herriot(d)
    >>> fh[["area", "estimate"]].round(3).head(2).to_dict("records")
    [{'area': 'A', 'estimate': 11.572}, {'area': 'B', 'estimate': 12.023}]
    """
    covariates = list(covariates)
    check_frame(data, function="fay_herriot", columns=[area, estimate, variance, *covariates])
    y = pd.to_numeric(data[estimate]).to_numpy(dtype=float)
    psi = pd.to_numeric(data[variance]).to_numpy(dtype=float)
    bad = ~np.isfinite(y) | ~np.isfinite(psi) | (psi <= 0)
    if bad.any():
        shown = data.loc[bad, area].astype(str).tolist()[:10]
        raise ArgumentError("fay_herriot", "data",
                            "a finite direct estimate and a positive sampling variance for "
                            "every area", f"areas {shown}")
    x = _design_matrix(data, covariates)
    if np.linalg.matrix_rank(x) < x.shape[1] or len(y) <= x.shape[1]:
        raise ArgumentError("fay_herriot", "covariates",
                            "covariates giving a full-rank model with more areas than terms",
                            covariates)
    sigma2, iterations = _reml(y, x, psi)
    v = sigma2 + psi
    vinv = 1.0 / v
    a = np.linalg.inv(x.T @ (x * vinv[:, None]))
    beta = a @ (x.T @ (vinv * y))
    synth = x @ beta
    gamma = sigma2 / v
    eblup = gamma * y + (1 - gamma) * synth
    g1 = gamma * psi
    g2 = (1 - gamma) ** 2 * np.einsum("ij,jk,ik->i", x, a, x)
    g3 = (1 - gamma) ** 2 / v * (2.0 / np.sum(vinv**2))
    mse = g1 + g2 + 2 * g3
    out = pd.DataFrame({
        "area": data[area].to_numpy(), "direct": y, "direct_variance": psi,
        "estimate": eblup, "mse": mse, "se": np.sqrt(mse), "gamma": gamma,
        "synthetic": synth, "g1": g1, "g2": g2, "g3": g3,
    })
    out.attrs.update(sigma2_v=float(sigma2), iterations=int(iterations),
                     method="Fay-Herriot EBLUP; REML (Fisher scoring); Prasad-Rao MSE",
                     covariates=", ".join(covariates) or "none (common mean)")
    return out
