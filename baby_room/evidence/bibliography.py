"""Bibliographic import for the evidence review: Rayyan, RIS and BibTeX.

The extraction table (one row per included item, :func:`baby_room.load_evidence`)
says *what* each item studied; the reference manager and the screening tool say
*which* item it is. This module reads those bibliographic exports into tidy
frames, joins them to the extraction table and flags duplicates:

* :func:`read_rayyan` — Rayyan's CSV export, with the reviewers' decisions,
  labels and exclusion reasons parsed out of its ``notes`` column;
* :func:`read_ris` — RIS files (EndNote, Zotero, Scopus, ...) through ``rispy``;
* :func:`read_bibtex` — BibTeX files through ``bibtexparser`` 2.x;
* :func:`merge_bibliography` — join on normalised DOI, then on normalised title,
  keeping the rows that match nothing (never dropping them);
* :func:`flag_duplicates` — a ``duplicate_of`` column, all rows kept.

Every reader raises :class:`baby_room.errors.FileFormatError` naming the file
(and the line, where there is one) for a missing file, an undecodable encoding
or a malformed record.

Parsed values are checked against the text of hand-written fixture files
(``tests/fixtures/evidence/``): RIS tags as specified by the RIS format (Research
Information Systems, as documented for EndNote and Zotero), BibTeX fields with LaTeX
accents decoded by ``bibtexparser``'s ``LatexDecodingMiddleware`` (pylatexenc), and
Rayyan's ``RAYYAN-INCLUSION`` / ``RAYYAN-LABELS`` / ``RAYYAN-EXCLUSION-REASONS``
markers as Rayyan writes them into the exported ``notes`` column.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room.errors import DesignError, FileFormatError, UnmatchedValueWarning

__all__ = [
    "normalise_doi",
    "normalise_title",
    "read_rayyan",
    "parse_rayyan_notes",
    "read_ris",
    "read_bibtex",
    "merge_bibliography",
    "flag_duplicates",
    "flag_years",
    "EARLIEST_YEAR",
]

#: Years before this are flagged as implausible for the evidence review.
EARLIEST_YEAR = 1950

_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/)|^doi:\s*", re.IGNORECASE)


# --------------------------------------------------------------------------- normalising


def normalise_doi(value) -> str | None:
    """Normalise a DOI for matching: trim, lower-case, strip URL and ``doi:`` prefixes.

    DOIs are case-insensitive (DOI Handbook, section 2.4), so lower-casing loses
    nothing.

    Parameters
    ----------
    value : str or None
        A DOI as typed or exported (``"https://doi.org/10.1/ABC"``, ``"doi:10.1/abc"``).

    Returns
    -------
    str or None
        The bare lower-case DOI, or None when ``value`` is missing or blank.

    Examples
    --------
    >>> normalise_doi(" https://doi.org/10.1016/J.ECRESQ.2019.01.002 ")
    '10.1016/j.ecresq.2019.01.002'
    >>> normalise_doi("doi:10.1/X") == normalise_doi("http://dx.doi.org/10.1/x")
    True
    >>> normalise_doi("") is None
    True
    """
    if value is None or _isna(value):
        return None
    text = str(value).strip()
    previous = None
    while previous != text:  # "doi: https://doi.org/..." has two prefixes
        previous = text
        text = _DOI_PREFIX.sub("", text).strip()
    text = text.lower()
    return text or None


def normalise_title(value) -> str | None:
    """Normalise a title for matching: casefold, drop diacritics, punctuation and whitespace.

    Parameters
    ----------
    value : str or None
        A title.

    Returns
    -------
    str or None
        Letters and digits only, casefolded (``"Étude: Baby-Rooms!"`` becomes
        ``"etudebabyrooms"``); None when nothing is left.

    Examples
    --------
    >>> normalise_title("Étude:  Baby-Rooms in   England!")
    'etudebabyroomsinengland'
    >>> normalise_title("{Quality} in baby rooms") == normalise_title("QUALITY IN BABY ROOMS.")
    True
    """
    if value is None or _isna(value):
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = "".join(ch for ch in text if ch.isalnum())
    return text or None


def _isna(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _year_from_text(value):
    """First four-digit run in a date-like string (``"2019///"``, ``"2019-05"``)."""
    if value is None or _isna(value):
        return pd.NA
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", str(value))
    return int(match.group(1)) if match else pd.NA


def _join(values, sep: str = "; "):
    if values is None or (not isinstance(values, (list, tuple)) and _isna(values)):
        return pd.NA
    if isinstance(values, str):
        values = [values]
    parts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return sep.join(parts) if parts else pd.NA


# --------------------------------------------------------------------------- file reading


def _read_text(path, encoding: str) -> str:
    """Read a whole text file, turning every failure into a FileFormatError."""
    p = Path(os.fspath(path))
    if not p.exists():
        raise FileFormatError(p, "file not found")
    if p.is_dir():
        raise FileFormatError(p, "is a directory, expected a file")
    raw = p.read_bytes()
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileFormatError(
            p,
            f"line {line}: cannot decode byte {raw[exc.start:exc.start + 1]!r} as {encoding}; "
            f"pass encoding='cp1252' or 'latin-1' if the file came from older Windows software",
        ) from None
    except LookupError:
        raise DesignError(
            f"encoding: unknown encoding {encoding!r}; use a Python codec name such as "
            f"'utf-8', 'cp1252' or 'latin-1'"
        ) from None
    if not text.strip():
        raise FileFormatError(p, "file is empty")
    return text


def flag_years(data: pd.DataFrame, *, year: str = "year", earliest: int = EARLIEST_YEAR,
               latest: int | None = None) -> pd.DataFrame:
    """Add a ``year_flag`` column naming implausible publication years, and warn.

    Rows are kept; a year before ``earliest`` or after ``latest`` (default: the
    current calendar year) gets a flag such as ``"before 1950"``.

    Parameters
    ----------
    data : pandas.DataFrame
        Frame with a year column.
    year : str, default "year"
        Name of the year column (integer or missing).
    earliest, latest : int
        The plausible range, inclusive. ``latest`` defaults to this year.

    Returns
    -------
    pandas.DataFrame
        A copy with the string column ``year_flag`` (missing where the year is
        plausible or absent).

    Warns
    -----
    UserWarning
        Naming how many rows were flagged.

    Examples
    --------
    >>> import warnings
    >>> df = pd.DataFrame({"year": pd.array([1890, 2019, None], dtype="Int64")})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     flag_years(df, latest=2025)["year_flag"].tolist()
    ['before 1950', <NA>, <NA>]
    """
    if year not in data.columns:
        raise DesignError(f"year: column {year!r} not found; columns are {list(data.columns)}")
    latest = _dt.date.today().year if latest is None else int(latest)
    out = data.copy()
    years = pd.to_numeric(out[year], errors="coerce")
    flag = pd.Series(pd.NA, index=out.index, dtype="string")
    flag[(years < earliest).fillna(False)] = f"before {earliest}"
    flag[(years > latest).fillna(False)] = f"after {latest}"
    out["year_flag"] = flag
    n = int(flag.notna().sum())
    if n:
        warnings.warn(
            f"{n} row(s) have a year outside {earliest}..{latest}; they are kept and "
            f"flagged in the 'year_flag' column",
            UserWarning,
            stacklevel=2,
        )
    return out


def _finish(frame: pd.DataFrame, path, kind: str) -> pd.DataFrame:
    if "year" in frame.columns:
        frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = flag_years(frame)
        for w in caught:
            warnings.warn(f"{os.fspath(path)}: {w.message}", w.category, stacklevel=3)
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype):
            frame[col] = frame[col].astype("string")
    frame.attrs["source"] = f"{kind} file {Path(os.fspath(path)).name}"
    frame.attrs["synthetic"] = False
    frame.attrs["path"] = os.fspath(path)
    return frame


# --------------------------------------------------------------------------- RIS

_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
# a tag with the wrong spacing ("AU - X", "AU   - X", "AU\t- X"); not prose such as "UK-based"
_RIS_BROKEN_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: |\t+| {3,})-(?: |$)")

#: RIS record columns returned by :func:`read_ris`, in order.
RIS_COLUMNS = (
    "record_line", "type_of_reference", "title", "authors", "year", "journal",
    "volume", "issue", "pages", "doi", "abstract", "keywords", "urls",
)


def _check_ris(lines: list[str], path) -> None:
    """Raise FileFormatError naming the first line that breaks the RIS layout."""
    open_at = None  # line number where the current record's TY was
    n_records = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _RIS_TAG.match(line.rstrip())
        if match is None and _RIS_BROKEN_TAG.match(line):
            raise FileFormatError(
                path,
                f"line {number}: malformed RIS tag line {line.strip()[:40]!r}; a tag line "
                f"is two capitals, two spaces, a hyphen and a space, e.g. 'TI  - Title'",
            )
        if match is None:
            if open_at is None:
                raise FileFormatError(
                    path,
                    f"line {number}: text outside a record ({line.strip()[:40]!r}); every "
                    f"record starts with 'TY  - ' and ends with 'ER  - '",
                )
            continue  # continuation of a multi-line field
        tag = match.group(1)
        if tag == "TY":
            if open_at is not None:
                raise FileFormatError(
                    path,
                    f"line {number}: a new record starts (TY) before the record opened on "
                    f"line {open_at} was closed with 'ER  - '",
                )
            open_at = number
        elif tag == "ER":
            if open_at is None:
                raise FileFormatError(path, f"line {number}: 'ER' end tag with no open record")
            open_at = None
            n_records += 1
        elif open_at is None:
            raise FileFormatError(
                path,
                f"line {number}: tag {tag!r} outside a record; every record starts with "
                f"'TY  - '",
            )
    if open_at is not None:
        raise FileFormatError(
            path, f"line {open_at}: record is not closed with 'ER  - ' (file truncated?)"
        )
    if n_records == 0:
        raise FileFormatError(path, "line 1: no RIS records found (no 'TY  - ' line)")


def read_ris(path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a RIS file into one row per record (bibliographic metadata).

    The file is checked line by line first (``rispy`` silently skips what it
    does not understand), then parsed with :func:`rispy.loads`.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.ris`` file.
    encoding : str, default "utf-8"
        Text encoding (a UTF-8 byte-order mark is accepted).

    Returns
    -------
    pandas.DataFrame
        One row per record, columns ``record_line`` (line of its ``TY`` tag),
        ``type_of_reference`` (RIS type, e.g. ``JOUR``), ``title`` (``TI`` or
        ``T1``), ``authors`` (``AU``/``A1``, ``"; "``-joined, in file order),
        ``year`` (Int64, from ``PY``/``Y1``/``DA``), ``journal`` (``JO``, ``T2``
        or ``JF``), ``volume``, ``issue``, ``pages``, ``doi`` (normalised with
        :func:`normalise_doi`), ``abstract``, ``keywords`` and ``urls``
        (``"; "``-joined), ``year_flag``. ``attrs["source"]`` names the file.

    Raises
    ------
    FileFormatError
        Missing file, undecodable bytes, or a malformed record; the message
        names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = "TY  - JOUR\\nTI  - Baby rooms\\nAU  - Smith, J.\\nPY  - 2019\\nER  - \\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "x.ris"); _ = p.write_text(text)
    ...     df = read_ris(p)
    >>> df.loc[0, ["title", "authors"]].tolist(), int(df.loc[0, "year"])
    (['Baby rooms', 'Smith, J.'], 2019)
    """
    import rispy

    text = _read_text(path, encoding)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    _check_ris(lines, os.fspath(path))
    starts = [i for i, line in enumerate(lines, start=1) if line.startswith("TY  -")]
    try:
        records = rispy.loads("\n".join(lines), skip_unknown_tags=True)
    except Exception as exc:  # rispy is lenient; this is a safety net
        raise FileFormatError(path, f"RIS parser failed: {exc}") from None
    if len(records) != len(starts):  # pragma: no cover - guarded by _check_ris
        raise FileFormatError(path, f"found {len(starts)} 'TY' lines but parsed {len(records)}")
    rows = []
    for line_no, rec in zip(starts, records, strict=True):
        title = rec.get("title") or rec.get("primary_title")
        authors = (rec.get("authors") or []) + (rec.get("first_authors") or [])
        year = _year_from_text(rec.get("year") or rec.get("publication_year") or rec.get("date"))
        journal = (rec.get("journal_name") or rec.get("secondary_title")
                   or rec.get("alternate_title3") or rec.get("alternate_title1"))
        pages = rec.get("start_page")
        if pages and rec.get("end_page"):
            pages = f"{pages}-{rec['end_page']}"
        rows.append({
            "record_line": line_no,
            "type_of_reference": rec.get("type_of_reference"),
            "title": title,
            "authors": _join(authors),
            "year": year,
            "journal": journal,
            "volume": rec.get("volume"),
            "issue": rec.get("number"),
            "pages": pages,
            "doi": normalise_doi(rec.get("doi")),
            "abstract": rec.get("abstract"),
            "keywords": _join(rec.get("keywords")),
            "urls": _join(rec.get("urls")),
        })
    frame = pd.DataFrame(rows, columns=list(RIS_COLUMNS))
    frame["record_line"] = frame["record_line"].astype("Int64")
    return _finish(frame, path, "RIS")


