"""The flow picture (物料流向) as a plotly Sankey: sources → smelters/recyclers → traders → destinations.

Pure: a `supervision.read.flows.Flow` in, a figure out. The 差额 streams are red and name their rule; every
label and hover text passes through `plot_text` (enterprise names come from data).
"""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from supervision.core.safety import plot_text
from supervision.read.flows import GAP, PRODUCER, SINK, SOURCE, TRADER, Flow, Link
from supervision.reporting.charts import Caption, Look, empty, finish

# Red is kept for the 差额 streams alone: an enterprise node in red would read as a gap.
NODE_COLORS = {SOURCE: "#607d8b", PRODUCER: "#8d6e63", TRADER: "#1565c0", SINK: "#455a64"}
GAP_NODE = "#d32f2f"


def link_label(link: Link) -> str:
    """How a link is named in tables and notes: "差额（R04）" for a red stream, nothing for a plain flow."""
    if link.kind != GAP:
        return ""
    return f"差额（{link.rule}）" if link.rule else "差额"


def tonnes_text(value: Decimal) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".") + " 吨"


def sankey(flow: Flow, caption: Caption, look: Look | None = None) -> go.Figure:
    """The flow picture; each enterprise node carries its USCC in customdata (empty for the others)."""
    look = look or Look()
    if not flow.links:
        return empty(caption, look, "当前筛选条件下没有物料流向数据")
    index = {n.key: i for i, n in enumerate(flow.nodes)}
    gap_nodes = {lk.source for lk in flow.links if lk.kind == GAP and not lk.source.startswith(("producer", "trader"))}
    gap_nodes |= {lk.target for lk in flow.links if lk.kind == GAP and not lk.target.startswith(("producer", "trader"))}
    labels = [str(plot_text(n.label)) for n in flow.nodes]
    colors = [GAP_NODE if n.key in gap_nodes else NODE_COLORS[n.kind] for n in flow.nodes]
    link_colors = ["rgba(211,47,47,0.55)" if lk.kind == GAP else "rgba(158,158,158,0.35)" for lk in flow.links]
    link_text = [f"{labels[index[lk.source]]} → {labels[index[lk.target]]}"
                 + (f"<br><b>{link_label(lk)}</b>" if lk.kind == GAP else "") for lk in flow.links]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        valueformat=",.3f", valuesuffix=" 吨",
        node={"label": labels, "color": colors, "pad": round(14 * look.scale), "thickness": round(16 * look.scale),
              "line": {"width": 0},
              "customdata": [n.uscc or "" for n in flow.nodes],
              "hovertemplate": "<b>%{label}</b><br>流入 %{targetLinks.length} 条 · 流出 %{sourceLinks.length} 条"
                               "<br>合计 %{value:,.3f} 吨<extra></extra>"},
        link={"source": [index[lk.source] for lk in flow.links], "target": [index[lk.target] for lk in flow.links],
              "value": [float(lk.tonnes) for lk in flow.links], "color": link_colors,
              "customdata": link_text,
              "hovertemplate": "%{customdata}<br>%{value:,.3f} 吨<extra></extra>"},
        textfont={"size": look.size("label"), "color": look.text_color},
    ))
    out = finish(fig, caption, look, legend=False)
    out.update_layout(margin={"l": round(10 * look.scale), "r": round(10 * look.scale)})
    return out
