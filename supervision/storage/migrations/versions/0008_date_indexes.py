"""indexes on the date and year columns that a year's page reads by range (issue 21)

Revision ID: 0008_date_indexes
Revises: 0007_link_params
Create Date: 2026-12-05 07:30:00

Every page says how current each table is for the selected year (max of its date within the year) and the
filter bar lists the years that hold data. Without an index on the date or year these read the whole table,
whose size grows with every year held (tests/test_query_cost.py counts SQLite's steps on 2 and 10 years).
"""

from __future__ import annotations

from alembic import op

revision = "0008_date_indexes"
down_revision = "0007_link_params"
branch_labels = None
depends_on = None

INDEXES = (
    ("resource_tax", "ix_resource_tax_issued_on", ["issued_on"]),
    ("licenses", "ix_licenses_valid_from", ["valid_from"]),
    ("environment", "ix_environment_recorded_on", ["recorded_on"]),
    ("self_checks", "ix_self_checks_year", ["year"]),
    ("township_reports", "ix_township_reports_year", ["year"]),
    ("inspection_scores", "ix_inspection_scores_year", ["year"]),
    ("quotas", "ix_quotas_year", ["year"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
