"""The whole-file RIS tokenizer and the column-wise tag mapping against references.

* ``rispy`` (an independent RIS parser, https://github.com/MrTango/rispy) reads a
  generated file mixing the dialects ``read_ris`` accepts -- Ovid numbered records
  ("1."), EndNote "Record #3 of 12" lines, a JSTOR/APA "Provider:" header block,
  Embase/Covidence ``N2`` abstracts, CINAHL ``L3`` DOIs, Scopus-style repeated ``AU``
  and ``KW``, abstracts continued on a second line, a title continued on a line that
  looks like a lower-case tag -- and must find the same records
  with the same values for every tag it reads.
* :func:`baby_room.evidence.ris.tokenize_ris` (whole file at once) gives the same records,
  set-aside records and outside lines as the line-by-line parser on random quirky files.
* :func:`baby_room.evidence.tagged.to_canonical` (the record-by-record mapping) and
  :func:`baby_room.evidence._tag_columns.canonical_columns` (the column-wise one used by
  the readers) must give the same columns on random records.
"""

from __future__ import annotations

import random
import warnings

import pandas as pd
import pytest

from baby_room.evidence._tag_columns import TagEntries, canonical_columns
from baby_room.evidence.bibliography import normalise_doi, read_ris
from baby_room.evidence.ris import RIS_TAGS, tokenize_ris
from baby_room.evidence.tagged import to_canonical
from baby_room.evidence.wos import WOS_TAGS

rispy = pytest.importorskip("rispy")

_LIST_TAGS = ["AU", "A1", "KW", "AD", "UR"]
_TAGS = ["TY", "TI", "T1", "T2", "JF", "PY", "Y1", "DA", "VL", "IS", "SP", "EP", "DO", "L3",
         "AB", "N2", "LA", "DB", "DP", "N1", "SN", "ID", *_LIST_TAGS]


def _dialect_file(n: int, seed: int = 12) -> str:
    """RIS text of ``n`` records, each in the style of one database's export."""
    rng = random.Random(seed)
    out = ['Provider: JSTOR http://www.jstor.org', 'Database: JSTOR',
           'Content: text/plain; charset="UTF-8"', '']
    for k in range(1, n + 1):
        style = rng.choice(["ovid", "endnote", "embase", "cinahl", "scopus"])
        if style == "ovid":
            out.append(f"{k}.")
        elif style == "endnote":
            out.append(f"Record #{k} of {n}")
        out.append(f"TY  - {rng.choice(['JOUR', 'BOOK', 'CHAP'])}")
        out.append(f"{rng.choice(['TI', 'T1'])}  - Baby room study {k}: Ä quality ")
        if rng.random() < 0.1:  # not a tag (lower case): text continuing the title
            out.append("Ti  - and ratios")
        for _ in range(rng.randint(1, 4)):
            out.append(f"{rng.choice(['AU', 'A1'])}  - Author{rng.randint(1, 99)}, "
                       f"{rng.choice('ABÉ')}.")
        out.append(f"PY  - {rng.randint(1970, 2025)}{rng.choice(['', '///'])}")
        out.append(f"{rng.choice(['T2', 'JF'])}  - Early Years {k % 7}")
        if style == "cinahl":
            out.append(f"L3  - 10.1080/{k}.{rng.randint(1, 9)}")
        elif rng.random() < 0.8:
            out.append(f"DO  - {rng.choice(['', 'https://doi.org/'])}10.1016/J.EY.{k}")
        abstract = "N2" if style == "embase" else "AB"
        out.append(f"{abstract}  - Staff ratios in room {k}.")
        if rng.random() < 0.5:
            out.append(f"   Second line of abstract {k}.")
        for _ in range(rng.randint(0, 3)):
            out.append(f"KW  - {rng.choice(['infants', 'ratios', 'quality', 'day care'])}")
        if rng.random() < 0.5:
            out.append(f"SP  - {k}")
            out.append(f"EP  - {k + rng.randint(0, 20)}")
        if rng.random() < 0.3:
            out.append("N1  - note with  - a hyphen")
        out.append(f"DB  - {style}")
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


def _rispy_records(text: str) -> list[dict]:
    mapping = {tag: tag for tag in _TAGS} | {"UK": "unknown_tag"}
    return rispy.loads(text, mapping=mapping, list_tags=_LIST_TAGS)


def test_tokenizer_matches_rispy_on_every_dialect():
    text = _dialect_file(600)
    theirs = _rispy_records(text)
    entries, aside, outside = tokenize_ris(text)
    ours = entries.to_records()
    assert aside == []
    assert len(ours) == len(theirs) == 600
    # the lines rispy skips before each TY are the lines ours reports outside records
    assert [t for _, t in outside][:3] == ["Provider: JSTOR http://www.jstor.org",
                                           "Database: JSTOR",
                                           'Content: text/plain; charset="UTF-8"']
    assert sum(t.startswith("Record #") or t.endswith(".") for _, t in outside[3:]) \
        == len(outside) - 3
    for mine, ref in zip(ours, theirs, strict=True):
        assert "unknown_tag" not in ref
        expected = {tag: value if isinstance(value, list) else [value]
                    for tag, value in ref.items()}
        assert mine["tags"] == expected


