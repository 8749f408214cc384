"""The audit record of each kind of write: import replacement, form insert/update/delete, account changes."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from auth_support import OWN, PASSWORD, PRINCIPALS, E, add_account, fast, seed, seed_tables, write_package
from sqlalchemy import Engine, select

from supervision.access import accounts, audit, signin, wall_links
from supervision.access.permissions import PermissionDenied
from supervision.core.clock import today_local
from supervision.core.config import Settings
from supervision.core.principal import SYSTEM, Role
from supervision.entry.writes import WriteConflict, delete_row, save_row
from supervision.ingest.importer import import_package
from supervision.storage.models import AuditEntry, User


def entries(engine: Engine, **where: Any) -> list[Any]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, column) == value)
    with engine.connect() as conn:
        return list(conn.execute(stmt))


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


def test_import_replacement_is_recorded_with_old_and_new(world: dict[str, Any], db: Engine, settings: Settings,
                                                         tmp_path: Path) -> None:
    header, rows, _ = seed_tables()["quotas"]
    row = list(rows[0])
    row[header.index("quota_t")] = "123.456"
    officer = PRINCIPALS["工信局"]
    report = import_package(write_package(tmp_path / "q", {"quotas": (header, [row], [])}), db, settings,
                            actor=audit.actor_label(officer), principal=officer)
    assert report.written
    found = entries(db, action="replace")
    assert len(found) == 1
    entry = found[0]
    assert entry.actor == "工信局经办（gxj）" and entry.table_name == "quotas"
    assert entry.record_key == f"2019|1|{E[0]}|冶炼分离"
    assert entry.old_values == {"quota_t": "100"} and entry.new_values == {"quota_t": "123.456"}
    assert entry.import_id == report.import_id


def test_form_insert_update_delete_are_recorded(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    officer = PRINCIPALS["浮桥镇人员"]
    values = {"tipoff_id": "JB9001", "received_on": dt.date(2019, 9, 1), "township": OWN, "subject_name": "某企业",
              "summary": "夜间偷运", "status": "已受理"}
    inserted = save_row(db, officer, settings.security, "tipoffs", values)
    assert inserted.action == "insert" and inserted.version == 1
    updated = save_row(db, officer, settings.security, "tipoffs", {**values, "status": "核查中"},
                       expected_version=1)
    assert updated.action == "update" and updated.version == 2
    # A form opened before that save may not overwrite it.
    with pytest.raises(WriteConflict):
        save_row(db, officer, settings.security, "tipoffs", {**values, "status": "已办结"}, expected_version=1)
    assert save_row(db, officer, settings.security, "tipoffs", {**values, "status": "核查中"}).action == "unchanged"
    delete_row(db, officer, settings.security, "tipoffs", {"tipoff_id": "JB9001"}, expected_version=2)
    found = entries(db, table_name="tipoffs")
    assert [e.action for e in found] == ["insert", "update", "delete"]
    assert all(e.actor == "浮桥镇经办（fq）" and e.record_key == "JB9001" for e in found)
    assert found[0].old_values is None and found[0].new_values["summary"] == "夜间偷运"
    assert found[0].new_values["received_on"] == "2019-09-01"
    assert found[1].old_values == {"status": "已受理"} and found[1].new_values == {"status": "核查中"}
    assert found[2].old_values["status"] == "核查中" and found[2].new_values is None


def test_a_refused_form_write_leaves_no_trace_and_no_change(world: dict[str, Any], db: Engine,
                                                            settings: Settings) -> None:
    before = len(entries(db))
    values = {"tipoff_id": "JB9002", "received_on": dt.date(2019, 9, 1), "township": "城厢镇", "status": "已受理"}
    with pytest.raises(PermissionDenied):
        save_row(db, PRINCIPALS["浮桥镇人员"], settings.security, "tipoffs", values)
    assert len(entries(db)) == before


def test_account_changes_are_recorded_without_secrets(db: Engine, settings: Settings) -> None:
    security = fast(settings.security)
    accounts.create_user(db, SYSTEM, security, username="audited", display_name="被审计人", role=Role.TOWNSHIP,
                         township=OWN, password=PASSWORD)
    accounts.update_user(db, SYSTEM, security, "audited", role=Role.BUREAU, department="海关")
    accounts.set_password(db, SYSTEM, security, "audited", "Another-Pass-77")
    accounts.update_user(db, SYSTEM, security, "audited", disabled=True)
    found = entries(db, table_name="users", record_key="audited")
    assert [e.action for e in found] == ["insert", "update", "update", "update"]
    assert found[0].new_values["角色"] == "镇区人员" and found[0].new_values["镇区"] == OWN
    assert found[1].old_values == {"角色": "镇区人员", "镇区": OWN, "部门": None}
    assert found[1].new_values == {"角色": "局办人员", "镇区": None, "部门": "海关"}
    assert found[2].new_values == {"密码": "已重置（须修改）"}
    assert found[3].old_values == {"停用": False} and found[3].new_values == {"停用": True}
    with db.connect() as conn:
        digest = conn.execute(select(User.password_hash).where(User.username == "audited")).scalar_one()
    log_text = str([(e.old_values, e.new_values) for e in entries(db)])
    for secret in (PASSWORD, "Another-Pass-77", digest):
        assert secret not in log_text


def test_sign_in_events_and_screen_links_are_recorded(db: Engine, settings: Settings) -> None:
    security = fast(settings.security)
    add_account(db, settings, "events", Role.LEADER)
    signin.authenticate(db, "events", "wrong", security)
    signin.authenticate(db, "events", PASSWORD, security)
    token_id, _ = wall_links.create_screen_token(db, SYSTEM, "会议室", 7)
    wall_links.revoke_screen_token(db, SYSTEM, token_id)
    assert [e.action for e in entries(db, record_key="events")] == ["insert", "signin_bad", "signin"]
    assert [e.action for e in entries(db, table_name="link_tokens")] == ["insert", "update"]


def test_audit_query_filters(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    officer = PRINCIPALS["浮桥镇人员"]
    admin = PRINCIPALS["管理员"]
    save_row(db, officer, settings.security, "self_checks",
             {"uscc": E[0], "year": 2019, "submitted_on": dt.date(2019, 7, 20), "problems_found": 7})
    add_account(db, settings, "someone", Role.LEADER)
    everything, total = audit.audit_entries(db, admin, audit.AuditFilter())
    assert total == len(everything) == 3  # the seed's import, the self-check, the account
    assert list(everything["操作"]) == ["新增", "修改", "导入"]
    by_actor, _ = audit.audit_entries(db, admin, audit.AuditFilter(actor="fq"))
    assert list(by_actor["数据表"]) == ["企业自查表"]
    by_table, _ = audit.audit_entries(db, admin, audit.AuditFilter(tables=("users",)))
    assert list(by_table["记录"]) == ["someone"]
    by_action, _ = audit.audit_entries(db, SYSTEM, audit.AuditFilter(actions=("update",)))
    assert list(by_action["原值"]) == ["problems_found=0"] and list(by_action["新值"]) == ["problems_found=7"]
    by_key, _ = audit.audit_entries(db, SYSTEM, audit.AuditFilter(key=E[0][:10]))
    assert len(by_key) == 1
    today = today_local()
    assert audit.audit_entries(db, admin, audit.AuditFilter(start=today, end=today))[1] == 3
    assert audit.audit_entries(db, admin, audit.AuditFilter(end=today - dt.timedelta(days=1)))[1] == 0
    limited, total = audit.audit_entries(db, admin, audit.AuditFilter(limit=1))
    assert len(limited) == 1 and total == 3 and limited.iloc[0]["记录"] == "someone"  # newest first
    # LIKE wildcards typed into a filter are literal characters, not patterns.
    assert audit.audit_entries(db, admin, audit.AuditFilter(actor="%"))[1] == 0
    assert audit.audit_entries(db, admin, audit.AuditFilter(key="_"))[1] == 0


def test_audit_excel_export(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    admin = PRINCIPALS["管理员"]
    save_row(db, PRINCIPALS["浮桥镇人员"], settings.security, "self_checks",
             {"uscc": E[0], "year": 2019, "description": "=HYPERLINK(\"http://evil.example\",\"点击\")"})
    f = audit.AuditFilter(tables=("self_checks",))
    frame, _ = audit.audit_entries(db, admin, f)
    book = openpyxl.load_workbook(io.BytesIO(audit.audit_excel(frame, f, admin)))
    assert book.sheetnames == ["审计日志", "导出说明"]
    sheet = book["审计日志"]
    header = [c.value for c in sheet[1]]
    assert header == ["id", "时间", "操作人", "操作", "数据表", "记录", "原值", "新值", "导入批次"]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["操作人"] == "浮桥镇经办（fq）" and row["操作"] == "修改" and row["数据表"] == "企业自查表"
    # An administrator sees no business values (issue 20, item 6).
    assert row["新值"].endswith("description=＊") and row["记录"] == "＊＊＊"
    about = {r[0].value: r[1].value for r in book["导出说明"].iter_rows(min_row=2)}
    assert about["数据表"] == "企业自查表" and about["导出人"] == "管理员（admin1）" and about["行数"] == "1"
