"""Figure builders: pure functions from a DataFrame to a plotly Figure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from supervision.spec import CATEGORIES

CATEGORY_COLORS = {
    "冶炼分离": "#b3261e",
    "资源综合利用": "#2e7d32",
    "贸易流通": "#1565c0",
    "金属冶炼": "#6a1b9a",
    "深加工应用": "#ef6c00",
}
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        font={"family": FONT_FAMILY},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def enterprises_by_township(counts: pd.DataFrame, height: int = 420) -> go.Figure:
    """Stacked bars: enterprises per township, one colour per category."""
    fig = go.Figure()
    for category in CATEGORIES:
        part = counts[counts["category"] == category]
        fig.add_bar(x=part["township"], y=part["n"], name=category, marker_color=CATEGORY_COLORS[category],
                    hovertemplate="%{x}<br>" + category + "：%{y}家<extra></extra>")
    fig.update_layout(barmode="stack", yaxis_title="企业数（家）")
    return base_layout(fig, "各镇（区）稀土企业数量（按类别）", height)
