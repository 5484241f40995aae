"""Bad-input corpus cases for the bibliographic readers (issues 12 and 16).

``build(entry, write)`` writes the files and their MANIFEST entries (called by
``make_corpus.py``); ``CHECKS`` holds what the files that must load have to give
(``tests/test_bad_inputs.py`` adds them to its checks). A FIFO and an unreadable file
cannot live in git: ``tests/test_bib_readers.py`` makes them at test time.
"""

from __future__ import annotations

RAYYAN_HEADER = "key,title,year,notes\n"


def build(entry, write):
    spaces = 'RAYYAN-INCLUSION: {""Ana""=>""Included""}' + " " * 100_000 + "checked"
    write("rayyan_long_spaces.csv", f'{RAYYAN_HEADER}1,Baby rooms,2019,"{spaces}"\n')
    entry("rayyan_long_spaces.csv", "rayyan", "ok", "",
          "100,000 spaces inside a Rayyan note (was quadratic, about 27 s a note)")

    write("rayyan_big_field.csv",
          f'key,title,year,abstract,notes\n1,Baby rooms,2019,"{"a" * 150_000}",\n')
    entry("rayyan_big_field.csv", "rayyan", "ok", "",
          "a 150 KB abstract (over csv's default 128 KB field limit)")

    write("rayyan_extra_fields.csv",
          f"{RAYYAN_HEADER}1,A,2019,\n2,B,2020,,stray,fields\n3,C,2021,\n")
    entry("rayyan_extra_fields.csv", "rayyan", "ok", "",
          "a row with two extra fields is set aside; later rows keep their columns")

    write("rayyan_notes_twice.csv", "key,title,notes,Notes\n1,A,x,y\n")
    entry("rayyan_notes_twice.csv", "rayyan", "FileFormatError",
          "two columns 'notes' and 'Notes' differ only in case",
          "columns 'notes' and 'Notes' (was a raw ValueError)")

    write("bibliography_ovid_numbered.ris",
          "1.\nTY  - JOUR\nTI  - Baby rooms\nER  - \n\n2.\nTY  - JOUR\nTI  - Ratios\n"
          "ER  - \n")
    entry("bibliography_ovid_numbered.ris", "bibliography", "ok", "",
          "Ovid numbers its records with '1.' lines (was refused as text outside a record)")

    write("bibliography_only_broken.ris", "TY  - JOUR\nTI  - x\nAU - Smith, J.\nER  - \n")
    entry("bibliography_only_broken.ris", "bibliography", "FileFormatError",
          "no record could be read: line 1: malformed RIS tag line 'AU - Smith, J.' on line 3",
          "the only record has a broken tag line")

    write("bibliography_scopus_percent.bib",
          "@ARTICLE{k1,\nauthor={Li, X.},\ntitle={Ratios},\nyear={2021},\n"
          "abstract={Seen in 85.58% of rooms and 61.2% of others.},\n"
          "url={https://www.scopus.com/record.uri?doi=10.1%2fx&md5=1},\n"
          "funding_details={Funder A},\nfunding_details={Funder B},\n}\n")
    entry("bibliography_scopus_percent.bib", "bibliography", "ok", "",
          "Scopus BibTeX: unescaped % in an abstract and a URL, repeated funding_details")

    write("bibliography_unknown.txt", "Minutes of the review meeting, 3 March.\n")
    entry("bibliography_unknown.txt", "bibliography", "FileFormatError",
          "not a bibliographic export this package knows; the formats it reads are: RIS",
          "prose, not an export: the error lists the formats")

    write("bibliography_endnote_entities.xml",
          '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml><records><record>'
          "<titles><title>&a;</title></titles></record></records></xml>")
    entry("bibliography_endnote_entities.xml", "bibliography", "FileFormatError",
          "XML with a DTD, entities or external references is refused",
          "EndNote XML declaring entities (entity-expansion risk)")

    write("bibliography_wos_unclosed.txt",
          "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Li, X\nTI Ratios\n")
    entry("bibliography_wos_unclosed.txt", "bibliography", "FileFormatError",
          "no record could be read: line 3: the record is not closed with 'ER'",
          "Web of Science file cut before its first ER")


def _long_spaces(result):
    assert result["decision"].tolist() == ["included"]
    assert result["user_notes"].tolist() == ["checked"]


def _big_field(result):
    assert len(result["abstract"].iloc[0]) == 150_000


def _extra_fields(result):
    import baby_room as br

    assert result["key"].tolist() == ["1", "3"]
    assert result["year"].tolist() == [2019, 2021]
    aside = br.set_aside_rows(result)
    assert aside[["row", "reasons"]].values.tolist() == [[3, "6 fields, the header has 4"]]


def _ovid(result):
    assert result["title"].tolist() == ["Baby rooms", "Ratios"]
    assert result["record_line"].tolist() == [2, 7]


def _scopus(result):
    assert result["abstract"].iloc[0] == "Seen in 85.58% of rooms and 61.2% of others."
    assert result["url"].iloc[0] == "https://www.scopus.com/record.uri?doi=10.1%2fx&md5=1"
    assert result["extra"].iloc[0]["funding_details"] == "Funder A; Funder B"


#: (file, kwargs JSON) -> check of what a file that must load gave.
CHECKS = {
    ("rayyan_long_spaces.csv", "{}"): _long_spaces,
    ("rayyan_big_field.csv", "{}"): _big_field,
    ("rayyan_extra_fields.csv", "{}"): _extra_fields,
    ("bibliography_ovid_numbered.ris", "{}"): _ovid,
    ("bibliography_scopus_percent.bib", "{}"): _scopus,
}
