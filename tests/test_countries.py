"""Tests for baby_room.evidence.countries.normalise_countries and the bundled region table.

References: ISO 3166-1 alpha-3 codes as listed by ``pycountry`` (the ISO 3166 maintenance
agency's list); UN M49 sub-regions from the UN Statistics Division's M49 overview
(https://unstats.un.org/unsd/methodology/m49/overview/), cross-checked for the spot checks
below against the ``UNregion`` column of country_converter's ``country_data.tsv``
(IndEcol/country_converter on GitHub; not a dependency).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baby_room.errors import ArgumentError, UnmatchedValueWarning
from baby_room.evidence.countries import (
    COUNTRY_COLUMNS,
    MATCHED_VALUES,
    NO_COUNTRY,
    country_table,
    normalise_countries,
)


def _pairs(value):
    """(iso3, uk_nation) pairs for one cell, missing as None, warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedValueWarning)
        out = normalise_countries([value])
    return [
        (None if pd.isna(i) else i, None if pd.isna(n) else n)
        for i, n in zip(out["iso3"], out["uk_nation"], strict=True)
    ]


# ---------------------------------------------------------------- single countries
# expected codes: ISO 3166-1 alpha-3 (pycountry.countries.get(name=...) for the English names)
SINGLE = {
    # UK nations -> GBR with the nation kept
    "England": [("GBR", "England")],
    "Scotland": [("GBR", "Scotland")],
    "Wales": [("GBR", "Wales")],
    "Cymru": [("GBR", "Wales")],
    "Northern Ireland": [("GBR", "Northern Ireland")],
    "N. Ireland": [("GBR", "Northern Ireland")],
    "northern  ireland": [("GBR", "Northern Ireland")],
    # the UK as a whole
    "UK": [("GBR", None)],
    "U.K.": [("GBR", None)],
    "uk": [("GBR", None)],
    "GB": [("GBR", None)],
    "Great Britain": [("GBR", None)],
    "Britain": [("GBR", None)],
    "United Kingdom": [("GBR", None)],
    "United Kingdom of Great Britain and Northern Ireland": [("GBR", None)],
    # United States spellings
    "USA": [("USA", None)],
    "U.S.A.": [("USA", None)],
    "U. S. A.": [("USA", None)],
    "US": [("USA", None)],
    "U.S.": [("USA", None)],
    "United States of America": [("USA", None)],
    "United States": [("USA", None)],
    "America": [("USA", None)],
    "usa ": [("USA", None)],
    # Korea
    "Korea": [("KOR", None)],
    "South Korea": [("KOR", None)],
    "Republic of Korea": [("KOR", None)],
    "Korea, Republic of": [("KOR", None)],
    "KOREA, REPUBLIC OF": [("KOR", None)],
    "North Korea": [("PRK", None)],
    # Netherlands, Turkey
    "Holland": [("NLD", None)],
    "The Netherlands": [("NLD", None)],
    "the netherlands": [("NLD", None)],
    "Netherlands": [("NLD", None)],
    "Turkey": [("TUR", None)],
    "Türkiye": [("TUR", None)],
    "Turkiye": [("TUR", None)],
    # own-language names
    "Deutschland": [("DEU", None)],
    "España": [("ESP", None)],
    "Espana": [("ESP", None)],
    "Brasil": [("BRA", None)],
    "Norge": [("NOR", None)],
    "Sverige": [("SWE", None)],
    "Suomi": [("FIN", None)],
    "Danmark": [("DNK", None)],
    "Italia": [("ITA", None)],
    "Nederland": [("NLD", None)],
    "Österreich": [("AUT", None)],
    "Osterreich": [("AUT", None)],
    "Schweiz": [("CHE", None)],
    "Suisse": [("CHE", None)],
    "Polska": [("POL", None)],
    "Éire": [("IRL", None)],
    "Eire": [("IRL", None)],
    "Nippon": [("JPN", None)],
    "Nihon": [("JPN", None)],
    "Zhongguo": [("CHN", None)],
    "中国": [("CHN", None)],
    "Ísland": [("ISL", None)],
    "Magyarország": [("HUN", None)],
    "Česko": [("CZE", None)],
    "Hrvatska": [("HRV", None)],
    "Belgique": [("BEL", None)],
    "Aotearoa": [("NZL", None)],
    # names containing separators stay whole
    "Trinidad and Tobago": [("TTO", None)],
    "Trinidad & Tobago": [("TTO", None)],
    "Bosnia and Herzegovina": [("BIH", None)],
    "Bosnia & Herzegovina": [("BIH", None)],
    "Antigua and Barbuda": [("ATG", None)],
    "Saint Kitts and Nevis": [("KNA", None)],
    "St. Kitts and Nevis": [("KNA", None)],
    "St Vincent and the Grenadines": [("VCT", None)],
    "Sao Tome and Principe": [("STP", None)],
    "Turks and Caicos Islands": [("TCA", None)],
    "Congo, Democratic Republic of the": [("COD", None)],
    "Congo, The Democratic Republic of the": [("COD", None)],
    "Democratic Republic of the Congo": [("COD", None)],
    "Congo": [("COG", None)],
    "Iran, Islamic Republic of": [("IRN", None)],
    "Tanzania, United Republic of": [("TZA", None)],
    "Virgin Islands, British": [("VGB", None)],
    "Holy See (Vatican City State)": [("VAT", None)],
    "Saint Helena, Ascension and Tristan da Cunha": [("SHN", None)],
    "Bonaire, Sint Eustatius and Saba": [("BES", None)],
    "Guinea-Bissau": [("GNB", None)],
    "Timor-Leste": [("TLS", None)],
    "Côte d'Ivoire": [("CIV", None)],
    "Cote d’Ivoire": [("CIV", None)],
    # other common English names and codes
    "Czech Republic": [("CZE", None)],
    "Czechia": [("CZE", None)],
    "Russia": [("RUS", None)],
    "Vietnam": [("VNM", None)],
    "Viet Nam": [("VNM", None)],
    "Hong Kong": [("HKG", None)],
    "Taiwan": [("TWN", None)],
    "Kosovo": [("XKX", None)],
    "DEU": [("DEU", None)],
    "nzl": [("NZL", None)],
    # punctuation, case and whitespace
    "  NORWAY ": [("NOR", None)],
    "Norway.": [("NOR", None)],
    "(Norway)": [("NOR", None)],
    "Norway;": [("NOR", None)],
    "new-zealand": [("NZL", None)],
    "the UK": [("GBR", None)],
    "UK-wide": [("GBR", None)],
    "Hong Kong, China": [("HKG", None)],
    "Chinese Taipei": [("TWN", None)],
    "Ireland (Republic)": [("IRL", None)],
    "Korea (South)": [("KOR", None)],
    "Republic of Korea (South Korea)": [("KOR", None)],
    "AND": [("AND", None)],  # Andorra's code, although "and" separates countries
}


