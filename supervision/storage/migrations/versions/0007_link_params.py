"""link_tokens.params: each wall link keeps its screen's parameters, set from 大屏设置 (issue 15)

Revision ID: 0007_link_params
Revises: 0006_web_sessions
Create Date: 2026-12-05 06:10:00

Nullable: an existing link keeps showing the defaults (or what its URL says) until the admin sets it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_link_params"
down_revision = "0006_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_tokens", schema=None) as batch_op:
        batch_op.drop_column("params")
