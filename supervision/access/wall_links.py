"""Wall-screen links: read-only link tokens for the big screens, created, checked, revoked.

Link tokens are long random strings of which only the SHA-256 is stored: they are looked up, not
verified one by one, and carry 256 bits, so a fast hash is enough.

A link also keeps its screen's parameters (page, panel groups, carousel, refresh, brightness, map colouring)
as the URL parameters they stand for, so the admin changes what a screen shows from 大屏设置 without anyone
going to the screen: the wall reads them at every refresh. Their meaning and validation belong to the wall
(components/screen.py, which ignores an invalid value as it does in a URL); here only the names and lengths
are checked, so nothing but short known strings is ever stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from supervision.access import audit
from supervision.access.permissions import require_role
from supervision.core.clock import as_utc, now_utc, to_local
from supervision.core.errors import AuthError
from supervision.core.principal import Principal, Role
from supervision.storage.models import LinkToken

# The wall's parameters a link may store, with the longest value accepted for each.
PARAMS = {"page": 10, "panels": 80, "carousel": 4, "refresh": 6, "theme": 8, "measure": 40}


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The storable parameters: known names, non-empty text within its length, in PARAMS' order."""
    out: dict[str, str] = {}
    for name, longest in PARAMS.items():
        value = params.get(name)
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        if len(text) > longest:
            raise AuthError(f"大屏参数“{name}”过长（最多{longest}个字符）")
        out[name] = text
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise AuthError(f"未知的大屏参数：{'、'.join(unknown)}")
    return out


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_screen_token(engine: Engine, actor: Principal, label: str, days: int | None,
                        params: Mapping[str, Any] | None = None) -> tuple[int, str]:
    """A new read-only link token; the token itself is returned once and never stored."""
    require_role(actor, Role.ADMIN)
    stored = clean_params(params or {})
    label = label.strip()
    if not label or len(label) > 60:
        raise AuthError("请填写1至60个字符的大屏名称")
    token = secrets.token_urlsafe(32)
    moment = now_utc()
    expires = moment + dt.timedelta(days=days) if days else None
    with engine.begin() as conn:
        token_id = int(conn.execute(insert(LinkToken).values(
            label=label, token_sha256=_token_digest(token), created_at=moment,
            created_by=audit.actor_label(actor), expires_at=expires, params=stored,
        ).returning(LinkToken.id)).scalar_one())
        audit.record(conn, actor, "insert", "link_tokens", str(token_id), None,
                     {"名称": label, "有效期至": expires, "参数": stored})
    return token_id, token


def screen_principal(engine: Engine, token: str, now: dt.datetime | None = None) -> tuple[int, Principal] | None:
    """The read-only principal of a valid, unrevoked, unexpired token; None otherwise."""
    found = screen_link(engine, token, now)
    return None if found is None else (found[0], found[1])


def screen_link(engine: Engine, token: str,
                now: dt.datetime | None = None) -> tuple[int, Principal, dict[str, str]] | None:
    """screen_principal() with the link's stored parameters."""
    if not token or len(token) > 200:
        return None
    moment = now or now_utc()
    with engine.begin() as conn:
        row = conn.execute(select(LinkToken).where(LinkToken.token_sha256 == _token_digest(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        expires = as_utc(row.expires_at)
        if expires is not None and expires <= moment:
            return None
        last = as_utc(row.last_used_at)
        if last is None or moment - last > dt.timedelta(minutes=5):
            conn.execute(update(LinkToken).where(LinkToken.id == row.id).values(last_used_at=moment))
    return row.id, Principal(f"screen-{row.id}", f"大屏：{row.label}", Role.SCREEN), dict(row.params or {})


def screen_token_valid(engine: Engine, token_id: int, now: dt.datetime | None = None) -> bool:
    """Whether a token already accepted in this session is still valid (revocation takes effect at once)."""
    return screen_link_params(engine, token_id, now) is not None


def screen_link_params(engine: Engine, token_id: int, now: dt.datetime | None = None) -> dict[str, str] | None:
    """A link's stored parameters while it is valid; None once it is revoked or expired (read at every refresh)."""
    moment = now or now_utc()
    with engine.connect() as conn:
        row = conn.execute(select(LinkToken.revoked_at, LinkToken.expires_at, LinkToken.params)
                           .where(LinkToken.id == token_id)).first()
    if row is None or row.revoked_at is not None:
        return None
    expires = as_utc(row.expires_at)
    return dict(row.params or {}) if expires is None or expires > moment else None


def set_screen_params(engine: Engine, actor: Principal, token_id: int, params: Mapping[str, Any]) -> dict[str, str]:
    """Store a link's parameters (audited); screens showing it take them at their next refresh."""
    require_role(actor, Role.ADMIN)
    stored = clean_params(params)
    with engine.begin() as conn:
        row = conn.execute(select(LinkToken).where(LinkToken.id == token_id)).first()
        if row is None:
            raise AuthError(f"没有编号为{token_id}的大屏链接")
        if row.revoked_at is not None:
            raise AuthError(f"大屏链接 #{token_id} 已停用，不能再修改参数")
        before = dict(row.params or {})
        if before != stored:
            conn.execute(update(LinkToken).where(LinkToken.id == token_id).values(params=stored))
            audit.record(conn, actor, "update", "link_tokens", str(token_id), {"参数": before}, {"参数": stored})
    return stored


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
        value = as_utc(value)
        return f"{to_local(value):%Y-%m-%d %H:%M}" if value else ""

    out = []
    for r in rows:
        expires = as_utc(r.expires_at)
        status = "已停用" if r.revoked_at else ("已过期" if expires and expires <= moment else "有效")
        out.append({"编号": r.id, "名称": r.label, "状态": status, "创建人": r.created_by,
                    "创建时间": when(r.created_at), "有效期至": when(r.expires_at) or "长期",
                    "最近使用": when(r.last_used_at), "参数": dict(r.params or {})})
    return pd.DataFrame(out, columns=["编号", "名称", "状态", "创建人", "创建时间", "有效期至", "最近使用", "参数"])
