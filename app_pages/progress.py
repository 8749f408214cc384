"""工作进度: the year's campaign calendar as a Gantt with the as-of day, and who has submitted what."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, sources, tables
from components.db import current_data_version, settings
from components.session import current_principal
from supervision.core import campaign
from supervision.core.safety import md_escape
from supervision.reporting import charts
from supervision.reporting.charts import Caption, Look

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)
cfg = settings()

st.title("工作进度")
st.caption(md_escape(f.describe()))

steps = campaign.steps(cfg, f.year)
pos = campaign.position(cfg, f.year, f.as_of)
cols = st.columns(3)
cols[0].metric("当前阶段", md_escape(pos.phase))
if pos.next_step is not None:
    cols[1].metric("下一节点", md_escape(pos.next_step.name), f"{pos.next_step.end:%Y-%m-%d}", delta_color="off")
    cols[2].metric("剩余天数", int(pos.days_to_next))
else:
    cols[1].metric("下一节点", "无")
campaign_year = cfg.calendar.is_campaign_year(f.year)
calendar_source = (f"config.toml [calendar.{f.year}]（太政办〔2019〕107号 五的节点）" if campaign_year
                   else "config.toml [calendar.default]（非整顿年度，按107号的月日示意）")
if not campaign_year:
    st.info(f"{f.year}年未配置整顿工作时间表，不是整顿年度：企业自查和镇区汇总不作逾期判断，下图按默认月日示意。",
            icon=":material/info:")
gantt = figures.memo(("progress_gantt", f.year, f.as_of),
                     lambda: charts.campaign_gantt(steps, f.as_of, Caption(f"{f.year}年整顿工作时间表", calendar_source,
                                                                           f.as_of.isoformat()), Look(height=360)))
downloads.show_chart(gantt, key="progress_gantt")

grid = data.township_milestones(version, principal, f.year, f.as_of, f.township, f.category)
c = sources.caption(version, principal, f, f"各镇（区）报送情况（截至{f.as_of:%Y-%m-%d}）",
                    ("self_checks", "township_reports", "inspection_scores", "monthly_reports"))
fig = figures.memo(("progress_grid", version, principal, f),
                   lambda: charts.status_grid(grid, c, Look(height=max(300, 120 + 48 * grid["township"].nunique()))))
downloads.show_chart(fig, key="progress_grid")
st.caption("按时：截止日前报送；逾期提交：截止日后、截至日期前报送；逾期未交：截止日已过仍未报送；"
           f"临近截止：{campaign.AMBER_DAYS:d}天内到期；截至日期之后的报送视为尚未报送。")

tab_self, tab_town, tab_monthly = st.tabs(["企业自查表（附件1）", "镇区汇总表（附件3）", "企业月报"])
with tab_self:
    checks = data.self_check_status(version, principal, f.year, f.as_of, f.township, f.category)
    columns = {"name": "企业", "township": "镇区", "category": "类别", "submitted_on": "报送日期",
               "deadline": "截止日期", "status": "状态", "problems_found": "发现问题", "problems_rectified": "已整改"}
    source = sources.caption(version, principal, f, "", ("self_checks",)).footnote
    tables.show(checks, columns, key="progress_self_checks", source=source, profile=True)
    downloads.table(checks, columns, key="progress_self_checks_xlsx", title=f"{f.year}年企业自查表报送情况",
                    source=source, scope=f.describe())
with tab_town:
    reports = data.township_report_status(version, principal, f.year, f.as_of, f.township)
    columns = {"township": "镇区", "submitted_on": "报送日期", "deadline": "截止日期", "status": "状态",
               "enterprises_total": "企业总数", "enterprises_checked": "已排查", "problems_found": "发现问题",
               "problems_rectified": "已整改", "cases_transferred": "移送案件"}
    source = sources.caption(version, principal, f, "", ("township_reports",)).footnote
    tables.show(reports, columns, key="progress_township_reports", source=source)
    downloads.table(reports, columns, key="progress_township_reports_xlsx", title=f"{f.year}年镇区汇总表报送情况",
                    source=source, scope=f.describe())
with tab_monthly:
    gaps = data.monthly_report_gaps(version, principal, f.year, f.as_of, f.township, f.category)
    columns = {"name": "企业", "township": "镇区", "category": "类别", "due": "应报（份）", "filed": "已报（份）",
               "missing": "缺报（份）"}
    source = sources.caption(version, principal, f, "", ("monthly_reports",)).footnote
    tables.show(gaps, columns, key="progress_monthly", source=source, profile=True)
    downloads.table(gaps, columns, key="progress_monthly_xlsx", title=f"{f.year}年企业月报报送情况", source=source,
                    scope=f.describe())
    st.caption(f"应报：{f.year}年截至{f.as_of:%Y-%m-%d}已过报送期限（次月{cfg.tolerances.monthly_report_due_day:d}日）"
               "的月份数；对象为在产的冶炼分离和资源综合利用企业。")
