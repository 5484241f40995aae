"""Private helpers of :mod:`baby_room.survey`: the room table and the EYFS rule columns.

The survey has one row per respondent, but room-level figures count each baby room
(``setting_id``, ``room_id``) once. :func:`build_rooms` makes the room table; the public
wrappers are :func:`baby_room.survey.rooms`, :func:`baby_room.survey.count_room_conflicts` and
:func:`baby_room.survey.room_design`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict

import numpy as np
import pandas as pd

from baby_room._args import check_frame, result_attrs
from baby_room.errors import ArgumentError
from baby_room.reference import EYFS_UNDER2_CHILDREN_PER_ADULT

#: The room is identified by these two columns.
ROOM_KEY = ("setting_id", "room_id")
#: Whose answers describe a room when several respondents describe it (first wins).
ROLE_PRIORITY = ("manager", "room_leader", "educator")
#: Room-level columns compared between respondents describing the same room.
CONFLICT_COLUMNS = (
    "group_size",
    "staff_in_room",
    "staff_level3",
    "staff_level2",
    "staff_baby_trained",
)
#: Columns never carried into the room table (personal data).
PERSONAL = ("comments",)
#: The three EYFS under-2 staffing rules, in the order of the fact sheet.
RULES = ("rule_level3", "rule_half_others_level2", "rule_half_baby_trained")


def role_rank(data: pd.DataFrame) -> pd.Series:
    """Position of each respondent's role in :data:`ROLE_PRIORITY` (others last)."""
    if "role" not in data.columns:
        return pd.Series(0, index=data.index)
    rank = {r: i for i, r in enumerate(ROLE_PRIORITY)}
    role = data["role"].astype("string")
    return role.map(rank).astype("Float64").fillna(len(ROLE_PRIORITY)).astype(int)


def derive(table: pd.DataFrame) -> pd.DataFrame:
    """Add the EYFS ratio and staffing-rule columns to a room table.

    ``rule_all`` is the conjunction of the three rules among rooms where all three are
    known (complete case): missing when any rule is missing, else
    ``rule_level3 & rule_half_others_level2 & rule_half_baby_trained``. (Kleene logic would
    count a room failing one rule with another unknown as failing but leave out a room
    passing two with the third unknown, biasing the share downwards.)

    Examples
    --------
    >>> t = pd.DataFrame({"group_size": [6, 9, 9], "staff_in_room": [2, 3, 3],
    ...                   "staff_level3": [1, 0, 1], "staff_level2": [1, 2, 1],
    ...                   "staff_baby_trained": [1, pd.NA, pd.NA]})
    >>> derive(t)["rule_all"].tolist()
    [True, <NA>, <NA>]
    """
    out = table.copy()
    g = out["group_size"].astype("Float64")
    s = out["staff_in_room"].astype("Float64")
    out["babies_per_adult"] = (g / s).where(s > 0)
    meets = g <= EYFS_UNDER2_CHILDREN_PER_ADULT * s
    out["meets_eyfs_ratio"] = meets.astype("boolean")
    out["over_eyfs_ratio"] = (~meets).astype("boolean")
    if "staff_level3" in out.columns:
        l3 = out["staff_level3"].astype("Float64")
        out["rule_level3"] = (l3 >= 1).astype("boolean")
        if "staff_level2" in out.columns:
            l2 = out["staff_level2"].astype("Float64")
            lead = l3.clip(upper=1)
            others = s - lead
            others_l2 = l2 + l3 - lead
            out["rule_half_others_level2"] = (2 * others_l2 >= others).astype("boolean")
    if "staff_baby_trained" in out.columns:
        bt = out["staff_baby_trained"].astype("Float64")
        out["rule_half_baby_trained"] = (2 * bt >= s).astype("boolean")
    if all(r in out.columns for r in RULES):
        known = out[list(RULES)].notna().all(axis=1)
        allr = out[RULES[0]] & out[RULES[1]] & out[RULES[2]]
        out["rule_all"] = allr.astype("boolean").where(known, pd.NA)
    return out


#: Room tables of recent calls, by the fingerprint of their respondent table (at most
#: :data:`_MEMO_SIZE`; tables of surveys over :data:`_MEMO_MAX_ROWS` rows are not kept).
_MEMO: OrderedDict[bytes, pd.DataFrame] = OrderedDict()
_MEMO_SIZE = 8
_MEMO_MAX_ROWS = 100_000


