"""The country of each author affiliation (Web of Science ``C1``, Scopus ``Affiliations``,
RIS ``AD``, MEDLINE ``AD``, Rayyan ``location``).

Author affiliations say where the authors work, not where a study took place: they are
kept in the ``affiliations`` column, never in the reviewers' countries-of-study column.

An affiliation is read from its end: the last comma-separated part is tried first
(postal codes removed), then the part before it. A part matches when it is, as a whole
or as its last words, an ISO 3166-1 name (``pycountry``), one of the variants the
databases write (Web of Science's ``Peoples R China``, ``North Ireland``, ``U Arab
Emirates``; ``PR China``, ``P.R. China``, ``S. Korea``, ``Bosnia-Herzegovina``,
``Aotearoa New Zealand``), a UK nation, a US state code with a ZIP code (``CA 92037``)
or an Australian state (``Qld``, ``NSW``). Codes match only in capitals (``USA``,
``UK``), so the abbreviations ``Can``, ``Per`` and ``Isl`` of Web of Science addresses
are not Canada, Peru and Iceland; only the *last* matching part counts, so ``Georgia,
USA`` is the United States and ``St Lucia, Qld`` is Australia. A bracketed author list
at the start (``[Jordan, M] Univ ...``) is ignored.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache

import pandas as pd

from baby_room._args import check_column, check_frame
from baby_room.errors import UnmatchedValueWarning

__all__ = ["affiliation_countries", "affiliation_country", "split_affiliations"]

_ALIASES = {
    "peoples r china": "CHN", "peoples republic of china": "CHN", "pr china": "CHN",
    "p r china": "CHN", "prc": "CHN", "china": "CHN", "mainland china": "CHN",
    "s korea": "KOR", "south korea": "KOR", "korea": "KOR", "republic of korea": "KOR",
    "rep of korea": "KOR", "korea south": "KOR", "north korea": "PRK",
    "england": "GBR", "scotland": "GBR", "wales": "GBR", "north ireland": "GBR",
    "northern ireland": "GBR", "united kingdom": "GBR", "great britain": "GBR",
    "britain": "GBR", "bosnia herzegovina": "BIH", "bosnia and herzegovina": "BIH",
    "bosnia herceg": "BIH", "aotearoa new zealand": "NZL", "aotearoa": "NZL",
    "new zealand": "NZL", "united states": "USA", "united states of america": "USA",
    "u arab emirates": "ARE", "united arab emirates": "ARE", "russia": "RUS",
    "iran": "IRN", "vietnam": "VNM", "viet nam": "VNM", "taiwan": "TWN",
    "turkey": "TUR", "turkiye": "TUR", "czech republic": "CZE", "czechia": "CZE",
    "the netherlands": "NLD", "netherlands": "NLD", "holland": "NLD",
    "syria": "SYR", "laos": "LAO", "bolivia": "BOL", "venezuela": "VEN",
    "tanzania": "TZA", "moldova": "MDA", "macedonia": "MKD", "north macedonia": "MKD",
    "ivory coast": "CIV", "cote d ivoire": "CIV", "cote divoire": "CIV",
    "dem rep congo": "COD", "democratic republic of the congo": "COD", "drc": "COD",
    "rep congo": "COG", "palestine": "PSE", "kosovo": "XKX", "brunei": "BRN",
    "cape verde": "CPV", "eswatini": "SWZ", "swaziland": "SWZ", "micronesia": "FSM",
    "vatican": "VAT", "hong kong": "HKG", "macau": "MAC", "macao": "MAC",
    "trinidad tobago": "TTO", "trinidad and tobago": "TTO", "papua n guinea": "PNG",
    "st kitts nevi": "KNA", "st vincent": "VCT", "saint lucia": "LCA",
    "fed rep ger": "DEU", "w germany": "DEU", "ussr": "RUS",
}
#: Codes matched only as written, in capitals.
_CODES = {"USA": "USA", "U.S.A.": "USA", "U.S.": "USA", "US": "USA", "UK": "GBR",
          "U.K.": "GBR", "UAE": "ARE", "PRC": "CHN", "P.R.C.": "CHN", "ROK": "KOR",
          "NZ": "NZL"}
_US_STATES = set("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS "
                 "MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI "
                 "WY DC PR".split())
_AU_STATES = {"qld", "nsw", "vic", "tas", "act", "queensland", "new south wales",
              "victoria", "tasmania", "western australia", "south australia",
              "northern territory"}
_CA_PROVINCES = {"ON", "QC", "BC", "AB", "MB", "SK", "NS", "NB", "NL", "PE"}
_BRACKETS = re.compile(r"^\s*\[[^\]]*\]\s*")
_POSTCODE_WORD = re.compile(r"\S*\d\S*")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("'", "")
    return " ".join(re.sub(r"[^a-z ]+", " ", text).split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names[_fold(value)] = c.alpha_3
    names.update(_ALIASES)
    names.pop("georgia", None)
    names["georgia"] = "GEO"
    names.pop("jersey", None)  # also New Jersey; only "Jersey, Channel Islands"
    return names


@lru_cache(maxsize=1)
def _display() -> dict[str, str]:
    import pycountry

    out = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    out["XKX"] = "Kosovo"
    out["GBR"] = "United Kingdom"
    out["USA"] = "United States"
    out["KOR"] = "South Korea"
    out["RUS"] = "Russia"
    out["IRN"] = "Iran"
    out["VNM"] = "Vietnam"
    out["TWN"] = "Taiwan"
    out["SYR"] = "Syria"
    out["BOL"] = "Bolivia"
    out["VEN"] = "Venezuela"
    out["TZA"] = "Tanzania"
    out["MDA"] = "Moldova"
    out["LAO"] = "Laos"
    out["PRK"] = "North Korea"
    return out


def _part_country(part: str) -> str | None:
    raw = part.strip().rstrip(".").strip()
    if not raw:
        return None
    if raw in _CODES:
        return _CODES[raw]
    words = raw.split()
    no_codes = [w for w in words if not _POSTCODE_WORD.fullmatch(w)]
    if no_codes and no_codes[-1].rstrip(".") in _CODES and (
            len(no_codes) == 1 or no_codes[-1].isupper()):
        return _CODES[no_codes[-1].rstrip(".")]
    had_postcode = len(no_codes) < len(words)
    if had_postcode and no_codes and no_codes[0] in _US_STATES and len(no_codes) == 1:
        return "USA"
    if had_postcode and no_codes and no_codes[0] in _CA_PROVINCES and len(no_codes) == 1:
        return "CAN"
    folded = _fold(" ".join(no_codes))
    if not folded:
        return None
    names = _names()
    if folded in names:
        return names[folded]
    if folded in _AU_STATES:
        return "AUS"
    tokens = folded.split()
    for k in (3, 2, 1):  # "Oxford OX1 3PS England", "Bethesda MD USA"
        if len(tokens) > k:
            tail = " ".join(tokens[-k:])
            if tail in names and tail not in {"georgia", "jordan", "chad"}:
                return names[tail]
            if tail in _AU_STATES:
                return "AUS"
    return None


def affiliation_country(affiliation) -> str | None:
    """ISO 3166-1 alpha-3 code of one affiliation's country, or None when none is found.

    Examples
    --------
    >>> [affiliation_country(a) for a in ["Scripps Res Inst, La Jolla, CA 92037 USA",
    ...     "Fudan Univ, Shanghai, Peoples R China", "Univ Georgia, Athens, Georgia, USA",
    ...     "Univ Queensland, St Lucia, Qld 4072, Australia", "Univ Queensland, St Lucia, Qld",
    ...     "Univ Highlands & Isl, Inverness", "Dept Psychol, Univ Toronto, Can"]]
    ['USA', 'CHN', 'USA', 'AUS', 'AUS', None, None]
    """
    if affiliation is None or (not isinstance(affiliation, str) and pd.isna(affiliation)):
        return None
    text = _BRACKETS.sub("", str(affiliation)).strip().rstrip(".")
    parts = [p for p in text.split(",") if p.strip()]
    for part in reversed(parts[-2:] if len(parts) > 1 else parts):
        code = _part_country(part)
        if code:
            return code
    return None


def split_affiliations(value) -> list[str]:
    """One record's affiliations: split on ``;`` outside square brackets (WoS ``C1``).

    Examples
    --------
    >>> split_affiliations("[Li, X; Wu, Y] Fudan Univ, Shanghai, Peoples R China; "
    ...                    "Univ Oxford, Oxford, England")
    ['[Li, X; Wu, Y] Fudan Univ, Shanghai, Peoples R China', 'Univ Oxford, Oxford, England']
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    out, depth, start = [], 0, 0
    text = str(value)
    for k, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        elif ch in ";\n" and depth == 0:
            out.append(text[start:k])
            start = k + 1
    out.append(text[start:])
    return [p.strip() for p in out if p.strip()]


