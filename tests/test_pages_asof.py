"""The pages on the demo data looked at on 2019-08-13 (spec 1.1, section 4.1): nothing dated later is shown or
counted, and what the date leaves out is said."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from page_support import charts, metric, no_exception, titles
from sqlalchemy import func, select

from supervision.storage.db import make_engine
from supervision.storage.models import InspectionScore, MonthlyReport, Quota

D = "2019-08-13"


def test_scoring_at_0813_lists_no_inspection_dated_later(demo_app, demo_url):
    engine = make_engine(demo_url)
    day, scored = dt.date(2019, 8, 13), InspectionScore.inspected_on
    with engine.connect() as conn:
        later = conn.execute(select(func.count()).where(InspectionScore.year == 2019, scored > day)).scalar()
        counted = conn.execute(select(func.count()).where(InspectionScore.year == 2019, scored <= day)).scalar()
    engine.dispose()
    assert later, "the demo's 2019 inspections are dated after 08-13"
    at = demo_app("scoring", year="2019", as_of=D)
    no_exception(at)
    shown = [df for df in (e.value for e in at.dataframe) if "督查日期" in df.columns]
    assert all((df["督查日期"].astype(str) <= D).all() for df in shown)
    if not counted:
        notes = [c.value for c in at.caption]
        assert any("晚于截至日期2019-08-13" in n for n in notes), notes
        ranking = charts(at)["scoring_ranking"]
        assert "晚于截至日期2019-08-13" in ranking["layout"]["annotations"][0]["text"]
    at_year_end = demo_app("scoring", year="2019", as_of="2019-12-31")
    assert any("督查日期" in e.value.columns for e in at_year_end.dataframe)


def test_quota_gauge_at_0813_uses_january_to_july(demo_app, demo_url):
    engine = make_engine(demo_url)
    smelting = (Quota.year == 2019, Quota.kind == "冶炼分离")
    holders = select(Quota.uscc).where(*smelting)
    with engine.connect() as conn:
        quota = conn.execute(select(func.sum(Quota.quota_t)).where(*smelting)).scalar()
        months = {m: conn.execute(select(func.sum(MonthlyReport.production_t)).where(
            MonthlyReport.period.between("2019-01", m), MonthlyReport.uscc.in_(holders))).scalar()
            for m in ("2019-07", "2019-08")}
    engine.dispose()
    at = demo_app(year="2019", as_of=D)
    no_exception(at)
    gauge = charts(at)["overview_quota"]
    expected = float(Decimal(months["2019-07"]) / Decimal(quota) * 100)
    assert abs(gauge["data"][0]["value"] - expected) < 1e-6
    assert abs(gauge["data"][0]["value"] - float(Decimal(months["2019-08"]) / Decimal(quota) * 100)) > 0.1
    assert "1–7月" in titles(gauge)[0]
    assert metric(at, "冶炼分离指标使用率") == f"{expected:.1f}%"
    assert "数据截至：2019-07" in titles(gauge)[1]  # never a date after the as-of date


def test_overview_timeline_on_request(demo_app):
    at = demo_app(year="2019", as_of="2019-02-10")
    assert "overview_timeline" not in charts(at)
    at.toggle(key="timeline").set_value(True).run()
    no_exception(at)
    lines = charts(at)["overview_timeline"]["data"]
    assert [t["name"] for t in lines] == ["未销号问题", "其中违规", "红灯事项"]
    assert lines[0]["x"] == ["2019-01-06", "2019-01-13", "2019-01-20", "2019-01-27", "2019-02-03", "2019-02-10"]
