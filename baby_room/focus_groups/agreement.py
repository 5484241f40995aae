"""Inter-coder agreement for focus-group coding.

Each code is treated as a binary (nominal) judgement per unit: did the coder apply
the code to this unit or not. For two coders and one code, the four counts

===========  =================  ==================
             coder 2 applied    coder 2 did not
===========  =================  ==================
coder 1 yes  ``a`` (both)       ``b``
coder 1 no   ``c``              ``d`` (neither)
===========  =================  ==================

with ``n = a + b + c + d`` units give every statistic in closed form, so the whole
computation is a few numpy reductions over two ``units x codes`` boolean presence
matrices (one million units x 30 codes in well under a second; see
``benchmarks/bench_agreement.py``).

Units
-----
``unit="segment"``
    The segments coded by *both* coders (the double-coded subset: each coder has at
    least one row with that ``segment_id``). A segment only one coder saw is not a
    unit, so single coding never counts as disagreement.
``unit="character"``
    Positional data: each character position of a transcript (``group_id``) that
    at least one of the two coders covered with any code, within the double-coded
    scope. ``scope="segment"`` (default) limits the positions to segments both
    coders coded; ``scope="transcript"`` uses every coded position of every
    transcript both coders coded (use it when each coder cut their own segments,
    as in QDA exports, and both coded whole transcripts). Ranges are half-open,
    ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from statistics import NormalDist

import numpy as np
import pandas as pd

from baby_room._args import check_conf_level, check_frame, one_of
from baby_room.errors import ArgumentError
from baby_room.focus_groups._common import (
    ALL_CODES,
    check_codebook,
    code_order,
    coder_labels,
    coding_error,
    conference_order,
    finish,
    natural_key,
    positions,
    require_columns,
    theme_of,
)

#: Columns of :func:`agreement_from_presence` (after the coder columns).
AGREEMENT_COLUMNS = (
    "code",
    "n",
    "n_both",
    "n_coder_1_only",
    "n_coder_2_only",
    "n_neither",
    "observed_agreement",
    "observed_agreement_coded",
    "cohen_kappa",
    "cohen_kappa_se",
    "cohen_kappa_ci_low",
    "cohen_kappa_ci_high",
    "brennan_prediger_kappa",
    "krippendorff_alpha",
    "note",
)


#: Landis & Koch (1977) benchmarks for kappa: (lower bound, label).
LANDIS_KOCH = (
    (-1.0, "poor"),
    (0.0, "slight"),
    (0.2, "fair"),
    (0.4, "moderate"),
    (0.6, "substantial"),
    (0.8, "almost perfect"),
)


def _stats(a, b, c, d):
    """Agreement statistics from the 2x2 counts (arrays, one entry per code)."""
    a, b, c, d = (np.asarray(x, dtype="float64") for x in (a, b, c, d))
    n = a + b + c + d
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (a + d) / n
        coded = a + b + c
        pa_coded = np.where(coded > 0, a / np.where(coded > 0, coded, 1), np.nan)
        p1 = (a + b) / n  # coder 1 applied
        p2 = (a + c) / n  # coder 2 applied
        pe = p1 * p2 + (1 - p1) * (1 - p2)
        kappa = np.where(pe < 1, (po - pe) / np.where(pe < 1, 1 - pe, 1), np.nan)
        bp = 2 * po - 1  # (po - 1/q) / (1 - 1/q) with q = 2 categories
        # Krippendorff's alpha, nominal, 2 coders, no missing values:
        # coincidences o_11 = 2a, o_00 = 2d, o_01 = o_10 = b + c; n_1 = 2a+b+c,
        # n_0 = 2d+b+c, N = 2n; alpha = 1 - (N - 1) * o_01 / (n_0 * n_1).
        n1 = 2 * a + b + c
        n0 = 2 * d + b + c
        big_n = 2 * n
        denom = n0 * n1
        alpha = np.where(denom > 0, 1 - (big_n - 1) * (b + c) / np.where(denom > 0, denom, 1),
                         np.nan)
        # asymptotic variance of kappa (Fleiss, Cohen & Everitt 1969), as statsmodels
        p11, p10, p01, p00 = a / n, b / n, c / n, d / n
        r1, r0, k1, k0 = p1, 1 - p1, p2, 1 - p2  # coder 1 (rows), coder 2 (columns)
        one_k = 1 - kappa
        term_a = p11 * (1 - (r1 + k1) * one_k) ** 2 + p00 * (1 - (r0 + k0) * one_k) ** 2
        term_b = one_k**2 * (p10 * (k1 + r0) ** 2 + p01 * (k0 + r1) ** 2)
        term_c = (kappa - pe * one_k) ** 2
        var = (term_a + term_b - term_c) / (1 - pe) ** 2 / n
        se = np.sqrt(np.clip(var, 0, None))
    po = np.where(n > 0, po, np.nan)
    bp = np.where(n > 0, bp, np.nan)
    return po, pa_coded, kappa, se, bp, alpha


def _notes(a, b, c, d) -> list:
    notes = []
    for ai, bi, ci, di in zip(a, b, c, d, strict=True):
        n = ai + bi + ci + di
        if n == 0:
            notes.append("no units: statistics undefined")
        elif ai == n:
            notes.append(
                "both coders applied the code to every unit (constant column): kappa and "
                "alpha undefined (0/0)"
            )
        elif di == n:
            notes.append(
                "neither coder applied the code on these units (constant column): kappa "
                "and alpha undefined (0/0); observed agreement is trivially 1"
            )
        else:
            notes.append(pd.NA)
    return notes


def agreement_from_presence(coder_1, coder_2, *, codes: Sequence[str] | None = None,
                            conf_level: float = 0.95):
    """Agreement statistics per code from two ``units x codes`` presence matrices.

    The engine behind :func:`intercoder_agreement`, public for data already held as
    matrices (for example one row per character position).

    Parameters
    ----------
    coder_1, coder_2 : array-like of bool, shape (n_units, n_codes)
        ``True`` where the coder applied the code to the unit. The same units, in the
        same order, in both.
    codes : sequence of str, optional
        Names of the columns (default ``"code_0"``, ``"code_1"``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per code, then a last row ``code == "(all codes)"`` pooling every
        unit x code decision (the sums of the counts over codes, statistics computed
        from the pooled 2 x 2 table). Columns:

        * ``code``; ``n`` - units; ``n_both``, ``n_coder_1_only``, ``n_coder_2_only``,
          ``n_neither`` - the 2 x 2 counts ``a, b, c, d``;
        * ``observed_agreement`` - ``(a + d) / n`` (0-1);
        * ``observed_agreement_coded`` - ``a / (a + b + c)`` (0-1): agreement on the units
          at least one coder coded, i.e. leaving out the units neither coded (NaN when
          no unit was coded);
        * ``cohen_kappa`` - ``(p_o - p_e) / (1 - p_e)``, ``p_e = p_1 p_2 + (1-p_1)(1-p_2)``
          with ``p_j`` coder *j*'s rate of applying the code (Cohen 1960);
        * ``cohen_kappa_se`` - asymptotic standard error of kappa (Fleiss, Cohen &
          Everitt 1969; the formula of statsmodels ``cohens_kappa``), and
          ``cohen_kappa_ci_low``, ``cohen_kappa_ci_high`` - the Wald interval
          ``kappa +/- z se`` at ``conf_level`` (z = 1.96 at 0.95; unreliable for small ``n`` or kappa near 1; no interval
          is given for alpha, for which Krippendorff recommends a bootstrap);
        * ``brennan_prediger_kappa`` - ``(p_o - 1/q) / (1 - 1/q) = 2 p_o - 1`` for
          ``q = 2`` categories (Brennan & Prediger 1981);
        * ``krippendorff_alpha`` - nominal alpha from the coincidence matrix:
          ``1 - (N - 1) o_01 / (n_0 n_1)`` with ``o_01 = b + c``, ``n_1 = 2a + b + c``,
          ``n_0 = 2d + b + c``, ``N = 2n`` (Krippendorff 2019, ch. 12);
        * ``note`` - why a statistic is missing, else missing.

    Notes
    -----
    Degenerate case: when a code is constant on the units (neither coder used it, or
    both applied it everywhere), ``p_e = 1`` and ``n_0 n_1 = 0``, so kappa and alpha
    are 0/0 and are returned as NaN with a ``note``. Observed agreement is then 1
    and Brennan-Prediger kappa 1, which is why the chance-corrected statistics are
    the ones to read. When only one coder is constant, kappa is defined (and is 0
    when the other coder's rate makes ``p_o = p_e``).

    Checked against scikit-learn's ``cohen_kappa_score`` and the ``krippendorff``
    package (``level_of_measurement="nominal"``) in ``tests/test_agreement.py``.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20(1), 37-46.
    Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses,
    and alternatives. *Educational and Psychological Measurement* 41(3), 687-699.
    Krippendorff, K. (2019). *Content Analysis: An Introduction to Its Methodology*
    (4th ed.). Sage.
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of
    kappa and weighted kappa. *Psychological Bulletin* 72(5), 323-327.

    Examples
    --------
    >>> import numpy as np
    >>> from baby_room.focus_groups.agreement import agreement_from_presence
    >>> c1 = np.array([[1, 0], [1, 0], [0, 0], [0, 1]], dtype=bool)
    >>> c2 = np.array([[1, 0], [0, 0], [0, 0], [0, 1]], dtype=bool)
    >>> res = agreement_from_presence(c1, c2, codes=["noise", "ratio"])
    >>> res[["code", "observed_agreement", "cohen_kappa", "krippendorff_alpha"]].round(3)
              code  observed_agreement  cohen_kappa  krippendorff_alpha
    0        noise               0.750        0.500               0.533
    1        ratio               1.000        1.000               1.000
    2  (all codes)               0.875        0.714               0.727
    """
    conf_level = check_conf_level(conf_level, function="agreement_from_presence")
    z = float(NormalDist().inv_cdf(0.5 + conf_level / 2))
    m1 = np.asarray(coder_1)
    m2 = np.asarray(coder_2)
    if m1.ndim == 1:
        m1 = m1[:, None]
    if m2.ndim == 1:
        m2 = m2[:, None]
    for name, m in (("coder_1", m1), ("coder_2", m2)):
        if m.ndim != 2:
            raise ArgumentError("agreement_from_presence", name,
                                "a 1-D or 2-D 0/1 array (units x codes)",
                                f"an array of shape {m.shape}")
    if m1.shape != m2.shape:
        raise ArgumentError("agreement_from_presence", "coder_2",
                            f"an array of coder_1's shape {m1.shape} (units x codes)",
                            f"an array of shape {m2.shape}")
    m1 = m1.astype(bool, copy=False)
    m2 = m2.astype(bool, copy=False)
    n_units, k = m1.shape
    if codes is None:
        codes = [f"code_{j}" for j in range(k)]
    codes = [str(c) for c in codes]
    if len(codes) != k:
        raise ArgumentError("agreement_from_presence", "codes",
                            f"{k} names, one per column of coder_1, or None", codes)
    s1 = np.count_nonzero(m1, axis=0)
    s2 = np.count_nonzero(m2, axis=0)
    a = np.count_nonzero(m1 & m2, axis=0)
    b = s1 - a
    c = s2 - a
    d = n_units - a - b - c
    a = np.append(a, a.sum())
    b = np.append(b, b.sum())
    c = np.append(c, c.sum())
    d = np.append(d, d.sum())
    n = a + b + c + d
    po, pa_coded, kappa, se, bp, alpha = _stats(a, b, c, d)
    out = pd.DataFrame(
        {
            "code": pd.array([*codes, ALL_CODES], dtype="string"),
            "n": n.astype("int64"),
            "n_both": a.astype("int64"),
            "n_coder_1_only": b.astype("int64"),
            "n_coder_2_only": c.astype("int64"),
            "n_neither": d.astype("int64"),
            "observed_agreement": po,
            "observed_agreement_coded": pa_coded,
            "cohen_kappa": kappa,
            "cohen_kappa_se": se,
            "cohen_kappa_ci_low": kappa - z * se,
            "cohen_kappa_ci_high": kappa + z * se,
            "brennan_prediger_kappa": bp,
            "krippendorff_alpha": alpha,
            "note": pd.array(_notes(a, b, c, d), dtype="string"),
        }
    )
    out.attrs.update(conf_level=conf_level, unit="units")
    return out


# --------------------------------------------------------------------------- from long data


def _coder_pairs(coding: pd.DataFrame, coders, func: str, share: str = "segment_id",
                 hint: str = "") -> list[tuple[str, str]]:
    present = sorted(map(str, coding["coder"].dropna().unique()))
    if coders is None:
        chosen = present
    else:
        chosen = [coders] if isinstance(coders, str) else [str(c) for c in coders]
        unknown = [c for c in chosen if c not in present]
        if unknown:
            raise ArgumentError(
                func, "coders", "None or two or more coder names present in data", coders,
                hint=f"Not in data: {', '.join(map(repr, unknown))}. "
                     f"Coders present: {', '.join(map(repr, present)) or 'none'}")
        if len(set(chosen)) < 2:
            raise ArgumentError(
                func, "coders", "None or two or more coder names present in data", coders,
                hint=f"Agreement needs two coders. Coders present: "
                     f"{', '.join(map(repr, present))}")
    if len(set(chosen)) < 2:
        raise coding_error(coding, "coder", "; ".join(present) or "<none>",
                           f"{func}: agreement needs codings by at least two coders")
    if coders is not None and len(chosen) == 2:
        return [(chosen[0], chosen[1])]
    unit_i, _ = pd.factorize(coding[share])
    coder_i, coder_names = pd.factorize(coding["coder"])
    seen = np.zeros((len(coder_names), unit_i.max() + 1 if len(unit_i) else 0), dtype=bool)
    seen[coder_i, unit_i] = True
    row = {str(c): i for i, c in enumerate(coder_names)}
    pairs = [(x, y) for x, y in combinations(chosen, 2) if (seen[row[x]] & seen[row[y]]).any()]
    if not pairs:
        what = "segment" if share == "segment_id" else "transcript"
        raise coding_error(
            coding, share, f"no {what} coded by two of the coders {', '.join(chosen)}",
            f"{func}: agreement needs a double-coded subset (the same {share} coded by two "
            f"coders){hint}")
    return pairs


def double_coded(data: pd.DataFrame, *, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of the segments coded by two or more coders (by ``coders`` only, if given).

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    coders : sequence of str, optional
        Consider only these coders (a segment must be coded by at least two of them).

    Returns
    -------
    pandas.DataFrame
        The rows of ``coding`` (all columns, text included: this is a data subset, not a
        summary) whose segment was double-coded.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.agreement import double_coded
    >>> coding = pd.DataFrame({"segment_id": ["s1", "s1", "s2"], "code": "x",
    ...                        "coder": ["A", "B", "A"]})
    >>> double_coded(coding)["segment_id"].tolist()
    ['s1', 's1']
    """
    coding = check_frame(data, function="double_coded")
    require_columns(coding, ["segment_id", "coder"], "double_coded")
    df = coding
    if coders is not None:
        df = df[df["coder"].astype(str).isin([str(c) for c in coders])]
    n_coders = df.groupby("segment_id", observed=True)["coder"].transform("nunique")
    return finish(df[n_coders >= 2].reset_index(drop=True), coding)


def _segment_matrices(seg_i, code_j, coder_i, c1: int, c2: int, n_codes: int):
    """Presence matrices over the segments both coders coded (integer-coded inputs)."""
    n_seg = int(seg_i.max()) + 1 if len(seg_i) else 0
    is1 = coder_i == c1
    is2 = coder_i == c2
    has1 = np.zeros(n_seg, dtype=bool)
    has2 = np.zeros(n_seg, dtype=bool)
    has1[seg_i[is1]] = True
    has2[seg_i[is2]] = True
    both = has1 & has2
    pos = np.cumsum(both) - 1  # unit number of each double-coded segment
    n_units = int(both.sum())
    mats = []
    for sel in (is1, is2):
        keep = sel & both[seg_i] & (code_j >= 0)
        m = np.zeros((n_units, n_codes), dtype=bool)
        m[pos[seg_i[keep]], code_j[keep]] = True
        mats.append(m)
    return mats[0], mats[1]


def _character_matrices(df, c1, c2, codes, scope, func):
    df = df[df["coder"].isin([c1, c2])]
    if scope == "segment":
        n_coders = df.groupby("segment_id")["coder"].transform("nunique")
        df = df[n_coders == 2]
    else:
        n_coders = df.groupby("group_id")["coder"].transform("nunique")
        df = df[n_coders == 2]
    df = positions(df, func)
    code_index = pd.Index(codes)
    blocks1, blocks2 = [], []
    k = len(codes)
    for _, g in df.groupby("group_id", sort=True):
        length = int(g["end"].max())
        covs = []
        for coder in (c1, c2):
            r = g[g["coder"] == coder]
            diff = np.zeros((k, length + 1), dtype=np.int32)
            j = code_index.get_indexer(r["code"])
            np.add.at(diff, (j, r["start"].to_numpy()), 1)
            np.add.at(diff, (j, r["end"].to_numpy()), -1)
            covs.append(np.cumsum(diff[:, :length], axis=1) > 0)
        covered = covs[0].any(axis=0) | covs[1].any(axis=0)
        blocks1.append(covs[0][:, covered].T)
        blocks2.append(covs[1][:, covered].T)
    if not blocks1:
        empty = np.zeros((0, k), dtype=bool)
        return empty, empty
    return np.concatenate(blocks1), np.concatenate(blocks2)


def intercoder_agreement(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    unit: str = "segment",
    scope: str = "segment",
    codebook: pd.DataFrame | None = None,
    conf_level: float = 0.95,
    pseudonymise: bool = True,
) -> pd.DataFrame:
    """Per-code and overall agreement between two coders on the double-coded units.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format (``start``/``end`` needed for
        ``unit="character"``).
    coders : sequence of str, optional
        The coders to compare. Two names: that pair. ``None`` (default) or more than
        two names: every pair of coders who share at least one segment, one block of
        rows per pair.
    unit : {"segment", "character"}, default "segment"
        Unit of agreement (see the module docstring): a segment coded by both coders,
        or a character position covered by either coder.
    scope : {"segment", "transcript"}, default "segment"
        For ``unit="character"`` only: which positions are double-coded (module
        docstring).
    codebook : pandas.DataFrame, optional
        Gives the code order and themes, and adds codes nobody applied (these get the
        degenerate-case note).
    conf_level : float, default 0.95
        Confidence level of the kappa interval.
    pseudonymise : bool, default True
        Show coders as ``"Coder 1"``, ``"Coder 2"``, ... (in sorted name order over all
        coders in ``data``): coder names are personal data and this table is published.
        ``False`` keeps the names (for the team's own reconciliation).

    Returns
    -------
    pandas.DataFrame
        ``coder_1``, ``coder_2``, ``theme``, then the columns of
        :func:`agreement_from_presence` (``code``, ``n`` units, the 2 x 2 counts,
        ``observed_agreement``, ``observed_agreement_coded``, ``cohen_kappa``,
        ``brennan_prediger_kappa``, ``krippendorff_alpha``, ``note``): one row per code
        and a pooled ``"(all codes)"`` row per coder pair. The codes are those of the
        codebook, or else every code anyone applied anywhere in ``coding`` (so a code
        unused on the double-coded units shows as degenerate rather than vanishing).

    Notes
    -----
    Statistics (formulas in :func:`agreement_from_presence`) treat each code as a
    separate presence/absence judgement per unit (Krippendorff's alpha for binary
    nominal data, per code), which is how qualitative coding software (NVivo's coding
    comparison, MAXQDA's code-specific kappa) reports agreement. Identical coders
    give kappa = alpha = 1 for every code both used. A code nobody used on the
    double-coded units is a constant column: kappa and alpha are undefined and
    returned as NaN with a ``note``.

    Checked against scikit-learn ``cohen_kappa_score`` and the ``krippendorff``
    package in ``tests/test_agreement.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.agreement import intercoder_agreement
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s1", "s2", "s3", "s3", "s4", "s4", "s5"],
    ...     "conference": "York", "group_id": "YOR-1",
    ...     "code": ["noise", "noise", "ratio", "noise", "ratio", "ratio", "ratio", "noise"],
    ...     "coder": ["A", "B", "A", "A", "B", "A", "B", "A"]})
    >>> res = intercoder_agreement(coding)
    >>> res[["coder_1", "code", "n", "observed_agreement", "cohen_kappa"]].round(3)
       coder_1         code  n  observed_agreement  cohen_kappa
    0  Coder 1        noise  3               0.667        0.400
    1  Coder 1        ratio  3               0.667        0.400
    2  Coder 1  (all codes)  6               0.667        0.333
    """
    func = "intercoder_agreement"
    coding = check_frame(data, function=func)
    codebook = check_codebook(codebook, func)
    unit = one_of(unit, ("segment", "character"), function=func, parameter="unit")
    scope = one_of(scope, ("segment", "transcript"), function=func, parameter="scope")
    conf_level = check_conf_level(conf_level, function=func)
    needed = ["segment_id", "code", "coder"]
    if unit == "character":
        needed += ["group_id", "start", "end"]
    require_columns(coding, needed, func, f" with unit={unit!r}")
    df = coding.dropna(subset=["segment_id", "code", "coder"])
    codes = code_order(df if codebook is None else coding, codebook, "code")
    code_f, code_names = pd.factorize(df["code"])
    code_names = [str(c) for c in code_names]
    if codebook is None:
        present = set(code_names)
        codes = [c for c in codes if c in present]
    themes = theme_of(df, codebook)
    if unit == "segment":
        seg_i, _ = pd.factorize(df["segment_id"])
        code_j = pd.Index(codes).get_indexer(code_names)[code_f] if len(code_f) else code_f
        coder_f, coder_u = pd.factorize(df["coder"])
        coder_no = {str(c): i for i, c in enumerate(coder_u)}
    else:
        df = df.assign(code=df["code"].astype(str), coder=df["coder"].astype(str),
                       segment_id=df["segment_id"].astype(str))
    blocks = []
    share = "group_id" if (unit == "character" and scope == "transcript") else "segment_id"
    hint = " (try scope='transcript')" if (unit == "character" and scope == "segment") else ""
    for c1, c2 in _coder_pairs(df, coders, func, share, hint):
        if unit == "segment":
            m1, m2 = _segment_matrices(seg_i, code_j, coder_f, coder_no[c1], coder_no[c2],
                                       len(codes))
        else:
            m1, m2 = _character_matrices(df, c1, c2, codes, scope, func)
        if m1.shape[0] == 0:
            what = "segments" if unit == "segment" else "character positions"
            raise coding_error(
                df, share, f"no {what} coded by both {c1} and {c2}",
                f"{func}: agreement needs {what} coded by both coders"
                + (" (try scope='transcript')" if unit == "character" else ""))
        res = agreement_from_presence(m1, m2, codes=codes, conf_level=conf_level)
        res.insert(0, "theme", res["code"].map(themes).astype("string"))
        res.insert(0, "coder_2", c2)
        res.insert(0, "coder_1", c1)
        blocks.append(res)
    out = pd.concat(blocks, ignore_index=True)
    if pseudonymise:
        labels = coder_labels(coding["coder"])
        out["coder_1"] = out["coder_1"].map(labels)
        out["coder_2"] = out["coder_2"].map(labels)
    out["coder_1"] = out["coder_1"].astype("string")
    out["coder_2"] = out["coder_2"].astype("string")
    out = finish(out, coding)
    out.attrs.update(conf_level=conf_level,
                     unit="segments" if unit == "segment" else "characters")
    return out


def disagreements(
    data: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    code: str | Sequence[str] | None = None,
    pseudonymise: bool = True,
) -> pd.DataFrame:
    """List the double-coded segments where two coders disagree, for reconciliation.

    A disagreement is a (segment, code) where one coder of the pair applied the code
    and the other, who also coded the segment, did not. No text or speaker is
    returned: look the segment up in the transcript with ``group_id`` and the
    character offsets.

    Parameters
    ----------
    data : pandas.DataFrame
        Focus-group coding in the canonical long format.
    coders : sequence of str, optional
        Pair(s) of coders, as in :func:`intercoder_agreement`.
    code : str or list of str, optional
        Only these codes.
    pseudonymise : bool, default True
        Coders as ``"Coder 1"``, ``"Coder 2"``, ... as in :func:`intercoder_agreement`.

    Returns
    -------
    pandas.DataFrame
        ``coder_1``, ``coder_2``, ``conference``, ``group_id``, ``segment_id``,
        ``start``, ``end`` (the segment's extent over both coders' rows, missing
        without positions), ``theme``, ``code``, ``applied_by`` (the coder who applied
        it) and ``not_applied_by`` (the coder who did not); sorted by conference,
        group, position and code.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.focus_groups.agreement import disagreements
    >>> coding = pd.DataFrame({
    ...     "segment_id": ["s1", "s1", "s1", "s2", "s2"], "conference": "York",
    ...     "group_id": "YOR-1", "code": ["noise", "noise", "ratio", "ratio", "noise"],
    ...     "coder": ["A", "B", "B", "A", "B"]})
    >>> disagreements(coding)[["segment_id", "code", "applied_by", "not_applied_by"]]
      segment_id   code applied_by not_applied_by
    0         s1  ratio    Coder 2        Coder 1
    1         s2  noise    Coder 2        Coder 1
    2         s2  ratio    Coder 1        Coder 2
    """
    func = "disagreements"
    coding = check_frame(data, function=func)
    require_columns(coding, ["segment_id", "conference", "group_id", "code", "coder"], func)
    df = coding.dropna(subset=["segment_id", "code", "coder"])
    df = df.assign(code=df["code"].astype(str), coder=df["coder"].astype(str),
                   segment_id=df["segment_id"].astype(str))
    wanted = None if code is None else ([code] if isinstance(code, str) else list(code))
    if wanted is not None:
        unknown = [c for c in wanted if c not in set(df["code"])]
        if unknown:
            raise ArgumentError(func, "code", "None or code(s) present in data", code,
                                hint=f"Not in data: {', '.join(map(repr, unknown))}")
    themes = theme_of(df, None)
    conf_rank = {c: i for i, c in enumerate(conference_order(coding))}
    has_pos = "start" in df.columns and "end" in df.columns
    blocks = []
    for c1, c2 in _coder_pairs(df, coders, func):
        pair = df[df["coder"].isin([c1, c2])]
        both = pair.groupby("segment_id")["coder"].transform("nunique") == 2
        pair = pair[both]
        applied = pair.drop_duplicates(["segment_id", "code", "coder"])
        k = applied.groupby(["segment_id", "code"])["coder"].agg(["nunique", "first"])
        k = k[k["nunique"] == 1].reset_index()
        if wanted is not None:
            k = k[k["code"].isin(wanted)]
        seg = pair.groupby("segment_id").agg(
            conference=("conference", "first"), group_id=("group_id", "first"),
            **({"start": ("start", "min"), "end": ("end", "max")} if has_pos else {}),
        ).reset_index()
        res = k.merge(seg, on="segment_id", how="left")
        res["applied_by"] = res["first"]
        res["not_applied_by"] = np.where(res["first"] == c1, c2, c1)
        res["coder_1"] = c1
        res["coder_2"] = c2
        blocks.append(res)
    out = pd.concat(blocks, ignore_index=True)
    if not has_pos:
        out["start"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["end"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["theme"] = out["code"].map(themes).astype("string")
    out["_k"] = [
        (conf_rank.get(str(c), 99), natural_key(g))
        for c, g in zip(out["conference"], out["group_id"], strict=True)
    ]
    out = out.sort_values(["coder_1", "coder_2", "_k", "start", "segment_id", "code"],
                          na_position="last")
    cols = ["coder_1", "coder_2", "conference", "group_id", "segment_id", "start", "end",
            "theme", "code", "applied_by", "not_applied_by"]
    out = out[cols].reset_index(drop=True)
    if pseudonymise:
        labels = coder_labels(coding["coder"])
        for c in ("coder_1", "coder_2", "applied_by", "not_applied_by"):
            out[c] = out[c].map(labels)
    for c in ("coder_1", "coder_2", "group_id", "segment_id", "code", "applied_by",
              "not_applied_by"):
        out[c] = out[c].astype("string")
    if isinstance(coding["conference"].dtype, pd.CategoricalDtype):
        out["conference"] = pd.Categorical(
            out["conference"], categories=coding["conference"].cat.categories,
            ordered=coding["conference"].cat.ordered,
        )
    return finish(out, coding)


def landis_koch(value: float) -> str:
    """Landis & Koch (1977) label for a kappa value ("slight", ..., "almost perfect").

    Parameters
    ----------
    value : float
        A kappa (or alpha) value.

    Returns
    -------
    str
        ``"poor"`` (< 0), ``"slight"`` (0-0.20), ``"fair"`` (0.21-0.40), ``"moderate"``
        (0.41-0.60), ``"substantial"`` (0.61-0.80), ``"almost perfect"`` (0.81-1), or
        ``"undefined"`` for NaN.

    References
    ----------
    Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for
    categorical data. *Biometrics* 33(1), 159-174.

    Examples
    --------
    >>> landis_koch(0.65)
    'substantial'
    """
    if value is None or pd.isna(value):
        return "undefined"
    label = LANDIS_KOCH[0][1]
    for lower, name in LANDIS_KOCH:
        if value > lower or (lower == 0.0 and value == 0.0):
            label = name
    return label
