"""REFI-QDA ``Sources``: text sources, their selections and codings, and the text itself.

Project.xsd (QDA-XML 1.0): ``TextSource`` (text in ``plainTextPath`` — ``internal://``
inside the archive, ``relative://`` or ``absolute://`` outside — or inline in
``PlainTextContent``) holds ``PlainTextSelection`` elements (``startPosition``,
``endPosition``, ``creatingUser``) holding ``Coding`` elements (``creatingUser``,
``CodeRef``). A ``Coding`` directly under a source codes the whole text.
``PDFSource/Representation`` is the text layer of a PDF. Picture, audio and video
selections are counted, not read.
"""

from __future__ import annotations

import posixpath
import re
import warnings
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import numpy as np
import pandas as pd

from baby_room.errors import DataValidationError, FileFormatError, UnmatchedValueWarning
from baby_room.focus_groups import _refi_offsets as offsets
from baby_room.focus_groups._refi_archive import local, unsafe_name
from baby_room.focus_groups._refi_cases import variable_values
from baby_room.focus_groups._refi_codes import guid

#: Largest position accepted in a selection (2**53: exact in every number type).
MAX_POSITION = 2**53
_POSITION = re.compile(r"\s*\+?\d{1,16}\s*")

SELECTION_FIELDS = ("source", "selection_guid", "selection_name", "raw_start", "raw_end",
                    "selection_user", "created")
CODING_FIELDS = ("sel_idx", "coding_guid", "target", "coding_user", "is_case")


class SourceCollector:
    """Walks ``Project/Sources`` once, collecting sources, selections and codings."""

    def __init__(self, q, case_guids: set, var_name: dict):
        self.q = q
        self.case_guids = case_guids
        self.var_name = var_name
        self.sel = {k: [] for k in SELECTION_FIELDS}
        self.cod = {k: [] for k in CODING_FIELDS}
        self.sources: list[dict] = []
        self.other_sel = {q("PictureSelection"), q("AudioSelection"), q("VideoSelection"),
                          q("PDFSelection"), q("Transcript")}

    def walk(self, sources_el) -> None:
        if sources_el is None:
            return
        for el in sources_el:
            kind = local(el.tag)
            if el.tag == self.q("TextSource"):
                self._text_source(el, kind)
                continue
            reps = [r for r in el if local(r.tag) == "Representation"]
            if reps:
                self._text_source(reps[0], kind, guid(el.get("guid")), el.get("name"))
            else:
                self.sources.append({
                    "guid": guid(el.get("guid")), "name": el.get("name"), "kind": kind,
                    "location": el.get("path"), "_inline": None, "n_selections": 0,
                    "n_other_selections": sum(1 for c in el if c.tag in self.other_sel),
                    "_vars": variable_values(el, self.q, self.var_name)})

    def _add_selection(self, source, el, whole=False) -> int:
        s = self.sel
        s["source"].append(source)
        s["selection_guid"].append(None if whole else guid(el.get("guid")))
        s["selection_name"].append("" if whole else (el.get("name") or ""))
        s["raw_start"].append(None if whole else el.get("startPosition"))
        s["raw_end"].append(None if whole else el.get("endPosition"))
        s["selection_user"].append(None if whole else guid(el.get("creatingUser")
                                                           or el.get("modifyingUser")))
        s["created"].append(el.get("creationDateTime"))
        return len(s["source"]) - 1

    def _add_coding(self, coding, sel_idx) -> None:
        q = self.q
        target, is_case = None, False
        ref, cref = coding.find(q("CodeRef")), coding.find(q("CaseRef"))
        if ref is not None:
            target = guid(ref.get("targetGUID"))
            is_case = target in self.case_guids
        elif cref is not None:
            target, is_case = guid(cref.get("targetGUID")), True
        c = self.cod
        c["sel_idx"].append(sel_idx)
        c["coding_guid"].append(guid(coding.get("guid")))
        c["target"].append(target)
        c["coding_user"].append(guid(coding.get("creatingUser")))
        c["is_case"].append(is_case)

    def _text_source(self, el, kind, outer_guid=None, outer_name=None) -> None:
        q = self.q
        g = outer_guid or guid(el.get("guid"))
        first = len(self.sel["source"])
        n_other = 0
        for child in el:
            if child.tag == q("PlainTextSelection"):
                i = self._add_selection(g, child)
                for coding in child.findall(q("Coding")):
                    self._add_coding(coding, i)
            elif child.tag == q("Coding"):  # codes the whole source
                self._add_coding(child, self._add_selection(g, child, whole=True))
            elif child.tag in self.other_sel:
                n_other += 1
        content = el.find(q("PlainTextContent"))
        location = el.get("plainTextPath") or el.get("path")
        if content is not None and content.text is not None and not location:
            location = "inline"
        name = outer_name or el.get("name")
        if not name and location and location != "inline":
            # qc writes no name (the schema allows it); plainTextPath names the transcript
            name = PurePosixPath(unquote(location.split("://", 1)[-1]).replace("\\", "/")).name
        self.sources.append({
            "guid": g, "name": name, "kind": kind,
            "location": location, "_inline": content.text if content is not None else None,
            "n_selections": len(self.sel["source"]) - first, "n_other_selections": n_other,
            "_vars": variable_values(el, q, self.var_name)})


