"""举报线索: register a tip-off and follow it through 已受理 → 核查中 → 已办结 and the feedback to the reporter."""


import streamlit as st

from components import live
from components import record_form as rf
from components.db import settings
from components.session import current_principal
from supervision.core.keys import record_key
from supervision.core.spec import TABLES_BY_KEY, TIPOFF_STATUSES
from supervision.entry.forms import FormRow, local_today

TABLE, PREFIX = "tipoffs", "tp"
FIELDS = ["tipoff_id", "received_on", "channel", "township", "subject_name", "subject_uscc", "summary", "department",
          "status", "resolved_on", "feedback_on"]
NEW, UPDATE = "登记新线索", "更新办理情况"

principal = current_principal()
st.title("举报线索")
rf.require_writable(principal, TABLE)
spec = TABLES_BY_KEY[TABLE]
st.caption("太政办〔2019〕107号 四（十）：及时将群众举报、媒体曝光的线索通报相关部门，并及时反馈查处结果"
           f"（受理后{settings().tolerances.tipoff_feedback_days:d}天内反馈）。")
rf.show_flash(PREFIX)

towns = [principal.township] if principal.township_scope else rf.records_towns()
mode = st.segmented_control("操作", [NEW, UPDATE], default=NEW, key="tp_mode", label_visibility="collapsed")
statuses = list(TIPOFF_STATUSES)

if mode == UPDATE:
    open_only = st.toggle("只显示未办结的线索", value=True, key="tp_open_only")
    listed = live.tipoffs(principal)
    if open_only:
        listed = listed[listed["status"] != "已办结"]
    if listed.empty:
        st.info("没有符合条件的线索。")
        st.stop()
    by_id = listed.set_index("tipoff_id")

    def describe(tipoff_id: str) -> str:
        r = by_id.loc[tipoff_id]
        return f"{tipoff_id} · {r['received_on']} · {r['subject_name'] or '（未填对象）'} · {r['status']}"

    tipoff_id = st.selectbox("线索", by_id.index.tolist(), format_func=describe, index=None, placeholder="选择线索",
                             key="tp_pick")
    if tipoff_id is None:
        st.stop()
    key = {"tipoff_id": tipoff_id}
    found = live.load_record(principal, TABLE, key)
    if found is None:
        st.warning("该线索已不存在，请刷新。")
        st.stop()
    record, version = found
    row = record_key((tipoff_id,))
    loaded = rf.bind(PREFIX, f"edit:{row}", {row: (record, version)}, rf.record_widgets(PREFIX, spec, record, FIELDS))
    # The status only moves forward; the form offers the current one and the later ones.
    statuses = statuses[statuses.index(record["status"]):] if record["status"] in statuses else statuses
else:
    key = None
    record = None
    row = "new"
    defaults = {"received_on": local_today(), "status": "已受理", "township": towns[0] if len(towns) == 1 else None,
                "department": principal.department or ""}
    loaded = rf.bind(PREFIX, "new", {row: (None, None)}, rf.record_widgets(PREFIX, spec, None, FIELDS, defaults))

with st.form("tp_form"):
    c1, c2, c3 = st.columns(3)
    rf.field_input(PREFIX, spec, "tipoff_id", container=c1, disabled=record is not None, placeholder="如 JB2019-001")
    rf.field_input(PREFIX, spec, "received_on", container=c2)
    rf.field_input(PREFIX, spec, "channel", container=c3, placeholder="网站、电话、信件、媒体、转办…")
    c4, c5, c6 = st.columns(3)
    rf.field_input(PREFIX, spec, "township", options=towns, container=c4)
    rf.field_input(PREFIX, spec, "subject_name", container=c5)
    rf.field_input(PREFIX, spec, "subject_uscc", container=c6, help="可为空；辖区外企业也可填写，须为有效代码")
    rf.field_input(PREFIX, spec, "summary", area=True)
    c7, c8, c9, c10 = st.columns(4)
    rf.field_input(PREFIX, spec, "department", container=c7)
    rf.field_input(PREFIX, spec, "status", options=statuses, container=c8)
    rf.field_input(PREFIX, spec, "resolved_on", container=c9, help="办理状态为“已办结”时填写")
    rf.field_input(PREFIX, spec, "feedback_on", container=c10, help="查处结果反馈举报人的日期")
    submitted = st.form_submit_button("登记" if record is None else "保存", type="primary", key="tp_submit")
if submitted or rf.overwrite_requested(PREFIX):
    stored = loaded.record(row)
    values = rf.raw_values(PREFIX, spec, stored)
    form_row = FormRow(values, stored, loaded.version(row), create_only=stored is None)
    rf.submit(PREFIX, principal, TABLE, [form_row],
              saved_text=lambda o: f"已{'登记' if stored is None else '保存'}线索{str(values['tipoff_id']).strip()}")
rf.conflict_panel(PREFIX, principal, TABLE, key)
if key is not None:
    rf.history_panel(PREFIX, principal, TABLE, key)
