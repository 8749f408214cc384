"""会议材料: the meeting pack (.pptx/.pdf) and the self-check reports (.docx) for the year, township and as-of date."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, filters
from components.db import current_data_version
from components.session import current_principal
from supervision.core.safety import md_escape

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)

st.title("会议材料")
st.caption(f"{f.year}年 · {md_escape(f.township or '全市')} · 截至{f.as_of:%Y-%m-%d}（会议材料和报告不按企业类别筛选）")
if data.holds_demo_data(version):
    st.warning("当前为演示数据：企业名称、代码和数字均为虚构，生成的材料仅用于演示。", icon=":material/info:")

st.subheader("会议材料（PPT / PDF）")
st.caption("16:9幻灯片：封面、关键指标、镇区分布图、配额执行、工作进度（红黄绿灯）、督查评分排名、主要问题、"
           "重点企业、逾期事项、数据来源；每页附讲稿（备注），用句子说明图表中的数字。PDF与PPT内容相同。")
downloads.meeting_pack(version, principal, f)

st.subheader("自查报告（Word）")
st.caption("按“一、基本情况 二、主要做法 三、排查发现的问题及查处情况 四、整改落实和长效机制 五、存在问题和下步打算”"
           "生成，数字和表格取自平台数据；标有【请补充】处由填报单位补充，核实后签章报送（附件4，8月13日前）。")
if principal.township_scope:
    downloads.report_download(version, principal, f, principal.township_scope, key="report_own")
else:
    towns = data.township_names(version, principal)
    chosen = st.selectbox("镇区", towns, index=towns.index(f.township) if f.township in towns else None,
                          key="report_township", placeholder="选择镇区", width=320)
    if chosen:
        downloads.report_download(version, principal, f, chosen, key="report_township")
    st.subheader("市汇总（Word）")
    st.caption("全市各镇（区）情况汇总，结构同上，含各镇（区）对比表（市工信局汇总上报，8月31日前）。")
    downloads.report_download(version, principal, f, None, key="report_city")
