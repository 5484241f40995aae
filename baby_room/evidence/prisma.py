"""PRISMA 2020 flow counts and flow diagram for the evidence review.

The PRISMA 2020 statement (Page et al., 2021, *BMJ* 372:n71) reports how records
flowed from identification to inclusion, in two arms for an updated or a mixed
review: **databases and registers** (here, the academic articles) and **other
methods** (websites, organisations, citation searching: here, the grey
literature). :func:`prisma_counts` builds the boxes from a screening log or from
numbers given by hand, checking that every box adds up; :func:`plot_prisma`
draws the flow diagram.

Boxes, per arm (names used in the ``box`` column)::

    identified             records identified (one row per source when given)
    duplicates_removed     \\
    automation_removed      } records removed before screening
    other_removed          /
    screened               = identified - removed                (optional in "other")
    excluded               records excluded at title/abstract   (optional in "other")
    sought                 reports sought for retrieval = screened - excluded
    not_retrieved          reports not retrieved
    assessed               reports assessed for eligibility = sought - not_retrieved
    excluded_with_reasons  reports excluded (one row per reason)
    included               studies included = assessed - excluded_with_reasons

and a final ``arm="total"``, ``box="included"`` row: studies included in the review.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from baby_room._args import check_frame, result_attrs
from baby_room.errors import ArgumentError, DataValidationError

__all__ = ["prisma_counts", "plot_prisma", "PRISMA_BOXES", "PRISMA_ARMS"]

#: Arms of the PRISMA 2020 diagram, in display order.
PRISMA_ARMS = ("databases", "other")
#: Boxes of one arm, in flow order.
PRISMA_BOXES = (
    "identified",
    "duplicates_removed",
    "automation_removed",
    "other_removed",
    "screened",
    "excluded",
    "sought",
    "not_retrieved",
    "assessed",
    "excluded_with_reasons",
    "included",
)
_BREAKDOWN_BOXES = ("identified", "excluded_with_reasons")
_ARM_NAMES = {
    "databases": "databases", "database": "databases", "registers": "databases",
    "databases and registers": "databases", "academic": "databases",
    "other": "other", "other methods": "other", "grey": "other", "grey literature": "other",
    "websites": "other", "organisations": "other", "citation searching": "other",
}
_ARM_TITLE = {"databases": "databases and registers", "other": "other methods"}
_INCLUDE = {"include", "included", "yes", "y", "true", "1", "in", "eligible"}
_EXCLUDE = {"exclude", "excluded", "no", "n", "false", "0", "out", "ineligible"}
_REASON_NOT_RECORDED = "reason not recorded"


# --------------------------------------------------------------------------- counting


def _error(parameter, allowed, got, hint=""):
    return ArgumentError("prisma_counts", parameter, allowed, got, hint=hint)


def _as_count(arm, box, value):
    allowed = "a whole number >= 0"
    if box in _BREAKDOWN_BOXES:
        allowed += " or a dict of whole numbers"
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise _error(f"{arm}[{box!r}]", allowed, value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _error(f"{arm}[{box!r}]", allowed, value) from None
    if number < 0 or number != int(number):
        raise _error(f"{arm}[{box!r}]", allowed, value)
    return int(number)


def _breakdown(arm, box, value):
    """A count or {detail: count} -> list of (detail or None, n)."""
    if isinstance(value, dict):
        if not value:
            return []
        return [(str(k), _as_count(f"{arm}[{box!r}]", k, v)) for k, v in value.items()]
    return [(None, _as_count(arm, box, value))]


def _arm_rows(arm: str, given: dict) -> list[tuple]:
    """Check one arm's numbers, derive the missing boxes, return rows (box, detail, n)."""
    if not isinstance(given, dict):
        raise _error(arm, "a dict of PRISMA box -> number", given)
    unknown = [k for k in given if k not in PRISMA_BOXES]
    if unknown:
        raise _error(arm, f"a dict whose keys are PRISMA boxes ({', '.join(PRISMA_BOXES)})",
                     given, hint=f"Unknown box(es): {', '.join(map(repr, unknown))}.")
    if "identified" not in given:
        raise _error(arm, "a dict with box 'identified' (records identified)", given)
    label = arm
    identified = _breakdown(label, "identified", given["identified"])
    n_identified = sum(n for _, n in identified)
    removed = {b: _as_count(label, b, given.get(b, 0))
               for b in ("duplicates_removed", "automation_removed", "other_removed")}
    n_removed = sum(removed.values())
    rows = [("identified", d, n) for d, n in identified]
    rows += [(b, None, n) for b, n in removed.items()]

    def check(box, value, derived, formula):
        if value is not None and value != derived:
            raise _error(f"{label}[{box!r}]", f"{formula} = {derived}", value,
                         hint="The PRISMA numbers do not add up.")
        if derived < 0:
            raise _error(label, f"numbers whose box {box!r} is not negative", derived,
                         hint=f"Box {box!r} would be {formula} = {derived}: the numbers "
                              "before it are too small.")
        return derived

    def get(box):
        return _as_count(label, box, given[box]) if box in given else None

    screening = arm == "databases" or "screened" in given or "excluded" in given
    after_removal = check("screened" if screening else "sought",
                          get("screened") if screening else None,
                          n_identified - n_removed,
                          f"identified ({n_identified}) - removed before screening "
                          f"({n_removed})")
    if screening:
        rows.append(("screened", None, after_removal))
        excluded = get("excluded")
        sought_given = get("sought")
        if excluded is None:
            if sought_given is None:
                raise _error(label, "a dict with box 'excluded' (records excluded at "
                                    "title/abstract screening) or box 'sought'", given)
            excluded = check("excluded", None, after_removal - sought_given,
                             f"screened ({after_removal}) - sought ({sought_given})")
        rows.append(("excluded", None, excluded))
        sought = check("sought", sought_given, after_removal - excluded,
                       f"screened ({after_removal}) - excluded ({excluded})")
    else:
        sought = check("sought", get("sought"), after_removal,
                       f"identified ({n_identified}) - removed ({n_removed})")
    rows.append(("sought", None, sought))
    not_retrieved = get("not_retrieved") or 0
    rows.append(("not_retrieved", None, not_retrieved))
    assessed = check("assessed", get("assessed"), sought - not_retrieved,
                     f"sought ({sought}) - not retrieved ({not_retrieved})")
    rows.append(("assessed", None, assessed))
    if "excluded_with_reasons" in given:
        reasons = _breakdown(label, "excluded_with_reasons", given["excluded_with_reasons"])
    elif "included" in given:
        reasons = [(None, check("excluded_with_reasons", None,
                                assessed - get("included"),
                                f"assessed ({assessed}) - included ({get('included')})"))]
    else:
        raise _error(label, "a dict with box 'included' or box 'excluded_with_reasons'",
                     given)
    n_reasons = sum(n for _, n in reasons)
    rows += [("excluded_with_reasons", d, n) for d, n in reasons]
    included = check("included", get("included"), assessed - n_reasons,
                     f"assessed ({assessed}) - excluded with reasons ({n_reasons})")
    rows.append(("included", None, included))
    return rows


