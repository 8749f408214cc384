"""The campaign's deadlines and reporting duties (107号 五、四(十)、二(一)): R16, R17, R18, R19."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, true, union_all
from sqlalchemy.types import Date, String

from supervision.checks.base import (
    RECYCLING,
    SMELTING,
    TRADING,
    CheckContext,
    key_of,
)
from supervision.core.findings import EvidenceRow, Finding
from supervision.storage import asof
from supervision.storage.models import Enterprise, MonthlyReport, SelfCheck, Tipoff, TownshipReport


def _lateness(ctx: CheckContext, submitted: dt.date | None, deadline: dt.date, what: str) -> tuple[str, dict[str, Any]]:
    """Message tail and figures for a report missing or late against a deadline, as known on D."""
    figures: dict[str, Any] = {"deadline": deadline, "submitted_on": submitted, "as_of": ctx.as_of}
    if submitted is None or submitted > ctx.as_of:
        overdue = (ctx.as_of - deadline).days
        figures["days_overdue"] = overdue
        return f"截至{ctx.as_of:%Y-%m-%d}未报送{what}（截止日期{deadline:%Y-%m-%d}，已逾期{overdue}天）", figures
    figures["days_late"] = (submitted - deadline).days
    return f"{what}于{submitted:%Y-%m-%d}报送，比截止日期{deadline:%Y-%m-%d}晚{(submitted - deadline).days}天", figures


def r16(ctx: CheckContext) -> list[Finding]:
    """R16 企业自查逾期: a smelter, recycler or trader without a self-check for Y submitted on or before the
    deadline, once D is past it. Late and missing both fire; no status is exempt (the spec names none),
    so a closed enterprise that still had to fill in 附件1 is listed too. A row with an empty
    submitted_on, or one submitted after D, is missing as of D. Only a campaign year (one with its own
    [calendar.YYYY] table in config.toml) has a self-check to miss."""
    deadline = ctx.calendar["self_check_deadline"]
    if not ctx.settings.calendar.is_campaign_year(ctx.year) or not ctx.as_of > deadline:
        return []
    e = ctx.enterprises(SMELTING, RECYCLING, TRADING)
    sc = SelfCheck
    stmt = (
        select(e.c.uscc, sc.submitted_on, sc.uscc.label("has_row"))
        .outerjoin(sc, and_(sc.uscc == e.c.uscc, sc.year == ctx.year))
        .where(or_(sc.submitted_on.is_(None), sc.submitted_on > literal(deadline, Date)))
    )
    out = []
    for r in ctx.conn.execute(stmt):
        tail, figures = _lateness(ctx, r.submitted_on, deadline, f"{ctx.year}年企业自查表（附件1）")
        rows = [EvidenceRow("self_checks", key_of(r.uscc, ctx.year), f"报送日期{r.submitted_on or '空'}")] \
            if r.has_row else [EvidenceRow("enterprises", key_of(r.uscc), "企业名录（应报送自查表的企业）")]
        out.append(ctx.finding("R16", r.uscc, tail, figures, rows, uscc=r.uscc))
    return out


def r17(ctx: CheckContext) -> list[Finding]:
    """R17 镇区汇总逾期: a township with at least one enterprise (any category or status, as the spec says)
    and no township_report for Y submitted on or before the deadline, once D is past it; campaign years only."""
    deadline = ctx.calendar["township_report_deadline"]
    if not ctx.settings.calendar.is_campaign_year(ctx.year) or not ctx.as_of > deadline:
        return []
    towns = ctx.scoped(
        select(Enterprise.township.label("township"), func.count().label("enterprises")).group_by(Enterprise.township),
        Enterprise,
    ).subquery("towns")
    tr = TownshipReport
    stmt = (
        select(towns.c.township, towns.c.enterprises, tr.submitted_on, tr.township.label("has_row"))
        .outerjoin(tr, and_(tr.township == towns.c.township, tr.year == ctx.year))
        .where(or_(tr.submitted_on.is_(None), tr.submitted_on > literal(deadline, Date)))
    )
    out = []
    for r in ctx.conn.execute(stmt):
        tail, figures = _lateness(ctx, r.submitted_on, deadline, f"{ctx.year}年镇（区）自查情况汇总表（附件3）")
        figures["enterprises"] = int(r.enterprises)
        rows = [EvidenceRow("township_reports", key_of(r.township, ctx.year), f"报送日期{r.submitted_on or '空'}")] \
            if r.has_row else []
        out.append(ctx.finding("R17", r.township, f"{r.township}（辖区企业{r.enterprises}家）{tail}", figures, rows,
                               township=r.township))
    return out


def r18(ctx: CheckContext) -> list[Finding]:
    """R18 举报反馈超期: a tip-off received in Y whose feedback came more than N (30) days after receipt,
    or is still missing more than N days after receipt as of D.

    Feedback dated after D had not happened on D, so it counts as missing then; tip-offs received
    after D are not yet known. Scoped by the tip-off's township (supervision.access.scope).
    """
    tip = Tipoff
    days = ctx.tol.tipoff_feedback_days
    overdue_since = literal(ctx.as_of - dt.timedelta(days=days), Date)  # D − received > N ⟺ received < D − N
    stmt = ctx.scoped(
        select(tip.tipoff_id, tip.received_on, tip.township, tip.subject_uscc, tip.subject_name, tip.department,
               tip.status, tip.feedback_on, ctx.days_between(tip.received_on, tip.feedback_on).label("took"))
        .where(ctx.in_year(tip.received_on),
               or_(and_(asof.still_open(tip.feedback_on, ctx.as_of), tip.received_on < overdue_since),
                   and_(asof.closed(tip.feedback_on, ctx.as_of),
                        ctx.days_between(tip.received_on, tip.feedback_on) > days))),
        Tipoff,
    )
    out = []
    for r in ctx.conn.execute(stmt):
        who = r.subject_name or r.subject_uscc or "未具名对象"
        head = f"举报线索{r.tipoff_id}（{r.received_on:%Y-%m-%d}受理，被举报对象：{who}）"
        figures: dict[str, Any] = {"received_on": r.received_on, "feedback_on": r.feedback_on, "limit_days": days,
                                   "status": r.status, "department": r.department, "as_of": ctx.as_of}
        if r.feedback_on is None or r.feedback_on > ctx.as_of:
            elapsed = (ctx.as_of - r.received_on).days
            figures["days_without_feedback"] = elapsed
            message = f"{head}截至{ctx.as_of:%Y-%m-%d}已{elapsed}天未反馈查处结果（时限{days}天）"
        else:
            figures["days_to_feedback"] = int(r.took)
            message = f"{head}于{r.feedback_on:%Y-%m-%d}反馈查处结果，距受理{int(r.took)}天，超过{days}天"
        out.append(ctx.finding("R18", r.tipoff_id, message, figures,
                               [EvidenceRow("tipoffs", key_of(r.tipoff_id), f"{r.received_on:%Y-%m-%d} {r.status}")],
                               uscc=r.subject_uscc, township=r.township, name=r.subject_name))
    return out


def due_date(ctx: CheckContext, period_month: int) -> dt.date:
    """The day the report of month `period_month` of Y is due: the configured day of the next month."""
    year, month = (ctx.year + 1, 1) if period_month == 12 else (ctx.year, period_month + 1)
    day = min(ctx.tol.monthly_report_due_day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def r19(ctx: CheckContext) -> list[Finding]:
    """R19 月报缺报: a 在产 smelter or recycler with no monthly report for a month of Y already due before D.

    Missing means no row for (uscc, period); a report filed late is not missing. The months due are
    computed here, the missing (enterprise, month) pairs in the database: one finding per enterprise.
    """
    due = {f"{ctx.year:04d}-{m:02d}": due_date(ctx, m) for m in range(1, 13) if due_date(ctx, m) < ctx.as_of}
    if not due:
        return []
    months = union_all(*(select(literal(p, String).label("period")) for p in due)).subquery("due")
    e = ctx.enterprises(SMELTING, RECYCLING, in_production=True)
    m = MonthlyReport
    stmt = (
        select(e.c.uscc, months.c.period)
        .join(months, true())
        .outerjoin(m, and_(m.uscc == e.c.uscc, m.period == months.c.period))
        .where(m.uscc.is_(None))
        .order_by(e.c.uscc, months.c.period)
    )
    missing: dict[str, list[str]] = {}
    for r in ctx.conn.execute(stmt):
        missing.setdefault(r.uscc, []).append(r.period)
    out = []
    for uscc, periods in missing.items():
        shown = "、".join(periods)
        out.append(ctx.finding(
            "R19", uscc,
            f"{ctx.year}年已到期的{len(due)}个月中缺报{len(periods)}个月月报：{shown}",
            {"missing_periods": periods, "missing_months": len(periods), "months_due": len(due),
             "last_due_date": max(due[p] for p in periods), "as_of": ctx.as_of},
            [EvidenceRow("enterprises", key_of(uscc), "企业名录（在产，应按月报送）")], uscc=uscc,
        ))
    return out
