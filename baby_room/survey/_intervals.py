r"""Private helpers of :mod:`baby_room.survey.design`: confidence intervals.

:func:`proportion_ci` gives the survey intervals of a proportion from its estimate,
standard error, design degrees of freedom and number of rows; the formulas are in the
docstring of :mod:`baby_room.survey.design` ("Proportion intervals") and follow R
``survey``'s ``svyciprop`` (Korn & Graubard 1998; Dean & Pagano 2015).
:func:`t_critical` is the two-sided t quantile with the design df. The t, normal, F and
beta distribution functions here are the ``scipy.special`` functions scipy.stats calls,
checked against scipy.stats in ``tests/test_survey_design.py``: importing scipy.stats
costs about a second in every process.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def t_quantile(q, df):
    """Quantile of Student's t with ``df`` degrees of freedom: ``scipy.stats.t.ppf(q, df)``.

    Computed by the same special function scipy.stats calls (``scipy.special.stdtrit``),
    without importing ``scipy.stats``, which costs about a second in every process and
    tens of microseconds of argument checking per call; each distinct ``(q, df)`` pair is
    inverted once per process.

    Examples
    --------
    >>> round(float(t_quantile(0.975, 10)), 4)
    2.2281
    """
    q_, df_ = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(df, dtype=float))
    if q_.ndim == 0:
        return np.float64(_stdtrit(float(df_), float(q_)))
    # a few distinct (q, df) pairs over many domains: each inverted once
    pairs = zip(q_.ravel().tolist(), df_.ravel().tolist(), strict=True)
    return np.array([_stdtrit(d, p) for p, d in pairs], dtype=float).reshape(q_.shape)


@lru_cache(maxsize=1024)
def _stdtrit(df: float, q: float) -> float:
    """``scipy.special.stdtrit`` for one pair, kept: it inverts the t distribution by
    iteration (about 1.5 ms at a design's few hundred df), and an analysis asks for the
    same design df over and over. At the edges it answers as ``scipy.stats.t.ppf``:
    ``-inf`` at 0, ``inf`` at 1, NaN outside [0, 1] or where df is not positive
    (``stdtrit`` itself gives ``inf`` at 0)."""
    from scipy import special

    if not (0.0 <= q <= 1.0 and df > 0):
        return float("nan")
    if q in (0.0, 1.0):
        return float("inf") if q else float("-inf")
    return float(special.stdtrit(df, q))


def t_sf(x, df):
    """Upper tail of Student's t, ``scipy.stats.t.sf(x, df)`` (``scipy.special.stdtr``).

    Examples
    --------
    >>> round(float(2 * t_sf(2.2281389, 10)), 4)
    0.05
    """
    from scipy import special

    return special.stdtr(df, -np.asarray(x, dtype=float))


def normal_quantile(q):
    """Standard normal quantile, ``scipy.stats.norm.ppf(q)`` (``scipy.special.ndtri``).

    Examples
    --------
    >>> round(float(normal_quantile(0.975)), 4)
    1.96
    """
    from scipy import special

    return special.ndtri(q)


def normal_sf(x):
    """Standard normal upper tail, ``scipy.stats.norm.sf(x)`` (``scipy.special.ndtr(-x)``).

    Examples
    --------
    >>> round(float(2 * normal_sf(1.959963984540054)), 6)
    0.05
    """
    from scipy import special

    return special.ndtr(-np.asarray(x, dtype=float))


def f_sf(x, dfn, dfd):
    """Upper tail of the F distribution, ``scipy.stats.f.sf(x, dfn, dfd)``.

    ``scipy.special.fdtrc``, the function scipy.stats calls, with scipy.stats' rules at
    the edges: NaN unless both df are positive, 1 at ``x <= 0``, 0 at ``x = inf``.

    Examples
    --------
    >>> round(float(f_sf(3.0, 2, 20)), 4)
    0.0725
    """
    from scipy import special

    x, dfn, dfd = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, dfn, dfd)))
    ok = (dfn > 0) & (dfd > 0) & ~np.isnan(x)
    inside = ok & (x > 0) & (x < np.inf)
    with np.errstate(invalid="ignore"):
        p = special.fdtrc(np.where(inside, dfn, 1.0), np.where(inside, dfd, 1.0),
                          np.where(inside, x, 1.0))
    return np.where(inside, p, np.where(ok, np.where(x <= 0, 1.0, 0.0), np.nan))[()]


def f_isf(q, dfn, dfd):
    """Upper-tail quantile of F, ``scipy.stats.f.isf(q, dfn, dfd)``.

    The ``1 - q`` quantile from ``scipy.special.fdtri``, as scipy.stats computes it, with its
    rules at the edges: NaN unless both df are positive and ``0 <= q <= 1``; ``inf`` at
    ``q = 0`` and 0 at ``q = 1``.

    Examples
    --------
    >>> round(float(f_isf(0.05, 2, 20)), 4)
    3.4928
    """
    from scipy import special

    q, dfn, dfd = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q, dfn, dfd)))
    ok = (dfn > 0) & (dfd > 0) & (q >= 0) & (q <= 1)
    inside = ok & (q > 0) & (q < 1)
    with np.errstate(invalid="ignore"):
        x = special.fdtri(np.where(inside, dfn, 1.0), np.where(inside, dfd, 1.0),
                          1.0 - np.where(inside, q, 0.5))
    return np.where(inside, x, np.where(ok, np.where(q == 0, np.inf, 0.0), np.nan))[()]


def beta_quantile(q, a, b):
    """Quantile of the beta distribution, ``scipy.stats.beta.ppf(q, a, b)``
    (``scipy.special.betaincinv``, the same Boost routine scipy.stats calls).

    Examples
    --------
    >>> round(float(beta_quantile(0.025, 3, 8)), 4)
    0.0667
    """
    from scipy import special

    return special.betaincinv(a, b, q)


def t_critical(alpha, df):
    """Two-sided critical value :math:`t_{df, 1-\alpha/2}`; NaN where df <= 0.

    Examples
    --------
    >>> round(float(t_critical(0.05, 10)), 4)
    2.2281
    """
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, t_quantile(1 - alpha / 2, np.where(df > 0, df, 1)), np.nan)


def proportion_ci(p, se, df, n, method, alpha, clip=True, logit_fallback=False):
    """Confidence limits for proportions (vectorised over domains).

    With ``logit_fallback`` the ``"logit"`` interval of an estimate of exactly 0 or 1
    (where its width is zero) is replaced by the Korn-Graubard interval, which there is
    :math:`[0, 1 - (\alpha/2)^{1/n^*}]` (resp. its mirror) at the effective sample size
    :math:`n^* = n (t_{n-1}/t_{df})^2`.

    Examples
    --------
    >>> lo, hi = proportion_ci([0.0], [0.0], [9], [10], "logit", 0.05, logit_fallback=True)
    >>> float(lo[0]), round(float(hi[0]), 4)
    (0.0, 0.3085)
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    df = np.asarray(df, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = t_critical(alpha, df)
        if method == "wald":
            return p - t * se, p + t * se
        if method == "logit":
            eta = np.log(p / (1 - p))
            s = se / (p * (1 - p))
            lo = 1 / (1 + np.exp(-(eta - t * s)))
            hi = 1 / (1 + np.exp(-(eta + t * s)))
            degenerate = se == 0
            if logit_fallback and np.any(degenerate & ((p == 0) | (p == 1))):
                # at 0 or 1 the logit interval has zero width: Korn-Graubard instead
                kg_lo, kg_hi = proportion_ci(p, se, df, n, "korn-graubard", alpha)
                edge = degenerate & ((p == 0) | (p == 1))
                lo = np.where(edge, kg_lo, lo)
                hi = np.where(edge, kg_hi, hi)
                degenerate = degenerate & ~edge
            return np.where(degenerate, p, lo), np.where(degenerate, p, hi)
        if method == "asin":
            a = np.arcsin(np.sqrt(p))
            s = se / (2 * np.sqrt(p * (1 - p)))
            lo_a, hi_a = a - t * s, a + t * s
            if clip:
                lo_a = np.clip(lo_a, 0, np.pi / 2)
                hi_a = np.clip(hi_a, 0, np.pi / 2)
            lo, hi = np.sin(lo_a) ** 2, np.sin(hi_a) ** 2
            degenerate = se == 0
            return np.where(degenerate, p, lo), np.where(degenerate, p, hi)
        # effective sample size methods
        n_eff = np.where(se > 0, p * (1 - p) / se**2, n)
        if method in ("korn-graubard", "beta"):
            ratio = np.where(
                (df > 0) & (n > 1),
                t_quantile(alpha / 2, np.where(n > 1, n - 1, 1))
                / t_quantile(alpha / 2, np.where(df > 0, df, 1)),
                np.nan,
            )
            n_eff = n_eff * ratio**2
        if method == "wilson":
            z = normal_quantile(1 - alpha / 2)
            denom = 1 + z**2 / n_eff
            centre = (p + z**2 / (2 * n_eff)) / denom
            half = z * np.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2)) / denom
            return centre - half, centre + half
        # Clopper-Pearson / Korn-Graubard
        x = n_eff * p
        lo = np.where(p <= 0, 0.0, beta_quantile(alpha / 2, x, n_eff - x + 1))
        hi = np.where(p >= 1, 1.0, beta_quantile(1 - alpha / 2, x + 1, n_eff - x))
        bad = np.isnan(p) | np.isnan(n_eff)
        return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)

