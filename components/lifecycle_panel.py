"""The finding lifecycle on a page: my to-do list, the ledger with lights, one finding's history, files and actions.

Every action goes through supervision.lifecycle.machine.transition (rights, state and version checked there);
this module offers only the actions the domain allows, and shows the domain's Chinese refusal when it refuses.
Evidence files are offered for download only (never rendered), and only after the domain says the finding is
the officer's to see.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd
import streamlit as st

from components import data, tables
from components.db import current_data_version, current_lifecycle_version, engine, settings
from supervision.access.permissions import PermissionDenied
from supervision.core.clock import today_local
from supervision.core.principal import Principal, Role
from supervision.core.safety import md_escape
from supervision.lifecycle import queries as lq
from supervision.lifecycle import states as s
from supervision.lifecycle.files import EvidenceRefused, Upload
from supervision.lifecycle.machine import (
    LINK_ACTION,
    FindingConflict,
    FindingNotFound,
    TransitionRefused,
    allowed_actions,
    link_outcome,
    refusal,
    transition,
)

LEDGER_SHOWN = {"id": "编号", "light": "期限", "state": "状态", "rule": "规则", "rule_name": "名称",
                "enterprise_name": "企业", "township": "镇区", "assignee": "整改责任单位", "deadline": "整改期限",
                "department": "负责部门", "closed_on": "销号日期", "measures": "整改措施"}
TODO_SHOWN = {"id": "编号", "light": "期限", "state": "状态", "waiting_since": "等待自", "rule_name": "问题",
              "enterprise_name": "企业", "assignee": "整改责任单位", "deadline": "整改期限"}
HISTORY_SHOWN = {"day": "日期", "action": "办理", "from_state": "原状态", "to_state": "新状态", "actor": "办理人",
                 "note": "说明/理由", "files": "附件数"}
LIGHTS = {s.RED: "逾期", s.AMBER: "临期", s.GREEN: "期限内"}
UPLOAD_TYPES = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx"]
_FLASH = "lifecycle_flash"


def _with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["light"] = [LIGHTS.get(v, "") for v in out["light"]]
    out["state"] = [st_ if trig else f"{st_}（{s.NO_LONGER_TRIGGERED}）"
                    for st_, trig in zip(out["state"], out["triggered"], strict=True)]
    return out


def show(principal: Principal, year: int, township: str | None, *, key: str = "lifecycle") -> None:
    """The lifecycle section of the findings page."""
    today = today_local()
    lv = current_lifecycle_version()
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(md_escape(flash), icon=":material/check_circle:")
    if principal.role in (Role.BUREAU, Role.TOWNSHIP):
        mine = data.finding_todo(lv, principal, today)
        st.markdown(f"**我的待办（{len(mine)}条，最早的在前）**")
        picked_todo = _pick(_with_labels(mine), TODO_SHOWN, f"{key}_todo", empty="没有等待您办理的问题。")
        if picked_todo is not None:
            st.session_state[f"{key}_chosen"] = int(mine.iloc[picked_todo]["id"])
    ledger = data.finding_ledger(lv, principal, year, today, township)
    counts = {state: int((ledger["state"] == state).sum()) for state in s.STATES}
    overdue = int((ledger["light"] == s.RED).sum())
    st.markdown(f"**{year:d}年问题台账：{len(ledger)}条**")
    st.caption(md_escape("；".join(f"{k}{v}条" for k, v in counts.items() if v) + f"；逾期未整改{overdue}条。"
                         f"整改期限前{settings().findings.amber_days}天内为临期。"))
    state = st.selectbox("按状态筛选", [*s.STATES, s.NO_LONGER_TRIGGERED], index=None, placeholder="全部状态",
                         key=f"{key}_state", width=240)
    shown = ledger
    if state == s.NO_LONGER_TRIGGERED:
        shown = ledger[~ledger["triggered"]]
    elif state:
        shown = ledger[ledger["state"] == state]
    shown = shown.reset_index(drop=True)
    picked = _pick(_with_labels(shown), LEDGER_SHOWN, f"{key}_ledger", empty="没有符合条件的问题。")
    if picked is not None:
        st.session_state[f"{key}_chosen"] = int(shown.iloc[picked]["id"])
    linked = str(st.query_params.get("finding") or "")
    if linked.isdigit() and f"{key}_linked" not in st.session_state:
        # ?finding=N opens that finding (a link in a notice or a message), once per session.
        st.session_state[f"{key}_linked"] = True
        st.session_state[f"{key}_chosen"] = int(linked)
    chosen = st.session_state.get(f"{key}_chosen")
    if chosen is not None:
        detail(principal, int(chosen), today, key=key)


def _pick(frame: pd.DataFrame, columns: dict[str, str], key: str, *, empty: str) -> int | None:
    if frame.empty:
        st.caption(md_escape(empty))
        return None
    event = st.dataframe(tables.for_display(frame, columns), hide_index=True, key=key, on_select="rerun",
                         selection_mode="single-row", height=min(400, 38 + 35 * len(frame)))
    rows = event.selection.rows if event is not None else []
    return rows[0] if rows and rows[0] < len(frame) else None


def detail(principal: Principal, finding_id: int, today: dt.date, *, key: str) -> None:
    """One finding: where it stands, its history and files, and the actions this officer may take now."""
    try:
        row = lq.finding(engine(), settings(), principal, finding_id, today)
    except FindingNotFound as exc:
        st.warning(md_escape(str(exc)))
        return
    light = LIGHTS.get(row["light"], "")
    st.markdown(f"#### 问题{int(row['id'])}：{md_escape(row['rule'])} {md_escape(row['rule_name'])} · "
                f"{md_escape(row['enterprise_name'] or row['subject'])}")
    st.markdown(md_escape(row["message"]))
    facts = [f"状态：{row['state']}" + (f"（{s.NO_LONGER_TRIGGERED}）" if not row["triggered"] else ""),
             f"负责部门：{row['department']}", f"整改责任单位：{row['assignee'] or '未交办'}"]
    if row["deadline"]:
        facts.append(f"整改期限：{row['deadline']:%Y-%m-%d} {light}")
    if row["case_no"]:
        facts.append(f"处罚案件：{row['case_no']}")
    if row["tipoff_id"]:
        facts.append(f"举报线索：{row['tipoff_id']}")
    st.caption(md_escape("；".join(facts)))
    if row["measures"]:
        st.markdown(f"**整改措施：** {md_escape(row['measures'])}")
    if row["reason"]:
        st.markdown(f"**理由：** {md_escape(row['reason'])}")
    history = lq.history(engine(), principal, [finding_id])
    tables.show(history, HISTORY_SHOWN, key=f"{key}_history_{finding_id}", empty="暂无办理记录")
    _files(principal, finding_id, key=key)
    _actions(principal, row, key=key)
    _outcome(principal, row, key=key)


def _files(principal: Principal, finding_id: int, *, key: str) -> None:
    listed = lq.files(engine(), principal, finding_id)
    if listed.empty:
        return
    st.markdown(f"**附件（{len(listed)}个）**")
    labels = {int(r.id): f"{r.filename}（{r.kind}，{r.size / 1024:.0f} KB，{r.uploaded_by}，{r.uploaded_at}）"
              for r in listed.itertuples()}
    ids: list[int] = list(labels)
    picked: Any = st.selectbox("选择附件下载", ids, format_func=lambda i: labels[i], key=f"{key}_file_{finding_id}",
                               placeholder="请选择")
    if picked is None:
        return
    try:
        stored = lq.download(engine(), principal, int(picked))
    except FindingNotFound as exc:
        st.warning(md_escape(str(exc)))
        return
    # Served as a download with its detected type: a file is never shown inside the page.
    st.download_button("下载附件", stored.content, file_name=stored.filename, mime=stored.media_type,
                       key=f"{key}_download_{picked}", icon=":material/download:")
    st.caption(f"SHA-256：{md_escape(stored.sha256)}")


def _actions(principal: Principal, row: dict[str, Any], *, key: str) -> None:
    if principal.role is Role.LEADER:
        st.caption("领导账号只能查看问题的办理情况。")
        return
    actions = allowed_actions(principal, SimpleNamespace(**row))
    if not actions:
        return
    labels = {a.key: a.label for a in actions}
    chosen = st.segmented_control("办理", list(labels), format_func=lambda k: md_escape(labels[k]),
                                  key=f"{key}_action_{row['id']}")
    if chosen is None:
        return
    action = s.ACTIONS[chosen]
    fs = settings().findings
    with st.form(f"{key}_form_{row['id']}_{chosen}", clear_on_submit=False):
        inputs: dict[str, Any] = {}
        if chosen == "assign":
            version = current_data_version()
            towns = data.township_names(version, principal)
            default = row["township"] if row["township"] in towns else None
            kind = st.radio("整改责任单位", ["镇区", "部门"], horizontal=True, key=f"{key}_assign_kind")
            town = st.selectbox("镇区", towns, index=towns.index(default) if default else None,
                                key=f"{key}_assign_town", placeholder="请选择")
            depts = settings().security.departments
            dept = st.selectbox("部门", depts, index=depts.index(row["department"]) if row["department"] in depts
                                else None, key=f"{key}_assign_dept", placeholder="请选择")
            days = fs.period_days(row["severity"])
            deadline = st.date_input("整改期限", value=today_local() + dt.timedelta(days=days),
                                     key=f"{key}_assign_deadline",
                                     help=f"{md_escape(row['severity'])}问题默认{days:d}天（config.toml [findings]）")
            inputs.update(assignee_township=town if kind == "镇区" else None,
                          assignee_department=dept if kind == "部门" else None, deadline=deadline)
        if action.needs_measures:
            inputs["measures"] = st.text_area("已采取的整改措施", value=row["measures"] or "", key=f"{key}_measures")
        if action.needs_reason:
            inputs["reason"] = st.text_area("理由", key=f"{key}_reason")
        uploads = []
        if action.takes_files:
            uploads = st.file_uploader(
                f"证明材料（PDF、JPG/PNG、DOCX、XLSX，单个不超过{md_escape(fs.max_file_mb)} MB）", type=UPLOAD_TYPES,
                accept_multiple_files=True, key=f"{key}_files") or []
        submitted = st.form_submit_button(md_escape(action.label), type="primary")
    if not submitted:
        return
    files = [Upload(u.name, u.getvalue()) for u in uploads]
    try:
        out = transition(engine(), settings(), principal, int(row["id"]), chosen,
                         expected_version=int(row["version"]), files=files, **inputs)
    except (PermissionDenied, TransitionRefused, EvidenceRefused, FindingNotFound, FindingConflict) as exc:
        st.error(f"未办理：{md_escape(str(exc))}", icon=":material/block:")
        return
    st.session_state[_FLASH] = f"问题{row['id']}已{action.label}，当前状态：{out.state}"
    st.rerun()


def enterprise_history(principal: Principal, uscc: str, year: int, *, key: str = "profile_lifecycle") -> None:
    """On the enterprise profile: each of the year's findings about it with its state and history."""
    today = today_local()
    ledger = lq.ledger(engine(), settings(), principal, year, today, uscc=uscc)
    st.markdown(f"**问题办理情况（问题闭环）：{len(ledger)}条**")
    if ledger.empty:
        st.caption("本年度台账中没有该企业的问题。")
        return
    history = lq.history(engine(), principal, [int(i) for i in ledger["id"]])
    for r in ledger.itertuples():
        light = LIGHTS.get(r.light, "")
        title = f"问题{r.id} {r.rule} {r.rule_name}：{r.state}" + (f" {light}" if light else "")
        with st.expander(md_escape(title)):
            st.caption(md_escape(f"整改责任单位：{r.assignee or '未交办'}；负责部门：{r.department}"
                                 + (f"；整改期限：{r.deadline:%Y-%m-%d}" if r.deadline else "")))
            tables.show(history[history["finding_id"] == r.id], HISTORY_SHOWN, key=f"{key}_{r.id}")


