"""Key findings: sentences whose numbers are computed from the data, and the report's front page.

:func:`key_findings` returns one row per finding with the sentence and the numbers
behind it, so the same values can be checked in a test or cited elsewhere.
:func:`write_findings_page` writes ``index.html`` and the data-quality tables of a
report build.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from baby_room._version import __version__


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _ci(row, fmt) -> str:
    return f"95% CI {fmt(row['ci_low'])} to {fmt(row['ci_high'])}"


def _stat(table: pd.DataFrame, statistic: str, **match) -> pd.Series:
    sel = table["statistic"] == statistic
    for col, value in match.items():
        sel &= table[col] == value
    return table.loc[sel].iloc[0]


def _survey_findings(survey: pd.DataFrame) -> list[dict]:
    """Group size, ratio, CPD and status findings from the survey (room level where it applies)."""
    from baby_room.survey import indicators, likert

    rooms = indicators.rooms(survey)
    gs = indicators.group_size_summary(survey)
    mean = _stat(gs, "mean")
    above12 = _stat(gs, "share_above", threshold=12)
    le8 = _stat(gs, "share_at_or_below", threshold=8)
    ratio = indicators.ratio_summary(survey)
    meets = _stat(ratio, "share_meeting_eyfs_ratio")
    per_adult = _stat(ratio, "babies_per_adult")
    work = indicators.workforce_summary(survey)
    cpd = _stat(work, "cpd_baby_past_year")
    items = ["valued_by_manager", "valued_by_parents", "valued_by_society"]
    lik = likert.likert_summary(survey, items)
    agree = {i: _stat(lik, "share_agree", item=i) for i in items}
    one = lambda v: f"{v:.1f}"  # noqa: E731
    return [
        {"area": "survey", "finding": "respondents_rooms_babies",
         "sentence": f"{len(survey)} respondents described {len(rooms)} distinct baby rooms, "
                 f"caring for {int(rooms['group_size'].sum()):,} babies between them.",
         "value": float(rooms["group_size"].sum())},
        {"area": "survey", "finding": "mean_group_size",
         "sentence": f"The mean group size was {one(mean['estimate'])} babies per room "
                 f"({_ci(mean, one)}); rooms ranged from "
                 f"{int(_stat(gs, 'min')['estimate'])} to {int(_stat(gs, 'max')['estimate'])} "
                 f"babies, with a median of {_stat(gs, 'median')['estimate']:g}.",
         "value": float(mean["estimate"])},
        {"area": "survey", "finding": "share_rooms_over_12",
         "sentence": f"{_pct(above12['estimate'])} of rooms had more than 12 babies "
                 f"({_ci(above12, _pct)}); {_pct(le8['estimate'])} were at or below the 8 "
                 "babies that the evidence review suggests as an upper limit.",
         "value": float(above12["estimate"])},
        {"area": "survey", "finding": "share_meeting_ratio",
         "sentence": f"{_pct(meets['estimate'])} of rooms met the EYFS under-2 ratio of 1:3 "
                 f"({_ci(meets, _pct)}); on average there were "
                 f"{per_adult['estimate']:.2f} babies per adult.",
         "value": float(meets["estimate"])},
        {"area": "survey", "finding": "share_baby_cpd",
         "sentence": f"{_pct(cpd['estimate'])} of respondents had baby-specific CPD in the past "
                 f"year ({_ci(cpd, _pct)}).",
         "value": float(cpd["estimate"])},
        {"area": "survey", "finding": "feeling_valued",
         "sentence": f"{_pct(agree['valued_by_manager']['estimate'])} agreed that they feel valued "
                 f"by their manager, {_pct(agree['valued_by_parents']['estimate'])} by parents "
                 f"and {_pct(agree['valued_by_society']['estimate'])} that baby room work is "
                 "valued by society.",
         "value": float(agree["valued_by_parents"]["estimate"])},
    ]


def _evidence_findings(evidence: pd.DataFrame) -> list[dict]:
    """Size, UK share, instruments and professional learning in the evidence review."""
    from baby_room.evidence import breakdowns

    types = evidence["publication_type"].value_counts()
    uk = breakdowns.uk_vs_rest(evidence)
    uk_row = uk.loc[uk["uk_vs_rest"] == "UK"].iloc[0]
    fam = breakdowns.by_instrument_family(evidence)
    top = fam.head(2)
    dims = breakdowns.by_dimension(evidence)
    pl = dims.loc[dims["dimension"] == "professional learning", "n"]
    return [
        {"area": "evidence", "finding": "uk_share",
         "sentence": f"The review included {len(evidence)} items ({int(types.get('academic', 0))} "
                 f"academic articles and {int(types.get('grey', 0))} grey literature); only "
                 f"{int(uk_row['n'])} ({100 * uk_row['share']:.1f}%) came from the UK.",
         "value": float(uk_row["share"])},
        {"area": "evidence", "finding": "instrument_families",
         "sentence": "The most used instrument families were "
                 + " and ".join(f"{r.instrument_family} ({int(r.n)} items)"
                                for r in top.itertuples()) + ".",
         "value": float(top["n"].iloc[0])},
        {"area": "evidence", "finding": "professional_learning",
         "sentence": f"{int(pl.iloc[0]) if len(pl) else 0} items examined professional learning "
                 "and quality.",
         "value": float(pl.iloc[0]) if len(pl) else 0.0},
    ]


def _focus_group_findings(coding: pd.DataFrame) -> list[dict]:
    """Participants, themes and inter-coder agreement of the focus groups."""
    from baby_room.focus_groups import agreement, analysis

    summary = analysis.coding_summary(coding, by=None).iloc[0]
    themes = analysis.code_frequencies(coding, level="theme").sort_values(
        "count", ascending=False, kind="stable")
    agree = agreement.intercoder_agreement(coding)
    overall = agree.loc[agree["code"] == "(all codes)"].iloc[0]
    n_conf = coding["conference"].nunique()
    return [
        {"area": "focus_groups", "finding": "participants",
         "sentence": f"{int(summary['n_participants'])} educators and managers took part in "
                 f"{int(summary['n_groups'])} focus groups at {n_conf} conferences.",
         "value": float(summary["n_participants"])},
        {"area": "focus_groups", "finding": "top_theme",
         "sentence": f"The theme coded in most segments was \u201c{themes.iloc[0]['theme']}\u201d "
                 f"({100 * themes.iloc[0]['share']:.0f}% of segments), followed by "
                 f"\u201c{themes.iloc[1]['theme']}\u201d ({100 * themes.iloc[1]['share']:.0f}%).",
         "value": float(100 * themes.iloc[0]["share"])},
        {"area": "focus_groups", "finding": "agreement",
         "sentence": f"On the {int(summary['n_double_coded'])} double-coded segments, the two "
                 f"coders agreed with Cohen's kappa {overall['cohen_kappa']:.2f} and "
                 f"Krippendorff's alpha {overall['krippendorff_alpha']:.2f} over all codes "
                 f"({agreement.landis_koch(overall['cohen_kappa']).lower()} agreement).",
         "value": float(overall["cohen_kappa"])},
    ]


def key_findings(project) -> pd.DataFrame:
    """All key findings of a project: ``area, finding, sentence, value``.

    Parameters
    ----------
    project : baby_room.Project

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``area`` (survey, evidence, focus_groups), ``finding`` (an
        identifier), ``sentence`` (numbers rounded for reading), ``value`` (the
        unrounded headline number of the sentence).

    Examples
    --------
    >>> import baby_room as br
    >>> f = key_findings(br.load_project())
    >>> f.loc[f["finding"] == "mean_group_size", "value"].item()
    13.0
    """
    rows = (_survey_findings(project.survey) + _evidence_findings(project.evidence)
            + _focus_group_findings(project.coding))
    out = pd.DataFrame(rows, columns=["area", "finding", "sentence", "value"])
    out.attrs["synthetic"] = project.synthetic
    return out


def published_comparison(*, survey=None, coding=None, evidence=None) -> pd.DataFrame:
    """The project's published figures beside the values computed from the given tables.

    Published statements come from the project's reports (REFERENCE.md: report 1,
    January 2025; report 2, September 2025; the 2025 conference programme). On the
    bundled synthetic data every row is consistent by construction; on real data the
    table shows how a new wave or another area compares. Pass the tables to compare
    (a notebook that passes only ``evidence`` reads only the evidence file).

    Parameters
    ----------
    survey, coding, evidence : pandas.DataFrame, optional
        Canonical tables; rows are produced for each one given.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``figure``, ``published`` (the statement), ``value`` (computed),
        ``consistent`` (whether the value agrees with the statement).

    Examples
    --------
    >>> import baby_room as br
    >>> t = published_comparison(evidence=br.synthetic.evidence())
    >>> t[["figure", "value", "consistent"]].head(2).to_dict("records")
    [{'figure': 'items', 'value': 185.0, 'consistent': True}, {'figure': 'academic articles', 'value': 165.0, 'consistent': True}]
    """
    rows = []
    if survey is not None:
        from baby_room.survey import indicators

        values = indicators.published_figures(survey).set_index("statistic")["value"]
        rooms = indicators.rooms(survey)
        big = rooms.loc[rooms["group_size"] == rooms["group_size"].max(), "staff_in_room"]
        rows += [
            ("survey", "respondents", "more than 300", values["respondents"],
             values["respondents"] > 300),
            ("survey", "mean group size (rooms)", "average 13", values["mean_group_size"],
             round(values["mean_group_size"]) == 13),
            ("survey", "largest room (babies)", "30 babies with 10 adults",
             values["max_group_size"], values["max_group_size"] == 30 and (big == 10).any()),
            ("survey", "rooms of 12 or fewer", "some", values["rooms_12_or_fewer"],
             values["rooms_12_or_fewer"] > 0),
            ("survey", "babies in distinct rooms", "over 5,000", values["babies_in_rooms"],
             values["babies_in_rooms"] > 5000),
            ("survey", "share with baby-specific CPD", "fewer than a third",
             values["share_cpd_baby_past_year"], values["share_cpd_baby_past_year"] < 1 / 3),
        ]
    if coding is not None:
        from baby_room.focus_groups import analysis

        participants = analysis.coding_summary(coding, by=None)["n_participants"].iloc[0]
        rows += [
            ("focus_groups", "conferences", "six", float(coding["conference"].nunique()),
             coding["conference"].nunique() == 6),
            ("focus_groups", "participants", "over 200", float(participants),
             participants > 200),
        ]
    if evidence is not None:
        from baby_room.evidence import breakdowns

        types = evidence["publication_type"].value_counts()
        uk = breakdowns.uk_vs_rest(evidence).set_index("uk_vs_rest")["n"]
        fam = breakdowns.by_instrument_family(evidence)
        fam = fam.loc[fam["instrument_family"] != breakdowns.NO_INSTRUMENT, "instrument_family"]
        dims = breakdowns.by_dimension(evidence).set_index("dimension")["n"]
        rows += [
            ("evidence", "items", "185", float(len(evidence)), len(evidence) == 185),
            ("evidence", "academic articles", "165", float(types.get("academic", 0)),
             types.get("academic", 0) == 165),
            ("evidence", "grey literature", "20", float(types.get("grey", 0)),
             types.get("grey", 0) == 20),
            ("evidence", "items from the UK", "only 12", float(uk.get("UK", 0)),
             uk.get("UK", 0) == 12),
            ("evidence", "most used instrument families", "ITERS and CLASS", float("nan"),
             set(fam.head(2)) == {"ITERS", "CLASS"}),
            ("evidence", "items on professional learning", "21",
             float(dims.get("professional learning", 0)),
             dims.get("professional learning", 0) == 21),
        ]
    out = pd.DataFrame(rows, columns=["dataset", "figure", "published", "value", "consistent"])
    out["consistent"] = out["consistent"].astype(bool)
    return out


# ---------------------------------------------------------------- the page

AREAS = (("survey", "Survey of baby room educators and managers"),
         ("evidence", "Global evidence review"),
         ("fg", "Focus groups at six conferences"))


def _caption(name: str) -> str:
    words = name.replace("-", " ").replace("_", " ")
    for prefix, label in (("survey ", "Survey: "), ("evidence ", "Evidence review: "),
                          ("fg ", "Focus groups: ")):
        if words.startswith(prefix):
            return label + words[len(prefix):]
    return words[:1].upper() + words[1:]


def _table_html(frame: pd.DataFrame) -> str:
    def number(v: float) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:.3g}"

    return frame.to_html(index=False, na_rep="–", border=0, classes="data", float_format=number)


def write_findings_page(folder, *, data_dir=None, notebooks=(), threshold: int = 5) -> Path:
    """Write ``index.html`` and the data-quality tables into a report folder.

    Parameters
    ----------
    folder : str or os.PathLike
        The report folder being built (figures/, tables/, notebooks/ already there).
    data_dir : str or os.PathLike, optional
        The data folder; None: the bundled synthetic data.
    notebooks : sequence of pathlib.Path
        The notebooks executed, linked from the page.
    threshold : int
        Disclosure-control threshold (stated on the page).

    Returns
    -------
    pathlib.Path
        The page written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = write_findings_page(d)
    ...     text = page.read_text()
    >>> "SYNTHETIC DATA" in text, "Key findings" in text
    (True, True)
    """
    import jinja2

    from baby_room.outputs import Outputs
    from baby_room.project import load_project
    from baby_room.quality import missingness, overview
    from baby_room.report import git_state

    folder = Path(folder)
    project = load_project(data_dir)
    out = Outputs(folder, threshold=threshold)
    quality = out.table(overview(project).drop(columns=["source"]), "data-quality-overview",
                        suppress=False)
    miss = pd.concat([missingness(t, kind=k).assign(dataset=k)
                      for k, t in project.tables().items()], ignore_index=True)
    miss = miss[["dataset", *[c for c in miss.columns if c != "dataset"]]]
    out.table(miss, "data-quality-missingness", suppress=False)
    aside = project.set_aside
    aside["file"] = [Path(str(f)).name for f in aside["file"]]
    aside = out.table(aside, "rows-set-aside", suppress=False)
    findings = key_findings(project)
    out.table(findings, "key-findings", suppress=False)
    published = out.table(published_comparison(survey=project.survey, coding=project.coding,
                                               evidence=project.evidence),
                          "published-figures", suppress=False)

    figures = sorted(p.stem for p in (folder / "figures").glob("*.png"))
    tables = sorted(p.stem for p in (folder / "tables").glob("*.csv"))
    pages = sorted(p.name for p in (folder / "notebooks").glob("*.html"))
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_TEMPLATE)
    git = git_state()
    page = template.render(
        synthetic=project.synthetic,
        data_label="the bundled synthetic data" if data_dir is None else f"data in {Path(data_dir).name}/",
        version=__version__,
        commit=(git["commit"] or "unknown")[:12] + (" (uncommitted changes)" if git["dirty"] else ""),
        findings=findings.to_dict("records"),
        areas={"survey": "Survey of baby room educators and managers",
               "evidence": "Global evidence review",
               "focus_groups": "Focus groups at six conferences"},
        figure_groups=[(title, [{"name": f, "caption": _caption(f)} for f in figures
                                 if f.startswith(prefix + "-")])
                       for prefix, title in AREAS],
        published=_table_html(published),
        tables=tables,
        pages=pages,
        quality=_table_html(quality),
        n_aside=len(aside),
        threshold=threshold,
        html=html,
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Baby Room Project — findings{% if synthetic %} (SYNTHETIC DATA){% endif %}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.banner { background: #B00020; color: white; padding: 0.6rem 1rem; font-weight: bold;
          border-radius: 4px; }
.meta { color: #555; font-size: 0.9rem; }
figure { display: inline-block; width: 47%; margin: 0.5rem 1%; vertical-align: top; }
figure img { width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #444; }
table.data { border-collapse: collapse; font-size: 0.85rem; }
table.data td, table.data th { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eee; text-align: left; }
</style>
</head>
<body>
{% if synthetic %}<p class="banner">SYNTHETIC DATA — every number and figure on this page was
computed from the bundled synthetic data set, not from real survey responses or transcripts.</p>{% endif %}
<h1>Baby Room Project — findings</h1>
<p class="meta">Built from {{ data_label }} by baby_room {{ version }} (commit {{ commit }}).
Inputs, outputs and versions with their SHA-256 are in <a href="manifest.json">manifest.json</a>.</p>

<h2>Key findings</h2>
{% for area, title in areas.items() %}
<h3>{{ title }}</h3>
<ul>
{% for f in findings if f.area == area %}<li>{{ f.sentence }}</li>
{% endfor %}</ul>
{% endfor %}

<h2>Published figures, recomputed</h2>
<p>The project's published statements beside the values computed from this data.</p>
{{ published | safe }}

<h2>Figures</h2>
{% for title, figures in figure_groups %}<h3>{{ title }}</h3>
{% for fig in figures %}<figure><a href="figures/{{ fig.name }}.svg"><img src="figures/{{ fig.name }}.png" alt="{{ fig.caption }}"></a>
<figcaption>{{ fig.caption }} (<a href="figures/{{ fig.name }}.png">PNG</a>, <a href="figures/{{ fig.name }}.svg">SVG</a>)</figcaption></figure>
{% endfor %}{% endfor %}

<h2>Tables</h2>
<p>Counts below {{ threshold }} are suppressed in published tables, with secondary
suppression so that totals cannot reveal them. Free text, names and identifiers never appear.</p>
<ul>
{% for t in tables %}<li>{{ t }} — <a href="tables/{{ t }}.csv">CSV</a>, <a href="tables/{{ t }}.xlsx">Excel</a></li>
{% endfor %}</ul>

<h2>Notebooks</h2>
<ul>
{% for p in pages %}<li><a href="notebooks/{{ p }}">{{ p[:-5] }}</a></li>
{% endfor %}</ul>

<h2>Data quality</h2>
{{ quality | safe }}
<p>{{ n_aside }} row{{ "" if n_aside == 1 else "s" }} failed validation and
{{ "was" if n_aside == 1 else "were" }} set aside (not analysed); each is listed with its file, row
and reasons in <a href="tables/rows-set-aside.csv">rows-set-aside.csv</a>. Missing values per column:
<a href="tables/data-quality-missingness.csv">data-quality-missingness.csv</a>.</p>
</body>
</html>
"""
