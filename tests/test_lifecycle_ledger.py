"""The 整改台账 round trip: download, change measures in two rows, upload, preview exactly those, confirm; refusals."""

from __future__ import annotations

import io

import pytest
from lifecycle_support import AS_OF, AUG, CX, GXJ, HB, SX, finding_id, record, world
from openpyxl import load_workbook

from supervision.lifecycle import ledger
from supervision.lifecycle.machine import FindingConflict, sync_findings, transition


@pytest.fixture
def rectifying(db, settings):
    ids = world(db)
    sync_findings(db, settings, 2019, AS_OF, day=AUG)
    r14 = finding_id(db, "R14", ids["cx"])
    r19 = finding_id(db, "R19", ids["cx"])
    transition(db, settings, HB, r14, "assign")
    transition(db, settings, GXJ, r19, "assign")
    transition(db, settings, CX, r14, "start")
    return {"r14": r14, "r19": r19, "r16": finding_id(db, "R16", ids["cx"])}


def _edit(data: bytes, edits: dict[int, dict[str, str]]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book[ledger.SHEET]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        fid = int(row[headers.index(ledger.ID)].value)
        for column, value in edits.get(fid, {}).items():
            row[headers.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_round_trip_changes_exactly_the_two_rows(db, settings, rectifying):
    data = ledger.workbook(db, settings, CX, 2019, AS_OF)
    sheet = load_workbook(io.BytesIO(data))[ledger.SHEET]
    listed = {int(r[0].value) for r in sheet.iter_rows(min_row=2)}
    assert {rectifying["r14"], rectifying["r19"]} <= listed
    edited = _edit(data, {rectifying["r14"]: {ledger.MEASURES: "已补办环评批复"},
                          rectifying["r19"]: {ledger.MEASURES: "已补报7至9月月报"}})
    plan = ledger.preview(db, settings, CX, edited, AS_OF)
    assert plan.ok, [str(p) for p in plan.problems]
    assert {(c.finding_id, c.old, c.new) for c in plan.changes} == {
        (rectifying["r14"], "", "已补办环评批复"), (rectifying["r19"], "", "已补报7至9月月报")}
    assert len(plan.changes) == 2 and all(c.row >= 2 for c in plan.changes)
    assert ledger.confirm(db, CX, plan, AS_OF) == 2
    assert record(db, rectifying["r14"]).measures == "已补办环评批复"
    assert record(db, rectifying["r19"]).measures == "已补报7至9月月报"
    assert ledger.preview(db, settings, CX, ledger.workbook(db, settings, CX, 2019, AS_OF), AS_OF).changes == []


def test_a_row_changed_meanwhile_is_refused_with_the_current_value(db, settings, rectifying):
    data = ledger.workbook(db, settings, CX, 2019, AS_OF)
    transition(db, settings, CX, rectifying["r14"], "report", measures="页面上报送的措施")
    edited = _edit(data, {rectifying["r14"]: {ledger.MEASURES: "台账里的措施"},
                          rectifying["r19"]: {ledger.MEASURES: "已补报月报"}})
    plan = ledger.preview(db, settings, CX, edited, AS_OF)
    assert not plan.ok
    [problem] = plan.problems
    assert problem.column == ledger.MEASURES and problem.row is not None
    assert "当前状态“待核查”" in problem.message and "当前整改措施：“页面上报送的措施”" in problem.message
    assert [c.finding_id for c in plan.changes] == [rectifying["r19"]]
    with pytest.raises(ValueError, match="台账有错误，未保存"):
        ledger.confirm(db, CX, plan, AS_OF)
    assert record(db, rectifying["r19"]).measures is None  # all or nothing


def test_a_change_after_the_preview_rolls_back_the_whole_upload(db, settings, rectifying):
    data = ledger.workbook(db, settings, CX, 2019, AS_OF)
    edited = _edit(data, {rectifying["r14"]: {ledger.MEASURES: "甲"}, rectifying["r19"]: {ledger.MEASURES: "乙"}})
    plan = ledger.preview(db, settings, CX, edited, AS_OF)
    assert plan.ok
    transition(db, settings, CX, rectifying["r19"], "start")
    with pytest.raises(FindingConflict, match="在预览后已被他人办理"):
        ledger.confirm(db, CX, plan, AS_OF)
    assert record(db, rectifying["r14"]).measures is None


def test_locked_columns_other_assignees_and_strangers_are_located(db, settings, rectifying):
    data = ledger.workbook(db, settings, HB, 2019, AS_OF)
    edited = _edit(data, {rectifying["r14"]: {"状态": "已销号", ledger.MEASURES: "部门代填"},
                          rectifying["r16"]: {ledger.MEASURES: "未交办也想填"}})
    plan = ledger.preview(db, settings, HB, edited, AS_OF)
    messages = {(p.column, p.message.split("（")[0].split("，")[0]) for p in plan.problems}
    assert ("状态", "此列不能在台账中修改") in messages
    assert any(p.column == ledger.MEASURES and "已交办给城厢镇" in p.message for p in plan.problems)
    assert any(p.column == ledger.MEASURES and "负责交办和核查" in p.message or "尚未交办" in p.message
               for p in plan.problems)
    assert all(p.row and p.row >= 2 for p in plan.problems)
    # 沙溪镇 cannot even see 城厢镇's rows: refused by number, nothing else said.
    stranger = ledger.preview(db, settings, SX, _edit(data, {rectifying["r14"]: {ledger.MEASURES: "x"}}), AS_OF)
    assert any(str(p).endswith(f"找不到问题{rectifying['r14']}，或无权查看") for p in stranger.problems)


def test_not_a_ledger_is_said_so(db, settings):
    problem = ledger.preview(db, settings, CX, b"not a workbook").problems[0]
    assert str(problem) == "文件不是有效的 Excel 工作簿（.xlsx）"
