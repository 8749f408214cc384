"""Form input in the domain layer: as strict as the importer, the forms' own rules, multi-row saves, conflicts.

Every test runs on SQLite and PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from auth_support import OTHER, OWN, PRINCIPALS, E, make_uscc, seed
from entry_support import audit_entries, rows
from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.core.principal import Principal, Role
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry import forms, records
from supervision.entry.forms import FormRow
from supervision.entry.writes import RowWrite, WriteConflict, save_row, save_rows
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload

GXJ = PRINCIPALS["工信局"]
TOWN = PRINCIPALS["浮桥镇人员"]
HBJ = Principal("hbj", "生态环境局经办", Role.BUREAU, department="生态环境局")
WRITER = {"environment": HBJ}  # the department that reports each table; 工信局 for the others
TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


def _check(db: Engine, settings: Settings, table: str, raw: dict[str, Any], principal: Any = None,
           previous: dict[str, Any] | None = None) -> forms.Checked:
    principal = principal or WRITER.get(table, GXJ)
    return forms.validate(db, settings, principal, table, [raw], previous=[previous], today=TODAY)


# Each form's validation: the reason and the field it is attached to.
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # table, raw row, field blamed, words of the reason
    ("self_checks", {"uscc": E[0], "year": "2019", "problems_found": "1", "problems_rectified": "2"},
     "problems_rectified", "不能大于发现问题数"),
    ("self_checks", {"uscc": E[0], "year": "19", "problems_found": "1"}, "year", "四位数"),
    ("self_checks", {"uscc": E[0], "year": "2019", "problems_found": "-1"}, "problems_found", "不能为负数"),
    ("self_checks", {"uscc": E[0], "year": "2019", "problems_found": "1.5"}, "problems_found", "应为整数"),
    ("self_checks", {"uscc": make_uscc(77), "year": "2019"}, "uscc", "企业名录中没有"),
    ("self_checks", {"uscc": E[0][:17] + "0", "year": "2019"}, "uscc", "校验位错误"),
    ("township_reports", {"township": OWN, "year": "2019", "enterprises_total": "2", "enterprises_checked": "3"},
     "enterprises_checked", "不能大于企业总数"),
    ("township_reports", {"township": "不存在镇", "year": "2019"}, "township", "未知镇区"),
    ("inspection_scores", {"township": OWN, "year": "2019", "item_code": "A1", "score": "10.5"}, "score",
     "超过该条目分值10"),
    ("inspection_scores", {"township": OWN, "year": "2019", "item_code": "A1", "score": "8.123"}, "score",
     "小数位数过多"),
    ("inspection_scores", {"township": OWN, "year": "2019", "item_code": "Z9", "score": "1"}, "item_code",
     "没有此条目编号"),
    ("inspection_scores", {"township": OWN, "year": "2019", "item_code": "A1", "score": ""}, "score", "必填项为空"),
    # The database widths and precisions, as the importer checks them: item_code VARCHAR(20), score NUMERIC(8, 2).
    ("inspection_scores", {"township": OWN, "year": "2019", "item_code": "A" * 21, "score": "1"}, "item_code",
     "最多20个"),
    ("inspection_scores", {"township": OWN, "year": "2019", "item_code": "A1", "score": "1000000"}, "score",
     "数值过大"),
    ("tipoffs", {"tipoff_id": "JB1", "received_on": "2019-06-10", "status": "已受理", "feedback_on": "2019-06-01"},
     "feedback_on", "早于受理日期"),
    ("tipoffs", {"tipoff_id": "JB1", "received_on": "2019-02-30", "status": "已受理"}, "received_on", "日期不存在"),
    ("tipoffs", {"tipoff_id": "JB1", "received_on": "2019-06-10", "status": "办理中"}, "status", "不是允许的取值"),
    ("tipoffs", {"tipoff_id": "JB1", "received_on": "2019-06-10", "status": "已受理", "subject_uscc": "123"},
     "subject_uscc", "应为18位"),
    ("tipoffs", {"tipoff_id": "x" * 41, "received_on": "2019-06-10", "status": "已受理"}, "tipoff_id", "文本过长"),
    ("penalties", {"case_no": "CF1", "uscc": E[0], "decided_on": "2019-06-01", "fine_yuan": "100.001"}, "fine_yuan",
     "小数位数过多"),
    ("penalties", {"case_no": "CF1", "uscc": E[0], "decided_on": "2019-06-01", "fine_yuan": "-5"}, "fine_yuan",
     "不能为负数"),
    ("penalties", {"case_no": "CF1", "uscc": E[0], "decided_on": ""}, "decided_on", "必填项为空"),
    ("environment", {"record_id": "HB0000", "uscc": E[0], "recorded_on": "2019-05-01", "kind": "其他",
                     "resolved_on": "2019-04-30"}, "resolved_on", "早于发现日期"),
    ("environment", {"record_id": "HB0000", "uscc": E[0], "recorded_on": "2019-05-01", "kind": "噪声"}, "kind",
     "不是允许的取值"),
]


@pytest.mark.parametrize(("table", "raw", "field", "reason"), INVALID, ids=lambda x: x if isinstance(x, str) else "")
def test_each_forms_validation(world: dict[str, Any], db: Engine, settings: Settings, table: str,
                               raw: dict[str, Any], field: str, reason: str) -> None:
    checked = _check(db, settings, table, raw)
    assert not checked.ok
    assert field in checked.errors[0], checked.errors
    assert reason in checked.errors[0][field]
    assert not checked.form_errors


@pytest.mark.parametrize(("table", "raw", "field", "reason"), INVALID, ids=lambda x: x if isinstance(x, str) else "")
def test_a_form_refuses_exactly_what_an_upload_refuses(world: dict[str, Any], db: Engine, settings: Settings,
                                                       table: str, raw: dict[str, Any], field: str,
                                                       reason: str) -> None:
    """The same row as a CSV upload is refused on the same column with the same reason."""
    spec = TABLES_BY_KEY[table]
    columns = [c.key for c in spec.columns]
    text = ",".join(columns) + "\n" + ",".join(str(raw.get(c, "")) for c in columns) + "\n"
    report = import_package(Upload(f"{table}.csv", text.encode()), db, settings, actor="t", dry_run=True,
                            principal=WRITER.get(table, GXJ))
    assert not report.ok
    blamed = {(p.column, p.reason) for p in report.problems}
    checked = _check(db, settings, table, raw)
    assert blamed == {(key, why) for key, why in checked.errors[0].items()}


VALID: list[tuple[str, dict[str, Any]]] = [
    ("self_checks", {"uscc": E[0].lower(), "year": 2019, "submitted_on": dt.date(2019, 7, 20), "problems_found": "3",
                     "problems_rectified": "3", "description": "已整改"}),
    ("township_reports", {"township": "浮桥", "year": "2019", "submitted_on": "2019/8/10", "enterprises_total": "2",
                          "enterprises_checked": "2", "problems_found": "0", "problems_rectified": "0",
                          "cases_transferred": "0"}),
    ("inspection_scores", {"township": "港区", "year": "2019", "item_code": "A1", "score": "9.5",
                           "inspected_on": "2019年8月15日", "inspector": "督查组", "note": "扣0.5分"}),
    ("tipoffs", {"tipoff_id": " JB9001 ", "received_on": "2019-06-10", "township": OWN, "status": "已办结",
                 "resolved_on": "2019-06-20", "feedback_on": "2019-06-25", "subject_uscc": E[4]}),
    ("penalties", {"case_no": "CF9001", "uscc": E[0], "decided_on": "2019-06-01", "fine_yuan": "1,250,000.5",
                   "blacklisted_until": "2030-01-01", "violation": "R03"}),
    ("environment", {"record_id": "HB0000", "uscc": E[0], "recorded_on": "2019-05-01", "kind": "其他",
                     "resolved_on": "2019-05-30"}),
]


@pytest.mark.parametrize(("table", "raw"), VALID, ids=lambda x: x if isinstance(x, str) else "")
def test_valid_form_rows_are_parsed_like_the_importer_parses_them(world: dict[str, Any], db: Engine,
                                                                 settings: Settings, table: str,
                                                                 raw: dict[str, Any]) -> None:
    checked = _check(db, settings, table, raw)
    assert checked.ok, checked.errors
    record = checked.records[0]
    # Saved, and read back exactly as an upload of the same text would have stored it.
    writer = WRITER.get(table, GXJ)
    outcome = forms.submit(db, settings, writer, table, [FormRow(raw)], today=TODAY)
    assert outcome.ok and outcome.saved[0].action in ("insert", "update")
    spec = TABLES_BY_KEY[table]
    key = {c.key: record[c.key] for c in spec.key_columns}
    stored, version = records.load_record(db, writer, table, key) or ({}, 0)
    assert stored == record
    assert version >= 1


def test_parsed_values_are_typed_and_canonical(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    checked = _check(db, settings, "penalties", dict(VALID[4][1]))
    record = checked.records[0]
    assert record["fine_yuan"] == Decimal("1250000.50") and record["decided_on"] == dt.date(2019, 6, 1)
    checked = _check(db, settings, "inspection_scores", dict(VALID[2][1]))
    assert checked.records[0]["township"] == OWN and checked.records[0]["score"] == Decimal("9.50")
    assert checked.records[0]["inspected_on"] == dt.date(2019, 8, 15)
    checked = _check(db, settings, "tipoffs", dict(VALID[3][1]))
    assert checked.records[0]["tipoff_id"] == "JB9001"  # trimmed, as an upload trims


# The forms' own rules on top of the importer's.

def test_event_dates_may_not_lie_in_the_future(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    checked = _check(db, settings, "tipoffs", {"tipoff_id": "JB1", "received_on": tomorrow, "status": "已受理"})
    assert "不能晚于今天" in checked.errors[0]["received_on"]
    checked = _check(db, settings, "penalties", {"case_no": "CF1", "uscc": E[0], "decided_on": TODAY,
                                                 "blacklisted_until": TODAY + dt.timedelta(days=730)})
    assert checked.ok, checked.errors  # a blacklist runs into the future


def test_blacklist_may_not_end_before_the_decision(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    checked = _check(db, settings, "penalties", {"case_no": "CF1", "uscc": E[0], "decided_on": "2019-06-01",
                                                 "blacklisted_until": "2019-05-01"})
    assert checked.errors[0] == {"blacklisted_until": "黑名单截止日期早于决定日期"}


def test_tipoff_status_moves_forward_and_closing_needs_a_date(world: dict[str, Any], db: Engine,
                                                             settings: Settings) -> None:
    base = {"tipoff_id": "JB0000", "received_on": "2019-06-10", "township": OWN, "status": "已受理"}
    previous = {**base, "status": "核查中"}
    checked = _check(db, settings, "tipoffs", base, previous=previous)
    assert "不能从“核查中”退回“已受理”" in checked.errors[0]["status"]
    checked = _check(db, settings, "tipoffs", {**base, "status": "已办结"}, previous=previous)
    assert checked.errors[0] == {"resolved_on": "办理状态为“已办结”时须填写办结日期"}
    checked = _check(db, settings, "tipoffs", {**base, "status": "核查中", "resolved_on": "2019-07-01"},
                     previous=previous)
    assert checked.errors[0] == {"resolved_on": "尚未办结的线索不应填写办结日期"}
    checked = _check(db, settings, "tipoffs", {**base, "status": "已办结", "resolved_on": "2019-07-01",
                                               "feedback_on": "2019-07-02"}, previous=previous)
    assert checked.ok


def test_a_township_officer_may_only_write_their_own_townships_rows(world: dict[str, Any], db: Engine,
                                                                   settings: Settings) -> None:
    checked = _check(db, settings, "self_checks", {"uscc": E[2], "year": "2019"}, principal=TOWN)
    # Outside the officer's township, without naming whose row it is (issue 20, item 10).
    assert "不属于本镇区" in checked.errors[0][""] and "城厢镇" not in checked.errors[0][""]
    checked = _check(db, settings, "penalties", {"case_no": "CF1", "uscc": E[0], "decided_on": "2019-06-01"},
                     principal=TOWN)
    assert not checked.ok and "无权写入“行政处罚与黑名单”" in checked.form_errors[0]
    before = rows(db, "self_checks")
    outcome = forms.submit(db, settings, TOWN, "self_checks", [FormRow({"uscc": E[2], "year": "2019"})], today=TODAY)
    assert not outcome.ok and rows(db, "self_checks") == before


# Several rows in one save: all or none.

def _score(code: str, score: str, town: str = OWN) -> dict[str, Any]:
    return {"township": town, "year": "2019", "item_code": code, "score": score, "inspected_on": "2019-08-15"}


def test_a_scoring_form_saves_all_its_rows_or_none(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    versions = {(r["item_code"]): r["version"] for r in rows(db, "inspection_scores") if r["township"] == OWN}
    before = rows(db, "inspection_scores")
    bad = [FormRow(_score("A1", "9"), None, versions["A1"]), FormRow(_score("A2", "21"), None, versions["A2"])]
    outcome = forms.submit(db, settings, GXJ, "inspection_scores", bad, today=TODAY)
    assert not outcome.ok and set(outcome.checked.errors) == {1}
    assert rows(db, "inspection_scores") == before
    good = [FormRow(_score("A1", "9"), None, versions["A1"]), FormRow(_score("A2", "19.5"), None, versions["A2"])]
    outcome = forms.submit(db, settings, GXJ, "inspection_scores", good, today=TODAY)
    assert outcome.ok and [s.action for s in outcome.saved] == ["update", "update"]
    scores = {r["item_code"]: r["score"] for r in rows(db, "inspection_scores") if r["township"] == OWN}
    assert scores == {"A1": Decimal("9.00"), "A2": Decimal("19.50")}
    updates = audit_entries(db, table_name="inspection_scores", action="update")
    assert {e.record_key for e in updates} == {f"{OWN}|2019|A1", f"{OWN}|2019|A2"}
    assert all(e.actor == "工信局经办（gxj）" for e in updates)


def test_a_conflict_in_one_row_saves_none_of_them(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    versions = {r["item_code"]: r["version"] for r in rows(db, "inspection_scores") if r["township"] == OWN}
    other = PRINCIPALS["工信局"].__class__("gxj2", "另一位督查员", GXJ.role, department="工信局")
    save_row(db, other, settings.security, "inspection_scores",
             forms.validate(db, settings, other, "inspection_scores", [_score("A2", "15")], today=TODAY).records[0],
             expected_version=versions["A2"])
    stale = [FormRow(_score("A1", "1"), None, versions["A1"]), FormRow(_score("A2", "2"), None, versions["A2"])]
    outcome = forms.submit(db, settings, GXJ, "inspection_scores", stale, today=TODAY)
    assert outcome.conflict is not None and not outcome.saved
    assert outcome.conflict.key == f"{OWN}|2019|A2" and outcome.conflict.changed_by == "另一位督查员（gxj2）"
    assert "另一位督查员（gxj2）" in str(outcome.conflict) and "修改" in str(outcome.conflict)
    assert outcome.conflict.current_version == versions["A2"] + 1
    scores = {r["item_code"]: r["score"] for r in rows(db, "inspection_scores") if r["township"] == OWN}
    assert scores == {"A1": Decimal("8.00"), "A2": Decimal("15.00")}  # A1 untouched, A2 the other's


def test_registering_an_existing_key_is_a_conflict_not_a_replacement(world: dict[str, Any], db: Engine,
                                                                    settings: Settings) -> None:
    values = {"tipoff_id": "JB0000", "received_on": "2019-07-01", "township": OWN, "status": "已受理",
              "summary": "重复登记"}
    outcome = forms.submit(db, settings, TOWN, "tipoffs", [FormRow(values, create_only=True)], today=TODAY)
    assert outcome.conflict is not None
    assert "已存在" in str(outcome.conflict) and "测试数据" in str(outcome.conflict)  # the import that wrote it
    assert {r["summary"] for r in rows(db, "tipoffs") if r["tipoff_id"] == "JB0000"} == {None}


def test_a_deleted_record_cannot_be_saved_over(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    from supervision.entry.writes import delete_row

    delete_row(db, GXJ, settings.security, "penalties", {"case_no": "CF0000"})
    values = {"case_no": "CF0000", "uscc": E[0], "decided_on": dt.date(2019, 6, 1), "measure": "罚款"}
    with pytest.raises(WriteConflict, match="已被他人删除") as caught:
        save_rows(db, GXJ, settings.security, "penalties", [RowWrite(values, expected_version=1)])
    assert caught.value.changed_by == "工信局经办（gxj）" and caught.value.current_version is None
    assert not [r for r in rows(db, "penalties") if r["case_no"] == "CF0000"]


# The by-key reads of supervision.entry.records are scoped like the lists.

def test_load_record_and_history_are_scoped(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    own = {"uscc": E[0], "year": 2019}
    other = {"uscc": E[2], "year": 2019}
    assert records.load_record(db, TOWN, "self_checks", own) is not None
    assert records.load_record(db, TOWN, "self_checks", other) is None
    assert records.load_record(db, PRINCIPALS["领导"], "self_checks", other) is not None
    assert records.load_record(db, PRINCIPALS["管理员"], "self_checks", own) is None
    imported = records.record_history(db, TOWN, "self_checks", own)
    assert list(imported["操作"]) == ["导入新增"] and imported.iloc[0]["操作人"] == "测试数据"
    submitted = dt.date(2019, 7, 20)
    save_row(db, GXJ, settings.security, "self_checks", {**own, "submitted_on": submitted, "problems_found": 7})
    save_row(db, GXJ, settings.security, "self_checks", {**other, "submitted_on": submitted, "problems_found": 7})
    mine = records.record_history(db, TOWN, "self_checks", own)
    # A form's save clears the row's import batch (the row is no longer as imported); the log keeps the change.
    assert list(mine["操作"]) == ["修改"]
    assert mine.iloc[0]["原值"] == "发现问题数=0" and mine.iloc[0]["新值"] == "发现问题数=7"
    assert mine.iloc[0]["操作人"] == "工信局经办（gxj）"
    assert records.record_history(db, TOWN, "self_checks", other).empty
    assert list(records.record_history(db, PRINCIPALS["领导"], "self_checks", other)["操作"]) == ["修改"]


def test_township_totals_add_up_the_self_checks(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    save_row(db, GXJ, settings.security, "self_checks", {"uscc": E[1], "year": 2019, "problems_found": 4,
                                                         "problems_rectified": 3})
    totals = records.township_totals(db, TOWN, year=2019).set_index("township")
    assert list(totals.index) == [OWN]
    assert totals.loc[OWN].to_dict() == {"enterprises_total": 2, "enterprises_checked": 2, "problems_found": 4,
                                         "problems_rectified": 3}
    none_yet = records.township_totals(db, TOWN, year=2020).set_index("township")
    assert none_yet.loc[OWN, "enterprises_checked"] == 0 and none_yet.loc[OWN, "enterprises_total"] == 2
    status = records.self_check_status(db, PRINCIPALS["领导"], OTHER, year=2019)
    assert set(status["uscc"]) == {E[2], E[3]} and status["submitted_on"].notna().all()
