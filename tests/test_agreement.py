"""Inter-coder agreement: checked against scikit-learn, krippendorff and hand calculations."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from baby_room.errors import ArgumentError, DataValidationError, DesignError
from baby_room.focus_groups.agreement import (
    agreement_from_presence,
    disagreements,
    double_coded,
    intercoder_agreement,
    landis_koch,
)


def _random_pair(seed=1, n=400, k=6):
    """Two coders' presence matrices with agreement varying by code."""
    rng = np.random.default_rng(seed)
    rates = np.linspace(0.05, 0.5, k)
    flip = np.linspace(0.02, 0.4, k)  # per-code disagreement rate
    m1 = rng.random((n, k)) < rates
    m2 = np.where(rng.random((n, k)) < flip, ~m1, m1)
    return m1, m2


def _to_long(m1, m2, codes, *, extra_single=0):
    """Canonical long frame from two presence matrices (+ segments only coder A saw)."""
    rows = []
    for coder, m in (("A", m1), ("B", m2)):
        for i in range(m.shape[0]):
            applied = [codes[j] for j in np.flatnonzero(m[i])]
            # a coder who coded a segment always leaves at least one row: "other"
            for code in applied or ["other"]:
                rows.append((f"s{i:04d}", "York", "YOR-1", code, coder))
    for i in range(extra_single):
        rows.append((f"single{i}", "York", "YOR-1", codes[0], "A"))
    return pd.DataFrame(rows, columns=["segment_id", "conference", "group_id", "code", "coder"])


# ----------------------------------------------------------------------------- engine


def test_per_code_matches_sklearn_and_krippendorff():
    m1, m2 = _random_pair()
    res = agreement_from_presence(m1, m2)
    for j in range(m1.shape[1]):
        row = res.iloc[j]
        # reference: scikit-learn cohen_kappa_score on the code's two columns
        assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(m1[:, j], m2[:, j]))
        # reference: krippendorff package, nominal, reliability data coders x units
        ref = krippendorff.alpha(
            reliability_data=np.vstack([m1[:, j], m2[:, j]]).astype(float),
            level_of_measurement="nominal",
        )
        assert row["krippendorff_alpha"] == pytest.approx(ref)
        po = np.mean(m1[:, j] == m2[:, j])
        assert row["observed_agreement"] == pytest.approx(po)
        # Brennan & Prediger (1981) with q = 2 categories: (po - 1/2) / (1 - 1/2)
        assert row["brennan_prediger_kappa"] == pytest.approx((po - 0.5) / 0.5)


def test_pooled_row_matches_references_on_stacked_decisions():
    m1, m2 = _random_pair(seed=7)
    pooled = agreement_from_presence(m1, m2).iloc[-1]
    assert pooled["code"] == "(all codes)"
    assert pooled["n"] == m1.size
    # reference: every unit x code decision stacked into one long vector
    assert pooled["cohen_kappa"] == pytest.approx(cohen_kappa_score(m1.ravel(), m2.ravel()))
    ref = krippendorff.alpha(
        reliability_data=np.vstack([m1.ravel(), m2.ravel()]).astype(float),
        level_of_measurement="nominal",
    )
    assert pooled["krippendorff_alpha"] == pytest.approx(ref)


def test_statsmodels_cohens_kappa_agrees():
    from statsmodels.stats.inter_rater import cohens_kappa

    m1, m2 = _random_pair(seed=3)
    res = agreement_from_presence(m1, m2)
    for j in range(m1.shape[1]):
        table = pd.crosstab(m1[:, j], m2[:, j]).to_numpy()
        ref = cohens_kappa(table)
        assert res.loc[j, "cohen_kappa"] == pytest.approx(ref.kappa)
        assert res.loc[j, "cohen_kappa_se"] == pytest.approx(ref.std_kappa)
        assert res.loc[j, "cohen_kappa_ci_low"] == pytest.approx(ref.kappa_low)
        assert res.loc[j, "cohen_kappa_ci_high"] == pytest.approx(ref.kappa_upp)


def test_hand_calculation_2x2():
    # a=2 (both), b=1 (coder 1 only), c=1 (coder 2 only), d=6 (neither); n=10
    c1 = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    c2 = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    row = agreement_from_presence(c1, c2, codes=["x"]).iloc[0]
    assert (row["n_both"], row["n_coder_1_only"], row["n_coder_2_only"], row["n_neither"]) == (
        2, 1, 1, 6)
    # po = 8/10; pe = .3*.3 + .7*.7 = .58; kappa = (.8-.58)/.42 = 0.5238...
    assert row["observed_agreement"] == pytest.approx(0.8)
    assert row["cohen_kappa"] == pytest.approx(0.22 / 0.42)
    # without the units neither coded: a / (a+b+c) = 2/4
    assert row["observed_agreement_coded"] == pytest.approx(0.5)
    # alpha: N=20, n1=2a+b+c=6, n0=2d+b+c=14, o01=b+c=2: 1 - 19*2/(6*14) = 0.547619...
    assert row["krippendorff_alpha"] == pytest.approx(1 - 19 * 2 / 84)


