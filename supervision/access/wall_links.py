"""Wall-screen links: read-only link tokens for the big screens, created, checked, revoked.

Link tokens are long random strings of which only the SHA-256 is stored: they are looked up, not
verified one by one, and carry 256 bits, so a fast hash is enough.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from supervision.access import audit
from supervision.access.permissions import require_role
from supervision.core.clock import as_utc, now_utc, to_local
from supervision.core.errors import AuthError
from supervision.core.principal import Principal, Role
from supervision.storage.models import LinkToken


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_screen_token(engine: Engine, actor: Principal, label: str, days: int | None) -> tuple[int, str]:
    """A new read-only link token; the token itself is returned once and never stored."""
    require_role(actor, Role.ADMIN)
    label = label.strip()
    if not label or len(label) > 60:
        raise AuthError("请填写1至60个字符的大屏名称")
    token = secrets.token_urlsafe(32)
    moment = now_utc()
    expires = moment + dt.timedelta(days=days) if days else None
    with engine.begin() as conn:
        token_id = int(conn.execute(insert(LinkToken).values(
            label=label, token_sha256=_token_digest(token), created_at=moment,
            created_by=audit.actor_label(actor), expires_at=expires).returning(LinkToken.id)).scalar_one())
        audit.record(conn, actor, "insert", "link_tokens", str(token_id), None,
                     {"名称": label, "有效期至": expires})
    return token_id, token


def screen_principal(engine: Engine, token: str, now: dt.datetime | None = None) -> tuple[int, Principal] | None:
    """The read-only principal of a valid, unrevoked, unexpired token; None otherwise."""
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
    return row.id, Principal(f"screen-{row.id}", f"大屏：{row.label}", Role.SCREEN)


def screen_token_valid(engine: Engine, token_id: int, now: dt.datetime | None = None) -> bool:
    """Whether a token already accepted in this session is still valid (revocation takes effect at once)."""
    moment = now or now_utc()
    with engine.connect() as conn:
        row = conn.execute(select(LinkToken).where(LinkToken.id == token_id)).first()
    if row is None or row.revoked_at is not None:
        return False
    expires = as_utc(row.expires_at)
    return expires is None or expires > moment


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
                    "最近使用": when(r.last_used_at)})
    return pd.DataFrame(out, columns=["编号", "名称", "状态", "创建人", "创建时间", "有效期至", "最近使用"])
