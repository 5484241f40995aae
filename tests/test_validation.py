"""Each validation rule: found in one pass, reported with file, row, column, value and rule."""

import warnings

import pandas as pd
import pytest

import baby_room as br
from baby_room.synthetic import raw as _raw


def raw(kind):
    return _raw(kind).astype(object)


def _survey(n=6):
    return raw("survey").head(n).copy()


def _errors(frame, loader=br.load_survey, **kw):
    with pytest.raises(br.DataValidationError) as info:
        loader(frame, **kw)
    return info.value


def test_every_problem_is_reported_at_once(tmp_path):
    frame = _survey()
    frame.loc[0, "group_size"] = "twelve"
    frame.loc[1, "region"] = "Narnia"
    frame.loc[2, "staff_in_room"] = "-1"
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    err = _errors(path)
    f = err.failures
    assert list(f.columns) == ["file", "row", "column", "value", "check"]
    assert f[["row", "column", "value"]].values.tolist() == [
        [2, "group_size", "twelve"], [3, "region", "Narnia"], [4, "staff_in_room", "-1"]]
    message = str(err)
    assert message.startswith(f"3 problems found in {path} (survey):")
    assert f"file {path}, row 2, column group_size: value 'twelve' - type: expected a whole number" in message
    assert "row 3, column region: value 'Narnia' - category: must be one of North East, North West" in message
    assert "row 4, column staff_in_room: value '-1' - range: must be at least 1" in message


def test_required_column_missing_names_it():
    err = _errors(_survey().drop(columns=["group_size", "region"]))
    assert set(err.failures["column"]) == {"group_size", "region"}
    assert err.failures["row"].isna().all()
    assert "row -, column group_size: value <missing> - required column missing" in str(err)


def test_required_value_missing():
    frame = _survey()
    frame.loc[3, "respondent_id"] = "  "
    err = _errors(frame)
    assert err.failures[["row", "column", "check"]].values.tolist() == [
        [5, "respondent_id", "required value missing"]]


def test_fractional_and_huge_numbers():
    frame = _survey()
    frame.loc[0, "group_size"] = "12.5"
    frame.loc[1, "years_experience"] = "1e300"
    err = _errors(frame)
    checks = dict(zip(err.failures["column"], err.failures["check"], strict=True))
    assert checks == {"group_size": "type: expected a whole number",
                      "years_experience": "range: number too large"}


def test_range_upper_bound():
    frame = _survey()
    frame.loc[0, "group_size"] = "61"
    assert _errors(frame).failures["check"].tolist() == ["range: must be at most 60"]


def test_bad_boolean_and_likert():
    frame = _survey()
    frame.loc[0, "cpd_baby_past_year"] = "maybe"
    frame.loc[1, "valued_by_parents"] = "Sort of"
    f = _errors(frame).failures
    assert f["check"].tolist() == [
        "type: expected yes/no (true/false, 1/0)",
        "category: must be one of Strongly disagree, Disagree, Neither agree nor disagree, "
        "Agree, Strongly agree — map it under [values.valued_by_parents] in the mapping file"]


def test_likert_numeric_codes_and_label_case_are_accepted():
    frame = _survey()
    frame.loc[0, "valued_by_parents"] = "5"
    frame.loc[1, "valued_by_parents"] = "strongly DISAGREE"
    frame.loc[2, "role"] = "Room Leader"
    got = br.load_survey(frame)
    assert got.loc[0, "valued_by_parents"] == "Strongly agree"
    assert got.loc[1, "valued_by_parents"] == "Strongly disagree"
    assert got.loc[2, "role"] == "room_leader"


def test_duplicate_identifiers():
    frame = _survey()
    frame.loc[4, "respondent_id"] = frame.loc[1, "respondent_id"]
    f = _errors(frame).failures
    assert f["row"].tolist() == [3, 6]
    assert set(f["check"]) == {"duplicate identifier: the same key appears in more than one row"}


def test_qualified_staff_cannot_exceed_staff_in_room():
    frame = _survey()
    frame.loc[0, ["staff_in_room", "staff_level3", "staff_level2", "staff_baby_trained"]] = [
        "3", "4", "0", "1"]
    frame.loc[1, ["staff_in_room", "staff_level3", "staff_level2", "staff_baby_trained"]] = [
        "3", "2", "2", "3"]
    f = _errors(frame).failures
    assert f[["row", "column", "value", "check"]].values.tolist() == [
        [2, "staff_level3", "4 > 3", "consistency: Level 3 staff cannot exceed staff_in_room"],
        [3, "staff_level3 + staff_level2", "4",
         "consistency: Level 3 plus Level 2 staff cannot exceed staff_in_room"]]


def test_room_described_differently_is_flagged_not_dropped():
    survey = br.synthetic.survey()
    conflicts = br.survey.load.list_room_conflicts(survey)
    # the generator makes 5 rooms whose educator misremembers the group size
    assert len(conflicts) == 5
    assert set(conflicts["column"]) == {"group_size"}
    assert (conflicts["respondents"] == 2).all()
    assert len(survey) == len(raw("survey"))  # nobody dropped


