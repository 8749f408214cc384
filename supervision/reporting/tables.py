"""A page's table as an .xlsx workbook: Chinese headers, numbers as numbers with formats, a sheet saying what it is.

The pages show exact quantities as text ("1,234.500"); a spreadsheet wants numbers it can
add up. So each column is typed from its values: Decimals become numbers with as many decimal
places as the data carry (tonnes 0.000, yuan 0.00), ratios (a float column whose key names a
share or utilisation) become percentages, dates stay dates. Text goes through
supervision.core.safety (neutralise), as every download does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from supervision.core.clock import now_local, to_local
from supervision.core.frames import present
from supervision.core.safety import xlsx_bytes

RATIO_KEYS = ("utilisation", "share", "score_share", "ratio", "rate")
DATA_SHEET = "数据"
ABOUT_SHEET = "说明"


def _decimals(values: list[Decimal]) -> int:
    return max((max(0, -int(v.as_tuple().exponent)) for v in values if v.is_finite()), default=0)


def column_format(key: str, values: list[Any]) -> tuple[list[Any], str | None]:
    """The column's cells as a spreadsheet should hold them, and its Excel number format (None: general)."""
    present_values = [v for v in values if present(v) is not None]
    if not present_values:
        return [None] * len(values), None
    if all(isinstance(v, bool | np.bool_) for v in present_values):
        return [None if present(v) is None else ("是" if v else "否") for v in values], None
    if all(isinstance(v, Decimal) for v in present_values):
        places = min(_decimals(present_values), 6)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        # Excel holds binary doubles; quantities of up to 15 significant digits come through unchanged.
        return [None if present(v) is None else float(v) for v in values], pattern
    if all(isinstance(v, int | np.integer) for v in present_values):
        return [None if present(v) is None else int(v) for v in values], "0"
    if all(isinstance(v, float | np.floating) for v in present_values):
        ratio = any(part in key for part in RATIO_KEYS)
        return [None if present(v) is None else float(v) for v in values], "0.0%" if ratio else "#,##0.00"
    if all(isinstance(v, dt.datetime | pd.Timestamp) for v in present_values):
        # Excel has no time zones: local wall-clock time, as the pages show it.
        return [None if present(v) is None else _naive(v) for v in values], "yyyy-mm-dd hh:mm"
    if all(isinstance(v, dt.date) for v in present_values):
        return [None if present(v) is None else v for v in values], "yyyy-mm-dd"
    return [None if present(v) is None else str(v) for v in values], None


def _naive(value: dt.datetime | pd.Timestamp) -> dt.datetime:
    moment = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    return to_local(moment).replace(tzinfo=None) if moment.tzinfo is not None else moment


def typed_frame(df: pd.DataFrame, columns: Mapping[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The listed columns (those present) under their Chinese headers, typed; and header → number format."""
    data: dict[str, list[Any]] = {}
    formats: dict[str, str] = {}
    for key, header in columns.items():
        if key not in df:
            continue
        cells, pattern = column_format(key, list(df[key]))
        data[header] = cells
        if pattern:
            formats[header] = pattern
    frame = pd.DataFrame({h: pd.Series(v, dtype=object) for h, v in data.items()}, columns=list(data))
    return frame, formats


def xlsx_table(df: pd.DataFrame, columns: Mapping[str, str], *, title: str, source: str | None = None,
               scope: str | None = None, now: dt.datetime | None = None) -> bytes:
    """The table as .xlsx: sheet "数据" with the rows, sheet "说明" with its title, scope, source and export time."""
    frame, formats = typed_frame(df, columns)
    now = now or now_local()
    about = pd.DataFrame({"项目": ["表格", "范围", "数据来源与截至", "行数", "导出时间"],
                          "内容": [title, scope or "", source or "", str(len(frame)), f"{now:%Y-%m-%d %H:%M}"]})
    return xlsx_bytes({DATA_SHEET: frame, ABOUT_SHEET: about}, {DATA_SHEET: formats})
