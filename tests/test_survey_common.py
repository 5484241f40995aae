"""survey/_common.tidy: the estimate block of a design result as one tidy frame.

Reference: the frame built column by column with ``DataFrame.insert`` (the former
implementation, restated here): same columns, order, values, dtypes (a string id is
pandas' inferred ``str``, a missing threshold ``object``, also with no rows), a 0..n-1
index and no attrs.
"""

import numpy as np
import pandas as pd
import pytest

from baby_room.survey._common import EST_COLUMNS, tidy


def by_insert(result, by, **ids):
    res = result.copy()
    res.attrs = {}
    for c in EST_COLUMNS:
        if c not in res.columns:
            res[c] = np.nan
    out = res[[*by, *EST_COLUMNS]].copy()
    for pos, (name, value) in enumerate(ids.items()):
        out.insert(len(by) + pos, name, value)
    return out.reset_index(drop=True)


BASE = pd.DataFrame({"region": pd.Categorical(["a", "b"]),
                     "role": pd.array(["x", "y"], dtype="string"),
                     "estimate": [1.0, 2.0], "se": [0.1, 0.2], "ci_low": [0, 1.0],
                     "ci_high": [2, 3.0], "df": [5, 6], "n": [3, 4]}, index=[7, 9])
BASE.attrs["source"] = "a survey"


@pytest.mark.parametrize("result, by, ids", [
    (BASE, [], {}),
    (BASE, ["region"], {"measure": "mean", "threshold": pd.NA}),
    (BASE, ["region", "role"], {"measure": "share_above", "threshold": 8}),
    (BASE.iloc[:0], ["region"], {"measure": "mean", "threshold": pd.NA}),
    (BASE.iloc[:0], [], {"measure": "mean"}),
    (BASE.assign(deff=[1.5, 2.5]), ["role"], {"item": "q", "level": "Agree"}),
    (BASE, [], {"flag": True, "x": 1.5, "none": None}),
], ids=["plain", "by", "two-by", "empty-by", "empty", "deff", "scalars"])
def test_tidy_equals_the_frame_built_column_by_column(result, by, ids):
    ours = tidy(result, by, **ids)
    pd.testing.assert_frame_equal(ours, by_insert(result, by, **ids), check_exact=True)
    assert ours.attrs == {} and list(ours.columns) == [*by, *ids, *EST_COLUMNS]
