"""The anti-cheat API: exam pages report violations, teachers read the summary."""

from __future__ import annotations

from quizcore.errors import bad_request, committing_refusals, not_found
from quizcore.models import Quiz, Role, Severity
from quizcore.rest import Service, iso, validator

from .policy import Policy, metadata_problem, parse_type
from .schemas import QuizViolationsRequest, ViolationRequest
from .violations import Report, quiz_summary, record_violation

POLICY_KEY = "quizcore.anticheat.policy"

attempt_violations = Service(
    name="anticheat_attempt_violations", path="/api/attempts/{id}/violations",
    description="The exam page reports a violation of the student's own attempt in progress. "
                "Reports of the same type within the debounce window are stored but not "
                "counted; the report that reaches the threshold auto-submits (and grades) "
                "the attempt. 409 once the attempt has ended (reason submitted | time_over).")
quiz_violations = Service(
    name="anticheat_quiz_violations", path="/api/quizzes/{id}/violations",
    description="Violations of a quiz's attempts by type and by student (owner or admin).")



@attempt_violations.post(permission="study", schema=ViolationRequest(),
                         validators=(validator,), content_type=("application/json",))
# Refusals are answered, not raised: the refusal of a report whose time is over commits the
# attempt's lazy submission; the other refusals have written nothing.
@committing_refusals
def report_violation(request):
    """Record a violation. Answers ``total_violations`` (the attempt's counted reports),
    ``auto_submit`` (this report ended the attempt), ``counted`` (false: a debounced repeat).
    """
    body = request.validated["body"]
    policy: Policy = request.registry[POLICY_KEY]
    problem = metadata_problem(body.get("metadata"), policy.max_metadata_bytes)
    if problem:
        raise bad_request(problem, name="metadata")
    kind = parse_type(body["violation_type"])
    report = Report(kind, body.get("question_index"),
                    Severity(body["severity"]) if "severity" in body else None,
                    body.get("metadata"))
    return record_and_answer(request, report)


def record_and_answer(request, report: Report) -> dict:
    """Record ``report`` for the signed-in student's attempt ``{id}`` and answer what
    ``POST /api/attempts/{id}/violations`` answers."""
    policy: Policy = request.registry[POLICY_KEY]
    recorded = record_violation(request.dbsession, request.validated["path"]["id"],
                                request.identity, report, policy)
    submission = recorded.submission
    if recorded.auto_submitted:
        message = "Violation recorded; the attempt was submitted automatically."
    elif recorded.counted:
        message = "Violation recorded."
    else:
        message = "Violation recorded (a repeat within the debounce window; not counted)."
    return {
        "message": message, "total_violations": recorded.total_violations,
        "auto_submit": recorded.auto_submitted, "counted": recorded.counted,
        "violation_type": report.violation_type.value, "threshold": policy.threshold,
        "detected_at": iso(recorded.violation.detected_at),
        "attempt_status": str(submission.status) if submission else "in_progress",
        "score": submission.score if submission else None,
    }


@quiz_violations.get(permission="teach", schema=QuizViolationsRequest(),
                     validators=(validator,))
def get_quiz_violations(request):
    """The quiz's violations: ``by_type`` and ``by_student`` (counted, and every report)."""
    quiz = request.dbsession.get(Quiz, request.validated["path"]["id"])
    user = request.user
    if quiz is None or (user.role != Role.ADMIN and quiz.created_by != user.id):
        raise not_found("Quiz")
    summary = quiz_summary(request.dbsession, quiz)
    for entry in summary["by_student"]:
        entry["last_detected_at"] = iso(entry["last_detected_at"])
    return summary


SERVICES = (attempt_violations, quiz_violations)
