"""The risk ranking: where to inspect first, from an enterprise's findings of the year (weights in config.toml)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from supervision.checks.runner import run_checks, select_findings
from supervision.core.config import Settings
from supervision.core.findings import RULES, RULES_BY_ID, VIOLATION, Finding
from supervision.core.principal import Principal

RANKING_COLUMNS: tuple[str, ...] = (
    "rank", "uscc", "name", "township", "category", "score", "violations", "warnings", "rules", "reasons",
)
"""Columns of risk_ranking: rank (1 = inspect first), uscc, name, township, category, score (points, see
[risk] in config.toml), violations / warnings (numbers of 违规 / 预警 findings), rules ("R02、R05"),
reasons (one line of Chinese: each rule with its count, points and whether it repeats last year's)."""

_ORDER = {rule.id: i for i, rule in enumerate(RULES)}


@dataclass(frozen=True)
class Reason:
    rule: str
    count: int
    repeated: bool
    points: Decimal

    def text(self) -> str:
        rule = RULES_BY_ID[self.rule]
        times = f"×{self.count}" if self.count > 1 else ""
        again = "，上年亦有" if self.repeated else ""
        return f"{rule.id} {rule.name}{times}（{rule.severity}{again}）{_points(self.points)}分"


def _points(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text or "0"


def score_enterprise(settings: Settings, findings: list[Finding], previous_rules: set[str]) -> list[Reason]:
    """The reasons (one per rule) behind one enterprise's score; the score is the sum of their points."""
    weights = settings.risk
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    reasons = []
    for rule, items in by_rule.items():
        base = weights.base(rule, items[0].severity)
        points = base * (1 + weights.repeat_in_year * (len(items) - 1))
        repeated = rule in previous_rules
        if repeated:
            points *= weights.repeat_previous_year
        if points > 0:
            reasons.append(Reason(rule, len(items), repeated, points))
    return sorted(reasons, key=lambda r: (-r.points, _ORDER[r.rule]))


def risk_ranking(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
                 township: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Enterprises with findings in Y, highest score first; columns RANKING_COLUMNS.

    Only findings tied to an enterprise count (R17 is about a township). A rule "repeats" when it
    also fired for the enterprise in Y−1, checked with the same as-of date D (what is known on D).
    Enterprises without findings are not listed: the ranking answers where to go first.
    """
    current = [f for f in select_findings(run_checks(engine, settings, year, as_of, principal, township=township),
                                          category) if f.uscc]
    fired = {f.rule for f in current}
    previous: dict[str, set[str]] = defaultdict(set)
    if fired:
        for f in run_checks(engine, settings, year - 1, as_of, principal, township=township, rules=fired):
            if f.uscc:
                previous[f.uscc].add(f.rule)
    by_enterprise: dict[str, list[Finding]] = defaultdict(list)
    for f in current:
        by_enterprise[f.uscc or ""].append(f)
    records: list[dict[str, Any]] = []  # a DataFrame's rows: each column its own type
    for uscc, items in by_enterprise.items():
        reasons = score_enterprise(settings, items, previous.get(uscc, set()))
        score = sum((r.points for r in reasons), Decimal(0))
        if not reasons:
            continue  # every rule it broke is weighted 0 in [risk.rules]
        first = items[0]
        records.append({
            "uscc": uscc,
            "name": next((f.enterprise_name for f in items if f.enterprise_name), None),
            "township": next((f.township for f in items if f.township), None),
            "category": first.category,
            "score": score,
            "violations": sum(1 for f in items if f.severity == VIOLATION),
            "warnings": sum(1 for f in items if f.severity != VIOLATION),
            "rules": "、".join(sorted({f.rule for f in items}, key=_ORDER.__getitem__)),
            "reasons": "；".join(r.text() for r in reasons),
        })
    records.sort(key=lambda r: (-r["score"], -r["violations"], r["uscc"]))
    for i, record in enumerate(records, start=1):
        record["rank"] = i
        record["score"] = float(record["score"])
    return pd.DataFrame(records, columns=list(RANKING_COLUMNS))
