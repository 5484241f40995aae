"""The bundled synthetic data sets: deterministic from a seed, labelled synthetic everywhere.

The real survey and focus-group data are confidential. These generators follow
the real instruments' structure (the codebook in :mod:`baby_room.codebook`) and
reproduce every figure the Baby Room Project has published (``REFERENCE.md``):

- survey: more than 300 respondents; room-level mean group size that rounds to 13;
  largest room 30 babies, one room of 30 babies with 10 adults; rooms of 12 or fewer;
  more than 5,000 babies across distinct rooms; fewer than a third with
  baby-specific CPD in the past year;
- focus groups: six conferences (London, York, Norwich, Manchester, Falmouth,
  Bristol) and more than 200 participants;
- evidence review: 185 items = 165 academic + 20 grey literature, exactly 12 from
  the UK; ITERS and CLASS the two most used instrument families; 21 items on
  professional learning.

Beyond those they are made realistic: right-skewed group sizes, most rooms at or
better than 1:3 with a minority over, item non-response, nurseries with more than
one respondent (and a few rooms whose two respondents disagree), Likert items
with structure (educators feel less valued by parents than by their managers),
free-text comments, focus groups of 5-9 speakers, a codebook of 6 themes and 24
codes, about a fifth of segments double-coded with agreement varying by code,
and messy country strings as reviewers type them.

Every generated file carries a ``data_notice`` column saying it is synthetic;
the loaders read it and label every table and figure "SYNTHETIC DATA".

``*_raw()`` return the file form (text labels, as written to ``data/synthetic``);
:func:`survey`, :func:`coding`, :func:`codebook` and :func:`evidence` return the
loaded, validated canonical tables (cached).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from baby_room._loading import NOTICE, NOTICE_COLUMN
from baby_room.codebook import (
    CONFERENCES,
    LIKERT_LEVELS,
    QUALIFICATIONS,
    REGIONS,
    SETTING_TYPES,
    SETTLING_IN,
)

#: Seed of the bundled data sets.
SEED = 20250308
#: File names written by :func:`write_all`.
FILES = {
    "survey": "survey.csv",
    "coding": "coding.csv",
    "codebook": "codebook.csv",
    "evidence": "evidence.csv",
}

N_ROOMS = 400
N_SHARED_ROOMS = 34  # rooms described by two respondents
N_CONFLICTS = 5  # of those, rooms whose second respondent gives different numbers

# Local authorities per region with the share of the region's settings in each: every
# Baby Week partner area (Leeds, Bradford, Buckinghamshire, Calderdale, the nine Cheshire
# and Merseyside authorities, Coventry, Durham, Hull, Newcastle, Nottinghamshire,
# Sunderland, Torbay, York) with realistic, uneven numbers of respondents: one area large
# enough to publish, several indicative (10-29 rooms) and several too few to publish.
# Names as respondents write them: "Hull" beside the ONS "Kingston upon Hull, City of",
# "Durham" beside "County Durham" (baby_room.areas.lookup normalises them).
# The settings are not real.
LOCAL_AUTHORITIES = {
    "North East": {"Newcastle upon Tyne": 0.45, "Sunderland": 0.30, "Durham": 0.25},
    "North West": {"Liverpool": 0.25, "Manchester": 0.15, "Cheshire East": 0.15,
                   "Cheshire West and Chester": 0.12, "Wirral": 0.10, "Sefton": 0.06,
                   "Warrington": 0.06, "Knowsley": 0.04, "St Helens": 0.04, "Halton": 0.06},
    "Yorkshire and The Humber": {"Leeds": 0.45, "Bradford": 0.22, "Hull": 0.15, "York": 0.10,
                                 "Calderdale": 0.08},
    "East Midlands": {"Nottinghamshire": 0.55, "Leicester": 0.25, "Derbyshire": 0.20},
    "West Midlands": {"Birmingham": 0.45, "Coventry": 0.35, "Staffordshire": 0.20},
    "East of England": {"Essex": 0.40, "Norfolk": 0.30, "Cambridgeshire": 0.20, "Thurrock": 0.10},
    "London": {"Hackney": 0.20, "Croydon": 0.20, "Barnet": 0.20, "Lambeth": 0.15,
               "Tower Hamlets": 0.15, "Camden": 0.10},
    "South East": {"Kent": 0.55, "Buckinghamshire": 0.25, "Surrey": 0.12,
                   "Brighton and Hove": 0.08},
    "South West": {"Bristol": 0.35, "Devon": 0.30, "Cornwall": 0.25, "Torbay": 0.10},
}
#: Other ways respondents write a local authority's name, and how often they do.
LA_SPELLINGS = {"Hull": ("Kingston upon Hull, City of", 0.4), "Durham": ("County Durham", 0.4)}
#: Number of local authorities per region in the first release of the synthetic data: the
#: draw of the first release is kept so that every later draw, and so every published
#: figure, stays as it was; the local authority itself is now drawn by _local_authorities.
_FIRST_RELEASE_LA_COUNTS = {"North East": 3, "North West": 4, "Yorkshire and The Humber": 5,
                            "East Midlands": 3, "West Midlands": 3, "East of England": 4,
                            "London": 6, "South East": 4, "South West": 4}
REGION_SHARES = np.array([0.05, 0.13, 0.10, 0.08, 0.10, 0.11, 0.16, 0.16, 0.11])

COMMENT_TEMPLATES = (
    "Our baby room has {n} babies and it gets very noisy at lunchtime.",
    "I would love training that is specific to babies rather than general early years.",
    "Parents sometimes see us as babysitters rather than educators.",
    "My manager supports my development but there is little baby-specific CPD locally.",
    "Settling in works best when families can come gradually over two weeks.",
    "We split the room into two smaller groups for most of the day.",
    "Staffing is hard: when someone is off sick we struggle to keep ratios.",
    "I have worked with babies for {y} years and still feel I am learning.",
    "The health visitor visits us each term and it really helps.",
    "We take the babies outside every day, even in the rain.",
)

# ---------------------------------------------------------------------------- survey


def survey_raw(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic survey in file form (one row per respondent).

    Parameters
    ----------
    seed : int
        Random seed; the bundled data use :data:`SEED`.

    Returns
    -------
    pandas.DataFrame
        Columns as in the codebook (labels as text) plus ``data_notice``.

    Examples
    --------
    >>> raw = survey_raw()
    >>> len(raw) > 300, bool(raw["data_notice"].str.startswith("SYNTHETIC").all())
    (True, True)
    """
    rng = np.random.default_rng(seed)
    rooms = _rooms(rng, seed)
    resp = _respondents(rng, rooms)
    return resp


