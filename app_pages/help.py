"""帮助: what each page shows, what 截至 means, every rule with its clause and tolerance, how to import, who to ask."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.db import settings
from supervision.core import guide
from supervision.core.safety import md_escape

cfg = settings()

st.title("帮助")
topic = st.query_params.get("topic", "")
if topic in guide.PAGE_HELP:
    st.info(md_escape(guide.PAGE_HELP[topic]), icon=":material/help:")

st.header("各页面显示什么", anchor="pages")
for text in guide.PAGE_HELP.values():
    st.markdown(f"- {md_escape(text)}")

st.header("“截至”是什么意思", anchor="as-of")
st.markdown(guide.AS_OF_TEXT)

st.header("核查规则", anchor="rules")
st.caption("每条规则对应《太仓市持续加强稀土行业秩序整顿工作方案》（太政办〔2019〕107号）或苏政发〔2012〕6号的条款；"
           "容差为当前配置（config.toml 的 [tolerances]）。")
rules = pd.DataFrame([{"规则": h.rule.id, "名称": h.rule.name, "严重程度": h.rule.severity, "依据条款": h.rule.clause,
                       "核查内容": h.checks, "容差": h.tolerance, "示例": h.example}
                      for h in guide.rule_help(cfg)])
st.dataframe(rules, hide_index=True, key="help_rules", column_config={
    "核查内容": st.column_config.TextColumn(width="large"), "示例": st.column_config.TextColumn(width="medium")})

st.header("红黄绿灯", anchor="lights")
for colour, meaning in guide.LIGHTS:
    st.markdown(f"- **{md_escape(colour)}**：{md_escape(meaning)}")

st.header("如何导入数据", anchor="import")
for number, step in enumerate(guide.IMPORT_STEPS, start=1):
    st.markdown(f"{number:d}. {md_escape(step)}")

st.header("问谁", anchor="contact")
st.markdown(md_escape(cfg.display.help_contact))
