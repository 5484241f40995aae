"""flag_duplicates, duplicate_review and merge_duplicates on hand-labelled pairs.

Each pair below was labelled by hand (duplicate or not) from the kinds of near-identical
records REAL_FORMATS.md lists for real reviews: typos, "[Review]" suffixes, subtitle
punctuation, HTML entities, translated-title brackets, generic titles with different
DOIs. The labels, not the code, are the reference.
"""

from __future__ import annotations

import pandas as pd
import pytest

from baby_room.errors import ArgumentError
from baby_room.evidence.dedupe import duplicate_review, flag_duplicates, merge_duplicates

BASE = {"authors": "Smith, J.; Jones, K.", "year": 2019, "journal": "Early Years",
        "volume": "39", "pages": "101-115", "doi": None}


def _pair(a: dict, b: dict) -> pd.DataFrame:
    return pd.DataFrame([{**BASE, "key": "a", **a}, {**BASE, "key": "b", **b}])


def _same(a, b) -> bool:
    out = flag_duplicates(_pair(a, b))
    return out["duplicate_of"].fillna("-").tolist() == ["-", "a"]


@pytest.mark.parametrize("a, b", [
    ({"title": "Group size and quality in baby rooms"},
     {"title": "Group size and qaulity in baby rooms"}),                       # typo
    ({"title": "Group size and quality in baby rooms"},
     {"title": "Group size and quality in baby rooms [Review]"}),             # [Review]
    ({"title": "Baby rooms: group size and quality"},
     {"title": "Baby rooms - group size and quality."}),                      # subtitle
    ({"title": "Ratios &amp; quality in baby rooms"},
     {"title": "Ratios & quality in baby rooms"}),                            # HTML entity
    ({"title": "[Gruppengröße und Qualität in Krippen]"},
     {"title": "Gruppengrosse und Qualitat in Krippen"}),                     # brackets
    ({"title": "Group size in baby rooms", "doi": "10.1/x", "year": 2019},
     {"title": "Group size in baby rooms", "doi": "https://doi.org/10.1/X", "year": 2020}),
    ({"title": "Key persons in nurseries: a systematic review"},                # MEDLINE note
     {"title": "Key persons in nurseries: a systematic review. [Review] [45 refs]"}),
    ({"title": "Key persons in nurseries", "pages": "943-945"},                 # overlap
     {"title": "Key persons in nurseries", "pages": "945"}),
    ({"title": "[Comparison of two staffing models in Krippen]"},               # translation
     {"title": "Vergleich zweier Personalmodelle in Krippen"}),
])
def test_true_duplicates_are_found(a, b):
    assert _same(a, b)


@pytest.mark.parametrize("a, b", [
    ({"title": "Editorial", "doi": "10.1/a"}, {"title": "Editorial", "doi": "10.1/b"}),
    ({"title": "Group size in baby rooms", "doi": "10.1/a"},
     {"title": "Group size in baby rooms", "doi": "10.1/b"}),                 # two DOIs
    ({"title": "Editorial", "pages": None}, {"title": "Editorial", "pages": None}),
    ({"title": "Book review", "pages": "5"}, {"title": "Book review", "pages": "9"}),
    ({"title": "Group size in baby rooms: part 1", "volume": "39"},
     {"title": "Group size in baby rooms: part 2", "volume": "40"}),
    ({"title": "Group size in baby rooms", "year": 2019, "pages": "1-10"},
     {"title": "Group size in baby rooms", "year": 2015, "pages": "50-60"}),
    ({"title": "FOCUS 1: a randomised trial of key persons"},                   # numbered
     {"title": "FOCUS 2: a randomised trial of key persons"}),
    ({"title": "Ratios in nurseries", "pages": "81A"},                          # abstracts
     {"title": "Sleep in nurseries", "pages": "81A"}),
])
def test_different_works_are_kept_apart(a, b):
    assert not _same(a, b)


def test_two_dois_never_meet_in_one_group_even_through_a_third_record():
    df = pd.DataFrame([
        {**BASE, "key": "a", "title": "Group size in baby rooms", "doi": "10.1/a"},
        {**BASE, "key": "b", "title": "Group size in baby rooms", "doi": None},
        {**BASE, "key": "c", "title": "Group size in baby rooms", "doi": "10.1/c"},
    ])
    out = flag_duplicates(df)
    groups = out.groupby(out["duplicate_group"].fillna(-1).tolist())["doi"].agg(
        lambda s: set(s.dropna()))
    assert all(len(dois) <= 1 for dois in groups)
    # the pair that could not be joined is left for a person to decide
    assert out.attrs["n_review"] >= 1
    assert len(duplicate_review(df)) >= 1


def test_review_decisions_are_fed_back():
    df = pd.DataFrame([{**BASE, "key": "a", "title": "Introduction", "pages": None},
                       {**BASE, "key": "b", "title": "Introduction", "pages": None}])
    assert flag_duplicates(df)["duplicate_of"].isna().all()
    table = duplicate_review(df)
    assert table[["id_1", "id_2"]].values.tolist() == [["a", "b"]]
    table["decision"] = "duplicate"
    assert flag_duplicates(df, decisions=table)["duplicate_of"].tolist() == [pd.NA, "a"]
    table["decision"] = "distinct"
    assert duplicate_review(df, decisions=table).empty
    table["decision"] = "maybe"
    with pytest.raises(ArgumentError, match=r"flag_duplicates: decisions must be .*'duplicate', "
                       r"'distinct' or nothing.*\n1 decision\(s\) not understood \(row 0: 'maybe'\)"):
        flag_duplicates(df, decisions=table)


def test_merge_keeps_the_fullest_metadata_and_says_where_it_came_from():
    df = pd.DataFrame([
        {**BASE, "key": "a", "title": "Group size in baby rooms", "abstract": None,
         "authors": "Smith, J."},
        {**BASE, "key": "b", "title": "Group size in baby rooms [Review]",
         "abstract": "We observed 40 rooms.", "authors": "Smith, J.; Jones, K."},
        {**BASE, "key": "c", "title": "Another work entirely", "abstract": None},
    ])
    merged = merge_duplicates(flag_duplicates(df))
    assert merged["key"].tolist() == ["a", "c"]
    first = merged.iloc[0]
    assert first["abstract"] == "We observed 40 rooms."
    assert first["authors"] == "Smith, J.; Jones, K."
    assert first["merged_ids"] == "a; b"
    assert first["field_sources"] == "authors=b; title=b; abstract=b"  # column order
    assert pd.isna(merged.iloc[1]["field_sources"])


def test_flag_duplicates_argument_errors():
    with pytest.raises(ArgumentError, match=r"flag_duplicates: data must be a pandas DataFrame; "
                       r"got \[1, 2\]"):
        flag_duplicates([1, 2])
    with pytest.raises(ArgumentError, match="duplicate_review: id must be a column of data or "
                       "None; got 'nope'"):
        duplicate_review(pd.DataFrame({"title": ["x"]}), id="nope")
    with pytest.raises(ArgumentError, match="flag_duplicates: doi must be a column name"):
        flag_duplicates(pd.DataFrame({"title": ["x"]}), doi=3)
    with pytest.raises(ArgumentError, match="merge_duplicates: data must be a table with "
                       "column\\(s\\) 'duplicate_of'"):
        merge_duplicates(pd.DataFrame({"title": ["x"]}))
