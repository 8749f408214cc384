"""After an import or a form save has committed: record the findings of the years it touched."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from components.db import engine, settings
from supervision.lifecycle.hooks import sync_years, years_of_import, years_of_records

log = logging.getLogger(__name__)

FAILED = "数据已保存，但问题台账未能同步（可稍后由管理员运行 python -m supervision findings sync）"


def after_import(import_id: int | None, tables: Iterable[str]) -> str | None:
    """Sync the years a committed package touched; a note for the officer when that failed, else None."""
    if import_id is None:
        return None
    try:
        sync_years(engine(), settings(), years_of_import(engine(), import_id, list(tables)))
    except Exception:  # noqa: BLE001 - the import stands; the ledger catches up at the next sync
        log.exception("findings sync after import %s failed", import_id)
        return FAILED
    return None


def after_save(table: str, records: Iterable[Mapping[str, Any]]) -> str | None:
    """Sync the years of the rows a form saved; a note for the officer when that failed, else None."""
    try:
        sync_years(engine(), settings(), years_of_records(engine(), table, list(records)))
    except Exception:  # noqa: BLE001 - the save stands; the ledger catches up at the next sync
        log.exception("findings sync after saving %s failed", table)
        return FAILED
    return None
