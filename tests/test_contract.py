"""The result contract (docs/result-contract.md), checked on every public function.

Every public function of baby_room.survey, .focus_groups and .evidence (and their figure
modules) is listed here: an analysis with an example call on the bundled synthetic data,
or a reader/helper with the reason it is not an analysis. A public function that is in
neither list fails ``test_every_public_function_is_registered``, so a new function cannot
skip the contract.

Checked for every analysis, by calling it:
- signature: first parameter ``data``; the rest keyword-only (except the few variables a
  test is about, listed in POSITIONAL); no ``ci=``, ``alpha=`` or ``coding=`` parameter;
- result: one DataFrame with a RangeIndex, snake_case identifier column names, no
  percentage columns, the estimate block ``estimate, se, ci_low, ci_high, df, n`` in that
  order, ``n`` a non-negative whole number, ``statistic`` numeric (a test statistic), ``by``
  columns first;
- attrs: scalars only, ``source`` and ``synthetic`` carried from the input, ``unit`` when
  the result has ``n``, ``ci_method`` when the function takes it;
- intervals: a function whose result has ``ci_low`` takes ``conf_level=``, records it in
  attrs, and gives narrower intervals at 0.80 than at 0.95 (never wider, strictly narrower
  for some row) — an independent property of any interval, not a restated constant;
- shares: a ``share`` column comes with ``count`` and the base ``n``, and equals count / n;
- proportions: a function taking ``ci_method=`` returns estimates and limits within [0, 1];
- figures: ``data`` first, ``ax=None``, and ``conf_level=`` when they draw intervals.

Known deviations are listed in KNOWN_DEVIATIONS and run as strict xfails: fixing one makes
its xfail pass, which fails the suite until the entry is removed.
"""

from __future__ import annotations

import importlib
import inspect
import keyword
import re

import numpy as np
import pandas as pd
import pytest

import baby_room as br

DOMAINS = ("baby_room.survey", "baby_room.focus_groups", "baby_room.evidence")
FIGURE_MODULES = ("baby_room.survey.plots", "baby_room.focus_groups.plots",
                  "baby_room.evidence.plots")


# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def survey():
    return br.synthetic.survey()


@pytest.fixture(scope="module")
def coding():
    return br.synthetic.coding()


@pytest.fixture(scope="module")
def evidence():
    return br.synthetic.evidence()


LIKERT = ["valued_by_manager", "valued_by_parents", "valued_by_society"]

#: analysis name -> (data kind, example call taking the data). ``by`` is passed where the
#: function groups, so the by-columns-first rule is exercised.
EXAMPLES = {
    # survey
    "survey.group_size_summary": ("survey", lambda f, d: f(d, by="region")),
    "survey.ratio_summary": ("survey", lambda f, d: f(d, by="region")),
    "survey.workforce_summary": ("survey", lambda f, d: f(d, by="setting_type")),
    "survey.likert_summary": ("survey", lambda f, d: f(d, LIKERT, by="role")),
    "survey.cronbach_alpha": ("survey", lambda f, d: f(d, LIKERT)),
    "survey.association_test": ("survey", lambda f, d: f(d, "role", "cpd_baby_past_year")),
    "survey.means_test": ("survey", lambda f, d: f(d, "group_size", "region")),
    "survey.compare_area": ("survey", lambda f, d: f(d, area="London", level="region")),
    "survey.fit_group_size_model": ("survey", lambda f, d: f(d, "group_size ~ setting_type")),
    "survey.published_figures": ("survey", lambda f, d: f(d)),
    "survey.rooms": ("survey", lambda f, d: f(d)),
    "survey.count_room_conflicts": ("survey", lambda f, d: f(d)),
    "survey.list_room_conflicts": ("survey", lambda f, d: f(d)),
    # focus groups
    "focus_groups.code_frequencies": ("coding", lambda f, d: f(d, by="role")),
    "focus_groups.code_cooccurrence": ("coding", lambda f, d: f(d)),
    "focus_groups.coding_summary": ("coding", lambda f, d: f(d, by="conference")),
    "focus_groups.saturation_curve": ("coding", lambda f, d: f(d)),
    "focus_groups.intercoder_agreement": ("coding", lambda f, d: f(d)),
    "focus_groups.disagreements": ("coding", lambda f, d: f(d)),
    "focus_groups.double_coded": ("coding", lambda f, d: f(d)),
    "focus_groups.export_quotes": ("coding", lambda f, d: f(d, code=d["code"].iloc[0])),
    "focus_groups.code_by_attribute": ("coding", lambda f, d: f(d, attribute="role")),
    "focus_groups.case_code_table": ("coding", lambda f, d: f(d)),
    "focus_groups.code_overlaps": ("coding", lambda f, d: f(d, code_1=d["code"].iloc[0],
                                                           code_2=d["code"].iloc[1])),
    # evidence
    "evidence.breakdown": ("evidence", lambda f, d: f(d, facet="country")),
    "evidence.by_country": ("evidence", lambda f, d: f(d)),
    "evidence.by_continent": ("evidence", lambda f, d: f(d)),
    "evidence.by_un_region": ("evidence", lambda f, d: f(d)),
    "evidence.uk_vs_rest": ("evidence", lambda f, d: f(d)),
    "evidence.by_uk_nation": ("evidence", lambda f, d: f(d)),
    "evidence.by_year": ("evidence", lambda f, d: f(d, by="publication_type")),
    "evidence.by_decade": ("evidence", lambda f, d: f(d)),
    "evidence.by_publication_type": ("evidence", lambda f, d: f(d)),
    "evidence.by_design": ("evidence", lambda f, d: f(d)),
    "evidence.by_age_focus": ("evidence", lambda f, d: f(d)),
    "evidence.by_instrument_family": ("evidence", lambda f, d: f(d)),
    "evidence.by_instrument": ("evidence", lambda f, d: f(d)),
    "evidence.by_dimension": ("evidence", lambda f, d: f(d)),
    "evidence.gap_map": ("evidence", lambda f, d: f(d)),
    "evidence.flag_duplicates": ("evidence", lambda f, d: f(d)),
    "evidence.flag_years": ("evidence", lambda f, d: f(d)),
    "evidence.duplicate_review": ("evidence", lambda f, d: f(d)),
}

