"""Server-side browser sessions: the database half of the session cookie, and the one-time sign-in hand-off.

A password sign-in happens inside a Streamlit run, which cannot set an HttpOnly cookie. The run therefore
opens the session and a one-time hand-off together (`begin`; the tab that signed in uses the session at
once) and has the browser exchange the hand-off at /session/start, an HTTP route of serve.py (`claim`),
whose answer sets the cookie: the page is not reloaded. Every later run (a reload, a second tab) checks
the cookie's session (`check`): not revoked, active within the idle timeout, younger than the absolute
lifetime, its account still enabled at the same session epoch (a password, role or status change moves
the epoch). Only SHA-256 digests of the
secrets are stored, so a copy of the database opens no browser session.

The cookie holds the secret signed with the server's key (itsdangerous): a cookie that was not issued here
is refused before the database is asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from itsdangerous import BadSignature, Signer
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from supervision.core.clock import as_utc, now_utc
from supervision.core.config import PROJECT_ROOT, SecuritySettings
from supervision.core.principal import Principal, Role
from supervision.storage.db import WriteLocked, write_without_waiting
from supervision.storage.models import User, WebSession

COOKIE_NAME = "rt_session"
HANDOFF_SECONDS = 60
KEY_ENV = "SUPERVISION_SESSION_KEY"
KEY_FILE = PROJECT_ROOT / "data" / "session.key"
# A run writes last_seen_at at most this often (the idle timeout is counted in minutes; a write per click
# would serialise every page view on SQLite's write lock).
TOUCH_EVERY = dt.timedelta(seconds=30)
QUICK_WAIT_MS = 500
_SALT = "supervision.web-session"
_LOG = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class ActiveSession:
    """A session that passed every check, with the account as it is now."""

    id: int
    user_id: int
    epoch: int
    principal: Principal
    created_at: dt.datetime
    last_seen_at: dt.datetime


@dataclass(frozen=True)
class Refused:
    """Why a cookie's session no longer counts (the reason is shown to the user)."""

    reason: str  # "idle", "expired", "revoked", "account", "unknown"
    message: str


_MESSAGES = {
    "idle": "超过{idle}分钟未操作，已自动退出，请重新登录。",
    "expired": "登录已超过{hours}小时有效期，请重新登录。",
    "revoked": "您已在其他页面或设备上退出登录，请重新登录。",
    "account": "账号已被停用或权限、密码已变更，请重新登录。",
    "unknown": "登录状态已失效，请重新登录。",
}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _refused(reason: str, security: SecuritySettings) -> Refused:
    return Refused(reason, _MESSAGES[reason].format(idle=security.idle_timeout_minutes,
                                                    hours=security.session_lifetime_hours))


def signing_key(path: Path = KEY_FILE, shared_secret: str | None = None) -> bytes:
    """The key that signs session cookies; every process serving the app must have the same one.

    In order: SUPERVISION_SESSION_KEY; else a key derived from `shared_secret` (the caller passes Streamlit's
    server.cookieSecret when an operator set it, as a deployment of several processes must for single
    sign-on); else data/session.key, created once (0600) and shared by the processes of one machine. When
    that file cannot be written either, a key of this process alone (logged): sign-in still works with one
    process, while with several a browser that meets another process must sign in again.
    """
    given = os.environ.get(KEY_ENV, "").strip()
    if given:
        return given.encode()
    if shared_secret:
        return hashlib.sha256(b"supervision-session-cookie|" + shared_secret.encode()).hexdigest().encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_urlsafe(48).encode())
        return path.read_bytes().strip()
    except OSError as exc:
        _LOG.error("session cookie key: %s unusable (%s); set %s so that every process shares one key",
                   path, exc, KEY_ENV)
        return secrets.token_urlsafe(48).encode()


def cookie_value(secret: str, key: bytes) -> str:
    return Signer(key, salt=_SALT).sign(secret).decode()


