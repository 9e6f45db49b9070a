"""Exam control: per-quiz overrides, the students' standing time accommodation, the
force_submitted attempt status and the reason a teacher gave for it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 15:40:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

TIMESTAMP = sa.DateTime().with_variant(mysql.TIMESTAMP(fsp=6), "mysql", "mariadb")

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATUSES_BEFORE = ('in_progress', 'submitted', 'graded', 'auto_submitted')
STATUSES_AFTER = (*STATUSES_BEFORE, 'force_submitted')


def upgrade() -> None:
    op.create_table('quiz_overrides',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('quiz_id', sa.CHAR(length=36), nullable=False),
    sa.Column('student_id', sa.CHAR(length=36), nullable=True),
    sa.Column('class_id', sa.CHAR(length=36), nullable=True),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('time_multiplier', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('extra_attempts', sa.Integer(), nullable=True),
    sa.Column('start_date', TIMESTAMP, nullable=True),
    sa.Column('end_date', TIMESTAMP, nullable=True),
    sa.Column('created_by', sa.CHAR(length=36), nullable=True),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('(student_id IS NULL) <> (class_id IS NULL)', name=op.f('ck_quiz_overrides_override_one_target')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_overrides_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_quiz_overrides_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_quiz_overrides_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_quiz_overrides_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_overrides')),
    sa.UniqueConstraint('quiz_id', 'student_id', name='unique_quiz_override_student'),
    sa.UniqueConstraint('quiz_id', 'class_id', name='unique_quiz_override_class'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_quiz_overrides_quiz_id', 'quiz_overrides', ['quiz_id'], unique=False)
    op.create_index('ix_quiz_overrides_student_id', 'quiz_overrides', ['student_id'], unique=False)
    op.create_index('ix_quiz_overrides_class_id', 'quiz_overrides', ['class_id'], unique=False)
    op.add_column('students', sa.Column('time_multiplier', sa.Numeric(precision=4, scale=2),
                                        server_default='1.00', nullable=False))
    op.add_column('quiz_attempts', sa.Column('force_submit_reason', sa.Text(), nullable=True))
    _status_enum(STATUSES_BEFORE, STATUSES_AFTER)


def _status_enum(before, after) -> None:
    # An ENUM on MariaDB, a VARCHAR as long as the longest value on SQLite.
    with op.batch_alter_table('quiz_attempts') as batch:
        batch.alter_column('status',
                           existing_type=sa.Enum(*before, name='attempt_status'),
                           type_=sa.Enum(*after, name='attempt_status'),
                           existing_nullable=False, existing_server_default='in_progress')


def downgrade() -> None:
    op.execute("UPDATE quiz_attempts SET status = 'auto_submitted' "
               "WHERE status = 'force_submitted'")
    _status_enum(STATUSES_AFTER, STATUSES_BEFORE)
    with op.batch_alter_table('quiz_attempts') as batch:
        batch.drop_column('force_submit_reason')
    with op.batch_alter_table('students') as batch:
        batch.drop_column('time_multiplier')
    op.drop_index('ix_quiz_overrides_class_id', table_name='quiz_overrides')
    op.drop_index('ix_quiz_overrides_student_id', table_name='quiz_overrides')
    op.drop_index('ix_quiz_overrides_quiz_id', table_name='quiz_overrides')
    op.drop_table('quiz_overrides')
