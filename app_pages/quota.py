"""配额执行: quota against production per enterprise and group, month by month, across data sources and years."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, sources, tables
from components.db import current_data_version, settings
from components.session import current_principal
from supervision.core.frames import utilisation_totals
from supervision.core.safety import md_escape
from supervision.reporting import charts
from supervision.reporting.charts import Look

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)
warning = settings().tolerances.quota_warning
trend_years = settings().display.trend_years

st.title("配额执行")
st.caption(md_escape(f.describe()))

with st.container(horizontal=True):
    group = st.selectbox("所属集团", data.groups(version, principal), index=None, key="group", bind="query-params",
                         placeholder="全部集团", width=320)
    quota = data.quota_by_enterprise(version, principal, f.year, f.as_of, f.township, f.category, group)
    names = dict(zip(quota["uscc"], quota["name"], strict=True))
    uscc = st.selectbox("企业", list(names), index=None, key="enterprise", format_func=lambda u: names.get(u, u),
                        placeholder="全部企业（合计）", width=320)

used, total = utilisation_totals(quota)
held = quota[quota["utilisation"].notna()]
cols = st.columns(4)
cols[0].metric(f"{f.year}年冶炼分离指标（吨）", f"{float(total):,.3f}")
cols[1].metric("持指标企业产量（吨）", f"{float(used):,.3f}",
               help=md_escape(f"{f.months}月报合计：只计截至日期前已结束月份的月报（如截至8月13日计1–7月）"))
cols[2].metric("指标使用率", f"{float(used / total) * 100:.1f}%" if total else "无指标")
cols[3].metric("达预警线/超计划企业（家）",
               f"{int((held['utilisation'] >= float(warning)).sum() - (held['utilisation'] > 1).sum())} / "
               f"{int((held['utilisation'] > 1).sum())}")

st.caption("上列指标" + md_escape(sources.caption(version, principal, f, "", ("quotas", "monthly_reports")).footnote))

scope = names.get(uscc) if uscc else (group or "全部持指标企业")
left, right = st.columns(2)
with left:
    c = sources.caption(version, principal, f, f"{f.year}年各企业指标使用率（{f.months}产量）",
                        ("quotas", "monthly_reports"))
    fig = figures.memo(("quota_utilisation", version, principal, f, group),
                       lambda: charts.quota_utilisation(quota, c, Look(height=max(320, 60 + 42 * len(held))),
                                                        warning=warning))
    downloads.show_chart(fig, key="quota_utilisation")
with right:
    monthly = data.monthly_flows(version, principal, f.year, f.as_of, f.township, f.category, uscc, group, True)
    batches = data.quota_batches(version, principal, f.year, f.township, f.category, uscc, group)
    c = sources.caption(version, principal, f, f"{scope}：累计产量（{f.months}）与分批下达指标",
                        ("quotas", "monthly_reports"))
    fig = figures.memo(("quota_cumulative", version, principal, f, group, uscc),
                       lambda: charts.cumulative_quota(monthly, batches, c, Look(height=420), warning=warning))
    downloads.show_chart(fig, key="quota_cumulative")
    st.caption("指标线按批次累计：第一批下达后的指标，以及加上第二、三批后的合计；月报未载明下达日期，故以水平线表示。")

flow_tables = ("monthly_reports", "traceability", "invoices", "resource_tax")
if uscc:
    flows = data.monthly_flows(version, principal, f.year, f.as_of, f.township, f.category, uscc, group)
    c = sources.caption(version, principal, f, f"{scope}：产量、追溯、销量、发票与完税矿量（按月）", flow_tables)
    fig = figures.memo(("quota_flows", version, principal, f, group, uscc),
                       lambda: charts.flows_comparison(flows, c, Look(height=440), by="period"))
else:
    flows = data.flows_by_enterprise(version, principal, f.year, f.as_of, f.township, f.category, group)
    c = sources.caption(version, principal, f, f"{f.year}年各生产企业产量、追溯、销量（{f.months}）、发票与完税矿量",
                        flow_tables)
    fig = figures.memo(("quota_flows", version, principal, f, group),
                       lambda: charts.flows_comparison(flows, c, Look(height=charts.flows_height(len(flows))),
                                                       by="name"))
downloads.show_chart(fig, key="quota_flows")
st.caption("发票开具量：企业作为销方开具的稀土专用发票折REO合计（作废不计，红冲按负数计）；"
           "完税证明覆盖矿量：当年开具的资源税完税证明所载矿产品数量。")

years = data.quota_years(version, principal, f.year, f.as_of, f.township, f.category, uscc, group)
c = sources.caption(version, principal, f, f"{scope}：{f.year - trend_years + 1}–{f.year}年指标与产量",
                    ("quotas", "monthly_reports"))
fig = figures.memo(("quota_years", version, principal, f, group, uscc),
                  lambda: charts.quota_years(years, c, Look(height=380)))
downloads.show_chart(fig, key="quota_years")

st.subheader("企业明细")
QUOTA_COLUMNS = {"name": "企业", "township": "镇区", "category": "类别", "group_name": "所属集团",
                 "batches": "指标批次数", "quota_t": "指标（吨）", "production_t": "产量（吨）", "pct": "使用率",
                 "last_period": "最近月报"}
source = sources.caption(version, principal, f, "", ("quotas", "monthly_reports")).footnote
pct = [f"{u * 100:.1f}%" if u == u and u is not None else "无指标" for u in quota["utilisation"]]
tables.show(quota.assign(pct=pct), QUOTA_COLUMNS, key="quota_table", source=source, profile=True)
downloads.table(quota, {("utilisation" if k == "pct" else k): v for k, v in QUOTA_COLUMNS.items()},
                key="quota_table_xlsx", title=f"{f.year}年企业配额执行明细", source=source, scope=f.describe())
