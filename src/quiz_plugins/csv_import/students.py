"""Importing students: which columns, what a valid row is, which class it goes to, and the
bulk write.

Columns (header names match case- and space-insensitively; aliases in brackets):

==========================  ========  ==================================================
column                      required  rule
==========================  ========  ==================================================
name (full_name,            yes       at most 255 characters
student_name)
email (e_mail,              yes       an e-mail address, at most 255 characters; unique
email_address)                        in the file and in the school (case-insensitive)
registration_number         yes       at most 50 characters; unique in the file and in
(registration_no, reg_no,             the school (case-insensitive)
reg_number)
class_name (class)          no        the class, with ``section`` and ``academic_year``
section                     no        at most 50 characters
academic_year (year,        no        at most 20 characters
school_year)
date_of_birth (dob,         no        ``YYYY-MM-DD`` or a date cell; not in the future
birth_date, birthday)
parent_email                no        an e-mail address
(guardian_email)
parent_phone                no        at most 20 characters
(guardian_phone)
==========================  ========  ==================================================

Lengths are the column sizes of the schema. A row with any error is not imported and is
reported with its spreadsheet row number; a duplicate of an earlier row names that row.

**Classes.** A row's class is found by name, section and academic year (case-insensitive).
Blank section or year match any, as long as exactly one class fits; several fitting classes
are an error that asks for the missing part. Rows without ``class_name`` go to the default
class of the import (``class_id`` of the endpoint, ``--class`` of ``quizctl``) when there is
one. Then:

* an **administrator** (and ``quizctl``) may use any class; a class that does not exist is
  created, once per import, from the row's name, section and year;
* a **teacher** may only import into classes they are assigned to and cannot create classes:
  a row naming another or an unknown class is a row error ("not one of your classes"; it does
  not reveal whether the class exists), and a row with no class at all is an error too, as
  when a teacher creates a student through the API.

Imported students start unclaimed, with no usable password (no bcrypt work).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import colander
import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.domain import bulk_students, people, visibility
from quizcore.models import SchoolClass, Student, User, new_uuid, utcnow

from .common import (
    Actor,
    ImportReport,
    Progress,
    RowError,
    alias_table,
    cell_text,
    check_rows,
    fold,
    no_progress,
    require_columns,
    too_long,
)
from .reader import Row, Table

ALIASES = alias_table({
    "name": ("name", "full_name", "student_name"),
    "email": ("email", "e_mail", "email_address", "e_mail_address"),
    "registration_number": ("registration_number", "registration_no", "reg_no",
                            "reg_number"),
    "class_name": ("class_name", "class"),
    "section": ("section",),
    "academic_year": ("academic_year", "year", "school_year"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "birthday"),
    "parent_email": ("parent_email", "guardian_email"),
    "parent_phone": ("parent_phone", "guardian_phone"),
})

REQUIRED_COLUMNS = ("name", "email", "registration_number")


def _size(column) -> int:
    return column.type.length


#: The schema's column sizes.
LENGTHS = {
    "name": _size(User.__table__.c.name),
    "email": _size(User.__table__.c.email),
    "registration_number": _size(Student.__table__.c.registration_number),
    "class_name": _size(SchoolClass.__table__.c.name),
    "section": _size(SchoolClass.__table__.c.section),
    "academic_year": _size(SchoolClass.__table__.c.academic_year),
    "parent_email": _size(Student.__table__.c.parent_email),
    "parent_phone": _size(Student.__table__.c.parent_phone),
}

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = colander.Email()


# -- classes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassKey:
    """A class as a file names it: name, and optionally section and academic year."""

    name: str
    section: str | None = None
    academic_year: str | None = None

    @classmethod
    def parse(cls, text: str) -> ClassKey:
        """``"Grade 9/A/2025-2026"`` (``quizctl --class``): name, then section and year."""
        parts = [part.strip() or None for part in text.split("/", 2)]
        if not parts[0]:
            raise ValueError("the class needs a name")
        parts += [None] * (3 - len(parts))
        key = cls(parts[0], parts[1], parts[2])
        for _column, problem in key.problems():
            raise ValueError(problem)
        return key

    @classmethod
    def of(cls, school_class: SchoolClass) -> ClassKey:
        return cls(school_class.name, school_class.section, school_class.academic_year)

    @property
    def folded(self) -> tuple[str, str, str]:
        return fold(self.name), fold(self.section), fold(self.academic_year)

    @property
    def label(self) -> str:
        return " / ".join(part for part in (self.name, self.section, self.academic_year)
                          if part)

    def problems(self) -> list[tuple[str, str]]:
        """(column, problem) for each part longer than its column."""
        parts = (("class_name", self.name), ("section", self.section),
                 ("academic_year", self.academic_year))
        return [(column, problem) for column, value in parts
                if (problem := too_long(column, value, LENGTHS[column]))]

    def fits(self, school_class: SchoolClass, exact: bool) -> bool:
        name, section, year = self.folded
        if fold(school_class.name) != name:
            return False
        for wanted, actual in ((section, school_class.section),
                               (year, school_class.academic_year)):
            if (exact or wanted) and wanted != fold(actual):
                return False
        return True


def class_json(school_class: SchoolClass | None, key: ClassKey | None = None):
    if school_class is None and key is None:
        return None
    if school_class is not None:
        key = ClassKey.of(school_class)
    return {"id": school_class.id if school_class is not None else None, "name": key.name,
            "section": key.section, "academic_year": key.academic_year}


def _candidate_classes(session: Session, actor: Actor, keys: Iterable[ClassKey]):
    """The classes the keys may name: a teacher's own classes; for administrators, every
    class with one of the names (one query per thousand names)."""
    if not actor.is_admin:
        return list(session.scalars(sa.select(SchoolClass).where(
            SchoolClass.id.in_(visibility.assigned_class_ids(actor.user_id)))))
    names = sorted({key.name.lower() for key in keys})
    found: list[SchoolClass] = []
    for start in range(0, len(names), bulk_students.BULK_CHUNK):
        found += session.scalars(sa.select(SchoolClass).where(
            sa.func.lower(SchoolClass.name).in_(names[start:start + bulk_students.BULK_CHUNK])))
    return found


@dataclass
class ClassChoice:
    """Where the rows naming one :class:`ClassKey` go."""

    school_class: SchoolClass | None = None  # an existing class
    create: ClassKey | None = None  # a class this import creates
    error: str | None = None


def choose_class(key: ClassKey, candidates: list[SchoolClass], actor: Actor) -> ClassChoice:
    """The class a row's key names (see the module's docstring for the rules)."""
    exact = [c for c in candidates if key.fits(c, exact=True)]
    if exact:
        return ClassChoice(school_class=exact[0])
    fitting = [c for c in candidates if key.fits(c, exact=False)]
    if len(fitting) == 1:
        return ClassChoice(school_class=fitting[0])
    if len(fitting) > 1:
        shown = "; ".join(ClassKey.of(c).label for c in fitting[:5])
        return ClassChoice(error=f"class {key.label!r} is ambiguous ({shown}): add the "
                                 "section and academic_year columns")
    if actor.is_admin:
        return ClassChoice(create=key)
    return ClassChoice(error=f"class {key.label!r} is not one of your classes (teachers "
                             "import into the classes they are assigned to; an "
                             "administrator creates classes)")


# -- rows ------------------------------------------------------------------------------------


@dataclass
class StudentRow:
    number: int
    name: str
    email: str
    registration_number: str
    class_key: ClassKey | None
    date_of_birth: dt.date | None
    parent_email: str | None
    parent_phone: str | None


def _email_problem(column: str, email: str) -> str | None:
    try:
        _EMAIL(colander.SchemaNode(colander.String(), name=column), email)
    except colander.Invalid:
        return f"{column} {email!r} is not a valid e-mail address"
    return too_long(column, email, LENGTHS[column])


def _birth_date(value, today: dt.date) -> tuple[dt.date | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        text = cell_text(value) or ""
        if not _ISO_DATE.fullmatch(text):
            return None, f"date_of_birth {text!r} is not a date: write it as YYYY-MM-DD " \
                         "(or use a date cell)"
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            return None, f"date_of_birth {text!r} is not a real date"
    if not EARLIEST_BIRTH_DATE <= date <= today:
        return None, f"date_of_birth {date.isoformat()} is not a plausible birth date"
    return date, None


def check_row(row: Row, today: dt.date) -> tuple[StudentRow | None, list[RowError]]:
    """Validate one row on its own (no database): the cleaned row, or its errors."""
    values = {column: cell_text(value) for column, value in row.cells.items()}
    errors = [RowError(row.number, f"the cell holds the spreadsheet error {error}", column)
              for column, error in row.errors.items()]

    def fail(column: str | None, problem: str | None) -> None:
        if problem:
            errors.append(RowError(row.number, problem, column))

    for column in REQUIRED_COLUMNS:
        if not values.get(column) and column not in row.errors:
            fail(column, f"{column} is required")
    for column in ("name", "registration_number", "parent_phone"):
        fail(column, too_long(column, values.get(column), LENGTHS[column]))
    email = values.get("email")
    if email:
        email = people.normalize_email(email)
        fail("email", _email_problem("email", email))
    parent_email = values.get("parent_email")
    if parent_email:
        parent_email = people.normalize_email(parent_email)
        fail("parent_email", _email_problem("parent_email", parent_email))
    date_of_birth, problem = _birth_date(row.cells.get("date_of_birth"), today)
    fail("date_of_birth", problem)

    class_key = None
    if values.get("class_name"):
        class_key = ClassKey(values["class_name"], values.get("section"),
                             values.get("academic_year"))
        for column, problem in class_key.problems():
            fail(column, problem)
    elif values.get("section") or values.get("academic_year"):
        fail("class_name", "class_name is needed when section or academic_year is given")
    if errors:
        return None, errors
    return StudentRow(row.number, values["name"], email, values["registration_number"],
                      class_key, date_of_birth, parent_email, values.get("parent_phone")), []


def _file_duplicates(rows: list[StudentRow]) -> tuple[list[StudentRow], list[RowError]]:
    """Rows repeating an earlier row's e-mail or registration number are errors."""
    first_email: dict[str, int] = {}
    first_number: dict[str, int] = {}
    kept, errors = [], []
    for row in rows:
        problems = []
        email_key, number_key = fold(row.email), fold(row.registration_number)
        if email_key in first_email:
            problems.append(RowError(row.number, f"email {row.email!r} is also on row "
                                                 f"{first_email[email_key]}", "email"))
        if number_key in first_number:
            problems.append(RowError(
                row.number, f"registration_number {row.registration_number!r} is also on "
                            f"row {first_number[number_key]}", "registration_number"))
        first_email.setdefault(email_key, row.number)
        first_number.setdefault(number_key, row.number)
        if problems:
            errors += problems
        else:
            kept.append(row)
    return kept, errors


