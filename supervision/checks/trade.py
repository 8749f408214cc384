"""Invoices and trade (107号 二(二)、二(三)): R05, R08, R12."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select

from supervision.checks.base import (
    CREDIT,
    IMPORT,
    RECYCLING,
    TRADING,
    VOID,
    CheckContext,
    allowed,
    deviates,
    exceeds,
    key_of,
    monthly_row,
    t,
    total,
    zero_if_null,
)
from supervision.core.findings import EvidenceRow, Finding
from supervision.core.spec import PRODUCT_CATEGORY_NAMES
from supervision.storage.models import Customs, Invoice, MonthlyReport

FORBIDDEN_FOR_RECYCLERS = ("MINE", "SALT", "HYDROX", "OXIDE", "OTHER_CPD")
"""Invoice categories a recycler may not buy (107号 二(二): 稀土矿、富集物及稀土化合物)."""
RARE_EARTH_ORE_HS = "2530"
"""HS heading of the imported ore a recycler may not declare (spec R08: codes starting 2530)."""


def _invoice_totals(ctx: CheckContext, party: Any, name: str, among: Any, categories: Sequence[str] = ()) -> Any:
    """Per party (seller or buyer) among the enterprises checked, Σ reo_t of the year's invoices:
    作废 ignored, 红冲 with its negative sign. Restricting the parties first lets the database read
    only their entries of the covering index instead of summing every party of the year."""
    stmt = (
        select(party.label("uscc"), total(Invoice.reo_t).label("reo"), func.count().label("invoices"),
               func.sum(case((Invoice.status == CREDIT, 1), else_=0)).label("credit_notes"))
        .where(party.in_(select(among.c.uscc)), ctx.in_year(Invoice.issued_on), Invoice.status != VOID)
        .group_by(party)
    )
    if categories:
        stmt = stmt.where(Invoice.product_category.in_(categories))
    return stmt.subquery(name)


def _invoice_label(r: Any, other: str) -> str:
    kind = PRODUCT_CATEGORY_NAMES.get(r.product_category, r.product_category)
    credit = " 红冲" if r.status == CREDIT else ""
    return f"{r.issued_on:%Y-%m-%d} {kind} 折REO {t(r.reo_t)}吨 {other}{credit}"


def invoice_evidence(ctx: CheckContext, party: Any, usccs: Sequence[str], categories: Sequence[str] = (),
                     ) -> dict[str, tuple[list[EvidenceRow], int]]:
    """The year's counted invoices of each enterprise as `party` (seller or buyer), first ones first."""
    i = Invoice
    stmt = select(i.invoice_no, i.issued_on, i.product_category, i.reo_t, i.status, i.seller_uscc,
                  i.buyer_uscc).where(ctx.in_year(i.issued_on), i.status != VOID)
    if categories:
        stmt = stmt.where(i.product_category.in_(categories))
    as_seller = party is i.seller_uscc
    return ctx.evidence(
        stmt, party, [i.issued_on, i.invoice_no], usccs,
        lambda r: EvidenceRow("invoices", key_of(r.invoice_no),
                              _invoice_label(r, f"购方{r.buyer_uscc}" if as_seller else f"销方{r.seller_uscc}")),
        count=False,
    )


def import_evidence(ctx: CheckContext, usccs: Sequence[str], hs_prefix: str | None = None,
                    ) -> dict[str, tuple[list[EvidenceRow], int]]:
    c = Customs
    stmt = select(c.declaration_no, c.declared_on, c.hs_code, c.quantity_t, c.reo_t, c.country).where(
        ctx.in_year(c.declared_on), c.direction == IMPORT)
    if hs_prefix:
        stmt = stmt.where(c.hs_code.startswith(hs_prefix))
    return ctx.evidence(
        stmt, c.uscc, [c.declared_on, c.declaration_no], usccs,
        lambda r: EvidenceRow("customs", key_of(r.declaration_no),
                              f"{r.declared_on:%Y-%m-%d} 进口 {r.hs_code} {t(r.quantity_t)}吨"
                              f"（折REO {t(r.reo_t)}吨）{r.country or ''}"),
        count=False,
    )


def _imports(ctx: CheckContext, name: str, hs_prefix: str | None = None) -> Any:
    stmt = (select(Customs.uscc.label("uscc"), total(Customs.reo_t).label("reo"),
                   func.count().label("declarations"))
            .where(ctx.in_year(Customs.declared_on), Customs.direction == IMPORT).group_by(Customs.uscc))
    if hs_prefix:
        stmt = stmt.where(Customs.hs_code.startswith(hs_prefix))
    return stmt.subquery(name)


def _rows(*groups: tuple[list[EvidenceRow], int] | None) -> list[EvidenceRow]:
    return [row for group in groups if group for row in group[0]]