def _norm(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip().casefold()
    return text or None


def _decision(value):
    text = _norm(value)
    if text is None:
        return None
    if text in _INCLUDE:
        return "include"
    if text in _EXCLUDE:
        return "exclude"
    return "invalid"


def _from_log(log: pd.DataFrame, cols: dict) -> dict[str, dict]:
    """Turn a screening log into per-arm box dicts, collecting every inconsistency."""
    required = [v for k, v in cols.items() if k not in ("source", "reason")]
    check_frame(log, function="prisma_counts", columns=required,
                what="a screening log (name its columns with arm=, duplicate=, screening=, "
                     "retrieved=, eligibility=, reason=)")
    failures = []
    file = log.attrs.get("path")

    def fail(row, col, value, check):
        failures.append({"file": file, "row": row, "column": col, "value": value,
                         "check": check})

    arms = {}
    for pos, rec in enumerate(log.to_dict("records")):
        row = pos + 2  # header is row 1
        arm = _ARM_NAMES.get(_norm(rec[cols["arm"]]) or "")
        if arm is None:
            fail(row, cols["arm"], rec[cols["arm"]],
                 f"arm must be one of {sorted(set(_ARM_NAMES))}")
            continue
        arms.setdefault(arm, []).append((row, rec))
    result = {}
    for arm, recs in arms.items():
        n = {b: 0 for b in ("identified", "duplicates_removed", "excluded", "not_retrieved")}
        sources: dict[str, int] = {}
        reasons: dict[str, int] = {}
        screened_values = [_decision(r[cols["screening"]]) for _, r in recs
                           if _decision(r[cols["duplicate"]]) != "include"]
        has_screening = arm == "databases" or any(v is not None for v in screened_values)
        for row, rec in recs:
            n["identified"] += 1
            if "source" in cols and cols["source"] in rec:
                src = rec[cols["source"]]
                src = "source not recorded" if _norm(src) is None else str(src).strip()
                sources[src] = sources.get(src, 0) + 1
            dup = _decision(rec[cols["duplicate"]])
            screen = _decision(rec[cols["screening"]])
            got = _decision(rec[cols["retrieved"]])
            elig = _decision(rec[cols["eligibility"]])
            for col, val in ((cols["duplicate"], dup), (cols["screening"], screen),
                             (cols["retrieved"], got), (cols["eligibility"], elig)):
                if val == "invalid":
                    fail(row, col, rec[col], "not a recognised decision (include/exclude, "
                                             "yes/no, true/false)")
            later = [(cols["screening"], screen), (cols["retrieved"], got),
                     (cols["eligibility"], elig)]
            if dup == "include":  # a duplicate: nothing after
                n["duplicates_removed"] += 1
                for col, val in later:
                    if val is not None:
                        fail(row, col, rec[col], "decision given for a record removed as a "
                                                 "duplicate")
                continue
            if has_screening:
                if screen is None:
                    fail(row, cols["screening"], None, "record not removed as duplicate but "
                                                       "has no screening decision")
                    continue
                if screen == "exclude":
                    n["excluded"] += 1
                    for col, val in later[1:]:
                        if val is not None:
                            fail(row, col, rec[col], "decision given for a record excluded "
                                                     "at screening")
                    continue
            if got is None:
                fail(row, cols["retrieved"], None, "report sought but retrieval not recorded")
                continue
            if got == "exclude":
                n["not_retrieved"] += 1
                if elig is not None:
                    fail(row, cols["eligibility"], rec[cols["eligibility"]],
                         "eligibility decision for a report not retrieved")
                continue
            if elig is None:
                fail(row, cols["eligibility"], None, "report retrieved but no eligibility "
                                                     "decision")
                continue
            if elig == "exclude":
                reason = rec.get(cols.get("reason", ""), None) if "reason" in cols else None
                reason = _REASON_NOT_RECORDED if _norm(reason) is None else str(reason).strip()
                reasons[reason] = reasons.get(reason, 0) + 1
        given = {"identified": sources if sources else n["identified"],
                 "duplicates_removed": n["duplicates_removed"],
                 "not_retrieved": n["not_retrieved"],
                 "excluded_with_reasons": dict(sorted(reasons.items(),
                                                      key=lambda kv: (-kv[1], kv[0])))}
        if has_screening:
            given["excluded"] = n["excluded"]
        result[arm] = given
    if failures:
        frame = pd.DataFrame(failures, columns=["file", "row", "column", "value", "check"])
        raise DataValidationError(frame, kind="PRISMA screening log")
    return result


def prisma_counts(data: pd.DataFrame | None = None, *, databases: dict | None = None,
                  other: dict | None = None, arm: str = "arm", duplicate: str = "duplicate",
                  screening: str = "screening", retrieved: str = "retrieved",
                  eligibility: str = "eligibility", reason: str = "exclusion_reason",
                  source: str | None = "source", synthetic: bool | None = None,
                  description: str | None = None) -> pd.DataFrame:
    """PRISMA 2020 flow counts, from a screening log or from numbers, with arithmetic checked.

    Give either ``data``, a screening log (one row per record), or the per-arm numbers
    ``databases=`` and/or ``other=``. Boxes that can be derived may be left out;
    boxes given are checked against the flow (``screened = identified - removed``,
    ``sought = screened - excluded``, ``assessed = sought - not_retrieved``,
    ``included = assessed - excluded_with_reasons``).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Screening log, one row per record identified. Columns (names set by the
        keyword arguments): ``arm`` (``"databases"``/``"other"``; also accepted:
        ``"academic"``/``"grey"``, ``"registers"``, ``"websites"``,
        ``"citation searching"``), ``duplicate`` (true for a record removed as a
        duplicate), ``screening`` (title/abstract decision include/exclude; may be
        empty throughout the ``other`` arm, which PRISMA 2020 does not screen),
        ``retrieved`` (true/false for reports sought), ``eligibility`` (full-text
        decision include/exclude), ``reason`` (why a full text was excluded),
        ``source`` (optional: database or website, to break ``identified`` down).
        A decision recorded for a record that never reached that stage, or a
        missing decision for one that did, is an error listing every such row.
    databases, other : dict, optional
        ``{box: number}`` for each arm; ``identified`` and
        ``excluded_with_reasons`` may be ``{source or reason: number}``.
        Allowed boxes: :data:`PRISMA_BOXES`.
    arm, duplicate, screening, retrieved, eligibility, reason, source : str
        Column names in ``data``.
    synthetic : bool, optional
        Recorded in ``attrs["synthetic"]`` (default: from ``data.attrs``, else False).
    description : str, optional
        Recorded in ``attrs["source"]`` and written under the diagram.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per count: ``arm`` (``"databases"``, ``"other"``, and
        ``"total"`` for the final box), ``box`` (see :data:`PRISMA_BOXES`),
        ``detail`` (source for ``identified``, reason for
        ``excluded_with_reasons``; missing otherwise), ``count`` (records or reports).
        The number in a box is the sum of ``count`` over its rows. The
        ``total``/``included`` row is the sum of the arms' ``included``. ``attrs``:
        ``source``, ``synthetic``, ``unit="records"``.

    Raises
    ------
    ArgumentError
        Numbers that do not add up (the message names the arm and box, the value the
        flow implies and the value given), unknown boxes, negative counts.
    DataValidationError
        A screening log whose stages contradict each other (every row listed).

    References
    ----------
    Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated
    guideline for reporting systematic reviews. BMJ 2021;372:n71.

    Examples
    --------
    >>> c = prisma_counts(databases={"identified": 100, "duplicates_removed": 10,
    ...                              "excluded": 60, "not_retrieved": 2,
    ...                              "excluded_with_reasons": {"wrong age": 8}},
    ...                   other={"identified": 12, "not_retrieved": 1, "included": 9})
    >>> c.groupby(["arm", "box"], sort=False)["count"].sum().loc["databases"].to_dict()
    {'identified': 100, 'duplicates_removed': 10, 'automation_removed': 0, 'other_removed': 0, 'screened': 90, 'excluded': 60, 'sought': 30, 'not_retrieved': 2, 'assessed': 28, 'excluded_with_reasons': 8, 'included': 20}
    >>> int(c.loc[(c["arm"] == "total"), "count"].item())
    29
    >>> prisma_counts(databases={"identified": 100, "screened": 95, "duplicates_removed": 10,
    ...                          "excluded": 60, "included": 30})
    Traceback (most recent call last):
    ...
    baby_room.errors.ArgumentError: prisma_counts: databases['screened'] must be identified (100) - removed before screening (10) = 90; got 95
    The PRISMA numbers do not add up.
    """
    fn = "prisma_counts"
    if data is not None and (databases is not None or other is not None):
        raise ArgumentError(fn, "data", "None when the numbers (databases=, other=) are given",
                            data, hint="Give either a screening log or the numbers, not both.")
    if data is not None:
        check_frame(data, function=fn, what="a screening log (a pandas DataFrame)")
        cols = {"arm": arm, "duplicate": duplicate, "screening": screening,
                "retrieved": retrieved, "eligibility": eligibility}
        if reason:
            cols["reason"] = reason
        if source and source in data.columns:
            cols["source"] = source
        arms = _from_log(data, cols)
    else:
        arms = {k: v for k, v in (("databases", databases), ("other", other)) if v is not None}
        if not arms:
            raise ArgumentError(fn, "data", "a screening log, or give the numbers of at least "
                                "one arm (databases=..., other=...)", None)
    rows = []
    total = 0
    for name in PRISMA_ARMS:
        if name not in arms:
            continue
        arm_rows = _arm_rows(name, arms[name])
        rows += [(name, b, d, n) for b, d, n in arm_rows]
        total += sum(n for b, _, n in arm_rows if b == "included")
    rows.append(("total", "included", None, total))
    out = pd.DataFrame(rows, columns=["arm", "box", "detail", "count"])
    for col in ("arm", "box", "detail"):
        out[col] = out[col].astype("string")
    out["count"] = out["count"].astype(np.int64)
    attrs = result_attrs(data, unit="records") if data is not None else {"unit": "records"}
    if description is not None:
        attrs["source"] = description
    attrs.setdefault("source", "PRISMA 2020 flow counts")
    if synthetic is not None:
        attrs["synthetic"] = bool(synthetic)
    attrs.setdefault("synthetic", False)
    out.attrs = {k: attrs[k] for k in ("source", "synthetic", "unit")}
    return out


# --------------------------------------------------------------------------- diagram


def _fmt(n) -> str:
    return f"{int(n):,}"


def _nb(text: str) -> str:
    """Keep "(n = 1,234)" on one line when wrapping (non-breaking spaces)."""
    import re

    return re.sub(r"\(n = ([\d,]+)\)", lambda m: f"(n\u00a0=\u00a0{m.group(1)})", text)


def _box_total(counts, arm, box):
    sel = counts[(counts["arm"] == arm) & (counts["box"] == box)]
    return None if sel.empty else int(sel["count"].sum())


def _details(counts, arm, box):
    sel = counts[(counts["arm"] == arm) & (counts["box"] == box) & counts["detail"].notna()]
    return list(zip(sel["detail"].tolist(), sel["count"].tolist(), strict=True))


def _wrap(lines, width):
    out = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        out += textwrap.wrap(_nb(line), width=width, subsequent_indent=" " * (indent + 2),
                             break_on_hyphens=False) or [""]
    return out


def plot_prisma(data: pd.DataFrame, *, ax=None, fontsize: float = 7.5):
    """Draw the PRISMA 2020 flow diagram (boxes and arrows) from :func:`prisma_counts`.

    The layout follows the PRISMA 2020 template for new reviews that searched
    databases/registers and other sources: an "Identification", "Screening" and
    "Included" band on the left, the databases arm in the first two columns and
    the other-methods arm in the last two. Drawn for A4 width (8.27 in); when
    ``ax`` is None a figure of that width is created with a height that fits the
    boxes.

    Parameters
    ----------
    data : pandas.DataFrame
        The result of :func:`prisma_counts`.
    ax : matplotlib.axes.Axes, optional
        Where to draw (its axis is switched off).
    fontsize : float, default 7.5
        Text size in points.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> c = prisma_counts(databases={"identified": 100, "duplicates_removed": 10,
    ...                              "excluded": 60, "included": 25})
    >>> ax = plot_prisma(c)
    >>> any("(n = 25)" in t.get_text().replace("\\u00a0", " ") for t in ax.texts)
    True
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from baby_room.style import label_source, title_at_top

    counts = check_frame(data, function="plot_prisma", columns=["arm", "box", "detail", "count"],
                         what="the DataFrame returned by prisma_counts()")
    arms = [a for a in PRISMA_ARMS if (counts["arm"] == a).any()]
    if not arms:
        raise ArgumentError("plot_prisma", "data", "prisma_counts() rows of the 'databases' or "
                            "'other' arm", data)
    cols = _COLUMNS if len(arms) > 1 else {arms[0]: _ONE_ARM}
    boxes = _box_texts(counts, arms, cols, fontsize=fontsize)
    heights, top, bottom = _rows(boxes)

    if ax is None:
        line_inches = fontsize * 1.3 / 72
        fig_h = (-bottom + 1.0) * line_inches + 0.95
        fig, ax = plt.subplots(figsize=(8.27, fig_h))
        fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.4 / fig_h, bottom=0.55 / fig_h)
    ax.set_xlim(-0.5, 100.5)
    ax.set_ylim(bottom, 0.3)
    ax.axis("off")
    for arm in arms:  # the arms' headers
        main, side = cols[arm]
        _draw_box(ax, (main[0], side[1]), -0.2, _HEADER, [
            f"Identification of studies via {_ARM_TITLE[arm]}"], fontsize=fontsize,
            face=_HEADER_FACE[arm], bold=True, center=True)
    _draw_phase_bands(ax, heights, top, fontsize=fontsize)
    for arm in arms:
        _draw_arm(ax, arm, arms, cols, boxes, heights, top, fontsize=fontsize)
    first = cols[arms[0]][0]
    _draw_box(ax, (first[0], first[1] + 4), top["included"], heights["included"],
              boxes[("total", "included", "main")], fontsize=fontsize, face="#F2F2F2")
    title_at_top(ax, "PRISMA 2020 flow diagram", loc="left")
    label_source(ax, counts)
    return ax


# The layout, in data units: the Axes is 100 units wide; heights are in text lines.
#: (x0, x1) of the main (flow) and side (removed, excluded) boxes of each arm.
_COLUMNS = {"databases": ((6, 30), (33, 53)), "other": ((57, 78), (81, 100))}
#: The same for a diagram of one arm.
_ONE_ARM = ((6, 46), (52, 100))
#: The template's rows, top to bottom, and the phase band each belongs to.
_ROWS = ("identified", "screened", "sought", "assessed", "included")
_PHASES = (("Identification", ("identified",)), ("Screening", ("screened", "sought", "assessed")),
           ("Included", ("included",)))
_HEADER = 2.2  # height of the arms' headers
_GAP = 2.2  # between rows
_HEADER_FACE = {"databases": "#FCE9B6", "other": "#E3E3E3"}
_LINE_COLOUR = "#333333"
_REMOVED = {"duplicates_removed": "Duplicate records",
            "automation_removed": "Marked ineligible by automation tools",
            "other_removed": "Removed for other reasons"}


def _box_texts(counts, arms, cols, *, fontsize) -> dict:
    """The wrapped lines of every box, keyed ``(arm, row, "main" or "side")``: the PRISMA
    2020 template's wording with the counts filled in; the included box is
    ``("total", "included", "main")``."""
    chars_per_unit = 72 * 8.27 / 100 / (fontsize * 0.57)  # average glyph width, with margin

    def width_chars(x):
        return max(12, int((x[1] - x[0] - 3) * chars_per_unit))

    def n(arm, box):
        return _fmt(_box_total(counts, arm, box))

    boxes = {}
    for arm in arms:
        main, side = (width_chars(x) for x in cols[arm])
        if arm == "databases":
            lines = ["Records identified from databases and registers "
                     f"(n = {n(arm, 'identified')}):"]
        else:
            lines = ["Records identified from websites, organisations and citation "
                     f"searching (n = {n(arm, 'identified')}):"]
        sources = _details(counts, arm, "identified")
        if not sources:
            lines[0] = lines[0].rstrip(":")
        lines += [f"  {d} (n = {_fmt(k)})" for d, k in sources]
        boxes[(arm, "identified", "main")] = _wrap(lines, main)
        removed = {b: _box_total(counts, arm, b) for b in _REMOVED}
        if any(removed.values()):
            boxes[(arm, "identified", "side")] = _wrap(
                ["Records removed before screening:"]
                + [f"  {_REMOVED[b]} (n = {_fmt(k or 0)})" for b, k in removed.items()
                   if k or b == "duplicates_removed"], side)
        if _box_total(counts, arm, "screened") is not None:
            boxes[(arm, "screened", "main")] = _wrap(
                [f"Records screened (n = {n(arm, 'screened')})"], main)
            boxes[(arm, "screened", "side")] = _wrap(
                [f"Records excluded (n = {n(arm, 'excluded')})"], side)
        boxes[(arm, "sought", "main")] = _wrap(
            [f"Reports sought for retrieval (n = {n(arm, 'sought')})"], main)
        boxes[(arm, "sought", "side")] = _wrap(
            [f"Reports not retrieved (n = {n(arm, 'not_retrieved')})"], side)
        boxes[(arm, "assessed", "main")] = _wrap(
            [f"Reports assessed for eligibility (n = {n(arm, 'assessed')})"], main)
        reasons = _details(counts, arm, "excluded_with_reasons")
        excluded = _fmt(_box_total(counts, arm, "excluded_with_reasons") or 0)
        boxes[(arm, "assessed", "side")] = _wrap(
            [f"Reports excluded (n = {excluded}){':' if reasons else ''}"]
            + [f"  {d} (n = {_fmt(k)})" for d, k in reasons], side)
    total = _box_total(counts, "total", "included")
    if total is None:
        total = sum(_box_total(counts, a, "included") or 0 for a in arms)
    lines = [f"Studies included in review (n = {_fmt(total)})"]
    if len(arms) > 1:
        lines += [f"  via {_ARM_TITLE[a]} (n = {n(a, 'included')})" for a in arms]
    boxes[("total", "included", "main")] = _wrap(lines, width_chars(cols[arms[0]][0]) + 4)
    return boxes


def _rows(boxes) -> tuple[dict, dict, float]:
    """``(heights, tops, bottom)`` of the rows that have boxes: each row as tall as its
    tallest box (plus margins), the rows under the headers with a gap between them."""
    heights = {}
    for row in _ROWS:
        sizes = [len(lines) for (_, r, _), lines in boxes.items() if r == row]
        if sizes:
            heights[row] = max(sizes) + 0.9
    # the rotated phase labels need room: about half a line unit per character
    heights["identified"] = max(heights["identified"], 0.5 * len("Identification") + 0.6)
    heights["included"] = max(heights["included"], 0.5 * len("Included") + 0.6)
    y = -(_HEADER + _GAP * 0.6)
    tops = {}
    for row in _ROWS:
        if row in heights:
            tops[row] = y
            y -= heights[row] + _GAP
    return heights, tops, y + _GAP - 0.5


def _draw_box(ax, x, y_top, height, lines, *, fontsize, face="white", bold=False,
              center=False):
    """A square box from ``x[0]`` to ``x[1]``, ``height`` down from ``y_top``, with its
    lines centred vertically (and horizontally if ``center``, else from its left edge)."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x[0], y_top - height), x[1] - x[0], height,
                                boxstyle="square,pad=0", linewidth=0.8, edgecolor=_LINE_COLOUR,
                                facecolor=face))
    ax.text((x[0] + x[1]) / 2 if center else x[0] + 1.0, y_top - height / 2, "\n".join(lines),
            ha="center" if center else "left", va="center", fontsize=fontsize,
            fontweight="bold" if bold else "normal", linespacing=1.25)


