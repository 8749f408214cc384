"""What "as of D" (截至D) means (data-exchange spec 1.1, section 4.1), as plain date logic.

A row with its own date counts when that date is on or before D; a monthly row counts when its
month has ended on or before D; a self-check, township report or inspection score without a date
counts from the last day of its year; a closing date (resolved_on, feedback_on) counts only when
on or before D. The SQL predicates built on these rules are in `supervision.storage.asof`; every
check, query and export takes its rows through them, so the same (year, D) gives one answer.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_end(period: str) -> dt.date:
    """The last day of a `YYYY-MM` period."""
    return month_end(int(period[:4]), int(period[5:7]))


def last_ended_period(d: dt.date) -> str:
    """The latest `YYYY-MM` whose month has ended on or before D (D itself when D is a month's last day)."""
    if d == month_end(d.year, d.month):
        return f"{d.year:04d}-{d.month:02d}"
    first = d.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def period_counts(period: str, d: dt.date) -> bool:
    """Whether a monthly row of `period` counts at D: its month's last day is on or before D."""
    return period_end(period) <= d


def year_end(year: int) -> dt.date:
    """The day an undated self-check, township report or inspection score of `year` counts from."""
    return dt.date(year, 12, 31)


def dated_counts(on: dt.date | None, d: dt.date, year: int | None = None) -> bool:
    """Whether a dated row counts at D; an undated one counts from the last day of `year` (if given)."""
    if on is None:
        return year is not None and year_end(year) <= d
    return on <= d


def closed_by(on: dt.date | None, d: dt.date) -> dt.date | None:
    """A closing date (resolved_on, feedback_on) as seen on D: None when it is empty or after D."""
    return on if on is not None and on <= d else None


def last_full_year(d: dt.date) -> int:
    """The latest year whose last day is on or before D: undated yearly rows up to it count at D."""
    return d.year if d == year_end(d.year) else d.year - 1


@dataclass(frozen=True)
class AsOf:
    """A year Y looked at on day D: the bounds the rows of Y that count at D fall within."""

    year: int
    date: dt.date

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day of Y that counts: D, or Y's last day when D is later (a day before Y gives < first_day)."""
        return min(self.date, year_end(self.year))

    @property
    def first_period(self) -> str:
        return f"{self.year:04d}-01"

    @property
    def last_period(self) -> str:
        """The latest period of Y that counts (sorts before first_period when no month of Y has ended)."""
        return min(f"{self.year:04d}-12", last_ended_period(self.date))

    @property
    def months(self) -> int:
        """How many months of Y have ended on D (0 to 12)."""
        if self.date >= year_end(self.year):
            return 12
        last = last_ended_period(self.date)
        return int(last[5:7]) if last[:4] == f"{self.year:04d}" else 0

    @property
    def whole_year(self) -> bool:
        """Whether every month and day of Y has passed by D (then nothing differs from version 1)."""
        return self.date >= year_end(self.year)

    def month_range(self) -> str:
        """The months a monthly figure covers, for labels: "1–7月", "1–12月", "1月", or "无已结束月份"."""
        n = self.months
        if n == 0:
            return "无已结束月份"
        return "1月" if n == 1 else f"1–{n}月"
