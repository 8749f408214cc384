"""Figure builders: pure functions from DataFrames to plotly Figures, with no Streamlit in them.

Each builder takes a `Caption` (title, data source, "数据截至") that it writes into the
figure itself, and a `Look` (height, dark theme, type scale), so the same figure can be
drawn on a page, on a wall screen, or exported to PNG/SVG/PPTX unchanged.
Quantities arrive as exact Decimals and become floats only here, for drawing.
Plotly reads a subset of HTML in every text it draws (`<a href>`, `<b>`, `<br>`), so
every text that comes from data (names, categories on an axis, hover texts, table cells,
titles and footnotes) passes through `plot_text`/`plot_texts` here; markup in a figure
is only ever written by this module's code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from supervision.core.campaign import DUE_SOON, LATE, MISSING, NOT_DUE, NOT_REQUIRED, ON_TIME, Step
from supervision.core.safety import plot_text, plot_texts
from supervision.core.spec import CATEGORIES

CATEGORY_COLORS = {
    "冶炼分离": "#b3261e",
    "资源综合利用": "#2e7d32",
    "贸易流通": "#1565c0",
    "金属冶炼": "#6a1b9a",
    "深加工应用": "#ef6c00",
}
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
RED, AMBER, GREEN, GREY = "#d32f2f", "#f9a825", "#2e7d32", "#9e9e9e"
STATUS_COLORS = {ON_TIME: GREEN, NOT_DUE: "#81c784", DUE_SOON: AMBER, LATE: "#ef6c00", MISSING: RED,
                 NOT_REQUIRED: "#cfd8dc"}
STATUS_ORDER = (MISSING, LATE, DUE_SOON, NOT_DUE, ON_TIME, NOT_REQUIRED)
SEVERITY_COLORS = {"违规": RED, "预警": AMBER}
MEASURE_LABELS = {
    "enterprises": "企业数（家）",
    "utilisation": "指标使用率（%）",
    "open_findings": "未销号问题（条）",
    "score_share": "督查得分率（%）",
    "overdue_reports": "逾期报表（份）",
    "location": "位置",
}
PERCENT_MEASURES = ("utilisation", "score_share")
# Type sizes (CSS px at scale 1). The wall's are for 1920×1080 read from a few metres: nothing under 16 px;
# the wall page scales the whole 1920×1080 layout to the screen, so a 4K wall doubles them.
PAGE_TYPE = {"title": 17, "note": 11, "text": 13, "tick": 13, "label": 12, "big": 16, "legend": 12}
WALL_TYPE = {"title": 26, "note": 17, "text": 18, "tick": 17, "label": 18, "big": 56, "legend": 17}
WALL_TOP_BARS = 8  # bars of a wall's ranked bar chart; the rest are folded into one "其他N条" bar


def measure_values(measures: pd.DataFrame, measure: str) -> dict[str, float | None]:
    """Township → the measure as drawn (ratios as percentages), None where there is no figure."""
    if measure not in measures:
        return {}
    factor = 100 if measure in PERCENT_MEASURES else 1
    out: dict[str, float | None] = {}
    for town, v in zip(measures["township"], measures[measure], strict=True):
        # Rounded so a ratio of exact figures (0.55) draws as 55, not 55.00000000000001.
        out[town] = None if v is None or (not isinstance(v, Decimal) and pd.isna(v)) else round(float(v) * factor, 6)
    return out


@dataclass(frozen=True)
class Caption:
    """What every figure says about itself: its title, where its data come from, and how current they are."""

    title: str
    source: str
    as_of: str | None
    pending: str | None = None  # why the figure may be empty on the as-of date: rows dated after it, not counted
    departments: tuple[str, ...] = ()  # who supplies the sources, for the wall's one-line source

    @property
    def footnote(self) -> str:
        return f"数据来源：{self.source}　｜　数据截至：{self.as_of or '暂无数据'}"

    @property
    def brief(self) -> str:
        """The wall's one source line: "来源：7个部门 · 截至 2019-08-13" (the full list stays on the office pages)."""
        who = (self.departments[0] if len(self.departments) == 1
               else f"{len(self.departments)}个部门" if self.departments else "本平台")
        return f"来源：{who} · 截至 {self.as_of or '暂无数据'}"

    def footnote_lines(self, width: int) -> list[str]:
        """The footnote broken at list separators into lines of at most `width` characters (where possible)."""
        lines: list[str] = []
        current = ""
        for piece in _pieces(self.footnote):
            if current and len(current) + len(piece) > width:
                lines.append(current)
                current = piece.lstrip("　｜ ")
            else:
                current += piece
        if current:
            lines.append(current)
        return lines


def _pieces(text: str) -> list[str]:
    """Text split after each separator (、；，｜), keeping the separators."""
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in "、；，｜":
            out.append(text[start:i + 1])
            start = i + 1
    out.append(text[start:])
    return [p for p in out if p]


@dataclass(frozen=True)
class Look:
    """How a figure is drawn: height in CSS pixels, dark (wall screen) or light, type scale, footnote width."""

    height: int = 420
    dark: bool = False
    scale: float = 1.0
    footnote_chars: int = 70
    wall: bool = False  # read from across a room: large type, a one-line source, every bar labelled

    def size(self, role: str) -> int:
        """Type size in CSS pixels for a role (title, note, text, tick, label, big), scaled."""
        sizes = WALL_TYPE if self.wall else PAGE_TYPE
        return round(sizes[role] * self.scale)

    @property
    def text_color(self) -> str:
        return "#e8eaed" if self.dark else "#1f1f1f"

    @property
    def grid_color(self) -> str:
        return "#3c4043" if self.dark else "#e0e0e0"


def _template_text(value: Any) -> str:
    """Text put inside a hovertemplate: escaped, and a `%{...}` in it no placeholder."""
    return str(plot_text(str(value))).replace("{", "&#123;")


def _f(values: Iterable[Any]) -> list[float | None]:
    """Decimals (or None) to floats for drawing."""
    out: list[float | None] = []
    for v in values:
        if v is None or (not isinstance(v, Decimal) and pd.isna(v)):
            out.append(None)
        else:
            out.append(float(v))
    return out


