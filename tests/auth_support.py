"""A small seeded world for the access tests: three townships, every table, rows whose township is known.

Every seeded row is listed with the townships it belongs to, written out by hand
here (not derived from supervision.access.scope), so the tests compare what the domain
layer returns against an independent expectation.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from supervision.core.config import SecuritySettings, Settings
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.core.values import USCC_CHARSET, uscc_check_char
from supervision.ingest.importer import import_package

if TYPE_CHECKING:  # imported lazily at run time: Streamlit's testing module is heavy
    from streamlit.testing.v1 import AppTest

# table → (header, rows, the townships each row belongs to)
Tables = dict[str, tuple[list[str], list[list[str]], list[frozenset[str]]]]

OWN = "浮桥镇"
OTHER = "城厢镇"
THIRD = "沙溪镇"
SEEDED_TOWNS = frozenset({OWN, OTHER, THIRD})


def make_uscc(n: int) -> str:
    body = "91320585" + "".join(USCC_CHARSET[(n * 7 + i) % 10] for i in range(9))
    return body + uscc_check_char(body)


# Two enterprises per township.
ENTERPRISES = {
    make_uscc(1): ("浮桥冶炼示例有限公司", "冶炼分离", OWN),
    make_uscc(2): ("浮桥贸易示例有限公司", "贸易流通", OWN),
    make_uscc(3): ("城厢回收示例有限公司", "资源综合利用", OTHER),
    make_uscc(4): ("城厢冶炼示例有限公司", "冶炼分离", OTHER),
    make_uscc(5): ("沙溪深加工示例有限公司", "深加工应用", THIRD),
    make_uscc(6): ("沙溪金属示例有限公司", "金属冶炼", THIRD),
}
E = list(ENTERPRISES)  # E[0], E[1] in 浮桥镇; E[2], E[3] in 城厢镇; E[4], E[5] in 沙溪镇


def town_of(uscc: str) -> str:
    return ENTERPRISES[uscc][2]


def _per_enterprise(table: str, header: list[str], row_of) -> tuple[list[str], list[list[str]], list[frozenset[str]]]:
    rows = [row_of(i, u) for i, u in enumerate(E)]
    return header, rows, [frozenset({town_of(u)}) for u in E]


def seed_tables() -> Tables:
    """table → (header, rows, townships of each row)."""
    t: Tables = {}
    t["enterprises"] = (
        ["uscc", "name", "category", "township", "status", "eia_approved", "eia_accepted"],
        [[u, n, c, town, "在产", "是", "是"] for u, (n, c, town) in ENTERPRISES.items()],
        [frozenset({town}) for _, _, town in ENTERPRISES.values()],
    )
    t["quotas"] = _per_enterprise("quotas", ["year", "batch", "uscc", "kind", "quota_t"],
                                  lambda i, u: ["2019", "1", u, "冶炼分离", str(100 + i)])
    t["monthly_reports"] = _per_enterprise("monthly_reports", ["uscc", "period", "production_t", "sales_t"],
                                           lambda i, u: [u, "2019-03", str(10 + i), str(5 + i)])
    t["traceability"] = _per_enterprise("traceability", ["uscc", "period", "production_t"],
                                        lambda i, u: [u, "2019-03", str(10 + i)])
    t["resource_tax"] = _per_enterprise("resource_tax", ["certificate_no", "uscc", "issued_on", "ore_t"],
                                        lambda i, u: [f"WS{i:04d}", u, "2019-03-15", "3"])
    t["licenses"] = _per_enterprise(
        "licenses", ["license_no", "uscc", "direction", "hs_code", "quantity_t", "valid_from", "valid_to"],
        lambda i, u: [f"XK{i:04d}", u, "出口", "28053011", "50", "2019-01-01", "2019-12-31"])
    t["customs"] = _per_enterprise(
        "customs", ["declaration_no", "declared_on", "uscc", "direction", "hs_code", "quantity_t", "license_no",
                    "inspection_no"],
        lambda i, u: [f"BG{i:04d}", "2019-04-01", u, "出口", "28053011", "1", f"XK{i:04d}", f"FJ{i:04d}"])
    t["environment"] = _per_enterprise("environment", ["record_id", "uscc", "recorded_on", "kind"],
                                       lambda i, u: [f"HB{i:04d}", u, "2019-05-01", "其他"])
    t["self_checks"] = _per_enterprise("self_checks", ["uscc", "year", "submitted_on", "problems_found"],
                                       lambda i, u: [u, "2019", "2019-07-20", str(i)])
    t["penalties"] = _per_enterprise("penalties", ["case_no", "uscc", "decided_on", "measure"],
                                     lambda i, u: [f"CF{i:04d}", u, "2019-06-01", "罚款"])
    # Invoices: inside 浮桥镇, from 浮桥镇 to 城厢镇, inside 城厢镇, inside 沙溪镇.
    pairs = [(E[0], E[1]), (E[0], E[2]), (E[3], E[2]), (E[4], E[5])]
    t["invoices"] = (
        ["invoice_no", "issued_on", "seller_uscc", "buyer_uscc", "product_category", "reo_t"],
        [[f"FP{i:04d}", "2019-03-20", s, b, "OXIDE", "1.5"] for i, (s, b) in enumerate(pairs)],
        [frozenset({town_of(s), town_of(b)}) for s, b in pairs],
    )
    towns = [OWN, OTHER, THIRD]
    t["township_reports"] = (["township", "year", "submitted_on", "enterprises_total"],
                             [[town, "2019", "2019-08-10", "2"] for town in towns], [frozenset({x}) for x in towns])
    t["scoring_items"] = (["year", "item_code", "section", "item", "max_score"],
                          [["2019", "A1", "组织领导", "成立工作机构", "10"], ["2019", "A2", "排查", "全面排查", "20"]],
                          [frozenset(), frozenset()])
    t["inspection_scores"] = (["township", "year", "item_code", "score"],
                              [[town, "2019", code, "8"] for town in towns for code in ("A1", "A2")],
                              [frozenset({town}) for town in towns for _ in ("A1", "A2")])
    t["tipoffs"] = (["tipoff_id", "received_on", "township", "subject_name", "status"],
                    [[f"JB{i:04d}", "2019-06-10", town, "某企业", "已受理"] for i, town in enumerate(towns)],
                    [frozenset({town}) for town in towns])
    return t


def write_package(folder: Path, tables: Tables) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for key, (header, rows, _) in tables.items():
        with open(folder / f"{key}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


def seed(engine: Engine, settings: Settings, folder: Path) -> Tables:
    tables = seed_tables()
    report = import_package(write_package(folder, tables), engine, settings, actor="测试数据")
    assert report.ok and report.written, report.summary()
    return tables


def expected_rows(tables: Tables,
                  visible: frozenset[str] | None) -> dict[str, int]:
    """Rows per table a principal should see: `visible` townships, or None for all of them.

    A row belongs to a township officer when any of its townships is theirs (an invoice is
    visible to both parties' townships); city-level rows (the scoring table) are visible to all.
    """
    out: dict[str, int] = {}
    for key, (_, _, towns) in tables.items():
        if visible is not None and not visible:
            out[key] = 0
        elif visible is None:
            out[key] = len(towns)
        else:
            out[key] = sum(1 for t in towns if not t or t & visible)
    return out


PRINCIPALS: dict[str, Principal] = {
    "领导": Principal("leader", "领导", Role.LEADER),
    "工信局": Principal("gxj", "工信局经办", Role.BUREAU, department="工信局"),
    "税务局": Principal("swj", "税务局经办", Role.BUREAU, department="税务局"),
    "浮桥镇人员": Principal("fq", "浮桥镇经办", Role.TOWNSHIP, township=OWN),
    "管理员": Principal("admin1", "管理员", Role.ADMIN),
    "大屏": Principal("screen-1", "大屏：测试", Role.SCREEN),
    "命令行": SYSTEM,
}


def visible_towns(principal: Principal) -> frozenset[str] | None:
    """What each principal should read: None = everything, a set = only those townships."""
    if principal.role is Role.TOWNSHIP:
        return frozenset({principal.township or ""})
    if principal.role is Role.ADMIN and principal is not SYSTEM:
        return frozenset()
    return None


def fast(security: SecuritySettings) -> SecuritySettings:
    """The configured policy with a cheap argon2 cost, so tests that hash many passwords stay quick."""
    return dataclasses.replace(security, argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)


def iter_roles() -> Iterator[tuple[str, Principal]]:
    yield from PRINCIPALS.items()


APP = Path(__file__).resolve().parent.parent / "app.py"
PASSWORD = "Test-Passw0rd!"


def fast_config(tmp: Path, extra: str = "") -> Path:
    """A copy of config.toml with a cheap argon2 cost, no background warm-up (and optional extra TOML appended)."""
    import re

    from supervision.core.config import DEFAULT_CONFIG

    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    for name, value in (("argon2_time_cost", 1), ("argon2_memory_kib", 1024), ("argon2_parallelism", 1)):
        text, n = re.subn(rf"(?m)^{name} = \d+", f"{name} = {value}", text)
        assert n == 1, name
    # No background warm-up in tests: its thread would read the test's database while the test counts or
    # changes it (tests/test_warmup.py runs it by itself).
    text, n = re.subn(r"(?m)^warm_up = true", "warm_up = false", text)
    assert n == 1, "warm_up"
    path = tmp / "config.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def clear_streamlit_caches() -> None:
    import streamlit as st

    from components import db as app_db

    app_db.engine().dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


def add_account(engine: Engine, settings: Settings, username: str, role: Role, *, township: str | None = None,
                department: str | None = None, display_name: str | None = None, must_change: bool = False) -> int:
    from supervision.access import accounts

    return accounts.create_user(engine, SYSTEM, fast(settings.security), username=username,
                                display_name=display_name or username, role=role, password=PASSWORD,
                                township=township, department=department, must_change_password=must_change)


def new_app() -> AppTest:
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=30)


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def on_login_page(at: AppTest) -> bool:
    return any(w.key == "login_username" for w in at.text_input)
