"""Tagged records as columns: the canonical columns of a whole file in a few array passes.

A tagged file (RIS, Web of Science, MEDLINE) is held as *entries*, one per tag line:
the record it belongs to, its tag and its value, records contiguous and each record's
entries in file order (:class:`TagEntries`). :func:`canonical_columns` computes, per
distinct tag rather than per record, exactly what
:func:`baby_room.evidence.tagged.to_canonical` computes record by record (the
test suite checks the two agree on random records): repeated values are joined with
``pyarrow.compute.binary_join`` over list arrays, the preferred tag of a column is chosen
with boolean masks, DOIs are normalised column-wise (:func:`normalise_doi_column`) and
only the tags left over are turned into the per-record ``extra`` dicts.

Private to :mod:`baby_room.evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from baby_room.evidence._bibcommon import normalise_doi

_TEXT = pa.large_string()

# a DOI that normalise_doi would return lower-cased and otherwise unchanged: printable
# ASCII without "%" or spaces, no prefix, no trailing punctuation or closing parenthesis
_LAST = "".join(c if c.isalnum() else "\\" + c for c in map(chr, range(0x21, 0x7F))
                if c not in "%.,;:'\"]>})")
_CLEAN_DOI = rf"^10\.[0-9]+(?:\.[0-9]+)*/[!-$&-~]*[{_LAST}]$"


@dataclass
class TagEntries:
    """The tag lines of a file: ``record_line`` (n records, 1-based line of each record),
    ``rec`` (record index of each entry, ascending), ``tag`` and ``value`` (text arrays).

    Examples
    --------
    >>> e = TagEntries.from_records([{"line": 1, "tags": {"TY": ["JOUR"], "AU": ["A", "B"]}}])
    >>> e.rec.tolist(), e.tag.to_pylist(), e.value.to_pylist()
    ([0, 0, 0], ['TY', 'AU', 'AU'], ['JOUR', 'A', 'B'])
    """

    record_line: np.ndarray
    rec: np.ndarray
    tag: pa.Array
    value: pa.Array

    @classmethod
    def from_records(cls, records: list[dict]) -> TagEntries:
        """Entries of records ``{"line": n, "tags": {tag: [values]}}`` (in that order)."""
        recs: list[int] = []
        tags: list[str] = []
        values: list[str] = []
        for k, record in enumerate(records):
            for tag, vals in record["tags"].items():
                recs.extend([k] * len(vals))
                tags.extend([tag] * len(vals))
                values.extend(vals)
        return cls(np.array([r["line"] for r in records], dtype=np.int64),
                   np.array(recs, dtype=np.int64), pa.array(tags, _TEXT),
                   pa.array(values, _TEXT))

    def to_records(self) -> list[dict]:
        """The entries as records ``{"line": n, "tags": {tag: [values]}}``."""
        records = [{"line": line, "tags": {}} for line in self.record_line.tolist()]
        for r, tag, value in zip(self.rec.tolist(), self.tag.to_pylist(),
                                 self.value.to_pylist(), strict=True):
            records[r]["tags"].setdefault(tag, []).append(value)
        return records

    @classmethod
    def concat(cls, parts: list[TagEntries]) -> TagEntries:
        """Entries of several parts, records in order of their line (each part's records
        already in line order)."""
        parts = [p for p in parts if len(p.record_line)]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls.from_records([])
        lines = np.concatenate([p.record_line for p in parts])
        offsets = np.cumsum([0] + [len(p.record_line) for p in parts[:-1]])
        recs = np.concatenate([p.rec + off for p, off in zip(parts, offsets, strict=True)])
        order = np.argsort(lines, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        recs = rank[recs]
        entry_order = np.argsort(recs, kind="stable")
        tag = pa.concat_arrays([p.tag.cast(_TEXT) for p in parts]).take(entry_order)
        value = pa.concat_arrays([p.value.cast(_TEXT) for p in parts]).take(entry_order)
        return cls(lines[order], recs[entry_order], tag, value)


def normalise_doi_column(values: pa.Array) -> pa.Array:
    """:func:`~baby_room.evidence._bibcommon.normalise_doi` of every value, null where a
    value holds no DOI.

    A value that is already a bare DOI (``10.<digits>/<printable ASCII>``, nothing to
    strip) is only lower-cased, in one vectorised pass; the rest are normalised one
    distinct value at a time.

    Examples
    --------
    >>> normalise_doi_column(pa.array(["10.1/ABC", "doi: 10.2/x.", "none"])).to_pylist()
    ['10.1/abc', '10.2/x', None]
    """
    values = values.cast(_TEXT)
    clean = pc.fill_null(pc.match_substring_regex(values, _CLEAN_DOI), False)
    out = pc.if_else(clean, pc.ascii_lower(values), pa.nulls(len(values), _TEXT))
    rest = np.flatnonzero(~clean.to_numpy(zero_copy_only=False)
                          & ~pc.is_null(values).to_numpy(zero_copy_only=False))
    if len(rest):
        raw = values.take(pa.array(rest))
        codes, uniques = pd.factorize(np.asarray(raw.to_pylist(), dtype=object))
        done = np.asarray([normalise_doi(u) for u in uniques], dtype=object)[codes]
        mask = np.zeros(len(values), dtype=bool)
        mask[rest] = True
        out = pc.replace_with_mask(out, pa.array(mask), pa.array(done.tolist(), _TEXT))
    return out


class _Tag:
    """One tag's entries laid out per record (counts, first value, joined values)."""

    def __init__(self, n: int, idx: np.ndarray, rec: np.ndarray, value: pa.Array):
        self.n = n
        self.idx = idx  # entry positions, by record then file order
        self.rec = rec
        self.value = value
        self.count = np.bincount(rec, minlength=n)
        self.present = self.count > 0
        self.single = bool((self.count <= 1).all())
        self._first = None
        self._nonempty = None

    def first_index(self) -> np.ndarray:
        """Position in this tag's entries of each present record's first value."""
        return np.concatenate([[0], np.cumsum(self.count)[:-1]])[self.present]

    def first(self) -> pa.Array:
        """The first value of each record ("" where absent)."""
        if self._first is None:
            if self.single and self.present.all():
                self._first = self.value
            else:
                firsts = self.value.take(pa.array(self.first_index()))
                mask = pa.array(self.present)
                self._first = pc.replace_with_mask(
                    pa.array([""] * self.n, _TEXT) if self.n else pa.array([], _TEXT),
                    mask, firsts)
        return self._first

    def nonempty(self) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """``(records, values, count per record)`` of the non-blank values."""
        if self._nonempty is None:
            keep = pc.not_equal(self.value, "").to_numpy(zero_copy_only=False)
            if keep.all():
                self._nonempty = (self.rec, self.value, self.count)
            else:
                rec = self.rec[keep]
                self._nonempty = (rec, self.value.filter(pa.array(keep)),
                                  np.bincount(rec, minlength=self.n))
        return self._nonempty

    def joined(self, sep: str, *, unique: bool = False) -> pa.Array:
        """Non-blank values of each record joined with ``sep`` (null where none);
        ``unique`` keeps the first of repeated values."""
        _, values, count = self.nonempty()
        return _join(values, count, sep, unique=unique)


