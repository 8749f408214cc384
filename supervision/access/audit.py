"""The audit trail (留痕): who changed what, when, from which value to which.

Imports write their own entries (action "replace", see supervision.ingest.importer);
everything else (forms, account changes, sign-ins) writes through `record()`,
inside the same transaction as the change it describes, so a change and its
trace are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.orm import Session

from supervision.access.permissions import require_role
from supervision.core.clock import local_tz, now_local, to_local
from supervision.core.principal import Principal, Role, is_system
from supervision.core.safety import xlsx_bytes
from supervision.storage.models import AuditEntry

# Shown to people in Taicang; stored in UTC.

# Action codes (audit_log.action holds at most 10 characters) and how the page names them.
ACTIONS: dict[str, str] = {
    "import": "导入",
    "replace": "导入替换",
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "signin": "登录成功",
    "signin_bad": "登录失败",
    "lockout": "账号锁定",
    "signout": "退出登录",
    "timeout": "超时退出",
    "transition": "问题流转",
    "sync": "问题同步",
}

# Tables that are not business data but are audited too.
OTHER_TABLES: dict[str, str] = {"users": "用户账号", "link_tokens": "大屏链接", "import_batches": "导入批次",
                                "findings": "问题台账"}

MAX_ROWS = 5000


def actor_label(actor: Principal | str) -> str:
    """How the log names a person: display name and the unique account name."""
    if isinstance(actor, str):
        return actor
    if is_system(actor):
        return actor.display_name  # "系统（命令行）": the operator's command line, not a person's account
    if actor.display_name == actor.username:
        return actor.username
    return f"{actor.display_name}（{actor.username}）"


def jsonable(value: Any) -> Any:
    """A value as the log stores it: exact decimals and dates as text, as the importer does."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Role):
        return value.value
    return value


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns that differ, as (old values, new values)."""
    keys = [k for k in new if jsonable(old.get(k)) != jsonable(new.get(k))]
    return {k: jsonable(old.get(k)) for k in keys}, {k: jsonable(new.get(k)) for k in keys}


def record(
    conn: Connection | Session,
    actor: Principal | str,
    action: str,
    table: str,
    key: str,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
    import_id: int | None = None,
) -> None:
    """Write one audit entry in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(insert(AuditEntry).values(
        at=at or dt.datetime.now(dt.UTC),
        actor=actor_label(actor),
        action=action,
        table_name=table,
        record_key=key,
        old_values=None if old is None else {k: jsonable(v) for k, v in old.items()},
        new_values=None if new is None else {k: jsonable(v) for k, v in new.items()},
        import_id=import_id,
    ))


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page asks for; every field narrows, empty fields do not."""

    start: dt.date | None = None  # local dates, inclusive
    end: dt.date | None = None
    actor: str = ""  # part of the actor's name
    actions: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    key: str = ""  # part of the record key
    import_id: int | None = None
    limit: int = MAX_ROWS


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), local_tz()).astimezone(dt.UTC)


def _conditions(f: AuditFilter) -> list[Any]:
    conds: list[Any] = []
    if f.start is not None:
        conds.append(AuditEntry.at >= _local_midnight_utc(f.start))
    if f.end is not None:
        conds.append(AuditEntry.at < _local_midnight_utc(f.end + dt.timedelta(days=1)))
    if f.actor.strip():
        conds.append(AuditEntry.actor.contains(f.actor.strip(), autoescape=True))
    if f.actions:
        conds.append(AuditEntry.action.in_(f.actions))
    if f.tables:
        conds.append(AuditEntry.table_name.in_(f.tables))
    if f.key.strip():
        conds.append(AuditEntry.record_key.contains(f.key.strip(), autoescape=True))
    if f.import_id is not None:
        conds.append(AuditEntry.import_id == f.import_id)
    return conds


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _table_name(key: str) -> str:
    from supervision.core.spec import TABLES_BY_KEY

    if key in TABLES_BY_KEY:
        return TABLES_BY_KEY[key].name
    return OTHER_TABLES.get(key, key)


def _values_text(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    return "；".join(f"{k}={'' if v is None else v}" for k, v in values.items())


MASK = "＊"


def masks_business_data(principal: Principal) -> bool:
    """Whether the log is shown without business values: to administrators, who by design see no business data.

    Entries about accounts, wall links and imports stay readable (that is the administrator's work); for rows of
    business tables they see who changed which table when and which columns, never the values or the row's key.
    The command line (SYSTEM, the server's operator) sees everything.
    """
    return principal.role is Role.ADMIN and not is_system(principal)


def _masked_text(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    return "；".join(f"{k}={MASK}" for k in values)


def audit_entries(engine: Engine, principal: Principal, f: AuditFilter) -> tuple[pd.DataFrame, int]:
    """The newest entries matching the filter (at most f.limit) and how many match in all. Administrators only."""
    require_role(principal, Role.ADMIN)
    masked = masks_business_data(principal)
    conds = _conditions(f)
    if masked and f.key.strip():
        # Searching business rows by key would tell which enterprise codes have entries.
        conds.append(AuditEntry.table_name.in_(tuple(OTHER_TABLES)))
    stmt = select(AuditEntry).where(*conds).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(f.limit)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(AuditEntry).where(*conds)).scalar_one())
        rows = conn.execute(stmt).all()
    records = [{
        "id": r.id,
        "时间": to_local(r.at).strftime("%Y-%m-%d %H:%M:%S"),
        "操作人": r.actor,
        "操作": ACTIONS.get(r.action, r.action),
        "数据表": _table_name(r.table_name),
        "记录": MASK * 3 if hidden else r.record_key,
        "原值": _masked_text(r.old_values) if hidden else _values_text(r.old_values),
        "新值": _masked_text(r.new_values) if hidden else _values_text(r.new_values),
        "导入批次": r.import_id,
    } for r in rows for hidden in [masked and r.table_name not in OTHER_TABLES]]
    columns = ["id", "时间", "操作人", "操作", "数据表", "记录", "原值", "新值", "导入批次"]
    frame = pd.DataFrame(records, columns=columns)
    frame["导入批次"] = frame["导入批次"].astype("Int64")
    return frame, total


def audit_actors(engine: Engine, principal: Principal) -> list[str]:
    """Everyone who appears in the log, for the filter's choices. Administrators only."""
    require_role(principal, Role.ADMIN)
    with engine.connect() as conn:
        return list(conn.execute(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)).scalars())


def audit_excel(frame: pd.DataFrame, f: AuditFilter, exported_by: Principal) -> bytes:
    """The entries as an .xlsx workbook, every text cell neutralised, with a sheet saying what was exported."""
    now = now_local().strftime("%Y-%m-%d %H:%M")
    about = pd.DataFrame({
        "项目": ["导出时间", "导出人", "起始日期", "截止日期", "操作人包含", "操作", "数据表", "记录包含", "行数"],
        "内容": [
            now,
            actor_label(exported_by),
            f.start.isoformat() if f.start else "不限",
            f.end.isoformat() if f.end else "不限",
            f.actor or "不限",
            "、".join(ACTIONS.get(a, a) for a in f.actions) or "不限",
            "、".join(_table_name(t) for t in f.tables) or "不限",
            f.key or "不限",
            str(len(frame)),
        ],
    })
    return xlsx_bytes({"审计日志": frame, "导出说明": about})
