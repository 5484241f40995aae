"""Argument checks shared by every public function, and the attrs of a result.

One home for the checks of ``docs/result-contract.md``: each raises
:class:`baby_room.ArgumentError` naming the public function, the parameter, what is allowed
and what was passed. Analysis modules import from here, never from each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from baby_room.errors import ArgumentError

__all__ = [
    "CI_METHODS",
    "ESTIMATE_BLOCK",
    "as_columns",
    "check_conf_level",
    "check_ci_method",
    "check_column",
    "check_frame",
    "one_of",
    "result_attrs",
    "scalar_attrs",
]

#: The estimate block of a result, in this order (those that apply).
ESTIMATE_BLOCK = ("estimate", "se", "ci_low", "ci_high", "df", "n")

#: Interval methods for proportions (names as in R's ``svyciprop``, plus Wilson and
#: Clopper-Pearson). ``"logit"`` is the default everywhere.
CI_METHODS = ("logit", "korn-graubard", "wilson", "clopper-pearson", "wald", "asin")

_SCALARS = (str, bool, int, float, type(None))


def check_frame(data, *, function: str, parameter: str = "data",
                columns: Iterable[str] = (), what: str = "a pandas DataFrame") -> pd.DataFrame:
    """Check that ``data`` is a DataFrame holding ``columns``; return it.

    Every missing column is named at once, with the columns the frame does have.

    Examples
    --------
    >>> import pandas as pd
    >>> check_frame(pd.DataFrame({"a": [1]}), function="f", columns=["a"]).shape
    (1, 1)
    >>> try:
    ...     check_frame(pd.DataFrame({"a": [1]}), function="f", columns=["b", "c"])
    ... except ArgumentError as e:
    ...     print(e)
    f: data must be a table with column(s) 'b', 'c'; got a DataFrame with columns ['a']
    >>> try:
    ...     check_frame([1, 2], function="f")
    ... except ArgumentError as e:
    ...     print(e)
    f: data must be a pandas DataFrame; got [1, 2]
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(function, parameter, what, data)
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ArgumentError(function, parameter, f"a table with column(s) {names}", data)
    return data


def as_columns(value, *, function: str, parameter: str = "by",
               data: pd.DataFrame | None = None) -> list[str]:
    """A column name, a list of names or None, as a list; checked against ``data``.

    Examples
    --------
    >>> as_columns("region", function="f"), as_columns(None, function="f")
    (['region'], [])
    >>> try:
    ...     as_columns(3, function="f")
    ... except ArgumentError as e:
    ...     print(e)
    f: by must be a column name, a list of column names or None; got 3
    """
    allowed = "a column name, a list of column names or None"
    if value is None:
        return []
    if isinstance(value, str):
        out = [value]
    elif isinstance(value, Iterable) and not isinstance(value, bytes | pd.DataFrame):
        out = list(value)
        if not all(isinstance(v, str) for v in out):
            raise ArgumentError(function, parameter, allowed, value)
    else:
        raise ArgumentError(function, parameter, allowed, value)
    if data is not None:
        missing = [c for c in out if c not in data.columns]
        if missing:
            raise ArgumentError(
                function, parameter, f"{allowed} of data", value,
                hint=f"Not in data: {', '.join(map(repr, missing))}. "
                     f"Columns of data: {', '.join(map(str, data.columns))}",
            )
    return out


def check_column(value, *, function: str, parameter: str, data: pd.DataFrame,
                 optional: bool = False):
    """Check that ``value`` names one column of ``data`` (or is None when ``optional``).

    Returns the name (or None). The error lists the columns ``data`` has.

    Examples
    --------
    >>> import pandas as pd
    >>> check_column("year", function="f", parameter="year", data=pd.DataFrame({"year": [1]}))
    'year'
    >>> try:
    ...     check_column("yr", function="f", parameter="year",
    ...                  data=pd.DataFrame({"year": [1], "title": ["t"]}))
    ... except ArgumentError as e:
    ...     print(e)
    f: year must be a column of data; got 'yr'
    Columns of data: year, title
    """
    if value is None and optional:
        return None
    allowed = "a column of data" + (" or None" if optional else "")
    try:
        ok = isinstance(value, str) and value in data.columns
    except TypeError:  # pragma: no cover - str is hashable
        ok = False
    if not ok:
        raise ArgumentError(function, parameter, allowed, value,
                            hint=f"Columns of data: {', '.join(map(str, data.columns))}")
    return value


def one_of(value, allowed: Sequence, *, function: str, parameter: str):
    """Check ``value`` is one of ``allowed``; return it.

    Examples
    --------
    >>> try:
    ...     one_of("rooms", ("room", "respondent"), function="f", parameter="unit")
    ... except ArgumentError as e:
    ...     print(e)
    f: unit must be one of 'room', 'respondent'; got 'rooms'
    """
    try:
        ok = value in allowed
    except TypeError:  # unhashable
        ok = False
    if not ok:
        raise ArgumentError(function, parameter,
                            f"one of {', '.join(map(repr, allowed))}", value)
    return value


def check_conf_level(conf_level, *, function: str) -> float:
    """Check a confidence level strictly between 0 and 1; return it as float.

    Examples
    --------
    >>> check_conf_level(0.9, function="f")
    0.9
    >>> try:
    ...     check_conf_level(95, function="f")
    ... except ArgumentError as e:
    ...     print(e)
    f: conf_level must be a number strictly between 0 and 1 (0.95 for 95%); got 95
    """
    ok = isinstance(conf_level, int | float) and not isinstance(conf_level, bool)
    if not ok or not math.isfinite(conf_level) or not 0 < conf_level < 1:
        raise ArgumentError(function, "conf_level",
                            "a number strictly between 0 and 1 (0.95 for 95%)", conf_level)
    return float(conf_level)


def check_ci_method(ci_method, *, function: str) -> str:
    """Check an interval method for proportions (one of :data:`CI_METHODS`).

    Examples
    --------
    >>> check_ci_method("wilson", function="f")
    'wilson'
    """
    return one_of(ci_method, CI_METHODS, function=function, parameter="ci_method")


def scalar_attrs(data) -> dict:
    """The scalar entries of ``data.attrs`` (str, bool, int, float, None).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1]})
    >>> df.attrs.update(source="s", synthetic=True, table=pd.DataFrame())
    >>> scalar_attrs(df)
    {'source': 's', 'synthetic': True}
    """
    attrs = getattr(data, "attrs", None) or {}
    return {k: v for k, v in attrs.items() if isinstance(v, _SCALARS)}


def result_attrs(data, *, conf_level: float | None = None, ci_method: str | None = None,
                 design: str | None = None, unit: str | None = None) -> dict:
    """The ``attrs`` of a result computed from ``data`` (contract section 3).

    ``source`` and ``synthetic`` are copied from ``data.attrs``; the others are set when
    given.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1]})
    >>> df.attrs.update(source="survey.csv", synthetic=False, file="survey.csv")
    >>> result_attrs(df, conf_level=0.95, unit="rooms")
    {'source': 'survey.csv', 'synthetic': False, 'conf_level': 0.95, 'unit': 'rooms'}
    """
    attrs = scalar_attrs(data)
    out = {k: attrs[k] for k in ("source", "synthetic") if k in attrs}
    for key, value in (("conf_level", conf_level), ("ci_method", ci_method),
                       ("design", design), ("unit", unit)):
        if value is not None:
            out[key] = value
    return out
