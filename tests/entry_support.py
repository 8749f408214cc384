"""Shared helpers for the data-entry tests: a seeded world with one officer per kind of writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auth_support import OWN, add_account, new_app, seed, sign_in
from sqlalchemy import Engine, select

from supervision.core.config import Settings
from supervision.core.principal import Principal, Role
from supervision.storage.models import DATA_MODELS, AuditEntry

# username → (role, township, department)
OFFICERS: dict[str, tuple[Role, str | None, str | None]] = {
    "e.gxj": (Role.BUREAU, None, "工信局"),
    "e.gxj2": (Role.BUREAU, None, "工信局"),
    "e.hb": (Role.BUREAU, None, "生态环境局"),
    "e.hg": (Role.BUREAU, None, "海关"),
    "e.town": (Role.TOWNSHIP, OWN, None),
}


def principal_of(username: str) -> Principal:
    role, township, department = OFFICERS[username]
    return Principal(username, f"{username}经办", role, township=township, department=department)


def entry_world(engine: Engine, settings: Settings, folder: Path) -> dict[str, Any]:
    tables = seed(engine, settings, folder)
    for username, (role, township, department) in OFFICERS.items():
        add_account(engine, settings, username, role, township=township, department=department,
                    display_name=f"{username}经办")
    return tables


def open_page(username: str, page: str) -> Any:
    at = sign_in(new_app().run(), username)
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    model = DATA_MODELS[table]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(model.__table__))]


def audit_entries(engine: Engine, **where: Any) -> list[Any]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, column) == value)
    with engine.connect() as conn:
        return list(conn.execute(stmt))


def errors_text(at: Any) -> str:
    return "\n".join(e.value for e in at.error)
