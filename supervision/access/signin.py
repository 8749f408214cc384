"""Sign-in by password (with lock-out after failures in a row) or single sign-on, and the session's account.

Every attempt, good or bad, is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update

from supervision.access import audit
from supervision.access.passwords import hash_password, hasher, password_problems, verify_nobody, verify_password
from supervision.core.clock import as_utc, now_utc
from supervision.core.config import SecuritySettings
from supervision.core.errors import AuthError
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.storage.models import User

GENERIC_FAILURE = "用户名或密码错误"


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt."""

    ok: bool
    message: str = ""
    principal: Principal | None = None
    user_id: int | None = None
    epoch: int = 0
    must_change_password: bool = False


def principal_of(row: Any) -> Principal:
    return Principal(row.username, row.display_name, Role(row.role), row.township, row.department)


def authenticate(engine: Engine, username: str, password: str, security: SecuritySettings,
                 now: dt.datetime | None = None) -> SignIn:
    """Check a password sign-in, counting failures and locking the account after too many in a row."""
    moment = now or now_utc()
    name = username.strip().lower()[:40]
    with engine.begin() as conn:
        row = conn.execute(select(User).where(User.username == name)).first() if name else None
        if row is None:
            verify_nobody(password, security)
            audit.record(conn, name or "（空）", "signin_bad", "users", name or "（空）",
                         None, {"原因": "无此用户"}, at=moment)
            return SignIn(False, GENERIC_FAILURE)
        locked = as_utc(row.locked_until)
        if locked is not None and locked > moment:
            audit.record(conn, row.username, "signin_bad", "users", row.username, None,
                         {"原因": "账号锁定期间尝试登录"}, at=moment)
            return SignIn(False, _locked_message(locked, moment))
        if not verify_password(row.password_hash, password, security):
            # Counted in the database, so two browsers guessing at once cannot both slip under the threshold.
            failures = int(conn.execute(
                update(User).where(User.id == row.id).values(failed_attempts=User.failed_attempts + 1)
                .returning(User.failed_attempts)).scalar_one())
            audit.record(conn, row.username, "signin_bad", "users", row.username, None,
                         {"原因": "密码错误", "连续失败次数": failures}, at=moment)
            if failures >= security.lockout_threshold:
                until = moment + dt.timedelta(minutes=security.lockout_minutes)
                conn.execute(update(User).where(User.id == row.id).values(locked_until=until, failed_attempts=0))
                audit.record(conn, SYSTEM, "lockout", "users", row.username, None,
                             {"锁定至": until, "连续失败次数": failures}, at=moment)
                return SignIn(False, _locked_message(until, moment))
            return SignIn(False, GENERIC_FAILURE)
        if row.disabled:
            audit.record(conn, row.username, "signin_bad", "users", row.username, None,
                         {"原因": "账号已停用"}, at=moment)
            return SignIn(False, "该账号已停用，请联系管理员")
        values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None, "last_sign_in": moment}
        if hasher(security).check_needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password, security)
        conn.execute(update(User).where(User.id == row.id).values(**values))
        principal = principal_of(row)
        audit.record(conn, principal, "signin", "users", row.username, None, {"方式": "密码"}, at=moment)
        return SignIn(True, "", principal, row.id, row.session_epoch, bool(row.must_change_password))


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试或联系管理员解锁"


def sign_in_sso(engine: Engine, subject: str, now: dt.datetime | None = None) -> SignIn:
    """Let in the account whose 统一身份标识 matches the identity the OIDC provider vouched for."""
    moment = now or now_utc()
    subject = subject.strip()
    with engine.begin() as conn:
        row = conn.execute(select(User).where(User.sso_subject == subject)).first() if subject else None
        if row is None:
            audit.record(conn, subject[:200] or "（空）", "signin_bad", "users", subject[:200] or "（空）", None,
                         {"原因": "统一身份认证通过，但未开通本系统账号"}, at=moment)
            return SignIn(False, "您的统一身份尚未开通本系统账号，请联系管理员")
        if row.disabled:
            audit.record(conn, row.username, "signin_bad", "users", row.username, None,
                         {"原因": "账号已停用（统一身份认证）"}, at=moment)
            return SignIn(False, "该账号已停用，请联系管理员")
        conn.execute(update(User).where(User.id == row.id).values(last_sign_in=moment))
        principal = principal_of(row)
        audit.record(conn, principal, "signin", "users", row.username, None, {"方式": "统一身份认证"}, at=moment)
        return SignIn(True, "", principal, row.id, row.session_epoch, False)


def session_principal(engine: Engine, user_id: int, epoch: int) -> Principal | None:
    """The account behind an open session as it is now, or None if it was disabled or its rights changed."""
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.id == user_id)).first()
    if row is None or row.disabled or row.session_epoch != epoch:
        return None
    return principal_of(row)


def record_session_end(engine: Engine, principal: Principal, action: str) -> None:
    """Sign-out and idle time-out, in the log like the sign-in they end."""
    with engine.begin() as conn:
        audit.record(conn, principal, action, "users", principal.username)


def replace_temporary_password(engine: Engine, user_id: int, epoch: int, security: SecuritySettings,
                               new_password: str) -> SignIn:
    """Right after a sign-in with a temporary password: set the user's own one and open the session."""
    with engine.begin() as conn:
        row = conn.execute(select(User).where(User.id == user_id)).first()
        if row is None or row.disabled or row.session_epoch != epoch or not row.must_change_password:
            raise AuthError("登录状态已失效，请重新登录")
        if verify_password(row.password_hash, new_password, security):
            raise AuthError("新密码不能与临时密码相同")
        problems = password_problems(new_password, row.username, security)
        if problems:
            raise AuthError("；".join(problems))
        conn.execute(update(User).where(User.id == row.id).values(
            password_hash=hash_password(new_password, security), must_change_password=False,
            session_epoch=epoch + 1))
        principal = principal_of(row)
        audit.record(conn, principal, "update", "users", row.username, {"密码": "临时密码"}, {"密码": "本人已修改"})
    return SignIn(True, "", principal, row.id, epoch + 1, False)
