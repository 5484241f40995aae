"""Evidence figures: they draw the hand-counted numbers, label the source, render to PNG."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from baby_room.errors import ArgumentError  # noqa: E402
from baby_room.evidence import plots  # noqa: E402
from baby_room.style import PALETTE, save_figure  # noqa: E402


@pytest.fixture
def items():
    df = pd.DataFrame({
        "year": pd.array([2018, 2018, 2019, 2021, 2021, None], dtype="Int64"),
        "publication_type": ["academic", "grey", "academic", "academic", "grey", "academic"],
        "countries": ["England", "USA", "USA; Canada", "Norway", "Europe", "USA"],
        "instruments": ["ITERS-R", "CLASS Infant", "ITERS-3; CLASS Toddler", None, "CIS",
                        "iters r"],
        "dimensions": ["ratio", "interactions", "ratio; interactions", "group size", "ratio",
                       "interactions"],
    })
    df.attrs.update(source="hand-built items", synthetic=True, set_aside=pd.DataFrame())
    return df


def _texts(ax):
    return " | ".join(t.get_text() for t in ax.figure.findobj(matplotlib.text.Text))


def _render(ax, tmp_path, name):
    paths = save_figure(ax.figure, tmp_path / name, formats=("png",), dpi=60)
    assert paths[0].stat().st_size > 1000
    plt.close(ax.figure)


def test_country_bars(items, tmp_path):
    fig, ax = plt.subplots()
    out = plots.plot_countries(items, ax=ax)
    assert out is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # USA: 3 items; Canada, UK, Norway: 1 each (alphabetical); Europe is a region row
    assert labels == ["United States", "Canada", "Norway", "United Kingdom", "Europe (region)"]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [3, 1, 1, 1, 1]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[3] == PALETTE["highlight"].lower()  # the UK
    assert colours[0] == PALETTE["primary"].lower()
    assert colours[4] == PALETTE["muted"].lower()
    assert "Source: hand-built items · SYNTHETIC DATA" in _texts(ax)
    _render(ax, tmp_path, "countries")


def test_country_bars_fractional_and_top(items, tmp_path):
    ax = plots.plot_countries(items, count="fractional", top=1)
    # USA: 1 + 1/2 + 1 = 2.5; three countries left out, at most 1 item each
    assert [p.get_width() for p in ax.patches][0] == pytest.approx(2.5)
    assert "3 further countries not shown (at most 0.5 items each)" not in _texts(ax)
    assert "3 further countries not shown (at most 1 items each)" in _texts(ax)
    _render(ax, tmp_path, "countries_frac")
    with pytest.raises(ArgumentError, match="^plot_countries: top must be a positive whole number"):
        plots.plot_countries(items, top=0)


def test_items_per_year_stacked(items, tmp_path):
    ax = plots.plot_items_per_year(items)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Academic (n = 4)", "Grey literature (n = 2)"]
    # 2018..2021 = 4 years per series; academic 2018:1 2019:1 2020:0 2021:1
    academic = [p.get_height() for p in ax.patches[:4]]
    grey = [p.get_height() for p in ax.patches[4:]]
    assert academic == [1, 1, 0, 1] and grey == [1, 0, 0, 1]
    assert [p.get_y() for p in ax.patches[4:]] == [1, 1, 0, 1]  # stacked on academic
    assert "1 item with no year not shown" in _texts(ax)
    assert ax.get_xlabel() == "Year of publication"
    _render(ax, tmp_path, "years")


def test_instrument_families(items, tmp_path):
    ax = plots.plot_instrument_families(items)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # ITERS: rows 1, 3, 6 = 3; CLASS: rows 2, 3 = 2; CIS: row 5 = 1; row 4 none
    assert labels == ["ITERS", "CLASS", "CIS"]
    assert [p.get_width() for p in ax.patches] == [3, 2, 1]
    assert "1 used no named instrument" in _texts(ax)
    _render(ax, tmp_path, "instruments")


def test_gap_map_bubbles(items, tmp_path):
    ax = plots.plot_gap_map(items)
    coll = ax.collections[0]
    offsets = coll.get_offsets()
    sizes = coll.get_sizes()
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert rows == ["ITERS", "CLASS", "CIS"]
    assert cols[:2] == ["group size", "ratio"]
    cell = {(rows[int(y)], cols[int(x)]): s for (x, y), s in zip(offsets, sizes, strict=True)}
    # ITERS x ratio: rows 1, 3 = 2; ITERS x interactions: rows 3, 6 = 2; CIS x ratio: 1
    # area proportional to n: the 1-item bubble has half the area of a 2-item bubble
    assert cell[("CIS", "ratio")] == pytest.approx(cell[("ITERS", "ratio")] / 2)
    written = [t.get_text() for t in ax.texts]
    assert written.count("2") >= 3
    assert "bubble area ∝ number of items" in _texts(ax)
    _render(ax, tmp_path, "gap")


def test_world_map_uses_by_country(items, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = plots.plot_world_map(items)
    assert ax.get_title() == "Geographical spread of research"
    gids = {p.get_gid() for p in ax.patches}
    assert "country:USA" in gids
    assert "UK: 1" in _texts(ax)
    assert "SYNTHETIC DATA" in _texts(ax)
    _render(ax, tmp_path, "world")
