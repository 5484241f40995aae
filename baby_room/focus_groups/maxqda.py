"""Read MAXQDA's "Coded Segments" export (Excel or CSV) into the long coding format.

MAXQDA exports the coded segments it lists (Overview of Coded Segments, or
Reports > Export > Coded Segments) as a table with one row per coded segment:
``Color``, ``Document group``, ``Document name``, ``Code`` (the code path, levels
joined by ``" > "``), ``Segment`` (the coded text), ``Beginning`` and ``End`` (the
position: paragraph numbers for text documents), ``Author`` (or ``Created by``),
``Created``, ``Weight score``, ``Comment``, and further columns depending on the
version and settings (``Area``, ``Coverage %``, ``Modified by``, document
variables, ...). Headings are matched ignoring case, spacing and punctuation;
extra columns are ignored; the header may be preceded by a few title rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room.errors import DataValidationError, FileFormatError
from baby_room.focus_groups._common import apply_attributes, finalise_long, stem
from baby_room.focus_groups._refi_archive import check_regular_file, read_bounded

__all__ = ["read_maxqda_segments", "MAXQDA_HEADINGS"]

#: Headings MAXQDA writes for each field, in English and in the other interface languages
#: (German, Spanish, French, Italian, Portuguese, Polish, Russian, Turkish, Japanese,
#: Chinese, Czech, Hungarian, Catalan, Dutch, Korean), as MAXQDA 2020-24 label the
#: columns of the Overview of Coded Segments. Matched ignoring case, accents, spacing and
#: punctuation. The translations other than English, German and Polish were assembled
#: from the interface terms and not checked against every version: a heading not
#: recognised can be mapped with ``columns=``.
MAXQDA_HEADINGS = {
    "color": ("color", "colour", "farbe", "couleur", "colore", "cor", "kolor", "цвет", "renk",
              "色", "颜色", "顏色", "barva", "szin", "kleur", "색상"),
    "document_group": ("document_group", "document_set", "dokumentgruppe", "grupo_de_documentos",
                       "groupe_de_documents", "gruppo_di_documenti", "grupa_dokumentow",
                       "группа_документов", "dokuman_grubu", "belge_grubu", "文書グループ",
                       "文档组", "文件組", "文件群組", "skupina_dokumentu", "dokumentumcsoport",
                       "grup_de_documents", "documentgroep", "문서_그룹"),
    "document": ("document_name", "document", "document_title", "dokumentname", "dokument",
                 "nombre_del_documento", "nombre_de_documento", "documento", "nom_du_document",
                 "nome_del_documento", "nome_documento", "nome_do_documento", "nazwa_dokumentu",
                 "имя_документа", "название_документа", "документ", "dokuman_adi", "belge_adi",
                 "文書名", "文档名称", "文档名", "文件名稱", "nazev_dokumentu",
                 "dokumentum_neve", "dokumentumnev", "nom_del_document", "documentnaam",
                 "문서_이름"),
    "code": ("code", "code_path", "code_name", "codigo", "codice", "kod", "код", "コード",
             "代码", "代碼", "codi", "코드"),
    "segment": ("segment", "coded_segment", "text", "segment_text", "segmento", "fragment",
                "сегмент", "фрагмент", "セグメント", "片段", "szegmens", "세그먼트"),
    "start": ("beginning", "begin", "start", "position_start", "start_position", "anfang",
              "beginn", "inicio", "principio", "debut", "inizio", "poczatek", "начало",
              "baslangic", "開始", "开始", "起始", "zacatek", "kezdet", "eleje", "inici", "시작"),
    "end": ("end", "position_end", "end_position", "ende", "fin", "final", "fine", "fim",
            "koniec", "конец", "bitis", "son", "終了", "结束", "結束", "konec", "veg", "vege",
            "einde", "끝"),
    "coder": ("author", "created_by", "creator", "coder", "user", "autor", "erstellt_von",
              "creado_por", "auteur", "cree_par", "autore", "creato_da", "criado_por",
              "utworzony_przez", "автор", "yazar", "olusturan", "作成者", "作者", "创建者",
              "建立者", "szerzo", "auteur", "작성자"),
    "created": ("created", "creation_date", "created_on", "date_created", "erstellt",
                "erstellt_am", "creado", "fecha_de_creacion", "cree", "cree_le", "creato",
                "criado", "utworzono", "создан", "olusturuldu", "作成日", "创建时间", "创建日期",
                "建立日期", "vytvoreno", "letrehozva", "creat", "gemaakt", "생성일"),
    "weight": ("weight_score", "weight", "gewicht", "gewichtung", "peso", "ponderacion",
               "ponderation", "poids", "waga", "вес", "agirlik", "重み", "权重", "權重", "vaha",
               "suly", "pes", "가중치"),
    "comment": ("comment", "comments", "kommentar", "comentario", "commentaire", "commento",
                "komentarz", "комментарий", "yorum", "コメント", "注释", "评论", "註解",
                "komentar", "megjegyzes", "comentari", "opmerking", "코멘트"),
}
_REQUIRED = ("document", "code")
_HEADER_SEARCH_ROWS = 20
#: Cells of a row examined for headings (MAXQDA writes a few dozen columns).
_MAX_HEADINGS = 1000
#: Largest delimited-text export read (256 MiB).
MAX_TABLE_BYTES = 256 * 1024**2
_EXTRA = ("document", "document_group", "color", "created", "weight", "comment")


def read_maxqda_segments(path, *, attributes=None, coder: str | None = None, sheet=0,
                         columns=None, keep_extra: bool = False,
                         warn_missing: bool = True) -> pd.DataFrame:
    """Read a MAXQDA "Coded Segments" export into the long coding format.

    Parameters
    ----------
    path : str or os.PathLike
        The export: ``.xlsx`` (as MAXQDA writes it), old Excel ``.xls``, or ``.csv`` /
        ``.tsv`` / ``.txt`` (UTF-8 with or without BOM, UTF-16, Windows-1252; comma,
        semicolon or tab). Headings in any of MAXQDA's interface languages.
    attributes : pandas.DataFrame or path, optional
        A sheet mapping each document name to ``conference``, ``group_id``, ``role``,
        ``speaker`` and any other attribute: a column ``document`` (or
        ``document_name``) and any of those (as in :meth:`QdaProject.to_long`).
    coder : str, optional
        Coder to record where the export has no ``Author``/``Created by`` column or
        the cell is empty (an export made by one coder often leaves it out).
    sheet : int or str, default 0
        Excel sheet to read.
    columns : mapping, optional
        ``{heading in the file: field}`` for headings not recognised, with fields
        ``document``, ``document_group``, ``code``, ``segment``, ``start``, ``end``,
        ``coder``, ``created``, ``weight``, ``comment``, ``color``.
    keep_extra : bool, default False
        Append ``document``, ``document_group``, ``color``, ``created``, ``weight``
        and ``comment`` after the canonical columns.
    warn_missing : bool, default True
        Warn once when conference, group, role or speaker has no value at all.

    Returns
    -------
    pandas.DataFrame
        ``segment_id, conference, group_id, speaker, role, theme, code, coder, start,
        end, text``, one row per exported segment. ``theme`` is the first level of the
        code path and ``code`` the last. ``group_id`` is the document name (without a
        ``.docx``/``.txt``/... extension) unless ``attributes`` gives one;
        ``conference``, ``speaker`` and ``role`` are missing unless ``attributes`` gives
        them. ``start`` and ``end`` are MAXQDA's ``Beginning`` and ``End``: for text
        documents these are *paragraph numbers*, not character offsets
        (``attrs["position_unit"] == "paragraph"``, kept by
        :func:`~baby_room.load_coding`). Several segments can share one paragraph
        range, so a segment is identified by its document, paragraph range *and* text:
        ``segment_id`` is ``[<document group>/]<document>:<beginning>-<end>:<8 hex
        digits of the text's SHA-1>``; two coders who coded the same words share it,
        and a row repeating one coder's code on the same words gets ``#2``, ``#3``, ...
        so that every exported row is kept. ``attrs["source"]`` names the file.

    Raises
    ------
    baby_room.FileFormatError
        The file cannot be read, or no header row with at least ``Document name`` and
        ``Code`` is found in its first 20 rows.
    baby_room.DataValidationError
        Rows without a document or code, or with a ``Beginning``/``End`` that is not a
        whole number from 0 to 2**53 (``"1,000"``, ``"2.5"``, ``1e30`` are refused, never
        rounded or wrapped); every such row is listed with its row number in the file.

    Examples
    --------
    >>> import tempfile, os
    >>> csv_text = (
    ...     "Color,Document group,Document name,Code,Segment,Beginning,End,Author,Weight score\\n"
    ...     "#ff0000,York,YOR-2,Staffing > Ratios,one to three,4,4,Ana,0\\n"
    ...     "#ff0000,York,YOR-2,Staffing > Ratios,one to three,4,4,Bea,0\\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "coded segments.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(csv_text)
    ...     seg = read_maxqda_segments(p)
    >>> seg[["segment_id", "group_id", "theme", "code", "coder", "start"]].to_dict("records")
    [{'segment_id': 'York/YOR-2:4-4:f082e470', 'group_id': 'YOR-2', 'theme': 'Staffing', 'code': 'Ratios', 'coder': 'Ana', 'start': 4}, {'segment_id': 'York/YOR-2:4-4:f082e470', 'group_id': 'YOR-2', 'theme': 'Staffing', 'code': 'Ratios', 'coder': 'Bea', 'start': 4}]
    """
    p = Path(path)
    rows = read_rows(p, sheet)
    header_at, fields = _find_header(p, rows, columns)
    body = rows[header_at + 1:]
    file_rows = np.arange(header_at + 2, header_at + 2 + len(body))
    keep = [i for i, r in enumerate(body) if any(_clean(c) is not None for c in r)]
    body = [body[i] for i in keep]
    file_rows = file_rows[keep]
    if not body:
        raise FileFormatError(path, "has a header row but no coded segments")
    width = max(len(r) for r in body)
    body = [list(r) + [None] * (width - len(r)) for r in body]

    def column(field):
        if field not in fields:
            return pd.Series([None] * len(body), dtype="object")
        j = fields[field]
        return pd.Series([_clean(r[j]) if j < len(r) else None for r in body], dtype="object")

    data = {f: column(f) for f in MAXQDA_HEADINGS}
    failures = []
    heading = {f: rows[header_at][j] for f, j in fields.items()}
    for f in _REQUIRED:
        for i in np.flatnonzero(data[f].isna().to_numpy()):
            failures.append((str(path), int(file_rows[i]), heading[f], None,
                             "required: a coded segment needs a value here"))
    positions = {}
    for f in ("start", "end"):
        num = data[f].map(_position)
        bad = data[f].notna() & num.isna()
        for i in np.flatnonzero(bad.to_numpy()):
            failures.append((str(path), int(file_rows[i]), heading[f], data[f].iloc[i],
                             "type: a whole number (position) >= 0 is expected (a paragraph "
                             "number up to 2**53)"))
        positions[f] = pd.Series(pd.array(num.to_numpy(dtype=object), dtype="Int64"),
                                 index=num.index)
    if failures:
        frame = pd.DataFrame(failures, columns=["file", "row", "column", "value", "check"])
        raise DataValidationError(frame, kind="MAXQDA coded segments")

    parts = data["code"].map(lambda v: [s.strip() for s in str(v).split(" > ") if s.strip()]
                             or [str(v).strip()])
    theme = parts.map(lambda x: x[0])
    leaf = parts.map(lambda x: x[-1])
    doc = data["document"].astype(str)
    group = data["document_group"]
    start, end = positions["start"], positions["end"]
    pos = start.astype("string").fillna("") + "-" + end.astype("string").fillna("")
    no_pos = start.isna() & end.isna()
    pos = pos.where(~no_pos, pd.Series([f"row{r}" for r in file_rows], dtype="string"))
    prefix = group.map(lambda g: f"{g}/" if g is not None else "").astype(str)
    digest = data["segment"].map(lambda s: hashlib.sha1(str(s or "").encode()).hexdigest()[:8])
    segment_id = prefix + doc + ":" + pos.astype(str) + ":" + digest

    coders = data["coder"]
    if coder is not None:
        coders = coders.where(coders.notna(), coder)

    attrs = {
        "conference": pd.Series(pd.NA, index=doc.index, dtype="object"),
        "group_id": doc.map(stem),
        "role": pd.Series(pd.NA, index=doc.index, dtype="object"),
        "speaker": pd.Series(pd.NA, index=doc.index, dtype="object"),
    }
    # one row per segment: one coder's repeat of a code on the same words gets #2, #3, ...
    repeat = pd.DataFrame({"s": segment_id, "c": data["code"], "k": coders}).fillna("")
    nth = repeat.groupby(["s", "c", "k"], sort=False).cumcount().to_numpy()
    segment_id = segment_id.where(nth == 0, segment_id + "#" + pd.Series(nth + 1).astype(str))
    if attributes is not None:
        attrs = apply_attributes(attributes, doc, None, attrs, function="read_maxqda_segments")
    out = pd.DataFrame({
        "segment_id": segment_id, "conference": attrs["conference"],
        "group_id": attrs["group_id"], "speaker": attrs["speaker"], "role": attrs["role"],
        "theme": theme, "code": leaf, "coder": coders, "start": start, "end": end,
        "text": data["segment"],
        **{k: v for k, v in attrs.items() if k not in ("conference", "group_id", "role",
                                                        "speaker")},
    })
    out = finalise_long(out, source=f"MAXQDA coded segments {p.name}",
                        warn_missing=warn_missing)
    if keep_extra:
        extra = {
            "document": doc, "document_group": group, "color": data["color"],
            "created": data["created"],
            "weight": pd.to_numeric(data["weight"].map(_numeric_text), errors="coerce"),
            "comment": data["comment"],
        }
        for k in _EXTRA:
            v = extra[k]
            out[k] = v.to_numpy() if k == "weight" else pd.array(v.to_numpy(dtype=object),
                                                                 dtype="string")
    out.attrs["position_unit"] = "paragraph"
    return out


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _numeric_text(value):
    if value is None:
        return None
    return str(value).replace(",", ".").strip()


def _position(value):
    """A paragraph number as int, or None when it is not a whole number in 0..2**53."""
    if value is None:
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\+?\d{1,16}", text) or int(text) > 2**53:
        return None
    return int(text)


def read_rows(p: Path, sheet=0, *, limit: int | None = None) -> list[list]:
    """The rows of a sheet or delimited-text table as lists of cells (first ``limit``).

    Excel (``.xlsx``, ``.xls``) is told from text by its first bytes, whatever the name.
    """
    p = check_regular_file(p, "table")
    try:
        with open(p, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise FileFormatError(p, f"cannot be read ({exc.strerror or exc})") from None
    suffix = p.suffix.lower()
    if magic.startswith(b"PK\x03\x04"):
        suffix = ".xlsx"
    elif magic.startswith(b"\xd0\xcf\x11\xe0"):
        suffix = ".xls"
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        pass  # a damaged workbook: the Excel readers say so
    elif suffix not in (".csv", ".tsv", ".txt", ".tab", ""):
        suffix = ".csv"  # text under another name: read by content
    rows = _rows(p, suffix, sheet)
    return rows if limit is None else rows[:limit]


def _rows(p: Path, suffix: str, sheet) -> list[list]:
    if suffix in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(p):
            raise FileFormatError(p, "is not a valid .xlsx file (not a zip archive: truncated or "
                                  "renamed?)")
        try:
            frame = pd.read_excel(p, sheet_name=sheet, header=None, dtype=object,
                                  engine="openpyxl")
        except ValueError as exc:
            raise FileFormatError(p, f"cannot read sheet {sheet!r}: {exc}") from None
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise FileFormatError(
                p, f"is not a readable .xlsx file ({type(exc).__name__}: {exc})") from None
        return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    if suffix == ".xls":
        try:
            frame = pd.read_excel(p, sheet_name=sheet, header=None, dtype=object, engine="xlrd")
        except ValueError as exc:
            raise FileFormatError(p, f"cannot read sheet {sheet!r}: {exc}") from None
        except Exception as exc:  # xlrd raises its own XLRDError and struct errors
            raise FileFormatError(
                p, f"is not a readable .xls file ({type(exc).__name__}: {exc})") from None
        return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    if suffix in (".csv", ".tsv", ".txt", ".tab", ""):
        from baby_room._io import decode_text

        text, _enc = decode_text(read_bounded(p, MAX_TABLE_BYTES, "MAXQDA export"), p)
        if not text.strip():
            raise FileFormatError(p, "file has no content (only blank space)")
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        counts = {d: first.count(d) for d in ("\t", ";", ",")}
        sep = "\t" if suffix in (".tsv", ".tab") else max(counts, key=counts.get)
        if not counts.get(sep):
            sep = ","
        try:
            return list(csv.reader(io.StringIO(text), delimiter=sep))
        except csv.Error as exc:
            raise FileFormatError(p, f"is not valid delimited text: {exc}") from None
    raise FileFormatError(p, f"format {suffix!r} is not supported for a MAXQDA export; use .xlsx "
                          "or .csv")


def heading_key(cell) -> str:
    """A heading normalised for matching in any script: NFKC, case-folded, ``_`` between
    words, accents dropped from Latin letters."""
    import unicodedata

    text = unicodedata.normalize("NFKC", str(cell)).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "_", text).strip("_").replace("ı", "i").replace("ł", "l")


_LOOKUP = {heading_key(alias): field for field, aliases in MAXQDA_HEADINGS.items()
           for alias in aliases}


def header_fields(row, columns=None) -> dict:
    """``{field: column index}`` for the MAXQDA headings found in ``row``."""
    extra = {heading_key(k): v for k, v in (columns or {}).items()}
    fields = {}
    for j, cell in enumerate(row[:_MAX_HEADINGS]):
        if cell is None:
            continue
        key = heading_key(cell)
        field = extra.get(key) or _LOOKUP.get(key)
        if field is not None and field not in fields:
            fields[field] = j
    return fields


def _find_header(p: Path, rows: list[list], columns=None) -> tuple[int, dict]:
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        fields = header_fields(row, columns)
        if all(f in fields for f in _REQUIRED):
            return i, fields
    first = next((r for r in rows if any(_clean(c) for c in r)), [])
    shown = ", ".join(repr(str(c)) for c in first[:20] if _clean(c) is not None)[:300]
    raise FileFormatError(
        p, "is not a MAXQDA coded-segments export: no header row with 'Document name' and "
        f"'Code' in its first {_HEADER_SEARCH_ROWS} rows (first row: {shown or 'empty'})")
