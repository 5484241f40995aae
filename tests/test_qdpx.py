"""Tests of baby_room.focus_groups.qdpx (REFI-QDA .qdpx / .qdc import).

Every fixture is built here with zipfile by tests/fixtures/qdpx/builders.py, which
imitates one tool's quirks. The builder computes each selection's offsets from
the words to code, in the unit the imitated tool uses (UTF-16 units by encoding
the prefix to UTF-16-LE, code points by ``len``), so the reference for "the
extracted text is right" is the coded words themselves, independent of the reader.
"""

from __future__ import annotations

import importlib.util
import io
import struct
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from baby_room.errors import (
    ArgumentError,
    DataValidationError,
    FileFormatError,
    UnmatchedValueWarning,
)
from baby_room.focus_groups.qdpx import read_qdc, read_qdpx

_spec = importlib.util.spec_from_file_location(
    "qdpx_builders", Path(__file__).parent / "fixtures" / "qdpx" / "builders.py")
B = importlib.util.module_from_spec(_spec)
sys.modules["qdpx_builders"] = B
_spec.loader.exec_module(B)

LONG = ["segment_id", "conference", "group_id", "speaker", "role", "theme", "code", "coder",
        "start", "end", "text"]


def _files(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


# ------------------------------------------------------------------ tools' files


def test_nvivo_windows_utf16_offsets_land_on_coded_words(tmp_path):
    path = tmp_path / "nvivo.qdpx"
    expected = B.nvivo(path)
    project = read_qdpx(path)
    c = project.codings
    assert list(c["text"]) == [e[2] for e in expected]
    assert list(c["coder"]) == [e[1] for e in expected]
    # start/end are Python indices into the stored text
    text = project.sources.loc[0, "text"]
    assert text == B.NVIVO_TEXT  # the BOM is not part of the text
    assert all(text[s:e] == t for s, e, t in zip(c["start"], c["end"], c["text"], strict=True))
    assert project.sources.loc[0, "offset_unit"] == "utf16"
    assert project.origin == "NVivo for Windows 12.6"
    # the fixture really discriminates: the raw offsets read as code points miss the words
    raw = [B.NVIVO_TEXT[s:e] for s, e in zip(c["raw_start"], c["raw_end"], strict=True)]
    assert all(r != t for r, t in zip(raw, c["text"], strict=True))


def test_nvivo_mac_lf_text_utf16_offsets(tmp_path):
    """Imitates NVivo 12 for Mac: LF text, UTF-16 positions (REAL_FORMATS.md)."""
    path = tmp_path / "nvivo_mac.qdpx"
    expected = B.nvivo(path, mac=True)
    project = read_qdpx(path)
    assert list(project.codings["text"]) == [e[2] for e in expected]
    assert project.sources.loc[0, "offset_unit"] == "utf16"


def test_nvivo_cases_give_speaker_role_conference_group(tmp_path):
    path = tmp_path / "nvivo.qdpx"
    expected = B.nvivo(path)
    project = read_qdpx(path)
    # three case codings (Amy twice, Ben once) are links, not codings
    assert len(project.codings) == 5
    assert (project.case_links["via"] == "coding").sum() == 3
    assert set(project.cases.columns) >= {"guid", "name", "Role", "Conference", "Group"}
    long = project.to_long()
    assert list(long.columns) == LONG
    assert list(long["speaker"]) == [e[3] for e in expected]
    assert list(long["role"].astype(str)) == [e[4] for e in expected]
    assert set(long["conference"].astype(str)) == {"York"}
    assert set(long["group_id"]) == {"YOR-2"}
    assert list(long["theme"]) == ["Staffing", "Staffing", "Care routines", "Staffing", "Status"]
    assert list(long["code"]) == ["Ratios", "Ratios", "Feeding", "Training", "Parents' view"]
    assert long["conference"].cat.ordered
    assert list(long["conference"].cat.categories) == [
        "London", "York", "Norwich", "Manchester", "Falmouth", "Bristol"]
    assert long.attrs["source"] == "REFI-QDA project nvivo.qdpx"
    assert long.attrs["synthetic"] is False
    assert str(long["start"].dtype) == "Int64"


def test_coder_falls_back_to_selection_creating_user(tmp_path):
    path = tmp_path / "nvivo.qdpx"
    B.nvivo(path)
    c = read_qdpx(path).codings
    row = c[c["text"] == "more training on babies"].iloc[0]
    assert row["coder"] == "Bea Coder"  # only PlainTextSelection@creatingUser is set


def test_segment_id_span_is_shared_by_two_coders(tmp_path):
    path = tmp_path / "nvivo.qdpx"
    B.nvivo(path)
    project = read_qdpx(path)
    by_selection = project.to_long()
    assert by_selection["segment_id"].nunique() == 5  # one selection per coder
    by_span = project.to_long(segment_id="span")
    ratios = by_span[by_span["code"] == "Ratios"]
    assert ratios["segment_id"].nunique() == 1
    assert ratios["segment_id"].iloc[0] == "YOR-2 transcript:90-102"
    with pytest.raises(ArgumentError, match=r"segment_id must be one of 'selection', 'span'; "
                                            r"got 'words'"):
        project.to_long(segment_id="words")


def test_atlas_flattened_names_and_code_points(tmp_path):
    path = tmp_path / "atlas.qdpx"
    expected = B.atlas(path)
    project = read_qdpx(path)
    assert project.sources.loc[0, "offset_unit"] == "code_points"
    codes = project.codes
    assert list(codes["path"]) == ["Staffing > Group size", "Staffing > Key person",
                                   "Partnership > Parents > Informal chats"]
    long = project.to_long()
    assert list(zip(long["theme"], long["code"], long["coder"], long["text"], strict=True)) == \
        expected
    assert set(long["group_id"]) == {"NOR-1"}  # ".txt" dropped from the document name


def test_maxqda_document_variables_and_duplicate_names(tmp_path):
    path = tmp_path / "maxqda.qdpx"
    expected = B.maxqda(path)
    project = read_qdpx(path)
    assert list(project.sources["name"]) == ["Transcript", "Transcript"]
    assert list(project.sources["offset_unit"]) == ["utf16", "utf16"]
    long = project.to_long()
    got = list(zip(long["group_id"], long["conference"].astype(str), long["code"], long["text"],
                   strict=True))
    assert got == expected


def test_qualcoder_inline_text(tmp_path):
    path = tmp_path / "qualcoder.qdpx"
    expected = B.qualcoder(path)
    project = read_qdpx(path)
    assert project.sources.loc[0, "location"] == "inline"
    assert project.sources.loc[0, "offset_unit"] == "code_points"
    long = project.to_long()
    assert list(zip(long["theme"], long["code"], long["text"], strict=True)) == expected


def test_codes_table_nesting_and_folders(tmp_path):
    path = tmp_path / "q.qdpx"
    B.qualcoder(path)
    codes = read_qdpx(path).codes
    staffing = codes[codes["name"] == "Staffing"].iloc[0]
    assert not staffing["codable"] and pd.isna(staffing["parent"]) and staffing["level"] == 1
    ratios = codes[codes["name"] == "Ratios"].iloc[0]
    assert ratios["parent"] == staffing["guid"] and ratios["path"] == "Staffing > Ratios"
    assert ratios["level"] == 2 and ratios["codable"]


def test_documents_mapping_overrides(tmp_path):
    path = tmp_path / "atlas.qdpx"
    B.atlas(path)
    docs = pd.DataFrame({"document": ["NOR-1"], "conference": ["norwich"], "role": ["Room leader"],
                         "group_id": ["NOR-1b"]})
    long = read_qdpx(path).to_long(attributes=docs)
    assert set(long["conference"].astype(str)) == {"Norwich"}
    assert set(long["role"].astype(str)) == {"room_leader"}
    assert set(long["group_id"]) == {"NOR-1b"}


def test_documents_mapping_errors_say_what_is_wrong(tmp_path):
    path = tmp_path / "atlas.qdpx"
    B.atlas(path)
    project = read_qdpx(path)
    with pytest.raises(ArgumentError, match=r"attributes must be a sheet with a column "
                                            r"'document' \(or 'case'\).*got \['name', 'role'\]"):
        project.to_long(attributes=pd.DataFrame({"name": ["x"], "role": ["manager"]}))
    with pytest.raises(ArgumentError, match="attributes must be a DataFrame or the path of a"):
        project.to_long(attributes={"NOR-1": "York"})
    with pytest.raises(ArgumentError, match=r"Listed more than once: NOR-1"):
        project.to_long(attributes=pd.DataFrame({"document": ["NOR-1", "NOR-1"],
                                                "role": ["manager", "educator"]}))


def test_unknown_conference_warns_and_is_missing(tmp_path):
    path = tmp_path / "atlas.qdpx"
    B.atlas(path)
    docs = pd.DataFrame({"document": ["NOR-1"], "conference": ["Leeds"]})
    with pytest.warns(UnmatchedValueWarning, match=r"conference values not recognised and set "
                                                   r"to missing: 'Leeds'"):
        long = read_qdpx(path).to_long(attributes=docs)
    assert long["conference"].isna().all()


def _project(sources, cases=(), variables=()):
    return B.project_xml(users=B.USERS, codes=B._codes(), sources=sources, cases=cases,
                         variables=variables)


def test_selection_ref_case_and_whole_source_coding(tmp_path):
    text = "Ivy: Outdoor play every day.\n"
    src = B.Src(B.gid(60), "LON-1", text, inline=True)
    src.selections = [B.Sel("Outdoor play", [B.gid(20)], coder=B.gid(1), guid=B.gid(900))]
    case = {"guid": B.gid(50), "name": "Ivy", "values": {B.gid(40): "manager"},
            "selections": [B.gid(900)]}
    qde, files = _project([src], cases=[case], variables=[(B.gid(40), "role")])
    # add a Coding directly under the TextSource: the whole document is coded
    qde = qde.replace("</TextSource>", f'<Coding guid="{B.gid(901)}" creatingUser="{B.gid(2)}">'
                      f'<CodeRef targetGUID="{B.gid(30)}"/></Coding></TextSource>')
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, files)
    project = read_qdpx(path)
    long = project.to_long()
    assert list(long["text"]) == ["Outdoor play", text]
    assert list(long["start"]) == [5, 0] and list(long["end"]) == [17, len(text)]
    assert list(long["speaker"].fillna("-")) == ["Ivy", "-"]
    assert long["role"].iloc[0] == "manager" and pd.isna(long["role"].iloc[1])
    assert long["segment_id"].iloc[1] == f"LON-1:0-{len(text)}"


