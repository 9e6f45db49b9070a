"""``quizctl seed-demo``: a small believable school to click through.

Idempotent: running it again creates only what is missing. Prints the demo logins.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..domain.passwords import hash_password
from ..models import (
    Difficulty,
    Question,
    QuestionType,
    Quiz,
    QuizClass,
    QuizQuestion,
    QuizStatus,
    Role,
    SchoolClass,
    Student,
    Teacher,
    TeacherClass,
    User,
    utcnow,
)

ADMIN = ("admin@quizcore.local", "Grace Hopper", "Admin#2024")
TEACHER_PASSWORD = "Teacher#2024"
STUDENT_PASSWORD = "Student#2024"
ACADEMIC_YEAR = "2024-2025"

TEACHERS = [
    # email, name, subject, department, classes (by index into CLASSES)
    ("amina.okafor@quizcore.local", "Amina Okafor", "Mathematics", "Science & Maths", [0, 1]),
    ("david.chen@quizcore.local", "David Chen", "Physics", "Science & Maths", [1, 2]),
    ("sofia.martinez@quizcore.local", "Sofía Martínez", "English", "Languages", [0, 2]),
]
CLASSES = [("Grade 9", "A"), ("Grade 9", "B"), ("Grade 10", "A")]
STUDENT_NAMES = [
    "Liam Johnson", "Olivia Smith", "Noah Williams", "Emma Brown", "Oliver Jones",
    "Ava Garcia", "Elijah Miller", "Charlotte Davis", "James Rodriguez", "Amelia Martinez",
    "Иван Петров", "Zoë Müller", "Mateo Hernández", "Aiko Tanaka", "Chidi Okeke",
    "Fatima Zahra", "Lucas Silva", "Mia Nguyen", "Arjun Patel", "Sophia Rossi",
    "Henry Wilson", "Isabella Moore", "Benjamin Taylor", "Evelyn Anderson", "Leo Thomas",
    "Harper Jackson", "Jack White", "Ελένη Παπαδοπούλου", "Samuel Harris", "Nora Clark",
]
CLAIMED_STUDENTS = 12

QUESTIONS = [
    # teacher index, type, text, topic, difficulty, marks, options, correct, accepted, sample
    (0, QuestionType.MCQ, "What is the value of x if 2x + 6 = 14?", "Algebra", Difficulty.EASY,
     2, ["2", "4", "6", "8"], 1, None, None),
    (0, QuestionType.MCQ, "Which expression equals (a + b)²?", "Algebra", Difficulty.MEDIUM, 2,
     ["a² + b²", "a² + 2ab + b²", "2a + 2b", "a² - 2ab + b²"], 1, None, None),
    (0, QuestionType.TRUE_FALSE, "The sum of the angles of a triangle is 180 degrees.",
     "Geometry", Difficulty.EASY, 1, None, 0, None, None),
    (0, QuestionType.SHORT_ANSWER, "Simplify 3(x + 2) - x. Write the answer without spaces.",
     "Algebra", Difficulty.MEDIUM, 2, None, None, ["2x+6", "6+2x"], None),
    (0, QuestionType.DESCRIPTIVE, "Explain in your own words why dividing by zero is undefined.",
     "Number", Difficulty.HARD, 5, None, None, None,
     "Division asks how many times the divisor fits into the dividend; no number times zero "
     "gives a non-zero dividend, and every number works for 0/0, so no single value exists."),
    (0, QuestionType.MCQ, "What is 15% of 200?", "Percentages", Difficulty.EASY, 1,
     ["15", "20", "30", "45"], 2, None, None),
    (1, QuestionType.MCQ, "What is the SI unit of force?", "Mechanics", Difficulty.EASY, 1,
     ["Joule", "Newton", "Watt", "Pascal"], 1, None, None),
    (1, QuestionType.TRUE_FALSE, "Sound travels faster in air than in water.", "Waves",
     Difficulty.MEDIUM, 1, None, 1, None, None),
    (1, QuestionType.SHORT_ANSWER, "Name the force that pulls objects towards the Earth.",
     "Mechanics", Difficulty.EASY, 1, None, None, ["gravity", "gravitational force", "weight"],
     None),
    (1, QuestionType.DESCRIPTIVE, "Describe an experiment that shows light travels in "
     "straight lines.", "Optics", Difficulty.MEDIUM, 4, None, None, None,
     "Three cards with holes lined up; the candle is visible only when the holes are aligned."),
    (2, QuestionType.MCQ, "Which word is a synonym of 'rapid'?", "Vocabulary",
     Difficulty.EASY, 1, ["slow", "quick", "late", "heavy"], 1, None, None),
    (2, QuestionType.SHORT_ANSWER, "Write the past tense of 'to go'.", "Grammar",
     Difficulty.EASY, 1, None, None, ["went"], None),
    (2, QuestionType.DESCRIPTIVE, "Write three sentences describing your favourite place.",
     "Writing", Difficulty.MEDIUM, 6, None, None, None, None),
]


class Seeder:
    def __init__(self, dbsession, bcrypt_rounds: int):
        self.db = dbsession
        self.rounds = bcrypt_rounds
        self._hashes: dict[str, str] = {}
        self.created = 0

    def password(self, clear: str) -> str:
        # One hash per distinct demo password: thirty students share one bcrypt run.
        if clear not in self._hashes:
            self._hashes[clear] = hash_password(clear, self.rounds)
        return self._hashes[clear]

    def user(self, email: str, name: str, role: Role, password: str | None) -> User:
        user = self.db.scalars(sa.select(User).where(User.email == email)).one_or_none()
        if user is None:
            user = User(email=email, name=name, role=role, is_email_verified=True)
            if password:
                user.password_hash = self.password(password)
            self.db.add(user)
            self.db.flush()
            self.created += 1
        return user

    def school_class(self, name: str, section: str, admin: User) -> SchoolClass:
        found = self.db.scalars(sa.select(SchoolClass).where(
            SchoolClass.name == name, SchoolClass.section == section,
            SchoolClass.academic_year == ACADEMIC_YEAR)).one_or_none()
        if found is None:
            found = SchoolClass(name=name, section=section, academic_year=ACADEMIC_YEAR,
                                created_by=admin.id)
            self.db.add(found)
            self.db.flush()
            self.created += 1
        return found

    def run(self) -> list[tuple[str, str, str]]:
        admin = self.user(ADMIN[0], ADMIN[1], Role.ADMIN, ADMIN[2])
        classes = [self.school_class(name, section, admin) for name, section in CLASSES]

        teachers: list[Teacher] = []
        for email, name, subject, department, class_indexes in TEACHERS:
            user = self.user(email, name, Role.TEACHER, TEACHER_PASSWORD)
            teacher = self.db.get(Teacher, user.id)
            if teacher is None:
                teacher = Teacher(id=user.id, subject=subject, department=department,
                                  bio=f"Teaches {subject}.")
                self.db.add(teacher)
                self.db.flush()
            teachers.append(teacher)
            for index in class_indexes:
                link = self.db.scalars(sa.select(TeacherClass).where(
                    TeacherClass.teacher_id == teacher.id,
                    TeacherClass.class_id == classes[index].id)).one_or_none()
                if link is None:
                    self.db.add(TeacherClass(teacher_id=teacher.id, class_id=classes[index].id))

        for number, name in enumerate(STUDENT_NAMES, start=1):
            registration = f"STU2024{number:03d}"
            email = f"{registration.lower()}@students.quizcore.local"
            claimed = number <= CLAIMED_STUDENTS
            user = self.user(email, name, Role.STUDENT, STUDENT_PASSWORD if claimed else None)
            if self.db.get(Student, user.id) is None:
                self.db.add(Student(
                    id=user.id, registration_number=registration,
                    class_id=classes[(number - 1) % len(classes)].id,
                    date_of_birth=dt.date(2010, 1 + number % 12, 1 + number % 28),
                    parent_email=f"parent.{registration.lower()}@example.com",
                    is_account_claimed=claimed, claimed_at=utcnow() if claimed else None,
                ))

        questions: list[Question] = []
        for (teacher_index, qtype, text, topic, difficulty, marks, options, correct,
             accepted, sample) in QUESTIONS:
            owner = teachers[teacher_index]
            question = self.db.scalars(sa.select(Question).where(
                Question.created_by == owner.id, Question.text == text)).one_or_none()
            if question is None:
                question = Question(
                    created_by=owner.id, type=qtype, text=text, topic=topic,
                    difficulty=difficulty, marks=marks, options=options,
                    correct_answer=correct, accepted_answers=accepted, sample_answer=sample,
                    marking_rubric="Full marks for a clear, correct explanation." if
                    qtype == QuestionType.DESCRIPTIVE else None,
                )
                self.db.add(question)
                self.db.flush()
                self.created += 1
            questions.append(question)

        now = utcnow().replace(microsecond=0)
        maths = [q for q in questions if q.created_by == teachers[0].id]
        self.quiz("ALG9K4", "Algebra basics", "Mathematics", teachers[0], maths[:5],
                  [classes[0], classes[1]], QuizStatus.PUBLISHED, now - dt.timedelta(days=1),
                  now + dt.timedelta(days=30))
        physics = [q for q in questions if q.created_by == teachers[1].id]
        self.quiz("PHY7M3", "Forces and waves", "Physics", teachers[1], physics,
                  [classes[1], classes[2]], QuizStatus.DRAFT, None, None)
        return [
            ("admin", ADMIN[0], ADMIN[2]),
            *[("teacher", email, TEACHER_PASSWORD) for email, *_ in TEACHERS],
            ("student", "STU2024001 (or stu2024001@students.quizcore.local)", STUDENT_PASSWORD),
            ("student (unclaimed)", f"STU2024{CLAIMED_STUDENTS + 1:03d}: claim it first", "-"),
        ]

    def quiz(self, code, title, subject, teacher, questions, classes, status, start, end):
        if self.db.scalars(sa.select(Quiz).where(Quiz.access_code == code)).one_or_none():
            return
        quiz = Quiz(access_code=code, title=title, subject=subject, created_by=teacher.id,
                    description=f"{title}: a short {subject.lower()} check.",
                    time_limit_minutes=30, status=status, start_date=start, end_date=end,
                    passing_percentage=50, max_attempts=2, randomize_questions=True,
                    randomize_options=True, show_answers_after_submission=True)
        quiz.quiz_questions = [QuizQuestion(question_id=q.id, order_index=i)
                               for i, q in enumerate(questions)]
        quiz.class_links = [QuizClass(class_id=c.id) for c in classes]
        self.db.add(quiz)
        self.db.flush()
        self.created += 1


def seed_demo(env, args):
    request = env["request"]
    with request.tm:
        seeder = Seeder(request.dbsession, env["registry"].settings["quizcore.bcrypt_rounds"])
        logins = seeder.run()
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Demo school ready ({seeder.created} records created)")
    for column in ("role", "login", "password"):
        table.add_column(column)
    for row in logins:
        table.add_row(*row)
    Console().print(table)
    return 0


def includeme(config):
    config.add_quizctl_command("seed-demo", seed_demo,
                               help="load a demo school (idempotent) and print its logins")
