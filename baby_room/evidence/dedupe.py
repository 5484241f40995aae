"""Duplicate records in bibliographic exports: flag, review, merge.

Matching rules (measured on the bib-dedupe project's labelled sets in
``benchmarks/bench_dedupe.py``):

1. **Different DOIs never match.** Two records whose normalised DOIs (see
   :func:`baby_room.evidence.bibliography.normalise_doi`) differ are never one work, and
   a group never holds two different DOIs (grouping checks this at every union).
2. **Same DOI** matches, unless both titles are present and less than 50% alike (a
   DOI typed on the wrong record): that pair goes to review.
3. **Titles** are compared after HTML entities and tags are removed, the notes databases
   append ("[Review] [45 refs]", "[Erratum appears in ...]", "(Provisional abstract)")
   are cut, and case, accents, punctuation, spaces and the brackets around translated
   titles are dropped (so subtitle punctuation does not matter); similarity is difflib's
   ratio ``2*M/T`` (Ratcliff-Obershelp). Titles whose numbers differ ("FOCUS 1" and
   "FOCUS 2") are different works. The other fields give *evidence*: year (equal; a
   one-year gap is neutral), authors (same first surname, two surnames in common, or a
   first surname at least 80% alike), first page (page ranges that overlap agree;
   article numbers such as ``e12724`` are not compared with pages), volume, journal
   (abbreviations such as "Ann Fr Anesth Reanim" agree with the full name). A field
   present on both sides and different is a *contradiction*.
4. Near-identical titles (ratio >= 0.95) match with no contradiction and the same year
   or a same volume, first page or journal; ratio 0.85-0.95 (or one title containing
   the other) needs two agreements, one of them volume, first page or journal. Similar
   titles in different journals need the same first page. An identical title with
   only the pages differing (by at most 10) matches when year, authors, volume and
   journal agree. A translated (bracketed) title matches its original on the same
   year, authors, volume and first page. **Generic titles** ("Editorial",
   "Introduction", "Book review", "Erratum", "Editor's comments", any title of one or
   two words) need an identical title, the same first page and two more agreeing
   fields. Pairs that are close but not sure go to :func:`duplicate_review`; a
   person's decisions are fed back through ``decisions=``.
5. Groups are transitive (union-find); the earliest row of a group is its original.

Candidate pairs come from blocks (same DOI, same title, same first or last 24
characters of the title, same first author + year + first page), so the work grows
with the number of records, not its square.
"""

from __future__ import annotations

import html
import re
import unicodedata
from difflib import SequenceMatcher

import pandas as pd

from baby_room._args import check_column, check_frame, result_attrs
from baby_room.errors import ArgumentError
from baby_room.evidence._bibcommon import isna as _isna
from baby_room.evidence._bibcommon import normalise_doi

__all__ = ["flag_duplicates", "duplicate_review", "merge_duplicates", "GENERIC_TITLES"]

#: Titles that name a kind of item, not a work: they never match on the title alone.
GENERIC_TITLES = frozenset({
    "editorial", "editorials", "introduction", "preface", "foreword", "bookreview",
    "bookreviews", "erratum", "errata", "corrigendum", "correction", "retraction",
    "letter", "lettertotheeditor", "lettertoeditor", "reply", "response", "authorsreply",
    "commentary", "comment", "editorialcomment", "abstracts", "abstract", "index",
    "contents", "tableofcontents", "news", "notes", "reviewers", "acknowledgements",
    "acknowledgments", "conclusion", "conclusions", "discussion", "editorsnote",
    "fromtheeditor", "guesteditorial", "inmemoriam", "obituary", "announcement",
    "announcements", "overview", "summary", "meetingabstracts", "postersessions",
    "correspondence", "reviews", "frontmatter", "backmatter", "issueinformation",
})