def check_positions(sel: pd.DataFrame, path) -> tuple[np.ndarray, np.ndarray]:
    """Raw positions as float arrays (NaN where absent); DataValidationError listing every
    position that is not a whole number from 0 to 2**53."""
    out, failures = [], []
    for field, attr in (("raw_start", "startPosition"), ("raw_end", "endPosition")):
        raw = sel[field].to_numpy(dtype=object)
        vals = np.full(len(raw), np.nan)
        for i, v in enumerate(raw):
            if not isinstance(v, str):
                continue
            if _POSITION.fullmatch(v) and int(v) <= MAX_POSITION:
                vals[i] = float(int(v))
            else:
                failures.append((str(path), None, f"PlainTextSelection@{attr}", v,
                                 f"type: a whole number of characters from 0 to 2**53 "
                                 f"(selection {sel['selection_guid'].iat[i]})"))
        out.append(vals)
    if failures:
        raise DataValidationError(
            pd.DataFrame(failures, columns=["file", "row", "column", "value", "check"]),
            kind="REFI-QDA selections")
    return out[0], out[1]


def place_selections(sel: pd.DataFrame, texts: dict, names: dict, origin, path):
    """Map raw positions to text spans, deciding each source's unit (see _refi_offsets).

    Returns (start, end, ok, text arrays; {source guid: (unit, evidence)}).
    """
    raw_s, raw_e = check_positions(sel, path)
    n = len(sel)
    start = np.full(n, -1, np.int64)
    end = np.full(n, -1, np.int64)
    ok = np.zeros(n, bool)
    seltext = np.full(n, None, dtype=object)
    by_source = sel.groupby("source", sort=False).indices if n else {}
    sel_names = np.array([" ".join(x.split()) for x in sel["selection_name"].to_numpy()],
                         dtype=object)
    whole_all = np.isnan(raw_s) & np.isnan(raw_e) & sel["selection_guid"].isna().to_numpy()
    readings = {}
    for g, idx in by_source.items():
        text = texts.get(g)
        if text is None:
            continue
        rs, re_ = raw_s[idx], raw_e[idx]
        bad = np.isnan(rs) | np.isnan(re_)
        readings[g] = (idx, offsets.read_source(
            text, np.where(bad, -1, rs).astype(np.int64), np.where(bad, -1, re_).astype(np.int64),
            sel_names[idx], whole_all[idx]))
    ranking = {}

    def rank():  # computed once, only when some source needs the project-wide tie-break
        if not ranking:
            ranking.update(offsets.project_ranking([r for _, r in readings.values()]))
        return ranking

    tool, prior = offsets.tool_units(origin)
    units, weak = {}, []
    for g, (idx, results) in readings.items():
        unit, evidence = offsets.choose(results, prior, rank)
        units[g] = (unit, evidence)
        _sc, s, e, valid = results[unit]
        start[idx], end[idx], ok[idx] = s, e, valid
        text = texts[g]
        seltext[idx] = [text[a:b] if v else None for a, b, v in zip(s, e, valid, strict=True)]
        if evidence in offsets.WEAK:
            weak.append(names.get(g) or g)
        n_bad = int((~valid).sum())
        if n_bad:
            warnings.warn(
                f"{path}: {n_bad} selection(s) in source {names.get(g)!r} fall outside its text "
                f"({len(text):,} characters) or split a character or line end under every "
                "reading of the positions; their start, end and text are left missing",
                UnmatchedValueWarning, stacklevel=4)
    if weak:
        shown = ", ".join(map(repr, weak[:5])) + (" ..." if len(weak) > 5 else "")
        warnings.warn(
            f"{path}: the unit of the selection positions of {len(weak)} source(s) ({shown}) is "
            f"a guess: the project does not name a known tool in Project@origin "
            f"({origin!r}) and its selections fit more than one reading. Check a few coded "
            "texts; sources['offset_unit'] says which reading was used",
            UnmatchedValueWarning, stacklevel=4)
    return start, end, ok, seltext, units


