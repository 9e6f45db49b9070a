"""Overdue handling and review timing of quizzes, the not_counted attempt status.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 03:40:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATUSES_BEFORE = ('in_progress', 'submitted', 'graded', 'auto_submitted', 'force_submitted')
STATUSES_AFTER = (*STATUSES_BEFORE, 'not_counted')


def upgrade() -> None:
    with op.batch_alter_table('quizzes') as batch:
        batch.add_column(sa.Column('overdue_handling', sa.String(length=16),
                                   server_default='autosubmit', nullable=False))
        batch.add_column(sa.Column('grace_period_minutes', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('review_settings', sa.JSON(), nullable=True))
        batch.create_check_constraint(
            op.f('ck_quizzes_grace_period_positive'),
            'grace_period_minutes IS NULL OR grace_period_minutes > 0')
    _status_enum(STATUSES_BEFORE, STATUSES_AFTER)


def _status_enum(before, after) -> None:
    with op.batch_alter_table('quiz_attempts') as batch:
        batch.alter_column('status',
                           existing_type=sa.Enum(*before, name='attempt_status'),
                           type_=sa.Enum(*after, name='attempt_status'),
                           existing_nullable=False, existing_server_default='in_progress')


def downgrade() -> None:
    op.execute("UPDATE quiz_attempts SET status = 'auto_submitted' "
               "WHERE status = 'not_counted'")
    _status_enum(STATUSES_AFTER, STATUSES_BEFORE)
    with op.batch_alter_table('quizzes') as batch:
        batch.drop_constraint(op.f('ck_quizzes_grace_period_positive'), type_='check')
        batch.drop_column('review_settings')
        batch.drop_column('grace_period_minutes')
        batch.drop_column('overdue_handling')
