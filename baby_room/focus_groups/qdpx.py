"""Read REFI-QDA project (``.qdpx``) and codebook (``.qdc``) files.

REFI-QDA is the exchange standard of the QDA software makers (NVivo, ATLAS.ti,
MAXQDA, QualCoder, Quirkos, ...): a ``.qdpx`` file is a zip archive holding one
XML project file (``*.qde``, namespace ``urn:QDA-XML:project:1.0``, schema
``Project.xsd`` of 18 March 2019) and the source documents in ``sources/``.
:func:`read_qdpx` reads it into a :class:`QdaProject` of tidy DataFrames, and
:meth:`QdaProject.to_long` turns the text codings into the package's long coding
format (one row per coded segment per coder).

What the reader copes with (each one seen in files from real tools):

* ``sources/`` or ``Sources/``; the ``.qde`` named after the project (any single
  ``*.qde`` at the root of the archive);
* text held in ``internal://<guid>.txt`` files, in ``relative://`` or
  ``absolute://`` paths (looked for inside the archive, then in ``source_dir``
  when given, never elsewhere on disk), or inline in ``PlainTextContent``;
* nested ``Code`` elements, ``isCodable="false"`` folders, and ATLAS.ti's
  flattened ``Group::Code`` names (``::`` is read as one more level);
* selection offsets counted in Unicode code points or in UTF-16 code units, on
  text with CRLF or LF line ends (see *Offsets* below);
* the coder taken from ``Coding@creatingUser``, else the selection's
  ``creatingUser``;
* codings whose ``CodeRef`` (or a ``CaseRef``) points at a *Case* rather than a
  code (NVivo's case coding): they are not code codings; they say which case
  (speaker, focus group) the text belongs to, and the codings inside that text
  are kept with the case.

Offsets
-------
The standard says ``startPosition`` and ``endPosition`` count characters, but
tools differ in what a character is: QualCoder and ATLAS.ti count Unicode code
points, NVivo and MAXQDA (Windows/.NET) count UTF-16 code units (a character
outside the Basic Multilingual Plane such as an emoji counts 2) and may count a
CRLF line end as two characters or, on text stored with CRLF, as one. For each
source the reader tries every interpretation that differs on that text: code
points or UTF-16 units, on the text as stored, with CRLF counted as one
character, and with a lone LF counted as two. It keeps the interpretation under
which, in order, (1) the most selections fall inside the text on whole
characters, (2) the most selections reproduce the selection text stored in the
file (``PlainTextSelection@name``, whitespace-normalised, when the tool stores
it), (3) the most selection ends fall on word boundaries (not between two
letters or digits). Ties go to the interpretation chosen for the whole project
(scores summed over sources), then to code points on the text as stored (the
standard's reading). ``QdaProject.sources["offset_unit"]`` says which one was
used. Output offsets (``start``, ``end``) are always Python string indices into
the source text as stored (``sources["text"]``), so
``text[start:end]`` is the coded passage.

Safety
------
A ``.qdpx`` is treated as untrusted: members are read in memory (nothing is
extracted to disk), entries with absolute paths, drive letters or ``..`` are
refused, the number of entries and the uncompressed size (per entry and in
total) are bounded, both from the zip directory and while decompressing, and
XML is parsed with :mod:`defusedxml` (no DTDs, no entity expansion, no external
entities). Every problem raises :class:`baby_room.errors.FileFormatError` naming
the file and what is wrong.
"""

from __future__ import annotations

import posixpath
import re
import struct
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import numpy as np
import pandas as pd

from baby_room.errors import DesignError, FileFormatError, UnmatchedValueWarning

__all__ = ["QdaProject", "read_qdpx", "read_qdc", "MAX_ENTRIES", "MAX_ENTRY_BYTES",
           "MAX_TOTAL_BYTES"]

#: Largest number of entries accepted in a ``.qdpx`` archive.
MAX_ENTRIES = 10_000
#: Largest uncompressed size of one archive entry (256 MiB).
MAX_ENTRY_BYTES = 256 * 1024**2
#: Largest uncompressed size of all archive entries together (512 MiB).
MAX_TOTAL_BYTES = 512 * 1024**2

PROJECT_NS = "urn:QDA-XML:project:"
CODEBOOK_NS = "urn:QDA-XML:codebook:"

#: Canonical long-format columns, in order (see ``baby_room.codebook.CODING``).
LONG_COLUMNS = ("segment_id", "conference", "group_id", "speaker", "role", "theme", "code",
                "coder", "start", "end", "text")

_CONFERENCES = ("London", "York", "Norwich", "Manchester", "Falmouth", "Bristol")
_ROLES = ("educator", "room_leader", "manager")
_CHUNK = 1 << 20


# --------------------------------------------------------------------------- result object