def test_selection_outside_text_warns_and_keeps_row(tmp_path):
    src = B.Src(B.gid(60), "T", "Short text.", inline=True)
    src.selections = [B.Sel("Short", [B.gid(11)], coder=B.gid(1))]
    qde, files = _project([src])
    qde = qde.replace('endPosition="5"', 'endPosition="500"')
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, files)
    with pytest.warns(UnmatchedValueWarning, match=r"1 selection\(s\) in source 'T' fall outside"
                                                   r" its text \(11 characters\)"):
        project = read_qdpx(path)
    assert len(project.codings) == 1
    assert project.codings["text"].isna().all() and project.codings["start"].isna().all()


def test_relative_source_read_from_source_dir_only(tmp_path):
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "t.txt").write_text("Hello baby room.", encoding="utf-8")
    qde = B.minimal_qde("relative:///t.txt")
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, {})
    with pytest.raises(FileFormatError, match=r"text source 'T' refers to 'relative:///t.txt' "
                                              r"but the archive has no such file.*"
                                              r"pass source_dir="):
        read_qdpx(path)
    project = read_qdpx(path, source_dir=linked)
    assert list(project.codings["text"]) == ["baby room"]


def test_absolute_path_outside_source_dir_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Hello baby room.", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    qde = B.minimal_qde(f"absolute://{secret}")
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, {})
    with pytest.raises(FileFormatError, match="has no such file"):
        read_qdpx(path, source_dir=other)


