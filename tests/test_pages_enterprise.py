"""企业档案: reached by a cold ?uscc= deep link or by search; shows every department's rows for the enterprise."""

from __future__ import annotations

from fixture_package import A, B, D
from page_support import charts, metric, no_exception, table

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def search(at):
    return next(box for box in at.selectbox if box.label.startswith("搜索企业"))


def test_deep_link_opens_the_profile(app):
    at = app("enterprise", uscc=A, **PARAMS)
    no_exception(at)
    assert at.header[0].value == "太仓浮港稀土分离有限公司"
    assert metric(at, "企业类别") == "冶炼分离"
    assert metric(at, "所属镇区") == "浮桥镇"
    assert search(at).value == A  # the search box shows the linked enterprise
    figs = charts(at)
    location = figs["profile_map_浮桥镇"]
    points = [t for t in location["data"] if t["type"] == "scattergeo" and t.get("mode") == "markers"]
    assert [p["customdata"][0][0] for p in points] == [A]
    monthly = {t["name"]: t["y"] for t in figs["profile_monthly"]["data"]}
    assert monthly["月报产量"] == [100.0] * 9
    invoices = table(at, "发票号码", "销方")
    assert len(invoices) == 11  # nine monthly invoices, one void, one credit note, all as seller
    assert set(invoices["状态"]) == {"正常", "作废", "红冲"}
    customs = table(at, "法检批次号")
    assert list(customs["法检批次号"]) == ["FJ2019-0001", "—"]  # not reported: a dash, never "None" or a blank
    tipoffs = table(at, "线索编号")
    assert list(tipoffs["线索编号"]) == ["JB-2019-001"]


def test_lower_case_code_in_the_link_is_accepted(app):
    at = app("enterprise", uscc=A.lower(), **PARAMS)
    no_exception(at)
    assert at.header[0].value == "太仓浮港稀土分离有限公司"


def test_search_switches_the_enterprise_and_the_link(app):
    at = app("enterprise", uscc=A, **PARAMS)
    search(at).set_value(D).run()
    no_exception(at)
    assert at.query_params["uscc"] == D
    assert at.header[0].value == "太仓沙溪稀土贸易有限公司"
    assert any("未报送自查表" in c.value for c in at.caption)


def test_search_without_a_link(app):
    at = app("enterprise", **PARAMS)
    no_exception(at)
    assert not at.header
    assert "请在上方搜索企业" in at.info[0].value
    search(at).set_value(B).run()
    assert at.header[0].value == "太仓城厢稀土材料有限公司"


def test_blacklisted_enterprise_is_flagged(app):
    at = app("enterprise", uscc=B, **PARAMS)
    assert "黑名单企业" in at.error[0].value and "2020-09-09" in at.error[0].value
    titles = [e.label for e in at.expander]
    assert [t.split("：")[0] for t in titles] == ["R02 超计划生产（违规）", "R06 追溯数据与月报不符（违规）",
                                                  "R07 矿产品无完税证明（违规）"]
    penalties = table(at, "案件编号", "黑名单截止")
    assert list(penalties["处罚措施"]) == ["责令停产整顿、罚款"]


def test_unknown_code_is_a_message_not_an_error(app):
    at = app("enterprise", uscc="91320585000000000X", **PARAMS)
    no_exception(at)
    assert "没有找到" in at.warning[0].value