def affiliation_countries(data: pd.DataFrame, *, column: str = "affiliations",
                          id: str | None = None) -> pd.DataFrame:
    """One row per author affiliation with its country, and which could not be matched.

    Parameters
    ----------
    data : pandas.DataFrame
        Records with an affiliations column (any bibliographic reader's output).
    column : str, default "affiliations"
        The column holding each record's affiliations (``;``-separated).
    id : str, optional
        Identifier column copied to the result; default ``"key"`` when present, else the
        row's index label.

    Returns
    -------
    pandas.DataFrame
        Columns ``record`` (identifier), ``affiliation``, ``iso3``, ``country`` (English
        short name) and ``matched`` (bool). ``attrs["n_unmatched"]`` counts the
        affiliations with no country found.

    Warns
    -----
    UnmatchedValueWarning
        Naming how many affiliations had no recognisable country.

    Examples
    --------
    >>> df = pd.DataFrame({"key": ["a"], "affiliations": [
    ...     "Univ Oxford, Oxford OX1 3PS, England; Seoul Natl Univ, Seoul, S. Korea"]})
    >>> affiliation_countries(df)[["record", "country"]].values.tolist()
    [['a', 'United Kingdom'], ['a', 'South Korea']]
    """
    check_frame(data, function="affiliation_countries")
    check_column(column, function="affiliation_countries", parameter="column", data=data)
    if id is None:
        id = "key" if "key" in data.columns else None
    else:
        check_column(id, function="affiliation_countries", parameter="id", data=data,
                     optional=True)
    labels = data[id].tolist() if id else data.index.tolist()
    display = _display()
    rows = []
    cache: dict[str, str | None] = {}
    for label, value in zip(labels, data[column].tolist(), strict=True):
        for aff in split_affiliations(value):
            if aff not in cache:
                cache[aff] = affiliation_country(aff)
            code = cache[aff]
            rows.append({"record": label, "affiliation": aff, "iso3": code,
                         "country": display.get(code) if code else None,
                         "matched": code is not None})
    out = pd.DataFrame(rows, columns=["record", "affiliation", "iso3", "country", "matched"])
    for col in ("affiliation", "iso3", "country"):
        out[col] = out[col].astype("string")
    out["matched"] = out["matched"].astype(bool)
    n_unmatched = int((~out["matched"]).sum())
    out.attrs = {"source": data.attrs.get("source"), "synthetic": data.attrs.get("synthetic"),
                 "n_unmatched": n_unmatched}
    out.attrs = {k: v for k, v in out.attrs.items() if v is not None}
    if n_unmatched:
        warnings.warn(
            f"affiliation_countries: {n_unmatched} of {len(out)} affiliation(s) have no "
            f"recognisable country (matched=False)",
            UnmatchedValueWarning,
            stacklevel=2,
        )
    return out
