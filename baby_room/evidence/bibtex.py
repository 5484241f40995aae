"""BibTeX files (Scopus, Web of Science, Zotero, Google Scholar, JabRef) through bibtexparser 2.

Speed: ``bibtexparser`` splits the file; LaTeX is decoded here, and only in values
that hold a backslash (through ``pylatexenc``, cached per distinct value). Braces,
``--``/``---`` and ``~`` are handled without it, so a file is read in about the time
``bibtexparser`` itself takes (``benchmarks/bench_bibliography.py``).

Quirks handled, each reproduced by a fixture: Scopus writes unescaped ``%``
(``85.58%``, URLs with ``%2f``) that LaTeX would read as a comment and cut the field
at — here ``%`` is always text; Scopus repeats ``funding_details`` once per funder —
the repeats are joined with ``"; "``, never refused.
"""

from __future__ import annotations

import functools
import os
import re

import pandas as pd

from baby_room.errors import FileFormatError
from baby_room.evidence._bibcommon import (
    check_reader_options,
    finish,
    frame_from_records,
    join,
    pick_doi,
    read_text,
    set_aside,
)

__all__ = ["read_bibtex", "decode_latex", "BIBTEX_COLUMNS"]

#: Columns returned by :func:`read_bibtex`, in order.
BIBTEX_COLUMNS = (
    "key", "record_line", "record_type", "title", "authors", "year", "journal", "volume",
    "issue", "pages", "doi", "abstract", "keywords", "language", "database", "affiliations",
    "url", "extra",
)

