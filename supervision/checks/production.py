"""Production against plan and sources (107号 二(一)): R01, R02, W01, R03, R04, R06, R07."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, not_, or_, select

from supervision.checks.base import (
    RECYCLING,
    SMELTING,
    CheckContext,
    allowed,
    deviates,
    exceeds,
    key_of,
    monthly_row,
    pct,
    pct_text,
    ratio,
    t,
    times,
    total,
    zero_if_null,
)
from supervision.core.findings import EvidenceRow, Finding
from supervision.storage import asof
from supervision.storage.models import MonthlyReport, Quota, ResourceTax, Traceability

QUOTA_KIND = SMELTING  # only 冶炼分离 quotas limit smelting production; 开采 (mining) quotas do not


def _quota_totals(ctx: CheckContext) -> Any:
    stmt = (
        select(Quota.uscc.label("uscc"), total(Quota.quota_t).label("quota"), func.count().label("batches"))
        .where(Quota.year == ctx.year, Quota.kind == QUOTA_KIND)
        .group_by(Quota.uscc)
    )
    return stmt.subquery("q")


def _monthly_evidence(ctx: CheckContext, usccs: Sequence[str], column: Any, label: str,
                      only_positive: bool = True) -> dict[str, tuple[list[EvidenceRow], int]]:
    """The year's monthly reports of each enterprise (those with `column` > 0), labelled with that figure."""
    m = MonthlyReport
    stmt = select(m.uscc, m.period, column.label("value")).where(ctx.in_year_periods(m.period))
    if only_positive:
        stmt = stmt.where(column > 0)
    return ctx.evidence(
        stmt, m.uscc, [m.period], usccs,
        lambda r: monthly_row(r, f"{r.period} {label}{t(r.value)}吨"),
    )


def _quota_evidence(ctx: CheckContext, usccs: Sequence[str]) -> dict[str, tuple[list[EvidenceRow], int]]:
    stmt = select(Quota.year, Quota.batch, Quota.uscc, Quota.kind, Quota.quota_t).where(
        Quota.year == ctx.year, Quota.kind == QUOTA_KIND
    )
    return ctx.evidence(
        stmt, Quota.uscc, [Quota.batch], usccs,
        lambda r: EvidenceRow("quotas", key_of(r.year, r.batch, r.uscc, r.kind),
                              f"{r.year}年第{r.batch}批{r.kind}指标{t(r.quota_t)}吨"),
    )


def _rows(*groups: tuple[list[EvidenceRow], int] | None) -> list[EvidenceRow]:
    out: list[EvidenceRow] = []
    for group in groups:
        if group:
            out.extend(group[0])
    return out


def r01(ctx: CheckContext) -> list[Finding]:
    """R01 无计划生产: production A(Y) > 0 without any 冶炼分离 quota row for Y.

    Recyclers (资源综合利用) are exempt: they may produce from scrap without a quota; R08 covers
    a recycler that uses forbidden raw materials. A quota row of 0 t is a quota (R02 applies).
    """
    e, mt, q = ctx.enterprises(), ctx.monthly_totals(), _quota_totals(ctx)
    stmt = (
        select(e.c.uscc, mt.c.production)
        .join(mt, mt.c.uscc == e.c.uscc)
        .outerjoin(q, q.c.uscc == e.c.uscc)
        .where(e.c.category != RECYCLING, mt.c.production > 0, q.c.uscc.is_(None))
    )
    found = ctx.conn.execute(stmt).all()
    months = _monthly_evidence(ctx, [r.uscc for r in found], MonthlyReport.production_t, "产量")
    out = []
    for r in found:
        rows, n = months.get(r.uscc, ([], 0))
        out.append(ctx.finding(
            "R01", r.uscc,
            f"{ctx.year}年无冶炼分离总量控制指标，月报冶炼分离产量合计{t(r.production)}吨（{n}个月有产量）",
            {"production_t": r.production, "quota_t": Decimal("0.000"), "months_with_production": n},
            rows, uscc=r.uscc,
        ))
    return out


def _plan_rows(ctx: CheckContext, over: bool) -> list[Any]:
    """Enterprises with 冶炼分离 quota rows for Y: over quota (R02) or at/above the warning share (W01)."""
    e, mt, q = ctx.enterprises(), ctx.monthly_totals(), _quota_totals(ctx)
    production = zero_if_null(mt.c.production)
    stmt = select(e.c.uscc, production.label("production"), q.c.quota, q.c.batches).join(
        q, q.c.uscc == e.c.uscc
    ).outerjoin(mt, mt.c.uscc == e.c.uscc)
    if over:
        stmt = stmt.where(production > q.c.quota)
    else:
        p, qq = ratio(ctx.tol.quota_warning)
        stmt = stmt.where(not_(production > q.c.quota), q.c.quota > 0,
                          times(production, qq) >= times(q.c.quota, p))
    return list(ctx.conn.execute(stmt).all())


