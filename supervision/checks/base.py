"""What every rule module shares: the check context, exact comparisons in SQL, evidence and number formatting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)

from supervision.access.scope import scoped
from supervision.core.asof import AsOf
from supervision.core.config import Settings, Tolerances
from supervision.core.findings import RULES_BY_ID, EvidenceRow, Finding
from supervision.core.keys import record_key
from supervision.core.principal import Principal
from supervision.core.types import Tonnes
from supervision.storage import asof
from supervision.storage.models import Enterprise, MonthlyReport

EVIDENCE_LIMIT = 50
"""Source rows listed per finding and kind of row; the full count goes into the figures."""
# Subjects per evidence statement: SQLite allows 500 arms in a compound SELECT.
EVIDENCE_BATCH = 200

SMELTING, RECYCLING, TRADING = "冶炼分离", "资源综合利用", "贸易流通"
IN_PRODUCTION = "在产"
_Row = TypeVarTuple("_Row")
VOID, CREDIT = "作废", "红冲"
IMPORT, EXPORT = "进口", "出口"


@dataclass(frozen=True)
class EnterpriseInfo:
    uscc: str
    name: str
    township: str
    category: str
    status: str


def ratio(value: Decimal) -> tuple[int, int]:
    """A configured factor as p/q, so `x > factor × y` becomes `x·q > y·p`: integers stay exact on SQLite."""
    p, q = value.as_integer_ratio()
    return p, q


def times(expr: ColumnElement[Any], n: int) -> ColumnElement[Any]:
    """A quantity multiplied by an integer, keeping the quantity's type (and its scaling on SQLite)."""
    return expr * literal(n, Integer)


def total(column: Any) -> ColumnElement[Decimal]:
    """SUM of a quantity column, 0 instead of NULL."""
    return func.coalesce(func.sum(column), 0, type_=Tonnes)


def zero_if_null(column: Any) -> ColumnElement[Decimal]:
    return func.coalesce(column, 0, type_=Tonnes)


def exceeds(excess: ColumnElement[Any], base: ColumnElement[Any], tol: Tolerances) -> ColumnElement[bool]:
    """excess > max(relative × base, absolute), exactly: both halves are integer-scaled comparisons."""
    p, q = ratio(tol.relative)
    return and_(times(excess, q) > times(base, p), excess > tol.absolute_t)


def deviates(a: ColumnElement[Any], b: ColumnElement[Any], base: ColumnElement[Any],
             tol: Tolerances) -> ColumnElement[bool]:
    """|a − b| > max(relative × base, absolute)."""
    return or_(exceeds(a - b, base, tol), exceeds(b - a, base, tol))


def allowed(base: Decimal, tol: Tolerances) -> Decimal:
    """The tolerance max(relative × base, absolute) as a figure for messages."""
    return max(tol.relative * base, tol.absolute_t).quantize(Decimal("0.001"), ROUND_HALF_UP)


def t(value: Decimal | None) -> str:
    """Tonnes for a message: two decimals, three when the kilograms matter (1005.00, 1000.001)."""
    amount = (value or Decimal(0)).quantize(Decimal("0.001"))
    if amount == amount.quantize(Decimal("0.01")):
        return f"{amount:.2f}"
    return f"{amount:.3f}"


