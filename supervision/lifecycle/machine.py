"""The finding lifecycle's writes: recording what the checks find, and every transition, checked and audited.

Each call is one transaction: the finding, its history row, its evidence files and the audit entry (old → new)
commit together or not at all. Who may do what is decided here, not by the pages:
- the finding's department (局办人员 of [findings.lead_departments]) assigns, verifies, returns, decides contests,
  closes what no longer triggers and reopens what needs review;
- the assignee (镇区人员 of the assigned township, or 局办人员 of the assigned department) starts, reports and
  contests;
- 领导 see everything and change nothing; the command line (SYSTEM) may do everything.
Concurrent transitions on one finding: the update requires the version read, so one wins and the other is told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from supervision.access import audit
from supervision.access.permissions import PermissionDenied
from supervision.access.scope import reads_business_data
from supervision.checks import run_checks
from supervision.core.clock import local_tz, to_local, today_local
from supervision.core.config import LEAD_TIPOFF, LEAD_TOWNSHIP, Settings
from supervision.core.findings import Finding
from supervision.core.keys import jsonable, record_key
from supervision.core.principal import SYSTEM, Principal, Role, is_system
from supervision.lifecycle import states as s
from supervision.lifecycle.files import CheckedFile, Upload, check_upload
from supervision.storage.models import (
    DataVersion,
    FindingFile,
    FindingRecord,
    FindingTransition,
    Penalty,
    Tipoff,
    Township,
)

F = FindingRecord
LIFECYCLE_VERSION_ID = 2  # data_version row counting lifecycle changes (migration 0004)

# Figures that move with the as-of date alone; a change in them is not a change of the evidence.
_AS_OF_FIGURES = frozenset({"as_of", "days_overdue", "days_without_feedback", "months_due", "last_due_date"})

# Departments as tip-offs and penalties name them → the departments accounts belong to.
_DEPARTMENT_ALIASES = {"工业和信息化局": "工信局", "市场监督管理局": "市场监管局"}


class FindingNotFound(LookupError):
    """No finding with this id (message in Chinese)."""


class TransitionRefused(ValueError):
    """The finding's state or the input does not allow this transition; the message (Chinese) says why."""


class FindingConflict(Exception):
    """Someone else changed the finding since it was read; the message (Chinese) names the current state."""

    def __init__(self, message: str, *, current_state: str, current_version: int) -> None:
        super().__init__(message)
        self.current_state = current_state
        self.current_version = current_version


@dataclass(frozen=True)
class Outcome:
    finding_id: int
    state: str
    version: int


@dataclass(frozen=True)
class SyncResult:
    year: int
    as_of: dt.date
    produced: int  # findings the checks produce now
    new: int
    untriggered: int
    retriggered: int
    review: int


def local_today() -> dt.date:
    return today_local()


def stamp(day: dt.date) -> dt.datetime:
    """The moment recorded for a business day: now when it is today, else that day's noon (local)."""
    now = dt.datetime.now(dt.UTC)
    if day == now.astimezone(local_tz()).date():
        return now
    return dt.datetime.combine(day, dt.time(12, 0), local_tz()).astimezone(dt.UTC)


def bump_lifecycle_version(conn: Connection) -> None:
    """Mark that findings changed (row 2 of data_version); call inside the writing transaction."""
    done = conn.execute(update(DataVersion).where(DataVersion.id == LIFECYCLE_VERSION_ID)
                        .values(version=DataVersion.version + 1, changed_at=dt.datetime.now(dt.UTC)))
    if done.rowcount == 0:
        conn.execute(insert(DataVersion).values(id=LIFECYCLE_VERSION_ID, version=1,
                                                changed_at=dt.datetime.now(dt.UTC)))


def lifecycle_version(engine: Engine) -> int:
    """The lifecycle's change counter: part of the cache key of every findings view."""
    with engine.connect() as conn:
        value = conn.execute(select(DataVersion.version).where(DataVersion.id == LIFECYCLE_VERSION_ID)).scalar()
    return int(value or 0)


def normalise_department(settings: Settings, name: str | None) -> str | None:
    """A department as written in a tip-off ("市工业和信息化局") → an account's department ("工信局"), or None."""
    if not name:
        return None
    known = settings.security.departments
    text = name.strip()
    for candidate in (text, text.removeprefix("市")):
        candidate = _DEPARTMENT_ALIASES.get(candidate, candidate)
        if candidate in known:
            return candidate
    return next((d for d in known if text.endswith(d)), None)


