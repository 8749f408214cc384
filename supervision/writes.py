"""Single-row writes from forms: permission, township scope, optimistic locking and the audit entry in one go.

The values are already parsed (exact decimals, dates, resolved township names),
keyed by the spec's column keys as the importer's records are. Each call is one
transaction: the row, its audit entry and the data-version bump commit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from supervision import audit
from supervision.config import SecuritySettings
from supervision.db import bump_data_version
from supervision.importer import record_key
from supervision.models import DATA_MODELS, Enterprise
from supervision.permissions import PermissionDenied, row_refusal, table_refusal
from supervision.principal import Principal
from supervision.spec import TABLES_BY_KEY, TableSpec


class WriteConflict(Exception):
    """Someone else changed or removed the row since the form was opened (message in Chinese)."""


@dataclass(frozen=True)
class Saved:
    action: str  # "insert", "update", "delete" or "unchanged"
    key: str
    version: int


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


def save_row(engine: Any, principal: Principal, security: SecuritySettings, table: str,
             values: Mapping[str, Any], *, expected_version: int | None = None) -> Saved:
    """Insert or update one row by its natural key; `expected_version` guards against overwriting a newer save."""
    spec = TABLES_BY_KEY[table]
    model_table = DATA_MODELS[table].__table__
    record = {c.key: values.get(c.key, c.default) for c in spec.columns}
    key = tuple(record[c.key] for c in spec.key_columns)
    if any(part is None for part in key):
        raise ValueError(f"{spec.name}：主键不完整")
    key_text = record_key(key)
    with engine.begin() as conn:
        old = conn.execute(select(model_table).where(_key_condition(spec, key))).first()
        old_record = _as_record(spec, old) if old is not None else None
        _authorise(conn, principal, security, spec, record, *([old_record] if old_record else []))
        new_values = {c.attribute: record[c.key] for c in spec.columns}
        if old is None:
            if expected_version is not None:
                raise WriteConflict("该记录已被他人删除，请刷新后重新填写")
            try:
                conn.execute(insert(model_table).values(**new_values, version=1, import_id=None))
            except IntegrityError as exc:
                raise ValueError(f"{spec.name}：数据与已有记录冲突（{type(exc.orig).__name__}）") from None
            audit.record(conn, principal, "insert", table, key_text, None, record)
            bump_data_version(conn)
            return Saved("insert", key_text, 1)
        if expected_version is not None and old.version != expected_version:
            raise WriteConflict("该记录已被他人修改，请刷新后再保存")
        before, after = audit.changed(old_record or {}, record)
        if not after:
            return Saved("unchanged", key_text, old.version)
        version = old.version + 1
        done = conn.execute(update(model_table).where(_key_condition(spec, key), model_table.c.version == old.version)
                            .values(**new_values, version=version, import_id=None))
        if done.rowcount != 1:
            raise WriteConflict("该记录已被他人修改，请刷新后再保存")
        audit.record(conn, principal, "update", table, key_text, before, after)
        bump_data_version(conn)
        return Saved("update", key_text, version)


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
            raise WriteConflict("该记录不存在或已被删除")
        old_record = _as_record(spec, old)
        _authorise(conn, principal, security, spec, old_record)
        if expected_version is not None and old.version != expected_version:
            raise WriteConflict("该记录已被他人修改，请刷新后再删除")
        try:
            conn.execute(delete(model_table).where(_key_condition(spec, key)))
        except IntegrityError:
            raise ValueError(f"{spec.name}：仍有其他数据引用该记录，不能删除") from None
        audit.record(conn, principal, "delete", table, key_text, old_record, None)
        bump_data_version(conn)
        return Saved("delete", key_text, old.version)
