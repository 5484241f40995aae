"""The Word report: opens with python-docx, navigable headings, every figure, the
publication tables with the indicators' numbers, the synthetic label, no personal data,
and the same bytes on every build.

References: python-docx (an independent reader of the file), summary_table (whose cells
are checked against the indicators in tests/test_tables.py), the bundled data's own
identifiers, speaker names and free text for the privacy scan.
"""

import re
import zipfile

import docx
import matplotlib.pyplot as plt
import pytest

import baby_room as br
from baby_room.tables import REPORT_TABLES, summary_table
from baby_room.word import write_report_docx

# one xdist worker runs this module (make test: --dist loadgroup), so the two Word reports
# (module fixtures) are made once
pytestmark = pytest.mark.xdist_group("test_word")


def _figures(folder):
    (folder / "figures").mkdir(parents=True)
    for name in ("survey-group-size", "evidence-countries"):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([1, 2, 3])
        fig.savefig(folder / "figures" / f"{name}.png", dpi=50, metadata={"Software": None})
        plt.close(fig)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    _figures(a)
    _figures(b)
    return write_report_docx(a), write_report_docx(b)


def test_two_builds_are_byte_identical(reports):
    a, b = reports
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_opens_with_navigable_headings(reports):
    document = docx.Document(reports[0])
    h1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert h1 == ["Key findings", "Published figures, recomputed", "Figures",
                  "Publication tables", "Data quality", "Sources"]
    h2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Survey of baby room educators and managers" in h2
    assert [t for t, _, _ in REPORT_TABLES] == [h for h in h2 if h.startswith("Table")]
    assert document.core_properties.title.endswith("(SYNTHETIC DATA)")
    assert document.core_properties.created.year == 2000


def test_holds_every_figure_and_the_synthetic_label(reports):
    document = docx.Document(reports[0])
    assert len(document.inline_shapes) == 2
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Survey: group size" in captions and "Evidence review: countries" in captions
    assert document.paragraphs[1].text.startswith("SYNTHETIC DATA")


def test_publication_table_cells_are_summary_tables(reports):
    document = docx.Document(reports[0])
    title, variables, by = REPORT_TABLES[0]
    expected = summary_table(br.synthetic.survey(), variables=variables, by=by, title=title,
                             min_count=5)
    texts = {c.text for t in document.tables for r in t.rows for c in r.cells}
    mean = expected.data[(expected.data["variable"] == "group_size")
                         & (expected.data["measure"] == "mean")]
    assert set(mean["text"]) <= texts
    assert "13.0 (12.5–13.5)" in texts  # the published mean group size, 13


def test_no_identifier_name_or_free_text(reports):
    survey, coding = br.synthetic.survey(), br.synthetic.coding()
    with zipfile.ZipFile(reports[0]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    text = re.sub(r"<[^>]+>", " ", xml)
    ids = set(survey["respondent_id"]) | set(survey["setting_id"]) | set(coding["segment_id"])
    assert not set(re.findall(r"\b[A-Z]+\d{3,}\b", text)) & ids
    names = set(coding["speaker"].dropna())
    assert not {w for w in re.findall(r"\b[A-Z][a-z]+\b", text)} & names
    for fragment in set(survey["comments"].dropna()) | set(coding["text"].dropna()):
        assert fragment[:40] not in text


def test_page_data_gives_the_same_document_and_loads_no_table(reports, tmp_path):
    """The report computes what the Word report shows from the data (findings, publication
    tables, quality overview, sources, synthetic flag) in its front page's data step, a
    child process, so it travels pickled: given that, the document is the same bytes as
    one that computes everything itself (the reference), and the project loads no table."""
    import pickle

    from baby_room.report_page import page_data

    data = page_data(tmp_path / "page", br.load_project(), threshold=5)
    page = pickle.loads(pickle.dumps(data))
    assert [t.title for t in page["publication_tables"]] == [t for t, _, _ in REPORT_TABLES]
    _figures(tmp_path / "given")
    project = br.load_project()
    given = write_report_docx(tmp_path / "given", project=project, page=page)
    assert given.read_bytes() == reports[0].read_bytes()
    assert project._tables == {}


def test_no_survey_no_publication_tables(tmp_path):
    from baby_room.synthetic import write_all

    write_all(tmp_path / "data")
    (tmp_path / "data" / "survey.csv").unlink()
    project = br.load_project(tmp_path / "data")
    assert br.tables.publication_tables(project) == []
    document = docx.Document(write_report_docx(tmp_path / "out", project=project))
    assert "No survey data: no publication tables." in [p.text for p in document.paragraphs]


def test_package_entries_are_what_python_docx_saves(tmp_path):
    """save_docx zips python-docx's parts itself (package_entries) instead of saving with
    python-docx, reading the zip back and compressing it again: the entries are the ones
    python-docx's own save writes (the reference, read back with zipfile), in its order,
    and the file written holds them with fixed times."""
    import io

    from baby_room.word import FIXED_TIME, package_entries, save_docx

    _figures(tmp_path)
    document = docx.Document()
    document.add_heading("Title", level=1)
    document.add_picture(str(tmp_path / "figures" / "survey-group-size.png"))
    document.add_paragraph("A caption", style="Caption")
    ours = save_docx(document, tmp_path / "ours.docx", title="T", subject="S").read_bytes()
    buffer = io.BytesIO()
    document.save(buffer)  # the same core properties: save_docx set them
    with zipfile.ZipFile(buffer) as z:
        reference = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    assert package_entries(document) == reference
    assert document.core_properties.created == FIXED_TIME
    # the file holds those entries, [Content_Types].xml first, with no build time in them
    with zipfile.ZipFile(io.BytesIO(ours)) as z:
        written = [(i.filename, z.read(i.filename)) for i in z.infolist()]
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert written[0][0] == "[Content_Types].xml"
    assert sorted(written) == sorted(reference)
