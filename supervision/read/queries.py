"""Read queries for the pages: aggregated in the database, scoped by principal, returned as DataFrames.

Quantities come back as exact Decimals; ratios of two quantities are computed here in
Python from those Decimals (see `supervision.core.types.ExactDecimal`), never in SQL.

The as-of date D plays the role it has in `check(Y, D)` (spec 1.1, section 4.1): only what had
happened by D counts. Dated rows count when dated on or before D, monthly rows when their month
has ended by D, closing dates (resolved_on, feedback_on) only when on or before D; the predicates
are `supervision.storage.asof`, the same the checks use, so a page and `check` never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Integer, Select, String, and_, case, cast, extract, func, or_, select

from supervision.access.scope import scoped
from supervision.core.asof import AsOf, closed_by, dated_counts
from supervision.core.campaign import MISSING, NOT_REQUIRED, submission_status
from supervision.core.config import Settings
from supervision.core.frames import ZERO, present, ratio, utilisation_totals
from supervision.core.principal import DEMO_ACTOR, Principal
from supervision.core.spec import CATEGORIES, PRODUCT_CATEGORY_NAMES, TABLES_BY_KEY
from supervision.storage import asof as counts
from supervision.storage.models import (
    DATA_MODELS,
    Customs,
    Enterprise,
    EnvironmentRecord,
    ImportBatch,
    InspectionScore,
    Invoice,
    License,
    MonthlyReport,
    Penalty,
    Quota,
    ResourceTax,
    ScoringItem,
    SelfCheck,
    Tipoff,
    Township,
    TownshipReport,
    Traceability,
)

# The business date that says how current each table is ("数据截至").
_AS_OF_COLUMN: dict[type[Any], Any] = {
    Quota: Quota.year,
    MonthlyReport: MonthlyReport.period,
    Invoice: Invoice.issued_on,
    Traceability: Traceability.period,
    ResourceTax: ResourceTax.issued_on,
    License: License.valid_from,
    Customs: Customs.declared_on,
    EnvironmentRecord: EnvironmentRecord.recorded_on,
    SelfCheck: SelfCheck.submitted_on,
    TownshipReport: TownshipReport.submitted_on,
    ScoringItem: ScoringItem.year,
    InspectionScore: InspectionScore.inspected_on,
    Tipoff: Tipoff.received_on,
    Penalty: Penalty.decided_on,
}

QUOTA_KIND = "冶炼分离"
# Enterprises that must file a self-check (R16) and those that must file monthly reports (R19).
SELF_CHECK_CATEGORIES = ("冶炼分离", "资源综合利用", "贸易流通")
MONTHLY_REPORT_CATEGORIES = ("冶炼分离", "资源综合利用")


def _frame(engine: Engine, stmt: Select[*tuple[Any, ...]]) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _quota_holders(year: int) -> Select[Any]:
    return select(Quota.uscc).where(Quota.year == year, Quota.kind == QUOTA_KIND)


def _selected_enterprises(principal: Principal, township: str | None, category: str | None,
                          uscc: str | None = None, group: str | None = None,
                          quota_year: int | None = None) -> Select[Any]:
    """The USCCs the principal may see, narrowed by the filters: a subquery for IN (...).

    With `quota_year`, only enterprises holding a smelting quota that year: utilisation
    compares their production with their quota (a recycler's production from scrap has none).
    """
    stmt = scoped(select(Enterprise.uscc), Enterprise, principal, township)
    if quota_year is not None:
        stmt = stmt.where(Enterprise.uscc.in_(_quota_holders(quota_year)))
    if category:
        stmt = stmt.where(Enterprise.category == category)
    if uscc:
        stmt = stmt.where(Enterprise.uscc == uscc)
    if group:
        stmt = stmt.where(Enterprise.group_name == group)
    return stmt


def townships(engine: Engine, principal: Principal) -> pd.DataFrame:
    """The townships the principal may see, in the jurisdiction's order."""
    stmt = select(Township.name, Township.short_name, Township.kind, Township.seat_lon, Township.seat_lat)
    if principal.township_scope:
        stmt = stmt.where(Township.name == principal.township_scope)
    return _frame(engine, stmt.order_by(Township.sort_order))


def enterprise_counts(engine: Engine, principal: Principal, township: str | None = None,
                      category: str | None = None) -> pd.DataFrame:
    """Enterprises by township and category (every pair present, zero where none)."""
    stmt = select(Enterprise.township, Enterprise.category, func.count().label("n")).group_by(
        Enterprise.township, Enterprise.category
    )
    if category:
        stmt = stmt.where(Enterprise.category == category)
    counts = _frame(engine, scoped(stmt, Enterprise, principal, township))
    towns = townships(engine, principal)["name"].tolist()
    if township:
        towns = [t for t in towns if t == township]
    cats = [category] if category else list(CATEGORIES)
    grid = pd.MultiIndex.from_product([towns, cats], names=["township", "category"])
    out = counts.set_index(["township", "category"]).reindex(grid, fill_value=0).reset_index()
    out["n"] = out["n"].astype(int)
    return out


def enterprise_status_counts(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    stmt = select(Enterprise.status, func.count().label("n")).group_by(Enterprise.status)
    return _frame(engine, scoped(stmt, Enterprise, principal, township))


def table_freshness(engine: Engine, principal: Principal, year: int, township: str | None = None, *,
                    as_of: dt.date) -> pd.DataFrame:
    """Per table: the year's rows visible to the principal that count at `as_of`, the latest business date among
    them, and when the latest import that wrote any of them ran. The directory, which has no year, counts all its
    enterprises.

    Counting the year's rows, not the table's, keeps the cost to the year's index range: a page about one
    year does not pay for the other years a province's database holds.
    """
    rows: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for key, model in DATA_MODELS.items():
            date_column = _AS_OF_COLUMN.get(model)
            # The latest import among the same rows: the year's, not the whole table's (issue 21).
            columns = [func.count().label("n"), func.max(model.__table__.c.import_id).label("last_import")]
            if date_column is not None:
                # A licence counts whatever its dates; its freshness is still never a day after D.
                shown = case((date_column <= as_of, date_column)) if model is License else date_column
                columns.append(func.max(shown).label("as_of"))
            stmt = select(*columns).select_from(model)
            if model is not Enterprise:
                stmt = stmt.where(_in_year(model, AsOf(year, as_of)))
            found = conn.execute(scoped(stmt, model, principal, township)).one()
            rows.append({
                "table": key,
                "name": TABLES_BY_KEY[key].name,
                "rows": int(found.n),
                "as_of": None if date_column is None or found.as_of is None else str(found.as_of),
                "imported_at": found.last_import,
            })
        batches = {r["imported_at"] for r in rows if r["imported_at"] is not None}
        at = dict(conn.execute(select(ImportBatch.id, ImportBatch.at).where(ImportBatch.id.in_(batches))).all()) \
            if batches else {}
    for r in rows:
        r["imported_at"] = at.get(r["imported_at"]) if r["imported_at"] is not None else None
    return pd.DataFrame(rows)


def _in_year(model: type[Any], a: AsOf) -> Any:
    """The condition selecting `model`'s rows that belong to year Y and count at D (spec 4.1)."""
    if model in (MonthlyReport, Traceability):
        return counts.periods_in_year(model.period, a)
    if model in (SelfCheck, TownshipReport):
        return and_(model.year == a.year, counts.yearly_dated(model.submitted_on, model.year, a.date))
    if model is InspectionScore:
        return and_(model.year == a.year, counts.yearly_dated(model.inspected_on, model.year, a.date))
    if model in (Quota, ScoringItem):
        return model.year == a.year
    if model is License:  # undated: a licence counts as it is (its validity is judged per declaration)
        first, last = _year_bounds(a.year)
        return and_(License.valid_from <= last, License.valid_to >= first)
    return counts.dated_in_year(_AS_OF_COLUMN[model], a)


# Business dates that are not calendar dates: the year keys say nothing about how current a table is.
_UNDATED = (Quota, ScoringItem)


def data_as_of(engine: Engine, principal: Principal, tables: tuple[str, ...], year: int,
               township: str | None = None, *, as_of: dt.date) -> str | None:
    """"数据截至" over `tables`: the latest business date among the year's rows that count at `as_of` (a month for
    monthly tables), so it never names a day after `as_of`.

    The directory has no business date: for it, the day of the import that last wrote one of
    its rows stands in. Quotas and the scoring table are keyed by year and say nothing about
    currency, so they are skipped.
    """
    latest: list[str] = []
    with engine.connect() as conn:
        for key in tables:
            model = DATA_MODELS[key]
            if model in _UNDATED:
                continue
            if model is Enterprise:
                last = conn.execute(scoped(select(func.max(Enterprise.import_id)), Enterprise, principal,
                                           township)).scalar_one_or_none()
                at = None if last is None else conn.execute(
                    select(ImportBatch.at).where(ImportBatch.id == last)).scalar_one_or_none()
                if at is not None:
                    latest.append(min(at.date(), as_of).isoformat())
                continue
            column = _AS_OF_COLUMN[model]
            if model is License:
                column = case((column <= as_of, column))
            stmt = scoped(select(func.max(column)), model, principal, township).where(
                _in_year(model, AsOf(year, as_of)))
            found = conn.execute(stmt).scalar_one_or_none()
            if found is not None:
                latest.append(str(found))
    if not latest:
        return None
    # A month "2019-09" sorts as its last day against dates.
    return max(latest, key=lambda text: text + "-31" if len(text) == 7 else text)


def later_rows(engine: Engine, principal: Principal, tables: tuple[str, ...], year: int,
               township: str | None = None, *, as_of: dt.date) -> int:
    """How many of the year's rows in `tables` do not count at `as_of` yet (dated after it, or of a month not
    ended by then): a figure empty because of the as-of date says so instead of showing 0."""
    a = AsOf(year, as_of)
    if a.whole_year:
        return 0
    n = 0
    with engine.connect() as conn:
        for key in tables:
            model = DATA_MODELS[key]
            if model in (*_UNDATED, Enterprise, License):
                continue
            later: ColumnElement[bool]
            if model in (MonthlyReport, Traceability):
                later = model.period.between(a.last_period + "~", f"{year:04d}-12")  # "~" sorts after "-MM"
            elif model in (SelfCheck, TownshipReport, InspectionScore):
                column = _AS_OF_COLUMN[model]  # undated rows count only from the year's end, after D here
                later = and_(model.year == year, or_(column.is_(None), column > as_of))
            else:
                later = _AS_OF_COLUMN[model].between(a.last_day + dt.timedelta(days=1), dt.date(year, 12, 31))
            stmt = scoped(select(func.count()).select_from(model), model, principal, township).where(later)
            n += int(conn.execute(stmt).scalar_one())
    return n


def _distinct_by_seeks(column: Any, model: type[Any], principal: Principal,
                       after: Callable[[Any], Any]) -> Select[Any]:
    """The distinct values of an indexed column by skipping through its index: the smallest value, then the
    smallest one at or past `after(previous)`, and so on, one index seek a value (a DISTINCT read every row of
    every year held). A recursive CTE: one statement, on SQLite and PostgreSQL alike."""
    found = scoped(select(func.min(column).label("value")), model, principal).cte("seek", recursive=True)
    later = scoped(select(func.min(column)).where(column >= after(found.c.value)), model, principal)
    found = found.union_all(select(later.scalar_subquery()).where(found.c.value.is_not(None)))
    return select(found.c.value).where(found.c.value.is_not(None))


def data_years(engine: Engine, principal: Principal) -> list[int]:
    """Every year for which any yearly data exists (quotas, reports, self-checks, scores)."""
    years: set[int] = set()
    with engine.connect() as conn:
        for model in (Quota, SelfCheck, TownshipReport, InspectionScore, ScoringItem):
            stmt = _distinct_by_seeks(model.year, model, principal, lambda year: year + 1)
            years.update(int(y) for y in conn.execute(stmt).scalars())
        # Monthly periods "YYYY-MM": from one year's first report to the next year's January.
        periods = _distinct_by_seeks(MonthlyReport.period, MonthlyReport, principal,
                                     lambda p: cast(cast(func.substr(p, 1, 4), Integer) + 1, String) + "-01")
        years.update(int(str(p)[:4]) for p in conn.execute(periods).scalars())
    return sorted(years)


def enterprises(engine: Engine, principal: Principal, township: str | None = None,
                category: str | None = None) -> pd.DataFrame:
    """The enterprise directory as the principal may see it, for lists, search and map points."""
    stmt = select(
        Enterprise.uscc, Enterprise.name, Enterprise.category, Enterprise.township, Enterprise.group_name,
        Enterprise.status, Enterprise.lon, Enterprise.lat, Enterprise.address,
    ).join(Township, Township.name == Enterprise.township).order_by(
        Township.sort_order, Enterprise.category, Enterprise.name)
    if category:
        stmt = stmt.where(Enterprise.category == category)
    return _frame(engine, scoped(stmt, Enterprise, principal, township))


def groups(engine: Engine, principal: Principal) -> list[str]:
    stmt = scoped(select(Enterprise.group_name).distinct(), Enterprise, principal).where(
        Enterprise.group_name.is_not(None)
    )
    with engine.connect() as conn:
        return sorted(str(g) for g in conn.execute(stmt).scalars() if g)


# ---- quota execution -----------------------------------------------------------------------

def quota_by_enterprise(engine: Engine, principal: Principal, year: int, township: str | None = None,
                        category: str | None = None, group: str | None = None, *, as_of: dt.date) -> pd.DataFrame:
    """Per enterprise with a quota or production in the year: Σ quota, Σ production of the months ended by
    `as_of` and utilisation."""
    chosen = _selected_enterprises(principal, township, category, group=group)
    quota = (
        select(Quota.uscc, func.sum(Quota.quota_t).label("quota_t"), func.count().label("batches"))
        .where(Quota.year == year, Quota.kind == QUOTA_KIND, Quota.uscc.in_(chosen))
        .group_by(Quota.uscc)
    )
    produced = (
        select(MonthlyReport.uscc, func.sum(MonthlyReport.production_t).label("production_t"),
               func.max(MonthlyReport.period).label("last_period"))
        .where(counts.periods_in_year(MonthlyReport.period, AsOf(year, as_of)), MonthlyReport.uscc.in_(chosen))
        .group_by(MonthlyReport.uscc)
    )
    directory = enterprises(engine, principal, township, category)
    if group:
        directory = directory[directory["group_name"] == group]
    q = _frame(engine, scoped(quota, Quota, principal))
    p = _frame(engine, scoped(produced, MonthlyReport, principal))
    out = directory[["uscc", "name", "category", "township", "group_name", "status"]].merge(
        q, on="uscc", how="left").merge(p, on="uscc", how="left")
    out = out[out["quota_t"].notna() | out["production_t"].notna()].copy()
    out["batches"] = out["batches"].fillna(0).astype(int)
    out["quota_t"] = [present(v) for v in out["quota_t"]]
    out["production_t"] = [present(v) for v in out["production_t"]]
    out["utilisation"] = [ratio(p_, q_) for p_, q_ in zip(out["production_t"], out["quota_t"], strict=True)]
    return out.sort_values(["township", "name"]).reset_index(drop=True)


def quota_batches(engine: Engine, principal: Principal, year: int, township: str | None = None,
                  category: str | None = None, uscc: str | None = None, group: str | None = None) -> pd.DataFrame:
    """The year's quota per batch over the selected enterprises, with the running total after each batch."""
    chosen = _selected_enterprises(principal, township, category, uscc, group)
    stmt = (
        select(Quota.batch, func.sum(Quota.quota_t).label("quota_t"))
        .where(Quota.year == year, Quota.kind == QUOTA_KIND, Quota.uscc.in_(chosen))
        .group_by(Quota.batch).order_by(Quota.batch)
    )
    out = _frame(engine, scoped(stmt, Quota, principal))
    total = ZERO
    cumulative: list[Decimal] = []
    for value in out["quota_t"]:
        total += value
        cumulative.append(total)
    out["cumulative_t"] = cumulative
    return out


_MONTHLY_MEASURES = (
    "production_t", "sales_t", "trace_production_t", "invoiced_t", "tax_covered_ore_t", "purchase_ore_domestic_t",
)


def monthly_flows(engine: Engine, principal: Principal, year: int, township: str | None = None,
                  category: str | None = None, uscc: str | None = None, group: str | None = None,
                  quota_holders: bool = False, *, as_of: dt.date) -> pd.DataFrame:
    """Month by month over the selected enterprises: production, sales, traceability, invoices, resource tax.

    Only what counts at `as_of`: monthly rows of the months ended by then, invoices and certificates
    dated up to it (a month not yet ended shows its dated rows so far but no monthly figures).

    Invoiced sales are Σ reo_t of invoices the enterprises issued as seller (作废 left out,
    红冲 counted with its negative sign, as in R05); tax-covered ore is Σ ore_t of their
    resource-tax certificates by month of issue (as in R07). With `quota_holders`, only
    enterprises holding a smelting quota for the year count (for the cumulative-vs-quota view).
    """
    chosen = _selected_enterprises(principal, township, category, uscc, group, year if quota_holders else None)
    window = AsOf(year, as_of)
    month = func.substr(MonthlyReport.period, 6, 2)
    reports = (
        select(month.label("m"), func.sum(MonthlyReport.production_t).label("production_t"),
               func.sum(MonthlyReport.sales_t).label("sales_t"),
               func.sum(MonthlyReport.purchase_ore_domestic_t).label("purchase_ore_domestic_t"))
        .where(counts.periods_in_year(MonthlyReport.period, window), MonthlyReport.uscc.in_(chosen))
        .group_by(month)
    )
    t_month = func.substr(Traceability.period, 6, 2)
    trace = (
        select(t_month.label("m"), func.sum(Traceability.production_t).label("trace_production_t"))
        .where(counts.periods_in_year(Traceability.period, window), Traceability.uscc.in_(chosen))
        .group_by(t_month)
    )
    i_month = extract("month", Invoice.issued_on)
    invoiced = (
        select(i_month.label("m"), func.sum(Invoice.reo_t).label("invoiced_t"))
        .where(counts.dated_in_year(Invoice.issued_on, window), Invoice.status != "作废",
               Invoice.seller_uscc.in_(chosen))
        .group_by(i_month)
    )
    r_month = extract("month", ResourceTax.issued_on)
    taxed = (
        select(r_month.label("m"), func.sum(ResourceTax.ore_t).label("tax_covered_ore_t"))
        .where(counts.dated_in_year(ResourceTax.issued_on, window), ResourceTax.uscc.in_(chosen))
        .group_by(r_month)
    )
    out = pd.DataFrame({"month": range(1, 13)})
    for stmt, model in ((reports, MonthlyReport), (trace, Traceability), (invoiced, Invoice), (taxed, ResourceTax)):
        part = _frame(engine, scoped(stmt, model, principal))
        if part.empty:
            continue
        part["month"] = part.pop("m").astype(int)
        out = out.merge(part, on="month", how="left")
    for column in _MONTHLY_MEASURES:
        if column not in out:
            out[column] = None
        out[column] = [v if isinstance(v, Decimal) else None for v in out[column]]
    out["period"] = [f"{year:04d}-{m:02d}" for m in out["month"]]
    running = ZERO
    cumulative: list[Decimal | None] = []
    for value in out["production_t"]:
        running += value or ZERO
        cumulative.append(running)
    out["cumulative_production_t"] = cumulative
    return out[["month", "period", *_MONTHLY_MEASURES, "cumulative_production_t"]]


def flows_by_enterprise(engine: Engine, principal: Principal, year: int, township: str | None = None,
                        category: str | None = None, group: str | None = None, *, as_of: dt.date) -> pd.DataFrame:
    """Per producing enterprise, the year's production, traceability, sales, invoices and tax-covered ore
    that count at `as_of`."""
    chosen = _selected_enterprises(principal, township, category, group=group)
    window = AsOf(year, as_of)
    parts = [
        scoped(select(MonthlyReport.uscc.label("uscc"), func.sum(MonthlyReport.production_t).label("production_t"),
                      func.sum(MonthlyReport.sales_t).label("sales_t"),
                      func.sum(MonthlyReport.purchase_ore_domestic_t).label("purchase_ore_domestic_t"))
               .where(counts.periods_in_year(MonthlyReport.period, window), MonthlyReport.uscc.in_(chosen))
               .group_by(MonthlyReport.uscc), MonthlyReport, principal),
        scoped(select(Traceability.uscc.label("uscc"), func.sum(Traceability.production_t).label("trace_production_t"))
               .where(counts.periods_in_year(Traceability.period, window), Traceability.uscc.in_(chosen))
               .group_by(Traceability.uscc), Traceability, principal),
        scoped(select(Invoice.seller_uscc.label("uscc"), func.sum(Invoice.reo_t).label("invoiced_t"))
               .where(counts.dated_in_year(Invoice.issued_on, window), Invoice.status != "作废",
                      Invoice.seller_uscc.in_(chosen))
               .group_by(Invoice.seller_uscc), Invoice, principal),
        scoped(select(ResourceTax.uscc.label("uscc"), func.sum(ResourceTax.ore_t).label("tax_covered_ore_t"))
               .where(counts.dated_in_year(ResourceTax.issued_on, window), ResourceTax.uscc.in_(chosen))
               .group_by(ResourceTax.uscc), ResourceTax, principal),
    ]
    directory = enterprises(engine, principal, township, category)
    if group:
        directory = directory[directory["group_name"] == group]
    out = directory[["uscc", "name", "township", "category"]]
    for stmt in parts:
        out = out.merge(_frame(engine, stmt), on="uscc", how="left")
    measures = [c for c in _MONTHLY_MEASURES if c in out]
    for column in measures:
        out[column] = [v if isinstance(v, Decimal) else None for v in out[column]]
    # Producers only: an enterprise that produced, or reported to the traceability system, or bought taxed ore.
    produced = [any((present(r[c]) or ZERO) > 0 for c in ("production_t", "trace_production_t", "tax_covered_ore_t")
                    if c in out) for _, r in out.iterrows()]
    return out.loc[pd.Series(produced, index=out.index, dtype=bool)].reset_index(drop=True)


def quota_years(engine: Engine, principal: Principal, township: str | None = None, category: str | None = None,
                uscc: str | None = None, group: str | None = None, *, year: int, years: int,
                as_of: dt.date) -> pd.DataFrame:
    """Per year of the `years` ending with `year`: Σ quota and Σ production (months ended by `as_of`) of the
    selected enterprises that held a quota that year. Only those years are read: the chart's cost does not grow
    with the years the database holds."""
    first = year - years + 1
    chosen = _selected_enterprises(principal, township, category, uscc, group)
    q = _frame(engine, scoped(
        select(Quota.uscc, Quota.year, func.sum(Quota.quota_t).label("quota_t"))
        .where(Quota.kind == QUOTA_KIND, Quota.uscc.in_(chosen), Quota.year.between(first, year))
        .group_by(Quota.uscc, Quota.year), Quota, principal))
    year_of = func.substr(MonthlyReport.period, 1, 4)
    p = _frame(engine, scoped(
        select(MonthlyReport.uscc, year_of.label("year"), func.sum(MonthlyReport.production_t).label("production_t"))
        .where(MonthlyReport.uscc.in_(chosen), MonthlyReport.period.between(f"{first:04d}-01", f"{year:04d}-12"),
               counts.month_ended(MonthlyReport.period, as_of))
        .group_by(MonthlyReport.uscc, year_of), MonthlyReport, principal))
    if q.empty:
        return pd.DataFrame(columns=["year", "quota_t", "production_t", "utilisation"])
    if not p.empty:
        p["year"] = p["year"].astype(int)
        q = q.merge(p, on=["uscc", "year"], how="left")
    else:
        q["production_t"] = None
    rows = []
    for year, part in q.groupby("year"):
        rows.append({"year": int(year), "quota_t": sum(part["quota_t"], ZERO),
                     "production_t": sum((v for v in part["production_t"] if present(v) is not None), ZERO)})
    out = pd.DataFrame(rows)
    out["utilisation"] = [ratio(p_, q_) for p_, q_ in zip(out["production_t"], out["quota_t"], strict=True)]
    return out.sort_values("year").reset_index(drop=True)


# ---- campaign progress ---------------------------------------------------------------------

def self_check_status(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                      township: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Each enterprise that must file a self-check (附件1): its submission date and status on `as_of`.

    Only a campaign year (one with its own calendar table) binds the deadline, as for R16;
    in another year every status is "无需报送".
    """
    deadline = settings.calendar.for_year(year)["self_check_deadline"]
    stmt = (
        select(Enterprise.uscc, Enterprise.name, Enterprise.township, Enterprise.category,
               SelfCheck.submitted_on, SelfCheck.problems_found, SelfCheck.problems_rectified)
        .outerjoin(SelfCheck, and_(SelfCheck.uscc == Enterprise.uscc, SelfCheck.year == year))
        .where(Enterprise.category.in_(SELF_CHECK_CATEGORIES))
        .order_by(Enterprise.township, Enterprise.name)
    )
    if category:
        stmt = stmt.where(Enterprise.category == category)
    out = _frame(engine, scoped(stmt, Enterprise, principal, township))
    _unseen(out, as_of, year, ["submitted_on", "problems_found", "problems_rectified"])
    out["deadline"] = deadline
    binding = settings.calendar.is_campaign_year(year)
    out["status"] = [submission_status(present(s), deadline, as_of) if binding else NOT_REQUIRED
                     for s in out["submitted_on"]]
    return out


def township_report_status(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                           township: str | None = None) -> pd.DataFrame:
    """Each township with enterprises: its 附件3 summary's submission date and status on `as_of` (as R17).

    As for R17, the deadline binds in campaign years only; otherwise the status is "无需报送".
    """
    deadline = settings.calendar.for_year(year)["township_report_deadline"]
    with_enterprises = scoped(select(Enterprise.township).distinct(), Enterprise, principal, township)
    stmt = (
        select(Township.name.label("township"), TownshipReport.submitted_on, TownshipReport.enterprises_total,
               TownshipReport.enterprises_checked, TownshipReport.problems_found, TownshipReport.problems_rectified,
               TownshipReport.cases_transferred)
        .outerjoin(TownshipReport, and_(TownshipReport.township == Township.name, TownshipReport.year == year))
        .where(Township.name.in_(with_enterprises))
        .order_by(Township.sort_order)
    )
    out = _frame(engine, stmt)
    _unseen(out, as_of, year, ["submitted_on", "enterprises_total", "enterprises_checked", "problems_found",
                               "problems_rectified", "cases_transferred"])
    out["deadline"] = deadline
    binding = settings.calendar.is_campaign_year(year)
    out["status"] = [submission_status(present(s), deadline, as_of) if binding else NOT_REQUIRED
                     for s in out["submitted_on"]]
    return out


def _unseen(out: pd.DataFrame, as_of: dt.date, year: int, columns: list[str]) -> None:
    """Blank a yearly submission's figures where it does not count at `as_of` (submitted after it, or undated
    before the year's end): on that day it had not been received (spec 4.1)."""
    if out.empty:
        return
    hidden = [present(s) is not None and not dated_counts(present(s), as_of, year) for s in out["submitted_on"]]
    for column in columns:
        out[column] = [None if h else v for h, v in zip(hidden, out[column], strict=True)]


def monthly_report_gaps(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                        township: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Per operating smelter or recycler: monthly reports due by `as_of` (R19's due dates) and those filed."""
    due_day = settings.tolerances.monthly_report_due_day
    due_periods = []
    for month in range(1, 13):
        nxt = dt.date(year + (month == 12), month % 12 + 1, due_day)
        if nxt < as_of:
            due_periods.append(f"{year:04d}-{month:02d}")
    filed = (
        select(MonthlyReport.uscc, func.count().label("filed"))
        .where(MonthlyReport.period.in_(due_periods or ["-"]))
        .group_by(MonthlyReport.uscc)
        .subquery()
    )
    stmt = (
        select(Enterprise.uscc, Enterprise.name, Enterprise.township, Enterprise.category,
               func.coalesce(filed.c.filed, 0).label("filed"))
        .outerjoin(filed, filed.c.uscc == Enterprise.uscc)
        .where(Enterprise.category.in_(MONTHLY_REPORT_CATEGORIES), Enterprise.status == "在产")
    )
    if category:
        stmt = stmt.where(Enterprise.category == category)
    out = _frame(engine, scoped(stmt, Enterprise, principal, township))
    out["due"] = len(due_periods)
    out["filed"] = out["filed"].astype(int)
    out["missing"] = out["due"] - out["filed"]
    return out


def inspection_status(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                      township: str | None = None) -> pd.DataFrame:
    """Each township with enterprises: when the special inspection (督查) scored it, read on `as_of`."""
    cal = settings.calendar.for_year(year)
    with_enterprises = scoped(select(Enterprise.township).distinct(), Enterprise, principal, township)
    scored = (
        select(InspectionScore.township, func.max(InspectionScore.inspected_on).label("inspected_on"))
        .where(InspectionScore.year == year, _scored_by(as_of)).group_by(InspectionScore.township).subquery()
    )
    stmt = (
        select(Township.name.label("township"), scored.c.inspected_on)
        .outerjoin(scored, scored.c.township == Township.name)
        .where(Township.name.in_(with_enterprises)).order_by(Township.sort_order)
    )
    out = _frame(engine, stmt)
    out["deadline"] = cal["inspection_end"]
    out["status"] = [submission_status(present(s), cal["inspection_end"], as_of) for s in out["inspected_on"]]
    return out


def overdue_tipoffs(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                    township: str | None = None) -> pd.DataFrame:
    """Tip-offs received in the year with their feedback deadline and whether it is overdue on `as_of` (R18)."""
    days = settings.tolerances.tipoff_feedback_days
    stmt = (
        select(Tipoff.tipoff_id, Tipoff.received_on, Tipoff.channel, Tipoff.township, Tipoff.subject_uscc,
               Tipoff.subject_name, Tipoff.summary, Tipoff.department, Tipoff.status, Tipoff.resolved_on,
               Tipoff.feedback_on)
        .where(counts.dated_in_year(Tipoff.received_on, AsOf(year, as_of)))
        .order_by(Tipoff.received_on.desc(), Tipoff.tipoff_id)
    )
    out = _frame(engine, scoped(stmt, Tipoff, principal, township))
    _tipoffs_on(out, as_of)
    out["feedback_due"] = [r + dt.timedelta(days=days) for r in out["received_on"]]
    overdue = []
    for fb, due in zip(out["feedback_on"], out["feedback_due"], strict=True):
        fb = present(fb)
        fb_seen = fb if fb is not None and fb <= as_of else None
        overdue.append(fb_seen > due if fb_seen is not None else as_of > due)
    out["overdue"] = overdue
    return out


RESOLVED = "已办结"
REOPENED = "核查中"


def _tipoffs_on(out: pd.DataFrame, as_of: dt.date) -> None:
    """Tip-offs as they stood on `as_of`: a resolution or feedback dated after it had not happened yet (spec 4.1),
    so its date is blank and a 已办结 tip-off was still 核查中."""
    if out.empty:
        return
    resolved = [closed_by(present(r), as_of) for r in out["resolved_on"]]
    out["status"] = [REOPENED if s == RESOLVED and r is None else s
                     for s, r in zip(out["status"], resolved, strict=True)]
    out["resolved_on"] = resolved
    out["feedback_on"] = [closed_by(present(f), as_of) for f in out["feedback_on"]]


def _scored_by(as_of: dt.date) -> Any:
    """Inspection scores that count at `as_of`: inspected on or before it (undated: from the year's end)."""
    return counts.yearly_dated(InspectionScore.inspected_on, InspectionScore.year, as_of)


def township_milestones(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                        township: str | None = None, category: str | None = None) -> pd.DataFrame:
    """The township × milestone grid: status (worst over the township) and a one-line detail per cell."""
    towns = township_report_status(engine, principal, settings, year, as_of, township)
    checks = self_check_status(engine, principal, settings, year, as_of, township, category)
    gaps = monthly_report_gaps(engine, principal, settings, year, as_of, township, category)
    inspected = inspection_status(engine, principal, settings, year, as_of, township).set_index("township")
    order = ["逾期未交", "逾期提交", "临近截止", "未到期", "按时"]
    # Grouped once, looked up per township: a weekly timeline reads this grid 50 times.
    status_counts: dict[str, dict[str, int]] = {}
    for (town_name, status), n in checks.groupby(["township", "status"]).size().items():
        status_counts.setdefault(str(town_name), {})[str(status)] = int(n)
    gap_sums = {str(t): (int(g["missing"].sum()), int(g["due"].sum())) for t, g in gaps.groupby("township")}
    rows: list[dict[str, Any]] = []
    for town in towns.itertuples():
        name = town.township
        counts = status_counts.get(name, {})
        if not counts:
            status, detail = NOT_REQUIRED, "无须自查的企业"
        elif not settings.calendar.is_campaign_year(year):
            status, detail = NOT_REQUIRED, "非整顿年度（未配置该年时间表）"
        else:
            status = next(s for s in order if counts.get(s, 0))
            detail = "，".join(f"{s}{int(counts[s])}家" for s in order if counts.get(s, 0))
        rows.append({"township": name, "milestone": "企业自查表（附件1）", "status": status, "detail": detail})
        submitted = present(town.submitted_on)
        rows.append({"township": name, "milestone": "镇区汇总表（附件3）", "status": town.status,
                     "detail": f"报送于{submitted}" if submitted is not None and submitted <= as_of else "未报送"})
        ins = inspected.loc[name]
        on = present(ins["inspected_on"])
        rows.append({"township": name, "milestone": "专项督查评分", "status": ins["status"],
                     "detail": f"督查于{on}" if on is not None and on <= as_of else "尚无督查评分"})
        if name not in gap_sums:
            m_status, m_detail = NOT_REQUIRED, "无须报送月报的在产企业"
        else:
            missing, due = gap_sums[name]
            if due == 0:
                m_status, m_detail = "未到期", "尚无到期月报"
            else:
                m_status = MISSING if missing else "按时"
                m_detail = f"应报{due}份，缺报{missing}份"
        rows.append({"township": name, "milestone": "企业月报", "status": m_status, "detail": m_detail})
    return pd.DataFrame(rows, columns=["township", "milestone", "status", "detail"])


def overdue_lights(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                   township: str | None = None, category: str | None = None) -> pd.DataFrame:
    """红黄绿灯 per township: the campaign submissions plus tip-off feedback (R18's 30 days)."""
    grid = township_milestones(engine, principal, settings, year, as_of, township, category)
    tips = overdue_tipoffs(engine, principal, settings, year, as_of, township)
    rows = []
    for name in dict.fromkeys(grid["township"]):
        mine = tips[tips["township"] == name]
        late = int(mine["overdue"].sum()) if not mine.empty else 0
        if mine.empty:
            status, detail = "按时", "本年度无举报线索"
        else:
            status = MISSING if late else "按时"
            detail = f"线索{len(mine)}条，反馈超期{late}条"
        rows.append({"township": name, "milestone": "举报反馈", "status": status, "detail": detail})
    return pd.concat([grid, pd.DataFrame(rows, columns=grid.columns)], ignore_index=True)


# ---- inspection scores ---------------------------------------------------------------------

def scoring_table(engine: Engine, principal: Principal, year: int) -> pd.DataFrame:
    """The year's evaluation table (附件2) as imported: the same for every township."""
    stmt = (select(ScoringItem.item_code, ScoringItem.section, ScoringItem.item, ScoringItem.max_score)
            .where(ScoringItem.year == year).order_by(ScoringItem.item_code))
    return _frame(engine, scoped(stmt, ScoringItem, principal))


def inspection_scores(engine: Engine, principal: Principal, year: int, township: str | None = None, *,
                      as_of: dt.date) -> pd.DataFrame:
    """Every scored item of the year inspected by `as_of` with its section, maximum, score, deduction and note."""
    stmt = (
        select(InspectionScore.township, InspectionScore.item_code, ScoringItem.section, ScoringItem.item,
               ScoringItem.max_score, InspectionScore.score, InspectionScore.inspected_on,
               InspectionScore.inspector, InspectionScore.note, Township.sort_order)
        .join(ScoringItem, and_(ScoringItem.year == InspectionScore.year,
                                ScoringItem.item_code == InspectionScore.item_code))
        .join(Township, Township.name == InspectionScore.township)
        .where(InspectionScore.year == year, _scored_by(as_of))
        .order_by(Township.sort_order, InspectionScore.item_code)
    )
    out = _frame(engine, scoped(stmt, InspectionScore, principal, township))
    out["deduction"] = [m - s for m, s in zip(out["max_score"], out["score"], strict=True)]
    return out.drop(columns="sort_order")


def section_scores(engine: Engine, principal: Principal, year: int, township: str | None = None, *,
                   as_of: dt.date) -> pd.DataFrame:
    """Per township and section of the evaluation table (items inspected by `as_of`): points obtained, points
    available and the share."""
    stmt = (
        select(InspectionScore.township, ScoringItem.section, func.sum(InspectionScore.score).label("score"),
               func.sum(ScoringItem.max_score).label("max_score"), func.min(ScoringItem.item_code).label("first"))
        .join(ScoringItem, and_(ScoringItem.year == InspectionScore.year,
                                ScoringItem.item_code == InspectionScore.item_code))
        .where(InspectionScore.year == year, _scored_by(as_of))
        .group_by(InspectionScore.township, ScoringItem.section)
    )
    out = _frame(engine, scoped(stmt, InspectionScore, principal, township))
    out["share"] = [ratio(s, m) for s, m in zip(out["score"], out["max_score"], strict=True)]
    return out.sort_values(["first", "township"]).drop(columns="first").reset_index(drop=True)


def score_totals(engine: Engine, principal: Principal, years: tuple[int, ...],
                 township: str | None = None, *, as_of: dt.date) -> pd.DataFrame:
    """Per township and year: total score, the maximum over the items scored by `as_of`, and the share of it."""
    stmt = (
        select(InspectionScore.township, InspectionScore.year, func.sum(InspectionScore.score).label("total"),
               func.sum(ScoringItem.max_score).label("max_total"), func.count().label("items"))
        .join(ScoringItem, and_(ScoringItem.year == InspectionScore.year,
                                ScoringItem.item_code == InspectionScore.item_code))
        .where(InspectionScore.year.in_(years), _scored_by(as_of))
        .group_by(InspectionScore.township, InspectionScore.year)
    )
    out = _frame(engine, scoped(stmt, InspectionScore, principal, township))
    out["share"] = [ratio(t, m) for t, m in zip(out["total"], out["max_total"], strict=True)]
    return out


# ---- map -----------------------------------------------------------------------------------

def township_measures(engine: Engine, principal: Principal, settings: Settings, year: int, as_of: dt.date,
                      category: str | None = None) -> pd.DataFrame:
    """Per township: enterprises, Σ quota and production with utilisation, inspection score, overdue reports."""
    towns = townships(engine, principal)[["name"]].rename(columns={"name": "township"})
    counts = enterprise_counts(engine, principal, None, category).groupby("township", as_index=False)["n"].sum()
    quota = quota_by_enterprise(engine, principal, year, None, category, as_of=as_of)
    rows = []
    for town, part in quota.groupby("township"):
        used, total = utilisation_totals(part)
        rows.append({"township": town, "quota_t": total if total else None, "production_t": used})
    q = pd.DataFrame(rows, columns=["township", "quota_t", "production_t"]).set_index("township")
    scores = score_totals(engine, principal, (year,), as_of=as_of)[["township", "total", "max_total", "share"]].rename(
        columns={"share": "score_share"})
    checks = self_check_status(engine, principal, settings, year, as_of, None, category)
    reports = township_report_status(engine, principal, settings, year, as_of)
    gaps = monthly_report_gaps(engine, principal, settings, year, as_of, None, category)
    overdue = (
        checks[checks["status"] == MISSING].groupby("township").size().rename("overdue_self_checks")
        .to_frame()
        .join(gaps.groupby("township")["missing"].sum().rename("missing_monthly"), how="outer")
        .join(reports.set_index("township")["status"].eq(MISSING).astype(int).rename("overdue_township_report"),
              how="outer")
        .fillna(0).astype(int)
    )
    overdue["overdue_reports"] = overdue.sum(axis=1)
    out = (
        towns.merge(counts.rename(columns={"n": "enterprises"}), on="township", how="left")
        .merge(q.reset_index(), on="township", how="left")
        .merge(scores, on="township", how="left")
        .merge(overdue.reset_index().rename(columns={"index": "township"}), on="township", how="left")
    )
    out["enterprises"] = out["enterprises"].fillna(0).astype(int)
    for column in ("overdue_self_checks", "missing_monthly", "overdue_township_report", "overdue_reports"):
        out[column] = out[column].fillna(0).astype(int)
    out["utilisation"] = [ratio(p, q_) if isinstance(q_, Decimal) else None
                          for p, q_ in zip(out["production_t"], out["quota_t"], strict=True)]
    return out


# ---- enterprise profile --------------------------------------------------------------------

def enterprise(engine: Engine, principal: Principal, uscc: str) -> dict[str, Any] | None:
    """One enterprise's directory row, or None when it does not exist or is outside the principal's scope."""
    columns = [c for c in Enterprise.__table__.columns if c.key not in ("version", "import_id")]
    stmt = scoped(select(*columns).where(Enterprise.uscc == uscc), Enterprise, principal)
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def _rows(engine: Engine, principal: Principal, model: type[Any], where: Any, order: Any,
          columns: list[Any]) -> pd.DataFrame:
    return _frame(engine, scoped(select(*columns).where(where).order_by(*order), model, principal))


def enterprise_records(engine: Engine, principal: Principal, uscc: str, year: int, *,
                       as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Everything the profile shows about one enterprise for the year, as it stood on `as_of` (licences: those
    valid in the year; environment, self-checks, tip-offs and penalties of every year up to `as_of`)."""
    window = AsOf(year, as_of)
    out: dict[str, pd.DataFrame] = {}
    out["quotas"] = _rows(engine, principal, Quota, Quota.uscc == uscc, [Quota.year, Quota.kind, Quota.batch],
                          [Quota.year, Quota.batch, Quota.kind, Quota.quota_t])
    out["monthly_reports"] = _rows(
        engine, principal, MonthlyReport,
        and_(MonthlyReport.uscc == uscc, counts.periods_in_year(MonthlyReport.period, window)),
        [MonthlyReport.period],
        [MonthlyReport.period, MonthlyReport.purchase_ore_domestic_t, MonthlyReport.purchase_ore_imported_t,
         MonthlyReport.purchase_compound_t, MonthlyReport.purchase_scrap_t, MonthlyReport.production_t,
         MonthlyReport.sales_t, MonthlyReport.inventory_t, MonthlyReport.raw_inventory_t,
         MonthlyReport.toll_processing_t, MonthlyReport.submitted_on])
    out["traceability"] = _rows(
        engine, principal, Traceability,
        and_(Traceability.uscc == uscc, counts.periods_in_year(Traceability.period, window)),
        [Traceability.period], [Traceability.period, Traceability.production_t, Traceability.sales_t])
    direction = case((Invoice.seller_uscc == uscc, "销项"), else_="进项")
    out["invoices"] = _rows(
        engine, principal, Invoice,
        and_(or_(Invoice.seller_uscc == uscc, Invoice.buyer_uscc == uscc),
             counts.dated_in_year(Invoice.issued_on, window)),
        [Invoice.issued_on, Invoice.invoice_no],
        [direction.label("direction"), Invoice.invoice_no, Invoice.issued_on, Invoice.seller_uscc,
         Invoice.buyer_uscc, Invoice.product_category, Invoice.product_name, Invoice.quantity, Invoice.unit,
         Invoice.reo_t, Invoice.amount_yuan, Invoice.status])
    out["invoices"]["product_category"] = out["invoices"]["product_category"].map(
        lambda c: PRODUCT_CATEGORY_NAMES.get(c, c))
    out["resource_tax"] = _rows(
        engine, principal, ResourceTax,
        and_(ResourceTax.uscc == uscc, counts.dated_in_year(ResourceTax.issued_on, window)),
        [ResourceTax.issued_on],
        [ResourceTax.certificate_no, ResourceTax.issued_on, ResourceTax.ore_t, ResourceTax.tax_yuan])
    out["licenses"] = _rows(
        engine, principal, License, and_(License.uscc == uscc, _in_year(License, window)), [License.valid_from],
        [License.license_no, License.direction, License.hs_code, License.quantity_t, License.valid_from,
         License.valid_to])
    out["customs"] = _rows(
        engine, principal, Customs, and_(Customs.uscc == uscc, counts.dated_in_year(Customs.declared_on, window)),
        [Customs.declared_on],
        [Customs.declaration_no, Customs.declared_on, Customs.direction, Customs.hs_code, Customs.product_name,
         Customs.quantity_t, Customs.reo_t, Customs.country, Customs.license_no, Customs.inspection_no])
    out["environment"] = _rows(
        engine, principal, EnvironmentRecord,
        and_(EnvironmentRecord.uscc == uscc, counts.dated(EnvironmentRecord.recorded_on, as_of)),
        [EnvironmentRecord.recorded_on],
        [EnvironmentRecord.record_id, EnvironmentRecord.recorded_on, EnvironmentRecord.kind,
         EnvironmentRecord.description, EnvironmentRecord.resolved_on])
    out["self_checks"] = _rows(
        engine, principal, SelfCheck,
        and_(SelfCheck.uscc == uscc, counts.yearly_dated(SelfCheck.submitted_on, SelfCheck.year, as_of)),
        [SelfCheck.year],
        [SelfCheck.year, SelfCheck.submitted_on, SelfCheck.problems_found, SelfCheck.problems_rectified,
         SelfCheck.description])
    out["tipoffs"] = _rows(
        engine, principal, Tipoff, and_(Tipoff.subject_uscc == uscc, counts.dated(Tipoff.received_on, as_of)),
        [Tipoff.received_on],
        [Tipoff.tipoff_id, Tipoff.received_on, Tipoff.channel, Tipoff.summary, Tipoff.department, Tipoff.status,
         Tipoff.resolved_on, Tipoff.feedback_on])
    out["penalties"] = _rows(
        engine, principal, Penalty, and_(Penalty.uscc == uscc, counts.dated(Penalty.decided_on, as_of)),
        [Penalty.decided_on],
        [Penalty.case_no, Penalty.decided_on, Penalty.department, Penalty.violation, Penalty.measure,
         Penalty.fine_yuan, Penalty.blacklisted_until])
    out["environment"]["resolved_on"] = [closed_by(present(r), as_of) for r in out["environment"]["resolved_on"]]
    _tipoffs_on(out["tipoffs"], as_of)
    return out


def counterparty_names(engine: Engine, principal: Principal, codes: tuple[str, ...]) -> dict[str, str]:
    """Names of the directory enterprises among `codes` that the principal may see."""
    if not codes:
        return {}
    stmt = scoped(select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(codes)), Enterprise, principal)
    with engine.connect() as conn:
        return {u: n for u, n in conn.execute(stmt)}


# ---- tip-offs, penalties, blacklist ---------------------------------------------------------

def penalties(engine: Engine, principal: Principal, year: int | None, as_of: dt.date, township: str | None = None,
              category: str | None = None) -> pd.DataFrame:
    """Penalty decisions (of the year, or all when `year` is None) up to `as_of`, newest first."""
    stmt = (
        select(Penalty.case_no, Penalty.decided_on, Penalty.uscc, Enterprise.name, Enterprise.township,
               Enterprise.category, Penalty.department, Penalty.violation, Penalty.measure, Penalty.fine_yuan,
               Penalty.blacklisted_until)
        .join(Enterprise, Enterprise.uscc == Penalty.uscc)
        .where(counts.dated(Penalty.decided_on, as_of))
        .order_by(Penalty.decided_on.desc(), Penalty.case_no)
    )
    if year is not None:
        first, last = _year_bounds(year)
        stmt = stmt.where(Penalty.decided_on.between(first, last))
    if category:
        stmt = stmt.where(Enterprise.category == category)
    return _frame(engine, scoped(stmt, Penalty, principal, township))


def blacklist(engine: Engine, principal: Principal, as_of: dt.date, township: str | None = None,
              category: str | None = None) -> pd.DataFrame:
    """Enterprises on the blacklist on `as_of`: decided on or before it, listed until on or after it."""
    stmt = (
        select(Penalty.uscc, Enterprise.name, Enterprise.township, Enterprise.category,
               func.max(Penalty.blacklisted_until).label("blacklisted_until"),
               func.min(Penalty.decided_on).label("since"))
        .join(Enterprise, Enterprise.uscc == Penalty.uscc)
        .where(counts.blacklisted(Penalty.decided_on, Penalty.blacklisted_until, as_of))
        .group_by(Penalty.uscc, Enterprise.name, Enterprise.township, Enterprise.category)
        .order_by(Enterprise.township, Enterprise.name)
    )
    if category:
        stmt = stmt.where(Enterprise.category == category)
    return _frame(engine, scoped(stmt, Penalty, principal, township))




def holds_demo_data(engine: Engine) -> bool:
    """Whether any accepted package came from the demo generator (its enterprises are fictional)."""
    with engine.connect() as conn:
        found = conn.execute(select(ImportBatch.id).where(ImportBatch.actor == DEMO_ACTOR).limit(1)).first()
    return found is not None


def data_changed_at(engine: Engine) -> dt.datetime | None:
    """When the data last changed (the data-version counter's time stamp)."""
    from supervision.storage.models import DataVersion

    with engine.connect() as conn:
        return conn.execute(select(DataVersion.changed_at).where(DataVersion.id == 1)).scalar_one_or_none()