@pytest.mark.parametrize("value, expected", list(SINGLE.items()), ids=list(SINGLE))
def test_single_country_strings(value, expected):
    assert _pairs(value) == expected


# ---------------------------------------------------------------- several countries per cell
SEVERAL = {
    "USA; Canada": [("USA", None), ("CAN", None)],
    "Norway and Sweden": [("NOR", None), ("SWE", None)],
    "Norway AND Sweden": [("NOR", None), ("SWE", None)],
    "Norway/Sweden/Denmark": [("NOR", None), ("SWE", None), ("DNK", None)],
    "Australia, New Zealand": [("AUS", None), ("NZL", None)],
    "UK & Ireland": [("GBR", None), ("IRL", None)],
    "US/UK": [("USA", None), ("GBR", None)],
    "England and Wales": [("GBR", "England"), ("GBR", "Wales")],
    "England, Scotland, Wales and Northern Ireland": [
        ("GBR", "England"), ("GBR", "Scotland"), ("GBR", "Wales"), ("GBR", "Northern Ireland"),
    ],
    "Finland, Sweden, and Norway": [("FIN", None), ("SWE", None), ("NOR", None)],
    "Germany + Austria": [("DEU", None), ("AUT", None)],
    "Trinidad and Tobago and Jamaica": [("TTO", None), ("JAM", None)],
    "Jamaica; Trinidad and Tobago": [("JAM", None), ("TTO", None)],
    "Korea, Republic of; Japan": [("KOR", None), ("JPN", None)],
    "Japan, Korea, Republic of": [("JPN", None), ("KOR", None)],
    "Bosnia and Herzegovina, Serbia and Montenegro": [
        ("BIH", None), ("SRB", None), ("MNE", None),
    ],
    "Congo, Democratic Republic of the and Rwanda": [("COD", None), ("RWA", None)],
    "Saint Kitts and Nevis / Antigua and Barbuda": [("KNA", None), ("ATG", None)],
    # found by the property test below: Sao Tome's official name is "Democratic Republic
    # of Sao Tome and Principe", which must not swallow the end of the DR Congo's name
    "Congo, Democratic Republic of the; Sao Tome and Principe": [("COD", None), ("STP", None)],
    "Congo, Democratic Republic of the, Sao Tome and Principe": [("COD", None), ("STP", None)],
    "Deutschland/Österreich/Schweiz": [("DEU", None), ("AUT", None), ("CHE", None)],
    "Brasil e Portugal".replace(" e ", " and "): [("BRA", None), ("PRT", None)],
    # duplicates within a cell collapse; a UK nation makes the bare "UK" redundant
    "USA; United States": [("USA", None)],
    "England, UK": [("GBR", "England")],
    "UK (England)": [("GBR", "England")],
    "Scotland - UK": [("GBR", "Scotland")],
    # Great Britain + Northern Ireland is the whole UK, not Northern Ireland alone
    "GB and NI": [("GBR", None)],
    "Great Britain & Northern Ireland": [("GBR", None)],
    "Various (UK, USA)": [(None, None), ("GBR", None), ("USA", None)],
}


