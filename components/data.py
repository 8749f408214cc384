"""Cached data functions: the data version first, then plain values, so a write shows at once.

Every function takes `version` (components.db.current_data_version()) as its first
argument: an import bumps it, so the next rerun misses the cache and reads afresh.
The engine and settings are looked up inside, never passed (they are not part of the key).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from components.db import engine, settings
from supervision import checks
from supervision.access.scope import reader
from supervision.core.frames import findings_per_township
from supervision.core.metrics import METRICS
from supervision.core.principal import Principal
from supervision.geo.boundaries import Boundaries, boundaries
from supervision.read import flows, queries
from supervision.reporting import timeline
from supervision.storage import reference

# Entries are keyed by the data version, so a write is seen at once without any expiry: a wall-clock TTL only
# made the whole cold cost recur for the first viewer every ten minutes (issue 21). The bound is on entries.
MAX_ENTRIES = 256
# ...and by what the principal may read (supervision.access.scope.reader), not by the account: the first leader
# to open a page warms it for every leader, bureau officer and wall, and components/warmup.py can warm it for all.
cached = st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False, hash_funcs={Principal: reader})


@cached
def enterprise_counts(version: int, principal: Principal, township: str | None,
                      category: str | None = None) -> pd.DataFrame:
    return queries.enterprise_counts(engine(), principal, township, category)


@cached
def table_freshness(version: int, principal: Principal, year: int, township: str | None,
                    as_of: dt.date) -> pd.DataFrame:
    return queries.table_freshness(engine(), principal, year, township, as_of=as_of)


@cached
def holds_demo_data(version: int) -> bool:
    return queries.holds_demo_data(engine())


@cached
def data_changed_at(version: int) -> dt.datetime | None:
    return queries.data_changed_at(engine())


@cached
def data_years(version: int, principal: Principal) -> list[int]:
    return queries.data_years(engine(), principal)


def configured_years() -> list[int]:
    return settings().calendar.configured_years()


@cached
def township_names(version: int, principal: Principal) -> list[str]:
    return queries.townships(engine(), principal)["name"].tolist()


@cached
def data_as_of(version: int, principal: Principal, tables: tuple[str, ...], year: int,
               township: str | None, as_of: dt.date) -> str | None:
    return queries.data_as_of(engine(), principal, tables, year, township, as_of=as_of)


@cached
def later_rows(version: int, principal: Principal, tables: tuple[str, ...], year: int, township: str | None,
               as_of: dt.date) -> int:
    return queries.later_rows(engine(), principal, tables, year, township, as_of=as_of)


@cached
def enterprises(version: int, principal: Principal, township: str | None, category: str | None) -> pd.DataFrame:
    return queries.enterprises(engine(), principal, township, category)


@cached
def groups(version: int, principal: Principal) -> list[str]:
    return queries.groups(engine(), principal)


@cached
def quota_by_enterprise(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                        category: str | None, group: str | None = None) -> pd.DataFrame:
    return queries.quota_by_enterprise(engine(), principal, year, township, category, group, as_of=as_of)


@cached
def quota_batches(version: int, principal: Principal, year: int, township: str | None, category: str | None,
                  uscc: str | None = None, group: str | None = None) -> pd.DataFrame:
    return queries.quota_batches(engine(), principal, year, township, category, uscc, group)


@cached
def monthly_flows(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                  category: str | None, uscc: str | None = None, group: str | None = None,
                  quota_holders: bool = False) -> pd.DataFrame:
    return queries.monthly_flows(engine(), principal, year, township, category, uscc, group, quota_holders,
                                 as_of=as_of)


@cached
def flows_by_enterprise(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                        category: str | None, group: str | None = None) -> pd.DataFrame:
    return queries.flows_by_enterprise(engine(), principal, year, township, category, group, as_of=as_of)


@cached
def material_flow(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                  by_enterprise: bool) -> flows.Flow:
    return flows.material_flow(engine(), principal, year, township, as_of=as_of, by_enterprise=by_enterprise)


@cached
def quota_years(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                category: str | None, uscc: str | None = None, group: str | None = None) -> pd.DataFrame:
    return queries.quota_years(engine(), principal, township, category, uscc, group, year=year,
                               years=settings().display.trend_years, as_of=as_of)


@cached
def self_check_status(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                      category: str | None) -> pd.DataFrame:
    return queries.self_check_status(engine(), principal, settings(), year, as_of, township, category)


@cached
def township_report_status(version: int, principal: Principal, year: int, as_of: dt.date,
                           township: str | None) -> pd.DataFrame:
    return queries.township_report_status(engine(), principal, settings(), year, as_of, township)


@cached
def township_milestones(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                        category: str | None) -> pd.DataFrame:
    return queries.township_milestones(engine(), principal, settings(), year, as_of, township, category)


@cached
def overdue_lights(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                   category: str | None) -> pd.DataFrame:
    return queries.overdue_lights(engine(), principal, settings(), year, as_of, township, category)


@cached
def monthly_report_gaps(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                        category: str | None) -> pd.DataFrame:
    return queries.monthly_report_gaps(engine(), principal, settings(), year, as_of, township, category)


@cached
def tipoffs(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None) -> pd.DataFrame:
    return queries.overdue_tipoffs(engine(), principal, settings(), year, as_of, township)


@cached
def penalties(version: int, principal: Principal, year: int | None, as_of: dt.date, township: str | None,
              category: str | None) -> pd.DataFrame:
    return queries.penalties(engine(), principal, year, as_of, township, category)


@cached
def blacklist(version: int, principal: Principal, as_of: dt.date, township: str | None,
              category: str | None) -> pd.DataFrame:
    return queries.blacklist(engine(), principal, as_of, township, category)


@cached
def scoring_table(version: int, principal: Principal, year: int) -> pd.DataFrame:
    return queries.scoring_table(engine(), principal, year)


@cached
def inspection_scores(version: int, principal: Principal, year: int, as_of: dt.date,
                      township: str | None) -> pd.DataFrame:
    return queries.inspection_scores(engine(), principal, year, township, as_of=as_of)


@cached
def section_scores(version: int, principal: Principal, year: int, as_of: dt.date,
                   township: str | None) -> pd.DataFrame:
    return queries.section_scores(engine(), principal, year, township, as_of=as_of)


@cached
def score_totals(version: int, principal: Principal, years: tuple[int, ...], as_of: dt.date,
                 township: str | None) -> pd.DataFrame:
    return queries.score_totals(engine(), principal, years, township, as_of=as_of)


@cached
def township_measures(version: int, principal: Principal, year: int, as_of: dt.date,
                      category: str | None) -> pd.DataFrame:
    return queries.township_measures(engine(), principal, settings(), year, as_of, category)


@cached
def enterprise(version: int, principal: Principal, uscc: str) -> dict[str, Any] | None:
    return queries.enterprise(engine(), principal, uscc)


@cached
def enterprise_records(version: int, principal: Principal, uscc: str, year: int,
                       as_of: dt.date) -> dict[str, pd.DataFrame]:
    return queries.enterprise_records(engine(), principal, uscc, year, as_of=as_of)


@cached
def enterprise_ledger(version: int, principal: Principal, uscc: str, year: int, as_of: dt.date) -> pd.DataFrame:
    tol = settings().tolerances
    return flows.enterprise_ledger(engine(), principal, uscc, year, as_of=as_of, factor=tol.raw_material_factor,
                                   relative=tol.relative, absolute_t=tol.absolute_t)


@cached
def counterparty_names(version: int, principal: Principal, codes: tuple[str, ...]) -> dict[str, str]:
    return queries.counterparty_names(engine(), principal, codes)


@cached
def _check_run(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None) -> pd.DataFrame:
    """Every rule for (year, as_of, township), run once: the pages' filtered views all come from it."""
    with METRICS.timed("supervision_check_seconds"):
        return checks.findings_frame(engine(), settings(), principal, year, as_of, township)


