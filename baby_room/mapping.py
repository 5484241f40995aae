"""Mapping files: how a real survey export becomes the canonical survey table.

A mapping file is TOML (read with the standard library's :mod:`tomllib`) kept beside
the export. :func:`baby_room.load_survey` finds it on its own as
``<export stem>.mapping.toml`` or ``survey.mapping.toml`` in the export's folder, so
``load_project``, ``baby-room validate`` and the report use it too. The full syntax,
with a worked example, is in ``docs/mapping.md``; in short::

    [columns]          # raw header, Qualtrics export tag, ImportId or question text = canonical
    "Q8" = "group_size"
    "How many adults usually work in your room?" = "staff_in_room"

    [values.setting_type]      # answer label = canonical value (case and spaces ignored)
    "Private day nursery" = "private"

    [missing]                  # labels meaning "no answer": all columns, or one
    all = ["Not answered"]
    staff_baby_trained = ["Don't know"]

    [design]                   # kept on the loaded table; see design_from()
    weights = "weight"
    strata = "region"
    clusters = ["setting_id"]

    [rows]                     # Qualtrics previews/unfinished are set aside unless kept
    keep_previews = false
    keep_unfinished = false

    [numbers]
    decimal = ","              # the file writes 2,5 for two and a half

Nothing outside ``[missing]`` ever becomes missing: an answer "None" stays an answer.
Every key is checked: an unknown section or key, a canonical column that does not
exist, or a value that is not a category of its column is a
:class:`~baby_room.errors.FileFormatError` naming the mapping file and the line.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from baby_room._question_match import MISSING_WORDS, match_columns, propose_value
from baby_room._validate import Rules, label_key
from baby_room.codebook import SURVEY, Schema, normalise_header, normalise_label
from baby_room.errors import FileFormatError

SECTIONS = ("columns", "values", "missing", "design", "rows", "numbers")
DESIGN_KEYS = ("weights", "strata", "clusters", "fpc")
ROW_KEYS = ("keep_previews", "keep_unfinished")
#: attrs key of the loaded table holding the design columns (a JSON object, a scalar).
DESIGN_ATTR = "mapping_design"


@dataclass(frozen=True)
class SurveyMapping:
    """A parsed, checked mapping file (see the module docstring and ``docs/mapping.md``).

    Attributes
    ----------
    path : str or None
        The file read.
    columns : dict
        Raw header, export tag, ImportId or question text -> canonical column.
    rules : baby_room._validate.Rules
        The ``[missing]``, ``[values]`` and ``[numbers]`` rules.
    design : dict
        ``weights``, ``strata``, ``clusters``, ``fpc`` as given (raw or canonical names).
    keep_previews, keep_unfinished : bool
        Keep Qualtrics previews (``Status`` = Survey Preview / Survey Test) and
        unfinished responses (``Finished`` = False) instead of setting them aside.
    """

    path: str | None = None
    columns: dict = field(default_factory=dict)
    rules: Rules = field(default_factory=Rules)
    design: dict = field(default_factory=dict)
    keep_previews: bool = False
    keep_unfinished: bool = False


def find_mapping(export) -> Path | None:
    """The mapping file of an export: ``<stem>.mapping.toml``, else ``survey.mapping.toml`` beside it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (pathlib.Path(d) / "survey.mapping.toml").write_text("")
    ...     find_mapping(pathlib.Path(d) / "export.csv").name
    'survey.mapping.toml'
    """
    p = Path(export)
    for candidate in (p.with_name(f"{p.stem}.mapping.toml"), p.with_name("survey.mapping.toml")):
        if candidate.is_file():
            return candidate
    return None


def read_mapping(source, *, schema: Schema = SURVEY) -> SurveyMapping:
    """Read and check a mapping file (a path, or TOML text given as ``str`` with a newline).

    Parameters
    ----------
    source : str or os.PathLike
        The ``.mapping.toml`` file, or its text.
    schema : baby_room.codebook.Schema
        The canonical columns names are checked against (the survey's).

    Returns
    -------
    SurveyMapping

    Raises
    ------
    baby_room.FileFormatError
        Not TOML, or a key or value that is not allowed; the message names the file
        and the line.

    Examples
    --------
    >>> m = read_mapping('[columns]\\n"Q8" = "group_size"\\n[missing]\\nall = ["Not answered"]\\n')
    >>> m.columns, sorted(m.rules.missing_all)
    ({'Q8': 'group_size'}, ['not answered'])
    >>> read_mapping('[columns]\\n"Q8" = "babies"\\n')
    Traceback (most recent call last):
    ...
    baby_room.errors.FileFormatError: <mapping text>: line 2: [columns] "Q8" = "babies": 'babies' is not a canonical survey column (...)
    """
    text, where = _mapping_text(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(where, f"is not valid TOML: {exc}") from None
    lines = _Lines(where, text)
    for section in doc:
        if section not in SECTIONS:
            lines.fail(section, None, f"unknown section [{section}]; allowed: "
                                      f"{', '.join(f'[{s}]' for s in SECTIONS)}")
    columns = _columns(doc.get("columns", {}), schema, lines)
    values = _values(doc.get("values", {}), schema, lines)
    missing_all, missing = _missing(doc.get("missing", {}), schema, lines)
    design = _design(doc.get("design", {}), lines)
    rows = doc.get("rows", {})
    for key, value in rows.items():
        if key not in ROW_KEYS:
            lines.fail("rows", key, f"unknown key {key!r}; allowed: {', '.join(ROW_KEYS)}")
        if not isinstance(value, bool):
            lines.fail("rows", key, f"{key} must be true or false; got {value!r}")
    numbers = doc.get("numbers", {})
    for key, value in numbers.items():
        if key != "decimal":
            lines.fail("numbers", key, f"unknown key {key!r}; allowed: decimal")
        if value not in {".", ","}:
            lines.fail("numbers", key, f'decimal must be "." or ","; got {value!r}')
    rules = Rules(missing_all=missing_all, missing=missing, values=values,
                  decimal=numbers.get("decimal", "."))
    return SurveyMapping(where if where != "<mapping text>" else None, columns, rules, design,
                         rows.get("keep_previews", False), rows.get("keep_unfinished", False))


def _mapping_text(source) -> tuple[str, str]:
    if isinstance(source, str) and ("\n" in source or source.strip() == ""):
        return source, "<mapping text>"
    p = Path(source)
    from baby_room._io import check_regular_file, read_bytes

    check_regular_file(p)
    raw = read_bytes(p)
    try:
        return raw.decode("utf-8-sig"), str(p)
    except UnicodeDecodeError as exc:
        raise FileFormatError(p, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") \
            from None


class _Lines:
    """Finds the line of ``key`` in ``[section]`` of the TOML text, for error messages."""

    def __init__(self, where: str, text: str):
        self.where = where
        self.lines = text.splitlines()

    def line_of(self, section: str, key: str | None) -> int | None:
        current = None
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
            if header:
                current = header.group(1).replace('"', "").replace("'", "")
                if key is None and (current == section or current.split(".")[0] == section):
                    return number
                continue
            if key is None or current is None:
                continue
            if current == section or current.startswith(section + ".") or \
                    section.startswith(current):
                m = re.match(r"""^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""", stripped)
                if m and _unquote(m.group(1)) == key:
                    return number
        return None

    def fail(self, section: str, key: str | None, message: str):
        number = self.line_of(section, key)
        where = f"line {number}: " if number else ""
        shown = f"[{section}]" + (f" {json.dumps(key, ensure_ascii=False)}" if key else "")
        raise FileFormatError(self.where, f"{where}{shown}: {message}")


def _unquote(token: str) -> str:
    if token.startswith('"'):
        try:
            return json.loads(token)
        except ValueError:
            return token.strip('"')
    return token.strip("'")


def _columns(table, schema: Schema, lines: _Lines) -> dict:
    if not isinstance(table, dict):
        lines.fail("columns", None, "must be a table of  \"raw header\" = \"canonical column\"")
    out = {}
    for raw, canonical in table.items():
        if not isinstance(canonical, str) or canonical not in schema:
            number = lines.line_of("columns", raw)
            raise FileFormatError(
                lines.where,
                f"{f'line {number}: ' if number else ''}[columns] {json.dumps(raw)} = "
                f"{json.dumps(canonical)}: {canonical!r} is not a canonical {schema.kind} column "
                f"(allowed: {', '.join(schema.names)})")
        out[raw] = canonical
    return out


def _values(table, schema: Schema, lines: _Lines) -> dict:
    out = {}
    for column, recodes in table.items():
        section = f"values.{column}"
        if column not in schema:
            lines.fail(section, None, f"{column!r} is not a canonical {schema.kind} column "
                                      f"(allowed: {', '.join(schema.names)})")
        if not isinstance(recodes, dict):
            lines.fail("values", column, "must be a table [values.<column>] of "
                                         "\"answer label\" = \"canonical value\"")
        col = schema[column]
        mapped = {}
        for label, target in recodes.items():
            target_text = _target(col, target)
            if target_text is None:
                lines.fail(section, label, f"{target!r} is not a value of {column} "
                                           f"(allowed: {col.allowed()})")
            mapped[label_key(label)] = target_text
        out[column] = mapped
    return out


def _target(col, target) -> str | None:
    """The canonical value text of a [values] target, or None when it is not allowed."""
    if isinstance(target, bool):
        return ("yes" if target else "no") if col.dtype == "bool" else None
    if col.dtype == "category":
        keys = {normalise_label(c): c for c in col.categories or ()}
        return keys.get(normalise_label(str(target)))
    if col.dtype in {"int", "float"}:
        if isinstance(target, int | float):
            return repr(target)
        return None
    if col.dtype == "bool":
        return str(target) if normalise_label(str(target)) in {"yes", "no", "true", "false"} \
            else None
    return str(target)


def _missing(table, schema: Schema, lines: _Lines):
    missing_all, missing = frozenset(), {}
    for key, labels in table.items():
        if key != "all" and key not in schema:
            lines.fail("missing", key, f"{key!r} is not a canonical {schema.kind} column nor "
                                       "'all'")
        if isinstance(labels, str | int | float):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(v, str | int | float)
                                                   for v in labels):
            lines.fail("missing", key, "must be a list of answer labels, e.g. "
                                       "[\"Not answered\", \"Don't know\"]")
        keys = frozenset(label_key(_code(v)) for v in labels)
        if key == "all":
            missing_all = keys
        else:
            missing[key] = keys
    return missing_all, missing


def _code(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _design(table, lines: _Lines) -> dict:
    out = {}
    for key, value in table.items():
        if key not in DESIGN_KEYS:
            lines.fail("design", key, f"unknown key {key!r}; allowed: {', '.join(DESIGN_KEYS)}")
        many = key in {"clusters", "fpc"}
        if isinstance(value, str) and value:
            value = [value] if many else value
        if many and not (isinstance(value, list) and 1 <= len(value) <= 2
                         and all(isinstance(v, str) and v for v in value)):
            lines.fail("design", key, f"{key} must be a column name or a list of one or two")
        if not many and not isinstance(value, str):
            lines.fail("design", key, f"{key} must be a column name")
        out[key] = value
    return out


# ---------------------------------------------------------------- the design


def design_columns(data: pd.DataFrame) -> dict:
    """The design a mapping file declared for a loaded survey: canonical column names.

    Returns ``{}`` when the table was loaded without a ``[design]``.

    Examples
    --------
    >>> design_columns(pd.DataFrame())
    {}
    """
    text = data.attrs.get(DESIGN_ATTR)
    return json.loads(text) if text else {}


def design_from(data: pd.DataFrame, **options):
    """The :class:`~baby_room.survey.SurveyDesign` a mapping file's ``[design]`` declares.

    ``weights``, ``strata``, ``clusters`` and ``fpc`` of the mapping file name columns of
    the export (raw headers or canonical names); :func:`~baby_room.load_survey` keeps
    them on the loaded table (a raw weight header ``"Final weight"`` becomes the column
    ``final_weight``) and this builds ``SurveyDesign(data, weights=..., strata=...,
    cluster=..., fpc=...)`` from them. Without a ``[design]`` it is the simple random
    sample with equal weights.

    Parameters
    ----------
    data : pandas.DataFrame
        A survey loaded with a mapping file.
    **options
        Passed to ``SurveyDesign`` (e.g. ``lonely_psu="adjust"``).

    Returns
    -------
    baby_room.survey.SurveyDesign

    Examples
    --------
    >>> import baby_room as br
    >>> design_from(br.synthetic.survey()).spec["weights"] is None
    True
    """
    from baby_room.survey.design import SurveyDesign

    spec = design_columns(data)
    return SurveyDesign(data, weights=spec.get("weights"), strata=spec.get("strata"),
                        cluster=spec.get("clusters"), fpc=spec.get("fpc"), **options)


def design_column_name(raw_name: str, schema: Schema = SURVEY) -> str:
    """The column a design variable is kept under: its canonical name, else its header normalised.

    Examples
    --------
    >>> design_column_name("Final weight"), design_column_name("region")
    ('final_weight', 'region')
    """
    if raw_name in schema:
        return raw_name
    lookup = schema.header_lookup()
    return lookup.get(normalise_header(raw_name), normalise_header(raw_name))


# ---------------------------------------------------------------- drafting a mapping file

#: Qualtrics, Forms, JISC and SmartSurvey columns that are not answers (never proposed).
META_COLUMNS = {
    "startdate", "enddate", "status", "ipaddress", "progress", "durationinseconds", "finished",
    "recordeddate", "recipientlastname", "recipientfirstname", "recipientemail",
    "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage", "responseset", "name", "emailaddress", "email",
    "starttime", "completiontime", "lastmodifiedtime", "startedon", "completedon",
    "started", "ended", "userno", "uniqueid", "trackinglink", "customvalue",
    "qrecaptchascore", "qrelevantidduplicate", "qrelevantidduplicatescore",
    "qrelevantidfrauds", "qrelevantidlaststartdate", "qballotboxstuffing",
}
_MAX_VALUES = 60
#: A Qualtrics column holding the text typed for a choice ("Other, please specify") of the
#: question before it: ``Q6_4_TEXT`` beside ``Q6``.
_CHOICE_TEXT = re.compile(r"^(.+)_\d+_TEXT$")


def draft_mapping(path, *, sheet=0, format: str | None = None, schema: Schema = SURVEY) -> str:
    """Draft a mapping file for an export: proposed columns, every answer with its proposed value.

    For each header (and its question text) the canonical column is the codebook's name
    or alias when the header or question is one; otherwise it is proposed by
    :func:`baby_room._question_match.match_columns`: the column whose name, aliases,
    description or questionnaire wordings the question resembles most (a weighted Dice
    coefficient of the two texts' words of at least 0.5, with inverse-document-frequency
    weights), provided the answers fit the column's type (numbers in range for counts,
    labels close to the categories for categorical columns, yes/no), each canonical
    column proposed once, best score first. Such lines are marked ``# GUESS`` with their
    score so that the user checks them; a header with no proposal (a name, an e-mail
    address, an age, a consent question) is written as a comment with ``"?"`` and is not
    loaded. For each proposed categorical or yes/no column every distinct answer is
    listed under ``[values.<column>]`` with the category it matches (ignoring case and
    spaces, or the nearest one) or ``"?"`` — reading the file fails on a ``"?"`` until
    the user has filled it in. Answers that look like "no answer" (and the values an SPSS
    file declares user-missing) are proposed under ``[missing]``, a weight column under
    ``[design]``.

    Parameters
    ----------
    path : str or os.PathLike
        The export (any format :func:`baby_room.load_survey` reads).
    sheet, format
        As for :func:`baby_room.load_survey`.

    Returns
    -------
    str
        The TOML text (``baby-room map EXPORT`` writes it beside the export).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "export.csv"
    ...     _ = p.write_text("ResponseId,How many babies are in your room?,Provider,Age\\n"
    ...                      "R_1,12,Private day nursery,34\\n", encoding="utf-8")
    ...     text = draft_mapping(p)
    >>> print(text.split("[values")[0].split("[columns]")[1].strip())
    "ResponseId" = "respondent_id"
    "How many babies are in your room?" = "group_size"  # GUESS (score 1.00), check it
    "Provider" = "setting_type"  # GUESS (score 0.67), check it
    # "Age" = "?"  (not loaded)
    """
    from baby_room._io import read_table

    raw = read_table(path, sheet=sheet, format=format)
    lookup = schema.header_lookup()
    questions, answers, exact = {}, {}, {}
    headers = set(raw.data.columns)
    for header in raw.data.columns:
        question = raw.questions.get(header, "")
        if normalise_header(header).replace("_", "") in META_COLUMNS:
            continue
        other = _CHOICE_TEXT.match(str(header))
        if other and other.group(1) in headers:  # Qualtrics: the text of an "other" choice
            continue
        questions[header] = question
        answers[header] = _distinct_answers(raw.data[header])
        found = lookup.get(normalise_header(header)) or (
            lookup.get(normalise_header(question)) if question else None)
        if found:
            exact[header] = found
    proposals = match_columns(questions, answers, schema, exact)
    lines = [f"# Mapping file drafted by baby-room map from {Path(path).name}.",
             "# Check every line; replace each \"?\"; see docs/mapping.md.", "", "[columns]"]
    for header in raw.data.columns:
        question = raw.questions.get(header, "")
        note = f"  # {_one_line(question)}" if question and question != header else ""
        if header in proposals:
            canonical, score = proposals[header]
            if header not in exact:
                question_text = f": {note[4:]}" if note else ""
                note = f"  # GUESS (score {score:.2f}), check it{question_text}"
            lines.append(f"{_q(header)} = {_q(canonical)}{note}")
        else:
            lines.append(f"# {_q(header)} = \"?\"{note}  (not loaded)")
    missing_labels = set()
    for values in raw.user_missing.values():
        missing_labels.update(str(v) for v in values)
    value_lines = []
    for header, (canonical, _) in proposals.items():
        col = schema[canonical]
        found = answers[header]
        missing_labels.update(a for a in found if label_key(a) in MISSING_WORDS)
        if col.dtype not in {"category", "bool"}:
            continue
        value_lines += ["", f"[values.{canonical}]"]
        for answer in found[:_MAX_VALUES]:
            if answer in missing_labels:
                continue
            value_lines.append(f"{_q(answer)} = {_q(propose_value(col, answer))}")
        if len(found) > _MAX_VALUES:
            value_lines.append(f"# ... and {len(found) - _MAX_VALUES} more distinct answers")
    lines += value_lines
    lines += ["", "[missing]", "# labels that mean \"no answer\", for every column or one",
              f"all = [{', '.join(_q(v) for v in sorted(missing_labels))}]", "", "[design]"]
    weights = [h for h in raw.data.columns if "weight" in normalise_header(h)]
    lines.append(f"weights = {_q(weights[0])}" if weights else "# weights = \"weight\"")
    lines += ["# strata = \"region\"", "# clusters = [\"setting_id\"]", "", "[rows]",
              "# keep_previews = false    # Qualtrics Status = Survey Preview",
              "# keep_unfinished = false  # Qualtrics Finished = False", ""]
    return "\n".join(lines)


def _q(text) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:120]


def _distinct_answers(series: pd.Series) -> list[str]:
    values = series.astype(object).where(series.notna(), None)
    counts = pd.Series([str(v).strip() for v in values if v is not None and str(v).strip()],
                       dtype=object).value_counts()
    return list(counts.index)
