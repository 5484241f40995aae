"""Which unit a REFI-QDA file's selection positions count, decided per source.

The standard says ``startPosition``/``endPosition`` count characters; tools differ in
what a character is. QualCoder, ``qc`` and ATLAS.ti count Unicode code points; NVivo
(Windows and Mac) and MAXQDA count UTF-16 code units (an emoji counts 2) and a CRLF line
end as two. For each source every reading that differs on its text is tried: code
points or UTF-16 units, on the text as stored, with CRLF counted as one, and with a
lone LF counted as two. The reading kept is decided by evidence, strongest first:

1. *selections*: a reading under which a selection is impossible — it falls outside
   the text, ends inside a surrogate pair (UTF-16) or between the CR and LF of a line
   end — loses to one under which more selections are possible; then the reading that
   reproduces more selection texts stored in the file (``PlainTextSelection@name``)
   wins;
2. *unambiguous*: the remaining readings give the same spans for every selection of
   the source (no choice to make);
3. *tool*: the exporting tool named in ``Project@origin`` and the unit it writes;
4. *word_boundaries* (weak): the reading under which the most selection ends fall
   between words;
5. *default* (weak): the reading chosen for the most sources of the project, then the
   standard's code points.

The decision and its evidence are recorded per source (``sources["offset_unit"]``,
``sources["offset_evidence"]``), and a weak decision gives a warning.
"""

from __future__ import annotations

import numpy as np

#: Offset readings, in the standard's preference order: (name, UTF-16 units, CRLF rule).
INTERPRETATIONS = (
    ("code_points", False, None),
    ("utf16", True, None),
    ("code_points_crlf_as_1", False, "crlf1"),
    ("utf16_crlf_as_1", True, "crlf1"),
    ("code_points_lf_as_2", False, "lf2"),
    ("utf16_lf_as_2", True, "lf2"),
)
NAMES = tuple(n for n, *_ in INTERPRETATIONS)

#: Units each tool writes, by a word in ``Project@origin`` (lower case), best first.
TOOL_UNITS = (
    ("nvivo", ("utf16", "utf16_crlf_as_1")),
    ("maxqda", ("utf16", "utf16_crlf_as_1")),
    ("atlas", ("code_points",)),
    ("qualcoder", ("code_points",)),
    ("quirkos", ("code_points",)),
    ("qc", ("code_points",)),
)
WEAK = ("word_boundaries", "default")


def tool_units(origin) -> tuple[str | None, tuple[str, ...]]:
    """The tool named in ``Project@origin`` and the readings it writes, best first.

    Examples
    --------
    >>> tool_units("NVivo for Windows 12.6")
    ('nvivo', ('utf16', 'utf16_crlf_as_1'))
    >>> tool_units("qc 1.3"), tool_units(None)
    (('qc', ('code_points',)), (None, ()))
    """
    if not origin:
        return None, ()
    low = str(origin).lower()
    words = low.replace(".", " ").replace("-", " ").split()
    for tool, units in TOOL_UNITS:
        if (tool == "qc" and words and words[0] == "qc") or (tool != "qc" and tool in low):
            return tool, units
    return None, ()


