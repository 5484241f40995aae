"""Bad-input corpus cases for the focus-group readers (issue 16, QDA classes).

``build(entry, write)`` is called by make_corpus.py: ``write(name, bytes)`` writes a file
into the corpus and ``entry(file, loader, expected, message, note)`` records what the
loader must do with it. Every file is generated here, byte for byte the same each time.
"""

from __future__ import annotations

import io
import zipfile

NS = "urn:QDA-XML:project:1.0"
_TIME = (2000, 1, 1, 0, 0, 0)


def _zip(members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return out.getvalue()


def _qde(*, start="0", encoding="utf-8", codes=None) -> bytes:
    codes = codes or '<Code guid="c1" name="Ratios" isCodable="true"/>'
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<Project xmlns="{NS}" name="bad">'
        '<Users><User guid="u1" name="Ana"/></Users>'
        f'<CodeBook><Codes>{codes}</Codes></CodeBook>'
        '<Sources><TextSource guid="s1" name="YOR-2" plainTextPath="internal://s1.txt">'
        f'<PlainTextSelection guid="p1" startPosition="{start}" endPosition="5">'
        '<Coding guid="k1" creatingUser="u1"><CodeRef targetGUID="c1"/></Coding>'
        '</PlainTextSelection></TextSource></Sources></Project>'
    ).encode("ascii")


_TEXT = ("sources/s1.txt", b"Never enough adults in the room.")


def _nested(depth: int) -> str:
    return ("".join(f'<Code guid="c{i}" name="n{i}" isCodable="true">' for i in range(depth))
            + "</Code>" * depth)


def build(entry, write) -> None:
    write("qdpx_fractional_position.qdpx", _zip([("bad.qde", _qde(start="1.5")), _TEXT]))
    entry("qdpx_fractional_position.qdpx", "qdpx", "DataValidationError",
          "a whole number of characters from 0 to 2**53",
          "startPosition 1.5 (was a raw TypeError)")
    write("qdpx_utf7.qdpx", _zip([("bad.qde", _qde(encoding="UTF-7")), _TEXT]))
    entry("qdpx_utf7.qdpx", "qdpx", "FileFormatError", "declares encoding 'UTF-7'",
          "UTF-7 XML declaration (was a raw ValueError)")
    write("qdpx_nested_codes.qdpx", _zip([("bad.qde", _qde(codes=_nested(3000))), _TEXT]))
    entry("qdpx_nested_codes.qdpx", "qdpx", "FileFormatError",
          "codes are nested more than 100 levels deep (the limit)",
          "3,000 nested codes (was a RecursionError)")
    book = (f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{_nested(3000)}</Codes>'
            "</CodeBook>").encode("ascii")
    write("qdc_nested_codes.qdc", book)
    entry("qdc_nested_codes.qdc", "coding", "FileFormatError",
          "codes are nested more than 100 levels deep (the limit)",
          "a codebook with 3,000 nested codes given to load_coding")
    write("qdpx_case_twin_qde.qdpx", _zip([("bad.qde", _qde()), ("BAD.qde", _qde()), _TEXT]))
    entry("qdpx_case_twin_qde.qdpx", "qdpx", "FileFormatError",
          "two entries whose names differ only in letter case",
          "two .qde entries differing only in case (was read silently)")
    filler = b"<!-- " + b"x" * (129 * 1024**2) + b" -->"
    write("qdpx_huge_project_xml.qdpx", _zip([("bad.qde", _qde()[:-10] + filler
                                               + b"</Project>"), _TEXT]))
    entry("qdpx_huge_project_xml.qdpx", "qdpx", "FileFormatError",
          "more than the 134,217,728 allowed for it",
          "a 129 MiB project XML inside a small zip (was a MemoryError when parsed)")
    head = "Document group,Document name,Code,Segment,Beginning,End,Author\n"
    write("maxqda_position_overflow.csv",
          head + 'York,YOR-1,Staffing,one to three,1e30,4,Ana\n'
                 'York,YOR-1,Staffing,feeds take time,"1,000",1000,Ana\n')
    entry("maxqda_position_overflow.csv", "maxqda", "DataValidationError",
          "column Beginning: value '1,000' - type: a whole number (position) >= 0",
          "positions 1e30 and 1,000 (were -9223372036854775808 and 1)")
    write("maxqda_polish_no_segments.csv",
          "Grupa dokumentów;Nazwa dokumentu;Kod;Początek;Koniec;Fragment;Autor\n")
    entry("maxqda_polish_no_segments.csv", "maxqda", "FileFormatError",
          "has a header row but no coded segments",
          "Polish MAXQDA headings recognised; header only")
    write("coding_unknown_export.csv", "Id,File,Code name,Coded text\n1,a.txt,Ratios,one\n")
    entry("coding_unknown_export.csv", "coding", "FileFormatError",
          "The closest is qualcoder",
          "a table of no known coding format: the formats known and the closest are named")
