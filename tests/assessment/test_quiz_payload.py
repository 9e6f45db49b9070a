"""The student view of a quiz: built once, cached in Redis, dropped on change, optional."""

import json

import redis as redis_lib
import webtest
from pyramid.scripting import prepare

from quizcore.domain import quiz_payload
from quizcore.models import StudentAnswer
from tests import factories
from tests.conftest import base_settings, build_app
from tests.helpers import auth_headers

from .conftest import quiz_questions


def start(testapp, quiz, student, auth, status=(200, 201)):
    return testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                        status=status).json


def test_the_view_is_built_once_and_served_from_redis(testapp, quiz, student, auth, redis):
    start(testapp, quiz, student, auth)
    key = quiz_payload.cache_key(quiz.id)
    cached = json.loads(redis.get(key))
    assert len(cached["questions"]) == 4 and 0 < redis.ttl(key) <= 3600
    # Prove the next start reads Redis: a marker written into the cached copy comes back.
    cached["quiz"]["title"] = "served from the cache"
    redis.set(key, json.dumps(cached))
    assert start(testapp, quiz, student, auth)["quiz"]["title"] == "served from the cache"


def test_autosave_does_not_need_the_cached_view(testapp, quiz, student, auth, redis,
                                                dbsession):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    redis.delete(quiz_payload.cache_key(quiz.id))
    short = quiz_questions(dbsession, quiz)[2]
    testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                      {"question_id": short.id, "answer_text": "Paris"},
                      headers=auth(student))
    assert not redis.exists(quiz_payload.cache_key(quiz.id))  # not rebuilt
    assert dbsession.query(StudentAnswer).filter_by(attempt_id=attempt_id).count() == 1


def test_quiz_changes_drop_the_cached_view(testapp, quiz, teacher, student, auth, redis):
    start(testapp, quiz, student, auth)
    testapp.put_json(f"/api/quizzes/{quiz.id}", {"title": "Renamed"}, headers=auth(teacher))
    assert not redis.exists(quiz_payload.cache_key(quiz.id))
    assert start(testapp, quiz, student, auth)["quiz"]["title"] == "Renamed"


def test_question_edits_drop_the_views_of_quizzes_using_it(testapp, teacher, school_class,
                                                           student, auth, redis):
    question = factories.QuestionFactory(owner=teacher, text="Old wording")
    quiz = factories.QuizFactory(owner=teacher, questions=[question], classes=[school_class])
    redis_key = quiz_payload.cache_key(quiz.id)
    # Build the cache without creating an attempt (which would freeze the question).
    env = prepare(registry=testapp.app.registry)
    try:
        with env["request"].tm:
            quiz_payload.student_view(env["request"].dbsession, quiz.id)
    finally:
        env["closer"]()
    assert redis.exists(redis_key)
    testapp.put_json(f"/api/questions/{question.id}", {"text": "New wording"},
                     headers=auth(teacher))
    assert not redis.exists(redis_key)
    body = start(testapp, quiz, student, auth)
    assert body["questions"][0]["text"] == "New wording"


def test_a_view_built_from_stale_data_is_not_cached(domain_request, quiz, redis):
    view = quiz_payload.build_student_view(domain_request.dbsession, quiz.id)
    generation = redis.get(quiz_payload.generation_key(quiz.id))
    quiz_payload.invalidate(redis, [quiz.id])  # the quiz changed while the view was built
    quiz_payload._store(redis, view, generation, 60)
    assert not redis.exists(quiz_payload.cache_key(quiz.id))
    quiz_payload._store(redis, view, redis.get(quiz_payload.generation_key(quiz.id)), 60)
    assert redis.exists(quiz_payload.cache_key(quiz.id))


def test_rolled_back_changes_do_not_drop_the_view(domain_request, quiz, redis):
    quiz_payload.student_view(domain_request.dbsession, quiz.id)
    quiz_payload.invalidate_after_commit(domain_request.dbsession, [quiz.id])
    domain_request.tm.abort()
    domain_request.tm.begin()
    assert redis.exists(quiz_payload.cache_key(quiz.id))


def app_in_this_test(registry, settings, engine, redis_client=None):
    """Another app sharing the test's rolled-back connection (as the ``connection`` fixture
    arranges for the apps built before the test)."""
    app = build_app(settings, engine, redis_client)
    app.registry["dbsession_factory"] = registry["dbsession_factory"]
    return app


def test_without_redis_quizzes_are_taken_all_the_same(database_url, engine, dbsession, quiz,
                                                      student, registry):
    dead = "redis://127.0.0.1:1/0"
    app = app_in_this_test(registry, base_settings(database_url, dead), engine,
                           redis_lib.Redis.from_url(dead, socket_connect_timeout=0.2,
                                                    decode_responses=True))
    client = webtest.TestApp(app)
    headers = auth_headers(app.registry, student)
    body = client.post(f"/api/quizzes/{quiz.id}/start", headers=headers, status=201).json
    assert len(body["questions"]) == 4
    short = quiz_questions(dbsession, quiz)[2]
    client.post_json(f"/api/attempts/{body['attempt_id']}/answer",
                     {"question_id": short.id, "answer_text": "Paris"},
                     headers={**headers, "Idempotency-Key": "k1"}, status=200)
    client.post(f"/api/attempts/{body['attempt_id']}/submit", headers=headers, status=200)


def test_caching_can_be_switched_off(database_url, redis_url, engine, dbsession, quiz, student,
                                     redis, registry):
    app = app_in_this_test(registry, base_settings(
        database_url, redis_url, **{"quizcore.quiz_payload_cache_seconds": "0"}), engine)
    webtest.TestApp(app).post(f"/api/quizzes/{quiz.id}/start",
                              headers=auth_headers(app.registry, student), status=201)
    assert not redis.exists(quiz_payload.cache_key(quiz.id))
