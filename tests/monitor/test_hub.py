"""The hub's fan-out on its own: a slow socket is closed, the others get everything."""

from __future__ import annotations

import asyncio

import pytest
from tornado.testing import AsyncTestCase, gen_test

from monitor_server.api_client import SnapshotClient
from monitor_server.hub import CLOSE_TRY_AGAIN, Hub
from monitor_server.redis_source import RedisSource
from quizcore.wire import stream_key

QUIZ = "5b0f3f2e-0000-4000-8000-00000000aaaa"


class TestFanOut(AsyncTestCase):
    @pytest.fixture(autouse=True)
    def _redis(self, redis, redis_url):
        self.redis = redis
        self.redis_url = redis_url

    async def make_hub(self, queue_size):
        source = RedisSource(self.redis_url)
        api = SnapshotClient("http://127.0.0.1:9/api", 1.0)  # never asked in these tests
        hub = Hub(source, api, status_interval=60, poll_interval=0.2, queue_size=queue_size)
        await source.start()
        await hub.start()
        return hub, source, api

    @gen_test(timeout=20)
    async def test_slow_socket_is_closed_and_does_not_stall_the_others(self):
        hub, source, api = await self.make_hub(queue_size=3)
        received, everything = [], asyncio.Event()
        closed = {}
        never = asyncio.get_running_loop().create_future()

        async def fast_send(text):
            received.append(text)
            if len(received) == 20:
                everything.set()

        async def stuck_send(text):
            await never  # a client that stopped reading: the write never completes

        fast = hub.watcher(QUIZ, "t1", "u1", fast_send, lambda c, r: closed.update(fast=c))
        slow = hub.watcher(QUIZ, "t2", "u2", stuck_send, lambda c, r: closed.update(slow=c))
        hub.join(fast, "0-0")
        hub.join(slow, "0-0")
        for n in range(20):
            self.redis.xadd(stream_key(QUIZ), {"type": "violation", "data": f'{{"n": {n}}}'})
        hub.wake(QUIZ)

        await asyncio.wait_for(everything.wait(), 10)
        assert closed == {"slow": CLOSE_TRY_AGAIN}
        assert [f'"n":{n}' in text for n, text in enumerate(received)] == [True] * 20
        hub.leave(slow)
        assert hub.counts() == {"quizzes_watched": 1, "watchers": 1}
        await hub.stop()
        await source.stop()
        api.close()

    @gen_test(timeout=20)
    async def test_a_lost_wake_up_is_made_up_by_the_poll(self):
        hub, source, api = await self.make_hub(queue_size=10)
        got = asyncio.Event()

        async def send(text):
            got.set()

        watcher = hub.watcher(QUIZ, "t", "u", send, lambda c, r: None)
        hub.join(watcher, "0-0")
        # Written straight to the stream with no wake-up published: only the poll finds it.
        self.redis.xadd(stream_key(QUIZ), {"type": "answer_saved", "data": "{}"})
        await asyncio.wait_for(got.wait(), 5)
        await hub.stop()
        await source.stop()
        api.close()
