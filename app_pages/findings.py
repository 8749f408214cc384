"""问题线索: tip-offs with their feedback deadlines, penalties and the blacklist."""

from __future__ import annotations

import streamlit as st

from components import data, filters, sources, tables
from components.db import current_data_version, settings
from components.session import current_principal

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)

st.title("问题线索")
st.caption(f.describe())

st.subheader("举报线索")
tips = data.tipoffs(version, principal, f.year, f.as_of, f.township)
late = int(tips["overdue"].sum()) if not tips.empty else 0
st.caption(f"{f.year}年受理{len(tips)}条，反馈超期{late}条（受理后{settings().tolerances.tipoff_feedback_days}天内应反馈举报人）。")
tables.show(tips.assign(overdue=tips["overdue"].map({True: "超期", False: ""})),
            {"tipoff_id": "线索编号", "received_on": "受理日期", "channel": "来源", "township": "镇区",
             "subject_name": "被举报对象", "summary": "线索摘要", "department": "承办部门", "status": "办理状态",
             "feedback_due": "反馈期限", "feedback_on": "反馈日期", "overdue": "反馈超期"},
            key="findings_tipoffs", empty="本年度没有举报线索",
            source=sources.caption(version, principal, f, "", ("tipoffs",)).footnote)

left, right = st.columns(2)
with left:
    st.subheader("行政处罚")
    pens = data.penalties(version, principal, f.year, f.as_of, f.township, f.category)
    tables.show(pens, {"case_no": "案件编号", "decided_on": "决定日期", "name": "企业", "township": "镇区",
                       "department": "处罚部门", "violation": "违法行为", "measure": "处罚措施", "fine_yuan": "罚款（元）"},
                key="findings_penalties", empty="本年度没有行政处罚",
                source=sources.caption(version, principal, f, "", ("penalties",)).footnote)
with right:
    st.subheader(f"黑名单（截至{f.as_of:%Y-%m-%d}）")
    listed = data.blacklist(version, principal, f.as_of, f.township, f.category)
    tables.show(listed, {"name": "企业", "township": "镇区", "category": "类别", "since": "列入日期",
                         "blacklisted_until": "截止日期"},
                key="findings_blacklist", empty="没有在黑名单期内的企业",
                source=sources.caption(version, principal, f, "", ("penalties",)).footnote)
