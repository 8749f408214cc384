"""Drill-down: from a figure to the rows behind it, keeping the filters of the URL."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from components.filters import Filters
from supervision.core.safety import md_escape


def kept_params(f: Filters) -> dict[str, str]:
    """The filters in force, for a link to another page: the validated values, never the raw URL text
    (an invalid or hostile ?township= must not travel on into a link's target)."""
    kept = {"year": str(f.year), "as_of": f"{f.as_of:%Y-%m-%d}"}
    if f.township:
        kept["township"] = f.township
    if f.category:
        kept["category"] = f.category
    return kept


def open_profile(uscc: str) -> None:
    """Go to the enterprise's profile; the year and as-of date travel by themselves (their widgets are bound to
    the URL, and Streamlit refuses to set a bound parameter by hand)."""
    st.switch_page("app_pages/enterprise.py", query_params={"uscc": uscc})


def under_cards(targets: Sequence[tuple[str, str]], f: Filters) -> None:
    """One link under each KPI card of a row, to the page that lists what the card counts."""
    for column, (page, label) in zip(st.columns(len(targets)), targets, strict=True):
        column.page_link(page, label=md_escape(label), icon=":material/arrow_forward:", query_params=kept_params(f))