#: Public names that are not analyses of a canonical table, with the reason.
NOT_ANALYSES = {
    "survey.SurveyDesign": "the design class; its estimators are checked in test_survey_design",
    "survey.load_survey": "a loader: takes the source (path or DataFrame) first",
    "survey.room_design": "builds a SurveyDesign, not a result table",
    "focus_groups.QdaProject": "a container class returned by read_qdpx",
    "focus_groups.load_coding": "a loader",
    "focus_groups.load_codebook": "a loader",
    "focus_groups.read_qdpx": "a reader",
    "focus_groups.read_qdc": "a reader",
    "focus_groups.read_maxqda_segments": "a reader",
    "focus_groups.read_qualcoder_codings": "a reader",
    "focus_groups.read_taguette_highlights": "a reader",
    "focus_groups.detect_coding_format": "names the format of a file",
    "focus_groups.agreement_from_presence": "takes two coders' 0/1 tables, not the coding",
    "focus_groups.landis_koch": "labels one number",
    "evidence.load_evidence": "a loader",
    "evidence.read_ris": "a reader",
    "evidence.read_bibtex": "a reader",
    "evidence.read_rayyan": "a reader",
    "evidence.merge_bibliography": "joins two reader outputs (records, metadata)",
    "evidence.parse_rayyan_notes": "parses a column of Rayyan notes",
    "evidence.normalise_countries": "normalises a column of country strings",
    "evidence.normalise_instruments": "normalises a column of instrument strings",
    "evidence.item_categories": "lists each item's categories (the members behind a count)",
    "evidence.evidence_explorer": "writes an HTML page (its numbers are gap_map's, by_country's)",
    "evidence.country_table": "the bundled country reference table",
    "evidence.read_bibliography": "a reader",
    "evidence.read_covidence": "a reader",
    "evidence.read_endnote_xml": "a reader",
    "evidence.read_medline": "a reader",
    "evidence.read_wos": "a reader",
    "evidence.read_zotero_csv": "a reader",
    "evidence.detect_bibliography_format": "names the format of a text",
    "evidence.affiliation_countries": "parses the affiliations column of a bibliographic export",
    "evidence.merge_duplicates": "merges the records flag_duplicates grouped (records out, not a statistic)",
    "evidence.prisma_counts": "takes a screening log or counts, not the evidence table",
}

#: Parameters that may stay positional after ``data`` (the variables a test is about).
POSITIONAL = {
    "survey.likert_summary": {"items"},
    "survey.cronbach_alpha": {"items"},
    "survey.association_test": {"var1", "var2"},
    "survey.means_test": {"var", "group"},
    "survey.fit_group_size_model": {"formula"},
}

#: Deviations found when the contract was written (strict xfails). Remove an entry when
#: its function keeps the contract.
KNOWN_DEVIATIONS: dict[str, str] = {}


# --------------------------------------------------------------------------- discovery


