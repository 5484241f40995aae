"""The evidence review: loading, bibliographic exports, countries, breakdowns, PRISMA, figures.

Figures are in :mod:`baby_room.evidence.plots` and the world map in
:mod:`baby_room.evidence.world` (matplotlib and the shapes load only when drawn).
"""

from baby_room._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "affiliation_countries": "affiliations",
        "breakdown": "breakdowns",
        "by_age_focus": "breakdowns",
        "by_continent": "breakdowns",
        "by_country": "breakdowns",
        "by_decade": "breakdowns",
        "by_design": "breakdowns",
        "by_dimension": "breakdowns",
        "by_instrument": "breakdowns",
        "by_instrument_family": "breakdowns",
        "by_publication_type": "breakdowns",
        "by_uk_nation": "breakdowns",
        "by_un_region": "breakdowns",
        "by_year": "breakdowns",
        "country_table": "countries",
        "detect_bibliography_format": "bibliography",
        "duplicate_review": "dedupe",
        "evidence_explorer": "explorer",
        "flag_duplicates": "dedupe",
        "flag_years": "bibliography",
        "gap_map": "breakdowns",
        "item_categories": "breakdowns",
        "load_evidence": "load",
        "merge_bibliography": "bibliography",
        "merge_duplicates": "dedupe",
        "normalise_countries": "countries",
        "normalise_instruments": "breakdowns",
        "parse_rayyan_notes": "bibliography",
        "prisma_counts": "prisma",
        "read_bibliography": "bibliography",
        "read_bibtex": "bibliography",
        "read_covidence": "screening_csv",
        "read_endnote_xml": "endnote_xml",
        "read_medline": "medline",
        "read_rayyan": "bibliography",
        "read_ris": "bibliography",
        "read_wos": "wos",
        "read_zotero_csv": "screening_csv",
        "uk_vs_rest": "breakdowns",
    },
)
