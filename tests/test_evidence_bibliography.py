"""Bibliographic import: RIS, BibTeX, Rayyan, merging and duplicate flags.

Expected values are read off the hand-written fixture files in
tests/fixtures/evidence/ (quoted in each test), not produced by the code under test.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from baby_room.errors import ArgumentError, FileFormatError, UnmatchedValueWarning
from baby_room.evidence.bibliography import (
    flag_duplicates,
    flag_years,
    merge_bibliography,
    normalise_doi,
    normalise_title,
    parse_rayyan_notes,
    read_bibliography,
    read_bibtex,
    read_rayyan,
    read_ris,
)

FIX = Path(__file__).parent / "fixtures" / "evidence"


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------- normalising


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("10.1016/J.ECRESQ.2019.01.002", "10.1016/j.ecresq.2019.01.002"),
        ("https://doi.org/10.1/ABC", "10.1/abc"),
        ("http://dx.doi.org/10.1/abc", "10.1/abc"),
        ("doi: 10.1/abc ", "10.1/abc"),
        ("doi:https://doi.org/10.1/abc", "10.1/abc"),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_normalise_doi(raw, expected):
    assert normalise_doi(raw) == expected


def test_normalise_title_strips_case_punctuation_diacritics_whitespace():
    assert normalise_title("Étude:  Baby-Rooms, in ENGLAND!") == "etudebabyroomsinengland"
    assert normalise_title("{Group} size") == normalise_title("GROUP SIZE.")
    assert normalise_title("  ...  ") is None


# --------------------------------------------------------------------------- RIS


def test_read_ris_values_match_fixture_text():
    df = _quiet(read_ris, FIX / "review.ris")
    assert len(df) == 3
    first = df.iloc[0]
    # TI / AU / AU / PY  - 2019/// / JO / VL / IS / SP+EP / DO lines of review.ris
    assert first["title"] == "Group size and the quality of care for babies in nursery rooms"
    assert first["authors"] == "Müller, Anna; Smith, John"
    assert first["year"] == 2019
    assert first["journal"] == "Early Childhood Research Quarterly"
    assert (first["volume"], first["issue"], first["pages"]) == ("47", "2", "101-115")
    assert first["doi"] == "10.1016/j.ecresq.2019.01.002"  # from https://doi.org/10.1016/J.ECRESQ...
    # two-line AB field is joined with a space
    assert first["abstract"] == "We observed 40 baby rooms. Larger groups had lower ITERS-R scores."
    assert first["keywords"] == "group size; ITERS-R"
    # the second record uses T1, A1, Y1 2021/05/01 and T2
    second = df.iloc[1]
    assert second["record_type"] == "RPRT"
    assert second["title"] == "Babies in childcare: a policy review"
    assert second["authors"] == "Early Years Alliance"
    assert second["year"] == 2021
    assert second["journal"] == "Grey literature series"
    assert pd.isna(second["doi"])
    # TY lines are on lines 1, 19 and 26 of the file
    assert df["record_line"].tolist() == [1, 19, 26]
    assert df.attrs["source"] == "RIS file review.ris"
    assert df["year"].dtype == "Int64"


def test_read_ris_flags_implausible_year_and_keeps_the_row():
    with pytest.warns(UserWarning, match=r"review\.ris: 1 row\(s\) have a year outside 1950"):
        df = read_ris(FIX / "review.ris")
    assert df["year_flag"].tolist()[2] == "before 1950"  # PY  - 1899
    assert df["year_flag"].isna().tolist() == [True, True, False]


def test_malformed_ris_names_file_and_line():
    # line 8 of malformed.ris is "AU - Jones, K." (one space before the hyphen)
    with pytest.raises(FileFormatError, match=r"malformed\.ris: line 6: malformed RIS tag line "
                                               r"'AU - Jones, K\.' on line 8"):
        read_ris(FIX / "malformed.ris", on_error="raise")


def test_truncated_ris_names_the_unclosed_record():
    # the record opened by TY on line 4 has no ER line
    with pytest.raises(FileFormatError, match=r"truncated\.ris: line 4: the record is not "
                                               r"closed"):
        read_ris(FIX / "truncated.ris", on_error="raise")


def test_ris_text_outside_a_record(tmp_path):
    p = tmp_path / "junk.ris"
    p.write_text("TY  - JOUR\nTI  - ok\nER  - \nstray text here\n")
    # EndNote-style stray text after the last record: a warning, the record loads
    with pytest.warns(UserWarning, match=r"junk\.ris: 1 line\(s\) outside a record were ignored "
                                         r"\(line 4 'stray text here'\)"):
        df = read_ris(p)
    assert df["title"].tolist() == ["ok"]


def test_ris_with_no_records(tmp_path):
    p = tmp_path / "none.ris"
    p.write_text("\n\n")
    with pytest.raises(FileFormatError, match=r"none\.ris: file is empty"):
        read_ris(p)


def test_ris_encoding_error_names_line_and_advises():
    # cp1252.ris has byte 0xE9 ("é" in cp1252) on line 2
    with pytest.raises(FileFormatError, match=r"cp1252\.ris: line 2: cannot decode byte "
                                               r"b'\\xe9' as utf-8; pass encoding='cp1252'"):
        read_ris(FIX / "cp1252.ris")
    df = read_ris(FIX / "cp1252.ris", encoding="cp1252")
    assert df["title"].tolist() == ["Café culture in nurseries"]


def test_missing_file_is_a_file_format_error(tmp_path):
    for reader in (read_ris, read_bibtex, read_rayyan):
        with pytest.raises(FileFormatError, match=r"absent\.x: file not found"):
            reader(tmp_path / "absent.x")


def test_reader_options_are_argument_errors_naming_the_reader():
    with pytest.raises(ArgumentError, match=r"read_ris: encoding must be a Python codec name .*"
                                            r"got 'klingon'"):
        read_ris(FIX / "review.ris", encoding="klingon")
    with pytest.raises(ArgumentError, match=r"read_bibtex: on_error must be one of 'set_aside', "
                                            r"'raise'; got 'skip'"):
        read_bibtex(FIX / "review.ris", on_error="skip")
    with pytest.raises(ArgumentError, match=r"read_bibliography: format must be one of .*"
                                            r"got 'docx'"):
        read_bibliography(FIX / "review.ris", format="docx")


# --------------------------------------------------------------------------- BibTeX


def test_read_bibtex_values_match_fixture_text():
    df = read_bibtex(FIX / "review.bib")
    assert df["key"].tolist() == ["mueller2019", "garcia2015"]
    a, b = df.iloc[0], df.iloc[1]
    # author = {M{\"u}ller, Anna and Smith, John}
    assert a["authors"] == "Müller, Anna; Smith, John"
    # title = {{Group} size ...}: braces removed
    assert a["title"] == "Group size and the quality of care for babies in nursery rooms"
    assert a["journal"] == "Early Childhood Research Quarterly"  # @string macro ecrq
    assert a["year"] == 2019
    assert (a["volume"], a["issue"]) == ("47", "2")
    assert a["pages"] == "101–115"  # LaTeX "--" is an en dash
    assert a["doi"] == "10.1016/j.ecresq.2019.01.002"
    assert a["keywords"] == "group size; ITERS-R"
    # author = {Garc{\'\i}a, Mar{\'\i}a and van der Berg, Pieter}
    assert b["authors"] == "García, María; van der Berg, Pieter"
    assert b["record_type"] == "incollection"
    assert b["journal"] == "Handbook of Infant Care"  # booktitle
    assert b["year"] == 2015
    assert b["doi"] == "10.5555/hb.2015.7"  # doi:10.5555/HB.2015.7
    assert df["record_line"].tolist() == [3, 15]


def test_broken_bibtex_names_file_and_line():
    # the entry starting on line 7 (@article{bad2021,) is never closed
    with pytest.raises(FileFormatError, match=r"broken\.bib: line 7: cannot parse this "
                                               r"entry"):
        read_bibtex(FIX / "broken.bib", on_error="raise")


def test_duplicate_bibtex_key(tmp_path):
    p = tmp_path / "dup.bib"
    p.write_text("@article{k, title={A}, year=2020}\n\n@article{k, title={B}, year=2021}\n")
    with pytest.raises(FileFormatError, match=r"dup\.bib: line 3: duplicate citation "
                                               r"key 'k'"):
        read_bibtex(p, on_error="raise")


# --------------------------------------------------------------------------- Rayyan


def test_read_rayyan_parses_decisions_labels_and_reasons():
    df = read_rayyan(FIX / "rayyan.csv")
    assert df["key"].tolist() == ["101", "102", "103", "104"]
    # {"Ana Silva"=>"Included", "Ben O'Neil"=>"Included"} etc. in the notes column
    assert df["decision_ana_silva"].tolist()[:3] == ["included", "excluded", "maybe"]
    assert df["decision_ben_o_neil"].tolist()[:3] == ["included", "excluded", "included"]
    assert df["decision"].tolist()[:3] == ["included", "excluded", "conflict"]
    assert df.loc[3, ["decision_ana_silva", "decision"]].isna().all()  # empty notes
    assert df.loc[0, "labels"] == "UK; group size; ITERS"
    assert df.loc[1, "exclusion_reasons"] == "wrong outcome; wrong age group"
    assert df.loc[2, "user_notes"] == "check the full text"
    assert "notes" not in df.columns
    assert df.attrs["reviewers"] == {"decision_ana_silva": "Ana Silva",
                                     "decision_ben_o_neil": "Ben O'Neil"}
    # row 103's title spans lines 4-5, so row 104 starts on line 6
    assert df["record_line"].tolist() == [2, 3, 4, 6]
    assert df["year"].tolist() == [2019, 2020, 2015, 2022]


def test_rayyan_notes_tolerate_marker_order_and_spacing():
    notes = pd.Series([
        'RAYYAN-LABELS:  a , b |RAYYAN-INCLUSION: {"X"=>"Excluded"}|RAYYAN-EXCLUSION-REASONS: r1',
        None,
    ])
    out = parse_rayyan_notes(notes)
    assert out.loc[0, "labels"] == "a; b"
    assert out.loc[0, "decision_x"] == "excluded"
    assert out.loc[0, "exclusion_reasons"] == "r1"
    assert out.loc[1].isna().all()


def test_rayyan_without_notes_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("key,title\n1,x\n")
    with pytest.raises(FileFormatError, match=r"a\.csv: line 1: no 'notes' column"):
        read_rayyan(p)


# --------------------------------------------------------------------------- merge + duplicates


def test_merge_rayyan_with_ris_on_doi_then_title_keeps_unmatched():
    rayyan = read_rayyan(FIX / "rayyan.csv")
    bib = read_bibtex(FIX / "review.bib")
    with pytest.warns(UnmatchedValueWarning, match=r"2 record\(s\) found no metadata and 0 "
                                                   r"metadata row\(s\)"):
        m = merge_bibliography(rayyan, bib)
    # 101 shares the DOI with mueller2019; 103's title (with a line break) matches garcia2015
    assert m["match"].tolist() == ["doi", "records_only", "title", "records_only"]
    assert m["key_bib"].tolist()[0] == "mueller2019"
    assert m["key_bib"].tolist()[2] == "garcia2015"
    assert m["journal_bib"].tolist()[2] == "Handbook of Infant Care"
    assert len(m) == 4


def test_merge_appends_metadata_only_rows():
    records = pd.DataFrame({"item_id": ["E1"], "title": ["Only one"], "doi": [None]})
    ris = _quiet(read_ris, FIX / "review.ris")
    with pytest.warns(UnmatchedValueWarning, match=r"1 record\(s\) found no metadata and 3"):
        m = merge_bibliography(records, ris)
    assert m["match"].tolist() == ["records_only"] + ["metadata_only"] * 3
    assert m["item_id"].isna().tolist() == [False, True, True, True]
    assert m["title_bib"].tolist()[1] == (
        "Group size and the quality of care for babies in nursery rooms")


def test_merge_needs_a_key_column():
    with pytest.raises(ArgumentError, match=r"merge_bibliography: records must be a table with "
                                            r"a 'doi' or a 'title' column"):
        merge_bibliography(pd.DataFrame({"x": [1]}), pd.DataFrame({"doi": ["a"]}))


def test_flag_duplicates_by_doi_or_title_and_year():
    df = pd.DataFrame({
        "item_id": ["A", "B", "C", "D", "E", "F"],
        "title": ["Baby rooms in England", "BABY-ROOMS IN ENGLAND.", "Ratios in nurseries",
                  "Ratios in nurseries", "Ratios in nurseries.", "Other"],
        "year": pd.array([2019, 2019, 2020, 2020, 2021, None], dtype="Int64"),
        "doi": [None, None, "10.1/X", "https://doi.org/10.1/x", "10.1/x", None],
    })
    out = flag_duplicates(df)
    # B: same title and year as A; D and E: same DOI as C; F: unique
    assert out["duplicate_of"].tolist() == [pd.NA, "A", pd.NA, "C", "C", pd.NA]
    assert out["duplicate_group"].tolist() == [0, 0, 2, 2, 2, pd.NA]
    assert len(out) == len(df)


def test_flag_duplicates_groups_are_transitive():
    df = pd.DataFrame({
        "item_id": ["A", "B", "C"],
        "title": ["Key persons in baby rooms", "Key persons in baby rooms: a review",
                  "Key persons in baby rooms: a review"],
        "year": pd.array([2000, 2000, 2000], dtype="Int64"),
        "doi": ["10.9/a", None, "10.9/A"],
    })
    # C shares A's DOI and B's title and year: all three are one work, A the original
    assert flag_duplicates(df)["duplicate_of"].tolist() == [pd.NA, "A", "A"]


def test_flag_years_bounds():
    df = pd.DataFrame({"year": pd.array([1949, 1950, 2025, 2026, None], dtype="Int64")})
    with pytest.warns(UserWarning, match="2 row"):
        out = flag_years(df, latest=2025)
    assert out["year_flag"].fillna("").tolist() == ["before 1950", "", "", "after 2025", ""]


def test_flag_years_argument_errors_and_scalar_attrs():
    df = pd.DataFrame({"year": pd.array([2019], dtype="Int64")})
    df.attrs.update(source="review.ris", synthetic=False, set_aside=object())
    with pytest.raises(ArgumentError, match=r"flag_years: year must be a column of data; "
                                            r"got 'yr'\nColumns of data: year"):
        flag_years(df, year="yr")
    with pytest.raises(ArgumentError, match=r"flag_years: latest must be a whole number"):
        flag_years(df, latest="2025")
    # contract section 3: the result's attrs are scalars (the set-aside records stay on df)
    assert flag_years(df).attrs == {"source": "review.ris", "synthetic": False}


def test_reader_keeps_its_set_aside_records_when_flagging_years(tmp_path):
    import baby_room as br

    p = tmp_path / "old.ris"
    p.write_text("TY  - JOUR\nTI  - x\nAU   - bad\nER  - \n"
                 "TY  - JOUR\nTI  - y\nPY  - 1890\nER  - \n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_ris(p)
    assert df["year_flag"].tolist() == ["before 1950"]
    assert br.set_aside_rows(df)["row"].tolist() == [1]
    assert any("old.ris: 1 row(s) have a year outside" in str(w.message) for w in caught)


def test_ris_continuation_lines_that_look_like_tags_are_kept(tmp_path):
    p = tmp_path / "prose.ris"
    p.write_text("TY  - JOUR\nTI  - Baby rooms\nAB  - First line of the abstract.\n"
                 "UK-based nurseries were sampled.\nER  - \n")
    df = read_ris(p)
    assert df.loc[0, "abstract"] == ("First line of the abstract. UK-based nurseries were "
                                     "sampled.")


@pytest.mark.parametrize("line", ["AU   - Jones, K.", "AU\t- Jones, K.", "AU -"])
def test_ris_wrongly_spaced_tags_set_the_record_aside(tmp_path, line):
    import baby_room as br
    from baby_room.errors import RowsSetAsideWarning

    p = tmp_path / "bad.ris"
    p.write_text(f"TY  - JOUR\nTI  - x\n{line}\nER  - \nTY  - JOUR\nTI  - y\nER  - \n")
    with pytest.warns(RowsSetAsideWarning, match=r"bad\.ris: 1 malformed record"):
        df = read_ris(p)
    assert df["title"].tolist() == ["y"]
    aside = br.set_aside_rows(df)
    assert aside["row"].tolist() == [1]
    assert aside["reasons"].str.contains("malformed RIS tag line .* on line 3").all()
    with pytest.raises(FileFormatError, match=r"bad\.ris: line 1: malformed RIS tag line"):
        read_ris(p, on_error="raise")
