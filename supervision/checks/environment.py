"""Environmental supervision (107号 三(五)、苏政发〔2012〕6号 二): R13, R14, R15."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import false, func, literal, or_, select
from sqlalchemy.types import Date

from supervision.checks.base import IN_PRODUCTION, RECYCLING, SMELTING, CheckContext, key_of
from supervision.core.findings import EvidenceRow, Finding
from supervision.storage import asof
from supervision.storage.models import Enterprise, EnvironmentRecord


def r13(ctx: CheckContext) -> list[Finding]:
    """R13 环保问题未整改: environment records dated in Y with no resolved_on, or resolved after D.

    Records dated after D are left out: on D that problem was not yet known; one resolved after D
    was still open on D (spec 4.1). One finding per enterprise.
    """
    env = EnvironmentRecord
    is_open = [ctx.in_year(env.recorded_on), asof.still_open(env.resolved_on, ctx.as_of)]
    stmt = ctx.scoped(
        select(env.uscc, env.kind, func.count().label("n"), func.min(env.recorded_on).label("first"))
        .where(*is_open).group_by(env.uscc, env.kind),
        EnvironmentRecord,
    )
    kinds: dict[str, Counter[str]] = {}
    first: dict[str, dt.date] = {}
    for r in ctx.conn.execute(stmt):
        kinds.setdefault(r.uscc, Counter())[r.kind] = int(r.n)
        first[r.uscc] = min(first.get(r.uscc, r.first), r.first)
    records = ctx.evidence(
        select(env.record_id, env.recorded_on, env.kind, env.resolved_on).where(*is_open),
        env.uscc, [env.recorded_on, env.record_id], list(kinds),
        lambda r: EvidenceRow("environment", key_of(r.record_id),
                              f"{r.recorded_on:%Y-%m-%d} {r.kind} "
                              + (f"整改完成于{r.resolved_on:%Y-%m-%d}（晚于检查日）" if r.resolved_on else "未整改")),
    )
    out = []
    for uscc, counter in kinds.items():
        n = sum(counter.values())
        listed = "、".join(f"{kind}{count}项" for kind, count in sorted(counter.items()))
        out.append(ctx.finding(
            "R13", uscc,
            f"{ctx.year}年发现的环保问题{n}项截至{ctx.as_of:%Y-%m-%d}未整改完成（{listed}），"
            f"最早发现于{first[uscc]:%Y-%m-%d}",
            {"open_records": n, "by_kind": dict(sorted(counter.items())), "earliest_recorded_on": first[uscc],
             "as_of": ctx.as_of},
            records.get(uscc, ([], 0))[0], uscc=uscc,
        ))
    return out


def _yes_no(value: bool | None) -> str:
    return "未填报" if value is None else ("是" if value else "否")


def r14(ctx: CheckContext) -> list[Finding]:
    """R14 环保手续不全: a 在产 smelter or recycler whose eia_approved or eia_accepted is false.

    Only an explicit 否 fires; an empty cell is unknown, not a finding (the spec says "false",
    and names "empty" where it means it, as in R15).
    """
    e = Enterprise
    stmt = ctx.scoped(
        select(e.uscc, e.category, e.eia_approved, e.eia_accepted).where(
            e.category.in_((SMELTING, RECYCLING)), e.status == IN_PRODUCTION,
            or_(e.eia_approved.is_(false()), e.eia_accepted.is_(false())),
        ),
        Enterprise,
    )
    out = []
    for r in ctx.conn.execute(stmt):
        out.append(ctx.finding(
            "R14", r.uscc,
            f"在产{r.category}企业环保手续不全：环评批复{_yes_no(r.eia_approved)}，"
            f"环保竣工验收{_yes_no(r.eia_accepted)}",
            {"eia_approved": r.eia_approved, "eia_accepted": r.eia_accepted},
            [EvidenceRow("enterprises", key_of(r.uscc), "企业名录：环评批复、环保竣工验收")], uscc=r.uscc,
        ))
    return out


def r15(ctx: CheckContext) -> list[Finding]:
    """R15 清洁生产审核逾期: a 在产 smelter or recycler with no clean-production audit, or one more than
    clean_audit_days (730) days before D. An audit dated after D is taken as current."""
    e = Enterprise
    days = ctx.tol.clean_audit_days
    cutoff = ctx.as_of - dt.timedelta(days=days)  # D − audit > 730 ⟺ audit < D − 730 days
    stmt = ctx.scoped(
        select(e.uscc, e.category, e.last_clean_audit).where(
            e.category.in_((SMELTING, RECYCLING)), e.status == IN_PRODUCTION,
            or_(e.last_clean_audit.is_(None), e.last_clean_audit < literal(cutoff, Date)),
        ),
        Enterprise,
    )
    out = []
    for r in ctx.conn.execute(stmt):
        row = [EvidenceRow("enterprises", key_of(r.uscc), "企业名录：最近清洁生产审核日期")]
        if r.last_clean_audit is None:
            message = f"在产{r.category}企业无清洁生产审核记录（应每两年开展一轮）"
            figures: dict[str, object] = {"last_clean_audit": None, "limit_days": days, "as_of": ctx.as_of}
        else:
            elapsed = (ctx.as_of - r.last_clean_audit).days
            message = (f"最近清洁生产审核日期{r.last_clean_audit:%Y-%m-%d}，至{ctx.as_of:%Y-%m-%d}已{elapsed}天，"
                       f"超过{days}天")
            figures = {"last_clean_audit": r.last_clean_audit, "days_since": elapsed, "limit_days": days,
                       "as_of": ctx.as_of}
        out.append(ctx.finding("R15", r.uscc, message, figures, row, uscc=r.uscc))
    return out