def responsible(settings: Settings, f: Finding) -> tuple[str, str | None, str | None]:
    """(department that assigns and verifies, default assignee township, default assignee department)."""
    fs = settings.findings
    lead = fs.lead_departments.get(f.rule, fs.coordinator)
    if lead == LEAD_TOWNSHIP:
        return fs.coordinator, f.township, None if f.township else fs.coordinator
    if lead == LEAD_TIPOFF:
        dept = normalise_department(settings, f.figures.get("department")) or fs.coordinator
        return dept, None, dept
    # 107号 二、三: the townships 落实 (put right) what the departments lead; without a township, the department.
    return lead, f.township, None if f.township else lead


def fingerprint(f: Finding) -> str:
    """SHA-256 of the evidence behind a finding: its source rows and the figures that do not move with D."""
    figures = {k: jsonable(v) for k, v in sorted(f.figures.items()) if k not in _AS_OF_FIGURES}
    rows = sorted((r.table, r.key, r.label) for r in f.rows)
    text = json.dumps({"figures": figures, "rows": rows}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def finding_key(rule: str, subject: str, year: int) -> str:
    """How the audit log names a finding."""
    return record_key((rule, subject, year))


def write_history(conn: Connection, finding_id: int, at: dt.datetime, day: dt.date, actor: Principal | str,
             action: str, old: str | None, new: str, note: str | None) -> int:
    result = conn.execute(insert(FindingTransition).values(
        finding_id=finding_id, at=at, day=day, actor=audit.actor_label(actor), action=action,
        from_state=old, to_state=new, note=note))
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


def sync_findings(engine: Engine, settings: Settings, year: int, as_of: dt.date, *,
                  day: dt.date | None = None) -> SyncResult:
    """Record new findings of the year as of D, and flag those the checks no longer (or again) produce."""
    found = run_checks(engine, settings, year, as_of, SYSTEM)
    day = day or local_today()
    at = stamp(day)
    counts = {"new": 0, "untriggered": 0, "retriggered": 0, "review": 0}
    with engine.begin() as conn:
        existing = {(r.rule, r.subject): r for r in conn.execute(
            select(F.id, F.rule, F.subject, F.year, F.state, F.fingerprint, F.message, F.triggered, F.reason,
                   F.version).where(F.year == year))}
        new_rows: list[dict[str, Any]] = []
        texts: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for f in found:
            key = (f.rule, f.subject)
            if key in seen:
                continue
            seen.add(key)
            fp = fingerprint(f)
            old = existing.get(key)
            if old is None:
                department, town, dept = responsible(settings, f)
                new_rows.append({
                    "rule": f.rule, "subject": f.subject, "year": year, "severity": f.severity, "uscc": f.uscc,
                    "enterprise_name": f.enterprise_name, "township": f.township, "message": f.message,
                    "fingerprint": fp, "triggered": True, "first_seen": day, "state": s.PENDING,
                    "state_since": at, "department": department, "assignee_township": None,
                    "assignee_department": None, "tipoff_id": f.subject if f.rule == "R18" else None,
                    "version": 1, "updated_at": at,
                })
                continue
            if not old.triggered:
                reopen = old.state in s.FINAL and old.reason == s.NO_LONGER_TRIGGERED
                _flag(conn, old, at, day, s.RETRIGGERED, s.REVIEW if reopen else old.state, True, fp, f.message,
                      f"{as_of:%Y-%m-%d} 的检查再次发现该问题")
                counts["retriggered"] += 1
                counts["review"] += reopen
            elif old.state in s.FINAL and old.fingerprint != fp:
                _flag(conn, old, at, day, s.FLAG_REVIEW, s.REVIEW, True, fp, f.message,
                      "销号后该问题的证据数据发生变化，需重新核查")
                counts["review"] += 1
            elif old.fingerprint != fp or old.message != f.message:
                texts.append({"fid": old.id, "m": f.message, "fp": fp})
        for key, old in existing.items():
            if key not in seen and old.triggered:
                _flag(conn, old, at, day, s.UNTRIGGERED, old.state, False, old.fingerprint, old.message,
                      f"{as_of:%Y-%m-%d} 的检查不再发现该问题（数据已更正）")
                counts["untriggered"] += 1
        if texts:
            # The as-of wording changes every day; the state and version stay, so no open form conflicts.
            conn.execute(update(F).where(F.id == bindparam("fid"))
                         .values(message=bindparam("m"), fingerprint=bindparam("fp")), texts)
        if new_rows:
            conn.execute(insert(F), new_rows)
            ids = {(r.rule, r.subject): r.id for r in conn.execute(
                select(F.id, F.rule, F.subject).where(F.year == year))}
            conn.execute(insert(FindingTransition), [{
                "finding_id": ids[(r["rule"], r["subject"])], "at": at, "day": day,
                "actor": audit.actor_label(SYSTEM), "action": s.FOUND, "from_state": None, "to_state": s.PENDING,
                "note": f"{as_of:%Y-%m-%d} 的检查发现",
            } for r in new_rows if (r["rule"], r["subject"]) in ids])
            counts["new"] = len(new_rows)
        if any(counts.values()):
            audit.record(conn, SYSTEM, "sync", "findings", str(year), None,
                         {"as_of": as_of, "produced": len(seen), **counts}, at=at)
            bump_lifecycle_version(conn)
    return SyncResult(year, as_of, len(seen), counts["new"], counts["untriggered"], counts["retriggered"],
                      counts["review"])


def _flag(conn: Connection, old: Any, at: dt.datetime, day: dt.date, action: str, state: str,
          triggered: bool, fp: str, message: str, note: str) -> None:
    values: dict[str, Any] = {"triggered": triggered, "untriggered_on": None if triggered else day,
                              "fingerprint": fp, "message": message, "version": old.version + 1, "updated_at": at}
    if state != old.state:
        values.update(state=state, state_since=at)
    if state == s.REVIEW:
        values["closed_on"] = None  # open again until reconfirmed or rectified
    done = conn.execute(update(F).where(F.id == old.id, F.version == old.version).values(**values))
    if done.rowcount != 1:
        return  # a person changed it meanwhile; the next sync looks again
    write_history(conn, old.id, at, day, SYSTEM, action, old.state, state, note)
    audit.record(conn, SYSTEM, "transition", "findings", finding_key(old.rule, old.subject, old.year),
                 {"state": old.state, "triggered": old.triggered}, {"state": state, "triggered": triggered}, at=at)


def may_see(principal: Principal, row: Any) -> bool:
    """Whether the principal may see this finding (and its files): township officers only their township's."""
    if not reads_business_data(principal):
        return False
    own = principal.township_scope
    return own is None or own in (row.township, row.assignee_township)


def assignee_label(row: Any) -> str:
    return row.assignee_township or row.assignee_department or "未交办"


def refusal(principal: Principal, row: Any, action: s.Action) -> str | None:
    """Why the principal may not take this action on this finding, or None. The state is checked apart."""
    if is_system(principal):
        return None
    if principal.role is Role.LEADER:
        return f"领导账号只能查看问题，不能{action.label}"
    if principal.role not in (Role.BUREAU, Role.TOWNSHIP):
        return f"{principal.role.value}账号不能办理问题"
    if action.side == s.DEPARTMENT:
        if principal.role is Role.BUREAU and principal.department == row.department:
            return None
        who = "镇区人员" if principal.role is Role.TOWNSHIP else f"{principal.department or '未设部门'}的账号"
        return f"该问题由{row.department}负责交办和核查，{who}不能{action.label}"
    if row.assignee_township is None and row.assignee_department is None:
        return f"该问题尚未交办，不能{action.label}"
    if principal.role is Role.TOWNSHIP:
        if row.assignee_township and principal.township == row.assignee_township:
            return None
        return f"该问题已交办给{assignee_label(row)}，{principal.township}的账号只能办理交办给本镇区的问题"
    if row.assignee_department and principal.department == row.assignee_department:
        return None
    return (f"该问题已交办给{assignee_label(row)}，由其报送整改情况；"
            f"{principal.department or '未设部门'}的账号不能{action.label}")


def state_refusal(row: Any, action: s.Action) -> str | None:
    """Why the finding's state does not allow the action, or None."""
    if action.key == "close_stale" and row.triggered:
        return "该问题的数据仍在触发，不能按“数据已不再触发”销号"
    if row.state in action.sources:
        return None
    if row.state in s.FINAL and action.target == s.RECTIFYING:
        return (f"该问题已{row.state}，不能直接改回整改中：只有销号后证据数据发生变化、"
                f"被标记为“{s.REVIEW}”的问题才能重新整改")
    allowed = "、".join(f"“{x}”" for x in sorted(action.sources, key=s.STATES.index))
    return f"该问题当前为“{row.state}”，不能{action.label}（仅{allowed}的问题可以）"


def _load_for(conn: Connection, principal: Principal, finding_id: int, act: s.Action,
              expected_version: int | None) -> Any:
    """The finding, once the principal may take `act` on it and nobody has changed it since they looked."""
    row = _load(conn, principal, finding_id)
    why = refusal(principal, row, act)
    if why:
        raise PermissionDenied(why)
    if expected_version is not None and row.version != expected_version:
        raise _conflict(conn, row)
    return row


def _load(conn: Connection, principal: Principal, finding_id: int) -> Any:
    row = conn.execute(select(F).where(F.id == finding_id)).first()
    if row is None or not may_see(principal, row):
        # Another township's finding is answered as if it did not exist: not even its existence leaks.
        raise FindingNotFound(f"找不到编号为 {finding_id} 的问题，或无权查看")
    return row


def _conflict(conn: Connection, row: Any) -> FindingConflict:
    last = conn.execute(select(FindingTransition.actor, FindingTransition.at, FindingTransition.action)
                        .where(FindingTransition.finding_id == row.id)
                        .order_by(FindingTransition.id.desc()).limit(1)).first()
    tail = ""
    if last is not None:
        tail = f"（最近一次：{to_local(last.at):%Y-%m-%d %H:%M} 由“{last.actor}”{s.action_label(last.action)}）"
    return FindingConflict(f"该问题在您打开后已被他人办理，当前状态为“{row.state}”{tail}，您的操作未保存",
                           current_state=row.state, current_version=row.version)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _assignment(conn: Connection, settings: Settings, row: Any, township: str | None,
                department: str | None) -> tuple[str | None, str | None]:
    if township and department:
        raise TransitionRefused("请只选择一个整改责任单位：镇区或部门")
    if not township and not department:
        # Defaults as the sync worked them out from the rule's lead.
        rule = row.rule
        lead = settings.findings.lead_departments.get(rule, settings.findings.coordinator)
        if lead == LEAD_TIPOFF or not row.township:
            return None, row.department
        return row.township, None
    if township:
        if conn.execute(select(Township.name).where(Township.name == township)).first() is None:
            raise TransitionRefused(f"镇区“{township}”不在本市镇区名录中")
        return township, None
    if department not in settings.security.departments:
        raise TransitionRefused(f"部门“{department}”不是已知的部门（{'、'.join(settings.security.departments)}）")
    return None, department


def transition(engine: Engine, settings: Settings, principal: Principal, finding_id: int, action: str, *,
               expected_version: int | None = None, day: dt.date | None = None, reason: str | None = None,
               measures: str | None = None, deadline: dt.date | None = None,
               assignee_township: str | None = None, assignee_department: str | None = None,
               files: Sequence[Upload] = ()) -> Outcome:
    """Take one action on one finding; refused with a Chinese message when the role, scope or state forbids it."""
    if action not in s.ACTIONS:
        raise TransitionRefused(f"未知的操作“{action}”")
    act = s.ACTIONS[action]
    if files and not act.takes_files:
        raise TransitionRefused(f"“{act.label}”不需要上传附件")
    checked = [check_upload(u, settings.findings.max_file_mb) for u in files]
    day = day or local_today()
    at = stamp(day)
    reason, measures = _text(reason), _text(measures)
    with engine.begin() as conn:
        row = _load_for(conn, principal, finding_id, act, expected_version)
        why = state_refusal(row, act)
        if why:
            raise TransitionRefused(why)
        if act.needs_reason and not reason:
            raise TransitionRefused(f"{act.label}须填写理由")
        if act.needs_measures and not (measures or row.measures):
            raise TransitionRefused("报送整改情况须填写已采取的整改措施")
        values: dict[str, Any] = {"state": act.target, "state_since": at, "version": row.version + 1,
                                  "updated_at": at}
        if action == "assign":
            town, dept = _assignment(conn, settings, row, assignee_township, assignee_department)
            due = deadline or day + dt.timedelta(days=settings.findings.period_days(row.severity))
            if due < day:
                raise TransitionRefused(f"整改期限 {due:%Y-%m-%d} 早于交办日期 {day:%Y-%m-%d}")
            values.update(assignee_township=town, assignee_department=dept, deadline=due, assigned_on=day)
        elif action == "report":
            values.update(reported_on=day, measures=measures or row.measures)
        elif action in ("verify", "reconfirm", "close_stale", "approve"):
            values.update(closed_on=day)
        elif action in ("reopen", "return", "reject"):
            values.update(closed_on=None)
        if action == "close_stale":
            reason = s.NO_LONGER_TRIGGERED
        if reason:
            values["reason"] = reason
        done = conn.execute(update(F).where(F.id == row.id, F.version == row.version).values(**values))
        if done.rowcount != 1:
            current = conn.execute(select(F).where(F.id == row.id)).one()
            raise _conflict(conn, current)
        note = reason or measures
        tid = write_history(conn, row.id, at, day, principal, action, row.state, act.target, note)
        names = _store_files(conn, principal, row.id, tid, checked, at)
        old = {k: getattr(row, k) for k in values if k not in ("state_since", "updated_at")}
        new = {k: v for k, v in values.items() if k not in ("state_since", "updated_at")}
        if names:
            new["files"] = names
        audit.record(conn, principal, "transition", "findings", finding_key(row.rule, row.subject, row.year),
                     old, new, at=at)
        bump_lifecycle_version(conn)
    return Outcome(row.id, act.target, row.version + 1)


def _store_files(conn: Connection, principal: Principal, finding_id: int, transition_id: int | None,
                 checked: Sequence[CheckedFile], at: dt.datetime) -> list[str]:
    for c in checked:
        conn.execute(insert(FindingFile).values(
            finding_id=finding_id, transition_id=transition_id, filename=c.filename, kind=c.kind,
            media_type=c.media_type, size=c.size, sha256=c.sha256, content=c.content, uploaded_at=at,
            uploaded_by=audit.actor_label(principal)))
    return [f"{c.filename}（SHA-256 {c.sha256[:12]}…）" for c in checked]


# Linking an enforcement outcome is the responsible department's act, in any state; not a transition.
LINK_ACTION = s.Action(s.LINK, "关联处罚案件或举报线索", frozenset(s.STATES), "", s.DEPARTMENT)


def link_outcome(engine: Engine, principal: Principal, finding_id: int, *, case_no: str | None = None,
                 tipoff_id: str | None = None, expected_version: int | None = None,
                 day: dt.date | None = None) -> Outcome:
    """Link a penalty case or a tip-off as the finding's enforcement outcome (the department's act)."""
    day = day or local_today()
    at = stamp(day)
    case_no, tipoff_id = _text(case_no), _text(tipoff_id)
    act = LINK_ACTION
    with engine.begin() as conn:
        row = _load_for(conn, principal, finding_id, act, expected_version)
        if case_no and conn.execute(select(Penalty.case_no).where(Penalty.case_no == case_no)).first() is None:
            raise TransitionRefused(f"处罚案件“{case_no}”不存在，请先在行政处罚中登记")
        if tipoff_id and conn.execute(select(Tipoff.tipoff_id).where(Tipoff.tipoff_id == tipoff_id)).first() is None:
            raise TransitionRefused(f"举报线索“{tipoff_id}”不存在")
        values = {"case_no": case_no, "tipoff_id": tipoff_id or row.tipoff_id, "version": row.version + 1,
                  "updated_at": at}
        done = conn.execute(update(F).where(F.id == row.id, F.version == row.version).values(**values))
        if done.rowcount != 1:
            raise _conflict(conn, conn.execute(select(F).where(F.id == row.id)).one())
        write_history(conn, row.id, at, day, principal, s.LINK, row.state, row.state,
                 "；".join(x for x in (f"处罚案件 {case_no}" if case_no else "",
                                        f"举报线索 {tipoff_id}" if tipoff_id else "") if x) or "取消关联")
        audit.record(conn, principal, "transition", "findings", finding_key(row.rule, row.subject, row.year),
                     {"case_no": row.case_no, "tipoff_id": row.tipoff_id},
                     {"case_no": case_no, "tipoff_id": values["tipoff_id"]}, at=at)
        bump_lifecycle_version(conn)
    return Outcome(row.id, row.state, row.version + 1)


def allowed_actions(principal: Principal, row: Any) -> list[s.Action]:
    """The actions this principal may take on this finding now (the page offers exactly these)."""
    return [a for a in s.ACTIONS.values() if refusal(principal, row, a) is None and state_refusal(row, a) is None]
