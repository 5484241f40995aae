"""Private helpers of :mod:`baby_room.survey.design`: weighted quantiles.

The weighted empirical CDF of every domain at once and its inverse, as R ``survey``'s
``svyquantile`` with ``qrule="math"`` (Woodruff 1952; Lumley 2010, sec. 2.4):
:math:`\\hat q_p = \\min\\{x: \\hat F(x) \\ge p\\}`.
"""

from __future__ import annotations

import numpy as np

from baby_room.errors import DesignError


def as_probabilities(q):
    arr = np.atleast_1d(np.asarray(q, dtype=object))
    try:
        vals = arr.astype(float)
    except (TypeError, ValueError):
        raise DesignError(f"q must be a probability or a list of probabilities; got {q!r}") from None
    if vals.ndim != 1 or vals.size == 0 or np.isnan(vals).any() or (vals < 0).any() or (
        vals > 1
    ).any():
        raise DesignError(f"q must be probabilities between 0 and 1; got {q!r}")
    return vals.tolist()


def small_int(values, span):
    """values as int16 when they fit (numpy sorts int16 stably by radix sort)."""
    return values.astype(np.int16) if span < 32_000 else values


def sort_by_domain_value(x, w, d, n_dom):
    """x, w, d sorted by (domain, value), ties in row order (as R's stable order())."""
    if x.size == 0:
        return x, w, d
    lo, hi = float(x.min()), float(x.max())
    span = int(hi - lo) + 1 if hi - lo < 32_000 else 0
    if span and span * n_dom < 32_000 and np.array_equal(x, np.floor(x)):
        # small integer values (group sizes, counts): one radix sort of (domain, value)
        key = (d * span + (x - lo).astype(np.int64)).astype(np.int16)
        order = np.argsort(key, kind="stable")
        ks = key[order].astype(np.int64)
        return (ks % span + lo).astype(float), w[order], ks // span
    key = small_int(x - lo, span) if span and np.array_equal(x, np.floor(x)) else x
    first = np.argsort(key, kind="stable")
    second = np.argsort(small_int(d[first], n_dom), kind="stable")
    order = first[second]
    return x[order], w[order], d[order]


class WeightedCDF:
    """Weighted empirical CDF of every domain at once (R ``qs``/``qrule_math``).

    Rows are sorted by (domain, value) once; cumulative weights are accumulated in
    extended precision and rounded to double, as R's ``cumsum``/``sum`` do, so that
    ties such as "exactly half the weight" are decided the same way as in R.
    """

    def __init__(self, x, w, d, n_dom):
        self.x, ws, self.d = sort_by_domain_value(x, w, d, n_dom)
        ws = ws.astype(np.longdouble)
        g = np.cumsum(ws)
        counts = np.bincount(self.d, minlength=n_dom)
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.count = counts
        base = np.zeros(n_dom, dtype=np.longdouble)
        has_prev = self.start > 0
        base[has_prev] = g[self.start[has_prev] - 1]
        end_total = np.zeros(n_dom, dtype=np.longdouble)
        nz = counts > 0
        end_total[nz] = g[self.start[nz] + counts[nz] - 1]
        self.cumw = (g - np.repeat(base, counts)).astype(float)
        self.total = (end_total - base).astype(float)
        self.n_dom = n_dom

    def quantile(self, p):
        """Smallest x with weighted CDF >= p, per domain (p: one value per domain)."""
        p = np.asarray(p, dtype=float)
        out = np.full(self.n_dom, np.nan)
        valid = (self.count > 0) & ~np.isnan(p)
        if not valid.any():
            return out
        thr = p * self.total
        with np.errstate(invalid="ignore"):
            flag = self.cumw <= thr[self.d]
        cnt = np.bincount(self.d, weights=flag, minlength=self.n_dom).astype(np.int64)
        last = self.start + self.count - 1
        pos = np.where(cnt > 0, self.start + cnt - 1, self.start)
        pos = np.where(valid, pos, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            wlow = p - self.cumw[pos] / self.total
        take_low = (cnt == 0) | (wlow == 0)
        idx = np.where(take_low, pos, np.minimum(pos + 1, last))
        if cnt.size:
            idx = np.where(cnt == 0, self.start, idx)
        out[valid] = self.x[idx[valid]]
        return out
