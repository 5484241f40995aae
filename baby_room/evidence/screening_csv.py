"""CSV exports of screening tools and reference managers: Rayyan, Covidence, Zotero.

* Rayyan's ``articles.csv``: the reviewers' decisions, labels and exclusion reasons are
  written into the ``notes`` column as ``RAYYAN-INCLUSION: {"Ana"=>"Included"} |
  RAYYAN-LABELS: a,b | RAYYAN-EXCLUSION-REASONS: r``; its ``location`` column is an
  author address, so it is returned as ``affiliations`` (never as a country of study).
* Covidence's ``.csv`` export (``Covidence #``, ``Published Year``, ``Tags``...) and
  Zotero's (``Key``, ``Item Type``, ``Publication Year``, ``Abstract Note``...) carry no
  Rayyan markers; they are read into the canonical columns, other columns into ``extra``.

The CSV is parsed with Python's :mod:`csv` (no field-size limit below the file-size
limit, so a 200 KB abstract loads). A row with more or fewer fields than the header is
set aside with its line and reason instead of shifting the rows after it; two headers
that differ only in case (``notes`` and ``Notes``) are an error naming both.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata

import pandas as pd

from baby_room.errors import FileFormatError
from baby_room.evidence._bibcommon import (
    CANONICAL_COLUMNS,
    MAX_FILE_BYTES,
    check_reader_options,
    finish,
    frame_from_records,
    isna,
    join,
    normalise_doi,
    read_text,
    set_aside,
    year_from_text,
)

__all__ = ["read_rayyan", "parse_rayyan_notes", "read_covidence", "read_zotero_csv",
           "read_csv_records"]


# --------------------------------------------------------------------------- CSV rows


def read_csv_records(text: str, path: str) -> tuple[list[str], list[tuple[int, list[str]]],
                                                       list[dict]]:
    """Header, ``(line, fields)`` of each row, and rows set aside for a wrong field count.

    Examples
    --------
    >>> header, rows, aside = read_csv_records('a,b\\n1,2\\n3,4,5\\n"x\\ny",6\\n', "f.csv")
    >>> header, rows, [a["reasons"] for a in aside]
    (['a', 'b'], [(2, ['1', '2']), (4, ['x\\ny', '6'])], ['3 fields, the header has 2'])
    """
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, MAX_FILE_BYTES))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=False)
        rows: list[tuple[int, list[str]]] = []
        aside: list[dict] = []
        header = None
        start = 1
        try:
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not fields or all(not f.strip() for f in fields):
                    continue
                if header is None:
                    header = [f.strip() for f in fields]
                    header_line = line
                    continue
                if len(fields) != len(header):
                    aside.append({"row": line, "text": ",".join(fields)[:200],
                                  "reasons": f"{len(fields)} fields, the header "
                                             f"has {len(header)}"})
                    continue
                rows.append((line, fields))
        except csv.Error as exc:
            raise FileFormatError(path, f"line {reader.line_num}: not a readable CSV file "
                                        f"({exc})") from None
    finally:
        csv.field_size_limit(old)
    if header is None:
        raise FileFormatError(path, "file is empty")
    if text.count('"') % 2:
        last = max([line for line, _ in rows] + [a["row"] for a in aside] + [header_line])
        raise FileFormatError(path, f"line {last}: not a readable CSV file (a quote opened "
                                    f"on this line is never closed)")
    folded: dict[str, str] = {}
    for name in header:
        key = name.strip().casefold()
        if key in folded:
            raise FileFormatError(
                path, f"line 1: two columns {folded[key]!r} and {name!r} differ only in case "
                      f"or spacing; rename one so that each column has one meaning")
        folded[key] = name
    return header, rows, aside


# --------------------------------------------------------------------------- Rayyan notes

_RAYYAN_MARKER = re.compile(r"RAYYAN-(INCLUSION|LABELS|EXCLUSION-REASONS)[ \t]*:")
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


def _clean_rest(pieces: list[str]):
    parts = [p.strip(" \t\r\n|") for p in pieces]
    text = " | ".join(p for p in parts if p)
    return text or pd.NA


def parse_rayyan_notes(notes) -> pd.DataFrame:
    """Parse Rayyan's ``notes`` markers into decision, label and reason columns.

    Rayyan writes, inside the exported ``notes`` field and separated by ``|``::

        RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Maybe"} | RAYYAN-LABELS: UK,ITERS
        | RAYYAN-EXCLUSION-REASONS: wrong age group

    The markers are found in one linear pass (a note of any length, with any run of
    spaces, is parsed in time proportional to its length).

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
        if not isna(value):
            text = str(value)
            markers = list(_RAYYAN_MARKER.finditer(text))
            rest = [text[: markers[0].start()] if markers else text]
            for k, match in enumerate(markers):
                end = markers[k + 1].start() if k + 1 < len(markers) else len(text)
                body = text[match.end():end].strip().rstrip("|").strip()
                kind = match.group(1)
                if kind == "INCLUSION":
                    close = body.find("}")
                    pairs, tail = (body[: close + 1], body[close + 1:]) if close >= 0 \
                        else (body, "")
                    for name, decision in _RAYYAN_PAIR.findall(pairs):
                        row["_dec"][name] = decision.strip().lower()
                        reviewers.setdefault(name, _slug(name))
                    rest.append(tail)
                elif kind == "LABELS":
                    row["labels"] = _split_list(body)
                else:
                    row["exclusion_reasons"] = _split_list(body)
            row["user_notes"] = _clean_rest(rest)
        parsed.append(row)
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