def test_set_aside_keeps_rows_and_reasons():
    # a failing identifier sets its row aside; failing answers only make their cells missing
    frame = _survey()
    frame.loc[2, "setting_id"] = ""
    frame.loc[2, "group_size"] = "0"
    frame.loc[3, "region"] = "Atlantis"
    with pytest.warns(br.RowsSetAsideWarning, match="1 of 6 survey rows failed validation"):
        got = br.load_survey(frame, on_error="set_aside")
    assert len(got) == 5
    aside = br.set_aside_rows(got)
    assert aside["row"].tolist() == [4]
    assert aside["reasons"].item() == "setting_id: required value missing"
    assert aside["respondent_id"].item() == frame.loc[2, "respondent_id"]
    cells = br.set_aside_cells(got)
    assert cells[["row", "column", "value"]].values.tolist() == [
        [4, "group_size", "0"], [5, "region", "Atlantis"]]
    assert cells["reason"].iloc[1].startswith(
        "category: must be one of North East, North West, Yorkshire and The Humber")
    # the cell left in the kept row is missing, the rest of the respondent is there
    kept = got.set_index("respondent_id").loc[frame.loc[3, "respondent_id"]]
    assert pd.isna(kept["region"]) and kept["group_size"] == int(frame.loc[3, "group_size"])


def test_set_aside_cannot_hide_a_missing_column():
    with pytest.raises(br.DataValidationError, match="required column missing"):
        br.load_survey(_survey().drop(columns=["region"]), on_error="set_aside")


def test_on_error_must_be_known():
    with pytest.raises(ValueError, match="on_error must be one of raise, set_aside; got 'skip'"):
        br.load_survey(_survey(), on_error="skip")


def test_mapping_to_missing_or_unknown_column():
    err = _errors(raw("evidence").head(3), loader=br.load_evidence,
                  columns={"Country": "countries", "year": "published"})
    checks = err.failures["check"].tolist()
    assert "column mapping names 'Country', which is not in the file" in checks[0] + checks[1]
    assert any("'published' is not a canonical evidence column" in c for c in checks)


def test_evidence_year_range():
    frame = raw("evidence").head(3).copy()
    frame.loc[0, "year"] = "1890"
    frame.loc[1, "year"] = "2999"
    f = _errors(frame, loader=br.load_evidence).failures
    assert f["check"].tolist()[0] == "range: must be at least 1950"
    assert f["check"].tolist()[1].startswith("range: must be at most 20")


def test_coding_end_before_start():
    frame = raw("coding").head(4).copy()
    frame.loc[0, ["start", "end"]] = ["50", "10"]
    f = _errors(frame, loader=br.load_coding).failures
    assert f[["row", "column", "value"]].values.tolist() == [[2, "start + end", "50 > 10"]]


def test_coding_unknown_conference():
    frame = raw("coding").head(4).copy()
    frame.loc[1, "conference"] = "Leeds"
    f = _errors(frame, loader=br.load_coding).failures
    assert f["check"].item() == (
        "category: must be one of London, York, Norwich, Manchester, Falmouth, Bristol")
    # the coding has no mapping file: no hint to one


def test_unknown_label_gets_the_nearest_category():
    frame = _survey()
    frame.loc[0, "setting_type"] = "Private day nursery"
    frame.loc[1, "role"] = "Room leeder"
    checks = dict(zip(_errors(frame).failures["column"], _errors(frame).failures["check"],
                      strict=True))
    assert "nearest: 'private' — map it under [values.setting_type]" in checks["setting_type"]
    assert "nearest: 'room_leader'" in checks["role"]


def test_message_lists_at_most_fifty_and_counts_the_rest():
    frame = raw("survey").head(80).copy()
    frame["group_size"] = "n/a?"
    message = str(_errors(frame))
    assert message.startswith("80 problems found")
    assert message.endswith("... and 30 more (see .failures)")


def test_no_silent_coercion_of_bad_values_to_missing():
    frame = _survey()
    frame.loc[0, "staff_level2"] = "two"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = br.load_survey(frame, on_error="set_aside")
    assert len(got) == 6 and len(br.set_aside_rows(got)) == 0
    assert br.set_aside_cells(got)[["row", "column", "value"]].values.tolist() == [
        [2, "staff_level2", "two"]]
    assert pd.isna(got.loc[0, "staff_level2"])


def test_validation_error_is_a_value_error():
    assert issubclass(br.DataValidationError, ValueError)
    assert issubclass(br.FileFormatError, ValueError)
    assert pd.api.types.is_integer_dtype(_errors(_survey().assign(group_size="x")).failures["row"])


def test_loaded_tables_combine_freely_with_rows_set_aside():
    frame = _survey()
    frame.loc[0, "room_id"] = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = br.load_survey(frame, on_error="set_aside")
    # pandas compares attrs when it recombines frames: the set-aside holder must allow it
    both = pd.concat([got, got], ignore_index=True)
    assert len(both) == 10
    assert got[["region", "role"]].astype(str).shape == (5, 2)
    assert br.set_aside_rows(both)["row"].tolist() == [2]


def test_missing_required_column_lists_the_files_own_headers():
    frame = _survey().drop(columns=["region"]).rename(columns={"group_size": "Babies (n)"})
    f = _errors(frame).failures
    check = f.loc[f["column"] == "region", "check"].item()
    assert check.startswith("required column missing; the file's columns are: 'respondent_id', "
                            "'role', 'setting_id'")
    assert "'Babies (n)'" in check
