"""The worker's warm shutdown against a real Redis: stopping RQ's command-channel thread cannot take a minute.

RQ unsubscribes and then stops the thread, which redis-py joins with no limit; when the thread reads the
unsubscribe reply first it waits for a new subscription for its whole read timeout (RQ's 60 s). The test
forces that order, then checks the worker's own ``unsubscribe`` ends while a bound far below 60 s holds.
"""

from __future__ import annotations

import threading
import uuid

from redis import Redis
from rq import Queue

from gisgrid.jobs import worker as worker_module
from tests.worker_support import REDIS_URL, forget_queue, until

BOUND_S = 30  # far above PUBSUB_WAIT_S on a loaded machine, far below RQ's 60 s: a hang detector, not a timing


def test_unsubscribe_ends_even_when_the_thread_saw_the_unsubscribe_first():
    name = f"gisgrid-test-{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(REDIS_URL)
    worker = worker_module._Worker([Queue(name, connection=redis)], connection=redis, name=name)
    try:
        worker.subscribe()
        until(lambda: worker.pubsub.subscribed, "the subscription", BOUND_S)
        worker.pubsub.unsubscribe()  # the thread reads this reply and goes back to waiting, still running
        until(lambda: not worker.pubsub.subscribed, "the thread to read the unsubscribe reply", BOUND_S)
        done = threading.Event()
        threading.Thread(target=lambda: (worker.unsubscribe(), done.set()), daemon=True).start()
        assert done.wait(BOUND_S), "the worker's unsubscribe hung on its pub/sub thread"
        assert not worker.pubsub_thread.is_alive()
    finally:
        forget_queue(name)
