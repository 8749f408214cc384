"""处罚与黑名单: record a penalty decision, and put an enterprise on the blacklist until a date."""


import streamlit as st

from components import live
from components import record_form as rf
from components.session import current_principal
from supervision.core.findings import RULES_BY_ID
from supervision.core.keys import record_key
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry.forms import FormRow, local_today

TABLE, PREFIX = "penalties", "pn"
FIELDS = ["case_no", "uscc", "decided_on", "department", "violation", "measure", "fine_yuan", "blacklisted_until"]
MEASURES = ["责令停产", "罚款", "没收违法所得", "吊销许可证", "警告", "列入黑名单"]
NEW, UPDATE = "新增处罚决定", "修改已有记录"

principal = current_principal()
st.title("行政处罚与黑名单")
rf.require_writable(principal, TABLE)
spec = TABLES_BY_KEY[TABLE]
st.caption("太政办〔2019〕107号 四（十一）：依法从严惩处，健全企业“黑名单”制度。填写黑名单截止日期即列入黑名单。")
rf.show_flash(PREFIX)

enterprises = live.enterprise_options(principal)
label_of = rf.enterprise_label(enterprises)
listed = live.penalties(principal)
mode = st.segmented_control("操作", [NEW, UPDATE], default=NEW, key="pn_mode", label_visibility="collapsed")

if mode == UPDATE:
    if listed.empty:
        st.info("暂无处罚记录。")
        st.stop()
    by_case = listed.set_index("case_no")
    case_no = st.selectbox(
        "处罚记录", by_case.index.tolist(), index=None, placeholder="选择案件", key="pn_pick",
        format_func=lambda c: f"{c} · {by_case.loc[c, 'enterprise_name']} · {by_case.loc[c, 'decided_on']}")
    if case_no is None:
        st.stop()
    key = {"case_no": case_no}
    found = live.load_record(principal, TABLE, key)
    if found is None:
        st.warning("该记录已不存在，请刷新。")
        st.stop()
    record, version = found
    row = record_key((case_no,))
    loaded = rf.bind(PREFIX, f"edit:{row}", {row: (record, version)}, rf.record_widgets(PREFIX, spec, record, FIELDS))
else:
    key, record, row = None, None, "new"
    defaults = {"decided_on": local_today(), "department": principal.department or ""}
    loaded = rf.bind(PREFIX, "new", {row: (None, None)}, rf.record_widgets(PREFIX, spec, None, FIELDS, defaults))

# A free-text violation or measure already stored stays selectable as it was written.
stored_violation = record.get("violation") if record else None
stored_measure = record.get("measure") if record else None
violations = list(RULES_BY_ID) + ([stored_violation] if stored_violation and stored_violation not in RULES_BY_ID
                                  else [])
measures = MEASURES + ([stored_measure] if stored_measure and stored_measure not in MEASURES else [])

with st.form("pn_form"):
    c1, c2 = st.columns([1, 2])
    rf.field_input(PREFIX, spec, "case_no", container=c1, disabled=record is not None,
                   placeholder="如 太工信罚〔2019〕1号")
    rf.field_input(PREFIX, spec, "uscc", container=c2, options=enterprises["uscc"].tolist(), format_func=label_of)
    c3, c4, c5 = st.columns(3)
    rf.field_input(PREFIX, spec, "decided_on", container=c3)
    rf.field_input(PREFIX, spec, "department", container=c4)
    rf.field_input(PREFIX, spec, "fine_yuan", container=c5, help="元，最多2位小数")
    c6, c7, c8 = st.columns(3)
    rf.field_input(PREFIX, spec, "violation", container=c6, options=violations, accept_new=True,
                   format_func=lambda r: f"{r} {RULES_BY_ID[r].name}" if r in RULES_BY_ID else r,
                   help="选择核查规则，或直接输入违法行为")
    rf.field_input(PREFIX, spec, "measure", container=c7, options=measures, accept_new=True,
                   help="选择或直接输入处罚措施")
    rf.field_input(PREFIX, spec, "blacklisted_until", container=c8, help="留空表示不列入黑名单")
    submitted = st.form_submit_button("保存", type="primary", key="pn_submit")
if submitted or rf.overwrite_requested(PREFIX):
    stored = loaded.record(row)
    values = rf.raw_values(PREFIX, spec, stored)
    form_row = FormRow(values, stored, loaded.version(row), create_only=stored is None)
    rf.submit(PREFIX, principal, TABLE, [form_row],
              saved_text=lambda o: f"已保存处罚记录{str(values.get('case_no')).strip()}")
rf.conflict_panel(PREFIX, principal, TABLE, key)
if key is not None:
    rf.history_panel(PREFIX, principal, TABLE, key)

st.subheader("当前黑名单")
today = local_today()
blacklist = listed[listed["blacklisted_until"].map(lambda d: d is not None and d >= today)] if not listed.empty \
    else listed
if blacklist.empty:
    st.caption("当前没有在黑名单期限内的企业。")
else:
    st.dataframe(
        blacklist[["enterprise_name", "uscc", "township", "case_no", "decided_on", "blacklisted_until"]].rename(
            columns={"enterprise_name": "企业", "uscc": "统一社会信用代码", "township": "镇区", "case_no": "案件编号",
                     "decided_on": "决定日期", "blacklisted_until": "黑名单截止日期"}),
        hide_index=True, key="pn_blacklist")
