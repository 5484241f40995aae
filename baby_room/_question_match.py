"""Which canonical column a question of a survey export is: the matcher of ``baby-room map``.

A header and its question text (a Qualtrics export's second row, an SPSS variable label)
are compared with each canonical column's name, aliases, description and questionnaire
wordings (:data:`baby_room.codebook.SURVEY_QUESTIONS`), word by word:

* words are lower case, camelCase and digits split off (``staffLevel3`` -> staff level 3),
  form numbering (``16.1.``), Qualtrics suffixes (`` - Selected Choice``, `` - Text``,
  ``_TEXT``) and common words (what, your, how many ...) left out, and a light suffix
  stemming applied (babies -> baby, worked -> work); two words also match when they differ
  by a typo (:class:`difflib.SequenceMatcher` ratio of at least 0.85, words of 5 letters
  or more);
* each word weighs its inverse document frequency over the N canonical columns,
  ``idf(w) = ln(1 + N / df(w))`` with ``df(w)`` the columns whose texts use it (a word
  no column uses weighs ``ln(1 + N)``): "level" or "room", which many columns use, weigh
  little; "manager" or "region" much;
* for the header's words H and a candidate text's words C, with M the words they share,
  the score is the weighted Dice coefficient ``2 w(M) / (w(H) + w(C))``, but 0 unless
  ``w(M) / w(C) >= 0.5`` (half of the candidate must be in the question, so a question
  sharing one common word with a longer text, "age in years" and "years of experience",
  scores 0) and, unless M is the whole question, ``w(M) >= 3`` (one word that only one
  column uses, or two that a few use: "postcode of your setting" is not ``setting_id``
  for sharing "setting", while "How many babies are in your room?" is ``group_size``);
* a column's score is that of its best candidate text, taken over the header, the
  question text and, for a grid, the row label after the last " - ".

A column is proposed when its score is at least :data:`MIN_SCORE` **and** the answers
fit its type (:func:`answers_fit`): numbers in range for a count, labels that are (or are
close to) its categories for a categorical column, yes/no for a yes/no column. Then each
canonical column is given to at most one header and each header at most one column,
best score first (a greedy assignment). Headers left over are written as ``"?"``.
"""

from __future__ import annotations

import difflib
import functools
import math
import re

from baby_room.codebook import SURVEY, SURVEY_QUESTIONS, Column, Schema, normalise_label

#: Lowest score (weighted Dice coefficient, 0-1) of a proposal.
MIN_SCORE = 0.5
#: Lowest share of the candidate text's weight that the question must contain.
MIN_COVERAGE = 0.5
#: Lowest weight of the shared words: one word that only one column uses (ln(1 + N) for N
#: columns), or two that a few use; "room" or "setting" alone is no evidence.
MIN_EVIDENCE = 3.0
#: Answers that mean "no answer" (compared as :func:`baby_room._validate.label_key`).
MISSING_WORDS = ("not answered", "don't know", "dont know", "prefer not to say",
                 "no answer", "not applicable", "n/a", "-99", "-9")

_STOP = frozenset({
    "a", "an", "the", "of", "in", "on", "to", "for", "and", "or", "is", "are", "do", "does",
    "you", "your", "yours", "my", "me", "i", "we", "our", "what", "which", "how", "many",
    "much", "who", "did", "have", "has", "had", "with", "at", "this", "these", "that",
    "there", "be", "by", "from", "please", "q", "it", "its", "if", "any", "each", "usually",
    "currently", "number", "no", "as", "about", "would", "like", "tell", "us", "best",
    "describes", "describe", "s", "qid", "text", "selected", "choice", "following",
    "current", "typical", "typically", "normally", "generally", "approximately", "specify",
    "optional", "other",
})
_SUFFIXES = (" - selected choice", " - text")
_TAG = re.compile(r"^(?:Q\d+(?:_\d+)*(?:_TEXT)?|QID\d+(?:_\d+)*(?:_TEXT)?|V\d+)$", re.I)
_NUMBERING = re.compile(r"^\s*\d+(?:\.\d+)*[.)]\s+")


