"""Quizzes over HTTP: building, publishing, archiving, deleting, who sees what."""

import datetime as dt

import pytest

from quizcore.domain import access_codes
from quizcore.events import EntityChanged, QuizArchived, QuizPublished
from quizcore.models import Quiz, QuizStatus, utcnow
from tests import factories
from tests.helpers import assert_error


def quiz_body(questions=(), classes=(), **extra):
    body = {"title": "Fractions", "subject": "Mathematics", "time_limit_minutes": 20,
            "question_ids": [q.id for q in questions], "class_ids": [c.id for c in classes]}
    body.update(extra)
    return body


@pytest.fixture
def bank(dbsession, teacher):
    return [factories.QuestionFactory(owner=teacher, marks=2) for _ in range(3)]


def test_teacher_creates_a_draft_with_a_generated_code(testapp, teacher, auth, bank,
                                                       school_class):
    created = testapp.post_json("/api/quizzes", quiz_body(bank, [school_class]),
                                headers=auth(teacher), status=201).json
    assert created["status"] == "draft"
    code = created["access_code"]
    assert len(code) == access_codes.GENERATED_LENGTH and not set("0O1I") & set(code)
    assert [q["id"] for q in created["questions"]] == [q.id for q in bank]
    assert [q["order_index"] for q in created["questions"]] == [0, 1, 2]
    assert created["total_marks"] == 6 and created["question_count"] == 3
    assert created["duration_minutes"] == created["time_limit_minutes"] == 20
    assert created["classes"] == [{"id": school_class.id, "name": school_class.name,
                                   "section": school_class.section}]


def test_marks_overrides_and_duration_alias(testapp, teacher, auth, bank):
    body = quiz_body(duration_minutes=45)
    del body["time_limit_minutes"], body["question_ids"]
    body["questions"] = [{"question_id": bank[0].id, "marks_override": 10},
                         {"question_id": bank[1].id}]
    created = testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=201).json
    assert created["time_limit_minutes"] == 45
    assert [(q["marks"], q["marks_override"]) for q in created["questions"]] == \
        [(10, 10), (2, None)]
    assert created["total_marks"] == 12


def test_chosen_access_codes_are_validated_and_unique(testapp, teacher, auth):
    created = testapp.post_json("/api/quizzes", quiz_body(access_code=" math10 "),
                                headers=auth(teacher), status=201).json
    assert created["access_code"] == "MATH10"
    body = assert_error(testapp.post_json("/api/quizzes", quiz_body(access_code="Math10"),
                                          headers=auth(teacher), status=409), 409)
    assert body["reason"] == "access_code_taken"
    assert_error(testapp.post_json("/api/quizzes", quiz_body(access_code="no spaces"),
                                   headers=auth(teacher), status=400), 400)


@pytest.mark.parametrize("extra, field", [
    ({"start_date": "1969-07-20T20:17:00Z"}, "start_date"),
    ({"end_date": "2038-01-01T00:00:00Z"}, "end_date"),
    ({"start_date": "2030-01-02T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"}, "end_date"),
    ({"start_date": "not a date"}, "start_date"),
    ({"time_limit_minutes": 0}, "time_limit_minutes"),
    ({"passing_percentage": 101}, "passing_percentage"),
    ({"max_attempts": 0}, "max_attempts"),
    ({"randomize_options": "maybe"}, "randomize_options"),
    ({"title": ""}, "title"),
])
def test_bad_settings_are_a_400(testapp, teacher, auth, dbsession, extra, field):
    body = assert_error(testapp.post_json("/api/quizzes", quiz_body(**extra),
                                          headers=auth(teacher), status=400), 400)
    assert field in {e["name"] for e in body["errors"]}, body
    assert dbsession.query(Quiz).count() == 0


def test_totals_beyond_999_marks_are_a_400(testapp, teacher, auth):
    big = [factories.QuestionFactory(owner=teacher, marks=500) for _ in range(2)]
    assert_error(testapp.post_json("/api/quizzes", quiz_body(big), headers=auth(teacher),
                                   status=400), 400)
    body = quiz_body()
    body["questions"] = [{"question_id": big[0].id, "marks_override": 1000}]
    assert_error(testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=400), 400)


