"""Matrix queries: code x attribute, case x code, overlapping codes.

References: plain Python loops over the rows (counts of distinct units, written out
independently of the pandas code), and hand-worked spans for the overlaps.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import baby_room as br  # noqa: E402
from baby_room.errors import ArgumentError  # noqa: E402
from baby_room.focus_groups import plots  # noqa: E402
from baby_room.focus_groups.matrix import (  # noqa: E402
    case_code_table,
    code_by_attribute,
    code_overlaps,
)
from baby_room.outputs import Outputs  # noqa: E402


@pytest.fixture(scope="module")
def coding():
    return br.synthetic.coding()


@pytest.mark.parametrize("unit", ["segment", "speaker", "group"])
def test_code_by_attribute_matches_a_loop(coding, unit):
    keys = {"segment": ("segment_id",), "speaker": ("group_id", "speaker"),
            "group": ("group_id",)}[unit]
    m = code_by_attribute(coding, attribute="role", unit=unit).set_index(["role", "code"])
    units, having = {}, {}
    for row in coding.dropna(subset=["role", *keys]).itertuples(index=False):
        key = tuple(getattr(row, k) for k in keys)
        units.setdefault(row.role, set()).add(key)
        having.setdefault((row.role, row.code), set()).add(key)
    for (role, code), got in m.iterrows():
        assert got["n"] == len(units[role])
        assert got["count"] == len(having.get((role, code), ()))
        assert got["share"] == pytest.approx(got["count"] / got["n"])
    col = m.groupby(level="role", observed=True)["col_share"].sum()
    assert col.to_numpy() == pytest.approx(1.0)
    assert m.attrs["unit"] == {"segment": "segments", "speaker": "speakers",
                               "group": "groups"}[unit]


def test_code_by_any_attribute_and_missing_attribute_says_how_to_supply(coding):
    data = coding.assign(setting=coding["group_id"].str.slice(0, 3))
    m = code_by_attribute(data, attribute="setting", unit="group")
    assert set(m["setting"]) == set(data["setting"])
    with pytest.raises(ArgumentError, match=r"attribute must be a column of data; got "
                                            r"'job'(.|\n)*pass attributes="):
        code_by_attribute(coding, attribute="job")
    with pytest.raises(ArgumentError, match="a column with values(.|\n)*no role for any coding"):
        code_by_attribute(coding.assign(role=None), attribute="role")
    with pytest.raises(ArgumentError, match="attribute must be an attribute other than speaker"):
        code_by_attribute(coding, attribute="speaker")


def test_case_code_table_is_zero_one_per_case(coding):
    t = case_code_table(coding, case="speaker")
    speakers = coding.dropna(subset=["speaker"])[["group_id", "speaker"]].drop_duplicates()
    codes = coding["code"].dropna().unique()
    assert len(t) == len(speakers) * len(codes)
    assert set(t["present"]) <= {0, 1}
    first = coding.dropna(subset=["speaker"]).iloc[0]
    row = t[(t["group_id"] == first["group_id"]) & (t["speaker"] == first["speaker"])
            & (t["code"] == first["code"])]
    assert row["present"].tolist() == [1]
    wide = t.pivot(index=["group_id", "speaker"], columns="code", values="present")
    assert wide.shape == (len(speakers), len(codes))  # ready for a mixed-methods join


def test_overlaps_character_and_paragraph_spans():
    data = pd.DataFrame({
        "segment_id": ["a", "b", "c", "d", "e"], "group_id": ["G1", "G1", "G1", "G2", "G1"],
        "code": ["pay", "ratio", "ratio", "ratio", "pay"], "coder": ["X", "X", "X", "X", "Y"],
        "start": [0, 10, 20, 0, 5], "end": [10, 15, 30, 9, 25]})
    got = code_overlaps(data, code_1="pay", code_2="ratio")
    # a [0,10) and b [10,15) only touch: no overlap; e is Y's, and Y coded no ratio
    assert got.empty
    cross = code_overlaps(data, code_1="pay", code_2="ratio", same_coder=False)
    assert cross[["segment_id_1", "segment_id_2", "start", "end", "length"]].values.tolist() \
        == [["e", "b", 10, 15, 5], ["e", "c", 20, 25, 5]]
    paragraphs = data.copy()
    paragraphs.attrs["position_unit"] = "paragraph"  # MAXQDA: end paragraph included
    got = code_overlaps(paragraphs, code_1="pay", code_2="ratio")
    assert got[["segment_id_1", "segment_id_2", "start", "end", "length"]].values.tolist() == [
        ["a", "b", 10, 10, 1]]
    with pytest.raises(ArgumentError, match="code_2 must be a code in data; got 'noise'"):
        code_overlaps(data, code_1="pay", code_2="noise")


def test_small_cells_suppressed_on_export(coding, tmp_path):
    m = code_by_attribute(coding, attribute="conference", unit="speaker")
    published = Outputs(tmp_path, threshold=5).table(m, "fg-matrix", count_columns=["count"])
    small = (m["count"] > 0) & (m["count"] < 5)
    assert small.any() and published.loc[small, "count"].isna().all()
    assert (tmp_path / "tables" / "fg-matrix.csv").exists()


def test_matrix_figures_show_no_personal_data(coding):
    ax = plots.plot_case_codes(coding, case="speaker", level="theme")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Case 1"
    assert not set(labels) & set(coding["speaker"].dropna())
    texts = " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))
    assert "SYNTHETIC DATA" in texts
    codes = coding["code"].value_counts().index
    ax = plots.plot_code_overlaps(coding, code_1=codes[0], code_2=codes[1])
    assert ax.get_ylabel() == "Overlapping passages"
    texts = " ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))
    assert "SYNTHETIC DATA" in texts and not any(g in texts for g in coding["group_id"].unique())


def test_analysis_says_which_attribute_is_missing(coding):
    """Issue 11: a QDA export without conference still loads; an analysis by conference
    then says what is missing and how to supply it."""
    from baby_room.focus_groups import code_frequencies, coding_summary

    bare = coding.assign(conference=None)
    with pytest.raises(ArgumentError, match=r"coding_summary: data must be a coding table with "
                                            r"values in 'conference'(.|\n)*attributes="):
        coding_summary(bare, by="conference")
    with pytest.raises(ArgumentError, match="values in 'speaker'"):
        code_frequencies(coding.assign(speaker=None), unit="speaker")
    assert len(code_frequencies(bare, by="role")) > 0  # what does not need it still works
