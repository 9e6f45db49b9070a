"""Fixtures of the export tests: the hand-marked exam."""

import pytest

from tests.marked_exam import exam  # noqa: F401 - the shared fixture

pytest.importorskip("quiz_plugins.exports", reason="the exports plugin is not installed")
