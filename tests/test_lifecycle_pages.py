"""The findings page's lifecycle in AppTest: my to-do list, assigning, reporting, and leaders only looking."""

from __future__ import annotations

from typing import Any

import pytest
from auth_support import add_account, new_app, sign_in
from lifecycle_support import AS_OF, AUG, CX, HB, finding_id, record, world
from page_support import click_table_row, no_exception
from sqlalchemy import Engine

from supervision.core.principal import Role
from supervision.lifecycle import states as s
from supervision.lifecycle.machine import sync_findings, transition


@pytest.fixture
def lifecycle_world(app_db: Engine, settings) -> dict[str, Any]:
    ids = world(app_db)
    sync_findings(app_db, settings, 2019, AS_OF, day=AUG)
    add_account(app_db, settings, "l.hb", Role.BUREAU, department="生态环境局", display_name="生态环境局经办")
    add_account(app_db, settings, "l.cx", Role.TOWNSHIP, township="城厢镇", display_name="城厢镇经办")
    add_account(app_db, settings, "l.lead", Role.LEADER, display_name="市领导")
    return {**ids, "fid": finding_id(app_db, "R14", ids["cx"])}


def _findings_page(username: str) -> Any:
    at = new_app()
    at.query_params["year"] = "2019"
    at = sign_in(at.run(), username)
    no_exception(at)
    at.switch_page("app_pages/findings.py").run()
    no_exception(at)
    return at


def _todo(at: Any) -> Any:
    return next(d.value for d in at.dataframe if d.proto.id.endswith("lifecycle_todo"))


def _act(at: Any, fid: int, action: str) -> Any:
    at.button_group(key=f"lifecycle_action_{fid}").set_value(action).run()
    no_exception(at)
    return at


def _submit(at: Any, label: str) -> Any:
    next(b for b in at.button if b.label == label).click().run()
    no_exception(at)
    return at


def test_a_department_officer_assigns_from_the_todo_list(app_db, settings, lifecycle_world):
    fid = lifecycle_world["fid"]
    at = _findings_page("l.hb")
    todo = _todo(at)
    assert fid in list(todo["编号"]) and set(todo["状态"]) == {s.PENDING}
    click_table_row(at, "lifecycle_todo", list(todo["编号"]).index(fid))
    no_exception(at)
    _act(at, fid, "assign")
    _submit(at, "交办")
    assert any("已交办" in m.value for m in at.success), [m.value for m in at.error]
    row = record(app_db, fid)
    assert (row.state, row.assignee_township) == (s.ASSIGNED, "城厢镇")


def test_the_township_reports_and_a_refusal_is_shown_in_chinese(app_db, settings, lifecycle_world):
    fid = lifecycle_world["fid"]
    transition(app_db, settings, HB, fid, "assign")
    transition(app_db, settings, CX, fid, "start")
    at = _findings_page("l.cx")
    todo = _todo(at)
    assert list(todo["编号"]) == [fid]
    click_table_row(at, "lifecycle_todo", 0)
    _act(at, fid, "report")
    at.text_area(key="lifecycle_measures").input("  ")  # a form sends its inputs with the submit
    _submit(at, "报送整改情况")
    assert any("报送整改情况须填写已采取的整改措施" in e.value for e in at.error)
    at.text_area(key="lifecycle_measures").input("已补办环评批复并通过验收")
    _submit(at, "报送整改情况")
    row = record(app_db, fid)
    assert (row.state, row.measures) == (s.TO_VERIFY, "已补办环评批复并通过验收")


def test_leaders_see_the_ledger_and_history_but_no_actions(app_db, settings, lifecycle_world):
    fid = lifecycle_world["fid"]
    transition(app_db, settings, HB, fid, "assign")
    at = _findings_page("l.lead")
    assert not any(d.proto.id.endswith("lifecycle_todo") for d in at.dataframe)
    ledger = next(d.value for d in at.dataframe if d.proto.id.endswith("lifecycle_ledger"))
    click_table_row(at, "lifecycle_ledger", list(ledger["编号"]).index(fid))
    no_exception(at)
    assert any("领导账号只能查看" in c.value for c in at.caption)
    assert not at.button_group
    history = next(d.value for d in at.dataframe if "办理人" in d.value.columns)
    assert list(history["新状态"]) == [s.PENDING, s.ASSIGNED]


