"""The page list as data: easy to filter by role, turned into st.navigation by the entry script."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from supervision.principal import Principal, Role

_READERS = frozenset({Role.LEADER, Role.BUREAU, Role.TOWNSHIP, Role.ADMIN})
_WALL = _READERS | {Role.SCREEN}


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    roles: frozenset[Role]
    screen: bool = False  # has a large-screen mode (?mode=screen)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/overview.py", "总览", ":material/dashboard:", "overview", _WALL, screen=True),
    PageSpec("app_pages/map.py", "镇区地图", ":material/map:", "map", _WALL, screen=True),
    PageSpec("app_pages/quota.py", "配额执行", ":material/factory:", "quota", _READERS),
    PageSpec("app_pages/progress.py", "工作进度", ":material/event_note:", "progress", _READERS),
    PageSpec("app_pages/scoring.py", "督查评分", ":material/fact_check:", "scoring", _READERS),
    PageSpec("app_pages/enterprise.py", "企业档案", ":material/business:", "enterprise", _READERS),
    PageSpec("app_pages/findings.py", "问题线索", ":material/report:", "findings", _READERS),
)
PAGES_BY_URL = {p.url_path: p for p in PAGES}


def pages_for(principal: Principal) -> list[PageSpec]:
    """The pages this principal may open, in menu order."""
    return [p for p in PAGES if principal.role in p.roles]


def st_pages(principal: Principal) -> list[st.Page]:
    """st.Page objects for st.navigation; the first page the principal may open is the default."""
    specs = pages_for(principal)
    return [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=(i == 0))
            for i, p in enumerate(specs)]


def page_path(url_path: str) -> str:
    """The script path of a page, for st.switch_page and st.page_link."""
    return PAGES_BY_URL[url_path].path