@pytest.mark.parametrize("value, expected", list(SEVERAL.items()), ids=list(SEVERAL))
def test_cells_naming_several_countries(value, expected):
    assert _pairs(value) == expected


# ---------------------------------------------------------------- regions
REGIONS = {
    "Europe": ("Europe", "Europe", None),
    "international": ("International", None, None),
    "Multi-country": ("Multi-country", None, None),
    "multi country": ("Multi-country", None, None),
    "Nordic countries": ("Nordic countries", "Europe", "Northern Europe"),
    "Scandinavia": ("Scandinavia", "Europe", "Northern Europe"),
    "OECD": ("OECD", None, None),
    "OECD countries": ("OECD", None, None),
    "Global": ("Global", None, None),
    "worldwide": ("Global", None, None),
    "Sub-Saharan Africa": ("Sub-Saharan Africa", "Africa", "Sub-Saharan Africa"),
    "Low- and middle-income countries": ("Low- and middle-income countries", None, None),
}


@pytest.mark.parametrize("value, expected", list(REGIONS.items()), ids=list(REGIONS))
def test_region_words_are_region_rows(value, expected):
    out = normalise_countries([value])
    assert len(out) == 1
    row = out.iloc[0]
    assert row["matched"] == "region"
    assert pd.isna(row["iso3"])
    assert (row["country"], _none(row["continent"]), _none(row["un_region"])) == expected


def test_region_and_country_in_one_cell():
    out = normalise_countries(["Europe and USA"])
    assert out["matched"].astype(str).tolist() == ["region", "country"]
    assert out["country"].tolist() == ["Europe", "United States"]


def _none(x):
    return None if pd.isna(x) else x


# ---------------------------------------------------------------- output shape and content
def test_columns_dtypes_and_example_row():
    out = normalise_countries(["England", "Norway and Sweden"])
    assert tuple(out.columns) == COUNTRY_COLUMNS
    assert str(out["position"].dtype) == "int64"
    for col in ("input", "iso3", "country", "uk_nation", "continent", "un_region"):
        assert isinstance(out[col].dtype, pd.StringDtype), col
    assert list(out["matched"].cat.categories) == list(MATCHED_VALUES)
    first = out.iloc[0]
    # GBR: UN M49 Northern Europe (154), continent Europe
    assert (first["input"], first["position"], first["iso3"], first["country"],
            first["uk_nation"], first["continent"], first["un_region"], first["matched"]) == (
        "England", 0, "GBR", "United Kingdom", "England", "Europe", "Northern Europe", "country")
    assert out["input"].tolist() == ["England", "Norway and Sweden", "Norway and Sweden"]
    assert out["position"].tolist() == [0, 1, 1]