def words(text: str) -> frozenset[str]:
    """The matching words of a header or question (see the module docstring).

    Examples
    --------
    >>> sorted(words("How many babies are usually in your baby room?"))
    ['baby', 'room']
    >>> sorted(words("staffLevel3"))
    ['3', 'level', 'staff']
    """
    text = _NUMBERING.sub("", str(text))
    text = re.sub(r"_TEXT$", "", text)
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    for suffix in _SUFFIXES:
        text = text.removesuffix(suffix)
    text = text.replace("'s ", " ").replace("\u2019s ", " ")
    out = set()
    for token in re.findall(r"[a-z]+|\d+", text):
        if token not in _STOP:
            out.add(_stem(token))
    return frozenset(out)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "e", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or a.isdigit() or b.isdigit():
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


class _Texts:
    """The candidate texts of a schema's columns as word sets, and the words' weights."""

    def __init__(self, schema: Schema):
        questions = SURVEY_QUESTIONS if schema.kind == SURVEY.kind else {}
        self.candidates: dict[str, list[frozenset]] = {}
        for col in schema.columns:
            texts = [col.name, *col.aliases, col.description, *questions.get(col.name, ())]
            self.candidates[col.name] = [w for w in (words(t) for t in texts) if w]
        n = len(schema.columns)
        df: dict[str, int] = {}
        for sets in self.candidates.values():
            for word in frozenset().union(*sets):
                df[word] = df.get(word, 0) + 1
        self.idf = {word: math.log(1 + n / k) for word, k in df.items()}
        self.unseen = math.log(1 + n)

    def weight(self, ws) -> float:
        return sum(self.idf.get(w, self.unseen) for w in ws)

    def score(self, header: frozenset, candidate: frozenset) -> float:
        matched = [c for c in candidate if any(_same(c, h) for h in header)]
        w_candidate = self.weight(candidate)
        w_matched = self.weight(matched)
        whole = all(any(_same(h, c) for c in candidate) for h in header)
        if w_matched < MIN_COVERAGE * w_candidate or (w_matched < MIN_EVIDENCE and not whole):
            return 0.0
        return 2 * w_matched / (self.weight(header) + w_candidate)


@functools.lru_cache(maxsize=8)
def _texts(schema: Schema) -> _Texts:
    return _Texts(schema)


#: Between a grid question and its row label: Qualtrics " - ", Forms "?." or ".".
_ROW_LABEL = re.compile(r"\s-\s|\?\.|\.(?=\S)")


def question_texts(header: str, question: str = "") -> list[frozenset]:
    """The word sets a header is judged by: the header (unless a tool's tag such as ``Q8``),
    the question text, and a grid question's row label (after the last " - ", or the "?."
    of a Microsoft Forms header).

    Examples
    --------
    >>> [sorted(w) for w in question_texts("Q16_1", "How far do you agree? - I feel valued")]
    [['agre', 'far', 'feel', 'valu'], ['feel', 'valu']]
    """
    texts = [] if _TAG.match(str(header).strip()) else [str(header)]
    if question:
        texts.append(question)
    for text in list(texts):
        core = _NUMBERING.sub("", text)
        for suffix in (" - Selected Choice", " - Text"):
            core = core.removesuffix(suffix)
        parts = _ROW_LABEL.split(core)
        if len(parts) > 1 and parts[-1].strip():
            texts.append(parts[-1])
    return [w for w in (words(t) for t in texts) if w]


def column_scores(header: str, question: str, schema: Schema) -> dict[str, float]:
    """Each canonical column's score (0-1) for a header and its question text.

    Examples
    --------
    >>> s = column_scores("Q9", "How many adults are in the baby room?", SURVEY)
    >>> max(s, key=s.get), round(s["staff_in_room"], 2)
    ('staff_in_room', 0.85)
    >>> column_scores("Q7", "What is your age (in years)?", SURVEY)
    {}
    """
    texts = _texts(schema)
    out = {}
    for header_words in question_texts(header, question):
        for name, candidates in texts.candidates.items():
            best = max((texts.score(header_words, c) for c in candidates), default=0.0)
            if best > out.get(name, 0.0):
                out[name] = best
    return {name: s for name, s in out.items() if s > 0}


