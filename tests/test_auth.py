"""Accounts and sessions: hashing, policy, lock-out and its expiry, disabled accounts, idle time-out, link tokens."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

import pytest
from auth_support import OWN, PASSWORD, add_account, fast, new_app, on_login_page, sign_in
from sqlalchemy import Engine, select

from supervision.access import accounts, passwords, signin, wall_links
from supervision.core.config import SecuritySettings, Settings
from supervision.core.errors import AuthError
from supervision.core.principal import SYSTEM, Role
from supervision.storage.models import AuditEntry, User


@pytest.fixture
def security(settings: Settings) -> SecuritySettings:
    return fast(settings.security)


def _actions(engine: Engine, username: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditEntry.action).where(AuditEntry.record_key == username)
                                 .order_by(AuditEntry.id)).scalars())


def test_configured_hash_is_argon2id_with_the_configured_cost(settings: Settings) -> None:
    digest = passwords.hash_password(PASSWORD, settings.security)
    sec = settings.security
    assert digest.startswith(f"$argon2id$v=19$m={sec.argon2_memory_kib},t={sec.argon2_time_cost},"
                             f"p={sec.argon2_parallelism}$")
    assert passwords.verify_password(digest, PASSWORD, sec)
    assert not passwords.verify_password(digest, PASSWORD + "x", sec)
    assert not passwords.verify_password("not a hash", PASSWORD, sec)
    assert not passwords.verify_password(None, PASSWORD, sec)


def test_only_the_hash_is_stored(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "hash.check", Role.LEADER)
    with db.connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.username == "hash.check")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def _settings_with(security: SecuritySettings) -> Settings:
    from supervision.core.config import load_settings

    return dataclasses.replace(load_settings(), security=security)


def test_password_policy(security: SecuritySettings) -> None:
    assert passwords.password_problems("Abcdef-12345", "zhang", security) == []
    assert passwords.password_problems("short1A!", "zhang", security)  # too short
    assert passwords.password_problems("alllowercaseletters", "zhang", security)  # one class only
    assert passwords.password_problems("Zhang-2019-abc", "zhang", security)  # contains the username
    for _ in range(200):
        # With a two-letter user name about one random password in fifty would contain it by chance.
        generated = passwords.generate_password(security, "fq")
        assert passwords.password_problems(generated, "fq", security) == []


def test_sign_in_success_and_generic_failure(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "li", Role.TOWNSHIP, township=OWN)
    ok = signin.authenticate(db, " LI ", PASSWORD, security)
    assert ok.ok and ok.principal is not None
    assert ok.principal.role is Role.TOWNSHIP and ok.principal.township_scope == OWN
    wrong = signin.authenticate(db, "li", "nope", security)
    unknown = signin.authenticate(db, "nobody", "nope", security)
    # The same answer for a wrong password and an unknown name: no way to probe for accounts.
    assert not wrong.ok and not unknown.ok and wrong.message == unknown.message == signin.GENERIC_FAILURE
    assert _actions(db, "li") == ["insert", "signin", "signin_bad"]
    # An unknown name is logged only as a digest: a password typed into the name box stays out of the log.
    assert _actions(db, "nobody") == [] and _actions(db, signin.masked_name("nobody")) == ["signin_bad"]


def test_lock_out_after_repeated_failures_and_unlock_after_the_duration(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "wang", Role.LEADER)
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    for i in range(security.lockout_threshold - 1):
        assert signin.authenticate(db, "wang", f"bad{i}", security, now=start).message == signin.GENERIC_FAILURE
    locked = signin.authenticate(db, "wang", "bad-last", security, now=start)
    assert not locked.ok and "锁定" in locked.message
    # While locked even the right password is refused, and is not checked at all.
    during = start + dt.timedelta(minutes=security.lockout_minutes - 1)
    assert not signin.authenticate(db, "wang", PASSWORD, security, now=during).ok
    after = start + dt.timedelta(minutes=security.lockout_minutes, seconds=1)
    assert signin.authenticate(db, "wang", PASSWORD, security, now=after).ok
    with db.connect() as conn:
        row = conn.execute(select(User).where(User.username == "wang")).one()
    assert row.failed_attempts == 0 and row.locked_until is None
    assert "lockout" in _actions(db, "wang")


def test_success_resets_the_failure_count(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "zhao", Role.LEADER)
    for _ in range(2):
        for i in range(security.lockout_threshold - 1):
            signin.authenticate(db, "zhao", f"bad{i}", security)
        assert signin.authenticate(db, "zhao", PASSWORD, security).ok  # never reaches the threshold in a row


def test_administrator_unlocks_a_locked_account(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "sun", Role.LEADER)
    for i in range(security.lockout_threshold):
        signin.authenticate(db, "sun", f"bad{i}", security)
    assert not signin.authenticate(db, "sun", PASSWORD, security).ok
    accounts.unlock(db, SYSTEM, "sun")
    assert signin.authenticate(db, "sun", PASSWORD, security).ok


def test_disabled_account_cannot_sign_in_and_its_sessions_end(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "qian", Role.LEADER)
    add_account(db, _settings_with(security), "boss", Role.ADMIN)
    result = signin.authenticate(db, "qian", PASSWORD, security)
    assert result.ok and result.user_id is not None
    assert signin.session_principal(db, result.user_id, result.epoch) is not None
    accounts.update_user(db, SYSTEM, security, "qian", disabled=True)
    assert signin.session_principal(db, result.user_id, result.epoch) is None
    refused = signin.authenticate(db, "qian", PASSWORD, security)
    assert not refused.ok and "停用" in refused.message


def test_role_change_ends_open_sessions(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "zhou", Role.TOWNSHIP, township=OWN)
    result = signin.authenticate(db, "zhou", PASSWORD, security)
    assert result.user_id is not None
    accounts.update_user(db, SYSTEM, security, "zhou", role=Role.LEADER)
    assert signin.session_principal(db, result.user_id, result.epoch) is None
    again = signin.authenticate(db, "zhou", PASSWORD, security)
    assert again.principal is not None and again.principal.role is Role.LEADER
    assert again.principal.township is None  # a leader's account keeps no township


def test_last_administrator_cannot_be_disabled_or_demoted(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "only.admin", Role.ADMIN)
    with pytest.raises(AuthError):
        accounts.update_user(db, SYSTEM, security, "only.admin", disabled=True)
    with pytest.raises(AuthError):
        accounts.update_user(db, SYSTEM, security, "only.admin", role=Role.LEADER)


def test_assignment_is_validated(db: Engine, security: SecuritySettings) -> None:
    s = _settings_with(security)
    with pytest.raises(AuthError):
        add_account(db, s, "t1", Role.TOWNSHIP)  # no township
    with pytest.raises(AuthError):
        add_account(db, s, "t2", Role.TOWNSHIP, township="不存在镇")
    with pytest.raises(AuthError):
        add_account(db, s, "b1", Role.BUREAU, department="不存在局")
    with pytest.raises(AuthError):
        add_account(db, s, "s1", Role.SCREEN)  # wall screens are links, not accounts
    with pytest.raises(AuthError):
        add_account(db, s, "Bad Name", Role.LEADER)
    assert accounts.count_users(db) == 0


def test_rehash_when_the_configured_cost_changes(db: Engine, security: SecuritySettings) -> None:
    add_account(db, _settings_with(security), "rehash", Role.LEADER)
    stronger = dataclasses.replace(security, argon2_time_cost=2)
    assert signin.authenticate(db, "rehash", PASSWORD, stronger).ok
    with db.connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.username == "rehash")).scalar_one()
    assert ",t=2," in stored


def test_screen_token_access_revocation_and_expiry(db: Engine) -> None:
    token_id, token = wall_links.create_screen_token(db, SYSTEM, "指挥中心", days=30)
    found = wall_links.screen_principal(db, token)
    assert found is not None and found[1].role is Role.SCREEN and found[0] == token_id
    assert wall_links.screen_principal(db, token + "x") is None
    assert wall_links.screen_principal(db, "") is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert wall_links.screen_principal(db, token, now=later) is None
    assert not wall_links.screen_token_valid(db, token_id, now=later)
    wall_links.revoke_screen_token(db, SYSTEM, token_id)
    assert wall_links.screen_principal(db, token) is None
    assert not wall_links.screen_token_valid(db, token_id)
    listed = wall_links.list_screen_tokens(db, SYSTEM)
    assert listed.loc[0, "状态"] == "已停用"
    assert token not in listed.to_string()  # the token is never stored or listed


def test_sso_signs_in_only_a_mapped_active_account(db: Engine, security: SecuritySettings) -> None:
    accounts.create_user(db, SYSTEM, security, username="sso.user", display_name="单点用户", role=Role.BUREAU,
                         department="海关", password=None, sso_subject="zhang@taicang.gov.cn")
    ok = signin.sign_in_sso(db, "zhang@taicang.gov.cn")
    assert ok.ok and ok.principal is not None and ok.principal.department == "海关"
    assert not signin.sign_in_sso(db, "stranger@example.com").ok
    # An account without a password cannot be entered with one.
    assert not signin.authenticate(db, "sso.user", "", security).ok


# The app: sign-in page, idle time-out, lock-out message, temporary passwords, wall-screen links.

def test_sign_in_page_signs_in_and_out(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "leader1", Role.LEADER, display_name="刘领导")
    at = new_app().run()
    assert on_login_page(at) and not at.exception
    sign_in(at, "leader1", "wrong-password")
    assert on_login_page(at) and at.error[0].value == signin.GENERIC_FAILURE
    sign_in(at, "leader1")
    assert not at.exception and not on_login_page(at)
    assert at.title[0].value == "稀土行业秩序整顿 · 总览"
    assert any("刘领导" in c.value for c in at.sidebar.caption)
    at.sidebar.button(key="sign_out").click().run()
    assert on_login_page(at)
    assert _actions(app_db, "leader1")[-3:] == ["signin_bad", "signin", "signout"]


def test_lock_out_in_the_app(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "guess", Role.LEADER)
    at = new_app().run()
    for i in range(settings.security.lockout_threshold):
        sign_in(at, "guess", f"attempt{i}")
    assert "锁定" in at.error[0].value
    sign_in(at, "guess")  # the right password during the lock-out
    assert on_login_page(at) and "锁定" in at.error[0].value


def test_idle_session_expires(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "idle", Role.LEADER)
    at = sign_in(new_app().run(), "idle")
    assert not on_login_page(at)
    state = at.session_state["auth_session"]
    # Just inside the limit the session carries on; past it the next interaction signs out.
    limit = settings.security.idle_timeout_minutes * 60
    at.session_state["auth_session"] = dataclasses.replace(state, last_activity=time.time() - limit + 30)
    at.run()
    assert not on_login_page(at)
    at.session_state["auth_session"] = dataclasses.replace(state, last_activity=time.time() - limit - 1)
    at.run()
    assert on_login_page(at)
    assert any("未操作" in i.value for i in at.info)
    assert _actions(app_db, "idle")[-1] == "timeout"


def test_disabling_an_account_ends_its_open_session(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "soon.gone", Role.LEADER)
    add_account(app_db, settings, "boss", Role.ADMIN)
    at = sign_in(new_app().run(), "soon.gone")
    assert not on_login_page(at)
    accounts.update_user(app_db, SYSTEM, fast(settings.security), "soon.gone", disabled=True)
    at.run()
    assert on_login_page(at)


def test_temporary_password_must_be_replaced(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "newbie", Role.LEADER, must_change=True)
    at = sign_in(new_app().run(), "newbie")
    assert any(w.key == "new_password" for w in at.text_input)
    assert "auth_session" not in at.session_state  # no session until the password is replaced
    at.text_input(key="new_password").input("Brand-New-Pass-9")
    at.text_input(key="new_password_again").input("Brand-New-Pass-9")
    at.button(key="new_password_submit").click().run()
    assert not at.exception and not on_login_page(at) and "auth_session" in at.session_state
    security = fast(settings.security)
    assert signin.authenticate(app_db, "newbie", "Brand-New-Pass-9", security).ok
    assert not signin.authenticate(app_db, "newbie", PASSWORD, security).ok


def test_screen_link_shows_only_overview_and_map(app_db: Engine, settings: Settings) -> None:
    token_id, token = wall_links.create_screen_token(app_db, SYSTEM, "大屏", 1)
    at = new_app()
    at.query_params["token"] = token
    at.query_params["mode"] = "screen"
    at.run()
    assert not at.exception and not on_login_page(at)
    assert at.title[0].value.startswith("稀土行业秩序整顿")
    for page in ("app_pages/admin_users.py", "app_pages/audit_log.py", "app_pages/account.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)
    assert not at.sidebar.button  # no sign-out button, no account on a wall
    wall_links.revoke_screen_token(app_db, SYSTEM, token_id)
    at.query_params.clear()  # the wall is already showing; revocation ends it on its next run
    at.run()
    assert on_login_page(at)


def test_bad_screen_link_is_refused(app_db: Engine) -> None:
    at = new_app()
    at.query_params["token"] = "forged-token"
    at.run()
    assert on_login_page(at) and any("无效" in i.value for i in at.info)


@pytest.fixture
def sso_app(app_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    from auth_support import clear_streamlit_caches

    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert text.count("\nenabled = false\n") == 1  # the one in [security.sso]
    text = text.replace("\nenabled = false\n", "\nenabled = true\n")
    sso_config = tmp_path / "sso.toml"
    sso_config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SUPERVISION_CONFIG", str(sso_config))
    clear_streamlit_caches()
    return app_db


def test_single_sign_on_maps_the_identity_to_an_account(sso_app: Engine, settings: Settings) -> None:
    accounts.create_user(sso_app, SYSTEM, fast(settings.security), username="oidc", display_name="统一认证用户",
                         role=Role.TOWNSHIP, township=OWN, password=None, sso_subject="oidc@taicang.gov.cn")
    at = new_app()
    at.user = {"is_logged_in": True, "email": "oidc@taicang.gov.cn"}
    at.run()
    assert not at.exception and not on_login_page(at)
    assert at.session_state["auth_session"].principal.township == OWN
    stranger = new_app()
    stranger.user = {"is_logged_in": True, "email": "someone@example.com"}
    stranger.run()
    assert on_login_page(stranger) and any("尚未开通" in i.value for i in stranger.info)


def test_command_line_accounts(db: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from supervision.cli.main import main

    url = db.url.render_as_string(hide_password=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("First-Admin-Pass1\n"))
    assert main(["users", "add", "Chief", "--role", "管理员", "--name", "张主任", "--password-stdin", "--db", url]) == 0
    assert signin.authenticate(db, "chief", "First-Admin-Pass1", load_security()).ok
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    assert main(["users", "add", "weakling", "--role", "leader", "--password-stdin", "--db", url]) == 2
    assert main(["users", "add", "fq", "--role", "镇区人员", "--township", OWN, "--generate", "--db", url]) == 0
    generated = capsys.readouterr().out.strip().splitlines()[-1].split("：")[-1]
    assert signin.authenticate(db, "fq", generated, load_security()).must_change_password
    assert main(["users", "add", "x", "--role", "镇区人员", "--township", "火星", "--generate", "--db", url]) == 1
    assert main(["users", "set-role", "fq", "局办人员", "--department", "海关", "--db", url]) == 0
    assert main(["users", "disable", "chief", "--db", url]) == 1  # the last administrator
    assert main(["users", "reset-password", "fq", "--generate", "--keep", "--db", url]) == 0
    reset = capsys.readouterr().out.strip().splitlines()[-1].split("：")[-1]
    assert signin.authenticate(db, "fq", reset, load_security()).ok
    assert main(["users", "screen-token", "add", "指挥中心", "--days", "30", "--db", url]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert wall_links.screen_principal(db, link.split("token=")[1].split("&")[0]) is not None
    assert main(["users", "screen-token", "revoke", "1", "--db", url]) in (0, 1)
    assert main(["users", "list", "--db", url]) == 0
    listing = capsys.readouterr().out
    assert "chief" in listing and "张主任" in listing and "海关" in listing and "$argon2" not in listing
    assert main(["users", "demo", "--if-none", "--db", url]) == 0  # accounts exist: nothing created
    assert "跳过" in capsys.readouterr().out
    with db.connect() as conn:
        actors = set(conn.execute(select(AuditEntry.actor)).scalars())
    assert any(a.startswith("命令行：") for a in actors)


def test_demo_accounts_are_created_once_with_printed_passwords(db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    from supervision.cli.main import main

    url = db.url.render_as_string(hide_password=False)
    assert main(["users", "demo", "--if-none", "--base-url", "http://127.0.0.1:8501", "--db", url]) == 0
    out = capsys.readouterr().out
    security = load_security()
    for account in accounts.DEMO_ACCOUNTS:
        line = next(x for x in out.splitlines() if x.strip().startswith(account.username + " "))
        password = line.split()[1]
        signed = signin.authenticate(db, account.username, password, security)
        assert signed.ok and signed.principal is not None and signed.principal.role is account.role
    token = out.split("token=")[1].split("&")[0]
    assert wall_links.screen_principal(db, token) is not None
    with db.connect() as conn:
        hashes = list(conn.execute(select(User.password_hash)).scalars())
    assert all(h.startswith("$argon2id$") for h in hashes) and not any(h in out for h in hashes)
    assert main(["users", "demo", "--if-none", "--db", url]) == 0
    assert accounts.count_users(db) == len(accounts.DEMO_ACCOUNTS)


def load_security() -> SecuritySettings:
    from supervision.core.config import load_settings

    return load_settings().security
