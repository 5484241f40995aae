"""Realistic survey-tool exports made from the canonical synthetic survey, for the mapping tests.

Each writer turns ``baby_room.synthetic.survey()`` into the file a survey tool would give
(headers, meta columns, answer labels, codes, quirks) and returns the path plus the
canonical table the loader must give back. The layouts:

* **Qualtrics CSV, three header rows** (export tag, question text, ``{"ImportId": ...}``),
  UTF-8 with BOM, CRLF, every cell quoted; meta columns StartDate ... UserLanguage;
  ``Status`` "IP Address" / "Survey Preview", ``Finished`` "True"/"False", partial
  responses with later questions empty; ResponseId ``R_`` + 15 characters. Layout as in
  real exports read with the search tool (e.g. the qualtRics test data and several
  public repositories' ``*_qualtrics.csv``), values invented.
* **Qualtrics legacy CSV, two header rows** (``V1``...``V10`` then ``Q1``...; the second
  row ``ResponseID``, ``ResponseSet`` ... ``Finished`` then question text), choice
  codes instead of labels, ``Status`` 0/1, ``Finished`` 1/0 — the pre-2017 layout.
* **Microsoft Forms .xlsx**: ID, Start time, Completion time (Excel date cells),
  Email ("anonymous"), Name, Last modified time, then one column per question headed by
  its full text; answers as choice text, "None" a real answer.
* **JISC Online Surveys .xlsx**: built from the tool's documentation (no real export was
  available): "Started on", "Completed on", then questions numbered "1. ...",
  grid rows "16.1. ...".
* **SmartSurvey CSV** (from its help pages; no real export was available): UserNo, Name,
  Email, IP Address, Unique ID, Started, Ended, Tracking Link, Custom Value, then question text.
* **SPSS .sav** (as Qualtrics' and SPSS users' files): numeric codes with value labels,
  variable labels holding the question text, -99 "Not answered" declared user-missing,
  99 "Don't know" on a count, a weight column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

import numpy as np
import pandas as pd

import baby_room as br
from baby_room.codebook import SURVEY_LIKERT_ITEMS

LABELS = {
    "role": {"educator": "Practitioner / educator", "room_leader": "Baby room leader",
             "manager": "Nursery manager"},
    "setting_type": {"private": "Private day nursery",
                     "voluntary": "Voluntary or community pre-school",
                     "independent": "Independent school nursery",
                     "maintained": "Maintained nursery school"},
    "settling_in": {"gradual_flexible": "Gradual, flexible to each family",
                    "gradual_fixed": "Gradual, to a fixed timetable",
                    "single_visit": "A single visit", "none": "None"},
    "own_qualification": {"none": "None", "level_2": "Level 2", "level_3": "Level 3",
                          "level_4_5": "Level 4/5", "level_6_plus": "Level 6+"},
}
YES_NO = {True: "Yes", False: "No"}

LIKERT_TEXT = {
    "valued_by_manager": "I feel valued by my manager",
    "valued_by_parents": "I feel valued by parents",
    "valued_by_society": "Baby room work is valued by society",
    "confident_with_babies": "I feel confident in my work with babies",
    "want_baby_training": "I want more baby-specific training",
    "group_size_too_large": "The group size in my baby room is too large",
}
GRID = "How far do you agree with each statement?"

#: canonical column -> (Qualtrics export tag, question text)
QUESTIONS = {
    "role": ("Q1", "What is your role?"),
    "setting_id": ("Q2", "Your nursery's unique reference number (URN)"),
    "room_id": ("Q3", "Which baby room do you work in?"),
    "setting_type": ("Q4", "What type of provider is your nursery?"),
    "region": ("Q5", "In which region is your nursery?"),
    "local_authority": ("Q6", "In which local authority is your nursery?"),
    "group_size": ("Q8", "How many babies are in your room?"),
    "staff_in_room": ("Q9", "How many adults usually work in your room?"),
    "staff_level3": ("Q10_1", "How many of these adults hold each qualification? - "
                              "Level 3 or above"),
    "staff_level2": ("Q10_2", "How many of these adults hold each qualification? - Level 2"),
    "staff_baby_trained": ("Q11", "How many of these adults have training specific to babies?"),
    "cpd_baby_past_year": ("Q12", "Have you had baby-specific training in the past 12 months?"),
    "settling_in": ("Q13", "How do new babies settle in to your room?"),
    "years_experience": ("Q14", "How many years have you worked with children under 2?"),
    "own_qualification": ("Q15", "What is your highest early-years qualification?"),
    **{item: (f"Q16_{i + 1}", f"{GRID} - {LIKERT_TEXT[item]}")
       for i, item in enumerate(SURVEY_LIKERT_ITEMS)},
    "comments": ("Q20", "Is there anything else you would like to tell us?"),
}


def canonical() -> pd.DataFrame:
    """The canonical synthetic survey (what every export must load back to)."""
    return br.synthetic.survey()


def response_ids(n: int, salt: str = "") -> list[str]:
    """Qualtrics-like ResponseIds: ``R_`` + 15 letters and digits."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    out = []
    for i in range(n):
        digest = hashlib.sha256(f"{salt}{i}".encode()).digest()
        out.append("R_" + "".join(alphabet[b % 62] for b in digest[:15]))
    return out


