"""Read REFI-QDA projects (``.qdpx``, or a bare ``.qde``) and codebooks (``.qdc``).

REFI-QDA is the exchange standard of the QDA software makers (NVivo, ATLAS.ti, MAXQDA,
QualCoder, Quirkos, ``qc``, ...): a ``.qdpx`` file is a zip archive holding one XML
project file (``*.qde``, namespace ``urn:QDA-XML:project:1.0``, schema ``Project.xsd`` of
18 March 2019) and the source documents in ``sources/``. :func:`read_qdpx` reads it (or a
bare ``.qde`` with its ``sources/`` folder beside it, or a ``.qdpx`` renamed ``.zip``)
into a :class:`QdaProject` of tidy DataFrames, and :meth:`QdaProject.to_long` turns the
text codings into the package's long coding format (one row per coded segment per coder).

The reader follows the standard's parts, one private module each:

* users and the code tree (``_refi_codes``: nested codes, folders, ATLAS.ti's
  ``Group::Code`` names read as one more level, depth bounded);
* variables and cases (``_refi_cases``: case and source variables, ``SourceRef``,
  ``SelectionRef`` and NVivo's case codings);
* sources, selections and codings (``_refi_sources``: ``internal://``, ``relative://``,
  ``absolute://`` and inline text; whole-source codings; PDF text layers);
* selection positions (``_refi_offsets``: the unit each source's positions count,
  decided from the selections, the text and the tool named in ``Project@origin``;
  see that module for the order of evidence and ``sources["offset_unit"]``,
  ``sources["offset_evidence"]`` for the decision);
* the archive itself (``_refi_archive``: bounded, in memory, defused XML).

Output offsets (``start``, ``end``) are always Python string indices into the source text
as stored (``sources["text"]``), so ``text[start:end]`` is the coded passage.

Coders
------
Each coding keeps both users the file names: ``coding_user`` (``Coding@creatingUser``)
and ``selection_user`` (``PlainTextSelection@creatingUser``). NVivo stamps every coding
of an imported or merged project with the importing user, while the selection keeps the
original coder; other tools write the same user in both. ``QdaProject.to_long(coder=)``
chooses: ``"auto"`` (default) takes the selection's user, unless the codings of one
selection name different users (two coders coding one selection), where each coding's
own user is kept; ``"selection"`` and ``"coding"`` take one of them throughout (the
other as fallback when missing).

Safety
------
A ``.qdpx`` is untrusted: see ``_refi_archive``. Limits: :data:`MAX_ENTRIES`,
:data:`MAX_ENTRY_BYTES`, :data:`MAX_TOTAL_BYTES`, :data:`MAX_XML_BYTES` and
:data:`MAX_CODE_DEPTH`; each exceeded limit raises :class:`baby_room.FileFormatError`
naming the file and the limit, and positions that are not whole numbers raise
:class:`baby_room.DataValidationError` listing every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._args import one_of
from baby_room.errors import FileFormatError, UnmatchedValueWarning
from baby_room.focus_groups._common import (
    ATTRIBUTE_ALIASES,
    apply_attributes,
    finalise_long,
    norm_key,
    stem,
)
from baby_room.focus_groups._refi_archive import (
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_TOTAL_BYTES,
    MAX_XML_BYTES,
    Archive,
    Folder,
    check_regular_file,
    local,
    ns_of,
    parse_xml,
    read_bounded,
)
from baby_room.focus_groups._refi_cases import (
    assign_cases,
    links_table,
    read_cases,
    read_variables,
)
from baby_room.focus_groups._refi_codes import MAX_CODE_DEPTH, read_codes, read_users
from baby_room.focus_groups._refi_sources import SourceCollector, load_text, place_selections

__all__ = ["QdaProject", "read_qdpx", "read_qdc", "MAX_ENTRIES", "MAX_ENTRY_BYTES",
           "MAX_TOTAL_BYTES", "MAX_XML_BYTES", "MAX_CODE_DEPTH", "CODER_RULES"]

PROJECT_NS = "urn:QDA-XML:project:"
CODEBOOK_NS = "urn:QDA-XML:codebook:"
#: Choices of ``QdaProject.to_long(coder=)`` (see the module notes on coders).
CODER_RULES = ("auto", "selection", "coding")
_FIXED_SOURCE_COLUMNS = {"guid", "name", "kind", "location", "member", "encoding", "n_chars",
                         "n_selections", "n_other_selections", "offset_unit",
                         "offset_evidence", "text"}


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
        (code guid), ``code_path``, ``coder`` (by the ``"auto"`` rule), ``coding_user``
        and ``selection_user`` (user names, else guids; see the module notes on
        coders), ``start``, ``end`` (Int64 indices
        into the source text as stored), ``raw_start``, ``raw_end`` (the positions as
        written in the file), ``text`` (the coded passage), ``selection_name``,
        ``created``, ``case`` (guid of the case the passage belongs to, from a
        ``SelectionRef`` or a case coding spanning it), ``source_case`` (guid of the
        case holding the whole source via ``SourceRef``).
    sources : pandas.DataFrame
        One row per source: ``guid``, ``name``, ``kind`` (``TextSource``,
        ``PDFSource``, ...), ``location`` (``internal://...``, ``relative://...``,
        ``absolute://...``, ``inline`` or missing), ``member`` (file read),
        ``encoding``, ``n_chars``, ``n_selections``, ``n_other_selections``,
        ``offset_unit`` (the reading of the positions, see ``_refi_offsets``),
        ``offset_evidence`` (what decided it: ``selections``, ``unambiguous``,
        ``tool``, or the weak ``word_boundaries``/``default``), ``text``, and one
        column per variable given on the source (MAXQDA document variables).
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

    def to_long(self, *, attributes=None, segment_id: str = "selection", coder: str = "auto",
                warn_missing: bool = True) -> pd.DataFrame:
        """The text codings in the long coding format (one row per segment per coder).

        Parameters
        ----------
        attributes : pandas.DataFrame or path, optional
            A sheet (DataFrame, CSV, TSV or XLSX) mapping a document (source) name or a
            case name to ``conference``, ``group_id``, ``role``, ``speaker`` and any other
            attribute: a key column ``document`` (or ``document_name``, ``source``,
            ``file``; matched with or without the file extension) or ``case``, and the
            attribute columns. Its values take precedence over the project's variables.
        segment_id : {"selection", "span"}, default "selection"
            ``"selection"``: the selection guid (two coders share a segment only when
            they coded the same selection, as in NVivo and QualCoder). ``"span"``:
            ``<source name>:<start>-<end>``, so that two coders who selected the same
            characters separately share a segment (use this for inter-coder
            agreement with tools that make one selection per coder).
        coder : {"auto", "selection", "coding"}, default "auto"
            Which user is the coder (module notes on coders).
        warn_missing : bool, default True
            Warn once when conference, group, role or speaker has no value at all.

        Returns
        -------
        pandas.DataFrame
            Columns ``segment_id, conference, group_id, speaker, role, theme, code,
            coder, start, end, text``, then one column per other attribute (case and
            source variables, ``attributes`` columns; normalised names). ``theme`` is
            the first level of the code path, ``code`` the last. Rules for the four
            attributes, strongest first: the ``attributes`` sheet; a variable of that
            name (or an alias: ``group``/``focus_group`` for ``group_id``, ``event``/
            ``location`` for ``conference``, ``job_role``/``position`` for ``role``,
            ``pseudonym``/``participant`` for ``speaker``) on the passage's case, then
            on the case holding the whole source, then on the source; ``speaker``
            otherwise the name of the passage's case; ``group_id`` otherwise the source
            name without extension. ``conference`` is an ordered category in conference
            date order and ``role`` a category; unmatched values become missing with an
            :class:`~baby_room.errors.UnmatchedValueWarning`. ``attrs``: ``source``,
            ``synthetic`` (False), ``position_unit`` (``"character"``), ``coder_rule``.

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
        func = "QdaProject.to_long"
        one_of(segment_id, ("selection", "span"), function=func, parameter="segment_id")
        one_of(coder, CODER_RULES, function=func, parameter="coder")
        c = self.codings
        codes = self.codes.drop_duplicates("guid").set_index("guid")
        attrs, extra = self._attributes(c)
        if attributes is not None:
            case_names = self._case_names()
            passage_case = c["case"].map(case_names)
            passage_case = passage_case.where(passage_case.notna(),
                                              c["source_case"].map(case_names))
            attrs = apply_attributes(attributes, c["source_name"], passage_case,
                                     {**attrs, **extra}, function=func)
            extra = {k: v for k, v in attrs.items() if k not in ATTRIBUTE_ALIASES}
        span = (c["source_name"].astype(str) + ":" + c["start"].astype(str) + "-"
                + c["end"].astype(str))
        seg = span if segment_id == "span" else c["selection_guid"].astype("object").where(
            c["selection_guid"].notna(), span)
        out = pd.DataFrame({
            "segment_id": seg,
            "conference": attrs["conference"],
            "group_id": attrs["group_id"],
            "speaker": attrs["speaker"],
            "role": attrs["role"],
            "theme": c["code"].map(codes["theme"]),
            "code": c["code"].map(codes["leaf"]),
            "coder": _coders(c, coder),
            "start": c["start"],
            "end": c["end"],
            "text": c["text"],
            **{k: v for k, v in extra.items() if k not in _LONG_NAMES},
        })
        out = finalise_long(out, source=f"REFI-QDA project {Path(self.path).name}",
                            warn_missing=warn_missing)
        out.attrs.update(position_unit="character", coder_rule=coder)
        return out

    def _case_names(self) -> pd.Series:
        if not len(self.cases):
            return pd.Series(dtype="object")
        return self.cases.drop_duplicates("guid").set_index("guid")["name"]

    def _attributes(self, c: pd.DataFrame) -> tuple[dict, dict]:
        """(the four attributes, other variables) per coding from the project itself.

        Order of precedence: the source's variables < the case holding the source <
        the passage's case.
        """
        targets = {k: pd.Series(pd.NA, index=c.index, dtype="object")
                   for k in ATTRIBUTE_ALIASES}
        extra: dict[str, pd.Series] = {}
        alias = {a: t for t, names in ATTRIBUTE_ALIASES.items() for a in names}
        for frame, col in ((self.sources, "source"), (self.cases, "source_case"),
                           (self.cases, "case")):
            for name, values in _variables(frame).items():
                vals = c[col].map(values)
                target = alias.get(name)
                if target is None:
                    base = extra.get(name, pd.Series(pd.NA, index=c.index, dtype="object"))
                    extra[name] = vals.where(vals.notna(), base)
                elif targets[target].isna().all() or vals.notna().any():
                    targets[target] = vals.where(vals.notna(), targets[target])
        passage_case = c["case"].map(self._case_names())
        targets["speaker"] = targets["speaker"].where(targets["speaker"].notna(), passage_case)
        targets["group_id"] = targets["group_id"].where(targets["group_id"].notna(),
                                                        c["source_name"].map(stem))
        return targets, extra


