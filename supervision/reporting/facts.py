"""The figures a meeting pack or a report states, read once through the principal-scoped queries.

`gather()` is the only place here that touches the database; the pack and report builders
take the `Facts` it returns (plain DataFrames and numbers). The scope is the principal's:
a township officer's facts hold their township only, whatever township was asked for; a
leader may narrow them to one township. Counting and summing is done by the queries (in the
database); what is left here is picking rows and ratios of exact Decimals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from supervision import checks
from supervision.access.permissions import PermissionDenied
from supervision.access.scope import scoped
from supervision.core import campaign
from supervision.core.asof import AsOf
from supervision.core.campaign import LATE, MISSING, ON_TIME
from supervision.core.config import Settings
from supervision.core.frames import findings_per_rule, findings_per_township, present, ratio, utilisation_totals
from supervision.core.principal import Principal
from supervision.core.spec import CATEGORIES, TABLES_BY_KEY
from supervision.lifecycle import queries as lifecycle_queries
from supervision.read import flows, queries
from supervision.storage import asof, reference
from supervision.storage.models import EnvironmentRecord

# The tables the checks read; a statement about findings names them as its sources.
FINDING_SOURCES = ("quotas", "monthly_reports", "invoices", "traceability", "resource_tax", "licenses", "customs",
                   "environment", "self_checks", "township_reports", "tipoffs")
PROGRESS_SOURCES = ("self_checks", "township_reports", "inspection_scores", "monthly_reports", "tipoffs")
SCORE_SOURCES = ("scoring_items", "inspection_scores")
QUOTA_SOURCES = ("quotas", "monthly_reports")
FLOW_SOURCES = ("monthly_reports", "resource_tax", "invoices", "customs")


def source_name(table: str) -> str:
    """A table's name with the department that supplies it, e.g. "稀土专用发票（税务局）"."""
    spec = TABLES_BY_KEY[table]
    department = spec.description.split("：", 1)[0] if "：" in spec.description else ""
    return f"{spec.name}（{department}）" if department else spec.name


def sources_text(tables: tuple[str, ...]) -> str:
    return "、".join(source_name(t) for t in dict.fromkeys(tables))


@dataclass(frozen=True)
class Environment:
    """Environmental problems recorded in the year and how many were put right by the as-of date."""

    recorded: int
    resolved: int

    @property
    def open(self) -> int:
        return self.recorded - self.resolved


