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
        "count_room_conflicts": "indicators",
        "cronbach_alpha": "likert",
        "fit_group_size_model": "models",
        "group_size_summary": "indicators",
        "likert_summary": "likert",
        "list_room_conflicts": "load",
        "load_survey": "load",
        "means_test": "indicators",
        "published_figures": "indicators",
        "ratio_summary": "indicators",
        "room_design": "indicators",
        "rooms": "indicators",
        "workforce_summary": "indicators",
    },
    # the old names did not say which one lists the rooms and which one counts them
    renamed={"conflicting_rooms": "list_room_conflicts", "room_conflicts": "count_room_conflicts"},
)
