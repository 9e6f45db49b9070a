"""The monitor sidecar end to end: real API for snapshots, real Redis streams, real events
produced by API requests that commit and publish."""

from __future__ import annotations

import logging
import uuid

import pytest
from tornado.httpclient import HTTPClientError
from tornado.testing import gen_test

from quizcore.wire import stream_key

from .base import MonitorTestCase
from .client import Watch

POLICY = 1008
#: Tests that report violations through the anti-cheat plugin's endpoint.
ANTICHEAT = pytest.mark.plugin("quiz_plugins.anticheat")


class TestRefusals(MonitorTestCase):
    settings_overrides = {"quizcore.monitor.auth_timeout_seconds": "0.5"}

    @gen_test(timeout=20)
    async def test_no_token_in_the_auth_message_is_closed_with_1008(self):
        watch = await self.watch(who=None)
        watch.send({"type": "auth"})
        assert await watch.closed() == POLICY
        assert "authentication required" in watch.close_reason

    @gen_test(timeout=20)
    async def test_silence_instead_of_auth_is_closed_with_1008(self):
        watch = await self.watch(who=None)
        assert await watch.closed() == POLICY
        assert watch.close_reason == "authentication timed out"

    @gen_test(timeout=20)
    async def test_bad_token_is_closed_with_1008(self):
        watch = await Watch.open(self.ws_url, self.exam.quiz_id, "not.a.jwt")
        assert await watch.closed() == POLICY
        forged = self.exam.tokens["teacher"][:-3] + "abc"
        watch = await Watch.open(self.ws_url, self.exam.quiz_id, forged)
        assert await watch.closed() == POLICY

    @gen_test(timeout=20)
    async def test_student_token_is_closed_with_1008(self):
        watch = await self.watch("ada")
        assert await watch.closed() == POLICY
        # Sent in the auth message instead of the query: the same answer.
        watch = await self.watch(who=None)
        watch.send({"type": "auth", "token": self.exam.tokens["ada"]})
        assert await watch.closed() == POLICY

    @gen_test(timeout=20)
    async def test_other_teachers_quiz_is_closed_with_1008(self):
        watch = await self.watch("other_teacher")
        assert await watch.closed() == POLICY
        assert watch.close_reason == "not allowed to watch this quiz"

    @gen_test(timeout=20)
    async def test_unknown_or_malformed_quiz_is_closed_with_1008(self):
        for quiz_id in (str(uuid.uuid4()), "quiz-1"):
            watch = await self.watch("teacher", quiz_id=quiz_id)
            assert await watch.closed() == POLICY

    @gen_test(timeout=20)
    async def test_foreign_origin_is_refused_before_the_upgrade(self):
        with pytest.raises(HTTPClientError) as refused:
            await Watch.open(self.ws_url, self.exam.quiz_id, self.exam.tokens["teacher"],
                             origin="https://evil.example.com")
        assert refused.value.code == 403
        watch = await Watch.open(self.ws_url, self.exam.quiz_id, self.exam.tokens["teacher"],
                                 origin="https://spa.example.org")
        assert (await watch.next())["type"] == "quiz_status"

    @gen_test(timeout=20)
    async def test_refused_sockets_never_join_a_room(self):
        watch = await self.watch("other_teacher")
        await watch.closed()
        assert self.monitor.hub.counts() == {"quizzes_watched": 0, "watchers": 0}