def _rooms(rng: np.random.Generator, seed: int) -> pd.DataFrame:
    n = N_ROOMS
    # right-skewed group sizes: 3 + negative binomial (mean about 13), at most 28;
    # then exactly one room of 30 babies (with 10 adults, below)
    size = 3 + rng.negative_binomial(4, 4 / (4 + 10.0), size=n)
    tail = size > 28
    size[tail] = rng.integers(17, 29, size=tail.sum())
    size = _tune_mean(size, rng)
    size[0] = 30
    # settings: most have one baby room, forty have two
    setting_of_room = np.arange(n)
    two_rooms = rng.choice(np.arange(1, n), size=40, replace=False)
    setting_of_room[two_rooms] = setting_of_room[two_rooms] - 1
    setting_codes = pd.factorize(setting_of_room)[0]
    n_settings = setting_codes.max() + 1
    setting_ids = np.array([f"S{i + 1:04d}" for i in range(n_settings)])[setting_codes]
    room_ids = pd.Series(setting_ids).groupby(setting_ids).cumcount().to_numpy() + 1
    # settings' region, LA and type
    region_idx = rng.choice(len(REGIONS), size=n_settings, p=REGION_SHARES)
    for r in region_idx:  # the first release's draw, kept (see _FIRST_RELEASE_LA_COUNTS)
        rng.integers(0, _FIRST_RELEASE_LA_COUNTS[REGIONS[r]])
    la = _local_authorities(region_idx, np.random.default_rng([seed, 14]))
    stype = rng.choice(SETTING_TYPES, size=n_settings, p=[0.68, 0.14, 0.06, 0.12])
    # staff: 1:3 or better for most rooms (a quarter with an adult to spare),
    # about one room in nine an adult short
    staff = np.ceil(size / 3).astype(int) + (rng.random(n) < 0.25)
    short = (rng.random(n) < 0.11) & (staff > 1)
    staff = staff - short
    staff[0] = 10
    level3 = rng.binomial(staff, 0.62)
    level3 = np.minimum(np.maximum(level3, (rng.random(n) < 0.93).astype(int)), staff)
    level2 = rng.binomial(staff - level3, 0.55)
    trained = rng.binomial(staff, 0.5)
    settling = rng.choice(SETTLING_IN, size=n, p=[0.38, 0.42, 0.12, 0.08])
    return pd.DataFrame(
        {
            "setting_id": setting_ids,
            "room_id": [f"R{i}" for i in room_ids],
            "setting_type": stype[setting_codes],
            "region": np.array(REGIONS)[region_idx][setting_codes],
            "local_authority": np.array(la)[setting_codes],
            "group_size": size,
            "staff_in_room": staff,
            "staff_level3": level3,
            "staff_level2": level2,
            "staff_baby_trained": trained,
            "settling_in": settling,
        }
    )