def test_foreign_questions_and_classes_are_refused(testapp, teacher, other_teacher, auth, bank,
                                                   school_class):
    assert_error(testapp.post_json("/api/quizzes", quiz_body(bank),
                                   headers=auth(other_teacher), status=400), 400)
    assert_error(testapp.post_json("/api/quizzes", quiz_body(classes=[school_class]),
                                   headers=auth(other_teacher), status=400), 400)
    assert_error(testapp.post_json("/api/quizzes", quiz_body([bank[0], bank[0]]),
                                   headers=auth(teacher), status=400), 400)
    both = quiz_body(bank)
    both["questions"] = [{"question_id": bank[0].id}]
    assert_error(testapp.post_json("/api/quizzes", both, headers=auth(teacher), status=400), 400)


def test_publish_refuses_an_empty_quiz_then_publishes(testapp, teacher, auth, bank, registry):
    created = testapp.post_json("/api/quizzes", quiz_body(), headers=auth(teacher)).json
    body = assert_error(testapp.post(f"/api/quizzes/{created['id']}/publish",
                                     headers=auth(teacher), status=409), 409)
    assert body["reason"] == "no_questions"
    testapp.put_json(f"/api/quizzes/{created['id']}", {"question_ids": [bank[0].id]},
                     headers=auth(teacher))
    seen = []
    registry.registerHandler(seen.append, (QuizPublished,))
    try:
        published = testapp.post(f"/api/quizzes/{created['id']}/publish",
                                 headers=auth(teacher)).json
        again = testapp.post(f"/api/quizzes/{created['id']}/publish",
                             headers=auth(teacher)).json
    finally:
        registry.unregisterHandler(seen.append, (QuizPublished,))
    assert published["access_code"] == created["access_code"]
    assert "already" in again["message"] and len(seen) == 1


def test_published_quiz_keeps_at_least_one_question(testapp, teacher, auth, bank):
    quiz = factories.QuizFactory(owner=teacher, questions=bank)
    body = assert_error(testapp.put_json(f"/api/quizzes/{quiz.id}", {"question_ids": []},
                                         headers=auth(teacher), status=409), 409)
    assert body["reason"] == "no_questions"


def test_questions_and_shuffle_settings_freeze_once_attempted(testapp, teacher, auth, bank,
                                                              school_class, student):
    quiz = factories.QuizFactory(owner=teacher, questions=bank, classes=[school_class])
    factories.QuizAttemptFactory(quiz=quiz, student=student)
    for change in ({"question_ids": [bank[0].id]}, {"randomize_options": True},
                   {"randomize_questions": True},
                   {"questions": [{"question_id": q.id, "marks_override": 5} for q in bank]}):
        body = assert_error(testapp.put_json(f"/api/quizzes/{quiz.id}", change,
                                             headers=auth(teacher), status=409), 409)
        assert body["reason"] == "quiz_has_attempts"
    # Other settings may still change; resending the same question list is no change.
    updated = testapp.put_json(f"/api/quizzes/{quiz.id}",
                               {"title": "Renamed", "time_limit_minutes": 40,
                                "question_ids": [q.id for q in bank], "end_date": None},
                               headers=auth(teacher)).json
    assert updated["title"] == "Renamed" and updated["end_date"] is None
    assert updated["attempt_count"] == 1


def test_update_changes_classes_and_code(testapp, teacher, auth, school_class, registry):
    other_class = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=other_class)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], status="draft")
    seen = []
    registry.registerHandler(seen.append, (EntityChanged,))
    try:
        updated = testapp.put_json(f"/api/quizzes/{quiz.id}",
                                   {"class_ids": [other_class.id], "access_code": "newcode"},
                                   headers=auth(teacher)).json
    finally:
        registry.unregisterHandler(seen.append, (EntityChanged,))
    assert [c["id"] for c in updated["classes"]] == [other_class.id]
    assert updated["access_code"] == "NEWCODE"
    assert seen[0].new == {"class_ids": [other_class.id], "access_code": "NEWCODE"}


