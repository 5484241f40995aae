"""PubMed MEDLINE / ``.nbib`` files (``PMID- 12345``, ``TI  - ...``, ``FAU - ...``).

Each line is a tag of up to four capitals, padded to four characters, then ``- `` and
the value; a line starting with six spaces continues the field above; a blank line or
the next ``PMID-`` ends the record (NLM, "MEDLINE/PubMed Data Element (Field)
Descriptions").
"""

from __future__ import annotations

import os
import re

import pandas as pd

from baby_room.errors import FileFormatError
from baby_room.evidence._bibcommon import (
    CANONICAL_COLUMNS,
    check_reader_options,
    finish,
    frame_from_records,
    read_text,
    set_aside,
    split_lines,
    warn_outside,
)
from baby_room.evidence.tagged import TagMap, to_canonical

__all__ = ["read_medline", "MEDLINE_TAGS"]

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,2}- ?(.*)$")

#: How MEDLINE tags feed the canonical columns (others, e.g. ``PMID``, ``MH``, in ``extra``).
MEDLINE_TAGS = TagMap(
    first={
        "record_type": ("PT",),
        "title": ("TI", "BTI"),
        "year": ("DP", "DEP"),
        "journal": ("JT", "TA"),
        "volume": ("VI",),
        "issue": ("IP",),
        "pages": ("PG",),
        "abstract": ("AB",),
        "language": ("LA",),
    },
    every={
        "authors": ("FAU",),
        "keywords": ("OT",),
        "affiliations": ("AD",),
    },
    doi=("_DOI",),
    doi_consumes=("_DOI",),
)


def read_medline(path, *, encoding: str = "utf-8", on_error: str = "set_aside") -> pd.DataFrame:
    """Read a PubMed MEDLINE (``.nbib``/``.txt``) file into the canonical columns.

    ``title`` ``TI``, ``authors`` ``FAU`` (full names; ``AU`` if there is none),
    ``year`` ``DP``, ``journal`` ``JT`` (else ``TA``), ``volume`` ``VI``, ``issue``
    ``IP``, ``pages`` ``PG``, ``doi`` the ``LID``/``AID`` value marked ``[doi]``,
    ``abstract`` ``AB``, ``keywords`` ``OT``, ``language`` ``LA``, ``affiliations``
    ``AD``; ``PMID``, ``MH`` and the rest in ``extra``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = ("PMID- 1\\nTI  - Baby rooms and\\n      ratios.\\nFAU - Smith, John\\n"
    ...         "AU  - Smith J\\nDP  - 2019 May\\nLID - 10.1/X [doi]\\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "pubmed.nbib"); _ = p.write_text(text)
    ...     df = read_medline(p)
    >>> df.loc[0, ["title", "authors", "doi"]].tolist(), df.loc[0, "extra"]["PMID"]
    (['Baby rooms and ratios.', 'Smith, John', '10.1/x'], '1')
    """
    check_reader_options(function="read_medline", on_error=on_error, encoding=encoding)
    p = os.fspath(path)
    return medline_frame(read_text(p, encoding), p, on_error=on_error)


def medline_frame(text: str, path: str, *, on_error: str = "set_aside") -> pd.DataFrame:
    """The frame of :func:`read_medline` from text already read."""
    records, outside = [], []
    current, last = None, None
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            current, last = None, None
            continue
        if line.startswith("      ") and current is not None and last is not None:
            values = current["tags"][last]
            values[-1] = f"{values[-1]} {line.strip()}"
            continue
        match = _TAG.match(line)
        if match is None:
            outside.append((number, line.strip()))
            continue
        tag, value = match.group(1), match.group(2).strip()
        if current is None or tag == "PMID" and "PMID" in current["tags"]:
            current = {"line": number, "tags": {}}
            records.append(current)
        current["tags"].setdefault(tag, []).append(value)
        last = tag
    if not records:
        raise FileFormatError(path, "line 1: no MEDLINE records found (no 'PMID- ' line)")
    rows = []
    for rec in records:
        tags = rec["tags"]
        dois = [v for name in ("LID", "AID") for v in tags.get(name, ()) if "[doi]" in v]
        if dois:
            tags["_DOI"] = dois[:1]
        spec = MEDLINE_TAGS
        if "FAU" not in tags and "AU" in tags:
            tags["FAU"] = tags.pop("AU")
        row = to_canonical(tags, spec)
        row["extra"].pop("_DOI", None)
        row["record_line"] = rec["line"]
        rows.append(row)
    frame = frame_from_records(rows, CANONICAL_COLUMNS)
    warn_outside(path, outside)
    frame = set_aside(frame, path, [], on_error)
    return finish(frame, path, "MEDLINE", fmt="medline")
