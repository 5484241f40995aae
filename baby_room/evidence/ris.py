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
its line and reason; the other records load. A tag is a capital A-Z then a capital or a
digit: a line such as ``Ab  - text`` is not a tag line but text continuing the field
above it, as rispy reads it too.

The whole file is tokenized at once (:func:`tokenize_ris`: vectorised line classes,
records cut at their ``ER`` lines) and the canonical columns computed per tag, not per
record (:mod:`baby_room.evidence._tag_columns`); see ``docs/performance.md``.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from baby_room.evidence._bibcommon import (
    CANONICAL_COLUMNS,
    check_reader_options,
    read_text,
)
from baby_room.evidence._tag_columns import TagEntries
from baby_room.evidence.tagged import TagMap, tagged_frame

__all__ = ["read_ris", "parse_ris", "tokenize_ris", "RIS_COLUMNS", "RIS_TAGS"]

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

# the same rules for pyarrow's RE2, one line at a time
_TAG_LINE_RE2 = r"^[A-Z][A-Z0-9]  -(?: |$)"
_BROKEN_TAG_RE2 = r"^[A-Z][A-Z0-9](?: |\t+| {3,})-(?: |$)"
_TEXT = pa.large_string()


def parse_ris(text: str) -> tuple[list[dict], list[dict], list[tuple[int, str]]]:
    """Split RIS text into tagged records, malformed records and lines outside records.

    The record-by-record view of :func:`tokenize_ris`.

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
    entries, aside, outside = tokenize_ris(text)
    return entries.to_records(), aside, outside


def tokenize_ris(text: str) -> tuple[TagEntries, list[dict], list[tuple[int, str]]]:
    """Split RIS text into tag entries (records as columns), malformed records and lines
    outside records, in a few whole-file passes.

    The file is cut at each ``ER  -`` line. A piece is an ordinary record when its first
    tag line is its only ``TY`` and it has no malformed tag line; for all of them at
    once, tag lines become entries (tag = first two characters, value = the rest after
    ``"  - "``, stripped), a non-blank line without a tag is appended to the value above
    it with a space, and non-blank lines before the ``TY`` (Ovid's ``1.``, EndNote's
    ``Record #3 of 12``, a ``Provider:`` header) are lines outside records. The line
    classes are computed by pyarrow's vectorised regular expressions over the array of
    lines and the pieces found with numpy, so Python touches only the few lines that
    need it. Any other piece (a broken tag line, a second ``TY``, tags before ``TY``, no
    ``ER`` before the end) goes through the line-by-line parser, which sets the faulty
    record aside with its line and reason.

    Returns
    -------
    (entries, aside, outside)
        :class:`~baby_room.evidence._tag_columns.TagEntries` of the good records (in
        file order), the set-aside records (``{"row", "text", "reasons"}``) and the
        ``(line, text)`` of each non-blank line outside a record.

    Examples
    --------
    >>> e, aside, outside = tokenize_ris(
    ...     "1.\\nTY  - JOUR\\nAB  - Two\\n  lines\\nER  - \\nTY  - JOUR\\n")
    >>> e.record_line.tolist(), e.tag.to_pylist(), e.value.to_pylist()
    ([2], ['TY', 'AB'], ['JOUR', 'Two lines'])
    >>> outside, aside[0]["reasons"]
    ([(1, '1.')], "the record is not closed with 'ER  - ' (file truncated?)")
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = pc.split_pattern(pa.array([text], _TEXT), "\n").flatten()
    n_lines = len(lines)

    def flags(array) -> np.ndarray:
        return array.to_numpy(zero_copy_only=False)

    # every array spanning all lines is a bitmap, a bool or an int32 array: on a large
    # file the time goes into memory first touched, so none is copied needlessly
    is_tag = flags(pc.match_substring_regex(lines, _TAG_LINE_RE2))
    is_end = flags(pc.starts_with(lines, "ER  -"))
    blank = flags(pc.or_(pc.equal(lines, ""), pc.utf8_is_space(lines)))  # "" == strip()
    odd = ~is_tag & ~blank & ~is_end
    if odd.any():  # a line with "  -" after two other characters, or a broken tag
        maybe = np.flatnonzero(odd)
        some = lines.take(pa.array(maybe))
        bad = flags(pc.or_(pc.match_substring_regex(some, "^..  -"),
                           pc.match_substring_regex(some, _BROKEN_TAG_RE2)))
        unusual = np.zeros(n_lines, dtype=bool)
        unusual[maybe[bad]] = True
    else:
        unusual = odd
    is_ty = is_tag & flags(pc.starts_with(lines, "TY  -"))

    ends = np.flatnonzero(is_end)
    n_seg = len(ends)
    seg = np.cumsum(is_end, dtype=np.int32) - is_end  # piece of each line (with its ER)
    body = seg < n_seg
    n_ty = np.bincount(seg[is_ty & body], minlength=n_seg)
    n_unusual = np.bincount(seg[unusual & body], minlength=n_seg)
    tag_lines = np.flatnonzero(is_tag & ~is_end & body)
    tag_seg = seg[tag_lines]
    with_tags, first_at = np.unique(tag_seg, return_index=True)
    first_tag = np.full(n_seg + 1, n_lines, dtype=np.int64)
    first_tag[with_tags] = tag_lines[first_at]
    first_is_ty = np.zeros(n_seg + 1, dtype=bool)
    first_is_ty[with_tags] = is_ty[tag_lines[first_at]]
    ok = np.zeros(n_seg + 1, dtype=bool)
    ok[:n_seg] = (n_ty == 1) & first_is_ty[:n_seg] & (n_unusual == 0)

    keep = tag_lines[ok[tag_seg]]
    record_of_seg = np.cumsum(ok) - 1
    rec = record_of_seg[seg[keep]]
    record_line = first_tag[ok] + 1
    # lines without a tag in ordinary records: before the TY outside, after it continuing
    plain = np.flatnonzero(ok[seg] & ~is_tag & ~blank & ~is_end)
    before = plain < first_tag[seg[plain]]
    plain_text = pc.utf8_trim_whitespace(lines.take(pa.array(plain))).to_pylist()
    outside: list[tuple[int, str]] = [
        (k + 1, t) for k, t, b in zip(plain.tolist(), plain_text, before.tolist(), strict=True)
        if b]
    tag_text = lines.take(pa.array(keep))
    tags = pc.utf8_slice_codeunits(tag_text, 0, 2)
    values = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(tag_text, 6))
    del tag_text
    if not before.all():
        more = [t for t, b in zip(plain_text, before.tolist(), strict=True) if not b]
        values = _continue(values, keep, plain[~before], more)
    fast = TagEntries(record_line, rec, tags, values)

    records: list[dict] = []
    aside: list[dict] = []
    starts = np.concatenate([[0], ends[:-1] + 1]) if n_seg else np.zeros(0, dtype=np.int64)
    for s in np.flatnonzero(~ok[:n_seg]).tolist():
        start, end = int(starts[s]), int(ends[s])
        _parse_lines(lines.slice(start, end - start + 1).to_pylist(), start + 1, records,
                     aside, outside)
    tail = int(ends[-1]) + 1 if n_seg else 0
    if tail < n_lines and not blank[tail:].all():
        _parse_lines(lines.slice(tail).to_pylist(), tail + 1, records, aside, outside)
    outside.sort(key=lambda item: item[0])
    return TagEntries.concat([fast, TagEntries.from_records(records)]), aside, outside


def _continue(values: pa.Array, keep: np.ndarray, more: np.ndarray, parts: list[str]
              ) -> pa.Array:
    """Values (of tag lines ``keep``) with the text of the lines ``more`` (``parts``)
    appended to the tag line above each, space-separated."""
    owner = np.searchsorted(keep, more) - 1
    owners, begin = np.unique(owner, return_index=True)
    stop = np.append(begin[1:], len(owner))
    heads = values.take(pa.array(owners)).to_pylist()
    joined = [" ".join(parts[b:e]) if not h else f"{h} {' '.join(parts[b:e])}"
              for h, b, e in zip(heads, begin.tolist(), stop.tolist(), strict=True)]
    mask = np.zeros(len(values), dtype=bool)
    mask[owners] = True
    return pc.replace_with_mask(values, pa.array(mask), pa.array(joined, _TEXT))


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

    entries, aside, outside = tokenize_ris(text)
    if not len(entries.record_line) and not aside:
        raise FileFormatError(path, "line 1: no RIS records found (no 'TY  - ' line)")
    return tagged_frame(entries, aside, outside, path, spec=RIS_TAGS, columns=RIS_COLUMNS,
                        on_error=on_error, kind="RIS", fmt="ris")