CHANGE_SHOWN = {"row": "行", "label": "问题", "old": "原整改措施", "new": "新整改措施"}


def ledger_exchange(principal: Principal, year: int, township: str | None, *, key: str = "ledger") -> None:
    """整改台账: download the workbook; townships upload it back, preview every change, confirm all or none."""
    from supervision.lifecycle import ledger

    with st.expander("整改台账（Excel 下载、离线填写整改措施、上传）", icon=":material/table_view:"):
        if st.button("生成整改台账", key=f"{key}_build"):
            st.session_state[f"{key}_bytes"] = ledger.workbook(engine(), settings(), principal, year,
                                                               today_local(), township)
        built = st.session_state.get(f"{key}_bytes")
        if built:
            st.download_button("下载整改台账（.xlsx）", built, file_name=f"{year}年整改台账.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key=f"{key}_download", icon=":material/download:")
        if principal.role not in (Role.TOWNSHIP, Role.BUREAU):
            return
        # A new uploader key after a save empties the widget (a widget's own state cannot be set).
        round_ = st.session_state.get(f"{key}_round", 0)
        upload = st.file_uploader("上传填写后的整改台账", type=["xlsx"], key=f"{key}_upload_{round_}")
        if upload is None:
            return
        data_bytes = upload.getvalue()
        plan = ledger.preview(engine(), settings(), principal, data_bytes)
        if not plan.ok:
            st.error("台账有误，未保存任何修改：\n\n" + "\n".join(f"- {md_escape(str(p))}" for p in plan.problems[:50]),
                     icon=":material/error:")
            return
        if not plan.changes:
            st.info("台账与系统中的整改措施相同，没有需要保存的修改。")
            return
        st.markdown(f"**预览：将修改{len(plan.changes)}条问题的整改措施**")
        tables.show(pd.DataFrame([c.__dict__ for c in plan.changes]), CHANGE_SHOWN, key=f"{key}_preview")
        if st.button("确认保存", type="primary", key=f"{key}_confirm"):
            try:
                written = ledger.confirm(engine(), principal, plan)
            except (FindingConflict, ValueError) as exc:
                st.error(f"未保存：{md_escape(str(exc))}", icon=":material/block:")
                return
            st.session_state[_FLASH] = f"已保存整改台账：{written}条问题的整改措施已更新"
            st.session_state[f"{key}_round"] = round_ + 1
            st.rerun()


def _outcome(principal: Principal, row: dict[str, Any], *, key: str) -> None:
    """The responsible department links the penalty case or tip-off that settled the finding."""
    if refusal(principal, SimpleNamespace(**row), LINK_ACTION) is not None:
        return
    choices = lq.outcome_choices(engine(), principal, int(row["id"]))
    with st.expander("关联处罚案件或举报线索", icon=":material/link:"):
        if not choices.case_nos and not choices.tipoff_ids:
            st.caption("该企业暂无已登记的行政处罚案件或举报线索；先在数据录入中登记，再回到这里关联。")
            return
        with st.form(f"{key}_link_{row['id']}", clear_on_submit=False):
            cases = choices.case_nos
            tips = choices.tipoff_ids
            case_no = st.selectbox("处罚案件（行政处罚决定书文号）", cases, placeholder="不关联",
                                   index=cases.index(row["case_no"]) if row["case_no"] in cases else None,
                                   key=f"{key}_link_case_{row['id']}")
            tipoff = st.selectbox("举报线索编号", tips, placeholder="不关联",
                                  index=tips.index(row["tipoff_id"]) if row["tipoff_id"] in tips else None,
                                  key=f"{key}_link_tip_{row['id']}")
            submitted = st.form_submit_button("保存关联", type="primary")
    if not submitted:
        return
    try:
        link_outcome(engine(), principal, int(row["id"]), case_no=case_no, tipoff_id=tipoff,
                     expected_version=int(row["version"]))
    except (PermissionDenied, TransitionRefused, FindingNotFound, FindingConflict) as exc:
        st.error(f"未关联：{md_escape(str(exc))}", icon=":material/block:")
        return
    st.session_state[_FLASH] = f"问题{row['id']}已关联：" + "；".join(
        x for x in (f"处罚案件 {case_no}" if case_no else "", f"举报线索 {tipoff}" if tipoff else "") if x
    ) if (case_no or tipoff) else f"问题{row['id']}已取消处罚案件关联"
    st.rerun()