def _join(values: pa.Array, count: np.ndarray, sep: str, *, unique: bool = False) -> pa.Array:
    """``values`` (grouped by record, ``count`` per record) joined with ``sep`` per record,
    null where a record has none; ``unique`` keeps the first of repeated values."""
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    out = pc.binary_join(lists, pa.scalar(sep, _TEXT))
    if unique and (count > 1).any():
        many = np.flatnonzero(count > 1)
        parts = lists.take(pa.array(many)).to_pylist()
        deduped = [sep.join(dict.fromkeys(p)) for p in parts]
        mask = np.zeros(len(count), dtype=bool)
        mask[many] = True
        out = pc.replace_with_mask(out, pa.array(mask), pa.array(deduped, _TEXT))
    return pc.if_else(pa.array(count > 0), out, pa.nulls(len(count), _TEXT))


def canonical_columns(entries: TagEntries, spec) -> dict:
    """The columns :func:`~baby_room.evidence.tagged.to_canonical` gives record by record:
    ``{column: pyarrow text array}`` for the canonical columns of ``spec``, ``"pages"``
    and ``"doi"`` where the map has them, and ``"extra"`` (a list of dicts).

    Examples
    --------
    >>> from baby_room.evidence.tagged import TagMap
    >>> spec = TagMap(first={"title": ("TI", "T1")}, every={"authors": ("AU",)},
    ...               doi=("DO",), doi_consumes=("DO",))
    >>> e = TagEntries.from_records([{"line": 1, "tags": {"T1": ["X"], "AU": ["A", "B"],
    ...                              "DO": ["doi:10.1/Y"], "N1": ["note"]}}])
    >>> cols = canonical_columns(e, spec)
    >>> [cols[c].to_pylist() for c in ("title", "authors", "doi")], cols["extra"]
    ([['X'], ['A; B'], ['10.1/y']], [{'N1': 'note'}])
    """
    n = len(entries.record_line)
    codes_arr = pc.dictionary_encode(entries.tag)
    names = codes_arr.dictionary.to_pylist()
    codes = codes_arr.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    order = np.lexsort((entries.rec, codes))
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    grouped = entries.value.take(pa.array(order))  # one copy; each tag is a slice of it
    by_name: dict[str, _Tag] = {}
    for k, name in enumerate(names):
        start, stop = int(bounds[k]), int(bounds[k + 1])
        idx = order[start:stop]
        by_name[name] = _Tag(n, idx, entries.rec[idx], grouped.slice(start, stop - start))
    used = {name: np.zeros(n, dtype=bool) for name in names}
    nulls = pa.nulls(n, _TEXT)
    out: dict = {}

    for column, tags in spec.first.items():
        result, chosen = nulls, np.zeros(n, dtype=bool)
        for name in tags:
            tag = by_name.get(name)
            if tag is None:
                continue
            take = ~chosen & (tag.nonempty()[2] > 0)
            if take.any():
                result = pc.if_else(pa.array(take), tag.joined("; ", unique=True), result)
                chosen |= take
                used[name] |= take
        out[column] = result
    for column, tags in spec.every.items():
        sep = spec.join_every.get(column, "; ")
        found = [(rank, by_name[name]) for rank, name in enumerate(tags) if name in by_name]
        for rank, tag in found:
            used[tags[rank]] |= tag.present
        if not found:
            out[column] = nulls
        elif len(found) == 1:
            out[column] = found[0][1].joined(sep)
        else:  # every tag's values, by rank, then in file order
            recs = np.concatenate([tag.nonempty()[0] for _, tag in found])
            ranks = np.concatenate([np.full(len(tag.nonempty()[0]), rank) for rank, tag in found])
            order = np.lexsort((ranks, recs))
            values = pa.concat_arrays([tag.nonempty()[1] for _, tag in found]).take(
                pa.array(order))
            out[column] = _join(values, np.bincount(recs, minlength=n), sep)
    if spec.pages:
        out["pages"] = _pages(by_name, spec.pages, used, n)
    if spec.doi:
        out["doi"] = _doi(by_name, spec, used, n)
    out["extra"] = _extra(by_name, used, n)
    return out


