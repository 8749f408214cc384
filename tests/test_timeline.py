"""整顿进程: the week's ends of the year up to D, each point the checks and red lights as of that day."""

from __future__ import annotations

import datetime as dt

from supervision.checks import run_checks
from supervision.core.campaign import MISSING
from supervision.core.principal import Principal, Role
from supervision.read import queries
from supervision.reporting import timeline

LEADER = Principal("t.leader", "领导", Role.LEADER)
day = dt.date


def test_week_ends_are_the_sundays_up_to_d_and_d_itself():
    days = timeline.week_ends(2019, day(2019, 3, 13))
    assert days[0] == day(2019, 1, 6) and all(d.weekday() == 6 for d in days[:-1])
    assert days[-2:] == [day(2019, 3, 10), day(2019, 3, 13)]
    assert timeline.week_ends(2019, day(2019, 3, 10))[-1] == day(2019, 3, 10)  # a Sunday is not listed twice
    assert len(timeline.week_ends(2019, day(2020, 6, 1))) == 53  # 52 Sundays and 12-31
    assert timeline.week_ends(2019, day(2018, 12, 31)) == []


def test_each_point_is_the_picture_on_its_day(demo, settings):
    as_of = day(2019, 8, 13)
    frame = timeline.campaign_timeline(demo, settings, LEADER, 2019, as_of)
    assert list(frame.columns) == list(timeline.TIMELINE_COLUMNS)
    assert list(frame["day"]) == timeline.week_ends(2019, as_of)
    for row in frame[frame["day"].isin([day(2019, 7, 28), as_of])].itertuples():
        found = run_checks(demo, settings, 2019, row.day, LEADER)
        lights = queries.overdue_lights(demo, LEADER, settings, 2019, row.day)
        assert row.open_findings == len(found)
        assert row.violations == sum(1 for f in found if f.severity == "违规")
        assert row.red_lights == int((lights["status"] == MISSING).sum())


def test_the_countdown_says_today_on_the_deadline_not_zero_days(settings):
    from supervision.core.campaign import position

    before = position(settings, 2019, dt.date(2019, 8, 12))
    on_the_day = position(settings, 2019, dt.date(2019, 8, 13))
    assert before.countdown() == "距镇区上报汇总表（08月13日）还有1天"
    assert before.countdown(short=True) == "距镇区上报汇总表1天"
    assert on_the_day.countdown() == "镇区上报汇总表（08月13日）今天截止"
    assert on_the_day.countdown(short=True) == "镇区上报汇总表今天截止"
    assert position(settings, 2019, dt.date(2020, 3, 1)).countdown() == "本年度节点均已过"
