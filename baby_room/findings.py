"""Key findings: sentences whose numbers are computed from the data (pure computation).

:func:`key_findings` returns one row per finding with the sentence and the numbers
behind it, so the same values can be checked in a test or cited elsewhere;
:func:`published_comparison` sets the project's published statements
(:data:`baby_room.reference.PUBLISHED_STATEMENTS`) beside the values recomputed from data.
The report page that shows them is rendered by :mod:`baby_room.report_page`.
"""

from __future__ import annotations

import pandas as pd


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _ci(row, fmt) -> str:
    return f"95% CI {fmt(row['ci_low'])} to {fmt(row['ci_high'])}"


def _stat(table: pd.DataFrame, statistic: str, **match) -> pd.Series:
    sel = table["measure"] == statistic
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
    pl = dims.loc[dims["dimension"] == "professional learning", "count"]
    return [
        {"area": "evidence", "finding": "uk_share",
         "sentence": f"The review included {len(evidence)} items ({int(types.get('academic', 0))} "
                 f"academic articles and {int(types.get('grey', 0))} grey literature); only "
                 f"{int(uk_row['count'])} ({100 * uk_row['share']:.1f}%) came from the UK.",
         "value": float(uk_row["share"])},
        {"area": "evidence", "finding": "instrument_families",
         "sentence": "The most used instrument families were "
                 + " and ".join(f"{r.instrument_family} ({int(r.count)} items)"
                                for r in top.itertuples()) + ".",
         "value": float(top["count"].iloc[0])},
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
        Findings are computed for the data sets it holds (``project.absent`` are skipped).

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
    present = set(project.present)
    rows = []
    if "survey" in present:
        rows += _survey_findings(project.survey)
    if "evidence" in present:
        rows += _evidence_findings(project.evidence)
    if "coding" in present:
        rows += _focus_group_findings(project.coding)
    out = pd.DataFrame(rows, columns=["area", "finding", "sentence", "value"])
    out.attrs["synthetic"] = project.synthetic
    return out


def _survey_values(survey: pd.DataFrame) -> dict:
    from baby_room.survey import indicators

    values = indicators.published_figures(survey).set_index("measure")["estimate"].to_dict()
    rooms = indicators.rooms(survey)
    largest = rooms.loc[rooms["group_size"] == rooms["group_size"].max(), "staff_in_room"]
    values["adults_in_largest_room"] = [int(v) for v in largest.dropna()]
    return values


def _coding_values(coding: pd.DataFrame) -> dict:
    from baby_room.focus_groups import analysis

    summary = analysis.coding_summary(coding, by=None).iloc[0]
    return {"conferences": float(coding["conference"].nunique()),
            "participants": float(summary["n_participants"])}


def _evidence_values(evidence: pd.DataFrame) -> dict:
    from baby_room.evidence import breakdowns

    types = evidence["publication_type"].value_counts()
    uk = breakdowns.uk_vs_rest(evidence).set_index("uk_vs_rest")["count"]
    fam = breakdowns.by_instrument_family(evidence)
    fam = fam.loc[fam["instrument_family"] != breakdowns.NO_INSTRUMENT, "instrument_family"]
    dims = breakdowns.by_dimension(evidence).set_index("dimension")["count"]
    return {"items": float(len(evidence)),
            "academic": float(types.get("academic", 0)),
            "grey": float(types.get("grey", 0)),
            "uk_items": float(uk.get("UK", 0)),
            "top_instrument_families": list(fam.head(2)),
            "professional_learning": float(dims.get("professional learning", 0))}


def _as_text(value) -> str:
    """A computed value in words: whole numbers with separators, others to 3 significant
    digits, several values joined by commas in their order (duplicates once)."""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(dict.fromkeys(_as_text(v) for v in value)) or "none"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3g}"
    return str(value)


def published_comparison(*, survey=None, coding=None, evidence=None) -> pd.DataFrame:
    """The project's published figures beside the values computed from the given tables.

    The statements and the criteria they are checked against are those of
    :data:`baby_room.reference.PUBLISHED_STATEMENTS` (REFERENCE.md: report 1, January 2025;
    report 2, September 2025; the 2025 conference programme). On the bundled synthetic
    data every row is consistent by construction; on real data the table shows how a new
    wave or another area compares. Pass the tables to compare (a notebook that passes only
    ``evidence`` reads only the evidence file).

    Parameters
    ----------
    survey, coding, evidence : pandas.DataFrame, optional
        Canonical tables; rows are produced for each one given.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``figure``, ``published`` (the statement), ``value`` (computed; missing
        where it is not a single number), ``computed`` (the computed value as text, also
        where it is several values: the adults in each largest room, the most used
        instrument families), ``consistent`` (whether the value meets the statement's
        criterion). Statements without a criterion are left out.

    Examples
    --------
    >>> import baby_room as br
    >>> t = published_comparison(evidence=br.synthetic.evidence())
    >>> t[["figure", "value", "consistent"]].head(2).to_dict("records")
    [{'figure': 'items', 'value': 185.0, 'consistent': True}, {'figure': 'academic articles', 'value': 165.0, 'consistent': True}]
    """
    from baby_room.reference import meets_statement, published_statements

    computed = {}
    if survey is not None:
        computed["survey"] = _survey_values(survey)
    if coding is not None:
        computed["focus_groups"] = _coding_values(coding)
    if evidence is not None:
        computed["evidence"] = _evidence_values(evidence)
    rows = []
    for st in published_statements().itertuples(index=False):
        if st.dataset not in computed or st.operator is pd.NA or st.operator is None:
            continue
        value = computed[st.dataset][st.statistic]
        number = float(value) if isinstance(value, (int, float)) else float("nan")
        rows.append((st.dataset, st.figure, st.published, number, _as_text(value),
                     meets_statement(value, st.operator, st.target)))
    out = pd.DataFrame(rows, columns=["dataset", "figure", "published", "value", "computed",
                                      "consistent"])
    out["consistent"] = out["consistent"].astype(bool)
    return out
