"""The monitor sidecar's websocket with crafted tokens: every one is closed with 1008
(policy violation), whether sent in the query string or in the first message, and so is a
valid token of a teacher who does not own the quiz, or whose session has ended."""

from __future__ import annotations

import pytest
from tornado.testing import gen_test

from quizcore import models
from tests.monitor.base import MonitorTestCase
from tests.monitor.client import Watch

from .tokens import forged_tokens

POLICY = 1008


class TestForgedTokens(MonitorTestCase):
    settings_overrides = {"quizcore.monitor.auth_timeout_seconds": "2"}

    @pytest.fixture(autouse=True)
    def _owner(self, live_exam, committed_session, monitor_api_app):
        self.session = committed_session
        quiz = committed_session.get(models.Quiz, live_exam.quiz_id)
        self.owner = committed_session.get(models.User, quiz.created_by)
        self.secret = monitor_api_app.registry.settings["quizcore.jwt_secret"]

    async def refused(self, token: str, in_message: bool) -> Watch:
        if in_message:
            watch = await Watch.open(self.ws_url, self.exam.quiz_id)
            watch.send({"type": "auth", "token": token})
        else:
            watch = await Watch.open(self.ws_url, self.exam.quiz_id, token)
        assert await watch.closed() == POLICY, watch.close_reason
        return watch

    @gen_test(timeout=60)
    async def test_crafted_tokens_are_closed_with_1008(self):
        tokens = forged_tokens(self.owner, self.secret, self.exam.tokens["teacher"])
        for name, token in tokens.items():
            for in_message in (False, True):
                watch = await self.refused(token, in_message)
                assert watch.close_reason, name
        # The control: the owner's real token is admitted.
        watch = await self.watch("teacher")
        assert (await watch.next())["type"] == "quiz_status"
        watch.close()

    @gen_test(timeout=30)
    async def test_a_valid_token_of_a_teacher_who_does_not_own_the_quiz_is_1008(self):
        for in_message in (False, True):
            watch = await self.refused(self.exam.tokens["other_teacher"], in_message)
            assert watch.close_reason == "not allowed to watch this quiz"

    @gen_test(timeout=30)
    async def test_a_token_of_a_student_is_1008(self):
        await self.refused(self.exam.tokens["ada"], in_message=False)

    @gen_test(timeout=30)
    async def test_the_owners_token_from_before_a_logout_is_1008(self):
        """Signature, expiry and role are fine: only the API knows the session ended."""
        self.owner.token_version += 1  # what logout and password changes do
        self.session.commit()
        watch = await self.refused(self.exam.tokens["teacher"], in_message=False)
        assert watch.close_reason == "not allowed to watch this quiz"

    @gen_test(timeout=30)
    async def test_the_token_of_a_deactivated_owner_is_1008(self):
        self.owner.is_active = False
        self.session.commit()
        await self.refused(self.exam.tokens["teacher"], in_message=True)
