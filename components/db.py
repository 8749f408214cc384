"""The process's single engine and the cached data functions the pages call."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from supervision.core.config import ConfigError, Settings, load_settings
from supervision.core.safety import md_escape
from supervision.storage.db import data_version, open_database


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


def current_data_version() -> int:
    """Read on every rerun (one tiny query) and passed into every cached function's key."""
    return data_version(engine())


def current_lifecycle_version() -> int:
    """The finding lifecycle's change counter, read on every rerun like the data version."""
    from supervision.lifecycle.machine import lifecycle_version

    return lifecycle_version(engine())
