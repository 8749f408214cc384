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


@pytest.fixture
def security(settings: Settings) -> Any:
    from auth_support import fast

    from supervision.access.throttle import THROTTLE

    THROTTLE.clear()
    yield fast(settings.security)
    THROTTLE.clear()


def test_unknown_names_get_the_same_answers_as_accounts(db: Engine, settings: Settings, security: Any) -> None:
    """The lock-out message comes for an invented name as for a real one, after as many failures (9)."""
    import datetime as dt

    from auth_support import add_account

    from supervision.access import signin
    from supervision.core.principal import Role

    add_account(db, settings, "real", Role.LEADER)
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    answers: dict[str, list[str]] = {"real": [], "invented": []}
    for name in answers:
        for i in range(security.lockout_threshold + 1):
            # From different sources, so the per-source throttle stays out of the way.
            result = signin.authenticate(db, name, f"bad{i}", security, now=start, source=f"10.0.{i}.1")
            answers[name].append(result.message)
    assert answers["real"] == answers["invented"], answers
    assert "锁定" in answers["invented"][-1]


def test_one_source_cannot_lock_someone_elses_account(db: Engine, settings: Settings, security: Any) -> None:
    """A source is throttled before its failures reach the account's lock-out; the owner still signs in (9)."""
    from auth_support import PASSWORD, add_account

    from supervision.access import signin
    from supervision.core.principal import Role

    add_account(db, settings, "victim", Role.LEADER)
    answers = [signin.authenticate(db, "victim", f"guess{i}", security, source="203.0.113.9").message
               for i in range(security.lockout_threshold + 3)]
    assert not any("账号已锁定" in a for a in answers), answers
    assert answers[-1].startswith("尝试次数过多")
    # The throttled source's answer tells nothing: an invented name gets the same.
    assert signin.authenticate(db, "victim-not-here", "x", security, source="203.0.113.10").message \
        == signin.GENERIC_FAILURE
    assert signin.authenticate(db, "victim", PASSWORD, security, source="198.51.100.7").ok  # the owner's desk
    assert not signin.authenticate(db, "victim", PASSWORD, security, source="203.0.113.9").ok  # still throttled


def test_argon2_hashing_is_capped(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """However many sign-ins arrive at once, at most HASH_SLOTS argon2 verifications run together (7)."""
    import threading
    import time

    from argon2 import PasswordHasher

    from supervision.access import passwords, throttle

    running, peak, lock = 0, 0, threading.Lock()
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, stored: str, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.05)
            return real(self, stored, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    from auth_support import fast

    security = fast(settings.security)
    stored = passwords.hash_password("right", security)
    threads = [threading.Thread(target=passwords.verify_password, args=(stored, f"wrong{i}", security))
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert peak == throttle.HASH_SLOTS


def test_a_password_typed_as_the_name_stays_out_of_the_log(db: Engine, security: Any) -> None:
    """A failed sign-in with an unknown name stores only a digest of it (14)."""
    from sqlalchemy import select

    from supervision.access import signin
    from supervision.storage.models import AuditEntry

    typed = "Secret-Passw0rd!"
    signin.authenticate(db, typed, "whatever", security, source="10.1.1.1")
    with db.connect() as conn:
        rows = conn.execute(select(AuditEntry.actor, AuditEntry.record_key, AuditEntry.new_values)).all()
    assert rows and typed.lower() not in str(rows) and typed not in str(rows)
    assert rows[-1].record_key == signin.masked_name(typed.lower()) and rows[-1].record_key.startswith("未知用户#")