def secret_from_cookie(value: str | None, key: bytes) -> str | None:
    """The session secret in a cookie this server signed, or None for a missing or forged one."""
    if not value or len(value) > 200:
        return None
    try:
        return Signer(key, salt=_SALT).unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def _write_soon(engine: Engine, work: Callable[[Connection], _T], fallback: _T) -> _T:
    """A short write that never waits long on SQLite's write lock (an import holds it for its whole run).

    After QUICK_WAIT_MS the caller gets `fallback` instead: a sign-in then stays in its Streamlit session
    without the cookie, and a touch is simply left to the next run. PostgreSQL writes do not wait on an import.
    """
    try:
        return write_without_waiting(engine, work, QUICK_WAIT_MS)
    except WriteLocked:
        return fallback


def _secret_of(token: str, key: bytes) -> str:
    """The session secret a hand-off token stands for: derived with the server's key, never stored."""
    return hmac.new(key, b"session|" + token.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Begun:
    """A new session (its secret, kept by the signing-in run) and the token the browser exchanges for its cookie."""

    secret: str
    token: str


def begin(engine: Engine, user_id: int, epoch: int, security: SecuritySettings, key: bytes, *,
          replacing: str | None = None, now: dt.datetime | None = None) -> Begun | None:
    """Open a session at sign-in, and its one-time hand-off (good for HANDOFF_SECONDS).

    The session's secret is derived from the token with the server's key, so the database holds neither
    (only their SHA-256) and a token read from a log after use opens nothing. The session the browser had
    before (`replacing`, its secret) is revoked: a sign-in always rotates the session id, so an id planted
    before the sign-in never becomes a signed-in one. None when SQLite's write lock is held by an import
    (the caller goes on without a cookie).
    """
    moment = now or now_utc()
    token = secrets.token_urlsafe(32)
    secret = _secret_of(token, key)

    def write(conn: Connection) -> Begun:
        if replacing:
            _revoke_secret(conn, replacing, moment)
        common = {"user_id": user_id, "session_epoch": epoch, "created_at": moment, "last_seen_at": moment}
        conn.execute(insert(WebSession).values(
            secret_sha256=_digest(secret), kind="session",
            expires_at=moment + dt.timedelta(hours=security.session_lifetime_hours), **common))
        conn.execute(insert(WebSession).values(
            secret_sha256=_digest(token), kind="handoff",
            expires_at=moment + dt.timedelta(seconds=HANDOFF_SECONDS), **common))
        # Rows that can no longer count: kept a day for the record, then dropped (indexed on expires_at).
        conn.execute(delete(WebSession).where(WebSession.expires_at < moment - dt.timedelta(days=1)))
        return Begun(secret, token)

    return _write_soon(engine, write, None)


def claim(engine: Engine, token: str, key: bytes, security: SecuritySettings, *, replacing: str | None = None,
          now: dt.datetime | None = None) -> str | None:
    """Use up a hand-off (/session/start): the secret of its session for the cookie, if the session still counts.

    None when the token is unknown, used, older than HANDOFF_SECONDS, or its session has ended since (sign-out,
    a changed or disabled account). A different session the browser still carried (`replacing`) is revoked.
    """
    moment = now or now_utc()
    if not token or len(token) > 200:
        return None
    with engine.begin() as conn:
        row = conn.execute(select(WebSession.id, WebSession.expires_at)
                           .where(WebSession.secret_sha256 == _digest(token), WebSession.kind == "handoff",
                                  WebSession.revoked_at.is_(None))).first()
        if row is None:
            return None
        # Used up by whoever gets here first: the UPDATE decides, so two requests racing with one token
        # cannot both get the cookie.
        used = conn.execute(update(WebSession).where(WebSession.id == row.id, WebSession.revoked_at.is_(None))
                            .values(revoked_at=moment)).rowcount
        expires = as_utc(row.expires_at)
        if used != 1 or expires is None or expires <= moment:
            return None
        secret = _secret_of(token, key)
        if replacing and replacing != secret:
            _revoke_secret(conn, replacing, moment)
    return secret if isinstance(check(engine, secret, security, moment), ActiveSession) else None


def check(engine: Engine, secret: str, security: SecuritySettings,
          now: dt.datetime | None = None) -> ActiveSession | Refused:
    """The session behind a cookie's secret, if it still counts; the account is read as it is now."""
    moment = now or now_utc()
    with engine.connect() as conn:
        row = conn.execute(
            select(WebSession.id, WebSession.user_id, WebSession.session_epoch, WebSession.created_at,
                   WebSession.last_seen_at, WebSession.expires_at, WebSession.revoked_at,
                   User.username, User.display_name, User.role, User.township, User.department, User.disabled,
                   User.session_epoch.label("account_epoch"))
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.secret_sha256 == _digest(secret), WebSession.kind == "session")).first()
    return _judge(row, security, moment)


