"""One value of a spec column, parsed exactly as the importer parses it (for forms, preview and workbook templates)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import String

from supervision.core import values as v
from supervision.core.spec import PRODUCT_CATEGORY_NAMES, Column, Kind, TableSpec
from supervision.core.types import ExactDecimal
from supervision.storage.models import DATA_MODELS
from supervision.storage.townships import TownshipDirectory

# The importer accepts these spellings of enum values too.
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "product_category": {name: code for code, name in PRODUCT_CATEGORY_NAMES.items()},
    "coord_system": {"WGS-84": "WGS84", "GCJ-02": "GCJ02", "BD-09": "BD09"},
}


# Kinds read by one parser whatever the column; quantities by their places of decimals.
_PLAIN: dict[Kind, Callable[[Any], Any]] = {
    Kind.USCC: v.uscc, Kind.COORD: v.coordinate, Kind.YEAR: v.year, Kind.DATE: v.date, Kind.PERIOD: v.period,
    Kind.BOOL: v.boolean, Kind.HS_CODE: v.hs_code,
}
_PLACES = {Kind.TONNES: 3, Kind.TONNES_SIGNED: 3, Kind.YUAN: 2, Kind.YUAN_SIGNED: 2, Kind.SCORE: 2}
_SIGNED = frozenset({Kind.TONNES_SIGNED, Kind.YUAN_SIGNED})
_NO_MAGNITUDE = Decimal("1e12")  # the limit of a column that is not an exact decimal


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
    return Decimal(10) ** (kind.precision - kind.scale) if isinstance(kind, ExactDecimal) else _NO_MAGNITUDE


def parse_value(spec: TableSpec, col: Column, raw: Any, towns: TownshipDirectory) -> Any:
    """One non-blank value of a column, parsed as the importer parses that column's kind."""
    # Only the limit the column's kind uses is looked up: forms and the preview call this per value.
    max_text = text_limit(spec, col) if col.kind is Kind.TEXT else v.MAX_TEXT
    magnitude = magnitude_limit(spec, col) if col.kind in _PLACES else _NO_MAGNITUDE
    return parser_for(col, towns, max_text, magnitude)(raw)


def parser_for(col: Column, towns: TownshipDirectory, max_text: int = v.MAX_TEXT,
               magnitude: Decimal = _NO_MAGNITUDE) -> Callable[[Any], Any]:
    """The function that reads one non-blank cell of this column (chosen once per file, not per cell).

    `max_text` and `magnitude` are what the column's database type holds (text_limit, magnitude_limit):
    the column's width, not a guess from its name (item_code is VARCHAR(20), not 40), and its precision
    (Points are NUMERIC(8, 2): a score of 10^6 would fail the insert on PostgreSQL).
    """
    kind = col.kind
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in _PLACES:
        return functools.partial(v.decimal, places=_PLACES[kind], signed=kind in _SIGNED, limit=magnitude)
    if kind is Kind.TEXT:
        return functools.partial(v.text, max_length=max_text)
    if kind is Kind.ENUM:
        return functools.partial(v.choice, choices=col.choices, aliases=ENUM_ALIASES.get(col.key))
    if kind is Kind.INT:
        return functools.partial(v.integer, min_value=col.min_value, max_value=col.max_value)
    if kind is Kind.TOWNSHIP:
        return functools.partial(_township, towns=towns)
    raise AssertionError(kind)


def _township(raw: Any, towns: TownshipDirectory) -> str:
    name = towns.resolve(v.text(raw))
    if name is None:
        raise v.Invalid(f"未知镇区，应为：{'、'.join(towns.names)}（或其简称、配置的别名）")
    return name
