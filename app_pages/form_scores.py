"""督查评分 (107号 附件2): the inspection team scores a township on each item of the year's evaluation table."""

from decimal import Decimal

import streamlit as st

from components import live
from components import record_form as rf
from components.session import current_principal
from supervision.core.keys import record_key
from supervision.core.safety import md_escape
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry.forms import FormRow, local_today

TABLE, PREFIX = "inspection_scores", "is"

principal = current_principal()
st.title("督查评分")
rf.require_writable(principal, TABLE)
spec = TABLES_BY_KEY[TABLE]
st.caption("太政办〔2019〕107号 五（十三）、附件2：按当年督查评价表逐条评分；评价表条目由“数据上传”导入。")
rf.show_flash(PREFIX)

items_all = live.scoring_items(principal)
if items_all.empty:
    st.info("尚未导入督查评价表条目。请先在“数据上传”中导入当年的“督查评价表条目”。")
    st.stop()
years = sorted({int(y) for y in items_all["year"]}, reverse=True)
left, right = st.columns([3, 1])
township = left.selectbox("被督查镇（区）", rf.records_towns(), index=None, placeholder="选择镇（区）",
                          key="is_township")
year = right.selectbox("年度", years, key="is_year", placeholder="请选择")
if township is None:
    st.stop()

items = items_all[items_all["year"] == year].reset_index(drop=True)
codes = items["item_code"].tolist()
rows: dict[str, tuple[dict | None, int | None]] = {}
widgets: dict[str, object] = {}
for code in codes:
    found = live.load_record(principal, TABLE, {"township": township, "year": year, "item_code": code})
    record, version = found if found else (None, None)
    rows[record_key((township, year, code))] = (record, version)
    widgets.update(rf.record_widgets(PREFIX, spec, record, ["score", "note"], row=code))
first = next((r for r, _ in rows.values() if r is not None), None)
shared = {"inspected_on": local_today(), "inspector": principal.display_name}
widgets.update(rf.record_widgets(PREFIX, spec, first, ["inspected_on", "inspector"], shared))
loaded = rf.bind(PREFIX, f"{township}|{year}", rows, widgets)

scored = [r for r, _ in rows.values() if r is not None]
total = sum((r["score"] for r in scored), Decimal(0))
maximum = sum((Decimal(m) for m in items["max_score"]), Decimal(0))
st.caption(f"已评{len(scored)}/{len(codes)}条，得分{total.normalize():f}，满分{maximum.normalize():f}。")

with st.form("is_form"):
    c1, c2 = st.columns(2)
    rf.field_input(PREFIX, spec, "inspected_on", container=c1)
    rf.field_input(PREFIX, spec, "inspector", container=c2)
    section = None
    for item in items.to_dict("records"):
        if item["section"] != section:
            section = item["section"]
            st.markdown(f"**{md_escape(section)}**")
        code = item["item_code"]
        text, score, note = st.columns([5, 1, 3])
        text.markdown(f"{md_escape(code)}　{md_escape(item['item'])}（{Decimal(item['max_score']).normalize():f}分）")
        rf.field_input(PREFIX, spec, "score", row=code, container=score, label_visibility="collapsed",
                       placeholder="得分")
        rf.field_input(PREFIX, spec, "note", row=code, container=note, label_visibility="collapsed",
                       placeholder="扣分说明")
    submitted = st.form_submit_button("保存评分", type="primary", key="is_submit")

if submitted or rf.overwrite_requested(PREFIX):
    common = rf.raw_values(PREFIX, spec, {"township": township, "year": year})
    form_rows: list[FormRow] = []
    row_codes: list[str] = []
    for code in codes:
        values = rf.raw_values(PREFIX, spec, {**common, "item_code": code}, row=code)
        row = record_key((township, year, code))
        record = loaded.record(row)
        if record is None and not str(values.get("score") or "").strip():
            continue  # not scored yet; an item already scored cannot be emptied (得分 is required)
        form_rows.append(FormRow(values, record, loaded.version(row), create_only=record is None))
        row_codes.append(code)
    if not form_rows:
        st.warning("尚未填写任何得分。")
    else:
        rf.submit(PREFIX, principal, TABLE, form_rows, row_label=lambda i: f"条目{row_codes[i]}",
                  saved_text=lambda o: f"已保存{township}{year}年督查评分（{o.changed}条有变化）")
rf.conflict_panel(PREFIX, principal, TABLE, None)
scored_keys = [(code, {"township": township, "year": year, "item_code": code}) for code in codes
               if loaded.record(record_key((township, year, code))) is not None]
if scored_keys:
    rf.history_panel(PREFIX, principal, TABLE, scored_keys[0][1], more=scored_keys)
