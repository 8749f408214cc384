"""States, actions and lights of a finding's life: pure definitions, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PENDING = "待交办"
ASSIGNED = "已交办"
RECTIFYING = "整改中"
TO_VERIFY = "待核查"
CLOSED = "已销号"
CONTESTED = "申请核销"
DISMISSED = "不予认定"
REVIEW = "需复核"

STATES: tuple[str, ...] = (PENDING, ASSIGNED, RECTIFYING, TO_VERIFY, CONTESTED, REVIEW, CLOSED, DISMISSED)
FINAL: frozenset[str] = frozenset({CLOSED, DISMISSED})
OPEN: tuple[str, ...] = tuple(s for s in STATES if s not in FINAL)

# Shown beside the state of a finding the checks no longer produce (its data were corrected).
NO_LONGER_TRIGGERED = "数据已不再触发"

# Who acts: the finding's responsible department, or whoever it was assigned to.
DEPARTMENT = "department"
ASSIGNEE = "assignee"


@dataclass(frozen=True)
class Action:
    key: str
    label: str  # what the button says, and the refusal's verb
    sources: frozenset[str]
    target: str
    side: str  # DEPARTMENT or ASSIGNEE
    needs_reason: bool = False
    needs_measures: bool = False
    takes_files: bool = False


ACTIONS: dict[str, Action] = {a.key: a for a in (
    Action("assign", "交办", frozenset({PENDING}), ASSIGNED, DEPARTMENT),
    Action("start", "签收并开始整改", frozenset({ASSIGNED}), RECTIFYING, ASSIGNEE),
    Action("report", "报送整改情况", frozenset({RECTIFYING}), TO_VERIFY, ASSIGNEE, needs_measures=True,
           takes_files=True),
    Action("verify", "核查销号", frozenset({TO_VERIFY}), CLOSED, DEPARTMENT),
    Action("return", "退回重新整改", frozenset({TO_VERIFY}), RECTIFYING, DEPARTMENT, needs_reason=True),
    Action("contest", "申请核销", frozenset({ASSIGNED, RECTIFYING}), CONTESTED, ASSIGNEE, needs_reason=True,
           takes_files=True),
    Action("approve", "同意核销（不予认定）", frozenset({CONTESTED}), DISMISSED, DEPARTMENT, needs_reason=True),
    Action("reject", "驳回核销申请", frozenset({CONTESTED}), RECTIFYING, DEPARTMENT, needs_reason=True),
    # Only a finding the checks no longer produce; the reason is NO_LONGER_TRIGGERED.
    Action("close_stale", "按“数据已不再触发”销号", frozenset(OPEN), CLOSED, DEPARTMENT),
    Action("reopen", "重新整改", frozenset({REVIEW}), RECTIFYING, DEPARTMENT, needs_reason=True),
    Action("reconfirm", "复核后维持销号", frozenset({REVIEW}), CLOSED, DEPARTMENT, needs_reason=True),
)}

# Written by the sync alone (the command line's principal), never offered to a person.
FOUND = "found"
FLAG_REVIEW = "flag_review"
UNTRIGGERED = "untriggered"
RETRIGGERED = "retriggered"
LINK = "link"
SYSTEM_ACTIONS: dict[str, str] = {
    FOUND: "发现", FLAG_REVIEW: "证据变化，标记需复核", UNTRIGGERED: NO_LONGER_TRIGGERED,
    RETRIGGERED: "数据再次触发", LINK: "关联处罚案件或举报线索", "measures": "更新整改措施（台账上传）",
}


def action_label(key: str) -> str:
    """How the history names an action."""
    if key in ACTIONS:
        return ACTIONS[key].label
    return SYSTEM_ACTIONS.get(key, key)


RED = "red"
AMBER = "amber"
GREEN = "green"
LIGHT_LABELS = {RED: "逾期", AMBER: "临期", GREEN: "期限内", None: ""}


# The states in which the assignee still owes the rectification: only these run against the deadline.
DUE: tuple[str, ...] = (ASSIGNED, RECTIFYING)


def light(state: str, deadline: dt.date | None, today: dt.date, amber_days: int) -> str | None:
    """Red past the deadline, amber within amber_days of it, green before; none once reported or closed."""
    if state not in DUE or deadline is None:
        return None
    if today > deadline:
        return RED
    if (deadline - today).days <= amber_days:
        return AMBER
    return GREEN