def test_identical_coders_give_one_and_degenerate_code_is_nan_with_note():
    m1, _ = _random_pair(seed=5)
    m1[:, 0] = False  # a code nobody used
    m1[:, 1] = True   # a code both applied everywhere
    res = agreement_from_presence(m1, m1.copy())
    used = res.iloc[2:-1]
    assert (used["cohen_kappa"] == 1).all()
    assert (used["krippendorff_alpha"] == 1).all()
    assert used["note"].isna().all()
    for j, word in ((0, "neither coder applied"), (1, "every unit")):
        assert np.isnan(res.loc[j, "cohen_kappa"])
        assert np.isnan(res.loc[j, "krippendorff_alpha"])
        assert word in res.loc[j, "note"]
        assert "undefined" in res.loc[j, "note"]
        assert res.loc[j, "observed_agreement"] == 1
    assert np.isnan(res.loc[0, "observed_agreement_coded"])
    # sklearn also returns NaN for a constant identical column (0/0)
    with pytest.warns(UserWarning):
        assert np.isnan(cohen_kappa_score(m1[:, 0], m1[:, 0]))


def test_presence_argument_errors_name_function_and_parameter():
    with pytest.raises(ArgumentError, match=r"agreement_from_presence: coder_2 must be an array "
                                            r"of coder_1's shape \(3, 2\).*got 'an array of "
                                            r"shape \(4, 2\)'") as info:
        agreement_from_presence(np.zeros((3, 2)), np.zeros((4, 2)))
    assert not isinstance(info.value, DesignError)  # not a survey-design error
    with pytest.raises(ArgumentError, match=r"agreement_from_presence: coder_1 must be a 1-D or "
                                            r"2-D 0/1 array"):
        agreement_from_presence(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(ArgumentError, match=r"agreement_from_presence: codes must be 2 names, "
                                            r"one per column of coder_1, or None; got \['x'\]"):
        agreement_from_presence(np.zeros((3, 2)), np.zeros((3, 2)), codes=["x"])


# ----------------------------------------------------------------------------- long format


def test_intercoder_agreement_uses_only_double_coded_segments():
    m1, m2 = _random_pair(seed=11, n=120, k=4)
    codes = ["alpha", "beta", "gamma", "delta"]
    coding = _to_long(m1, m2, codes, extra_single=25)
    res = intercoder_agreement(coding)
    # coder names are personal data: pseudonymised unless asked for
    assert set(res["coder_1"]) == {"Coder 1"} and set(res["coder_2"]) == {"Coder 2"}
    named = intercoder_agreement(coding, pseudonymise=False)
    assert set(named["coder_1"]) == {"A"} and set(named["coder_2"]) == {"B"}
    assert (res["n"].iloc[:-1] == 120).all()  # the 25 single-coded segments are not units
    by_code = res.set_index("code")
    for j, code in enumerate(codes):
        assert by_code.loc[code, "cohen_kappa"] == pytest.approx(
            cohen_kappa_score(m1[:, j], m2[:, j]))
        ref = krippendorff.alpha(reliability_data=np.vstack([m1[:, j], m2[:, j]]).astype(float),
                                 level_of_measurement="nominal")
        assert by_code.loc[code, "krippendorff_alpha"] == pytest.approx(ref)


def test_identical_long_coding_gives_kappa_alpha_one():
    base = pd.DataFrame({
        "segment_id": ["s1", "s1", "s2", "s3", "s4"],
        "conference": "London", "group_id": "LON-1",
        "code": ["noise", "ratio", "ratio", "noise", "status"],
    })
    coding = pd.concat([base.assign(coder="A"), base.assign(coder="B")], ignore_index=True)
    res = intercoder_agreement(coding)
    assert (res["cohen_kappa"] == 1).all()
    assert (res["krippendorff_alpha"] == 1).all()
    assert (res["observed_agreement"] == 1).all()


def test_codebook_adds_unused_code_as_degenerate():
    coding = pd.DataFrame({
        "segment_id": ["s1", "s1", "s2", "s2"], "conference": "York", "group_id": "YOR-1",
        "code": ["noise", "noise", "ratio", "noise"], "coder": ["A", "B", "A", "B"],
        "theme": "rooms",
    })
    codebook = pd.DataFrame({"theme": ["rooms", "rooms", "status"],
                             "code": ["noise", "ratio", "valued"], "definition": "d"})
    res = intercoder_agreement(coding, codebook=codebook).set_index("code")
    assert res.loc["valued", "theme"] == "status"
    assert np.isnan(res.loc["valued", "cohen_kappa"])
    assert "neither coder applied" in res.loc["valued", "note"]


def test_three_coders_give_every_pair_that_shares_segments():
    coding = pd.DataFrame({
        "segment_id": ["s1", "s1", "s2", "s2", "s3"], "conference": "York",
        "group_id": "YOR-1", "code": "noise", "coder": ["A", "B", "A", "C", "C"],
    })
    res = intercoder_agreement(coding, pseudonymise=False)
    assert sorted(set(zip(res["coder_1"], res["coder_2"], strict=True))) == [
        ("A", "B"), ("A", "C")]
    # the data hold no segment coded by both B and C: a data error naming the column
    with pytest.raises(DataValidationError, match=r"column segment_id: value 'no segments coded "
                                                  r"by both B and C' - intercoder_agreement: "
                                                  r"agreement needs segments coded by both"):
        intercoder_agreement(coding, coders=["B", "C"])


def test_coder_errors_say_what_was_wrong():
    coding = pd.DataFrame({"segment_id": ["s1"], "conference": "York", "group_id": "YOR-1",
                           "code": ["x"], "coder": ["A"]})
    # one coder in the data: the data's problem (column coder), not an argument's
    with pytest.raises(DataValidationError, match=r"column coder: value 'A' - intercoder_agreement: "
                                                  r"agreement needs codings by at least two "
                                                  r"coders") as info:
        intercoder_agreement(coding)
    assert info.value.failures.loc[0, "column"] == "coder"
    with pytest.raises(ArgumentError, match=r"intercoder_agreement: coders must be None or two "
                                            r"or more coder names present in data; got "
                                            r"\['A', 'Z'\]\nNot in data: 'Z'. Coders present: "
                                            r"'A'") as info:
        intercoder_agreement(coding, coders=["A", "Z"])
    assert not isinstance(info.value, DesignError)
    with pytest.raises(ArgumentError, match=r"disagreements: coders must be None or two or more "
                                            r"coder names present in data; got 'A'"):
        disagreements(coding.assign(coder=["A"]), coders="A")
    with pytest.raises(ArgumentError, match=r"intercoder_agreement: unit must be one of "
                                            r"'segment', 'character'; got 'word'"):
        intercoder_agreement(coding, unit="word")
    with pytest.raises(ArgumentError, match=r"intercoder_agreement: data must be a coding "
                                            r"table with column\(s\) 'coder'"):
        intercoder_agreement(coding.drop(columns="coder"))


# ----------------------------------------------------------------------------- characters


def test_character_unit_hand_example():
    # Transcript YOR-1, one double-coded segment s1 spanning [0, 20).
    # Coder A: noise on [0, 10); coder B: noise on [5, 15), ratio on [12, 20).
    coding = pd.DataFrame({
        "segment_id": ["s1", "s1", "s1"], "conference": "York", "group_id": "YOR-1",
        "code": ["noise", "noise", "ratio"], "coder": ["A", "B", "B"],
        "start": [0, 5, 12], "end": [10, 15, 20],
    })
    res = intercoder_agreement(coding, unit="character").set_index("code")
    # covered by anyone: positions 0..19 -> 20 units
    a_noise = np.r_[np.ones(10), np.zeros(10)].astype(bool)
    b_noise = np.r_[np.zeros(5), np.ones(10), np.zeros(5)].astype(bool)
    a_ratio = np.zeros(20, dtype=bool)
    b_ratio = np.r_[np.zeros(12), np.ones(8)].astype(bool)
    assert res.loc["noise", "n"] == 20
    assert res.loc["noise", "n_both"] == 5  # [5, 10)
    assert res.loc["noise", "cohen_kappa"] == pytest.approx(cohen_kappa_score(a_noise, b_noise))
    assert res.loc["ratio", "cohen_kappa"] == pytest.approx(cohen_kappa_score(a_ratio, b_ratio))
    ref = krippendorff.alpha(reliability_data=np.vstack([a_noise, b_noise]).astype(float),
                             level_of_measurement="nominal")
    assert res.loc["noise", "krippendorff_alpha"] == pytest.approx(ref)


def test_character_scope_transcript_and_position_errors():
    coding = pd.DataFrame({
        "segment_id": ["a1", "b1"], "conference": "York", "group_id": "YOR-1",
        "code": ["noise", "noise"], "coder": ["A", "B"], "start": [0, 4], "end": [8, 8],
    })
    # segments differ between coders: nothing double-coded at segment scope
    with pytest.raises(DataValidationError, match=r"try scope='transcript'"):
        intercoder_agreement(coding, unit="character")
    res = intercoder_agreement(coding, unit="character", scope="transcript")
    assert res.loc[0, "n"] == 8 and res.loc[0, "n_both"] == 4
    bad = coding.assign(end=pd.array([8, pd.NA], dtype="Int64"))
    with pytest.raises(DataValidationError, match=r"positional analysis needs start and end"):
        intercoder_agreement(bad, unit="character", scope="transcript")


# ----------------------------------------------------------------------------- disagreements


def test_disagreements_table_has_no_text_and_lists_each_disagreement():
    coding = pd.DataFrame({
        "segment_id": ["s1", "s1", "s1", "s2", "s2", "s3"], "conference": "York",
        "group_id": "YOR-1", "speaker": "Maya", "text": "secret words",
        "code": ["noise", "noise", "ratio", "ratio", "noise", "ratio"],
        "coder": ["A", "B", "B", "A", "B", "A"],
        "start": [0, 0, 0, 30, 30, 50], "end": [20, 20, 20, 45, 45, 60],
    })
    res = disagreements(coding, pseudonymise=False)
    assert list(zip(res["segment_id"], res["code"], res["applied_by"], strict=True)) == [
        ("s1", "ratio", "B"), ("s2", "noise", "B"), ("s2", "ratio", "A")]
    assert list(disagreements(coding)["applied_by"]) == ["Coder 2", "Coder 2", "Coder 1"]
    assert "text" not in res.columns and "speaker" not in res.columns
    assert not res.astype(str).isin(["Maya", "secret words"]).any().any()
    # the count of disagreements equals b + c summed over codes in the agreement table
    agr = intercoder_agreement(coding).iloc[-1]
    assert len(res) == agr["n_coder_1_only"] + agr["n_coder_2_only"]
    assert list(disagreements(coding, code="noise")["segment_id"]) == ["s2"]


def test_double_coded_and_landis_koch():
    coding = pd.DataFrame({"segment_id": ["s1", "s1", "s2"], "code": "x",
                           "coder": ["A", "B", "A"]})
    assert list(double_coded(coding)["segment_id"]) == ["s1", "s1"]
    # Landis & Koch (1977) table: 0.00-0.20 slight, 0.21-0.40 fair, ... 0.81-1 almost perfect
    assert [landis_koch(v) for v in (-0.1, 0.0, 0.2, 0.35, 0.5, 0.7, 0.9, np.nan)] == [
        "poor", "slight", "slight", "fair", "moderate", "substantial", "almost perfect",
        "undefined"]


# ----------------------------------------------------------------------------- property-based


def test_random_small_tables_match_references():
    """Hypothesis: any 2-coder binary table, incl. one coder constant, matches the references."""
    import warnings

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    @settings(max_examples=60, deadline=None)
    @given(arrays(np.bool_, st.tuples(st.integers(2, 25), st.just(2))))
    def check(pair):
        c1, c2 = pair[:, 0], pair[:, 1]
        row = agreement_from_presence(c1, c2).iloc[0]
        values = np.concatenate([c1, c2])
        if values.all() or not values.any():  # constant: kappa and alpha are 0/0
            assert np.isnan(row["cohen_kappa"]) and np.isnan(row["krippendorff_alpha"])
            assert not pd.isna(row["note"])
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref_kappa = cohen_kappa_score(c1, c2, labels=[False, True])
        assert row["cohen_kappa"] == pytest.approx(ref_kappa, abs=1e-12)
        ref_alpha = krippendorff.alpha(reliability_data=np.vstack([c1, c2]).astype(float),
                                       level_of_measurement="nominal")
        assert row["krippendorff_alpha"] == pytest.approx(ref_alpha, abs=1e-12)

    check()


def test_conf_level_sets_the_kappa_interval():
    """Reference: the Wald interval kappa +/- z se with z from scipy.stats.norm.ppf."""
    from scipy.stats import norm

    m1, m2 = _random_pair(seed=3)
    r95 = agreement_from_presence(m1, m2)
    r90 = agreement_from_presence(m1, m2, conf_level=0.9)
    z = norm.ppf(0.95)
    assert r90["cohen_kappa_ci_low"].to_numpy() == pytest.approx(
        (r95["cohen_kappa"] - z * r95["cohen_kappa_se"]).to_numpy(), nan_ok=True)
    assert r90.attrs["conf_level"] == 0.9
    with pytest.raises(ArgumentError, match="conf_level must be a number strictly between"):
        agreement_from_presence(m1, m2, conf_level=95)
