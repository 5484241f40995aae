"""Evidence-review breakdowns: hand-counted tables and reconciliation with the item count.

Every expected count below is counted by hand from the small frame in the test
(the counting is written out next to the assertion).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baby_room.errors import ArgumentError, UnmatchedValueWarning
from baby_room.evidence import breakdowns as bd


@pytest.fixture
def items():
    df = pd.DataFrame({
        "item_id": [f"E{i}" for i in range(1, 9)],
        "year": pd.array([1998, 2005, 2009, 2019, 2019, 2021, None, 2021], dtype="Int64"),
        "publication_type": ["academic", "academic", "grey", "academic", "academic", "grey",
                             "academic", "academic"],
        "countries": ["England", "England; Scotland", "UK; USA", "Norway and Sweden",
                      "Atlantis", None, "USA", "Nordic countries"],
        "instruments": ["ITERS-R", "iters 3; ITERS-R", "CLASS Infant", "CLASS toddler; ITERS-3",
                        None, "ECERS-R", "Class-Infant", "CIS"],
        "dimensions": ["ratio; group size", "qualifications", "professional learning",
                       "interactions; Ratio", "environment", None, "interactions",
                       "group size"],
        "age_focus": ["0-12m", "0-24m", "0-24m", None, "12-24m", "0-24m", "0-36m", "0-24m"],
    })
    df.attrs.update(source="hand-built test items", synthetic=True)
    return df


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedValueWarning)
        return fn(*args, **kwargs)


def as_dict(table, key, col="count"):
    return dict(zip(table[key].tolist(), table[col].tolist(), strict=True))


# --------------------------------------------------------------------------- countries


def test_by_country_item_counting(items):
    with pytest.warns(UnmatchedValueWarning, match="'Atlantis'"):
        t = bd.by_country(items)
    # UK: E1 (England), E2 (England+Scotland, once), E3 (UK) = 3; USA: E3, E7 = 2;
    # Norway E4, Sweden E4, Nordic countries E8 (region row), Atlantis E5 -> Unmatched,
    # E6 empty -> No country given
    assert as_dict(t, "country") == {
        "United Kingdom": 3, "United States": 2, "Nordic countries": 1, "Norway": 1,
        "Sweden": 1, "Unmatched": 1, "No country given": 1,
    }
    assert t["country"].tolist()[-2:] == ["Unmatched", "No country given"]
    assert t.loc[t["country"] == "United Kingdom", "iso3"].item() == "GBR"
    assert t["share"].tolist()[0] == pytest.approx(3 / 8)
    assert t.attrs["counting"] == "item" and t.attrs["n_items"] == 8
    assert set(t["counting"]) == {"item"}
    assert t.attrs["unmatched"] == "Atlantis"
    assert set(t["n"]) == {8} and t.attrs["unit"] == "items"
    assert t.attrs["source"] == "hand-built test items"
    # item counting: 10 country mentions over 8 items (E3 and E4 name two)
    assert t["count"].sum() == 10


def test_by_country_fractional_sums_to_items(items):
    t = quiet(bd.by_country, items, count="fractional")
    # UK: E1 1 + E2 1 (one country) + E3 1/2 = 2.5; USA: E3 1/2 + E7 1 = 1.5
    frac = as_dict(t, "country", "count_fractional")
    assert frac["United Kingdom"] == pytest.approx(2.5)
    assert frac["United States"] == pytest.approx(1.5)
    assert frac["Norway"] == pytest.approx(0.5)
    assert t["count_fractional"].sum() == pytest.approx(8)
    assert t["share_fractional"].sum() == pytest.approx(1)
    assert t["share"].tolist()[0] == pytest.approx(3 / 8)  # whole items: 3 of 8 name the UK
    assert set(t["counting"]) == {"fractional"} and t.attrs["counting"] == "fractional"
    assert list(t.columns) == ["iso3", "country", "share", "n", "count", "share_fractional",
                               "count_fractional", "counting"]


def test_uk_vs_rest_and_nations(items):
    t = quiet(bd.uk_vs_rest, items)
    # UK: E1, E2, E3; rest: E3 (USA), E4, E7, E8
    assert as_dict(t, "uk_vs_rest") == {"UK": 3, "Rest of world": 4, "Unmatched": 1,
                                        "No country given": 1}
    f = quiet(bd.uk_vs_rest, items, count="fractional")
    assert as_dict(f, "uk_vs_rest", "count_fractional")["UK"] == pytest.approx(2.5)
    nations = quiet(bd.by_uk_nation, items)
    # England: E1, E2; Scotland: E2; E3 "UK" has no nation
    assert as_dict(nations, "uk_nation") == {"England": 2, "Scotland": 1,
                                             "UK, nation not stated": 1}
    assert nations.attrs["n_items"] == 3 and set(nations["n"]) == {3}
    assert nations["share"].tolist()[0] == pytest.approx(2 / 3)
    nf = quiet(bd.by_uk_nation, items, count="fractional")
    assert nf["count_fractional"].sum() == pytest.approx(3)  # the three UK items


def test_by_continent_and_un_region(items):
    t = quiet(bd.by_continent, items)
    # Europe: E1, E2, E3, E4, E8 (Nordic countries) = 5; North America: E3, E7 = 2
    assert as_dict(t, "continent") == {"Europe": 5, "North America": 2, "Unmatched": 1,
                                       "No country given": 1}
    r = quiet(bd.by_un_region, items, count="fractional")
    # E3 is half Northern Europe (UK), half Northern America (USA)
    frac = as_dict(r, "un_region", "count_fractional")
    assert frac == pytest.approx({"Northern Europe": 4.5, "Northern America": 1.5,
                                  "Unmatched": 1.0, "No country given": 1.0})


# --------------------------------------------------------------------------- single-valued


def test_by_year_split_by_type_completes_the_range(items):
    t = bd.by_year(items, by="publication_type")
    academic = t[t["publication_type"] == "academic"]
    # 1998..2021 is 24 years, plus the missing-year row
    assert len(academic) == 25
    assert academic["year"].isna().tolist()[-1]
    got = {int(y): n for y, n in zip(academic["year"].dropna(), academic["count"],
                                     strict=False)}
    assert got[2019] == 2 and got[2021] == 1 and got[2000] == 0
    assert t["count"].sum() == 8
    grey = t[t["publication_type"] == "grey"]
    assert grey["count"].sum() == 2  # E3 (2009) and E6 (2021)
    # by is a grouping: n is the group's items (6 academic, 2 grey), share within it
    assert set(academic["n"]) == {6} and set(grey["n"]) == {2}
    assert academic.loc[academic["year"] == 2019, "share"].item() == pytest.approx(2 / 6)
    assert list(t.columns) == ["publication_type", "year", "share", "n", "count", "counting"]


def test_by_decade(items):
    t = bd.by_decade(items)
    assert as_dict(t, "decade") == {"1990s": 1, "2000s": 2, "2010s": 2, "2020s": 2,
                                    "Not given": 1}
    assert t["share"].sum() == pytest.approx(1)


def test_publication_type_and_age_focus(items):
    assert as_dict(bd.by_publication_type(items), "publication_type") == {"academic": 6,
                                                                          "grey": 2}
    t = bd.by_age_focus(items)
    assert t["age_focus"].tolist() == ["0-12m", "12-24m", "0-24m", "0-36m", "Not given"]
    assert t["count"].tolist() == [1, 1, 4, 1, 1]


# --------------------------------------------------------------------------- multi-valued


def test_instrument_families(items):
    t = bd.by_instrument_family(items)
    # ITERS: E1, E2 (ITERS-3 and ITERS-R, counted once), E4 = 3;
    # CLASS: E3, E4, E7 = 3; ECERS-R: E6; CIS: E8; E5 none
    assert as_dict(t, "instrument_family") == {"CLASS": 3, "ITERS": 3, "CIS": 1, "ECERS-R": 1,
                                               "No instrument given": 1}
    f = bd.by_instrument_family(items, count="fractional")
    # E4 splits 1/2 CLASS, 1/2 ITERS
    assert as_dict(f, "instrument_family", "count_fractional")["ITERS"] == pytest.approx(2.5)
    assert f["count_fractional"].sum() == pytest.approx(8)
    inst = bd.by_instrument(items)
    assert as_dict(inst, "instrument") == {
        "ITERS-R": 2, "CLASS Infant": 2, "ITERS-3": 2, "CIS": 1, "CLASS Toddler": 1,
        "ECERS-R": 1, "No instrument given": 1}


@pytest.mark.parametrize("spelling, instrument, family", [
    ("ITERS-R", "ITERS-R", "ITERS"), ("iters r", "ITERS-R", "ITERS"),
    ("ITERS\u2013R", "ITERS-R", "ITERS"), ("ITERS-3", "ITERS-3", "ITERS"),
    ("Iters3", "ITERS-3", "ITERS"), ("ITERS", "ITERS", "ITERS"),
    ("Infant/Toddler Environment Rating Scale - Revised", "ITERS-R", "ITERS"),
    ("CLASS Infant", "CLASS Infant", "CLASS"), ("class-toddler", "CLASS Toddler", "CLASS"),
    ("CLASS  Toddler", "CLASS Toddler", "CLASS"), ("CLASS", "CLASS", "CLASS"),
    ("Caregiver Interaction Scale", "Caregiver Interaction Scale",
     "Caregiver Interaction Scale"),
])
def test_normalise_instrument_spellings(spelling, instrument, family):
    out = bd.normalise_instruments([spelling])
    assert out[["instrument", "instrument_family"]].iloc[0].tolist() == [instrument, family]


def test_other_instruments_named_by_most_frequent_spelling():
    out = bd.normalise_instruments(["ECERS-R", "ecers r", "ECERS-R; ECERS R"])
    # three spellings with one key; "ECERS-R" occurs twice -> the name
    assert set(out["instrument_family"]) == {"ECERS-R"}
    assert len(out) == 3  # one per cell: "ECERS-R; ECERS R" is one instrument twice


def test_by_dimension_counts_and_share(items):
    t = bd.by_dimension(items)
    # ratio: E1, E4 ("Ratio") = 2; group size: E1, E8 = 2; interactions: E4, E7 = 2;
    # qualifications E2, professional learning E3, environment E5 = 1 each; E6 none
    d = as_dict(t, "dimension")
    assert d["ratio"] == 2 and d["group size"] == 2 and d["interactions"] == 2
    assert d["professional learning"] == 1 and d["curriculum"] == 0
    assert d["No dimension given"] == 1
    assert t["dimension"].tolist()[:3] == ["group size", "ratio", "qualifications"]
    assert as_dict(t, "dimension", "share")["ratio"] == pytest.approx(2 / 8)
    f = bd.by_dimension(items, count="fractional")
    assert as_dict(f, "dimension", "count_fractional")["ratio"] == pytest.approx(1.0)  # 1/2+1/2
    assert f["count_fractional"].sum() == pytest.approx(8)


# --------------------------------------------------------------------------- gap map


def test_gap_map_instrument_by_dimension(items):
    g = bd.gap_map(items)
    cell = {(r, c): n for r, c, n in zip(g["instrument_family"], g["dimension"], g["count"],
                                         strict=True)}
    # ITERS x ratio: E1, E4; ITERS x qualifications: E2; CLASS x interactions: E4, E7
    assert cell[("ITERS", "ratio")] == 2
    assert cell[("ITERS", "qualifications")] == 1
    assert cell[("CLASS", "interactions")] == 2
    assert cell[("CLASS", "curriculum")] == 0  # a gap, listed
    # complete grid: 5 instrument rows x 11 dimension columns (10 + "No dimension given")
    assert len(g) == 5 * 11
    f = bd.gap_map(items, count="fractional")
    assert f["count_fractional"].sum() == pytest.approx(8)
    # E4: 2 families x 2 dimensions -> 1/4 in ITERS x ratio; E1: 1 x 2 -> 1/2
    fcell = {(r, c): x for r, c, x in zip(f["instrument_family"], f["dimension"],
                                          f["count_fractional"], strict=True)}
    assert fcell[("ITERS", "ratio")] == pytest.approx(0.75)


def test_gap_map_country_by_dimension(items):
    g = quiet(bd.gap_map, items, rows="country")
    uk = g[g["country"] == "United Kingdom"]
    d = dict(zip(uk["dimension"], uk["count"], strict=True))
    # UK items: E1 (ratio, group size), E2 (qualifications), E3 (professional learning)
    assert d["ratio"] == 1 and d["professional learning"] == 1 and d["interactions"] == 0
    assert g.attrs["counting"] == "item"


# --------------------------------------------------------------------------- errors


def test_bad_count_names_parameter(items):
    with pytest.raises(ArgumentError, match=r"^by_dimension: count must be one of 'item', "
                                            r"'fractional'; got 'weighted'"):
        bd.by_dimension(items, count="weighted")


def test_missing_column_is_named():
    with pytest.raises(ArgumentError, match=r"^by_country: data must be a table with "
                                            r"column\(s\) 'countries'"):
        bd.by_country(pd.DataFrame({"x": [1]}))


def test_unknown_facet():
    with pytest.raises(ArgumentError, match=r"^breakdown: facet must be one of .*got 'colour'"):
        bd.breakdown(pd.DataFrame({"x": [1]}), facet="colour")


def test_by_year_by_must_be_columns(items):
    with pytest.raises(ArgumentError, match=r"(?s)^by_year: by must be .*Not in data: 'colour'"):
        bd.by_year(items, by="colour")


def test_gap_map_rows_and_columns_differ(items):
    with pytest.raises(ArgumentError, match=r"^gap_map: columns must be a facet other than "
                                            r"rows \('dimension'\); got 'dimension'"):
        bd.gap_map(items, rows="dimension", columns="dimension")


# --------------------------------------------------------------------------- reconciliation


_DIMS = ["ratio", "group size", "interactions", "curriculum", ""]


@settings(max_examples=12, deadline=None)  # random each run; 4 breakdowns per example
@given(st.lists(st.lists(st.sampled_from(_DIMS), max_size=4), min_size=1, max_size=25))
def test_fractional_always_reconciles(cells):
    items = pd.DataFrame({"dimensions": ["; ".join(c) if c else None for c in cells],
                          "instruments": ["; ".join(x.upper() for x in c) if c else None
                                          for c in cells]})
    n = len(items)
    for table in (bd.by_dimension(items, count="fractional"),
                  bd.by_instrument_family(items, count="fractional"),
                  bd.gap_map(items, count="fractional")):
        assert table["count_fractional"].sum() == pytest.approx(n)
    item_table = bd.by_dimension(items)
    # item counting: each item counted once per distinct dimension, or once as "no dimension"
    expected = sum(max(len({d for d in c if d}), 1) for c in cells)
    assert item_table["count"].sum() == expected


def test_results_carry_scalar_attrs_only(items):
    # the loaders' attrs (set_aside, unused_columns) stay with the items; a result carries
    # source and synthetic and its own scalars (docs/result-contract.md, section 3)
    items.attrs.update(set_aside=pd.DataFrame({"row": [3]}), unused_columns=["notes"])
    for t in (quiet(bd.by_country, items), bd.gap_map(items), bd.by_year(items)):
        assert "set_aside" not in t.attrs and "unused_columns" not in t.attrs
        assert t.attrs["synthetic"] is True and t.attrs["source"] == "hand-built test items"
        assert all(isinstance(v, str | bool | int | float) for v in t.attrs.values())
    both = pd.concat([bd.by_year(items), bd.by_year(items)])
    assert len(both) == 2 * len(bd.by_year(items))


def test_item_categories_are_the_members_of_the_counts(items):
    # counting members per category by hand gives the breakdown's count column
    members = bd.item_categories(items, facet="instrument_family")
    assert members.loc[members["instrument_family"] == "ITERS", "position"].tolist() == [0, 1, 3]
    per = members.groupby("instrument_family").size().to_dict()
    assert per == as_dict(bd.by_instrument_family(items), "instrument_family")


def test_by_decade_split_lists_every_pair(items):
    t = bd.by_decade(items, by="publication_type")
    assert list(t.columns[:2]) == ["publication_type", "decade"]
    grey = t[t["publication_type"] == "grey"]
    # grey items: E3 (2009) and E6 (2021); the 1990s and 2010s are listed with zero
    assert dict(zip(grey["decade"], grey["count"], strict=True)) == {
        "1990s": 0, "2000s": 1, "2010s": 0, "2020s": 1, "Not given": 0}
    assert t["count"].sum() == 8
