"""Load and validate the evidence-review extraction table (one row per included item)."""

from __future__ import annotations

from collections.abc import Mapping

from baby_room._loading import load
from baby_room.codebook import EVIDENCE


def load_evidence(path, *, columns: Mapping[str, str] | None = None, on_error: str = "raise",
                  sheet=0, format: str | None = None,
                  source: str = "Baby Room Project evidence review"):
    """Load the review's extraction table: one row per included item.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame
        CSV, TSV, Excel or Parquet extraction sheet (Covidence, Rayyan or the reviewers'
        own), or a DataFrame.
    columns : mapping, optional
        ``{your header: canonical name}``, e.g. ``{"Country of study": "countries"}``.
    on_error : {"raise", "set_aside"}, default "raise"
        As in :func:`baby_room.load_survey`.
    sheet : int or str, default 0
        Excel sheet.
    format : str, optional
        Force a reader.
    source : str
        Data source written under every figure.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`baby_room.codebook.EVIDENCE`: ``item_id, title, authors, year,
        publication_type, countries, design, instruments, age_focus, dimensions, doi``.
        ``countries`` stays as typed; normalise it with
        :func:`baby_room.evidence.normalise_countries`.

    Notes
    -----
    Checks: unique ``item_id``, ``year`` within 1950 to the current year,
    ``publication_type`` academic or grey, design and age-focus categories.

    Examples
    --------
    >>> import baby_room as br
    >>> ev = br.load_evidence(br.synthetic.raw("evidence"))
    >>> ev["publication_type"].value_counts().to_dict()
    {'academic': 165, 'grey': 20}
    """
    return load(path, EVIDENCE, columns=columns, on_error=on_error, sheet=sheet, format=format,
                cross_checks=None, source_label=source)
