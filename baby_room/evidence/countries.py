"""Country names as reviewers typed them, normalised to ISO 3166 with continent and UN region.

The evidence-review extraction sheet records where each study took place in a free-text cell:
"UK", "England", "USA; Canada", "Norway and Sweden", "Korea, Republic of", "Deutschland",
"Nordic countries", ... :func:`normalise_countries` turns those cells into one row per
(input position, country), matched exactly against a closed list of names. Nothing is
fuzzy-guessed: a string that is not on the list is reported in an
:class:`~baby_room.errors.UnmatchedValueWarning` and kept in the result as an unmatched row.

Sources
-------
* ISO 3166-1 codes and names (short name, official name, common name) from ``pycountry``.
* Continent and UN M49 region / sub-region from ``baby_room/data/country_regions.csv``
  (see ``baby_room/data/README_country_regions.md``).
* Aliases (UK nations, US spellings, own-language names, former English names) and region
  words listed in this module (``_ALIASES``, ``_REGIONS``, ``_UK_NATIONS``).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from baby_room.errors import UnmatchedValueWarning

__all__ = ["normalise_countries", "country_table", "MATCHED_VALUES", "COUNTRY_COLUMNS"]

#: Columns of the frame returned by :func:`normalise_countries`, in this order.
COUNTRY_COLUMNS = (
    "input",
    "position",
    "iso3",
    "country",
    "uk_nation",
    "continent",
    "un_region",
    "matched",
)

#: The values of the ``matched`` column (categories, in this order):
#: ``"country"`` an ISO 3166 country (or Kosovo, XKX) was recognised;
#: ``"region"`` a region word ("Europe", "Nordic countries", "Global", ...) was recognised;
#: ``"unmatched"`` a non-empty string could not be matched (reported in the warning);
#: ``"missing"`` the cell was empty or missing ("no country given").
MATCHED_VALUES = ("country", "region", "unmatched", "missing")

#: ``country`` value of the row produced by an empty or missing cell.
NO_COUNTRY = "No country given"

# --------------------------------------------------------------------------------------
# Names. Keys are written naturally; they pass through the same _key() as the input.
# --------------------------------------------------------------------------------------

_UK_NATIONS = {
    "England": "England",
    "Scotland": "Scotland",
    "Wales": "Wales",
    "Cymru": "Wales",
    "Northern Ireland": "Northern Ireland",
    "N Ireland": "Northern Ireland",
    "N. Ireland": "Northern Ireland",
    "NI": "Northern Ireland",
}

#: Whole cells that mean "no country given" (matched "missing", not warned about).
_MISSING_WORDS = (
    "N/A", "NA", "n.a.", "none", "nil", "not stated", "not reported", "not specified",
    "not given", "not applicable", "unknown", "unclear", "no country", "no country given",
)

_ALIASES = {
    # United Kingdom
    "UK": "GBR", "U.K.": "GBR", "GB": "GBR", "Britain": "GBR", "Great Britain": "GBR",
    "United Kingdom": "GBR", "Great Britain and Northern Ireland": "GBR",
    "GB and NI": "GBR", "Great Britain and NI": "GBR", "Britain and Northern Ireland": "GBR",
    # United States
    "US": "USA", "U.S.": "USA", "USA": "USA", "U.S.A.": "USA", "America": "USA",
    "United States": "USA", "United States of America": "USA", "US of A": "USA",
    # Korea
    "Korea": "KOR", "South Korea": "KOR", "Korea South": "KOR", "Republic of Korea": "KOR",
    "Korea, Republic of": "KOR", "Korea, Rep.": "KOR", "Korea Rep": "KOR", "ROK": "KOR",
    "Hanguk": "KOR", "Hankuk": "KOR", "Daehan Minguk": "KOR", "한국": "KOR", "대한민국": "KOR",
    "North Korea": "PRK", "Korea North": "PRK", "DPRK": "PRK", "Korea, Dem. Rep.": "PRK",
    # Netherlands, Turkey
    "Holland": "NLD", "The Netherlands": "NLD", "Nederland": "NLD",
    "Turkey": "TUR", "Türkiye": "TUR", "Turkiye": "TUR",
    # own-language names
    "Deutschland": "DEU", "España": "ESP", "Brasil": "BRA", "Norge": "NOR", "Noreg": "NOR",
    "Sverige": "SWE", "Suomi": "FIN", "Danmark": "DNK", "Italia": "ITA", "Österreich": "AUT",
    "Oesterreich": "AUT", "Schweiz": "CHE", "Suisse": "CHE", "Svizzera": "CHE", "Svizra": "CHE",
    "Helvetia": "CHE", "Polska": "POL", "Éire": "IRL", "Republic of Ireland": "IRL",
    "Nippon": "JPN", "Nihon": "JPN", "日本": "JPN", "Zhongguo": "CHN", "中国": "CHN",
    "Mainland China": "CHN", "PRC": "CHN", "Ísland": "ISL", "Eesti": "EST", "Latvija": "LVA",
    "Lietuva": "LTU", "Česko": "CZE", "Česká republika": "CZE", "Czech Republic": "CZE",
    "Slovensko": "SVK", "Magyarország": "HUN", "Hrvatska": "HRV", "Slovenija": "SVN",
    "Srbija": "SRB", "Shqipëria": "ALB", "Crna Gora": "MNE", "Bosna i Hercegovina": "BIH",
    "Ελλάδα": "GRC", "Hellas": "GRC", "Ellada": "GRC", "България": "BGR", "Россия": "RUS",
    "Rossiya": "RUS", "Україна": "UKR", "Ukraina": "UKR", "Belgique": "BEL", "België": "BEL",
    "Belgien": "BEL", "Lëtzebuerg": "LUX", "Bharat": "IND", "Aotearoa": "NZL",
    "Kalaallit Nunaat": "GRL", "Føroyar": "FRO", "Sakartvelo": "GEO", "Hayastan": "ARM",
    "Pilipinas": "PHL", "Kypros": "CYP", "Rossiyskaya Federatsiya": "RUS",
    # other English names in common use
    "Czech Rep": "CZE", "Slovak Rep": "SVK", "Ivory Coast": "CIV", "Cape Verde": "CPV",
    "Swaziland": "SWZ", "Macedonia": "MKD", "FYROM": "MKD", "Burma": "MMR", "East Timor": "TLS",
    "Vatican": "VAT", "Holy See": "VAT", "Russian Federation": "RUS", "Hong Kong SAR": "HKG",
    "Macau": "MAC", "Lao PDR": "LAO", "UAE": "ARE", "Emirates": "ARE", "Bosnia": "BIH",
    "DRC": "COD", "DR Congo": "COD", "Congo DR": "COD", "Congo, Dem. Rep.": "COD",
    "Congo, Democratic Republic of": "COD", "Congo Kinshasa": "COD",
    "Congo Brazzaville": "COG", "Republic of Congo": "COG", "Congo, Rep.": "COG",
    "Falklands": "FLK", "Faroes": "FRO", "NZ": "NZL", "Aus": "AUS",
    "Palestinian Territories": "PSE", "Occupied Palestinian Territory": "PSE",
    "West Bank and Gaza": "PSE", "Iran, Islamic Rep.": "IRN", "Egypt, Arab Rep.": "EGY",
    "Venezuela, RB": "VEN", "Yemen, Rep.": "YEM", "Gambia, The": "GMB", "Bahamas, The": "BHS",
    "Hong Kong SAR, China": "HKG", "Macao SAR, China": "MAC", "Kyrgyz Republic": "KGZ",
    "St Kitts": "KNA", "St Vincent": "VCT", "Sao Tome": "STP", "Trinidad": "TTO",
    "Antigua": "ATG", "US Virgin Islands": "VIR", "USVI": "VIR", "BVI": "VGB",
    "UK-wide": "GBR", "Hong Kong, China": "HKG", "Macao, China": "MAC", "Macau, China": "MAC",
    "Chinese Taipei": "TWN", "Ireland (Republic)": "IRL", "Ireland, Republic of": "IRL",
}

# canonical name -> (continent, M49 sub-region); keys are the words that name it
_REGION_INFO = {
    "Europe": ("Europe", None),
    "European Union": ("Europe", None),
    "Northern Europe": ("Europe", "Northern Europe"),
    "Western Europe": ("Europe", "Western Europe"),
    "Southern Europe": ("Europe", "Southern Europe"),
    "Eastern Europe": ("Europe", "Eastern Europe"),
    "Central Europe": ("Europe", None),
    "Nordic countries": ("Europe", "Northern Europe"),
    "Scandinavia": ("Europe", "Northern Europe"),
    "Baltic states": ("Europe", "Northern Europe"),
    "International": (None, None),
    "Multi-country": (None, None),
    "Global": (None, None),
    "OECD": (None, None),
    "Low- and middle-income countries": (None, None),
    "High-income countries": (None, None),
    "English-speaking countries": (None, None),
    "Africa": ("Africa", None),
    "Sub-Saharan Africa": ("Africa", "Sub-Saharan Africa"),
    "Northern Africa": ("Africa", "Northern Africa"),
    "Asia": ("Asia", None),
    "Eastern Asia": ("Asia", "Eastern Asia"),
    "South-eastern Asia": ("Asia", "South-eastern Asia"),
    "Southern Asia": ("Asia", "Southern Asia"),
    "Central Asia": ("Asia", "Central Asia"),
    "Middle East": ("Asia", "Western Asia"),
    "Americas": (None, None),
    "North America": ("North America", None),
    "South America": ("South America", None),
    "Latin America": (None, "Latin America and the Caribbean"),
    "Caribbean": ("North America", "Latin America and the Caribbean"),
    "Oceania": ("Oceania", None),
    "Australasia": ("Oceania", "Australia and New Zealand"),
    "Pacific Islands": ("Oceania", None),
}

_REGION_WORDS = {
    "Europe": "Europe", "European": "Europe", "European countries": "Europe",
    "European Union": "European Union", "EU": "European Union",
    "EU countries": "European Union", "EU member states": "European Union",
    "Northern Europe": "Northern Europe", "Western Europe": "Western Europe",
    "Southern Europe": "Southern Europe", "Eastern Europe": "Eastern Europe",
    "Central Europe": "Central Europe", "Central and Eastern Europe": "Central Europe",
    "Nordic countries": "Nordic countries", "Nordic": "Nordic countries",
    "Nordics": "Nordic countries", "Nordic region": "Nordic countries",
    "Scandinavia": "Scandinavia", "Scandinavian countries": "Scandinavia",
    "Baltic states": "Baltic states", "Baltics": "Baltic states",
    "International": "International", "Internationally": "International",
    "Multi-country": "Multi-country", "Multicountry": "Multi-country",
    "Multi-national": "Multi-country", "Multinational": "Multi-country",
    "Multiple countries": "Multi-country", "Multiple": "Multi-country",
    "Several countries": "Multi-country", "Various countries": "Multi-country",
    "Various": "Multi-country", "Cross-national": "Multi-country",
    "Cross-country": "Multi-country", "Comparative (multi-country)": "Multi-country",
    "Global": "Global", "Globally": "Global", "Worldwide": "Global", "World": "Global",
    "OECD": "OECD", "OECD countries": "OECD", "OECD member countries": "OECD",
    "Low- and middle-income countries": "Low- and middle-income countries",
    "LMIC": "Low- and middle-income countries", "LMICs": "Low- and middle-income countries",
    "Developing countries": "Low- and middle-income countries",
    "High-income countries": "High-income countries", "HICs": "High-income countries",
    "English-speaking countries": "English-speaking countries",
    "Anglophone countries": "English-speaking countries",
    "Africa": "Africa", "Sub-Saharan Africa": "Sub-Saharan Africa",
    "North Africa": "Northern Africa", "Northern Africa": "Northern Africa",
    "Asia": "Asia", "East Asia": "Eastern Asia", "Eastern Asia": "Eastern Asia",
    "South-East Asia": "South-eastern Asia", "Southeast Asia": "South-eastern Asia",
    "South-eastern Asia": "South-eastern Asia", "South Asia": "Southern Asia",
    "Southern Asia": "Southern Asia", "Central Asia": "Central Asia",
    "Middle East": "Middle East", "Americas": "Americas", "The Americas": "Americas",
    "North America": "North America", "South America": "South America",
    "Latin America": "Latin America", "Latin America and the Caribbean": "Latin America",
    "Caribbean": "Caribbean", "Oceania": "Oceania", "Australasia": "Australasia",
    "Pacific Islands": "Pacific Islands", "Pacific": "Pacific Islands",
}

# Separators between several countries in one cell. "and" only as a whole word.
_SEP = re.compile(r"(;|/|,|&|\+|\||:|\(|\)|\[|\]|\n|\s[-–—]\s|\band\b)", re.IGNORECASE)
_MAX_GROUP = 6  # a name spans at most this many separator-delimited pieces
# separators that never occur inside a country name: pieces are never glued across them
_STRONG = re.compile(r"[;/+|:\[\]\n]|\s[-–—]\s")
_DROP = re.compile(r"[.'’‘`´]")
_NONWORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=2**16)
def _key(text: str, strict: bool = False) -> str:
    """Match key: accents, case, punctuation, "the" and "St."/"Saint" spelling removed.

    The strict key keeps commas (as " , "), so that pieces glued back across a comma only
    match a name that has a comma there ("Korea, Republic of"), never one that has not
    ("Democratic Republic of the, Sao Tome and Principe" is two names, not Sao Tome's
    official name).
    """
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = _DROP.sub("", s.replace("&", " and "))
    if strict:
        return " , ".join(w for w in (_words(c) for c in s.split(",")) if w)
    return _words(s)


def _words(s: str) -> str:
    words = [w for w in _NONWORD.sub(" ", s).split() if w != "the"]
    words = _join_initials(words)  # "u s a" (from "U. S. A.") -> "usa"
    return " ".join("saint" if w in ("st", "ste") else w for w in words)


def _join_initials(words: list[str]) -> list[str]:
    """Join runs of single letters: ["u", "s", "a"] -> ["usa"]; a lone letter stays."""
    out: list[str] = []
    run = False
    for w in words:
        if len(w) == 1 and run:
            out[-1] += w
        else:
            out.append(w)
            run = len(w) == 1
    return out


def country_table() -> pd.DataFrame:
    """Return the bundled table of countries with continent and UN M49 groupings.

    Returns
    -------
    pandas.DataFrame
        One row per ISO 3166-1 country (all of ``pycountry.countries``) plus Kosovo
        (``XKX``), with columns ``iso3, iso2, m49, name, continent, m49_region,
        m49_region_code, m49_subregion, m49_subregion_code, m49_intermediate_region,
        m49_intermediate_region_code`` (all strings; empty groupings are missing).
        ``name`` is a short English display name; ``continent`` is one of Africa,
        Antarctica, Asia, Europe, North America, Oceania, South America (the M49 region,
        with the Americas split at South America). Source: UN Statistics Division, M49
        standard; see ``baby_room/data/README_country_regions.md``.

    Examples
    --------
    >>> t = country_table()
    >>> t.loc[t.iso3 == "GBR", ["name", "continent", "m49_subregion"]].to_numpy().tolist()
    [['United Kingdom', 'Europe', 'Northern Europe']]
    """
    return _country_table().copy()


@lru_cache(maxsize=1)
def _country_table() -> pd.DataFrame:
    path = resources.files("baby_room") / "data" / "country_regions.csv"
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype="string", keep_default_na=False, na_values=[""])


@lru_cache(maxsize=1)
def _lookup() -> dict[str, tuple]:
    """Key -> (iso3, country, uk_nation, continent, un_region, matched)."""
    import pycountry

    table = _country_table()
    info = {
        r.iso3: (r.name, _na(r.continent), _na(r.m49_subregion))
        for r in table.itertuples(index=False)
    }

    def entry(iso3, nation=None):
        name, continent, region = info[iso3]
        return (iso3, name, nation, continent, region, "country")

    out: dict[str, tuple] = {}  # loose keys, and strict keys prefixed with "="

    def add(name, value):
        k = _key(name)
        if k:
            out.setdefault(k, value)
            out.setdefault("=" + _key(name, True), value)

    for nation_word, nation in _UK_NATIONS.items():
        add(nation_word, entry("GBR", nation))
    for word, canonical in _REGION_WORDS.items():
        continent, region = _REGION_INFO[canonical]
        add(word, (None, canonical, None, continent, region, "region"))
    for word, iso3 in _ALIASES.items():
        add(word, entry(iso3))
    for r in table.itertuples(index=False):
        add(r.name, entry(r.iso3))
        add(r.iso3, entry(r.iso3))
    for c in pycountry.countries:
        names = [c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)]
        for name in filter(None, names):
            add(name, entry(c.alpha_3))
            if "," in name:  # "Korea, Republic of" -> "Republic of Korea"
                head, _, tail = name.partition(",")
                add(f"{tail} {head}", entry(c.alpha_3))
    return out


def _na(x):
    return None if x is pd.NA or x is None or (isinstance(x, float) and x != x) else x


def _is_missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-like cell
        return False


def _parse_cell(text: str, lookup: dict) -> list[tuple]:
    """Split one cell into countries: the segmentation with fewest unmatched pieces wins.

    The cell is cut at every separator; consecutive pieces are glued back together (with
    their separator) when the glued text is a known name, so "Trinidad and Tobago" and
    "Korea, Republic of" stay whole while "Norway and Sweden" splits. Pieces are never
    glued across ``;``, ``/``, ``+``, ``|``, ``:``, brackets ``[]``, a newline or a spaced
    dash (no name contains them), and a comma glued back must be in the name. Among the
    segmentations, the one leaving the fewest pieces unmatched wins, then the one with
    the fewest (i.e. longest) names.
    """
    whole = lookup.get("=" + _key(text, True))
    if whole is not None:  # the whole cell is one name (also "AND", Andorra's code)
        return [whole]
    parts = _SEP.split(text)
    pieces: list[str] = []  # pieces[0], sep, pieces[1], sep, ... with empty pieces dropped
    seps: list[str] = []
    pending_sep = ""
    for i, part in enumerate(parts):
        if i % 2:  # a separator
            pending_sep += part
            continue
        if _key(part):
            if pieces:
                seps.append(pending_sep)
            pieces.append(part)
            pending_sep = ""
        elif pieces:
            pending_sep += part
    n = len(pieces)
    if n == 0:
        return []
    # best[i] = (n_unmatched, n_groups, groups) for pieces[i:]
    best: list[tuple] = [None] * (n + 1)
    best[n] = (0, 0, ())
    for i in range(n - 1, -1, -1):
        unm, grp, rest = best[i + 1]
        key1 = _key(pieces[i])
        hit = lookup.get(key1)
        if hit is not None:
            cand = (unm, grp + 1, ((hit, pieces[i]),) + rest)
        else:
            cand = (unm + 1, grp + 1, ((None, pieces[i]),) + rest)
        text_ij = pieces[i]
        for j in range(i + 2, min(n, i + _MAX_GROUP) + 1):
            if _STRONG.search(seps[j - 2]):
                break
            text_ij = text_ij + seps[j - 2] + pieces[j - 1]
            hit = lookup.get("=" + _key(text_ij, True))
            if hit is not None:
                u2, g2, r2 = best[j]
                if (u2, g2 + 1) < cand[:2]:
                    cand = (u2, g2 + 1, ((hit, text_ij),) + r2)
        best[i] = cand
    rows: list[tuple] = []
    for hit, piece in best[0][2]:
        if hit is None:
            rows.append((None, " ".join(piece.split()), None, None, None, "unmatched"))
        else:
            rows.append(hit)
    return _dedupe(rows)


def _dedupe(rows: list[tuple]) -> list[tuple]:
    """Drop repeats of one country in a cell, and a nation-less UK when a UK nation is named."""
    nations = any(r[0] == "GBR" and r[2] is not None for r in rows)
    seen = set()
    out = []
    for r in rows:
        if r[5] == "unmatched":
            ident = ("unmatched", r[1])
        else:
            ident = (r[0], r[1], r[2])
        if nations and r[0] == "GBR" and r[2] is None:
            continue
        if ident in seen:
            continue
        seen.add(ident)
        out.append(r)
    return out


@lru_cache(maxsize=1)
def _missing_keys() -> frozenset:
    return frozenset(_key(w) for w in _MISSING_WORDS)


def _normalise_one(value, lookup) -> list[tuple]:
    if _is_missing(value) or _key(str(value)) in _missing_keys():
        return [(None, NO_COUNTRY, None, None, None, "missing")]
    rows = _parse_cell(str(value), lookup)
    if not rows:
        return [(None, NO_COUNTRY, None, None, None, "missing")]
    return rows


def normalise_countries(values) -> pd.DataFrame:
    """Normalise free-text country cells to ISO 3166 alpha-3 codes, one row per country.

    Each cell may name several countries, separated by ``;``, ``/``, ``,``, ``&``, ``+``,
    ``|``, ``:``, brackets, a spaced dash or the word "and". Names that contain those
    ("Trinidad and Tobago", "Bosnia and Herzegovina", "Korea, Republic of", "Congo,
    Democratic Republic of the", "Saint Kitts and Nevis", "Holy See (Vatican City State)")
    are kept whole: the cell is cut at every separator and neighbouring pieces are glued
    back when the glued text is a known name (never across ``;``, ``/``, ``+``, ``|``,
    ``:`` or a spaced dash, which no name contains; and a comma glued back must be where
    the name has one); of all such readings the one leaving the fewest pieces unmatched,
    then naming the fewest (longest) names, is used.

    Matching is exact on a key that ignores case, accents, whitespace, punctuation, the
    word "the" and "St."/"Saint". The names known are: ISO 3166-1 short, official and
    common names and alpha-3 codes (``pycountry``), the display names of the bundled
    region table, and the aliases of this module: the UK nations (England, Scotland,
    Wales/Cymru, Northern Ireland give ``GBR`` with the nation in ``uk_nation``), UK / U.K.
    / GB / Britain / Great Britain, US spellings (US, U.S., USA, U.S.A., America, United
    States of America), Korea / South Korea / Republic of Korea, Holland / The
    Netherlands, Turkey / Türkiye, own-language names (Deutschland, España, Brasil, Norge,
    Sverige, Suomi, Danmark, Italia, Nederland, Österreich, Schweiz, Suisse, Polska, Éire,
    Nippon, Nihon, Zhongguo, ...) and former English names (Czech Republic, Swaziland,
    Burma, Ivory Coast, ...). Two-letter codes other than UK, US, GB and NZ are not
    accepted (too many are English words: "NO", "IT", "IN"). Historic states (USSR,
    Yugoslavia, West Germany) are not mapped to today's countries: they are reported.
    Nothing is fuzzy-guessed.

    Region words (Europe, European Union, International, Multi-country, Nordic countries,
    Scandinavia, OECD, Global, Worldwide, Africa, Asia, Latin America, Middle East,
    low- and middle-income countries, ...) give region-level rows.

    Cells that are empty, missing, only separators, or one of the words meaning "none"
    ("N/A", "NA", "none", "not stated", "not reported", "not specified", "unknown", ...)
    give one row with ``matched == "missing"`` and ``country == "No country given"``.

    Within one cell a country named twice ("USA; United States") gives one row, and a UK
    row without a nation is dropped when the same cell names a UK nation ("England, UK"
    gives one row, England). Several UK nations give several ``GBR`` rows.

    Unique values are normalised once and mapped back, so a long column of repeated
    values costs little more than its distinct values.

    Parameters
    ----------
    values : sequence of str, pandas.Series, pandas.Index or numpy array
        The country cells, for example ``evidence["countries"]``. Missing values
        (None, NaN, ``pd.NA``) and empty strings are allowed.

    Returns
    -------
    pandas.DataFrame
        One row per (input position, country), long format, in input order; every input
        position appears at least once. Columns:

        - ``input`` (string): the cell as given (missing for a missing cell);
        - ``position`` (int64): 0-based position of the cell in ``values``;
        - ``iso3`` (string): ISO 3166-1 alpha-3 code (``XKX`` for Kosovo); missing for
          regions, unmatched strings and empty cells;
        - ``country`` (string): short English name (e.g. "United Kingdom", "South Korea");
          for a region the region's name ("Nordic countries"); for an unmatched piece the
          piece as typed; for an empty cell ``"No country given"``;
        - ``uk_nation`` (string): England, Scotland, Wales or Northern Ireland when the cell
          named a UK nation, otherwise missing;
        - ``continent`` (string): Africa, Antarctica, Asia, Europe, North America, Oceania
          or South America (for regions where one applies), otherwise missing;
        - ``un_region`` (string): UN M49 sub-region ("Northern Europe", "Northern America",
          "Sub-Saharan Africa", "Latin America and the Caribbean", ...), otherwise missing;
        - ``matched`` (categorical, categories ``"country", "region", "unmatched",
          "missing"``): what the row is. ``"unmatched"`` and ``"missing"`` are the rows
          that did not match ("missing" = no country given).

        ``attrs["source"]`` and ``attrs["synthetic"]`` are carried over from ``values``
        when it is a Series.

    Warns
    -----
    baby_room.errors.UnmatchedValueWarning
        When some strings could not be matched; the message lists each unmatched string
        with the number of input cells it occurred in. Empty cells are not warned about
        (they are the rows with ``matched == "missing"``).

    Notes
    -----
    Continent and M49 sub-region come from the bundled table
    (:func:`country_table`, built from the UN Statistics Division M49 standard). Checked
    against ``pycountry.countries.lookup`` for every ISO name in ``tests/test_countries.py``.
    ``country_converter`` is deliberately not used: version 1.3.2 fails on pandas 3 and
    drops countries from "A and B" strings.

    Examples
    --------
    >>> out = normalise_countries(["England", "USA; Canada", "Trinidad and Tobago", None])
    >>> out[["position", "iso3", "uk_nation", "matched"]]
       position  iso3 uk_nation  matched
    0         0   GBR   England  country
    1         1   USA      <NA>  country
    2         1   CAN      <NA>  country
    3         2   TTO      <NA>  country
    4         3  <NA>      <NA>  missing
    >>> normalise_countries(["Nordic countries"])[["country", "un_region", "matched"]]
                country        un_region matched
    0  Nordic countries  Northern Europe  region
    """
    attrs = {k: v for k, v in (getattr(values, "attrs", None) or {}).items()
             if k in ("source", "synthetic")}  # scalars only (docs/result-contract.md)
    cells = _as_cells(values)
    n = len(cells)
    lookup = _lookup()

    # de-duplicate: normalise each distinct value once, then map back by code
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    codes = np.where(codes < 0, len(uniques), codes)  # missing cells -> extra last "unique"
    unique_rows = [_normalise_one(u, lookup) for u in uniques]
    unique_rows.append(_normalise_one(None, lookup))
    unique_input = np.array([str(u) for u in uniques] + [None], dtype=object)

    counts = np.array([len(r) for r in unique_rows], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    per_pos = counts[codes]
    position = np.repeat(np.arange(n, dtype=np.int64), per_pos)
    offsets = np.arange(len(position), dtype=np.int64) - np.repeat(
        np.cumsum(per_pos) - per_pos, per_pos
    )
    take = starts[codes][position] + offsets

    flat = [row for rows in unique_rows for row in rows]
    cols = list(zip(*flat, strict=True))

    def column(values, index):  # build on the few distinct values, then take
        return pd.array(list(values), dtype="string").take(index)

    out = pd.DataFrame(
        {
            "input": column(unique_input, codes[position]),
            "position": position,
            "iso3": column(cols[0], take),
            "country": column(cols[1], take),
            "uk_nation": column(cols[2], take),
            "continent": column(cols[3], take),
            "un_region": column(cols[4], take),
            "matched": pd.Categorical.from_codes(
                np.array([MATCHED_VALUES.index(m) for m in cols[5]], dtype=np.int8)[take],
                categories=list(MATCHED_VALUES),
            ),
        }
    )
    out.attrs.update(attrs)
    _warn_unmatched(out)
    return out


def _as_cells(values):
    """A one-dimensional array-like of cells that pandas can factorize, or ArgumentError."""
    from baby_room.errors import ArgumentError

    fn, allowed = "normalise_countries", "a one-dimensional sequence of country cells"
    if isinstance(values, (str, bytes)):
        raise ArgumentError(fn, "values", f"{allowed} (a list, Series, Index or array), "
                            "not a single string", values,
                            hint="Wrap it in a list: normalise_countries([value]).")
    if isinstance(values, pd.DataFrame):
        raise ArgumentError(fn, "values", f"{allowed} (one column), not a DataFrame", values,
                            hint=f"Pass one of its columns {list(values.columns)!r}, e.g. "
                                 "df['countries'].")
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        return values  # factorized as is (fast for pyarrow-backed strings)
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ArgumentError(fn, "values", allowed, f"an array of shape {values.shape}")
    try:
        return pd.Series(values, dtype=object).to_numpy(dtype=object)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(fn, "values", allowed, values, hint=str(exc)) from None


def _warn_unmatched(out: pd.DataFrame) -> None:
    bad = out.loc[out["matched"] == "unmatched", ["country", "position"]]
    if bad.empty:
        return
    per = bad.groupby("country", sort=True)["position"].nunique()
    listed = [f"{name!r} ({k} item{'s' if k != 1 else ''})" for name, k in per.items()]
    more = ""
    if len(listed) > 30:
        more = f", ... and {len(listed) - 30} more"
        listed = listed[:30]
    warnings.warn(
        f"{len(per)} country string{'s' if len(per) != 1 else ''} could not be matched and "
        f"{'were' if len(per) != 1 else 'was'} kept with matched='unmatched' and iso3 "
        f"missing: {', '.join(listed)}{more}. Add the country's ISO 3166 name or fix the "
        "spelling in the data.",
        UnmatchedValueWarning,
        stacklevel=3,
    )
