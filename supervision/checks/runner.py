"""Running the checks: one connection, the rules in catalogue order, and the findings as a frame for pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from supervision.checks import campaign, customs, environment, production, trade
from supervision.checks.base import CheckContext
from supervision.core.config import Settings
from supervision.core.findings import RULES, RULES_BY_ID, Finding
from supervision.core.principal import SYSTEM, Principal

RULE_CHECKS: dict[str, Callable[[CheckContext], list[Finding]]] = {
    "R01": production.r01,
    "R02": production.r02,
    "W01": production.w01,
    "R03": production.r03,
    "R04": production.r04,
    "R05": trade.r05,
    "R06": production.r06,
    "R07": production.r07,
    "R08": trade.r08,
    "R09": customs.r09,
    "R10": customs.r10,
    "R11": customs.r11,
    "R12": trade.r12,
    "R13": environment.r13,
    "R14": environment.r14,
    "R15": environment.r15,
    "R16": campaign.r16,
    "R17": campaign.r17,
    "R18": campaign.r18,
    "R19": campaign.r19,
}
_RULE_ORDER = {rule.id: i for i, rule in enumerate(RULES)}

FINDING_COLUMNS: tuple[str, ...] = (
    "rule", "rule_name", "severity", "subject_kind", "subject", "year", "uscc", "enterprise_name", "township",
    "category", "message", "clause", "figures", "rows", "evidence_rows",
)
"""Columns of findings_frame, one row per finding:
rule (R01…R19, W01), rule_name (无计划生产…), severity (违规/预警), subject_kind (uscc, license_no,
declaration_no, township or tipoff_id), subject (its value), year, uscc / enterprise_name / township /
category (the enterprise concerned; township alone for R17; empty when unknown), message (one line of
Chinese with the figures), clause (the source clause), figures (dict of the totals compared, exact
Decimals and dates), rows (tuple of EvidenceRow: table, key as the audit log writes it, label),
evidence_rows (how many source rows are listed in `rows`)."""


def run_checks(engine: Engine, settings: Settings, year: int, as_of: dt.date, principal: Principal = SYSTEM, *,
               township: str | None = None, rules: Collection[str] | None = None,
               with_evidence: bool = True) -> list[Finding]:
    """All findings for year Y as of D that the principal may see: rule order of RULES, then subject.

    With with_evidence=False the findings carry no source rows (and counts taken from them, such as
    the months listed, read 0): enough to count findings, at a fraction of the cost.
    """
    unknown = set(rules or ()) - set(RULE_CHECKS)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)}")
    found: list[Finding] = []
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot for every rule, so an import committing mid-run cannot split the picture.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            ctx = CheckContext(conn, settings, year, as_of, principal, township, with_evidence=with_evidence)
            for rule in RULES:
                if rules is None or rule.id in rules:
                    found.extend(RULE_CHECKS[rule.id](ctx))
    return sorted(found, key=lambda f: (_RULE_ORDER[f.rule], f.subject))


def _record(f: Finding) -> dict[str, Any]:
    rule = RULES_BY_ID[f.rule]
    return {
        "rule": f.rule, "rule_name": rule.name, "severity": f.severity, "subject_kind": rule.subject,
        "subject": f.subject, "year": f.year, "uscc": f.uscc, "enterprise_name": f.enterprise_name,
        "township": f.township, "category": f.category, "message": f.message, "clause": rule.clause,
        "figures": f.figures, "rows": f.rows, "evidence_rows": len(f.rows),
    }


def select_findings(findings: list[Finding], category: str | None = None, severity: str | None = None,
                    ) -> list[Finding]:
    """Findings of one enterprise category and/or severity; with a category, findings about no enterprise
    of that category (R17 townships, tip-offs about outsiders) are left out."""
    return [f for f in findings
            if (category is None or f.category == category) and (severity is None or f.severity == severity)]


def findings_frame(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
                   township: str | None = None, category: str | None = None,
                   rules: Collection[str] | None = None, severity: str | None = None) -> pd.DataFrame:
    """The findings a page shows, filtered; columns FINDING_COLUMNS, in run_checks order."""
    found = run_checks(engine, settings, year, as_of, principal, township=township,
                       rules=set(rules) if rules else None)
    records = [_record(f) for f in select_findings(found, category, severity)]
    return pd.DataFrame(records, columns=list(FINDING_COLUMNS))
