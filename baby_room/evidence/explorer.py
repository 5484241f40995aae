"""An interactive, offline evidence explorer: one self-contained HTML page.

:func:`evidence_explorer` writes a single HTML file in the manner of the interactive
evidence gap maps of EPPI-Mapper (used for Campbell Collaboration maps): a bubble gap
map (a facet such as instrument family, continent or country × quality dimension, each
bubble sized by the number of items) whose cells list their items when clicked; a
world map with the count of items on hover and the items of a country on click; the
PRISMA 2020 flow with the count behind each box and the reasons for exclusion; and
filters (publication type, year range, continent, country, UK vs rest, design, age
focus, instrument family) and a title search that update every view together.

The charts are Vega-Lite specifications drawn by Vega, Vega-Lite and vega-embed, whose
scripts are inlined from the ``vl-convert-python`` package (nothing is fetched from a
network when the page is opened; the world map uses the package's bundled Natural
Earth 1:110m shapes, projected with :func:`baby_room.evidence.world.equal_earth`).

Every number on the page is counted from the same membership as the public functions:
:func:`baby_room.evidence.breakdowns.item_categories` (so, with no filter, a cell of the
gap map is the ``count`` of :func:`~baby_room.evidence.breakdowns.gap_map` and a
country on the map the ``count`` of :func:`~baby_room.evidence.breakdowns.by_country`),
and the PRISMA boxes are the result of :func:`baby_room.evidence.prisma_counts`.
Only bibliographic fields reach the page (title, authors, year, countries, design,
instruments, dimensions, publication type, age focus, DOI): reviewers' names, notes
and any other column of the extraction sheet are left out.
"""

from __future__ import annotations

import html
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._args import check_frame, one_of
from baby_room.errors import ArgumentError
from baby_room.evidence import breakdowns as bd

__all__ = ["evidence_explorer", "report_explorer", "FILTERS", "ITEM_FIELDS", "REPORT_PAGE"]

#: Facets offered as filters by default (``"year"`` is a range; the others are lists).
FILTERS = ("publication_type", "year", "continent", "country", "uk_vs_rest", "design",
           "age_focus", "instrument_family")
#: The only columns of the extraction table that reach the page (bibliographic fields).
ITEM_FIELDS = ("title", "authors", "year", "publication_type", "countries", "design",
               "instruments", "dimensions", "age_focus", "doi")

#: The explorer's file name in a report folder (linked from the report's index page).
REPORT_PAGE = "evidence-explorer.html"
#: The PRISMA table the evidence notebook writes into the report folder.
_REPORT_PRISMA = Path("tables") / "evidence-prisma-counts.csv"

_LABELS = {
    "instrument_family": "Instrument family", "instrument": "Instrument",
    "dimension": "Quality dimension", "continent": "Continent", "country": "Country",
    "un_region": "UN region", "uk_vs_rest": "UK vs rest of world", "uk_nation": "UK nation",
    "publication_type": "Publication type", "design": "Study design",
    "age_focus": "Age focus", "decade": "Decade", "year": "Year",
}
_NOT_YEAR = tuple(f for f in bd.FACETS if f != "year")


