"""镇（区）自查情况汇总表 (107号 附件3): a township's summary of its self-checks for a year."""

import streamlit as st

from components import live
from components import record_form as rf
from components.db import settings
from components.session import current_principal
from supervision.core.keys import record_key
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry.forms import FormRow

TABLE, PREFIX = "township_reports", "tr"
FIELDS = ["submitted_on", "enterprises_total", "enterprises_checked", "problems_found", "problems_rectified",
          "cases_transferred"]
SUGGESTED = ["enterprises_total", "enterprises_checked", "problems_found", "problems_rectified"]

principal = current_principal()
st.title("镇（区）自查情况汇总表")
rf.require_writable(principal, TABLE)
spec = TABLES_BY_KEY[TABLE]
st.caption("太政办〔2019〕107号 附件3。各镇（区）汇总本辖区企业自查情况，连同书面自查报告报市工信局。")
rf.show_flash(PREFIX)

towns = [principal.township] if principal.township_scope else rf.records_towns()
left, right = st.columns([3, 1])
township = left.selectbox("镇（区）", towns, index=0 if len(towns) == 1 else None, placeholder="选择镇（区）",
                          disabled=len(towns) == 1, key="tr_township")
year = right.selectbox("年度", rf.years(), index=rf.default_year_index(), key="tr_year", placeholder="请选择")
if township is None:
    st.stop()

key = {"township": township, "year": year}
found = live.load_record(principal, TABLE, key)
record, version = found if found else (None, None)
row = record_key((township, year))
loaded = rf.bind(PREFIX, row, {row: (record, version)}, rf.record_widgets(PREFIX, spec, record, FIELDS))
deadline = settings().calendar.for_year(year)["township_report_deadline"]
st.caption((f"已有记录（第{version:d}版），修改后保存。" if record else "尚无该年度的汇总表，填写后保存为新记录。")
           + f"报送截止：{deadline:%Y-%m-%d}。")

totals = live.township_totals(principal, township, year=year)
if not totals.empty:
    suggestion = totals.iloc[0]
    st.caption(f"系统中已录入：企业{int(suggestion['enterprises_total'])}家，其中{int(suggestion['enterprises_checked'])}家报送了"
               f"{year:d}年自查表，发现问题{int(suggestion['problems_found'])}个，已整改{int(suggestion['problems_rectified'])}个。")
    if st.button("按系统数据预填（移送案件数除外）", key="tr_prefill", icon=":material/auto_fix_high:"):
        for column in SUGGESTED:
            st.session_state[rf.widget_key(PREFIX, column)] = str(int(suggestion[column]))

with st.form("tr_form"):
    c1, c2, c3 = st.columns(3)
    rf.field_input(PREFIX, spec, "submitted_on", container=c1)
    rf.field_input(PREFIX, spec, "enterprises_total", container=c2)
    rf.field_input(PREFIX, spec, "enterprises_checked", container=c3)
    c4, c5, c6 = st.columns(3)
    rf.field_input(PREFIX, spec, "problems_found", container=c4)
    rf.field_input(PREFIX, spec, "problems_rectified", container=c5)
    rf.field_input(PREFIX, spec, "cases_transferred", container=c6)
    submitted = st.form_submit_button("保存", type="primary", key="tr_submit")
if submitted or rf.overwrite_requested(PREFIX):
    form_row = FormRow(rf.raw_values(PREFIX, spec, key), loaded.record(row), loaded.version(row),
                       create_only=loaded.record(row) is None)
    rf.submit(PREFIX, principal, TABLE, [form_row], saved_text=lambda o: f"已保存：{township} {year}年自查情况汇总表")
rf.conflict_panel(PREFIX, principal, TABLE, key)
if record is not None:
    rf.history_panel(PREFIX, principal, TABLE, key)
