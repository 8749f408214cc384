"""The signed-in user of this browser: sign-in, the session cookie, idle time-out, sign-out, wall-screen links.

app.py calls `resolve()` once per run, before it builds the navigation; pages call `current_principal()`.

A password sign-in is kept in the database (supervision.access.sessions) and referenced by an HttpOnly
cookie that a script cannot set: after the password is checked, this run hands the browser a one-time
token (`browser_navigation()` emits a tiny script served by serve.py) and the browser exchanges it at
/session/start for the cookie, then comes back to the page it was on. Every later run, in this tab, after a
reload, or in a second tab, reads the cookie (`st.context.cookies`) and checks its session in the database:
revoked, idle, past its lifetime or a changed account ends it everywhere at once. Until the browser has the
cookie (and under AppTest, which has no browser) the sign-in lives in this Streamlit session only, as before.
The account is read again on every run, so disabling it or changing its rights ends its sessions at once.
Single sign-on and wall-screen links survive a reload through the provider's cookie and the URL.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from components import sso as sso_flow
from components.db import engine, session_key, settings
from supervision.access import sessions, signin, wall_links
from supervision.core.errors import AuthError
from supervision.core.principal import Principal, Role
from supervision.core.safety import md_escape

_STATE = "auth_session"
_PENDING = "auth_pending_change"
_NOTICE = "auth_notice"
_SSO_REFUSED = "auth_sso_refused"
_DEEP_LINK = "auth_deep_link"
_REFUSED = "auth_refused_cookie"
_NAVIGATE = "auth_navigate"  # ("start", hand-off token) or ("end", "") for browser_navigation()
_RELAYOUT = "auth_wall_relayout"  # the wall link's stored parameters changed: redraw the whole wall


@dataclass(frozen=True)
class SignedIn:
    kind: str  # "cookie" (a database session), "password" (this Streamlit session only), "sso" or "screen"
    principal: Principal
    user_id: int | None
    epoch: int
    token_id: int | None
    last_activity: float
    secret: str | None = None  # the cookie's session secret (kind "cookie")
    link_params: Mapping[str, str] = field(default_factory=dict)  # a wall link's stored parameters (kind "screen")


def _notice(text: str) -> None:
    st.session_state[_NOTICE] = text


def pop_notice() -> str | None:
    return st.session_state.pop(_NOTICE, None)


def _end(state: SignedIn, action: str, notice: str | None) -> None:
    st.session_state.pop(_STATE, None)
    if state.kind == "cookie" and state.secret is not None and action == "signout":
        sessions.revoke(engine(), state.secret)
        st.session_state[_REFUSED] = state.secret  # this run's own cookie: no "signed out elsewhere" notice
        st.session_state[_NAVIGATE] = ("end", "")  # the browser drops the cookie too
    if state.kind != "screen":
        signin.record_session_end(engine(), state.principal, action)
    if state.kind == "sso":
        # Otherwise the provider's cookie would sign the browser straight back in.
        st.session_state[_SSO_REFUSED] = True
        st.logout()
    if notice:
        _notice(notice)


def _start(result: signin.SignIn, kind: str) -> Principal:
    assert result.principal is not None and result.user_id is not None
    st.session_state.pop(_PENDING, None)
    if kind == "password" and _open_cookie_session(result.principal, result.user_id, result.epoch):
        return result.principal
    st.session_state[_STATE] = SignedIn(kind, result.principal, result.user_id, result.epoch, None, time.time())
    return result.principal


def _open_cookie_session(principal: Principal, user_id: int, epoch: int) -> bool:
    """In a browser: a database session for this sign-in, used by this tab at once; the browser gets its cookie.

    False without a browser (AppTest, a load-test client: no script would fetch the cookie) or while an import
    holds SQLite's write lock: the sign-in then lives in this Streamlit session only, as before the cookie.
    """
    if not _runs_scripts():
        return False
    begun = sessions.begin(engine(), user_id, epoch, settings().security, session_key(), replacing=_cookie_secret())
    if begun is None:
        return False
    st.session_state[_STATE] = SignedIn("cookie", principal, user_id, epoch, None, time.time(), begun.secret)
    st.session_state[_NAVIGATE] = ("start", begun.token)
    return True


def browser_navigation() -> None:
    """Emit the pending cookie request to /session/start or /session/end (a fetch: the page stays as it is).

    A script element with a src on this server (the CSP allows no inline script): serve.py's
    /session/handoff.js reads the one-time token from its data attribute and POSTs it; the answer sets or
    clears the HttpOnly cookie, which a reload or a second tab then presents.
    """
    pending = st.session_state.pop(_NAVIGATE, None)
    if pending is None:
        return
    go, token = pending
    st.html(f'<script src="/session/handoff.js" data-go="{html.escape(go)}" data-t="{html.escape(token)}">'
            "</script>", unsafe_allow_javascript=True)


def _runs_scripts() -> bool:
    """Whether the client is a browser, which runs the hand-off script (every browser's User-Agent starts "Mozilla/").

    AppTest sends no headers and a load-test client speaking Streamlit's WebSocket protocol runs no script.
    """
    headers = st.context.headers
    agent = headers.get("User-Agent") if headers else None
    return isinstance(agent, str) and agent.startswith("Mozilla/")


def _cookie_secret() -> str | None:
    cookies = st.context.cookies
    raw = cookies.get(sessions.COOKIE_NAME) if cookies else None
    return sessions.secret_from_cookie(raw if isinstance(raw, str) else None, session_key())


def _from_cookie(secret: str, state: SignedIn | None) -> Principal | None:
    """The cookie's database session: still valid, its idle clock restarted; else signed out with the reason."""
    if st.session_state.get(_REFUSED) == secret:
        return None  # refused before in this browser session: said once, the sign-in form stays quiet
    found = sessions.check(engine(), secret, settings().security)
    if isinstance(found, sessions.Refused):
        st.session_state.pop(_STATE, None)
        st.session_state[_REFUSED] = secret
        if state is not None and found.reason in ("idle", "expired"):
            signin.record_session_end(engine(), state.principal, "timeout")
        if found.reason != "unknown" or state is not None:
            _notice(found.message)
        return None
    sessions.touch(engine(), found)
    st.session_state[_STATE] = SignedIn("cookie", found.principal, found.user_id, found.epoch, None, time.time(),
                                        secret)
    return found.principal


def _screen(token: str) -> Principal | None:
    found = wall_links.screen_link(engine(), token)
    if found is None:
        st.session_state.pop(_STATE, None)
        _notice("大屏链接无效、已过期或已被停用，请联系管理员。")
        return None
    token_id, principal, params = found
    st.session_state[_STATE] = SignedIn("screen", principal, None, 0, token_id, time.time(), link_params=params)
    return principal


def _sso_subject() -> str | None:
    sso = settings().security.sso
    if not sso.enabled or st.session_state.get(_SSO_REFUSED):
        return None
    if not st.user.is_logged_in:
        return None
    value = st.user.get(sso.claim)
    return str(value) if value else None


def resolve() -> Principal | None:
    """Who this run acts for, after the link token, single sign-on, idle time-out and account checks."""
    token = st.query_params.get("token")
    if token:
        return _screen(token)
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is not None and state.kind == "cookie" and state.secret is not None:
        # This tab's own session (its handshake may carry an older cookie, or none: the tab signed in itself).
        return _from_cookie(state.secret, state)
    if state is None:
        secret = _cookie_secret()
        if secret is not None:
            return _from_cookie(secret, state)
    if state is None:
        subject = _sso_subject()
        if subject is None:
            return None
        result = signin.sign_in_sso(engine(), subject)
        if not result.ok:
            st.session_state[_SSO_REFUSED] = True
            _notice(result.message)
            return None
        # The provider returns to the home URL; the page asked for before its form comes from /auth/sso's cookie.
        st.session_state[_DEEP_LINK] = sso_flow.remembered_target()
        return _start(result, "sso")
    if state.kind == "screen":
        if state.token_id is None or not wall_links.screen_token_valid(engine(), state.token_id):
            st.session_state.pop(_STATE, None)
            _notice("大屏链接已过期或已被停用。")
            return None
        return state.principal
    now = time.time()
    if now - state.last_activity > settings().security.idle_timeout_minutes * 60:
        _end(state, "timeout", f"超过{settings().security.idle_timeout_minutes}分钟未操作，已自动退出，请重新登录。")
        return None
    assert state.user_id is not None
    principal = signin.session_principal(engine(), state.user_id, state.epoch)
    if principal is None:
        _end(state, "signout", "账号已被停用或权限、密码已变更，请重新登录。")
        return None
    st.session_state[_STATE] = replace(state, principal=principal, last_activity=now)
    return principal


def still_valid() -> bool:
    """For a fragment's own rerun (the wall's auto-refresh), which skips resolve(): the same checks again.

    The link token must still be valid; an account must still be enabled with the same session epoch
    (role, township, department and password changes move the epoch) and the same rights. When a check
    fails the session ends here with its notice; the caller then reruns the whole app, which signs out.
    """
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is None:
        return False
    if state.kind == "screen":
        params = None if state.token_id is None else wall_links.screen_link_params(engine(), state.token_id)
        if params is not None:
            if params != state.link_params:  # the admin changed this screen in 大屏设置
                st.session_state[_STATE] = replace(state, link_params=params)
                st.session_state[_RELAYOUT] = True
            return True
        st.session_state.pop(_STATE, None)
        _notice("大屏链接已过期或已被停用，大屏已停止显示数据。请联系管理员。")
        return False
    if state.kind == "cookie" and state.secret is not None:
        found = sessions.check(engine(), state.secret, settings().security)
        if isinstance(found, sessions.ActiveSession) and found.principal == state.principal:
            return True
        st.session_state.pop(_STATE, None)
        changed = "账号已被停用或权限、密码已变更，请重新登录。"
        _notice(found.message if isinstance(found, sessions.Refused) else changed)
        return False
    assert state.user_id is not None
    principal = signin.session_principal(engine(), state.user_id, state.epoch)
    rights = lambda p: (p.role, p.township, p.department)  # noqa: E731 - a renamed user keeps the wall
    if principal is not None and rights(principal) == rights(state.principal):
        return True
    _end(state, "signout", "账号已被停用或权限、密码已变更，请重新登录。")
    return False


def guard_refresh() -> None:
    """First line of every auto-refreshing fragment: a revoked link or changed account shows no more data,
    and a wall whose link's parameters were changed is laid out again (the fragment alone cannot change it)."""
    if not still_valid() or st.session_state.pop(_RELAYOUT, False):
        st.rerun(scope="app")


# Set only by a server thread that draws panels for nobody in particular (components/warmup.py): in such a
# thread there is no browser session to ask.
_ACTING: ContextVar[Principal | None] = ContextVar("acting_principal", default=None)


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Within this block (in this thread), current_principal() is `principal`."""
    token = _ACTING.set(principal)
    try:
        yield
    finally:
        _ACTING.reset(token)


def current_principal() -> Principal:
    """The principal this run acts for; a page reached without one stops (app.py routes it to sign-in)."""
    acting = _ACTING.get()
    if acting is not None:
        return acting
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is None:
        st.error("请先登录。")
        st.stop()
    return state.principal


def is_screen() -> bool:
    state: SignedIn | None = st.session_state.get(_STATE)
    return state is not None and state.principal.role is Role.SCREEN


def link_params() -> Mapping[str, str]:
    """The wall parameters stored with this session's wall link (大屏设置); empty for anyone else."""
    state: SignedIn | None = st.session_state.get(_STATE)
    return state.link_params if state is not None and state.kind == "screen" else {}


def _source() -> str | None:
    """Where the browser is: the address the reverse proxy saw (last X-Forwarded-For entry), else the peer's."""
    headers = st.context.headers
    forwarded = headers.get("X-Forwarded-For") if headers else None
    if isinstance(forwarded, str) and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or None
    peer = st.context.ip_address
    return peer if isinstance(peer, str) and peer else None  # none under AppTest


def sign_in_with_password(username: str, password: str) -> signin.SignIn:
    """Check the password; on success the session starts, or waits for a new password if it was temporary."""
    result = signin.authenticate(engine(), username, password, settings().security, source=_source())
    if result.ok and result.must_change_password:
        st.session_state[_PENDING] = result
    elif result.ok:
        _start(result, "password")
    return result


def pending_password_change() -> signin.SignIn | None:
    return st.session_state.get(_PENDING)


def finish_password_change(new_password: str) -> None:
    """Replace the temporary password and open the session (raises AuthError with the reason)."""
    pending: signin.SignIn | None = st.session_state.get(_PENDING)
    if pending is None or pending.user_id is None:
        raise AuthError("登录状态已失效，请重新登录")
    result = signin.replace_temporary_password(engine(), pending.user_id, pending.epoch, settings().security,
                                               new_password)
    _start(result, "password")


def cancel_password_change() -> None:
    st.session_state.pop(_PENDING, None)


def password_changed(epoch: int) -> None:
    """The user changed their own password: every browser's session ended; this one gets a new one at once."""
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is None:
        return
    if state.kind == "cookie" and state.user_id is not None:
        if _open_cookie_session(state.principal, state.user_id, epoch):
            return
        state = replace(state, kind="password", secret=None)
    st.session_state[_STATE] = replace(state, epoch=epoch)


def sign_out_everywhere() -> None:
    """End every session of this account, in every browser, then this one."""
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is not None and state.user_id is not None:
        sessions.revoke_all_of(engine(), state.user_id)
    sign_out()


def start_sso() -> None:
    st.session_state.pop(_SSO_REFUSED, None)
    try:
        sso_flow.begin()  # st.login's redirect, through /auth/sso so that the page asked for is kept
    except Exception as exc:  # noqa: BLE001 - a misconfigured provider must not show a traceback
        st.error(f"统一身份认证未正确配置，请联系管理员（{md_escape(type(exc).__name__)}）。")


def pop_deep_link() -> str | None:
    """Once, right after a single sign-on: the page (path and query) the browser asked for before it."""
    target: str | None = st.session_state.pop(_DEEP_LINK, None)
    return target


def sign_out() -> None:
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is not None:
        _end(state, "signout", "已退出登录。")
        if state.kind == "sso":
            # st.logout's redirect (to the provider's end-session page) is a queued message that a rerun
            # would discard; stopping keeps it, and the redirect reloads the page signed out.
            st.stop()
    st.rerun()


@st.fragment(run_every=60)
def _idle_watch(last_activity: float, timeout_s: int) -> None:
    # Reruns only itself each minute (that is not user activity); once the session has been idle
    # too long, or a database session was ended elsewhere (sign-out in another tab, idle in every tab),
    # it reruns the whole app, which signs out and clears the screen of data.
    state: SignedIn | None = st.session_state.get(_STATE)
    if state is not None and state.kind == "cookie" and state.secret is not None:
        try:
            ended = not isinstance(sessions.check(engine(), state.secret, settings().security),
                                   sessions.ActiveSession)
        except SQLAlchemyError:
            ended = True  # the database is away: the full run replaces the page's figures with the outage notice
        if ended:
            st.rerun(scope="app")
        return
    if time.time() - last_activity > timeout_s:
        st.rerun(scope="app")


def sidebar(principal: Principal) -> None:
    """Who is signed in, and the sign-out button; nothing on a wall screen."""
    state: SignedIn | None = st.session_state.get(_STATE)
    if principal.role is Role.SCREEN or state is None:
        return
    where = principal.township or principal.department or ""
    with st.sidebar:
        st.caption(f"当前用户：{md_escape(principal.display_name)}　{md_escape(principal.role.value)}"
                   + (f"（{md_escape(where)}）" if where else ""))
        if st.button("退出登录", key="sign_out", icon=":material/logout:"):
            sign_out()
        _idle_watch(state.last_activity, settings().security.idle_timeout_minutes * 60)
