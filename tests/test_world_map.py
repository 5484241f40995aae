"""Tests for baby_room.evidence.world: Equal Earth projection, bundled shapes, choropleth.

References: PROJ's ``+proj=eqearth`` through pyproj (a test-only dependency; the test is
skipped without it) and the projection's published constants (Šavrič, Patterson & Jenny 2018:
the map is 2.70663 R wide at the equator from the centre and 1.31736 R high at the pole).
"""

from __future__ import annotations

import socket

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from baby_room.errors import ArgumentError  # noqa: E402
from baby_room.evidence import world  # noqa: E402
from baby_room.evidence.world import (  # noqa: E402
    ZERO_COLOUR,
    equal_earth,
    plot_world_choropleth,
    world_shapes,
)
from baby_room.style import save_figure  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_equal_earth_matches_proj():
    pyproj = pytest.importorskip("pyproj")
    lon, lat = np.meshgrid(np.linspace(-180, 180, 37), np.linspace(-90, 90, 19))
    lon, lat = lon.ravel(), lat.ravel()
    ref_x, ref_y = pyproj.Proj("+proj=eqearth +R=1")(lon, lat)
    x, y = equal_earth(lon, lat)
    np.testing.assert_allclose(x, ref_x, atol=1e-9)
    np.testing.assert_allclose(y, ref_y, atol=1e-9)
    # radius and central meridian, against PROJ too
    ref_x2, ref_y2 = pyproj.Proj("+proj=eqearth +R=6371000 +lon_0=11")(lon[:-1], lat[:-1])
    x2, y2 = equal_earth(lon[:-1], lat[:-1], lon_0=11, radius=6371000)
    np.testing.assert_allclose(x2, ref_x2, atol=1e-3)
    np.testing.assert_allclose(y2, ref_y2, atol=1e-3)


def test_equal_earth_extent_from_the_paper():
    x, y = equal_earth([180, 0], [0, 90])
    assert x[0] == pytest.approx(2.70663, abs=1e-5)
    assert y[1] == pytest.approx(1.31736, abs=1e-5)


def test_equal_earth_keeps_the_antimeridian_on_its_side():
    # Natural Earth has vertices at 180.00000000000006: they must stay on the east edge
    x, _ = equal_earth([180.00000000000006, -180.0, 190.0], [0, 0, 0])
    assert x[0] == pytest.approx(2.70663, abs=1e-5)
    assert x[1] == pytest.approx(-2.70663, abs=1e-5)
    assert x[2] == pytest.approx(equal_earth(-170.0, 0.0)[0])


def test_world_shapes_table():
    shapes = world_shapes()
    assert list(shapes.columns) == ["iso3", "name", "geometry"]
    assert len(shapes) == 177  # the Natural Earth 1:110m admin-0 layer
    assert not shapes["iso3"].isin(["-99"]).any()
    named = dict(zip(shapes["name"], shapes["iso3"], strict=True))
    assert (named["France"], named["Norway"], named["Kosovo"], named["N. Cyprus"],
            named["Somaliland"], named["United Kingdom"]) == (
        "FRA", "NOR", "XKX", "CYP", "SOM", "GBR")
    # a copy: changing it does not change the cache
    shapes.loc[0, "iso3"] = "ZZZ"
    assert world_shapes().loc[0, "iso3"] != "ZZZ"


def _counts():
    counts = pd.DataFrame(
        {
            "iso3": ["GBR", "FRA", "NOR", "USA", "SGP", None],
            "count": [12, 1, 3, 7, 2, 4],
            "country": ["United Kingdom", "France", "Norway", "United States", "Singapore",
                        "Europe"],
        }
    )
    counts.attrs.update(source="Baby Room Project evidence review (synthetic)", synthetic=True)
    return counts


def _faces(ax, iso3):
    return [p.get_facecolor() for p in ax.patches if p.get_gid() == f"country:{iso3}"]


