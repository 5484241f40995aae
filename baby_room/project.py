"""Load the project's three data sets at once, from a folder or the bundled synthetic data."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from baby_room._io import SUPPORTED
from baby_room.errors import FileFormatError, RowsSetAsideWarning

KINDS = ("survey", "coding", "codebook", "evidence")


@dataclass
class Project:
    """The survey, focus-group coding, codebook and evidence review of one build.

    Attributes
    ----------
    survey, coding, codebook, evidence : pandas.DataFrame
        Canonical, validated tables (rows that failed validation are in ``set_aside``).
    files : dict
        The file each table was read from (``None`` for the in-memory bundled data).
    synthetic : bool
        True when every table is the bundled synthetic data.
    """

    survey: pd.DataFrame
    coding: pd.DataFrame
    codebook: pd.DataFrame
    evidence: pd.DataFrame
    files: dict = field(default_factory=dict)
    synthetic: bool = True

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by kind."""
        return {kind: getattr(self, kind) for kind in KINDS}

    @property
    def set_aside(self) -> pd.DataFrame:
        """All rows set aside by validation: ``dataset, file, row, reasons``.

        Only the dataset, file, source row and reasons are listed, so the table can be
        published without the rows' personal data.
        """
        parts = []
        for kind, frame in self.tables().items():
            aside = frame.attrs.get("set_aside")
            if aside is not None and len(aside):
                parts.append(pd.DataFrame({"dataset": kind, "file": frame.attrs.get("file"),
                                           "row": aside["row"], "reasons": aside["reasons"]}))
        if not parts:
            return pd.DataFrame(columns=["dataset", "file", "row", "reasons"])
        return pd.concat(parts, ignore_index=True)


def find_data_files(data_dir) -> dict[str, Path]:
    """Find ``survey.*``, ``coding.*``, ``codebook.*`` and ``evidence.*`` in a folder.

    Parameters
    ----------
    data_dir : str or os.PathLike
        Folder holding one file per kind, named after the kind, in any supported format
        (``survey.csv``, ``survey.xlsx``, ``survey.sav``, ...).

    Returns
    -------
    dict
        kind -> path.

    Raises
    ------
    baby_room.FileFormatError
        The folder is missing, or a kind has no file or more than one.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise FileFormatError(folder, "data folder not found")
    found, problems = {}, []
    for kind in KINDS:
        matches = sorted(p for p in folder.iterdir()
                         if p.stem.lower() == kind and p.suffix.lower() in SUPPORTED)
        if len(matches) == 1:
            found[kind] = matches[0]
        elif not matches:
            problems.append(f"no {kind} file ({kind}.csv, .xlsx, .parquet, .sav, ...)")
        else:
            problems.append(f"several {kind} files: {', '.join(p.name for p in matches)}")
    if problems:
        raise FileFormatError(folder, "; ".join(problems))
    return found


def load_project(data_dir=None, *, on_error: str = "set_aside") -> Project:
    """Load all three data sets: from ``data_dir``, or the bundled synthetic data when None.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Folder with ``survey.*``, ``coding.*``, ``codebook.*`` and ``evidence.*``
        (see :func:`find_data_files`). None: the bundled synthetic data.
    on_error : {"set_aside", "raise"}, default "set_aside"
        What the loaders do with rows that fail validation. Set-aside rows are listed
        by :attr:`Project.set_aside`; nothing is dropped silently.

    Returns
    -------
    Project

    Examples
    --------
    >>> import baby_room as br
    >>> project = br.load_project()
    >>> project.synthetic, len(project.evidence)
    (True, 185)
    """
    from baby_room import synthetic
    from baby_room.evidence.load import load_evidence
    from baby_room.focus_groups.load import load_codebook, load_coding
    from baby_room.survey.load import load_survey

    if data_dir is None:
        return Project(survey=synthetic.survey(), coding=synthetic.coding(),
                       codebook=synthetic.codebook(), evidence=synthetic.evidence(),
                       files=dict.fromkeys(KINDS), synthetic=True)
    files = find_data_files(data_dir)
    loaders = {"survey": load_survey, "coding": load_coding, "codebook": load_codebook,
               "evidence": load_evidence}
    tables = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RowsSetAsideWarning)
        for kind, path in files.items():
            tables[kind] = loaders[kind](path, on_error=on_error)
    project = Project(**tables, files=files,
                      synthetic=all(t.attrs.get("synthetic") for t in tables.values()))
    n_aside = len(project.set_aside)
    if n_aside:
        warnings.warn(f"{n_aside} rows failed validation and were set aside "
                      "(see Project.set_aside)", RowsSetAsideWarning, stacklevel=2)
    return project