def _plan_findings(ctx: CheckContext, rule: str, found: list[Any]) -> list[Finding]:
    usccs = [r.uscc for r in found]
    quotas = _quota_evidence(ctx, usccs)
    months = _monthly_evidence(ctx, usccs, MonthlyReport.production_t, "产量")
    out = []
    for r in found:
        figures: dict[str, Any] = {"production_t": r.production, "quota_t": r.quota, "quota_batches": r.batches}
        share = pct(r.production, r.quota) if r.quota > 0 else None
        if share is not None:
            figures["usage_pct"] = share
        if rule == "R02":
            figures["excess_t"] = r.production - r.quota
            shown = f"（{pct_text(share)}）" if share is not None else ""
            message = f"{ctx.year}年冶炼分离产量{t(r.production)}吨，超出指标{t(r.quota)}吨{shown}"
        else:
            line = (ctx.tol.quota_warning * 100).normalize()
            figures["warning_pct"] = line
            message = (f"{ctx.year}年冶炼分离产量{t(r.production)}吨，已达指标{t(r.quota)}吨的"
                       f"{pct_text(share or Decimal(0))}（预警线{line:f}%）")
        out.append(ctx.finding(rule, r.uscc, message, figures,
                               _rows(quotas.get(r.uscc), months.get(r.uscc)), uscc=r.uscc))
    return out


def r02(ctx: CheckContext) -> list[Finding]:
    """R02 超计划生产: production A(Y) > Σ quota_t of its 冶炼分离 quota rows for Y (any category)."""
    return _plan_findings(ctx, "R02", _plan_rows(ctx, over=True))


def w01(ctx: CheckContext) -> list[Finding]:
    """W01 指标使用预警: not R02, quota > 0 and production A(Y) ≥ quota_warning (90 %) × quota."""
    return _plan_findings(ctx, "W01", _plan_rows(ctx, over=False))


def r03(ctx: CheckContext) -> list[Finding]:
    """R03 代加工: toll_processing_t A(Y) > 0; any amount is a violation, whatever the category or status."""
    e, mt = ctx.enterprises(), ctx.monthly_totals()
    stmt = select(e.c.uscc, mt.c.toll).join(mt, mt.c.uscc == e.c.uscc).where(mt.c.toll > 0)
    found = ctx.conn.execute(stmt).all()
    months = _monthly_evidence(ctx, [r.uscc for r in found], MonthlyReport.toll_processing_t, "受托加工")
    out = []
    for r in found:
        rows, n = months.get(r.uscc, ([], 0))
        out.append(ctx.finding(
            "R03", r.uscc, f"{ctx.year}年月报受托加工（代加工）量合计{t(r.toll)}吨（{n}个月）",
            {"toll_processing_t": r.toll, "months_with_toll_processing": n}, rows, uscc=r.uscc,
        ))
    return out