def r05(ctx: CheckContext) -> list[Finding]:
    """R05 发票与销量不符: |sales A(Y) − Σ reo_t of its invoices as seller in Y| beyond the tolerance.

    Only enterprises with monthly reports in Y are checked (spec); an enterprise with reports and
    no invoice at all is compared against 0 invoiced, so unreported invoicing ("不开发票") fires.
    Every product category counts, 加工费 included, since the spec names no exception.
    """
    e, mt = ctx.enterprises(), ctx.monthly_totals()
    inv = _invoice_totals(ctx, Invoice.seller_uscc, "sold", e)
    invoiced = zero_if_null(inv.c.reo)
    stmt = (
        select(e.c.uscc, mt.c.sales, invoiced.label("invoiced"), func.coalesce(inv.c.invoices, 0).label("n"),
               func.coalesce(inv.c.credit_notes, 0).label("credit_notes"))
        .join(mt, mt.c.uscc == e.c.uscc)
        .outerjoin(inv, inv.c.uscc == e.c.uscc)
        .where(deviates(mt.c.sales, invoiced, mt.c.sales, ctx.tol))
    )
    found = ctx.conn.execute(stmt).all()
    usccs = [r.uscc for r in found]
    m = MonthlyReport
    months = ctx.evidence(
        select(m.uscc, m.period, m.sales_t).where(ctx.in_year_periods(m.period)), m.uscc, [m.period], usccs,
        lambda r: monthly_row(r, f"{r.period} 销售量{t(r.sales_t)}吨"),
    )
    invoices = invoice_evidence(ctx, Invoice.seller_uscc, usccs)
    out = []
    for r in found:
        gap = r.sales - r.invoiced
        limit = allowed(r.sales, ctx.tol)
        credit = f"，其中红冲{r.credit_notes}张" if r.credit_notes else ""
        out.append(ctx.finding(
            "R05", r.uscc,
            f"{ctx.year}年月报销售量{t(r.sales)}吨，开具稀土专用发票{r.n}张{credit}折REO {t(r.invoiced)}吨，"
            f"相差{t(abs(gap))}吨（允许偏差{t(limit)}吨）",
            {"sales_t": r.sales, "invoiced_t": r.invoiced, "difference_t": gap, "allowed_t": limit,
             "invoices": int(r.n), "credit_notes": int(r.credit_notes)},
            _rows(months.get(r.uscc), invoices.get(r.uscc)), uscc=r.uscc,
        ))
    return out


def r08(ctx: CheckContext) -> list[Finding]:
    """R08 综合利用企业违规原料: a recycler reporting, invoiced for or importing forbidden raw material.

    Three sources, any of which fires: the monthly purchases of domestic ore, imported ore and
    compounds; invoices in Y where it is the buyer, of a category in FORBIDDEN_FOR_RECYCLERS, whose
    net Σ reo_t (作废 ignored, 红冲 negative) is > 0, so a purchase fully reversed by a credit note
    does not count; and import declarations in Y with an HS code starting 2530.
    """
    e, mt = ctx.enterprises(RECYCLING), ctx.monthly_totals()
    bought = _invoice_totals(ctx, Invoice.buyer_uscc, "bought", e, FORBIDDEN_FOR_RECYCLERS)
    ore = _imports(ctx, "ore", RARE_EARTH_ORE_HS)
    forbidden = (zero_if_null(mt.c.ore_domestic) + zero_if_null(mt.c.ore_imported)
                 + zero_if_null(mt.c.compound))
    bought_reo, ore_n = zero_if_null(bought.c.reo), func.coalesce(ore.c.declarations, 0)
    stmt = (
        select(e.c.uscc, zero_if_null(mt.c.ore_domestic).label("ore_domestic"),
               zero_if_null(mt.c.ore_imported).label("ore_imported"), zero_if_null(mt.c.compound).label("compound"),
               bought_reo.label("bought"), func.coalesce(bought.c.invoices, 0).label("invoices"),
               ore_n.label("ore_declarations"), zero_if_null(ore.c.reo).label("ore_reo"))
        .outerjoin(mt, mt.c.uscc == e.c.uscc)
        .outerjoin(bought, bought.c.uscc == e.c.uscc)
        .outerjoin(ore, ore.c.uscc == e.c.uscc)
        .where(or_(forbidden > 0, bought_reo > 0, ore_n > 0))
    )
    found = ctx.conn.execute(stmt).all()
    usccs = [r.uscc for r in found]
    m = MonthlyReport
    months = ctx.evidence(
        select(m.uscc, m.period, m.purchase_ore_domestic_t, m.purchase_ore_imported_t, m.purchase_compound_t)
        .where(ctx.in_year_periods(m.period),
               or_(m.purchase_ore_domestic_t > 0, m.purchase_ore_imported_t > 0, m.purchase_compound_t > 0)),
        m.uscc, [m.period], usccs,
        lambda r: monthly_row(r, f"{r.period} 采购国内矿{t(r.purchase_ore_domestic_t)}吨、进口矿"
                                 f"{t(r.purchase_ore_imported_t)}吨、富集物及化合物{t(r.purchase_compound_t)}吨"),
    )
    invoices = invoice_evidence(ctx, Invoice.buyer_uscc, usccs, FORBIDDEN_FOR_RECYCLERS)
    imports = import_evidence(ctx, usccs, RARE_EARTH_ORE_HS)
    out = []
    for r in found:
        parts = []
        reported = r.ore_domestic + r.ore_imported + r.compound
        if reported > 0:
            parts.append(f"月报采购国内矿{t(r.ore_domestic)}吨、进口矿{t(r.ore_imported)}吨、"
                         f"富集物及化合物{t(r.compound)}吨")
        if r.bought > 0:
            parts.append(f"购入矿产品或稀土化合物发票{r.invoices}张折REO {t(r.bought)}吨")
        if r.ore_declarations > 0:
            parts.append(f"进口稀土矿（商品编码2530）报关{r.ore_declarations}票折REO {t(r.ore_reo)}吨")
        out.append(ctx.finding(
            "R08", r.uscc, f"资源综合利用企业{ctx.year}年以禁用原料生产：" + "；".join(parts),
            {"purchase_ore_domestic_t": r.ore_domestic, "purchase_ore_imported_t": r.ore_imported,
             "purchase_compound_t": r.compound, "forbidden_invoiced_t": r.bought,
             "forbidden_invoices": int(r.invoices), "ore_import_declarations": int(r.ore_declarations),
             "ore_import_reo_t": r.ore_reo},
            _rows(months.get(r.uscc), invoices.get(r.uscc), imports.get(r.uscc)), uscc=r.uscc,
        ))
    return out


