"""Index audit_logs by entity, for "what happened to this attempt / quiz / user?".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 01:10:00+00:00
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_logs_entity', 'audit_logs', ['entity_type', 'entity_id'])


def downgrade() -> None:
    op.drop_index('ix_audit_logs_entity', table_name='audit_logs')
