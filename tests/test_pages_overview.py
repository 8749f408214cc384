"""总览: the leader's numbers on the fixture data, filters, and the large-screen mode."""

from __future__ import annotations

import shutil

from fixture_package import write_addition
from page_support import charts, factory, metric, no_exception, titles

from supervision.ingest.importer import import_package
from supervision.storage.db import open_database

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def test_overview_numbers(app):
    at = app(**PARAMS)
    no_exception(at)
    assert metric(at, "稀土企业（家）") == "8"
    assert metric(at, "冶炼分离指标使用率") == "96.0%"  # (900 + 540) / (1000 + 500)
    assert metric(at, "整顿阶段") == "节点之间"
    assert metric(at, "未销号问题（条）") == "16"  # what supervision.checks finds on the fixture, 15 违规 + 1 预警
    assert metric(at, "红灯事项（镇区×事项）") == "7"
    assert metric(at, "黑名单企业（家）") == "1"
    figs = charts(at)
    bars = figs["overview_enterprises"]["data"]
    assert sum(sum(t["y"]) for t in bars) == 8
    gauge = figs["overview_quota"]["data"][0]
    assert round(gauge["value"], 1) == 96.0
    assert "127,000" in gauge["title"]["text"]  # national context from data/quota_national_totals.csv
    by_rule = {y: x for t in figs["overview_findings"]["data"] for y, x in zip(t["y"], t["x"], strict=True)}
    assert by_rule["R06 追溯数据与月报不符"] == 2 and by_rule["W01 指标使用预警"] == 1
    lights = figs["overview_lights"]["data"][0]
    row = lights["y"].index("沙溪镇")
    assert lights["text"][row][:2] == ["逾期未交", "逾期未交"]


def test_every_overview_figure_names_its_source_and_date(app):
    at = app(**PARAMS)
    for key, fig in charts(at).items():
        title, subtitle = titles(fig)
        assert title, key
        assert "数据来源：" in subtitle and "数据截至：" in subtitle, key
    assert "数据截至：2019-09" in titles(charts(at)["overview_quota"])[1]  # the latest monthly report


def test_township_and_category_filters(app):
    at = app(**PARAMS)
    at.selectbox(key="township").select("浮桥镇").run()
    no_exception(at)
    assert metric(at, "稀土企业（家）") == "1"
    assert metric(at, "冶炼分离指标使用率") == "90.0%"
    at.selectbox(key="township").set_value(None)
    at.selectbox(key="category").select("贸易流通").run()
    assert metric(at, "稀土企业（家）") == "2"
    assert metric(at, "冶炼分离指标使用率") == "无指标"


def test_year_and_as_of_change_the_reading(app):
    at = app(**PARAMS)
    at.date_input(key="as_of").set_value("2019-07-10").run()
    no_exception(at)
    assert metric(at, "整顿阶段") == "企业自查"
    at.selectbox(key="year").select(2018).run()
    assert at.date_input(key="as_of").value is None  # a new year starts from its default date
    assert metric(at, "整顿阶段") == "已结束"


def test_screen_mode_is_dark_sized_and_stamped(app):
    at = app(mode="screen", **PARAMS)
    no_exception(at)
    figs = {k: f for k, f in charts(at).items() if k.startswith("wall_")}
    # Without a carousel the wall shows two rows of three panels (the lifecycle's group comes with the carousel).
    assert set(figs) == {"wall_enterprises", "wall_quota", "wall_findings", "wall_lights", "wall_tipoffs",
                         "wall_penalties"}
    heights = {f["layout"]["height"] for f in figs.values()}
    assert len(heights) == 1
    assert all(f["layout"]["paper_bgcolor"] == "#111418" for f in figs.values())
    assert any("最后更新：" in c.value for c in at.caption)
    # An old link's res=4k draws the same layout at twice the size (new links get `scale` from the page).
    uhd = app(mode="screen", res="4k", **PARAMS)
    assert {f["layout"]["height"] for k, f in charts(uhd).items() if k.startswith("wall_")} == {2 * heights.pop()}


def test_wall_screen_link_signs_in_as_the_screen(app, seeded):
    """The wall-screen link (a read-only token) opens the wall layout without a password."""
    at = app(mode="screen", token=seeded[1], **PARAMS)
    no_exception(at)
    assert metric(at, "稀土企业（家）") == "8"
    assert {k for k in charts(at) if k.startswith("wall_")} >= {"wall_enterprises", "wall_findings"}
    at.switch_page("app_pages/map.py").run()
    no_exception(at)
    assert any("page_map" not in k and "wall_map" in k for k in charts(at))


def test_screen_carousel_shows_one_panel_group(app):
    at = app(mode="screen", carousel="30", **PARAMS)
    no_exception(at)
    shown = {k for k in charts(at) if k.startswith("wall_")}
    assert shown in ({"wall_enterprises", "wall_quota", "wall_findings"}, {"wall_lights", "wall_tipoffs",
                                                                          "wall_penalties"},
                     {"wall_lifecycle", "wall_burndown"}, {"wall_timeline"})


def test_an_import_shows_at_once(seeded, fast_settings_file, settings, tmp_path, monkeypatch):
    """The caches are keyed by the data version: the next rerun after an import reads the new rows."""
    path = tmp_path / "copy.db"
    shutil.copy(seeded[0].removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    for make in factory(url, monkeypatch, fast_settings_file):
        at = make(**PARAMS)
        assert metric(at, "稀土企业（家）") == "8"
        engine = open_database(url, settings)
        try:
            assert import_package(write_addition(tmp_path / "addition"), engine, settings, actor="测试").written
        finally:
            engine.dispose()
        at.run()
        assert metric(at, "稀土企业（家）") == "9"
