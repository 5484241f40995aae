"""Likert items: weighted distributions, share agreeing, and Cronbach's alpha.

Each Likert item of the survey is an ordered categorical with the five levels of
:data:`baby_room.codebook.LIKERT_LEVELS` ("Strongly disagree" < "Disagree" < "Neither agree
nor disagree" < "Agree" < "Strongly agree"); item non-response is missing and left out of that
item's shares. These are respondent-level statistics: every respondent counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room._args import (
    as_columns,
    check_ci_method,
    check_conf_level,
    check_frame,
    one_of,
    result_attrs,
)
from baby_room.errors import ArgumentError
from baby_room.survey._common import (
    check_design,
    describe_design,
    finish,
    respondent_design,
    share,
)

__all__ = ["AGREE_LEVELS", "check_likert", "cronbach_alpha", "likert_summary"]

#: Ways of handling unanswered items in :func:`cronbach_alpha`.
NAN_POLICIES = ("listwise", "pairwise")

#: The levels counted as agreeing.
AGREE_LEVELS = ("Agree", "Strongly agree")


def _levels() -> tuple[str, ...]:
    from baby_room.codebook import LIKERT_LEVELS

    return tuple(LIKERT_LEVELS)


def check_likert(data: pd.DataFrame, items, *, function: str = "likert_summary") -> list[str]:
    """Check that each item is an ordered 5-level Likert category; return the item names.

    Parameters
    ----------
    data : pandas.DataFrame
    items : str or sequence of str
        Likert columns.
    function : str
        The public function called, named in the error message.

    Returns
    -------
    list of str

    Raises
    ------
    ArgumentError
        An item is missing (the message lists the columns of ``data``) or is not an ordered
        categorical with exactly the five levels, in order (the message says what it is).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1, 2, 3]})
    >>> try:
    ...     check_likert(df, ["x"])
    ... except ArgumentError as e:
    ...     print(str(e)[:74])
    likert_summary: items must be ordered categoricals with the 5 levels 'Stro
    """
    items = as_columns(items, function=function, parameter="items")
    if not items:
        raise ArgumentError(function, "items", "at least one Likert column", items)
    check_frame(data, function=function, columns=items)
    levels = _levels()
    shown = " < ".join(repr(x) for x in levels)
    for item in items:
        dtype = data[item].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cats = tuple(str(c) for c in dtype.categories)
            if cats == levels and dtype.ordered:
                continue
            kind = "an ordered" if dtype.ordered else "an unordered"
            what = f"{kind} categorical with levels {list(cats)}"
        else:
            what = f"dtype {dtype}"
        raise ArgumentError(
            function, "items", f"ordered categoricals with the 5 levels {shown}", items,
            hint=f"Item {item!r} is {what}. Load the survey with baby_room.load_survey, or "
                 "convert with pd.Categorical(values, categories="
                 "baby_room.codebook.LIKERT_LEVELS, ordered=True).",
        )
    return items


def likert_summary(data: pd.DataFrame, items, *, by=None, design=None, conf_level: float = 0.95,
                   ci_method: str = "logit") -> pd.DataFrame:
    """Weighted distribution of Likert items and the share agreeing, with CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    items : str or sequence of str
        Likert columns (ordered categoricals with the five levels).
    by : str or list of str, optional
        Subgroup column(s), e.g. ``"role"``.
    design : SurveyDesign, optional
        Design built on ``data``; default equal weights, simple random sampling.
    conf_level : float, default 0.95
        Confidence level.
    ci_method : str, default "logit"
        Interval of the shares (see :meth:`SurveyDesign.proportion`).

    Returns
    -------
    pandas.DataFrame
        Long format: ``by...``, ``item``, ``measure``, ``level``, ``estimate, se, ci_low,
        ci_high, df, n, deff``. For each item (and group):

        - ``measure == "share"``: one row per level (``level`` = the level, in scale order),
          the weighted share of respondents answering it among those answering the item;
        - ``measure == "share_agree"``: the share answering "Agree" or "Strongly agree"
          (``level`` = "Agree or Strongly agree").

        Shares and CIs come from ``SurveyDesign.proportion``; ``n`` is the
        number of respondents answering the item in the group. A group with no answers has
        ``n = 0`` and missing estimates.

    Notes
    -----
    Checked against ``statsmodels.stats.proportion.proportion_confint`` (unweighted shares)
    in ``tests/test_survey_likert.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.codebook import LIKERT_LEVELS
    >>> x = pd.Categorical(["Agree", "Agree", "Disagree", "Strongly agree"],
    ...                    categories=LIKERT_LEVELS, ordered=True)
    >>> t = likert_summary(pd.DataFrame({"confident_with_babies": x}), "confident_with_babies")
    >>> float(t.loc[t["measure"] == "share_agree", "estimate"].iloc[0])
    0.75
    """
    fn = "likert_summary"
    conf_level = check_conf_level(conf_level, function=fn)
    ci_method = check_ci_method(ci_method, function=fn)
    check_design(data, design, function=fn)
    by = as_columns(by, function=fn, data=check_frame(data, function=fn))
    items = check_likert(data, items, function=fn)
    levels = _levels()
    extra = {}
    for i, item in enumerate(items):
        col = data[item]
        miss = col.isna()
        for j, lv in enumerate(levels):
            extra[f"_lk{i}_{j}"] = (col == lv).astype("boolean").mask(miss)
        extra[f"_lk{i}_agree"] = col.isin(AGREE_LEVELS).astype("boolean").mask(miss)
    d = respondent_design(data, design, extra=extra, function=fn)
    opts = {"conf_level": conf_level, "ci_method": ci_method}
    parts = []
    for i, item in enumerate(items):
        for j, lv in enumerate(levels):
            parts.append(share(d, f"_lk{i}_{j}", by, item=item, measure="share", level=lv,
                               **opts))
        parts.append(share(d, f"_lk{i}_agree", by, item=item, measure="share_agree",
                           level="Agree or Strongly agree", **opts))
    out = finish(parts, d.data, by, ["item", "measure", "level"], data,
                 design=describe_design(design), unit="respondents", **opts)
    order = {lv: k for k, lv in enumerate([*levels, "Agree or Strongly agree"])}
    item_order = {it: k for k, it in enumerate(items)}
    attrs = out.attrs
    out = out.assign(
        _i=out["item"].map(item_order), _l=out["level"].map(order)
    ).sort_values([*by, "_i", "_l"], kind="mergesort").drop(columns=["_i", "_l"])
    out = out.reset_index(drop=True)
    out.attrs = attrs
    return out


def cronbach_alpha(data: pd.DataFrame, items, *, conf_level: float = 0.95,
                   nan_policy: str = "listwise") -> pd.DataFrame:
    """Cronbach's alpha of a set of Likert items, with Feldt's confidence interval.

    Items are scored 1 (Strongly disagree) to 5 (Strongly agree).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table.
    items : sequence of str
        At least two Likert columns.
    conf_level : float, default 0.95
        Confidence level of Feldt's interval.
    nan_policy : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"`` uses respondents who answered every item; ``"pairwise"`` computes each
        covariance from the respondents who answered both items (n = all respondents, as
        pingouin does).

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (alpha), ``ci_low``, ``ci_high``, ``df`` (n - 1, the
        numerator df of Feldt's F), ``n`` (respondents), ``k`` (items).

    Notes
    -----
    alpha = k / (k - 1) * (1 - trace(C) / sum(C)) with C the item covariance matrix.
    Feldt (1965) interval: 1 - (1 - alpha) F_{1-a/2}(n-1, (n-1)(k-1)) to
    1 - (1 - alpha) F_{a/2}(n-1, (n-1)(k-1)). Unweighted. Checked against
    ``pingouin.cronbach_alpha`` in ``tests/test_survey_likert.py`` (pingouin rounds its
    interval to 3 decimals; this function does not round).

    Examples
    --------
    >>> import pandas as pd
    >>> from baby_room.codebook import LIKERT_LEVELS
    >>> cat = lambda v: pd.Categorical([LIKERT_LEVELS[i] for i in v],
    ...                                categories=LIKERT_LEVELS, ordered=True)
    >>> df = pd.DataFrame({"a": cat([0, 1, 2, 3, 4, 3]), "b": cat([1, 1, 2, 4, 4, 2]),
    ...                    "c": cat([0, 2, 2, 3, 3, 4])})
    >>> round(float(cronbach_alpha(df, ["a", "b", "c"])["estimate"].iloc[0]), 3)
    0.909
    """
    from baby_room.survey._intervals import f_isf

    fn = "cronbach_alpha"
    conf_level = check_conf_level(conf_level, function=fn)
    one_of(nan_policy, NAN_POLICIES, function=fn, parameter="nan_policy")
    items = check_likert(data, items, function=fn)
    if len(items) < 2:
        raise ArgumentError(fn, "items", "at least two Likert columns", items)
    scores = pd.DataFrame(
        {it: data[it].cat.codes.replace(-1, np.nan).astype("float64") + 1 for it in items}
    )
    if nan_policy == "listwise":
        scores = scores.dropna(how="any")
    n, k = scores.shape
    if n < 2:
        raise ArgumentError(fn, "data", "at least 2 respondents answering the items",
                            data, hint=f"{n} respondent(s) answered every item")
    cov = scores.cov().to_numpy()
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    a = 1 - conf_level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * f_isf(a / 2, df1, df2)
    hi = 1 - (1 - alpha) * f_isf(1 - a / 2, df1, df2)
    out = pd.DataFrame({"estimate": [float(alpha)], "ci_low": [float(lo)],
                        "ci_high": [float(hi)], "df": [float(df1)], "n": [int(n)],
                        "k": [int(k)]})
    out.attrs = result_attrs(data, conf_level=conf_level, design="unweighted",
                             unit="respondents")
    return out