# --------------------------------------------------------------------------- BibTeX

#: BibTeX record columns returned by :func:`read_bibtex`, in order.
BIBTEX_COLUMNS = (
    "key", "record_line", "entry_type", "title", "authors", "year", "journal",
    "volume", "issue", "pages", "doi", "abstract", "keywords", "urls",
)


def _bib_person(name) -> str:
    last = " ".join(name.von + name.last)
    first = " ".join(name.first)
    text = f"{last}, {first}" if first else last
    if name.jr:
        text += ", " + " ".join(name.jr)
    return text.strip(", ")


def read_bibtex(path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a BibTeX file into one row per entry, with LaTeX accents decoded.

    Uses ``bibtexparser`` 2.x with its LaTeX-decoding, co-author-splitting and
    name-splitting middlewares; ``@string`` macros are resolved.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.bib`` file.
    encoding : str, default "utf-8"
        Text encoding.

    Returns
    -------
    pandas.DataFrame
        One row per entry: ``key`` (citation key), ``record_line`` (1-based line
        of the ``@type{`` line), ``entry_type`` (lower-case), ``title`` (braces
        removed, accents decoded), ``authors`` (``"Last, First; ..."``), ``year``
        (Int64), ``journal`` (``journal``, else ``booktitle``, else
        ``publisher``/``institution``), ``volume``, ``issue`` (``number``),
        ``pages``, ``doi`` (normalised), ``abstract``, ``keywords``, ``urls``,
        ``year_flag``.

    Raises
    ------
    FileFormatError
        Missing file, undecodable bytes, a block the parser could not read or a
        duplicate citation key; the message names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = "@article{k1, title={{Baby} rooms}, author={M{\\\\\\"u}ller, Anna}, year=2020}"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "x.bib"); _ = p.write_text(text)
    ...     df = read_bibtex(p)
    >>> df.loc[0, ["key", "title", "authors"]].tolist(), int(df.loc[0, "year"])
    (['k1', 'Baby rooms', 'Müller, Anna'], 2020)
    """
    import bibtexparser
    from bibtexparser import middlewares as mw

    text = _read_text(path, encoding)
    try:
        library = bibtexparser.parse_string(
            text,
            append_middleware=[
                mw.LatexDecodingMiddleware(),
                mw.SeparateCoAuthors(),
                mw.SplitNameParts(),
            ],
        )
    except Exception as exc:  # pragma: no cover - parser is designed not to raise
        raise FileFormatError(path, f"BibTeX parser failed: {exc}") from None
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = (block.start_line or 0) + 1
        kind = type(block).__name__
        if kind == "DuplicateBlockKeyBlock":
            reason = f"duplicate citation key {getattr(block, 'key', '?')!r}"
        else:
            error = getattr(block, "error", None)
            reason = f"cannot parse this entry ({type(error).__name__ if error else kind})"
            snippet = (block.raw or "").strip().splitlines()[:1]
            if snippet:
                reason += f": {snippet[0][:50]!r}"
        more = len(library.failed_blocks) - 1
        suffix = f" (and {more} more failing block(s))" if more else ""
        raise FileFormatError(path, f"line {line}: {reason}{suffix}")
    if not library.entries:
        raise FileFormatError(path, "line 1: no BibTeX entries found (no '@type{key, ...}')")
    rows = []
    for entry in library.entries:
        fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}

        def get(*names, _fields=fields):
            for name in names:
                value = _fields.get(name)
                if value is not None and str(value).strip():
                    return str(value).strip()
            return None

        authors = fields.get("author") or fields.get("editor") or []
        if isinstance(authors, str):
            authors = [authors]
        title = get("title")
        if title:
            title = re.sub(r"\s+", " ", title.replace("{", "").replace("}", "")).strip()
        rows.append({
            "key": entry.key,
            "record_line": (entry.start_line or 0) + 1,
            "entry_type": entry.entry_type.lower(),
            "title": title,
            "authors": _join([_bib_person(a) if hasattr(a, "last") else str(a) for a in authors]),
            "year": _year_from_text(get("year", "date")),
            "journal": get("journal", "journaltitle", "booktitle", "publisher", "institution"),
            "volume": get("volume"),
            "issue": get("number", "issue"),
            "pages": get("pages"),
            "doi": normalise_doi(get("doi")),
            "abstract": get("abstract"),
            "keywords": _join(re.split(r"\s*[;,]\s*", get("keywords") or "")) if get("keywords")
            else pd.NA,
            "urls": get("url"),
        })
    frame = pd.DataFrame(rows, columns=list(BIBTEX_COLUMNS))
    frame["record_line"] = frame["record_line"].astype("Int64")
    return _finish(frame, path, "BibTeX")


# --------------------------------------------------------------------------- Rayyan

_RAYYAN_MARKER = re.compile(
    r"RAYYAN-(INCLUSION|LABELS|EXCLUSION-REASONS)\s*:\s*(.*?)(?=\s*\|\s*RAYYAN-|\s*$)",
    re.DOTALL,
)
_RAYYAN_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^0-9a-z]+", "_", text).strip("_")
    return text or "reviewer"


def _split_list(text: str):
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p]
    return "; ".join(parts) if parts else pd.NA


def parse_rayyan_notes(notes) -> pd.DataFrame:
    """Parse Rayyan's ``notes`` markers into decision, label and reason columns.

    Rayyan writes, inside the exported ``notes`` field and separated by ``|``::

        RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Maybe"} | RAYYAN-LABELS: UK,ITERS
        | RAYYAN-EXCLUSION-REASONS: wrong age group

    Parameters
    ----------
    notes : sequence of str or pandas.Series
        The ``notes`` column.

    Returns
    -------
    pandas.DataFrame
        Same index as ``notes``. Columns ``decision_<reviewer>`` (one per
        reviewer, the name lower-cased with non-alphanumerics turned into ``_``;
        values ``"included"``, ``"excluded"``, ``"maybe"``, missing where that
        reviewer made no decision), ``decision`` (the reviewers' common decision,
        ``"conflict"`` when they differ, missing when none decided), ``labels`` and
        ``exclusion_reasons`` (``"; "``-joined), ``user_notes`` (any text outside
        the markers). ``attrs["reviewers"]`` maps each column to the reviewer's
        name as written in Rayyan.

    Examples
    --------
    >>> notes = ['RAYYAN-INCLUSION: {"Ana"=>"Included", "Bo"=>"Excluded"} | '
    ...          'RAYYAN-LABELS: UK,ITERS | RAYYAN-EXCLUSION-REASONS: wrong age']
    >>> parse_rayyan_notes(notes).iloc[0].tolist()
    ['included', 'excluded', 'conflict', 'UK; ITERS', 'wrong age', <NA>]
    """
    series = pd.Series(notes) if not isinstance(notes, pd.Series) else notes
    parsed = []
    reviewers: dict[str, str] = {}
    for value in series.tolist():
        row = {"labels": pd.NA, "exclusion_reasons": pd.NA, "user_notes": pd.NA, "_dec": {}}
        if value is not None and not _isna(value):
            text = str(value)
            for match in _RAYYAN_MARKER.finditer(text):
                kind, body = match.group(1), match.group(2).strip()
                if kind == "INCLUSION":
                    for name, decision in _RAYYAN_PAIR.findall(body):
                        row["_dec"][name] = decision.strip().lower()
                        reviewers.setdefault(name, _slug(name))
                elif kind == "LABELS":
                    row["labels"] = _split_list(body)
                else:
                    row["exclusion_reasons"] = _split_list(body)
            rest = _RAYYAN_MARKER.sub("", text)
            rest = re.sub(r"(\s*\|\s*)+", " | ", rest).strip(" |\n\t")
            if rest:
                row["user_notes"] = rest
        parsed.append(row)
    # reviewer columns, unique and stable (order of first appearance)
    columns: dict[str, str] = {}
    used: set[str] = set()
    for name, slug in reviewers.items():
        col, k = f"decision_{slug}", 2
        while col in used:
            col, k = f"decision_{slug}_{k}", k + 1
        used.add(col)
        columns[name] = col
    out = {}
    for name, col in columns.items():
        out[col] = [r["_dec"].get(name, pd.NA) for r in parsed]
    consensus = []
    for r in parsed:
        decisions = set(r["_dec"].values())
        consensus.append(pd.NA if not decisions else
                         decisions.pop() if len(decisions) == 1 else "conflict")
    out["decision"] = consensus
    for key in ("labels", "exclusion_reasons", "user_notes"):
        out[key] = [r[key] for r in parsed]
    frame = pd.DataFrame(out, index=series.index)
    for col in frame.columns:
        frame[col] = frame[col].astype("string")
    frame.attrs["reviewers"] = {col: name for name, col in columns.items()}
    return frame


def read_rayyan(path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read Rayyan's CSV export, parsing reviewers' decisions, labels and exclusion reasons.

    Parameters
    ----------
    path : str or os.PathLike
        The ``articles.csv`` exported from Rayyan.
    encoding : str, default "utf-8"
        Text encoding.

    Returns
    -------
    pandas.DataFrame
        Rayyan's columns (``key``, ``title``, ``authors``, ``journal``, ``year``,
        ``doi``, ... as exported) with ``year`` as Int64 and ``doi`` normalised,
        ``notes`` removed and replaced by the columns of
        :func:`parse_rayyan_notes` (``decision_<reviewer>``, ``decision``,
        ``labels``, ``exclusion_reasons``, ``user_notes``), plus ``record_line``
        (the CSV line of the row's start) and ``year_flag``.

    Raises
    ------
    FileFormatError
        Missing file, undecodable bytes, a CSV the parser cannot read, or no
        ``title``/``notes`` column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = ('key,title,year,notes\\n1,Baby rooms,2019,'
    ...         '"RAYYAN-INCLUSION: {""Ana""=>""Included""}"\\n')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "articles.csv"); _ = p.write_text(text)
    ...     df = read_rayyan(p)
    >>> df[["title", "decision_ana", "decision"]].iloc[0].tolist()
    ['Baby rooms', 'included', 'included']
    """
    import csv
    import io

    text = _read_text(path, encoding)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            na_values=[""])
    except (pd.errors.ParserError, csv.Error) as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f"line {line.group(1)}: " if line else ""
        raise FileFormatError(path, f"{where}not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("title", "notes") if c not in frame.columns]
    if missing:
        raise FileFormatError(
            path,
            f"line 1: no {' or '.join(repr(c) for c in missing)} column; a Rayyan export has "
            f"'key', 'title', ..., 'notes'; the header read was {list(frame.columns)}",
        )
    # CSV line where each row starts (rows may span several lines)
    starts = _csv_row_lines(text)
    parsed = parse_rayyan_notes(frame["notes"])
    reviewers = parsed.attrs.get("reviewers", {})
    frame = frame.drop(columns="notes")
    frame.insert(0, "record_line", pd.array(starts[: len(frame)], dtype="Int64"))
    if "year" in frame.columns:
        frame["year"] = [_year_from_text(v) for v in frame["year"]]
    if "doi" in frame.columns:
        frame["doi"] = [normalise_doi(v) for v in frame["doi"]]
    frame = pd.concat([frame.reset_index(drop=True), parsed.reset_index(drop=True)], axis=1)
    frame = _finish(frame, path, "Rayyan")
    frame.attrs["reviewers"] = reviewers
    return frame


def _csv_row_lines(text: str) -> list[int]:
    """1-based line numbers where each CSV data row starts (quotes may span lines)."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text))
    starts, line = [], 1
    first = True
    while True:
        start = reader.line_num + 1
        try:
            next(reader)
        except StopIteration:
            break
        if not first:
            starts.append(start)
        first = False
        line = reader.line_num
    del line
    return starts


# --------------------------------------------------------------------------- merging


def merge_bibliography(records: pd.DataFrame, metadata: pd.DataFrame, *, doi: str = "doi",
                       title: str = "title", suffix: str = "_bib") -> pd.DataFrame:
    """Join bibliographic metadata to review records on DOI, then on normalised title.

    Each record is matched at most once, each metadata row at most once: first
    on :func:`normalise_doi` where both sides have a DOI, then, among those still
    unmatched, on :func:`normalise_title`. Rows that match nothing are *kept* —
    records with empty metadata columns, metadata rows appended with empty
    record columns — and the ``match`` column says which is which.

    Parameters
    ----------
    records : pandas.DataFrame
        The review's items (extraction table or Rayyan export).
    metadata : pandas.DataFrame
        Bibliographic metadata (from :func:`read_ris` or :func:`read_bibtex`).
    doi, title : str
        Column names holding the DOI and title in *both* frames.
    suffix : str, default "_bib"
        Appended to metadata columns whose names also occur in ``records``.

    Returns
    -------
    pandas.DataFrame
        ``records``' columns, then the metadata columns (suffixed where they
        clash), then ``match``: ``"doi"``, ``"title"``, ``"records_only"`` (a
        record with no metadata) or ``"metadata_only"`` (a metadata row no record
        matched). Records come first in their order, unmatched metadata rows
        last. ``attrs`` are carried over from ``records``.

    Warns
    -----
    UnmatchedValueWarning
        When any row on either side is unmatched, with the counts.

    Examples
    --------
    >>> import warnings
    >>> items = pd.DataFrame({"item_id": ["E1", "E2", "E3"],
    ...                       "title": ["Baby rooms", "Ratios!", "Lonely"],
    ...                       "doi": ["10.1/A", None, None]})
    >>> bib = pd.DataFrame({"title": ["Baby Rooms", "RATIOS", "Other"],
    ...                     "doi": ["https://doi.org/10.1/a", None, None],
    ...                     "journal": ["J1", "J2", "J3"]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = merge_bibliography(items, bib)
    >>> m[["item_id", "journal", "match"]].fillna("-").values.tolist()
    [['E1', 'J1', 'doi'], ['E2', 'J2', 'title'], ['E3', '-', 'records_only'], ['-', 'J3', 'metadata_only']]
    """
    for name, frame in (("records", records), ("metadata", metadata)):
        if not isinstance(frame, pd.DataFrame):
            raise DesignError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in (doi, title) if c not in frame.columns]
        if len(missing) == 2:
            raise DesignError(
                f"{name}: needs a {doi!r} or a {title!r} column to match on; "
                f"columns are {list(frame.columns)}"
            )

    def keys(frame, col, fn):
        if col not in frame.columns:
            return [None] * len(frame)
        return [fn(v) for v in frame[col].tolist()]

    r_doi, m_doi = keys(records, doi, normalise_doi), keys(metadata, doi, normalise_doi)
    r_title, m_title = keys(records, title, normalise_title), keys(metadata, title, normalise_title)
    pair = [None] * len(records)
    how = ["records_only"] * len(records)
    used: set[int] = set()

    def index_of(values):
        lookup: dict[str, list[int]] = {}
        for j, v in enumerate(values):
            if v is not None:
                lookup.setdefault(v, []).append(j)
        return lookup

    for key_r, lookup, label in ((r_doi, index_of(m_doi), "doi"),
                                 (r_title, index_of(m_title), "title")):
        for i, k in enumerate(key_r):
            if pair[i] is not None or k is None:
                continue
            for j in lookup.get(k, []):
                if j not in used:
                    pair[i], how[i] = j, label
                    used.add(j)
                    break

    meta = metadata.reset_index(drop=True)
    rename = {c: f"{c}{suffix}" for c in meta.columns if c in records.columns}
    meta = meta.rename(columns=rename)
    take = [p if p is not None else -1 for p in pair]
    left = records.reset_index(drop=True)
    right = _take(meta, take)
    merged = pd.concat([left, right], axis=1)
    merged["match"] = how
    leftover = [j for j in range(len(meta)) if j not in used]
    if leftover:
        extra = pd.concat([_take(left, [-1] * len(leftover)), meta.iloc[leftover]
                           .reset_index(drop=True)], axis=1)
        extra["match"] = "metadata_only"
        merged = pd.concat([merged, extra], ignore_index=True)
    merged["match"] = merged["match"].astype("string")
    merged.attrs = dict(records.attrs)
    n_rec, n_meta = how.count("records_only"), len(leftover)
    if n_rec or n_meta:
        warnings.warn(
            f"merge_bibliography: {n_rec} record(s) found no metadata and {n_meta} metadata "
            f"row(s) matched no record; they are kept with match='records_only' / "
            f"'metadata_only'",
            UnmatchedValueWarning,
            stacklevel=2,
        )
    return merged


def _take(frame: pd.DataFrame, positions: list[int]) -> pd.DataFrame:
    """Rows by position, with -1 giving an all-missing row (dtypes kept nullable)."""
    out = {}
    pos = np.asarray(positions, dtype=int)
    valid = pos >= 0
    for col in frame.columns:
        values = frame[col]
        taken = values.iloc[np.where(valid, pos, 0)].reset_index(drop=True) if len(values) \
            else pd.Series([pd.NA] * len(pos), dtype=object)
        if len(values):
            taken = taken.astype(_nullable(values.dtype)).mask(~pd.Series(valid))
        out[col] = taken
    return pd.DataFrame(out, index=range(len(pos)), columns=frame.columns)


def _nullable(dtype):
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    return dtype


# --------------------------------------------------------------------------- duplicates


def flag_duplicates(data: pd.DataFrame, *, id: str | None = None, doi: str = "doi",
                    title: str = "title", year: str = "year") -> pd.DataFrame:
    """Flag duplicate items: same normalised DOI, or same normalised title and year.

    All rows are kept. The first occurrence (in row order) of each group is
    the original; every later row in the group gets the original's identifier in
    ``duplicate_of``. Matching is transitive: a row that shares a DOI with one
    original and a title with another points to the earlier of the two.

    Parameters
    ----------
    data : pandas.DataFrame
        Items or bibliographic records.
    id : str, optional
        Identifier column reported in ``duplicate_of``. Default: ``"item_id"``
        when present, else ``"key"``, else the index label.
    doi, title, year : str
        Column names (a missing column just disables that key).

    Returns
    -------
    pandas.DataFrame
        A copy with ``duplicate_of`` (string; missing for originals and unique
        rows). ``attrs`` are kept.

    Examples
    --------
    >>> df = pd.DataFrame({"item_id": ["A", "B", "C", "D"],
    ...                    "title": ["Baby rooms", "BABY ROOMS.", "Baby rooms", "Other"],
    ...                    "year": pd.array([2019, 2019, 2020, 2019], dtype="Int64"),
    ...                    "doi": [None, None, "10.1/X", "https://doi.org/10.1/x"]})
    >>> flag_duplicates(df)["duplicate_of"].tolist()
    [<NA>, 'A', <NA>, 'C']
    """
    if not isinstance(data, pd.DataFrame):
        raise DesignError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if id is None:
        id = "item_id" if "item_id" in data.columns else "key" if "key" in data.columns else None
    elif id not in data.columns:
        raise DesignError(f"id: column {id!r} not found; columns are {list(data.columns)}")
    ids = [str(v) for v in (data[id] if id else data.index).tolist()]
    n = len(data)
    dois = [normalise_doi(v) for v in data[doi].tolist()] if doi in data.columns else [None] * n
    titles = ([normalise_title(v) for v in data[title].tolist()] if title in data.columns
              else [None] * n)
    years = (pd.to_numeric(data[year], errors="coerce").tolist() if year in data.columns
             else [None] * n)
    root_of_doi: dict[str, int] = {}
    root_of_title: dict[tuple, int] = {}
    duplicate_of: list = [pd.NA] * n
    for i in range(n):
        candidates = []
        if dois[i] is not None and dois[i] in root_of_doi:
            candidates.append(root_of_doi[dois[i]])
        ty = None
        if titles[i] is not None and years[i] is not None and not _isna(years[i]):
            ty = (titles[i], int(years[i]))
            if ty in root_of_title:
                candidates.append(root_of_title[ty])
        root = min(candidates) if candidates else i
        if candidates:
            duplicate_of[i] = ids[root]
        if dois[i] is not None:
            root_of_doi.setdefault(dois[i], root)
        if ty is not None:
            root_of_title.setdefault(ty, root)
    out = data.copy()
    out["duplicate_of"] = pd.array(duplicate_of, dtype="string")
    return out
