"""Load and validate a survey export (one row per respondent)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from baby_room._args import check_frame, result_attrs
from baby_room._loading import load
from baby_room._validate import Failures
from baby_room.codebook import SURVEY

#: Room-level columns that two respondents describing the same room should agree on.
ROOM_COLUMNS = ("group_size", "staff_in_room", "staff_level3", "staff_level2", "staff_baby_trained")


def load_survey(path, *, columns: Mapping[str, str] | None = None, on_error: str = "raise",
                sheet=0, format: str | None = None, source: str = "Baby Room Project survey",
                mapping=None):
    """Load a survey export into the canonical, validated respondent table.

    Reads CSV, TSV, Qualtrics CSV exports, Excel, Parquet or SPSS ``.sav`` (or takes
    a DataFrame), renames headers to the canonical columns of
    :data:`baby_room.codebook.SURVEY`, converts types and checks every rule at once.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame
        The export, or a DataFrame with the same columns.
    columns : mapping, optional
        ``{your header: canonical name}`` for headers the codebook does not recognise
        (a key may also be a Qualtrics question text or ImportId).
    on_error : {"raise", "set_aside"}, default "raise"
        ``"raise"``: any failure raises one :class:`baby_room.DataValidationError` listing all
        of them. ``"set_aside"``: a failing value in an answer column becomes missing and is
        recorded (``baby_room.set_aside_cells(result)``) while the respondent is kept; a
        failure in an identifying column (``respondent_id``, ``setting_id``, ``room_id``,
        the design columns) or a duplicate respondent sets the row aside
        (``baby_room.set_aside_rows(result)``, with its source row and reasons). A
        :class:`baby_room.RowsSetAsideWarning` gives the counts.
    sheet : int or str, default 0
        Excel sheet.
    format : str, optional
        Force a reader: ``"csv"``, ``"tsv"``, ``"qualtrics"``, ``"xlsx"``, ``"parquet"``, ``"sav"``.
    source : str
        Data source written under every figure.
    mapping : str, os.PathLike, baby_room.mapping.SurveyMapping or False, optional
        The mapping file (``docs/mapping.md``): column names, answer recodes, missing
        labels, the design, which rows to keep. Default: ``<export stem>.mapping.toml``
        or ``survey.mapping.toml`` beside the export when there is one; ``False``: none.
        Qualtrics previews (``Status`` = Survey Preview) and unfinished responses
        (``Finished`` = False) are always set aside with their reason unless the mapping's
        ``[rows]`` keeps them.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, the columns of ``baby_room.codebook.SURVEY`` in order.
        The columns named in the mapping's ``[design]`` follow (a raw weight header is
        kept under its normalised name: build the design with
        :func:`baby_room.mapping.design_from`).
        ``attrs``: ``source``, ``synthetic``, ``file``, ``format``, ``set_aside``,
        ``set_aside_cells``, ``unused_columns`` (headers not loaded), and with a mapping
        ``mapping`` (its file) and ``mapping_design``.

    Raises
    ------
    baby_room.FileFormatError
        The file cannot be read.
    baby_room.DataValidationError
        Values break the codebook's rules (all listed, with file, row, column, value, check).

    Notes
    -----
    Checks, besides types, ranges and categories: respondent identifiers are unique;
    each qualified-staff count (Level 3, Level 2, baby-trained) is at most the staff
    in the room, and Level 3 plus Level 2 is at most the staff in the room.
    Two respondents describing the same room with different numbers are not an
    error: see :func:`list_room_conflicts`.

    Examples
    --------
    >>> import baby_room as br
    >>> df = br.load_survey(br.synthetic.raw("survey"))
    >>> len(df) > 300, df.attrs["synthetic"]
    (True, True)
    """
    from baby_room.mapping import SurveyMapping, find_mapping, read_mapping

    if mapping is None and not isinstance(path, pd.DataFrame):
        mapping = find_mapping(path)
    if mapping is not None and mapping is not False and not isinstance(mapping, SurveyMapping):
        mapping = read_mapping(mapping)
    return load(path, SURVEY, columns=columns, on_error=on_error, sheet=sheet, format=format,
                cross_checks=_survey_checks, source_label=source,
                mapping=mapping or None, respondent_rows=True)


def _survey_checks(frame: pd.DataFrame, rows: np.ndarray, failures: Failures) -> None:
    """Cross-field rules of the survey: qualified staff cannot exceed staff in the room."""
    staff = frame["staff_in_room"]
    for name, label in (("staff_level3", "Level 3"), ("staff_level2", "Level 2"),
                        ("staff_baby_trained", "baby-trained")):
        over = (frame[name] > staff).fillna(False).to_numpy()
        values = frame.loc[over, name].astype(str) + " > " + staff[over].astype(str)
        failures.add(rows[over], name, values,
                     f"consistency: {label} staff cannot exceed staff_in_room")
    both = (frame["staff_level3"] + frame["staff_level2"] > staff).fillna(False).to_numpy()
    both = both & ~((frame["staff_level3"] > staff) | (frame["staff_level2"] > staff)).fillna(False).to_numpy()
    values = (frame.loc[both, "staff_level3"] + frame.loc[both, "staff_level2"]).astype(str)
    failures.add(rows[both], "staff_level3 + staff_level2", values,
                 "consistency: Level 3 plus Level 2 staff cannot exceed staff_in_room")


def list_room_conflicts(data: pd.DataFrame) -> pd.DataFrame:
    """List the rooms described by more than one respondent with different numbers.

    For checking a data file (``baby-room validate`` prints it): it names settings and
    rooms, so it is not for publication. Such rooms are flagged, not dropped: the
    room-level indicators use one answer per room, and
    :func:`baby_room.survey.indicators.count_room_conflicts` counts the conflicts without
    identifiers.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical survey table.

    Returns
    -------
    pandas.DataFrame
        One row per (room, column) that disagrees: ``setting_id``, ``room_id``,
        ``column``, ``respondents`` (how many described the room), ``values``
        (the distinct answers, sorted, as text). ``attrs``: ``source`` and ``synthetic``
        of ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting_id": ["S1", "S1"], "room_id": ["R1", "R1"],
    ...                    "group_size": pd.array([12, 14], dtype="Int64"),
    ...                    "staff_in_room": pd.array([4, 4], dtype="Int64")})
    >>> list_room_conflicts(df)[["column", "values"]].to_dict("records")
    [{'column': 'group_size', 'values': '12; 14'}]
    """
    keys = ["setting_id", "room_id"]
    check_frame(data, function="list_room_conflicts", columns=keys)
    cols = [c for c in ROOM_COLUMNS if c in data.columns]
    multi = data[data.duplicated(keys, keep=False)]
    out = []
    if not multi.empty:
        grouped = multi.groupby(keys, sort=True, observed=True)
        sizes = grouped.size()
        for col in cols:
            nun = grouped[col].nunique(dropna=True)
            for key in nun.index[nun > 1]:
                vals = sorted(multi.loc[(multi[keys[0]] == key[0]) & (multi[keys[1]] == key[1]),
                                        col].dropna().unique())
                out.append({"setting_id": key[0], "room_id": key[1], "column": col,
                            "respondents": int(sizes[key]),
                            "values": "; ".join(str(v) for v in vals)})
    table = pd.DataFrame(out, columns=["setting_id", "room_id", "column", "respondents", "values"])
    table.attrs = result_attrs(data)
    return table
