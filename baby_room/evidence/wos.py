"""Web of Science exports: plain text (``FN Clarivate ...``) and tab-delimited.

Plain text: a two-character tag at the start of a line, a space, the value; a line
starting with three spaces continues the field (for ``AU``, ``AF``, ``C1``, ``CR`` each
continuation line is a new value, for ``TI``/``AB`` it continues the text); ``ER`` ends a
record, ``EF`` the file; ``FN``/``VR`` are the file header. Tab-delimited: a header of
the same tags (``PT AU BA ... UT``), one record per line, multi-valued fields
``"; "``-separated.
"""

from __future__ import annotations

import csv
import io
import os

import pandas as pd

from baby_room.errors import FileFormatError
from baby_room.evidence._bibcommon import (
    CANONICAL_COLUMNS,
    MAX_FILE_BYTES,
    check_reader_options,
    read_text,
    split_lines,
)
from baby_room.evidence.tagged import TagMap, tagged_frame

__all__ = ["read_wos", "WOS_TAGS"]

#: How Web of Science field tags feed the canonical columns (others go to ``extra``).
WOS_TAGS = TagMap(
    first={
        "record_type": ("PT",),
        "title": ("TI",),
        "year": ("PY", "EA"),
        "journal": ("SO", "J9", "JI"),
        "volume": ("VL",),
        "issue": ("IS",),
        "abstract": ("AB",),
        "language": ("LA",),
        "url": ("DL",),
    },
    every={
        "authors": ("AU",),
        "keywords": ("DE", "ID"),
        "affiliations": ("C1",),
    },
    doi=("DI", "D2"),
    doi_consumes=("DI",),
    pages=("BP", "EP"),
)

_LIST_TAGS = {"AU", "AF", "BA", "BF", "CA", "C1", "C3", "CR", "ED", "EM", "OI", "RI", "SP",
              "GP", "BE", "FU"}
_HEADER = {"FN", "VR", "EF"}


def _is_tag(line: str) -> bool:
    return (len(line) >= 2 and "A" <= line[0] <= "Z" and ("A" <= line[1] <= "Z"
            or "0" <= line[1] <= "9") and (len(line) == 2 or line[2] == " "))


def _plain_records(text: str):
    records, aside, outside = [], [], []
    current, last = None, None
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        if line.startswith("   ") and current is not None and last is not None:
            value = line.strip()
            values = current["tags"][last]
            if last in _LIST_TAGS:
                values.append(value)
            else:
                values[-1] = f"{values[-1]} {value}"
            continue
        if not _is_tag(line):
            outside.append((number, line.strip()))
            continue
        tag, value = line[:2], line[3:].strip()
        if tag in _HEADER and current is None:
            continue
        if tag == "ER":
            if current is not None:
                records.append(current)
            else:
                outside.append((number, line.strip()))
            current, last = None, None
            continue
        if current is None:
            current = {"line": number, "tags": {}}
        elif tag == "PT":
            aside.append({"row": current["line"], "text": (current["tags"].get("TI") or [""])[0],
                          "reasons": f"the record is not closed with 'ER' before the next "
                                     f"record on line {number}"})
            current = {"line": number, "tags": {}}
        current["tags"].setdefault(tag, []).append(value)
        last = tag
    if current is not None:
        aside.append({"row": current["line"], "text": (current["tags"].get("TI") or [""])[0],
                      "reasons": "the record is not closed with 'ER' (file truncated?)"})
    return records, aside, outside


def _tab_records(text: str, path: str):
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, MAX_FILE_BYTES))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t",
                            quoting=csv.QUOTE_NONE)
        rows = [(reader.line_num, r) for r in reader]
    except csv.Error as exc:
        raise FileFormatError(path, f"not a readable tab-delimited file ({exc})") from None
    finally:
        csv.field_size_limit(old)
    header = [h.strip() for h in rows[0][1]]
    while header and not header[-1]:
        header.pop()
    records, aside = [], []
    for line, fields in rows[1:]:
        if not any(f.strip() for f in fields):
            continue
        while len(fields) > len(header) and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != len(header):
            aside.append({"row": line, "text": "\t".join(fields)[:200],
                          "reasons": f"{len(fields)} fields, the header has "
                                     f"{len(header)}"})
            continue
        tags = {}
        for name, value in zip(header, fields, strict=True):
            value = value.strip()
            if not value:
                continue
            parts = [v.strip() for v in value.split("; ")] if name in {"AU", "AF", "CR",
                                                                      "EM", "DE", "ID"} \
                else [value]
            tags[name] = parts
        records.append({"line": line, "tags": tags})
    return records, aside


def is_wos_tab(text: str) -> bool:
    """True when the first line is a Web of Science tab-delimited header (``PT\\tAU...``)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = [c.strip() for c in first.split("\t")]
    return len(cells) > 5 and cells[0] == "PT" and {"AU", "TI", "SO"} <= set(cells)


def read_wos(path, *, encoding: str = "utf-8", on_error: str = "set_aside") -> pd.DataFrame:
    """Read a Web of Science export (plain text or tab-delimited) into canonical columns.

    ``title`` from ``TI``, ``authors`` from ``AU``, ``year`` ``PY``, ``journal`` ``SO``,
    ``volume`` ``VL``, ``issue`` ``IS``, ``pages`` ``BP-EP``, ``doi`` ``DI``,
    ``abstract`` ``AB``, ``keywords`` ``DE`` then ``ID`` (Keywords Plus),
    ``language`` ``LA``, ``affiliations`` ``C1`` (one per address, ``"; "``-joined),
    ``record_type`` ``PT``; every other tag (``UT``, ``AF``, ``CR``, ``TC``...) in ``extra``.

    Parameters
    ----------
    path : str or os.PathLike
        ``savedrecs.txt`` (plain text or tab-delimited; detected from the first line).
    encoding : str, default "utf-8"
        Text encoding (UTF-8 with BOM, or UTF-16 with BOM as older tab-delimited files).
    on_error : {"set_aside", "raise"}, default "set_aside"
        For records with no ``ER`` line, or rows with a wrong number of fields.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = ("FN Clarivate Analytics Web of Science\\nVR 1.0\\nPT J\\nAU Smith, J\\n"
    ...         "   Li, X\\nTI Baby rooms\\n   in England\\nPY 2019\\nDI 10.1/X\\nER\\n\\nEF\\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "savedrecs.txt"); _ = p.write_text(text)
    ...     df = read_wos(p)
    >>> df.loc[0, ["title", "authors", "doi"]].tolist()
    ['Baby rooms in England', 'Smith, J; Li, X', '10.1/x']
    """
    check_reader_options(function="read_wos", on_error=on_error, encoding=encoding)
    p = os.fspath(path)
    return wos_frame(read_text(p, encoding), p, on_error=on_error)


def wos_frame(text: str, path: str, *, on_error: str = "set_aside") -> pd.DataFrame:
    """The frame of :func:`read_wos` from text already read."""
    if is_wos_tab(text):
        records, aside = _tab_records(text.lstrip("\ufeff"), path)
        outside = []
        fmt = "wos_tab"
    else:
        records, aside, outside = _plain_records(text)
        fmt = "wos"
    if not records and not aside:
        raise FileFormatError(path, "line 1: no Web of Science records found")
    return tagged_frame(records, aside, outside, path, spec=WOS_TAGS, columns=CANONICAL_COLUMNS,
                        on_error=on_error, kind="Web of Science", fmt=fmt)
