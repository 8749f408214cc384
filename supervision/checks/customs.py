"""Import and export licences and declarations (107号 二(一) 一证多用、二(三)): R09, R10, R11."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select

from supervision.checks.base import EXPORT, CheckContext, key_of, t, total
from supervision.core.findings import EvidenceRow, Finding
from supervision.storage.models import Customs, License


def _blank(column: Any) -> Any:
    return or_(column.is_(None), func.trim(column) == "")


def r09(ctx: CheckContext) -> list[Finding]:
    """R09 许可证超量或冒用: over the declarations in Y citing a licence, quantity or use beyond the licence.

    Quantities compared are tonnes of goods on both sides (licence quantity_t against the
    declarations' quantity_t, not their REO). A licence is scoped by its holder's township; the
    declarations citing it are counted whoever filed them, since a declaration by another
    enterprise is exactly what this rule looks for.
    """
    lic, c = License, Customs
    other = case((c.uscc != lic.uscc, 1), else_=0)
    wrong_direction = case((c.direction != lic.direction, 1), else_=0)
    outside = case((or_(c.declared_on < lic.valid_from, c.declared_on > lic.valid_to), 1), else_=0)
    used = total(c.quantity_t)
    stmt = ctx.scoped(
        select(lic.license_no, lic.uscc, lic.direction, lic.quantity_t, lic.valid_from, lic.valid_to,
               used.label("used"), func.count().label("declarations"), func.sum(other).label("other"),
               func.sum(wrong_direction).label("wrong_direction"), func.sum(outside).label("outside"))
        .join(c, and_(c.license_no == lic.license_no, ctx.in_year(c.declared_on)))
        .group_by(lic.license_no, lic.uscc, lic.direction, lic.quantity_t, lic.valid_from, lic.valid_to)
        .having(or_(used > lic.quantity_t, func.sum(other) > 0, func.sum(wrong_direction) > 0,
                    func.sum(outside) > 0)),
        License,
    )
    found = ctx.conn.execute(stmt).all()
    flagged = {r.license_no: r for r in found}
    declarations = ctx.evidence(
        select(c.declaration_no, c.declared_on, c.uscc, c.direction, c.quantity_t, lic.uscc.label("holder"),
               lic.direction.label("licensed_direction"), lic.valid_from, lic.valid_to)
        .join(lic, lic.license_no == c.license_no).where(ctx.in_year(c.declared_on)),
        c.license_no, [c.declared_on, c.declaration_no], list(flagged),
        _declaration_row, count=False,
    )
    out = []
    for r in found:
        parts = [f"{ctx.year}年被{r.declarations}票报关单引用，共{t(r.used)}吨"]
        if r.used > r.quantity_t:
            parts.append(f"超过许可数量{t(r.quantity_t)}吨（超{t(r.used - r.quantity_t)}吨）")
        if r.other:
            parts.append(f"{r.other}票由持证企业以外的企业申报")
        if r.wrong_direction:
            parts.append(f"{r.wrong_direction}票进出口方向与许可证（{r.direction}）不符")
        if r.outside:
            parts.append(f"{r.outside}票申报日期不在有效期{r.valid_from:%Y-%m-%d}至{r.valid_to:%Y-%m-%d}内")
        rows, _ = declarations.get(r.license_no, ([], 0))
        licence_row = EvidenceRow("licenses", key_of(r.license_no),
                                  f"{r.direction}许可证 {t(r.quantity_t)}吨 有效期"
                                  f"{r.valid_from:%Y-%m-%d}至{r.valid_to:%Y-%m-%d}")
        out.append(ctx.finding(
            "R09", r.license_no, f"许可证{r.license_no}" + "，".join(parts),
            {"licensed_t": r.quantity_t, "declared_t": r.used, "declarations": int(r.declarations),
             "by_other_enterprises": int(r.other), "wrong_direction": int(r.wrong_direction),
             "outside_validity": int(r.outside), "valid_from": r.valid_from, "valid_to": r.valid_to},
            [licence_row, *rows], uscc=r.uscc,
        ))
    return out


def _declaration_row(r: Any) -> EvidenceRow:
    flags = []
    if r.uscc != r.holder:
        flags.append(f"申报企业{r.uscc}非持证企业")
    if r.direction != r.licensed_direction:
        flags.append("方向不符")
    if r.declared_on < r.valid_from or r.declared_on > r.valid_to:
        flags.append("不在有效期内")
    note = f"（{'；'.join(flags)}）" if flags else ""
    return EvidenceRow("customs", key_of(r.declaration_no),
                       f"{r.declared_on:%Y-%m-%d} {r.direction} {t(r.quantity_t)}吨{note}")


def _exports(ctx: CheckContext) -> Any:
    c = Customs
    return select(c.declaration_no, c.declared_on, c.uscc, c.hs_code, c.product_name, c.quantity_t, c.reo_t,
                  c.country, c.license_no, c.inspection_no).where(ctx.in_year(c.declared_on), c.direction == EXPORT)


def _what(r: Any) -> str:
    name = f" {r.product_name}" if r.product_name else ""
    return f"出口报关单{r.declaration_no}（{r.declared_on:%Y-%m-%d}，{r.hs_code}{name}，{t(r.quantity_t)}吨）"


def _declaration_finding(ctx: CheckContext, rule: str, r: Any, message: str) -> Finding:
    return ctx.finding(
        rule, r.declaration_no, message,
        {"declared_on": r.declared_on, "hs_code": r.hs_code, "quantity_t": r.quantity_t, "reo_t": r.reo_t,
         "country": r.country, "license_no": r.license_no, "inspection_no": r.inspection_no},
        [EvidenceRow("customs", key_of(r.declaration_no), f"{r.declared_on:%Y-%m-%d} 出口 {t(r.quantity_t)}吨")],
        uscc=r.uscc,
    )


def r10(ctx: CheckContext) -> list[Finding]:
    """R10 出口无许可证: an export declaration in Y with no licence number, or one not in the licence table.

    A licence that exists but belongs to another enterprise or direction is R09's finding.
    """
    known = License.license_no
    stmt = ctx.scoped(
        _exports(ctx).add_columns(known.label("known"))
        .outerjoin(License, License.license_no == Customs.license_no)
        .where(or_(_blank(Customs.license_no), known.is_(None))),
        Customs,
    )
    out = []
    for r in ctx.conn.execute(stmt):
        blank = r.license_no is None or not r.license_no.strip()
        reason = "未填许可证号" if blank else f"所填许可证号{r.license_no}在许可证数据中不存在"
        out.append(_declaration_finding(ctx, "R10", r, f"{_what(r)}{reason}"))
    return out


def r11(ctx: CheckContext) -> list[Finding]:
    """R11 出口未法检: an export declaration in Y with an empty inspection_no (批批必检)."""
    stmt = ctx.scoped(_exports(ctx).where(_blank(Customs.inspection_no)), Customs)
    return [_declaration_finding(ctx, "R11", r, f"{_what(r)}无法检批次号，未做到批批必检")
            for r in ctx.conn.execute(stmt)]
