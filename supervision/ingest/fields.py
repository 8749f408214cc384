"""One value of a spec column, parsed exactly as the importer parses it (for forms, preview and workbook templates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import String

from supervision.core import values as v
from supervision.core.spec import PRODUCT_CATEGORY_NAMES, Column, Kind, TableSpec
from supervision.core.types import ExactDecimal
from supervision.storage.models import DATA_MODELS
from supervision.storage.townships import TownshipDirectory

# The importer accepts these spellings of enum values too (supervision.ingest.importer._ENUM_ALIASES).
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "product_category": {name: code for code, name in PRODUCT_CATEGORY_NAMES.items()},
    "coord_system": {"WGS-84": "WGS84", "GCJ-02": "GCJ02", "BD-09": "BD09"},
}


def shown(value: Any) -> str:
    """A value as a problem message quotes it: as the user wrote it, not as it was parsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        # A parsed quantity is quantized (1.5 -> 1.500); show it as the user wrote it.
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return str(value).strip()


def _model_column(spec: TableSpec, col: Column) -> Any:
    return DATA_MODELS[spec.key].__table__.c[col.attribute].type


def text_limit(spec: TableSpec, col: Column) -> int:
    """The longest text a column takes: its width in the database (as the importer checks), else MAX_TEXT."""
    kind = _model_column(spec, col)
    return min(kind.length, v.MAX_TEXT) if isinstance(kind, String) and kind.length else v.MAX_TEXT


def magnitude_limit(spec: TableSpec, col: Column) -> Decimal:
    """The largest quantity a column holds (its precision in the database), as the importer checks it."""
    kind = _model_column(spec, col)
    return Decimal(10) ** (kind.precision - kind.scale) if isinstance(kind, ExactDecimal) else Decimal("1e12")


def parse_value(spec: TableSpec, col: Column, raw: Any, towns: TownshipDirectory) -> Any:
    """One non-blank value of a column, parsed as the importer parses that column's kind."""
    kind = col.kind
    if kind is Kind.TEXT:
        return v.text(raw, text_limit(spec, col))
    if kind is Kind.USCC:
        return v.uscc(raw)
    if kind is Kind.ENUM:
        return v.choice(raw, col.choices, ENUM_ALIASES.get(col.key))
    if kind in (Kind.TONNES, Kind.TONNES_SIGNED, Kind.YUAN, Kind.YUAN_SIGNED, Kind.SCORE):
        places = 3 if kind in (Kind.TONNES, Kind.TONNES_SIGNED) else 2
        return v.decimal(raw, places, signed=kind in (Kind.TONNES_SIGNED, Kind.YUAN_SIGNED),
                         limit=magnitude_limit(spec, col))
    if kind is Kind.COORD:
        return v.coordinate(raw)
    if kind is Kind.INT:
        return v.integer(raw, col.min_value, col.max_value)
    if kind is Kind.YEAR:
        return v.year(raw)
    if kind is Kind.DATE:
        return v.date(raw)
    if kind is Kind.PERIOD:
        return v.period(raw)
    if kind is Kind.BOOL:
        return v.boolean(raw)
    if kind is Kind.HS_CODE:
        return v.hs_code(raw)
    if kind is Kind.TOWNSHIP:
        name = towns.resolve(v.text(raw))
        if name is None:
            raise v.Invalid(f"未知镇区，应为：{'、'.join(towns.names)}（或其简称、配置的别名）")
        return name
    raise AssertionError(kind)
