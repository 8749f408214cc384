"""Row scoping: the one place that knows which rows of each table belong to a township.

Every query of business data goes through `scoped()`, so a township officer can
never read another township's rows through any page, download or command.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from supervision.core.principal import Principal, Role, is_system
from supervision.storage.models import (
    Enterprise,
    FindingRecord,
    InspectionScore,
    Invoice,
    ScoringItem,
    Tipoff,
    TownshipReport,
)

_Row = TypeVarTuple("_Row")


def enterprises_in(township: str) -> Select[str]:
    return select(Enterprise.uscc).where(Enterprise.township == township)


def township_condition(model: type[Any], township: str) -> ColumnElement[bool]:
    """The condition selecting `model`'s rows that belong to `township`."""
    if model is Enterprise:
        return Enterprise.township == township
    if model in (TownshipReport, InspectionScore, Tipoff):
        return model.township == township
    if model is FindingRecord:
        # A finding about the township's enterprise, or one assigned to the township to rectify.
        return or_(FindingRecord.township == township, FindingRecord.assignee_township == township)
    if model is ScoringItem:
        return true()  # the evaluation table itself is the same for every township
    if model is Invoice:
        members = enterprises_in(township)
        return or_(Invoice.seller_uscc.in_(members), Invoice.buyer_uscc.in_(members))
    if hasattr(model, "uscc"):
        return model.uscc.in_(enterprises_in(township))
    raise ValueError(f"no township scope defined for {model.__name__}")


def reads_business_data(principal: Principal) -> bool:
    """Administrators manage accounts and settings, not enterprises' data; the command line reads all."""
    return principal.role is not Role.ADMIN or is_system(principal)


def reader(principal: Principal) -> tuple[str, str | None]:
    """Which rows a principal may read, as a key: principals with the same key see exactly the same rows.

    Every business read goes through scoped(), which looks at nothing but reads_business_data() and the
    township scope, so a read's result can be cached per reader instead of per account: every leader, bureau
    officer and wall screen shares the city-wide entries, and a township's officers share theirs. (The
    lifecycle's to-do list also depends on the role and department: it is not a business read keyed so.)
    """
    if not reads_business_data(principal):
        return ("none", None)
    township = principal.township_scope
    return ("township", township) if township is not None else ("all", None)


def scoped(stmt: Select[*_Row], model: type[Any], principal: Principal,
           township: str | None = None) -> Select[*_Row]:
    """Restrict a select on `model` to the principal's township, and to `township` if one is asked for."""
    if not reads_business_data(principal):
        return stmt.where(false())
    own = principal.township_scope
    if own is not None and township is not None and township != own:
        return stmt.where(false())  # asking for another township's rows yields none, never its data
    chosen = own or township
    if chosen is None:
        return stmt
    return stmt.where(township_condition(model, chosen))



def record_townships(table: str, record: Mapping[str, Any], enterprise_township: Mapping[str, str]) -> frozenset[str]:
    """The townships a row of `table` (spec keys, as the importer and forms hold it) belongs to.

    The same rules as township_condition(), for a row that is about to be written:
    empty means a city-level row (the scoring table) or one whose township is unknown,
    which a township officer may therefore not write.
    """
    if table in ("enterprises", "township_reports", "inspection_scores", "tipoffs"):
        town = record.get("township")
        return frozenset([town]) if town else frozenset()
    if table == "scoring_items":
        return frozenset()
    if table == "invoices":
        parties = (record.get("seller_uscc"), record.get("buyer_uscc"))
        return frozenset(enterprise_township[u] for u in parties if u is not None and u in enterprise_township)
    uscc = record.get("uscc")
    if uscc is None:
        raise ValueError(f"no township rule for table {table}")
    town = enterprise_township.get(uscc)
    return frozenset([town]) if town else frozenset()
