"""WordprocessingML written directly: tables and paragraphs for python-docx documents.

python-docx's cell-by-cell and style-by-name API costs tens of milliseconds a table or
paragraph, too slow for 150 briefings; these helpers build the same elements as one XML
string each. Used by :mod:`baby_room.word`, :mod:`baby_room.tables` and the area briefings.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _append(document, element) -> None:
    """Append a body element before the section properties (which must stay last)."""
    body = document.element.body
    sect = body.find(_W + "sectPr")
    if sect is not None:
        sect.addprevious(element)
    else:
        body.append(element)


def add_table(document, header: list[str], rows: list[list[str]]) -> None:
    """A table of text cells (header row bold, style "Table Grid") appended to the document.

    Examples
    --------
    >>> import docx
    >>> d = docx.Document()
    >>> add_table(d, ["Area", "Rooms"], [["Leeds", "29"], ["York & Hull", "<5"]])
    >>> add_paragraphs_xml(d, [("Notes", "Heading1")])
    >>> [c.text for c in d.tables[0].rows[2].cells], d.paragraphs[-1].style.name
    (['York & Hull', '<5'], 'Heading 1')
    """
    xml = [row_xml(header, bold=True)] + [row_xml(r) for r in rows]
    insert_table_xml(document, len(header), "".join(xml))


def row_xml(texts, *, bold: bool = False) -> str:
    """One table row (``<w:tr>``) of text cells, bold when asked."""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p><w:r>{rpr}'
        f'<w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p></w:tc>' for t in texts)
    return f"<w:tr>{cells}</w:tr>"


def add_paragraphs_xml(document, items) -> None:
    """Append paragraphs given as ``(text, style_id)`` pairs in one step.

    Style ids are those of python-docx's default template (``Title``, ``Heading1``,
    ``Heading2``, ``ListBullet``, ``Caption``, ``Normal``); ``document.add_paragraph(text,
    style=...)`` looks the style up by name on every call, which dominates a briefing.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    for text, style_id in items:
        ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id != "Normal" else ""
        p = parse_xml(f'<w:p {nsdecls("w")}>{ppr}<w:r><w:t xml:space="preserve">'
                      f"{escape(text)}</w:t></w:r></w:p>")
        _append(document, p)


def insert_table_xml(document, n_cols: int, rows_xml: str) -> None:
    """Append a table made of ``<w:tr>`` rows (WordprocessingML) to the document body."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    # the style must exist in the document: python-docx's default template has it
    document.styles["Table Grid"]  # noqa: B018 - raises KeyError when it does not
    tbl = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0"/></w:tblPr>'
        f'<w:tblGrid>{"<w:gridCol/>" * n_cols}</w:tblGrid>{rows_xml}</w:tbl>')
    _append(document, tbl)