def label_of(column: str, value) -> str:
    """The answer text a tool shows for a canonical value ('' when missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if column in LABELS:
        return LABELS[column][str(value)]
    if column == "cpd_baby_past_year":
        return YES_NO[bool(value)]
    return str(value)


def answer_texts(data: pd.DataFrame) -> pd.DataFrame:
    """Every canonical answer as the tools' answer text (strings, '' for no answer)."""
    out = pd.DataFrame(index=data.index)
    for column in QUESTIONS:
        out[column] = [label_of(column, v) for v in data[column].astype(object)]
    return out


def values_toml() -> str:
    """The [values.*] tables recoding the tools' labels."""
    parts = []
    for column, labels in LABELS.items():
        parts.append(f"[values.{column}]")
        parts += [f"{json.dumps(text)} = {json.dumps(code)}" for code, text in labels.items()]
        parts.append("")
    parts += ["[values.cpd_baby_past_year]", '"Yes" = "yes"', '"No" = "no"', ""]
    return "\n".join(parts)


# ---------------------------------------------------------------- Qualtrics

QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude",
                  "DistributionChannel", "UserLanguage"]
QUALTRICS_META_TEXT = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                       "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                       "Recipient Last Name", "Recipient First Name", "Recipient Email",
                       "External Data Reference", "Location Latitude", "Location Longitude",
                       "Distribution Channel", "User Language"]
QUALTRICS_META_IMPORT = ['{"ImportId":"startDate","timeZone":"Europe/London"}',
                         '{"ImportId":"endDate","timeZone":"Europe/London"}',
                         '{"ImportId":"status"}', '{"ImportId":"ipAddress"}',
                         '{"ImportId":"progress"}', '{"ImportId":"duration"}',
                         '{"ImportId":"finished"}',
                         '{"ImportId":"recordedDate","timeZone":"Europe/London"}',
                         '{"ImportId":"_recordId"}', '{"ImportId":"recipientLastName"}',
                         '{"ImportId":"recipientFirstName"}', '{"ImportId":"recipientEmail"}',
                         '{"ImportId":"externalDataReference"}',
                         '{"ImportId":"locationLatitude"}', '{"ImportId":"locationLongitude"}',
                         '{"ImportId":"distributionChannel"}', '{"ImportId":"userLanguage"}']


def _meta(i: int, rid: str, status: str, finished: str, progress: str) -> list[str]:
    start = dt.datetime(2025, 3, 8, 9, 0) + dt.timedelta(minutes=7 * i)
    end = start + dt.timedelta(seconds=300 + i % 400)
    stamp = "%Y-%m-%d %H:%M:%S"
    return [start.strftime(stamp), end.strftime(stamp), status, "", progress,
            str(300 + i % 400), finished, end.strftime(stamp), rid, "", "", "", "",
            "51.5074", "-0.1278", "anonymous", "EN-GB"]


def survey_weights(n: int) -> list[str]:
    """Unequal survey weights (0.5 to 3.0, as text) for ``n`` responses, as a survey team's
    embedded-data field would carry them."""
    return [f"{0.5 + (i * 37) % 11 / 4:g}" for i in range(n)]


