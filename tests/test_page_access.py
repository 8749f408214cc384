"""Each role × each page of app.py's navigation: present or absent, refused when deep-linked, scoped data.

The page list is read from app.py itself, so a page added there is covered here at once; a
page whose key is not in supervision.access.permissions.PAGE_ROLES is open to nobody (and the
first test says so). Pages that render business data list what a township officer must
see in TOWNSHIP_DATA; add a page's check there when the page lands.
"""

from __future__ import annotations

import ast
import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from auth_support import (
    APP,
    ENTERPRISES,
    OTHER,
    OWN,
    THIRD,
    add_account,
    new_app,
    on_login_page,
    seed,
    sign_in,
)
from sqlalchemy import Engine

from supervision.access import wall_links
from supervision.access.permissions import PAGE_ROLES, may_open
from supervision.core.config import Settings, load_settings
from supervision.core.principal import SYSTEM, Principal, Role


def app_pages() -> dict[str, str]:
    """url_path → page file, for every st.Page in app.py's PAGES list."""
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            assert isinstance(node.value, ast.List)
            for call in node.value.elts:
                assert isinstance(call, ast.Call)
                path = call.args[0]
                assert isinstance(path, ast.Constant)
                url = next(k.value for k in call.keywords if k.arg == "url_path")
                assert isinstance(url, ast.Constant)
                pages[str(url.value)] = str(path.value)
    assert pages, "app.py has no PAGES list"
    return pages


PAGES = app_pages()

# One account per role (the wall screen signs in with a link token instead).
ACCOUNTS: dict[Role, dict[str, Any]] = {
    Role.LEADER: {"username": "m.leader"},
    Role.BUREAU: {"username": "m.bureau", "department": "工信局"},
    Role.TOWNSHIP: {"username": "m.town", "township": OWN},
    Role.ADMIN: {"username": "m.admin"},
}


def test_every_page_has_a_decided_audience() -> None:
    assert set(PAGES) <= set(PAGE_ROLES), set(PAGES) - set(PAGE_ROLES)


