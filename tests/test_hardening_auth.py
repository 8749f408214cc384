"""Issue 20 on accounts and the audit log: 6 (admins see no business values in the log), 7 and 9 (sign-in
throttles, bounded hashing, no user enumeration), 14 (unknown names masked, append-only log on PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from auth_support import PRINCIPALS, E, seed
from sqlalchemy import Engine

from supervision.access import audit
from supervision.core.config import Settings
from supervision.core.principal import SYSTEM
from supervision.entry.writes import save_row


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


def test_admin_audit_view_and_export_hide_business_values(world: dict[str, Any], db: Engine,
                                                          settings: Settings) -> None:
    """Codes and old → new values of business rows are masked for administrators, on screen and in the export (6)."""
    admin = PRINCIPALS["管理员"]
    secret = "自查发现危废暂存不规范"
    save_row(db, PRINCIPALS["浮桥镇人员"], settings.security, "self_checks",
             {"uscc": E[0], "year": 2019, "problems_found": 9, "description": secret})
    frame, _ = audit.audit_entries(db, admin, audit.AuditFilter())
    export = audit.audit_excel(frame, audit.AuditFilter(), admin)
    cells = [str(c) for row in openpyxl.load_workbook(io.BytesIO(export))["审计日志"].iter_rows(values_only=True)
             for c in row]
    for shown in ([str(c) for c in frame.to_numpy().ravel()], cells):
        text = " ".join(shown)
        assert E[0] not in text and secret not in text and "=9" not in text, text
    change = frame[frame["数据表"] == "企业自查表"].iloc[0]
    assert change["操作人"] == "浮桥镇经办（fq）" and change["记录"] == "＊＊＊"
    assert "description=＊" in change["新值"] and "problems_found=＊" in change["新值"]
    assert audit.audit_entries(db, admin, audit.AuditFilter(key=E[0]))[1] == 0  # no probing by key either
    # Account entries stay readable: that is the administrator's own work.
    accounts, _ = audit.audit_entries(db, admin, audit.AuditFilter(tables=("users",)))
    assert all("＊" not in r for r in accounts["记录"])
    full, _ = audit.audit_entries(db, SYSTEM, audit.AuditFilter(key=E[0]))
    assert secret in full.iloc[0]["新值"]  # the command line (the server's operator) sees everything


def test_audit_log_is_append_only_on_postgresql(db: Engine, settings: Settings) -> None:
    """UPDATE, DELETE and TRUNCATE of audit_log are refused for the application's connection (14)."""
    from sqlalchemy import delete, func, select, text, update
    from sqlalchemy.exc import DBAPIError

    from supervision.storage.models import AuditEntry

    with db.begin() as conn:
        audit.record(conn, SYSTEM, "insert", "users", "kept", None, {"姓名": "留痕"})
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite has no role to restrict: the guard is PostgreSQL's (see migration 0005)")
    for statement in (update(AuditEntry).values(actor="改写"), delete(AuditEntry), text("TRUNCATE audit_log")):
        with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(statement)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 1
        assert conn.execute(select(AuditEntry.actor)).scalar_one() == "系统（命令行）"
