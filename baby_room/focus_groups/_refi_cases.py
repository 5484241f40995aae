"""REFI-QDA ``Variables`` and ``Cases``: attributes of people, groups and documents.

Project.xsd (QDA-XML 1.0): ``Variables/Variable`` declares an attribute
(``typeOfVariable``); a ``Case`` (an NVivo case or classification, a MAXQDA document
group, ...) carries ``VariableValue`` elements and reaches text through ``SourceRef``
(the whole source), ``SelectionRef`` (one selection) or, as NVivo writes it, a
``Coding`` whose ``CodeRef`` points at the case. Sources may carry ``VariableValue``
too (MAXQDA document variables).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from baby_room.focus_groups._refi_archive import local
from baby_room.focus_groups._refi_codes import guid

LINK_COLUMNS = ["case", "source", "selection", "start", "end", "via"]


def read_variables(root, q) -> tuple[pd.DataFrame, dict]:
    """``Variables/Variable`` as a table (guid, name, type) and a guid -> name map."""
    variables = [(guid(v.get("guid")), v.get("name"), v.get("typeOfVariable"))
                 for v in root.iterfind(f"{q('Variables')}/{q('Variable')}")]
    frame = pd.DataFrame(variables, columns=["guid", "name", "type"]).astype("string")
    return frame, {g: (n or g) for g, n, _ in variables}


def variable_values(el, q, var_name: dict) -> dict:
    """``{variable name: value}`` of the ``VariableValue`` children of ``el``."""
    out = {}
    for vv in el.findall(q("VariableValue")):
        ref = vv.find(q("VariableRef"))
        name = var_name.get(guid(ref.get("targetGUID"))) if ref is not None else None
        if name is None:
            continue
        value = None
        for child in vv:
            if local(child.tag) != "VariableRef":
                value = (child.text or "").strip()
        out[name] = value
    return out


def read_cases(root, q, var_name: dict) -> tuple[pd.DataFrame, list]:
    """Cases (guid, name, one column per variable) and their SourceRef/SelectionRef links."""
    rows, links = [], []
    for case in root.iterfind(f"{q('Cases')}/{q('Case')}"):
        g = guid(case.get("guid"))
        row = {"guid": g, "name": case.get("name")}
        for k, v in variable_values(case, q, var_name).items():
            row[f"{k}_value" if k in ("guid", "name") else k] = v
        rows.append(row)
        for ref in case.findall(q("SourceRef")):
            links.append((g, guid(ref.get("targetGUID")), None, None, None, "SourceRef"))
        for ref in case.findall(q("SelectionRef")):
            links.append((g, None, guid(ref.get("targetGUID")), None, None, "SelectionRef"))
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["guid", "name"])
    frame = frame.astype("object").where(frame.notna(), None).astype("string")
    return frame, links


def links_table(links: list) -> pd.DataFrame:
    """The ``case_links`` table from (case, source, selection, start, end, via) tuples."""
    frame = pd.DataFrame(links, columns=LINK_COLUMNS)
    return frame.astype({"case": "string", "source": "string", "selection": "string",
                         "start": "Int64", "end": "Int64", "via": "string"})


def assign_cases(cod: pd.DataFrame, links: pd.DataFrame):
    """Most specific case of each coding (selection, else the case coding overlapping it
    most) and the case holding its whole source (``SourceRef``)."""
    n = len(cod)
    case = np.full(n, None, dtype=object)
    source_case = np.full(n, None, dtype=object)
    if not n or not len(links):
        return case, source_case
    src_links = links[links["via"] == "SourceRef"]
    if len(src_links):
        first = src_links.drop_duplicates("source").set_index("source")["case"]
        source_case = cod["source"].map(first).to_numpy(dtype=object)
    sel_links = links[links["via"] == "SelectionRef"].drop_duplicates("selection")
    if len(sel_links):
        direct = cod["selection_guid"].map(sel_links.set_index("selection")["case"])
        case = np.where(direct.notna(), direct.to_numpy(dtype=object), case)
    spans = links[(links["via"] == "coding") & links["start"].notna() & links["end"].notna()]
    if len(spans):
        starts = cod["start"].to_numpy(dtype="float64", na_value=np.nan)
        ends = cod["end"].to_numpy(dtype="float64", na_value=np.nan)
        pos = cod.groupby("source", sort=False).indices
        for source, grp in spans.groupby("source", sort=False):
            if source not in pos:
                continue
            ix = pos[source]
            ix = ix[pd.isna(case[ix])]
            if not len(ix):
                continue
            ls = grp["start"].to_numpy(dtype="float64")
            le = grp["end"].to_numpy(dtype="float64")
            names = grp["case"].to_numpy(dtype=object)
            for chunk in np.array_split(ix, max(1, len(ix) // 2000 + 1)):
                s = starts[chunk][:, None]
                e = ends[chunk][:, None]
                overlap = np.minimum(e, le[None, :]) - np.maximum(s, ls[None, :])
                overlap = np.where(np.isnan(overlap), -1, overlap)
                best = overlap.argmax(axis=1)
                has = overlap[np.arange(len(chunk)), best] > 0
                case[chunk[has]] = names[best[has]]
    return case, source_case
