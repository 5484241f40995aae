"""baby_room: the Baby Room Project's survey, focus-group coding and evidence review.

Importing this package is light: it loads pandas and numpy only. Statistics,
plotting and notebook machinery are imported inside the functions that need them.
"""

from baby_room import synthetic
from baby_room._validate import set_aside_cells, set_aside_rows
from baby_room._version import __version__
from baby_room.errors import (
    ArgumentError,
    BabyRoomError,
    ConvergenceError,
    DataValidationError,
    DesignError,
    FileFormatError,
    RowsSetAsideWarning,
    UnmatchedValueWarning,
)
from baby_room.evidence.load import load_evidence
from baby_room.focus_groups.load import load_codebook, load_coding
from baby_room.outputs import Outputs
from baby_room.project import Project, load_project
from baby_room.survey.load import load_survey

__all__ = [
    "load_survey",
    "load_coding",
    "load_codebook",
    "load_evidence",
    "read_qdpx",
    "read_maxqda_segments",
    "synthetic",
    "set_aside_rows",
    "set_aside_cells",
    "load_project",
    "Project",
    "Outputs",
    "__version__",
    "ArgumentError",
    "BabyRoomError",
    "ConvergenceError",
    "DataValidationError",
    "DesignError",
    "FileFormatError",
    "RowsSetAsideWarning",
    "UnmatchedValueWarning",
]


_LAZY = {"read_qdpx": "baby_room.focus_groups.qdpx",
         "read_maxqda_segments": "baby_room.focus_groups.maxqda"}


def __getattr__(name: str):
    # the subpackages (baby_room.survey, .evidence, .focus_groups) import on first use
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in {"survey", "evidence", "focus_groups", "reference", "report", "findings"}:
        import importlib

        return importlib.import_module(f"baby_room.{name}")
    raise AttributeError(f"module 'baby_room' has no attribute {name!r}")