@cached
def findings(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
             category: str | None, rules: tuple[str, ...] | None = None, severity: str | None = None) -> pd.DataFrame:
    """The findings of check(year, as_of) the principal may see, filtered as supervision.checks.findings_frame
    filters them (a category leaves out findings about no enterprise of it)."""
    found = _check_run(version, principal, year, as_of, township)
    keep = pd.Series(True, index=found.index)
    if category is not None:
        keep &= found["category"] == category
    if rules:
        keep &= found["rule"].isin(rules)
    if severity is not None:
        keep &= found["severity"] == severity
    return found[keep].reset_index(drop=True)


def enterprise_findings(version: int, principal: Principal, year: int, as_of: dt.date, uscc: str,
                        township: str) -> pd.DataFrame:
    """The findings that concern one enterprise (its own, and those on its licences and declarations)."""
    found = findings(version, principal, year, as_of, township, None)
    return found[found["uscc"] == uscc].reset_index(drop=True)


@cached
def risk_ranking(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                 category: str | None) -> pd.DataFrame:
    return checks.risk_ranking(engine(), settings(), principal, year, as_of, township, category)


@cached
def map_measures(version: int, principal: Principal, year: int, as_of: dt.date, category: str | None) -> pd.DataFrame:
    """township_measures plus the open findings per township, for the map's choice of colouring."""
    measures = queries.township_measures(engine(), principal, settings(), year, as_of, category)
    found = findings(version, principal, year, as_of, None, category)
    per = findings_per_township(found, measures["township"].tolist())
    return measures.merge(per, on="township", how="left")


