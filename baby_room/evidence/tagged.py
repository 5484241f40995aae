"""Tagged records to canonical columns: the mapping shared by RIS, Web of Science and MEDLINE.

A tagged record is ``{tag: [value, ...]}`` in file order (a tag may repeat). A
:class:`TagMap` says which tags feed each canonical column (see
``baby_room.evidence._bibcommon.CANONICAL_COLUMNS``); :func:`to_canonical` fills the
columns and puts every tag it did not use into the ``extra`` mapping, repeated values
``"; "``-joined, so nothing the file holds is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from baby_room.evidence._bibcommon import (
    finish,
    normalise_doi,
    set_aside,
    warn_outside,
)
from baby_room.evidence._tag_columns import TagEntries, canonical_columns


@dataclass(frozen=True)
class TagMap:
    """Which tags feed which canonical column.

    ``first``: column -> tags in order of preference; the first tag present gives the
    value (its repeats joined with ``"; "``), the others go to ``extra``.
    ``every``: column -> tags whose values are all joined (authors, keywords...).
    ``doi``: tags tried in order for a valid DOI; ``doi_consumes``: those of them whose
    value is dropped from ``extra`` once it gave the DOI.
    ``pages``: (start tag, end tag) or None.
    """

    first: dict = field(default_factory=dict)
    every: dict = field(default_factory=dict)
    doi: tuple = ()
    doi_consumes: tuple = ()
    pages: tuple | None = None
    join_every: dict = field(default_factory=dict)


_PLANS: dict[int, tuple] = {}


def _plan(spec: TagMap) -> tuple:
    """``(tag -> [(column, rank, kind)], columns)`` for one map, built once."""
    plan = _PLANS.get(id(spec))
    if plan is None:
        by_tag: dict[str, list] = {}
        for column, names in spec.first.items():
            for rank, name in enumerate(names):
                by_tag.setdefault(name, []).append((column, rank, "first"))
        for column, names in spec.every.items():
            for rank, name in enumerate(names):
                by_tag.setdefault(name, []).append((column, rank, "every"))
        plan = (by_tag, tuple(spec.first) + tuple(spec.every))
        _PLANS[id(spec)] = plan
    return plan


def to_canonical(tags: dict[str, list[str]], spec: TagMap) -> dict:
    """The canonical column values of one tagged record, unused tags in ``extra``.

    Examples
    --------
    >>> spec = TagMap(first={"title": ("TI", "T1")}, every={"authors": ("AU",)},
    ...               doi=("DO",), doi_consumes=("DO",))
    >>> rec = to_canonical({"TI": ["X"], "AU": ["A", "B"], "DO": ["doi:10.1/Y"],
    ...                     "N1": ["note"]}, spec)
    >>> rec["title"], rec["authors"], rec["doi"], rec["extra"]
    ('X', 'A; B', '10.1/y', {'N1': 'note'})
    """
    by_tag, columns = _plan(spec)
    na = pd.NA
    out: dict = dict.fromkeys(columns, na)
    best: dict = {}
    every: dict = {}
    for name, values in tags.items():
        targets = by_tag.get(name)
        if targets is None:
            continue
        for column, rank, kind in targets:
            if kind == "first":
                if column not in best or rank < best[column][0]:
                    parts = [v for v in values if v]
                    if parts:
                        best[column] = (rank, name, parts)
            else:
                every.setdefault(column, []).append((rank, name, values))
    used: set[str] = set()
    for column, (_, name, parts) in best.items():
        out[column] = parts[0] if len(parts) == 1 else "; ".join(dict.fromkeys(parts))
        used.add(name)
    for column, found in every.items():
        found.sort(key=lambda item: item[0])
        parts = [v for _, _, values in found for v in values if v]
        used.update(name for _, name, _ in found)
        if parts:
            out[column] = spec.join_every.get(column, "; ").join(parts)
    if spec.pages:
        start_tag, end_tag = spec.pages
        start = (tags.get(start_tag) or [""])[0]
        end = (tags.get(end_tag) or [""])[0]
        if start and end and "-" not in start and start != end:
            out["pages"] = f"{start}-{end}"
        else:
            out["pages"] = start or end or na
        for name in spec.pages:
            if name in tags and len(tags[name]) == 1:
                used.add(name)
    if spec.doi:
        doi = None
        for name in spec.doi:
            for value in tags.get(name) or ():
                doi = normalise_doi(value)
                if doi:
                    if name in spec.doi_consumes and len(tags[name]) == 1:
                        used.add(name)
                    break
            if doi:
                break
        out["doi"] = doi if doi else na
    out["extra"] = {name: values[0] if len(values) == 1 else "; ".join(v for v in values if v)
                    for name, values in tags.items() if name not in used}
    return out


def tagged_frame(records, aside: list[dict], outside: list, path, *,
                 spec: TagMap, columns, on_error: str, kind: str, fmt: str) -> pd.DataFrame:
    """The loaded frame of a tagged format (RIS, Web of Science) from its parsed records.

    ``records`` are :class:`~baby_room.evidence._tag_columns.TagEntries` or a list of
    ``{"line": n, "tags": {tag: [values]}}``. The canonical columns are computed
    column-wise (:func:`~baby_room.evidence._tag_columns.canonical_columns`, the same
    values as :func:`to_canonical` per record) with the line each record started on;
    lines outside records are warned about, malformed records set aside (or raised,
    ``on_error="raise"``) and the frame labelled with its source.
    """
    entries = records if isinstance(records, TagEntries) else TagEntries.from_records(records)
    found = canonical_columns(entries, spec)
    n = len(entries.record_line)
    data: dict = {}
    for column in columns:
        if column == "record_line":
            data[column] = pd.array(entries.record_line, dtype="Int64")
        elif column == "extra":
            data[column] = found["extra"]
        elif column in found:
            data[column] = pd.array(found[column], dtype="string")
        else:
            data[column] = pd.array([pd.NA] * n, dtype="string")
    frame = pd.DataFrame(data, columns=list(columns))
    warn_outside(path, outside)
    frame = set_aside(frame, path, aside, on_error)
    return finish(frame, path, kind, fmt=fmt)
