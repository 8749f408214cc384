"""Server-side browser sessions (issue 16): hand-off, rotation, revocation, idle and absolute expiry, the cookie."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from auth_support import PASSWORD, fast
from sqlalchemy import Engine, select

from supervision.access import accounts, sessions
from supervision.access.sessions import ActiveSession, Refused
from supervision.core.config import SecuritySettings, Settings
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.storage.models import WebSession

T0 = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def security(settings: Settings) -> SecuritySettings:
    return dataclasses.replace(fast(settings.security), idle_timeout_minutes=30, session_lifetime_hours=12)


def _user(db: Engine, security: SecuritySettings, name: str = "officer") -> int:
    return accounts.create_user(db, SYSTEM, security, username=name, display_name="张三", role=Role.LEADER,
                                password=PASSWORD, must_change_password=False)


KEY = b"test-key" * 4


def _signed_in(db: Engine, security: SecuritySettings, user_id: int, epoch: int = 1, at: dt.datetime = T0,
               replacing: str | None = None) -> str:
    begun = sessions.begin(db, user_id, epoch, security, KEY, replacing=replacing, now=at)
    assert begun is not None
    assert sessions.claim(db, begun.token, KEY, security, now=at + dt.timedelta(seconds=2)) == begun.secret
    return begun.secret


def _ok(result: ActiveSession | Refused) -> ActiveSession:
    assert isinstance(result, ActiveSession), result
    return result


def _refused(result: ActiveSession | Refused) -> str:
    assert isinstance(result, Refused), result
    return result.reason


def test_handoff_gives_the_cookie_once_and_only_the_hashes_are_stored(db: Engine, security: SecuritySettings) -> None:
    uid = _user(db, security)
    begun = sessions.begin(db, uid, 1, security, KEY, now=T0)
    assert begun is not None
    _ok(sessions.check(db, begun.secret, security, now=T0))  # the signing-in tab uses it at once
    assert sessions.claim(db, begun.token, KEY, security, now=T0 + dt.timedelta(seconds=5)) == begun.secret
    assert sessions.claim(db, begun.token, KEY, security, now=T0 + dt.timedelta(seconds=6)) is None  # one-time
    assert sessions.claim(db, begun.token, b"another key" * 3, security, now=T0) is None
    active = _ok(sessions.check(db, begun.secret, security, now=T0 + dt.timedelta(minutes=1)))
    assert active.principal.username == "officer" and active.principal.role is Role.LEADER
    with db.connect() as conn:
        stored = list(conn.execute(select(WebSession.secret_sha256)).scalars())
    assert begun.token not in stored and begun.secret not in stored and len(stored) == 2
    assert _refused(sessions.check(db, begun.token, security, now=T0)) == "unknown"  # a hand-off is no session


def test_handoff_expires_after_a_minute_and_follows_the_session(db: Engine, security: SecuritySettings) -> None:
    uid = _user(db, security)
    late = sessions.begin(db, uid, 1, security, KEY, now=T0)
    assert late is not None
    assert sessions.claim(db, late.token, KEY, security, now=T0 + dt.timedelta(seconds=61)) is None
    stale = sessions.begin(db, uid, 1, security, KEY, now=T0)
    assert stale is not None
    accounts.update_user(db, SYSTEM, security, "officer", role=Role.ADMIN)  # rights changed: sessions end
    assert sessions.claim(db, stale.token, KEY, security, now=T0 + dt.timedelta(seconds=1)) is None
    assert sessions.claim(db, "forged", KEY, security, now=T0) is None


def test_sign_in_rotates_the_session(db: Engine, security: SecuritySettings) -> None:
    uid = _user(db, security)
    first = _signed_in(db, security, uid)
    second = _signed_in(db, security, uid, replacing=first)
    assert second != first
    assert _refused(sessions.check(db, first, security, now=T0 + dt.timedelta(minutes=1))) == "revoked"
    _ok(sessions.check(db, second, security, now=T0 + dt.timedelta(minutes=1)))


def test_idle_timeout_and_touch(db: Engine, security: SecuritySettings) -> None:
    uid = _user(db, security)
    secret = _signed_in(db, security, uid)
    at = T0 + dt.timedelta(minutes=29)
    sessions.touch(db, _ok(sessions.check(db, secret, security, now=at)), now=at)
    # 29 + 29 minutes after the sign-in, 29 after the last activity: still signed in.
    _ok(sessions.check(db, secret, security, now=at + dt.timedelta(minutes=29)))
    assert _refused(sessions.check(db, secret, security, now=at + dt.timedelta(minutes=31))) == "idle"


def test_absolute_lifetime_ends_even_an_active_session(db: Engine, security: SecuritySettings) -> None:
    uid = _user(db, security)
    secret = _signed_in(db, security, uid)
    at = T0
    while at < T0 + dt.timedelta(hours=11, minutes=30):
        at += dt.timedelta(minutes=20)
        sessions.touch(db, _ok(sessions.check(db, secret, security, now=at)), now=at)
    refused = sessions.check(db, secret, security, now=T0 + dt.timedelta(hours=12, minutes=1))
    assert _refused(refused) == "expired"
    assert "12小时" in refused.message  # type: ignore[union-attr]


def test_revoke_one_leaves_the_other_browsers(db: Engine, security: SecuritySettings) -> None:
    uid = _user(db, security)
    office, home = _signed_in(db, security, uid), _signed_in(db, security, uid)
    assert sessions.revoke(db, office, now=T0 + dt.timedelta(minutes=1))
    assert _refused(sessions.check(db, office, security, now=T0 + dt.timedelta(minutes=2))) == "revoked"
    _ok(sessions.check(db, home, security, now=T0 + dt.timedelta(minutes=2)))
    assert sessions.count_active(db, security, now=T0 + dt.timedelta(minutes=2)) == 1


@pytest.mark.parametrize("change", ["everywhere", "own_password", "admin_password", "disabled"])
def test_every_session_of_the_account_ends(db: Engine, security: SecuritySettings, change: str) -> None:
    uid = _user(db, security)
    _user(db, security, "admin2")
    accounts.update_user(db, SYSTEM, security, "admin2", role=Role.ADMIN)
    other = _signed_in(db, security, _user(db, security, "colleague"))
    mine = [_signed_in(db, security, uid) for _ in range(3)]
    if change == "everywhere":
        assert sessions.revoke_all_of(db, uid) == 3
    elif change == "own_password":
        me = Principal("officer", "张三", Role.LEADER, None, None)
        accounts.change_own_password(db, me, security, PASSWORD, "Another-pass-2026")
    elif change == "admin_password":
        accounts.set_password(db, SYSTEM, security, "officer", "Temporary-pass-2026")
    else:
        accounts.update_user(db, SYSTEM, security, "officer", disabled=True)
    later = T0 + dt.timedelta(minutes=1)
    for secret in mine:
        assert isinstance(sessions.check(db, secret, security, now=later), Refused)
    _ok(sessions.check(db, other, security, now=later))


def test_cookie_is_signed(tmp_path: object) -> None:
    key, other_key = b"k" * 32, b"x" * 32
    value = sessions.cookie_value("abc", key)
    assert sessions.secret_from_cookie(value, key) == "abc"
    assert sessions.secret_from_cookie(value, other_key) is None
    assert sessions.secret_from_cookie("abc", key) is None
    cut = value.index(".") + 1  # the signature's first character carries only data bits, unlike its last
    assert sessions.secret_from_cookie(value[:cut] + ("A" if value[cut] != "A" else "B") + value[cut + 1:], key) is None
    assert sessions.secret_from_cookie("abd" + value[3:], key) is None
    assert sessions.secret_from_cookie(None, key) is None


def test_signing_key_is_made_once_and_private(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    monkeypatch.delenv(sessions.KEY_ENV, raising=False)
    path = Path(str(tmp_path)) / "session.key"
    first = sessions.signing_key(path)
    assert sessions.signing_key(path) == first and len(first) >= 48
    assert path.stat().st_mode & 0o777 == 0o600
    shared = sessions.signing_key(path, shared_secret="streamlit-cookie-secret")
    elsewhere = Path(str(tmp_path)) / "elsewhere.key"
    assert shared == sessions.signing_key(elsewhere, shared_secret="streamlit-cookie-secret")
    assert shared != first and b"streamlit-cookie-secret" not in shared  # derived, not Streamlit's own secret
    blocked = Path(str(tmp_path)) / "a-file" / "session.key"
    blocked.parent.write_text("not a folder")
    assert len(sessions.signing_key(blocked)) >= 48  # unusable file: a key of this process, no crash
    monkeypatch.setenv(sessions.KEY_ENV, "from-the-environment")
    assert sessions.signing_key(path) == b"from-the-environment"


def test_a_held_sqlite_write_lock_never_makes_a_sign_in_wait(db: Engine, security: SecuritySettings) -> None:
    """An import holds SQLite's write lock for its whole run: the hand-off and the touch give up after 0.5 s."""
    import time

    if db.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writes do not wait on an import")
    uid = _user(db, security)
    secret = _signed_in(db, security, uid)
    active = _ok(sessions.check(db, secret, security, now=T0 + dt.timedelta(minutes=1)))
    with db.connect() as holder:
        holder.exec_driver_sql("BEGIN IMMEDIATE")  # what an import's transaction holds
        start = time.monotonic()
        assert sessions.begin(db, uid, 1, security, KEY) is None
        sessions.touch(db, active, now=T0 + dt.timedelta(minutes=5))
        assert time.monotonic() - start < 3
        holder.exec_driver_sql("ROLLBACK")
    assert sessions.begin(db, uid, 1, security, KEY) is not None
