"""R09–R11: licences and export declarations, at the boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from checks_support import Data, check, fired, only


def test_r09_licence_used_exactly_to_its_quantity_does_not_fire_and_one_kilogram_more_does(db, settings):
    d = Data()
    holder = d.enterprise("贸易流通")
    exact = d.license(holder, "100")
    d.declaration(holder, "60", license_no=exact)
    d.declaration(holder, "40", license_no=exact, declared_on=dt.date(2019, 12, 31))
    d.declaration(holder, "70", license_no=exact, declared_on=dt.date(2018, 12, 31))  # not Y: not counted
    over = d.license(holder, "100")
    d.declaration(holder, "60", license_no=over)
    d.declaration(holder, "40.001", license_no=over)
    d.save(db)
    found = check(db, settings, ["R09"])
    assert fired(found, "R09") == {over}
    f = only(found, "R09", over)
    assert (f.figures["licensed_t"], f.figures["declared_t"], f.figures["declarations"]) == (
        Decimal("100.000"), Decimal("100.001"), 2)
    assert f.uscc == holder
    assert f.rows[0].table == "licenses" and f.rows[0].key == over
    assert [r.table for r in f.rows[1:]] == ["customs", "customs"]


def test_r09_declaration_the_day_after_the_licence_expires(db, settings):
    d = Data()
    holder = d.enterprise("贸易流通")
    on_last_day = d.license(holder, "100", valid_to=dt.date(2019, 6, 30))
    d.declaration(holder, "10", license_no=on_last_day, declared_on=dt.date(2019, 6, 30))
    day_after = d.license(holder, "100", valid_to=dt.date(2019, 6, 30))
    late = d.declaration(holder, "10", license_no=day_after, declared_on=dt.date(2019, 7, 1))
    before_start = d.license(holder, "100", valid_from=dt.date(2019, 3, 1))
    d.declaration(holder, "10", license_no=before_start, declared_on=dt.date(2019, 2, 28))
    d.save(db)
    found = check(db, settings, ["R09"])
    assert fired(found, "R09") == {day_after, before_start}
    f = only(found, "R09", day_after)
    assert f.figures["outside_validity"] == 1
    assert any(r.key == late and "不在有效期内" in r.label for r in f.rows)


def test_r09_licence_used_by_another_enterprise_or_in_the_other_direction(db, settings):
    d = Data()
    holder, other = d.enterprise("贸易流通"), d.enterprise("贸易流通")
    borrowed = d.license(holder, "100")
    d.declaration(other, "5", license_no=borrowed)
    reversed_ = d.license(holder, "100", direction="出口")
    d.declaration(holder, "5", license_no=reversed_, direction="进口")
    d.save(db)
    found = check(db, settings, ["R09"])
    assert fired(found, "R09") == {borrowed, reversed_}
    assert only(found, "R09", borrowed).figures["by_other_enterprises"] == 1
    assert only(found, "R09", reversed_).figures["wrong_direction"] == 1


def test_r10_export_without_a_known_licence(db, settings):
    d = Data()
    e = d.enterprise("贸易流通")
    licence = d.license(e, "100")
    ok = d.declaration(e, "1", license_no=licence)
    empty = d.declaration(e, "1", license_no=None)
    blank = d.declaration(e, "1", license_no="")
    unknown = d.declaration(e, "1", license_no="LIC-NOWHERE")
    d.declaration(e, "1", license_no=None, direction="进口")  # imports are not R10's concern
    d.declaration(e, "1", license_no=None, declared_on=dt.date(2018, 5, 1))  # another year
    d.save(db)
    found = check(db, settings, ["R10"])
    assert fired(found, "R10") == {empty, blank, unknown}
    assert ok not in fired(found, "R10")
    assert "LIC-NOWHERE在许可证数据中不存在" in only(found, "R10", unknown).message
    assert only(found, "R10", empty).uscc == e


def test_r11_export_without_inspection(db, settings):
    d = Data()
    e = d.enterprise("贸易流通")
    inspected = d.declaration(e, "1", inspection_no="CIQ-2019-1")
    missing = d.declaration(e, "1", inspection_no=None)
    d.declaration(e, "1", inspection_no=None, direction="进口")
    d.save(db)
    found = check(db, settings, ["R11"])
    assert fired(found, "R11") == {missing}
    assert inspected not in fired(found, "R11")
    f = only(found, "R11", missing)
    assert f.rows[0].table == "customs" and f.rows[0].key == missing
