"""The report's front page: key findings, published figures, data quality, links to the rest.

:func:`write_summary_page` computes what the page shows (through :mod:`baby_room.findings`
and :mod:`baby_room.quality`), saves the tables behind it through
:class:`baby_room.Outputs`, and renders ``templates/findings.html.j2`` to ``index.html``.
It is called by :func:`baby_room.report.build_report` once the notebooks' figures and
tables are in the folder being built.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Figure-name prefixes of the three findings areas, with their headings.
AREAS = (("survey", "survey", "Survey of baby room educators and managers"),
         ("evidence", "evidence", "Global evidence review"),
         ("fg", "focus_groups", "Focus groups at six conferences"))
#: Which data kind each findings area comes from.
AREA_KIND = {"survey": "survey", "evidence": "evidence", "focus_groups": "coding"}


def caption(name: str) -> str:
    """A figure's caption from its file stem.

    Examples
    --------
    >>> caption("survey-group-size-by-region")
    'Survey: group size by region'
    """
    words = name.replace("-", " ").replace("_", " ")
    for prefix, label in (("survey ", "Survey: "), ("evidence ", "Evidence review: "),
                          ("fg ", "Focus groups: ")):
        if words.startswith(prefix):
            return label + words[len(prefix):]
    return words[:1].upper() + words[1:]


def table_html(frame: pd.DataFrame) -> str:
    """A table as an HTML fragment: whole numbers with thousands separators, 3 significant digits.

    Examples
    --------
    >>> "1,234" in table_html(pd.DataFrame({"n": [1234.0]}))
    True
    """
    def number(v: float) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:.3g}"

    return frame.to_html(index=False, na_rep="–", border=0, classes="data", float_format=number)


def quality_tables(project, out) -> dict:
    """Write the data-quality tables of a project through ``out``; return what the page needs.

    Tables: ``data-quality-overview``, ``data-quality-missingness``, ``rows-set-aside``
    (dataset, file, row, reasons) and ``cells-set-aside`` (dataset, file, row, column,
    reason). File names are reduced to their base name, so the page does not depend on
    where the data folder is.
    """
    from baby_room.quality import missingness, overview

    table = overview(project)
    quality = out.table(table.drop(columns=["source"]), "data-quality-overview",
                        suppress=False)
    tables = project.tables()
    miss = (pd.concat([missingness(t, kind=k).assign(dataset=k) for k, t in tables.items()],
                      ignore_index=True) if tables else pd.DataFrame(columns=["dataset"]))
    miss = miss[["dataset", *[c for c in miss.columns if c != "dataset"]]]
    out.table(miss, "data-quality-missingness", suppress=False)
    rows = project.set_aside
    rows["file"] = [Path(str(f)).name for f in rows["file"]]
    rows = out.table(rows, "rows-set-aside", suppress=False)
    cells = project.set_aside_cells
    cells["file"] = [Path(str(f)).name for f in cells["file"]]
    cells = out.table(cells, "cells-set-aside", suppress=False)
    return {"quality": table_html(quality), "n_aside": len(rows), "n_cells": len(cells),
            "overview": table}


def page_data(folder, project, *, threshold: int = 5) -> dict:
    """Compute what the front page shows from the data alone and save its tables.

    Writes the data-quality tables (:func:`quality_tables`), ``key-findings`` and
    ``published-figures`` into ``folder/tables`` through :class:`baby_room.Outputs`, and
    returns them for :func:`write_summary_page` and the Word report: ``findings`` and
    ``published`` (DataFrames), the quality summary (``quality``, ``n_aside``,
    ``n_cells``, ``overview``: each data set's source among its columns), the project's
    ``synthetic`` flag and the Word report's ``publication_tables``
    (:func:`baby_room.tables.publication_tables`): everything the page and the Word
    report show from the data, so the process writing them loads no table. Nothing here
    reads the notebooks' outputs, so a report build computes it while the notebooks run.

    Examples
    --------
    >>> import tempfile
    >>> import baby_room as br
    >>> with tempfile.TemporaryDirectory() as d:
    ...     data = page_data(d, br.load_project())
    ...     saved = sorted(p.name for p in Path(d, "tables").glob("*.csv"))
    >>> "key-findings.csv" in saved, list(data["findings"].columns[:2])
    (True, ['area', 'finding'])
    """
    from baby_room.findings import key_findings, published_comparison
    from baby_room.outputs import Outputs
    from baby_room.tables import publication_tables

    out = Outputs(Path(folder), threshold=threshold)
    quality = quality_tables(project, out)
    findings = key_findings(project)
    out.table(findings, "key-findings", suppress=False)
    tables = {k: getattr(project, k) for k in ("survey", "coding", "evidence")
              if k in project.present}
    published = out.table(published_comparison(**tables), "published-figures", suppress=False)
    return {"findings": findings, "published": published, **quality,
            "synthetic": project.synthetic,
            "publication_tables": publication_tables(project, threshold=threshold)}


def write_summary_page(folder, project, *, data_label: str, threshold: int = 5,
                       commit: str = "unknown", skipped=(), data: dict | None = None) -> Path:
    """Write ``index.html``, the key findings and the data-quality tables into a report folder.

    Parameters
    ----------
    folder : str or os.PathLike
        The report folder being built (figures/, tables/, notebooks/ already there).
    project : baby_room.Project
        The data the report was built from (absent sources are named on the page).
    data_label : str
        Where the data came from, in words ("the bundled synthetic data").
    threshold : int
        Disclosure-control threshold (applied to the tables and stated on the page).
    commit : str
        The code version shown on the page.
    skipped : sequence of str
        Notebooks not run because a source they read is absent.
    data : dict, optional
        What :func:`page_data` returned for this folder (its tables already saved there);
        None: computed now.

    Returns
    -------
    pathlib.Path
        The page written.

    Examples
    --------
    >>> import tempfile
    >>> import baby_room as br
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = write_summary_page(d, br.load_project(), data_label="the bundled data")
    ...     text = page.read_text()
    >>> "SYNTHETIC DATA" in text, "Key findings" in text
    (True, True)
    """
    import jinja2

    from baby_room._version import __version__

    folder = Path(folder)
    if data is None:
        data = page_data(folder, project, threshold=threshold)
    findings, published = data["findings"], data["published"]
    quality = {k: data[k] for k in ("quality", "n_aside", "n_cells")}

    figures = sorted(p.stem for p in (folder / "figures").glob("*.png"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    page = env.get_template("findings.html.j2").render(
        synthetic=data["synthetic"] if "synthetic" in data else project.synthetic,
        data_label=data_label,
        version=__version__,
        commit=commit,
        absent=[k for k in project.absent],
        skipped=list(skipped),
        findings=findings.to_dict("records"),
        areas={area: title for _, area, title in AREAS},
        areas_present=[a for a, k in AREA_KIND.items() if k in project.present],
        figure_groups=[(title, [{"name": f, "caption": caption(f)} for f in figures
                                 if f.startswith(prefix + "-")])
                       for prefix, _, title in AREAS],
        published=table_html(published.drop(columns="value")),  # shown as text in "computed"
        tables=sorted(p.stem for p in (folder / "tables").glob("*.csv")),
        pages=sorted(p.name for p in (folder / "notebooks").glob("*.html")),
        threshold=threshold,
        explorer=(folder / "evidence-explorer.html").is_file(),  # issue 15
        word=(folder / "report.docx").is_file(),  # issue 14
        **quality,
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
