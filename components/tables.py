"""Tables for the pages: Chinese headers, exact quantities shown as given, and the source line under each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
import streamlit as st

from components import links
from supervision.core.safety import md_escape

MISSING = "—"  # what a cell shows for a value that was not reported (never "None", "nan" or an empty cell)


def _cell(value: Any) -> Any:
    """A cell as shown: a dash for missing values, exact decimals with thousands separators, dates as ISO text."""
    if value is None or value is pd.NaT:
        return MISSING
    if isinstance(value, Decimal):
        return format(value, ",")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return MISSING
    return value


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """A frame whose headers are already Chinese, with its cells as shown: 是/否, a dash for what is missing."""
    return for_display(df, {str(c): str(c) for c in df.columns})


def for_display(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The listed columns, renamed to their Chinese headers.

    Object columns (decimals, dates, text with gaps) become text: exact figures as given, and a dash rather than
    "None" for what was not reported. Numeric columns stay numbers unless they have gaps (Streamlit would print
    "None" in a gap), in which case they become text too.
    """
    out = df[[c for c in columns if c in df]].copy()
    for column in out.columns:
        numeric = pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column])
        if not numeric:
            out[column] = pd.Series([_cell(v) for v in out[column]], index=out.index, dtype=object)
        elif bool(out[column].isna().any()):
            # All text, so the column stays one type for Arrow: the numbers as written, a dash in the gaps.
            out[column] = pd.Series([MISSING if pd.isna(v) else str(v) for v in out[column]], index=out.index,
                                    dtype=object)
    return out.rename(columns=columns)


def show(df: pd.DataFrame, columns: dict[str, str], *, key: str, source: str | None = None,
         height: int | Literal["auto", "content", "stretch"] = "auto", empty: str = "暂无记录",
         profile: bool = False, flag: str | None = None) -> None:
    """A read-only table, or a line saying there is nothing to list, and its source line.

    With `profile`, the table lists enterprises (a "uscc" column): choosing a row opens that enterprise's profile.
    With `flag` (a boolean column of `df`), the rows where it is False are shaded red.
    """
    if df.empty:
        st.caption(md_escape(empty))
    elif flag is not None and flag in df:
        shown = for_display(df, columns)
        bad = [not bool(v) for v in df[flag]]
        shade = "background-color: rgba(211, 47, 47, 0.15)"
        styled = shown.style.apply(lambda row: [shade if bad[row.name] else "" for _ in row], axis=1)
        st.dataframe(styled, hide_index=True, key=key, height=height)
    elif profile and "uscc" in df:
        st.caption("选中一行即可打开该企业的档案。")
        picked = st.dataframe(for_display(df, columns), hide_index=True, key=key, height=height,
                              on_select="rerun", selection_mode="single-row")
        rows = picked.selection.rows if picked is not None else []
        if rows and rows[0] < len(df):
            links.open_profile(str(df["uscc"].iloc[rows[0]]))
    else:
        st.dataframe(for_display(df, columns), hide_index=True, key=key, height=height)
    if source:
        st.caption(md_escape(source))
