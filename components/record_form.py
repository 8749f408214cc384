"""Building blocks of the data-entry forms: widgets per column kind, the loaded record, save and conflict.

A form keeps what it loaded (each row's values and version) in session state when the officer
picks a record, and fills its widgets from it once; after that the widgets hold the officer's
input, whatever happens in the database. On save the loaded version goes to writes.save_rows,
which refuses if someone saved in between: the page then says who and when, keeps the input
on screen, and offers to load the newer data or to save over it deliberately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from components import findings_sync
from components.db import engine, settings
from supervision.access.permissions import writable_tables
from supervision.core import values
from supervision.core.principal import Principal, Role
from supervision.core.safety import md_escape
from supervision.core.spec import TABLES_BY_KEY, Column, Kind, TableSpec
from supervision.entry import forms, records
from supervision.entry.forms import FormRow, Outcome, local_today
from supervision.ingest import fields

MIN_DATE, MAX_DATE = dt.date(values.MIN_YEAR, 1, 1), dt.date(values.MAX_YEAR, 12, 31)
_LOADED = "{}__loaded"
_CONFLICT = "{}__conflict"
_FLASH = "{}__flash"
_OVERWRITE = "{}__overwrite"


@dataclass
class Loaded:
    """What a form opened: per row key, the stored record (None: new) and its version."""

    identity: str
    rows: dict[str, tuple[dict[str, Any] | None, int | None]]
    widget_keys: list[str] = field(default_factory=list)

    def version(self, row: str) -> int | None:
        return self.rows.get(row, (None, None))[1]

    def record(self, row: str) -> dict[str, Any] | None:
        return self.rows.get(row, (None, None))[0]


def widget_key(prefix: str, column: str, row: str = "") -> str:
    return f"{prefix}_{column}" if not row else f"{prefix}_{column}_{row}"


def may_write(principal: Principal, table: str) -> bool:
    return table in writable_tables(principal, settings().security)


def require_writable(principal: Principal, table: str) -> None:
    """Stop the page with a clear message when the user's department does not report this table."""
    if may_write(principal, table):
        return
    name = TABLES_BY_KEY[table].name
    if principal.role is Role.TOWNSHIP:
        st.info(f"镇区账号不能填报“{md_escape(name)}”。", icon=":material/info:")
    else:
        department = md_escape(principal.department or "您所在部门")
        st.info(f"“{md_escape(name)}”不由{department}报送，本账号只能查看、不能填报。"
                "如需修改请联系负责部门。", icon=":material/info:")
    st.stop()


def years() -> list[int]:
    """The years a form offers: the configured campaign years and the current one, newest first."""
    configured = settings().calendar.configured_years()
    return sorted({*configured, local_today().year}, reverse=True)


def default_year_index() -> int:
    options = years()
    configured = settings().calendar.configured_years()
    return options.index(max(configured)) if configured else 0


def widget_value(col: Column, value: Any) -> Any:
    """A stored value as its widget holds it: text for numbers and codes, a date, or a choice."""
    if value is None:
        return None  # an empty text input, an unset date, or no choice in a drop-down
    if col.kind is Kind.DATE:
        return value
    if col.kind is Kind.BOOL:
        return "是" if value else "否"
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f")
    return str(value)


def bind(prefix: str, identity: str, rows: Mapping[str, tuple[dict[str, Any] | None, int | None]],
         widgets: Mapping[str, Any]) -> Loaded:
    """Open a record (or a set of rows) in the form: fill the widgets once per identity.

    The widgets are filled again only when the officer opens another record, asks for the newest data,
    or comes back to the page after Streamlit dropped the widgets' state.
    """
    loaded: Loaded | None = st.session_state.get(_LOADED.format(prefix))
    if (loaded is not None and loaded.identity == identity
            and all(k in st.session_state for k in loaded.widget_keys)):
        return loaded
    for key, value in widgets.items():
        st.session_state[key] = value
    loaded = Loaded(identity, dict(rows), list(widgets))
    st.session_state[_LOADED.format(prefix)] = loaded
    st.session_state.pop(_CONFLICT.format(prefix), None)
    st.session_state.pop(_OVERWRITE.format(prefix), None)
    return loaded


def reload(prefix: str) -> None:
    """Forget what the form loaded, so the next run fills it from the database again."""
    st.session_state.pop(_LOADED.format(prefix), None)
    st.session_state.pop(_CONFLICT.format(prefix), None)
    st.session_state.pop(_OVERWRITE.format(prefix), None)


def record_widgets(prefix: str, spec: TableSpec, record: Mapping[str, Any] | None, columns: Sequence[str],
                   defaults: Mapping[str, Any] | None = None, row: str = "") -> dict[str, Any]:
    """Widget key → initial value for `columns` of a record (or the defaults for a new one)."""
    out: dict[str, Any] = {}
    for key in columns:
        col = spec.column(key)
        if record is not None:
            value = record.get(key)
        else:
            value = (defaults or {}).get(key)
        out[widget_key(prefix, key, row)] = widget_value(col, value)
    return out


def label(col: Column) -> str:
    return f"{col.header} *" if col.required else col.header


