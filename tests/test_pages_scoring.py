"""督查评分: ranking, breakdown from the imported table, deductions with notes, year-over-year change."""

from __future__ import annotations

from page_support import charts, no_exception, table


def test_ranking_and_breakdown_from_the_imported_table(app):
    at = app("scoring", year="2019")
    no_exception(at)
    figs = charts(at)
    ranking = figs["scoring_ranking"]["data"][0]
    assert list(ranking["y"]) == ["沙溪镇", "浏河镇", "城厢镇", "浮桥镇"]  # drawn bottom-up, best on top
    assert list(ranking["x"]) == [55.0, 84.0, 90.0, 98.0]
    heat = figs["scoring_breakdown"]["data"][0]
    assert heat["x"] == ["A1", "A2", "B1", "B2"]  # the items of the imported table
    assert heat["text"][heat["y"].index("沙溪镇")][1] == "0"
    sections = figs["scoring_sections"]["data"][0]
    assert sections["x"] == ["组织领导", "排查整治"]
    assert sections["text"][sections["y"].index("沙溪镇")] == ["15/40", "40/60"]


def test_deductions_with_notes(app):
    at = app("scoring", year="2019")
    deductions = table(at, "扣分说明")
    shaxi = deductions[(deductions["镇区"] == "沙溪镇") & (deductions["条目"] == "A2")].iloc[0]
    assert shaxi["扣分"] == "20.00" and shaxi["扣分说明"] == "未报送汇总表"
    assert len(deductions) == 11  # 浮桥1 + 城厢3 + 浏河3 + 沙溪4


def test_year_over_year(app):
    at = app("scoring", year="2019")
    change = table(at, "变化").set_index("镇区")
    assert change.loc["沙溪镇", "变化"] == "-30.0个百分点"
    assert change.loc["浮桥镇", "2018年得分率"] == "85.0%"
    assert "scoring_change" in charts(at)


def test_a_year_without_a_scoring_table(app):
    at = app("scoring", year="2019")
    at.selectbox(key="year").select(2018).run()
    no_exception(at)
    assert "scoring_change" not in charts(at)  # nothing earlier than 2018
    ranking = charts(at)["scoring_ranking"]["data"][0]
    assert list(ranking["x"]) == [82.0, 85.0, 85.0, 93.0]
