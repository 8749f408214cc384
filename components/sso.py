"""Single sign-on that keeps the deep link: /auth/sso remembers the page, then hands over to st.login's flow.

Streamlit's OIDC callback always returns to the app's home URL, and the browser session that asked for
the sign-in is gone by then (the provider's pages replaced it). So the sign-in button goes through this
server's own route first (serve.py mounts `start` at /auth/sso): it puts the page the user was on, path
and query, in a short-lived HttpOnly cookie and redirects to Streamlit's /auth/login for the configured
provider. When the provider's identity then opens a session (components.session.resolve), the cookie is
read from the websocket's request and app.py switches to that page, if the account may open it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from components.db import settings

ROUTE = "/auth/sso"
NEXT_COOKIE = "rare_earth_sso_next"
# Long enough to get through the provider's form, short enough not to redirect a later sign-in.
NEXT_MAX_AGE_S = 600
_PATH = re.compile(r"^/[a-z_]{0,40}$")  # the app's page paths (app.py url_path), nothing else
_MAX_QUERY = 1000


def safe_target(path: str | None, query: str | None = None) -> str:
    """A same-site page path with its query, or "/": never another host, scheme or odd path."""
    path = path or "/"
    if not _PATH.match(path):
        return "/"
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False)[:20] if k != "token"]
    encoded = urlencode(pairs)
    return f"{path}?{encoded}" if encoded and len(encoded) <= _MAX_QUERY else path


async def start(request: Request) -> Response:
    """GET /auth/sso?next=/quota%3Fyear%3D2019: remember the page, then Streamlit's login redirect."""
    from streamlit.user_info import generate_login_redirect_url

    wanted = urlsplit(request.query_params.get("next", "/"))
    # Only a path of this app: anything naming a scheme or a host (also "//host/…") is the home page.
    target = "/" if wanted.scheme or wanted.netloc else safe_target(wanted.path, wanted.query)
    provider = settings().security.sso.provider or "default"
    response = RedirectResponse(generate_login_redirect_url(provider), status_code=302)
    response.set_cookie(NEXT_COOKIE, quote(target, safe=""), max_age=NEXT_MAX_AGE_S, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


def begin() -> None:
    """From the sign-in page: send the browser to /auth/sso with the page it is on (as st.login redirects)."""
    sso = settings().security.sso
    if sso.enabled:
        # What st.login checks first: a missing or wrong [auth] section raises here, not in the browser.
        from streamlit.auth_util import validate_auth_credentials

        validate_auth_credentials(sso.provider or "default")
    # st.context.url has the page's path but not its query; the query parameters come separately.
    path = urlsplit(st.context.url or "/").path or "/"
    target = safe_target(path, urlencode(list(st.query_params.items())))
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = f"{ROUTE}?next={quote(target, safe='')}"
    ctx.enqueue(msg)


def remembered_target() -> str | None:
    """The page the browser asked for before the provider's form (from the cookie), or None."""
    from urllib.parse import unquote

    raw = st.context.cookies.get(NEXT_COOKIE)
    if not isinstance(raw, str) or not raw:  # no cookie (and none under AppTest)
        return None
    parts = urlsplit(unquote(raw))
    target = safe_target(parts.path, parts.query)
    return None if target == "/" else target