@pytest.fixture
def world(app_db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    tables = seed(app_db, settings, tmp_path / "seed")
    for role, extra in ACCOUNTS.items():
        add_account(app_db, settings, role=role, display_name=f"{role.value}测试", **extra)
    _, token = wall_links.create_screen_token(app_db, SYSTEM, "测试大屏", 1)
    return {"tables": tables, "token": token}


def open_as(role: Role, world: dict[str, Any]) -> Any:
    at = new_app()
    if role is Role.SCREEN:
        at.query_params["token"] = world["token"]
        at.query_params["mode"] = "screen"
        return at.run()
    return sign_in(at.run(), ACCOUNTS[role]["username"])


ROLES = [Role.LEADER, Role.BUREAU, Role.TOWNSHIP, Role.ADMIN, Role.SCREEN]


def opens(role: Role, url: str) -> bool:
    """Whether the test account of `role` finds the page in its menu (a form only if it may write its table)."""
    extra = ACCOUNTS.get(role, {})
    who = Principal(extra.get("username", "screen"), role.value, role, township=extra.get("township"),
                    department=extra.get("department"))
    return may_open(who, url, load_settings().security)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_navigation_holds_exactly_the_allowed_pages(app_db: Engine, world: dict[str, Any], role: Role) -> None:
    at = open_as(role, world)
    assert not at.exception and not on_login_page(at)
    for url, path in PAGES.items():
        allowed = opens(role, url)
        if allowed:
            at.switch_page(path).run()
            assert not at.exception, (url, at.exception)
            assert not on_login_page(at)
            assert not any("仅管理员" in e.value for e in at.error)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(path)


def _a_role_that_may_open(url: str) -> Role | None:
    return next((r for r in ROLES if opens(r, url) and r is not Role.SCREEN), None)


DEEP_LINKS = [(role, url) for role in ROLES for url in PAGES
              if not opens(role, url) and _a_role_that_may_open(url) is not None]


@pytest.mark.parametrize(("role", "url"), DEEP_LINKS, ids=lambda x: getattr(x, "value", x))
def test_deep_link_to_a_forbidden_page_is_refused(app_db: Engine, world: dict[str, Any], role: Role,
                                                  url: str) -> None:
    """A URL bookmarked by someone who may open the page, opened in a session of a role that may not."""
    owner = _a_role_that_may_open(url)
    assert owner is not None
    at = open_as(owner, world)
    at.switch_page(PAGES[url]).run()
    allowed_view = _page_fingerprint(at)
    at.sidebar.button(key="sign_out").click().run()
    assert on_login_page(at)  # still on the bookmarked URL, now signed out
    if role is Role.SCREEN:
        at.query_params["token"] = world["token"]
        at.run()
    else:
        sign_in(at, ACCOUNTS[role]["username"])
    assert not at.exception and not on_login_page(at)
    assert _page_fingerprint(at) != allowed_view  # the forbidden page did not run
    # What ran instead is the role's home page: the first page of its own navigation.
    home = next(u for u in PAGES if opens(role, u))
    assert _page_fingerprint(at) == _page_fingerprint(open_as(role, world).switch_page(PAGES[home]).run())


def _page_fingerprint(at: Any) -> tuple[str, ...]:
    return tuple(t.value for t in at.title)


# What a township officer may see on each page that renders business data, asserted on the data.

def _overview_counts(at: Any) -> None:
    metrics = {m.label: m.value for m in at.metric}
    own = [u for u, (_, _, town) in ENTERPRISES.items() if town == OWN]
    assert metrics["稀土企业（家）"] == str(len(own))
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = [(str(x), int(y)) for trace in figure["data"]
            for x, y in zip(_array(trace["x"]), _array(trace["y"]), strict=True)]
    assert {x for x, y in bars if y} == {OWN}
    assert sum(y for _, y in bars) == len(own)
    assert not {x for x, _ in bars} & {OTHER, THIRD}  # not even as empty bars
    freshness = next(d.value for d in at.dataframe if "英文表名" in d.value.columns)
    rows = dict(zip(freshness["英文表名"], freshness["行数"], strict=True))
    assert rows["enterprises"] == 2 and rows["invoices"] == 2  # its own invoices and the one to 城厢镇
    assert rows["tipoffs"] == 1 and rows["township_reports"] == 1


def _array(value: Any) -> list[Any]:
    """A plotly array from the chart's JSON: a plain list, or plotly's typed array (dtype + base64 bytes)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def _figures(at: Any) -> dict[str, dict[str, Any]]:
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def _map_only_own(at: Any) -> None:
    figure = next(f for k, f in _figures(at).items() if "page_map" in k)
    with_data = figure["data"][0]
    assert list(with_data["locations"]) == [OWN]  # the other townships are drawn grey, with no figure
    points = [t for t in figure["data"] if t["type"] == "scattergeo" and t.get("mode") == "markers"]
    assert {c[3] for t in points for c in t["customdata"]} <= {OWN}


def _quota_only_own(at: Any) -> None:
    table = next(d.value for d in at.dataframe if "指标批次数" in d.value.columns)
    assert set(table["镇区"]) == {OWN}


def _flows_only_own(at: Any) -> None:
    sankey = _figures(at)["flows_sankey"]["data"][0]
    codes = {c for c in sankey["node"]["customdata"] if c}
    assert codes and codes <= {u for u, (_, _, town) in ENTERPRISES.items() if town == OWN}
    assert not any(OTHER in label for label in sankey["node"]["label"])


def _progress_only_own(at: Any) -> None:
    grid = _figures(at)["progress_grid"]["data"][0]
    assert list(grid["y"]) == [OWN]


def _scoring_only_own(at: Any) -> None:
    ranking = _figures(at)["scoring_ranking"]["data"][0]
    assert list(ranking["y"]) == [OWN]


def _profile_only_own(at: Any) -> None:
    other = next(u for u, (_, _, town) in ENTERPRISES.items() if town == OTHER)
    own = next(u for u, (_, _, town) in ENTERPRISES.items() if town == OWN)
    search = next(box for box in at.selectbox if box.label.startswith("搜索企业"))
    assert set(search.options) == {f"{n}（{u}）" for u, (n, _, town) in ENTERPRISES.items() if town == OWN}
    at.query_params["uscc"] = other
    at.run()
    assert any("没有找到" in w.value for w in at.warning) and not at.header
    at.query_params["uscc"] = own
    at.run()
    assert at.header[0].value == ENTERPRISES[own][0]


def _findings_only_own(at: Any) -> None:
    table = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert set(table["镇区"]) <= {OWN}
    ranking = next((d.value for d in at.dataframe if "风险分" in d.value.columns), None)
    assert ranking is None or set(ranking["镇区"]) <= {OWN}


def _meeting_only_own(at: Any) -> None:
    buttons = {b.key: b.label for b in at.button}
    assert buttons["report_own_build"] == f"生成{OWN}自查报告"
    assert "report_city_build" not in buttons  # no city summary from a township's account
    assert not any(s.key == "report_township" for s in at.selectbox)
    at.button(key="report_own_build").click().run()
    from components.downloads import _BUILT

    built = [k for k in at.session_state[_BUILT] if k.startswith("report|")]
    assert built and all(k.endswith(f"|{OWN}") for k in built)


TOWNSHIP_DATA: dict[str, Callable[[Any], None]] = {
    "overview": _overview_counts,
    "map": _map_only_own,
    "quota": _quota_only_own,
    "flows": _flows_only_own,
    "progress": _progress_only_own,
    "scoring": _scoring_only_own,
    "enterprises": _profile_only_own,
    "findings": _findings_only_own,
    "meeting": _meeting_only_own,
}


@pytest.mark.parametrize("url", sorted(TOWNSHIP_DATA))
def test_township_officer_sees_only_their_township(app_db: Engine, world: dict[str, Any], url: str) -> None:
    at = open_as(Role.TOWNSHIP, world).switch_page(PAGES[url]).run()
    assert not at.exception
    TOWNSHIP_DATA[url](at)


def test_leader_sees_every_township_on_the_overview(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_as(Role.LEADER, world)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["稀土企业（家）"] == str(len(ENTERPRISES))


def test_administrator_sees_no_business_data(app_db: Engine, world: dict[str, Any]) -> None:
    at = open_as(Role.ADMIN, world)
    assert at.title[0].value == "用户管理"
    with pytest.raises(ValueError):
        at.switch_page(PAGES["overview"])


@pytest.mark.parametrize(("department", "shown", "hidden"), [
    ("税务局", {"data_entry", "form_penalties"},
     {"form_self_checks", "form_township_reports", "form_tipoffs", "form_scores", "form_environment"}),
    ("生态环境局", {"data_entry", "form_environment", "form_penalties"},
     {"form_self_checks", "form_township_reports", "form_tipoffs", "form_scores"}),
    ("海关", {"data_entry"}, {"form_self_checks", "form_penalties", "form_environment", "form_scores"}),
])
def test_a_department_menu_holds_only_the_forms_it_can_use(department: str, shown: set[str],
                                                           hidden: set[str]) -> None:
    who = Principal("x", "经办", Role.BUREAU, department=department)
    security = load_settings().security
    assert {page for page in PAGES if may_open(who, page, security)} >= shown
    assert not {page for page in PAGES if may_open(who, page, security)} & hidden
    nobody = Principal("y", "经办", Role.BUREAU, department=None)  # no department: writes nothing, no form page
    assert not [page for page in PAGES if page.startswith("form_") and may_open(nobody, page, security)]