def qualtrics_three_rows(folder, *, previews: int = 3, unfinished: int = 4,
                         weights: bool = False):
    """A Qualtrics CSV export (three header rows) of the canonical survey, plus previews and
    partial responses. Returns (path, expected canonical table, {row: reason word}).

    ``weights``: the export ends with an embedded-data field ``Weight`` (header, question
    text and ImportId all "Weight", as Qualtrics writes embedded data), and the expected
    table has its values as the Float64 column ``weight``.
    """
    data = canonical()
    ids = response_ids(len(data) + previews + unfinished, "q3")
    texts = answer_texts(data)
    if weights:
        texts = texts.assign(Weight=survey_weights(len(data)))
    tags = [QUESTIONS[c][0] for c in QUESTIONS]
    header = QUALTRICS_META + tags + (["Weight"] if weights else [])
    second = QUALTRICS_META_TEXT + [QUESTIONS[c][1] for c in QUESTIONS] + (
        ["Weight"] if weights else [])
    third = QUALTRICS_META_IMPORT + [json.dumps({"ImportId": f"QID{t[1:]}" + (
        "_TEXT" if c in {"setting_id", "room_id", "local_authority", "comments",
                         "group_size", "staff_in_room", "staff_baby_trained",
                         "years_experience"} else "")}, separators=(",", ":"))
        for c, t in zip(QUESTIONS, tags, strict=True)] + (
        ['{"ImportId":"Weight"}'] if weights else [])
    records, aside = [], {}
    for i in range(len(data)):
        records.append(_meta(i, ids[i], "IP Address", "True", "100")
                       + texts.iloc[i].tolist())
        if i == 40:  # previews sit among the responses, as they are recorded
            for k in range(previews):
                records.append(_meta(i, ids[len(data) + k], "Survey Preview", "True", "100")
                               + texts.iloc[k].tolist())
                aside[len(records) + 3] = "survey preview"
    for k in range(unfinished):  # partial responses: later questions empty
        answers = texts.iloc[k].tolist()
        cut = list(QUESTIONS).index("group_size")
        answers = answers[:cut] + [""] * (len(answers) - cut)
        if weights:  # embedded data is set when the response starts
            answers[-1] = texts["Weight"].iloc[k]
        records.append(_meta(500 + k, ids[len(data) + previews + k], "IP Address", "False",
                             "35") + answers)
        aside[len(records) + 3] = "unfinished response"
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([header, second, third, *records])
    path = folder / "baby_room_survey_export.csv"
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    expected = data.assign(respondent_id=pd.array(ids[:len(data)], dtype="string"))
    if weights:
        expected["weight"] = pd.array(texts["Weight"].astype(float), dtype="Float64")
    return path, expected, aside


def qualtrics_mapping_toml(*, by_text: bool = True, weights: bool = False) -> str:
    """Columns by export tag for half the questions and by question text for the rest;
    ``weights``: a ``[design]`` naming the export's ``Weight`` field."""
    lines = ["# Baby Room survey, Qualtrics export", "[columns]"]
    for i, (column, (tag, text)) in enumerate(QUESTIONS.items()):
        key = text if by_text and i % 2 else tag
        lines.append(f"{json.dumps(key)} = {json.dumps(column)}")
    design = '[design]\nweights = "Weight"\n' if weights else ""
    return "\n".join(lines) + "\n\n" + values_toml() + design


CODES = {column: {code: str(i + 1) for i, code in enumerate(labels)}
         for column, labels in LABELS.items()}


