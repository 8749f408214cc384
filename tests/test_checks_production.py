"""R01–R04, R06, R07, W01: production against quota, sources, traceability and resource tax, at the boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from checks_support import Data, check, fired, only

PLAN = ("R01", "R02", "W01")


def test_r01_production_without_quota_fires_and_a_quota_row_prevents_it(db, settings):
    d = Data()
    no_quota = d.enterprise()
    d.months(no_quota, months=[3, 4], production_t="5.5")
    with_quota = d.enterprise()
    d.months(with_quota, months=[3], production_t="5")
    d.quota(with_quota, "100")
    mining_quota_only = d.enterprise()  # a 开采 quota does not allow smelting
    d.months(mining_quota_only, months=[1], production_t="1")
    d.quota(mining_quota_only, "100", kind="开采")
    last_year_quota = d.enterprise()
    d.months(last_year_quota, months=[1], production_t="1")
    d.quota(last_year_quota, "100", year=2018)
    zero_production = d.enterprise()
    d.months(zero_production, production_t="0")
    closed = d.enterprise(status="关闭")  # closed enterprises are still checked on what they reported
    d.months(closed, months=[2], production_t="0.001")
    d.save(db)

    found = check(db, settings, PLAN)
    assert fired(found, "R01") == {no_quota, mining_quota_only, last_year_quota, closed}
    f = only(found, "R01", no_quota)
    assert f.severity == "违规"
    assert f.figures["production_t"] == Decimal("11.000")
    assert f.message == "2019年无冶炼分离总量控制指标，月报冶炼分离产量合计11.00吨（2个月有产量）"
    assert [r.key for r in f.rows] == [f"{no_quota}|2019-03", f"{no_quota}|2019-04"]


def test_recycler_producing_from_scrap_without_quota_is_neither_r01_nor_r08(db, settings):
    d = Data()
    recycler = d.enterprise("资源综合利用")
    d.months(recycler, purchase_scrap_t="40", production_t="30", sales_t="30", raw_inventory_t="10")
    d.invoice(d.enterprise("深加工应用"), recycler, "20", category="SCRAP")
    d.save(db)
    assert check(db, settings, ("R01", "R08", "R02", "W01")) == []


def test_production_equal_to_quota_as_sum_of_monthly_decimals_is_w01_not_r02(db, settings):
    d = Data()
    exact = d.enterprise()
    d.months(exact, months=range(1, 12), production_t="83.333")
    d.monthly(exact, "2019-12", production_t="83.337")  # 11 × 83.333 + 83.337 = 1000.000
    d.quota(exact, "600", batch=1)
    d.quota(exact, "400.000", batch=2)
    over = d.enterprise()
    d.months(over, months=range(1, 12), production_t="83.333")
    d.monthly(over, "2019-12", production_t="83.338")  # 1000.001
    d.quota(over, "1000")
    d.save(db)

    found = check(db, settings, PLAN)
    assert fired(found, "R02") == {over}
    assert fired(found, "W01") == {exact}
    assert fired(found, "R01") == set()
    w = only(found, "W01", exact)
    assert w.severity == "预警"
    assert w.figures["production_t"] == Decimal("1000.000") == w.figures["quota_t"]
    assert w.figures["usage_pct"] == Decimal("100.0")
    assert {r.key for r in w.rows} >= {f"2019|1|{exact}|冶炼分离", f"2019|2|{exact}|冶炼分离"}
    r = only(found, "R02", over)
    assert r.figures["excess_t"] == Decimal("0.001")
    assert r.message == "2019年冶炼分离产量1000.001吨，超出指标1000.00吨（100.0%）"


def test_r02_message_carries_the_figures(db, settings):
    d = Data()
    e = d.enterprise()
    d.months(e, months=[6], production_t="1005")
    d.quota(e, "1000")
    d.save(db)
    f = only(check(db, settings, PLAN), "R02", e)
    assert f.message == "2019年冶炼分离产量1005.00吨，超出指标1000.00吨（100.5%）"


def test_w01_fires_at_ninety_percent_and_not_just_below(db, settings):
    d = Data()
    at = d.enterprise()
    d.months(at, months=[1], production_t="900")
    d.quota(at, "1000")
    below = d.enterprise()
    d.months(below, months=[1], production_t="899.999")
    d.quota(below, "1000")
    d.save(db)
    found = check(db, settings, PLAN)
    assert fired(found, "W01") == {at}
    assert fired(found, "R02") == set()
    assert only(found, "W01", at).message == "2019年冶炼分离产量900.00吨，已达指标1000.00吨的90.0%（预警线90%）"


def test_zero_quota_with_production_is_r02_without_w01(db, settings):
    d = Data()
    e = d.enterprise()
    d.months(e, months=[1], production_t="0.5")
    d.quota(e, "0")
    idle = d.enterprise()  # quota 0 and nothing produced: W01 needs quota > 0
    d.quota(idle, "0")
    d.save(db)
    found = check(db, settings, PLAN)
    assert [(f.rule, f.subject) for f in found] == [("R02", e)]
    assert "usage_pct" not in found[0].figures


def test_r03_any_toll_processing_fires(db, settings):
    d = Data()
    toll = d.enterprise()
    d.months(toll, months=[5], toll_processing_t="0.001")
    none = d.enterprise()
    d.months(none, toll_processing_t="0")
    d.save(db)
    found = check(db, settings, ["R03"])
    assert fired(found, "R03") == {toll}
    assert only(found, "R03", toll).figures["toll_processing_t"] == Decimal("0.001")


def test_r04_production_against_purchases_and_raw_stock(db, settings):
    d = Data()
    # Opening stock: the latest report before 2019 (2018-12, not 2018-06); closing: the latest in 2019.
    at_limit = d.enterprise()
    d.monthly(at_limit, "2018-06", raw_inventory_t="999")
    d.monthly(at_limit, "2018-12", raw_inventory_t="50")
    d.months(at_limit, months=range(1, 8), purchase_ore_domestic_t="10", production_t="14.571")
    d.monthly(at_limit, "2019-08", production_t="0.003", raw_inventory_t="20")
    # purchases 70 + opening 50 − closing 20 = 100; 1.02 × 100 = 102 = 7 × 14.571 + 0.003
    over = d.enterprise()
    d.monthly(over, "2018-12", raw_inventory_t="50")
    d.months(over, months=range(1, 8), purchase_compound_t="10", production_t="14.571")
    d.monthly(over, "2019-08", production_t="0.004", raw_inventory_t="20")
    mixed = d.enterprise()  # all four kinds of purchase count
    d.monthly(mixed, "2019-01", purchase_ore_domestic_t="1", purchase_ore_imported_t="1", purchase_compound_t="1",
              purchase_scrap_t="1", production_t="4.08")
    d.save(db)
    found = check(db, settings, ["R04"])
    assert fired(found, "R04") == {over}
    f = only(found, "R04", over)
    assert f.figures["sources_t"] == Decimal("100.000")
    assert f.figures["production_t"] == Decimal("102.001")
    assert f.figures["opening_raw_stock_t"] == Decimal("50.000")
    assert f.figures["opening_period"] == "2018-12"
    assert f.figures["closing_raw_stock_t"] == Decimal("20.000")
    assert f.rows[0].key == f"{over}|2018-12"


def test_r06_traceability_against_monthly_reports(db, settings):
    d = Data()
    within = d.enterprise()  # |100 − 105| = 5 = 5 % of 100: not more than the tolerance
    d.months(within, months=[1], production_t="100")
    d.trace(within, "2019-01", "105")
    beyond = d.enterprise()
    d.months(beyond, months=[1], production_t="100")
    d.trace(beyond, "2019-01", "105.001")
    small_within = d.enterprise()  # 5 % of 10 is 0.5, so the 1 t floor applies
    d.months(small_within, months=[1], production_t="10")
    d.trace(small_within, "2019-01", "9")
    trace_only = d.enterprise()
    d.trace(trace_only, "2019-02", "1.001")
    other_year = d.enterprise()
    d.months(other_year, months=[1], production_t="50")
    d.trace(other_year, "2019-01", "50")
    d.trace(other_year, "2018-12", "80")
    d.save(db)
    found = check(db, settings, ["R06"])
    assert fired(found, "R06") == {beyond, trace_only}
    f = only(found, "R06", trace_only)
    assert (f.figures["monthly_production_t"], f.figures["traceability_production_t"]) == (
        Decimal("0.000"), Decimal("1.001"))
    assert f.figures["allowed_t"] == Decimal("1.000")
    assert f.rows[0].table == "traceability"


def test_r07_domestic_ore_without_resource_tax_certificates(db, settings):
    d = Data()
    covered = d.enterprise()
    d.months(covered, months=[1, 2], purchase_ore_domestic_t="50")
    d.tax(covered, "95")
    short = d.enterprise()
    d.months(short, months=[1, 2], purchase_ore_domestic_t="50")
    d.tax(short, "94.999")
    d.tax(short, "500", issued_on=dt.date(2018, 12, 31))  # last year's does not count
    d.save(db)
    found = check(db, settings, ["R07"])
    assert fired(found, "R07") == {short}
    f = only(found, "R07", short)
    assert f.figures["gap_t"] == Decimal("5.001")
    assert f.figures["certificates"] == 1
