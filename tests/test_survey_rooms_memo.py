"""The room table is made once per respondent table and reused (survey/_rooms.py memo).

Reference: the same table recomputed without the memo (``_rooms._build``, the code path
every call took before the memo), for the bundled survey and for each kind of change a
caller can make to a frame between two calls (a value, a missing value, the sign of zero,
the index, a categorical's categories, a column's name or dtype, the row order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from baby_room import synthetic
from baby_room._args import result_attrs
from baby_room.survey import _rooms


@pytest.fixture()
def survey():
    _rooms._MEMO.clear()
    return synthetic.survey()


def fresh(data: pd.DataFrame) -> pd.DataFrame:
    """The room table without the memo, with the attrs build_rooms gives it."""
    table = _rooms._build(data)
    stats = table.attrs
    table.attrs = result_attrs(data, unit="rooms")
    table.attrs.update(stats)
    return table


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs


def test_memoised_table_equals_the_recomputed_one(survey):
    first = _rooms.build_rooms(survey, function="rooms")
    assert len(_rooms._MEMO) == 1
    again = _rooms.build_rooms(survey, function="rooms")
    same(first, fresh(survey))
    same(again, fresh(survey))
    # an equal copy (a new object, as design.data.assign(...) makes) reuses the entry
    _rooms.build_rooms(survey.copy(), function="rooms")
    assert len(_rooms._MEMO) == 1


def edits():
    def value(d):
        d.loc[d.index[5], "group_size"] = d["group_size"].iloc[5] + 1
    def missing(d):
        d.loc[d.index[7], "staff_level3"] = pd.NA
    def role(d):  # decides which respondent describes a shared room
        d["role"] = d["role"].iloc[::-1].to_numpy()
    def carried(d):  # a column the room table only carries
        d.loc[d.index[0], "region"] = d["region"].cat.categories[-1]
    def categories(d):
        d["region"] = d["region"].cat.reorder_categories(d["region"].cat.categories[::-1])
    def index(d):
        d.index = d.index + 1
    def order(d):
        return d.sort_values("group_size", kind="mergesort")
    def name(d):
        return d.rename(columns={"region": "area"})
    def dtype(d):
        d["group_size"] = d["group_size"].astype("Float64")
    def negative_zero(d):
        d["weight_like"] = np.zeros(len(d))
        d.loc[d.index[3], "weight_like"] = -0.0
    return [value, missing, role, carried, categories, index, order, name, dtype,
            negative_zero]


@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_a_changed_frame_never_gets_a_stale_table(survey, edit):
    base = survey.copy()
    if edit.__name__ == "negative_zero":
        base["weight_like"] = np.zeros(len(base))
    before = _rooms.build_rooms(base, function="rooms")
    changed = base.copy()
    edited = edit(changed)  # most edit in place, as a notebook might between two calls
    changed = changed if edited is None else edited
    after = _rooms.build_rooms(changed, function="rooms")
    same(after, fresh(changed))
    assert _rooms.fingerprint(changed) != _rooms.fingerprint(base)
    same(_rooms.build_rooms(base, function="rooms"), before)


def test_the_same_object_edited_in_place_is_recomputed(survey):
    first = _rooms.build_rooms(survey, function="rooms")
    survey.loc[survey.index[0], "group_size"] = 99
    second = _rooms.build_rooms(survey, function="rooms")
    same(second, fresh(survey))
    assert second.loc[0, "group_size"] == 99 and first.loc[0, "group_size"] != 99


def test_changing_a_returned_table_does_not_change_the_memo(survey):
    table = _rooms.build_rooms(survey, function="rooms")
    table.loc[0, "group_size"] = -5
    table["extra"] = 1
    table.attrs["n_rooms"] = -1
    same(_rooms.build_rooms(survey, function="rooms"), fresh(survey))


def test_attrs_come_from_the_frame_of_each_call(survey):
    _rooms.build_rooms(survey, function="rooms")
    other = survey.copy()
    other.attrs = {"source": "elsewhere", "synthetic": False}
    table = _rooms.build_rooms(other, function="rooms")
    assert table.attrs["source"] == "elsewhere" and table.attrs["synthetic"] is False
    same(table, fresh(other))


def test_the_memo_keeps_a_few_recent_tables(survey):
    for k in range(_rooms._MEMO_SIZE + 3):
        _rooms.build_rooms(survey.assign(k=k), function="rooms")
    assert len(_rooms._MEMO) == _rooms._MEMO_SIZE


def test_fingerprint_tells_values_types_and_slices_apart():
    fp = _rooms.fingerprint
    s = pd.DataFrame({"x": pd.array(["a", "b", "c"], dtype="string")})
    assert fp(s) == fp(s.copy())
    assert fp(s.iloc[1:]) != fp(s.iloc[:2])  # same buffers, other offsets
    objects = [1, "1"], ["1", "1"]
    assert fp(pd.DataFrame({"x": pd.Series(objects[0], dtype=object)})) != fp(
        pd.DataFrame({"x": pd.Series(objects[1], dtype=object)}))
    ints = pd.array([1, None], dtype="Int64"), pd.array([1, 0], dtype="Int64")
    assert fp(pd.DataFrame({"x": ints[0]})) != fp(pd.DataFrame({"x": ints[1]}))
    cats = (pd.Categorical(["a", "b"], categories=["a", "b"]),
            pd.Categorical(["a", "b"], categories=["a", "b"], ordered=True))
    assert fp(pd.DataFrame({"x": cats[0]})) != fp(pd.DataFrame({"x": cats[1]}))
    assert fp(pd.DataFrame({"x": [0.0]})) != fp(pd.DataFrame({"x": [-0.0]}))
