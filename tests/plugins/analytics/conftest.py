"""Fixtures of the analytics tests: the hand-marked exam."""

import pytest

from tests.marked_exam import exam  # noqa: F401 - the shared fixture

pytest.importorskip("quiz_plugins.analytics", reason="the analytics plugin is not installed")
