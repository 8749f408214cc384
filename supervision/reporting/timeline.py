"""整顿进程: open findings, violations and red lights at each week's end of the campaign year, up to the as-of date.

Each point is the picture on that day under spec 1.1, section 4.1: the checks run as of the day
(without evidence rows: only the counts are drawn) and the red lights read on the day. The points
are independent, so a caller caches them one by one (a later as-of date adds one point, not all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import Engine

from supervision.checks.runner import run_checks, select_findings
from supervision.core.campaign import MISSING
from supervision.core.config import Settings
from supervision.core.principal import Principal
from supervision.read import queries

TIMELINE_COLUMNS = ("day", "open_findings", "violations", "red_lights")


@dataclass(frozen=True)
class Point:
    """The campaign's state on one day."""

    day: dt.date
    open_findings: int
    violations: int
    red_lights: int


def week_ends(year: int, as_of: dt.date) -> list[dt.date]:
    """The Sundays of `year` up to `as_of`, and `as_of` itself (when in the year) as the last point."""
    last = min(as_of, dt.date(year, 12, 31))
    if last < dt.date(year, 1, 1):
        return []
    first_sunday = dt.date(year, 1, 1) + dt.timedelta(days=(6 - dt.date(year, 1, 1).weekday()) % 7)
    days = []
    day = first_sunday
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=7)
    if not days or days[-1] != last:
        days.append(last)
    return days


def point(engine: Engine, settings: Settings, principal: Principal, year: int, day: dt.date,
          township: str | None = None, category: str | None = None) -> Point:
    """Open findings (all severities), violations and red lights (township × milestone) on `day`."""
    found = select_findings(run_checks(engine, settings, year, day, principal, township=township,
                                       with_evidence=False), category)
    lights = queries.overdue_lights(engine, principal, settings, year, day, township, category)
    return Point(day, len(found), sum(1 for f in found if f.severity == "违规"),
                 int((lights["status"] == MISSING).sum()))


def timeline(days: list[dt.date], at: Callable[[dt.date], Point]) -> pd.DataFrame:
    """The points for `days`, each from `at` (a cached point lookup, or `point` itself), as a frame."""
    return pd.DataFrame([asdict(at(d)) for d in days], columns=list(TIMELINE_COLUMNS))


def campaign_timeline(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
                      township: str | None = None, category: str | None = None) -> pd.DataFrame:
    """The whole view, uncached: one point per week's end up to `as_of`."""
    return timeline(week_ends(year, as_of),
                    lambda d: point(engine, settings, principal, year, d, township, category))
