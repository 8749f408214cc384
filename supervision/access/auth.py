"""Accounts, passwords, sign-in with lock-out, and the wall-screen link tokens.

Passwords are stored only as argon2id hashes (argon2-cffi). Link tokens are long
random strings of which only the SHA-256 is stored: they are looked up, not
verified one by one, and carry 256 bits, so a fast hash is enough.
Every change here is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from supervision.access import audit
from supervision.access.permissions import require_role
from supervision.core.clock import to_local
from supervision.core.config import SecuritySettings
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.storage.models import LinkToken, Township, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
RESERVED_USERNAMES = frozenset({SYSTEM.username, "admin_system", "root", "screen"})
ACCOUNT_ROLES = (Role.LEADER, Role.BUREAU, Role.TOWNSHIP, Role.ADMIN)  # SCREEN is a link, not an account
# Readable passwords: no 0/O, 1/l/I lookalikes.
_PASSWORD_ALPHABETS = ("abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "#%+=?@")
GENERIC_FAILURE = "用户名或密码错误"


class AuthError(Exception):
    """An account operation that cannot be done; the message (Chinese) is shown to the user."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt."""

    ok: bool
    message: str = ""
    principal: Principal | None = None
    user_id: int | None = None
    epoch: int = 0
    must_change_password: bool = False


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns timestamps without a zone; everything here is written in UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)



@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher(security: SecuritySettings) -> PasswordHasher:
    return _hasher(security.argon2_time_cost, security.argon2_memory_kib, security.argon2_parallelism)


def hash_password(password: str, security: SecuritySettings) -> str:
    return hasher(security).hash(password)


