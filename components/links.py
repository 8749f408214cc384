"""Drill-down: from a figure to the rows behind it, keeping the filters of the URL."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from supervision.core.safety import md_escape

# The global filters a link carries to the next page (components/filters.py binds them to the URL).
KEPT = ("year", "as_of", "township", "category")


def kept_params() -> dict[str, str]:
    """The filters of the current URL, for a link to another page."""
    return {k: st.query_params[k] for k in KEPT if k in st.query_params}


def open_profile(uscc: str) -> None:
    """Go to the enterprise's profile; the year and as-of date travel by themselves (their widgets are bound to
    the URL, and Streamlit refuses to set a bound parameter by hand)."""
    st.switch_page("app_pages/enterprise.py", query_params={"uscc": uscc})


def under_cards(targets: Sequence[tuple[str, str]]) -> None:
    """One link under each KPI card of a row, to the page that lists what the card counts."""
    for column, (page, label) in zip(st.columns(len(targets)), targets, strict=True):
        column.page_link(page, label=md_escape(label), icon=":material/arrow_forward:", query_params=kept_params())
