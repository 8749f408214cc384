"""What the ASGI entry (serve.py) adds around Streamlit: security headers on every HTTP answer.

A pure ASGI middleware (no BaseHTTPMiddleware): it touches only the start of an HTTP response, lets
WebSocket traffic through untouched and never buffers a body.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit

Scope = dict[str, Any]
Message = dict[str, Any]


@lru_cache(maxsize=1)
def _index_script_hashes() -> tuple[str, ...]:
    """The hashes of the inline scripts in Streamlit's own index.html (one line it needs before its bundle)."""
    index = Path(streamlit.__file__).parent / "static" / "index.html"
    try:
        text = index.read_text(encoding="utf-8")
    except OSError:
        return ()
    found = re.findall(r"<script>(.*?)</script>", text, flags=re.S)
    return tuple("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
                 for body in found)


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
