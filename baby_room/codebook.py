"""The codebook: one source of truth for the canonical columns of the three data sets.

Every loader, validator, the synthetic generator and ``data/README.md`` read the
column definitions below: name, type, allowed values or range, category order,
meaning, and whether the column holds personal data (never exported).

Types (``Column.dtype``):

``string``   pandas ``string`` dtype
``int``      nullable ``Int64``
``float``    nullable ``Float64``
``bool``     nullable ``boolean`` (yes/no, true/false, 1/0, y/n accepted)
``category`` pandas ``Categorical`` with the codebook's categories (``ordered`` when order matters)
``date``     ``datetime64[ns]`` (ISO 8601 in files)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: Five-point agreement scale used by every Likert item, in order.
LIKERT_LEVELS = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)

#: The nine English regions (ONS order).
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

ROLES = ("educator", "room_leader", "manager")
SETTING_TYPES = ("private", "voluntary", "independent", "maintained")
SETTLING_IN = ("gradual_flexible", "gradual_fixed", "single_visit", "none")
QUALIFICATIONS = ("none", "level_2", "level_3", "level_4_5", "level_6_plus")

#: The six 2025 conferences in date order (REFERENCE.md: The Baby Room Project).
CONFERENCE_DATES = {
    "London": "2025-03-08",
    "York": "2025-04-26",
    "Norwich": "2025-05-10",
    "Manchester": "2025-06-14",
    "Falmouth": "2025-06-28",
    "Bristol": "2025-07-12",
}
CONFERENCES = tuple(CONFERENCE_DATES)

PUBLICATION_TYPES = ("academic", "grey")
STUDY_DESIGNS = (
    "cross_sectional",
    "longitudinal",
    "experimental",
    "qualitative",
    "mixed_methods",
    "review",
    "policy",
)
AGE_FOCUS = ("0-12m", "12-24m", "0-24m", "0-36m")
QUALITY_DIMENSIONS = (
    "group size",
    "ratio",
    "qualifications",
    "professional learning",
    "interactions",
    "environment",
    "curriculum",
    "leadership",
    "parent partnership",
    "transitions",
)

SURVEY_LIKERT_ITEMS = (
    "valued_by_manager",
    "valued_by_parents",
    "valued_by_society",
    "confident_with_babies",
    "want_baby_training",
    "group_size_too_large",
)


@dataclass(frozen=True)
class Column:
    """Definition of one canonical column.

    Parameters
    ----------
    name : str
        Canonical column name (a valid Python identifier).
    dtype : {"string", "int", "float", "bool", "category", "date"}
        Type after loading.
    description : str
        What the column means, in a researcher's words.
    required : bool
        The column must be present in every file.
    nullable : bool
        Missing values are allowed (item non-response).
    categories : tuple of str, optional
        Allowed values, in display order.
    ordered : bool
        Whether the categories are ordered.
    min, max : float, optional
        Inclusive plausible range for numbers.
    personal : bool
        Personal data: analysed, never exported to figures, tables or reports.
    identifier : bool
        An identifier (respondent, setting, segment): never exported either.
    aliases : tuple of str
        Other headers that mean this column (compared after header normalisation).
    multi : bool
        Holds several values separated by ``;``.

    Examples
    --------
    >>> col = SURVEY["group_size"]
    >>> col.dtype, col.allowed(), col.personal
    ('int', '1 to 60', False)
    """

    name: str
    dtype: str
    description: str
    required: bool = False
    nullable: bool = True
    categories: tuple[str, ...] | None = None
    ordered: bool = False
    min: float | None = None
    max: float | None = None
    personal: bool = False
    identifier: bool = False
    aliases: tuple[str, ...] = ()
    multi: bool = False

    def allowed(self) -> str:
        """Human-readable allowed values or range of the column."""
        if self.categories:
            return ", ".join(self.categories)
        if self.min is not None or self.max is not None:
            lo = "" if self.min is None else f"{self.min:g}"
            hi = "" if self.max is None else f"{self.max:g}"
            return f"{lo} to {hi}".strip()
        return {"bool": "yes / no", "date": "ISO date (YYYY-MM-DD)"}.get(self.dtype, "any text")


@dataclass(frozen=True)
class Schema:
    """The canonical columns of one data set and its row key.

    Parameters
    ----------
    kind : str
        ``"survey"``, ``"coding"``, ``"codebook"`` or ``"evidence"``.
    title : str
        Display name.
    unit : str
        What one row is.
    columns : tuple of Column
        The canonical columns in order.
    key : tuple of str
        Columns that identify a row uniquely (checked for duplicates).

    Examples
    --------
    >>> EVIDENCE.required
    ['item_id', 'title', 'year', 'publication_type']
    >>> SURVEY.header_lookup()["number_of_babies"]
    'group_size'
    """

    kind: str
    title: str
    unit: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    _by_name: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    @property
    def names(self) -> list[str]:
        """Canonical column names in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns every file must have."""
        return [c.name for c in self.columns if c.required]

    @property
    def private(self) -> list[str]:
        """Columns that must never be exported (personal data and identifiers)."""
        return [c.name for c in self.columns if c.personal or c.identifier]

    def __getitem__(self, name: str) -> Column:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def header_lookup(self) -> dict[str, str]:
        """Map normalised headers (names and aliases) to canonical names."""
        lookup = {}
        for col in self.columns:
            for alias in (col.name, *col.aliases):
                lookup[normalise_header(alias)] = col.name
        return lookup

    def to_markdown(self) -> str:
        """Render the schema as a Markdown table for ``data/README.md``."""
        lines = [
            f"### {self.title}",
            "",
            f"One row per {self.unit}. Key: {', '.join(self.key) or '—'}.",
            "",
            "| column | type | required | allowed values / range | personal | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for c in self.columns:
            kind = c.dtype + (" (ordered)" if c.ordered else "") + ("; ;-separated" if c.multi else "")
            personal = "personal" if c.personal else ("identifier" if c.identifier else "")
            lines.append(
                f"| `{c.name}` | {kind} | {'yes' if c.required else ''} | {c.allowed()} "
                f"| {personal} | {c.description} |"
            )
        return "\n".join(lines)


def normalise_header(text: str) -> str:
    """Normalise a column header for matching: ASCII, lower case, words joined by ``_``.

    Examples
    --------
    >>> normalise_header("  Group Size (babies) ")
    'group_size_babies'
    >>> normalise_header("\\ufeffRespondent-ID")
    'respondent_id'
    """
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return text


def normalise_label(text: str) -> str:
    """Normalise a category label for matching (``"Room leader"`` -> ``"room_leader"``).

    Examples
    --------
    >>> normalise_label("Room Leader")
    'room_leader'
    """
    return normalise_header(text)


_likert = dict(dtype="category", categories=LIKERT_LEVELS, ordered=True)

SURVEY = Schema(
    kind="survey",
    title="Survey (respondents)",
    unit="respondent; each respondent describes one baby room, identified by setting_id and room_id",
    key=("respondent_id",),
    columns=(
        Column("respondent_id", "string", "Pseudonymous respondent identifier.", required=True,
               nullable=False, identifier=True, aliases=("response_id", "responseid", "id")),
        Column("role", "category", "Respondent's role.", required=True, categories=ROLES,
               ordered=True, aliases=("job_role", "position")),
        Column("setting_id", "string", "Nursery (setting) identifier.", required=True,
               nullable=False, identifier=True, aliases=("nursery_id", "setting", "urn")),
        Column("room_id", "string", "Baby room within the setting.", required=True,
               nullable=False, identifier=True, aliases=("room",)),
        Column("setting_type", "category", "Type of provider.", categories=SETTING_TYPES,
               aliases=("provider_type",)),
        Column("region", "category", "English region of the setting (ONS).", required=True,
               categories=REGIONS, aliases=("government_office_region", "gor")),
        Column("local_authority", "string", "Local authority of the setting.",
               aliases=("la", "local_authority_name")),
        Column("group_size", "int", "Babies (children under 2) in the room (group size).",
               required=True, min=1, max=60, aliases=("babies_in_room", "number_of_babies")),
        Column("staff_in_room", "int", "Adults (staff) working in the room.", required=True,
               min=1, max=30, aliases=("staff", "adults_in_room", "number_of_staff")),
        Column("staff_level3", "int", "Staff in the room holding a full and relevant Level 3 or above.",
               min=0, max=30),
        Column("staff_level2", "int", "Staff in the room whose highest qualification is Level 2.",
               min=0, max=30),
        Column("staff_baby_trained", "int", "Staff in the room with training specific to babies.",
               min=0, max=30),
        Column("cpd_baby_past_year", "bool",
               "Respondent had baby-specific CPD (0-2s) in the past 12 months."),
        Column("settling_in", "category", "Settling-in practice of the room.",
               categories=SETTLING_IN),
        Column("years_experience", "int", "Respondent's years working with under-2s.",
               min=0, max=60),
        Column("own_qualification", "category", "Respondent's highest early-years qualification.",
               categories=QUALIFICATIONS, ordered=True),
        Column("valued_by_manager", description="I feel valued by my manager.", **_likert),
        Column("valued_by_parents", description="I feel valued by parents.", **_likert),
        Column("valued_by_society", description="Baby room work is valued by society.", **_likert),
        Column("confident_with_babies", description="I feel confident in my work with babies.",
               **_likert),
        Column("want_baby_training", description="I want more baby-specific training.", **_likert),
        Column("group_size_too_large", description="The group size in my baby room is too large.",
               **_likert),
        Column("comments", "string", "Free-text comments.", personal=True,
               aliases=("comment", "free_text", "other_comments")),
    ),
)

#: How a questionnaire asks for each survey column: the Baby Room survey's wording and common
#: variants. ``baby-room map`` compares an export's headers and question texts with these,
#: the names, the aliases and the descriptions (:mod:`baby_room._question_match`); the
#: Likert items are matched by their statement (the description).
SURVEY_QUESTIONS = {
    "respondent_id": ("Response ID", "Respondent ID", "Participant ID"),
    "role": ("What is your role?", "What is your job title or role in the nursery?",
             "Which best describes your position?"),
    "setting_id": ("What is your nursery's unique reference number (URN)?",
                   "Ofsted URN of your setting"),
    "room_id": ("Which baby room do you work in?", "Which room do you work in?"),
    "setting_type": ("What type of provider is your nursery?",
                     "Which of these best describes your setting?", "Type of setting"),
    "region": ("In which region is your nursery?", "Which English region is your setting in?"),
    "local_authority": ("In which local authority is your nursery?",
                        "Local authority area of your setting"),
    "group_size": ("How many babies are in your room?",
                   "How many children under 2 are usually in your baby room?",
                   "Babies in the room"),
    "staff_in_room": ("How many adults usually work in your room?",
                      "How many staff work in the baby room?", "Adults in the room"),
    "staff_level3": ("How many of the adults in your room hold a full and relevant Level 3 "
                     "qualification or above?", "Staff with Level 3 or above"),
    "staff_level2": ("How many of the adults in your room hold a Level 2 qualification?",
                     "Staff with Level 2"),
    "staff_baby_trained": ("How many of the adults in your room have training specific to "
                           "babies?", "Staff with baby-specific training"),
    "cpd_baby_past_year": ("Have you had baby-specific training (CPD) in the past 12 months?",
                           "Have you attended training about babies in the last year?"),
    "settling_in": ("How do new babies settle in to your room?",
                    "How are babies settled in when they start?"),
    "years_experience": ("How many years have you worked with children under 2?",
                         "Years of experience working with babies"),
    "own_qualification": ("What is your highest early-years qualification?",
                          "Highest level of childcare qualification"),
    "comments": ("Is there anything else you would like to tell us?", "Any other comments"),
}

CODING = Schema(
    kind="coding",
    title="Focus-group coding (long format)",
    unit="coded segment per coder",
    key=("segment_id", "code", "coder"),
    columns=(
        Column("segment_id", "string", "Coded segment; two coders coding one segment share it.",
               required=True, nullable=False, identifier=True, aliases=("segment",)),
        Column("conference", "category", "Conference at which the focus group met (date order).",
               required=True, categories=CONFERENCES, ordered=True, aliases=("location", "event")),
        Column("group_id", "string", "Focus group (transcript).", required=True, nullable=False,
               aliases=("group", "focus_group", "transcript", "document")),
        Column("speaker", "string", "Speaker pseudonym.", personal=True,
               aliases=("participant", "speaker_pseudonym")),
        Column("role", "category", "Speaker's role.", categories=ROLES, ordered=True),
        Column("theme", "string", "Top-level code (theme) in the code hierarchy.",
               aliases=("parent_code",)),
        Column("code", "string", "Code applied to the segment.", required=True, nullable=False),
        Column("coder", "string", "Researcher who applied the code.", required=True,
               nullable=False, aliases=("author", "user", "created_by")),
        Column("start", "int", "Start character offset in the transcript.", min=0,
               aliases=("begin", "beginning")),
        Column("end", "int", "End character offset in the transcript (exclusive).", min=0),
        Column("text", "string", "Segment text.", personal=True,
               aliases=("segment_text", "quote")),
    ),
)

CODEBOOK = Schema(
    kind="codebook",
    title="Focus-group codebook",
    unit="code",
    key=("code",),
    columns=(
        Column("theme", "string", "Theme (top-level code).", required=True, nullable=False),
        Column("code", "string", "Code.", required=True, nullable=False),
        Column("definition", "string", "When to apply the code.", aliases=("description",)),
    ),
)

EVIDENCE = Schema(
    kind="evidence",
    title="Evidence review (included items)",
    unit="included item (article or grey-literature document)",
    key=("item_id",),
    columns=(
        Column("item_id", "string", "Item identifier in the review.", required=True,
               nullable=False, aliases=("id", "study_id", "covidence", "covidence_id")),
        Column("title", "string", "Title.", required=True, nullable=False),
        Column("authors", "string", "Authors.", aliases=("author",)),
        Column("year", "int", "Publication year.", required=True, min=1950, max=None,
               aliases=("publication_year", "pub_year")),
        Column("publication_type", "category", "Academic article or grey literature.",
               required=True, categories=PUBLICATION_TYPES, aliases=("type", "source_type")),
        Column("countries", "string",
               "Countries where the study took place, as the reviewers wrote them.",
               aliases=("country", "countries_of_study", "location")),
        Column("design", "category", "Study design.", categories=STUDY_DESIGNS,
               aliases=("study_design",)),
        Column("instruments", "string", "Quality instruments used (ITERS-R, CLASS Infant, ...).",
               multi=True, aliases=("instrument", "measures", "tools")),
        Column("age_focus", "category", "Age range the item focuses on.", categories=AGE_FOCUS),
        Column("dimensions", "string", "Quality dimensions studied.", multi=True,
               aliases=("quality_dimensions", "dimension", "topics")),
        Column("doi", "string", "Digital Object Identifier."),
    ),
)

SCHEMAS = {s.kind: s for s in (SURVEY, CODING, CODEBOOK, EVIDENCE)}


def schema(kind: str) -> Schema:
    """Return the schema of a data set kind.

    Parameters
    ----------
    kind : {"survey", "coding", "codebook", "evidence"}

    Examples
    --------
    >>> schema("survey").key
    ('respondent_id',)
    """
    try:
        return SCHEMAS[kind]
    except KeyError:
        from baby_room.errors import BabyRoomError

        raise BabyRoomError(
            f"kind must be one of {', '.join(SCHEMAS)}; got {kind!r}"
        ) from None


def codebook_markdown() -> str:
    """Render all schemas as the Markdown body of ``data/README.md``.

    Examples
    --------
    >>> codebook_markdown().splitlines()[0]
    '# Data'
    """
    parts = [
        "# Data",
        "",
        "This file is generated from `baby_room/codebook.py` by `baby-room codebook`; "
        "do not edit it by hand.",
        "",
        "- `data/synthetic/`: the bundled **synthetic** data (not real responses), regenerated "
        "byte for byte by `baby-room synth --out data/synthetic`.",
        "- `data/raw/`: put real data here. It is git-ignored and never committed.",
        "",
        "Columns marked *personal* or *identifier* are analysed but never appear in figures, "
        "tables or reports.",
        "",
        f"Likert items use the five levels: {', '.join(LIKERT_LEVELS)} "
        "(numeric codes 1-5 are accepted).",
        "",
    ]
    for s in SCHEMAS.values():
        parts += [s.to_markdown(), ""]
    return "\n".join(parts)
