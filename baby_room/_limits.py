"""Limits on the work one input file may cause, checked before the expensive step.

A small file can ask for a great deal: a 2 KB workbook whose one cell sits at XFD1048576
makes a dense reader build 17 billion cells; a CSV header of a million names, a Parquet
file whose footer declares hundreds of millions of rows, a zip member that inflates a
thousandfold. The readers in :mod:`baby_room._io` check what a file *declares* against
these limits before reading it, and a running reader checks its clock, so every file
either loads or fails quickly with a :class:`~baby_room.errors.FileFormatError` naming
the file and the limit. The limits are far above any real survey, coding or evidence
table (a 1,000,000-respondent Qualtrics export with 60 questions is 60 million cells).

=====================  ==============================================================
``MAX_COLUMNS``        columns in one table (header cells)
``MAX_CELLS``          rows x columns of one table (as declared, or as the reader
                       would lay them out)
``MAX_TEXT_BYTES``     size of a CSV/TSV file
``MAX_INFLATED_BYTES`` uncompressed size of the parts of an ``.xlsx`` that are read
``MAX_STYLES``         cell formats (``cellXfs``) of an ``.xlsx`` (Excel's own limit
                       is 64,000)
``MAX_SECONDS``        wall time of one reader on one file
=====================  ==============================================================
"""

from __future__ import annotations

import time

from baby_room.errors import FileFormatError

MAX_COLUMNS = 5_000
MAX_CELLS = 100_000_000
MAX_TEXT_BYTES = 2 * 1024**3
MAX_INFLATED_BYTES = 512 * 1024**2
MAX_STYLES = 64_000
MAX_SECONDS = 120.0


def check_limit(path, what: str, value: int, limit: int, unit: str = "") -> None:
    """Raise FileFormatError naming the file and the limit when ``value > limit``.

    Examples
    --------
    >>> check_limit("x.csv", "columns", 3, MAX_COLUMNS)
    >>> check_limit("x.csv", "columns", 6_000, MAX_COLUMNS)
    Traceback (most recent call last):
    ...
    baby_room.errors.FileFormatError: x.csv: has 6,000 columns; the limit is 5,000 columns (baby_room._limits.MAX_COLUMNS)
    """
    if value > limit:
        name = {"columns": "MAX_COLUMNS", "cells": "MAX_CELLS", "bytes": "MAX_TEXT_BYTES",
                "inflated bytes": "MAX_INFLATED_BYTES", "cell formats": "MAX_STYLES"}.get(what, what)
        raise FileFormatError(
            path, f"has {value:,}{unit} {what}; the limit is {limit:,}{unit} {what} "
                  f"(baby_room._limits.{name})")


class Deadline:
    """A reader's clock: :meth:`check` raises once ``MAX_SECONDS`` have passed.

    Examples
    --------
    >>> Deadline("x.xlsx").check()
    """

    def __init__(self, path, seconds: float | None = None):
        self.path = path
        self.seconds = MAX_SECONDS if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise FileFormatError(
                self.path, f"reading took longer than {self.seconds:g} s "
                           "(baby_room._limits.MAX_SECONDS): the file is too large or too complex")