@dataclass
class QdaProject:
    """A REFI-QDA project read by :func:`read_qdpx`.

    Attributes
    ----------
    path : str
        The file read.
    name : str
        ``Project@name``.
    origin : str or None
        ``Project@origin``: the software that wrote the file (e.g. ``"NVivo 14"``).
    codes : pandas.DataFrame
        One row per code: ``guid``, ``name`` (as in the file), ``parent`` (guid of the
        parent code, missing at the top), ``path`` (names from the top, ``" > "``
        between levels, ATLAS.ti ``::`` names split into levels), ``theme`` (first
        level of ``path``), ``leaf`` (last level), ``level`` (1 at the top),
        ``codable`` (False for folders), ``color``, ``description``.
    codings : pandas.DataFrame
        One row per coding of a text selection with a code: ``coding_guid``,
        ``selection_guid``, ``source`` (source guid), ``source_name``, ``code``
        (code guid), ``code_path``, ``coder`` (user name, else the user guid),
        ``start``, ``end`` (Int64 code-point offsets into the source text as stored),
        ``raw_start``, ``raw_end`` (the offsets as written in the file), ``text`` (the
        coded passage), ``selection_name``, ``created``, ``case`` (guid of the case the
        passage belongs to, from a ``SelectionRef`` or a case coding spanning it),
        ``source_case`` (guid of the case holding the whole source via ``SourceRef``).
    sources : pandas.DataFrame
        One row per source: ``guid``, ``name``, ``kind`` (``TextSource``,
        ``PDFSource``, ...), ``location`` (``internal://...``, ``relative://...``,
        ``absolute://...``, ``inline`` or missing), ``member`` (archive member read),
        ``encoding``, ``n_chars``, ``n_selections``, ``offset_unit`` (the offset
        interpretation chosen, see the module notes), ``text``, and one column per
        variable given on the source (MAXQDA document variables).
    users : pandas.DataFrame
        ``guid``, ``name``, ``id``.
    cases : pandas.DataFrame
        One row per case: ``guid``, ``name``, then one column per case variable
        (for example ``role``, ``location``) holding its value.
    case_links : pandas.DataFrame
        How cases reach text: ``case``, ``source``, ``selection``, ``start``, ``end``,
        ``via`` (``SourceRef``, ``SelectionRef`` or ``coding``).
    variables : pandas.DataFrame
        ``guid``, ``name``, ``type`` (``typeOfVariable``).
    """

    path: str
    name: str
    origin: str | None
    codes: pd.DataFrame
    codings: pd.DataFrame
    sources: pd.DataFrame
    users: pd.DataFrame
    cases: pd.DataFrame
    case_links: pd.DataFrame
    variables: pd.DataFrame

    def __repr__(self) -> str:
        return (f"QdaProject(name={self.name!r}, origin={self.origin!r}, codes={len(self.codes)}, "
                f"sources={len(self.sources)}, codings={len(self.codings)}, "
                f"users={len(self.users)}, cases={len(self.cases)})")

    def to_long(self, *, documents: pd.DataFrame | None = None,
                segment_id: str = "selection") -> pd.DataFrame:
        """The text codings in the long coding format (one row per segment per coder).

        Parameters
        ----------
        documents : pandas.DataFrame, optional
            Maps a source (document) name to ``conference``, ``group_id``, ``role``
            and/or ``speaker``: a column ``document`` (or ``document_name`` or
            ``source``) with the source name as in the project (with or without its
            file extension), and any of those four columns. Its values take
            precedence over case variables.
        segment_id : {"selection", "span"}, default "selection"
            ``"selection"``: the selection guid (two coders share a segment only when
            they coded the same selection, as in NVivo and QualCoder). ``"span"``:
            ``<source name>:<start>-<end>``, so that two coders who selected the same
            characters separately share a segment (use this for inter-coder
            agreement with tools that make one selection per coder).

        Returns
        -------
        pandas.DataFrame
            Columns ``segment_id, conference, group_id, speaker, role, theme, code,
            coder, start, end, text``. ``theme`` is the first level of the code path,
            ``code`` the last. ``group_id`` comes from ``documents``, else a case
            variable ``group_id`` (or ``group``, ``focus_group``), else the source name
            without extension. ``conference``, ``role`` and ``speaker`` come from
            ``documents``, else from case variables of that name (the case of the
            passage first, then the case of the whole source, then the source's own
            variables); ``speaker`` is otherwise the name of the passage's case, when
            the passage belongs to a case through a selection or case coding.
            ``conference`` is an ordered category in conference date order and
            ``role`` a category (``educator, room_leader, manager``); values that do
            not match become missing with an :class:`~baby_room.errors.UnmatchedValueWarning`.
            ``attrs["source"]`` names the file; ``attrs["synthetic"]`` is False.

        Examples
        --------
        >>> import io, zipfile, tempfile, os
        >>> qde = (
        ...     '<Project xmlns="urn:QDA-XML:project:1.0" name="demo">'
        ...     '<Users><User guid="u1" name="Ana"/></Users>'
        ...     '<CodeBook><Codes><Code guid="c1" name="Ratios" isCodable="true">'
        ...     '<Code guid="c2" name="Too few staff" isCodable="true"/></Code></Codes></CodeBook>'
        ...     '<Sources><TextSource guid="s1" name="YOR-2">'
        ...     '<PlainTextContent>We never have enough adults.</PlainTextContent>'
        ...     '<PlainTextSelection guid="p1" startPosition="9" endPosition="28">'
        ...     '<Coding guid="k1" creatingUser="u1"><CodeRef targetGUID="c2"/></Coding>'
        ...     '</PlainTextSelection></TextSource></Sources></Project>')
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = os.path.join(d, "demo.qdpx")
        ...     with zipfile.ZipFile(p, "w") as z:
        ...         z.writestr("demo.qde", qde)
        ...     project = read_qdpx(p)
        >>> long = project.to_long()
        >>> long[["group_id", "theme", "code", "coder", "start", "end", "text"]].to_dict("records")
        [{'group_id': 'YOR-2', 'theme': 'Ratios', 'code': 'Too few staff', 'coder': 'Ana', 'start': 9, 'end': 28, 'text': 'have enough adults.'}]
        """
        if segment_id not in ("selection", "span"):
            raise DesignError(
                f"segment_id must be one of 'selection', 'span'; got {segment_id!r}")
        c = self.codings
        codes = self.codes.drop_duplicates("guid").set_index("guid")
        n = len(c)
        theme = c["code"].map(codes["theme"])
        leaf = c["code"].map(codes["leaf"])

        # attributes: source variables < source case < passage case < documents
        attrs = {k: pd.Series(pd.NA, index=c.index, dtype="object")
                 for k in ("conference", "group_id", "role", "speaker")}
        src_vars = _variable_lookup(self.sources, "guid")
        case_vars = _variable_lookup(self.cases, "guid")
        for key, frame, col in ((src_vars, c, "source"), (case_vars, c, "source_case"),
                                (case_vars, c, "case")):
            for target, names in _ATTRIBUTE_ALIASES.items():
                for name in names:
                    if name in key:
                        vals = frame[col].map(key[name])
                        attrs[target] = vals.where(vals.notna(), attrs[target])
                        break
        case_names = self.cases.drop_duplicates("guid").set_index("guid")["name"] if len(
            self.cases) else pd.Series(
            dtype="object")
        passage_case = c["case"].map(case_names)
        attrs["speaker"] = attrs["speaker"].where(attrs["speaker"].notna(), passage_case)
        stem = c["source_name"].map(_stem)
        attrs["group_id"] = attrs["group_id"].where(attrs["group_id"].notna(), stem)
        if documents is not None:
            attrs = _apply_documents(documents, c["source_name"], attrs)

        if segment_id == "selection":
            seg = c["selection_guid"].astype("object")
            fallback = (c["source_name"].astype(str) + ":" + c["start"].astype(str) + "-"
                        + c["end"].astype(str))
            seg = seg.where(seg.notna(), fallback)
        else:
            seg = (c["source_name"].astype(str) + ":" + c["start"].astype(str) + "-"
                   + c["end"].astype(str))
        out = pd.DataFrame({
            "segment_id": seg,
            "conference": attrs["conference"],
            "group_id": attrs["group_id"],
            "speaker": attrs["speaker"],
            "role": attrs["role"],
            "theme": theme if n else pd.Series(dtype="object"),
            "code": leaf if n else pd.Series(dtype="object"),
            "coder": c["coder"],
            "start": c["start"],
            "end": c["end"],
            "text": c["text"],
        })
        out = _finalise_long(out, source=f"REFI-QDA project {Path(self.path).name}")
        return out