def wall_heading(look: Look) -> int:
    """Pixels a wall figure's title and its one source line take at the top."""
    return round(16 * look.scale) + round(look.size("title") * 1.5) + round(look.size("note") * 2.0)


def finish(fig: go.Figure, caption: Caption, look: Look, *, legend: bool = True) -> go.Figure:
    """Title with the source and "数据截至" under it, theme and sizes shared by every figure."""
    s = look.scale
    lines = [caption.brief] if look.wall else caption.footnote_lines(look.footnote_chars)
    muted = "#9aa0a6" if look.dark else "#5f6368"
    top = (wall_heading(look) + (round(look.size("legend") * 2.2) if legend else 0)) if look.wall \
        else round((44 + 15 * len(lines)) * s)
    title = {"text": plot_text(caption.title),
             "subtitle": {"text": "<br>".join(plot_texts(lines)), "font": {"size": look.size("note"), "color": muted}}}
    fig.update_layout(
        template="plotly_dark" if look.dark else "plotly_white",
        title={**title, "x": 0, "xanchor": "left", "y": 1, "yanchor": "top", "yref": "container",
               "pad": {"t": round(8 * s), "l": round(4 * s)}, "font": {"size": look.size("title")}},
        height=look.height,
        margin={"l": round(50 * s), "r": round(20 * s), "t": top, "b": round(40 * s)},
        font={"family": FONT_FAMILY, "size": look.size("text"), "color": look.text_color},
        showlegend=legend,
        legend={"font": {"size": look.size("legend")}},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    if look.wall:
        # Bar labels keep their size: plotly would shrink a label to the thickness of a thin bar.
        fig.update_traces(constraintext="none", selector={"type": "bar"})
        fig.update_xaxes(tickfont={"size": look.size("tick")}, title_font={"size": look.size("tick")})
        fig.update_yaxes(tickfont={"size": look.size("tick")}, title_font={"size": look.size("tick")})
        fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"} if legend else {},
                          margin={"b": round(30 * s)})
    if look.dark:
        fig.update_layout(paper_bgcolor="#111418", plot_bgcolor="#111418")
    return fig


def empty(caption: Caption, look: Look, message: str = "当前筛选条件下没有数据") -> go.Figure:
    """A figure that says there is nothing to draw (instead of blank axes), and why when the as-of date is the
    reason (rows dated after it are not counted)."""
    if look.wall:
        # Read from across the room: the statement only; how to fill the ledger is for the office pages.
        message = message.split("（")[0]
    if caption.pending:
        message = f"{message}<br>{caption.pending}"
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": look.size("big") // 2 if look.wall else look.size("big")})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, caption, look, legend=False)


# ---- overview -----------------------------------------------------------------------------

