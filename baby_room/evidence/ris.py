"""RIS files in every dialect met in systematic reviews.

RIS (Research Information Systems) is a tagged format: each line ``XX  - value`` (two
capitals or a capital and a digit, two spaces, a hyphen, a space), records from
``TY  - `` to ``ER  - ``, a line without a tag continuing the field above. Dialects
read here, each reproduced by a fixture in ``tests/fixtures/evidence/``:

* Ovid numbers records with a line ``1.`` (or ``<1>``) before ``TY``; EndNote writes
  ``Record #3 of 12``; JSTOR and APA PsycNet open with a ``Provider:/Database:/Content:``
  header block. Such lines outside records are reported in one warning, not refused.
* Embase and Covidence (via EndNote) put the abstract in ``N2``; CINAHL puts the DOI in
  ``L3``; Rayyan's DOI can carry trailing junk; Scopus, Web of Science, PubMed,
  Zotero, Mendeley, EPPI-Reviewer and Google Scholar write the common tags.

A record with a malformed tag line, no ``ER`` before the next ``TY`` or the end of the
file, or tag lines before any ``TY`` is set aside (``baby_room.set_aside_rows``) with
its line and reason; the other records load.
"""

from __future__ import annotations

import os
import re

import pandas as pd

from baby_room.evidence._bibcommon import (
    CANONICAL_COLUMNS,
    check_reader_options,
    read_text,
)
from baby_room.evidence.tagged import TagMap, tagged_frame

__all__ = ["read_ris", "parse_ris", "RIS_COLUMNS", "RIS_TAGS"]

#: Columns returned by :func:`read_ris`, in order.
RIS_COLUMNS = CANONICAL_COLUMNS

#: How RIS tags feed the canonical columns (other tags go to ``extra``).
RIS_TAGS = TagMap(
    first={
        "record_type": ("TY",),
        "title": ("TI", "T1", "CT"),
        "year": ("PY", "Y1", "DA", "Y2"),
        "journal": ("T2", "JF", "JO", "JA", "J2", "J1", "BT"),
        "volume": ("VL",),
        "issue": ("IS", "CP"),
        "abstract": ("AB", "N2"),
        "language": ("LA",),
        "database": ("DB", "DP"),
    },
    every={
        "authors": ("AU", "A1"),
        "keywords": ("KW",),
        "affiliations": ("AD",),
        "url": ("UR",),
    },
    doi=("DO", "L3", "M3", "UR", "L2"),
    doi_consumes=("DO", "L3"),
    pages=("SP", "EP"),
)

# a tag with the wrong spacing ("AU - X", "AU   - X", "AU\t- X"); not prose such as "UK-based"
_BROKEN_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: |\t+| {3,})-(?: |$)", re.MULTILINE)


_TAG_LINE = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?$")

def parse_ris(text: str) -> tuple[list[dict], list[dict], list[tuple[int, str]]]:
    """Split RIS text into tagged records, malformed records and lines outside records.

    Returns
    -------
    (records, aside, outside)
        ``records``: ``{"line": n, "tags": {tag: [values]}}`` for each good record;
        ``aside``: ``{"row", "text", "reasons"}`` for each malformed one; ``outside``:
        ``(line, text)`` of each non-blank line outside a record.

    Examples
    --------
    >>> recs, aside, outside = parse_ris("1.\\nTY  - JOUR\\nTI  - A\\nER  - \\n")
    >>> recs[0]["tags"], aside, outside
    ({'TY': ['JOUR'], 'TI': ['A']}, [], [(1, '1.')])
    """
    records: list[dict] = []
    aside: list[dict] = []
    outside: list[tuple[int, str]] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    lines = text.split("\n")
    ends = [k for k, line in enumerate(lines) if line[:5] == "ER  -"]
    start = 0
    for end in ends:
        if not _fast_record(lines, start, end, records, outside):
            _parse_lines(lines[start:end + 1], start + 1, records, aside, outside)
        start = end + 1
    if any(line.strip() for line in lines[start:]):
        _parse_lines(lines[start:], start + 1, records, aside, outside)
    return records, aside, outside


def _fast_record(lines: list, start: int, end: int, records: list, outside: list) -> bool:
    """One record ending at an ``ER`` line, read in one pass (plain lines before its TY
    are outside lines, after it continuations); False sends anything unusual (a broken
    tag, a second TY, tags before TY) to the line-by-line parser."""
    tags: dict[str, list[str]] = {}
    values = None
    stray = []
    first = None
    get = tags.get
    for k, line in enumerate(lines[start:end], start):
        if line[2:6] == "  - " or line[2:] == "  -":
            tag = line[:2]
            values = get(tag)
            if values is None:
                if first is None:
                    if tag != "TY":
                        return False
                    first = k
                values = tags[tag] = []
            values.append(line[6:].strip())
        elif line:
            stripped = line.strip()
            if not stripped:
                continue
            if _BROKEN_TAG.match(line) or line[2:5] == "  -":
                return False
            if values is None:
                stray.append((k + 1, stripped))
            else:
                values[-1] = f"{values[-1]} {stripped}" if values[-1] else stripped
    if first is None or len(tags["TY"]) != 1 or not all(
            t[0].isupper() and t[1].isalnum() for t in tags):
        return False
    outside.extend(stray)
    records.append({"line": first + 1, "tags": tags})
    return True


