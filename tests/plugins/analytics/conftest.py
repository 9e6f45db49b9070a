"""Fixtures of the analytics tests: the hand-marked exam, an app with other settings."""

from tests.marked_exam import exam  # noqa: F401 - the shared fixture
from tests.plugins.exports.conftest import app_with  # noqa: F401 - the shared fixture