def field_input(prefix: str, spec: TableSpec, key: str, *, row: str = "", options: Sequence[Any] | None = None,
                format_func: Callable[[Any], str] | None = None, area: bool = False, disabled: bool = False,
                accept_new: bool = False, placeholder: str | None = None,
                help: str | None = None, label_visibility: str = "visible", container: Any = None) -> None:
    """The widget for one column, chosen by its kind; its value stays in session state under its key."""
    col = spec.column(key)
    where = container or st
    wkey = widget_key(prefix, key, row)
    common: dict[str, Any] = {"key": wkey, "disabled": disabled, "help": md_escape(help) if help else None,
                              "label_visibility": label_visibility}
    choices = options
    if choices is None and col.kind is Kind.ENUM:
        choices = list(col.choices)
    if choices is None and col.kind is Kind.TOWNSHIP:
        choices = records_towns()
    if choices is None and col.kind is Kind.BOOL:
        choices = ["是", "否"]
    if choices is not None:
        where.selectbox(md_escape(label(col)), list(choices), index=None, placeholder=placeholder or "请选择",
                        format_func=format_func or str, accept_new_options=accept_new, **common)
    elif col.kind is Kind.DATE:
        where.date_input(md_escape(label(col)), min_value=MIN_DATE, max_value=MAX_DATE, format="YYYY-MM-DD", **common)
    elif area:
        where.text_area(md_escape(label(col)), max_chars=fields.text_limit(spec, col), height=100, **common)
    else:
        limit = fields.text_limit(spec, col) if col.kind is Kind.TEXT else 64
        where.text_input(md_escape(label(col)), max_chars=limit, placeholder=placeholder, **common)


def records_towns() -> list[str]:
    from supervision.storage.townships import directory

    return directory(settings()).names


def raw_values(prefix: str, spec: TableSpec, base: Mapping[str, Any] | None = None, row: str = "") -> dict[str, Any]:
    """The form's input for one row: the widgets' values over `base` (fields the form does not show)."""
    out = dict(base or {})
    for col in spec.columns:
        wkey = widget_key(prefix, col.key, row)
        if wkey in st.session_state:
            out[col.key] = st.session_state[wkey]
    return out


def flash(prefix: str, text: str) -> None:
    st.session_state[_FLASH.format(prefix)] = text


def show_flash(prefix: str) -> None:
    text = st.session_state.pop(_FLASH.format(prefix), None)
    if text:
        st.success(md_escape(text), icon=":material/check_circle:")


def overwrite_requested(prefix: str) -> bool:
    """The officer chose to save their input over a newer version (after a conflict)."""
    return bool(st.session_state.pop(_OVERWRITE.format(prefix), False))


def submit(prefix: str, principal: Principal, table: str, rows: Sequence[FormRow],
           row_label: Callable[[int], str] | None = None, *, saved_text: Callable[[Outcome], str]) -> Outcome:
    """Check and save the form's rows; on success reload the form and rerun, otherwise show why not."""
    outcome = forms.submit(engine(), settings(), principal, table, rows)
    spec = TABLES_BY_KEY[table]
    if outcome.ok:
        note = findings_sync.after_save(table, [r.values for r in rows]) if outcome.changed else None
        flash(prefix, saved_text(outcome) + (f"（{note}）" if note else ""))
        reload(prefix)
        st.rerun()
    if outcome.conflict is not None:
        st.session_state[_CONFLICT.format(prefix)] = outcome.conflict
    elif outcome.refused:
        st.error(f"未保存：{md_escape(outcome.refused)}", icon=":material/block:")
    else:
        lines = outcome.checked.messages(spec, row_label)
        st.error("未保存，请修改以下内容：\n\n" + "\n".join(f"- {md_escape(line)}" for line in lines),
                 icon=":material/error:")
    return outcome


def conflict_panel(prefix: str, principal: Principal, table: str, key: Mapping[str, Any] | None) -> None:
    """After a refused save: who changed the record and when, their change, and the two ways out."""
    conflict = st.session_state.get(_CONFLICT.format(prefix))
    if conflict is None:
        return
    st.warning(f"未保存：{md_escape(str(conflict))}。您填写的内容仍保留在上方表单中。", icon=":material/sync_problem:")
    if key is not None:
        history = records.record_history(engine(), principal, table, key)
        if not history.empty:
            st.caption("对方最近的修改：")
            st.dataframe(history.head(1), hide_index=True, key=f"{prefix}_conflict_change")
    left, right = st.columns(2)
    if left.button("放弃我的输入，载入最新数据", key=f"{prefix}_reload"):
        reload(prefix)
        st.rerun()
    loaded: Loaded | None = st.session_state.get(_LOADED.format(prefix))
    # Saving over a newer version is offered for an edited record that still exists, never for a new one.
    can_overwrite = (loaded is not None and conflict.current_version is not None
                     and loaded.record(conflict.key) is not None)
    if can_overwrite and right.button("核对无误，按我的输入覆盖保存", key=f"{prefix}_overwrite"):
        assert loaded is not None
        loaded.rows = {k: (rec, conflict.current_version if k == conflict.key else ver)
                       for k, (rec, ver) in loaded.rows.items()}
        st.session_state.pop(_CONFLICT.format(prefix), None)
        st.session_state[_OVERWRITE.format(prefix)] = True
        st.rerun()


def history_panel(prefix: str, principal: Principal, table: str, key: Mapping[str, Any],
                  more: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> None:
    """The record's audit trail: every change with who, when, old and new values.

    `more`: further rows shown in the same list, each as (label, key), e.g. every item of a scoring form.
    """
    with st.expander("修改记录", icon=":material/history:"):
        if more:
            frames = [records.record_history(engine(), principal, table, k).assign(条目=label) for label, k in more]
            history = pd.concat([f for f in frames if not f.empty] or [frames[0]], ignore_index=True)
            history = history.sort_values("时间", ascending=False, kind="stable")
        else:
            history = records.record_history(engine(), principal, table, key)
        if history.empty:
            st.caption("暂无修改记录。")
        else:
            st.dataframe(history, hide_index=True, key=f"{prefix}_history")


def enterprise_label(options: pd.DataFrame) -> Callable[[str], str]:
    names = dict(zip(options["uscc"], options["name"], strict=True))
    return lambda code: f"{names.get(code, '')}（{code}）"