def _parse_lines(lines, first, records, aside, outside) -> None:
    """The line-by-line RIS parser (continuations, broken tags, stray lines, no ER)."""
    current = None  # {"line", "tags", "last", "problem"}
    orphan = None  # tag lines seen before any TY

    def close(rec, reason=None):
        problem = reason or rec["problem"]
        if problem:
            first_title = next(iter(rec["tags"].get("TI") or rec["tags"].get("T1") or [""]))
            aside.append({"row": rec["line"], "text": first_title[:200], "reasons": problem})
        else:
            records.append({"line": rec["line"], "tags": rec["tags"]})

    match_tag = _TAG_LINE.match
    for number, line in enumerate(lines, start=first):
        m = match_tag(line)
        if m is None:
            stripped = line.strip()
            if not stripped:
                continue
            rec = current or orphan
            if rec is None:
                outside.append((number, stripped))
                continue
            if _BROKEN_TAG.match(line):
                if not rec["problem"]:
                    rec["problem"] = (f"malformed RIS tag line {stripped[:40]!r} on line {number}; "
                                      f"a tag line is two capitals, two spaces, a hyphen and a "
                                      f"space, e.g. 'TI  - Title'")
                continue
            last = rec["last"]
            if last is None:
                outside.append((number, stripped))
            else:
                values = rec["tags"][last]
                values[-1] = f"{values[-1]} {stripped}" if values[-1] else stripped
            continue
        tag = m.group(1)
        if tag == "TY":
            if current is not None:
                close(current, f"the record is not closed with 'ER  - ' before the next record "
                               f"on line {number}")
            if orphan is not None:
                close(orphan, "tag lines before any 'TY  - ' line (the record has no type line)")
                orphan = None
            current = {"line": number, "tags": {"TY": [(m.group(2) or "").strip()]},
                       "last": "TY", "problem": None}
            continue
        if tag == "ER":
            if current is not None:
                close(current)
                current = None
            elif orphan is not None:
                close(orphan, "tag lines before any 'TY  - ' line (the record has no type line)")
                orphan = None
            else:
                outside.append((number, line.strip()))
            continue
        rec = current
        if rec is None:
            if orphan is None:
                orphan = {"line": number, "tags": {}, "last": None, "problem": None}
            rec = orphan
        value = m.group(2)
        value = value.strip() if value else ""
        existing = rec["tags"].get(tag)
        if existing is None:
            rec["tags"][tag] = [value]
        else:
            existing.append(value)
        rec["last"] = tag
    if current is not None:
        close(current, "the record is not closed with 'ER  - ' (file truncated?)")
    if orphan is not None:
        close(orphan, "tag lines before any 'TY  - ' line (the record has no type line)")


def read_ris(path, *, encoding: str = "utf-8", on_error: str = "set_aside") -> pd.DataFrame:
    """Read a RIS file into one row per record, in the canonical bibliographic columns.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.ris`` file (any of the dialects in the module docstring).
    encoding : str, default "utf-8"
        Text encoding (a UTF-8 byte-order mark is accepted).
    on_error : {"set_aside", "raise"}, default "set_aside"
        What to do with a malformed record: set it aside with its line and reason
        (``baby_room.set_aside_rows(result)``, and a ``RowsSetAsideWarning``), or raise
        one FileFormatError listing them all.

    Returns
    -------
    pandas.DataFrame
        One row per record: ``record_line`` (line of its ``TY``), ``record_type``
        (``TY``), ``title`` (``TI``, ``T1``, ``CT``), ``authors`` (``AU`` and ``A1``,
        ``"; "``-joined in file order), ``year`` (Int64, from ``PY``, ``Y1``, ``DA``),
        ``journal`` (``T2``, ``JF``, ``JO``, ``JA``, ``J2``...), ``volume``, ``issue``,
        ``pages`` (``SP-EP``), ``doi`` (the first valid DOI of ``DO``, ``L3``, ``M3``,
        ``UR``, normalised), ``abstract`` (``AB``, else ``N2``), ``keywords``,
        ``language``, ``database`` (``DB``/``DP``), ``affiliations`` (``AD``), ``url``
        (``UR``), ``extra`` (every other tag: ``{tag: "; "-joined values}``) and
        ``year_flag``. ``attrs["source"]`` names the file.

    Raises
    ------
    FileFormatError
        Missing, unreadable or special file (a FIFO or device is refused before it is
        opened), undecodable bytes, no record at all, no record that could be read (the
        reasons of those set aside are listed), or (with ``on_error="raise"``) any
        malformed record; the message names the file and the line.

    Warns
    -----
    UserWarning
        Lines outside records (Ovid numbers, EndNote ``Record #`` lines, header blocks).

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
    check_reader_options(function="read_ris", on_error=on_error, encoding=encoding)
    text = read_text(path, encoding)
    return ris_frame(text, os.fspath(path), on_error=on_error)


def ris_frame(text: str, path: str, *, on_error: str = "set_aside") -> pd.DataFrame:
    """The frame of :func:`read_ris` from RIS text already read (``path`` for messages)."""
    from baby_room.errors import FileFormatError

    records, aside, outside = parse_ris(text)
    if not records and not aside:
        raise FileFormatError(path, "line 1: no RIS records found (no 'TY  - ' line)")
    return tagged_frame(records, aside, outside, path, spec=RIS_TAGS, columns=RIS_COLUMNS,
                        on_error=on_error, kind="RIS", fmt="ris")
