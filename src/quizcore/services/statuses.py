"""What an operation declares about itself for the OpenAPI document.

Cornice knows a service's path, permission and schemas, from which
:func:`quizcore.services.docs.operation_statuses` derives most statuses (401, 403, 404,
400, 413, 429). What only the service knows — a success other than 200, the statuses of its
business rules (a 409 when the access code is taken...), the media types of a download — it
declares next to its views with the ``add_operation_statuses`` directive, core and plugins
alike, so the document never names a route it does not serve::

    config.add_cornice_service(quizzes)
    config.add_operation_statuses(quizzes, "POST", success=(201,), statuses=(409,))

The declarations are kept on the registry (``registry["quizcore.operation_statuses"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

REGISTRY_KEY = "quizcore.operation_statuses"


@dataclass(frozen=True)
class OperationStatuses:
    """One operation's declaration: its successful statuses, the statuses of its business
    rules, and the media types of the file it downloads (empty: it answers JSON)."""

    success: tuple[int, ...] = (200,)
    rules: tuple[int, ...] = ()
    downloads: tuple[str, ...] = ()


NOTHING_DECLARED = OperationStatuses()


def add_operation_statuses(config, service, method: str, *, success=(200,), statuses=(),
                           download=()) -> None:
    """Directive: declare what the OpenAPI document says of ``method`` on ``service`` (a
    Cornice service or its route name) beyond what Cornice knows.

    ``success``: its successful statuses; ``statuses``: the statuses of its business rules;
    ``download``: the media types of the file it answers with (its errors stay JSON). Two
    declarations of one operation conflict at start-up.
    """
    name = getattr(service, "name", service)
    key = (name, method.upper())
    declared = OperationStatuses(tuple(success), tuple(statuses), tuple(download))

    def register():
        config.registry.setdefault(REGISTRY_KEY, {})[key] = declared

    config.action(("quizcore.operation_statuses", *key), register)


def declared_statuses(registry) -> Mapping[tuple[str, str], OperationStatuses]:
    """Every declaration, by ``(route name, method)``."""
    return registry.get(REGISTRY_KEY, {})


def includeme(config):
    config.add_directive("add_operation_statuses", add_operation_statuses)
