"""R16–R19: the campaign's deadlines, tip-off feedback and monthly reporting, day by day at the limits."""

from __future__ import annotations

import dataclasses
import datetime as dt

from checks_support import D, Data, check, fired, only

from supervision.core.config import Calendar


def test_r16_self_check_on_the_deadline_day_and_the_day_after(db, settings):
    d = Data()
    on_time = d.enterprise()
    d.self_check(on_time, dt.date(2019, 7, 31))
    late = d.enterprise("资源综合利用")
    d.self_check(late, dt.date(2019, 8, 1))
    missing = d.enterprise("贸易流通")
    d.self_check(missing, dt.date(2018, 7, 1), year=2018)
    undated = d.enterprise()
    d.self_check(undated, None)
    closed = d.enterprise(status="关闭")  # the spec exempts no status from R16
    d.enterprise("深加工应用")  # not asked to fill in 附件1
    d.save(db)

    assert check(db, settings, ["R16"], as_of=dt.date(2019, 7, 31)) == []  # not past the deadline yet
    found = check(db, settings, ["R16"], as_of=dt.date(2019, 8, 1))
    assert fired(found, "R16") == {late, missing, undated, closed}
    assert only(found, "R16", late).message == "2019年企业自查表（附件1）于2019-08-01报送，比截止日期2019-07-31晚1天"
    assert only(found, "R16", late).rows[0].key == f"{late}|2019"
    assert only(found, "R16", missing).figures["days_overdue"] == 1


def test_r16_r17_bind_in_configured_campaign_years_with_their_own_deadlines(db, settings):
    d = Data()
    e = d.enterprise()
    d.self_check(e, dt.date(2021, 8, 5), year=2021)
    d.save(db)
    # No [calendar.2021] table: 2021 is no campaign year, there is no self-check or report to miss.
    assert check(db, settings, ["R16", "R17"], as_of=dt.date(2021, 12, 31), year=2021) == []

    def with_deadline(deadline: dt.date):
        years = {**settings.calendar.years,
                 2021: {**settings.calendar.for_year(2021), "self_check_deadline": deadline}}
        return dataclasses.replace(settings, calendar=Calendar(settings.calendar.default, years))

    found = check(db, with_deadline(dt.date(2021, 8, 4)), ["R16", "R17"], as_of=dt.date(2021, 9, 1), year=2021)
    assert [(f.rule, f.subject) for f in found] == [("R16", e), ("R17", "城厢镇")]
    assert check(db, with_deadline(dt.date(2021, 8, 5)), ["R16"], as_of=dt.date(2021, 9, 1), year=2021) == []


def test_r17_township_report_on_13_and_14_august(db, settings):
    d = Data()
    for town in ("城厢镇", "沙溪镇", "浏河镇"):
        d.enterprise(township=town)
    d.township_report("城厢镇", dt.date(2019, 8, 13))
    d.township_report("沙溪镇", dt.date(2019, 8, 14))
    d.township_report("浮桥镇", None)  # no enterprise there: nothing to report on
    d.save(db)
    assert check(db, settings, ["R17"], as_of=dt.date(2019, 8, 13)) == []
    found = check(db, settings, ["R17"], as_of=dt.date(2019, 8, 14))
    assert fired(found, "R17") == {"沙溪镇", "浏河镇"}
    f = only(found, "R17", "沙溪镇")
    assert f.township == "沙溪镇" and f.uscc is None
    assert f.figures["days_late"] == 1
    assert only(found, "R17", "浏河镇").message.startswith("浏河镇（辖区企业1家）截至2019-08-14未报送")


def test_r18_tipoff_answered_on_day_30_and_day_31(db, settings):
    d = Data()
    received = dt.date(2019, 3, 1)
    day_30 = d.tipoff(received, received + dt.timedelta(days=30))
    day_31 = d.tipoff(received, received + dt.timedelta(days=31))
    waiting_30 = d.tipoff(D - dt.timedelta(days=30))
    waiting_31 = d.tipoff(D - dt.timedelta(days=31))
    answered_after_d = d.tipoff(dt.date(2019, 11, 1), dt.date(2020, 1, 15))  # on D it was still unanswered
    d.tipoff(dt.date(2018, 11, 1))  # received in another year
    d.save(db)
    found = check(db, settings, ["R18"])
    assert fired(found, "R18") == {day_31, waiting_31, answered_after_d}
    assert day_30 not in fired(found, "R18") and waiting_30 not in fired(found, "R18")
    assert only(found, "R18", day_31).figures["days_to_feedback"] == 31
    assert only(found, "R18", answered_after_d).figures["days_without_feedback"] == 60
    assert only(found, "R18", waiting_31).township == "城厢镇"


def test_r19_monthly_report_due_on_the_tenth_of_the_next_month(db, settings):
    d = Data()
    complete = d.enterprise()
    d.months(complete, months=range(1, 12))
    no_november = d.enterprise("资源综合利用")
    d.months(no_november, months=range(1, 11))
    d.enterprise(status="停产")  # exempt: R19 asks only enterprises in production
    d.enterprise(status="关闭")
    d.enterprise("贸易流通")
    d.save(db)
    assert check(db, settings, ["R19"], as_of=dt.date(2019, 12, 10)) == []  # November is due on 12-10, not before
    found = check(db, settings, ["R19"], as_of=dt.date(2019, 12, 11))
    assert fired(found, "R19") == {no_november}
    f = only(found, "R19", no_november)
    assert f.figures["missing_periods"] == ["2019-11"]
    assert f.figures["months_due"] == 11
    # December's report is due on 2020-01-10: after it, both enterprises miss it.
    later = check(db, settings, ["R19"], as_of=dt.date(2020, 1, 11))
    assert fired(later, "R19") == {complete, no_november}
    assert only(later, "R19", no_november).figures["missing_periods"] == ["2019-11", "2019-12"]
