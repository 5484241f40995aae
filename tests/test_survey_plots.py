"""Tests for baby_room.survey.plots: each figure draws the numbers of the indicator functions,
names its source, says SYNTHETIC DATA, and renders to PNG."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from baby_room import synthetic  # noqa: E402
from baby_room.reference import RECOMMENDED_GROUP_SIZE  # noqa: E402
from baby_room.style import save_figure  # noqa: E402
from baby_room.survey import indicators as ind  # noqa: E402
from baby_room.survey import plots  # noqa: E402


@pytest.fixture(scope="module")
def survey():
    return synthetic.survey()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def source_text(ax):
    texts = [t.get_text() for t in ax.texts if t.get_gid() == "baby_room_source_label"]
    assert len(texts) == 1
    return texts[0]


FIGURES = {
    "distribution": lambda survey: plots.plot_group_size_distribution(survey),
    "by_region": lambda survey: plots.plot_group_size_by(survey, by="region"),
    "by_setting_type": lambda survey: plots.plot_group_size_by(survey, by="setting_type"),
    "ratio": lambda survey: plots.plot_ratio_compliance(survey, by="region"),
    "rules": lambda survey: plots.plot_workforce_rules(survey),
    "likert": lambda survey: plots.plot_likert(survey, by="role"),
    "cpd": lambda survey: plots.plot_cpd_share(survey),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_is_labelled_and_renders(name, survey, tmp_path):
    ax = FIGURES[name](survey)
    label = source_text(ax)
    assert "Baby Room Project survey" in label and "SYNTHETIC DATA" in label
    assert ax.get_xlabel()
    (png,) = save_figure(ax.figure, tmp_path / name, formats=("png",), dpi=60)
    assert png.stat().st_size > 5_000


def test_distribution_marks_mean_and_recommended_band(survey):
    ax = plots.plot_group_size_distribution(survey)
    mean = ind.group_size_summary(survey, thresholds=()).set_index("measure").loc["mean"]
    xs = [line.get_xdata()[0] for line in ax.get_lines()]
    assert xs == pytest.approx([mean["estimate"]])
    # the histogram counts rooms once: bar heights sum to the number of rooms
    (bars,) = ax.containers
    heights = sum(p.get_height() for p in bars.patches)
    assert heights == len(ind.rooms(survey))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    lo, hi = RECOMMENDED_GROUP_SIZE
    assert f"Recommended {lo}\u2013{hi} babies (evidence review)" in legend


def test_group_size_by_points_are_the_subgroup_means(survey):
    ax = plots.plot_group_size_by(survey, by="setting_type")
    means = ind.group_size_summary(survey, by="setting_type", thresholds=())
    means = means[means["measure"] == "mean"]["estimate"].to_numpy()
    container = [c for c in ax.containers if hasattr(c, "lines")][0]
    np.testing.assert_allclose(container.lines[0].get_xdata(), means)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("Private (n=")


def test_ratio_bars_are_the_shares_meeting_the_ratio(survey):
    ax = plots.plot_ratio_compliance(survey)
    share = ind.ratio_summary(survey).set_index("measure").loc["share_meeting_eyfs_ratio"]
    (bar,) = ax.patches
    assert bar.get_width() == pytest.approx(share["estimate"])


def test_empty_group_is_shown_as_no_rooms(survey):
    s = survey.copy()
    s["region"] = s["region"].cat.add_categories(["Wales"])
    ax = plots.plot_group_size_by(s, by="region")
    assert "Wales (n=0)" in [t.get_text() for t in ax.get_yticklabels()]
    assert "no rooms" in [t.get_text() for t in ax.texts]


def test_likert_bars_sum_to_one_per_row(survey):
    ax = plots.plot_likert(survey, ["confident_with_babies"], by=None)
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 5 and sum(widths) == pytest.approx(1.0)


def test_figures_draw_on_a_given_axes(survey):
    fig, axes = plt.subplots(1, 2)
    out = plots.plot_cpd_share(survey, ax=axes[1])
    assert out is axes[1] and not axes[0].has_data()


def test_cpd_bars_are_the_shares_workforce_summary_returns(survey):
    # the figure shows workforce_summary's cpd_baby_past_year rows (overall, then by role);
    # the shares are checked against statsmodels in tests/test_survey_indicators.py
    ax = plots.plot_cpd_share(survey, by="role")
    overall = ind.workforce_summary(survey).set_index("measure").loc["cpd_baby_past_year"]
    by_role = ind.workforce_summary(survey, by="role")
    by_role = by_role[by_role["measure"] == "cpd_baby_past_year"]
    bars = sorted((p.get_y(), p.get_width()) for p in ax.patches)[::-1]
    widths = [w for _, w in bars]
    assert widths == pytest.approx([overall["estimate"], *by_role["estimate"]])
    # and the raw share of respondents answering yes (pandas) for the overall bar
    assert widths[0] == pytest.approx(survey["cpd_baby_past_year"].dropna().mean())


def _bar_intervals(ax):
    """(low, high) of each error bar drawn by _hbar_with_ci, top bar first."""
    (container,) = [c for c in ax.containers if hasattr(c, "has_xerr")]
    segments = container.lines[2][0].get_segments()
    return sorted(((s[0][0], s[1][0], s[0][1]) for s in segments), key=lambda t: -t[2])


@pytest.mark.parametrize("plot, analysis, measure", [
    ("plot_ratio_compliance", "ratio_summary", "share_meeting_eyfs_ratio"),
    ("plot_cpd_share", "workforce_summary", "cpd_baby_past_year"),
])
def test_share_figures_draw_the_interval_of_conf_level_and_ci_method(survey, plot, analysis,
                                                                     measure):
    # contract: conf_level= and ci_method= on everything that makes an interval of a share;
    # the bars are the analysis function's numbers at the same options
    ax = getattr(plots, plot)(survey, by=None, conf_level=0.8, ci_method="wilson")
    ref = getattr(ind, analysis)(survey, conf_level=0.8, ci_method="wilson")
    row = ref.set_index("measure").loc[measure]
    ((low, high, _),) = _bar_intervals(ax)
    assert (low, high) == pytest.approx((row["ci_low"], row["ci_high"]))
    assert "80% CI" in ax.get_xlabel()
    with pytest.raises(ValueError, match=f"{plot}: conf_level must be"):
        getattr(plots, plot)(survey, conf_level=95)


def test_group_size_figures_take_conf_level(survey):
    mean = ind.group_size_summary(survey, thresholds=(), conf_level=0.9)
    mean = mean.set_index("measure").loc["mean"]
    ax = plots.plot_group_size_distribution(survey, conf_level=0.9)
    assert f"90% CI {mean['ci_low']:.1f}" in ax.get_legend().get_texts()[-1].get_text()
    ax = plots.plot_group_size_by(survey, by="setting_type", conf_level=0.9)
    assert ax.get_xlabel() == "Mean babies per room (90% CI)"


def test_likert_drawn_from_a_given_summary_is_the_same_figure(survey):
    """plot_likert(summary=) draws the likert_summary frame a notebook already shows (the
    table), bar for bar what it computes itself, and refuses a frame of other items or
    another split."""
    from baby_room.codebook import SURVEY_LIKERT_ITEMS
    from baby_room.errors import ArgumentError
    from baby_room.survey.likert import likert_summary

    items = list(SURVEY_LIKERT_ITEMS)
    table = likert_summary(survey, items, by="role")

    def bars(ax):
        return [(p.get_x(), p.get_y(), p.get_width()) for p in ax.patches]

    computed = plots.plot_likert(survey, by="role")
    given = plots.plot_likert(survey, by="role", summary=table)
    assert bars(given) == bars(computed) and len(bars(given)) == 5 * len(items) * 3
    assert ([t.get_text() for t in given.get_yticklabels()]
            == [t.get_text() for t in computed.get_yticklabels()])
    with pytest.raises(ArgumentError, match="plot_likert: summary must be"):
        plots.plot_likert(survey, by="role", summary=table[table["item"] == items[0]])
    with pytest.raises(ArgumentError, match="plot_likert: summary must be"):
        plots.plot_likert(survey, by=None, summary=table)
