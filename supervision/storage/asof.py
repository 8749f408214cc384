"""SQL predicates for "as of D" (spec 1.1, section 4.1): every check, query and export restricts its rows here.

The date logic is `supervision.core.asof`; these builders turn it into portable conditions
(bound dates and `YYYY-MM` strings, so an index range on the date or period column serves them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, literal, or_

from supervision.core.asof import AsOf, last_ended_period, last_full_year

__all__ = ["AsOf", "blacklisted", "closed", "dated", "dated_in_year", "month_ended", "periods_in_year",
           "still_open", "yearly_dated"]


def _day(d: dt.date) -> ColumnElement[Any]:
    return literal(d, Date)


def dated(column: Any, d: dt.date) -> ColumnElement[bool]:
    """A row with its own date counts at D when the date is on or before D."""
    return column <= _day(d)


def dated_in_year(column: Any, a: AsOf) -> ColumnElement[bool]:
    """Rows dated in Y that count at D: one index range, Y's first day to min(D, Y's last day)."""
    return column.between(_day(a.first_day), _day(a.last_day))


def month_ended(period_column: Any, d: dt.date) -> ColumnElement[bool]:
    """A monthly row counts at D when its month has ended on or before D (whenever it was submitted)."""
    return period_column <= last_ended_period(d)


def periods_in_year(period_column: Any, a: AsOf) -> ColumnElement[bool]:
    """Monthly rows of Y that count at D: January to the latest month of Y ended by D (none before February 1...)."""
    return period_column.between(a.first_period, a.last_period)


def yearly_dated(date_column: Any, year_column: Any, d: dt.date) -> ColumnElement[bool]:
    """A self-check, township report or inspection score counts at D: its date ≤ D, or undated and its year
    ended by D (an undated row counts from the last day of its year)."""
    return or_(date_column <= _day(d), and_(date_column.is_(None), year_column <= last_full_year(d)))


def closed(column: Any, d: dt.date) -> ColumnElement[bool]:
    """A closing date (resolved_on, feedback_on) that counts at D: set and on or before D."""
    return and_(column.is_not(None), column <= _day(d))


def still_open(column: Any, d: dt.date) -> ColumnElement[bool]:
    """Not closed at D: no closing date, or one after D."""
    return or_(column.is_(None), column > _day(d))


def blacklisted(decided_on: Any, until: Any, d: dt.date) -> ColumnElement[bool]:
    """A penalty's blacklist is in force at D when decided_on ≤ D ≤ blacklisted_until."""
    return and_(decided_on <= _day(d), until >= _day(d))
