"""A stand-in grading plugin for tests: one mark per answered question, registered through
the core's ``set_attempt_grader`` directive exactly as the grading plugin does."""

from quizcore.domain.grading import GradeOutcome, percentage_of


def grade(context):
    score = sum(item.marks for item in context.questions
                if item.question.id in context.answers)
    return GradeOutcome(score=score, total_marks=context.total_marks,
                        percentage=percentage_of(score, context.total_marks))


def includeme(config):
    config.set_attempt_grader(grade)
