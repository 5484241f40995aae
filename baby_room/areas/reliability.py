"""Which estimates an area briefing may show: suppressed, indicative or published.

The Department for Education's convention for survey estimates on its statistics service
(explore-education-statistics), as in the *Childcare and early years provider survey*
data sets: "Statistics based on an 'unweighted base' (sample size) of less than 10 are not
shown. Statistics based on an 'unweighted base' of 10 or greater but less than 30 should be
treated with caution and are only indicative" (footnote [u], e.g. the 2023 data set
"Awareness of exceptional circumstances staff to child ratio allowance",
https://explore-education-statistics.service.gov.uk/data-catalogue/data-set/4adeb31a-8306-48c6-bcdc-f6ab81f0353b).
The symbols follow the service's conventions: ``[u]`` low reliability (not shown),
``[c]`` confidential (disclosure control), ``[i]`` (here) indicative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from baby_room.errors import ArgumentError

__all__ = ["DFE_RELIABILITY", "ReliabilityRule"]


@dataclass(frozen=True)
class ReliabilityRule:
    """Thresholds on the unweighted base of an estimate.

    Parameters
    ----------
    suppress_below : int
        An estimate on fewer units is not shown (``[u]``).
    indicative_below : int
        An estimate on at least ``suppress_below`` but fewer than this is shown marked
        indicative (``[i]``).
    source : str
        Where the convention comes from (shown in footnotes).

    Examples
    --------
    >>> DFE_RELIABILITY.flag([5, 10, 29, 30])
    ['suppressed', 'indicative', 'indicative', 'published']
    """

    suppress_below: int = 10
    indicative_below: int = 30
    source: str = ("Department for Education, explore-education-statistics: estimates on an "
                   "unweighted base below 10 are not shown; 10 to 29 are indicative")

    def __post_init__(self):
        ok = (isinstance(self.suppress_below, (int, np.integer))
              and isinstance(self.indicative_below, (int, np.integer))
              and 1 <= self.suppress_below <= self.indicative_below)
        if not ok:
            raise ArgumentError("ReliabilityRule", "suppress_below, indicative_below",
                                "whole numbers with 1 <= suppress_below <= indicative_below",
                                (self.suppress_below, self.indicative_below))

    def flag(self, n) -> list[str]:
        """``suppressed`` / ``indicative`` / ``published`` for each unweighted base."""
        n = pd.to_numeric(pd.Series(n), errors="coerce").fillna(0).to_numpy()
        return np.where(n < self.suppress_below, "suppressed",
                        np.where(n < self.indicative_below, "indicative", "published")).tolist()

    def footnote(self) -> str:
        """The sentence a briefing prints under its tables."""
        return (f"[u] not shown: fewer than {self.suppress_below} rooms or respondents "
                f"answered (unweighted base). [i] indicative: {self.suppress_below} to "
                f"{self.indicative_below - 1}; treat with caution. Convention of the "
                f"Department for Education's statistics service (explore-education-statistics).")


#: The Department for Education's thresholds: below 10 suppressed, 10-29 indicative.
DFE_RELIABILITY = ReliabilityRule()
