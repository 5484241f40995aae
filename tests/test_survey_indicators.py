"""Tests for baby_room.survey.indicators.

Reference values come from scipy (t intervals), statsmodels (DescrStatsW, proportion_confint)
and hand calculations written out in the tests (the linearisation formulas of R ``survey``:
Var(total) = n/(n-1) sum (z_i - zbar)^2 over PSUs for a one-stage design without strata).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from baby_room.errors import ArgumentError
from baby_room.survey import indicators as ind
from baby_room.survey.design import SurveyDesign


def make_rooms(n=25, seed=3, regions=("London", "North East", "South West")):
    """One respondent per room; group size, staff and staff qualifications."""
    rng = np.random.default_rng(seed)
    staff = rng.integers(2, 7, n)
    l3 = np.minimum(staff, rng.integers(0, 4, n))
    l2 = np.minimum(staff - l3, rng.integers(0, 3, n))
    df = pd.DataFrame(
        {
            "respondent_id": [f"P{i}" for i in range(n)],
            "role": pd.Categorical(rng.choice(["educator", "room_leader", "manager"], n),
                                   categories=["educator", "room_leader", "manager"],
                                   ordered=True),
            "setting_id": [f"S{i}" for i in range(n)],
            "room_id": ["R1"] * n,
            "region": pd.Categorical(rng.choice(list(regions), n)),
            "local_authority": rng.choice(["Leeds", "York", "Hull", "Kent"], n),
            "group_size": pd.array(rng.integers(3, 26, n), dtype="Int64"),
            "staff_in_room": pd.array(staff, dtype="Int64"),
            "staff_level3": pd.array(l3, dtype="Int64"),
            "staff_level2": pd.array(l2, dtype="Int64"),
            "staff_baby_trained": pd.array(rng.integers(0, 4, n), dtype="Int64"),
            "cpd_baby_past_year": pd.array(rng.random(n) < 0.3, dtype="boolean"),
            "comments": ["private text"] * n,
        }
    )
    df.attrs.update(source="test survey", synthetic=True)
    return df


def row(table, **where):
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        mask &= (table[k].astype(object) == v).to_numpy() if v is not None else table[k].isna()
    sub = table[mask]
    assert len(sub) == 1, sub
    return sub.iloc[0]


# ----------------------------------------------------------------------------- rooms


def test_rooms_takes_the_manager_then_room_leader_then_educator():
    df = pd.DataFrame(
        {
            "setting_id": ["A", "A", "A", "B", "B", "C"],
            "room_id": ["R1", "R1", "R1", "R1", "R1", "R1"],
            "role": ["educator", "room_leader", "manager", "educator", "room_leader", "educator"],
            "group_size": [10, 11, 12, 8, 9, 6],
            "staff_in_room": [4, 4, 4, 3, 3, 2],
            "comments": ["x"] * 6,
        }
    )
    r = ind.rooms(df)
    # room A: manager (12); room B: room leader (9); room C: the only educator (6)
    assert r["group_size"].tolist() == [12, 9, 6]
    assert r["role"].tolist() == ["manager", "room_leader", "educator"]
    assert r["n_respondents"].tolist() == [3, 2, 1]
    assert "comments" not in r.columns
    assert r.attrs["n_rooms"] == 3 and r.attrs["n_respondents"] == 6
    assert r.attrs["n_rooms_shared"] == 2
    # A (10/11/12) and B (8/9) disagree on group size; staff agree
    assert r.attrs["n_rooms_conflicting"] == 2
    assert r.attrs["room_priority"] == "manager > room_leader > educator"
    c = ind.count_room_conflicts(df).set_index("column")
    assert c.loc["group_size", "rooms_conflicting"] == 2
    assert c.loc["staff_in_room", "rooms_conflicting"] == 0
    assert c.loc["any", "rooms_shared"] == 2


@pytest.mark.parametrize("old, new", [("conflicting_rooms", "list_room_conflicts"),
                                      ("room_conflicts", "count_room_conflicts")])
def test_renamed_room_conflict_functions_still_work_with_a_deprecation_warning(old, new):
    import baby_room.survey as sv

    with pytest.warns(DeprecationWarning, match=f"survey.{old} is now baby_room.survey.{new}"):
        function = getattr(sv, old)
    assert function is getattr(sv, new)
    assert old not in sv.__all__ and old not in dir(sv)


def test_rooms_first_in_row_order_breaks_ties_and_missing_ids_are_own_rooms():
    df = pd.DataFrame(
        {
            "setting_id": ["A", "A", None, None],
            "room_id": ["R1", "R1", "R1", "R1"],
            "role": ["educator", "educator", "educator", "educator"],
            "group_size": [10, 12, 5, 6],
            "staff_in_room": [4, 4, 2, 2],
        }
    )
    r = ind.rooms(df)
    assert r["group_size"].tolist() == [10, 5, 6]


def test_rooms_ratio_and_staffing_rules_by_hand():
    df = pd.DataFrame(
        {
            "setting_id": list("ABCDE"),
            "room_id": ["R1"] * 5,
            "group_size": [9, 10, 6, 12, 4],
            "staff_in_room": [3, 3, 1, 4, 3],
            "staff_level3": [1, 0, 1, 1, 2],
            "staff_level2": [1, 3, 0, 1, 0],
            "staff_baby_trained": [2, 1, 0, 2, 1],
        }
    )
    r = ind.rooms(df)
    # 9 <= 3*3 yes; 10 > 9 no; 6 > 3 no; 12 <= 12 yes; 4 <= 9 yes
    assert r["meets_eyfs_ratio"].tolist() == [True, False, False, True, True]
    assert r["rule_level3"].tolist() == [True, False, True, True, True]
    # others = staff - 1 if any L3 else staff; others at L2+ = L2 + L3 - lead
    # A: others 2, L2+ 1 -> 2 >= 2 yes; B: others 3, 3 -> yes; C: others 0 -> yes;
    # D: others 3, L2+ 1 -> 2 >= 3 no; E: others 2, L2+ 1 -> yes
    assert r["rule_half_others_level2"].tolist() == [True, True, True, False, True]
    # 2*trained >= staff: 4>=3, 2>=3 no, 0>=1 no, 4>=4, 2>=3 no
    assert r["rule_half_baby_trained"].tolist() == [True, False, False, True, False]
    assert r["rule_all"].tolist() == [True, False, False, False, False]
    np.testing.assert_allclose(r["babies_per_adult"].to_numpy(float), [3, 10 / 3, 6, 3, 4 / 3])


# ----------------------------------------------------------------------------- group size


def test_group_size_mean_ci_matches_scipy_t_interval_on_room_table():
    df = make_rooms()
    # a second respondent for room S0 with a different answer: must not be counted
    extra = df.iloc[[0]].assign(respondent_id="P99", role="educator", group_size=99)
    data = pd.concat([df, extra], ignore_index=True)
    data["role"] = data["role"].astype(df["role"].dtype)
    t = ind.group_size_summary(data)
    y = df["group_size"].to_numpy(float)
    if df["role"].iloc[0] == "educator":  # tie: first in row order (the original row) wins
        pass
    n = len(y)
    mean = row(t, measure="mean")
    lo, hi = stats.t.interval(0.95, n - 1, loc=y.mean(), scale=stats.sem(y))
    assert mean["estimate"] == pytest.approx(y.mean())
    assert mean["se"] == pytest.approx(stats.sem(y))
    assert (mean["ci_low"], mean["ci_high"]) == pytest.approx((lo, hi))
    assert mean["n"] == n and mean["df"] == n - 1
    assert row(t, measure="rooms")["estimate"] == n
    assert row(t, measure="sd")["estimate"] == pytest.approx(np.std(y, ddof=1))
    assert row(t, measure="min")["estimate"] == y.min()
    assert row(t, measure="max")["estimate"] == y.max()
    # odd n, so every quantile rule gives the middle value for the median
    assert row(t, measure="median")["estimate"] == pytest.approx(np.median(y))
    assert t.attrs["source"] == "test survey" and t.attrs["n_rooms_conflicting"] == 1


def test_group_size_shares_match_proportion_confint_and_hand_logit_interval():
    from statsmodels.stats.proportion import proportion_confint

    df = make_rooms()
    t = ind.group_size_summary(df, thresholds=(12,))
    y = df["group_size"].to_numpy(float)
    n, k = len(y), int((y <= 12).sum())
    p = k / n
    share = row(t, measure="share_at_or_below", threshold=12)
    assert share["estimate"] == pytest.approx(p)
    # statsmodels' normal interval half-width z*sqrt(p(1-p)/n); the design SE is
    # sqrt(p(1-p)/(n-1)) (s^2/n with s^2 the sample variance of the 0/1 values)
    lo, hi = proportion_confint(k, n, alpha=0.05, method="normal")
    z = stats.norm.ppf(0.975)
    assert share["se"] == pytest.approx((hi - lo) / 2 / z * np.sqrt(n / (n - 1)))
    # logit interval (R svyciprop method="logit"): expit(logit(p) -/+ t se / (p(1-p)))
    tq = stats.t.ppf(0.975, n - 1)
    half = tq * share["se"] / (p * (1 - p))
    expit = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    assert share["ci_low"] == pytest.approx(expit(np.log(p / (1 - p)) - half))
    assert share["ci_high"] == pytest.approx(expit(np.log(p / (1 - p)) + half))
    above = row(t, measure="share_above", threshold=12)
    assert above["estimate"] == pytest.approx(1 - p)


def test_group_size_by_with_empty_category_gives_n_zero_row():
    df = make_rooms()
    df["region"] = pd.Categorical(df["region"].astype(str),
                                  categories=["London", "North East", "South West", "Wales"])
    t = ind.group_size_summary(df, by="region", thresholds=(8,))
    empty = t[t["region"].astype(str) == "Wales"]
    assert set(empty["measure"]) == {"rooms", "mean", "sd", "q1", "median", "q3", "min",
                                       "max", "share_at_or_below", "share_above"}
    assert (empty["n"] == 0).all()
    assert empty["estimate"].drop(empty.index[empty["measure"] == "rooms"]).isna().all()
    london = df[df["region"] == "London"]["group_size"].to_numpy(float)
    assert row(t, region="London", measure="mean")["estimate"] == pytest.approx(london.mean())
    assert list(t.columns[:3]) == ["region", "measure", "threshold"]
    assert list(t["region"].cat.categories) == ["London", "North East", "South West", "Wales"]


def test_group_size_weighted_design_carries_weights_through_chosen_respondent():
    from statsmodels.stats.weightstats import DescrStatsW

    df = make_rooms()
    df["w"] = np.linspace(1, 3, len(df))
    # a manager also answered for room S1 with weight 10: the manager's row (and weight) wins
    extra = df.iloc[[1]].assign(respondent_id="PX", role="manager", group_size=20, w=10.0)
    data = pd.concat([df, extra], ignore_index=True)
    data["role"] = data["role"].astype(df["role"].dtype)
    design = SurveyDesign(data, weights="w")
    t = ind.group_size_summary(data, design=design)
    expected = df.copy()
    if df["role"].iloc[1] != "manager":
        expected.loc[1, ["group_size", "w"]] = [20, 10.0]
    d = DescrStatsW(expected["group_size"].to_numpy(float), weights=expected["w"].to_numpy())
    assert row(t, measure="mean")["estimate"] == pytest.approx(d.mean)
    assert row(t, measure="rooms")["n"] == len(df)
    # weighted SD as R survey's svyvar: sum w (y - m)^2 / sum w * n / (n - 1)
    y, w = expected["group_size"].to_numpy(float), expected["w"].to_numpy()
    n = len(y)
    sd = np.sqrt(np.sum(w * (y - d.mean) ** 2) / w.sum() * n / (n - 1))
    assert row(t, measure="sd")["estimate"] == pytest.approx(sd)
    table, room_d = ind.room_design(data, design=design)
    np.testing.assert_allclose(table["design_weight"], expected["w"])
    np.testing.assert_allclose(room_d.weights, expected["w"])


def test_missing_column_names_it_and_lists_available_columns():
    df = make_rooms().drop(columns="staff_in_room")
    with pytest.raises(ArgumentError) as err:
        ind.group_size_summary(df)
    msg = str(err.value)
    # the public function, the missing column and the columns data has
    assert msg.startswith("group_size_summary: data must be a table with column(s) ")
    assert "'staff_in_room'" in msg and "'group_size'" in msg
    with pytest.raises(ArgumentError, match=r"(?s)group_size_summary: by .*Not in data: 'sector'"):
        ind.group_size_summary(make_rooms(), by="sector")


def test_non_numeric_counts_are_a_clear_error():
    df = make_rooms()
    df["group_size"] = df["group_size"].astype("string")
    with pytest.raises(ArgumentError, match="group_size_summary: data must be a table whose "
                       "column 'group_size' holds whole numbers"):
        ind.group_size_summary(df)


def test_bad_thresholds_and_design_arguments_are_clear_errors():
    with pytest.raises(ArgumentError, match="thresholds must be a sequence of whole numbers"):
        ind.group_size_summary(make_rooms(), thresholds=("six",))
    with pytest.raises(ArgumentError, match="design must be a baby_room.survey.SurveyDesign"):
        ind.group_size_summary(make_rooms(), design="srs")


# ----------------------------------------------------------------------------- ratios


def test_ratio_summary_matches_hand_ratio_estimator():
    df = make_rooms()
    t = ind.ratio_summary(df)
    y = df["group_size"].to_numpy(float)
    x = df["staff_in_room"].to_numpy(float)
    n = len(y)
    r = y.sum() / x.sum()
    # linearised SE: z_i = (y_i - r x_i) / X; Var = n/(n-1) sum z_i^2
    z = (y - r * x) / x.sum()
    se = np.sqrt(n / (n - 1) * np.sum((z - z.mean()) ** 2))
    b = row(t, measure="babies_per_adult")
    assert b["estimate"] == pytest.approx(r)
    assert b["se"] == pytest.approx(se)
    meets = (y <= 3 * x).mean()
    assert row(t, measure="share_meeting_eyfs_ratio")["estimate"] == pytest.approx(meets)
    assert row(t, measure="share_over_eyfs_ratio")["estimate"] == pytest.approx(1 - meets)


def test_ratio_summary_by_region():
    df = make_rooms()
    t = ind.ratio_summary(df, by="region")
    sub = df[df["region"] == "London"]
    expected = sub["group_size"].sum() / sub["staff_in_room"].sum()
    assert row(t, region="London", measure="babies_per_adult")["estimate"] == pytest.approx(
        float(expected))


# ----------------------------------------------------------------------------- workforce


def test_workforce_summary_rules_mix_and_respondent_level_cpd():
    df = pd.DataFrame(
        {
            "setting_id": ["A", "A", "B", "C"],
            "room_id": ["R1", "R1", "R1", "R1"],
            "role": ["manager", "educator", "educator", "educator"],
            "group_size": [9, 9, 8, 12],
            "staff_in_room": [3, 3, 4, 4],
            "staff_level3": [1, 1, 0, 2],
            "staff_level2": [1, 1, 2, 1],
            "staff_baby_trained": [2, 2, 1, 2],
            "cpd_baby_past_year": pd.array([True, True, False, False], dtype="boolean"),
        }
    )
    t = ind.workforce_summary(df)
    # rooms: A (1 L3, 1 L2 of 3), B (0, 2 of 4), C (2, 1 of 4)
    assert row(t, measure="share_staff_level3")["estimate"] == pytest.approx(3 / 11)
    assert row(t, measure="share_staff_level2")["estimate"] == pytest.approx(4 / 11)
    assert row(t, measure="share_staff_below_level2")["estimate"] == pytest.approx(4 / 11)
    assert row(t, measure="rule_level3")["estimate"] == pytest.approx(2 / 3)
    # A: others 2, L2+ 1 -> yes; B: others 4, L2+ 2 -> yes; C: others 3, L2+ 2 -> yes
    assert row(t, measure="rule_half_others_level2")["estimate"] == pytest.approx(1)
    # 2*trained >= staff: A 4>=3, B 2>=4 no, C 4>=4
    assert row(t, measure="rule_half_baby_trained")["estimate"] == pytest.approx(2 / 3)
    # all three: A yes, B no (no Level 3), C yes
    assert row(t, measure="rule_all")["estimate"] == pytest.approx(2 / 3)
    cpd = row(t, measure="cpd_baby_past_year")
    assert cpd["unit"] == "respondent" and cpd["n"] == 4  # every respondent counts
    assert cpd["estimate"] == pytest.approx(0.5)
    assert row(t, measure="rule_all")["n"] == 3  # rooms counted once


# ----------------------------------------------------------------------------- comparisons


def test_compare_area_difference_matches_independent_samples_hand_computation():
    df = make_rooms(n=40, seed=11)
    t = ind.compare_area(df, area="London", level="region").set_index("indicator")
    y = df["group_size"].to_numpy(float)
    a = (df["region"] == "London").to_numpy()
    ya, yb = y[a], y[~a]
    n = len(y)
    diff = ya.mean() - yb.mean()
    # SRS: Var(total z) = n/(n-1) sum z^2, z = (y - m_a)/n_a in a, -(y - m_b)/n_b in b
    se = np.sqrt(n / (n - 1) * (np.sum((ya - ya.mean()) ** 2) / len(ya) ** 2
                                + np.sum((yb - yb.mean()) ** 2) / len(yb) ** 2))
    # which is the textbook independent-samples SE up to the n/(n-1) factor
    se_indep = np.sqrt(ya.var(ddof=1) * (len(ya) - 1) / len(ya) ** 2
                       + yb.var(ddof=1) * (len(yb) - 1) / len(yb) ** 2)
    assert se == pytest.approx(se_indep * np.sqrt(n / (n - 1)))
    m = t.loc["mean_group_size"]
    assert m["area_estimate"] == pytest.approx(ya.mean())
    assert m["rest_estimate"] == pytest.approx(yb.mean())
    assert m["estimate"] == pytest.approx(diff)
    assert m["se"] == pytest.approx(se)
    tq = stats.t.ppf(0.975, n - 1)
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((diff - tq * se, diff + tq * se))
    assert m["p_value"] == pytest.approx(2 * stats.t.sf(abs(diff / se), n - 1))
    assert m["area_n"] == a.sum() and m["rest_n"] == (~a).sum()


def test_compare_area_uses_the_covariance_under_clustering():
    # settings contain two rooms each, in different local authorities, so the two domain
    # means are correlated through the clusters; the SE must include -2 Cov.
    rng = np.random.default_rng(5)
    k = 30
    df = pd.DataFrame(
        {
            "setting_id": np.repeat([f"S{i}" for i in range(k)], 2),
            "room_id": ["R1", "R2"] * k,
            "local_authority": np.where(rng.random(2 * k) < 0.4, "Leeds", "York"),
            "group_size": pd.array(np.repeat(rng.integers(5, 20, k), 2)
                                   + rng.integers(0, 3, 2 * k), dtype="Int64"),
            "staff_in_room": pd.array(rng.integers(2, 6, 2 * k), dtype="Int64"),
        }
    )
    design = SurveyDesign(df, cluster="setting_id")
    t = ind.compare_area(df, area="Leeds", design=design).set_index("indicator")
    y = df["group_size"].to_numpy(float)
    a = (df["local_authority"] == "Leeds").to_numpy()
    ma, mb = y[a].mean(), y[~a].mean()
    z = np.where(a, (y - ma) / a.sum(), -(y - mb) / (~a).sum())
    totals = pd.Series(z).groupby(df["setting_id"].to_numpy()).sum().to_numpy()
    g = len(totals)
    se = np.sqrt(g / (g - 1) * np.sum((totals - totals.mean()) ** 2))
    m = t.loc["mean_group_size"]
    assert m["estimate"] == pytest.approx(ma - mb)
    assert m["se"] == pytest.approx(se)
    assert m["df"] == g - 1
    # the independent-samples SE (clusters ignored) differs: the covariance matters here
    za, zb = np.where(a, z, 0), np.where(~a, z, 0)
    ta = pd.Series(za).groupby(df["setting_id"].to_numpy()).sum().to_numpy()
    tb = pd.Series(zb).groupby(df["setting_id"].to_numpy()).sum().to_numpy()
    var_a = g / (g - 1) * np.sum((ta - ta.mean()) ** 2)
    var_b = g / (g - 1) * np.sum((tb - tb.mean()) ** 2)
    cov = g / (g - 1) * np.sum((ta - ta.mean()) * (tb - tb.mean()))
    assert m["se"] ** 2 == pytest.approx(var_a + var_b + 2 * cov)  # tb carries the minus sign
    assert abs(cov) > 1e-6


def test_compare_area_unknown_area_lists_available():
    df = make_rooms()
    with pytest.raises(ArgumentError, match="area must be a value of 'local_authority'"):
        ind.compare_area(df, area="Leds")
    with pytest.raises(ArgumentError, match="level must be one of 'local_authority', 'region'"):
        ind.compare_area(df, area="Leeds", level="county")


def test_group_comparison_wrappers_return_design_tests():
    df = make_rooms(n=60, seed=2)
    # a second respondent for room S0: the room-level test must count the room once
    extra = df.iloc[[0]].assign(respondent_id="PX", role="educator", group_size=40)
    data = pd.concat([df, extra], ignore_index=True)
    data["role"] = data["role"].astype(df["role"].dtype)
    chi = ind.association_test(data, "cpd_baby_past_year", "role")
    wald = ind.means_test(data, "group_size", "region")
    ref_wald = SurveyDesign(ind.rooms(data)).wald_test_means("group_size", "region")
    ref_chi = SurveyDesign(data).chisq("cpd_baby_past_year", "role")
    # three regions: two contrasts against the first, the joint F test on both rows
    assert len(wald) == 2
    np.testing.assert_allclose(wald["statistic"], ref_wald["statistic"].iloc[0], rtol=1e-12)
    assert (wald["df_num"] == ref_wald["ndf"].iloc[0]).all()
    assert (wald["df_den"] == ref_wald["ddf"].iloc[0]).all()
    # each contrast by hand (SRS, one respondent per room in df): difference of the domain
    # means, SE^2 = n/(n-1) sum z_i^2 with z = (y - m_j)/n_j in j, -(y - m_1)/n_1 in group 1
    y = df["group_size"].to_numpy(float)
    reg = df["region"].astype(str).to_numpy()
    first = sorted(set(reg))[0]
    n = len(y)
    for r in wald.itertuples():
        other = r.contrast.split(" - ")[0]
        a, b = reg == other, reg == first
        z = np.where(a, (y - y[a].mean()) / a.sum(), 0) - np.where(b, (y - y[b].mean())
                                                                     / b.sum(), 0)
        assert r.estimate == pytest.approx(y[a].mean() - y[b].mean())
        assert r.se == pytest.approx(np.sqrt(n / (n - 1) * np.sum(z**2)))
        assert r.n == a.sum() + b.sum()
        tq = stats.t.ppf(0.975, r.df_den)
        assert (r.ci_low, r.ci_high) == pytest.approx((r.estimate - tq * r.se,
                                                       r.estimate + tq * r.se))
    assert chi["statistic"].iloc[0] == pytest.approx(ref_chi["statistic"].iloc[0])
    assert chi["p_value"].iloc[0] == pytest.approx(ref_chi["p_value"].iloc[0])
    assert chi["n"].iloc[0] == len(data)
    assert chi.attrs["source"] == "test survey"
    with pytest.raises(ArgumentError, match="unit must be one of 'respondent', 'room'"):
        ind.means_test(df, "group_size", "region", unit="nursery")


# ----------------------------------------------------------------------------- published


def test_published_figures_on_bundled_synthetic_data():
    from baby_room import synthetic

    s = synthetic.survey()
    p = ind.published_figures(s).set_index("measure")["estimate"]
    # REFERENCE.md (report 2, September 2025)
    assert p["respondents"] > 300
    assert round(p["mean_group_size"]) == 13
    assert p["max_group_size"] == 30
    assert p["rooms_12_or_fewer"] > 0
    assert p["babies_in_rooms"] > 5000
    assert p["share_cpd_baby_past_year"] < 1 / 3
    # babies are summed over distinct rooms (hand: drop duplicate rooms, keep the manager's)
    r = ind.rooms(s)
    assert p["rooms"] == len(r) == len(s.drop_duplicates(["setting_id", "room_id"]))
    assert p["babies_in_rooms"] == r["group_size"].sum()


def test_summaries_hold_no_identifiers():
    df = make_rooms()
    for t in (ind.group_size_summary(df, by="region"), ind.ratio_summary(df),
              ind.workforce_summary(df), ind.compare_area(df, area="Leeds")):
        assert not {"respondent_id", "setting_id", "room_id", "comments"} & set(t.columns)


def test_default_interval_of_a_share_of_zero_or_one_is_not_zero_width():
    # no room has 2 babies or fewer: share 0 with SE 0. The default (logit) interval falls
    # back to Korn-Graubard, which for SRS (df = n - 1, so n* = n) is the Clopper-Pearson
    # interval of 0 out of n (statsmodels proportion_confint(method="beta")).
    from statsmodels.stats.proportion import proportion_confint

    df = make_rooms()
    n = len(df)
    t = ind.group_size_summary(df, thresholds=(2,), conf_level=0.9)
    below, above = row(t, measure="share_at_or_below"), row(t, measure="share_above")
    lo, hi = proportion_confint(0, n, alpha=0.1, method="beta")
    assert below["estimate"] == 0 and below["se"] == 0
    assert (below["ci_low"], below["ci_high"]) == pytest.approx((lo, hi))
    assert below["ci_high"] > 0
    lo, hi = proportion_confint(n, n, alpha=0.1, method="beta")
    assert (above["ci_low"], above["ci_high"]) == pytest.approx((lo, hi))
    assert t.attrs["conf_level"] == 0.9 and t.attrs["ci_method"] == "logit"
    # Wald (R "mean") keeps its zero width there, as documented
    w = ind.group_size_summary(df, thresholds=(2,), ci_method="wald")
    assert row(w, measure="share_at_or_below")["ci_high"] == 0


def test_bad_conf_level_and_ci_method_name_the_function():
    with pytest.raises(ArgumentError, match=r"^ratio_summary: conf_level must be a number"):
        ind.ratio_summary(make_rooms(), conf_level=95)
    with pytest.raises(ArgumentError, match=r"^workforce_summary: ci_method must be one of"):
        ind.workforce_summary(make_rooms(), ci_method="exact")
