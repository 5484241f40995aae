"""Area briefings: numbers from the full design, reliability flags, suppression, privacy,
Word files that open, byte-identical rebuilds.

Independent references: ``compare_area`` (itself checked against a hand computation of the
linearised domain contrast in tests/test_survey_indicators.py) for every area's estimate,
rest-of-England estimate and difference; the Department for Education's thresholds as
published on explore-education-statistics (unweighted base < 10 not shown, 10-29
indicative) for the flags; python-docx for reading the Word files back.
"""

import re
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest

import baby_room as br
from baby_room.areas.briefings import write_area_briefings
from baby_room.areas.estimates import area_estimates
from baby_room.areas.reliability import DFE_RELIABILITY, ReliabilityRule
from baby_room.errors import ArgumentError
from baby_room.survey import SurveyDesign
from baby_room.survey.indicators import compare_area

# one xdist worker runs this module (make test: --dist loadgroup), so the briefings
# (module fixtures) are made once
pytestmark = pytest.mark.xdist_group("test_areas")

COLS = ["area_estimate", "area_ci_low", "area_ci_high", "area_n", "rest_estimate", "rest_n",
        "estimate", "se", "ci_low", "ci_high", "df", "p_value"]


@pytest.fixture(scope="module")
def survey():
    return br.synthetic.survey()


@pytest.fixture(scope="module")
def la_build(survey, tmp_path_factory):
    out = tmp_path_factory.mktemp("la")
    index = write_area_briefings(survey, out, level="local_authority")
    return out / "areas", index


@pytest.fixture(scope="module")
def region_builds(survey, tmp_path_factory):
    a, b = tmp_path_factory.mktemp("ra"), tmp_path_factory.mktemp("rb")
    return (write_area_briefings(survey, a, level="region"), a / "areas",
            write_area_briefings(survey, b, level="region"), b / "areas")


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("level, area", [("local_authority", "Leeds"),
                                         ("local_authority", "Torbay"),
                                         ("region", "North East")])
def test_area_estimates_equal_compare_area(survey, weighted, level, area):
    data, design = survey, None
    if weighted:
        rng = np.random.default_rng(11)
        data = survey.assign(w=rng.uniform(0.5, 2.0, len(survey)))
        design = SurveyDesign(data, weights="w", strata="region")
    ours = area_estimates(data, level=level, design=design)
    ours = ours[ours["area"] == area].set_index("indicator")
    ref = compare_area(data, area=area, level=level, design=design).set_index("indicator")
    got = ours.loc[ref.index, COLS].astype(float).to_numpy()
    want = ref[COLS].astype(float).to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True)


def test_reliability_rule_fires_at_the_dfe_bases():
    assert DFE_RELIABILITY.flag([0, 1, 9, 10, 29, 30, 400]) == [
        "suppressed", "suppressed", "suppressed", "indicative", "indicative", "published",
        "published"]
    custom = ReliabilityRule(suppress_below=5, indicative_below=50)
    assert custom.flag([4, 5, 49, 50]) == ["suppressed", "indicative", "indicative", "published"]
    with pytest.raises(ArgumentError, match="suppress_below <= indicative_below"):
        ReliabilityRule(suppress_below=30, indicative_below=10)


def _mean_cell(html: str) -> str:
    m = re.search(r"<td>Mean group size \(babies per room\)</td><td class=\"num\">(.*?)</td>",
                  html)
    return m.group(1)


def test_briefing_flags_at_9_10_29_30_rooms(survey, tmp_path):
    keys = survey[["setting_id", "room_id"]].drop_duplicates().reset_index(drop=True)
    sizes = {"York": 9, "Leeds": 10, "Bradford": 29, "Coventry": 30}
    labels = np.concatenate([np.repeat(list(sizes), list(sizes.values())),
                             np.repeat("Kent", len(keys) - sum(sizes.values()))])
    keys["local_authority"] = labels
    data = survey.drop(columns="local_authority").merge(keys, on=["setting_id", "room_id"])
    data = data[survey.columns]
    data.attrs = dict(survey.attrs)
    write_area_briefings(data, tmp_path, level="local_authority", formats=("html",))
    cells = {}
    for folder in (tmp_path / "areas").iterdir():
        if folder.is_dir():
            html = (folder / "briefing.html").read_text()
            cells[re.search(r"<h1>(.*?)</h1>", html).group(1)] = _mean_cell(html)
    assert cells["York"] == "[u]"
    assert cells["Leeds"].endswith("[i]") and cells["Bradford"].endswith("[i]")
    assert re.fullmatch(r"\d+\.\d \(\d+\.\d–\d+\.\d\)", cells["Coventry"])


