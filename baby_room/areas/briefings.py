"""One briefing per local authority (or region), HTML and Word, and an index of them all.

``baby-room report --areas local_authority`` (or ``region``) calls
:func:`write_area_briefings`, which writes ``<out>/areas/<code>-<name>/briefing.html`` and
``briefing.docx`` for every area with respondents, and an index: ``<out>/areas/index.html``
and ``index.csv`` for local authorities (with ``unmatched.csv``), ``regions.html`` and
``regions.csv`` for regions. Each briefing shows the area's group size, ratios, EYFS staffing rules, CPD
and attitudes beside its region and the rest of England, with the difference area - rest
and its interval from the full design (:func:`baby_room.areas.estimates.area_estimates`),
and modelled (Fay-Herriot) estimates of mean group size and of the share meeting the ratio
(:func:`baby_room.areas.modelled.modelled_estimates`).

Reliability follows the Department for Education's convention
(:data:`baby_room.areas.reliability.DFE_RELIABILITY`): an estimate on an unweighted base
below 10 is not shown (``[u]``), 10-29 is marked indicative (``[i]``); configurable. The
"who answered" counts go through :func:`baby_room.outputs.suppress_small_counts` (counts
below ``min_count`` suppressed, with secondary suppression, ``[c]``). Every suppression is
explained in the briefing's notes. Only aggregates reach a briefing: no free text, no
respondent, setting or room identifier. Local-authority names are normalised to ONS codes
and current names (:mod:`baby_room.areas.lookup`); names that match no authority are
listed in the index, never guessed.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._args import check_conf_level, check_frame, one_of
from baby_room.areas.estimates import area_estimates
from baby_room.areas.lookup import LOOKUP_DATE, local_authorities, match_local_authorities
from baby_room.areas.modelled import modelled_estimates
from baby_room.areas.reliability import DFE_RELIABILITY, ReliabilityRule
from baby_room.errors import ArgumentError
from baby_room.outputs import neutralise_formulas, suppress_small_counts
from baby_room.style import source_of

__all__ = ["SECTIONS", "write_area_briefings"]

#: Briefing sections: (heading, indicators).
SECTIONS = (
    ("Group size and ratios", ("mean_group_size", "share_rooms_12_or_fewer", "babies_per_adult",
                               "share_meeting_eyfs_ratio")),
    ("EYFS staffing rules for under-2s", ("rule_level3", "rule_half_others_level2",
                                          "rule_half_baby_trained", "rule_all")),
    ("Baby-specific CPD", ("cpd_baby_past_year",)),
    ("Attitudes", ("agree_valued_by_manager", "agree_valued_by_parents",
                   "agree_valued_by_society", "agree_confident_with_babies",
                   "agree_want_baby_training", "agree_group_size_too_large")),
)
_SETTING_LABELS = {"private": "Private", "voluntary": "Voluntary",
                   "independent": "Independent", "maintained": "Maintained"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).casefold()).strip("-")


def _value(x: float, fmt: str) -> str:
    if fmt == "percent":
        return f"{100 * x:.0f}%"
    if fmt == "ratio":
        return f"{x:.2f}"
    return f"{x:.1f}"


def _cell(est, lo, hi, n, fmt, rule) -> tuple[str, str]:
    """Text of an estimate with its interval, and its reliability flag."""
    n = int(n)
    flag = ("suppressed" if n < rule.suppress_below else
            "indicative" if n < rule.indicative_below else "published")
    if flag == "suppressed" or not np.isfinite(est):
        return "[u]", "suppressed"
    text = f"{_value(est, fmt)} ({_value(lo, fmt)}–{_value(hi, fmt)})"
    return (text + " [i]", flag) if flag == "indicative" else (text, flag)


def _base(n, min_count) -> str:
    """An unweighted base as printed: a count below the disclosure threshold is "<k"."""
    n = int(n)
    return f"<{min_count}" if 0 < n < min_count else str(n)


def _difference(row, fmt) -> str:
    if not np.isfinite(row["estimate"]) or not np.isfinite(row["ci_low"]):
        return "–"
    scale, unit = (100, " pp") if fmt == "percent" else (1, "")
    d, lo, hi = (row[c] * scale for c in ("estimate", "ci_low", "ci_high"))
    digits = 0 if fmt == "percent" else (2 if fmt == "ratio" else 1)

    def signed(v):  # no "-0": a value that rounds to zero is written 0
        v = round(v, digits)
        return f"{0:.{digits}f}" if v == 0 else f"{v:+.{digits}f}"

    return f"{signed(d)}{unit} ({signed(lo)} to {signed(hi)})"


def _prepare(data, level):
    """Data with the area column normalised, the areas' codes and regions, unmatched names."""
    las = local_authorities()
    if level == "local_authority":
        matches = match_local_authorities(data["local_authority"])
        m = matches.set_index("name")
        names = data["local_authority"].astype("string")
        work = data.assign(local_authority=names.map(m["la_name"]).astype("string"))
        work.attrs = dict(data.attrs)
        counts = names.value_counts()
        unmatched = matches.loc[~matches["matched"], ["name", "how"]].assign(
            respondents=lambda t: t["name"].map(counts).astype(int))
        info = las.set_index("la_name")[["la_code", "region_name"]].rename(
            columns={"la_code": "code", "region_name": "region"})
    else:
        work = data
        unmatched = pd.DataFrame(columns=["name", "how", "respondents"])
        regions = las.drop_duplicates("region_name").set_index("region_name")
        info = pd.DataFrame({"code": regions["region_code"], "region": regions.index},
                            index=regions.index)
    return work, info, unmatched