def _judge(row: Any, security: SecuritySettings, moment: dt.datetime) -> ActiveSession | Refused:
    if row is None:
        return _refused("unknown", security)
    if row.revoked_at is not None:
        return _refused("revoked", security)
    expires = as_utc(row.expires_at)
    if expires is None or expires <= moment:
        return _refused("expired", security)
    last_seen = as_utc(row.last_seen_at) or moment
    if moment - last_seen > dt.timedelta(minutes=security.idle_timeout_minutes):
        return _refused("idle", security)
    if row.disabled or row.session_epoch != row.account_epoch:
        return _refused("account", security)
    principal = Principal(row.username, row.display_name, Role(row.role), row.township, row.department)
    return ActiveSession(row.id, row.user_id, row.session_epoch, principal, as_utc(row.created_at) or moment,
                         last_seen)


def touch(engine: Engine, session: ActiveSession, now: dt.datetime | None = None) -> None:
    """The user did something: the idle clock starts again (written at most every TOUCH_EVERY)."""
    moment = now or now_utc()
    if moment - session.last_seen_at < TOUCH_EVERY:
        return
    _write_soon(engine, lambda conn: conn.execute(
        update(WebSession).where(WebSession.id == session.id, WebSession.revoked_at.is_(None),
                                 WebSession.last_seen_at < moment).values(last_seen_at=moment)), None)


def _revoke_secret(conn: Connection, secret: str, moment: dt.datetime) -> int:
    return conn.execute(update(WebSession).where(WebSession.secret_sha256 == _digest(secret),
                                                 WebSession.kind == "session", WebSession.revoked_at.is_(None))
                        .values(revoked_at=moment)).rowcount


def revoke(engine: Engine, secret: str, now: dt.datetime | None = None) -> bool:
    """Sign-out of one browser: its session ends in every tab and every process at once."""
    with engine.begin() as conn:
        return _revoke_secret(conn, secret, now or now_utc()) > 0


def revoke_all(conn: Connection, user_id: int, now: dt.datetime | None = None) -> int:
    """Every open session and pending hand-off of an account ends (call inside the changing transaction)."""
    return conn.execute(update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
                        .values(revoked_at=now or now_utc())).rowcount


def revoke_all_of(engine: Engine, user_id: int, now: dt.datetime | None = None) -> int:
    """Sign-out everywhere, asked for by the user."""
    with engine.begin() as conn:
        return revoke_all(conn, user_id, now)


def count_active(engine: Engine, security: SecuritySettings, now: dt.datetime | None = None) -> int:
    """Sessions not revoked, not expired and active within the idle timeout (for /metrics)."""
    moment = now or now_utc()
    idle_since = moment - dt.timedelta(minutes=security.idle_timeout_minutes)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(WebSession).where(
            WebSession.kind == "session", WebSession.revoked_at.is_(None), WebSession.expires_at > moment,
            WebSession.last_seen_at >= idle_since)).scalar_one())