def r04(ctx: CheckContext) -> list[Finding]:
    """R04 原料来源不足: production > factor × (purchases + opening raw stock − closing raw stock).

    Purchases are all four kinds of the monthly report (domestic ore, imported ore, compounds and
    scrap), summed over the months of Y ended by D. Opening stock is raw_inventory_t of the latest
    report before Y (0 when there is none), closing stock that of the latest report in Y that counts
    at D (spec 4.1: at 08-13, the latest of January to July); an empty raw_inventory_t in that
    report counts as 0, as a clerk's blank cell usually means. Only enterprises with reports in Y are
    checked (without one there is no closing stock). The formula is applied as written, so a raw
    stock that grows without purchases fires even with no production: material of unknown origin.
    """
    m = MonthlyReport
    e, mt = ctx.enterprises(), ctx.monthly_totals()
    # The one earlier report R04 needs: per enterprise, a seek on the (uscc, period) key for its latest period
    # before Y, not a GROUP BY over every earlier year (whose cost grew with the years held, issue 21).
    last_before = (select(func.max(m.period)).where(m.uscc == e.c.uscc, m.period < ctx.first_period,
                                                    asof.month_ended(m.period, ctx.as_of))
                   .correlate(e).scalar_subquery())
    before = select(e.c.uscc.label("uscc"), last_before.label("period")).cte("before").prefix_with("MATERIALIZED")
    latest = (select(m.uscc.label("uscc"), func.max(m.period).label("period"))
              .where(ctx.in_year_periods(m.period)).group_by(m.uscc).subquery("latest"))
    # Both stocks materialised, one row per enterprise read by its (uscc, period) key: folded into the join,
    # SQLite read every report of each enterprise (all years) to find the one it needed.
    opening = (select(m.uscc, m.period, m.raw_inventory_t.label("stock"))
               .join(before, and_(before.c.uscc == m.uscc, before.c.period == m.period))
               .cte("opening").prefix_with("MATERIALIZED"))
    closing = (select(m.uscc, m.period, m.raw_inventory_t.label("stock"))
               .join(latest, and_(latest.c.uscc == m.uscc, latest.c.period == m.period))
               .cte("closing").prefix_with("MATERIALIZED"))
    purchases = mt.c.ore_domestic + mt.c.ore_imported + mt.c.compound + mt.c.scrap
    sources = purchases + zero_if_null(opening.c.stock) - zero_if_null(closing.c.stock)
    p, q = ratio(ctx.tol.raw_material_factor)
    stmt = (
        select(e.c.uscc, mt.c.production, mt.c.ore_domestic, mt.c.ore_imported, mt.c.compound, mt.c.scrap,
               zero_if_null(opening.c.stock).label("opening"), opening.c.period.label("opening_period"),
               zero_if_null(closing.c.stock).label("closing"), closing.c.period.label("closing_period"),
               sources.label("sources"))
        .join(mt, mt.c.uscc == e.c.uscc)
        .outerjoin(opening, opening.c.uscc == e.c.uscc)
        .join(closing, closing.c.uscc == e.c.uscc)
        .where(times(mt.c.production, q) > times(sources, p))
    )
    found = ctx.conn.execute(stmt).all()
    bought = (zero_if_null(m.purchase_ore_domestic_t) + zero_if_null(m.purchase_ore_imported_t)
              + zero_if_null(m.purchase_compound_t) + zero_if_null(m.purchase_scrap_t))
    months = ctx.evidence(
        select(m.uscc, m.period, bought.label("bought"), m.production_t, m.raw_inventory_t)
        .where(ctx.in_year_periods(m.period)),
        m.uscc, [m.period], [r.uscc for r in found],
        lambda r: monthly_row(r, f"{r.period} 采购{t(r.bought)}吨 产量{t(r.production_t)}吨 "
                                 f"期末原料库存{t(r.raw_inventory_t)}吨"),
    )
    factor = (ctx.tol.raw_material_factor * 100).normalize()
    out = []
    for r in found:
        purchased = r.ore_domestic + r.ore_imported + r.compound + r.scrap
        rows = list(months.get(r.uscc, ([], 0))[0])
        if r.opening_period:
            rows.insert(0, EvidenceRow("monthly_reports", key_of(r.uscc, r.opening_period),
                                       f"{r.opening_period} 期初原料库存{t(r.opening)}吨"))
        out.append(ctx.finding(
            "R04", r.uscc,
            f"{ctx.year}年冶炼分离产量{t(r.production)}吨，超过原料来源{t(r.sources)}吨的{factor:f}%"
            f"（采购{t(purchased)}吨+期初原料库存{t(r.opening)}吨−期末原料库存{t(r.closing)}吨）",
            {"production_t": r.production, "sources_t": r.sources, "purchases_t": purchased,
             "purchase_ore_domestic_t": r.ore_domestic, "purchase_ore_imported_t": r.ore_imported,
             "purchase_compound_t": r.compound, "purchase_scrap_t": r.scrap,
             "opening_raw_stock_t": r.opening, "opening_period": r.opening_period,
             "closing_raw_stock_t": r.closing, "closing_period": r.closing_period,
             "limit_t": (r.sources * ctx.tol.raw_material_factor).quantize(Decimal("0.001"))},
            rows, uscc=r.uscc,
        ))
    return out


