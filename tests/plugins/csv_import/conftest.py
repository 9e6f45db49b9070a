"""Fixtures of the import tests: an app that records the events of the import."""

from __future__ import annotations

import pytest

pytest.importorskip("quiz_plugins.csv_import", reason="the csv_import plugin is not installed")

PLUGIN = "quiz_plugins.csv_import"


@pytest.fixture
def events(app_with):
    """``(client, log)``: an app with the plugin whose committed events are recorded."""
    client = app_with(**{"quizcore.plugins": f"{PLUGIN}\ntests.accounts.eventlog"})
    registry = client.app.registry
    registry["eventlog.after_commit"].clear()
    registry["eventlog.in_transaction"].clear()
    yield client, registry["eventlog.after_commit"]
    registry["eventlog.after_commit"].clear()
    registry["eventlog.in_transaction"].clear()
