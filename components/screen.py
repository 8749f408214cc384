"""Large-screen mode for wall displays: `?mode=screen`, on the 总览 and 镇区地图 pages.

The wall is laid out once for 1920×1080 CSS pixels and the stylesheet scales that whole
canvas to the screen (a 3840×2160 wall at 100 % zoom doubles it, any 16:9 size in between
scales by its width), so type never shrinks below the sizes chosen for 1080p.

URL parameters (invalid values fall back to the defaults; see README, 大屏):
- `refresh`: seconds between automatic refreshes (default 60, at least 5);
- `carousel`: seconds per panel group (10–60); absent or 0 shows one fixed layout;
- `panels`: which panel groups, in which order, e.g. `overview,map,lights` (see GROUPS);
- `theme`: `night` (dimmed, for 24-hour rooms), `day`, or absent: by the clock in config.toml [screen];
- `measure`: fixes the map's colouring (otherwise the carousel steps through the measures);
- `res=4k`: accepted for old links; the scaling is automatic.

A wall link can also keep these parameters in the database (大屏设置, supervision.access.wall_links): then the
screen's URL needs only the token, and the admin changes the screen from the office. A parameter written in
the URL wins over the stored one, so a link composed with parameters keeps meaning what it says.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components
from sqlalchemy.exc import SQLAlchemyError

from components import data, figures, filters, mapview, panels, session, sources
from components.db import current_data_version, current_lifecycle_version, settings
from components.filters import Filters
from components.session import current_principal
from supervision.core import campaign
from supervision.core.clock import now_local, to_local, today_local
from supervision.core.config import ScreenSettings
from supervision.core.safety import md_escape
from supervision.reporting import charts
from supervision.reporting.charts import Look

STATIC = Path(__file__).resolve().parent.parent / "static"
DEFAULT_REFRESH = 60
MIN_REFRESH = 5
# Under load a wall refreshes less often, up to this multiple of its interval, and says so (issue 21).
STRETCH_MAX = 8
CAROUSEL_RANGE = (10, 60)
# Panel groups a wall link can name in `panels`, in their default order. A group is a function below
# (GROUPS maps its name to it); a new group (e.g. the rectifications' burn-down) is one more entry.
OVERVIEW_DEFAULT = ("overview", "lights", "burndown", "timeline")
MAP_DEFAULT = ("map",)
WALL_PLOTLY_CONFIG: dict[str, Any] = {"displayModeBar": False}
# The 1920×1080 canvas, in CSS pixels: what the header, the numbers and the margins take; the rest is charts.
CANVAS_H = 1080
HEADER_H = 76
METRICS_H = 190
GAP = 12


@dataclass(frozen=True)
class Screen:
    on: bool
    uhd: bool = False  # an old link's res=4k: kept for compatibility, the stylesheet scales by itself
    refresh_s: int = DEFAULT_REFRESH
    carousel_s: int = 0
    panels: tuple[str, ...] = ()
    theme: str = ""  # "night", "day" or "" (by the clock)
    scale: float = 1.0  # the screen's width / 1920: every size of the 1080p design is multiplied by it

    def look(self, height: int) -> Look:
        """The wall's dark look for a panel `height` pixels high in the 1920×1080 design, at the screen's scale."""
        return Look(height=round(height * self.scale), dark=True, wall=True, scale=self.scale)

    def groups(self, default: tuple[str, ...]) -> tuple[str, ...]:
        return self.panels or default

    def carousel_index(self, groups: int, now: float | None = None) -> int:
        """Which panel group to show now: time-based, so every screen showing the link agrees."""
        if not self.carousel_s or groups <= 1:
            return 0
        return int((now if now is not None else time.time()) // self.carousel_s) % groups

    @property
    def run_every(self) -> int:
        """How often the wall panels rerun: the refresh period, or the carousel's if shorter."""
        periods = [self.refresh_s] + ([self.carousel_s] if self.carousel_s else [])
        return max(MIN_REFRESH, min(periods))

    def night(self, config: ScreenSettings, now: dt.time | None = None) -> bool:
        """Dimmed: asked for by the link, or by the clock (config.toml [screen] night_from/night_until)."""
        if self.theme in ("night", "day"):
            return self.theme == "night"
        if not config.night_from or not config.night_until:
            return False
        t = now or now_local().time()
        start, end = config.night_from, config.night_until
        return start <= t < end if start <= end else t >= start or t < end


