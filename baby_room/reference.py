"""Regulations and published figures that the analyses compare against, each with its source.

Everything here is transcribed from ``REFERENCE.md`` (the project's fact sheet). Each table row
keeps the source it came from and the date from which the rule applies (as the source words it;
missing where the fact sheet gives none). Cells the fact sheet marks "not found" are shipped as
missing values, never as a guess.

Contents
--------
- :data:`EYFS_UNDER2_CHILDREN_PER_ADULT` -- the EYFS under-2 ratio, 1 adult : 3 babies.
- :func:`eyfs_ratios` -- the EYFS staff:child ratios by age band for group-based providers.
- :func:`eyfs_under2_staffing_rules` -- the three EYFS under-2 staffing rules checked per room.
- :func:`international_ratios` -- ratio and maximum group size for the youngest age band in
  other jurisdictions.
- :data:`RECOMMENDED_GROUP_SIZE` -- the 6-8 babies the project's evidence review points to.
- :data:`GROUP_SIZE_THRESHOLDS` -- default thresholds for the share of rooms at or below a size.
- :data:`PUBLISHED_STATEMENTS`, :func:`published_statements` -- every statement the project
  published, with the criterion a recomputed value must meet (:func:`meets_statement`).
- :func:`published_survey_figures` -- the survey's published statements.

The tables are built fresh on each call, so a caller may modify them freely.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "EYFS_SOURCE",
    "EYFS_UNDER2_CHILDREN_PER_ADULT",
    "EYFS_UNDER2_RATIO_APPLIES_FROM",
    "GROUP_SIZE_THRESHOLDS",
    "RECOMMENDED_GROUP_SIZE",
    "RECOMMENDED_GROUP_SIZE_SOURCE",
    "REFERENCE_SOURCE",
    "eyfs_ratios",
    "eyfs_under2_staffing_rules",
    "international_ratios",
    "meets_statement",
    "published_statements",
    "published_survey_figures",
]

#: Where the facts in this module were collected (attrs["source"] of every table returned here).
REFERENCE_SOURCE = "baby_room reference facts (REFERENCE.md)"

#: The EYFS statutory framework, as cited for every England rule in this module.
EYFS_SOURCE = "EYFS statutory framework (2014 para 3.30; current framework 2025)"

#: EYFS ratio for children under 2 in group-based provision: at most 3 babies per adult (1 : 3).
EYFS_UNDER2_CHILDREN_PER_ADULT = 3
#: Date from which the under-2 ratio applies, as the fact sheet words it.
EYFS_UNDER2_RATIO_APPLIES_FROM = "2008 (unchanged in 2014, 2023, 2025 frameworks)"

#: Maximum number of babies together that the project's evidence review points to (low, high).
#: Group size is not regulated in England.
RECOMMENDED_GROUP_SIZE = (6, 8)
#: Source of :data:`RECOMMENDED_GROUP_SIZE`.
RECOMMENDED_GROUP_SIZE_SOURCE = (
    "Baby Room Project evidence review, as cited in the open letter of 19 June 2025 "
    "(thebabyroom.blog) and M. Sakr, Community Playthings, January 2025; "
    "cf. NAEYC teacher-child ratio chart (2013): group of 6 at 1:3 or 8 at 1:4"
)

#: Default group-size thresholds (babies per room) for the share of rooms at or below / above:
#: the recommended 6-8 band, the "12 or fewer" the project reported, and larger groups.
GROUP_SIZE_THRESHOLDS = (6, 8, 12, 18, 24)


def _frame(records: list[dict], dtypes: dict) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records)
    df = df.astype(dtypes)
    df.attrs["source"] = REFERENCE_SOURCE
    df.attrs["synthetic"] = False
    return df


def eyfs_ratios() -> pd.DataFrame:
    """EYFS staff:child ratios for group-based providers in England, by age band.

    Returns
    -------
    pandas.DataFrame
        One row per age band, columns:

        - ``age_band`` (str): "under 2", "aged 2", "3 and over", "3 and over (Level 6)".
        - ``children_per_adult`` (Int64): maximum children per member of staff.
        - ``other_rules`` (str): the staffing rules attached to the ratio (missing if none).
        - ``applies_from`` (str): date from which the rule applies, as the source words it.
        - ``source`` (str): where the rule is stated.

    Notes
    -----
    Group size is not in this table because England does not regulate it (see
    :data:`RECOMMENDED_GROUP_SIZE`). Space: 3.5 m2 per child under 2 (EYFS).

    Examples
    --------
    >>> from baby_room.reference import eyfs_ratios
    >>> t = eyfs_ratios()
    >>> int(t.loc[t["age_band"] == "under 2", "children_per_adult"].iloc[0])
    3
    """
    records = [
        {
            "age_band": "under 2",
            "children_per_adult": EYFS_UNDER2_CHILDREN_PER_ADULT,
            "other_rules": (
                "at least one member of staff holds a full and relevant Level 3 and is suitably "
                "experienced with under-2s; at least half of all other staff hold Level 2; at "
                "least half of all staff have received training specific to the care of babies; "
                "the person in charge of an under-2s room has suitable experience with under-2s"
            ),
            "applies_from": EYFS_UNDER2_RATIO_APPLIES_FROM,
            "source": EYFS_SOURCE + "; NEU ratios checklist",
        },
        {
            "age_band": "aged 2",
            "children_per_adult": 5,
            "other_rules": "at least one Level 3; at least half of all other staff Level 2",
            "applies_from": "4 September 2023 (was 1 : 4)",
            "source": "EYFS statutory framework 2023 (para 3.33); PACEY news July 2023",
        },
        {
            "age_band": "3 and over",
            "children_per_adult": 8,
            "other_rules": None,
            "applies_from": "2014",
            "source": "EYFS statutory framework",
        },
        {
            "age_band": "3 and over (Level 6)",
            "children_per_adult": 13,
            "other_rules": (
                "when a Level 6 (QTS, EYTS, EYPS or other suitable) practitioner works "
                "directly with the children"
            ),
            "applies_from": "2014",
            "source": "EYFS statutory framework",
        },
    ]
    return _frame(
        records,
        {
            "age_band": "string",
            "children_per_adult": "Int64",
            "other_rules": "string",
            "applies_from": "string",
            "source": "string",
        },
    )


def eyfs_under2_staffing_rules() -> pd.DataFrame:
    """The EYFS staffing rules for an under-2s room that :mod:`baby_room.survey` checks per room.

    Returns
    -------
    pandas.DataFrame
        One row per rule, columns:

        - ``rule`` (str): identifier used in the indicator tables
          (``rule_level3``, ``rule_half_others_level2``, ``rule_half_baby_trained``).
        - ``description`` (str): the rule in the framework's words.
        - ``operationalisation`` (str): how it is computed from the survey's staff counts.
        - ``applies_from`` (str), ``source`` (str).

    Notes
    -----
    The fourth under-2 rule (the person in charge has suitable experience with under-2s) cannot
    be checked from staff counts and is not operationalised.

    Examples
    --------
    >>> from baby_room.reference import eyfs_under2_staffing_rules
    >>> list(eyfs_under2_staffing_rules()["rule"])
    ['rule_level3', 'rule_half_others_level2', 'rule_half_baby_trained']
    """
    base = {"applies_from": EYFS_UNDER2_RATIO_APPLIES_FROM, "source": EYFS_SOURCE}
    records = [
        {
            "rule": "rule_level3",
            "description": (
                "at least one member of staff holds a full and relevant Level 3 "
                "(and is suitably experienced with under-2s)"
            ),
            "operationalisation": "staff_level3 >= 1 (experience is not measured)",
            **base,
        },
        {
            "rule": "rule_half_others_level2",
            "description": "at least half of all other staff hold Level 2",
            "operationalisation": (
                "others = staff_in_room - min(staff_level3, 1); others holding Level 2 or above "
                "= staff_level2 + staff_level3 - min(staff_level3, 1); met when "
                "2 * (others at Level 2+) >= others"
            ),
            **base,
        },
        {
            "rule": "rule_half_baby_trained",
            "description": (
                "at least half of all staff have received training specific to the care of babies"
            ),
            "operationalisation": "2 * staff_baby_trained >= staff_in_room",
            **base,
        },
    ]
    return _frame(records, {k: "string" for k in records[0]})


_NF = None  # "not found" in the fact sheet: shipped as missing


def international_ratios() -> pd.DataFrame:
    """Staff:child ratio and maximum group size for the youngest age band, by jurisdiction.

    Returns
    -------
    pandas.DataFrame
        One row per jurisdiction and age band (a jurisdiction with two bands or two alternative
        rules has two rows), columns:

        - ``jurisdiction`` (str), ``age_band`` (str).
        - ``children_per_adult`` (Float64): maximum children per adult; missing when there is
          no national ratio.
        - ``max_group_size`` (Int64): maximum children in one group; missing when not
          regulated or not found.
        - ``group_size_regulated`` (boolean): True, False ("not regulated") or missing
          ("not found" in the fact sheet).
        - ``ratio_text``, ``group_size_text`` (str): the fact sheet's wording.
        - ``applies_from`` (str): version or date of the instrument, missing where not given.
        - ``source`` (str).

    Examples
    --------
    >>> from baby_room.reference import international_ratios
    >>> t = international_ratios()
    >>> nl = t[t["jurisdiction"] == "Netherlands"]
    >>> [(b, float(r), int(g)) for b, r, g in nl[["age_band", "children_per_adult",
    ...                                             "max_group_size"]].itertuples(index=False)]
    [('0-1', 3.0, 12), ('1-2', 5.0, 16)]
    >>> bool(t.loc[t["jurisdiction"] == "Scotland", "max_group_size"].isna().all())  # not found
    True
    """
    rows = [
        # jurisdiction, age band, children per adult, max group, regulated, ratio text,
        # group size text, applies from, source
        ("England", "under 2", 3, _NF, False, "under 2: 1 : 3", "not regulated",
         EYFS_UNDER2_RATIO_APPLIES_FROM, EYFS_SOURCE),
        ("Scotland", "under 2", 3, _NF, _NF, "under 2: 1 : 3", "not found",
         "2002", "National Care Standards, Annex A (2002)"),
        ("Wales", "under 2", 3, _NF, _NF, "under 2: 1 : 3", "not found",
         _NF, "National Minimum Standards (secondary source)"),
        ("Northern Ireland", "under 2", 3, _NF, _NF, "under 2: 1 : 3", "not found",
         "2012 (updated 2018)", "Minimum Standards for Day Care (2012, updated 2018), nidirect"),
        ("Republic of Ireland", "0-1", 3, _NF, False, "0-1: 1 : 3",
         "not regulated for full day care", "2016", "S.I. 221/2016, Schedule 6"),
        ("Republic of Ireland", "1-2", 5, _NF, False, "1-2: 1 : 5",
         "not regulated for full day care", "2016", "S.I. 221/2016, Schedule 6"),
        ("Netherlands", "0-1", 3, 12, True, "0-1: 1 : 3", "12 for a 0-1 group",
         "1 October 2020 (version)", "Besluit kwaliteit kinderopvang (version 1 Oct 2020)"),
        ("Netherlands", "1-2", 5, 16, True, "1-2: 1 : 5", "16 for 1-2 or mixed 0-2",
         "1 October 2020 (version)", "Besluit kwaliteit kinderopvang (version 1 Oct 2020)"),
        ("Norway", "under 3", 3, _NF, False, "under 3: 1 : 3", "explicitly not regulated",
         "August 2018", "Kindergarten Act staffing norm (Aug 2018), Eurydice"),
        ("New Zealand", "under 2", 5, _NF, False, "under 2: 1 : 5",
         "no in-centre group limit; licence caps 25 under-2s", "2008",
         "Education (Early Childhood Services) Regulations 2008"),
        ("Australia (NQF)", "birth-24 months", 4, _NF, False, "birth-24 months: 1 : 4",
         "not regulated", _NF, "ACECQA"),
        ("US - NAEYC accreditation", "birth-15 months (group of 6)", 3, 6, True,
         "birth-15 months: 1 : 3 with group of 6", "6", "2013",
         "NAEYC teacher-child ratio chart (2013)"),
        ("US - NAEYC accreditation", "birth-15 months (group of 8)", 4, 8, True,
         "birth-15 months: 1 : 4 with group of 8", "8", "2013",
         "NAEYC teacher-child ratio chart (2013)"),
        ("US - Early Head Start", "infants and toddlers (two teachers)", 4, 8, True,
         "at most 4 per teacher", "8 (two teachers)", _NF, "45 CFR 1302.21(b)(2)"),
        ("US - Early Head Start", "infants and toddlers (three teachers)", 4, 9, True,
         "at most 4 per teacher", "9 (three teachers)", _NF, "45 CFR 1302.21(b)(2)"),
        ("France", "not yet walking", 5, _NF, _NF, "1 : 5 not yet walking", "not found",
         "2021", "Décret 2021-1131 (secondary)"),
        ("France", "walking", 8, _NF, _NF, "1 : 8 walking", "not found",
         "2021", "Décret 2021-1131 (secondary)"),
        ("France", "all (alternative)", 6, _NF, _NF, "or 1 : 6 overall", "not found",
         "2021", "Décret 2021-1131 (secondary)"),
        ("Germany", "under 3", _NF, _NF, _NF, "no national ratio (1 : 3 recommended)",
         "not found", _NF, "Bertelsmann Stiftung (secondary)"),
        ("Finland", "under 3", 4, _NF, _NF, "under 3: 1 : 4", "not found", _NF, "secondary"),
    ]
    cols = [
        "jurisdiction", "age_band", "children_per_adult", "max_group_size",
        "group_size_regulated", "ratio_text", "group_size_text", "applies_from", "source",
    ]
    records = [dict(zip(cols, r, strict=True)) for r in rows]
    return _frame(
        records,
        {
            "jurisdiction": "string",
            "age_band": "string",
            "children_per_adult": "Float64",
            "max_group_size": "Int64",
            "group_size_regulated": "boolean",
            "ratio_text": "string",
            "group_size_text": "string",
            "applies_from": "string",
            "source": "string",
        },
    )


#: Where each published statement comes from (REFERENCE.md).
REPORT_1 = "Baby Room Project, report 1: global evidence review (January 2025)"
REPORT_2 = "Baby Room Project, report 2 (September 2025)"
CONFERENCES_2025 = "Baby Room Project, 2025 conference programme"

#: Every statement the project published, stored once: dataset, statistic (the name of the
#: recomputed value), figure (a short label), the published words, the criterion a recomputed
#: value must meet to agree with them (operator, target) and the source. Operators: ``>``,
#: ``<``, ``==``, ``rounds to`` (the value rounded to a whole number equals the target),
#: ``includes`` (the target is among the values), ``is`` (the set of values equals the
#: target), or None where nothing was published to check against.
PUBLISHED_STATEMENTS = (
    ("survey", "respondents", "respondents",
     "more than 300 baby room educators and nursery managers", ">", 300, REPORT_2),
    ("survey", "rooms", "rooms",
     "not published (each respondent describes a room; rooms counted once here)",
     None, None, REPORT_2),
    ("survey", "babies_in_rooms", "babies in distinct rooms", "reaching over 5,000 babies",
     ">", 5000, REPORT_2),
    ("survey", "mean_group_size", "mean group size (rooms)",
     "average baby room group size 13", "rounds to", 13, REPORT_2),
    ("survey", "max_group_size", "largest room (babies)", "others of 30 babies with 10 adults",
     "==", 30, REPORT_2),
    ("survey", "adults_in_largest_room", "adults in the largest room",
     "others of 30 babies with 10 adults", "includes", 10, REPORT_2),
    ("survey", "rooms_12_or_fewer", "rooms of 12 or fewer", "some rooms of 12 babies or fewer",
     ">", 0, REPORT_2),
    ("survey", "share_cpd_baby_past_year", "share with baby-specific CPD",
     "fewer than a third had any CPD on 0-2s in the past year", "<", 1 / 3, REPORT_2),
    ("focus_groups", "conferences", "conferences", "six", "==", 6, CONFERENCES_2025),
    ("focus_groups", "participants", "participants", "over 200", ">", 200, CONFERENCES_2025),
    ("evidence", "items", "items", "185", "==", 185, REPORT_1),
    ("evidence", "academic", "academic articles", "165", "==", 165, REPORT_1),
    ("evidence", "grey", "grey literature", "20", "==", 20, REPORT_1),
    ("evidence", "uk_items", "items from the UK", "only 12", "==", 12, REPORT_1),
    ("evidence", "top_instrument_families", "most used instrument families",
     "ITERS and CLASS", "is", ("ITERS", "CLASS"), REPORT_1),
    ("evidence", "professional_learning", "items on professional learning", "21", "==", 21,
     REPORT_1),
)


def published_statements() -> pd.DataFrame:
    """Every statement the project published, with the criterion a recomputed value must meet.

    Returns
    -------
    pandas.DataFrame
        ``dataset, statistic, figure, published, operator, target, source`` (see
        :data:`PUBLISHED_STATEMENTS`); ``target`` is an object column (a number, or a tuple
        of names for ``is``).

    Examples
    --------
    >>> t = published_statements()
    >>> t.loc[t["statistic"] == "uk_items", ["published", "operator", "target"]].values.tolist()
    [['only 12', '==', 12]]
    """
    cols = ["dataset", "statistic", "figure", "published", "operator", "target", "source"]
    records = [dict(zip(cols, r, strict=True)) for r in PUBLISHED_STATEMENTS]
    out = pd.DataFrame(records, columns=cols)
    for c in cols:
        if c != "target":
            out[c] = out[c].astype("string")
    out.attrs.update({"source": REFERENCE_SOURCE, "synthetic": False})
    return out


def meets_statement(value, operator: str | None, target) -> bool | None:
    """Whether a recomputed value agrees with a published statement's criterion.

    ``value`` is a number, or for ``includes`` / ``is`` a collection of values.
    None when the statement has no criterion.

    Examples
    --------
    >>> meets_statement(12.6, "rounds to", 13), meets_statement(301, ">", 300)
    (True, True)
    >>> meets_statement(["CLASS", "ITERS"], "is", ("ITERS", "CLASS"))
    True
    """
    if operator is None:
        return None
    checks = {
        ">": lambda v: v > target,
        "<": lambda v: v < target,
        "==": lambda v: v == target,
        "rounds to": lambda v: round(v) == target,
        "includes": lambda v: target in set(v),
        "is": lambda v: set(v) == set(target),
    }
    return bool(checks[operator](value))


def published_survey_figures() -> pd.DataFrame:
    """What the Baby Room Project published about its survey (report 2, September 2025).

    The survey rows of :func:`published_statements`.

    Returns
    -------
    pandas.DataFrame
        One row per published figure, columns ``statistic`` (the name used by
        :func:`baby_room.survey.indicators.published_figures`), ``published`` (the words of the
        report) and ``source``.

    Examples
    --------
    >>> from baby_room.reference import published_survey_figures
    >>> published_survey_figures()["statistic"].tolist()[:3]
    ['respondents', 'rooms', 'babies_in_rooms']
    """
    table = published_statements()
    table = table.loc[(table["dataset"] == "survey")
                      & (table["statistic"] != "adults_in_largest_room"),
                      ["statistic", "published", "source"]].reset_index(drop=True)
    table.attrs = {"source": REFERENCE_SOURCE, "synthetic": False}
    return table
