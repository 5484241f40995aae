"""Private helpers of :mod:`baby_room.survey`: the room table and the EYFS rule columns.

The survey has one row per respondent, but room-level figures count each baby room
(``setting_id``, ``room_id``) once. :func:`build_rooms` makes the room table; the public
wrappers are :func:`baby_room.survey.rooms`, :func:`baby_room.survey.room_conflicts` and
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

    The shape, column names and dtypes (a categorical's categories and order included),
    the index and every value: the bytes of numbers (so ``-0.0`` and ``0.0`` differ) with
    the missing-value mask, the codes of categoricals, the buffers of Arrow arrays
    (strings), and ``pandas.util.hash_array`` for anything else. Two tables with the
    same fingerprint hold the same values, so they give the same room table.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0], "b": pd.array(["x", None], dtype="string")})
    >>> fingerprint(df) == fingerprint(df.copy()), fingerprint(df) == fingerprint(-df[["a"]])
    (True, False)
    """
    h = hashlib.blake2b(digest_size=20)
    try:
        h.update(repr((data.shape, list(map(repr, data.columns)),
                       list(map(str, data.dtypes)))).encode())
        _hash_values(h, data.index)
        # a frame without attrs, so columns are taken without copying them each time
        for _, column in pd.DataFrame(data).items():  # by position: repeated names are fine
            _hash_values(h, column)
    except (TypeError, ValueError):  # unhashable objects in a column: no memo
        return None
    return h.digest()


def _hash_values(h, obj) -> None:
    import pyarrow as pa

    arr = obj.array
    if isinstance(arr, pd.arrays.NumpyExtensionArray):
        values = arr.to_numpy()
        if values.dtype == object:  # hash_array compares str(); 1 and "1" differ by type
            h.update(pd.util.hash_array(values, categorize=False).tobytes())
            h.update(repr([type(v).__qualname__ for v in values]).encode())
        else:
            h.update(np.ascontiguousarray(values).tobytes())
    elif isinstance(arr, pd.Categorical):
        h.update(repr((arr.ordered, str(arr.categories.dtype), len(arr.categories))).encode())
        h.update(arr.codes.tobytes())
        _hash_values(h, arr.categories)
    elif isinstance(arr, (pd.arrays.IntegerArray, pd.arrays.FloatingArray,
                          pd.arrays.BooleanArray)):
        h.update(np.asarray(arr.isna()).tobytes())
        h.update(arr.to_numpy(dtype=arr.dtype.numpy_dtype, na_value=0).tobytes())
    elif isinstance(arr, pd.arrays.ArrowExtensionArray) and _flat(
            (chunked := pa.chunked_array(arr.__arrow_array__())).type):
        for chunk in chunked.chunks:
            # a slice shares its parent's buffers: its offset and length say which values
            h.update(repr((chunk.offset, len(chunk))).encode())
            for buf in chunk.buffers():
                h.update(b"-" if buf is None else memoryview(buf))
    else:
        h.update(pd.util.hash_array(arr, categorize=False).tobytes())


def _flat(arrow_type) -> bool:
    """True for Arrow types whose buffers hold all their values (no dictionary, no child)."""
    import pyarrow as pa

    return (pa.types.is_primitive(arrow_type) or pa.types.is_string(arrow_type)
            or pa.types.is_large_string(arrow_type))


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