def _database_duplicates(session: Session,
                         rows: list[StudentRow]) -> tuple[list[StudentRow], list[RowError]]:
    """Rows whose e-mail or registration number the school already has (batched look-ups)."""
    emails = {fold(email) for email in bulk_students.emails_in_use(session,
                                                                   [row.email for row in rows])}
    numbers = {fold(number) for number in bulk_students.registration_numbers_in_use(
        session, [row.registration_number for row in rows])}
    kept, errors = [], []
    for row in rows:
        problems = []
        if fold(row.email) in emails:
            problems.append(RowError(row.number, f"an account with the e-mail {row.email!r} "
                                                 "already exists", "email"))
        if fold(row.registration_number) in numbers:
            problems.append(RowError(row.number, "a student with the registration number "
                                                 f"{row.registration_number!r} already exists",
                                     "registration_number"))
        if problems:
            errors += problems
        else:
            kept.append(row)
    return kept, errors


# -- the import ------------------------------------------------------------------------------


def import_students(session: Session, table: Table, *, actor: Actor, dry_run: bool = False,
                    atomic: bool = False,
                    default_class: SchoolClass | ClassKey | None = None,
                    progress: Progress = no_progress,
                    now: dt.datetime | None = None) -> ImportReport:
    """Validate every row of ``table`` and, unless ``dry_run``, write the valid ones.

    ``default_class`` takes the rows without ``class_name``: an existing class (whose use
    the caller has checked), or a :class:`ClassKey` found or created like a row's.
    With ``atomic`` any row error means nothing is written (the report is ``refused``).
    Everything is written in the caller's transaction: the classes to create, then the
    students in multi-row INSERTs; a row is written whole or not at all. Raises
    :class:`~.reader.FileProblem` when the header lacks a required column.
    """
    now = now or utcnow()
    check_header(table)
    report = ImportReport("students", dry_run, atomic, len(table.rows), table.format,
                          ignored_columns=list(table.ignored_columns))
    checked = check_rows(table.rows, lambda row: check_row(row, now.date()), report.errors,
                         progress)
    valid: list[StudentRow] = [row for _, row in checked]
    valid, errors = _file_duplicates(valid)
    report.errors += errors
    valid, errors = _database_duplicates(session, valid)
    report.errors += errors
    valid, errors, classes = _assign_classes(session, valid, actor, default_class)
    report.errors += errors
    report.errors.sort(key=lambda error: error.row)
    if report.refused:
        return report

    to_create = list({key.folded: key for key in classes.values()
                      if isinstance(key, ClassKey)}.values())  # one key object per class
    if not dry_run:
        created = _create_classes(session, to_create, actor, now)
        for row in valid:
            target = classes.get(row.number)
            if isinstance(target, ClassKey):
                classes[row.number] = created[target.folded]
        report.classes_created = [class_json(c) for c in created.values()]
    else:
        report.classes_created = [class_json(None, key) for key in to_create]

    ids: list[str | None] = [None] * len(valid)
    if not dry_run and valid:
        report.import_id = new_uuid()
        ids = []
        for start in range(0, len(valid), bulk_students.BULK_CHUNK):
            chunk = valid[start:start + bulk_students.BULK_CHUNK]
            ids += bulk_students.insert_students(
                session, [_new_student(row, classes.get(row.number)) for row in chunk], now=now)
            progress("write", start + len(chunk), len(valid))
    for row, student_id in zip(valid, ids, strict=True):
        target = classes.get(row.number)
        report.imported.append({
            "row": row.number, "id": student_id, "name": row.name, "email": row.email,
            "registration_number": row.registration_number,
            "class": class_json(None, target) if isinstance(target, ClassKey)
            else class_json(target),
        })
    return report


