"""问题线索: findings with filters and evidence, the risk ranking, tip-offs with deadlines, penalties, blacklist."""

from __future__ import annotations

from fixture_package import B
from page_support import click_table_row, metric, no_exception, table

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def test_findings_and_their_filters(app):
    at = app("findings", **PARAMS)
    no_exception(at)
    assert (metric(at, "发现问题（条）"), metric(at, "违规"), metric(at, "预警")) == ("16", "15", "1")
    listed = table(at, "规则", "说明")
    assert listed["规则"].value_counts()["R06"] == 2
    at.multiselect(key="rules").select("R06").run()
    no_exception(at)
    assert list(table(at, "规则", "说明")["企业"]) == ["太仓城厢稀土材料有限公司", "太仓浏河再生资源利用有限公司"]
    at.multiselect(key="rules").unselect("R06")
    at.selectbox(key="severity").select("预警").run()
    assert list(table(at, "规则", "说明")["规则"]) == ["W01"]
    at.selectbox(key="severity").set_value(None)
    at.selectbox(key="category").select("贸易流通").run()
    assert set(table(at, "规则", "说明")["规则"]) == {"R16", "R18"}


def test_a_selected_finding_shows_its_evidence_and_opens_the_profile(app):
    at = app("findings", **PARAMS)
    click_table_row(at, "findings_table", 0)  # R02 of 太仓城厢稀土材料有限公司
    no_exception(at)
    evidence = table(at, "数据表", "记录", "内容")
    assert set(evidence["数据表"]) == {"总量控制指标", "企业月报"}
    assert len(evidence) == 11  # two quota batches and nine monthly reports
    at.button(key="findings_open_profile").click().run()
    assert at.query_params["uscc"] == B
    assert at.header[0].value == "太仓城厢稀土材料有限公司"


def test_risk_ranking(app):
    at = app("findings", **PARAMS)
    ranking = table(at, "风险分")
    assert list(ranking["企业"])[:2] == ["太仓浏河再生资源利用有限公司", "太仓城厢稀土材料有限公司"]
    assert list(ranking["排名"]) == [1, 2, 3, 4]


def test_tipoffs_with_deadlines(app):
    at = app("findings", **PARAMS)
    no_exception(at)
    tips = table(at, "线索编号", "反馈期限").set_index("线索编号")
    assert tips.loc["JB-2019-002", "反馈期限"] == "2019-09-19"
    assert tips.loc["JB-2019-002", "反馈超期"] == "超期"
    assert tips.loc["JB-2019-003", "反馈超期"] == ""


def test_penalties_and_blacklist_follow_the_filters(app):
    at = app("findings", **PARAMS)
    assert list(table(at, "案件编号", "处罚部门")["企业"]) == ["太仓城厢稀土材料有限公司"]
    assert list(table(at, "列入日期")["企业"]) == ["太仓城厢稀土材料有限公司"]
    at.selectbox(key="township").select("沙溪镇").run()
    no_exception(at)
    assert "本年度没有行政处罚" in [c.value for c in at.caption]
    tips = table(at, "线索编号", "反馈期限")
    assert list(tips["线索编号"]) == ["JB-2019-002"]
