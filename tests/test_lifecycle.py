"""The finding lifecycle: sync, the state machine by role, refusals in Chinese, review flags and concurrency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from lifecycle_support import AS_OF, AUG, CX, GXJ, HB, LEADER, PNG, SX, finding_id, pdf, record, world
from sqlalchemy import select, update

from supervision.access.permissions import PermissionDenied
from supervision.core.principal import SYSTEM
from supervision.lifecycle import queries
from supervision.lifecycle import states as s
from supervision.lifecycle.files import Upload
from supervision.lifecycle.machine import (
    FindingConflict,
    FindingNotFound,
    TransitionRefused,
    link_outcome,
    sync_findings,
    transition,
)
from supervision.storage.models import AuditEntry, Enterprise, Penalty


def _sync(db, settings, day=AUG):
    return sync_findings(db, settings, 2019, AS_OF, day=day)


def _r14(db, settings):
    ids = world(db)
    _sync(db, settings)
    return ids, finding_id(db, "R14", ids["cx"])


def test_sync_records_each_finding_once_with_its_department(db, settings):
    ids = world(db)
    first = _sync(db, settings)
    assert first.new == first.produced > 0
    again = _sync(db, settings)
    assert (again.new, again.untriggered, again.review) == (0, 0, 0)
    r14 = record(db, finding_id(db, "R14", ids["cx"]))
    assert (r14.state, r14.department, r14.township, r14.first_seen) == (s.PENDING, "生态环境局", "城厢镇", AUG)
    assert record(db, finding_id(db, "R19", ids["cx"])).department == "工信局"
    # R17 is led by the township: 工信局 (the coordinator) assigns and verifies, the township rectifies.
    r17 = record(db, finding_id(db, "R17", "城厢镇"))
    assert r17.department == "工信局"
    with db.connect() as conn:
        actions = list(conn.execute(select(AuditEntry.action, AuditEntry.record_key)
                                    .where(AuditEntry.table_name == "findings")))
    assert actions == [("sync", "2019")]  # the second sync changed nothing and wrote nothing


def test_the_whole_life_by_the_right_roles_is_audited_old_to_new(db, settings):
    ids, fid = _r14(db, settings)
    out = transition(db, settings, HB, fid, "assign", expected_version=1, day=AUG)
    row = record(db, fid)
    assert (out.state, row.assignee_township, row.deadline) == (s.ASSIGNED, "城厢镇", AUG + dt.timedelta(days=30))
    transition(db, settings, CX, fid, "start", expected_version=out.version, day=AUG)
    transition(db, settings, CX, fid, "report", measures="已补办环评批复", files=[pdf()], day=dt.date(2019, 9, 10))
    transition(db, settings, HB, fid, "verify", day=dt.date(2019, 9, 20))
    row = record(db, fid)
    assert (row.state, row.closed_on, row.measures) == (s.CLOSED, dt.date(2019, 9, 20), "已补办环评批复")
    assert row.version == 5
    hist = queries.history(db, CX, [fid])
    assert list(hist["to_state"]) == [s.PENDING, s.ASSIGNED, s.RECTIFYING, s.TO_VERIFY, s.CLOSED]
    assert list(hist["files"]) == [0, 0, 0, 1, 0]
    with db.connect() as conn:
        entries = list(conn.execute(select(AuditEntry).where(AuditEntry.action == "transition")
                                    .order_by(AuditEntry.id)))
    assert [(e.old_values["state"], e.new_values["state"]) for e in entries] == [
        (s.PENDING, s.ASSIGNED), (s.ASSIGNED, s.RECTIFYING), (s.RECTIFYING, s.TO_VERIFY), (s.TO_VERIFY, s.CLOSED)]
    assert entries[0].record_key == f"R14|{ids['cx']}|2019" and entries[0].actor == "生态环境局经办（l.hb）"
    assert entries[2].new_values["files"][0].startswith("整改报告.pdf（SHA-256 ")


def test_return_contest_approve_and_reject(db, settings):
    ids, fid = _r14(db, settings)
    transition(db, settings, HB, fid, "assign")
    transition(db, settings, CX, fid, "start")
    transition(db, settings, CX, fid, "report", measures="已整改")
    transition(db, settings, HB, fid, "return", reason="缺少验收材料")
    assert (record(db, fid).state, record(db, fid).reason) == (s.RECTIFYING, "缺少验收材料")
    transition(db, settings, CX, fid, "contest", reason="该企业已于6月停产", files=[pdf("停产证明.pdf")])
    transition(db, settings, HB, fid, "reject", reason="停产证明不足")
    assert record(db, fid).state == s.RECTIFYING
    transition(db, settings, CX, fid, "contest", reason="补充停产公告")
    transition(db, settings, HB, fid, "approve", reason="经核实企业已停产，不予认定")
    row = record(db, fid)
    assert (row.state, row.reason) == (s.DISMISSED, "经核实企业已停产，不予认定")
    other = finding_id(db, "R14", ids["sx"])
    transition(db, settings, HB, other, "assign", assignee_department="生态环境局")
    transition(db, settings, HB, other, "start")  # a department can be the assignee of its own finding
    assert record(db, other).state == s.RECTIFYING


@pytest.mark.parametrize(("who", "action", "expected"), [
    (LEADER, "assign", "领导账号只能查看问题，不能交办"),
    (GXJ, "assign", "该问题由生态环境局负责交办和核查，工信局的账号不能交办"),
    (CX, "assign", "该问题由生态环境局负责交办和核查，镇区人员不能交办"),
])
def test_wrong_role_or_department_is_refused_in_chinese(db, settings, who, action, expected):
    _, fid = _r14(db, settings)
    with pytest.raises(PermissionDenied, match=expected):
        transition(db, settings, who, fid, action)
    assert record(db, fid).state == s.PENDING


def test_other_township_and_other_department_cannot_act_as_assignee(db, settings):
    ids, fid = _r14(db, settings)
    transition(db, settings, HB, fid, "assign")
    with pytest.raises(FindingNotFound, match="无权查看"):
        transition(db, settings, SX, fid, "start")  # another township's finding: as if it did not exist
    refused = "该问题已交办给城厢镇，由其报送整改情况；生态环境局的账号不能签收并开始整改"
    with pytest.raises(PermissionDenied, match=refused):
        transition(db, settings, HB, fid, "start")
    with pytest.raises(PermissionDenied, match="领导账号只能查看问题"):
        transition(db, settings, LEADER, fid, "start")
    # A finding about a 城厢镇 enterprise assigned to 沙溪镇 (the township that holds the site, say):
    other = finding_id(db, "R19", ids["cx"])
    transition(db, settings, GXJ, other, "assign", assignee_township="沙溪镇")
    with pytest.raises(PermissionDenied, match="该问题已交办给沙溪镇，城厢镇的账号只能办理交办给本镇区的问题"):
        transition(db, settings, CX, other, "start")
    transition(db, settings, SX, other, "start")


def test_states_refuse_what_they_do_not_allow(db, settings):
    _, fid = _r14(db, settings)
    with pytest.raises(TransitionRefused, match="该问题当前为“待交办”，不能核查销号"):
        transition(db, settings, HB, fid, "verify")
    transition(db, settings, HB, fid, "assign")
    transition(db, settings, CX, fid, "start")
    with pytest.raises(TransitionRefused, match="报送整改情况须填写已采取的整改措施"):
        transition(db, settings, CX, fid, "report", measures="  ")
    transition(db, settings, CX, fid, "report", measures="已整改")
    with pytest.raises(TransitionRefused, match="退回重新整改须填写理由"):
        transition(db, settings, HB, fid, "return")
    with pytest.raises(TransitionRefused, match="数据仍在触发"):
        transition(db, settings, HB, fid, "close_stale")
    transition(db, settings, HB, fid, "verify")
    for action in ("reopen", "return", "reject"):
        with pytest.raises(TransitionRefused, match="该问题已已销号，不能直接改回整改中|不能直接改回整改中"):
            transition(db, settings, HB, fid, action, reason="再看看")
    assert record(db, fid).state == s.CLOSED


def test_data_corrected_closes_in_one_step_and_a_new_trigger_asks_for_review(db, settings):
    ids, fid = _r14(db, settings)
    transition(db, settings, HB, fid, "assign")
    with db.begin() as conn:
        conn.execute(update(Enterprise).where(Enterprise.uscc == ids["cx"]).values(eia_approved=True))
    result = _sync(db, settings, dt.date(2019, 9, 1))
    assert result.untriggered == 1
    row = record(db, fid)
    assert (row.triggered, row.state, row.untriggered_on) == (False, s.ASSIGNED, dt.date(2019, 9, 1))
    assert list(queries.ledger(db, settings, HB, 2019, AS_OF, state=s.NO_LONGER_TRIGGERED)["id"]) == [fid]
    transition(db, settings, HB, fid, "close_stale")
    assert (record(db, fid).state, record(db, fid).reason) == (s.CLOSED, s.NO_LONGER_TRIGGERED)
    with db.begin() as conn:
        conn.execute(update(Enterprise).where(Enterprise.uscc == ids["cx"]).values(eia_approved=False))
    result = _sync(db, settings, dt.date(2019, 10, 1))
    assert (result.retriggered, result.review) == (1, 1)
    assert (record(db, fid).state, record(db, fid).triggered) == (s.REVIEW, True)
    transition(db, settings, HB, fid, "reopen", reason="数据再次触发")
    assert record(db, fid).state == s.RECTIFYING


def test_closed_finding_whose_evidence_changes_is_flagged_for_review(db, settings):
    ids, fid = _r14(db, settings)
    for who, action, extra in ((HB, "assign", {}), (CX, "start", {}), (CX, "report", {"measures": "m"}),
                               (HB, "verify", {})):
        transition(db, settings, who, fid, action, **extra)
    assert _sync(db, settings).review == 0  # the same evidence: stays closed
    with db.begin() as conn:
        conn.execute(update(Enterprise).where(Enterprise.uscc == ids["cx"]).values(eia_accepted=False))
    assert _sync(db, settings).review == 1
    assert record(db, fid).state == s.REVIEW
    transition(db, settings, HB, fid, "reconfirm", reason="验收手续另案办理，维持销号")
    assert record(db, fid).state == s.CLOSED


def test_a_stale_version_is_told_who_got_there_first(db, settings):
    _, fid = _r14(db, settings)
    transition(db, settings, HB, fid, "assign", expected_version=1)
    with pytest.raises(FindingConflict, match="已被他人办理，当前状态为“已交办”.*“生态环境局经办（l.hb）”交办") as info:
        transition(db, settings, HB, fid, "assign", expected_version=1)
    assert info.value.current_version == 2


def test_concurrent_transitions_one_wins_the_other_is_told(db, settings):
    _, fid = _r14(db, settings)
    transition(db, settings, HB, fid, "assign")
    transition(db, settings, CX, fid, "start")
    transition(db, settings, CX, fid, "report", measures="m")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(action: str, reason: str | None) -> None:
        barrier.wait()
        try:
            transition(db, settings, HB, fid, action, expected_version=4, reason=reason)
            outcomes.append(action)
        except FindingConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=act, args=("verify", None)),
               threading.Thread(target=act, args=("return", "补充材料"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2 and "conflict" in outcomes
    winner = next(o for o in outcomes if o != "conflict")
    assert record(db, fid).state == (s.CLOSED if winner == "verify" else s.RECTIFYING)
    assert record(db, fid).version == 5


def test_enforcement_outcome_links_an_existing_case(db, settings):
    ids, fid = _r14(db, settings)
    with db.begin() as conn:
        conn.execute(Penalty.__table__.insert().values(case_no="太环罚〔2019〕8号", uscc=ids["cx"],
                                                       decided_on=dt.date(2019, 9, 1), version=1))
    with pytest.raises(TransitionRefused, match="处罚案件“无此案”不存在"):
        link_outcome(db, HB, fid, case_no="无此案")
    with pytest.raises(PermissionDenied):
        link_outcome(db, CX, fid, case_no="太环罚〔2019〕8号")
    link_outcome(db, HB, fid, case_no="太环罚〔2019〕8号")
    assert record(db, fid).case_no == "太环罚〔2019〕8号"


def test_outcome_choices_are_the_subjects_own_cases_within_the_officers_scope(db, settings):
    ids, fid = _r14(db, settings)
    with db.begin() as conn:
        for case_no, uscc in (("太环罚〔2019〕8号", ids["cx"]), ("太环罚〔2019〕9号", ids["sx"])):
            conn.execute(Penalty.__table__.insert().values(case_no=case_no, uscc=uscc,
                                                           decided_on=dt.date(2019, 9, 1), version=1))
    assert queries.outcome_choices(db, HB, fid) == queries.OutcomeChoices(["太环罚〔2019〕8号"], [])
    assert queries.outcome_choices(db, CX, fid).case_nos == ["太环罚〔2019〕8号"]
    assert queries.outcome_choices(db, SX, fid) == queries.OutcomeChoices([], [])  # another township's case


def test_todo_lists_oldest_first_for_each_officer(db, settings):
    ids, fid = _r14(db, settings)
    other = finding_id(db, "R19", ids["cx"])
    transition(db, settings, GXJ, other, "assign", day=dt.date(2019, 8, 5))
    transition(db, settings, HB, fid, "assign", day=dt.date(2019, 8, 25))
    mine = queries.todo(db, settings, CX, AS_OF)
    assert list(mine["id"]) == [other, fid]
    assert set(mine["light"]) == {s.RED}
    assert fid not in set(queries.todo(db, settings, HB, AS_OF)["id"])  # waits for the township now
    assert queries.todo(db, settings, LEADER, AS_OF).empty
    assert queries.todo(db, settings, SX, AS_OF)["id"].tolist() == []


def test_counts_burndown_and_the_meeting_line(db, settings):
    ids, fid = _r14(db, settings)
    transition(db, settings, HB, fid, "assign", day=dt.date(2019, 8, 21), deadline=dt.date(2019, 9, 30))
    transition(db, settings, CX, fid, "start", day=dt.date(2019, 8, 22))
    transition(db, settings, CX, fid, "report", measures="m", day=dt.date(2019, 9, 2))
    transition(db, settings, HB, fid, "verify", day=dt.date(2019, 9, 3))
    late = finding_id(db, "R14", ids["sx"])
    transition(db, settings, HB, late, "assign", day=dt.date(2019, 8, 21), deadline=dt.date(2019, 9, 20))
    counts = queries.township_counts(db, LEADER, 2019, AS_OF).set_index("township")
    assert counts.loc["沙溪镇", "overdue"] == 1 and counts.loc["城厢镇", "closed"] == 1
    assert queries.township_counts(db, CX, 2019, AS_OF)["township"].tolist() == ["城厢镇"]
    total = int(counts["found"].sum())
    line = queries.summary_line(db, LEADER, 2019, AS_OF)
    assert line == f"发现{total}条，已销号1条，整改中0条，逾期1条"
    burn = queries.burndown(db, LEADER, 2019, dt.date(2019, 8, 19), dt.date(2019, 9, 8))
    assert burn["week_end"].tolist() == [dt.date(2019, 8, 25), dt.date(2019, 9, 1), dt.date(2019, 9, 8)]
    assert burn["open"].tolist() == [total, total, total - 1]
    assert burn["closed_in_week"].tolist() == [0, 0, 1]


def test_the_command_line_principal_may_do_everything(db, settings):
    _, fid = _r14(db, settings)
    transition(db, settings, SYSTEM, fid, "assign")
    transition(db, settings, SYSTEM, fid, "start")
    assert record(db, fid).state == s.RECTIFYING


def test_assign_checks_its_inputs(db, settings):
    _, fid = _r14(db, settings)
    with pytest.raises(TransitionRefused, match="镇区“火星镇”不在本市镇区名录中"):
        transition(db, settings, HB, fid, "assign", assignee_township="火星镇")
    with pytest.raises(TransitionRefused, match="早于交办日期"):
        transition(db, settings, HB, fid, "assign", day=AUG, deadline=AUG - dt.timedelta(days=1))
    short = dataclasses.replace(settings, findings=dataclasses.replace(settings.findings, violation_days=10))
    transition(db, short, HB, fid, "assign", day=AUG)
    assert record(db, fid).deadline == AUG + dt.timedelta(days=10)
    with pytest.raises(TransitionRefused, match="不需要上传附件"):
        transition(db, settings, CX, fid, "start", files=[Upload("a.png", PNG)])
