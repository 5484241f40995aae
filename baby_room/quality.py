"""Data-quality summaries: rows, columns, missingness per column, rows set aside and why.

These tables describe a data set without showing any of its values, so they are
safe to publish even for the personal and identifier columns.
"""

from __future__ import annotations

import pandas as pd

from baby_room._validate import set_aside_rows
from baby_room.codebook import schema as get_schema


def missingness(data: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    """Missing values per canonical column.

    Parameters
    ----------
    data : pandas.DataFrame
        A canonical table returned by a loader.
    kind : {"survey", "coding", "codebook", "evidence"}
        Which codebook schema the table follows.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``dtype``, ``n`` (rows), ``n_missing``,
        ``share_missing`` (n_missing / n), ``required``, ``personal`` (personal data
        or identifier: never exported).

    Examples
    --------
    >>> import baby_room as br
    >>> m = missingness(br.synthetic.survey(), kind="survey")
    >>> m.loc[m["column"] == "respondent_id", "n_missing"].item()
    0
    """
    sch = get_schema(kind)
    n = len(data)
    rows = []
    for col in sch.columns:
        series = data[col.name] if col.name in data.columns else pd.Series([pd.NA] * n)
        n_missing = int(series.isna().sum())
        rows.append({
            "column": col.name,
            "dtype": str(series.dtype),
            "n": n,
            "n_missing": n_missing,
            "share_missing": n_missing / n if n else float("nan"),
            "required": col.required,
            "personal": col.personal or col.identifier,
        })
    return pd.DataFrame(rows)


def overview(project) -> pd.DataFrame:
    """One row per data set: where it came from, rows loaded, rows set aside, columns.

    Parameters
    ----------
    project : baby_room.Project

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``source``, ``synthetic``, ``rows``, ``rows_set_aside``,
        ``cells_set_aside`` (single values set aside as missing, the row kept; 0 where the
        loaders do not record them), ``columns``, ``unused_columns`` (file headers not
        loaded, as text). Data sets absent from the project have no row.

    Examples
    --------
    >>> import baby_room as br
    >>> overview(br.load_project())["rows"].tolist()[-1]
    185
    """
    import baby_room

    cells_of = getattr(baby_room, "set_aside_cells", None)  # added by the loaders' cell rules
    rows = []
    for kind, frame in project.tables().items():
        aside = set_aside_rows(frame)
        rows.append({
            "dataset": kind,
            "source": frame.attrs.get("source"),
            "synthetic": bool(frame.attrs.get("synthetic")),
            "rows": len(frame),
            "rows_set_aside": len(aside),
            "cells_set_aside": len(cells_of(frame)) if cells_of else 0,
            "columns": frame.shape[1],
            "unused_columns": ", ".join(frame.attrs.get("unused_columns", [])),
        })
    columns = ["dataset", "source", "synthetic", "rows", "rows_set_aside", "cells_set_aside",
               "columns", "unused_columns"]
    return pd.DataFrame(rows, columns=columns)

