"""Bibliographic import for the evidence review: one reader for every export, merging.

The extraction table (one row per included item, :func:`baby_room.load_evidence`)
says *what* each item studied; the reference manager and the screening tool say
*which* item it is. :func:`read_bibliography` reads any of their exports, detected
from the content, into the same canonical columns (``title, authors, year, journal,
volume, issue, pages, doi, abstract, keywords, language, database, affiliations, url``
and an ``extra`` mapping holding every other field, so nothing is lost). The
format-specific readers stay available:

* :func:`read_ris` (:mod:`.ris`) — RIS in every dialect (Ovid, EndNote, JSTOR/APA,
  Scopus, WoS, PubMed, Embase, CINAHL, Zotero, Mendeley, EPPI-Reviewer, Covidence,
  Rayyan, Google Scholar);
* :func:`read_bibtex` (:mod:`.bibtex`) — Scopus, WoS, Zotero, Google Scholar BibTeX;
* :func:`read_wos` (:mod:`.wos`) — Web of Science plain text and tab-delimited;
* :func:`read_medline` (:mod:`.medline`) — PubMed MEDLINE / ``.nbib``;
* :func:`read_endnote_xml` (:mod:`.endnote_xml`);
* :func:`read_rayyan`, :func:`read_covidence`, :func:`read_zotero_csv`
  (:mod:`.screening_csv`) — screening-tool and reference-manager CSVs, with Rayyan's
  decisions parsed out of its ``notes`` column.

:func:`merge_bibliography` joins bibliographic metadata to review records;
:func:`flag_duplicates` (:mod:`.dedupe`) flags duplicates; :func:`affiliation_countries`
(:mod:`.affiliations`) finds the country of each author affiliation.

Every reader raises :class:`baby_room.errors.FileFormatError` naming the file (and
the line, where there is one) for a missing, unreadable or special file, an
undecodable encoding or a file with no record; a malformed record is set aside
(``baby_room.set_aside_rows(result)``) with its line and reason.
"""

from __future__ import annotations

import os
import re
import warnings

import numpy as np
import pandas as pd

from baby_room._args import check_frame, one_of
from baby_room.errors import ArgumentError, FileFormatError, UnmatchedValueWarning
from baby_room.evidence._bibcommon import (
    EARLIEST_YEAR,
    check_reader_options,
    decode,
    flag_years,
    normalise_doi,
    normalise_title,
    read_bytes,
)
from baby_room.evidence.bibtex import bibtex_frame, read_bibtex
from baby_room.evidence.dedupe import flag_duplicates
from baby_room.evidence.endnote_xml import endnote_xml_frame, read_endnote_xml
from baby_room.evidence.medline import medline_frame, read_medline
from baby_room.evidence.ris import read_ris, ris_frame
from baby_room.evidence.screening_csv import (
    COVIDENCE_COLUMNS,
    ZOTERO_COLUMNS,
    mapped_frame,
    parse_rayyan_notes,
    rayyan_frame,
    read_covidence,
    read_rayyan,
    read_zotero_csv,
)
from baby_room.evidence.wos import is_wos_tab, read_wos, wos_frame

__all__ = [
    "normalise_doi",
    "normalise_title",
    "read_bibliography",
    "detect_bibliography_format",
    "BIBLIOGRAPHY_FORMATS",
    "read_rayyan",
    "read_covidence",
    "read_zotero_csv",
    "parse_rayyan_notes",
    "read_ris",
    "read_bibtex",
    "read_wos",
    "read_medline",
    "read_endnote_xml",
    "merge_bibliography",
    "flag_duplicates",
    "flag_years",
    "EARLIEST_YEAR",
]

#: Formats :func:`read_bibliography` recognises, with how it recognises them.
BIBLIOGRAPHY_FORMATS = {
    "ris": "RIS: a line 'TY  - ' (Ovid, EndNote, JSTOR, Scopus, WoS, PubMed, Embase, CINAHL, "
           "Zotero, Mendeley, EPPI-Reviewer, Covidence, Rayyan, Google Scholar)",
    "bibtex": "BibTeX: an entry '@type{key,' (Scopus, WoS, Zotero, Google Scholar)",
    "wos": "Web of Science plain text: 'FN Clarivate...' or 'PT J' tag lines",
    "wos_tab": "Web of Science tab-delimited: a header 'PT<tab>AU<tab>...'",
    "medline": "PubMed MEDLINE/.nbib: a line 'PMID- '",
    "endnote_xml": "EndNote XML: <xml><records><record>",
    "rayyan": "Rayyan CSV: columns 'key', 'title', ..., 'notes'",
    "covidence_csv": "Covidence CSV: columns 'Title', ..., 'Covidence #' or 'Published Year'",
    "zotero_csv": "Zotero CSV: columns 'Key', 'Item Type', 'Publication Year', ...",
}

_RIS_LINE = re.compile(r"^TY  -", re.MULTILINE)
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_MEDLINE_LINE = re.compile(r"^PMID- ", re.MULTILINE)
_WOS_LINE = re.compile(r"^(?:FN |PT [A-Z]\s*$)", re.MULTILINE)


def _csv_header(text: str) -> list[str]:
    import csv
    import io

    first = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(first)))]
    except (StopIteration, csv.Error):
        return []


