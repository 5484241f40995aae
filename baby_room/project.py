"""Load the project's three data sets at once, from a folder or the bundled synthetic data."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from baby_room._io import SUPPORTED
from baby_room._validate import set_aside_cells, set_aside_rows
from baby_room.errors import FileFormatError, RowsSetAsideWarning

KINDS = ("survey", "coding", "codebook", "evidence")


class Project:
    """The survey, focus-group coding, codebook and evidence review of one analysis.

    Each table is loaded (and validated) the first time it is used, so a notebook
    that reads only the survey never opens the other files.

    Parameters
    ----------
    files : dict, optional
        kind -> path of each file; None (or a missing kind) means the bundled synthetic data.
    on_error : {"set_aside", "raise"}
        Passed to the loaders.

    Attributes
    ----------
    survey, coding, codebook, evidence : pandas.DataFrame
        Canonical, validated tables (rows that failed validation are in ``set_aside``).
    files : dict
        The file each table is read from (``None`` for the bundled synthetic data).

    Examples
    --------
    >>> project = Project()  # the bundled synthetic data
    >>> project
    Project(bundled synthetic data)
    >>> len(project.survey), len(project.set_aside)
    (434, 0)
    """

    def __init__(self, files: dict | None = None, *, on_error: str = "set_aside"):
        self.files = {kind: (files or {}).get(kind) for kind in KINDS}
        self.on_error = on_error
        self._tables: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        where = "bundled synthetic data" if self.bundled else ", ".join(
            f"{k}={p}" for k, p in self.files.items())
        return f"Project({where})"

    @property
    def bundled(self) -> bool:
        """True when every table is the bundled synthetic data (in memory)."""
        return all(p is None for p in self.files.values())

    def _get(self, kind: str) -> pd.DataFrame:
        if kind not in self._tables:
            self._tables[kind] = _load_kind(kind, self.files[kind], self.on_error)
        return self._tables[kind]

    survey = property(lambda self: self._get("survey"), doc="The survey (one row per respondent).")
    coding = property(lambda self: self._get("coding"), doc="Focus-group coding (long format).")
    codebook = property(lambda self: self._get("codebook"), doc="Focus-group codebook.")
    evidence = property(lambda self: self._get("evidence"), doc="Evidence-review items.")

    @property
    def synthetic(self) -> bool:
        """True when every table is synthetic (loads all tables)."""
        return all(t.attrs.get("synthetic") for t in self.tables().values())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by kind (loads any not loaded yet)."""
        return {kind: self._get(kind) for kind in KINDS}

    @property
    def set_aside(self) -> pd.DataFrame:
        """All rows set aside by validation, and cells made missing: ``dataset, file, row, reasons``.

        Only the dataset, file, source row and reasons are listed, so the table can be
        published without the rows' personal data. A cell made missing (its row kept, see
        :func:`baby_room.set_aside_cells`) is listed with "(cell made missing; row kept)".
        """
        parts = []
        for kind, frame in self.tables().items():
            aside = set_aside_rows(frame)
            if len(aside):
                parts.append(pd.DataFrame({"dataset": kind, "file": frame.attrs.get("file"),
                                           "row": aside["row"], "reasons": aside["reasons"]}))
            cells = set_aside_cells(frame)
            if len(cells):
                parts.append(pd.DataFrame({
                    "dataset": kind, "file": frame.attrs.get("file"),
                    "row": cells["row"].astype("int64"),
                    "reasons": cells["column"] + ": " + cells["reason"]
                    + " (cell made missing; row kept)"}))
        if not parts:
            return pd.DataFrame(columns=["dataset", "file", "row", "reasons"])
        return pd.concat(parts, ignore_index=True)


def _load_kind(kind: str, path, on_error: str) -> pd.DataFrame:
    from baby_room import synthetic
    from baby_room.evidence.load import load_evidence
    from baby_room.focus_groups.load import load_codebook, load_coding
    from baby_room.survey.load import load_survey

    if path is None:
        return getattr(synthetic, kind)()
    loader = {"survey": load_survey, "coding": load_coding, "codebook": load_codebook,
              "evidence": load_evidence}[kind]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RowsSetAsideWarning)
        frame = loader(path, on_error=on_error)
    for w in caught:
        if issubclass(w.category, RowsSetAsideWarning):
            warnings.warn(f"{kind}: {w.message} (see Project.set_aside)", RowsSetAsideWarning,
                          stacklevel=4)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return frame


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

    Examples
    --------
    >>> import tempfile
    >>> from baby_room import synthetic
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = synthetic.write_all(d)
    ...     sorted(p.name for p in find_data_files(d).values())
    ['codebook.csv', 'coding.csv', 'evidence.csv', 'survey.csv']
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
    """The three data sets: from ``data_dir``, or the bundled synthetic data when None.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Folder with ``survey.*``, ``coding.*``, ``codebook.*`` and ``evidence.*``
        (see :func:`find_data_files`). None: the bundled synthetic data.
    on_error : {"set_aside", "raise"}, default "set_aside"
        What the loaders do with rows that fail validation. Set-aside rows are listed
        by :attr:`Project.set_aside` and announced by a warning; nothing is dropped silently.

    Returns
    -------
    Project
        Tables load on first use.

    Raises
    ------
    baby_room.FileFormatError
        The folder is missing or lacks a file (checked at once, before any loading).

    Examples
    --------
    >>> import baby_room as br
    >>> project = br.load_project()
    >>> project.synthetic, len(project.evidence)
    (True, 185)
    """
    if on_error not in ("set_aside", "raise"):
        raise ValueError(f"on_error must be 'set_aside' or 'raise'; got {on_error!r}")
    files = None if data_dir is None else find_data_files(data_dir)
    return Project(files, on_error=on_error)