# notes databases append to titles: "[Review] [45 refs]", "[Erratum appears in ...]",
# "(Provisional abstract)", "[Article in French]", "[see comments]"
_TITLE_NOTES = re.compile(
    r"\s*(?:\[(?:review|review article|editorial|letter|comment|abstract|erratum|"
    r"\d+ refs?|article in [a-z]+|[a-z]+ language|author'?s? transl|see comments?)\]"
    r"|\[(?:erratum|retraction|corrected and republished|comment|see)[^\]]*(?:\]|$)"
    r"|\((?:provisional abstract|brief record|structured abstract|review|abstract)\))\.?",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(r";| and |\n")
_PEOPLE = re.compile(r";|\band\b|\n")
_LEADING_NUMBER = re.compile(r"0*(\d+)")
_PAGE_RANGE = re.compile(r"\s*0*(\d+)\s*(?:-+|–)\s*0*(\d+)")
_DIGITS = re.compile(r"\d+")
_FOUR_DIGITS = re.compile(r"\d{4}")
_WORD = re.compile(r"\w+")
_ALNUM_WORD = re.compile(r"[a-z0-9]+")
_TAGS = re.compile(r"<[^>]{1,20}>")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_BLOCK_LIMIT = 60
_CHECK_LIMIT = 400


def title_key(value) -> str | None:
    """The title as compared: entities decoded, bracket suffixes and tags removed, then
    casefolded letters and digits only.

    Examples
    --------
    >>> title_key("Quality &amp; ratios: a review [Review].")
    'qualityratiosareview'
    >>> title_key("[Qualität in Krippen]") == title_key("Qualitat in krippen")
    True
    """
    if _isna(value):
        return None
    text = str(value)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAGS.sub("", text)
    text = _TITLE_NOTES.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NON_ALNUM.sub("", text.casefold())
    return text or None


def _surname(value) -> str | None:
    if _isna(value):
        return None
    text = str(value).strip()
    first = _FIRST_PERSON.split(text, maxsplit=1)[0].strip()
    if "," in first:
        name = first.split(",", 1)[0]
    else:
        words = first.split()
        if not words:
            return None
        # "Smith J" / "Smith JA" (MEDLINE) vs "John Smith"
        name = words[0] if len(words) > 1 and words[-1].isupper() and len(words[-1]) <= 3 \
            else words[-1]
    if not name.isascii():
        name = "".join(ch for ch in unicodedata.normalize("NFKD", name)
                       if not unicodedata.combining(ch))
    name = _NON_ALNUM.sub("", name.casefold())
    return name or None


def _surnames(value) -> frozenset:
    """Every author's surname, letters only (``"Smith, J. and Li, X."`` -> smith, li)."""
    if _isna(value):
        return frozenset()
    people = _PEOPLE.split(str(value))
    return frozenset(s for s in (_surname(p) for p in people if p.strip()) if s)


def _first_page(value) -> str | None:
    if _isna(value):
        return None
    text = str(value).strip()
    if text[:1].isalpha():
        return None  # an article number (e12724, S45): not comparable with page ranges
    match = _LEADING_NUMBER.match(text)
    return match.group(1) if match else None


def _page_range(value) -> tuple | None:
    """``(first, last)`` page numbers; "2243-5" ends on 2245 (abbreviated last page)."""
    if _isna(value):
        return None
    match = _PAGE_RANGE.match(str(value))
    if match is None:
        first = _first_page(value)
        return (int(first), int(first)) if first else None
    a, b = match.group(1), match.group(2)
    if len(b) < len(a):
        b = a[: len(a) - len(b)] + b
    first, last = int(a), int(b)
    return (first, last) if last >= first else (first, first)


def _plain(value) -> str | None:
    if _isna(value):
        return None
    text = _NON_ALNUM.sub("", str(value).casefold())
    return text or None


def _number(value) -> str | None:
    if _isna(value):
        return None
    match = _DIGITS.search(str(value))
    return match.group(0).lstrip("0") or "0" if match else _plain(value)


def _year(value):
    if _isna(value):
        return None
    match = _FOUR_DIGITS.search(str(value))
    return int(match.group(0)) if match else None


class _Records:
    """The comparison keys of every row."""

    def __init__(self, data, cols):
        n = len(data)

        def column(name, fn):
            if name is None or name not in data.columns:
                return [None] * n
            cache: dict = {}
            out = []
            for v in data[name].tolist():
                key = v if isinstance(v, str) else None if _isna(v) else str(v)
                if key not in cache:
                    cache[key] = fn(v)
                out.append(cache[key])
            return out

        self.n = n
        self.doi = column(cols["doi"], normalise_doi)
        self.title = column(cols["title"], title_key)
        self.year = column(cols["year"], _year)
        self.author = column(cols["authors"], _surname)
        self.journal = column(cols["journal"], _plain)
        self.journal_words = column(cols["journal"], _journal_words)
        self.numbers = column(cols["title"], _title_numbers)
        self.translated = column(cols["title"], _translated)
        self.volume = column(cols["volume"], _number)
        self.surnames = column(cols["authors"], _surnames)
        self.page = column(cols["pages"], _first_page)
        self.page_range = column(cols["pages"], _page_range)
        self.generic = [t is None or t in GENERIC_TITLES or _short(v) or _editorial(t)
                        for t, v in zip(self.title, column(cols["title"], _words), strict=True)]


def _words(value):
    if _isna(value):
        return 0
    return len(_WORD.findall(str(value)))


def _editorial(key: str) -> bool:
    return any(word in key for word in ("editorscomment", "editorialcomment", "fromtheeditor",
                                        "editorsnote", "editorsintroduction"))


def _short(words: int) -> bool:
    return words <= 2


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.85 or matcher.quick_ratio() < 0.85:
        return 0.0
    return matcher.ratio()


_STOP = frozenset({"the", "of", "and", "de", "d", "et", "la", "le", "les", "der", "die",
                   "und", "fur", "for", "in", "on", "journal", "j", "electronic", "resource"})


def _translated(value) -> bool:
    """A title written in square brackets: a database's translation of a foreign title."""
    return not _isna(value) and str(value).strip(' "\'').startswith("[")


def _title_numbers(value) -> frozenset:
    """The numbers written in a title ("FOCUS 1", "part 2"), leading zeros dropped."""
    if _isna(value):
        return frozenset()
    text = str(value)
    if _DIGITS.search(text) is None:
        return frozenset()
    text = _TITLE_NOTES.sub("", html.unescape(text))
    return frozenset(n.lstrip("0") or "0" for n in _DIGITS.findall(text))


def _journal_words(value) -> tuple:
    if _isna(value):
        return ()
    text = str(value)
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(ch))
    return tuple(w for w in _ALNUM_WORD.findall(text.casefold()) if w not in _STOP)


