"""Disclosure control against differencing, on a whole report build.

The data: the bundled survey with one region reduced to 2 rooms (its other settings moved
to another region) and the bundled coding with one conference reduced to 2 participants in
one focus group. Both counts are below the threshold of 5. The rule checked (ONS, Statistical
Disclosure Control policy for tables, 2021; Hundepool et al. 2012, ch. 4): the small cell is
never shown, and in every published line of counts that holds it (a column of a table across
the regions or conferences, for each value of the table's other labels) at least one other
cell is hidden too, so a total published anywhere (another table, the key findings, a figure)
minus the shown cells gives the sum of two or more hidden cells, never the small count.
Tables, the executed notebook pages and the figures are all checked. The evidence file is
left out, so this also builds a report from a partial data folder.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from baby_room import synthetic
from baby_room.outputs import COUNT_COLUMN_PATTERN
from baby_room.report import build_report

# one xdist worker runs every test of this group (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("report_disclosure")

REPO = Path(__file__).resolve().parents[1]
SMALL_REGION, SMALL_CONFERENCE = "North East", "Falmouth"
THRESHOLD = 5


def _small_region(survey: pd.DataFrame) -> pd.DataFrame:
    """Keep two settings (one room each) in SMALL_REGION; move the others to North West."""
    ne = survey["region"] == SMALL_REGION
    keep = sorted(survey.loc[ne, "setting_id"].unique())[:2]
    nw = survey.loc[survey["region"] == "North West"].iloc[0]
    move = ne & ~survey["setting_id"].isin(keep)
    survey.loc[move, "region"] = "North West"
    survey.loc[move, "local_authority"] = nw["local_authority"]
    return survey


def _small_conference(coding: pd.DataFrame) -> pd.DataFrame:
    """Keep one focus group of SMALL_CONFERENCE with two of its speakers."""
    conf = coding["conference"] == SMALL_CONFERENCE
    group = sorted(coding.loc[conf, "group_id"].unique())[0]
    speakers = sorted(coding.loc[conf & (coding["group_id"] == group), "speaker"].unique())[:2]
    keep = ~conf | ((coding["group_id"] == group) & coding["speaker"].isin(speakers))
    return coding.loc[keep]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("disclosure")
    data = root / "data"
    synthetic.write_all(data)
    (data / "evidence.csv").unlink()
    survey = pd.read_csv(data / "survey.csv", dtype=str, keep_default_na=False)
    _small_region(survey).to_csv(data / "survey.csv", index=False)
    coding = _small_conference(pd.read_csv(data / "coding.csv", dtype=str,
                                           keep_default_na=False))
    coding.to_csv(data / "coding.csv", index=False)
    result = build_report(data_dir=data, out_dir=root / "reports", cache_dir=root / "cache",
                          notebooks_dir=REPO / "notebooks", progress=False)
    return result, survey, coding


def test_the_data_hold_the_small_counts(built):
    _, survey, coding = built
    rooms = survey.loc[survey["region"] == SMALL_REGION, ["setting_id", "room_id"]]
    assert len(rooms.drop_duplicates()) == 2
    fg = coding.loc[coding["conference"] == SMALL_CONFERENCE]
    assert fg["speaker"].nunique() == 2 and fg["group_id"].nunique() == 1


def _published_tables(out: Path, html_tables):
    """Every table of the report: CSV files, and the tables on the HTML pages."""
    for path in sorted((out / "tables").glob("*.csv")):
        yield path.name, pd.read_csv(path)
    for path in sorted(out.rglob("*.html")):
        for i, rows in enumerate(html_tables(path.read_text(encoding="utf-8"))):
            header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
            frame = pd.read_csv(io.StringIO("\n".join(
                ",".join(f'"{c}"' for c in r) for r in [header, *body])),
                na_values=["<NA>", "NaN", "–", ""], keep_default_na=False)
            yield f"{path.name} table {i}", frame


def _lines_with_one_hidden(frame: pd.DataFrame, key: str, small: str) -> list[str]:
    """Count columns in which the small group is shown, or is the only hidden group of a line."""
    problems = []
    counts = [c for c in frame.columns if COUNT_COLUMN_PATTERN.match(str(c))]
    labels = [c for c in frame.columns if c != key and c not in counts
              and not pd.api.types.is_float_dtype(frame[c])]
    for col in counts:
        values = pd.to_numeric(frame[col], errors="coerce")
        shown = values.loc[frame[key] == small].dropna()
        if (shown.between(1, THRESHOLD - 1)).any():
            problems.append(f"{col}: {small} shown with a count below {THRESHOLD}")
        groups = frame.groupby(labels, dropna=False) if labels else [((), frame)]
        for name, rows in groups:
            hidden = rows.loc[values.loc[rows.index].isna(), key].nunique()
            if hidden == 1 and len(rows[key].unique()) > 1:
                problems.append(f"{col} at {name}: one hidden group")
    return problems


@pytest.mark.parametrize("key, small", [("region", SMALL_REGION),
                                        ("conference", SMALL_CONFERENCE)])
def test_no_table_or_page_reveals_the_small_count(built, key, small, pages):
    out = built[0].out_dir
    checked, problems = 0, {}
    for name, frame in _published_tables(out, pages.tables):
        if key in frame.columns and (frame[key] == small).any():
            checked += 1
            if found := _lines_with_one_hidden(frame, key, small):
                problems[name] = found
    assert checked >= 1
    assert problems == {}


def test_estimates_of_the_small_region_are_hidden_with_its_count(built):
    table = pd.read_csv(built[0].out_dir / "tables" / "survey-group-size-by-region.csv")
    small = table.loc[table["region"] == SMALL_REGION]
    assert small[["n", "estimate", "se", "ci_low", "ci_high"]].isna().all().all()


def test_no_figure_labels_the_small_count(built):
    out = built[0].out_dir
    for svg in (out / "figures").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        shown = re.findall(r"North East \(n=(\d+)\)", text)
        assert shown == [], (svg.name, shown)
    by_region = (out / "figures" / "survey-group-size-by-region.svg").read_text()
    assert "North East (n&lt;5)" in by_region and "(n suppressed)" in by_region


def test_report_names_the_absent_evidence(built):
    result = built[0]
    assert result.absent == ["evidence"] and result.skipped == ["02-evidence-review.ipynb"]
    assert "Sources absent:" in (result.out_dir / "index.html").read_text()
