"""Figure style, source labels and saving.

Importing this module does not import matplotlib and changes no global state.
Figure functions in the package call :func:`label_source` so that every figure
names its data source and says "SYNTHETIC DATA" when it was drawn from the
bundled synthetic data set; :func:`save_figure` writes PNG and SVG files that
are byte-identical from one build to the next.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

#: ``DataFrame.attrs`` keys set by the loaders and read by the figure functions.
ATTR_SOURCE = "source"
ATTR_SYNTHETIC = "synthetic"

#: Colours used across the package (colour-blind safe, Okabe-Ito).
PALETTE = {
    "primary": "#0072B2",
    "secondary": "#E69F00",
    "accent": "#009E73",
    "warning": "#D55E00",
    "muted": "#999999",
    "highlight": "#CC79A7",
}
#: Diverging colours for five-point Likert scales, "Strongly disagree" first.
LIKERT_COLOURS = ("#B2182B", "#EF8A62", "#D9D9D9", "#67A9CF", "#2166AC")

_RC = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "svg.hashsalt": "baby_room",
    "svg.fonttype": "none",
    "path.simplify": True,
}


@contextmanager
def figure_style():
    """Context manager applying the package's matplotlib style temporarily.

    Examples
    --------
    >>> from baby_room.style import figure_style
    >>> with figure_style():
    ...     import matplotlib.pyplot as plt
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    with mpl.rc_context(_RC):
        yield


def source_of(data) -> tuple[str | None, bool]:
    """Return ``(source, synthetic)`` recorded in ``data.attrs`` by the loaders.

    Parameters
    ----------
    data : pandas.DataFrame or None
        A frame returned by a ``baby_room`` loader or analysis function.

    Returns
    -------
    tuple of (str or None, bool)
        The data source description and whether it is synthetic.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1]})
    >>> df.attrs.update(source="Baby Room survey", synthetic=True)
    >>> source_of(df)
    ('Baby Room survey', True)
    """
    attrs = getattr(data, "attrs", None) or {}
    return attrs.get(ATTR_SOURCE), bool(attrs.get(ATTR_SYNTHETIC, False))


def carry_source(result, data):
    """Copy the data source and synthetic flag from ``data.attrs`` to a result table.

    Analysis functions call this so that a summary table, and every figure drawn from
    it, still names its source and says when it is synthetic.

    Parameters
    ----------
    result : pandas.DataFrame
        The table to label (changed in place and returned).
    data : pandas.DataFrame
        The input it was computed from.

    Returns
    -------
    pandas.DataFrame
        ``result``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"x": [1]})
    >>> data.attrs.update(source="Baby Room survey", synthetic=True, file="survey.csv")
    >>> carry_source(pd.DataFrame({"n": [1]}), data).attrs
    {'source': 'Baby Room survey', 'synthetic': True}
    """
    attrs = getattr(data, "attrs", None) or {}
    result.attrs.update({k: attrs[k] for k in (ATTR_SOURCE, ATTR_SYNTHETIC) if k in attrs})
    return result


def label_source(ax, data=None, *, source: str | None = None, synthetic: bool | None = None):
    """Write the data source, and "SYNTHETIC DATA" when it applies, under an Axes.

    The label is placed at draw time just below everything under the Axes (tick
    labels, however many lines or however rotated, and the x-axis label), or just
    below the Axes when its x axis is hidden, so it never overlaps them and travels
    with the Axes into any figure layout.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The Axes to label.
    data : pandas.DataFrame, optional
        Where to read ``attrs["source"]`` and ``attrs["synthetic"]`` from.
    source : str, optional
        Overrides the source read from ``data``.
    synthetic : bool, optional
        Overrides the synthetic flag read from ``data``.

    Returns
    -------
    matplotlib.text.Text
        The label artist.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> label_source(ax, source="Baby Room survey", synthetic=True).get_text()
    'Source: Baby Room survey · SYNTHETIC DATA'
    >>> plt.close(fig)
    """
    data_source, data_synthetic = source_of(data)
    source = source if source is not None else data_source
    synthetic = synthetic if synthetic is not None else data_synthetic
    parts = []
    if source:
        parts.append(f"Source: {source}")
    if synthetic:
        parts.append("SYNTHETIC DATA")
    text = " · ".join(parts) if parts else "Source: not recorded"
    def below_x_axis(renderer):
        from matplotlib.transforms import Bbox

        box = ax.get_window_extent(renderer)
        bottom = box.y0
        if ax.axison and ax.xaxis.get_visible():
            decorations = ax.xaxis.get_tightbbox(renderer)
            if decorations is not None:
                bottom = min(bottom, decorations.y0)
        return Bbox.from_extents(box.x0, bottom, box.x1, bottom)

    return ax.annotate(
        text,
        xy=(0, 0),
        xycoords=below_x_axis,
        xytext=(0, -6),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7.5,
        color="#B00020" if synthetic else "#555555",
        gid="baby_room_source_label",
    )


def save_figure(fig, path, *, formats=("png", "svg"), dpi: int = 200) -> list[Path]:
    """Save a figure as PNG and SVG with no timestamps, so rebuilds are byte-identical.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path : str or os.PathLike
        Output path without extension (an extension, if given, is replaced).
    formats : sequence of str, default ("png", "svg")
        Formats to write.
    dpi : int, default 200
        Resolution of raster formats.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save_figure(fig, Path(d) / "demo")]
    ['.png', '.svg']
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    base = Path(path)
    base = base.with_suffix("") if base.suffix in {".png", ".svg", ".pdf"} else base
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    # Lay the figure out and measure its tight bounding box once, at the raster resolution,
    # then save every format with the layout frozen: ``bbox_inches="tight"`` would lay out
    # and draw the figure twice per format (a measuring pass and the real one).
    engine = fig.get_layout_engine()
    screen_dpi = fig.dpi
    try:
        fig.dpi = dpi
        fig.draw_without_rendering()
        pad = mpl.rcParams["savefig.pad_inches"]
        bbox = fig.get_tightbbox().padded(pad)
        fig.set_layout_engine("none")
        # text stays text in SVG: editable in a drawing program, searchable by the privacy scan
        with mpl.rc_context({"svg.hashsalt": "baby_room", "svg.fonttype": "none"}):
            for fmt in formats:
                out = base.with_suffix(f".{fmt}")
                fig.savefig(out, format=fmt, dpi=dpi, bbox_inches=bbox,
                            metadata=metadata.get(fmt))
                written.append(out)
    finally:
        fig.dpi = screen_dpi
        if engine is not None:
            fig.set_layout_engine(engine)
    return written
