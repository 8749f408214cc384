"""Sign-in by password (with lock-out after failures in a row) or single sign-on, and the session's account.

Every attempt, good or bad, is written to the audit log (later, by a background writer, while an import
holds SQLite's write lock: a sign-in never waits on an import).
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import OperationalError

from supervision.access import audit
from supervision.access.passwords import hash_password, hasher, password_problems, verify_nobody, verify_password
from supervision.access.throttle import THROTTLE, masked_name
from supervision.core.clock import as_utc, now_utc
from supervision.core.config import SecuritySettings
from supervision.core.errors import AuthError
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.storage.db import WriteLocked, write_without_waiting
from supervision.storage.models import User

GENERIC_FAILURE = "用户名或密码错误"

BOOKKEEPING_WAIT_MS = 500  # how long a sign-in waits for SQLite's write lock before deferring its bookkeeping
_T = TypeVar("_T")
_DEFERRED: queue.Queue[tuple[Engine, Callable[[Connection], Any]]] = queue.Queue()
_WRITER: threading.Thread | None = None
_WRITER_LOCK = threading.Lock()


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


def _sign_in_write(engine: Engine, work: Callable[[Connection], _T], fallback: _T) -> _T:
    """Sign-in bookkeeping in a short transaction of its own that never waits long on an import.

    On SQLite an import holds the one write lock for its whole run; a sign-in then waits at most
    BOOKKEEPING_WAIT_MS and leaves its bookkeeping (audit entry, failure count, last sign-in) to a
    background writer that does it once the import has committed. The answer is not delayed.
    """
    try:
        return write_without_waiting(engine, work, BOOKKEEPING_WAIT_MS)
    except WriteLocked:
        pass
    _DEFERRED.put((engine, work))
    _start_deferred_writer()
    return fallback


def _deferred_writer() -> None:
    while True:
        engine, work = _DEFERRED.get()
        while True:
            try:
                with engine.begin() as conn:
                    work(conn)
                break
            except OperationalError as exc:
                if "locked" not in str(exc).lower():
                    break
                time.sleep(1)
            except Exception:  # noqa: BLE001 - a lost audit line must not kill the writer of the others
                break
        _DEFERRED.task_done()


def _start_deferred_writer() -> None:
    global _WRITER
    with _WRITER_LOCK:
        if _WRITER is None or not _WRITER.is_alive():
            _WRITER = threading.Thread(target=_deferred_writer, name="sign-in-bookkeeping", daemon=True)
            _WRITER.start()


def flush_sign_in_bookkeeping() -> None:
    """Wait until every deferred sign-in write is done (tests, shutdown)."""
    _DEFERRED.join()


def authenticate(engine: Engine, username: str, password: str, security: SecuritySettings,
                 now: dt.datetime | None = None, source: str | None = None) -> SignIn:
    """Check a password sign-in, counting failures and locking the account after too many in a row.

    `source` is where the attempt comes from (the browser's address): one source is throttled before it
    could lock an account by itself (supervision.access.throttle). Every answer but the throttle's costs
    one argon2 verification, and an unknown name is answered like an account (locked after as many
    failures), so neither the message nor the time tells which names exist.
    """
    moment = now or now_utc()
    name = username.strip().lower()[:40]
    window = dt.timedelta(minutes=security.lockout_minutes)
    threshold = security.lockout_threshold
    wait = THROTTLE.refusal_until(source, name, moment, threshold, window)
    if wait is not None:
        _sign_in_write(engine, lambda conn: audit.record(
            conn, masked_name(name), "signin_bad", "users", masked_name(name), None,
            {"原因": "同一来源尝试过于频繁，未校验密码", "来源": source}, at=moment), None)
        minutes = max(1, int((wait - moment).total_seconds() + 59) // 60)
        return SignIn(False, f"尝试次数过多，请{minutes}分钟后再试")
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.username == name)).first() if name else None
    if row is None:
        verify_nobody(password, security)
        THROTTLE.failed(source, name, moment, window, unknown=True)
        until = THROTTLE.unknown_locked_until(name, moment, threshold, window)
        # Whatever was typed as the name (perhaps a password) is kept only as a digest.
        _sign_in_write(engine, lambda conn: audit.record(
            conn, masked_name(name), "signin_bad", "users", masked_name(name), None,
            {"原因": "无此用户", "来源": source}, at=moment), None)
        return SignIn(False, _locked_message(until, moment) if until is not None else GENERIC_FAILURE)
    locked = as_utc(row.locked_until)
    if locked is not None and locked > moment:
        verify_nobody(password, security)  # as long as any other answer
        _sign_in_write(engine, lambda conn: audit.record(
            conn, row.username, "signin_bad", "users", row.username, None,
            {"原因": "账号锁定期间尝试登录", "来源": source}, at=moment), None)
        return SignIn(False, _locked_message(locked, moment))
    if not verify_password(row.password_hash, password, security):
        THROTTLE.failed(source, name, moment, window, unknown=False)

        def count_failure(conn: Connection) -> int:
            # Counted in the database, so two browsers guessing at once cannot both slip under the threshold.
            failures = int(conn.execute(
                update(User).where(User.id == row.id).values(failed_attempts=User.failed_attempts + 1)
                .returning(User.failed_attempts)).scalar_one())
            audit.record(conn, row.username, "signin_bad", "users", row.username, None,
                         {"原因": "密码错误", "连续失败次数": failures, "来源": source}, at=moment)
            if failures >= threshold:
                until = moment + window
                conn.execute(update(User).where(User.id == row.id).values(locked_until=until, failed_attempts=0))
                audit.record(conn, SYSTEM, "lockout", "users", row.username, None,
                             {"锁定至": until, "连续失败次数": failures}, at=moment)
            return failures

        failures = _sign_in_write(engine, count_failure, int(row.failed_attempts or 0) + 1)
        if failures >= threshold:
            return SignIn(False, _locked_message(moment + window, moment))
        return SignIn(False, GENERIC_FAILURE)
    if row.disabled:
        _sign_in_write(engine, lambda conn: audit.record(
            conn, row.username, "signin_bad", "users", row.username, None,
            {"原因": "账号已停用", "来源": source}, at=moment), None)
        return SignIn(False, "该账号已停用，请联系管理员")
    values: dict[str, Any] = {"failed_attempts": 0, "locked_until": None, "last_sign_in": moment}
    if hasher(security).check_needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password, security)
    principal = principal_of(row)

    def record_success(conn: Connection) -> None:
        conn.execute(update(User).where(User.id == row.id).values(**values))
        audit.record(conn, principal, "signin", "users", row.username, None,
                     {"方式": "密码", "来源": source} if source else {"方式": "密码"}, at=moment)

    _sign_in_write(engine, record_success, None)
    return SignIn(True, "", principal, row.id, row.session_epoch, bool(row.must_change_password))


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试或联系管理员解锁"


def sign_in_sso(engine: Engine, subject: str, now: dt.datetime | None = None) -> SignIn:
    """Let in the account whose 统一身份标识 matches the identity the OIDC provider vouched for."""
    moment = now or now_utc()
    subject = subject.strip()
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.sso_subject == subject)).first() if subject else None
    # The bookkeeping as for a password sign-in: short writes that never wait on an import.
    if row is None:
        shown = subject[:200] or "（空）"
        why = {"原因": "统一身份认证通过，但未开通本系统账号"}
        _sign_in_write(engine, lambda conn: audit.record(conn, shown, "signin_bad", "users", shown, None, why,
                                                         at=moment), None)
        return SignIn(False, "您的统一身份尚未开通本系统账号，请联系管理员")
    if row.disabled:
        _sign_in_write(engine, lambda conn: audit.record(conn, row.username, "signin_bad", "users", row.username, None,
                                                         {"原因": "账号已停用（统一身份认证）"}, at=moment), None)
        return SignIn(False, "该账号已停用，请联系管理员")
    principal = principal_of(row)

    def record_success(conn: Connection) -> None:
        conn.execute(update(User).where(User.id == row.id).values(last_sign_in=moment))
        audit.record(conn, principal, "signin", "users", row.username, None, {"方式": "统一身份认证"}, at=moment)

    _sign_in_write(engine, record_success, None)
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
    _sign_in_write(engine, lambda conn: audit.record(conn, principal, action, "users", principal.username), None)


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