def test_delete_rules(testapp, teacher, auth, bank, school_class, student, dbsession,
                      registry):
    quiz = factories.QuizFactory(owner=teacher, questions=bank, classes=[school_class])
    factories.QuizAttemptFactory(quiz=quiz, student=student)
    body = assert_error(testapp.delete(f"/api/quizzes/{quiz.id}", headers=auth(teacher),
                                       status=409), 409)
    assert body["reason"] == "quiz_has_attempts"
    archived = []
    registry.registerHandler(archived.append, (QuizArchived,))
    try:
        testapp.post(f"/api/quizzes/{quiz.id}/archive", headers=auth(teacher))
    finally:
        registry.unregisterHandler(archived.append, (QuizArchived,))
    assert len(archived) == 1
    quiz_id = quiz.id
    testapp.delete(f"/api/quizzes/{quiz_id}", headers=auth(teacher), status=200)
    dbsession.expire_all()
    assert dbsession.get(Quiz, quiz_id) is None


def test_teachers_see_only_their_own_quizzes(testapp, teacher, other_teacher, admin, auth):
    mine = factories.QuizFactory(owner=teacher, title="Mine", status="draft")
    factories.QuizFactory(owner=other_teacher, title="Theirs")
    listed = testapp.get("/api/quizzes", headers=auth(teacher)).json
    assert [q["id"] for q in listed["items"]] == [mine.id]
    assert "questions" not in listed["items"][0]
    assert_error(testapp.get(f"/api/quizzes/{mine.id}", headers=auth(other_teacher),
                             status=404), 404)
    assert_error(testapp.post(f"/api/quizzes/{mine.id}/publish", headers=auth(other_teacher),
                              status=404), 404)
    assert testapp.get("/api/quizzes", headers=auth(admin)).json["total"] == 2
    assert testapp.get("/api/quizzes?status=draft", headers=auth(admin)).json["total"] == 1
    assert testapp.get(f"/api/quizzes?teacher_id={other_teacher.id}",
                       headers=auth(admin)).json["total"] == 1
    assert testapp.get("/api/quizzes?search=MIN", headers=auth(admin)).json["total"] == 1


def test_students_list_published_quizzes_of_their_class_open_now(testapp, teacher, student,
                                                                 school_class, auth):
    now = utcnow()
    questions = [factories.QuestionFactory(owner=teacher)]
    open_quiz = factories.QuizFactory(owner=teacher, questions=questions,
                                      classes=[school_class], title="Open")
    factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                          status="draft", title="Draft")
    factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                          title="Later", start_date=now + dt.timedelta(days=1),
                          end_date=now + dt.timedelta(days=2))
    factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                          title="Over", start_date=now - dt.timedelta(days=2),
                          end_date=now - dt.timedelta(days=1))
    factories.QuizFactory(owner=teacher, questions=questions,
                          classes=[factories.ClassFactory()], title="Other class")
    listed = testapp.get("/api/quizzes?status=draft", headers=auth(student)).json
    assert [q["title"] for q in listed["items"]] == ["Open"]
    item = listed["items"][0]
    assert item["attempts_used"] == 0 and item["in_progress_attempt_id"] is None
    assert "access_code" not in item and "questions" not in item
    one = testapp.get(f"/api/quizzes/{open_quiz.id}", headers=auth(student)).json
    assert one["id"] == open_quiz.id and "questions" not in one


def test_student_access_by_code(testapp, teacher, student, other_student, school_class, auth):
    now = utcnow()
    questions = [factories.QuestionFactory(owner=teacher)]
    quiz = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                 access_code="OPEN42")
    found = testapp.get("/api/quizzes/access/open42", headers=auth(student)).json
    assert found["id"] == quiz.id and found["can_start"] is True
    assert found["question_count"] == 1 and "questions" not in found
    assert_error(testapp.get("/api/quizzes/access/NOPE99", headers=auth(student), status=404),
                 404)
    body = assert_error(testapp.get("/api/quizzes/access/OPEN42", headers=auth(other_student),
                                    status=403), 403)
    assert body["reason"] == "class_not_assigned"
    # Asked for by id, another class's quiz is simply not visible.
    assert_error(testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(other_student),
                             status=404), 404)
    factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                          access_code="LATER1", start_date=now + dt.timedelta(hours=2))
    body = assert_error(testapp.get("/api/quizzes/access/LATER1", headers=auth(student),
                                    status=403), 403)
    assert body["reason"] == "not_started" and body["start_date"].endswith("Z")
    factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                          access_code="ENDED1", end_date=now - dt.timedelta(minutes=1),
                          start_date=now - dt.timedelta(days=1))
    body = assert_error(testapp.get("/api/quizzes/access/ENDED1", headers=auth(student),
                                    status=403), 403)
    assert body["reason"] == "ended"
    factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                          access_code="DRAFT1", status="draft")
    assert_error(testapp.get("/api/quizzes/access/DRAFT1", headers=auth(student), status=404),
                 404)
    assert_error(testapp.get("/api/quizzes/access/OPEN42", headers=auth(teacher), status=403),
                 403)


