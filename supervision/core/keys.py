"""Natural keys and values as the audit log stores them (shared by import, forms, checks and records)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """A value as JSON holds it: exact decimals and dates as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def record_key(key: tuple[Any, ...]) -> str:
    """A natural key as the audit log stores it: its parts joined by "|"."""
    return "|".join(str(jsonable(part)) for part in key)
