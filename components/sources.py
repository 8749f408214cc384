"""What each figure says about its data: the source tables (with their departments) and "数据截至"."""

from __future__ import annotations

from components import data
from components.filters import Filters
from supervision.core.principal import Principal
from supervision.core.spec import TABLES_BY_KEY
from supervision.reporting.charts import Caption


def department(table: str) -> str:
    """The department that supplies a table ("" where the spec names none)."""
    spec = TABLES_BY_KEY[table]
    return spec.description.split("：", 1)[0] if "：" in spec.description else ""


def source_name(table: str) -> str:
    """A table's name with the department that supplies it, e.g. "稀土专用发票（税务局）"."""
    spec = TABLES_BY_KEY[table]
    return f"{spec.name}（{department(table)}）" if department(table) else spec.name


def caption(version: int, principal: Principal, f: Filters, title: str, tables: tuple[str, ...],
            extra_source: str | None = None) -> Caption:
    """A figure's caption: its title, its source tables and the latest business date they hold for the year."""
    tables = tuple(dict.fromkeys(tables))
    source = "、".join(source_name(t) for t in tables)
    if extra_source:
        source += "；" + extra_source
    as_of = data.data_as_of(version, principal, tables, f.year, f.township, f.as_of)
    departments = tuple(dict.fromkeys(d for t in tables for d in department(t).split("、") if d))
    return Caption(title, source, as_of, pending(version, principal, f, tables),
                   departments + (("工信部",) if extra_source else ()))


def pending(version: int, principal: Principal, f: Filters, tables: tuple[str, ...]) -> str | None:
    """What the as-of date leaves out of `tables` ("另有12行数据晚于截至日期，未计入"), or None when nothing is."""
    later = data.later_rows(version, principal, tuple(dict.fromkeys(tables)), f.year, f.township, f.as_of)
    if not later:
        return None
    return f"另有{later}行数据的日期（或月份）晚于截至日期{f.as_of:%Y-%m-%d}，按规定未计入"


def when_empty(version: int, principal: Principal, f: Filters, tables: tuple[str, ...], text: str) -> str:
    """What an empty table says: `text`, and when the as-of date is why, that rows after it are not counted."""
    note = pending(version, principal, f, tables)
    return f"{text}（{note}）" if note else text