def r12(ctx: CheckContext) -> list[Finding]:
    """R12 贸易企业来源不明: a trader's invoiced sales exceed its invoiced purchases plus imports.

    Sales and purchases are Σ reo_t of its invoices in Y as seller and as buyer (作废 ignored, 红冲
    negative); imports are Σ reo_t of its 进口 declarations in Y (an empty reo_t counts 0). Stock
    carried over from an earlier year is not in the spec's formula and is not credited.
    """
    e = ctx.enterprises(TRADING)
    sold = _invoice_totals(ctx, Invoice.seller_uscc, "sold", e)
    bought = _invoice_totals(ctx, Invoice.buyer_uscc, "bought", e)
    imp = _imports(ctx, "imp")
    sales, purchases, imports = zero_if_null(sold.c.reo), zero_if_null(bought.c.reo), zero_if_null(imp.c.reo)
    inputs = purchases + imports
    stmt = (
        select(e.c.uscc, sales.label("sales"), purchases.label("purchases"), imports.label("imports"),
               func.coalesce(sold.c.invoices, 0).label("sold_n"), func.coalesce(bought.c.invoices, 0).label("bought_n"),
               func.coalesce(imp.c.declarations, 0).label("imp_n"))
        .outerjoin(sold, sold.c.uscc == e.c.uscc)
        .outerjoin(bought, bought.c.uscc == e.c.uscc)
        .outerjoin(imp, imp.c.uscc == e.c.uscc)
        .where(exceeds(sales - inputs, inputs, ctx.tol))
    )
    found = ctx.conn.execute(stmt).all()
    usccs = [r.uscc for r in found]
    sold_rows = invoice_evidence(ctx, Invoice.seller_uscc, usccs)
    bought_rows = invoice_evidence(ctx, Invoice.buyer_uscc, usccs)
    imported = import_evidence(ctx, usccs)
    out = []
    for r in found:
        inputs_t: Decimal = r.purchases + r.imports
        limit = allowed(inputs_t, ctx.tol)
        out.append(ctx.finding(
            "R12", r.uscc,
            f"贸易企业{ctx.year}年销售折REO {t(r.sales)}吨，来源合计{t(inputs_t)}吨（购进{t(r.purchases)}吨+"
            f"进口{t(r.imports)}吨），超出{t(r.sales - inputs_t)}吨（允许偏差{t(limit)}吨）",
            {"sold_t": r.sales, "bought_t": r.purchases, "imported_t": r.imports, "inputs_t": inputs_t,
             "excess_t": r.sales - inputs_t, "allowed_t": limit, "invoices_as_seller": int(r.sold_n),
             "invoices_as_buyer": int(r.bought_n), "import_declarations": int(r.imp_n)},
            _rows(sold_rows.get(r.uscc), bought_rows.get(r.uscc), imported.get(r.uscc)), uscc=r.uscc,
        ))
    return out
