"""企业自查表 (107号 附件1): one enterprise's self-check of a year, entered or corrected in a form."""

import streamlit as st

from components import live
from components import record_form as rf
from components.session import current_principal
from supervision.core.keys import record_key
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry.forms import FormRow

TABLE, PREFIX = "self_checks", "sc"
FIELDS = ["submitted_on", "problems_found", "problems_rectified", "description"]

principal = current_principal()
st.title("企业自查表")
rf.require_writable(principal, TABLE)
spec = TABLES_BY_KEY[TABLE]
st.caption("太政办〔2019〕107号 附件1。企业自查后由所在镇（区）录入；多家企业可在“数据上传”中用模板批量导入。")
rf.show_flash(PREFIX)

enterprises = live.enterprise_options(principal)
if enterprises.empty:
    st.info("暂无可填报的企业，请先导入企业名录。")
    st.stop()
left, right = st.columns([3, 1])
uscc = left.selectbox("企业", enterprises["uscc"].tolist(), format_func=rf.enterprise_label(enterprises), index=None,
                      placeholder="选择企业（可输入名称或代码查找）", key="sc_uscc")
year = right.selectbox("年度", rf.years(), index=rf.default_year_index(), key="sc_year", placeholder="请选择")
if uscc is None:
    st.stop()

key = {"uscc": uscc, "year": year}
found = live.load_record(principal, TABLE, key)
record, version = found if found else (None, None)
row = record_key((uscc, year))
loaded = rf.bind(PREFIX, row, {row: (record, version)}, rf.record_widgets(PREFIX, spec, record, FIELDS))
st.caption(f"已有记录（第{version:d}版），修改后保存。" if record else "尚无该年度的自查表，填写后保存为新记录。")

with st.form("sc_form"):
    c1, c2, c3 = st.columns(3)
    rf.field_input(PREFIX, spec, "submitted_on", container=c1)
    rf.field_input(PREFIX, spec, "problems_found", container=c2)
    rf.field_input(PREFIX, spec, "problems_rectified", container=c3)
    rf.field_input(PREFIX, spec, "description", area=True)
    submitted = st.form_submit_button("保存", type="primary", key="sc_submit")
if submitted or rf.overwrite_requested(PREFIX):
    form_row = FormRow(rf.raw_values(PREFIX, spec, key), loaded.record(row), loaded.version(row),
                       create_only=loaded.record(row) is None)
    rf.submit(PREFIX, principal, TABLE, [form_row],
              saved_text=lambda o: f"已保存：{rf.enterprise_label(enterprises)(uscc)} {year}年企业自查表")
rf.conflict_panel(PREFIX, principal, TABLE, key)
if record is not None:
    rf.history_panel(PREFIX, principal, TABLE, key)
