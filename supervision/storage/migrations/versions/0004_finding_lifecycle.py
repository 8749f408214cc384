"""finding lifecycle: the findings ledger, its transitions and evidence files (issue 14)

Revision ID: 0004_finding_lifecycle
Revises: 0003
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_finding_lifecycle"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=4), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=4), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("enterprise_name", sa.Text(), nullable=True),
        sa.Column("township", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("triggered", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("untriggered_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("assignee_township", sa.String(length=40), nullable=True),
        sa.Column("assignee_department", sa.String(length=40), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("case_no", sa.String(length=40), nullable=True),
        sa.Column("tipoff_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("rule", "subject", "year", name="uq_findings_identity"),
    )
    op.create_index(op.f("ix_findings_assignee_township"), "findings", ["assignee_township"], unique=False)
    op.create_index(op.f("ix_findings_department"), "findings", ["department"], unique=False)
    op.create_index(op.f("ix_findings_township"), "findings", ["township"], unique=False)
    op.create_index(op.f("ix_findings_uscc"), "findings", ["uscc"], unique=False)
    op.create_index("ix_findings_year_state", "findings", ["year", "state"], unique=False)
    op.create_table(
        "finding_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=8), nullable=True),
        sa.Column("to_state", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"],
                                name=op.f("fk_finding_transitions_finding_id_findings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_transitions")),
    )
    op.create_index(op.f("ix_finding_transitions_finding_id"), "finding_transitions", ["finding_id"], unique=False)
    op.create_table(
        "finding_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("transition_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], name=op.f("fk_finding_files_finding_id_findings")),
        sa.ForeignKeyConstraint(["transition_id"], ["finding_transitions.id"],
                                name=op.f("fk_finding_files_transition_id_finding_transitions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_files")),
    )
    op.create_index(op.f("ix_finding_files_finding_id"), "finding_files", ["finding_id"], unique=False)
    # Row 2 of data_version counts lifecycle changes: a transition refreshes the findings views without
    # invalidating every cached check run keyed on row 1.
    data_version = sa.table("data_version", sa.column("id", sa.Integer), sa.column("version", sa.Integer))
    op.bulk_insert(data_version, [{"id": 2, "version": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM data_version WHERE id = 2")
    op.drop_index(op.f("ix_finding_files_finding_id"), table_name="finding_files")
    op.drop_table("finding_files")
    op.drop_index(op.f("ix_finding_transitions_finding_id"), table_name="finding_transitions")
    op.drop_table("finding_transitions")
    op.drop_index("ix_findings_year_state", table_name="findings")
    op.drop_index(op.f("ix_findings_uscc"), table_name="findings")
    op.drop_index(op.f("ix_findings_township"), table_name="findings")
    op.drop_index(op.f("ix_findings_department"), table_name="findings")
    op.drop_index(op.f("ix_findings_assignee_township"), table_name="findings")
    op.drop_table("findings")