def verify_password(stored: str | None, password: str, security: SecuritySettings) -> bool:
    if not stored:
        return False
    try:
        return hasher(security).verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problems(password: str, username: str, security: SecuritySettings) -> list[str]:
    """Why a new password is refused (empty when it meets the policy)."""
    problems: list[str] = []
    if len(password) < security.password_min_length:
        problems.append(f"密码至少{security.password_min_length}位")
    classes = sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < security.password_min_classes:
        problems.append(f"密码须包含小写字母、大写字母、数字、其他字符中的至少{security.password_min_classes}类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    if len(password) > 256:
        problems.append("密码不能超过256位")
    return problems


def generate_password(security: SecuritySettings, username: str = "") -> str:
    """A random password that meets the policy (for this user), with at least one character of every class."""
    length = max(16, security.password_min_length)
    pool = "".join(_PASSWORD_ALPHABETS[:3])
    while True:
        chars = [secrets.choice(alphabet) for alphabet in _PASSWORD_ALPHABETS]
        chars += [secrets.choice(pool) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        # A short user name can turn up by chance inside a random password, which the policy forbids.
        if not password_problems(password, username, security):
            return password



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


def principal_of(row: Any) -> Principal:
    return Principal(row.username, row.display_name, Role(row.role), row.township, row.department)


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
        audit.record(conn, principal, "update", "users", row.username, {"密码": "（原密码）"}, {"密码": "本人已修改"})
    return epoch


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


def unlock(engine: Engine, actor: Principal, username: str) -> None:
    require_role(actor, Role.ADMIN)
    with engine.begin() as conn:
        row = _user(conn, username)
        conn.execute(update(User).where(User.id == row.id).values(failed_attempts=0, locked_until=None))
        audit.record(conn, actor, "update", "users", row.username,
                     {"锁定至": _aware(row.locked_until), "连续失败次数": row.failed_attempts},
                     {"锁定至": None, "连续失败次数": 0})


def list_users(engine: Engine, actor: Principal, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every account with its status, for administrators."""
    require_role(actor, Role.ADMIN)
    moment = now or now_utc()
    with engine.connect() as conn:
        rows = conn.execute(select(User).order_by(User.role, User.username)).all()
    out = []
    for r in rows:
        locked = _aware(r.locked_until)
        status = "停用" if r.disabled else (
            f"锁定至{to_local(locked):%m-%d %H:%M}" if locked and locked > moment else "正常")
        last = _aware(r.last_sign_in)
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



# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_PASSWORD = "timing-equaliser-not-a-password"


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(_DUMMY_PASSWORD)


def authenticate(engine: Engine, username: str, password: str, security: SecuritySettings,
                 now: dt.datetime | None = None) -> SignIn:
    """Check a password sign-in, counting failures and locking the account after too many in a row."""
    moment = now or now_utc()
    name = username.strip().lower()[:40]
    with engine.begin() as conn:
        row = conn.execute(select(User).where(User.username == name)).first() if name else None
        if row is None:
            verify_password(_dummy_hash(security.argon2_time_cost, security.argon2_memory_kib,
                                        security.argon2_parallelism), password, security)
            audit.record(conn, name or "（空）", "signin_bad", "users", name or "（空）",
                         None, {"原因": "无此用户"}, at=moment)
            return SignIn(False, GENERIC_FAILURE)
        locked = _aware(row.locked_until)
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



def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_screen_token(engine: Engine, actor: Principal, label: str, days: int | None) -> tuple[int, str]:
    """A new read-only link token; the token itself is returned once and never stored."""
    require_role(actor, Role.ADMIN)
    label = label.strip()
    if not label or len(label) > 60:
        raise AuthError("请填写1至60个字符的大屏名称")
    token = secrets.token_urlsafe(32)
    moment = now_utc()
    expires = moment + dt.timedelta(days=days) if days else None
    with engine.begin() as conn:
        token_id = int(conn.execute(insert(LinkToken).values(
            label=label, token_sha256=_token_digest(token), created_at=moment,
            created_by=audit.actor_label(actor), expires_at=expires).returning(LinkToken.id)).scalar_one())
        audit.record(conn, actor, "insert", "link_tokens", str(token_id), None,
                     {"名称": label, "有效期至": expires})
    return token_id, token


def screen_principal(engine: Engine, token: str, now: dt.datetime | None = None) -> tuple[int, Principal] | None:
    """The read-only principal of a valid, unrevoked, unexpired token; None otherwise."""
    if not token or len(token) > 200:
        return None
    moment = now or now_utc()
    with engine.begin() as conn:
        row = conn.execute(select(LinkToken).where(LinkToken.token_sha256 == _token_digest(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        expires = _aware(row.expires_at)
        if expires is not None and expires <= moment:
            return None
        last = _aware(row.last_used_at)
        if last is None or moment - last > dt.timedelta(minutes=5):
            conn.execute(update(LinkToken).where(LinkToken.id == row.id).values(last_used_at=moment))
    return row.id, Principal(f"screen-{row.id}", f"大屏：{row.label}", Role.SCREEN)


def screen_token_valid(engine: Engine, token_id: int, now: dt.datetime | None = None) -> bool:
    """Whether a token already accepted in this session is still valid (revocation takes effect at once)."""
    moment = now or now_utc()
    with engine.connect() as conn:
        row = conn.execute(select(LinkToken).where(LinkToken.id == token_id)).first()
    if row is None or row.revoked_at is not None:
        return False
    expires = _aware(row.expires_at)
    return expires is None or expires > moment


def revoke_screen_token(engine: Engine, actor: Principal, token_id: int) -> None:
    require_role(actor, Role.ADMIN)
    moment = now_utc()
    with engine.begin() as conn:
        row = conn.execute(select(LinkToken).where(LinkToken.id == token_id)).first()
        if row is None:
            raise AuthError(f"没有编号为{token_id}的大屏链接")
        if row.revoked_at is not None:
            return
        conn.execute(update(LinkToken).where(LinkToken.id == token_id).values(revoked_at=moment))
        audit.record(conn, actor, "update", "link_tokens", str(token_id), {"状态": "有效"}, {"状态": "已停用"})


def list_screen_tokens(engine: Engine, actor: Principal) -> pd.DataFrame:
    require_role(actor, Role.ADMIN)
    moment = now_utc()
    with engine.connect() as conn:
        rows = conn.execute(select(LinkToken).order_by(LinkToken.id)).all()

    def when(value: dt.datetime | None) -> str:
        value = _aware(value)
        return f"{to_local(value):%Y-%m-%d %H:%M}" if value else ""

    out = []
    for r in rows:
        expires = _aware(r.expires_at)
        status = "已停用" if r.revoked_at else ("已过期" if expires and expires <= moment else "有效")
        out.append({"编号": r.id, "名称": r.label, "状态": status, "创建人": r.created_by,
                    "创建时间": when(r.created_at), "有效期至": when(r.expires_at) or "长期",
                    "最近使用": when(r.last_used_at)})
    return pd.DataFrame(out, columns=["编号", "名称", "状态", "创建人", "创建时间", "有效期至", "最近使用"])



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