def _room_counts(room_table, level) -> dict:
    """Area -> {setting type: rooms, "All rooms": rooms}, from one pass over the rooms."""
    area = room_table[level].astype("string")
    kind = room_table["setting_type"].astype("string").fillna("not answered")
    counts = pd.crosstab(area, kind)
    return {a: {**counts.loc[a].to_dict(), "All rooms": int(counts.loc[a].sum())}
            for a in counts.index}


def _profile(counts: dict, min_count: int):
    frame = pd.DataFrame({
        "Type of provider": [*(_SETTING_LABELS[k] for k in _SETTING_LABELS), "All rooms"],
        "Rooms": [int(counts.get(k, 0)) for k in [*_SETTING_LABELS, "All rooms"]]})
    published = suppress_small_counts(frame, count_columns=["Rooms"], threshold=min_count)
    n_suppressed = int(published["Rooms"].isna().sum())
    published["Rooms"] = published["Rooms"].astype("string").fillna("[c]")
    return published.drop(columns=["suppressed"]), n_suppressed


def write_area_briefings(data: pd.DataFrame, out_dir, *, level: str = "local_authority",
                         design=None, rule: ReliabilityRule = DFE_RELIABILITY,
                         min_count: int = 5, covariates: pd.DataFrame | None = None,
                         conf_level: float = 0.95, formats=("html", "docx")) -> pd.DataFrame:
    """Write one briefing per area (HTML and Word) and an index; return the index table.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent table (canonical survey columns).
    out_dir : str or os.PathLike
        Folder that receives ``areas/``.
    level : {"local_authority", "region"}
    design : SurveyDesign, optional
        Design on ``data``; None: simple random sample, equal weights.
    rule : ReliabilityRule, default DFE_RELIABILITY
        Unweighted bases below which an estimate is suppressed / indicative.
    min_count : int, default 5
        Disclosure control of the "who answered" counts.
    covariates : pandas.DataFrame, optional
        Area covariates of the Fay-Herriot model (``area`` column: the current ONS name
        of a local authority, or a region); default the area's region.
    conf_level : float, default 0.95
    formats : sequence of {"html", "docx"}

    Returns
    -------
    pandas.DataFrame
        The index: ``area, code, region, rooms, respondents, published, indicative,
        suppressed, folder`` (counts of estimates by reliability).

    Examples
    --------
    >>> import tempfile, baby_room as br
    >>> with tempfile.TemporaryDirectory() as d:
    ...     index = write_area_briefings(br.synthetic.survey(), d, level="region")
    ...     files = sorted(p.name for p in (Path(d) / "areas").iterdir())
    >>> len(index), files[:2]
    (9, ['E12000001-north-east', 'E12000002-north-west'])
    """
    from baby_room.survey._common import room_level

    fn = "write_area_briefings"
    check_frame(data, function=fn, columns=[level])
    one_of(level, ("local_authority", "region"), function=fn, parameter="level")
    conf_level = check_conf_level(conf_level, function=fn)
    if not isinstance(rule, ReliabilityRule):
        raise ArgumentError(fn, "rule", "a baby_room.areas.reliability.ReliabilityRule", rule)
    work, info, unmatched = _prepare(data, level)
    if design is not None and work is not data:  # the same design on the normalised names
        design = design.with_data(work)
    est = area_estimates(work, level=level, design=design, conf_level=conf_level)
    region_est = (area_estimates(work, level="region", design=design, conf_level=conf_level)
                  if level == "local_authority" else None)
    region_of = info["region"].to_dict()
    modelled = modelled_estimates(work, est, level=level, design=design,
                                  covariates=covariates, region_of=region_of)
    room_table, _ = room_level(work, design, function=fn)
    room_counts = _room_counts(room_table, level)
    resp_counts = work[level].astype("string").value_counts()
    source, synthetic = source_of(data)
    out = Path(out_dir) / "areas"
    out.mkdir(parents=True, exist_ok=True)
    index_rows = []
    areas = [a for a in est["area"].dropna().unique() if a in info.index]
    order = (lambda a: a) if level == "local_authority" else (lambda a: info.loc[a, "code"])
    for area in sorted(areas, key=order):  # names A-Z; regions in ONS code order
        code, region = info.loc[area, "code"], info.loc[area, "region"]
        folder = f"{code}-{_slug(area)}"
        rows = est[est["area"] == area].set_index("indicator")
        reg_rows = (region_est[region_est["area"] == region].set_index("indicator")
                    if region_est is not None else None)
        mod = modelled[modelled["area"] == area].set_index("indicator")
        sections, flags = [], {"published": 0, "indicative": 0, "suppressed": 0}
        for heading, indicators in SECTIONS:
            lines = []
            for ind in indicators:
                if ind not in rows.index:
                    continue
                r = rows.loc[ind]
                fmt = r["format"]
                text, flag = _cell(r["area_estimate"], r["area_ci_low"], r["area_ci_high"],
                                   r["area_n"], fmt, rule)
                flags[flag] += 1
                line = {"label": r["label"], "area": text, "n": _base(r["area_n"], min_count),
                        "rest": _value(r["rest_estimate"], fmt)
                        if np.isfinite(r["rest_estimate"]) else "–",
                        "difference": "[u]" if flag == "suppressed" else _difference(r, fmt),
                        "region": "–", "modelled": None}
                if reg_rows is not None and ind in reg_rows.index:
                    g = reg_rows.loc[ind]
                    line["region"] = _cell(g["area_estimate"], g["area_ci_low"],
                                           g["area_ci_high"], g["area_n"], fmt, rule)[0]
                if ind in mod.index:
                    m = mod.loc[ind]
                    z = 1.959963984540054
                    lo, hi = m["estimate"] - z * m["se"], m["estimate"] + z * m["se"]
                    if fmt == "percent":
                        lo, hi = max(lo, 0.0), min(hi, 1.0)
                    line["modelled"] = (f"{_value(min(max(m['estimate'], 0), 1) if fmt == 'percent' else m['estimate'], fmt)}"
                                        f" ({_value(lo, fmt)}–{_value(hi, fmt)}) modelled")
                lines.append(line)
            sections.append({"heading": heading, "lines": lines})
        profile, n_c = _profile(room_counts.get(area, {}), min_count)
        context = {
            "area": area, "code": code, "region": region, "level": level,
            "synthetic": bool(synthetic), "source": source or "not recorded",
            "rooms": _base(rows.loc["mean_group_size", "area_n"]
                           if "mean_group_size" in rows.index else 0, min_count),
            "respondents": _base(resp_counts.get(area, 0), min_count),
            "sections": sections, "profile": profile, "n_c": n_c, "min_count": min_count,
            "rule": rule, "conf": f"{conf_level:.0%}",
            "has_region": region_est is not None,
            "design": "simple random sample, equal weights" if design is None
                      else "the survey design given (weights, strata, clusters)",
            "covariates": modelled["covariates"].iloc[0] if len(modelled) else "",
            "lookup_date": LOOKUP_DATE,
        }
        target = out / folder
        target.mkdir(parents=True, exist_ok=True)
        if "html" in formats:
            (target / "briefing.html").write_text(_render_html(context), encoding="utf-8")
        if "docx" in formats:
            _render_docx(context, target / "briefing.docx")
        index_rows.append({"area": area, "code": code, "region": region,
                           "rooms": context["rooms"], "respondents": context["respondents"],
                           **flags, "folder": folder})
    index = pd.DataFrame(index_rows, columns=["area", "code", "region", "rooms", "respondents",
                                              "published", "indicative", "suppressed",
                                              "folder"])
    stem = "index" if level == "local_authority" else "regions"
    neutralise_formulas(index).to_csv(out / f"{stem}.csv", index=False, lineterminator="\n")
    if level == "local_authority":
        neutralise_formulas(unmatched).to_csv(out / "unmatched.csv", index=False,
                                              lineterminator="\n")
    (out / f"{stem}.html").write_text(_render_index(index, unmatched, level, bool(synthetic),
                                                  rule), encoding="utf-8")
    index.attrs.update(level=level, synthetic=bool(synthetic), source=source)
    return index


