"""督查评分: township ranking, the score by section and item from the imported table, deductions, year on year."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, sources, tables
from components.db import current_data_version
from components.session import current_principal
from supervision.core.frames import score_change_table
from supervision.core.safety import md_escape
from supervision.reporting import charts
from supervision.reporting.charts import Look

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)

st.title("督查评分")
st.caption(md_escape(f.describe()))
SOURCE = ("scoring_items", "inspection_scores")

items = data.scoring_table(version, principal, f.year)
if items.empty:
    st.info(f"{f.year}年的督查评价表（附件2）尚未导入：请先导入“督查评价表条目”，再导入各镇区的“督查评分”。")
    st.stop()

years = sorted(y for y in data.data_years(version, principal) if y <= f.year)
previous = max((y for y in years if y < f.year), default=None)
totals = data.score_totals(version, principal, (f.year,) + ((previous,) if previous else ()), f.as_of,
                         f.township)
current_totals = totals[totals["year"] == f.year]
scores = data.inspection_scores(version, principal, f.year, f.as_of, f.township)

left, right = st.columns([2, 3])
with left:
    c = sources.caption(version, principal, f, f"{f.year}年各镇（区）督查总分排名", SOURCE)
    fig = figures.memo(("scoring_ranking", version, principal, f), lambda: charts.score_ranking(
        current_totals, c, Look(height=max(320, 80 + 50 * len(current_totals)))))
    downloads.show_chart(fig, key="scoring_ranking")
with right:
    c = sources.caption(version, principal, f, f"{f.year}年分项得分率（按评价表条目）", SOURCE)
    fig = figures.memo(("scoring_breakdown", version, principal, f), lambda: charts.score_breakdown(
        scores, c, Look(height=max(320, 120 + 50 * scores["township"].nunique()))))
    downloads.show_chart(fig, key="scoring_breakdown")

sections = data.section_scores(version, principal, f.year, f.as_of, f.township)
c = sources.caption(version, principal, f, f"{f.year}年各镇（区）分类得分（按评价表类别）", SOURCE)
fig = figures.memo(("scoring_sections", version, principal, f), lambda: charts.section_shares(
    sections, c, Look(height=max(300, 120 + 44 * sections["township"].nunique()))))
downloads.show_chart(fig, key="scoring_sections")

st.subheader("扣分明细")
deductions = scores[scores["deduction"] > 0]
DEDUCTION_COLUMNS = {"township": "镇区", "section": "类别", "item_code": "条目", "item": "评价内容",
                     "max_score": "分值", "score": "得分", "deduction": "扣分", "note": "扣分说明",
                     "inspector": "督查人员", "inspected_on": "督查日期"}
source = sources.caption(version, principal, f, "", SOURCE).footnote
tables.show(deductions, DEDUCTION_COLUMNS, key="scoring_deductions",
            empty=sources.when_empty(version, principal, f, SOURCE, "本年度没有扣分项"), source=source)
downloads.table(deductions, DEDUCTION_COLUMNS, key="scoring_deductions_xlsx", title=f"{f.year}年督查扣分明细",
                source=source, scope=f.describe())

st.subheader("与上年比较")
if previous is None:
    st.caption("没有更早年度的督查评分可供比较。")
else:
    c = sources.caption(version, principal, f, f"{previous}年与{f.year}年得分率比较", SOURCE)
    fig = figures.memo(("scoring_change", version, principal, f),
                       lambda: charts.score_change(totals, c, Look(height=380)))
    downloads.show_chart(fig, key="scoring_change")
    tables.show(score_change_table(totals, f.year, previous),
                {"township": "镇区", "before": f"{previous}年得分率", "this": f"{f.year}年得分率", "change": "变化"},
                key="scoring_yoy")
    st.caption("两年的评价表条目和满分可能不同，故以得分率（得分÷所评条目满分）比较。")

with st.expander(f"{f.year}年督查评价表（附件2，按导入数据）"):
    tables.show(items, {"item_code": "条目编号", "section": "类别", "item": "评价内容", "max_score": "分值"},
                key="scoring_items")
