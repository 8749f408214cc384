"""物料流向: where the year's rare earth came from and went, as of D, with the streams the books do not explain."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, links, sources, tables
from components.db import current_data_version
from components.session import current_principal
from supervision.core.safety import md_escape
from supervision.read.flows import LINK_COLUMNS
from supervision.reporting import flow_chart
from supervision.reporting.charts import Look

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)
TABLES = ("monthly_reports", "resource_tax", "invoices", "customs")

st.title("物料流向")
st.caption(md_escape(f.describe()) + "（企业类别筛选不适用于本页：流向图包含全部类别）")

narrowed = f.township is not None or principal.township_scope is not None
by_enterprise = st.toggle("按企业展开", value=narrowed, key="flows_by_enterprise",
                          help="关闭时按镇区合并冶炼/综合利用企业和贸易企业；打开时每家企业一个节点")
flow = data.material_flow(version, principal, f.year, f.as_of, f.township, by_enterprise)
gaps = flow.gaps()
cols = st.columns(3)
cols[0].metric("进入（吨，折REO）", f"{float(flow.entering()):,.3f}",
               help="采购、进口、期初库存及红色差额来源之和；与流出之和相等")
cols[1].metric("差额合计（吨）", f"{float(sum((g.tonnes for g in gaps), start=0)):,.3f}")
cols[2].metric("差额流（条）", len(gaps))

title = f"{f.year}年{f.township or '全市'}稀土物料流向（折REO，月报{f.months}）"
c = sources.caption(version, principal, f, title, TABLES)
height = max(520, 120 + 28 * len(flow.nodes))
fig = figures.memo(("flows", version, principal, f, by_enterprise),
                   lambda: flow_chart.sankey(flow, c, Look(height=height)))
downloads.show_chart(fig, key="flows_sankey")
st.caption("灰色为有据可查的流向：采购与产量、库存取自企业月报（只计截至日期前已结束的月份），销售去向取自稀土专用发票"
           "（作废不计，红冲按负数计）和出口报关单，国内矿产品按资源税完税证明分为有、无完税证明。"
           "红色为账目对不上的差额：原料来源不明（R04）、无完税证明（R07）、无票据销量或票据多于销量（R05）、"
           "贸易来源不明（R12）、库存差额（期初+产量−销量与报送的期末库存不符）。")

enterprises = flow.enterprises()
if enterprises:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        picked = st.selectbox("图中企业", list(enterprises), format_func=lambda u: enterprises.get(u, u),
                              index=None, placeholder="选择企业", key="flows_enterprise", width=360)
        if st.button("打开企业档案", key="flows_open", disabled=picked is None, icon=":material/business:"):
            links.open_profile(str(picked))

left, right = st.columns(2)
with left:
    st.subheader("差额流", anchor=False)
    gap_table = flow.table(gaps_only=True)
    tables.show(gap_table, LINK_COLUMNS, key="flows_gaps", empty="没有账目对不上的差额")
    downloads.table(gap_table, LINK_COLUMNS, key="flows_gaps_xlsx", title=f"{title}·差额流", source=c.source)
with right:
    st.subheader("最大的流向（前15条）", anchor=False)
    top = flow.table(limit=15)
    tables.show(top, LINK_COLUMNS, key="flows_top", empty="没有流向数据")
    downloads.table(flow.table(), LINK_COLUMNS, key="flows_all_xlsx", title=f"{title}·全部流向", source=c.source)
