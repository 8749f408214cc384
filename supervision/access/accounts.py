"""Accounts: create, list, change, reset a password, unlock; the demo accounts.

Every change is written to the audit log in the same transaction; the audit log never shows a hash.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from supervision.access import audit, sessions
from supervision.access.passwords import generate_password, hash_password, password_problems, verify_password
from supervision.access.permissions import require_role
from supervision.access.throttle import THROTTLE
from supervision.access.wall_links import create_screen_token
from supervision.core.clock import as_utc, now_utc, to_local
from supervision.core.config import SecuritySettings
from supervision.core.errors import AuthError
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.storage.models import Township, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
RESERVED_USERNAMES = frozenset({SYSTEM.username, "admin_system", "root", "screen"})
ACCOUNT_ROLES = (Role.LEADER, Role.BUREAU, Role.TOWNSHIP, Role.ADMIN)  # SCREEN is a link, not an account


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AuthError("用户名须为2至40位小写字母、数字或 . _ -，以字母或数字开头")
    if name in RESERVED_USERNAMES:
        raise AuthError(f"用户名“{name}”为系统保留")
    return name


def _check_assignment(conn: Connection, role: Role, township: str | None, department: str | None,
                      security: SecuritySettings) -> tuple[str | None, str | None]:
    """The township and department an account of `role` needs, validated; the others cleared."""
    if role not in ACCOUNT_ROLES:
        raise AuthError(f"不能创建角色为“{role.value}”的账号（大屏请使用链接令牌）")
    if role is Role.TOWNSHIP:
        if not township:
            raise AuthError("镇区人员必须指定所属镇区")
        found = conn.execute(select(Township.name).where(Township.name == township)).scalar_one_or_none()
        if found is None:
            names = conn.execute(select(Township.name).order_by(Township.sort_order)).scalars().all()
            raise AuthError(f"未知镇区“{township}”，应为：{'、'.join(names)}")
        return township, None
    if role is Role.BUREAU:
        if department not in security.departments:
            raise AuthError(f"局办人员必须指定部门，应为：{'、'.join(security.departments)}")
        return None, department
    return None, None


def _user(conn: Connection, username: str) -> Any:
    found = conn.execute(select(User).where(User.username == username.strip().lower())).first()
    if found is None:
        raise AuthError(f"没有用户“{username}”")
    return found


def _public(row: Any) -> dict[str, Any]:
    """An account's fields as the audit log may show them (never the hash)."""
    return {
        "用户名": row.username, "姓名": row.display_name, "角色": row.role, "镇区": row.township,
        "部门": row.department, "统一身份标识": row.sso_subject, "停用": bool(row.disabled),
    }


def _active_admins(conn: Connection, excluding: int | None = None) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.disabled.is_(False))
    if excluding is not None:
        stmt = stmt.where(User.id != excluding)
    return int(conn.execute(stmt).scalar_one())


def create_user(
    engine: Engine,
    actor: Principal,
    security: SecuritySettings,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str | None,
    township: str | None = None,
    department: str | None = None,
    sso_subject: str | None = None,
    must_change_password: bool = True,
) -> int:
    """Create an account (administrators and the command line only); returns its id."""
    require_role(actor, Role.ADMIN)
    name = normalise_username(username)
    shown = display_name.strip() or name
    if len(shown) > 60:
        raise AuthError("姓名不能超过60个字符")
    if password is None and not sso_subject:
        raise AuthError("账号须设置密码或统一身份标识")
    if password is not None:
        problems = password_problems(password, name, security)
        if problems:
            raise AuthError("；".join(problems))
    with engine.begin() as conn:
        town, dept = _check_assignment(conn, role, township, department, security)
        values = {
            "username": name, "display_name": shown, "role": role.value, "township": town, "department": dept,
            "password_hash": hash_password(password, security) if password is not None else None,
            "sso_subject": (sso_subject or "").strip() or None,
            "must_change_password": must_change_password and password is not None,
            "disabled": False, "failed_attempts": 0, "session_epoch": 1, "created_at": now_utc(),
        }
        try:
            user_id = int(conn.execute(insert(User).values(**values).returning(User.id)).scalar_one())
        except IntegrityError:
            raise AuthError(f"用户名“{name}”或统一身份标识已被使用") from None
        audit.record(conn, actor, "insert", "users", name, None, _public(conn.execute(
            select(User).where(User.id == user_id)).one()))
    return user_id