@st.cache_data(show_spinner=False, max_entries=2000, hash_funcs={Principal: reader})
def timeline_point(version: int, principal: Principal, year: int, day: dt.date, township: str | None,
                   category: str | None) -> timeline.Point:
    """One week's end of the 整顿进程 view, kept per data version: a later as-of date adds a point, not all."""
    return timeline.point(engine(), settings(), principal, year, day, township, category)


@cached
def campaign_timeline(version: int, principal: Principal, year: int, as_of: dt.date, township: str | None,
                      category: str | None) -> pd.DataFrame:
    """整顿进程: open findings, violations and red lights at each week's end of the year up to the as-of date.

    Kept whole (a warm wall reads one entry) and point by point (another as-of date reuses the weeks it shares)."""
    return timeline.timeline(timeline.week_ends(year, as_of),
                             lambda d: timeline_point(version, principal, year, d, township, category))


@st.cache_resource(show_spinner=False)
def township_boundaries() -> Boundaries:
    """The configured polygons: read once per process (the configuration, not the data, defines them)."""
    return boundaries(settings())


@st.cache_data(show_spinner=False)
def national_quota(year: int) -> reference.NationalQuota | None:
    return reference.national_quota(year)


# The finding lifecycle: keyed on the lifecycle's own counter (components.db.current_lifecycle_version()),
# so a transition refreshes these views without invalidating the cached check runs.
@cached
def finding_ledger(lifecycle: int, principal: Principal, year: int, today: dt.date,
                   township: str | None) -> pd.DataFrame:
    from supervision.lifecycle import queries as lq

    return lq.ledger(engine(), settings(), principal, year, today, township=township)


@st.cache_data(max_entries=MAX_ENTRIES, show_spinner=False)  # per account: role and department
def finding_todo(lifecycle: int, principal: Principal, today: dt.date) -> pd.DataFrame:
    from supervision.lifecycle import queries as lq

    return lq.todo(engine(), settings(), principal, today)


@cached
def finding_counts(lifecycle: int, principal: Principal, year: int, today: dt.date,
                   township: str | None) -> pd.DataFrame:
    from supervision.lifecycle import queries as lq

    return lq.township_counts(engine(), principal, year, today, township)


@cached
def finding_burndown(lifecycle: int, principal: Principal, year: int, start: dt.date, end: dt.date,
                     township: str | None) -> pd.DataFrame:
    from supervision.lifecycle import queries as lq

    return lq.burndown(engine(), principal, year, start, end, township)
