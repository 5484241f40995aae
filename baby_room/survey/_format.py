"""Private helpers of :mod:`baby_room.survey`: showing labels and lists in error messages."""

from __future__ import annotations

import numpy as np


def show(value) -> str:
    """repr() of a label, numpy scalars shown as plain Python values.

    Examples
    --------
    >>> show(np.int64(3)), show("a")
    ('3', "'a'")
    """
    return repr(value.item() if isinstance(value, np.generic) else value)


def fmt_list(values, limit=12) -> str:
    """Labels joined by commas, shortened after ``limit`` with the total count.

    Examples
    --------
    >>> fmt_list(["a", "b"]), fmt_list(range(5), limit=2)
    ("'a', 'b'", '0, 1, ... (5 in all)')
    """
    values = [show(v) for v in values]
    if len(values) > limit:
        return ", ".join(values[:limit]) + f", ... ({len(values)} in all)"
    return ", ".join(values)