def test_continent_and_region_of_countries():
    out = normalise_countries(["Mexico", "Brazil", "Canada", "Australia", "Türkiye", "Russia"])
    got = list(zip(out["iso3"], out["continent"], out["un_region"], strict=True))
    # M49: Mexico Central America (013) in Latin America and the Caribbean (419);
    # Brazil South America (005) in 419; Canada Northern America (021); Australia 053;
    # Türkiye Western Asia (145); Russia Eastern Europe (151)
    assert got == [
        ("MEX", "North America", "Latin America and the Caribbean"),
        ("BRA", "South America", "Latin America and the Caribbean"),
        ("CAN", "North America", "Northern America"),
        ("AUS", "Oceania", "Australia and New Zealand"),
        ("TUR", "Asia", "Western Asia"),
        ("RUS", "Europe", "Eastern Europe"),
    ]


def test_every_pycountry_name_maps_to_its_code():
    """Reference: pycountry's own name -> alpha_3 mapping for all 249 ISO 3166-1 entries."""
    values, expected = [], []
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            name = getattr(c, attr, None)
            if name:
                values.append(name)
                expected.append(c.alpha_3)
    out = normalise_countries(values)
    assert len(out) == len(values)  # none of these splits
    assert out["iso3"].fillna("<missing>").tolist() == expected


def test_missing_and_empty_cells_give_one_missing_row():
    values = [None, np.nan, pd.NA, "", "   ", ";", " / ", "N/A", "n/a", "NA", "None",
              "not stated", "Unknown"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning for empty cells
        out = normalise_countries(values)
    assert out["position"].tolist() == list(range(len(values)))
    assert set(out["matched"].astype(str)) == {"missing"}
    assert set(out["country"]) == {NO_COUNTRY}
    assert out["iso3"].isna().all()
    assert out["input"].isna().tolist() == [True] * 3 + [False] * (len(values) - 3)


def test_unknown_strings_are_kept_and_reported():
    values = ["Narnia", "Norway", "Westeros and Norway", "Narnia", None, "Atlantis; Mordor"]
    with pytest.warns(UnmatchedValueWarning) as rec:
        out = normalise_countries(values)
    msg = str(rec[0].message)
    assert msg.startswith("4 country strings could not be matched and were kept with "
                          "matched='unmatched' and iso3 missing: ")
    assert "'Atlantis' (1 item), 'Mordor' (1 item), 'Narnia' (2 items), 'Westeros' (1 item)" in msg
    unmatched = out[out["matched"] == "unmatched"]
    assert unmatched["country"].tolist() == ["Narnia", "Westeros", "Narnia", "Atlantis", "Mordor"]
    assert unmatched["position"].tolist() == [0, 2, 3, 5, 5]
    assert unmatched["iso3"].isna().all()
    # the matched part of a partly matched cell is kept
    assert out.loc[out["position"] == 2, "iso3"].tolist()[1] == "NOR"


def test_no_guessing_of_near_misses_or_historic_states():
    values = ["Nerway", "Untied Kingdom", "USSR", "Yugoslavia", "IT", "NO"]
    with pytest.warns(UnmatchedValueWarning, match="6 country strings"):
        out = normalise_countries(values)
    assert (out["matched"] == "unmatched").all()
    assert out["country"].tolist() == values


def test_single_unmatched_string_message_is_singular():
    with pytest.warns(UnmatchedValueWarning) as rec:
        normalise_countries(["Narnia"])
    assert str(rec[0].message).startswith("1 country string could not be matched and was kept")


MESSY = [
    "UK", "England", "USA; Canada", "Norway and Sweden", "Korea, Republic of", "Deutschland",
    None, "", "Narnia", "Trinidad and Tobago", "Nordic countries", "England and Wales",
    "Europe and USA", "U.S.A.", "Congo, Democratic Republic of the", "Scotland / N. Ireland",
]


def test_no_input_lost_and_counts_reconcile():
    rng = np.random.default_rng(20240518)
    values = [MESSY[i] for i in rng.integers(0, len(MESSY), size=2000)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedValueWarning)
        out = normalise_countries(values)
        per_value = {v: len(normalise_countries([v])) for v in MESSY}
    # every position appears, in order, and nothing else does
    assert out["position"].is_monotonic_increasing
    assert set(out["position"]) == set(range(len(values)))
    # each cell gives exactly as many rows as when normalised on its own
    rows = out.groupby("position").size()
    assert rows.tolist() == [per_value[v] for v in values]
    # hand count: "Norway and Sweden" gives 2 rows, "Scotland / N. Ireland" 2, "UK" 1
    assert (per_value["Norway and Sweden"], per_value["Scotland / N. Ireland"],
            per_value["UK"], per_value[None]) == (2, 2, 1, 1)


def test_deduplicated_result_equals_cell_by_cell_result():
    """The de-duplicating implementation against the plain loop over cells."""
    values = MESSY * 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedValueWarning)
        fast = normalise_countries(values)
        parts = []
        for i, v in enumerate(values):
            part = normalise_countries([v])
            parts.append(part.assign(position=i))
        slow = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(fast, slow)