def evidence_explorer(data: pd.DataFrame, path, *,
                      rows: str | tuple | list = ("instrument_family", "continent", "country"),
                      columns: str = "dimension", filters: tuple | list = FILTERS,
                      prisma: pd.DataFrame | None = None,
                      title: str = "Evidence explorer") -> Path:
    """Write the interactive evidence explorer for an extraction table to one HTML file.

    Parameters
    ----------
    data : pandas.DataFrame
        The extraction table, one row per included item (:func:`baby_room.load_evidence`).
    path : str or os.PathLike
        The HTML file to write (its folder is created).
    rows : str or sequence of str, default ("instrument_family", "continent", "country")
        Facets of :data:`baby_room.evidence.breakdowns.FACETS` offered as the rows of
        the gap map (the first is shown first; a menu switches between them).
    columns : str, default "dimension"
        The facet of the gap map's columns.
    filters : sequence of str, default :data:`FILTERS`
        Facets offered as filters (``"year"`` as a range of years). A title search is
        always there.
    prisma : pandas.DataFrame, optional
        The result of :func:`baby_room.evidence.prisma_counts`, drawn as the PRISMA 2020
        flow (boxes with their counts, sources and reasons for exclusion). None: no
        flow is shown.
    title : str, default "Evidence explorer"
        The page title.

    Returns
    -------
    pathlib.Path
        The file written: UTF-8 HTML, with every script and style inlined.

    Examples
    --------
    >>> import tempfile, pathlib, baby_room as br
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = evidence_explorer(br.synthetic.evidence(), pathlib.Path(d) / "x.html")
    ...     page = out.read_text(encoding="utf-8")
    >>> "SYNTHETIC DATA" in page, "<script src=" in page
    (True, False)
    """
    fn = "evidence_explorer"
    check_frame(data, function=fn, what="a pandas DataFrame of included items")
    rows = [rows] if isinstance(rows, str) else list(rows)
    if not rows:
        raise ArgumentError(fn, "rows", "one facet or a list of facets", rows)
    for facet in rows:
        one_of(facet, _NOT_YEAR, function=fn, parameter="rows")
    one_of(columns, _NOT_YEAR, function=fn, parameter="columns")
    if columns in rows:
        raise ArgumentError(fn, "columns", f"a facet not among rows ({rows})", columns)
    filters = [filters] if isinstance(filters, str) else list(filters)
    for facet in filters:
        one_of(facet, tuple(bd.FACETS), function=fn, parameter="filters")
    if prisma is not None:
        check_frame(prisma, function=fn, parameter="prisma",
                    columns=["arm", "box", "detail", "count"],
                    what="the result of prisma_counts()")
    payload = _payload(data, rows=rows, columns=columns, filters=filters, prisma=prisma,
                       title=title)
    page = _page(payload)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def report_explorer(folder, *, items=None, data_dir=None, cache_dir=None, settings=None) -> Path:
    """Write :data:`REPORT_PAGE` into a report folder being built (``baby-room report``).

    The items are the project's evidence table (``data_dir``, or the bundled synthetic
    data when None); the PRISMA flow is the ``tables/evidence-prisma-counts.csv`` that
    the evidence notebook wrote into ``folder`` (no flow when it is absent). The page is
    kept in ``cache_dir`` under a hash of ``settings`` (the report's package and input
    hashes) and of that table, so an unchanged rebuild copies it instead of building
    the scripts again.

    Parameters
    ----------
    folder : str or os.PathLike
        The report folder being built.
    items : pandas.DataFrame, optional
        The evidence table (when None, it is loaded from ``data_dir``).
    data_dir : str or os.PathLike, optional
        The data folder (None: the bundled synthetic data).
    cache_dir : str or os.PathLike, optional
        Where built pages are kept (None: no cache).
    settings : dict, optional
        JSON-able values the page depends on besides the PRISMA table.

    Returns
    -------
    pathlib.Path
        The page written.
    """
    import hashlib
    import shutil

    from baby_room.project import load_project

    folder = Path(folder)
    prisma_path = folder / _REPORT_PRISMA
    prisma_bytes = prisma_path.read_bytes() if prisma_path.is_file() else b""
    digest = hashlib.sha256(json.dumps([settings or {}, str(data_dir)], sort_keys=True,
                                       default=str).encode() + prisma_bytes).hexdigest()[:32]
    out = folder / REPORT_PAGE
    cached = Path(cache_dir) / "evidence-explorer" / f"{digest}.html" if cache_dir else None
    if cached is not None and cached.is_file():
        shutil.copyfile(cached, out)
        return out
    if items is None:
        items = load_project(data_dir).evidence
    prisma = None
    if prisma_bytes:
        prisma = pd.read_csv(prisma_path, dtype={"arm": "string", "box": "string",
                                                 "detail": "string"})
        prisma.attrs.update(source=f"PRISMA counts of notebook 02 ({_REPORT_PRISMA.as_posix()})",
                            synthetic=bool(items.attrs.get("synthetic", False)))
    evidence_explorer(items, out, prisma=prisma)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob("*.html"):  # keep one entry
            old.unlink()
        shutil.copyfile(out, cached)
    return out