def test_read_qdc(tmp_path):
    xml = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
           '<Codes><Code guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Staffing" '
           'isCodable="false"><Description>People in the room</Description>'
           '<Code guid="{AAAAAAAA-0000-0000-0000-000000000002}" name="Ratios" isCodable="true"/>'
           '</Code><Code guid="aaaaaaaa-0000-0000-0000-000000000003" name="Env::Outdoors" '
           'isCodable="true"/></Codes></CodeBook>')
    p = tmp_path / "book.qdc"
    p.write_text(xml, encoding="utf-8")
    book = read_qdc(p)
    assert list(book["path"]) == ["Staffing", "Staffing > Ratios", "Env > Outdoors"]
    assert list(book["guid"])[0] == "aaaaaaaa-0000-0000-0000-000000000001"
    assert book.loc[0, "description"] == "People in the room"
    assert list(book["codable"]) == [False, True, True]
    wrong = tmp_path / "wrong.qdc"
    wrong.write_text('<Codebook xmlns="urn:QDA-XML:codebook:1.0"/>', encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"wrong.qdc: is not a REFI-QDA codebook: root "
                                              r"element is <Codebook>, expected <CodeBook>"):
        read_qdc(wrong)
    broken = tmp_path / "broken.qdc"
    broken.write_text("<CodeBook><Codes>", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"broken.qdc: broken.qdc: XML syntax error"):
        read_qdc(broken)


# ------------------------------------------------------------------ hostile and broken files


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/tmp/evil.txt",
                                    "C:/evil.txt", "..\\evil.txt"])
