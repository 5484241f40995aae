"""Local areas: ONS local-authority lookup, area estimates, Fay-Herriot models, briefings.

``write_area_briefings`` writes one briefing per local authority or region (HTML and Word)
for ``baby-room report --areas``; the pieces it uses are public too.
"""

from baby_room._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "DFE_RELIABILITY": "reliability",
        "ReliabilityRule": "reliability",
        "add_la_codes": "lookup",
        "area_estimates": "estimates",
        "fay_herriot": "fay_herriot",
        "local_authorities": "lookup",
        "match_local_authorities": "lookup",
        "modelled_estimates": "modelled",
        "write_area_briefings": "briefings",
    },
)