def _now() -> float:
    """The wall's clock (the carousel's position); tests replace it."""
    return time.time()


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


def parse_panels(text: str | None) -> tuple[str, ...]:
    """The known group names of a `panels` parameter, in its order, each once (unknown names are skipped)."""
    names = [p.strip().lower() for p in (text or "").replace("，", ",").split(",")]
    return tuple(dict.fromkeys(n for n in names if n in GROUPS))


def _scale(text: str | None, uhd: bool) -> float:
    """The URL's `scale` (set by the page itself, static/wall-scale.html), 0.5–4; an old res=4k link means 2."""
    try:
        value = float(text) if text else (2.0 if uhd else 1.0)
    except ValueError:
        value = 2.0 if uhd else 1.0
    return round(min(max(value, 0.5), 4.0), 2) if value == value else 1.0


def param(name: str) -> str:
    """A wall parameter: from the URL, else as stored with this screen's link (大屏设置), else empty."""
    return st.query_params.get(name) or session.link_params().get(name, "")


def read() -> Screen:
    """The screen settings from the URL and the link's stored parameters (invalid values fall back to the defaults).

    A wall-screen link (`token`) or a session signed in by one always gets the wall, with or without
    `mode=screen`: a link must never open the normal pages with their tables and downloads.
    """
    params = st.query_params
    if params.get("mode") != "screen" and not params.get("token") and not session.is_screen():
        return Screen(on=False)
    carousel = _int(param("carousel"), 0)
    theme = param("theme").lower()
    uhd = params.get("res", "").lower() in ("4k", "2160", "uhd")
    return Screen(
        on=True,
        uhd=uhd,
        scale=_scale(params.get("scale"), uhd),
        refresh_s=max(MIN_REFRESH, _int(param("refresh"), DEFAULT_REFRESH)),
        carousel_s=0 if carousel <= 0 else min(max(carousel, CAROUSEL_RANGE[0]), CAROUSEL_RANGE[1]),
        panels=parse_panels(param("panels")),
        theme=theme if theme in ("night", "day") else "",
    )


GROUP_NAMES = {"overview": "总览（指标与三张图）", "lights": "逾期事项与举报、处罚", "burndown": "问题整改与销号进度",
               "timeline": "整顿进程", "map": "镇区地图"}
THEMES = {"": "按时钟（config.toml [screen]）", "day": "白天", "night": "夜间（调暗）"}


PAGES = {"": "总览", "map": "镇区地图"}


def describe(params: Mapping[str, str]) -> str:
    """A link's stored parameters as the admin reads them in the list of links ("默认" when none is set)."""
    parts = []
    if params.get("page") in PAGES:
        parts.append(PAGES[params["page"]])
    if groups := parse_panels(params.get("panels")):
        parts.append("面板：" + " → ".join(GROUP_NAMES[g].split("（")[0] for g in groups))
    if (carousel := _int(params.get("carousel"), 0)) > 0:
        parts.append(f"轮播{min(max(carousel, CAROUSEL_RANGE[0]), CAROUSEL_RANGE[1])}秒")
    if "refresh" in params:
        parts.append(f"刷新{max(MIN_REFRESH, _int(params.get('refresh'), DEFAULT_REFRESH))}秒")
    if params.get("theme") in ("day", "night"):
        parts.append(THEMES[params["theme"]].split("（")[0])
    if (measure := mapview.measure_from(params.get("measure"))) is not None:
        parts.append("地图：" + mapview.MEASURES[measure])
    return "；".join(parts) or "默认"


