"""The public intake's ceiling, shared so a flood of new incidents cannot take all of it.

Everyone together may send `intake_global_per_second` reports. A report that corroborates an
incident several sources already report may use all of that; any other report (one that opens
an incident, or joins one only one source reports) may use all but a reserve
(`intake_corroboration_reserve`). A troll flood scattered over the county opens incidents
and, by chance, lands in some of its own: either way it stays out of the reserve, so residents
reporting what several neighbours see are let in however large the flood. The first two
residents to report an operation compete with the flood for the rest; their phones keep the
report and try again (`report.js`), and the proof of work keeps the flood itself costly.
"""

from __future__ import annotations

from datetime import datetime

from vecinos.config import Settings
from vecinos.errors import TooManyRequests
from vecinos.i18n import N_
from vecinos.ratelimit import RateLimits
from vecinos.reports import clustering

CORROBORATED = 2  # distinct sources an incident needs before joining it uses the reserve


class Ceiling:
    """One per intake writer. `admit` raises 429 when the report's share is used up."""

    def __init__(self, limits: RateLimits, settings: Settings) -> None:
        self.limits = limits
        self.settings = settings

    def admit(self, joins: clustering.Looked, now: datetime) -> None:
        """`joins`: the incident the report would join, as `clustering.look` found it."""
        corroborates = joins.incident is not None and joins.incident.source_count >= CORROBORATED
        for rule in ("report-any",) if corroborates else ("report-new", "report-any"):
            if refused := self.limits.refusal(rule, "*", now):
                raise TooManyRequests(
                    N_("Too many reports; try again in {seconds} seconds."),
                    retry_after=refused.wait,
                    code="rate_limited_global",
                )
