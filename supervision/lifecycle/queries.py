"""The finding lifecycle's reads: the ledger, my to-do list, a finding's history and files, counts per township.

Every read is scoped (supervision.access.scope): a township officer sees the findings about its enterprises
and those assigned to it, nothing else; a file is served only to those who may see its finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Date, Engine, and_, case, func, literal, or_, select

from supervision.access.scope import scoped
from supervision.core.clock import to_local
from supervision.core.config import Settings
from supervision.core.findings import RULES_BY_ID
from supervision.core.principal import Principal, Role, is_system
from supervision.lifecycle import states as s
from supervision.lifecycle.machine import FindingNotFound, may_see
from supervision.storage.models import FindingFile, FindingRecord, FindingTransition, Penalty, Tipoff

F = FindingRecord

LEDGER_COLUMNS: tuple[str, ...] = (
    "id", "rule", "rule_name", "severity", "subject", "enterprise_name", "township", "state", "triggered",
    "department", "assignee", "deadline", "light", "assigned_on", "reported_on", "closed_on", "measures", "reason",
    "case_no", "tipoff_id", "first_seen", "version", "message",
)
"""Columns of ledger(): id (the finding's number), rule, rule_name, severity, subject, enterprise_name, township
(of the subject), state (待交办…), triggered (False: 数据已不再触发), department (assigns and verifies), assignee
(township or department), deadline, light (red/amber/green/None), assigned_on, reported_on, closed_on, measures,
reason (latest return/contest/closing reason), case_no, tipoff_id, first_seen, version, message."""


def _local(at: dt.datetime) -> dt.datetime:
    return to_local(at)


def row_record(r: Any, today: dt.date, amber_days: int) -> dict[str, Any]:
    return {
        "id": r.id, "rule": r.rule, "rule_name": RULES_BY_ID[r.rule].name if r.rule in RULES_BY_ID else r.rule,
        "severity": r.severity, "subject": r.subject, "enterprise_name": r.enterprise_name, "township": r.township,
        "state": r.state, "triggered": bool(r.triggered), "department": r.department,
        "assignee": r.assignee_township or r.assignee_department, "deadline": r.deadline,
        "light": s.light(r.state, r.deadline, today, amber_days), "assigned_on": r.assigned_on,
        "reported_on": r.reported_on, "closed_on": r.closed_on, "measures": r.measures, "reason": r.reason,
        "case_no": r.case_no, "tipoff_id": r.tipoff_id, "first_seen": r.first_seen, "version": r.version,
        "message": r.message,
    }


def _frame(rows: Sequence[Any], today: dt.date, amber_days: int) -> pd.DataFrame:
    return pd.DataFrame([row_record(r, today, amber_days) for r in rows], columns=list(LEDGER_COLUMNS))


def ledger(engine: Engine, settings: Settings, principal: Principal, year: int, today: dt.date, *,
           state: str | None = None, township: str | None = None, uscc: str | None = None) -> pd.DataFrame:
    """The year's findings the principal may see, in rule order then subject; LEDGER_COLUMNS."""
    stmt = select(F).where(F.year == year)
    if state == s.NO_LONGER_TRIGGERED:
        stmt = stmt.where(F.triggered.is_(False))
    elif state:
        stmt = stmt.where(F.state == state)
    if uscc:
        stmt = stmt.where(F.uscc == uscc)
    stmt = scoped(stmt, F, principal, township).order_by(F.rule, F.subject)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = _frame(rows, today, settings.findings.amber_days)
    order = {r: i for i, r in enumerate(RULES_BY_ID)}
    return frame.sort_values(["rule", "subject"], key=lambda c: c.map(order) if c.name == "rule" else c,
                             kind="stable").reset_index(drop=True)


def finding(engine: Engine, settings: Settings, principal: Principal, finding_id: int,
            today: dt.date) -> dict[str, Any]:
    """One finding as a ledger record; FindingNotFound when absent or not the principal's to see."""
    with engine.connect() as conn:
        row = conn.execute(select(F).where(F.id == finding_id)).first()
    if row is None or not may_see(principal, row):
        raise FindingNotFound(f"找不到编号为 {finding_id} 的问题，或无权查看")
    return {**row_record(row, today, settings.findings.amber_days), "assignee_township": row.assignee_township,
            "assignee_department": row.assignee_department}


def todo(engine: Engine, settings: Settings, principal: Principal, today: dt.date,
         year: int | None = None) -> pd.DataFrame:
    """What waits for this officer, oldest first (by when it entered its state); LEDGER_COLUMNS + waiting_since."""
    if principal.role is Role.TOWNSHIP and principal.township:
        cond = and_(F.assignee_township == principal.township, F.state.in_(s.DUE))
    elif principal.role is Role.BUREAU and principal.department:
        dept = principal.department
        cond = or_(
            and_(F.department == dept, F.state.in_((s.PENDING, s.TO_VERIFY, s.CONTESTED, s.REVIEW))),
            and_(F.department == dept, F.triggered.is_(False), F.state.in_(s.OPEN)),
            and_(F.assignee_department == dept, F.state.in_(s.DUE)),
        )
    elif is_system(principal):
        cond = F.state.in_(s.OPEN)
    else:
        cond = literal(False)
    stmt = select(F).where(cond)
    if year is not None:
        stmt = stmt.where(F.year == year)
    stmt = scoped(stmt, F, principal).order_by(F.state_since, F.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = _frame(rows, today, settings.findings.amber_days)
    frame["waiting_since"] = [_local(r.state_since).date() for r in rows]
    return frame


HISTORY_COLUMNS = ("finding_id", "day", "at", "actor", "action", "from_state", "to_state", "note", "files")


def history(engine: Engine, principal: Principal, finding_ids: list[int]) -> pd.DataFrame:
    """The transitions of these findings (those the principal may see), oldest first; HISTORY_COLUMNS."""
    if not finding_ids:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    visible = scoped(select(F.id).where(F.id.in_(finding_ids)), F, principal)
    t = FindingTransition
    files = (select(FindingFile.transition_id, func.count().label("n"))
             .where(FindingFile.finding_id.in_(visible)).group_by(FindingFile.transition_id).subquery())
    stmt = (select(t, files.c.n).outerjoin(files, files.c.transition_id == t.id)
            .where(t.finding_id.in_(visible)).order_by(t.finding_id, t.id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([{
        "finding_id": r.finding_id, "day": r.day, "at": _local(r.at).strftime("%Y-%m-%d %H:%M"), "actor": r.actor,
        "action": s.action_label(r.action), "from_state": r.from_state, "to_state": r.to_state, "note": r.note,
        "files": int(r.n or 0),
    } for r in rows], columns=list(HISTORY_COLUMNS))


FILE_COLUMNS = ("id", "finding_id", "filename", "kind", "size", "sha256", "uploaded_by", "uploaded_at")


def files(engine: Engine, principal: Principal, finding_id: int) -> pd.DataFrame:
    """The evidence files of a finding the principal may see (metadata only); FILE_COLUMNS."""
    visible = scoped(select(F.id).where(F.id == finding_id), F, principal)
    ff = FindingFile
    stmt = (select(ff.id, ff.finding_id, ff.filename, ff.kind, ff.size, ff.sha256, ff.uploaded_by, ff.uploaded_at)
            .where(ff.finding_id.in_(visible)).order_by(ff.id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([{**r._asdict(), "uploaded_at": _local(r.uploaded_at).strftime("%Y-%m-%d %H:%M")}
                         for r in rows], columns=list(FILE_COLUMNS))


@dataclass(frozen=True)
class StoredFile:
    filename: str
    media_type: str
    sha256: str
    content: bytes


def download(engine: Engine, principal: Principal, file_id: int) -> StoredFile:
    """An evidence file's bytes, for those who may see its finding; FindingNotFound otherwise (no hint it exists)."""
    visible = scoped(select(F.id), F, principal)
    stmt = select(FindingFile).where(FindingFile.id == file_id, FindingFile.finding_id.in_(visible))
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        raise FindingNotFound(f"找不到编号为 {file_id} 的附件，或无权下载")
    return StoredFile(row.filename, row.media_type, row.sha256, bytes(row.content))


@dataclass(frozen=True)
class OutcomeChoices:
    case_nos: list[str]
    tipoff_ids: list[str]


def outcome_choices(engine: Engine, principal: Principal, finding_id: int) -> OutcomeChoices:
    """The penalty cases and tip-offs about the finding's subject enterprise that could be linked as its outcome."""
    with engine.connect() as conn:
        row = conn.execute(select(F.subject, F.township).where(F.id == finding_id)).first()
        if row is None:
            raise FindingNotFound(f"找不到编号为 {finding_id} 的问题，或无权查看")
        cases = conn.execute(scoped(select(Penalty.case_no).where(Penalty.uscc == row.subject), Penalty, principal)
                             .order_by(Penalty.decided_on.desc(), Penalty.case_no)).scalars().all()
        tips = conn.execute(scoped(select(Tipoff.tipoff_id).where(Tipoff.subject_uscc == row.subject), Tipoff,
                                   principal).order_by(Tipoff.received_on.desc(), Tipoff.tipoff_id)).scalars().all()
    return OutcomeChoices(list(cases), list(tips))


COUNT_COLUMNS = ("township", "found", "open", "due", "overdue", "closed", "dismissed")


def township_counts(engine: Engine, principal: Principal, year: int, today: dt.date,
                    township: str | None = None) -> pd.DataFrame:
    """Per township (of the assignee, else of the subject; a department when it rectifies itself): found, open,
    due (open and being rectified: 已交办/整改中), overdue (due and past the deadline), closed (已销号), dismissed."""
    town = func.coalesce(F.assignee_township, F.township, F.department).label("township")
    due = literal(today, Date)
    counts: Any = select(
        town,
        func.count().label("found"),
        func.sum(case((F.state.in_(s.OPEN), 1), else_=0)).label("open"),
        func.sum(case((F.state.in_(s.DUE), 1), else_=0)).label("due"),
        func.sum(case((and_(F.state.in_(s.DUE), F.deadline < due), 1), else_=0)).label("overdue"),
        func.sum(case((F.state == s.CLOSED, 1), else_=0)).label("closed"),
        func.sum(case((F.state == s.DISMISSED, 1), else_=0)).label("dismissed"),
    ).where(F.year == year)
    stmt = scoped(counts, F, principal, township).group_by(town).order_by(town)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame([r._asdict() for r in rows], columns=list(COUNT_COLUMNS))
    for c in COUNT_COLUMNS[1:]:
        frame[c] = frame[c].fillna(0).astype(int)
    return frame


def state_counts(engine: Engine, principal: Principal, year: int, township: str | None = None) -> dict[str, int]:
    """How many of the year's findings are in each state (every state present, zero when none)."""
    per_state: Any = select(F.state, func.count()).where(F.year == year)
    stmt = scoped(per_state, F, principal, township).group_by(F.state)
    with engine.connect() as conn:
        got = {state: int(n) for state, n in conn.execute(stmt)}
    return {state: got.get(state, 0) for state in s.STATES}


def summary_line(engine: Engine, principal: Principal, year: int, today: dt.date,
                 township: str | None = None) -> str:
    """"发现N条，已销号M条，整改中K条，逾期J条" for the meeting pack."""
    counts = township_counts(engine, principal, year, today, township)
    states = state_counts(engine, principal, year, township)
    found = int(counts["found"].sum())
    closed = states[s.CLOSED]  # 不予认定 (a false alarm approved) is an ending, not a rectification
    return (f"发现{found}条，已销号{closed}条，整改中{states[s.RECTIFYING]}条，"
            f"逾期{int(counts['overdue'].sum())}条")


def burndown(engine: Engine, principal: Principal, year: int, start: dt.date, end: dt.date,
             township: str | None = None) -> pd.DataFrame:
    """Open findings at each week's end (Sundays from start to end) and the closures in that week.

    Columns: week_end, open, closed_in_week. A finding is open at day W when first recorded on or before W and
    not closed (已销号/不予认定) on or before W; the counts come from the database, one query per week.
    """
    weeks: list[dt.date] = []
    day = start + dt.timedelta(days=(6 - start.weekday()) % 7)
    while day <= end:
        weeks.append(day)
        day += dt.timedelta(days=7)
    if not weeks or weeks[-1] != end:
        weeks.append(end)
    out = []
    base = scoped(select(func.count()).select_from(F).where(F.year == year), F, principal, township)
    with engine.connect() as conn:
        previous = start - dt.timedelta(days=1)
        for w in weeks:
            wd = literal(w, Date)
            open_ = conn.execute(base.where(F.first_seen <= wd,
                                            or_(F.closed_on.is_(None), F.closed_on > wd))).scalar_one()
            closed = conn.execute(base.where(F.closed_on > literal(previous, Date), F.closed_on <= wd)).scalar_one()
            out.append({"week_end": w, "open": int(open_), "closed_in_week": int(closed)})
            previous = w
    return pd.DataFrame(out, columns=["week_end", "open", "closed_in_week"])


ANNEX3_COLUMNS = ("township", "found", "rectified", "cases")


def annex3(engine: Engine, principal: Principal, year: int, as_of: dt.date,
           township: str | None = None) -> pd.DataFrame:
    """附件3's figures from the lifecycle, per township of the subject: 发现问题数 (recorded by D, not 不予认定),
    已整改数 (已销号 by D), 移送案件数 (distinct penalty cases linked as the outcome)."""
    d = literal(as_of, Date)
    stmt: Any = select(
        F.township,
        func.sum(case((and_(F.first_seen <= d, F.state != s.DISMISSED), 1), else_=0)).label("found"),
        func.sum(case((and_(F.state == s.CLOSED, F.closed_on <= d), 1), else_=0)).label("rectified"),
        func.count(F.case_no.distinct()).label("cases"),
    ).where(F.year == year, F.township.is_not(None))
    stmt = scoped(stmt, F, principal, township).group_by(F.township).order_by(F.township)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame([r._asdict() for r in rows], columns=list(ANNEX3_COLUMNS))
    for c in ANNEX3_COLUMNS[1:]:
        frame[c] = frame[c].fillna(0).astype(int)
    return frame
