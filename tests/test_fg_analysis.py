"""Focus-group analyses: frequencies, co-occurrence, saturation, quotes (hand calculations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import jaccard_score

from baby_room.errors import ArgumentError, DataValidationError, DesignError
from baby_room.focus_groups.analysis import (
    code_cooccurrence,
    code_frequencies,
    coding_summary,
    export_quotes,
    saturation_curve,
)

CONFS = ["London", "York", "Norwich", "Manchester", "Falmouth", "Bristol"]


@pytest.fixture
def coding():
    """Nine coded rows: two groups, four speakers, coders A and B (s1 double-coded)."""
    rows = [
        # segment, conference, group, speaker, role, theme, code, coder, start, end, text
        ("s1", "York", "YOR-1", "Maya", "educator", "rooms", "noise", "A", 0, 40, "It is loud."),
        ("s1", "York", "YOR-1", "Maya", "educator", "rooms", "ratio", "A", 0, 40, "It is loud."),
        ("s1", "York", "YOR-1", "Maya", "educator", "rooms", "noise", "B", 0, 40, "It is loud."),
        ("s1", "York", "YOR-1", "Maya", "educator", "status", "valued", "B", 0, 40, "It is loud."),
        ("s2", "York", "YOR-1", "Tom", "manager", "rooms", "ratio", "A", 40, 90, "Tom speaks."),
        ("s3", "York", "YOR-1", "Maya", "educator", "status", "valued", "A", 90, 120,
         "Maya again, Tom agrees."),
        ("s4", "London", "LON-1", "Ann", "educator", "rooms", "noise", "A", 0, 30, "Babies cry."),
        ("s5", "London", "LON-1", "Raj", "room_leader", "training", "cpd", "A", 30, 70, "CPD."),
        ("s5", "London", "LON-1", "Raj", "room_leader", "rooms", "noise", "A", 50, 70, "CPD."),
    ]
    df = pd.DataFrame(rows, columns=["segment_id", "conference", "group_id", "speaker", "role",
                                     "theme", "code", "coder", "start", "end", "text"])
    df["conference"] = pd.Categorical(df["conference"], categories=CONFS, ordered=True)
    df["role"] = pd.Categorical(df["role"], categories=["educator", "room_leader", "manager"],
                                ordered=True)
    df["start"] = df["start"].astype("Int64")
    df["end"] = df["end"].astype("Int64")
    df.attrs.update(source="hand-built test coding", synthetic=True)
    return df


# ----------------------------------------------------------------------------- frequencies


def test_frequencies_by_role_hand_counts(coding):
    res = code_frequencies(coding, by="role").set_index(["role", "code"])
    # educator segments: s1 (noise, ratio by A; noise, valued by B), s3 (valued), s4 (noise)
    assert res.loc[("educator", "noise"), "count"] == 2  # s1, s4 (s1 once though two coders)
    assert res.loc[("educator", "valued"), "count"] == 2  # s1 (B), s3
    assert res.loc[("educator", "ratio"), "count"] == 1
    assert res.loc[("educator", "noise"), "n"] == 3
    assert res.loc[("manager", "ratio"), "count"] == 1
    assert res.loc[("room_leader", "cpd"), "count"] == 1
    # row share: noise occurs in 2 educator + 1 room_leader segments -> 2/3
    assert res.loc[("educator", "noise"), "row_share"] == pytest.approx(2 / 3)
    # col share: educator code occurrences noise 2, ratio 1, valued 2, cpd 0 -> noise 2/5
    assert res.loc[("educator", "noise"), "col_share"] == pytest.approx(0.4)
    assert res.loc[("educator", "noise"), "share"] == pytest.approx(2 / 3)
    assert res.attrs["source"] == "hand-built test coding"
    assert res.attrs["unit"] == "segments"
    assert list(res.reset_index()["role"].cat.categories) == ["educator", "room_leader",
                                                              "manager"]


def test_shares_sum_to_one(coding):
    res = code_frequencies(coding, by="conference", unit="speaker")
    assert res.groupby("code")["row_share"].sum().to_numpy() == pytest.approx(1.0)
    assert res.groupby("conference", observed=True)["col_share"].sum().to_numpy() == (
        pytest.approx(1.0))


def test_frequencies_agree_with_naive_crosstab():
    """Reference: a plain loop over distinct (unit, code) pairs."""
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({
        "segment_id": [f"s{i}" for i in rng.integers(0, 80, n)],
        "code": rng.choice(["a", "b", "c", "d"], n),
        "coder": rng.choice(["A", "B"], n),
        "conference": "York",
    })
    df["group_id"] = "G" + (df["segment_id"].str[1:].astype(int) % 7).astype(str)
    df["role"] = np.where(df["segment_id"].str[1:].astype(int) % 2 == 0, "educator", "manager")
    res = code_frequencies(df, by="role", unit="group").set_index(["role", "code"])["count"]
    for (role, code), value in res.items():
        groups = {g for g, r, c in zip(df["group_id"], df["role"], df["code"], strict=True)
                  if r == role and c == code}
        assert value == len(groups)


def test_theme_rollup_counts_units_once(coding):
    res = code_frequencies(coding, level="theme").set_index("theme")
    # rooms: s1 (noise, ratio), s2, s4, s5 -> 4 segments (not 1+1+1+1+1 = 6 code rows)
    assert res.loc["rooms", "count"] == 4
    assert res.loc["status", "count"] == 2
    assert res.loc["training", "count"] == 1
    assert res["n"].unique().tolist() == [5]


def test_units_speaker_group_conference(coding):
    sp = code_frequencies(coding, unit="speaker").set_index("code")["count"]
    assert sp["noise"] == 3  # Maya, Ann, Raj
    gr = code_frequencies(coding, unit="group").set_index("code")["count"]
    assert gr["noise"] == 2 and gr["valued"] == 1
    cf = code_frequencies(coding, unit="conference").set_index("code")["count"]
    assert cf["noise"] == 2 and cf["cpd"] == 1


def test_coders_and_codebook(coding):
    only_a = code_frequencies(coding, coders="A").set_index("code")["count"]
    assert only_a["valued"] == 1  # s3 only; s1 'valued' was coder B's
    codebook = pd.DataFrame({"theme": ["rooms", "rooms", "status", "training", "training"],
                             "code": ["noise", "ratio", "valued", "cpd", "mentoring"],
                             "definition": "d"})
    res = code_frequencies(coding, codebook=codebook)
    assert list(res["code"]) == ["noise", "ratio", "valued", "cpd", "mentoring"]
    assert res.set_index("code").loc["mentoring", "count"] == 0


def test_frequency_errors_name_the_problem(coding):
    with pytest.raises(ArgumentError, match=r"code_frequencies: by must be columns other than "
                                            r"speaker and text \(personal data\)"):
        code_frequencies(coding, by="speaker")
    with pytest.raises(ArgumentError, match=r"unit must be one of 'segment', 'speaker', 'group', "
                                            r"'conference'; got 'room'"):
        code_frequencies(coding, unit="room")
    with pytest.raises(ArgumentError, match=r"coders must be coder names present in data; got 'Z'"):
        code_frequencies(coding, coders="Z")
    with pytest.raises(ArgumentError, match=r"code_frequencies: data must be a coding table with "
                                            r"column\(s\) 'region'"):
        code_frequencies(coding, by="region")
    with pytest.raises(ArgumentError, match=r"data must be a pandas DataFrame"):
        code_frequencies([1, 2])


def test_no_personal_data_in_summary_tables(coding):
    tables = [code_frequencies(coding, by="role", unit="speaker"), coding_summary(coding),
              code_cooccurrence(coding), saturation_curve(coding)]
    for t in tables:
        text = t.astype(str).to_numpy().ravel().tolist()
        assert not {"Maya", "Tom", "Ann", "Raj", "It is loud."} & set(text)
        assert "speaker" not in t.columns and "text" not in t.columns


# ----------------------------------------------------------------------------- co-occurrence


def test_cooccurrence_segment_within_coder(coding):
    res = code_cooccurrence(coding).set_index(["code_1", "code_2"])
    # noise+ratio: coder A applied both to s1 -> 1
    assert res.loc[("noise", "ratio"), "count"] == 1
    # noise+valued in s1 come from B -> 1; ratio+valued in s1 are from A and B -> not together
    assert res.loc[("noise", "valued"), "count"] == 1
    assert res.loc[("ratio", "valued"), "count"] == 0
    assert res.loc[("noise", "cpd"), "count"] == 1  # s5
    # symmetric, diagonal = segments with the code
    assert res.loc[("ratio", "noise"), "count"] == 1
    assert res.loc[("noise", "noise"), "count"] == 3
    # Jaccard against scikit-learn on segment indicator vectors (any coder applied)
    segs = sorted(coding["segment_id"].unique())
    has = {c: np.array([((coding["segment_id"] == s) & (coding["code"] == c)).any()
                        for s in segs]) for c in ["noise", "ratio"]}
    assert res.loc[("noise", "ratio"), "jaccard"] == pytest.approx(
        jaccard_score(has["noise"], has["ratio"]))
    assert res.loc[("noise", "noise"), "jaccard"] == 1.0
    assert (res["n"] == 5).all()


def test_cooccurrence_group_and_theme(coding):
    res = code_cooccurrence(coding, within="group").set_index(["code_1", "code_2"])
    # YOR-1: coder A applied noise, ratio, valued; LON-1: noise, cpd
    assert res.loc[("ratio", "valued"), "count"] == 1
    assert res.loc[("noise", "cpd"), "count"] == 1
    th = code_cooccurrence(coding, level="theme").set_index(["theme_1", "theme_2"])
    assert th.loc[("rooms", "status"), "count"] == 1  # s1 by coder B (noise + valued)


def test_cooccurrence_overlap_hand_example():
    # One transcript, coder A: x [0, 10), y [5, 20), y [10, 12) (touches x: no overlap), z [30, 40)
    coding = pd.DataFrame({
        "segment_id": ["s1", "s2", "s3", "s4"], "conference": "York", "group_id": "YOR-1",
        "code": ["x", "y", "y", "z"], "coder": "A", "start": [0, 5, 10, 30],
        "end": [10, 20, 12, 40],
    })
    res = code_cooccurrence(coding, within="overlap").set_index(["code_1", "code_2"])
    assert res.loc[("x", "y"), "count"] == 1  # only [0,10) with [5,20)
    assert res.loc[("x", "z"), "count"] == 0
    # characters: x covers 10, y covers [5, 20) = 15, both [5, 10) = 5 -> 5 / 20
    assert res.loc[("x", "y"), "n_1"] == 10 and res.loc[("x", "y"), "n_2"] == 15
    assert res.loc[("x", "y"), "jaccard"] == pytest.approx(5 / 20)
    assert (res["n"] == 30).all()  # [0, 20) + [30, 40)
    with pytest.raises(DataValidationError, match=r"needs start and end"):
        code_cooccurrence(coding.assign(start=pd.array([0, None, 1, 2], dtype="Int64")),
                          within="overlap")


# ----------------------------------------------------------------------------- saturation


def test_saturation_conference_order_then_natural_group_order():
    coding = pd.DataFrame({
        "segment_id": list("abcdefg"),
        "conference": ["York", "London", "London", "York", "Bristol", "London", "York"],
        "group_id": ["YOR-1", "LON-10", "LON-2", "YOR-1", "BRI-1", "LON-2", "YOR-1"],
        "code": ["x", "y", "x", "z", "x", "w", "x"], "coder": "A",
    })
    res = saturation_curve(coding)
    # London before York before Bristol (date order); LON-2 before LON-10
    assert list(res["group_id"]) == ["LON-2", "LON-10", "YOR-1", "BRI-1"]
    assert list(res["new_codes"]) == [2, 1, 1, 0]  # {x, w}, {y}, {z}, {}
    assert list(res["cumulative_codes"]) == [2, 3, 4, 4]
    assert list(res["share_of_codes"]) == pytest.approx([0.5, 0.75, 1.0, 1.0])
    assert list(res["step"]) == [1, 2, 3, 4]
    custom = saturation_curve(coding, order=["BRI-1", "YOR-1", "LON-2", "LON-10"])
    assert list(custom["new_codes"]) == [1, 1, 1, 1]
    with pytest.raises(ArgumentError, match=r"saturation_curve: order must be 'conference' or a "
                                            r"list of every group_id in data, each once; got "
                                            r"\[.*\]\nMissing: \['LON-10'\]") as info:
        saturation_curve(coding, order=["BRI-1", "YOR-1", "LON-2"])
    assert not isinstance(info.value, DesignError)  # an argument, not a survey design


# ----------------------------------------------------------------------------- summaries/quotes


def test_coding_summary(coding):
    res = coding_summary(coding).set_index("conference")
    assert list(res.index) == ["London", "York"]
    assert res.loc["York", "n_participants"] == 2  # Maya, Tom
    assert res.loc["York", "n_double_coded"] == 1
    assert res.loc["London", "n_codings"] == 3
    total = coding_summary(coding, by=None)
    assert total.loc[0, "n_participants"] == 4 and total.loc[0, "n_groups"] == 2


def test_export_quotes_pseudonymises(coding):
    q = export_quotes(coding, code="valued")
    assert list(q.columns) == ["participant", "role", "conference", "theme", "code", "text"]
    # London speakers come first (date order): Ann = 1, Raj = 2; then York: Maya = 3, Tom = 4
    assert list(q["participant"]) == ["Participant 3", "Participant 3"]
    assert q.loc[1, "text"] == "Participant 3 again, Participant 4 agrees."
    assert len(q) == 2  # s1 (coded 'valued' by B) and s3, each once
    raw = export_quotes(coding, code="valued", pseudonymise=False)
    assert "Maya" in set(raw["speaker"])
    with pytest.raises(ArgumentError, match=r"export_quotes: code must be a code or a list of "
                                            r"codes present in data; got 'nope'\n"
                                            r"Not in data: 'nope'") as info:
        export_quotes(coding, code="nope")
    assert not isinstance(info.value, DesignError)  # not a survey-design error


def test_empty_coding_gives_empty_tables_with_the_columns(coding):
    empty = coding.iloc[:0]
    freq = code_frequencies(empty, by="role")
    assert len(freq) == 0
    assert list(freq.columns) == ["role", "theme", "code", "n", "count", "share", "row_share",
                                  "col_share"]
    assert len(saturation_curve(empty)) == 0
    assert len(code_cooccurrence(empty)) == 0
