"""The bulk twins of create_student and the duplicate checks: batched, same rules."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from quizcore.domain import bulk_students
from quizcore.models import UNUSABLE_PASSWORD, Role, Student, User
from tests import factories


def test_insert_students_creates_unclaimed_accounts_like_create_student(dbsession,
                                                                        school_class):
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    ids = bulk_students.insert_students(dbsession, [
        bulk_students.NewStudent(name=" Ada Obi ", email=" Ada@School.Example ",
                                 registration_number=" 2025/9A/1 ", class_id=school_class.id,
                                 date_of_birth=dt.date(2011, 4, 30),
                                 parent_email="Parent@Home.Example", parent_phone="+44 1"),
        bulk_students.NewStudent(name="Bo", email="bo@school.example", registration_number="R-2"),
    ], now=now)
    assert len(ids) == 2 and len(set(ids)) == 2
    ada = dbsession.get(User, ids[0])
    assert (ada.name, ada.email, ada.role, ada.password_hash, ada.is_active) == (
        "Ada Obi", "ada@school.example", Role.STUDENT, UNUSABLE_PASSWORD, True)
    assert ada.created_at == now
    profile = dbsession.get(Student, ids[0])
    assert (profile.registration_number, profile.class_id, profile.date_of_birth,
            profile.parent_email, profile.parent_phone, profile.is_account_claimed) == (
        "2025/9A/1", school_class.id, dt.date(2011, 4, 30), "parent@home.example", "+44 1",
        False)
    assert dbsession.get(Student, ids[1]).class_id is None


def test_insert_students_writes_in_chunks(dbsession, monkeypatch):
    monkeypatch.setattr(bulk_students, "BULK_CHUNK", 3)
    statements = []
    engine = dbsession.get_bind().engine

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            statements.append(executemany)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        ids = bulk_students.insert_students(dbsession, [
            bulk_students.NewStudent(name=f"S{n}", email=f"s{n}@school.example",
                                     registration_number=f"R{n}") for n in range(7)])
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(ids) == 7
    assert len(statements) == 6  # users and profiles, three chunks each


def test_the_unique_keys_still_refuse_a_duplicate(dbsession, student):
    with pytest.raises(IntegrityError):
        bulk_students.insert_students(dbsession, [bulk_students.NewStudent(
            name="Twin", email=student.email, registration_number="NEW-1")])


def test_batched_duplicate_checks_compare_like_the_single_ones(dbsession, monkeypatch):
    monkeypatch.setattr(bulk_students, "BULK_CHUNK", 2)
    factories.StudentFactory(email="ada@school.example", registration_number="Reg-001")
    factories.StudentFactory(email="bo@school.example", registration_number="Reg-002")
    assert bulk_students.emails_in_use(dbsession, ["ADA@school.example", " bo@School.example ",
                                                   "new@school.example", ""]) == \
        {"ada@school.example", "bo@school.example"}
    assert bulk_students.registration_numbers_in_use(dbsession, ["reg-001", "REG-002 ", "x", ""]) \
        == {"Reg-001", "Reg-002"}
    assert bulk_students.emails_in_use(dbsession, []) == set()