def test_path_traversal_refused_and_nothing_written(tmp_path, member):
    inner = tmp_path / "inner"
    inner.mkdir()
    path = inner / "hostile.qdpx"
    path.write_bytes(B.zip_bytes({"project.qde": B.minimal_qde(), member: b"pwned"}))
    before = _files(tmp_path)
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    msg = str(err.value)
    assert msg.startswith(str(path))
    assert f"archive entry {member!r} has an absolute path or '..' (path traversal)" in msg
    assert _files(tmp_path) == before


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>'
)
PLAIN_DTD = ('<?xml version="1.0"?>\n<!DOCTYPE Project SYSTEM "http://example.invalid/p.dtd">\n'
             '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')


@pytest.mark.parametrize("xml, says", [
    (BILLION_LAUGHS, "XML declares entities (<!ENTITY>; 'billion laughs' entity-expansion risk)"),
    (EXTERNAL_ENTITY, "XML declares an external entity (<!ENTITY ... SYSTEM/PUBLIC>)"),
    (PLAIN_DTD, "XML has a document type declaration (<!DOCTYPE>)"),
])
def test_dtd_entities_refused(tmp_path, xml, says):
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(B.zip_bytes({"project.qde": xml}))
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    assert str(err.value) == (f"{path}: project.qde: {says}; DTDs are not allowed in a "
                              "REFI-QDA file, refusing to parse it")


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``member`` in the central directory."""
    data = bytearray(data)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]).decode() == member:
            struct.pack_into("<I", data, pos + 24, size)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def test_oversized_entry_refused_from_header(tmp_path):
    path = tmp_path / "big.qdpx"
    data = B.zip_bytes({"project.qde": B.minimal_qde(), "sources/big.txt": b"x" * 1000})
    path.write_bytes(_declare_size(data, "sources/big.txt", 300 * 1024**2))
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    assert str(err.value) == (f"{path}: archive entry 'sources/big.txt' is 314,572,800 bytes "
                              "uncompressed, more than the 268,435,456 allowed for one entry")


def test_total_size_and_entry_limits(tmp_path):
    path = tmp_path / "many.qdpx"
    path.write_bytes(B.zip_bytes({"project.qde": B.minimal_qde(), "a.txt": b"x" * 5000,
                                  "b.txt": b"x" * 5000}))
    with pytest.raises(FileFormatError, match=r"archive entry 'a.txt' is 5,000 bytes "
                                              r"uncompressed, more than the 4,000 allowed"):
        read_qdpx(path, max_entry_bytes=4000)
    with pytest.raises(FileFormatError, match=r"uncompressed size exceeds the 8,000 bytes "
                                              r"allowed in total \(possible zip bomb\)"):
        read_qdpx(path, max_total_bytes=8000)


def test_too_many_entries(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("project.qde", B.minimal_qde())
        for i in range(10_000):
            z.writestr(f"sources/{i}.txt", b"")
    path = tmp_path / "many.qdpx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    assert str(err.value) == (f"{path}: archive has 10,001 entries, more than the 10,000 "
                              "allowed (possible zip bomb)")


def test_entry_larger_than_declared_is_refused(tmp_path):
    path = tmp_path / "liar.qdpx"
    qde = B.minimal_qde()
    data = B.zip_bytes({"project.qde": qde, f"sources/{B.gid(60)}.txt": b"Hello baby room."})
    path.write_bytes(_declare_size(data, "project.qde", 100))
    with pytest.raises(FileFormatError, match=r"archive entry 'project.qde' is damaged or "
                                              r"cannot be read \(Bad CRC-32"):
        read_qdpx(path)


@pytest.mark.parametrize("content, says", [
    (b"PK\x03\x04 not really a zip", "is not a REFI-QDA project: not a zip archive"),
    (b"<Project/>", "is not a REFI-QDA project: not a zip archive"),
    (b"", "file is empty (0 bytes)"),
])
def test_not_a_zip(tmp_path, content, says):
    path = tmp_path / "x.qdpx"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    assert str(err.value).startswith(f"{path}: {says}")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileFormatError, match="nope.qdpx: file not found"):
        read_qdpx(tmp_path / "nope.qdpx")
    with pytest.raises(FileFormatError, match="is a folder, not a"):
        read_qdpx(tmp_path)


def test_missing_and_duplicate_qde(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(B.zip_bytes({"sources/a.txt": b"hi", "inner/project.qde": b"<x/>"}))
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    assert str(err.value) == (f"{path}: is not a REFI-QDA project: no project file (*.qde) at "
                              "the root of the archive (it holds: inner/project.qde, "
                              "sources/a.txt)")
    path.write_bytes(B.zip_bytes({"a.qde": B.minimal_qde(), "b.QDE": B.minimal_qde()}))
    with pytest.raises(FileFormatError, match=r"several project files \(\*\.qde\) at the root "
                                              r"of the archive: a.qde, b.QDE"):
        read_qdpx(path)


def test_missing_source_file(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(B.zip_bytes({"project.qde": B.minimal_qde()}))
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    g = B.gid(60)
    assert str(err.value) == (
        f"{path}: text source 'T' refers to 'internal://{g}.txt' but the archive has no such "
        f"file (looked for: sources/{g}.txt, {g}.txt)")


def test_xml_syntax_error_and_wrong_root(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(B.zip_bytes({"project.qde": "<Project name='x'><Users></Project>"}))
    with pytest.raises(FileFormatError, match=r"x.qdpx: project.qde: XML syntax error: "
                                              r"mismatched tag: line 1, column 27"):
        read_qdpx(path)
    path.write_bytes(B.zip_bytes({"project.qde": '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'}))
    with pytest.raises(FileFormatError, match=r"project.qde: root element is "
                                              r"<\{urn:QDA-XML:codebook:1.0\}CodeBook>, expected "
                                              r"<Project>"):
        read_qdpx(path)


def test_no_warnings_on_clean_files(tmp_path):
    for name, build in [("n", B.nvivo), ("a", B.atlas), ("m", B.maxqda), ("q", B.qualcoder)]:
        path = tmp_path / f"{name}.qdpx"
        build(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            read_qdpx(path).to_long(warn_missing=False)


def test_pdf_representation_text_and_unknown_code(tmp_path):
    src = B.Src(B.gid(60), "MAN-4.pdf", "Page one: babies need calm rooms.", inline=True)
    src.selections = [B.Sel("calm rooms", [B.gid(11)], coder=B.gid(1)),
                      B.Sel("babies", [B.gid(999)], coder=B.gid(1))]
    qde, files = _project([src])
    # wrap the text source as the Representation of a PDF source, as the standard allows
    qde = qde.replace(f'<TextSource guid="{B.gid(60)}" name="MAN-4.pdf">',
                      f'<PDFSource guid="{B.gid(61)}" name="MAN-4.pdf" path="internal://x.pdf">'
                      f'<Representation guid="{B.gid(60)}">')
    qde = qde.replace("</TextSource>", "</Representation></PDFSource>")
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, files)
    with pytest.warns(UnmatchedValueWarning, match=r"1 coding\(s\) refer to codes not in the "
                                                   r"codebook \(00000000-0000-0000-0000-"
                                                   r"0000000013e7\)"):
        project = read_qdpx(path)
    assert project.sources.loc[0, "kind"] == "PDFSource"
    assert project.sources.loc[0, "guid"] == B.gid(61)
    assert list(project.codings["text"]) == ["calm rooms", "babies"]
    assert project.codings["code_path"].isna().tolist() == [False, True]
    assert project.to_long()["group_id"].tolist() == ["MAN-4", "MAN-4"]


def test_project_without_codings(tmp_path):
    qde, files = B.project_xml(users=B.USERS, codes=B._codes(),
                               sources=[B.Src(B.gid(60), "T", "No codes here.")])
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, files)
    project = read_qdpx(path)
    assert len(project.codings) == 0 and len(project.codes) == 7
    assert project.sources.loc[0, "text"] == "No codes here."
    long = project.to_long()
    assert list(long.columns) == LONG and len(long) == 0


def test_stored_selection_text_decides_when_word_boundaries_tie(tmp_path):
    # one-letter words: a selection shifted by two characters still lands on a whole
    # word, so only the stored selection text (PlainTextSelection@name) tells the units apart
    text = "\U0001F600\U0001F600 a b c d e f"
    src = B.Src(B.gid(60), "T", text, inline=True)
    src.selections = [B.Sel("c", [B.gid(11)], coder=B.gid(1), name="c"),
                      B.Sel("d", [B.gid(11)], coder=B.gid(1), name="d")]
    qde, files = B.project_xml(users=B.USERS, codes=B._codes(), sources=[src], unit="utf16")
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, files)
    project = read_qdpx(path)
    assert project.sources.loc[0, "offset_unit"] == "utf16"
    assert list(project.codings["text"]) == ["c", "d"]
    # without the stored text the tie goes to code points, the standard's reading
    plain = qde.replace(' name="c"', "").replace(' name="d"', "")
    path2 = B.write_qdpx(tmp_path / "y.qdpx", plain, files)
    assert read_qdpx(path2).sources.loc[0, "offset_unit"] == "code_points"


@pytest.mark.parametrize("text_path, member", [
    ("internal://{" + B.gid(60).upper() + "}.txt", f"Sources/{B.gid(60).upper()}.txt"),
    ("relative:///Focus%20group%201.txt", "Focus group 1.txt"),
    ("absolute://C:\\Users\\ana\\NVivo\\LON 1.txt", "sources/LON 1.txt"),
])
def test_source_path_spellings(tmp_path, text_path, member):
    path = tmp_path / "x.qdpx"
    path.write_bytes(B.zip_bytes({"project.qde": B.minimal_qde(text_path),
                                  member: b"Hello baby room."}))
    project = read_qdpx(path)
    assert list(project.codings["text"]) == ["baby room"]
    assert project.sources.loc[0, "member"] == member


def test_entry_count_checked_before_reading_the_directory(tmp_path):
    data = bytearray(B.zip_bytes({"project.qde": B.minimal_qde()}))
    pos = bytes(data).rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, pos + 8, 60_000, 60_000)  # claim 60,000 entries
    path = tmp_path / "claims.qdpx"
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError) as err:
        read_qdpx(path)
    assert str(err.value) == (f"{path}: archive has 60,000 entries, more than the 10,000 "
                              "allowed (possible zip bomb)")


def test_load_coding_reads_a_qdpx_into_the_canonical_table(tmp_path):
    from baby_room import load_coding
    from baby_room.codebook import CODING

    path = tmp_path / "atlas.qdpx"
    B.atlas(path)
    long = read_qdpx(path).to_long()
    loaded = load_coding(path)
    assert list(loaded.columns) == CODING.names
    assert len(loaded) == len(long)
    assert loaded["code"].tolist() == long["code"].tolist()
    assert loaded.attrs["file"] == str(path)


# ------------------------------------------------------------------ issue 11: real-tool quirks

TOOLS = {  # fixture -> (builder, expected coded words, unit the tool writes)
    "nvivo_windows": (B.nvivo, lambda e: [x[2] for x in e], "utf16"),
    "nvivo_mac": (lambda p: B.nvivo(p, mac=True), lambda e: [x[2] for x in e], "utf16"),
    "atlas": (B.atlas, lambda e: [x[3] for x in e], "code_points"),
    "maxqda": (B.maxqda, lambda e: [x[3] for x in e], "utf16"),
    "qualcoder": (B.qualcoder, lambda e: [x[2] for x in e], "code_points"),
    "qc": (B.qc, lambda e: [x[2] for x in e], "code_points"),
}


@pytest.mark.parametrize("tool", list(TOOLS))
def test_every_subset_of_codings_down_to_one_is_exact(tool, tmp_path):
    """Imitates NVivo (Windows, Mac), ATLAS.ti, MAXQDA, QualCoder and qc: each coded text
    equals the words the fixture coded (reference: the builder's own text), for the full
    project and for random subsets of its selections down to a single one."""
    import random

    full = tmp_path / f"{tool}.qdpx"
    build, words, unit = TOOLS[tool]
    expected = set(words(build(full)))
    project = read_qdpx(full)
    assert set(project.codings["text"]) == expected
    assert set(project.sources["offset_unit"].dropna()) == {unit}
    guids = list(dict.fromkeys(project.codings["selection_guid"].dropna()))
    case_sels = set(project.case_links["selection"].dropna())
    rng = random.Random(11)
    subsets = [[g] for g in guids] + [rng.sample(guids, k) for k in range(2, len(guids))]
    for i, keep in enumerate(subsets):
        small = B.keep_selections(full, tmp_path / f"{tool}-{i}.qdpx", [*keep, *case_sels])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no guess: the tool says which unit
            c = read_qdpx(small).codings
        assert len(c) >= len(keep)
        assert set(c["text"]) <= expected and c["text"].notna().all(), (tool, keep)


def test_one_nvivo_coding_is_exact_where_word_boundaries_mislead(tmp_path):
    """Imitates NVivo for Windows (UTF-16 units, CRLF as two): with one coding after emoji
    and line ends the code-point reading also lands on word boundaries; the tool decides."""
    text = "A: \U0001F600\U0001F600 ok.\r\nB: we need more staff now.\r\n"
    src = B.Src(B.gid(60), "T", text)
    src.selections = [B.Sel("more staff", [B.gid(11)], coder=B.gid(1))]
    qde, files = B.project_xml(users=B.USERS, codes=B._codes(), sources=[src], unit="utf16",
                               origin="NVivo for Windows 12.6")
    path = B.write_qdpx(tmp_path / "one.qdpx", qde, files)
    project = read_qdpx(path)
    assert project.codings["text"].tolist() == ["more staff"]
    assert project.sources.loc[0, "offset_evidence"] == "tool"
    # the same file without Project@origin: a guess, said out loud
    qde = qde.replace(' origin="NVivo for Windows 12.6"', "")
    path = B.write_qdpx(tmp_path / "anon.qdpx", qde, files)
    with pytest.warns(UnmatchedValueWarning, match=r"unit of the selection positions of 1 "
                                                   r"source\(s\) \('T'\) is a guess"):
        guessed = read_qdpx(path)
    assert guessed.sources.loc[0, "offset_evidence"] in ("word_boundaries", "default")


def test_impossible_readings_are_ruled_out(tmp_path):
    """A position inside a surrogate pair (UTF-16) or between CR and LF cannot be meant."""
    text = "x\r\n\U0001F600y"
    src = B.Src(B.gid(60), "T", text)
    qde, files = B.project_xml(users=B.USERS, codes=B._codes(), sources=[src])
    # end 2 splits the CRLF in code points; under UTF-16 with CRLF as two it is fine
    qde = qde.replace("</TextSource>", f'<PlainTextSelection guid="{B.gid(900)}" '
                      'startPosition="0" endPosition="2"><Coding guid="' + B.gid(901)
                      + f'" creatingUser="{B.gid(1)}"><CodeRef targetGUID="{B.gid(11)}"/>'
                      "</Coding></PlainTextSelection></TextSource>")
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, files)
    project = read_qdpx(path)
    assert project.codings["text"].tolist() == ["x\r"] or project.sources.loc[
        0, "offset_unit"].endswith("crlf_as_1")
    assert project.sources.loc[0, "offset_evidence"] in ("selections", "unambiguous")


def test_coder_rules_keep_both_users(tmp_path):
    """Imitates a merged NVivo project: Coding@creatingUser is the importer everywhere."""
    path = tmp_path / "merged.qdpx"
    expected = B.nvivo(path, merged=True)
    project = read_qdpx(path)
    assert set(project.codings["coding_user"]) == {"Importer"}
    assert list(project.codings["selection_user"]) == [e[1] for e in expected]
    assert list(project.to_long(warn_missing=False)["coder"]) == [e[1] for e in expected]
    by_coding = project.to_long(coder="coding", warn_missing=False)
    assert set(by_coding["coder"]) == {"Importer"}
    assert by_coding.attrs["coder_rule"] == "coding"
    with pytest.raises(ArgumentError, match="coder must be one of 'auto', 'selection', "):
        project.to_long(coder="user")


def test_qc_sources_without_name_take_the_transcript_file(tmp_path):
    """Imitates qc 1.3: TextSource without name, plainTextPath names the transcript."""
    from baby_room.focus_groups.load import load_coding

    path = tmp_path / "qc.qdpx"
    expected = B.qc(path)
    with pytest.warns(UnmatchedValueWarning, match=r"no conference, role, speaker for any "
                                                   r"coding.*pass attributes="):
        long = load_coding(path)
    assert list(long["group_id"]) == [e[0] for e in expected]
    assert long["conference"].isna().all() and long.attrs["format"] == "qdpx"
    sheet = tmp_path / "attributes.csv"
    sheet.write_text("document,conference,role,setting\nLON-4.txt,London,manager,private\n",
                     encoding="utf-8")
    long = load_coding(path, attributes=sheet)
    assert list(long["conference"].astype(str)) == ["London", "London"]
    assert list(long["role"].astype(str)) == ["manager", "manager"]
    assert list(long["setting"]) == ["private", "private"]  # any other attribute is kept


def test_case_variables_other_than_the_four_become_columns(tmp_path):
    path = tmp_path / "m.qdpx"
    B.maxqda(path)
    project = read_qdpx(path)
    v = project.variables
    assert set(v["name"]) == {"conference", "group_id"}
    long = project.to_long(warn_missing=False, attributes=pd.DataFrame(
        {"case": ["x"], "role": ["manager"]}).iloc[:0].assign(document=[]))
    assert list(long.columns[:11]) == LONG


def test_load_coding_detects_bare_qde_renamed_zip_and_qdc(tmp_path):
    """Imitates MAXQDA 24: a .qdpx shipped renamed .zip, and a bare project.qde."""
    from baby_room.focus_groups.load import detect_coding_format, load_coding

    full = tmp_path / "maxqda.qdpx"
    expected = B.maxqda(full)
    renamed = tmp_path / "maxqda project.zip"
    renamed.write_bytes(full.read_bytes())
    assert detect_coding_format(renamed) == "qdpx"
    a = load_coding(renamed)
    assert list(a["text"]) == [e[3] for e in expected]
    bare = tmp_path / "bare"
    bare.mkdir()
    with zipfile.ZipFile(full) as z:
        for info in z.infolist():
            target = bare / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
    qde = bare / "project.qde"
    assert detect_coding_format(qde) == "qde"
    b = load_coding(qde)
    assert list(b["text"]) == list(a["text"]) and b.attrs["format"] == "qde"
    qdc = tmp_path / "book.qdc"
    qdc.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="NVivo 12 For Mac">'
                   '<Codes><Code guid="a" name="Staffing" isCodable="true"/></Codes></CodeBook>',
                   encoding="utf-8")
    with pytest.warns(UnmatchedValueWarning, match="holds codes \\(1\\) but no codings"):
        empty = load_coding(qdc)
    assert len(empty) == 0 and list(empty.columns) == LONG


def test_unknown_table_names_the_formats_and_the_closest(tmp_path):
    from baby_room.focus_groups.load import load_coding

    p = tmp_path / "export.csv"
    p.write_text("Id,File,Code name,Coded text\n1,a.txt,Ratios,one\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as err:
        load_coding(p)
    msg = str(err.value)
    assert "is a table of no known coding format" in msg
    for name in ("REFI-QDA project", "MAXQDA Coded Segments", "QualCoder", "Taguette",
                 "canonical long table"):
        assert name in msg
    assert "The closest is qualcoder" in msg and "need the column(s) coder, category" in msg


# ------------------------------------------------------------------ issue 16: bounded, wrapped


def test_fractional_position_is_a_validation_error_listing_it(tmp_path):
    qde = B.minimal_qde().replace('startPosition="6"', 'startPosition="1.5"')
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, {f"sources/{B.gid(60)}.txt": b"Hello baby room."})
    with pytest.raises(DataValidationError) as err:
        read_qdpx(path)
    f = err.value.failures
    assert f[["column", "value"]].values.tolist() == [["PlainTextSelection@startPosition", "1.5"]]
    assert "a whole number of characters from 0 to 2**53" in str(err.value)


def test_utf7_declaration_refused(tmp_path):
    qde = B.minimal_qde().replace('encoding="utf-8"', 'encoding="UTF-7"')
    path = B.write_qdpx(tmp_path / "x.qdpx", qde, {})
    with pytest.raises(FileFormatError, match=r"x.qdpx: project.qde: the XML declares encoding "
                                              r"'UTF-7'; a REFI-QDA file must be UTF-8"):
        read_qdpx(path)


def test_deeply_nested_codes_refused_with_the_limit(tmp_path):
    from baby_room.focus_groups.qdpx import MAX_CODE_DEPTH

    depth = 3000
    codes = "".join(f'<Code guid="c{i}" name="n{i}" isCodable="true">' for i in range(depth))
    codes += "</Code>" * depth
    xml = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'
    p = tmp_path / "deep.qdc"
    p.write_text(xml, encoding="utf-8")
    with pytest.raises(FileFormatError, match=rf"deep.qdc: codes are nested more than "
                                              rf"{MAX_CODE_DEPTH} levels deep \(the limit\)"):
        read_qdc(p)


def test_two_qde_entries_differing_only_in_case_refused(tmp_path):
    path = B.write_qdpx(tmp_path / "x.qdpx", B.minimal_qde(), {},
                        extra={"PROJECT.qde": B.minimal_qde()})
    with pytest.raises(FileFormatError, match=r"two entries whose names differ only in letter "
                                              r"case: 'project.qde' and 'PROJECT.qde'"):
        read_qdpx(path)


def test_unreadable_file_and_memory_exhaustion_are_file_format_errors(tmp_path, monkeypatch):
    from baby_room.focus_groups import _refi_archive, qdpx

    path = tmp_path / "x.qdc"
    path.write_text("<CodeBook/>", encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(FileFormatError, match=r"x.qdc: cannot be read: permission denied"):
        read_qdc(path)
    monkeypatch.undo()
    full = tmp_path / "n.qdpx"
    B.nvivo(full)

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(qdpx, "read_codes", exhausted)
    with pytest.raises(FileFormatError, match=r"n.qdpx: ran out of memory reading the project; "
                                              r"the limits are 134,217,728 bytes"):
        read_qdpx(full)
    monkeypatch.setattr(_refi_archive, "MAX_XML_BYTES", 10)
    monkeypatch.setattr(qdpx, "MAX_XML_BYTES", 10)
    with pytest.raises(FileFormatError, match=r"more than the 10 allowed"):
        read_qdpx(full)


def test_fifo_refused_before_opening(tmp_path):
    import os

    fifo = tmp_path / "project.qdpx"
    os.mkfifo(fifo)
    with pytest.raises(FileFormatError, match="not a regular"):
        read_qdpx(fifo)
