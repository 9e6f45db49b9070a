"""Rules of quizzes built with their questions inline, of the status a body asks for and of
new access codes (:mod:`quizcore.domain.inline_questions`, :mod:`quizcore.domain.quizzes`),
called directly."""

from __future__ import annotations

import pytest

from quizcore.domain import access_codes, inline_questions
from quizcore.domain import quizzes as rules
from quizcore.domain.errors import Conflict, Invalid
from quizcore.domain.inline_questions import NewQuestion, QuestionRef
from quizcore.events import EntityChanged
from quizcore.models import Question, QuestionType, Quiz, QuizStatus
from tests import factories

UUID = "0b6f8a52-5a2e-4c8e-9a55-3b4e2f1d7c10"
MCQ = {"type": "mcq", "text": "2 + 2?", "marks": 1, "options": ["3", "4"], "correct_answer": 1}
SETTINGS = {"title": "Sums", "subject": "Mathematics", "time_limit_minutes": 10}


def test_entries_name_bank_questions_or_new_ones():
    entries = inline_questions.entries_of([
        {"question_id": UUID, "marks_override": 3},
        {"id": UUID.upper(), "text": "ignored: the bank's question counts"},
        {"id": "q1767225600000", **MCQ},
        {**MCQ, "marks_override": 2},
        {"id": "", **MCQ},
    ])
    assert entries[:2] == [QuestionRef(UUID, 3), QuestionRef(UUID.upper())]
    assert [type(e) for e in entries[2:]] == [NewQuestion] * 3
    assert [(e.position, e.marks_override) for e in entries[2:]] == [(2, None), (3, 2),
                                                                    (4, None)]
    assert inline_questions.has_new(entries) and not inline_questions.has_new(entries[:2])


def test_aliases_fill_only_missing_canonical_fields():
    assert inline_questions.with_aliases({"correctAnswer": 2, "modelAnswer": "M"}) == {
        "correct_answer": 2, "sample_answer": "M"}
    assert inline_questions.with_aliases({"correctAnswer": 2, "correct_answer": 0}) == {
        "correct_answer": 0}
    short = inline_questions.with_aliases({"type": "short_answer", "modelAnswer": "Paris"})
    assert short["accepted_answers"] == ["Paris"] and short["sample_answer"] == "Paris"
    kept = inline_questions.with_aliases({"type": "short_answer", "modelAnswer": "Paris",
                                          "accepted_answers": ["paris", "PARIS"]})
    assert kept["accepted_answers"] == ["paris", "PARIS"]
    assert "accepted_answers" not in inline_questions.with_aliases(
        {"type": "short_answer", "modelAnswer": "  "})
    assert "accepted_answers" not in inline_questions.with_aliases(
        {"type": "short_answer", "sample_answer": "Paris"})  # the canonical spelling


def test_new_questions_join_the_owners_bank(domain_request, teacher, registry):
    session = domain_request.dbsession
    bank_question = factories.QuestionFactory(owner=teacher)
    entries = [NewQuestion({**MCQ, "correctAnswer": 0, "correct_answer": None}, 2, 0),
               QuestionRef(bank_question.id),
               NewQuestion({"type": "descriptive", "text": "Why?", "marks": 4,
                            "modelAnswer": "Because."}, None, 2)]
    seen = []
    registry.registerHandler(seen.append, (EntityChanged,))
    try:
        refs = inline_questions.add_to_bank(session, entries, teacher.id, actor_id=teacher.id)
    finally:
        registry.unregisterHandler(seen.append, (EntityChanged,))
    assert refs[1] == QuestionRef(bank_question.id) and refs[0].marks_override == 2
    mcq, essay = session.get(Question, refs[0].question_id), session.get(Question,
                                                                         refs[2].question_id)
    assert mcq.created_by == essay.created_by == teacher.id
    assert mcq.correct_answer == 0  # the alias fills a field sent as null
    assert essay.type == QuestionType.DESCRIPTIVE and essay.sample_answer == "Because."
    # Announced as from POST /api/questions (the audit log records them).
    assert [(e.action, e.entity_type, e.entity_id, e.actor_id) for e in seen] == [
        ("create", "question", mcq.id, teacher.id), ("create", "question", essay.id, teacher.id)]


