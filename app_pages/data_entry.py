"""数据上传: upload a package (xlsx, csv or zip), see what it would change, confirm; download templates and forms."""

import streamlit as st

from components import live
from components import record_form as rf
from components import upload_panel as up
from components.db import settings
from components.session import current_principal
from supervision.access.permissions import writable_tables
from supervision.core.safety import md_escape
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry.forms import local_today
from supervision.ingest import word_forms, workbook_templates

principal = current_principal()
st.title("数据上传")
tables = [t for t in TABLES_BY_KEY if t in writable_tables(principal, settings().security)]
if not tables:
    st.info("本账号没有可导入的数据表。")
    st.stop()
own_town = principal.township_scope
scope = f"（仅限{md_escape(own_town)}的数据）" if own_town else ""

upload_tab, template_tab = st.tabs(["上传导入", "模板下载"])

with upload_tab:
    up.show_result()
    st.caption(f"本账号可导入：{'、'.join(md_escape(TABLES_BY_KEY[t].name) for t in tables)}{md_escape(scope)}。"
               f"支持.xlsx工作簿（每张表一个工作表）、.csv文件（文件名为表名）或装有CSV的.zip压缩包，"
               f"单个文件不超过{up.limit_mb():d} MB。上传后先校验预览，确认后才写入数据库。")
    upload = st.file_uploader("选择文件", type=["xlsx", "csv", "zip"], key=up.uploader_key(),
                              max_upload_size=up.widget_limit_mb())
    if upload is not None:
        refused = up.refusal(upload.name, upload.size)
        if refused:
            st.error(md_escape(refused), icon=":material/block:")
            st.stop()
        data = upload.getvalue()
        preview = up.pending(data, upload.name) or up.run_preview(data, upload.name, principal)
        up.show_preview(preview, "upload")
        left, right = st.columns(2)
        if left.button("确认导入", type="primary", key="upload_confirm", disabled=not preview.writable,
                       icon=":material/done_all:"):
            up.confirm(data, upload.name, principal, preview)
        if right.button("取消", key="upload_cancel", icon=":material/close:"):
            up.cancel()

with template_tab:
    towns = [own_town] if own_town else None
    st.subheader("Excel填报模板")
    st.caption("模板按数据交换规范生成：中文表头、下拉选项、日期和数字格式、填写说明与示例（示例在“说明”工作表，不会被导入）。"
               "填好后直接在“上传导入”中上传。")
    chosen = st.selectbox("数据表", tables, format_func=lambda t: TABLES_BY_KEY[t].name, key="template_table",
                          placeholder="请选择")
    left, right = st.columns(2)
    left.download_button(
        f"下载“{md_escape(TABLES_BY_KEY[chosen].name)}”模板",
        data=lambda: workbook_templates.table_template(chosen, settings(), towns),
        file_name=workbook_templates.template_filename(chosen), mime=workbook_templates.XLSX_MIME, key="template_one",
        on_click="ignore", icon=":material/download:")
    right.download_button(
        f"下载整套数据包模板（{len(tables)}张表）",
        data=lambda: workbook_templates.package_template(tables, settings(), towns),
        file_name=workbook_templates.template_filename(None), mime=workbook_templates.XLSX_MIME, key="template_package",
        on_click="ignore", icon=":material/download:")

    printable = [t for t in ("self_checks", "township_reports") if t in tables]
    if printable:
        st.subheader("打印用表格（Word）")
        year = st.selectbox("年度", rf.years(), index=rf.default_year_index(), key="print_year", placeholder="请选择")
        if "self_checks" in printable:
            enterprises = live.enterprise_options(principal)
            chosen_uscc = st.selectbox("企业（留空则打印空白表）", enterprises["uscc"].tolist(), index=None,
                                       format_func=rf.enterprise_label(enterprises), key="print_enterprise",
                                       placeholder="空白表")
            details = None
            if chosen_uscc is not None:
                details = enterprises.set_index("uscc").loc[chosen_uscc].to_dict() | {"uscc": chosen_uscc}
            st.download_button(
                "下载企业自查表（附件1）",
                data=lambda: word_forms.self_check_form(settings(), year=year, enterprise=details),
                file_name=f"企业自查表_{year}.docx", mime=word_forms.DOCX_MIME, key="print_self_check",
                on_click="ignore", icon=":material/print:")
        if "township_reports" in printable:
            town_options = [own_town] if own_town else rf.records_towns()
            township = st.selectbox("镇（区）（留空则打印空白表）", town_options, index=0 if own_town else None,
                                    key="print_township", placeholder="空白表")

            def township_form() -> bytes:
                if township is None:
                    return word_forms.township_report_form(settings(), year=year)
                listed = live.self_check_status(principal, township, year=year)
                totals = live.township_totals(principal, township, year=year)
                return word_forms.township_report_form(
                    settings(), year=year, township=township, enterprises=listed,
                    totals=totals.iloc[0].to_dict() if not totals.empty else None)

            st.download_button(
                "下载镇（区）自查情况汇总表（附件3）", data=township_form,
                file_name=f"{township or '镇区'}自查情况汇总表_{year}.docx", mime=word_forms.DOCX_MIME,
                key="print_township_report", on_click="ignore", icon=":material/print:")
    st.caption(f"生成于{local_today():%Y-%m-%d}；表格栏目以数据交换规范第1版为准。")
