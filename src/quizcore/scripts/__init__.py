"""``quizctl``: the administration command line.

Commands are registered on the application registry with the ``add_quizctl_command``
directive, by the core and by plugins, so a disabled plugin's commands are absent:

    def includeme(config):
        config.add_quizctl_command("prune-audit", prune_audit, help="...",
                                   arguments=lambda parser: parser.add_argument("--days"))

A command is ``func(env, args) -> int | None`` where ``env`` is the dict returned by
:func:`pyramid.paster.bootstrap` (``request``, ``registry``...). Run database work inside
``with env["request"].tm:`` so it commits (and announces its events) like a request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    name: str
    func: Callable[[dict, Any], int | None]
    help: str
    arguments: Callable[[Any], None] | None = None


def add_quizctl_command(config, name, func, help="", arguments=None):
    config.registry.setdefault("quizcore.commands", {})[name] = Command(name, func, help,
                                                                       arguments)


def includeme(config):
    config.add_directive("add_quizctl_command", add_quizctl_command)
    from . import admin, demo, migrate, tokens

    migrate.includeme(config)
    config.include(".sweep")
    admin.includeme(config)
    demo.includeme(config)
    tokens.includeme(config)