def test_access_codes_that_look_like_actions_still_resolve(testapp, teacher, student,
                                                           school_class, auth):
    # /api/quizzes/access/<code> is routed before /api/quizzes/{id}/<action>.
    quiz = factories.QuizFactory(owner=teacher, questions=[factories.QuestionFactory(
        owner=teacher)], classes=[school_class], access_code="STARTS")
    assert testapp.get("/api/quizzes/access/STARTS", headers=auth(student)).json["id"] == \
        quiz.id


def test_archived_quiz_cannot_be_started(testapp, teacher, student, school_class, auth):
    quiz = factories.QuizFactory(owner=teacher, questions=[factories.QuestionFactory(
        owner=teacher)], classes=[school_class], status=QuizStatus.ARCHIVED)
    body = assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                                     status=403), 403)
    assert body["reason"] == "quiz_closed"


def test_admin_creates_quizzes_for_a_teacher(testapp, admin, teacher, auth, bank):
    created = testapp.post_json("/api/quizzes", quiz_body(bank, teacher_id=teacher.id),
                                headers=auth(admin), status=201).json
    assert created["created_by"] == teacher.id and created["teacher"]["id"] == teacher.id


def test_admin_owns_what_they_create_without_naming_a_teacher(testapp, admin, auth):
    own = testapp.post_json("/api/quizzes", quiz_body(), headers=auth(admin),
                            status=201).json
    assert own["created_by"] == admin.id
    again = testapp.post_json("/api/quizzes", quiz_body(teacher_id=admin.id),
                              headers=auth(admin), status=201).json
    assert again["created_by"] == admin.id
    assert testapp.get(f"/api/quizzes/{own['id']}", headers=auth(admin)).json["id"] == own["id"]


@pytest.mark.parametrize("date", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_dates_without_a_utc_equivalent_are_a_400(testapp, teacher, auth, date):
    body = assert_error(testapp.post_json("/api/quizzes", quiz_body(start_date=date),
                                          headers=auth(teacher), status=400), 400)
    assert body["errors"][0]["name"] == "start_date"


@pytest.mark.parametrize("path", ["/api/quizzes", "/api/questions", "/api/attempts"])
def test_absurd_pages_are_a_400_not_a_database_error(testapp, teacher, auth, path):
    assert_error(testapp.get(f"{path}?page=99999999999999999999", headers=auth(teacher),
                             status=400), 400)
    assert testapp.get(f"{path}?page=3&limit=5000", headers=auth(teacher)).json["limit"] == 100


def test_student_quiz_lookups_read_a_fixed_number_of_rows_sets(testapp, dbsession, teacher,
                                                               student, school_class, auth):
    """A whole class opens the exam by its code within seconds: the lookup must not load
    each question separately (its marks make up total_marks)."""
    import sqlalchemy as sa

    def statements_for(code, count):
        questions = [factories.QuestionFactory(owner=teacher, marks=2) for _ in range(count)]
        quiz = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                     access_code=code)
        dbsession.flush()
        dbsession.expire_all()
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        sa.event.listen(dbsession.get_bind(), "before_cursor_execute", before)
        try:
            by_code = testapp.get(f"/api/quizzes/access/{code}", headers=auth(student)).json
            by_code_count = len(seen)
            by_id = testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(student)).json
        finally:
            sa.event.remove(dbsession.get_bind(), "before_cursor_execute", before)
        assert by_code["total_marks"] == by_id["total_marks"] == 2 * count
        return by_code_count, len(seen) - by_code_count

    assert statements_for("FEWQZ2", 1) == statements_for("MANYQZ", 12)
