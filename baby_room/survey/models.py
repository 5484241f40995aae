"""Count models of baby-room group size (babies per room).

:func:`fit_group_size_model` fits a Poisson or negative-binomial GLM to the room table (each
room counted once, :func:`baby_room.survey.indicators.rooms`) and returns rate ratios with
robust confidence intervals as a tidy table (``docs/result-contract.md``).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from baby_room._args import check_conf_level, check_frame, one_of, result_attrs
from baby_room.errors import ArgumentError, ConvergenceError
from baby_room.survey._common import check_design, describe_design, room_level

__all__ = ["fit_group_size_model"]

_FAMILIES = ("poisson", "negative_binomial")
_COV_TYPES = ("cluster", "HC0")


def _plain_numeric(table: pd.DataFrame) -> pd.DataFrame:
    """Nullable numeric/boolean columns to float64 with NaN (patsy does not read pd.NA)."""
    out = table.copy()
    for c in out.columns:
        dt = out[c].dtype
        if isinstance(dt, pd.CategoricalDtype):
            continue
        if pd.api.types.is_bool_dtype(dt) or pd.api.types.is_numeric_dtype(dt):
            out[c] = pd.to_numeric(out[c].astype("Float64"), errors="coerce").to_numpy(
                dtype=float, na_value=np.nan)
        elif pd.api.types.is_string_dtype(dt):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def fit_group_size_model(
    data: pd.DataFrame,
    formula: str,
    *,
    design=None,
    family: str = "poisson",
    cov_type: str = "cluster",
    cluster: str | None = None,
    dispersion: float | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Fit a count model of group size and return rate ratios with robust CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table; the model is fitted to its room table (each room once).
    formula : str
        A patsy formula on room-table columns, e.g.
        ``"group_size ~ C(setting_type) + region"``. The outcome is normally ``group_size``.
    design : SurveyDesign, optional
        Design built on ``data``. The weights of its room-level design
        (:func:`baby_room.survey.indicators.room_design`: carried through the chosen
        respondent, raking applied again to the room table) become the GLM's sampling
        weights (``var_weights``: the pseudo-likelihood with weighted scores);
        its cluster column, if any, becomes the default cluster. Strata are not used
        (conservative for the SEs).
    family : {"poisson", "negative_binomial"}, default "poisson"
        GLM family (log link). For the negative binomial (NB2), ``dispersion`` is its
        alpha (Var = mu + alpha mu^2); when None it is the maximum-likelihood estimate from an unweighted
        ``statsmodels`` NB2 regression with the same formula.
    cov_type : {"cluster", "HC0"}, default "cluster"
        Robust covariance: clustered by ``cluster`` (with statsmodels' small-sample factor
        G/(G-1) (N-1)/(N-K)) or heteroskedasticity-robust HC0.
    cluster : str, optional
        Cluster column for ``cov_type="cluster"``; default the design's cluster, else
        ``setting_id`` (rooms in one nursery are not independent).
    dispersion : float, optional
        Negative-binomial dispersion alpha (see ``family``).
    conf_level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per model term: ``term``, ``estimate`` (rate ratio exp(b)), ``se`` (its
        delta-method SE, exp(b) se(b)), ``ci_low``, ``ci_high`` (exp(b -/+ z se(b))), ``n``
        (rooms used), ``coef`` (b, log rate ratio), ``se_coef`` (robust SE of b),
        ``statistic`` (z = b / se(b)), ``p_value`` (two-sided, normal), ``test``.
        ``attrs`` records ``family``, ``cov_type``, ``cluster``, ``n_clusters``,
        ``dispersion``, ``weights``, ``formula``, ``conf_level``, ``design`` and the data
        source.

    Notes
    -----
    With sampling weights w_i the estimating equations are sum w_i x_i (y_i - mu_i) = 0 and
    the sandwich is A^-1 B A^-1 with A = sum w_i v_i x_i x_i' and B the sum over clusters of
    the outer products of the summed weighted scores; ``statsmodels`` GLM with
    ``var_weights`` computes exactly this (checked by hand in ``tests/test_survey_models.py``;
    statsmodels' warning that robust covariances are "not fully supported with var_weights"
    is silenced for that reason). Rate ratios are checked against a direct statsmodels fit.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": [f"S{i}" for i in range(8)], "room_id": ["R1"] * 8,
    ...     "setting_type": ["private", "voluntary"] * 4,
    ...     "group_size": [12, 8, 14, 6, 16, 9, 11, 7], "staff_in_room": [4, 3, 4, 2, 5, 3, 4, 3]})
    >>> m = fit_group_size_model(df, "group_size ~ setting_type", cov_type="HC0")
    >>> m["term"].tolist()
    ['Intercept', 'setting_type[T.voluntary]']
    >>> round(float(m["estimate"].iloc[1]), 3)  # 30 / 53 babies
    0.566
    """
    # statsmodels.api would also import the time-series, graphics and data-set modules
    import statsmodels.formula.api as smf
    from patsy import PatsyError
    from statsmodels.genmod import families

    from baby_room.survey._intervals import normal_quantile, normal_sf

    fn = "fit_group_size_model"
    if not isinstance(formula, str) or "~" not in formula:
        raise ArgumentError(fn, "formula", "a string like 'group_size ~ C(setting_type) + "
                            "region'", formula)
    one_of(family, _FAMILIES, function=fn, parameter="family")
    one_of(cov_type, _COV_TYPES, function=fn, parameter="cov_type")
    conf_level = check_conf_level(conf_level, function=fn)
    design = check_design(data, design, function=fn)
    table, room = room_level(data, design, function=fn)
    weights = None
    if design is not None:
        weights = "_design_weight"
        table = table.assign(_design_weight=room.weights)
        spec = design.spec
        if cluster is None and spec.get("cluster") is not None:
            c = spec["cluster"]
            cluster = c if isinstance(c, str) else list(c)[0]
    if cov_type == "cluster":
        cluster = cluster or "setting_id"
        check_frame(table, function=fn, parameter="cluster", columns=[cluster])
    frame = _plain_numeric(table)

    def build(fam):
        kw = {"missing": "drop"}
        if weights is not None:
            kw["var_weights"] = frame[weights].to_numpy(dtype=float)
        return smf.glm(formula, frame, family=fam, **kw)

    try:
        probe = build(families.Poisson())
    except PatsyError as exc:
        names = re.findall(r"name '([^']+)' is not defined", str(exc))
        if names:
            missing = [n for n in names if n not in table.columns]
            if missing:
                raise ArgumentError(
                    fn, "formula", "a formula on columns of the room table", formula,
                    hint=f"Not in the room table: {', '.join(map(repr, missing))}. Columns: "
                         f"{', '.join(map(str, table.columns))}") from None
        raise ArgumentError(fn, "formula", "a formula patsy can use on the room table",
                            formula, hint=str(exc)) from None
    rows = probe.data.row_labels
    if len(rows) < 2:
        raise ArgumentError(fn, "data", f"at least 2 rooms with every variable of {formula!r}",
                            data)
    nb_alpha = None
    if family == "negative_binomial":
        if dispersion is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = smf.negativebinomial(formula, frame.loc[rows]).fit(disp=0, maxiter=200)
            nb_alpha = float(nb.params["alpha"])
        else:
            nb_alpha = float(dispersion)
        model = build(families.NegativeBinomial(alpha=nb_alpha))
    else:
        model = probe
    fit_kw = {}
    if cov_type == "cluster":
        groups = pd.factorize(frame.loc[rows, cluster].astype("string").fillna("<missing>"))[0]
        fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
        n_clusters = int(len(np.unique(groups)))
        if n_clusters < 2:
            raise ArgumentError(fn, "cluster", "a column with at least 2 groups (or use "
                                "cov_type='HC0')", cluster)
    else:
        fit_kw = {"cov_type": "HC0"}
        n_clusters = None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="cov_type not fully supported")
        res = model.fit(**fit_kw)
    if not res.converged:
        raise ConvergenceError(f"{fn}: the {family} GLM did not converge")
    b, se = res.params, res.bse
    zq = normal_quantile(0.5 + conf_level / 2)
    bb, sb = b.to_numpy(), se.to_numpy()
    out = pd.DataFrame(
        {
            "term": pd.array(list(b.index), dtype="string"),
            "estimate": np.exp(bb),
            "se": np.exp(bb) * sb,
            "ci_low": np.exp(bb - zq * sb),
            "ci_high": np.exp(bb + zq * sb),
            "n": int(res.nobs),
            "coef": bb,
            "se_coef": sb,
            "statistic": bb / sb,
            "p_value": 2 * normal_sf(np.abs(bb / sb)),
            "test": pd.array(["Wald z"] * len(bb), dtype="string"),
        }
    )
    out.attrs = result_attrs(data, conf_level=conf_level, design=describe_design(design),
                             unit="rooms")
    out.attrs.update(
        family=family, cov_type=cov_type, cluster=cluster if cov_type == "cluster" else None,
        n_clusters=n_clusters, dispersion=nb_alpha,
        weights=None if design is None else "room weights of the design", formula=formula,
    )
    return out
