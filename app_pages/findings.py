"""问题线索: the year's findings with their filters and evidence, the risk ranking, tip-offs, penalties, blacklist."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, lifecycle_panel, sources, tables
from components.db import current_data_version, settings
from components.session import current_principal
from supervision.core.findings import RULES, RULES_BY_ID, VIOLATION, WARNING
from supervision.core.frames import evidence_table, findings_per_rule
from supervision.core.safety import md_escape
from supervision.reporting import charts
from supervision.reporting.charts import Look

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)
FINDING_SOURCES = ("quotas", "monthly_reports", "invoices", "traceability", "resource_tax", "licenses", "customs",
                   "environment", "self_checks", "township_reports", "tipoffs")

FINDING_COLUMNS = {"rule": "规则", "rule_name": "名称", "severity": "严重程度", "enterprise_name": "企业",
                   "township": "镇区", "subject": "对象", "message": "说明"}
RANKING_COLUMNS = {"rank": "排名", "name": "企业", "township": "镇区", "category": "类别", "score": "风险分",
                   "violations": "违规", "warnings": "预警", "rules": "规则", "reasons": "依据"}

st.title("问题线索")
st.caption(md_escape(f.describe()))

# `rules=R05,R19` (codes, as README writes them) becomes the picker's own form in the address before it is drawn.
unknown_rules = filters.rules_from_address({r.id: f"{r.id} {r.name}" for r in RULES}, "rules")
filters.notice(unknown_rules)
with st.container(horizontal=True):
    rules = st.multiselect("规则", [r.id for r in RULES], key="rules", bind="query-params",
                           format_func=lambda r: f"{r} {RULES_BY_ID[r].name}", placeholder="全部规则", width=420)
    severity = st.selectbox("严重程度", [VIOLATION, WARNING], index=None, key="severity", bind="query-params",
                            placeholder="全部", width=180)
found = data.findings(version, principal, f.year, f.as_of, f.township, f.category, tuple(rules) or None, severity)
violations = int((found["severity"] == VIOLATION).sum())
cols = st.columns(3)
cols[0].metric("发现问题（条）", len(found))
cols[1].metric("违规", violations)
cols[2].metric("预警", len(found) - violations)

left, right = st.columns([2, 3])
with left:
    counts = findings_per_rule(found)
    c = sources.caption(version, principal, f, f"{f.year}年问题按规则（截至{f.as_of:%Y-%m-%d}）", FINDING_SOURCES)
    fig = figures.memo(("findings_rules", version, principal, f, tuple(rules), severity), lambda: charts.severity_bars(
        counts, c, Look(height=max(300, 110 + 30 * len(counts)), footnote_chars=50)))
    downloads.show_chart(fig, key="findings_rules")
with right:
    st.subheader("问题清单")
    st.caption("选中一行查看证据；对象为企业的，可打开企业档案。")
    shown = tables.for_display(found, FINDING_COLUMNS)
    picked = st.dataframe(shown, hide_index=True, key="findings_table", on_select="rerun",
                          selection_mode="single-row", height=360)
    st.caption(md_escape(sources.caption(version, principal, f, "", FINDING_SOURCES).footnote))
    downloads.table(found, FINDING_COLUMNS, key="findings_table_xlsx", title=f"{f.year}年问题清单",
                    source=sources.caption(version, principal, f, "", FINDING_SOURCES).footnote, scope=f.describe())

st.subheader("问题闭环：交办、整改、核查、销号")
st.caption("每条问题交办给所在镇区或牵头部门，限期整改，整改情况经负责部门核查后销号；误报可申请核销。")
lifecycle_panel.show(principal, f.year, f.township)
lifecycle_panel.ledger_exchange(principal, f.year, f.township)

rows = picked.selection.rows if picked is not None else []
if rows and rows[0] < len(found):
    chosen = found.iloc[rows[0]]
    st.subheader(md_escape(f"{chosen['rule']} {chosen['rule_name']} · {chosen['subject']}"), anchor=False)
    st.markdown(md_escape(chosen["message"]))
    st.caption(f"依据：{md_escape(chosen['clause'])}")
    tables.show(evidence_table(chosen["rows"]), {"table": "数据表", "key": "记录", "label": "内容"},
                key="findings_evidence")
    if chosen["uscc"]:
        if st.button("打开企业档案", key="findings_open_profile", icon=":material/business:"):
            st.switch_page("app_pages/enterprise.py", query_params={"uscc": chosen["uscc"]})

st.subheader("风险排名（优先检查对象）")
ranking = data.risk_ranking(version, principal, f.year, f.as_of, f.township, f.category)
weights = settings().risk
st.caption(f"每条违规计{md_escape(weights.violation)}分、预警计{md_escape(weights.warning)}分；同一规则再次发生按{md_escape(weights.repeat_in_year)}倍加计，"
           f"上年同一规则亦发生的按{md_escape(weights.repeat_previous_year)}倍计（config.toml [risk]）。")
source = sources.caption(version, principal, f, "", FINDING_SOURCES).footnote
tables.show(ranking, RANKING_COLUMNS, key="findings_ranking", empty="本年度没有发现问题的企业", source=source)
downloads.table(ranking, RANKING_COLUMNS, key="findings_ranking_xlsx", title=f"{f.year}年企业风险排名", source=source,
                scope=f.describe())

st.subheader("举报线索")
tips = data.tipoffs(version, principal, f.year, f.as_of, f.township)
late = int(tips["overdue"].sum()) if not tips.empty else 0
st.caption(f"{f.year}年受理{len(tips)}条，反馈超期{late:d}条（受理后{settings().tolerances.tipoff_feedback_days:d}天内应反馈举报人）。")
TIPOFF_COLUMNS = {"tipoff_id": "线索编号", "received_on": "受理日期", "channel": "来源", "township": "镇区",
                  "subject_name": "被举报对象", "summary": "线索摘要", "department": "承办部门", "status": "办理状态",
                  "feedback_due": "反馈期限", "feedback_on": "反馈日期", "overdue": "反馈超期"}
tips = tips.assign(overdue=tips["overdue"].map({True: "超期", False: ""}))
source = sources.caption(version, principal, f, "", ("tipoffs",)).footnote
tables.show(tips, TIPOFF_COLUMNS, key="findings_tipoffs",
            empty=sources.when_empty(version, principal, f, ("tipoffs",), "本年度没有举报线索"), source=source)
downloads.table(tips, TIPOFF_COLUMNS, key="findings_tipoffs_xlsx", title=f"{f.year}年举报线索", source=source,
                scope=f.describe())

left, right = st.columns(2)
with left:
    st.subheader("行政处罚")
    pens = data.penalties(version, principal, f.year, f.as_of, f.township, f.category)
    tables.show(pens, {"case_no": "案件编号", "decided_on": "决定日期", "name": "企业", "township": "镇区",
                       "department": "处罚部门", "violation": "违法行为", "measure": "处罚措施",
                       "fine_yuan": "罚款（元）"},
                key="findings_penalties",
                empty=sources.when_empty(version, principal, f, ("penalties",), "本年度没有行政处罚"),
                source=sources.caption(version, principal, f, "", ("penalties",)).footnote)
with right:
    st.subheader(f"黑名单（截至{f.as_of:%Y-%m-%d}）")
    listed = data.blacklist(version, principal, f.as_of, f.township, f.category)
    tables.show(listed, {"name": "企业", "township": "镇区", "category": "类别", "since": "列入日期",
                         "blacklisted_until": "截止日期"},
                key="findings_blacklist", empty="没有在黑名单期内的企业",
                source=sources.caption(version, principal, f, "", ("penalties",)).footnote)