_LONG_NAMES = {"segment_id", "conference", "group_id", "speaker", "role", "theme", "code",
               "coder", "start", "end", "text"}


def _variables(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Normalised variable name -> values indexed by guid (non-missing only)."""
    out = {}
    if frame is None or not len(frame):
        return out
    frame = frame.drop_duplicates("guid").set_index("guid")
    for col in frame.columns:
        if col in _FIXED_SOURCE_COLUMNS:
            continue
        s = frame[col]
        out.setdefault(norm_key(col), s[s.notna()])
    return out


def _coders(c: pd.DataFrame, rule: str) -> pd.Series:
    """The coder of each coding under ``rule`` (see the module notes on coders)."""
    by_coding, by_selection = c["coding_user"].astype("object"), c["selection_user"].astype(
        "object")
    if rule == "coding":
        return by_coding.where(by_coding.notna(), by_selection)
    chosen = by_selection.where(by_selection.notna(), by_coding)
    if rule == "selection" or not len(c):
        return chosen
    key = c["selection_guid"].astype("object").where(c["selection_guid"].notna(),
                                                     c["coding_guid"])
    several = by_coding.groupby(key.fillna("").to_numpy()).transform("nunique").to_numpy() > 1
    return chosen.where(~several, by_coding)


# --------------------------------------------------------------------------- readers


def read_qdc(path) -> pd.DataFrame:
    """Read a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

    A ``.qdc`` is a plain XML file whose root is ``CodeBook`` (schema ``Codebook.xsd``).
    A ``.qdpx`` or ``.qde`` project can also be given: its codebook is returned.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.qdc`` (or project) file.

    Returns
    -------
    pandas.DataFrame
        One row per code: ``guid``, ``name``, ``parent``, ``path``, ``theme``, ``leaf``,
        ``level``, ``codable``, ``color``, ``description`` (see :class:`QdaProject`).
        ``attrs["source"]`` names the file.

    Raises
    ------
    baby_room.FileFormatError
        Missing, unreadable or special file, larger than :data:`MAX_XML_BYTES`, XML
        syntax error, a DTD or entity declaration, an encoding other than UTF-8/16 or
        a single-byte one, codes nested deeper than :data:`MAX_CODE_DEPTH`, or a root
        element other than ``CodeBook``.

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
    p = check_regular_file(path, "REFI-QDA codebook (.qdc)")
    data = read_bounded(p, max(MAX_XML_BYTES, MAX_TOTAL_BYTES) if _is_zip(p) else MAX_XML_BYTES,
                        "REFI-QDA codebook")
    if data[:4] == b"PK\x03\x04":
        return read_qdpx(p).codes
    root = parse_xml(data, path, p.name)
    if local(root.tag) == "Project":
        return _read_project(None, path, None, root=root, member=p.name).codes
    if local(root.tag) != "CodeBook":
        raise FileFormatError(
            path, f"is not a REFI-QDA codebook: root element is <{local(root.tag)}>, "
            "expected <CodeBook>")
    ns = ns_of(root.tag)
    codes = read_codes(root.find(f"{{{ns}}}Codes" if ns else "Codes"), ns, path)
    codes.attrs["source"] = f"REFI-QDA codebook {p.name}"
    codes.attrs["synthetic"] = False
    return codes


def _is_zip(p: Path) -> bool:
    try:
        with open(p, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_qdpx(path, *, source_dir=None, max_entries: int = MAX_ENTRIES,
              max_entry_bytes: int = MAX_ENTRY_BYTES,
              max_total_bytes: int = MAX_TOTAL_BYTES) -> QdaProject:
    """Read a REFI-QDA project: a ``.qdpx`` (whatever its name ends with) or a bare ``.qde``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.qdpx`` file (a zip archive with one ``*.qde`` at its root; a ``.qdpx``
        renamed ``.zip`` is read the same), or a bare ``.qde`` project XML, whose
        ``internal://`` sources are looked for in the ``sources/`` folder beside it.
    source_dir : str or os.PathLike, optional
        A folder holding sources that the project refers to outside the archive
        (``relative://`` or ``absolute://`` paths, as NVivo writes for linked
        files). They are looked for there by relative path, then by file name, and
        never anywhere else on disk. Without it, only the archive is read.
    max_entries, max_entry_bytes, max_total_bytes : int
        Limits on the archive: number of entries (default 10,000), uncompressed
        bytes of one entry (256 MiB) and of all entries (512 MiB). The project XML
        itself is limited to :data:`MAX_XML_BYTES`.

    Returns
    -------
    QdaProject
        Tidy tables of codes, codings, sources, users, cases and variables; see
        :class:`QdaProject` and the module notes.

    Raises
    ------
    baby_room.FileFormatError
        Missing, unreadable or special file; not a zip archive or project XML; an
        entry with an absolute path or ``..``; two entries differing only in case;
        too many entries or bytes; no ``.qde`` (or several) at the root; XML syntax
        error, DTD, entity declaration, external reference or unsupported encoding;
        root element not ``Project``; codes nested deeper than :data:`MAX_CODE_DEPTH`;
        a coded text source whose text cannot be found. Nothing is written to disk.
    baby_room.DataValidationError
        Selection positions that are not whole numbers from 0 to 2**53 (every one
        listed).

    Warns
    -----
    baby_room.UnmatchedValueWarning
        Selections that fall outside their source text under every reading of the
        positions (kept, with ``start``, ``end`` and ``text`` missing); codings whose
        ``CodeRef`` names no code or case; sources whose position unit is a guess.

    Examples
    --------
    See :meth:`QdaProject.to_long`.
    """
    p = check_regular_file(path, "REFI-QDA project (.qdpx or .qde)")
    if not _is_zip(p) and p.suffix.lower() != ".qdpx":
        data = read_bounded(p, MAX_XML_BYTES, "REFI-QDA project (.qde)")
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" or data[:2] in (b"\xff\xfe",
                                                                              b"\xfe\xff"):
            folder = Folder(p.parent, max_entry_bytes=max_entry_bytes)
            root = parse_xml(data, path, p.name)
            return _guard_memory(path, lambda: _read_project(
                folder, path, source_dir, root=root, member=p.name))
    archive = Archive(path, max_entries=max_entries, max_entry_bytes=max_entry_bytes,
                      max_total_bytes=max_total_bytes)
    try:
        return _guard_memory(path, lambda: _read_project(archive, path, source_dir))
    finally:
        archive.close()


def _guard_memory(path, read):
    try:
        return read()
    except MemoryError:
        raise FileFormatError(
            path, "ran out of memory reading the project; the limits are "
            f"{MAX_XML_BYTES:,} bytes of project XML and {MAX_TOTAL_BYTES:,} bytes in all "
            "(lower them with max_entry_bytes=/max_total_bytes= on a small machine)") from None


def _project_root(archive: Archive, path):
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
    return parse_xml(archive.read(qde, limit=MAX_XML_BYTES), path, qde.filename), qde.filename


def _read_project(container, path, source_dir, *, root=None, member=None) -> QdaProject:
    """Read the project's parts in the standard's order: users, codes, variables, cases,
    sources with their selections and codings."""
    if root is None:
        root, member = _project_root(container, path)
    ns = ns_of(root.tag)
    if local(root.tag) != "Project" or (ns and not ns.startswith(PROJECT_NS)):
        raise FileFormatError(
            path, f"{member}: root element is <{root.tag}>, expected <Project> in namespace "
            "urn:QDA-XML:project:1.0")

    def q(tag):
        return f"{{{ns}}}{tag}" if ns else tag

    users_df, user_name = read_users(root, q)
    codes_df = read_codes(root.find(f"{q('CodeBook')}/{q('Codes')}"), ns, path)
    variables_df, var_name = read_variables(root, q)
    cases_df, case_links = read_cases(root, q, var_name)
    collector = SourceCollector(q, set(cases_df["guid"].dropna()), var_name)
    collector.walk(root.find(q("Sources")))
    origin = root.get("origin")
    sel, texts, units = _selections(collector, container, path, source_dir, origin)
    codings, links_df = _codings(collector, sel, codes_df, user_name, case_links, path)
    sources_df = _sources_table(collector.sources, texts, units)
    return QdaProject(path=str(path), name=root.get("name") or Path(path).stem,
                      origin=origin, codes=codes_df, codings=codings, sources=sources_df,
                      users=users_df, cases=cases_df, case_links=links_df,
                      variables=variables_df)


def _selections(collector: SourceCollector, container, path, source_dir, origin):
    """The selections with their text spans, the source texts, and each source's unit."""
    sel = pd.DataFrame(collector.sel)
    texts = {}
    for row in collector.sources:
        if container is None:
            text, member, enc = (row["_inline"], None, None)
        else:
            text, member, enc = load_text(container, path, row, source_dir,
                                          needed=row["n_selections"] > 0)
        row["member"], row["encoding"] = member, enc
        row["n_chars"] = len(text) if text is not None else None
        texts[row["guid"]] = text
    names = {r["guid"]: r["name"] for r in collector.sources}
    start, end, ok, seltext, units = place_selections(sel, texts, names, origin, path)
    for field, raw in (("raw_start", "raw_start"), ("raw_end", "raw_end")):
        sel[field] = pd.to_numeric(sel[raw], errors="coerce").astype("Int64")
    sel["start"] = pd.array(np.where(ok, start, 0), dtype="Int64")
    sel["end"] = pd.array(np.where(ok, end, 0), dtype="Int64")
    sel.loc[~ok, ["start", "end"]] = pd.NA
    sel["text"] = pd.array(seltext, dtype="string")
    return sel, texts, units


def _codings(collector: SourceCollector, sel: pd.DataFrame, codes_df, user_name, case_links,
             path):
    """Code codings (one row each, with their case) and the case links incl. case codings."""
    cod = pd.DataFrame(collector.cod)
    cod = cod.join(sel, on="sel_idx") if len(cod) else pd.DataFrame(
        columns=[*collector.cod, *sel.columns])
    code_guids = set(codes_df["guid"].dropna())
    is_case = cod["is_case"].astype(bool).to_numpy()
    unknown = cod["target"].notna() & ~cod["target"].isin(code_guids) & ~is_case
    if unknown.any():
        import warnings

        missing = sorted(set(cod.loc[unknown, "target"]))
        warnings.warn(
            f"{path}: {int(unknown.sum())} coding(s) refer to codes not in the codebook "
            f"({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}); they are kept with "
            "code_path missing", UnmatchedValueWarning, stacklevel=4)
    for rec in cod[is_case].itertuples(index=False):
        case_links.append((rec.target, rec.source, rec.selection_guid,
                           None if pd.isna(rec.start) else rec.start,
                           None if pd.isna(rec.end) else rec.end, "coding"))
    links_df = links_table(case_links)
    code_cod = cod[~is_case].reset_index(drop=True)
    case, source_case = assign_cases(code_cod, links_df)
    src_name = {r["guid"]: r["name"] for r in collector.sources}
    code_path = dict(zip(codes_df["guid"], codes_df["path"], strict=True))

    def user(col):
        return code_cod[col].map(lambda g: user_name.get(g, g) if isinstance(g, str) else None)

    codings = pd.DataFrame({
        "coding_guid": code_cod["coding_guid"],
        "selection_guid": code_cod["selection_guid"],
        "source": code_cod["source"],
        "source_name": code_cod["source"].map(src_name),
        "code": code_cod["target"],
        "code_path": code_cod["target"].map(code_path),
        "coding_user": user("coding_user"),
        "selection_user": user("selection_user"),
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
    codings.insert(6, "coder", _coders(codings, "auto"))
    for col in codings.columns:
        if col in ("start", "end", "raw_start", "raw_end"):
            codings[col] = codings[col].astype("Int64")
        else:
            codings[col] = codings[col].astype("string")
    return codings, links_df


def _sources_table(rows: list[dict], texts: dict, units: dict) -> pd.DataFrame:
    var_names = list(dict.fromkeys(k for r in rows for k in r["_vars"]))
    frame = pd.DataFrame({
        "guid": [r["guid"] for r in rows],
        "name": [r["name"] for r in rows],
        "kind": [r["kind"] for r in rows],
        "location": [r["location"] for r in rows],
        "member": [r.get("member") for r in rows],
        "encoding": [r.get("encoding") for r in rows],
        "n_chars": pd.array([r.get("n_chars") for r in rows], dtype="Int64"),
        "n_selections": pd.array([r["n_selections"] for r in rows], dtype="Int64"),
        "n_other_selections": pd.array([r["n_other_selections"] for r in rows], dtype="Int64"),
        "offset_unit": [units.get(r["guid"], (None, None))[0] for r in rows],
        "offset_evidence": [units.get(r["guid"], (None, None))[1] for r in rows],
        "text": [texts.get(r["guid"]) for r in rows],
    })
    for k in var_names:
        col = f"{k}_value" if k in frame.columns else k
        frame[col] = [r["_vars"].get(k) for r in rows]
    for col in frame.columns:
        if not str(frame[col].dtype).startswith("Int"):
            frame[col] = frame[col].astype("string")
    return frame
