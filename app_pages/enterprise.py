"""企业档案: one enterprise, everything the departments reported about it; found by search or by ?uscc=."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, figures, filters, lifecycle_panel, mapview, sources, tables
from components.db import current_data_version, settings
from components.session import current_principal
from supervision.core.frames import evidence_table
from supervision.core.safety import md_escape
from supervision.read.flows import LEDGER_COLUMNS
from supervision.reporting import charts
from supervision.reporting.charts import Look
from supervision.storage import reference

principal = current_principal()
version = current_data_version()
f = filters.current(version, principal)

st.title("企业档案")

directory = data.enterprises(version, principal, None, None)
labels = {u: f"{n}（{u}）" for u, n in zip(directory["uscc"], directory["name"], strict=True)}
wanted = (st.query_params.get("uscc") or "").strip().upper() or None
# The widget's key follows the URL, so a deep link or a new search always shows its own enterprise.
chosen = st.selectbox("搜索企业（名称或统一社会信用代码）", list(labels), format_func=labels.get,
                      index=list(labels).index(wanted) if wanted in labels else None,
                      key=f"profile_search_{wanted or 'none'}", placeholder="输入企业名称或代码的任意部分")
if chosen and chosen != wanted:
    st.query_params["uscc"] = chosen
    st.rerun()
if wanted is None:
    st.info("请在上方搜索企业，或从地图、问题线索等页面点击企业进入。", icon=":material/search:")
    st.stop()
info = data.enterprise(version, principal, wanted)
if info is None:
    st.warning(f"没有找到统一社会信用代码为 {md_escape(wanted)} 的企业，或本账号无权查看该企业。",
               icon=":material/warning:")
    st.stop()

records = data.enterprise_records(version, principal, wanted, f.year, f.as_of)
listed = data.blacklist(version, principal, f.as_of, None, None)
on_blacklist = listed[listed["uscc"] == wanted]

st.header(md_escape(info["name"]), anchor=False)
if not on_blacklist.empty:
    until = on_blacklist.iloc[0]["blacklisted_until"]
    st.error(f"黑名单企业：列入黑名单至 {until:%Y-%m-%d}（截至{f.as_of:%Y-%m-%d}）",
             icon=":material/block:")
cols = st.columns(4)
cols[0].metric("企业类别", md_escape(info["category"]))
cols[1].metric("所属镇区", md_escape(info["township"]))
cols[2].metric("生产状态", md_escape(info["status"]))
capacity = info["approved_capacity_t"]
cols[3].metric("核准产能（吨/年）", f"{float(capacity):,.3f}" if capacity else "—")

tabs = st.tabs(["概况", "配额与月报", "发票", "进出口", "环保与自查", "问题线索", "处罚与黑名单"])
with tabs[0]:
    left, right = st.columns([2, 3])
    with left:
        group_quota = reference.group_quota(f.year, info["group_name"])
        rows = {
            "统一社会信用代码": info["uscc"],
            "企业名称": info["name"],
            "地址": info["address"] or "—",
            "所属集团": info["group_name"] or "—",
            "坐标（WGS-84）": f"{info['lon']}, {info['lat']}" if info["lon"] is not None else "未提供",
            "环评批复": {True: "是", False: "否"}.get(info["eia_approved"], "未填报"),
            "环保竣工验收": {True: "是", False: "否"}.get(info["eia_accepted"], "未填报"),
            "最近清洁生产审核": str(info["last_clean_audit"] or "未填报"),
        }
        if group_quota is not None:
            rows["集团全国冶炼分离指标"] = (f"{float(group_quota.smelting_t):,.0f} 吨（{group_quota.year}年全年，"
                                          f"{group_quota.reliability}；来源：data/quota_2019_by_group.csv）")
        # st.table renders its cells as markdown: every cell escaped.
        st.table({"项目": [md_escape(k) for k in rows], "内容": [md_escape(v) for v in rows.values()]})
        st.caption(md_escape(sources.caption(version, principal, f, "", ("enterprises",)).footnote))
    with right:
        measures = data.township_measures(version, principal, f.year, f.as_of, None)
        c = sources.caption(version, principal, f, "企业位置", ("enterprises",))
        mapview.draw(measures, "location", directory[directory["uscc"] == wanted], c, Look(height=380),
                     selected=info["township"], key_prefix="profile", highlight=wanted, clickable=False,
                     scope=(version, principal, f))

with tabs[1]:
    reports, trace = records["monthly_reports"], records["traceability"]
    c = sources.caption(version, principal, f, f"{f.year}年月度产量、销量与追溯数据",
                        ("monthly_reports", "traceability"))
    fig = figures.memo(("profile_monthly", version, principal, f, wanted),
                       lambda: charts.enterprise_monthly(reports, trace, c, Look(height=380)))
    downloads.show_chart(fig, key="profile_monthly", name=f"{info['name']}{f.year}年月度产量销量")
    st.markdown("**总量控制指标（历年，按批次）**")
    tables.show(records["quotas"], {"year": "年度", "batch": "批次", "kind": "指标类型", "quota_t": "指标（吨）"},
                key="profile_quotas", empty="没有下达指标")
    st.markdown(f"**{f.year}年月报**")
    tables.show(reports, {"period": "月份", "purchase_ore_domestic_t": "采购国内矿",
                          "purchase_ore_imported_t": "采购进口矿",
                          "purchase_compound_t": "采购富集物及化合物", "purchase_scrap_t": "采购废料",
                          "production_t": "产量", "sales_t": "销量", "inventory_t": "产品库存",
                          "raw_inventory_t": "原料库存", "toll_processing_t": "受托加工", "submitted_on": "报送日期"},
                key="profile_reports",
                empty=sources.when_empty(version, principal, f, ("monthly_reports",), "本年度没有月报"),
                source=sources.caption(version, principal, f, "", ("monthly_reports",)).footnote)
    st.markdown(f"**{f.year}年物料平衡台账（折REO，吨）**")
    ledger = data.enterprise_ledger(version, principal, wanted, f.year, f.as_of)
    st.caption("原料：期初原料库存+四类采购−期末原料库存=原料消耗（推算），产量超过原料消耗的"
               f"{md_escape(settings().tolerances.raw_material_factor)}倍即不平；产品：期初产品库存+产量−销量=期末库存，"
               "与报送的期末库存相差超过允许偏差即不平。不平的月份以红色标出，旁列开票、追溯和完税证明数。")
    tables.show(ledger, LEDGER_COLUMNS, key="profile_ledger", flag="closes", empty="本年度没有可核算的月报")
    downloads.table(ledger, LEDGER_COLUMNS, key="profile_ledger_xlsx", title=f"{info['name']}{f.year}年物料平衡台账",
                    source="企业月报、稀土专用发票、追溯系统、资源税完税证明", scope=f.describe())

with tabs[2]:
    invoices = records["invoices"]
    names = data.counterparty_names(version, principal,
                                    tuple(sorted(set(invoices["seller_uscc"]) | set(invoices["buyer_uscc"]))))
    shown = invoices.assign(seller=[names.get(u, u) for u in invoices["seller_uscc"]],
                            buyer=[names.get(u, u) for u in invoices["buyer_uscc"]])
    for direction, label in (("销项", "开出（销项）"), ("进项", "取得（进项）")):
        part = shown[shown["direction"] == direction]
        st.markdown(f"**{md_escape(label)}发票：{len(part)}张**")
        tables.show(part, {"invoice_no": "发票号码", "issued_on": "开票日期", "seller": "销方", "buyer": "购方",
                           "product_category": "产品类别", "product_name": "品名", "reo_t": "折REO（吨）",
                           "amount_yuan": "金额（元）", "status": "状态"},
                    key=f"profile_invoices_{direction}", empty="无")
    st.caption(md_escape(sources.caption(version, principal, f, "", ("invoices",)).footnote))

with tabs[3]:
    st.markdown("**进出口许可证（当年有效）**")
    tables.show(records["licenses"], {"license_no": "许可证号", "direction": "进出口", "hs_code": "商品编码",
                                      "quantity_t": "许可数量（吨）", "valid_from": "有效期起", "valid_to": "有效期止"},
                key="profile_licenses", empty="无",
                source=sources.caption(version, principal, f, "", ("licenses",)).footnote)
    st.markdown("**报关单**")
    tables.show(records["customs"], {"declaration_no": "报关单号", "declared_on": "申报日期", "direction": "进出口",
                                     "hs_code": "商品编码", "product_name": "商品名称", "quantity_t": "数量（吨）",
                                     "reo_t": "折REO（吨）", "country": "国别", "license_no": "许可证号",
                                     "inspection_no": "法检批次号"},
                key="profile_customs", empty="无",
                source=sources.caption(version, principal, f, "", ("customs",)).footnote)

with tabs[4]:
    st.markdown("**环保监管记录**")
    tables.show(records["environment"], {"record_id": "记录编号", "recorded_on": "发现日期", "kind": "问题类型",
                                         "description": "情况说明", "resolved_on": "整改完成日期"},
                key="profile_environment", empty="无",
                source=sources.caption(version, principal, f, "", ("environment",)).footnote)
    st.markdown("**企业自查表（附件1）**")
    tables.show(records["self_checks"], {"year": "年度", "submitted_on": "报送日期", "problems_found": "发现问题",
                                         "problems_rectified": "已整改", "description": "问题及整改情况"},
                key="profile_self_checks", empty="未报送自查表",
                source=sources.caption(version, principal, f, "", ("self_checks",)).footnote)

with tabs[5]:
    found = data.enterprise_findings(version, principal, f.year, f.as_of, wanted, info["township"])
    st.markdown(f"**{f.year}年检查发现的问题（截至{f.as_of:%Y-%m-%d}）：{len(found)}条**")
    if found.empty:
        st.caption("本年度未发现问题。")
    for i, finding in found.iterrows():
        title = f"{finding['rule']} {finding['rule_name']}（{finding['severity']}）：{finding['message']}"
        with st.expander(md_escape(title),
                         expanded=i == 0):
            st.caption(f"依据：{md_escape(finding['clause'])}；对象：{md_escape(finding['subject'])}")
            tables.show(evidence_table(finding["rows"]), {"table": "数据表", "key": "记录", "label": "内容"},
                        key=f"profile_evidence_{i}")
    lifecycle_panel.enterprise_history(principal, wanted, f.year)
    st.markdown("**举报线索**")
    tables.show(records["tipoffs"], {"tipoff_id": "线索编号", "received_on": "受理日期", "channel": "来源",
                                     "summary": "线索摘要", "department": "承办部门", "status": "办理状态",
                                     "resolved_on": "办结日期", "feedback_on": "反馈日期"},
                key="profile_tipoffs", empty="无",
                source=sources.caption(version, principal, f, "", ("tipoffs",)).footnote)

with tabs[6]:
    if on_blacklist.empty:
        st.success(f"截至{f.as_of:%Y-%m-%d}不在黑名单中。", icon=":material/check_circle:")
    tables.show(records["penalties"], {"case_no": "案件编号", "decided_on": "决定日期", "department": "处罚部门",
                                       "violation": "违法行为", "measure": "处罚措施", "fine_yuan": "罚款（元）",
                                       "blacklisted_until": "黑名单截止"},
                key="profile_penalties", empty="没有行政处罚记录",
                source=sources.caption(version, principal, f, "", ("penalties",)).footnote)