# --------------------------------------------------------------------------- source text


def load_text(container, path, row, source_dir, *, needed: bool):
    """Find and decode the plain text of a text source: (text, member read, encoding)."""
    location = row["location"]
    if row["_inline"] is not None and (location in (None, "inline")):
        return row["_inline"], None, None
    if row["kind"] not in ("TextSource", "PDFSource") and not needed:
        return None, None, None
    if not location:
        if needed:
            raise FileFormatError(
                path, f"text source {row['name']!r} ({row['guid']}) has coded selections but no "
                "text: neither plainTextPath nor PlainTextContent is given")
        return None, None, None
    candidates = []
    loc = location.strip()
    low = loc.lower()
    if low.startswith("internal://"):
        rel = loc[len("internal://"):].lstrip("/")
        candidates += [f"sources/{rel}", rel]
    elif low.startswith("relative://"):
        rel = loc[len("relative://"):].lstrip("/")
        candidates += [rel, f"sources/{rel}", f"sources/{posixpath.basename(rel)}"]
    elif low.startswith("absolute://"):
        rel = loc[len("absolute://"):]
        candidates += [f"sources/{PurePosixPath(rel.replace(chr(92), '/')).name}"]
    else:
        rel = loc
        candidates += [loc.lstrip("/"), f"sources/{PurePosixPath(loc.replace(chr(92), '/')).name}"]
    # tolerate %-escaped names and GUIDs written with or without braces
    for cand in list(candidates):
        for variant in (unquote(cand), cand.replace("{", "").replace("}", "")):
            if variant not in candidates:
                candidates.append(variant)
    for cand in candidates:
        if unsafe_name(cand):
            continue
        info = container.find(cand)
        if info is not None:
            text, enc = _decode(container.read(info), path, info.filename)
            return text, info.filename, enc
    if source_dir is not None:
        found = _from_source_dir(Path(source_dir), rel.replace("\\", "/"),
                                 container.max_entry_bytes)
        if found is not None:
            text, enc = _decode(found[1], path, str(found[0]))
            return text, str(found[0]), enc
    if needed:
        where = "the archive" + (f" or {source_dir}" if source_dir is not None else "")
        hint = "" if source_dir is not None or low.startswith("internal://") else (
            "; pass source_dir= the folder that holds the project's linked files")
        raise FileFormatError(
            path, f"text source {row['name']!r} refers to {location!r} but {where} has no such "
            f"file (looked for: {', '.join(candidates)}){hint}")
    return None, None, None


def _from_source_dir(folder: Path, rel: str, limit: int):
    base = folder.resolve()
    name = PurePosixPath(rel).name
    options = []
    if not unsafe_name(rel):
        options.append(base / rel.lstrip("/"))
    if name and name not in ("..", "."):
        options.append(base / name)
    for p in options:
        try:
            resolved = p.resolve()
        except OSError:
            continue
        if base != resolved and base not in resolved.parents:
            continue
        if resolved.is_file():
            size = resolved.stat().st_size
            if size > limit:
                raise FileFormatError(resolved, f"linked source is {size:,} bytes, more than the "
                                      f"{limit:,} allowed")
            try:
                return resolved, resolved.read_bytes()
            except OSError as exc:
                raise FileFormatError(resolved, f"linked source cannot be read "
                                      f"({exc.strerror or exc})") from None
    return None


def _decode(raw: bytes, path, member: str):
    from baby_room._io import decode_bytes

    text, enc = decode_bytes(raw, path, what=f"source {member}")
    return text, "utf-8" if enc == "utf-8-sig" else enc
