"""save_figure: the PNG equals what matplotlib's savefig writes for the same box, the PNG
encoder round-trips through Pillow, and the files are byte-identical from save to save."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from baby_room import style  # noqa: E402
from baby_room.style import figure_style, label_source, png_bytes, save_figure, saved_box  # noqa: E402

DPI = 200


def _inside():
    """Constrained layout keeps every artist inside the figure: save_figure crops its canvas.
    A coloured background shows that the padding outside the canvas is the figure's."""
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained", facecolor="#FAF3DD")
    ax.bar(["educator", "manager", "room leader"], [12, 7, 3], color="#0072B2")
    ax.set_ylabel("Rooms (count)")
    ax.set_title("Rooms by role", loc="left")
    label_source(ax, source="test data", synthetic=True)
    return fig


def _overhanging():
    """No layout engine and long tick labels: the tick labels and the source label hang
    outside the figure, so save_figure draws the box itself."""
    fig, ax = plt.subplots(figsize=(3, 2.2))
    ax.barh(range(3), [40, 25, 10])
    ax.set_yticks(range(3), labels=["a long code name here", "another long one", "short"])
    ax.set_xlabel("Segments (%)")
    label_source(ax, source="test data", synthetic=True)
    return fig


def _heatmap():
    from baby_room.focus_groups.plots import plot_code_heatmap

    coding = {"segment_id": [f"s{i}" for i in range(12)], "conference": "York",
              "group_id": "YOR-1", "role": ["educator", "manager", "room_leader"] * 4,
              "theme": ["rooms"] * 6 + ["status"] * 6,
              "code": ["noise", "ratio", "space", "noise", "valued", "pay"] * 2, "coder": "A"}
    import pandas as pd

    frame = pd.DataFrame(coding)
    frame.attrs.update(source="test coding", synthetic=True)
    return plot_code_heatmap(frame, by="role").figure


def _savefig_reference(build):
    """The PNG matplotlib's own savefig writes for the box save_figure saves (a fresh copy
    of the figure, laid out at the same resolution), read back by Pillow."""
    with figure_style():
        fig = build()
        fig.set_dpi(DPI)
        fig.draw_without_rendering()
        box = saved_box(fig.get_tightbbox(), dpi=DPI, pad=matplotlib.rcParams["savefig.pad_inches"])
        fig.set_layout_engine(None)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches=box)
        plt.close(fig)
    return np.asarray(Image.open(buffer)), box


def _saved(build, folder, name="figure"):
    with figure_style():
        fig = build()
        paths = save_figure(fig, folder / name)
        plt.close(fig)
    return paths


@pytest.mark.parametrize(("build", "cropped"), [(_inside, True), (_overhanging, False),
                                               (_heatmap, False)])
def test_png_equals_savefig_of_the_same_box(build, cropped, tmp_path, monkeypatch):
    calls = []
    draw_box = style._draw_box
    monkeypatch.setattr(style, "_draw_box", lambda *a: calls.append(1) or draw_box(*a))
    png, svg = _saved(build, tmp_path)
    assert calls == ([] if cropped else [1])  # which of the two ways drew it
    reference, box = _savefig_reference(build)
    saved = np.asarray(Image.open(png))
    assert saved.shape == reference.shape == (round(box.height * DPI), round(box.width * DPI), 4)
    # pixel for pixel: the crop of the canvas is the box savefig draws
    np.testing.assert_array_equal(saved, reference)
    # the SVG shows the same box (in points)
    size = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg.read_text())
    assert [float(v) for v in size.groups()] == pytest.approx([box.width * 72, box.height * 72],
                                                             abs=1e-3)


def test_padding_outside_the_canvas_is_the_figure_background(tmp_path):
    png, _ = _saved(_inside, tmp_path)
    pixels = np.asarray(Image.open(png))
    assert tuple(pixels[0, 0]) == tuple(pixels[-1, -1]) == (0xFA, 0xF3, 0xDD, 255)


def test_png_bytes_round_trip_through_pillow():
    # reference: Pillow's PNG decoder (an independent implementation of the format)
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    image = Image.open(io.BytesIO(png_bytes(pixels, dpi=200)))
    image.load()
    assert image.mode == "RGBA" and image.size == (53, 37)
    np.testing.assert_array_equal(np.asarray(image), pixels)
    assert image.info["dpi"] == pytest.approx((200, 200), abs=0.01)  # 7874 pixels per metre
    assert "Software" not in image.info