def qualtrics_two_rows(folder):
    """A legacy Qualtrics CSV (two header rows, V1...V10, choice codes). Returns
    (path, expected, mapping text)."""
    data = canonical()
    ids = response_ids(len(data), "legacy")
    tags = [QUESTIONS[c][0] for c in QUESTIONS]
    legacy = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
              "IPAddress", "Status", "StartDate", "EndDate", "Finished"]
    header = [f"V{i}" for i in range(1, 11)] + tags
    second = legacy + [QUESTIONS[c][1] for c in QUESTIONS]
    records = []
    for i, row in enumerate(data.astype(object).itertuples(index=False)):
        values = dict(zip(data.columns, row, strict=True))
        answers = []
        for column in QUESTIONS:
            v = values[column]
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                answers.append("")
            elif column in CODES:
                answers.append(CODES[column][str(v)])
            elif column == "cpd_baby_past_year":
                answers.append("1" if v else "2")  # Qualtrics codes Yes=1, No=2
            elif column in SURVEY_LIKERT_ITEMS:
                answers.append(str(list(br.codebook.LIKERT_LEVELS).index(v) + 1))
            else:
                answers.append(str(v))
        records.append([ids[i], "Default Response Set", "Anonymous", "", "", "", "0",
                        "2014-05-01 10:00:00", "2014-05-01 10:09:00", "1"] + answers)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, second, *records])
    path = folder / "legacy.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    lines = ["[columns]", '"V1" = "respondent_id"']
    lines += [f"{json.dumps(QUESTIONS[c][0])} = {json.dumps(c)}" for c in QUESTIONS]
    lines.append("")
    for column, codes in CODES.items():
        lines.append(f"[values.{column}]")
        lines += [f'"{num}" = {json.dumps(code)}' for code, num in codes.items()]
        lines.append("")
    lines += ["[values.cpd_baby_past_year]", '"1" = "yes"', '"2" = "no"', ""]
    expected = data.assign(respondent_id=pd.array(ids, dtype="string"))
    return path, expected, "\n".join(lines)


# ---------------------------------------------------------------- workbooks


def _question_workbook(path, meta: list[str], meta_values, questions: list[str], texts):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(meta + questions)
    for i in range(len(texts)):
        answers = [v if v != "" else None for v in texts.iloc[i].tolist()]
        ws.append(list(meta_values(i)) + answers)
    wb.save(path)
    return path


def forms_workbook(folder):
    """A Microsoft Forms results workbook. Returns (path, expected, mapping text)."""
    data = canonical()
    texts = answer_texts(data).drop(columns=["comments"])
    questions = [QUESTIONS[c][1] if c not in SURVEY_LIKERT_ITEMS else
                 f"{GRID}.{LIKERT_TEXT[c]}" for c in texts.columns]

    def meta(i):
        start = dt.datetime(2025, 4, 26, 10, 0) + dt.timedelta(minutes=5 * i)
        return [i + 1, start, start + dt.timedelta(minutes=6), "anonymous", None, None]

    path = _question_workbook(folder / "Baby room survey(1-434).xlsx",
                              ["ID", "Start time", "Completion time", "Email", "Name",
                               "Last modified time"], meta, questions, texts)
    lines = ["[columns]"] + [f"{json.dumps(q)} = {json.dumps(c)}"
                             for q, c in zip(questions, texts.columns, strict=True)]
    expected = data.assign(respondent_id=pd.array([str(i + 1) for i in range(len(data))],
                                                  dtype="string"),
                           comments=pd.array([None] * len(data), dtype="string"))
    return path, expected, "\n".join(lines) + "\n\n" + values_toml()


def jisc_workbook(folder):
    """A JISC Online Surveys export workbook (layout from its documentation)."""
    data = canonical()
    texts = answer_texts(data)
    numbered, n = [], 0
    for column in texts.columns:
        if column in SURVEY_LIKERT_ITEMS:
            k = SURVEY_LIKERT_ITEMS.index(column) + 1
            if k == 1:
                n += 1
            numbered.append(f"{n}.{k}. {LIKERT_TEXT[column]}")
        else:
            n += 1
            numbered.append(f"{n}. {QUESTIONS[column][1]}")

    def meta(i):
        start = dt.datetime(2025, 5, 10, 11, 0) + dt.timedelta(minutes=3 * i)
        return [f"{i + 1:06d}", start, start + dt.timedelta(minutes=9)]

    path = _question_workbook(folder / "results.xlsx", ["Response ID", "Started on",
                                                        "Completed on"], meta, numbered, texts)
    lines = ["[columns]"] + [f"{json.dumps(q)} = {json.dumps(c)}"
                             for q, c in zip(numbered, texts.columns, strict=True)]
    expected = data.assign(respondent_id=pd.array([f"{i + 1:06d}" for i in range(len(data))],
                                                  dtype="string"))
    return path, expected, "\n".join(lines) + "\n\n" + values_toml()


# ---------------------------------------------------------------- SPSS