def test_every_area_with_respondents_has_both_briefings_and_the_index(la_build, survey):
    folder, index = la_build
    assert len(index) == 42  # 44 names as written; Hull and Durham written two ways each
    for row in index.itertuples():
        assert (folder / row.folder / "briefing.html").exists()
        assert (folder / row.folder / "briefing.docx").exists()
    listed = pd.read_csv(folder / "index.csv")
    assert listed["code"].tolist() == index["code"].tolist()
    assert "Kingston upon Hull, City of" in set(index["area"])
    assert "Hull" not in set(index["area"])  # the two spellings make one briefing


def test_synthetic_data_show_every_briefing_path(la_build):
    _, index = la_build
    flags = index.set_index("area")
    assert flags.loc["Kent", "published"] > 0  # 34 rooms
    assert flags.loc["Leeds", "indicative"] > 0  # 29 rooms, 31 respondents
    assert flags.loc["Calderdale", "suppressed"] == flags.loc["Calderdale"][
        ["published", "indicative", "suppressed"]].sum()
    html = (la_build[0] / "E08000033-calderdale" / "briefing.html").read_text()
    assert "modelled" in html and "Fay-Herriot" in html


def test_word_briefing_opens_with_its_headings_and_tables(la_build):
    path = la_build[0] / "E08000035-leeds" / "briefing.docx"
    document = docx.Document(path)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Group size and ratios", "EYFS staffing rules for under-2s",
                        "Baby-specific CPD", "Attitudes", "Who answered", "Notes"]
    assert document.paragraphs[0].text == "Leeds"  # the title
    assert len(document.tables) == 5
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == [
        "Indicator", "Leeds", "Base", "Yorkshire and The Humber", "Rest of England",
        "Difference", "Modelled"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "SYNTHETIC DATA" in text and "explore-education-statistics" in text
    assert document.core_properties.title.startswith("Leeds")


def test_small_counts_are_suppressed_with_a_footnote(la_build):
    html = (la_build[0] / "E08000035-leeds" / "briefing.html").read_text()
    who = html[html.index("<h2>Who answered</h2>"):]
    assert who.count("[c]") >= 2  # a primary cell and its secondary
    assert "secondary suppression" in html


def test_no_identifier_or_free_text_reaches_a_briefing(la_build, survey):
    secrets = set(survey["respondent_id"]) | set(survey["setting_id"])
    comments = [c for c in survey["comments"].dropna() if len(c) > 20]
    pattern = re.compile(r"\b(RESP\d{4}|S\d{4})\b")
    for path in la_build[0].rglob("*"):
        if path.suffix == ".docx":
            document = docx.Document(path)
            text = "\n".join([p.text for p in document.paragraphs]
                             + [c.text for t in document.tables for r in t.rows
                                for c in r.cells])
        elif path.suffix in (".html", ".csv"):
            text = path.read_text()
        else:
            continue
        assert not (set(pattern.findall(text)) & secrets), path
        assert not any(c[:40] in text for c in comments), path


def test_two_builds_are_byte_identical(region_builds):
    _, a, _, b = region_builds
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert any(p.suffix == ".docx" for p in files_a)
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_region_briefings_and_index(region_builds):
    index, folder, _, _ = region_builds
    assert index["code"].tolist() == [f"E1200000{i}" for i in range(1, 10)]
    assert (folder / "regions.html").exists() and (folder / "regions.csv").exists()


def test_unmatched_names_are_listed_never_briefed(survey, tmp_path):
    data = survey.copy()
    data.loc[data.index[:3], "local_authority"] = "Northamptonshire"
    data.loc[data.index[3:5], "local_authority"] = "Leds"
    index = write_area_briefings(data, tmp_path, level="local_authority", formats=("html",))
    unmatched = pd.read_csv(tmp_path / "areas" / "unmatched.csv")
    assert dict(zip(unmatched["name"], unmatched["respondents"], strict=True)) == {
        "Northamptonshire": 3, "Leds": 2}
    assert not {"Northamptonshire", "Leds"} & set(index["area"])
    page = (tmp_path / "areas" / "index.html").read_text()
    assert "split into North Northamptonshire" in page


def test_cli_report_writes_the_briefings_asked_for(tmp_path, monkeypatch, capsys):
    import baby_room.report as report
    from baby_room.cli import main

    # the notebooks are built and tested in tests/test_report_build.py; here only --areas
    monkeypatch.setattr(report, "build_report",
                        lambda **kw: report.ReportResult(out_dir=Path(kw["out_dir"])))
    assert main(["report", "--out", str(tmp_path), "--areas", "region"]) == 0
    assert len(list((tmp_path / "areas").glob("E12*/briefing.docx"))) == 9
    assert "9 region briefings written" in capsys.readouterr().out