_FIRST = {
    "title": ("title",),
    "year": ("year", "date"),
    "journal": ("journal", "journaltitle", "booktitle", "publisher", "institution", "school"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "abstract": ("abstract",),
    "language": ("language", "langid"),
    "database": ("source", "database"),
    "affiliations": ("affiliations", "affiliation", "addresses", "address"),
    "url": ("url",),
}
_SPACES = re.compile(r"\s+")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


@functools.lru_cache(maxsize=65536)
def _latex_to_text(value: str) -> str:

    return _converter().latex_to_text(_UNESCAPED_PERCENT.sub(r"\\%", value))


@functools.lru_cache(maxsize=1)
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(strict_latex_spaces=True)


def decode_latex(value: str) -> str:
    """Plain text of a BibTeX value: accents decoded, braces removed, ``%`` kept.

    Values without a backslash skip the LaTeX parser: braces are removed, ``---`` and
    ``--`` become em and en dashes and ``~`` a space (as LaTeX typesets them).

    Examples
    --------
    >>> decode_latex(r"M{\\"u}ller and {Smith}")
    'Müller and Smith'
    >>> decode_latex("85.58% of 101--115 rooms")
    '85.58% of 101–115 rooms'
    """
    if "\\" in value:
        text = _latex_to_text(value)
    else:
        text = value.replace("{", "").replace("}", "")
        if "-" in text:
            text = text.replace("---", "\u2014").replace("--", "\u2013")
        if "~" in text:
            text = text.replace("~", " ")
    if "\n" in text or "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_authors(value: str) -> list[str]:
    """BibTeX names ``"A and B"`` (``and`` outside braces) as ``"Last, First"``."""
    if "{" not in value:
        names = _AND.split(value)
    else:
        names, start, depth, pos = [], 0, 0, 0
        for match in _AND.finditer(value):
            chunk = value[pos:match.start()]
            depth += chunk.count("{") - chunk.count("}")
            pos = match.start()
            if depth == 0:
                names.append(value[start:match.start()])
                start = match.end()
        names.append(value[start:])
    out = []
    for raw in names:
        raw = raw.strip()
        name = decode_latex(raw)
        if not name:
            continue
        corporate = raw.startswith("{") and raw.endswith("}")
        if "," not in name and " " in name and not corporate:
            parts = name.split(" ")
            # "First Last": the last word is the surname (BibTeX's rule without "von")
            name = f"{parts[-1]}, {' '.join(parts[:-1])}"
        out.append(name)
    return out


def _keywords(value: str):
    return join(re.split(r"\s*[;,]\s*", value))


def read_bibtex(path, *, encoding: str = "utf-8", on_error: str = "set_aside") -> pd.DataFrame:
    """Read a BibTeX file into one row per entry, with LaTeX accents decoded.

    ``@string`` macros are resolved (``bibtexparser``); repeated fields in an entry
    (Scopus' ``funding_details``) are joined with ``"; "``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.bib`` file.
    encoding : str, default "utf-8"
        Text encoding.
    on_error : {"set_aside", "raise"}, default "set_aside"
        An entry the parser cannot read, or a second entry with a citation key already
        used, is set aside with its line and reason, or (``"raise"``) all are raised in
        one FileFormatError.

    Returns
    -------
    pandas.DataFrame
        One row per entry: ``key`` (citation key), ``record_line`` (1-based line of the
        ``@type{`` line), ``record_type`` (entry type, lower-case), ``title`` (braces
        removed, accents decoded), ``authors`` (``"Last, First; ..."``, from ``author``,
        else ``editor``), ``year`` (Int64, ``year`` or ``date``), ``journal``
        (``journal``, else ``journaltitle``, ``booktitle``, ``publisher``,
        ``institution``), ``volume``, ``issue`` (``number``), ``pages``, ``doi``
        (normalised), ``abstract``, ``keywords`` (split on ``,``/``;``, ``"; "``-joined),
        ``language``, ``database`` (Scopus' ``source``), ``affiliations``, ``url``,
        ``extra`` (every other field) and ``year_flag``.

    Raises
    ------
    FileFormatError
        Missing or unreadable file, undecodable bytes, no entry at all, or (with
        ``on_error="raise"``) entries that cannot be read; the message names the file
        and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> text = "@article{k1, title={{Baby} rooms}, author={M{\\\\\\"u}ller, Anna}, year=2020}"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "x.bib"); _ = p.write_text(text)
    ...     df = read_bibtex(p)
    >>> df.loc[0, ["key", "title", "authors"]].tolist(), int(df.loc[0, "year"])
    (['k1', 'Baby rooms', 'Müller, Anna'], 2020)
    """
    check_reader_options(function="read_bibtex", on_error=on_error, encoding=encoding)
    text = read_text(path, encoding)
    return bibtex_frame(text, os.fspath(path), on_error=on_error)


def bibtex_frame(text: str, path: str, *, on_error: str = "set_aside") -> pd.DataFrame:
    """The frame of :func:`read_bibtex` from BibTeX text already read."""
    import bibtexparser

    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # pragma: no cover - parser is designed not to raise
        raise FileFormatError(path, f"BibTeX parser failed: {exc}") from None
    entries = list(library.entries)
    aside = []
    seen_keys = {e.key for e in entries}
    for block in library.failed_blocks:
        kind = type(block).__name__
        line = (block.start_line or 0) + 1
        if kind == "DuplicateFieldKeyBlock" and block.ignore_error_block is not None:
            entry = block.ignore_error_block  # repeated fields: joined below
            entry.set_parser_metadata("baby_room_raw_values", True)
            entries.append(entry)
            continue
        if kind == "DuplicateBlockKeyBlock":
            key = getattr(block, "key", "?")
            reason = f"duplicate citation key {key!r} (first used by an earlier entry)"
        else:
            error = getattr(block, "error", None)
            reason = f"cannot parse this entry ({type(error).__name__ if error else kind})"
        snippet = (block.raw or "").strip().splitlines()[:1]
        aside.append({"row": line, "text": snippet[0][:200] if snippet else "",
                      "reasons": reason})
    del seen_keys
    if not entries and not aside:
        raise FileFormatError(path, "line 1: no BibTeX entries found (no '@type{key, ...}')")
    entries.sort(key=lambda e: e.start_line or 0)
    rows = [_entry_row(entry) for entry in entries]
    frame = frame_from_records(rows, BIBTEX_COLUMNS)
    frame = set_aside(frame, path, sorted(aside, key=lambda a: a["row"]), on_error)
    return finish(frame, path, "BibTeX", fmt="bibtex")


def _entry_row(entry) -> dict:
    fields: dict[str, list[str]] = {}
    raw = entry.get_parser_metadata("baby_room_raw_values")
    for f in entry.fields:
        value = f.value
        if not isinstance(value, str):
            value = str(value)
        if raw and len(value) >= 2 and (value[0], value[-1]) in {("{", "}"), ('"', '"')}:
            value = value[1:-1]  # the parser left the enclosing braces on these
        fields.setdefault(f.key.lower(), []).append(value)
    used: set[str] = set()
    row: dict = {"key": entry.key, "record_line": (entry.start_line or 0) + 1,
                 "record_type": entry.entry_type.lower()}
    for column, names in _FIRST.items():
        value = pd.NA
        for name in names:
            values = [decode_latex(v) for v in fields.get(name, ())]
            values = [v for v in values if v]
            if values:
                value = "; ".join(dict.fromkeys(values))
                used.add(name)
                break
        row[column] = value
    for name in ("author", "editor"):
        if fields.get(name):
            people = [p for v in fields[name] for p in _split_authors(v)]
            row["authors"] = join(people)
            used.add(name)
            break
    else:
        row["authors"] = pd.NA
    row["keywords"] = pd.NA
    for name in ("keywords", "author_keywords"):
        if fields.get(name):
            row["keywords"] = _keywords("; ".join(decode_latex(v) for v in fields[name]))
            used.add(name)
            break
    doi, raw = pick_doi(*fields.get("doi", ()), *fields.get("url", ()))
    row["doi"] = doi if doi else pd.NA
    if fields.get("doi") and doi and len(fields["doi"]) == 1:
        used.add("doi")
    row["extra"] = {name: "; ".join(decode_latex(v) for v in values)
                    for name, values in fields.items() if name not in used}
    return row
