"""Fay-Herriot EBLUP and Prasad-Rao MSE against samplics 0.6.1 and a direct REML maximisation.

Independent references:
- ``samplics.sae.EblupAreaModel(method="REML")`` (samplics 0.6.1, Fisher scoring, MSE
  g1 + g2 + 2 g3): estimates, MSEs and sigma2_v to 1e-6;
- the restricted log-likelihood of Rao & Molina (2015, eq. 6.1.9) maximised with
  ``scipy.optimize.minimize_scalar`` (a different algorithm from Fisher scoring).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from baby_room.areas.fay_herriot import fay_herriot
from baby_room.errors import ArgumentError

samplics = pytest.importorskip("samplics")


def _areas(seed, m=40):
    rng = np.random.default_rng(seed)
    region = rng.choice(["North", "Midlands", "South"], m)
    x1 = rng.normal(size=m)
    theta = 12 + 0.8 * x1 + np.select([region == "North", region == "South"], [1.0, -0.5], 0)
    theta = theta + rng.normal(scale=0.7, size=m)
    psi = rng.uniform(0.2, 3.0, m)
    y = theta + rng.normal(size=m) * np.sqrt(psi)
    return pd.DataFrame({"area": [f"A{i:02d}" for i in range(m)], "estimate": y,
                         "variance": psi, "x1": x1, "region": region})


def _samplics(frame, xcols):
    from samplics.sae import EblupAreaModel
    from samplics.utils.types import FitMethod

    x = frame[xcols].to_numpy(dtype=float) if xcols else np.zeros((len(frame), 0))
    model = EblupAreaModel(method=FitMethod.reml)
    model.fit(yhat=frame["estimate"].to_numpy(), X=x, area=frame["area"].to_numpy(),
              error_std=np.sqrt(frame["variance"].to_numpy()), intercept=True, tol=1e-13,
              maxiter=500, re_std_start=1.0)
    model.predict(X=x, area=frame["area"].to_numpy(), intercept=True)
    return model


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_eblup_and_mse_equal_samplics(seed):
    frame = _areas(seed)
    dummies = pd.get_dummies(frame["region"], drop_first=True, dtype=float)
    wide = pd.concat([frame, dummies], axis=1)
    ours = fay_herriot(frame, covariates=["x1", "region"])
    ref = _samplics(wide, ["x1", *dummies.columns])
    assert ours.attrs["sigma2_v"] == pytest.approx(ref.re_std**2, abs=1e-6)
    est = np.array([ref.area_est[a] for a in frame["area"]])
    mse = np.array([ref.area_mse[a] for a in frame["area"]])
    np.testing.assert_allclose(ours["estimate"], est, atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours["mse"], mse, atol=1e-6, rtol=0)


def test_common_mean_model_equals_samplics():
    frame = _areas(7, m=15)
    ours = fay_herriot(frame)
    ref = _samplics(frame, [])
    np.testing.assert_allclose(ours["estimate"], [ref.area_est[a] for a in frame["area"]],
                               atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours["mse"], [ref.area_mse[a] for a in frame["area"]],
                               atol=1e-6, rtol=0)


def test_reml_maximises_the_restricted_likelihood():
    frame = _areas(4)
    y = frame["estimate"].to_numpy()
    psi = frame["variance"].to_numpy()
    x = np.column_stack([np.ones(len(y)), frame["x1"]])

    def neg_restricted_loglik(s2):  # Rao & Molina (2015) eq. 6.1.9, constants dropped
        v = s2 + psi
        xv = x / v[:, None]
        a = x.T @ xv
        beta = np.linalg.solve(a, xv.T @ y)
        r = y - x @ beta
        return 0.5 * (np.sum(np.log(v)) + np.linalg.slogdet(a)[1] + np.sum(r**2 / v))

    best = optimize.minimize_scalar(neg_restricted_loglik, bounds=(0, 20), method="bounded",
                                    options={"xatol": 1e-10})
    ours = fay_herriot(frame, covariates=["x1"])
    assert ours.attrs["sigma2_v"] == pytest.approx(best.x, abs=1e-6)


def test_shrinkage_is_stronger_where_sampling_variance_is_larger():
    frame = _areas(5)
    fh = fay_herriot(frame, covariates=["x1"])
    order = np.argsort(frame["variance"].to_numpy())
    assert np.all(np.diff(fh["gamma"].to_numpy()[order]) <= 1e-12)
    # the modelled estimate is more precise than the direct one in every area
    assert (fh["mse"] < frame["variance"]).all()


def test_bad_variance_is_an_argument_error():
    frame = _areas(6).assign(variance=0.0)
    with pytest.raises(ArgumentError, match="positive sampling variance"):
        fay_herriot(frame)


def test_modelled_area_estimates_are_samplics_on_the_briefing_inputs():
    """The briefings' modelled estimates: direct area means, psi = S^2 / n, region dummies."""
    import baby_room as br
    from baby_room.areas.estimates import area_estimates
    from baby_room.areas.lookup import add_la_codes, local_authorities
    from baby_room.areas.modelled import modelled_estimates

    survey = add_la_codes(br.synthetic.survey())
    survey["local_authority"] = survey["la_name"]
    survey = survey.drop(columns=["la_code", "la_name"])
    direct = area_estimates(survey)
    region_of = local_authorities().set_index("la_name")["region_name"].to_dict()
    ours = modelled_estimates(survey, direct, level="local_authority", region_of=region_of)
    ours = ours[ours["indicator"] == "mean_group_size"].reset_index(drop=True)
    g = br.survey.rooms(survey)["group_size"].astype(float)
    frame = pd.DataFrame({"area": ours["area"], "estimate": ours["direct"],
                          "variance": g.var(ddof=1) / ours["n"]})
    dummies = pd.get_dummies(frame["area"].map(region_of), drop_first=True, dtype=float)
    ref = _samplics(pd.concat([frame, dummies], axis=1), list(dummies.columns))
    np.testing.assert_allclose(ours["estimate"], [ref.area_est[a] for a in frame["area"]],
                               atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours["se"] ** 2, [ref.area_mse[a] for a in frame["area"]],
                               atol=1e-6, rtol=0)
