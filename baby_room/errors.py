"""Exceptions and warnings raised by :mod:`baby_room`.

Every error a user can trigger with their own file or arguments is one of the
classes below, so a caller can catch ``baby_room.BabyRoomError`` (or, since the
input errors are also ``ValueError``, a plain ``ValueError``) and never sees a raw
pandas, openpyxl or ``KeyError`` traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

#: Columns of :attr:`DataValidationError.failures`, in this order.
FAILURE_COLUMNS = ("file", "row", "column", "value", "check")


class BabyRoomError(Exception):
    """Base class of every error raised on purpose by ``baby_room``.

    Examples
    --------
    >>> import baby_room as br
    >>> try:
    ...     br.load_survey("no/such/file.csv")
    ... except br.BabyRoomError as exc:
    ...     print(exc)
    no/such/file.csv: file not found

    Every one pickles and unpickles to an equal error, whatever its constructor takes
    (the report's page worker sends its error to the build this way).
    """

    def __reduce__(self):
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls, args, state):
    """Unpickle a :class:`BabyRoomError` without calling its constructor."""
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class FileFormatError(BabyRoomError, ValueError):
    """A file cannot be read at all: missing, empty, truncated, wrong type or encoding.

    Parameters
    ----------
    path : str or os.PathLike
        The file that could not be read.
    reason : str
        What is wrong, in words a researcher understands.

    Examples
    --------
    >>> err = FileFormatError("survey.xlsx", "is not a valid .xlsx file")
    >>> str(err), isinstance(err, ValueError)
    ('survey.xlsx: is not a valid .xlsx file', True)
    """

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DataValidationError(BabyRoomError, ValueError):
    """A file was read but some of its values break the codebook's rules.

    All problems are collected in one pass. ``failures`` is a DataFrame with the
    columns ``file, row, column, value, check`` (``row`` is the line number in the
    source file for text files, the spreadsheet row for Excel, counting the header
    as row 1; missing where a check concerns a whole column).

    Examples
    --------
    >>> import baby_room as br
    >>> import pandas as pd
    >>> bad = br.synthetic.raw("codebook").head(2).assign(code=["pay", None])
    >>> try:
    ...     br.load_codebook(bad)
    ... except br.DataValidationError as exc:
    ...     print(exc)
    ...     print(exc.failures[["row", "column", "check"]].to_string(index=False))
    1 problem found in <DataFrame> (codebook):
      file <DataFrame>, row 3, column code: value <missing> - required value missing
     row column                  check
       3   code required value missing
    """

    #: how many failures the message lists before saying "... and N more"
    max_listed = 50

    def __init__(self, failures: pd.DataFrame, *, kind: str = "data"):
        self.failures = failures
        self.kind = kind
        super().__init__(self._message())

    def _message(self) -> str:
        f = self.failures
        n = len(f)
        files = sorted({str(x) for x in f["file"].dropna()}) if n else []
        where = f" in {', '.join(files)}" if files else ""
        lines = [f"{n} problem{'s' if n != 1 else ''} found{where} ({self.kind}):"]
        lines += self._by_value()
        for rec in f.head(self.max_listed).itertuples(index=False):
            row = "-" if _isna(rec.row) else int(rec.row)
            lines.append(
                f"  file {rec.file}, row {row}, column {rec.column!s}: "
                f"value {_show(rec.value)} - {rec.check}"
            )
        if n > self.max_listed:
            lines.append(f"  ... and {n - self.max_listed} more (see .failures)")
        return "\n".join(lines)


    def _by_value(self) -> list[str]:
        """One line per distinct (column, value, check) that fails in several rows, largest first."""
        f = self.failures
        if len(f) < 2 or f["row"].isna().all():
            return []
        keyed = f.assign(_value=f["value"].map(_show))
        groups = keyed.groupby(["column", "_value", "check"], sort=False, dropna=False)["row"]
        sizes = groups.size().sort_values(ascending=False, kind="stable")
        if not (sizes > 1).any():
            return []
        out = ["  by value:"]
        for (column, value, check), count in sizes.head(20).items():
            rows = groups.get_group((column, value, check)).dropna().astype(int).tolist()
            shown = ", ".join(map(str, rows[:8])) + (" ..." if len(rows) > 8 else "")
            out.append(f"    {count} row{'s' if count != 1 else ''}: {column} {value} - "
                       f"{check} (rows {shown})")
        if len(sizes) > 20:
            out.append(f"    ... and {len(sizes) - 20} more distinct values")
        out.append("  rows:")
        return out


class ArgumentError(BabyRoomError, ValueError):
    """A public function was given an argument it cannot use.

    The message names the public function, the parameter, what is allowed and what
    was passed (see ``docs/result-contract.md``); the same facts are attributes.

    Parameters
    ----------
    function : str
        The public function the user called.
    parameter : str
        The parameter that holds the unusable value.
    allowed : str
        What the parameter accepts, in words.
    got : object
        What was passed (shown with ``repr``, shortened).
    hint : str, optional
        A sentence on how to put it right.

    Examples
    --------
    >>> err = ArgumentError("ratio_summary", "conf_level", "a number between 0 and 1", 95)
    >>> print(err)
    ratio_summary: conf_level must be a number between 0 and 1; got 95
    >>> isinstance(err, ValueError), err.parameter
    (True, 'conf_level')
    """

    def __init__(self, function: str, parameter: str, allowed: str, got=None, *,
                 hint: str = ""):
        self.function = function
        self.parameter = parameter
        self.allowed = allowed
        self.got = got
        msg = f"{function}: {parameter} must be {allowed}; got {_show_arg(got)}"
        if hint:
            msg += f"\n{hint}"
        super().__init__(msg)


class DesignError(ArgumentError):
    """A survey design or estimator was given arguments it cannot use.

    Raised with a single message (``DesignError("...")``) for problems of the design
    itself; it is an :class:`ArgumentError`, so one ``except`` catches both.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.survey import SurveyDesign
    >>> try:
    ...     SurveyDesign(pd.DataFrame({"x": [1.0, 2.0]})).mean("y")
    ... except DesignError as exc:
    ...     print(type(exc).__name__)
    DesignError
    """

    def __init__(self, message: str = "", *args, **kwargs):
        if args or kwargs:  # the ArgumentError form: function, parameter, allowed, got
            super().__init__(message, *args, **kwargs)
            return
        self.function = self.parameter = self.allowed = self.got = None
        BabyRoomError.__init__(self, message)


class ConvergenceError(DesignError):
    """An iterative procedure (such as raking) did not converge."""


class ReportError(BabyRoomError):
    """The report could not be built (the previous report is left as it was).

    Examples
    --------
    >>> str(ReportError("notebook 01-x.ipynb failed in cell 3: ValueError: bad"))
    'notebook 01-x.ipynb failed in cell 3: ValueError: bad'
    """


class RowsSetAsideWarning(UserWarning):
    """Rows that failed validation were set aside (kept, with reasons) rather than raised."""


class UnmatchedValueWarning(UserWarning):
    """Some input values could not be matched (for example unknown country names)."""


def _isna(x) -> bool:
    """True for None, NaN, pandas.NA and NaT (without importing pandas)."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT
    except TypeError:  # pandas.NA: comparisons are ambiguous
        return True


def _show_arg(value) -> str:
    """``repr`` of an argument, shortened, naming the type of large objects."""
    if hasattr(value, "shape") and hasattr(value, "dtypes"):  # a DataFrame
        return f"a {type(value).__name__} with columns {list(value.columns)[:8]}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _show(value) -> str:
    if value is None or _isna(value):
        return "<missing>"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
