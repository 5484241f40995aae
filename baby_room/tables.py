"""Publication tables ("Table 1"): one formatted cell per estimate, as gtsummary's tbl_svysummary.

:func:`summary_table` takes the survey, its design and the variables to describe, optionally
split ``by=`` a grouping, and returns a :class:`PublicationTable`:

- a numeric variable gets two rows, **mean (95% CI)** and **median (IQR)**;
- a categorical, boolean or Likert variable gets one row per answer, **weighted % (95% CI)**
  with the **unweighted n** of units giving that answer;
- an **Overall** column beside one column per group, and with ``by=`` a design-based test per
  variable: the Rao-Scott second-order F test for a categorical variable
  (``SurveyDesign.chisq``), the Wald F test of equal means for a numeric one
  (``SurveyDesign.wald_test_means``);
- a footnote with the design, the interval methods, the source and "SYNTHETIC DATA" where so.

Rows are labelled with the codebook's question wording (:mod:`baby_room.codebook`), never with
column names or model-formula terms. Room-level variables (group size, staff, the EYFS rules)
count each room once with the room design of :func:`baby_room.survey.indicators.room_design`;
the others count respondents. The estimates are the same calls the indicator functions make
(``group_size_summary``, ``ratio_summary``, ``workforce_summary``, ``likert_summary``), so the
numbers are theirs; ``tests/test_tables.py`` checks that.

Rendering: HTML and LaTeX with great_tables (``to_html``, ``to_latex``, and in Jupyter),
Word with python-docx (``to_docx``), CSV and Excel through :class:`baby_room.outputs.Outputs`
(``save``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import as_columns, check_ci_method, check_conf_level, check_frame
from baby_room.codebook import SURVEY
from baby_room.style import source_of

__all__ = ["DERIVED_LABELS", "REPORT_TABLES", "PublicationTable", "publication_tables",
           "summary_table"]

#: Questions of variables the room table derives (not in the codebook).
DERIVED_LABELS = {
    "babies_per_adult": "Babies per adult in the room.",
    "meets_eyfs_ratio": "Room meets the EYFS under-2 ratio (at most 3 babies per adult).",
    "over_eyfs_ratio": "Room has more than 3 babies per adult.",
    "rule_level3": "EYFS rule: at least one member of staff with Level 3 or above.",
    "rule_half_others_level2": "EYFS rule: at least half of the other staff with Level 2.",
    "rule_half_baby_trained": "EYFS rule: at least half of the staff trained for babies.",
    "rule_all": "Room meets all three EYFS under-2 staffing rules.",
    "n_respondents": "Respondents describing the room.",
}
#: Columns analysed on the room table (one row per room).
ROOM_VARIABLES = frozenset({
    "group_size", "staff_in_room", "staff_level3", "staff_level2", "staff_baby_trained",
    "settling_in", *DERIVED_LABELS,
})
_LEVEL_LABELS = {
    "gradual_flexible": "Gradual, flexible", "gradual_fixed": "Gradual, fixed",
    "single_visit": "A single visit", "none": "None", "level_2": "Level 2",
    "level_3": "Level 3", "level_4_5": "Level 4-5", "level_6_plus": "Level 6 or above",
    "room_leader": "Room leader",
}


def _label(var: str) -> str:
    if var in SURVEY:
        return SURVEY[var].description.rstrip(".")
    return DERIVED_LABELS.get(var, var.replace("_", " ").capitalize()).rstrip(".")


def _level_label(level) -> str:
    text = str(level)
    return _LEVEL_LABELS.get(text, text[:1].upper() + text[1:].replace("_", " "))


def _design_text(design) -> str:
    if design is None:
        return "simple random sample, equal weights"
    spec = design.spec
    parts = []
    if spec.get("weights"):
        parts.append(f"weights {spec['weights']}")
    if spec.get("strata"):
        parts.append(f"strata {spec['strata']}")
    if spec.get("cluster"):
        parts.append(f"clusters {spec['cluster']}")
    if spec.get("fpc"):
        parts.append(f"fpc {spec['fpc']}")
    return "; ".join(parts) or "equal weights"


def _fmt(x: float, digits: int) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _is_numeric(series: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(series.dtype)
            and not pd.api.types.is_bool_dtype(series.dtype)
            and not isinstance(series.dtype, pd.CategoricalDtype))


def _rows(res: pd.DataFrame, by: list[str], *columns: str):
    """``(group label, values...)`` per row of a result by ``by``, as Python scalars.

    The group label joins the ``by`` values with " / " (``Overall`` when by is empty).
    """
    if by:
        parts = [res[b].astype("string").tolist() for b in by]
        labels = [" / ".join(key) for key in zip(*parts, strict=True)]
    else:
        labels = ["Overall"] * len(res)
    return zip(labels, *(res[c].tolist() for c in columns), strict=True)


def _numeric_cells(design, var, by, conf_level, digits):
    cells = []
    for cols in ([], by) if by else ([],):
        mean = design.mean(var, by=cols or None, conf_level=conf_level)
        qs = {q: dict(_rows(design.quantile(var, q, by=cols or None), cols, "estimate"))
              for q in (0.25, 0.5, 0.75)}
        for col, est, lo, hi, n in _rows(mean, cols, "estimate", "ci_low", "ci_high", "n"):
            cells.append({"level": f"Mean ({conf_level:.0%} CI)", "measure": "mean", "column": col,
                          "estimate": float(est), "ci_low": float(lo),
                          "ci_high": float(hi), "n": int(n),
                          "text": f"{_fmt(est, digits)} "
                                  f"({_fmt(lo, digits)}–{_fmt(hi, digits)})"})
            med, q1, q3 = (float(qs[q][col]) for q in (0.5, 0.25, 0.75))
            cells.append({"level": "Median (IQR)", "measure": "median", "column": col,
                          "estimate": med, "ci_low": q1, "ci_high": q3, "n": int(n),
                          "text": f"{_fmt(med, digits)} ({_fmt(q1, digits)}–{_fmt(q3, digits)})"})
    return cells


def _levels(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    if pd.api.types.is_bool_dtype(series.dtype):
        return [True]
    return sorted(series.dropna().unique().tolist())


def _answer_counts(hits: pd.DataFrame, table: pd.DataFrame, cols: list[str]) -> dict:
    """Units giving each answer (a column of ``hits``), per group label of ``cols``."""
    if not cols:
        return {name: {"Overall": int(total)} for name, total in hits.sum().items()}
    sums = hits.groupby([table[b] for b in cols], observed=False).sum()
    labels = (sums.index.astype("string") if len(cols) == 1 else
              [" / ".join(map(str, k)) for k in sums.index])
    return {name: dict(zip(labels, sums[name].tolist(), strict=True)) for name in hits.columns}


def _categorical_cells(design, table, var, by, conf_level, ci_method, digits, min_count):
    cells = []
    series = table[var]
    levels = _levels(series)
    if not levels:
        return cells
    # one indicator column per answer (missing where the answer is), all on one design
    values, missing = series.astype(object), series.isna().to_numpy()
    given = {f"_lvl_{var}_{i}": (values == level).to_numpy(dtype=bool)
             for i, level in enumerate(levels)}
    flags = {name: pd.Series(pd.arrays.BooleanArray(hit, missing.copy()), index=table.index)
             for name, hit in given.items()}
    d = design.with_data(table.assign(**flags))
    hits = pd.DataFrame({name: (hit & ~missing).astype(int) for name, hit in given.items()},
                        index=table.index)
    groupings = ([], by) if by else ([],)
    counts = [_answer_counts(hits, table, cols) for cols in groupings]
    for level, ind in zip(levels, flags, strict=True):
        for cols, count in zip(groupings, counts, strict=True):
            res = d.proportion(ind, by=cols or None, ci_method=ci_method,
                               conf_level=conf_level)
            count = count[ind]
            for col, p, p_lo, p_hi, n in _rows(res, cols, "estimate", "ci_low", "ci_high",
                                               "n"):
                k = int(count.get(col, 0))
                est = float(p) * 100
                lo, hi = float(p_lo) * 100, float(p_hi) * 100
                text = (f"{_fmt(est, digits)}% ({_fmt(lo, digits)}–{_fmt(hi, digits)}); "
                        f"n = {k}")
                if min_count and 0 < k < min_count:
                    text = "[c]"
                cells.append({
                    "level": "Yes" if level is True else _level_label(level),
                    "measure": "percent", "column": col, "estimate": float(p),
                    "ci_low": float(p_lo), "ci_high": float(p_hi),
                    "n": int(n), "count": k, "text": text})
    return cells


def _without_attrs(design):
    """The same design on a shallow copy of its table with empty ``attrs``."""
    table = design.data.copy(deep=False)
    table.attrs = {}
    return design.with_data(table)


def _test(design, var, by, numeric):
    if not by:
        return None, np.nan, np.nan
    try:
        if numeric:
            res = design.wald_test_means(var, by[0] if len(by) == 1 else by)
            name = "Wald F"
        else:
            res = design.chisq(var, by[0])
            name = "Rao-Scott F"
    except Exception:  # a test that cannot be computed (one group) is left blank
        return None, np.nan, np.nan
    stat = res.iloc[0]
    return name, float(stat["statistic"]), float(stat["p_value"])


def summary_table(data: pd.DataFrame, *, variables, by=None, design=None,
                  conf_level: float = 0.95, ci_method: str = "logit", digits: int = 1,
                  min_count: int | None = None,
                  title: str | None = None) -> PublicationTable:
    """A publication table of survey variables: weighted estimates with intervals, one cell each.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table (canonical survey columns).
    variables : str or list of str
        Survey columns or room-derived columns (:data:`DERIVED_LABELS`). Numeric columns give
        mean (CI) and median (IQR); categorical, boolean and Likert columns give weighted
        % (CI) per answer with the unweighted n.
    by : str, optional
        A grouping column: one column of cells per group beside Overall, and a test per
        variable.
    design : SurveyDesign, optional
        Design on ``data`` (room variables use the room design derived from it); None:
        simple random sample with equal weights.
    conf_level : float, default 0.95
        Level of the intervals of means and percentages.
    ci_method : str, default "logit"
        Interval of proportions (``baby_room._args.CI_METHODS``), as R's ``svyciprop``.
    digits : int, default 1
        Decimals shown (percentages and group sizes).
    min_count : int, optional
        Disclosure control: a percentage resting on fewer than ``min_count`` units giving
        that answer (and more than none) is shown as ``[c]`` (the estimate stays in
        ``.data``, which is not for publication); the footnote says so.
    title : str, optional
        Table title.

    Returns
    -------
    PublicationTable
        ``.data``: the tidy table, one row per cell: ``variable, label, level, measure,
        column, estimate, ci_low, ci_high, n, count, text`` (estimates unrounded,
        proportions 0-1; for a median ``ci_low``/``ci_high`` are the quartiles);
        ``.tests``: one row per variable ``variable, label, test, statistic, p_value``;
        ``.footnote``; renderers ``to_html``, ``to_latex``, ``to_docx``, ``wide``, ``save``.

    Notes
    -----
    Mean: ``SurveyDesign.mean`` (Horvitz-Thompson ratio mean, linearised SE,
    t(df) interval); median and quartiles: ``SurveyDesign.quantile`` (weighted CDF, as R
    ``svyquantile``); percentage: ``SurveyDesign.proportion`` of the answer's indicator
    (``ci_method`` interval); tests: Rao & Scott (1984) second-order corrected F and the
    design-based Wald F (Lumley 2010, ch. 3 and 6).

    Examples
    --------
    >>> import baby_room as br
    >>> t = summary_table(br.synthetic.survey(), variables=["group_size", "cpd_baby_past_year"])
    >>> t.data.loc[0, "text"]
    '13.0 (12.5–13.5)'
    >>> t.data.loc[0, "label"]
    'Babies (children under 2) in the room (group size)'
    """
    from baby_room.survey._common import respondent_design, room_level

    fn = "summary_table"
    check_frame(data, function=fn)
    variables = as_columns(variables, function=fn, parameter="variables")
    by = as_columns(by, function=fn, parameter="by", data=data)
    conf_level = check_conf_level(conf_level, function=fn)
    ci_method = check_ci_method(ci_method, function=fn)
    room_table, rdesign = room_level(data, design, function=fn)
    resp = respondent_design(data, design, function=fn)
    missing = [v for v in variables
               if v not in (room_table.columns if v in ROOM_VARIABLES else resp.data.columns)]
    if missing:
        check_frame(data, function=fn, parameter="variables", columns=missing)
    # the cells are computed on the designs' tables without their attrs: pandas deep-copies
    # a frame's attrs into every column and result taken from it, and none is kept here
    # (the table's own attrs come from ``data`` below)
    plain = {"rooms": _without_attrs(rdesign), "respondents": _without_attrs(resp)}
    rows, tests = [], []
    for var in variables:
        unit = "rooms" if var in ROOM_VARIABLES else "respondents"
        d = plain[unit]
        table = d.data
        numeric = _is_numeric(table[var])
        cells = (_numeric_cells(d, var, by, conf_level, digits) if numeric else
                 _categorical_cells(d, table, var, by, conf_level, ci_method, digits,
                                    min_count))
        for c in cells:
            c.update(variable=var, label=_label(var), unit=unit)
        rows += cells
        name, stat, p = _test(d, var, by, numeric)
        tests.append({"variable": var, "label": _label(var), "test": name, "statistic": stat,
                      "p_value": p})
    cols = ["variable", "label", "unit", "level", "measure", "column", "estimate", "ci_low",
            "ci_high", "n", "count", "text"]
    tidy = pd.DataFrame(rows).reindex(columns=cols)
    tidy["count"] = tidy["count"].astype("Int64")
    tidy["n"] = tidy["n"].astype("int64")
    source, synthetic = source_of(data)
    group_n = {}
    for unit, d in (("rooms", rdesign), ("respondents", resp)):
        sizes = {"Overall": len(d.data)}
        if by:
            g = d.data.groupby(by, observed=False).size()
            sizes.update({(" / ".join(map(str, k)) if isinstance(k, tuple) else str(k)): int(v)
                          for k, v in g.items()})
        group_n[unit] = sizes
    footnote = (
        f"Weighted estimates from the survey design ({_design_text(design)}). "
        f"Mean ({conf_level:.0%} CI): design-based mean with a t interval; median (IQR): "
        f"weighted quartiles; % ({conf_level:.0%} CI): weighted percentage with a "
        f"{ci_method} interval, n = unweighted number giving that answer. "
        + ("Tests: Rao-Scott second-order F (categorical), design-based Wald F (means). "
           if by else "")
        + "Rooms counted once (room-level questions); respondents otherwise. "
        + (f"[c]: fewer than {min_count} gave that answer (suppressed). " if min_count else "")
        + f"Source: {source or 'not recorded'}."
        + (" SYNTHETIC DATA: not real survey responses." if synthetic else "")
    )
    tidy.attrs.update(source=source, synthetic=bool(synthetic), conf_level=conf_level,
                      ci_method=ci_method, design=_design_text(design))
    return PublicationTable(tidy, pd.DataFrame(tests), by=by, footnote=footnote,
                            title=title or "Survey summary", group_n=group_n)


#: Variables of the report's publication tables: (title, variables, by).
REPORT_TABLES = (
    ("Table 1. Baby rooms: group size, ratio and staffing rules, by type of provider",
     ["group_size", "meets_eyfs_ratio", "rule_level3", "rule_half_others_level2",
      "rule_half_baby_trained", "rule_all", "settling_in"], "setting_type"),
    ("Table 2. Respondents: CPD and how valued they feel, by type of provider",
     ["cpd_baby_past_year", "valued_by_manager", "valued_by_parents", "valued_by_society"],
     "setting_type"),
)


def publication_tables(project, *, threshold: int = 5) -> list:
    """The report's publication tables (:data:`REPORT_TABLES`) of a project's survey.

    :func:`baby_room.tables.summary_table` of each table's variables that the survey holds
    (a survey may lack a question), with cells on fewer than ``threshold`` units shown as
    ``[c]``; an empty list when the project has no survey data. They need only the data,
    so the report computes them in its front page's data step
    (:func:`baby_room.report_page.page_data`), beside the notebooks, and
    :func:`baby_room.word.write_report_docx` shows them.

    Examples
    --------
    >>> import baby_room as br
    >>> [t.title[:8] for t in publication_tables(br.load_project())]
    ['Table 1.', 'Table 2.']
    """
    present = set(getattr(project, "present", ("survey", "coding", "evidence")))
    if "survey" not in present or not len(project.survey):
        return []
    from baby_room.survey.indicators import rooms

    known = set(project.survey.columns) | set(rooms(project.survey).columns)
    return [summary_table(project.survey, variables=[v for v in variables if v in known],
                          by=by, title=title, min_count=threshold)
            for title, variables, by in REPORT_TABLES]


class PublicationTable:
    """A formatted survey table: tidy cells, tests, footnote, and its renderings.

    Made by :func:`summary_table`; ``data`` is the tidy table, :meth:`wide` the table as
    printed (one row per answer, one column per group).

    Examples
    --------
    >>> import baby_room as br
    >>> t = summary_table(br.synthetic.survey(), variables=["setting_type"], by="region")
    >>> list(t.wide().columns[:4])
    ['Question', 'Answer', 'Overall', 'North East']
    """

    def __init__(self, data, tests, *, by, footnote, title, group_n):
        self.data = data
        self.tests = tests
        self.by = by
        self.footnote = footnote
        self.title = title
        self.group_n = group_n

    def columns(self) -> list[str]:
        """Overall, then the groups in the order of the data."""
        return list(dict.fromkeys(["Overall", *self.data["column"].tolist()]))

    def wide(self) -> pd.DataFrame:
        """The table as printed: ``Question, Answer``, Overall and group columns, ``Test``."""
        d = self.data.assign(_order=range(len(self.data)))
        keys = ["label", "level"]
        first = d.groupby(keys, sort=False)["_order"].min()
        wide = d.pivot_table(index=keys, columns="column", values="text", aggfunc="first",
                             sort=False)
        wide = wide.reindex(first.sort_values().index)[self.columns()].reset_index()
        wide = wide.rename(columns={"label": "Question", "level": "Answer"})
        if self.by:
            t = self.tests.set_index("label")
            text = {}
            for label, r in t.iterrows():
                text[label] = ("" if r["test"] is None or not np.isfinite(r["statistic"]) else
                               f"{r['test']} = {r['statistic']:.2f}, p {_p(r['p_value'])}")
            first_row = ~wide["Question"].duplicated()
            wide["Test"] = np.where(first_row, wide["Question"].map(text), "")
        wide.columns.name = None
        return wide.fillna("–")

    def _header_labels(self) -> dict[str, str]:
        units = set(self.data["unit"])
        unit = units.pop() if len(units) == 1 else None
        labels = {}
        for col in self.columns():
            if unit:
                labels[col] = f"{col} (N = {self.group_n[unit].get(col, 0)} {unit})"
            else:
                labels[col] = col
        return labels

    def _gt(self):
        import hashlib

        from great_tables import GT

        wide = self.wide()
        # a fixed id (great_tables draws a random one), so rebuilt pages are byte-identical
        key = hashlib.sha256((self.title + wide.to_csv()).encode()).hexdigest()[:10]
        gt = (GT(wide, rowname_col="Answer", groupname_col="Question", id=f"br-{key}")
              .tab_header(title=self.title)
              .cols_label(**self._header_labels())
              .tab_source_note(self.footnote))
        return gt

    def to_html(self) -> str:
        """HTML (great_tables), self-contained, for a page or a notebook."""
        return self._gt().as_raw_html()

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self) -> str:
        """LaTeX (great_tables ``as_latex``; needs the booktabs, caption, longtable packages)."""
        return self._gt().as_latex()

    def to_docx(self, document) -> None:
        """Append the table (title, cells, footnote) to a python-docx ``Document``."""
        wide = self.wide()
        labels = self._header_labels()
        headers = ["", *[labels.get(c, c) for c in wide.columns[2:]]]
        document.add_paragraph(self.title, style="Caption")
        body = []
        for question, grp in wide.groupby("Question", sort=False):
            body.append((True, [question] + [""] * (len(headers) - 1)))
            for _, r in grp.iterrows():
                body.append((False, [str(r["Answer"]), *[str(r[c]) for c in wide.columns[2:]]]))
        from baby_room._docx import insert_table_xml, row_xml

        rows = [row_xml(headers, bold=True)]
        rows += [row_xml(texts, bold=is_group) for is_group, texts in body]
        insert_table_xml(document, len(headers), "".join(rows))
        document.add_paragraph(self.footnote, style="Normal")

    def save(self, outputs, name: str) -> pd.DataFrame:
        """Save the printed table as CSV and Excel through ``baby_room.outputs.Outputs``."""
        wide = self.wide()
        wide.attrs = {"footnote": self.footnote}
        return outputs.table(wide, name, suppress=False)


def _p(p: float) -> str:
    if not np.isfinite(p):
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"