def _assign_classes(session: Session, rows: list[StudentRow], actor: Actor,
                    default: SchoolClass | ClassKey | None):
    """Pick each row's class. Returns the rows kept, their errors, and row number -> the
    :class:`SchoolClass` or the :class:`ClassKey` of a class to create (or None)."""
    keys: dict[tuple, ClassKey] = {}  # the first row's spelling names a new class
    for row in rows:
        if row.class_key is not None:
            keys.setdefault(row.class_key.folded, row.class_key)
    if isinstance(default, ClassKey):
        keys.setdefault(default.folded, default)
    candidates = _candidate_classes(session, actor, keys.values()) if keys else []
    choices = {folded: choose_class(key, candidates, actor) for folded, key in keys.items()}
    if isinstance(default, SchoolClass):
        default_choice = ClassChoice(school_class=default)
    elif isinstance(default, ClassKey):
        default_choice = choices[default.folded]
    elif actor.is_admin:
        default_choice = ClassChoice()  # no class
    else:
        default_choice = ClassChoice(error="class_name is required: choose one of your "
                                           "classes")
    kept, errors, targets = [], [], {}
    for row in rows:
        choice = choices[row.class_key.folded] if row.class_key is not None \
            else default_choice
        if choice.error:
            errors.append(RowError(row.number, choice.error, "class_name"))
            continue
        targets[row.number] = choice.school_class or choice.create
        kept.append(row)
    return kept, errors, targets