_UNSET: Any = object()


def update_user(
    engine: Engine,
    actor: Principal,
    security: SecuritySettings,
    username: str,
    *,
    display_name: str = _UNSET,
    role: Role = _UNSET,
    township: str | None = _UNSET,
    department: str | None = _UNSET,
    sso_subject: str | None = _UNSET,
    disabled: bool = _UNSET,
) -> None:
    """Change an account's name, role, assignment, single sign-on identity or status (administrators only)."""
    require_role(actor, Role.ADMIN)
    with engine.begin() as conn:
        row = _user(conn, username)
        new_role = row.role if role is _UNSET else role.value
        town = row.township if township is _UNSET else township
        dept = row.department if department is _UNSET else department
        town, dept = _check_assignment(conn, Role(new_role), town, dept, security)
        values: dict[str, Any] = {"role": new_role, "township": town, "department": dept}
        if display_name is not _UNSET:
            shown = display_name.strip() or row.username
            if len(shown) > 60:
                raise AuthError("姓名不能超过60个字符")
            values["display_name"] = shown
        if sso_subject is not _UNSET:
            values["sso_subject"] = (sso_subject or "").strip() or None
        if disabled is not _UNSET:
            values["disabled"] = bool(disabled)
        if values.get("sso_subject", row.sso_subject) is None and not row.password_hash:
            raise AuthError("账号须设置密码或统一身份标识")
        leaves_admins = row.role == Role.ADMIN.value and (new_role != Role.ADMIN.value or values.get("disabled"))
        if leaves_admins and not row.disabled and _active_admins(conn, excluding=row.id) == 0:
            raise AuthError("至少须保留一名启用的管理员账号")
        old = _public(row)
        # Rights or status changed: the account's open sessions end and it signs in again.
        rights = any(values.get(k, getattr(row, k)) != getattr(row, k)
                     for k in ("role", "township", "department", "disabled"))
        if rights:
            values["session_epoch"] = row.session_epoch + 1
        try:
            conn.execute(update(User).where(User.id == row.id).values(**values))
        except IntegrityError:
            raise AuthError("该统一身份标识已被其他账号使用") from None
        if rights:
            sessions.revoke_all(conn, row.id)
        new = _public(conn.execute(select(User).where(User.id == row.id)).one())
        before, after = audit.changed(old, new)
        if after:
            audit.record(conn, actor, "update", "users", row.username, before, after)


def set_password(engine: Engine, actor: Principal, security: SecuritySettings, username: str,
                 password: str, *, must_change: bool = True) -> None:
    """An administrator sets a (temporary) password; it also lifts a lock-out and ends open sessions."""
    require_role(actor, Role.ADMIN)
    with engine.begin() as conn:
        row = _user(conn, username)
        problems = password_problems(password, row.username, security)
        if problems:
            raise AuthError("；".join(problems))
        conn.execute(update(User).where(User.id == row.id).values(
            password_hash=hash_password(password, security), must_change_password=must_change,
            failed_attempts=0, locked_until=None, session_epoch=row.session_epoch + 1))
        sessions.revoke_all(conn, row.id)
        audit.record(conn, actor, "update", "users", row.username, {"密码": "（原密码）"},
                     {"密码": "已重置（须修改）" if must_change else "已重置"})


