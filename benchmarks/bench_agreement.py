"""Benchmark: inter-coder agreement over 1,000,000 units x 30 codes.

1. ``agreement_from_presence`` (the engine of ``intercoder_agreement``): observed agreement,
   Cohen's kappa, Brennan-Prediger kappa and Krippendorff's alpha for 30 codes, and the
   pooled row, from two boolean presence matrices of 1,000,000 units x 30 codes.
   Target: under 1 s. Baselines in the same run, on the same matrices:
   a. the ``krippendorff`` package, ``alpha(level_of_measurement="nominal")`` once per code;
   b. scikit-learn ``cohen_kappa_score`` once per code.
   (Each baseline computes one statistic; ours computes all four.)
2. ``intercoder_agreement`` from the canonical long format (200,000 double-coded segments,
   30 codes, about 1.2 million rows: the whole path a user calls). No target; baseline: a
   pandas ``crosstab`` of segment x code per coder followed by sklearn per code.

``ratio`` = seconds / baseline_seconds (below 1: faster than the baseline).

Run: ``.venv/bin/python benchmarks/bench_agreement.py``
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _common import peak_mb, print_table, row, timed  # noqa: E402

from baby_room.focus_groups.agreement import (  # noqa: E402
    agreement_from_presence,
    intercoder_agreement,
)

N_UNITS = 1_000_000
N_CODES = 30
N_SEGMENTS_LONG = 200_000
TARGET_SECONDS = 1.0


def presence_matrices(n: int = N_UNITS, k: int = N_CODES, seed: int = 2025):
    """Two coders' presence matrices: code rates 1-30 %, disagreement 2-30 % of applications."""
    rng = np.random.default_rng(seed)
    rates = np.linspace(0.01, 0.30, k)
    m1 = rng.random((n, k), dtype=np.float32) < rates
    flip = rng.random((n, k), dtype=np.float32) < (np.linspace(0.02, 0.30, k) * rates)
    m2 = m1 ^ flip
    return m1, m2


def long_coding(n: int = N_SEGMENTS_LONG, k: int = N_CODES, seed: int = 7) -> pd.DataFrame:
    """Canonical long frame: every segment coded by coders A and B (1-3 codes each)."""
    m1, m2 = presence_matrices(n, k, seed)
    # every coder leaves at least one code per segment
    m1[~m1.any(axis=1), 0] = True
    m2[~m2.any(axis=1), 0] = True
    seg = np.array([f"S{i:07d}" for i in range(n)], dtype=object)
    codes = np.array([f"code_{j:02d}" for j in range(k)], dtype=object)
    parts = []
    for coder, m in (("A", m1), ("B", m2)):
        i, j = np.nonzero(m)
        parts.append(pd.DataFrame({"segment_id": seg[i], "code": codes[j], "coder": coder}))
    df = pd.concat(parts, ignore_index=True)
    df["conference"] = "London"
    df["group_id"] = "LON-1"
    return df


def bench_matrix() -> list[dict]:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    m1, m2 = presence_matrices()
    codes = [f"code_{j:02d}" for j in range(N_CODES)]
    ours, res = timed(lambda: agreement_from_presence(m1, m2, codes=codes))
    peak = peak_mb(lambda: agreement_from_presence(m1, m2, codes=codes))

    def kripp():
        return [
            krippendorff.alpha(reliability_data=np.vstack([m1[:, j], m2[:, j]]).astype(np.int8),
                               level_of_measurement="nominal", value_domain=[0, 1])
            for j in range(N_CODES)
        ]

    def sk():
        return [cohen_kappa_score(m1[:, j], m2[:, j]) for j in range(N_CODES)]

    k_sec, k_vals = timed(kripp, repeat=1)
    s_sec, s_vals = timed(sk, repeat=1)
    # the numbers must agree, or the timing means nothing
    np.testing.assert_allclose(res["krippendorff_alpha"].iloc[:-1], k_vals, rtol=1e-9)
    np.testing.assert_allclose(res["cohen_kappa"].iloc[:-1], s_vals, rtol=1e-9)
    name = f"agreement_from_presence: {N_UNITS:,} units x {N_CODES} codes, 4 statistics"
    return [
        row(name, ours, f"krippendorff.alpha per code ({N_CODES} calls)", k_sec,
             TARGET_SECONDS, peak),
        row(name, ours, f"sklearn cohen_kappa_score per code ({N_CODES} calls)", s_sec,
             TARGET_SECONDS, peak),
    ]


def bench_long() -> list[dict]:
    from sklearn.metrics import cohen_kappa_score

    df = long_coding()
    ours, res = timed(lambda: intercoder_agreement(df), repeat=2)
    peak = peak_mb(lambda: intercoder_agreement(df))

    def baseline():
        tabs = [pd.crosstab(d["segment_id"], d["code"]).gt(0)
                for _, d in df.groupby("coder", sort=True)]
        a, b = tabs[0].align(tabs[1], join="inner", fill_value=False)
        return [cohen_kappa_score(a[c], b[c]) for c in a.columns]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b_sec, b_vals = timed(baseline, repeat=1)
    np.testing.assert_allclose(res["cohen_kappa"].iloc[:-1], b_vals, rtol=1e-9)
    return [row(
        f"intercoder_agreement: long format, {N_SEGMENTS_LONG:,} double-coded segments, "
        f"{len(df):,} rows",
        ours, "pandas crosstab per coder + sklearn per code", b_sec, None, peak,
    )]


def run() -> list[dict]:
    return bench_matrix() + bench_long()


if __name__ == "__main__":
    print_table(run())
