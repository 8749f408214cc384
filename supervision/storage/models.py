"""The shared database: one table per table of the data-exchange specification, plus audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from supervision.core.types import Degrees, Points, Tonnes, Yuan

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

USCC = String(18)
Period = String(7)  # "YYYY-MM": sorts and compares as text on every database


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    if TYPE_CHECKING:
        # Every model here maps one Table (SQLAlchemy types it as any FromClause), so insert/update/delete take it.
        __table__: ClassVar[Table]


class Versioned:
    """Row bookkeeping: a version for optimistic locking and the import that last wrote it."""

    # Incremented on every change so a form can refuse a save over someone else's.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The accepted package (import_batches.id) that inserted or last replaced the row;
    # empty for rows written by a form. Inserts are traced here, replacements in audit_log.
    import_id: Mapped[int | None] = mapped_column(Integer)


def _uscc_fk() -> Any:
    return ForeignKey("enterprises.uscc")


class Township(Base):
    __tablename__ = "townships"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    short_name: Mapped[str] = mapped_column(String(20), unique=True)
    code: Mapped[str | None] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(10))
    seat_lon: Mapped[Decimal | None] = mapped_column(Degrees)
    seat_lat: Mapped[Decimal | None] = mapped_column(Degrees)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)


class Enterprise(Versioned, Base):
    __tablename__ = "enterprises"

    uscc: Mapped[str] = mapped_column(USCC, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(10), index=True)
    township: Mapped[str] = mapped_column(ForeignKey("townships.name"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[Decimal | None] = mapped_column(Degrees)
    lat: Mapped[Decimal | None] = mapped_column(Degrees)
    coord_system: Mapped[str] = mapped_column(String(8), default="WGS84")
    group_name: Mapped[str | None] = mapped_column(Text)
    approved_capacity_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    status: Mapped[str] = mapped_column(String(4), default="在产")
    eia_approved: Mapped[bool | None] = mapped_column(Boolean)
    eia_accepted: Mapped[bool | None] = mapped_column(Boolean)
    last_clean_audit: Mapped[dt.date | None] = mapped_column(Date)


class Quota(Versioned, Base):
    __tablename__ = "quotas"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(_uscc_fk(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True, default="冶炼分离")
    quota_t: Mapped[Decimal] = mapped_column(Tonnes)

    __table_args__ = (Index("ix_quotas_uscc_year", "uscc", "year"), Index("ix_quotas_year", "year"))


class MonthlyReport(Versioned, Base):
    __tablename__ = "monthly_reports"

    uscc: Mapped[str] = mapped_column(_uscc_fk(), primary_key=True)
    period: Mapped[str] = mapped_column(Period, primary_key=True)
    purchase_ore_domestic_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    purchase_ore_imported_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    purchase_compound_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    purchase_scrap_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    production_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    sales_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    inventory_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    raw_inventory_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    toll_processing_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_monthly_reports_period", "period"),)


class Invoice(Versioned, Base):
    __tablename__ = "invoices"

    invoice_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    seller_uscc: Mapped[str] = mapped_column(USCC)
    buyer_uscc: Mapped[str] = mapped_column(USCC)
    product_category: Mapped[str] = mapped_column(String(10))
    product_name: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Tonnes)
    unit: Mapped[str | None] = mapped_column(String(4))
    reo_t: Mapped[Decimal] = mapped_column(Tonnes)
    amount_yuan: Mapped[Decimal | None] = mapped_column(Yuan)
    status: Mapped[str] = mapped_column(String(4), default="正常")

    __table_args__ = (
        # The checks sum a year of invoices per seller and per buyer: with status, category and
        # reo_t in the index those sums never touch the table (migration 0002_check_indexes).
        Index("ix_invoices_seller_issued", "seller_uscc", "issued_on", "status", "reo_t"),
        Index("ix_invoices_buyer_issued", "buyer_uscc", "issued_on", "status", "product_category", "reo_t"),
        Index("ix_invoices_issued_on", "issued_on"),
    )


class Traceability(Versioned, Base):
    __tablename__ = "traceability"

    uscc: Mapped[str] = mapped_column(_uscc_fk(), primary_key=True)
    period: Mapped[str] = mapped_column(Period, primary_key=True)
    production_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    sales_t: Mapped[Decimal | None] = mapped_column(Tonnes)

    __table_args__ = (Index("ix_traceability_period", "period"),)


class ResourceTax(Versioned, Base):
    __tablename__ = "resource_tax"

    certificate_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(_uscc_fk())
    issued_on: Mapped[dt.date] = mapped_column(Date)
    ore_t: Mapped[Decimal] = mapped_column(Tonnes)
    tax_yuan: Mapped[Decimal | None] = mapped_column(Yuan)

    __table_args__ = (Index("ix_resource_tax_uscc_issued", "uscc", "issued_on"),
                      Index("ix_resource_tax_issued_on", "issued_on"))


class License(Versioned, Base):
    __tablename__ = "licenses"

    license_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(_uscc_fk(), index=True)
    direction: Mapped[str] = mapped_column(String(2))
    hs_code: Mapped[str] = mapped_column(String(10))
    quantity_t: Mapped[Decimal] = mapped_column(Tonnes)
    valid_from: Mapped[dt.date] = mapped_column(Date, index=True)
    valid_to: Mapped[dt.date] = mapped_column(Date)


class Customs(Versioned, Base):
    __tablename__ = "customs"

    declaration_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    declared_on: Mapped[dt.date] = mapped_column(Date)
    uscc: Mapped[str] = mapped_column(_uscc_fk())
    direction: Mapped[str] = mapped_column(String(2))
    hs_code: Mapped[str] = mapped_column(String(10))
    product_name: Mapped[str | None] = mapped_column(Text)
    quantity_t: Mapped[Decimal] = mapped_column(Tonnes)
    reo_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    country: Mapped[str | None] = mapped_column(Text)
    license_no: Mapped[str | None] = mapped_column(String(40), index=True)
    inspection_no: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_customs_uscc_declared", "uscc", "declared_on"),
        Index("ix_customs_declared_on", "declared_on"),
    )


class EnvironmentRecord(Versioned, Base):
    __tablename__ = "environment"

    record_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(_uscc_fk(), index=True)
    recorded_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)


class SelfCheck(Versioned, Base):
    __tablename__ = "self_checks"

    uscc: Mapped[str] = mapped_column(_uscc_fk(), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    problems_found: Mapped[int | None] = mapped_column(Integer)
    problems_rectified: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)


class TownshipReport(Versioned, Base):
    __tablename__ = "township_reports"

    township: Mapped[str] = mapped_column(ForeignKey("townships.name"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    enterprises_total: Mapped[int | None] = mapped_column(Integer)
    enterprises_checked: Mapped[int | None] = mapped_column(Integer)
    problems_found: Mapped[int | None] = mapped_column(Integer)
    problems_rectified: Mapped[int | None] = mapped_column(Integer)
    cases_transferred: Mapped[int | None] = mapped_column(Integer)


class ScoringItem(Versioned, Base):
    __tablename__ = "scoring_items"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    section: Mapped[str] = mapped_column(Text)
    item: Mapped[str] = mapped_column(Text)
    max_score: Mapped[Decimal] = mapped_column(Points)


class InspectionScore(Versioned, Base):
    __tablename__ = "inspection_scores"

    township: Mapped[str] = mapped_column(ForeignKey("townships.name"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    item_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    score: Mapped[Decimal] = mapped_column(Points)
    inspected_on: Mapped[dt.date | None] = mapped_column(Date)
    inspector: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        ForeignKeyConstraint(
            ["year", "item_code"],
            ["scoring_items.year", "scoring_items.item_code"],
            name="fk_inspection_scores_item_scoring_items",
        ),
    )


class Tipoff(Versioned, Base):
    __tablename__ = "tipoffs"

    tipoff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    channel: Mapped[str | None] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(ForeignKey("townships.name"), index=True)
    subject_uscc: Mapped[str | None] = mapped_column(USCC, index=True)
    subject_name: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(4))
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    feedback_on: Mapped[dt.date | None] = mapped_column(Date)


class Penalty(Versioned, Base):
    __tablename__ = "penalties"

    case_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    uscc: Mapped[str] = mapped_column(_uscc_fk(), index=True)
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    department: Mapped[str | None] = mapped_column(Text)
    violation: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    fine_yuan: Mapped[Decimal | None] = mapped_column(Yuan)
    blacklisted_until: Mapped[dt.date | None] = mapped_column(Date)


class ImportBatch(Base):
    """One accepted data package: who sent it, when, and what it changed."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEntry(Base):
    """Every write: who, when, which row, and its values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(40))
    record_key: Mapped[str] = mapped_column(Text)
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)

    __table_args__ = (
        Index("ix_audit_log_table_key", "table_name", "record_key"),
        Index("ix_audit_log_action_at", "action", "at"),
    )


class User(Base):
    """A person who signs in: role, the township or department they act for, and sign-in bookkeeping."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))  # a supervision.core.principal.Role value
    township: Mapped[str | None] = mapped_column(ForeignKey("townships.name"))
    department: Mapped[str | None] = mapped_column(String(40))
    # argon2id hash (PHC string); empty for an account that signs in only through single sign-on.
    password_hash: Mapped[str | None] = mapped_column(Text)
    # The identity claim (e.g. e-mail) that single sign-on must present for this account.
    sso_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped when the password, role or status changes: every open session of the account ends.
    session_epoch: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_sign_in: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LinkToken(Base):
    """A read-only wall-screen link (overview and map only); only the token's SHA-256 is stored."""

    __tablename__ = "link_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(Text)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The screen's wall parameters as URL parameters (supervision.access.wall_links.PARAMS); None: the defaults.
    params: Mapped[dict[str, str] | None] = mapped_column(JSON)