def _notes(c) -> list[str]:
    notes = [c["rule"].footnote()]
    if c["n_c"]:
        notes.append(f"[c] suppressed to protect confidentiality: fewer than {c['min_count']} "
                     "rooms, and where needed a second count so that none can be worked out "
                     "from the total (secondary suppression).")
    notes.append(
        f"Intervals are {c['conf']} confidence intervals from the full survey design "
        f"({c['design']}); the difference compares the area with the rest of England, with "
        "its interval from the same design. pp: percentage points. Rooms are counted once.")
    notes.append(
        "Modelled: a Fay-Herriot small-area estimate that combines the area's own figure "
        f"with a model fitted to every area (covariates: {c['covariates']}); it leans on the "
        "model where the area has few rooms. Its interval is the estimate ± 1.96 times the "
        "root mean squared error (Prasad-Rao). Modelled figures are estimates, not counts.")
    if c["level"] == "local_authority":
        notes.append("Local authorities as in the ONS lookup of December 2024 "
                      f"(current names and codes; lookup dated {c['lookup_date']}).")
    notes.append(f"Source: {c['source']}." + (" SYNTHETIC DATA: not real survey responses."
                                             if c["synthetic"] else ""))
    return notes


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ c.area }} — baby room briefing{% if c.synthetic %} (SYNTHETIC DATA){% endif %}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 62rem;
       margin: 1.5rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.1rem; } h2 { border-bottom: 2px solid #1d70b8; padding-bottom: 0.15rem;
       margin-top: 1.6rem; font-size: 1.25rem; }
