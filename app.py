"""Entry script: page configuration, navigation and the shared filters; each page lives in app_pages/.

The navigation holds only the pages the signed-in role may open
(supervision.access.permissions.PAGE_ROLES; a form page only for those who may write its table),
so another role's page cannot be reached
even by its URL: Streamlit answers "page not found" and shows the home page.
Signed out, every page's URL shows the sign-in form, so a bookmark still lands
on its page after signing in.

`?mode=screen` (see components/screen.py) is the wall layout: no sidebar, header or
navigation; the filters (components/filters.py) are still read from the URL.

The folder is not named pages/: with that name a cold deep link (a bookmarked
/map opened as the server's first request) runs the page without this frame.
See README, "Why app_pages/".
"""

from pathlib import Path
from time import perf_counter
from urllib.parse import parse_qsl

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.navigation.page import StreamlitPage

from components import filters, screen, session, warmup
from components.db import DATABASE_AWAY, current_data_version, database_unavailable, settings, stop_on_bad_settings
from supervision.access.permissions import may_open
from supervision.core.guide import PAGE_HELP
from supervision.core.metrics import METRICS

started = perf_counter()

wall = screen.read()
# A local favicon: a :material/...: page icon makes the browser fetch it from fonts.gstatic.com.
st.set_page_config(page_title="稀土整顿监管平台", page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
                   layout="wide", initial_sidebar_state="collapsed" if wall.on else "auto")
# Also set here in case the server is started without .streamlit/config.toml: st.dataframe's own CSV export
# would skip the formula neutralisation that every download of the project applies.
st.set_option("client.disableDataExport", True)
stop_on_bad_settings()
warmup.start()  # once per process: re-reads the default views in the background after each change of the data
try:
    screen.apply(wall)  # before sign-in, so a wall link that no longer works shows its notice in the wall's style
except DATABASE_AWAY as exc:
    database_unavailable(exc)

PAGES = [
    st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview"),
    st.Page("app_pages/map.py", title="镇区地图", icon=":material/map:", url_path="map"),
    st.Page("app_pages/quota.py", title="配额执行", icon=":material/factory:", url_path="quota"),
    st.Page("app_pages/flows.py", title="物料流向", icon=":material/account_tree:", url_path="flows"),
    st.Page("app_pages/progress.py", title="工作进度", icon=":material/event_note:", url_path="progress"),
    st.Page("app_pages/scoring.py", title="督查评分", icon=":material/fact_check:", url_path="scoring"),
    st.Page("app_pages/enterprise.py", title="企业档案", icon=":material/business:", url_path="enterprises"),
    st.Page("app_pages/findings.py", title="问题线索", icon=":material/report:", url_path="findings"),
    st.Page("app_pages/meeting.py", title="会议材料", icon=":material/slideshow:", url_path="meeting"),
    st.Page("app_pages/data_entry.py", title="数据上传", icon=":material/upload_file:", url_path="data_entry"),
    st.Page("app_pages/form_self_checks.py", title="企业自查表", icon=":material/fact_check:",
            url_path="form_self_checks"),
    st.Page("app_pages/form_township_reports.py", title="镇区汇总表", icon=":material/summarize:",
            url_path="form_township_reports"),
    st.Page("app_pages/form_tipoffs.py", title="举报线索", icon=":material/campaign:", url_path="form_tipoffs"),
    st.Page("app_pages/form_scores.py", title="督查评分录入", icon=":material/grading:", url_path="form_scores"),
    st.Page("app_pages/form_penalties.py", title="处罚与黑名单", icon=":material/gavel:", url_path="form_penalties"),
    st.Page("app_pages/form_environment.py", title="环保问题整改", icon=":material/eco:",
            url_path="form_environment"),
    st.Page("app_pages/admin_users.py", title="用户管理", icon=":material/manage_accounts:", url_path="users"),
    st.Page("app_pages/audit_log.py", title="审计日志", icon=":material/history:", url_path="audit"),
    st.Page("app_pages/account.py", title="我的账号", icon=":material/person:", url_path="account"),
    st.Page("app_pages/help.py", title="帮助", icon=":material/help:", url_path="help"),
]
LOGIN = "app_pages/login.py"
HELP = "app_pages/help.py"
STATIC = Path(__file__).parent / "static"
# Pages that read the global filters (the others are about accounts, not the campaign's data).
FILTERED = {"overview", "map", "quota", "flows", "progress", "scoring", "enterprises", "findings", "meeting"}


