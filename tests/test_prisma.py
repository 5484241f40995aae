"""PRISMA 2020 counts: arithmetic from numbers and from a screening log, and the diagram.

The flow identities checked are those of the PRISMA 2020 template (Page et al.,
BMJ 2021;372:n71): screened = identified - removed before screening; sought =
screened - excluded; assessed = sought - not retrieved; included = assessed -
reports excluded with reasons. Every expected number is worked by hand in the
test.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from baby_room.errors import ArgumentError, DataValidationError  # noqa: E402
from baby_room.evidence.prisma import plot_prisma, prisma_counts  # noqa: E402

REVIEW_DB = {
    "identified": {"ERIC": 1120, "Scopus": 1346, "Web of Science": 874, "PsycINFO": 702},
    "duplicates_removed": 1498,
    "excluded": 2196,
    "not_retrieved": 9,
    "excluded_with_reasons": {"not centre-based": 61, "older children": 58,
                              "no quality measure": 37, "not empirical": 18},
}
REVIEW_OTHER = {
    "identified": {"Websites": 54, "Organisations": 21, "Citation searching": 13},
    "not_retrieved": 4,
    "excluded_with_reasons": {"not about under-2s": 38, "opinion piece": 17, "superseded": 9},
}


def box(counts, arm, name):
    return int(counts.loc[(counts["arm"] == arm) & (counts["box"] == name), "count"].sum())


def test_review_numbers_end_in_165_plus_20():
    c = prisma_counts(databases=REVIEW_DB, other=REVIEW_OTHER)
    # databases: 1120+1346+874+702 = 4042 identified; 4042-1498 = 2544 screened;
    # 2544-2196 = 348 sought; 348-9 = 339 assessed; 61+58+37+18 = 174 excluded;
    # 339-174 = 165 included
    assert box(c, "databases", "identified") == 4042
    assert box(c, "databases", "screened") == 2544
    assert box(c, "databases", "sought") == 348
    assert box(c, "databases", "assessed") == 339
    assert box(c, "databases", "excluded_with_reasons") == 174
    assert box(c, "databases", "included") == 165
    # other methods (no screening box): 54+21+13 = 88 sought; 88-4 = 84 assessed;
    # 38+17+9 = 64 excluded; 84-64 = 20 included
    assert box(c, "other", "sought") == 88
    assert box(c, "other", "assessed") == 84
    assert box(c, "other", "included") == 20
    assert box(c, "other", "screened") == 0 and not (
        (c["arm"] == "other") & (c["box"] == "screened")).any()
    assert box(c, "total", "included") == 185
    assert list(c.columns) == ["arm", "box", "detail", "count"]
    assert c.attrs == {"source": "PRISMA 2020 flow counts", "synthetic": False,
                       "unit": "records"}
    reasons = c[(c["arm"] == "databases") & (c["box"] == "excluded_with_reasons")]
    assert dict(zip(reasons["detail"], reasons["count"], strict=True))["older children"] == 58


def test_given_boxes_are_checked_and_named():
    bad = dict(REVIEW_DB, screened=2545)
    with pytest.raises(ArgumentError, match=r"^prisma_counts: databases\['screened'\] must be "
                                            r"identified \(4042\) - removed before screening "
                                            r"\(1498\) = 2544; got 2545"):
        prisma_counts(databases=bad)
    with pytest.raises(ArgumentError, match=r"databases\['included'\] must be assessed "
                                            r"\(339\) - excluded with reasons \(174\) = 165; "
                                            r"got 166"):
        prisma_counts(databases=dict(REVIEW_DB, included=166))
    with pytest.raises(ArgumentError, match=r"other\['assessed'\] must be sought \(88\) "
                                            r"- not retrieved \(4\) = 84; got 80"):
        prisma_counts(other=dict(REVIEW_OTHER, assessed=80))


def test_derived_reasons_from_included():
    c = prisma_counts(databases={"identified": 50, "duplicates_removed": 5, "sought": 20,
                                 "included": 12})
    # excluded = 45 - 20 = 25; reasons = 20 - 0 - 12 = 8 (one row, no detail)
    assert box(c, "databases", "excluded") == 25
    assert box(c, "databases", "excluded_with_reasons") == 8


def test_negative_and_unknown_boxes():
    with pytest.raises(ArgumentError, match=r"Box 'excluded' would be screened \(10\) - "
                                            r"sought \(15\) = -5"):
        prisma_counts(databases={"identified": 10, "sought": 15, "included": 1})
    with pytest.raises(ArgumentError, match=r"(?s)^prisma_counts: databases must be a dict whose "
                                            r"keys are PRISMA boxes.*Unknown box\(es\): "
                                            r"'screned'"):
        prisma_counts(databases={"identified": 10, "screned": 10})
    with pytest.raises(ArgumentError, match=r"^prisma_counts: databases\['identified'\] must be "
                                            r"a whole number >= 0 or a dict of whole numbers; "
                                            r"got -3"):
        prisma_counts(databases={"identified": -3})
    with pytest.raises(ArgumentError, match="^prisma_counts: data must be a screening log, or "
                                            "give the numbers"):
        prisma_counts()


def _log():
    # 10 records: databases arm 7, other arm 3 (no screening in the other arm)
    return pd.DataFrame({
        "arm": ["databases"] * 7 + ["grey"] * 3,
        "source": ["ERIC", "ERIC", "Scopus", "Scopus", "Scopus", "ERIC", "Scopus",
                   "Websites", "Websites", "Citation searching"],
        "duplicate": [False, True, False, False, False, False, False, False, False, False],
        "screening": ["include", None, "exclude", "include", "include", "Included", "include",
                      None, None, None],
        "retrieved": [True, None, None, True, False, True, True, True, True, False],
        "eligibility": ["include", None, None, "exclude", None, "include", "exclude",
                        "include", "exclude", None],
        "exclusion_reason": [None, None, None, "wrong age", None, None, "wrong age", None,
                             "opinion", None],
    })


def test_counts_from_screening_log():
    c = prisma_counts(_log())
    # databases: 7 identified (ERIC 3, Scopus 4), 1 duplicate, 6 screened, 1 excluded,
    # 5 sought, 1 not retrieved, 4 assessed, 2 excluded (wrong age), 2 included
    assert box(c, "databases", "identified") == 7
    ident = c[(c["arm"] == "databases") & (c["box"] == "identified")]
    assert dict(zip(ident["detail"], ident["count"], strict=True)) == {"ERIC": 3, "Scopus": 4}
    assert [box(c, "databases", b) for b in ("duplicates_removed", "screened", "excluded",
                                             "sought", "not_retrieved", "assessed",
                                             "excluded_with_reasons", "included")] == [
        1, 6, 1, 5, 1, 4, 2, 2]
    # other: 3 identified and sought, 1 not retrieved, 2 assessed, 1 excluded, 1 included
    assert [box(c, "other", b) for b in ("identified", "sought", "not_retrieved",
                                         "assessed", "included")] == [3, 3, 1, 2, 1]
    assert box(c, "total", "included") == 3


def test_screening_log_contradictions_listed():
    log = _log()
    log.loc[2, "retrieved"] = True  # excluded at screening but "retrieved"
    log.loc[0, "eligibility"] = None  # retrieved, no decision
    log.loc[3, "screening"] = "perhaps"
    with pytest.raises(DataValidationError) as info:
        prisma_counts(log)
    failures = info.value.failures
    assert failures["row"].tolist() == [2, 4, 5]  # log rows 0, 2, 3 (+2: header is row 1)
    message = str(info.value)
    assert "row 2, column eligibility: value <missing> - report retrieved but no eligibility" \
        in message
    assert "row 4, column retrieved: value True - decision given for a record excluded at " \
           "screening" in message
    assert "row 5, column screening: value 'perhaps' - not a recognised decision" in message


def test_log_and_numbers_are_exclusive():
    with pytest.raises(ArgumentError, match="not both"):
        prisma_counts(_log(), databases=REVIEW_DB)


def test_plot_prisma_draws_every_box():
    c = prisma_counts(databases=REVIEW_DB, other=REVIEW_OTHER, synthetic=True,
                      description="Illustrative counts")
    ax = plot_prisma(c)
    texts = [t.get_text().replace("\u00a0", " ").replace("\n", " ") for t in ax.texts]
    joined = " | ".join(texts)
    for expected in ("(n = 4,042)", "(n = 2,544)", "(n = 348)", "(n = 339)", "(n = 165)",
                     "(n = 88)", "(n = 84)", "(n = 20)", "(n = 185)", "Identification",
                     "Screening", "Included", "via other methods"):
        assert expected in joined, expected
    # arrows: databases arm 3 down + 4 sideways + 1 into "included" = 8; other arm (no
    # removal box) 2 down + 2 sideways + 1 into "included" = 5; 13 in all
    assert len([a for a in ax.texts if a.get_text() == "" and hasattr(a, "arrow_patch")]) == 13
    assert "SYNTHETIC DATA" in joined
    assert ax.figure.get_size_inches()[0] == pytest.approx(8.27)
    plt.close(ax.figure)


def test_plot_prisma_rejects_other_frames():
    with pytest.raises(ArgumentError, match=r"^plot_prisma: data must be a table with "
                                            r"column\(s\) 'arm', 'box', 'detail', 'count'"):
        plot_prisma(pd.DataFrame({"x": [1]}))
