"""serve.py's own HTTP pieces without a browser: the client address behind a trusted proxy, the Secure flag,
the session routes' origin check, the session and monitoring settings, and the metrics text format."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from components import web
from supervision.core.config import DEFAULT_CONFIG, ConfigError, parse_settings
from supervision.core.metrics import Registry


def _seen(peer: str, headers: dict[str, str], trusted: tuple[str, ...] = ("127.0.0.1", "::1")) -> dict[str, Any]:
    def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{web.client_address(request, trusted)}|{web.came_over_https(request, trusted)}")

    app = Starlette(routes=[Route("/", endpoint)])
    with TestClient(app, client=(peer, 50000)) as client:
        address, https = client.get("/", headers=headers).text.split("|")
    return {"address": address, "https": https == "True"}


def test_forwarded_headers_count_only_from_a_trusted_proxy() -> None:
    assert _seen("127.0.0.1", {"X-Forwarded-For": "10.1.2.3", "X-Forwarded-Proto": "https"}) == \
        {"address": "10.1.2.3", "https": True}
    # An outside peer cannot claim another address or HTTPS.
    assert _seen("192.0.2.7", {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}) == \
        {"address": "192.0.2.7", "https": False}
    # A chain: the proxy appends the address it saw; whatever the browser wrote before it is not believed.
    assert _seen("::1", {"X-Forwarded-For": "127.0.0.1, 10.9.9.9"})["address"] == "10.9.9.9"
    assert web._in("::ffff:127.0.0.1", ("127.0.0.1",))
    assert not web._in("not an address", ("0.0.0.0/0",))
    assert web._in("10.20.3.4", ("10.20.0.0/16",)) and not web._in("10.21.0.1", ("10.20.0.0/16",))


def _raw() -> dict[str, Any]:
    with open(DEFAULT_CONFIG, "rb") as fh:
        return tomllib.load(fh)


def test_session_and_monitoring_settings_are_validated() -> None:
    settings = parse_settings(_raw())
    assert settings.security.session_lifetime_hours == 12 and settings.security.idle_timeout_minutes == 30
    assert settings.security.session_cookie_secure == "auto"
    assert settings.monitoring.allowed == ("127.0.0.1", "::1")
    for section, key, value, says in [
        ("security", "session_lifetime_hours", 0, "session_lifetime_hours"),
        ("security", "session_cookie_secure", "sometimes", "session_cookie_secure"),
        ("security", "trusted_proxies", ["proxy.example"], "trusted_proxies"),
        ("monitoring", "allowed", ["everyone"], "allowed"),
        ("monitoring", "allowed", "127.0.0.1", "allowed"),
    ]:
        raw = _raw()
        raw.setdefault(section, {})[key] = value
        with pytest.raises(ConfigError, match=says):
            parse_settings(raw)


def test_metrics_text_format() -> None:
    registry = Registry()
    registry.inc("supervision_script_runs_total", page="quota")
    registry.inc("supervision_script_runs_total", page="quota")
    registry.observe("supervision_script_run_seconds", 0.3, page="quota")
    registry.observe("supervision_script_run_seconds", 40.0, page="quota")
    registry.inc("supervision_database_errors_total", where='a "quoted"\nplace')
    text = registry.render({"supervision_sessions_active": [((), 3.0)]})
    lines = text.splitlines()
    assert 'supervision_script_runs_total{page="quota"} 2' in lines
    assert 'supervision_script_run_seconds_bucket{page="quota",le="0.25"} 0' in lines
    assert 'supervision_script_run_seconds_bucket{page="quota",le="0.5"} 1' in lines
    assert 'supervision_script_run_seconds_bucket{page="quota",le="30"} 1' in lines
    assert 'supervision_script_run_seconds_bucket{page="quota",le="+Inf"} 2' in lines
    assert 'supervision_script_run_seconds_sum{page="quota"} 40.3' in lines
    assert 'supervision_script_run_seconds_count{page="quota"} 2' in lines
    assert 'supervision_database_errors_total{where="a \\"quoted\\"\\nplace"} 1' in lines
    assert "supervision_sessions_active 3" in lines
    assert "# TYPE supervision_script_run_seconds histogram" in lines
    assert text.endswith("\n")


def test_security_headers_on_every_answer() -> None:
    app = Starlette(routes=[Route("/", lambda _r: PlainTextResponse("x"))])
    with TestClient(web.SecurityHeaders(app)) as client:
        headers = client.get("/").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'sha256-" in csp


def test_session_routes_answer_only_this_sites_own_pages() -> None:
    app = Starlette(routes=web.routes())
    with TestClient(app, base_url="http://app.example") as client:
        for path in ("/session/start?t=x", "/session/end"):
            assert client.post(path).status_code == 403  # no Origin: not a fetch from our page
            assert client.post(path, headers={"Origin": "http://evil.example"}).status_code == 403
            assert client.get(path).status_code == 405
        assert client.get("/session/handoff.js").headers["content-type"].startswith("text/javascript")


def test_healthz_names_a_schema_behind_the_code(app_db: Any) -> None:
    from sqlalchemy import text

    app = Starlette(routes=web.routes())
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        answer = client.get("/healthz")
        assert answer.status_code == 200 and answer.json()["reason"] == "ok"
        with app_db.begin() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            conn.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": "0005_audit_append_only"})
        try:
            answer = client.get("/healthz")
            assert answer.status_code == 503
            assert answer.json() == {"status": "error", "reason": "migrations_pending",
                                     "message": "数据库结构不是最新版本，请执行数据库迁移"}
        finally:
            with app_db.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    with TestClient(app, client=("192.0.2.9", 50000)) as client:
        assert client.get("/healthz").status_code == 403
        assert client.get("/metrics").status_code == 403