def answers_fit(col: Column, answers) -> bool:
    """Whether the distinct answers of a question fit a canonical column's type.

    Answers meaning "no answer" (:data:`MISSING_WORDS`) are left out; a question with no
    other answer fits any column. A count (int or float) needs at least 90% numbers within
    the column's range (whole numbers for an int); a yes/no column at least 80% answers
    that are yes or no (1/0, true/false, 1/2 as Qualtrics codes them); a categorical column
    at least half of the answers close to one of its categories (:func:`propose_value`) or
    else only choice codes 0 to K + 1 for its K categories; a text column anything.

    Examples
    --------
    >>> answers_fit(SURVEY["group_size"], ["12", "9", "Don't know"])
    True
    >>> answers_fit(SURVEY["group_size"], ["Gradual", "A single visit"])
    False
    >>> answers_fit(SURVEY["valued_by_society"], ["Baby room 1", "Blue room"])
    False
    """
    values = [str(a) for a in answers if " ".join(str(a).split()).casefold() not in MISSING_WORDS]
    if not values or col.dtype in {"string", "date"}:
        return True
    numbers = [_number(v) for v in values]
    if col.dtype in {"int", "float"}:
        ok = [x for x in numbers if x is not None and (col.dtype == "float" or x.is_integer())
              and (col.min is None or x >= col.min) and (col.max is None or x <= col.max)]
        return len(ok) >= 0.9 * len(values)
    if col.dtype == "bool":
        return sum(propose_value(col, v) != "?" for v in values) >= 0.8 * len(values)
    if all(x is not None and x.is_integer() and 0 <= x <= len(col.categories or ()) + 1
           for x in numbers):
        return True  # choice codes
    return sum(propose_value(col, v) != "?" for v in values) >= 0.5 * len(values)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def propose_value(col: Column, answer: str) -> str:
    """The category (or yes/no) an answer label most likely means, or ``"?"``.

    Same label ignoring case and spaces; else the one category that the label starts with
    (or that starts with it) among those with the same digits; else the closest by
    :func:`difflib.get_close_matches` (cutoff 0.6); else a category that is a word of the
    label.

    Examples
    --------
    >>> propose_value(SURVEY["setting_type"], "Private day nursery")
    'private'
    >>> propose_value(SURVEY["own_qualification"], "Level 6+")
    'level_6_plus'
    >>> propose_value(SURVEY["role"], "Cook")
    '?'
    """
    if col.dtype == "bool":
        key = normalise_label(answer)
        return {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "no": "no", "n": "no",
                "false": "no", "0": "no", "2": "no"}.get(key, "?")
    keys = {normalise_label(c): c for c in col.categories or ()}
    key = normalise_label(answer)
    if key in keys:
        return keys[key]
    digits = set(re.findall(r"\d", key))
    same_digits = [k for k in keys if set(re.findall(r"\d", k)) == digits]
    prefix = [k for k in same_digits if k.startswith(key) or key.startswith(k)]
    if len(prefix) == 1:
        return keys[prefix[0]]
    near = difflib.get_close_matches(key, same_digits, n=1, cutoff=0.6)
    if not near:
        label_words = set(key.split("_"))
        near = [k for k in keys if k in label_words or k.replace("_", "") in label_words][:1]
    return keys[near[0]] if near else "?"


def match_columns(questions: dict[str, str], answers: dict[str, list], schema: Schema,
                  exact: dict[str, str]) -> dict[str, tuple[str, float]]:
    """Propose a canonical column for the headers of an export.

    Parameters
    ----------
    questions : dict
        Header -> question text ("" when the file has none), in file order.
    answers : dict
        Header -> its distinct answers (text).
    schema : baby_room.codebook.Schema
    exact : dict
        Header -> canonical column named by the codebook itself (name or alias): these
        come first, with score 1.

    Returns
    -------
    dict
        Header -> (canonical column, score); score 1.0 for ``exact`` ones. No canonical
        column is proposed twice.

    Examples
    --------
    >>> got = match_columns({"Q1": "What is your role?", "Q2": "What is your name?"},
    ...                     {"Q1": ["Nursery manager"], "Q2": ["Sam"]}, SURVEY, {})
    >>> {h: c for h, (c, _) in got.items()}
    {'Q1': 'role'}
    """
    pairs = [(1.0, 1, h, c) for h, c in exact.items()]
    for header, question in questions.items():
        if header in exact:
            continue
        for name, score in column_scores(header, question, schema).items():
            if score >= MIN_SCORE and answers_fit(schema[name], answers.get(header, [])):
                pairs.append((score, 0, header, name))
    pairs.sort(key=lambda p: (-p[1], -p[0]))
    out, taken = {}, set()
    for score, _, header, name in pairs:
        if header not in out and name not in taken:
            out[header] = (name, score)
            taken.add(name)
    return {h: out[h] for h in questions if h in out}
