"""``POST /api/questions/import`` and ``GET /api/questions/export`` (Moodle XML, GIFT, QTI).

Import: multipart field ``file``; query ``format`` (moodle_xml | gift | qti), ``dry_run``,
``atomic``, ``teacher_id`` (administrators). 200 with ``{"imported", "skipped",
"warnings", "errors", "imported_questions": [{"source", "id", "type", "text", "marks",
"topic", "warnings"}], "skipped_questions": [{"question", "source", "type", "reason"}],
"message", "format", "dry_run", "atomic", "import_id"}``. A question of a type this bank does
not take is skipped, never a failed import. A file that cannot be read safely (DTD or
entities, malformed or truncated XML, wrong encoding, zip bomb, zip slip, oversized
attributes, too many questions) is a 400 in the API's error format, 413 above the upload
limit, and nothing is written; an atomic import with question errors is a 400 carrying the
report.

Export: query ``format``, ``topic``, ``quiz_id``, ``teacher_id`` (administrators; without it
an administrator exports every bank). A download with ``Content-Disposition``.
"""

from __future__ import annotations

import colander
from pyramid import httpexceptions as exc

from quizcore.documents.files import Download, file_name, response
from quizcore.domain import visibility
from quizcore.domain.errors import Forbidden, Invalid
from quizcore.errors import bad_request, forbidden, http_error, not_found
from quizcore.events import EntityChanged, emit
from quizcore.models import Quiz, Teacher
from quizcore.rest import Service, validator
from quizcore.schemas.types import flag_field, uuid_field

from ..common import Actor
from ..questions import question_owner
from ..schemas import ATOMIC, DRY_RUN
from ..views import MULTIPART, read_upload, upload_validator
from . import bank
from .safety import InterchangeFileProblem
from .settings import interchange_limits

FORMATS = tuple(bank.READERS)

interchange_import = Service(
    name="interchange_import", path="/api/questions/import",
    description="Add questions to a question bank from a Moodle XML, GIFT or QTI (1.2 / 2.1, "
                "XML or zip package) file (multipart field file); a per-question report.")
interchange_export = Service(
    name="interchange_export", path="/api/questions/export",
    description="Download a question bank, a topic or a quiz's questions as Moodle XML, GIFT "
                "or a QTI 2.1 package.")


def _format_node() -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), name="format",
                               validator=colander.OneOf(FORMATS),
                               description=" | ".join(FORMATS))


class ImportQuery(colander.MappingSchema):
    format = _format_node()
    dry_run = flag_field(missing=False, description=DRY_RUN)
    atomic = flag_field(missing=False, description=ATOMIC)
    teacher_id = uuid_field(missing=colander.drop,
                            description="administrators: the teacher whose bank gets the "
                                        "questions (default: their own)")


class ImportRequest(colander.MappingSchema):
    querystring = ImportQuery()


class ExportQuery(colander.MappingSchema):
    format = _format_node()
    topic = colander.SchemaNode(colander.String(), missing=colander.drop,
                                validator=colander.Length(max=100),
                                description="only this topic's questions")
    quiz_id = uuid_field(missing=colander.drop, description="only this quiz's questions")
    teacher_id = uuid_field(missing=colander.drop,
                            description="administrators: whose bank (default: every bank)")


class ExportRequest(colander.MappingSchema):
    querystring = ExportQuery()


def file_refused(problem: InterchangeFileProblem) -> exc.HTTPException:
    return http_error(exc.HTTPBadRequest, problem.message, "Invalid file",
                      errors=[{"location": "body", "name": "file",
                               "description": problem.message}])


@interchange_import.post(permission="teach", schema=ImportRequest(),
                         validators=(upload_validator,), content_type=MULTIPART)
def import_view(request):
    query = request.validated["querystring"]
    session = request.dbsession
    try:
        owner_id = question_owner(session, Actor.of(request.user), query.get("teacher_id"),
                                  create_profile=not query["dry_run"])
    except Forbidden as refusal:
        raise forbidden(refusal.message) from None
    except Invalid as invalid:
        raise bad_request(invalid.message, name=invalid.field or "",
                          location="querystring") from None
    data, source = read_upload(request)
    limits = interchange_limits(request.registry.settings)
    try:
        questions = list(bank.READERS[query["format"]](data, limits))
        report = bank.import_questions(session, questions, owner_id=owner_id,
                                       file_format=query["format"], limits=limits,
                                       dry_run=query["dry_run"], atomic=query["atomic"])
    except InterchangeFileProblem as problem:
        raise file_refused(problem) from None
    body = report.json()
    if report.refused:
        body.pop("message")
        errors = body.pop("errors")
        raise http_error(exc.HTTPBadRequest, report.message(), "Import refused",
                         errors=errors, **body)
    announce(session, report, source, actor_id=request.authenticated_userid)
    return body


def announce(session, report: bank.InterchangeReport, source: str | None, *,
             actor_id: str | None) -> None:
    """One summary ``EntityChanged(action="import", entity_type="question")`` per written
    import, as the CSV import announces."""
    if report.dry_run or report.refused or not report.imported:
        return
    emit(session, EntityChanged(
        actor_id=actor_id, action="import", entity_type="question", entity_id=report.import_id,
        new={"count": len(report.imported), "ids": [item["id"] for item in report.imported],
             "skipped": len(report.skipped), "failed_rows": len(report.errors),
             "file_name": source, "format": report.format}))


@interchange_export.get(permission="teach", schema=ExportRequest(), validators=(validator,))
def export_view(request):
    query = request.validated["querystring"]
    session = request.dbsession
    user = request.user
    owner_id: str | None = user.id
    if visibility.is_admin(user):
        owner_id = query.get("teacher_id")
        if owner_id is not None and session.get(Teacher, owner_id) is None:
            raise bad_request("teacher_id is not a teacher.", name="teacher_id",
                              location="querystring")
    elif query.get("teacher_id") not in (None, user.id):
        raise forbidden("Only administrators export another teacher's bank.")
    title = None
    if "quiz_id" in query:
        quiz = session.get(Quiz, query["quiz_id"])
        if quiz is None or not visibility.manages(user, quiz):
            raise not_found("Quiz")
        title = quiz.title
        owner_id = None  # a quiz's questions, whoever's bank holds them
    questions = bank.export_questions(session, owner_id=owner_id, topic=query.get("topic"),
                                      quiz_id=query.get("quiz_id"))
    content, _ = bank.write(query["format"], questions)
    extension, content_type = bank.EXTENSIONS[query["format"]]
    return response(Download(file_name("questions", title or query.get("topic"),
                                       extension=extension), content_type, body=content))