# --------------------------------------------------------------------------- data


def _payload(data: pd.DataFrame, *, rows, columns, filters, prisma, title) -> dict:
    """Everything the page shows, as plain JSON-able values (no HTML)."""
    n = len(data)
    facets = list(dict.fromkeys([*rows, columns, *[f for f in filters if f != "year"],
                                 "country"]))
    members, orders, longs = {}, {}, {}
    for facet in facets:
        column = bd.FACETS[facet][0]
        if column not in data.columns:
            continue
        long = longs[facet] = bd.item_categories(data, facet=facet)
        key = "country" if facet == "country" else bd.FACETS[facet][1][0]
        per_item = [[] for _ in range(n)]
        for pos, value in zip(long["position"].tolist(), long[key].tolist(), strict=True):
            per_item[pos].append(str(value))
        members[facet] = per_item
        table = bd.breakdown(data, facet=facet)
        orders[facet] = [str(v) for v in table[key].tolist()]
    from baby_room.outputs import check_no_private_columns

    fields = data[[f for f in ITEM_FIELDS if f in data.columns]]
    check_no_private_columns(fields, "evidence explorer items")  # belt and braces
    items = [{} for _ in range(n)]
    for field in fields.columns:  # a column at a time: a row of mixed types is slow to build
        for item, value in zip(items, fields[field].tolist(), strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                item[field] = None
            elif field == "year":
                item[field] = int(value)
            else:
                item[field] = str(value)
    iso3 = {}
    if "countries" in data.columns:
        by_country = longs["country"]  # "country" is always among the facets
        for code, name in zip(by_country["iso3"].tolist(), by_country["country"].tolist(),
                              strict=True):
            if isinstance(code, str):
                iso3[str(name)] = code
    from baby_room.style import source_of

    source, synthetic = source_of(data)
    return {
        "title": title,
        "n_items": n,
        "source": source or "not recorded",
        "synthetic": bool(synthetic),
        "rows": [f for f in rows if f in members],
        "columns": columns if columns in members else None,
        "filters": [f for f in filters if f == "year" and "year" in data.columns
                    or f in members],
        "labels": {f: _LABELS.get(f, f) for f in bd.FACETS},
        "items": items,
        "members": members,
        "orders": orders,
        "iso3": iso3,
        "world": _world() if "country" in members else None,
        "prisma": _prisma(prisma) if prisma is not None else None,
    }


@lru_cache(maxsize=1)
def _world_features() -> str:
    """The countries of the world map, projected, as GeoJSON features: a JSON array
    (written by :func:`_script_json`).

    They depend only on files of the package, so they are kept once per machine beside
    the Vega bundle (:func:`_kept`), under a hash of everything they are computed from
    (:func:`_world_inputs`): a report build then reads 185 kB instead of importing
    pyogrio, pyproj and shapely and projecting every ring (about 0.15 s of CPU).
    """
    return _kept(f"world-features-{_world_key()}.json", _project_world,
                 replaces="world-features-*.json")


def _world_inputs() -> list[Path]:
    """The files the world features are computed from: the package's data files (the
    Natural Earth shapes among them) and the code that reads and projects them."""
    from baby_room.evidence import world

    data = Path(world.__file__).resolve().parents[1] / "data"
    return [*sorted(p for p in data.rglob("*") if p.is_file()), Path(world.__file__),
            Path(__file__)]


def _world_key() -> str:
    """SHA-256 of :func:`_world_inputs` and the versions of the libraries that compute
    the features (numpy, shapely, pyogrio) and of Python."""
    import hashlib
    import sys
    from importlib.metadata import version

    digest = hashlib.sha256(json.dumps(
        [[version(p) for p in ("numpy", "shapely", "pyogrio")], sys.version_info[:2]]
    ).encode())
    for path in _world_inputs():
        digest.update(f"{path.name}:{path.stat().st_size}:".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _project_world() -> str:
    import shapely

    from baby_room.evidence.world import equal_earth, world_shapes

    shapes = world_shapes()
    shapes = shapes[shapes["iso3"] != "ATA"]
    features = []
    for code, name, geom in zip(shapes["iso3"], shapes["name"], shapes["geometry"],
                                strict=True):
        polygons = []
        for poly in shapely.get_parts(geom):
            rings = []
            for ring in [poly.exterior, *poly.interiors]:
                xy = shapely.get_coordinates(ring)
                x, y = equal_earth(xy[:, 0], xy[:, 1])
                rings.append(np.round(np.column_stack([x, y]), 4).tolist())
            polygons.append(rings)
        features.append({"type": "Feature",
                         "properties": {"iso3": str(code), "name": str(name)},
                         "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return _script_json(features)


def _world():
    from baby_room.evidence.world import SHAPES_CREDIT

    return {"features": json.loads(_world_features()), "credit": SHAPES_CREDIT}


def _prisma(counts: pd.DataFrame) -> dict:
    value = "count"
    arms = []
    for arm in ("databases", "other"):
        sel = counts[counts["arm"] == arm]
        if sel.empty:
            continue
        boxes = []
        for box, group in sel.groupby("box", sort=False):
            details = [[str(d), int(c)] for d, c in zip(group["detail"], group[value],
                                                        strict=True) if isinstance(d, str)]
            boxes.append({"box": str(box), "count": int(group[value].sum()),
                          "details": details})
        arms.append({"arm": arm, "boxes": boxes})
    total = counts[(counts["arm"] == "total") & (counts["box"] == "included")]
    return {"arms": arms, "total": int(total[value].sum()) if len(total) else None,
            "source": str(counts.attrs.get("source", "PRISMA 2020 flow counts")),
            "synthetic": bool(counts.attrs.get("synthetic", False))}


# --------------------------------------------------------------------------- page


@lru_cache(maxsize=1)
def _vega_scripts() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from the ``vl-convert-python`` package.

    The bundle is built offline from the JavaScript that ships inside the package. Building
    it takes 2-3 s of CPU (holding the interpreter lock), and it depends only on the
    vl-convert version, so it is kept once per machine (:func:`_kept`).
    """
    from importlib.metadata import version

    def build() -> str:
        import vl_convert

        return vl_convert.javascript_bundle()

    return _kept(f"vega-bundle-vl-convert-{version('vl-convert-python')}.js", build)


def _kept(name: str, build, *, replaces: str | None = None) -> str:
    """The text of ``name`` in the user's cache folder, or ``build()`` (then kept there).

    The folder is ``$XDG_CACHE_HOME/baby_room`` or ``~/.cache/baby_room`` (like
    matplotlib's font cache); ``name`` must say everything the text depends on. The file
    is written atomically, and the files matching the pattern ``replaces`` (earlier
    versions) are removed; when the folder cannot be used the text is built every time.
    """
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "baby_room"
    cached = folder / name
    try:
        return cached.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(cached)
        for old in folder.glob(replaces) if replaces else ():
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: build it again next time
    return text


def _script_json(value) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(payload: dict) -> str:
    label = ("SYNTHETIC DATA · " if payload["synthetic"] else "") + f"Source: {payload['source']}"
    return (_TEMPLATE
            .replace("__TITLE__", html.escape(payload["title"]))
            .replace("__LABEL__", html.escape(label))
            .replace("__STYLE__", _STYLE)
            .replace("__VEGA__", _vega_scripts().replace("</script", "<\\/script"))
            .replace("__DATA__", _script_json(payload))
            .replace("__APP__", _APP))


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
  color:#222;background:#fafafa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 6px}
.synthetic{display:inline-block;background:#D55E00;color:#fff;font-weight:bold;
  padding:1px 6px;border-radius:3px;font-size:12px;margin-right:6px}
.source{font-size:12px;color:#555;margin-top:6px}
main{display:grid;grid-template-columns:260px 1fr;gap:16px;padding:16px 20px}
#filters{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px;
  align-self:start;position:sticky;top:8px}
#filters label{display:block;font-size:12px;font-weight:600;margin-top:8px}
#filters select,#filters input{width:100%;box-sizing:border-box;font-size:13px}
#filters .years{display:flex;gap:6px}
#filters button{margin-top:10px;width:100%}
#shown{font-size:13px;margin-top:10px;font-weight:600}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px;
  margin-bottom:16px;overflow-x:auto}
.hint{font-size:12px;color:#555;margin:2px 0 6px}
table.items{border-collapse:collapse;font-size:12.5px;width:100%}
table.items th,table.items td{border-bottom:1px solid #eee;text-align:left;padding:3px 6px;
  vertical-align:top}
.prisma{display:grid;grid-template-columns:repeat(var(--arms),minmax(240px,1fr));gap:10px}
.arm h3{font-size:13px;margin:4px 0}
.box{border:1px solid #0072B2;border-radius:4px;padding:5px 8px;margin:0 0 4px;
  font-size:12.5px;background:#f4f9fd}
.box.removed{border-color:#999;background:#f5f5f5;margin-left:18px}
.box .count{font-weight:bold}
.box ul{margin:3px 0 0;padding-left:18px}
.arrow{text-align:center;color:#0072B2;line-height:12px;font-size:12px}
.offmap{font-size:12px;color:#555}
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__STYLE__</style>
<script>__VEGA__</script>
</head><body>
<header><h1>__TITLE__</h1>
<div class="source" id="page-label">__LABEL__</div></header>
<main>
<aside id="filters" aria-label="Filters"></aside>
<div>
<section id="gap-section"><h2>Evidence gap map</h2>
<p class="hint">Bubble area: number of items in the cell (an item counts in every cell it
belongs to). Click a bubble to list its items.</p>
<label>Rows: <select id="gap-rows"></select></label>
<div id="gap"></div><div class="source view-label"></div></section>
<section id="items-section"><h2 id="items-title">Items</h2>
<p class="hint" id="items-hint">Click a gap-map cell or a country to list its items.</p>
<div id="items"></div><div class="source view-label"></div></section>
<section id="world-section"><h2>Where the research took place</h2>
<p class="hint">Hover over a country for its number of items; click it to list them.</p>
<div id="world"></div><div class="offmap" id="offmap"></div>
<div class="source view-label" id="world-label"></div></section>
<section id="prisma-section"><h2>PRISMA 2020 flow</h2>
<div id="prisma"></div><div class="source" id="prisma-label"></div></section>
</div></main>
<script type="application/json" id="explorer-data">__DATA__</script>
<script>__APP__</script>
</body></html>
"""

_APP = r"""
(function () {
"use strict";
const D = JSON.parse(document.getElementById("explorer-data").textContent);
const N = D.items.length;
const S = {filters: {}, yearMin: null, yearMax: null, search: "", rows: D.rows[0],
           selection: null, views: {}};
const el = (tag, attrs, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
};
const label = (D.synthetic ? "SYNTHETIC DATA \u00b7 " : "") + "Source: " + D.source;
document.querySelectorAll(".view-label").forEach(e => { e.textContent = label; });

// ------------------------------------------------------------------ filters
function buildFilters() {
  const box = document.getElementById("filters");
  box.appendChild(el("h2", {}, "Filters"));
  for (const f of D.filters) {
    if (f === "year") {
      const years = D.items.map(i => i.year).filter(y => y !== null);
      const lo = Math.min(...years), hi = Math.max(...years);
      box.appendChild(el("label", {for: "f-year-min"}, "Year from / to"));
      const wrap = el("div", {class: "years"});
      const a = el("input", {type: "number", id: "f-year-min", min: lo, max: hi,
                             placeholder: String(lo)});
      const b = el("input", {type: "number", id: "f-year-max", min: lo, max: hi,
                             placeholder: String(hi)});
      a.addEventListener("change", () => { S.yearMin = a.value === "" ? null : +a.value; update(); });
      b.addEventListener("change", () => { S.yearMax = b.value === "" ? null : +b.value; update(); });
      wrap.append(a, b); box.appendChild(wrap);
      continue;
    }
    box.appendChild(el("label", {for: "f-" + f}, D.labels[f]));
    const sel = el("select", {id: "f-" + f, "data-facet": f});
    sel.appendChild(el("option", {value: ""}, "All"));
    for (const v of D.orders[f]) sel.appendChild(el("option", {value: v}, v));
    sel.addEventListener("change", () => { S.filters[f] = sel.value; update(); });
    box.appendChild(sel);
  }
  box.appendChild(el("label", {for: "f-search"}, "Search titles"));
  const q = el("input", {type: "search", id: "f-search", placeholder: "words in the title"});
  q.addEventListener("input", () => { S.search = q.value.trim().toLowerCase(); update(); });
  box.appendChild(q);
  const reset = el("button", {type: "button", id: "f-reset"}, "Clear filters");
  reset.addEventListener("click", () => {
    S.filters = {}; S.yearMin = S.yearMax = null; S.search = ""; S.selection = null;
    box.querySelectorAll("select").forEach(s => { s.value = ""; });
    box.querySelectorAll("input").forEach(i => { i.value = ""; });
    update();
  });
  box.appendChild(reset);
  box.appendChild(el("div", {id: "shown"}));
}

function passes(i) {
  const item = D.items[i];
  for (const [f, v] of Object.entries(S.filters)) {
    if (v && !D.members[f][i].includes(v)) return false;
  }
  if (S.yearMin !== null && (item.year === null || item.year < S.yearMin)) return false;
  if (S.yearMax !== null && (item.year === null || item.year > S.yearMax)) return false;
  if (S.search && !(item.title || "").toLowerCase().includes(S.search)) return false;
  return true;
}

// ------------------------------------------------------------------ views
async function show(id, spec, onClick) {
  if (S.views[id]) S.views[id].finalize();
  const res = await vegaEmbed("#" + id, spec, {renderer: "svg", actions: false});
  S.views[id] = res;
  if (onClick) res.view.addEventListener("click", (event, item) => {
    if (item && item.datum) onClick(item.datum);
  });
}

function gapSpec(shown) {
  const rf = S.rows, cf = D.columns, cols = D.orders[cf];
  const inCell = {}, inRow = {};
  for (const i of shown) for (const r of D.members[rf][i]) {
    inRow[r] = true;
    for (const c of D.members[cf][i]) {
      const k = r + "\u0001" + c; inCell[k] = (inCell[k] || 0) + 1;
    }
  }
  // rows with no item among those shown are left out (every column stays: the gaps)
  const rows = D.orders[rf].filter(r => inRow[r]);
  const values = [];
  let vmax = 1;
  for (const r of rows) for (const c of cols) {
    const count = inCell[r + "\u0001" + c] || 0;
    vmax = Math.max(vmax, count);
    values.push({row: r, column: c, count: count,
                 description: r + " \u00d7 " + c + ": " + count + " items"});
  }
  const enc = {
    x: {field: "column", type: "nominal", sort: cols, title: D.labels[cf],
        axis: {labelAngle: -40, labelLimit: 160}},
    y: {field: "row", type: "nominal", sort: rows, title: D.labels[rf], axis: {labelLimit: 200}}
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: {values: values},
    width: {step: 44}, height: {step: 26},
    layer: [
      {mark: {type: "circle", opacity: 0.65, cursor: "pointer"},
       encoding: Object.assign({}, enc, {
         size: {field: "count", type: "quantitative", legend: null,
                scale: {domain: [0, vmax], range: [12, 900]}},
         color: {condition: {test: "datum.count > 0", value: "#0072B2"}, value: "#d0d0d0"},
         tooltip: [{field: "row", title: D.labels[rf]}, {field: "column", title: D.labels[cf]},
                   {field: "count", title: "Items"}],
         description: {field: "description"}})},
      {mark: {type: "text", fontSize: 10, dx: 0},
       transform: [{filter: "datum.count > 0"}],
       encoding: Object.assign({}, enc, {text: {field: "count"},
         color: {value: "#111"}})}
    ],
    config: {view: {stroke: null}, axis: {grid: true, gridColor: "#eee"}}
  };
}

function worldSpec(shown) {
  const byIso = {};
  const offmap = {};
  for (const i of shown) for (const c of D.members.country[i]) {
    const iso = D.iso3[c];
    if (iso) byIso[iso] = (byIso[iso] || 0) + 1; else offmap[c] = (offmap[c] || 0) + 1;
  }
  const features = D.world.features.map(f => ({type: "Feature", geometry: f.geometry,
    properties: {iso3: f.properties.iso3, name: f.properties.name,
                 count: byIso[f.properties.iso3] || 0}}));
  const drawn = new Set(D.world.features.map(f => f.properties.iso3));
  for (const [name, iso] of Object.entries(D.iso3)) {
    if (!drawn.has(iso) && byIso[iso]) offmap[name] = byIso[iso];
  }
  const off = document.getElementById("offmap");
  const parts = Object.entries(offmap).map(([k, v]) => k + " " + v);
  off.textContent = parts.length ? "Not on the map (regions, unmatched, too small or no country): "
    + parts.join(", ") : "";
  const vmax = Math.max(1, ...Object.values(byIso));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 760, height: 370,
    data: {values: {type: "FeatureCollection", features: features},
           format: {type: "json", property: "features"}},
    projection: {type: "identity", reflectY: true},
    mark: {type: "geoshape", stroke: "#fff", strokeWidth: 0.5, cursor: "pointer"},
    encoding: {
      color: {condition: {test: "datum.properties.count > 0",
                          field: "properties.count", type: "quantitative",
                          scale: {scheme: "blues", domain: [0, vmax]},
                          legend: {title: "Items"}},
              value: "#E3E3E3"},
      tooltip: [{field: "properties.name", title: "Country"},
                {field: "properties.count", title: "Items"}],
      description: {field: "properties.name"}
    },
    config: {view: {stroke: null}}
  };
}

function listItems(title, idx) {
  document.getElementById("items-title").textContent = title + " \u2014 " + idx.length +
    " item" + (idx.length === 1 ? "" : "s");
  document.getElementById("items-hint").textContent =
    "Items matching the filters. Click another cell or country to change the list.";
  const box = document.getElementById("items");
  box.replaceChildren();
  const t = el("table", {class: "items", id: "items-table"});
  const head = el("tr");
  for (const h of ["Title", "Authors", "Year", "Countries", "Design", "Instruments", "DOI"])
    head.appendChild(el("th", {}, h));
  t.appendChild(head);
  for (const i of idx) {
    const it = D.items[i];
    const tr = el("tr", {"data-item": String(i)});
    tr.appendChild(el("td", {}, it.title));
    tr.appendChild(el("td", {}, it.authors));
    tr.appendChild(el("td", {}, it.year === null ? "" : String(it.year)));
    tr.appendChild(el("td", {}, D.members.country ? D.members.country[i].join("; ") : it.countries));
    tr.appendChild(el("td", {}, it.design));
    tr.appendChild(el("td", {}, it.instruments));
    const td = el("td");
    if (it.doi) {
      const a = el("a", {href: "https://doi.org/" + encodeURI(it.doi), target: "_blank",
                         rel: "noopener"}, it.doi);
      td.appendChild(a);
    }
    tr.appendChild(td);
    t.appendChild(tr);
  }
  box.appendChild(t);
}

function renderSelection(shown) {
  const sel = S.selection;
  if (!sel) {
    document.getElementById("items-title").textContent = "Items";
    document.getElementById("items").replaceChildren();
    return;
  }
  if (sel.kind === "cell") {
    const idx = shown.filter(i => D.members[sel.rows][i].includes(sel.row) &&
                                  D.members[D.columns][i].includes(sel.column));
    listItems(sel.row + " \u00d7 " + sel.column, idx);
  } else {
    const names = Object.keys(D.iso3).filter(k => D.iso3[k] === sel.iso3);
    const idx = shown.filter(i => D.members.country[i].some(c => names.includes(c)));
    listItems(sel.name, idx);
  }
}

function renderPrisma(shown) {
  const P = D.prisma, box = document.getElementById("prisma");
  const sec = document.getElementById("prisma-section");
  if (!P) { sec.style.display = "none"; return; }
  box.replaceChildren();
  const titles = {databases: "Databases and registers", other: "Other methods"};
  const names = {identified: "Records identified", duplicates_removed: "Duplicates removed",
    automation_removed: "Removed by automation tools", other_removed: "Removed for other reasons",
    screened: "Records screened", excluded: "Records excluded", sought: "Reports sought for retrieval",
    not_retrieved: "Reports not retrieved", assessed: "Reports assessed for eligibility",
    excluded_with_reasons: "Reports excluded", included: "Studies included"};
  const side = new Set(["duplicates_removed", "automation_removed", "other_removed",
                        "excluded", "not_retrieved", "excluded_with_reasons"]);
  const grid = el("div", {class: "prisma"});
  grid.style.setProperty("--arms", P.arms.length);
  for (const arm of P.arms) {
    const col = el("div", {class: "arm", "data-arm": arm.arm});
    col.appendChild(el("h3", {}, titles[arm.arm] || arm.arm));
    arm.boxes.forEach((b, k) => {
      if (side.has(b.box) && b.count === 0 && !b.details.length) return;
      if (k > 0 && !side.has(b.box)) col.appendChild(el("div", {class: "arrow"}, "\u2193"));
      const div = el("div", {class: "box" + (side.has(b.box) ? " removed" : ""),
                             "data-box": b.box});
      div.appendChild(el("span", {}, (names[b.box] || b.box) + " "));
      div.appendChild(el("span", {class: "count"}, "(n = " + b.count.toLocaleString("en") + ")"));
      if (b.details.length) {
        const ul = el("ul");
        for (const [d, c] of b.details) ul.appendChild(el("li", {}, d + " (n = " + c + ")"));
        div.appendChild(ul);
      }
      col.appendChild(div);
    });
    grid.appendChild(col);
  }
  box.appendChild(grid);
  if (P.total !== null) {
    const tot = el("div", {class: "box", "data-box": "total"});
    tot.appendChild(el("span", {}, "Studies included in the review "));
    tot.appendChild(el("span", {class: "count"}, "(n = " + P.total + ")"));
    tot.appendChild(el("div", {id: "prisma-shown"},
      "of which " + shown.length + " match the filters (extraction table: " + N + " items)"));
    box.appendChild(tot);
  }
  document.getElementById("prisma-label").textContent =
    (P.synthetic ? "SYNTHETIC DATA \u00b7 " : "") + "Source: " + P.source;
}

async function update() {
  const shown = [];
  for (let i = 0; i < N; i++) if (passes(i)) shown.push(i);
  document.getElementById("shown").textContent = shown.length + " of " + N + " items shown";
  const jobs = [];
  if (D.columns && S.rows) {
    jobs.push(show("gap", gapSpec(shown), d => {
      if (d.row === undefined || !d.count) return;
      S.selection = {kind: "cell", rows: S.rows, row: d.row, column: d.column};
      renderSelection(currentShown());
    }));
  }
  if (D.world) {
    jobs.push(show("world", worldSpec(shown), d => {
      if (!d.properties) return;
      S.selection = {kind: "country", iso3: d.properties.iso3, name: d.properties.name};
      renderSelection(currentShown());
    }));
    document.getElementById("world-label").textContent = label + " \u00b7 Shapes: " + D.world.credit;
  } else {
    document.getElementById("world-section").style.display = "none";
  }
  renderSelection(shown);
  renderPrisma(shown);
  await Promise.all(jobs);
  if (!S.renders) document.body.setAttribute("data-first-render-ms", performance.now().toFixed(0));
  document.body.setAttribute("data-ready", String(++S.renders));
}
S.renders = 0;
function currentShown() {
  const shown = [];
  for (let i = 0; i < N; i++) if (passes(i)) shown.push(i);
  return shown;
}

function buildRows() {
  const sel = document.getElementById("gap-rows");
  for (const f of D.rows) sel.appendChild(el("option", {value: f}, D.labels[f]));
  sel.addEventListener("change", () => { S.rows = sel.value; S.selection = null; update(); });
  if (!D.columns) document.getElementById("gap-section").style.display = "none";
}

buildFilters();
buildRows();
update();
})();
"""
