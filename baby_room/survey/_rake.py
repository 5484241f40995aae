"""Private helpers of :mod:`baby_room.survey.design`: raking and its variance.

:func:`rake` is the body of ``SurveyDesign.rake`` (checks of the margins by
:func:`check_margins_type`, :func:`margin_codes` and :func:`trim_bounds`, the fit by
:func:`ipf`, the diagnostics in ``rake_info``).

Raking (iterative proportional fitting) follows R ``survey``'s ``rake()``: each
pass post-stratifies the weights to every margin in turn; the pass is repeated
until the largest change of a weighted cell total of the joint table of all
margin variables is below ``tol * sum(weights)``.

The variance of an estimate from a raked design uses the residuals of its
scores from the raking margins, as R's ``svyrecvar``: ten sweeps, over the
margins *m* in turn, of

.. math:: x \\leftarrow x - w^{(m)} \\cdot \\operatorname{ave}_{c_m}(x / w^{(m)})

where :math:`w^{(m)}` are the weights right after margin *m* was fitted in the
last pass and :math:`\\operatorname{ave}_{c_m}` is the plain mean within the
categories of margin *m*. Because every step subtracts a multiple of
:math:`w^{(m)}` that depends on the category only, the sweeps are run on
category-level sums (a few small matrices) instead of on every row, and the
residual unit totals are obtained as :math:`U - \\sum_m S_m A_m` with
:math:`S_m` the unit x category sums of :math:`w^{(m)}` (Lumley 2010, sec. 7.3;
Deville & Särndal 1992).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from baby_room.errors import ConvergenceError, DesignError
from baby_room.survey._format import fmt_list as _fmt_list

#: R's svyrecvar() runs this many backfitting sweeps for a raked design.
RESIDUAL_SWEEPS = 10


@dataclass
class Margin:
    """One raking margin: category code per row and the weights after fitting it."""

    name: str
    codes: np.ndarray
    n_cat: int
    psw: np.ndarray
    _unit_sums: dict = field(default_factory=dict, repr=False)

    def unit_sums(self, unit: np.ndarray, n_units: int) -> np.ndarray:
        """S[unit, category] = sum of psw over the rows of the unit in the category."""
        key = (id(unit), n_units)
        if key not in self._unit_sums:
            s = np.bincount(unit * self.n_cat + self.codes, weights=self.psw,
                            minlength=n_units * self.n_cat)
            self._unit_sums[key] = s.reshape(n_units, self.n_cat)
        return self._unit_sums[key]


def ipf(w0, codes, n_cats, targets, *, max_iter, tol, trim):
    """Rake weights ``w0`` to the category ``targets`` of each margin.

    Returns
    -------
    w : ndarray
        Raked weights.
    psw : list of ndarray
        Weights right after each margin was fitted in the last pass.
    info : dict
        ``converged``, ``iterations``, ``max_change``, ``epsilon``, ``trimmed``.
    """
    w = w0.astype(float).copy()
    epsilon = tol * float(w.sum())
    joint = np.zeros(len(w), dtype=np.int64)
    n_joint = 1
    for c, k in zip(codes, n_cats, strict=True):
        joint = joint * k + c
        n_joint *= k
    if n_joint > 10_000_000:  # many margins: compress the joint cells
        joint = np.unique(joint, return_inverse=True)[1]
        n_joint = int(joint.max()) + 1
    old = np.bincount(joint, weights=w, minlength=n_joint)
    converged = False
    delta = np.inf
    iterations = 0
    psw = [w] * len(codes)
    trimmed = 0
    lo, hi = trim if trim is not None else (None, None)
    while iterations < max_iter:
        psw = []
        for c, k, target in zip(codes, n_cats, targets, strict=True):
            current = np.bincount(c, weights=w, minlength=k)
            w = w * (target / current)[c]
            psw.append(w)
        if trim is not None:
            g = w / w0
            out = (g < lo) | (g > hi)
            trimmed = int(out.sum())
            if trimmed:
                w = w0 * np.clip(g, lo, hi)
        new = np.bincount(joint, weights=w, minlength=n_joint)
        delta = float(np.max(np.abs(old - new)))
        iterations += 1
        if delta < epsilon:
            converged = True
            break
        old = new
    info = {
        "converged": converged,
        "iterations": iterations,
        "max_change": delta,
        "epsilon": epsilon,
        "trimmed": trimmed,
    }
    return w, psw, info


def backfit(scores, margins: list[Margin]) -> list[np.ndarray]:
    """Coefficients A_m (categories x K) with residual x = x0 - sum_m psw_m * A_m[c_m].

    ``margins`` lists every raking margin of the design in the order R applies
    them; they are processed in consecutive groups of one ``rake()`` call each
    (tagged by ``Margin.name`` prefix ``"<call>:"``).
    """
    k = scores.k
    nm = len(margins)
    # category-level sums: B_j = sum_c x0/psw_j, counts n_c, cross terms M_jm
    b = [scores.group_sums(m.codes, m.n_cat, factor=1.0 / m.psw) for m in margins]
    counts = [np.bincount(m.codes, minlength=m.n_cat).astype(float) for m in margins]
    cross = {}
    for j, mj in enumerate(margins):
        for i, mi in enumerate(margins):
            key = mj.codes * mi.n_cat + mi.codes
            cross[j, i] = np.bincount(key, weights=mi.psw / mj.psw,
                                      minlength=mj.n_cat * mi.n_cat).reshape(mj.n_cat, mi.n_cat)
    coef = [np.zeros((m.n_cat, k)) for m in margins]
    calls = []
    for j, m in enumerate(margins):
        call = m.name.split(":", 1)[0]
        if not calls or calls[-1][0] != call:
            calls.append((call, []))
        calls[-1][1].append(j)
    with np.errstate(invalid="ignore", divide="ignore"):
        for _, members in calls:
            for _sweep in range(RESIDUAL_SWEEPS):
                for j in members:
                    s = b[j].copy()
                    for i in range(nm):
                        s -= cross[j, i] @ coef[i]
                    mean = np.where(counts[j][:, None] > 0, s / counts[j][:, None], 0.0)
                    coef[j] += mean
    return coef


def residual_unit_totals(scores, unit, n_units, margins, coef) -> np.ndarray:
    """Unit totals of the residual scores."""
    totals = scores.group_sums(unit, n_units)
    for m, a in zip(margins, coef, strict=True):
        totals -= m.unit_sums(unit, n_units) @ a
    return totals


def trim_bounds(trim):
    if trim is None:
        return None
    try:
        if isinstance(trim, (int, float)):
            if trim <= 1:
                raise ValueError
            return (1.0 / float(trim), float(trim))
        lo, hi = (float(t) for t in trim)
        if not 0 <= lo < 1 < hi:
            raise ValueError
        return (lo, hi)
    except (TypeError, ValueError):
        raise DesignError(
            "trim must be None, a number b > 1 (weight ratios kept in [1/b, b]) or a pair "
            f"(low, high) with 0 <= low < 1 < high; got {trim!r}"
        ) from None


def check_margins_type(margins):
    if not isinstance(margins, Mapping) or not margins:
        raise DesignError(
            "margins must be a non-empty dict {column: {category: population total}}; "
            f"got {type(margins).__name__}"
        )


def margin_codes(data, column, totals):
    """Category code per row, number of categories, target totals and labels of a margin.

    ``column`` must be a column of ``data`` (checked by the caller).
    """
    if not isinstance(totals, Mapping) or not totals:
        raise DesignError(
            f"margins[{column!r}] must be a non-empty dict {{category: population total}}; "
            f"got {totals!r}"
        )
    s = data[column]
    if s.isna().any():
        raise DesignError(
            f"margins: column {column!r} has {int(s.isna().sum())} missing value(s); "
            "every row needs a category to be raked (impute or drop those rows first)"
        )
    c, observed = pd.factorize(s, sort=True)
    observed = list(observed)
    target = np.empty(len(observed))
    lookup = {}
    for key, value in totals.items():
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = np.nan
        if not np.isfinite(v) or v < 0:
            raise DesignError(
                f"margins[{column!r}][{key!r}] must be a non-negative population total; "
                f"got {value!r}"
            )
        lookup[key] = v
    missing = [o for o in observed if o not in lookup]
    if missing:
        raise DesignError(
            f"margins[{column!r}] does not cover the data: no population total for "
            f"{_fmt_list(missing)} (present in the data). Categories given: "
            f"{_fmt_list(list(lookup))}"
        )
    observed_set = set(observed)
    absent = [k for k, v in lookup.items() if v > 0 and k not in observed_set]
    if absent:
        raise DesignError(
            f"margins[{column!r}] names {_fmt_list(absent)}, absent from the data (no "
            f"rows), so the weights cannot reach its total; categories in the data: "
            f"{_fmt_list(observed)}. Collapse it with a neighbouring category or drop it "
            "from the margins (and from the population)"
        )
    zero = [o for o in observed if lookup[o] == 0]
    if zero:
        raise DesignError(
            f"margins[{column!r}] gives a population total of 0 for {_fmt_list(zero)}, "
            "which has rows in the data"
        )
    for j, o in enumerate(observed):
        target[j] = lookup[o]
    return c.astype(np.int64), len(observed), target, observed


def rake(design, margins, *, max_iter, tol, trim):
    """A new design whose weights are raked to ``margins`` (see ``SurveyDesign.rake``)."""
    check_margins_type(margins)
    if not isinstance(max_iter, (int, np.integer)) or isinstance(max_iter, bool) or (
        max_iter < 1
    ):
        raise DesignError(f"max_iter must be a positive integer; got {max_iter!r}")
    if not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise DesignError(f"tol must be a number between 0 and 1 (relative to the sum of "
                          f"weights); got {tol!r}")
    bounds = trim_bounds(trim)
    codes, n_cats, targets, names, cats = [], [], [], [], []
    for column, totals in margins.items():
        design._check_column(column, "margins")
        c, k, t, labels = margin_codes(design._data, column, totals)
        codes.append(c)
        n_cats.append(k)
        targets.append(t)
        names.append(column)
        cats.append(labels)
    w0 = design._w
    w, psw, info = ipf(w0, codes, n_cats, targets, max_iter=int(max_iter),
                             tol=float(tol), trim=bounds)
    if not info["converged"]:
        raise ConvergenceError(
            f"raking did not converge in max_iter={max_iter} passes: the largest change "
            f"of a weighted cell total in the last pass was {info['max_change']:.6g}, "
            f"above tol * sum(weights) = {info['epsilon']:.6g}. Increase max_iter, relax "
            "tol, remove trim, or collapse sparse categories of the margins "
            f"({_fmt_list(names)})"
        )
    call = len({m.name.split(':', 1)[0] for m in design._raking})
    new = object.__new__(type(design))
    new.__dict__.update(design.__dict__)
    new._w = w
    new._rake_calls = design._rake_calls + ({
        "margins": {k: dict(v) for k, v in margins.items()},
        "max_iter": int(max_iter), "tol": float(tol), "trim": trim,
    },)
    new._raking = list(design._raking) + [
        Margin(f"{call}:{name}", c, k, p)
        for name, c, k, p in zip(names, codes, n_cats, psw, strict=True)
    ]
    rows = []
    for name, c, k, t, labels in zip(names, codes, n_cats, targets, cats, strict=True):
        before = np.bincount(c, weights=w0, minlength=k)
        after = np.bincount(c, weights=w, minlength=k)
        for j in range(k):
            rows.append((name, labels[j], t[j], before[j], after[j]))
    margin_table = pd.DataFrame(rows, columns=["variable", "category", "target", "before",
                                               "after"])
    g = w / w0
    new.rake_info = {
        "converged": True,
        "iterations": info["iterations"],
        "max_change": info["max_change"],
        "tol": float(tol),
        "trimmed": info["trimmed"],
        "deff_weights": float(len(w) * np.sum(w**2) / np.sum(w) ** 2),
        "n_effective": float(np.sum(w) ** 2 / np.sum(w**2)),
        "weight_ratio_min": float(g.min()),
        "weight_ratio_max": float(g.max()),
        "margins": margin_table,
    }
    return new