def test_one_bad_new_question_stores_none(domain_request, teacher):
    session = domain_request.dbsession
    before = session.query(Question).count()
    entries = [NewQuestion(MCQ, None, 0), NewQuestion({**MCQ, "correct_answer": 5}, None, 1)]
    with pytest.raises(Invalid) as refused:
        inline_questions.add_to_bank(session, entries, teacher.id)
    assert refused.value.field == "questions.1.correct_answer"
    assert refused.value.message.startswith("Question 2: ")
    assert session.query(Question).count() == before


def test_create_quiz_with_inline_questions(domain_request, teacher, school_class):
    session = domain_request.dbsession
    quiz = rules.create_quiz(session, owner_id=teacher.id, settings=SETTINGS,
                             questions=inline_questions.entries_of([MCQ, {**MCQ, "text": "1?"}]),
                             class_ids=[school_class.id], access_code=None,
                             restrict_to_owner=True, actor_id=teacher.id)
    assert [link.question.text for link in quiz.quiz_questions] == ["2 + 2?", "1?"]
    assert {link.question.created_by for link in quiz.quiz_questions} == {teacher.id}
    assert quiz.status == QuizStatus.DRAFT


def test_a_bad_setting_is_refused_before_any_question_is_stored(domain_request, teacher):
    session = domain_request.dbsession
    before = session.query(Question).count()
    with pytest.raises(Invalid):
        rules.create_quiz(session, owner_id=teacher.id, settings={**SETTINGS,
                                                                  "time_limit_minutes": 0},
                          questions=[NewQuestion(MCQ)], class_ids=[], access_code=None,
                          restrict_to_owner=True)
    assert session.query(Question).count() == before


def test_a_started_quiz_refuses_new_questions_before_storing_them(domain_request, teacher,
                                                                  quiz, student):
    factories.QuizAttemptFactory(quiz=quiz, student=student)
    session = domain_request.dbsession
    quiz = session.get(Quiz, quiz.id)
    before = session.query(Question).count()
    with pytest.raises(Conflict):
        rules.update_quiz(session, quiz, settings={},
                          questions=[*rules.question_refs_of(quiz), NewQuestion(MCQ)],
                          class_ids=None, access_code=None, restrict_to_owner=True)
    assert session.query(Question).count() == before
    # The same list again is no change at all.
    assert rules.update_quiz(session, quiz, settings={}, questions=rules.question_refs_of(quiz),
                             class_ids=None, access_code=None, restrict_to_owner=True) == ({}, {})


def test_the_status_a_body_asks_for(domain_request, teacher, school_class):
    session = domain_request.dbsession
    empty = session.get(Quiz, factories.QuizFactory(owner=teacher, status=QuizStatus.DRAFT).id)
    with pytest.raises(Conflict):
        rules.move_to_status(session, empty, "published")
    assert rules.move_to_status(session, empty, "draft") is False
    assert rules.move_to_status(session, empty, None) is False
    with pytest.raises(Invalid):
        rules.move_to_status(session, empty, "deleted")
    quiz = session.get(Quiz, factories.QuizFactory(
        owner=teacher, status=QuizStatus.DRAFT,
        questions=[factories.QuestionFactory(owner=teacher)]).id)
    assert rules.move_to_status(session, quiz, "published") is True
    assert quiz.status == QuizStatus.PUBLISHED
    assert rules.move_to_status(session, quiz, "published") is False
    assert rules.move_to_status(session, quiz, "draft") is False  # never back to draft
    assert quiz.status == QuizStatus.PUBLISHED
    assert rules.move_to_status(session, quiz, "archived") is True
    assert quiz.status == QuizStatus.ARCHIVED


def test_a_new_access_code(domain_request, teacher):
    session = domain_request.dbsession
    quiz = session.get(Quiz, factories.QuizFactory(owner=teacher).id)
    codes = {quiz.access_code}
    for _ in range(5):
        old, new = rules.new_access_code(session, quiz)
        assert old in codes and new not in codes and quiz.access_code == new
        assert access_codes.code_problem(new) is None
        assert set(new) <= set(access_codes.ALPHABET)
        codes.add(new)
    assert not rules.code_taken(session, new, except_quiz_id=quiz.id)
