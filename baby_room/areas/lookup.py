"""Local-authority names as people write them, normalised to ONS codes, current names and regions.

The lookup is ``baby_room/data/local_authorities.csv`` (the 153 English local authorities
with responsibility for early-years sufficiency: counties, unitary authorities, metropolitan
districts and London boroughs, with their ONS codes and region) and
``baby_room/data/local_authority_aliases.csv`` (short names, councils' own names, former
codes and boundary changes, and names that are ambiguous on purpose). Both are described,
dated and sourced in ``baby_room/data/README_local_authorities.md``.

Matching is exact on a normalised key, never fuzzy: case, accents, ``&``/``and``,
punctuation, hyphens and spacing are ignored, and a trailing council word
("City Council", "County Council", "Metropolitan Borough Council", "Council" ...) is
dropped. A name that matches nothing, or an ambiguous name such as "Cheshire" or
"Northamptonshire", is reported with its reason and left unmatched: it is never guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

import pandas as pd

from baby_room._args import check_frame

__all__ = ["LOOKUP_DATE", "add_la_codes", "local_authorities", "match_local_authorities", "normalise_key"]

#: The edition of the ONS names and codes the lookup follows.
LOOKUP_DATE = "2024-12"
_SUFFIXES = (
    "metropolitan borough council", "metropolitan district council", "city council",
    "county council", "borough council", "district council", "council",
)


def normalise_key(text) -> str:
    """The matching key of a local-authority name: lower case, plain letters, single spaces.

    Accents are removed (NFKD), ``&`` becomes "and", "st." becomes "st", every other
    character that is not a letter or digit becomes a space, and a trailing council word
    is dropped ("Leeds City Council" -> "leeds").

    Examples
    --------
    >>> normalise_key("Kingston upon Hull, City of")
    'kingston upon hull city of'
    >>> normalise_key("  Brighton & Hove City Council ")
    'brighton and hove'
    >>> normalise_key("St. Helens")
    'st helens'
    """
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    s = s.casefold().replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    s = re.sub(r"\s+", " ", s)
    for suffix in _SUFFIXES:
        if s.endswith(" " + suffix):
            s = s[: -len(suffix) - 1].strip()
            break
    return s


@functools.cache
def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = resources.files("baby_room") / "data"
    with (data / "local_authorities.csv").open("rb") as f:
        las = pd.read_csv(f, dtype="string", keep_default_na=False)
    with (data / "local_authority_aliases.csv").open("rb") as f:
        aliases = pd.read_csv(f, dtype="string", keep_default_na=False)
    return las, aliases


def local_authorities() -> pd.DataFrame:
    """The 153 English local authorities: ``la_code, la_name, region_code, region_name, la_type``.

    From ONS "Counties and Unitary Authorities (December 2024) Names and Codes in the UK"
    and "Local Authority District to Region (December 2024) Lookup in England"; see
    ``baby_room/data/README_local_authorities.md``.

    Examples
    --------
    >>> las = local_authorities()
    >>> len(las), las.set_index("la_name").loc["Leeds", "la_code"]
    (153, 'E08000035')
    """
    return _tables()[0].copy()


@functools.cache
def _index() -> dict[str, tuple[str | None, str]]:
    """normalised key -> (la_code or None when ambiguous, how it matched)."""
    las, aliases = _tables()
    index: dict[str, tuple[str | None, str]] = {}
    for code, name in zip(las["la_code"], las["la_name"], strict=True):
        index[normalise_key(code)] = (code, "ONS code")
        index[normalise_key(name)] = (code, "ONS name")
        if ", " in name:  # "Bristol, City of" is also written "City of Bristol"
            head, tail = name.split(", ", 1)
            index.setdefault(normalise_key(f"{tail} {head}"), (code, "ONS name reordered"))
    for alias, code, reason in zip(aliases["alias"], aliases["la_code"], aliases["reason"],
                                   strict=True):
        index.setdefault(normalise_key(alias), (code or None, reason))
    return index


def match_local_authorities(names) -> pd.DataFrame:
    """Match local-authority strings to ONS codes, current names and regions.

    Parameters
    ----------
    names : iterable of str or pandas.Series
        Local-authority names as written (missing values allowed).

    Returns
    -------
    pandas.DataFrame
        One row per distinct non-missing name, in order of first appearance:
        ``name`` (as written), ``la_code``, ``la_name`` (current ONS name), ``region_name``,
        ``matched`` (bool), ``how`` (ONS name, ONS code, an alias's reason such as
        "common short name" or "boundary change: ...", or why it is unmatched).

    Examples
    --------
    >>> m = match_local_authorities(["Hull", "Durham", "Kingston upon Hull, City of",
    ...                              "Leeds City Council", "Northamptonshire", "Leds"])
    >>> m[["name", "la_code", "matched"]].to_dict("records")[:2]
    [{'name': 'Hull', 'la_code': 'E06000010', 'matched': True}, {'name': 'Durham', 'la_code': 'E06000047', 'matched': True}]
    >>> m.loc[4:, "how"].tolist()
    ['ambiguous: split into North Northamptonshire and West Northamptonshire on 1 April 2021', 'no local authority of that name in the lookup (December 2024)']
    """
    series = pd.Series(list(names) if not isinstance(names, pd.Series) else names,
                       dtype="string")
    distinct = series.dropna().drop_duplicates().tolist()
    las = _tables()[0].set_index("la_code")
    index = _index()
    rows = []
    for name in distinct:
        code, how = index.get(normalise_key(name), (None, None))
        if code is None:
            how = how or "no local authority of that name in the lookup (December 2024)"
            rows.append({"name": name, "la_code": pd.NA, "la_name": pd.NA,
                         "region_name": pd.NA, "matched": False, "how": how})
        else:
            rows.append({"name": name, "la_code": code, "la_name": las.loc[code, "la_name"],
                         "region_name": las.loc[code, "region_name"], "matched": True,
                         "how": how})
    out = pd.DataFrame(rows, columns=["name", "la_code", "la_name", "region_name", "matched",
                                      "how"])
    for c in ("name", "la_code", "la_name", "region_name", "how"):
        out[c] = out[c].astype("string")
    out["matched"] = out["matched"].astype(bool)
    out.attrs["lookup_date"] = LOOKUP_DATE
    return out


def add_la_codes(data: pd.DataFrame, *, column: str = "local_authority") -> pd.DataFrame:
    """A copy of ``data`` with ``la_code`` and ``la_name`` from :func:`match_local_authorities`.

    Unmatched names get missing codes (they are reported by the briefings, never guessed).

    Examples
    --------
    >>> df = pd.DataFrame({"local_authority": ["Hull", "Kingston upon Hull, City of", None]})
    >>> add_la_codes(df)["la_code"].tolist()
    ['E06000010', 'E06000010', <NA>]
    """
    check_frame(data, function="add_la_codes", columns=[column])
    m = match_local_authorities(data[column]).set_index("name")
    names = data[column].astype("string")
    out = data.copy()
    out["la_code"] = names.map(m["la_code"]).astype("string")
    out["la_name"] = names.map(m["la_name"]).astype("string")
    out.attrs = dict(data.attrs)
    return out
