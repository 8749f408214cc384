"""audit log append-only on PostgreSQL: UPDATE, DELETE and TRUNCATE of audit_log refused by triggers (issue 20)

Revision ID: 0005_audit_append_only
Revises: 0004_finding_lifecycle
Create Date: 2026-12-04 22:30:00

The application only ever inserts into audit_log. The triggers make that a rule of the database for every role
that connects, the application's own included (it usually owns the table, so revoking privileges would not
hold: an owner can grant them back; a trigger it cannot bypass without DDL). Deliberate maintenance (a test
fixture, a retention job run by the operator) sets `SET LOCAL supervision.audit_maintenance = 'on'` in its
transaction. SQLite has no such guard: it is a file on the server, whose operator can change anything anyway.
"""

from __future__ import annotations

from alembic import op

revision = "0005_audit_append_only"
down_revision = "0004_finding_lifecycle"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('supervision.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER audit_log_append_only_rows BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    op.execute("CREATE TRIGGER audit_log_append_only_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only_rows ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
