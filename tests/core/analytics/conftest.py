from tests.marked_exam import exam  # noqa: F401 - the shared fixture