def test_map_renders_offline_with_the_right_colours(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise RuntimeError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    # read the shapes afresh inside the no-network block
    world._read_shapes.cache_clear()
    world._projected_paths.cache_clear()

    ax = plot_world_choropleth(_counts())
    written = save_figure(ax.figure, tmp_path / "world", formats=("png",))
    png = written[0]
    assert png.exists() and png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # colours: bins 1, 2-4, 5-9, 10-19 (max 12) = 4 colours sampled from Blues 0.3..1.0
    blues = colormaps["Blues"](np.linspace(0.3, 1.0, 4))
    assert _faces(ax, "GBR") == [tuple(blues[3])]  # 12 -> 10-19
    assert _faces(ax, "FRA") == [tuple(blues[0])]  # 1 -> 1
    assert _faces(ax, "NOR") == [tuple(blues[1])]  # 3 -> 2-4
    assert _faces(ax, "USA") == [tuple(blues[2])]  # 7 -> 5-9
    assert _faces(ax, "DEU") == [to_rgba(ZERO_COLOUR)]  # not in counts: grey
    assert len(_faces(ax, "CYP")) == 2  # Cyprus and N. Cyprus

    texts = [t.get_text() for t in ax.texts]
    assert "UK: 12" in texts
    source = [t for t in ax.texts if t.get_gid() == "baby_room_source_label"]
    assert source[0].get_text() == (
        "Source: Baby Room Project evidence review (synthetic); map: Natural Earth 1:110m "
        "(public domain) · SYNTHETIC DATA")
    note = [t.get_text() for t in ax.texts if t.get_gid() == "baby_room_map_note"]
    assert note == ["Not a single country (not mapped): Europe 4. "
                    "Too small to draw at 1:110m: Singapore 2"]


def test_colourbar_is_labelled_and_binned():
    ax = plot_world_choropleth(_counts())
    cax = ax.child_axes[0]
    assert cax.get_xlabel() == "Number of items"
    assert [t.get_text() for t in cax.get_xticklabels()] == ["1", "2–4", "5–9", "10–19"]


def test_zero_counts_are_grey_and_uk_zero_is_annotated():
    counts = pd.DataFrame({"iso3": ["GBR", "FRA"], "count": [0, 5]})
    ax = plot_world_choropleth(counts)
    assert _faces(ax, "GBR") == [to_rgba(ZERO_COLOUR)]
    assert "UK: 0" in [t.get_text() for t in ax.texts]
    assert "Source: not recorded" in [t.get_text() for t in ax.texts][-1]


def test_draws_on_the_given_axes():
    fig, ax = plt.subplots()
    out = plot_world_choropleth(_counts(), ax=ax)
    assert out is ax
    assert fig.axes == [ax]  # nothing drawn outside the given Axes
    assert len(ax.child_axes) == 1  # the colourbar is an inset of it


@pytest.mark.parametrize(
    "counts, kwargs, message",
    [
        (pd.DataFrame({"code": ["GBR"], "count": [1]}), {},
         r"(?s)^plot_world_choropleth: iso3 must be a column of data; got 'iso3'.*"
         r"The columns are \['code', 'count'\]"),
        (pd.DataFrame({"iso3": ["GBR"], "items": [1]}), {"value": "k"},
         r"^plot_world_choropleth: value must be a column of data; got 'k'"),
        (pd.DataFrame({"iso3": ["GBR", "GBR"], "count": [1, 2]}), {},
         r"(?s)data must be a table with one row per country.*\['GBR'\] occur more than once"),
        (pd.DataFrame({"iso3": ["GBR"], "count": [-1]}), {},
         r"(?s)value must be a column of non-negative counts.*Negative values: \[-1.0\]"),
        (pd.DataFrame({"iso3": ["GBR"], "count": ["many"]}), {},
         r"(?s)value must be a column of numbers.*Non-numeric values: \['many'\]"),
        ([("GBR", 1)], {}, r"^plot_world_choropleth: data must be a DataFrame with one row per "
                           r"country"),
    ],
)
def test_bad_counts_are_refused_with_clear_messages(counts, kwargs, message):
    with pytest.raises(ArgumentError, match=message):
        plot_world_choropleth(counts, **kwargs)
