"""``POST /api/students/bulk-import`` and ``POST /api/questions/bulk-import``.

Both take a multipart form with the file in the field ``file`` (CSV or XLSX, recognised from
its content) and the query parameters ``dry_run`` and ``atomic``. They answer 200 with
``{"message", "imported", "failed", "errors": [{"row", "error", "column"}],
"imported_students" | "imported_questions": [...]}`` (plus ``rows``, ``dry_run``,
``atomic``, ``format``, ``ignored_columns``, ``import_id`` and, for students,
``classes_created``). A dry run answers exactly as the import would, status included, and
writes nothing.

Refusals use the API's JSON error body: 413 for a file over
``quizcore.csv_import.max_upload_bytes``; 400 for a file that cannot be imported at all
(not CSV/XLSX, not UTF-8, NUL bytes, an over-long line, too many rows, formulas, a missing
required column, an empty file or a header alone), with its ``errors`` naming rows and
cells; 400 for an atomic import with row errors, whose body also carries the report;
409 when concurrent changes kept colliding with the import (nothing written; a collision
is first retried, and the retry reports the other import's rows as duplicates).
"""

from __future__ import annotations

from pyramid import httpexceptions as exc
from pyramid_retry import mark_error_retryable
from sqlalchemy.exc import IntegrityError

from quizcore.domain.errors import Forbidden, Invalid
from quizcore.errors import bad_request, conflict, forbidden, http_error, not_found
from quizcore.rest import Service, validator

from . import questions, students
from .common import Actor, ImportReport, announce
from .reader import FileProblem, read_table
from .schemas import QuestionImportRequest, StudentImportRequest
from .settings import MAX_UPLOAD_BYTES, limits

MULTIPART = ("multipart/form-data",)
#: What a multipart body may add to its file (boundaries, part headers, other fields)
#: before the body alone is known to exceed the file limit.
MULTIPART_SLACK = 64 * 1024
#: Longest file name kept for the import's event.
MAX_FILE_NAME = 255

students_import = Service(
    name="csv_import_students", path="/api/students/bulk-import",
    description="Create students from a CSV or XLSX file (multipart field file). Columns: "
                "name, email, registration_number, class_name; optional section, "
                "academic_year, date_of_birth, parent_email, parent_phone. Administrators "
                "may import into any class (missing classes are created); teachers into "
                "their own classes only.")
questions_import = Service(
    name="csv_import_questions", path="/api/questions/bulk-import",
    description="Add questions to a question bank from a CSV or XLSX file (multipart field "
                "file). Columns: text, type, topic, difficulty, marks, options (separated "
                "by |) or option_a..option_j, correct_answer, accepted_answers, "
                "sample_answer, marking_rubric.")


def too_large(limit: int) -> exc.HTTPException:
    return http_error(exc.HTTPRequestEntityTooLarge,
                      f"The file is larger than {limit} bytes, the most this server imports. "
                      "Split it into smaller files.", "File too large", limit=limit)


def upload_validator(request, **kwargs) -> None:
    """Refuse an oversize body before reading it, read the multipart form without letting a
    malformed one become a 500, then validate the query string."""
    limit = request.registry.settings[MAX_UPLOAD_BYTES]
    length = request.content_length
    if length is not None and length > limit + MULTIPART_SLACK:
        raise too_large(limit)
    try:
        request.POST  # noqa: B018 - parses (and caches) the form
    except Exception as error:  # noqa: BLE001 - any failure of the form parser is bad input
        request.errors.add("body", "file", f"The multipart form could not be read ({error}).")
        return
    if not _options_from_form(request, kwargs.get("schema")):
        return
    validator(request, **kwargs)


def _options_from_form(request, schema) -> bool:
    """A browser's FormData sends the import's options (``dry_run``, ``atomic``,
    ``class_id``...) as form fields beside the file: they count as if they were in the
    query string. The same option in both with different values is refused (False, the
    error added), never silently resolved one way or the other."""
    query = schema.get("querystring") if schema is not None else None
    if query is None:
        return True
    ok = True
    for node in query.children:
        if node.name not in request.POST:
            continue
        value = request.POST.getall(node.name)
        if len(value) != 1 or not isinstance(value[0], str):
            request.errors.add("body", node.name, f"{node.name} is sent once, as text.")
            ok = False
        elif node.name in request.GET and request.GET[node.name] != value[0]:
            request.errors.add("querystring", node.name,
                               f"{node.name} is both in the query string and in the form, "
                               "with different values; send it once.")
            ok = False
        else:
            request.GET[node.name] = value[0]
    return ok