class WebSession(Base):
    """A signed-in browser (the session cookie's server side) or a one-time sign-in hand-off; hashes only.

    kind "session": referenced by the HttpOnly cookie, checked on every run (idle and absolute expiry,
    revocation, the account's epoch). kind "handoff": the short-lived one-time token a Streamlit run passes
    to the browser, which exchanges it at /session/start for the cookie (a script cannot set an HttpOnly one).
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    session_epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FindingRecord(Base):
    """One finding's life (问题闭环): identity (rule, subject, year), state, who rectifies by when, the outcome."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(4))
    subject: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(4))
    uscc: Mapped[str | None] = mapped_column(USCC, index=True)
    enterprise_name: Mapped[str | None] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(String(40), index=True)
    message: Mapped[str] = mapped_column(Text)
    # SHA-256 of the source rows and figures behind the finding (not its as-of wording): a closed
    # finding whose evidence changes afterwards is flagged 需复核.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Whether the last sync still produced it; False shows "数据已不再触发".
    triggered: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[dt.date] = mapped_column(Date)  # the day a sync first recorded it
    untriggered_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(8))
    state_since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The department that assigns, verifies and closes ([findings.lead_departments], resolved).
    department: Mapped[str] = mapped_column(String(40), index=True)
    # Who rectifies: a township, or a department (exactly one once assigned).
    assignee_township: Mapped[str | None] = mapped_column(String(40), index=True)
    assignee_department: Mapped[str | None] = mapped_column(String(40))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    assigned_on: Mapped[dt.date | None] = mapped_column(Date)
    reported_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    measures: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # the latest return, contest or closing reason
    case_no: Mapped[str | None] = mapped_column(String(40))  # penalties.case_no: the enforcement outcome
    tipoff_id: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("rule", "subject", "year", name="uq_findings_identity"),
        Index("ix_findings_year_state", "year", "state"),
    )


