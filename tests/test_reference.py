"""Tests for baby_room.reference: every value is checked against REFERENCE.md (the fact sheet)."""

import pandas as pd
import pytest

from baby_room import reference as ref


def test_eyfs_under2_ratio_is_one_to_three_from_2008():
    # REFERENCE.md, "England - EYFS statutory framework": under 2 | 1 : 3 | 2008 (...)
    t = ref.eyfs_ratios()
    row = t.set_index("age_band").loc["under 2"]
    assert row["children_per_adult"] == 3 == ref.EYFS_UNDER2_CHILDREN_PER_ADULT
    assert row["applies_from"].startswith("2008")
    assert "EYFS statutory framework" in row["source"]


def test_eyfs_two_year_olds_changed_in_september_2023():
    # REFERENCE.md: aged 2 | 1 : 5 | 4 September 2023 (was 1 : 4)
    row = ref.eyfs_ratios().set_index("age_band").loc["aged 2"]
    assert row["children_per_adult"] == 5
    assert row["applies_from"] == "4 September 2023 (was 1 : 4)"


def test_every_row_has_a_source_and_no_missing_ratio_in_england():
    for table in (ref.eyfs_ratios(), ref.eyfs_under2_staffing_rules(), ref.international_ratios()):
        assert table["source"].notna().all()
        assert (table["source"].str.len() > 0).all()
    assert ref.eyfs_ratios()["children_per_adult"].notna().all()


def test_staffing_rules_are_the_three_in_the_fact_sheet():
    rules = ref.eyfs_under2_staffing_rules().set_index("rule")
    assert list(rules.index) == ["rule_level3", "rule_half_others_level2", "rule_half_baby_trained"]
    assert "Level 3" in rules.loc["rule_level3", "description"]
    assert "half of all other staff hold Level 2" in rules.loc["rule_half_others_level2",
                                                              "description"]
    assert "training specific to the care of babies" in rules.loc["rule_half_baby_trained",
                                                                   "description"]


@pytest.mark.parametrize(
    "jurisdiction",
    ["Scotland", "Wales", "Northern Ireland", "France", "Germany", "Finland"],
)
def test_not_found_group_sizes_are_missing_not_guessed(jurisdiction):
    # REFERENCE.md marks the maximum group size "not found" for these jurisdictions.
    t = ref.international_ratios()
    rows = t[t["jurisdiction"] == jurisdiction]
    assert len(rows) >= 1
    assert rows["max_group_size"].isna().all()
    assert rows["group_size_regulated"].isna().all()


def test_international_values_match_fact_sheet():
    t = ref.international_ratios()
    key = t.set_index(["jurisdiction", "age_band"])
    # Netherlands: 0-1 1:3 group 12; 1-2 1:5 group 16
    assert key.loc[("Netherlands", "0-1"), "max_group_size"] == 12
    assert key.loc[("Netherlands", "1-2"), "children_per_adult"] == 5
    # Norway: explicitly not regulated -> False (a known "no"), not missing
    assert not key.loc[("Norway", "under 3"), "group_size_regulated"]
    # Germany: no national ratio -> missing
    assert pd.isna(key.loc[("Germany", "under 3"), "children_per_adult"])
    # New Zealand 1:5; Australia 1:4
    assert key.loc[("New Zealand", "under 2"), "children_per_adult"] == 5
    assert key.loc[("Australia (NQF)", "birth-24 months"), "children_per_adult"] == 4
    # Early Head Start groups 8 or 9
    ehs = t[t["jurisdiction"] == "US - Early Head Start"]
    assert sorted(ehs["max_group_size"].tolist()) == [8, 9]


def test_recommended_group_size_and_thresholds():
    assert ref.RECOMMENDED_GROUP_SIZE == (6, 8)
    assert "open letter" in ref.RECOMMENDED_GROUP_SIZE_SOURCE
    assert ref.GROUP_SIZE_THRESHOLDS == (6, 8, 12, 18, 24)


def test_tables_are_fresh_copies_and_carry_source_attrs():
    a = ref.international_ratios()
    a.loc[0, "jurisdiction"] = "changed"
    assert ref.international_ratios().loc[0, "jurisdiction"] == "England"
    assert a.attrs["source"] == ref.REFERENCE_SOURCE
    assert a.attrs["synthetic"] is False


def test_published_figures_name_the_report():
    p = ref.published_survey_figures().set_index("statistic")
    assert "13" in p.loc["mean_group_size", "published"]
    assert "5,000" in p.loc["babies_in_rooms", "published"]
    assert (p["source"] == "Baby Room Project, report 2 (September 2025)").all()


def test_published_comparison_shows_values_that_are_not_one_number():
    """'adults in the largest room' is checked against a list (one entry per largest room):
    the comparison shows it as text, equal to the adults counted with pandas directly in
    the raw survey rows describing the largest room(s)."""
    import baby_room as br
    from baby_room.findings import published_comparison

    survey = br.synthetic.survey()
    table = published_comparison(survey=survey).set_index("figure")
    largest = survey[survey["group_size"] == survey["group_size"].max()]
    adults = sorted({int(v) for v in largest["staff_in_room"].dropna()})
    row = table.loc["adults in the largest room"]
    assert pd.isna(row["value"])
    assert sorted(int(v) for v in row["computed"].split(", ")) == adults
    assert table.loc["respondents", "computed"] == f"{len(survey):,}"