def _public_functions():
    out = {}
    for pkg in DOMAINS:
        module = importlib.import_module(pkg)
        short = pkg.split(".", 1)[1]
        for name in module.__all__:
            out[f"{short}.{name}"] = getattr(module, name)
    return out


def _figure_functions():
    out = {}
    for modname in FIGURE_MODULES:
        module = importlib.import_module(modname)
        for name, obj in vars(module).items():
            if name.startswith("plot_") and inspect.isfunction(obj) and obj.__module__ == modname:
                out[f"{modname.split('.', 1)[1]}.{name}"] = obj
    return out


def _param(name):
    marks = []
    if name in KNOWN_DEVIATIONS:
        marks.append(pytest.mark.xfail(reason=KNOWN_DEVIATIONS[name], strict=True))
    return pytest.param(name, id=name, marks=marks)


# --------------------------------------------------------------------------- checks


def _signature_problems(name, func) -> list[str]:
    problems = []
    params = list(inspect.signature(func).parameters.values())
    if not params or params[0].name != "data":
        problems.append(f"first parameter is {params[0].name if params else None!r}, not 'data'")
    allowed = POSITIONAL.get(name, set())
    for p in params[1:]:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in allowed:
            problems.append(f"parameter {p.name!r} is not keyword-only")
        if p.name in {"ci", "alpha", "coding"}:
            problems.append(f"parameter {p.name!r} is spelt against the contract")
    return problems


_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def _result_problems(name, func, result, data, by) -> list[str]:
    problems = []
    if not isinstance(result, pd.DataFrame):
        return [f"returned {type(result).__name__}, not a DataFrame"]
    if not isinstance(result.index, pd.RangeIndex):
        problems.append(f"index is {type(result.index).__name__}, not a RangeIndex")
    cols = [str(c) for c in result.columns]
    bad = [c for c in cols if not _IDENT.match(c) or keyword.iskeyword(c)]
    if bad:
        problems.append(f"column names not snake_case identifiers: {bad}")
    pct = [c for c in cols if re.search(r"(^|_)(pct|percent)($|_)", c)]
    if pct:
        problems.append(f"percentage columns (proportions must be 0-1): {pct}")
    block = [c for c in ("estimate", "se", "ci_low", "ci_high", "df", "n") if c in cols]
    if [c for c in cols if c in block] != block:
        problems.append(f"estimate block out of order: {[c for c in cols if c in block]}")
    if "n" in cols:
        n = pd.to_numeric(result["n"], errors="coerce")
        if n.isna().any() or (n < 0).any() or not np.allclose(n, np.round(n)):
            problems.append("n is not a non-negative whole number on every row")
    if "statistic" in cols and not pd.api.types.is_numeric_dtype(result["statistic"]):
        problems.append("statistic holds labels; use measure (statistic is a test statistic)")
    if "share" in cols:
        if not {"count", "n"} <= set(cols):
            problems.append("a share without the count and the base n it divides")
        else:
            share = pd.to_numeric(result["share"], errors="coerce")
            ratio = (pd.to_numeric(result["count"], errors="coerce")
                     / pd.to_numeric(result["n"], errors="coerce"))
            both = share.notna() & ratio.notna() & (pd.to_numeric(result["n"]) > 0)
            if not np.allclose(share[both], ratio[both], atol=1e-9):
                problems.append("share is not count / n")
    if by and cols[: len(by)] != by:
        problems.append(f"by columns {by} are not first: {cols[:len(by)]}")
    attrs = result.attrs
    nonscalar = {k: type(v).__name__ for k, v in attrs.items()
                 if not isinstance(v, str | bool | int | float | type(None))}
    if nonscalar:
        problems.append(f"non-scalar attrs: {nonscalar}")
    for key in ("source", "synthetic"):
        if attrs.get(key) != data.attrs.get(key):
            problems.append(f"attrs[{key!r}] not carried from the input")
    if "n" in cols and not attrs.get("unit"):
        problems.append("has n but attrs['unit'] does not say what n counts")
    if "ci_method" in inspect.signature(func).parameters and attrs.get("ci_method") != "logit":
        problems.append(f"attrs['ci_method'] is {attrs.get('ci_method')!r}, not the default 'logit'")
    return problems


