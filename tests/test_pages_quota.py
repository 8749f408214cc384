"""配额执行: utilisation with the W01/R02 lines, cumulative production against the batches, sources side by side."""

from __future__ import annotations

from fixture_package import A
from page_support import charts, metric, no_exception, table

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def test_quota_page_figures(app):
    at = app("quota", **PARAMS)
    no_exception(at)
    assert metric(at, "2019年冶炼分离指标（吨）") == "1,500.000"
    assert metric(at, "持指标企业产量（吨）") == "1,440.000"
    assert metric(at, "指标使用率") == "96.0%"
    assert metric(at, "达预警线/超计划企业（家）") == "1 / 1"
    figs = charts(at)
    bars = figs["quota_utilisation"]["data"][0]
    assert dict(zip(bars["y"], [round(x, 1) for x in bars["x"]], strict=True)) == {
        "太仓浮港稀土分离有限公司": 90.0, "太仓城厢稀土材料有限公司": 108.0}
    lines = {s["x0"] for s in figs["quota_utilisation"]["layout"]["shapes"]}
    assert lines == {90.0, 100}  # W01 (configured 0.90) and R02
    cumulative = figs["quota_cumulative"]
    running = next(t for t in cumulative["data"] if t.get("name") == "累计产量")
    assert running["y"][-1] == 1440.0 and len(running["y"]) == 9
    batch_lines = sorted(s["y0"] for s in cumulative["layout"]["shapes"])
    assert batch_lines == [900.0, 1350.0, 1500.0]  # batch 1, W01 at 90 % of the total, batches 1+2
    years = figs["quota_years"]["data"]
    assert [round(v, 1) for v in years[2]["y"]] == [94.3, 96.0]


def test_flows_side_by_side_per_enterprise_and_by_month(app):
    at = app("quota", **PARAMS)
    flows = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in charts(at)["quota_flows"]["data"]}
    assert set(flows["月报产量"]) == {"太仓浮港稀土分离有限公司", "太仓城厢稀土材料有限公司",
                                     "太仓浏河再生资源利用有限公司"}
    assert flows["专用发票开具量"]["太仓浮港稀土分离有限公司"] == 800.0  # 作废 left out, 红冲 negative
    assert flows["追溯系统产量"]["太仓城厢稀土材料有限公司"] == 450.0
    assert flows["完税证明覆盖矿量"]["太仓浮港稀土分离有限公司"] == 990.0
    at.selectbox(key="enterprise").set_value(A).run()
    no_exception(at)
    monthly = {t["name"]: t for t in charts(at)["quota_flows"]["data"]}
    assert monthly["专用发票开具量"]["y"][6] == 80.0  # July: 90 issued, 10 credited
    assert metric(at, "指标使用率") == "96.0%"  # the KPIs stay on the whole selection
    cumulative = charts(at)["quota_cumulative"]
    assert sorted(s["y0"] for s in cumulative["layout"]["shapes"]) == [600.0, 900.0, 1000.0]


def test_group_filter(app):
    at = app("quota", **PARAMS)
    at.selectbox(key="group").select("中国北方稀土(集团)高科技股份有限公司").run()
    no_exception(at)
    assert metric(at, "2019年冶炼分离指标（吨）") == "500.000"
    assert list(table(at, "指标批次数")["企业"]) == ["太仓城厢稀土材料有限公司"]


def test_any_year(app):
    at = app("quota", year="2018", as_of="2018-12-31")
    no_exception(at)
    assert metric(at, "2018年冶炼分离指标（吨）") == "1,400.000"
    assert metric(at, "指标使用率") == "94.3%"


def test_threshold_labels_cannot_cover_bar_labels(app):
    """Issue 18: the W01 / R02 line labels sit above the plot area (bar labels are inside it), apart."""
    at = app("quota", **PARAMS)
    fig = charts(at)["quota_utilisation"]
    labels = {a["text"]: a for a in fig["layout"]["annotations"] if "线" in a.get("text", "")}
    assert set(labels) == {"W01 预警线 90%", "R02 超计划线 100%"}
    for a in labels.values():
        assert a["yref"] == "paper" and a["y"] >= 1 and a["yanchor"] == "bottom"
    assert labels["W01 预警线 90%"]["xanchor"] == "right" and labels["R02 超计划线 100%"]["xanchor"] == "left"
    bars = next(t for t in fig["data"] if t["type"] == "bar")
    assert bars["textposition"] == "outside"  # bar labels beside their bars, inside the plot area
