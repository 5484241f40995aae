"""Each supported format round-trips: synthetic data written to the format and loaded back equal."""

import pandas as pd
import pandas.testing as pdt
import pytest

import baby_room as br
from baby_room._io import write_table
from baby_room.synthetic import raw

LOADERS = {"survey": br.load_survey, "coding": br.load_coding, "codebook": br.load_codebook,
           "evidence": br.load_evidence}


def _expected(kind):
    return LOADERS[kind](raw(kind))


def _same(got, expected):
    pdt.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True),
                           check_dtype=True)
    assert got.attrs["synthetic"] is True


@pytest.mark.parametrize("kind", list(LOADERS))
@pytest.mark.parametrize("ext", ["csv", "tsv", "xlsx", "parquet"])
def test_round_trip(tmp_path, kind, ext):
    path = write_table(raw(kind), tmp_path / f"{kind}.{ext}")
    _same(LOADERS[kind](path), _expected(kind))


def test_sav_round_trip_value_labels_become_categories(tmp_path):
    survey = br.synthetic.survey()
    file_form = survey.drop(columns=["comments"]).assign(data_notice=raw("survey")["data_notice"])
    path = write_table(file_form, tmp_path / "survey.sav")
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    # written with numeric codes and value labels, as SPSS users store Likert items
    assert meta.variable_value_labels["valued_by_parents"][1] == "Strongly disagree"
    got = br.load_survey(path)
    expected = survey.drop(columns=["comments"])
    pdt.assert_frame_equal(got.drop(columns=["comments"]), expected)
    assert got["valued_by_parents"].cat.ordered


def test_qualtrics_export_two_extra_header_rows(tmp_path):
    path = write_table(raw("survey"), tmp_path / "qualtrics.csv", format="qualtrics")
    got = br.load_survey(path)
    _same(got, _expected("survey"))
    assert got.attrs["format"] == "qualtrics"


def test_qualtrics_rows_are_numbered_as_in_the_file(tmp_path):
    frame = raw("survey").head(3).copy()
    frame.loc[1, "group_size"] = "lots"
    path = write_table(frame, tmp_path / "q.csv", format="qualtrics")
    with pytest.raises(br.DataValidationError) as info:
        br.load_survey(path)
    # header row 1, question text row 2, ImportId row 3: the second response is row 5
    assert info.value.failures["row"].tolist() == [5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_text_encodings(tmp_path, encoding):
    frame = raw("evidence").head(5).copy()
    frame.loc[0, "countries"] = "España"
    frame.loc[1, "title"] = "Crèche quality — a study"  # em dash exists in cp1252
    path = tmp_path / "evidence.csv"
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    got = br.load_evidence(path)
    assert got.loc[0, "countries"] == "España"
    assert got.loc[1, "title"] == "Crèche quality — a study"


def test_user_column_mapping(tmp_path):
    frame = raw("evidence").rename(columns={"countries": "Country of study", "year": "Pub yr"})
    got = br.load_evidence(frame, columns={"Country of study": "countries", "Pub yr": "year"})
    pdt.assert_series_equal(got["countries"], _expected("evidence")["countries"])


def test_headers_are_normalised():
    frame = raw("codebook").rename(columns={"theme": " Theme ", "definition": "DEFINITION"})
    got = br.load_codebook(frame)
    assert list(got.columns) == ["theme", "code", "definition"]


def test_dataframe_input_is_accepted():
    frame = pd.DataFrame({"theme": ["Status"], "code": ["pay"], "definition": [None]})
    got = br.load_codebook(frame)
    assert got.attrs["synthetic"] is False
    assert got["definition"].isna().all()


def test_large_file_not_utf8_after_its_first_megabyte(tmp_path):
    """A file decoded from its head only must still fall back to Windows-1252 when a later
    byte is not UTF-8 (the parser finds it), and keep exact values."""
    frame = raw("evidence")
    frame = pd.concat([frame] * 40, ignore_index=True)
    frame["item_id"] = [f"E{i:06d}" for i in range(len(frame))]
    frame.loc[len(frame) - 1, "countries"] = "Curaçao"
    path = tmp_path / "evidence.csv"
    path.write_bytes(frame.to_csv(index=False).encode("cp1252"))
    assert path.stat().st_size > 1.1 * 2**20
    got = br.load_evidence(path)
    assert got["countries"].iloc[-1] == "Curaçao"
    assert len(got) == len(frame)



@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_large_file_streamed_from_disk_keeps_row_numbers(tmp_path, monkeypatch, newline):
    """A UTF-8 file over 1 MB is parsed from the file, never held whole: its row numbers
    (as a spreadsheet shows them) must still count leading and inner blank lines, and a
    record with a multi-line cell is one row. The expected numbers are counted here while
    writing the file."""
    import baby_room._io as io

    parts, line, expected, values = [newline, "id,note" + newline], 3, [], []
    for i in range(60_000):
        if i % 9_999 == 5:
            parts.append(newline)  # a blank line is a row of its own
            line += 1
        note = f"two{newline}lines é {i}" if i % 7_001 == 3 else f"note é {i}"
        parts.append(f'R{i:05d},"{note}"{newline}')
        expected.append(line)
        values.append(note)
        line += 1  # a multi-line cell stays in its row
    path = tmp_path / "big.csv"
    path.write_bytes(("\ufeff" + "".join(parts)).encode("utf-8"))
    assert path.stat().st_size > 1.1 * 2**20

    def never(path):
        raise AssertionError(f"{path} was read whole")

    monkeypatch.setattr(io, "read_bytes", never)
    got = io.read_table(path)
    assert got.rows.tolist() == expected
    assert got.data["note"].tolist() == values
