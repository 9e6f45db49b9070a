"""Query strings of the import endpoints (the file itself is the multipart field ``file``)."""

from __future__ import annotations

import colander

from quizcore.schemas.types import flag_field, uuid_field

DRY_RUN = "true: check every row and answer as the import would, without writing anything"
ATOMIC = ("true: all or nothing; any row error and nothing is written (400 listing the "
          "errors). Otherwise the valid rows are written and the others reported")


class ImportQuery(colander.MappingSchema):
    dry_run = flag_field(missing=False, description=DRY_RUN)
    atomic = flag_field(missing=False, description=ATOMIC)


class StudentImportQuery(ImportQuery):
    class_id = uuid_field(missing=colander.drop,
                          description="class of the rows whose class_name is blank (one the "
                                      "user may manage)")


class QuestionImportQuery(ImportQuery):
    teacher_id = uuid_field(missing=colander.drop,
                            description="administrators: the teacher whose bank gets the "
                                        "questions (default: their own)")


class StudentImportRequest(colander.MappingSchema):
    querystring = StudentImportQuery()


class QuestionImportRequest(colander.MappingSchema):
    querystring = QuestionImportQuery()
