"""Matrix queries as qualitative researchers run them in NVivo and MAXQDA.

* :func:`code_by_attribute` — NVivo's matrix coding query / MAXQDA's Crosstab: codes
  (rows) by the values of an attribute (columns: role, conference or any case or
  document attribute), counting segments, speakers or groups, with row and column
  proportions.
* :func:`case_code_table` — a case x code 0/1 table (one row per case and code) to join
  the qualitative coding with survey or other case-level data.
* :func:`code_overlaps` — MAXQDA's Code Relations / NVivo's coding query with AND-NEAR:
  the passages where two chosen codes overlap.

Each returns one tidy DataFrame; figures are in :mod:`baby_room.focus_groups.plots`
(:func:`~baby_room.focus_groups.plots.plot_code_heatmap`,
:func:`~baby_room.focus_groups.plots.plot_case_codes`,
:func:`~baby_room.focus_groups.plots.plot_code_overlaps`). Counts are of people and
groups: publish them through :class:`baby_room.outputs.Outputs` with
``count_columns=["count"]`` so that small cells are suppressed on export.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import check_frame, one_of
from baby_room.errors import ArgumentError
from baby_room.focus_groups._common import (
    HOW_TO_SUPPLY,
    LEVELS,
    PERSONAL_COLUMNS,
    code_order,
    finish,
    positions,
    require_columns,
    select_coders,
)
from baby_room.focus_groups.analysis import code_frequencies

__all__ = ["code_by_attribute", "case_code_table", "code_overlaps", "MATRIX_UNITS"]

#: Units a matrix can count (``unit=``).
MATRIX_UNITS = ("segment", "speaker", "group")
_CASES = {"speaker": ("group_id", "speaker"), "group": ("group_id",)}


def _need_attribute(data: pd.DataFrame, attribute: str, func: str) -> None:
    if attribute in PERSONAL_COLUMNS:
        raise ArgumentError(func, "attribute", "an attribute other than speaker and text "
                            "(personal data)", attribute)
    if attribute not in data.columns:
        raise ArgumentError(func, "attribute", "a column of data", attribute,
                            hint=f"Columns of data: {', '.join(map(str, data.columns))}. "
                                 f"To supply an attribute, {HOW_TO_SUPPLY}.")
    if data[attribute].isna().all() and len(data):
        raise ArgumentError(func, "attribute", "a column with values", attribute,
                            hint=f"data has no {attribute} for any coding. To supply it, "
                                 f"{HOW_TO_SUPPLY}.")


def code_by_attribute(data: pd.DataFrame, *, attribute: str = "role", unit: str = "segment",
                      level: str = "code", coders=None, codebook=None) -> pd.DataFrame:
    """Code x attribute matrix: in how many units each code occurs, per attribute value.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the long format (any extra attribute columns kept by
        :func:`baby_room.load_coding`).
    attribute : str, default "role"
        The column whose values are the matrix columns (``role``, ``conference`` or any
        case/document attribute). ``speaker`` and ``text`` are refused.
    unit : {"segment", "speaker", "group"}, default "segment"
        What a cell counts: distinct segments, speakers (``group_id`` + ``speaker``)
        or focus groups in which the code occurs.
    level : {"code", "theme"}, default "code"
    coders, codebook
        As in :func:`baby_room.focus_groups.code_frequencies`.

    Returns
    -------
    pandas.DataFrame
        One row per attribute value x code (zeros included): the attribute column,
        ``theme``, ``code``, ``n`` (units with that attribute value: the base),
        ``count`` (units with the code), ``share = count / n``, ``row_share`` (the
        code's units split across attribute values; NVivo's row percentage / 100) and
        ``col_share`` (the code's part of all code occurrences in the column; NVivo's
        column percentage / 100), all 0-1. Rows without a value of ``attribute`` are
        left out. ``attrs["unit"]`` names the unit.

    Examples
    --------
    >>> import pandas as pd
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s2", "s3", "s4"], "group_id": "G1",
    ...     "speaker": ["A", "A", "B", "C"], "conference": "York",
    ...     "role": ["manager", "manager", "educator", "educator"],
    ...     "theme": "pay", "code": ["low pay", "low pay", "low pay", "status"], "coder": "X"})
    >>> m = code_by_attribute(coding, attribute="role", unit="speaker")
    >>> m[["role", "code", "n", "count", "share"]].to_dict("records")[:2]
    [{'role': 'educator', 'code': 'low pay', 'n': 2, 'count': 1, 'share': 0.5}, {'role': 'educator', 'code': 'status', 'n': 2, 'count': 1, 'share': 0.5}]
    """
    func = "code_by_attribute"
    data = check_frame(data, function=func)
    one_of(unit, MATRIX_UNITS, function=func, parameter="unit")
    _need_attribute(data, attribute, func)
    return code_frequencies(data, by=attribute, unit=unit, level=level, coders=coders,
                            codebook=codebook)


def case_code_table(data: pd.DataFrame, *, case: str = "speaker", level: str = "code",
                    coders=None) -> pd.DataFrame:
    """Case x code 0/1 table: whether each code occurs for each case.

    For mixed-methods joins: pivot it wide (``pivot(index=keys, columns="code",
    values="present")``) and merge on the case keys.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the long format.
    case : {"speaker", "group"}, default "speaker"
        A case is a speaker (``group_id`` + ``speaker``) or a focus group (``group_id``).
    level : {"code", "theme"}, default "code"
    coders : str or list of str, optional
        Count only these coders' coding.

    Returns
    -------
    pandas.DataFrame
        One row per case x code (every combination): the case keys (``group_id`` and,
        for speakers, ``speaker`` — a pseudonym, personal data: keep this table inside
        the project), ``code`` (or ``theme``), ``present`` (1 when the code occurs for
        the case, else 0) and ``n_segments`` (the case's coded segments with the code).

    Examples
    --------
    >>> import pandas as pd
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s2"], "group_id": "G1",
    ...                        "speaker": ["A", "B"], "code": ["pay", "ratio"], "coder": "X"})
    >>> case_code_table(coding)[["speaker", "code", "present"]].to_dict("records")
    [{'speaker': 'A', 'code': 'pay', 'present': 1}, {'speaker': 'A', 'code': 'ratio', 'present': 0}, {'speaker': 'B', 'code': 'pay', 'present': 0}, {'speaker': 'B', 'code': 'ratio', 'present': 1}]
    """
    func = "case_code_table"
    data = check_frame(data, function=func)
    one_of(case, tuple(_CASES), function=func, parameter="case")
    one_of(level, LEVELS, function=func, parameter="level")
    keys = list(_CASES[case])
    require_columns(data, ["segment_id", "coder", level, *keys], func)
    df = select_coders(data, coders, func).dropna(subset=[*keys, level])
    df = df.assign(**{level: df[level].astype(str)})
    items = code_order(df, None, level)
    cases = df[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    counts = df.drop_duplicates([*keys, "segment_id", level]).groupby(
        [*keys, level], observed=True).size().rename("n_segments").reset_index()
    grid = cases.merge(pd.DataFrame({level: items}), how="cross")
    out = grid.merge(counts, on=[*keys, level], how="left")
    out["n_segments"] = out["n_segments"].fillna(0).astype("int64")
    out.insert(len(keys) + 1, "present", (out["n_segments"] > 0).astype("int64"))
    for c in [*keys, level]:
        out[c] = out[c].astype("string")
    out = finish(out, data)
    out.attrs["unit"] = "speakers" if case == "speaker" else "groups"
    return out


def code_overlaps(data: pd.DataFrame, *, code_1: str, code_2: str,
                  same_coder: bool = True) -> pd.DataFrame:
    """The passages where two codes overlap in the same transcript.

    Two codings overlap when their spans share at least one position: ``start_1 <
    end_2`` and ``start_2 < end_1`` for character offsets (``end`` exclusive), and
    ``start_1 <= end_2`` and ``start_2 <= end_1`` for MAXQDA's paragraph ranges
    (``data.attrs["position_unit"] == "paragraph"``, ``end`` inclusive). A segment
    coded with both codes overlaps itself.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the long format, with ``start`` and ``end``.
    code_1, code_2 : str
        The two codes (leaf names, as in ``data["code"]``).
    same_coder : bool, default True
        Only pairs coded by the same coder (``False``: across coders too).

    Returns
    -------
    pandas.DataFrame
        One row per overlapping pair: ``group_id``, ``coder_1``, ``coder_2``,
        ``segment_id_1``, ``segment_id_2``, ``start``, ``end`` (the shared span) and
        ``length`` (its size in the position unit), sorted by group and position.
        ``attrs["position_unit"]`` is carried over. No text or speaker is returned.

    Examples
    --------
    >>> import pandas as pd
    >>> coding = pd.DataFrame({"segment_id": ["a", "b", "c"], "group_id": "G1",
    ...                        "code": ["pay", "ratio", "ratio"], "coder": "X",
    ...                        "start": [0, 5, 40], "end": [10, 20, 50]})
    >>> code_overlaps(coding, code_1="pay", code_2="ratio")[["segment_id_1", "segment_id_2",
    ...                                                       "start", "end", "length"]]
      segment_id_1 segment_id_2  start  end  length
    0            a            b      5   10       5
    """
    func = "code_overlaps"
    data = check_frame(data, function=func)
    require_columns(data, ["segment_id", "group_id", "code", "coder", "start", "end"], func)
    present = set(data["code"].dropna().astype(str))
    for name, value in (("code_1", code_1), ("code_2", code_2)):
        if value not in present:
            raise ArgumentError(func, name, "a code in data", value,
                                hint=f"Codes: {', '.join(sorted(present)[:30])}")
    paragraph = data.attrs.get("position_unit") == "paragraph"
    cols = ["segment_id", "group_id", "coder", "start", "end"]
    a = data[data["code"].astype(str) == code_1]
    b = data[data["code"].astype(str) == code_2]
    a = positions(a, func)[cols].drop_duplicates()
    b = positions(b, func)[cols].drop_duplicates()
    on = ["group_id", "coder"] if same_coder else ["group_id"]
    pairs = a.merge(b, on=on, suffixes=("_1", "_2"))
    if same_coder:
        pairs["coder_1"] = pairs["coder"]
        pairs["coder_2"] = pairs["coder"]
    width = 1 if paragraph else 0
    lo = np.maximum(pairs["start_1"], pairs["start_2"])
    hi = np.minimum(pairs["end_1"], pairs["end_2"])
    keep = (hi + width) > lo
    pairs = pairs[keep].assign(start=lo[keep], end=hi[keep])
    pairs["length"] = pairs["end"] - pairs["start"] + width
    out = pairs.sort_values(["group_id", "start", "end", "segment_id_1", "segment_id_2"])
    out = out[["group_id", "coder_1", "coder_2", "segment_id_1", "segment_id_2", "start", "end",
               "length"]].reset_index(drop=True)
    for c in ("group_id", "coder_1", "coder_2", "segment_id_1", "segment_id_2"):
        out[c] = out[c].astype("string")
    for c in ("start", "end", "length"):
        out[c] = out[c].astype("int64")
    out = finish(out, data)
    out.attrs["position_unit"] = "paragraph" if paragraph else "character"
    out.attrs["unit"] = "overlapping pairs"
    return out

