"""The bundled synthetic data: byte-identical regeneration and every published figure.

Published figures: REFERENCE.md, "The Baby Room Project — what it has published"
(report 2, September 2025; report 1, January 2025; the June 2025 webinar blog).
Room-level figures are computed here independently of the package's indicators:
one row per (setting_id, room_id), the manager's answer first.
"""

from pathlib import Path

import pytest

import baby_room as br
from baby_room import synthetic

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rooms():
    s = br.synthetic.survey()
    rank = s["role"].map({"manager": 0, "room_leader": 1, "educator": 2}).astype(int)
    return s.assign(_rank=rank).sort_values(["_rank", "respondent_id"]).drop_duplicates(
        ["setting_id", "room_id"])


@pytest.mark.parametrize("kind", list(synthetic.FILES))
def test_committed_files_equal_a_fresh_generation(kind):
    committed = (REPO / "data" / "synthetic" / synthetic.FILES[kind]).read_bytes()
    assert committed == synthetic.to_csv_bytes(synthetic.raw(kind))


def test_write_all_is_byte_identical(tmp_path):
    first = [p.read_bytes() for p in synthetic.write_all(tmp_path / "a")]
    second = [p.read_bytes() for p in synthetic.write_all(tmp_path / "b")]
    assert first == second


def test_more_than_300_respondents():
    assert len(br.synthetic.survey()) > 300


def test_mean_group_size_rounds_to_13(rooms):
    assert round(rooms["group_size"].mean()) == 13


def test_largest_room_30_babies_with_10_adults(rooms):
    assert rooms["group_size"].max() == 30
    big = rooms[rooms["group_size"] == 30]
    assert len(big) == 1 and big["staff_in_room"].item() == 10


def test_some_rooms_of_12_or_fewer(rooms):
    assert (rooms["group_size"] <= 12).sum() > 0


def test_more_than_5000_babies_across_distinct_rooms(rooms):
    assert rooms["group_size"].sum() > 5000


def test_fewer_than_a_third_had_baby_cpd():
    cpd = br.synthetic.survey()["cpd_baby_past_year"]
    assert cpd.mean() < 1 / 3  # of those who answered
    assert cpd.sum() / len(cpd) < 1 / 3  # of all respondents


def test_realistic_structure(rooms):
    s = br.synthetic.survey()
    assert rooms["group_size"].skew() > 0  # right-skewed
    meets = rooms["group_size"] <= 3 * rooms["staff_in_room"]
    assert 0.8 < meets.mean() < 1  # most rooms meet 1:3, a minority do not
    assert s.duplicated(["setting_id", "room_id"]).any()  # rooms with two respondents
    assert (s.groupby("setting_id")["room_id"].nunique() > 1).any()  # settings with 2 rooms
    assert s["valued_by_parents"].isna().any()  # item non-response
    codes = lambda c: s[c].cat.codes[s[c].notna()].mean()  # noqa: E731
    assert codes("valued_by_parents") < codes("valued_by_manager")
    assert s["comments"].notna().mean() > 0.2


def test_six_conferences_on_their_dates():
    coding = br.synthetic.coding()
    assert list(coding["conference"].cat.categories) == [
        "London", "York", "Norwich", "Manchester", "Falmouth", "Bristol"]
    assert set(coding["conference"]) == set(coding["conference"].cat.categories)
    assert br.codebook.CONFERENCE_DATES == {
        "London": "2025-03-08", "York": "2025-04-26", "Norwich": "2025-05-10",
        "Manchester": "2025-06-14", "Falmouth": "2025-06-28", "Bristol": "2025-07-12"}


def test_more_than_200_participants_in_groups_of_5_to_9():
    coding = br.synthetic.coding()
    per_group = coding.groupby("group_id")["speaker"].nunique()
    assert per_group.sum() > 200
    assert per_group.between(5, 9).all()


def test_codebook_shape_and_double_coding():
    book = br.synthetic.codebook()
    assert book["theme"].nunique() == 6 and 20 <= len(book) <= 30
    coding = br.synthetic.coding()
    double = coding.groupby("segment_id")["coder"].nunique() == 2
    assert 0.15 < double.mean() < 0.25  # about a fifth double-coded


def test_evidence_counts():
    ev = br.synthetic.evidence()
    assert len(ev) == 185
    assert ev["publication_type"].value_counts().to_dict() == {"academic": 165, "grey": 20}
    uk_words = {"UK", "England", "United Kingdom", "Scotland", "England; Wales", "Great Britain"}
    assert ev["countries"].isin(uk_words).sum() == 12
    pl = ev["dimensions"].str.contains("professional learning", regex=False)
    assert pl.sum() == 21


def test_iters_and_class_are_the_two_most_used_families():
    inst = br.synthetic.evidence()["instruments"].dropna().str.split(";").explode().str.strip()
    family = inst.str.extract(r"^(ITERS|CLASS)", expand=False).fillna(inst)
    top = family.groupby(family).size().sort_values(ascending=False)
    assert set(top.index[:2]) == {"ITERS", "CLASS"}


def test_every_file_says_synthetic():
    for kind in synthetic.FILES:
        frame = synthetic.raw(kind)
        assert (frame["data_notice"].str.startswith("SYNTHETIC DATA")).all()
        loaded = getattr(br.synthetic, kind)()
        assert loaded.attrs["synthetic"] is True
        assert "(synthetic)" in loaded.attrs["source"]


def test_different_seed_gives_different_data():
    assert not synthetic.survey_raw(1).equals(synthetic.survey_raw())


def test_loaded_copies_are_independent():
    a = br.synthetic.survey()
    a.loc[0, "group_size"] = 99
    assert br.synthetic.survey().loc[0, "group_size"] != 99


def test_synthetic_tables_are_canonical():
    for kind, schema in (("survey", br.codebook.SURVEY), ("evidence", br.codebook.EVIDENCE),
                         ("coding", br.codebook.CODING)):
        frame = getattr(br.synthetic, kind)()
        assert list(frame.columns) == schema.names
        assert br.set_aside_rows(frame).empty


def test_published_totals_hold_exactly(rooms):
    # 400 rooms, 34 of them described twice: 434 respondents; mean group size exactly 13.0
    assert len(br.synthetic.survey()) == 434
    assert rooms["group_size"].mean() == 13.0


def test_baby_week_partner_areas_with_uneven_numbers():
    # Baby Week partner areas (issue 14): every one present, matched to its ONS authority,
    # with rooms enough to publish in one area, indicative in several, too few in others
    from baby_room.areas.lookup import add_la_codes
    from baby_room.survey.indicators import rooms as room_table

    partners = {"E08000035", "E08000032", "E06000060", "E08000033", "E08000026",
                "E06000047", "E06000010", "E08000021", "E10000024", "E08000024",
                "E06000027", "E06000014",  # Leeds ... York
                "E06000049", "E06000050", "E08000011", "E08000012", "E08000013",
                "E08000014", "E06000007", "E08000015", "E06000006"}  # Cheshire and Merseyside
    survey = add_la_codes(br.synthetic.survey())
    assert survey["la_code"].notna().all()  # every name as written matches an authority
    assert partners <= set(survey["la_code"])
    per_area = room_table(survey).groupby("la_code").size()
    assert (per_area >= 30).any() and per_area.between(10, 29).sum() >= 5
    assert (per_area < 10).sum() >= 10
    assert per_area.nunique() > 10  # uneven
