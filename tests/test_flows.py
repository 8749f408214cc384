"""物料流向: a hand-computed package whose every link and every 差额 stream is known, on SQLite and PostgreSQL.

Three smelters (S1, S2 in 城厢镇, S3 in 沙溪镇), one recycler (R1, 城厢镇), two traders (T1 城厢镇, T2 沙溪镇),
a metal plant (M1, 城厢镇), imports and exports. The figures (tonnes REO, 2019, as of 12-31):

    S1: opening raw 10 / product 5 (2018-12); Jan: domestic 100 (80 taxed), imported 20, production 110,
        sales 100, closing raw 10, product 15; invoices to T1 60, to an outsider 35 − 5 (红冲) (+ a void 99 and a
        2020 invoice, neither counting); export 10.  → loss 10, R07 20, paper 100 = sales.
    S2: compounds 50, production 70, sales 70; invoices to M1 40, outsider 10.  → R04 20, R05 无票据 20.
    S3: compounds 30, production 30, sales 30, reported product stock 5; invoice to T2 40. → R05 票据多 10,
        库存差额 5 (books show more than they can).
    R1: scrap 25, production 25, sales 20, product stock 5; invoice to T1 20.
    T1: bought S1 60 + R1 20 + outsider 15, imported 5; sold T2 50 + outsider 40, exported 30. → R12 20.
    T2: bought S3 40 + T1 50; sold outsider 60. → 未售出 30.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from import_kit import OUTSIDER, code, csv_package, enterprise, run
from sqlalchemy import Engine

from supervision.core.principal import Principal, Role
from supervision.read import flows as fl

S1, S2, S3, T1, T2, R1, M1 = (code(n) for n in range(1, 8))
SELLER_OUT = code(9002, "91310000MA")
LEADER = Principal("flow.leader", "领导", Role.LEADER)
SHAXI = Principal("flow.sx", "沙溪镇经办", Role.TOWNSHIP, township="沙溪镇")
YEAR_END = dt.date(2019, 12, 31)
D = Decimal


def _monthly(uscc: str, period: str, **v: str) -> dict[str, str]:
    base = {"uscc": uscc, "period": period, "purchase_ore_domestic_t": "0", "purchase_ore_imported_t": "0",
            "purchase_compound_t": "0", "purchase_scrap_t": "0", "production_t": "0", "sales_t": "0",
            "inventory_t": "0", "raw_inventory_t": "0", "toll_processing_t": "0", "submitted_on": "2019-02-08"}
    return {**base, **v}


def _invoice(n: int, seller: str, buyer: str, reo: str, *, day: str = "2019-03-02", status: str = "正常",
             ) -> dict[str, str]:
    return {"invoice_no": f"FP-{n:04d}", "issued_on": day, "seller_uscc": seller, "buyer_uscc": buyer,
            "product_category": "OXIDE", "product_name": "氧化镨钕", "quantity": reo, "unit": "吨", "reo_t": reo,
            "amount_yuan": str(Decimal(reo) * 300000), "status": status}


def _customs(n: int, uscc: str, direction: str, reo: str) -> dict[str, str]:
    return {"declaration_no": f"2233201900{n:08d}", "declared_on": "2019-04-01", "uscc": uscc,
            "direction": direction, "hs_code": "2846901100" if direction == "出口" else "2530902000",
            "product_name": "氧化镝" if direction == "出口" else "稀土矿", "quantity_t": reo, "reo_t": reo,
            "country": "日本", "license_no": "", "inspection_no": f"FJ2019-{n:04d}" if direction == "出口" else ""}


def package(folder: Path) -> Path:
    town = {S1: "城厢镇", S2: "城厢镇", S3: "沙溪镇", T1: "城厢镇", T2: "沙溪镇", R1: "城厢镇", M1: "城厢镇"}
    kind = {S1: "冶炼分离", S2: "冶炼分离", S3: "冶炼分离", T1: "贸易流通", T2: "贸易流通", R1: "资源综合利用",
            M1: "金属冶炼"}
    names = {S1: "示例冶炼一", S2: "示例冶炼二", S3: "示例冶炼三", T1: "示例贸易一", T2: "示例贸易二",
             R1: "示例综合利用", M1: "示例金属"}
    return csv_package(folder, {
        "enterprises": [enterprise(int(u[10:17]), uscc=u, name=names[u], category=kind[u], township=town[u])
                        for u in town],
        "monthly_reports": [
            _monthly(S1, "2018-12", raw_inventory_t="10", inventory_t="5", submitted_on="2019-01-08"),
            _monthly(S1, "2019-01", purchase_ore_domestic_t="100", purchase_ore_imported_t="20", production_t="110",
                     sales_t="100", inventory_t="15", raw_inventory_t="10"),
            _monthly(S2, "2019-01", purchase_compound_t="50", production_t="70", sales_t="70"),
            _monthly(S3, "2019-01", purchase_compound_t="30", production_t="30", sales_t="30", inventory_t="5"),
            _monthly(R1, "2019-01", purchase_scrap_t="25", production_t="25", sales_t="20", inventory_t="5"),
        ],
        "resource_tax": [{"certificate_no": "WS-1", "uscc": S1, "issued_on": "2019-01-15", "ore_t": "80",
                          "tax_yuan": "1000"}],
        "invoices": [
            _invoice(1, S1, T1, "60"), _invoice(2, S1, OUTSIDER, "35"), _invoice(3, S1, OUTSIDER, "-5", status="红冲"),
            _invoice(4, S1, T1, "99", status="作废"), _invoice(5, S1, T1, "7", day="2020-01-05"),
            _invoice(6, S2, M1, "40"), _invoice(7, S2, OUTSIDER, "10"), _invoice(8, S3, T2, "40"),
            _invoice(9, R1, T1, "20"), _invoice(10, SELLER_OUT, T1, "15"), _invoice(11, T1, T2, "50"),
            _invoice(12, T1, OUTSIDER, "40"), _invoice(13, T2, OUTSIDER, "60"),
        ],
        "customs": [_customs(1, S1, "出口", "10"), _customs(2, T1, "进口", "5"), _customs(3, T1, "出口", "30")],
    })


@pytest.fixture
def flow_db(db: Engine, settings: Any, tmp_path: Path) -> Engine:
    report = run(db, settings, package(tmp_path / "flows"), actor="物料流向测试")
    assert report.ok, [p.message for p in report.problems]
    return db


def _links(flow: fl.Flow) -> dict[tuple[str, str], tuple[Decimal, str, str | None]]:
    return {(lk.source, lk.target): (lk.tonnes, lk.kind, lk.rule) for lk in flow.links}


P_CX, P_SX, T_CX, T_SX = "producer:城厢镇", "producer:沙溪镇", "trader:城厢镇", "trader:沙溪镇"
FLOW, GAP = fl.FLOW, fl.GAP

CITY_BY_TOWNSHIP = {
    ("src:ore_taxed", P_CX): (D(80), FLOW, None),
    ("src:ore_untaxed", P_CX): (D(20), GAP, "R07"),
    ("src:ore_imported", P_CX): (D(20), FLOW, None),
    ("src:compound", P_CX): (D(50), FLOW, None),
    ("src:compound", P_SX): (D(30), FLOW, None),
    ("src:scrap", P_CX): (D(25), FLOW, None),
    ("src:opening_raw", P_CX): (D(10), FLOW, None),
    ("src:opening_product", P_CX): (D(5), FLOW, None),
    (P_CX, "out:closing_raw"): (D(10), FLOW, None),
    ("gap:no_source", P_CX): (D(20), GAP, "R04"),
    (P_CX, "out:loss"): (D(10), FLOW, None),
    (P_CX, "out:exports"): (D(10), FLOW, None),
    (P_CX, "gap:no_paper"): (D(20), GAP, "R05"),
    ("gap:over_paper", P_SX): (D(10), GAP, "R05"),
    (P_CX, "out:closing_product"): (D(20), FLOW, None),
    (P_SX, "out:closing_product"): (D(5), FLOW, None),
    ("gap:stock_in", P_SX): (D(5), GAP, None),
    (P_CX, T_CX): (D(80), FLOW, None),
    (P_CX, "out:outside_buyer"): (D(40), FLOW, None),
    (P_CX, "out:city_other_buyer"): (D(40), FLOW, None),
    (P_SX, T_SX): (D(40), FLOW, None),
    ("src:outside_seller", T_CX): (D(15), FLOW, None),
    ("src:imports", T_CX): (D(5), FLOW, None),
    (T_CX, T_SX): (D(50), FLOW, None),
    (T_CX, "out:outside_buyer"): (D(40), FLOW, None),
    (T_CX, "out:exports"): (D(30), FLOW, None),
    ("gap:trader_no_source", T_CX): (D(20), GAP, "R12"),
    (T_SX, "out:outside_buyer"): (D(60), FLOW, None),
    (T_SX, "out:unsold"): (D(30), FLOW, None),
}


def test_every_link_and_every_gap_of_the_city_by_township(flow_db: Engine) -> None:
    flow = fl.material_flow(flow_db, LEADER, 2019, as_of=YEAR_END)
    assert _links(flow) == CITY_BY_TOWNSHIP
    assert set(flow.imbalance().values()) == {D(0)}
    gaps = sum((lk.tonnes for lk in flow.gaps()), D(0))
    assert gaps == D(95)  # R07 20 + R04 20 + R05 20 + R05 10 + 库存 5 + R12 20
    # Σ in = Σ out to the kilogram, the 差额 streams on their sides (a gap source feeds in, a gap sink takes out):
    # in 80+20+20+50+30+25+10+5 + 20+10+5 + 15+5+20 = 315; out 10+10+10+20+25+40+40 + 40+30+60+30 = 315.
    assert flow.entering() == flow.leaving() == D(315)
    producers = {n.label for n in flow.nodes if n.kind == fl.PRODUCER}
    assert producers == {"城厢镇·冶炼/综合利用企业", "沙溪镇·冶炼/综合利用企业"}


def test_enterprise_nodes_carry_their_codes_and_the_same_totals(flow_db: Engine) -> None:
    flow = fl.material_flow(flow_db, LEADER, 2019, as_of=YEAR_END, by_enterprise=True)
    links = _links(flow)
    assert links[(f"producer:{S2}", "gap:no_paper")] == (D(20), GAP, "R05")
    assert links[("gap:no_source", f"producer:{S2}")] == (D(20), GAP, "R04")
    assert links[(f"producer:{S1}", f"trader:{T1}")] == (D(60), FLOW, None)
    assert links[(f"producer:{S1}", "out:outside_buyer")] == (D(30), FLOW, None)  # 35 − 5 红冲, void and 2020 not
    assert links[(f"trader:{T1}", f"trader:{T2}")] == (D(50), FLOW, None)
    assert flow.node(f"producer:{S1}").uscc == S1 and flow.node(f"producer:{S1}").label == "示例冶炼一"
    assert set(flow.imbalance().values()) == {D(0)}
    assert flow.entering() == flow.leaving() == D(315)


def test_a_township_officer_sees_their_enterprises_and_the_rest_as_outside(flow_db: Engine) -> None:
    flow = fl.material_flow(flow_db, SHAXI, 2019, as_of=YEAR_END)
    assert _links(flow) == {
        ("src:compound", P_SX): (D(30), FLOW, None),
        ("gap:over_paper", P_SX): (D(10), GAP, "R05"),
        ("gap:stock_in", P_SX): (D(5), GAP, None),
        (P_SX, "out:closing_product"): (D(5), FLOW, None),
        (P_SX, T_SX): (D(40), FLOW, None),
        ("src:other_town_seller", T_SX): (D(50), FLOW, None),
        (T_SX, "out:outside_buyer"): (D(60), FLOW, None),
        (T_SX, "out:unsold"): (D(30), FLOW, None),
    }
    assert not any("城厢" in n.label or n.uscc in (S1, S2, T1, R1) for n in flow.nodes)
    # The leader's view narrowed to 沙溪镇 is the same picture.
    assert _links(fl.material_flow(flow_db, LEADER, 2019, "沙溪镇", as_of=YEAR_END)) == _links(flow)


def test_as_of_a_day_counts_only_the_months_ended_and_the_rows_dated_by_then(flow_db: Engine) -> None:
    # At 02-28 January's reports count; the invoices (March) and declarations (April) do not yet.
    flow = fl.material_flow(flow_db, LEADER, 2019, as_of=dt.date(2019, 2, 28))
    links = _links(flow)
    assert links[(P_CX, "gap:no_paper")] == (D(190), GAP, "R05")  # S1 100 + S2 70 + R1 20 sold without paper yet
    assert (P_CX, T_CX) not in links and ("src:imports", T_CX) not in links
    assert set(flow.imbalance().values()) == {D(0)}
    # Before any month of 2019 has ended only the tax certificate (01-15) is there: no reports, no links.
    assert fl.material_flow(flow_db, LEADER, 2019, as_of=dt.date(2019, 1, 20)).links == ()


def _ledger(engine: Engine, uscc: str, principal: Principal = LEADER):
    return fl.enterprise_ledger(engine, principal, uscc, 2019, as_of=YEAR_END, factor=D("1.02"),
                                relative=D("0.05"), absolute_t=D(1))


def test_the_ledger_closes_each_month_and_flags_the_ones_that_do_not(flow_db: Engine) -> None:
    s1 = _ledger(flow_db, S1).iloc[0]
    assert (s1["period"], s1["opening_raw_t"], s1["consumed_t"], s1["raw_gap_t"]) == ("2019-01", D(10), D(120), D(-10))
    assert (s1["opening_product_t"], s1["closing_product_calc_t"], s1["stock_gap_t"]) == (D(5), D(15), D(0))
    assert s1["tax_covered_ore_t"] == D(80) and s1["invoiced_t"] is None  # its invoices were issued in March
    assert (s1["books"], bool(s1["closes"])) == ("平衡", True)
    s2 = _ledger(flow_db, S2).iloc[0]
    assert (s2["raw_gap_t"], s2["books"]) == (D(20), "产量超过原料消耗")  # 70 made from 50 bought: R04
    s3 = _ledger(flow_db, S3).iloc[0]
    assert (s3["closing_product_calc_t"], s3["closing_product_t"], s3["stock_gap_t"]) == (D(0), D(5), D(-5))
    assert s3["books"] == "产品库存对不上" and not s3["closes"]
    assert _ledger(flow_db, S1, SHAXI).empty  # another township's enterprise: nothing
