"""affiliation_countries: the cases of issue 12, labelled by hand.

The expected country of each affiliation is the country of the institution named
(checked by hand: e.g. Scripps Research is in La Jolla, California; the University of
Queensland's main campus is in St Lucia, Queensland), not produced by the code.
Addresses are written the way Web of Science (C1), Scopus and Rayyan export them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from baby_room.errors import ArgumentError, UnmatchedValueWarning
from baby_room.evidence.affiliations import affiliation_countries, affiliation_country


@pytest.mark.parametrize("affiliation, iso3", [
    ("Scripps Res Inst, La Jolla, CA 92037 USA", "USA"),                 # WoS ZIP form
    ("Fudan Univ, Sch Publ Hlth, Shanghai 200032, Peoples R China", "CHN"),
    ("Zhejiang Univ, Hangzhou, PR China", "CHN"),
    ("Tsinghua University, Beijing 100084, P.R. China", "CHN"),
    ("KAIST, Daejeon, S. Korea", "KOR"),
    ("Queens Univ Belfast, Belfast BT7 1NN, Antrim, North Ireland", "GBR"),
    ("Univ Sarajevo, Fac Med, Sarajevo, Bosnia-Herzegovina", "BIH"),
    ("Univ Auckland, Auckland, Aotearoa New Zealand", "NZL"),
    ("Univ Georgia, Athens, Georgia, USA", "USA"),                       # trap: state
    ("Tbilisi State Univ, Tbilisi, Georgia", "GEO"),
    ("Univ Queensland, St Lucia, Qld 4072, Australia", "AUS"),
    ("Univ Queensland, Sch Psychol, St Lucia, Qld", "AUS"),              # trap: St Lucia
    ("Univ Highlands & Isl, Inverness, Scotland", "GBR"),                # trap: "Isl"
    ("[Jordan, Michael] Univ Oxford, Oxford OX1 3PS, England", "GBR"),   # surname Jordan
    ("Emory Univ, Atlanta, GA 30322", "USA"),
    ("University of Bristol, Bristol, United Kingdom", "GBR"),
])
def test_country_of_affiliation(affiliation, iso3):
    assert affiliation_country(affiliation) == iso3


@pytest.mark.parametrize("affiliation", [
    "Dept Psychol, Univ Toronto, Can",          # "Can": an abbreviation, not Canada
    "Pontificia Univ Catolica, Lima, Per",      # "Per"
    "Univ Highlands & Isl",                     # "Isl": no country written
    "Department of Education",
])
def test_three_letter_words_are_not_countries(affiliation):
    assert affiliation_country(affiliation) is None


def test_one_row_per_affiliation_and_unmatched_reported():
    df = pd.DataFrame({"key": ["w1", "w2"], "affiliations": [
        "[Hernandez, Maria] Scripps Res Inst, La Jolla, CA 92037 USA.; "
        "[Chen, Li; Wu, Y] Fudan Univ, Shanghai 200433, Peoples R China.",
        "Department of Education"]})
    with pytest.warns(UnmatchedValueWarning, match=r"1 of 3 affiliation"):
        out = affiliation_countries(df)
    assert out["record"].tolist() == ["w1", "w1", "w2"]
    assert out["country"].tolist()[:2] == ["United States", "China"]
    assert out["matched"].tolist() == [True, True, False]
    assert out.attrs["n_unmatched"] == 1


def test_affiliation_countries_argument_errors():
    with pytest.raises(ArgumentError, match="affiliation_countries: column must be a column "
                       "of data; got 'affiliations'\nColumns of data: x"):
        affiliation_countries(pd.DataFrame({"x": [1]}))