class FindingTransition(Base):
    """The history of a finding: every state change with who, when, why (the audit log keeps old → new too)."""

    __tablename__ = "finding_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[dt.date] = mapped_column(Date)  # the business date (the demo writes its history in 2019)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(8))
    to_state: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)


class FindingFile(Base):
    """An evidence file of a finding, its bytes in the database (the same on SQLite and PostgreSQL)."""

    __tablename__ = "finding_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("finding_transitions.id"))
    filename: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))  # detected from the content: PDF, PNG, JPEG, DOCX, XLSX
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(Text)


class DataVersion(Base):
    """A counter bumped by every write, so caches keyed on it show new data at once."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


DATA_MODELS: dict[str, type[Base]] = {
    "enterprises": Enterprise,
    "quotas": Quota,
    "monthly_reports": MonthlyReport,
    "invoices": Invoice,
    "traceability": Traceability,
    "resource_tax": ResourceTax,
    "licenses": License,
    "customs": Customs,
    "environment": EnvironmentRecord,
    "self_checks": SelfCheck,
    "township_reports": TownshipReport,
    "scoring_items": ScoringItem,
    "inspection_scores": InspectionScore,
    "tipoffs": Tipoff,
    "penalties": Penalty,
}
"""The spec's tables by their English key, in an order that satisfies foreign keys."""
