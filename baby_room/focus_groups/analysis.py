"""Analyses of focus-group coding: code frequencies, co-occurrence, saturation, quotes.

Every function takes the canonical long-format coding frame (one row per coded
segment per coder, see :data:`baby_room.codebook.CODING`) and returns one tidy
DataFrame. Summary tables never contain segment text or speaker pseudonyms;
:func:`export_quotes` is the only function that returns text, and it
pseudonymises speakers by default.

Units of counting
-----------------
``unit`` says what is counted, always as *distinct units in which a code occurs*
(a code applied three times in one focus group counts once at ``unit="group"``):

============  ===========================================  ==========================
unit          one unit is                                  identified by
============  ===========================================  ==========================
segment       a coded segment                              ``segment_id``
speaker       a participant (pseudonym within a group)     ``group_id`` + ``speaker``
group         a focus group (transcript)                   ``group_id``
conference    one of the six conferences                   ``conference``
============  ===========================================  ==========================

When a segment was coded by two coders, a unit "has" a code when at least one of
the included coders applied it (pass ``coders=`` to count one coder's coding only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from baby_room._args import as_columns, check_frame, one_of
from baby_room.errors import ArgumentError
from baby_room.focus_groups._common import (
    LEVELS,
    UNIT_KEYS,
    check_codebook,
    code_order,
    conference_order,
    finish,
    merge_intervals,
    natural_key,
    positions,
    refuse_personal,
    require_columns,
    select_coders,
    theme_of,
    with_theme,
)

#: What ``n`` counts, per ``unit`` (``attrs["unit"]`` of a result).
_UNIT_WORDS = {"segment": "segments", "speaker": "speakers", "group": "groups",
               "conference": "conferences"}


# --------------------------------------------------------------------------- summaries


def coding_summary(data: pd.DataFrame, *, by: str | Sequence[str] | None = "conference"):
    """Count focus groups, participants, segments and codings, overall or by a column.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    by : str or list of str or None, default "conference"
        Column(s) to break the counts down by (``None``: one row for all data).
        ``speaker`` and ``text`` are refused (personal data).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then

        * ``n_groups`` - distinct focus groups (``group_id``);
        * ``n_participants`` - distinct speakers, a speaker being a pseudonym within
          a focus group (``group_id`` + ``speaker``; rows without a speaker are not
          counted); missing when the data has no ``speaker`` column;
        * ``n_segments`` - distinct coded segments;
        * ``n_double_coded`` - segments coded by two or more coders;
        * ``n_codings`` - rows (code applications, all coders);
        * ``n_coders`` - distinct coders.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.analysis import coding_summary
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s1", "s2", "s3"], "conference": ["London"] * 3 + ["York"],
    ...     "group_id": ["LON-1", "LON-1", "LON-1", "YOR-1"], "speaker": ["Ann", "Ann", "Bo", "Cy"],
    ...     "code": ["ratio", "ratio", "noise", "noise"], "coder": ["A", "B", "A", "A"]})
    >>> coding_summary(coding)[["conference", "n_groups", "n_participants", "n_double_coded"]]
      conference  n_groups  n_participants  n_double_coded
    0     London         1               2               1
    1       York         1               1               0
    """
    func = "coding_summary"
    coding = check_frame(data, function=func)
    by_cols = as_columns(by, function=func, parameter="by")
    refuse_personal(by_cols, func)
    require_columns(coding, ["segment_id", "group_id", "coder", *by_cols], func)
    df = coding.assign(_all=0)
    keys = by_cols or ["_all"]
    g = df.groupby(keys, observed=True, sort=True)
    coders_per_segment = df.groupby([*keys, "segment_id"], observed=True)["coder"].nunique()
    out = pd.DataFrame(
        {
            "n_groups": g["group_id"].nunique(),
            "n_segments": g["segment_id"].nunique(),
            "n_double_coded": (coders_per_segment >= 2).groupby(level=keys, observed=True).sum(),
            "n_codings": g.size(),
            "n_coders": g["coder"].nunique(),
        }
    )
    if "speaker" in df.columns:
        speakers = df.dropna(subset=["speaker"]).drop_duplicates([*keys, "group_id", "speaker"])
        out.insert(1, "n_participants", speakers.groupby(keys, observed=True).size())
        out["n_participants"] = out["n_participants"].fillna(0).astype("int64")
    else:
        out.insert(1, "n_participants", pd.array([pd.NA] * len(out), dtype="Int64"))
    out = out.reset_index()
    if not by_cols:
        out = out.drop(columns="_all")
    for c in ("n_groups", "n_segments", "n_double_coded", "n_codings", "n_coders"):
        out[c] = out[c].astype("int64")
    return finish(out, coding)


# --------------------------------------------------------------------------- frequencies


def code_frequencies(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    unit: str = "segment",
    level: str = "code",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Count the distinct units in which each code (or theme) occurs, with percentages.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    by : str or list of str, optional
        Column(s) to cross the codes with, typically ``"role"`` or ``"conference"``.
        ``speaker`` and ``text`` are refused (personal data). Rows whose ``by`` value
        is missing (a speaker of unknown role) belong to no group and are left out.
    unit : {"segment", "speaker", "group", "conference"}, default "segment"
        What is counted (see the module docstring): a code applied twice in the same
        unit counts once. Rows missing a unit key (no speaker, for ``"speaker"``) are
        left out.
    level : {"code", "theme"}, default "code"
        ``"theme"`` rolls codes up through the hierarchy: a unit has a theme when any
        code of that theme occurs in it (so a theme's count is not the sum of its
        codes' counts).
    coders : str or list of str, optional
        Count only these coders' coding (default: a unit has a code when any coder
        applied it).
    codebook : pandas.DataFrame, optional
        Codebook (theme, code, definition): gives the code order and themes, and adds
        rows with zero counts for codes nobody applied.

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` group x code (all combinations, zeros included):

        * the ``by`` columns; ``theme`` and (at ``level="code"``) ``code``;
        * ``n`` - distinct units in the ``by`` group with any coding (the unweighted
          base of ``share``);
        * ``count`` - distinct units in the ``by`` group in which the code occurs;
        * ``share`` - ``count / n`` (0-1): proportion of the group's units with the code;
        * ``row_share`` - ``count / sum(count over by groups)`` (0-1): how one code's
          occurrences split across the ``by`` groups (NaN for a code never applied);
        * ``col_share`` - ``count / sum(count over codes)`` (0-1): the code's share of
          all code occurrences within the ``by`` group.

        ``attrs["unit"]`` says what ``n`` and ``count`` count.

        ``attrs`` (source, synthetic) are carried over from ``coding``.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.analysis import code_frequencies
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s1", "s2", "s3"], "conference": ["London"] * 3 + ["York"],
    ...     "group_id": ["LON-1", "LON-1", "LON-1", "YOR-1"],
    ...     "role": ["educator", "educator", "manager", "educator"],
    ...     "theme": ["staffing", "status", "staffing", "staffing"],
    ...     "code": ["ratio", "valued", "ratio", "ratio"], "coder": "A"})
    >>> code_frequencies(coding, by="role")[["role", "code", "n", "count", "row_share"]]
           role    code  n  count  row_share
    0  educator   ratio  2      2   0.666667
    1  educator  valued  2      1   1.000000
    2   manager   ratio  1      1   0.333333
    3   manager  valued  1      0   0.000000
    """
    func = "code_frequencies"
    coding = check_frame(data, function=func)
    codebook = check_codebook(codebook, func)
    unit = one_of(unit, tuple(UNIT_KEYS), function=func, parameter="unit")
    level = one_of(level, LEVELS, function=func, parameter="level")
    by_cols = as_columns(by, function=func, parameter="by")
    refuse_personal(by_cols, func)
    keys = list(UNIT_KEYS[unit])
    require_columns(coding, ["segment_id", "code", "coder", *keys, *by_cols], func)
    df = select_coders(coding, coders, func)
    if level == "theme" or codebook is not None:
        df = with_theme(df, codebook, func)
    item = level
    df = df.dropna(subset=[*keys, item])
    df = df.assign(**{item: df[item].astype(str)})
    group_cols = by_cols or ["_all"]
    df = df.assign(_all=0)

    items = code_order(df if codebook is None else coding, codebook, level)
    if codebook is None:
        present = set(df[item].astype(str))  # once, not once per item
        items = [i for i in items if i in present]

    units = df.drop_duplicates([*group_cols, *keys])
    n = units.groupby(group_cols, observed=True, sort=True).size().rename("n")
    occ = df.drop_duplicates([*group_cols, *keys, item])
    counts = occ.groupby([*group_cols, item], observed=True).size()

    counts = counts.rename("count").reset_index()
    counts[item] = counts[item].astype(object)
    grid = n.reset_index()[group_cols].merge(
        pd.DataFrame({item: pd.Series(items, dtype=object)}), how="cross")
    out = grid.merge(counts, on=[*group_cols, item], how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    out = out.merge(n.reset_index(), on=group_cols, how="left")
    out["share"] = out["count"] / out["n"]
    code_tot = out.groupby(item, sort=False)["count"].transform("sum")
    grp_tot = out.groupby(group_cols, sort=False, observed=True)["count"].transform("sum")
    out["row_share"] = (out["count"] / code_tot.where(code_tot > 0)).astype("float64")
    out["col_share"] = (out["count"] / grp_tot.where(grp_tot > 0)).astype("float64")
    if level == "code" and "theme" in df.columns:
        mapping = theme_of(df, codebook)
        out.insert(len(group_cols), "theme", out["code"].map(mapping).astype("string"))
    out[item] = out[item].astype("string")
    if not by_cols:
        out = out.drop(columns="_all")
    else:
        for c in by_cols:
            if isinstance(out[c].dtype, pd.CategoricalDtype):
                out[c] = out[c].cat.remove_unused_categories()
    front = [*by_cols, *(["theme"] if "theme" in out.columns and item == "code" else []), item]
    out = out[[*front, "n", "count", "share", "row_share", "col_share"]].reset_index(drop=True)
    out = finish(out, coding)
    out.attrs["unit"] = _UNIT_WORDS[unit]
    return out


# --------------------------------------------------------------------------- co-occurrence


def _presence_long(df: pd.DataFrame, keys: list[str], item: str) -> pd.DataFrame:
    """Distinct (unit, coder, item) rows."""
    return df.drop_duplicates([*keys, "coder", item])[[*keys, "coder", item]]


def code_cooccurrence(
    data: pd.DataFrame,
    *,
    within: str = "segment",
    level: str = "code",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Count how often two codes occur together, with the Jaccard index.

    Co-occurrence is always judged *within one coder's coding*: a coder applying
    code X and another coder applying code Y to the same segment is a disagreement
    (see :func:`~baby_room.focus_groups.agreement.intercoder_agreement`), not a
    co-occurrence.

    Definitions of "together", per ``within``:

    ``"segment"``
        X and Y co-occur in a segment when one coder applied both to that
        ``segment_id``. ``count`` = segments where this happened (for at least one
        coder); ``n_1`` = segments where any coder applied X.
    ``"speaker"``, ``"group"``
        The same with the unit a participant (``group_id`` + ``speaker``) or a focus
        group: one coder applied X and Y somewhere in the unit, not necessarily to
        the same passage.
    ``"overlap"``
        Positional data: two codings (rows) co-occur when they belong to the same
        ``group_id`` and coder and their half-open character ranges ``[start, end)``
        intersect, i.e. ``start_1 < end_2`` and ``start_2 < end_1`` (touching ranges,
        ``end_1 == start_2``, do not overlap). ``count`` = number of such pairs of
        codings. The Jaccard index is computed on characters: characters covered by
        both codes / characters covered by either (per coder and transcript, summed),
        and ``n_1``, ``n_2`` are the characters covered by X and by Y.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format (``start``/``end`` needed for
        ``within="overlap"``).
    within : {"segment", "overlap", "speaker", "group"}, default "segment"
        Definition of co-occurrence (above).
    level : {"code", "theme"}, default "code"
        Co-occurrence of codes, or of themes (a unit has a theme when any of its codes
        occurs).
    coders : str or list of str, optional
        Use only these coders' coding.
    codebook : pandas.DataFrame, optional
        Gives the order of codes and includes codes nobody applied (zero rows).

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of codes (the full square, diagonal included, so
        ``pivot(index="code_1", columns="code_2")`` gives the matrix):

        * ``code_1``, ``code_2`` (``theme_1``, ``theme_2`` at ``level="theme"``);
        * ``n`` - units with any coding (characters coded for ``"overlap"``), the same
          on every row; ``attrs["unit"]`` names the unit;
        * ``count`` - units (pairs of codings for ``"overlap"``) in which both occur;
          on the diagonal, the units in which the code occurs;
        * ``n_1``, ``n_2`` - units (characters for ``"overlap"``) with code 1, code 2;
        * ``jaccard`` - ``|X and Y| / |X or Y|`` = ``count / (n_1 + n_2 - count)``
          (character-based for ``"overlap"``); 1 on the diagonal, NaN when neither code
          occurs.

    References
    ----------
    Jaccard, P. (1912). The distribution of the flora in the alpine zone.
    *New Phytologist* 11(2), 37-50.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.analysis import code_cooccurrence
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s1", "s2", "s3"], "conference": "London",
    ...     "group_id": "LON-1", "code": ["noise", "ratio", "ratio", "noise"], "coder": "A"})
    >>> co = code_cooccurrence(coding)
    >>> co.query("code_1 == 'noise' and code_2 == 'ratio'")[["count", "n_1", "n_2", "jaccard"]]
       count  n_1  n_2  jaccard
    1      1    2    2  0.33...
    """
    func = "code_cooccurrence"
    coding = check_frame(data, function=func)
    codebook = check_codebook(codebook, func)
    within = one_of(within, ("segment", "overlap", "speaker", "group"), function=func, parameter="within")
    level = one_of(level, LEVELS, function=func, parameter="level")
    keys = {"segment": ["segment_id"], "speaker": ["group_id", "speaker"],
            "group": ["group_id"], "overlap": ["group_id"]}[within]
    needed = ["segment_id", "code", "coder", *keys]
    if within == "overlap":
        needed += ["start", "end"]
    require_columns(coding, needed, func, f" with within={within!r}")
    df = select_coders(coding, coders, func)
    if level == "theme" or codebook is not None:
        df = with_theme(df, codebook, func)
    item = level
    df = df.dropna(subset=[*keys, item])
    items = code_order(df if codebook is None else coding, codebook, level)
    if codebook is None:
        present = set(df[item].astype(str))
        items = [i for i in items if i in present]
    df = df.assign(**{item: df[item].astype(str), "coder": df["coder"].astype(str)})

    if within == "overlap":
        counts, n_item, inter, n_total = _overlap_counts(df, item)
    else:
        long = _presence_long(df, keys, item)
        n_total = len(long.drop_duplicates(keys))
        n_item = long.drop_duplicates([*keys, item]).groupby(item).size()
        pairs = long.merge(long, on=[*keys, "coder"], suffixes=("_1", "_2"))
        pairs = pairs[pairs[f"{item}_1"] != pairs[f"{item}_2"]]
        pairs = pairs.drop_duplicates([*keys, f"{item}_1", f"{item}_2"])
        counts = pairs.groupby([f"{item}_1", f"{item}_2"]).size()
        inter = counts

    idx = pd.MultiIndex.from_product([items, items], names=[f"{item}_1", f"{item}_2"])
    out = pd.DataFrame(index=idx).reset_index()
    cnt = counts.reindex(idx, fill_value=0).to_numpy()
    n1 = n_item.reindex(out[f"{item}_1"], fill_value=0).to_numpy()
    n2 = n_item.reindex(out[f"{item}_2"], fill_value=0).to_numpy()
    both = inter.reindex(idx, fill_value=0).to_numpy()
    diag = (out[f"{item}_1"] == out[f"{item}_2"]).to_numpy()
    cnt = np.where(diag, _diag_count(df, item, within, keys, n_item, out), cnt)
    both = np.where(diag, n1, both)
    union = n1 + n2 - both
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, both / np.where(union > 0, union, 1), np.nan)
    out["n"] = np.full(len(out), int(n_total), dtype="int64")
    out["count"] = cnt.astype("int64")
    out["n_1"] = n1.astype("int64")
    out["n_2"] = n2.astype("int64")
    out["jaccard"] = jac.astype("float64")
    for c in (f"{item}_1", f"{item}_2"):
        out[c] = out[c].astype("string")
    unit = {"segment": "segments", "speaker": "speakers", "group": "groups",
            "overlap": "characters"}[within]
    return finish(out, coding, unit=unit)


def _diag_count(df, item, within, keys, n_item, out):
    if within != "overlap":
        return n_item.reindex(out[f"{item}_1"], fill_value=0).to_numpy()
    # number of codings (rows, one per coder/segment/item) of the code
    rows = df.drop_duplicates(["group_id", "coder", "segment_id", item, "start", "end"])
    return rows.groupby(item).size().reindex(out[f"{item}_1"], fill_value=0).to_numpy()


def _overlap_counts(df: pd.DataFrame, item: str):
    df = positions(df, "code_cooccurrence(within='overlap')")
    rows = df.drop_duplicates(["group_id", "coder", "segment_id", item, "start", "end"])
    rows = rows[["group_id", "coder", item, "start", "end"]].reset_index(drop=True)
    rows["_row"] = np.arange(len(rows))
    pairs = rows.merge(rows, on=["group_id", "coder"], suffixes=("_1", "_2"))
    pairs = pairs[
        (pairs["_row_1"] != pairs["_row_2"])
        & (pairs[f"{item}_1"] != pairs[f"{item}_2"])
        & (pairs["start_1"] < pairs["end_2"])
        & (pairs["start_2"] < pairs["end_1"])
    ]
    counts = pairs.groupby([f"{item}_1", f"{item}_2"]).size()
    # character coverage per (group, coder, item): merged intervals
    cover = merge_intervals(rows[["group_id", "coder", item, "start", "end"]],
                             ["group_id", "coder", item])
    cover["len"] = cover["end"] - cover["start"]
    n_item = cover.groupby(item)["len"].sum()
    any_cover = merge_intervals(rows[["group_id", "coder", "start", "end"]], ["group_id", "coder"])
    n_total = int((any_cover["end"] - any_cover["start"]).sum())
    cp = cover.merge(cover, on=["group_id", "coder"], suffixes=("_1", "_2"))
    cp = cp[cp[f"{item}_1"] != cp[f"{item}_2"]]
    ov = (np.minimum(cp["end_1"], cp["end_2"]) - np.maximum(cp["start_1"], cp["start_2"]))
    cp = cp.assign(ov=ov.clip(lower=0))
    inter = cp.groupby([f"{item}_1", f"{item}_2"])["ov"].sum()
    return counts, n_item, inter, n_total


# --------------------------------------------------------------------------- saturation


def saturation_curve(
    data: pd.DataFrame,
    *,
    order: str | Sequence[str] = "conference",
    level: str = "code",
    coders: str | Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """New codes per focus group, in order, and the cumulative (saturation) curve.

    Focus groups are taken one at a time; a code is *new* at a step when it occurs
    in that group and in no earlier group. Code saturation is reached when further
    groups add no new codes (Guest, Bunce & Johnson 2006; Hennink, Kaiser &
    Marconi 2017).

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    order : "conference" or list of str, default "conference"
        ``"conference"``: conferences in date order (the ordered categories of
        ``conference``, else :data:`baby_room.codebook.CONFERENCES`), then ``group_id``
        in natural order ("YOR-2" before "YOR-10"). A list gives the ``group_id``
        order explicitly and must name every group in the data.
    level : {"code", "theme"}, default "code"
        Count new codes or new themes.
    coders : str or list of str, optional
        Use only these coders' coding.
    codebook : pandas.DataFrame, optional
        When given, ``share_of_codes`` is relative to the number of codes (themes) in
        the codebook rather than the number observed.

    Returns
    -------
    pandas.DataFrame
        One row per focus group: ``step`` (1, 2, ...), ``conference``, ``group_id``,
        ``new_codes``, ``cumulative_codes`` and ``share_of_codes`` (cumulative codes
        / total codes, a proportion in [0, 1]).

    References
    ----------
    Guest, G., Bunce, A., & Johnson, L. (2006). How many interviews are enough?
    *Field Methods* 18(1), 59-82.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.analysis import saturation_curve
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["a", "b", "c", "d"], "conference": ["York", "London", "London", "York"],
    ...     "group_id": ["YOR-1", "LON-2", "LON-10", "YOR-1"],
    ...     "code": ["x", "x", "y", "z"], "coder": "A"})
    >>> saturation_curve(coding)[["step", "group_id", "new_codes", "cumulative_codes"]]
       step group_id  new_codes  cumulative_codes
    0     1    LON-2          1                 1
    1     2   LON-10          1                 2
    2     3    YOR-1          1                 3
    """
    func = "saturation_curve"
    coding = check_frame(data, function=func)
    codebook = check_codebook(codebook, func)
    level = one_of(level, LEVELS, function=func, parameter="level")
    require_columns(coding, ["segment_id", "conference", "group_id", "code", "coder"], func)
    df = select_coders(coding, coders, func)
    if level == "theme" or codebook is not None:
        df = with_theme(df, codebook, func)
    df = df.dropna(subset=["group_id", level])
    groups = df.drop_duplicates("group_id")[["group_id", "conference"]].copy()
    groups["group_id"] = groups["group_id"].astype(str)
    if isinstance(order, str):
        one_of(order, ("conference",), function=func, parameter="order")
        conf_rank = {c: i for i, c in enumerate(conference_order(coding))}
        groups["_key"] = [
            (conf_rank.get(str(c), len(conf_rank)), natural_key(g))
            for c, g in zip(groups["conference"], groups["group_id"], strict=True)
        ]
        groups = groups.sort_values("_key", key=lambda s: s.map(lambda k: k))
        sequence = list(groups["group_id"])
        groups = groups.set_index("group_id")
    else:
        sequence = [str(g) for g in as_columns(order, function=func, parameter="order")]
        have = set(groups["group_id"])
        missing = sorted(have - set(sequence), key=natural_key)
        unknown = [g for g in sequence if g not in have]
        repeated = sorted({g for g in sequence if sequence.count(g) > 1}, key=natural_key)
        if missing or unknown or repeated:
            raise ArgumentError(
                func, "order", "'conference' or a list of every group_id in data, each once",
                order, hint=f"Missing: {missing or 'none'}; not in data: {unknown or 'none'}; "
                            f"listed twice: {repeated or 'none'}")
        groups = groups.set_index("group_id")
    codes_by_group = df.groupby(df["group_id"].astype(str))[level].agg(
        lambda s: set(s.dropna().astype(str))
    )
    if codebook is not None:
        total = len(code_order(coding, codebook, level))
    else:
        total = df[level].dropna().astype(str).nunique()
    seen: set[str] = set()
    rows = []
    for step, g in enumerate(sequence, start=1):
        codes = set(codes_by_group.get(g, ()))
        new = codes - seen
        seen |= codes
        rows.append((step, groups.at[g, "conference"], g, len(new), len(seen)))
    out = pd.DataFrame(rows, columns=["step", "conference", "group_id", "new_codes",
                                      "cumulative_codes"])
    out["share_of_codes"] = out["cumulative_codes"] / total if total else np.nan
    if isinstance(coding["conference"].dtype, pd.CategoricalDtype):
        out["conference"] = pd.Categorical(
            out["conference"], categories=coding["conference"].cat.categories,
            ordered=coding["conference"].cat.ordered,
        )
    out["group_id"] = out["group_id"].astype("string")
    for c in ("step", "new_codes", "cumulative_codes"):
        out[c] = out[c].astype("int64")
    return finish(out, coding)


# --------------------------------------------------------------------------- quotes


def export_quotes(
    data: pd.DataFrame,
    *,
    code: str | Sequence[str],
    pseudonymise: bool = True,
) -> pd.DataFrame:
    """Return the text of the segments coded with ``code``: the only function that returns text.

    Quotes are personal data. By default speakers are replaced with "Participant N"
    (N numbered over the whole coding frame in order of conference, focus group and
    first appearance, so the same person keeps the same number across calls on the
    same data), speaker pseudonyms found inside the text are replaced the same way,
    and identifiers (``segment_id``, ``group_id``, ``speaker``, ``coder``, character
    offsets) are dropped. A segment coded by two coders is returned once.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format, with ``text``.
    code : str or list of str
        Code(s) whose segments to export.
    pseudonymise : bool, default True
        ``False`` keeps speaker pseudonyms, ``group_id`` and ``segment_id`` (for the
        research team's own reconciliation; never publish that output).

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``role``, ``conference``, ``theme``, ``code``, ``text``
        (codes joined with "; " when a segment carries several requested codes);
        with ``pseudonymise=False`` also ``segment_id``, ``group_id``, ``speaker``.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.analysis import export_quotes
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s1", "s2"], "conference": "York", "group_id": "YOR-1",
    ...     "speaker": ["Maya", "Maya", "Tom"], "role": "educator", "theme": "status",
    ...     "code": ["valued", "valued", "valued"], "coder": ["A", "B", "A"],
    ...     "start": [0, 0, 40], "end": [30, 30, 60],
    ...     "text": ["We are not babysitters.", "We are not babysitters.", "Maya is right."]})
    >>> export_quotes(coding, code="valued")[["participant", "text"]]
         participant                     text
    0  Participant 1  We are not babysitters.
    1  Participant 2   Participant 1 is right.
    """
    func = "export_quotes"
    coding = check_frame(data, function=func)
    codes = as_columns(code, function=func, parameter="code")
    if not codes:
        raise ArgumentError(func, "code", "a code or a list of codes present in data", code)
    require_columns(coding, ["segment_id", "conference", "group_id", "code", "coder", "text"],
                     func)
    known = set(coding["code"].dropna().astype(str))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ArgumentError(func, "code", "a code or a list of codes present in data", code,
                            hint=f"Not in data: {', '.join(map(repr, unknown))}")
    conf_rank = {c: i for i, c in enumerate(conference_order(coding))}
    has_speaker = "speaker" in coding.columns
    labels: dict[tuple[str, str], str] = {}
    if has_speaker:
        sp = coding.dropna(subset=["speaker"]).copy()
        sp["_pos"] = pd.to_numeric(sp["start"], errors="coerce") if "start" in sp else 0
        sp["_k"] = [
            (conf_rank.get(str(c), 99), natural_key(g))
            for c, g in zip(sp["conference"], sp["group_id"], strict=True)
        ]
        first = sp.groupby(["group_id", "speaker"], observed=True).agg(
            k=("_k", "first"), pos=("_pos", "min")
        ).reset_index()
        first = first.sort_values(["k", "pos", "speaker"], key=None, na_position="last")
        for i, (g, s) in enumerate(zip(first["group_id"], first["speaker"], strict=True), 1):
            labels[(str(g), str(s))] = f"Participant {i}"

    sel = coding[coding["code"].astype(str).isin(codes)]
    agg = {"conference": ("conference", "first"), "group_id": ("group_id", "first"),
           "code": ("code", lambda s: "; ".join(dict.fromkeys(s.astype(str)))),
           "text": ("text", "first")}
    for c in ("speaker", "role", "theme", "start"):
        if c in sel.columns:
            agg[c] = (c, "first")
    seg = sel.groupby("segment_id", sort=False).agg(**agg).reset_index()
    seg["_k"] = [
        (conf_rank.get(str(c), 99), natural_key(g))
        for c, g in zip(seg["conference"], seg["group_id"], strict=True)
    ]
    sort_cols = ["_k", "start"] if "start" in seg.columns else ["_k"]
    seg = seg.sort_values(sort_cols, na_position="last").reset_index(drop=True)
    if pseudonymise:
        if has_speaker:
            seg["participant"] = [
                labels.get((str(g), str(s)), pd.NA) if not pd.isna(s) else pd.NA
                for g, s in zip(seg["group_id"], seg["speaker"], strict=True)
            ]
            names = sorted({s for (_, s) in labels}, key=len, reverse=True)
            seg["text"] = [
                _replace_names(t, names, {s: lab for (g, s), lab in labels.items() if g == grp})
                for t, grp in zip(seg["text"], seg["group_id"].astype(str), strict=True)
            ]
        else:
            seg["participant"] = pd.NA
        cols = ["participant", "role", "conference", "theme", "code", "text"]
    else:
        seg["participant"] = seg["speaker"] if has_speaker else pd.NA
        cols = ["participant", "role", "conference", "theme", "code", "text", "segment_id",
                "group_id", "speaker"]
    out = seg[[c for c in cols if c in seg.columns]].copy()
    out["participant"] = out["participant"].astype("string")
    return finish(out, coding)


def _replace_names(text, names: list[str], group_labels: dict[str, str]):
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not names:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    return pattern.sub(lambda m: group_labels.get(m.group(1), "[participant]"), text)