def test_series_input_keeps_attrs_and_uses_positions_not_labels():
    s = pd.Series(["Wales", "Norway"], index=[10, 20], dtype="string")
    s.attrs.update(source="Baby Room Project evidence review (synthetic)", synthetic=True)
    out = normalise_countries(s)
    assert out["position"].tolist() == [0, 1]
    assert out.attrs == s.attrs


def test_empty_input_gives_empty_frame_with_columns():
    out = normalise_countries([])
    assert tuple(out.columns) == COUNTRY_COLUMNS
    assert len(out) == 0


def test_a_single_string_is_refused_with_a_clear_message():
    with pytest.raises(ArgumentError, match=r"(?s)^normalise_countries: values must be .* not a "
                                            r"single string; got 'UK'.*normalise_countries\("):
        normalise_countries("UK")


def test_a_dataframe_is_refused_with_a_clear_message():
    df = pd.DataFrame({"countries": ["UK"], "year": [2020]})
    with pytest.raises(ArgumentError, match=r"(?s)not a DataFrame; got .*columns "
                                            r"\['countries', 'year'\]"):
        normalise_countries(df)


def test_non_string_values_are_reported_not_crashed():
    with pytest.warns(UnmatchedValueWarning, match="'42' \\(1 item\\)"):
        out = normalise_countries([42, "UK"])
    assert out["matched"].astype(str).tolist() == ["unmatched", "country"]


# ---------------------------------------------------------------- the bundled M49 table
def test_table_covers_every_pycountry_code_once():
    table = country_table()
    iso = set(c.alpha_3 for c in pycountry.countries)
    assert table["iso3"].is_unique
    assert iso <= set(table["iso3"])
    assert set(table["iso3"]) - iso == {"XKX"}
    # numeric codes agree with pycountry (ISO 3166-1 numeric = M49 code)
    num = {c.alpha_3: c.numeric for c in pycountry.countries}
    t = table[table["iso3"] != "XKX"]
    assert (t["m49"] == t["iso3"].map(num)).all()


def test_table_values_are_from_the_m49_vocabulary():
    table = country_table()
    assert set(table["continent"]) == {
        "Africa", "Antarctica", "Asia", "Europe", "North America", "Oceania", "South America"}
    # the 17 M49 sub-regions
    assert set(table["m49_subregion"].dropna()) == {
        "Northern Africa", "Sub-Saharan Africa", "Latin America and the Caribbean",
        "Northern America", "Central Asia", "Eastern Asia", "South-eastern Asia",
        "Southern Asia", "Western Asia", "Eastern Europe", "Northern Europe",
        "Southern Europe", "Western Europe", "Australia and New Zealand", "Melanesia",
        "Micronesia", "Polynesia"}
    assert table.loc[table["m49_subregion"].isna(), "iso3"].tolist() == ["ATA"]
    # codes of the sub-regions are consistent
    pairs = table.dropna(subset=["m49_subregion"]).groupby("m49_subregion")[
        "m49_subregion_code"].nunique()
    assert (pairs == 1).all()