def change_own_password(engine: Engine, principal: Principal, security: SecuritySettings,
                        old_password: str, new_password: str) -> int:
    """The signed-in user replaces their password; returns the account's new session epoch."""
    with engine.begin() as conn:
        row = _user(conn, principal.username)
        if not verify_password(row.password_hash, old_password, security):
            raise AuthError("原密码不正确")
        if new_password == old_password:
            raise AuthError("新密码不能与原密码相同")
        problems = password_problems(new_password, row.username, security)
        if problems:
            raise AuthError("；".join(problems))
        epoch = row.session_epoch + 1
        conn.execute(update(User).where(User.id == row.id).values(
            password_hash=hash_password(new_password, security), must_change_password=False, session_epoch=epoch))
        # Every browser signed in with the old password is signed out; the caller hands this one a new session.
        sessions.revoke_all(conn, row.id)
        audit.record(conn, principal, "update", "users", row.username, {"密码": "（原密码）"}, {"密码": "本人已修改"})
    return epoch


def unlock(engine: Engine, actor: Principal, username: str) -> None:
    require_role(actor, Role.ADMIN)
    with engine.begin() as conn:
        row = _user(conn, username)
        conn.execute(update(User).where(User.id == row.id).values(failed_attempts=0, locked_until=None))
        THROTTLE.forget(row.username)
        audit.record(conn, actor, "update", "users", row.username,
                     {"锁定至": as_utc(row.locked_until), "连续失败次数": row.failed_attempts},
                     {"锁定至": None, "连续失败次数": 0})


def list_users(engine: Engine, actor: Principal, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every account with its status, for administrators."""
    require_role(actor, Role.ADMIN)
    moment = now or now_utc()
    with engine.connect() as conn:
        rows = conn.execute(select(User).order_by(User.role, User.username)).all()
    out = []
    for r in rows:
        locked = as_utc(r.locked_until)
        status = "停用" if r.disabled else (
            f"锁定至{to_local(locked):%m-%d %H:%M}" if locked and locked > moment else "正常")
        last = as_utc(r.last_sign_in)
        out.append({
            "用户名": r.username, "姓名": r.display_name, "角色": r.role, "镇区": r.township or "",
            "部门": r.department or "", "状态": status, "统一身份标识": r.sso_subject or "",
            "须改密码": bool(r.must_change_password),
            "最近登录": f"{to_local(last):%Y-%m-%d %H:%M}" if last else "",
        })
    columns = ["用户名", "姓名", "角色", "镇区", "部门", "状态", "统一身份标识", "须改密码", "最近登录"]
    return pd.DataFrame(out, columns=columns)


def count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(User)).scalar_one())


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    township: str | None = None
    department: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("admin", "系统管理员（演示）", Role.ADMIN),
    DemoAccount("leader", "市领导（演示）", Role.LEADER),
    DemoAccount("gxj", "工信局经办人（演示）", Role.BUREAU, department="工信局"),
    DemoAccount("swj", "税务局经办人（演示）", Role.BUREAU, department="税务局"),
    DemoAccount("fuqiao", "浮桥镇经办人（演示）", Role.TOWNSHIP, township="浮桥镇"),
)


DemoAccounts = tuple[list[tuple[DemoAccount, str]], str]


def create_demo_accounts(engine: Engine, security: SecuritySettings) -> DemoAccounts | None:
    """One account per role with a random password, and a wall-screen token, when there is no account yet.

    Returns the accounts with their passwords and the token, to be printed once; None when accounts exist.
    Only the hashes are stored, so the passwords cannot be shown again (reset them with the command line).
    """
    if count_users(engine):
        return None
    created: list[tuple[DemoAccount, str]] = []
    for account in DEMO_ACCOUNTS:
        password = generate_password(security, account.username)
        create_user(engine, SYSTEM, security, username=account.username, display_name=account.display_name,
                    role=account.role, password=password, township=account.township,
                    department=account.department, must_change_password=False)
        created.append((account, password))
    _, token = create_screen_token(engine, SYSTEM, "演示大屏", security.screen_token_days)
    return created, token


def township_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(Township.name).order_by(Township.sort_order)).scalars())
