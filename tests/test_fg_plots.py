"""Focus-group figures: they draw the analysis numbers, name their source, show no personal data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from baby_room.errors import ArgumentError  # noqa: E402
from baby_room.focus_groups import plots  # noqa: E402

CONFS = ["London", "York", "Norwich", "Manchester", "Falmouth", "Bristol"]
SECRETS = {"Maya", "Tom", "Ann", "Raj", "Zoe", "It is loud", "private words"}


@pytest.fixture
def coding():
    rng = np.random.default_rng(42)
    codes = [("rooms", "noise"), ("rooms", "ratio"), ("status", "valued"), ("training", "cpd")]
    speakers = ["Maya", "Tom", "Ann", "Raj", "Zoe"]
    rows = []
    for i in range(60):
        conf = CONFS[i % 3]
        group = f"{conf[:3].upper()}-{1 + i % 2}"
        sp = speakers[i % 5]
        role = ["educator", "manager", "room_leader"][i % 5 % 3]
        chosen = rng.choice(4, size=1 + i % 2, replace=False)
        coders = ["A", "B"] if i % 4 == 0 else ["A"]
        for coder in coders:
            for j in chosen:
                if coder == "B" and i % 8 == 0:
                    j = (j + 1) % 4  # disagreement
                theme, code = codes[j]
                rows.append((f"s{i:03d}", conf, group, sp, role, theme, code, coder, 100 * i,
                             100 * i + 80, "It is loud, private words"))
    df = pd.DataFrame(rows, columns=["segment_id", "conference", "group_id", "speaker", "role",
                                     "theme", "code", "coder", "start", "end", "text"])
    df = df.drop_duplicates(["segment_id", "code", "coder"]).reset_index(drop=True)
    df["conference"] = pd.Categorical(df["conference"], categories=CONFS, ordered=True)
    df.attrs.update(source="plot test coding", synthetic=True)
    return df


def _texts(ax):
    return [t.get_text() for t in ax.figure.findobj(Text)]


def _check_common(ax):
    texts = _texts(ax)
    assert any("Source: plot test coding" in t and "SYNTHETIC DATA" in t for t in texts)
    joined = " ".join(texts)
    assert not any(s in joined for s in SECRETS), "personal data drawn on a figure"
    plt.close(ax.figure)


def test_code_heatmap_draws_row_percentages(coding):
    fig, ax = plt.subplots()
    out = plots.plot_code_heatmap(coding, by="role", ax=ax)
    assert out is ax
    img = ax.collections[0].get_array()
    # reference: pandas crosstab of distinct (segment, code) by role, normalised by row
    distinct = coding.drop_duplicates(["segment_id", "code"])
    ref = pd.crosstab(distinct["code"], distinct["role"], normalize="index") * 100
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text().replace(" ", "_") for t in ax.get_xticklabels()]
    np.testing.assert_allclose(np.asarray(img), ref.loc[rows, cols].to_numpy())
    _check_common(ax)


def test_conference_heatmap_and_value_choice(coding):
    ax = plots.plot_code_heatmap(coding, by="conference", value="share")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["London", "York", "Norwich"]
    _check_common(ax)
    with pytest.raises(ArgumentError, match=r"value must be one of 'row_share', 'col_share', "
                                            r"'share', 'count'; got 'pct'"):
        plots.plot_code_heatmap(coding, value="pct")


def test_cooccurrence_heatmap_blank_diagonal(coding):
    ax = plots.plot_cooccurrence(coding)
    img = np.ma.filled(ax.collections[0].get_array().astype(float), np.nan)
    assert np.isnan(np.diag(img)).all()
    np.testing.assert_allclose(img, img.T, equal_nan=True)  # Jaccard is symmetric
    _check_common(ax)


def _pixel(canvas, ax, x, y):
    """RGBA of the canvas pixel under data point (x, y) (canvas rows run top down)."""
    px, py = ax.transData.transform((x, y))
    return canvas[int(canvas.shape[0] - py), int(px)]


@pytest.mark.parametrize("draw", ["heatmap", "cooccurrence"])
def test_heatmap_cells_have_the_colour_map_colour_of_their_value(coding, draw):
    # reference: the colour map's own colour of each value (matplotlib.colors.Colormap with
    # the Normalize built from vmin/vmax), against the pixels Agg drew at 100 dpi
    from matplotlib.colors import Normalize

    if draw == "heatmap":
        ax = plots.plot_code_heatmap(coding, by="role", annotate=False)
    else:
        ax = plots.plot_cooccurrence(coding, annotate=False)
    mesh = ax.collections[0]
    values = np.ma.filled(mesh.get_array().astype(float), np.nan)
    vmin, vmax = mesh.get_clim()
    cmap = mesh.get_cmap()
    ax.figure.canvas.draw()
    canvas = np.asarray(ax.figure.canvas.buffer_rgba())
    colours = (cmap(Normalize(vmin, vmax)(values)) * 255).round()
    for (i, j), v in np.ndenumerate(values):
        want = (255, 255, 255, 255) if np.isnan(v) else colours[i, j]  # blank: the axes
        got = _pixel(canvas, ax, j + 0.3, i + 0.3)  # off the centre, where no line runs
        np.testing.assert_allclose(got, want, atol=1, err_msg=f"cell {i}, {j} ({v})")
    assert (ax.get_xlim(), ax.get_ylim()) == ((-0.5, values.shape[1] - 0.5),
                                              (values.shape[0] - 0.5, -0.5))
    plt.close(ax.figure)


def test_heatmap_cell_labels_stay_out_of_the_layout(coding):
    ax = plots.plot_code_heatmap(coding, by="role")
    cells = [t for t in ax.texts if t.get_gid() != "baby_room_source_label"]
    assert cells and not any(t.get_in_layout() for t in cells)
    renderer = ax.figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    assert all(inside.contains(*t.get_window_extent(renderer).get_points().mean(axis=0))
               for t in cells)
    plt.close(ax.figure)


def test_themes_bar_chart(coding):
    ax = plots.plot_themes(coding, unit="speaker")
    widths = sorted((round(p.get_width(), 6) for p in ax.patches), reverse=True)
    # reference: share of the 5 speakers (per group) who raised each theme, by hand
    distinct = coding.drop_duplicates(["group_id", "speaker", "theme"])
    n = coding.drop_duplicates(["group_id", "speaker"]).shape[0]
    ref = sorted((round(100 * v / n, 6) for v in distinct.groupby("theme").size()), reverse=True)
    assert widths == ref
    _check_common(ax)


def test_agreement_plot_reference_lines_and_pairs(coding):
    ax = plots.plot_agreement(coding)
    xs = {round(line.get_xdata()[0], 2) for line in ax.lines}
    assert {0.6, 0.8} <= xs
    assert {"slight", "fair", "moderate", "substantial", "almost perfect"} <= set(_texts(ax))
    _check_common(ax)
    three = pd.concat([coding, coding[coding["coder"] == "B"].assign(coder="C")])
    with pytest.raises(ArgumentError, match=r"coders must be one pair of coders \[c1, c2\]"):
        plots.plot_agreement(three)
    ax = plots.plot_agreement(three, coders=["A", "C"])
    # coder names are personal data (issue 16): the figure shows pseudonyms only
    shown = " ".join([ax.get_title(loc="left"), *_texts(ax)])
    assert "Coder 1 vs Coder 3" in shown and " A " not in f" {shown} "
    plt.close(ax.figure)


def test_saturation_plot_bars_are_new_codes(coding):
    from baby_room.focus_groups.analysis import saturation_curve

    ax = plots.plot_saturation(coding)
    sat = saturation_curve(coding)
    heights = [p.get_height() for p in sorted(ax.patches, key=lambda p: p.get_x())]
    assert heights == list(sat["new_codes"])
    _check_common(ax)