def test_png_bytes_window_is_cropped_and_padded_with_the_corner_pixel():
    # reference: numpy's pad and slicing of the same pixels, decoded by Pillow; 250 rows of
    # 600 pixels are deflated in three blocks
    rng = np.random.default_rng(11)
    pixels = rng.integers(0, 256, size=(250, 600, 4), dtype=np.uint8)
    top, left, height, width = -7, 20, 262, 590  # 7 rows above, 5 below, 10 columns right
    padded = np.empty((264, 610, 4), np.uint8)
    padded[...] = pixels[0, 0]
    padded[7:257, 0:600] = pixels
    want = padded[0:262, 20:610]
    image = Image.open(io.BytesIO(png_bytes(pixels, dpi=96, window=(top, left, height, width))))
    np.testing.assert_array_equal(np.asarray(image), want)
    assert image.info["dpi"] == pytest.approx((96, 96), abs=0.02)  # 3780 pixels per metre


def test_png_bytes_rejects_other_arrays():
    with pytest.raises(ValueError, match="needs"):
        png_bytes(np.zeros((2, 2, 3), np.uint8), dpi=200)


def test_saved_box_is_whole_pixels_around_the_padded_box():
    from matplotlib.transforms import Bbox

    box = saved_box(Bbox.from_extents(0.1234, -0.05, 2.0, 1.4999999999), dpi=200, pad=0.1)
    pixels = np.asarray(box.extents) * 200
    np.testing.assert_allclose(pixels, [4, -30, 420, 320])  # floor / ceil of the padded box


def test_same_bytes_saved_twice_in_one_process(tmp_path):
    for build in (_inside, _overhanging, _heatmap):
        first = [p.read_bytes() for p in _saved(build, tmp_path / "a")]
        second = [p.read_bytes() for p in _saved(build, tmp_path / "b")]
        assert first == second, build.__name__


def test_same_bytes_saved_in_another_process(tmp_path):
    here = [p.read_bytes() for p in _saved(_heatmap, tmp_path / "here")]
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        import test_style_save as t
        t._saved(t._heatmap, Path({str(tmp_path / "there")!r}))
    """)
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    there = [(tmp_path / "there" / f"figure.{ext}").read_bytes() for ext in ("png", "svg")]
    assert here == there


def test_svg_alone_shows_the_same_box(tmp_path):
    with figure_style():
        fig = _inside()
        (svg,) = save_figure(fig, tmp_path / "only", formats=("svg",))
        plt.close(fig)
    _, box = _savefig_reference(_inside)
    size = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg.read_text())
    assert [float(v) for v in size.groups()] == pytest.approx([box.width * 72, box.height * 72],
                                                             abs=1e-3)
    assert "SYNTHETIC DATA" in svg.read_text()


@pytest.mark.parametrize("make", [_inside, _overhanging])
def test_title_at_top_is_where_matplotlibs_automatic_title_lands(make, tmp_path):
    """With nothing drawn above the Axes, title_at_top puts the title where matplotlib's
    automatic height (axes.titley None, which measures every tick label again at each draw)
    puts it: the saved files are byte-identical. With column labels on top, the automatic
    height lifts the title over them and title_at_top does not (so heatmaps keep it)."""
    saved = {}
    for how in ("auto", "fixed"):
        with figure_style():
            fig = make()
            ax = fig.axes[0]
            ax.set_title("", loc="left")
            if how == "auto":
                ax.set_title("Rooms by role", loc="left")
            else:
                style.title_at_top(ax, "Rooms by role", loc="left")
            assert ax.get_title(loc="left") == "Rooms by role"
            saved[how] = [p.read_bytes() for p in save_figure(fig, tmp_path / how)]
            plt.close(fig)
    assert saved["auto"] == saved["fixed"]

    def title_bottom(fixed):
        with figure_style():
            fig, ax = plt.subplots(figsize=(4, 3))
            ax.imshow(np.arange(12).reshape(3, 4))
            ax.xaxis.tick_top()
            ax.set_xticks(range(4), ["a long code name", "b", "c", "d"], rotation=90)
            (style.title_at_top if fixed else type(ax).set_title)(ax, "Codes")
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            labels_top = max(t.get_window_extent(renderer).y1 for t in ax.get_xticklabels())
            bottom = ax.title.get_window_extent(renderer).y0
            plt.close(fig)
            return bottom, labels_top

    auto_bottom, labels_top = title_bottom(fixed=False)
    fixed_bottom, _ = title_bottom(fixed=True)
    assert auto_bottom >= labels_top > fixed_bottom
