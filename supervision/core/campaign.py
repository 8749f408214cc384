"""The campaign calendar of one year as phases and milestones, and where a given day falls in it.

The dates come from configuration (`[calendar.<year>]` or `[calendar.default]`);
2019's are those of 太政办〔2019〕107号 五.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from supervision.core.config import Settings

# How close (in days) an open deadline must be to turn amber rather than green.
AMBER_DAYS = 7


@dataclass(frozen=True)
class Step:
    """A phase (start < end) or a milestone (start == end) of the campaign."""

    key: str
    name: str
    start: dt.date
    end: dt.date
    clause: str

    @property
    def is_milestone(self) -> bool:
        return self.start == self.end


def steps(settings: Settings, year: int) -> list[Step]:
    """自查, 督查, 镇区上报, 市汇总, 年度总结 for the year, in calendar order."""
    c = settings.calendar.for_year(year)
    out = [
        Step("self_check", "企业自查", c["self_check_start"], c["self_check_deadline"], "107号 五(十二)"),
        Step("inspection", "专项督查", c["inspection_start"], c["inspection_end"], "107号 五(十三)"),
        Step("township_report", "镇区上报汇总表", c["township_report_deadline"], c["township_report_deadline"],
             "107号 五(十四)"),
        Step("city_summary", "市工信局汇总上报", c["city_summary_deadline"], c["city_summary_deadline"],
             "107号 五(十四)"),
        Step("annual_summary", "年度工作总结", c["annual_summary_deadline"], c["annual_summary_deadline"],
             "107号 五"),
    ]
    return sorted(out, key=lambda s: (s.start, s.end))


@dataclass(frozen=True)
class Position:
    """Where a day falls in the year's campaign."""

    phase: str  # the phase under way, or the stage between phases
    next_step: Step | None
    days_to_next: int | None

    def countdown(self, *, short: bool = False) -> str:
        """"距…（日期）还有N天" ("距…N天" when short), or "…今天截止" on the day itself, not "还有0天"."""
        step = self.next_step
        if step is None:
            return "本年度节点均已过"
        when = "" if short else f"（{step.end:%m月%d日}）"
        if self.days_to_next == 0:
            return f"{step.name}{when}今天截止"
        return f"距{step.name}{when}{'' if short else '还有'}{self.days_to_next}天"


def position(settings: Settings, year: int, as_of: dt.date) -> Position:
    """The phase under way on `as_of` and the next deadline still ahead of it."""
    all_steps = steps(settings, year)
    current = [s for s in all_steps if not s.is_milestone and s.start <= as_of <= s.end]
    ahead = [s for s in all_steps if s.end >= as_of]
    next_step = min(ahead, key=lambda s: s.end) if ahead else None
    if current:
        phase = "、".join(s.name for s in current)
    elif as_of < all_steps[0].start:
        phase = "未开始"
    elif next_step is None:
        phase = "已结束"
    else:
        phase = "节点之间"
    days = (next_step.end - as_of).days if next_step is not None else None
    return Position(phase, next_step, days)


ON_TIME = "按时"
LATE = "逾期提交"
MISSING = "逾期未交"
DUE_SOON = "临近截止"
NOT_DUE = "未到期"
NOT_REQUIRED = "无需报送"  # nobody owes this submission (no subject, or not a campaign year)
# 红黄绿灯: missing after the deadline is red; late, or due within AMBER_DAYS, is amber; the rest green
# (the colours are supervision.reporting.charts.STATUS_COLORS).


def submission_status(submitted_on: dt.date | None, deadline: dt.date, as_of: dt.date) -> str:
    """On time, late, missing, due soon or not yet due, judged on `as_of`.

    A submission dated after `as_of` did not exist yet on that day, so it counts as absent
    (the same reading as checks R16/R17).
    """
    seen = submitted_on if submitted_on is not None and submitted_on <= as_of else None
    if seen is not None:
        return ON_TIME if seen <= deadline else LATE
    if as_of > deadline:
        return MISSING
    return DUE_SOON if (deadline - as_of).days <= AMBER_DAYS else NOT_DUE