def enterprises_by_township(counts: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Stacked bars: enterprises per township, one colour per category."""
    if counts.empty or counts["n"].sum() == 0:
        return empty(caption, look)
    if look.wall:
        # From across the room: one labelled bar per township (the split by category stays on the office page).
        totals = counts.groupby("township", sort=False)["n"].sum()
        towns = plot_texts(str(t) for t in totals.index)
        fig = go.Figure(go.Bar(x=towns, y=[int(n) for n in totals], marker_color="#1565c0",
                               text=[int(n) for n in totals], textposition="outside", cliponaxis=False,
                               textfont={"size": look.size("label")}, hovertemplate="%{x}：%{y}家<extra></extra>"))
        fig.update_yaxes(title="企业数（家）", tickformat="d", range=[0, float(totals.max()) * 1.2],
                         dtick=1 if totals.max() <= 10 else None)
        fig.update_xaxes(tickmode="array", tickvals=towns, ticktext=towns)
        return finish(fig, caption, look, legend=False)
    fig = go.Figure()
    for category in CATEGORIES:
        part = counts[counts["category"] == category]
        if part.empty:
            continue
        fig.add_bar(x=plot_texts(part["township"]), y=part["n"], name=category, marker_color=CATEGORY_COLORS[category],
                    hovertemplate="%{x}<br>" + category + "：%{y}家<extra></extra>")
    fig.update_layout(barmode="stack", yaxis_title="企业数（家）")
    # Whole enterprises only: no 0.5 ticks on a count.
    fig.update_yaxes(tickformat="d", dtick=1 if counts.groupby("township")["n"].sum().max() <= 10 else None)
    towns = plot_texts(dict.fromkeys(counts["township"]))
    fig.update_xaxes(tickmode="array", tickvals=towns, ticktext=towns)
    return finish(fig, caption, look)


def quota_utilisation(df: pd.DataFrame, caption: Caption, look: Look = Look(), *,
                      warning: Decimal = Decimal("0.90")) -> go.Figure:
    """Horizontal bars of each enterprise's utilisation (%), with the W01 warning and R02 (100 %) lines."""
    rows = df[df["utilisation"].notna()].sort_values("utilisation")
    if rows.empty:
        return empty(caption, look, "当前筛选条件下没有下达指标的企业")
    pct = [u * 100 for u in rows["utilisation"]]
    colors = [RED if u > 1 else AMBER if u >= float(warning) else GREEN for u in rows["utilisation"]]
    fig = go.Figure(go.Bar(
        y=plot_texts(rows["name"]), x=pct, orientation="h", marker_color=colors,
        text=[f"{p:.1f}%" for p in pct], textposition="outside", cliponaxis=False,
        customdata=list(zip(_f(rows["production_t"]), _f(rows["quota_t"]), strict=True)),
        hovertemplate="%{y}<br>使用率 %{x:.1f}%<br>产量 %{customdata[0]:,.3f} 吨<br>指标 %{customdata[1]:,.3f} 吨"
                      "<extra></extra>",
    ))
    w = float(warning) * 100
    fig.add_vline(x=w, line={"color": AMBER, "dash": "dash", "width": 2})
    fig.add_vline(x=100, line={"color": RED, "dash": "solid", "width": 2})
    # The lines' labels sit above the plot area, where no bar label can be, and point away from each other
    # (90 % and 100 % are close): inside the plot they covered the "105.1%" and "68.2%" bar labels.
    for x, text, color, anchor in ((w, f"W01 预警线 {w:.0f}%", AMBER, "right"),
                                   (100, "R02 超计划线 100%", RED, "left")):
        fig.add_annotation(x=x, y=1, xref="x", yref="paper", yanchor="bottom", xanchor=anchor, text=text,
                           showarrow=False, font={"color": color}, xshift=-4 if anchor == "right" else 4)
    fig.update_xaxes(title="指标使用率（%）", range=[0, max(115.0, max(pct) * 1.12)])
    fig.update_yaxes(automargin=True)
    finish(fig, caption, look, legend=False)
    # One more line of top margin for the lines' labels, below the title and its source lines.
    fig.update_layout(margin_t=fig.layout.margin.t + round(20 * look.scale))
    return fig


def quota_gauge(used: Decimal | None, quota: Decimal | None, caption: Caption, look: Look = Look(), *,
                warning: Decimal = Decimal("0.90"), context: str | None = None) -> go.Figure:
    """One indicator: the jurisdiction's production against its quota, with the W01 and R02 thresholds.

    `context` is a line of national context shown under the figures (e.g. the national total).
    """
    if not quota:
        return empty(caption, look, "本年度尚无下达的冶炼分离指标")
    pct = float((used or Decimal(0)) / quota * 100)
    w = float(warning) * 100
    top = max(120.0, pct * 1.05)
    ticks = {"tickfont": {"size": look.size("tick")}} if look.wall else {}
    fig = go.Figure(go.Indicator(
        mode="gauge+number", value=pct,
        number={"suffix": "%", "valueformat": ".1f", **({"font": {"size": look.size("big")}} if look.wall else {})},
        # Inset from the sides so the end ticks ("120") are not clipped by the panel's edge.
        domain={"x": [0.06, 0.94] if look.wall else [0, 1], "y": [0, 0.78]},
        gauge={
            "axis": {"range": [0, top], **ticks},
            "bar": {"color": RED if pct > 100 else AMBER if pct >= w else GREEN},
            "steps": [{"range": [w, 100], "color": "rgba(249,168,37,0.25)"},
                      {"range": [100, top], "color": "rgba(211,47,47,0.25)"}],
            "threshold": {"line": {"color": RED, "width": 3}, "value": 100},
        },
        title={"text": f"产量 {float(used or 0):,.1f} 吨 / 指标 {float(quota):,.1f} 吨"
                       + (f"<br><span style='font-size:0.85em'>{plot_text(context)}</span>"
                          if context and not look.wall else ""),
               "font": {"size": look.size("text")}},
    ))
    return finish(fig, caption, look, legend=False)


def fold_ranked(counts: pd.DataFrame, keep: int = WALL_TOP_BARS) -> pd.DataFrame:
    """The `keep` largest rows by `n` (catalogue order kept) and one "其他N条" row summing the rest."""
    if len(counts) <= keep:
        return counts
    top = counts.sort_values("n", ascending=False, kind="stable").head(keep - 1)
    kept = counts[counts.index.isin(top.index)]
    rest = counts[~counts.index.isin(top.index)]
    other = pd.DataFrame([{"rule": "其他", "rule_name": f"{len(rest)}条规则", "severity": "其他",
                           "n": int(rest["n"].sum())}])
    return pd.concat([kept, other], ignore_index=True)


def severity_bars(counts: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Findings per rule as horizontal bars in catalogue order, coloured by severity (rule, rule_name, severity, n).

    On a wall, the largest rules only, the rest in one "其他N条规则" bar, so every bar keeps a legible label.
    """
    if counts.empty:
        return empty(caption, look, "当前筛选条件下没有发现问题")
    if look.wall:
        counts = fold_ranked(counts)
    labels = [plot_text(f"{r} {n}") for r, n in zip(counts["rule"], counts["rule_name"], strict=True)]
    fig = go.Figure()
    for severity, color in {**SEVERITY_COLORS, "其他": GREY}.items():
        part = counts[counts["severity"] == severity]
        if part.empty:
            continue
        fig.add_bar(y=[plot_text(f"{r} {n}") for r, n in zip(part["rule"], part["rule_name"], strict=True)],
                    x=[int(v) for v in part["n"]], name=severity, marker_color=color, orientation="h",
                    text=[int(v) for v in part["n"]], textposition="outside", cliponaxis=False,
                    textfont={"size": look.size("label")}, hovertemplate="%{y}<br>%{x}条<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="条数", dtick=1 if counts["n"].max() <= 10 else None,
                     range=[0, float(counts["n"].max()) * 1.15])
    order = list(reversed(list(dict.fromkeys(labels))))
    # Every category gets its tick label: plotly would otherwise thin them out when the bars are dense.
    fig.update_yaxes(categoryorder="array", categoryarray=order, automargin=True, tickmode="array", tickvals=order,
                     ticktext=order)
    return finish(fig, caption, look)


def campaign_timeline(points: pd.DataFrame, caption: Caption, look: Look = Look(),
                      steps: Sequence[Step] = ()) -> go.Figure:
    """整顿进程: open findings, violations and red lights per week's end (day, open_findings, violations,
    red_lights), with the campaign's phases shaded behind."""
    if points.empty:
        return empty(caption, look, "截至日期前本年度尚无周末时点")
    fig = go.Figure()
    for column, name, color, dash in (("open_findings", "未销号问题", "#1565c0", "solid"),
                                      ("violations", "其中违规", RED, "dot"),
                                      ("red_lights", "红灯事项", AMBER, "solid")):
        fig.add_scatter(x=[d.isoformat() for d in points["day"]], y=[int(v) for v in points[column]], name=name,
                        mode="lines+markers", line={"color": color, "dash": dash, "width": 2},
                        hovertemplate="%{x}<br>" + name + "：%{y}<extra></extra>")
    first, last = points["day"].min(), points["day"].max()
    for step in steps:
        if step.is_milestone or step.end < first or step.start > last:
            continue
        fig.add_vrect(x0=max(step.start, first).isoformat(), x1=min(step.end, last).isoformat(),
                      fillcolor=GREY, opacity=0.12, line_width=0, annotation_text=step.name,
                      annotation_position="top left")
    fig.update_yaxes(title="条数 / 项数", rangemode="tozero")
    fig.update_xaxes(type="date", tickformat="%m-%d")
    return finish(fig, caption, look)


def status_grid(grid: pd.DataFrame, caption: Caption, look: Look = Look(), *,
                rows: Sequence[str] | None = None, columns: Sequence[str] | None = None) -> go.Figure:
    """红黄绿灯: a township × item grid (grid: township, milestone, status, detail) coloured by status."""
    if grid.empty:
        return empty(caption, look)
    rows = list(rows or dict.fromkeys(grid["township"]))
    columns = list(columns or dict.fromkeys(grid["milestone"]))
    codes = {s: i for i, s in enumerate(STATUS_ORDER)}
    # One dict lookup per cell: .loc per cell cost 0.1 s for a province's 100 townships.
    cell = {(t, m): (str(s), str(d)) for t, m, s, d in
            zip(grid["township"], grid["milestone"], grid["status"], grid["detail"], strict=True)}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for town in rows:
        z_row: list[float | None] = []
        t_row: list[str] = []
        h_row: list[str] = []
        for col in columns:
            found = cell.get((town, col))
            if found is not None:
                status, detail = found
                z_row.append(codes.get(status, len(STATUS_ORDER) - 1))
                t_row.append(plot_text(status))
                h_row.append(f"{plot_text(town)} · {plot_text(col)}<br>{plot_text(status)}：{plot_text(detail)}")
            else:
                z_row.append(None)
                t_row.append("")
                h_row.append("")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    n = len(STATUS_ORDER)
    scale = []
    for i, status in enumerate(STATUS_ORDER):
        scale.append([i / n, STATUS_COLORS[status]])
        scale.append([(i + 1) / n, STATUS_COLORS[status]])
    shown_columns = [plot_text(c).replace("（", "<br>（") for c in columns]
    fig = go.Figure(go.Heatmap(
        z=z, x=shown_columns, y=plot_texts(rows), text=text, texttemplate="%{text}", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", colorscale=scale, zmin=-0.5, zmax=n - 0.5,
        showscale=False, xgap=3, ygap=3, textfont={"size": look.size("label")},
    ))
    # zmin/zmax put code i at the middle of band i, so each status keeps its colour whatever subset appears.
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True)
    out = finish(fig, caption, look, legend=False)
    lines = len(caption.footnote_lines(look.footnote_chars))
    if look.wall:
        out.update_layout(margin={"t": wall_heading(look) + 2 * round(look.size("tick") * 1.4) + round(8 * look.scale)})
    else:
        out.update_layout(margin={"t": round((70 + 15 * lines) * look.scale)})
    return out


