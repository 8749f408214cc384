"""A small, hand-checked data package for the page tests, written as CSV and loaded through the importer.

Every figure the page tests assert on is derived here by hand (see FACTS), so a test
failing means the page or the query changed, not the fixture.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supervision.core.values import uscc_check_char

YEAR = 2019
AS_OF = dt.date(2019, 10, 15)  # after every 2019 deadline except the annual summary (11-15)


def code(serial: int) -> str:
    """A valid USCC: 91 (enterprise) + 320585 (太仓) + a serial, with its check character."""
    body = f"91320585{serial:09d}"
    return body + uscc_check_char(body)


A, B, C, D, E, F, G, H = (code(n) for n in range(1001, 1009))
OUTSIDE_BUYER = "91310000" + "MA1FL0001"  # a buyer in Shanghai, outside the directory
OUTSIDE_BUYER += uscc_check_char(OUTSIDE_BUYER)

ENTERPRISES: list[dict[str, Any]] = [
    {"uscc": A, "name": "太仓浮港稀土分离有限公司", "category": "冶炼分离", "township": "浮桥镇", "lon": "121.2030",
     "lat": "31.6240", "group": "中国稀有稀土股份有限公司", "approved_capacity_t": "1200", "status": "在产",
     "eia_approved": "是", "eia_accepted": "是", "last_clean_audit": "2018-05-01"},
    {"uscc": B, "name": "太仓城厢稀土材料有限公司", "category": "冶炼分离", "township": "城厢镇", "lon": "121.1080",
     "lat": "31.4580", "group": "中国北方稀土(集团)高科技股份有限公司", "approved_capacity_t": "600", "status": "在产",
     "eia_approved": "是", "eia_accepted": "是", "last_clean_audit": "2019-01-10"},
    {"uscc": C, "name": "太仓浏河再生资源利用有限公司", "category": "资源综合利用", "township": "浏河镇",
     "lon": "121.2720", "lat": "31.5170", "status": "在产", "eia_approved": "是", "eia_accepted": "否"},
    {"uscc": D, "name": "太仓沙溪稀土贸易有限公司", "category": "贸易流通", "township": "沙溪镇", "lon": "121.0660",
     "lat": "31.5590", "status": "在产"},
    {"uscc": E, "name": "太仓璜泾稀土金属有限公司", "category": "金属冶炼", "township": "璜泾镇", "lon": "121.1020",
     "lat": "31.6510", "status": "在产"},
    {"uscc": F, "name": "太仓娄东磁材应用有限公司", "category": "深加工应用", "township": "娄东街道", "lon": "121.1280",
     "lat": "31.4810", "status": "在产"},
    {"uscc": G, "name": "太仓双凤稀土冶炼厂", "category": "冶炼分离", "township": "双凤镇", "lon": "121.0320",
     "lat": "31.5210", "status": "停产"},
    {"uscc": H, "name": "太仓城厢稀土商贸有限公司", "category": "贸易流通", "township": "城厢镇", "status": "在产"},
]

QUOTAS = [
    {"year": 2019, "batch": 1, "uscc": A, "quota_t": "600"},
    {"year": 2019, "batch": 2, "uscc": A, "quota_t": "400"},
    {"year": 2019, "batch": 1, "uscc": B, "quota_t": "300"},
    {"year": 2019, "batch": 2, "uscc": B, "quota_t": "200"},
    {"year": 2018, "batch": 1, "uscc": A, "quota_t": "900"},
    {"year": 2018, "batch": 1, "uscc": B, "quota_t": "500"},
]


def _monthly() -> list[dict[str, Any]]:
    rows = []
    for m in range(1, 10):
        due = dt.date(2019, m + 1, 8).isoformat()
        rows.append({"uscc": A, "period": f"2019-{m:02d}", "purchase_ore_domestic_t": "110", "production_t": "100",
                     "sales_t": "90", "inventory_t": "50", "raw_inventory_t": "20", "submitted_on": due})
        rows.append({"uscc": B, "period": f"2019-{m:02d}", "purchase_ore_domestic_t": "70", "production_t": "60",
                     "sales_t": "60", "inventory_t": "10", "raw_inventory_t": "5", "submitted_on": due})
        if m != 5:  # C never filed May: one report missing (R19)
            rows.append({"uscc": C, "period": f"2019-{m:02d}", "purchase_scrap_t": "25", "production_t": "20",
                         "sales_t": "20", "raw_inventory_t": "3", "submitted_on": due})
    for m in range(1, 13):
        rows.append({"uscc": A, "period": f"2018-{m:02d}", "purchase_ore_domestic_t": "80", "production_t": "70",
                     "sales_t": "70", "submitted_on": f"{2018 + (m == 12)}-{m % 12 + 1:02d}-08"})
        rows.append({"uscc": B, "period": f"2018-{m:02d}", "purchase_ore_domestic_t": "45", "production_t": "40",
                     "sales_t": "40", "submitted_on": f"{2018 + (m == 12)}-{m % 12 + 1:02d}-08"})
    return rows


def _traceability() -> list[dict[str, Any]]:
    rows = []
    for m in range(1, 10):
        rows.append({"uscc": A, "period": f"2019-{m:02d}", "production_t": "100", "sales_t": "90"})
        rows.append({"uscc": B, "period": f"2019-{m:02d}", "production_t": "50", "sales_t": "50"})
    return rows


def _invoices() -> list[dict[str, Any]]:
    rows = []
    for m in range(1, 10):
        rows.append({"invoice_no": f"0451{m:04d}", "issued_on": f"2019-{m:02d}-20", "seller_uscc": A,
                     "buyer_uscc": OUTSIDE_BUYER, "product_category": "OXIDE", "product_name": "氧化镨钕",
                     "quantity": "90", "unit": "吨", "reo_t": "90", "amount_yuan": "27000000.00"})
        rows.append({"invoice_no": f"0452{m:04d}", "issued_on": f"2019-{m:02d}-21", "seller_uscc": B,
                     "buyer_uscc": D, "product_category": "OXIDE", "product_name": "氧化镧",
                     "quantity": "60", "unit": "吨", "reo_t": "60", "amount_yuan": "1200000.00"})
    rows.append({"invoice_no": "04530001", "issued_on": "2019-06-30", "seller_uscc": A, "buyer_uscc": OUTSIDE_BUYER,
                 "product_category": "OXIDE", "product_name": "氧化镨钕", "quantity": "500", "unit": "吨",
                 "reo_t": "500", "amount_yuan": "150000000.00", "status": "作废"})
    rows.append({"invoice_no": "04530002", "issued_on": "2019-07-31", "seller_uscc": A, "buyer_uscc": OUTSIDE_BUYER,
                 "product_category": "OXIDE", "product_name": "氧化镨钕", "quantity": "-10", "unit": "吨",
                 "reo_t": "-10", "amount_yuan": "-3000000.00", "status": "红冲"})
    return rows


RESOURCE_TAX = [
    {"certificate_no": f"SZ2019{m:03d}", "uscc": A, "issued_on": f"2019-{m:02d}-25", "ore_t": "110",
     "tax_yuan": "55000.00"} for m in range(1, 10)
]
LICENSES = [
    {"license_no": "19CK000123", "uscc": A, "direction": "出口", "hs_code": "28469019", "quantity_t": "200",
     "valid_from": "2019-01-01", "valid_to": "2019-12-31"},
]
CUSTOMS = [
    {"declaration_no": "223320190000001", "declared_on": "2019-04-10", "uscc": A, "direction": "出口",
     "hs_code": "28469019", "product_name": "氧化镨钕", "quantity_t": "20", "reo_t": "20", "country": "日本",
     "license_no": "19CK000123", "inspection_no": "FJ2019-0001"},
    {"declaration_no": "223320190000002", "declared_on": "2019-08-12", "uscc": A, "direction": "出口",
     "hs_code": "28469019", "product_name": "氧化镨钕", "quantity_t": "15", "reo_t": "15", "country": "韩国",
     "license_no": "19CK000123", "inspection_no": ""},
]
ENVIRONMENT = [
    {"record_id": "HB-2019-001", "uscc": C, "recorded_on": "2019-06-01", "kind": "治污设施运行不正常",
     "description": "废气处理设施停运", "resolved_on": ""},
    {"record_id": "HB-2019-002", "uscc": A, "recorded_on": "2019-03-05", "kind": "超标排放",
     "description": "氨氮超标", "resolved_on": "2019-04-01"},
]
SELF_CHECKS = [
    {"uscc": A, "year": 2019, "submitted_on": "2019-07-20", "problems_found": 2, "problems_rectified": 2,
     "description": "台账不规范，已整改"},
    {"uscc": B, "year": 2019, "submitted_on": "2019-07-31", "problems_found": 1, "problems_rectified": 0},
    {"uscc": C, "year": 2019, "submitted_on": "2019-08-05", "problems_found": 0, "problems_rectified": 0},
    {"uscc": G, "year": 2019, "submitted_on": "2019-07-15", "problems_found": 0, "problems_rectified": 0},
    {"uscc": H, "year": 2019, "submitted_on": "2019-07-25", "problems_found": 0, "problems_rectified": 0},
    # D (贸易流通, 沙溪镇) files none: missing.
]
TOWNSHIP_REPORTS = [
    {"township": "浮桥镇", "year": 2019, "submitted_on": "2019-08-10", "enterprises_total": 1,
     "enterprises_checked": 1, "problems_found": 2, "problems_rectified": 2, "cases_transferred": 0},
    {"township": "城厢镇", "year": 2019, "submitted_on": "2019-08-13", "enterprises_total": 2,
     "enterprises_checked": 2, "problems_found": 1, "problems_rectified": 0, "cases_transferred": 1},
    {"township": "浏河镇", "year": 2019, "submitted_on": "2019-08-20", "enterprises_total": 1,
     "enterprises_checked": 1, "problems_found": 0, "problems_rectified": 0, "cases_transferred": 0},
    {"township": "璜泾镇", "year": 2019, "submitted_on": "2019-08-12", "enterprises_total": 1,
     "enterprises_checked": 1, "problems_found": 0, "problems_rectified": 0, "cases_transferred": 0},
    {"township": "双凤镇", "year": 2019, "submitted_on": "2019-08-09", "enterprises_total": 1,
     "enterprises_checked": 1, "problems_found": 0, "problems_rectified": 0, "cases_transferred": 0},
    {"township": "娄东街道", "year": 2019, "submitted_on": "2019-08-11", "enterprises_total": 1,
     "enterprises_checked": 1, "problems_found": 0, "problems_rectified": 0, "cases_transferred": 0},
    # 沙溪镇 files none: missing. 陆渡街道 has no enterprise: not required.
]
SCORING_ITEMS = [
    {"year": 2019, "item_code": "A1", "section": "组织领导", "item": "成立整顿工作领导小组并制定方案",
     "max_score": "20"},
    {"year": 2019, "item_code": "A2", "section": "组织领导", "item": "按时报送自查汇总表和书面报告", "max_score": "20"},
    {"year": 2019, "item_code": "B1", "section": "排查整治", "item": "辖区企业全面排查、建立台账", "max_score": "30"},
    {"year": 2019, "item_code": "B2", "section": "排查整治", "item": "发现问题依法处理并跟踪整改", "max_score": "30"},
    {"year": 2018, "item_code": "X1", "section": "工作部署", "item": "部署落实", "max_score": "50"},
    {"year": 2018, "item_code": "X2", "section": "整治成效", "item": "整治成效", "max_score": "50"},
]


def _scores() -> list[dict[str, Any]]:
    given = {
        "浮桥镇": {"A1": ("20", ""), "A2": ("20", ""), "B1": ("28", "台账缺少2家下游客户信息"), "B2": ("30", "")},
        "城厢镇": {"A1": ("20", ""), "A2": ("18", "书面报告缺整改时限"), "B1": ("25", "排查覆盖不全"),
                "B2": ("27", "1起问题整改未闭环")},
        "浏河镇": {"A1": ("18", "方案未细化分工"), "A2": ("12", "汇总表逾期报送"), "B1": ("30", ""),
                "B2": ("24", "环保问题未整改")},
        "沙溪镇": {"A1": ("15", "领导小组未实际运转"), "A2": ("0", "未报送汇总表"), "B1": ("20", "台账缺失"),
                "B2": ("20", "未跟踪自查问题")},
    }
    rows = []
    for town, items in given.items():
        for item_code, (score, note) in items.items():
            rows.append({"township": town, "year": 2019, "item_code": item_code, "score": score,
                         "inspected_on": "2019-08-20", "inspector": "市督查组", "note": note})
    for town, (x1, x2) in {"浮桥镇": ("45", "40"), "城厢镇": ("48", "45"), "浏河镇": ("40", "42"),
                           "沙溪镇": ("44", "41")}.items():
        rows.append({"township": town, "year": 2018, "item_code": "X1", "score": x1, "inspected_on": "2018-09-10",
                     "inspector": "市督查组", "note": ""})
        rows.append({"township": town, "year": 2018, "item_code": "X2", "score": x2, "inspected_on": "2018-09-10",
                     "inspector": "市督查组", "note": ""})
    return rows


TIPOFFS = [
    {"tipoff_id": "JB-2019-001", "received_on": "2019-07-02", "channel": "电话", "township": "浮桥镇",
     "subject_uscc": A, "subject_name": "太仓浮港稀土分离有限公司", "summary": "夜间偷运矿产品",
     "department": "市工信局", "status": "已办结", "resolved_on": "2019-07-18", "feedback_on": "2019-07-20"},
    {"tipoff_id": "JB-2019-002", "received_on": "2019-08-20", "channel": "网站", "township": "沙溪镇",
     "subject_uscc": D, "subject_name": "太仓沙溪稀土贸易有限公司", "summary": "无票销售稀土氧化物",
     "department": "市税务局", "status": "核查中", "resolved_on": "", "feedback_on": ""},
    {"tipoff_id": "JB-2019-003", "received_on": "2019-09-25", "channel": "信件", "township": "城厢镇",
     "subject_uscc": "", "subject_name": "城厢某仓库", "summary": "疑似存放来源不明稀土", "department": "市公安局",
     "status": "已受理", "resolved_on": "", "feedback_on": ""},
]
PENALTIES = [
    {"case_no": "太工信罚〔2019〕3号", "uscc": B, "decided_on": "2019-09-10", "department": "市工信局",
     "violation": "R02", "measure": "责令停产整顿、罚款", "fine_yuan": "500000.00", "blacklisted_until": "2020-09-09"},
    {"case_no": "太税罚〔2018〕12号", "uscc": D, "decided_on": "2018-11-02", "department": "市税务局",
     "violation": "不开发票", "measure": "罚款", "fine_yuan": "80000.00", "blacklisted_until": ""},
]

TABLES: dict[str, list[dict[str, Any]]] = {
    "enterprises": ENTERPRISES,
    "quotas": QUOTAS,
    "monthly_reports": _monthly(),
    "invoices": _invoices(),
    "traceability": _traceability(),
    "resource_tax": RESOURCE_TAX,
    "licenses": LICENSES,
    "customs": CUSTOMS,
    "environment": ENVIRONMENT,
    "self_checks": SELF_CHECKS,
    "township_reports": TOWNSHIP_REPORTS,
    "scoring_items": SCORING_ITEMS,
    "inspection_scores": _scores(),
    "tipoffs": TIPOFFS,
    "penalties": PENALTIES,
}


@dataclass(frozen=True)
class Facts:
    """Figures derived by hand from the tables above (2019, as of 2019-10-15)."""

    enterprises: int = 8
    utilisation_a: float = 0.9      # 900 / 1000
    utilisation_b: float = 1.08     # 540 / 500
    quota_total_t: int = 1500       # 1000 + 500
    production_2019_t: int = 1440   # 900 + 540 (quota holders; C recycles from scrap without a quota)
    invoiced_a_t: int = 800         # 9 × 90 − 10 (红冲), the 作废 500 left out
    score_fuqiao: int = 98
    score_shaxi: int = 55
    score_shaxi_2018_share: float = 0.85
    self_check_missing: str = "太仓沙溪稀土贸易有限公司"
    monthly_missing_liuhe: int = 1
    blacklisted: str = "太仓城厢稀土材料有限公司"


FACTS = Facts()


def write_package(folder: Path) -> Path:
    """Write every table as `<table>.csv` (UTF-8) into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in TABLES.items():
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


NEW_ENTERPRISE = code(1009)


def write_addition(folder: Path) -> Path:
    """A one-row package that adds a ninth enterprise (for the data-version tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "enterprises.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["uscc", "name", "category", "township", "status"])
        writer.writeheader()
        writer.writerow({"uscc": NEW_ENTERPRISE, "name": "太仓陆渡稀土贸易有限公司", "category": "贸易流通",
                         "township": "陆渡街道", "status": "在产"})
    return folder
