"""工作进度: the configured calendar as a Gantt with the as-of day, and the township × milestone grid."""

from __future__ import annotations

from page_support import charts, metric, no_exception


def grid(at) -> dict[tuple[str, str], str]:
    heat = charts(at)["progress_grid"]["data"][0]
    return {(town, col.replace("<br>", "")): heat["text"][i][j]
            for i, town in enumerate(heat["y"]) for j, col in enumerate(heat["x"])}


def test_gantt_follows_the_2019_calendar(app):
    at = app("progress", year="2019", as_of="2019-08-13")
    no_exception(at)
    assert metric(at, "当前阶段") == "专项督查"
    assert metric(at, "下一节点") == "镇区上报汇总表"
    assert metric(at, "剩余天数") == "0"
    gantt = charts(at)["progress_gantt"]
    names = [t["y"][0] for t in gantt["data"]]
    assert names == ["企业自查", "专项督查", "镇区上报汇总表", "市工信局汇总上报", "年度工作总结"]
    phases = {t["y"][0]: t["base"][0] for t in gantt["data"] if t["type"] == "bar"}
    assert phases == {"企业自查": "2019-07-01", "专项督查": "2019-08-01"}
    assert gantt["layout"]["shapes"][0]["x0"] == "2019-08-13"  # the as-of marker


def test_submission_grid_on_time_late_missing(app):
    at = app("progress", year="2019", as_of="2019-10-15")
    cells = grid(at)
    assert cells[("浮桥镇", "企业自查表（附件1）")] == "按时"
    assert cells[("浏河镇", "企业自查表（附件1）")] == "逾期提交"
    assert cells[("沙溪镇", "企业自查表（附件1）")] == "逾期未交"
    assert cells[("沙溪镇", "镇区汇总表（附件3）")] == "逾期未交"
    assert cells[("浏河镇", "镇区汇总表（附件3）")] == "逾期提交"
    assert cells[("浏河镇", "企业月报")] == "逾期未交"
    assert cells[("璜泾镇", "企业自查表（附件1）")] == "无需报送"
    assert "陆渡街道" not in {t for t, _ in cells}  # no enterprise there


def test_before_the_deadline_nothing_is_late(app):
    at = app("progress", year="2019", as_of="2019-07-28")
    cells = grid(at)
    assert cells[("沙溪镇", "企业自查表（附件1）")] == "临近截止"
    assert cells[("沙溪镇", "镇区汇总表（附件3）")] == "未到期"
    assert cells[("浏河镇", "企业自查表（附件1）")] == "临近截止"  # its 08-05 submission lies after the as-of day


def test_a_year_without_its_own_calendar_uses_the_default(app):
    at = app("progress", year="2018", as_of="2018-12-31")
    no_exception(at)
    gantt = charts(at)["progress_gantt"]
    assert {t["y"][0]: t["base"][0] for t in gantt["data"] if t["type"] == "bar"}["企业自查"] == "2018-07-01"
    assert "calendar.default" in charts(at)["progress_gantt"]["layout"]["title"]["subtitle"]["text"]
    assert grid(at)[("沙溪镇", "企业自查表（附件1）")] == "无需报送"  # only campaign years bind (as R16/R17)
    assert grid(at)[("沙溪镇", "镇区汇总表（附件3）")] == "无需报送"
    assert "不是整顿年度" in at.info[0].value
