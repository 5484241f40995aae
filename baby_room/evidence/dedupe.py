"""Duplicate records in a bibliographic export."""

from __future__ import annotations

import pandas as pd

from baby_room.errors import DesignError
from baby_room.evidence._bibcommon import isna as _isna
from baby_room.evidence._bibcommon import normalise_doi, normalise_title

__all__ = ["flag_duplicates"]



def flag_duplicates(data: pd.DataFrame, *, id: str | None = None, doi: str = "doi",
                    title: str = "title", year: str = "year") -> pd.DataFrame:
    """Flag duplicate items: same normalised DOI, or same normalised title and year.

    All rows are kept. The first occurrence (in row order) of each group is
    the original; every later row in the group gets the original's identifier in
    ``duplicate_of``. Matching is transitive: a row that shares a DOI with one
    original and a title with another points to the earlier of the two.

    Parameters
    ----------
    data : pandas.DataFrame
        Items or bibliographic records.
    id : str, optional
        Identifier column reported in ``duplicate_of``. Default: ``"item_id"``
        when present, else ``"key"``, else the index label.
    doi, title, year : str
        Column names (a missing column just disables that key).

    Returns
    -------
    pandas.DataFrame
        A copy with ``duplicate_of`` (string; missing for originals and unique
        rows). ``attrs`` are kept.

    Examples
    --------
    >>> df = pd.DataFrame({"item_id": ["A", "B", "C", "D"],
    ...                    "title": ["Baby rooms", "BABY ROOMS.", "Baby rooms", "Other"],
    ...                    "year": pd.array([2019, 2019, 2020, 2019], dtype="Int64"),
    ...                    "doi": [None, None, "10.1/X", "https://doi.org/10.1/x"]})
    >>> flag_duplicates(df)["duplicate_of"].tolist()
    [<NA>, 'A', <NA>, 'C']
    """
    if not isinstance(data, pd.DataFrame):
        raise DesignError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if id is None:
        id = "item_id" if "item_id" in data.columns else "key" if "key" in data.columns else None
    elif id not in data.columns:
        raise DesignError(f"id: column {id!r} not found; columns are {list(data.columns)}")
    ids = [str(v) for v in (data[id] if id else data.index).tolist()]
    n = len(data)
    dois = [normalise_doi(v) for v in data[doi].tolist()] if doi in data.columns else [None] * n
    titles = ([normalise_title(v) for v in data[title].tolist()] if title in data.columns
              else [None] * n)
    years = (pd.to_numeric(data[year], errors="coerce").tolist() if year in data.columns
             else [None] * n)
    root_of_doi: dict[str, int] = {}
    root_of_title: dict[tuple, int] = {}
    duplicate_of: list = [pd.NA] * n
    for i in range(n):
        candidates = []
        if dois[i] is not None and dois[i] in root_of_doi:
            candidates.append(root_of_doi[dois[i]])
        ty = None
        if titles[i] is not None and years[i] is not None and not _isna(years[i]):
            ty = (titles[i], int(years[i]))
            if ty in root_of_title:
                candidates.append(root_of_title[ty])
        root = min(candidates) if candidates else i
        if candidates:
            duplicate_of[i] = ids[root]
        if dois[i] is not None:
            root_of_doi.setdefault(dois[i], root)
        if ty is not None:
            root_of_title.setdefault(ty, root)
    out = data.copy()
    out["duplicate_of"] = pd.array(duplicate_of, dtype="string")
    return out