def stored_carousel(params: Mapping[str, str]) -> int:
    """The carousel seconds a link stores, on the 5-second steps of 大屏设置's slider (0: none)."""
    value = _int(params.get("carousel"), 0)
    return 0 if value <= 0 else min(max(value, CAROUSEL_RANGE[0]), CAROUSEL_RANGE[1]) // 5 * 5


def stored_refresh(params: Mapping[str, str]) -> int:
    return min(max(MIN_REFRESH, _int(params.get("refresh"), DEFAULT_REFRESH)), 3600)


def stored_params(*, page: str = "", panels: tuple[str, ...] = (), carousel: int = 0, refresh: int = DEFAULT_REFRESH,
                  theme: str = "", measure: str = "") -> dict[str, str]:
    """What 大屏设置 stores for a screen: only what differs from the defaults, as the URL would say it."""
    out = {"page": page if page in PAGES else "", "panels": ",".join(p for p in panels if p in GROUPS),
           "carousel": str(carousel) if carousel > 0 else "",
           "refresh": str(max(MIN_REFRESH, refresh)) if refresh != DEFAULT_REFRESH else "",
           "theme": theme if theme in ("day", "night") else "",
           "measure": measure if measure in mapview.MEASURES else ""}
    return {name: value for name, value in out.items() if value}


def link(base: str, token: str, *, page: str = "", panels: tuple[str, ...] = (), carousel: int = 0,
         refresh: int = DEFAULT_REFRESH, theme: str = "", measure: str = "", year: int | None = None,
         as_of: dt.date | None = None) -> str:
    """A wall link from its parameters (what the admin's 大屏设置 composes; the token is pasted, never stored)."""
    from urllib.parse import urlencode

    params: dict[str, str] = {"token": token.strip(), "mode": "screen"}
    if panels:
        params["panels"] = ",".join(p for p in panels if p in GROUPS)
    if carousel:
        params["carousel"] = str(min(max(carousel, CAROUSEL_RANGE[0]), CAROUSEL_RANGE[1]))
    if refresh != DEFAULT_REFRESH:
        params["refresh"] = str(max(MIN_REFRESH, refresh))
    if theme in ("day", "night"):
        params["theme"] = theme
    if measure:
        params["measure"] = measure
    if year is not None:
        params["year"] = str(year)
    if as_of is not None:
        params["as_of"] = f"{as_of:%Y-%m-%d}"
    return f"{base.rstrip('/')}/{page.strip('/')}?{urlencode(params, safe=',')}"


def apply(screen: Screen) -> None:
    """Hide the sidebar, header and toolbar, switch to the dark wall style and scale the canvas to the screen."""
    if screen.on:
        st.html(STATIC / "screen.css")


def updated_text(changed_at: dt.datetime | None) -> str:
    """"最后更新": when this panel was drawn, and when the data last changed (in the display time zone)."""
    text = f"最后更新：{now_local():%Y-%m-%d %H:%M:%S}"
    if changed_at is not None:
        local = to_local(changed_at)
        text += f"　数据变更：{local:%Y-%m-%d %H:%M}"
    return text


# ---- what a panel group shows ------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    key: str
    figure: go.Figure
    config: dict[str, Any] = field(default_factory=lambda: WALL_PLOTLY_CONFIG)


Column = tuple[Panel, ...]  # panels stacked in one column


@dataclass(frozen=True)
class View:
    """One panel group as read from the database; drawing it reads nothing, so it can be redrawn in an outage."""

    group: str
    title: str
    context: str
    changed_at: dt.datetime | None
    metrics: tuple[panels.Metric, ...]
    metrics_source: str
    columns: tuple[tuple[float, Column], ...]  # (relative width, panels); rows of columns are one row here
    rows: tuple[tuple[tuple[float, Column], ...], ...] = ()
    built_at: dt.datetime = field(default_factory=now_local)


