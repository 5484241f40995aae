"""Publication tables: their numbers are the indicator functions' (and so R survey's).

The indicators (group_size_summary, ratio_summary, workforce_summary, likert_summary) are
checked against R ``survey`` 4.1.1 in tests/test_survey_design.py and
tests/test_survey_indicators.py; here every cell of ``summary_table`` must equal them to
1e-12, with and without a stratified, weighted design, overall and by region. The tests
must equal ``SurveyDesign.chisq`` (Rao-Scott) and ``wald_test_means``.
"""

import docx
import numpy as np
import pandas as pd
import pytest

import baby_room as br
from baby_room.outputs import Outputs
from baby_room.survey import (
    SurveyDesign,
    group_size_summary,
    likert_summary,
    ratio_summary,
    room_design,
    workforce_summary,
)
from baby_room.tables import summary_table

VARS = ["group_size", "meets_eyfs_ratio", "cpd_baby_past_year", "valued_by_parents"]


def _measure(frame):  # the label column is `statistic` today, `measure` after the contract
    return frame["measure"] if "measure" in frame.columns else frame["statistic"]


@pytest.fixture(scope="module")
def survey():
    return br.synthetic.survey()


@pytest.fixture(scope="module", params=["srs", "weighted"])
def case(request, survey):
    if request.param == "srs":
        return survey, None
    rng = np.random.default_rng(3)
    s = survey.assign(w=rng.uniform(0.5, 2.0, len(survey)))
    return s, SurveyDesign(s, weights="w", strata="region")


@pytest.fixture(scope="module")
def table(case):
    data, design = case
    return summary_table(data, variables=VARS, by="region", design=design)


def _cell(t, variable, level, column="Overall"):
    d = t.data
    row = d[(d["variable"] == variable) & (d["level"] == level) & (d["column"] == column)]
    assert len(row) == 1, (variable, level, column)
    return row.iloc[0]


def _check(cell, ref):
    for c in ("estimate", "ci_low", "ci_high"):
        assert cell[c] == pytest.approx(float(ref[c]), abs=1e-12)
    assert cell["n"] == int(ref["n"])


def test_group_size_cells_equal_group_size_summary(case, table):
    data, design = case
    ref = group_size_summary(data, design=design)
    m = ref[_measure(ref) == "mean"].iloc[0]
    _check(_cell(table, "group_size", "Mean (95% CI)"), m)
    med = _cell(table, "group_size", "Median (IQR)")
    q = {k: float(ref.loc[_measure(ref) == k, "estimate"].iloc[0]) for k in ("median", "q1", "q3")}
    assert (med["estimate"], med["ci_low"], med["ci_high"]) == (q["median"], q["q1"], q["q3"])
    by = group_size_summary(data, by="region", design=design)
    by = by[_measure(by) == "mean"].set_index("region")
    for region in ("North East", "London"):
        _check(_cell(table, "group_size", "Mean (95% CI)", region), by.loc[region])


def test_share_meeting_ratio_equals_ratio_summary(case, table):
    data, design = case
    ref = ratio_summary(data, design=design)
    _check(_cell(table, "meets_eyfs_ratio", "Yes"),
           ref[_measure(ref) == "share_meeting_eyfs_ratio"].iloc[0])
    by = ratio_summary(data, by="region", design=design)
    by = by[_measure(by) == "share_meeting_eyfs_ratio"].set_index("region")
    _check(_cell(table, "meets_eyfs_ratio", "Yes", "South West"), by.loc["South West"])


def test_cpd_share_equals_workforce_summary(case, table):
    data, design = case
    ref = workforce_summary(data, design=design)
    _check(_cell(table, "cpd_baby_past_year", "Yes"),
           ref[_measure(ref) == "cpd_baby_past_year"].iloc[0])


def test_likert_levels_equal_likert_summary(case, table):
    data, design = case
    ref = likert_summary(data, ["valued_by_parents"], design=design)
    ref = ref[ref["level"].notna()].set_index(ref["level"].astype(str))
    for level in ("Strongly disagree", "Agree"):
        _check(_cell(table, "valued_by_parents", level), ref.loc[level])


def test_cell_text_is_the_rounded_estimate_with_its_interval_and_count(survey):
    t = summary_table(survey, variables=["cpd_baby_past_year"])
    cell = t.data.iloc[0]
    count = int(survey["cpd_baby_past_year"].fillna(False).sum())
    assert cell["count"] == count
    assert cell["text"] == (f"{100 * cell['estimate']:.1f}% ({100 * cell['ci_low']:.1f}–"
                            f"{100 * cell['ci_high']:.1f}); n = {count}")


def test_tests_are_the_designs_rao_scott_and_wald(case, table):
    data, design = case
    _, rdesign = room_design(data, design=design)
    tests = table.tests.set_index("variable")
    wald = rdesign.wald_test_means("group_size", "region")
    assert tests.loc["group_size", "statistic"] == pytest.approx(wald["statistic"].item())
    assert tests.loc["group_size", "p_value"] == pytest.approx(wald["p_value"].item())
    chi = rdesign.chisq("meets_eyfs_ratio", "region")
    assert tests.loc["meets_eyfs_ratio", "statistic"] == pytest.approx(chi["statistic"].item())
    assert tests.loc["meets_eyfs_ratio", "test"] == "Rao-Scott F"


def test_labels_are_question_wording_never_column_names_or_model_terms(table):
    labels = set(table.wide()["Question"])
    assert "Babies (children under 2) in the room (group size)" in labels
    assert "I feel valued by parents" in labels
    text = " ".join(labels) + " ".join(table.wide()["Answer"])
    assert "[T." not in text and "_" not in text


def test_footnote_names_design_intervals_source_and_synthetic(case, table):
    _, design = case
    note = table.footnote
    assert "SYNTHETIC DATA" in note and "logit" in note and "Rao-Scott" in note
    assert ("strata region" in note) == (design is not None)


def test_small_counts_are_suppressed_when_asked(survey):
    t = summary_table(survey, variables=["cpd_baby_past_year"], by="region", min_count=5)
    small = t.data[(t.data["count"] > 0) & (t.data["count"] < 5)]
    assert len(small) and (small["text"] == "[c]").all()
    assert "[c]: fewer than 5" in t.footnote


def test_renders_html_latex_word_csv_and_excel(survey, tmp_path):
    t = summary_table(survey, variables=["group_size", "settling_in"], by="setting_type",
                      title="Table 1")
    html = t.to_html()
    assert "Table 1" in html and "SYNTHETIC DATA" in html and "Gradual, flexible" in html
    assert t._repr_html_() == html
    latex = t.to_latex()
    assert "\\begin{tabular" in latex and "Settling-in practice of the room" in latex
    document = docx.Document()
    t.to_docx(document)
    document.save(tmp_path / "t.docx")
    reread = docx.Document(tmp_path / "t.docx")
    cells = [c.text for row in reread.tables[0].rows for c in row.cells]
    assert "Settling-in practice of the room" in cells
    assert t.data.loc[0, "text"] in cells
    published = t.save(Outputs(tmp_path), "table-1")
    csv = pd.read_csv(tmp_path / "tables" / "table-1.csv")
    assert list(csv.columns) == list(published.columns)
    assert (tmp_path / "tables" / "table-1.xlsx").exists()
