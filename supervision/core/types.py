"""Column types: exact decimals that stay exact on SQLite too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator, TypeEngine

_SCALING_OPS = {operators.mul, operators.truediv, operators.floordiv, operators.mod}
_ARITHMETIC_OPS = _SCALING_OPS | {operators.add, operators.sub, operators.neg}


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC(p, s) on PostgreSQL; on SQLite an integer count of 10^-s units.

    SQLite has no decimal type: NUMERIC columns hold binary floats, so twelve
    monthly figures that add up to a quota could sum to more than it. Storing
    kilograms (or fen) as integers keeps SUM() and comparisons exact there too.
    Rules for queries: add, subtract and compare quantities of the same scale;
    multiply or divide them only by plain numbers (x * 1.02); compute a ratio of
    two quantities in Python from the Decimals the query returns; pass constants
    as bound parameters, which this type scales.
    """

    impl = Numeric
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[Decimal]):
        """Arithmetic with plain numbers keeps the quantity's type, hence its scaling."""

        def _adapt_expression(self, op: Any, other_comparator: Any) -> Any:
            if op in _ARITHMETIC_OPS:
                return op, self.type
            return super()._adapt_expression(op, other_comparator)

    comparator_factory = Comparator

    def __init__(self, scale: int, precision: int = 18) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self.precision = precision
        self._unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name == "sqlite":
            scaled = number.scaleb(self.scale)
            integral = scaled.to_integral_value()
            if integral != scaled:
                raise ValueError(f"{value} has more than {self.scale} decimal places")
            return int(integral)
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):
                # Only an expression mixing in a float (a ratio) gives a float here.
                return Decimal(repr(value)).scaleb(-self.scale)
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._unit)
        return Decimal(value).quantize(self._unit)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        # A factor (x * 1.02) is a plain number, not a quantity: scaling it would
        # multiply by 1020 on SQLite. Sums and comparisons use this type.
        if op in _SCALING_OPS:
            return Numeric(asdecimal=True)
        return self


Tonnes = ExactDecimal(3)
"""Tonnes (REO or goods) with kilogram precision."""

Yuan = ExactDecimal(2)
"""Money in yuan with fen precision."""

Points = ExactDecimal(2, precision=8)
"""Inspection scores (督查评分), to the hundredth of a point."""

Degrees = ExactDecimal(6, precision=10)
"""WGS-84 longitude or latitude, about 0.1 m."""
