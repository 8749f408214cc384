"""Download buttons: a chart as PNG (2×/4×) or SVG, a table as .xlsx, the meeting pack and the reports.

A page adds one line per chart (`chart(fig, key=...)`) or table (`table(df, columns, ...)`).
Images are rendered on the server only when the user asks (a button that builds, then the
download buttons), never on a rerun; the result is cached by the figure's full JSON, which
holds the data version's numbers and the filters' titles, so a changed figure renders afresh.
Tables are written when the download is clicked (a deferred download), not on every rerun.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from components import figures
from components.db import engine, settings
from components.filters import Filters
from supervision.access.permissions import PermissionDenied
from supervision.core.clock import now_local
from supervision.core.principal import Principal
from supervision.core.safety import md_escape, safe_filename
from supervision.reporting import images, pack, report, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BUILT = "_downloads_built"  # session state: what this session has built, by key


def _built() -> dict[str, Any]:
    return st.session_state.setdefault(_BUILT, {})


def figure_title(fig: go.Figure) -> str:
    """The figure's own title (what the file is named after)."""
    text = fig.layout.title.text if fig.layout.title is not None else None
    return str(text) if text else "图表"


@st.cache_data(max_entries=48, ttl=3600, show_spinner=False)
def _chart_images(spec: str) -> dict[str, bytes]:
    return images.chart_images(pio.from_json(spec))


def show_chart(fig: go.Figure, *, key: str, name: str | None = None) -> None:
    """A page's chart with its "导出图片" menu under it (the pair every dashboard chart has)."""
    st.plotly_chart(fig, key=key, theme=None)
    chart(fig, key=key, name=name)


def chart(fig: go.Figure, *, key: str, name: str | None = None) -> None:
    """Under a chart: "导出图片", which builds PNG 2×/4× and SVG on request and offers them with Chinese names."""
    ok, reason = images.export_available()
    with st.popover("导出图片", icon=":material/image:", key=f"{key}_export_menu"):
        if not ok:
            st.button("生成图片（不可用）", key=f"{key}_export", disabled=True, help=md_escape(reason))
            st.caption(md_escape(reason))
            return
        spec = figures.spec(fig)
        digest = hashlib.sha256(spec.encode("utf-8")).hexdigest()
        if st.button("生成图片", key=f"{key}_export", icon=":material/photo_camera:",
                     help="在服务器上生成PNG（2倍、4倍，适合投影）和SVG（矢量），图中含标题、数据来源和数据截至日期"):
            _built()[key] = digest
        if _built().get(key) != digest:
            st.caption("点击“生成图片”后可下载PNG（2倍、4倍）和SVG。")
            return
        try:
            with st.spinner("正在生成图片……"):
                files = _chart_images(spec)
        except (images.ExportUnavailable, RuntimeError) as exc:
            _built().pop(key, None)
            st.error(md_escape(exc))
            return
        stem = safe_filename(name or figure_title(fig), default="图表")
        st.download_button("PNG（2倍）", files["png2"], f"{stem}_2倍.png", "image/png", key=f"{key}_png2",
                           on_click="ignore", icon=":material/download:")
        st.download_button("PNG（4倍，投影用）", files["png4"], f"{stem}_4倍.png", "image/png", key=f"{key}_png4",
                           on_click="ignore", icon=":material/download:")
        st.download_button("SVG（矢量）", files["svg"], f"{stem}.svg", "image/svg+xml", key=f"{key}_svg",
                           on_click="ignore", icon=":material/download:")


def table(df: pd.DataFrame, columns: Mapping[str, str], *, key: str, title: str, source: str | None = None,
          scope: str | None = None) -> None:
    """A "下载Excel" button for a table: the listed columns under their Chinese headers, with number formats."""
    if df.empty:
        return
    frame, cols = df.copy(), dict(columns)

    def build() -> bytes:
        return tables.xlsx_table(frame, cols, title=title, source=source, scope=scope)

    st.download_button("下载Excel", build, f"{safe_filename(title, default='表格')}.xlsx", XLSX, key=key,
                       on_click="ignore", icon=":material/table_view:")


# ---- meeting pack and reports -------------------------------------------------------------------

def _pack_key(version: int, principal: Principal, f: Filters) -> str:
    return f"pack|{version}|{principal.username}|{f.year}|{f.as_of}|{principal.township_scope or f.township or ''}"


def meeting_pack(version: int, principal: Principal, f: Filters) -> None:
    """Build the meeting pack (.pptx and .pdf) on request, with a progress bar, then offer both files."""
    ok, reason = images.export_available()
    key = _pack_key(version, principal, f)
    if not ok:
        st.button("生成会议材料（不可用）", key="meeting_pack_build", disabled=True, help=md_escape(reason))
        st.warning(md_escape(reason), icon=":material/warning:")
        return
    if st.button("生成会议材料", key="meeting_pack_build", type="primary", icon=":material/slideshow:"):
        bar = st.progress(0.0, text="正在读取数据……")

        def progress(share: float, what: str) -> None:
            bar.progress(share, text=md_escape(what))

        try:
            content = pack.collect(engine(), settings(), principal, f.year, f.as_of, f.township)
            files = pack.render(content, ("pptx", "pdf"), progress)
        except (PermissionDenied, images.ExportUnavailable, RuntimeError) as exc:
            bar.empty()
            st.error(f"会议材料生成失败：{md_escape(exc)}")
            return
        bar.empty()
        _built()[key] = {"stem": content.file_stem, "slides": len(content.slides), **files,
                         "at": now_local()}
    built = _built().get(key)
    if built is None:
        st.caption("点击后在服务器上生成（通常不到10秒）；生成后可分别下载PPT和PDF。")
        return
    st.success(f"已生成{int(built['slides'])}页（{built['at']:%H:%M:%S}）。", icon=":material/check_circle:")
    left, right = st.columns(2)
    left.download_button("下载PPT（.pptx）", built["pptx"], f"{safe_filename(built['stem'])}.pptx", PPTX,
                         key="meeting_pack_pptx", on_click="ignore", icon=":material/download:")
    right.download_button("下载PDF", built["pdf"], f"{safe_filename(built['stem'])}.pdf", "application/pdf",
                          key="meeting_pack_pdf", on_click="ignore", icon=":material/download:")


def report_download(version: int, principal: Principal, f: Filters, township: str | None, *, key: str) -> None:
    """Build one report (a township's self-check report, or the city summary for None) on request, then offer it."""
    label = f"生成{md_escape(township)}自查报告" if township else "生成市汇总报告"
    state = f"report|{version}|{principal.username}|{f.year}|{f.as_of}|{township or ''}"
    if st.button(label, key=f"{key}_build", icon=":material/description:"):
        try:
            with st.spinner("正在生成报告……"):
                built = report.collect(engine(), settings(), principal, f.year, f.as_of, township)
                _built()[state] = {"stem": built.file_stem, "docx": report.build_docx(built)}
        except PermissionDenied as exc:
            st.error(md_escape(exc))
            return
    done = _built().get(state)
    if done is not None:
        st.download_button(f"下载Word（{md_escape(done['stem'])}.docx）", done["docx"],
                           f"{safe_filename(done['stem'])}.docx", DOCX,
                           key=f"{key}_docx", on_click="ignore", icon=":material/download:")
