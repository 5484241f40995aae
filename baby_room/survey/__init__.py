"""The survey: loading, the design object, baby-room indicators, Likert items, models, figures.

Figures are in :mod:`baby_room.survey.plots` (matplotlib is imported only when a figure is drawn).
"""

from baby_room._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "SurveyDesign": "design",
        "association_test": "indicators",
        "compare_area": "indicators",
        "conflicting_rooms": "load",
        "cronbach_alpha": "likert",
        "fit_group_size_model": "models",
        "group_size_summary": "indicators",
        "likert_summary": "likert",
        "load_survey": "load",
        "means_test": "indicators",
        "published_figures": "indicators",
        "ratio_summary": "indicators",
        "room_conflicts": "indicators",
        "room_design": "indicators",
        "rooms": "indicators",
        "workforce_summary": "indicators",
    },
)