@dataclass
class Facts:
    """Everything a pack or report says, for one year, as-of date and scope (a township or the whole city)."""

    jurisdiction: str
    year: int
    as_of: dt.date
    township: str | None  # the township the facts are limited to; None: the principal's whole view
    principal: Principal
    demo: bool
    campaign_year: bool
    position: campaign.Position
    steps: list[campaign.Step]
    towns: list[str]  # the townships in scope, in the jurisdiction's order
    counts: pd.DataFrame  # township, category, n
    status_counts: pd.DataFrame  # status, n
    quota: pd.DataFrame  # quota_by_enterprise
    quota_used: Decimal
    quota_total: Decimal
    quota_warning: Decimal
    national: reference.NationalQuota | None
    self_checks: pd.DataFrame
    township_reports: pd.DataFrame
    monthly_gaps: pd.DataFrame
    tipoffs: pd.DataFrame
    lights: pd.DataFrame
    findings: pd.DataFrame
    ranking: pd.DataFrame
    score_totals: pd.DataFrame  # this year's totals per township
    scores: pd.DataFrame  # every scored item (deductions carry notes)
    penalties: pd.DataFrame
    blacklist: pd.DataFrame
    measures: pd.DataFrame  # township_measures + open findings per township
    points: pd.DataFrame  # the enterprises as map points
    environment: Environment
    freshness: pd.DataFrame
    as_of_by_tables: dict[tuple[str, ...], str | None] = field(default_factory=dict)
    # 附件3's figures from the finding lifecycle per township (supervision.lifecycle.queries.annex3).
    lifecycle: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["township", "found", "rectified",
                                                                                   "cases"]))
    # "发现N条，已销号M条，整改中K条，逾期J条" from the ledger (empty when the ledger holds none of the year).
    lifecycle_line: str = ""
    flow: flows.Flow | None = None  # the material balance (物料流向) as of D, grouped by township

    # ---- the scope in words -------------------------------------------------------------

    @property
    def scope(self) -> str:
        """"太仓市" or the township's name: who the statements are about."""
        return self.township or self.jurisdiction

    @property
    def scope_kind(self) -> str:
        return "本镇（区）" if self.township else "全市"

    @property
    def months(self) -> str:
        """The months the monthly figures cover on the as-of date ("1–7月"; spec 4.1)."""
        return AsOf(self.year, self.as_of).month_range()

    def data_as_of(self, tables: tuple[str, ...]) -> str | None:
        return self.as_of_by_tables.get(tuple(dict.fromkeys(tables)))

    # ---- counts ---------------------------------------------------------------------------

    @property
    def enterprises(self) -> int:
        return int(self.counts["n"].sum()) if not self.counts.empty else 0

    def by_category(self) -> dict[str, int]:
        if self.counts.empty:
            return {c: 0 for c in CATEGORIES}
        sums = self.counts.groupby("category")["n"].sum()
        return {c: int(sums.get(c, 0)) for c in CATEGORIES}

    def by_status(self) -> dict[str, int]:
        return {str(s): int(n) for s, n in zip(self.status_counts["status"], self.status_counts["n"], strict=True)}

    @property
    def utilisation(self) -> float | None:
        return ratio(self.quota_used, self.quota_total)

    def quota_holders(self) -> pd.DataFrame:
        return self.quota[[present(q) is not None for q in self.quota["quota_t"]]]

    def over_plan(self) -> pd.DataFrame:
        held = self.quota_holders()
        return held[[u is not None and u > 1 for u in held["utilisation"]]]

    def near_limit(self) -> pd.DataFrame:
        held = self.quota_holders()
        w = float(self.quota_warning)
        return held[[u is not None and w <= u <= 1 for u in held["utilisation"]]]

    @property
    def violations(self) -> int:
        return int((self.findings["severity"] == "违规").sum()) if not self.findings.empty else 0

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.violations

    def findings_by_rule(self) -> pd.DataFrame:
        return findings_per_rule(self.findings)

    @property
    def red_lights(self) -> int:
        return int((self.lights["status"] == MISSING).sum()) if not self.lights.empty else 0

    def self_check_counts(self) -> dict[str, int]:
        counts = self.self_checks["status"].value_counts()
        return {str(s): int(n) for s, n in counts.items()}

    def self_checks_submitted(self) -> int:
        return int(sum(1 for s in self.self_checks["status"] if s in (ON_TIME, LATE)))

    def overdue_tipoffs(self) -> pd.DataFrame:
        return self.tipoffs[self.tipoffs["overdue"].astype(bool)] if not self.tipoffs.empty else self.tipoffs

    def missing_monthly(self) -> pd.DataFrame:
        return self.monthly_gaps[self.monthly_gaps["missing"] > 0] if not self.monthly_gaps.empty \
            else self.monthly_gaps

    def overdue_items(self) -> pd.DataFrame:
        """Everything past its deadline on the as-of date: one row each (kind, subject, township, due, state)."""
        rows: list[dict[str, Any]] = []
        for r in self.self_checks.itertuples():
            if r.status == MISSING:
                rows.append({"kind": "企业自查表（附件1）", "subject": r.name, "township": r.township,
                             "due": r.deadline, "state": "逾期未交"})
        for r in self.township_reports.itertuples():
            if r.status == MISSING:
                rows.append({"kind": "镇区汇总表（附件3）", "subject": r.township, "township": r.township,
                             "due": r.deadline, "state": "逾期未交"})
        for r in self.missing_monthly().itertuples():
            rows.append({"kind": "企业月报", "subject": r.name, "township": r.township, "due": None,
                         "state": f"应报{int(r.due)}份，缺报{int(r.missing)}份"})
        for r in self.overdue_tipoffs().itertuples():
            subject = present(r.subject_name) or "（未列明对象）"
            fed = present(r.feedback_on)
            state = f"{fed}才反馈" if fed is not None and fed <= self.as_of else "未反馈举报人"
            rows.append({"kind": "举报线索反馈", "subject": f"{r.tipoff_id} {subject}", "township": present(r.township),
                         "due": r.feedback_due, "state": state})
        return pd.DataFrame(rows, columns=["kind", "subject", "township", "due", "state"])


