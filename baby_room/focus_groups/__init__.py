"""Focus-group coding: loading (long format, REFI-QDA, MAXQDA, QualCoder, Taguette), analyses,
matrix queries, agreement.

Figures are in :mod:`baby_room.focus_groups.plots`.
"""

from baby_room._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "QdaProject": "qdpx",
        "case_code_table": "matrix",
        "code_by_attribute": "matrix",
        "code_overlaps": "matrix",
        "detect_coding_format": "load",
        "read_qualcoder_codings": "exports",
        "read_taguette_highlights": "exports",
        "agreement_from_presence": "agreement",
        "code_cooccurrence": "analysis",
        "code_frequencies": "analysis",
        "coding_summary": "analysis",
        "disagreements": "agreement",
        "double_coded": "agreement",
        "export_quotes": "analysis",
        "intercoder_agreement": "agreement",
        "landis_koch": "agreement",
        "load_codebook": "load",
        "load_coding": "load",
        "read_maxqda_segments": "maxqda",
        "read_qdc": "qdpx",
        "read_qdpx": "qdpx",
        "saturation_curve": "analysis",
    },
)