def read_upload(request) -> tuple[bytes, str | None]:
    """The uploaded file's bytes and name; 400 without a file, 413 above the limit."""
    upload = request.POST.get("file")
    if upload is None or not hasattr(upload, "file"):
        raise bad_request("Send the file as multipart/form-data in a field named file.",
                          name="file")
    limit = request.registry.settings[MAX_UPLOAD_BYTES]
    upload.file.seek(0)
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    name = upload.filename
    return data, name[:MAX_FILE_NAME] if isinstance(name, str) else None


def file_problem(problem: FileProblem) -> exc.HTTPException:
    errors = [{"row": p.row, "error": p.error, **({"column": p.column} if p.column else {}),
               "location": "body", "name": "file",
               "description": f"row {p.row}: {p.error}"} for p in problem.problems]
    if not errors:
        errors = [{"location": "body", "name": "file", "description": problem.message}]
    return http_error(exc.HTTPBadRequest, problem.message, "Invalid file", errors=errors)


def respond(request, report: ImportReport, entity_type: str, file_name: str | None) -> dict:
    body = report.json()
    if report.refused:
        body.pop("message")
        errors = [error.api_error() for error in report.errors]
        body.pop("errors")
        raise http_error(exc.HTTPBadRequest, report.message(), "Import refused",
                         errors=errors, **body)
    announce(request.dbsession, report, entity_type, file_name,
             actor_id=request.authenticated_userid)
    return body


def run_import(request, aliases, importer) -> tuple[ImportReport, str | None]:
    """Read the upload and run ``importer(table)``, turning refusals into JSON errors."""
    data, file_name = read_upload(request)
    try:
        table = read_table(data, aliases, limits(request.registry.settings))
        return importer(table), file_name
    except FileProblem as problem:
        raise file_problem(problem) from None
    except IntegrityError:
        # The checks ran in this transaction; another one created (or deleted) a
        # conflicting row meanwhile. The whole import rolls back with this error, and
        # pyramid_retry runs the request again in a new transaction, whose checks then see
        # the other import's rows and report them per row. The last attempt answers 409.
        error = conflict("The school's records changed while the file was imported "
                         "(another import or edit added a conflicting account or class); "
                         "nothing was imported. Run the import again.")
        mark_error_retryable(error)
        raise error from None


@students_import.post(permission="teach", schema=StudentImportRequest(),
                      validators=(upload_validator,), content_type=MULTIPART)
def import_students_view(request):
    """Rows without class_name go to the class ``class_id`` names, if given. A teacher's
    rows must name one of their classes; a class unknown to them is a row error."""
    query = request.validated["querystring"]
    actor = Actor.of(request.user)
    session = request.dbsession
    default_class = None
    if "class_id" in query:
        default_class = students.default_class_for(session, actor, query["class_id"])
        if default_class is None:
            raise not_found("Class")
    report, file_name = run_import(request, students.ALIASES, lambda table: (
        students.import_students(session, table, actor=actor, dry_run=query["dry_run"],
                                 atomic=query["atomic"], default_class=default_class)))
    return respond(request, report, "student", file_name)


@questions_import.post(permission="teach", schema=QuestionImportRequest(),
                       validators=(upload_validator,), content_type=MULTIPART)
def import_questions_view(request):
    """Questions join the teacher's own bank; administrators may name ``teacher_id``."""
    query = request.validated["querystring"]
    session = request.dbsession
    try:
        owner_id = questions.question_owner(session, Actor.of(request.user),
                                            query.get("teacher_id"),
                                            create_profile=not query["dry_run"])
    except Forbidden as refusal:
        raise forbidden(refusal.message) from None
    except Invalid as invalid:
        raise bad_request(invalid.message, name=invalid.field or "",
                          location="querystring") from None
    report, file_name = run_import(request, questions.ALIASES, lambda table: (
        questions.import_questions(session, table, owner_id=owner_id,
                                   dry_run=query["dry_run"], atomic=query["atomic"])))
    return respond(request, report, "question", file_name)
