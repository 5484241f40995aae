"""Real survey exports in, through a mapping file (issue 10, items 1-5).

Each export is generated from the canonical synthetic survey by ``tests/survey_exports.py``
in the layout of the tool it names (Qualtrics three-row and legacy two-row CSV, Microsoft
Forms and JISC Online Surveys workbooks, an SPSS .sav); loading it with its mapping file
must give back exactly the canonical values — the independent reference is the
synthetic table the export was made from — with every extra row (Qualtrics previews,
partial responses) set aside with its reason, never dropped.
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import baby_room as br
from baby_room.mapping import design_columns, design_from, read_mapping

_spec = importlib.util.spec_from_file_location(
    "survey_exports", Path(__file__).with_name("survey_exports.py"))
ex = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ex)


def _load(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", br.RowsSetAsideWarning)
        return br.load_survey(path, **kwargs)


def _same_values(got: pd.DataFrame, expected: pd.DataFrame):
    pdt.assert_frame_equal(got.reset_index(drop=True)[list(expected.columns)],
                           expected.reset_index(drop=True), check_dtype=True)


# ---------------------------------------------------------------- Qualtrics


def test_qualtrics_three_row_export_with_mapping_file(tmp_path):
    """Qualtrics CSV: export tags and question text both map; previews and partial
    responses are set aside with their reasons; every other row loads to the canonical values."""
    path, expected, aside = ex.qualtrics_three_rows(tmp_path)
    path.with_name(f"{path.stem}.mapping.toml").write_text(ex.qualtrics_mapping_toml(),
                                                           encoding="utf-8")
    with pytest.warns(br.RowsSetAsideWarning, match="7 rows were set aside by the row rules"):
        got = br.load_survey(path)
    assert got.attrs["format"] == "qualtrics"
    assert got.attrs["mapping"].endswith("baby_room_survey_export.mapping.toml")
    _same_values(got, expected)
    rows = br.set_aside_rows(got)
    assert dict(zip(rows["row"], rows["reasons"].str.contains("preview").map(
        {True: "survey preview", False: "unfinished response"}), strict=True)) == aside
    assert rows["reasons"].str.contains("Status = Survey Preview|Finished = False").all()
    # every data row of the file is loaded or set aside: 434 + 7 = 441 rows after 3 headers
    assert len(got) + len(rows) == 441
    assert set(rows["row"]) <= set(range(4, 445))
    # the answer "None" is an answer, not missing
    assert (got["settling_in"] == "none").sum() == (expected["settling_in"] == "none").sum() > 0
    assert got["own_qualification"].isna().sum() == expected["own_qualification"].isna().sum()


def test_qualtrics_rows_table_keeps_previews_and_unfinished(tmp_path):
    path, expected, _ = ex.qualtrics_three_rows(tmp_path)
    toml = ex.qualtrics_mapping_toml() + "\n[rows]\nkeep_previews = true\nkeep_unfinished = true\n"
    got = _load(path, mapping=read_mapping(toml))
    assert len(got) == 441 and len(br.set_aside_rows(got)) == 0
    assert got["group_size"].isna().sum() == 4  # the partial responses stopped before Q8


def test_qualtrics_labels_without_mapping_fail_summarised_by_value(tmp_path):
    path, _, _ = ex.qualtrics_three_rows(tmp_path)
    with pytest.raises(br.DataValidationError) as info:
        br.load_survey(path, mapping=False, columns={
            c: c for c in []} or {tag: c for c, (tag, _) in ex.QUESTIONS.items()})
    message = str(info.value)
    n_private = int((ex.canonical()["setting_type"] == "private").sum())
    assert (f"{n_private} rows: setting_type 'Private day nursery' - category: must be one of "
            "private, voluntary, independent, maintained; nearest: 'private' — map it under "
            "[values.setting_type] in the mapping file") in message


def test_qualtrics_legacy_two_row_export(tmp_path):
    """The pre-2017 layout: V1..V10, question text in row 2, choice codes recoded by [values]."""
    path, expected, toml = ex.qualtrics_two_rows(tmp_path)
    (tmp_path / "survey.mapping.toml").write_text(toml, encoding="utf-8")
    got = _load(path)
    assert got.attrs["format"] == "qualtrics"
    _same_values(got, expected)
    assert len(br.set_aside_rows(got)) == 0
    # header row 1, question text row 2: the first response is row 3
    bad = path.read_text(encoding="utf-8").splitlines()
    fields = bad[2].split(",")
    fields[10 + list(ex.QUESTIONS).index("group_size")] = "about 12"
    bad[2] = ",".join(fields)
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    got = _load(path, on_error="set_aside")
    cells = br.set_aside_cells(got)
    assert cells[["row", "column", "value"]].values.tolist() == [[3, "group_size", "about 12"]]
    assert len(got) == len(expected) and pd.isna(got.loc[0, "group_size"])


def test_qualtrics_detection_needs_a_whole_import_id_row(tmp_path):
    """A plain CSV whose third row happens to hold {"ImportId"...} in one cell is not Qualtrics."""
    frame = br.synthetic.raw("survey").head(4).astype(object)
    frame.loc[1, "comments"] = '{"ImportId":"QID1"}'
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    got = _load(path)
    assert len(got) == 4 and got.attrs["format"] == "csv"
    assert got.loc[1, "comments"] == '{"ImportId":"QID1"}'


# ---------------------------------------------------------------- workbooks


def test_microsoft_forms_workbook(tmp_path):
    """Microsoft Forms: ID, Start time ... then full question text headers; "None" answers."""
    path, expected, toml = ex.forms_workbook(tmp_path)
    (tmp_path / "survey.mapping.toml").write_text(toml, encoding="utf-8")
    got = _load(path)
    _same_values(got, expected)
    assert {"Start time", "Completion time", "Email", "Name"} <= set(got.attrs["unused_columns"])
    assert (got["own_qualification"] == "none").sum() == \
        (expected["own_qualification"] == "none").sum() > 0


def test_jisc_online_surveys_workbook(tmp_path):
    """JISC Online Surveys (layout from its documentation, no real export available)."""
    path, expected, toml = ex.jisc_workbook(tmp_path)
    (tmp_path / "results.mapping.toml").write_text(toml, encoding="utf-8")
    got = _load(path)
    _same_values(got, expected)


# ---------------------------------------------------------------- SPSS


def test_spss_file_value_labels_user_missing_and_design(tmp_path):
    """SPSS .sav: value labels recoded through [values], -99 "Not answered" and 99 "Don't know"
    made missing by [missing], variable labels (question text) mapped, the weight kept."""
    path, expected, toml, weights = ex.spss_file(tmp_path)
    (tmp_path / "survey.mapping.toml").write_text(toml, encoding="utf-8")
    got = _load(path)
    _same_values(got, expected)
    assert design_columns(got) == {"strata": "region", "weights": "weight"}
    design = design_from(got)
    est = design.mean("group_size")["estimate"].item()
    y = expected["group_size"].to_numpy(dtype=float)
    # reference: the weighted mean sum(w*y)/sum(w), computed here with numpy
    assert est == pytest.approx(np.sum(weights * y) / np.sum(weights), rel=1e-12)
    assert design.spec["strata"] == "region" and design.spec["weights"] == "weight"


def test_spss_user_missing_values_are_kept_without_a_mapping(tmp_path):
    """The file declares -99 user-missing, but only [missing] makes a value missing."""
    path, _, _, _ = ex.spss_file(tmp_path)
    with pytest.raises(br.DataValidationError) as info:
        br.load_survey(path, mapping=False, columns={q: c for c, (_, q) in ex.QUESTIONS.items()})
    f = info.value.failures
    assert "Not answered" in set(f["value"])
    assert "Don't know" in set(f.loc[f["column"] == "staff_baby_trained", "value"])


# ---------------------------------------------------------------- the mapping file itself


def test_unknown_section_key_and_canonical_name_name_the_line(tmp_path):
    cases = {
        '[columns]\n"Q8" = "group_size"\n"Q9" = "staff"\n': "line 3: [columns] \"Q9\" = "
                                                             "\"staff\": 'staff' is not a "
                                                             "canonical survey column",
        '[colums]\n"Q8" = "group_size"\n': "line 1: [colums]: unknown section",
        '[design]\nweight = "w"\n': "line 2: [design] \"weight\": unknown key 'weight'",
        '[values.setting_type]\n"Private" = "privat"\n': "line 2: [values.setting_type] "
                                                          "\"Private\": 'privat' is not a value",
        '[values.babies]\n"x" = "y"\n': "line 1: [values.babies]: 'babies' is not a canonical",
        '[rows]\nkeep_previews = "yes"\n': "line 2: [rows] \"keep_previews\": keep_previews "
                                           "must be true or false",
        '[missing]\nsetting = ["x"]\n': "line 2: [missing] \"setting\"",
        '[columns\n': "is not valid TOML",
    }
    for text, fragment in cases.items():
        path = tmp_path / "survey.mapping.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(br.FileFormatError) as info:
            read_mapping(path)
        assert str(path) in str(info.value)
        assert fragment in str(info.value), (text, str(info.value))


def test_nothing_outside_missing_becomes_missing():
    frame = br.synthetic.raw("survey").head(4).astype(object)
    frame["settling_in"] = ["None", "none", " NONE ", "single_visit"]
    frame["staff_level2"] = ["0", "1", "Not answered", "2"]
    with pytest.raises(br.DataValidationError, match="value 'Not answered'"):
        br.load_survey(frame)
    m = read_mapping('[missing]\nstaff_level2 = ["not answered"]\n')
    got = _load(frame, mapping=m)
    assert got["settling_in"].tolist() == ["none", "none", "none", "single_visit"]
    assert got["staff_level2"].tolist()[:2] == [0, 1] and pd.isna(got.loc[2, "staff_level2"])


def test_decimal_comma_refused_or_declared():
    frame = br.synthetic.raw("survey").head(3).astype(object)
    frame["years_experience"] = ["2,5", "1,000", "3"]
    with pytest.raises(br.DataValidationError, match="a number with a comma") as info:
        br.load_survey(frame)
    assert info.value.failures["value"].tolist() == ["2,5", "1,000"]
    frame["years_experience"] = ["2", "0,0", "3"]
    got = _load(frame, mapping=read_mapping('[numbers]\ndecimal = ","\n'))
    assert got["years_experience"].tolist() == [2, 0, 3]


def test_weight_design_column_from_raw_header_is_checked():
    frame = br.synthetic.raw("survey").head(4).astype(object)
    frame["Final weight"] = ["1.5", "0", "x", "2"]
    m = read_mapping('[design]\nweights = "Final weight"\nclusters = ["setting_id"]\n')
    with pytest.raises(br.DataValidationError) as info:
        br.load_survey(frame, mapping=m)
    got = info.value.failures[["row", "column", "check"]].values.tolist()
    assert [3, "final_weight", "design: weights must be positive"] in got
    assert [4, "final_weight", "type: expected a number"] in got
    ok = _load(frame, mapping=m, on_error="set_aside")
    # a bad weight sets its row aside (the design cannot use a row without one)
    assert br.set_aside_rows(ok)["row"].tolist() == [3, 4]
    assert ok["final_weight"].tolist() == [1.5, 2.0]
    assert design_columns(ok) == {"clusters": ["setting_id"], "weights": "final_weight"}


def test_cell_level_setting_aside_keeps_the_respondent_and_key_failures_set_the_row_aside():
    frame = br.synthetic.raw("survey").head(5).astype(object)
    frame.loc[0, "group_size"] = "about 12"
    frame.loc[1, "respondent_id"] = frame.loc[2, "respondent_id"]
    got = _load(frame, on_error="set_aside")
    assert br.set_aside_rows(got)["row"].tolist() == [3, 4]
    assert br.set_aside_cells(got).drop(columns="file").values.tolist() == [
        [2, "group_size", "about 12", "type: expected a whole number"]]
    assert len(got) == 3 and pd.isna(got.loc[0, "group_size"])


def test_load_project_and_validate_use_the_mapping(tmp_path, capsys):
    from baby_room import synthetic
    from baby_room.cli import main

    synthetic.write_all(tmp_path)
    (tmp_path / "survey.csv").unlink()
    path, expected, _ = ex.qualtrics_three_rows(tmp_path)
    path.rename(tmp_path / "survey.csv")
    (tmp_path / "survey.mapping.toml").write_text(ex.qualtrics_mapping_toml(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", br.RowsSetAsideWarning)
        project = br.load_project(tmp_path)
        _same_values(project.survey, expected)
    assert len(project.set_aside) == 7
    assert main(["validate", str(tmp_path / "survey.csv")]) == 0
    out = capsys.readouterr().out
    assert "434 rows" in out and "7 rows set aside" in out
    other = tmp_path / "elsewhere.toml"
    (tmp_path / "survey.mapping.toml").rename(other)
    assert main(["validate", str(tmp_path / "survey.csv")]) == 1
    assert main(["validate", str(tmp_path / "survey.csv"), "--mapping", str(other)]) == 0


def test_baby_room_map_drafts_a_mapping_file(tmp_path, capsys):
    """`baby-room map EXPORT` proposes columns from question text and every answer's value."""
    from baby_room.cli import main

    path, expected, _ = ex.qualtrics_three_rows(tmp_path)
    assert main(["map", str(path)]) == 0
    draft = path.with_name(f"{path.stem}.mapping.toml")
    text = draft.read_text(encoding="utf-8")
    for line in ['"Q8" = "group_size"', '"Q1" = "role"', '"ResponseId" = "respondent_id"',
                 '"Private day nursery" = "private"', '"Level 6+" = "level_6_plus"',
                 '"Level 4/5" = "level_4_5"', '"None" = "none"', '"Yes" = "yes"']:
        assert line in text, line
    # every distinct answer of a categorical column is listed
    for label in ex.LABELS["settling_in"].values():
        assert f'"{label}" = ' in text or "Q13" in text
    assert main(["map", str(path)]) == 1  # an existing mapping file is never replaced
    assert "exists" in capsys.readouterr().err
    # the draft reads as a mapping file once its "?" are resolved
    resolved = "\n".join(line for line in text.splitlines() if '= "?"' not in line
                         or line.startswith("#"))
    mapping = read_mapping(resolved + "\n")
    assert mapping.columns["Q8"] == "group_size"


