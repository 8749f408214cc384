"""问题线索: tip-offs with their feedback deadlines, penalties and the blacklist."""

from __future__ import annotations

from page_support import app, no_exception, seeded_url, table  # noqa: F401

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


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