def test_read_ris_columns_match_rispy_fields(tmp_path):
    text = _dialect_file(300, seed=7)
    theirs = _rispy_records(text)
    path = tmp_path / "mixed.ris"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = read_ris(path)
    assert len(frame) == len(theirs)
    for k, ref in enumerate(theirs):
        row = frame.iloc[k]
        assert row["record_type"] == ref["TY"]
        assert row["title"] == ref.get("TI", ref.get("T1"))
        assert row["authors"] == "; ".join(ref.get("AU", []) + ref.get("A1", []))
        assert row["abstract"] == ref.get("AB", ref.get("N2"))
        assert row["journal"] == ref.get("T2", ref.get("JF"))
        assert row["year"] == int(ref["PY"][:4])
        assert row["database"] == ref["DB"]
        doi = normalise_doi(ref.get("DO") or ref.get("L3"))
        assert (pd.isna(row["doi"]) and doi is None) or row["doi"] == doi
        keywords = "; ".join(ref.get("KW", []))
        assert (pd.isna(row["keywords"]) and not keywords) or row["keywords"] == keywords
        assert row["extra"] == ({"N1": ref["N1"]} if "N1" in ref else {})


_VALUES = ["", "Baby rooms", "a; b", "10.1016/J.X.1", "doi:10.1/abc.", "http://dx.doi.org/10.2%2FQ",
           "10.1038/n12373     LK  - https://x", "2019///", "x 1999 y", "12", "12-15", "15",
           "not a doi", "10.1/a(b)c)", "Müller, Ä", "Baby rooms"]


def _random_records(n: int, tags: list[str], seed: int) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for k in range(n):
        chosen: dict[str, list[str]] = {}
        for _ in range(rng.randint(0, 10)):
            chosen.setdefault(rng.choice(tags), []).append(rng.choice(_VALUES))
        records.append({"line": 3 * k + 1, "tags": chosen})
    return records


@pytest.mark.parametrize("spec", [RIS_TAGS, WOS_TAGS], ids=["ris", "wos"])
def test_column_mapping_equals_record_mapping(spec):
    tags = sorted({t for names in (*spec.first.values(), *spec.every.values()) for t in names}
                  | set(spec.doi) | set(spec.pages or ()) | {"N1", "ZZ"})
    records = _random_records(3000, tags, seed=len(tags))
    columns = canonical_columns(TagEntries.from_records(records), spec)
    columns = {c: v if c == "extra" else v.to_pylist() for c, v in columns.items()}
    for k, record in enumerate(records):
        expected = to_canonical(record["tags"], spec)
        assert set(expected) == set(columns)
        for column, value in expected.items():
            got = columns[column][k]
            if column == "extra":
                assert got == value and list(got) == list(value), (k, record)
            else:
                assert (got is None and value is pd.NA) or got == value, (k, column, record)


_QUIRKS = ["      continued", "more text", "", "   ", "\t", "AU - broken spacing", "TI  -x",
           "ab  - lower case", "Ab  - mixed case", "TY  - JOUR", "1.  - numbered", "A  - short",
           "UK-based prose", "\u00a0\u00a0"]


def _quirky_text(rng: random.Random) -> str:
    lines = ["Provider: APA", "Database: PsycINFO", ""] if rng.random() < 0.2 else []
    for k in range(rng.randint(1, 8)):
        if rng.random() < 0.3:
            lines.append(rng.choice([f"{k + 1}.", f"Record #{k + 1} of 8", "<1>"]))
        if rng.random() < 0.05:
            lines.append("AU  - tag before the type line")
        if rng.random() < 0.95:
            lines.append(f"TY  - {rng.choice(['JOUR', ''])}")
        for _ in range(rng.randint(0, 10)):
            if rng.random() < 0.8:
                tag = rng.choice(_TAGS)
                value = rng.choice(_VALUES + [" padded ", "\u00a0nb\u00a0"])
                lines.append(f"{tag}  - {value}" if value or rng.random() < 0.5 else f"{tag}  -")
            else:
                lines.append(rng.choice(_QUIRKS))
        if rng.random() < 0.92:
            lines.append(rng.choice(["ER  - ", "ER  -"]))
        lines.append("")
    if rng.random() < 0.1:
        lines.append("trailing text")
    text = "\n".join(lines)
    return text.replace("\n", "\r\n") if rng.random() < 0.1 else text


def _line_by_line(text: str):
    """The reference: the line-by-line parser on each piece ending at an ER line."""
    from baby_room.evidence.ris import _parse_lines

    lines = text.replace("\r\n", "\n").split("\n")
    records, aside, outside = [], [], []
    start = 0
    for k, line in enumerate(lines):
        if line[:5] == "ER  -":
            _parse_lines(lines[start:k + 1], start + 1, records, aside, outside)
            start = k + 1
    if any(line.strip() for line in lines[start:]):
        _parse_lines(lines[start:], start + 1, records, aside, outside)
    return records, aside, sorted(outside)


def test_whole_file_tokenizer_equals_line_by_line_parser():
    # random files full of the quirks above: the vectorised path must give exactly what
    # the line-by-line parser gives (records, set-aside records, lines outside records).
    # Not generated: an end line "ER  -x", which ends an ordinary record (as before this
    # tokenizer) but which the line-by-line parser reads as text.
    rng = random.Random(2026)
    for _ in range(400):
        text = _quirky_text(rng)
        entries, aside, outside = tokenize_ris(text)
        records, ref_aside, ref_outside = _line_by_line(text)
        assert entries.to_records() == records, text
        assert aside == ref_aside, text
        assert outside == ref_outside, text