def gather(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
           township: str | None = None) -> Facts:
    """Read every figure of a pack or report for `year` on `as_of`, in the principal's scope.

    A township officer may only ask for their own township (PermissionDenied otherwise); with
    no township they get theirs. Others may ask for any township, or none for the whole city.
    """
    own = principal.township_scope
    if own is not None and township not in (None, own):
        raise PermissionDenied(f"{own}的账号只能导出本镇区的材料")
    town = own or township
    known = queries.townships(engine, principal)["name"].tolist()
    if town is not None and town not in known:
        raise PermissionDenied(f"没有名为“{town}”的镇区，或本账号无权查看")
    towns = [town] if town else known
    quota = queries.quota_by_enterprise(engine, principal, year, town, as_of=as_of)
    used, total = utilisation_totals(quota)
    found = checks.findings_frame(engine, settings, principal, year, as_of, town)
    measures = queries.township_measures(engine, principal, settings, year, as_of)
    measures = measures.merge(findings_per_township(found, measures["township"].tolist()), on="township", how="left")
    if town:
        # A township's pack shows the others grey (no figure), never their numbers.
        keep = measures["township"] == town
        for column in measures.columns:
            if column != "township":
                measures[column] = measures[column].where(keep, None).astype(object)
    totals = queries.score_totals(engine, principal, (year,), town, as_of=as_of)
    facts = Facts(
        jurisdiction=settings.jurisdiction.name,
        year=year,
        as_of=as_of,
        township=town,
        principal=principal,
        demo=queries.holds_demo_data(engine),
        campaign_year=settings.calendar.is_campaign_year(year),
        position=campaign.position(settings, year, as_of),
        steps=campaign.steps(settings, year),
        towns=towns,
        counts=queries.enterprise_counts(engine, principal, town),
        status_counts=queries.enterprise_status_counts(engine, principal, town),
        quota=quota,
        quota_used=used,
        quota_total=total,
        quota_warning=settings.tolerances.quota_warning,
        national=reference.national_quota(year),
        self_checks=queries.self_check_status(engine, principal, settings, year, as_of, town),
        township_reports=queries.township_report_status(engine, principal, settings, year, as_of, town),
        monthly_gaps=queries.monthly_report_gaps(engine, principal, settings, year, as_of, town),
        tipoffs=queries.overdue_tipoffs(engine, principal, settings, year, as_of, town),
        lights=queries.overdue_lights(engine, principal, settings, year, as_of, town),
        findings=found,
        ranking=checks.risk_ranking(engine, settings, principal, year, as_of, town),
        score_totals=totals.sort_values("total", ascending=False).reset_index(drop=True),
        scores=queries.inspection_scores(engine, principal, year, town, as_of=as_of),
        penalties=queries.penalties(engine, principal, year, as_of, town),
        blacklist=queries.blacklist(engine, principal, as_of, town),
        measures=measures,
        points=queries.enterprises(engine, principal, town),
        environment=_environment(engine, principal, year, as_of, town),
        freshness=queries.table_freshness(engine, principal, year, town, as_of=as_of),
        lifecycle=lifecycle_queries.annex3(engine, principal, year, as_of, town),
        lifecycle_line=_lifecycle_line(engine, principal, year, as_of, town),
        flow=flows.material_flow(engine, principal, year, town, as_of=as_of),
    )
    for tables in (("enterprises",), QUOTA_SOURCES, FLOW_SOURCES, FINDING_SOURCES, PROGRESS_SOURCES, SCORE_SOURCES,
                   ("penalties",), ("tipoffs",), ("self_checks",), ("township_reports",), ("environment",),
                   FINDING_SOURCES + ("enterprises",), ("enterprises",) + FINDING_SOURCES + SCORE_SOURCES
                   + ("penalties",)):
        key = tuple(dict.fromkeys(tables))
        facts.as_of_by_tables[key] = queries.data_as_of(engine, principal, key, year, town, as_of=as_of)
    return facts


def _lifecycle_line(engine: Engine, principal: Principal, year: int, as_of: dt.date, township: str | None) -> str:
    """The meeting pack's one line on the ledger; overdue counted against D (the pack's date), states as they are."""
    if not any(lifecycle_queries.state_counts(engine, principal, year, township).values()):
        return ""
    return lifecycle_queries.summary_line(engine, principal, year, as_of, township)


def _environment(engine: Engine, principal: Principal, year: int, as_of: dt.date,
                 township: str | None) -> Environment:
    """Environmental problems found in the year up to `as_of`, and those resolved by then (counted in SQL)."""
    env = EnvironmentRecord
    stmt = select(func.count().label("n"),
                  func.count(env.resolved_on).filter(asof.closed(env.resolved_on, as_of)).label("resolved")
                  ).where(asof.dated_in_year(env.recorded_on, AsOf(year, as_of)))
    with engine.connect() as conn:
        row = conn.execute(scoped(stmt, EnvironmentRecord, principal, township)).one()
    return Environment(int(row.n or 0), int(row.resolved or 0))