def _interval_problems(name, func, call, data, result) -> list[str]:
    if not isinstance(result, pd.DataFrame) or "ci_low" not in result.columns:
        return []
    if "conf_level" not in inspect.signature(func).parameters:
        return ["makes intervals but takes no conf_level="]
    problems = []
    if result.attrs.get("conf_level") != 0.95:
        problems.append(f"attrs['conf_level'] is {result.attrs.get('conf_level')!r}, not 0.95")

    def narrow(f):
        return lambda *a, **k: f(*a, **k, conf_level=0.8)

    r80 = call(narrow(func), data)
    w95 = (pd.to_numeric(result["ci_high"], errors="coerce")
           - pd.to_numeric(result["ci_low"], errors="coerce")).to_numpy()
    w80 = (pd.to_numeric(r80["ci_high"], errors="coerce")
           - pd.to_numeric(r80["ci_low"], errors="coerce")).to_numpy()
    ok = ~np.isnan(w95) & ~np.isnan(w80)
    if not ok.any() or (w80[ok] > w95[ok] + 1e-12).any() or not (w80[ok] < w95[ok]).any():
        problems.append("intervals at conf_level=0.8 are not narrower than at 0.95")
    return problems


#: Results that mix proportions with other estimates (means, ratios, differences): the
#: rows and columns that hold proportions. Every other function taking ci_method= returns
#: proportions only.
_PROP = ("estimate", "ci_low", "ci_high")
MIXED_PROPORTIONS = {
    "survey.group_size_summary": lambda r: (r["measure"].str.startswith("share"), _PROP),
    "survey.ratio_summary": lambda r: (r["measure"].str.startswith("share"), _PROP),
    "survey.compare_area": lambda r: (
        r["indicator"].str.match(r"share|rule_|cpd_"),
        tuple(f"{k}_{c}" for k in ("area", "rest") for c in _PROP)),
}


def _proportion_problems(func, result, name=None) -> list[str]:
    if "ci_method" not in inspect.signature(func).parameters:
        return []
    problems = []
    rows, cols = pd.Series(True, index=result.index), _PROP
    if name in MIXED_PROPORTIONS:
        rows, cols = MIXED_PROPORTIONS[name](result)
        rows = rows.fillna(False).astype(bool)
    for col in cols:
        if col in result.columns:
            v = pd.to_numeric(result.loc[rows, col], errors="coerce").dropna()
            if ((v < -1e-12) | (v > 1 + 1e-12)).any():
                problems.append(f"{col} of a proportion outside [0, 1]")
    return problems


# --------------------------------------------------------------------------- tests


def test_every_public_function_is_registered():
    public = _public_functions()
    unregistered = sorted(set(public) - set(EXAMPLES) - set(NOT_ANALYSES))
    assert not unregistered, (
        f"public functions with no contract entry: {unregistered}. Add an example call to "
        "EXAMPLES (an analysis) or a reason to NOT_ANALYSES (tests/test_contract.py)."
    )
    stale = sorted((set(EXAMPLES) | set(NOT_ANALYSES)) - set(public))
    assert not stale, f"entries for names that are no longer public: {stale}"


@pytest.mark.parametrize("name", [_param(n) for n in sorted(EXAMPLES)])
def test_analysis_keeps_the_contract(name, request):
    func = _public_functions()[name]
    kind, call = EXAMPLES[name]
    data = request.getfixturevalue(kind)
    problems = _signature_problems(name, func)
    result = call(func, data)
    by = []
    src = inspect.getsource(call)
    m = re.search(r"by=\"(\w+)\"", src)
    if m:
        by = [m.group(1)]
    problems += _result_problems(name, func, result, data, by)
    if not problems:
        problems += _interval_problems(name, func, call, data, result)
        problems += _proportion_problems(func, result, name)
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", [_param(n) for n in sorted(_figure_functions())])
def test_figure_signature(name):
    func = _figure_functions()[name]
    params = inspect.signature(func).parameters
    problems = _signature_problems(name, func)
    # a figure's own data-shaped positional (e.g. plot_likert's items) is allowed like POSITIONAL
    problems = [p for p in problems if "not keyword-only" not in p or "'items'" not in p]
    if "ax" not in params or params["ax"].default is not None:
        problems.append("takes no ax=None")
    # a figure that draws intervals takes their level (contract: conf_level= on everything
    # that makes an interval); shown intervals are read from an analysis' ci_low/ci_high
    if re.search(r"ci_low", inspect.getsource(func)) and "conf_level" not in params:
        problems.append("draws intervals but takes no conf_level=")
    assert not problems, f"{name}: " + "; ".join(problems)


def test_argument_errors_name_function_parameter_and_value(survey):
    """A bad option is an ArgumentError naming the public function, parameter and value."""
    from baby_room.survey import ratio_summary

    with pytest.raises(br.ArgumentError) as info:
        ratio_summary(survey, by=3)
    msg = str(info.value)
    assert "ratio_summary" in msg and "by" in msg and "3" in msg