def switch_page(page: StreamlitPage, query: dict[str, str]) -> None:
    """Open `page` with these URL parameters; one already bound to a filter of this session travels by itself."""
    try:
        st.switch_page(page, query_params=query)
    except StreamlitAPIException:  # Streamlit refuses to set (or clear) a widget-bound parameter: the others only
        st.switch_page(page, query_params={k: v for k, v in query.items() if k not in filters.BOUND})


try:
    principal = session.resolve()
except DATABASE_AWAY as exc:
    database_unavailable(exc)
session.browser_navigation()  # a sign-in or sign-out just now: the browser fetches or drops the session cookie
wall = screen.read()  # again, now that the session is known: a wall-screen principal always gets the wall
if principal is None:
    navigation = st.navigation(
        [st.Page(LOGIN, title="登录", url_path="login", default=True)]
        + [st.Page(LOGIN, title="登录", url_path=page.url_path, visibility="hidden") for page in PAGES],
        position="hidden",
    )
else:
    allowed = [page for page in PAGES if may_open(principal, page.url_path, settings().security)]
    # Read before st.navigation: it marks the first page as the default, whose url_path becomes "".
    filtered = [page for page in allowed if page.url_path in FILTERED]
    url_of = {id(page): page.url_path for page in allowed}
    session.sidebar(principal)
    navigation = st.navigation(
        [*allowed, st.Page(LOGIN, title="登录", url_path="login", visibility="hidden")],
        position="hidden" if wall.on else "top" if session.is_screen() else "sidebar",
    )
    deep_link = session.pop_deep_link()
    if deep_link is not None:
        # Back from the single sign-on provider (always on the home URL): the page asked for before, if allowed.
        path, _, query = deep_link.partition("?")
        wanted = next((page for page in allowed if "/" + url_of[id(page)] == path), None)
        if wanted is not None and wanted is not navigation:
            switch_page(wanted, dict(parse_qsl(query)))
    if navigation.url_path == "login":
        # Signed in on the home URL: go home, keeping the bookmark's parameters (year, as-of date, mode).
        switch_page(allowed[0], st.query_params.to_dict())
    stored_page = session.link_params().get("page")
    if stored_page and url_of.get(id(navigation)) != stored_page:
        # The admin set this screen's page in 大屏设置: the wall moves there by itself, keeping its URL's parameters.
        target = next((page for page in allowed if url_of[id(page)] == stored_page), None)
        if target is not None:
            switch_page(target, st.query_params.to_dict())
    if not wall.on:
        st.html(STATIC / "print.css")  # Ctrl+P: A4 landscape without the sidebar, charts kept whole
    topic = url_of.get(id(navigation), "")
    if not wall.on and topic in PAGE_HELP and may_open(principal, "help"):
        # The short "?" of every page: what it shows, on the help page.
        st.page_link(HELP, label="本页说明", icon=":material/help:", query_params={"topic": topic})
    if any(navigation is page for page in filtered):
        try:
            filters.render(current_data_version(), principal)
        except DATABASE_AWAY as exc:
            database_unavailable(exc)
page_name = "login" if principal is None else url_of.get(id(navigation), navigation.url_path) or "overview"
try:
    navigation.run()
except DATABASE_AWAY as exc:
    database_unavailable(exc)
finally:
    # Every full run of the page, also one cut short by st.stop/st.rerun (a fragment's own rerun skips this).
    METRICS.inc("supervision_script_runs_total", page=page_name)
    METRICS.observe("supervision_script_run_seconds", perf_counter() - started, page=page_name)
session.browser_navigation()  # asked for by the page itself (a password change hands the browser a new session)