def _abbreviates(short: tuple, long: tuple) -> bool:
    """Every word of ``short`` starts a word of ``long``, in order ("Ann Fr Anesth")."""
    k = 0
    for word in short:
        while k < len(long) and not long[k].startswith(word):
            k += 1
        if k == len(long):
            return False
        k += 1
    return True


def _journal_differs(a: tuple, b: tuple) -> bool:
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return not (_abbreviates(short, long) or _abbreviates(long, short)
                or set(short) <= set(long))


def _journal_agrees(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and (long.startswith(short) or _similarity(a, b) >= 0.9)


def _judge(r: _Records, i: int, j: int) -> tuple[str, str]:
    """``("match"|"review"|"distinct", reason)`` for one candidate pair."""
    doi_i, doi_j = r.doi[i], r.doi[j]
    ti, tj = r.title[i], r.title[j]
    if doi_i and doi_j and doi_i != doi_j:
        return "distinct", "different DOIs"
    agree, contra = [], []
    yi, yj = r.year[i], r.year[j]
    if yi is not None and yj is not None:
        if yi == yj:
            agree.append("year")
        elif abs(yi - yj) > 1:
            contra.append("year")
    ai, aj = r.author[i], r.author[j]
    if ai is not None and aj is not None:
        si, sj = r.surnames[i], r.surnames[j]
        common = len(si & sj)
        if ai == aj or common >= 2 or (common and min(len(si), len(sj)) == 1) or (
                min(len(ai), len(aj)) >= 4 and SequenceMatcher(None, ai, aj).ratio() >= 0.8):
            agree.append("first author")
        elif not common:
            contra.append("authors")
    pi, pj = r.page[i], r.page[j]
    if pi is not None and pj is not None:
        ri, rj = r.page_range[i], r.page_range[j]
        overlap = ri is not None and rj is not None and ri[0] <= rj[1] and rj[0] <= ri[1]
        (agree if pi == pj or overlap else contra).append("first page")
    vi, vj = r.volume[i], r.volume[j]
    if vi is not None and vj is not None:
        (agree if vi == vj else contra).append("volume")
    ji, jj = r.journal[i], r.journal[j]
    if ji is not None and jj is not None and _journal_agrees(ji, jj):
        agree.append("journal")
    sim = _similarity(ti, tj) if ti and tj else None
    if sim is not None and sim < 1.0 and r.numbers[i] and r.numbers[j] \
            and r.numbers[i] != r.numbers[j]:
        return "distinct", "the numbers in the titles differ (part 1 / part 2)"
    if sim is not None and sim < 0.9 and min(len(ti), len(tj)) >= 40:
        short, long = (ti, tj) if len(ti) <= len(tj) else (tj, ti)
        if short in long:  # a title with citation text or a translation appended
            sim = 0.9
    if doi_i and doi_i == doi_j:
        if sim is not None and sim < 0.5 and SequenceMatcher(None, ti, tj).ratio() < 0.5:
            return "review", "same DOI but different titles"
        return "match", "same DOI"
    journal_differs = "journal" not in agree and _journal_differs(r.journal_words[i],
                                                                  r.journal_words[j])
    coordinates = {"year", "first author", "first page", "volume"} <= set(agree)
    if coordinates and not contra and not journal_differs and (
            r.translated[i] != r.translated[j]) and (sim is None or sim < 0.85):
        return "match", "translated title, same citation (year, authors, volume, first page)"
    if sim is not None and sim < 0.85 and ti and tj and min(len(ti), len(tj)) >= 20 and (
            ti in tj or tj in ti) and coordinates and not contra:
        return "match", "one title contains the other, same citation"
    if sim is None or sim < 0.85:
        return "distinct", "titles differ"
    generic = r.generic[i] or r.generic[j]
    evidence = ", ".join(agree) or "nothing else"
    if generic:
        if sim == 1.0 and not contra and "first page" in agree and len(agree) >= 3:
            return "match", f"generic title, same {evidence}"
        if sim == 1.0 and not contra and agree:
            return "review", f"generic title with only {evidence} in common"
        return "distinct", "generic title"
    if contra:
        if sim == 1.0 and contra == ["first page"] and {"year", "first author", "volume",
                                                        "journal"} <= set(agree) \
                and abs(int(r.page[i]) - int(r.page[j])) <= 10:
            return "match", f"identical title, same {evidence}, pages differ"
        if sim >= 0.95 and len(agree) >= 2 and len(contra) == 1:
            return "review", f"similar titles, same {evidence} but different {contra[0]}"
        return "distinct", f"different {', '.join(contra)}"
    if journal_differs and "first page" not in agree:
        return "review", f"similar titles ({sim:.2f}) in different journals"
    if sim >= 0.95:
        strong = {"first page", "volume", "journal"} & set(agree)
        if strong or "year" in agree:
            return "match", f"title ({sim:.2f}), same {evidence}"
        if sim == 1.0:
            return "review", "identical title, nothing else to compare"
        return "review", f"near-identical title ({sim:.2f}), {evidence}"
    strong = {"first page", "volume", "journal"} & set(agree)
    if len(agree) >= 2 and strong:
        return "match", f"similar title ({sim:.2f}), same {evidence}"
    if agree:
        return "review", f"similar title ({sim:.2f}), same {evidence}"
    return "distinct", "similar title only"


def _candidates(r: _Records):
    blocks: dict = {}
    for i in range(r.n):
        keys = []
        if r.doi[i]:
            keys.append(("d", r.doi[i]))
        t = r.title[i]
        if t:
            keys.append(("t", t))
            if len(t) >= 30:
                keys.append(("p", t[:24]))
                keys.append(("s", t[-24:]))
        if r.author[i] and r.year[i] and r.page[i]:
            keys.append(("a", r.author[i], r.year[i], r.page[i]))
        for key in keys:
            blocks.setdefault(key, []).append(i)
    seen = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if len(members) > _BLOCK_LIMIT and key[0] in "psa":
            continue  # a crowded prefix block: exact keys still pair these rows
        if len(members) > _CHECK_LIMIT:
            members = members[:_CHECK_LIMIT]
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                if (i, j) not in seen:
                    seen.add((i, j))
                    yield i, j


def _columns(data, function, **cols):
    out = {}
    for name, col in cols.items():
        if col is not None and not isinstance(col, str):
            raise ArgumentError(function, name, "a column name (a missing column is ignored)",
                                col)
        out[name] = col if col in data.columns else None
    return out


def _pairs(data, cols, decisions):
    r = _Records(data, cols)
    order = {"same DOI": 0}
    matched, review = [], []
    for i, j in _candidates(r):
        verdict, reason = _judge(r, i, j)
        if verdict == "match":
            matched.append((order.get(reason, 1), i, j, reason))
        elif verdict == "review":
            review.append((i, j, reason))
    if decisions:
        for (i, j), decision in decisions.items():
            if decision == "duplicate":
                matched.append((0, i, j, "reviewer: duplicate"))
        distinct = {frozenset(k) for k, d in decisions.items() if d == "distinct"}
        matched = [m for m in matched if frozenset(m[1:3]) not in distinct]
        review = [p for p in review if (p[0], p[1]) not in decisions]
    matched.sort()
    return r, matched, review


def _group(r: _Records, matched):
    parent = list(range(r.n))
    dois = [{d} if d else set() for d in r.doi]
    reason = {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    refused = []
    for _, i, j, why in matched:
        a, b = find(i), find(j)
        if a == b:
            continue
        if dois[a] and dois[b] and dois[a] != dois[b]:
            refused.append((i, j, f"{why}, but the groups hold different DOIs"))
            continue
        a, b = min(a, b), max(a, b)
        parent[b] = a
        dois[a] |= dois[b]
        reason.setdefault(j, why)
        reason.setdefault(i, why)
    roots = [find(i) for i in range(r.n)]
    return roots, reason, refused


def _ids(data, id, function):
    if id is None:
        id = "item_id" if "item_id" in data.columns else "key" if "key" in data.columns else None
    else:
        check_column(id, function=function, parameter="id", data=data, optional=True)
    return id, [str(v) for v in (data[id] if id else data.index).tolist()]


def _decision_pairs(decisions, ids, function):
    if decisions is None:
        return {}
    check_frame(decisions, function=function, parameter="decisions",
                columns=("id_1", "id_2", "decision"),
                what="duplicate_review()'s table with its 'decision' column filled "
                     "('duplicate' or 'distinct')")
    filled = decisions["decision"].astype("string").str.strip().str.lower()
    bad = filled.notna() & ~filled.isin(["duplicate", "distinct"])
    if bad.any():
        listed = "; ".join(f"row {i}: {v!r}" for i, v in
                           decisions.loc[bad.to_numpy(), "decision"].head(10).items())
        raise ArgumentError(
            function, "decisions", "duplicate_review()'s table with 'duplicate', 'distinct' "
            "or nothing in its 'decision' column", decisions["decision"][bad].tolist(),
            hint=f"{int(bad.sum())} decision(s) not understood ({listed})")
    position = {v: k for k, v in enumerate(ids)}
    out = {}
    for a, b, d in decisions[["id_1", "id_2", "decision"]].itertuples(index=False):
        if _isna(d) or str(a) not in position or str(b) not in position:
            continue
        d = str(d).strip().lower()
        i, j = sorted((position[str(a)], position[str(b)]))
        out[(i, j)] = d
    return out


def flag_duplicates(data: pd.DataFrame, *, id: str | None = None, doi: str = "doi",
                    title: str = "title", year: str = "year", authors: str = "authors",
                    journal: str = "journal", volume: str = "volume", pages: str = "pages",
                    decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flag duplicate records by the rules in the module docstring; all rows are kept.

    Parameters
    ----------
    data : pandas.DataFrame
        Bibliographic records (any reader's output, or the extraction table).
    id : str, optional
        Identifier column reported in ``duplicate_of``. Default: ``"item_id"`` when
        present, else ``"key"``, else the index label.
    doi, title, year, authors, journal, volume, pages : str
        Column names (a missing column just removes that evidence).
    decisions : pandas.DataFrame, optional
        :func:`duplicate_review`'s table with ``decision`` filled in (``"duplicate"``
        or ``"distinct"``); a person's decision overrides the rules for that pair
        (but never joins two different DOIs).

    Returns
    -------
    pandas.DataFrame
        A copy with ``duplicate_of`` (the identifier of the group's earliest row;
        missing for originals and unique rows), ``duplicate_group`` (Int64, the group's
        earliest row position; missing for unique rows) and ``duplicate_reason``.
        ``attrs``: ``source`` and ``synthetic`` of ``data`` (a reader's set-aside
        records stay on ``data``), and ``n_review``, the pairs left for review
        (:func:`duplicate_review` lists them).

    Examples
    --------
    >>> df = pd.DataFrame({"item_id": ["A", "B", "C", "D"],
    ...                    "title": ["Baby rooms in England", "BABY-ROOMS IN ENGLAND.",
    ...                              "Editorial", "Editorial"],
    ...                    "year": [2019, 2019, 2015, 2015],
    ...                    "doi": [None, None, "10.1/a", "10.1/b"]})
    >>> flag_duplicates(df)["duplicate_of"].tolist()
    [<NA>, 'A', <NA>, <NA>]
    """
    check_frame(data, function="flag_duplicates")
    id, ids = _ids(data, id, "flag_duplicates")
    cols = _columns(data, "flag_duplicates", doi=doi, title=title, year=year, authors=authors, journal=journal,
                    volume=volume, pages=pages)
    r, matched, review = _pairs(data, cols, _decision_pairs(decisions, ids, "flag_duplicates"))
    roots, reason, refused = _group(r, matched)
    sizes: dict[int, int] = {}
    for root in roots:
        sizes[root] = sizes.get(root, 0) + 1
    out = data.copy()
    out["duplicate_of"] = pd.array([ids[root] if root != i else pd.NA
                                    for i, root in enumerate(roots)], dtype="string")
    out["duplicate_group"] = pd.array([root if sizes[root] > 1 else pd.NA for root in roots],
                                      dtype="Int64")
    out["duplicate_reason"] = pd.array([reason.get(i, pd.NA) if sizes[roots[i]] > 1 else pd.NA
                                        for i in range(r.n)], dtype="string")
    # scalars only (contract section 3): a reader's set-aside records stay on ``data``
    out.attrs = result_attrs(data)
    out.attrs["n_review"] = len(review) + len(refused)
    return out


def duplicate_review(data: pd.DataFrame, *, id: str | None = None, doi: str = "doi",
                     title: str = "title", year: str = "year", authors: str = "authors",
                     journal: str = "journal", volume: str = "volume", pages: str = "pages",
                     decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The pairs the rules cannot decide, for a person to mark ``duplicate`` or ``distinct``.

    Returns
    -------
    pandas.DataFrame
        One row per uncertain pair: ``id_1, id_2, title_1, title_2, year_1, year_2,
        doi_1, doi_2, reason`` and an empty ``decision`` column to fill in and pass back
        as ``flag_duplicates(data, decisions=table)``.

    Examples
    --------
    >>> df = pd.DataFrame({"key": ["a", "b"], "title": ["Editorial", "Editorial"],
    ...                    "year": [2015, 2015]})
    >>> table = duplicate_review(df)
    >>> table[["id_1", "id_2", "reason"]].values.tolist()
    [['a', 'b', 'generic title with only year in common']]
    >>> table.loc[0, "decision"] = "duplicate"
    >>> flag_duplicates(df, decisions=table)["duplicate_of"].tolist()
    [<NA>, 'a']
    """
    check_frame(data, function="duplicate_review")
    id, ids = _ids(data, id, "duplicate_review")
    cols = _columns(data, "duplicate_review", doi=doi, title=title, year=year, authors=authors, journal=journal,
                    volume=volume, pages=pages)
    r, matched, review = _pairs(data, cols, _decision_pairs(decisions, ids, "duplicate_review"))
    _, _, refused = _group(r, matched)
    rows = []

    def cell(col, k):
        return data[col].iloc[k] if col else pd.NA

    for i, j, why in review + refused:
        rows.append({"id_1": ids[i], "id_2": ids[j],
                     "title_1": cell(cols["title"], i), "title_2": cell(cols["title"], j),
                     "year_1": cell(cols["year"], i), "year_2": cell(cols["year"], j),
                     "doi_1": cell(cols["doi"], i), "doi_2": cell(cols["doi"], j),
                     "reason": why, "decision": pd.NA})
    table = pd.DataFrame(rows, columns=["id_1", "id_2", "title_1", "title_2", "year_1",
                                        "year_2", "doi_1", "doi_2", "reason", "decision"])
    for col in table.columns:
        if col not in ("year_1", "year_2"):
            table[col] = table[col].astype("string")
    table.attrs = result_attrs(data, unit="record pairs")
    return table


def merge_duplicates(data: pd.DataFrame, *, id: str | None = None) -> pd.DataFrame:
    """One row per work from :func:`flag_duplicates`' output, keeping the fullest metadata.

    For each group, each column takes the value of the member that has it and is most
    complete: the longest text (so the copy with an abstract, the longer author list),
    ties to the earliest row. ``merged_ids`` lists the group's identifiers and
    ``field_sources`` says which identifier each column's value came from
    (``"abstract=B; authors=A"``), for every column whose value is not the original's.

    Examples
    --------
    >>> df = pd.DataFrame({"key": ["A", "B"], "title": ["Baby rooms in England"] * 2,
    ...                    "year": [2019, 2019], "abstract": [None, "We observed..."],
    ...                    "authors": ["Li, X.", "Li, X.; Smith, J."]})
    >>> merged = merge_duplicates(flag_duplicates(df))
    >>> merged[["key", "abstract", "authors", "merged_ids", "field_sources"]].values.tolist()
    [['A', 'We observed...', 'Li, X.; Smith, J.', 'A; B', 'abstract=B; authors=B']]
    """
    check_frame(data, function="merge_duplicates", columns=["duplicate_of"],
                what="the output of flag_duplicates() (with its 'duplicate_of' column)")
    id, ids = _ids(data, id, "merge_duplicates")
    skip = {"duplicate_of", "duplicate_group", "duplicate_reason"}
    columns = [c for c in data.columns if c not in skip]
    groups: dict[str, list[int]] = {}
    for k, (own, of) in enumerate(zip(ids, data["duplicate_of"].tolist(), strict=True)):
        groups.setdefault(own if _isna(of) else str(of), []).append(k)
    rows, merged_ids, sources = [], [], []
    for members in groups.values():
        first = members[0]
        row, used = {}, []
        for col in columns:
            values = data[col]
            best, best_len = first, -1
            for k in members:
                v = values.iloc[k]
                length = -1 if _isna(v) else len(str(v)) if not isinstance(v, dict) else len(v)
                if length > best_len:
                    best, best_len = k, length
            row[col] = values.iloc[best]
            if best != first and col != id:
                used.append(f"{col}={ids[best]}")
        rows.append(row)
        merged_ids.append("; ".join(ids[k] for k in members))
        sources.append("; ".join(used) if used else pd.NA)
    out = pd.DataFrame(rows, columns=columns)
    for col in columns:
        try:
            out[col] = out[col].astype(data[col].dtype)
        except (TypeError, ValueError):
            pass
    out["merged_ids"] = pd.array(merged_ids, dtype="string")
    out["field_sources"] = pd.array(sources, dtype="string")
    out.attrs = {k: v for k, v in data.attrs.items() if k != "set_aside"}
    return out
