"""Load the project's three data sets at once, from a folder or the bundled synthetic data.

A folder may hold any of the data sets: the ones it lacks are *absent* (listed by
:attr:`Project.absent`), so a team with only its survey can still load and report on it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from baby_room._files import regular_file
from baby_room._io import SUPPORTED
from baby_room._validate import set_aside_cells, set_aside_rows
from baby_room.errors import FileFormatError, RowsSetAsideWarning
from baby_room.kinds import KINDS, OPTIONAL_KINDS, loader


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
    absent : iterable of str, optional
        Kinds the data folder does not hold. Reading an absent table raises
        :class:`~baby_room.FileFormatError`, except the codebook, which is None when absent
        (the focus-group functions then order codes by theme).

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

    def __init__(self, files: dict | None = None, *, on_error: str = "set_aside",
                 absent=()):
        self.absent = tuple(k for k in KINDS if k in set(absent))
        known = [Path(p).parent for p in (files or {}).values() if p is not None]
        self.folder = known[0] if known else None
        self.files = {kind: (files or {}).get(kind) for kind in KINDS
                      if kind not in self.absent}
        self.on_error = on_error
        self._tables: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        where = "bundled synthetic data" if self.bundled else ", ".join(
            f"{k}={p}" for k, p in self.files.items())
        if self.absent:
            where += f"; absent: {', '.join(self.absent)}"
        return f"Project({where})"

    @property
    def bundled(self) -> bool:
        """True when every table is the bundled synthetic data (in memory)."""
        return not self.absent and all(p is None for p in self.files.values())

    def _get(self, kind: str) -> pd.DataFrame:
        if kind in self.absent:
            if kind in OPTIONAL_KINDS:
                return None
            raise FileFormatError(self.folder or f"{kind} data", f"no {kind} file ({kind}.csv, "
                                  ".xlsx, .parquet, .sav, ...): it is absent from the data folder")
        if kind not in self._tables:
            self._tables[kind] = _load_kind(kind, self.files[kind], self.on_error)
        return self._tables[kind]

    survey = property(lambda self: self._get("survey"), doc="The survey (one row per respondent).")
    coding = property(lambda self: self._get("coding"), doc="Focus-group coding (long format).")
    codebook = property(lambda self: self._get("codebook"), doc="Focus-group codebook.")
    evidence = property(lambda self: self._get("evidence"), doc="Evidence-review items.")

    @property
    def present(self) -> tuple[str, ...]:
        """The kinds this project holds (every kind but the absent ones)."""
        return tuple(self.files)

    @property
    def synthetic(self) -> bool:
        """True when every table present is synthetic (loads them all)."""
        tables = self.tables()
        return bool(tables) and all(t.attrs.get("synthetic") for t in tables.values())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by kind (loads any not loaded yet)."""
        return {kind: self._get(kind) for kind in self.present}

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

    @property
    def set_aside_cells(self) -> pd.DataFrame:
        """Single values set aside by validation (the row kept): ``dataset, file, row, column, reason``.

        Filled when the loaders record set-aside cells (``baby_room.set_aside_cells``);
        empty otherwise. Values themselves are not listed, so the table can be published.
        """
        import baby_room

        columns = ["dataset", "file", "row", "column", "reason"]
        cells_of = getattr(baby_room, "set_aside_cells", None)
        parts = []
        for kind, frame in (self.tables().items() if cells_of else ()):
            cells = cells_of(frame)
            if len(cells):
                part = pd.DataFrame({c: cells[c] if c in cells.columns else pd.NA
                                     for c in columns[2:]}).reset_index(drop=True)
                part.insert(0, "file", frame.attrs.get("file"))
                part.insert(0, "dataset", kind)
                parts.append(part)
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)


def _load_kind(kind: str, path, on_error: str) -> pd.DataFrame:
    from baby_room import synthetic

    if path is None:
        return getattr(synthetic, kind)()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RowsSetAsideWarning)
        frame = loader(kind)(path, on_error=on_error)
    for w in caught:
        if issubclass(w.category, RowsSetAsideWarning):
            warnings.warn(f"{kind}: {w.message} (see Project.set_aside)", RowsSetAsideWarning,
                          stacklevel=4)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return frame


