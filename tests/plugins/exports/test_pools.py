"""Results and attempt PDFs of a quiz with sections: each attempt's own paper."""

import pytest

from quiz_plugins.exports import attempt_pdf, results
from quizcore.models import AttemptQuestion, QuizAttempt, QuizSection
from tests import factories
from tests.documents import pdf_text
from tests.plugins.exam import save, start, submit

# Scores come from the grading plugin, which marks each paper at submission.
pytestmark = [pytest.mark.plugin("quiz_plugins.exports"),
              pytest.mark.plugin("quiz_plugins.grading")]


def test_results_and_attempt_pdf_follow_each_paper(testapp, auth, teacher, school_class,
                                                   dbsession):
    pool = [factories.QuestionFactory(owner=teacher, topic="Pool", correct_answer=1,
                                      text=f"Pooled question {i}") for i in range(4)]
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class])
    dbsession.add(QuizSection(quiz_id=quiz.id, position=0, title="Pool", draw=2,
                              marks_each=3, pool={"topic": "Pool"}))
    dbsession.flush()
    papers = {}
    for _ in range(3):
        student = factories.StudentFactory(school_class=school_class)
        attempt_id = start(testapp, quiz, student, auth)
        paper = [row.question_id for row in dbsession.query(AttemptQuestion)
                 .filter_by(attempt_id=attempt_id).order_by(AttemptQuestion.position)]
        first = next(q for q in pool if q.id == paper[0])
        save(testapp, attempt_id, student, auth, first, answer_option=1)
        submit(testapp, attempt_id, student, auth)
        papers[attempt_id] = paper

    loaded = results.load_results(dbsession, quiz)
    assert loaded.total_marks == 6
    listed = [q.question_id for q in loaded.questions]
    assert set(listed) == {qid for paper in papers.values() for qid in paper}
    for row in loaded.rows:
        assert {listed[i] for i in row.drawn} == set(papers[row.attempt_id])
        assert row.score == 3 and row.total_marks == 6
    for entry, question in zip(loaded.question_success(), loaded.questions, strict=True):
        drew = [a for a, paper in papers.items() if question.question_id in paper]
        firsts = [a for a in drew if papers[a][0] == question.question_id]
        assert entry["success_rate"] == round(100 * len(firsts) / len(drew), 2)

    stored = dbsession.get(QuizAttempt, loaded.rows[0].attempt_id)
    report = attempt_pdf.load_attempt_report(dbsession, stored,
                                             attempt_pdf.report_policy(teacher, stored))
    texts = [next(q.text for q in pool if q.id == qid) for qid in papers[stored.id]]
    assert [entry.text for entry in report.answers] == texts
    assert [entry.marks for entry in report.answers] == [3, 3]
    text = pdf_text(attempt_pdf.render_attempt_pdf(report))
    assert all(t in text for t in texts)