def _display_width(text: str) -> float:
    """Width of text in ems: CJK and full-width characters one em, others about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)


def table_figure(df: pd.DataFrame, columns: dict[str, str], caption: Caption, look: Look = Look()) -> go.Figure:
    """A plain table as a figure, for the wall screen and exports (columns: key → Chinese header).

    Column widths follow the longest text of each column, so no cell is cut where the table has room.
    """
    if df.empty:
        return empty(caption, look, "暂无记录")
    head_fill = "#1f2630" if look.dark else "#eceff1"
    cell_fill = "#111418" if look.dark else "#ffffff"
    values = []
    for key in columns:
        values.append(["" if v is None or (not isinstance(v, (str, Decimal)) and pd.isna(v))
                       else format(v, ",") if isinstance(v, Decimal) else plot_text(str(v)) for v in df[key]])
    widths = [max([_display_width(h)] + [_display_width(v) for v in col]) + 1
              for h, col in zip(columns.values(), values, strict=True)]
    head_size, cell_size = (look.size("text"), look.size("text")) if look.wall else (round(13 * look.scale),
                                                                                       round(12 * look.scale))
    fig = go.Figure(go.Table(
        columnwidth=widths,
        header={"values": list(columns.values()), "fill_color": head_fill, "align": "left",
                "font": {"size": head_size, "color": look.text_color}, "height": round(head_size * 2.0)},
        cells={"values": values, "fill_color": cell_fill, "align": "left",
               "font": {"size": cell_size, "color": look.text_color}, "height": round(cell_size * 2.0),
               "line": {"color": look.grid_color}},
    ))
    out = finish(fig, caption, look, legend=False)
    if look.wall:
        out.update_layout(margin={"l": round(8 * look.scale), "r": round(8 * look.scale), "b": round(8 * look.scale)})
    return out


# ---- map ----------------------------------------------------------------------------------

def township_map(geojson: dict[str, Any], measures: pd.DataFrame, measure: str, points: pd.DataFrame,
                 caption: Caption, look: Look = Look(), *, selected: str | None = None,
                 schematic: bool = True, highlight: str | None = None) -> go.Figure:
    """Township polygons coloured by `measure`, enterprise points by category (symbol by status).

    `geojson` must have outer rings clockwise (what go.Choropleth wants) and the township
    name as each feature's id. The polygon traces give `location` on selection (trace 0 those
    with a figure, trace 1 those without, in grey); the point traces carry the USCC in customdata.
    Draw it with a local topojsonURL: the base map is hidden, but plotly still loads its topojson file.
    """
    label = MEASURE_LABELS[measure]
    values = measure_values(measures, measure)
    names = [f["id"] for f in geojson["features"]]
    neutral = measure == "location"
    known = {n: v for n in names if (v := values.get(n)) is not None}
    with_value = names if neutral else [n for n in names if n in known]
    without = [n for n in names if n not in with_value]
    z = [0.0 if neutral else known[n] for n in with_value]
    edge = "#ffffff" if look.dark else "#263238"
    # Light ends of Blues/OrRd only: the enterprise points on top must stay visible on the darkest fill.
    colorscale = ([[0, "#e3eaf2"], [1, "#e3eaf2"]] if neutral
                  else [[0, "#fff7ec"], [1, "#f16d3f"]] if measure in ("open_findings", "overdue_reports")
                  else [[0, "#f4f8fc"], [1, "#5b9bd0"]])
    fig = go.Figure(go.Choropleth(
        geojson=geojson, locations=with_value, z=z, featureidkey="id",
        colorscale=colorscale, showscale=not neutral, zmin=0,
        zmax=max([100.0 if measure in PERCENT_MEASURES else 1.0] + z),
        marker={"line": {"width": [4 if n == selected else 0.8 for n in with_value], "color": edge}},
        colorbar={"title": {"text": label + ("<br>（灰色：无数据）" if without else "")},
                  "thickness": round(14 * look.scale), "len": 0.7,
                  **({"tickfont": {"size": look.size("tick")}, "title_font": {"size": look.size("tick")}}
                     if look.wall else {})},
        customdata=[f"{v:,.1f}" for v in z],
        hovertemplate="<b>%{location}</b>" + ("" if neutral else "<br>" + label + "：%{customdata}")
                      + "<br>（点击选中此镇区）<extra></extra>",
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        name="镇区", showlegend=False,
    ))
    if without:
        # Townships with no figure for the measure are grey, never mistaken for a zero.
        fig.add_trace(go.Choropleth(
            geojson=geojson, locations=without, z=[0] * len(without), featureidkey="id",
            colorscale=[[0, "#b0b7bf"], [1, "#b0b7bf"]], showscale=False,
            marker={"line": {"width": [4 if n == selected else 0.8 for n in without], "color": edge}},
            hovertemplate="<b>%{location}</b><br>" + label + "：无数据<br>（点击选中此镇区）<extra></extra>",
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
            name="无数据", showlegend=False,
        ))
    for category in CATEGORIES:
        part = points[(points["category"] == category) & points["lon"].notna()] if not points.empty else points
        if part.empty:
            continue
        symbols = ["circle" if s == "在产" else "square" if s == "停产" else "x" for s in part["status"]]
        sizes = [16 if u == highlight else 10 for u in part["uscc"]]
        fig.add_trace(go.Scattergeo(
            lon=_f(part["lon"]), lat=_f(part["lat"]), mode="markers", name=category,
            marker={"color": CATEGORY_COLORS[category], "symbol": symbols, "size": [s * look.scale for s in sizes],
                    "line": {"width": 1, "color": "#ffffff"}},
            customdata=list(zip(part["uscc"], plot_texts(part["name"]), plot_texts(part["status"]),
                                plot_texts(part["township"]), strict=True)),
            hovertemplate="<b>%{customdata[1]}</b><br>" + category + " · %{customdata[2]}<br>%{customdata[3]}"
                          "<br>（点击打开企业档案）<extra></extra>",
        ))
    centers = _label_points(geojson, points)
    label_colors = ["#1f1f1f"] * len(centers)  # every fill is light enough for dark names
    fig.add_trace(go.Scattergeo(
        lon=[c[0] for c in centers.values()], lat=[c[1] for c in centers.values()], text=plot_texts(centers),
        mode="text", textfont={"size": look.size("label"), "color": label_colors},
        hoverinfo="skip", showlegend=False, name="镇区名称",
    ))
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator",
                    bgcolor="rgba(0,0,0,0)")
    fig.update_layout(clickmode="event+select", dragmode=False)
    title = caption.title + ("（镇区边界为示意）" if schematic else "")
    out = finish(fig, Caption(title, caption.source, caption.as_of), look)
    out.update_layout(legend={"orientation": "v", "x": 0, "xanchor": "left", "y": 0.02, "yanchor": "bottom"},
                      margin={"l": 10, "r": 10})
    return out


def choropleth_geojson(polygons: dict[str, Any]) -> dict[str, Any]:
    """Township polygons as a FeatureCollection for go.Choropleth: outer rings clockwise, name as id."""
    import shapely
    from shapely.geometry import mapping

    features = [
        {"type": "Feature", "id": name, "properties": {"name": name},
         "geometry": mapping(shapely.orient_polygons(poly, exterior_cw=True))}
        for name, poly in polygons.items()
    ]
    return {"type": "FeatureCollection", "features": features}


def township_bars(measures: pd.DataFrame, measure: str, caption: Caption, look: Look = Look(), *,
                  selected: str | None = None) -> go.Figure:
    """Townships ranked by the map's measure (the wall map's companion panel)."""
    values = {t: v for t, v in measure_values(measures, measure).items() if v is not None}
    if not values:
        return empty(caption, look)
    ordered = sorted(values.items(), key=lambda kv: kv[1])
    worse_high = measure in ("open_findings", "overdue_reports")
    colors = [AMBER if t == selected else (RED if worse_high and v > 0 else "#1565c0") for t, v in ordered]
    suffix = "%" if measure in PERCENT_MEASURES else ""
    fig = go.Figure(go.Bar(y=[plot_text(t) for t, _ in ordered], x=[v for _, v in ordered], orientation="h",
                           marker_color=colors,
                           text=[f"{v:,.1f}{suffix}" if suffix else f"{v:,.0f}" for _, v in ordered],
                           textposition="outside", cliponaxis=False, textfont={"size": look.size("label")},
                           hovertemplate="%{y}<br>" + MEASURE_LABELS[measure] + "：%{x:,.1f}<extra></extra>"))
    top = max(v for _, v in ordered)
    fig.update_xaxes(title=MEASURE_LABELS[measure], range=[0, (top or 1) * 1.25],
                     dtick=1 if measure not in PERCENT_MEASURES and top <= 10 else None)
    towns = [plot_text(t) for t, _ in ordered]
    fig.update_yaxes(automargin=True, tickmode="array", tickvals=towns, ticktext=towns)
    return finish(fig, caption, look, legend=False)


def _label_points(geojson: dict[str, Any], points: pd.DataFrame | None = None,
                  ) -> dict[str, tuple[float, float]]:
    """Where each township's name goes: inside its polygon, clear of the enterprise points where there is room.

    A name drawn over a marker hides it (a closed enterprise's ✕ under 娄东街道 was unreadable), so the name
    moves to the candidate spot nearest the polygon's representative point whose label box keeps every
    point outside; with no such spot it takes the one with most room. The box is sized from the map's extent
    (the map is fitted to the townships, so a name's share of the width is about the same on every screen).
    """
    import shapely
    from shapely.geometry import shape

    shapes = {f["id"]: shape(f["geometry"]) for f in geojson["features"]}
    if not shapes:
        return {}
    x0, y0, x1, y1 = shapely.union_all(list(shapes.values())).bounds
    width = max(x1 - x0, y1 - y0) or 1.0
    half_h = 0.022 * width
    xy = (points[["lon", "lat"]].dropna().astype(float).to_numpy()
          if points is not None and not points.empty else np.empty((0, 2)))
    out: dict[str, tuple[float, float]] = {}
    for name, geom in shapes.items():
        home = geom.representative_point()
        half_w = 0.016 * width * max(len(name), 2)
        gx0, gy0, gx1, gy1 = geom.bounds
        grid = [(gx0 + (gx1 - gx0) * i / 16, gy0 + (gy1 - gy0) * j / 16) for i in range(1, 16) for j in range(1, 16)]
        spots = [(home.x, home.y)] + [p for p in grid if geom.contains(shapely.box(p[0] - half_w / 2, p[1] - half_h,
                                                                                   p[0] + half_w / 2, p[1] + half_h))]

        def room(spot: tuple[float, float], half_w: float = half_w) -> float:
            # Chebyshev distance in label boxes: below 1 a point lies under the name.
            if not len(xy):
                return float("inf")
            return float(np.min(np.maximum(np.abs(xy[:, 0] - spot[0]) / half_w, np.abs(xy[:, 1] - spot[1]) / half_h)))

        clear = [p for p in spots if room(p) >= 1.6]
        best = (min(clear, key=lambda p: (p[0] - home.x) ** 2 + (p[1] - home.y) ** 2) if clear
                else max(spots, key=room))
        out[name] = best
    return out


# ---- quota execution ----------------------------------------------------------------------

def cumulative_quota(monthly: pd.DataFrame, batches: pd.DataFrame, caption: Caption, look: Look = Look(), *,
                     warning: Decimal = Decimal("0.90")) -> go.Figure:
    """Monthly production (bars) and cumulative production (line) against the quota after each batch."""
    if monthly["production_t"].isna().all() and batches.empty:
        return empty(caption, look)
    fig = go.Figure()
    fig.add_bar(x=plot_texts(monthly["period"]), y=_f(monthly["production_t"]), name="当月产量",
                marker_color="#90caf9", hovertemplate="%{x}<br>当月产量 %{y:,.3f} 吨<extra></extra>")
    has = monthly["production_t"].notna()
    last = monthly[has]["month"].max() if has.any() else 0
    shown = monthly[monthly["month"] <= last]
    fig.add_scatter(x=plot_texts(shown["period"]), y=_f(shown["cumulative_production_t"]), name="累计产量",
                    mode="lines+markers", line={"color": "#0d47a1", "width": 3},
                    hovertemplate="%{x}<br>累计产量 %{y:,.3f} 吨<extra></extra>")
    dash = ["dot", "dash", "solid"]
    for i, row in enumerate(batches.itertuples()):
        label = "第一批指标" if i == 0 else f"第1–{row.batch}批累计指标"
        fig.add_hline(y=float(row.cumulative_t), line={"color": RED, "dash": dash[min(i, 2)], "width": 2},
                      annotation_text=f"{label} {float(row.cumulative_t):,.1f} 吨",
                      annotation_position="top left")
    if not batches.empty:
        total = batches["cumulative_t"].iloc[-1]
        fig.add_hline(y=float(total * warning), line={"color": AMBER, "dash": "dash", "width": 1.5},
                      annotation_text=f"W01 预警线（{float(warning) * 100:.0f}%）", annotation_position="bottom left")
    fig.update_yaxes(title="吨（折REO）")
    fig.update_xaxes(type="category")
    return finish(fig, caption, look)


FLOW_SERIES = (
    ("production_t", "月报产量", "#0d47a1"),
    ("trace_production_t", "追溯系统产量", "#42a5f5"),
    ("sales_t", "月报销量", "#2e7d32"),
    ("invoiced_t", "专用发票开具量", "#ef6c00"),
    ("tax_covered_ore_t", "完税证明覆盖矿量", "#6a1b9a"),
)


def flows_comparison(df: pd.DataFrame, caption: Caption, look: Look = Look(), *, by: str = "name") -> go.Figure:
    """Production vs traceability vs sales vs invoiced vs tax-covered ore, grouped by `by`.

    By month the groups run along the x axis; by enterprise they are horizontal, one row of
    bars per enterprise, so long names stay readable however many there are.
    """
    present = [s for s in FLOW_SERIES if s[0] in df and df[s[0]].notna().any()]
    if df.empty or not present:
        return empty(caption, look)
    horizontal = by != "period"
    fig = go.Figure()
    for column, name, color in present:
        values = _f(df[column])
        if horizontal:
            fig.add_bar(y=plot_texts(df[by]), x=values, name=name, marker_color=color, orientation="h",
                        hovertemplate="%{y}<br>" + name + " %{x:,.3f} 吨<extra></extra>")
        else:
            fig.add_bar(x=plot_texts(df[by]), y=values, name=name, marker_color=color,
                        hovertemplate="%{x}<br>" + name + " %{y:,.3f} 吨<extra></extra>")
    fig.update_layout(barmode="group", bargap=0.25)
    if horizontal:
        fig.update_xaxes(title="吨（折REO）")
        fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    else:
        fig.update_yaxes(title="吨（折REO）")
        fig.update_xaxes(type="category")
    return finish(fig, caption, look)


def flows_height(rows: int) -> int:
    """A height that gives each enterprise's group of bars room to be read."""
    return max(360, 140 + 64 * rows)


def quota_years(df: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Per year: quota and production bars, utilisation (%) on the right axis."""
    if df.empty:
        return empty(caption, look)
    years = [str(y) for y in df["year"]]
    fig = go.Figure()
    fig.add_bar(x=years, y=_f(df["quota_t"]), name="冶炼分离指标", marker_color="#b0bec5",
                hovertemplate="%{x}年<br>指标 %{y:,.1f} 吨<extra></extra>")
    fig.add_bar(x=years, y=_f(df["production_t"]), name="实际产量", marker_color="#0d47a1",
                hovertemplate="%{x}年<br>产量 %{y:,.1f} 吨<extra></extra>")
    pct = [u * 100 if u is not None and not pd.isna(u) else None for u in df["utilisation"]]
    fig.add_scatter(x=years, y=pct, name="使用率", yaxis="y2", mode="lines+markers+text",
                    text=[f"{p:.1f}%" if p is not None else "" for p in pct], textposition="top center",
                    line={"color": RED}, hovertemplate="%{x}年<br>使用率 %{y:.1f}%<extra></extra>")
    fig.update_layout(barmode="group", yaxis={"title": "吨（折REO）"},
                      yaxis2={"title": "使用率（%）", "overlaying": "y", "side": "right", "showgrid": False,
                              "tickformat": ".0f", "ticksuffix": "%",
                              "range": [0, max([110.0] + [p * 1.15 for p in pct if p is not None])]})
    fig.update_xaxes(type="category")
    return finish(fig, caption, look)


# ---- campaign progress --------------------------------------------------------------------

def campaign_gantt(steps: Sequence[Step], as_of: dt.date, caption: Caption, look: Look = Look()) -> go.Figure:
    """Phases as bars and deadlines as diamonds on a date axis, with the as-of day marked."""
    fig = go.Figure()
    names = [plot_text(s.name) for s in steps]
    for s in steps:
        done = s.end < as_of
        color = "#9e9e9e" if done else ("#1565c0" if not s.is_milestone else RED)
        if s.is_milestone:
            fig.add_scatter(x=[s.end.isoformat()], y=[plot_text(s.name)], mode="markers+text", marker_symbol="diamond",
                            marker={"size": 16 * look.scale, "color": color}, text=[f"{s.end:%m月%d日}"],
                            textposition="middle right", showlegend=False,
                            hovertemplate=f"{_template_text(s.name)}<br>截止 {s.end:%Y-%m-%d}<br>"
                                          f"{_template_text(s.clause)}<extra></extra>")
        else:
            days = (s.end - s.start).days + 1
            fig.add_bar(x=[days * 86_400_000], base=[s.start.isoformat()], y=[plot_text(s.name)], orientation="h",
                        marker_color=color, showlegend=False, text=[f"{s.start:%m/%d}–{s.end:%m/%d}"],
                        textposition="inside", insidetextanchor="middle",
                        hovertemplate=f"{_template_text(s.name)}<br>{s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d}"
                                      f"<br>{_template_text(s.clause)}"
                                      "<extra></extra>")
    first = min(s.start for s in steps) - dt.timedelta(days=20)
    last = max(s.end for s in steps) + dt.timedelta(days=25)
    lo, hi = min(first, as_of - dt.timedelta(days=5)), max(last, as_of + dt.timedelta(days=5))
    fig.add_vline(x=as_of.isoformat(), line={"color": AMBER, "width": 3, "dash": "dash"})
    fig.add_annotation(x=as_of.isoformat(), y=1, yref="paper", text=f"截至 {as_of:%Y-%m-%d}", showarrow=False,
                       yanchor="bottom", xanchor="right" if as_of > last - dt.timedelta(days=20) else "center",
                       font={"color": AMBER, "size": round(13 * look.scale)})
    fig.update_xaxes(type="date", range=[lo.isoformat(), hi.isoformat()], tickformat="%m月%d日")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)), automargin=True)
    return finish(fig, caption, look, legend=False)


# ---- inspection scores --------------------------------------------------------------------

def score_ranking(totals: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Townships ranked by total score (totals: township, total, max_total)."""
    if totals.empty:
        return empty(caption, look, "本年度尚无督查评分")
    rows = totals.sort_values("total")
    fig = go.Figure(go.Bar(
        y=plot_texts(rows["township"]), x=_f(rows["total"]), orientation="h", marker_color="#1565c0",
        text=[f"{float(t):.2f} / {float(m):.0f}" for t, m in zip(rows["total"], rows["max_total"], strict=True)],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>总分 %{x:.2f}<extra></extra>",
    ))
    fig.update_xaxes(title="总分", range=[0, float(rows["max_total"].max()) * 1.15])
    fig.update_yaxes(automargin=True)
    return finish(fig, caption, look, legend=False)


def score_breakdown(scores: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Township × item heatmap of the share of each item's points obtained, items grouped by section."""
    if scores.empty:
        return empty(caption, look, "本年度尚无督查评分")
    items = scores.drop_duplicates("item_code").sort_values("item_code")
    towns = list(dict.fromkeys(scores["township"]))
    # One dict lookup per cell (as in status_grid): .loc per cell is slow at a province's 100 townships.
    cell = {(r["township"], r["item_code"]): r for r in scores.to_dict("records")}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for town in towns:
        z_row: list[float | None] = []
        t_row: list[str] = []
        h_row: list[str] = []
        for it in items.itertuples():
            r = cell.get((town, it.item_code))
            if r is not None:
                z_row.append(float(r["score"] / r["max_score"]) * 100)
                t_row.append(f"{float(r['score']):g}")
                note = r["note"] if isinstance(r["note"], str) and r["note"] else "无扣分说明"
                h_row.append(f"{plot_text(town)} · {plot_text(it.section)} · {plot_text(it.item_code)} "
                             f"{plot_text(it.item)}<br>得分 {float(r['score']):g} / {float(r['max_score']):g}"
                             f"<br>{plot_text(note)}")
            else:
                z_row.append(None)
                t_row.append("")
                h_row.append("")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    labels = [plot_text(str(it.item_code)) for it in items.itertuples()]
    fig = go.Figure(go.Heatmap(z=z, x=labels, y=plot_texts(towns), text=text, texttemplate="%{text}", customdata=hover,
                               hovertemplate="%{customdata}<extra></extra>", colorscale="RdYlGn", zmin=0, zmax=100,
                               colorbar={"title": {"text": "得分率（%）"}}, xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(automargin=True)
    return finish(fig, caption, look, legend=False)


def section_shares(sections: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Township × section of the evaluation table: the share of the section's points obtained."""
    if sections.empty:
        return empty(caption, look, "本年度尚无督查评分")
    names = list(dict.fromkeys(sections["section"]))
    towns = list(dict.fromkeys(sections["township"]))
    cell = sections.set_index(["township", "section"])
    z, text = [], []
    for town in towns:
        z_row, t_row = [], []
        for name in names:
            if (town, name) in cell.index:
                r = cell.loc[(town, name)]
                z_row.append(round(float(r["share"]) * 100, 2) if r["share"] is not None else None)
                t_row.append(f"{float(r['score']):g}/{float(r['max_score']):g}")
            else:
                z_row.append(None)
                t_row.append("")
        z.append(z_row)
        text.append(t_row)
    fig = go.Figure(go.Heatmap(z=z, x=plot_texts(names), y=plot_texts(towns), text=text, texttemplate="%{text}",
                               colorscale="RdYlGn",
                               zmin=0, zmax=100, colorbar={"title": {"text": "得分率（%）"}}, xgap=2, ygap=2,
                               hovertemplate="%{y} · %{x}<br>得分 %{text}（%{z:.1f}%）<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return finish(fig, caption, look, legend=False)


def score_change(compare: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Year-over-year: the share of points obtained per township in two years (compare: township, year, share)."""
    if compare.empty:
        return empty(caption, look, "没有可比较的督查评分")
    fig = go.Figure()
    years = sorted(compare["year"].unique())
    palette = ["#b0bec5", "#1565c0"]
    for i, year in enumerate(years):
        part = compare[compare["year"] == year]
        fig.add_bar(x=plot_texts(part["township"]), y=[s * 100 if s is not None else None for s in part["share"]],
                    name=f"{year}年", marker_color=palette[i % 2],
                    hovertemplate="%{x}<br>" + f"{year}年" + " 得分率 %{y:.1f}%<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="得分率（占满分%）", range=[0, 105])
    return finish(fig, caption, look)


# ---- enterprise profile -------------------------------------------------------------------

def enterprise_monthly(reports: pd.DataFrame, trace: pd.DataFrame, caption: Caption,
                       look: Look = Look()) -> go.Figure:
    """One enterprise's monthly production, sales and traceability production."""
    if reports.empty and trace.empty:
        return empty(caption, look, "本年度没有月报或追溯数据")
    fig = go.Figure()
    if not reports.empty:
        fig.add_bar(x=plot_texts(reports["period"]), y=_f(reports["production_t"]), name="月报产量",
                    marker_color="#0d47a1")
        fig.add_bar(x=plot_texts(reports["period"]), y=_f(reports["sales_t"]), name="月报销量",
                    marker_color="#2e7d32")
    if not trace.empty:
        fig.add_scatter(x=plot_texts(trace["period"]), y=_f(trace["production_t"]), name="追溯系统产量",
                        mode="lines+markers",
                        line={"color": "#ef6c00"})
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="吨（折REO）")
    fig.update_xaxes(type="category")
    return finish(fig, caption, look)


# ---- finding lifecycle (问题闭环) -------------------------------------------------------------

LIFECYCLE_PARTS = (("逾期未整改", RED), ("整改中（期限内）", AMBER), ("待交办、待核查等", "#9aa0a6"), ("已销号", GREEN))


def lifecycle_by_township(counts: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Per township (or department): overdue, open within the deadline, other open, closed; stacked bars.

    `counts` has township, found, open, overdue, closed, dismissed, due (open findings still being rectified).
    """
    if counts.empty or int(counts["found"].sum()) == 0:
        return empty(caption, look, "问题台账中暂无问题（运行 findings sync 或导入数据后自动登记）")
    towns = plot_texts(counts["township"])  # townships or departments: data text
    due = counts["due"] if "due" in counts else counts["open"]
    parts = {
        "逾期未整改": counts["overdue"],
        "整改中（期限内）": due - counts["overdue"],
        "待交办、待核查等": counts["open"] - due,
        "已销号": counts["closed"] + counts["dismissed"],
    }
    fig = go.Figure()
    for name, color in LIFECYCLE_PARTS:
        values = [int(v) for v in parts[name]]
        fig.add_bar(y=towns, x=values, name=name, marker_color=color, orientation="h",
                    text=[v or "" for v in values], textposition="inside",
                    hovertemplate="%{y}<br>" + name + " %{x}条<extra></extra>")
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.12})
    fig.update_xaxes(title="条数")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(towns)), automargin=True)
    return finish(fig, caption, look)


def burndown(weeks: pd.DataFrame, caption: Caption, look: Look = Look()) -> go.Figure:
    """Open findings at each week's end (line) and the findings closed in that week (bars)."""
    if weeks.empty:
        return empty(caption, look, "尚无可绘制的周")
    if int(weeks["open"].max()) == 0 and int(weeks["closed_in_week"].sum()) == 0:
        # Weeks of zeros would read as "all put right"; there was nothing to put right.
        return empty(caption, look, "问题台账中暂无问题")
    days = [d.isoformat() for d in weeks["week_end"]]
    fig = go.Figure()
    fig.add_bar(x=days, y=[int(v) for v in weeks["closed_in_week"]], name="本周销号", marker_color=GREEN,
                hovertemplate="%{x}<br>本周销号 %{y}条<extra></extra>")
    fig.add_scatter(x=days, y=[int(v) for v in weeks["open"]], name="周末未销号", mode="lines+markers",
                    line={"color": RED, "width": 3}, hovertemplate="%{x}<br>未销号 %{y}条<extra></extra>")
    fig.update_xaxes(title="周末（周日）", type="category")
    fig.update_yaxes(title="条数", rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return finish(fig, caption, look)
