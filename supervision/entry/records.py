"""What the data-entry forms read: records to pick and edit, with their versions, and a record's history.

Every function takes the principal and goes through `supervision.access.scope.scoped()`, like
supervision.read.queries, so a township officer can only pick, open or trace rows of their township.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, and_, func, select

from supervision.access.audit import ACTIONS
from supervision.access.scope import scoped
from supervision.core.clock import local_tz
from supervision.core.keys import record_key
from supervision.core.principal import Principal
from supervision.core.spec import TABLES_BY_KEY
from supervision.storage.models import (
    DATA_MODELS,
    AuditEntry,
    Enterprise,
    EnvironmentRecord,
    ImportBatch,
    InspectionScore,
    Penalty,
    ScoringItem,
    SelfCheck,
    Tipoff,
    TownshipReport,
)


def _frame(engine: Engine, stmt: Select[*tuple[Any, ...]]) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def enterprise_options(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    """The enterprises a form may refer to: code, name, township, category, status."""
    stmt = select(Enterprise.uscc, Enterprise.name, Enterprise.township, Enterprise.category, Enterprise.status)
    return _frame(engine, scoped(stmt, Enterprise, principal, township).order_by(Enterprise.township,
                                                                                 Enterprise.name))


def scoring_items(engine: Engine, principal: Principal, township: str | None = None,
                  year: int | None = None) -> pd.DataFrame:
    """The evaluation table (附件2) items, of one year or all; the same for every township."""
    stmt = select(ScoringItem.year, ScoringItem.item_code, ScoringItem.section, ScoringItem.item,
                  ScoringItem.max_score)
    if year is not None:
        stmt = stmt.where(ScoringItem.year == year)
    return _frame(engine, scoped(stmt, ScoringItem, principal, township).order_by(ScoringItem.year,
                                                                                  ScoringItem.item_code))


def inspection_scores(engine: Engine, principal: Principal, township: str | None = None,
                      year: int | None = None) -> pd.DataFrame:
    """Scores given to townships, with each row's version for the edit form."""
    stmt = select(InspectionScore.township, InspectionScore.year, InspectionScore.item_code, InspectionScore.score,
                  InspectionScore.inspected_on, InspectionScore.inspector, InspectionScore.note,
                  InspectionScore.version)
    if year is not None:
        stmt = stmt.where(InspectionScore.year == year)
    return _frame(engine, scoped(stmt, InspectionScore, principal, township).order_by(
        InspectionScore.township, InspectionScore.year, InspectionScore.item_code))