def fingerprint(data: pd.DataFrame) -> bytes | None:
    """A digest of everything in ``data`` the room table depends on; None if not hashable.

    The shape, column names, dtypes (a categorical's categories and order included) and
    the index's dtype, then pandas' own hash of every value and index entry
    (``pandas.util.hash_pandas_object``), and what that hash does not tell apart: the
    type of each value of an object column (``1`` and ``"1"``) and the sign of each float
    (``-0.0`` and ``0.0``). Two tables with the same fingerprint hold the
    same values, so they give the same room table.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0], "b": pd.array(["x", None], dtype="string")})
    >>> fingerprint(df) == fingerprint(df.copy()), fingerprint(df) == fingerprint(-df[["a"]])
    (True, False)
    """
    try:
        values = pd.util.hash_pandas_object(data, index=True, categorize=False)
    except TypeError:  # unhashable objects in a column: no memo
        return None
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((data.shape, list(map(repr, data.columns)), list(map(repr, data.dtypes)),
                   repr(data.index.dtype))).encode())
    h.update(values.to_numpy().tobytes())
    for _, column in data.items():
        if column.dtype == object:
            h.update(repr([type(v).__qualname__ for v in column]).encode())
        elif column.dtype.kind == "f":  # pandas hashes -0.0 and 0.0 alike
            h.update(np.signbit(column.to_numpy("float64", na_value=np.nan)).tobytes())
    return h.digest()


def build_rooms(data, *, function: str) -> pd.DataFrame:
    """The room table of :func:`baby_room.survey.rooms` (see there); errors name ``function``.

    The table of the same respondent table (equal :func:`fingerprint`) is made once and
    reused: the indicator functions of a notebook each need it (about 20 times in the
    survey notebook). Each call gets its own copy, and its attrs from ``data``.
    """
    check_frame(data, function=function, columns=[*ROOM_KEY, "group_size", "staff_in_room"])
    for col in CONFLICT_COLUMNS:
        if col in data.columns:
            dt = data[col].dtype
            if isinstance(dt, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(dt):
                raise ArgumentError(
                    function, "data", f"a table whose column {col!r} holds whole numbers "
                    "(a count of babies or staff)", data,
                    hint=f"{col!r} has dtype {dt}. Load the survey with "
                         "baby_room.load_survey, or convert with pd.to_numeric",
                )
    key = fingerprint(data) if len(data) <= _MEMO_MAX_ROWS else None
    kept = _MEMO.get(key) if key is not None else None
    if kept is not None:
        table = kept.copy(deep=False)  # copy-on-write: the memo stays as it is
        with contextlib.suppress(KeyError):  # another thread may have dropped it
            _MEMO.move_to_end(key)
    else:
        table = _build(data)
        if key is not None:
            _MEMO[key] = table.copy(deep=False)
            with contextlib.suppress(KeyError):
                while len(_MEMO) > _MEMO_SIZE:
                    _MEMO.popitem(last=False)
    # scalars only (contract section 3): the loader's set-aside records and unused
    # headers stay on ``data``; pandas would otherwise carry them over from ``df``
    stats = table.attrs
    table.attrs = result_attrs(data, unit="rooms")
    table.attrs.update(stats)
    return table


def _build(data) -> pd.DataFrame:
    """The room table of ``data`` (checked); its attrs hold the room counts."""
    df = data.drop(columns=[c for c in PERSONAL if c in data.columns])
    # rows with a missing setting or room id cannot be matched: each is its own room
    setting, _ = pd.factorize(df[ROOM_KEY[0]])
    room, room_labels = pd.factorize(df[ROOM_KEY[1]])
    pos = np.arange(len(df), dtype=np.int64)
    pair = setting.astype(np.int64) * (len(room_labels) + 1) + room
    room_key = np.where((setting < 0) | (room < 0), -1 - pos, pair)
    order = pd.DataFrame(
        {"_room": pd.factorize(room_key)[0], "_rank": role_rank(df).to_numpy(), "_pos": pos},
        index=df.index,
    )
    first_pos = order.groupby("_room", sort=False)["_pos"].transform("min")
    order = order.assign(_first=first_pos)
    ordered = order.sort_values(["_first", "_rank", "_pos"], kind="mergesort")
    chosen_idx = ordered.drop_duplicates("_room", keep="first").index
    counts = order.groupby("_room", sort=False).size()

    conflict_cols = [c for c in CONFLICT_COLUMNS if c in df.columns]
    shared = counts[counts > 1].index
    conflicting = pd.Series(False, index=shared)
    by_column = {}
    if len(shared):
        sub = df.loc[order["_room"].isin(shared)].assign(_room=order["_room"])
        for c in conflict_cols:
            nun = sub.groupby("_room", sort=False)[c].nunique(dropna=True)
            bad = nun.reindex(shared).fillna(0) > 1
            by_column[c] = int(bad.sum())
            conflicting |= bad
    table = df.loc[chosen_idx].copy()
    table["n_respondents"] = counts.reindex(order.loc[chosen_idx, "_room"]).to_numpy()
    table = derive(table.reset_index(drop=True))
    table.attrs = dict(
        room_priority=" > ".join(ROLE_PRIORITY),
        n_respondents=len(df),
        n_rooms=len(table),
        n_rooms_shared=len(shared),
        n_rooms_conflicting=int(conflicting.sum()),
    )
    for c in conflict_cols:
        table.attrs[f"n_rooms_conflicting_{c}"] = by_column.get(c, 0)
    return table
