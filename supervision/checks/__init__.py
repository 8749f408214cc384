"""The compliance checks of the data-exchange spec, section 4 (R01–R19, W01), and what is built on them.

One module per family of rules (production, trade, customs, environment, campaign); every rule
is a set-based query scoped by the principal. `run_checks` returns the findings, `findings_frame`
and `risk_ranking` give the pages their frames, `export` writes JSON and CSV.
"""

from __future__ import annotations

from supervision.checks.export import findings_csv, findings_json
from supervision.checks.ranking import RANKING_COLUMNS, risk_ranking
from supervision.checks.runner import FINDING_COLUMNS, RULE_CHECKS, findings_frame, run_checks

__all__ = [
    "FINDING_COLUMNS",
    "RANKING_COLUMNS",
    "RULE_CHECKS",
    "findings_csv",
    "findings_frame",
    "findings_json",
    "risk_ranking",
    "run_checks",
]
