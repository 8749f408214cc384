"""Pure helpers on the frames the queries return: exact ratios, totals, counts; no database, no Streamlit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from supervision.core.spec import TABLES_BY_KEY

ZERO = Decimal(0)


def present(value: Any) -> Any:
    """The value, or None for a missing one (None, NaN or NaT after a merge)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def ratio(part: Decimal | None, whole: Decimal | None) -> float | None:
    """part / whole as a float for display, None when there is no whole."""
    if part is None or whole is None or whole == 0:
        return None
    return float(part / whole)


def utilisation_totals(by_enterprise: pd.DataFrame) -> tuple[Decimal, Decimal]:
    """(Σ production, Σ quota) over the enterprises of a quota_by_enterprise frame that hold a quota."""
    mask = pd.Series([present(q) is not None for q in by_enterprise["quota_t"]], index=by_enterprise.index,
                     dtype=bool)
    held = by_enterprise.loc[mask]
    used = sum((v for v in held["production_t"] if present(v) is not None), ZERO)
    total = sum((v for v in held["quota_t"]), ZERO)
    return used, total


def score_change_table(totals: pd.DataFrame, year: int, previous: int) -> pd.DataFrame:
    """Per township: the share of points in `previous` and `year` and the change in percentage points."""
    rows = []
    for town in dict.fromkeys(totals["township"]):
        mine = totals[totals["township"] == town].set_index("year")["share"]
        now, before = mine.get(year), mine.get(previous)
        rows.append({
            "township": town,
            "before": f"{before * 100:.1f}%" if before is not None else "未评分",
            "this": f"{now * 100:.1f}%" if now is not None else "未评分",
            "change": f"{(now - before) * 100:+.1f}个百分点" if now is not None and before is not None else "—",
            "change_points": (now - before) * 100 if now is not None and before is not None else None,
        })
    return pd.DataFrame(rows, columns=["township", "before", "this", "change", "change_points"])


def findings_per_township(findings: pd.DataFrame, towns: list[str]) -> pd.DataFrame:
    """Open findings per township (every township listed, zero where none), split by severity."""
    rows = []
    for town in towns:
        mine = findings[findings["township"] == town]
        rows.append({"township": town, "open_findings": len(mine),
                     "violations": int((mine["severity"] == "违规").sum()),
                     "warnings": int((mine["severity"] == "预警").sum())})
    return pd.DataFrame(rows, columns=["township", "open_findings", "violations", "warnings"])


def findings_per_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings counted by rule and severity, in the catalogue's order."""
    from supervision.core.findings import RULES

    order = {r.id: i for i, r in enumerate(RULES)}
    if findings.empty:
        return pd.DataFrame(columns=["rule", "rule_name", "severity", "n"])
    out = findings.groupby(["rule", "rule_name", "severity"], as_index=False).size().rename(columns={"size": "n"})
    return out.sort_values("rule", key=lambda s: s.map(order)).reset_index(drop=True)


def evidence_table(rows: tuple[Any, ...]) -> pd.DataFrame:
    """A finding's evidence rows (supervision.core.findings.EvidenceRow) with the table's Chinese name."""
    return pd.DataFrame(
        [{"table": TABLES_BY_KEY[r.table].name if r.table in TABLES_BY_KEY else r.table, "key": r.key,
          "label": r.label} for r in rows],
        columns=["table", "key", "label"],
    )
