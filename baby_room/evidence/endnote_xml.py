"""EndNote XML exports (``<xml><records><record>...``).

Each ``<record>`` is flattened to ``{path: [texts]}`` (``titles/title``,
``contributors/authors/author``...; the ``<style>`` wrappers EndNote puts around text
are dissolved) and mapped to the canonical columns; other leaves go to ``extra`` under
their path. XML is parsed with :mod:`defusedxml` (no DTDs, entities or external
references).
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
    read_bytes,
    set_aside,
)
from baby_room.evidence.tagged import TagMap, to_canonical

__all__ = ["read_endnote_xml", "ENDNOTE_XML_PATHS"]

#: How EndNote XML paths feed the canonical columns.
ENDNOTE_XML_PATHS = TagMap(
    first={
        "record_type": ("ref-type",),
        "title": ("titles/title",),
        "year": ("dates/year", "dates/pub-dates/date"),
        "journal": ("titles/secondary-title", "periodical/full-title",
                    "titles/alt-title", "periodical/abbr-1"),
        "volume": ("volume",),
        "issue": ("number", "issue"),
        "pages": ("pages",),
        "abstract": ("abstract",),
        "language": ("language",),
        "database": ("remote-database-name", "remote-database-provider"),
    },
    every={
        "authors": ("contributors/authors/author",),
        "keywords": ("keywords/keyword",),
        "affiliations": ("auth-address",),
        "url": ("urls/related-urls/url", "urls/web-urls/url"),
    },
    doi=("electronic-resource-num",),
    doi_consumes=("electronic-resource-num",),
)


def _flatten(element, prefix: str, out: dict) -> None:
    for child in element:
        tag = child.tag
        path = f"{prefix}/{tag}" if prefix else tag
        if tag == "style":
            continue
        if any(g.tag != "style" for g in child):
            _flatten(child, path, out)
            continue
        text = "".join(child.itertext()).strip()
        if tag == "ref-type" and child.get("name"):
            text = child.get("name")
        if text:
            out.setdefault(path, []).append(text)


def read_endnote_xml(path, *, on_error: str = "set_aside") -> pd.DataFrame:
    """Read an EndNote XML export into the canonical bibliographic columns.

    ``record_type`` is the ``ref-type`` name (``Journal Article``), ``title``
    ``titles/title``, ``authors`` every ``contributors/authors/author``, ``journal``
    ``titles/secondary-title`` (else ``periodical/full-title``), ``year`` ``dates/year``,
    ``doi`` ``electronic-resource-num``, ``affiliations`` ``auth-address``, ``url``
    ``urls/related-urls/url``; every other leaf in ``extra`` under its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = ('<?xml version="1.0" encoding="UTF-8" ?><xml><records><record>'
    ...         '<ref-type name="Journal Article">17</ref-type><contributors><authors>'
    ...         '<author><style face="normal">Smith, J.</style></author></authors>'
    ...         '</contributors><titles><title><style>Baby rooms</style></title></titles>'
    ...         '<dates><year>2019</year></dates></record></records></xml>')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "endnote.xml"); _ = p.write_text(text)
    ...     df = read_endnote_xml(p)
    >>> df.loc[0, ["record_type", "title", "authors"]].tolist(), int(df.loc[0, "year"])
    (['Journal Article', 'Baby rooms', 'Smith, J.'], 2019)
    """
    check_reader_options(function="read_endnote_xml", on_error=on_error)
    p = os.fspath(path)
    return endnote_xml_frame(read_bytes(p), p, on_error=on_error)


def endnote_xml_frame(data: bytes, path: str, *, on_error: str = "set_aside") -> pd.DataFrame:
    """The frame of :func:`read_endnote_xml` from the file's bytes."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as DET

    if not data.strip():
        raise FileFormatError(path, "file is empty")
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise FileFormatError(path, "XML with a DTD, entities or external references is "
                                    "refused (not an EndNote export)") from None
    except ParseError as exc:
        raise FileFormatError(path, f"XML syntax error: {exc}") from None
    records = root.iter("record")
    text = data.decode("utf-8", errors="replace")
    starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<record[\s>]", text)]
    rows = []
    for k, record in enumerate(records):
        tags: dict = {}
        _flatten(record, "", tags)
        row = to_canonical(tags, ENDNOTE_XML_PATHS)
        row["record_line"] = starts[k] if k < len(starts) else pd.NA
        rows.append(row)
    if not rows:
        raise FileFormatError(path, "no <record> elements found; an EndNote XML export has "
                                    "<xml><records><record>...")
    frame = frame_from_records(rows, CANONICAL_COLUMNS)
    frame = set_aside(frame, path, [], on_error)
    return finish(frame, path, "EndNote XML", fmt="endnote_xml")
