"""read_bibliography and the format readers on fixtures that imitate real exports.

Every fixture in tests/fixtures/evidence/ was written for this project to reproduce a
quirk seen in real export files of the tool each test names (Ovid, EndNote, Covidence,
JSTOR, Embase, CINAHL, Rayyan, Scopus, Web of Science, PubMed, Zotero). Expected values
are read off the fixture text (quoted in the comments), not produced by the code.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

import pandas as pd
import pytest

import baby_room as br
from baby_room.errors import FileFormatError, RowsSetAsideWarning
from baby_room.evidence.bibliography import (
    normalise_doi,
    read_bibliography,
    read_bibtex,
    read_covidence,
    read_endnote_xml,
    read_medline,
    read_rayyan,
    read_ris,
    read_wos,
    read_zotero_csv,
)

FIX = Path(__file__).parent / "fixtures" / "evidence"


def _read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_bibliography(path, **kwargs)


# --------------------------------------------------------------------------- RIS dialects


def test_ovid_numbered_records_are_warnings_not_errors():
    # Ovid writes "1." and "2." on lines 1 and 22, before each TY
    with pytest.warns(UserWarning, match=r"2 line\(s\) outside a record were ignored "
                                         r"\(line 1 '1\.', line 22 '2\.'\)"):
        df = read_ris(FIX / "ovid.ris")
    assert df["record_line"].tolist() == [2, 23]
    assert df["title"].tolist()[1] == "Key workers for babies: a survey of nursery managers"
    # JF is the journal, JA (abbreviation) and ID (accession number) stay in extra
    assert df.loc[0, "journal"] == "Early Child Development and Care"
    assert df.loc[0, "extra"] == {"ID": "31234567", "JA": "Early Child Dev Care"}
    assert df.loc[0, "abstract"] == "Larger groups reduced sustained interaction."  # N2
    assert df["database"].tolist() == ["Ovid MEDLINE(R)", "Ovid PsycINFO"]


def test_endnote_record_headers_and_covidence_n2_abstract():
    # EndNote's "Record #1 of 2" / "Provider: Covidence" / "Content: ..." blocks
    with pytest.warns(UserWarning, match=r"6 line\(s\) outside a record"):
        df = read_ris(FIX / "endnote_numbered.ris")
    assert len(df) == 2
    # N2 spans two lines; DO is written "DOI: 10.1111/cch.12710"
    assert df.loc[0, "abstract"] == ("We followed 60 infant rooms for a year. Turnover "
                                     "predicted lower wellbeing scores.")
    assert df.loc[0, "doi"] == "10.1111/cch.12710"
    assert df.loc[0, "affiliations"] == "University of Leeds, Leeds, England"
    assert df.loc[0, "extra"] == {"N1": "Covidence #1042"}


def test_jstor_provider_header_block():
    df = _read(FIX / "jstor.ris")
    assert df.attrs["format"] == "ris"
    assert df.loc[0, ["title", "journal", "pages", "doi"]].tolist() == [
        "Attachment to caregivers in day nurseries", "Child Development", "832-843",
        "10.2307/1130966"]
    assert df.loc[0, "extra"]["C1"] == "Full publication date: Jun., 1990"


def test_embase_n2_and_cinahl_l3_doi():
    df = _read(FIX / "embase_cinahl.ris")
    # Embase: abstract only in N2; DB Embase; AD the address
    assert df.loc[0, "abstract"] == "Infants slept less in rooms with more than nine babies."
    assert df.loc[0, ["database", "language"]].tolist() == ["Embase", "English"]
    assert df.loc[0, "keywords"] == "infant; sleep; day care"
    # CINAHL (EBSCOhost): DOI only in L3; DB cin20, DP EBSCOhost kept in extra
    assert df.loc[1, "doi"] == "10.1016/j.pedn.2017.12.004"
    assert df.loc[1, "database"] == "cin20"
    assert df.loc[1, "extra"]["DP"] == "EBSCOhost"
    assert "L3" not in df.loc[1, "extra"]


def test_rayyan_doi_with_trailing_tag_junk():
    # DO  - 10.1016/j.childyouth.2020.105023     LK  - https://rayyan.ai/reviews/1
    df = _read(FIX / "rayyan_doi.ris")
    assert df.loc[0, "doi"] == "10.1016/j.childyouth.2020.105023"


@pytest.mark.parametrize("raw, expected", [
    ("10.1038/nature12373     LK  - https://x", "10.1038/nature12373"),
    ("https://doi.org/10.1000%2FABC", "10.1000/abc"),
    ("10.1111/cdev.13100 [doi]", "10.1111/cdev.13100"),
    ("DOI: 10.1/x.", "10.1/x"),
    ("10.1016/0140-6736(90)90001-X", "10.1016/0140-6736(90)90001-x"),
    ("(10.1/abc)", "10.1/abc"),
    ("ISBN 978-3-16", None),
])
def test_doi_normalisation_forms(raw, expected):
    # DOI syntax "10.<registrant>/<suffix>" (DOI Handbook 2.2); case-insensitive (2.4)
    assert normalise_doi(raw) == expected


def test_every_ris_tag_lands_somewhere():
    df = _read(FIX / "embase_cinahl.ris")
    text = (FIX / "embase_cinahl.ris").read_text()
    tags = {line[:2] for line in text.splitlines() if line[2:6] == "  - "} - {"TY", "ER"}
    canonical = {"T1", "A1", "Y1", "N2", "KW", "JF", "VL", "IS", "SP", "EP", "AD", "DB",
                 "LA", "DO", "L3", "AU", "AB", "UR"}
    kept = set().union(*[set(e) for e in df["extra"]])
    assert tags <= canonical | kept


# --------------------------------------------------------------------------- BibTeX


def test_scopus_bibtex_percent_and_repeated_funding():
    df = read_bibtex(FIX / "scopus.bib")
    a = df.iloc[0]
    # the whole abstract survives its "85.58%": equal to the text between the braces
    text = (FIX / "scopus.bib").read_text()
    start = text.index("abstract={") + len("abstract={")
    assert a["abstract"] == text[start:text.index("},", start)]
    assert "85.58% of interactions" in a["abstract"]
    assert a["url"].endswith("doi=10.1016%2fj.ecresq.2020.11.004&partnerID=40&md5=ab12")
    # three funding_details fields joined, not refused
    assert a["extra"]["funding_details"] == (
        "Economic and Social Research Council, ESRC, ES/T001234/1; "
        "Nuffield Foundation, EYP/43210; Irish Research Council, IRC")
    assert a["authors"] == "Khan, A.; O'Brien, M.; Müller, K."
    assert a["keywords"] == "ratios; responsive care; infants"  # author_keywords
    assert a["database"] == "Scopus"
    assert df.loc[1, "pages"] == "33–40"  # "33--40" typeset as an en dash
    assert df.loc[1, "title"] == "Observing babies' play: a CLASS infant pilot"


def test_bibtex_unreadable_entry_is_set_aside(tmp_path):
    p = tmp_path / "mixed.bib"
    p.write_text("@article{a, title={One}, year=2019}\n\n@article{b, title={Two, year=2020\n\n"
                 "@article{c, title={Three}, year=2021}\n")
    with pytest.warns(RowsSetAsideWarning):
        df = read_bibtex(p)
    assert "One" in df["title"].tolist()
    aside = br.set_aside_rows(df)
    assert aside["row"].tolist() == [3]
    assert aside["reasons"].str.contains("cannot parse this entry").all()


# --------------------------------------------------------------------------- other formats


def test_wos_plain_text():
    df = read_wos(FIX / "wos.txt")
    assert df.attrs["format"] == "wos"
    a = df.iloc[0]
    # TI continues on a line starting with three spaces; AU continuation is a new author
    assert a["title"] == ("Caregiver sensitivity in infant classrooms: a multi-site "
                          "observational study")
    assert a["authors"] == "Hernandez, M; Chen, L"
    assert a["pages"] == "1-12"  # BP 1, EP 12
    assert a["keywords"] == "infant care; caregiver sensitivity; QUALITY; CHILDREN"
    assert a["affiliations"] == ("[Hernandez, Maria] Scripps Res Inst, La Jolla, CA 92037 USA.; "
                                 "[Chen, Li] Fudan Univ, Shanghai 200433, Peoples R China.")
    assert a["extra"]["UT"] == "WOS:000432123400001"
    assert df["record_line"].tolist() == [3, 27]


def test_wos_tab_delimited_with_bom_and_crlf():
    df = _read(FIX / "wos_tab.txt")
    assert df.attrs["format"] == "wos_tab"
    assert df.loc[0, ["title", "authors", "doi", "volume"]].tolist() == [
        "Caregiver sensitivity in infant classrooms", "Hernandez, M; Chen, L",
        "10.1016/j.ecresq.2018.02.001", "44"]
    assert pd.isna(df.loc[0, "issue"])  # IS column empty


def test_pubmed_nbib():
    df = read_medline(FIX / "pubmed.nbib")
    a = df.iloc[0]
    assert a["title"] == "Cortisol in infants attending full-day childcare: a cohort study."
    assert a["authors"] == "Gunnar, Megan R; Tout, Kathryn"  # FAU lines
    assert a["doi"] == "10.1111/cdev.13100"  # LID ... [doi]
    assert (a["journal"], a["volume"], a["issue"], a["pages"]) == (
        "Child development", "90", "4", "1234-1246")
    assert a["affiliations"] == ("Institute of Child Development, University of Minnesota, "
                                 "Minneapolis, MN 55455, USA.")
    assert a["extra"]["PMID"] == "30123456"
    assert a["extra"]["MH"] == "Child Day Care Centers; Hydrocortisone/analysis"
    assert df["record_line"].tolist() == [2, 31]


def test_endnote_xml():
    df = read_endnote_xml(FIX / "endnote.xml")
    a = df.iloc[0]
    assert a["record_type"] == "Journal Article"
    assert a["authors"] == "Svensson, Ingrid; Patel, Ravi"
    assert a["doi"] == "10.1080/00313831.2019.1577753"  # https://doi.org/... form
    assert a["database"] == "ERIC"
    assert a["extra"]["rec-number"] == "1"
    assert df.loc[1, "title"] == "Ratios in baby rooms: consultation response"


def test_endnote_xml_with_entities_is_refused(tmp_path):
    p = tmp_path / "bomb.xml"
    p.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                 "<xml><records><record><titles><title>&a;</title></titles></record>"
                 "</records></xml>")
    with pytest.raises(FileFormatError, match=r"bomb\.xml: XML with a DTD"):
        read_endnote_xml(p)


def test_covidence_csv():
    df = read_covidence(FIX / "covidence.csv")
    assert df["key"].tolist() == ["#1042", "#1043"]
    assert df["year"].tolist() == [2019, 2022]  # Published Year
    assert df.loc[0, "doi"] == "10.1111/cch.12710"
    assert df.loc[0, "extra"]["Tags"] == "UK; turnover"
    assert df.loc[1, "extra"]["Notes"] == "grey literature"


def test_zotero_csv_is_not_read_as_rayyan():
    df = _read(FIX / "zotero.csv")
    assert df.attrs["format"] == "zotero_csv"
    assert int(df.loc[0, "year"]) == 2020  # "Publication Year"
    assert df.loc[0, "abstract"] == "Babies spent a third of the day outdoors."
    assert df.loc[0, "extra"]["Extra"] == "PMID: 1234"
    pd.testing.assert_frame_equal(df, read_zotero_csv(FIX / "zotero.csv"))


def test_rayyan_location_is_an_affiliation_not_a_country():
    df = read_rayyan(FIX / "rayyan_export.csv")
    assert "location" not in df.columns
    assert df.loc[0, "affiliations"] == "Scripps Res Inst, La Jolla, CA 92037 USA"
    assert df["doi"].tolist() == ["10.1016/j.ecresq.2019.01.002", "10.1234/ccq.2020.7"]


@pytest.mark.parametrize("name, fmt", [
    ("ovid.ris", "ris"), ("scopus.bib", "bibtex"), ("wos.txt", "wos"),
    ("wos_tab.txt", "wos_tab"), ("pubmed.nbib", "medline"), ("endnote.xml", "endnote_xml"),
    ("covidence.csv", "covidence_csv"), ("zotero.csv", "zotero_csv"),
    ("rayyan_export.csv", "rayyan"),
])
def test_read_bibliography_detects_by_content(name, fmt, tmp_path):
    renamed = tmp_path / "export.dat"  # the extension plays no part
    renamed.write_bytes((FIX / name).read_bytes())
    assert _read(renamed).attrs["format"] == fmt


def test_unknown_format_lists_the_known_ones(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("Some notes about the review.\n")
    with pytest.raises(FileFormatError, match=r"notes\.txt: not a bibliographic export .* "
                                              r"RIS: .*BibTeX: .*MEDLINE"):
        read_bibliography(p)


# --------------------------------------------------------------------------- issue 16 items


def test_rayyan_long_runs_of_spaces_parse(tmp_path):
    notes = "RAYYAN-INCLUSION: {\"A\"=>\"Included\"}" + " " * 200_000 + "x"
    p = tmp_path / "articles.csv"
    quoted = notes.replace('"', '""')
    p.write_text(f'key,title,notes\n1,T,"{quoted}"\n')
    df = read_rayyan(p)
    assert df.loc[0, "decision"] == "included"
    assert df.loc[0, "user_notes"] == "x"


def test_rayyan_field_over_128kb(tmp_path):
    p = tmp_path / "articles.csv"
    p.write_text(f'key,title,abstract,notes\n1,T,"{"a" * 300_000}",\n')
    df = read_rayyan(p)
    assert len(df.loc[0, "abstract"]) == 300_000


def test_rayyan_row_with_extra_fields_is_set_aside_not_shifted(tmp_path):
    p = tmp_path / "articles.csv"
    p.write_text("key,title,year,notes\n1,A,2019,\n2,B,2020,,extra,fields\n3,C,2021,\n")
    with pytest.warns(RowsSetAsideWarning):
        df = read_rayyan(p)
    assert df["key"].tolist() == ["1", "3"]
    assert df["year"].tolist() == [2019, 2021]
    aside = br.set_aside_rows(df)
    assert aside["row"].tolist() == [3]
    assert aside["reasons"].tolist() == ["6 fields, the header has 4"]


def test_rayyan_notes_and_Notes_columns(tmp_path):
    p = tmp_path / "articles.csv"
    p.write_text("key,title,notes,Notes\n1,A,x,y\n")
    with pytest.raises(FileFormatError, match=r"articles\.csv: line 1: two columns 'notes' and "
                                              r"'Notes' differ only in case"):
        read_rayyan(p)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("reader", [read_ris, read_rayyan, read_bibtex, read_bibliography])
def test_fifo_is_refused_without_blocking(tmp_path, reader):
    fifo = tmp_path / "export.ris"
    os.mkfifo(fifo)
    with pytest.raises(FileFormatError, match=r"export\.ris: is a FIFO"):
        reader(fifo)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_file_names_the_file(tmp_path):
    p = tmp_path / "locked.ris"
    p.write_text((FIX / "ovid.ris").read_text())
    p.chmod(0)
    try:
        with pytest.raises(FileFormatError, match=r"locked\.ris: permission denied"):
            read_ris(p)
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_permission_error_is_wrapped(tmp_path, monkeypatch):
    import builtins

    p = tmp_path / "locked.ris"
    p.write_text((FIX / "ovid.ris").read_text())
    real_open = builtins.open

    def deny(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(p):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(FileFormatError, match=r"locked\.ris: permission denied"):
        read_ris(p)