_ATTRIBUTE_ALIASES = {
    "conference": ("conference", "event", "location"),
    "group_id": ("group_id", "group", "focus_group", "groupid"),
    "role": ("role", "job_role", "position"),
    "speaker": ("speaker", "pseudonym", "speaker_pseudonym", "participant"),
}


def _key(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


def _stem(name):
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return pd.NA
    base, dot, ext = str(name).rpartition(".")
    if dot and base and ext.lower() in {"txt", "docx", "doc", "rtf", "pdf", "odt", "md", "html",
                                         "htm"}:
        return base
    return str(name)


def _variable_lookup(frame: pd.DataFrame, key: str) -> dict[str, pd.Series]:
    """Normalised variable name -> Series indexed by ``key`` (non-missing values only)."""
    fixed = {"guid", "name", "kind", "location", "member", "encoding", "n_chars",
             "n_selections", "n_other_selections", "offset_unit", "text"}
    out = {}
    if frame is None or not len(frame):
        return out
    frame = frame.drop_duplicates(key)
    for col in frame.columns:
        if col in fixed:
            continue
        s = frame.set_index(key)[col]
        s = s[s.notna()]
        out.setdefault(_key(col), s)
    return out


def _apply_documents(documents, names: pd.Series, attrs: dict) -> dict:
    """Overlay a user's document table (document name -> attributes) on ``attrs``."""
    if not isinstance(documents, pd.DataFrame):
        raise DesignError(
            "documents must be a pandas DataFrame with a 'document' column and any of "
            f"'conference', 'group_id', 'role', 'speaker'; got {type(documents).__name__}")
    cols = {_key(c): c for c in documents.columns}
    doc_col = next((cols[k] for k in ("document", "document_name", "source", "source_name")
                    if k in cols), None)
    if doc_col is None:
        raise DesignError(
            "documents needs a column 'document' (or 'document_name', 'source') naming each "
            f"document; its columns are {list(map(str, documents.columns))}")
    targets = [t for t in ("conference", "group_id", "role", "speaker") if t in cols]
    if not targets:
        raise DesignError(
            "documents must have at least one of the columns 'conference', 'group_id', "
            f"'role', 'speaker'; its columns are {list(map(str, documents.columns))}")
    keys = documents[doc_col].astype(str).str.strip()
    dupes = sorted(set(keys[keys.duplicated()]))
    if dupes:
        raise DesignError(f"documents lists these document names more than once: {dupes}")
    lookup_names = names.astype("object").map(lambda v: v if v is None or v is pd.NA else str(v)
                                              .strip())
    stems = lookup_names.map(_stem)
    attrs = dict(attrs)
    for t in targets:
        table = pd.Series(documents[cols[t]].to_numpy(dtype=object), index=keys.to_numpy())
        vals = lookup_names.map(table)
        vals = vals.where(vals.notna(), stems.map(table))
        attrs[t] = vals.where(vals.notna(), attrs[t])
    return attrs


def _finalise_long(out: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Give a long coding table the canonical dtypes and column order.

    ``conference`` becomes an ordered category (conference date order) and ``role`` a
    category; values that match neither (after case and spacing are ignored) become
    missing with an UnmatchedValueWarning.
    """
    out = out.reset_index(drop=True)
    for col in ("segment_id", "group_id", "speaker", "theme", "code", "coder", "text"):
        out[col] = out[col].astype("object").where(out[col].notna(), None).astype("string")
    for col in ("start", "end"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    out["conference"] = _to_category(out["conference"], _conferences(), "conference",
                                     ordered=True, source=source)
    out["role"] = _to_category(out["role"], _roles(), "role", ordered=True, source=source)
    out = out[list(LONG_COLUMNS)]
    out.attrs["source"] = source
    out.attrs["synthetic"] = False
    return out


def _conferences():
    try:
        from baby_room.codebook import CONFERENCES
        return tuple(CONFERENCES)
    except ImportError:  # pragma: no cover - codebook always present in the package
        return _CONFERENCES


def _roles():
    try:
        from baby_room.codebook import ROLES
        return tuple(ROLES)
    except ImportError:  # pragma: no cover
        return _ROLES


def _to_category(values: pd.Series, levels, name, *, ordered, source) -> pd.Categorical:
    by_key = {_key(v): v for v in levels}
    raw = values.astype("object")
    present = raw.notna()
    mapped = raw[present].map(lambda v: by_key.get(_key(v)))
    bad = sorted({str(v) for v, m in zip(raw[present], mapped, strict=True) if m is None})
    if bad:
        shown = ", ".join(repr(b) for b in bad[:10])
        warnings.warn(
            f"{source}: {name} values not recognised and set to missing: {shown}"
            f"{' ...' if len(bad) > 10 else ''} (allowed: {', '.join(levels)})",
            UnmatchedValueWarning, stacklevel=3)
    result = pd.Series(pd.NA, index=values.index, dtype="object")
    result[present] = mapped
    return pd.Categorical(result.where(result.notna(), None), categories=list(levels),
                          ordered=ordered)


# --------------------------------------------------------------------------- safe archive


class _Archive:
    """Read-only, bounded, in-memory access to the members of an untrusted zip."""

    def __init__(self, path, *, max_entries, max_entry_bytes, max_total_bytes):
        self.path = path
        self.max_entry_bytes = max_entry_bytes
        p = Path(path)
        if not p.exists():
            raise FileFormatError(path, "file not found")
        if p.is_dir():
            raise FileFormatError(path, "is a folder, not a .qdpx file")
        if p.stat().st_size == 0:
            raise FileFormatError(path, "file is empty (0 bytes)")
        declared = _declared_entries(p)
        if declared is not None and declared > max_entries:
            raise FileFormatError(
                path, f"archive has {declared:,} entries, more than the {max_entries:,} allowed "
                "(possible zip bomb)")
        try:
            self.zip = zipfile.ZipFile(p)
            infos = self.zip.infolist()
        except zipfile.BadZipFile as exc:
            raise FileFormatError(
                path, f"is not a REFI-QDA project: not a zip archive ({exc})") from None
        except (OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise FileFormatError(path, f"cannot be opened as a zip archive ({exc})") from None
        if len(infos) > max_entries:
            self.zip.close()
            raise FileFormatError(
                path, f"archive has {len(infos):,} entries, more than the {max_entries:,} allowed "
                "(possible zip bomb)")
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                self.zip.close()
                raise FileFormatError(
                    path, f"archive entry {name!r} has an absolute path or '..' (path traversal); "
                    "refusing to read the file")
            if info.file_size > max_entry_bytes:
                self.zip.close()
                raise FileFormatError(
                    path, f"archive entry {name!r} is {info.file_size:,} bytes uncompressed, more "
                    f"than the {max_entry_bytes:,} allowed for one entry")
            total += info.file_size
            if total > max_total_bytes:
                self.zip.close()
                raise FileFormatError(
                    path, f"archive uncompressed size exceeds the {max_total_bytes:,} bytes "
                    "allowed in total (possible zip bomb)")
            if not name.endswith("/"):
                self.members.setdefault(name.replace("\\", "/").lower(), info)
        self.max_total_bytes = max_total_bytes
        self.read_total = 0

    def close(self):
        self.zip.close()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.replace("\\", "/").lstrip("/").lower())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        limit = min(self.max_entry_bytes, info.file_size)
        parts, size = [], 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    self.read_total += len(chunk)
                    if size > limit or self.read_total > self.max_total_bytes:
                        raise FileFormatError(
                            self.path, f"archive entry {info.filename!r} decompresses to more "
                            "bytes than its header declares or than allowed (possible zip bomb)")
                    parts.append(chunk)
        except FileFormatError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError) as exc:
            raise FileFormatError(
                self.path, f"archive entry {info.filename!r} is damaged or cannot be read "
                f"({exc})") from None
        return b"".join(parts)


def _declared_entries(p: Path) -> int | None:
    """Entry count from the end-of-central-directory record, read before the directory.

    Lets a file that claims millions of entries be refused without zipfile first
    building millions of ZipInfo objects. None when the record cannot be found (the
    count is then checked after opening).
    """
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            back = min(size, 65_536 + 22)
            fh.seek(size - back)
            tail = fh.read(back)
            pos = tail.rfind(b"PK\x05\x06")
            if pos < 0 or pos + 22 > len(tail):
                return None
            count = struct.unpack_from("<H", tail, pos + 10)[0]
            if count != 0xFFFF:
                return count
            loc = tail.rfind(b"PK\x06\x07", 0, pos)
            if loc < 0:
                return None
            eocd64 = struct.unpack_from("<Q", tail, loc + 8)[0]
            fh.seek(eocd64)
            rec = fh.read(56)
            if rec[:4] != b"PK\x06\x06":
                return None
            return struct.unpack_from("<Q", rec, 32)[0]
    except (OSError, struct.error):
        return None


def _unsafe_name(name: str) -> bool:
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n) or "\x00" in n:
        return True
    return any(part == ".." for part in n.split("/"))


# --------------------------------------------------------------------------- XML


def _parse_xml(data: bytes, path, member: str):
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as DET

    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except defusedxml.DTDForbidden:
        head = data[:65536]
        if b"<!ENTITY" in head and (b"SYSTEM" in head or b"PUBLIC" in head):
            what = "declares an external entity (<!ENTITY ... SYSTEM/PUBLIC>)"
        elif b"<!ENTITY" in head:
            what = "declares entities (<!ENTITY>; 'billion laughs' entity-expansion risk)"
        else:
            what = "has a document type declaration (<!DOCTYPE>)"
        raise FileFormatError(
            path, f"{member}: XML {what}; DTDs are not allowed in a REFI-QDA file, refusing "
            "to parse it") from None
    except defusedxml.EntitiesForbidden:
        raise FileFormatError(
            path, f"{member}: XML declares entities (<!ENTITY>), which are not allowed "
            "(entity-expansion 'billion laughs' risk)") from None
    except defusedxml.ExternalReferenceForbidden:
        raise FileFormatError(
            path, f"{member}: XML refers to an external entity or resource, which is not "
            "allowed") from None
    except defusedxml.DefusedXmlException as exc:
        raise FileFormatError(path, f"{member}: unsafe XML refused ({exc})") from None
    except ParseError as exc:
        raise FileFormatError(path, f"{member}: XML syntax error: {exc}") from None


def _ns_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --------------------------------------------------------------------------- codes


def _read_codes(codes_el, ns: str) -> pd.DataFrame:
    rows = []
    q = f"{{{ns}}}Code" if ns else "Code"
    d = f"{{{ns}}}Description" if ns else "Description"

    def walk(el, parent_guid, parent_parts):
        for code in el.findall(q):
            guid = _guid(code.get("guid"))
            name = code.get("name") or ""
            parts = [p.strip() for p in name.split("::")] if "::" in name else [name.strip()]
            parts = [p for p in parts if p] or [name]
            full = parent_parts + parts
            desc_el = code.find(d)
            rows.append((guid, name, parent_guid, " > ".join(full), full[0], full[-1], len(full),
                         (code.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                         code.get("color"),
                         desc_el.text if desc_el is not None else None))
            walk(code, guid, full)

    if codes_el is not None:
        walk(codes_el, None, [])
    frame = pd.DataFrame(rows, columns=["guid", "name", "parent", "path", "theme", "leaf",
                                        "level", "codable", "color", "description"])
    frame = frame.astype({"guid": "string", "name": "string", "parent": "string",
                          "path": "string", "theme": "string", "leaf": "string",
                          "level": "Int64", "codable": "boolean", "color": "string",
                          "description": "string"})
    return frame


def _guid(value):
    if value is None:
        return None
    return value.strip().strip("{}").lower()


def read_qdc(path) -> pd.DataFrame:
    """Read a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

    A ``.qdc`` is a plain XML file whose root is ``CodeBook`` (schema ``Codebook.xsd``).
    A ``.qdpx`` project can also be given: its codebook is returned.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.qdc`` (or ``.qdpx``) file.

    Returns
    -------
    pandas.DataFrame
        One row per code: ``guid``, ``name``, ``parent``, ``path``, ``theme``, ``leaf``,
        ``level``, ``codable``, ``color``, ``description`` (see :class:`QdaProject`).
        ``attrs["source"]`` names the file.

    Raises
    ------
    baby_room.FileFormatError
        Missing file, XML syntax error, a DTD or entity declaration, or a root element
        other than ``CodeBook``.

    Examples
    --------
    >>> import tempfile, os
    >>> xml = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    ...        '<Code guid="a" name="Staffing" isCodable="false">'
    ...        '<Code guid="b" name="Ratios" isCodable="true"/></Code></Codes></CodeBook>')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "book.qdc")
    ...     _ = open(p, "w", encoding="utf-8").write(xml)
    ...     book = read_qdc(p)
    >>> book[["name", "path", "theme", "leaf", "codable"]].to_dict("records")
    [{'name': 'Staffing', 'path': 'Staffing', 'theme': 'Staffing', 'leaf': 'Staffing', 'codable': False}, {'name': 'Ratios', 'path': 'Staffing > Ratios', 'theme': 'Staffing', 'leaf': 'Ratios', 'codable': True}]
    """
    p = Path(path)
    if p.suffix.lower() == ".qdpx":
        return read_qdpx(p).codes
    if not p.exists():
        raise FileFormatError(path, "file not found")
    if p.is_dir():
        raise FileFormatError(path, "is a folder, not a .qdc file")
    size = p.stat().st_size
    if size == 0:
        raise FileFormatError(path, "file is empty (0 bytes)")
    if size > MAX_ENTRY_BYTES:
        raise FileFormatError(path, f"file is {size:,} bytes, more than the "
                              f"{MAX_ENTRY_BYTES:,} allowed for a codebook")
    root = _parse_xml(p.read_bytes(), path, p.name)
    if _local(root.tag) != "CodeBook":
        raise FileFormatError(
            path, f"is not a REFI-QDA codebook: root element is <{_local(root.tag)}>, "
            "expected <CodeBook>")
    ns = _ns_of(root.tag)
    codes_el = root.find(f"{{{ns}}}Codes" if ns else "Codes")
    codes = _read_codes(codes_el, ns)
    codes.attrs["source"] = f"REFI-QDA codebook {p.name}"
    codes.attrs["synthetic"] = False
    return codes


# --------------------------------------------------------------------------- offsets

#: Offset interpretations, in tie-break order: (name, count UTF-16 units, CRLF rule).
_INTERPRETATIONS = (
    ("code_points", False, None),
    ("utf16", True, None),
    ("code_points_crlf_as_1", False, "crlf1"),
    ("utf16_crlf_as_1", True, "crlf1"),
    ("code_points_lf_as_2", False, "lf2"),
    ("utf16_lf_as_2", True, "lf2"),
)


class _TextIndex:
    """Per-source arrays used to map offsets and score interpretations."""

    def __init__(self, text: str):
        self.text = text
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        self.n = len(cps)
        self.astral = cps > 0xFFFF
        is_cr = cps == 13
        is_lf = cps == 10
        self.cr_before_lf = np.zeros(self.n, bool)
        if self.n > 1:
            self.cr_before_lf[:-1] = is_cr[:-1] & is_lf[1:]
        self.lone_lf = is_lf.copy()
        if self.n > 1:
            self.lone_lf[1:] &= ~is_cr[:-1]
        uniq, inverse = np.unique(cps, return_inverse=True)
        word = np.array([chr(int(u)).isalnum() for u in uniq], dtype=bool)
        self.isword = word[inverse] if self.n else np.zeros(0, bool)
        self._bounds = {}

    def variants(self):
        """Interpretations that give different widths on this text."""
        seen, out = set(), []
        for name, utf16, crlf in _INTERPRETATIONS:
            key = (bool(utf16 and self.astral.any()),
                   crlf if (crlf == "crlf1" and self.cr_before_lf.any())
                   or (crlf == "lf2" and self.lone_lf.any()) else None)
            if key in seen:
                continue
            seen.add(key)
            out.append((name, utf16, crlf))
        return out

    def bounds(self, utf16: bool, crlf) -> np.ndarray:
        k = (utf16, crlf)
        if k not in self._bounds:
            w = np.ones(self.n, np.int64)
            if utf16:
                w += self.astral
            if crlf == "crlf1":
                w[self.cr_before_lf] = 0
            elif crlf == "lf2":
                w[self.lone_lf] = 2
            b = np.zeros(self.n + 1, np.int64)
            np.cumsum(w, out=b[1:])
            self._bounds[k] = b
        return self._bounds[k]

    def map(self, raw: np.ndarray, utf16: bool, crlf):
        """Raw offsets -> (code-point indices, valid mask)."""
        b = self.bounds(utf16, crlf)
        idx = np.searchsorted(b, raw, side="left")
        inside = (raw >= 0) & (idx <= self.n)
        safe = np.minimum(idx, self.n)
        valid = inside & (b[safe] == raw)
        return safe, valid

    def at_boundary(self, pos: np.ndarray) -> np.ndarray:
        """True where a cut at ``pos`` does not split a word."""
        if self.n == 0:
            return np.ones(len(pos), bool)
        left = np.where(pos > 0, self.isword[np.clip(pos - 1, 0, self.n - 1)], False)
        right = np.where(pos < self.n, self.isword[np.clip(pos, 0, self.n - 1)], False)
        return ~(left & right)


def _norm_ws(text: str) -> str:
    return " ".join(text.split())


def _score(index: _TextIndex, raw_s, raw_e, names, utf16, crlf):
    s, vs = index.map(raw_s, utf16, crlf)
    e, ve = index.map(raw_e, utf16, crlf)
    valid = vs & ve & (s <= e)
    n_valid = int(valid.sum())
    n_match = 0
    text = index.text
    for i in np.flatnonzero(valid & (names != "")):
        stored = names[i]
        got = _norm_ws(text[s[i]:e[i]])
        if got == stored or (len(stored) >= 8 and got.startswith(stored.rstrip(".…").rstrip())):
            n_match += 1
    n_bound = int((index.at_boundary(s) & valid).sum() + (index.at_boundary(e) & valid).sum())
    return (n_valid, n_match, n_bound), s, e, valid


# --------------------------------------------------------------------------- main reader


def read_qdpx(path, *, source_dir=None, max_entries: int = MAX_ENTRIES,
              max_entry_bytes: int = MAX_ENTRY_BYTES,
              max_total_bytes: int = MAX_TOTAL_BYTES) -> QdaProject:
    """Read a REFI-QDA project exchange file (``.qdpx``).

    Parameters
    ----------
    path : str or os.PathLike
        The ``.qdpx`` file (a zip archive with one ``*.qde`` at its root).
    source_dir : str or os.PathLike, optional
        A folder holding sources that the project refers to outside the archive
        (``relative://`` or ``absolute://`` paths, as NVivo writes for linked
        files). They are looked for there by relative path, then by file name, and
        never anywhere else on disk. Without it, only the archive is read.
    max_entries, max_entry_bytes, max_total_bytes : int
        Limits on the archive: number of entries (default 10,000), uncompressed
        bytes of one entry (256 MiB) and of all entries (512 MiB).

    Returns
    -------
    QdaProject
        Tidy tables of codes, codings, sources, users, cases and variables; see
        :class:`QdaProject` and the module notes on offsets.

    Raises
    ------
    baby_room.FileFormatError
        Not a zip archive; an entry with an absolute path or ``..``; too many entries
        or too many bytes; no ``.qde`` (or several) at the root; XML syntax error, DTD,
        entity declaration or external reference; root element not ``Project``; a
        coded text source whose text is not in the archive (or ``source_dir``).
        Nothing is written to disk in any case.

    Warns
    -----
    baby_room.UnmatchedValueWarning
        Selections that fall outside their source text under every offset
        interpretation (kept, with ``start``, ``end`` and ``text`` missing), and
        codings whose ``CodeRef`` names no code or case.

    Notes
    -----
    Element and attribute names follow the REFI-QDA Project.xsd (QDA-XML 1.0,
    18 March 2019): ``Project/Users/User``, ``CodeBook/Codes/Code``,
    ``Variables/Variable``, ``Cases/Case`` (``VariableValue``, ``SourceRef``,
    ``SelectionRef``), ``Sources/TextSource`` (``PlainTextContent``,
    ``PlainTextSelection/Coding/CodeRef``, ``VariableValue``), and
    ``PDFSource/Representation`` for the text layer of a PDF. Picture, audio and
    video selections are not read (their count is in ``sources["n_other_selections"]``).

    Examples
    --------
    See :meth:`QdaProject.to_long`.
    """
    archive = _Archive(path, max_entries=max_entries, max_entry_bytes=max_entry_bytes,
                       max_total_bytes=max_total_bytes)
    try:
        return _read_project(archive, path, source_dir)
    finally:
        archive.close()


def _read_project(archive: _Archive, path, source_dir) -> QdaProject:
    qdes = [info for key, info in archive.members.items()
            if "/" not in key and key.endswith(".qde")]
    if not qdes:
        listed = ", ".join(sorted(i.filename for i in archive.members.values())[:10]) or "nothing"
        raise FileFormatError(
            path, "is not a REFI-QDA project: no project file (*.qde) at the root of the archive "
            f"(it holds: {listed})")
    if len(qdes) > 1:
        raise FileFormatError(
            path, "has several project files (*.qde) at the root of the archive: "
            f"{', '.join(sorted(i.filename for i in qdes))}; expected exactly one")
    qde = qdes[0]
    root = _parse_xml(archive.read(qde), path, qde.filename)
    ns = _ns_of(root.tag)
    if _local(root.tag) != "Project" or (ns and not ns.startswith(PROJECT_NS)):
        raise FileFormatError(
            path, f"{qde.filename}: root element is <{root.tag}>, expected <Project> in namespace "
            "urn:QDA-XML:project:1.0")

    def q(tag):
        return f"{{{ns}}}{tag}" if ns else tag

    # users ------------------------------------------------------------------
    users = [(_guid(u.get("guid")), u.get("name"), u.get("id"))
             for u in root.iterfind(f"{q('Users')}/{q('User')}")]
    users_df = pd.DataFrame(users, columns=["guid", "name", "id"]).astype("string")
    user_name = {g: (n if n else g) for g, n, _ in users}

    # codes ------------------------------------------------------------------
    codes_df = _read_codes(root.find(f"{q('CodeBook')}/{q('Codes')}"), ns)
    code_guids = set(codes_df["guid"].dropna())
    code_path = dict(zip(codes_df["guid"], codes_df["path"], strict=True))

    # variables ----------------------------------------------------------------
    variables = [(_guid(v.get("guid")), v.get("name"), v.get("typeOfVariable"))
                 for v in root.iterfind(f"{q('Variables')}/{q('Variable')}")]
    variables_df = pd.DataFrame(variables, columns=["guid", "name", "type"]).astype("string")
    var_name = {g: (n or g) for g, n, _ in variables}

    def values_of(el):
        out = {}
        for vv in el.findall(q("VariableValue")):
            ref = vv.find(q("VariableRef"))
            name = var_name.get(_guid(ref.get("targetGUID"))) if ref is not None else None
            if name is None:
                continue
            value = None
            for child in vv:
                if _local(child.tag) != "VariableRef":
                    value = (child.text or "").strip()
            out[name] = value
        return out

    # cases --------------------------------------------------------------------
    case_rows, case_links = [], []
    for case in root.iterfind(f"{q('Cases')}/{q('Case')}"):
        guid = _guid(case.get("guid"))
        row = {"guid": guid, "name": case.get("name")}
        for k, v in values_of(case).items():
            row[f"{k}_value" if k in ("guid", "name") else k] = v
        case_rows.append(row)
        for ref in case.findall(q("SourceRef")):
            case_links.append((guid, _guid(ref.get("targetGUID")), None, None, None, "SourceRef"))
        for ref in case.findall(q("SelectionRef")):
            case_links.append((guid, None, _guid(ref.get("targetGUID")), None, None,
                               "SelectionRef"))
    cases_df = pd.DataFrame(case_rows, columns=None if case_rows else ["guid", "name"])
    if not len(cases_df):
        cases_df = pd.DataFrame(columns=["guid", "name"])
    cases_df = cases_df.astype("object").where(cases_df.notna(), None).astype("string")
    case_guids = set(cases_df["guid"].dropna())

    # sources ------------------------------------------------------------------
    base_path = root.get("basePath")
    sel_cols = {k: [] for k in ("source", "selection_guid", "selection_name", "raw_start",
                                "raw_end", "sel_user", "created")}
    cod_cols = {k: [] for k in ("sel_idx", "coding_guid", "target", "coding_user", "is_case")}
    source_rows = []
    text_tag, sel_tag, coding_tag = q("TextSource"), q("PlainTextSelection"), q("Coding")
    other_sel = {q("PictureSelection"), q("AudioSelection"), q("VideoSelection"),
                 q("PDFSelection"), q("Transcript")}
    code_ref_tag, case_ref_tag = q("CodeRef"), q("CaseRef")
    content_tag = q("PlainTextContent")

    def add_codings(parent, sel_idx):
        for coding in parent.findall(coding_tag):
            target, is_case = None, False
            ref = coding.find(code_ref_tag)
            cref = coding.find(case_ref_tag)
            if ref is not None:
                target = _guid(ref.get("targetGUID"))
                is_case = target in case_guids
            elif cref is not None:
                target, is_case = _guid(cref.get("targetGUID")), True
            cod_cols["sel_idx"].append(sel_idx)
            cod_cols["coding_guid"].append(_guid(coding.get("guid")))
            cod_cols["target"].append(target)
            cod_cols["coding_user"].append(_guid(coding.get("creatingUser")))
            cod_cols["is_case"].append(is_case)

    def add_text_source(el, kind, outer_guid=None, outer_name=None):
        guid = outer_guid or _guid(el.get("guid"))
        name = outer_name or el.get("name")
        first = len(sel_cols["source"])
        n_other = 0
        for child in el:
            tag = child.tag
            if tag == sel_tag:
                sel_cols["source"].append(guid)
                sel_cols["selection_guid"].append(_guid(child.get("guid")))
                sel_cols["selection_name"].append(child.get("name") or "")
                sel_cols["raw_start"].append(child.get("startPosition"))
                sel_cols["raw_end"].append(child.get("endPosition"))
                sel_cols["sel_user"].append(_guid(child.get("creatingUser")
                                                  or child.get("modifyingUser")))
                sel_cols["created"].append(child.get("creationDateTime"))
                add_codings(child, len(sel_cols["source"]) - 1)
            elif tag == coding_tag:  # whole-source coding
                sel_cols["source"].append(guid)
                sel_cols["selection_guid"].append(None)
                sel_cols["selection_name"].append("")
                sel_cols["raw_start"].append(None)
                sel_cols["raw_end"].append(None)
                sel_cols["sel_user"].append(None)
                sel_cols["created"].append(child.get("creationDateTime"))
                sel_idx = len(sel_cols["source"]) - 1
                add_codings(_Holder(child), sel_idx)
            elif tag in other_sel:
                n_other += 1
        content = el.find(content_tag)
        location = el.get("plainTextPath") or el.get("path")
        if content is not None and content.text is not None and not location:
            location = "inline"
        source_rows.append({
            "guid": guid, "name": name, "kind": kind, "location": location,
            "_inline": content.text if content is not None else None,
            "n_selections": len(sel_cols["source"]) - first, "n_other_selections": n_other,
            "_vars": values_of(el),
        })

    sources_el = root.find(q("Sources"))
    if sources_el is not None:
        for el in sources_el:
            kind = _local(el.tag)
            if el.tag == text_tag:
                add_text_source(el, kind)
            else:
                reps = [r for r in el if _local(r.tag) == "Representation"]
                if reps:
                    add_text_source(reps[0], kind, _guid(el.get("guid")), el.get("name"))
                else:
                    n_other = sum(1 for c in el if c.tag in other_sel)
                    source_rows.append({
                        "guid": _guid(el.get("guid")), "name": el.get("name"), "kind": kind,
                        "location": el.get("path"), "_inline": None, "n_selections": 0,
                        "n_other_selections": n_other, "_vars": values_of(el)})

    # texts and offsets ------------------------------------------------------------
    sel = pd.DataFrame(sel_cols)
    raw_s = pd.to_numeric(sel["raw_start"], errors="coerce")
    raw_e = pd.to_numeric(sel["raw_end"], errors="coerce")
    sel["raw_start"] = raw_s.astype("Int64")
    sel["raw_end"] = raw_e.astype("Int64")
    start = np.full(len(sel), -1, np.int64)
    end = np.full(len(sel), -1, np.int64)
    ok = np.zeros(len(sel), bool)
    seltext = np.full(len(sel), None, dtype=object)

    texts, scores = {}, {}
    by_source = sel.groupby("source", sort=False).indices if len(sel) else {}
    for row in source_rows:
        text, member, enc = _load_text(archive, path, row, base_path, source_dir,
                                       needed=row["n_selections"] > 0)
        row["member"], row["encoding"] = member, enc
        texts[row["guid"]] = text
        row["n_chars"] = len(text) if text is not None else None
        if text is None or row["guid"] not in by_source:
            continue
        idx = by_source[row["guid"]]
        index = _TextIndex(text)
        rs = raw_s.to_numpy(dtype="float64", na_value=np.nan)[idx]
        re_ = raw_e.to_numpy(dtype="float64", na_value=np.nan)[idx]
        # a Coding directly under the source codes the whole text, whatever the unit
        whole = np.isnan(rs) & np.isnan(re_) & sel["selection_guid"].isna().to_numpy()[idx]
        bad = np.isnan(rs) | np.isnan(re_)
        rs_i = np.where(bad, -1, rs).astype(np.int64)
        re_i = np.where(bad, -1, re_).astype(np.int64)
        names = np.array([_norm_ws(x) for x in sel["selection_name"].to_numpy()[idx]],
                         dtype=object)
        results = {}
        for name, utf16, crlf in index.variants():
            sc, s, e, valid = _score(index, rs_i[~whole], re_i[~whole], names[~whole],
                                     utf16, crlf)
            s_all = np.zeros(len(idx), np.int64)
            e_all = np.full(len(idx), index.n, np.int64)
            v_all = np.ones(len(idx), bool)
            s_all[~whole], e_all[~whole], v_all[~whole] = s, e, valid
            results[name] = (sc, s_all, e_all, v_all)
        scores[row["guid"]] = (idx, results)

    totals: dict[str, np.ndarray] = {}
    for _, results in scores.values():
        for name, (sc, *_rest) in results.items():
            totals[name] = totals.get(name, np.zeros(3, np.int64)) + np.array(sc)
    order = [n for n, *_ in _INTERPRETATIONS]
    project_rank = {n: i for i, n in enumerate(
        sorted(order, key=lambda n: (tuple(-totals.get(n, np.zeros(3))), order.index(n))))}

    unit_of = {}
    for guid, (idx, results) in scores.items():
        best = max(results, key=lambda n: (results[n][0], -project_rank[n]))
        unit_of[guid] = best
        _sc, s, e, valid = results[best]
        start[idx], end[idx], ok[idx] = s, e, valid
        text = texts[guid]
        seltext[idx] = [text[a:b] if v else None for a, b, v in zip(s, e, valid, strict=True)]
        n_bad = int((~valid).sum())
        if n_bad:
            name = next(r["name"] for r in source_rows if r["guid"] == guid)
            warnings.warn(
                f"{path}: {n_bad} selection(s) in source {name!r} fall outside its text "
                f"({len(text):,} characters) or split a character; their start, end and text "
                "are left missing", UnmatchedValueWarning, stacklevel=3)

    sel["start"] = pd.array(np.where(ok, start, 0), dtype="Int64")
    sel.loc[~ok, "start"] = pd.NA
    sel["end"] = pd.array(np.where(ok, end, 0), dtype="Int64")
    sel.loc[~ok, "end"] = pd.NA
    sel["text"] = pd.array(seltext, dtype="string")

    # codings ------------------------------------------------------------------------
    cod = pd.DataFrame(cod_cols)
    if len(cod):
        cod = cod.join(sel, on="sel_idx")
    else:
        cod = pd.DataFrame(columns=[*cod_cols, *sel.columns])
    src_name = {r["guid"]: r["name"] for r in source_rows}
    unknown = cod["target"].notna() & ~cod["target"].isin(code_guids) & ~cod["is_case"].astype(
        bool)
    if unknown.any():
        missing = sorted(set(cod.loc[unknown, "target"]))
        warnings.warn(
            f"{path}: {int(unknown.sum())} coding(s) refer to codes not in the codebook "
            f"({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}); they are kept with "
            "code_path missing", UnmatchedValueWarning, stacklevel=3)
    is_case = cod["is_case"].astype(bool).to_numpy()
    case_cod = cod[is_case]
    for rec in case_cod.itertuples(index=False):
        case_links.append((rec.target, rec.source, rec.selection_guid,
                           rec.start if rec.start is not pd.NA else None,
                           rec.end if rec.end is not pd.NA else None, "coding"))
    links_df = pd.DataFrame(case_links,
                            columns=["case", "source", "selection", "start", "end", "via"])
    links_df = links_df.astype({"case": "string", "source": "string", "selection": "string",
                                "start": "Int64", "end": "Int64", "via": "string"})
    code_cod = cod[~is_case].reset_index(drop=True)
    coder_guid = code_cod["coding_user"].where(code_cod["coding_user"].notna(),
                                               code_cod["sel_user"])
    coder = coder_guid.map(lambda g: user_name.get(g, g) if isinstance(g, str) else None)
    case, source_case = _assign_cases(code_cod, links_df)
    codings = pd.DataFrame({
        "coding_guid": code_cod["coding_guid"],
        "selection_guid": code_cod["selection_guid"],
        "source": code_cod["source"],
        "source_name": code_cod["source"].map(src_name),
        "code": code_cod["target"],
        "code_path": code_cod["target"].map(code_path),
        "coder": coder,
        "start": code_cod["start"],
        "end": code_cod["end"],
        "raw_start": code_cod["raw_start"],
        "raw_end": code_cod["raw_end"],
        "text": code_cod["text"],
        "selection_name": code_cod["selection_name"],
        "created": code_cod["created"],
        "case": case,
        "source_case": source_case,
    })
    for col in codings.columns:
        if col not in ("start", "end", "raw_start", "raw_end"):
            codings[col] = codings[col].astype("object").where(codings[col].notna(),
                                                               None).astype("string")
        else:
            codings[col] = codings[col].astype("Int64")

    # sources table --------------------------------------------------------------------
    var_names = []
    for r in source_rows:
        for k in r["_vars"]:
            if k not in var_names:
                var_names.append(k)
    sources_df = pd.DataFrame({
        "guid": [r["guid"] for r in source_rows],
        "name": [r["name"] for r in source_rows],
        "kind": [r["kind"] for r in source_rows],
        "location": [r["location"] for r in source_rows],
        "member": [r.get("member") for r in source_rows],
        "encoding": [r.get("encoding") for r in source_rows],
        "n_chars": pd.array([r.get("n_chars") for r in source_rows], dtype="Int64"),
        "n_selections": pd.array([r["n_selections"] for r in source_rows], dtype="Int64"),
        "n_other_selections": pd.array([r["n_other_selections"] for r in source_rows],
                                       dtype="Int64"),
        "offset_unit": [unit_of.get(r["guid"]) for r in source_rows],
        "text": [texts.get(r["guid"]) for r in source_rows],
    })
    for k in var_names:
        col = f"{k}_value" if k in sources_df.columns else k
        sources_df[col] = [r["_vars"].get(k) for r in source_rows]
    for col in sources_df.columns:
        if not str(sources_df[col].dtype).startswith("Int"):
            sources_df[col] = sources_df[col].astype("object").where(sources_df[col].notna(),
                                                                     None).astype("string")

    return QdaProject(path=str(path), name=root.get("name") or Path(path).stem,
                      origin=root.get("origin"), codes=codes_df, codings=codings,
                      sources=sources_df, users=users_df, cases=cases_df,
                      case_links=links_df, variables=variables_df)


class _Holder:
    """Wrap one Coding element so that ``findall(Coding)`` yields it."""

    def __init__(self, coding):
        self._coding = coding

    def findall(self, _tag):
        return [self._coding]


def _assign_cases(cod: pd.DataFrame, links: pd.DataFrame):
    """Most specific case of each coding (selection/span) and the case of its source."""
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


def _load_text(archive: _Archive, path, row, base_path, source_dir, *, needed: bool):
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
        if _unsafe_name(cand):
            continue
        info = archive.find(cand)
        if info is not None:
            text, enc = _decode(archive.read(info), path, info.filename)
            return text, info.filename, enc
    if source_dir is not None:
        found = _from_source_dir(Path(source_dir), rel.replace("\\", "/"), archive)
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


def _from_source_dir(folder: Path, rel: str, archive: _Archive):
    base = folder.resolve()
    name = PurePosixPath(rel).name
    options = []
    if not _unsafe_name(rel):
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
            if size > archive.max_entry_bytes:
                raise FileFormatError(resolved, f"linked source is {size:,} bytes, more than the "
                                      f"{archive.max_entry_bytes:,} allowed")
            return resolved, resolved.read_bytes()
    return None


def _decode(raw: bytes, path, member: str):
    from baby_room._io import decode_bytes

    text, enc = decode_bytes(raw, path, what=f"source {member}")
    return text, "utf-8" if enc == "utf-8-sig" else enc