def _create_classes(session: Session, keys: list[ClassKey], actor: Actor,
                    now: dt.datetime) -> dict[tuple, SchoolClass]:
    created = {}
    for key in keys:
        school_class = SchoolClass(id=new_uuid(), name=key.name, section=key.section,
                                   academic_year=key.academic_year, created_by=actor.user_id,
                                   created_at=now, updated_at=now)
        session.add(school_class)
        created[key.folded] = school_class
    if created:
        session.flush()
    return created


def _new_student(row: StudentRow, school_class: SchoolClass | None) -> bulk_students.NewStudent:
    return bulk_students.NewStudent(
        name=row.name, email=row.email, registration_number=row.registration_number,
        class_id=school_class.id if school_class is not None else None,
        date_of_birth=row.date_of_birth, parent_email=row.parent_email,
        parent_phone=row.parent_phone)


def check_header(table: Table) -> None:
    """Raise :class:`~.reader.FileProblem` when a required column is missing."""
    require_columns(table, REQUIRED_COLUMNS,
                    f"Student files need {', '.join(REQUIRED_COLUMNS)}; optional columns are "
                    + ", ".join(sorted(set(ALIASES.values()) - set(REQUIRED_COLUMNS))) + ".")


def default_class_for(session: Session, actor: Actor, class_id: str) -> SchoolClass | None:
    """The class an import names by id, when ``actor`` may put students into it (None
    otherwise: the caller answers 404, as for any class the user may not see)."""
    school_class = session.get(SchoolClass, class_id)
    if school_class is None:
        return None
    if not actor.is_admin and not visibility.teaches_class(session, actor.user_id, class_id):
        return None
    return school_class
