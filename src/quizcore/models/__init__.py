"""SQLAlchemy models of the whole quizcore schema, one module per aggregate.

Differences from the original MySQL design are marked "Added for correctness" next to the
column. Flags, counters and created/updated stamps are NOT NULL here (the design leaves them
nullable with a default; a NULL there could only ever be a bug). Index names carry the table
name because SQLite, used for local development, keeps index names in one namespace.
"""

from .attempts import AttemptQuestion, AttemptQuestionVersion, QuizAttempt, StudentAnswer, Violation
from .base import (
    AttemptStatus,
    Base,
    Difficulty,
    QuestionType,
    QuizStatus,
    Role,
    Severity,
    ViolationType,
    new_uuid,
    utcnow,
)
from .classes import SchoolClass, TeacherClass
from .overrides import QuizOverride
from .questions import Question, QuestionVersion
from .quizzes import Quiz, QuizClass, QuizQuestion, QuizSection, QuizWaiting
from .tokens import PasswordResetToken, RefreshToken
from .users import UNUSABLE_PASSWORD, Student, Teacher, User

metadata = Base.metadata

__all__ = [
    "UNUSABLE_PASSWORD",
    "AttemptStatus",
    "AttemptQuestion",
    "AttemptQuestionVersion",
    "Base",
    "Difficulty",
    "PasswordResetToken",
    "Question",
    "QuestionType",
    "QuestionVersion",
    "Quiz",
    "QuizAttempt",
    "QuizClass",
    "QuizOverride",
    "QuizQuestion",
    "QuizSection",
    "QuizWaiting",
    "QuizStatus",
    "RefreshToken",
    "Role",
    "SchoolClass",
    "Severity",
    "Student",
    "StudentAnswer",
    "Teacher",
    "TeacherClass",
    "User",
    "Violation",
    "ViolationType",
    "metadata",
    "new_uuid",
    "utcnow",
]
