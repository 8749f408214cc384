"""One as-of date, one answer: the overview's KPIs, the pack's KPI slide, the city report and `check --format json`
agree on the demo data for 2019-07-31, 08-13 and 12-31 (spec 1.1, section 4.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from asof_support import DATES, YEAR, check_json, number, pack_kpis, report_counts
from page_support import metric, no_exception

from supervision.checks import run_checks


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_pack_report_and_check_agree(demo, settings, capsys, as_of):
    kpis = pack_kpis(demo, settings, as_of)
    findings, violations, warnings, listed = report_counts(demo, settings, as_of)
    printed = check_json(demo, as_of, capsys)
    assert number(kpis["未销号问题"]) == findings == len(printed)
    assert violations == sum(1 for f in printed if f["severity"] == "违规")
    assert warnings == sum(1 for f in printed if f["severity"] == "预警")
    assert number(kpis["黑名单企业"]) == listed
    assert len(run_checks(demo, settings, YEAR, as_of)) == findings


def test_the_dates_give_different_pictures(demo, settings, capsys):
    """A look back gives other answers: fewer findings at 07-31 than at the year's end."""
    counts = [len(check_json(demo, d, capsys)) for d in DATES]
    assert counts[0] < counts[2] and len(set(counts)) == 3, counts
    assert pack_kpis(demo, settings, DATES[1])["冶炼分离指标使用率"] != pack_kpis(demo, settings, DATES[2])[
        "冶炼分离指标使用率"]


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_overview_kpis_are_the_packs(demo_app, demo_url, settings, as_of: dt.date):
    from supervision.storage.db import make_engine

    engine = make_engine(demo_url)
    try:
        kpis = pack_kpis(engine, settings, as_of)
    finally:
        engine.dispose()
    at = demo_app(year=str(YEAR), as_of=as_of.isoformat())
    no_exception(at)
    assert metric(at, "稀土企业（家）") == str(number(kpis["稀土企业"]))
    assert metric(at, "冶炼分离指标使用率") == kpis["冶炼分离指标使用率"]
    assert metric(at, "整顿阶段") == kpis["整顿阶段"]
    assert metric(at, "未销号问题（条）") == str(number(kpis["未销号问题"]))
    assert metric(at, "红灯事项（镇区×事项）") == str(number(kpis["红灯事项（镇区×事项）"]))
    assert metric(at, "黑名单企业（家）") == str(number(kpis["黑名单企业"]))