.banner { background: #B00020; color: white; padding: 0.5rem 1rem; font-weight: bold;
          border-radius: 4px; }
.meta { color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left;
         vertical-align: top; }
th { background: #f3f2f1; }
td.num { white-space: nowrap; }
.mod { color: #5a3d8a; }
.notes li { font-size: 0.85rem; color: #444; margin-bottom: 0.3rem; }
</style>
</head>
<body>
{% if c.synthetic %}<p class="banner">SYNTHETIC DATA — every number in this briefing was
computed from the bundled synthetic data set, not from real survey responses.</p>{% endif %}
<h1>{{ c.area }}</h1>
<p class="meta">Baby room survey briefing · {{ "Local authority " ~ c.code ~ ", " ~ c.region if c.level == "local_authority" else "Region " ~ c.code }}
· {{ c.rooms }} rooms described by {{ c.respondents }} respondents.</p>
<p>Each row gives this area's estimate with its {{ c.conf }} interval, {% if c.has_region %}its region's,
{% endif %}the rest of England's, and the difference between this area and the rest of England.
Figures marked [i] rest on few answers and are indicative; [u] means too few answered to show a figure.</p>
{% for s in c.sections %}{% if s.lines %}
<h2>{{ s.heading }}</h2>
<table>
<thead><tr><th>Indicator</th><th>{{ c.area }}</th><th>Base</th>{% if c.has_region %}<th>{{ c.region }}</th>{% endif %}<th>Rest of England</th><th>Difference</th>{% if s.lines | selectattr("modelled") | list %}<th>Modelled</th>{% endif %}</tr></thead>
<tbody>
{% for l in s.lines %}<tr><td>{{ l.label }}</td><td class="num">{{ l.area }}</td><td class="num">{{ l.n }}</td>{% if c.has_region %}<td class="num">{{ l.region }}</td>{% endif %}<td class="num">{{ l.rest }}</td><td class="num">{{ l.difference }}</td>{% if s.lines | selectattr("modelled") | list %}<td class="num mod">{{ l.modelled or "" }}</td>{% endif %}</tr>
{% endfor %}</tbody>
</table>
{% endif %}{% endfor %}
<h2>Who answered</h2>
<table style="width:auto">
<thead><tr>{% for col in c.profile.columns %}<th>{{ col }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in c.profile.itertuples(index=False) %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
<h2>Notes</h2>
<ul class="notes">{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>
</body>
</html>
"""


@functools.cache
def _template(text: str):
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text)


def _render_html(c) -> str:
    return _template(_HTML).render(c=c, notes=_notes(c))


def _render_docx(c, path) -> None:
    import docx

    from baby_room._docx import add_paragraphs_xml, add_table
    from baby_room.word import save_docx, synthetic_banner

    document = docx.Document()
    add_paragraphs_xml(document, [(c["area"], "Title")])
    synthetic_banner(document, c["synthetic"])
    where = (f"Local authority {c['code']}, {c['region']}" if c["level"] == "local_authority"
             else f"Region {c['code']}")
    add_paragraphs_xml(document, [(f"Baby room survey briefing · {where} · {c['rooms']} "
                                   f"rooms described by {c['respondents']} respondents.",
                                   "Normal")])
    for s in c["sections"]:
        if not s["lines"]:
            continue
        add_paragraphs_xml(document, [(s["heading"], "Heading1")])
        keys = ["label", "area", "n", *(["region"] if c["has_region"] else []),
                "rest", "difference"]
        header = ["Indicator", c["area"], "Base", *([c["region"]] if c["has_region"] else []),
                  "Rest of England", "Difference"]
        if any(line["modelled"] for line in s["lines"]):
            keys.append("modelled")
            header.append("Modelled")
        add_table(document, header,
                  [[str(line[k] or "") for k in keys] for line in s["lines"]])
    add_paragraphs_xml(document, [("Who answered", "Heading1")])
    add_table(document, list(c["profile"].columns),
              [[str(v) for v in row] for row in c["profile"].itertuples(index=False)])
    add_paragraphs_xml(document, [("Notes", "Heading1")]
                       + [(note, "ListBullet") for note in _notes(c)])
    save_docx(document, path, title=f"{c['area']} — baby room briefing"
              + (" (SYNTHETIC DATA)" if c["synthetic"] else ""), subject="Area briefing")


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Area briefings{% if synthetic %} (SYNTHETIC DATA){% endif %}</title>
<style>body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1.5rem auto;
padding: 0 1rem; } table { border-collapse: collapse; } th, td { padding: 0.2rem 0.6rem;
border-bottom: 1px solid #ddd; text-align: left; } .banner { background: #B00020;
color: white; padding: 0.5rem 1rem; font-weight: bold; }</style></head><body>
{% if synthetic %}<p class="banner">SYNTHETIC DATA — computed from the bundled synthetic data set.</p>{% endif %}
<h1>Area briefings: {{ "local authorities" if level == "local_authority" else "regions" }}</h1>
<p>{{ index | length }} briefings. Estimates on fewer than {{ rule.suppress_below }} rooms or
respondents are not shown; {{ rule.suppress_below }} to {{ rule.indicative_below - 1 }} are indicative.</p>
<table><thead><tr><th>Area</th><th>Code</th><th>Region</th><th>Rooms</th><th>Respondents</th>
<th>Published</th><th>Indicative</th><th>Not shown</th><th>Briefing</th></tr></thead><tbody>
{% for r in index.itertuples() %}<tr><td>{{ r.area }}</td><td>{{ r.code }}</td><td>{{ r.region }}</td>
<td>{{ r.rooms }}</td><td>{{ r.respondents }}</td><td>{{ r.published }}</td><td>{{ r.indicative }}</td>
<td>{{ r.suppressed }}</td><td><a href="{{ r.folder }}/briefing.html">HTML</a> · <a href="{{ r.folder }}/briefing.docx">Word</a></td></tr>
{% endfor %}</tbody></table>
{% if unmatched | length %}<h2>Names that match no local authority</h2>
<p>These answers were not given a briefing and are counted only in the rest of England
of every area; map them to a current authority and rebuild. They are never guessed.</p>
<table><thead><tr><th>Name as written</th><th>Why</th><th>Respondents</th></tr></thead><tbody>
{% for r in unmatched.itertuples() %}<tr><td>{{ r.name }}</td><td>{{ r.how }}</td><td>{{ r.respondents }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
</body></html>
"""


def _render_index(index, unmatched, level, synthetic, rule) -> str:
    return _template(_INDEX).render(index=index, unmatched=unmatched, level=level,
                                          synthetic=synthetic, rule=rule)