# --------------------------------------------------------------------------- readers


def _table(header, rows) -> pd.DataFrame:
    data = {name: [fields[i] if fields[i] != "" else pd.NA for _, fields in rows]
            for i, name in enumerate(header)}
    return pd.DataFrame(data, columns=header)


def read_rayyan(path, *, encoding: str = "utf-8", on_error: str = "set_aside") -> pd.DataFrame:
    """Read Rayyan's CSV export, parsing reviewers' decisions, labels and exclusion reasons.

    Parameters
    ----------
    path : str or os.PathLike
        The ``articles.csv`` exported from Rayyan.
    encoding : str, default "utf-8"
        Text encoding.
    on_error : {"set_aside", "raise"}, default "set_aside"
        A row with more or fewer fields than the header is set aside
        (``baby_room.set_aside_rows``) or raised.

    Returns
    -------
    pandas.DataFrame
        Rayyan's columns (``key``, ``title``, ``authors``, ``journal``, ``year``,
        ``doi``, ... as exported, names lower-cased) with ``year`` as Int64 and ``doi``
        normalised, ``location`` renamed ``affiliations`` (Rayyan's author address),
        ``notes`` replaced by the columns of :func:`parse_rayyan_notes`
        (``decision_<reviewer>``, ``decision``, ``labels``, ``exclusion_reasons``,
        ``user_notes``), plus ``record_line`` (the CSV line of the row's start) and
        ``year_flag``.

    Raises
    ------
    FileFormatError
        Missing, unreadable or special file, undecodable bytes, a CSV the parser cannot
        read, two columns differing only in case, or no ``title``/``notes`` column.

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
    check_reader_options(function="read_rayyan", on_error=on_error, encoding=encoding)
    p = os.fspath(path)
    return rayyan_frame(read_text(p, encoding), p, on_error=on_error)


def rayyan_frame(text: str, path: str, *, on_error: str = "set_aside") -> pd.DataFrame:
    """The frame of :func:`read_rayyan` from CSV text already read."""
    header, rows, aside = read_csv_records(text, path)
    header = [h.strip().lower() for h in header]
    missing = [c for c in ("title", "notes") if c not in header]
    if missing:
        raise FileFormatError(
            path,
            f"line 1: no {' or '.join(repr(c) for c in missing)} column; a Rayyan export has "
            f"'key', 'title', ..., 'notes'; the header read was {header}",
        )
    frame = _table(header, rows)
    parsed = parse_rayyan_notes(frame["notes"])
    reviewers = parsed.attrs.get("reviewers", {})
    frame = frame.drop(columns="notes")
    if "location" in frame.columns and "affiliations" not in frame.columns:
        frame = frame.rename(columns={"location": "affiliations"})
    frame.insert(0, "record_line", [line for line, _ in rows])
    if "year" in frame.columns:
        frame["year"] = [year_from_text(v) for v in frame["year"]]
    if "doi" in frame.columns:
        frame["doi"] = [normalise_doi(v) for v in frame["doi"]]
    frame = pd.concat([frame.reset_index(drop=True), parsed.reset_index(drop=True)], axis=1)
    frame = set_aside(frame, path, aside, on_error)
    frame = finish(frame, path, "Rayyan", fmt="rayyan")
    frame.attrs["reviewers"] = reviewers
    return frame


COVIDENCE_COLUMNS = {
    "key": ("Covidence #",),
    "title": ("Title",),
    "authors": ("Authors",),
    "year": ("Published Year", "Year"),
    "journal": ("Journal",),
    "volume": ("Volume",),
    "issue": ("Issue",),
    "pages": ("Pages",),
    "doi": ("DOI",),
    "abstract": ("Abstract",),
    "keywords": ("Keywords",),
    "language": ("Language",),
    "database": ("Database", "Source"),
    "affiliations": ("Affiliations", "Author Address"),
    "url": ("URL", "Url"),
}
ZOTERO_COLUMNS = {
    "key": ("Key",),
    "record_type": ("Item Type",),
    "title": ("Title",),
    "authors": ("Author",),
    "year": ("Publication Year", "Date"),
    "journal": ("Publication Title",),
    "volume": ("Volume",),
    "issue": ("Issue",),
    "pages": ("Pages",),
    "doi": ("DOI",),
    "abstract": ("Abstract Note",),
    "keywords": ("Manual Tags",),
    "language": ("Language",),
    "database": ("Library Catalog",),
    "url": ("Url",),
}


def mapped_frame(text: str, path: str, mapping: dict, *, kind: str, fmt: str,
                  on_error: str) -> pd.DataFrame:
    header, rows, aside = read_csv_records(text, path)
    position = {name: i for i, name in enumerate(header)}
    chosen: dict[str, int] = {}
    for column, names in mapping.items():
        for name in names:
            if name in position and position[name] not in chosen.values():
                chosen[column] = position[name]
                break
    if "title" not in chosen:
        raise FileFormatError(path, f"line 1: no 'Title' column; the header read was {header}")
    others = [(name, i) for name, i in position.items() if i not in chosen.values()]
    records = []
    for line, fields in rows:
        rec = {column: (fields[i].strip() or pd.NA) for column, i in chosen.items()}
        rec["record_line"] = line
        rec["doi"] = normalise_doi(rec.get("doi")) or pd.NA
        if "keywords" in rec and not isna(rec["keywords"]):
            rec["keywords"] = join(re.split(r"\s*;\s*", rec["keywords"]))
        rec["extra"] = {name: fields[i] for name, i in others if fields[i].strip()}
        records.append(rec)
    columns = (("key",) if "key" in chosen else ()) + CANONICAL_COLUMNS
    frame = frame_from_records(records, columns)
    frame = set_aside(frame, path, aside, on_error)
    return finish(frame, path, kind, fmt=fmt)


def read_covidence(path, *, encoding: str = "utf-8", on_error: str = "set_aside") -> pd.DataFrame:
    """Read a Covidence CSV export (``Title, Authors, Abstract, Published Year, ...``).

    Returns the canonical bibliographic columns (``key`` from ``Covidence #``, ``year``
    from ``Published Year``), the other columns (``Notes``, ``Tags``, ``Study``...) in
    ``extra``. Covidence writes no per-reviewer decisions into this export.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = 'Title,Authors,Published Year,DOI,Covidence #,Tags\\nA,"Li, X.",2020,10.1/A,#12,t\\n'
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "covidence.csv"); _ = p.write_text(text)
    ...     df = read_covidence(p)
    >>> df.loc[0, ["key", "title", "doi"]].tolist(), int(df.loc[0, "year"]), df.loc[0, "extra"]
    (['#12', 'A', '10.1/a'], 2020, {'Tags': 't'})
    """
    check_reader_options(function="read_covidence", on_error=on_error, encoding=encoding)
    p = os.fspath(path)
    return mapped_frame(read_text(p, encoding), p, COVIDENCE_COLUMNS, kind="Covidence",
                         fmt="covidence_csv", on_error=on_error)


def read_zotero_csv(path, *, encoding: str = "utf-8",
                    on_error: str = "set_aside") -> pd.DataFrame:
    """Read a Zotero CSV export (``Key, Item Type, Publication Year, Author, Title, ...``).

    ``year`` comes from ``Publication Year``, ``abstract`` from ``Abstract Note``,
    ``keywords`` from ``Manual Tags``; every other non-empty column is kept in ``extra``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = ('"Key","Item Type","Publication Year","Author","Title","Extra"\\n'
    ...         '"AB12","journalArticle","2021","Li, X.","Rooms","PMID: 1"\\n')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "zotero.csv"); _ = p.write_text(text)
    ...     df = read_zotero_csv(p)
    >>> df.loc[0, ["key", "record_type", "title"]].tolist(), int(df.loc[0, "year"])
    (['AB12', 'journalArticle', 'Rooms'], 2021)
    """
    check_reader_options(function="read_zotero_csv", on_error=on_error, encoding=encoding)
    p = os.fspath(path)
    return mapped_frame(read_text(p, encoding), p, ZOTERO_COLUMNS, kind="Zotero CSV",
                         fmt="zotero_csv", on_error=on_error)
