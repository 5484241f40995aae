"""Tests for baby_room.survey.likert.

References: pingouin.cronbach_alpha (alpha and Feldt interval), pandas value_counts and
statsmodels proportion_confint (unweighted shares), hand-computed weighted shares.
"""

import numpy as np
import pandas as pd
import pytest

from baby_room.codebook import LIKERT_LEVELS
from baby_room.errors import ArgumentError
from baby_room.survey.design import SurveyDesign
from baby_room.survey.likert import cronbach_alpha, likert_summary

ITEMS = ["valued_by_manager", "valued_by_parents", "valued_by_society"]


def make_likert(n=80, seed=7, missing=True):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    data = {}
    for item in ITEMS:
        score = np.clip(np.round(2 + latent + rng.normal(scale=0.9, size=n)), 0, 4).astype(int)
        values = [LIKERT_LEVELS[s] for s in score]
        data[item] = pd.Categorical(values, categories=LIKERT_LEVELS, ordered=True)
    df = pd.DataFrame(data)
    if missing:
        df.loc[[3, 10, 50], "valued_by_parents"] = np.nan
    df["role"] = pd.Categorical(rng.choice(["educator", "room_leader", "manager"], n),
                                categories=["educator", "room_leader", "manager"],
                                ordered=True)
    df["w"] = rng.uniform(0.5, 2.0, n)
    df.attrs.update(source="test survey", synthetic=True)
    return df


def test_cronbach_alpha_matches_pingouin_listwise():
    import pingouin as pg

    df = make_likert()
    codes = pd.DataFrame({c: df[c].cat.codes.replace(-1, np.nan) + 1 for c in ITEMS})
    # pingouin 0.7 takes n for the Feldt interval before its listwise deletion (80 here), so
    # it is given the complete cases (n = 77) to compare like with like
    ref_alpha, ref_ci = pg.cronbach_alpha(codes.dropna(), nan_policy="listwise")
    t = cronbach_alpha(df, ITEMS)
    assert t["estimate"].iloc[0] == pytest.approx(ref_alpha)
    # pingouin rounds its interval to 3 decimals
    assert t["ci_low"].iloc[0] == pytest.approx(ref_ci[0], abs=5e-4)
    assert t["ci_high"].iloc[0] == pytest.approx(ref_ci[1], abs=5e-4)
    assert t["n"].iloc[0] == 77 and t["k"].iloc[0] == 3  # three rows with a missing answer


def test_cronbach_alpha_pairwise_and_ci_level_match_pingouin():
    import pingouin as pg

    df = make_likert()
    codes = pd.DataFrame({c: df[c].cat.codes.replace(-1, np.nan) + 1 for c in ITEMS})
    ref_alpha, ref_ci = pg.cronbach_alpha(codes, nan_policy="pairwise", ci=0.9)
    t = cronbach_alpha(df, ITEMS, nan_policy="pairwise", conf_level=0.9)
    assert t["estimate"].iloc[0] == pytest.approx(ref_alpha)
    assert t["ci_low"].iloc[0] == pytest.approx(ref_ci[0], abs=5e-4)
    assert t["ci_high"].iloc[0] == pytest.approx(ref_ci[1], abs=5e-4)


def test_likert_summary_unweighted_shares_match_value_counts_and_proportion_confint():
    from statsmodels.stats.proportion import proportion_confint

    df = make_likert()
    t = likert_summary(df, ITEMS)
    item = "valued_by_parents"
    answered = df[item].dropna()
    n = len(answered)
    counts = answered.value_counts()
    for level in LIKERT_LEVELS:
        r = t[(t["item"] == item) & (t["measure"] == "share") & (t["level"] == level)]
        assert len(r) == 1
        k = int(counts[level])
        assert r["estimate"].iloc[0] == pytest.approx(k / n)
        assert r["n"].iloc[0] == n
        if 0 < k < n:
            lo, hi = proportion_confint(k, n, method="normal")
            # design SE: missing answers are a domain (R survey na.rm), so with N = all 80
            # rows SE = sqrt(p(1-p)/n) sqrt(N/(N-1)) = statsmodels' normal SE x sqrt(N/(N-1))
            big_n = len(df)
            assert r["se"].iloc[0] == pytest.approx((hi - lo) / 2 / 1.959963984540054
                                                    * np.sqrt(big_n / (big_n - 1)))
    agree = t[(t["item"] == item) & (t["measure"] == "share_agree")]
    k = int(counts["Agree"] + counts["Strongly agree"])
    assert agree["estimate"].iloc[0] == pytest.approx(k / n)
    assert agree["level"].iloc[0] == "Agree or Strongly agree"
    # levels appear in scale order for each item
    levels = t[(t["item"] == item)]["level"].tolist()
    assert levels == [*LIKERT_LEVELS, "Agree or Strongly agree"]


def test_likert_summary_weighted_by_role_matches_hand_weighted_share():
    df = make_likert()
    design = SurveyDesign(df, weights="w")
    t = likert_summary(df, ["valued_by_society"], by="role", design=design)
    sub = df[(df["role"] == "manager") & df["valued_by_society"].notna()]
    hit = sub["valued_by_society"].isin(["Agree", "Strongly agree"]).to_numpy()
    expected = np.sum(sub["w"] * hit) / np.sum(sub["w"])
    r = t[(t["role"] == "manager") & (t["measure"] == "share_agree")]
    assert r["estimate"].iloc[0] == pytest.approx(expected)
    assert list(t.columns[:4]) == ["role", "item", "measure", "level"]
    assert t.attrs["source"] == "test survey"


def test_likert_summary_empty_by_category_has_n_zero():
    df = make_likert()
    df["role"] = pd.Categorical(df["role"].astype(str),
                                categories=["educator", "room_leader", "manager", "cook"])
    t = likert_summary(df, ["valued_by_manager"], by="role")
    cook = t[t["role"].astype(str) == "cook"]
    assert len(cook) == 6
    assert (cook["n"] == 0).all() and cook["estimate"].isna().all()


def test_non_likert_items_are_clear_errors():
    df = make_likert()
    df["as_text"] = df["valued_by_manager"].astype("string")
    df["four_level"] = pd.Categorical(["Agree"] * len(df),
                                      categories=["Disagree", "Neutral", "Agree", "Strong"],
                                      ordered=True)
    df["unordered"] = pd.Categorical(df["valued_by_manager"].astype(str),
                                     categories=LIKERT_LEVELS, ordered=False)
    with pytest.raises(ArgumentError) as err:
        likert_summary(df, ["as_text"])
    assert str(err.value).startswith(
        "likert_summary: items must be ordered categoricals with the 5 levels")
    assert "Item 'as_text' is dtype string" in str(err.value)
    with pytest.raises(ArgumentError, match="(?s)four_level.*levels \\['Disagree', 'Neutral'"):
        likert_summary(df, ["four_level"])
    with pytest.raises(ArgumentError, match="(?s)cronbach_alpha: .*'unordered' is an unordered "
                                            "categorical"):
        cronbach_alpha(df, ["unordered", "valued_by_manager"])
    with pytest.raises(ArgumentError) as err:
        likert_summary(df, ["valued_by_boss"])
    assert "data must be a table with column(s) 'valued_by_boss'" in str(err.value)
    assert "valued_by_manager" in str(err.value)
    with pytest.raises(ArgumentError, match="at least two Likert columns"):
        cronbach_alpha(df, ["valued_by_manager"])
