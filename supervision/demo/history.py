"""The demo's 2019 findings get a believable life, written through the lifecycle's own functions.

Recorded on 5 August (the findings as the checks give them for the whole year, so that every one can have
its story), assigned to the townships and departments in the following days, most rectified and closed
between September and November; a few left overdue, one contested and approved as a false alarm, one
returned once. A sync at the year's end then finds nothing new. Every step goes through
supervision.lifecycle.machine, so the history, the audit log and the lights are what a real campaign would leave.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Engine, Row, delete, select

from supervision.core.config import Settings
from supervision.core.principal import Principal, Role
from supervision.lifecycle import states as s
from supervision.lifecycle.machine import sync_findings, transition
from supervision.storage.models import FindingFile, FindingRecord, FindingTransition

YEAR = 2019
FOUND_ON = dt.date(2019, 8, 5)
YEAR_END = dt.date(2019, 12, 31)

MEASURES = {
    "R01": "已责令停止无计划生产，封存生产线，补报产量说明",
    "R02": "已责令停产整改，超产部分产品封存待处置",
    "W01": "已约谈企业，后续月份按剩余指标排产",
    "R03": "已终止代加工合同，收回委托方原料",
    "R04": "已补齐原料采购凭证，核减无来源产量",
    "R05": "已补开增值税专用发票并说明差异原因",
    "R06": "已在追溯系统补录产量数据",
    "R07": "已补交资源税完税证明",
    "R08": "已停止使用违规原料，原料来源改为废料",
    "R12": "已提供产品来源合同和发票",
    "R13": "已完成环保设施整改并通过现场复查",
    "R14": "已补办环评批复，竣工验收材料已报送",
    "R15": "已委托开展清洁生产审核",
    "R16": "企业已补报自查表（附件1）",
    "R17": "已补报镇（区）自查情况汇总表（附件3）",
    "R18": "承办部门已向举报人反馈查处结果",
    "R19": "企业已补报缺报月份的月报",
}


def officer(department: str | None = None, township: str | None = None) -> Principal:
    """A demo officer of a department or a township (the history names them; no account is needed)."""
    if township:
        return Principal(f"demo.{township}", f"{township}经办（演示）", Role.TOWNSHIP, township=township)
    return Principal(f"demo.{department}", f"{department}经办（演示）", Role.BUREAU, department=department)


def _assignee(row: Row[*tuple[Any, ...]]) -> Principal:
    if row.assignee_township:
        return officer(township=row.assignee_township)
    return officer(department=row.assignee_department)


def write_history(engine: Engine, settings: Settings) -> dict[str, int]:
    """Record and work through the demo's 2019 findings; returns how many findings end in each state.

    A ledger that already holds 2019 findings is left as it is (the demo's history is written once).
    """
    with engine.connect() as conn:
        if conn.execute(select(FindingRecord.id).where(FindingRecord.year == YEAR).limit(1)).first() is not None:
            return _states(engine)
    sync_findings(engine, settings, YEAR, YEAR_END, day=FOUND_ON)
    with engine.connect() as conn:
        found = list(conn.execute(select(FindingRecord.id).where(FindingRecord.year == YEAR)
                                  .order_by(FindingRecord.rule, FindingRecord.subject)).scalars())

    def row(fid: int) -> Row[*tuple[Any, ...]]:
        """The finding's columns (what a Connection returns for a mapped class, not the object)."""
        with engine.connect() as conn:
            return conn.execute(select(*FindingRecord.__table__.c).where(FindingRecord.id == fid)).one()

    def act(fid: int, action: str, day: dt.date, who: Principal | None = None, *,
            reason: str | None = None, measures: str | None = None) -> None:
        current = row(fid)
        actor = who or (_assignee(current) if s.ACTIONS[action].side == s.ASSIGNEE
                        else officer(department=current.department))
        transition(engine, settings, actor, fid, action, day=day, reason=reason, measures=measures)

    overdue = set(found[2::7][:3])  # a few left undone past their deadline
    contested = found[4] if len(found) > 4 else None
    returned = found[1] if len(found) > 1 else None
    for i, fid in enumerate(found):
        assigned = FOUND_ON + dt.timedelta(days=3 + i % 10)  # 8 to 17 August
        act(fid, "assign", assigned)
        act(fid, "start", assigned + dt.timedelta(days=2))
        if fid in overdue:
            continue
        if fid == contested:
            act(fid, "contest", assigned + dt.timedelta(days=12),
                reason="经核实企业已于2019年6月停产，所涉产量为停产前库存销售，申请核销")
            act(fid, "approve", assigned + dt.timedelta(days=30),
                reason="经现场核查及税务数据比对，情况属实，不予认定为违规")
            continue
        rule = row(fid).rule
        measures = MEASURES.get(rule, "已按要求完成整改")
        reported = dt.date(2019, 9, 2) + dt.timedelta(days=(i * 11) % 60)  # September to October
        act(fid, "report", reported, measures=measures)
        if fid == returned:
            act(fid, "return", reported + dt.timedelta(days=6), reason="整改材料不全，请补充现场照片和验收意见")
            act(fid, "report", reported + dt.timedelta(days=20), measures=measures + "；已补充现场照片和验收意见")
            reported += dt.timedelta(days=20)
        act(fid, "verify", min(reported + dt.timedelta(days=7 + i % 14), dt.date(2019, 11, 29)))
    sync_findings(engine, settings, YEAR, YEAR_END, day=YEAR_END)
    return _states(engine)


def forget_ledger(engine: Engine) -> None:
    """Empty the findings ledger (after the demo replaced every business row, its findings describe nothing)."""
    with engine.begin() as conn:
        conn.execute(delete(FindingFile))
        conn.execute(delete(FindingTransition))
        conn.execute(delete(FindingRecord))


def _states(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(Counter(conn.execute(select(FindingRecord.state).where(FindingRecord.year == YEAR)).scalars()))