def tipoffs(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    """Tip-offs, newest first, with their versions."""
    model = Tipoff
    stmt = select(*(getattr(model, c.attribute) for c in TABLES_BY_KEY["tipoffs"].columns), model.version)
    return _frame(engine, scoped(stmt, model, principal, township).order_by(model.received_on.desc(),
                                                                            model.tipoff_id))


def _with_enterprise(model: type[Any], table: str) -> Select[Any]:
    columns = [getattr(model, c.attribute) for c in TABLES_BY_KEY[table].columns]
    return (select(*columns, model.version, Enterprise.name.label("enterprise_name"), Enterprise.township)
            .join(Enterprise, Enterprise.uscc == model.uscc))


def environment_records(engine: Engine, principal: Principal, township: str | None = None,
                        open_only: bool = False) -> pd.DataFrame:
    """Environment findings with the enterprise's name and township; `open_only`: not yet resolved."""
    stmt = _with_enterprise(EnvironmentRecord, "environment")
    if open_only:
        stmt = stmt.where(EnvironmentRecord.resolved_on.is_(None))
    return _frame(engine, scoped(stmt, EnvironmentRecord, principal, township).order_by(
        EnvironmentRecord.recorded_on.desc(), EnvironmentRecord.record_id))


def penalties(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    """Penalty decisions and blacklist entries, newest first."""
    stmt = _with_enterprise(Penalty, "penalties")
    return _frame(engine, scoped(stmt, Penalty, principal, township).order_by(Penalty.decided_on.desc(),
                                                                              Penalty.case_no))


def self_checks(engine: Engine, principal: Principal, township: str | None = None,
                year: int | None = None) -> pd.DataFrame:
    """Enterprises' self-check returns (附件1)."""
    stmt = _with_enterprise(SelfCheck, "self_checks")
    if year is not None:
        stmt = stmt.where(SelfCheck.year == year)
    return _frame(engine, scoped(stmt, SelfCheck, principal, township).order_by(SelfCheck.year.desc(),
                                                                                Enterprise.name))


def township_reports(engine: Engine, principal: Principal, township: str | None = None,
                     year: int | None = None) -> pd.DataFrame:
    """Townships' summary returns (附件3)."""
    columns = [getattr(TownshipReport, c.attribute) for c in TABLES_BY_KEY["township_reports"].columns]
    stmt = select(*columns, TownshipReport.version)
    if year is not None:
        stmt = stmt.where(TownshipReport.year == year)
    return _frame(engine, scoped(stmt, TownshipReport, principal, township).order_by(TownshipReport.year.desc(),
                                                                                     TownshipReport.township))


def self_check_status(engine: Engine, principal: Principal, township: str | None = None, *,
                      year: int) -> pd.DataFrame:
    """Every enterprise with its self-check of `year` if there is one (the rows of 附件3's list)."""
    stmt = (
        select(Enterprise.township, Enterprise.uscc, Enterprise.name, Enterprise.category, Enterprise.status,
               SelfCheck.submitted_on, SelfCheck.problems_found, SelfCheck.problems_rectified)
        .outerjoin(SelfCheck, and_(SelfCheck.uscc == Enterprise.uscc, SelfCheck.year == year))
    )
    return _frame(engine, scoped(stmt, Enterprise, principal, township).order_by(Enterprise.township,
                                                                                 Enterprise.name))


def township_totals(engine: Engine, principal: Principal, township: str | None = None, *,
                    year: int) -> pd.DataFrame:
    """Per township, what the self-checks of `year` add up to (a suggestion for 附件3's figures)."""
    stmt = (
        select(Enterprise.township,
               func.count(Enterprise.uscc).label("enterprises_total"),
               func.count(SelfCheck.uscc).label("enterprises_checked"),
               func.coalesce(func.sum(SelfCheck.problems_found), 0).label("problems_found"),
               func.coalesce(func.sum(SelfCheck.problems_rectified), 0).label("problems_rectified"))
        .outerjoin(SelfCheck, and_(SelfCheck.uscc == Enterprise.uscc, SelfCheck.year == year))
        .group_by(Enterprise.township)
    )
    frame = _frame(engine, scoped(stmt, Enterprise, principal, township).order_by(Enterprise.township))
    for column in ("enterprises_total", "enterprises_checked", "problems_found", "problems_rectified"):
        frame[column] = frame[column].astype(int)
    return frame


def _key_condition(table: str, key: Mapping[str, Any]) -> Any:
    spec = TABLES_BY_KEY[table]
    model = DATA_MODELS[table]
    return and_(*(getattr(model, c.attribute) == key[c.key] for c in spec.key_columns))


def load_record(engine: Engine, principal: Principal, table: str,
                key: Mapping[str, Any]) -> tuple[dict[str, Any], int] | None:
    """One row by its natural key as a spec-keyed record and its version, or None if absent or not visible."""
    spec = TABLES_BY_KEY[table]
    model = DATA_MODELS[table]
    stmt = scoped(select(model).where(_key_condition(table, key)), model, principal)
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    return {c.key: getattr(row, c.attribute) for c in spec.columns}, int(row.version)


def _local_text(at: Any) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M:%S")


def _values_text(table: str, values: Mapping[str, Any] | None, skip_empty: bool = False) -> str:
    if not values:
        return ""
    headers = {c.attribute: c.header for c in TABLES_BY_KEY[table].columns}
    headers.update({c.key: c.header for c in TABLES_BY_KEY[table].columns})
    # An insert lists only what was filled in; a change lists every changed column, emptied ones too.
    shown = [(k, val) for k, val in values.items() if not (skip_empty and val in (None, ""))]
    return "；".join(f"{headers.get(k, k)}={'' if val is None else val}" for k, val in shown)


def record_history(engine: Engine, principal: Principal, table: str, key: Mapping[str, Any]) -> pd.DataFrame:
    """Who changed a record, when, and from what to what (newest first); empty if the record is not visible.

    The audit log holds form writes and import replacements; a row an import inserted is traced by its
    import batch, which is listed as 导入新增 unless the log already holds that batch's entry.
    """
    columns = ["时间", "操作人", "操作", "原值", "新值"]
    found = load_record(engine, principal, table, key)
    if found is None:
        return pd.DataFrame(columns=columns)
    spec = TABLES_BY_KEY[table]
    key_text = record_key(tuple(found[0][c.key] for c in spec.key_columns))
    model = DATA_MODELS[table]
    with engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry).where(AuditEntry.table_name == table, AuditEntry.record_key == key_text)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        ).all()
        import_id = conn.execute(select(model.__table__.c.import_id)
                                 .where(_key_condition(table, key))).scalar_one_or_none()
        batch = None
        if import_id is not None and not any(e.import_id == import_id for e in entries):
            batch = conn.execute(select(ImportBatch).where(ImportBatch.id == import_id)).first()
    rows = [{
        "时间": _local_text(e.at), "操作人": e.actor, "操作": ACTIONS.get(e.action, e.action),
        "原值": _values_text(table, e.old_values),
        "新值": _values_text(table, e.new_values, skip_empty=e.old_values is None),
    } for e in entries]
    if batch is not None:
        rows.append({"时间": _local_text(batch.at), "操作人": batch.actor, "操作": "导入新增",
                     "原值": "", "新值": f"导入批次{batch.id}（{batch.source}）"})
        rows.sort(key=lambda r: r["时间"], reverse=True)
    return pd.DataFrame(rows, columns=columns)
