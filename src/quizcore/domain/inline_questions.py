"""Questions written inside a quiz: the entries of a quiz's ``questions`` list.

A quiz's ``questions`` list (``POST``/``PUT /api/quizzes``) names its questions in order.
Each entry is one of:

* a question of the bank: ``{"question_id", "marks_override"?}``, or ``{"id", ...}`` with
  the question's UUID (the spelling of the Quizmaster SPA, which sends whole question
  objects). Only the id and ``marks_override`` count: the rest of the object is the bank's
  business (edit a bank question with ``PUT /api/questions/{id}``);
* a new question: the fields of ``POST /api/questions`` (``text``, ``type``, ``marks``,
  ``options``, ``correct_answer``...), without an id, or with an id that is not a UUID
  (a client's placeholder such as ``"q1700000000000"``). It is added to the quiz owner's
  bank in the same transaction as the quiz, checked by
  :func:`quizcore.domain.questions.clean_question`; one bad question refuses the whole
  request (400 naming ``questions.<index>.<field>``) and nothing is written.

Spellings of earlier clients accepted in a new question (API.md "Leniency"), never instead
of a canonical field sent with a value: ``correctAnswer`` for ``correct_answer``,
``modelAnswer`` for ``sample_answer``. A ``short_answer`` question sent with a
``modelAnswer`` and no ``accepted_answers`` takes the model answer as its one accepted
answer (the canonical type needs at least one; the SPA has no field for them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..events import EntityChanged, emit
from ..models import Question, QuestionType
from . import questions as bank
from .changes import jsonable
from .errors import Invalid

#: Earlier clients' names of question fields -> the canonical names.
ALIASES = {"correctAnswer": "correct_answer", "modelAnswer": "sample_answer"}

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class QuestionRef:
    """One entry of a quiz's ordered question list: a question of the bank."""

    question_id: str
    marks_override: int | None = None


@dataclass(frozen=True)
class NewQuestion:
    """An entry of a quiz's question list that is a question for the bank.

    ``values``: the question's fields as sent (aliases not yet applied); ``position``: the
    entry's index in the list, named in refusals."""

    values: Mapping[str, Any] = field(compare=False)
    marks_override: int | None = None
    position: int = 0


Entry = QuestionRef | NewQuestion


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def with_aliases(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with each alias (:data:`ALIASES`) moved to its canonical name when that
    name is absent or null; a short answer sent with ``modelAnswer`` and no accepted answers
    accepts the model answer."""
    result = dict(values)
    for alias, name in ALIASES.items():
        if alias in result:
            value = result.pop(alias)
            if result.get(name) is None:
                result[name] = value
    model = values.get("modelAnswer")
    if result.get("type") == QuestionType.SHORT_ANSWER.value and \
            not result.get("accepted_answers") and isinstance(model, str) and model.strip():
        result["accepted_answers"] = [model]
    return result


def entries_of(items: Sequence[Mapping[str, Any]]) -> list[Entry]:
    """The entries a ``questions`` list names (see the module's docstring)."""
    entries: list[Entry] = []
    for position, item in enumerate(items):
        override = item.get("marks_override")
        question_id = item.get("question_id")
        if question_id is None and is_uuid(item.get("id")):
            question_id = item["id"]
        if question_id is not None:
            entries.append(QuestionRef(question_id, override))
        else:
            entries.append(NewQuestion(item, override, position))
    return entries


def has_new(entries: Sequence[Entry]) -> bool:
    return any(isinstance(entry, NewQuestion) for entry in entries)


def clean_new(entry: NewQuestion) -> dict[str, Any]:
    """The new question of ``entry``, cleaned; a refusal names ``questions.<index>.<field>``."""
    values = with_aliases(entry.values)
    try:
        return bank.clean_question({name: values.get(name) for name in bank.FIELDS})
    except Invalid as error:
        raise Invalid(f"Question {entry.position + 1}: {error.message}",
                      field=f"questions.{entry.position}.{error.field or 'text'}") from None


def add_to_bank(session: Session, entries: Sequence[Entry], owner_id: str, *,
                actor_id: str | None = None) -> list[QuestionRef]:
    """Store the new questions among ``entries`` in ``owner_id``'s bank (each announced as
    ``EntityChanged(create, question)``, as from ``POST /api/questions``) and return the
    list as references, in order. Every new question is checked before any is stored."""
    cleaned = {id(entry): clean_new(entry) for entry in entries
               if isinstance(entry, NewQuestion)}
    refs: list[QuestionRef] = []
    for entry in entries:
        if isinstance(entry, QuestionRef):
            refs.append(entry)
            continue
        values = cleaned[id(entry)]
        question = Question(created_by=owner_id, **bank.question_row_values(values))
        session.add(question)
        session.flush()
        emit(session, EntityChanged(actor_id=actor_id, action="create", entity_type="question",
                                    entity_id=question.id, new=jsonable(values)))
        refs.append(QuestionRef(question.id, entry.marks_override))
    return refs