def test_the_worked_example_in_docs_is_a_valid_mapping_file():
    """docs/mapping.md's complete example and every TOML snippet in it read without error."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "mapping.md").read_text(
        encoding="utf-8")
    example = text.split("## A complete worked example")[1].split("```toml\n")[1].split("```")[0]
    mapping = read_mapping(example)
    assert mapping.columns["How many babies are in your room?"] == "group_size"
    assert mapping.design == {"weights": "weight", "strata": "region", "clusters": ["setting_id"]}
    for block in text.split("```toml\n")[1:]:  # every snippet is valid on its own
        read_mapping(block.split("```")[0])


def test_a_status_column_of_another_file_is_data():
    """Only a Qualtrics export's Status codes mean previews: a plain file's Status 1 is data."""
    frame = br.synthetic.raw("survey").head(3).astype(object)
    frame["Status"] = ["1", "2", "0"]
    frame["Finished"] = ["False", "True", "0"]
    got = _load(frame)
    assert len(got) == 3 and len(br.set_aside_rows(got)) == 0


def test_smartsurvey_csv(tmp_path):
    """SmartSurvey CSV (layout from its documentation, no real export available)."""
    path, expected, toml = ex.smartsurvey_csv(tmp_path)
    (tmp_path / "smartsurvey.mapping.toml").write_text(toml, encoding="utf-8")
    got = _load(path)
    _same_values(got, expected)
    assert got.attrs["format"] == "csv" and len(br.set_aside_rows(got)) == 0
    assert {"Started", "Ended", "Unique ID"} <= set(got.attrs["unused_columns"])


# ---------------------------------------------------------------- drafting: the column matcher

#: A Qualtrics CSV export (three header rows) as a survey team's own questionnaire would give
#: it: Qualtrics' meta columns and fraud-score field, renamed export tags, "- Selected
#: Choice" / "- ... - Text" columns, a matrix question, and questions about the respondent
#: (consent, name, e-mail, age, gender) that no canonical column holds. Header, question
#: text, ImportId, the canonical column the draft must propose ("?" for none), and answers.
REALISTIC_QUALTRICS = [
    ("Q_RecaptchaScore", "Q_RecaptchaScore", "Q_RecaptchaScore", "?", ["0.9", "1"]),
    ("Q1", "I have read the participant information sheet and I agree to take part in this "
           "survey.", "QID1", "?", ["I agree", "I do not agree"]),
    ("Q2", "What is your name?", "QID2_TEXT", "?", ["Sam Jones", "Priya", "A. Smith"]),
    ("Q3", "If you would like to enter the prize draw, please give your email address",
     "QID3_TEXT", "?", ["sam@example.org", "p@example.com"]),
    ("Q4", "What is your age?", "QID4_TEXT", "?", ["24", "37", "51", "19", "45"]),
    ("Q5", "What is your gender? - Selected Choice", "QID5", "?",
     ["Female", "Male", "Prefer not to say"]),
    ("Q5_4_TEXT", "What is your gender? - Prefer to self-describe - Text", "QID5_4_TEXT", "?",
     ["non-binary"]),
    ("Q6", "Which of the following best describes your current role? - Selected Choice", "QID6",
     "role", ["Practitioner", "Room leader", "Nursery manager", "Other (please specify)"]),
    ("Q6_4_TEXT", "Which of the following best describes your current role? - Other (please "
                  "specify) - Text", "QID6_4_TEXT", "?", ["Cook", "Apprentice"]),
    ("Q7", "What type of setting do you work in?", "QID7", "setting_type",
     ["Private day nursery", "Voluntary pre-school", "Maintained nursery school"]),
    ("Q8", "Which region of England is your setting in?", "QID8", "region",
     ["London", "North West", "South East"]),
    ("Q9", "Your nursery's Ofsted URN", "QID9_TEXT", "setting_id", ["EY123456", "EY654321"]),
    ("num_babies", "How many babies (children under two) are usually in your room at one time?",
     "QID10_TEXT", "group_size", ["9", "12", "6", "15"]),
    ("adults_room", "How many adults work in the baby room on a typical day?", "QID11_TEXT",
     "staff_in_room", ["3", "4", "2"]),
    ("Q12", "How many of these adults hold a Level 2 qualification?", "QID12_TEXT",
     "staff_level2", ["1", "0", "2"]),
    ("Q13", "How long have you worked with babies? (years)", "QID13_TEXT", "years_experience",
     ["2", "10", "25", "0"]),
    ("Q14", "In the last 12 months, have you attended any training specifically about babies?",
     "QID14", "cpd_baby_past_year", ["Yes", "No"]),
    ("Q15", "What is your highest early years qualification?", "QID15", "own_qualification",
     ["Level 3", "Level 6 (degree)", "Level 2", "None"]),
    ("Q16_1", "How much do you agree or disagree with the following statements? - I feel valued "
              "by my manager", "QID16_1", "valued_by_manager",
     ["Agree", "Strongly agree", "Disagree"]),
    ("Q16_2", "How much do you agree or disagree with the following statements? - Parents value "
              "the work I do", "QID16_2", "valued_by_parents", ["Agree", "Neither agree nor "
                                                                 "disagree"]),
    ("Q16_3", "How much do you agree or disagree with the following statements? - I feel "
              "confident caring for babies", "QID16_3", "confident_with_babies",
     ["Strongly agree", "Agree"]),
    ("Q17", "Would you like to receive a summary of the findings?", "QID17", "?", ["Yes", "No"]),
    ("Q18", "How did you hear about this survey?", "QID18", "?",
     ["Local authority email", "Twitter", "A colleague"]),
    ("Q19", "Is there anything else you would like to say about working in a baby room?",
     "QID19_TEXT", "comments", ["We need more staff.", "", "Lovely job but tiring"]),
]


def _realistic_qualtrics(path):
    import csv

    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName",
            "RecipientFirstName", "RecipientEmail", "ExternalReference", "LocationLatitude",
            "LocationLongitude", "DistributionChannel", "UserLanguage"]
    meta_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                 "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                 "Recipient Last Name", "Recipient First Name", "Recipient Email",
                 "External Data Reference", "Location Latitude", "Location Longitude",
                 "Distribution Channel", "User Language"]
    meta_ids = ["startDate", "endDate", "status", "ipAddress", "progress", "duration",
                "finished", "recordedDate", "_recordId", "recipientLastName",
                "recipientFirstName", "recipientEmail", "externalDataReference",
                "locationLatitude", "locationLongitude", "distributionChannel", "userLanguage"]
    rows = [meta + [q[0] for q in REALISTIC_QUALTRICS],
            meta_text + [q[1] for q in REALISTIC_QUALTRICS],
            [f'{{"ImportId":"{i}"}}' for i in meta_ids + [q[2] for q in REALISTIC_QUALTRICS]]]
    for i in range(24):
        day = f"2026-05-0{1 + i % 9}"
        rows.append([f"{day} 10:00:00", f"{day} 10:09:00",
                     "IP Address", "", "100", "540", "True", "2026-05-01 10:09:00",
                     f"R_{i:015d}", "", "", "", "", "51.5", "-0.12", "anonymous", "EN-GB"]
                    + [q[4][i % len(q[4])] for q in REALISTIC_QUALTRICS])
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)


def test_draft_proposes_columns_from_realistic_qualtrics_questions_and_leaves_the_rest(tmp_path):
    """Qualtrics three-row export (layout as the real exports read with the search tool:
    meta columns, Q_RecaptchaScore, "- Selected Choice" and "_TEXT" columns, a matrix):
    every question the codebook has a column for is proposed, once, even worded as the
    survey team worded it; the respondent's name, e-mail, age, gender, consent, the
    "other" text of a choice question and questions of the survey's own (findings,
    how they heard of it) are left as "?" — before, age was proposed as years_experience
    and a name question as confident_with_babies. Ages are numbers in years_experience's
    range and the findings question is answered Yes/No like cpd_baby_past_year, so the
    answers' type alone does not decide."""
    import re

    from baby_room.mapping import draft_mapping

    path = tmp_path / "Baby rooms survey_May 9, 2026_11.02.csv"
    _realistic_qualtrics(path)
    text = draft_mapping(path)
    columns = text.split("[columns]\n")[1].split("\n\n")[0]
    got = {}
    for line in columns.splitlines():
        m = re.match(r'^(?:# )?("(?:[^"\\]|\\.)*") = "([^"]*)"', line)
        got[json.loads(m.group(1))] = m.group(2)
    assert got["ResponseId"] == "respondent_id"
    assert {h: got[h] for h, *_ in REALISTIC_QUALTRICS} == {
        h: want for h, _, _, want, _ in REALISTIC_QUALTRICS}
    proposed = [c for c in got.values() if c != "?"]
    assert len(proposed) == len(set(proposed))  # no canonical column twice
    # the value tables follow the proposals: the role's answers, with "?" for the one
    # that is no category
    assert '"Room leader" = "room_leader"' in text and '"Other (please specify)" = "?"' in text
