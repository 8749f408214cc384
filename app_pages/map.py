"""镇区地图: townships coloured by a chosen measure, enterprises as points; a click filters or opens a profile."""

from __future__ import annotations

import streamlit as st

from components import data, downloads, filters, mapview, screen, sources, tables
from components.db import current_data_version
from components.filters import Filters
from components.session import current_principal
from supervision.core.safety import md_escape
from supervision.reporting.charts import Look

principal = current_principal()
wall = screen.read()

ENTERPRISE_COLUMNS = {"name": "企业名称", "uscc": "统一社会信用代码", "category": "类别", "township": "镇区",
                      "status": "生产状态", "group_name": "所属集团"}
SYMBOLS = "点位形状表示生产状态：● 在产　■ 停产　✕ 关闭；颜色表示企业类别；灰色镇区表示该指标无数据。"
MEASURE_TABLES = mapview.MEASURE_TABLES
measure_from = mapview.measure_from


def measure_choice() -> str:
    """The measure colouring the polygons, bound to ?measure=<中文名> so a link can fix it."""
    labels = [mapview.MEASURES[m] for m in MEASURE_TABLES]
    chosen = st.segmented_control("着色指标", labels, key="measure", bind="query-params", default=labels[0])
    return measure_from(chosen) or "enterprises"


def draw_map(version: int, f: Filters, measure: str, look: Look, key_prefix: str, export: bool = False) -> str | None:
    measures = data.map_measures(version, principal, f.year, f.as_of, f.category)
    points = data.enterprises(version, principal, None, f.category)
    title = f"{f.year}年各镇（区）{mapview.MEASURES[measure]}与企业分布"
    c = sources.caption(version, principal, f, title, MEASURE_TABLES[measure] + ("enterprises",))
    return mapview.draw(measures, measure, points, c, look, selected=f.township, key_prefix=key_prefix,
                        scope=(version, principal, f), export=export)


def open_profile(uscc: str) -> None:
    # The global filters are bound to the URL by their widgets and travel by themselves.
    st.switch_page("app_pages/enterprise.py", query_params={"uscc": uscc})


def township_panel(version: int, f: Filters) -> None:
    """Beside the map: the selected township's figures and enterprises, or how to select one."""
    measures = data.map_measures(version, principal, f.year, f.as_of, f.category).set_index("township")
    if not f.township:
        st.info("点击地图上的镇区即可选中该镇区，其他各页随之筛选；点击企业点位打开企业档案。",
                icon=":material/touch_app:")
        return
    st.subheader(md_escape(f.township), anchor=False)
    if f.township in measures.index:
        row = measures.loc[f.township]
        a, b = st.columns(2)
        a.metric("企业（家）", int(row["enterprises"]))
        util = row["utilisation"]
        b.metric("指标使用率", f"{util * 100:.1f}%" if util is not None and util == util else "无指标")
        a.metric("逾期报表（份）", int(row["overdue_reports"]))
        share = row["score_share"]
        b.metric("督查得分率", f"{share * 100:.1f}%" if share is not None and share == share else "未评分")
        a.metric("未销号问题（条）", int(row["open_findings"]),
                 help=f"违规{int(row['violations'])}条，预警{int(row['warnings'])}条")
    st.button("清除镇区筛选", key="map_clear", on_click=filters.select_township, args=(None,),
              icon=":material/close:")
    listed = data.enterprises(version, principal, f.township, f.category)
    source = sources.caption(version, principal, f, "", ("enterprises",)).footnote
    tables.show(listed, ENTERPRISE_COLUMNS, key="map_enterprises", source=source, profile=True)
    downloads.table(listed, ENTERPRISE_COLUMNS, key="map_enterprises_xlsx", title=f"{f.township}稀土企业名录",
                    source=source, scope=f.describe())


if wall.on:
    screen.show(wall, default=screen.MAP_DEFAULT)
else:
    version = current_data_version()
    f = filters.current(version, principal)
    st.title("镇区地图")
    st.caption(md_escape(f.describe()))
    measure = measure_choice()
    left, right = st.columns([3, 2])
    with left:
        clicked = draw_map(version, f, measure, Look(height=640), "page", export=True)
        st.caption(SYMBOLS)
    with right:
        township_panel(version, f)
    if clicked:
        open_profile(clicked)