def _arrow(ax, xy_from, xy_to):
    ax.annotate("", xy=xy_to, xytext=xy_from,
                arrowprops={"arrowstyle": "-|>", "color": _LINE_COLOUR, "lw": 0.9,
                            "shrinkA": 0, "shrinkB": 0})


def _draw_phase_bands(ax, heights, tops, *, fontsize):
    """The template's phase bands at the left (Identification, Screening, Included), each
    as tall as its rows."""
    from matplotlib.patches import FancyBboxPatch

    for label, rows in _PHASES:
        present = [r for r in rows if r in tops]
        if not present:
            continue
        y_top = tops[present[0]]
        y_bottom = tops[present[-1]] - heights[present[-1]]
        ax.add_patch(FancyBboxPatch((0.5, y_bottom), 3.5, y_top - y_bottom,
                                    boxstyle="round,pad=0,rounding_size=0.8", linewidth=0,
                                    facecolor="#CFE3F3"))
        ax.text(2.25, (y_top + y_bottom) / 2, label, rotation=90, ha="center", va="center",
                fontsize=fontsize + 0.5, fontweight="bold", color="#1F3B57")


def _draw_arm(ax, arm, arms, cols, boxes, heights, tops, *, fontsize):
    """One arm's boxes, row by row, with arrows down its main column and across to each
    side box, and the arrow into the included box (from the side for a second arm)."""
    main, side = cols[arm]
    xm = (main[0] + main[1]) / 2
    previous = None
    for row in _ROWS[:-1]:
        if (arm, row, "main") not in boxes:
            continue
        h = heights[row]
        _draw_box(ax, main, tops[row], h, boxes[(arm, row, "main")], fontsize=fontsize)
        if (arm, row, "side") in boxes:
            _draw_box(ax, side, tops[row], h, boxes[(arm, row, "side")], fontsize=fontsize)
            _arrow(ax, (main[1], tops[row] - h / 2), (side[0], tops[row] - h / 2))
        if previous is not None:
            _arrow(ax, (xm, tops[previous] - heights[previous]), (xm, tops[row]))
        previous = row
    last = tops[previous] - heights[previous]
    if arm == arms[0]:
        _arrow(ax, (xm, last), (xm, tops["included"]))
    else:
        y_mid = tops["included"] - heights["included"] / 2
        ax.plot([xm, xm], [last, y_mid], color=_LINE_COLOUR, lw=0.9)
        _arrow(ax, (xm, y_mid), (cols[arms[0]][0][1] + 4, y_mid))
