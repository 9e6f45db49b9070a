"""Richer question types: multiple_answer, numerical, matching, ordering; quiz-level
negative marking.

Per-type details live in one JSON column (``questions.details``) and the structured answers
of those types in ``student_answers.answer_data``, so a further type needs no new columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:50:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_TYPES = ('mcq', 'descriptive', 'true_false', 'short_answer')
NEW_TYPES = OLD_TYPES + ('multiple_answer', 'numerical', 'matching', 'ordering')


def upgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.alter_column('type', existing_type=sa.Enum(*OLD_TYPES, name='question_type'),
                           type_=sa.Enum(*NEW_TYPES, name='question_type'),
                           existing_nullable=False)
        batch.add_column(sa.Column('details', sa.JSON(), nullable=True))
    with op.batch_alter_table('student_answers') as batch:
        batch.add_column(sa.Column('answer_data', sa.JSON(), nullable=True))
    with op.batch_alter_table('quizzes') as batch:
        batch.add_column(sa.Column('negative_marking', sa.Numeric(3, 2), nullable=False,
                                   server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('quizzes') as batch:
        batch.drop_column('negative_marking')
    op.execute("DELETE FROM questions WHERE type IN "
               "('multiple_answer', 'numerical', 'matching', 'ordering')")
    with op.batch_alter_table('student_answers') as batch:
        batch.drop_column('answer_data')
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('details')
        batch.alter_column('type', existing_type=sa.Enum(*NEW_TYPES, name='question_type'),
                           type_=sa.Enum(*OLD_TYPES, name='question_type'),
                           existing_nullable=False)
