"""A small builder of business data for the check tests: readable rows, inserted in foreign-key order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from supervision.checks import run_checks
from supervision.core.config import Settings
from supervision.core.findings import Finding
from supervision.core.principal import SYSTEM, Principal
from supervision.core.values import uscc_check_char
from supervision.storage.models import DATA_MODELS

Y = 2019
D = dt.date(2019, 12, 31)


def code(n: int) -> str:
    """A valid unified social credit code, distinct per n."""
    body = f"91320585{n:09d}"
    return body + uscc_check_char(body)


def dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class Data:
    """Rows to insert; each method returns the natural key it created."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._next = 1

    def enterprise(self, category: str = "冶炼分离", *, township: str = "城厢镇", status: str = "在产",
                   name: str | None = None, eia_approved: bool | None = True, eia_accepted: bool | None = True,
                   last_clean_audit: dt.date | None = dt.date(2019, 1, 1)) -> str:
        uscc = code(self._next)
        self._next += 1
        self.rows["enterprises"].append({
            "uscc": uscc, "name": name or f"测试{category}企业{self._next - 1}", "category": category,
            "township": township, "status": status, "coord_system": "WGS84", "eia_approved": eia_approved,
            "eia_accepted": eia_accepted, "last_clean_audit": last_clean_audit,
        })
        return uscc

    def quota(self, uscc: str, quota_t: Any, *, year: int = Y, batch: int = 1, kind: str = "冶炼分离") -> None:
        self.rows["quotas"].append({"year": year, "batch": batch, "uscc": uscc, "kind": kind, "quota_t": dec(quota_t)})

    def monthly(self, uscc: str, period: str, **values: Any) -> None:
        row: dict[str, Any] = {"uscc": uscc, "period": period}
        for key, value in values.items():
            row[key] = value if key == "submitted_on" else dec(value)
        self.rows["monthly_reports"].append(row)

    def months(self, uscc: str, year: int = Y, months: Collection[int] = range(1, 13), **values: Any) -> None:
        """The same figures in each listed month of the year."""
        for m in months:
            self.monthly(uscc, f"{year}-{m:02d}", **values)

    def invoice(self, seller: str, buyer: str, reo_t: Any, *, no: str | None = None,
                issued_on: dt.date = dt.date(2019, 3, 1), category: str = "OXIDE", status: str = "正常") -> str:
        number = no or f"INV{len(self.rows['invoices']) + 1:06d}"
        self.rows["invoices"].append({
            "invoice_no": number, "issued_on": issued_on, "seller_uscc": seller, "buyer_uscc": buyer,
            "product_category": category, "product_name": "稀土产品", "quantity": dec(reo_t), "unit": "吨",
            "reo_t": dec(reo_t), "amount_yuan": dec(reo_t) * 1000 if reo_t is not None else None, "status": status,
        })
        return number

    def trace(self, uscc: str, period: str, production_t: Any, sales_t: Any = None) -> None:
        self.rows["traceability"].append({"uscc": uscc, "period": period, "production_t": dec(production_t),
                                          "sales_t": dec(sales_t)})

    def tax(self, uscc: str, ore_t: Any, *, issued_on: dt.date = dt.date(2019, 6, 1), no: str | None = None) -> str:
        number = no or f"TAX{len(self.rows['resource_tax']) + 1:05d}"
        self.rows["resource_tax"].append({"certificate_no": number, "uscc": uscc, "issued_on": issued_on,
                                          "ore_t": dec(ore_t), "tax_yuan": Decimal("100.00")})
        return number

    def license(self, uscc: str, quantity_t: Any, *, no: str | None = None, direction: str = "出口",
                valid_from: dt.date = dt.date(2019, 1, 1), valid_to: dt.date = dt.date(2019, 12, 31),
                hs_code: str = "28053011") -> str:
        number = no or f"LIC{len(self.rows['licenses']) + 1:05d}"
        self.rows["licenses"].append({"license_no": number, "uscc": uscc, "direction": direction, "hs_code": hs_code,
                                      "quantity_t": dec(quantity_t), "valid_from": valid_from, "valid_to": valid_to})
        return number

    def declaration(self, uscc: str, quantity_t: Any, *, no: str | None = None, direction: str = "出口",
                    declared_on: dt.date = dt.date(2019, 5, 1), license_no: str | None = None,
                    inspection_no: str | None = "INSP-1", hs_code: str = "28053011", reo_t: Any = None) -> str:
        number = no or f"DEC{len(self.rows['customs']) + 1:06d}"
        self.rows["customs"].append({
            "declaration_no": number, "declared_on": declared_on, "uscc": uscc, "direction": direction,
            "hs_code": hs_code, "product_name": "稀土氧化物", "quantity_t": dec(quantity_t),
            "reo_t": dec(reo_t if reo_t is not None else quantity_t), "country": "日本", "license_no": license_no,
            "inspection_no": inspection_no,
        })
        return number

    def environment(self, uscc: str, recorded_on: dt.date, resolved_on: dt.date | None = None, *,
                    kind: str = "超标排放", no: str | None = None) -> str:
        number = no or f"ENV{len(self.rows['environment']) + 1:05d}"
        self.rows["environment"].append({"record_id": number, "uscc": uscc, "recorded_on": recorded_on, "kind": kind,
                                         "description": "检查发现", "resolved_on": resolved_on})
        return number

    def self_check(self, uscc: str, submitted_on: dt.date | None, *, year: int = Y) -> None:
        self.rows["self_checks"].append({"uscc": uscc, "year": year, "submitted_on": submitted_on,
                                         "problems_found": 0, "problems_rectified": 0})

    def township_report(self, township: str, submitted_on: dt.date | None, *, year: int = Y) -> None:
        self.rows["township_reports"].append({"township": township, "year": year, "submitted_on": submitted_on,
                                              "enterprises_total": 1, "enterprises_checked": 1})

    def tipoff(self, received_on: dt.date, feedback_on: dt.date | None = None, *, township: str = "城厢镇",
               subject_uscc: str | None = None, no: str | None = None, status: str = "核查中") -> str:
        number = no or f"TIP{len(self.rows['tipoffs']) + 1:05d}"
        self.rows["tipoffs"].append({
            "tipoff_id": number, "received_on": received_on, "channel": "电话", "township": township,
            "subject_uscc": subject_uscc, "subject_name": "某稀土企业", "summary": "反映夜间生产",
            "department": "市工信局", "status": status, "resolved_on": None, "feedback_on": feedback_on,
        })
        return number

    def save(self, engine: Engine) -> None:
        with engine.begin() as conn:
            for key, model in DATA_MODELS.items():
                rows = self.rows.get(key)
                if rows:
                    columns = {c for r in rows for c in r}  # executemany wants the same keys in every row
                    conn.execute(insert(model), [{**dict.fromkeys(columns), **r, "version": 1} for r in rows])


def check(engine: Engine, settings: Settings, rules: Collection[str], as_of: dt.date = D, *, year: int = Y,
          principal: Principal = SYSTEM) -> list[Finding]:
    return run_checks(engine, settings, year, as_of, principal, rules=set(rules))


def fired(findings: list[Finding], rule: str) -> set[str]:
    """The subjects a rule fired for."""
    return {f.subject for f in findings if f.rule == rule}


def only(findings: list[Finding], rule: str, subject: str) -> Finding:
    matching = [f for f in findings if f.rule == rule and f.subject == subject]
    assert len(matching) == 1, [(f.rule, f.subject) for f in findings]
    return matching[0]