def _local_authorities(region_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each setting's local authority, drawn within its region with the shares above.

    A generator of its own (seeded from the data's seed) so that the other columns are
    the first release's; a few names come in the other spelling of :data:`LA_SPELLINGS`.
    """
    out = []
    for r in region_idx:
        names = LOCAL_AUTHORITIES[REGIONS[r]]
        p = np.array(list(names.values()))
        name = str(rng.choice(list(names), p=p / p.sum()))
        if name in LA_SPELLINGS:
            other, share = LA_SPELLINGS[name]
            name = other if rng.random() < share else name
        out.append(name)
    return np.array(out, dtype=object)


def _tune_mean(size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Nudge mid-sized rooms by one baby each so the total is 13 x rooms less 30.

    With the room of 30 added afterwards the mean is exactly 13.0 (published:
    "average baby room group size 13").
    """
    size = size.copy()
    diff = int(13 * len(size) - 30 - (size.sum() - size[0]))
    step = 1 if diff > 0 else -1
    candidates = np.flatnonzero((size[1:] > 8) & (size[1:] < 25)) + 1
    if abs(diff) > len(candidates):  # pragma: no cover - guards a change of parameters
        raise RuntimeError("synthetic group sizes are too far from the published mean")
    size[rng.choice(candidates, size=abs(diff), replace=False)] += step
    return size


def _respondents(rng: np.random.Generator, rooms: pd.DataFrame) -> pd.DataFrame:
    n_rooms = len(rooms)
    first_role = rng.choice(["educator", "room_leader", "manager"], size=n_rooms,
                            p=[0.45, 0.30, 0.25])
    resp = rooms.assign(role=first_role)
    shared = rng.choice(n_rooms, size=N_SHARED_ROOMS, replace=False)
    second = rooms.iloc[shared].assign(role="manager").reset_index(drop=True)
    # the first respondent of a shared room is an educator or room leader
    resp.loc[shared, "role"] = rng.choice(["educator", "room_leader"], size=N_SHARED_ROOMS)
    # a few educators remember their room differently from their manager
    conflicts = shared[shared != 0][:N_CONFLICTS]
    resp.loc[conflicts, "group_size"] += rng.choice([-2, -1, 1, 2], size=N_CONFLICTS)
    resp = pd.concat([resp, second], ignore_index=True)
    resp = resp.sample(frac=1.0, random_state=rng.integers(2**31)).reset_index(drop=True)
    n = len(resp)
    role = resp["role"].to_numpy()
    is_mgr = role == "manager"
    years = np.round(rng.gamma(2.2, 3.2, size=n) + 2 * is_mgr).astype(int)
    qual_p = {
        "educator": [0.03, 0.27, 0.55, 0.10, 0.05],
        "room_leader": [0.0, 0.08, 0.62, 0.18, 0.12],
        "manager": [0.0, 0.02, 0.38, 0.28, 0.32],
    }
    qual = np.array([rng.choice(QUALIFICATIONS, p=qual_p[r]) for r in role])
    cpd = rng.random(n) < np.where(is_mgr, 0.34, 0.26)
    # Likert items from a latent "feels valued" factor and item-specific means
    valued = rng.normal(size=n)
    noise = lambda: rng.normal(scale=0.8, size=n)  # noqa: E731
    big = (resp["group_size"].to_numpy() - 13) / 6
    latent = {
        "valued_by_manager": 0.9 + 0.8 * valued + noise(),
        "valued_by_parents": 0.1 + 0.8 * valued + noise(),
        "valued_by_society": -0.9 + 0.7 * valued + noise(),
        "confident_with_babies": 0.9 + 0.3 * valued + 0.15 * (years / 5) + noise(),
        "want_baby_training": 1.0 - 0.2 * is_mgr + noise(),
        "group_size_too_large": -0.3 + 0.9 * big + noise(),
    }
    cuts = np.array([-1.5, -0.5, 0.3, 1.2])
    out = pd.DataFrame(
        {
            "respondent_id": [f"RESP{i + 1:04d}" for i in range(n)],
            "role": role,
            "setting_id": resp["setting_id"],
            "room_id": resp["room_id"],
            "setting_type": resp["setting_type"],
            "region": resp["region"],
            "local_authority": resp["local_authority"],
            "group_size": resp["group_size"],
            "staff_in_room": resp["staff_in_room"],
            "staff_level3": resp["staff_level3"],
            "staff_level2": resp["staff_level2"],
            "staff_baby_trained": resp["staff_baby_trained"],
            "cpd_baby_past_year": np.where(cpd, "yes", "no"),
            "settling_in": resp["settling_in"],
            "years_experience": years,
            "own_qualification": qual,
        }
    )
    for item, values in latent.items():
        out[item] = np.array(LIKERT_LEVELS)[np.searchsorted(cuts, values)]
    # comments (personal free text) from about 40% of respondents
    has_comment = rng.random(n) < 0.4
    templates = rng.choice(len(COMMENT_TEMPLATES), size=n)
    out["comments"] = [
        COMMENT_TEMPLATES[t].format(n=g, y=y) if c else ""
        for t, g, y, c in zip(templates, out["group_size"], years, has_comment, strict=True)
    ]
    # item non-response
    out = out.astype({c: object for c in out.columns})
    for col, share in {
        "staff_level3": 0.03, "staff_level2": 0.05, "staff_baby_trained": 0.06,
        "cpd_baby_past_year": 0.03, "settling_in": 0.04, "years_experience": 0.04,
        "own_qualification": 0.02, **{item: 0.04 for item in latent},
    }.items():
        out.loc[rng.random(n) < share, col] = None
    out[NOTICE_COLUMN] = NOTICE
    return out


# ---------------------------------------------------------------------------- focus groups

THEMES = {
    "Status and value": {
        "undervalued_by_society": "Baby room work seen as low status or 'just babysitting'.",
        "valued_by_parents": "Parents' recognition, or lack of it, of educators' expertise.",
        "pay_and_conditions": "Pay, hours, turnover and working conditions.",
        "professional_identity": "Seeing oneself as an educator of babies.",
    },
    "Training and CPD": {
        "baby_specific_training": "Wanting training specific to 0-2s.",
        "hands_on_learning": "Practical, in-room or modelled learning.",
        "onsite_cpd_visits": "CPD delivered through visits to the setting (e.g. Thurrock).",
        "qualification_content": "Too little about babies in Level 2/3 qualifications.",
    },
    "Group size and environment": {
        "large_groups_noise": "Large groups are noisy and chaotic.",
        "small_group_practice": "Splitting into small groups or key groups.",
        "room_layout_space": "Space, layout and resources of the room.",
        "ratios_staffing": "Keeping ratios; staffing pressures.",
    },
    "Settling-in and families": {
        "staggered_settling_in": "Gradual, staggered settling-in.",
        "flexible_funding": "Funding that allows flexible settling-in (e.g. York).",
        "parent_partnership": "Working in partnership with parents.",
        "key_person": "The key person approach.",
    },
    "Partnerships and networks": {
        "health_visitors": "Working with health visitors.",
        "perinatal_mental_health": "Perinatal mental health nurses and services.",
        "baby_room_network": "Local baby room networks (e.g. Norwich).",
        "local_authority_support": "Support from the local authority early-years team.",
    },
    "Pedagogy and practice": {
        "attuned_interactions": "Responsive, attuned interactions with babies.",
        "forest_school_babies": "Outdoor learning and forest school for babies.",
        "care_routines": "Sleep, feeding and care routines as learning.",
        "communication_language": "Supporting early communication and language.",
    },
}

SPEAKER_NAMES = (
    "Amara", "Beth", "Chloe", "Dani", "Ebony", "Fatima", "Gemma", "Hannah", "Imani", "Jade",
    "Kasia", "Leah", "Maya", "Nadia", "Olivia", "Priya", "Rosie", "Sana", "Tara", "Uma",
    "Vicky", "Wren", "Yasmin", "Zoe",
)
CONFERENCE_CODES = {"London": "LON", "York": "YOR", "Norwich": "NOR", "Manchester": "MAN",
                    "Falmouth": "FAL", "Bristol": "BRI"}
# codes heard mostly at one conference (REFERENCE.md: themes heard)
LOCAL_CODES = {"flexible_funding": "York", "baby_room_network": "Norwich",
               "onsite_cpd_visits": "London", "forest_school_babies": "Falmouth"}
CODERS = ("Coder A", "Coder B")


def codebook_raw() -> pd.DataFrame:
    """The synthetic codebook in file form: theme, code, definition (+ ``data_notice``).

    Examples
    --------
    >>> book = codebook_raw()
    >>> book["theme"].nunique(), len(book)
    (6, 24)
    """
    rows = [
        {"theme": theme, "code": code, "definition": definition}
        for theme, codes in THEMES.items()
        for code, definition in codes.items()
    ]
    out = pd.DataFrame(rows)
    out[NOTICE_COLUMN] = NOTICE
    return out


def coding_raw(seed: int = SEED) -> pd.DataFrame:
    """Generate synthetic focus-group coding in the long format.

    Six conferences with 6 or 7 focus groups each, 5-9 speakers per group with
    roles; 24 to 40 segments per transcript, each given one or two codes by
    Coder A; about a fifth of segments also coded by Coder B, whose agreement
    with Coder A varies by code (from about 0.6 to 0.97 per decision).

    Returns
    -------
    pandas.DataFrame
        Canonical coding columns as text plus ``data_notice``.

    Examples
    --------
    >>> raw = coding_raw()
    >>> raw["conference"].nunique(), raw.groupby(["group_id", "speaker"]).ngroups > 200
    (6, True)
    """
    rng = np.random.default_rng(seed + 1)
    book = codebook_raw()
    codes = book["code"].to_numpy()
    theme_of = dict(zip(book["code"], book["theme"], strict=True))
    base_p = rng.dirichlet(np.full(len(codes), 1.3))
    agree_p = dict(zip(codes, rng.uniform(0.6, 0.97, size=len(codes)), strict=True))
    rows = []
    for conference in CONFERENCES:
        n_groups = 6 if conference in {"Falmouth", "Norwich"} else 7
        p = base_p.copy()
        for code, where in LOCAL_CODES.items():
            p[codes == code] *= 8 if where == conference else 0.05
        p = p / p.sum()
        for g in range(1, n_groups + 1):
            group_id = f"{CONFERENCE_CODES[conference]}-{g}"
            n_speakers = int(rng.integers(5, 10))
            names = rng.choice(SPEAKER_NAMES, size=n_speakers, replace=False)
            roles = rng.choice(["educator", "room_leader", "manager"], size=n_speakers,
                               p=[0.55, 0.2, 0.25])
            offset = 0
            n_segments = int(rng.integers(24, 41))
            speakers = np.concatenate([np.arange(n_speakers),
                                       rng.integers(0, n_speakers, n_segments - n_speakers)])
            for s in range(n_segments):
                who = speakers[s]
                k = 1 + (rng.random() < 0.3)
                chosen = rng.choice(codes, size=k, replace=False, p=p)
                text = _segment_text(rng, chosen[0], names[who])
                start, end = offset, offset + len(text)
                offset = end + 2
                segment_id = f"{group_id}-S{s + 1:03d}"
                double = rng.random() < 0.2
                for code in chosen:
                    base = dict(segment_id=segment_id, conference=conference, group_id=group_id,
                                speaker=names[who], role=roles[who], theme=theme_of[code],
                                start=start, end=end, text=text)
                    rows.append({**base, "code": code, "coder": CODERS[0]})
                    if double and rng.random() < agree_p[code]:
                        rows.append({**base, "code": code, "coder": CODERS[1]})
                if double and rng.random() < 0.25:  # coder B adds a code A did not use
                    extra = rng.choice(codes, p=p)
                    if extra not in chosen:
                        base = dict(segment_id=segment_id, conference=conference,
                                    group_id=group_id, speaker=names[who], role=roles[who],
                                    theme=theme_of[extra], start=start, end=end, text=text)
                        rows.append({**base, "code": extra, "coder": CODERS[1]})
    out = pd.DataFrame(rows)[
        ["segment_id", "conference", "group_id", "speaker", "role", "theme", "code", "coder",
         "start", "end", "text"]
    ]
    out[NOTICE_COLUMN] = NOTICE
    return out


SEGMENT_PHRASES = {
    "Status and value": "people think we just play with babies all day",
    "Training and CPD": "I need training that shows me how to work with babies",
    "Group size and environment": "with that many babies in one room it gets so loud",
    "Settling-in and families": "settling in has to go at the baby's pace and the family's",
    "Partnerships and networks": "working with the health visitor changed how we support families",
    "Pedagogy and practice": "those little moments of back-and-forth with a baby matter most",
}


def _segment_text(rng, code: str, name: str) -> str:
    theme = next(t for t, c in THEMES.items() if code in c)
    lead = rng.choice(["Honestly,", "For me,", "In our room,", "I think", "Sometimes"])
    return f"{name}: {lead} {SEGMENT_PHRASES[theme]} ({code.replace('_', ' ')})."


# ---------------------------------------------------------------------------- evidence

# (country string as typed, number of items); UK strings add up to 12 items.
UK_COUNTRY_STRINGS = [("UK", 4), ("England", 4), ("United Kingdom", 1), ("Scotland", 1),
                      ("England; Wales", 1), ("Great Britain", 1)]
OTHER_COUNTRY_STRINGS = [
    ("USA", 34), ("United States", 20), ("U.S.A.", 6), ("US", 5), ("Australia", 12),
    ("Norway", 10), ("Norge", 1), ("Sweden", 5), ("Finland", 6), ("Netherlands", 6),
    ("Holland", 1), ("Germany", 5), ("Deutschland", 1), ("Canada", 6), ("New Zealand", 7),
    ("Chile", 3), ("Brasil", 2), ("Portugal", 4), ("Italy", 3), ("Ireland", 3), ("Turkey", 2),
    ("South Korea", 2), ("Republic of Korea", 1), ("Japan", 2), ("China", 3), ("Denmark", 2),
    ("Belgium", 2), ("Israel", 2), ("Greece", 1), ("Spain", 1), ("España", 1),
    ("Norway; Sweden", 2), ("USA and Canada", 2), ("Finland/Norway", 1),
    ("Netherlands, Germany", 1), ("Europe (multi-country)", 2), ("International", 1),
    ("Australia & New Zealand", 1), ("France", 2), ("Singapore", 1), ("Hungary", 1),
]
INSTRUMENTS = [
    ("ITERS-R", 26), ("ITERS-3", 10), ("ITERS", 6), ("CLASS Infant", 14), ("CLASS Toddler", 16),
    ("CIS", 6), ("ORCE", 5), ("SSTEW", 4), ("Q-CCIIT", 3), ("CC-IT-HOME", 2),
]
DIMENSION_WEIGHTS = {
    "group size": 0.30, "ratio": 0.30, "qualifications": 0.25, "interactions": 0.45,
    "environment": 0.30, "curriculum": 0.15, "leadership": 0.10, "parent partnership": 0.15,
    "transitions": 0.12,
}
N_PROFESSIONAL_LEARNING = 21


def evidence_raw(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic evidence-review extraction table.

    185 items: 165 academic articles and 20 grey-literature items; exactly 12 from
    the UK (as typed: "UK", "England", "Scotland", "England; Wales", ...); country
    strings as reviewers type them; ITERS and CLASS the two most used instrument
    families; 21 items on professional learning.

    Returns
    -------
    pandas.DataFrame
        Canonical evidence columns as text plus ``data_notice``.

    Examples
    --------
    >>> raw = evidence_raw()
    >>> len(raw), int((raw["publication_type"] == "grey").sum())
    (185, 20)
    """
    rng = np.random.default_rng(seed + 2)
    countries = [c for c, k in UK_COUNTRY_STRINGS + OTHER_COUNTRY_STRINGS for _ in range(k)]
    n = len(countries)
    if n != 185:  # pragma: no cover - guards an edit of the tables above
        raise RuntimeError(f"synthetic evidence table has {n} items, not 185")
    countries = list(rng.permutation(countries))
    grey = np.zeros(n, dtype=bool)
    uk = np.array([c in {s for s, _ in UK_COUNTRY_STRINGS} for c in countries])
    # UK policy documents are overrepresented in grey literature: 4 UK grey items
    grey[rng.choice(np.flatnonzero(uk), size=4, replace=False)] = True
    grey[rng.choice(np.flatnonzero(~uk), size=16, replace=False)] = True
    year = np.clip(np.round(2024 - rng.gamma(2.0, 5.5, size=n)), 1988, 2024).astype(int)
    design = np.where(
        grey, rng.choice(["policy", "review", "mixed_methods"], size=n, p=[0.6, 0.25, 0.15]),
        rng.choice(["cross_sectional", "longitudinal", "experimental", "qualitative",
                    "mixed_methods", "review"], size=n, p=[0.34, 0.18, 0.1, 0.2, 0.1, 0.08]),
    )
    instruments = [""] * n
    pool = [name for name, k in INSTRUMENTS for _ in range(k)]
    quantitative = np.flatnonzero(np.isin(design, ["cross_sectional", "longitudinal",
                                                   "experimental", "mixed_methods"]) & ~grey)
    users = rng.choice(quantitative, size=min(len(pool), len(quantitative)), replace=False)
    pool = list(rng.permutation(pool))[: len(users)]
    for idx, name in zip(users, pool, strict=True):
        instruments[idx] = name
    # a few items use two instruments
    for idx in users[:8]:
        other = "CLASS Toddler" if "ITERS" in instruments[idx] else "ITERS-R"
        instruments[idx] = f"{instruments[idx]}; {other}"
    dims = []
    pl = set(rng.choice(n, size=N_PROFESSIONAL_LEARNING, replace=False).tolist())
    for i in range(n):
        chosen = [d for d, w in DIMENSION_WEIGHTS.items() if rng.random() < w]
        if i in pl:
            chosen.append("professional learning")
        if not chosen:
            chosen = ["interactions"]
        dims.append("; ".join(chosen))
    age = rng.choice(["0-12m", "12-24m", "0-24m", "0-36m"], size=n, p=[0.2, 0.15, 0.35, 0.3])
    out = pd.DataFrame(
        {
            "item_id": [f"EV{i + 1:03d}" for i in range(n)],
            "title": [f"Synthetic review item {i + 1:03d}: quality in baby rooms" for i in range(n)],
            "authors": [f"Synthetic Author {chr(65 + i % 26)}." for i in range(n)],
            "year": year,
            "publication_type": np.where(grey, "grey", "academic"),
            "countries": countries,
            "design": design,
            "instruments": instruments,
            "age_focus": age,
            "dimensions": dims,
            "doi": [f"10.0000/synthetic.{i + 1:03d}" if not g else ""
                    for i, g in enumerate(grey)],
        }
    )
    out[NOTICE_COLUMN] = NOTICE
    return out


# ---------------------------------------------------------------------------- public faces

_RAW = {"survey": survey_raw, "coding": coding_raw, "codebook": codebook_raw,
        "evidence": evidence_raw}


def raw(kind: str) -> pd.DataFrame:
    """File form of one bundled data set (``"survey"``, ``"coding"``, ``"codebook"``, ``"evidence"``).

    Examples
    --------
    >>> raw("codebook").columns.tolist()
    ['theme', 'code', 'definition', 'data_notice']
    """
    return _RAW[kind]()


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The exact bytes written to ``data/synthetic`` for a file-form frame (UTF-8, LF).

    Examples
    --------
    >>> to_csv_bytes(raw("codebook"))[:20]
    b'theme,code,definitio'
    """
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_all(out_dir) -> list[Path]:
    """Write the four bundled synthetic files (byte-identical on every run).

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder to write ``survey.csv``, ``coding.csv``, ``codebook.csv``, ``evidence.csv``.

    Returns
    -------
    list of pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_all(d)]
    ['survey.csv', 'coding.csv', 'codebook.csv', 'evidence.csv']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in FILES.items():
        path = out / name
        path.write_bytes(to_csv_bytes(raw(kind)))
        written.append(path)
    return written


@functools.cache
def _loaded(kind: str) -> pd.DataFrame:
    from baby_room.evidence.load import load_evidence
    from baby_room.focus_groups.load import load_codebook, load_coding
    from baby_room.survey.load import load_survey

    loader = {"survey": load_survey, "coding": load_coding, "codebook": load_codebook,
              "evidence": load_evidence}[kind]
    return loader(raw(kind))


def _copy(kind: str) -> pd.DataFrame:
    frame = _loaded(kind)
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    out.attrs["file"] = f"bundled synthetic data ({FILES[kind]})"
    return out


def survey() -> pd.DataFrame:
    """The bundled synthetic survey, loaded and validated (a fresh copy each call).

    Examples
    --------
    >>> df = survey()
    >>> df.attrs["source"]
    'Baby Room Project survey (synthetic)'
    """
    return _copy("survey")


def coding() -> pd.DataFrame:
    """The bundled synthetic focus-group coding, loaded and validated.

    Examples
    --------
    >>> coding()["conference"].nunique()
    6
    """
    return _copy("coding")


def codebook() -> pd.DataFrame:
    """The bundled synthetic focus-group codebook, loaded and validated.

    Examples
    --------
    >>> len(codebook())
    24
    """
    return _copy("codebook")


def evidence() -> pd.DataFrame:
    """The bundled synthetic evidence-review table, loaded and validated.

    Examples
    --------
    >>> len(evidence())
    185
    """
    return _copy("evidence")
