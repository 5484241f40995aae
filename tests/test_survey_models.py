"""Tests for baby_room.survey.models.fit_group_size_model.

References: a direct statsmodels GLM fit on the hand-built room table, a sandwich variance
computed by hand with numpy, and statsmodels' discrete NegativeBinomial for the dispersion.
"""

import numpy as np
import pandas as pd
import pytest

from baby_room.errors import ArgumentError
from baby_room.survey.design import SurveyDesign
from baby_room.survey.models import fit_group_size_model


def make_survey(k=40, seed=4, overdispersed=False):
    """k settings with one or two rooms; room R1 of every third setting answered twice."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(k):
        st = rng.choice(["private", "voluntary", "maintained"])
        n_rooms = 1 + (i % 2)
        for r in range(n_rooms):
            mean = 13 if st == "private" else 10
            # gamma-Poisson mixture (negative binomial, alpha = 1/4) when overdispersed
            size = max(1, int(rng.poisson(mean * (rng.gamma(4, 1 / 4) if overdispersed else 1))))
            staff = max(1, int(np.ceil(size / 3)))
            rows.append(dict(setting_id=f"S{i}", room_id=f"R{r + 1}", role="manager",
                             setting_type=st, group_size=size, staff_in_room=staff,
                             w=float(rng.uniform(0.5, 3))))
            if i % 3 == 0 and r == 0:  # a second respondent describing the same room
                rows.append(dict(setting_id=f"S{i}", room_id="R1", role="educator",
                                 setting_type=st, group_size=size + 5, staff_in_room=staff,
                                 w=1.0))
    df = pd.DataFrame(rows)
    df["setting_type"] = pd.Categorical(df["setting_type"],
                                        categories=["private", "voluntary", "maintained"])
    df["group_size"] = df["group_size"].astype("Int64")
    df["staff_in_room"] = df["staff_in_room"].astype("Int64")
    df.attrs.update(source="test survey", synthetic=True)
    return df


def room_table(df):
    # hand: the manager's answer for each room (managers come first in make_survey)
    return df[df["role"] == "manager"].reset_index(drop=True)


def test_rate_ratios_match_direct_statsmodels_cluster_fit():
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    df = make_survey()
    rooms = room_table(df).astype({"group_size": float})
    ref = smf.glm("group_size ~ setting_type", rooms, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(rooms["setting_id"])[0]})
    out = fit_group_size_model(df, "group_size ~ setting_type")
    assert out["term"].tolist() == list(ref.params.index)
    np.testing.assert_allclose(out["estimate"], np.exp(ref.params), rtol=1e-8)
    ci = np.exp(ref.conf_int())
    np.testing.assert_allclose(out["ci_low"], ci[0], rtol=1e-8)
    np.testing.assert_allclose(out["ci_high"], ci[1], rtol=1e-8)
    np.testing.assert_allclose(out["p_value"], ref.pvalues, rtol=1e-6)
    assert out["n"].iloc[0] == len(rooms)
    assert out.attrs["n_clusters"] == 40 and out.attrs["cluster"] == "setting_id"
    # the intercept's rate ratio is the mean group size of private rooms (Poisson MLE)
    private = rooms.loc[rooms["setting_type"] == "private", "group_size"].mean()
    assert out["estimate"].iloc[0] == pytest.approx(private)


def test_weighted_hc0_sandwich_matches_hand_computation():
    df = make_survey()
    design = SurveyDesign(df, weights="w")
    out = fit_group_size_model(df, "group_size ~ setting_type", design=design, cov_type="HC0")
    rooms = room_table(df)
    x = np.column_stack([np.ones(len(rooms)),
                         (rooms["setting_type"] == "voluntary").to_numpy(float),
                         (rooms["setting_type"] == "maintained").to_numpy(float)])
    y = rooms["group_size"].to_numpy(float)
    w = rooms["w"].to_numpy()
    # weighted Poisson score equations solved in closed form (saturated in the groups):
    # exp(b0) = weighted mean of private rooms, etc.
    def wmean(mask):
        return np.sum(w[mask] * y[mask]) / np.sum(w[mask])
    priv = x[:, 1] + x[:, 2] == 0
    b = np.log([wmean(priv), wmean(x[:, 1] == 1) / wmean(priv), wmean(x[:, 2] == 1) / wmean(priv)])
    np.testing.assert_allclose(out["coef"], b, rtol=1e-7)
    mu = np.exp(x @ b)
    bread = (x * (w * mu)[:, None]).T @ x
    scores = x * (w * (y - mu))[:, None]
    v = np.linalg.inv(bread) @ (scores.T @ scores) @ np.linalg.inv(bread)
    np.testing.assert_allclose(out["se_coef"], np.sqrt(np.diag(v)), rtol=1e-6)
    assert out.attrs["weights"] == "room weights of the design"


def test_negative_binomial_uses_the_ml_dispersion():
    import statsmodels.formula.api as smf

    df = make_survey(k=80, overdispersed=True)
    rooms = room_table(df).astype({"group_size": float})
    nb = smf.negativebinomial("group_size ~ setting_type", rooms).fit(disp=0, maxiter=200)
    out = fit_group_size_model(df, "group_size ~ setting_type", family="negative_binomial")
    assert out.attrs["dispersion"] == pytest.approx(nb.params["alpha"], rel=1e-4)
    # saturated model: rate ratios are ratios of group means whatever the family
    np.testing.assert_allclose(out["coef"], nb.params.iloc[:3], rtol=1e-4, atol=1e-6)


def test_model_input_errors_are_clear():
    df = make_survey()
    with pytest.raises(ArgumentError) as err:
        fit_group_size_model(df, "group_size ~ sector")
    assert str(err.value).startswith("fit_group_size_model: formula must be a formula on")
    assert "Not in the room table: 'sector'" in str(err.value)
    assert "group_size" in str(err.value)
    with pytest.raises(ArgumentError,
                       match="family must be one of 'poisson', 'negative_binomial'"):
        fit_group_size_model(df, "group_size ~ 1", family="gamma")
    with pytest.raises(ArgumentError, match="formula must be a string like"):
        fit_group_size_model(df, "group_size")
    with pytest.raises(ArgumentError, match="cov_type must be one of 'cluster', 'HC0'; got 'HC3'"):
        fit_group_size_model(df, "group_size ~ 1", cov_type="HC3")