class TestWatching(MonitorTestCase):
    @ANTICHEAT
    @gen_test(timeout=30)
    async def test_snapshot_on_join_then_events(self):
        ada = self.student("ada")
        await ada.start(self.exam.quiz_id)
        await ada.answer(self.exam.question_ids[0])
        watch = await self.watch()

        snapshot = await watch.next()
        assert snapshot["type"] == "quiz_status" and snapshot["quiz_id"] == self.exam.quiz_id
        assert snapshot["id"] == self.redis.xrevrange(stream_key(self.exam.quiz_id))[0][0]
        data = snapshot["data"]
        assert data["active_attempts"] == 1 and data["total_questions"] == 5
        students = {s["name"]: s for s in data["students"]}
        assert students["Ada Lovelace"]["answered_questions"] == 1
        assert students["Ada Lovelace"]["progress"] == 20.0
        assert students["Bob Byte"]["status"] == "not_started"

        await ada.violate("fullscreen_exit")
        event = await watch.next_of("violation")
        assert event["data"]["student_name"] == "Ada Lovelace"
        assert event["data"]["violation_type"] == "fullscreen_exit"
        assert event["data"]["total_violations"] == 1
        assert event["id"] > snapshot["id"]

    @gen_test(timeout=30)
    async def test_token_in_the_first_message_and_admin_may_watch(self):
        watch = await self.watch(who=None)
        watch.send({"type": "auth", "token": self.exam.tokens["admin"]})
        assert (await watch.next())["type"] == "quiz_status"
        await self.student("bob").start(self.exam.quiz_id)
        started = await watch.next_of("attempt_started")
        assert started["data"]["student_name"] == "Bob Byte"

    @ANTICHEAT
    @gen_test(timeout=30)
    async def test_events_of_one_quiz_never_reach_the_watchers_of_another(self):
        watch_a = await self.watch(quiz_id=self.exam.quiz_id)
        watch_b = await self.watch(quiz_id=self.exam.other_quiz_id)
        await watch_a.next_of("quiz_status")
        await watch_b.next_of("quiz_status")
        ada, bob = self.student("ada"), self.student("bob")
        await ada.start(self.exam.quiz_id)
        await ada.violate()
        await bob.start(self.exam.other_quiz_id)

        assert (await watch_a.next_of("attempt_started", "violation"))["type"] == \
            "attempt_started"
        assert (await watch_a.next_of("attempt_started", "violation"))["type"] == "violation"
        # Quiz B's watcher's first event is Bob's start: Ada's two events were not sent to it.
        event_b = await watch_b.next_of("attempt_started", "violation", "answer_saved")
        assert event_b["data"]["student_name"] == "Bob Byte"
        assert event_b["quiz_id"] == self.exam.other_quiz_id
        # And quiz A's watcher never sees Bob's start: its next event is Ada's submission.
        await ada.submit()
        assert (await watch_a.next_of("attempt_started", "attempt_submitted"))["type"] == \
            "attempt_submitted"

    @ANTICHEAT
    @gen_test(timeout=30)
    async def test_resume_by_last_event_id_misses_nothing(self):
        ada = self.student("ada")
        await ada.start(self.exam.quiz_id)
        watch = await self.watch()
        await watch.next_of("quiz_status")
        await ada.answer(self.exam.question_ids[0])
        seen = await watch.next_of("answer_saved")
        watch.close()
        # While the teacher is away: five more events.
        for question_id in self.exam.question_ids[1:4]:
            await ada.answer(question_id)
        await ada.violate()
        await ada.submit()

        resumed = await self.watch(last_event_id=seen["id"])
        expected_ids = [entry_id for entry_id, _ in
                        self.redis.xrange(stream_key(self.exam.quiz_id), f"({seen['id']}")]
        received = [await resumed.next() for _ in expected_ids]
        assert [m["id"] for m in received] == expected_ids
        # With a grader enabled the submission is followed by its attempt_graded.
        assert [m["type"] for m in received][:5] == ["answer_saved"] * 3 + \
            ["violation", "attempt_submitted"]
        assert [m["type"] for m in received][5:] in ([], ["attempt_graded"])
        assert [m["data"].get("answered_questions") for m in received[:3]] == [2, 3, 4]

    @ANTICHEAT
    @gen_test(timeout=30)
    async def test_resume_in_the_auth_message_too(self):
        ada = self.student("ada")
        await ada.start(self.exam.quiz_id)
        first = self.redis.xrevrange(stream_key(self.exam.quiz_id))[0][0]
        await ada.violate()
        watch = await self.watch(who=None)
        watch.send({"type": "auth", "token": self.exam.tokens["teacher"],
                    "last_event_id": first})
        assert (await watch.next())["type"] == "violation"

    @ANTICHEAT
    @gen_test(timeout=30)
    async def test_resume_from_a_trimmed_id_gets_a_fresh_snapshot(self):
        ada = self.student("ada")
        await ada.start(self.exam.quiz_id)
        old = self.redis.xrevrange(stream_key(self.exam.quiz_id))[0][0]
        await ada.violate()
        self.redis.xtrim(stream_key(self.exam.quiz_id), maxlen=1, approximate=False)
        watch = await self.watch(last_event_id=old)
        snapshot = await watch.next()
        assert snapshot["type"] == "quiz_status"
        [ada_row] = [s for s in snapshot["data"]["students"] if s["name"] == "Ada Lovelace"]
        assert ada_row["violations"] == 1

    @gen_test(timeout=30)
    async def test_the_token_never_reaches_the_access_log(self):
        token = self.exam.tokens["teacher"]
        logger = logging.getLogger("tornado.access")
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logger.addHandler(handler)
        level = logger.level
        logger.setLevel(logging.INFO)
        try:
            watch = await self.watch()
            await watch.next_of("quiz_status")
            watch.close()
            response = await self.http_client.fetch(self.get_url("/health"))
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        assert response.code == 200
        lines = [record.getMessage() for record in records]
        assert any("/ws/quiz-monitor/" in line and "token=%2A%2A%2A" in line for line in lines)
        assert not any(token in line for line in lines)

    @gen_test(timeout=30)
    async def test_health_counts_watchers_and_rooms_close_when_nobody_watches(self):
        first = await self.watch()
        second = await self.watch("admin")
        await first.next_of("quiz_status")
        await second.next_of("quiz_status")
        health = await self.health_until(lambda h: h["watchers"] == 2)
        assert health["quizzes_watched"] == 1 and health["redis"] == "ok"
        first.close()
        second.close()
        health = await self.health_until(lambda h: h["watchers"] == 0)
        assert health["quizzes_watched"] == 0 and self.monitor.hub.rooms == {}

    async def health_until(self, predicate, timeout=10.0):
        import asyncio
        import json

        end = self.io_loop.time() + timeout
        while True:
            health = json.loads((await self.http_client.fetch(self.get_url("/health"))).body)
            if predicate(health) or self.io_loop.time() > end:
                return health
            await asyncio.sleep(0.02)  # polling with a deadline, not a synchronisation sleep


class TestPeriodicStatus(MonitorTestCase):
    settings_overrides = {"quizcore.monitor.status_interval_seconds": "0.3"}

    @gen_test(timeout=30)
    async def test_quiz_status_repeats_while_watched_and_reflects_changes(self):
        watch = await self.watch()
        first = await watch.next_of("quiz_status")
        ada = self.student("ada")
        await ada.start(self.exam.quiz_id)
        started = await watch.next_of("attempt_started")
        later = await watch.next_of("quiz_status")
        assert later["data"]["generated_at"] > first["data"]["generated_at"]
        assert later["data"]["active_attempts"] == 1
        # The snapshot's id covers every event before it.
        assert later["id"] >= started["id"]
