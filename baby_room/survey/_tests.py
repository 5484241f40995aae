r"""Private helpers of :mod:`baby_room.survey.design`: design-based tests.

:func:`rao_scott` is the Rao & Scott (1984) second-order corrected test of independence
of two categorical columns, as R ``survey``'s ``svychisq(statistic="F")``;
:func:`wald_means` the design-based Wald F test of equal domain means, as R's
``svyttest`` (two groups) and ``regTermTest(svyglm(y ~ g), ~g)``. Both are called by the
:class:`~baby_room.survey.design.SurveyDesign` methods ``chisq`` and ``wald_test_means``,
whose docstrings give the formulas; they use the design's variance engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room.errors import DesignError
from baby_room.survey import _linearization as _lin
from baby_room.survey._format import fmt_list as _fmt_list
from baby_room.survey._intervals import f_sf, t_quantile


def rao_scott(design, var1: str, var2: str) -> pd.DataFrame:
    """Rao-Scott F test of independence (see ``SurveyDesign.chisq``)."""
    design._check_column(var1, "var1")
    design._check_column(var2, "var2")
    s1, s2 = design._data[var1], design._data[var2]
    ok = ~(s1.isna().to_numpy() | s2.isna().to_numpy())
    c1, l1 = pd.factorize(s1[ok], sort=True)
    c2, l2 = pd.factorize(s2[ok], sort=True)
    r, c = len(l1), len(l2)
    if r < 2 or c < 2:
        raise DesignError(
            f"chisq() needs at least two observed categories in each column; {var1!r} has "
            f"{r} ({_fmt_list(list(l1))}) and {var2!r} has {c} ({_fmt_list(list(l2))})"
        )
    rows = np.flatnonzero(ok)
    cell = c1.astype(np.int64) + r * c2.astype(np.int64)
    k = r * c
    w = design._w[rows]
    wsum = w.sum()
    p = np.bincount(cell, weights=w, minlength=k) / wsum
    x = np.zeros((design._n, k))
    x[rows] = -(w / wsum)[:, None] * p[None, :]
    x[rows, cell] += w / wsum
    v = design._variance(_lin.Scores(design._n, k, dense=x), diag=False)
    n_total = float(design._n)
    table = (p * n_total).reshape(c, r).T
    expected = np.outer(table.sum(1), table.sum(0)) / n_total
    x2 = float(np.sum((table - expected) ** 2 / expected))
    # design matrices of R's svychisq on expand.grid(rows, cols) (rows fastest)
    ri = np.tile(np.arange(r), c)
    ci = np.repeat(np.arange(c), r)
    rd = (ri[:, None] == np.arange(1, r)[None, :]).astype(float)
    cd = (ci[:, None] == np.arange(1, c)[None, :]).astype(float)
    x1 = np.hstack([np.ones((k, 1)), rd, cd])
    inter = (rd[:, :, None] * cd[:, None, :]).reshape(k, -1, order="F")
    cmat = inter - x1 @ np.linalg.lstsq(x1, inter, rcond=None)[0]
    idm = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = cmat.T @ (idm[:, None] / n_total * cmat)
    numr = (cmat * idm[:, None]).T @ v @ (idm[:, None] * cmat)
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    nu = design.df
    stat = x2 / tr
    out = pd.DataFrame({
        "statistic": [stat],
        "ndf": [d0],
        "ddf": [d0 * nu],
        "p_value": [float(f_sf(stat, d0, d0 * nu))],
        "chisq": [x2],
        "mean_deff": [tr / ((r - 1) * (c - 1))],
        "n": [int(ok.sum())],
        "method": ["Rao-Scott F (second-order)"],
    })
    out.attrs = design._attrs()
    return out


def wald_means(design, var: str, by, *, conf_level: float = 0.95,
               contrasts: bool = False) -> pd.DataFrame:
    """Wald F test of equal domain means (see ``SurveyDesign.wald_test_means``).

    With ``contrasts`` the result has one row per group after the first (the reference):
    the difference of its mean from the reference mean with SE
    :math:`\\sqrt{V_{jj} + V_{11} - 2V_{1j}}` from the covariance of the domain means, a
    t interval with the test's denominator df, and ``n`` the rows of the two groups; the
    joint F test of all differences is repeated on every row.
    """
    alpha = design._alpha(conf_level)
    if by is None:
        raise DesignError("wald_test_means() needs by= (the column that defines the groups)")
    y = design._numeric(var)
    rows, d, ok, _, labels, n_dom = design._prepare(y, by)
    n_rows = np.bincount(d, minlength=n_dom)
    present = np.flatnonzero(n_rows > 0)
    if present.size < 2:
        raise DesignError(
            f"wald_test_means() needs at least two groups with data in by={by!r}; "
            f"found {present.size}"
        )
    remap = np.full(n_dom, -1, dtype=np.int64)
    remap[present] = np.arange(present.size)
    dd = remap[d]
    kk = present.size
    w = design._w[rows]
    wsum = np.bincount(dd, weights=w, minlength=kk)
    est = np.bincount(dd, weights=w * y[rows], minlength=kk) / wsum
    u = w * (y[rows] - est[dd]) / wsum[dd]
    v = design._variance(_lin.Scores.sparse(design._n, kk, rows, dd, u), diag=False)
    cm = np.hstack([-np.ones((kk - 1, 1)), np.eye(kk - 1)])
    beta = cm @ est
    vb = cm @ v @ cm.T
    k = kk - 1
    stat = float(beta @ np.linalg.solve(vb, beta)) / k
    _, psus, strata = _lin.domain_counts(design._psu, design._stratum, ok, np.zeros(design._n,
                                         dtype=np.int64), 1, design._n_psu, design._n_strata)
    ddf = int(psus[0] - strata[0]) - k
    lab = labels.iloc[present].astype(str).agg(", ".join, axis=1).tolist()
    p_value = float(f_sf(stat, k, ddf)) if ddf > 0 else np.nan
    t = float(t_quantile(1 - alpha / 2, ddf)) if ddf > 0 else np.nan
    se_all = np.sqrt(np.diag(vb))
    if contrasts:
        rows_j = range(k)
    elif k == 1:
        rows_j = [0]
    else:
        rows_j = None
    if rows_j is None:
        contrast, estimate, se, n_used = [f"equal means ({kk} groups)"], [np.nan], [np.nan], [
            int(rows.size)]
    else:
        contrast = [f"{lab[j + 1]} - {lab[0]}" for j in rows_j]
        estimate = [float(beta[j]) for j in rows_j]
        se = [float(se_all[j]) for j in rows_j]
        n_grp = np.bincount(dd, minlength=kk)
        n_used = [int(n_grp[0] + n_grp[j + 1]) for j in rows_j]
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    m = len(contrast)
    out = pd.DataFrame({
        "contrast": contrast,
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - t * se,
        "ci_high": estimate + t * se,
        "statistic": [stat] * m,
        "ndf": [k] * m,
        "ddf": [ddf] * m,
        "p_value": [p_value] * m,
        "n": n_used,
        "method": ["Design-based Wald F"] * m,
    })
    out.attrs = design._attrs()
    return out
