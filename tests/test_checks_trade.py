"""R05, R08, R12: invoices against sales, recyclers' raw materials, traders' sources, at the boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from checks_support import Data, check, fired, only


def test_r05_void_invoices_are_ignored_and_credit_notes_count_negative(db, settings):
    d = Data()
    buyer = d.enterprise("深加工应用")
    voided = d.enterprise()  # 100 counted, 200 void: equal to sales
    d.months(voided, months=[1], sales_t="100")
    d.invoice(voided, buyer, "100")
    d.invoice(voided, buyer, "200", status="作废")
    credited = d.enterprise()  # 110 − 5 credit = 105: 5 t off, exactly the tolerance
    d.months(credited, months=[1], sales_t="100")
    d.invoice(credited, buyer, "110")
    d.invoice(credited, buyer, "-5", status="红冲")
    beyond = d.enterprise()  # 100 + 50 void − 5.001 credit = 94.999: 5.001 t short
    d.months(beyond, months=[1], sales_t="100")
    counted = d.invoice(beyond, buyer, "100")
    d.invoice(beyond, buyer, "50", status="作废")
    credit = d.invoice(beyond, buyer, "-5.001", status="红冲")
    d.save(db)
    found = check(db, settings, ["R05"])
    assert fired(found, "R05") == {beyond}
    f = only(found, "R05", beyond)
    assert f.figures["invoiced_t"] == Decimal("94.999")
    assert f.figures["difference_t"] == Decimal("5.001")
    assert (f.figures["invoices"], f.figures["credit_notes"]) == (2, 1)
    assert {r.key for r in f.rows if r.table == "invoices"} == {counted, credit}


def test_r05_reports_without_invoices_and_the_one_tonne_floor(db, settings):
    d = Data()
    buyer = d.enterprise("深加工应用")
    one_tonne = d.enterprise()  # sold 1 t, invoiced nothing: 1 t is not more than max(5 %, 1 t)
    d.months(one_tonne, months=[3], sales_t="1")
    unbilled = d.enterprise()
    d.months(unbilled, months=[3], sales_t="1.001")
    last_year = d.enterprise()  # invoices of 2018 do not cover 2019 sales
    d.months(last_year, months=[1], sales_t="30")
    d.invoice(last_year, buyer, "30", issued_on=dt.date(2018, 12, 31))
    no_reports = d.enterprise()  # R05 only checks enterprises that sent monthly reports for Y
    d.invoice(no_reports, buyer, "500")
    d.save(db)
    found = check(db, settings, ["R05"])
    assert fired(found, "R05") == {unbilled, last_year}
    assert only(found, "R05", unbilled).message.startswith("2019年月报销售量1.001吨，开具稀土专用发票0张")


def test_r08_recycler_on_forbidden_raw_materials(db, settings):
    d = Data()
    seller = d.enterprise()
    compound = d.enterprise("资源综合利用")
    d.months(compound, months=[4], purchase_compound_t="0.001")
    oxide = d.enterprise("资源综合利用")
    d.invoice(seller, oxide, "2", category="OXIDE")
    ore_import = d.enterprise("资源综合利用")
    d.declaration(ore_import, "10", direction="进口", hs_code="25309020")
    clean = d.enterprise("资源综合利用")  # scrap and metal are allowed; void and fully credited buys are none
    d.months(clean, purchase_scrap_t="5", purchase_ore_domestic_t="0")
    d.invoice(seller, clean, "3", category="SCRAP")
    d.invoice(seller, clean, "3", category="METAL")
    d.invoice(seller, clean, "4", category="MINE", status="作废")
    d.invoice(seller, clean, "6", category="SALT")
    d.invoice(seller, clean, "-6", category="SALT", status="红冲")
    d.declaration(clean, "10", direction="进口", hs_code="28053011")
    d.declaration(clean, "10", direction="出口", hs_code="25309020")
    smelter = d.enterprise()  # the rule is about recyclers only
    d.invoice(seller, smelter, "9", category="MINE")
    d.months(smelter, purchase_ore_domestic_t="9")
    d.save(db)
    found = check(db, settings, ["R08"])
    assert fired(found, "R08") == {compound, oxide, ore_import}
    assert only(found, "R08", oxide).figures["forbidden_invoiced_t"] == Decimal("2.000")
    assert only(found, "R08", ore_import).rows[0].table == "customs"
    assert "进口稀土矿（商品编码2530）报关1票" in only(found, "R08", ore_import).message


def test_r12_trading_company_whose_imports_cover_its_sales(db, settings):
    d = Data()
    customer = d.enterprise("深加工应用")
    supplier = d.enterprise()
    importer = d.enterprise("贸易流通")
    d.declaration(importer, "250", direction="进口", reo_t="200")
    d.invoice(importer, customer, "200")
    at_tolerance = d.enterprise("贸易流通")  # bought 100, sold 105: 5 t = 5 %, not more
    d.invoice(supplier, at_tolerance, "100")
    d.invoice(at_tolerance, customer, "105")
    beyond = d.enterprise("贸易流通")
    d.invoice(supplier, beyond, "100")
    d.invoice(beyond, customer, "105.001")
    d.invoice(beyond, customer, "999", status="作废")
    floor = d.enterprise("贸易流通")  # no inputs at all: the 1 t floor
    d.invoice(floor, customer, "1")
    smelter = d.enterprise()  # not a trader
    d.invoice(smelter, customer, "500")
    d.save(db)
    found = check(db, settings, ["R12"])
    assert fired(found, "R12") == {beyond}
    f = only(found, "R12", beyond)
    assert (f.figures["sold_t"], f.figures["inputs_t"], f.figures["excess_t"]) == (
        Decimal("105.001"), Decimal("100.000"), Decimal("5.001"))
    assert {r.table for r in f.rows} == {"invoices"}
