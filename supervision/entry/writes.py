"""Writes from forms: permission, township scope, optimistic locking and the audit entry in one go.

The values are already parsed (exact decimals, dates, resolved township names),
keyed by the spec's column keys as the importer's records are. Each call is one
transaction: the rows, their audit entries and the data-version bump commit
together, so a form that saves several rows (a township's inspection scores)
saves all of them or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from supervision.access import audit
from supervision.access.permissions import PermissionDenied, row_refusal, table_refusal
from supervision.core.clock import local_tz
from supervision.core.config import SecuritySettings
from supervision.core.keys import record_key
from supervision.core.principal import Principal
from supervision.core.spec import TABLES_BY_KEY, TableSpec
from supervision.storage.db import bump_data_version
from supervision.storage.models import DATA_MODELS, AuditEntry, Enterprise, ImportBatch


class WriteConflict(Exception):
    """Someone else changed, removed or created the row since the form was opened (message in Chinese).

    `changed_by` and `changed_at` name the latest change the audit log knows of, so the page can say
    who got there first; `current_version` is the row's version now (None when it no longer exists).
    """

    def __init__(self, message: str, *, key: str = "", changed_by: str | None = None,
                 changed_at: dt.datetime | None = None, current_version: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version


@dataclass(frozen=True)
class Saved:
    action: str  # "insert", "update", "delete" or "unchanged"
    key: str
    version: int


@dataclass(frozen=True)
class RowWrite:
    """One row a form saves: its values and what the form knew about it when it was opened.

    expected_version: the version the form loaded (None: no check, the row is written whatever it holds).
    create_only: the form registers a new record; an existing row with the same key is a conflict,
    never silently replaced.
    """

    values: Mapping[str, Any]
    expected_version: int | None = None
    create_only: bool = False


_USCC_COLUMNS = ("uscc", "seller_uscc", "buyer_uscc")


def _enterprise_townships(conn: Connection, *records: Mapping[str, Any]) -> dict[str, str]:
    codes = {r.get(c) for r in records for c in _USCC_COLUMNS if isinstance(r.get(c), str)}
    if not codes:
        return {}
    rows = conn.execute(select(Enterprise.uscc, Enterprise.township).where(Enterprise.uscc.in_(codes)))
    return {u: t for u, t in rows}


def _as_record(spec: TableSpec, row: Any) -> dict[str, Any]:
    """A stored row as a record keyed like the spec (and the importer)."""
    return {c.key: getattr(row, c.attribute) for c in spec.columns}


def _authorise(conn: Connection, principal: Principal, security: SecuritySettings, spec: TableSpec,
               *records: Mapping[str, Any]) -> None:
    refusal = table_refusal(principal, spec.key, security)
    if refusal:
        raise PermissionDenied(refusal)
    towns = _enterprise_townships(conn, *records)
    for rec in records:
        refusal = row_refusal(principal, spec.key, rec, towns)
        if refusal:
            raise PermissionDenied(refusal)


def _key_condition(spec: TableSpec, key: tuple[Any, ...]) -> Any:
    table = DATA_MODELS[spec.key].__table__
    return and_(*(table.c[c.attribute] == part for c, part in zip(spec.key_columns, key, strict=True)))


def last_change(conn: Connection, table: str, key_text: str,
                import_id: int | None = None) -> tuple[str, dt.datetime, str] | None:
    """The latest recorded change of a row: (who, when in local time, action name), from the audit log.

    A row an import inserted has no audit entry of its own (the batch traces it); its batch answers then.
    """
    entry = conn.execute(
        select(AuditEntry.actor, AuditEntry.at, AuditEntry.action)
        .where(AuditEntry.table_name == table, AuditEntry.record_key == key_text)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1)
    ).first()
    batch = None
    if import_id is not None:
        batch = conn.execute(select(ImportBatch.actor, ImportBatch.at, ImportBatch.source)
                             .where(ImportBatch.id == import_id)).first()
    found: list[tuple[str, dt.datetime, str]] = []
    if entry is not None:
        found.append((entry.actor, _local(entry.at), audit.ACTIONS.get(entry.action, entry.action)))
    if batch is not None:
        found.append((batch.actor, _local(batch.at), f"导入（{batch.source}）"))
    return max(found, key=lambda f: f[1]) if found else None


def _local(at: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(local_tz())


def _conflict(conn: Connection, table: str, key_text: str, situation: str, row: Any | None) -> WriteConflict:
    change = last_change(conn, table, key_text, None if row is None else row.import_id)
    version = None if row is None else row.version
    if change is None:
        return WriteConflict(situation, key=key_text, current_version=version)
    who, when, action = change
    return WriteConflict(f"{situation}（最近一次：{when:%Y-%m-%d %H:%M} 由“{who}”{action}）",
                         key=key_text, changed_by=who, changed_at=when, current_version=version)


def _save(conn: Connection, principal: Principal, security: SecuritySettings, spec: TableSpec,
          row: RowWrite) -> Saved:
    model_table = DATA_MODELS[spec.key].__table__
    record = {c.key: row.values.get(c.key, c.default) for c in spec.columns}
    key = tuple(record[c.key] for c in spec.key_columns)
    if any(part is None for part in key):
        raise ValueError(f"{spec.name}：主键不完整")
    key_text = record_key(key)
    old = conn.execute(select(model_table).where(_key_condition(spec, key))).first()
    old_record = _as_record(spec, old) if old is not None else None
    _authorise(conn, principal, security, spec, record, *([old_record] if old_record else []))
    new_values = {c.attribute: record[c.key] for c in spec.columns}
    if old is None:
        if row.expected_version is not None:
            raise _conflict(conn, spec.key, key_text, "该记录已被他人删除，您的输入尚未保存", None)
        try:
            conn.execute(insert(model_table).values(**new_values, version=1, import_id=None))
        except IntegrityError as exc:
            raise ValueError(f"{spec.name}：数据与已有记录冲突（{type(exc.orig).__name__}）") from None
        audit.record(conn, principal, "insert", spec.key, key_text, None, record)
        return Saved("insert", key_text, 1)
    if row.create_only:
        raise _conflict(conn, spec.key, key_text,
                        f"编号为“{key_text}”的记录已存在，未保存；如需修改请先选择该记录", old)
    if row.expected_version is not None and old.version != row.expected_version:
        raise _conflict(conn, spec.key, key_text, "该记录在您打开后已被他人修改，您的输入尚未保存", old)
    before, after = audit.changed(old_record or {}, record)
    if not after:
        return Saved("unchanged", key_text, old.version)
    version = old.version + 1
    done = conn.execute(update(model_table).where(_key_condition(spec, key), model_table.c.version == old.version)
                        .values(**new_values, version=version, import_id=None))
    if done.rowcount != 1:
        raise _conflict(conn, spec.key, key_text, "该记录在您打开后已被他人修改，您的输入尚未保存", old)
    audit.record(conn, principal, "update", spec.key, key_text, before, after)
    return Saved("update", key_text, version)


def save_rows(engine: Any, principal: Principal, security: SecuritySettings, table: str,
              rows: Sequence[RowWrite]) -> list[Saved]:
    """Insert or update several rows of one table by natural key, all in one transaction or none."""
    spec = TABLES_BY_KEY[table]
    with engine.begin() as conn:
        saved = [_save(conn, principal, security, spec, row) for row in rows]
        if any(s.action != "unchanged" for s in saved):
            bump_data_version(conn)
    return saved


def save_row(engine: Any, principal: Principal, security: SecuritySettings, table: str,
             values: Mapping[str, Any], *, expected_version: int | None = None, create_only: bool = False) -> Saved:
    """Insert or update one row by its natural key; `expected_version` guards against overwriting a newer save."""
    return save_rows(engine, principal, security, table,
                     [RowWrite(values, expected_version, create_only)])[0]


def delete_row(engine: Any, principal: Principal, security: SecuritySettings, table: str,
               key_values: Mapping[str, Any], *, expected_version: int | None = None) -> Saved:
    """Remove one row by its natural key, keeping its last values in the audit log."""
    spec = TABLES_BY_KEY[table]
    model_table = DATA_MODELS[table].__table__
    key = tuple(key_values[c.key] for c in spec.key_columns)
    key_text = record_key(key)
    with engine.begin() as conn:
        old = conn.execute(select(model_table).where(_key_condition(spec, key))).first()
        if old is None:
            raise _conflict(conn, table, key_text, "该记录不存在或已被删除", None)
        old_record = _as_record(spec, old)
        _authorise(conn, principal, security, spec, old_record)
        if expected_version is not None and old.version != expected_version:
            raise _conflict(conn, table, key_text, "该记录在您打开后已被他人修改，未删除", old)
        try:
            conn.execute(delete(model_table).where(_key_condition(spec, key)))
        except IntegrityError:
            raise ValueError(f"{spec.name}：仍有其他数据引用该记录，不能删除") from None
        audit.record(conn, principal, "delete", table, key_text, old_record, None)
        bump_data_version(conn)
        return Saved("delete", key_text, old.version)