def detect_bibliography_format(text: str) -> str | None:
    """The format of a bibliographic export from its text, or None when unknown.

    Parameters
    ----------
    text : str
        The decoded file.

    Returns
    -------
    str or None
        A key of :data:`BIBLIOGRAPHY_FORMATS`.

    Examples
    --------
    >>> detect_bibliography_format("1.\\nTY  - JOUR\\nTI  - x\\nER  - \\n")
    'ris'
    >>> detect_bibliography_format("PMID- 1\\nTI  - x\\n")
    'medline'
    >>> detect_bibliography_format("key,title,authors,notes\\n1,x,y,z\\n")
    'rayyan'
    >>> detect_bibliography_format("just prose") is None
    True
    """
    head = text[:200_000].lstrip("\ufeff \t\r\n")
    if head.startswith("<") and re.search(r"<records?[\s>]", head):
        return "endnote_xml"
    if is_wos_tab(head):
        return "wos_tab"
    if _MEDLINE_LINE.search(head):
        return "medline"
    if head.startswith("FN ") or (_WOS_LINE.search(head) and re.search(r"^ER\s*$", head,
                                                                      re.MULTILINE)):
        return "wos"
    if _RIS_LINE.search(head):
        return "ris"
    if _BIBTEX_ENTRY.search(head):
        return "bibtex"
    header = _csv_header(head)
    if "Title" in header and ("Covidence #" in header or "Published Year" in header):
        return "covidence_csv"
    if {"Key", "Item Type", "Title"} <= set(header):
        return "zotero_csv"
    if {"title", "notes"} <= {h.lower() for h in header} and "key" in header:
        return "rayyan"
    return None


def read_bibliography(path, *, encoding: str = "utf-8", format: str | None = None,
                      on_error: str = "set_aside") -> pd.DataFrame:
    """Read any bibliographic export, recognising its format from the content.

    Parameters
    ----------
    path : str or os.PathLike
        The export (RIS, BibTeX, Web of Science, MEDLINE, EndNote XML, Rayyan /
        Covidence / Zotero CSV; see :data:`BIBLIOGRAPHY_FORMATS`).
    encoding : str, default "utf-8"
        Text encoding (UTF-8 with or without BOM; UTF-16 with BOM).
    format : str, optional
        Skip detection and read as this format (a key of :data:`BIBLIOGRAPHY_FORMATS`).
    on_error : {"set_aside", "raise"}, default "set_aside"
        Malformed records: set aside with their line and reason
        (``baby_room.set_aside_rows(result)``), or raised in one FileFormatError.

    Returns
    -------
    pandas.DataFrame
        The canonical columns (``record_line, record_type, title, authors, year,
        journal, volume, issue, pages, doi, abstract, keywords, language, database,
        affiliations, url, extra, year_flag``; a ``key`` first where the format has
        one; Rayyan's own columns and decisions for a Rayyan export).
        ``attrs["format"]`` names the format detected.

    Raises
    ------
    FileFormatError
        A format it does not recognise (the message lists those it does), or any
        error of the format's reader.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> text = "Record #1 of 1\\nTY  - JOUR\\nTI  - Baby rooms\\nN2  - Abstract.\\nER  - \\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "endnote.txt"); _ = p.write_text(text)
    ...     with warnings.catch_warnings():
    ...         warnings.simplefilter("ignore")
    ...         df = read_bibliography(p)
    >>> df.attrs["format"], df.loc[0, "abstract"]
    ('ris', 'Abstract.')
    """
    check_reader_options(function="read_bibliography", on_error=on_error, encoding=encoding)
    p = os.fspath(path)
    if format is not None:
        one_of(format, BIBLIOGRAPHY_FORMATS, function="read_bibliography", parameter="format")
    raw = read_bytes(p)
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if format == "endnote_xml" or (format is None and head.startswith(b"<")
                                   and re.search(rb"<records?[\s>]", raw[:200_000])):
        return endnote_xml_frame(raw, p, on_error=on_error)
    text = decode(raw, p, encoding)
    fmt = format or detect_bibliography_format(text)
    if fmt is None:
        known = "; ".join(BIBLIOGRAPHY_FORMATS.values())
        raise FileFormatError(p, f"not a bibliographic export this package knows; the formats "
                                 f"it reads are: {known}")
    if fmt == "ris":
        return ris_frame(text, p, on_error=on_error)
    if fmt == "bibtex":
        return bibtex_frame(text, p, on_error=on_error)
    if fmt in {"wos", "wos_tab"}:
        return wos_frame(text, p, on_error=on_error)
    if fmt == "medline":
        return medline_frame(text, p, on_error=on_error)
    if fmt == "rayyan":
        return rayyan_frame(text, p, on_error=on_error)
    if fmt == "covidence_csv":
        return mapped_frame(text, p, COVIDENCE_COLUMNS, kind="Covidence", fmt=fmt, on_error=on_error)
    if fmt == "zotero_csv":
        return mapped_frame(text, p, ZOTERO_COLUMNS, kind="Zotero CSV", fmt=fmt, on_error=on_error)
    return endnote_xml_frame(raw, p, on_error=on_error)  # pragma: no cover - handled above


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
        check_frame(frame, function="merge_bibliography", parameter=name)
        if doi not in frame.columns and title not in frame.columns:
            raise ArgumentError(
                "merge_bibliography", name,
                f"a table with a {doi!r} or a {title!r} column to match on", frame,
                hint=f"Columns of {name}: {', '.join(map(str, frame.columns))}")

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


