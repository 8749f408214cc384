"""After a write commits: record the findings of the years it touched (never inside the write's transaction).

An import or a form save is committed first; only then are the touched years synced, so a sync that fails
or is slow can never undo or delay the data it follows. The as-of date is today, or the year's last day
for a past year (where nothing changes after it, spec 1.1 section 4.1), so the ledger words a finding as
the pages do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, func, select

from supervision.core.config import Settings
from supervision.lifecycle.machine import SyncResult, local_today, sync_findings
from supervision.storage.models import DATA_MODELS, FindingRecord

# How each table dates its rows: ("year", column) an integer year, ("period", column) "YYYY-MM",
# ("date", column…) dates. A table missing here (the enterprise directory) bears on every year.
_DATING: dict[str, tuple[str, tuple[str, ...]]] = {
    "quotas": ("year", ("year",)),
    "self_checks": ("year", ("year",)),
    "township_reports": ("year", ("year",)),
    "scoring_items": ("year", ("year",)),
    "inspection_scores": ("year", ("year",)),
    "monthly_reports": ("period", ("period",)),
    "traceability": ("period", ("period",)),
    "invoices": ("date", ("issued_on",)),
    "resource_tax": ("date", ("issued_on",)),
    "customs": ("date", ("declared_on",)),
    "environment": ("date", ("recorded_on",)),
    "tipoffs": ("date", ("received_on",)),
    "penalties": ("date", ("decided_on",)),
    "licenses": ("date", ("valid_from", "valid_to")),
}


def as_of_for(year: int, today: dt.date) -> dt.date:
    """Today for the current year, the last day of a past year."""
    return min(today, dt.date(year, 12, 31))


def _year_of(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.year
    text = str(value).strip()[:4]
    return int(text) if text.isdigit() else None  # a form's raw text that did not parse was refused anyway


def finding_years(engine: Engine) -> set[int]:
    """The years the ledger already holds."""
    with engine.connect() as conn:
        return {int(y) for y in conn.execute(select(FindingRecord.year).distinct())}


def every_year(engine: Engine) -> set[int]:
    """What an undated change (the enterprise directory) bears on: every year with data or findings."""
    from supervision.core.principal import SYSTEM
    from supervision.read.queries import data_years

    return finding_years(engine) | set(data_years(engine, SYSTEM))


def years_of_import(engine: Engine, import_id: int, tables: Iterable[str]) -> set[int]:
    """The years of the rows an accepted package inserted or replaced (rows carry their batch's id)."""
    years: set[int] = set()
    undated = False
    with engine.connect() as conn:
        for table in tables:
            if table not in _DATING:
                undated = True
                continue
            kind, columns = _DATING[table]
            model: Any = DATA_MODELS[table]
            for column in columns:
                c = getattr(model, column)
                low, high = conn.execute(select(func.min(c), func.max(c)).where(model.import_id == import_id)).one()
                first, last = _year_of(low), _year_of(high)
                if first is not None and last is not None:
                    span = set(range(first, last + 1))
                    # A licence's validity may reach back before any data: it bears only on years with data.
                    years |= span & every_year(engine) if table == "licenses" else span
    if undated:
        years |= every_year(engine)
    return years


def years_of_records(engine: Engine, table: str, records: Iterable[Mapping[str, Any]]) -> set[int]:
    """The years of rows a form saved (values keyed like the spec's columns).

    An undated row (an enterprise) syncs the latest year only: a form save must not wait for a check run of
    every year (about 4 s each at province scale); earlier years catch up at the next import or full sync.
    """
    if table not in _DATING:
        years = every_year(engine)
        return {max(years)} if years else set()
    kind, columns = _DATING[table]
    return {y for r in records for c in columns if (y := _year_of(r.get(c))) is not None}


def sync_years(engine: Engine, settings: Settings, years: Iterable[int],
               today: dt.date | None = None) -> list[SyncResult]:
    """Sync each year as of today (a past year as of its end); years after today are skipped."""
    today = today or local_today()
    return [sync_findings(engine, settings, y, as_of_for(y, today), day=today)
            for y in sorted(set(years)) if y <= today.year]