# spot checks: M49 sub-region or intermediate region (UNSD overview table); the same values
# are in country_converter's country_data.tsv UNregion column, except MMR and NRU where
# country_converter has "Eastern Asia" and "Polynesia" and M49 has South-eastern Asia (035)
# and Micronesia (057)
M49_SPOT = {
    "GBR": ("Northern Europe", None), "IRL": ("Northern Europe", None),
    "FRA": ("Western Europe", None), "DEU": ("Western Europe", None),
    "ITA": ("Southern Europe", None), "POL": ("Eastern Europe", None),
    "NOR": ("Northern Europe", None), "USA": ("Northern America", None),
    "MEX": ("Latin America and the Caribbean", "Central America"),
    "JAM": ("Latin America and the Caribbean", "Caribbean"),
    "CHL": ("Latin America and the Caribbean", "South America"),
    "NGA": ("Sub-Saharan Africa", "Western Africa"),
    "KEN": ("Sub-Saharan Africa", "Eastern Africa"),
    "ZAF": ("Sub-Saharan Africa", "Southern Africa"),
    "CMR": ("Sub-Saharan Africa", "Middle Africa"),
    "EGY": ("Northern Africa", None), "SDN": ("Northern Africa", None),
    "IRN": ("Southern Asia", None), "MMR": ("South-eastern Asia", None),
    "CYP": ("Western Asia", None), "KAZ": ("Central Asia", None),
    "NRU": ("Micronesia", None), "FJI": ("Melanesia", None), "WSM": ("Polynesia", None),
    "NZL": ("Australia and New Zealand", None), "JEY": ("Northern Europe", "Channel Islands"),
}


@pytest.mark.parametrize("iso3", list(M49_SPOT))
def test_m49_spot_checks(iso3):
    row = country_table().set_index("iso3").loc[iso3]
    assert (row["m49_subregion"], _none(row["m49_intermediate_region"])) == M49_SPOT[iso3]


# ---------------------------------------------------------------- property: nothing lost
# names (several containing separators) and their ISO 3166-1 alpha-3 codes (pycountry)
_JOINABLE = {
    "Norway": "NOR", "Trinidad and Tobago": "TTO", "Bosnia and Herzegovina": "BIH",
    "Korea, Republic of": "KOR", "Congo, Democratic Republic of the": "COD",
    "Saint Kitts and Nevis": "KNA", "Antigua and Barbuda": "ATG", "United States": "USA",
    "Deutschland": "DEU", "Holy See (Vatican City State)": "VAT", "Türkiye": "TUR",
    "New Zealand": "NZL", "Sao Tome and Principe": "STP", "Japan": "JPN",
}


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(st.sampled_from(sorted(_JOINABLE)), min_size=1, max_size=4, unique=True),
    seps=st.lists(st.sampled_from(["; ", " and ", ", ", "/", " & ", " AND ", " ;"]),
                  min_size=3, max_size=3),
)
def test_joined_names_are_all_recovered(names, seps):
    cell = names[0]
    for name, sep in zip(names[1:], seps, strict=False):
        cell += sep + name
    out = normalise_countries([cell])
    assert out["iso3"].tolist() == [_JOINABLE[n] for n in names]
    assert (out["matched"] == "country").all()


def test_random_pairs_of_iso_names_are_both_recovered():
    """Any two ISO 3166 names (pycountry's short, official and common names) joined by any
    separator give back both codes: no name swallows part of its neighbour."""
    rng = np.random.default_rng(7)
    names = [(getattr(c, a), c.alpha_3) for c in pycountry.countries
             for a in ("name", "official_name", "common_name") if getattr(c, a, None)]
    seps = ["; ", " and ", ", ", "/", " & "]
    cells, expected = [], []
    for _ in range(1000):
        i, j = rng.choice(len(names), size=2, replace=False)
        (a, code_a), (b, code_b) = names[i], names[j]
        if code_a != code_b:
            cells.append(a + seps[rng.integers(len(seps))] + b)
            expected.append([code_a, code_b])
    out = normalise_countries(cells)
    got = out.groupby("position")["iso3"].agg(lambda s: s.fillna("?").tolist())
    assert got.tolist() == expected
