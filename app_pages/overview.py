"""总览: what a leader asks first: how many enterprises where, and how current the data is."""

import streamlit as st

from components import charts, data
from components.db import current_data_version
from components.session import current_principal
from supervision.spec import TABLES_BY_KEY

principal = current_principal()
version = current_data_version()

st.title("稀土行业秩序整顿 · 总览")
if data.holds_demo_data(version):
    st.warning("当前为演示数据：企业名称、代码和数字均为虚构，仅用于演示。", icon=":material/info:")

counts = data.enterprise_counts(version, principal, None)
freshness = data.table_freshness(version, principal, None)
directory = freshness.set_index("table")

total = int(counts["n"].sum())
by_category = counts.groupby("category", sort=False)["n"].sum()
cols = st.columns(len(by_category) + 1)
cols[0].metric("稀土企业（家）", total)
for col, (category, n) in zip(cols[1:], by_category.items(), strict=True):
    col.metric(category, int(n))

st.plotly_chart(charts.enterprises_by_township(counts), key="overview_enterprises")
imported = directory.loc["enterprises", "imported_at"]
st.caption(f"数据来源：{TABLES_BY_KEY['enterprises'].name}（工信局、市场监管局）；数据截至：{imported:%Y-%m-%d %H:%M}"
           if imported is not None and imported == imported else "数据来源：企业名录；尚未导入数据")

st.subheader("各类数据的截至日期")
st.dataframe(
    freshness.rename(columns={"name": "数据表", "table": "英文表名", "rows": "行数", "as_of": "数据截至",
                              "imported_at": "最近导入"}),
    hide_index=True,
    key="overview_freshness",
)
