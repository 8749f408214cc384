"""镇区地图: offline choropleth, measures, township click filtering every page, enterprise click to the profile."""

from __future__ import annotations

from pathlib import Path

from fixture_package import A
from page_support import chart_proto, charts, click_chart, metric, no_exception, titles

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def test_map_draws_townships_offline_and_enterprise_points(app):
    at = app("map", **PARAMS)
    no_exception(at)
    fig = next(f for k, f in charts(at).items() if "page_map" in k)
    polygons = [t for t in fig["data"] if t["type"] == "choropleth"]
    located = {loc for t in polygons for loc in t["locations"]}
    assert located == {"城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "娄东街道", "陆渡街道"}
    counts = dict(zip(polygons[0]["locations"], polygons[0]["z"], strict=True))
    assert counts["城厢镇"] == 2 and counts["陆渡街道"] == 0
    points = [t for t in fig["data"] if t["type"] == "scattergeo" and t.get("mode") == "markers"]
    assert sum(len(t["lon"]) for t in points) == 7  # H has no coordinates
    assert "示意" in titles(fig)[0]
    config = chart_proto(at, "page_map_all").config
    assert '"topojsonURL": "app/static/topojson/"' in config
    assert (Path(__file__).resolve().parent.parent / "static" / "topojson" / "world_110m.json").is_file()


def test_measure_choice_recolours_the_map(app):
    at = app("map", **PARAMS)
    at.segmented_control(key="measure").set_value("督查得分率").run()
    no_exception(at)
    fig = next(f for k, f in charts(at).items() if "page_map" in k)
    scored = dict(zip(fig["data"][0]["locations"], fig["data"][0]["z"], strict=True))
    assert scored == {"城厢镇": 90.0, "沙溪镇": 55.0, "浏河镇": 84.0, "浮桥镇": 98.0}
    assert set(fig["data"][1]["locations"]) == {"璜泾镇", "双凤镇", "娄东街道", "陆渡街道"}  # grey: not scored
    # Bound widgets write the URL from the browser side; the browser tests check the address bar.


def test_open_findings_per_township(app):
    at = app("map", measure="未销号问题", **PARAMS)
    no_exception(at)
    fig = next(f for k, f in charts(at).items() if "page_map" in k)
    counts = {loc: z for loc, z in zip(fig["data"][0]["locations"], fig["data"][0]["z"], strict=True) if z}
    assert counts == {"城厢镇": 3, "沙溪镇": 3, "浏河镇": 8, "浮桥镇": 2}


def test_clicking_a_township_filters_every_page(app):
    at = app("map", **PARAMS)
    click_chart(at, "page_map_all", [{"curve_number": 0, "point_index": 0, "location": "城厢镇"}])
    no_exception(at)
    assert at.selectbox(key="township").value == "城厢镇"
    assert at.subheader[0].value == "城厢镇"
    assert metric(at, "企业（家）") == "2"
    assert metric(at, "未销号问题（条）") == "3"
    fig = next(f for k, f in charts(at).items() if "page_map" in k)
    widths = dict(zip(fig["data"][0]["locations"], fig["data"][0]["marker"]["line"]["width"], strict=True))
    assert widths["城厢镇"] == 4 and widths["浮桥镇"] < 4
    at.switch_page("app_pages/quota.py").run()
    no_exception(at)
    assert metric(at, "2019年冶炼分离指标（吨）") == "500.000"  # only 城厢镇's smelter


def test_clear_button_removes_the_township_filter(app):
    at = app("map", township="浮桥镇", **PARAMS)
    assert at.subheader[0].value == "浮桥镇"
    at.button(key="map_clear").click().run()
    assert at.selectbox(key="township").value is None
    assert not at.subheader


def test_clicking_an_enterprise_opens_its_profile(app):
    at = app("map", **PARAMS)
    click_chart(at, "page_map_all", [{"curve_number": 2, "point_index": 0,
                                     "customdata": [A, "太仓浮港稀土分离有限公司", "在产", "浮桥镇"]}])
    no_exception(at)
    assert at.query_params.get("uscc") == A
    assert at.header[0].value == "太仓浮港稀土分离有限公司"
