"""The one check every reader makes before it opens a file.

A FIFO or a link to a device named like a data file would block for ever or never end
when it is read or hashed; a folder, a missing or an unreadable file would end in a raw
OS error. :func:`regular_file` refuses all of them from ``stat`` alone, before anything is
opened, with a :class:`~baby_room.FileFormatError` naming the file and what it is.
"""

from __future__ import annotations

import os
import stat

from baby_room.errors import FileFormatError

__all__ = ["regular_file"]


def _special(mode: int) -> str | None:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def regular_file(path, *, what: str = "file", empty_ok: bool = False) -> os.stat_result:
    """``os.stat(path)`` after checking that ``path`` is a readable regular file.

    Parameters
    ----------
    path : str or os.PathLike
    what : str
        What the caller expected, used in messages ("data file", ".qdpx file").
    empty_ok : bool
        Accept a file of 0 bytes (otherwise refused as empty).

    Raises
    ------
    baby_room.FileFormatError
        Missing, unreadable, a folder, a FIFO, a device, a socket, or empty.

    Examples
    --------
    >>> regular_file("/dev/null")
    Traceback (most recent call last):
    ...
    baby_room.errors.FileFormatError: /dev/null: is a device, not a regular file: refused without reading it
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     regular_file(d, what="data file")
    Traceback (most recent call last):
    ...
    baby_room.errors.FileFormatError: ...: is a folder, not a data file
    """
    p = os.fspath(path)
    try:
        st = os.stat(p)  # follows links: a link to /dev/zero is a device
    except FileNotFoundError:
        raise FileFormatError(p, "file not found") from None
    except PermissionError:
        raise FileFormatError(p, "permission denied: the file cannot be read") from None
    except (OSError, ValueError) as exc:
        raise FileFormatError(p, f"cannot be read: {getattr(exc, 'strerror', None) or exc}") \
            from None
    if stat.S_ISDIR(st.st_mode):
        raise FileFormatError(p, f"is a folder, not a {what}")
    special = _special(st.st_mode)
    if special:
        raise FileFormatError(p, f"is {special}, not a regular {what}: refused without "
                                 "reading it")
    if st.st_size == 0 and not empty_ok:
        raise FileFormatError(p, "file is empty (0 bytes)")
    if not os.access(p, os.R_OK):
        raise FileFormatError(p, "permission denied: the file cannot be read")
    return st
