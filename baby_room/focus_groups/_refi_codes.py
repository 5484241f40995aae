"""REFI-QDA ``CodeBook/Codes`` and ``Users``: the code tree and who the coders are.

Project.xsd (QDA-XML 1.0): ``Code`` elements nest to any depth (``isCodable="false"``
marks a folder); ATLAS.ti writes a flat list whose names carry the hierarchy as
``Group::Code``, read here as one more level per ``::``. The tree is walked without
recursion and its depth is bounded by :data:`MAX_CODE_DEPTH`.
"""

from __future__ import annotations

import pandas as pd

from baby_room.errors import FileFormatError

#: Deepest code nesting accepted (levels); real code books use fewer than ten.
MAX_CODE_DEPTH = 100

CODE_COLUMNS = ("guid", "name", "parent", "path", "theme", "leaf", "level", "codable", "color",
                "description")


def guid(value):
    """A GUID as the standard's comparisons need it: no braces, lower case."""
    if value is None:
        return None
    return value.strip().strip("{}").lower()


def read_codes(codes_el, ns: str, path) -> pd.DataFrame:
    """One row per code (see ``QdaProject.codes``), depth-first in document order."""
    q = f"{{{ns}}}Code" if ns else "Code"
    d = f"{{{ns}}}Description" if ns else "Description"
    rows = []
    # stack of (element, parent guid, parent path parts, depth); children pushed reversed
    stack = [] if codes_el is None else [(c, None, [], 1) for c in reversed(codes_el.findall(q))]
    while stack:
        code, parent_guid, parent_parts, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise FileFormatError(
                path, f"codes are nested more than {MAX_CODE_DEPTH} levels deep (the limit); "
                f"code {code.get('name')!r} is at level {depth}")
        g = guid(code.get("guid"))
        name = code.get("name") or ""
        parts = [p.strip() for p in name.split("::")] if "::" in name else [name.strip()]
        parts = [p for p in parts if p] or [name]
        full = parent_parts + parts
        desc_el = code.find(d)
        rows.append((g, name, parent_guid, " > ".join(full), full[0], full[-1], len(full),
                     (code.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                     code.get("color"), desc_el.text if desc_el is not None else None))
        stack.extend((c, g, full, depth + 1) for c in reversed(code.findall(q)))
    frame = pd.DataFrame(rows, columns=list(CODE_COLUMNS))
    return frame.astype({"guid": "string", "name": "string", "parent": "string",
                         "path": "string", "theme": "string", "leaf": "string",
                         "level": "Int64", "codable": "boolean", "color": "string",
                         "description": "string"})


def read_users(root, q) -> tuple[pd.DataFrame, dict]:
    """``Users/User`` as a table (guid, name, id) and a guid -> display name map."""
    users = [(guid(u.get("guid")), u.get("name"), u.get("id"))
             for u in root.iterfind(f"{q('Users')}/{q('User')}")]
    frame = pd.DataFrame(users, columns=["guid", "name", "id"]).astype("string")
    return frame, {g: (n if n else g) for g, n, _ in users}
