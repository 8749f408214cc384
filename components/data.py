"""Cached data functions: plain arguments plus the data version in the key, so a write shows at once."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.db import engine
from supervision import queries
from supervision.principal import Principal

TTL = 600


@st.cache_data(ttl=TTL, show_spinner=False)
def enterprise_counts(version: int, principal: Principal, township: str | None) -> pd.DataFrame:
    return queries.enterprise_counts(engine(), principal, township)


@st.cache_data(ttl=TTL, show_spinner=False)
def table_freshness(version: int, principal: Principal, township: str | None) -> pd.DataFrame:
    return queries.table_freshness(engine(), principal, township)


@st.cache_data(ttl=TTL, show_spinner=False)
def holds_demo_data(version: int) -> bool:
    return queries.holds_demo_data(engine())