def r06(ctx: CheckContext) -> list[Finding]:
    """R06 追溯数据与月报不符: |monthly production − traceability production| over Y beyond the tolerance.

    The tolerance base is the monthly-report figure, as the spec says; an enterprise with figures
    in only one of the two sources is compared against 0 in the other.
    """
    e, mt = ctx.enterprises(), ctx.monthly_totals()
    tr = (select(Traceability.uscc.label("uscc"), total(Traceability.production_t).label("production"),
                 func.count().label("months"))
          .where(ctx.in_year_periods(Traceability.period)).group_by(Traceability.uscc).subquery("tr"))
    monthly, traced = zero_if_null(mt.c.production), zero_if_null(tr.c.production)
    stmt = (
        select(e.c.uscc, monthly.label("monthly"), traced.label("traced"))
        .outerjoin(mt, mt.c.uscc == e.c.uscc)
        .outerjoin(tr, tr.c.uscc == e.c.uscc)
        .where(or_(monthly > 0, traced > 0), deviates(monthly, traced, monthly, ctx.tol))
    )
    found = ctx.conn.execute(stmt).all()
    usccs = [r.uscc for r in found]
    months = _monthly_evidence(ctx, usccs, MonthlyReport.production_t, "月报产量", only_positive=False)
    traces = ctx.evidence(
        select(Traceability.uscc, Traceability.period, Traceability.production_t)
        .where(ctx.in_year_periods(Traceability.period)),
        Traceability.uscc, [Traceability.period], usccs,
        lambda r: EvidenceRow("traceability", key_of(r.uscc, r.period), f"{r.period} 追溯产量{t(r.production_t)}吨"),
    )
    out = []
    for r in found:
        gap = abs(r.monthly - r.traced)
        limit = allowed(r.monthly, ctx.tol)
        out.append(ctx.finding(
            "R06", r.uscc,
            f"{ctx.year}年月报冶炼分离产量{t(r.monthly)}吨，追溯系统产量{t(r.traced)}吨，"
            f"相差{t(gap)}吨（允许偏差{t(limit)}吨）",
            {"monthly_production_t": r.monthly, "traceability_production_t": r.traced,
             "difference_t": gap, "allowed_t": limit},
            _rows(months.get(r.uscc), traces.get(r.uscc)), uscc=r.uscc,
        ))
    return out


def r07(ctx: CheckContext) -> list[Finding]:
    """R07 矿产品无完税证明: domestic ore purchases A(Y) − Σ ore_t of certificates issued in Y beyond tolerance.

    One-sided: certificates covering more than the purchases are not this rule's concern.
    """
    e, mt = ctx.enterprises(), ctx.monthly_totals()
    rt = (select(ResourceTax.uscc.label("uscc"), total(ResourceTax.ore_t).label("covered"),
                 func.count().label("certificates"))
          .where(ctx.in_year(ResourceTax.issued_on)).group_by(ResourceTax.uscc).subquery("rt"))
    covered = zero_if_null(rt.c.covered)
    stmt = (
        select(e.c.uscc, mt.c.ore_domestic, covered.label("covered"))
        .join(mt, mt.c.uscc == e.c.uscc)
        .outerjoin(rt, rt.c.uscc == e.c.uscc)
        .where(exceeds(mt.c.ore_domestic - covered, mt.c.ore_domestic, ctx.tol))
    )
    found = ctx.conn.execute(stmt).all()
    usccs = [r.uscc for r in found]
    months = _monthly_evidence(ctx, usccs, MonthlyReport.purchase_ore_domestic_t, "采购国内矿产品")
    certificates = ctx.evidence(
        select(ResourceTax.certificate_no, ResourceTax.uscc, ResourceTax.issued_on, ResourceTax.ore_t)
        .where(ctx.in_year(ResourceTax.issued_on)),
        ResourceTax.uscc, [ResourceTax.issued_on, ResourceTax.certificate_no], usccs,
        lambda r: EvidenceRow("resource_tax", key_of(r.certificate_no),
                              f"{r.issued_on:%Y-%m-%d} 完税证明 矿产品{t(r.ore_t)}吨"),
    )
    out = []
    for r in found:
        gap = r.ore_domestic - r.covered
        limit = allowed(r.ore_domestic, ctx.tol)
        n_cert = certificates.get(r.uscc, ([], 0))[1]
        out.append(ctx.finding(
            "R07", r.uscc,
            f"{ctx.year}年采购国内矿产品{t(r.ore_domestic)}吨，资源税完税证明{n_cert}张仅覆盖{t(r.covered)}吨，"
            f"缺口{t(gap)}吨（允许偏差{t(limit)}吨）",
            {"purchase_ore_domestic_t": r.ore_domestic, "certified_ore_t": r.covered, "gap_t": gap,
             "allowed_t": limit, "certificates": n_cert},
            _rows(months.get(r.uscc), certificates.get(r.uscc)), uscc=r.uscc,
        ))
    return out
