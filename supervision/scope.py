"""Row scoping: the one place that knows which rows of each table belong to a township.

Every query of business data goes through `scoped()`, so a township officer can
never read another township's rows through any page, download or command.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from supervision.models import (
    Enterprise,
    InspectionScore,
    Invoice,
    ScoringItem,
    Tipoff,
    TownshipReport,
)
from supervision.principal import Principal


def enterprises_in(township: str) -> Select[Any]:
    return select(Enterprise.uscc).where(Enterprise.township == township)


def township_condition(model: type[Any], township: str) -> ColumnElement[bool]:
    """The condition selecting `model`'s rows that belong to `township`."""
    if model is Enterprise:
        return Enterprise.township == township
    if model in (TownshipReport, InspectionScore, Tipoff):
        return model.township == township
    if model is ScoringItem:
        return true()  # the evaluation table itself is the same for every township
    if model is Invoice:
        members = enterprises_in(township)
        return or_(Invoice.seller_uscc.in_(members), Invoice.buyer_uscc.in_(members))
    if hasattr(model, "uscc"):
        return model.uscc.in_(enterprises_in(township))
    raise ValueError(f"no township scope defined for {model.__name__}")


def scoped(stmt: Select[Any], model: type[Any], principal: Principal, township: str | None = None) -> Select[Any]:
    """Restrict a select on `model` to the principal's township, and to `township` if one is asked for."""
    own = principal.township_scope
    if own is not None and township is not None and township != own:
        return stmt.where(false())  # asking for another township's rows yields none, never its data
    chosen = own or township
    if chosen is None:
        return stmt
    return stmt.where(township_condition(model, chosen))

