"""Private helpers of :mod:`baby_room.survey.design`: the variance engine.

Everything here works on plain numpy arrays. The public class
:class:`baby_room.survey.design.SurveyDesign` builds the stage structures once and
calls these functions with the (weighted) influence values of an estimator.

The variance of an estimated total with row scores :math:`u_i` (influence value
times weight) follows R ``survey``'s ``svyrecvar``/``multistage``/``onestrat``
(survey 4.1): for each sampling stage the scores are summed to unit totals
:math:`U_{hj}`, centred within their stratum and combined as

.. math:: \\hat V = \\sum_h c_h \\sum_j (U_{hj} - \\bar U_h)^2,
          \\quad c_h = (1 - f_h)\\, n_h / (n_h - 1)

with :math:`f_h = n_h / N_h` (0 when no fpc is given). A second stage adds,
for every PSU *j* of stratum *h*, :math:`(n_h / N_h)` times the same formula
applied to the secondary units within the PSU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Above this many unit x domain cells the sparse (sort-based) path is used.
_DENSE_LIMIT = 20_000_000

#: R's onestrat() treats a stratum with 1 - f below this as taken with certainty.
_CERTAINTY_TOL = 1e-7


@dataclass(frozen=True)
class Stage:
    """One sampling stage, in the form the variance engine needs.

    Attributes
    ----------
    unit : ndarray of int64, shape (n,)
        Code 0..U-1 of the sampled unit (PSU, or SSU) that each row belongs to.
    unit_group : ndarray of int64, shape (U,)
        Code 0..G-1 of the group (stratum at stage 1, PSU at stage 2) of each unit.
    group_n : ndarray of float, shape (G,)
        Number of sampled units in each group.
    group_coef : ndarray of float, shape (G,)
        Multiplier of the centred sum of squares of unit totals in each group.
    group_centre : ndarray of bool, shape (G,)
        False for a lonely unit handled by ``lonely_psu="adjust"`` (no centring, as R).
    """

    unit: np.ndarray
    unit_group: np.ndarray
    group_n: np.ndarray
    group_coef: np.ndarray
    group_centre: np.ndarray

    @property
    def n_units(self) -> int:
        return int(self.unit_group.shape[0])

    @property
    def n_groups(self) -> int:
        return int(self.group_n.shape[0])


def stage_coefficients(group_n, one_minus_f, multiplier, lonely_psu):
    """Coefficient c_g of each group and whether it is centred (R's onestrat()).

    Parameters
    ----------
    group_n : ndarray
        Sampled units per group.
    one_minus_f : ndarray
        1 - sampling fraction per group (1 without fpc).
    multiplier : ndarray
        Factor carried from the stage above (1 at stage 1; n_h / N_h at stage 2).
    lonely_psu : str
        "fail" (checked by the caller), "remove", "certainty" or "adjust".
    """
    n = np.asarray(group_n, dtype=float)
    f = np.asarray(one_minus_f, dtype=float)
    coef = np.zeros_like(n)
    many = n > 1
    coef[many] = f[many] * n[many] / (n[many] - 1.0)
    centre = np.ones(n.shape, dtype=bool)
    lonely = ~many
    if lonely_psu == "adjust":
        coef[lonely] = f[lonely]
        centre[lonely] = False
    coef[f < _CERTAINTY_TOL] = 0.0
    return coef * np.asarray(multiplier, dtype=float), centre


def _group_sums(keys, values, size):
    return np.bincount(keys, weights=values, minlength=size)


def stage_var_domains(stage: Stage, rows, u, d, n_dom: int) -> np.ndarray:
    """Variance contribution of one stage for D domain estimates at once.

    Row ``rows[k]`` carries score ``u[k]`` for domain ``d[k]`` (each row in at
    most one domain), so the score matrix is never materialised.
    """
    if stage.group_coef.max(initial=0.0) == 0.0:
        return np.zeros(n_dom)
    n_units, n_groups = stage.n_units, stage.n_groups
    unit = stage.unit[rows]
    gd_of_unit = stage.unit_group
    if n_units * n_dom <= _DENSE_LIMIT:
        totals = _group_sums(unit * n_dom + d, u, n_units * n_dom).reshape(n_units, n_dom)
        cols = np.arange(n_dom)
        gkey = (gd_of_unit[:, None] * n_dom + cols[None, :]).ravel()
        s1 = _group_sums(gkey, totals.ravel(), n_groups * n_dom).reshape(n_groups, n_dom)
        mean = s1 / stage.group_n[:, None]
        mean[~stage.group_centre] = 0.0
        dev = totals - mean[gd_of_unit]
        ss = _group_sums(gkey, (dev * dev).ravel(), n_groups * n_dom).reshape(n_groups, n_dom)
    else:
        keys = unit * n_dom + d
        uniq, inv = np.unique(keys, return_inverse=True)
        totals = np.bincount(inv, weights=u)
        k_unit = uniq // n_dom
        k_dom = uniq % n_dom
        gkey = gd_of_unit[k_unit] * n_dom + k_dom
        s1 = _group_sums(gkey, totals, n_groups * n_dom).reshape(n_groups, n_dom)
        count = np.bincount(gkey, minlength=n_groups * n_dom).reshape(n_groups, n_dom)
        mean = s1 / stage.group_n[:, None]
        mean[~stage.group_centre] = 0.0
        dev = totals - mean.ravel()[gkey]
        ss = _group_sums(gkey, dev * dev, n_groups * n_dom).reshape(n_groups, n_dom)
        # units of the group with no row in the domain have total 0: deviation -mean
        ss += (stage.group_n[:, None] - count) * mean * mean
    return stage.group_coef @ ss


def stage_cov_from_totals(stage: Stage, totals: np.ndarray, diag: bool = False) -> np.ndarray:
    """Covariance (or, with ``diag``, variances) from unit totals (U x K) of one stage."""
    k = totals.shape[1]
    if stage.group_coef.max(initial=0.0) == 0.0:
        return np.zeros(k) if diag else np.zeros((k, k))
    g = stage.unit_group
    cols = np.arange(k)
    gkey = (g[:, None] * k + cols[None, :]).ravel()
    s1 = _group_sums(gkey, totals.ravel(), stage.n_groups * k).reshape(stage.n_groups, k)
    mean = s1 / stage.group_n[:, None]
    mean[~stage.group_centre] = 0.0
    dev = totals - mean[g]
    coef = stage.group_coef[g]
    if diag:
        return coef @ (dev * dev)
    return (dev * coef[:, None]).T @ dev


class Scores:
    """Row scores of K statistics: dense (n x K) or sparse (row, column, value) triples.

    The sparse form holds domain estimates, where each row scores for one domain
    only, without materialising an n x D matrix.
    """

    def __init__(self, n_rows, k, *, dense=None, rows=None, cols=None, values=None):
        self.n_rows = n_rows
        self.k = k
        self.dense = None if dense is None else np.asarray(dense, dtype=float)
        self.rows, self.cols, self.values = rows, cols, values

    @classmethod
    def sparse(cls, n_rows, k, rows, cols, values):
        return cls(n_rows, k, rows=rows, cols=cols, values=np.asarray(values, dtype=float))

    @property
    def is_sparse(self) -> bool:
        return self.dense is None

    def group_sums(self, codes, n_codes, factor=None) -> np.ndarray:
        """Sum of score x factor within each code, shape (n_codes, K)."""
        k = self.k
        if self.dense is None:
            vals = self.values if factor is None else self.values * factor[self.rows]
            keys = codes[self.rows] * k + self.cols
            return _group_sums(keys, vals, n_codes * k).reshape(n_codes, k)
        out = np.empty((n_codes, k))
        x = self.dense if factor is None else self.dense * factor[:, None]
        for j in range(k):  # K statistics (few), not rows or groups
            out[:, j] = np.bincount(codes, weights=x[:, j], minlength=n_codes)
        return out


def domain_counts(unit, group, mask, d, n_dom, n_units, n_groups):
    """Rows, distinct units and distinct groups per domain among ``mask`` rows."""
    dd = d[mask]
    n_rows = np.bincount(dd, minlength=n_dom)
    units = _distinct_per_domain(unit[mask], dd, n_dom, n_units)
    groups = _distinct_per_domain(group[mask], dd, n_dom, n_groups)
    return n_rows, units, groups


def _distinct_per_domain(codes, d, n_dom, n_codes):
    if codes.size == 0:
        return np.zeros(n_dom, dtype=np.int64)
    keys = codes * n_dom + d
    if n_codes * n_dom <= _DENSE_LIMIT:
        seen = np.bincount(keys, minlength=n_codes * n_dom).reshape(n_codes, n_dom) > 0
        return seen.sum(axis=0)
    uniq = np.unique(keys)
    return np.bincount(uniq % n_dom, minlength=n_dom)
