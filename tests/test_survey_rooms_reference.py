"""Room-level indicators against R ``survey`` 4.1.1: rule_all, raked designs, CI methods.

Reference values: tests/reference/survey_rooms_values.json, written by
tests/reference/survey_rooms.R (R 4.2.2, survey 4.1.1; both recorded in the file's
``meta``) from tests/reference/data/baby_survey.csv (the bundled synthetic survey with a
made-up weight ``w``). The R script builds the room table itself (first respondent in the
priority manager > room_leader > educator), so the room selection is checked too. Each
record carries the R call that produced it. Designs:

* ``srs``: the room table, equal weights (``svydesign(ids=~1)``);
* ``raked``: the room table clustered by setting with weights ``w``, raked to the
  population totals of rooms by region and by setting type (R's ``rake()`` on the room
  design). baby_room must give the same estimates and SEs whether the design is raked on
  the respondents (and carried to rooms by ``room_design``) or built and raked on the
  room table;
* ``raked_respondents``: the respondent design raked to the same margins (for the
  respondent-level CPD share).

Intervals: ``logit`` (default), ``korn-graubard`` (R ``method="beta"``), ``wald`` (R
``"mean"``) and ``wilson`` (R ``prop.test(correct=FALSE)`` at the effective sample size).
Agreement to 1e-6 (relative).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from baby_room.errors import DesignError
from baby_room.survey import indicators as ind
from baby_room.survey.design import SurveyDesign

REF = Path(__file__).parent / "reference"
RTOL = 1e-6
MARGINS = {
    "region": {"East Midlands": 1900, "East of England": 2600, "London": 3300,
               "North East": 1100, "North West": 3100, "South East": 3900,
               "South West": 2300, "West Midlands": 2500, "Yorkshire and The Humber": 2300},
    "setting_type": {"private": 16000, "voluntary": 3500, "maintained": 2200,
                     "independent": 1300},
}
R_METHOD = {"logit": "logit", "beta": "korn-graubard", "mean": "wald", "wilson": "wilson"}


@cache
def reference() -> list[dict]:
    with open(REF / "survey_rooms_values.json", encoding="utf-8") as fh:
        return json.load(fh)["values"]


def refs(design, measure, *, by=None, method=None):
    return [r for r in reference() if r["design"] == design and r["measure"] == measure
            and r["by"] == by and r["method"] == method]


def respondents() -> pd.DataFrame:
    df = pd.read_csv(REF / "data" / "baby_survey.csv")
    df["cpd_baby_past_year"] = df["cpd_baby_past_year"].astype("boolean")
    return df


def raked(table):
    return SurveyDesign(table, weights="w", cluster="setting_id").rake(
        MARGINS, max_iter=100, tol=1e-10)


@cache
def setup(kind: str):
    """(data, design) for srs, raked on respondents, or raked on the room table."""
    data = respondents()
    if kind == "srs":
        return data, None
    if kind == "raked_on_respondents":
        return data, raked(data)
    table = ind.rooms(data)
    return table, raked(table)


KINDS = {"srs": "srs", "raked_on_respondents": "raked", "raked_on_rooms": "raked"}


def close(got, want):
    assert want is not None
    assert got == pytest.approx(want, rel=RTOL, abs=1e-12)


def check(row, r, *, ci=True, df=True, n=True):
    close(row["estimate"], r["estimate"])
    if r["se"] is not None:
        close(row["se"], r["se"])
    if ci and r["ci_low"] is not None:
        close(row["ci_low"], r["ci_low"])
        close(row["ci_high"], r["ci_high"])
    if df and r["df"] is not None:
        assert row["df"] == r["df"]
    if n and r["n"] is not None:
        assert row["n"] == r["n"]


def one(table, **where):
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        mask &= (table[k].astype(object) == v).to_numpy()
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_room_weights_meet_the_margins_as_r_rake(kind):
    data, design = setup(kind)
    table, room = ind.room_design(data, design=design)
    assert len(table) == 400
    w = pd.Series(room.weights, index=table.index)
    for r in refs(KINDS[kind], "weight_total", by="region") + refs(
            KINDS[kind], "weight_total", by="setting_type"):
        close(float(w[table[r["by"]] == r["domain"]].sum()), r["estimate"])


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("method", list(R_METHOD))
def test_group_size_summary_agrees_with_r(kind, method):
    data, design = setup(kind)
    t = ind.group_size_summary(data, design=design, thresholds=(12,),
                               ci_method=R_METHOD[method])
    assert t.attrs["ci_method"] == R_METHOD[method]
    if method == "logit":
        (r,) = refs(KINDS[kind], "mean")
        check(one(t, measure="mean"), r)
        (r,) = refs(KINDS[kind], "median")
        check(one(t, measure="median"), r)
    for measure, name in (("share_at_or_below", "share_at_or_below_12"),
                          ("share_above", "share_above_12")):
        for r in refs(KINDS[kind], name, method=method):
            check(one(t, measure=measure, threshold=12), r)


@pytest.mark.parametrize("kind", list(KINDS))
def test_group_size_by_region_agrees_with_r_svyby(kind):
    data, design = setup(kind)
    t = ind.group_size_summary(data, by="region", design=design, thresholds=())
    rs = refs(KINDS[kind], "mean", by="region")
    assert len(rs) == 9
    for r in rs:
        check(one(t, region=r["domain"], measure="mean"), r, ci=False, df=False, n=False)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("method", list(R_METHOD))
def test_ratio_summary_agrees_with_r(kind, method):
    data, design = setup(kind)
    t = ind.ratio_summary(data, design=design, ci_method=R_METHOD[method])
    (r,) = refs(KINDS[kind], "babies_per_adult")
    check(one(t, measure="babies_per_adult"), r)
    for r in refs(KINDS[kind], "share_meeting_eyfs_ratio", method=method):
        check(one(t, measure="share_meeting_eyfs_ratio"), r)
    b = ind.ratio_summary(data, by="setting_type", design=design)
    for r in refs(KINDS[kind], "babies_per_adult", by="setting_type"):
        check(one(b, setting_type=r["domain"], measure="babies_per_adult"), r,
              ci=False, df=False, n=False)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("method", ["logit", "beta", "wilson"])
def test_workforce_summary_agrees_with_r(kind, method):
    data, design = setup(kind)
    t = ind.workforce_summary(data, design=design, ci_method=R_METHOD[method])
    if method == "logit":
        for m in ("share_staff_level3", "share_staff_level2", "share_staff_below_level2"):
            (r,) = refs(KINDS[kind], m)
            check(one(t, measure=m), r)
    for m in ("rule_level3", "rule_half_others_level2", "rule_half_baby_trained", "rule_all"):
        (r,) = refs(KINDS[kind], m, method=method)
        check(one(t, measure=m), r)
    if kind == "raked_on_respondents":
        (r,) = refs("raked_respondents", "cpd_baby_past_year", method=method)
        check(one(t, measure="cpd_baby_past_year"), r)


def test_rule_all_is_the_complete_case_share():
    # R: 0.5150 on the 334 rooms where all three rules are known (not 0.4971 on 346)
    data, _ = setup("srs")
    row = one(ind.workforce_summary(data), measure="rule_all")
    assert row["n"] == 334
    assert row["estimate"] == pytest.approx(172 / 334)


def test_raking_respondents_without_room_raking_would_miss_the_margins():
    # the respondent raking alone meets the margins with respondent weights; the rooms'
    # share of those weights does not, which is why room_design rakes the room table again
    data, design = setup("raked_on_respondents")
    table = ind.rooms(data.assign(_w=design.weights))
    carried = table.groupby("region")["_w"].sum()
    assert not np.allclose(carried, pd.Series(MARGINS["region"]).loc[carried.index])
    _, room = ind.room_design(data, design=design)
    got = pd.Series(room.weights).groupby(table["region"].to_numpy()).sum()
    np.testing.assert_allclose(got, pd.Series(MARGINS["region"]).loc[got.index], rtol=1e-8)


def test_design_on_other_rows_is_an_error():
    data, design = setup("raked_on_respondents")
    subset = data[data["region"] == "London"]
    from baby_room.survey import fit_group_size_model, likert_summary

    calls = {
        "ratio_summary": lambda d, **k: ind.ratio_summary(d, **k),
        "group_size_summary": lambda d, **k: ind.group_size_summary(d, **k),
        "workforce_summary": lambda d, **k: ind.workforce_summary(d, **k),
        "compare_area": lambda d, **k: ind.compare_area(d, area="London", level="region", **k),
        "means_test": lambda d, **k: ind.means_test(d, "group_size", "region", **k),
        "association_test": lambda d, **k: ind.association_test(d, "role", "region", **k),
        "likert_summary": lambda d, **k: likert_summary(d, ["valued_by_manager"], **k),
        "fit_group_size_model": lambda d, **k: fit_group_size_model(d, "group_size ~ 1", **k),
    }
    for name, call in calls.items():
        with pytest.raises(DesignError, match=rf"^{name}: design must be a "
                                               "SurveyDesign built on data"):
            call(subset, design=design)
    table = ind.rooms(data)
    with pytest.raises(DesignError, match="data has 400 rows, design.data has 434"):
        ind.ratio_summary(table, design=design)
    # the design's own table, or it with columns added, is fine
    ind.ratio_summary(data.assign(extra=1), design=design)