def spss_file(folder):
    """An SPSS .sav with value labels, user-missing -99, "Don't know" 99 and a weight.

    Returns (path, expected, mapping text, weights)."""
    import pyreadstat

    data = canonical()
    out = pd.DataFrame({"ResponseId": data["respondent_id"].astype(str)})
    value_labels, missing_ranges, labels_of = {}, {}, {}
    for column in QUESTIONS:
        s = data[column].astype(object)
        name = QUESTIONS[column][0]
        labels_of[name] = QUESTIONS[column][1]
        if column in LABELS or column in SURVEY_LIKERT_ITEMS or column == "cpd_baby_past_year":
            if column in LABELS:
                order = list(LABELS[column])
                text = LABELS[column]
            elif column == "cpd_baby_past_year":
                order, text = [True, False], YES_NO
            else:
                order = list(br.codebook.LIKERT_LEVELS)
                text = {v: v for v in order}
            codes = {v: i + 1 for i, v in enumerate(order)}
            out[name] = [float(codes[v]) if not pd.isna(v) else -99.0 for v in s]
            value_labels[name] = {float(i + 1): text[v] for i, v in enumerate(order)}
            value_labels[name][-99.0] = "Not answered"
            missing_ranges[name] = [-99.0]
        elif pd.api.types.is_numeric_dtype(data[column].dtype):
            numbers = []
            for j, v in enumerate(s):
                if pd.isna(v):  # a count not known: "Don't know" (99) or not answered
                    numbers.append(99.0 if column == "staff_baby_trained" and j % 2 else -99.0)
                else:
                    numbers.append(float(v))
            out[name] = numbers
            value_labels[name] = {-99.0: "Not answered"}
            if column == "staff_baby_trained":
                value_labels[name][99.0] = "Don't know"
            missing_ranges[name] = [-99.0]
        else:
            out[name] = [("" if pd.isna(v) else str(v)) for v in s]
    rng = np.random.default_rng(2025)
    weights = np.round(rng.uniform(0.5, 3.0, len(data)), 4)
    out["weight"] = weights
    labels_of["weight"] = "Survey weight (region x setting type)"
    path = folder / "survey.sav"
    pyreadstat.write_sav(out, str(path), column_labels=labels_of,
                         variable_value_labels=value_labels, missing_ranges=missing_ranges)
    lines = ["[columns]"] + [f"{json.dumps(QUESTIONS[c][1])} = {json.dumps(c)}"
                             for c in QUESTIONS]
    lines += ["", "[missing]", 'all = ["Not answered"]',
              'staff_baby_trained = ["Don\'t know"]', "",
              "[design]", 'weights = "weight"', 'strata = "region"', ""]
    expected = data.assign(weight=pd.array(weights, dtype="Float64"))
    return path, expected, "\n".join(lines) + "\n" + values_toml(), weights


def smartsurvey_csv(folder):
    """A SmartSurvey CSV export (layout from its help pages' description, no real export was
    available): UserNo, Name, Email, IP Address, Unique ID, Started, Ended, Tracking Link,
    Custom Value, then one column per question headed by its text; UTF-8 with BOM."""
    data = canonical()
    texts = answer_texts(data)
    questions = [QUESTIONS[c][1] for c in texts.columns]
    meta = ["UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended",
            "Tracking Link", "Custom Value"]
    records = []
    for i in range(len(data)):
        start = dt.datetime(2025, 6, 14, 9, 30) + dt.timedelta(minutes=4 * i)
        records.append([str(41000 + i), "", "", "", f"{i:08X}",
                        start.strftime("%d/%m/%Y %H:%M:%S"),
                        (start + dt.timedelta(minutes=8)).strftime("%d/%m/%Y %H:%M:%S"),
                        "Web Link", ""] + texts.iloc[i].tolist())
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([meta + questions, *records])
    path = folder / "smartsurvey.csv"
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    lines = ["[columns]", '"UserNo" = "respondent_id"']
    lines += [f"{json.dumps(q)} = {json.dumps(c)}" for q, c in zip(questions, texts.columns,
                                                                    strict=True)]
    expected = data.assign(respondent_id=pd.array([str(41000 + i) for i in range(len(data))],
                                                  dtype="string"))
    return path, expected, "\n".join(lines) + "\n\n" + values_toml()
