"""Spec 1.1, section 4.1: for every rule, a finding that changes when D passes the row that decides it, beside a
near miss that does not; and at D = 12-31 the demo's findings are exactly what version 1 gave."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from checks_support import Data, check, fired, only

from supervision.checks import run_checks
from supervision.checks.export import findings_json
from supervision.demo.build import build_demo_database

day = dt.date
V1_FINDINGS = Path(__file__).parent / "data" / "findings_v1_demo.json"


def test_production_crossing_the_quota_in_september_is_r02_only_once_september_has_ended(db, settings):
    d = Data()
    crosses = d.enterprise()
    d.quota(crosses, "100")
    d.months(crosses, months=range(1, 9), production_t="10")  # 80 t to August: 80 %, no warning
    d.monthly(crosses, "2019-09", production_t="30", submitted_on=day(2019, 9, 5))  # filed early, counts at 09-30
    near = d.enterprise()  # a warning throughout: 96 t, then 99 t of 100
    d.quota(near, "100")
    d.months(near, months=range(1, 9), production_t="12")
    d.monthly(near, "2019-09", production_t="3")
    d.save(db)

    before = check(db, settings, ("R02", "W01"), day(2019, 9, 29))
    after = check(db, settings, ("R02", "W01"), day(2019, 9, 30))
    assert fired(before, "R02") == set() and fired(before, "W01") == {near}
    assert fired(after, "R02") == {crosses} and fired(after, "W01") == {near}
    assert only(after, "R02", crosses).figures["production_t"] == 110
    assert only(before, "W01", near).figures["production_t"] == 96


def test_r01_and_r03_count_a_month_only_when_it_has_ended(db, settings):
    d = Data()
    late_start = d.enterprise()  # no quota, produces from September
    d.monthly(late_start, "2019-09", production_t="5", toll_processing_t="1")
    early = d.enterprise()  # near miss: produced in August, found on both days
    d.monthly(early, "2019-08", production_t="5", toll_processing_t="1")
    d.save(db)
    before = check(db, settings, ("R01", "R03"), day(2019, 9, 29))
    after = check(db, settings, ("R01", "R03"), day(2019, 9, 30))
    assert fired(before, "R01") == fired(before, "R03") == {early}
    assert fired(after, "R01") == fired(after, "R03") == {early, late_start}


def test_r04_takes_the_closing_stock_of_the_latest_month_that_has_ended(db, settings):
    d = Data()
    stock_appears = d.enterprise()  # raw stock of unknown origin appears in August
    d.quota(stock_appears, "1000")
    d.months(stock_appears, months=range(1, 8), purchase_ore_domestic_t="10", production_t="10", raw_inventory_t="0")
    d.monthly(stock_appears, "2019-08", production_t="0", raw_inventory_t="50")
    short = d.enterprise()  # short of sources to July, covered by August's purchases
    d.quota(short, "1000")
    d.months(short, months=range(1, 8), purchase_ore_domestic_t="10", production_t="12", raw_inventory_t="0")
    d.monthly(short, "2019-08", purchase_ore_domestic_t="100", production_t="0", raw_inventory_t="0")
    d.save(db)

    at_0813 = check(db, settings, ("R04",), day(2019, 8, 13))
    at_0831 = check(db, settings, ("R04",), day(2019, 8, 31))
    assert fired(at_0813, "R04") == {short}
    f = only(at_0813, "R04", short)
    assert (f.figures["closing_period"], f.figures["production_t"], f.figures["purchases_t"]) == ("2019-07", 84, 70)
    assert fired(at_0831, "R04") == {stock_appears}
    assert only(at_0831, "R04", stock_appears).figures["closing_period"] == "2019-08"


def test_r05_an_invoice_dated_the_day_after_d_is_not_yet_issued(db, settings):
    d = Data()
    buyer = d.enterprise("深加工应用")
    seller = d.enterprise()
    d.quota(seller, "1000")
    d.months(seller, months=range(1, 8), sales_t="10")  # 70 t sold to July
    d.invoice(seller, buyer, "70", issued_on=day(2019, 7, 20))
    d.invoice(seller, buyer, "30", issued_on=day(2019, 8, 14))  # D+1
    near = d.enterprise()  # its second invoice is dated D itself: counted at D
    d.quota(near, "1000")
    d.months(near, months=range(1, 8), sales_t="10")
    d.invoice(near, buyer, "40", issued_on=day(2019, 7, 20))
    d.invoice(near, buyer, "30", issued_on=day(2019, 8, 13))
    d.save(db)
    at_d = check(db, settings, ("R05",), day(2019, 8, 13))
    next_day = check(db, settings, ("R05",), day(2019, 8, 14))
    assert fired(at_d, "R05") == set()
    assert fired(next_day, "R05") == {seller}
    assert only(next_day, "R05", seller).figures["invoiced_t"] == 100


def test_r06_traceability_of_a_month_not_yet_ended_is_not_compared(db, settings):
    d = Data()
    e = d.enterprise()
    d.quota(e, "1000")
    d.months(e, months=range(1, 9), production_t="10")
    for m in range(1, 9):
        d.trace(e, f"2019-{m:02d}", "10")
    d.trace(e, "2019-09", "50")  # the traceability system already shows September; the monthly report does not
    near = d.enterprise()  # agrees in every month
    d.quota(near, "1000")
    d.months(near, months=range(1, 10), production_t="10")
    for m in range(1, 10):
        d.trace(near, f"2019-{m:02d}", "10")
    d.save(db)
    assert fired(check(db, settings, ("R06",), day(2019, 9, 29)), "R06") == set()
    assert fired(check(db, settings, ("R06",), day(2019, 9, 30)), "R06") == {e}


def test_r07_a_certificate_counts_from_its_issue_date(db, settings):
    d = Data()
    e = d.enterprise()
    d.quota(e, "1000")
    d.monthly(e, "2019-08", purchase_ore_domestic_t="100")
    d.tax(e, "100", issued_on=day(2019, 9, 5))
    near = d.enterprise()  # certificate issued in August: covered from August's end
    d.quota(near, "1000")
    d.monthly(near, "2019-08", purchase_ore_domestic_t="100")
    d.tax(near, "100", issued_on=day(2019, 8, 20))
    d.save(db)
    assert fired(check(db, settings, ("R07",), day(2019, 9, 4)), "R07") == {e}
    assert fired(check(db, settings, ("R07",), day(2019, 9, 5)), "R07") == set()


def test_r08_and_r12_an_invoice_dated_after_d_has_not_happened(db, settings):
    d = Data()
    recycler = d.enterprise("资源综合利用")
    trader = d.enterprise("贸易流通")
    supplier = d.enterprise()
    d.invoice(supplier, recycler, "5", issued_on=day(2019, 8, 14), category="OXIDE")
    d.invoice(trader, d.enterprise("深加工应用"), "30", issued_on=day(2019, 8, 14))
    near_trader = d.enterprise("贸易流通")  # buys and sells on D: balanced on both days
    d.invoice(supplier, near_trader, "30", issued_on=day(2019, 8, 13))
    d.invoice(near_trader, d.enterprise("深加工应用"), "30", issued_on=day(2019, 8, 13))
    d.save(db)
    at_d = check(db, settings, ("R08", "R12"), day(2019, 8, 13))
    next_day = check(db, settings, ("R08", "R12"), day(2019, 8, 14))
    assert at_d == []
    assert fired(next_day, "R08") == {recycler} and fired(next_day, "R12") == {trader}


def test_r09_r10_r11_an_export_declared_after_d_is_not_yet_counted(db, settings):
    d = Data()
    holder = d.enterprise()
    lic = d.license(holder, "100")
    d.declaration(holder, "60", license_no=lic, declared_on=day(2019, 5, 1))
    d.declaration(holder, "50", license_no=lic, declared_on=day(2019, 8, 14))  # D+1: 110 t of 100
    unlicensed = d.declaration(holder, "5", license_no=None, declared_on=day(2019, 8, 14))
    uninspected = d.declaration(holder, "5", license_no=lic, inspection_no=None, declared_on=day(2019, 8, 14))
    near = d.license(holder, "100")  # near miss: 60 + 40 on D is exactly the licence
    d.declaration(holder, "60", license_no=near, declared_on=day(2019, 5, 1))
    d.declaration(holder, "40", license_no=near, declared_on=day(2019, 8, 13))
    d.save(db)
    rules = ("R09", "R10", "R11")
    at_d = check(db, settings, rules, day(2019, 8, 13))
    next_day = check(db, settings, rules, day(2019, 8, 14))
    assert at_d == []
    assert fired(next_day, "R09") == {lic}
    assert only(next_day, "R09", lic).figures["declared_t"] == 115
    assert fired(next_day, "R10") == {unlicensed} and fired(next_day, "R11") == {uninspected}


def test_r13_an_environment_record_found_or_resolved_the_day_after_d(db, settings):
    d = Data()
    found_later = d.enterprise()
    d.environment(found_later, day(2019, 8, 14))
    resolved_later = d.enterprise()
    d.environment(resolved_later, day(2019, 5, 1), day(2019, 8, 14))
    near = d.enterprise()  # resolved on D: closed at D
    d.environment(near, day(2019, 5, 1), day(2019, 8, 13))
    d.save(db)
    at_d = check(db, settings, ("R13",), day(2019, 8, 13))
    next_day = check(db, settings, ("R13",), day(2019, 8, 14))
    assert fired(at_d, "R13") == {resolved_later}
    assert fired(next_day, "R13") == {found_later}


def test_r14_and_r15_read_the_directory_as_it_is(db, settings):
    d = Data()
    no_eia = d.enterprise(eia_accepted=False)
    audit_due = d.enterprise(last_clean_audit=day(2017, 8, 13))  # 730 days before 2019-08-13: not overdue yet
    d.save(db)
    at_d = check(db, settings, ("R14", "R15"), day(2019, 8, 13))
    next_day = check(db, settings, ("R14", "R15"), day(2019, 8, 14))
    assert fired(at_d, "R14") == fired(next_day, "R14") == {no_eia}
    assert fired(at_d, "R15") == set() and fired(next_day, "R15") == {audit_due}


def test_r16_r17_a_deadline_passes_with_d(db, settings):
    d = Data()
    missing = d.enterprise()
    on_time = d.enterprise(township="浮桥镇")
    d.self_check(on_time, day(2019, 7, 31))
    d.self_check(missing, day(2019, 8, 20))  # submitted after D: not yet received at 08-14
    d.township_report("浮桥镇", day(2019, 8, 13))
    d.save(db)
    at_deadline = check(db, settings, ("R16", "R17"), day(2019, 7, 31))
    after = check(db, settings, ("R16", "R17"), day(2019, 8, 14))
    assert at_deadline == []
    assert fired(after, "R16") == {missing} and fired(after, "R17") == {"城厢镇"}
    assert "截至2019-08-14未报送" in only(after, "R16", missing).message
    late = check(db, settings, ("R16",), day(2019, 8, 20))
    assert "于2019-08-20报送" in only(late, "R16", missing).message


def test_r18_feedback_after_d_is_still_missing_on_d(db, settings):
    d = Data()
    slow = d.tipoff(day(2019, 5, 1), day(2019, 6, 15))
    near = d.tipoff(day(2019, 5, 1), day(2019, 5, 31))  # 30 days: in time
    d.save(db)
    before = check(db, settings, ("R18",), day(2019, 6, 10))
    after = check(db, settings, ("R18",), day(2019, 6, 15))
    assert fired(before, "R18") == fired(after, "R18") == {slow}
    assert only(before, "R18", slow).figures["days_without_feedback"] == 40
    assert "已40天未反馈" in only(before, "R18", slow).message
    assert only(after, "R18", slow).figures["days_to_feedback"] == 45
    assert near not in fired(after, "R18")


def test_r19_a_month_is_missing_only_after_its_due_date(db, settings):
    d = Data()
    gap = d.enterprise()
    d.months(gap, months=range(1, 7))
    near = d.enterprise()
    d.months(near, months=range(1, 8))
    d.save(db)
    assert fired(check(db, settings, ("R19",), day(2019, 8, 10)), "R19") == set()
    after = check(db, settings, ("R19",), day(2019, 8, 11))
    assert fired(after, "R19") == {gap}
    assert only(after, "R19", gap).figures["missing_periods"] == ["2019-07"]


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_at_the_year_end_every_rule_gives_what_version_1_gave(db, settings, year):
    """The demo's findings at 12-31 (every message, figure and evidence row) as version 1 produced them."""
    build_demo_database(db, settings)
    expected = json.loads(V1_FINDINGS.read_text(encoding="utf-8"))[str(year)]
    found = json.loads(findings_json(run_checks(db, settings, year, day(year, 12, 31))))
    assert found == expected
