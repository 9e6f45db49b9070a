"""A plugin adding fields to canonical answers with ``config.add_response_extension``."""

from __future__ import annotations


def extend_me(request, answer):
    # "email" is canonical: the extension cannot replace it.
    return {"greeting": f"Hello {answer['name']}", "email": "replaced@example.org"}


def extend_quiz_item(request, item):
    return {"title_length": len(item["title"])}


def includeme(config):
    config.add_response_extension("auth_me", "GET", extend_me)
    config.add_response_extension("quizzes", "GET", extend_quiz_item, items="items")
