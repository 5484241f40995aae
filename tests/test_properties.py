"""Property-based tests (hypothesis) of the loaders, estimators, agreement, breakdowns and export.

Each property is checked against an independent reference named in its test:
numpy/scipy for the unweighted survey estimates, the margins themselves for raking,
sums of the parts for domain totals, the definition of kappa/alpha for identical
coders, the number of items for the evidence breakdowns, and the definition of
formula-safe text for the export. The examples are small and few so the file runs
in well under a minute.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import baby_room as br
from baby_room.codebook import (
    AGE_FOCUS,
    CODEBOOK,
    CODING,
    EVIDENCE,
    PUBLICATION_TYPES,
    QUALITY_DIMENSIONS,
    STUDY_DESIGNS,
    SURVEY,
)
from baby_room.errors import BabyRoomError
from baby_room.outputs import FORMULA_PREFIXES, Outputs, neutralise_formulas, safe_name
from baby_room.survey.design import SurveyDesign

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=40)
# for properties whose one example calls the library several times (all table loaders,
# several estimators): fewer examples, each still a fresh table
COSTLY = settings(SETTINGS, max_examples=30)
DOCUMENTED = (br.FileFormatError, br.DataValidationError)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


# --------------------------------------------------------------------------- loaders


def _bib():
    from baby_room.evidence import read_bibtex, read_rayyan, read_ris

    return read_ris, read_bibtex, read_rayyan


def _loaders_for(suffix):
    read_ris, read_bibtex, read_rayyan = _bib()
    tabular = [br.load_survey, br.load_coding, br.load_codebook, br.load_evidence]
    return {
        ".csv": [*tabular, read_rayyan, br.read_maxqda_segments],
        ".tsv": [*tabular, br.read_maxqda_segments],
        ".xlsx": [*tabular, br.read_maxqda_segments],
        ".parquet": tabular,
        ".sav": tabular,
        ".qdpx": [br.read_qdpx],
        ".ris": [read_ris],
        ".bib": [read_bibtex],
    }[suffix]


SUFFIXES = [".csv", ".tsv", ".xlsx", ".parquet", ".sav", ".qdpx", ".ris", ".bib"]
# bytes that reach past the first checks: zip, SPSS, Parquet and BOM headers, then noise
PREFIXES = [b"", b"PK\x03\x04", b"$FL2@(#) ", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe",
            b"TY  - JOUR\n", b"@article{k,", b"respondent_id,group_size\n"]


def _only_documented(func, path, **kwargs):
    """Call a loader; it may succeed or raise a documented error naming the file, nothing else."""
    try:
        _quiet(func, path, **kwargs)
    except DOCUMENTED as exc:
        assert isinstance(exc, ValueError)
        assert str(path) in str(exc), f"{func.__name__}: message does not name the file: {exc}"
    # any other exception propagates and fails the test, with hypothesis' minimal example


@SETTINGS
@given(suffix=st.sampled_from(SUFFIXES), prefix=st.sampled_from(PREFIXES),
       body=st.binary(max_size=600))
def test_loaders_on_arbitrary_bytes_raise_only_documented_errors(suffix, prefix, body, tmp_path):
    path = tmp_path / f"data{suffix}"
    data = prefix + body
    path.write_bytes(data)
    for func in _loaders_for(suffix):
        _only_documented(func, path)


def _zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


MEMBER_NAMES = st.sampled_from(["p.qde", "project.QDE", "sources/a.txt", "Sources/b.txt",
                                "xl/workbook.xml", "[Content_Types].xml",
                                "xl/worksheets/sheet1.xml", "dir/", "a/../b.txt", "x.qde"])
XML_BODIES = st.sampled_from([
    b"", b"<Project/>", b'<Project xmlns="urn:QDA-XML:project:1.0"><Sources>',
    b'<Project xmlns="urn:QDA-XML:project:1.0"><Sources><TextSource guid="s" name="n" '
    b'plainTextPath="internal://a.txt"><PlainTextSelection guid="p" startPosition="0" '
    b'endPosition="99"><Coding guid="k"><CodeRef targetGUID="c"/></Coding>'
    b"</PlainTextSelection></TextSource></Sources></Project>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Project name="&a;"/>',
    b"<workbook/>", b"\x00\x01\x02"])


@FEW
@given(members=st.lists(st.tuples(MEMBER_NAMES, st.one_of(XML_BODIES, st.binary(max_size=80))),
                        max_size=4),
       suffix=st.sampled_from([".qdpx", ".xlsx"]))
def test_zip_based_loaders_on_arbitrary_archives(members, suffix, tmp_path):
    path = tmp_path / f"archive{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate member names
        path.write_bytes(_zip_bytes(members))
    for func in _loaders_for(suffix):
        _only_documented(func, path)


CELL = st.one_of(st.text(max_size=8), st.sampled_from(["", "1", "-3", "2019", "yes", "London",
                                                       "educator", "Agree", "1e400", "nan"]))
SCHEMA_NAMES = sorted({*SURVEY.names, *CODING.names, *EVIDENCE.names, *CODEBOOK.names})


@st.composite
def small_tables(draw):
    names = draw(st.lists(st.one_of(st.sampled_from(SCHEMA_NAMES), st.text(min_size=1,
                                                                             max_size=6)),
                          min_size=1, max_size=6, unique_by=lambda s: s.strip()))
    names = [n for n in names if n.strip()]
    assume(names)
    n_rows = draw(st.integers(1, 4))
    return pd.DataFrame({n: draw(st.lists(CELL, min_size=n_rows, max_size=n_rows))
                         for n in names})


TABLE_LOADERS = [br.load_survey, br.load_coding, br.load_codebook, br.load_evidence]


@COSTLY
@given(table=small_tables(), on_error=st.sampled_from(["raise", "set_aside"]))
def test_loaders_on_arbitrary_dataframes_raise_only_documented_errors(table, on_error):
    for func in TABLE_LOADERS:
        try:
            out = _quiet(func, table, on_error=on_error)
        except DOCUMENTED:
            continue
        # loaded: every row is kept or set aside, never dropped silently
        assert len(out) + len(br.set_aside_rows(out)) == len(table)


@COSTLY
@given(table=small_tables(), sep=st.sampled_from([",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_loaders_on_arbitrary_csv_files_raise_only_documented_errors(table, sep, encoding,
                                                                     tmp_path):
    path = tmp_path / ("t.csv" if sep == "," else "t.tsv")
    text = table.to_csv(index=False, sep=sep, lineterminator="\n")
    path.write_bytes(text.encode(encoding))
    for func in TABLE_LOADERS:
        try:
            out = _quiet(func, path, on_error="set_aside")
        except DOCUMENTED as exc:
            assert str(path) in str(exc)
            continue
        # every record is kept or set aside; only a line left empty (a one-column table
        # with an empty cell) is a blank line, which a CSV reader skips
        expected = len(table) if table.shape[1] > 1 else int((table.iloc[:, 0] != "").sum())
        assert len(out) + len(br.set_aside_rows(out)) == expected


# --------------------------------------------------------------------------- survey design

VALUES = st.lists(st.integers(-1000, 1000), min_size=2, max_size=40)


@COSTLY
@given(y=VALUES, c=st.floats(0.01, 1000), flag_seed=st.integers(0, 2**16))
def test_equal_weights_give_the_unweighted_estimates(y, c, flag_seed):
    y = np.asarray(y, dtype=float)
    flag = np.random.default_rng(flag_seed).random(len(y)) < 0.5
    df = pd.DataFrame({"y": y, "w": c, "flag": flag})
    plain, weighted = SurveyDesign(df), SurveyDesign(df, weights="w")
    m0, m1 = plain.mean("y"), weighted.mean("y")
    p0, p1 = plain.proportion("flag"), weighted.proportion("flag")
    # reference: numpy mean and scipy's standard error of the mean (sd / sqrt(n), ddof=1)
    from scipy import stats

    scale = max(1.0, float(np.abs(y).max()))
    for m in (m0, m1):
        assert m["estimate"].iloc[0] == pytest.approx(y.mean(), abs=1e-9 * scale)
        assert m["se"].iloc[0] == pytest.approx(stats.sem(y), rel=1e-9, abs=1e-9 * scale)
        assert m["n"].iloc[0] == len(y)
    for p in (p0, p1):
        assert p["estimate"].iloc[0] == pytest.approx(flag.mean(), abs=1e-12)
        assert p["se"].iloc[0] == pytest.approx(stats.sem(flag.astype(float)), abs=1e-12)
    assert m1["se"].iloc[0] == pytest.approx(m0["se"].iloc[0], rel=1e-9, abs=1e-12 * scale)
    assert p1["se"].iloc[0] == pytest.approx(p0["se"].iloc[0], abs=1e-12)
    # a total scales with the common weight: sum(c * y)
    assert weighted.total("y")["estimate"].iloc[0] == pytest.approx(c * y.sum(),
                                                                    rel=1e-9, abs=1e-6)


@st.composite
def raking_problems(draw):
    a_levels = draw(st.integers(2, 3))
    b_levels = draw(st.integers(2, 3))
    # every cell of the joint table is filled, so any positive margins can be met
    rows = [(f"a{i}", f"b{j}") for i in range(a_levels) for j in range(b_levels)]
    extra = draw(st.lists(st.tuples(st.integers(0, a_levels - 1), st.integers(0, b_levels - 1)),
                          max_size=30))
    rows += [(f"a{i}", f"b{j}") for i, j in extra]
    total = draw(st.floats(100, 1e6))
    shares_a = np.asarray(draw(st.lists(st.floats(0.05, 1), min_size=a_levels,
                                        max_size=a_levels)))
    shares_b = np.asarray(draw(st.lists(st.floats(0.05, 1), min_size=b_levels,
                                        max_size=b_levels)))
    margins = {
        "a": {f"a{i}": float(total * s / shares_a.sum()) for i, s in enumerate(shares_a)},
        "b": {f"b{j}": float(total * s / shares_b.sum()) for j, s in enumerate(shares_b)},
    }
    weights = draw(st.lists(st.floats(0.5, 5), min_size=len(rows), max_size=len(rows)))
    df = pd.DataFrame(rows, columns=["a", "b"]).assign(w=weights)
    return df, margins


@SETTINGS
@given(problem=raking_problems())
def test_raked_weights_reproduce_their_margins(problem):
    df, margins = problem
    raked = SurveyDesign(df, weights="w").rake(margins, max_iter=2000, tol=1e-10)
    w = raked.weights
    for column, totals in margins.items():
        # reference: the weighted count of each category, summed by hand from the weights
        for category, target in totals.items():
            got = float(w[(df[column] == category).to_numpy()].sum())
            assert got == pytest.approx(target, rel=1e-6)
        by = raked.total("w", by=column)  # any estimate uses the raked weights
        assert len(by) == len(totals)


@SETTINGS
@given(y=st.lists(st.one_of(st.none(), st.integers(-50, 50)), min_size=2, max_size=40),
       seed=st.integers(0, 2**16), groups=st.integers(1, 5), weighted=st.booleans())
def test_domain_totals_add_up_to_the_overall_total(y, seed, groups, weighted):
    rng = np.random.default_rng(seed)
    n = len(y)
    y = pd.Series(y, dtype="Float64")
    assume(y.notna().sum() >= 1)
    df = pd.DataFrame({"y": y, "g": rng.integers(0, groups, n).astype(str),
                       "w": rng.uniform(0.5, 3, n)})
    design = SurveyDesign(df, weights="w" if weighted else None)
    overall = design.total("y")
    parts = design.total("y", by="g")
    # reference: the overall total is the sum of the domain totals (and of the rows)
    assert parts["estimate"].sum(min_count=1) == pytest.approx(overall["estimate"].iloc[0],
                                                               rel=1e-9, abs=1e-9)
    w = df["w"].to_numpy() if weighted else np.ones(n)
    hand = float(np.nansum(w * y.to_numpy(dtype=float, na_value=np.nan)))
    assert overall["estimate"].iloc[0] == pytest.approx(hand, rel=1e-9, abs=1e-9)
    assert int(parts["n"].sum()) == int(overall["n"].iloc[0]) == int(y.notna().sum())


# --------------------------------------------------------------------------- agreement


@st.composite
def presence(draw):
    """A segments x codes presence matrix where every segment has a code and every code is
    both present and absent somewhere (so kappa and alpha are defined)."""
    n_codes = draw(st.integers(2, 4))
    n_seg = draw(st.integers(n_codes + 1, 12))
    m = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_codes, max_size=n_codes),
                               min_size=n_seg, max_size=n_seg)))
    for j in range(n_codes):
        m[j, j] = True  # code j present in segment j
        m[j, (j + 1) % n_codes] = False  # the next code absent there
    for i in range(n_codes, n_seg):
        if not m[i].any():
            m[i, i % n_codes] = True
    return m


@COSTLY
@given(m=presence(), constant_code=st.booleans())
def test_identical_coders_give_kappa_and_alpha_of_one(m, constant_code):
    from baby_room.focus_groups import intercoder_agreement

    codes = [f"code_{j}" for j in range(m.shape[1])]
    rows = [(f"s{i}", codes[j]) for i, j in zip(*np.nonzero(m), strict=True)]
    if constant_code:
        rows += [(f"s{i}", "everywhere") for i in range(m.shape[0])]
    one = pd.DataFrame(rows, columns=["segment_id", "code"]).assign(
        conference="York", group_id="YOR-1", coder="A")
    coding = pd.concat([one, one.assign(coder="B")], ignore_index=True)
    res = intercoder_agreement(coding, coders=["A", "B"]).set_index("code")
    # reference: sklearn's cohen_kappa_score of a vector with itself is 1 (po = 1)
    from sklearn.metrics import cohen_kappa_score

    for j, code in enumerate(codes):
        assert cohen_kappa_score(m[:, j], m[:, j]) == 1.0
        assert res.loc[code, "cohen_kappa"] == pytest.approx(1.0)
        assert res.loc[code, "krippendorff_alpha"] == pytest.approx(1.0)
        assert res.loc[code, "observed_agreement"] == pytest.approx(1.0)
        assert res.loc[code, "n"] == m.shape[0]
    if constant_code:  # documented: a constant column has undefined kappa and alpha
        assert np.isnan(res.loc["everywhere", "cohen_kappa"])
        assert np.isnan(res.loc["everywhere", "krippendorff_alpha"])
        assert "constant column" in res.loc["everywhere", "note"]


# --------------------------------------------------------------------------- evidence breakdowns

COUNTRY_VALUES = [None, "", "UK", "England", "England; Scotland", "USA; Canada",
                  "Norway and Sweden", "Atlantis", "Nordic countries", "International",
                  "Wales; Wales", "xyz; UK", "  ;  ", "Northern Ireland", "Europe"]
INSTRUMENT_VALUES = [None, "", "ITERS-R", "ITERS-R; CLASS Infant", "CLASS Toddler",
                     "home-made checklist", "ITERS-3; ITERS-R", ";"]
COUNTRY_CELLS = st.sampled_from(COUNTRY_VALUES)
INSTRUMENT_CELLS = st.sampled_from(INSTRUMENT_VALUES)


@st.composite
def items(draw):
    n = draw(st.integers(1, 12))

    def col(strategy):
        return draw(st.lists(strategy, min_size=n, max_size=n))

    dims = st.lists(st.sampled_from([*QUALITY_DIMENSIONS, "Ratio", "group-size", "other"]),
                    max_size=3).map(lambda xs: "; ".join(xs) or None)
    return pd.DataFrame({
        "item_id": [f"EV{i:03d}" for i in range(n)],
        "countries": col(st.one_of(COUNTRY_CELLS, st.text(max_size=6))),
        "instruments": col(INSTRUMENT_CELLS),
        "dimensions": col(dims),
        "year": pd.array(col(st.one_of(st.none(), st.integers(1950, 2025))), dtype="Int64"),
        "publication_type": col(st.sampled_from([None, *PUBLICATION_TYPES])),
        "design": col(st.sampled_from([None, *STUDY_DESIGNS])),
        "age_focus": col(st.sampled_from([None, *AGE_FOCUS])),
    })


SINGLE_VALUED = {"year", "decade", "publication_type", "design", "age_focus"}


def _every_cell():
    """Every listed country and instrument cell at once (multi-valued, repeated, unknown and
    empty cells), with every category of the other columns."""
    n = len(COUNTRY_VALUES)
    dims = [None, "; ".join(QUALITY_DIMENSIONS[:3]), "Ratio", "group-size; other",
            QUALITY_DIMENSIONS[0]]

    def cycle(values):
        return [values[i % len(values)] for i in range(n)]

    return pd.DataFrame({
        "item_id": [f"EV{i:03d}" for i in range(n)],
        "countries": COUNTRY_VALUES,
        "instruments": cycle(INSTRUMENT_VALUES),
        "dimensions": cycle(dims),
        "year": pd.array(cycle([None, 1950, 1999, 2000, 2025]), dtype="Int64"),
        "publication_type": cycle([None, *PUBLICATION_TYPES]),
        "design": cycle([None, *STUDY_DESIGNS]),
        "age_focus": cycle([None, *AGE_FOCUS]),
    })


def _facets():
    from baby_room.evidence.breakdowns import FACETS

    return list(FACETS)


# each facet is its own test with a few drawn tables (a breakdown call is the costly part,
# and a failure names its facet)
@pytest.mark.parametrize("facet", _facets())
@settings(SETTINGS, max_examples=6)
@example(data=_every_cell())
@given(data=items())
def test_every_breakdown_reconciles_with_the_item_count(facet, data):
    from baby_room.evidence.breakdowns import breakdown

    frac = _quiet(breakdown, data, facet=facet, count="fractional")
    item = _quiet(breakdown, data, facet=facet, count="item")
    if facet == "uk_nation":  # documented: shares among the items naming the UK
        from baby_room.evidence.countries import normalise_countries

        long = _quiet(normalise_countries, data["countries"].reset_index(drop=True))
        n_items = int(long.loc[long["iso3"].astype(str) == "GBR", "position"].nunique())
    else:
        n_items = len(data)
    assert frac.attrs["n_items"] == item.attrs["n_items"] == n_items
    # fractional: each item adds 1 in total, so nothing is dropped or double-counted
    assert frac["count_fractional"].sum() == pytest.approx(n_items)
    assert frac["share_fractional"].sum() == pytest.approx(1.0 if n_items else 0.0)
    assert (item["n"] == n_items).all()  # n is the base on every row
    # item: each item is counted at least once (exactly once for single-valued facets)
    if facet in SINGLE_VALUED:
        assert int(item["count"].sum()) == n_items
    else:
        assert int(item["count"].sum()) >= n_items
    assert item["count"].tolist() == frac["count"].tolist()
    assert (item["count"] >= 0).all()


# --------------------------------------------------------------------------- export safety

NUMBERS = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False))
# no control characters other than tab, LF and CR (Outputs strips the others: tested below)
_CHARS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\r\n")
TEXTS = st.one_of(st.text(_CHARS, max_size=10),
                  st.tuples(st.sampled_from(FORMULA_PREFIXES), st.text(_CHARS, max_size=8))
                  .map("".join))


@st.composite
def export_tables(draw):
    n = draw(st.integers(1, 6))
    return pd.DataFrame({
        "label": pd.array(draw(st.lists(st.one_of(st.none(), TEXTS), min_size=n, max_size=n)),
                          dtype="string"),
        "note": pd.Series(draw(st.lists(TEXTS, min_size=n, max_size=n)), dtype=object),
        "value": draw(st.lists(st.integers(-10**6, 10**6), min_size=n, max_size=n)),
        "ratio": draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=n, max_size=n)),
    })


def _risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


@SETTINGS
@given(table=export_tables())
def test_neutralise_formulas_leaves_no_formula_and_keeps_numbers(table):
    safe = neutralise_formulas(table)
    for col in ("label", "note"):
        for before, after in zip(table[col].tolist(), safe[col].tolist(), strict=True):
            if before is None or before is pd.NA:
                assert after is None or after is pd.NA
            elif _risky(before):
                assert after == "'" + before  # definition: one apostrophe in front
            else:
                assert after == before
            assert not _risky(after)
    pd.testing.assert_series_equal(safe["value"], table["value"])
    pd.testing.assert_series_equal(safe["ratio"], table["ratio"])


@FEW
@example(mixed=["total", -1])
@given(mixed=st.lists(st.one_of(TEXTS, NUMBERS), min_size=1, max_size=6))
def test_neutralise_formulas_keeps_numbers_in_mixed_columns(mixed):
    table = pd.DataFrame({"mixed": pd.Series(mixed, dtype=object)})
    safe = neutralise_formulas(table)
    for before, after in zip(mixed, safe["mixed"].tolist(), strict=True):
        if isinstance(before, str):
            assert not _risky(after)
        else:
            assert after == before and type(after) is type(before)


@FEW
@given(table=export_tables())
def test_exported_files_hold_no_formula(table, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out")
    out = Outputs(folder)
    out.table(table, "export", suppress=False)
    from openpyxl import load_workbook

    xlsx = folder / "tables" / "export.xlsx"
    ws = load_workbook(xlsx).active
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for name, cell in zip(header, row, strict=True):
            assert cell.data_type != "f", "a formula cell was written"
            if cell.data_type == "s":
                assert not _risky(cell.value), (name, cell.value)
    got = pd.read_excel(xlsx)
    np.testing.assert_array_equal(got["value"].to_numpy(), table["value"].to_numpy())
    np.testing.assert_allclose(got["ratio"].to_numpy(), table["ratio"].to_numpy(), rtol=1e-15)
    import csv

    with open(folder / "tables" / "export.csv", newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    assert len(rows) == len(table)
    for col in ("label", "note"):
        j = header.index(col)
        assert not any(_risky(r[j]) for r in rows), col
    assert [int(r[header.index("value")]) for r in rows] == table["value"].tolist()


def test_outputs_table_with_a_control_character(tmp_path):
    out = Outputs(tmp_path)
    try:
        out.table(pd.DataFrame({"label": ["a\x01b"], "n": [7]}), "ctrl", suppress=False)
    except BabyRoomError as exc:
        assert "label" in str(exc)
        return
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "tables" / "ctrl.xlsx").active["A2"].value in ("ab", "a b")


def test_csv_export_quotes_cr(tmp_path):
    import csv

    out = Outputs(tmp_path)
    table = pd.DataFrame({"region": ["North\rEast", "\rLondon"], "n": [10, 12]})
    out.table(table, "cr", suppress=False)
    with open(tmp_path / "tables" / "cr.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["region", "n"], ["North\rEast", "10"], ["'\rLondon", "12"]]


PATHISH = st.lists(st.sampled_from(["..", ".", "/", "\\", "a", "b1", "_", "-", "C:", "~",
                                    "x.csv", "\x00", " ", "é"]), min_size=1, max_size=5)


@SETTINGS
@given(name=st.one_of(st.text(max_size=12), PATHISH.map("".join)))
def test_safe_name_accepts_only_plain_file_stems(name, tmp_path_factory):
    try:
        accepted = safe_name(name)
    except BabyRoomError as exc:
        assert repr(name) in str(exc)
        return
    assert accepted == name
    assert "/" not in name and "\\" not in name and ".." not in name
    assert os.sep not in name and "\x00" not in name
    assert not Path(name).is_absolute() and Path(name).name == name
    assert name not in (".", "..") and not name.startswith(("-", "."))
    # and Outputs writes only inside its folder
    outer = tmp_path_factory.mktemp("outer")
    folder = outer / "out"
    out = Outputs(folder)
    out.table(pd.DataFrame({"region": ["A"], "n": [7]}), name, suppress=False)
    assert [p.name for p in outer.iterdir()] == ["out"]
    for p in out.written:
        assert p.resolve().parent == (folder / "tables").resolve()


@FEW
@given(name=PATHISH.map("".join))
def test_outputs_refuses_path_like_names(name, tmp_path_factory):
    assume(any(s in name for s in ("/", "\\", "..", "\x00")) or not name[:1].isalnum())
    outer = tmp_path_factory.mktemp("outer")
    out = Outputs(outer / "out")
    with pytest.raises(BabyRoomError, match="output name must be a plain file name"):
        out.table(pd.DataFrame({"region": ["A"], "n": [7]}), name)
    assert list(outer.iterdir()) == []
    assert out.written == []
