"""A running exam a teacher acts on (extend, force-submit, reopen), for the plugins that
record or announce those actions."""

from __future__ import annotations

from tests import factories


def teacher_actions(testapp, auth, teacher, school_class) -> dict:
    """Two students start a one-question quiz; the teacher extends the first attempt,
    force-submits the second, then reopens it. Returns the people and attempt ids."""
    question = factories.QuestionFactory(owner=teacher, correct_answer=1)
    quiz = factories.QuizFactory(owner=teacher, questions=[question], classes=[school_class])
    ada = factories.StudentFactory(school_class=school_class)
    bob = factories.StudentFactory(school_class=school_class)
    start = f"/api/quizzes/{quiz.id}/start"
    ada_attempt = testapp.post(start, headers=auth(ada)).json["attempt_id"]
    bob_attempt = testapp.post(start, headers=auth(bob)).json["attempt_id"]
    testapp.post_json(f"/api/attempts/{ada_attempt}/extend", {"minutes": 10},
                      headers=auth(teacher))
    testapp.post_json(f"/api/attempts/{bob_attempt}/force-submit",
                      {"reason": "Phone on the desk"}, headers=auth(teacher))
    testapp.post(f"/api/attempts/{bob_attempt}/reopen", headers=auth(teacher))
    return {"quiz": quiz, "ada": ada, "bob": bob, "ada_attempt": ada_attempt,
            "bob_attempt": bob_attempt}
