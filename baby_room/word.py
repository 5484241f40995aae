"""The Word report (``reports/report.docx``) and byte-identical .docx files.

:func:`write_report_docx` writes beside ``index.html`` a Word document with navigable
headings (Word's Heading 1-3 styles, so the navigation pane and a table of contents find
them): the synthetic-data label, key findings, the published figures recomputed, every
figure of the report, the publication tables (:func:`baby_room.tables.summary_table`),
data quality and sources. :func:`save_docx` fixes everything a save stamps (core
properties, zip entry times and order), so two builds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd

from baby_room._docx import add_table
from baby_room._version import __version__
from baby_room.report_page import caption
from baby_room.tables import publication_tables

__all__ = ["FIXED_TIME", "StyledParagraphs", "add_frame", "save_docx", "synthetic_banner",
           "write_report_docx"]

#: The time written into every .docx (core properties and zip entries).
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def save_docx(document, path, *, title: str, subject: str = "") -> Path:
    """Save a python-docx ``Document`` with fixed metadata so rebuilds are byte-identical.

    Core properties (author "baby_room", created/modified :data:`FIXED_TIME`, revision 1)
    are set, and the package is re-zipped with every entry dated 1980-01-01 in sorted
    order.

    Examples
    --------
    >>> import docx, tempfile
    >>> d = docx.Document(); _ = d.add_heading("Hello", level=1)
    >>> with tempfile.TemporaryDirectory() as t:
    ...     a = save_docx(d, Path(t) / "a.docx", title="T").read_bytes()
    ...     b = save_docx(d, Path(t) / "b.docx", title="T").read_bytes()
    >>> a == b
    True
    """
    props = document.core_properties
    props.author = "baby_room"
    props.last_modified_by = "baby_room"
    props.title = title
    props.subject = subject
    props.comments = f"Built by baby_room {__version__}"
    props.created = FIXED_TIME.replace(tzinfo=None)
    props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_printed = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    entries = package_entries(document)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # [Content_Types].xml first (Office expects it), the rest in sorted order
    entries.sort(key=lambda e: (e[0] != "[Content_Types].xml", e[0]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def package_entries(document) -> list[tuple[str, bytes]]:
    """The files of a python-docx ``Document``'s package: ``(zip member name, bytes)``.

    What ``document.save`` writes into its zip file, in its order (python-docx's
    ``OpcPackage.save`` and ``PackageWriter.write``), without compressing it:
    :func:`save_docx` zips the entries once, with fixed dates, instead of unzipping
    python-docx's file and compressing every image again.

    Examples
    --------
    >>> import docx
    >>> [name for name, _ in package_entries(docx.Document())][:2]
    ['[Content_Types].xml', '_rels/.rels']
    """
    from docx.opc.pkgwriter import PackageWriter

    class Collect:
        def __init__(self):
            self.entries = []

        def write(self, pack_uri, blob):
            self.entries.append((pack_uri.membername, blob))

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    out = Collect()
    PackageWriter._write_content_types_stream(out, package.parts)
    PackageWriter._write_pkg_rels(out, package.rels)
    PackageWriter._write_parts(out, package.parts)
    return out.entries


def synthetic_banner(document, synthetic: bool) -> None:
    """The red "SYNTHETIC DATA" line at the top of a document built from synthetic data."""
    if not synthetic:
        return
    from docx.shared import RGBColor

    p = document.add_paragraph()
    run = p.add_run("SYNTHETIC DATA — every number in this document was computed from the "
                    "bundled synthetic data set, not from real survey responses or transcripts.")
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)


def add_frame(document, frame: pd.DataFrame, *, caption: str | None = None,
              number_format=None) -> None:
    """A DataFrame as a Word table ("Table Grid", header row bold, missing values as "–").

    The table is written as one WordprocessingML element (python-docx's cell-by-cell API
    costs tens of milliseconds a table, too slow for 150 briefings).
    """
    if caption:
        document.add_paragraph(caption, style="Caption")
    fmt = number_format or _number
    add_table(document, [str(c) for c in frame.columns],
              [[fmt(v) for v in row] for row in frame.itertuples(index=False)])


def _number(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:.3g}"
    return str(value)


class StyledParagraphs:
    """Adds paragraphs in a named style to a python-docx ``Document``, the style looked up
    once per name.

    ``document.add_paragraph(text, style=name)`` finds the style by name and then scans
    every style for the default one on each call (most of a report's writing time); the
    paragraphs made here are the same XML (``w:pStyle`` with the style's id, none for the
    default paragraph style).

    Examples
    --------
    >>> import docx
    >>> d = docx.Document()
    >>> p = StyledParagraphs(d).paragraph("A caption", "Caption")
    >>> p.style.name, p.text
    ('Caption', 'A caption')
    """

    def __init__(self, document):
        from docx.enum.style import WD_STYLE_TYPE

        self.document = document
        self._default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._ids: dict[str, str | None] = {}

    def paragraph(self, text: str, style: str):
        """A paragraph of ``text`` in the paragraph style named ``style``."""
        if style not in self._ids:
            found = self.document.styles[style]
            self._ids[style] = None if found == self._default else found.style_id
        paragraph = self.document.add_paragraph(text)
        if self._ids[style] is not None:
            paragraph._p.style = self._ids[style]
        return paragraph

    def heading(self, text: str, level: int = 1):
        """A heading as ``Document.add_heading`` makes it (level 0: the Title style)."""
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")


def write_report_docx(folder, *, data_dir=None, project=None, data_label: str | None = None,
                      threshold: int = 5, findings: pd.DataFrame | None = None,
                      published: pd.DataFrame | None = None, page: dict | None = None
                      ) -> Path:
    """Write ``report.docx`` into a report folder (figures/ already there).

    Parameters
    ----------
    folder : str or os.PathLike
        The report folder being built.
    data_dir : str or os.PathLike, optional
        The data folder; None: the bundled synthetic data.
    project : baby_room.Project, optional
        The loaded data (the report passes it); when None, ``load_project(data_dir)``.
    data_label : str, optional
        How the page names its data ("the bundled synthetic data", "data in raw/").
    threshold : int
        Disclosure control: publication-table cells on fewer units are shown as ``[c]``.
    findings, published : pandas.DataFrame, optional
        The key findings and the published-figures comparison when already computed (the
        report passes those of its front page, :func:`baby_room.report_page.page_data`);
        None: computed from ``project``.
    page : dict, optional
        What :func:`baby_room.report_page.page_data` returned for this data (the report's
        front-page data step, run beside the notebooks): its findings, published
        comparison, publication tables, data-quality overview, sources and synthetic flag
        are shown instead of being computed from ``project``, which then loads no table.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, docx
    >>> with tempfile.TemporaryDirectory() as d:
    ...     doc = docx.Document(write_report_docx(d))
    >>> [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][:3]
    ['Key findings', 'Published figures, recomputed', 'Figures']
    """
    import docx
    from docx.shared import Cm

    from baby_room.findings import key_findings, published_comparison
    from baby_room.project import load_project
    from baby_room.quality import overview

    folder = Path(folder)
    if project is None:
        project = load_project(data_dir)
    if data_label is None:
        data_label = ('the bundled synthetic data' if data_dir is None
                      else 'the data folder ' + Path(data_dir).name)
    page = page or {}
    if findings is None:
        findings = page.get("findings")
    if published is None:
        published = page.get("published")
    synthetic = page["synthetic"] if "synthetic" in page else project.synthetic
    present = set(getattr(project, 'present', ('survey', 'coding', 'evidence')))
    document = docx.Document()
    styled = StyledParagraphs(document)
    styled.heading("Baby Room Project — findings", level=0)
    synthetic_banner(document, synthetic)
    document.add_paragraph(
        f"Built from {data_label} "
        f"by baby_room {__version__}. The same findings, with the notebooks and every table "
        "as CSV and Excel, are in index.html beside this file.")

    styled.heading("Key findings", level=1)
    if findings is None:
        findings = key_findings(project)
    titles = {"survey": "Survey of baby room educators and managers",
              "evidence": "Global evidence review",
              "focus_groups": "Focus groups at six conferences"}
    for area, title in titles.items():
        rows = findings[findings["area"] == area]
        if rows.empty:
            continue
        styled.heading(title, level=2)
        for sentence in rows["sentence"]:
            styled.paragraph(str(sentence), "List Bullet")

    styled.heading("Published figures, recomputed", level=1)
    document.add_paragraph("The project's published statements beside the values computed "
                           "from this data.")
    if published is None:
        published = published_comparison(**{k: getattr(project, k)
                                            for k in ("survey", "coding", "evidence")
                                            if k in present})
    add_frame(document, published.drop(columns="value").rename(columns=str.capitalize))

    styled.heading("Figures", level=1)
    figures = sorted((folder / "figures").glob("*.png"))
    if not figures:
        document.add_paragraph("No figures were built.")
    for prefix, title in (("survey", "Survey"), ("evidence", "Evidence review"),
                          ("fg", "Focus groups")):
        group = [p for p in figures if p.stem.startswith(prefix + "-")]
        if not group:
            continue
        styled.heading(title, level=2)
        for png in group:
            document.add_picture(str(png), width=Cm(15))
            styled.paragraph(caption(png.stem), "Caption")

    styled.heading("Publication tables", level=1)
    tables = page.get("publication_tables")
    if tables is None:
        tables = publication_tables(project, threshold=threshold)
    if tables:
        for table in tables:
            styled.heading(table.title, level=2)
            table.to_docx(document)
    else:
        document.add_paragraph("No survey data: no publication tables.")

    styled.heading("Data quality", level=1)
    quality = page["overview"] if "overview" in page else overview(project)
    add_frame(document, quality.drop(columns=["source"]))
    n_aside = page["n_aside"] if "n_aside" in page else len(project.set_aside)
    document.add_paragraph(
        f"{n_aside} row{'' if n_aside == 1 else 's'} failed validation and "
        f"{'was' if n_aside == 1 else 'were'} set aside (not analysed); each is listed with "
        "its file, row and reasons in tables/rows-set-aside.csv. Counts below "
        f"{threshold} are suppressed in published tables, with secondary suppression. "
        "Free text, names and identifiers never appear.")

    styled.heading("Sources", level=1)
    for kind, source in zip(quality["dataset"], quality["source"], strict=True):
        styled.paragraph(f"{kind}: {source or kind}", "List Bullet")
    document.add_paragraph(
        "Published statements: the Baby Room Project's reports (January 2025, September "
        "2025) and the 2025 conference programme. EYFS ratios and staffing rules: Early "
        "years foundation stage statutory framework (Department for Education).")
    return save_docx(document, folder / "report.docx",
                     title="Baby Room Project — findings"
                           + (" (SYNTHETIC DATA)" if synthetic else ""),
                     subject="Findings report")
