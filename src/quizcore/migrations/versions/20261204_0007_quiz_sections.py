"""Quiz sections drawing questions from pools, and each attempt's own paper; question
versions (the content earlier attempts saw, and which version each of them answered).

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-04 03:20:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.TIMESTAMP(fsp=6), "mysql", "mariadb")
TABLE_OPTIONS = dict(mysql_charset='utf8mb4', mysql_collate='utf8mb4_unicode_ci',
                     mysql_engine='InnoDB')


def upgrade() -> None:
    op.create_table(
        'quiz_sections',
        sa.Column('id', sa.CHAR(length=36), nullable=False),
        sa.Column('quiz_id', sa.CHAR(length=36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('draw', sa.Integer(), nullable=False),
        sa.Column('marks_each', sa.Integer(), nullable=False),
        sa.Column('pool', sa.JSON(), nullable=False),
        sa.CheckConstraint('draw > 0', name=op.f('ck_quiz_sections_draw_positive')),
        sa.CheckConstraint('marks_each > 0', name=op.f('ck_quiz_sections_marks_each_positive')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'],
                                name=op.f('fk_quiz_sections_quiz_id_quizzes'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_sections')),
        sa.UniqueConstraint('quiz_id', 'position', name='unique_quiz_section_position'),
        **TABLE_OPTIONS,
    )
    op.create_index('ix_quiz_sections_quiz_id', 'quiz_sections', ['quiz_id'], unique=False)
    op.create_table(
        'attempt_questions',
        sa.Column('id', sa.CHAR(length=36), nullable=False),
        sa.Column('attempt_id', sa.CHAR(length=36), nullable=False),
        sa.Column('question_id', sa.CHAR(length=36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.CHAR(length=36), nullable=True),
        sa.Column('marks', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'],
                                name=op.f('fk_attempt_questions_attempt_id_quiz_attempts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'],
                                name=op.f('fk_attempt_questions_question_id_questions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['section_id'], ['quiz_sections.id'],
                                name=op.f('fk_attempt_questions_section_id_quiz_sections'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_questions')),
        sa.UniqueConstraint('attempt_id', 'question_id', name='unique_attempt_paper_question'),
        sa.UniqueConstraint('attempt_id', 'position', name='unique_attempt_paper_position'),
        **TABLE_OPTIONS,
    )
    op.create_index('ix_attempt_questions_attempt_id', 'attempt_questions', ['attempt_id'],
                    unique=False)
    op.create_index('ix_attempt_questions_question_id', 'attempt_questions', ['question_id'],
                    unique=False)
    op.create_index('ix_attempt_questions_section_id', 'attempt_questions', ['section_id'],
                    unique=False)
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                   nullable=False))
    op.create_table(
        'question_versions',
        sa.Column('id', sa.CHAR(length=36), nullable=False),
        sa.Column('question_id', sa.CHAR(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'],
                                name=op.f('fk_question_versions_question_id_questions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
        sa.UniqueConstraint('question_id', 'version', name='unique_question_version'),
        **TABLE_OPTIONS,
    )
    op.create_index('ix_question_versions_question_id', 'question_versions', ['question_id'],
                    unique=False)
    op.create_table(
        'attempt_question_versions',
        sa.Column('id', sa.CHAR(length=36), nullable=False),
        sa.Column('attempt_id', sa.CHAR(length=36), nullable=False),
        sa.Column('question_id', sa.CHAR(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['attempt_id'], ['quiz_attempts.id'],
            name=op.f('fk_attempt_question_versions_attempt_id_quiz_attempts'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['question_id'], ['questions.id'],
            name=op.f('fk_attempt_question_versions_question_id_questions'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_question_versions')),
        sa.UniqueConstraint('attempt_id', 'question_id',
                            name='unique_attempt_question_version'),
        **TABLE_OPTIONS,
    )
    op.create_index('ix_attempt_question_versions_attempt_id', 'attempt_question_versions',
                    ['attempt_id'], unique=False)
    op.create_index('ix_attempt_question_versions_question_id', 'attempt_question_versions',
                    ['question_id'], unique=False)


def downgrade() -> None:
    op.drop_table('attempt_question_versions')
    op.drop_table('question_versions')
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('version')
    op.drop_table('attempt_questions')
    op.drop_table('quiz_sections')