def test_the_overview_counts_open_findings_and_a_closure_shows_at_the_next_run(app_db, settings, lifecycle_world):
    from page_support import charts, metric

    fid = lifecycle_world["fid"]
    at = new_app()
    at.query_params["year"] = "2019"
    at = sign_in(at.run(), "l.lead")
    no_exception(at)
    before = int(metric(at, "未销号问题（条）"))
    assert before > 0
    figs = charts(at)
    lifecycle = next(f for k, f in figs.items() if k.endswith("overview_lifecycle"))
    assert "问题整改情况" in lifecycle["layout"]["title"]["text"]
    for who, action, extra in ((HB, "assign", {}), (CX, "start", {}), (CX, "report", {"measures": "m"}),
                               (HB, "verify", {})):
        transition(app_db, settings, who, fid, action, **extra)
    at.run()
    no_exception(at)
    assert int(metric(at, "未销号问题（条）")) == before - 1
    burn = next(f for k, f in charts(at).items() if k.endswith("overview_burndown"))
    assert [t["name"] for t in burn["data"]] == ["本周销号", "周末未销号"]


def test_the_enterprise_profile_shows_each_findings_history(app_db, settings, lifecycle_world):
    fid = lifecycle_world["fid"]
    transition(app_db, settings, HB, fid, "assign")
    at = new_app()
    at.query_params.update({"year": "2019", "uscc": lifecycle_world["cx"]})
    at = sign_in(at.run(), "l.lead")
    at.switch_page("app_pages/enterprise.py").run()
    no_exception(at)
    assert any(m.value.startswith("**问题办理情况（问题闭环）：") for m in at.markdown)
    assert any(e.label.startswith(f"问题{fid} R14 ") and s.ASSIGNED in e.label for e in at.expander)
    history = [d.value for d in at.dataframe if "办理人" in d.value.columns]
    assert any(list(h["新状态"]) == [s.PENDING, s.ASSIGNED] for h in history)


def test_the_department_links_a_penalty_case_and_others_are_not_offered_the_link(app_db, settings, lifecycle_world):
    import datetime as dt

    from supervision.storage.models import Penalty

    fid = lifecycle_world["fid"]
    with app_db.begin() as conn:
        cases = (("太环罚〔2019〕8号", lifecycle_world["cx"]), ("太环罚〔2019〕9号", lifecycle_world["sx"]))
        for case_no, uscc in cases:
            conn.execute(Penalty.__table__.insert().values(case_no=case_no, uscc=uscc,
                                                           decided_on=dt.date(2019, 9, 1), version=1))
    at = _findings_page("l.hb")
    click_table_row(at, "lifecycle_todo", list(_todo(at)["编号"]).index(fid))
    no_exception(at)
    box = at.selectbox(key=f"lifecycle_link_case_{fid}")
    assert box.options == ["太环罚〔2019〕8号"]  # only the cases of the finding's own enterprise
    box.set_value("太环罚〔2019〕8号")
    _submit(at, "保存关联")
    assert any(f"问题{fid}已关联：处罚案件 太环罚〔2019〕8号" in m.value for m in at.success)
    assert record(app_db, fid).case_no == "太环罚〔2019〕8号"
    assert any("处罚案件：太环罚〔2019〕8号" in c.value for c in at.caption)

    transition(app_db, settings, HB, fid, "assign")
    township = _findings_page("l.cx")
    click_table_row(township, "lifecycle_todo", 0)
    no_exception(township)
    assert not any(e.label == "关联处罚案件或举报线索" for e in township.expander)