def check_regular_file(path) -> Path:
    """Refuse anything but a readable regular file, before it is opened.

    A FIFO or a link to a device named ``survey.csv`` would otherwise block or never end
    when it is read or hashed; a folder or an unreadable file would end in a raw OS error.

    Raises
    ------
    baby_room.FileFormatError
        Naming the file and what it is.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     check_regular_file(d)
    Traceback (most recent call last):
    ...
    baby_room.errors.FileFormatError: ...: is a folder, not a data file
    """
    regular_file(path, what="data file", empty_ok=True)
    return Path(path)


def _mapped_exports(entries) -> list[Path]:
    """Files with a mapping file of their own beside them (``X.csv`` and ``X.mapping.toml``):
    survey exports as the survey tool named them."""
    names = {p.name for p in entries}
    return [p for p in entries if p.suffix.lower() in SUPPORTED
            and f"{p.stem}.mapping.toml" in names]


def find_data_files(data_dir, *, require=KINDS) -> dict[str, Path]:
    """Find ``survey.*``, ``coding.*``, ``codebook.*`` and ``evidence.*`` in a folder.

    Parameters
    ----------
    data_dir : str or os.PathLike
        Folder holding one file per kind, named after the kind, in any supported format
        (``survey.csv``, ``survey.xlsx``, ``survey.sav``, ...). A survey export may keep
        the name its tool gave it when its mapping file is beside it
        (``Baby Room Survey_3 December 2026.csv`` with
        ``Baby Room Survey_3 December 2026.mapping.toml``, docs/mapping.md).
    require : sequence of str, default every kind
        Kinds that must be there; the others are returned when present. With
        ``require=()`` at least one kind must be there.

    Returns
    -------
    dict
        kind -> path, for the kinds found. Every file found is a readable regular file
        (checked before anything opens it).

    Raises
    ------
    baby_room.FileFormatError
        The folder is missing or unreadable, a required kind has no file, a kind has more
        than one, or a file is a folder, FIFO, device or unreadable.

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
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise FileFormatError(folder, f"the data folder cannot be read ({exc.strerror or exc})"
                              ) from None
    found, problems = {}, []
    for kind in KINDS:
        matches = [p for p in entries if p.stem.lower() == kind and p.suffix.lower() in SUPPORTED]
        if len(matches) == 1:
            try:
                found[kind] = check_regular_file(matches[0])
            except FileFormatError as exc:
                problems.append(f"{matches[0].name} {exc.reason}")
        elif len(matches) > 1:
            problems.append(f"several {kind} files: {', '.join(p.name for p in matches)}")
        elif kind == "survey" and (exports := _mapped_exports(entries)):
            if len(exports) == 1:  # a survey export named by its tool, with its mapping file
                try:
                    found[kind] = check_regular_file(exports[0])
                except FileFormatError as exc:
                    problems.append(f"{exports[0].name} {exc.reason}")
            else:
                problems.append("several survey exports with mapping files: "
                                + ", ".join(p.name for p in exports))
        elif kind in require:
            problems.append(f"no {kind} file ({kind}.csv, .xlsx, .parquet, .sav, ...)")
    if not found and not problems:
        problems.append("no data file in it (survey.*, coding.*, codebook.*, evidence.*)")
    if problems:
        raise FileFormatError(folder, "; ".join(problems))
    return found


def load_project(data_dir=None, *, on_error: str = "set_aside", require=()) -> Project:
    """The three data sets: from ``data_dir``, or the bundled synthetic data when None.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Folder with ``survey.*``, ``coding.*``, ``codebook.*`` and ``evidence.*``
        (see :func:`find_data_files`). None: the bundled synthetic data.
    require : sequence of str, default ()
        Kinds the folder must hold. The others may be absent: they are listed in
        :attr:`Project.absent`, and reading one raises :class:`~baby_room.FileFormatError`
        naming the missing file (so a notebook that reads only the survey runs on a folder
        holding only the survey). At least one data file must be there.
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
        The folder is missing, holds no data file, lacks a required one, holds two files of
        one kind, or a file is not a readable regular file (checked at once, before any
        loading).

    Examples
    --------
    >>> import baby_room as br
    >>> project = br.load_project()
    >>> project.synthetic, len(project.evidence)
    (True, 185)
    """
    if on_error not in ("set_aside", "raise"):
        raise ValueError(f"on_error must be 'set_aside' or 'raise'; got {on_error!r}")
    if data_dir is None:
        return Project(None, on_error=on_error)
    files = find_data_files(data_dir, require=require)
    return Project(files, on_error=on_error, absent=[k for k in KINDS if k not in files])
