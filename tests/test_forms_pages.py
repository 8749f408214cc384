"""Each form page in AppTest: load, validate, save, the audit trail, and two officers editing the same record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from auth_support import OWN, E
from entry_support import audit_entries, entry_world, errors_text, open_page, principal_of, rows
from sqlalchemy import Engine

from supervision.core.clock import now_local
from supervision.core.config import Settings
from supervision.core.safety import md_escape
from supervision.entry.forms import local_today
from supervision.entry.writes import save_row

TODAY = local_today()


@pytest.fixture
def world(app_db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return entry_world(app_db, settings, tmp_path / "seed")


def _one(engine: Engine, table: str, **key: Any) -> dict[str, Any]:
    found = [r for r in rows(engine, table) if all(r[k] == v for k, v in key.items())]
    assert len(found) == 1, found
    return found[0]


def _history(at: Any) -> Any:
    return next(d.value for d in at.dataframe if "操作人" in d.value.columns)


# 企业自查表

def test_self_check_form_loads_validates_saves_and_audits(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_page("e.town", "app_pages/form_self_checks.py")
    assert at.selectbox(key="sc_uscc").options == ["浮桥冶炼示例有限公司（91320585789012345G）",
                                                   "浮桥贸易示例有限公司（913205854567890123）"]  # own township only
    at.selectbox(key="sc_uscc").select(E[0])
    at.selectbox(key="sc_year").select(2019).run()
    assert at.date_input(key="sc_submitted_on").value == dt.date(2019, 7, 20)  # the stored record, loaded
    assert at.text_input(key="sc_problems_found").value == "0"
    at.text_input(key="sc_problems_found").input("3")
    at.text_input(key="sc_problems_rectified").input("4")
    at.button(key="sc_submit").click().run()
    assert "已整改数：已整改数不能大于发现问题数" in errors_text(at)
    assert _one(app_db, "self_checks", uscc=E[0], year=2019)["problems_found"] == 0  # nothing saved
    assert at.text_input(key="sc_problems_rectified").value == "4"  # the input stays on screen
    at.text_input(key="sc_problems_rectified").input("2")
    at.text_area(key="sc_description").input("台账不全，已补齐两项")
    at.button(key="sc_submit").click().run()
    assert not at.error and at.success
    stored = _one(app_db, "self_checks", uscc=E[0], year=2019)
    assert (stored["problems_found"], stored["problems_rectified"], stored["version"]) == (3, 2, 2)
    entry = audit_entries(app_db, table_name="self_checks")[-1]
    assert (entry.action, entry.actor, entry.record_key) == ("update", "e.town经办（e.town）", f"{E[0]}|2019")
    assert entry.old_values == {"problems_found": 0, "problems_rectified": None, "description": None}
    assert entry.new_values == {"problems_found": 3, "problems_rectified": 2, "description": "台账不全，已补齐两项"}
    history = _history(at)
    assert history.iloc[0]["操作"] == "修改" and "发现问题数=3" in history.iloc[0]["新值"]
    # A year without a return: an empty form, saved as a new record.
    at.selectbox(key="sc_year").select(2020).run()
    assert at.text_input(key="sc_problems_found").value is None
    at.date_input(key="sc_submitted_on").set_value(dt.date(2020, 7, 15))
    at.text_input(key="sc_problems_found").input("0")
    at.button(key="sc_submit").click().run()
    assert not at.error
    assert _one(app_db, "self_checks", uscc=E[0], year=2020)["submitted_on"] == dt.date(2020, 7, 15)
    assert audit_entries(app_db, table_name="self_checks")[-1].action == "insert"


def test_a_department_that_does_not_report_a_table_has_no_such_form(app_db: Engine,
                                                                      world: dict[str, Any]) -> None:
    # Issue 18: a page a role cannot use is not in its menu (it used to open and only say "不由海关报送").
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("e.hg", "app_pages/form_self_checks.py")
    at = open_page("e.town", "app_pages/form_tipoffs.py")
    assert at.button(key="tp_submit")  # township officers do register tip-offs


# 镇（区）自查情况汇总表

def test_township_report_form_prefills_from_the_self_checks(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_page("e.town", "app_pages/form_township_reports.py")
    assert at.selectbox(key="tr_township").options == [OWN] and at.selectbox(key="tr_township").disabled
    at.selectbox(key="tr_year").select(2019).run()
    assert at.text_input(key="tr_enterprises_total").value == "2"  # the stored return
    at.button(key="tr_prefill").click().run()
    assert at.text_input(key="tr_enterprises_checked").value == "2"
    assert at.text_input(key="tr_problems_found").value == "1"  # 0 + 1 from the seeded self-checks
    at.text_input(key="tr_cases_transferred").input("1")
    at.text_input(key="tr_enterprises_checked").input("3")
    at.button(key="tr_submit").click().run()
    assert "已排查企业数：已排查企业数不能大于企业总数" in errors_text(at)
    at.text_input(key="tr_enterprises_checked").input("2")
    at.button(key="tr_submit").click().run()
    assert not at.error
    stored = _one(app_db, "township_reports", township=OWN, year=2019)
    assert (stored["enterprises_checked"], stored["problems_found"], stored["cases_transferred"]) == (2, 1, 1)
    entry = audit_entries(app_db, table_name="township_reports")[-1]
    assert entry.action == "update" and entry.new_values == {"enterprises_checked": 2, "problems_found": 1,
                                                              "problems_rectified": 0, "cases_transferred": 1}


# 举报线索

def _fill_tipoff(at: Any, **values: Any) -> None:
    for key, value in values.items():
        if key in ("received_on", "resolved_on", "feedback_on"):
            at.date_input(key=f"tp_{key}").set_value(value)
        elif key in ("status", "township"):
            at.selectbox(key=f"tp_{key}").select(value)
        elif key == "summary":
            at.text_area(key="tp_summary").input(value)
        else:
            at.text_input(key=f"tp_{key}").input(value)


def test_tipoff_registration_and_status_updates(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_page("e.town", "app_pages/form_tipoffs.py")
    assert at.selectbox(key="tp_status").value == "已受理" and at.selectbox(key="tp_township").value == OWN
    _fill_tipoff(at, tipoff_id="JB2019-201", received_on=dt.date(2019, 9, 1), channel="电话",
                 subject_name="<b>某作坊</b>", summary="夜间 [偷运](javascript:alert(1)) 矿产品")
    at.button(key="tp_submit").click().run()
    assert not at.error, errors_text(at)
    stored = _one(app_db, "tipoffs", tipoff_id="JB2019-201")
    assert stored["subject_name"] == "<b>某作坊</b>" and stored["township"] == OWN and stored["status"] == "已受理"
    assert not [m for m in at.markdown if m.proto.allow_html]
    # The same number again is refused, not merged into the first.
    _fill_tipoff(at, tipoff_id="JB2019-201", received_on=dt.date(2019, 9, 2))
    at.button(key="tp_submit").click().run()
    assert "已存在" in at.warning[0].value
    assert _one(app_db, "tipoffs", tipoff_id="JB2019-201")["received_on"] == dt.date(2019, 9, 1)
    # Follow it up: 已办结 needs 办结日期; then it is closed with the feedback date.
    at.segmented_control(key="tp_mode").set_value("更新办理情况").run()
    at.selectbox(key="tp_pick").select("JB2019-201").run()
    assert at.selectbox(key="tp_status").options == ["已受理", "核查中", "已办结"]
    assert at.text_input(key="tp_tipoff_id").disabled
    at.selectbox(key="tp_status").select("已办结")
    at.button(key="tp_submit").click().run()
    assert "办结日期：办理状态为“已办结”时须填写办结日期" in errors_text(at)
    _fill_tipoff(at, resolved_on=dt.date(2019, 9, 20), feedback_on=dt.date(2019, 8, 1))
    at.button(key="tp_submit").click().run()
    assert "反馈日期：日期早于受理日期" in errors_text(at)
    _fill_tipoff(at, feedback_on=dt.date(2019, 9, 25))
    at.button(key="tp_submit").click().run()
    assert not at.error
    stored = _one(app_db, "tipoffs", tipoff_id="JB2019-201")
    assert (stored["status"], stored["resolved_on"], stored["feedback_on"]) == (
        "已办结", dt.date(2019, 9, 20), dt.date(2019, 9, 25))
    entries = audit_entries(app_db, table_name="tipoffs", record_key="JB2019-201")
    assert [e.action for e in entries] == ["insert", "update"]
    assert entries[1].old_values == {"status": "已受理", "resolved_on": None, "feedback_on": None}
    # Closed: it leaves the list of open tip-offs; shown again, it can no longer move back.
    at.run()
    assert "JB2019-201" not in [o.split(" · ")[0] for o in at.selectbox(key="tp_pick").options]
    at.toggle(key="tp_open_only").set_value(False).run()
    at.selectbox(key="tp_pick").select("JB2019-201").run()
    assert at.selectbox(key="tp_status").options == ["已办结"]
    assert list(_history(at)["操作"]) == ["修改", "新增"]


# 督查评分

def test_scoring_form_scores_every_item_of_the_year(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_page("e.gxj", "app_pages/form_scores.py")
    at.selectbox(key="is_township").select("浏河镇").run()  # not yet inspected
    assert at.text_input(key="is_score_A1").value is None and at.text_input(key="is_score_A2").value is None
    assert at.text_input(key="is_inspector").value == "e.gxj经办"
    at.text_input(key="is_score_A1").input("10.5")
    at.text_input(key="is_score_A2").input("18")
    at.button(key="is_submit").click().run()
    assert "条目A1：得分：得分超过该条目分值10" in errors_text(at)
    assert not [r for r in rows(app_db, "inspection_scores") if r["township"] == "浏河镇"]  # all or nothing
    at.text_input(key="is_score_A1").input("9.5")
    at.text_input(key="is_note_A1").input("台账缺少一个月")
    at.button(key="is_submit").click().run()
    assert not at.error, errors_text(at)
    scores = {r["item_code"]: r for r in rows(app_db, "inspection_scores") if r["township"] == "浏河镇"}
    assert {k: r["score"] for k, r in scores.items()} == {"A1": Decimal("9.50"), "A2": Decimal("18.00")}
    assert scores["A1"]["note"] == "台账缺少一个月" and scores["A2"]["inspected_on"] == TODAY
    assert "已评2/2条，得分27.5，满分30" in at.caption[1].value
    inserted = audit_entries(app_db, table_name="inspection_scores", action="insert")
    assert {e.record_key for e in inserted} == {"浏河镇|2019|A1", "浏河镇|2019|A2"}
    # Only what changed is written again.
    at.text_input(key="is_score_A2").input("19")
    at.button(key="is_submit").click().run()
    updated = audit_entries(app_db, table_name="inspection_scores", action="update")
    assert [(e.record_key, e.old_values, e.new_values) for e in updated] == [
        ("浏河镇|2019|A2", {"score": "18"}, {"score": "19"})]
    history = _history(at)
    shown = sorted(zip(history["条目"], history["操作"], strict=True))
    assert shown == [("A1", "新增"), ("A2", "修改"), ("A2", "新增")]


# 行政处罚与黑名单

def test_penalty_form_records_a_decision_and_the_blacklist(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_page("e.gxj", "app_pages/form_penalties.py")
    at.text_input(key="pn_case_no").input("太工信罚〔2019〕9号")
    at.selectbox(key="pn_uscc").select(E[3])
    at.date_input(key="pn_decided_on").set_value(dt.date(2019, 10, 8))
    at.text_input(key="pn_fine_yuan").input("50000.005")
    at.selectbox(key="pn_violation").select("R03")
    at.selectbox(key="pn_measure").select("罚款")
    at.date_input(key="pn_blacklisted_until").set_value(TODAY + dt.timedelta(days=365))
    at.button(key="pn_submit").click().run()
    assert "罚款金额：小数位数过多（最多2位）" in errors_text(at)
    at.text_input(key="pn_fine_yuan").input("50000")
    at.button(key="pn_submit").click().run()
    assert not at.error, errors_text(at)
    stored = _one(app_db, "penalties", case_no="太工信罚〔2019〕9号")
    assert (stored["uscc"], stored["violation"], stored["fine_yuan"], stored["department"]) == (
        E[3], "R03", Decimal("50000.00"), "工信局")
    blacklist = next(d.value for d in at.dataframe if "黑名单截止日期" in d.value.columns)
    assert blacklist["案件编号"].tolist() == ["太工信罚〔2019〕9号"]
    assert audit_entries(app_db, table_name="penalties")[-1].action == "insert"
    # Edit a seeded decision.
    at.segmented_control(key="pn_mode").set_value("修改已有记录").run()
    at.selectbox(key="pn_pick").select("CF0000").run()
    assert at.selectbox(key="pn_measure").value == "罚款"
    at.selectbox(key="pn_measure").select("责令停产")
    at.button(key="pn_submit").click().run()
    assert _one(app_db, "penalties", case_no="CF0000")["measure"] == "责令停产"
    entry = audit_entries(app_db, table_name="penalties")[-1]
    assert entry.action == "update" and entry.old_values == {"measure": "罚款"}


# 环保问题整改

def test_environment_form_resolves_a_record(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_page("e.hb", "app_pages/form_environment.py")
    options = at.selectbox(key="ev_record").options
    assert len(options) == 6 and all("未整改" in o for o in options)
    at.selectbox(key="ev_record").select("HB0000").run()
    at.date_input(key="ev_resolved_on").set_value(dt.date(2019, 4, 1))
    at.button(key="ev_submit").click().run()
    assert "整改完成日期：整改完成日期早于发现日期" in errors_text(at)
    at.date_input(key="ev_resolved_on").set_value(TODAY + dt.timedelta(days=1))
    at.button(key="ev_submit").click().run()
    assert "不能晚于今天" in errors_text(at)
    at.date_input(key="ev_resolved_on").set_value(dt.date(2019, 6, 30))
    at.text_area(key="ev_description").input("废气处理设施已修复，复查合格")
    at.button(key="ev_submit").click().run()
    assert not at.error
    stored = _one(app_db, "environment", record_id="HB0000")
    assert stored["resolved_on"] == dt.date(2019, 6, 30) and stored["kind"] == "其他"  # the rest untouched
    entry = audit_entries(app_db, table_name="environment")[-1]
    assert entry.actor == "e.hb经办（e.hb）" and entry.new_values == {"resolved_on": "2019-06-30",
                                                                    "description": "废气处理设施已修复，复查合格"}
    assert "HB0000" not in [o.split(" · ")[0] for o in at.selectbox(key="ev_record").options]


# Two officers, one record.

def test_second_save_of_the_same_record_is_refused_and_keeps_the_input(app_db: Engine, settings: Settings,
                                                                        world: dict[str, Any]) -> None:
    first = open_page("e.gxj", "app_pages/form_self_checks.py")
    first.selectbox(key="sc_uscc").select(E[0])
    first.selectbox(key="sc_year").select(2019).run()
    first.text_input(key="sc_problems_found").input("6")
    # Meanwhile a colleague opens and saves the same record.
    second = open_page("e.gxj2", "app_pages/form_self_checks.py")
    second.selectbox(key="sc_uscc").select(E[0])
    second.selectbox(key="sc_year").select(2019).run()
    second.text_input(key="sc_problems_found").input("9")
    second.button(key="sc_submit").click().run()
    assert not second.error and _one(app_db, "self_checks", uscc=E[0], year=2019)["problems_found"] == 9
    first.button(key="sc_submit").click().run()
    warning = first.warning[0].value
    # Shown as literal text (markdown-escaped), naming the colleague and the time of their save.
    assert "已被他人修改" in warning and md_escape("e.gxj2经办（e.gxj2）") in warning and "仍保留" in warning
    assert md_escape(f"{now_local():%Y-%m-%d}") in warning
    assert first.text_input(key="sc_problems_found").value == "6"  # the first officer's input, on screen
    assert _one(app_db, "self_checks", uscc=E[0], year=2019)["problems_found"] == 9  # the colleague's save stands
    change = next(d.value for d in first.dataframe if "操作人" in d.value.columns)
    assert change.iloc[0]["操作人"] == "e.gxj2经办（e.gxj2）" and "发现问题数=9" in change.iloc[0]["新值"]
    # Deliberately saving over it works, and both changes are in the log.
    first.button(key="sc_overwrite").click().run()
    assert not first.error and not first.warning
    stored = _one(app_db, "self_checks", uscc=E[0], year=2019)
    assert (stored["problems_found"], stored["version"]) == (6, 3)
    updates = audit_entries(app_db, table_name="self_checks", action="update")
    assert [(e.actor, e.new_values["problems_found"]) for e in updates] == [
        ("e.gxj2经办（e.gxj2）", 9), ("e.gxj经办（e.gxj）", 6)]


def test_after_a_conflict_the_newest_data_can_be_loaded(app_db: Engine, settings: Settings,
                                                        world: dict[str, Any]) -> None:
    at = open_page("e.town", "app_pages/form_tipoffs.py")
    at.segmented_control(key="tp_mode").set_value("更新办理情况").run()
    at.selectbox(key="tp_pick").select("JB0000").run()
    at.selectbox(key="tp_status").select("核查中")
    save_row(app_db, principal_of("e.gxj"), settings.security, "tipoffs",
             {"tipoff_id": "JB0000", "received_on": dt.date(2019, 6, 10), "township": OWN, "subject_name": "某企业",
              "status": "已受理", "department": "市工信局"})
    at.button(key="tp_submit").click().run()
    assert md_escape("由“e.gxj经办（e.gxj）”修改") in at.warning[0].value
    assert at.selectbox(key="tp_status").value == "核查中"
    at.button(key="tp_reload").click().run()
    assert at.text_input(key="tp_department").value == "市工信局" and at.selectbox(key="tp_status").value == "已受理"
    at.selectbox(key="tp_status").select("核查中")
    at.button(key="tp_submit").click().run()
    assert not at.warning and _one(app_db, "tipoffs", tipoff_id="JB0000")["status"] == "核查中"
