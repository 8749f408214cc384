"""The wall screen under AppTest: the carousel's order, a wall link with every parameter, the outage banner."""

from __future__ import annotations

import datetime as dt

import pytest
from page_support import charts, no_exception
from sqlalchemy.exc import OperationalError

from components import screen
from supervision.access import wall_links
from supervision.core.config import ScreenSettings
from supervision.core.principal import SYSTEM
from supervision.storage.db import open_database

PARAMS = {"year": "2019", "as_of": "2019-10-15"}
GROUP_CHARTS = {
    "overview": {"wall_enterprises", "wall_quota", "wall_findings"},
    "map": {"wall_map", "wall_ranking"},
    "lights": {"wall_lights", "wall_tipoffs", "wall_penalties"},
    "burndown": {"wall_lifecycle", "wall_burndown"},
}


def shown(at) -> set[str]:
    return {k for k in charts(at) if k.startswith("wall_")}


def html(at) -> str:
    return "".join(str(e.proto) for e in at.get("html"))


def test_carousel_shows_the_groups_in_the_links_order(app, monkeypatch):
    """panels=lights,map,overview with carousel=10: 0–9 s lights, 10–19 s map, 20–29 s overview, then lights."""
    seen = []
    for second in (3, 13, 23, 33):
        monkeypatch.setattr(screen, "_now", lambda second=second: 1_700_000_000 // 30 * 30 + second)
        at = app(mode="screen", carousel="10", panels="lights,map,overview", **PARAMS)
        no_exception(at)
        seen.append(next(g for g, keys in GROUP_CHARTS.items() if shown(at) == keys))
    assert seen == ["lights", "map", "overview", "lights"]


def test_a_wall_link_with_every_parameter(app, seeded, monkeypatch):
    monkeypatch.setattr(screen, "_now", lambda: 1_700_000_000 // 20 * 20)  # the first group's turn
    at = app(token=seeded[1], mode="screen", refresh="15", carousel="10", panels="map,overview,nonsense",
             theme="night", measure="未销号问题", scale="2", **PARAMS)
    no_exception(at)
    assert shown(at) == GROUP_CHARTS["map"]
    assert at.title[0].value == "镇区地图 · 未销号问题"  # the fixed measure, not the carousel's
    figs = charts(at)
    # The 1080p design at scale 2: heights and type doubled (a 4K wall).
    assert figs["wall_ranking"]["layout"]["height"] == 2 * (screen.CANVAS_H - screen.HEADER_H - 3 * screen.GAP)
    assert figs["wall_ranking"]["layout"]["title"]["font"]["size"] == 52
    assert figs["wall_ranking"]["layout"]["title"]["subtitle"]["text"].startswith("来源：")
    assert "brightness" in html(at)  # theme=night
    parsed = screen.Screen(on=True, refresh_s=15, carousel_s=10, panels=("map", "overview"), theme="night", scale=2)
    assert parsed.run_every == 10


def test_the_links_stored_parameters_lay_out_the_wall_and_the_url_wins(app, seeded, settings, monkeypatch):
    """大屏设置 stores a screen's parameters with its link: the wall follows them, and a parameter the URL names
    wins over the stored one (a link composed with parameters keeps meaning what it says)."""
    engine = open_database(seeded[0], settings)
    found = wall_links.screen_link(engine, seeded[1])
    assert found is not None
    monkeypatch.setattr(screen, "_now", lambda: 1_700_000_000 // 20 * 20)  # the first group's turn
    try:
        wall_links.set_screen_params(engine, SYSTEM, found[0], {"panels": "lights,map", "carousel": "10",
                                                                "theme": "night"})
        at = app(token=seeded[1], **PARAMS)
        no_exception(at)
        assert shown(at) == GROUP_CHARTS["lights"]
        assert "brightness" in html(at)
        at = app(token=seeded[1], panels="burndown", theme="day", **PARAMS)
        no_exception(at)
        assert shown(at) == GROUP_CHARTS["burndown"]
        assert "brightness" not in html(at)
    finally:
        wall_links.set_screen_params(engine, SYSTEM, found[0], {})
        engine.dispose()


def test_describing_and_storing_a_screens_parameters():
    assert screen.describe({}) == "默认"
    stored = screen.stored_params(page="map", panels=("map", "bogus", "overview"), carousel=15, refresh=60,
                                  theme="night", measure="open_findings")
    assert stored == {"page": "map", "panels": "map,overview", "carousel": "15", "theme": "night",
                      "measure": "open_findings"}
    assert screen.describe(stored) == "镇区地图；面板：镇区地图 → 总览；轮播15秒；夜间；地图：未销号问题"
    assert screen.stored_carousel({"carousel": "99"}) == 60 and screen.stored_refresh({"refresh": "1"}) == 5


def test_link_parameters_are_clamped_and_unknown_panels_skipped():
    assert screen.parse_panels("Map, lights,,nonsense,map") == ("map", "lights")
    assert screen._scale("9", False) == 4.0 and screen._scale("x", True) == 2.0 and screen._scale(None, False) == 1.0
    assert screen.Screen(on=True, refresh_s=60, carousel_s=10).run_every == 10


@pytest.mark.parametrize(("now", "night"), [(dt.time(19, 59), False), (dt.time(20, 0), True), (dt.time(3, 0), True),
                                            (dt.time(7, 0), False)])
def test_night_by_the_clock(now, night):
    hours = ScreenSettings(night_from=dt.time(20, 0), night_until=dt.time(7, 0))
    assert screen.Screen(on=True).night(hours, now) is night
    assert screen.Screen(on=True, theme="day").night(hours, dt.time(3, 0)) is False
    assert screen.Screen(on=True).night(ScreenSettings(), now) is False


def test_an_outage_keeps_the_last_figures_under_a_banner(app, monkeypatch):
    at = app(mode="screen", panels="overview", **PARAMS)
    no_exception(at)
    before = shown(at)

    def down() -> int:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(screen, "current_data_version", down)
    at.run()
    no_exception(at)
    assert shown(at) == before
    assert any(e.value.startswith("数据暂不可用，显示的是 ") and e.value.endswith(" 的数据") for e in at.error)


def test_a_revoked_link_shows_a_notice_and_no_sign_in_form(app):
    at = app(token="no-such-token", mode="screen", **PARAMS)
    no_exception(at)
    assert at.title[0].value == "大屏链接已失效"
    assert not at.text_input


def test_the_default_as_of_date_and_days_left_roll_over_at_midnight(app, monkeypatch):
    """A wall left on overnight (no as_of in its link) moves to the new day at its next refresh."""
    from supervision.core import clock

    monkeypatch.setattr(clock, "today_local", lambda: dt.date(2019, 8, 12))
    at = app(mode="screen", panels="overview")
    no_exception(at)
    assert any("距镇区上报汇总表（08月13日）还有1天" in m.value for m in at.markdown)
    monkeypatch.setattr(clock, "today_local", lambda: dt.date(2019, 8, 13))
    at.run()
    no_exception(at)
    assert any("镇区上报汇总表（08月13日）今天截止" in m.value for m in at.markdown)


def test_the_admins_wall_link_carries_every_parameter():
    url = screen.link("http://wall.example:8501/", " abc ", page="map", panels=("map", "overview", "bogus"),
                      carousel=90, refresh=30, theme="night", measure="未销号问题", year=2019,
                      as_of=dt.date(2019, 8, 13))
    assert url.startswith("http://wall.example:8501/map?token=abc&mode=screen&panels=map,overview&carousel=60"
                          "&refresh=30&theme=night&measure=")
    assert url.endswith("&year=2019&as_of=2019-08-13")
    assert screen.link("http://h", "t") == "http://h/?token=t&mode=screen"


def test_a_refresh_with_nothing_changed_draws_the_kept_view(app, monkeypatch):
    """The view of a panel group is kept per process: a refresh that finds the data, the lifecycle and the day
    unchanged draws it again without building it; a change of any of them builds it afresh (issue 21)."""
    at = app(mode="screen", **PARAMS)
    no_exception(at)
    first = shown(at)
    built = []
    original = screen.GROUPS["overview"]
    monkeypatch.setitem(screen.GROUPS, "overview", lambda fr: built.append(fr) or original(fr))
    at.run()
    no_exception(at)
    assert built == [] and shown(at) == first
    lifecycle = screen.current_lifecycle_version()
    monkeypatch.setattr(screen, "current_lifecycle_version", lambda: lifecycle + 1)
    at.run()
    assert len(built) == 1 and shown(at) == first
    monkeypatch.setattr(screen, "today_local", lambda: dt.date(2031, 1, 1))
    at.run()
    no_exception(at)
    assert len(built) == 2


def test_streamlit_runs_no_full_garbage_collection_after_each_run():
    """Streamlit's gc.collect(2) after every run was half of a busy server's CPU under 20 walls (py-spy, issue 21)."""
    import tomllib

    from devtools.browser import ROOT

    with open(ROOT / ".streamlit" / "config.toml", "rb") as fh:
        options = tomllib.load(fh)
    assert options["runner"]["postScriptGC"] is False


@pytest.mark.parametrize(("current", "took", "following"), [
    (10, 1.0, 10),    # a quick refresh keeps the interval
    (10, 2.6, 20),    # over a quarter of it: doubled
    (40, 11.0, 80),   # doubled again
    (80, 30.0, 80),   # no further than STRETCH_MAX times the link's interval
    (80, 3.9, 40),    # under a twentieth: halved back
    (20, 0.5, 10),    # down to the link's interval
    (20, 2.0, 20),    # between the two: kept (no flapping)
])
def test_the_interval_stretches_under_load_and_comes_back(current, took, following):
    assert screen.stretched(10, current, took) == following


def test_a_slow_refresh_stretches_the_walls_timer_and_says_so(app, monkeypatch):
    """A refresh that took 5 s of a 10 s interval doubles it: the browser's timer gets the new interval in an
    auto_rerun message for the same fragment (no full run), and the wall says so; quick ones bring it back."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    sent = []
    enqueue = ScriptRunContext.enqueue

    def recording(self, msg):
        if msg.WhichOneof("type") == "auto_rerun":
            sent.append((msg.auto_rerun.fragment_id, msg.auto_rerun.interval))
        return enqueue(self, msg)

    monkeypatch.setattr(ScriptRunContext, "enqueue", recording)
    monkeypatch.setattr(screen, "_took", lambda started: 5.0)
    at = app(mode="screen", refresh="10", **PARAMS)
    no_exception(at)
    (declared, first), (retimed, second) = sent[-2:]
    assert (first, second) == (10, 20) and declared == retimed
    assert "刷新间隔已自动延长至20秒（服务器繁忙）" in "".join(c.value for c in at.caption)
    monkeypatch.setattr(screen, "_took", lambda started: 0.2)
    at.run()
    no_exception(at)
    assert sent[-1] == (declared, 10)  # the full run declared 20 (kept), the quick refresh set 10 again
    assert "刷新间隔已自动延长" not in "".join(c.value for c in at.caption)


def test_a_carousels_rounds_keep_one_view_a_group(app, monkeypatch):
    """Each round of the carousel draws the same kept view of a group (only the map's measure steps on with the
    rounds): a view a round would fill the store the pages' figures share."""
    built = []
    original = screen.GROUPS["lights"]
    monkeypatch.setitem(screen.GROUPS, "lights", lambda fr: built.append(fr.visit) or original(fr))
    for round_ in range(3):
        monkeypatch.setattr(screen, "_now", lambda r=round_: 1_700_000_000 // 20 * 20 + 20 * r)  # lights' turn
        at = app(mode="screen", carousel="10", panels="lights,map", **PARAMS)
        no_exception(at)
        assert shown(at) == GROUP_CHARTS["lights"]
    assert len(built) == 1
