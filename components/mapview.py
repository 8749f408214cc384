"""The township map as a Streamlit component: draws offline, and a click selects a township or an enterprise.

Clicking a township sets the global township filter (every page follows it); clicking an
enterprise point asks the page to open its profile. The figure is a go.Choropleth on a
hidden base map, so plotly asks for its topojson: we point it at our own static copy.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from components import data, downloads, figures, filters
from supervision.reporting import charts
from supervision.reporting.charts import Caption, Look

PLOTLY_CONFIG: dict[str, Any] = {"topojsonURL": "app/static/topojson/", "displaylogo": False,
                                 "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
MEASURES = {
    "enterprises": "企业数",
    "utilisation": "指标使用率",
    "open_findings": "未销号问题",
    "score_share": "督查得分率",
    "overdue_reports": "逾期报表",
}
# The tables each measure is computed from (a figure's sources).
MEASURE_TABLES = {
    "enterprises": ("enterprises",),
    "utilisation": ("quotas", "monthly_reports"),
    "open_findings": ("quotas", "monthly_reports", "invoices", "traceability", "resource_tax", "licenses", "customs",
                      "environment", "self_checks", "township_reports", "tipoffs"),
    "score_share": ("scoring_items", "inspection_scores"),
    "overdue_reports": ("self_checks", "township_reports", "monthly_reports"),
}


def measure_from(text: str | None) -> str | None:
    """The measure a URL names, by its Chinese label (what the bound control writes) or its key."""
    by_label = {label: key for key, label in MEASURES.items()}
    key = by_label.get(text or "", text)
    return key if key in MEASURE_TABLES else None


@st.cache_resource(show_spinner=False)
def choropleth_geojson() -> dict[str, Any]:
    """The configured polygons, wound clockwise for go.Choropleth (once per process)."""
    return charts.choropleth_geojson(data.township_boundaries().polygons)


def _on_select(key: str) -> None:
    """Runs before the rerun's script, so it may still set the township filter's widget state."""
    event = st.session_state.get(key)
    points = event.selection.points if event is not None else []
    for point in points:
        if point.get("location"):
            filters.select_township(str(point["location"]))
            return


def clicked_enterprise(event: Any) -> str | None:
    """The USCC of an enterprise point in a map selection, if one was clicked."""
    points = event.selection.points if event is not None and hasattr(event, "selection") else []
    for point in points:
        custom = point.get("customdata")
        if not point.get("location") and isinstance(custom, list) and custom:
            return str(custom[0])
    return None


def draw(measures: pd.DataFrame, measure: str, points: pd.DataFrame, caption: Caption, look: Look, *,
         selected: str | None, key_prefix: str, scope: tuple[Hashable, ...], highlight: str | None = None,
         clickable: bool = True, export: bool = False) -> str | None:
    """Draw the map; returns the USCC of a clicked enterprise (the caller opens its profile).

    With `export`, the image downloads (components.downloads.chart) go under it. `scope` names what the
    measures and points were read for (data version, principal, filters): the figure is kept under it.
    """
    bounds = data.township_boundaries()
    fig = figures.memo(("map", key_prefix, *scope, measure, look, selected, highlight), lambda: charts.township_map(
        choropleth_geojson(), measures, measure, points, caption, look, selected=selected, schematic=bounds.schematic,
        highlight=highlight))
    # The key follows the selected township: a new selection starts a fresh chart without the old one's state.
    key = f"{key_prefix}_map_{selected or 'all'}"
    if not clickable:
        st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, theme=None)
        event = None
    else:
        event = st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, theme=None, on_select=partial(_on_select, key),
                                selection_mode="points")
    if export:
        downloads.chart(fig, key=f"{key_prefix}_map")
    return clicked_enterprise(event) if event is not None else None
