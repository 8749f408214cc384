"""What the ASGI entry (serve.py) adds around Streamlit: security headers, the session cookie routes,
/healthz and /metrics.

The headers come from a pure ASGI middleware (no BaseHTTPMiddleware): it touches only the start of an HTTP
response, lets WebSocket traffic through untouched and never buffers a body. The routes are plain (sync)
Starlette endpoints: Starlette runs them on its thread pool, so a slow database never blocks the event loop
that carries every browser's WebSocket.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import streamlit
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from components.db import engine, session_key
from supervision.access import sessions
from supervision.core.config import ConfigError, SecuritySettings, load_settings
from supervision.core.metrics import METRICS
from supervision.storage.db import schema_is_current

Scope = dict[str, Any]
Message = dict[str, Any]


STATIC = Path(__file__).resolve().parent.parent / "static"
# Pages whose inline scripts the CSP allows by hash: Streamlit's index.html (one line it needs before its
# bundle) and the wall's hidden scale frame (a components.html srcdoc frame inherits the page's CSP).
INLINE_SCRIPT_FILES = (Path(streamlit.__file__).parent / "static" / "index.html", STATIC / "wall-scale.html")


@lru_cache(maxsize=1)
def _index_script_hashes() -> tuple[str, ...]:
    """The CSP hashes of the inline scripts in INLINE_SCRIPT_FILES, read at start."""
    hashes: list[str] = []
    for page in INLINE_SCRIPT_FILES:
        try:
            text = page.read_text(encoding="utf-8")
        except OSError:
            continue
        for body in re.findall(r"<script>(.*?)</script>", text, flags=re.S):
            hashes.append("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'")
    return tuple(hashes)


def content_security_policy() -> str:
    """Only this server: scripts from its own files (plus Streamlit's one inline line), no frame from elsewhere.

    Styles need 'unsafe-inline' (Streamlit's emotion and plotly write <style> elements at run time);
    images and fonts also come as data:/blob: URLs (plotly's image export, map glyphs); connect-src 'self'
    covers the WebSocket to the same host. Nothing may be fetched from, or sent to, another host.
    """
    scripts = " ".join(("'self'", *_index_script_hashes()))
    return "; ".join((
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "media-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ))


def security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"x-content-type-options", b"nosniff"),
        # Wall-screen links carry their token in the URL: it must not travel to another site as a referrer.
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"SAMEORIGIN"),
        (b"content-security-policy", content_security_policy().encode()),
    ]


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set them itself."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = security_headers()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in self.headers if n not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- the project's own HTTP routes: the session cookie's hand-off and end, health and metrics ---------------

HANDOFF_JS = """(function () {
  // Emitted by a Streamlit run (st.html) right after a sign-in or a sign-out: the server's answer to this
  // request sets or clears the HttpOnly session cookie. The page itself stays as it is.
  var me = document.currentScript;
  if (!me) { return; }
  var token = me.getAttribute("data-t") || "";
  var end = me.getAttribute("data-go") === "end";
  var url = end ? "/session/end" : "/session/start?t=" + encodeURIComponent(token);
  if (!end && !token) { return; }
  fetch(url, {method: "POST", credentials: "same-origin", cache: "no-store"});
})();
"""


def _in(address: str | None, networks: tuple[str, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def client_address(request: Request, trusted: tuple[str, ...]) -> str | None:
    """The browser's address: the peer's, or the last X-Forwarded-For entry when the peer is a trusted proxy."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and _in(peer, trusted):
        return forwarded.split(",")[-1].strip() or peer
    return peer


def came_over_https(request: Request, trusted: tuple[str, ...]) -> bool:
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    return _in(peer, trusted) and request.headers.get("x-forwarded-proto", "").lower() == "https"


def _secure_cookie(request: Request, security: SecuritySettings) -> bool:
    if security.session_cookie_secure == "always":
        return True
    if security.session_cookie_secure == "never":
        return False
    return came_over_https(request, security.trusted_proxies)


def _no_store(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


def handoff_script(_request: Request) -> Response:
    return _no_store(Response(HANDOFF_JS, media_type="text/javascript"))


def wall_scale_script(_request: Request) -> Response:
    """static/wall-scale.js as a script (Streamlit's static serving gives .js files text/plain with nosniff)."""
    return Response((STATIC / "wall-scale.js").read_text(encoding="utf-8"), media_type="text/javascript",
                    headers={"cache-control": "no-cache"})


def _same_origin(request: Request) -> bool:
    """A POST from this site's own pages: a browser always sends Origin with fetch; it must name this host
    (the Host header, or a trusted proxy's X-Forwarded-Host when the proxy rewrote Host)."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    hosts = {request.headers.get("host", "")}
    peer = request.client.host if request.client else None
    if _in(peer, load_settings().security.trusted_proxies):
        hosts.add(request.headers.get("x-forwarded-host", "").split(",")[0].strip())
    return urlsplit(origin).netloc in hosts - {""}


def session_start(request: Request) -> Response:
    """Exchange a one-time hand-off for the session cookie (rotating any other session the browser had)."""
    if not _same_origin(request):
        return _no_store(Response(status_code=403))
    settings = load_settings()
    key = session_key()
    previous = sessions.secret_from_cookie(request.cookies.get(sessions.COOKIE_NAME), key)
    try:
        secret = sessions.claim(engine(), request.query_params.get("t", ""), key, settings.security,
                                replacing=previous)
    except SQLAlchemyError:
        METRICS.inc("supervision_database_errors_total", where="session")
        return _no_store(Response(status_code=503))
    if secret is None:
        return _no_store(Response(status_code=403))
    response = Response(status_code=204)
    response.set_cookie(sessions.COOKIE_NAME, sessions.cookie_value(secret, key),
                        max_age=settings.security.session_lifetime_hours * 3600, path="/", httponly=True,
                        samesite="strict", secure=_secure_cookie(request, settings.security))
    return _no_store(response)


def session_end(request: Request) -> Response:
    """Sign-out: the session ends in the database (every tab, every process) and the cookie is cleared."""
    if not _same_origin(request):
        return _no_store(Response(status_code=403))
    settings = load_settings()
    secret = sessions.secret_from_cookie(request.cookies.get(sessions.COOKIE_NAME), session_key())
    if secret is not None:
        try:
            sessions.revoke(engine(), secret)
        except SQLAlchemyError:
            METRICS.inc("supervision_database_errors_total", where="session")
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="strict",
                           secure=_secure_cookie(request, settings.security))
    return _no_store(response)


def _monitor_allowed(request: Request) -> bool:
    settings = load_settings()
    return _in(client_address(request, settings.security.trusted_proxies), settings.monitoring.allowed)


_FORBIDDEN = {"status": "forbidden", "reason": "address_not_allowed", "message": "此地址无权读取监控信息"}


def health(request: Request) -> Response:
    """200 when the process is up, the database answers and its schema is at the newest migration; else 503."""
    if not _monitor_allowed(request):
        return _no_store(JSONResponse(_FORBIDDEN, status_code=403))

    def answer(status: int, reason: str, message: str) -> Response:
        body = {"status": "ok" if status == 200 else "error", "reason": reason, "message": message}
        return _no_store(JSONResponse(body, status_code=status))

    try:
        load_settings()
    except ConfigError:
        return answer(503, "config_invalid", "配置文件有误，请查看服务日志")
    try:
        current = database_state()
    except SQLAlchemyError:
        METRICS.inc("supervision_database_errors_total", where="health")
        return answer(503, "database_unreachable", "数据库无法连接")
    if not current:
        return answer(503, "migrations_pending", "数据库结构不是最新版本，请执行数据库迁移")
    return answer(200, "ok", "运行正常")


def database_state() -> bool:
    """Whether the schema is at the newest migration; raises SQLAlchemyError when the database is away."""
    found = engine()
    with found.connect() as conn:
        conn.execute(text("SELECT 1"))
    return schema_is_current(found)


def metrics(request: Request) -> Response:
    """The process's counters in the Prometheus text format, plus gauges read now."""
    if not _monitor_allowed(request):
        return _no_store(PlainTextResponse("此地址无权读取监控信息\n", status_code=403))
    gauges: dict[str, list[tuple[tuple[tuple[str, str], ...], float]]] = {}
    try:
        active = sessions.count_active(engine(), load_settings().security)
        gauges["supervision_sessions_active"] = [((), float(active))]
        gauges["supervision_database_up"] = [((), 1.0)]
    except (SQLAlchemyError, ConfigError):
        METRICS.inc("supervision_database_errors_total", where="metrics")
        gauges["supervision_database_up"] = [((), 0.0)]
    gauges["supervision_streamlit_sessions"] = [((), float(_open_connections()))]
    return _no_store(PlainTextResponse(METRICS.render(gauges), media_type="text/plain; version=0.0.4"))


def _open_connections() -> int:
    """Browser connections of this process (Streamlit's session manager; 0 where it cannot be read)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return 0
    manager = getattr(Runtime.instance(), "_session_mgr", None)
    try:
        return len(manager.list_active_sessions()) if manager is not None else 0
    except Exception:  # noqa: BLE001 - a private API of Streamlit: a changed one must not break /metrics
        return 0


def routes() -> list[Route]:
    return [
        Route("/session/handoff.js", handoff_script, methods=["GET"]),
        Route("/wall/scale.js", wall_scale_script, methods=["GET"]),
        Route("/session/start", session_start, methods=["POST"]),
        Route("/session/end", session_end, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