@dataclass(frozen=True)
class Frame:
    """What every group is read against: the data version, the filters and the screen's parameters."""

    version: int
    f: Filters
    screen: Screen
    compact: bool  # two overview groups share the canvas (the default layout without a carousel)
    visit: int  # how many times the carousel has come round (the map's measure steps on with it)


def _context(f: Filters) -> str:
    cfg = settings()
    pos = campaign.position(cfg, f.year, f.as_of)
    return f"{cfg.jurisdiction.name} · {f.year}年 · {pos.phase} · {pos.countdown()}"


def _body(metrics: bool) -> int:
    """Height left for charts on the canvas under the header (and the numbers)."""
    return CANVAS_H - HEADER_H - (METRICS_H if metrics else 0) - 3 * GAP


def _overview(fr: Frame) -> View:
    f, v = fr.f, fr.version
    height = (_body(True) - GAP) // 2 if fr.compact else _body(True)
    look = fr.screen.look(height)
    row = ((1.0, (Panel("enterprises", panels.fig_enterprises(v, f, look)),)),
           (0.9, (Panel("quota", panels.fig_quota(v, f, look)),)),
           (1.1, (Panel("findings", panels.fig_findings(v, f, look)),)))
    rows: tuple[tuple[tuple[float, Column], ...], ...] = (row,)
    if fr.compact:
        rows = (row, _lights(fr, height).columns)
    return View("overview", "稀土行业秩序整顿 · 总览", _context(f), data.data_changed_at(v), tuple(panels.kpis(v, f)),
                panels.kpi_caption(v, f).brief, (), rows)


