"""Read queries for the pages: aggregated in the database, scoped by principal, returned as DataFrames."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, func, select

from supervision.models import (
    DATA_MODELS,
    Customs,
    Enterprise,
    EnvironmentRecord,
    ImportBatch,
    InspectionScore,
    Invoice,
    License,
    MonthlyReport,
    Penalty,
    Quota,
    ResourceTax,
    ScoringItem,
    SelfCheck,
    Tipoff,
    Township,
    TownshipReport,
    Traceability,
)
from supervision.principal import Principal
from supervision.scope import scoped
from supervision.spec import CATEGORIES, TABLES_BY_KEY

# The business date that says how current each table is ("数据截至").
_AS_OF_COLUMN: dict[type[Any], Any] = {
    Quota: Quota.year,
    MonthlyReport: MonthlyReport.period,
    Invoice: Invoice.issued_on,
    Traceability: Traceability.period,
    ResourceTax: ResourceTax.issued_on,
    License: License.valid_from,
    Customs: Customs.declared_on,
    EnvironmentRecord: EnvironmentRecord.recorded_on,
    SelfCheck: SelfCheck.submitted_on,
    TownshipReport: TownshipReport.submitted_on,
    ScoringItem: ScoringItem.year,
    InspectionScore: InspectionScore.inspected_on,
    Tipoff: Tipoff.received_on,
    Penalty: Penalty.decided_on,
}


def _frame(engine: Engine, stmt: Select[Any]) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def townships(engine: Engine, principal: Principal) -> pd.DataFrame:
    """The townships the principal may see, in the jurisdiction's order."""
    stmt = select(Township.name, Township.short_name, Township.kind, Township.seat_lon, Township.seat_lat)
    if principal.township_scope:
        stmt = stmt.where(Township.name == principal.township_scope)
    return _frame(engine, stmt.order_by(Township.sort_order))


def enterprise_counts(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    """Enterprises by township and category (every pair present, zero where none)."""
    stmt = select(Enterprise.township, Enterprise.category, func.count().label("n")).group_by(
        Enterprise.township, Enterprise.category
    )
    counts = _frame(engine, scoped(stmt, Enterprise, principal, township))
    towns = townships(engine, principal)["name"].tolist()
    if township:
        towns = [t for t in towns if t == township]
    grid = pd.MultiIndex.from_product([towns, list(CATEGORIES)], names=["township", "category"])
    out = counts.set_index(["township", "category"]).reindex(grid, fill_value=0).reset_index()
    out["n"] = out["n"].astype(int)
    return out


def enterprise_status_counts(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    stmt = select(Enterprise.status, func.count().label("n")).group_by(Enterprise.status)
    return _frame(engine, scoped(stmt, Enterprise, principal, township))


def table_freshness(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    """Per table: rows visible to the principal, the latest business date and the latest import."""
    rows: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for key, model in DATA_MODELS.items():
            as_of = _AS_OF_COLUMN.get(model)
            columns = [func.count().label("n"), func.max(model.import_id).label("last_import")]
            if as_of is not None:
                columns.append(func.max(as_of).label("as_of"))
            found = conn.execute(scoped(select(*columns), model, principal, township)).one()
            imported_at = None
            if found.last_import is not None:
                imported_at = conn.execute(
                    select(ImportBatch.at).where(ImportBatch.id == found.last_import)
                ).scalar_one_or_none()
            rows.append({
                "table": key,
                "name": TABLES_BY_KEY[key].name,
                "rows": int(found.n),
                "as_of": None if as_of is None or found.as_of is None else str(found.as_of),
                "imported_at": imported_at,
            })
    return pd.DataFrame(rows)


DEMO_ACTOR = "演示数据生成器"


def holds_demo_data(engine: Engine) -> bool:
    """Whether any accepted package came from the demo generator (its enterprises are fictional)."""
    with engine.connect() as conn:
        found = conn.execute(select(ImportBatch.id).where(ImportBatch.actor == DEMO_ACTOR).limit(1)).first()
    return found is not None