class TextIndex:
    """Per-source arrays used to map offsets and score readings."""

    def __init__(self, text: str, max_raw: int | None = None):
        self.text = text
        self.full_n = len(text)
        # every reading counts a code point as 0 to 2 units and never two zeros in a row,
        # so positions up to max_raw lie within the first 2 * max_raw + 2 code points
        prefix = text if max_raw is None else text[:2 * max(int(max_raw), 0) + 2]
        cps = np.frombuffer(prefix.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        self.n = len(cps)
        self.astral = cps > 0xFFFF
        is_cr = cps == 13
        is_lf = cps == 10
        self.cr_before_lf = np.zeros(self.n, bool)
        if self.n > 1:
            self.cr_before_lf[:-1] = is_cr[:-1] & is_lf[1:]
        # split[p]: a cut at code point p falls between the CR and LF of a line end
        self.split = np.r_[False, self.cr_before_lf]
        self.lone_lf = is_lf.copy()
        if self.n > 1:
            self.lone_lf[1:] &= ~is_cr[:-1]
        self._bounds = {}

    def variants(self):
        """Readings that give different widths on this text."""
        seen, out = set(), []
        for name, utf16, crlf in INTERPRETATIONS:
            key = (bool(utf16 and self.astral.any()),
                   crlf if (crlf == "crlf1" and self.cr_before_lf.any())
                   or (crlf == "lf2" and self.lone_lf.any()) else None)
            if key in seen:
                continue
            seen.add(key)
            out.append((name, utf16, crlf))
        return out

    def bounds(self, utf16: bool, crlf) -> np.ndarray:
        k = (utf16, crlf)
        if k not in self._bounds:
            w = np.ones(self.n, np.int64)
            if utf16:
                w += self.astral
            if crlf == "crlf1":
                w[self.cr_before_lf] = 0
            elif crlf == "lf2":
                w[self.lone_lf] = 2
            b = np.zeros(self.n + 1, np.int64)
            np.cumsum(w, out=b[1:])
            self._bounds[k] = b
        return self._bounds[k]

    def map(self, raw: np.ndarray, utf16: bool, crlf):
        """Raw offsets -> (code-point indices, possible mask)."""
        b = self.bounds(utf16, crlf)
        idx = np.searchsorted(b, raw, side="left")
        inside = (raw >= 0) & (idx <= self.n)
        safe = np.minimum(idx, self.n)
        valid = inside & (b[safe] == raw)
        if crlf != "crlf1":
            valid &= ~self.split[safe]
        return safe, valid

    def at_boundary(self, pos: np.ndarray) -> np.ndarray:
        """True where a cut at ``pos`` does not split a word."""
        text, n = self.text, self.full_n
        return np.fromiter(
            (not (0 < p < n and text[p - 1].isalnum() and text[p].isalnum()) for p in pos),
            dtype=bool, count=len(pos))


def _norm_ws(text: str) -> str:
    return " ".join(text.split())


def score(index: TextIndex, raw_s, raw_e, names, utf16, crlf):
    """(possible, stored-text matches, word-boundary ends), starts, ends, possible mask."""
    s, vs = index.map(raw_s, utf16, crlf)
    e, ve = index.map(raw_e, utf16, crlf)
    valid = vs & ve & (s <= e)
    n_match = 0
    text = index.text
    for i in np.flatnonzero(valid & (names != "")):
        stored = names[i]
        got = _norm_ws(text[s[i]:e[i]])
        if got == stored or (len(stored) >= 8 and got.startswith(stored.rstrip(".…").rstrip())):
            n_match += 1
    return Score(index, s, e, valid, n_match), s, e, valid


class Score:
    """(possible selections, stored texts matched, ends on word boundaries); the last is
    computed only when a decision needs it (it looks at every selection end)."""

    def __init__(self, index, s, e, valid, n_match):
        self._args = (index, s, e, valid)
        self._values = [int(valid.sum()), n_match, None]

    def __getitem__(self, k):
        if k == 2 and self._values[2] is None:
            index, s, e, valid = self._args
            s, e = s[valid], e[valid]
            self._values[2] = int(index.at_boundary(s).sum() + index.at_boundary(e).sum())
        return self._values[k]

    def __iter__(self):
        return iter(self[k] for k in range(3))


def read_source(text: str, raw_s, raw_e, names, whole) -> dict:
    """Every distinct reading of one source's selections: name -> (score, s, e, valid).

    ``whole`` marks codings of the whole source (no positions): span 0..len in all.
    """
    raw = np.concatenate([raw_s[~whole], raw_e[~whole]])
    index = TextIndex(text, int(raw.max()) if len(raw) else 0)
    out = {}
    n = len(raw_s)
    for name, utf16, crlf in index.variants():
        sc, s, e, valid = score(index, raw_s[~whole], raw_e[~whole], names[~whole], utf16, crlf)
        s_all = np.zeros(n, np.int64)
        e_all = np.full(n, index.full_n, np.int64)
        v_all = np.ones(n, bool)
        s_all[~whole], e_all[~whole], v_all[~whole] = s, e, valid
        out[name] = (sc, s_all, e_all, v_all)
    return out


def _same(a, b) -> bool:
    return (np.array_equal(a[3], b[3]) and np.array_equal(a[1][a[3]], b[1][b[3]])
            and np.array_equal(a[2][a[3]], b[2][b[3]]))


def choose(results: dict, prior: tuple[str, ...], project_rank) -> tuple[str, str]:
    """(reading, evidence) for one source; see the module notes for the order."""
    cands = list(results)
    for k in (0, 1):  # possible selections, then stored selection texts
        best = max(results[c][0][k] for c in cands)
        cands = [c for c in cands if results[c][0][k] == best]
    narrowed = len(cands) < len(results)
    pick_order = [*prior, *NAMES]
    if all(_same(results[cands[0]], results[c]) for c in cands[1:]):
        first = min(cands, key=pick_order.index)
        return first, "selections" if narrowed else "unambiguous"
    for p in prior:
        if p in cands:
            return p, "tool"
    best = max(results[c][0][2] for c in cands)
    top = [c for c in cands if results[c][0][2] == best]
    if len(top) == 1:
        return top[0], "word_boundaries"
    rank = project_rank()
    return min(top, key=lambda c: (rank.get(c, 99), NAMES.index(c))), "default"


def project_ranking(all_results: list[dict]) -> dict:
    """Readings ranked by their scores summed over the project's sources (0 = best)."""
    totals: dict[str, np.ndarray] = {}
    for results in all_results:
        for name, (sc, *_rest) in results.items():
            totals[name] = totals.get(name, np.zeros(3, np.int64)) + np.array(list(sc))
    order = sorted(NAMES, key=lambda n: (tuple(-totals.get(n, np.zeros(3))), NAMES.index(n)))
    return {n: i for i, n in enumerate(order)}
