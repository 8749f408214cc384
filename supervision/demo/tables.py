"""The demo's rows of every table, keyed by the spec's column keys (the scenario's records and the economy's flows)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from supervision.core.config import Settings
from supervision.demo.economy import NUMBERED_LATER, Declaration, Economy, party
from supervision.demo.scenario import (
    DEDUCTIONS,
    ENVIRONMENT,
    EXPORT_LICENSES,
    EXPORT_REO_PER_GOODS,
    EXPORTS,
    FIRMS,
    INSPECTION_TEAMS,
    PENALTIES,
    QUOTAS,
    SCORING_ITEMS,
    SELF_CHECK_DATES,
    SELF_CHECK_FIRMS,
    SELF_CHECK_MISSING,
    SELF_CHECK_PROBLEMS,
    TIPOFFS,
    TOWNSHIP_REPORT_DATES,
    ZERO,
    F,
    date_of,
    export_no,
    q3,
    seeded_rng,
)
from supervision.geo.boundaries import boundaries
from supervision.geo.coords import gcj02_to_bd09, wgs84_to_gcj02


def _point_in(polygon: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    # Keep clear of the edge so the coordinate conversions (±1e-6°) never cross a border.
    inner = polygon.buffer(-0.004)
    min_x, min_y, max_x, max_y = inner.bounds
    while True:
        lon, lat = round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6)
        if inner.contains(Point(lon, lat)):
            return lon, lat


def enterprise_rows(settings: Settings) -> list[dict[str, Any]]:
    polygons = boundaries(settings).polygons
    rows: list[dict[str, Any]] = []
    for firm in FIRMS:
        rng = seeded_rng("place", firm.key)
        lon: float | None = None
        lat: float | None = None
        polygon = polygons.get(firm.placed_in or firm.township)
        if firm.coords is not None and polygon is not None:
            lon, lat = _point_in(polygon, rng)
            if firm.coords in ("GCJ02", "BD09"):
                lon, lat = wgs84_to_gcj02(lon, lat)
                if firm.coords == "BD09":
                    lon, lat = gcj02_to_bd09(lon, lat)
                lon, lat = round(lon, 6), round(lat, 6)
        town_short = firm.township.removesuffix("镇").removesuffix("街道")
        rows.append({
            "uscc": firm.uscc, "name": firm.name, "category": firm.category, "township": firm.written_township,
            "address": f"江苏省太仓市{firm.township}{town_short}示例路{firm.serial * 7 + 3}号",
            "lon": None if lon is None else Decimal(f"{lon:.6f}"),
            "lat": None if lat is None else Decimal(f"{lat:.6f}"),
            "coord_system": None if lon is None else firm.coords,
            "group": firm.group,
            "approved_capacity_t": None if firm.capacity is None else Decimal(firm.capacity),
            "status": firm.status, "eia_approved": firm.eia[0], "eia_accepted": firm.eia[1],
            "last_clean_audit": None if firm.clean_audit is None else dt.date.fromisoformat(firm.clean_audit),
        })
    return rows


def _sorted_declarations(economy: Economy) -> list[Declaration]:
    declarations = list(economy.imports)
    for e in EXPORTS:
        goods = Decimal(e.goods_t)
        declarations.append(Declaration(export_no(e), dt.date.fromisoformat(e.day), e.firm, "出口", e.hs, e.product,
                                        goods, q3(goods * EXPORT_REO_PER_GOODS[e.hs]), e.country, e.license,
                                        NUMBERED_LATER if e.inspected else None))
    declarations.sort(key=lambda d: (d.declared_on, d.direction, d.firm, d.hs, d.goods))
    import_seq: dict[int, int] = defaultdict(int)
    inspection_seq: dict[int, int] = defaultdict(int)
    for d in declarations:
        year = d.declared_on.year
        if not d.number:
            import_seq[year] += 1
            d.number = f"2226{year}1{import_seq[year]:09d}"
        if d.inspection == NUMBERED_LATER:
            inspection_seq[year] += 1
            d.inspection = f"322600{year}{inspection_seq[year]:08d}"
    return declarations


def _self_check_rows() -> list[dict[str, Any]]:
    rows = []
    for year in (2019, 2020):
        for key in SELF_CHECK_FIRMS:
            if (year, key) in SELF_CHECK_MISSING:
                continue
            rng = seeded_rng("self-check", year, key)
            day = SELF_CHECK_DATES.get((year, key)) or f"{year}-07-{rng.randint(8, 29):02d}"
            found, fixed, text = SELF_CHECK_PROBLEMS.get((year, key), (0, 0, "经自查，未发现问题"))
            rows.append({"uscc": F[key].uscc, "year": year, "submitted_on": dt.date.fromisoformat(day),
                         "problems_found": found, "problems_rectified": fixed, "description": text})
    return rows


def _township_rows() -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for firm in FIRMS:
        counts[firm.township] += 1
    rows = []
    for year, dates in TOWNSHIP_REPORT_DATES.items():
        for town, day in dates.items():
            if day is None:
                continue
            rng = seeded_rng("township-report", year, town)
            found = rng.randint(1, 4)
            rows.append({"township": town, "year": year, "submitted_on": dt.date.fromisoformat(day),
                         "enterprises_total": counts[town], "enterprises_checked": counts[town],
                         "problems_found": found, "problems_rectified": rng.randint(found - 1, found),
                         "cases_transferred": rng.randint(0, 1)})
    return rows


def _scoring_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    items, scores = [], []
    towns = list(TOWNSHIP_REPORT_DATES[2019])
    for year in (2019, 2020):
        for code, section, text, maximum in SCORING_ITEMS:
            items.append({"year": year, "item_code": code, "section": section, "item": text,
                          "max_score": Decimal(maximum)})
        for index, town in enumerate(towns):
            lost = {code: (Decimal(points), note) for code, points, note in DEDUCTIONS.get((year, town), ())}
            day = date_of(year, 8, 5 + 3 * index)
            for code, _, _, maximum in SCORING_ITEMS:
                points, note = lost.get(code, (ZERO, None))
                scores.append({"township": town, "year": year, "item_code": code,
                               "score": Decimal(maximum) - points, "inspected_on": day,
                               "inspector": INSPECTION_TEAMS[index % 2], "note": note})
    return items, scores


def demo_tables(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Every table of the demo package as rows keyed by the spec's column keys."""
    economy = Economy()
    tables: dict[str, list[dict[str, Any]]] = {"enterprises": enterprise_rows(settings)}
    tables["quotas"] = [
        {"year": year, "batch": batch, "uscc": F[key].uscc, "kind": "冶炼分离", "quota_t": Decimal(value)}
        for (key, year), batches in QUOTAS.items() for batch, value in enumerate(batches, start=1)
    ]
    tables["monthly_reports"] = [
        {"uscc": F[key].uscc, "period": per, "purchase_ore_domestic_t": r.ore_domestic,
         "purchase_ore_imported_t": r.ore_imported, "purchase_compound_t": r.compound,
         "purchase_scrap_t": r.scrap, "production_t": r.production, "sales_t": r.sales,
         "inventory_t": r.inventory, "raw_inventory_t": r.raw_inventory, "toll_processing_t": r.toll,
         "submitted_on": r.submitted_on}
        for (key, per), r in sorted(economy.reports.items(), key=lambda kv: (F[kv[0][0]].serial, kv[0][1]))
    ]
    invoices = sorted(economy.invoices, key=lambda i: (i.issued_on, i.seller, i.buyer, i.category, i.status, i.reo))
    numbers: dict[int, int] = defaultdict(int)
    tables["invoices"] = []
    for inv in invoices:
        numbers[inv.issued_on.year] += 1
        tables["invoices"].append({
            "invoice_no": f"{inv.issued_on.year % 100:02d}{numbers[inv.issued_on.year]:06d}",
            "issued_on": inv.issued_on, "seller_uscc": inv.seller, "buyer_uscc": inv.buyer,
            "product_category": inv.category, "product_name": inv.product, "quantity": inv.quantity,
            "unit": inv.unit, "reo_t": inv.reo, "amount_yuan": inv.amount, "status": inv.status,
        })
    tables["traceability"] = [
        {"uscc": F[key].uscc, "period": per, "production_t": prod, "sales_t": sales}
        for (key, per), (prod, sales) in sorted(economy.traceability.items(),
                                                key=lambda kv: (F[kv[0][0]].serial, kv[0][1]))
    ]
    certificates = sorted(economy.certificates, key=lambda c: (c[1], F[c[0]].serial))
    tables["resource_tax"] = [
        {"certificate_no": f"320585{issued.year}{n:06d}", "uscc": F[key].uscc, "issued_on": issued,
         "ore_t": ore, "tax_yuan": tax}
        for n, (key, issued, ore, tax) in enumerate(certificates, start=1)
    ]
    licenses = {**EXPORT_LICENSES, **{no: (firm, hs, str(q), start, end)
                                      for no, (firm, hs, q, start, end) in economy.import_licenses.items()}}
    tables["licenses"] = [
        {"license_no": number, "uscc": F[firm].uscc, "direction": "出口" if "-CK-" in number else "进口",
         "hs_code": hs, "quantity_t": Decimal(quantity), "valid_from": dt.date.fromisoformat(start),
         "valid_to": dt.date.fromisoformat(end)}
        for number, (firm, hs, quantity, start, end) in sorted(licenses.items())
    ]
    tables["customs"] = [
        {"declaration_no": d.number, "declared_on": d.declared_on, "uscc": F[d.firm].uscc, "direction": d.direction,
         "hs_code": d.hs, "product_name": d.product, "quantity_t": d.goods, "reo_t": d.reo, "country": d.country,
         "license_no": d.license, "inspection_no": d.inspection}
        for d in _sorted_declarations(economy)
    ]
    tables["environment"] = [
        {"record_id": rid, "uscc": F[key].uscc, "recorded_on": dt.date.fromisoformat(day), "kind": kind,
         "description": text, "resolved_on": None if done is None else dt.date.fromisoformat(done)}
        for rid, key, day, kind, text, done in ENVIRONMENT
    ]
    tables["self_checks"] = _self_check_rows()
    tables["township_reports"] = _township_rows()
    tables["scoring_items"], tables["inspection_scores"] = _scoring_rows()
    tables["tipoffs"] = [
        {"tipoff_id": tid, "received_on": dt.date.fromisoformat(day), "channel": channel, "township": town,
         "subject_uscc": None if subject is None else party(subject),
         "subject_name": name or (F[subject].name if subject in F else None), "summary": summary,
         "department": department, "status": status,
         "resolved_on": None if done is None else dt.date.fromisoformat(done),
         "feedback_on": None if feedback is None else dt.date.fromisoformat(feedback)}
        for tid, day, channel, town, subject, name, summary, department, status, done, feedback in TIPOFFS
    ]
    tables["penalties"] = [
        {"case_no": case, "uscc": F[key].uscc, "decided_on": dt.date.fromisoformat(day), "department": department,
         "violation": violation, "measure": measure, "fine_yuan": None if fine is None else Decimal(fine),
         "blacklisted_until": None if until is None else dt.date.fromisoformat(until)}
        for case, key, day, department, violation, measure, fine, until in PENALTIES
    ]
    return tables
