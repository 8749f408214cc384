"""What each role may open and write. Reading is scoped in supervision.access.scope; this decides the rest.

- 领导 reads everything and writes nothing.
- 局办人员 reads everything and writes the tables of their department ([security.write_tables]).
- 镇区人员 reads and writes only rows of their township, in the tables listed under "镇区".
- 管理员 manages accounts, wall-screen links and the audit log; no business data.
- 大屏 (a link token) reads the overview and the map, nothing else.
- The command line (principal.SYSTEM) does everything; it is the server's operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supervision.access.scope import record_townships
from supervision.core.config import TOWNSHIP_WRITE_KEY, SecuritySettings
from supervision.core.principal import Principal, Role, is_system
from supervision.core.spec import TABLES_BY_KEY


class PermissionDenied(Exception):
    """The principal may not do this; the message (Chinese) may be shown to the user."""


_READERS = frozenset({Role.LEADER, Role.BUREAU, Role.TOWNSHIP})
_EVERYONE = frozenset(Role)

# Page key (the url_path in app.py) → roles that may open it. A page missing here is open to nobody,
# so a new page stays hidden until someone decides who may see it.
PAGE_ROLES: dict[str, frozenset[Role]] = {
    "overview": _READERS | {Role.SCREEN},
    "map": _READERS | {Role.SCREEN},
    "quota": _READERS,
    "flows": _READERS,
    "progress": _READERS,
    "scoring": _READERS,
    "enterprises": _READERS,
    "tipoffs": _READERS,
    "findings": _READERS,
    "meeting": _READERS,  # meeting pack and reports (issue 7), each scoped to the reader's townships
    "data_entry": frozenset({Role.BUREAU, Role.TOWNSHIP}),
    # Forms (issue 6). Which department may save is still decided per table by writable_tables();
    # a page here only says who may open it. Scoring, penalties and environment records are bureau work.
    "form_scores": frozenset({Role.BUREAU}),
    "form_tipoffs": frozenset({Role.BUREAU, Role.TOWNSHIP}),
    "form_penalties": frozenset({Role.BUREAU}),
    "form_environment": frozenset({Role.BUREAU}),
    "form_self_checks": frozenset({Role.BUREAU, Role.TOWNSHIP}),
    "form_township_reports": frozenset({Role.BUREAU, Role.TOWNSHIP}),
    "users": frozenset({Role.ADMIN}),
    "audit": frozenset({Role.ADMIN}),
    "account": _EVERYONE - {Role.SCREEN},
    "help": _EVERYONE - {Role.SCREEN},
}


# Pages that exist to write: they belong in a menu only when the principal may write one of their tables
# (a 税务局 officer's menu has no self-check form that would only say "只能查看、不能填报").
# None means "any table the principal may write" (the upload page).
WRITE_PAGES: dict[str, tuple[str, ...] | None] = {
    "data_entry": None,
    "form_scores": ("inspection_scores",),
    "form_tipoffs": ("tipoffs",),
    "form_penalties": ("penalties",),
    "form_environment": ("environment",),
    "form_self_checks": ("self_checks",),
    "form_township_reports": ("township_reports",),
}


def may_open(principal: Principal | None, page: str, security: SecuritySettings | None = None) -> bool:
    """Whether the page belongs in this principal's navigation (and so can be reached at all).

    With `security`, a page that exists to write is left out for a principal who may write none of its tables.
    """
    if principal is None or principal.role not in PAGE_ROLES.get(page, frozenset()):
        return False
    if security is None or page not in WRITE_PAGES:
        return True
    writable = set(writable_tables(principal, security))
    tables = WRITE_PAGES[page]
    return bool(writable) if tables is None else bool(writable.intersection(tables))


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse unless the principal has one of `roles` (the command line always passes)."""
    if is_system(principal) or principal.role in roles:
        return
    names = "、".join(r.value for r in roles)
    raise PermissionDenied(f"此操作仅限{names}，当前账号“{principal.display_name}”为{principal.role.value}")


def writable_tables(principal: Principal, security: SecuritySettings) -> tuple[str, ...]:
    """The spec tables this principal may import or edit."""
    if is_system(principal):
        return tuple(TABLES_BY_KEY)
    if principal.role is Role.BUREAU and principal.department:
        return security.write_tables.get(principal.department, ())
    if principal.role is Role.TOWNSHIP and principal.township:
        return security.write_tables.get(TOWNSHIP_WRITE_KEY, ())
    return ()


def table_refusal(principal: Principal, table: str, security: SecuritySettings) -> str | None:
    """Why the principal may not write `table` at all, or None."""
    if table in writable_tables(principal, security):
        return None
    name = TABLES_BY_KEY[table].name if table in TABLES_BY_KEY else table
    if principal.role is Role.BUREAU:
        return f"{principal.department or '未设部门'}无权写入“{name}”（该表由其他部门负责报送）"
    if principal.role is Role.TOWNSHIP:
        return f"镇区人员无权写入“{name}”"
    return f"{principal.role.value}账号不能写入业务数据"


def row_refusal(principal: Principal, table: str, record: Mapping[str, Any],
                enterprise_township: Mapping[str, str]) -> str | None:
    """Why the principal may not write this row (township officers: only rows of their own township)."""
    own = principal.township_scope
    if own is None:
        return None
    towns = record_townships(table, record, enterprise_township)
    if not towns:
        return f"无法确定该行所属镇区，{own}的账号不能写入"
    if towns - {own}:
        # Never name the other township: that would tell an officer who owns any enterprise code.
        return f"该行不属于本镇区，{own}的账号只能写入本镇区的数据"
    return None


class WriteGuard:
    """Checks every record of an import against the principal's rights before anything is written."""

    def __init__(self, principal: Principal, security: SecuritySettings, enterprise_township: dict[str, str]) -> None:
        self.principal = principal
        self.security = security
        # Where each enterprise is now (database), then as the package says: a township officer may
        # neither move another township's enterprise in nor write rows of one that lies elsewhere.
        self.stored = dict(enterprise_township)
        self.current = dict(enterprise_township)

    def table(self, table: str) -> str | None:
        return table_refusal(self.principal, table, self.security)

    def row(self, table: str, record: Mapping[str, Any]) -> str | None:
        if table == "enterprises":
            uscc = record.get("uscc")
            before = self.stored.get(uscc) if isinstance(uscc, str) else None
            own = self.principal.township_scope
            if own is not None and before is not None and before != own:
                return f"该企业不属于本镇区，{own}的账号不能修改"
            reason = row_refusal(self.principal, table, record, self.current)
            if reason is None and isinstance(uscc, str) and record.get("township"):
                self.current[uscc] = record["township"]
            return reason
        return row_refusal(self.principal, table, record, self.current)