def _pages(by_name: dict, pages: tuple, used: dict, n: int) -> pa.Array:
    """``start-end`` from the first start and end page values (see ``to_canonical``)."""
    empty = pa.array([""] * n, _TEXT) if n else pa.array([], _TEXT)
    start_tag, end_tag = (by_name.get(name) for name in pages)
    start = start_tag.first() if start_tag else empty
    end = end_tag.first() if end_tag else empty
    for name, tag in zip(pages, (start_tag, end_tag), strict=True):
        if tag is not None:
            used[name] |= tag.count == 1
    both = pc.and_(pc.and_(pc.not_equal(start, ""), pc.not_equal(end, "")),
                   pc.and_(pc.invert(pc.match_substring(start, "-")), pc.not_equal(start, end)))
    either = pc.if_else(pc.not_equal(start, ""), start, end)
    either = pc.if_else(pc.equal(either, ""), pa.nulls(n, _TEXT), either)
    return pc.if_else(both, pc.binary_join_element_wise(start, end, pa.scalar("-", _TEXT)), either)


def _doi(by_name: dict, spec, used: dict, n: int) -> pa.Array:
    """The first valid DOI over the map's DOI tags, each tag's values in file order."""
    result, chosen = pa.nulls(n, _TEXT), np.zeros(n, dtype=bool)
    for name in spec.doi:
        tag = by_name.get(name)
        if tag is None:
            continue
        dois = normalise_doi_column(tag.value)
        valid = pc.is_valid(dois).to_numpy(zero_copy_only=False)
        recs = tag.rec[valid]
        first_recs, first_at = np.unique(recs, return_index=True)
        take = np.zeros(n, dtype=bool)
        take[first_recs] = True
        take &= ~chosen
        if not take.any():
            continue
        picked = dois.filter(pa.array(valid)).take(pa.array(first_at))
        has = np.zeros(n, dtype=bool)
        has[first_recs] = True
        spread = pc.replace_with_mask(pa.nulls(n, _TEXT), pa.array(has), picked)
        result = pc.if_else(pa.array(take), spread, result)
        chosen |= take
        if name in spec.doi_consumes:
            used[name] |= take & (tag.count == 1)
    return result


def _extra(by_name: dict, used: dict, n: int) -> list[dict]:
    """Per record, ``{tag: value}`` of the tags no column used, in order of first
    appearance: a single value as it is, repeated ones ``"; "``-joined (blanks dropped)."""
    positions, recs, names, values = [], [], [], []
    for name, tag in by_name.items():
        left = tag.present & ~used[name]
        if not left.any():
            continue
        if tag.single:
            val = tag.first()
        else:
            val = pc.if_else(pa.array(tag.count == 1), tag.first(),
                             pc.fill_null(tag.joined("; "), ""))
        where = np.flatnonzero(left)
        first_at = tag.idx[tag.first_index()]
        pos = np.empty(n, dtype=np.int64)
        pos[tag.present] = first_at
        positions.append(pos[where])
        recs.append(where)
        names.extend([name] * len(where))
        values.extend(val.take(pa.array(where)).to_pylist())
    extras: list[dict] = [{} for _ in range(n)]
    if positions:
        pos = np.concatenate(positions)
        order = np.argsort(pos, kind="stable")
        rec_list = np.concatenate(recs)[order].tolist()
        for r, k in zip(rec_list, order.tolist(), strict=True):
            extras[r][names[k]] = values[k]
    return extras
