"""R13–R15: open environmental problems, missing EIA steps, overdue clean-production audits."""

from __future__ import annotations

import datetime as dt

from checks_support import D, Data, check, fired, only


def test_r13_open_or_resolved_after_the_as_of_date(db, settings):
    d = Data()
    open_ = d.enterprise()
    d.environment(open_, dt.date(2019, 3, 1))
    d.environment(open_, dt.date(2019, 4, 1), kind="放射性废渣处置不当")
    resolved_on_d = d.enterprise()
    d.environment(resolved_on_d, dt.date(2019, 3, 1), resolved_on=D)
    resolved_after_d = d.enterprise()
    d.environment(resolved_after_d, dt.date(2019, 3, 1), resolved_on=D + dt.timedelta(days=1))
    last_year = d.enterprise()
    d.environment(last_year, dt.date(2018, 12, 31))
    d.save(db)
    found = check(db, settings, ["R13"])
    assert fired(found, "R13") == {open_, resolved_after_d}
    f = only(found, "R13", open_)
    assert f.figures["open_records"] == 2
    assert f.figures["by_kind"] == {"放射性废渣处置不当": 1, "超标排放": 1}
    assert [r.table for r in f.rows] == ["environment", "environment"]


def test_r13_problem_recorded_after_the_as_of_date_was_not_yet_known(db, settings):
    d = Data()
    e = d.enterprise()
    d.environment(e, dt.date(2019, 9, 1))
    d.save(db)
    assert check(db, settings, ["R13"], as_of=dt.date(2019, 8, 31)) == []
    assert fired(check(db, settings, ["R13"], as_of=dt.date(2019, 9, 1)), "R13") == {e}


def test_r14_missing_eia_steps_for_enterprises_in_production_only(db, settings):
    d = Data()
    no_approval = d.enterprise(eia_approved=False)
    no_acceptance = d.enterprise("资源综合利用", eia_accepted=False)
    complete = d.enterprise()
    unknown = d.enterprise(eia_approved=None, eia_accepted=None)  # empty cells are not a "false"
    d.enterprise(eia_approved=False, status="停产")
    d.enterprise("资源综合利用", eia_accepted=False, status="关闭")
    d.enterprise("贸易流通", eia_approved=False)
    d.save(db)
    found = check(db, settings, ["R14"])
    assert fired(found, "R14") == {no_approval, no_acceptance}
    assert complete not in fired(found, "R14") and unknown not in fired(found, "R14")
    assert only(found, "R14", no_approval).message == "在产冶炼分离企业环保手续不全：环评批复否，环保竣工验收是"


def test_r15_clean_production_audit_729_and_731_days_before_the_as_of_date(db, settings):
    d = Data()
    recent = d.enterprise(last_clean_audit=D - dt.timedelta(days=729))
    on_limit = d.enterprise(last_clean_audit=D - dt.timedelta(days=730))
    overdue = d.enterprise("资源综合利用", last_clean_audit=D - dt.timedelta(days=731))
    never = d.enterprise(last_clean_audit=None)
    d.enterprise(last_clean_audit=None, status="停产")
    d.enterprise(last_clean_audit=D - dt.timedelta(days=731), status="关闭")
    d.enterprise("贸易流通", last_clean_audit=None)
    d.save(db)
    found = check(db, settings, ["R15"])
    assert fired(found, "R15") == {overdue, never}
    assert recent not in fired(found, "R15") and on_limit not in fired(found, "R15")
    assert only(found, "R15", overdue).figures["days_since"] == 731
