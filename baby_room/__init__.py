"""baby_room: the Baby Room Project's survey, focus-group coding and evidence review.

Importing this package is light: it loads pandas and numpy only. Statistics,
plotting and notebook machinery are imported inside the functions that need them.
"""

from baby_room._version import __version__
from baby_room.errors import (
    BabyRoomError,
    ConvergenceError,
    DataValidationError,
    DesignError,
    FileFormatError,
    RowsSetAsideWarning,
    UnmatchedValueWarning,
)

__all__ = [
    "__version__",
    "BabyRoomError",
    "ConvergenceError",
    "DataValidationError",
    "DesignError",
    "FileFormatError",
    "RowsSetAsideWarning",
    "UnmatchedValueWarning",
]
