"""Load and validate focus-group coding in the long format, and its codebook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._loading import load
from baby_room._validate import Failures
from baby_room.codebook import CODEBOOK, CODING


def load_coding(path, *, columns: Mapping[str, str] | None = None, on_error: str = "raise",
                sheet=0, format: str | None = None,
                source: str = "Baby Room Project focus groups"):
    """Load focus-group coding in the long format: one row per coded segment per coder.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame
        CSV, TSV, Excel or Parquet file (or a DataFrame) with the columns of
        :data:`baby_room.codebook.CODING` (or headers mapped with ``columns``), or a
        REFI-QDA project ``.qdpx`` (read with :func:`baby_room.read_qdpx` and converted
        with ``QdaProject.to_long()``; use those directly for their options).
    columns : mapping, optional
        ``{your header: canonical name}``.
    on_error : {"raise", "set_aside"}, default "raise"
        As in :func:`baby_room.load_survey`.
    sheet : int or str, default 0
        Excel sheet.
    format : str, optional
        Force a reader.
    source : str
        Data source written under every figure.

    Returns
    -------
    pandas.DataFrame
        The canonical coding table (``segment_id, conference, group_id, speaker, role,
        theme, code, coder, start, end, text``); ``conference`` is ordered by date.

    Notes
    -----
    Checks: required columns and values, conference and role categories, offsets
    non-negative with ``end >= start``, and no segment given the same code twice by
    the same coder.

    Examples
    --------
    >>> import baby_room as br
    >>> coding = br.load_coding(br.synthetic.raw("coding"))
    >>> list(coding["conference"].cat.categories)[:2]
    ['London', 'York']
    """
    name = None
    if not isinstance(path, pd.DataFrame) and Path(path).suffix.lower() == ".qdpx":
        from baby_room.focus_groups.qdpx import read_qdpx

        path, name = read_qdpx(path).to_long(), str(path)
    return load(path, CODING, columns=columns, on_error=on_error, sheet=sheet, format=format,
                cross_checks=_coding_checks, source_label=source, name=name)


def _coding_checks(frame: pd.DataFrame, rows: np.ndarray, failures: Failures) -> None:
    """Cross-field rule of the coding table: a segment ends after it starts."""
    bad = (frame["end"] < frame["start"]).fillna(False).to_numpy()
    values = frame.loc[bad, "start"].astype(str) + " > " + frame.loc[bad, "end"].astype(str)
    failures.add(rows[bad], "start + end", values, "consistency: end must not be before start")


def load_codebook(path, *, columns: Mapping[str, str] | None = None, on_error: str = "raise",
                  sheet=0, format: str | None = None,
                  source: str = "Baby Room Project focus-group codebook"):
    """Load a focus-group codebook: one row per code with its theme and definition.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame
        File with the columns ``theme, code, definition``.
    columns, on_error, sheet, format, source
        As in :func:`load_coding`.

    Returns
    -------
    pandas.DataFrame
        Columns ``theme, code, definition``.

    Examples
    --------
    >>> import baby_room as br
    >>> book = br.load_codebook(br.synthetic.raw("codebook"))
    >>> book["theme"].nunique()
    6
    """
    return load(path, CODEBOOK, columns=columns, on_error=on_error, sheet=sheet, format=format,
                cross_checks=None, source_label=source)
