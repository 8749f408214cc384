"""The process's single engine and the cached data functions the pages call."""

from __future__ import annotations

from functools import lru_cache
from typing import NoReturn

import streamlit as st
from sqlalchemy import Engine, text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from supervision.access import sessions
from supervision.core.config import ConfigError, Settings, load_settings
from supervision.core.metrics import METRICS
from supervision.core.safety import md_escape
from supervision.storage.db import data_version, open_database

# What a database that went away raises (refused or dropped connections, a full pool, SQLite's unreadable file).
DATABASE_AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_SECONDS = 5


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """One engine per process, created on first use (never at import time)."""
    settings = load_settings()
    return open_database(settings.database_url, settings)


def settings() -> Settings:
    return load_settings()


def stop_on_bad_settings() -> None:
    """A config.toml that cannot be used ends every page with its message (key, section, expected type)."""
    try:
        load_settings()
    except ConfigError as exc:
        st.error(md_escape(str(exc)))
        st.stop()


@lru_cache(maxsize=1)
def session_key() -> bytes:
    """The session cookie's signing key, read once per process (supervision.access.sessions.signing_key)."""
    from streamlit import config as st_config

    shared = st_config.get_option("server.cookieSecret") if st_config.is_manually_set("server.cookieSecret") else None
    return sessions.signing_key(shared_secret=shared if isinstance(shared, str) else None)


def database_reachable() -> bool:
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def database_unavailable(error: Exception) -> NoReturn:
    """The run met a database that went away: one message instead of the page, and a retry every few seconds.

    Nothing read before the outage is shown as current: the page stops here, and the probe reruns the
    whole app once the database answers again. An error with the database still answering is a real
    error, not an outage, and goes on to Streamlit's generic error (no traceback is shown to users).
    """
    METRICS.inc("supervision_database_errors_total", where="run")
    if database_reachable():
        raise error
    st.error("数据库暂时无法连接，本页暂不显示数据（以免把过时的数字当作当前数字）。"
             "连接恢复后本页会自动刷新，无需任何操作；长时间未恢复请联系系统管理员。", icon=":material/cloud_off:")
    _wait_for_database()
    st.stop()


@st.fragment(run_every=RETRY_SECONDS)
def _wait_for_database() -> None:
    if database_reachable():
        st.rerun(scope="app")
    st.caption("正在重新连接数据库…")


def current_data_version() -> int:
    """Read on every rerun (one tiny query) and passed into every cached function's key."""
    return data_version(engine())


def current_lifecycle_version() -> int:
    """The finding lifecycle's change counter, read on every rerun like the data version."""
    from supervision.lifecycle.machine import lifecycle_version

    return lifecycle_version(engine())
