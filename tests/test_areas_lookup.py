"""The ONS local-authority lookup and name matching.

Reference: ONS "Counties and Unitary Authorities (December 2024) Names and Codes in the UK"
and the Department for Education's count of 153 local authorities by region (after the
April 2023 changes in Cumbria, North Yorkshire and Somerset). The codes spot-checked here
are those the ONS publishes for the Baby Week partner areas.
"""

import pandas as pd
import pytest

from baby_room.areas.lookup import (
    add_la_codes,
    local_authorities,
    match_local_authorities,
    normalise_key,
)

PARTNER_CODES = {  # ONS codes of the Baby Week partner areas
    "Leeds": "E08000035", "Bradford": "E08000032", "Buckinghamshire": "E06000060",
    "Calderdale": "E08000033", "Coventry": "E08000026", "County Durham": "E06000047",
    "Kingston upon Hull, City of": "E06000010", "Newcastle upon Tyne": "E08000021",
    "Nottinghamshire": "E10000024", "Sunderland": "E08000024", "Torbay": "E06000027",
    "York": "E06000014", "Cheshire East": "E06000049", "Cheshire West and Chester": "E06000050",
    "Halton": "E06000006", "Knowsley": "E08000011", "Liverpool": "E08000012",
    "St. Helens": "E08000013", "Sefton": "E08000014", "Warrington": "E06000007",
    "Wirral": "E08000015",
}


def test_153_authorities_with_unique_codes_and_the_dfe_count_per_region():
    las = local_authorities()
    assert len(las) == 153 and las["la_code"].is_unique and las["la_name"].is_unique
    assert las.groupby("region_name").size().to_dict() == {
        "East Midlands": 10, "East of England": 11, "London": 33, "North East": 12,
        "North West": 24, "South East": 19, "South West": 15, "West Midlands": 14,
        "Yorkshire and The Humber": 15}
    prefix = las["la_code"].str[:3]
    assert (prefix[las["la_type"] == "London borough"] == "E09").all()
    assert (prefix[las["la_type"] == "county council"] == "E10").all()
    assert (prefix[las["la_type"] == "metropolitan district"] == "E08").all()
    assert (prefix[las["la_type"] == "unitary authority"] == "E06").all()


def test_partner_areas_have_their_ons_codes():
    las = local_authorities().set_index("la_name")["la_code"]
    assert {name: las[name] for name in PARTNER_CODES} == PARTNER_CODES


@pytest.mark.parametrize("written, code", [
    ("Hull", "E06000010"), ("Kingston upon Hull, City of", "E06000010"),
    ("City of Kingston upon Hull", "E06000010"), ("Durham", "E06000047"),
    ("County Durham", "E06000047"), ("Durham County Council", "E06000047"),
    ("Newcastle", "E08000021"), ("newcastle-upon-tyne", "E08000021"),
    ("Leeds City Council", "E08000035"), ("St Helens", "E08000013"),
    ("Brighton & Hove", "E06000043"), ("E08000035", "E08000035"),
    ("Bournemouth", "E06000058"), ("E10000002", "E06000060"), ("E08000020", "E08000037"),
    ("Bristol, City of", "E06000023"), ("City of Bristol", "E06000023"),
])
def test_names_as_written_match_the_current_authority(written, code):
    m = match_local_authorities([written])
    assert m["matched"].item() and m["la_code"].item() == code


@pytest.mark.parametrize("written, why", [
    ("Northamptonshire", "split into North Northamptonshire"),
    ("Cumbria", "Cumberland and Westmorland and Furness"),
    ("Cheshire", "ambiguous"), ("Kingston", "ambiguous"),
    ("Leds", "no local authority of that name"), ("Cheshire and Merseyside", "nine"),
])
def test_ambiguous_or_unknown_names_are_reported_never_guessed(written, why):
    m = match_local_authorities([written])
    assert not m["matched"].item() and pd.isna(m["la_code"].item())
    assert why in m["how"].item()


def test_normalise_key_ignores_case_punctuation_and_council_words():
    assert normalise_key("BRADFORD  Metropolitan District Council") == "bradford"
    assert normalise_key("Hammersmith & Fulham") == "hammersmith and fulham"


def test_add_la_codes_merges_two_spellings_of_one_authority():
    df = pd.DataFrame({"local_authority": ["Hull", "Kingston upon Hull, City of", "Leds", None]})
    out = add_la_codes(df)
    assert out["la_code"].tolist()[:2] == ["E06000010", "E06000010"]
    assert out["la_code"].isna().tolist()[2:] == [True, True]
