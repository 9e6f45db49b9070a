"""Initial schema: every table of the quiz platform.

The tables, columns and keys of the original MySQL design, plus what correctness needs
(documented on the models): users.token_version, questions.accepted_answers,
quiz_attempts.deadline_at, student_answers.client_seq and its unique
(attempt_id, question_id), violations.is_counted, password_reset_tokens.failed_attempts,
refresh_tokens.family_id / replaced_at.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 21:22:58.656754+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Naive UTC timestamps; microseconds on MariaDB/MySQL (see quizcore.models.base.UTCDateTime).
TIMESTAMP = sa.DateTime().with_variant(mysql.TIMESTAMP(fsp=6), "mysql", "mariadb")

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'teacher', 'student', name='user_role'), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_email_verified', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('last_login', TIMESTAMP, nullable=True),
    sa.Column('token_version', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_users_email', 'users', ['email'], unique=False)
    op.create_index('ix_users_role', 'users', ['role'], unique=False)
    op.create_table('audit_logs',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('user_id', sa.CHAR(length=36), nullable=True),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('entity_type', sa.String(length=50), nullable=True),
    sa.Column('entity_id', sa.CHAR(length=36), nullable=True),
    sa.Column('old_value', sa.JSON(), nullable=True),
    sa.Column('new_value', sa.JSON(), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_logs_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_logs')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_audit_logs_action', 'audit_logs', ['action'], unique=False)
    op.create_index('ix_audit_logs_created_at', 'audit_logs', ['created_at'], unique=False)
    op.create_index('ix_audit_logs_user_id', 'audit_logs', ['user_id'], unique=False)
    op.create_table('classes',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('section', sa.String(length=50), nullable=True),
    sa.Column('academic_year', sa.String(length=20), nullable=True),
    sa.Column('created_by', sa.CHAR(length=36), nullable=True),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_classes_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classes')),
    sa.UniqueConstraint('name', 'section', 'academic_year', name='unique_class'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_classes_name', 'classes', ['name'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('user_id', sa.CHAR(length=36), nullable=False),
    sa.Column('type', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('is_read', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('read_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_notifications_is_read', 'notifications', ['is_read'], unique=False)
    op.create_index('ix_notifications_user_id', 'notifications', ['user_id'], unique=False)
    op.create_table('password_reset_tokens',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('user_id', sa.CHAR(length=36), nullable=False),
    sa.Column('token', sa.String(length=128), nullable=False),
    sa.Column('expires_at', TIMESTAMP, nullable=False),
    sa.Column('is_used', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_password_reset_tokens_token', 'password_reset_tokens', ['token'], unique=False)
    op.create_index('ix_password_reset_tokens_user_id', 'password_reset_tokens', ['user_id'], unique=False)
    op.create_table('refresh_tokens',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('user_id', sa.CHAR(length=36), nullable=False),
    sa.Column('token', sa.String(length=500), nullable=False),
    sa.Column('expires_at', TIMESTAMP, nullable=False),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('revoked_at', TIMESTAMP, nullable=True),
    sa.Column('is_revoked', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('family_id', sa.CHAR(length=36), nullable=False),
    sa.Column('replaced_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_refresh_tokens_token')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_refresh_tokens_family_id', 'refresh_tokens', ['family_id'], unique=False)
    op.create_index('ix_refresh_tokens_token', 'refresh_tokens', ['token'], unique=False)
    op.create_index('ix_refresh_tokens_user_id', 'refresh_tokens', ['user_id'], unique=False)
    op.create_table('teachers',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['users.id'], name=op.f('fk_teachers_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teachers')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_teachers_subject', 'teachers', ['subject'], unique=False)
    op.create_table('questions',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('type', sa.Enum('mcq', 'descriptive', 'true_false', 'short_answer', name='question_type'), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=True),
    sa.Column('difficulty', sa.Enum('easy', 'medium', 'hard', name='difficulty'), nullable=True),
    sa.Column('marks', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.CHAR(length=36), nullable=False),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('options', sa.JSON(), nullable=True),
    sa.Column('correct_answer', sa.Integer(), nullable=True),
    sa.Column('accepted_answers', sa.JSON(), nullable=True),
    sa.Column('sample_answer', sa.Text(), nullable=True),
    sa.Column('marking_rubric', sa.Text(), nullable=True),
    sa.CheckConstraint('marks > 0', name=op.f('ck_questions_marks_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['teachers.id'], name=op.f('fk_questions_created_by_teachers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_questions_created_by', 'questions', ['created_by'], unique=False)
    op.create_index('ix_questions_difficulty', 'questions', ['difficulty'], unique=False)
    op.create_index('ix_questions_topic', 'questions', ['topic'], unique=False)
    op.create_index('ix_questions_type', 'questions', ['type'], unique=False)
    op.create_table('quizzes',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('access_code', sa.String(length=20), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'archived', name='quiz_status'), server_default='draft', nullable=False),
    sa.Column('start_date', TIMESTAMP, nullable=True),
    sa.Column('end_date', TIMESTAMP, nullable=True),
    sa.Column('created_by', sa.CHAR(length=36), nullable=False),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('passing_percentage', sa.Integer(), server_default='40', nullable=False),
    sa.Column('max_attempts', sa.Integer(), server_default='1', nullable=False),
    sa.Column('show_answers_after_submission', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('randomize_questions', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('randomize_options', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('allow_review', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.CheckConstraint('max_attempts > 0', name=op.f('ck_quizzes_max_attempts_positive')),
    sa.CheckConstraint('passing_percentage >= 0 AND passing_percentage <= 100', name=op.f('ck_quizzes_passing_percentage_range')),
    sa.CheckConstraint('time_limit_minutes > 0', name=op.f('ck_quizzes_time_limit_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['teachers.id'], name=op.f('fk_quizzes_created_by_teachers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes')),
    sa.UniqueConstraint('access_code', name=op.f('uq_quizzes_access_code')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_quizzes_access_code', 'quizzes', ['access_code'], unique=False)
    op.create_index('ix_quizzes_created_by', 'quizzes', ['created_by'], unique=False)
    op.create_index('ix_quizzes_status', 'quizzes', ['status'], unique=False)
    op.create_table('students',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('registration_number', sa.String(length=50), nullable=False),
    sa.Column('class_id', sa.CHAR(length=36), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('parent_email', sa.String(length=255), nullable=True),
    sa.Column('parent_phone', sa.String(length=20), nullable=True),
    sa.Column('is_account_claimed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('claimed_at', TIMESTAMP, nullable=True),
    sa.Column('created_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_students_class_id_classes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['id'], ['users.id'], name=op.f('fk_students_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_students')),
    sa.UniqueConstraint('registration_number', name=op.f('uq_students_registration_number')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_students_class_id', 'students', ['class_id'], unique=False)
    op.create_index('ix_students_registration_number', 'students', ['registration_number'], unique=False)
    op.create_table('teacher_classes',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('teacher_id', sa.CHAR(length=36), nullable=False),
    sa.Column('class_id', sa.CHAR(length=36), nullable=False),
    sa.Column('assigned_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_teacher_classes_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id'], name=op.f('fk_teacher_classes_teacher_id_teachers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher_classes')),
    sa.UniqueConstraint('teacher_id', 'class_id', name='unique_teacher_class'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_teacher_classes_class_id', 'teacher_classes', ['class_id'], unique=False)
    op.create_index('ix_teacher_classes_teacher_id', 'teacher_classes', ['teacher_id'], unique=False)
    op.create_table('quiz_attempts',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('quiz_id', sa.CHAR(length=36), nullable=False),
    sa.Column('student_id', sa.CHAR(length=36), nullable=False),
    sa.Column('attempt_number', sa.Integer(), server_default='1', nullable=False),
    sa.Column('started_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('submitted_at', TIMESTAMP, nullable=True),
    sa.Column('status', sa.Enum('in_progress', 'submitted', 'graded', 'auto_submitted', name='attempt_status'), server_default='in_progress', nullable=False),
    sa.Column('deadline_at', TIMESTAMP, nullable=True),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('total_marks', sa.Integer(), nullable=True),
    sa.Column('percentage', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('total_violations', sa.Integer(), server_default='0', nullable=False),
    sa.Column('auto_submitted_due_to_violations', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_attempts_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_quiz_attempts_student_id_students'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts')),
    sa.UniqueConstraint('quiz_id', 'student_id', 'attempt_number', name='unique_attempt'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_quiz_attempts_quiz_id', 'quiz_attempts', ['quiz_id'], unique=False)
    op.create_index('ix_quiz_attempts_status', 'quiz_attempts', ['status'], unique=False)
    op.create_index('ix_quiz_attempts_status_deadline_at', 'quiz_attempts', ['status', 'deadline_at'], unique=False)
    op.create_index('ix_quiz_attempts_student_id', 'quiz_attempts', ['student_id'], unique=False)
    op.create_table('quiz_classes',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('quiz_id', sa.CHAR(length=36), nullable=False),
    sa.Column('class_id', sa.CHAR(length=36), nullable=False),
    sa.Column('assigned_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_quiz_classes_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_classes_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_classes')),
    sa.UniqueConstraint('quiz_id', 'class_id', name='unique_quiz_class'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_quiz_classes_class_id', 'quiz_classes', ['class_id'], unique=False)
    op.create_index('ix_quiz_classes_quiz_id', 'quiz_classes', ['quiz_id'], unique=False)
    op.create_table('quiz_questions',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('quiz_id', sa.CHAR(length=36), nullable=False),
    sa.Column('question_id', sa.CHAR(length=36), nullable=False),
    sa.Column('order_index', sa.Integer(), nullable=False),
    sa.Column('marks_override', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_quiz_questions_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_questions_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_questions')),
    sa.UniqueConstraint('quiz_id', 'order_index', name='unique_quiz_order'),
    sa.UniqueConstraint('quiz_id', 'question_id', name='unique_quiz_question'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_quiz_questions_question_id', 'quiz_questions', ['question_id'], unique=False)
    op.create_index('ix_quiz_questions_quiz_id', 'quiz_questions', ['quiz_id'], unique=False)
    op.create_table('student_answers',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('attempt_id', sa.CHAR(length=36), nullable=False),
    sa.Column('question_id', sa.CHAR(length=36), nullable=False),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('answer_option', sa.Integer(), nullable=True),
    sa.Column('marks_awarded', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('graded_by', sa.CHAR(length=36), nullable=True),
    sa.Column('graded_at', TIMESTAMP, nullable=True),
    sa.Column('is_final', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('answered_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('client_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_student_answers_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graded_by'], ['teachers.id'], name=op.f('fk_student_answers_graded_by_teachers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_student_answers_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_answers')),
    sa.UniqueConstraint('attempt_id', 'question_id', name='unique_attempt_question'),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_student_answers_attempt_id', 'student_answers', ['attempt_id'], unique=False)
    op.create_index('ix_student_answers_question_id', 'student_answers', ['question_id'], unique=False)
    op.create_table('violations',
    sa.Column('id', sa.CHAR(length=36), nullable=False),
    sa.Column('attempt_id', sa.CHAR(length=36), nullable=False),
    sa.Column('violation_type', sa.Enum('tab_switch', 'fullscreen_exit', 'copy_attempt', 'paste_attempt', 'right_click', 'focus_lost', 'multiple_windows', name='violation_type'), nullable=False),
    sa.Column('detected_at', TIMESTAMP, server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('question_index', sa.Integer(), nullable=True),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', name='severity'), nullable=True),
    sa.Column('metadata', sa.JSON(), nullable=True),
    sa.Column('is_counted', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_violations_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_unicode_ci',
    mysql_engine='InnoDB'
    )
    op.create_index('ix_violations_attempt_id', 'violations', ['attempt_id'], unique=False)
    op.create_index('ix_violations_violation_type', 'violations', ['violation_type'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_violations_violation_type', table_name='violations')
    op.drop_index('ix_violations_attempt_id', table_name='violations')
    op.drop_table('violations')
    op.drop_index('ix_student_answers_question_id', table_name='student_answers')
    op.drop_index('ix_student_answers_attempt_id', table_name='student_answers')
    op.drop_table('student_answers')
    op.drop_index('ix_quiz_questions_quiz_id', table_name='quiz_questions')
    op.drop_index('ix_quiz_questions_question_id', table_name='quiz_questions')
    op.drop_table('quiz_questions')
    op.drop_index('ix_quiz_classes_quiz_id', table_name='quiz_classes')
    op.drop_index('ix_quiz_classes_class_id', table_name='quiz_classes')
    op.drop_table('quiz_classes')
    op.drop_index('ix_quiz_attempts_student_id', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_status_deadline_at', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_status', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_quiz_id', table_name='quiz_attempts')
    op.drop_table('quiz_attempts')
    op.drop_index('ix_teacher_classes_teacher_id', table_name='teacher_classes')
    op.drop_index('ix_teacher_classes_class_id', table_name='teacher_classes')
    op.drop_table('teacher_classes')
    op.drop_index('ix_students_registration_number', table_name='students')
    op.drop_index('ix_students_class_id', table_name='students')
    op.drop_table('students')
    op.drop_index('ix_quizzes_status', table_name='quizzes')
    op.drop_index('ix_quizzes_created_by', table_name='quizzes')
    op.drop_index('ix_quizzes_access_code', table_name='quizzes')
    op.drop_table('quizzes')
    op.drop_index('ix_questions_type', table_name='questions')
    op.drop_index('ix_questions_topic', table_name='questions')
    op.drop_index('ix_questions_difficulty', table_name='questions')
    op.drop_index('ix_questions_created_by', table_name='questions')
    op.drop_table('questions')
    op.drop_index('ix_teachers_subject', table_name='teachers')
    op.drop_table('teachers')
    op.drop_index('ix_refresh_tokens_user_id', table_name='refresh_tokens')
    op.drop_index('ix_refresh_tokens_token', table_name='refresh_tokens')
    op.drop_index('ix_refresh_tokens_family_id', table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_index('ix_password_reset_tokens_user_id', table_name='password_reset_tokens')
    op.drop_index('ix_password_reset_tokens_token', table_name='password_reset_tokens')
    op.drop_table('password_reset_tokens')
    op.drop_index('ix_notifications_user_id', table_name='notifications')
    op.drop_index('ix_notifications_is_read', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index('ix_classes_name', table_name='classes')
    op.drop_table('classes')
    op.drop_index('ix_audit_logs_user_id', table_name='audit_logs')
    op.drop_index('ix_audit_logs_created_at', table_name='audit_logs')
    op.drop_index('ix_audit_logs_action', table_name='audit_logs')
    op.drop_table('audit_logs')
    op.drop_index('ix_users_role', table_name='users')
    op.drop_index('ix_users_email', table_name='users')
    op.drop_table('users')