def pct(numerator: Decimal, denominator: Decimal) -> Decimal:
    """A percentage to one decimal, computed in Python from exact Decimals."""
    return (numerator * 100 / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def pct_text(value: Decimal) -> str:
    return f"{value:.1f}%"


class CheckContext:
    """One run of the checks: the connection, the year and as-of date, and the principal's scope."""

    def __init__(self, conn: Connection, settings: Settings, year: int, as_of: dt.date, principal: Principal,
                 township: str | None = None, *, with_evidence: bool = True) -> None:
        self.conn = conn
        self.with_evidence = with_evidence
        self.settings = settings
        self.tol = settings.tolerances
        self.year = year
        self.as_of = as_of
        self.principal = principal
        self.township = township
        self.window = AsOf(year, as_of)
        self.first_period = self.window.first_period
        self.calendar = settings.calendar.for_year(year)
        self._directory: dict[str, EnterpriseInfo] | None = None

    def scoped(self, stmt: Select[*_Row], model: type[Any]) -> Select[*_Row]:
        return scoped(stmt, model, self.principal, self.township)

    def enterprises(self, *categories: str, in_production: bool = False) -> Any:
        """The enterprises the principal may see (optionally of some categories / only 在产) as a subquery."""
        stmt = select(Enterprise.uscc, Enterprise.name, Enterprise.township, Enterprise.category,
                      Enterprise.status)
        if categories:
            stmt = stmt.where(Enterprise.category.in_(categories))
        if in_production:
            stmt = stmt.where(Enterprise.status == IN_PRODUCTION)
        return self.scoped(stmt, Enterprise).subquery("e")

    @property
    def directory(self) -> dict[str, EnterpriseInfo]:
        """The scoped enterprise directory, for names and townships in findings."""
        if self._directory is None:
            stmt = self.scoped(select(Enterprise.uscc, Enterprise.name, Enterprise.township, Enterprise.category,
                                      Enterprise.status), Enterprise)
            self._directory = {r.uscc: EnterpriseInfo(r.uscc, r.name, r.township, r.category, r.status)
                               for r in self.conn.execute(stmt)}
        return self._directory

    def days_between(self, start: Any, end: Any) -> ColumnElement[int]:
        """Whole days from one date column to another (SQLite keeps dates as ISO text)."""
        if self.conn.dialect.name == "sqlite":
            return cast(func.julianday(end) - func.julianday(start), Integer)
        return end - start  # PostgreSQL: date − date is an integer number of days

    def in_year(self, column: Any) -> ColumnElement[bool]:
        """Rows dated in Y that count at D (spec 4.1): Y's first day to min(D, Y's last day)."""
        return asof.dated_in_year(column, self.window)

    def in_year_periods(self, column: Any) -> ColumnElement[bool]:
        """Monthly rows of Y whose month has ended by D (spec 4.1: at 08-13, January to July)."""
        return asof.periods_in_year(column, self.window)

    def monthly_totals(self) -> Any:
        """Per enterprise, the year's monthly-report sums (A(Y)) and the number of reports."""
        m = MonthlyReport
        stmt = (
            select(
                m.uscc.label("uscc"),
                func.count().label("reports"),
                total(m.purchase_ore_domestic_t).label("ore_domestic"),
                total(m.purchase_ore_imported_t).label("ore_imported"),
                total(m.purchase_compound_t).label("compound"),
                total(m.purchase_scrap_t).label("scrap"),
                total(m.production_t).label("production"),
                total(m.sales_t).label("sales"),
                total(m.toll_processing_t).label("toll"),
            )
            .where(self.in_year_periods(m.period))
            .group_by(m.uscc)
        )
        return stmt.subquery("mt")

    def finding(self, rule_id: str, subject: str, message: str, figures: dict[str, Any],
                rows: Iterable[EvidenceRow] = (), *, uscc: str | None = None, township: str | None = None,
                name: str | None = None) -> Finding:
        rule = RULES_BY_ID[rule_id]
        info = self.directory.get(uscc) if uscc else None
        return Finding(
            rule=rule.id,
            subject=subject,
            year=self.year,
            severity=rule.severity,
            message=message,
            figures=figures,
            rows=tuple(rows),
            uscc=uscc,
            enterprise_name=info.name if info else name,
            township=info.township if info else township,
            category=info.category if info else None,
        )

    def evidence(self, stmt: Select[*tuple[Any, ...]], subject: Any, order_by: Sequence[Any], subjects: Sequence[str],
                 make: Callable[[Any], EvidenceRow], *, count: bool = True,
                 ) -> dict[str, tuple[list[EvidenceRow], int]]:
        """Up to EVIDENCE_LIMIT source rows per subject, and how many there are in all.

        `stmt` selects the rows. One statement for up to EVIDENCE_BATCH subjects: a UNION ALL of
        one LIMITed arm per subject, each walking the index on the subject column, so a finding
        behind 10,000 invoices reads 50 of them (a ROW_NUMBER over all of a subject's rows cost
        seconds at a million invoices on SQLite) while the statements do not grow with the
        findings (issue 21). Only subjects that reach the cap are counted, in one grouped
        statement, and not at all with count=False (the caller has it from its aggregate; the
        number returned is then the rows listed).
        """
        out: dict[str, tuple[list[EvidenceRow], int]] = {}
        if not self.with_evidence:  # a count of findings (the 整顿进程 view) needs no source rows
            return out
        tagged = stmt.add_columns(subject.label("evidence_subject"))
        values = sorted(set(subjects))
        found: dict[str, list[Any]] = {}
        for start in range(0, len(values), EVIDENCE_BATCH):
            arms = [select(tagged.where(subject == value).order_by(*order_by).limit(EVIDENCE_LIMIT).subquery())
                    for value in values[start:start + EVIDENCE_BATCH]]
            # Each arm's rows come out in its own order: SQLite and PostgreSQL append UNION ALL arms in turn.
            batch = arms[0] if len(arms) == 1 else union_all(*arms)
            for row in self.conn.execute(batch):
                found.setdefault(row.evidence_subject, []).append(row)
        totals = {value: len(rows) for value, rows in found.items()}
        capped = sorted(value for value, n in totals.items() if n == EVIDENCE_LIMIT)
        for start in range(0, len(capped) if count else 0, EVIDENCE_BATCH):
            every = tagged.where(subject.in_(capped[start:start + EVIDENCE_BATCH])).subquery()
            totals.update(self.conn.execute(
                select(every.c.evidence_subject, func.count()).group_by(every.c.evidence_subject)).tuples().all())
        for value, rows in found.items():
            out[value] = ([make(r) for r in rows], int(totals[value]))
        return out


def key_of(*parts: Any) -> str:
    """The natural key as the audit log writes it (see supervision.core.keys.record_key)."""
    return record_key(tuple(parts))


def monthly_row(row: Any, label: str) -> EvidenceRow:
    return EvidenceRow("monthly_reports", key_of(row.uscc, row.period), label)
