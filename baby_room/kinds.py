"""The one registry of the project's data kinds: their names, loaders and file names.

The command line (``baby-room validate``), :func:`baby_room.load_project` and the report
build all read this table, so a new kind of data is added here once. The module imports
nothing heavy (no pandas), so the command line can use it before deciding what to load.

Examples
--------
>>> KINDS
('survey', 'coding', 'codebook', 'evidence')
>>> kind_from_name("data/raw/Survey.xlsx"), kind_from_name("survey_vs_coding.csv")
('survey', None)
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: kind -> (module, loader function, what the file holds)
REGISTRY = {
    "survey": ("baby_room.survey.load", "load_survey",
               "survey of baby room educators and managers (one row per respondent)"),
    "coding": ("baby_room.focus_groups.load", "load_coding",
               "focus-group coding (one row per coded segment and coder)"),
    "codebook": ("baby_room.focus_groups.load", "load_codebook",
                 "focus-group codebook (one row per code; optional)"),
    "evidence": ("baby_room.evidence.load", "load_evidence",
                 "evidence-review extraction table (one row per included item)"),
}
KINDS = tuple(REGISTRY)
#: Kinds a report can do without entirely (the focus-group functions order codes by theme).
OPTIONAL_KINDS = ("codebook",)


def loader(kind: str):
    """The loader function of a kind (imported on first use).

    Examples
    --------
    >>> loader("evidence").__name__
    'load_evidence'
    """
    module, name, _ = REGISTRY[kind]
    return getattr(importlib.import_module(module), name)


def kind_from_name(path) -> str | None:
    """The kind a file holds, from its exact name: ``survey.csv`` is a survey; None otherwise.

    Only the whole file stem counts (case ignored), optionally followed by ``-`` or ``_`` and
    a suffix of letters and digits (``survey-2025.xlsx``), so ``survey_vs_coding.csv``, which
    names two kinds, is not taken for either.

    Examples
    --------
    >>> [kind_from_name(p) for p in ("coding.csv", "codebook.xlsx", "survey-2025.xlsx",
    ...                              "my-review.csv", "survey_vs_coding.csv")]
    ['coding', 'codebook', 'survey', None, None]
    """
    stem = Path(str(path)).name.lower().split(".")[0]
    found = set()
    for kind in KINDS:
        if stem == kind:
            return kind
        for sep in ("-", "_"):
            if stem.startswith(kind + sep):
                rest = stem[len(kind) + 1:]
                if rest and not any(k in rest for k in KINDS):
                    found.add(kind)
    return found.pop() if len(found) == 1 else None
