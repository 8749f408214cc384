"""环保问题整改: close an environment finding with its rectification date (R13 stops firing once resolved)."""

import streamlit as st

from components import live
from components import record_form as rf
from components.session import current_principal
from supervision.core.keys import record_key
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry.forms import FormRow

TABLE, PREFIX = "environment", "ev"
FIELDS = ["resolved_on", "description"]

principal = current_principal()
st.title("环保问题整改")
rf.require_writable(principal, TABLE)
spec = TABLES_BY_KEY[TABLE]
st.caption("生态环境局：登记环保问题的整改完成日期。问题记录本身由“环保监管记录”导入。")
rf.show_flash(PREFIX)

show_all = st.toggle("同时显示已整改的记录", key="ev_all")
found_records = live.environment_records(principal, open_only=not show_all)
if found_records.empty:
    st.info("没有未整改的环保问题记录。" if not show_all else "暂无环保监管记录。")
    st.stop()
by_id = found_records.set_index("record_id")


def describe(record_id: str) -> str:
    r = by_id.loc[record_id]
    state = "已整改" if r["resolved_on"] is not None else "未整改"
    return f"{record_id} · {r['enterprise_name']} · {r['recorded_on']} · {r['kind']} · {state}"


record_id = st.selectbox("环保问题记录", by_id.index.tolist(), format_func=describe, index=None,
                         placeholder="选择记录", key="ev_record")
if record_id is None:
    st.stop()

key = {"record_id": record_id}
found = live.load_record(principal, TABLE, key)
if found is None:
    st.warning("该记录已不存在，请刷新。")
    st.stop()
record, version = found
row = record_key((record_id,))
loaded = rf.bind(PREFIX, row, {row: (record, version)}, rf.record_widgets(PREFIX, spec, record, FIELDS))
current = by_id.loc[record_id]
st.dataframe(
    {"企业": [current["enterprise_name"]], "统一社会信用代码": [record["uscc"]], "镇区": [current["township"]],
     "发现日期": [str(record["recorded_on"])], "问题类型": [record["kind"]]},
    hide_index=True, key="ev_details",
)

with st.form("ev_form"):
    rf.field_input(PREFIX, spec, "resolved_on", help="整改完成后填写；不能早于发现日期，不能晚于今天")
    rf.field_input(PREFIX, spec, "description", area=True)
    submitted = st.form_submit_button("保存", type="primary", key="ev_submit")
if submitted or rf.overwrite_requested(PREFIX):
    stored = loaded.record(row)
    form_row = FormRow(rf.raw_values(PREFIX, spec, stored), stored, loaded.version(row))
    rf.submit(PREFIX, principal, TABLE, [form_row], saved_text=lambda o: f"已保存环保问题记录{record_id}的整改情况")
rf.conflict_panel(PREFIX, principal, TABLE, key)
rf.history_panel(PREFIX, principal, TABLE, key)
