"""The upload workflow's screen parts: the size check, the dry run with a progress bar, the preview, the confirm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components import findings_sync
from components.db import engine, settings
from supervision.access.audit import actor_label
from supervision.core.metrics import METRICS
from supervision.core.principal import Principal
from supervision.core.safety import md_escape, upload_problem
from supervision.ingest import preview as pv
from supervision.ingest.importer import BUSY, WAITING, ImportReport, import_package
from supervision.ingest.package import Upload

_PENDING = "upload_pending"
_ROUND = "upload_round"
_RESULT = "upload_result"
SHOWN_ROWS = 1000  # rows of each list shown on screen; the error report holds all of them


@dataclass(frozen=True)
class Result:
    """What the last confirm or cancel did, shown once after the page reloads."""

    kind: str  # "success", "warning" or "info"
    text: str
    details: tuple[str, ...] = ()


def limit_mb() -> int:
    """The upload limit: config.toml [import] max_upload_mb, never above what the server itself accepts."""
    server = int(st.get_option("server.maxUploadSize"))
    return min(settings().max_upload_mb, server)


def widget_limit_mb() -> int:
    """What the browser lets through: the server's ceiling, above the app's limit.

    The browser refuses a larger file itself, in English ("File must be 200.0MB or smaller"); a file
    between the app's limit and this ceiling reaches `refusal()`, which names the limit in Chinese.
    """
    return max(int(st.get_option("server.maxUploadSize")), limit_mb())


def uploader_key() -> str:
    # A new key after each confirm or cancel empties the uploader, so the same file is not previewed again.
    return f"upload_file_{st.session_state.get(_ROUND, 0)}"


def reset() -> None:
    st.session_state.pop(_PENDING, None)
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1


def refusal(name: str, size: int) -> str | None:
    """Why the file is refused before it is read (type, emptiness, size), in Chinese."""
    problem = upload_problem(name, size, limit_mb())
    if problem and "过大" in problem:
        return (f"{problem}。上限由系统配置（config.toml 的 [import] max_upload_mb）规定；"
                "请把数据拆成几个文件分别上传，或压缩为.zip后再试。")
    return problem


def _progress_bar() -> tuple[Callable[[float | None, str], None], Any]:
    bar = st.progress(0.0, text="正在读取文件……")

    def show(fraction: float | None, text: str) -> None:
        bar.progress(fraction if fraction is not None else 0.0, text=md_escape(text))

    return show, bar


def pending(data: bytes, name: str) -> pv.Preview | None:
    """The preview already computed for exactly this file, if any."""
    found: pv.Preview | None = st.session_state.get(_PENDING)
    if found is not None and found.digest == pv.digest(data) and found.source == name:
        return found
    return None


def run_preview(data: bytes, name: str, principal: Principal) -> pv.Preview:
    """Dry-run the file with a progress bar and keep the preview until it is confirmed or cancelled."""
    show, bar = _progress_bar()
    meter = pv.ProgressMeter(pv.estimate_rows(data, name), show, verb="校验")
    result = pv.build_preview(data, name, engine(), settings(), principal, progress=meter,
                              stage=lambda text: show(0.99, text))
    bar.empty()
    st.session_state[_PENDING] = result
    return result


def confirm(data: bytes, name: str, principal: Principal, preview: pv.Preview) -> None:
    """Import for real; the transaction commits only at the end, so an interrupted import writes nothing."""
    show, bar = _progress_bar()
    meter = pv.ProgressMeter(pv.estimate_rows(data, name), show, verb="导入")
    with METRICS.timed("supervision_import_seconds"):
        report: ImportReport = import_package(Upload(name, data), engine(), settings(),
                                              actor=actor_label(principal), progress=meter, principal=principal,
                                              waiting=lambda: show(0.0, WAITING))
    bar.empty()
    if report.written:
        differences = pv.plan_differences(preview, report)
        text = f"已导入“{name}”：新增{report.added}行，更新{report.changed}行（导入批次{report.import_id}）。"
        note = findings_sync.after_import(report.import_id, [k for k, t in report.tables.items()
                                                             if t.added or t.changed])
        if note:
            text += note + "。"
        if differences:
            st.session_state[_RESULT] = Result("warning", text + "预览之后数据已被他人修改，实际导入与预览不同：",
                                               tuple(differences))
        else:
            st.session_state[_RESULT] = Result("success", text)
    elif any(p.reason == BUSY for p in report.problems):
        st.session_state[_RESULT] = Result("warning", f"“{name}”未导入：{BUSY}。")
    elif report.ok:
        st.session_state[_RESULT] = Result("info", f"“{name}”与数据库中的数据相同，未作修改。")
    else:
        st.session_state[_RESULT] = Result(
            "warning", f"“{name}”未导入：预览之后数据已有变化，重新校验发现{report.problem_count}处错误，"
                       "数据库未作任何修改。请重新上传查看错误。",
            tuple(str(p) for p in report.problems[:20]))
    reset()
    st.rerun()


def cancel() -> None:
    st.session_state[_RESULT] = Result("info", "已取消导入，数据库未作任何修改。")
    reset()
    st.rerun()


def show_result() -> None:
    result: Result | None = st.session_state.pop(_RESULT, None)
    if result is None:
        return
    text = md_escape(result.text)
    if result.details:
        text += "\n\n" + "\n".join(f"- {md_escape(d)}" for d in result.details)
    {"success": st.success, "warning": st.warning, "info": st.info}[result.kind](text)


def show_preview(preview: pv.Preview, key_prefix: str) -> None:
    """The plan, table by table: rows to add, rows to change (old → new), rows rejected with the reason."""
    if preview.ok:
        if preview.writable:
            st.success(f"校验通过：确认后将新增{preview.added:d}行、更新{preview.changed:d}行。",
                       icon=":material/task_alt:")
        else:
            st.info("校验通过，但文件中的数据与数据库完全相同，无需导入。", icon=":material/info:")
    else:
        st.error(f"校验未通过：发现{preview.problem_count:d}处错误（涉及{preview.rejected_rows:d}行）。"
                 "按规定整个文件都不会导入，请下载校验报告，修改后重新上传。", icon=":material/error:")
    cols = st.columns(4)
    cols[0].metric("新增行", int(preview.added))
    cols[1].metric("更新行", int(preview.changed))
    cols[2].metric("错误行", int(preview.rejected_rows))
    cols[3].metric("数据质量提示", len(preview.warnings))
    st.dataframe(preview.tables, hide_index=True, key=f"{key_prefix}_tables")
    panels: list[tuple[str, Callable[[], None]]] = [
        (f"将新增（{preview.added}）", lambda: _adds(preview, key_prefix)),
        (f"将更新（{preview.changed}）", lambda: _changes(preview, key_prefix)),
        (f"被拒绝（{preview.problem_count}）", lambda: _rejections(preview, key_prefix)),
        (f"提示（{len(preview.warnings)}）", lambda: _warnings(preview, key_prefix)),
    ]
    if not preview.ok:
        # A rejected file: the reasons are what the user needs first, so their tab opens first, with the report.
        panels.insert(0, panels.pop(2))
    for tab, (_, draw) in zip(st.tabs([md_escape(label) for label, _ in panels]), panels, strict=True):
        with tab:
            draw()
    if preview.ok:
        _report_button(preview, key_prefix)


def _report_button(preview: pv.Preview, key_prefix: str) -> None:
    st.download_button(
        "下载校验报告（Excel）",
        data=lambda: pv.error_report(preview),
        file_name=pv.error_report_filename(preview),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key_prefix}_report",
        on_click="ignore",
        icon=":material/download:",
    )


def _adds(preview: pv.Preview, key_prefix: str) -> None:
    if preview.adds.empty:
        st.caption("没有新增的行。")
        return
    st.dataframe(preview.adds, hide_index=True, key=f"{key_prefix}_adds")
    if preview.adds_not_listed:
        st.caption(f"每张表最多列出{pv.ADDS_PER_TABLE:d}行，另有{preview.adds_not_listed:d}行新增未列出。")


def _changes(preview: pv.Preview, key_prefix: str) -> None:
    if preview.changes.empty:
        st.caption("没有需要更新的行。")
        return
    st.dataframe(preview.changes.head(SHOWN_ROWS), hide_index=True, key=f"{key_prefix}_changes")
    hidden = preview.changes_not_listed + max(0, len(preview.changes) - SHOWN_ROWS)
    if hidden:
        st.caption(f"另有{hidden:d}处修改未列出；所有修改都会记入审计日志（原值 → 新值）。")


def _rejections(preview: pv.Preview, key_prefix: str) -> None:
    if preview.rejections.empty:
        st.caption("没有错误。")
        return
    _report_button(preview, key_prefix)  # beside the reasons, where a rejected file's user looks first
    st.dataframe(preview.rejections.head(SHOWN_ROWS), hide_index=True, key=f"{key_prefix}_rejections")
    if len(preview.rejections) > SHOWN_ROWS:
        st.caption(f"仅显示前{SHOWN_ROWS}条，完整清单见校验报告。")


def _warnings(preview: pv.Preview, key_prefix: str) -> None:
    if preview.warnings.empty:
        st.caption("没有数据质量提示。")
        return
    st.dataframe(preview.warnings.head(SHOWN_ROWS), hide_index=True, key=f"{key_prefix}_warnings")