def _lights(fr: Frame, height: int | None = None) -> View:
    f, v = fr.f, fr.version
    full = height is None
    h = _body(False) if height is None else height
    look = fr.screen.look(h)
    half = fr.screen.look((h - GAP) // 2)
    if full:
        columns: tuple[tuple[float, Column], ...] = (
            (1.6, (Panel("lights", panels.fig_lights(v, f, look)),)),
            (1.0, (Panel("tipoffs", panels.fig_tipoffs(v, f, half)), Panel("penalties",
                                                                             panels.fig_penalties(v, f, half)))))
    else:
        columns = ((1.0, (Panel("lights", panels.fig_lights(v, f, look)),)),
                   (0.9, (Panel("tipoffs", panels.fig_tipoffs(v, f, look)),)),
                   (1.1, (Panel("penalties", panels.fig_penalties(v, f, look)),)))
    return View("lights", "逾期事项与举报、处罚", _context(f), data.data_changed_at(v), (), "", columns)


def _map(fr: Frame) -> View:
    f, v = fr.f, fr.version
    principal = current_principal()
    fixed = mapview.measure_from(param("measure") or None)
    cycle = list(mapview.MEASURE_TABLES)
    measure = fixed or cycle[fr.visit % len(cycle)]
    look = fr.screen.look(_body(False))
    measures = data.map_measures(v, principal, f.year, f.as_of, f.category)
    points = data.enterprises(v, principal, None, f.category)
    name = mapview.MEASURES[measure]
    c = sources.caption(v, principal, f, f"各镇（区）{name}与企业分布",
                        mapview.MEASURE_TABLES[measure] + ("enterprises",))
    bounds = data.township_boundaries()
    fig = figures.memo(("wall_map", v, principal, f, measure, look), lambda: charts.township_map(
        mapview.choropleth_geojson(), measures, measure, points, c, look, selected=f.township,
        schematic=bounds.schematic))
    rc = sources.caption(v, principal, f, f"各镇（区）{name}排名", mapview.MEASURE_TABLES[measure])
    ranking = figures.memo(("wall_ranking", v, principal, f, measure, look),
                           lambda: charts.township_bars(measures, measure, rc, look, selected=f.township))
    columns = ((2.0, (Panel("map", fig, {**mapview.PLOTLY_CONFIG, **WALL_PLOTLY_CONFIG}),)),
               (1.0, (Panel("ranking", ranking),)))
    return View("map", f"镇区地图 · {name}", _context(f), data.data_changed_at(v), (), "", columns)


def _burndown(fr: Frame) -> View:
    """The finding lifecycle (问题闭环): open, overdue and closed per township, and the weekly burn-down."""
    f, v = fr.f, fr.version
    look = fr.screen.look(_body(False))
    columns = ((1.0, (Panel("lifecycle", panels.fig_lifecycle(v, f, look)),)),
               (1.0, (Panel("burndown", panels.fig_burndown(v, f, look)),)))
    return View("burndown", "问题整改与销号进度", _context(f), data.data_changed_at(v), (), "", columns)


def _timeline(fr: Frame) -> View:
    """整顿进程: open findings and red lights at each week's end, against the campaign's milestones."""
    f, v = fr.f, fr.version
    columns = ((1.0, (Panel("timeline", panels.fig_timeline(v, f, fr.screen.look(_body(False)))),)),)
    return View("timeline", "整顿进程", _context(f), data.data_changed_at(v), (), "", columns)


GROUPS: dict[str, Callable[[Frame], View]] = {"overview": _overview, "map": _map, "lights": _lights,
                                               "burndown": _burndown, "timeline": _timeline}


def view(group: str, fr: Frame) -> View:
    """The group's view, kept per process (components/figures.py) under everything it is read from: the frame,
    what the principal may read, the lifecycle's counter, the day and the map's fixed measure. A refresh that
    finds none of them changed draws the kept view without reading a cache: under 20 walls py-spy found the
    refreshes spending a fifth of their time unpickling cached frames whose figures were already kept (issue 21)."""
    # Only the map reads the carousel's round (its measure steps on with it). Keyed by the round itself, every
    # group would be kept again each round and push the pages' figures out of the shared store.
    rounds = replace(fr, visit=fr.visit % len(mapview.MEASURE_TABLES) if group == "map" else 0)
    key = ("wall_view", group, rounds, current_principal(), current_lifecycle_version(), today_local(),
           param("measure"))
    return figures.keep(key, lambda: GROUPS[group](fr))


# ---- drawing -----------------------------------------------------------------------------

_SNAPSHOTS = "wall_snapshots"


def _draw_columns(columns: tuple[tuple[float, Column], ...]) -> None:
    cols = st.columns([w for w, _ in columns], gap="small")
    for col, (_, stack) in zip(cols, columns, strict=True):
        with col:
            for p in stack:
                st.plotly_chart(p.figure, key=f"wall_{p.key}", theme=None, config=p.config)


def draw(view: View, stale: bool = False) -> Any:
    """Draw a view; `stale` adds the outage banner with the time the view was read. Returns the slot of the
    "最后更新" line, which the caller may rewrite (stretched_note)."""
    head, side = st.columns([3, 2], vertical_alignment="center")
    head.title(md_escape(view.title), anchor=False)
    with side:
        st.markdown(f"**{md_escape(view.context)}**")
        if stale:
            st.error(f"数据暂不可用，显示的是 {view.built_at:%H:%M} 的数据", icon=":material/cloud_off:")
        status = st.empty()
        if not stale:
            status.caption(md_escape(updated_text(view.changed_at)))
    if view.metrics:
        for col, m in zip(st.columns(len(view.metrics)), view.metrics, strict=True):
            if m.note:
                col.metric(md_escape(m.label), md_escape(m.value), md_escape(m.note),
                           delta_color="inverse" if m.note_color == "inverse" else "off", delta_arrow="off")
            else:
                col.metric(md_escape(m.label), md_escape(m.value))
        st.caption(md_escape(view.metrics_source))
    for row in view.rows or (view.columns,):
        _draw_columns(row)
    return status


# ---- refreshing under load ------------------------------------------------------------------

_INTERVAL = "wall_interval"


def stretched(base: int, current: int, took: float) -> int:
    """The wall's next refresh interval after a refresh that took `took` seconds: doubled, up to STRETCH_MAX
    times `base`, when it took over a quarter of the interval (the server is busy: a screen that asks again
    before it is served only queues behind itself); halved back towards `base` once one takes under a
    twentieth. The gap between the two keeps it from flapping."""
    if took > current / 4 and current < base * STRETCH_MAX:
        return min(current * 2, base * STRETCH_MAX)
    if current > base and took < current / 20:
        return max(base, current // 2)
    return current


def stretched_note(base: int, current: int) -> str:
    return f"　刷新间隔已自动延长至{current}秒（服务器繁忙）" if current > base else ""


def _retime(seconds: int) -> None:
    """Give this fragment's timer in the browser a new interval, without a full run.

    Streamlit 1.67 sends a fragment's auto-rerun interval only when the fragment is declared, in a full run;
    a full run per change cost more than the refreshes it saved (README). The frontend replaces a fragment's
    timer whenever an auto_rerun message for that fragment names another interval, so the same message is
    sent from the fragment's own run (private API, checked against 1.67: tests/test_pages_wall.py).
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

    ctx = get_script_run_ctx()
    fragment_id = ThreadState.get().fragment_id
    if ctx is None or fragment_id is None:
        return
    msg = ForwardMsg()
    msg.auto_rerun.interval = seconds
    msg.auto_rerun.fragment_id = fragment_id
    ctx.enqueue(msg)


def show(screen: Screen, default: tuple[str, ...]) -> None:
    """The wall: the chosen panel groups (in turn with a carousel), redrawn every `run_every` seconds, less often
    while the server is busy (stretched)."""
    components.html((STATIC / "wall-scale.html").read_text(encoding="utf-8"), height=0)
    base = screen.run_every
    # A full run declares the fragment again with the interval in force, so it does not undo a stretch.
    interval = st.session_state.get(_INTERVAL, {}).get(base, base)

    @st.fragment(run_every=interval)
    def wall() -> None:
        started = time.perf_counter()
        groups = screen.groups(default)
        now = _now()
        index = screen.carousel_index(len(groups), now)
        group = groups[index]
        # The overview's wall without a carousel: its first two groups share the screen in two rows.
        compact = not screen.carousel_s and not screen.panels and groups == OVERVIEW_DEFAULT
        visit = int(now // (screen.carousel_s * len(groups))) if screen.carousel_s else 0
        if screen.night(settings().screen):
            st.html(STATIC / "screen-night.css")
        snapshots: dict[str, View] = st.session_state.setdefault(_SNAPSHOTS, {})
        try:
            session.guard_refresh()  # a revoked link or changed account shows no more data (issue 20)
            version = current_data_version()
            f = filters.current(version, current_principal())
            shown = view(group, Frame(version, f, screen, compact, visit))
        except SQLAlchemyError:
            # The database is away: keep the last figures on the wall, say how old they are, retry next tick.
            last = snapshots.get(group) or max(snapshots.values(), key=lambda s: s.built_at, default=None)
            if last is None:
                st.error("数据暂不可用，正在重试…", icon=":material/cloud_off:")
            else:
                draw(last, stale=True)
            return
        snapshots[group] = shown
        status = draw(shown)
        intervals: dict[int, int] = st.session_state.setdefault(_INTERVAL, {})
        current = intervals.get(base, base)
        following = stretched(base, current, _took(started))
        if following != current:
            intervals[base] = following
            _retime(following)
        if following != base:
            status.caption(md_escape(updated_text(shown.changed_at) + stretched_note(base, following)))

    wall()


def _took(started: float) -> float:
    """Seconds since `started` (a seam for tests)."""
    return time.perf_counter() - started
