r"""Design-based estimation for complex surveys: :class:`SurveyDesign`.

A :class:`SurveyDesign` holds a survey data set together with its sampling
design -- sampling weights, strata, one- or two-stage clusters and finite
population corrections -- and every estimate (means, totals, ratios,
proportions, quantiles, tests) is computed from that one object, as with R's
``svydesign()`` (Lumley 2010). Subgroup estimates (``by=``) are *domain*
estimates of the full design: rows outside the domain keep their place in the
design with their scores set to zero; the data are never subset.

Formulas
--------
**Weights.** :math:`w_i` are sampling weights (inverse inclusion
probabilities), not frequency weights. Without ``weights`` every row has weight
1 (or, when ``fpc`` is given, :math:`\prod_s N_s / n_s` as R derives them).

**Estimators and influence values** (Binder 1983; Lumley 2010, ch. 2-3).
For a domain indicator :math:`\delta_i`,

* total :math:`\hat T = \sum_i w_i \delta_i y_i`, score :math:`u_i = w_i \delta_i y_i`;
* mean :math:`\hat\mu = \hat T_y / \hat N`, score
  :math:`u_i = w_i \delta_i (y_i - \hat\mu) / \hat N`;
* ratio :math:`\hat R = \hat T_y / \hat T_x`, score
  :math:`u_i = w_i \delta_i (y_i - \hat R x_i) / \hat T_x`;
* a proportion is the mean of a 0/1 indicator.

**Taylor-linearisation variance** (with-replacement at the first stage, with
finite population correction). With :math:`U_{hj}=\sum_{i\in(h,j)} u_i` the
total of the scores in PSU *j* of stratum *h*, :math:`n_h` PSUs sampled and
:math:`f_h = n_h/N_h` (0 without fpc),

.. math::

   \hat V = \sum_h (1-f_h)\,\frac{n_h}{n_h-1}\sum_{j=1}^{n_h}
            (U_{hj}-\bar U_h)^2
          + \sum_h f_h \sum_{j} (1-f_{2j})\,\frac{m_j}{m_j-1}
            \sum_{k=1}^{m_j}(U_{hjk}-\bar U_{hj})^2,

the second term only for a two-stage design with an fpc at stage 1 (R's
``multistage()``). This is exactly the recursion of R ``survey``'s
``svyrecvar``. Degrees of freedom are the number of PSUs minus the number of
strata (R's ``degf``); for a domain, among the PSUs and strata that hold a row
of the domain (R's ``degf`` of the subset design). Confidence intervals for
means, totals and ratios are :math:`\hat\theta \pm t_{df,1-\alpha/2}\,SE`
(R: ``confint(svymean(...), df = degf(design))``).

**Missing values** in the analysed column are dropped *as a domain* (R's
``na.rm = TRUE``): the rows stay in the design with zero score, so the strata,
PSU counts and fpc are those of the full design; ``n`` and ``df`` count the rows
(and their PSUs) with a value. A row whose ``by`` value is missing belongs to no
domain. A category of a categorical ``by`` column without rows gives a row with
``n = 0`` and missing estimates.

**Lonely PSUs** (a stratum with a single PSU): ``lonely_psu`` as R's
``options(survey.lonely.psu=)``: ``"fail"`` (default; the error names the
stratum), ``"remove"`` and ``"certainty"`` (the stratum adds nothing at that
stage), ``"adjust"`` (the lonely PSU's score total enters as its deviation
from zero instead of from its stratum mean, times :math:`1-f_h`; this is R
4.1's implementation of "centre at the grand mean": for means, ratios and
proportions the scores sum to zero). A stratum whose fpc says all of its PSUs
were sampled (:math:`f_h = 1`) adds nothing and is never "lonely".

**Proportion intervals** (``proportion(ci_method=...)``), with
:math:`\hat p`, :math:`SE`, design df and :math:`t = t_{df,1-\alpha/2}`:

* ``"logit"`` -- :math:`\operatorname{expit}(\operatorname{logit}\hat p \pm t\,
  SE/(\hat p(1-\hat p)))`; agrees with R ``svyciprop(method="logit")`` (and
  ``"xlogit"``, identical for an intercept-only model);
* ``"korn-graubard"`` (alias ``"beta"``) -- Clopper-Pearson interval at the
  effective sample size :math:`n^* = \hat p(1-\hat p)/SE^2 \cdot
  (t_{n-1}/t_{df})^2`: :math:`[B_{\alpha/2}(n^*\hat p, n^*(1-\hat p)+1),
  B_{1-\alpha/2}(n^*\hat p+1, n^*(1-\hat p))]` (Korn & Graubard 1998); agrees
  with R ``svyciprop(method="beta")``;
* ``"wald"`` -- :math:`\hat p \pm t\,SE`; R ``svyciprop(method="mean")``;
* ``"asin"`` -- :math:`\sin^2(\arcsin\sqrt{\hat p} \pm t\,SE/(2\sqrt{\hat
  p(1-\hat p)}))`, the inner interval clipped to :math:`[0,\pi/2]`; R
  ``svyciprop(method="asin")`` (R does not clip);
* ``"wilson"`` -- Wilson score interval with normal quantile at
  :math:`n^*=\hat p(1-\hat p)/SE^2` (no df adjustment); not in R, checked
  against ``statsmodels.stats.proportion.proportion_confint(count=n^*\hat p,
  nobs=n^*, method="wilson")`` (Dean & Pagano 2015);
* ``"clopper-pearson"`` -- Clopper-Pearson at :math:`n^*` without the df
  adjustment; not in R, checked against statsmodels ``method="beta"`` (Dean &
  Pagano 2015).

When :math:`SE = 0` (:math:`\hat p \in \{0, 1\}`) the effective sample size is
taken as the number of rows (Korn & Graubard 1998); the Wald and asin intervals
collapse to :math:`[\hat p, \hat p]`, and the logit interval (the default), which
would too, is replaced there by the Korn-Graubard interval, so that the default never
gives a zero-width interval (R's ``svyciprop(method="logit")`` returns the degenerate
interval).

**Quantiles** (Woodruff 1952; R ``svyquantile`` 4.x defaults ``qrule="math"``,
``interval.type="mean"``): :math:`\hat q_p = \min\{x: \hat F(x) \ge p\}` with
:math:`\hat F` the weighted CDF; an interval :math:`[p_L, p_U]` for
:math:`\hat F(\hat q_p)` from the design (Wald with design df by default) is
mapped back through :math:`\hat F^{-1}`, and
:math:`SE = (q_U - q_L)/(2 t_{df,1-\alpha/2})`.

**Raking** (Deville & Särndal 1992; Lumley 2010, ch. 7): iterative
proportional fitting of the weights to each margin in turn, as R's ``rake()``;
standard errors afterwards use the residuals of the scores from the raking
margins, computed by R's backfitting in ``svyrecvar`` (ten sweeps of
:math:`u \leftarrow u - w^{(m)} \overline{(u/w^{(m)})}_{c}` over the margins).

**Rao-Scott test** (Rao & Scott 1984): the Pearson :math:`X^2` of the weighted
table scaled to the sample size, divided by the mean generalised design effect
:math:`\hat\delta_\cdot`, referred to :math:`F(d, d\,\nu)` with
:math:`d = (\sum\hat\delta_k)^2/\sum\hat\delta_k^2` and :math:`\nu` the design
df (R ``svychisq(statistic="F")``).

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from
complex surveys. *International Statistical Review*, 51, 279-292.
Dean, N. & Pagano, M. (2015). Evaluating confidence interval methods for binomial
proportions in clustered surveys. *J. Survey Statistics and Methodology*, 3, 484-503.
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling.
*JASA*, 87, 376-382.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
small expected number of positive counts estimated from survey data. *Survey
Methodology*, 24, 193-201.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway contingency
tables with cell proportions estimated from survey data. *Annals of Statistics*,
12, 46-60.
Woodruff, R. S. (1952). Confidence intervals for medians and other position
measures. *JASA*, 47, 635-646.

Checked against R ``survey`` 4.1.1 on its ``api`` data (tests/reference/survey_api.R).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from baby_room.errors import DesignError
from baby_room.survey import _intervals, _quantiles, _rake, _tests
from baby_room.survey import _linearization as _lin
from baby_room.survey._format import fmt_list as _fmt_list
from baby_room.survey._format import show as _r

__all__ = ["SurveyDesign", "LONELY_PSU_OPTIONS", "PROPORTION_CI_METHODS", "QUANTILE_CI_METHODS"]

#: Allowed values of ``lonely_psu`` (as R's ``options(survey.lonely.psu=)``).
LONELY_PSU_OPTIONS = ("fail", "remove", "adjust", "certainty")

#: Allowed ``ci_method`` values of :meth:`SurveyDesign.proportion`.
PROPORTION_CI_METHODS = (
    "logit",
    "korn-graubard",
    "beta",
    "wilson",
    "clopper-pearson",
    "wald",
    "asin",
)

#: Allowed ``ci_method`` values of :meth:`SurveyDesign.quantile` (R's interval.type).
QUANTILE_CI_METHODS = ("mean", "xlogit", "beta", "asin")

_QUANTILE_TO_PROPORTION = {
    "mean": "wald",
    "xlogit": "logit",
    "beta": "korn-graubard",
    "asin": "asin",
}


class SurveyDesign:
    """A survey data set with its sampling design, shared by every estimate.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit (respondent, or room for room-level tables).
    weights : str, optional
        Column of sampling weights (inverse inclusion probabilities; not frequency
        weights). Must be positive and non-missing. Default: every row weight 1,
        or the weights implied by ``fpc`` when it is given (as R).
    strata : str, optional
        Column of first-stage strata.
    cluster : str or sequence of str, optional
        Column of primary sampling units (one-stage cluster sample), or two
        columns ``[psu, ssu]`` for a two-stage design. Cluster labels may repeat
        across strata: a PSU is always the pair (stratum, cluster), as R's
        ``nest=TRUE``. Default: every row is its own PSU.
    fpc : str or sequence of str, optional
        Finite population correction per stage: population size (all values
        > 1: number of PSUs in the stratum, resp. SSUs in the PSU) or sampling
        fraction (all values <= 1), constant within each stratum (resp. PSU).
        Default: sampling with replacement (no correction). For a two-stage design
        without an fpc for stage 2, stage 2 is taken as with replacement (R needs
        one per stage); without an fpc for stage 1, only stage 1 contributes
        (the ultimate-cluster variance).
    lonely_psu : {"fail", "remove", "adjust", "certainty"}, default "fail"
        What to do with a stratum that has a single PSU (R's
        ``options(survey.lonely.psu=)``); see the module docstring.

    Attributes
    ----------
    data : pandas.DataFrame
        The data (not copied).
    weights : numpy.ndarray
        Sampling weights, one per row.
    df : int
        Design degrees of freedom: PSUs minus strata (R's ``degf``).
    rake_info : dict or None
        For a raked design (:meth:`rake`): convergence and weight diagnostics.
    spec : dict
        The constructor arguments (``weights, strata, cluster, fpc, lonely_psu``).

    Result tables carry the scalar entries of ``data.attrs`` (``source``,
    ``synthetic``) so that figures can name their source.

    Notes
    -----
    Variances by Taylor linearisation (Binder 1983), computed as R ``survey``'s
    ``svyrecvar`` (Lumley 2010); see the module docstring for the formulas.
    Checked against R ``survey`` 4.1.1 (``svydesign``) on the ``api`` data.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.survey.design import SurveyDesign
    >>> rooms = pd.DataFrame({"region": ["London", "London", "North East", "North East"],
    ...                       "group_size": [9, 12, 6, 8]})
    >>> d = SurveyDesign(rooms)
    >>> d.mean("group_size").round(3)[["estimate", "se", "df", "n"]]
       estimate     se  df  n
    0      8.75  1.25   3  4
    >>> d.mean("group_size", by="region")[["region", "estimate", "n"]]
           region  estimate  n
    0      London      10.5  2
    1  North East       7.0  2
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | None = None,
        strata: str | None = None,
        cluster: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        lonely_psu: str = "fail",
    ):
        if not isinstance(data, pd.DataFrame):
            raise DesignError(
                f"data must be a pandas DataFrame; got {type(data).__name__}"
            )
        if len(data) == 0:
            raise DesignError("data has no rows: a survey design needs at least two rows")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise DesignError(
                f"lonely_psu must be one of {_fmt_list(LONELY_PSU_OPTIONS)}; "
                f"got {lonely_psu!r}"
            )
        self._data = data
        self.lonely_psu = lonely_psu
        n = len(data)
        self._n = n
        self._spec = {
            "weights": weights,
            "strata": strata,
            "cluster": cluster,
            "fpc": fpc,
            "lonely_psu": lonely_psu,
        }
        clusters = self._as_name_list(cluster, "cluster", max_len=2)
        fpcs = self._as_name_list(fpc, "fpc", max_len=2)
        if len(fpcs) > max(len(clusters), 1):
            raise DesignError(
                f"fpc names {len(fpcs)} stages ({_fmt_list(fpcs)}) but cluster names "
                f"{len(clusters)} ({_fmt_list(clusters) or 'none: every row is a PSU'}); "
                "give one fpc column per sampling stage"
            )
        if strata is not None:
            self._check_column(strata, "strata")
        for c in clusters:
            self._check_column(c, "cluster")
        for c in fpcs:
            self._check_column(c, "fpc")

        # --- stage 1: strata and PSUs --------------------------------------------------
        if strata is None:
            h = np.zeros(n, dtype=np.int64)
            h_labels = np.array(["(all)"], dtype=object)
        else:
            h, h_labels = self._codes(strata, "strata")
        n_strata = len(h_labels)
        if clusters:
            c1, _ = self._codes(clusters[0], "cluster")
            psu = _factorize(h * (int(c1.max()) + 1) + c1)
        else:
            psu = np.arange(n, dtype=np.int64)
        n_psu = int(psu.max()) + 1
        if n_psu == 1 and strata is None:
            raise DesignError(
                "the design has a single primary sampling unit ("
                + (f"every row is in one cluster of {clusters[0]!r}" if clusters else "one row")
                + "), so no variance can be estimated (R: 'Design has only one primary "
                "sampling unit')"
            )
        psu_stratum = np.empty(n_psu, dtype=np.int64)
        psu_stratum[psu] = h
        n_h = np.bincount(psu_stratum, minlength=n_strata).astype(float)

        popsize1 = None
        if fpcs:
            popsize1 = self._popsize(fpcs[0], h, n_h, "stratum", h_labels, stage=1)
        one_minus_f1 = np.ones(n_strata) if popsize1 is None else (popsize1 - n_h) / popsize1
        self._check_lonely(n_h, one_minus_f1, h_labels, stage=1)
        coef1, centre1 = _lin.stage_coefficients(n_h, one_minus_f1, 1.0, lonely_psu)
        stages = [_lin.Stage(psu, psu_stratum, n_h, coef1, centre1)]

        # --- stage 2: SSUs within PSUs ------------------------------------------------
        w_fpc = None
        if popsize1 is not None:
            w_fpc = (popsize1 / n_h)[h]
        if len(clusters) == 2:
            c2, _ = self._codes(clusters[1], "cluster")
            ssu = _factorize(psu * (int(c2.max()) + 1) + c2)
            n_ssu = int(ssu.max()) + 1
            ssu_psu = np.empty(n_ssu, dtype=np.int64)
            ssu_psu[ssu] = psu
            m_j = np.bincount(ssu_psu, minlength=n_psu).astype(float)
            popsize2 = None
            if len(fpcs) == 2:
                popsize2 = self._popsize(fpcs[1], psu, m_j, "PSU", None, stage=2)
                w_fpc = w_fpc * (popsize2 / m_j)[psu]
            if popsize1 is not None:
                one_minus_f2 = np.ones(n_psu) if popsize2 is None else (popsize2 - m_j) / popsize2
                mult = (n_h / popsize1)[psu_stratum]
                self._check_lonely(
                    m_j, one_minus_f2 * np.where(mult > 0, 1.0, 0.0), None, stage=2,
                    psu_codes=(c1, psu), psu_col=clusters[0],
                )
                coef2, centre2 = _lin.stage_coefficients(m_j, one_minus_f2, mult, lonely_psu)
                stages.append(_lin.Stage(ssu, ssu_psu, m_j, coef2, centre2))

        # --- weights ------------------------------------------------------------------
        if weights is None:
            w = np.ones(n) if w_fpc is None else w_fpc.astype(float)
        else:
            w = self._weights(weights)
        self._w = w
        self._stratum = h
        self._psu = psu
        self._n_strata = n_strata
        self._n_psu = n_psu
        self._strata_labels = h_labels
        self._stages = stages
        self._has_fpc = popsize1 is not None
        self._raking: list = []
        self._rake_calls: tuple = ()
        self._w_base = w
        self.rake_info = None

    # ------------------------------------------------------------------ properties
    @property
    def data(self) -> pd.DataFrame:
        """The data the design was built on (not a copy)."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """Sampling weights (after raking, the raked weights), one per row."""
        return self._w.copy()

    @property
    def df(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata (R ``degf``)."""
        return self._n_psu - self._n_strata

    @property
    def base_weights(self) -> np.ndarray:
        """The weights before any raking (equal to :attr:`weights` for an unraked design).

        Examples
        --------
        >>> import pandas as pd
        >>> d = SurveyDesign(pd.DataFrame({"region": ["A", "A", "B"], "y": [1.0, 2.0, 3.0]}))
        >>> raked = d.rake({"region": {"A": 4, "B": 1}})
        >>> raked.base_weights.tolist(), raked.weights.tolist()
        ([1.0, 1.0, 1.0], [2.0, 2.0, 1.0])
        """
        return self._w_base.copy()

    @property
    def rake_calls(self) -> tuple:
        """The :meth:`rake` calls that made this design, in order.

        A tuple of dicts ``{"margins", "max_iter", "tol", "trim"}`` (empty when the design
        is not raked): enough to apply the same calibration to another table of the same
        population, as :func:`baby_room.survey.room_design` does for the room table.

        Examples
        --------
        >>> import pandas as pd
        >>> d = SurveyDesign(pd.DataFrame({"region": ["A", "A", "B"], "y": [1.0, 2.0, 3.0]}))
        >>> d.rake({"region": {"A": 4, "B": 1}}).rake_calls[0]["margins"]
        {'region': {'A': 4, 'B': 1}}
        """
        return tuple({**c, "margins": {k: dict(v) for k, v in c["margins"].items()}}
                     for c in self._rake_calls)

    @property
    def spec(self) -> dict:
        """Constructor arguments: ``weights, strata, cluster, fpc, lonely_psu``."""
        return dict(self._spec)

    def with_data(self, data: pd.DataFrame) -> SurveyDesign:
        """The same design (weights, raking, strata, clusters) on a table with more columns.

        Parameters
        ----------
        data : pandas.DataFrame
            The design's rows in the same order and with the same index, e.g.
            ``design.data.assign(big_room=lambda t: t["group_size"] > 12)``.

        Returns
        -------
        SurveyDesign
            A new design; the original is unchanged.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> d = SurveyDesign(pd.DataFrame({"group_size": [9, 12, 6, 13]}))
        >>> d2 = d.with_data(d.data.assign(big=lambda t: t["group_size"] > 10))
        >>> float(d2.proportion("big")["estimate"].iloc[0])
        0.5
        """
        if not isinstance(data, pd.DataFrame):
            raise DesignError(f"data must be a pandas DataFrame; got {type(data).__name__}")
        if len(data) != self._n or not data.index.equals(self._data.index):
            raise DesignError(
                f"with_data() needs the design's {self._n} rows in the same order (same "
                f"index); got {len(data)} rows"
                + ("" if len(data) != self._n else " with a different index")
                + ". Build the new table with design.data.assign(...)"
            )
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new._data = data
        return new

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        s = self._spec
        parts = [f"{self._n} rows", f"{self._n_strata} strata", f"{self._n_psu} PSUs"]
        if s["weights"] is not None:
            parts.append(f"weights={s['weights']!r}")
        if s["cluster"] is not None:
            parts.append(f"cluster={s['cluster']!r}")
        if s["fpc"] is not None:
            parts.append(f"fpc={s['fpc']!r}")
        if self._raking:
            parts.append("raked")
        return f"SurveyDesign({', '.join(parts)})"

    # ------------------------------------------------------------------ validation
    def _check_column(self, name, param):
        if not isinstance(name, str):
            raise DesignError(
                f"{param} must be a column name (str); got {type(name).__name__} {name!r}"
            )
        if name not in self._data.columns:
            raise DesignError(
                f"{param}={name!r} is not a column of data; columns are: "
                f"{_fmt_list(list(self._data.columns), limit=30)}"
            )

    @staticmethod
    def _as_name_list(value, param, max_len):
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
            names = list(value)
            if 1 <= len(names) <= max_len:
                return names
        raise DesignError(
            f"{param} must be a column name or a list of 1 to {max_len} column names "
            f"(one per sampling stage); got {value!r}"
        )

    def _codes(self, column, param):
        s = self._data[column]
        if s.isna().any():
            rows = np.flatnonzero(s.isna().to_numpy())
            raise DesignError(
                f"{param}={column!r} has {len(rows)} missing value(s) (first at row "
                f"position(s) {_fmt_list(rows[:5].tolist())}); every row needs a {param}"
            )
        codes, labels = pd.factorize(s, sort=True)
        return codes.astype(np.int64), np.asarray(labels, dtype=object)

    def _popsize(self, column, group, n_sampled, what, labels, stage):
        s = self._data[column]
        try:
            x = pd.to_numeric(s, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise DesignError(
                f"fpc={column!r} must be numeric (population sizes or sampling fractions); "
                f"got dtype {s.dtype}"
            ) from None
        if np.isnan(x).any() or (x <= 0).any():
            bad = np.flatnonzero(np.isnan(x) | (x <= 0))
            raise DesignError(
                f"fpc={column!r} must be positive and non-missing; {len(bad)} row(s) are not "
                f"(first at row position(s) {_fmt_list(bad[:5].tolist())})"
            )
        if (x > 1).any() and (x < 1).any():
            raise DesignError(
                f"fpc={column!r} mixes population sizes (> 1) and sampling fractions (< 1); "
                "give all as one or the other"
            )
        n_groups = len(n_sampled)
        lo = np.full(n_groups, np.inf)
        hi = np.full(n_groups, -np.inf)
        np.minimum.at(lo, group, x)
        np.maximum.at(hi, group, x)
        varies = lo != hi
        if varies.any():
            g = int(np.flatnonzero(varies)[0])
            where = _r(labels[g]) if labels is not None else f"number {g}"
            raise DesignError(
                f"fpc={column!r} varies within {what} {where} at stage {stage} "
                f"(from {lo[g]:g} to {hi[g]:g}); it must be constant within each {what}"
            )
        popsize = lo if (x > 1).any() else n_sampled / lo
        toobig = popsize < n_sampled - 1e-9
        if toobig.any():
            g = int(np.flatnonzero(toobig)[0])
            where = _r(labels[g]) if labels is not None else f"number {g}"
            raise DesignError(
                f"fpc={column!r} implies more than 100% sampling in {what} {where} at stage "
                f"{stage}: population size {popsize[g]:g} but {int(n_sampled[g])} sampled"
            )
        return popsize

    def _check_lonely(self, group_n, one_minus_f, labels, stage, psu_codes=None, psu_col=None):
        if self.lonely_psu != "fail":
            return
        lonely = (group_n < 2) & (one_minus_f >= _lin._CERTAINTY_TOL)
        if not lonely.any():
            return
        idx = np.flatnonzero(lonely)
        if stage == 1:
            names = [labels[i] for i in idx]
            what = f"stratum {_r(names[0])}" if len(names) == 1 else (
                f"{len(names)} strata ({_fmt_list(names, limit=8)})"
            )
            raise DesignError(
                f"{what} has only one PSU at stage 1, so its variance cannot be estimated "
                f"(strata={self._spec['strata']!r}, cluster={self._spec['cluster']!r}). "
                f"lonely_psu='fail' (the default) stops here; choose lonely_psu='remove' or "
                "'certainty' (the stratum adds nothing to the variance) or 'adjust' (centre "
                "it at the grand mean), as R's options(survey.lonely.psu=)"
            )
        c1, psu = psu_codes
        first = np.zeros(len(group_n), dtype=np.int64)
        first[psu[::-1]] = np.arange(len(psu))[::-1]
        labels1 = pd.factorize(self._data[psu_col], sort=True)[1]
        names = [labels1[c1[first[i]]] for i in idx]
        raise DesignError(
            f"{len(names)} PSU(s) ({psu_col}={_fmt_list(names, limit=8)}) have only one "
            f"second-stage unit at stage 2, so the stage-2 variance cannot be estimated. "
            "lonely_psu='fail' (the default) stops here; choose lonely_psu='remove', "
            "'certainty' or 'adjust', as R's options(survey.lonely.psu=)"
        )

    def _weights(self, column):
        self._check_column(column, "weights")
        s = self._data[column]
        try:
            w = pd.to_numeric(s, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise DesignError(
                f"weights={column!r} must be numeric sampling weights; got dtype {s.dtype}"
            ) from None
        problems = []
        for label, bad in (
            ("missing", np.isnan(w)),
            ("zero", w == 0),
            ("negative", w < 0),
            ("infinite", np.isinf(w)),
        ):
            if bad.any():
                rows = np.flatnonzero(bad)
                problems.append(
                    f"{len(rows)} {label} (first at row position(s) "
                    f"{_fmt_list(rows[:5].tolist())})"
                )
        if problems:
            raise DesignError(
                f"weights={column!r} must be positive, finite and non-missing sampling "
                f"weights; found {'; '.join(problems)}. Drop those rows before building the "
                "design, or estimate on a domain (by=) instead"
            )
        return w

    def _numeric(self, var, param="var", allow_bool=True):
        self._check_column(var, param)
        s = self._data[var]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
        ):
            raise DesignError(
                f"{param}={var!r} must be a numeric column; it has dtype {s.dtype}. "
                "For the share of a category use proportion(var, level=...)"
            )
        return s.to_numpy(dtype=float, na_value=np.nan)

    @staticmethod
    def _alpha(conf_level):
        if not isinstance(conf_level, (int, float)) or not 0 < conf_level < 1:
            raise DesignError(f"conf_level must be a number between 0 and 1; got {conf_level!r}")
        return 1.0 - float(conf_level)

    # ------------------------------------------------------------------ domains
    def _domains(self, by):
        """Domain code per row (-1: in no domain) and the frame of domain labels."""
        if by is None:
            return np.zeros(self._n, dtype=np.int64), None, 1
        names = [by] if isinstance(by, str) else by
        if not isinstance(names, (list, tuple)) or not names or not all(
            isinstance(b, str) for b in names
        ):
            raise DesignError(f"by must be a column name or a list of column names; got {by!r}")
        codes = np.zeros(self._n, dtype=np.int64)
        missing = np.zeros(self._n, dtype=bool)
        level_lists = []
        for name in names:
            self._check_column(name, "by")
            s = self._data[name]
            if isinstance(s.dtype, pd.CategoricalDtype):
                c = s.cat.codes.to_numpy().astype(np.int64)
                levels = s.cat.categories
                level_lists.append(pd.Categorical(levels, categories=levels,
                                                  ordered=s.cat.ordered))
            else:
                c, levels = pd.factorize(s, sort=True)
                c = c.astype(np.int64)
                level_lists.append(pd.array(levels, dtype=s.dtype)
                                   if len(levels) else pd.array([], dtype=s.dtype))
            missing |= c < 0
            codes = codes * len(levels) + np.where(c < 0, 0, c)
        codes[missing] = -1
        sizes = [len(lv) for lv in level_lists]
        n_dom = int(np.prod(sizes)) if sizes else 1
        # labels frame: product of levels, first column slowest
        idx = np.indices(sizes).reshape(len(sizes), -1) if n_dom else np.zeros((len(sizes), 0),
                                                                                dtype=int)
        cols = {}
        for name, lv, ix in zip(names, level_lists, idx, strict=True):
            cols[name] = lv.take(ix) if len(lv) else lv
        labels = pd.DataFrame(cols)
        return codes, labels, n_dom

    def _attrs(self) -> dict:
        """The data's scalar ``attrs`` (source, synthetic, ...) for a result table."""
        return {k: v for k, v in self._data.attrs.items()
                if v is None or isinstance(v, (str, bool, int, float))}

    def _frame(self, labels, stats: dict) -> pd.DataFrame:
        out = pd.DataFrame(stats)
        if labels is not None:
            out = pd.concat([labels.reset_index(drop=True), out], axis=1)
        out.attrs = self._attrs()
        return out

    # ------------------------------------------------------------------ variance core
    def _variance(self, scores: _lin.Scores, diag: bool = True) -> np.ndarray:
        """Variances (``diag``) or covariance matrix of the totals of K row scores."""
        k = scores.k
        if not self._raking and scores.is_sparse and diag:
            v = np.zeros(k)
            for st in self._stages:
                v += _lin.stage_var_domains(st, scores.rows, scores.values, scores.cols, k)
            return v
        coef = None
        if self._raking:
                coef = _rake.backfit(scores, self._raking)
        v = np.zeros(k) if diag else np.zeros((k, k))
        for st in self._stages:
            if coef is None:
                totals = scores.group_sums(st.unit, st.n_units)
            else:
                totals = _rake.residual_unit_totals(scores, st.unit, st.n_units,
                                                    self._raking, coef)
            v += _lin.stage_cov_from_totals(st, totals, diag=diag)
        return v

    def _var_domains(self, rows, u, d, n_dom) -> np.ndarray:
        """Variance of D domain estimates whose row scores are ``u`` at ``rows``/``d``."""
        return self._variance(_lin.Scores.sparse(self._n, n_dom, rows, d, u))

    def _domain_df(self, mask, d, n_dom):
        n_rows, n_units, n_strata = _lin.domain_counts(
            self._psu, self._stratum, mask, d, n_dom, self._n_psu, self._n_strata
        )
        return n_rows, n_units - n_strata

    def _prepare(self, values, by):
        """Rows that enter the estimate (non-missing, in a domain) and their domains."""
        d_all, labels, n_dom = self._domains(by)
        ok = ~np.isnan(values) & (d_all >= 0)
        rows = np.flatnonzero(ok)
        return rows, d_all[rows], ok, d_all, labels, n_dom

    def _t_crit(self, alpha, df):
        return _intervals.t_critical(alpha, df)

    # ------------------------------------------------------------------ estimators
    def mean(self, var: str, by=None, *, conf_level: float = 0.95) -> pd.DataFrame:
        """Design-based mean of ``var``, overall or per domain.

        Parameters
        ----------
        var : str
            Numeric (or boolean) column. Missing values are dropped as a domain
            (R ``na.rm=TRUE``).
        by : str or list of str, optional
            Domain column(s). Each domain is estimated from the full design. A
            category with no rows gives a row with ``n = 0`` and missing estimates.
        conf_level : float, default 0.95
            Confidence level of the interval.

        Returns
        -------
        pandas.DataFrame
            One row per domain: the ``by`` columns, then ``estimate`` (weighted
            mean :math:`\\sum w y / \\sum w`), ``se`` (Taylor linearisation),
            ``ci_low``, ``ci_high`` (:math:`\\pm t_{df}` SE), ``df`` (PSUs minus strata
            in the domain), ``n`` (rows used), ``deff`` (design effect: variance over
            that of simple random sampling of the same size; without replacement
            from a population of :math:`\\sum w` when the design has an fpc, as R's
            ``deff=TRUE``, otherwise with replacement, as R's ``deff="replace"``).

        Notes
        -----
        Agrees with R ``survey`` 4.1.1 ``svymean`` / ``svyby(..., svymean, deff=TRUE)``
        on the ``api`` data to at least six significant figures.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 8.0], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> round(float(SurveyDesign(df, weights="w").mean("y")["estimate"].iloc[0]), 4)
        4.5
        """
        alpha = self._alpha(conf_level)
        y = self._numeric(var)
        rows, d, ok, _, labels, n_dom = self._prepare(y, by)
        est, se, wsum, n_rows = self._mean_core(y, rows, d, n_dom)
        n_rows, df = self._domain_df(ok, self._domain_codes_for(ok, rows, d), n_dom)
        deff = self._deff_mean(y, rows, d, n_dom, est, se, wsum, n_rows)
        return self._finish(labels, est, se, df, n_rows, alpha, deff=deff)

    def _domain_codes_for(self, ok, rows, d):
        full = np.full(self._n, -1, dtype=np.int64)
        full[rows] = d
        return np.where(ok, full, 0)

    def _mean_core(self, y, rows, d, n_dom):
        w = self._w[rows]
        yy = y[rows]
        wsum = np.bincount(d, weights=w, minlength=n_dom)
        ysum = np.bincount(d, weights=w * yy, minlength=n_dom)
        n_rows = np.bincount(d, minlength=n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = ysum / wsum
            u = w * (yy - est[d]) / wsum[d]
        var = self._var_domains(rows, u, d, n_dom)
        se = np.sqrt(np.maximum(var, 0.0))
        empty = n_rows == 0
        est[empty] = np.nan
        se[empty] = np.nan
        return est, se, wsum, n_rows

    def _svyvar(self, values, rows, d, n_dom, centre, wsum, n_rows):
        """R's svyvar: weighted variance with the n/(n-1) factor, per domain."""
        w = self._w[rows]
        dev = values - centre[d]
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.bincount(d, weights=w * dev * dev, minlength=n_dom) / wsum
                    * n_rows / (n_rows - 1.0))

    def _deff_mean(self, y, rows, d, n_dom, est, se, wsum, n_rows):
        s2 = self._svyvar(y[rows], rows, d, n_dom, est, wsum, n_rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            vsrs = s2 / n_rows
            if self._has_fpc:
                vsrs = vsrs * (wsum - n_rows) / wsum
            return se**2 / vsrs

    def _finish(self, labels, est, se, df, n_rows, alpha, deff=None, extra=None):
        t = self._t_crit(alpha, df)
        stats = {
            "estimate": est,
            "se": se,
            "ci_low": est - t * se,
            "ci_high": est + t * se,
            "df": np.asarray(df, dtype=np.int64),
            "n": np.asarray(n_rows, dtype=np.int64),
        }
        if deff is not None:
            stats["deff"] = deff
        if extra:
            stats.update(extra)
        return self._frame(labels, stats)

    def total(self, var: str, by=None, *, conf_level: float = 0.95) -> pd.DataFrame:
        """Design-based (Horvitz-Thompson) total of ``var``, overall or per domain.

        Parameters
        ----------
        var : str
            Numeric (or boolean) column; missing values dropped as a domain.
        by : str or list of str, optional
            Domain column(s), estimated from the full design.
        conf_level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            ``by`` columns, ``estimate`` (:math:`\\sum w y` over the domain), ``se``,
            ``ci_low``, ``ci_high``, ``df``, ``n``, ``deff`` (as R's ``svytotal``
            ``deff``; see :meth:`mean` for the SRS reference).

        Notes
        -----
        Agrees with R ``survey`` 4.1.1 ``svytotal`` / ``svyby(..., svytotal)``.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 8.0], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> float(SurveyDesign(df, weights="w").total("y")["estimate"].iloc[0])
        27.0
        """
        alpha = self._alpha(conf_level)
        y = self._numeric(var)
        rows, d, ok, _, labels, n_dom = self._prepare(y, by)
        w = self._w[rows]
        u = w * y[rows]
        est = np.bincount(d, weights=u, minlength=n_dom)
        wsum = np.bincount(d, weights=w, minlength=n_dom)
        se = np.sqrt(np.maximum(self._var_domains(rows, u, d, n_dom), 0.0))
        n_rows, df = self._domain_df(ok, self._domain_codes_for(ok, rows, d), n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(d, weights=u, minlength=n_dom) / wsum
        s2 = self._svyvar(y[rows], rows, d, n_dom, mean, wsum, n_rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            vsrs = s2 * wsum**2 / n_rows
            if self._has_fpc:
                vsrs = vsrs * (wsum - n_rows) / wsum
            deff = se**2 / vsrs
        empty = n_rows == 0
        est = est.astype(float)
        est[empty] = np.nan
        se[empty] = np.nan
        return self._finish(labels, est, se, df, n_rows, alpha, deff=deff)

    def ratio(self, numerator: str, denominator: str, by=None, *,
              conf_level: float = 0.95) -> pd.DataFrame:
        """Ratio of two totals, :math:`\\hat R = \\sum w y / \\sum w x`, e.g. babies per adult.

        Parameters
        ----------
        numerator, denominator : str
            Numeric columns. Rows where either is missing are dropped as a domain.
        by : str or list of str, optional
            Domain column(s), estimated from the full design.
        conf_level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            ``by`` columns, ``estimate`` (the ratio), ``se`` (linearisation with
            score :math:`w(y - \\hat R x)/\\hat T_x`), ``ci_low``, ``ci_high``, ``df``,
            ``n``, ``deff`` (R's ``svyratio(deff=TRUE)``: design effect of the total
            of the ratio residuals).

        Notes
        -----
        Agrees with R ``survey`` 4.1.1 ``svyratio`` / ``svyby(..., svyratio)``.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> rooms = pd.DataFrame({"group_size": [9, 12, 6], "staff_in_room": [3, 4, 2]})
        >>> float(SurveyDesign(rooms).ratio("group_size", "staff_in_room")["estimate"].iloc[0])
        3.0
        """
        alpha = self._alpha(conf_level)
        y = self._numeric(numerator, "numerator")
        x = self._numeric(denominator, "denominator")
        both = np.where(np.isnan(x), np.nan, y)
        rows, d, ok, _, labels, n_dom = self._prepare(both, by)
        w = self._w[rows]
        ty = np.bincount(d, weights=w * y[rows], minlength=n_dom)
        tx = np.bincount(d, weights=w * x[rows], minlength=n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = ty / tx
            r = (y[rows] - est[d] * x[rows]) / tx[d]
        u = w * r
        se = np.sqrt(np.maximum(self._var_domains(rows, u, d, n_dom), 0.0))
        n_rows, df = self._domain_df(ok, self._domain_codes_for(ok, rows, d), n_dom)
        wsum = np.bincount(d, weights=w, minlength=n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            rbar = np.bincount(d, weights=u, minlength=n_dom) / wsum
            s2 = self._svyvar(r, rows, d, n_dom, rbar, wsum, n_rows)
            vsrs = s2 * wsum**2 / n_rows
            if self._has_fpc:
                vsrs = vsrs * (wsum - n_rows) / wsum
            deff = se**2 / vsrs
        empty = n_rows == 0
        est[empty] = np.nan
        se[empty] = np.nan
        return self._finish(labels, est, se, df, n_rows, alpha, deff=deff)

    def _indicator(self, var, level):
        self._check_column(var, "var")
        s = self._data[var]
        isna = s.isna().to_numpy()
        if level is not None:
            if isinstance(s.dtype, pd.CategoricalDtype):
                allowed = list(s.cat.categories)
            else:
                allowed = sorted(pd.unique(s.dropna()).tolist(), key=str)
            levels = list(level) if isinstance(level, (list, tuple, set, frozenset)) else [level]
            unknown = [lv for lv in levels if lv not in allowed]
            if unknown or not levels:
                raise DesignError(
                    f"level={level!r} is not a value of {var!r}; allowed values are: "
                    f"{_fmt_list(allowed)}"
                )
            hit = s.isin(levels).to_numpy(dtype=bool, na_value=False)
            return np.where(isna, np.nan, hit.astype(float))
        if pd.api.types.is_bool_dtype(s.dtype):
            return s.to_numpy(dtype=float, na_value=np.nan)
        if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(
            s.dtype, pd.CategoricalDtype
        ):
            vals = s.to_numpy(dtype=float, na_value=np.nan)
            seen = np.unique(vals[~np.isnan(vals)])
            if np.isin(seen, [0.0, 1.0]).all():
                return vals
            shown = seen[:8].tolist()
        else:
            shown = sorted(pd.unique(s.dropna()).tolist(), key=str)[:8]
        raise DesignError(
            f"proportion(): column {var!r} is not binary (boolean or 0/1); its values include "
            f"{_fmt_list(shown)}. Pass level= to name the category whose share you want, "
            f"e.g. proportion({var!r}, level={_r(shown[0])})" if shown else
            f"proportion(): column {var!r} has no non-missing values"
        )

    def proportion(self, var: str, level=None, by=None, ci_method: str = "logit", *,
                   conf_level: float = 0.95) -> pd.DataFrame:
        """Design-based proportion with a survey confidence interval.

        Parameters
        ----------
        var : str
            Binary column (boolean, or numeric 0/1: the share of True / 1), or any
            column together with ``level``. Missing values dropped as a domain.
        level : scalar or list, optional
            Category of ``var`` whose share is estimated (required when ``var`` is
            not binary); a list counts any of its categories, e.g.
            ``["Agree", "Strongly agree"]``.
        by : str or list of str, optional
            Domain column(s), estimated from the full design.
        ci_method : str, default "logit"
            One of ``"logit"`` (R svyciprop "logit"/"xlogit"), ``"korn-graubard"``
            or its alias ``"beta"`` (R "beta"), ``"wald"`` (R "mean"), ``"asin"``
            (R "asin"), ``"wilson"`` and ``"clopper-pearson"`` (effective-sample-size
            versions, not in R). Formulas in the module docstring.
        conf_level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            ``by`` columns, ``estimate`` (proportion), ``se``, ``ci_low``,
            ``ci_high``, ``df``, ``n``, ``deff`` (as for :meth:`mean`).

        Notes
        -----
        Agrees with R ``survey`` 4.1.1 ``svyciprop`` (methods logit, xlogit, beta,
        mean, asin) on the ``api`` data, overall and per domain
        (``svyciprop(~y, subset(design, ...))``); wilson and clopper-pearson agree
        with ``statsmodels.stats.proportion.proportion_confint`` at the effective
        sample size. R's ``"likelihood"`` method (a profile-likelihood interval that
        R interpolates with splines) is not offered. The t-quantile ratio of the
        Korn-Graubard interval uses the rows of the domain; for a domain of a
        *raked* design R uses all rows of the design instead (its subsets of
        calibrated designs keep every row), so the two differ slightly there.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"cpd": [True, False, True, True]})
        >>> out = SurveyDesign(df).proportion("cpd")
        >>> float(out["estimate"].iloc[0])
        0.75
        """
        alpha = self._alpha(conf_level)
        if ci_method not in PROPORTION_CI_METHODS:
            raise DesignError(
                f"ci_method must be one of {_fmt_list(PROPORTION_CI_METHODS)}; "
                f"got {ci_method!r}"
            )
        y = self._indicator(var, level)
        rows, d, ok, _, labels, n_dom = self._prepare(y, by)
        est, se, wsum, n_rows = self._mean_core(y, rows, d, n_dom)
        n_rows, df = self._domain_df(ok, self._domain_codes_for(ok, rows, d), n_dom)
        deff = self._deff_mean(y, rows, d, n_dom, est, se, wsum, n_rows)
        lo, hi = _intervals.proportion_ci(est, se, df, n_rows, ci_method, alpha,
                                          logit_fallback=True)
        out = self._finish(labels, est, se, df, n_rows, alpha, deff=deff)
        out["ci_low"] = lo
        out["ci_high"] = hi
        return out

    # ------------------------------------------------------------------ quantiles
    def quantile(self, var: str, q=0.5, by=None, *, ci_method: str = "mean",
                 conf_level: float = 0.95) -> pd.DataFrame:
        """Design-based quantile(s) with Woodruff confidence intervals.

        Parameters
        ----------
        var : str
            Numeric column; missing values dropped as a domain.
        q : float or sequence of float, default 0.5
            Probabilities in [0, 1].
        by : str or list of str, optional
            Domain column(s), estimated from the full design.
        ci_method : {"mean", "xlogit", "beta", "asin"}, default "mean"
            Interval for the proportion below the estimated quantile, mapped back
            through the weighted CDF (R ``svyquantile(interval.type=)``; ``"mean"`` is
            R 4.x's default, a Wald interval with design df).
        conf_level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            ``by`` columns, ``q``, ``estimate`` (:math:`\\min\\{x: \\hat F(x) \\ge q\\}`, R's
            ``qrule="math"``), ``se`` (interval width over :math:`2t_{df}`),
            ``ci_low``, ``ci_high`` (Woodruff; missing where the interval for the
            proportion leaves [0, 1], as in R), ``df``, ``n``.

        Notes
        -----
        Agrees with R ``survey`` 4.1.1 ``svyquantile`` (defaults ``qrule="math"``,
        ``interval.type="mean"``). One deliberate difference: for
        :math:`q < w_{(1)}/\\sum w` R 4.1.1's ``qrule_math`` returns the
        *second*-smallest value (its helper ``last()`` returns 1 when no cumulative
        weight is at most :math:`q \\sum w`); here the smallest value is returned,
        as the definition says.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"y": [3.0, 1.0, 2.0, 5.0, 4.0]})
        >>> SurveyDesign(df).quantile("y", [0.5])[["q", "estimate", "n"]]
             q  estimate  n
        0  0.5       3.0  5
        """
        alpha = self._alpha(conf_level)
        if ci_method not in QUANTILE_CI_METHODS:
            raise DesignError(
                f"ci_method must be one of {_fmt_list(QUANTILE_CI_METHODS)}; got {ci_method!r}"
            )
        qs = _quantiles.as_probabilities(q)
        y = self._numeric(var)
        rows, d, ok, _, labels, n_dom = self._prepare(y, by)
        n_rows, df = self._domain_df(ok, self._domain_codes_for(ok, rows, d), n_dom)
        cdf = _quantiles.WeightedCDF(y[rows], self._w[rows], d, n_dom)
        pieces = []
        t = self._t_crit(alpha, df)
        for p in qs:  # loop over requested probabilities, not over groups
            est = cdf.quantile(np.full(n_dom, p))
            below = (y[rows] <= est[d]).astype(float)
            ind = np.full(self._n, np.nan)
            ind[rows] = below
            pm, pse, _, _ = self._mean_core(ind, rows, d, n_dom)
            lo_p, hi_p = _intervals.proportion_ci(pm, pse, df, n_rows,
                                        _QUANTILE_TO_PROPORTION[ci_method], alpha, clip=False)
            with np.errstate(invalid="ignore"):
                lo_p = np.where(np.isnan(lo_p) | (lo_p < 0), np.nan, lo_p)
                hi_p = np.where(np.isnan(hi_p) | (hi_p > 1), np.nan, hi_p)
            lo = cdf.quantile(lo_p)
            hi = cdf.quantile(hi_p)
            se = (hi - lo) / (2 * t)
            stats = {
                "q": np.full(n_dom, p),
                "estimate": est,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
                "df": np.asarray(df, dtype=np.int64),
                "n": np.asarray(n_rows, dtype=np.int64),
            }
            pieces.append(self._frame(labels, stats))
        out = pd.concat(pieces, ignore_index=True)
        if len(qs) > 1 and labels is not None:
            order = np.argsort(np.tile(np.arange(n_dom), len(qs)), kind="stable")
            out = out.iloc[order].reset_index(drop=True)
        out.attrs = self._attrs()
        return out


    # ------------------------------------------------------------------ raking
    def rake(self, margins: Mapping, *, max_iter: int = 100, tol: float = 1e-7,
             trim=None) -> SurveyDesign:
        r"""A new design whose weights match population margins (raking / IPF).

        Parameters
        ----------
        margins : dict
            ``{column: {category: population total, ...}, ...}``, e.g.
            ``{"region": {"London": 3500, ...}, "setting_type": {...}}``. Every
            category present in the data must have a positive total; a category
            with a positive total must be present in the data (else the weights
            cannot reach it). Categories with total 0 that are absent from the
            data are ignored.
        max_iter : int, default 100
            Maximum number of passes over the margins (R's ``control$maxit``).
        tol : float, default 1e-7
            Stop when no cell of the joint weighted table of the margin columns
            changes by more than ``tol * sum(weights)`` in a pass (R's
            ``control$epsilon`` below 1).
        trim : float or (float, float), optional
            Bounds on the ratio of raked to original weight, applied after every
            pass: ``(low, high)``, or a single ``b > 1`` meaning ``(1/b, b)``.
            With trimming the margins are met only approximately; see
            ``rake_info["margins"]``.

        Returns
        -------
        SurveyDesign
            Same data and design, raked weights. Standard errors of every later
            estimate reflect the raking (residuals of the scores from the margins,
            as R's ``rake()``/``svyrecvar``). ``.rake_info`` is a dict with
            ``converged``, ``iterations``, ``max_change``, ``tol``, ``trimmed``
            (rows at a trim bound), ``deff_weights`` (Kish's design effect of
            the weights, :math:`n\sum w^2/(\sum w)^2`), ``n_effective`` (Kish's
            effective sample size, :math:`(\sum w)^2/\sum w^2`), ``weight_ratio_min``,
            ``weight_ratio_max`` and ``margins`` (DataFrame: ``variable, category,
            target, before, after``).

        Raises
        ------
        DesignError
            A margin names a column not in the data, a category absent from the
            data, or misses a category present in the data; totals not positive.
        ConvergenceError
            No convergence within ``max_iter`` passes.

        Notes
        -----
        Agrees with R ``survey`` 4.1.1 ``rake(design, ..., control=list(maxit=,
        epsilon=))`` followed by ``svymean``/``svytotal``/``svyby`` on the ``api``
        data (estimates and standard errors).

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"region": ["A", "A", "B", "B"], "y": [1.0, 2.0, 3.0, 4.0]})
        >>> raked = SurveyDesign(df).rake({"region": {"A": 30, "B": 10}})
        >>> raked.weights.tolist()
        [15.0, 15.0, 5.0, 5.0]
        >>> raked.rake_info["converged"]
        True
        """
        return _rake.rake(self, margins, max_iter=max_iter, tol=tol, trim=trim)

    # ------------------------------------------------------------------ tests
    def chisq(self, var1: str, var2: str) -> pd.DataFrame:
        r"""Rao-Scott test of independence of two categorical columns.

        Parameters
        ----------
        var1, var2 : str
            Columns (any type); rows missing either are dropped as a domain.
            Categories without rows are ignored (as R's ``factor()``).

        Returns
        -------
        pandas.DataFrame
            One row: ``statistic`` (Rao-Scott F: :math:`X^2/\operatorname{tr}\hat\Delta`),
            ``ndf`` (:math:`d=(\operatorname{tr}\hat\Delta)^2/\operatorname{tr}\hat\Delta^2`),
            ``ddf`` (:math:`d\,\nu`, :math:`\nu` the design df), ``p_value``,
            ``chisq`` (Pearson :math:`X^2` of the weighted table scaled to the number
            of rows), ``mean_deff`` (mean generalised design effect
            :math:`\operatorname{tr}\hat\Delta/((r-1)(c-1))`), ``n`` (rows used),
            ``method``.

        Notes
        -----
        Second-order Rao & Scott (1984) correction, computed as R ``survey`` 4.1.1
        ``svychisq(~var1 + var2, design, statistic = "F")`` (the default), with which
        it agrees on the ``api`` data.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("ppqqpqqp")})
        >>> out = SurveyDesign(df).chisq("a", "b")
        >>> list(out.columns)[:4]
        ['statistic', 'ndf', 'ddf', 'p_value']
        """
        return _tests.rao_scott(self, var1, var2)

    def wald_test_means(self, var: str, by, *, conf_level: float = 0.95) -> pd.DataFrame:
        r"""Design-based Wald test that the means of ``var`` are equal across domains.

        Parameters
        ----------
        var : str
            Numeric column; missing values dropped as a domain.
        by : str or list of str
            Domain column(s); domains without rows are left out.
        conf_level : float, default 0.95
            Confidence level of the difference (two groups only).

        Returns
        -------
        pandas.DataFrame
            One row: ``contrast`` (e.g. ``"M - E"``; for more than two groups
            ``"equal means (k groups)"``), ``estimate``, ``se``, ``ci_low``,
            ``ci_high`` (difference of the second and first domain means, two groups
            only; otherwise missing), ``statistic`` (Wald F:
            :math:`\hat\beta^\top \hat V_\beta^{-1}\hat\beta / k` for the
            :math:`k` differences from the first domain), ``ndf`` (:math:`k`),
            ``ddf`` (design df minus :math:`k`), ``p_value``, ``n``, ``method``.

        Notes
        -----
        With two groups the F equals the square of R ``svyttest(var ~ group)``'s t
        (same df, same p-value); with more, it is R's ``regTermTest(svyglm(var ~
        group), ~group)`` Wald F. Checked against R ``survey`` 4.1.1.

        Examples
        --------
        >>> import pandas as pd
        >>> from baby_room.survey.design import SurveyDesign
        >>> df = pd.DataFrame({"g": list("aaabbb"), "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
        >>> float(SurveyDesign(df).wald_test_means("y", by="g")["estimate"].iloc[0])
        3.0
        """
        return _tests.wald_means(self, var, by, conf_level=conf_level)



# ---------------------------------------------------------------------- helpers
def _factorize(keys):
    return pd.factorize(keys, sort=True)[0].astype(np.int64)

