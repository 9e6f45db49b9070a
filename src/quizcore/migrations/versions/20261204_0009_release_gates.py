"""Released start and access gates of quizzes, and the students waiting for a release.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:50:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.TIMESTAMP(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table('quizzes') as batch:
        batch.add_column(sa.Column('start_mode', sa.String(length=16),
                                   server_default='window', nullable=False))
        batch.add_column(sa.Column('released_at', TIMESTAMP, nullable=True))
        batch.add_column(sa.Column('password_hash', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('allowed_networks', sa.JSON(), nullable=True))
    op.create_table(
        'quiz_waiting',
        sa.Column('quiz_id', sa.CHAR(length=36), nullable=False),
        sa.Column('student_id', sa.CHAR(length=36), nullable=False),
        sa.Column('since', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'],
                                name=op.f('fk_quiz_waiting_quiz_id_quizzes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['student_id'], ['students.id'],
                                name=op.f('fk_quiz_waiting_student_id_students'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('quiz_id', 'student_id', name=op.f('pk_quiz_waiting')),
        mysql_engine='InnoDB', mysql_charset='utf8mb4', mysql_collate='utf8mb4_unicode_ci',
    )
    op.create_index('ix_quiz_waiting_student_id', 'quiz_waiting', ['student_id'])


def downgrade() -> None:
    op.drop_index('ix_quiz_waiting_student_id', table_name='quiz_waiting')
    op.drop_table('quiz_waiting')
    with op.batch_alter_table('quizzes') as batch:
        batch.drop_column('allowed_networks')
        batch.drop_column('password_hash')
        batch.drop_column('released_at')
        batch.drop_column('start_mode')
